//! The assessment of a case: what the law and the matter's discretion table
//! allow before an officer decides.
//!
//! [`assess`] is a pure function of the case facts ([`AssessInput`]), the
//! matter and calendar in force on the violation date (looked up by the
//! caller) and the [`RulesConfig`]. It never fails: every problem it finds
//! goes into [`Assessment::errors`] at once, each with a stable code, so the
//! officer sees them all together. The input and output types are the JSON
//! contract of `zhifa assess` field for field.
//!
//! How the pieces fit:
//!
//! - **Bars.** No penalty may be imposed on a party under 14 (行政处罚法
//!   Art. 30), in a mandatory no-penalty case (Art. 33 ¶1 first sentence,
//!   Art. 33 ¶2 no fault, Art. 31 mental incapacity) or after the limitation
//!   period (Art. 36). A barred case has no lawful range and no suggested
//!   level, and a proposed penalty is refused.
//! - **The lawful range** ([`Assessment::range`]) is the statutory range of
//!   the matter's 罚则 for the party kind. Where a lighter penalty is
//!   mandatory (a minor aged 14–17, Art. 30; the cases of Art. 32) it becomes
//!   `0 ..= statutory minimum + lighter_upper_percent % of the span`: 减轻
//!   allows going below the statutory minimum, 从轻 keeps to the lower part
//!   of the range (see [`RulesConfig::lighter_upper_percent`]). It is *not*
//!   narrowed to the suggested level: a penalty outside the range is
//!   refused, a penalty inside it but off the suggested level needs a
//!   written reason (`deviation_reason`), as the discretion rules intend.
//! - **Levels.** Each discretion level applies when the party kind has a
//!   penalty at that level and every circumstance code the level lists was
//!   given. The suggested level is the applicable level matching the most
//!   circumstances; a tie goes to the lighter level. A level whose fine lies
//!   wholly outside the lawful range (and that has no warning) is never
//!   suggested; when a lighter penalty is mandatory and no applicable level
//!   qualifies, the lightest level that does is suggested. Each level's
//!   `lawful_fine` is its fine clipped to the lawful range, so the suggested
//!   fine is always lawful.
//! - **Procedure.** Simple procedure (Art. 51), on-the-spot collection
//!   (Art. 68–69), hearing right (Art. 63, Chongqing thresholds configured),
//!   legal review (Art. 58), payment due date (Art. 67), late-payment
//!   surcharge (Art. 72–73) and the remedy clause (行政复议法 2023 Art. 20,
//!   23, 24) follow from the proposed penalty when there is one, otherwise
//!   from the suggested level.
//!
//! What the device cannot know, the officer attests as a circumstance code
//! ([`LAW_CIRCUMSTANCES`]): the facts being minor, prompt correction, a
//! first violation (provisional until the history is synced), remoteness,
//! a complex case.

use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::ErrorCode;
use crate::catalogue::clause::LegacyError;
use crate::catalogue::model::{
    Calendar, Clause, DiscretionLevel, ExemptionRule, FineRange, LevelPenalty, Matter, MatterKind,
    Precondition, SanctionKind,
};

use super::bands::{self, BandAssessment, ClauseCx};

use super::calendar::{CalendarError, period_end};
use super::config::RulesConfig;
use super::identity::{IdOptions, IdentityError, parse_citizen_id, parse_uscc};
use crate::money::format_yuan as yuan;

// ---------------------------------------------------------------------------
// Statutory constants (✅ in docs/law/xingzheng-chufa-fa.md; each beside its article)

/// Fen in one yuan (元).
const FEN_PER_YUAN: i64 = 100;

/// 行政处罚法 Art. 51: simple procedure for a citizen up to 200 元, inclusive.
pub const SIMPLE_LIMIT_INDIVIDUAL_FEN: i64 = 200 * FEN_PER_YUAN;
/// 行政处罚法 Art. 51: simple procedure for an organisation up to 3,000 元, inclusive.
pub const SIMPLE_LIMIT_ORGANIZATION_FEN: i64 = 3_000 * FEN_PER_YUAN;
/// 道路交通安全法 Art. 107: on-the-spot traffic decisions up to 200 元 for any party.
pub const SIMPLE_LIMIT_TRAFFIC_FEN: i64 = 200 * FEN_PER_YUAN;
/// 行政处罚法 Art. 68(一): on-the-spot collection of fines up to 100 元, inclusive.
pub const ON_THE_SPOT_LIMIT_FEN: i64 = 100 * FEN_PER_YUAN;
/// 行政处罚法 Art. 67: payment within 15 days of receiving the decision.
pub const PAYMENT_DAYS: u32 = 15;
/// 行政处罚法 Art. 72(一): 3 % of the fine per day overdue.
pub const LATE_FEE_PERCENT_PER_DAY: i64 = 3;
/// 行政处罚法 Art. 36: the ordinary limitation period in years.
pub const LIMITATION_YEARS: u32 = 2;
/// 行政处罚法 Art. 36: the extended limitation period in years.
pub const LIMITATION_YEARS_EXTENDED: u32 = 5;
/// 行政处罚法 Art. 30: under this age, no penalty.
pub const AGE_NO_PENALTY: u32 = 14;
/// 行政处罚法 Art. 30: under this age (and from 14), a lighter or reduced penalty.
pub const AGE_ADULT: u32 = 18;

/// The law-level circumstance codes and what each attests. Matters may add
/// their own in their levels and no-penalty rules.
pub const LAW_CIRCUMSTANCES: &[(&str, &str)] = &[
    ("minor_violation", "违法行为轻微（行政处罚法第三十三条）"),
    ("corrected_promptly", "及时改正（第三十三条）"),
    ("no_harm", "没有造成危害后果（第三十三条）"),
    ("minor_harm", "危害后果轻微（第三十三条）"),
    (
        "first_violation",
        "初次违法（第三十三条；离线时为执法人员陈述，同步后复核）",
    ),
    (
        "no_fault",
        "当事人有证据足以证明没有主观过错（第三十三条第二款）",
    ),
    (
        "mental_incapacity",
        "精神病人、智力残疾人在不能辨认或者不能控制自己行为时违法（第三十一条）",
    ),
    (
        "eliminated_or_reduced_harm",
        "主动消除或者减轻违法行为危害后果（第三十二条第一项）",
    ),
    (
        "coerced_or_deceived",
        "受他人胁迫或者诱骗实施违法行为（第三十二条第二项）",
    ),
    (
        "confessed_unknown_violation",
        "主动供述行政机关尚未掌握的违法行为（第三十二条第三项）",
    ),
    (
        "meritorious_cooperation",
        "配合行政机关查处违法行为有立功表现（第三十二条第四项）",
    ),
    (
        "endangers_life_health_or_financial_safety_with_harm",
        "涉及公民生命健康安全、金融安全且有危害后果（第三十六条，时效五年）",
    ),
    (
        "hard_to_collect_later",
        "不当场收缴事后难以执行（第六十八条第二项）",
    ),
    (
        "remote_area",
        "边远、水上、交通不便地区，到银行或者通过电子支付系统缴纳确有困难（第六十九条）",
    ),
    (
        "party_requests_on_the_spot_payment",
        "当事人提出当场缴纳（第六十九条）",
    ),
    (
        "major_public_interest",
        "涉及重大公共利益（第五十八条第一项）",
    ),
    (
        "complex_case",
        "案件情况疑难复杂、涉及多个法律关系（第五十八条第三项）",
    ),
];

/// Art. 32 circumstances that make a lighter or reduced penalty mandatory.
const ART_32: [&str; 4] = [
    "eliminated_or_reduced_harm",
    "coerced_or_deceived",
    "confessed_unknown_violation",
    "meritorious_cooperation",
];

/// The text a level's `other` penalties carry for 通报批评.
const NOTICE_OF_CRITICISM: &str = "通报批评";

// ---------------------------------------------------------------------------
// Input

