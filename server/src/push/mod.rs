//! The outbox push (sync.md §6.2): one batch of a device's mutations in
//! one transaction, with the ledger, savepoints, duplicates, the clone
//! alarm and dependency blocking.
//!
//! Every mutation is decoded once, at the top of the batch, into the
//! protocol's typed [`Mutation`] (`zhifa_protocol::mutation`); an unknown
//! entity/op (`unsupported_mutation`) or a payload that is not its type
//! (`invalid_payload`) is rejected with that code and kept in the conflict
//! record for review — never half-applied. A decoded mutation goes to the
//! one typed `apply` of its aggregate: [`case`], [`evidence`], [`numbers`]
//! (leases, document numbers, provisional numbers), [`inspection`] and
//! [`task`]. Each returns `Result<(), PushError>`: a permanent rejection
//! with its [`RejectCode`], or a database fault that aborts the batch (and
//! may be retried by the storage layer).

pub mod case;
pub mod evidence;
pub mod inspection;
pub mod numbers;
pub mod procedure;
pub mod task;

use std::collections::HashMap;

use chrono::{DateTime, SecondsFormat, Utc};
use zhifa_protocol::error::{ErrorKind, Reject, RejectCode};
use zhifa_protocol::mutation::{
    CaseMutation, InspectionMutation, Mutation, NumberMutation, TaskMutation,
};
use zhifa_protocol::sign::payload_sha256;
use zhifa_protocol::wire::{
    MutationResult, MutationStatus, PushRequest, PushResponse, WireMutation,
};

use crate::error::ApiError;
use crate::record::Keeper;
use crate::record::push as rec;
use crate::store::sql::{self, Conn, DbError, Fail, p};

/// Who pushes: the device, the officer it is enrolled for now and that
/// officer's township (the authenticated principal of the request).
#[derive(Debug, Clone, Copy)]
pub struct Who<'a> {
    /// The device.
    pub device_id: &'a str,
    /// Its officer.
    pub officer_id: &'a str,
    /// The officer's township.
    pub township: &'a str,
}

impl Who<'_> {
    /// The audit actor.
    pub fn actor(&self) -> String {
        format!("device:{}/officer:{}", self.device_id, self.officer_id)
    }
}

/// Why one mutation was not applied: a permanent rejection the device sees
/// in its results, or a database fault that aborts the whole batch.
#[derive(Debug)]
pub enum PushError {
    /// Rejected with a stable code and a message.
    Reject(Reject),
    /// The database failed.
    Db(DbError),
    /// The record keeper failed (sealing, a corrupt stored record): the
    /// batch aborts.
    Fail(Fail),
}

impl PushError {
    /// A rejection with `code` and `message`.
    pub fn reject(code: RejectCode, message: impl Into<String>) -> Self {
        Self::Reject(Reject::new(code, message))
    }
}

impl From<DbError> for PushError {
    fn from(e: DbError) -> Self {
        Self::Db(e)
    }
}

impl From<Reject> for PushError {
    fn from(r: Reject) -> Self {
        Self::Reject(r)
    }
}

/// The outcome of one mutation's `apply`.
pub type Applied = Result<(), PushError>;

/// The outcome of an op of the record keeper (`crate::record::push`).
fn owned(r: crate::record::push::Owned) -> Applied {
    match r {
        Ok(Ok(())) => Ok(()),
        Ok(Err(r)) => Err(PushError::Reject(r)),
        Err(Fail::Db(e)) => Err(PushError::Db(e)),
        Err(f) => Err(PushError::Fail(f)),
    }
}

/// Timestamps as the server writes them (RFC 3339, milliseconds, UTC).
pub(crate) fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// The district of a township code (its first six digits).
pub(crate) fn district_of(township: &str) -> String {
    township.chars().take(6).collect()
}

