//! The full content of a case, an inspection and a task as a device pushes
//! it (schema 2 of their mutations, and the `snapshot` ops of backfill).
//!
//! Each record serializes to exactly the JSON of the device's own record
//! (`zhifa_core::case::Case`, `zhifa_core::inspection::Inspection`,
//! `zhifa_core::inspection::task::Task`): same field names, same shapes,
//! same optional-field omissions, so `zhifa-server case show --json` can
//! answer in the shape of `zhifa case show --json`. The conversions live in
//! core (`From<&Case> for CaseRecord` …), which depends on this crate; a
//! test there compares the two serializations over generated cases.
//!
//! Code-valued fields of the law's vocabulary (penalty and sanction kinds,
//! party kinds) are kept as their stable snake_case strings here: the
//! protocol carries them, the rules (core, later `law`) give them meaning.
//! Document content (the 笔录 and the orders of a finished inspection) is
//! carried as the device made it, as JSON.
//!
//! Personal data (party names, ID numbers, phones, addresses, signatures)
//! is masked in every `Debug`.

use std::fmt;

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

// ---------------------------------------------------------------------------
// Masking

/// Masks all but the first character: `张**`.
pub fn mask_text(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => std::iter::once(first).chain(c.map(|_| '*')).collect(),
        None => String::new(),
    }
}

/// Masks all but the first three and last four characters of a phone or an
/// ID number.
pub fn mask_phone(p: &str) -> String {
    let n = p.chars().count();
    p.chars()
        .enumerate()
        .map(|(i, c)| if i < 3 || i + 4 >= n { c } else { '*' })
        .collect()
}

mod hex_bytes {
    //! Bytes as a hex string in JSON (the device's encoding of signature
    //! images).
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(bytes))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let s = String::deserialize(d)?;
        hex::decode(s).map_err(serde::de::Error::custom)
    }
}

// ---------------------------------------------------------------------------
// Case

/// Where a case stands (the device's `CaseStatus`, same snake_case names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum CaseStatus {
    /// Created with matter, township, officers and violation time.
    Draft,
    /// Party, facts and place recorded.
    PartyAndFacts,
    /// Evidence attached.
    Evidence,
    /// 告知 recorded (行政处罚法 Art. 44).
    RightsTold,
    /// Penalty decided after the assessment.
    Decided,
    /// Decision numbered and issued (Art. 52).
    Issued,
    /// Decision served (Art. 61).
    Served,
    /// Fine paid through the platform (Art. 67).
    Paid,
    /// Fine collected on the spot (Art. 68–70).
    CollectedOnTheSpot,
    /// Payment period passed without payment (Art. 72).
    Overdue,
    /// No penalty (Art. 30, 33, 36).
    NoPenalty,
    /// Order to correct issued (Art. 28).
    CorrectionOrdered,
    /// Corrected by the deadline.
    Corrected,
    /// Filed with the agency (备案).
    Filed,
    /// Closed.
    Closed,
}

impl CaseStatus {
    /// Every status.
    pub const ALL: &'static [CaseStatus] = &[
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
    pub const fn as_str(self) -> &'static str {
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

    /// Parses [`Self::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|c| c.as_str() == s)
    }
}

/// The party (当事人). Personal data: `Debug` masks it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartyRecord {
    /// `individual` or `organization`.
    pub kind: String,
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
    /// The document a person showed (`resident_id`, `foreign_passport`,
    /// `no_document` …); absent: 居民身份证 (records before the choice).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_kind: Option<String>,
    /// 国籍 (foreign passport).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nationality: Option<String>,
    /// 出生日期 (`YYYY-MM-DD`) as entered, where the number has none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<String>,
    /// 无证件: why there is no document.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_document_reason: Option<String>,
    /// 无证件: the evidence id of the photo of the party.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub photo_evidence: Option<String>,
}

impl fmt::Debug for PartyRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PartyRecord")
            .field("kind", &self.kind)
            .field("name", &mask_text(&self.name))
            .field("id_number", &mask_phone(&self.id_number))
            .field("phone", &self.phone.as_deref().map(mask_phone))
            .field("address", &mask_text(&self.address))
            .field(
                "representative",
                &self.representative.as_deref().map(mask_text),
            )
            .field("id_kind", &self.id_kind)
            .field("nationality", &self.nationality)
            .field(
                "birth_date",
                &self.birth_date.as_ref().map(|_| "****-**-**"),
            )
            .field(
                "no_document_reason",
                &self.no_document_reason.as_deref().map(mask_text),
            )
            .field("photo_evidence", &self.photo_evidence)
            .finish()
    }
}

