//! The documents a device issued for a case (the served decision as a PDF,
//! an order to correct …): announced by `document/record` and uploaded as
//! blobs through the resumable upload (docs/PROTOCOL.md, stream D). The
//! server links a document to its case by SHA-256 (`record_document`, and
//! `case_evidence`, so the case's manifest expects the bytes, the device's
//! `HEAD /v1/blobs` finds them and the collector never takes them) and
//! lists it as verified once an intact blob with that hash and size is
//! stored.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use zhifa_protocol::error::{Reject, RejectCode};
use zhifa_protocol::mutation::DocumentRecord;

use super::{RecordError, ts};
use crate::store::sql::{Conn, DbError, p};

/// A document of a case as the server lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DocumentRef {
    /// The document kind (`decision_on_the_spot`, `order_to_correct` …).
    pub kind: String,
    /// Its Chinese title.
    pub title: String,
    /// SHA-256 of the file (hex).
    pub sha256: String,
    /// Its size in bytes.
    pub size: u64,
    /// Whether the server holds the intact file (a verified blob).
    pub verified: bool,
}

fn bad(what: &str) -> Reject {
    Reject::new(
        RejectCode::InvalidPayload,
        format!("载荷缺少或错误：{what}"),
    )
}

/// Applies `document/record` of `device_id` (serving `township`): only for
/// the device's own case in the township it serves now.
pub fn apply(
    tx: &mut dyn Conn,
    device_id: &str,
    township: &str,
    a: &DocumentRecord,
    now: DateTime<Utc>,
) -> Result<Result<(), Reject>, DbError> {
    if a.sha256.len() != 64 || !a.sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(Err(bad("sha256")));
    }
    if a.size <= 0 {
        return Ok(Err(bad("size")));
    }
    let short = |s: &str| !s.trim().is_empty() && s.chars().count() <= 64;
    if !short(&a.kind) || !short(&a.stage) || !short(&a.title) || !short(&a.media_type) {
        return Ok(Err(bad("kind/stage/title/media_type")));
    }
    // A simple-procedure case, or a normal-procedure one (whose device
    // announces the records it made: 询问笔录, 事先告知书, 送达回证 …).
    let row = match tx.query_opt(
        "SELECT device_id, township FROM cases WHERE case_id = ?1",
        p![a.case_id],
    )? {
        Some(r) => Some(r),
        None => tx.query_opt(
            "SELECT device_id, township FROM procedure_case WHERE case_id = ?1",
            p![a.case_id],
        )?,
    };
    let Some(row) = row else {
        return Ok(Err(Reject::new(
            RejectCode::UnknownCase,
            "服务器上没有此文书所属的案件",
        )));
    };
    let (owner, t): (String, String) = (row.get(0)?, row.get(1)?);
    if owner != device_id {
        return Ok(Err(Reject::new(RejectCode::NotOwner, "案件属于另一台设备")));
    }
    if t != township {
        return Ok(Err(Reject::new(
            RejectCode::Jurisdiction,
            format!("案件属地 {t} 不在本设备现执法人员的辖区"),
        )));
    }
    tx.exec(
        "INSERT INTO record_document (case_id, kind, stage, title, number, sha256, size, media_type,
             document_sha256, device_id, received_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
         ON CONFLICT (case_id, kind, stage) DO NOTHING",
        p![
            a.case_id,
            a.kind,
            a.stage,
            a.title,
            a.number,
            a.sha256.to_ascii_lowercase(),
            a.size,
            a.media_type,
            a.document_sha256,
            device_id,
            ts(now)
        ],
    )?;
    tx.exec(
        "INSERT INTO case_evidence (case_id, sha256) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
        p![a.case_id, a.sha256.to_ascii_lowercase()],
    )?;
    Ok(Ok(()))
}

/// The documents of a case, in the order they arrived.
pub fn list(c: &mut dyn Conn, case_id: &str) -> Result<Vec<DocumentRef>, RecordError> {
    let rows = c.query(
        "SELECT d.kind, d.title, d.sha256, d.size,
                EXISTS (SELECT 1 FROM blob b WHERE b.sha256 = d.sha256 AND b.size = d.size)
         FROM record_document d WHERE d.case_id = ?1 ORDER BY d.received_at, d.kind, d.stage",
        p![case_id],
    )?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        // A boolean reads as an integer on both backends.
        let verified = r.get::<i64>(4)? != 0;
        out.push(DocumentRef {
            kind: r.get(0)?,
            title: r.get(1)?,
            sha256: r.get(2)?,
            size: u64::try_from(r.get::<i64>(3)?).unwrap_or(0),
            verified,
        });
    }
    Ok(out)
}