/// An audit row of a push (actor, action, object), written with the
/// batch's others in one statement at its end.
pub type AuditRow = (String, &'static str, String);

/// A decoded mutation, or why it could not be.
type Decoded = Result<Mutation, Reject>;

/// The aggregate a mutation belongs to, for dependency rejection: the case
/// or inspection itself, or the case an evidence item or a number names.
/// A payload that does not decode still blocks the case it names, as it
/// did before typed payloads (read from the raw JSON only for that).
/// A normal-procedure step (`procedure/event`) is no aggregate here: the
/// procedure core judges each against the centre's log on its own, so a
/// refused step never blocks the officer's corrected one.
fn aggregate(m: &WireMutation, d: &Decoded) -> Option<String> {
    match m.entity.as_str() {
        "case" | "inspection" => return Some(m.entity_id.clone()),
        "issued_number" | "evidence" | "provisional_number" => {}
        _ => return None,
    }
    match d {
        Ok(Mutation::Evidence(e)) => e.case_id.clone(),
        Ok(Mutation::Number(NumberMutation::Use(_, u))) => u.case_id.clone(),
        Ok(Mutation::Number(NumberMutation::Provisional(p))) => p.case_id.clone(),
        Ok(_) => None,
        Err(_) => m
            .payload
            .get("case_id")
            .and_then(|v| v.as_str())
            .map(str::to_owned),
    }
}

/// A case step whose only write is the conditional update of its case
/// row: when [`apply`] rejects it, it has written nothing.
fn plain_step(d: &Decoded) -> bool {
    matches!(d, Ok(Mutation::Case(CaseMutation::Advance(a))) if !a.is_attach())
}

/// Inserts `vals` (rows of `width` values, in order) with multi-row
/// `INSERT … VALUES (…), (…)` statements of at most 50 rows, each followed
/// by `tail` (an `ON CONFLICT` clause, or nothing): one round trip for
/// many rows.
pub(crate) fn insert_rows(
    tx: &mut dyn Conn,
    head: &str,
    width: usize,
    vals: &[sql::Val<'_>],
    tail: &str,
) -> Result<(), DbError> {
    use std::fmt::Write as _;
    for chunk in vals.chunks(width * 50) {
        let mut q = format!("{head} VALUES ");
        for r in 0..chunk.len() / width {
            q.push_str(if r == 0 { "(" } else { ", (" });
            for c in 0..width {
                let _ = write!(
                    q,
                    "{}?{}",
                    if c == 0 { "" } else { ", " },
                    r * width + c + 1
                );
            }
            q.push(')');
        }
        q.push_str(tail);
        tx.exec(&q, chunk)?;
    }
    Ok(())
}

/// What every apply needs beside the mutation: the transaction, the
/// record keeper, the pusher, the batch, the time and the audit rows.
struct Ctx<'a, 'b> {
    tx: &'a mut dyn Conn,
    keeper: &'a Keeper,
    who: &'a Who<'b>,
    batch: rec::Batch<'a>,
    now: DateTime<Utc>,
    audits: &'a mut Vec<AuditRow>,
    /// Timeline rows of the applied case steps, inserted with the ledger.
    events: &'a mut Vec<crate::record::cases::EventRow>,
    /// Case records of the applied steps, stored by `rec::store_records`.
    records: &'a mut Vec<rec::Checked>,
    /// The case rows this batch wrote (plain steps applied in memory).
    rows: &'a mut case::Rows,
}

impl<'b> Ctx<'_, 'b> {
    fn rec_who(&self) -> rec::Who<'b> {
        rec::Who {
            device_id: self.who.device_id,
            officer_id: self.who.officer_id,
            township: self.who.township,
        }
    }
}

