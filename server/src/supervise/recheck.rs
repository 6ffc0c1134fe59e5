//! 复查 of a 监督处理决定 (issue 18 item 5; migration 0019):
//! 《重庆市行政执法监督条例》 Art. 21 (docs/law/supervision.md) — the
//! supervised unit that disagrees with a 行政执法监督处理决定 may apply to the
//! supervision body that made it for a 复查 within **10 working days** of
//! receiving it (¶1); the body decides within **15 working days** of
//! receiving the application (¶2); the decision is carried out meanwhile
//! (¶3: the clue's 整改 keeps running).
//!
//! Here the 监督处理决定 is the 监督意见书 of the 一般 track
//! ([`super::disposal::Action::General`]); it is issued in the console, so
//! the unit receives it the day it is issued (Beijing) — a design reading,
//! documented in docs/law/supervision.md. Both periods are counted on the
//! township's working-day calendar (the catalogue release in force), the
//! day of receipt not counted (as 行政处罚法 Art. 85 counts). The rules are
//! the pure functions of this file; the steps on the clue (the outcome
//! 撤销 dismisses it, 变更 issues the changed opinion) are taken in
//! [`super::clues`]. One 复查 per clue: Art. 21 gives no second one.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use zhifa_core::procedure::deadline::{WorkCalendar, add_working_days};
use zhifa_core::rules::calendar::CalendarError;

use super::SuperviseError;
use crate::pii::SUPERVISE_TEXT;
use crate::record::Keeper;
use crate::store::sql::{Conn, Row, Val, p};

/// Art. 21 ¶1: the working days the unit has to apply.
pub const REQUEST_WORKING_DAYS: u32 = 10;
/// Art. 21 ¶2: the working days the supervision body has to decide.
pub const DECISION_WORKING_DAYS: u32 = 15;
/// Where both periods come from.
pub const BASIS: &str = "《重庆市行政执法监督条例》第二十一条";

/// What the 复查 decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RecheckOutcome {
    /// 维持: the decision stands.
    Upheld,
    /// 撤销: the decision is withdrawn; the clue is dismissed.
    Revoked,
    /// 变更: the decision is replaced by a changed opinion.
    Changed,
}

impl RecheckOutcome {
    /// The stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Upheld => "upheld",
            Self::Revoked => "revoked",
            Self::Changed => "changed",
        }
    }

    /// The stored form read back.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "upheld" => Self::Upheld,
            "revoked" => Self::Revoked,
            "changed" => Self::Changed,
            _ => return None,
        })
    }

    /// In Chinese.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Upheld => "维持",
            Self::Revoked => "撤销",
            Self::Changed => "变更",
        }
    }
}

/// A clue's 复查, its words opened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Recheck {
    /// The day the 监督意见书 was received (issued in the console).
    #[schema(value_type = String, format = Date)]
    pub received_on: NaiveDate,
    /// The last day to apply (Art. 21 ¶1).
    #[schema(value_type = String, format = Date)]
    pub request_due: NaiveDate,
    /// The day the application was made.
    #[schema(value_type = String, format = Date)]
    pub requested_on: NaiveDate,
    /// When (RFC 3339).
    pub requested_at: String,
    /// The unit's account.
    pub requested_by: String,
    /// Why the unit disagrees.
    pub reason: String,
    /// The last day to decide (Art. 21 ¶2).
    #[schema(value_type = String, format = Date)]
    pub decision_due: NaiveDate,
    /// When decided (RFC 3339).
    pub decided_at: Option<String>,
    /// The supervisor's account.
    pub decided_by: Option<String>,
    /// The outcome.
    pub outcome: Option<RecheckOutcome>,
    /// The outcome in Chinese.
    pub outcome_zh: Option<String>,
    /// The decision's reasons.
    pub decision_reason: Option<String>,
    /// Where the periods come from.
    pub basis: String,
}

/// The unit's application.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct RecheckRequest {
    /// Why it disagrees with the 监督处理决定.
    pub reason: String,
}

/// The supervisor's decision.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct RecheckDecision {
    /// 维持 / 撤销 / 变更.
    pub outcome: RecheckOutcome,
    /// The reasons.
    pub reason: String,
    /// The changed 监督意见 (变更 only).
    #[serde(default)]
    pub opinion: String,
}

