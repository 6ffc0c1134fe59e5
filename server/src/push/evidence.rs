//! `evidence/record`: the server learns which hashes each case expects
//! (sync.md F12) before the blobs arrive through the resumable upload.

use zhifa_protocol::error::RejectCode;
use zhifa_protocol::mutation::EvidenceRecord;

use super::{Applied, AuditRow, PushError, Who};
use crate::store::sql::{Conn, p};

/// Records the evidence item (idempotent) and links it to its case when
/// the case is this device's, in its township.
pub fn apply(
    tx: &mut dyn Conn,
    who: &Who<'_>,
    evidence_id: &str,
    e: &EvidenceRecord,
    audits: &mut Vec<AuditRow>,
) -> Applied {
    let bad = |what: &str| {
        PushError::reject(
            RejectCode::InvalidPayload,
            format!("载荷缺少或错误：{what}"),
        )
    };
    if !e.sha256_is_hex() {
        return Err(bad("sha256"));
    }
    if e.size <= 0 {
        return Err(bad("size"));
    }
    tx.exec(
        "INSERT INTO evidence (evidence_id, device_id, case_id, sha256, size, media_type, record_hash, signature)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT DO NOTHING",
        p![evidence_id, who.device_id, e.case_id.as_deref(), e.sha256, e.size, e.media_type,
           e.record_hash.as_deref().unwrap_or(""), e.signature.as_deref().unwrap_or("")],
    )?;
    if let Some(case_id) = &e.case_id {
        // The device's own case in its township: a simple-procedure case or
        // a normal-procedure one (whose 调查取证 names the original by hash).
        tx.exec(
            "INSERT INTO case_evidence (case_id, sha256)
             SELECT case_id, CAST(?2 AS TEXT) FROM cases
              WHERE case_id = ?1 AND device_id = ?3 AND township = ?4
             UNION ALL
             SELECT case_id, CAST(?2 AS TEXT) FROM procedure_case
              WHERE case_id = ?1 AND device_id = ?3 AND township = ?4
             ON CONFLICT DO NOTHING",
            p![case_id, e.sha256, who.device_id, who.township],
        )?;
    }
    audits.push((who.actor(), "evidence.write", evidence_id.to_owned()));
    Ok(())
}
