//! Why a step of the normal procedure is refused: one variant per gate,
//! each with a stable `UPPER_SNAKE` code and a Chinese message naming the
//! article that stops the step.

use chrono::NaiveDate;
use thiserror::Error;

use super::{Role, Stage};
use crate::ErrorCode;
use crate::rules::calendar::CalendarError;

/// A refused step. The state is unchanged.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ProcedureError {
    /// The step is not allowed in the case's state.
    #[error("案件处于“{}”（{}），不能执行“{step}”", stage.label_zh(), stage.number())]
    IllegalStep {
        /// The case's state.
        stage: Stage,
        /// The step, in Chinese.
        step: &'static str,
    },
    /// An event earlier than the last one: the log is append-only in time.
    #[error("事件时间早于案件上一事件（{last}），案件记录只能按时间顺序追加")]
    OutOfOrder {
        /// The last event's date.
        last: NaiveDate,
    },
    /// The actor's role may not take this step.
    #[error("“{step}”须由{needed}作出（{article}），当前为{}", actual.label_zh())]
    WrongRole {
        /// The step, in Chinese.
        step: &'static str,
        /// Who may, in Chinese.
        needed: &'static str,
        /// The actor's role.
        actual: Role,
        /// The article.
        article: &'static str,
    },
    /// Fewer than two distinct officers (行政处罚法 Art. 42).
    #[error("执法人员不得少于两人且不得重复（《行政处罚法》第四十二条、第五十五条）")]
    OfficersNotTwo,
    /// A required field is empty or a number is out of range.
    #[error("{what}")]
    InvalidInput {
        /// What is wrong, in Chinese.
        what: String,
    },
    /// A 分期 plan that does not hold (行政处罚法 Art. 66 ¶2).
    #[error("分期缴纳计划不成立：{reason}（《行政处罚法》第六十六条第二款）")]
    InstalmentPlan {
        /// What is wrong, in Chinese.
        reason: String,
    },
    /// 调查终结 without any record of investigation.
    #[error("尚无调查取证记录，不能调查终结（《行政处罚法》第四十条、第五十四条、第五十五条）")]
    NoInvestigation,
    /// The 告知 lacks facts, reasons, basis or penalty.
    #[error("事先告知应当载明拟作出的行政处罚内容及事实、理由、依据（《行政处罚法》第四十四条）")]
    InformIncomplete,
    /// The told penalty differs from the approved proposal by more.
    #[error("告知的处罚重于负责人审批的拟处理意见，须重新审批（《行政处罚法》第五十七条）")]
    ToldHeavierThanApproved,
    /// The hearing right applies and was not offered.
    #[error(
        "拟作出的处罚达到听证标准（{reason}），告知时应当告知听证权利（《行政处罚法》第六十三条、第四十四条）"
    )]
    HearingNotOffered {
        /// Why the right applies, in Chinese.
        reason: String,
    },
    /// No decision before the 告知.
    #[error(
        "作出行政处罚决定前未告知当事人拟作出的处罚及事实、理由、依据（《行政处罚法》第四十四条、第六十二条）"
    )]
    NotInformed,
    /// The 陈述申辩 period is still open.
    #[error(
        "陈述申辩期限至{due}届满，当事人未陈述申辩也未明确放弃，不得作出决定（《行政处罚法》第四十五条、第六十二条）"
    )]
    StatementPeriodOpen {
        /// The last day of the period.
        due: NaiveDate,
    },
    /// A hearing request may still come.
    #[error(
        "听证申请期限至{due}届满，当事人未申请也未放弃，不得作出决定（《行政处罚法》第六十三条、第六十四条第一项）"
    )]
    HearingRequestOpen {
        /// The last day to request.
        due: NaiveDate,
    },
    /// A requested hearing has not been held.
    #[error("当事人已要求听证，听证结束前不得作出决定（《行政处罚法》第六十三条、第六十五条）")]
    HearingPending,
    /// The hearing request came after 5 working days.
    #[error(
        "听证申请应当在告知后五个工作日内（{due}前）提出（《行政处罚法》第六十四条第一项、第八十五条）"
    )]
    HearingRequestLate {
        /// The last day to request.
        due: NaiveDate,
    },
    /// The hearing notice is less than 7 working days before the hearing.
    #[error(
        "听证通知应当在举行听证的七个工作日前送达，举行日为{hearing_on}的，最迟于{latest}通知（《行政处罚法》第六十四条第二项、第八十五条）"
    )]
    HearingNoticeLate {
        /// The hearing day.
        hearing_on: NaiveDate,
        /// The last day the notice may go out.
        latest: NaiveDate,
    },
    /// The presider investigated the case.
    #[error("听证主持人不得由本案调查人员担任（《行政处罚法》第六十四条第四项）")]
    PresiderIsInvestigator,
    /// The hearing is held before its day.
    #[error("听证定于{hearing_on}举行，不能提前记录（《行政处罚法》第六十四条）")]
    HearingNotYet {
        /// The hearing day.
        hearing_on: NaiveDate,
    },
    /// An Art. 58 case without a passed 法制审核.
    #[error(
        "本案属于应当法制审核的情形（{grounds}），未经法制审核或者审核未通过的，不得作出决定（《行政处罚法》第五十八条）"
    )]
    LegalReviewRequired {
        /// The grounds, in Chinese.
        grounds: String,
    },
    /// The reviewer has no 法律职业资格 number.
    #[error(
        "初次从事法制审核的人员应当取得法律职业资格，审核记录须载明其法律职业资格证书编号（《行政处罚法》第五十八条第二款）"
    )]
    ReviewerUnqualified,
    /// An Art. 57 ¶2 case without a 集体讨论 record.
    #[error(
        "情节复杂或者重大违法行为给予行政处罚，应当由行政机关负责人集体讨论决定（《行政处罚法》第五十七条第二款）"
    )]
    CollectiveDiscussionRequired,
    /// Too few attendees for a 集体讨论.
    #[error("集体讨论参加人数不得少于{min}人（《行政处罚法》第五十七条第二款；人数为本镇街配置）")]
    CollectiveTooFew {
        /// The configured minimum.
        min: u32,
    },
    /// The decision is heavier than the one told.
    #[error(
        "决定的处罚重于告知的处罚（{what}），须重新告知；不得因当事人陈述、申辩而给予更重的处罚（《行政处罚法》第四十四条、第四十五条第二款、第六十二条）"
    )]
    HeavierThanTold {
        /// What is heavier, in Chinese.
        what: String,
    },
    /// The decision after the Art. 60 deadline.
    #[error("应当自立案之日起九十日内作出决定，期限已于{due}届满（《行政处罚法》第六十条）")]
    DecisionLate {
        /// The last day (with any extension).
        due: NaiveDate,
    },
    /// An extension the configuration does not allow.
    #[error(
        "办案期限延长不得超过{max}日（《行政处罚法》第六十条“法律、法规、规章另有规定的，从其规定”；本镇街配置）"
    )]
    ExtensionNotAllowed {
        /// The days still allowed.
        max: u32,
    },
    /// Electronic service without the signed 确认书.
    #[error("当事人同意并签订确认书的，方可电子送达（《行政处罚法》第六十一条第二款）")]
    ElectronicServiceNoConsent,
    /// A 查封扣押 extension beyond the law.
    #[error(
        "查封、扣押只能延长一次且不超过三十日，并须在期限届满前决定（《行政强制法》第二十五条）"
    )]
    SeizureExtension,
    /// No registration or seizure with this number, or already disposed.
    #[error("没有第{index}项未处理的{what}")]
    NoSuchMeasure {
        /// The number.
        index: usize,
        /// 先行登记保存 or 查封扣押.
        what: &'static str,
    },
    /// 催告 before the payment period ended.
    #[error(
        "缴款期限至{due}届满，期满前不得催告（《行政强制法》第三十五条、第五十四条；《行政处罚法》第六十七条）"
    )]
    NotOverdue {
        /// The last day to pay.
        due: NaiveDate,
    },
    /// The court application before 10 working days after the 催告书.
    #[error(
        "催告书送达十个工作日后当事人仍未履行的，方可申请法院强制执行，最早于{earliest}后（《行政强制法》第五十四条、第六十九条）"
    )]
    ReminderPeriodOpen {
        /// The last day of the waiting period.
        earliest: NaiveDate,
    },
    /// The court application while the remedy periods run.
    #[error(
        "当事人申请行政复议、提起行政诉讼的期限至{until}届满，届满后方可申请法院强制执行（《行政强制法》第五十三条）"
    )]
    RemedyPeriodOpen {
        /// The last day of the remedy periods.
        until: NaiveDate,
    },
    /// The court application after 3 months.
    #[error(
        "申请人民法院强制执行应当自期限届满之日起三个月内提出，已于{due}届满（《行政强制法》第五十三条）"
    )]
    CourtApplicationLate {
        /// The last day.
        due: NaiveDate,
    },
    /// A 先行登记保存 or 查封扣押 is still open.
    #[error(
        "尚有{what}未作出处理决定，不能结案（《行政处罚法》第五十六条；《行政强制法》第二十七条）"
    )]
    MeasuresOpen {
        /// What, in Chinese.
        what: &'static str,
    },
    /// 结案 before the decision was served.
    #[error("决定书尚未送达，不能结案（《行政处罚法》第六十一条）")]
    NotServed,
    /// 结案 of a penalty neither performed nor sent to court.
    #[error(
        "处罚决定尚未履行，也未申请法院强制执行，不能结案（《行政处罚法》第六十六条、第七十二条）"
    )]
    NotPerformed,
    /// An Art. 58 ground code the township does not know.
    #[error("未知的法制审核情形“{0}”（《行政处罚法》第五十八条；本镇街法制审核目录）")]
    UnknownReviewGround(String),
    /// The calendar could not count the days.
    #[error(transparent)]
    Calendar(#[from] CalendarError),
}

