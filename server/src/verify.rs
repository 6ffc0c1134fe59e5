//! The public verification of an issued document: the 核验 QR printed on
//! every document links to `GET /d/{document_hash}` (a page) and the same
//! answer is `GET /v1/public/documents/{document_hash}` (JSON). Both look
//! the document hash (SHA-256 of the document's canonical fields, printed
//! under the QR) up in `record_document.document_sha256` and show what a
//! citizen may see: the title, the number, the issuing authority when the
//! centre knows it, the day the centre received it, whether the centre
//! holds the intact file (a verified blob, as `record::documents::list`
//! computes it) and, for a 行政处罚决定书 the centre sealed, whether its
//! seal (Ed25519 over `ZHIFA-SEAL:1:{document_hash}` with the badge key)
//! verifies and whether it was revoked. Never the party's name, ID number,
//! address or phone. An unknown hash is a 404 page in Chinese. Both are
//! rate-limited per client like every public endpoint (`edges::is_public`)
//! and need no sign-in; the page has no script.

use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, NaiveDate, Utc};
use ed25519_dalek::{Signature, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};
use zhifa_core::procedure::EventKind;
use zhifa_protocol::ErrorKind;

use crate::api::state::{St, blocking};
use crate::error::ApiError;
use crate::procedure::{CaseError, details_of, events_of};
use crate::record::Keeper;
use crate::store::sql::{Conn, p};

/// What the public may see of an issued document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PublicDocument {
    /// The document hash (lower-case hex), as printed under the QR.
    pub document_hash: String,
    /// The document's Chinese title.
    pub title: String,
    /// Its number (文号), if it has one.
    pub number: Option<String>,
    /// The issuing authority, when the centre knows it.
    pub authority: Option<String>,
    /// The day (Beijing) the centre received or issued it.
    pub received_on: NaiveDate,
    /// Whether the centre holds the intact file (a verified blob).
    pub held: bool,
    /// For a decision the centre sealed: whether the seal verifies with
    /// the centre's key (`GET /v1/badge/key`); `None` otherwise.
    pub seal_verified: Option<bool>,
    /// Whether the decision was revoked (撤销, 行政处罚法 Art. 48 ¶2).
    pub revoked: bool,
}

/// Whether `s` is a document hash: 64 hex digits (either case).
fn is_hash(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The document with `hash` (lower case), or `None`; `key` checks the
/// centre's seal.
pub fn find(
    c: &mut dyn Conn,
    k: &Keeper,
    key: &VerifyingKey,
    hash: &str,
) -> Result<Option<PublicDocument>, CaseError> {
    let Some(r) = c.query_opt(
        "SELECT d.case_id, d.kind, d.title, d.number, d.received_at, d.device_id,
                EXISTS (SELECT 1 FROM blob b WHERE b.sha256 = d.sha256 AND b.size = d.size)
         FROM record_document d WHERE d.document_sha256 = ?1
         ORDER BY d.received_at LIMIT 1",
        p![hash],
    )?
    else {
        return Ok(None);
    };
    let case_id: String = r.get(0)?;
    let kind: String = r.get(1)?;
    let received: String = r.get(4)?;
    let device: String = r.get(5)?;
    let received_on = DateTime::parse_from_rfc3339(&received)
        .map_err(|e| CaseError::Corrupt(format!("{case_id} 文书接收时间：{e}")))?
        .with_timezone(&Utc);
    let received_on = zhifa_core::procedure::beijing_date(received_on);
    let mut doc = PublicDocument {
        document_hash: hash.to_owned(),
        title: r.get(2)?,
        number: r.get(3)?,
        authority: None,
        received_on,
        // A boolean reads as an integer on both backends.
        held: r.get::<i64>(6)? != 0,
        seal_verified: None,
        revoked: false,
    };
    // A normal-procedure case: its authority, and the centre's seal on the
    // decision it rendered (device `server`).
    if let Some(d) = details_of(c, k, &case_id)? {
        doc.authority = Some(d.authority.name);
        let events = events_of(c, k, &case_id)?;
        doc.revoked = kind == "penalty_decision"
            && events
                .iter()
                .any(|e| matches!(e.kind, EventKind::Revoke { .. }));
        if device == "server" && kind == "penalty_decision" {
            let signature = events.iter().rev().find_map(|e| match &e.kind {
                EventKind::Decide { number, .. } if Some(number) == doc.number.as_ref() => {
                    e.signature.clone()
                }
                _ => None,
            });
            doc.seal_verified = Some(signature.is_some_and(|s| seal_verifies(key, hash, &s)));
        }
    }
    Ok(Some(doc))
}

/// Whether `signature` (hex) is the centre's seal over `hash`.
fn seal_verifies(key: &VerifyingKey, hash: &str, signature: &str) -> bool {
    let Ok(bytes) = hex::decode(signature) else {
        return false;
    };
    let Ok(sig) = Signature::from_slice(&bytes) else {
        return false;
    };
    key.verify(format!("ZHIFA-SEAL:1:{hash}").as_bytes(), &sig)
        .is_ok()
}

/// The routes of the public verification.
pub fn routes() -> Router<St> {
    Router::new()
        .route("/v1/public/documents/{document_hash}", get(json_http))
        .route("/d/{document_hash}", get(page_http))
}

/// The document, `Ok(None)` when unknown or not a hash.
async fn load(s: &St, hash: &str) -> Result<Option<PublicDocument>, ApiError> {
    if !is_hash(hash) {
        return Ok(None);
    }
    let hash = hash.to_ascii_lowercase();
    let key = s.badge.public();
    let store = s.store.clone();
    blocking(move || {
        let k = store.keeper();
        store.read_as(|c| find(c, k, &key, &hash))
    })
    .await
}

const NOT_ON_RECORD: &str = "中心没有此文书的记录：文书编码有误，或文书尚未上传到中心";

/// `GET /v1/public/documents/{document_hash}`: what the public may see of
/// an issued document (no sign-in).
#[utoipa::path(get, tag = "public", path = "/v1/public/documents/{document_hash}",
    params(("document_hash" = String, Path, description = "the document hash printed under the 核验 QR (64 hex digits, either case)")),
    responses((status = 200, body = PublicDocument), (status = 404, body = zhifa_protocol::wire::ErrorBody),
              (status = 429, body = zhifa_protocol::wire::ErrorBody)))]
