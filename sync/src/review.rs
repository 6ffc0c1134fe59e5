//! The officer's view of what sync did with each record: the per-record
//! status of the outbox (pending, applied, duplicate, rejected with its
//! code), the conflicts — mutations the server rejected, and lease grants
//! the device could not apply (`sync_lease_conflict`, keyed by the
//! server's lease id since they have no outbox record) — and their
//! resolution. A rejected record is never dropped (sync.md §6.1 p4): its
//! outbox row and result stay, and resolving a conflict only records the
//! officer's decision beside it:
//!
//! - [`Resolution::Acknowledge`]: keep it as rejected, with the officer's
//!   note (the server already holds the rejection in its own conflict
//!   list for the supervisor).
//! - [`Resolution::Retry`]: send the same mutation again as a new outbox
//!   record (new seq and mutation id, so the server's ledger does not
//!   answer with the old rejection), for the codes where the cause can go
//!   away on the server's side ([`retryable`]). Its result is tracked like
//!   any other record; a second rejection is a new conflict.
//!
//! Reads and writes only the device store's sync tables and the outbox, in
//! one IMMEDIATE transaction per change.

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{OptionalExtension, TransactionBehavior, params};
use serde::Serialize;
use zhifa_core::ErrorCode;
use zhifa_core::store::Store;

use crate::error::reject;

/// A failed review action.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReviewError {
    /// No conflict for this outbox seq.
    #[error("没有第 {0} 号记录的同步冲突")]
    NotFound(i64),
    /// The conflict was already resolved.
    #[error("第 {0} 号记录的冲突已处理")]
    AlreadyResolved(i64),
    /// Retrying cannot help for this rejection.
    #[error("拒绝原因“{0}”不会因重新提交而改变，只能确认并说明")]
    NotRetryable(String),
    /// No refused lease grant with this server lease id.
    #[error("没有号段 {0} 的同步冲突")]
    LeaseNotFound(String),
    /// The refused lease grant was already acknowledged.
    #[error("号段 {0} 的冲突已处理")]
    LeaseAlreadyResolved(String),
    /// A refused lease grant can only be acknowledged (the engine already
    /// asked the server for a fresh range under the next request id).
    #[error("号段冲突无需重新提交（同步时已自动重新申领），只能确认并说明")]
    LeaseNotRetryable,
    /// An acknowledgement needs the officer's note.
    #[error("请填写处理说明")]
    NoteRequired,
    /// The device store failed.
    #[error("设备存储错误：{0}")]
    Store(String),
}

impl ErrorCode for ReviewError {
    fn code(&self) -> &'static str {
        match self {
            Self::NotFound(_) | Self::LeaseNotFound(_) => "SYNC_CONFLICT_NOT_FOUND",
            Self::AlreadyResolved(_) | Self::LeaseAlreadyResolved(_) => "SYNC_CONFLICT_RESOLVED",
            Self::NotRetryable(_) | Self::LeaseNotRetryable => "SYNC_CONFLICT_NOT_RETRYABLE",
            Self::NoteRequired => "SYNC_CONFLICT_NOTE_REQUIRED",
            Self::Store(_) => "SYNC_STORE",
        }
    }
}

impl From<rusqlite::Error> for ReviewError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Store(e.to_string())
    }
}

/// One outbox record and what the server said of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordStatus {
    /// Outbox seq.
    pub seq: i64,
    /// `case`, `evidence`, `number_lease`, `issued_number`, `township_config`.
    pub entity: String,
    /// The entity's id.
    pub entity_id: String,
    /// The operation (`create`, `advance`, `grant`, `issue`, …).
    pub op: String,
    /// When it was made on the device.
    pub created_at: String,
    /// When the server acknowledged it.
    pub pushed_at: Option<String>,
    /// `pending`, `applied`, `duplicate` or `rejected`.
    pub status: String,
    /// The rejection's stable code.
    pub code: Option<String>,
    /// The server's message.
    pub message: Option<String>,
}

/// Records per status.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct StatusCounts {
    /// Not yet acknowledged by the server.
    pub pending: u64,
    /// Applied by the server.
    pub applied: u64,
    /// Already held by the server (a retried push).
    pub duplicate: u64,
    /// Rejected.
    pub rejected: u64,
}

