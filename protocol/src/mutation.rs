//! Typed mutations: one payload type per entity/op a device pushes.
//!
//! A [`crate::wire::WireMutation`] carries `entity`, `op` and a JSON
//! `payload`; [`Mutation::decode`] turns the three into one typed value, or
//! a [`Reject`] with a stable code (`unsupported_mutation` for an unknown
//! entity/op, `invalid_payload` for a payload that is not its type). The
//! device's writers serialize these same types, so what a device asserts
//! to the centre has one definition.
//!
//! **Schema versions.** Every payload may carry `schema` (absent = 1, the
//! payloads devices wrote before typed mutations). A server accepts every
//! schema up to [`SCHEMA`]; an older device keeps syncing with a newer
//! server, and a payload of a newer schema than the server knows is
//! refused as `invalid_payload` (kept in the ledger for review). Unknown
//! fields are ignored, so a field added within a schema does not break an
//! older reader.
//!
//! The full record after the step: `case` on case create/advance
//! ([`CaseRecord`]; schema-1 devices of the `record` release already send
//! it untyped, with the same JSON), and with schema 2 `inspection` on
//! inspection steps ([`InspectionRecord`]) and `task` on task ops
//! ([`TaskRecord`]). The `snapshot` ops (`case/snapshot {case, timeline}`,
//! `inspection/snapshot {inspection}`, `task/snapshot {task}`) carry a
//! whole record on its own: idempotent backfill for devices that synced
//! under a server that kept only status. `document/record` announces a
//! document the device issued (the served decision's PDF). Voiding a case
//! is a `case/advance` whose step is `void`.

use chrono::{NaiveDate, NaiveDateTime};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::{Reject, RejectCode};
use crate::record::{
    CaseRecord, CaseStatus, InspectionRecord, OutcomeRecord, TaskKind, TaskRecord,
    TaskReportRecord, TimelineEntryRecord, Verdict,
};

/// The newest payload schema this crate writes and reads.
pub const SCHEMA: u32 = 2;

fn schema_1() -> u32 {
    1
}

fn is_schema_1(s: &u32) -> bool {
    *s == 1
}

// ---------------------------------------------------------------------------
// Entities and ops (the stable names on the wire)

/// Entity names.
pub mod entity {
    /// A case (简易程序).
    pub const CASE: &str = "case";
    /// An evidence item.
    pub const EVIDENCE: &str = "evidence";
    /// A number lease the device holds.
    pub const NUMBER_LEASE: &str = "number_lease";
    /// A document number used or voided.
    pub const ISSUED_NUMBER: &str = "issued_number";
    /// A provisional document number printed when no lease was left.
    pub const PROVISIONAL_NUMBER: &str = "provisional_number";
    /// A township's device-local configuration (ledger only).
    pub const TOWNSHIP_CONFIG: &str = "township_config";
    /// A joint inspection (综合查一次).
    pub const INSPECTION: &str = "inspection";
    /// A task.
    pub const TASK: &str = "task";
    /// A document issued for a case (the served decision as a PDF …).
    pub const DOCUMENT: &str = "document";
    /// A normal-procedure case's step (普通程序).
    pub const PROCEDURE: &str = "procedure";
}

// ---------------------------------------------------------------------------
// Case

/// `case/create`: the case as created. `event` is the creation record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseCreate {
    /// Payload schema (absent = 1).
    #[serde(default = "schema_1", skip_serializing_if = "is_schema_1")]
    pub schema: u32,
    /// What was created.
    pub event: CaseCreated,
    /// Always `create`.
    #[serde(default)]
    pub kind: Option<String>,
    /// Always `null`.
    #[serde(default)]
    pub from: Option<CaseStatus>,
    /// The status after creation (`draft`).
    #[serde(default)]
    pub to: Option<CaseStatus>,
    /// The case version (1).
    #[serde(default)]
    pub version: Option<u64>,
    /// Schema 2: the whole case after creation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case: Option<Box<CaseRecord>>,
}

/// The creation record of a case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseCreated {
    /// Township code.
    pub township: String,
    /// Matter code.
    pub matter_code: String,
    /// The catalogue release bound (Art. 37).
    pub release_id: String,
    /// 违法时间 (Beijing).
    #[serde(default)]
    pub violation_time: Option<NaiveDateTime>,
    /// The two officers' ids (Art. 42).
    #[serde(default)]
    pub officers: Vec<String>,
}

