//! The typed data of each document kind, and its flattening into the named
//! text fields a template refers to.
//!
//! Every value here is already decided: the rules engine computed the
//! payment due date and the remedy clause, the case supplied the number,
//! the payment module the 缴款码. This module only turns them into text
//! (dates as `2026年11月25日`, money with [`format_yuan`] and
//! [`amount_in_capitals`]) under stable field names. The field names are
//! the contract with the templates in `schema/templates/`: renaming one is
//! a template format change.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use super::capitals::amount_in_capitals;
pub use super::no_penalty::{NoPenaltyDecision, NoPenaltyGround, no_penalty_remedy_clause};
pub use super::normal::{
    ClosingApproval, CollectiveDiscussion, CourtApplication, ElectronicServiceConsent,
    FilingApproval, HearingNotice, HearingRecord, HearingReport, InterviewRecord,
    InvestigationReport, LegalReview, PenaltyDecision, PreservationNotice, PriorNotice, Reminder,
    StatementRecord,
};
pub(crate) use super::printable::Printable;
use crate::money::format_yuan;
use crate::rules::assess::LATE_FEE_PERCENT_PER_DAY;

/// The named text fields of one document, keyed by field name. Sorted, so
/// that its JSON form is canonical (see [`super::canonical_field_json`]).
pub type Fields = BTreeMap<String, String>;

/// One document to render.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DocumentData {
    /// 当场行政处罚决定书.
    DecisionOnTheSpot(DecisionOnTheSpot),
    /// 现场检查（勘验）笔录.
    InspectionRecord(InspectionRecord),
    /// 责令（限期）改正通知书.
    OrderToCorrect(OrderToCorrect),
    /// 送达回证.
    ServiceReceipt(ServiceReceipt),
    /// 行政处罚决定书 (普通程序).
    PenaltyDecision(PenaltyDecision),
    /// 立案审批表.
    FilingApproval(FilingApproval),
    /// 询问笔录.
    InterviewRecord(InterviewRecord),
    /// 先行登记保存证据通知书及清单.
    PreservationNotice(PreservationNotice),
    /// 行政处罚事先告知书.
    PriorNotice(PriorNotice),
    /// 陈述申辩笔录.
    StatementRecord(StatementRecord),
    /// 案件调查终结报告.
    InvestigationReport(InvestigationReport),
    /// 法制审核意见书.
    LegalReview(LegalReview),
    /// 集体讨论记录.
    CollectiveDiscussion(CollectiveDiscussion),
    /// 电子送达确认书.
    ElectronicServiceConsent(ElectronicServiceConsent),
    /// 催告书.
    Reminder(Reminder),
    /// 结案审批表.
    ClosingApproval(ClosingApproval),
    /// 强制执行申请书.
    CourtApplication(CourtApplication),
    /// 听证通知书.
    HearingNotice(HearingNotice),
    /// 听证笔录.
    HearingRecord(HearingRecord),
    /// 听证报告.
    HearingReport(HearingReport),
    /// 不予行政处罚决定书 (简易程序).
    NoPenaltyDecision(NoPenaltyDecision),
}

