//! 公示 (行政处罚法 Art. 48 ¶1; 国办发〔2018〕118号): the decisions the
//! centre has published, open to anyone, at `GET /v1/public/decisions`
//! (JSON) and `GET /public/decisions` (a page). A decision appears once
//! its 公示 step is recorded; a natural person's name is masked and no ID
//! number, address or phone is ever shown — an organisation's name is
//! public. Both are rate-limited per client like every public endpoint.
//!
//! Withdrawal (Art. 48 ¶2: a published decision that is changed, revoked,
//! held illegal or void is withdrawn within 3 working days, Art. 85): a
//! case whose log holds a `revoke` step is never listed, and nothing of
//! it is kept here — both endpoints read the log as it stands, and the
//! `revoke` row is written in the same transaction as the step, so the
//! decision leaves the 公示 the moment the revocation is recorded.

use axum::Json;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use zhifa_core::procedure::EventKind;

use super::{CaseError, details_of, events_of};
use crate::api::state::{St, blocking};
use crate::error::ApiError;
use crate::record::Keeper;
use crate::store::sql::{Conn, Val};

/// One published decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PublicDecision {
    /// 行政处罚决定书文号.
    pub number: String,
    /// The deciding authority.
    pub authority: String,
    /// The party: an organisation's name, a person's masked.
    pub party: String,
    /// The violation (the matter).
    pub matter: String,
    /// The penalty, in words.
    pub penalty: String,
    /// The decision date.
    pub decided_on: NaiveDate,
    /// The day it was published.
    pub published_on: NaiveDate,
}

/// The filter.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PublicQuery {
    /// Only this township (9 digits).
    pub township: Option<String>,
}

/// A person's name masked: the first character kept.
fn mask_person(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => format!("{first}{}", "*".repeat(chars.count().clamp(1, 8))),
        None => String::new(),
    }
}

/// The published decisions, newest first (at most 200).
pub fn published(
    c: &mut dyn Conn,
    k: &Keeper,
    township: Option<&str>,
) -> Result<Vec<PublicDecision>, CaseError> {
    if let Some(t) = township
        && (t.len() != 9 || !t.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(CaseError::Invalid("镇街代码应为 9 位数字".into()));
    }
    // Art. 48 ¶2: a revoked decision is withdrawn (never listed).
    let mut sql = "SELECT p.case_id FROM procedure_case p
         JOIN procedure_event e ON e.case_id = p.case_id AND e.step = 'publish'
         WHERE NOT EXISTS (SELECT 1 FROM procedure_event r
                           WHERE r.case_id = p.case_id AND r.step = 'revoke')"
        .to_owned();
    let mut args: Vec<Val<'_>> = Vec::new();
    if let Some(t) = township {
        sql.push_str(" AND p.township = ?1");
        args.push(Val::Text(t));
    }
    sql.push_str(" ORDER BY e.at DESC LIMIT 200");
    let ids: Vec<String> = c
        .query(&sql, &args)?
        .into_iter()
        .map(|r| r.get(0))
        .collect::<Result<_, _>>()?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let (Some(d), events) = (details_of(c, k, &id)?, events_of(c, k, &id)?) else {
            continue;
        };
        let decided = events.iter().rev().find_map(|e| match &e.kind {
            EventKind::Decide { outcome, number } => Some((outcome, number, e.on())),
            _ => None,
        });
        let published = events
            .iter()
            .rev()
            .find(|e| matches!(e.kind, EventKind::Publish))
            .map(|e| e.on());
        let (Some((outcome, number, decided_on)), Some(published_on)) = (decided, published) else {
            continue;
        };
        out.push(PublicDecision {
            number: number.clone(),
            authority: d.authority.name.clone(),
            party: if d.party.kind == "organization" {
                d.party.name.clone()
            } else {
                mask_person(&d.party.name)
            },
            matter: d.matter_name.clone(),
            penalty: super::outcome_words(outcome),
            decided_on,
            published_on,
        });
    }
    Ok(out)
}

/// The routes of 公示.
pub fn routes() -> Router<St> {
    Router::new()
        .route("/v1/public/decisions", get(list_http))
        .route("/public/decisions", get(page_http))
}

async fn load(s: &St, q: PublicQuery) -> Result<Vec<PublicDecision>, ApiError> {
    let store = s.store.clone();
    blocking(move || {
        let k = store.keeper();
        store.read_as(|c| published(c, k, q.township.as_deref()))
    })
    .await
}

/// `GET /v1/public/decisions`: the published decisions (no sign-in).
#[utoipa::path(get, tag = "public", path = "/v1/public/decisions", params(PublicQuery),
    responses((status = 200, body = [PublicDecision]), (status = 400, body = zhifa_protocol::wire::ErrorBody),
              (status = 429, body = zhifa_protocol::wire::ErrorBody)))]
pub(crate) async fn list_http(
    State(s): State<St>,
    Query(q): Query<PublicQuery>,
) -> Result<Json<Vec<PublicDecision>>, ApiError> {
    Ok(Json(load(&s, q).await?))
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// `GET /public/decisions`: the same as a page (no script).
pub(crate) async fn page_http(State(s): State<St>, Query(q): Query<PublicQuery>) -> Response {
    let rows = match load(&s, q).await {
        Ok(r) => r,
        Err(e) => return e.into_response(),
    };
    let body: String = rows
        .iter()
        .map(|r| {
            format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&r.number),
                esc(&r.party),
                esc(&r.matter),
                esc(&r.penalty),
                esc(&r.authority),
                r.decided_on,
                r.published_on
            )
        })
        .collect();
    let empty = if rows.is_empty() {
        "<p>暂无公示的行政处罚决定。</p>"
    } else {
        ""
    };
    let html = format!(
        r#"<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>行政处罚决定公示</title>
<style>body{{font-family:sans-serif;margin:16px;color:#1d2129}}table{{border-collapse:collapse;width:100%}}th,td{{border:1px solid #c9cdd4;padding:6px 8px;text-align:left}}th{{background:#f2f3f5}}</style></head>
<body><main><h1>行政处罚决定公示</h1><p>依据《中华人民共和国行政处罚法》第四十八条公开。自然人姓名已作遮蔽处理。</p>{empty}
<table><caption>已公示的行政处罚决定</caption><thead><tr><th scope="col">决定书文号</th><th scope="col">当事人</th><th scope="col">违法行为</th><th scope="col">处罚内容</th><th scope="col">作出机关</th><th scope="col">决定日期</th><th scope="col">公示日期</th></tr></thead><tbody>{body}</tbody></table></main></body></html>"#
    );
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; style-src 'unsafe-inline'",
            ),
        ],
        html,
    )
        .into_response()
}
