//! Joint inspections (综合查一次) as durable records in the device store.
//!
//! An inspection visits one place and party under one or more scenarios
//! of the catalogue and works through their merged checklist
//! ([`checklist`]): every item is checked once however many scenarios (and
//! departments) list it — “进一次门、查多项事”. Each item is marked pass,
//! fail or not applicable with a note and evidence. A failed item gets one
//! outcome:
//!
//! - **an order to correct** (责令（限期）改正, 行政处罚法 Art. 28): a
//!   pre-numbered 责令改正通知书 whose deadline is computed from the item's
//!   period and the working-day calendar (民事诉讼法 Art. 85 ¶3: a period
//!   ending on a rest day ends on the next working day), plus a follow-up
//!   check (复查) task due on the first working day after the deadline;
//! - **a simple-procedure case** (简易程序, Art. 51) opened in
//!   [`crate::case`] with the party, facts and place already recorded;
//! - **a referral** (案件移送) to the owning department, when the township
//!   does not hold the matter (Art. 18, 23: a penalty only by the body that
//!   holds the power) or the officer decides the department must handle it.
//!
//! Orders and cases need the township to hold the item's matter on the
//! inspection date; otherwise only a referral is accepted. Finishing needs
//! every item checked and every failed item decided, and produces the
//! 现场检查（勘验）笔录 (docs/law/documents.md) with each finding, its department
//! and outcome, and the evidence list with SHA-256 values; the orders'
//! documents are made at the same time with the party's signature.
//!
//! Every accepted step is one IMMEDIATE transaction writing the state, one
//! timeline row and one outbox record (`entity = "inspection"`; see
//! docs/PROTOCOL.md), so each finding reaches the server — and from there
//! its department — exactly once. Time is passed in; printed times are
//! Beijing time.

pub mod checklist;
pub mod task;

use chrono::{DateTime, Days, NaiveDate, NaiveDateTime, SecondsFormat, Utc};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;
use zhifa_protocol::mutation;

pub use checklist::{ChecklistItem, ScenarioInfo, checklist, merge, scenarios};
pub use task::{Task, TaskKind, TaskStatus};

use crate::ErrorCode;
use crate::case::config::SERIES_ORDER;
use crate::case::outbox::{self, OutboxEntry};
use crate::case::{self, CaseError, CaseOfficer, CaseParty, NewCase, beijing, uuid_v7};
use crate::catalogue::CatalogueError;
use crate::document::model::{
    Authority, DocumentData, EvidenceItem, InspectionRecord, Officer as DocOfficer, OrderToCorrect,
    PartySignature,
};
use crate::rules::assess::PartyKind;
use crate::rules::calendar;
use crate::store::{Store, StoreError};

// ---------------------------------------------------------------------------
// Errors