/// The document kinds this module renders.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    /// 当场行政处罚决定书 (行政处罚法 Art. 52).
    DecisionOnTheSpot,
    /// 现场检查（勘验）笔录 (行政处罚法 Art. 46, 55).
    InspectionRecord,
    /// 责令（限期）改正通知书 (行政处罚法 Art. 28).
    OrderToCorrect,
    /// 送达回证 (民事诉讼法 Art. 87).
    ServiceReceipt,
    /// 行政处罚决定书, 普通程序 (行政处罚法 Art. 59).
    PenaltyDecision,
    /// 立案审批表 (行政处罚法 Art. 54 ¶2).
    FilingApproval,
    /// 询问笔录 (行政处罚法 Art. 55).
    InterviewRecord,
    /// 先行登记保存证据通知书及清单 (行政处罚法 Art. 56).
    PreservationNotice,
    /// 行政处罚事先告知书 (行政处罚法 Art. 44, 63, 64).
    PriorNotice,
    /// 陈述申辩笔录 (行政处罚法 Art. 45).
    StatementRecord,
    /// 案件调查终结报告 (行政处罚法 Art. 57 ¶1).
    InvestigationReport,
    /// 法制审核意见书 (行政处罚法 Art. 58).
    LegalReview,
    /// 集体讨论记录 (行政处罚法 Art. 57 ¶2).
    CollectiveDiscussion,
    /// 电子送达确认书 (行政处罚法 Art. 61 ¶2).
    ElectronicServiceConsent,
    /// 催告书 (行政强制法 Art. 35).
    Reminder,
    /// 结案审批表 (行政处罚法 Art. 47; model sets).
    ClosingApproval,
    /// 强制执行申请书 (行政强制法 Art. 53–55).
    CourtApplication,
    /// 听证通知书 (行政处罚法 Art. 64(二)).
    HearingNotice,
    /// 听证笔录 (行政处罚法 Art. 64(八)).
    HearingRecord,
    /// 听证报告 (行政处罚法 Art. 65; 渝府令354).
    HearingReport,
    /// 不予行政处罚决定书, 简易程序 (行政处罚法 Art. 30, 31, 33, 36).
    NoPenaltyDecision,
}

impl DocumentKind {
    /// The kind's name in template files, e.g. `decision-on-the-spot`.
    pub fn file_stem(self) -> &'static str {
        match self {
            Self::DecisionOnTheSpot => "decision-on-the-spot",
            Self::InspectionRecord => "inspection-record",
            Self::OrderToCorrect => "order-to-correct",
            Self::ServiceReceipt => "service-receipt",
            Self::PenaltyDecision => "penalty-decision",
            Self::FilingApproval => "filing-approval",
            Self::InterviewRecord => "interview-record",
            Self::PreservationNotice => "preservation-notice",
            Self::PriorNotice => "prior-notice",
            Self::StatementRecord => "statement-record",
            Self::InvestigationReport => "investigation-report",
            Self::LegalReview => "legal-review",
            Self::CollectiveDiscussion => "collective-discussion",
            Self::ElectronicServiceConsent => "electronic-service-consent",
            Self::Reminder => "reminder",
            Self::ClosingApproval => "closing-approval",
            Self::CourtApplication => "court-application",
            Self::HearingNotice => "hearing-notice",
            Self::HearingRecord => "hearing-record",
            Self::HearingReport => "hearing-report",
            Self::NoPenaltyDecision => "no-penalty-decision",
        }
    }

    /// The kind's stable snake_case name (its serde name, and the `kind`
    /// of a `document/record`), e.g. `prior_notice`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::DecisionOnTheSpot => "decision_on_the_spot",
            Self::InspectionRecord => "inspection_record",
            Self::OrderToCorrect => "order_to_correct",
            Self::ServiceReceipt => "service_receipt",
            Self::PenaltyDecision => "penalty_decision",
            Self::FilingApproval => "filing_approval",
            Self::InterviewRecord => "interview_record",
            Self::PreservationNotice => "preservation_notice",
            Self::PriorNotice => "prior_notice",
            Self::StatementRecord => "statement_record",
            Self::InvestigationReport => "investigation_report",
            Self::LegalReview => "legal_review",
            Self::CollectiveDiscussion => "collective_discussion",
            Self::ElectronicServiceConsent => "electronic_service_consent",
            Self::Reminder => "reminder",
            Self::ClosingApproval => "closing_approval",
            Self::CourtApplication => "court_application",
            Self::HearingNotice => "hearing_notice",
            Self::HearingRecord => "hearing_record",
            Self::HearingReport => "hearing_report",
            Self::NoPenaltyDecision => "no_penalty_decision",
        }
    }

    /// The kind named `s` ([`Self::as_str`]).
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Every kind, in declaration order.
    pub const ALL: [DocumentKind; 21] = [
        Self::DecisionOnTheSpot,
        Self::InspectionRecord,
        Self::OrderToCorrect,
        Self::ServiceReceipt,
        Self::PenaltyDecision,
        Self::FilingApproval,
        Self::InterviewRecord,
        Self::PreservationNotice,
        Self::PriorNotice,
        Self::StatementRecord,
        Self::InvestigationReport,
        Self::LegalReview,
        Self::CollectiveDiscussion,
        Self::ElectronicServiceConsent,
        Self::Reminder,
        Self::ClosingApproval,
        Self::CourtApplication,
        Self::HearingNotice,
        Self::HearingRecord,
        Self::HearingReport,
        Self::NoPenaltyDecision,
    ];
}