/// The case facts `zhifa assess` reads (`--input FILE|-`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssessInput {
    /// The matter code; without one only the law-level rules apply.
    #[serde(default)]
    pub matter: Option<String>,
    /// The party.
    pub party: Party,
    /// The day of the act (for a continuous act, its first day).
    pub violation_date: NaiveDate,
    /// For a continuous or ongoing act, the day it ended; the limitation
    /// period runs from it (行政处罚法 Art. 36 ¶2).
    #[serde(default)]
    pub violation_end_date: Option<NaiveDate>,
    /// The day the act was discovered; the limitation period is measured to
    /// it. Without it the decision date stands in, which can only report an
    /// expiry too early, never too late.
    #[serde(default)]
    pub discovered_date: Option<NaiveDate>,
    /// The day of the decision.
    #[serde(default)]
    pub decision_date: Option<NaiveDate>,
    /// Circumstance codes the officer attests (law-level and the matter's own).
    #[serde(default)]
    pub circumstances: Vec<String>,
    /// The penalty the officer proposes.
    #[serde(default)]
    pub penalty: Option<ProposedPenalty>,
    /// The written reason for a penalty off the suggested level; it stays
    /// with the case for supervision.
    #[serde(default)]
    pub deviation_reason: Option<String>,
    /// The day the decision was served (送达).
    #[serde(default)]
    pub served_date: Option<NaiveDate>,
    /// The day the fine was paid.
    #[serde(default)]
    pub paid_date: Option<NaiveDate>,
    /// Reconsideration or litigation was pending over the whole period after
    /// the due date, so no surcharge accrued (行政处罚法 Art. 73 ¶3).
    #[serde(default)]
    pub remedy_pending: bool,
    /// The district or county (区县) of the deciding township, whose
    /// government is the reconsideration body; falls back to
    /// [`RulesConfig::district`].
    #[serde(default)]
    pub district: Option<String>,
    /// The clause preconditions the case attests (`not_corrected_by_deadline`,
    /// `refused_to_correct`, `serious`, `repeat`). A band is usable only when
    /// all its preconditions are attested. The case flow derives
    /// `not_corrected_by_deadline` from its own served order to correct.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attested: Vec<Precondition>,
    /// For `serious`: the facts that make the case serious (情节严重), in
    /// words; `serious` without them is refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serious_facts: Option<String>,
    /// For `not_corrected_by_deadline`: the deadline of the order to correct;
    /// when given, it must have passed on the decision date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correction_deadline: Option<NaiveDate>,
    /// The base of a multiple fine (违法所得 or 货值金额) in fen, as found in the case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_fen: Option<i64>,
}

/// The party to the case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Party {
    /// A natural person or an organisation.
    pub kind: PartyKind,
    /// Citizen ID (or a form sharing its algorithm) for an individual, USCC
    /// for an organisation.
    #[serde(default)]
    pub id_number: Option<String>,
    /// Birth date, when there is no ID number (or to cross-check it).
    #[serde(default)]
    pub birth_date: Option<NaiveDate>,
}

/// The kind of party.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PartyKind {
    /// A natural person (公民).
    Individual,
    /// A legal person or other organisation (法人或者其他组织).
    Organization,
}

impl PartyKind {
    fn label_zh(self) -> &'static str {
        match self {
            Self::Individual => "公民",
            Self::Organization => "法人或者其他组织",
        }
    }
}

/// The penalty the officer proposes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProposedPenalty {
    /// Warning, fine or notice of criticism.
    pub kind: PenaltyKind,
    /// The fine in fen; required for a fine, refused otherwise.
    #[serde(default)]
    pub amount_fen: Option<i64>,
    /// The other kinds imposed together with `kind` (并处), e.g. a fine with
    /// `[{"kind": "warning"}, {"kind": "confiscate_illegal_property"}]`. A
    /// fine, if any, is always the main `kind` (it carries the amount).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub also: Vec<AdditionalPenalty>,
    /// The clause band (by id) the proposal uses; without it `assess` finds
    /// the band the proposal fits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub band: Option<String>,
}

/// A further kind of penalty imposed together with the main one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdditionalPenalty {
    /// The kind (any of 行政处罚法 Art. 9 as the clause names them).
    pub kind: SanctionKind,
    /// What exactly, e.g. `没收烧烤工具`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl ProposedPenalty {
    /// Every kind the proposal imposes: the main one first, then `also`.
    pub fn kinds(&self) -> Vec<SanctionKind> {
        let mut v = vec![self.kind.sanction()];
        for a in &self.also {
            if !v.contains(&a.kind) {
                v.push(a.kind);
            }
        }
        v
    }
}

/// Kinds of penalty the assessment knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PenaltyKind {
    /// 警告.
    Warning,
    /// 罚款.
    Fine,
    /// 通报批评: a penalty since 2021, never in the simple procedure.
    NoticeOfCriticism,
}

impl PenaltyKind {
    /// The same kind in the clause model.
    pub fn sanction(self) -> SanctionKind {
        match self {
            Self::Warning => SanctionKind::Warning,
            Self::Fine => SanctionKind::Fine,
            Self::NoticeOfCriticism => SanctionKind::NoticeOfCriticism,
        }
    }

    fn label_zh(self) -> &'static str {
        match self {
            Self::Warning => "警告",
            Self::Fine => "罚款",
            Self::NoticeOfCriticism => "通报批评",
        }
    }
}

// ---------------------------------------------------------------------------
// Output

/// What `zhifa assess` prints.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assessment {
    /// Every level of the matter, lightest first, with why it does or does
    /// not apply; empty without a matter.
    pub levels: Vec<LevelAssessment>,
    /// The code of the suggested level.
    pub suggested_level: Option<String>,
    /// The lawful fine range for this party (see the module docs); `null`
    /// without a matter, without a statutory range, or when barred.
    pub range: Option<FineRange>,
    /// The no-penalty case that applies (行政处罚法 Art. 33, Art. 31).
    pub exemption: Exemption,
    /// Age in completed years (周岁) on the violation date; `null` for an
    /// organisation or when the birth date is unknown.
    pub age_at_violation: Option<u32>,
    /// The minors rule that applies (Art. 30); `none` also when the age is
    /// unknown, which `age_at_violation: null` shows.
    pub minor: Minor,
    /// The limitation period (Art. 36) had run when the act was discovered
    /// (or, without a discovery date, by the decision date). `false` when
    /// neither date is given.
    pub limitation_expired: bool,
    /// Whether the decision may be made on the spot (Art. 51).
    pub simple_procedure: Allowance,
    /// Whether the officer may collect the fine on the spot (Art. 68–69).
    pub on_the_spot_collection: Allowance,
    /// Whether the party must be told of the right to a hearing (Art. 63).
    pub hearing_right: bool,
    /// Whether legal review (法制审核) must precede the decision (Art. 58).
    pub legal_review_required: bool,
    /// Last day to pay (Art. 67), from the service date.
    pub payment_due: Option<NaiveDate>,
    /// The late-payment surcharge in fen (Art. 72), when paid late.
    pub late_fee_fen: Option<i64>,
    /// The remedy clause the decision must print (行政复议法 2023).
    pub remedy_clause: String,
    /// Every problem found, each with a stable code.
    pub errors: Vec<Problem>,
    /// The bands of the matter's penalty clause for this party, with their
    /// preconditions, mandatory kinds and whether the case may use them.
    #[serde(default)]
    pub bands: Vec<BandAssessment>,
    /// The band the proposed penalty keeps to; `null` without a lawful proposal.
    #[serde(default)]
    pub band: Option<String>,
}

/// One discretion level and whether it applies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LevelAssessment {
    /// Level code, e.g. `L1`.
    pub code: String,
    /// Level name, e.g. `轻微`.
    pub name: String,
    /// Whether the level applies to this party and these circumstances.
    pub applies: bool,
    /// The level's circumstance codes that were given.
    pub matched: Vec<String>,
    /// The level's circumstance codes that were not given.
    pub missing: Vec<String>,
    /// A warning is among the level's penalties for this party kind.
    pub warning: bool,
    /// The level's fine for this party kind, as published.
    pub fine: Option<FineRange>,
    /// That fine clipped to the lawful range; `null` when nothing of it is lawful.
    pub lawful_fine: Option<FineRange>,
    /// Why it does or does not apply, in Chinese.
    pub reason: String,
}