/// Errors of inspections and tasks.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InspectionError {
    /// No inspection has this id.
    #[error("检查记录不存在: {0}")]
    NotFound(Uuid),
    /// An inspection with this id exists already.
    #[error("检查记录已存在: {0}")]
    Exists(Uuid),
    /// The id is not a UUIDv7.
    #[error("检查记录编号必须是 UUIDv7: {0}")]
    InvalidId(Uuid),
    /// No scenario was chosen.
    #[error("至少选择一个检查场景")]
    NoScenario,
    /// The scenario is not in the release in force.
    #[error("检查场景 {code} 不在目录 {release} 中")]
    UnknownScenario {
        /// The code asked for.
        code: String,
        /// The release in force.
        release: String,
    },
    /// The item is not on this inspection's checklist.
    #[error("检查事项 {0} 不在本次检查清单中")]
    UnknownItem(String),
    /// The inspection is finished; nothing more may be recorded.
    #[error("检查已结束，不能再修改")]
    Finished,
    /// The item's outcome was decided; its result can no longer change.
    #[error("检查事项 {0} 已作出处理，结果不能再修改")]
    ResultLocked(String),
    /// Only a failed item gets an outcome.
    #[error("检查事项 {0} 未判定为不符合，不能作出处理")]
    NotFailed(String),
    /// The failed item has its outcome already.
    #[error("检查事项 {0} 已作出处理")]
    OutcomeExists(String),
    /// The township does not hold the matter: the finding must be referred.
    #[error("本镇街在 {date} 不能办理检查事项 {item} 对应的执法事项{}，应移送{department}（案件移送）", .matter.as_deref().map(|m| format!(" {m}")).unwrap_or_default())]
    MustRefer {
        /// The item.
        item: String,
        /// Its matter, if the catalogue has one.
        matter: Option<String>,
        /// The department to refer to.
        department: String,
        /// The inspection date.
        date: NaiveDate,
    },
    /// Items are unchecked or failed items undecided.
    #[error("尚有 {unchecked} 项未检查、{undecided} 项不符合事项未处理，不能结束检查")]
    Incomplete {
        /// Items without a result.
        unchecked: usize,
        /// Failed items without an outcome.
        undecided: usize,
    },
    /// A required field is empty.
    #[error("必填项为空: {0}")]
    FieldRequired(&'static str),
    /// An evidence id is not recorded on this device.
    #[error("证据 {0} 不存在")]
    UnknownEvidence(Uuid),
    /// No task has this id.
    #[error("任务不存在: {0}")]
    TaskNotFound(Uuid),
    /// The task's status does not allow the step.
    #[error("任务状态为 {status}，不能{step}")]
    TaskState {
        /// The task's status.
        status: &'static str,
        /// The step asked.
        step: &'static str,
    },
    /// A case-layer error (officers, numbers, outbox, the simple case).
    #[error(transparent)]
    Case(#[from] CaseError),
    /// An officer's signature could not be applied (PIN, image).
    #[error(transparent)]
    OfficerSign(#[from] crate::case::officer_sign::OfficerSignError),
    /// A catalogue error.
    #[error(transparent)]
    Catalogue(#[from] CatalogueError),
    /// The calendar does not cover a deadline.
    #[error("工作日历不覆盖期限: {0}")]
    Calendar(String),
    /// A stored record does not decode.
    #[error("检查记录损坏: {0}")]
    Corrupt(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<rusqlite::Error> for InspectionError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Store(StoreError::Sqlite(e))
    }
}

impl ErrorCode for InspectionError {
    fn code(&self) -> &'static str {
        match self {
            Self::OfficerSign(e) => e.code(),
            Self::NotFound(_) => "INSPECTION_NOT_FOUND",
            Self::Exists(_) => "INSPECTION_EXISTS",
            Self::InvalidId(_) => "INSPECTION_INVALID_ID",
            Self::NoScenario => "INSPECTION_NO_SCENARIO",
            Self::UnknownScenario { .. } => "INSPECTION_UNKNOWN_SCENARIO",
            Self::UnknownItem(_) => "INSPECTION_UNKNOWN_ITEM",
            Self::Finished => "INSPECTION_FINISHED",
            Self::ResultLocked(_) => "INSPECTION_RESULT_LOCKED",
            Self::NotFailed(_) => "INSPECTION_NOT_FAILED",
            Self::OutcomeExists(_) => "INSPECTION_OUTCOME_EXISTS",
            Self::MustRefer { .. } => "INSPECTION_MUST_REFER",
            Self::Incomplete { .. } => "INSPECTION_INCOMPLETE",
            Self::FieldRequired(_) => "INSPECTION_FIELD_REQUIRED",
            Self::UnknownEvidence(_) => "INSPECTION_UNKNOWN_EVIDENCE",
            Self::TaskNotFound(_) => "TASK_NOT_FOUND",
            Self::TaskState { .. } => "TASK_ILLEGAL_STEP",
            Self::Case(e) => e.code(),
            Self::Catalogue(e) => e.code(),
            Self::Calendar(_) => "INSPECTION_CALENDAR",
            Self::Corrupt(_) => "INSPECTION_CORRUPT",
            Self::Store(e) => e.code(),
        }
    }
}

// ---------------------------------------------------------------------------
// Records

/// The result of checking one item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// 符合.
    Pass,
    /// 不符合.
    Fail,
    /// 不适用 (e.g. the shop sells no tobacco).
    NotApplicable,
}

impl Verdict {
    /// The Chinese label.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Pass => "符合",
            Self::Fail => "不符合",
            Self::NotApplicable => "不适用",
        }
    }
}

/// What was found for one item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemResult {
    /// Pass, fail or not applicable.
    pub verdict: Verdict,
    /// What was seen (required for a failure).
    pub note: String,
    /// Evidence ids captured on this device.
    pub evidence: Vec<Uuid>,
    /// When recorded (Beijing time).
    pub at: NaiveDateTime,
}

/// The outcome of a failed item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Outcome {
    /// 责令（限期）改正 (行政处罚法 Art. 28).
    OrderToCorrect {
        /// The order's number (the township's order series).
        number: String,
        /// 改正要求.
        requirement: String,
        /// The last day to correct, computed.
        deadline: NaiveDate,
        /// The follow-up check (复查) task.
        follow_up_task: Uuid,
        /// When the follow-up is due.
        follow_up_due: NaiveDate,
    },
    /// A simple-procedure case opened from the finding.
    SimpleCase {
        /// The case id.
        case_id: Uuid,
    },
    /// 案件移送 to the owning department.
    Referral {
        /// The referral's id.
        referral_id: Uuid,
        /// The receiving department's code.
        department: String,
        /// Its name.
        department_name: String,
        /// Why it is referred.
        reason: String,
    },
}

impl Outcome {
    /// The stable kind name.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::OrderToCorrect { .. } => "order_to_correct",
            Self::SimpleCase { .. } => "simple_case",
            Self::Referral { .. } => "referral",
        }
    }
}

/// One checklist item with its result and outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// The item as copied from the catalogue.
    pub item: ChecklistItem,
    /// The result, once checked.
    pub result: Option<ItemResult>,
    /// The outcome of a failure, once decided.
    pub outcome: Option<Outcome>,
}

/// Where an inspection stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InspectionStatus {
    /// Being worked through.
    Open,
    /// Record made; nothing more may change.
    Finished,
}

impl InspectionStatus {
    fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Finished => "finished",
        }
    }
}

/// A scenario as recorded on the inspection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScenarioRef {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
}

/// The record made when an inspection finishes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FinishRecord {
    /// 检查结束时间 (Beijing).
    pub ended_at: NaiveDateTime,
    /// The 现场检查（勘验）笔录.
    pub record: InspectionRecord,
    /// SHA-256 of the record's canonical fields.
    pub record_sha256: String,
    /// The 责令改正通知书 of the orders, in checklist order.
    pub orders: Vec<OrderToCorrect>,
    /// The officers' signatures applied (after each one's PIN) to the
    /// record and to each order: which officer, which document, when.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub officer_signatures: Vec<crate::case::OfficerSignatureRecord>,
}