/// The deciding authority and, for an entrusted matter, the authority in
/// whose name the document is issued.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Authority {
    /// The township's enforcement body, e.g. `重庆市渝北区龙兴镇人民政府`.
    pub name: String,
    /// For an entrusted matter, the entrusting authority: documents are
    /// issued in its name (行政处罚法 Art. 20 ¶3).
    #[serde(default)]
    pub entrusted_by: Option<String>,
}

impl Authority {
    /// The name printed at the head of the document.
    pub fn issuing_name(&self) -> &str {
        self.entrusted_by.as_deref().unwrap_or(&self.name)
    }
}

/// The party's identity as printed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PartyDetails {
    /// A natural person (公民).
    Individual {
        /// 姓名.
        name: String,
        /// 性别, e.g. `男`.
        #[serde(default)]
        sex: Option<String>,
        /// 出生日期.
        #[serde(default)]
        birth_date: Option<NaiveDate>,
        /// 证件类型, e.g. `居民身份证`.
        id_kind: String,
        /// 证件号码, in full; the template decides whether it is masked.
        id_number: String,
        /// 住址.
        address: String,
        /// 联系电话.
        #[serde(default)]
        phone: Option<String>,
    },
    /// A legal person or other organisation (法人或者其他组织).
    Organization {
        /// 名称.
        name: String,
        /// 统一社会信用代码.
        uscc: String,
        /// 法定代表人或者负责人.
        legal_representative: String,
        /// 职务 of the representative.
        #[serde(default)]
        representative_title: Option<String>,
        /// 地址.
        address: String,
        /// 联系电话.
        #[serde(default)]
        phone: Option<String>,
    },
}

impl PartyDetails {
    /// The party's name (a person's, or the organisation's).
    pub fn name(&self) -> &str {
        match self {
            Self::Individual { name, .. } | Self::Organization { name, .. } => name,
        }
    }

    /// `individual` or `organization`, the value templates filter sections on.
    pub fn kind_key(&self) -> &'static str {
        match self {
            Self::Individual { .. } => "individual",
            Self::Organization { .. } => "organization",
        }
    }

    pub(crate) fn fill(&self, f: &mut Fields, mask_id: bool) {
        match self {
            Self::Individual {
                name,
                sex,
                birth_date,
                id_kind,
                id_number,
                address,
                phone,
            } => {
                put(f, "party_name", name);
                put_opt(f, "party_sex", sex.as_deref());
                if let Some(b) = birth_date {
                    put(f, "party_birth_date", &date_zh(*b));
                }
                put(f, "party_id_kind", id_kind);
                let shown = if mask_id {
                    mask_id_number(id_number)
                } else {
                    id_number.clone()
                };
                put(f, "party_id_number", &shown);
                put(f, "party_address", address);
                put_opt(f, "party_phone", phone.as_deref());
            }
            Self::Organization {
                name,
                uscc,
                legal_representative,
                representative_title,
                address,
                phone,
            } => {
                put(f, "party_name", name);
                put(f, "party_uscc", uscc);
                put(f, "party_legal_representative", legal_representative);
                put_opt(
                    f,
                    "party_representative_title",
                    representative_title.as_deref(),
                );
                put(f, "party_address", address);
                put_opt(f, "party_phone", phone.as_deref());
            }
        }
    }
}

/// Masks a personal ID number for print: the first 6 (region) and last 4
/// characters stay, the rest become `*`. Numbers of 10 characters or fewer
/// keep only their last 4.
pub fn mask_id_number(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    let n = chars.len();
    let keep_head = if n > 10 { 6 } else { 0 };
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| if i < keep_head || i + 4 >= n { *c } else { '*' })
        .collect()
}