/// The no-penalty case that applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Exemption {
    /// None applies.
    None,
    /// No penalty by law: minor, corrected promptly, no harm (Art. 33 ¶1),
    /// or the matter's 轻微免罚 conditions, or Art. 31 incapacity.
    Mandatory,
    /// No penalty at the agency's discretion: first violation, minor harm,
    /// corrected promptly (Art. 33 ¶1), or the matter's 首违不罚 conditions.
    Discretionary,
    /// No penalty: the party proved no fault (Art. 33 ¶2).
    NoFault,
}

/// The minors rule that applies (行政处罚法 Art. 30).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Minor {
    /// Adult, an organisation, or age unknown.
    None,
    /// Under 14: no penalty; the guardian is ordered to discipline the child.
    NoPenalty,
    /// 14 to under 18: the penalty shall be lighter or reduced.
    LighterOrReduced,
}

/// Whether something is allowed, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Allowance {
    /// Allowed or not.
    pub allowed: bool,
    /// The reason, in Chinese, citing the article.
    pub reason: String,
}

/// One problem in `errors`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// The stable code.
    pub code: String,
    /// The message, in Chinese.
    pub message: String,
}

impl<E: ErrorCode + std::fmt::Display> From<&E> for Problem {
    fn from(e: &E) -> Self {
        Self {
            code: e.code().to_owned(),
            message: e.to_string(),
        }
    }
}

/// Every problem [`assess`] can report.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AssessError {
    /// The party's ID number is invalid.
    #[error("当事人证件号码无效：{0}")]
    Identity(IdentityError),
    /// An individual gave a USCC or an organisation a citizen ID.
    #[error("当事人为{party}，但证件号码是{given}")]
    PartyIdKind {
        /// The party kind, in Chinese.
        party: &'static str,
        /// What the number is, in Chinese.
        given: &'static str,
    },
    /// The birth date given differs from the one in the ID number.
    #[error("出生日期{given}与身份证号码中的{from_id}不一致")]
    BirthDateMismatch {
        /// The birth date given.
        given: NaiveDate,
        /// The birth date in the ID number.
        from_id: NaiveDate,
    },
    /// The party was born after the violation date.
    #[error("出生日期{birth}晚于违法行为发生日{violation}")]
    BornAfterViolation {
        /// The birth date.
        birth: NaiveDate,
        /// The violation date.
        violation: NaiveDate,
    },
    /// A penalty is proposed for an individual whose age is unknown.
    #[error(
        "未提供当事人的身份证号码或出生日期，无法判断是否已满十四周岁、十八周岁（行政处罚法第三十条）"
    )]
    AgeUnknown,
    /// Two dates are in the wrong order.
    #[error("{later_name}（{later}）早于{earlier_name}（{earlier}）")]
    DateOrder {
        /// The name of the date that should come first.
        earlier_name: &'static str,
        /// Its value.
        earlier: NaiveDate,
        /// The name of the date that should come later.
        later_name: &'static str,
        /// Its value.
        later: NaiveDate,
    },
    /// The input names a matter the caller did not find.
    #[error("事项{code}在违法行为发生日不在有效的事项目录中")]
    MatterNotFound {
        /// The code asked for.
        code: String,
    },
    /// The caller passed a different matter from the one the input names.
    #[error("输入的事项{asked}与查到的事项{given}不一致")]
    MatterMismatch {
        /// The code in the input.
        asked: String,
        /// The code of the matter passed.
        given: String,
    },
    /// A circumstance code neither the law-level list nor the matter knows.
    #[error("未知的情形代码“{code}”")]
    UnknownCircumstance {
        /// The code given.
        code: String,
    },
    /// A day count failed.
    #[error("{0}")]
    Calendar(CalendarError),
    /// A penalty is proposed for a party under 14.
    #[error(
        "当事人违法时未满十四周岁（{age}周岁），不予行政处罚，责令监护人加以管教（行政处罚法第三十条）"
    )]
    MinorUnder14 {
        /// Age on the violation date.
        age: u32,
    },
    /// A penalty is proposed where the law says no penalty.
    #[error("依法不予行政处罚：{basis}；应当对当事人进行教育（第三十三条第三款）")]
    Exempt {
        /// The no-penalty ground with its article.
        basis: &'static str,
    },
    /// A penalty is proposed after the limitation period.
    #[error(
        "违法行为在{years}年内未被发现，不再给予行政处罚（行政处罚法第三十六条；期间最后一日为{last_day}）"
    )]
    LimitationExpired {
        /// The period in years.
        years: u32,
        /// Its last day.
        last_day: NaiveDate,
    },
    /// A fine without an amount.
    #[error("拟罚款但未填写罚款数额")]
    AmountMissing,
    /// A fine of zero or less.
    #[error("罚款数额必须大于零（填写为{amount_fen}分）")]
    AmountInvalid {
        /// The amount given.
        amount_fen: i64,
    },
    /// An amount with a penalty that is not a fine.
    #[error("{kind}不应填写罚款数额")]
    AmountUnexpected {
        /// The penalty kind, in Chinese.
        kind: &'static str,
    },
    /// A fine outside the lawful range.
    #[error("罚款{amount}不在{party}的法定幅度{min}至{max}之内，不得作出")]
    OutOfRange {
        /// The amount, formatted.
        amount: String,
        /// The party kind, in Chinese.
        party: &'static str,
        /// The range's minimum, formatted.
        min: String,
        /// The range's maximum, formatted.
        max: String,
    },
    /// A penalty kind the matter's 罚则 does not provide for this party.
    #[error("本事项未规定对{party}给予{kind}")]
    KindNotProvided {
        /// The penalty kind, in Chinese.
        kind: &'static str,
        /// The party kind, in Chinese.
        party: &'static str,
    },
    /// A fine on a matter with no statutory range for the party kind.
    #[error("本事项未载明对{party}的法定罚款幅度，无法核对罚款是否合法")]
    RangeUnknown {
        /// The party kind, in Chinese.
        party: &'static str,
    },
    /// A penalty off the suggested level without a written reason.
    #[error("拟作出的处罚不在建议裁量阶次（{level}）内，须填写偏离理由")]
    DeviationReasonRequired {
        /// The suggested level, or a note that none applies.
        level: String,
    },
    /// The suggested level's published fine exceeds the statutory range.
    #[error("裁量阶次{level}的罚款幅度超出法定幅度，事项目录数据有误，已按法定幅度截取")]
    LevelOutsideStatutory {
        /// The level code.
        level: String,
    },
    /// No district is known for the remedy clause.
    #[error("未指定区县，救济条款中的复议机关无法确定（行政复议法第二十四条）")]
    DistrictUnknown,
    /// `serious` attested without the facts that make the case serious.
    #[error("证明了“情节严重”，但未写明构成情节严重的事实")]
    SeriousFactsMissing,
    /// `not_corrected_by_deadline` attested before the deadline passed.
    #[error("责令改正期限{deadline}在决定日{decided}尚未届满，不能认定逾期未改正")]
    CorrectionDeadlineNotPassed {
        /// The deadline of the order to correct.
        deadline: NaiveDate,
        /// The decision date.
        decided: NaiveDate,
    },
    /// The proposal names a band the clause does not have for the party.
    #[error("罚则中没有适用于{party}的档次{band}")]
    BandUnknown {
        /// The band id given.
        band: String,
        /// The party kind, in Chinese.
        party: &'static str,
    },
    /// A fine where the clause fines only after an expired order to correct
    /// or a refusal to correct, which is not attested.
    #[error(
        "{article}规定责令改正后{needs}的方可罚款；本案未证明{needs}，不得罚款（行政处罚法第三十八条第一款：没有依据的行政处罚无效）"
    )]
    CorrectionOrderRequired {
        /// The clause's article.
        article: String,
        /// The missing preconditions, in Chinese.
        needs: String,
    },
    /// A band whose precondition is not attested.
    #[error("{article}的档次{band}以{needs}为前提，本案未证明，不得适用；偏离理由不能代替法定前提")]
    PreconditionNotAttested {
        /// The band, `id（name）`.
        band: String,
        /// The clause's article.
        article: String,
        /// The missing preconditions, in Chinese.
        needs: String,
    },
    /// A lighter band where the attested facts call for a heavier one.
    #[error("已证明档次{heavier}的前提，应依{article}适用该档次，不得适用档次{band}")]
    BandSuperseded {
        /// The band used.
        band: String,
        /// The band that applies.
        heavier: String,
        /// The clause's article.
        article: String,
    },
    /// A kind the clause's band does not impose.
    #[error("{article}未规定对{party}给予{kind}")]
    KindNotInClause {
        /// The penalty kind, in Chinese.
        kind: &'static str,
        /// The party kind, in Chinese.
        party: &'static str,
        /// The clause's article.
        article: String,
    },
    /// A mandatory (并处) kind dropped without an Art. 30/32 ground.
    #[error(
        "{article}规定应当并处{kind}，拟作出的处罚缺少{kind}；仅在依法从轻、减轻处罚时（行政处罚法第三十条、第三十二条）方可不并处"
    )]
    MandatoryKindMissing {
        /// The missing kind, in Chinese.
        kind: &'static str,
        /// The clause's article.
        article: String,
    },
    /// A fine not among the clause's fixed amounts.
    #[error("{article}规定的罚款数额为{allowed}，不得罚款{amount}")]
    AmountNotFixed {
        /// The amount, formatted.
        amount: String,
        /// The lawful amounts, formatted.
        allowed: String,
        /// The clause's article.
        article: String,
    },
    /// A multiple fine without the base.
    #[error("{article}按{base}的倍数罚款，须填写{base}数额")]
    BaseMissing {
        /// The base, in Chinese.
        base: &'static str,
        /// The clause's article.
        article: String,
    },
    /// Detention proposed: only the public security organs decide it.
    #[error("行政拘留由公安机关决定（行政处罚法第十八条第三款），乡镇（街道）不得作出")]
    DetentionNotTownship,
    /// A fine listed among the further kinds.
    #[error("罚款须作为主处罚种类填写（带罚款数额），不得列在并处种类中")]
    FineInAlso,
    /// The matter's format 1 data cannot be read as a clause.
    #[error("{0}")]
    Legacy(LegacyError),
}

