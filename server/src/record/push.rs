//! The record keeper's part of a push, on typed mutations: the push
//! transaction (`crate::push`) decodes every mutation once into the
//! protocol's [`zhifa_protocol::mutation::Mutation`] and calls, under its
//! savepoint:
//!
//! - [`check`] before a case step is applied: the full record it carries
//!   (`case`, [`CaseRecord`]) must be a valid case, name this case and
//!   this version, and lie in the pushing officer's township — else
//!   `invalid_payload` / `jurisdiction`, and nothing was written.
//! - [`after`] once a case step is applied: its timeline row, and the
//!   record when it carries one (an older device's step carries none: the
//!   server then holds the timeline and status until the device's
//!   one-time snapshot arrives).
//! - [`document`], [`case_snapshot`], [`inspection_snapshot`] and
//!   [`task_snapshot`]: the ops this module owns (`document/record`,
//!   `case|inspection|task/snapshot`).
//! - [`inspection_record`] and [`task_record`]: the whole inspection or
//!   task a step carries (schema 2), stored after the step was applied.

use chrono::{DateTime, Utc};
use zhifa_core::case::{Case, TimelineEntry};
use zhifa_protocol::error::{Reject, RejectCode};
use zhifa_protocol::mutation::{CaseSnapshot, DocumentRecord, InspectionSnapshot, TaskSnapshot};
use zhifa_protocol::record::{CaseRecord, InspectionRecord, TaskRecord};
use zhifa_protocol::wire::WireMutation;

use super::cases::{self, Pushed};
use super::{Keeper, others};
use crate::store::sql::{Conn, Fail, p};

/// The pushing device, its officer and township (the token's principal).
#[derive(Debug, Clone, Copy)]
pub struct Who<'a> {
    /// The device.
    pub device_id: &'a str,
    /// Its officer now.
    pub officer_id: &'a str,
    /// The officer's township.
    pub township: &'a str,
}

/// The batch a mutation came in: its id and the device's signature.
#[derive(Debug, Clone, Copy)]
pub struct Batch<'a> {
    /// `batch_id`.
    pub batch_id: &'a str,
    /// The signature over the batch (hex).
    pub signature: &'a str,
}

fn bad(what: &str) -> Reject {
    Reject::new(
        RejectCode::InvalidPayload,
        format!("载荷缺少或错误：{what}"),
    )
}

/// A case record as the device's `Case` (the replay and the columns work
/// on it), with its JSON (the sealed copy; the same JSON as the device's,
/// `core/tests/case_record_wire.rs`).
#[derive(Debug)]
pub struct Checked {
    case: Case,
    json: serde_json::Value,
}

fn json_of(v: &impl serde::Serialize) -> Result<serde_json::Value, Reject> {
    serde_json::to_value(v).map_err(|_| bad("record"))
}

/// Checks the case record a `case/create` or `case/advance` carries,
/// before anything is written. `Ok(None)`: no record (an older device).
pub fn check(
    case_id: &str,
    version: Option<u64>,
    record: Option<&CaseRecord>,
    who: &Who<'_>,
) -> Result<Option<Checked>, Reject> {
    let Some(r) = record else {
        return Ok(None);
    };
    let case = zhifa_core::protocol::case_of(r).map_err(|_| bad("case"))?;
    if case.id.to_string() != case_id {
        return Err(bad("case.id"));
    }
    if version != Some(case.version) {
        return Err(bad("case.version"));
    }
    if case.township != who.township {
        return Err(Reject::new(
            RejectCode::Jurisdiction,
            format!("案件属地 {} 不在本执法人员的辖区", case.township),
        ));
    }
    let json = json_of(r)?;
    Ok(Some(Checked { case, json }))
}

/// What an applied case step adds to the timeline: its version, step name
/// and statuses (from the typed `case/create` or `case/advance`).
#[derive(Debug, Clone)]
pub struct Step<'a> {
    /// The version the step produced.
    pub version: u64,
    /// `create` or the step's name.
    pub kind: &'a str,
    /// The status before.
    pub from: Option<&'a str>,
    /// The status after.
    pub to: &'a str,
    /// The step's data (the device's event).
    pub event: serde_json::Value,
}

fn pushed<'a>(who: &Who<'a>, batch: &Batch<'a>, m: &'a WireMutation) -> Pushed<'a> {
    Pushed {
        device_id: who.device_id,
        officer_id: who.officer_id,
        batch_id: batch.batch_id,
        signature: batch.signature,
        device_seq: m.seq,
        payload_sha256: &m.payload_sha256,
    }
}