/// An officer on the case, as at creation.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfficerRecord {
    /// Officer id.
    pub id: String,
    /// Name (personal data; masked in `Debug`).
    pub name: String,
    /// 执法证号.
    pub credential_no: String,
}

impl fmt::Debug for OfficerRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OfficerRecord")
            .field("id", &self.id)
            .field("name", &mask_text(&self.name))
            .field("credential_no", &self.credential_no)
            .finish()
    }
}

/// A penalty as proposed or decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PenaltyRecord {
    /// `warning`, `fine` or `notice_of_criticism`.
    pub kind: String,
    /// The fine in fen.
    #[serde(default)]
    pub amount_fen: Option<i64>,
    /// The other kinds imposed together (并处).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub also: Vec<AdditionalPenaltyRecord>,
    /// The clause band (by id) the proposal uses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub band: Option<String>,
}

/// A further kind of penalty imposed with the main one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdditionalPenaltyRecord {
    /// The sanction kind (行政处罚法 Art. 9), snake_case.
    pub kind: String,
    /// What exactly.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// The 告知 record (行政处罚法 Art. 44).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RightsRecord {
    /// The penalty told.
    pub proposed: PenaltyRecord,
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

/// The decision, with the assessment's circumstances and discretion level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionRecord {
    /// The penalty decided.
    pub penalty: PenaltyRecord,
    /// The circumstance codes attested.
    pub circumstances: Vec<String>,
    /// The suggested discretion level.
    pub suggested_level: Option<String>,
    /// The written reason for deviating from the suggested level.
    pub deviation_reason: Option<String>,
    /// Whether on-the-spot collection was allowed (Art. 68–69).
    pub on_the_spot_collection: bool,
    /// The remedy clause printed.
    pub remedy_clause: String,
    /// Where decided.
    pub place: String,
    /// When decided (Beijing time).
    pub decided_at: NaiveDateTime,
}

/// The issued decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssueRecord {
    /// The document number (provisional when `number_provisional`).
    pub number: String,
    /// Whether `number` is provisional.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub number_provisional: bool,
    /// The 缴款码, if any.
    pub payment_code: Option<String>,
    /// The payment QR content, if any.
    pub payment_url: Option<String>,
    /// The last day to pay (Art. 67), if a fine.
    pub payment_due: Option<NaiveDate>,
    /// `payment_due` was counted on an estimated calendar year.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub payment_due_estimated: bool,
    /// SHA-256 of the canonical JSON of the document as issued.
    pub document_sha256: String,
    /// When issued (Beijing time).
    pub issued_at: NaiveDateTime,
}

/// How the decision was served (Art. 61).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ServiceKind {
    /// Signed for on the device.
    Signed {
        /// The signer's name.
        name: String,
        /// The signature image (PNG), hex in JSON.
        #[serde(with = "hex_bytes")]
        png: Vec<u8>,
    },
    /// The party refused to sign.
    Refused {
        /// The reason given or observed.
        reason: String,
        /// Witness, if any.
        #[serde(default)]
        witness: Option<String>,
    },
    /// Served electronically with the party's consent (Art. 61 ¶2).
    Electronic {
        /// The channel.
        channel: String,
        /// The address (phone number, e-mail).
        address: String,
        /// The consent text.
        consent: String,
        /// The signed 确认书.
        #[serde(default)]
        confirmation: Option<ServiceConfirmationRecord>,
    },
}

impl fmt::Debug for ServiceKind {
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

/// The party's signed 确认书 for electronic service (Art. 61 ¶2).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceConfirmationRecord {
    /// The signer's name.
    pub signer_name: String,
    /// The signature (PNG), hex in JSON.
    #[serde(with = "hex_bytes")]
    pub signature_png: Vec<u8>,
    /// The channel and address the party agreed to, as signed.
    pub agreed_address: String,
}

impl fmt::Debug for ServiceConfirmationRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServiceConfirmationRecord")
            .field("signer_name", &mask_text(&self.signer_name))
            .field("signature_png_bytes", &self.signature_png.len())
            .finish_non_exhaustive()
    }
}

/// The service record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceRecord {
    /// How.
    pub service: ServiceKind,
    /// When (Beijing time).
    pub served_at: NaiveDateTime,
    /// The last day to pay counted from service (Art. 67), if a fine.
    pub payment_due: Option<NaiveDate>,
    /// `payment_due` was counted on an estimated calendar year.
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

/// The no-penalty outcome (Art. 33 ¶3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoPenaltyRecord {
    /// The ground, as the assessment found it.
    pub ground: String,
    /// The circumstance codes attested.
    pub circumstances: Vec<String>,
    /// The 教育 record.
    pub education: String,
    /// The order to the guardian (Art. 30, 31), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guardian_order: Option<String>,
    /// When (Beijing time).
    pub at: NaiveDateTime,
    /// The 不予行政处罚决定书's number, when the township numbers them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    /// SHA-256 of the 不予行政处罚决定书 as issued (its canonical JSON).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_sha256: Option<String>,
}

