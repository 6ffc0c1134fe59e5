//! Day counting over the catalogue's workday/holiday calendar.
//!
//! 行政处罚法 Art. 85: "二日""三日""五日""七日" in that law are working
//! days (工作日), not counting statutory holidays. Other periods — the 15-day
//! payment period of Art. 67, the 60 days of 行政复议法 Art. 20 — are
//! calendar days. In both, the starting day is not counted (民事诉讼法
//! Art. 85 ¶2, "期间开始的时和日，不计算在期间内").
//!
//! A day is a working day when the [`Calendar`] says so: Monday to Friday
//! unless listed in `holidays`, Saturday and Sunday only if listed in
//! `workdays` (调休). A date listed in both is a data error the importer
//! should refuse; here `holidays` wins, which makes a deadline later, never
//! earlier. A date outside the calendar's `from..=to` span is an error
//! ([`CalendarError::OutOfRange`]), never a guess: an expired calendar must
//! be replaced, not extrapolated.

use chrono::{Datelike, Days, NaiveDate, Weekday};
use thiserror::Error;

use crate::ErrorCode;
use crate::catalogue::model::Calendar;

/// Why a day count could not be made.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CalendarError {
    /// The count needed a calendar and none is in force.
    #[error("没有适用的工作日历，无法确定{date}是否为工作日")]
    Missing {
        /// The first date that needed classifying.
        date: NaiveDate,
    },
    /// The count reached a date the calendar does not cover.
    #[error("日期{date}超出工作日历的范围（{from}至{to}），请更新事项目录")]
    OutOfRange {
        /// The date that could not be classified.
        date: NaiveDate,
        /// First date the calendar covers.
        from: NaiveDate,
        /// Last date the calendar covers.
        to: NaiveDate,
    },
    /// The calendar's span is empty (`from` after `to`).
    #[error("工作日历的起止日期无效（{from}晚于{to}）")]
    Invalid {
        /// The calendar's `from`.
        from: NaiveDate,
        /// The calendar's `to`.
        to: NaiveDate,
    },
}

impl ErrorCode for CalendarError {
    fn code(&self) -> &'static str {
        match self {
            Self::Missing { .. } => "CALENDAR_MISSING",
            Self::OutOfRange { .. } => "CALENDAR_OUT_OF_RANGE",
            Self::Invalid { .. } => "CALENDAR_INVALID",
        }
    }
}

/// Whether `date` is a working day in `cal`.
pub fn is_working_day(cal: &Calendar, date: NaiveDate) -> Result<bool, CalendarError> {
    if cal.from > cal.to {
        return Err(CalendarError::Invalid {
            from: cal.from,
            to: cal.to,
        });
    }
    if date < cal.from || date > cal.to {
        return Err(CalendarError::OutOfRange {
            date,
            from: cal.from,
            to: cal.to,
        });
    }
    if cal.holidays.contains(&date) {
        return Ok(false);
    }
    let weekend = matches!(date.weekday(), Weekday::Sat | Weekday::Sun);
    Ok(!weekend || cal.workdays.contains(&date))
}

/// The day `n` working days after `start` (行政处罚法 Art. 85): the start
/// day is not counted, and the result is the `n`-th working day after it.
/// `n = 0` returns `start` without consulting the calendar.
pub fn add_working_days(
    cal: &Calendar,
    start: NaiveDate,
    n: u32,
) -> Result<NaiveDate, CalendarError> {
    let mut date = start;
    let mut left = n;
    while left > 0 {
        date = next_day(cal, date)?;
        if is_working_day(cal, date)? {
            left -= 1;
        }
    }
    Ok(date)
}

/// The first working day on or after `date`.
pub fn working_day_on_or_after(
    cal: &Calendar,
    date: NaiveDate,
) -> Result<NaiveDate, CalendarError> {
    let mut d = date;
    while !is_working_day(cal, d)? {
        d = next_day(cal, d)?;
    }
    Ok(d)
}

/// The last day of a period of `days` calendar days starting after `start`
/// (the start day is not counted). With `roll_off_rest_day`, a last day that
/// is a rest day moves to the next working day (民事诉讼法 Art. 85 ¶3), which
/// needs a calendar covering it; without, no calendar is consulted.
pub fn period_end(
    cal: Option<&Calendar>,
    start: NaiveDate,
    days: u32,
    roll_off_rest_day: bool,
) -> Result<NaiveDate, CalendarError> {
    let end = start
        .checked_add_days(Days::new(u64::from(days)))
        .unwrap_or(NaiveDate::MAX);
    if !roll_off_rest_day {
        return Ok(end);
    }
    let cal = cal.ok_or(CalendarError::Missing { date: end })?;
    working_day_on_or_after(cal, end)
}

