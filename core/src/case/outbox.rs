//! The sync outbox: one record per accepted mutation of the device store.
//!
//! Every case transition, lease grant and number void appends exactly one
//! record in the same transaction as the change itself, so the outbox can
//! never disagree with the data (the transactional-outbox pattern; see
//! docs on sync). Records are numbered 1, 2, 3 … per device without gaps:
//! the next `seq` is read and written under the IMMEDIATE transaction's
//! write lock, and `(device_id, seq)` is the primary key. The sync engine
//! pushes pending records in `seq` order and marks them pushed.

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::CaseError;
use crate::store::Store;

/// What to append.
#[derive(Debug, Clone)]
pub(crate) struct OutboxEntry {
    pub(crate) entity: &'static str,
    pub(crate) entity_id: String,
    pub(crate) op: &'static str,
    pub(crate) payload: serde_json::Value,
}

/// One outbox record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboxRecord {
    /// The device that made the change.
    pub device_id: String,
    /// 1, 2, 3 … per device, without gaps.
    pub seq: i64,
    /// Unique id of the mutation (UUIDv7), for idempotent push.
    pub mutation_id: Uuid,
    /// `case`, `number_lease`, `issued_number`, `township_config`.
    pub entity: String,
    /// The entity's id.
    pub entity_id: String,
    /// The operation, e.g. `create`, `advance`, `grant`, `void`.
    pub op: String,
    /// The mutation's data.
    pub payload: serde_json::Value,
    /// When it was made (RFC 3339).
    pub created_at: String,
    /// When the server acknowledged it.
    pub pushed_at: Option<String>,
}

/// The device id the outbox is keyed by; the device must exist.
pub(crate) fn device_id(conn: &Connection) -> Result<String, CaseError> {
    conn.query_row("SELECT id FROM device WHERE singleton = 1", [], |r| {
        r.get(0)
    })
    .optional()?
    .ok_or(CaseError::NoDevice)
}

/// Appends one record on the caller's transaction and returns its seq.
pub(crate) fn append(
    conn: &Connection,
    entry: &OutboxEntry,
    now: DateTime<Utc>,
    mutation_id: Uuid,
) -> Result<i64, CaseError> {
    let device = device_id(conn)?;
    let seq: i64 = conn.query_row(
        "SELECT coalesce(max(seq), 0) + 1 FROM outbox WHERE device_id = ?1",
        [&device],
        |r| r.get(0),
    )?;
    conn.execute(
        "INSERT INTO outbox (device_id, seq, mutation_id, entity, entity_id, op, payload, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            device,
            seq,
            mutation_id.to_string(),
            entry.entity,
            entry.entity_id,
            entry.op,
            entry.payload.to_string(),
            now.to_rfc3339_opts(SecondsFormat::Millis, true)
        ],
    )?;
    Ok(seq)
}

fn record_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(OutboxRecord, String, String)> {
    Ok((
        OutboxRecord {
            device_id: r.get(0)?,
            seq: r.get(1)?,
            mutation_id: Uuid::nil(),
            entity: r.get(3)?,
            entity_id: r.get(4)?,
            op: r.get(5)?,
            payload: serde_json::Value::Null,
            created_at: r.get(7)?,
            pushed_at: r.get(8)?,
        },
        r.get(2)?,
        r.get(6)?,
    ))
}

/// The records not yet pushed, in seq order.
pub fn outbox_pending(store: &Store) -> Result<Vec<OutboxRecord>, CaseError> {
    let mut st = store.conn().prepare(
        "SELECT device_id, seq, mutation_id, entity, entity_id, op, payload, created_at, pushed_at
         FROM outbox WHERE pushed_at IS NULL ORDER BY device_id, seq",
    )?;
    let rows = st.query_map([], record_row)?;
    let mut out = Vec::new();
    for row in rows {
        let (mut rec, mutation, payload) = row?;
        rec.mutation_id = Uuid::parse_str(&mutation)
            .map_err(|e| CaseError::Corrupt(format!("outbox mutation id: {e}")))?;
        rec.payload = serde_json::from_str(&payload)
            .map_err(|e| CaseError::Corrupt(format!("outbox payload: {e}")))?;
        out.push(rec);
    }
    Ok(out)
}

/// Marks every record up to `seq` of this device as pushed (the server
/// acknowledged them). Returns how many were marked.
pub fn mark_pushed(store: &Store, up_to_seq: i64, now: DateTime<Utc>) -> Result<usize, CaseError> {
    let device = device_id(store.conn())?;
    Ok(store.conn().execute(
        "UPDATE outbox SET pushed_at = ?3 WHERE device_id = ?1 AND seq <= ?2 AND pushed_at IS NULL",
        params![
            device,
            up_to_seq,
            now.to_rfc3339_opts(SecondsFormat::Millis, true)
        ],
    )?)
}

/// Outbox counts per entity (stream): `(entity, pending, pushed)`, by entity.
pub fn outbox_counts(store: &Store) -> Result<Vec<(String, u64, u64)>, CaseError> {
    let mut st = store.conn().prepare(
        "SELECT entity, SUM(pushed_at IS NULL), SUM(pushed_at IS NOT NULL)
         FROM outbox GROUP BY entity ORDER BY entity",
    )?;
    let rows = st.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            u64::try_from(r.get::<_, i64>(1)?).unwrap_or(0),
            u64::try_from(r.get::<_, i64>(2)?).unwrap_or(0),
        ))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
