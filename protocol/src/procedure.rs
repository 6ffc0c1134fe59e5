//! The normal procedure's (普通程序, 行政处罚法 Ch. 5 §3) wire types: the
//! states S0–S18, the roles, and one recorded step ([`ProcedureEvent`]) —
//! what a device pushes as `procedure/event` and what the centre's console
//! records and sends back through the inbox. The rules over them (the
//! gates, the fold, the clocks) are `zhifa_core::procedure`, which
//! re-exports these types; this crate only says what the data is.

use chrono::{DateTime, NaiveDate, NaiveTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

mod hearing;
pub use hearing::{HearingMinutes, MinutesSignature};

/// The date in Beijing (UTC+8, no daylight saving) of a moment: the legal
/// date of a step.
pub fn beijing_date(at: DateTime<Utc>) -> NaiveDate {
    (at + TimeDelta::hours(8)).date_naive()
}

/// The states S0–S18, and the exits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// No event yet.
    Empty,
    /// S0 案源登记.
    CaseSource,
    /// S1 立案.
    Filed,
    /// S2 调查取证.
    Investigating,
    /// S3 调查终结.
    InvestigationEnded,
    /// S4 案件审核.
    CaseReviewed,
    /// S5 负责人审批拟处理意见.
    ProposalApproved,
    /// S6 事先告知.
    Informed,
    /// S7 陈述申辩 / 复核 (or waived).
    StatementHeard,
    /// S8 听证 (requested, scheduled or held).
    Hearing,
    /// S9 法制审核 passed.
    LegalReviewed,
    /// S10 集体讨论.
    CollectivelyDiscussed,
    /// S11 决定.
    Decided,
    /// S12 送达.
    Served,
    /// S13 公示.
    Published,
    /// S14 执行（履行）: paid, or a deferral approved.
    Executing,
    /// S15 催告.
    Reminded,
    /// S16 申请法院强制执行.
    CourtApplied,
    /// S17 结案.
    Closed,
    /// S18 归档.
    Archived,
    /// 不予立案 (an exit from S0).
    NotFiled,
    /// 撤销立案 (an exit from S1–S10).
    Withdrawn,
    /// 决定已撤销: a decision revoked by a 复议决定, a judgment or the
    /// authority's own correction (行政处罚法 Art. 48 ¶2); only 归档 follows.
    Revoked,
}

impl Stage {
    /// The research's number, e.g. `S11`, or the exit's name.
    pub fn number(self) -> &'static str {
        match self {
            Self::Empty => "—",
            Self::CaseSource => "S0",
            Self::Filed => "S1",
            Self::Investigating => "S2",
            Self::InvestigationEnded => "S3",
            Self::CaseReviewed => "S4",
            Self::ProposalApproved => "S5",
            Self::Informed => "S6",
            Self::StatementHeard => "S7",
            Self::Hearing => "S8",
            Self::LegalReviewed => "S9",
            Self::CollectivelyDiscussed => "S10",
            Self::Decided => "S11",
            Self::Served => "S12",
            Self::Published => "S13",
            Self::Executing => "S14",
            Self::Reminded => "S15",
            Self::CourtApplied => "S16",
            Self::Closed => "S17",
            Self::Archived => "S18",
            Self::NotFiled => "不予立案",
            Self::Withdrawn => "撤销立案",
            Self::Revoked => "决定撤销",
        }
    }

    /// The state's name in Chinese.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Empty => "未开始",
            Self::CaseSource => "案源登记",
            Self::Filed => "立案",
            Self::Investigating => "调查取证",
            Self::InvestigationEnded => "调查终结",
            Self::CaseReviewed => "案件审核",
            Self::ProposalApproved => "负责人审批拟处理意见",
            Self::Informed => "事先告知",
            Self::StatementHeard => "陈述申辩",
            Self::Hearing => "听证",
            Self::LegalReviewed => "法制审核",
            Self::CollectivelyDiscussed => "集体讨论",
            Self::Decided => "决定",
            Self::Served => "送达",
            Self::Published => "公示",
            Self::Executing => "执行",
            Self::Reminded => "催告",
            Self::CourtApplied => "申请法院强制执行",
            Self::Closed => "结案",
            Self::Archived => "归档",
            Self::NotFiled => "不予立案",
            Self::Withdrawn => "撤销立案",
            Self::Revoked => "决定已撤销",
        }
    }

    /// Whether the case can no longer change.
    pub fn is_terminal(self) -> bool {
        matches!(self, Self::Archived | Self::NotFiled | Self::Withdrawn)
    }
}