/// Applies one decoded mutation of `who` on the push transaction: the
/// one typed apply of its aggregate, and the record keeper's part (the
/// record a step carries is checked before anything is written and stored
/// after; the keeper's own ops are applied by it).
fn apply(cx: &mut Ctx<'_, '_>, m: &WireMutation, mutation: &Mutation) -> Applied {
    let id = m.entity_id.as_str();
    let who = cx.who;
    let now = cx.now;
    match mutation {
        // A step's event re-serialized for its timeline row: a derived
        // `Serialize` with string keys cannot fail to become a `Value`
        // (`Null` would stand in should it).
        Mutation::Case(CaseMutation::Create(c)) => {
            let checked = rec::check(id, c.version, c.case.as_deref(), &cx.rec_who())?;
            case::create(cx.tx, who, id, c, now, cx.audits, cx.rows)?;
            let step = rec::Step {
                version: c.version.unwrap_or(1),
                kind: c.kind.as_deref().unwrap_or("create"),
                from: None,
                to: c.to.map_or("draft", |s| s.as_str()),
                event: serde_json::to_value(&c.event).unwrap_or_default(),
            };
            after(cx, m, step, checked)
        }
        Mutation::Case(CaseMutation::Advance(a)) => {
            let version = u64::try_from(a.version).ok();
            let checked = rec::check(id, version, a.case.as_deref(), &cx.rec_who())?;
            case::advance(cx.tx, who, id, a, now, cx.audits, cx.rows)?;
            let step = rec::Step {
                version: version.unwrap_or_default(),
                kind: &a.kind,
                from: a.from.map(|s| s.as_str()),
                to: a.to.as_str(),
                event: serde_json::to_value(&a.event).unwrap_or_default(),
            };
            after(cx, m, step, checked)
        }
        Mutation::Case(CaseMutation::Snapshot(s)) => {
            let rw = cx.rec_who();
            let r = rec::case_snapshot(cx.tx, cx.keeper, &rw, &cx.batch, m, s, now, cx.events);
            owned(r)?;
            cx.audits.push((who.actor(), "case.write", id.to_owned()));
            Ok(())
        }
        Mutation::Document(d) => {
            let rw = cx.rec_who();
            owned(rec::document(cx.tx, &rw, d, now))?;
            cx.audits
                .push((who.actor(), "case.write", d.case_id.clone()));
            Ok(())
        }
        Mutation::Evidence(e) => evidence::apply(cx.tx, who, id, e, cx.audits),
        Mutation::Number(NumberMutation::LeaseGrant(g)) => numbers::lease_grant(cx.tx, who, g),
        Mutation::Number(NumberMutation::Use(op, u)) => {
            numbers::number_use(cx.tx, who, *op, u, cx.audits)
        }
        Mutation::Number(NumberMutation::Provisional(p)) => {
            numbers::assign_final(cx.tx, who, p, now, cx.audits)
        }
        // Township configurations are device-local settings the server
        // records in the ledger only.
        Mutation::TownshipConfig => Ok(()),
        Mutation::Inspection(InspectionMutation::Snapshot(s)) => {
            let rw = cx.rec_who();
            owned(rec::inspection_snapshot(cx.tx, cx.keeper, &rw, m, s, now))?;
            cx.audits
                .push((who.actor(), "inspection.write", id.to_owned()));
            Ok(())
        }
        Mutation::Inspection(i) => {
            inspection::apply(cx.tx, who, id, i, now)?;
            if let Some(r) = i.record() {
                let rw = cx.rec_who();
                owned(rec::inspection_record(cx.tx, cx.keeper, &rw, id, r, now))?;
            }
            cx.audits
                .push((who.actor(), "inspection.write", id.to_owned()));
            Ok(())
        }
        Mutation::Task(TaskMutation::Snapshot(s)) => {
            let rw = cx.rec_who();
            owned(rec::task_snapshot(cx.tx, cx.keeper, &rw, m, s, now))?;
            cx.audits.push((who.actor(), "task.write", id.to_owned()));
            Ok(())
        }
        Mutation::Task(t) => {
            task::apply(cx.tx, who, m, t)?;
            if let Some(r) = t.record() {
                let rw = cx.rec_who();
                owned(rec::task_record(cx.tx, cx.keeper, &rw, id, r, now))?;
            }
            cx.audits.push((who.actor(), "task.write", id.to_owned()));
            Ok(())
        }
        Mutation::Procedure(step) => {
            procedure::apply(cx.tx, cx.keeper, who, id, step, now)?;
            cx.audits
                .push((who.actor(), "procedure.write", id.to_owned()));
            Ok(())
        }
        _ => Err(PushError::reject(
            RejectCode::Unsupported,
            format!("不支持的变更 {}.{}", m.entity, m.op),
        )),
    }
}

