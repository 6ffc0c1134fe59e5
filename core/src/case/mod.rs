//! Simple-procedure cases (简易程序, 行政处罚法 Ch. 5 §2) as a durable state
//! machine in the device store.
//!
//! A case moves through
//!
//! ```text
//! draft → party_and_facts → evidence → rights_told → decided → issued → served
//!       → paid | collected_on_the_spot | overdue (→ paid) → filed → closed
//! evidence | rights_told → no_penalty → filed → closed        (不予处罚, Art. 33)
//! evidence → correction_ordered → corrected → filed → closed  (责令改正, Art. 28)
//!                               ↘ evidence (not corrected: the penalty path)
//! ```
//!
//! and each step is a typed [`CaseEvent`] given to [`advance`]. Every
//! accepted step is **one** IMMEDIATE SQLite transaction that writes the
//! case's new state, one `case_event` timeline row and one `outbox` record
//! (and, at issue, the consumed numbers and the document): all or nothing.
//! A refused step (illegal from this status, or failing a legal check)
//! returns a typed error naming the status and the step, and changes
//! nothing.
//!
//! The legal gates, each beside its article in the code:
//!
//! - two distinct, active officers of the township holding a credential
//!   number (行政处罚法 Art. 42), checked at creation;
//! - the catalogue release in force on the violation date is bound at
//!   creation (Art. 37), and the township must be allowed to enforce the
//!   matter on that date;
//! - no decision without the 告知 record and the party's statement heard or
//!   expressly waived (Art. 44, 45, 62);
//! - after a statement, the penalty may not be heavier than the one told
//!   at 告知 (Art. 45 ¶2);
//! - the decision runs [`crate::rules::assess`]: refused when it reports
//!   any problem (out of range, deviation without a written reason, …) or
//!   when the simple procedure is not allowed (Art. 51);
//! - on-the-spot collection only when the assessment allowed it (Art. 68–70);
//! - electronic service only with the party's recorded consent (Art. 61 ¶2).
//!
//! Time is passed in (`now`, UTC); printed times are Beijing time (UTC+8,
//! no daylight saving). Party data is personal data: the store is
//! SQLCipher-encrypted and [`CaseParty`]'s `Debug` masks it.

pub mod archive;
pub mod config;
pub mod doc;
mod no_penalty_doc;
pub mod normal;
pub mod normal_docs;
pub mod numbers;
pub mod officer_sign;
pub mod outbox;
mod party;
pub mod payment;
pub mod receipt;

use std::fmt;

use chrono::{DateTime, NaiveDate, NaiveDateTime, SecondsFormat, TimeDelta, Utc};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::ErrorCode;
use crate::catalogue::model::MatterKind;
use crate::catalogue::{CatalogueError, MatterRecord, ProvisionRole};
use crate::document::model::{
    Authority, DecisionOnTheSpot, DocumentData, DocumentKind, Officer as DocOfficer,
    OrderToCorrect, PartyDetails, PartySignature, Payment, Penalty, Statement,
};
use crate::rules::assess::{
    AssessInput, Assessment, Party, PartyKind, PenaltyKind, Problem, ProposedPenalty,
};
use crate::rules::id_document::{IdDocError, IdDocKind};
use crate::store::{Store, StoreError};

pub use config::{TownshipConfig, set_township_config, township_config};
pub use doc::CaseDoc;
pub use numbers::{
    NumberError, ProvisionalNumber, ProvisionalRecord, grant_lease, provisional_numbers,
    provisional_of_case, void_number,
};
pub use officer_sign::OfficerSignatureRecord;
pub use outbox::{OutboxRecord, mark_pushed, outbox_counts, outbox_pending};
pub use payment::PaymentError;

// ---------------------------------------------------------------------------
// Errors

/// Errors of cases, numbers and the outbox.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CaseError {
    /// No case has this id.
    #[error("案件不存在: {0}")]
    NotFound(Uuid),
    /// A case with this id exists already.
    #[error("案件已存在: {0}")]
    Exists(Uuid),
    /// The case id is not a UUIDv7.
    #[error("案件编号必须是 UUIDv7: {0}")]
    InvalidId(Uuid),
    /// The step is not allowed from the case's status.
    #[error("案件状态为“{}”，不能再“{}”", from.label_zh(), step_label_zh(event))]
    IllegalTransition {
        /// The current status.
        from: CaseStatus,
        /// The status the step leads to.
        to: CaseStatus,
        /// The step, snake_case.
        event: &'static str,
    },
    /// 行政处罚法 Art. 42: two distinct officers are required.
    #[error("执法人员不得少于两人且不得重复（行政处罚法第四十二条）")]
    OfficersNotTwo,
    /// An officer is unknown, inactive, of another township or without credential.
    #[error("执法人员 {id} 不能办理本案：{reason}（行政处罚法第四十二条）")]
    OfficerNotQualified {
        /// The officer id.
        id: String,
        /// Why.
        reason: &'static str,
    },
    /// The matter is not in the catalogue release in force on the violation date.
    #[error("事项 {matter} 在违法行为发生日 {date} 不在有效目录中")]
    MatterNotInForce {
        /// The matter code.
        matter: String,
        /// The violation date.
        date: NaiveDate,
    },
    /// The township may not enforce the matter on that date (not adopted).
    #[error("镇街 {township} 在 {date} 未承接事项 {matter}")]
    NotEnforceable {
        /// Township.
        township: String,
        /// Matter.
        matter: String,
        /// Date.
        date: NaiveDate,
    },
    /// No configuration is stored for the township.
    #[error("镇街 {0} 尚未配置（文书编号、缴款方式）")]
    NoTownshipConfig(String),
    /// A configuration is invalid.
    #[error("镇街配置无效: {0}")]
    Config(String),
    /// A required field is empty or missing.
    #[error("必填项为空: {0}")]
    FieldRequired(&'static str),
    /// A field has an invalid value.
    #[error("{field} 无效: {reason}")]
    InvalidField {
        /// The field.
        field: &'static str,
        /// Why.
        reason: String,
    },
    /// The party's document number does not fit the document chosen, or
    /// what that document needs (nationality, birth date, reason, photo)
    /// is missing.
    #[error(transparent)]
    PartyDocument(#[from] IdDocError),
    /// An evidence item is not recorded for this case.
    #[error("证据 {0} 不属于本案")]
    EvidenceNotOfCase(Uuid),
    /// 行政处罚法 Art. 52: the officers show their credentials before an
    /// on-the-spot decision; the case must record it.
    #[error("尚未记录执法人员向当事人出示执法证件，不得当场作出处罚决定（行政处罚法第五十二条）")]
    CredentialsNotShown,
    /// 行政处罚法 Art. 52 ¶2: the decision bears the officers' signature or
    /// seal; it is not handed over before both officers signed it.
    #[error(
        "执法人员{0}尚未在决定书上签名，不得交付当事人（行政处罚法第五十二条：决定书由执法人员签名或者盖章）"
    )]
    OfficerSignatureMissing(String),
    /// An officer's signature step outside the PIN check, or for an officer
    /// not of the case, or for another document.
    #[error("执法人员签名无效：{0}")]
    OfficerSignatureInvalid(String),
    /// 行政处罚法 Art. 62: no decision before the statement was heard or waived.
    #[error("尚未听取当事人陈述、申辩，当事人也未明确放弃，不得作出决定（行政处罚法第六十二条）")]
    StatementMissing,
    /// 行政处罚法 Art. 45 ¶2: no heavier penalty because of a statement.
    #[error(
        "当事人已陈述、申辩，拟作出的处罚（{proposed}）不得重于告知时的处罚（{told}）（行政处罚法第四十五条第二款）"
    )]
    HeavierAfterStatement {
        /// What was told, in Chinese.
        told: String,
        /// What is proposed now, in Chinese.
        proposed: String,
    },
    /// 行政处罚法 Art. 44, 62: the decision may not be heavier than the
    /// penalty told, whether the statement was heard or waived: the party
    /// waived its rights about what it was told, nothing heavier.
    #[error(
        "拟作出的处罚（{proposed}）重于告知的处罚（{told}），须重新告知拟作出的处罚及其事实、理由、依据（行政处罚法第四十四条、第六十二条）"
    )]
    HeavierThanTold {
        /// What was told, in Chinese.
        told: String,
        /// What is proposed now, in Chinese.
        proposed: String,
    },
    /// 行政处罚法 Art. 40, 47: a fine on no captured evidence needs a recorded reason.
    #[error(
        "本案未采集任何证据，也未记录未采集的理由，不得作出罚款决定（行政处罚法第四十条、第四十七条）"
    )]
    NoEvidence,
    /// 行政处罚法 Art. 30, 31: the order to the guardian is missing.
    #[error("依{article}不予处罚的，须记录责令监护人的内容（{order}）")]
    GuardianOrderMissing {
        /// The article, in Chinese.
        article: &'static str,
        /// What the guardian is ordered to do.
        order: &'static str,
    },
    /// The case is filed (备案) already.
    #[error("本案已于{0}备案（行政处罚法第五十二条第三款）")]
    AlreadyFiled(NaiveDateTime),
    /// A case is closed only after its 备案.
    #[error("当场作出的行政处罚决定须先报所属行政机关备案，方可结案（行政处罚法第五十二条第三款）")]
    NotFiled,
    /// The clause fines only after an expired order to correct, and the
    /// case does not carry one (precondition of the 罚则, 行政处罚法 Art. 38).
    #[error("{0}")]
    CorrectionPrecondition(String),
    /// A deadline needs a calendar year the catalogue does not have yet:
    /// only this step is refused; every other case goes on.
    #[error(
        "计算{what}需要{year}年的工作日历，本机事项目录尚无该年日历：请联网同步最新事项目录后再办理此步骤（其他案件不受影响）"
    )]
    CalendarYearMissing {
        /// The year needed.
        year: i32,
        /// What was being computed, in Chinese.
        what: &'static str,
    },
    /// The assessment found problems.
    #[error("裁量审查未通过：{}", problems.iter().map(|p| format!("[{}] {}", p.code, p.message)).collect::<Vec<_>>().join("；"))]
    AssessmentRefused {
        /// Every problem, with its stable code.
        problems: Vec<Problem>,
    },
    /// 行政处罚法 Art. 51: the simple procedure is not allowed.
    #[error("不适用简易程序：{0}")]
    SimpleProcedureNotAllowed(String),
    /// 行政处罚法 Art. 68–69: on-the-spot collection not allowed.
    #[error("不得当场收缴罚款：{0}")]
    OnTheSpotNotAllowed(String),
    /// The no-penalty outcome has no legal ground in the assessment.
    #[error("不具备不予处罚的法定情形（行政处罚法第三十条、第三十三条、第三十六条）")]
    NoPenaltyNotGrounded,
    /// 行政处罚法 Art. 61 ¶2: electronic service without consent and a
    /// signed 确认书 record.
    #[error("电子送达须当事人同意并签订确认书（行政处罚法第六十一条第二款）：{0}")]
    ElectronicServiceWithoutConsent(&'static str),
    /// A date is too early (e.g. overdue before the due date).
    #[error("{0}")]
    TooEarly(String),
    /// The device identity is not created yet (the outbox is keyed by it).
    #[error("设备身份尚未创建，无法记录同步队列")]
    NoDevice,
    /// Number leases and formats.
    #[error(transparent)]
    Numbers(#[from] NumberError),
    /// Payment codes and URLs.
    #[error(transparent)]
    Payment(#[from] PaymentError),
    /// A stored row could not be decoded.
    #[error("案件数据损坏: {0}")]
    Corrupt(String),
    /// The catalogue failed.
    #[error(transparent)]
    Catalogue(#[from] CatalogueError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The normal procedure refuses the step (the message names the article).
    #[error(transparent)]
    Procedure(#[from] crate::procedure::ProcedureError),
}

impl From<rusqlite::Error> for CaseError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Store(StoreError::Sqlite(e))
    }
}

impl ErrorCode for CaseError {
    fn code(&self) -> &'static str {
        match self {
            Self::NotFound(_) => "CASE_NOT_FOUND",
            Self::Exists(_) => "CASE_EXISTS",
            Self::InvalidId(_) => "CASE_INVALID_ID",
            Self::IllegalTransition { .. } => "CASE_ILLEGAL_TRANSITION",
            Self::OfficersNotTwo => "CASE_OFFICERS_NOT_TWO",
            Self::OfficerNotQualified { .. } => "CASE_OFFICER_NOT_QUALIFIED",
            Self::MatterNotInForce { .. } => "CASE_MATTER_NOT_IN_FORCE",
            Self::NotEnforceable { .. } => "CASE_MATTER_NOT_ADOPTED",
            Self::NoTownshipConfig(_) => "CASE_NO_TOWNSHIP_CONFIG",
            Self::Config(_) => "CASE_CONFIG_INVALID",
            Self::FieldRequired(_) => "CASE_FIELD_REQUIRED",
            Self::InvalidField { .. } => "CASE_FIELD_INVALID",
            Self::EvidenceNotOfCase(_) => "CASE_EVIDENCE_NOT_OF_CASE",
            Self::PartyDocument(e) => e.code(),
            Self::StatementMissing => "CASE_STATEMENT_MISSING",
            Self::OfficerSignatureMissing(_) => "CASE_OFFICER_SIGNATURE_MISSING",
            Self::OfficerSignatureInvalid(_) => "CASE_OFFICER_SIGNATURE_INVALID",
            Self::CredentialsNotShown => "CASE_CREDENTIALS_NOT_SHOWN",
            Self::HeavierAfterStatement { .. } => "CASE_HEAVIER_AFTER_STATEMENT",
            Self::AssessmentRefused { .. } => "CASE_ASSESSMENT_REFUSED",
            Self::SimpleProcedureNotAllowed(_) => "CASE_SIMPLE_PROCEDURE_NOT_ALLOWED",
            Self::OnTheSpotNotAllowed(_) => "CASE_ON_THE_SPOT_NOT_ALLOWED",
            Self::NoPenaltyNotGrounded => "CASE_NO_PENALTY_NOT_GROUNDED",
            Self::ElectronicServiceWithoutConsent(_) => "CASE_ELECTRONIC_SERVICE_NO_CONSENT",
            Self::HeavierThanTold { .. } => "CASE_HEAVIER_THAN_TOLD",
            Self::NoEvidence => "CASE_NO_EVIDENCE",
            Self::CalendarYearMissing { .. } => "CASE_CALENDAR_YEAR_MISSING",
            Self::GuardianOrderMissing { .. } => "CASE_GUARDIAN_ORDER_MISSING",
            Self::AlreadyFiled(_) => "CASE_ALREADY_FILED",
            Self::NotFiled => "CASE_NOT_FILED",
            Self::CorrectionPrecondition(_) => "CASE_CORRECTION_PRECONDITION",
            Self::TooEarly(_) => "CASE_TOO_EARLY",
            Self::NoDevice => "CASE_NO_DEVICE",
            Self::Numbers(e) => e.code(),
            Self::Payment(e) => e.code(),
            Self::Corrupt(_) => "CASE_CORRUPT",
            Self::Catalogue(e) => e.code(),
            Self::Store(e) => e.code(),
            Self::Procedure(e) => e.code(),
        }
    }
}

// ---------------------------------------------------------------------------
// Status

/// Where a case stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    /// Created with matter, township, officers and violation time.
    Draft,
    /// Party, facts and place recorded.
    PartyAndFacts,
    /// Evidence attached.
    Evidence,
    /// 告知 recorded (Art. 44); then the statement is heard or waived.
    RightsTold,
    /// Penalty decided after the assessment.
    Decided,
    /// Decision numbered and issued (Art. 52).
    Issued,
    /// Decision served (Art. 61).
    Served,
    /// Fine paid through the platform (Art. 67).
    Paid,
    /// Fine collected on the spot with a finance receipt (Art. 68–70).
    CollectedOnTheSpot,
    /// Payment period passed without payment (Art. 72).
    Overdue,
    /// No penalty (Art. 30, 33, 36) with the education record.
    NoPenalty,
    /// Order to correct issued (Art. 28), awaiting the follow-up check.
    CorrectionOrdered,
    /// Corrected by the deadline, as checked.
    Corrected,
    /// Filed with the agency (备案, Art. 52 ¶3).
    Filed,
    /// Closed.
    Closed,
}