/// An officer and the credential (执法证) shown (行政处罚法 Art. 42, 52).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Officer {
    /// 姓名.
    pub name: String,
    /// 执法证号.
    pub credential_number: String,
    /// The officer's handwritten signature applied to this document after
    /// the officer's PIN (行政处罚法 Art. 52: 由执法人员签名或者盖章);
    /// `None` while unsigned. Drawn beside the officer's line; the
    /// document hash covers the line's text, not the image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<OfficerSignature>,
}

/// An officer's signature as applied to one document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfficerSignature {
    /// The PNG image captured on the pad.
    #[serde(with = "hex_bytes")]
    pub png: Vec<u8>,
    /// When it was applied (Beijing time).
    pub signed_at: NaiveDateTime,
}

impl Officer {
    /// `姓名（执法证号：…）`, as printed.
    pub fn line(&self) -> String {
        format!("{}（执法证号：{}）", self.name, self.credential_number)
    }
}

/// The party's signature, or the note that they refused to sign
/// (行政处罚法 Art. 52: a refusal must be noted on the decision).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PartySignature {
    /// A signature captured on the device, as PNG bytes.
    Signed {
        /// The signer's name as printed beside the image.
        name: String,
        /// The PNG image.
        #[serde(with = "hex_bytes")]
        png: Vec<u8>,
        /// When it was signed.
        signed_at: NaiveDateTime,
    },
    /// The party refused to sign.
    Refused {
        /// The reason given or observed.
        reason: String,
        /// Witness (见证人), if any; a video record stands in otherwise
        /// (民事诉讼法 Art. 89).
        #[serde(default)]
        witness: Option<String>,
    },
    /// Not signed yet: the issued decision shown to the party to read
    /// before signing (a preview, never the served document).
    Pending,
}

impl PartySignature {
    /// The text printed in the signature field.
    pub fn text(&self) -> String {
        match self {
            Self::Signed {
                name, signed_at, ..
            } => {
                format!("{name}（签名见右） {}", datetime_zh(*signed_at))
            }
            Self::Refused { reason, witness } => {
                let mut s = format!("当事人拒绝签名，理由：{reason}");
                if let Some(w) = witness {
                    s.push_str(&format!("；见证人：{w}"));
                }
                s
            }
            Self::Pending => "（当事人阅读后在此签名）".to_owned(),
        }
    }

    /// The PNG bytes of a captured signature.
    pub fn png(&self) -> Option<&[u8]> {
        match self {
            Self::Signed { png, .. } => Some(png),
            Self::Refused { .. } | Self::Pending => None,
        }
    }
}

/// The penalty imposed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Penalty {
    /// 警告.
    Warning,
    /// 罚款, in fen.
    Fine {
        /// The amount in fen.
        amount_fen: i64,
    },
    /// 警告并处罚款, in fen.
    WarningAndFine {
        /// The amount in fen.
        amount_fen: i64,
    },
}

impl Penalty {
    /// The fine in fen, if any.
    pub fn amount_fen(&self) -> Option<i64> {
        match self {
            Self::Warning => None,
            Self::Fine { amount_fen } | Self::WarningAndFine { amount_fen } => Some(*amount_fen),
        }
    }

    fn label(&self) -> &'static str {
        match self {
            Self::Warning => "警告",
            Self::Fine { .. } => "罚款",
            Self::WarningAndFine { .. } => "警告并处罚款",
        }
    }
}

/// How the fine is paid (行政处罚法 Art. 67–70; 国务院令第235号 Art. 7).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Payment {
    /// Through the electronic payment system, with a 缴款码 (Art. 67 ¶3).
    Electronic {
        /// The channel as printed, e.g. `重庆市非税收入电子缴款平台（扫码缴纳）`.
        channel: String,
        /// The 缴款码, if one is bound offline.
        #[serde(default)]
        code: Option<String>,
        /// The payment QR content (a URL), if any.
        #[serde(default)]
        qr_content: Option<String>,
        /// The last day to pay, as computed by the rules engine.
        due: NaiveDate,
    },
    /// At a designated bank (代收机构): its name and address (235号令 Art. 7).
    Bank {
        /// 代收机构名称.
        bank: String,
        /// 代收机构地址.
        address: String,
        /// The 缴款码, if any.
        #[serde(default)]
        code: Option<String>,
        /// The last day to pay.
        due: NaiveDate,
    },
    /// Collected on the spot with a finance receipt (Art. 68–70).
    CollectedOnTheSpot {
        /// 财政票据号.
        receipt_number: String,
    },
}

