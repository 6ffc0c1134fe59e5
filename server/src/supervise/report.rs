//! The supervision report (`zhifa-server supervise report`): the facts
//! refreshed, the problem models run over a scope and a period, and the
//! efficiency indicators per township (issue 18 items 3, 4, 7).
//!
//! The models look back past the period where their rule needs history
//! (a repeat party over [`Config::repeat_window_days`], inspections over
//! [`Config::inspection_window_days`]), but a clue is reported only when
//! at least one of its cases falls in the period.

use std::collections::{BTreeMap, HashSet};

use chrono::{Duration, NaiveDate, TimeDelta};
use serde::Serialize;

use super::deadlines::{Deadlines, deadlines, normal_facts};
use super::models::{MODELS, run_all};
use super::{CaseFacts, Clue, Config, Data, NormalFacts, Outcome, SuperviseError, facts};
use crate::store::Db;

/// The statuses of a case with nothing left to do.
const CONCLUDED: [&str; 6] = [
    "paid",
    "collected_on_the_spot",
    "no_penalty",
    "corrected",
    "filed",
    "closed",
];

/// The models whose clue means a deadline ran out.
const OVERDUE_MODELS: [&str; 6] = [
    "unpaid_not_pursued",
    "not_served_on_the_spot",
    "decision_overdue",
    "service_overdue",
    "publication_overdue",
    "registration_save_overdue",
];

/// The efficiency indicators of one township over the period.
#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Indicators {
    /// Township code.
    pub township: String,
    /// Cases opened or decided in the period (voided ones apart).
    pub cases: u64,
    /// Of them, simple-procedure cases.
    pub simple: u64,
    /// Of them, normal-procedure cases (普通程序).
    pub normal: u64,
    /// Not yet decided.
    pub open: u64,
    /// Decided: a penalty or none.
    pub decided: u64,
    /// Penalties decided.
    pub penalties: u64,
    /// No penalty (Art. 30, 31, 33).
    pub no_penalty: u64,
    /// Of those, on the first-violation ground (首违不罚).
    pub first_violation_no_penalty: u64,
    /// With nothing left to do (paid or collected, no penalty, corrected,
    /// filed or closed).
    pub closed: u64,
    /// With a deadline run out (unpaid past its due date, not served on
    /// the spot).
    pub overdue: u64,
    /// Refused by the server's replay.
    pub flagged: u64,
    /// Voided before a decision.
    pub voided: u64,
    /// Mean minutes from opening to decision (Beijing time), if any.
    pub avg_minutes_to_decision: Option<i64>,
    /// Fines decided, fen — for information only, never ranked or a
    /// target (行政处罚法 Art. 74 ¶3).
    pub fines_fen_information_only: i64,
    /// Joint inspections begun in the period.
    pub inspections: u64,
    /// Items checked in them.
    pub inspection_items: i64,
}

/// One model as the report ran it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ModelRun {
    /// Stable name.
    pub name: String,
    /// Title.
    pub title: String,
    /// What it rests on.
    pub basis: String,
    /// Clues it found in the period.
    pub clues: u64,
}

/// The report.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Report {
    /// The township-code prefix (empty: everywhere).
    pub scope: String,
    /// First day of the period.
    #[schema(value_type = String, format = Date)]
    pub from: NaiveDate,
    /// Last day of the period.
    #[schema(value_type = String, format = Date)]
    pub to: NaiveDate,
    /// The day the report was made.
    #[schema(value_type = String, format = Date)]
    pub as_of: NaiveDate,
    /// Per township, by code.
    pub indicators: Vec<Indicators>,
    /// The models run.
    pub models: Vec<ModelRun>,
    /// The open clues.
    pub clues: Vec<Clue>,
    /// Every open clock of the open normal-procedure cases in the scope,
    /// with its level and escalation on `as_of`.
    pub deadlines: Deadlines,
}

/// Today in Beijing at `now` (the report's `as_of`).
pub fn beijing_today(now: chrono::DateTime<chrono::Utc>) -> NaiveDate {
    zhifa_core::procedure::beijing_date(now)
}

/// Checks a scope: empty, or the digits that start a township code.
pub fn check_scope(scope: &str) -> Result<(), SuperviseError> {
    if scope.len() > 12 || !scope.chars().all(|c| c.is_ascii_digit()) {
        return Err(SuperviseError::Invalid(format!(
            "范围应为行政区划代码的前若干位数字：{scope:?}"
        )));
    }
    Ok(())
}