impl CaseStatus {
    /// Every status.
    pub const ALL: [Self; 15] = [
        Self::Draft,
        Self::PartyAndFacts,
        Self::Evidence,
        Self::RightsTold,
        Self::Decided,
        Self::Issued,
        Self::Served,
        Self::Paid,
        Self::CollectedOnTheSpot,
        Self::Overdue,
        Self::NoPenalty,
        Self::CorrectionOrdered,
        Self::Corrected,
        Self::Filed,
        Self::Closed,
    ];

    /// The stable snake_case name (database and JSON).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::PartyAndFacts => "party_and_facts",
            Self::Evidence => "evidence",
            Self::RightsTold => "rights_told",
            Self::Decided => "decided",
            Self::Issued => "issued",
            Self::Served => "served",
            Self::Paid => "paid",
            Self::CollectedOnTheSpot => "collected_on_the_spot",
            Self::Overdue => "overdue",
            Self::NoPenalty => "no_penalty",
            Self::CorrectionOrdered => "correction_ordered",
            Self::Corrected => "corrected",
            Self::Filed => "filed",
            Self::Closed => "closed",
        }
    }

    /// Parses the stable name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// The Chinese label.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Draft => "草稿",
            Self::PartyAndFacts => "已登记当事人和事实",
            Self::Evidence => "已取证",
            Self::RightsTold => "已告知",
            Self::Decided => "已决定",
            Self::Issued => "已出具决定书",
            Self::Served => "已送达",
            Self::Paid => "已缴款",
            Self::CollectedOnTheSpot => "已当场收缴",
            Self::Overdue => "逾期未缴",
            Self::NoPenalty => "不予处罚",
            Self::CorrectionOrdered => "已责令改正",
            Self::Corrected => "已改正",
            Self::Filed => "已备案",
            Self::Closed => "已结案",
        }
    }
}

impl fmt::Display for CaseStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

// ---------------------------------------------------------------------------
// Case data

/// The party (当事人). Personal data: `Debug` masks it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseParty {
    /// Individual or organisation.
    pub kind: PartyKind,
    /// 姓名 or 名称.
    pub name: String,
    /// Citizen ID (individual) or USCC (organisation).
    pub id_number: String,
    /// 联系电话.
    #[serde(default)]
    pub phone: Option<String>,
    /// 住址 or 地址.
    pub address: String,
    /// 法定代表人或者负责人 (organisation only).
    #[serde(default)]
    pub representative: Option<String>,
    /// The document a person showed (证件类型); absent in records made
    /// before the choice existed, which are 居民身份证 (individual only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_kind: Option<IdDocKind>,
    /// 国籍, for a foreign passport.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nationality: Option<String>,
    /// 出生日期 as entered, where the number does not carry it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<NaiveDate>,
    /// 无证件: why the party has no document (the identity is the party's
    /// statement, with a photo of the party as evidence).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_document_reason: Option<String>,
    /// 无证件: the evidence item that is the photo of the party.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub photo_evidence: Option<Uuid>,
}

impl CaseParty {
    /// The document shown: the recorded one, or 居民身份证 for a person's
    /// record from before the choice.
    pub fn doc_kind(&self) -> IdDocKind {
        self.id_kind.unwrap_or_default()
    }

    /// The 证件类型 as printed: `护照（国籍：美国）` for a foreign passport,
    /// `无证件（身份由当事人陈述，当事人照片存证）` without a document
    /// (the same words as the record's, [`printed_id_kind`](crate::document::normal::printed_id_kind)).
    pub fn id_kind_printed(&self) -> String {
        crate::document::normal::printed_id_kind(&zhifa_protocol::record::PartyRecord::from(self))
    }
}

/// Masks all but the first character: `张**`.
pub fn mask_text(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => std::iter::once(first).chain(c.map(|_| '*')).collect(),
        None => String::new(),
    }
}

impl fmt::Debug for CaseParty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CaseParty")
            .field("kind", &self.kind)
            .field("name", &mask_text(&self.name))
            .field(
                "id_number",
                &crate::document::model::mask_id_number(&self.id_number),
            )
            .field("phone", &self.phone.as_deref().map(mask_phone))
            .field("address", &mask_text(&self.address))
            .field(
                "representative",
                &self.representative.as_deref().map(mask_text),
            )
            .field("id_kind", &self.id_kind)
            .field("nationality", &self.nationality)
            .field("birth_date", &self.birth_date.map(|_| "****-**-**"))
            .field(
                "no_document_reason",
                &self.no_document_reason.as_deref().map(mask_text),
            )
            .field("photo_evidence", &self.photo_evidence)
            .finish()
    }
}

fn mask_phone(p: &str) -> String {
    let n = p.chars().count();
    p.chars()
        .enumerate()
        .map(|(i, c)| if i < 3 || i + 4 >= n { c } else { '*' })
        .collect()
}

/// An officer on the case, as at creation.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseOfficer {
    /// Officer id.
    pub id: String,
    /// Name (personal data; masked in `Debug`).
    pub name: String,
    /// 执法证号.
    pub credential_no: String,
}

impl fmt::Debug for CaseOfficer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CaseOfficer")
            .field("id", &self.id)
            .field("name", &mask_text(&self.name))
            .field("credential_no", &self.credential_no)
            .finish()
    }
}

/// The 告知 record (行政处罚法 Art. 44).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RightsRecord {
    /// The penalty told.
    pub proposed: ProposedPenalty,
    /// The facts, reasons and basis told.
    pub content: String,
    /// When (UTC, RFC 3339).
    pub at: String,
}

/// The party's statement or waiver (Art. 45, 62).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum StatementRecord {
    /// Heard, with the officers' review (复核).
    Heard {
        /// The statement as recorded.
        text: String,
        /// The officers' review of it.
        review: String,
        /// When.
        at: String,
    },
    /// Expressly waived.
    Waived {
        /// When.
        at: String,
        /// The party's words, as recorded.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        words: Option<String>,
    },
}

/// The decision (after the assessment).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionRecord {
    /// The penalty decided.
    pub penalty: ProposedPenalty,
    /// The circumstance codes attested.
    pub circumstances: Vec<String>,
    /// The suggested discretion level.
    pub suggested_level: Option<String>,
    /// The written reason for deviating from the suggested level (kept
    /// with the case for supervision).
    pub deviation_reason: Option<String>,
    /// Whether the assessment allowed on-the-spot collection (Art. 68–69).
    pub on_the_spot_collection: bool,
    /// The remedy clause to print.
    pub remedy_clause: String,
    /// Where decided.
    pub place: String,
    /// When decided (Beijing time).
    pub decided_at: NaiveDateTime,
}

/// The issued decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssueRecord {
    /// The document number (the provisional one when `number_provisional`).
    pub number: String,
    /// Whether `number` is a provisional number (no leased number was
    /// left and the township's policy allows it); the final number arrives
    /// from the server ([`numbers::provisional_of_case`]).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub number_provisional: bool,
    /// The 缴款码, if any.
    pub payment_code: Option<String>,
    /// The payment QR content, if any.
    pub payment_url: Option<String>,
    /// The last day to pay (Art. 67), if a fine.
    pub payment_due: Option<NaiveDate>,
    /// `payment_due` was counted on a calendar year marked estimated
    /// (shown "（按预估日历）").
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub payment_due_estimated: bool,
    /// SHA-256 of the canonical JSON of the document as issued.
    pub document_sha256: String,
    /// When issued (Beijing time).
    pub issued_at: NaiveDateTime,
}

/// How the decision was served (Art. 61; 民事诉讼法 Art. 87–90).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Service {
    /// Signed for on the device.
    Signed {
        /// The signer's name.
        name: String,
        /// The signature image (PNG).
        #[serde(with = "hex_bytes")]
        png: Vec<u8>,
    },
    /// The party refused to sign (Art. 52: noted on the decision).
    Refused {
        /// The reason given or observed.
        reason: String,
        /// Witness, if any.
        #[serde(default)]
        witness: Option<String>,
    },
    /// Served electronically with the party's consent (Art. 61 ¶2).
    Electronic {
        /// The channel, e.g. `短信`.
        channel: String,
        /// The address (phone number, e-mail).
        address: String,
        /// The consent (确认书) text the party signed.
        consent: String,
        /// The signed 确认书 record (行政处罚法 Art. 61 ¶2: "当事人同意并签订
        /// 确认书"). Required: a consent string alone is refused. Optional
        /// only so that records stored before it existed still load.
        #[serde(default)]
        confirmation: Option<ServiceConfirmation>,
    },
}

/// The party's signed 确认书 for electronic service (行政处罚法 Art. 61 ¶2):
/// who signed, the signature image, and the channel and address the party
/// agreed to, as printed on the 确认书.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceConfirmation {
    /// The signer's name (the party or its representative).
    pub signer_name: String,
    /// The signature on the 确认书 (PNG).
    #[serde(with = "hex_bytes")]
    pub signature_png: Vec<u8>,
    /// The channel and address the party agreed to, as signed, e.g.
    /// `短信 13800001234`; must name the address used.
    pub agreed_address: String,
}

impl fmt::Debug for ServiceConfirmation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServiceConfirmation")
            .field("signer_name", &mask_text(&self.signer_name))
            .field("signature_png_bytes", &self.signature_png.len())
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Signed { name, png } => f
                .debug_struct("Signed")
                .field("name", &mask_text(name))
                .field("png_bytes", &png.len())
                .finish(),
            Self::Refused { reason, witness } => f
                .debug_struct("Refused")
                .field("reason", reason)
                .field("witness", &witness.as_deref().map(mask_text))
                .finish(),
            Self::Electronic {
                channel, address, ..
            } => f
                .debug_struct("Electronic")
                .field("channel", channel)
                .field("address", &mask_phone(address))
                .finish_non_exhaustive(),
        }
    }
}

/// The service record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceRecord {
    /// How.
    pub service: Service,
    /// When (Beijing time).
    pub served_at: NaiveDateTime,
    /// The last day to pay counted from service (Art. 67), if a fine.
    pub payment_due: Option<NaiveDate>,
    /// `payment_due` was counted on a calendar year marked estimated.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub payment_due_estimated: bool,
}

/// Payment or collection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PaymentRecord {
    /// Paid through the platform.
    Paid {
        /// The day paid.
        paid_on: NaiveDate,
        /// The platform's reference, if known.
        reference: Option<String>,
        /// The surcharge due (Art. 72), in fen.
        late_fee_fen: i64,
    },
    /// Collected on the spot (Art. 68–70).
    Collected {
        /// 财政票据号 (Art. 70).
        receipt_number: String,
        /// When.
        at: NaiveDateTime,
    },
}

/// The order to correct (Art. 28).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorrectionRecord {
    /// The order's number.
    pub number: String,
    /// What must be done.
    pub requirement: String,
    /// By when.
    pub deadline: NaiveDate,
    /// When the follow-up check (复查) is due.
    pub follow_up_due: NaiveDate,
    /// SHA-256 of the order's canonical JSON.
    pub document_sha256: String,
    /// The follow-up result, once checked.
    pub follow_up: Option<FollowUpRecord>,
}