/// One officer's consent to sign the inspection's documents at finish:
/// the PIN and, on first need, the signature to keep.
#[derive(Debug, Clone, Copy)]
pub struct OfficerConsent<'a> {
    /// The officer id (one of the inspection's two).
    pub officer_id: &'a str,
    /// The officer's PIN.
    pub pin: &'a str,
    /// A signature to keep first (captured once), if none is stored yet.
    pub new_png: Option<&'a [u8]>,
}

/// One inspection, with every step's record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Inspection {
    /// UUIDv7.
    pub id: Uuid,
    /// Township code.
    pub township: String,
    /// The catalogue release in force on the inspection date.
    pub release_id: String,
    /// Status.
    pub status: InspectionStatus,
    /// 1 at start, +1 per accepted step.
    pub version: u64,
    /// The two officers (行政处罚法 Art. 42, 55).
    pub officers: [CaseOfficer; 2],
    /// 检查地点/场所.
    pub place: String,
    /// The party inspected.
    pub party: CaseParty,
    /// The scenarios.
    pub scenarios: Vec<ScenarioRef>,
    /// The task this inspection handles, if any.
    pub task_id: Option<Uuid>,
    /// 检查开始时间 (Beijing).
    pub started_at: NaiveDateTime,
    /// The merged checklist with results.
    pub findings: Vec<Finding>,
    /// Set when finished.
    pub finish: Option<FinishRecord>,
}

impl Inspection {
    /// The departments of the checklist, in first-appearance order.
    pub fn departments(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for f in &self.findings {
            if !out.contains(&f.item.department) {
                out.push(f.item.department.clone());
            }
        }
        out
    }

    fn finding_mut(&mut self, item: &str) -> Result<&mut Finding, InspectionError> {
        self.findings
            .iter_mut()
            .find(|f| f.item.code == item)
            .ok_or_else(|| InspectionError::UnknownItem(item.to_owned()))
    }
}

/// What [`start`] needs.
#[derive(Debug, Clone)]
pub struct NewInspection {
    /// A UUIDv7 made by the caller.
    pub id: Uuid,
    /// Township code.
    pub township: String,
    /// The two officers' ids.
    pub officers: [String; 2],
    /// 检查地点/场所.
    pub place: String,
    /// The party.
    pub party: CaseParty,
    /// Scenario codes, in the order to merge.
    pub scenarios: Vec<String>,
    /// The task handled, if any.
    pub task_id: Option<Uuid>,
}

/// The choice of outcome for a failed item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum OutcomeChoice {
    /// Order to correct with this requirement.
    OrderToCorrect {
        /// 改正要求.
        requirement: String,
    },
    /// Open a simple-procedure case.
    SimpleCase,
    /// Refer to the owning department.
    Referral {
        /// Why.
        reason: String,
    },
}

/// What finishing records.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FinishInput {
    /// 记录人.
    pub recorder: String,
    /// 在场人, if not the party.
    #[serde(default)]
    pub present_person: Option<String>,
    /// 见证人.
    #[serde(default)]
    pub witness: Option<String>,
    /// The party's signature (“以上记录属实”) or the refusal.
    pub party_signature: PartySignature,
}

// ---------------------------------------------------------------------------
// Reading

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn json_err(e: serde_json::Error) -> InspectionError {
    InspectionError::Corrupt(e.to_string())
}

fn load(conn: &Connection, id: Uuid) -> Result<Option<Inspection>, InspectionError> {
    let json: Option<String> = conn
        .query_row(
            "SELECT state FROM inspection WHERE id = ?1",
            [id.to_string()],
            |r| r.get(0),
        )
        .optional()?;
    json.map(|j| serde_json::from_str(&j).map_err(json_err))
        .transpose()
}

/// One inspection.
pub fn get(store: &Store, id: Uuid) -> Result<Option<Inspection>, InspectionError> {
    load(store.conn(), id)
}

/// Every inspection, newest first.
pub fn list(store: &Store) -> Result<Vec<Inspection>, InspectionError> {
    let mut st = store
        .conn()
        .prepare("SELECT state FROM inspection ORDER BY created_at DESC, id DESC")?;
    let rows = st.query_map([], |r| r.get::<_, String>(0))?;
    rows.map(|r| serde_json::from_str(&r?).map_err(json_err))
        .collect()
}

/// The 现场检查（勘验）笔录 of a finished inspection, as a document.
pub fn record_document(insp: &Inspection) -> Option<DocumentData> {
    insp.finish
        .as_ref()
        .map(|f| DocumentData::InspectionRecord(f.record.clone()))
}

/// The 责令改正通知书 of a finished inspection, as documents.
pub fn order_documents(insp: &Inspection) -> Vec<DocumentData> {
    insp.finish
        .iter()
        .flat_map(|f| f.orders.iter().cloned().map(DocumentData::OrderToCorrect))
        .collect()
}

// ---------------------------------------------------------------------------
// Writing

