//! The full case on the server: the latest record by version and the
//! timeline, one row per step (issue 15 item 2).
//!
//! A record is stored only when its version is above the stored one (an
//! older or equal version — a late duplicate, a snapshot of a case whose
//! steps already arrived — changes nothing), in one statement whose
//! `WHERE` re-checks the version, so two concurrent pushes cannot regress
//! it. The record JSON is kept exactly as the device sent it, sealed with
//! AAD `case:{id}:v{version}`; a timeline row's step data is sealed with
//! AAD `case:{id}:event:{seq}`. Timeline rows are inserted once per
//! (case, seq) and never changed.

use chrono::{DateTime, Utc};
use zhifa_core::case::{Case, CaseStatus, TimelineEntry};

use super::{Keeper, RecordError, district_of, purpose, ts};
use crate::store::sql::{Conn, p};

/// Who pushed a record and how: the device, its officer, and for a
/// pushed step the batch that carried it with the device's signature over
/// the batch (docs/PROTOCOL.md, push signature).
#[derive(Debug, Clone, Copy)]
pub struct Pushed<'a> {
    /// The device.
    pub device_id: &'a str,
    /// Its officer now.
    pub officer_id: &'a str,
    /// The push batch.
    pub batch_id: &'a str,
    /// The device's Ed25519 signature over the batch (hex).
    pub signature: &'a str,
    /// The mutation's seq in the device outbox.
    pub device_seq: i64,
    /// The mutation's payload hash, signed through the batch.
    pub payload_sha256: &'a str,
}

/// The AAD of a case record.
pub fn record_aad(case_id: &str, version: u64) -> Vec<u8> {
    format!("case:{case_id}:v{version}").into_bytes()
}

/// The AAD of a timeline row's step data.
pub fn event_aad(case_id: &str, seq: u64) -> Vec<u8> {
    format!("case:{case_id}:event:{seq}").into_bytes()
}

/// Stores `raw` (the device's JSON of `case`) unless the stored version is
/// newer or the same; then replays the decision if it changed
/// ([`super::replay::after_store`]). Returns whether it was stored.
pub fn store(
    tx: &mut dyn Conn,
    k: &Keeper,
    case: &Case,
    raw: &serde_json::Value,
    device_id: &str,
    now: DateTime<Utc>,
) -> Result<bool, RecordError> {
    let id = case.id.to_string();
    let version = i64::try_from(case.version).map_err(|e| RecordError::Corrupt(e.to_string()))?;
    if let Some(r) = tx.query_opt("SELECT version FROM record_case WHERE case_id = ?1", p![id])?
        && r.get::<i64>(0)? >= version
    {
        return Ok(false);
    }
    let json = serde_json::to_vec(raw).map_err(|e| RecordError::Corrupt(e.to_string()))?;
    let sealed = k
        .seal
        .seal(tx, purpose::CASE, &record_aad(&id, case.version), &json)?;
    let (party_kind, party_masked, party_index) = match &case.party {
        Some(p) => (
            serde_json::to_value(p.kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned)),
            Some(zhifa_core::case::mask_text(&p.name)),
            if p.id_number.trim().is_empty() {
                None
            } else {
                Some(k.seal.blind_index(tx, p.id_number.trim())?)
            },
        ),
        None => (None, None, None),
    };
    let decided_on = case
        .decision
        .as_ref()
        .map(|d| d.decided_at.date().to_string());
    let amount = case.decision.as_ref().and_then(|d| d.penalty.amount_fen);
    let at = ts(now);
    tx.exec(
        "INSERT INTO record_case (case_id, device_id, version, township, district, matter_code, release_id,
             status, procedure, officer_a, officer_b, violation_date, decided_on, amount_fen, party_kind,
             party_masked, party_index, sealed, updated_at, received_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'simple', ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?18)
         ON CONFLICT (case_id) DO UPDATE SET version = excluded.version, township = excluded.township,
             district = excluded.district, matter_code = excluded.matter_code, release_id = excluded.release_id,
             status = excluded.status, officer_a = excluded.officer_a, officer_b = excluded.officer_b,
             violation_date = excluded.violation_date, decided_on = excluded.decided_on,
             amount_fen = excluded.amount_fen, party_kind = excluded.party_kind,
             party_masked = excluded.party_masked, party_index = excluded.party_index,
             sealed = excluded.sealed, updated_at = excluded.updated_at
         WHERE record_case.version < excluded.version",
        p![
            id,
            device_id,
            version,
            case.township,
            district_of(&case.township),
            case.matter_code,
            case.release_id,
            case.status.as_str(),
            case.officers[0].id,
            case.officers[1].id,
            case.violation_time.date().to_string(),
            decided_on,
            amount.as_ref(),
            party_kind,
            party_masked,
            party_index,
            sealed,
            at
        ],
    )?;
    super::replay::after_store(tx, k, case, now)?;
    Ok(true)
}