/// The follow-up check (复查).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowUpRecord {
    /// Whether the party corrected.
    pub corrected: bool,
    /// What was found.
    pub note: String,
    /// When checked (Beijing time).
    pub at: NaiveDateTime,
}

/// The no-penalty outcome (Art. 33 ¶3: the party is educated).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoPenaltyRecord {
    /// The ground, as the assessment found it.
    pub ground: String,
    /// The circumstance codes attested.
    pub circumstances: Vec<String>,
    /// The 教育 record.
    pub education: String,
    /// The order to the guardian (行政处罚法 Art. 30: "责令监护人加以管教";
    /// Art. 31: "责令其监护人严加看管和治疗"), recorded when the ground is
    /// one of those articles.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guardian_order: Option<String>,
    /// When (Beijing time).
    pub at: NaiveDateTime,
    /// The 不予行政处罚决定书's number, when the township numbers them
    /// (`number_formats.no_penalty_decision`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    /// SHA-256 of the canonical JSON of the 不予行政处罚决定书 as issued
    /// (`None` on records made before the decision was written).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_sha256: Option<String>,
}

/// When a continuing act (连续或者继续状态) ended, for the limitation period
/// (行政处罚法 Art. 36 ¶2: counted "从违法行为终了之日起").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum ActEnd {
    /// The act ended on this day.
    Ended {
        /// The last day of the act.
        date: NaiveDate,
    },
    /// The act is still going on (持续中) when the case is decided: the
    /// period has not started to run.
    Ongoing,
}

/// One case, with every step's record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Case {
    /// UUIDv7.
    pub id: Uuid,
    /// Township code.
    pub township: String,
    /// Matter code.
    pub matter_code: String,
    /// The catalogue release in force on the violation date (Art. 37).
    pub release_id: String,
    /// The status.
    pub status: CaseStatus,
    /// 1 on creation, +1 per accepted step.
    pub version: u64,
    /// The two officers (Art. 42).
    pub officers: [CaseOfficer; 2],
    /// 违法时间 (Beijing time).
    pub violation_time: NaiveDateTime,
    /// The party.
    pub party: Option<CaseParty>,
    /// 违法事实.
    pub facts: Option<String>,
    /// 违法地点.
    pub place: Option<String>,
    /// Evidence ids.
    pub evidence: Vec<Uuid>,
    /// Evidence summary as printed.
    pub evidence_summary: Option<String>,
    /// Why no evidence item was captured, when none was (行政处罚法 Art. 40,
    /// 47): a fine on no captured evidence needs it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_evidence_reason: Option<String>,
    /// The end of a continuing act (Art. 36 ¶2); `None`: a one-off act.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub act_end: Option<ActEnd>,
    /// 告知.
    pub rights: Option<RightsRecord>,
    /// 陈述申辩 or waiver.
    pub statement: Option<StatementRecord>,
    /// The decision.
    pub decision: Option<DecisionRecord>,
    /// The issued decision.
    pub issue: Option<IssueRecord>,
    /// Service.
    pub service: Option<ServiceRecord>,
    /// Payment or collection.
    pub payment: Option<PaymentRecord>,
    /// The order to correct.
    pub correction: Option<CorrectionRecord>,
    /// The no-penalty outcome.
    pub no_penalty: Option<NoPenaltyRecord>,
    /// 备案 note and time.
    pub filed: Option<(NaiveDateTime, String)>,
    /// Closing note and time.
    pub closed: Option<(NaiveDateTime, String)>,
    /// Voided before a decision (a draft given up), with the reason and
    /// time. The case is kept and its timeline shows the step; it is
    /// never deleted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voided: Option<(NaiveDateTime, String)>,
    /// When the officers showed the party their 执法证件 (UTC, RFC 3339):
    /// 行政处罚法 Art. 52 for the on-the-spot decision, Art. 55 for the
    /// investigation. A decision needs it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credentials_shown_at: Option<String>,
    /// Each officer's signature applied to the issued decision after the
    /// officer's PIN (行政处罚法 Art. 52 ¶2: 由执法人员签名或者盖章); the
    /// decision is handed over only when both officers signed it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub officer_signatures: Vec<OfficerSignatureRecord>,
    /// When the issued decision was shown (or printed) to the party to read
    /// before the party signs (UTC, RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_shown_at: Option<String>,
    /// Created (RFC 3339).
    pub created_at: String,
    /// Last changed (RFC 3339).
    pub updated_at: String,
}

/// What [`create`] needs.
#[derive(Debug, Clone)]
pub struct NewCase {
    /// The case id, a UUIDv7 made by the caller.
    pub id: Uuid,
    /// Township code.
    pub township: String,
    /// Matter code.
    pub matter_code: String,
    /// 违法时间 (Beijing time); binds the catalogue release.
    pub violation_time: NaiveDateTime,
    /// The two officers' ids (Art. 42).
    pub officers: [String; 2],
}

/// One step of a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum CaseEvent {
    /// Record (or correct) the party, facts and place.
    RecordPartyAndFacts {
        /// The party.
        party: CaseParty,
        /// 违法事实.
        facts: String,
        /// 违法地点.
        place: String,
        /// The end of a continuing act (行政处罚法 Art. 36 ¶2), or that it
        /// is still going on; `None` for a one-off act.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        act_end: Option<ActEnd>,
        /// 违法时间 as the officers established it (Beijing time), when it
        /// is not the moment the case was opened; `None` keeps the time on
        /// record. Never in the future; its date must fall under the case's
        /// catalogue release and the township's scope (Art. 37).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        violation_time: Option<NaiveDateTime>,
    },
    /// Attach evidence (ids recorded for this case) with a summary.
    AttachEvidence {
        /// Evidence ids; each must be recorded with this case.
        evidence_ids: Vec<Uuid>,
        /// The summary printed on the decision.
        summary: String,
        /// Why no item was captured (行政处罚法 Art. 40, 47); without it a
        /// case with no captured evidence cannot be decided with a fine.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        no_evidence_reason: Option<String>,
    },
    /// 出示执法证件 (Art. 52, 55): the officers showed the party their
    /// credentials; recorded with its time, needed before a decision.
    ShowCredentials,
    /// 告知 (Art. 44): the proposed penalty with its facts, reasons, basis.
    InformRights {
        /// The penalty told.
        proposed: ProposedPenalty,
        /// The facts, reasons and basis told, and the rights.
        content: String,
    },
    /// The party's statement and the officers' review (Art. 45).
    HearStatement {
        /// The statement.
        text: String,
        /// The review (复核) result.
        review: String,
    },
    /// The party expressly waives the statement (Art. 62), in the party's
    /// own words when the officers recorded them (a separate act from the
    /// 告知, with its own time).
    WaiveStatement {
        /// What the party said, as recorded (optional; empty is none).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        words: Option<String>,
    },
    /// Decide the penalty (runs the assessment).
    Decide {
        /// The penalty.
        penalty: ProposedPenalty,
        /// Circumstance codes attested.
        circumstances: Vec<String>,
        /// The written reason for a penalty off the suggested level.
        deviation_reason: Option<String>,
        /// Where decided.
        place: String,
    },
    /// Issue the decision: number, document, payment code.
    Issue,
    /// 执法人员签名 (行政处罚法 Art. 52 ¶2): one officer's stored signature
    /// applied to the issued decision. Only [`officer_sign::sign_decision`]
    /// takes it, after the officer's PIN; [`advance`] refuses it.
    SignAsOfficer {
        /// The officer id (one of the case's two).
        officer_id: String,
        /// The issued decision's hash ([`IssueRecord::document_sha256`]).
        document_sha256: String,
        /// SHA-256 (hex) of the stored signature image applied.
        signature_sha256: String,
    },
    /// The issued decision was shown (on screen or printed) to the party to
    /// read before signing; recorded with its time.
    ShowDocument {
        /// The issued decision's hash.
        document_sha256: String,
    },
    /// Serve the decision.
    Serve {
        /// How.
        service: Service,
    },
    /// The platform confirmed payment.
    RecordPayment {
        /// The day paid.
        paid_on: NaiveDate,
        /// The platform reference.
        reference: Option<String>,
    },
    /// Collected on the spot with a finance receipt (Art. 68–70).
    CollectOnTheSpot {
        /// 财政票据号.
        receipt_number: String,
    },
    /// The payment period passed (Art. 72).
    MarkOverdue {
        /// The day it is found overdue.
        on: NaiveDate,
    },
    /// No penalty (Art. 30, 33, 36) with the education record (Art. 33 ¶3).
    DecideNoPenalty {
        /// Circumstance codes attested.
        circumstances: Vec<String>,
        /// The 教育 record.
        education: String,
        /// The order to the guardian, required when the ground is
        /// 行政处罚法 Art. 30 (under 14) or Art. 31 (mental incapacity).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        guardian_order: Option<String>,
    },
    /// Order to correct (Art. 28) with a deadline and follow-up date.
    OrderCorrection {
        /// What must be done.
        requirement: String,
        /// By when.
        deadline: NaiveDate,
        /// When the follow-up check is due.
        follow_up_due: NaiveDate,
    },
    /// The follow-up check (复查).
    RecordFollowUp {
        /// Whether corrected.
        corrected: bool,
        /// What was found.
        note: String,
    },
    /// 备案 (Art. 52 ¶3).
    File {
        /// Note.
        note: String,
    },
    /// Close the case.
    Close {
        /// Note.
        note: String,
    },
    /// Void a case before any decision (a draft opened by mistake or given
    /// up): it ends `closed` with the reason kept and audited in the
    /// timeline and the outbox; nothing is deleted. Once a penalty is
    /// decided the case can no longer be voided (the decision is an act
    /// that only review or litigation undoes, 行政处罚法 Art. 73–75).
    Void {
        /// Why, in the officer's words (required).
        reason: String,
    },
}

impl CaseEvent {
    /// The stable snake_case name.
    pub fn name(&self) -> &'static str {
        match self {
            Self::RecordPartyAndFacts { .. } => "record_party_and_facts",
            Self::AttachEvidence { .. } => "attach_evidence",
            Self::ShowCredentials => "show_credentials",
            Self::InformRights { .. } => "inform_rights",
            Self::HearStatement { .. } => "hear_statement",
            Self::WaiveStatement { .. } => "waive_statement",
            Self::Decide { .. } => "decide",
            Self::Issue => "issue",
            Self::SignAsOfficer { .. } => "sign_as_officer",
            Self::ShowDocument { .. } => "show_document",
            Self::Serve { .. } => "serve",
            Self::RecordPayment { .. } => "record_payment",
            Self::CollectOnTheSpot { .. } => "collect_on_the_spot",
            Self::MarkOverdue { .. } => "mark_overdue",
            Self::DecideNoPenalty { .. } => "decide_no_penalty",
            Self::OrderCorrection { .. } => "order_correction",
            Self::RecordFollowUp { .. } => "record_follow_up",
            Self::File { .. } => "file",
            Self::Close { .. } => "close",
            Self::Void { .. } => "void",
        }
    }

    /// The transition table: the status this step leads to from `from`, or
    /// `None` when it is illegal there. (The follow-up check may also lead
    /// back to `evidence`; see [`advance`].)
    pub fn target(&self, from: CaseStatus) -> Option<CaseStatus> {
        use CaseStatus as S;
        let to = match self {
            Self::RecordPartyAndFacts { .. } => S::PartyAndFacts,
            Self::AttachEvidence { .. } => S::Evidence,
            // A record; the case stays where it is.
            Self::ShowCredentials | Self::SignAsOfficer { .. } | Self::ShowDocument { .. } => from,
            Self::InformRights { .. }
            | Self::HearStatement { .. }
            | Self::WaiveStatement { .. } => S::RightsTold,
            Self::Decide { .. } => S::Decided,
            Self::Issue => S::Issued,
            // The 不予行政处罚决定书 is served on a case that stays `no_penalty`.
            Self::Serve { .. } if from == S::NoPenalty => from,
            Self::Serve { .. } => S::Served,
            Self::RecordPayment { .. } => S::Paid,
            Self::CollectOnTheSpot { .. } => S::CollectedOnTheSpot,
            Self::MarkOverdue { .. } => S::Overdue,
            Self::DecideNoPenalty { .. } => S::NoPenalty,
            Self::OrderCorrection { .. } => S::CorrectionOrdered,
            Self::RecordFollowUp {
                corrected: true, ..
            } => S::Corrected,
            Self::RecordFollowUp {
                corrected: false, ..
            } => S::Evidence,
            // 行政处罚法 Art. 52 ¶3: the on-the-spot decision is filed once
            // made; filing before payment records it and keeps the status
            // (the payment path goes on).
            Self::File { .. } if matches!(from, S::Decided | S::Issued | S::Served) => from,
            Self::File { .. } => S::Filed,
            Self::Close { .. } | Self::Void { .. } => S::Closed,
        };
        let ok = match self {
            Self::RecordPartyAndFacts { .. } => matches!(from, S::Draft | S::PartyAndFacts),
            Self::AttachEvidence { .. } => matches!(from, S::PartyAndFacts | S::Evidence),
            Self::ShowCredentials => matches!(
                from,
                S::Draft | S::PartyAndFacts | S::Evidence | S::RightsTold
            ),
            // A new 告知 (e.g. of a heavier penalty, Art. 44) replaces the
            // last one and its statement.
            Self::InformRights { .. } => matches!(from, S::Evidence | S::RightsTold),
            Self::HearStatement { .. } | Self::WaiveStatement { .. } => from == S::RightsTold,
            Self::Decide { .. } => from == S::RightsTold,
            Self::Issue => from == S::Decided,
            Self::SignAsOfficer { .. } | Self::ShowDocument { .. } | Self::Serve { .. } => {
                matches!(from, S::Issued | S::NoPenalty)
            }
            Self::RecordPayment { .. } => matches!(from, S::Served | S::Overdue),
            Self::CollectOnTheSpot { .. } => from == S::Served,
            Self::MarkOverdue { .. } => from == S::Served,
            Self::DecideNoPenalty { .. } => matches!(from, S::Evidence | S::RightsTold),
            Self::OrderCorrection { .. } => from == S::Evidence,
            Self::RecordFollowUp { .. } => from == S::CorrectionOrdered,
            Self::File { .. } => matches!(
                from,
                S::Decided
                    | S::Issued
                    | S::Served
                    | S::Paid
                    | S::CollectedOnTheSpot
                    | S::Overdue
                    | S::NoPenalty
                    | S::Corrected
            ),
            // Closing needs the 备案 (checked in `advance`): from `filed`, or
            // from an outcome reached after an early 备案.
            Self::Close { .. } => matches!(
                from,
                S::Filed
                    | S::Paid
                    | S::CollectedOnTheSpot
                    | S::Overdue
                    | S::NoPenalty
                    | S::Corrected
            ),
            Self::Void { .. } => matches!(
                from,
                S::Draft | S::PartyAndFacts | S::Evidence | S::RightsTold
            ),
        };
        ok.then_some(to)
    }

    /// The status the step leads to, whatever the current one (for errors).
    fn nominal_target(&self) -> CaseStatus {
        CaseStatus::ALL
            .into_iter()
            .find_map(|s| self.target(s))
            .unwrap_or(CaseStatus::Draft)
    }
}

