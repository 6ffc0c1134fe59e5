//! The deadline engine: every clock of the normal procedure with its start
//! event, length, day type and article, computed on the township's
//! official working-day calendar.
//!
//! Counting rules (docs/law/procedure-and-remedies.md):
//!
//! - the start day is not counted (民法典 Art. 201 ¶1; 民事诉讼法 Art. 85
//!   ¶2);
//! - "二日""三日""五日""七日" of 行政处罚法 are working days, not counting
//!   statutory holidays (行政处罚法 Art. 85), as are periods of ten days or
//!   less of 行政强制法 (行政强制法 Art. 69): a working-day period ends on
//!   its n-th working day after the start, so never on a rest day;
//! - other periods are calendar days; a period counted in months ends on
//!   the corresponding day of the last month, or that month's last day
//!   (民法典 Art. 202);
//! - a calendar period whose last day is a rest day ends on the next
//!   working day (民法典 Art. 203 ¶1; 民事诉讼法 Art. 85 ¶3). Applying
//!   the civil rule to the agency's own periods is ❓, so it is the
//!   township's `roll_calendar_periods` (default on).
//!
//! The calendar is a [`WorkCalendar`]: the catalogue's [`Calendar`] on the
//! device, or whatever calendar the server holds. A count that leaves the
//! calendar's span is an error, never a guess; a count that crosses a year
//! the catalogue marks `estimated` (derived before the State Council's
//! notice) is returned with `estimated: true`, to be shown as such.

use chrono::{Datelike, Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use super::config::ProcedureConfig;
use crate::catalogue::model::Calendar;
use crate::rules::calendar::{self as cal, CalendarError};

/// A working-day calendar: which days are working days, and which years
/// rest on an estimate.
pub trait WorkCalendar {
    /// Whether `date` is a working day; an error outside the calendar.
    fn is_working_day(&self, date: NaiveDate) -> Result<bool, CalendarError>;
    /// Whether `year` is an estimated (not yet published) schedule.
    fn year_estimated(&self, year: i32) -> bool;
}

impl WorkCalendar for Calendar {
    fn is_working_day(&self, date: NaiveDate) -> Result<bool, CalendarError> {
        cal::is_working_day(self, date)
    }

    fn year_estimated(&self, year: i32) -> bool {
        Calendar::year_estimated(self, year)
    }
}

/// How a period is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayType {
    /// Working days (行政处罚法 Art. 85, 行政强制法 Art. 69).
    WorkingDays,
    /// Calendar days.
    CalendarDays,
    /// Calendar months (民法典 Art. 202).
    Months,
}

impl DayType {
    /// The unit in Chinese.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::WorkingDays => "工作日",
            Self::CalendarDays => "日（自然日）",
            Self::Months => "个月",
        }
    }
}

/// Whether a clock is a last day to act (`deadline`) or a first day on
/// which the next step may be taken (`waiting`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockSense {
    /// The act must be done by the due day.
    Deadline,
    /// The next step may not be taken before the due day has passed.
    Waiting,
}

/// Every clock of the normal procedure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockKind {
    /// 立案 after 发现 (行政处罚法 Art. 54 ¶2, configured).
    Filing,
    /// The decision within 90 days of 立案 (Art. 60).
    Decision,
    /// 先行登记保存: a 处理决定 within 7 working days (Art. 56 + 85).
    RegistrationSave,
    /// 查封扣押: 30 days (行政强制法 Art. 25 ¶1).
    Seizure,
    /// 陈述申辩 after the 事先告知 (configured; Art. 44, 45).
    Statement,
    /// The hearing request within 5 working days of the 告知 (Art. 64(一)).
    HearingRequest,
    /// The hearing notice at least 7 working days before the hearing
    /// (Art. 64(二)); due = the last day the notice may go out.
    HearingNotice,
    /// 法制审核 turnaround (configured; Art. 58).
    LegalReview,
    /// Service of the decision within 7 working days (Art. 61 + 85).
    Service,
    /// 公示 of the decision (国办发〔2018〕118号, configured).
    Publication,
    /// Withdrawal of a published decision within 3 working days (Art. 48 ¶2).
    PublicationWithdrawal,
    /// Payment within 15 days of receiving the decision (Art. 67 ¶3).
    Payment,
    /// 加处罚款 reaches its cap (Art. 72(一): 3 % a day, never more than the
    /// fine: the 34th day after the due day).
    Surcharge,
    /// After the 催告书 is served, 10 working days before the court
    /// application (行政强制法 Art. 54 + 69, Art. 35).
    Reminder,
    /// The court application within 3 months of the end of the remedy
    /// periods (行政强制法 Art. 53; 行政处罚法 Art. 72 ¶2).
    CourtApplication,
}