/// `case/advance`: one step of a case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseAdvance {
    /// Payload schema (absent = 1).
    #[serde(default = "schema_1", skip_serializing_if = "is_schema_1")]
    pub schema: u32,
    /// The step's input as the device applied it (the device's `CaseEvent`,
    /// tagged by `event`).
    pub event: CaseStepEvent,
    /// The step's name (`record_party_and_facts`, `attach_evidence`, …).
    pub kind: String,
    /// The status before.
    #[serde(default)]
    pub from: Option<CaseStatus>,
    /// The status after.
    pub to: CaseStatus,
    /// The case version after the step (the stored one + 1).
    pub version: i64,
    /// Schema 2: the whole case after the step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case: Option<Box<CaseRecord>>,
}

/// The step name of [`CaseAdvance`] that attaches evidence.
pub const ATTACH_EVIDENCE: &str = "attach_evidence";

impl CaseAdvance {
    /// Whether the step attaches evidence (it then writes more than the
    /// case row on the server).
    pub fn is_attach(&self) -> bool {
        self.kind == ATTACH_EVIDENCE
    }
}

/// The input of one case step. Its fields are the device's `CaseEvent`
/// (the rules interpret them); the protocol names the tag and the evidence
/// ids the server links, and keeps the rest as the device sent it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseStepEvent {
    /// The step's tag (same as [`CaseAdvance::kind`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<String>,
    /// `attach_evidence`: the evidence ids attached.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence_ids: Option<Vec<String>>,
    /// The step's other fields.
    #[serde(flatten)]
    pub detail: serde_json::Map<String, serde_json::Value>,
}

/// `case/snapshot {case, timeline}`: the whole case and every row of its
/// timeline, sent once for backfill by a device that synced under a server
/// that kept only the status (`zhifa_core::case::archive`). Idempotent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseSnapshot {
    /// Payload schema (absent = 1).
    #[serde(default = "schema_1", skip_serializing_if = "is_schema_1")]
    pub schema: u32,
    /// The whole case.
    pub case: CaseRecord,
    /// Its timeline, oldest first.
    #[serde(default)]
    pub timeline: Vec<TimelineEntryRecord>,
}

/// `inspection/snapshot {inspection}`: the whole inspection, sent once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InspectionSnapshot {
    /// Payload schema (absent = 1).
    #[serde(default = "schema_1", skip_serializing_if = "is_schema_1")]
    pub schema: u32,
    /// The whole inspection.
    pub inspection: InspectionRecord,
}

/// `task/snapshot {task}`: the whole task, sent once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskSnapshot {
    /// Payload schema (absent = 1).
    #[serde(default = "schema_1", skip_serializing_if = "is_schema_1")]
    pub schema: u32,
    /// The whole task.
    pub task: TaskRecord,
}

/// The mutations of a case.
#[derive(Debug, Clone, PartialEq)]
pub enum CaseMutation {
    /// `create`.
    Create(CaseCreate),
    /// `advance`.
    Advance(CaseAdvance),
    /// `snapshot`.
    Snapshot(Box<CaseSnapshot>),
}

// ---------------------------------------------------------------------------
// Evidence

/// `evidence/record`: an evidence item captured (written by the device's
/// `evidence_to_outbox` trigger).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvidenceRecord {
    /// Payload schema (absent = 1).
    #[serde(default = "schema_1", skip_serializing_if = "is_schema_1")]
    pub schema: u32,
    /// The case it belongs to, if any yet.
    #[serde(default)]
    pub case_id: Option<String>,
    /// `photo`, `audio`, `video`, `document`, …
    #[serde(default)]
    pub kind: Option<String>,
    /// The media type.
    pub media_type: String,
    /// SHA-256 (hex) of the original.
    pub sha256: String,
    /// Size in bytes.
    pub size: i64,
    /// The device's evidence sequence number.
    #[serde(default)]
    pub seq: Option<i64>,
    /// Capture time on the device.
    #[serde(default)]
    pub device_time: Option<String>,
    /// The hash chaining this record to the previous one.
    #[serde(default)]
    pub record_hash: Option<String>,
    /// The device's signature over `record_hash`.
    #[serde(default)]
    pub signature: Option<String>,
}