/// Where a fined case stands on a day: what is owed, by when, and the
/// surcharge accrued so far (行政处罚法 Art. 72(一), at most the fine).
/// Payment status itself arrives by sync; until then the case shows this.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PaymentStanding {
    /// The fine, in fen.
    pub amount_fen: i64,
    /// The last day to pay (15 days from service, Art. 67).
    pub due: NaiveDate,
    /// The day this standing is computed for.
    pub on: NaiveDate,
    /// Whether payment (or on-the-spot collection) is recorded.
    pub settled: bool,
    /// The surcharge accrued up to `on` (or up to the day paid), in fen.
    pub late_fee_fen: i64,
}

/// The payment standing of `case` on `on`, for a served fine; `None` for a
/// warning, a no-penalty outcome or a decision not yet served.
pub fn payment_standing(case: &Case, on: NaiveDate) -> Option<PaymentStanding> {
    let amount_fen = case.decision.as_ref()?.penalty.amount_fen?;
    let due = case.service.as_ref()?.payment_due?;
    let (settled, counted_to) = match &case.payment {
        Some(PaymentRecord::Paid { paid_on, .. }) => (true, *paid_on),
        Some(PaymentRecord::Collected { .. }) => (true, due),
        None => (false, on),
    };
    Some(PaymentStanding {
        amount_fen,
        due,
        on,
        settled,
        late_fee_fen: crate::rules::assess::late_fee(amount_fen, due, counted_to, false),
    })
}

/// Where a decided case stands with its 备案 (行政处罚法 Art. 52 ¶3: "执法人员
/// 当场作出的行政处罚决定，应当报所属行政机关备案"). The law sets no deadline;
/// the township's configured number of working days after the decision
/// applies ([`TownshipConfig::filing_deadline_working_days`], default 3 after
/// 住建部令第55号 Art. 14 🟡; a Chongqing 综合执法 deadline was not found ❓,
/// docs/law/README.md).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FilingStanding {
    /// The day decided.
    pub decided_on: NaiveDate,
    /// The configured working days.
    pub working_days: u32,
    /// The last day to file; `None` when the calendar does not cover the
    /// days counted (the deadline is then unknown, never guessed).
    pub due: Option<NaiveDate>,
    /// The day filed, if filed.
    pub filed_on: Option<NaiveDate>,
    /// Filed after `due`, or not filed and `on` is after `due`.
    pub overdue: bool,
    /// `due` was counted on a calendar year marked estimated ("（按预估日历）").
    pub estimated: bool,
}

/// The 备案 standing of a decided case on `on`; `None` before a decision.
pub fn filing_standing(
    case: &Case,
    working_days: u32,
    calendar: Option<&crate::catalogue::model::Calendar>,
    on: NaiveDate,
) -> Option<FilingStanding> {
    let decided_on = case.decision.as_ref()?.decided_at.date();
    let due = calendar
        .and_then(|c| crate::rules::calendar::add_working_days(c, decided_on, working_days).ok());
    let filed_on = case.filed.as_ref().map(|(at, _)| at.date());
    let overdue = due.is_some_and(|due| filed_on.unwrap_or(on) > due);
    let estimated = match (calendar, due) {
        (Some(c), Some(due)) => c.estimated_between(decided_on, due),
        _ => false,
    };
    Some(FilingStanding {
        decided_on,
        working_days,
        due,
        filed_on,
        overdue,
        estimated,
    })
}

/// [`filing_standing`] of a stored case with its township's configuration
/// and the calendar in force on the decision date.
pub fn filing_standing_of(
    store: &Store,
    case: &Case,
    on: NaiveDate,
) -> Result<Option<FilingStanding>, CaseError> {
    let Some(decision) = &case.decision else {
        return Ok(None);
    };
    let config = config::read_config(store.conn(), &case.township)?
        .ok_or_else(|| CaseError::NoTownshipConfig(case.township.clone()))?;
    let calendar = newest_calendar(store.catalogue(), on, decision.decided_at.date());
    Ok(filing_standing(
        case,
        config.filing_deadline_working_days,
        calendar.as_ref(),
        on,
    ))
}

/// One timeline entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimelineEntry {
    /// 1 for the creation, then one per step (= the version produced).
    pub seq: u64,
    /// When (RFC 3339).
    pub at: String,
    /// `create` or the step's name.
    pub kind: String,
    /// The status before (none for the creation).
    pub from: Option<CaseStatus>,
    /// The status after.
    pub to: CaseStatus,
    /// The outbox record's mutation id.
    pub mutation_id: Uuid,
    /// The step's data.
    pub payload: serde_json::Value,
}

// ---------------------------------------------------------------------------
// Helpers

/// A UUIDv7 whose time part is `now` (the core has no clock).
pub fn uuid_v7(now: DateTime<Utc>) -> Uuid {
    let ts = uuid::Timestamp::from_unix(
        uuid::NoContext,
        u64::try_from(now.timestamp()).unwrap_or(0),
        now.timestamp_subsec_nanos(),
    );
    Uuid::new_v7(ts)
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Beijing time (UTC+8; China has had no daylight saving since 1991).
pub fn beijing(now: DateTime<Utc>) -> Result<NaiveDateTime, CaseError> {
    now.naive_utc()
        .checked_add_signed(TimeDelta::hours(8))
        .ok_or(CaseError::InvalidField {
            field: "now",
            reason: "时间超出范围".into(),
        })
}

/// The Chinese name of a case step (its [`CaseEvent::name`] or `create`),
/// as the officer's screens and error messages show it.
pub fn step_label_zh(name: &str) -> &'static str {
    match name {
        "create" => "立案（简易程序）",
        "record_party_and_facts" => "登记当事人和违法事实",
        "attach_evidence" => "固定证据",
        "show_credentials" => "出示执法证件",
        "inform_rights" => "告知拟处罚内容及权利",
        "hear_statement" => "听取陈述申辩并复核",
        "waive_statement" => "当事人放弃陈述申辩",
        "decide" => "作出处罚决定",
        "issue" => "出具决定书（编号、缴款码）",
        "sign_as_officer" => "执法人员签名",
        "show_document" => "向当事人出示决定书",
        "serve" => "当场送达",
        "record_payment" => "缴款确认",
        "collect_on_the_spot" => "当场收缴",
        "mark_overdue" => "逾期未缴",
        "decide_no_penalty" => "不予处罚",
        "order_correction" => "责令改正",
        "record_follow_up" => "复查",
        "file" => "备案",
        "close" => "结案",
        "void" => "作废",
        _ => "其他步骤",
    }
}

fn required(field: &'static str, v: &str) -> Result<(), CaseError> {
    if v.trim().is_empty() {
        Err(CaseError::FieldRequired(field))
    } else {
        Ok(())
    }
}

fn json_err(e: serde_json::Error) -> CaseError {
    CaseError::Corrupt(e.to_string())
}

/// Canonical JSON (sorted keys, no whitespace: `serde_json::Value` maps are
/// ordered) and its SHA-256, hex.
fn canonical(value: &serde_json::Value) -> (String, String) {
    let json = value.to_string();
    let sha = hex::encode(Sha256::digest(json.as_bytes()));
    (json, sha)
}

/// How heavy a penalty is, for Art. 44/45 ¶2/62: (kind rank, amount).
///
/// 行政处罚法 Art. 9 lists 警告、通报批评 (一) before 罚款 (二) (docs/law/
/// xingzheng-chufa-fa.md, Art. 9 ✅); both are lighter than any fine (F2 of
/// the legal review; 声誉罚 below 财产罚 🟡). Between the two, 通报批评 is
/// made public and is ranked above 警告 here (❓ no text orders them; the
/// conservative choice: a change from 警告 to 通报批评 needs a new 告知).
pub fn weight(p: &ProposedPenalty) -> (u8, i64) {
    match p.kind {
        PenaltyKind::Warning => (0, 0),
        PenaltyKind::NoticeOfCriticism => (1, 0),
        PenaltyKind::Fine => (2, p.amount_fen.unwrap_or(0)),
    }
}

/// Whether `proposed` is heavier than `told` (Art. 44, 45 ¶2, 62).
pub fn heavier_than(proposed: &ProposedPenalty, told: &ProposedPenalty) -> bool {
    weight(proposed) > weight(told)
}

fn penalty_zh(p: &ProposedPenalty) -> String {
    match (p.kind, p.amount_fen) {
        (PenaltyKind::Fine, Some(a)) => format!("罚款{}", crate::money::format_yuan(a)),
        (PenaltyKind::Fine, None) => "罚款".into(),
        (PenaltyKind::Warning, _) => "警告".into(),
        (PenaltyKind::NoticeOfCriticism, _) => "通报批评".into(),
    }
}

/// PNG files start with these 8 bytes (ISO/IEC 15948 §5.2).
const PNG_SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];

// ---------------------------------------------------------------------------
// Reading

const CASE_COLS: &str = "state";

fn case_from_json(json: &str) -> Result<Case, CaseError> {
    serde_json::from_str(json).map_err(|e| CaseError::Corrupt(format!("case state: {e}")))
}

fn load(conn: &Connection, id: Uuid) -> Result<Option<Case>, CaseError> {
    let json: Option<String> = conn
        .query_row(
            &format!("SELECT {CASE_COLS} FROM enforcement_case WHERE id = ?1"),
            [id.to_string()],
            |r| r.get(0),
        )
        .optional()?;
    json.map(|j| case_from_json(&j)).transpose()
}

/// One case.
pub fn get(store: &Store, id: Uuid) -> Result<Option<Case>, CaseError> {
    load(store.conn(), id)
}

/// Cases, newest first; only those in `status` when given.
pub fn list(store: &Store, status: Option<CaseStatus>) -> Result<Vec<Case>, CaseError> {
    let mut st = store.conn().prepare(&format!(
        "SELECT {CASE_COLS} FROM enforcement_case WHERE ?1 IS NULL OR status = ?1 ORDER BY id DESC"
    ))?;
    let rows = st.query_map([status.map(CaseStatus::as_str)], |r| r.get::<_, String>(0))?;
    let mut out = Vec::new();
    for row in rows {
        out.push(case_from_json(&row?)?);
    }
    Ok(out)
}

/// The case's timeline, oldest first.
pub fn timeline(store: &Store, id: Uuid) -> Result<Vec<TimelineEntry>, CaseError> {
    let mut st = store.conn().prepare(
        "SELECT seq, at, kind, from_status, to_status, mutation_id, payload FROM case_event
         WHERE case_id = ?1 ORDER BY seq",
    )?;
    let rows = st.query_map([id.to_string()], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, Option<String>>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, String>(5)?,
            r.get::<_, String>(6)?,
        ))
    })?;
    let status =
        |s: &str| CaseStatus::parse(s).ok_or_else(|| CaseError::Corrupt(format!("status {s}")));
    let mut out = Vec::new();
    for row in rows {
        let (seq, at, kind, from, to, mutation, payload) = row?;
        out.push(TimelineEntry {
            seq: u64::try_from(seq).map_err(|e| CaseError::Corrupt(e.to_string()))?,
            at,
            kind,
            from: from.as_deref().map(status).transpose()?,
            to: status(&to)?,
            mutation_id: Uuid::parse_str(&mutation)
                .map_err(|e| CaseError::Corrupt(e.to_string()))?,
            payload: serde_json::from_str(&payload).map_err(json_err)?,
        });
    }
    Ok(out)
}

/// A stored document of the case: (canonical JSON, SHA-256), for `kind` at
/// `stage` (`issued` or `served`).
pub fn document(
    store: &Store,
    id: Uuid,
    kind: DocumentKind,
    stage: &str,
) -> Result<Option<(String, String)>, CaseError> {
    document_on(store.conn(), id, kind, stage)
}

/// The decision as a typed document once served with a signature or a
/// refusal note (the issued content plus the signature block).
pub fn served_decision(store: &Store, id: Uuid) -> Result<Option<DocumentData>, CaseError> {
    for kind in [
        DocumentKind::DecisionOnTheSpot,
        DocumentKind::NoPenaltyDecision,
    ] {
        if let Some((json, _)) = document(store, id, kind, "served")? {
            return serde_json::from_str(&json).map(Some).map_err(json_err);
        }
    }
    Ok(None)
}

