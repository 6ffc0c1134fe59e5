//! A case from the centre's record in the JSON shape of the device's
//! `zhifa case show ID --json` ([`zhifa_core::case::CaseDoc`]: the case's
//! fields flattened, `status_zh`, `payment_standing`, `timeline`,
//! `provisional_number`), plus what only the centre has: `documents`
//! (`[{kind, title, sha256, size, verified}]`), `evidence_files` (the
//! originals the case's evidence records name: `[{sha256, media_type,
//! size, held}]`), the `replay` of the rules
//! and the `flagged` mark (`zhifa-server case show ID --json`, the
//! console's case detail).
//!
//! Differences from the device's document, by design: a
//! `provisional_number`'s device-only fields (`issued_at`, the time the
//! device printed it, which the server never receives) read as the
//! server's assignment time, and `assigned_at` is the server's time, not
//! the time the device heard of it.

use chrono::NaiveDate;
use serde::Serialize;
use zhifa_core::case::{CaseDoc, ProvisionalRecord};

use super::documents::{self, DocumentRef};
use super::replay::{self, Replay};
use super::{Keeper, RecordError, cases};
use crate::store::sql::{Conn, p};

/// A case as the centre holds it.
#[derive(Debug, Clone, Serialize)]
pub struct ServerCaseDoc {
    /// The device's shape.
    #[serde(flatten)]
    pub doc: CaseDoc,
    /// The documents issued, held by hash.
    pub documents: Vec<DocumentRef>,
    /// The evidence originals the case names, and whether the centre
    /// holds each (verified).
    pub evidence_files: Vec<EvidenceFile>,
    /// The server's replay of the decision, if decided.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replay: Option<Replay>,
    /// Flagged for the legal-review body (the replay refused the decision).
    pub flagged: bool,
}

/// One evidence original of a case.
#[derive(Debug, Clone, Serialize)]
pub struct EvidenceFile {
    /// Its SHA-256.
    pub sha256: String,
    /// Its media type as the device recorded it.
    pub media_type: String,
    /// Bytes.
    pub size: i64,
    /// Whether the centre holds it, verified.
    pub held: bool,
}

fn evidence_files(c: &mut dyn Conn, case_id: &str) -> Result<Vec<EvidenceFile>, RecordError> {
    let rows = c.query(
        "SELECT e.sha256, e.media_type, e.size, CASE WHEN b.sha256 IS NULL THEN 0 ELSE 1 END
         FROM evidence e LEFT JOIN blob b ON b.sha256 = e.sha256
         WHERE e.case_id = ?1 ORDER BY e.evidence_id",
        p![case_id],
    )?;
    rows.iter()
        .map(|r| {
            Ok(EvidenceFile {
                sha256: r.get(0)?,
                media_type: r.get(1)?,
                size: r.get(2)?,
                held: r.get::<i64>(3)? == 1,
            })
        })
        .collect()
}

/// The case `case_id` with the payment standing on `on`; `None` when the
/// server holds no full record of it.
pub fn case_doc(
    c: &mut dyn Conn,
    k: &Keeper,
    case_id: &str,
    on: NaiveDate,
) -> Result<Option<ServerCaseDoc>, RecordError> {
    let Some(stored) = cases::load(c, k, case_id)? else {
        return Ok(None);
    };
    let timeline = cases::timeline(c, k, case_id)?;
    let provisional = provisional(c, case_id)?;
    let flagged = c
        .query_opt(
            "SELECT flagged FROM record_case WHERE case_id = ?1",
            p![case_id],
        )?
        .map(|r| r.get::<i64>(0))
        .transpose()?
        .unwrap_or(0)
        == 1;
    Ok(Some(ServerCaseDoc {
        doc: CaseDoc::of(stored.case, timeline, provisional, on),
        documents: documents::list(c, case_id)?,
        evidence_files: evidence_files(c, case_id)?,
        replay: replay::stored(c, case_id)?,
        flagged,
    }))
}

/// The provisional decision number of a case and its final number.
fn provisional(c: &mut dyn Conn, case_id: &str) -> Result<Option<ProvisionalRecord>, RecordError> {
    let Some(r) = c.query_opt(
        "SELECT provisional, device_seq, township, series, year, final_number, final_seq, assigned_at
         FROM provisional_number WHERE case_id = ?1 AND series = 'decision_on_the_spot'",
        p![case_id],
    )?
    else {
        return Ok(None);
    };
    let assigned: String = r.get(7)?;
    Ok(Some(ProvisionalRecord {
        provisional: r.get(0)?,
        device_seq: r.get(1)?,
        township: r.get(2)?,
        series: r.get(3)?,
        year: r.get(4)?,
        case_id: Some(case_id.to_owned()),
        issued_at: assigned.clone(),
        final_number: r.get(5)?,
        final_seq: r.get(6)?,
        assigned_at: Some(assigned),
    }))
}

/// The case `case_id` as JSON (`zhifa-server case show ID --json`), the
/// payment standing on `on`, read by `actor` (audited `case.read`);
/// `None` when the server holds no full record of it.
pub fn show(
    store: &crate::store::Db,
    case_id: &str,
    on: NaiveDate,
    actor: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Option<serde_json::Value>, crate::error::ApiError> {
    let v = store.record_write(|tx, k| {
        let doc = case_doc(tx, k, case_id, on)?;
        if doc.is_some() {
            crate::store::audit(tx, now, actor, "case.read", case_id)?;
        }
        Ok(serde_json::to_value(doc).unwrap_or(serde_json::Value::Null))
    })?;
    Ok((!v.is_null()).then_some(v))
}

/// Today in Beijing (UTC+8, no daylight saving), the day a payment
/// standing is computed for.
pub fn beijing_today(now: chrono::DateTime<chrono::Utc>) -> NaiveDate {
    (now + chrono::Duration::hours(8)).date_naive()
}