/// One step's typed payload (the protocol's `inspection` mutations).
enum StepPayload {
    Start(Box<mutation::InspectionStart>),
    Result(mutation::InspectionResult),
    Outcome(mutation::InspectionOutcome),
    Finish(mutation::InspectionFinish),
}

/// `NaiveDateTime` as serde writes it (`2026-03-03T10:00:00`): chrono's
/// serializer prints its `Debug` form.
fn iso(t: NaiveDateTime) -> String {
    format!("{t:?}")
}

/// Writes the state, one timeline row and one outbox record, on `tx`. The
/// timeline row keeps the step's own fields; the outbox record adds the
/// version and township and (schema 2) the whole inspection after the step.
fn save(
    tx: &Connection,
    insp: &Inspection,
    step: &'static str,
    payload: StepPayload,
    now: DateTime<Utc>,
    first: bool,
) -> Result<(), InspectionError> {
    let state = serde_json::to_string(insp).map_err(json_err)?;
    let at = rfc3339(now);
    if first {
        tx.execute(
            "INSERT INTO inspection (id, township, release_id, status, version, state, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
            params![
                insp.id.to_string(),
                insp.township,
                insp.release_id,
                insp.status.as_str(),
                insp.version as i64,
                state,
                at
            ],
        )?;
    } else {
        tx.execute(
            "UPDATE inspection SET status = ?2, version = ?3, state = ?4, updated_at = ?5 WHERE id = ?1",
            params![
                insp.id.to_string(),
                insp.status.as_str(),
                insp.version as i64,
                state,
                at
            ],
        )?;
    }
    let version = insp.version as i64;
    let record = Some(Box::new(zhifa_protocol::record::InspectionRecord::from(
        insp,
    )));
    // The timeline row: the step's own fields (as before typed payloads).
    // The outbox: the same plus version, township and the whole record.
    let event_of = |v: serde_json::Value| {
        let mut v = v;
        if let serde_json::Value::Object(m) = &mut v {
            m.remove("version");
            m.remove("township");
        }
        v
    };
    macro_rules! finish_payload {
        ($p:ident, $township:expr) => {{
            let event = event_of(serde_json::to_value(&$p).map_err(json_err)?);
            $p.version = version;
            $p.township = $township;
            $p.schema = mutation::SCHEMA;
            $p.inspection = record;
            (event, serde_json::to_value(&$p).map_err(json_err)?)
        }};
    }
    let (event, body) = match payload {
        StepPayload::Start(mut p) => {
            let event = event_of(serde_json::to_value(&p).map_err(json_err)?);
            p.version = version;
            p.township = insp.township.clone();
            p.schema = mutation::SCHEMA;
            p.inspection = record;
            (event, serde_json::to_value(&p).map_err(json_err)?)
        }
        StepPayload::Result(mut p) => finish_payload!(p, Some(insp.township.clone())),
        StepPayload::Outcome(mut p) => finish_payload!(p, Some(insp.township.clone())),
        StepPayload::Finish(mut p) => finish_payload!(p, Some(insp.township.clone())),
    };
    tx.execute(
        "INSERT INTO inspection_event (inspection_id, version, step, payload, at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![insp.id.to_string(), version, step, event.to_string(), at],
    )?;
    outbox::append(
        tx,
        &OutboxEntry {
            entity: mutation::entity::INSPECTION,
            entity_id: insp.id.to_string(),
            op: step,
            payload: body,
        },
        now,
        uuid_v7(now),
    )?;
    Ok(())
}

fn required(field: &'static str, v: &str) -> Result<(), InspectionError> {
    if v.trim().is_empty() {
        Err(InspectionError::FieldRequired(field))
    } else {
        Ok(())
    }
}

fn check_party(p: &CaseParty) -> Result<(), InspectionError> {
    required("party.name", &p.name)?;
    required("party.id_number", &p.id_number)?;
    required("party.address", &p.address)?;
    if p.kind == PartyKind::Organization {
        required(
            "party.representative",
            p.representative.as_deref().unwrap_or(""),
        )?;
    }
    Ok(())
}

