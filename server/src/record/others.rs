//! The full content of joint inspections and tasks on the server (issue 15
//! item 2): the latest record of each as its device holds it — items,
//! findings, orders, referrals, the record made at finish; a task's
//! acceptance and report — sealed like a case's, beside the per-step
//! tables of `crate::inspection` (which the departments' views read).
//!
//! An inspection record replaces the stored one only at a higher version;
//! a task record only at a later stage (assigned → accepted → done).

use chrono::{DateTime, Utc};
use zhifa_core::inspection::task::{Task, TaskStatus};
use zhifa_core::inspection::{Inspection, Verdict};

use super::{Keeper, RecordError, district_of, purpose, ts};
use crate::store::sql::{Conn, p};

/// The AAD of an inspection record.
pub fn inspection_aad(id: &str, version: u64) -> Vec<u8> {
    format!("inspection:{id}:v{version}").into_bytes()
}

/// The AAD of a task record.
pub fn task_aad(id: &str, rank: i64) -> Vec<u8> {
    format!("task:{id}:r{rank}").into_bytes()
}

fn rank(s: TaskStatus) -> i64 {
    match s {
        TaskStatus::Assigned => 0,
        TaskStatus::Accepted => 1,
        TaskStatus::Done => 2,
    }
}

/// Stores an inspection record unless a newer or equal version is held.
pub fn store_inspection(
    tx: &mut dyn Conn,
    k: &Keeper,
    i: &Inspection,
    raw: &serde_json::Value,
    device_id: &str,
    now: DateTime<Utc>,
) -> Result<bool, RecordError> {
    let id = i.id.to_string();
    let version = i64::try_from(i.version).map_err(|e| RecordError::Corrupt(e.to_string()))?;
    if let Some(r) = tx.query_opt(
        "SELECT version FROM record_inspection WHERE inspection_id = ?1",
        p![id],
    )? && r.get::<i64>(0)? >= version
    {
        return Ok(false);
    }
    let json = serde_json::to_vec(raw).map_err(|e| RecordError::Corrupt(e.to_string()))?;
    let sealed = k.seal.seal(
        tx,
        purpose::INSPECTION,
        &inspection_aad(&id, i.version),
        &json,
    )?;
    let index = if i.party.id_number.trim().is_empty() {
        None
    } else {
        Some(k.seal.blind_index(tx, i.party.id_number.trim())?)
    };
    let kind = serde_json::to_value(i.party.kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned));
    let status = if i.finish.is_some() {
        "finished"
    } else {
        "open"
    };
    let failed = i
        .findings
        .iter()
        .filter(|f| {
            f.result
                .as_ref()
                .is_some_and(|r| r.verdict == Verdict::Fail)
        })
        .count();
    tx.exec(
        "INSERT INTO record_inspection (inspection_id, device_id, version, township, district, release_id, status,
             officer_a, officer_b, started_on, items, failed, party_kind, party_masked, party_index, sealed,
             updated_at, received_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?17)
         ON CONFLICT (inspection_id) DO UPDATE SET version = excluded.version, status = excluded.status,
             items = excluded.items, failed = excluded.failed, party_kind = excluded.party_kind,
             party_masked = excluded.party_masked, party_index = excluded.party_index,
             sealed = excluded.sealed, updated_at = excluded.updated_at
         WHERE record_inspection.version < excluded.version",
        p![
            id,
            device_id,
            version,
            i.township,
            district_of(&i.township),
            i.release_id,
            status,
            i.officers[0].id,
            i.officers[1].id,
            i.started_at.date().to_string(),
            i64::try_from(i.findings.len()).unwrap_or(i64::MAX),
            i64::try_from(failed).unwrap_or(i64::MAX),
            kind,
            zhifa_core::case::mask_text(&i.party.name),
            index,
            sealed,
            ts(now)
        ],
    )?;
    Ok(true)
}

/// Stores a task record unless one at the same or a later stage is held.
pub fn store_task(
    tx: &mut dyn Conn,
    k: &Keeper,
    t: &Task,
    raw: &serde_json::Value,
    device_id: &str,
    now: DateTime<Utc>,
) -> Result<bool, RecordError> {
    let id = t.id.to_string();
    let r = rank(t.status);
    if let Some(row) = tx.query_opt("SELECT rank FROM record_task WHERE task_id = ?1", p![id])?
        && row.get::<i64>(0)? >= r
    {
        return Ok(false);
    }
    let json = serde_json::to_vec(raw).map_err(|e| RecordError::Corrupt(e.to_string()))?;
    let sealed = k.seal.seal(tx, purpose::TASK, &task_aad(&id, r), &json)?;
    let kind = serde_json::to_value(t.kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    let status = serde_json::to_value(t.status)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    tx.exec(
        "INSERT INTO record_task (task_id, device_id, township, district, kind, status, rank, sealed, updated_at,
             received_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)
         ON CONFLICT (task_id) DO UPDATE SET status = excluded.status, rank = excluded.rank,
             sealed = excluded.sealed, updated_at = excluded.updated_at
         WHERE record_task.rank < excluded.rank",
        p![
            id,
            device_id,
            t.township,
            district_of(&t.township),
            kind,
            status,
            r,
            sealed,
            ts(now)
        ],
    )?;
    Ok(true)
}

/// The latest inspection record, opened.
pub fn load_inspection(
    c: &mut dyn Conn,
    k: &Keeper,
    id: &str,
) -> Result<Option<serde_json::Value>, RecordError> {
    let Some(r) = c.query_opt(
        "SELECT version, sealed FROM record_inspection WHERE inspection_id = ?1",
        p![id],
    )?
    else {
        return Ok(None);
    };
    let v = u64::try_from(r.get::<i64>(0)?).map_err(|e| RecordError::Corrupt(e.to_string()))?;
    let bytes = k.seal.open(
        c,
        purpose::INSPECTION,
        &inspection_aad(id, v),
        &r.get::<String>(1)?,
    )?;
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|e| RecordError::Corrupt(e.to_string()))
}

/// The latest task record, opened.
pub fn load_task(
    c: &mut dyn Conn,
    k: &Keeper,
    id: &str,
) -> Result<Option<serde_json::Value>, RecordError> {
    let Some(r) = c.query_opt(
        "SELECT rank, sealed FROM record_task WHERE task_id = ?1",
        p![id],
    )?
    else {
        return Ok(None);
    };
    let bytes = k.seal.open(
        c,
        purpose::TASK,
        &task_aad(id, r.get(0)?),
        &r.get::<String>(1)?,
    )?;
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|e| RecordError::Corrupt(e.to_string()))
}
