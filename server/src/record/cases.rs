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
use crate::store::sql::{Conn, Val, p};

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
    // One round trip: the upsert's `WHERE` keeps a newer or equal stored
    // version (then no row comes back: nothing stored), and `RETURNING`
    // gives the digest of the decision already replayed (a column the
    // update does not set, so its stored value).
    let stored = tx.query_opt(
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
         WHERE record_case.version < excluded.version
         RETURNING replay_decision",
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
    let Some(row) = stored else {
        return Ok(false);
    };
    let replayed: Option<String> = row.get(0)?;
    super::replay::after_store(tx, k, case, replayed.as_deref(), now)?;
    Ok(true)
}

/// The columns of a timeline row, in [`EventRow::vals`] order.
pub const EVENT_INSERT: &str = "INSERT INTO record_case_event (case_id, seq, at, kind, from_status, to_status,
     mutation_id, device_id, officer_id, source, batch_id, device_seq, payload_sha256, signature, sealed, received_at)";
/// How many columns [`EVENT_INSERT`] names.
pub const EVENT_WIDTH: usize = 16;
/// A timeline row is inserted once per (case, seq) and never changed.
pub const EVENT_CONFLICT: &str = " ON CONFLICT (case_id, seq) DO NOTHING";

/// A timeline row ready to insert, its step data already sealed: a push
/// collects the rows of its batch and writes them together at its end
/// (one multi-row statement instead of a round trip per step).
#[derive(Debug, Clone)]
pub struct EventRow {
    case_id: String,
    seq: i64,
    at: String,
    kind: String,
    from: Option<&'static str>,
    to: &'static str,
    mutation_id: String,
    device_id: String,
    officer_id: String,
    source: String,
    batch_id: String,
    device_seq: i64,
    payload_sha256: String,
    signature: String,
    sealed: String,
    received_at: String,
}

impl EventRow {
    /// The row's values, in [`EVENT_INSERT`]'s column order.
    pub fn vals(&self) -> [Val<'_>; EVENT_WIDTH] {
        let t = Val::Text;
        [
            t(&self.case_id),
            Val::Int(self.seq),
            t(&self.at),
            t(&self.kind),
            self.from.map_or(Val::Null, Val::Text),
            t(self.to),
            t(&self.mutation_id),
            t(&self.device_id),
            t(&self.officer_id),
            t(&self.source),
            t(&self.batch_id),
            Val::Int(self.device_seq),
            t(&self.payload_sha256),
            t(&self.signature),
            t(&self.sealed),
            t(&self.received_at),
        ]
    }
}

