//! The documents of the normal procedure (普通程序文书) as typed data:
//! 行政处罚决定书 (行政处罚法 Art. 59) and the file around it — 立案审批表,
//! 询问笔录, 先行登记保存通知书及清单, 事先告知书, 陈述申辩笔录, 调查终结报告,
//! 听证通知书, 听证笔录, 听证报告 (Art. 64), 法制审核意见书, 集体讨论记录, 电子送达确认书, 催告书, 强制执行申请书
//! (行政强制法 Art. 55) and 结案审批表
//! (shared/domain/normal-procedure-and-supervision.md §1.5).
//!
//! Like [`super::model`], nothing here decides: the procedure core judged
//! every step, the rules engine every amount and period. Each document is
//! flattened into named text fields under stable names, the contract with
//! its template in `schema/templates/default/<kind>.v1.json`, which names
//! the model document set it follows and its mandatory fields. The 送达回证
//! and 现场检查（勘验）笔录 of the simple procedure serve here too.

mod decision;
mod enforcement;
mod hearing;
mod investigation;
mod review;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub use decision::{Defence, HearingSummary, PaymentRoute, PenaltyDecision, PriorNotice, Reminder};
pub use enforcement::{CourtApplication, court_materials};
pub use hearing::{HEARING_RIGHTS, HearingNotice, HearingRecord, HearingReport};
pub use investigation::{
    FilingApproval, InterviewRecord, InvestigationReport, PreservationNotice, PreservedItem,
    QuestionAnswer, StatementRecord,
};
pub use review::{
    ClosingApproval, CollectiveDiscussion, ElectronicServiceConsent, LegalReview, ReviewOutcome,
    ReviewPoint,
};

use super::capitals::amount_in_capitals;
use super::model::{Fields, Officer, date_zh, put};
use crate::money::format_yuan;
use crate::procedure::{Penalty, PenaltyKind};

/// The 证件类型 a party record prints: the recorded document's name (a
/// foreign passport with its nationality), 居民身份证 when none is recorded.
pub fn printed_id_kind(p: &zhifa_protocol::record::PartyRecord) -> String {
    use crate::rules::id_document::IdDocKind;
    let kind = p
        .id_kind
        .as_deref()
        .and_then(IdDocKind::parse)
        .unwrap_or_default();
    match (kind, p.nationality.as_deref()) {
        (IdDocKind::ForeignPassport, Some(n)) => format!("{}（国籍：{n}）", kind.name_zh()),
        (IdDocKind::NoDocument, _) => {
            format!("{}（身份由当事人陈述，当事人照片存证）", kind.name_zh())
        }
        _ => kind.name_zh().to_owned(),
    }
}

/// The party of a case record as a document prints it (a person's ID is
/// a 居民身份证 unless the record says otherwise; sex prints blank, the
/// birth date only where it was entered).
pub fn party_details(p: &zhifa_protocol::record::PartyRecord) -> super::model::PartyDetails {
    use super::model::PartyDetails;
    if p.kind == "organization" {
        PartyDetails::Organization {
            name: p.name.clone(),
            uscc: p.id_number.clone(),
            legal_representative: p.representative.clone().unwrap_or_default(),
            representative_title: None,
            address: p.address.clone(),
            phone: p.phone.clone(),
        }
    } else {
        PartyDetails::Individual {
            name: p.name.clone(),
            sex: None,
            birth_date: p
                .birth_date
                .as_deref()
                .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()),
            id_kind: printed_id_kind(p),
            id_number: if p.id_number.is_empty() {
                "无".to_owned()
            } else {
                p.id_number.clone()
            },
            address: p.address.clone(),
            phone: p.phone.clone(),
        }
    }
}

/// An opinion written on an approval form (承办人意见, 承办机构意见,
/// 负责人审批意见 …): the text, who signed it and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Opinion {
    /// The opinion, e.g. `同意立案`.
    pub text: String,
    /// The signer's name.
    pub signer: String,
    /// The date signed.
    pub date: NaiveDate,
}

impl Opinion {
    /// `同意立案（签名：王建国  2026年11月25日）`; empty when the text or
    /// the signer is blank, so that a mandatory opinion counts as absent.
    pub(crate) fn line(&self) -> String {
        if self.text.trim().is_empty() || self.signer.trim().is_empty() {
            return String::new();
        }
        format!(
            "{}（签名：{}  {}）",
            self.text,
            self.signer,
            date_zh(self.date)
        )
    }
}