/// Who acts in a step (research §1.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 承办人: an officer with a 执法证.
    Officer,
    /// 承办机构负责人 (综合行政执法大队 队长).
    UnitHead,
    /// 审核人 (案件审核).
    CaseReviewer,
    /// 法制审核人员 (Art. 58).
    LegalReviewer,
    /// 行政机关负责人 (镇长 / 街道办主任).
    Leader,
    /// 分管副职; signs as 负责人 only where the township allows it.
    DeputyLeader,
    /// 听证主持人 (not the investigator, Art. 64(四)).
    Presider,
    /// 档案员.
    Archivist,
}

impl Role {
    /// The role in Chinese.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Officer => "承办人",
            Self::UnitHead => "承办机构负责人",
            Self::CaseReviewer => "审核人",
            Self::LegalReviewer => "法制审核人员",
            Self::Leader => "行政机关负责人",
            Self::DeputyLeader => "分管负责人",
            Self::Presider => "听证主持人",
            Self::Archivist => "档案员",
        }
    }
}

/// The person who records a step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Actor {
    /// The staff or officer id.
    pub id: String,
    /// The role in which they act.
    pub role: Role,
}

/// Where a step was recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case", tag = "kind", content = "id")]
pub enum Origin {
    /// An officer's device (its id).
    Device(String),
    /// The centre's console (the staff account).
    Console(String),
}

/// Kinds of administrative penalty (行政处罚法 Art. 9).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum PenaltyKind {
    /// 警告.
    Warning,
    /// 通报批评 (ranked above 警告: docs/law/README.md open question 2).
    Criticism,
    /// 罚款 (amount in `fine_fen`).
    Fine,
    /// 没收违法所得 / 没收非法财物 (value in `confiscation_fen`).
    Confiscation,
    /// 暂扣许可证件.
    SuspendLicence,
    /// 降低资质等级.
    DowngradeQualification,
    /// 吊销许可证件.
    RevokeLicence,
    /// 限制开展生产经营活动.
    LimitBusiness,
    /// 责令停产停业.
    StopProduction,
    /// 责令关闭.
    OrderClosure,
    /// 限制从业.
    RestrictPractice,
}

impl PenaltyKind {
    /// The kind in Chinese.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Warning => "警告",
            Self::Criticism => "通报批评",
            Self::Fine => "罚款",
            Self::Confiscation => "没收违法所得、没收非法财物",
            Self::SuspendLicence => "暂扣许可证件",
            Self::DowngradeQualification => "降低资质等级",
            Self::RevokeLicence => "吊销许可证件",
            Self::LimitBusiness => "限制开展生产经营活动",
            Self::StopProduction => "责令停产停业",
            Self::OrderClosure => "责令关闭",
            Self::RestrictPractice => "限制从业",
        }
    }
}

/// Whether the party is a citizen or an organisation (for Art. 63's
/// thresholds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PartyKind {
    /// 公民.
    Citizen,
    /// 法人或者其他组织.
    Organisation,
}

/// A penalty as proposed, told or decided. Money in fen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Penalty {
    /// The kinds imposed (罚款 and 没收 are listed here too).
    pub kinds: Vec<PenaltyKind>,
    /// The fine, fen (0 without a fine).
    #[serde(default)]
    pub fine_fen: i64,
    /// The value confiscated, fen (0 without confiscation).
    #[serde(default)]
    pub confiscation_fen: i64,
}

impl Penalty {
    /// A fine only.
    pub fn fine(fen: i64) -> Self {
        Self {
            kinds: vec![PenaltyKind::Fine],
            fine_fen: fen,
            confiscation_fen: 0,
        }
    }

    /// Whether the penalty includes `kind`.
    pub fn has(&self, kind: PenaltyKind) -> bool {
        self.kinds.contains(&kind)
    }
}

/// The outcome the 负责人 reviews and decides (行政处罚法 Art. 57 ¶1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case", tag = "outcome")]
pub enum Outcome {
    /// (一) a penalty.
    Penalty {
        /// The penalty.
        penalty: Penalty,
    },
    /// (二) 违法行为轻微，依法可以不予行政处罚 (Art. 33).
    NoPenaltyMinor,
    /// (三) 违法事实不能成立.
    NotEstablished,
    /// (四) 涉嫌犯罪，移送司法机关 (Art. 82).
    Transfer,
}