/// Starts an inspection: checks the two officers (Art. 42), binds the
/// release in force today and copies the merged checklist of the scenarios.
pub fn start(
    store: &mut Store,
    new: &NewInspection,
    now: DateTime<Utc>,
) -> Result<Inspection, InspectionError> {
    if new.id.get_version() != Some(uuid::Version::SortRand) {
        return Err(InspectionError::InvalidId(new.id));
    }
    required("place", &new.place)?;
    check_party(&new.party)?;
    let started_at = beijing(now)?;
    let (release_id, items) = checklist(store, started_at.date(), &new.scenarios)?;
    let all = scenarios(store, started_at.date())?;
    let mut refs: Vec<ScenarioRef> = Vec::new();
    for code in &new.scenarios {
        if refs.iter().any(|r| &r.code == code) {
            continue;
        }
        if let Some(s) = all.iter().find(|s| &s.code == code) {
            refs.push(ScenarioRef {
                code: s.code.clone(),
                name: s.name.clone(),
            });
        }
    }
    let tx = store
        .conn_mut()
        .transaction_with_behavior(TransactionBehavior::Immediate)?;
    if load(&tx, new.id)?.is_some() {
        return Err(InspectionError::Exists(new.id));
    }
    let officers = case::check_officers(&tx, &new.officers, &new.township)?;
    let insp = Inspection {
        id: new.id,
        township: new.township.clone(),
        release_id,
        status: InspectionStatus::Open,
        version: 1,
        officers,
        place: new.place.clone(),
        party: new.party.clone(),
        scenarios: refs,
        task_id: new.task_id,
        started_at,
        findings: items
            .into_iter()
            .map(|item| Finding {
                item,
                result: None,
                outcome: None,
            })
            .collect(),
        finish: None,
    };
    let payload = mutation::InspectionStart {
        schema: 1,
        release_id: Some(insp.release_id.clone()),
        place: insp.place.clone(),
        party_kind: Some(zhifa_protocol::record::PartyRecord::from(&insp.party).kind),
        party_name: insp.party.name.clone(),
        officers: vec![insp.officers[0].id.clone(), insp.officers[1].id.clone()],
        scenarios: insp.scenarios.iter().map(|s| s.code.clone()).collect(),
        task_id: insp.task_id.map(|t| t.to_string()),
        started_at: iso(insp.started_at),
        items: insp
            .findings
            .iter()
            .map(|f| mutation::StartItem {
                item: f.item.code.clone(),
                department: f.item.department.clone(),
                department_name: f.item.department_name.clone(),
                subject: f.item.subject.clone(),
            })
            .collect(),
        version: 0,
        township: String::new(),
        inspection: None,
    };
    save(
        &tx,
        &insp,
        "start",
        StepPayload::Start(Box::new(payload)),
        now,
        true,
    )?;
    tx.commit()?;
    Ok(insp)
}

fn open_for_write(conn: &Connection, id: Uuid) -> Result<Inspection, InspectionError> {
    let insp = load(conn, id)?.ok_or(InspectionError::NotFound(id))?;
    if insp.status == InspectionStatus::Finished {
        return Err(InspectionError::Finished);
    }
    Ok(insp)
}

/// Records (or corrects, until an outcome is decided) one item's result.
pub fn record_result(
    store: &mut Store,
    id: Uuid,
    item: &str,
    verdict: Verdict,
    note: &str,
    evidence: &[Uuid],
    now: DateTime<Utc>,
) -> Result<Inspection, InspectionError> {
    if verdict == Verdict::Fail {
        required("note", note)?;
    }
    let at = beijing(now)?;
    let tx = store
        .conn_mut()
        .transaction_with_behavior(TransactionBehavior::Immediate)?;
    let mut insp = open_for_write(&tx, id)?;
    for e in evidence {
        let known: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM evidence WHERE id = ?1)",
            [e.to_string()],
            |r| r.get(0),
        )?;
        if !known {
            return Err(InspectionError::UnknownEvidence(*e));
        }
    }
    let f = insp.finding_mut(item)?;
    if f.outcome.is_some() {
        return Err(InspectionError::ResultLocked(item.to_owned()));
    }
    f.result = Some(ItemResult {
        verdict,
        note: note.trim().to_owned(),
        evidence: evidence.to_vec(),
        at,
    });
    let payload = mutation::InspectionResult {
        schema: 1,
        item: f.item.code.clone(),
        department: Some(f.item.department.clone()),
        verdict: verdict.into(),
        note: Some(note.trim().to_owned()),
        evidence: evidence.to_vec(),
        at: Some(at),
        version: 0,
        township: None,
        inspection: None,
    };
    insp.version += 1;
    save(
        &tx,
        &insp,
        "result",
        StepPayload::Result(payload),
        now,
        false,
    )?;
    tx.commit()?;
    Ok(insp)
}

/// The order's deadline: `days` calendar days after the inspection date,
/// moved off a rest day to the next working day (民事诉讼法 Art. 85 ¶3);
/// and the follow-up (复查) date: the first working day after it.
pub fn correction_dates(
    cal: &crate::catalogue::model::Calendar,
    inspected_on: NaiveDate,
    days: u32,
) -> Result<(NaiveDate, NaiveDate), InspectionError> {
    let cal_err = |e: calendar::CalendarError| InspectionError::Calendar(e.to_string());
    let deadline = calendar::period_end(Some(cal), inspected_on, days, true).map_err(cal_err)?;
    let after = deadline
        .checked_add_days(Days::new(1))
        .ok_or_else(|| InspectionError::Calendar("日期超出范围".into()))?;
    let follow_up = calendar::working_day_on_or_after(cal, after).map_err(cal_err)?;
    Ok((deadline, follow_up))
}

/// Whether the township may enforce the item's matter on `date`.
fn enforceable(
    store: &Store,
    insp: &Inspection,
    item: &ChecklistItem,
    date: NaiveDate,
) -> Result<bool, InspectionError> {
    let Some(code) = &item.matter else {
        return Ok(false);
    };
    let cat = store.catalogue();
    let Some(record) = cat.matter_in_force(code, date)? else {
        return Ok(false);
    };
    Ok(cat.township_may_enforce(&record.release.id, &insp.township, &record.matter, date)?)
}

