//! The verification page and its answers: plain, self-contained Chinese
//! HTML (no scripts, no external assets) for a phone's browser.

use std::fmt::Write as _;

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::DateTime;
use chrono::FixedOffset;

use super::shown::{ApiOrBadge, Shown};
use super::{MAX_COMMENT_CHARS, Rating, RatingRow};

pub(super) fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

pub(super) fn beijing(s: &str) -> String {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .and_then(|t| FixedOffset::east_opt(8 * 3600).map(|bj| t.with_timezone(&bj)))
        .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_else(|| s.to_owned())
}

pub(super) fn page(title: &str, result: &str, body: &str) -> String {
    format!(
        r#"<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>{title}</title>
<style>
body{{font:18px/1.6 system-ui,-apple-system,"PingFang SC","Noto Sans CJK SC",sans-serif;margin:0;background:#f4f5f7;color:#1a1a1a}}
main{{max-width:560px;margin:0 auto;padding:16px}}
.banner{{border-radius:12px;padding:20px;color:#fff;font-size:24px;font-weight:700;text-align:center}}
.ok{{background:#0a7d38}} .bad{{background:#b3261e}}
dl{{background:#fff;border-radius:12px;padding:12px 16px;margin:16px 0}}
dt{{color:#555;font-size:15px;margin-top:8px}} dd{{margin:0;font-size:20px;word-break:break-all}}
ol{{margin:4px 0;padding-left:24px}}
form,.note{{background:#fff;border-radius:12px;padding:16px;margin:16px 0}}
label.opt{{display:block;font-size:20px;padding:12px;border:1px solid #ccc;border-radius:10px;margin:8px 0}}
textarea{{width:100%;box-sizing:border-box;font-size:18px;min-height:88px}}
button{{width:100%;font-size:22px;padding:14px;border:0;border-radius:10px;background:#1565c0;color:#fff;margin-top:12px}}
code{{font-size:15px;background:#eee;padding:2px 6px;border-radius:4px}}
small{{color:#666}}
</style></head>
<body><main data-badge-result="{result}">
{body}
<p><small>掌上执法 · 亮码核验。核验依据服务器公布的亮码公钥（/v1/badge/key）。评价不收集您的任何个人信息。</small></p>
</main></body></html>
"#
    )
}

pub(super) fn verified_page(shown: &Shown, token: &str, rated: Option<&RatingRow>) -> String {
    let c = shown;
    let mut items = String::new();
    for i in &c.items {
        let _ = write!(items, "<li>{}</li>", esc(i));
    }
    if c.items_total as usize > c.items.len() {
        let _ = write!(items, "<li>……共 {} 项</li>", c.items_total);
    }
    let township = if c.township_name.is_empty() {
        esc(&c.township)
    } else {
        format!("{}（{}）", esc(&c.township_name), esc(&c.township))
    };
    let scenarios = if c.scenarios.is_empty() {
        String::new()
    } else {
        format!(
            r#"<dt>检查场景</dt><dd id="scenarios">{}</dd>
"#,
            esc(&c.scenarios.join("、"))
        )
    };
    let place = if c.place.is_empty() {
        String::new()
    } else {
        format!("<dt>检查地点</dt><dd>{}</dd>\n", esc(&c.place))
    };
    let certificate = c
        .certificate_valid_until
        .as_deref()
        .map_or(String::new(), |u| {
            format!("<dt>执法证书有效至</dt><dd>{}</dd>\n", beijing(u))
        });
    let mut body = format!(
        r#"<div class="banner ok" id="result">✔ 亮码验证通过</div>
<dl>
<dt>执法人员</dt><dd id="officer">{}</dd>
<dt>执法证号</dt><dd id="credential">{}</dd>
<dt>执法单位</dt><dd>{}</dd>
{place}{scenarios}<dt>本次检查事项</dt><dd><ol id="items">{}</ol></dd>
<dt>亮码签发</dt><dd>{}</dd>
<dt>亮码有效至</dt><dd>{}</dd>
{certificate}</dl>"#,
        esc(&c.officer_name),
        esc(&c.credential_no),
        township,
        items,
        beijing(&c.issued_at),
        beijing(&c.expires_at),
    );
    match rated {
        Some(r) => {
            let _ = write!(
                body,
                r#"<div class="note" id="rated">本次检查已评价：<b>{}</b>（{}）</div>"#,
                r.rating.label(),
                beijing(&r.rated_at)
            );
        }
        None => {
            let mut opts = String::new();
            for r in Rating::ALL {
                let _ = write!(
                    opts,
                    r#"<label class="opt"><input type="radio" name="rating" value="{}" required> {}</label>"#,
                    r.code(),
                    r.label()
                );
            }
            let _ = write!(
                body,
                r#"<form method="post" action="/v/{}/rating" id="rating">
<b>请评价本次执法检查（执法社会评议）</b>
{opts}
<label>意见（选填，最多 {MAX_COMMENT_CHARS} 字）<textarea name="comment" maxlength="{MAX_COMMENT_CHARS}"></textarea></label>
<button type="submit">提交评价</button>
</form>"#,
                esc(token)
            );
        }
    }
    page("亮码验证通过", "verified", &body)
}

pub(super) fn failed_page(code: &str, message: &str) -> String {
    page(
        "亮码无效",
        code,
        &format!(
            r#"<div class="banner bad" id="result">✘ 亮码无效</div>
<div class="note"><p id="reason">{}</p><p>代码：<code id="code">{}</code></p>
<p>请勿配合未通过核验的检查，可拨打当地政务服务热线 12345 核实。</p></div>"#,
            esc(message),
            esc(code)
        ),
    )
}

pub(super) fn html(status: StatusCode, result: &str, body: String) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
            ),
        ],
        [("x-badge-result", result.to_owned())],
        body,
    )
        .into_response()
}

pub(super) fn failure(e: &ApiOrBadge) -> Response {
    match e {
        ApiOrBadge::Badge(b) => html(
            StatusCode::UNPROCESSABLE_ENTITY,
            b.code(),
            failed_page(b.code(), &b.to_string()),
        ),
        ApiOrBadge::Api(a) => html(
            StatusCode::from_u16(a.kind.status()).unwrap_or(StatusCode::SERVICE_UNAVAILABLE),
            a.kind.code(),
            failed_page(a.kind.code(), "暂时无法核验，请稍后再试"),
        ),
    }
}