impl Outcome {
    /// The penalty, if the outcome is one.
    pub fn penalty(&self) -> Option<&Penalty> {
        match self {
            Self::Penalty { penalty } => Some(penalty),
            _ => None,
        }
    }
}

/// What the case facts say about the review and discussion it needs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct CaseFlags {
    /// Art. 58 grounds found: `public_interest` (一), `major_rights` (二),
    /// `complex` (三), or a code of the township's extra 目录清单 items.
    pub review_grounds: Vec<String>,
    /// 情节复杂或者重大违法行为 (Art. 57 ¶2).
    pub complex_or_major: bool,
}

/// How the decision is served.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case", tag = "method")]
pub enum ServiceMethod {
    /// 宣告后当场交付 (Art. 61 ¶1).
    OnTheSpot,
    /// 直接送达 with a 送达回证 (民事诉讼法 Art. 87).
    Direct,
    /// 留置送达 (民事诉讼法 Art. 89).
    LeftAtAddress,
    /// 邮寄送达.
    Post,
    /// Electronic service; needs the signed 确认书 (Art. 61 ¶2).
    Electronic {
        /// The id (hash) of the party's signed 电子送达确认书.
        consent: Option<String>,
    },
    /// 公告送达 (民事诉讼法 Art. 95).
    PublicNotice,
}

/// One instalment of a 分期缴纳 plan (行政处罚法 Art. 66 ¶2). Money in fen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Instalment {
    /// Its last day.
    pub due: NaiveDate,
    /// The amount, fen.
    pub amount_fen: i64,
}

/// One point of a 法制审核 and what the reviewer found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ReviewItem {
    /// The point, e.g. `适用法律依据是否正确`.
    pub point: String,
    /// The finding, e.g. `符合` or what is wrong.
    pub finding: String,
}

