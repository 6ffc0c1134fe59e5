//! The supervision report (`zhifa-server supervise report`): the facts
//! refreshed, the problem models run over a scope and a period, and the
//! efficiency indicators per township (issue 18 items 3, 4, 7).
//!
//! The models look back past the period where their rule needs history
//! (a repeat party over [`Config::repeat_window_days`], inspections over
//! [`Config::inspection_window_days`]), but a clue is reported only when
//! at least one of its cases falls in the period.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{Duration, NaiveDate, TimeDelta};
use serde::Serialize;

use super::deadlines::{Deadlines, deadlines, normal_facts};
use super::models::MODELS;
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
    /// The open clues: all of them, or in the cockpit's answer the first
    /// `cockpit::COCKPIT_CLUES` (by township, model and id), listed by
    /// township, model and cases.
    pub clues: Vec<Clue>,
    /// How many open clues the period holds (`clues` may list fewer; the
    /// models' counts are of all of them).
    pub clues_total: u64,
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
    check_period(scope, from, to)?;
    facts::refresh(db)?;
    let run = run(db, scope, from, to, as_of, cfg, &|_| true)?;
    db.write_as(|c| super::clues::remember(c, &run.clues, now))?;
    let indicators = sum_days(day_rows(&run));
    let deadlines = db.read_as(|c| deadlines(c, db.keeper(), scope, as_of))?;
    Ok(assemble(
        scope, from, to, as_of, indicators, run.clues, deadlines,
    ))
}

/// Checks a scope and a period.
pub(crate) fn check_period(
    scope: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<(), SuperviseError> {
    check_scope(scope)?;
    if from > to {
        return Err(SuperviseError::Invalid(format!(
            "起始日期 {from} 晚于截止日期 {to}"
        )));
    }
    Ok(())
}

/// The report made of its parts: the models run counted from `clues`.
pub(crate) fn assemble(
    scope: &str,
    from: NaiveDate,
    to: NaiveDate,
    as_of: NaiveDate,
    indicators: Vec<Indicators>,
    clues: Vec<Clue>,
    deadlines: Deadlines,
) -> Report {
    let models = MODELS
        .iter()
        .map(|m| ModelRun {
            name: m.name.to_owned(),
            title: m.title.to_owned(),
            basis: m.basis.to_owned(),
            clues: clues.iter().filter(|c| c.model == m.name).count() as u64,
        })
        .collect();
    Report {
        scope: scope.to_owned(),
        from,
        to,
        as_of,
        indicators,
        models,
        clues_total: clues.len() as u64,
        clues,
        deadlines,
    }
}

/// The models run over a scope and a period: the data they looked at, the
/// activity day of every case, normal-procedure case and inspection in the
/// period, and the clues with at least one of them (ids set, ordered by
/// township, model, cases).
pub(crate) struct Run {
    /// What the models looked at.
    pub data: Data,
    /// The activity day of each item in the period, by id.
    pub days: HashMap<String, NaiveDate>,
    /// The clues in the period.
    pub clues: Vec<Clue>,
}

/// Loads the facts of `scope` for `from ..= to` (and the models' look-back)
/// and runs the models `keep` accepts (by name); the facts are not
/// refreshed here.
pub(crate) fn run(
    db: &Db,
    scope: &str,
    from: NaiveDate,
    to: NaiveDate,
    as_of: NaiveDate,
    cfg: &Config,
    keep: &dyn Fn(&str) -> bool,
) -> Result<Run, SuperviseError> {
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
    let period = from..=to;
    let days: HashMap<String, NaiveDate> = data
        .cases
        .iter()
        .map(|c| (c.case_id.as_str(), c.activity_on()))
        .chain(
            data.inspections
                .iter()
                .map(|i| (i.inspection_id.as_str(), i.started_on)),
        )
        .chain(
            data.normal
                .iter()
                .map(|c| (c.case_id.as_str(), c.activity_on(as_of))),
        )
        .filter(|(_, d)| period.contains(d))
        .map(|(id, d)| (id.to_owned(), d))
        .collect();
    let mut clues: Vec<Clue> = MODELS
        .iter()
        .filter(|m| keep(m.name))
        .flat_map(|m| (m.run)(&data, cfg))
        .filter(|c| c.cases.iter().any(|id| days.contains_key(id)))
        .collect();
    clues.sort_by(|a, b| (&a.township, &a.model, &a.cases).cmp(&(&b.township, &b.model, &b.cases)));
    for c in &mut clues {
        c.id = super::clues::clue_id(c);
    }
    Ok(Run { data, days, clues })
}

/// The indicators of one township on one day, with what their mean
/// minutes to decision is made of (the sum and the count, so days add up
/// to exactly the period's mean).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DayRow {
    /// The day's counts (`avg_minutes_to_decision` unused).
    pub ind: Indicators,
    /// Minutes from opening to decision, summed.
    pub minutes_sum: i64,
    /// How many decisions those minutes are of.
    pub minutes_n: i64,
}

