//! Normal-procedure cases (普通程序) on the device: the officer's part,
//! offline (issue 16 item 2).
//!
//! The device keeps no second copy of a case's log. Its log is what it
//! already holds: the officer's own steps in the outbox (`procedure/event`
//! mutations, `zhifa_protocol::mutation::ProcedureStep`), less those the
//! centre refused (`sync_result` status `rejected`, kept as a conflict for
//! the officer), and the centre's steps from the inbox (`procedure.event`,
//! with their place in the centre's log). Ordered by time — the procedure
//! core only ever appends in time order — they fold to the case's state.
//!
//! [`record`] checks a new officer step with the same core the centre
//! uses, on the township's calendar and settings, before it is queued: a
//! step the law forbids never leaves the device, and the error names the
//! article. Steps that need the centre (立案, the 负责人's approvals, the
//! reviews, the decision) are never recorded here: the case shows them as
//! 待审批 until the answer comes through the inbox.

use chrono::{DateTime, Utc};
use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use zhifa_protocol::mutation::{DocumentRecord, NormalCaseDetails, ProcedureStep, entity};

use super::CaseError;
use super::outbox::{OutboxEntry, append, device_id};
use crate::catalogue::model::Calendar;
use crate::procedure::{
    Actor, CaseState, EventKind, OpenClock, Origin, ProcedureConfig, ProcedureEvent, Role,
    beijing_date, fold, open_clocks,
};
use crate::store::Store;

/// Where one step of the device's log stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "status")]
pub enum StepStatus {
    /// The officer's step, not yet acknowledged by the centre.
    Pending,
    /// The officer's step, accepted by the centre.
    Accepted,
    /// The officer's step, refused by the centre (not in the log).
    Refused {
        /// The centre's reason (naming the article).
        message: String,
    },
    /// A step the centre recorded (its place in the centre's log).
    Centre {
        /// The place.
        seq: i64,
    },
}

/// One step as the device holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocalStep {
    /// The step.
    pub event: ProcedureEvent,
    /// Where it stands.
    pub status: StepStatus,
}

/// A normal-procedure case as the device holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NormalCase {
    /// The case.
    pub case_id: String,
    /// The party, matter and facts (the latest the officer recorded).
    pub details: Option<NormalCaseDetails>,
    /// Every step, in time order (refused ones included, marked).
    pub steps: Vec<LocalStep>,
}

impl NormalCase {
    /// The steps in the log (refused ones left out).
    pub fn log(&self) -> Vec<ProcedureEvent> {
        self.steps
            .iter()
            .filter(|s| !matches!(s.status, StepStatus::Refused { .. }))
            .map(|s| s.event.clone())
            .collect()
    }

    /// The township.
    pub fn township(&self) -> Option<&str> {
        self.details.as_ref().map(|d| d.township.as_str())
    }
}

/// The case `case_id` as the device holds it; `None` when it has no step.
pub fn case(store: &Store, case_id: &str) -> Result<Option<NormalCase>, CaseError> {
    let conn = store.conn();
    let mut steps: Vec<(DateTime<Utc>, i64, LocalStep)> = Vec::new();
    let mut details = None;
    let mut q = conn.prepare(
        "SELECT o.seq, o.payload, r.status, r.message FROM outbox o
         LEFT JOIN sync_result r ON r.device_id = o.device_id AND r.seq = o.seq
         WHERE o.entity = ?1 AND o.entity_id = ?2 ORDER BY o.seq",
    )?;
    let rows = q.query_map([entity::PROCEDURE, case_id], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, Option<String>>(2)?,
            r.get::<_, Option<String>>(3)?,
        ))
    })?;
    for row in rows {
        let (seq, payload, status, message) = row?;
        let step: ProcedureStep = serde_json::from_str(&payload)
            .map_err(|e| CaseError::Corrupt(format!("普通程序步骤 {case_id}#{seq}: {e}")))?;
        let status = match status.as_deref() {
            None => StepStatus::Pending,
            Some("rejected") => StepStatus::Refused {
                message: message.unwrap_or_default(),
            },
            Some(_) => StepStatus::Accepted,
        };
        if let Some(d) = step.details
            && (!matches!(status, StepStatus::Refused { .. }) || details.is_none())
        {
            details = Some(*d);
        }
        steps.push((
            step.event.at,
            0,
            LocalStep {
                event: step.event,
                status,
            },
        ));
    }
    let mut q = conn.prepare(
        "SELECT payload FROM inbox_event WHERE case_id = ?1 AND kind = 'procedure.event' ORDER BY cursor",
    )?;
    let rows = q.query_map([case_id], |r| r.get::<_, String>(0))?;
    for row in rows {
        let v: CentreStep = serde_json::from_str(&row?)
            .map_err(|e| CaseError::Corrupt(format!("中心步骤 {case_id}: {e}")))?;
        steps.push((
            v.event.at,
            v.seq,
            LocalStep {
                event: v.event,
                status: StepStatus::Centre { seq: v.seq },
            },
        ));
    }
    if steps.is_empty() {
        return Ok(None);
    }
    // Time order; on a tie the centre's place, then the device's order.
    steps.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
    Ok(Some(NormalCase {
        case_id: case_id.to_owned(),
        details,
        steps: steps.into_iter().map(|(_, _, s)| s).collect(),
    }))
}