/// A step of the normal procedure with its data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case", tag = "step")]
pub enum EventKind {
    /// S0 案源登记.
    RegisterSource {
        /// The date the violation was found (发现).
        discovered_on: NaiveDate,
        /// Where the case comes from (巡查, 投诉举报, 移送, 交办 …).
        source: String,
        /// The party kind, for Art. 63's thresholds.
        party: PartyKind,
    },
    /// S0 → S1 立案, approved by the 负责人.
    File,
    /// S0 → 不予立案, approved by the 负责人.
    DeclineFiling {
        /// Why.
        reason: String,
    },
    /// S1/S2 an act of investigation: 询问笔录, 现场检查（勘验）笔录,
    /// 抽样取证, evidence (Art. 54, 55).
    Investigate {
        /// What was done, e.g. `询问笔录`.
        act: String,
        /// The two (or more) officers (Art. 42, 55).
        officers: Vec<String>,
        /// The record's or evidence's hash.
        #[serde(default)]
        document: Option<String>,
    },
    /// S2a the officer asks the 负责人 at once to approve a 先行登记保存
    /// (Art. 56: 经行政机关负责人批准): the case waits for the approval.
    RequestSave {
        /// What is to be preserved.
        items: String,
        /// Why the evidence may be lost or hard to obtain later.
        reason: String,
    },
    /// S2a 先行登记保存, approved by the 负责人 (Art. 56).
    RegisterSave {
        /// What is preserved.
        items: String,
    },
    /// S2a the 处理决定 on a registration.
    DisposeSave {
        /// The registration's number (0-based, in order).
        index: usize,
    },
    /// S2b 查封扣押, approved by the 负责人 (行政强制法 Art. 18, 24).
    Seize {
        /// The law or regulation that gives the power (行政强制法 Art. 22).
        power: String,
        /// What is seized.
        items: String,
    },
    /// S2b extension by ≤30 days, approved by the 负责人 (行政强制法 Art. 25).
    ExtendSeizure {
        /// The seizure's number.
        index: usize,
        /// Days added (1–30).
        days: u32,
        /// Why (told to the party in writing).
        reason: String,
    },
    /// S2b the 处理决定 or 解除 (行政强制法 Art. 27, 28).
    ReleaseSeizure {
        /// The seizure's number.
        index: usize,
    },
    /// S2 → S3 调查终结 with the 调查终结报告's proposal (Art. 57 ¶1).
    EndInvestigation {
        /// The proposed outcome.
        proposal: Outcome,
        /// Review and discussion flags found.
        #[serde(default)]
        flags: CaseFlags,
    },
    /// S3 → S4 案件审核 (passed) or back to S2 (returned).
    ReviewCase {
        /// Whether the review passed.
        passed: bool,
        /// The opinion.
        opinion: String,
    },
    /// S4 → S5 the 负责人 approves the proposal (Art. 57).
    ApproveProposal,
    /// S5 → S6 事先告知 (Art. 44), with the hearing right where it applies.
    Inform {
        /// The penalty told.
        penalty: Penalty,
        /// The facts.
        facts: String,
        /// The reasons.
        reasons: String,
        /// The legal basis.
        basis: Vec<String>,
        /// Whether the 听证告知 was given.
        hearing_offered: bool,
        /// The officers (Art. 42).
        officers: Vec<String>,
    },
    /// S6 → S7 the party's 陈述申辩 heard and reviewed (复核, Art. 45).
    HearStatement {
        /// The 复核 result.
        review: String,
        /// Whether the party's facts or reasons were adopted.
        adopted: bool,
    },
    /// The party expressly waives (Art. 62).
    Waive {
        /// Waives 陈述申辩.
        statement: bool,
        /// Waives the hearing.
        hearing: bool,
    },
    /// S8 the party requests a hearing (Art. 64(一)).
    RequestHearing,
    /// S8 the hearing notice (Art. 64(二): 行政机关应当在举行听证的七日前，
    /// 通知当事人及有关人员听证的时间、地点).
    NoticeHearing {
        /// The hearing day.
        hearing_on: NaiveDate,
        /// The presider (not an investigator, Art. 64(四)).
        presider: String,
        /// Where the hearing is held (Art. 64(二)); absent in logs written
        /// before the 听证通知书 was rendered.
        #[serde(default, skip_serializing_if = "String::is_empty")]
        place: String,
        /// The hour it opens (Beijing), e.g. `09:30`; absent in old logs.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[schema(value_type = Option<String>)]
        time: Option<NaiveTime>,
    },
    /// S8 the hearing held, or the party absent without cause (deemed
    /// waived, Art. 64(六)).
    HoldHearing {
        /// Whether the party attended.
        party_attended: bool,
        /// The 听证笔录's content (Art. 64(八)); absent in logs written
        /// before it was recorded.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        minutes: Option<HearingMinutes>,
    },
    /// Submission for 法制审核 (starts its turnaround clock).
    SubmitLegalReview,
    /// S9 法制审核 (Art. 58).
    LegalReview {
        /// The reviewer's 法律职业资格 certificate number (Art. 58 ¶2).
        qualification: String,
        /// Whether the review passed; failing returns the case to S2.
        passed: bool,
        /// The opinion.
        opinion: String,
        /// Each point reviewed with its finding (the 法制审核意见书's
        /// checklist: 主体, 事实, 证据, 依据, 程序, 裁量 …).
        #[serde(default)]
        checklist: Vec<ReviewItem>,
    },
    /// S10 集体讨论 (Art. 57 ¶2).
    DiscussCollectively {
        /// The attendees.
        attendees: Vec<String>,
        /// The conclusion.
        conclusion: String,
    },
    /// The 负责人 extends the decision period (Art. 60, configured).
    ExtendDecision {
        /// Days added.
        days: u32,
        /// Why.
        reason: String,
    },
    /// S11 决定 by the 负责人 (Art. 57, 59), dated the event's day.
    Decide {
        /// The outcome decided.
        outcome: Outcome,
        /// The decision number.
        number: String,
    },
    /// S12 送达 (Art. 61).
    Serve {
        /// How.
        method: ServiceMethod,
        /// The officers.
        officers: Vec<String>,
    },
    /// S13 公示 (Art. 48).
    Publish,
    /// S14 payment confirmed (Art. 67).
    ConfirmPayment {
        /// The amount paid, fen.
        amount_fen: i64,
    },
    /// S14a 延期/分期缴纳, approved by the 负责人 (Art. 66 ¶2).
    ApproveDeferral {
        /// The new (last) due day.
        until: NaiveDate,
        /// 分期: the instalments in order, the last due on `until`, summing
        /// to the amount the decision orders paid; empty for a 延期.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        instalments: Vec<Instalment>,
    },
    /// S15 催告书 served (行政强制法 Art. 35, 54).
    Remind,
    /// S16 申请法院强制执行, signed by the 负责人 (行政强制法 Art. 53–55).
    ApplyToCourt,
    /// S17 结案, approved by the 负责人.
    Close {
        /// Why the case ends (paid, enforced, 终结执行 …).
        reason: String,
    },
    /// S18 归档 (Art. 47).
    Archive,
    /// 撤销立案, approved by the 负责人.
    Withdraw {
        /// Why.
        reason: String,
    },
    /// The decision is revoked (changed, revoked, held illegal or void),
    /// recorded by the 负责人; a published decision is withdrawn from the
    /// 公示 at once (行政处罚法 Art. 48 ¶2: within 3 working days, Art. 85).
    Revoke {
        /// Why (what the revoking act found).
        reason: String,
        /// The act that revoked it: the 复议决定书 or 判决书 with its number,
        /// or the authority's own correction (自行纠错).
        source: String,
    },
}