/// Whether the party stated a defence or waived it (行政处罚法 Art. 44, 45, 62).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Statement {
    /// The party's statement and defence, as recorded.
    Heard {
        /// The statement.
        text: String,
    },
    /// The party expressly waived it.
    Waived,
}

/// 当场行政处罚决定书: every field of docs/law/documents.md.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecisionOnTheSpot {
    /// 文书编号 (行政处罚法 Art. 52 “编有号码”).
    pub number: String,
    /// Whether `number` is a provisional number (sync.md §5): printed as
    /// “临时编号 …（正式文号以系统分配为准）”; the final number of the
    /// township's series is assigned by the server at sync.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub number_provisional: bool,
    /// The authority (or the entrusting authority, Art. 20).
    pub authority: Authority,
    /// The party.
    pub party: PartyDetails,
    /// 违法时间.
    pub violation_time: NaiveDateTime,
    /// 违法地点.
    pub violation_place: String,
    /// 违法事实.
    pub facts: String,
    /// 证据 summary, e.g. photo numbers.
    pub evidence_summary: String,
    /// 违反的条款 (违则), already cited with `Provision::citation`.
    pub violated_provisions: Vec<String>,
    /// 处罚依据 (罚则), already cited.
    pub penalty_provisions: Vec<String>,
    /// 裁量基准 row and level, if printed.
    #[serde(default)]
    pub discretion: Option<String>,
    /// 告知 and the party's statement or waiver.
    pub statement: Statement,
    /// 处罚种类 and amount.
    pub penalty: Penalty,
    /// 履行方式和期限; `None` for a warning without a fine.
    #[serde(default)]
    pub payment: Option<Payment>,
    /// The remedy clause from the rules engine (行政复议法 2023 Art. 23).
    pub remedy_clause: String,
    /// 作出决定的地点.
    pub place: String,
    /// 作出决定的时间.
    pub decided_at: NaiveDateTime,
    /// The two officers (Art. 42).
    pub officers: [Officer; 2],
    /// The party's signature or the refusal note.
    pub party_signature: PartySignature,
    /// 日期 printed under the seal.
    pub date: NaiveDate,
}

/// 行政处罚法 Art. 72(一) and 行政强制法 Art. 45 (the rate must be told),
/// 国务院令第235号 Art. 7: the late-payment surcharge sentence.
pub fn surcharge_sentence() -> String {
    format!(
        "到期不缴纳罚款的，每日按罚款数额的{LATE_FEE_PERCENT_PER_DAY}%加处罚款，\
         加处罚款的数额不超出罚款的数额（《中华人民共和国行政处罚法》第七十二条第一款第（一）项、\
         《中华人民共和国行政强制法》第四十五条）。"
    )
}