impl ErrorCode for AssessError {
    fn code(&self) -> &'static str {
        match self {
            Self::Identity(e) => e.code(),
            Self::PartyIdKind { .. } => "PARTY_ID_KIND_MISMATCH",
            Self::BirthDateMismatch { .. } => "PARTY_BIRTH_DATE_MISMATCH",
            Self::BornAfterViolation { .. } => "PARTY_BORN_AFTER_VIOLATION",
            Self::AgeUnknown => "PARTY_AGE_UNKNOWN",
            Self::DateOrder { .. } => "DATE_ORDER",
            Self::MatterNotFound { .. } => "MATTER_NOT_FOUND",
            Self::MatterMismatch { .. } => "MATTER_MISMATCH",
            Self::UnknownCircumstance { .. } => "CIRCUMSTANCE_UNKNOWN",
            Self::Calendar(e) => e.code(),
            Self::MinorUnder14 { .. } => "PENALTY_MINOR_UNDER_14",
            Self::Exempt { .. } => "PENALTY_EXEMPT",
            Self::LimitationExpired { .. } => "PENALTY_LIMITATION_EXPIRED",
            Self::AmountMissing => "PENALTY_AMOUNT_MISSING",
            Self::AmountInvalid { .. } => "PENALTY_AMOUNT_INVALID",
            Self::AmountUnexpected { .. } => "PENALTY_AMOUNT_UNEXPECTED",
            Self::OutOfRange { .. } => "PENALTY_OUT_OF_RANGE",
            Self::KindNotProvided { .. } => "PENALTY_KIND_NOT_PROVIDED",
            Self::RangeUnknown { .. } => "PENALTY_RANGE_UNKNOWN",
            Self::DeviationReasonRequired { .. } => "DEVIATION_REASON_REQUIRED",
            Self::LevelOutsideStatutory { .. } => "LEVEL_OUTSIDE_STATUTORY",
            Self::DistrictUnknown => "DISTRICT_UNKNOWN",
            Self::SeriousFactsMissing => "PENALTY_SERIOUS_FACTS_MISSING",
            Self::CorrectionDeadlineNotPassed { .. } => "PENALTY_CORRECTION_DEADLINE_NOT_PASSED",
            Self::BandUnknown { .. } => "PENALTY_BAND_UNKNOWN",
            Self::CorrectionOrderRequired { .. } => "PENALTY_CORRECTION_ORDER_REQUIRED",
            Self::PreconditionNotAttested { .. } => "PENALTY_PRECONDITION_NOT_ATTESTED",
            Self::BandSuperseded { .. } => "PENALTY_BAND_SUPERSEDED",
            Self::KindNotInClause { .. } => "PENALTY_KIND_NOT_PROVIDED",
            Self::MandatoryKindMissing { .. } => "PENALTY_MANDATORY_KIND_MISSING",
            Self::AmountNotFixed { .. } => "PENALTY_AMOUNT_NOT_FIXED",
            Self::BaseMissing { .. } => "PENALTY_BASE_MISSING",
            Self::DetentionNotTownship => "PENALTY_DETENTION_NOT_TOWNSHIP",
            Self::FineInAlso => "PENALTY_FINE_IN_ALSO",
            Self::Legacy(e) => e.code(),
        }
    }
}

// ---------------------------------------------------------------------------
// The assessment

