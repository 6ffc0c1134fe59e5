//! The supervision cockpit's stored answer (issue 18 done-when 2;
//! migrations 0019 and 0025): the full recomputation ([`recompute`])
//! leaves, per township, its running totals for every day of the stored
//! period (`supervise_running`: the sums of its activity days from the
//! period's first day through that day) and the days of each clue it
//! found (`supervise_clue_day`); a cockpit query ([`answer`]) takes, per
//! township of its scope, the totals on its last day less those on the
//! day before its first — two exact lookups per township whatever the
//! period's length — and reads those clues instead of loading the facts
//! and running the models.
//!
//! Every indicator is a sum over single cases (the overdue count included:
//! the six overdue models judge each case alone), so the difference of a
//! township's running totals is exactly the figures `report::report`
//! computes, for any scope and any period inside the stored one;
//! `report::day_rows` is the one function both use.
//!
//! The open clocks of the open normal-procedure cases are stored too, per
//! township, as the deadline monitor folds them on the stored day
//! (`supervise_open_clock`); a query adds the pending 复查 clocks live.
//!
//! Keeping up: changing a case's facts or a normal-procedure case marks
//! its township (`super::dirty`); a query first refreshes the marked
//! townships of its scope ([`refresh_dirty`]): their days again, the
//! clues of every model that judges a township's cases alone, and their
//! open clocks. The four
//! models that compare a case with others beyond its township
//! ([`GROUP_MODELS`]: 同案不同罚 twice, the officer's leniency, the repeat
//! party) are found by the full recomputation only, which the server
//! repeats every [`RECOMPUTE_EVERY_MINUTES`] and when the day changes
//! ([`upkeep`]). Their clues are the city's: a township's fines are judged
//! against its whole district, as the models' groups say (a
//! `report::report` of one township sees only that township's fines).
//!
//! A query the stored answer does not serve — nothing stored yet, another
//! day, a period outside the stored one, other model settings — is
//! answered by `report::report`, as before.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Datelike, NaiveDate, Utc};

use super::deadlines::{DeadlineItem, Deadlines, Unavailable, case_clocks, with_rechecks};
use super::report::{
    DayRow, Indicators, Report, Run, assemble, check_period, day_rows, finish, report, run,
    sum_days,
};
use super::{Clue, Config, SuperviseError, facts, scope_where};
use crate::record::ts;
use crate::store::Db;
use crate::store::sql::{Conn, Val, p};

/// The models whose clues depend on cases outside the clue's township:
/// found by the full recomputation only.
pub const GROUP_MODELS: [&str; 4] = [
    "peer_dispersion",
    "township_median_shift",
    "officer_leniency",
    "repeat_party_first_violation",
];

/// How often the server recomputes everything (minutes): the freshness of
/// [`GROUP_MODELS`]' clues. A design choice, not a rule.
pub const RECOMPUTE_EVERY_MINUTES: i64 = 15;

/// What the stored rows are of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    /// The period's first day.
    pub from: NaiveDate,
    /// Its last day.
    pub to: NaiveDate,
    /// The day the clocks were judged on.
    pub as_of: NaiveDate,
    /// The models' settings, JSON.
    pub config: String,
    /// When (RFC 3339).
    pub computed_at: String,
}

/// Where an answer came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Served {
    /// The stored days and clues.
    Stored,
    /// `report::report` (the stored answer does not cover the query).
    Recomputed,
}

fn config_json(cfg: &Config) -> Result<String, SuperviseError> {
    serde_json::to_string(cfg).map_err(|e| SuperviseError::Corrupt(e.to_string()))
}

fn parse_day(s: &str) -> Result<NaiveDate, SuperviseError> {
    s.parse()
        .map_err(|e| SuperviseError::Corrupt(format!("date {s:?}: {e}")))
}