/// Decides the outcome of a failed item: an order to correct (numbered,
/// with its computed deadline and a 复查 task), a simple-procedure case, or
/// a referral to the owning department.
pub fn decide(
    store: &mut Store,
    id: Uuid,
    item: &str,
    choice: &OutcomeChoice,
    now: DateTime<Utc>,
) -> Result<Inspection, InspectionError> {
    let today = beijing(now)?.date();
    let insp = load(store.conn(), id)?.ok_or(InspectionError::NotFound(id))?;
    if insp.status == InspectionStatus::Finished {
        return Err(InspectionError::Finished);
    }
    let finding = insp
        .findings
        .iter()
        .find(|f| f.item.code == item)
        .ok_or_else(|| InspectionError::UnknownItem(item.to_owned()))?
        .clone();
    match &finding.result {
        Some(r) if r.verdict == Verdict::Fail => {}
        _ => return Err(InspectionError::NotFailed(item.to_owned())),
    }
    if finding.outcome.is_some() {
        return Err(InspectionError::OutcomeExists(item.to_owned()));
    }
    let inspected_on = insp.started_at.date();
    if !matches!(choice, OutcomeChoice::Referral { .. })
        && !enforceable(store, &insp, &finding.item, inspected_on)?
    {
        return Err(InspectionError::MustRefer {
            item: item.to_owned(),
            matter: finding.item.matter.clone(),
            department: finding.item.department_name.clone(),
            date: inspected_on,
        });
    }
    // The simple case is opened first, in its own transactions (the case
    // module owns them); if the link below then fails, the case stays a
    // draft the officer sees in the case list — no data is lost.
    let case_id = if let OutcomeChoice::SimpleCase = choice {
        let case_id = uuid_v7(now);
        let matter = finding.item.matter.clone().unwrap_or_default();
        case::create(
            store,
            &NewCase {
                id: case_id,
                township: insp.township.clone(),
                matter_code: matter,
                violation_time: finding.result.as_ref().map_or(insp.started_at, |r| r.at),
                officers: [insp.officers[0].id.clone(), insp.officers[1].id.clone()],
            },
            now,
        )?;
        let facts = format!(
            "{}（综合查一次现场检查发现：{}）",
            finding.item.violation,
            finding.result.as_ref().map_or("", |r| r.note.as_str())
        );
        case::advance(
            store,
            case_id,
            &case::CaseEvent::RecordPartyAndFacts {
                party: insp.party.clone(),
                facts,
                place: insp.place.clone(),
                act_end: None,
                violation_time: None,
            },
            now,
        )?;
        Some(case_id)
    } else {
        None
    };

    let township = insp.township.clone();
    let calendar_in_force = store.catalogue().calendar_in_force(inspected_on)?;
    let short_name = store
        .catalogue()
        .township(&insp.release_id, &township)?
        .map(|t| t.short_name)
        .ok_or_else(|| CatalogueError::UnknownTownship {
            code: township.clone(),
            release: insp.release_id.clone(),
        })?;
    let tx = store
        .conn_mut()
        .transaction_with_behavior(TransactionBehavior::Immediate)?;
    let mut insp = open_for_write(&tx, id)?;
    let f = insp.finding_mut(item)?;
    if f.outcome.is_some() {
        return Err(InspectionError::OutcomeExists(item.to_owned()));
    }
    let (outcome, step) = match choice {
        OutcomeChoice::OrderToCorrect { requirement } => {
            required("requirement", requirement)?;
            let (deadline, follow_up_due) =
                correction_dates(&calendar_in_force, inspected_on, f.item.correction_days)?;
            let config = case::config::read_config(&tx, &township)?
                .ok_or_else(|| CaseError::NoTownshipConfig(township.clone()))?;
            let template = config.template(SERIES_ORDER)?;
            let year = chrono::Datelike::year(&today);
            let (_, number) =
                case::numbers::consume(&tx, &township, SERIES_ORDER, year, None, now, &|seq| {
                    Ok(template.format(&short_name, &township, year, seq))
                })?;
            let task_id = uuid_v7(now);
            let item_code = f.item.code.clone();
            let department = f.item.department.clone();
            let detail = format!(
                "复查：{}（责令改正通知书 {number}，限 {deadline} 前改正）",
                f.item.subject
            );
            let outcome = Outcome::OrderToCorrect {
                number,
                requirement: requirement.trim().to_owned(),
                deadline,
                follow_up_task: task_id,
                follow_up_due,
            };
            f.outcome = Some(outcome.clone());
            task::insert_follow_up(
                &tx,
                &task::FollowUp {
                    id: task_id,
                    township: township.clone(),
                    place: insp.place.clone(),
                    party_name: insp.party.name.clone(),
                    detail,
                    due_on: follow_up_due,
                    inspection_id: id,
                    item_code,
                    department,
                },
                now,
            )?;
            (outcome, "order")
        }
        OutcomeChoice::SimpleCase => {
            let case_id = case_id.ok_or_else(|| {
                InspectionError::Corrupt("simple case without its case id".into())
            })?;
            let outcome = Outcome::SimpleCase { case_id };
            f.outcome = Some(outcome.clone());
            (outcome, "case")
        }
        OutcomeChoice::Referral { reason } => {
            required("reason", reason)?;
            let outcome = Outcome::Referral {
                referral_id: uuid_v7(now),
                department: f.item.department.clone(),
                department_name: f.item.department_name.clone(),
                reason: reason.trim().to_owned(),
            };
            f.outcome = Some(outcome.clone());
            (outcome, "referral")
        }
    };
    let f = insp.finding_mut(item)?;
    let payload = mutation::InspectionOutcome {
        schema: 1,
        item: f.item.code.clone(),
        department: Some(f.item.department.clone()),
        violation: Some(f.item.violation.clone()),
        matter: f.item.matter.clone(),
        note: f.result.as_ref().map(|r| r.note.clone()),
        outcome: (&outcome).into(),
        version: 0,
        township: None,
        inspection: None,
    };
    insp.version += 1;
    save(&tx, &insp, step, StepPayload::Outcome(payload), now, false)?;
    tx.commit()?;
    Ok(insp)
}