impl ClockKind {
    /// Every clock, in the order of the procedure.
    pub const ALL: [Self; 15] = [
        Self::Filing,
        Self::Decision,
        Self::RegistrationSave,
        Self::Seizure,
        Self::Statement,
        Self::HearingRequest,
        Self::HearingNotice,
        Self::LegalReview,
        Self::Service,
        Self::Publication,
        Self::PublicationWithdrawal,
        Self::Payment,
        Self::Surcharge,
        Self::Reminder,
        Self::CourtApplication,
    ];

    /// The stable snake_case name (`zhifa deadline KIND`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Filing => "filing",
            Self::Decision => "decision",
            Self::RegistrationSave => "registration_save",
            Self::Seizure => "seizure",
            Self::Statement => "statement",
            Self::HearingRequest => "hearing_request",
            Self::HearingNotice => "hearing_notice",
            Self::LegalReview => "legal_review",
            Self::Service => "service",
            Self::Publication => "publication",
            Self::PublicationWithdrawal => "publication_withdrawal",
            Self::Payment => "payment",
            Self::Surcharge => "surcharge",
            Self::Reminder => "reminder",
            Self::CourtApplication => "court_application",
        }
    }

    /// The clock's name in Chinese.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Filing => "立案期限",
            Self::Decision => "办案期限（作出决定）",
            Self::RegistrationSave => "先行登记保存处理期限",
            Self::Seizure => "查封扣押期限",
            Self::Statement => "陈述申辩期限",
            Self::HearingRequest => "听证申请期限",
            Self::HearingNotice => "听证通知最迟日",
            Self::LegalReview => "法制审核期限",
            Self::Service => "决定书送达期限",
            Self::Publication => "公示期限",
            Self::PublicationWithdrawal => "撤回公示期限",
            Self::Payment => "缴纳罚款期限",
            Self::Surcharge => "加处罚款上限日",
            Self::Reminder => "催告期",
            Self::CourtApplication => "申请强制执行期限",
        }
    }
}

/// One clock's length and counting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Period {
    /// The clock.
    pub kind: ClockKind,
    /// The length in `day_type` units.
    pub length: u32,
    /// How it is counted.
    pub day_type: DayType,
    /// Deadline or waiting period.
    pub sense: ClockSense,
    /// The article(s) it rests on, in Chinese.
    pub basis: String,
    /// What starts it, in Chinese.
    pub starts_at: &'static str,
    /// Whether the length is a township setting not checked against a
    /// Chongqing text.
    pub configured_unverified: bool,
}

/// 行政处罚法 Art. 60: 90 days from 立案.
pub const DECISION_DAYS: u32 = 90;
/// 行政处罚法 Art. 56 + 85: 7 working days.
pub const REGISTRATION_SAVE_WORKING_DAYS: u32 = 7;
/// 行政强制法 Art. 25 ¶1: 30 days, extendable once by at most 30.
pub const SEIZURE_DAYS: u32 = 30;
/// 行政处罚法 Art. 64(一) + 85: 5 working days.
pub const HEARING_REQUEST_WORKING_DAYS: u32 = 5;
/// 行政处罚法 Art. 64(二) + 85: 7 working days before the hearing.
pub const HEARING_NOTICE_WORKING_DAYS: u32 = 7;
/// 行政处罚法 Art. 61 + 85: 7 working days.
pub const SERVICE_WORKING_DAYS: u32 = 7;
/// 行政处罚法 Art. 48 ¶2 + 85: 3 working days.
pub const PUBLICATION_WITHDRAWAL_WORKING_DAYS: u32 = 3;
/// 行政处罚法 Art. 67 ¶3: 15 days (not in Art. 85's list: calendar days).
pub const PAYMENT_DAYS: u32 = 15;
/// 行政处罚法 Art. 72(一): 3 % of the fine a day, capped at the fine: the
/// cap is reached on day ⌈100 / 3⌉ = 34 after the due day.
pub const SURCHARGE_CAP_DAYS: u32 = 34;
/// 行政强制法 Art. 54 + 69: 10 working days after the 催告书 is served.
pub const REMINDER_WORKING_DAYS: u32 = 10;
/// 行政强制法 Art. 53: 3 months.
pub const COURT_APPLICATION_MONTHS: u32 = 3;
/// 行政复议法 Art. 20: 60 days to apply for reconsideration.
pub const RECONSIDERATION_DAYS: u32 = 60;
/// 行政诉讼法 Art. 46: 6 months to sue.
pub const LITIGATION_MONTHS: u32 = 6;