/// The decision a case hands to the party: the on-the-spot decision once
/// issued, or the 不予行政处罚决定书 of a case decided without a penalty.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HandedDecision<'a> {
    /// Its kind.
    pub kind: DocumentKind,
    /// Its number (empty for an unnumbered 不予行政处罚决定书).
    pub number: &'a str,
    /// SHA-256 of the issued document's canonical JSON.
    pub document_sha256: &'a str,
}

impl Case {
    /// The decision handed to the party, once issued (see [`HandedDecision`]).
    pub fn handed_decision(&self) -> Option<HandedDecision<'_>> {
        if let Some(i) = &self.issue {
            return Some(HandedDecision {
                kind: DocumentKind::DecisionOnTheSpot,
                number: &i.number,
                document_sha256: &i.document_sha256,
            });
        }
        let n = self.no_penalty.as_ref()?;
        Some(HandedDecision {
            kind: DocumentKind::NoPenaltyDecision,
            number: n.number.as_deref().unwrap_or(""),
            document_sha256: n.document_sha256.as_deref()?,
        })
    }
}

// ---------------------------------------------------------------------------
// Writing

/// What a write of a case records: its creation or one step's input.
enum Written {
    /// `case/create`.
    Create(zhifa_protocol::mutation::CaseCreated),
    /// `case/advance`.
    Advance(zhifa_protocol::mutation::CaseStepEvent),
}

/// Writes the new state, one timeline row and one outbox record on `tx`.
/// The outbox payload is the protocol's typed mutation (schema 2: with the
/// whole case after the write).
fn persist(
    tx: &Connection,
    case: &Case,
    kind: &str,
    from: Option<CaseStatus>,
    written: Written,
    now: DateTime<Utc>,
) -> Result<(), CaseError> {
    use zhifa_protocol::mutation::{CaseAdvance, CaseCreate, SCHEMA, entity};
    let payload = match &written {
        Written::Create(c) => serde_json::to_value(c),
        Written::Advance(e) => serde_json::to_value(e),
    }
    .map_err(json_err)?;
    let state = serde_json::to_value(case).map_err(json_err)?;
    let (state_json, _) = canonical(&state);
    let version = i64::try_from(case.version).map_err(|e| CaseError::Corrupt(e.to_string()))?;
    let n = tx.execute(
        "INSERT INTO enforcement_case (id, township_code, matter_code, release_id, status, officer_a, officer_b,
             violation_time, version, state, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
         ON CONFLICT (id) DO UPDATE SET status = excluded.status, version = excluded.version,
             state = excluded.state, updated_at = excluded.updated_at
         WHERE enforcement_case.version = excluded.version - 1",
        params![
            case.id.to_string(),
            case.township,
            case.matter_code,
            case.release_id,
            case.status.as_str(),
            case.officers[0].id,
            case.officers[1].id,
            case.violation_time.format("%Y-%m-%dT%H:%M:%S").to_string(),
            version,
            state_json,
            case.created_at,
            case.updated_at,
        ],
    )?;
    if n != 1 {
        return Err(CaseError::Corrupt(format!(
            "案件 {} 版本冲突（期望从 {} 递增）",
            case.id,
            version - 1
        )));
    }
    let mutation_id = uuid_v7(now);
    tx.execute(
        "INSERT INTO case_event (case_id, seq, at, kind, from_status, to_status, mutation_id, payload)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            case.id.to_string(),
            version,
            rfc3339(now),
            kind,
            from.map(CaseStatus::as_str),
            case.status.as_str(),
            mutation_id.to_string(),
            payload.to_string(),
        ],
    )?;
    let record = Some(Box::new(zhifa_protocol::record::CaseRecord::from(case)));
    let (op, body) = match written {
        Written::Create(event) => (
            "create",
            serde_json::to_value(CaseCreate {
                schema: SCHEMA,
                event,
                kind: Some(kind.to_owned()),
                from: None,
                to: Some(case.status.into()),
                version: Some(case.version),
                case: record,
            }),
        ),
        Written::Advance(event) => (
            "advance",
            serde_json::to_value(CaseAdvance {
                schema: SCHEMA,
                event,
                kind: kind.to_owned(),
                from: from.map(Into::into),
                to: case.status.into(),
                version,
                case: record,
            }),
        ),
    };
    outbox::append(
        tx,
        &outbox::OutboxEntry {
            entity: entity::CASE,
            entity_id: case.id.to_string(),
            op,
            payload: body.map_err(json_err)?,
        },
        now,
        mutation_id,
    )?;
    Ok(())
}

/// Creates a case in `draft`. Checks the two officers (Art. 42), binds the
/// catalogue release in force on the violation date (Art. 37) and checks
/// that the township may enforce the matter then.
pub fn create(store: &mut Store, new: &NewCase, now: DateTime<Utc>) -> Result<Case, CaseError> {
    if new.id.get_version() != Some(uuid::Version::SortRand) {
        return Err(CaseError::InvalidId(new.id));
    }
    let date = new.violation_time.date();
    let cat = store.catalogue();
    let record = cat
        .matter_in_force(&new.matter_code, date)?
        .ok_or_else(|| CaseError::MatterNotInForce {
            matter: new.matter_code.clone(),
            date,
        })?;
    if !cat.township_may_enforce(&record.release.id, &new.township, &record.matter, date)? {
        return Err(CaseError::NotEnforceable {
            township: new.township.clone(),
            matter: new.matter_code.clone(),
            date,
        });
    }
    if cat.township(&record.release.id, &new.township)?.is_none() {
        return Err(CatalogueError::UnknownTownship {
            code: new.township.clone(),
            release: record.release.id.clone(),
        }
        .into());
    }
    let tx = store
        .conn_mut()
        .transaction_with_behavior(TransactionBehavior::Immediate)?;
    if config::read_config(&tx, &new.township)?.is_none() {
        return Err(CaseError::NoTownshipConfig(new.township.clone()));
    }
    if load(&tx, new.id)?.is_some() {
        return Err(CaseError::Exists(new.id));
    }
    let officers = check_officers(&tx, &new.officers, &new.township)?;
    let at = rfc3339(now);
    let case = Case {
        id: new.id,
        township: new.township.clone(),
        matter_code: new.matter_code.clone(),
        release_id: record.release.id.clone(),
        status: CaseStatus::Draft,
        version: 1,
        officers,
        violation_time: new.violation_time,
        party: None,
        facts: None,
        place: None,
        evidence: vec![],
        evidence_summary: None,
        no_evidence_reason: None,
        act_end: None,
        rights: None,
        statement: None,
        decision: None,
        issue: None,
        service: None,
        payment: None,
        correction: None,
        no_penalty: None,
        filed: None,
        closed: None,
        voided: None,
        credentials_shown_at: None,
        officer_signatures: Vec::new(),
        document_shown_at: None,
        created_at: at.clone(),
        updated_at: at,
    };
    let created = zhifa_protocol::mutation::CaseCreated {
        township: case.township.clone(),
        matter_code: case.matter_code.clone(),
        release_id: case.release_id.clone(),
        violation_time: Some(case.violation_time),
        officers: vec![case.officers[0].id.clone(), case.officers[1].id.clone()],
    };
    persist(&tx, &case, "create", None, Written::Create(created), now)?;
    tx.commit()?;
    Ok(case)
}

/// 行政处罚法 Art. 42: two distinct, active officers of the township, each
/// with a credential (执法证) number.
pub(crate) fn check_officers(
    conn: &Connection,
    ids: &[String; 2],
    township: &str,
) -> Result<[CaseOfficer; 2], CaseError> {
    if ids[0].trim().is_empty() || ids[1].trim().is_empty() || ids[0] == ids[1] {
        return Err(CaseError::OfficersNotTwo);
    }
    let one = |id: &String| -> Result<CaseOfficer, CaseError> {
        let row: Option<(String, String, String, i64)> = conn
            .query_row(
                "SELECT name, credential_no, township_code, active FROM officer WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        let not = |reason| CaseError::OfficerNotQualified {
            id: id.clone(),
            reason,
        };
        let (name, credential_no, officer_township, active) = row.ok_or_else(|| not("未登记"))?;
        if active != 1 {
            return Err(not("已停用"));
        }
        if officer_township != township {
            return Err(not("不属于本镇街"));
        }
        if credential_no.trim().is_empty() {
            return Err(not("无执法证号"));
        }
        Ok(CaseOfficer {
            id: id.clone(),
            name,
            credential_no,
        })
    };
    let a = one(&ids[0])?;
    let b = one(&ids[1])?;
    if a.credential_no == b.credential_no {
        return Err(CaseError::OfficersNotTwo);
    }
    Ok([a, b])
}

/// Everything a step may need besides the case.
struct Ctx<'a> {
    tx: &'a Connection,
    store_catalogue: MatterRecord,
    config: TownshipConfig,
    calendar: Option<crate::catalogue::model::Calendar>,
    short_name: String,
    /// The township's published numbering policy (行政处罚法 Art. 52).
    number_policy: crate::catalogue::model::NumberPolicy,
    now: DateTime<Utc>,
    local: NaiveDateTime,
}

/// The working-day calendar for the deadlines a step computes: the one of
/// the release in force today (a newer release replaces estimated years,
/// and deadlines lie after today), else the one in force on the violation
/// date. A missing calendar is not an error here: only a step that needs a
/// day the calendar lacks is refused ([`CaseError::CalendarYearMissing`]).
fn newest_calendar(
    cat: crate::catalogue::read::Catalogue<'_>,
    today: NaiveDate,
    violation: NaiveDate,
) -> Option<crate::catalogue::model::Calendar> {
    cat.calendar_in_force(today)
        .or_else(|_| cat.calendar_in_force(violation))
        .ok()
}

/// Applies one step to a case: one IMMEDIATE transaction writing the case,
/// its timeline row and one outbox record, or an error and no change.
pub fn advance(
    store: &mut Store,
    id: Uuid,
    event: &CaseEvent,
    now: DateTime<Utc>,
) -> Result<Case, CaseError> {
    // An officer's signature is applied only after the officer's PIN
    // (行政处罚法 Art. 52 ¶2; [`officer_sign::sign_decision`]).
    if let CaseEvent::SignAsOfficer { .. } = event {
        return Err(CaseError::OfficerSignatureInvalid(
            "执法人员须输入本人 PIN 后签名".into(),
        ));
    }
    advance_step(store, id, event, now)
}

/// [`advance`] without the PIN gate of the officer's signature.
pub(crate) fn advance_step(
    store: &mut Store,
    id: Uuid,
    event: &CaseEvent,
    now: DateTime<Utc>,
) -> Result<Case, CaseError> {
    let local = beijing(now)?;
    // Catalogue reads happen before the write transaction (they only read
    // immutable releases).
    let case0 = get(store, id)?.ok_or(CaseError::NotFound(id))?;
    let from0 = case0.status;
    let Some(_) = event.target(from0) else {
        return Err(CaseError::IllegalTransition {
            from: from0,
            to: event.nominal_target(),
            event: event.name(),
        });
    };
    let cat = store.catalogue();
    let release = cat
        .release(&case0.release_id)?
        .ok_or_else(|| CaseError::Corrupt(format!("release {} missing", case0.release_id)))?;
    let date = case0.violation_time.date();
    let record = cat
        .matter(release, &case0.matter_code, date)?
        .ok_or_else(|| CaseError::MatterNotInForce {
            matter: case0.matter_code.clone(),
            date,
        })?;
    // A violation time entered on another day: the same release governs it
    // and the township may enforce the matter then (行政处罚法 Art. 37).
    if let CaseEvent::RecordPartyAndFacts {
        violation_time: Some(t),
        ..
    } = event
        && t.date() != date
    {
        let on = t.date();
        let governing = cat.release_in_force(on).ok().map(|r| r.id);
        if governing.as_deref() != Some(case0.release_id.as_str()) {
            return Err(CaseError::InvalidField {
                field: "violation_time",
                reason: format!(
                    "{on} 适用的事项目录版本不是本案立案时的版本（{}），请作废本案后按该违法时间重新立案",
                    case0.release_id
                ),
            });
        }
        let in_force = match cat.release(&case0.release_id)? {
            Some(r) => cat.matter(r, &case0.matter_code, on)?.is_some(),
            None => false,
        };
        if !in_force
            || !cat.township_may_enforce(&case0.release_id, &case0.township, &record.matter, on)?
        {
            return Err(CaseError::NotEnforceable {
                township: case0.township.clone(),
                matter: case0.matter_code.clone(),
                date: on,
            });
        }
    }
    let calendar = newest_calendar(cat, local.date(), date);
    let town = cat
        .township(&case0.release_id, &case0.township)?
        .ok_or_else(|| CaseError::Corrupt(format!("township {} missing", case0.township)))?;
    let short_name = town.short_name;
    // The policy as published in the catalogue release in force today (the
    // centre may opt a township in or out by a new release); the case's
    // own release is the fallback when today's has no such township.
    let number_policy = beijing(now)
        .ok()
        .and_then(|l| cat.release_in_force(l.date()).ok())
        .and_then(|r| cat.township(&r.id, &case0.township).ok().flatten())
        .map_or(town.number_policy, |t| t.number_policy);
    let evidence_of_case: Vec<Uuid> = match event {
        CaseEvent::AttachEvidence { .. }
        | CaseEvent::RecordPartyAndFacts {
            party:
                CaseParty {
                    photo_evidence: Some(_),
                    ..
                },
            ..
        } => crate::evidence::for_case(store, id)
            .map_err(|e| CaseError::Corrupt(e.to_string()))?
            .into_iter()
            .filter_map(|r| Uuid::parse_str(&r.meta.id).ok())
            .collect(),
        _ => vec![],
    };

    let tx = store
        .conn_mut()
        .transaction_with_behavior(TransactionBehavior::Immediate)?;
    // Re-read under the write lock: the state the step applies to.
    let mut case = load(&tx, id)?.ok_or(CaseError::NotFound(id))?;
    let from = case.status;
    let to = event.target(from).ok_or(CaseError::IllegalTransition {
        from,
        to: event.nominal_target(),
        event: event.name(),
    })?;
    let config = config::read_config(&tx, &case.township)?
        .ok_or_else(|| CaseError::NoTownshipConfig(case.township.clone()))?;
    let ctx = Ctx {
        tx: &tx,
        store_catalogue: record,
        config,
        calendar,
        short_name,
        number_policy,
        now,
        local,
    };
    apply(&ctx, &mut case, event, &evidence_of_case)?;
    case.status = to;
    case.version += 1;
    case.updated_at = rfc3339(now);
    // The step's input as the protocol carries it: the event's JSON, with
    // the tag and evidence ids named.
    let step = serde_json::to_value(event)
        .and_then(serde_json::from_value)
        .map_err(json_err)?;
    persist(
        &tx,
        &case,
        event.name(),
        Some(from),
        Written::Advance(step),
        now,
    )?;
    tx.commit()?;
    Ok(case)
}