/// The record keeper's part after an applied case step.
fn after(
    cx: &mut Ctx<'_, '_>,
    m: &WireMutation,
    step: rec::Step<'_>,
    checked: Option<rec::Checked>,
) -> Applied {
    let rw = cx.rec_who();
    let (tx, keeper, batch, now) = (&mut *cx.tx, cx.keeper, cx.batch, cx.now);
    let (events, records) = (&mut *cx.events, &mut *cx.records);
    rec::after(
        tx, keeper, &rw, &batch, m, step, checked, now, events, records,
    )
    .map_err(|f| match f {
        Fail::Db(e) => PushError::Db(e),
        f => PushError::Fail(f),
    })
}

/// The server epoch (changes when a database is restored).
fn epoch_of(tx: &mut dyn Conn) -> Result<String, DbError> {
    tx.query_one("SELECT value FROM meta WHERE key = 'epoch'", p![])?
        .get(0)
}

/// The case aggregates of this batch that earlier rejected mutations of
/// this device block (aggregate → first rejected seq). Keyed by device: a
/// rejected mutation blocks only its own device's later steps, never the
/// aggregate's owner (finding 1 of the 2026-12 security review).
fn blocked_aggregates(
    tx: &mut dyn Conn,
    device_id: &str,
    aggregates: &[String],
) -> Result<HashMap<String, i64>, DbError> {
    let mut blocked_by = HashMap::new();
    for chunk in aggregates.chunks(100) {
        let marks = (2..=chunk.len() + 1)
            .map(|i| format!("?{i}"))
            .collect::<Vec<_>>()
            .join(", ");
        let mut vals: Vec<sql::Val<'_>> = vec![sql::Val::Text(device_id)];
        vals.extend(chunk.iter().map(|a| sql::Val::Text(a)));
        for r in tx.query(
            &format!(
                "SELECT entity_id, first_seq FROM device_blocked
                 WHERE device_id = ?1 AND entity = 'case' AND entity_id IN ({marks})"
            ),
            &vals,
        )? {
            blocked_by.insert(r.get(0)?, r.get(1)?);
        }
    }
    Ok(blocked_by)
}

/// What the batch decided for one new mutation, for the ledger.
type LedgerRow = (i64, &'static str, Option<&'static str>, Option<String>);