impl EvidenceRecord {
    /// Whether `sha256` is 64 hex digits.
    pub fn sha256_is_hex(&self) -> bool {
        self.sha256.len() == 64 && self.sha256.bytes().all(|b| b.is_ascii_hexdigit())
    }
}

// ---------------------------------------------------------------------------
// Numbers

/// `number_lease/grant`: a lease the device holds (the device's `Lease`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeaseGrant {
    /// Payload schema (absent = 1).
    #[serde(default = "schema_1", skip_serializing_if = "is_schema_1")]
    pub schema: u32,
    /// Lease id.
    #[serde(default)]
    pub id: Option<Uuid>,
    /// Township code.
    pub township: String,
    /// Series.
    pub series: String,
    /// Year.
    pub year: i64,
    /// First number, inclusive.
    pub start: i64,
    /// Last number, inclusive.
    pub end: i64,
    /// The next number never handed out.
    #[serde(default)]
    pub next: Option<i64>,
    /// Who granted it (`server`, `local_admin`, …).
    #[serde(default)]
    pub source: Option<String>,
}

/// Whether a number was used or voided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NumberStatus {
    /// Printed on a document.
    Used,
    /// Voided (stays on record, never reissued).
    Voided,
}

impl NumberStatus {
    /// The stable snake_case name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Used => "used",
            Self::Voided => "voided",
        }
    }
}

/// The op of an [`NumberUse`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberOp {
    /// `use` (the trigger on every consumed number).
    Use,
    /// `issue` (an explicit issue).
    Issue,
    /// `void`.
    Void,
}

impl NumberOp {
    /// The op name on the wire.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Use => "use",
            Self::Issue => "issue",
            Self::Void => "void",
        }
    }
}

/// `issued_number/{use,issue,void}`: a document number used or voided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NumberUse {
    /// Payload schema (absent = 1).
    #[serde(default = "schema_1", skip_serializing_if = "is_schema_1")]
    pub schema: u32,
    /// Township code.
    pub township: String,
    /// Series.
    pub series: String,
    /// Year.
    pub year: i64,
    /// Serial.
    pub seq: i64,
    /// Printed form (empty for a number voided before it was printed).
    #[serde(default)]
    pub formatted: Option<String>,
    /// `used` or `voided`; absent = used.
    #[serde(default)]
    pub status: Option<NumberStatus>,
    /// The case that used it.
    #[serde(default)]
    pub case_id: Option<String>,
    /// Why it was voided.
    #[serde(default)]
    pub void_reason: Option<String>,
}

impl NumberUse {
    /// The status the op asserts: `void` always voids; otherwise the
    /// payload's status, absent = used.
    pub fn desired(&self, op: NumberOp) -> NumberStatus {
        match op {
            NumberOp::Void => NumberStatus::Voided,
            _ => self.status.unwrap_or(NumberStatus::Used),
        }
    }
}

/// `provisional_number/issue`: a provisional document number printed when
/// no leased number was left (sync.md §5, §9.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProvisionalIssue {
    /// Payload schema (absent = 1).
    #[serde(default = "schema_1", skip_serializing_if = "is_schema_1")]
    pub schema: u32,
    /// The provisional number as printed.
    pub provisional: String,
    /// The device's provisional serial.
    pub device_seq: i64,
    /// Township code.
    pub township: String,
    /// Series.
    pub series: String,
    /// Year.
    pub year: i64,
    /// The case it was printed on.
    #[serde(default)]
    pub case_id: Option<String>,
    /// The numbering template the device printed under.
    pub template: String,
    /// The township's short name.
    pub short_name: String,
    /// When issued (RFC 3339).
    #[serde(default)]
    pub issued_at: Option<String>,
}

/// The number mutations.
#[derive(Debug, Clone, PartialEq)]
pub enum NumberMutation {
    /// `number_lease/grant`.
    LeaseGrant(LeaseGrant),
    /// `issued_number/{use,issue,void}`.
    Use(NumberOp, NumberUse),
    /// `provisional_number/issue`.
    Provisional(ProvisionalIssue),
}

// ---------------------------------------------------------------------------
// Inspection

/// One checklist item as announced at the start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StartItem {
    /// Item code.
    pub item: String,
    /// Owning department's code.
    pub department: String,
    /// Its name.
    pub department_name: String,
    /// 检查内容.
    pub subject: String,
}