/// The discretion suggestion for a case before it is decided: the same
/// assessment [`CaseEvent::Decide`] will run (matter and calendar in force
/// on the violation date, the township's rules), for the circumstances and
/// penalty the officer is considering. Reads only; the case needs its party.
pub fn suggest(
    store: &Store,
    id: Uuid,
    penalty: Option<ProposedPenalty>,
    circumstances: Vec<String>,
    now: DateTime<Utc>,
) -> Result<Assessment, CaseError> {
    let local = beijing(now)?;
    let case = get(store, id)?.ok_or(CaseError::NotFound(id))?;
    let cat = store.catalogue();
    let release = cat
        .release(&case.release_id)?
        .ok_or_else(|| CaseError::Corrupt(format!("release {} missing", case.release_id)))?;
    let date = case.violation_time.date();
    let record = cat
        .matter(release, &case.matter_code, date)?
        .ok_or_else(|| CaseError::MatterNotInForce {
            matter: case.matter_code.clone(),
            date,
        })?;
    let calendar = newest_calendar(cat, local.date(), date);
    let config = config::read_config(store.conn(), &case.township)?
        .ok_or_else(|| CaseError::NoTownshipConfig(case.township.clone()))?;
    let ctx = Ctx {
        tx: store.conn(),
        store_catalogue: record,
        config,
        calendar,
        short_name: String::new(),
        // A suggestion reads only; it never consumes a number.
        number_policy: crate::catalogue::model::NumberPolicy::LeaseOnly,
        now,
        local,
    };
    let input = assess_input(&case, &ctx, penalty, circumstances)?;
    Ok(run_assess(&input, &ctx))
}

fn assess_input(
    case: &Case,
    ctx: &Ctx<'_>,
    penalty: Option<ProposedPenalty>,
    circumstances: Vec<String>,
) -> Result<AssessInput, CaseError> {
    input_on(
        case,
        ctx.local.date(),
        &ctx.config.district,
        penalty,
        circumstances,
    )
}

/// The assessment input of a decided case as its device built it at the
/// decision (same code path as [`advance`]'s `decide`), for the server's
/// replay of the rules (issue 15 item 3): the decision date, penalty,
/// circumstances and deviation reason are the recorded ones; `district`
/// is the township's district (its configuration on the device).
/// `FIELD_REQUIRED` when the case has no party or no decision.
pub fn replay_input(case: &Case, district: &str) -> Result<AssessInput, CaseError> {
    let decision = case
        .decision
        .as_ref()
        .ok_or(CaseError::FieldRequired("decision"))?;
    let mut input = input_on(
        case,
        decision.decided_at.date(),
        district,
        Some(decision.penalty.clone()),
        decision.circumstances.clone(),
    )?;
    input.deviation_reason = decision.deviation_reason.clone();
    Ok(input)
}

/// The assessment input of `case` decided on `today` (pure).
fn input_on(
    case: &Case,
    today: NaiveDate,
    district: &str,
    penalty: Option<ProposedPenalty>,
    circumstances: Vec<String>,
) -> Result<AssessInput, CaseError> {
    let party = case
        .party
        .as_ref()
        .ok_or(CaseError::FieldRequired("party"))?;
    let attestation = correction_attestation(case, today);
    Ok(AssessInput {
        matter: Some(case.matter_code.clone()),
        party: Party {
            kind: party.kind,
            // Only a number of the GB 11643 forms carries the birth date
            // the assessment derives; the others' is entered.
            id_number: (party.kind == PartyKind::Organization
                || party.doc_kind().number_has_birth_date() && party.birth_date.is_none())
            .then(|| party.id_number.clone()),
            birth_date: party.birth_date,
        },
        violation_date: case.violation_time.date(),
        // 行政处罚法 Art. 36 ¶2: a continuing act's period runs from its end;
        // an act still going on has not ended by the decision date (F10).
        violation_end_date: match case.act_end {
            Some(ActEnd::Ended { date }) => Some(date),
            Some(ActEnd::Ongoing) => Some(today),
            None => None,
        },
        // The case is opened when the act is discovered.
        discovered_date: DateTime::parse_from_rfc3339(&case.created_at)
            .ok()
            .and_then(|t| beijing(t.with_timezone(&Utc)).ok())
            .map(|t| t.date()),
        decision_date: Some(today),
        circumstances,
        penalty,
        deviation_reason: None,
        served_date: None,
        paid_date: None,
        remedy_pending: false,
        district: Some(district.to_owned()),
        // F1: the case itself attests "逾期未改正" from its own order to
        // correct (served, deadline passed before the decision date, the
        // follow-up check found it not corrected); a band of the 罚则 that
        // needs it is usable only then. Other preconditions have no record
        // in the simple procedure yet, so nothing else is attested here.
        attested: if attestation.not_corrected_by_deadline {
            vec![crate::catalogue::model::Precondition::NotCorrectedByDeadline]
        } else {
            Vec::new()
        },
        serious_facts: None,
        correction_deadline: attestation.deadline,
        base_fen: None,
    })
}

fn run_assess(input: &AssessInput, ctx: &Ctx<'_>) -> Assessment {
    crate::rules::assess(
        input,
        Some(&ctx.store_catalogue.matter),
        ctx.calendar.as_ref(),
        &ctx.config.rules_config(),
    )
}

fn apply(
    ctx: &Ctx<'_>,
    case: &mut Case,
    event: &CaseEvent,
    evidence_of_case: &[Uuid],
) -> Result<(), CaseError> {
    let at = rfc3339(ctx.now);
    match event {
        CaseEvent::RecordPartyAndFacts {
            party,
            facts,
            place,
            act_end,
            violation_time,
        } => {
            if let Some(t) = violation_time {
                if *t > ctx.local {
                    return Err(CaseError::InvalidField {
                        field: "violation_time",
                        reason: format!(
                            "违法时间不得晚于现在（{}）",
                            ctx.local.format("%Y-%m-%d %H:%M")
                        ),
                    });
                }
                case.violation_time = *t;
            }
            if let Some(ActEnd::Ended { date }) = act_end {
                // Art. 36 ¶2: the end of the act lies between its start and today.
                if *date < case.violation_time.date() || *date > ctx.local.date() {
                    return Err(CaseError::InvalidField {
                        field: "act_end.date",
                        reason: format!(
                            "违法行为终了日期须在违法行为发生日（{}）与今天之间",
                            case.violation_time.date()
                        ),
                    });
                }
            }
            case.act_end = *act_end;
            let party = &party::party_document(party, evidence_of_case, ctx.local.date())?;
            required("party.name", &party.name)?;
            if party.doc_kind().has_number() {
                required("party.id_number", &party.id_number)?;
            }
            required("party.address", &party.address)?;
            required("facts", facts)?;
            required("place", place)?;
            if party.kind == PartyKind::Organization
                && party
                    .representative
                    .as_deref()
                    .is_none_or(|r| r.trim().is_empty())
            {
                return Err(CaseError::FieldRequired("party.representative"));
            }
            case.party = Some(party.clone());
            case.facts = Some(facts.clone());
            case.place = Some(place.clone());
        }
        CaseEvent::AttachEvidence {
            evidence_ids,
            summary,
            no_evidence_reason,
        } => {
            required("summary", summary)?;
            if let Some(r) = no_evidence_reason.as_ref().filter(|r| !r.trim().is_empty()) {
                case.no_evidence_reason = Some(r.trim().to_owned());
            }
            for e in evidence_ids {
                if !evidence_of_case.contains(e) {
                    return Err(CaseError::EvidenceNotOfCase(*e));
                }
                if !case.evidence.contains(e) {
                    case.evidence.push(*e);
                }
            }
            case.evidence_summary = Some(summary.clone());
        }
        CaseEvent::ShowCredentials => {
            // 行政处罚法 Art. 52, 55: shown, and when.
            case.credentials_shown_at = Some(at);
        }
        CaseEvent::SignAsOfficer {
            officer_id,
            document_sha256,
            signature_sha256,
        } => officer_sign::apply_signature(
            ctx.tx,
            case,
            officer_id,
            document_sha256,
            signature_sha256,
            at,
        )?,
        CaseEvent::ShowDocument { document_sha256 } => {
            if case.handed_decision().map(|d| d.document_sha256) != Some(document_sha256.as_str()) {
                return Err(CaseError::InvalidField {
                    field: "document_sha256",
                    reason: "不是本案出具的决定书".into(),
                });
            }
            case.document_shown_at = Some(at);
        }
        CaseEvent::InformRights { proposed, content } => {
            // 行政处罚法 Art. 44: the proposed penalty, facts, reasons and basis.
            required("content", content)?;
            case.rights = Some(RightsRecord {
                proposed: proposed.clone(),
                content: content.clone(),
                at,
            });
            case.statement = None;
        }
        CaseEvent::HearStatement { text, review } => {
            // Art. 45 ¶1: the statement is heard and reviewed.
            required("text", text)?;
            required("review", review)?;
            case.statement = Some(StatementRecord::Heard {
                text: text.clone(),
                review: review.clone(),
                at,
            });
        }
        CaseEvent::WaiveStatement { words } => {
            let words = words
                .as_deref()
                .map(str::trim)
                .filter(|w| !w.is_empty())
                .map(str::to_owned);
            case.statement = Some(StatementRecord::Waived { at, words });
        }
        CaseEvent::Decide {
            penalty,
            circumstances,
            deviation_reason,
            place,
        } => {
            decide(ctx, case, penalty, circumstances, deviation_reason, place)?;
        }
        CaseEvent::Issue => issue(ctx, case)?,
        CaseEvent::Serve { service } => serve(ctx, case, service)?,
        CaseEvent::RecordPayment { paid_on, reference } => {
            let decision = case
                .decision
                .as_ref()
                .ok_or(CaseError::Corrupt("no decision".into()))?;
            let served = case
                .service
                .as_ref()
                .ok_or(CaseError::Corrupt("no service".into()))?;
            if *paid_on < served.served_at.date() {
                return Err(CaseError::TooEarly("缴款日期早于送达日期".into()));
            }
            // 行政处罚法 Art. 72: the surcharge, computed by the rules engine.
            let mut input = assess_input(
                case,
                ctx,
                Some(decision.penalty.clone()),
                decision.circumstances.clone(),
            )?;
            input.decision_date = Some(decision.decided_at.date());
            input.deviation_reason = decision.deviation_reason.clone();
            input.served_date = Some(served.served_at.date());
            input.paid_date = Some(*paid_on);
            let a = run_assess(&input, ctx);
            case.payment = Some(PaymentRecord::Paid {
                paid_on: *paid_on,
                reference: reference.clone(),
                late_fee_fen: a.late_fee_fen.unwrap_or(0),
            });
        }
        CaseEvent::CollectOnTheSpot { receipt_number } => {
            required("receipt_number", receipt_number)?;
            let decision = case
                .decision
                .as_ref()
                .ok_or(CaseError::Corrupt("no decision".into()))?;
            if decision.penalty.kind != PenaltyKind::Fine {
                return Err(CaseError::OnTheSpotNotAllowed("本案未处罚款".into()));
            }
            // 行政处罚法 Art. 68–69, as the assessment at decision found.
            if !decision.on_the_spot_collection {
                return Err(CaseError::OnTheSpotNotAllowed(
                    "不符合行政处罚法第六十八条、第六十九条规定的情形".into(),
                ));
            }
            case.payment = Some(PaymentRecord::Collected {
                receipt_number: receipt_number.clone(),
                at: ctx.local,
            });
        }
        CaseEvent::MarkOverdue { on } => {
            let due = case
                .service
                .as_ref()
                .and_then(|s| s.payment_due)
                .ok_or_else(|| CaseError::TooEarly("本案没有缴款期限".into()))?;
            // 行政处罚法 Art. 72: overdue only after the last day to pay.
            if *on <= due {
                return Err(CaseError::TooEarly(format!("缴款期限至 {due}，尚未逾期")));
            }
        }
        CaseEvent::DecideNoPenalty {
            circumstances,
            education,
            guardian_order,
        } => {
            // Art. 33 ¶3: the party is educated.
            required("education", education)?;
            let input = assess_input(case, ctx, None, circumstances.clone())?;
            let a = run_assess(&input, ctx);
            use crate::rules::assess::{Exemption, Minor};
            // The ground as the law words it (F9: an Art. 31 exemption is not
            // recorded under Art. 33's words); Art. 30/31 also order the guardian.
            use crate::document::model::NoPenaltyGround as G;
            let mut guardian: Option<(&'static str, &'static str)> = None;
            let (ground, basis) = if a.minor == Minor::NoPenalty {
                guardian = Some(("行政处罚法第三十条", "责令监护人加以管教"));
                ("不满十四周岁（行政处罚法第三十条）", G::Under14)
            } else if a.limitation_expired {
                ("超过追责时效（第三十六条）", G::LimitationExpired)
            } else {
                match a.exemption {
                    Exemption::Mandatory
                        if circumstances.iter().any(|c| c == "mental_incapacity") =>
                    {
                        guardian = Some(("行政处罚法第三十一条", "责令其监护人严加看管和治疗"));
                        (
                            "精神病人、智力残疾人在不能辨认或者不能控制自己行为时有违法行为（第三十一条）",
                            G::Incapacity,
                        )
                    }
                    Exemption::Mandatory => (
                        "违法行为轻微并及时改正，没有造成危害后果（第三十三条第一款）",
                        G::Minor,
                    ),
                    Exemption::Discretionary => (
                        "初次违法且危害后果轻微并及时改正（第三十三条第一款）",
                        G::FirstViolation,
                    ),
                    Exemption::NoFault => {
                        ("有证据足以证明没有主观过错（第三十三条第二款）", G::NoFault)
                    }
                    Exemption::None => return Err(CaseError::NoPenaltyNotGrounded),
                }
            };
            let guardian_order = match guardian {
                Some((article, order)) => Some(
                    guardian_order
                        .as_ref()
                        .map(|g| g.trim().to_owned())
                        .filter(|g| !g.is_empty())
                        .ok_or(CaseError::GuardianOrderMissing { article, order })?,
                ),
                None => None,
            };
            // The written decision the party receives, issued with the step.
            let issued = no_penalty_doc::issue_no_penalty(
                ctx,
                case,
                basis,
                ground,
                education,
                guardian_order.as_deref(),
            )?;
            case.no_penalty = Some(NoPenaltyRecord {
                ground: ground.into(),
                circumstances: circumstances.clone(),
                education: education.clone(),
                guardian_order,
                at: ctx.local,
                number: issued.number,
                document_sha256: Some(issued.document_sha256),
            });
        }
        CaseEvent::OrderCorrection {
            requirement,
            deadline,
            follow_up_due,
        } => {
            order_correction(ctx, case, requirement, *deadline, *follow_up_due)?;
        }
        CaseEvent::RecordFollowUp { corrected, note } => {
            required("note", note)?;
            let c = case
                .correction
                .as_mut()
                .ok_or(CaseError::Corrupt("no order".into()))?;
            // Not corrected can only be found after the deadline has passed.
            if !corrected && ctx.local.date() <= c.deadline {
                return Err(CaseError::TooEarly(format!(
                    "改正期限至 {}，期限届满前不能认定未改正",
                    c.deadline
                )));
            }
            c.follow_up = Some(FollowUpRecord {
                corrected: *corrected,
                note: note.clone(),
                at: ctx.local,
            });
        }
        CaseEvent::File { note } => {
            // 行政处罚法 Art. 52 ¶3: one 备案 of the decision (or outcome).
            if let Some((at, _)) = &case.filed {
                return Err(CaseError::AlreadyFiled(*at));
            }
            case.filed = Some((ctx.local, note.clone()));
        }
        CaseEvent::Close { note } => {
            if case.filed.is_none() {
                return Err(CaseError::NotFiled);
            }
            case.closed = Some((ctx.local, note.clone()));
        }
        CaseEvent::Void { reason } => {
            required("reason", reason)?;
            case.voided = Some((ctx.local, reason.trim().to_owned()));
        }
    }
    Ok(())
}

