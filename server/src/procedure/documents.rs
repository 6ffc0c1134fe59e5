//! The documents the centre issues for a normal-procedure case: the
//! 行政处罚决定书 (行政处罚法 Art. 59), numbered from the township's
//! normal-procedure series and sealed on the server only — the server's
//! Ed25519 key (the badge authority's, published at `/v1/badge/key`)
//! signs the document hash, and the signature is the decision step's
//! `signature` — and the archived 卷宗. Each is stored in the evidence
//! store by SHA-256 and linked to the case (`record_document`, device
//! `server`), so `GET /v1/console/records/cases/{id}/files/{sha256}`
//! serves it like any file of a case.

use chrono::{DateTime, Datelike, Utc};

use crate::record::{Keeper, ts};
use crate::store::sql::{Conn, p};

use super::routes::CaseDocument;
use super::{CaseError, CaseRow, details_of};

/// The decision number of `row`'s case: the one already reserved for it,
/// or the next of its township's series for the year of `now` (Beijing).
/// The format `{镇街代字}罚决字〔{year}〕第{seq}号` follows the model
/// documents the research cites (§1.5); the series is the server's alone,
/// so two decisions never share a number.
pub fn decision_number(
    c: &mut dyn Conn,
    k: &Keeper,
    row: &CaseRow,
    now: DateTime<Utc>,
) -> Result<String, CaseError> {
    if let Some(r) = c.query_opt(
        "SELECT number FROM procedure_number WHERE case_id = ?1",
        p![row.case_id],
    )? {
        return Ok(r.get(0)?);
    }
    let short = details_of(c, k, &row.case_id)?
        .map(|d| d.authority.short_name)
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| CaseError::Invalid("案件缺少执法机关代字，无法编号".into()))?;
    let year = i64::from(zhifa_core::procedure::beijing_date(now).year());
    let seq: i64 = c
        .query_one(
            "SELECT coalesce(max(seq), 0) + 1 FROM procedure_number WHERE township = ?1 AND year = ?2",
            p![row.township, year],
        )?
        .get(0)?;
    let number = format!("{short}罚决字〔{year}〕第{seq}号");
    c.exec(
        "INSERT INTO procedure_number (township, year, seq, case_id, number, at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        p![row.township, year, seq, row.case_id, number, ts(now)],
    )?;
    Ok(number)
}

/// The documents of a case the centre issued.
pub fn list(c: &mut dyn Conn, case_id: &str) -> Result<Vec<CaseDocument>, CaseError> {
    let rows = c.query(
        "SELECT kind, title, number, sha256, size FROM record_document
         WHERE case_id = ?1 AND device_id = 'server' ORDER BY received_at, kind",
        p![case_id],
    )?;
    rows.into_iter()
        .map(|r| {
            Ok(CaseDocument {
                kind: r.get(0)?,
                title: r.get(1)?,
                number: r.get(2)?,
                sha256: r.get(3)?,
                size: r.get(4)?,
            })
        })
        .collect()
}