/// Stores one timeline row unless the case has one at that seq already.
pub fn store_event(
    tx: &mut dyn Conn,
    k: &Keeper,
    case_id: &str,
    e: &TimelineEntry,
    by: &Pushed<'_>,
    source: &str,
    now: DateTime<Utc>,
) -> Result<(), RecordError> {
    let seq = i64::try_from(e.seq).map_err(|x| RecordError::Corrupt(x.to_string()))?;
    if tx.exists(
        "SELECT 1 FROM record_case_event WHERE case_id = ?1 AND seq = ?2",
        p![case_id, seq],
    )? {
        return Ok(());
    }
    let json = serde_json::to_vec(&e.payload).map_err(|x| RecordError::Corrupt(x.to_string()))?;
    let sealed = k
        .seal
        .seal(tx, purpose::CASE_EVENT, &event_aad(case_id, e.seq), &json)?;
    tx.exec(
        "INSERT INTO record_case_event (case_id, seq, at, kind, from_status, to_status, mutation_id, device_id,
             officer_id, source, batch_id, device_seq, payload_sha256, signature, sealed, received_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)
         ON CONFLICT (case_id, seq) DO NOTHING",
        p![
            case_id,
            seq,
            e.at,
            e.kind,
            e.from.map(CaseStatus::as_str),
            e.to.as_str(),
            e.mutation_id.to_string(),
            by.device_id,
            by.officer_id,
            source,
            by.batch_id,
            by.device_seq,
            by.payload_sha256,
            by.signature,
            sealed,
            ts(now)
        ],
    )?;
    Ok(())
}

/// A stored case record: the device's JSON, opened, and its typed form.
#[derive(Debug, Clone)]
pub struct Stored {
    /// The JSON as the device sent it.
    pub raw: serde_json::Value,
    /// Typed.
    pub case: Case,
    /// The device that holds it.
    pub device_id: String,
}

/// The latest record of a case, opened; `None` when the server holds no
/// full record of it.
pub fn load(c: &mut dyn Conn, k: &Keeper, case_id: &str) -> Result<Option<Stored>, RecordError> {
    let Some(r) = c.query_opt(
        "SELECT version, sealed, device_id FROM record_case WHERE case_id = ?1",
        p![case_id],
    )?
    else {
        return Ok(None);
    };
    let version: i64 = r.get(0)?;
    let sealed: String = r.get(1)?;
    let version = u64::try_from(version).map_err(|e| RecordError::Corrupt(e.to_string()))?;
    let bytes = k
        .seal
        .open(c, purpose::CASE, &record_aad(case_id, version), &sealed)?;
    let raw: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(|e| RecordError::Corrupt(e.to_string()))?;
    let case: Case =
        serde_json::from_value(raw.clone()).map_err(|e| RecordError::Corrupt(e.to_string()))?;
    Ok(Some(Stored {
        raw,
        case,
        device_id: r.get(2)?,
    }))
}

/// The case's timeline, oldest first, step data opened.
pub fn timeline(
    c: &mut dyn Conn,
    k: &Keeper,
    case_id: &str,
) -> Result<Vec<TimelineEntry>, RecordError> {
    let rows = c.query(
        "SELECT seq, at, kind, from_status, to_status, mutation_id, sealed FROM record_case_event
         WHERE case_id = ?1 ORDER BY seq",
        p![case_id],
    )?;
    let status =
        |s: &str| CaseStatus::parse(s).ok_or_else(|| RecordError::Corrupt(format!("status {s}")));
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let seq =
            u64::try_from(r.get::<i64>(0)?).map_err(|e| RecordError::Corrupt(e.to_string()))?;
        let from: Option<String> = r.get(3)?;
        let to: String = r.get(4)?;
        let mutation: String = r.get(5)?;
        let sealed: String = r.get(6)?;
        let bytes = k
            .seal
            .open(c, purpose::CASE_EVENT, &event_aad(case_id, seq), &sealed)?;
        out.push(TimelineEntry {
            seq,
            at: r.get(1)?,
            kind: r.get(2)?,
            from: from.as_deref().map(status).transpose()?,
            to: status(&to)?,
            mutation_id: mutation
                .parse()
                .map_err(|e: uuid::Error| RecordError::Corrupt(e.to_string()))?,
            payload: serde_json::from_slice(&bytes)
                .map_err(|e| RecordError::Corrupt(e.to_string()))?,
        });
    }
    Ok(out)
}