/// The period of a clock under a township's configuration.
pub fn period(kind: ClockKind, config: &ProcedureConfig) -> Period {
    use ClockKind as K;
    use DayType::{CalendarDays, Months, WorkingDays};
    let (length, day_type, sense, basis, starts_at, unverified) = match kind {
        K::Filing => (
            config.filing_working_days.value,
            WorkingDays,
            ClockSense::Deadline,
            "《行政处罚法》第五十四条第二款（及时立案；期限为本镇街配置）".to_owned(),
            "案源登记（发现）之日",
            !config.filing_working_days.verified,
        ),
        K::Decision => (
            DECISION_DAYS,
            CalendarDays,
            ClockSense::Deadline,
            "《行政处罚法》第六十条".to_owned(),
            "立案之日",
            false,
        ),
        K::RegistrationSave => (
            REGISTRATION_SAVE_WORKING_DAYS,
            WorkingDays,
            ClockSense::Deadline,
            "《行政处罚法》第五十六条、第八十五条".to_owned(),
            "先行登记保存之日",
            false,
        ),
        K::Seizure => (
            SEIZURE_DAYS,
            CalendarDays,
            ClockSense::Deadline,
            "《行政强制法》第二十五条".to_owned(),
            "查封、扣押之日",
            false,
        ),
        K::Statement => (
            config.statement_working_days.value,
            WorkingDays,
            ClockSense::Deadline,
            "《行政处罚法》第四十四条、第四十五条（期限为本镇街配置）".to_owned(),
            "事先告知之日",
            !config.statement_working_days.verified,
        ),
        K::HearingRequest => (
            HEARING_REQUEST_WORKING_DAYS,
            WorkingDays,
            ClockSense::Deadline,
            "《行政处罚法》第六十四条第一项、第八十五条".to_owned(),
            "告知听证权利之日",
            false,
        ),
        K::HearingNotice => (
            HEARING_NOTICE_WORKING_DAYS,
            WorkingDays,
            ClockSense::Deadline,
            "《行政处罚法》第六十四条第二项、第八十五条".to_owned(),
            "举行听证之日（向前计算）",
            false,
        ),
        K::LegalReview => (
            config.legal_review_working_days.value,
            WorkingDays,
            ClockSense::Deadline,
            "《行政处罚法》第五十八条（时限为本镇街配置）".to_owned(),
            "提交法制审核之日",
            !config.legal_review_working_days.verified,
        ),
        K::Service => (
            SERVICE_WORKING_DAYS,
            WorkingDays,
            ClockSense::Deadline,
            "《行政处罚法》第六十一条、第八十五条".to_owned(),
            "作出决定之日",
            false,
        ),
        K::Publication => {
            let (len, unverified) = config
                .publication_working_days
                .as_ref()
                .map_or((7, true), |s| (s.value, !s.verified));
            (
                len,
                WorkingDays,
                ClockSense::Deadline,
                "《行政处罚法》第四十八条；国办发〔2018〕118号（期限为本镇街配置）".to_owned(),
                "作出决定之日",
                unverified,
            )
        }
        K::PublicationWithdrawal => (
            PUBLICATION_WITHDRAWAL_WORKING_DAYS,
            WorkingDays,
            ClockSense::Deadline,
            "《行政处罚法》第四十八条第二款、第八十五条".to_owned(),
            "决定被变更、撤销或者确认违法、无效之日",
            false,
        ),
        K::Payment => (
            PAYMENT_DAYS,
            CalendarDays,
            ClockSense::Deadline,
            "《行政处罚法》第六十七条第三款".to_owned(),
            "收到行政处罚决定书之日",
            false,
        ),
        K::Surcharge => (
            SURCHARGE_CAP_DAYS,
            CalendarDays,
            ClockSense::Waiting,
            "《行政处罚法》第七十二条第一款第一项（加处罚款不超过罚款数额）".to_owned(),
            "缴款期限届满之日",
            false,
        ),
        K::Reminder => (
            REMINDER_WORKING_DAYS,
            WorkingDays,
            ClockSense::Waiting,
            "《行政强制法》第三十五条、第五十四条、第六十九条".to_owned(),
            "催告书送达之日",
            false,
        ),
        K::CourtApplication => (
            COURT_APPLICATION_MONTHS,
            Months,
            ClockSense::Deadline,
            "《行政强制法》第五十三条；《行政处罚法》第七十二条第二款".to_owned(),
            "复议、诉讼期限届满（或批准的暂缓、分期期限结束）之日",
            false,
        ),
    };
    Period {
        kind,
        length,
        day_type,
        sense,
        basis,
        starts_at,
        configured_unverified: unverified,
    }
}