fn decide(
    ctx: &Ctx<'_>,
    case: &mut Case,
    penalty: &ProposedPenalty,
    circumstances: &[String],
    deviation_reason: &Option<String>,
    place: &str,
) -> Result<(), CaseError> {
    required("place", place)?;
    // 行政处罚法 Art. 52: credentials shown before the decision on the spot.
    if case.credentials_shown_at.is_none() {
        return Err(CaseError::CredentialsNotShown);
    }
    let rights = case.rights.as_ref().ok_or(CaseError::StatementMissing)?;
    // 行政处罚法 Art. 62: heard or expressly waived, else no decision.
    let statement = case.statement.as_ref().ok_or(CaseError::StatementMissing)?;
    // Never heavier than told. After a statement: Art. 45 ¶2 (not heavier
    // because of the defence). After a waiver too: Art. 44 requires telling
    // "拟作出的行政处罚内容" and Art. 62 forbids deciding without it; the
    // party waived its rights about what it was told (F2). A heavier
    // penalty needs a new 告知 (`inform_rights` again).
    if heavier_than(penalty, &rights.proposed) {
        let (told, proposed) = (penalty_zh(&rights.proposed), penalty_zh(penalty));
        return Err(match statement {
            StatementRecord::Heard { .. } => CaseError::HeavierAfterStatement { told, proposed },
            StatementRecord::Waived { .. } => CaseError::HeavierThanTold { told, proposed },
        });
    }
    // F1: where the 罚则 fines only "逾期未改正", the case must carry the
    // order to correct with its deadline passed and found not corrected on
    // the follow-up check, before the decision date.
    let attestation = correction_attestation(case, ctx.local.date());
    if penalty.kind == PenaltyKind::Fine
        && fine_only_after_order(&ctx.store_catalogue.matter, case)
        && !attestation.not_corrected_by_deadline
    {
        return Err(CaseError::CorrectionPrecondition(format!(
            "事项 {} 的罚则须先责令限期改正、逾期未改正的方可罚款：{}（行政处罚法第二十八条、第三十八条第一款）",
            case.matter_code,
            attestation.missing_zh()
        )));
    }
    // 行政处罚法 Art. 40 (事实不清、证据不足的，不得给予行政处罚) and
    // Art. 47 (全过程记录): a fine rests on captured evidence, or the case
    // records why none could be captured (F14).
    if penalty.kind == PenaltyKind::Fine
        && case.evidence.is_empty()
        && case.no_evidence_reason.is_none()
    {
        return Err(CaseError::NoEvidence);
    }
    let reason = deviation_reason
        .as_ref()
        .filter(|r| !r.trim().is_empty())
        .cloned();
    let mut input = assess_input(case, ctx, Some(penalty.clone()), circumstances.to_vec())?;
    input.deviation_reason = reason.clone();
    let a = run_assess(&input, ctx);
    if !a.errors.is_empty() {
        return Err(CaseError::AssessmentRefused { problems: a.errors });
    }
    // 行政处罚法 Art. 51.
    if !a.simple_procedure.allowed {
        return Err(CaseError::SimpleProcedureNotAllowed(
            a.simple_procedure.reason,
        ));
    }
    case.decision = Some(DecisionRecord {
        penalty: penalty.clone(),
        circumstances: circumstances.to_vec(),
        suggested_level: a.suggested_level,
        deviation_reason: reason,
        on_the_spot_collection: a.on_the_spot_collection.allowed,
        remedy_clause: a.remedy_clause,
        place: place.to_owned(),
        decided_at: ctx.local,
    });
    Ok(())
}

fn authority(ctx: &Ctx<'_>) -> Authority {
    let m = &ctx.store_catalogue.matter;
    Authority {
        name: ctx.config.authority_name.clone(),
        // 行政处罚法 Art. 20 ¶3: an entrusted matter is enforced in the
        // entrusting authority's name.
        entrusted_by: if m.kind == MatterKind::Entrusted {
            m.entrusting_authority.clone()
        } else {
            None
        },
    }
}

pub(crate) fn party_details(p: &CaseParty) -> Result<PartyDetails, CaseError> {
    Ok(match p.kind {
        PartyKind::Individual => PartyDetails::Individual {
            name: p.name.clone(),
            sex: None,
            birth_date: p.birth_date,
            id_kind: p.id_kind_printed(),
            id_number: if p.doc_kind().has_number() {
                p.id_number.clone()
            } else {
                "无".into()
            },
            address: p.address.clone(),
            phone: p.phone.clone(),
        },
        PartyKind::Organization => PartyDetails::Organization {
            name: p.name.clone(),
            uscc: p.id_number.clone(),
            legal_representative: p
                .representative
                .clone()
                .ok_or(CaseError::FieldRequired("party.representative"))?,
            representative_title: None,
            address: p.address.clone(),
            phone: p.phone.clone(),
        },
    })
}

fn doc_officers(case: &Case) -> [DocOfficer; 2] {
    case.officers.clone().map(|o| DocOfficer {
        name: o.name,
        credential_number: o.credential_no,
        signature: None,
    })
}

/// The next number of the township's `series` for this year (Beijing,
/// `ctx.local`), consumed from the device's leases for `case` and formatted
/// by the township's template for the series.
fn next_number(ctx: &Ctx<'_>, case: &Case, series: &str) -> Result<String, CaseError> {
    let year = chrono::Datelike::year(&ctx.local.date());
    let template = ctx.config.template(series)?;
    let (short, township) = (ctx.short_name.clone(), case.township.clone());
    let (_, number) = numbers::consume(
        ctx.tx,
        &case.township,
        series,
        year,
        Some(case.id),
        ctx.now,
        &|seq| Ok(template.format(&short, &township, year, seq)),
    )?;
    Ok(number)
}

fn citations(ctx: &Ctx<'_>, role: ProvisionRole) -> Vec<String> {
    ctx.store_catalogue
        .provisions
        .iter()
        .filter(|p| p.role == role)
        .map(|p| p.citation.clone())
        .collect()
}

/// The issued form of a document: its JSON without the party's signature
/// block, which is only filled in at service. A placeholder signature is
/// serialised and then removed, so the stored content is exactly the typed
/// document's other fields.
fn issued_json(doc: &DocumentData) -> Result<(serde_json::Value, String, String), CaseError> {
    let mut v = serde_json::to_value(doc).map_err(json_err)?;
    if let Some(map) = v.as_object_mut() {
        map.remove("party_signature");
    }
    let (json, sha) = canonical(&v);
    Ok((v, json, sha))
}

fn store_document(
    ctx: &Ctx<'_>,
    case: &Case,
    kind: DocumentKind,
    stage: &str,
    number: &str,
    json: &str,
    sha: &str,
) -> Result<(), CaseError> {
    let kind = serde_json::to_value(kind).map_err(json_err)?;
    ctx.tx.execute(
        "INSERT INTO case_document (case_id, kind, stage, number, json, sha256, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            case.id.to_string(),
            kind.as_str().unwrap_or_default(),
            stage,
            number,
            json,
            sha,
            rfc3339(ctx.now)
        ],
    )?;
    Ok(())
}

fn placeholder_signature() -> PartySignature {
    PartySignature::Refused {
        reason: String::new(),
        witness: None,
    }
}

fn issue(ctx: &Ctx<'_>, case: &mut Case) -> Result<(), CaseError> {
    let decision = case
        .decision
        .clone()
        .ok_or(CaseError::Corrupt("no decision".into()))?;
    let party = case
        .party
        .clone()
        .ok_or(CaseError::FieldRequired("party"))?;
    let year = chrono::Datelike::year(&ctx.local.date());
    let template = ctx.config.template(config::SERIES_DECISION)?;
    let (short, township) = (ctx.short_name.clone(), case.township.clone());
    let provisional_allowed =
        ctx.number_policy == crate::catalogue::model::NumberPolicy::Provisional;
    // 行政处罚法 Art. 52: the numbered form; consumed in this transaction.
    // With every lease used up and the township's policy allowing it, a
    // provisional number unique by construction is printed instead and the
    // server assigns the final one of the series at sync (sync.md §5, §9.1).
    let (number, number_provisional) = match numbers::consume(
        ctx.tx,
        &case.township,
        config::SERIES_DECISION,
        year,
        Some(case.id),
        ctx.now,
        &|seq| Ok(template.format(&short, &township, year, seq)),
    ) {
        Ok((_, number)) => (number, false),
        Err(CaseError::Numbers(NumberError::Exhausted { .. })) if provisional_allowed => {
            let p = numbers::issue_provisional(
                ctx.tx,
                &case.township,
                config::SERIES_DECISION,
                year,
                Some(case.id),
                &template,
                &short,
                ctx.now,
            )?;
            (p.provisional, true)
        }
        Err(e) => return Err(e),
    };
    let amount = match (decision.penalty.kind, decision.penalty.amount_fen) {
        (PenaltyKind::Fine, Some(a)) => Some(a),
        _ => None,
    };
    // The decision is handed over on the spot (Art. 52), so the 15-day
    // period of Art. 67 is counted from today; it is recomputed from the
    // actual service date at service.
    let (due, due_estimated) = match amount {
        Some(_) => {
            let (d, e) = payment_due(ctx, ctx.local.date())?;
            (Some(d), e)
        }
        None => (None, false),
    };
    let (code, url) = match amount {
        Some(amount) if ctx.config.payment.scheme.consumes_numbers() => {
            let scheme = ctx.config.payment.scheme.clone();
            let consumed = numbers::consume(
                ctx.tx,
                &case.township,
                numbers::PAYMENT_CODE_SERIES,
                year,
                Some(case.id),
                ctx.now,
                &|seq| {
                    scheme
                        .code(&township, year, seq)?
                        .ok_or(CaseError::Corrupt("payment scheme gives no code".into()))
                },
            );
            match consumed {
                Ok((_, code)) => {
                    let url = match &ctx.config.payment.url_template {
                        Some(t) => {
                            Some(payment::PaymentUrlTemplate::parse(t)?.fill(&code, amount, due))
                        }
                        None => None,
                    };
                    (Some(code), url)
                }
                // Payment codes used up too, under the provisional policy:
                // no code and no QR offline (never an invented one, which
                // the finance platform would not know); the decision tells
                // the party to pay through the channel quoting the
                // decision's number, which the finance callback matches
                // (provisional or final, docs/PROTOCOL.md stream E).
                Err(CaseError::Numbers(NumberError::Exhausted { .. })) if provisional_allowed => {
                    (None, None)
                }
                Err(e) => return Err(e),
            }
        }
        _ => (None, None),
    };
    let penalty = match amount {
        Some(a) => Penalty::Fine { amount_fen: a },
        None => Penalty::Warning,
    };
    let doc = DocumentData::DecisionOnTheSpot(DecisionOnTheSpot {
        number: number.clone(),
        number_provisional,
        authority: authority(ctx),
        party: party_details(&party)?,
        violation_time: case.violation_time,
        violation_place: case.place.clone().unwrap_or_default(),
        facts: case.facts.clone().unwrap_or_default(),
        evidence_summary: case.evidence_summary.clone().unwrap_or_default(),
        violated_provisions: citations(ctx, ProvisionRole::Violated),
        penalty_provisions: citations(ctx, ProvisionRole::Penalty),
        discretion: decision
            .suggested_level
            .as_ref()
            .map(|l| format!("{}（裁量阶次 {l}）", ctx.store_catalogue.matter.name)),
        statement: match &case.statement {
            Some(StatementRecord::Heard { text, .. }) => Statement::Heard { text: text.clone() },
            _ => Statement::Waived,
        },
        penalty,
        payment: due.map(|due| Payment::Electronic {
            channel: ctx.config.payment.channel.clone(),
            code: code.clone(),
            qr_content: url.clone(),
            due,
        }),
        remedy_clause: decision.remedy_clause.clone(),
        place: decision.place.clone(),
        decided_at: decision.decided_at,
        officers: doc_officers(case),
        party_signature: placeholder_signature(),
        date: ctx.local.date(),
    });
    let (_, json, sha) = issued_json(&doc)?;
    store_document(
        ctx,
        case,
        DocumentKind::DecisionOnTheSpot,
        "issued",
        &number,
        &json,
        &sha,
    )?;
    case.issue = Some(IssueRecord {
        number,
        number_provisional,
        payment_code: code,
        payment_url: url,
        payment_due: due,
        payment_due_estimated: due_estimated,
        document_sha256: sha,
        issued_at: ctx.local,
    });
    Ok(())
}