/// `人民币1500元（¥1500.00）`.
pub(crate) fn amount_figures(fen: i64) -> String {
    format!(
        "人民币{}（¥{}.{:02}）",
        format_yuan(fen),
        fen / 100,
        (fen % 100).abs()
    )
}

/// `人民币壹仟伍佰元整`.
pub(crate) fn amount_capitals_line(fen: i64) -> String {
    format!("人民币{}", amount_in_capitals(fen))
}

/// The penalty as a sentence: each kind, with the fine and the value
/// confiscated in figures and in capitals (行政处罚法 Art. 59 ¶1(三)).
pub(crate) fn penalty_text(p: &Penalty) -> String {
    p.kinds
        .iter()
        .map(|k| match k {
            PenaltyKind::Fine => format!(
                "罚款{}（大写：{}）",
                amount_figures(p.fine_fen),
                amount_capitals_line(p.fine_fen)
            ),
            PenaltyKind::Confiscation if p.confiscation_fen > 0 => format!(
                "{}（价值{}，大写：{}）",
                k.label_zh(),
                amount_figures(p.confiscation_fen),
                amount_capitals_line(p.confiscation_fen)
            ),
            k => k.label_zh().to_owned(),
        })
        .collect::<Vec<_>>()
        .join("；")
}

/// The kinds of a penalty in Chinese, joined with `、`.
pub(crate) fn penalty_kinds(p: &Penalty) -> String {
    p.kinds
        .iter()
        .map(|k| k.label_zh())
        .collect::<Vec<_>>()
        .join("、")
}

/// Writes the amounts of a penalty with a fine or a confiscation.
pub(crate) fn put_amounts(f: &mut Fields, p: &Penalty) {
    if p.has(PenaltyKind::Fine) && p.fine_fen > 0 {
        put(f, "amount_figures", &amount_figures(p.fine_fen));
        put(f, "amount_capitals", &amount_capitals_line(p.fine_fen));
    }
    if p.has(PenaltyKind::Confiscation) && p.confiscation_fen > 0 {
        put(
            f,
            "confiscation_figures",
            &amount_figures(p.confiscation_fen),
        );
        put(
            f,
            "confiscation_capitals",
            &amount_capitals_line(p.confiscation_fen),
        );
    }
}

/// Whether the penalty asks the party to pay (a fine), so that the
/// payment route and the surcharge sentence are mandatory.
pub(crate) fn has_fine(p: &Penalty) -> bool {
    p.has(PenaltyKind::Fine) && p.fine_fen > 0
}

/// Both officers, `王建国（执法证号：…）、刘晓燕（执法证号：…）`.
pub(crate) fn officers_line(o: &[Officer; 2]) -> String {
    format!("{}、{}", o[0].line(), o[1].line())
}