impl ErrorCode for ProcedureError {
    fn code(&self) -> &'static str {
        match self {
            Self::IllegalStep { .. } => "PROCEDURE_ILLEGAL_STEP",
            Self::OutOfOrder { .. } => "PROCEDURE_OUT_OF_ORDER",
            Self::WrongRole { .. } => "PROCEDURE_WRONG_ROLE",
            Self::OfficersNotTwo => "PROCEDURE_OFFICERS_NOT_TWO",
            Self::InvalidInput { .. } => "PROCEDURE_INVALID_INPUT",
            Self::InstalmentPlan { .. } => "PROCEDURE_INSTALMENT_PLAN",
            Self::NoInvestigation => "PROCEDURE_NO_INVESTIGATION",
            Self::InformIncomplete => "PROCEDURE_INFORM_INCOMPLETE",
            Self::ToldHeavierThanApproved => "PROCEDURE_TOLD_HEAVIER_THAN_APPROVED",
            Self::HearingNotOffered { .. } => "PROCEDURE_HEARING_NOT_OFFERED",
            Self::NotInformed => "PROCEDURE_NOT_INFORMED",
            Self::StatementPeriodOpen { .. } => "PROCEDURE_STATEMENT_PERIOD_OPEN",
            Self::HearingRequestOpen { .. } => "PROCEDURE_HEARING_REQUEST_OPEN",
            Self::HearingPending => "PROCEDURE_HEARING_PENDING",
            Self::HearingRequestLate { .. } => "PROCEDURE_HEARING_REQUEST_LATE",
            Self::HearingNoticeLate { .. } => "PROCEDURE_HEARING_NOTICE_LATE",
            Self::PresiderIsInvestigator => "PROCEDURE_PRESIDER_IS_INVESTIGATOR",
            Self::HearingNotYet { .. } => "PROCEDURE_HEARING_NOT_YET",
            Self::LegalReviewRequired { .. } => "PROCEDURE_LEGAL_REVIEW_REQUIRED",
            Self::ReviewerUnqualified => "PROCEDURE_REVIEWER_UNQUALIFIED",
            Self::CollectiveDiscussionRequired => "PROCEDURE_COLLECTIVE_DISCUSSION_REQUIRED",
            Self::CollectiveTooFew { .. } => "PROCEDURE_COLLECTIVE_TOO_FEW",
            Self::HeavierThanTold { .. } => "PROCEDURE_HEAVIER_THAN_TOLD",
            Self::DecisionLate { .. } => "PROCEDURE_DECISION_LATE",
            Self::ExtensionNotAllowed { .. } => "PROCEDURE_EXTENSION_NOT_ALLOWED",
            Self::ElectronicServiceNoConsent => "PROCEDURE_ELECTRONIC_SERVICE_NO_CONSENT",
            Self::SeizureExtension => "PROCEDURE_SEIZURE_EXTENSION",
            Self::NoSuchMeasure { .. } => "PROCEDURE_NO_SUCH_MEASURE",
            Self::NotOverdue { .. } => "PROCEDURE_NOT_OVERDUE",
            Self::ReminderPeriodOpen { .. } => "PROCEDURE_REMINDER_PERIOD_OPEN",
            Self::RemedyPeriodOpen { .. } => "PROCEDURE_REMEDY_PERIOD_OPEN",
            Self::CourtApplicationLate { .. } => "PROCEDURE_COURT_APPLICATION_LATE",
            Self::MeasuresOpen { .. } => "PROCEDURE_MEASURES_OPEN",
            Self::NotServed => "PROCEDURE_NOT_SERVED",
            Self::NotPerformed => "PROCEDURE_NOT_PERFORMED",
            Self::UnknownReviewGround(_) => "PROCEDURE_UNKNOWN_REVIEW_GROUND",
            Self::Calendar(e) => e.code(),
        }
    }
}