/// The day after `date`, as an out-of-range error at the end of time.
fn next_day(cal: &Calendar, date: NaiveDate) -> Result<NaiveDate, CalendarError> {
    date.succ_opt().ok_or(CalendarError::OutOfRange {
        date,
        from: cal.from,
        to: cal.to,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    /// The 2025 National Day / Mid-Autumn break: 1–8 October off (the
    /// weekdays among them listed as holidays), Sunday 28 September and
    /// Saturday 11 October worked (国务院办公厅 2025 holiday notice).
    pub(crate) fn cal_2025() -> Calendar {
        Calendar {
            from: d(2025, 1, 1),
            to: d(2025, 12, 31),
            holidays: vec![
                d(2025, 10, 1),
                d(2025, 10, 2),
                d(2025, 10, 3),
                d(2025, 10, 6),
                d(2025, 10, 7),
                d(2025, 10, 8),
            ],
            workdays: vec![d(2025, 9, 28), d(2025, 10, 11)],
            years: vec![],
        }
    }

    #[test]
    fn weekdays_weekends_holidays_and_make_up_days() {
        let c = cal_2025();
        assert!(is_working_day(&c, d(2025, 9, 26)).unwrap()); // Friday
        assert!(!is_working_day(&c, d(2025, 9, 27)).unwrap()); // Saturday
        assert!(is_working_day(&c, d(2025, 9, 28)).unwrap()); // Sunday, 调休
        assert!(!is_working_day(&c, d(2025, 10, 1)).unwrap()); // Wednesday, holiday
        assert!(!is_working_day(&c, d(2025, 10, 4)).unwrap()); // Saturday in the break
        assert!(is_working_day(&c, d(2025, 10, 11)).unwrap()); // Saturday, 调休
    }

    // 行政处罚法 Art. 71 + Art. 85: cash collected on the spot reaches the
    // agency within 2 working days; across the National Day break.
    #[test]
    fn two_working_days_across_the_national_day_break() {
        let c = cal_2025();
        assert_eq!(
            add_working_days(&c, d(2025, 9, 30), 2).unwrap(),
            d(2025, 10, 10)
        );
        assert_eq!(
            add_working_days(&c, d(2025, 9, 26), 1).unwrap(),
            d(2025, 9, 28)
        );
        assert_eq!(
            add_working_days(&c, d(2025, 9, 26), 0).unwrap(),
            d(2025, 9, 26)
        );
        // Art. 64: 5 working days from Friday 26 September.
        assert_eq!(
            add_working_days(&c, d(2025, 9, 26), 5).unwrap(),
            d(2025, 10, 10)
        );
    }

    #[test]
    fn leaving_the_calendar_is_an_error_not_a_guess() {
        let c = cal_2025();
        let e = add_working_days(&c, d(2025, 12, 30), 3).unwrap_err();
        assert_eq!(
            e,
            CalendarError::OutOfRange {
                date: d(2026, 1, 1),
                from: c.from,
                to: c.to
            }
        );
        assert_eq!(e.code(), "CALENDAR_OUT_OF_RANGE");
        assert!(is_working_day(&c, d(2024, 12, 31)).is_err());
        let bad = Calendar {
            from: d(2025, 2, 1),
            to: d(2025, 1, 1),
            holidays: vec![],
            workdays: vec![],
            years: vec![],
        };
        assert_eq!(
            is_working_day(&bad, d(2025, 1, 15)).unwrap_err().code(),
            "CALENDAR_INVALID"
        );
    }

    // 行政处罚法 Art. 67 (15 days) with 民事诉讼法 Art. 85 (start day not
    // counted; a last day on a rest day moves to the next working day).
    #[test]
    fn a_calendar_period_ending_in_a_holiday_rolls_only_when_configured() {
        let c = cal_2025();
        // Served Tuesday 16 September: day 15 is Wednesday 1 October.
        assert_eq!(
            period_end(Some(&c), d(2025, 9, 16), 15, false).unwrap(),
            d(2025, 10, 1)
        );
        assert_eq!(
            period_end(Some(&c), d(2025, 9, 16), 15, true).unwrap(),
            d(2025, 10, 9)
        );
        // A last day on a working day does not move.
        assert_eq!(
            period_end(Some(&c), d(2025, 9, 1), 15, true).unwrap(),
            d(2025, 9, 16)
        );
        // Rolling needs a calendar; not rolling does not.
        assert_eq!(
            period_end(None, d(2025, 9, 16), 15, true)
                .unwrap_err()
                .code(),
            "CALENDAR_MISSING"
        );
        assert_eq!(
            period_end(None, d(2025, 9, 16), 15, false).unwrap(),
            d(2025, 10, 1)
        );
    }

    #[test]
    fn holidays_win_over_workdays_in_inconsistent_data() {
        let mut c = cal_2025();
        c.workdays.push(d(2025, 10, 1));
        assert!(!is_working_day(&c, d(2025, 10, 1)).unwrap());
    }
}