/// One push batch on the caller's transaction (the storage layer commits
/// it, and retries it on a transient fault).
pub fn push_tx(
    tx: &mut dyn Conn,
    keeper: &Keeper,
    who: &Who<'_>,
    req: &PushRequest,
    now: DateTime<Utc>,
) -> Result<PushResponse, Fail> {
    // The device row lock serialises two pushes of one device (PostgreSQL;
    // SQLite's one writer already does).
    let mut last: i64 = tx
        .query_one(
            "SELECT last_seq FROM device WHERE id = ?1 FOR UPDATE",
            p![who.device_id],
        )?
        .get(0)?;
    let epoch = epoch_of(tx)?;
    let mut results = Vec::with_capacity(req.mutations.len());
    // Decoded once, here: every apply below works on the typed payload.
    let decoded: Vec<Decoded> = req
        .mutations
        .iter()
        .map(|m| Mutation::decode(&m.entity, &m.op, &m.payload))
        .collect();
    // Blocked aggregates of this batch, read once (then kept up to date
    // here as mutations are rejected).
    let mut aggregates: Vec<String> = req
        .mutations
        .iter()
        .zip(&decoded)
        .filter_map(|(m, d)| aggregate(m, d))
        .collect();
    aggregates.sort();
    aggregates.dedup();
    let mut blocked_by = blocked_aggregates(tx, who.device_id, &aggregates)?;
    // Ledger and audit rows are written together at the end of the batch
    // (same transaction), in a few multi-row statements.
    let mut ledger: Vec<LedgerRow> = Vec::new();
    let mut audits: Vec<AuditRow> = Vec::new();
    let mut events: Vec<crate::record::cases::EventRow> = Vec::new();
    let mut records: Vec<rec::Checked> = Vec::new();
    let mut rows = case::Rows::default();
    for (m, d) in req.mutations.iter().zip(&decoded) {
        let offered = payload_sha256(&m.payload);
        if m.seq <= last {
            results.push(replayed(tx, who, m, now)?);
            continue;
        }
        if m.seq > last + 1 {
            if results.is_empty() {
                let mut e = ApiError::new(
                    ErrorKind::SeqGap,
                    format!("序号不连续：期望 {}，收到 {}", last + 1, m.seq),
                );
                e.expected_seq = Some(last + 1);
                return Err(e.into());
            }
            break;
        }
        let aggregate = aggregate(m, d);
        let blocked: Option<i64> = aggregate.as_ref().and_then(|a| blocked_by.get(a).copied());
        if offered != m.payload_sha256 {
            // The signature covers the declared hash, so the payload was
            // damaged on the way: refuse the batch, never record a
            // rejection for a mutation the device did make.
            return Err(ApiError::new(
                ErrorKind::PayloadCorrupt,
                format!(
                    "第 {} 号变更的载荷与签名的摘要不符（传输损坏），请重发",
                    m.seq
                ),
            )
            .into());
        }
        let outcome: Result<(), Reject> = if let Some(first) = blocked {
            Err(Reject::new(
                RejectCode::DependencyRejected,
                format!("同一案件的第 {first} 号变更已被拒绝"),
            ))
        } else {
            match d {
                Err(r) => Err(r.clone()),
                Ok(mutation) => {
                    // A savepoint per mutation, rolled back when it is
                    // rejected. Never released: each is nested in the
                    // previous one (a rollback goes to the newest `m`, i.e.
                    // this mutation's), and COMMIT ends them all; this saves
                    // a round trip per mutation. A plain case step writes
                    // nothing when it is rejected, so it needs none (one
                    // round trip fewer on PostgreSQL).
                    let savepoint = !plain_step(d);
                    if savepoint {
                        // What the batch applied in memory is written
                        // before a savepoint that might roll back.
                        rows.flush(tx, now)?;
                        tx.batch("SAVEPOINT m")?;
                    }
                    let mark = (audits.len(), events.len());
                    let mut cx = Ctx {
                        tx: &mut *tx,
                        keeper,
                        who,
                        batch: rec::Batch {
                            batch_id: &req.batch_id,
                            signature: &req.signature,
                        },
                        now,
                        audits: &mut audits,
                        events: &mut events,
                        records: &mut records,
                        rows: &mut rows,
                    };
                    match apply(&mut cx, m, mutation) {
                        Ok(()) => Ok(()),
                        Err(PushError::Db(e)) => return Err(e.into()),
                        Err(PushError::Fail(f)) => return Err(f),
                        Err(PushError::Reject(r)) => {
                            if savepoint {
                                tx.batch("ROLLBACK TO SAVEPOINT m")?;
                            }
                            audits.truncate(mark.0);
                            events.truncate(mark.1);
                            Err(r)
                        }
                    }
                }
            }
        };
        let (status, code, message) = match &outcome {
            Ok(()) => ("applied", None, None),
            Err(r) => ("rejected", Some(r.code.code()), Some(r.message.clone())),
        };
        ledger.push((m.seq, status, code, message.clone()));
        if let Err(r) = &outcome {
            // The payload is kept with the conflict, for review.
            tx.exec(
                "INSERT INTO conflict (device_id, seq, entity, entity_id, code, message, payload, at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                p![who.device_id, m.seq, m.entity, m.entity_id, r.code.code(), r.message,
                   m.payload.to_string(), ts(now)],
            )?;
            if let Some(a) = &aggregate {
                tx.exec(
                    "INSERT INTO device_blocked (device_id, entity, entity_id, first_seq) VALUES (?1, 'case', ?2, ?3)
                     ON CONFLICT DO NOTHING",
                    p![who.device_id, a, m.seq],
                )?;
                blocked_by.entry(a.clone()).or_insert(m.seq);
            }
        }
        results.push(MutationResult {
            seq: m.seq,
            status: if outcome.is_ok() {
                MutationStatus::Applied
            } else {
                MutationStatus::Rejected
            },
            code: code.map(str::to_owned),
            message,
        });
        last = m.seq;
    }
    rows.flush(tx, now)?;
    rec::store_records(tx, keeper, who.device_id, &mut records, now)?;
    write_ledger(tx, who, req, &ledger, &audits, now)?;
    let vals: Vec<sql::Val<'_>> = events.iter().flat_map(|e| e.vals()).collect();
    use crate::record::cases::{EVENT_CONFLICT, EVENT_INSERT, EVENT_WIDTH};
    insert_rows(tx, EVENT_INSERT, EVENT_WIDTH, &vals, EVENT_CONFLICT)?;
    tx.exec(
        "UPDATE device SET last_seq = ?2 WHERE id = ?1",
        p![who.device_id, last],
    )?;
    Ok(PushResponse {
        server_epoch: epoch,
        acked_through: last,
        results,
    })
}