/// Refreshes the facts, runs every model, remembers the clues it finds
/// (`now` is when) and computes the indicators of the townships under
/// `scope` for `from ..= to`.
pub fn report(
    db: &Db,
    scope: &str,
    from: NaiveDate,
    to: NaiveDate,
    as_of: NaiveDate,
    now: chrono::DateTime<chrono::Utc>,
    cfg: &Config,
) -> Result<Report, SuperviseError> {
    check_scope(scope)?;
    if from > to {
        return Err(SuperviseError::Invalid(format!(
            "起始日期 {from} 晚于截止日期 {to}"
        )));
    }
    facts::refresh(db)?;
    let back = |days: i64| {
        from.checked_sub_signed(Duration::days(days.max(0)))
            .unwrap_or(from)
    };
    let data = Data {
        cases: db.read_as(|c| facts::load(c, scope, back(cfg.repeat_window_days), to))?,
        inspections: db
            .read_as(|c| facts::load_inspections(c, scope, back(cfg.inspection_window_days), to))?,
        normal: db.read_as(|c| normal_facts(c, db.keeper(), scope, as_of))?,
        as_of,
    };
    let in_period: HashSet<&str> = data
        .cases
        .iter()
        .filter(|c| (from..=to).contains(&c.activity_on()))
        .map(|c| c.case_id.as_str())
        .chain(
            data.inspections
                .iter()
                .filter(|i| (from..=to).contains(&i.started_on))
                .map(|i| i.inspection_id.as_str()),
        )
        .chain(
            data.normal
                .iter()
                .filter(|c| (from..=to).contains(&c.activity_on(as_of)))
                .map(|c| c.case_id.as_str()),
        )
        .collect();
    let mut clues: Vec<Clue> = run_all(&data, cfg)
        .into_iter()
        .filter(|c| c.cases.iter().any(|id| in_period.contains(id.as_str())))
        .collect();
    clues.sort_by(|a, b| (&a.township, &a.model, &a.cases).cmp(&(&b.township, &b.model, &b.cases)));
    for c in &mut clues {
        c.id = super::clues::clue_id(c);
    }
    db.write_as(|c| super::clues::remember(c, &clues, now))?;
    let models = MODELS
        .iter()
        .map(|m| ModelRun {
            name: m.name.to_owned(),
            title: m.title.to_owned(),
            basis: m.basis.to_owned(),
            clues: clues.iter().filter(|c| c.model == m.name).count() as u64,
        })
        .collect();
    let indicators = indicators(&data, &in_period, &clues);
    let deadlines = db.read_as(|c| deadlines(c, db.keeper(), scope, as_of))?;
    Ok(Report {
        scope: scope.to_owned(),
        from,
        to,
        as_of,
        indicators,
        models,
        clues,
        deadlines,
    })
}

fn indicators(data: &Data, in_period: &HashSet<&str>, clues: &[Clue]) -> Vec<Indicators> {
    let overdue: HashSet<&str> = clues
        .iter()
        .filter(|c| OVERDUE_MODELS.contains(&c.model.as_str()))
        .flat_map(|c| c.cases.iter().map(String::as_str))
        .collect();
    let mut by: BTreeMap<String, (Indicators, Vec<i64>)> = BTreeMap::new();
    let slot = |by: &mut BTreeMap<String, (Indicators, Vec<i64>)>, t: &str| {
        by.entry(t.to_owned()).or_insert_with(|| {
            (
                Indicators {
                    township: t.to_owned(),
                    ..Indicators::default()
                },
                Vec::new(),
            )
        });
    };
    for c in data
        .cases
        .iter()
        .filter(|c| in_period.contains(c.case_id.as_str()))
    {
        slot(&mut by, &c.township);
        let Some((ind, minutes)) = by.get_mut(&c.township) else {
            continue;
        };
        count_case(ind, minutes, c, overdue.contains(c.case_id.as_str()));
    }
    for c in data
        .normal
        .iter()
        .filter(|c| in_period.contains(c.case_id.as_str()))
    {
        slot(&mut by, &c.township);
        if let Some((ind, _)) = by.get_mut(&c.township) {
            count_normal(ind, c, overdue.contains(c.case_id.as_str()));
        }
    }
    for i in data
        .inspections
        .iter()
        .filter(|i| in_period.contains(i.inspection_id.as_str()))
    {
        slot(&mut by, &i.township);
        if let Some((ind, _)) = by.get_mut(&i.township) {
            ind.inspections += 1;
            ind.inspection_items += i.items;
        }
    }
    by.into_values()
        .map(|(mut ind, minutes)| {
            if !minutes.is_empty() {
                ind.avg_minutes_to_decision =
                    Some(minutes.iter().sum::<i64>() / minutes.len() as i64);
            }
            ind
        })
        .collect()
}

fn count_case(ind: &mut Indicators, minutes: &mut Vec<i64>, c: &CaseFacts, overdue: bool) {
    if c.outcome == Outcome::Void {
        ind.voided += 1;
        return;
    }
    ind.cases += 1;
    ind.simple += u64::from(c.procedure == "simple");
    ind.open += u64::from(c.outcome == Outcome::Open);
    ind.decided += u64::from(c.outcome.decided());
    ind.penalties += u64::from(c.outcome == Outcome::Penalty);
    ind.no_penalty += u64::from(c.outcome == Outcome::NoPenalty);
    ind.first_violation_no_penalty +=
        u64::from(c.outcome == Outcome::NoPenalty && c.first_violation);
    ind.closed += u64::from(CONCLUDED.contains(&c.status.as_str()));
    ind.overdue += u64::from(overdue);
    ind.flagged += u64::from(c.replay_ok == Some(false));
    if c.outcome == Outcome::Penalty {
        ind.fines_fen_information_only += c.amount_fen.unwrap_or(0);
    }
    if let Some(d) = c.decided_at {
        // The decision's time is Beijing's; the opening is UTC.
        let opened = c.created_at.naive_utc() + TimeDelta::hours(8);
        minutes.push((d - opened).num_minutes().max(0));
    }
}

/// A normal-procedure case in the indicators (its minutes to decision are
/// left out: the mean is the on-the-spot procedure's).
fn count_normal(ind: &mut Indicators, c: &NormalFacts, overdue: bool) {
    let decided = c.decided_on.is_some();
    ind.cases += 1;
    ind.normal += 1;
    ind.open += u64::from(!decided && !c.concluded);
    ind.decided += u64::from(decided);
    ind.penalties += u64::from(c.penalty);
    ind.no_penalty += u64::from(decided && !c.penalty && !c.transfer);
    ind.closed += u64::from(c.concluded);
    ind.overdue += u64::from(overdue);
    ind.fines_fen_information_only += c.fine_fen;
}