/// Seals one timeline row's step data and makes the row.
pub fn event_row(
    tx: &mut dyn Conn,
    k: &Keeper,
    case_id: &str,
    e: &TimelineEntry,
    by: &Pushed<'_>,
    source: &str,
    now: DateTime<Utc>,
) -> Result<EventRow, RecordError> {
    let seq = i64::try_from(e.seq).map_err(|x| RecordError::Corrupt(x.to_string()))?;
    let json = serde_json::to_vec(&e.payload).map_err(|x| RecordError::Corrupt(x.to_string()))?;
    let sealed = k
        .seal
        .seal(tx, purpose::CASE_EVENT, &event_aad(case_id, e.seq), &json)?;
    Ok(EventRow {
        case_id: case_id.to_owned(),
        seq,
        at: e.at.clone(),
        kind: e.kind.clone(),
        from: e.from.map(CaseStatus::as_str),
        to: e.to.as_str(),
        mutation_id: e.mutation_id.to_string(),
        device_id: by.device_id.to_owned(),
        officer_id: by.officer_id.to_owned(),
        source: source.to_owned(),
        batch_id: by.batch_id.to_owned(),
        device_seq: by.device_seq,
        payload_sha256: by.payload_sha256.to_owned(),
        signature: by.signature.to_owned(),
        sealed,
        received_at: ts(now),
    })
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

/// Opens the sealed record of `case_id` at `version`: the device's JSON
/// and its typed form.
fn open_raw(
    c: &mut dyn Conn,
    k: &Keeper,
    case_id: &str,
    version: i64,
    sealed: &str,
) -> Result<(serde_json::Value, Case), RecordError> {
    let version = u64::try_from(version).map_err(|e| RecordError::Corrupt(e.to_string()))?;
    let bytes = k
        .seal
        .open(c, purpose::CASE, &record_aad(case_id, version), sealed)?;
    let raw: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(|e| RecordError::Corrupt(e.to_string()))?;
    let case: Case =
        serde_json::from_value(raw.clone()).map_err(|e| RecordError::Corrupt(e.to_string()))?;
    Ok((raw, case))
}

/// Opens the sealed record of `case_id` at `version` (a `record_case`
/// row's `sealed`), typed.
pub fn open_record(
    c: &mut dyn Conn,
    k: &Keeper,
    case_id: &str,
    version: i64,
    sealed: &str,
) -> Result<Case, RecordError> {
    Ok(open_raw(c, k, case_id, version, sealed)?.1)
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
    let (raw, case) = open_raw(c, k, case_id, r.get(0)?, &r.get::<String>(1)?)?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Db;

    /// A case record at `version` as the device serializes it (the party
    /// and facts from version 2 on).
    fn case_at(version: u64, facts: &str) -> (Case, serde_json::Value) {
        let mut raw = serde_json::json!({
            "id": "018e0a3c-5a00-7000-8000-0000000000aa",
            "township": "500112108", "matter_code": "CG-001", "release_id": "cq-2026.03",
            "status": "draft", "version": version,
            "officers": [
                {"id": "OFF-LX-01", "name": "张伟", "credential_no": "50011200001"},
                {"id": "OFF-LX-02", "name": "李娜", "credential_no": "50011200002"}
            ],
            "violation_time": "2026-03-03T09:50:00",
            "party": null, "facts": null, "place": null, "evidence": [], "evidence_summary": null,
            "rights": null, "statement": null, "decision": null, "issue": null, "service": null,
            "payment": null, "correction": null, "no_penalty": null, "filed": null, "closed": null,
            "created_at": "2026-03-03T02:00:00.000Z", "updated_at": "2026-03-03T02:00:00.000Z"
        });
        if version >= 2 {
            raw["status"] = "party_and_facts".into();
            raw["party"] = serde_json::json!({
                "kind": "individual", "name": "周小川", "id_number": "500112198506120035",
                "phone": "13800001234", "address": "重庆市渝北区龙兴镇示例路1号", "representative": null
            });
            raw["facts"] = facts.into();
            raw["place"] = "龙兴镇示例路12号".into();
        }
        (serde_json::from_value(raw.clone()).unwrap(), raw)
    }

    fn stored_facts(db: &Db, id: &str) -> (u64, Option<String>) {
        db.record_write(|c, k| {
            let s = load(c, k, id)?.unwrap();
            Ok((s.case.version, s.case.facts))
        })
        .unwrap()
    }

    #[test]
    fn only_a_newer_version_replaces_the_stored_record() {
        let db = Db::in_memory().unwrap();
        let now = Utc::now();
        let put = |v: u64, facts: &str| {
            let (case, raw) = case_at(v, facts);
            db.record_write(|c, k| Ok(store(c, k, &case, &raw, "dev-1", now)?))
                .unwrap()
        };
        let id = "018e0a3c-5a00-7000-8000-0000000000aa";
        assert!(put(2, "第二版"), "a first record is stored");
        assert_eq!(stored_facts(&db, id), (2, Some("第二版".into())));
        assert!(!put(1, ""), "an older version is not stored");
        assert!(
            !put(2, "重复的第二版"),
            "the same version is not stored again"
        );
        assert_eq!(stored_facts(&db, id), (2, Some("第二版".into())));
        assert!(put(3, "第三版"), "a newer version is stored");
        assert_eq!(stored_facts(&db, id), (3, Some("第三版".into())));
    }

    #[test]
    fn a_timeline_row_is_kept_once_per_step_the_first_one() {
        let db = Db::in_memory().unwrap();
        let now = Utc::now();
        let case_id = "018e0a3c-5a00-7000-8000-0000000000aa";
        let entry = |kind: &str| TimelineEntry {
            seq: 2,
            at: "2026-03-03T02:01:00.000Z".into(),
            kind: kind.into(),
            from: Some(CaseStatus::Draft),
            to: CaseStatus::PartyAndFacts,
            mutation_id: uuid::Uuid::now_v7(),
            payload: serde_json::json!({"event": kind}),
        };
        let by = Pushed {
            device_id: "dev-1",
            officer_id: "OFF-LX-01",
            batch_id: "b-1",
            signature: "00",
            device_seq: 2,
            payload_sha256: "ab",
        };
        let marks: Vec<String> = (1..=EVENT_WIDTH).map(|i| format!("?{i}")).collect();
        let insert = format!(
            "{EVENT_INSERT} VALUES ({}){EVENT_CONFLICT}",
            marks.join(", ")
        );
        for kind in ["first", "second"] {
            db.record_write(|c, k| {
                let row = event_row(c, k, case_id, &entry(kind), &by, "push", now)?;
                c.exec(&insert, &row.vals())?;
                Ok(())
            })
            .unwrap();
        }
        let kept = db
            .record_write(|c, k| Ok(timeline(c, k, case_id)?))
            .unwrap();
        assert_eq!(kept.len(), 1);
        assert_eq!(kept[0].kind, "first");
        assert_eq!(kept[0].payload, serde_json::json!({"event": "first"}));
    }
}