/// The answer for a mutation at or below the device's acknowledged seq:
/// the same payload is a duplicate (with its original rejection, if any);
/// a different payload under the same seq is a cloned or restored device
/// (`seq_reuse`, clone alarm).
fn replayed(
    tx: &mut dyn Conn,
    who: &Who<'_>,
    m: &WireMutation,
    now: DateTime<Utc>,
) -> Result<MutationResult, Fail> {
    let stored = tx.query_opt(
        "SELECT payload_sha256, status, code, message FROM ledger WHERE device_id = ?1 AND seq = ?2",
        p![who.device_id, m.seq],
    )?;
    let Some(stored) = stored else {
        return Err(ApiError::new(ErrorKind::Internal, "账本缺少已确认的序号").into());
    };
    let (sha, status, code, message): (String, String, Option<String>, Option<String>) = (
        stored.get(0)?,
        stored.get(1)?,
        stored.get(2)?,
        stored.get(3)?,
    );
    if sha != m.payload_sha256 {
        tx.exec(
            "INSERT INTO clone_alarm (device_id, seq, stored_sha256, offered_sha256, at) VALUES (?1, ?2, ?3, ?4, ?5)",
            p![who.device_id, m.seq, sha, m.payload_sha256, ts(now)],
        )?;
        tracing::warn!(device = %who.device_id, seq = m.seq, "clone alarm: seq reused with a different payload");
        return Ok(MutationResult {
            seq: m.seq,
            status: MutationStatus::Rejected,
            code: Some(RejectCode::SeqReuse.code().into()),
            message: Some("同一序号的内容不同：疑似复制的设备，已隔离并告警".into()),
        });
    }
    Ok(MutationResult {
        seq: m.seq,
        status: MutationStatus::Duplicate,
        code: if status == "rejected" { code } else { None },
        message: if status == "rejected" { message } else { None },
    })
}

/// Writes the batch's ledger and audit rows (multi-row statements).
fn write_ledger(
    tx: &mut dyn Conn,
    who: &Who<'_>,
    req: &PushRequest,
    ledger: &[LedgerRow],
    audits: &[AuditRow],
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    let at = ts(now);
    let by_seq: HashMap<i64, &WireMutation> = req.mutations.iter().map(|m| (m.seq, m)).collect();
    let mut vals: Vec<sql::Val<'_>> = Vec::with_capacity(ledger.len() * 12);
    for (seq, status, code, message) in ledger {
        let Some(m) = by_seq.get(seq) else {
            continue; // every ledger row comes from a mutation of `req`
        };
        vals.extend([
            sql::Val::Text(who.device_id),
            sql::Val::Int(*seq),
            sql::Val::Text(&m.mutation_id),
            sql::Val::Text(&m.payload_sha256),
            sql::Val::Text(&m.entity),
            sql::Val::Text(&m.entity_id),
            sql::Val::Text(&m.op),
            sql::Val::Text(status),
            code.map_or(sql::Val::Null, sql::Val::Text),
            message.as_deref().map_or(sql::Val::Null, sql::Val::Text),
            sql::Val::Text(&m.device_time),
            sql::Val::Text(&at),
        ]);
    }
    insert_rows(
        tx,
        "INSERT INTO ledger (device_id, seq, mutation_id, payload_sha256, entity, entity_id, op, status, code, message, device_time, received_at)",
        12,
        &vals,
        "",
    )?;
    let mut vals: Vec<sql::Val<'_>> = Vec::with_capacity(audits.len() * 4);
    for (actor, action, object) in audits {
        vals.extend([
            sql::Val::Text(&at),
            sql::Val::Text(actor),
            sql::Val::Text(action),
            sql::Val::Text(object),
        ]);
    }
    insert_rows(
        tx,
        "INSERT INTO audit (at, actor, action, object)",
        4,
        &vals,
        "",
    )
}