impl DecisionOnTheSpot {
    pub(super) fn fill_fields(&self, f: &mut Fields, mask_id: bool) {
        if self.number_provisional {
            put(
                f,
                "number",
                &format!("临时编号 {}（正式文号以系统分配为准）", self.number),
            );
        } else {
            put(f, "number", &self.number);
        }
        put(f, "authority", self.authority.issuing_name());
        self.party.fill(f, mask_id);
        put(f, "violation_time", &datetime_zh(self.violation_time));
        put(f, "violation_place", &self.violation_place);
        put(f, "facts", &self.facts);
        put(f, "evidence_summary", &self.evidence_summary);
        put(
            f,
            "violated_provisions",
            &self.violated_provisions.join("、"),
        );
        put(f, "penalty_provisions", &self.penalty_provisions.join("、"));
        put_opt(f, "discretion", self.discretion.as_deref());
        let statement = match &self.statement {
            Statement::Heard { text } => {
                format!("执法人员已当场告知当事人拟作出行政处罚的内容及事实、理由、依据，以及依法享有的陈述、申辩权利。当事人陈述、申辩意见：{text}")
            }
            Statement::Waived => "执法人员已当场告知当事人拟作出行政处罚的内容及事实、理由、依据，以及依法享有的陈述、申辩权利。当事人明确表示放弃陈述、申辩。".to_owned()
        };
        put(f, "statement", &statement);
        put(f, "penalty_kind", self.penalty.label());
        match self.penalty.amount_fen() {
            Some(fen) => {
                put(
                    f,
                    "amount_figures",
                    &format!(
                        "人民币{}（¥{}.{:02}）",
                        format_yuan(fen),
                        fen / 100,
                        (fen % 100).abs()
                    ),
                );
                put(
                    f,
                    "amount_capitals",
                    &format!("人民币{}", amount_in_capitals(fen)),
                );
                put(f, "surcharge", &surcharge_sentence());
            }
            None => {
                put(f, "amount_figures", "无（警告）");
                put(f, "amount_capitals", "无");
            }
        }
        // 行政处罚法 Art. 67 ¶3: fifteen days from receipt; the due date itself
        // comes from the rules engine (calendar and holiday rules).
        let deadline = |due: NaiveDate| {
            format!(
                "当事人应当自收到本决定书之日起十五日内缴纳罚款，即最迟于{}缴纳（《中华人民共和国行政处罚法》第六十七条第三款）。",
                date_zh(due)
            )
        };
        match &self.payment {
            Some(Payment::Electronic {
                channel,
                code,
                due,
                qr_content,
            }) => {
                put(
                    f,
                    "payment_method",
                    &format!("通过电子支付系统缴纳：{channel}"),
                );
                match code {
                    Some(c) => put(f, "payment_code", c),
                    // Payment codes used up offline under the provisional
                    // numbering policy: the party quotes this decision's
                    // number instead (the finance callback matches it).
                    None if self.number_provisional => put(
                        f,
                        "payment_code",
                        "本机缴款码已用完，缴纳时请提供本决定书编号（临时编号或系统分配的正式文号）",
                    ),
                    None => {}
                }
                put(f, "payment_due", &date_zh(*due));
                put(f, "payment_deadline", &deadline(*due));
                if qr_content.is_some() {
                    put(f, "payment_qr", "可扫描本决定书下方的缴款二维码缴纳");
                }
            }
            Some(Payment::Bank {
                bank,
                address,
                code,
                due,
            }) => {
                put(
                    f,
                    "payment_method",
                    &format!("到指定银行缴纳：{bank}（地址：{address}）"),
                );
                put_opt(f, "payment_code", code.as_deref());
                put(f, "payment_due", &date_zh(*due));
                put(f, "payment_deadline", &deadline(*due));
            }
            Some(Payment::CollectedOnTheSpot { receipt_number }) => {
                put(
                    f,
                    "payment_method",
                    &format!("当场收缴，财政票据号：{receipt_number}"),
                );
                put(
                    f,
                    "payment_deadline",
                    "罚款已由执法人员当场收缴（《中华人民共和国行政处罚法》第六十八条、第七十条）。",
                );
            }
            None => {}
        }
        put(f, "remedy_clause", &self.remedy_clause);
        put(f, "place", &self.place);
        put(f, "decided_at", &datetime_zh(self.decided_at));
        put(f, "officer_1", &self.officers[0].line());
        put(f, "officer_2", &self.officers[1].line());
        put(f, "date", &date_zh(self.date));
    }
}

/// One captured evidence file listed in an inspection record, with the
/// SHA-256 taken at capture (docs/law/documents.md, docs/law/evidence.md).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceItem {
    /// The file name.
    pub file_name: String,
    /// Capture time.
    pub captured_at: NaiveDateTime,
    /// SHA-256 of the original, lower-case hex.
    pub sha256: String,
}

/// 现场检查（勘验）笔录 (docs/law/documents.md).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InspectionRecord {
    /// Record number, if the township numbers records.
    #[serde(default)]
    pub number: Option<String>,
    /// The authority.
    pub authority: Authority,
    /// 案由.
    pub cause: String,
    /// 检查开始时间.
    pub start: NaiveDateTime,
    /// 检查结束时间.
    pub end: NaiveDateTime,
    /// 检查地点/场所.
    pub place: String,
    /// 检查人 (≥ 2, Art. 42).
    pub inspectors: [Officer; 2],
    /// 记录人.
    pub recorder: String,
    /// 当事人, if known.
    #[serde(default)]
    pub party: Option<PartyDetails>,
    /// 在场人 (name, ID, position), if not the party.
    #[serde(default)]
    pub present_person: Option<String>,
    /// 被邀请人/见证人.
    #[serde(default)]
    pub witness: Option<String>,
    /// 检查情况及结果.
    pub findings: String,
    /// Captured evidence files.
    pub evidence: Vec<EvidenceItem>,
    /// The party's signature (“以上记录属实”) or the refusal.
    pub party_signature: PartySignature,
    /// 日期.
    pub date: NaiveDate,
}

