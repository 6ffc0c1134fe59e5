//! Properties of the normal-procedure core (issue 16, done-when 1):
//!
//! - no event sequence reaches a decision, service or 结案 without every
//!   statutory act and approval it needs (oracles written from the
//!   articles, checked on every accepted state of mutated scripts);
//! - an illegal step changes nothing;
//! - the log is append-only: folding any prefix gives the state at that
//!   point;
//! - a revocation (Art. 48 ¶2) needs a decision, and only 归档 follows it;
//! - every deadline is computed from its start event: moving the start
//!   moves the due day the same way, working-day periods never end on a
//!   rest day, calendar periods ending on a rest day roll forward.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod procedure_support;

use chrono::{Datelike, Days, NaiveDate};
use procedure_support::*;
use proptest::prelude::*;
use zhifa_core::procedure::deadline::{self, ClockKind, ClockSense, DayType, WorkCalendar};
use zhifa_core::procedure::{
    CaseFlags, CaseState, EventKind, Outcome, PartyKind, PenaltyKind, ProcedureConfig,
    ProcedureEvent, ProcedureLog, Role, Stage, apply, fold, gates,
};

const ALL_KINDS: [ClockKind; 15] = [
    ClockKind::Filing,
    ClockKind::Decision,
    ClockKind::RegistrationSave,
    ClockKind::Seizure,
    ClockKind::Statement,
    ClockKind::HearingRequest,
    ClockKind::HearingNotice,
    ClockKind::LegalReview,
    ClockKind::Service,
    ClockKind::Publication,
    ClockKind::PublicationWithdrawal,
    ClockKind::Payment,
    ClockKind::Surcharge,
    ClockKind::Reminder,
    ClockKind::CourtApplication,
];

fn plan_strategy() -> impl Strategy<Value = Plan> {
    (
        0u64..700,
        any::<bool>(),
        prop_oneof![10_000i64..500_000, 500_000i64..6_000_000],
        prop::option::of(prop_oneof![
            Just(PenaltyKind::Warning),
            Just(PenaltyKind::StopProduction),
            Just(PenaltyKind::RevokeLicence)
        ]),
        prop::sample::subsequence(vec!["public_interest", "major_rights", "complex"], 0..=2),
        any::<bool>(),
        prop_oneof![
            Just(Answer::Heard),
            Just(Answer::Waived),
            Just(Answer::Lapsed),
            Just(Answer::Hearing)
        ],
        any::<bool>(),
        0i64..3,
        any::<bool>(),
    )
        .prop_map(
            |(offset, org, fine, extra, grounds, major, answer, preserve, more, publish)| Plan {
                start: d(2025, 1, 6).checked_add_days(Days::new(offset)).unwrap(),
                party: if org {
                    PartyKind::Organisation
                } else {
                    PartyKind::Citizen
                },
                fine_fen: fine,
                extra_kind: extra,
                flags: CaseFlags {
                    review_grounds: grounds.into_iter().map(str::to_owned).collect(),
                    complex_or_major: major,
                },
                answer,
                preserve,
                // 0: as told; 1: lighter; 2: heavier (must be refused).
                decided_fine_fen: match more {
                    0 => fine,
                    1 => fine / 2 + 1,
                    _ => fine + 100,
                },
                publish,
            },
        )
}

/// A mutation of a script: drop some events, give some to the wrong role,
/// repeat some.
#[derive(Debug, Clone)]
enum Mutation {
    Drop(usize),
    Role(usize, Role),
    Repeat(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (0usize..40).prop_map(Mutation::Drop),
        (
            0usize..40,
            prop_oneof![
                Just(Role::Officer),
                Just(Role::Leader),
                Just(Role::DeputyLeader),
                Just(Role::LegalReviewer),
                Just(Role::CaseReviewer),
                Just(Role::Presider)
            ]
        )
            .prop_map(|(i, r)| Mutation::Role(i, r)),
        (0usize..40).prop_map(Mutation::Repeat),
    ]
}

fn mutate(mut events: Vec<ProcedureEvent>, muts: &[Mutation]) -> Vec<ProcedureEvent> {
    for m in muts {
        if events.is_empty() {
            break;
        }
        match m {
            Mutation::Drop(i) => {
                let i = i % events.len();
                events.remove(i);
            }
            Mutation::Role(i, r) => {
                let i = i % events.len();
                events[i].actor = actor(*r);
            }
            Mutation::Repeat(i) => {
                let i = i % events.len();
                let e = events[i].clone();
                events.insert(i + 1, e);
            }
        }
    }
    events
}