/// When a continuing act ended (Art. 36 ¶2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ActEndRecord {
    /// The act ended on this day.
    Ended {
        /// The last day of the act.
        date: NaiveDate,
    },
    /// The act is still going on.
    Ongoing,
}

/// One case with every step's record: the JSON of the device's `Case`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseRecord {
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
    pub officers: [OfficerRecord; 2],
    /// 违法时间 (Beijing time).
    pub violation_time: NaiveDateTime,
    /// The party.
    pub party: Option<PartyRecord>,
    /// 违法事实.
    pub facts: Option<String>,
    /// 违法地点.
    pub place: Option<String>,
    /// Evidence ids.
    pub evidence: Vec<Uuid>,
    /// Evidence summary as printed.
    pub evidence_summary: Option<String>,
    /// Why no evidence item was captured (Art. 40, 47).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_evidence_reason: Option<String>,
    /// The end of a continuing act (Art. 36 ¶2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub act_end: Option<ActEndRecord>,
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
    /// 备案 time and note.
    pub filed: Option<(NaiveDateTime, String)>,
    /// Closing time and note.
    pub closed: Option<(NaiveDateTime, String)>,
    /// Voided before a decision (a draft given up): time and reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voided: Option<(NaiveDateTime, String)>,
    /// When the officers showed their 执法证件 (行政处罚法 Art. 52, 55).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credentials_shown_at: Option<String>,
    /// Each officer's signature applied to the issued decision, after
    /// the officer's PIN (行政处罚法 Art. 52 ¶2).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub officer_signatures: Vec<OfficerSignatureRecord>,
    /// When the issued decision was shown (or printed) to the party to
    /// read before signing (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_shown_at: Option<String>,
    /// Created (RFC 3339).
    pub created_at: String,
    /// Last changed (RFC 3339).
    pub updated_at: String,
}

/// One officer's signature applied to one document: which officer, which
/// document (its hash), when, and which stored signature image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfficerSignatureRecord {
    /// The officer id.
    pub officer_id: String,
    /// SHA-256 (hex) of the document signed, as the case records it.
    pub document_sha256: String,
    /// SHA-256 (hex) of the signature image applied.
    pub signature_sha256: String,
    /// When (RFC 3339).
    pub signed_at: String,
}

/// One row of a case's timeline: the JSON of the device's
/// `TimelineEntry` (sent with `case/snapshot`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimelineEntryRecord {
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
// Inspection

/// Where an inspection stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum InspectionStatus {
    /// Being worked through.
    Open,
    /// Record made; nothing more may change.
    Finished,
}

/// The result of checking one item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Verdict {
    /// 符合.
    Pass,
    /// 不符合.
    Fail,
    /// 不适用.
    NotApplicable,
}

impl Verdict {
    /// The stable snake_case name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pass => "pass",
            Self::Fail => "fail",
            Self::NotApplicable => "not_applicable",
        }
    }
}

/// One checklist item, as copied from the catalogue at the start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChecklistItemRecord {
    /// Item code.
    pub code: String,
    /// Owning department's code.
    pub department: String,
    /// Owning department's name.
    pub department_name: String,
    /// 检查内容.
    pub subject: String,
    /// 检查方式.
    pub method: String,
    /// 检查依据, cited.
    pub basis: Vec<String>,
    /// The violation a failure means.
    pub violation: String,
    /// The catalogue matter a failure maps to, if any.
    pub matter: Option<String>,
    /// The basis of an order to correct for a failure, cited (the matter's
    /// own 罚则).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub order_basis: Vec<String>,
    /// 改正期限 in calendar days.
    pub correction_days: u32,
    /// The scenarios of this inspection that list the item.
    pub scenarios: Vec<String>,
}

/// What was found for one item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemResultRecord {
    /// Pass, fail or not applicable.
    pub verdict: Verdict,
    /// What was seen.
    pub note: String,
    /// Evidence ids captured on the device.
    pub evidence: Vec<Uuid>,
    /// When recorded (Beijing time).
    pub at: NaiveDateTime,
}

/// The outcome of a failed item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum OutcomeRecord {
    /// 责令（限期）改正 (行政处罚法 Art. 28).
    OrderToCorrect {
        /// The order's number.
        number: String,
        /// 改正要求.
        requirement: String,
        /// The last day to correct.
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

impl OutcomeRecord {
    /// The stable kind name.
    pub const fn kind(&self) -> &'static str {
        match self {
            Self::OrderToCorrect { .. } => "order_to_correct",
            Self::SimpleCase { .. } => "simple_case",
            Self::Referral { .. } => "referral",
        }
    }
}