/// After an applied case step: its timeline row (as the device's own
/// timeline has it: seq = the version, `at` = the outbox record's time),
/// added to `events` for the push to insert with the rest of its batch
/// ([`cases::EVENT_INSERT`]), and its record, added to `records` for
/// [`store_records`].
#[allow(clippy::too_many_arguments)] // the push context, spelled out
pub fn after(
    tx: &mut dyn Conn,
    k: &Keeper,
    who: &Who<'_>,
    batch: &Batch<'_>,
    m: &WireMutation,
    step: Step<'_>,
    record: Option<Checked>,
    now: DateTime<Utc>,
    events: &mut Vec<cases::EventRow>,
    records: &mut Vec<Checked>,
) -> Result<(), Fail> {
    let by = pushed(who, batch, m);
    let status = |s: &str| zhifa_core::case::CaseStatus::parse(s);
    if let (Some(to), Ok(mutation_id)) = (status(step.to), m.mutation_id.parse()) {
        let e = TimelineEntry {
            seq: step.version,
            at: m.device_time.clone(),
            kind: step.kind.to_owned(),
            from: step.from.and_then(status),
            to,
            mutation_id,
            payload: step.event,
        };
        events.push(cases::event_row(tx, k, &m.entity_id, &e, &by, "push", now)?);
    }
    records.extend(record);
    Ok(())
}

/// Stores the case records a push collected ([`after`]): of each case
/// only the newest version — every step carries the whole record, so in a
/// batch with a case's ten steps the first nine are superseded before
/// they would be read (one sealed write instead of ten). The push calls
/// this before any savepoint of another kind of mutation (which might
/// roll back) and at the end of its batch; `records` is left empty.
pub fn store_records(
    tx: &mut dyn Conn,
    k: &Keeper,
    device_id: &str,
    records: &mut Vec<Checked>,
    now: DateTime<Utc>,
) -> Result<(), Fail> {
    let mut newest: Vec<Checked> = Vec::with_capacity(records.len());
    for c in records.drain(..) {
        match newest.iter_mut().find(|n| n.case.id == c.case.id) {
            Some(n) if n.case.version < c.case.version => *n = c,
            Some(_) => {}
            None => newest.push(c),
        }
    }
    for c in &newest {
        cases::store(tx, k, &c.case, &c.json, device_id, now)?;
    }
    Ok(())
}

/// The outcome of an op this module applies: a rejection, or a database
/// or record fault that aborts the batch.
pub type Owned = Result<Result<(), Reject>, Fail>;

/// `document/record`: only for the device's own case in the township it
/// serves now.
pub fn document(tx: &mut dyn Conn, who: &Who<'_>, d: &DocumentRecord, now: DateTime<Utc>) -> Owned {
    Ok(super::documents::apply(
        tx,
        who.device_id,
        who.township,
        d,
        now,
    )?)
}

/// An aggregate row's owner and township against the pusher.
fn owned(owner: &str, township: &str, who: &Who<'_>) -> Result<(), Reject> {
    if owner != who.device_id {
        return Err(Reject::new(RejectCode::NotOwner, "记录属于另一台设备"));
    }
    if township != who.township {
        return Err(Reject::new(
            RejectCode::Jurisdiction,
            format!("属地 {township} 不在本设备现执法人员的辖区"),
        ));
    }
    Ok(())
}