/// What is stored, if anything.
pub fn stored(c: &mut dyn Conn) -> Result<Option<Stored>, SuperviseError> {
    let Some(r) = c.query_opt(
        "SELECT from_day, to_day, as_of, config, computed_at FROM supervise_cockpit WHERE id = 1",
        &[],
    )?
    else {
        return Ok(None);
    };
    Ok(Some(Stored {
        from: parse_day(&r.get::<String>(0)?)?,
        to: parse_day(&r.get::<String>(1)?)?,
        as_of: parse_day(&r.get::<String>(2)?)?,
        config: r.get(3)?,
        computed_at: r.get(4)?,
    }))
}

/// The running rows per statement (19 parameters each; within SQLite's
/// 32,766 and PostgreSQL's 65,535 parameters).
const ROWS_PAGE: usize = 1000;

/// The stored counts of a running row, in [`COLUMNS`]' order after the
/// township and the day.
const COUNTS: usize = 17;

const COLUMNS: &str = "township, day, cases, simple, normal, open, decided, penalties, no_penalty,
    first_violation_no_penalty, closed, overdue, flagged, voided, minutes_sum, minutes_n, fines_fen,
    inspections, inspection_items";

fn counts(r: &DayRow) -> [i64; COUNTS] {
    let x = &r.ind;
    let n = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
    [
        n(x.cases),
        n(x.simple),
        n(x.normal),
        n(x.open),
        n(x.decided),
        n(x.penalties),
        n(x.no_penalty),
        n(x.first_violation_no_penalty),
        n(x.closed),
        n(x.overdue),
        n(x.flagged),
        n(x.voided),
        r.minutes_sum,
        r.minutes_n,
        x.fines_fen_information_only,
        n(x.inspections),
        x.inspection_items,
    ]
}

fn row_of(township: String, v: &[i64; COUNTS]) -> DayRow {
    let n = |i: usize| u64::try_from(v[i]).unwrap_or(0);
    DayRow {
        ind: Indicators {
            township,
            cases: n(0),
            simple: n(1),
            normal: n(2),
            open: n(3),
            decided: n(4),
            penalties: n(5),
            no_penalty: n(6),
            first_violation_no_penalty: n(7),
            closed: n(8),
            overdue: n(9),
            flagged: n(10),
            voided: n(11),
            avg_minutes_to_decision: None,
            fines_fen_information_only: v[14],
            inspections: n(15),
            inspection_items: v[16],
        },
        minutes_sum: v[12],
        minutes_n: v[13],
    }
}