/// `inspection/start`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InspectionStart {
    /// Payload schema (absent = 1).
    #[serde(default = "schema_1", skip_serializing_if = "is_schema_1")]
    pub schema: u32,
    /// The catalogue release in force.
    #[serde(default)]
    pub release_id: Option<String>,
    /// 检查地点/场所.
    pub place: String,
    /// `individual` or `organization`.
    #[serde(default)]
    pub party_kind: Option<String>,
    /// The party's name.
    pub party_name: String,
    /// The two officers' ids.
    #[serde(default)]
    pub officers: Vec<String>,
    /// Scenario codes.
    #[serde(default)]
    pub scenarios: Vec<String>,
    /// The task handled, if any.
    #[serde(default)]
    pub task_id: Option<String>,
    /// 检查开始时间 (Beijing).
    pub started_at: String,
    /// The merged checklist.
    pub items: Vec<StartItem>,
    /// The inspection version (1).
    #[serde(default)]
    pub version: i64,
    /// Township code.
    pub township: String,
    /// Schema 2: the whole inspection after the step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inspection: Option<Box<InspectionRecord>>,
}

/// `inspection/result`: one item's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InspectionResult {
    /// Payload schema (absent = 1).
    #[serde(default = "schema_1", skip_serializing_if = "is_schema_1")]
    pub schema: u32,
    /// Item code.
    pub item: String,
    /// Owning department.
    #[serde(default)]
    pub department: Option<String>,
    /// Pass, fail or not applicable.
    pub verdict: Verdict,
    /// What was seen.
    #[serde(default)]
    pub note: Option<String>,
    /// Evidence ids.
    #[serde(default)]
    pub evidence: Vec<Uuid>,
    /// When recorded (Beijing).
    #[serde(default)]
    pub at: Option<NaiveDateTime>,
    /// The inspection version after the step.
    #[serde(default)]
    pub version: i64,
    /// Township code.
    #[serde(default)]
    pub township: Option<String>,
    /// Schema 2: the whole inspection after the step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inspection: Option<Box<InspectionRecord>>,
}

/// `inspection/{order,case,referral}`: a failed item's outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InspectionOutcome {
    /// Payload schema (absent = 1).
    #[serde(default = "schema_1", skip_serializing_if = "is_schema_1")]
    pub schema: u32,
    /// Item code.
    pub item: String,
    /// Owning department.
    #[serde(default)]
    pub department: Option<String>,
    /// The violation a failure means.
    #[serde(default)]
    pub violation: Option<String>,
    /// The catalogue matter, if any.
    #[serde(default)]
    pub matter: Option<String>,
    /// The result's note.
    #[serde(default)]
    pub note: Option<String>,
    /// The outcome.
    pub outcome: OutcomeRecord,
    /// The inspection version after the step.
    #[serde(default)]
    pub version: i64,
    /// Township code.
    #[serde(default)]
    pub township: Option<String>,
    /// Schema 2: the whole inspection after the step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inspection: Option<Box<InspectionRecord>>,
}

/// Per-department counts of a finished inspection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DepartmentCount {
    /// Department code.
    pub department: String,
    /// Items checked.
    pub items: u64,
    /// Items failed.
    pub failed: u64,
}

/// `inspection/finish`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InspectionFinish {
    /// Payload schema (absent = 1).
    #[serde(default = "schema_1", skip_serializing_if = "is_schema_1")]
    pub schema: u32,
    /// 检查结束时间 (Beijing).
    #[serde(default)]
    pub ended_at: Option<String>,
    /// SHA-256 of the 笔录.
    #[serde(default)]
    pub record_sha256: Option<String>,
    /// Counts per department.
    #[serde(default)]
    pub departments: Vec<DepartmentCount>,
    /// The inspection version after the step.
    #[serde(default)]
    pub version: i64,
    /// Township code.
    #[serde(default)]
    pub township: Option<String>,
    /// Schema 2: the whole inspection after the step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inspection: Option<Box<InspectionRecord>>,
}

/// The kind of an [`InspectionOutcome`] op.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutcomeOp {
    /// `order`.
    Order,
    /// `case`.
    Case,
    /// `referral`.
    Referral,
}

impl OutcomeOp {
    /// The op name on the wire.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Order => "order",
            Self::Case => "case",
            Self::Referral => "referral",
        }
    }
}