/// The statutory oracle: what every accepted state must satisfy, written
/// from the articles rather than from the code's own gates.
fn check_invariants(s: &CaseState, config: &ProcedureConfig, cal: &dyn WorkCalendar) {
    if let Some(dec) = &s.decision {
        // Art. 54: filed; Art. 57: a proposal the 负责人 approved after an
        // investigation that produced records.
        assert!(s.filed_on.is_some(), "Art. 54: decided without 立案");
        assert!(
            s.investigation_acts > 0,
            "Art. 40/55: decided without any record"
        );
        assert!(
            s.approved.is_some(),
            "Art. 57: decided without the 负责人's approval"
        );
        if let Some(p) = dec.outcome.penalty() {
            let told = s
                .told
                .as_ref()
                .expect("Art. 44/62: penalty decided without 告知");
            // Art. 45 ¶2 / 44: never heavier than told.
            assert!(
                p.fine_fen <= told.penalty.fine_fen,
                "Art. 45 ¶2: heavier fine than told"
            );
            for k in &p.kinds {
                assert!(
                    told.penalty.kinds.contains(k)
                        || (*k == PenaltyKind::Warning && told.penalty.has(PenaltyKind::Criticism)),
                    "Art. 44: kind {k:?} not told"
                );
            }
            // Art. 62: heard, waived, or the period lapsed.
            let statement_due = deadline::due(
                &deadline::period(ClockKind::Statement, config),
                told.on,
                cal,
                config,
            )
            .unwrap()
            .due;
            assert!(
                s.statement_heard || s.statement_waived || dec.on > statement_due,
                "Art. 62: decided before the party was heard"
            );
            // Art. 63: the hearing right was told where it applies.
            if gates::hearing_right(&told.penalty, s.party.unwrap(), config).is_some() {
                assert!(told.hearing_offered, "Art. 63: hearing right not told");
            }
            // Art. 64–65: a requested hearing was held first.
            if let Some(h) = &s.hearing {
                assert!(
                    h.held_on.is_some() || s.hearing_waived,
                    "Art. 65: decided before the requested hearing"
                );
            }
            // Art. 58: review by a qualified reviewer, after any hearing.
            let grounds = !s.flags.review_grounds.is_empty()
                || s.hearing.as_ref().is_some_and(|h| h.held_on.is_some());
            if grounds {
                let r = s
                    .legal_review
                    .as_ref()
                    .expect("Art. 58: decided without 法制审核");
                assert!(
                    !r.qualification.is_empty(),
                    "Art. 58 ¶2: reviewer unqualified"
                );
                if let Some(h) = s.hearing.as_ref().and_then(|h| h.held_on) {
                    assert!(r.on >= h, "Art. 58(二): review before the hearing");
                }
            }
            // Art. 57 ¶2.
            if s.flags.complex_or_major {
                assert!(s.collective_on.is_some(), "Art. 57 ¶2: no 集体讨论");
            }
        }
        // Art. 60.
        let due = deadline::due(
            &deadline::period(ClockKind::Decision, config),
            s.filed_on.unwrap(),
            cal,
            config,
        )
        .unwrap()
        .due;
        let ext = deadline::add_days(due, s.extension_days);
        assert!(dec.on <= ext.max(due), "Art. 60: decided after 90 days");
    }
    if s.served_on.is_some() {
        assert!(s.decision.is_some(), "Art. 61: served without a decision");
    }
    if s.closed_on.is_some() {
        let dec = s.decision.as_ref().expect("结案 without a decision");
        if dec.outcome != Outcome::Transfer {
            assert!(s.served_on.is_some(), "Art. 61: closed unserved");
        }
        if dec.outcome.penalty().is_some_and(|p| p.fine_fen > 0) {
            assert!(
                s.paid_on.is_some() || s.court_applied_on.is_some(),
                "Art. 66/72: closed neither paid nor enforced"
            );
        }
        assert!(
            s.saves
                .iter()
                .chain(&s.seizures)
                .all(|m| m.disposed_on.is_some()),
            "Art. 56 / 行政强制法 Art. 27: closed with open measures"
        );
    }
    if s.stage == Stage::Archived {
        assert!(s.closed_on.is_some(), "Art. 47: archived before 结案");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 160, ..ProptestConfig::default() })]

    /// A complete, lawful script reaches 归档, unless the decision is
    /// heavier than told (then it stops at the decision, refused).
    #[test]
    fn a_lawful_script_reaches_the_archive(plan in plan_strategy()) {
        let cal = calendar();
        let config = ProcedureConfig::default();
        let events = script(&plan, &config);
        let result = fold(&events, &config, &cal);
        if plan.decided_fine_fen > plan.fine_fen {
            let (i, e) = result.unwrap_err();
            let refused_decision = matches!(events[i].kind, EventKind::Decide { .. });
            prop_assert!(refused_decision, "refused at {}", events[i].kind.name());
            prop_assert_eq!(zhifa_core::ErrorCode::code(&e), "PROCEDURE_HEAVIER_THAN_TOLD", "Art. 45 ¶2");
        } else {
            let s = result.map_err(|(i, e)| TestCaseError::fail(format!("event {i} ({}) refused: {e}", events[i].kind.name())))?;
            prop_assert_eq!(s.stage, Stage::Archived);
            check_invariants(&s, &config, &cal);
        }
    }

    /// Over mutated scripts: every accepted state satisfies the statutory
    /// oracle; a refused step changes neither the state nor the log; and
    /// folding any prefix of the log gives the state recorded at that point.
    #[test]
    fn no_sequence_skips_a_statutory_act(
        plan in plan_strategy(),
        muts in prop::collection::vec(mutation(), 1..6),
    ) {
        let cal = calendar();
        let config = ProcedureConfig::default();
        let events = mutate(script(&plan, &config), &muts);
        let mut log = ProcedureLog::new();
        let mut states = vec![log.state().clone()];
        for e in events {
            let before = log.clone();
            match log.append(e, &config, &cal) {
                Ok(s) => {
                    check_invariants(s, &config, &cal);
                    states.push(s.clone());
                }
                Err(_) => prop_assert_eq!(&log, &before, "a refused step changed the log"),
            }
        }
        for (k, expected) in states.iter().enumerate() {
            let s = fold(&log.events()[..k], &config, &cal).unwrap();
            prop_assert_eq!(&s, expected, "prefix {} folds to another state", k);
        }
    }

    /// Moving the start event moves the due day the same way (never
    /// backwards), and working-day clocks end on working days.
    #[test]
    fn deadlines_follow_their_start_event(
        offset in 0u64..880,
        shift in 0u64..60,
        k in 0usize..ALL_KINDS.len(),
    ) {
        let cal = calendar();
        let config = ProcedureConfig::default();
        let kind = ALL_KINDS[k];
        let p = deadline::period(kind, &config);
        let from = d(2025, 1, 2).checked_add_days(Days::new(offset)).unwrap();
        let later = from.checked_add_days(Days::new(shift)).unwrap();
        let a = deadline::due(&p, from, &cal, &config);
        let b = deadline::due(&p, later, &cal, &config);
        let (Ok(a), Ok(b)) = (a, b) else {
            // Only the calendar's end may stop a count, with its code.
            return Ok(());
        };
        prop_assert!(a.due <= b.due, "{kind:?}: a later start gave an earlier due day");
        if kind != ClockKind::HearingNotice {
            prop_assert!(a.due > from, "{kind:?}: due on or before the start (start day not counted)");
        }
        match p.day_type {
            DayType::WorkingDays => {
                prop_assert!(cal.is_working_day(a.due).unwrap(), "Art. 85: {kind:?} ends on a rest day");
                if kind == ClockKind::HearingNotice {
                    // Art. 64(二): notice on the due day leaves 7 working
                    // days before the hearing (counted to the hearing, or
                    // to the first working day after a hearing held on a
                    // rest day); the next working day would not.
                    let hearing = deadline::working_day_on_or_after(&cal, from).unwrap();
                    prop_assert!(deadline::add_working_days(&cal, a.due, p.length).unwrap() <= hearing);
                    let next = deadline::add_working_days(&cal, a.due, 1).unwrap();
                    prop_assert!(deadline::add_working_days(&cal, next, p.length).unwrap() > from);
                } else {
                    // Exactly `length` working days after the start.
                    let mut n = 0;
                    let mut day = from;
                    while day < a.due {
                        day = day.succ_opt().unwrap();
                        if cal.is_working_day(day).unwrap() {
                            n += 1;
                        }
                    }
                    prop_assert_eq!(n, p.length);
                }
            }
            DayType::CalendarDays | DayType::Months => {
                let nominal = if p.day_type == DayType::Months {
                    deadline::add_months(from, p.length)
                } else {
                    deadline::add_days(from, p.length)
                };
                if p.sense == ClockSense::Deadline {
                    // 民法典 Art. 203: rolls off rest days to the next working day.
                    prop_assert!(a.due >= nominal);
                    prop_assert!(cal.is_working_day(a.due).unwrap());
                    let mut day = nominal;
                    while day < a.due {
                        prop_assert!(!cal.is_working_day(day).unwrap(), "rolled past a working day");
                        day = day.succ_opt().unwrap();
                    }
                } else {
                    prop_assert_eq!(a.due, nominal);
                }
            }
        }
        // The sample calendar's 2027 is estimated.
        let (lo, hi) = (from.min(a.due), from.max(a.due));
        prop_assert_eq!(a.estimated, (lo.year()..=hi.year()).any(|y| y == 2027));
    }

    /// In a case, the decision clock starts at 立案: shifting the whole
    /// case shifts the Art. 60 due day the same way.
    #[test]
    fn the_decision_clock_starts_at_filing(offset in 0u64..600, shift in 1u64..30) {
        let cal = calendar();
        let config = ProcedureConfig::default();
        let due_for = |start: NaiveDate| {
            let plan = Plan::simple(start, 20_000);
            let events = script(&plan, &config);
            // Up to the investigation: 案源, 立案, 询问.
            let s = fold(&events[..3], &config, &cal).unwrap();
            let clocks = zhifa_core::procedure::open_clocks(&s, &config, &cal).unwrap();
            let c = clocks.into_iter().find(|c| c.kind == ClockKind::Decision).unwrap();
            assert_eq!(Some(c.started_on), s.filed_on, "Art. 60: from 立案");
            c.due
        };
        let a = d(2025, 1, 6).checked_add_days(Days::new(offset)).unwrap();
        let b = a.checked_add_days(Days::new(shift)).unwrap();
        prop_assert!(due_for(a) <= due_for(b));
        let nominal = deadline::add_days(a.checked_add_days(Days::new(1)).unwrap(), 90);
        prop_assert!(due_for(a) >= nominal);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    /// 撤销 (行政处罚法 Art. 48 ¶2) at any point of a lawful script: refused
    /// while there is no decision (and refused steps change nothing);
    /// once recorded, every later step of the script is refused except
    /// 归档, which is accepted.
    #[test]
    fn a_revocation_needs_a_decision_and_only_archive_follows_it(
        plan in plan_strategy(),
        cut in 0usize..40,
    ) {
        prop_assume!(plan.decided_fine_fen <= plan.fine_fen);
        let cal = calendar();
        let config = ProcedureConfig::default();
        let events = script(&plan, &config);
        let cut = cut % events.len();
        let s = fold(&events[..cut], &config, &cal).unwrap();
        let day = events[..cut].last().map_or(plan.start, ProcedureEvent::on);
        let revoke = ev(
            EventKind::Revoke {
                reason: "处罚决定认定事实不清".to_owned(),
                source: "重庆市渝北区人民政府行政复议决定书（渝北府复决〔2026〕1号）".to_owned(),
            },
            Role::Leader,
            day,
        );
        match apply(&s, &revoke, &config, &cal) {
            Err(e) => {
                prop_assert!(s.decision.is_none(), "a decided case refused the revocation: {e}");
                prop_assert_eq!(zhifa_core::ErrorCode::code(&e), "PROCEDURE_ILLEGAL_STEP");
            }
            Ok(r) => {
                prop_assert!(s.decision.is_some(), "revoked before any decision");
                prop_assert_eq!(r.stage, Stage::Revoked);
                prop_assert_eq!(r.revoked_on, Some(day));
                prop_assert!(zhifa_core::procedure::open_clocks(&r, &config, &cal).unwrap().is_empty());
                for e in &events[cut..] {
                    let mut e = e.clone();
                    e.at = e.at.max(revoke.at);
                    let next = apply(&r, &e, &config, &cal);
                    if matches!(e.kind, EventKind::Archive) {
                        prop_assert_eq!(next.unwrap().stage, Stage::Archived);
                    } else {
                        prop_assert!(next.is_err(), "{} followed a revocation", e.kind.name());
                    }
                }
                let again = apply(&r, &revoke, &config, &cal);
                prop_assert!(again.is_err(), "revoked twice");
            }
        }
    }
}