/// Assesses a case. `matter` and `calendar` are the ones in force on the
/// violation date (行政处罚法 Art. 37), looked up by the caller; `None`
/// when there is none. Pure: the same arguments always give the same result.
pub fn assess(
    input: &AssessInput,
    matter: Option<&Matter>,
    calendar: Option<&Calendar>,
    config: &RulesConfig,
) -> Assessment {
    let mut errors: Vec<AssessError> = Vec::new();
    check_date_order(input, &mut errors);
    let matter = resolve_matter(input, matter, &mut errors);
    let circ = Circumstances::new(&input.circumstances);
    check_circumstance_codes(&input.circumstances, matter, &mut errors);

    let kind = input.party.kind;
    let birth = party_birth_date(input, config, &mut errors);
    let age =
        birth.and_then(|b| age_on(b, input.violation_date, config.age_from_day_after_birthday));
    // 行政处罚法 Art. 30.
    let minor = match age {
        Some(a) if a < AGE_NO_PENALTY => Minor::NoPenalty,
        Some(a) if a < AGE_ADULT => Minor::LighterOrReduced,
        _ => Minor::None,
    };
    let exemption = exemption(&circ, matter);
    let limitation = limitation(input, &circ);
    let limitation_expired = limitation.is_some_and(|l| l.expired);
    let barred = minor == Minor::NoPenalty
        || matches!(exemption, Exemption::Mandatory | Exemption::NoFault)
        || limitation_expired;
    // Art. 30 (minors 14–17) and Art. 32: a lighter or reduced penalty is mandatory.
    let mitigated = minor == Minor::LighterOrReduced || ART_32.iter().any(|c| circ.has(c));

    // The penalty clause (罚则): the matter's own, or converted from format 1.
    let clause = matter.and_then(|m| match Clause::of(m) {
        Ok(c) => c,
        Err(e) => {
            errors.push(AssessError::Legacy(e));
            None
        }
    });
    let attested = bands::attested(input, &mut errors);
    let who = bands::party(kind);
    let band_views = clause
        .as_deref()
        .map(|c| bands::band_views(c, who, &attested, input.base_fen))
        .unwrap_or_default();
    // The statutory range: the fines of the bands the case may use.
    let statutory = bands::usable_range(&band_views);
    // A level may list a precondition code among its circumstances; the
    // attestation satisfies it.
    let level_codes: Vec<String> = input
        .circumstances
        .iter()
        .cloned()
        .chain(attested.iter().map(|p| p.as_str().to_owned()))
        .collect();
    let level_circ = Circumstances::new(&level_codes);
    let range = match statutory {
        _ if barred => None,
        Some(s) if mitigated => Some(lighter_range(s, config.lighter_upper_percent)),
        s => s,
    };

    let levels: Vec<LevelAssessment> = matter
        .map(|m| {
            m.levels
                .iter()
                .map(|l| level_assessment(l, kind, &level_circ, range, &band_views))
                .collect()
        })
        .unwrap_or_default();
    let sets_penalty = |i: usize| matter.is_some_and(|m| penalty_for(&m.levels[i], kind).is_some());
    let suggested = if barred {
        None
    } else {
        suggest(&levels, sets_penalty, mitigated)
    };
    let suggested_level = suggested.map(|i| &levels[i]);
    let suggested_penalty =
        suggested.and_then(|i| matter.and_then(|m| penalty_for(&m.levels[i], kind)));
    if let (Some(l), Some(s)) = (suggested_level, statutory)
        && l.fine
            .is_some_and(|f| !(s.contains(f.min_fen) && s.contains(f.max_fen)))
    {
        errors.push(AssessError::LevelOutsideStatutory {
            level: l.code.clone(),
        });
    }

    // The proposed fine, when it is a usable amount.
    let proposed = input.penalty.as_ref();
    let fine_fen = proposed.and_then(|p| match (p.kind, p.amount_fen) {
        (PenaltyKind::Fine, Some(a)) if a > 0 => Some(a),
        _ => None,
    });
    let lighter = |r: FineRange| lighter_range(r, config.lighter_upper_percent);
    let band = proposed.and_then(|p| {
        check_proposal(
            p,
            &Context {
                input,
                matter,
                kind,
                age,
                minor,
                exemption,
                limitation,
                mitigated,
                barred,
                clause: clause.as_deref(),
                attested: &attested,
                lighter: &lighter,
            },
            suggested_level,
            suggested_penalty,
            &mut errors,
        )
    });
    // Kinds the simple procedure cannot take (Art. 51): those proposed, and
    // the mandatory kinds of the band used (or, without one, of every band
    // the case may use).
    let heavy_kinds = bands::not_simple(
        proposed
            .map(ProposedPenalty::kinds)
            .unwrap_or_default()
            .into_iter()
            .chain(mandatory_kinds(
                &band_views,
                band.as_deref(),
                suggested_level,
                matter,
            )),
    );

    let traffic = matter.is_some_and(|m| is_entrusted_traffic(m, config));
    let simple_procedure = if !barred && !heavy_kinds.is_empty() {
        allowance(
            false,
            format!(
                "{}不适用简易程序，适用普通程序（行政处罚法第五十一条：当场只能作出警告或者罚款）",
                heavy_kinds
                    .iter()
                    .map(|k| k.label_zh())
                    .collect::<Vec<_>>()
                    .join("、")
            ),
        )
    } else {
        simple_procedure(
            proposed,
            fine_fen,
            kind,
            traffic,
            barred,
            &circ,
            suggested_level,
        )
    };
    let on_the_spot_collection = on_the_spot(fine_fen, barred, &simple_procedure, &circ);
    let hearing_right = !barred
        && hearing(
            fine_fen,
            proposed.is_some(),
            kind,
            suggested_level,
            suggested_penalty,
            config,
        );
    let legal_review_required = !barred
        && !simple_procedure.allowed
        && (circ.has("major_public_interest")
            || circ.has("complex_case")
            || hearing_right
            || (config.legal_review_every_normal_procedure
                && (proposed.is_some() || suggested.is_some())));

    // 行政处罚法 Art. 67: 15 days from service; the start day is not counted.
    let payment_due = match (fine_fen, input.served_date) {
        (Some(_), Some(served)) if !barred => {
            match period_end(
                calendar,
                served,
                PAYMENT_DAYS,
                config.roll_period_end_off_rest_day,
            ) {
                Ok(d) => Some(d),
                Err(e) => {
                    errors.push(AssessError::Calendar(e));
                    None
                }
            }
        }
        _ => None,
    };
    let late_fee_fen = match (fine_fen, payment_due, input.paid_date) {
        (Some(fine), Some(due), Some(paid)) => {
            Some(late_fee(fine, due, paid, input.remedy_pending))
        }
        _ => None,
    };

    let district = input.district.as_deref().or(config.district.as_deref());
    if district.is_none() && proposed.is_some() {
        errors.push(AssessError::DistrictUnknown);
    }
    let remedy_clause = remedy_clause(simple_procedure.allowed, district, config.court.as_deref());

    Assessment {
        suggested_level: suggested_level.map(|l| l.code.clone()),
        levels,
        range,
        exemption,
        age_at_violation: age,
        minor,
        limitation_expired,
        simple_procedure,
        on_the_spot_collection,
        hearing_right,
        legal_review_required,
        payment_due,
        late_fee_fen,
        remedy_clause,
        errors: errors.iter().map(Problem::from).collect(),
        bands: band_views,
        band,
    }
}

/// The mandatory kinds that bind the decision: of the band the proposal
/// used; else of the suggested level's band; else those every usable band
/// shares.
fn mandatory_kinds(
    views: &[BandAssessment],
    used: Option<&str>,
    suggested: Option<&LevelAssessment>,
    matter: Option<&Matter>,
) -> Vec<SanctionKind> {
    let level_band = suggested.and_then(|l| {
        matter
            .and_then(|m| m.levels.iter().find(|x| x.code == l.code))
            .and_then(|x| x.band.as_deref())
    });
    if let Some(id) = used.or(level_band) {
        return views
            .iter()
            .find(|v| v.id == id)
            .map(|v| v.mandatory.clone())
            .unwrap_or_default();
    }
    let mut usable = views.iter().filter(|v| v.usable);
    let Some(first) = usable.next() else {
        return Vec::new();
    };
    let mut common = first.mandatory.clone();
    for v in usable {
        common.retain(|k| v.mandatory.contains(k));
    }
    common
}

/// The circumstance codes given, for lookups.
struct Circumstances<'a>(&'a [String]);

impl<'a> Circumstances<'a> {
    fn new(codes: &'a [String]) -> Self {
        Self(codes)
    }

    fn has(&self, code: &str) -> bool {
        self.0.iter().any(|c| c == code)
    }

    fn all(&self, codes: &[String]) -> bool {
        codes.iter().all(|c| self.has(c))
    }
}

/// The facts [`check_proposal`] needs.
struct Context<'a> {
    input: &'a AssessInput,
    matter: Option<&'a Matter>,
    kind: PartyKind,
    age: Option<u32>,
    minor: Minor,
    exemption: Exemption,
    limitation: Option<Limitation>,
    mitigated: bool,
    barred: bool,
    clause: Option<&'a Clause>,
    attested: &'a std::collections::BTreeSet<Precondition>,
    lighter: &'a dyn Fn(FineRange) -> FineRange,
}

fn check_date_order(input: &AssessInput, errors: &mut Vec<AssessError>) {
    let v = input.violation_date;
    let pairs = [
        (
            "违法行为发生日",
            Some(v),
            "违法行为终了日",
            input.violation_end_date,
        ),
        ("违法行为发生日", Some(v), "发现日", input.discovered_date),
        ("违法行为发生日", Some(v), "决定日", input.decision_date),
        ("决定日", input.decision_date, "送达日", input.served_date),
        ("决定日", input.decision_date, "缴款日", input.paid_date),
    ];
    for (earlier_name, earlier, later_name, later) in pairs {
        if let (Some(earlier), Some(later)) = (earlier, later)
            && later < earlier
        {
            errors.push(AssessError::DateOrder {
                earlier_name,
                earlier,
                later_name,
                later,
            });
        }
    }
}

fn resolve_matter<'a>(
    input: &AssessInput,
    matter: Option<&'a Matter>,
    errors: &mut Vec<AssessError>,
) -> Option<&'a Matter> {
    match (input.matter.as_deref(), matter) {
        (Some(code), None) => {
            errors.push(AssessError::MatterNotFound {
                code: code.to_owned(),
            });
            None
        }
        (Some(code), Some(m)) if m.code != code => {
            errors.push(AssessError::MatterMismatch {
                asked: code.to_owned(),
                given: m.code.clone(),
            });
            None
        }
        (_, m) => m,
    }
}

