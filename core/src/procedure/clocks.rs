//! Which clocks a case state has open, each with its start, due day, day
//! type and article, and the nearest deadline with its level (normal,
//! yellow before the due day, red after it).

use chrono::NaiveDate;
use serde::Serialize;

use super::apply::{CaseState, money_penalty};
use super::config::ProcedureConfig;
use super::deadline::{self, ClockKind, ClockSense, DayType, Level, WorkCalendar};
use super::error::ProcedureError;
use super::{Outcome, Stage, gates};

/// One running clock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OpenClock {
    /// The clock.
    pub kind: ClockKind,
    /// The day of its start event.
    pub started_on: NaiveDate,
    /// Its last day (or, for a waiting clock, the last day of the wait).
    pub due: NaiveDate,
    /// How it is counted.
    pub day_type: DayType,
    /// Deadline or waiting period.
    pub sense: ClockSense,
    /// The article(s), in Chinese.
    pub basis: String,
    /// Whether the count rests on an estimated calendar year.
    pub estimated: bool,
    /// Which 先行登记保存 or 查封扣押, for those clocks.
    pub index: Option<usize>,
}

/// The nearest deadline and how urgent it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Alert {
    /// The clock.
    pub clock: OpenClock,
    /// Normal, yellow or red on the day asked.
    pub level: Level,
}

fn clock(
    kind: ClockKind,
    from: NaiveDate,
    index: Option<usize>,
    extra_days: u32,
    config: &ProcedureConfig,
    cal: &dyn WorkCalendar,
) -> Result<OpenClock, ProcedureError> {
    let mut p = deadline::period(kind, config);
    p.length += extra_days;
    let d = deadline::due(&p, from, cal, config)?;
    Ok(OpenClock {
        kind,
        started_on: from,
        due: d.due,
        day_type: p.day_type,
        sense: p.sense,
        basis: p.basis,
        estimated: d.estimated,
        index,
    })
}

/// The clocks open in `state`.
pub fn open_clocks(
    state: &CaseState,
    config: &ProcedureConfig,
    cal: &dyn WorkCalendar,
) -> Result<Vec<OpenClock>, ProcedureError> {
    let mut out = Vec::new();
    if state.stage.is_terminal() || matches!(state.stage, Stage::Closed | Stage::Revoked) {
        return Ok(out);
    }
    let add = |out: &mut Vec<OpenClock>,
               kind: ClockKind,
               from: NaiveDate,
               index: Option<usize>,
               extra: u32|
     -> Result<(), ProcedureError> {
        out.push(clock(kind, from, index, extra, config, cal)?);
        Ok(())
    };
    // Art. 54: 立案 after 发现.
    if state.stage == Stage::CaseSource
        && let Some(d) = state.discovered_on
    {
        add(&mut out, ClockKind::Filing, d, None, 0)?;
    }
    // Art. 60: the decision within 90 days (+ extension).
    if state.decision.is_none()
        && let Some(f) = state.filed_on
    {
        add(&mut out, ClockKind::Decision, f, None, state.extension_days)?;
    }
    // Art. 56: 7 working days per 先行登记保存.
    for (i, m) in state.saves.iter().enumerate() {
        if m.disposed_on.is_none() {
            add(&mut out, ClockKind::RegistrationSave, m.on, Some(i), 0)?;
        }
    }
    // 行政强制法 Art. 25: 30 (+30) days per 查封扣押.
    for (i, m) in state.seizures.iter().enumerate() {
        if m.disposed_on.is_none() {
            add(&mut out, ClockKind::Seizure, m.on, Some(i), m.extended_days)?;
        }
    }
    if state.decision.is_none()
        && let Some(t) = &state.told
    {
        // Art. 44, 45: the 陈述申辩 period.
        if !state.statement_heard && !state.statement_waived {
            add(&mut out, ClockKind::Statement, t.on, None, 0)?;
        }
        // Art. 64(一): the hearing request.
        if t.hearing_offered && state.hearing.is_none() && !state.hearing_waived {
            add(&mut out, ClockKind::HearingRequest, t.on, None, 0)?;
        }
        // Art. 64(二): the notice before a scheduled hearing; the clock
        // starts at the request (the due day counts back from the hearing).
        if let Some(h) = &state.hearing
            && h.held_on.is_none()
            && let Some(day) = h.hearing_on
        {
            let latest = gates::due_of(ClockKind::HearingNotice, day, config, cal)?;
            let p = deadline::period(ClockKind::HearingNotice, config);
            out.push(OpenClock {
                kind: ClockKind::HearingNotice,
                started_on: h.requested_on,
                due: latest,
                day_type: p.day_type,
                sense: p.sense,
                basis: p.basis,
                estimated: cal.year_estimated(chrono::Datelike::year(&latest)),
                index: None,
            });
        }
    }
    // Art. 58: the review turnaround.
    if state.decision.is_none()
        && state.legal_review.is_none()
        && let Some(sub) = state.legal_review_submitted_on
    {
        add(&mut out, ClockKind::LegalReview, sub, None, 0)?;
    }
    if let Some(d) = &state.decision {
        let transfer = d.outcome == Outcome::Transfer;
        // Art. 61: service within 7 working days.
        if state.served_on.is_none() && !transfer {
            add(&mut out, ClockKind::Service, d.on, None, 0)?;
        }
        // Art. 48 / 118号: publication.
        if d.outcome.penalty().is_some()
            && state.published_on.is_none()
            && config.publication_working_days.is_some()
        {
            add(&mut out, ClockKind::Publication, d.on, None, 0)?;
        }
    }
    if money_penalty(state) > 0 && state.paid_on.is_none() {
        if let Some(served) = state.served_on {
            // Art. 67 / 66 ¶2: payment, or the approved deferral.
            match state.deferred_until {
                Some(until) => out.push(OpenClock {
                    kind: ClockKind::Payment,
                    started_on: served,
                    due: until,
                    day_type: DayType::CalendarDays,
                    sense: ClockSense::Deadline,
                    basis: "《行政处罚法》第六十六条第二款".to_owned(),
                    estimated: false,
                    index: None,
                }),
                None => add(&mut out, ClockKind::Payment, served, None, 0)?,
            }
            // Art. 72(一): the surcharge runs from the day after the due day.
            if let Some(due) = gates::payment_due(state, config, cal)? {
                add(&mut out, ClockKind::Surcharge, due, None, 0)?;
            }
        }
        // 行政强制法 Art. 54 + 69: the wait after the 催告书.
        if let Some(r) = state.reminded_on
            && state.court_applied_on.is_none()
        {
            add(&mut out, ClockKind::Reminder, r, None, 0)?;
        }
        // 行政强制法 Art. 53: the court application.
        if state.court_applied_on.is_none()
            && let Some(end) = gates::remedy_end(state, config, cal)?
        {
            add(&mut out, ClockKind::CourtApplication, end, None, 0)?;
        }
    }
    Ok(out)
}

/// The nearest open deadline (waiting periods are not deadlines) and its
/// level on `today`.
pub fn nearest(
    state: &CaseState,
    today: NaiveDate,
    config: &ProcedureConfig,
    cal: &dyn WorkCalendar,
) -> Result<Option<Alert>, ProcedureError> {
    Ok(open_clocks(state, config, cal)?
        .into_iter()
        .filter(|c| c.sense == ClockSense::Deadline)
        .min_by_key(|c| c.due)
        .map(|clock| Alert {
            level: deadline::level(clock.due, today, config),
            clock,
        }))
}