/// A numbered list, one item a line: `1. …`.
pub(crate) fn numbered(items: &[String]) -> String {
    items
        .iter()
        .filter(|s| !s.trim().is_empty())
        .enumerate()
        .map(|(i, s)| format!("{}. {s}", i + 1))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The fields a template of a normal-procedure kind may use, besides the
/// party's (see [`super::template::known_fields`]).
pub(crate) fn own_fields(kind: super::model::DocumentKind) -> &'static [&'static str] {
    use super::model::DocumentKind as K;
    match kind {
        K::PenaltyDecision => &[
            "number",
            "authority",
            "cause",
            "violation_time",
            "violation_place",
            "facts",
            "evidence_list",
            "violated_provisions",
            "defence",
            "hearing",
            "discretion",
            "penalty_provisions",
            "penalty_kinds",
            "penalty_text",
            "amount_figures",
            "amount_capitals",
            "confiscation_figures",
            "confiscation_capitals",
            "payment_method",
            "payment_code",
            "payment_qr",
            "payment_deadline",
            "surcharge",
            "remedy_clause",
            "date",
        ],
        K::PriorNotice => &[
            "number",
            "authority",
            "facts",
            "evidence_list",
            "reasons",
            "violated_provisions",
            "penalty_provisions",
            "penalty_text",
            "statement_right",
            "hearing_right",
            "contact",
            "officers",
            "date",
        ],
        K::Reminder => &[
            "number",
            "authority",
            "decision",
            "obligation",
            "performance_deadline",
            "performance_method",
            "amount_figures",
            "amount_capitals",
            "amount_detail",
            "payment_method",
            "statement_right",
            "consequence",
            "date",
        ],
        K::FilingApproval => &[
            "number",
            "authority",
            "case_source",
            "cause",
            "summary",
            "suspected_provisions",
            "handlers",
            "handler_opinion",
            "unit_opinion",
            "head_opinion",
            "filed_on",
        ],
        K::InterviewRecord => &[
            "authority",
            "cause",
            "interview_time",
            "place",
            "interviewers",
            "recorder",
            "relation",
            "credentials_shown",
            "rights_told",
            "qa",
            "page_signatures",
            "date",
        ],
        K::PreservationNotice => &[
            "number",
            "authority",
            "reason",
            "basis",
            "item_list",
            "storage_place",
            "disposal_period",
            "officers",
            "date",
        ],
        K::StatementRecord => &[
            "authority",
            "cause",
            "notice_number",
            "record_time",
            "place",
            "hearers",
            "recorder",
            "statement",
            "evidence_offered",
            "page_signatures",
            "date",
        ],
        K::InvestigationReport => &[
            "case_number",
            "authority",
            "cause",
            "course",
            "facts",
            "evidence_list",
            "characterization",
            "violated_provisions",
            "penalty_provisions",
            "discretion",
            "proposal",
            "handlers",
            "date",
        ],
        K::LegalReview => &[
            "case_number",
            "authority",
            "cause",
            "reviewer",
            "reviewer_qualification",
            "checklist",
            "outcome",
            "opinion",
            "date",
        ],
        K::CollectiveDiscussion => &[
            "case_number",
            "authority",
            "cause",
            "meeting_time",
            "place",
            "host",
            "attendees",
            "recorder",
            "handler_report",
            "opinions",
            "conclusion",
            "date",
        ],
        K::ElectronicServiceConsent => {
            &["authority", "cause", "channels", "scope", "consent", "date"]
        }
        K::ClosingApproval => &[
            "case_number",
            "authority",
            "cause",
            "decision",
            "outcome",
            "execution",
            "property_disposal",
            "handler_opinion",
            "reviewer_opinion",
            "head_opinion",
            "closed_on",
        ],
        K::CourtApplication => &[
            "number",
            "authority",
            "court",
            "decision",
            "facts",
            "basis",
            "party_opinion",
            "reminder",
            "remedy",
            "amount_figures",
            "amount_capitals",
            "amount_detail",
            "materials",
            "head",
            "date",
        ],
        K::HearingNotice => &[
            "number",
            "authority",
            "cause",
            "request",
            "hearing_time",
            "place",
            "presider",
            "rights",
            "notice_period",
            "date",
        ],
        K::HearingRecord => &[
            "case_number",
            "authority",
            "cause",
            "hearing_time",
            "place",
            "presider",
            "recorder",
            "party_name",
            "agent",
            "attendees",
            "investigators_case",
            "party_statement",
            "cross_examination",
            "signature",
            "date",
        ],
        K::HearingReport => &[
            "case_number",
            "authority",
            "cause",
            "held_on",
            "presider",
            "summary",
            "opinion",
            "date",
        ],
        K::DecisionOnTheSpot
        | K::InspectionRecord
        | K::OrderToCorrect
        | K::ServiceReceipt
        | K::NoPenaltyDecision => &[],
    }
}

impl super::model::DocumentKind {
    /// The document's Chinese title, e.g. `行政处罚决定书`.
    pub fn title_zh(self) -> &'static str {
        use super::model::DocumentKind as K;
        match self {
            K::DecisionOnTheSpot => "当场行政处罚决定书",
            K::InspectionRecord => "现场检查（勘验）笔录",
            K::OrderToCorrect => "责令（限期）改正通知书",
            K::ServiceReceipt => "送达回证",
            K::PenaltyDecision => "行政处罚决定书",
            K::FilingApproval => "立案审批表",
            K::InterviewRecord => "询问笔录",
            K::PreservationNotice => "先行登记保存证据通知书",
            K::PriorNotice => "行政处罚事先告知书",
            K::StatementRecord => "陈述申辩笔录",
            K::InvestigationReport => "案件调查终结报告",
            K::LegalReview => "法制审核意见书",
            K::CollectiveDiscussion => "集体讨论记录",
            K::ElectronicServiceConsent => "电子送达确认书",
            K::Reminder => "催告书",
            K::ClosingApproval => "结案审批表",
            K::CourtApplication => "强制执行申请书",
            K::HearingNotice => "听证通知书",
            K::HearingRecord => "听证笔录",
            K::HearingReport => "听证报告",
            K::NoPenaltyDecision => "不予行政处罚决定书",
        }
    }
}