/// `case/snapshot {case, timeline}`: the full record and every timeline
/// row of a case the server already knows (it arrived step by step,
/// perhaps without content), from the device that owns it. The timeline
/// rows join the batch's `events`, in order with its steps' rows.
#[allow(clippy::too_many_arguments)] // the push context, spelled out
pub fn case_snapshot(
    tx: &mut dyn Conn,
    k: &Keeper,
    who: &Who<'_>,
    batch: &Batch<'_>,
    m: &WireMutation,
    s: &CaseSnapshot,
    now: DateTime<Utc>,
    events: &mut Vec<cases::EventRow>,
) -> Owned {
    let Ok(case) = zhifa_core::protocol::case_of(&s.case) else {
        return Ok(Err(bad("case")));
    };
    if case.id.to_string() != m.entity_id {
        return Ok(Err(bad("case.id")));
    }
    let mut timeline = Vec::with_capacity(s.timeline.len());
    for e in &s.timeline {
        match zhifa_core::protocol::timeline_entry_of(e) {
            Ok(e) => timeline.push(e),
            Err(_) => return Ok(Err(bad("timeline"))),
        }
    }
    let Some(r) = tx.query_opt(
        "SELECT device_id, township FROM cases WHERE case_id = ?1",
        p![m.entity_id],
    )?
    else {
        return Ok(Err(Reject::new(
            RejectCode::UnknownCase,
            "服务器上没有此案件",
        )));
    };
    if let Err(r) = owned(&r.get::<String>(0)?, &r.get::<String>(1)?, who) {
        return Ok(Err(r));
    }
    let json = match json_of(&s.case) {
        Ok(j) => j,
        Err(r) => return Ok(Err(r)),
    };
    let by = pushed(who, batch, m);
    for e in &timeline {
        events.push(cases::event_row(
            tx,
            k,
            &m.entity_id,
            e,
            &by,
            "snapshot",
            now,
        )?);
    }
    cases::store(tx, k, &case, &json, who.device_id, now)?;
    Ok(Ok(()))
}

/// `inspection/snapshot {inspection}`: the whole inspection, from the
/// device that owns it.
pub fn inspection_snapshot(
    tx: &mut dyn Conn,
    k: &Keeper,
    who: &Who<'_>,
    m: &WireMutation,
    s: &InspectionSnapshot,
    now: DateTime<Utc>,
) -> Owned {
    let Some(r) = tx.query_opt(
        "SELECT device_id, township FROM inspection WHERE inspection_id = ?1",
        p![m.entity_id],
    )?
    else {
        return Ok(Err(Reject::new(
            RejectCode::UnknownCase,
            "服务器上没有此检查",
        )));
    };
    if let Err(r) = owned(&r.get::<String>(0)?, &r.get::<String>(1)?, who) {
        return Ok(Err(r));
    }
    inspection_record(tx, k, who, &m.entity_id, &s.inspection, now)
}

/// Stores the whole inspection a step or a snapshot carries (its owner
/// and township already checked by the caller).
pub fn inspection_record(
    tx: &mut dyn Conn,
    k: &Keeper,
    who: &Who<'_>,
    inspection_id: &str,
    r: &InspectionRecord,
    now: DateTime<Utc>,
) -> Owned {
    let Ok(i) = zhifa_core::protocol::inspection_of(r) else {
        return Ok(Err(bad("inspection")));
    };
    if i.id.to_string() != inspection_id {
        return Ok(Err(bad("inspection.id")));
    }
    let json = match json_of(r) {
        Ok(j) => j,
        Err(r) => return Ok(Err(r)),
    };
    others::store_inspection(tx, k, &i, &json, who.device_id, now)?;
    Ok(Ok(()))
}

/// `task/snapshot {task}`: the whole task of the officer's township.
pub fn task_snapshot(
    tx: &mut dyn Conn,
    k: &Keeper,
    who: &Who<'_>,
    m: &WireMutation,
    s: &TaskSnapshot,
    now: DateTime<Utc>,
) -> Owned {
    let Some(r) = tx.query_opt(
        "SELECT township FROM task WHERE task_id = ?1",
        p![m.entity_id],
    )?
    else {
        return Ok(Err(Reject::new(
            RejectCode::UnknownCase,
            "服务器上没有此任务",
        )));
    };
    let township: String = r.get(0)?;
    if township != who.township {
        return Ok(Err(Reject::new(
            RejectCode::Jurisdiction,
            format!("任务属地 {township} 不在本执法人员的辖区"),
        )));
    }
    task_record(tx, k, who, &m.entity_id, &s.task, now)
}

/// Stores the whole task a step or a snapshot carries (its township
/// already checked by the caller).
pub fn task_record(
    tx: &mut dyn Conn,
    k: &Keeper,
    who: &Who<'_>,
    task_id: &str,
    r: &TaskRecord,
    now: DateTime<Utc>,
) -> Owned {
    let Ok(t) = zhifa_core::protocol::task_of(r) else {
        return Ok(Err(bad("task")));
    };
    if t.id.to_string() != task_id {
        return Ok(Err(bad("task.id")));
    }
    let json = match json_of(r) {
        Ok(j) => j,
        Err(r) => return Ok(Err(r)),
    };
    others::store_task(tx, k, &t, &json, who.device_id, now)?;
    Ok(Ok(()))
}