fn check_circumstance_codes(
    codes: &[String],
    matter: Option<&Matter>,
    errors: &mut Vec<AssessError>,
) {
    for code in codes {
        let law = LAW_CIRCUMSTANCES.iter().any(|(c, _)| c == code);
        let own = matter.is_some_and(|m| {
            m.levels.iter().any(|l| l.circumstances.contains(code))
                || [&m.first_violation, &m.minor_violation]
                    .into_iter()
                    .flatten()
                    .any(|r| r.circumstances.contains(code))
        });
        if !law && !own {
            errors.push(AssessError::UnknownCircumstance { code: code.clone() });
        }
    }
}

/// The party's birth date from the ID number and/or the birth date given.
fn party_birth_date(
    input: &AssessInput,
    config: &RulesConfig,
    errors: &mut Vec<AssessError>,
) -> Option<NaiveDate> {
    let party = &input.party;
    let opts = IdOptions::from_config(config, None);
    let from_id = match (party.kind, party.id_number.as_deref()) {
        (_, None) => None,
        (PartyKind::Individual, Some(n)) => match parse_citizen_id(n, &opts) {
            Ok(id) => Some(id.birth_date),
            Err(e) => {
                errors.push(if parse_uscc(n).is_ok() {
                    AssessError::PartyIdKind {
                        party: "公民",
                        given: "统一社会信用代码",
                    }
                } else {
                    AssessError::Identity(e)
                });
                None
            }
        },
        (PartyKind::Organization, Some(n)) => {
            if let Err(e) = parse_uscc(n) {
                errors.push(if parse_citizen_id(n, &opts).is_ok() {
                    AssessError::PartyIdKind {
                        party: "法人或者其他组织",
                        given: "居民身份证号码",
                    }
                } else {
                    AssessError::Identity(e)
                });
            }
            None
        }
    };
    if party.kind == PartyKind::Organization {
        return None;
    }
    let birth = match (from_id, party.birth_date) {
        (Some(id), Some(given)) if id != given => {
            errors.push(AssessError::BirthDateMismatch { given, from_id: id });
            Some(id)
        }
        (id, given) => id.or(given),
    };
    match birth {
        Some(b) if b > input.violation_date => {
            errors.push(AssessError::BornAfterViolation {
                birth: b,
                violation: input.violation_date,
            });
            None
        }
        b => b,
    }
}

/// Age in completed years (周岁) on `on`. The birthday in a year without
/// 29 February is 28 February (民法典 Art. 202: a period with no matching
/// day ends on the month's last day; applied to birthdays ❓). With
/// `day_after`, the new age starts the day after the birthday.
pub fn age_on(birth: NaiveDate, on: NaiveDate, day_after: bool) -> Option<u32> {
    if on < birth {
        return None;
    }
    let mut years = u32::try_from(on.year() - birth.year()).ok()?;
    let anniversary = birth
        .with_year(on.year())
        .or_else(|| NaiveDate::from_ymd_opt(on.year(), 2, 28))?;
    if on < anniversary || (day_after && on == anniversary) {
        years = years.saturating_sub(1);
    }
    Some(years)
}

/// The no-penalty case (行政处罚法 Art. 31, 33), strongest first.
fn exemption(circ: &Circumstances<'_>, matter: Option<&Matter>) -> Exemption {
    let rule_holds = |r: &Option<ExemptionRule>| {
        r.as_ref()
            .is_some_and(|r| !r.circumstances.is_empty() && circ.all(&r.circumstances))
    };
    // Art. 33 ¶2: proven absence of fault.
    if circ.has("no_fault") {
        Exemption::NoFault
    // Art. 33 ¶1 first sentence: minor, corrected promptly, no harm;
    // Art. 31: incapacity; or the matter's 轻微免罚 list conditions.
    } else if (circ.has("minor_violation") && circ.has("corrected_promptly") && circ.has("no_harm"))
        || circ.has("mental_incapacity")
        || matter.is_some_and(|m| rule_holds(&m.minor_violation))
    {
        Exemption::Mandatory
    // Art. 33 ¶1 second sentence: first violation, minor harm, corrected
    // promptly — "可以不予"; or the matter's 首违不罚 list conditions.
    } else if (circ.has("first_violation")
        && circ.has("minor_harm")
        && circ.has("corrected_promptly"))
        || matter.is_some_and(|m| rule_holds(&m.first_violation))
    {
        Exemption::Discretionary
    } else {
        Exemption::None
    }
}

/// The limitation period and whether it ran out.
#[derive(Debug, Clone, Copy)]
struct Limitation {
    years: u32,
    last_day: NaiveDate,
    expired: bool,
}

/// 行政处罚法 Art. 36: 2 years (5 where life, health or financial safety
/// was endangered with harm), from the act or, for a continuous act, from
/// its end; the start day is not counted, so the last day is the same date
/// 2 (or 5) years on, or 28 February for 29 February (民法典 Art. 202).
/// Measured to the discovery date, else the decision date.
fn limitation(input: &AssessInput, circ: &Circumstances<'_>) -> Option<Limitation> {
    let start = input
        .violation_end_date
        .unwrap_or(input.violation_date)
        .max(input.violation_date);
    let reference = input.discovered_date.or(input.decision_date)?;
    let years = if circ.has("endangers_life_health_or_financial_safety_with_harm") {
        LIMITATION_YEARS_EXTENDED
    } else {
        LIMITATION_YEARS
    };
    let last_day = start
        .checked_add_months(Months::new(12 * years))
        .unwrap_or(NaiveDate::MAX);
    Some(Limitation {
        years,
        last_day,
        expired: reference > last_day,
    })
}

/// The lawful range where a lighter or reduced penalty is mandatory: from 0
/// (减轻 may go below the statutory minimum) to the statutory minimum plus
/// `percent` % of the span, rounded down to the fen (从轻).
fn lighter_range(s: FineRange, percent: u32) -> FineRange {
    let span = s.max_fen.saturating_sub(s.min_fen).max(0);
    let upper = s
        .min_fen
        .saturating_add(percent_floor(span, i64::from(percent.min(100))));
    FineRange {
        min_fen: 0,
        max_fen: upper.min(s.max_fen),
    }
}

/// `percent` % of `fen`, rounded down to the fen (towards zero), in 128-bit
/// integers so no product overflows, saturated back to `i64`.
fn percent_floor(fen: i64, percent: i64) -> i64 {
    let v = i128::from(fen) * i128::from(percent) / 100;
    i64::try_from(v).unwrap_or(if v < 0 { i64::MIN } else { i64::MAX })
}

fn intersect(a: FineRange, b: FineRange) -> Option<FineRange> {
    let r = FineRange {
        min_fen: a.min_fen.max(b.min_fen),
        max_fen: a.max_fen.min(b.max_fen),
    };
    (r.min_fen <= r.max_fen).then_some(r)
}

fn penalty_for(level: &DiscretionLevel, kind: PartyKind) -> Option<&LevelPenalty> {
    match kind {
        PartyKind::Individual => level.individual.as_ref(),
        PartyKind::Organization => level.organization.as_ref(),
    }
}

fn level_assessment(
    level: &DiscretionLevel,
    kind: PartyKind,
    circ: &Circumstances<'_>,
    range: Option<FineRange>,
    band_views: &[BandAssessment],
) -> LevelAssessment {
    // A level in a band the case may not use does not apply.
    let blocked = level
        .band
        .as_deref()
        .and_then(|id| band_views.iter().find(|b| b.id == id))
        .filter(|b| !b.usable);
    let (matched, missing): (Vec<String>, Vec<String>) = level
        .circumstances
        .iter()
        .cloned()
        .partition(|c| circ.has(c));
    let penalty = penalty_for(level, kind);
    let applies = penalty.is_some() && missing.is_empty() && blocked.is_none();
    let fine = penalty.and_then(|p| p.fine);
    let lawful_fine = match (fine, range) {
        (Some(f), Some(r)) => intersect(f, r),
        _ => None,
    };
    let reason = if penalty.is_none() {
        format!("本阶次未规定对{}的处罚", kind.label_zh())
    } else if let Some(b) = blocked {
        format!("所属罚则档次{}（{}）：{}", b.id, b.name, b.reason)
    } else if !missing.is_empty() {
        format!("缺少情形：{}", missing.join("、"))
    } else if matched.is_empty() {
        "本阶次未列适用情形，一般情况适用".to_owned()
    } else {
        format!("适用情形均已具备：{}", matched.join("、"))
    };
    LevelAssessment {
        code: level.code.clone(),
        name: level.name.clone(),
        applies,
        matched,
        missing,
        warning: penalty.is_some_and(|p| p.warning),
        fine,
        lawful_fine,
        reason,
    }
}