/// What a `procedure.event` inbox event carries.
#[derive(Debug, Deserialize)]
struct CentreStep {
    seq: i64,
    event: ProcedureEvent,
}

/// Every normal-procedure case the device holds, newest first.
pub fn case_ids(store: &Store) -> Result<Vec<String>, CaseError> {
    let mut q = store.conn().prepare(
        "SELECT entity_id, max(seq) AS last FROM outbox WHERE entity = ?1
         GROUP BY entity_id ORDER BY last DESC",
    )?;
    let rows = q.query_map([entity::PROCEDURE], |r| r.get::<_, String>(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The officer the device is enrolled for (the actor of its steps).
pub fn enrolled_officer(store: &Store) -> Result<String, CaseError> {
    store
        .conn()
        .query_row(
            "SELECT officer_id FROM sync_enrolment WHERE singleton = 1",
            [],
            |r| r.get(0),
        )
        .optional()?
        .ok_or_else(|| {
            CaseError::Config("设备尚未登记到中心：普通程序案件由中心审批，须先登记".into())
        })
}

/// The township's procedure settings (its configuration, or the
/// research's defaults, all marked unverified) and the calendar in force
/// on `on`.
pub fn rules_for(
    store: &Store,
    township: &str,
    on: chrono::NaiveDate,
) -> Result<(ProcedureConfig, Calendar), CaseError> {
    let config = super::township_config(store, township)?
        .map(|c| c.procedure)
        .unwrap_or_default();
    let calendar = store.catalogue().calendar_in_force(on)?;
    Ok((config, calendar))
}

/// The state of `c` on the device, and its open clocks.
pub fn state(
    store: &Store,
    c: &NormalCase,
    today: chrono::NaiveDate,
) -> Result<(CaseState, Vec<OpenClock>), CaseError> {
    let township = c
        .township()
        .ok_or_else(|| CaseError::Corrupt(format!("普通程序案件 {} 缺少案件信息", c.case_id)))?;
    let (config, calendar) = rules_for(store, township, today)?;
    let state = fold(&c.log(), &config, &calendar)
        .map_err(|(i, e)| CaseError::Corrupt(format!("第 {} 步不再成立：{e}", i + 1)))?;
    let clocks = open_clocks(&state, &config, &calendar)?;
    Ok((state, clocks))
}

/// Records the officer's step `kind` of case `case_id` at `now` (and, for
/// a new case or new facts, its `details`): checked by the procedure core
/// against the device's log, then queued for the centre. Returns the state
/// after it. A refused step changes nothing; the error names the article.
pub fn record(
    store: &Store,
    case_id: &str,
    kind: EventKind,
    place: Option<String>,
    details: Option<NormalCaseDetails>,
    now: DateTime<Utc>,
) -> Result<CaseState, CaseError> {
    let existing = case(store, case_id)?;
    let (event, state) = match (&existing, &details) {
        (Some(c), d) => {
            if let Some(d) = d
                && c.township() != Some(d.township.as_str())
            {
                return Err(CaseError::Config("案件属地不能更改".into()));
            }
            check(store, c, kind, place, now)?
        }
        (None, Some(d)) => {
            let empty = NormalCase {
                case_id: case_id.to_owned(),
                details: Some(d.clone()),
                steps: Vec::new(),
            };
            check(store, &empty, kind, place, now)?
        }
        (None, None) => return Err(CaseError::FieldRequired("新案件的当事人、事项与案情")),
    };
    queue_step(
        store,
        case_id,
        &ProcedureStep {
            schema: zhifa_protocol::mutation::SCHEMA,
            event,
            details: details.map(Box::new),
        },
        now,
    )?;
    Ok(state)
}

/// The officer's step `kind` of case `c` at `now` as this device records
/// it, checked by the procedure core against the device's log on the
/// township's calendar and settings; with the state after it. Nothing is
/// written.
pub fn check(
    store: &Store,
    c: &NormalCase,
    kind: EventKind,
    place: Option<String>,
    now: DateTime<Utc>,
) -> Result<(ProcedureEvent, CaseState), CaseError> {
    let officer = enrolled_officer(store)?;
    let device = device_id(store.conn())?;
    let township = c
        .township()
        .ok_or_else(|| CaseError::Corrupt(format!("普通程序案件 {} 缺少案件信息", c.case_id)))?;
    let (config, calendar) = rules_for(store, township, beijing_date(now))?;
    let log = c.log();
    let state = fold(&log, &config, &calendar)
        .map_err(|(i, e)| CaseError::Corrupt(format!("第 {} 步不再成立：{e}", i + 1)))?;
    // The step follows everything the device holds: were the device's
    // clock behind the centre's, its time is the millisecond after the
    // last step it knows, so the log's order is the order of the acts.
    let at = match log.last() {
        Some(last) if last.at >= now => last.at + chrono::TimeDelta::milliseconds(1),
        _ => now,
    };
    let mut event = ProcedureEvent::new(
        kind,
        Actor {
            id: officer,
            role: Role::Officer,
        },
        at,
        Origin::Device(device),
    );
    event.place = place;
    let state = crate::procedure::apply(&state, &event, &config, &calendar)?;
    Ok((event, state))
}

/// `at` as Beijing wall-clock time, to the minute (a violation time as
/// an officer records it).
pub fn beijing_minute(at: DateTime<Utc>) -> chrono::NaiveDateTime {
    use chrono::DurationRound;
    let t = (at + chrono::TimeDelta::hours(8)).naive_utc();
    // Truncating to a whole minute cannot overflow a date in range.
    t.duration_trunc(chrono::TimeDelta::minutes(1)).unwrap_or(t)
}

/// Whether a case in `state` waits for the centre (待审批), and for what.
pub fn waiting_for(state: &CaseState) -> Option<String> {
    let w = crate::procedure::waiting::waiting_for(state);
    (!w.is_empty()).then(|| w.join("、"))
}

/// Queues `step` of case `case_id` for the centre; returns its outbox seq.
/// Only the officer's own steps (承办人), recorded on this device.
pub fn queue_step(
    store: &Store,
    case_id: &str,
    step: &ProcedureStep,
    now: DateTime<Utc>,
) -> Result<i64, CaseError> {
    let tx = store.conn().unchecked_transaction()?;
    let seq = queue_step_in(&tx, case_id, step, now)?;
    tx.commit()?;
    Ok(seq)
}

/// [`queue_step`] inside the caller's transaction.
pub fn queue_step_in(
    conn: &rusqlite::Connection,
    case_id: &str,
    step: &ProcedureStep,
    now: DateTime<Utc>,
) -> Result<i64, CaseError> {
    let device = device_id(conn)?;
    if step.event.actor.role != Role::Officer {
        return Err(CaseError::Config(format!(
            "“{}”由中心的{}作出，设备只记录承办人的步骤",
            step.event.kind.label_zh(),
            step.event.actor.role.label_zh()
        )));
    }
    if step.event.origin != Origin::Device(device.clone()) {
        return Err(CaseError::Config("步骤的记录设备不是本设备".into()));
    }
    let payload = serde_json::to_value(step).map_err(|e| CaseError::Config(e.to_string()))?;
    append(
        conn,
        &OutboxEntry {
            entity: entity::PROCEDURE,
            entity_id: case_id.to_owned(),
            op: "event",
            payload,
        },
        now,
        Uuid::now_v7(),
    )
}

/// What the officer gives for a new case; the rest comes from the device.
#[derive(Debug, Clone)]
pub struct NewCaseInput {
    /// The township (9 digits).
    pub township: String,
    /// The catalogue matter code.
    pub matter_code: String,
    /// The party.
    pub party: zhifa_protocol::record::PartyRecord,
    /// Where.
    pub place: String,
    /// When the violation took place (Beijing time).
    pub violation_time: chrono::NaiveDateTime,
    /// The facts as found.
    pub facts: String,
    /// The two officers (ids of the device's officer list).
    pub officers: [String; 2],
    /// The simple-procedure case it converts, if any.
    pub converted_from: Option<String>,
}

/// The case's details from what the officer gives and what the device
/// holds: the matter's name from the catalogue in force on `on`, the
/// officers' names and 执法证号 from the device's officer list, and the
/// deciding authority from the township's configuration. The court of a
/// suit is the basic people's court of the district (行政诉讼法 Art. 14,
/// 18: the court where the deciding authority sits).
pub fn details(
    store: &Store,
    input: NewCaseInput,
    on: chrono::NaiveDate,
) -> Result<NormalCaseDetails, CaseError> {
    let cat = store.catalogue();
    let release = cat.release_in_force(on)?;
    let matter = cat
        .matter(release.clone(), &input.matter_code, on)?
        .ok_or_else(|| CaseError::MatterNotInForce {
            matter: input.matter_code.clone(),
            date: on,
        })?;
    let township = cat
        .township(&release.id, &input.township)?
        .ok_or_else(|| CaseError::NoTownshipConfig(input.township.clone()))?;
    let config = super::township_config(store, &input.township)?
        .ok_or_else(|| CaseError::NoTownshipConfig(input.township.clone()))?;
    if input.officers[0] == input.officers[1] {
        return Err(CaseError::OfficersNotTwo);
    }
    let mut officers = Vec::with_capacity(2);
    for id in &input.officers {
        let row: Option<(String, String)> = store
            .conn()
            .query_row(
                "SELECT name, credential_no FROM officer WHERE id = ?1 AND active = 1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let (name, credential_no) = row.ok_or_else(|| CaseError::OfficerNotQualified {
            id: id.clone(),
            reason: "不在本设备的执法人员名单中或已停用",
        })?;
        officers.push(zhifa_protocol::record::OfficerRecord {
            id: id.clone(),
            name,
            credential_no,
        });
    }
    for (what, v) in [
        ("当事人姓名或名称", &input.party.name),
        ("案情", &input.facts),
        ("地点", &input.place),
    ] {
        if v.trim().is_empty() {
            return Err(CaseError::InvalidField {
                field: what,
                reason: "不能为空".into(),
            });
        }
    }
    Ok(NormalCaseDetails {
        township: input.township,
        party: input.party,
        matter_code: input.matter_code,
        matter_name: matter.matter.name,
        place: input.place,
        violation_time: input.violation_time,
        facts: input.facts,
        officers,
        converted_from: input.converted_from,
        authority: zhifa_protocol::mutation::AuthorityDetails {
            name: config.authority_name,
            short_name: township.short_name,
            reconsideration_body: config.reconsideration_body,
            court: format!("重庆市{}人民法院", config.district),
            payment_channel: config.payment.channel,
        },
    })
}

/// A document the device announced for a case, and where it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseDocument {
    /// What the device announced.
    pub record: DocumentRecord,
    /// `None` before the centre answered; `Some(true)` accepted,
    /// `Some(false)` refused.
    pub accepted: Option<bool>,
}

/// The documents the device announced for `case_id`, oldest first.
pub fn documents(store: &Store, case_id: &str) -> Result<Vec<CaseDocument>, CaseError> {
    let mut q = store.conn().prepare(
        "SELECT o.payload, r.status FROM outbox o
         LEFT JOIN sync_result r ON r.device_id = o.device_id AND r.seq = o.seq
         WHERE o.entity = 'document' AND substr(o.entity_id, 1, length(?1) + 1) = ?1 || ':'
         ORDER BY o.seq",
    )?;
    let rows = q.query_map([case_id], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (payload, status) = row?;
        let record: DocumentRecord = serde_json::from_str(&payload)
            .map_err(|e| CaseError::Corrupt(format!("文书记录 {case_id}: {e}")))?;
        out.push(CaseDocument {
            record,
            accepted: status.map(|s| s != "rejected"),
        });
    }
    Ok(out)
}