/// 行政处罚法 Art. 67: 15 days from service, by the rules engine's calendar
/// rule; with whether the count rests on an estimated calendar year. A day
/// past the calendar refuses this step only ([`CaseError::CalendarYearMissing`]).
fn payment_due(ctx: &Ctx<'_>, served: NaiveDate) -> Result<(NaiveDate, bool), CaseError> {
    let roll = ctx.config.rules_config().roll_period_end_off_rest_day;
    let due = crate::rules::calendar::period_end(
        ctx.calendar.as_ref(),
        served,
        crate::rules::assess::PAYMENT_DAYS,
        roll,
    )
    .map_err(|e| calendar_missing(&e, "缴款期限（行政处罚法第六十七条）"))?;
    let estimated = roll
        && ctx
            .calendar
            .as_ref()
            .is_some_and(|c| c.estimated_between(served, due));
    Ok((due, estimated))
}

/// A calendar error as the refusal of the one step that needed the day.
fn calendar_missing(e: &crate::rules::calendar::CalendarError, what: &'static str) -> CaseError {
    use crate::rules::calendar::CalendarError as E;
    let date = match e {
        E::Missing { date } | E::OutOfRange { date, .. } => *date,
        E::Invalid { from, .. } => *from,
    };
    CaseError::CalendarYearMissing {
        year: chrono::Datelike::year(&date),
        what,
    }
}

fn serve(ctx: &Ctx<'_>, case: &mut Case, service: &Service) -> Result<(), CaseError> {
    let (kind, number, document_sha256) = case
        .handed_decision()
        .map(|d| (d.kind, d.number.to_owned(), d.document_sha256.to_owned()))
        .ok_or(CaseError::Corrupt("not issued".into()))?;
    if case.service.is_some() {
        return Err(CaseError::InvalidField {
            field: "service",
            reason: "决定书已送达".into(),
        });
    }
    let payment_due_at_issue = case.issue.as_ref().and_then(|i| i.payment_due);
    // 行政处罚法 Art. 52 ¶2: both officers signed the issued decision.
    let officer_signatures = officer_sign::both_signed(ctx.tx, case, &document_sha256)?;
    let signature = match service {
        Service::Signed { name, png } => {
            required("name", name)?;
            if !png.starts_with(&PNG_SIGNATURE) {
                return Err(CaseError::InvalidField {
                    field: "png",
                    reason: "签名不是 PNG 图像".into(),
                });
            }
            Some(PartySignature::Signed {
                name: name.clone(),
                png: png.clone(),
                signed_at: ctx.local,
            })
        }
        // 行政处罚法 Art. 52: a refusal is noted on the decision.
        Service::Refused { reason, witness } => {
            required("reason", reason)?;
            Some(PartySignature::Refused {
                reason: reason.clone(),
                witness: witness.clone(),
            })
        }
        // Art. 61 ¶2: consent and a signed confirmation.
        Service::Electronic {
            channel,
            address,
            consent,
            confirmation,
        } => {
            check_electronic_service(channel, address, consent, confirmation.as_ref())?;
            None
        }
    };
    if let Some(sig) = signature {
        let (json, _) = document_on(ctx.tx, case.id, kind, "issued")?
            .ok_or(CaseError::Corrupt("issued document missing".into()))?;
        let mut v: serde_json::Value = serde_json::from_str(&json).map_err(json_err)?;
        let sig = serde_json::to_value(sig).map_err(json_err)?;
        if let Some(map) = v.as_object_mut() {
            map.insert("party_signature".into(), sig);
        }
        officer_sign::put_on_document(&mut v, "officers", &officer_signatures)?;
        // Prove the result is a whole typed document before storing it.
        let _: DocumentData = serde_json::from_value(v.clone()).map_err(json_err)?;
        let (json, sha) = canonical(&v);
        store_document(ctx, case, kind, "served", &number, &json, &sha)?;
    }
    let (payment_due, payment_due_estimated) = match payment_due_at_issue {
        Some(_) => {
            let (d, e) = payment_due(ctx, ctx.local.date())?;
            (Some(d), e)
        }
        None => (None, false),
    };
    case.service = Some(ServiceRecord {
        service: service.clone(),
        served_at: ctx.local,
        payment_due,
        payment_due_estimated,
    });
    Ok(())
}

/// What the case attests about its order to correct (责令改正, 行政处罚法
/// Art. 28) on a decision date, for a 罚则 that fines only "逾期未改正"
/// (F1 of the legal review; e.g. 市容条例 Art. 37 ¶2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CorrectionAttestation {
    /// An order was issued (and handed over: the order is issued on the
    /// spot, numbered, 行政处罚法 Art. 52 form).
    pub ordered: bool,
    /// Its deadline, if ordered.
    pub deadline: Option<NaiveDate>,
    /// The deadline passed before the decision date.
    pub deadline_passed: bool,
    /// The follow-up check (复查, after the deadline) found it not corrected.
    pub found_not_corrected: bool,
    /// All three: the precondition `not_corrected_by_deadline` holds.
    pub not_corrected_by_deadline: bool,
}

impl CorrectionAttestation {
    /// What is missing, in Chinese (empty when nothing is).
    pub fn missing_zh(&self) -> &'static str {
        if !self.ordered {
            "本案没有责令改正通知书"
        } else if !self.deadline_passed {
            "改正期限尚未届满"
        } else if !self.found_not_corrected {
            "期限届满后的复查未记录逾期未改正"
        } else {
            ""
        }
    }
}

/// Whether the matter's 罚则 fines this case's party only "逾期未改正":
/// every band that fines that party kind needs `not_corrected_by_deadline`
/// (the clause model, catalogue format 2), or a format-1 matter's
/// `correction_first` flag where no clause can be read.
fn fine_only_after_order(matter: &crate::catalogue::model::Matter, case: &Case) -> bool {
    use crate::catalogue::model::{Clause, ClauseParty, Precondition};
    let who = match case.party.as_ref().map(|p| p.kind) {
        Some(PartyKind::Organization) => ClauseParty::Organization,
        _ => ClauseParty::Individual,
    };
    match Clause::of(matter) {
        Ok(Some(clause)) => {
            let mut fining = clause
                .bands_for(who)
                .filter(|b| b.fine.is_some())
                .peekable();
            fining.peek().is_some()
                && fining.all(|b| {
                    b.preconditions
                        .contains(&Precondition::NotCorrectedByDeadline)
                })
        }
        _ => matter.correction_first,
    }
}

/// The correction-order attestation of `case` on `decision_date`;
/// `assess_input` passes it to the rules as `AssessInput.attested`
/// (`Precondition::NotCorrectedByDeadline` when
/// [`CorrectionAttestation::not_corrected_by_deadline`]) and
/// `AssessInput.correction_deadline` (= `deadline`), so the 罚则's band
/// that fines only "逾期未改正" is usable exactly when the case holds it.
pub fn correction_attestation(case: &Case, decision_date: NaiveDate) -> CorrectionAttestation {
    let order = case.correction.as_ref();
    let deadline = order.map(|c| c.deadline);
    let deadline_passed = deadline.is_some_and(|d| d < decision_date);
    let found_not_corrected = order
        .and_then(|c| c.follow_up.as_ref())
        .is_some_and(|f| !f.corrected && deadline.is_some_and(|d| f.at.date() > d));
    CorrectionAttestation {
        ordered: order.is_some(),
        deadline,
        deadline_passed,
        found_not_corrected,
        not_corrected_by_deadline: order.is_some() && deadline_passed && found_not_corrected,
    }
}

/// 行政处罚法 Art. 61 ¶2 for the electronic service of any document: the
/// party's consent and a signed 确认书 naming the address used (F14: a
/// consent string alone is not a signed 确认书).
pub fn check_electronic_service(
    channel: &str,
    address: &str,
    consent: &str,
    confirmation: Option<&ServiceConfirmation>,
) -> Result<(), CaseError> {
    if consent.trim().is_empty() {
        return Err(CaseError::ElectronicServiceWithoutConsent(
            "未记录当事人同意电子送达",
        ));
    }
    required("channel", channel)?;
    required("address", address)?;
    let c = confirmation.ok_or(CaseError::ElectronicServiceWithoutConsent(
        "未记录当事人签名的确认书",
    ))?;
    if c.signer_name.trim().is_empty() {
        return Err(CaseError::ElectronicServiceWithoutConsent(
            "确认书未记录签名人",
        ));
    }
    if !c.signature_png.starts_with(&PNG_SIGNATURE) {
        return Err(CaseError::ElectronicServiceWithoutConsent(
            "确认书没有当事人签名图像",
        ));
    }
    let compact = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    if !compact(&c.agreed_address).contains(&compact(address)) {
        return Err(CaseError::ElectronicServiceWithoutConsent(
            "送达地址不是确认书中当事人同意的地址",
        ));
    }
    Ok(())
}

/// [`document`] on a bare connection (inside a transaction).
fn document_on(
    conn: &Connection,
    id: Uuid,
    kind: DocumentKind,
    stage: &str,
) -> Result<Option<(String, String)>, CaseError> {
    let kind = serde_json::to_value(kind).map_err(json_err)?;
    Ok(conn
        .query_row(
            "SELECT json, sha256 FROM case_document WHERE case_id = ?1 AND kind = ?2 AND stage = ?3",
            params![id.to_string(), kind.as_str().unwrap_or_default(), stage],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}

fn order_correction(
    ctx: &Ctx<'_>,
    case: &mut Case,
    requirement: &str,
    deadline: NaiveDate,
    follow_up_due: NaiveDate,
) -> Result<(), CaseError> {
    required("requirement", requirement)?;
    let today = ctx.local.date();
    if deadline < today {
        return Err(CaseError::InvalidField {
            field: "deadline",
            reason: "改正期限早于今天".into(),
        });
    }
    if follow_up_due < deadline {
        return Err(CaseError::InvalidField {
            field: "follow_up_due",
            reason: "复查日期早于改正期限".into(),
        });
    }
    let party = case
        .party
        .clone()
        .ok_or(CaseError::FieldRequired("party"))?;
    let number = next_number(ctx, case, config::SERIES_ORDER)?;
    let doc = DocumentData::OrderToCorrect(OrderToCorrect {
        number: number.clone(),
        authority: authority(ctx),
        party: party_details(&party)?,
        facts: case.facts.clone().unwrap_or_default(),
        violated_provisions: citations(ctx, ProvisionRole::Violated),
        order_basis: citations(ctx, ProvisionRole::Penalty),
        requirement: requirement.to_owned(),
        deadline,
        consequence: ctx.config.correction_consequence.clone(),
        follow_up: Some(format!(
            "本机关将于{}前进行复查",
            crate::document::model::date_zh(follow_up_due)
        )),
        officers: doc_officers(case),
        party_signature: placeholder_signature(),
        date: today,
    });
    let (_, json, sha) = issued_json(&doc)?;
    store_document(
        ctx,
        case,
        DocumentKind::OrderToCorrect,
        "issued",
        &number,
        &json,
        &sha,
    )?;
    case.correction = Some(CorrectionRecord {
        number,
        requirement: requirement.to_owned(),
        deadline,
        follow_up_due,
        document_sha256: sha,
        follow_up: None,
    });
    Ok(())
}

mod hex_bytes {
    //! Bytes as a hex string in JSON.
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(bytes))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let s = String::deserialize(d)?;
        hex::decode(s).map_err(serde::de::Error::custom)
    }
}