impl EventKind {
    /// The step's stable snake_case name.
    pub fn name(&self) -> &'static str {
        match self {
            Self::RegisterSource { .. } => "register_source",
            Self::File => "file",
            Self::DeclineFiling { .. } => "decline_filing",
            Self::Investigate { .. } => "investigate",
            Self::RequestSave { .. } => "request_save",
            Self::RegisterSave { .. } => "register_save",
            Self::DisposeSave { .. } => "dispose_save",
            Self::Seize { .. } => "seize",
            Self::ExtendSeizure { .. } => "extend_seizure",
            Self::ReleaseSeizure { .. } => "release_seizure",
            Self::EndInvestigation { .. } => "end_investigation",
            Self::ReviewCase { .. } => "review_case",
            Self::ApproveProposal => "approve_proposal",
            Self::Inform { .. } => "inform",
            Self::HearStatement { .. } => "hear_statement",
            Self::Waive { .. } => "waive",
            Self::RequestHearing => "request_hearing",
            Self::NoticeHearing { .. } => "notice_hearing",
            Self::HoldHearing { .. } => "hold_hearing",
            Self::SubmitLegalReview => "submit_legal_review",
            Self::LegalReview { .. } => "legal_review",
            Self::DiscussCollectively { .. } => "discuss_collectively",
            Self::ExtendDecision { .. } => "extend_decision",
            Self::Decide { .. } => "decide",
            Self::Serve { .. } => "serve",
            Self::Publish => "publish",
            Self::ConfirmPayment { .. } => "confirm_payment",
            Self::ApproveDeferral { .. } => "approve_deferral",
            Self::Remind => "remind",
            Self::ApplyToCourt => "apply_to_court",
            Self::Close { .. } => "close",
            Self::Archive => "archive",
            Self::Withdraw { .. } => "withdraw",
            Self::Revoke { .. } => "revoke",
        }
    }

    /// The step's name in Chinese.
    pub fn label_zh(&self) -> &'static str {
        match self {
            Self::RegisterSource { .. } => "案源登记",
            Self::File => "立案",
            Self::DeclineFiling { .. } => "不予立案",
            Self::Investigate { .. } => "调查取证",
            Self::RequestSave { .. } => "申请先行登记保存",
            Self::RegisterSave { .. } => "先行登记保存",
            Self::DisposeSave { .. } => "先行登记保存处理决定",
            Self::Seize { .. } => "查封扣押",
            Self::ExtendSeizure { .. } => "延长查封扣押",
            Self::ReleaseSeizure { .. } => "查封扣押处理或者解除",
            Self::EndInvestigation { .. } => "调查终结",
            Self::ReviewCase { .. } => "案件审核",
            Self::ApproveProposal => "负责人审批拟处理意见",
            Self::Inform { .. } => "事先告知",
            Self::HearStatement { .. } => "陈述申辩及复核",
            Self::Waive { .. } => "放弃陈述申辩或者听证",
            Self::RequestHearing => "申请听证",
            Self::NoticeHearing { .. } => "听证通知",
            Self::HoldHearing { .. } => "举行听证",
            Self::SubmitLegalReview => "提交法制审核",
            Self::LegalReview { .. } => "法制审核",
            Self::DiscussCollectively { .. } => "集体讨论",
            Self::ExtendDecision { .. } => "延长办案期限",
            Self::Decide { .. } => "作出决定",
            Self::Serve { .. } => "送达",
            Self::Publish => "公示",
            Self::ConfirmPayment { .. } => "确认缴款",
            Self::ApproveDeferral { .. } => "批准延期或者分期缴纳",
            Self::Remind => "催告",
            Self::ApplyToCourt => "申请法院强制执行",
            Self::Close { .. } => "结案",
            Self::Archive => "归档",
            Self::Withdraw { .. } => "撤销立案",
            Self::Revoke { .. } => "撤销处罚决定",
        }
    }

    /// The article(s) the step rests on, as recorded on its event.
    pub fn basis(&self) -> &'static [&'static str] {
        match self {
            Self::RegisterSource { .. } => &["行政处罚法第五十四条第一款"],
            Self::File | Self::DeclineFiling { .. } => &["行政处罚法第五十四条第二款"],
            Self::Investigate { .. } => &["行政处罚法第五十四条", "行政处罚法第五十五条"],
            Self::RequestSave { .. } | Self::RegisterSave { .. } | Self::DisposeSave { .. } => {
                &["行政处罚法第五十六条"]
            }
            Self::Seize { .. } | Self::ReleaseSeizure { .. } => &[
                "行政强制法第十八条",
                "行政强制法第二十四条",
                "行政强制法第二十七条",
            ],
            Self::ExtendSeizure { .. } => &["行政强制法第二十五条"],
            Self::EndInvestigation { .. } | Self::ApproveProposal => &["行政处罚法第五十七条"],
            Self::ReviewCase { .. } => &["行政处罚法第五十七条"],
            Self::Inform { .. } => &["行政处罚法第四十四条", "行政处罚法第六十三条"],
            Self::HearStatement { .. } => &["行政处罚法第四十五条"],
            Self::Waive { .. } => &["行政处罚法第六十二条"],
            Self::RequestHearing | Self::NoticeHearing { .. } | Self::HoldHearing { .. } => {
                &["行政处罚法第六十三条", "行政处罚法第六十四条"]
            }
            Self::SubmitLegalReview | Self::LegalReview { .. } => &["行政处罚法第五十八条"],
            Self::DiscussCollectively { .. } => &["行政处罚法第五十七条第二款"],
            Self::ExtendDecision { .. } => &["行政处罚法第六十条"],
            Self::Decide { .. } => &[
                "行政处罚法第五十七条",
                "行政处罚法第五十九条",
                "行政处罚法第六十条",
            ],
            Self::Serve { .. } => &["行政处罚法第六十一条"],
            Self::Publish => &["行政处罚法第四十八条"],
            Self::ConfirmPayment { .. } => &["行政处罚法第六十七条"],
            Self::ApproveDeferral { .. } => &["行政处罚法第六十六条第二款"],
            Self::Remind => &["行政强制法第三十五条", "行政强制法第五十四条"],
            Self::ApplyToCourt => &[
                "行政处罚法第七十二条",
                "行政强制法第五十三条",
                "行政强制法第五十五条",
            ],
            Self::Close { .. } => &["行政处罚法第四十七条"],
            Self::Archive => &["行政处罚法第四十七条"],
            Self::Withdraw { .. } => &["行政处罚法第五十七条"],
            Self::Revoke { .. } => &["行政处罚法第四十八条第二款", "行政处罚法第八十五条"],
        }
    }
}

/// One recorded step of a normal-procedure case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProcedureEvent {
    /// The step and its data.
    pub kind: EventKind,
    /// Who recorded it, in which role.
    pub actor: Actor,
    /// When (UTC; the legal date is the Beijing date).
    pub at: DateTime<Utc>,
    /// Where, if recorded in the field.
    #[serde(default)]
    pub place: Option<String>,
    /// The device or console that recorded it.
    pub origin: Origin,
    /// The signature over the event, if signed.
    #[serde(default)]
    pub signature: Option<String>,
    /// The article(s) the step rests on.
    pub basis: Vec<String>,
}

impl ProcedureEvent {
    /// An unsigned event with the step's own basis.
    pub fn new(kind: EventKind, actor: Actor, at: DateTime<Utc>, origin: Origin) -> Self {
        let basis = kind.basis().iter().map(|s| (*s).to_owned()).collect();
        Self {
            kind,
            actor,
            at,
            place: None,
            origin,
            signature: None,
            basis,
        }
    }

    /// The step's legal date (Beijing).
    pub fn on(&self) -> NaiveDate {
        beijing_date(self.at)
    }
}