/// The indicators per township and activity day of everything in the
/// run's period: the unit the cockpit stores (`super::cockpit`). The
/// overdue count is of the cases in the run's overdue clues.
pub(crate) fn day_rows(run: &Run) -> BTreeMap<(String, NaiveDate), DayRow> {
    let overdue: HashSet<&str> = run
        .clues
        .iter()
        .filter(|c| OVERDUE_MODELS.contains(&c.model.as_str()))
        .flat_map(|c| c.cases.iter().map(String::as_str))
        .collect();
    let mut by: BTreeMap<(String, NaiveDate), DayRow> = BTreeMap::new();
    let data = &run.data;
    for c in &data.cases {
        let Some(d) = run.days.get(&c.case_id) else {
            continue;
        };
        let row = slot(&mut by, &c.township, *d);
        count_case(row, c, overdue.contains(c.case_id.as_str()));
    }
    for c in &data.normal {
        let Some(d) = run.days.get(&c.case_id) else {
            continue;
        };
        count_normal(
            &mut slot(&mut by, &c.township, *d).ind,
            c,
            overdue.contains(c.case_id.as_str()),
        );
    }
    for i in &data.inspections {
        let Some(d) = run.days.get(&i.inspection_id) else {
            continue;
        };
        let ind = &mut slot(&mut by, &i.township, *d).ind;
        ind.inspections += 1;
        ind.inspection_items += i.items;
    }
    by
}

fn slot<'a>(
    by: &'a mut BTreeMap<(String, NaiveDate), DayRow>,
    t: &str,
    d: NaiveDate,
) -> &'a mut DayRow {
    by.entry((t.to_owned(), d)).or_insert_with(|| DayRow {
        ind: Indicators {
            township: t.to_owned(),
            ..Indicators::default()
        },
        ..DayRow::default()
    })
}

/// Adds `b` into `a`.
pub(crate) fn add(a: &mut DayRow, b: &DayRow) {
    let (x, y) = (&mut a.ind, &b.ind);
    x.cases += y.cases;
    x.simple += y.simple;
    x.normal += y.normal;
    x.open += y.open;
    x.decided += y.decided;
    x.penalties += y.penalties;
    x.no_penalty += y.no_penalty;
    x.first_violation_no_penalty += y.first_violation_no_penalty;
    x.closed += y.closed;
    x.overdue += y.overdue;
    x.flagged += y.flagged;
    x.voided += y.voided;
    x.fines_fen_information_only += y.fines_fen_information_only;
    x.inspections += y.inspections;
    x.inspection_items += y.inspection_items;
    a.minutes_sum += b.minutes_sum;
    a.minutes_n += b.minutes_n;
}

/// The township's indicators over its days, with the mean minutes.
pub(crate) fn finish(mut row: DayRow) -> Indicators {
    if row.minutes_n > 0 {
        row.ind.avg_minutes_to_decision = Some(row.minutes_sum / row.minutes_n);
    }
    row.ind
}

/// The indicators per township (by code) from its days.
pub(crate) fn sum_days(days: BTreeMap<(String, NaiveDate), DayRow>) -> Vec<Indicators> {
    let mut by: BTreeMap<String, DayRow> = BTreeMap::new();
    for ((t, _), row) in days {
        match by.get_mut(&t) {
            Some(a) => add(a, &row),
            None => {
                by.insert(t, row);
            }
        }
    }
    by.into_values().map(finish).collect()
}

fn count_case(row: &mut DayRow, c: &CaseFacts, overdue: bool) {
    let ind = &mut row.ind;
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
        row.minutes_sum += (d - opened).num_minutes().max(0);
        row.minutes_n += 1;
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