/// `2026年3月3日`, as the documents print dates.
fn date_zh(d: NaiveDate) -> String {
    use chrono::Datelike;
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

fn doc_officers(insp: &Inspection) -> [DocOfficer; 2] {
    insp.officers.clone().map(|o| DocOfficer {
        name: o.name,
        credential_number: o.credential_no,
        signature: None,
    })
}

fn findings_text(insp: &Inspection) -> String {
    let mut lines = Vec::with_capacity(insp.findings.len() + 1);
    let names: Vec<&str> = insp.scenarios.iter().map(|s| s.name.as_str()).collect();
    lines.push(format!(
        "按“综合查一次”{}场景合并清单检查 {} 项，涉及 {} 个部门：",
        names.join("、"),
        insp.findings.len(),
        insp.departments().len()
    ));
    for (i, f) in insp.findings.iter().enumerate() {
        let Some(r) = &f.result else { continue };
        let mut line = format!(
            "{}. 【{}】{}：{}",
            i + 1,
            f.item.department_name,
            f.item.subject,
            r.verdict.label_zh()
        );
        if !r.note.is_empty() {
            line.push_str(&format!("（{}）", r.note));
        }
        match &f.outcome {
            Some(Outcome::OrderToCorrect {
                number, deadline, ..
            }) => line.push_str(&format!(
                "。已责令限期改正（{number}），改正期限至{}",
                date_zh(*deadline)
            )),
            Some(Outcome::SimpleCase { .. }) => line.push_str("。已按简易程序立案处理"),
            Some(Outcome::Referral {
                department_name, ..
            }) => line.push_str(&format!("。已移送{department_name}处理")),
            None => {}
        }
        lines.push(line);
    }
    lines.join("\n")
}

fn evidence_items(
    conn: &Connection,
    insp: &Inspection,
) -> Result<Vec<EvidenceItem>, InspectionError> {
    let mut out = Vec::new();
    let mut seen = Vec::new();
    let mut st =
        conn.prepare("SELECT sha256, original_name, ext, device_time FROM evidence WHERE id = ?1")?;
    for f in &insp.findings {
        for e in f.result.iter().flat_map(|r| &r.evidence) {
            if seen.contains(e) {
                continue;
            }
            seen.push(*e);
            let (sha, name, ext, time): (String, Option<String>, String, String) = st
                .query_row([e.to_string()], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                })
                .optional()?
                .ok_or(InspectionError::UnknownEvidence(*e))?;
            let at = DateTime::parse_from_rfc3339(&time)
                .map_err(|err| InspectionError::Corrupt(format!("evidence time: {err}")))?
                .with_timezone(&Utc);
            out.push(EvidenceItem {
                file_name: name.unwrap_or_else(|| format!("{e}.{ext}")),
                captured_at: beijing(at)?,
                sha256: sha,
            });
        }
    }
    Ok(out)
}

/// Finishes the inspection: every item checked, every failed item decided.
/// Makes the 现场检查（勘验）笔录 and the orders' 责令改正通知书.
pub fn finish(
    store: &mut Store,
    id: Uuid,
    input: &FinishInput,
    now: DateTime<Utc>,
) -> Result<Inspection, InspectionError> {
    finish_with(store, id, input, &[], now)
}