/// The index of the suggested level (see the module docs). `sets_penalty`
/// tells whether level `i` sets any penalty for the party kind.
fn suggest(
    levels: &[LevelAssessment],
    sets_penalty: impl Fn(usize) -> bool,
    mitigated: bool,
) -> Option<usize> {
    // A level can be suggested only if some penalty of it is lawful: a
    // warning, or a fine that overlaps the lawful range (or no fine at all,
    // when only other penalties are listed).
    let eligible = |l: &LevelAssessment| l.warning || l.fine.is_none() || l.lawful_fine.is_some();
    let mut best: Option<usize> = None;
    for (i, l) in levels.iter().enumerate() {
        // Strictly more matched circumstances wins, so a tie keeps the lighter level.
        if l.applies
            && eligible(l)
            && best.is_none_or(|b| l.matched.len() > levels[b].matched.len())
        {
            best = Some(i);
        }
    }
    if best.is_none() && mitigated {
        // 从轻或者减轻 (Art. 30, 32): the lightest level with a lawful penalty.
        best = levels
            .iter()
            .enumerate()
            .position(|(i, l)| sets_penalty(i) && eligible(l));
    }
    best
}

fn check_proposal(
    p: &ProposedPenalty,
    cx: &Context<'_>,
    suggested: Option<&LevelAssessment>,
    suggested_penalty: Option<&LevelPenalty>,
    errors: &mut Vec<AssessError>,
) -> Option<String> {
    let party = cx.kind.label_zh();
    // Bars first: each one that holds is reported.
    if cx.minor == Minor::NoPenalty {
        errors.push(AssessError::MinorUnder14 {
            age: cx.age.unwrap_or(0),
        });
    }
    match cx.exemption {
        // Art. 31 and Art. 33 ¶1 are different grounds; name the one that holds (F9).
        Exemption::Mandatory if cx.input.circumstances.iter().any(|c| c == "mental_incapacity") => {
            errors.push(AssessError::Exempt {
                basis: "精神病人、智力残疾人在不能辨认或者不能控制自己行为时有违法行为（第三十一条）",
            })
        }
        Exemption::Mandatory => errors.push(AssessError::Exempt {
            basis: "违法行为轻微并及时改正，没有造成危害后果，或符合本事项轻微免罚清单的条件（第三十三条第一款）",
        }),
        Exemption::NoFault => {
            errors.push(AssessError::Exempt { basis: "当事人有证据足以证明没有主观过错（第三十三条第二款）" })
        }
        Exemption::None | Exemption::Discretionary => {}
    }
    if let Some(l) = cx.limitation.filter(|l| l.expired) {
        errors.push(AssessError::LimitationExpired {
            years: l.years,
            last_day: l.last_day,
        });
    }
    if cx.kind == PartyKind::Individual
        && cx.age.is_none()
        && cx.input.party.birth_date.is_none()
        && cx.input.party.id_number.is_none()
    {
        errors.push(AssessError::AgeUnknown);
    }

    // 行政处罚法 Art. 18 ¶3: detention only by the public security organs.
    if p.kinds().contains(&SanctionKind::Detention) {
        errors.push(AssessError::DetentionNotTownship);
    }
    if p.also.iter().any(|a| a.kind == SanctionKind::Fine) {
        errors.push(AssessError::FineInAlso);
        return None;
    }
    // The amount must fit the kind.
    let amount = match (p.kind, p.amount_fen) {
        (PenaltyKind::Fine, None) => {
            errors.push(AssessError::AmountMissing);
            return None;
        }
        (PenaltyKind::Fine, Some(a)) if a <= 0 => {
            errors.push(AssessError::AmountInvalid { amount_fen: a });
            return None;
        }
        (PenaltyKind::Fine, Some(a)) => Some(a),
        (k, Some(_)) => {
            errors.push(AssessError::AmountUnexpected { kind: k.label_zh() });
            return None;
        }
        (_, None) => None,
    };

    let Some(matter) = cx.matter else {
        // Without a matter only the law-level rules apply.
        return None;
    };
    if cx.barred {
        // Reported above; no range or level to check against.
        return None;
    }

    // Lawfulness: the proposal must keep to a band of the 罚则 the case may use.
    let Some(clause) = cx.clause else {
        errors.push(match p.kind {
            PenaltyKind::Fine => AssessError::RangeUnknown { party },
            k => AssessError::KindNotProvided {
                kind: k.label_zh(),
                party,
            },
        });
        return None;
    };
    let cite = |b: &crate::catalogue::model::Band| band_citation(matter, b);
    let band = match bands::check(
        p,
        &ClauseCx {
            clause,
            who: bands::party(cx.kind),
            party_zh: party,
            attested: cx.attested,
            base_fen: cx.input.base_fen,
            mitigated: cx.mitigated,
            lighter: cx.lighter,
            cite: &cite,
        },
    ) {
        Ok(b) => b,
        Err(e) => {
            errors.extend(e);
            return None;
        }
    };

    // Discretion: off the suggested level needs a written reason.
    let on_level = match (suggested, suggested_penalty) {
        (Some(l), Some(sp)) => match p.kind {
            PenaltyKind::Fine => {
                amount.is_some_and(|a| l.lawful_fine.or(l.fine).is_some_and(|f| f.contains(a)))
            }
            PenaltyKind::Warning => sp.warning,
            PenaltyKind::NoticeOfCriticism => {
                sp.other.iter().any(|o| o.contains(NOTICE_OF_CRITICISM))
            }
        },
        _ => false,
    };
    let has_reason = cx
        .input
        .deviation_reason
        .as_deref()
        .is_some_and(|r| !r.trim().is_empty());
    if !on_level && !has_reason {
        let level = suggested.map_or_else(
            || "无适用阶次".to_owned(),
            |l| format!("{} {}", l.code, l.name),
        );
        errors.push(AssessError::DeviationReasonRequired { level });
    }
    Some(band)
}

/// The article a band is in, as the band cites it; a format 1 matter's
/// converted band names the matter and its 罚则 provision id instead.
fn band_citation(matter: &Matter, band: &crate::catalogue::model::Band) -> String {
    band.article
        .clone()
        .unwrap_or_else(|| format!("事项{}罚则（{}）", matter.code, band.provision))
}

/// Whether a matter is an entrusted road-traffic matter (道路交通安全法 Art. 107).
fn is_entrusted_traffic(m: &Matter, config: &RulesConfig) -> bool {
    m.kind == MatterKind::Entrusted
        && config
            .traffic_domain_markers
            .iter()
            .any(|t| m.domain.contains(t.as_str()))
}

fn allowance(allowed: bool, reason: String) -> Allowance {
    Allowance { allowed, reason }
}