/// The mutations of an inspection.
#[derive(Debug, Clone, PartialEq)]
pub enum InspectionMutation {
    /// `start`.
    Start(Box<InspectionStart>),
    /// `result`.
    Result(InspectionResult),
    /// `order`, `case`, `referral`.
    Outcome(OutcomeOp, InspectionOutcome),
    /// `finish`.
    Finish(InspectionFinish),
    /// `snapshot`.
    Snapshot(Box<InspectionSnapshot>),
}

impl InspectionMutation {
    /// The inspection version the step asserts (0 when unknown).
    pub fn version(&self) -> i64 {
        match self {
            Self::Start(s) => s.version,
            Self::Result(r) => r.version,
            Self::Outcome(_, o) => o.version,
            Self::Finish(f) => f.version,
            Self::Snapshot(s) => i64::try_from(s.inspection.version).unwrap_or(i64::MAX),
        }
    }

    /// The whole inspection the step carries (schema 2, or a snapshot).
    pub fn record(&self) -> Option<&InspectionRecord> {
        match self {
            Self::Start(s) => s.inspection.as_deref(),
            Self::Result(r) => r.inspection.as_deref(),
            Self::Outcome(_, o) => o.inspection.as_deref(),
            Self::Finish(f) => f.inspection.as_deref(),
            Self::Snapshot(s) => Some(&s.inspection),
        }
    }
}

// ---------------------------------------------------------------------------
// Task

/// `task/create`: a follow-up the device made from an order to correct.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskCreate {
    /// Payload schema (absent = 1).
    #[serde(default = "schema_1", skip_serializing_if = "is_schema_1")]
    pub schema: u32,
    /// Kind.
    pub kind: TaskKind,
    /// Township code.
    pub township: String,
    /// The place.
    pub place: String,
    /// What to do.
    pub detail: String,
    /// Due date.
    #[serde(default)]
    pub due_on: Option<NaiveDate>,
    /// The inspection it came from.
    #[serde(default)]
    pub inspection_id: Option<String>,
    /// The checklist item.
    #[serde(default)]
    pub item: Option<String>,
    /// The department concerned.
    #[serde(default)]
    pub department: Option<String>,
    /// Schema 2: the whole task.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<Box<TaskRecord>>,
}

/// `task/accept`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskAccept {
    /// Payload schema (absent = 1).
    #[serde(default = "schema_1", skip_serializing_if = "is_schema_1")]
    pub schema: u32,
    /// When accepted (RFC 3339).
    #[serde(default)]
    pub accepted_at: Option<String>,
    /// `device` or `server`.
    #[serde(default)]
    pub origin: Option<String>,
    /// Schema 2: the whole task.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<Box<TaskRecord>>,
}

/// `task/report`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskReport {
    /// Payload schema (absent = 1).
    #[serde(default = "schema_1", skip_serializing_if = "is_schema_1")]
    pub schema: u32,
    /// When reported done (RFC 3339).
    #[serde(default)]
    pub done_at: Option<String>,
    /// `device` or `server`.
    #[serde(default)]
    pub origin: Option<String>,
    /// The report.
    pub report: TaskReportRecord,
    /// When accepted (RFC 3339).
    #[serde(default)]
    pub accepted_at: Option<String>,
    /// Schema 2: the whole task.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<Box<TaskRecord>>,
}

/// The mutations of a task.
#[derive(Debug, Clone, PartialEq)]
pub enum TaskMutation {
    /// `create`.
    Create(TaskCreate),
    /// `accept`.
    Accept(TaskAccept),
    /// `report`.
    Report(TaskReport),
    /// `snapshot`.
    Snapshot(Box<TaskSnapshot>),
}

impl TaskMutation {
    /// The whole task the op carries (schema 2, or a snapshot).
    pub fn record(&self) -> Option<&TaskRecord> {
        match self {
            Self::Create(c) => c.task.as_deref(),
            Self::Accept(a) => a.task.as_deref(),
            Self::Report(r) => r.task.as_deref(),
            Self::Snapshot(s) => Some(&s.task),
        }
    }
}

// ---------------------------------------------------------------------------
// Documents