/// A rejected mutation, or a refused lease grant, with the officer's
/// resolution, if any.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConflictRecord {
    /// Outbox seq of the rejected record; 0 for a refused lease grant.
    pub seq: i64,
    /// The server's lease id of a refused lease grant (resolve it with
    /// [`resolve_lease`]); `None` for a rejected mutation.
    pub lease_id: Option<String>,
    /// Entity.
    pub entity: String,
    /// Entity id.
    pub entity_id: String,
    /// Operation.
    pub op: String,
    /// The rejection's stable code.
    pub code: String,
    /// The server's message.
    pub message: String,
    /// When the rejection arrived.
    pub at: String,
    /// When the officer resolved it.
    pub resolved_at: Option<String>,
    /// `acknowledged` or `retried`.
    pub resolution: Option<String>,
    /// The officer's note.
    pub note: Option<String>,
    /// The new record a retry queued.
    pub retry_seq: Option<i64>,
    /// Whether a retry can help ([`retryable`]).
    pub retryable: bool,
}

/// What the officer decides for a conflict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    /// Keep as rejected, with a note (required).
    Acknowledge {
        /// Why, in the officer's words.
        note: String,
    },
    /// Send again as a new record.
    Retry {
        /// Optional note.
        note: Option<String>,
    },
}

/// Whether the cause of a rejection with this code can go away on the
/// server's side, so sending the mutation again can succeed: the record it
/// refers to had not arrived yet (evidence, case), or the server's grant
/// or assignment can be corrected by its operator (lease, number, township).
/// Not for clones (`seq_reuse`), malformed or unsupported mutations, other
/// devices' cases, or version and number clashes, which a resend repeats.
pub fn retryable(code: &str) -> bool {
    matches!(
        code,
        reject::UNKNOWN_EVIDENCE
            | reject::UNKNOWN_CASE
            | reject::JURISDICTION
            | reject::NUMBER_OUTSIDE_LEASE
            | reject::LEASE_NOT_GRANTED
    )
}

fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// The status of an outbox row `o` joined with its result `r`.
const STATUS_SQL: &str = "CASE WHEN r.status IS NOT NULL THEN r.status
         WHEN o.pushed_at IS NULL THEN 'pending' ELSE 'applied' END";

