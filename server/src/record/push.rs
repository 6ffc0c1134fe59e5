//! The record keeper's part of a push (called by the push transaction for
//! every mutation, under its savepoint):
//!
//! - [`check`] before a case step is applied: the full record it carries
//!   (`case`, schema 2) must decode, name this case and this version, and
//!   lie in the pushing officer's township — else `invalid_payload`, and
//!   nothing was written.
//! - [`after`] once a case step is applied: its timeline row, and the
//!   record when it carries one (an older device's step carries none: the
//!   server then holds the timeline and status until the device's
//!   one-time snapshot arrives).
//! - [`apply`] for the ops this module owns: `document/record`,
//!   `case/snapshot`, `inspection/snapshot`, `task/snapshot`.

use chrono::{DateTime, Utc};
use zhifa_core::case::{Case, CaseStatus, TimelineEntry};
use zhifa_sync::error::reject;
use zhifa_sync::wire::WireMutation;

use super::cases::{self, Pushed};
use super::{Keeper, others};
use crate::store::sql::{Conn, Fail, p};

/// A refusal: (stable code, message).
pub type Refusal = (&'static str, String);

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

fn bad(what: &str) -> Refusal {
    (reject::INVALID_PAYLOAD, format!("载荷缺少或错误：{what}"))
}

/// Whether this module applies `m` itself (see [`apply`]).
pub fn owns(m: &WireMutation) -> bool {
    matches!(
        (m.entity.as_str(), m.op.as_str()),
        ("document", "record") | ("case" | "inspection" | "task", "snapshot")
    )
}

/// Decodes and checks the case record a `case/create` or `case/advance`
/// carries, before anything is written. `Ok(None)`: no record (an older
/// device) or not a case step.
pub fn check(m: &WireMutation, who: &Who<'_>) -> Result<Option<Case>, Refusal> {
    if m.entity != "case" || !matches!(m.op.as_str(), "create" | "advance") {
        return Ok(None);
    }
    let Some(raw) = m.payload.get("case").filter(|v| !v.is_null()) else {
        return Ok(None);
    };
    let case: Case = serde_json::from_value(raw.clone()).map_err(|_| bad("case"))?;
    if case.id.to_string() != m.entity_id {
        return Err(bad("case.id"));
    }
    let version = m.payload.get("version").and_then(serde_json::Value::as_u64);
    if version != Some(case.version) {
        return Err(bad("case.version"));
    }
    if case.township != who.township {
        return Err((
            reject::JURISDICTION,
            format!("案件属地 {} 不在本执法人员的辖区", case.township),
        ));
    }
    Ok(Some(case))
}

/// The timeline entry a pushed case step makes, as the device's own
/// timeline has it (`zhifa_core::case::timeline`): seq = the version,
/// `at` = the outbox record's time, the step's data.
fn entry_of(m: &WireMutation) -> Option<TimelineEntry> {
    let p = &m.payload;
    let status = |k: &str| {
        p.get(k)
            .and_then(|v| v.as_str())
            .and_then(CaseStatus::parse)
    };
    Some(TimelineEntry {
        seq: p.get("version")?.as_u64()?,
        at: m.device_time.clone(),
        kind: p.get("kind")?.as_str()?.to_owned(),
        from: status("from"),
        to: status("to")?,
        mutation_id: m.mutation_id.parse().ok()?,
        payload: p.get("event").cloned().unwrap_or(serde_json::Value::Null),
    })
}

/// After an applied case step: its timeline row and its record.
pub fn after(
    tx: &mut dyn Conn,
    k: &Keeper,
    who: &Who<'_>,
    batch: &Batch<'_>,
    m: &WireMutation,
    record: Option<&Case>,
    now: DateTime<Utc>,
) -> Result<(), Fail> {
    if m.entity != "case" || !matches!(m.op.as_str(), "create" | "advance") {
        return Ok(());
    }
    let by = Pushed {
        device_id: who.device_id,
        officer_id: who.officer_id,
        batch_id: batch.batch_id,
        signature: batch.signature,
        device_seq: m.seq,
        payload_sha256: &m.payload_sha256,
    };
    if let Some(e) = entry_of(m) {
        cases::store_event(tx, k, &m.entity_id, &e, &by, "push", now)?;
    }
    if let (Some(case), Some(raw)) = (record, m.payload.get("case")) {
        cases::store(tx, k, case, raw, who.device_id, now)?;
    }
    Ok(())
}

/// Applies an op this module owns ([`owns`]).
pub fn apply(
    tx: &mut dyn Conn,
    k: &Keeper,
    who: &Who<'_>,
    batch: &Batch<'_>,
    m: &WireMutation,
    now: DateTime<Utc>,
) -> Result<Result<(), Refusal>, Fail> {
    match (m.entity.as_str(), m.op.as_str()) {
        ("document", "record") => Ok(super::documents::apply(
            tx,
            who.device_id,
            who.township,
            &m.payload,
            now,
        )?),
        ("case", "snapshot") => case_snapshot(tx, k, who, batch, m, now),
        ("inspection", "snapshot") => {
            let Some(raw) = m.payload.get("inspection") else {
                return Ok(Err(bad("inspection")));
            };
            let Ok(i) = serde_json::from_value::<zhifa_core::inspection::Inspection>(raw.clone())
            else {
                return Ok(Err(bad("inspection")));
            };
            if i.id.to_string() != m.entity_id {
                return Ok(Err(bad("inspection.id")));
            }
            let Some(r) = tx.query_opt(
                "SELECT device_id, township FROM inspection WHERE inspection_id = ?1",
                p![m.entity_id],
            )?
            else {
                return Ok(Err((reject::UNKNOWN_CASE, "服务器上没有此检查".into())));
            };
            if let Err(r) = owned(&r.get::<String>(0)?, &r.get::<String>(1)?, who) {
                return Ok(Err(r));
            }
            others::store_inspection(tx, k, &i, raw, who.device_id, now)?;
            Ok(Ok(()))
        }
        ("task", "snapshot") => {
            let Some(raw) = m.payload.get("task") else {
                return Ok(Err(bad("task")));
            };
            let Ok(t) = serde_json::from_value::<zhifa_core::inspection::task::Task>(raw.clone())
            else {
                return Ok(Err(bad("task")));
            };
            if t.id.to_string() != m.entity_id {
                return Ok(Err(bad("task.id")));
            }
            let Some(r) = tx.query_opt(
                "SELECT township FROM task WHERE task_id = ?1",
                p![m.entity_id],
            )?
            else {
                return Ok(Err((reject::UNKNOWN_CASE, "服务器上没有此任务".into())));
            };
            let township: String = r.get(0)?;
            if township != who.township {
                return Ok(Err((
                    reject::JURISDICTION,
                    format!("任务属地 {township} 不在本执法人员的辖区"),
                )));
            }
            others::store_task(tx, k, &t, raw, who.device_id, now)?;
            Ok(Ok(()))
        }
        (e, o) => Ok(Err((reject::UNSUPPORTED, format!("不支持的变更 {e}.{o}")))),
    }
}

/// An aggregate row's owner and township against the pusher.
fn owned(owner: &str, township: &str, who: &Who<'_>) -> Result<(), Refusal> {
    if owner != who.device_id {
        return Err((reject::NOT_OWNER, "记录属于另一台设备".into()));
    }
    if township != who.township {
        return Err((
            reject::JURISDICTION,
            format!("属地 {township} 不在本设备现执法人员的辖区"),
        ));
    }
    Ok(())
}

/// `case/snapshot {case, timeline}`: the full record and every timeline
/// row of a case the server already knows (it arrived step by step,
/// perhaps without content), from the device that owns it.
fn case_snapshot(
    tx: &mut dyn Conn,
    k: &Keeper,
    who: &Who<'_>,
    batch: &Batch<'_>,
    m: &WireMutation,
    now: DateTime<Utc>,
) -> Result<Result<(), Refusal>, Fail> {
    let Some(raw) = m.payload.get("case") else {
        return Ok(Err(bad("case")));
    };
    let Ok(case) = serde_json::from_value::<Case>(raw.clone()) else {
        return Ok(Err(bad("case")));
    };
    if case.id.to_string() != m.entity_id {
        return Ok(Err(bad("case.id")));
    }
    let timeline: Vec<TimelineEntry> = match m.payload.get("timeline") {
        None => Vec::new(),
        Some(v) => match serde_json::from_value(v.clone()) {
            Ok(t) => t,
            Err(_) => return Ok(Err(bad("timeline"))),
        },
    };
    let Some(r) = tx.query_opt(
        "SELECT device_id, township FROM cases WHERE case_id = ?1",
        p![m.entity_id],
    )?
    else {
        return Ok(Err((reject::UNKNOWN_CASE, "服务器上没有此案件".into())));
    };
    if let Err(r) = owned(&r.get::<String>(0)?, &r.get::<String>(1)?, who) {
        return Ok(Err(r));
    }
    let by = Pushed {
        device_id: who.device_id,
        officer_id: who.officer_id,
        batch_id: batch.batch_id,
        signature: batch.signature,
        device_seq: m.seq,
        payload_sha256: &m.payload_sha256,
    };
    for e in &timeline {
        cases::store_event(tx, k, &m.entity_id, e, &by, "snapshot", now)?;
    }
    cases::store(tx, k, &case, raw, who.device_id, now)?;
    Ok(Ok(()))
}