impl InspectionRecord {
    pub(super) fn fill_fields(&self, f: &mut Fields, mask_id: bool) {
        put_opt(f, "number", self.number.as_deref());
        put(f, "authority", self.authority.issuing_name());
        put(f, "cause", &self.cause);
        put(
            f,
            "inspection_time",
            &format!("{}至{}", datetime_zh(self.start), datetime_zh(self.end)),
        );
        put(f, "place", &self.place);
        put(f, "officer_1", &self.inspectors[0].line());
        put(f, "officer_2", &self.inspectors[1].line());
        put(f, "recorder", &self.recorder);
        if let Some(p) = &self.party {
            p.fill(f, mask_id);
        }
        put_opt(f, "present_person", self.present_person.as_deref());
        put_opt(f, "witness", self.witness.as_deref());
        put(
            f,
            "credentials_shown",
            "执法人员已出示执法证件，并告知当事人有申请回避的权利（《中华人民共和国行政处罚法》第四十三条、第五十五条）。",
        );
        put(f, "findings", &self.findings);
        let list: Vec<String> = self
            .evidence
            .iter()
            .enumerate()
            .map(|(i, e)| {
                format!(
                    "{}. {} 采集时间：{} SHA-256：{}",
                    i + 1,
                    e.file_name,
                    e.captured_at.format("%Y-%m-%d %H:%M:%S"),
                    e.sha256
                )
            })
            .collect();
        if list.is_empty() {
            // The record states that nothing was captured rather than
            // leaving the mandatory list blank.
            put(f, "evidence_list", "本次检查未采集电子证据");
        } else {
            put(f, "evidence_list", &list.join("\n"));
        }
        put(f, "date", &date_zh(self.date));
    }
}

/// 责令（限期）改正通知书 (行政处罚法 Art. 28; docs/law/documents.md).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderToCorrect {
    /// 编号.
    pub number: String,
    /// The authority.
    pub authority: Authority,
    /// The party.
    pub party: PartyDetails,
    /// 违法事实.
    pub facts: String,
    /// 违反条款, cited.
    pub violated_provisions: Vec<String>,
    /// 责令依据, cited.
    pub order_basis: Vec<String>,
    /// 改正要求.
    pub requirement: String,
    /// 改正期限 (the last day).
    pub deadline: NaiveDate,
    /// The consequence of missing the deadline.
    pub consequence: String,
    /// The follow-up check (复查) plan.
    #[serde(default)]
    pub follow_up: Option<String>,
    /// The two officers.
    pub officers: [Officer; 2],
    /// The party's signature or refusal.
    pub party_signature: PartySignature,
    /// 日期.
    pub date: NaiveDate,
}

impl OrderToCorrect {
    pub(super) fn fill_fields(&self, f: &mut Fields, mask_id: bool) {
        put(f, "number", &self.number);
        put(f, "authority", self.authority.issuing_name());
        self.party.fill(f, mask_id);
        put(f, "facts", &self.facts);
        put(
            f,
            "violated_provisions",
            &self.violated_provisions.join("、"),
        );
        put(f, "order_basis", &self.order_basis.join("、"));
        put(f, "requirement", &self.requirement);
        put(f, "deadline", &date_zh(self.deadline));
        put(f, "consequence", &self.consequence);
        put_opt(f, "follow_up", self.follow_up.as_deref());
        put(f, "officer_1", &self.officers[0].line());
        put(f, "officer_2", &self.officers[1].line());
        put(f, "date", &date_zh(self.date));
    }
}