/// The newest `limit` records, newest first; with `status`, only those.
pub fn records(
    store: &Store,
    status: Option<&str>,
    limit: u32,
) -> Result<Vec<RecordStatus>, ReviewError> {
    let sql = format!(
        "SELECT o.seq, o.entity, o.entity_id, o.op, o.created_at, o.pushed_at, {STATUS_SQL} AS status,
                r.code, r.message
         FROM outbox o
         LEFT JOIN sync_result r ON r.device_id = o.device_id AND r.seq = o.seq
         WHERE ?1 IS NULL OR {STATUS_SQL} = ?1
         ORDER BY o.seq DESC LIMIT ?2"
    );
    let mut st = store.conn().prepare(&sql)?;
    let rows = st.query_map(params![status, limit.clamp(1, 10_000)], |r| {
        Ok(RecordStatus {
            seq: r.get(0)?,
            entity: r.get(1)?,
            entity_id: r.get(2)?,
            op: r.get(3)?,
            created_at: r.get(4)?,
            pushed_at: r.get(5)?,
            status: r.get(6)?,
            code: r.get(7)?,
            message: r.get(8)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// How many records are in each status.
pub fn counts(store: &Store) -> Result<StatusCounts, ReviewError> {
    let mut c = StatusCounts::default();
    let mut st = store.conn().prepare(&format!(
        "SELECT status, count(*) FROM (SELECT {STATUS_SQL} AS status
         FROM outbox o LEFT JOIN sync_result r ON r.device_id = o.device_id AND r.seq = o.seq)
         GROUP BY status"
    ))?;
    let rows = st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
    for row in rows {
        let (s, n) = row?;
        let n = u64::try_from(n).unwrap_or(0);
        match s.as_str() {
            "pending" => c.pending = n,
            "applied" => c.applied = n,
            "duplicate" => c.duplicate = n,
            _ => c.rejected += n,
        }
    }
    Ok(c)
}

/// Every conflict, unresolved first; rejected mutations by seq, then
/// refused lease grants in the order they arrived.
pub fn conflicts(store: &Store) -> Result<Vec<ConflictRecord>, ReviewError> {
    let mut st = store.conn().prepare(
        "SELECT seq, lease_id, entity, entity_id, op, code, message, at, resolved_at, resolution, note, retry_seq
         FROM (
             SELECT 0 AS k, c.seq, NULL AS lease_id, c.entity, c.entity_id, coalesce(o.op, '') AS op,
                    c.code, c.message, c.at, c.resolved_at, c.resolution, c.note, c.retry_seq
             FROM sync_conflict c
             LEFT JOIN outbox o ON o.device_id = c.device_id AND o.seq = c.seq
             UNION ALL
             SELECT 1, 0, l.lease_id, 'number_lease', l.lease_id, 'grant', l.code,
                    l.message || '（号段 ' || l.series || ' ' || l.year || ' 年 ' || l.start_no || '–' || l.end_no || '）',
                    l.at, l.resolved_at, l.resolution, l.note, NULL
             FROM sync_lease_conflict l)
         ORDER BY resolved_at IS NOT NULL, k, seq, at, entity_id",
    )?;
    let rows = st.query_map([], |r| {
        let code: String = r.get(5)?;
        let lease_id: Option<String> = r.get(1)?;
        Ok(ConflictRecord {
            seq: r.get(0)?,
            retryable: lease_id.is_none() && retryable(&code),
            lease_id,
            entity: r.get(2)?,
            entity_id: r.get(3)?,
            op: r.get(4)?,
            code,
            message: r.get(6)?,
            at: r.get(7)?,
            resolved_at: r.get(8)?,
            resolution: r.get(9)?,
            note: r.get(10)?,
            retry_seq: r.get(11)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Records the officer's resolution of a refused lease grant (server lease
/// id `lease_id`): only an acknowledgement with a note, since the engine
/// already asked for a fresh range. The row stays, marked resolved.
pub fn resolve_lease(
    store: &mut Store,
    lease_id: &str,
    resolution: &Resolution,
    now: DateTime<Utc>,
) -> Result<(), ReviewError> {
    let note = match resolution {
        Resolution::Acknowledge { note } => note.trim(),
        Resolution::Retry { .. } => return Err(ReviewError::LeaseNotRetryable),
    };
    if note.is_empty() {
        return Err(ReviewError::NoteRequired);
    }
    let note: String = note.chars().take(500).collect();
    let tx = store
        .conn_mut()
        .transaction_with_behavior(TransactionBehavior::Immediate)?;
    let resolved: Option<Option<String>> = tx
        .query_row(
            "SELECT resolved_at FROM sync_lease_conflict WHERE lease_id = ?1",
            [lease_id],
            |r| r.get(0),
        )
        .optional()?;
    match resolved {
        None => return Err(ReviewError::LeaseNotFound(lease_id.to_owned())),
        Some(Some(_)) => return Err(ReviewError::LeaseAlreadyResolved(lease_id.to_owned())),
        Some(None) => {}
    }
    tx.execute(
        "UPDATE sync_lease_conflict SET resolved_at = ?2, resolution = 'acknowledged', note = ?3
         WHERE lease_id = ?1",
        params![lease_id, ts(now), note],
    )?;
    tx.commit()?;
    Ok(())
}

/// Records the officer's resolution of the conflict of outbox record
/// `seq`; for a retry, queues the mutation again and returns the new seq.
pub fn resolve(
    store: &mut Store,
    seq: i64,
    resolution: &Resolution,
    now: DateTime<Utc>,
) -> Result<Option<i64>, ReviewError> {
    let tx = store
        .conn_mut()
        .transaction_with_behavior(TransactionBehavior::Immediate)?;
    let row: Option<(String, String, Option<String>)> = tx
        .query_row(
            "SELECT device_id, code, resolved_at FROM sync_conflict WHERE seq = ?1
             ORDER BY resolved_at IS NOT NULL LIMIT 1",
            [seq],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let Some((device, code, resolved)) = row else {
        return Err(ReviewError::NotFound(seq));
    };
    if resolved.is_some() {
        return Err(ReviewError::AlreadyResolved(seq));
    }
    let clean = |n: &str| {
        let n = n.trim();
        (!n.is_empty()).then(|| n.chars().take(500).collect::<String>())
    };
    let (kind, note, retry_seq) = match resolution {
        Resolution::Acknowledge { note } => {
            let note = clean(note).ok_or(ReviewError::NoteRequired)?;
            ("acknowledged", Some(note), None)
        }
        Resolution::Retry { note } => {
            if !retryable(&code) {
                return Err(ReviewError::NotRetryable(code));
            }
            let next: i64 = tx.query_row(
                "SELECT coalesce(max(seq), 0) + 1 FROM outbox WHERE device_id = ?1",
                [&device],
                |r| r.get(0),
            )?;
            let copied = tx.execute(
                "INSERT INTO outbox (device_id, seq, mutation_id, entity, entity_id, op, payload, created_at)
                 SELECT device_id, ?2, ?3, entity, entity_id, op, payload, ?4 FROM outbox
                 WHERE device_id = ?1 AND seq = ?5",
                params![device, next, uuid::Uuid::now_v7().to_string(), ts(now), seq],
            )?;
            if copied != 1 {
                return Err(ReviewError::Store(format!(
                    "第 {seq} 号记录不在待上传队列中"
                )));
            }
            ("retried", note.as_deref().and_then(clean), Some(next))
        }
    };
    tx.execute(
        "UPDATE sync_conflict SET resolved_at = ?3, resolution = ?4, note = ?5, retry_seq = ?6
         WHERE device_id = ?1 AND seq = ?2",
        params![device, seq, ts(now), kind, note, retry_seq],
    )?;
    tx.commit()?;
    Ok(retry_seq)
}

/// What is left to send: outbox records, and evidence originals with
/// their bytes (for the progress bars' totals).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Backlog {
    /// Outbox records not yet acknowledged.
    pub records: u64,
    /// Evidence originals not yet verified on the server.
    pub blobs: u64,
    /// Their bytes.
    pub blob_bytes: u64,
}

/// The backlog now.
pub fn backlog(store: &Store) -> Result<Backlog, ReviewError> {
    let records: i64 = store.conn().query_row(
        "SELECT count(*) FROM outbox WHERE pushed_at IS NULL",
        [],
        |r| r.get(0),
    )?;
    let (blobs, bytes): (i64, i64) = store.conn().query_row(
        "SELECT count(*), coalesce(sum(size), 0) FROM (
             SELECT e.sha256, max(e.size) AS size FROM evidence e
             LEFT JOIN blob_upload b ON b.sha256 = e.sha256
             WHERE b.state IS NULL OR b.state <> 'verified' GROUP BY e.sha256)",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let u = |n: i64| u64::try_from(n).unwrap_or(0);
    Ok(Backlog {
        records: u(records),
        blobs: u(blobs),
        blob_bytes: u(bytes),
    })
}

/// What the server has said about one case (stream C: server-owned
/// fields only — the device's own case record is never touched by it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServerState {
    /// `confirmed` once the finance platform reported the payment.
    pub payment_status: Option<String>,
    /// The amount paid, fen.
    pub paid_amount_fen: Option<i64>,
    /// When it was paid (as the finance platform said).
    pub paid_at: Option<String>,
    /// The payment's reference at the finance platform.
    pub payment_reference: Option<String>,
    /// The latest legal review: `approved` or `returned`.
    pub review_result: Option<String>,
    /// Its opinion (审核意见).
    pub review_opinion: Option<String>,
    /// The reviewing body.
    pub reviewer: Option<String>,
    /// The officer the command centre reassigned the case to.
    pub assigned_officer: Option<String>,
    /// Why.
    pub reassign_reason: Option<String>,
    /// When this device applied the latest event (device time).
    pub updated_at: String,
}

/// The server's state of a case, if any event about it has arrived.
pub fn server_state(store: &Store, case_id: &str) -> Result<Option<ServerState>, ReviewError> {
    let conn = store.conn();
    let row = conn
        .query_row(
            "SELECT payment_status, paid_amount_fen, paid_at, payment_reference, review_result,
                    assigned_officer, updated_at
             FROM case_server_state WHERE case_id = ?1",
            params![case_id],
            |r| {
                Ok(ServerState {
                    payment_status: r.get(0)?,
                    paid_amount_fen: r.get(1)?,
                    paid_at: r.get(2)?,
                    payment_reference: r.get(3)?,
                    review_result: r.get(4)?,
                    review_opinion: None,
                    reviewer: None,
                    assigned_officer: r.get(5)?,
                    reassign_reason: None,
                    updated_at: r.get(6)?,
                })
            },
        )
        .optional()?;
    let Some(mut s) = row else {
        return Ok(None);
    };
    // The latest event of a kind carries the texts the state row does not.
    let latest = |kind: &str| -> Result<Option<serde_json::Value>, ReviewError> {
        let payload: Option<String> = conn
            .query_row(
                "SELECT payload FROM inbox_event WHERE case_id = ?1 AND kind = ?2
                 ORDER BY cursor DESC LIMIT 1",
                params![case_id, kind],
                |r| r.get(0),
            )
            .optional()?;
        Ok(payload.and_then(|p| serde_json::from_str(&p).ok()))
    };
    let text =
        |v: &serde_json::Value, k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_owned);
    if let Some(v) = latest("review.completed")? {
        s.review_opinion = text(&v, "opinion");
        s.reviewer = text(&v, "reviewer");
    }
    if let Some(v) = latest("case.reassigned")? {
        s.reassign_reason = text(&v, "reason");
    }
    Ok(Some(s))
}