/// Why a 复查 step was not taken.
#[derive(Debug, thiserror::Error)]
pub enum RecheckError {
    /// The database.
    #[error(transparent)]
    Db(#[from] crate::store::sql::DbError),
    /// Supervision storage.
    #[error(transparent)]
    Supervise(SuperviseError),
    /// No such clue in the account's scope.
    #[error("没有找到该线索，或不在本账号辖区")]
    NotFound,
    /// The account may not take this step.
    #[error("{0}")]
    NotYours(&'static str),
    /// No 监督意见书 was issued on the clue.
    #[error("该线索没有制发监督意见书，没有可申请复查的监督处理决定")]
    NoDecision,
    /// A 复查 was already applied for.
    #[error("该监督处理决定已申请过复查（{BASIS}只规定一次复查）")]
    Already,
    /// Applied after the 10 working days.
    #[error(
        "已超过复查申请期限：应在收到监督处理决定之日（{received_on}）起十个工作日内、即 {due} 前申请（{BASIS}第一款）"
    )]
    Late {
        /// The day of receipt.
        received_on: NaiveDate,
        /// The last day.
        due: NaiveDate,
    },
    /// No application waits for a decision.
    #[error("该线索没有待决定的复查申请")]
    NotPending,
    /// The step needs words.
    #[error("请填写{0}")]
    TextMissing(&'static str),
    /// The township's calendar does not cover the days counted.
    #[error("无法按工作日计算复查期限：{0}")]
    Calendar(String),
}

impl RecheckError {
    /// A stable snake_case code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Db(_) => "storage",
            Self::Supervise(e) => e.code(),
            Self::NotFound => "recheck_clue_not_found",
            Self::NotYours(_) => "recheck_not_yours",
            Self::NoDecision => "recheck_no_decision",
            Self::Already => "recheck_exists",
            Self::Late { .. } => "recheck_late",
            Self::NotPending => "recheck_not_pending",
            Self::TextMissing(_) => "recheck_text_missing",
            Self::Calendar(_) => "recheck_no_calendar",
        }
    }
}

impl From<SuperviseError> for RecheckError {
    fn from(e: SuperviseError) -> Self {
        match e {
            SuperviseError::Db(e) => Self::Db(e),
            other => Self::Supervise(other),
        }
    }
}

impl From<crate::record::RecordError> for RecheckError {
    fn from(e: crate::record::RecordError) -> Self {
        SuperviseError::from(e).into()
    }
}

impl From<CalendarError> for RecheckError {
    fn from(e: CalendarError) -> Self {
        Self::Calendar(e.to_string())
    }
}

crate::store::area_error!(RecheckError);

/// The last day to apply for a 复查 of a decision received on
/// `received_on` (Art. 21 ¶1: ten working days, the day of receipt not
/// counted).
pub fn request_due(
    cal: &dyn WorkCalendar,
    received_on: NaiveDate,
) -> Result<NaiveDate, CalendarError> {
    add_working_days(cal, received_on, REQUEST_WORKING_DAYS)
}

/// The last day to decide a 复查 applied for on `requested_on` (Art. 21
/// ¶2: fifteen working days).
pub fn decision_due(
    cal: &dyn WorkCalendar,
    requested_on: NaiveDate,
) -> Result<NaiveDate, CalendarError> {
    add_working_days(cal, requested_on, DECISION_WORKING_DAYS)
}

/// The application's last day if `today` is not after it; refused with
/// [`RecheckError::Late`] otherwise.
pub fn check_in_time(
    cal: &dyn WorkCalendar,
    received_on: NaiveDate,
    today: NaiveDate,
) -> Result<NaiveDate, RecheckError> {
    let due = request_due(cal, received_on)?;
    if today > due {
        return Err(RecheckError::Late { received_on, due });
    }
    Ok(due)
}

/// The AAD of a sealed reason (`part`: `request` or `decision`).
pub fn text_aad(clue_id: &str, part: &str) -> Vec<u8> {
    format!("clue:{clue_id}:recheck:{part}").into_bytes()
}

fn date(s: &str) -> Result<NaiveDate, SuperviseError> {
    s.parse()
        .map_err(|e| SuperviseError::Corrupt(format!("recheck date {s:?}: {e}")))
}