/// A computed due day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Due {
    /// The last day of the period (or, for [`ClockKind::HearingNotice`],
    /// the last day the notice may go out).
    pub due: NaiveDate,
    /// Whether the count crossed a year the calendar marks estimated.
    pub estimated: bool,
    /// Whether a calendar period's last day was moved off a rest day.
    pub rolled: bool,
}

/// The due day of `period` started on `from` (for the hearing notice,
/// `from` is the hearing day and the count runs backwards).
pub fn due(
    period: &Period,
    from: NaiveDate,
    calendar: &dyn WorkCalendar,
    config: &ProcedureConfig,
) -> Result<Due, CalendarError> {
    let roll = config.roll_calendar_periods && period.sense == ClockSense::Deadline;
    let (due, rolled) = match (period.kind, period.day_type) {
        (ClockKind::HearingNotice, _) => (sub_working_days(calendar, from, period.length)?, false),
        (_, DayType::WorkingDays) => (add_working_days(calendar, from, period.length)?, false),
        (_, DayType::CalendarDays) => {
            let end = add_days(from, period.length);
            roll_end(calendar, end, roll)?
        }
        (_, DayType::Months) => {
            let end = add_months(from, period.length);
            roll_end(calendar, end, roll)?
        }
    };
    let (a, b) = (from.min(due), from.max(due));
    let estimated = (a.year()..=b.year()).any(|y| calendar.year_estimated(y));
    Ok(Due {
        due,
        estimated,
        rolled,
    })
}

/// The day `n` working days after `start` (the start day not counted;
/// 行政处罚法 Art. 85). `n = 0` is `start`.
pub fn add_working_days(
    calendar: &dyn WorkCalendar,
    start: NaiveDate,
    n: u32,
) -> Result<NaiveDate, CalendarError> {
    let mut d = start;
    let mut left = n;
    while left > 0 {
        d = d.succ_opt().ok_or(CalendarError::Missing { date: d })?;
        if calendar.is_working_day(d)? {
            left -= 1;
        }
    }
    Ok(d)
}

/// The working day `n` working days before `end`: the latest day `d` with
/// `add_working_days(d, n) <= end` when `end` is a working day.
pub fn sub_working_days(
    calendar: &dyn WorkCalendar,
    end: NaiveDate,
    n: u32,
) -> Result<NaiveDate, CalendarError> {
    let mut d = end;
    let mut left = n;
    while left > 0 {
        d = d.pred_opt().ok_or(CalendarError::Missing { date: d })?;
        if calendar.is_working_day(d)? {
            left -= 1;
        }
    }
    Ok(d)
}

/// The first working day on or after `date`.
pub fn working_day_on_or_after(
    calendar: &dyn WorkCalendar,
    date: NaiveDate,
) -> Result<NaiveDate, CalendarError> {
    let mut d = date;
    while !calendar.is_working_day(d)? {
        d = d.succ_opt().ok_or(CalendarError::Missing { date: d })?;
    }
    Ok(d)
}

fn roll_end(
    calendar: &dyn WorkCalendar,
    end: NaiveDate,
    roll: bool,
) -> Result<(NaiveDate, bool), CalendarError> {
    if !roll {
        return Ok((end, false));
    }
    let rolled = working_day_on_or_after(calendar, end)?;
    Ok((rolled, rolled != end))
}