pub(crate) async fn json_http(
    State(s): State<St>,
    Path(hash): Path<String>,
) -> Result<Json<PublicDocument>, ApiError> {
    match load(&s, &hash).await? {
        Some(d) => Ok(Json(d)),
        None => Err(ApiError::new(ErrorKind::NotFound, NOT_ON_RECORD)),
    }
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        r#"<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>{title}</title>
<style>body{{font-family:sans-serif;margin:16px;color:#1d2129;line-height:1.6}}dl{{display:grid;grid-template-columns:max-content 1fr;gap:4px 12px}}dt{{color:#4e5969}}dd{{margin:0;word-break:break-all}}.ok{{color:#00713d}}.bad{{color:#b42318}}</style></head>
<body><main><h1>{title}</h1>{body}</main></body></html>"#
    );
    (
        status,
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

/// `GET /d/{document_hash}`: the same as a page (no script), 404 with a
/// page in Chinese for a document not on record.
pub(crate) async fn page_http(State(s): State<St>, Path(hash): Path<String>) -> Response {
    let doc = match load(&s, &hash).await {
        Ok(Some(d)) => d,
        Ok(None) => {
            return page(
                StatusCode::NOT_FOUND,
                "文书核验：未找到",
                &format!(
                    r#"<p class="bad">{NOT_ON_RECORD}。</p><p>文书编码：{}</p>"#,
                    esc(&hash)
                ),
            );
        }
        Err(e) => return e.into_response(),
    };
    let row = |k: &str, v: &str| format!("<dt>{k}</dt><dd>{}</dd>", esc(v));
    let mut rows = row("文书名称", &doc.title);
    rows += &row("文书编号", doc.number.as_deref().unwrap_or("（无编号）"));
    if let Some(a) = &doc.authority {
        rows += &row("作出机关", a);
    }
    rows += &row(
        "中心收到日期",
        &doc.received_on.format("%Y年%m月%d日").to_string(),
    );
    rows += &row(
        "文书原件",
        if doc.held {
            "中心已存有完整的文书原件"
        } else {
            "中心尚未收到完整的文书原件"
        },
    );
    if let Some(ok) = doc.seal_verified {
        rows += &row(
            "电子签章",
            if ok {
                "签章有效（中心密钥核验通过）"
            } else {
                "签章无效"
            },
        );
    }
    if doc.revoked {
        rows += &row("状态", "该决定已被撤销");
    }
    rows += &row("文书编码", &doc.document_hash);
    let verdict = if doc.revoked {
        r#"<p class="bad">此文书已被撤销。</p>"#
    } else {
        r#"<p class="ok">此文书由执法机关出具，已在中心登记。请核对纸质文书上的名称、编号与文书编码是否与本页一致。</p>"#
    };
    page(
        StatusCode::OK,
        "文书核验",
        &format!("{verdict}<dl>{rows}</dl><p>本页不显示当事人信息。</p>"),
    )
}