/// [`finish`], signed by both officers: each one's PIN is checked as at
/// sign-in (a wrong one counts toward the lock-out) before anything is
/// written, and each one's stored signature is applied beside the
/// officer's line of the 现场检查（勘验）笔录 and of every 责令改正通知书
/// (行政处罚法 Art. 55; the 笔录 is signed by the inspectors), recorded in
/// [`FinishRecord::officer_signatures`].
pub fn finish_signed(
    store: &mut Store,
    id: Uuid,
    input: &FinishInput,
    consents: &[OfficerConsent<'_>],
    now: DateTime<Utc>,
) -> Result<Inspection, InspectionError> {
    let insp = load(store.conn(), id)?.ok_or(InspectionError::NotFound(id))?;
    let mut signatures = Vec::new();
    for o in &insp.officers {
        let c = consents
            .iter()
            .find(|c| c.officer_id == o.id)
            .ok_or_else(|| CaseError::OfficerSignatureMissing(o.name.clone()))?;
        let s = crate::case::officer_sign::authorize(store, &o.id, c.pin, c.new_png, now)?;
        signatures.push((o.id.clone(), s));
    }
    finish_with(store, id, input, &signatures, now)
}

fn finish_with(
    store: &mut Store,
    id: Uuid,
    input: &FinishInput,
    signatures: &[(String, crate::case::officer_sign::StoredSignature)],
    now: DateTime<Utc>,
) -> Result<Inspection, InspectionError> {
    required("recorder", &input.recorder)?;
    let ended_at = beijing(now)?;
    let township = load(store.conn(), id)?
        .ok_or(InspectionError::NotFound(id))?
        .township;
    let config =
        case::township_config(store, &township)?.ok_or(CaseError::NoTownshipConfig(township))?;
    let tx = store
        .conn_mut()
        .transaction_with_behavior(TransactionBehavior::Immediate)?;
    let mut insp = open_for_write(&tx, id)?;
    let unchecked = insp.findings.iter().filter(|f| f.result.is_none()).count();
    let undecided = insp
        .findings
        .iter()
        .filter(|f| {
            f.result
                .as_ref()
                .is_some_and(|r| r.verdict == Verdict::Fail)
                && f.outcome.is_none()
        })
        .count();
    if unchecked > 0 || undecided > 0 {
        return Err(InspectionError::Incomplete {
            unchecked,
            undecided,
        });
    }
    let authority = Authority {
        name: config.authority_name.clone(),
        entrusted_by: None,
    };
    let party = case::party_details(&insp.party)?;
    let names: Vec<&str> = insp.scenarios.iter().map(|s| s.name.as_str()).collect();
    let record = InspectionRecord {
        number: None,
        authority: authority.clone(),
        cause: format!("“综合查一次”联合检查（{}）", names.join("、")),
        start: insp.started_at,
        end: ended_at,
        place: insp.place.clone(),
        inspectors: doc_officers(&insp),
        recorder: input.recorder.trim().to_owned(),
        party: Some(party.clone()),
        present_person: input.present_person.clone(),
        witness: input.witness.clone(),
        findings: findings_text(&insp),
        evidence: evidence_items(&tx, &insp)?,
        party_signature: input.party_signature.clone(),
        date: ended_at.date(),
    };
    let mut orders = Vec::new();
    for f in &insp.findings {
        if let (
            Some(r),
            Some(Outcome::OrderToCorrect {
                number,
                requirement,
                deadline,
                follow_up_due,
                ..
            }),
        ) = (&f.result, &f.outcome)
        {
            orders.push(OrderToCorrect {
                number: number.clone(),
                authority: authority.clone(),
                party: party.clone(),
                facts: format!(
                    "{}在{}检查中，发现{}：{}",
                    date_zh(insp.started_at.date()),
                    insp.place,
                    f.item.violation,
                    r.note
                ),
                violated_provisions: f.item.basis.clone(),
                // The matter's own clause; the general duty to order
                // correction (行政处罚法 Art. 28 ¶1) only when the item
                // maps to no matter.
                order_basis: if f.item.order_basis.is_empty() {
                    vec!["《中华人民共和国行政处罚法》第二十八条第一款".into()]
                } else {
                    f.item.order_basis.clone()
                },
                requirement: requirement.clone(),
                deadline: *deadline,
                consequence: "逾期不改正的，本机关将依法予以处理。".into(),
                follow_up: Some(format!("本机关将于{}起进行复查。", date_zh(*follow_up_due))),
                officers: doc_officers(&insp),
                party_signature: input.party_signature.clone(),
                date: ended_at.date(),
            });
        }
    }
    let record_sha256 =
        crate::document::document_hash(&DocumentData::InspectionRecord(record.clone()));
    // The officers' signatures beside their lines (the hash covers the
    // lines' text, not the images), each application recorded.
    let mut record = record;
    let mut applied = Vec::new();
    for (i, (officer_id, s)) in signatures.iter().enumerate() {
        let sig = crate::document::model::OfficerSignature {
            png: s.png()?,
            signed_at: ended_at,
        };
        let mut apply = |officers: &mut [DocOfficer; 2], hash: String| {
            if let Some(o) = officers.get_mut(i) {
                o.signature = Some(sig.clone());
            }
            applied.push(crate::case::OfficerSignatureRecord {
                officer_id: officer_id.clone(),
                document_sha256: hash,
                signature_sha256: s.sha256.clone(),
                signed_at: rfc3339(now),
            });
        };
        apply(&mut record.inspectors, record_sha256.clone());
        for order in &mut orders {
            let hash = crate::document::document_hash(&DocumentData::OrderToCorrect(order.clone()));
            apply(&mut order.officers, hash);
        }
    }
    insp.finish = Some(FinishRecord {
        ended_at,
        record,
        record_sha256: record_sha256.clone(),
        orders,
        officer_signatures: applied,
    });
    insp.status = InspectionStatus::Finished;
    insp.version += 1;
    let departments: Vec<mutation::DepartmentCount> = insp
        .departments()
        .into_iter()
        .map(|d| {
            let mine: Vec<&Finding> = insp
                .findings
                .iter()
                .filter(|f| f.item.department == d)
                .collect();
            mutation::DepartmentCount {
                department: d,
                items: mine.len() as u64,
                failed: mine
                    .iter()
                    .filter(|f| {
                        f.result
                            .as_ref()
                            .is_some_and(|r| r.verdict == Verdict::Fail)
                    })
                    .count() as u64,
            }
        })
        .collect();
    let payload = mutation::InspectionFinish {
        schema: 1,
        ended_at: Some(iso(ended_at)),
        record_sha256: Some(record_sha256),
        departments,
        version: 0,
        township: None,
        inspection: None,
    };
    save(
        &tx,
        &insp,
        "finish",
        StepPayload::Finish(payload),
        now,
        false,
    )?;
    tx.commit()?;
    Ok(insp)
}

/// SHA-256 (hex) of bytes — used for the rendered record's file hash.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}