/// 行政处罚法 Art. 51 (and 道路交通安全法 Art. 107 for entrusted traffic
/// matters): warning, or a fine up to the limit inclusive; never 通报批评.
fn simple_procedure(
    proposed: Option<&ProposedPenalty>,
    fine_fen: Option<i64>,
    kind: PartyKind,
    traffic: bool,
    barred: bool,
    circ: &Circumstances<'_>,
    suggested: Option<&LevelAssessment>,
) -> Allowance {
    let (limit, basis) = match (traffic, kind) {
        (true, _) => (SIMPLE_LIMIT_TRAFFIC_FEN, "道路交通安全法第一百零七条"),
        (false, PartyKind::Individual) => (SIMPLE_LIMIT_INDIVIDUAL_FEN, "行政处罚法第五十一条"),
        (false, PartyKind::Organization) => (SIMPLE_LIMIT_ORGANIZATION_FEN, "行政处罚法第五十一条"),
    };
    let who = if traffic {
        "道路交通违法行为人"
    } else {
        kind.label_zh()
    };
    const PREMISE: &str = "以违法事实确凿并有法定依据为前提";
    if barred {
        return allowance(false, "依法不予行政处罚，不作出处罚决定".to_owned());
    }
    if circ.has("major_public_interest") || circ.has("complex_case") {
        return allowance(
            false,
            "涉及重大公共利益或案情疑难复杂，须经法制审核，适用普通程序（行政处罚法第五十八条）"
                .to_owned(),
        );
    }
    match proposed.map(|p| p.kind) {
        Some(PenaltyKind::NoticeOfCriticism) => allowance(
            false,
            "通报批评不适用简易程序，适用普通程序（行政处罚法第五十一条）".to_owned(),
        ),
        Some(PenaltyKind::Warning) => {
            allowance(true, format!("警告可以当场作出（{basis}；{PREMISE}）"))
        }
        Some(PenaltyKind::Fine) => match fine_fen {
            Some(a) if a <= limit => allowance(
                true,
                format!(
                    "罚款{}未超过对{who}{}的上限，可以当场作出（{basis}；{PREMISE}）",
                    yuan(a),
                    yuan(limit)
                ),
            ),
            Some(a) => allowance(
                false,
                format!(
                    "罚款{}超过对{who}当场处罚{}的上限，适用普通程序（{basis}）",
                    yuan(a),
                    yuan(limit)
                ),
            ),
            None => allowance(false, "罚款数额缺失或无效，无法判断".to_owned()),
        },
        None => match suggested {
            Some(l) if l.warning => allowance(
                true,
                format!(
                    "建议阶次{}含警告，可以当场作出（{basis}；{PREMISE}）",
                    l.code
                ),
            ),
            Some(l) => match l.lawful_fine.or(l.fine) {
                Some(f) if f.min_fen <= limit => allowance(
                    true,
                    format!(
                        "建议阶次{}的罚款下限{}未超过{}，可以当场作出，但罚款不得超过{}（{basis}；{PREMISE}）",
                        l.code,
                        yuan(f.min_fen),
                        yuan(limit),
                        yuan(limit)
                    ),
                ),
                Some(f) => allowance(
                    false,
                    format!(
                        "建议阶次{}的罚款下限{}超过{}，适用普通程序（{basis}）",
                        l.code,
                        yuan(f.min_fen),
                        yuan(limit)
                    ),
                ),
                None => allowance(
                    false,
                    format!("建议阶次{}无警告或罚款，适用普通程序（{basis}）", l.code),
                ),
            },
            None => allowance(false, "未拟定处罚且无建议阶次，无法判断".to_owned()),
        },
    }
}

/// 行政处罚法 Art. 68–69.
fn on_the_spot(
    fine_fen: Option<i64>,
    barred: bool,
    simple: &Allowance,
    circ: &Circumstances<'_>,
) -> Allowance {
    let Some(a) = fine_fen.filter(|_| !barred) else {
        return allowance(false, "仅对依法作出的罚款决定可以当场收缴".to_owned());
    };
    // Art. 69: remote, waterborne or poorly connected area, paying at a bank
    // or electronically is genuinely difficult, and the party asks; after a
    // decision under Art. 51 *or* Art. 57, so not only in the simple procedure.
    if circ.has("remote_area") && circ.has("party_requests_on_the_spot_payment") {
        return allowance(true, "边远、水上、交通不便地区，当事人提出当场缴纳（行政处罚法第六十九条）；须出具财政部门统一制发的专用票据（第七十条）".to_owned());
    }
    if !simple.allowed {
        return allowance(false, "当场收缴限于适用简易程序的罚款（行政处罚法第六十八条），或边远地区当事人提出（第六十九条）".to_owned());
    }
    // Art. 68(一) ≤ 100 元 inclusive; (二) hard to enforce later.
    if a <= ON_THE_SPOT_LIMIT_FEN {
        allowance(
            true,
            format!(
                "罚款{}未超过{}（行政处罚法第六十八条第一项）；须出具专用票据（第七十条）",
                yuan(a),
                yuan(ON_THE_SPOT_LIMIT_FEN)
            ),
        )
    } else if circ.has("hard_to_collect_later") {
        allowance(
            true,
            "不当场收缴事后难以执行（行政处罚法第六十八条第二项）；须出具专用票据（第七十条）"
                .to_owned(),
        )
    } else {
        allowance(
            false,
            format!(
                "罚款{}超过{}且无事后难以执行等情形，应到指定银行或通过电子支付系统缴纳（行政处罚法第六十七条、第六十八条）",
                yuan(a),
                yuan(ON_THE_SPOT_LIMIT_FEN)
            ),
        )
    }
}

/// 行政处罚法 Art. 63 with the configured Chongqing thresholds (渝府令第354号, 🟡).
fn hearing(
    fine_fen: Option<i64>,
    proposed: bool,
    kind: PartyKind,
    suggested: Option<&LevelAssessment>,
    suggested_penalty: Option<&LevelPenalty>,
    config: &RulesConfig,
) -> bool {
    let threshold = match kind {
        PartyKind::Individual => config.hearing_threshold_individual_fen,
        PartyKind::Organization => config.hearing_threshold_organization_fen,
    };
    // Without a proposal, the hearing right is certain only if every fine
    // of the suggested level reaches the threshold.
    let amount = if proposed {
        fine_fen
    } else {
        suggested
            .and_then(|l| l.lawful_fine.or(l.fine))
            .map(|f| f.min_fen)
    };
    let heavy = suggested_penalty.is_some_and(|p| {
        p.other.iter().any(|o| {
            config
                .hearing_penalty_keywords
                .iter()
                .any(|k| o.contains(k.as_str()))
        })
    });
    amount.is_some_and(|a| a >= threshold) || heavy
}

/// 行政处罚法 Art. 72(一): 3 % of the fine per day after the due date, at
/// most the fine; Art. 73 ¶3: none while reconsideration or litigation is
/// pending. Rounded down to the fen. `paid` is the day paid, or the day
/// the surcharge is counted to while the fine is still unpaid.
pub fn late_fee(fine: i64, due: NaiveDate, paid: NaiveDate, remedy_pending: bool) -> i64 {
    if remedy_pending {
        return 0;
    }
    let days = (paid - due).num_days().max(0);
    percent_floor(fine, LATE_FEE_PERCENT_PER_DAY.saturating_mul(days)).min(fine)
}

/// The remedy clause the decision prints.
///
/// On the spot (simple procedure): reconsideration first (行政复议法 2023
/// Art. 23 ¶1(一), and Art. 23 ¶2 says the party must be told), within 60
/// days (Art. 20), by the district/county government (Art. 24), then suit
/// within 15 days of the reconsideration decision (行政诉讼法 Art. 45).
/// Otherwise: reconsideration within 60 days or suit within 6 months
/// (行政诉讼法 Art. 46). Either way, a remedy does not suspend enforcement
/// (行政处罚法 Art. 73).
fn remedy_clause(on_the_spot: bool, district: Option<&str>, court: Option<&str>) -> String {
    let body = match district {
        Some(d) => format!("{d}人民政府"),
        None => "××区（县）人民政府".to_owned(),
    };
    if on_the_spot {
        format!(
            "当事人对本当场行政处罚决定不服的，应当先申请行政复议：可以自收到本决定书之日起六十日内向{body}申请行政复议；\
             对行政复议决定不服的，可以自收到行政复议决定书之日起十五日内依法向人民法院提起行政诉讼。\
             行政复议或者行政诉讼期间，本决定不停止执行。"
        )
    } else {
        let court = court.unwrap_or("人民法院");
        format!(
            "当事人如不服本决定，可以自收到本决定书之日起六十日内向{body}申请行政复议，\
             也可以自收到本决定书之日起六个月内依法向{court}提起行政诉讼。\
             行政复议或者行政诉讼期间，本决定不停止执行。"
        )
    }
}