fn open_text(
    c: &mut dyn Conn,
    k: &Keeper,
    id: &str,
    part: &str,
    sealed: &str,
) -> Result<String, SuperviseError> {
    String::from_utf8(
        k.seal
            .open(c, SUPERVISE_TEXT, &text_aad(id, part), sealed)?,
    )
    .map_err(|e| SuperviseError::Corrupt(e.to_string()))
}

const SELECT: &str =
    "SELECT received_on, request_due, requested_on, requested_at, requested_by, reason,
        decision_due, decided_at, decided_by, outcome, decision_reason
     FROM supervise_recheck WHERE clue_id = ?1";

fn recheck_of(c: &mut dyn Conn, k: &Keeper, id: &str, r: &Row) -> Result<Recheck, SuperviseError> {
    let outcome = r
        .get::<Option<String>>(9)?
        .map(|o| {
            RecheckOutcome::parse(&o)
                .ok_or_else(|| SuperviseError::Corrupt(format!("recheck outcome {o:?}")))
        })
        .transpose()?;
    let decision_reason = match r.get::<Option<String>>(10)? {
        Some(s) => Some(open_text(c, k, id, "decision", &s)?),
        None => None,
    };
    Ok(Recheck {
        received_on: date(&r.get::<String>(0)?)?,
        request_due: date(&r.get::<String>(1)?)?,
        requested_on: date(&r.get::<String>(2)?)?,
        requested_at: r.get(3)?,
        requested_by: r.get(4)?,
        reason: open_text(c, k, id, "request", &r.get::<String>(5)?)?,
        decision_due: date(&r.get::<String>(6)?)?,
        decided_at: r.get(7)?,
        decided_by: r.get(8)?,
        outcome,
        outcome_zh: outcome.map(|o| o.label_zh().to_owned()),
        decision_reason,
        basis: BASIS.to_owned(),
    })
}

/// The 复查s of the clues `clue_sql` selects (a `SELECT clue_id …` over
/// `supervise_clue` with `vals`), by clue id, in one statement: the clue
/// list reads them with its clues, not one query per clue.
pub fn of_clues(
    c: &mut dyn Conn,
    k: &Keeper,
    clue_sql: &str,
    vals: &[Val<'_>],
) -> Result<std::collections::HashMap<String, Recheck>, SuperviseError> {
    let rows = c.query(
        &format!(
            "SELECT received_on, request_due, requested_on, requested_at, requested_by, reason,
                decision_due, decided_at, decided_by, outcome, decision_reason, clue_id
             FROM supervise_recheck WHERE clue_id IN ({clue_sql})"
        ),
        vals,
    )?;
    let mut out = std::collections::HashMap::new();
    for r in &rows {
        let id: String = r.get(11)?;
        let recheck = recheck_of(c, k, &id, r)?;
        out.insert(id, recheck);
    }
    Ok(out)
}

/// The 复查 of clue `id`, if one was applied for.
pub fn of_clue(c: &mut dyn Conn, k: &Keeper, id: &str) -> Result<Option<Recheck>, SuperviseError> {
    match c.query_opt(SELECT, p![id])? {
        Some(r) => Ok(Some(recheck_of(c, k, id, &r)?)),
        None => Ok(None),
    }
}

/// Records the unit's application (already checked in time).
#[allow(clippy::too_many_arguments)] // the row's columns, each needed
pub fn insert(
    c: &mut dyn Conn,
    k: &Keeper,
    id: &str,
    township: &str,
    received_on: NaiveDate,
    request_due: NaiveDate,
    requested_on: NaiveDate,
    decision_due: NaiveDate,
    at: &str,
    actor: &str,
    reason: &str,
) -> Result<(), RecheckError> {
    let sealed = k.seal.seal(
        c,
        SUPERVISE_TEXT,
        &text_aad(id, "request"),
        reason.as_bytes(),
    )?;
    c.exec(
        "INSERT INTO supervise_recheck (clue_id, township, received_on, request_due, requested_on,
             requested_at, requested_by, reason, decision_due)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        p![
            id,
            township,
            received_on.to_string(),
            request_due.to_string(),
            requested_on.to_string(),
            at,
            actor,
            sealed,
            decision_due.to_string()
        ],
    )?;
    Ok(())
}