/// `from` plus `days` calendar days (saturating at the end of time).
pub fn add_days(from: NaiveDate, days: u32) -> NaiveDate {
    from.checked_add_days(Days::new(u64::from(days)))
        .unwrap_or(NaiveDate::MAX)
}

/// `from` plus `months` (民法典 Art. 202: the corresponding day, or the
/// month's last day when it has none; chrono clamps the same way).
pub fn add_months(from: NaiveDate, months: u32) -> NaiveDate {
    from.checked_add_months(Months::new(months))
        .unwrap_or(NaiveDate::MAX)
}

/// How urgent a clock is on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// More than the warning window before the due day.
    Normal,
    /// Within the warning window, up to and including the due day.
    Yellow,
    /// After the due day.
    Red,
}

/// The level of a deadline due on `due`, seen on `today`.
pub fn level(due: NaiveDate, today: NaiveDate, config: &ProcedureConfig) -> Level {
    if today > due {
        Level::Red
    } else if (due - today).num_days() <= i64::from(config.warning.yellow_days_before) {
        Level::Yellow
    } else {
        Level::Normal
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::rules::calendar::tests::{cal_2025, d};

    #[test]
    fn working_day_clocks_skip_the_national_day_break() {
        let c = cal_2025();
        let cfg = ProcedureConfig::default();
        // Art. 64(一): 告知 on Friday 26 September 2025 → 10 October.
        let p = period(ClockKind::HearingRequest, &cfg);
        assert_eq!(
            due(&p, d(2025, 9, 26), &c, &cfg).unwrap().due,
            d(2025, 10, 10),
            "Art. 64(一) + 85: five working days, Sunday 28 September worked"
        );
        // Art. 61: decided Tuesday 30 September → 9, 10, Saturday 11
        // (调休), 13, 14, 15, 16 October.
        let p = period(ClockKind::Service, &cfg);
        assert_eq!(
            due(&p, d(2025, 9, 30), &c, &cfg).unwrap().due,
            d(2025, 10, 16)
        );
    }

    #[test]
    fn a_calendar_period_ending_on_a_holiday_rolls_forward_when_configured() {
        let c = cal_2025();
        let mut cfg = ProcedureConfig::default();
        let p = period(ClockKind::Payment, &cfg);
        // Served 16 September: day 15 is 1 October (holiday) → 9 October.
        let r = due(&p, d(2025, 9, 16), &c, &cfg).unwrap();
        assert_eq!((r.due, r.rolled), (d(2025, 10, 9), true), "民法典 Art. 203");
        cfg.roll_calendar_periods = false;
        assert_eq!(
            due(&p, d(2025, 9, 16), &c, &cfg).unwrap().due,
            d(2025, 10, 1)
        );
    }

    #[test]
    fn the_hearing_notice_counts_back_from_the_hearing() {
        let c = cal_2025();
        let cfg = ProcedureConfig::default();
        let p = period(ClockKind::HearingNotice, &cfg);
        // Hearing Friday 17 October 2025: back 7 working days is 16, 15,
        // 14, 13, Saturday 11 (调休), 10 and 9 October.
        let latest = due(&p, d(2025, 10, 17), &c, &cfg).unwrap().due;
        assert_eq!(latest, d(2025, 10, 9));
        assert_eq!(add_working_days(&c, latest, 7).unwrap(), d(2025, 10, 17));
    }

    #[test]
    fn months_take_the_corresponding_day_or_the_month_end() {
        assert_eq!(add_months(d(2025, 8, 31), 3), d(2025, 11, 30));
        assert_eq!(add_months(d(2025, 1, 15), 3), d(2025, 4, 15));
    }

    #[test]
    fn levels_turn_yellow_then_red() {
        let cfg = ProcedureConfig::default();
        let due = d(2025, 6, 20);
        assert_eq!(level(due, d(2025, 6, 10), &cfg), Level::Normal);
        assert_eq!(level(due, d(2025, 6, 17), &cfg), Level::Yellow);
        assert_eq!(level(due, due, &cfg), Level::Yellow);
        assert_eq!(level(due, d(2025, 6, 21), &cfg), Level::Red);
    }
}