/// `document/record`: a document the device issued for a case (the served
/// decision as a PDF …), announced so the server links the blob the device
/// uploads (by SHA-256) to the case. Entity id `CASE:KIND:STAGE`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentRecord {
    /// Payload schema (absent = 1).
    #[serde(default = "schema_1", skip_serializing_if = "is_schema_1")]
    pub schema: u32,
    /// The case.
    pub case_id: String,
    /// The document kind (`decision_on_the_spot`, `order_to_correct` …).
    pub kind: String,
    /// The stage it was archived at (`served` …).
    pub stage: String,
    /// The document number, if it has one.
    #[serde(default)]
    pub number: Option<String>,
    /// Its Chinese title.
    pub title: String,
    /// SHA-256 (hex) of the file.
    pub sha256: String,
    /// Its size in bytes.
    pub size: i64,
    /// The media type (`application/pdf`).
    pub media_type: String,
    /// The document hash: SHA-256 of the document's canonical fields as
    /// rendered, the hash printed under its 核验 QR and looked up by the
    /// centre's public page `/d/{hash}`.
    #[serde(default)]
    pub document_sha256: Option<String>,
}

// ---------------------------------------------------------------------------
// The normal procedure

/// What the centre holds of a normal-procedure case besides its steps: the
/// party, the matter and the facts (personal data: sealed on the server).
/// Sent with the first step and again whenever the officer changes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NormalCaseDetails {
    /// The township the case belongs to (9 digits).
    pub township: String,
    /// The party.
    pub party: crate::record::PartyRecord,
    /// The catalogue matter code.
    pub matter_code: String,
    /// The matter's name.
    pub matter_name: String,
    /// Where the violation was found.
    pub place: String,
    /// When the violation took place (Beijing time), as found.
    pub violation_time: NaiveDateTime,
    /// The facts as found (案情).
    pub facts: String,
    /// The officers on the case (two at least, 行政处罚法 Art. 42, 55).
    pub officers: Vec<crate::record::OfficerRecord>,
    /// The simple-procedure case it was converted from, if any.
    #[serde(default)]
    pub converted_from: Option<String>,
    /// The deciding authority as the township is configured on the device
    /// (its `TownshipConfig`): printed on the centre's documents.
    pub authority: AuthorityDetails,
}

/// The deciding authority of a township and where its decisions are
/// challenged (行政处罚法 Art. 59(五); 行政复议法 2023 Art. 24).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorityDetails {
    /// The authority, e.g. `重庆市渝北区龙兴镇人民政府`.
    pub name: String,
    /// The township's short name for document numbers (镇街代字).
    pub short_name: String,
    /// The 行政复议 body, e.g. `重庆市渝北区人民政府`.
    pub reconsideration_body: String,
    /// The court of first instance, e.g. `重庆市渝北区人民法院`.
    pub court: String,
    /// Where fines are paid (the township's payment channel), printed on a
    /// decision with a fine (行政处罚法 Art. 59(四), 67).
    pub payment_channel: String,
}

/// `procedure/event`: one step an officer recorded on the device. The entity
/// id is the case id; the mutation id makes the step idempotent. The
/// server appends it to the case's log only if the procedure core accepts
/// it against the centre's log (`procedure_refused` naming the article
/// otherwise).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcedureStep {
    /// Payload schema (absent = 1).
    #[serde(default = "schema_1", skip_serializing_if = "is_schema_1")]
    pub schema: u32,
    /// The step.
    pub event: crate::procedure::ProcedureEvent,
    /// The case's details: required with the first step (案源登记).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<Box<NormalCaseDetails>>,
}

// ---------------------------------------------------------------------------
// The mutation

/// One decoded mutation.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Mutation {
    /// `case/*`.
    Case(CaseMutation),
    /// `evidence/record`.
    Evidence(EvidenceRecord),
    /// `number_lease/grant`, `issued_number/*`, `provisional_number/issue`.
    Number(NumberMutation),
    /// `township_config/*`: device-local settings the server records in the
    /// ledger only.
    TownshipConfig,
    /// `inspection/*`.
    Inspection(InspectionMutation),
    /// `task/*`.
    Task(TaskMutation),
    /// `document/record`.
    Document(DocumentRecord),
    /// `procedure/event`.
    Procedure(Box<ProcedureStep>),
}