/// Records the supervisor's decision on a pending application.
pub fn record_decision(
    c: &mut dyn Conn,
    k: &Keeper,
    id: &str,
    outcome: RecheckOutcome,
    reason: &str,
    at: &str,
    actor: &str,
) -> Result<(), RecheckError> {
    let sealed = k.seal.seal(
        c,
        SUPERVISE_TEXT,
        &text_aad(id, "decision"),
        reason.as_bytes(),
    )?;
    c.exec(
        "UPDATE supervise_recheck SET decided_at = ?2, decided_by = ?3, outcome = ?4, decision_reason = ?5
         WHERE clue_id = ?1 AND decided_at IS NULL",
        p![id, at, actor, outcome.as_str(), sealed],
    )?;
    Ok(())
}

/// An application waiting for its decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    /// The clue.
    pub clue_id: String,
    /// Its township.
    pub township: String,
    /// The clue's cases.
    pub cases: Vec<String>,
    /// The day applied for.
    pub requested_on: NaiveDate,
    /// The last day to decide.
    pub decision_due: NaiveDate,
}

/// Every application under `scope` waiting for its decision.
pub fn pending(c: &mut dyn Conn, scope: &str) -> Result<Vec<Pending>, SuperviseError> {
    let (cond, args) = super::scope_where(scope, None, 1);
    let cond = cond.replace("township", "r.township");
    let vals: Vec<Val<'_>> = args.iter().map(|a| Val::Text(a)).collect();
    let rows = c.query(
        &format!(
            "SELECT r.clue_id, r.township, c.cases, r.requested_on, r.decision_due
             FROM supervise_recheck r JOIN supervise_clue c ON c.clue_id = r.clue_id
             WHERE r.decided_at IS NULL AND {cond} ORDER BY r.decision_due, r.clue_id"
        ),
        &vals,
    )?;
    rows.iter()
        .map(|r| {
            Ok(Pending {
                clue_id: r.get(0)?,
                township: r.get(1)?,
                cases: serde_json::from_str(&r.get::<String>(2)?)
                    .map_err(|e| SuperviseError::Corrupt(e.to_string()))?,
                requested_on: date(&r.get::<String>(3)?)?,
                decision_due: date(&r.get::<String>(4)?)?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should abort loudly

    use super::*;

    /// Monday to Friday, with 1–7 October 2026 a holiday and Sunday 11
    /// October a make-up working day.
    struct Cal;
    impl WorkCalendar for Cal {
        fn is_working_day(&self, d: NaiveDate) -> Result<bool, CalendarError> {
            use chrono::Datelike;
            let oct = d.month() == 10 && d.year() == 2026;
            if oct && d.day() <= 7 {
                return Ok(false);
            }
            if oct && d.day() == 11 {
                return Ok(true);
            }
            Ok(d.weekday().num_days_from_monday() < 5)
        }
        fn year_estimated(&self, _: i32) -> bool {
            false
        }
    }

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap()
    }

    #[test]
    fn ten_working_days_skip_the_holiday_and_count_the_make_up_day() {
        // Received Tuesday 29 September: 30 Sep (1), 8, 9 (2–3), 11 (4,
        // Sunday worked), 12–16 (5–9), 19 (10).
        assert_eq!(request_due(&Cal, d(9, 29)).unwrap(), d(10, 19));
        assert_eq!(check_in_time(&Cal, d(9, 29), d(10, 19)).unwrap(), d(10, 19));
        let late = check_in_time(&Cal, d(9, 29), d(10, 20)).unwrap_err();
        assert_eq!(late.code(), "recheck_late");
        assert!(late.to_string().contains("第二十一条"), "{late}");
    }

    #[test]
    fn the_decision_is_due_fifteen_working_days_after_the_application() {
        // Applied Monday 2 November: three weeks of five days.
        assert_eq!(decision_due(&Cal, d(11, 2)).unwrap(), d(11, 23));
        // Applied Wednesday 30 September: the holiday week is not counted.
        let due = decision_due(&Cal, d(9, 30)).unwrap();
        assert!(due > d(10, 21), "{due}");
    }
}