/// How a document was served (民事诉讼法 Art. 87–95).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServiceMethod {
    /// 直接送达.
    Direct,
    /// 留置送达 (Art. 89).
    LeftAtPremises,
    /// 邮寄送达.
    Post,
    /// 电子送达 (with consent, 行政处罚法 Art. 61 ¶2).
    Electronic,
    /// 公告送达 (Art. 95).
    PublicNotice,
}

impl ServiceMethod {
    fn label(self) -> &'static str {
        match self {
            Self::Direct => "直接送达",
            Self::LeftAtPremises => "留置送达",
            Self::Post => "邮寄送达",
            Self::Electronic => "电子送达",
            Self::PublicNotice => "公告送达",
        }
    }
}

/// 送达回证 (民事诉讼法 Art. 87–89; docs/law/documents.md).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceReceipt {
    /// The authority.
    pub authority: Authority,
    /// 送达文书名称.
    pub document_name: String,
    /// 送达文书编号.
    pub document_number: String,
    /// 受送达人.
    pub recipient: String,
    /// 送达地点.
    pub place: String,
    /// 送达方式.
    pub method: ServiceMethod,
    /// 收到时间.
    pub received_at: NaiveDateTime,
    /// 代收人 and relationship (Art. 88), if not the recipient.
    #[serde(default)]
    pub proxy: Option<String>,
    /// The recipient's (or proxy's) signature, or the refusal with reason
    /// and witness.
    pub recipient_signature: PartySignature,
    /// 送达人 (two officers).
    pub servers: [Officer; 2],
    /// 备注.
    #[serde(default)]
    pub remarks: Option<String>,
    /// 日期.
    pub date: NaiveDate,
}

impl ServiceReceipt {
    pub(super) fn fill_fields(&self, f: &mut Fields) {
        put(f, "authority", self.authority.issuing_name());
        put(f, "document_name", &self.document_name);
        put(f, "document_number", &self.document_number);
        put(f, "recipient", &self.recipient);
        put(f, "place", &self.place);
        put(f, "service_method", self.method.label());
        put(f, "received_at", &datetime_zh(self.received_at));
        put_opt(f, "proxy", self.proxy.as_deref());
        put(f, "officer_1", &self.servers[0].line());
        put(f, "officer_2", &self.servers[1].line());
        put_opt(f, "remarks", self.remarks.as_deref());
        put(f, "date", &date_zh(self.date));
    }
}

/// A date as printed: `2026年11月25日`.
pub fn date_zh(d: NaiveDate) -> String {
    d.format("%Y年%-m月%-d日").to_string()
}

/// A time as printed: `2026年11月25日10时05分`.
pub fn datetime_zh(t: NaiveDateTime) -> String {
    t.format("%Y年%-m月%-d日%H时%M分").to_string()
}

pub(crate) fn put(f: &mut Fields, key: &str, value: &str) {
    f.insert(key.to_owned(), value.to_owned());
}

pub(crate) fn put_opt(f: &mut Fields, key: &str, value: Option<&str>) {
    if let Some(v) = value {
        put(f, key, v);
    }
}

/// Serialises PNG bytes as hex so the data model stays plain JSON.
mod hex_bytes {
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(bytes))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let s = String::deserialize(d)?;
        hex::decode(s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_citizen_ids_but_keeps_region_and_tail() {
        assert_eq!(mask_id_number("500112198001011234"), "500112********1234");
        assert_eq!(mask_id_number("H1234567"), "****4567");
        assert_eq!(mask_id_number("123"), "123");
    }

    #[test]
    fn entrusted_matters_print_the_entrusting_authority() {
        let a = Authority {
            name: "龙兴镇人民政府".into(),
            entrusted_by: Some("重庆市公安局渝北区分局交通巡逻警察支队".into()),
        };
        assert_eq!(a.issuing_name(), "重庆市公安局渝北区分局交通巡逻警察支队");
    }

    #[test]
    fn surcharge_sentence_states_the_rate_and_cap() {
        let s = surcharge_sentence();
        assert!(s.contains("每日按罚款数额的3%加处罚款"));
        assert!(s.contains("不超出罚款的数额"));
        assert!(s.contains("第七十二条") && s.contains("行政强制法》第四十五条"));
    }
}