/// One checklist item with its result and outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingRecord {
    /// The item.
    pub item: ChecklistItemRecord,
    /// The result, once checked.
    pub result: Option<ItemResultRecord>,
    /// The outcome of a failure, once decided.
    pub outcome: Option<OutcomeRecord>,
}

/// A scenario as recorded on the inspection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScenarioRecord {
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
    /// The 现场检查（勘验）笔录 as the device rendered it (document JSON).
    pub record: serde_json::Value,
    /// SHA-256 of the record's canonical fields.
    pub record_sha256: String,
    /// The 责令改正通知书 of the orders (document JSON), in checklist order.
    pub orders: Vec<serde_json::Value>,
    /// The officers' signatures applied to the record and the orders.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub officer_signatures: Vec<OfficerSignatureRecord>,
}

/// One inspection with every step's record: the JSON of the device's
/// `Inspection`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InspectionRecord {
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
    /// The two officers (Art. 42, 55).
    pub officers: [OfficerRecord; 2],
    /// 检查地点/场所.
    pub place: String,
    /// The party inspected.
    pub party: PartyRecord,
    /// The scenarios.
    pub scenarios: Vec<ScenarioRecord>,
    /// The task this inspection handles, if any.
    pub task_id: Option<Uuid>,
    /// 检查开始时间 (Beijing).
    pub started_at: NaiveDateTime,
    /// The merged checklist with results.
    pub findings: Vec<FindingRecord>,
    /// Set when finished.
    pub finish: Option<FinishRecord>,
}

// ---------------------------------------------------------------------------
// Task

/// A task's kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum TaskKind {
    /// 复查 of an order to correct.
    FollowUp,
    /// A complaint to look into.
    Complaint,
    /// A random inspection (双随机).
    RandomInspection,
}

impl TaskKind {
    /// The stable snake_case name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::FollowUp => "follow_up",
            Self::Complaint => "complaint",
            Self::RandomInspection => "random_inspection",
        }
    }
}

/// A task's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum TaskStatus {
    /// Assigned, not yet accepted.
    Assigned,
    /// Accepted by the officer.
    Accepted,
    /// Reported done.
    Done,
}

/// The officer's report on a task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskReportRecord {
    /// What was found and done.
    pub note: String,
    /// For a follow-up: whether the party corrected.
    #[serde(default)]
    pub corrected: Option<bool>,
    /// The inspection that handled it, if any.
    #[serde(default)]
    pub inspection_id: Option<Uuid>,
    /// The case opened for it, if any.
    #[serde(default)]
    pub case_id: Option<Uuid>,
}

/// One task: the JSON of the device's `Task`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskRecord {
    /// Id.
    pub id: Uuid,
    /// `device` (follow-ups made on the device) or `server` (assigned).
    pub origin: String,
    /// Kind.
    pub kind: TaskKind,
    /// Status.
    pub status: TaskStatus,
    /// Township code.
    pub township: String,
    /// The place.
    pub place: String,
    /// The party, if known.
    pub party_name: Option<String>,
    /// What to do.
    pub detail: String,
    /// Due date (Beijing).
    pub due_on: Option<NaiveDate>,
    /// The inspection it came from (follow-up) or that handled it.
    pub inspection_id: Option<Uuid>,
    /// The checklist item (follow-up).
    pub item_code: Option<String>,
    /// The department concerned.
    pub department: Option<String>,
    /// Scenario codes to inspect under.
    pub scenarios: Vec<String>,
    /// Created or received (RFC 3339).
    pub created_at: String,
    /// Accepted (RFC 3339).
    pub accepted_at: Option<String>,
    /// Done (RFC 3339).
    pub done_at: Option<String>,
    /// The report.
    pub report: Option<TaskReportRecord>,
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn status_names_round_trip() {
        for s in CaseStatus::ALL {
            assert_eq!(CaseStatus::parse(s.as_str()), Some(*s));
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
        assert_eq!(CaseStatus::parse("nope"), None);
    }

    #[test]
    fn party_debug_masks_personal_data() {
        let p = PartyRecord {
            kind: "individual".into(),
            name: "张三丰".into(),
            id_number: "500101199001011234".into(),
            phone: Some("13800001234".into()),
            address: "重庆市渝中区".into(),
            representative: None,
            id_kind: None,
            nationality: None,
            birth_date: None,
            no_document_reason: None,
            photo_evidence: None,
        };
        let d = format!("{p:?}");
        assert!(!d.contains("张三丰") && !d.contains("500101199001011234"));
        assert!(!d.contains("13800001234") && !d.contains("渝中区"));
    }
}