fn typed<T: DeserializeOwned>(
    entity: &str,
    op: &str,
    payload: &serde_json::Value,
) -> Result<T, Reject> {
    let schema = match payload.get("schema") {
        None | Some(serde_json::Value::Null) => 1,
        Some(v) => v.as_u64().unwrap_or(u64::MAX),
    };
    if schema == 0 || schema > u64::from(SCHEMA) {
        return Err(Reject::new(
            RejectCode::InvalidPayload,
            format!("载荷版本 {schema} 不受支持（服务器支持 1–{SCHEMA}）：{entity}.{op}"),
        ));
    }
    T::deserialize(payload).map_err(|e| {
        Reject::new(
            RejectCode::InvalidPayload,
            format!("载荷缺少或错误：{entity}.{op}：{e}"),
        )
    })
}

impl Mutation {
    /// Decodes one pushed mutation. An unknown entity/op is
    /// `unsupported_mutation`; a payload that is not its type (or of a newer
    /// schema than [`SCHEMA`]) is `invalid_payload`.
    pub fn decode(entity: &str, op: &str, payload: &serde_json::Value) -> Result<Self, Reject> {
        use self::entity as e;
        macro_rules! t {
            () => {
                typed(entity, op, payload)
            };
        }
        Ok(match (entity, op) {
            (e::CASE, "create") => Self::Case(CaseMutation::Create(t!()?)),
            (e::CASE, "advance") => Self::Case(CaseMutation::Advance(t!()?)),
            (e::CASE, "snapshot") => Self::Case(CaseMutation::Snapshot(Box::new(t!()?))),
            (e::EVIDENCE, "record") => Self::Evidence(t!()?),
            (e::NUMBER_LEASE, "grant") => Self::Number(NumberMutation::LeaseGrant(t!()?)),
            (e::ISSUED_NUMBER, "use") => Self::Number(NumberMutation::Use(NumberOp::Use, t!()?)),
            (e::ISSUED_NUMBER, "issue") => {
                Self::Number(NumberMutation::Use(NumberOp::Issue, t!()?))
            }
            (e::ISSUED_NUMBER, "void") => Self::Number(NumberMutation::Use(NumberOp::Void, t!()?)),
            (e::PROVISIONAL_NUMBER, "issue") => Self::Number(NumberMutation::Provisional(t!()?)),
            (e::TOWNSHIP_CONFIG, _) => Self::TownshipConfig,
            (e::INSPECTION, "start") => {
                Self::Inspection(InspectionMutation::Start(Box::new(t!()?)))
            }
            (e::INSPECTION, "result") => Self::Inspection(InspectionMutation::Result(t!()?)),
            (e::INSPECTION, "order") => {
                Self::Inspection(InspectionMutation::Outcome(OutcomeOp::Order, t!()?))
            }
            (e::INSPECTION, "case") => {
                Self::Inspection(InspectionMutation::Outcome(OutcomeOp::Case, t!()?))
            }
            (e::INSPECTION, "referral") => {
                Self::Inspection(InspectionMutation::Outcome(OutcomeOp::Referral, t!()?))
            }
            (e::INSPECTION, "finish") => Self::Inspection(InspectionMutation::Finish(t!()?)),
            (e::INSPECTION, "snapshot") => {
                Self::Inspection(InspectionMutation::Snapshot(Box::new(t!()?)))
            }
            (e::TASK, "create") => Self::Task(TaskMutation::Create(t!()?)),
            (e::TASK, "accept") => Self::Task(TaskMutation::Accept(t!()?)),
            (e::TASK, "report") => Self::Task(TaskMutation::Report(t!()?)),
            (e::TASK, "snapshot") => Self::Task(TaskMutation::Snapshot(Box::new(t!()?))),
            (e::DOCUMENT, "record") => Self::Document(t!()?),
            (e::PROCEDURE, "event") => Self::Procedure(Box::new(t!()?)),
            _ => {
                return Err(Reject::new(
                    RejectCode::Unsupported,
                    format!("不支持的变更 {entity}.{op}"),
                ));
            }
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use serde_json::json;

    use super::*;

    #[test]
    fn schema_1_case_create_decodes() {
        let p = json!({
            "event": {"township": "500101001", "matter_code": "M1", "release_id": "r1",
                      "violation_time": "2026-03-03T10:00:00", "officers": ["a", "b"]},
            "kind": "create", "from": null, "to": "draft", "version": 1,
        });
        let Mutation::Case(CaseMutation::Create(c)) =
            Mutation::decode("case", "create", &p).unwrap()
        else {
            panic!("not a create");
        };
        assert_eq!(c.schema, 1);
        assert_eq!(c.event.township, "500101001");
        assert_eq!(c.to, Some(CaseStatus::Draft));
        assert!(c.case.is_none());
    }

    #[test]
    fn attach_step_keeps_its_evidence_ids_and_other_fields() {
        let p = json!({
            "event": {"event": "attach_evidence", "evidence_ids": ["e1"], "summary": "照片"},
            "kind": "attach_evidence", "from": "party_and_facts", "to": "evidence", "version": 3,
        });
        let Mutation::Case(CaseMutation::Advance(a)) =
            Mutation::decode("case", "advance", &p).unwrap()
        else {
            panic!("not an advance");
        };
        assert!(a.is_attach());
        assert_eq!(
            a.event.evidence_ids.as_deref(),
            Some(&["e1".to_owned()][..])
        );
        assert_eq!(a.event.detail.get("summary"), Some(&json!("照片")));
        // Re-serialized, the payload is what the device sent.
        assert_eq!(serde_json::to_value(&a).unwrap(), p);
    }

    #[test]
    fn unknown_and_ill_typed_payloads_have_stable_codes() {
        let r = Mutation::decode("parcel", "send", &json!({})).unwrap_err();
        assert_eq!(r.code, RejectCode::Unsupported);
        let r = Mutation::decode("evidence", "record", &json!({"sha256": 5})).unwrap_err();
        assert_eq!(r.code, RejectCode::InvalidPayload);
        let r = Mutation::decode(
            "case",
            "advance",
            &json!({"event": {}, "kind": "x", "to": "nowhere", "version": 2}),
        )
        .unwrap_err();
        assert_eq!(r.code, RejectCode::InvalidPayload);
    }

    #[test]
    fn newer_schema_is_refused_older_accepted() {
        let mut p = json!({"township": "t", "series": "s", "year": 2026, "seq": 1});
        assert!(Mutation::decode("issued_number", "use", &p).is_ok());
        p["schema"] = json!(SCHEMA + 1);
        let r = Mutation::decode("issued_number", "use", &p).unwrap_err();
        assert_eq!(r.code, RejectCode::InvalidPayload);
        p["schema"] = json!(0);
        assert!(Mutation::decode("issued_number", "use", &p).is_err());
    }

    #[test]
    fn document_record_is_typed() {
        let p = json!({
            "case_id": "c1", "kind": "decision_on_the_spot", "stage": "served", "number": "N1",
            "title": "当场行政处罚决定书", "sha256": "ab".repeat(32), "size": 1234,
            "media_type": "application/pdf", "document_sha256": "cd".repeat(32),
        });
        let Mutation::Document(d) = Mutation::decode("document", "record", &p).unwrap() else {
            panic!("not a document");
        };
        assert_eq!((d.case_id.as_str(), d.size), ("c1", 1234));
        assert_eq!(serde_json::to_value(&d).unwrap(), p);
        let mut bad = p.clone();
        bad["size"] = json!("大");
        let r = Mutation::decode("document", "record", &bad).unwrap_err();
        assert_eq!(r.code, RejectCode::InvalidPayload);
        let r = Mutation::decode("document", "delete", &p).unwrap_err();
        assert_eq!(r.code, RejectCode::Unsupported);
    }

    #[test]
    fn snapshots_name_their_record_by_aggregate() {
        // `{case, timeline}` as devices write it; the record under any
        // other name (`{schema, record}`) is not a snapshot.
        let r =
            Mutation::decode("case", "snapshot", &json!({"schema": 2, "record": {}})).unwrap_err();
        assert_eq!(r.code, RejectCode::InvalidPayload);
        let r = Mutation::decode("task", "snapshot", &json!({"task": {"id": 5}})).unwrap_err();
        assert_eq!(r.code, RejectCode::InvalidPayload);
    }

    #[test]
    fn void_always_voids() {
        let p = json!({"township": "t", "series": "s", "year": 2026, "seq": 1, "status": "used"});
        let Mutation::Number(NumberMutation::Use(op, u)) =
            Mutation::decode("issued_number", "void", &p).unwrap()
        else {
            panic!("not a number use");
        };
        assert_eq!(u.desired(op), NumberStatus::Voided);
        assert_eq!(u.desired(NumberOp::Use), NumberStatus::Used);
    }
}