/// Stores the running totals of `rows` (the day rows of one or more
/// townships): for every township with a row, one row for every day of
/// `from ..= to` holding the sums of its days from `from` through that
/// day. Dense, so that any period inside is two exact lookups per
/// township ([`stored_indicators`]).
fn insert_running(
    c: &mut dyn Conn,
    rows: &BTreeMap<(String, NaiveDate), DayRow>,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<(), SuperviseError> {
    let townships: BTreeSet<&str> = rows.keys().map(|(t, _)| t.as_str()).collect();
    let mut all: Vec<(&str, String, [i64; COUNTS])> = Vec::new();
    for t in townships {
        let mut sum = [0i64; COUNTS];
        for d in from.iter_days().take_while(|d| *d <= to) {
            if let Some(r) = rows.get(&(t.to_owned(), d)) {
                for (a, b) in sum.iter_mut().zip(counts(r)) {
                    *a += b;
                }
            }
            all.push((t, d.to_string(), sum));
        }
    }
    for page in all.chunks(ROWS_PAGE) {
        let mut vals: Vec<Val<'_>> = Vec::with_capacity(page.len() * (COUNTS + 2));
        let mut tuples = Vec::with_capacity(page.len());
        for (i, (t, d, sum)) in page.iter().enumerate() {
            let b = i * (COUNTS + 2);
            tuples.push(format!(
                "({})",
                (1..=COUNTS + 2)
                    .map(|k| format!("?{}", b + k))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
            vals.push(Val::Text(t));
            vals.push(Val::Text(d));
            vals.extend(sum.iter().map(|v| Val::Int(*v)));
        }
        c.exec(
            &format!(
                "INSERT INTO supervise_running ({COLUMNS}) VALUES {}",
                tuples.join(", ")
            ),
            &vals,
        )?;
    }
    Ok(())
}

/// The clue days per statement.
const CLUE_PAGE: usize = 1000;

/// The (township, day, clue, model) rows of `clues`: each clue on every
/// activity day of its cases in the run's period.
fn insert_clue_days(
    c: &mut dyn Conn,
    clues: &[Clue],
    days: &HashMap<String, NaiveDate>,
) -> Result<(), SuperviseError> {
    let mut rows: BTreeSet<(&str, String, &str, &str)> = BTreeSet::new();
    for clue in clues {
        for d in clue.cases.iter().filter_map(|id| days.get(id)) {
            rows.insert((&clue.township, d.to_string(), &clue.id, &clue.model));
        }
    }
    let all: Vec<_> = rows.into_iter().collect();
    for page in all.chunks(CLUE_PAGE) {
        let mut vals: Vec<Val<'_>> = Vec::with_capacity(page.len() * 4);
        let mut tuples = Vec::with_capacity(page.len());
        for (i, (t, d, id, m)) in page.iter().enumerate() {
            let b = i * 4;
            tuples.push(format!("(?{}, ?{}, ?{}, ?{})", b + 1, b + 2, b + 3, b + 4));
            vals.extend([Val::Text(t), Val::Text(d), Val::Text(id), Val::Text(m)]);
        }
        c.exec(
            &format!(
                "INSERT INTO supervise_clue_day (township, day, clue_id, model) VALUES {}
                 ON CONFLICT (township, day, clue_id) DO NOTHING",
                tuples.join(", ")
            ),
            &vals,
        )?;
    }
    Ok(())
}

fn dirty_marks(c: &mut dyn Conn, scope: &str) -> Result<Vec<(String, String)>, SuperviseError> {
    let (cond, args) = scope_where(scope, None, 1);
    let vals: Vec<Val<'_>> = args.iter().map(|a| Val::Text(a)).collect();
    let rows = c.query(
        &format!("SELECT township, mark FROM supervise_dirty WHERE {cond} ORDER BY township"),
        &vals,
    )?;
    rows.iter()
        .map(|r| Ok((r.get(0)?, r.get(1)?)))
        .collect::<Result<_, SuperviseError>>()
}

fn clear_mark(c: &mut dyn Conn, township: &str, mark: &str) -> Result<(), SuperviseError> {
    c.exec(
        "DELETE FROM supervise_dirty WHERE township = ?1 AND mark = ?2",
        p![township, mark],
    )?;
    Ok(())
}

/// Stores the open clocks of the open normal-procedure cases under `scope`
/// on `as_of`, one row per township, in place of that scope's rows; the
/// case clocks, for the caller's answer.
fn store_clocks(
    c: &mut dyn Conn,
    k: &crate::record::Keeper,
    scope: &str,
    as_of: NaiveDate,
) -> Result<(Vec<DeadlineItem>, Vec<Unavailable>), SuperviseError> {
    let (items, unavailable) = case_clocks(c, k, scope, as_of)?;
    let (cond, args) = scope_where(scope, None, 1);
    let vals: Vec<Val<'_>> = args.iter().map(|a| Val::Text(a)).collect();
    c.exec(
        &format!("DELETE FROM supervise_open_clock WHERE {cond}"),
        &vals,
    )?;
    let mut by: BTreeMap<&str, (Vec<&DeadlineItem>, Vec<&Unavailable>)> = BTreeMap::new();
    for i in &items {
        by.entry(&i.township).or_default().0.push(i);
    }
    for u in &unavailable {
        by.entry(&u.township).or_default().1.push(u);
    }
    for (t, (i, u)) in &by {
        let (i, u) = (to_json(i)?, to_json(u)?);
        c.exec(
            "INSERT INTO supervise_open_clock (township, items, unavailable) VALUES (?1, ?2, ?3)",
            p![*t, i.as_str(), u.as_str()],
        )?;
    }
    Ok((items, unavailable))
}

fn to_json<T: serde::Serialize>(v: &T) -> Result<String, SuperviseError> {
    serde_json::to_string(v).map_err(|e| SuperviseError::Corrupt(e.to_string()))
}

/// The deadline monitor of `scope` from the stored open clocks (judged on
/// the stored day) and the pending 复查s.
fn stored_deadlines(
    c: &mut dyn Conn,
    scope: &str,
    as_of: NaiveDate,
) -> Result<Deadlines, SuperviseError> {
    let (cond, args) = scope_where(scope, None, 1);
    let vals: Vec<Val<'_>> = args.iter().map(|a| Val::Text(a)).collect();
    let rows = c.query(
        &format!(
            "SELECT items, unavailable FROM supervise_open_clock WHERE {cond} ORDER BY township"
        ),
        &vals,
    )?;
    let (mut items, mut unavailable) = (Vec::new(), Vec::new());
    let corrupt = |e: serde_json::Error| SuperviseError::Corrupt(e.to_string());
    for r in &rows {
        items.extend(
            serde_json::from_str::<Vec<DeadlineItem>>(&r.get::<String>(0)?).map_err(corrupt)?,
        );
        unavailable.extend(
            serde_json::from_str::<Vec<Unavailable>>(&r.get::<String>(1)?).map_err(corrupt)?,
        );
    }
    with_rechecks(c, scope, as_of, items, unavailable)
}

/// The full recomputation: refreshes the facts, runs every model over the
/// whole city for `from ..= to` judged on `as_of`, remembers the clues
/// (`now`), stores every township's days and every clue's days in place of
/// the old ones, and clears the marks it has seen. The city's report.
pub fn recompute(
    db: &Db,
    from: NaiveDate,
    to: NaiveDate,
    as_of: NaiveDate,
    now: DateTime<Utc>,
    cfg: &Config,
) -> Result<Report, SuperviseError> {
    check_period("", from, to)?;
    facts::refresh(db)?;
    // Marks made from here on stay: their change may be missed below.
    let marks = db.read_as(|c| dirty_marks(c, ""))?;
    let run = run(db, "", from, to, as_of, cfg, &|_| true)?;
    db.write_as(|c| super::clues::remember(c, &run.clues, now))?;
    let rows = day_rows(&run);
    let config = config_json(cfg)?;
    let (items, unavailable) = db.write_as(|c| {
        c.exec("DELETE FROM supervise_running", &[])?;
        c.exec("DELETE FROM supervise_clue_day", &[])?;
        insert_running(c, &rows, from, to)?;
        insert_clue_days(c, &run.clues, &run.days)?;
        c.exec(
            "INSERT INTO supervise_cockpit (id, from_day, to_day, as_of, config, computed_at)
             VALUES (1, ?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (id) DO UPDATE SET from_day = excluded.from_day, to_day = excluded.to_day,
                 as_of = excluded.as_of, config = excluded.config, computed_at = excluded.computed_at",
            p![
                from.to_string(),
                to.to_string(),
                as_of.to_string(),
                config.as_str(),
                ts(now)
            ],
        )?;
        for (t, m) in &marks {
            clear_mark(c, t, m)?;
        }
        store_clocks(c, db.keeper(), "", as_of)
    })?;
    let deadlines =
        db.read_as(|c| with_rechecks(c, "", as_of, items.clone(), unavailable.clone()))?;
    let Run { clues, .. } = run;
    Ok(assemble(
        "",
        from,
        to,
        as_of,
        sum_days(rows),
        clues,
        deadlines,
    ))
}

/// Refreshes the stored days of the marked townships under `scope`: their
/// days again, and the clues of the models that judge a township alone;
/// how many townships. Nothing when nothing is stored.
pub fn refresh_dirty(db: &Db, scope: &str, now: DateTime<Utc>) -> Result<usize, SuperviseError> {
    let Some(s) = db.read_as(stored)? else {
        return Ok(0);
    };
    let cfg: Config =
        serde_json::from_str(&s.config).map_err(|e| SuperviseError::Corrupt(e.to_string()))?;
    let marks = db.read_as(|c| dirty_marks(c, scope))?;
    for (township, mark) in &marks {
        let run = run(db, township, s.from, s.to, s.as_of, &cfg, &|m| {
            !GROUP_MODELS.contains(&m)
        })?;
        db.write_as(|c| super::clues::remember(c, &run.clues, now))?;
        let rows = day_rows(&run);
        db.write_as(|c| {
            c.exec(
                "DELETE FROM supervise_running WHERE township = ?1",
                p![township],
            )?;
            insert_running(c, &rows, s.from, s.to)?;
            let (keep, args): (Vec<String>, Vec<Val<'_>>) = GROUP_MODELS
                .iter()
                .enumerate()
                .map(|(i, m)| (format!("?{}", i + 2), Val::Text(m)))
                .unzip();
            let mut vals = vec![Val::Text(township)];
            vals.extend(args);
            c.exec(
                &format!(
                    "DELETE FROM supervise_clue_day WHERE township = ?1 AND model NOT IN ({})",
                    keep.join(", ")
                ),
                &vals,
            )?;
            insert_clue_days(c, &run.clues, &run.days)?;
            store_clocks(c, db.keeper(), township, s.as_of)?;
            clear_mark(c, township, mark)
        })?;
    }
    Ok(marks.len())
}

/// Whether the stored answer serves a query.
fn covers(s: &Stored, from: NaiveDate, to: NaiveDate, as_of: NaiveDate, cfg: &str) -> bool {
    s.as_of == as_of && s.from <= from && to <= s.to && s.config == cfg
}

/// The cockpit's report of `scope` for `from ..= to` on `as_of`: from the
/// stored days and clues (the marked townships of the scope refreshed
/// first) when they cover the query, else `report::report`; and where it
/// came from.
pub fn answer(
    db: &Db,
    scope: &str,
    from: NaiveDate,
    to: NaiveDate,
    as_of: NaiveDate,
    now: DateTime<Utc>,
    cfg: &Config,
) -> Result<(Report, Served), SuperviseError> {
    answer_with(db, scope, from, to, as_of, now, cfg, None)
}

/// The most clues the console's cockpit lists in one answer: the rest are
/// counted (per model and in all), and a narrower scope or period lists
/// them. A city's year holds tens of thousands (docs/BENCHMARKS.md); a
/// design choice, not a rule.
pub const COCKPIT_CLUES: usize = 100;

/// [`answer`] listing at most `max_clues` clues (`None`: all): the first
/// by township, model and id, with every model's count and the total
/// still of all the period's clues. Served from the stored days, the
/// clues beyond are never read.
#[allow(clippy::too_many_arguments)] // the report's own parameters and the cap
pub fn answer_with(
    db: &Db,
    scope: &str,
    from: NaiveDate,
    to: NaiveDate,
    as_of: NaiveDate,
    now: DateTime<Utc>,
    cfg: &Config,
    max_clues: Option<usize>,
) -> Result<(Report, Served), SuperviseError> {
    check_period(scope, from, to)?;
    facts::refresh(db)?;
    let config = config_json(cfg)?;
    let serves = db
        .read_as(stored)?
        .is_some_and(|s| covers(&s, from, to, as_of, &config));
    if !serves {
        let mut r = report(db, scope, from, to, as_of, now, cfg)?;
        if let Some(max) = max_clues {
            r.clues.sort_by(|a, b| {
                (&a.township, &a.model, &a.id).cmp(&(&b.township, &b.model, &b.id))
            });
            r.clues.truncate(max);
            r.clues.sort_by(report_order);
        }
        return Ok((r, Served::Recomputed));
    }
    refresh_dirty(db, scope, now)?;
    let (indicators, clues, counts) = db.read_as(|c| {
        let indicators = stored_indicators(c, scope, from, to)?;
        let (clues, counts) = match max_clues {
            Some(max) => {
                let (page, counts) = stored_clue_page(c, scope, from, to, max)?;
                (page, Some(counts))
            }
            None => (stored_clues(c, scope, from, to)?, None),
        };
        Ok::<_, SuperviseError>((indicators, clues, counts))
    })?;
    let deadlines = db.read_as(|c| stored_deadlines(c, scope, as_of))?;
    let mut r = assemble(scope, from, to, as_of, indicators, clues, deadlines);
    if let Some(counts) = counts {
        for m in &mut r.models {
            m.clues = counts.get(&m.name).copied().unwrap_or(0);
        }
        r.clues_total = counts.values().sum();
    }
    Ok((r, Served::Stored))
}

/// The report's order of clues: by township, model and cases.
fn report_order(a: &Clue, b: &Clue) -> std::cmp::Ordering {
    (&a.township, &a.model, &a.cases).cmp(&(&b.township, &b.model, &b.cases))
}

/// The console's cockpit: [`answer_with`] at most [`COCKPIT_CLUES`] clues,
/// without where it came from.
pub fn cockpit(
    db: &Db,
    scope: &str,
    from: NaiveDate,
    to: NaiveDate,
    as_of: NaiveDate,
    now: DateTime<Utc>,
    cfg: &Config,
) -> Result<Report, SuperviseError> {
    answer_with(db, scope, from, to, as_of, now, cfg, Some(COCKPIT_CLUES)).map(|(r, _)| r)
}

/// The indicators of `scope` in `from ..= to` (inside the stored period)
/// per township: its running totals on `to` less those on the day before
/// `from` (none before the stored period's first day: zero). A township
/// with nothing in the period is left out, as `report::report` leaves it.
pub fn stored_indicators(
    c: &mut dyn Conn,
    scope: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<Indicators>, SuperviseError> {
    let before = from.pred_opt().unwrap_or(from);
    let (cond, mut args) = scope_where(scope, None, 3);
    args.splice(0..0, [before.to_string(), to.to_string()]);
    let vals: Vec<Val<'_>> = args.iter().map(|a| Val::Text(a)).collect();
    let cols: Vec<&str> = COLUMNS.split(',').map(str::trim).skip(2).collect();
    let rows = c.query(
        &format!(
            "SELECT township, day, {} FROM supervise_running
             WHERE {cond} AND day IN (?1, ?2)",
            cols.join(", ")
        ),
        &vals,
    )?;
    let (before, to) = (before.to_string(), to.to_string());
    // (running on the day before `from`, running on `to`) per township.
    let mut by: BTreeMap<String, ([i64; COUNTS], [i64; COUNTS])> = BTreeMap::new();
    for r in &rows {
        let day: String = r.get(1)?;
        let mut v = [0i64; COUNTS];
        for (i, x) in v.iter_mut().enumerate() {
            *x = r.get(i + 2)?;
        }
        let slot = by.entry(r.get(0)?).or_default();
        if day == to {
            slot.1 = v;
        } else if day == before {
            slot.0 = v;
        }
    }
    Ok(by
        .into_iter()
        .filter_map(|(t, (start, end))| {
            let mut d = [0i64; COUNTS];
            for (i, x) in d.iter_mut().enumerate() {
                *x = end[i] - start[i];
            }
            // Every case adds to `cases` or `voided`, every inspection to
            // `inspections`: all zero means nothing in the period.
            (d.iter().any(|x| *x != 0)).then(|| finish(row_of(t, &d)))
        })
        .collect())
}

/// The stored clues of `scope` with a case in `from ..= to`, ordered as
/// the report orders them.
pub fn stored_clues(
    c: &mut dyn Conn,
    scope: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<Clue>, SuperviseError> {
    let (cond, mut args) = scope_where(scope, None, 3);
    args.splice(0..0, [from.to_string(), to.to_string()]);
    let vals: Vec<Val<'_>> = args.iter().map(|a| Val::Text(a)).collect();
    let rows = c.query(
        &format!(
            "SELECT clue_id, model, township, cases, reason FROM supervise_clue
             WHERE clue_id IN (SELECT clue_id FROM supervise_clue_day
                               WHERE {cond} AND day >= ?1 AND day <= ?2)"
        ),
        &vals,
    )?;
    let mut clues = rows.iter().map(clue_of).collect::<Result<Vec<_>, _>>()?;
    clues.sort_by(report_order);
    Ok(clues)
}

fn clue_of(r: &crate::store::sql::Row) -> Result<Clue, SuperviseError> {
    Ok(Clue {
        id: r.get(0)?,
        model: r.get(1)?,
        township: r.get(2)?,
        cases: serde_json::from_str(&r.get::<String>(3)?)
            .map_err(|e| SuperviseError::Corrupt(e.to_string()))?,
        reason: r.get(4)?,
    })
}

/// The first `max` stored clues of `scope` with a case in `from ..= to`
/// (by township, model and id in the database's order), listed as the
/// report lists them, and how many clues each model has there in all.
pub fn stored_clue_page(
    c: &mut dyn Conn,
    scope: &str,
    from: NaiveDate,
    to: NaiveDate,
    max: usize,
) -> Result<(Vec<Clue>, BTreeMap<String, u64>), SuperviseError> {
    let (cond, mut args) = scope_where(scope, None, 3);
    args.splice(0..0, [from.to_string(), to.to_string()]);
    let vals: Vec<Val<'_>> = args.iter().map(|a| Val::Text(a)).collect();
    let counts = c
        .query(
            &format!(
                "SELECT model, COUNT(*) FROM (SELECT DISTINCT model, clue_id FROM supervise_clue_day
                 WHERE {cond} AND day >= ?1 AND day <= ?2) listed GROUP BY model"
            ),
            &vals,
        )?
        .iter()
        .map(|r| {
            let n: i64 = r.get(1)?;
            Ok((r.get(0)?, u64::try_from(n).unwrap_or(0)))
        })
        .collect::<Result<BTreeMap<String, u64>, SuperviseError>>()?;
    // The page's ids from the index on (township, model, clue_id, day),
    // which yields them in order: only the first `max` are read.
    let ids = c.query(
        &format!(
            "SELECT township, model, clue_id FROM supervise_clue_day
             WHERE {cond} AND day >= ?1 AND day <= ?2
             GROUP BY township, model, clue_id ORDER BY township, model, clue_id LIMIT {max}"
        ),
        &vals,
    )?;
    let ids: Vec<String> = ids.iter().map(|r| r.get(2)).collect::<Result<_, _>>()?;
    if ids.is_empty() {
        return Ok((Vec::new(), counts));
    }
    let marks: Vec<String> = (1..=ids.len()).map(|i| format!("?{i}")).collect();
    let id_vals: Vec<Val<'_>> = ids.iter().map(|i| Val::Text(i)).collect();
    let rows = c.query(
        &format!(
            "SELECT clue_id, model, township, cases, reason FROM supervise_clue WHERE clue_id IN ({})",
            marks.join(", ")
        ),
        &id_vals,
    )?;
    let mut clues = rows.iter().map(clue_of).collect::<Result<Vec<_>, _>>()?;
    clues.sort_by(report_order);
    Ok((clues, counts))
}

/// The server's upkeep (every minute): the full recomputation of this year
/// (Beijing) when nothing is stored, the stored answer is of another day
/// or year or older than [`RECOMPUTE_EVERY_MINUTES`]; else the marked
/// townships. Whether it recomputed.
pub fn upkeep(db: &Db, now: DateTime<Utc>) -> Result<bool, SuperviseError> {
    let today = super::report::beijing_today(now);
    let (from, to) = (
        NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today),
        NaiveDate::from_ymd_opt(today.year(), 12, 31).unwrap_or(today),
    );
    let cfg = Config::default();
    let config = config_json(&cfg)?;
    let fresh = db.read_as(stored)?.is_some_and(|s| {
        let age = DateTime::parse_from_rfc3339(&s.computed_at)
            .map(|t| now.signed_duration_since(t).num_minutes())
            .unwrap_or(i64::MAX);
        s.from == from
            && s.to == to
            && covers(&s, from, to, today, &config)
            && age < RECOMPUTE_EVERY_MINUTES
    });
    if fresh {
        facts::refresh(db)?;
        refresh_dirty(db, "", now)?;
        return Ok(false);
    }
    recompute(db, from, to, today, now, &cfg)?;
    Ok(true)
}
