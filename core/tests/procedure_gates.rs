//! One example per legal gate of the normal procedure, the article in
//! every assertion message, and the deadline view of an open case.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod procedure_support;

use chrono::{Days, NaiveDate};
use procedure_support::*;
use zhifa_core::ErrorCode;
use zhifa_core::case::config::{SAMPLE_TOWNSHIP_CONFIGS, parse_configs};
use zhifa_core::procedure::{
    CaseFlags, CaseState, ClockKind, EventKind, Level, Outcome, PartyKind, Penalty, PenaltyKind,
    ProcedureConfig, ProcedureError, ProcedureEvent, Role, ServiceMethod, Stage, apply, fold,
    nearest, open_clocks,
};

const START: (i32, u32, u32) = (2025, 3, 3);

fn start() -> NaiveDate {
    d(START.0, START.1, START.2)
}

/// The state just before the first event named `step` of the plan's script.
fn before(plan: &Plan, config: &ProcedureConfig, step: &str) -> (CaseState, ProcedureEvent) {
    let events = script(plan, config);
    let i = events
        .iter()
        .position(|e| e.kind.name() == step)
        .unwrap_or_else(|| panic!("no {step} in the script"));
    let s = fold(&events[..i], config, &calendar()).unwrap();
    (s, events[i].clone())
}

fn code(r: Result<CaseState, ProcedureError>) -> &'static str {
    match r {
        Ok(s) => panic!("accepted, stage {:?}", s.stage),
        Err(e) => e.code(),
    }
}

fn on(e: &ProcedureEvent, day: NaiveDate) -> ProcedureEvent {
    let mut e = e.clone();
    e.at = at(day);
    e
}

#[test]
fn article_58_cases_need_a_qualified_legal_review() {
    let cfg = ProcedureConfig::default();
    let cal = calendar();
    let mut plan = Plan::simple(start(), 20_000);
    plan.flags = CaseFlags {
        review_grounds: vec!["complex".into()],
        complex_or_major: false,
    };
    // Skip the review: the decision is refused.
    let events: Vec<_> = script(&plan, &cfg)
        .into_iter()
        .filter(|e| !matches!(e.kind, EventKind::LegalReview { .. }))
        .collect();
    let (i, e) = fold(&events, &cfg, &cal).unwrap_err();
    assert_eq!(events[i].kind.name(), "decide");
    assert_eq!(e.code(), "PROCEDURE_LEGAL_REVIEW_REQUIRED", "Art. 58");
    assert!(e.to_string().contains("第五十八条"), "{e}");
    // A reviewer without a 法律职业资格 number is refused.
    let (s, mut review) = before(&plan, &cfg, "legal_review");
    review.kind = EventKind::LegalReview {
        qualification: " ".into(),
        passed: true,
        opinion: "同意".into(),
        checklist: Vec::new(),
    };
    assert_eq!(
        code(apply(&s, &review, &cfg, &cal)),
        "PROCEDURE_REVIEWER_UNQUALIFIED",
        "Art. 58 ¶2"
    );
    // A review that fails sends the case back to investigation (S2).
    review.kind = EventKind::LegalReview {
        qualification: "A2023".into(),
        passed: false,
        opinion: "证据不足".into(),
        checklist: Vec::new(),
    };
    let back = apply(&s, &review, &cfg, &cal).unwrap();
    assert_eq!(back.stage, Stage::Investigating, "Art. 58: 审核未通过");
    assert!(back.told.is_none());
    // A township's extra 目录清单 item is a ground; an unknown one is refused.
    let mut plan2 = Plan::simple(start(), 20_000);
    plan2.flags.review_grounds = vec!["涉及民生".into()];
    let (s, end) = before(&plan2, &cfg, "end_investigation");
    assert_eq!(
        code(apply(&s, &end, &cfg, &cal)),
        "PROCEDURE_UNKNOWN_REVIEW_GROUND",
        "Art. 58(四)"
    );
    let mut cfg2 = cfg.clone();
    cfg2.extra_review_items = vec!["涉及民生".into()];
    assert_eq!(
        fold(&script(&plan2, &cfg2), &cfg2, &cal).unwrap().stage,
        Stage::Archived
    );
}

#[test]
fn a_hearing_held_needs_the_review_after_it() {
    let cfg = ProcedureConfig::default();
    let cal = calendar();
    let mut plan = Plan::simple(start(), 600_000); // ≥ 5,000 元: Art. 63
    plan.answer = Answer::Hearing;
    let events = script(&plan, &cfg);
    assert!(
        events
            .iter()
            .any(|e| matches!(e.kind, EventKind::HoldHearing { .. })),
        "Art. 63: a hearing was offered and held"
    );
    assert_eq!(fold(&events, &cfg, &cal).unwrap().stage, Stage::Archived);
    let without: Vec<_> = events
        .into_iter()
        .filter(|e| !matches!(e.kind, EventKind::LegalReview { .. }))
        .collect();
    let (_, e) = fold(&without, &cfg, &cal).unwrap_err();
    assert_eq!(e.code(), "PROCEDURE_LEGAL_REVIEW_REQUIRED", "Art. 58(二)");
}

#[test]
fn the_hearing_minutes_are_signed_or_the_refusal_noted() {
    use zhifa_core::procedure::{HearingMinutes, MinutesSignature};
    let cfg = ProcedureConfig::default();
    let cal = calendar();
    let mut plan = Plan::simple(start(), 600_000);
    plan.answer = Answer::Hearing;
    let (s, mut hold) = before(&plan, &cfg, "hold_hearing");
    let mut minutes = HearingMinutes {
        attendees: vec!["PRES-1".into()],
        recorder: String::new(),
        agent: None,
        investigators_case: "调查人员出示证据".into(),
        party_statement: "当事人申辩".into(),
        cross_examination: "当事人质证".into(),
        signature: MinutesSignature::Unrecorded,
        opinion: String::new(),
    };
    let with = |m: &HearingMinutes, attended: bool| EventKind::HoldHearing {
        party_attended: attended,
        minutes: Some(m.clone()),
    };
    hold.kind = with(&minutes, true);
    assert_eq!(
        code(apply(&s, &hold, &cfg, &cal)),
        "PROCEDURE_INVALID_INPUT",
        "Art. 64(八): neither signed nor the refusal noted"
    );
    minutes.signature = MinutesSignature::Refused { note: " ".into() };
    hold.kind = with(&minutes, true);
    assert_eq!(
        code(apply(&s, &hold, &cfg, &cal)),
        "PROCEDURE_INVALID_INPUT"
    );
    minutes.signature = MinutesSignature::Refused {
        note: "当事人拒绝签字".into(),
    };
    hold.kind = with(&minutes, true);
    assert!(apply(&s, &hold, &cfg, &cal).is_ok());
    minutes.party_statement.clear();
    hold.kind = with(&minutes, true);
    assert_eq!(
        code(apply(&s, &hold, &cfg, &cal)),
        "PROCEDURE_INVALID_INPUT"
    );
    // Art. 64(六): an absent party's hearing records no 申辩.
    hold.kind = with(&minutes, false);
    assert!(apply(&s, &hold, &cfg, &cal).is_ok());
}

#[test]
fn article_57_cases_need_a_collective_discussion() {
    let cfg = ProcedureConfig::default();
    let cal = calendar();
    let mut plan = Plan::simple(start(), 20_000);
    plan.flags.complex_or_major = true;
    let (s, mut discuss) = before(&plan, &cfg, "discuss_collectively");
    discuss.kind = EventKind::DiscussCollectively {
        attendees: vec!["LEAD-1".into(), "LEAD-2".into()],
        conclusion: "同意".into(),
    };
    assert_eq!(
        code(apply(&s, &discuss, &cfg, &cal)),
        "PROCEDURE_COLLECTIVE_TOO_FEW",
        "Art. 57 ¶2 (configured minimum 3)"
    );
    let events: Vec<_> = script(&plan, &cfg)
        .into_iter()
        .filter(|e| !matches!(e.kind, EventKind::DiscussCollectively { .. }))
        .collect();
    let (_, e) = fold(&events, &cfg, &cal).unwrap_err();
    assert_eq!(
        e.code(),
        "PROCEDURE_COLLECTIVE_DISCUSSION_REQUIRED",
        "Art. 57 ¶2"
    );
}

#[test]
fn no_decision_heavier_than_told() {
    let cfg = ProcedureConfig::default();
    let cal = calendar();
    let plan = Plan::simple(start(), 20_000);
    let (s, decide) = before(&plan, &cfg, "decide");
    let with = |p: Penalty| {
        let mut e = decide.clone();
        e.kind = EventKind::Decide {
            outcome: Outcome::Penalty { penalty: p },
            number: "1".into(),
        };
        apply(&s, &e, &cfg, &cal)
    };
    assert_eq!(
        code(with(Penalty::fine(20_001))),
        "PROCEDURE_HEAVIER_THAN_TOLD",
        "Art. 45 ¶2: a larger fine"
    );
    let mut added = Penalty::fine(20_000);
    added.kinds.push(PenaltyKind::SuspendLicence);
    assert_eq!(
        code(with(added)),
        "PROCEDURE_HEAVIER_THAN_TOLD",
        "Art. 44: a kind not told"
    );
    assert_eq!(
        with(Penalty::fine(10_000)).unwrap().stage,
        Stage::Decided,
        "Art. 45: a lighter penalty is allowed"
    );
}

#[test]
fn the_hearing_right_follows_the_chongqing_thresholds() {
    let cfg = ProcedureConfig::default();
    let cal = calendar();
    for (party, fen, needed) in [
        (PartyKind::Citizen, 499_999, false),
        (PartyKind::Citizen, 500_000, true),
        (PartyKind::Organisation, 4_999_999, false),
        (PartyKind::Organisation, 5_000_000, true),
    ] {
        let mut plan = Plan::simple(start(), fen);
        plan.party = party;
        let (s, mut inform) = before(&plan, &cfg, "inform");
        if let EventKind::Inform {
            hearing_offered, ..
        } = &mut inform.kind
        {
            assert_eq!(
                *hearing_offered, needed,
                "Art. 63 / 渝府令354: {party:?} {fen}"
            );
            *hearing_offered = false;
        }
        let r = apply(&s, &inform, &cfg, &cal);
        if needed {
            assert_eq!(code(r), "PROCEDURE_HEARING_NOT_OFFERED", "Art. 63(一)");
        } else {
            assert!(r.is_ok(), "Art. 63: below 较大数额 no hearing right");
        }
    }
    // A heavy kind always carries the right.
    let mut plan = Plan::simple(start(), 10_000);
    plan.extra_kind = Some(PenaltyKind::StopProduction);
    let (s, mut inform) = before(&plan, &cfg, "inform");
    if let EventKind::Inform {
        hearing_offered, ..
    } = &mut inform.kind
    {
        *hearing_offered = false;
    }
    assert_eq!(
        code(apply(&s, &inform, &cfg, &cal)),
        "PROCEDURE_HEARING_NOT_OFFERED",
        "Art. 63(四): 责令停产停业"
    );
}

#[test]
fn no_decision_while_the_party_may_still_speak() {
    let cfg = ProcedureConfig::default();
    let cal = calendar();
    let mut plan = Plan::simple(start(), 600_000);
    plan.answer = Answer::Lapsed;
    let (s, decide) = before(&plan, &cfg, "decide");
    let told = s.told.as_ref().unwrap().on;
    // The day after the 告知: the 陈述申辩 period is open.
    let early = on(&decide, told.checked_add_days(Days::new(1)).unwrap());
    assert_eq!(
        code(apply(&s, &early, &cfg, &cal)),
        "PROCEDURE_STATEMENT_PERIOD_OPEN",
        "Art. 45, 62"
    );
    // Heard, but the hearing request window still runs.
    let mut heard = s.clone();
    heard.statement_heard = true;
    assert_eq!(
        code(apply(&heard, &early, &cfg, &cal)),
        "PROCEDURE_HEARING_REQUEST_OPEN",
        "Art. 64(一)"
    );
    // After both lapse, the decision stands.
    assert!(apply(&s, &decide, &cfg, &cal).is_ok(), "Art. 62: lapsed");
}

#[test]
fn hearing_request_notice_and_presider() {
    let cfg = ProcedureConfig::default();
    let cal = calendar();
    let mut plan = Plan::simple(start(), 600_000);
    plan.answer = Answer::Hearing;
    let (s, req) = before(&plan, &cfg, "request_hearing");
    let told = s.told.as_ref().unwrap().on;
    // Told Sunday 9 March 2025: 5 working days end Friday 14 March.
    let late = on(&req, told.checked_add_days(Days::new(8)).unwrap());
    assert_eq!(
        code(apply(&s, &late, &cfg, &cal)),
        "PROCEDURE_HEARING_REQUEST_LATE",
        "Art. 64(一) + 85"
    );
    let (s, mut notice) = before(&plan, &cfg, "notice_hearing");
    let EventKind::NoticeHearing { hearing_on, .. } = notice.kind.clone() else {
        unreachable!()
    };
    notice.kind = EventKind::NoticeHearing {
        hearing_on,
        presider: "OFF-2".into(),
        place: String::new(),
        time: None,
    };
    assert_eq!(
        code(apply(&s, &notice, &cfg, &cal)),
        "PROCEDURE_PRESIDER_IS_INVESTIGATOR",
        "Art. 64(四)"
    );
    notice.kind = EventKind::NoticeHearing {
        hearing_on: notice.on().checked_add_days(Days::new(3)).unwrap(),
        presider: "PRES-1".into(),
        place: String::new(),
        time: None,
    };
    assert_eq!(
        code(apply(&s, &notice, &cfg, &cal)),
        "PROCEDURE_HEARING_NOTICE_LATE",
        "Art. 64(二)"
    );
}

#[test]
fn article_60_ninety_days_and_the_approved_extension() {
    let cal = calendar();
    let mut cfg = ProcedureConfig::default();
    let plan = Plan::simple(start(), 20_000);
    let (s, decide) = before(&plan, &cfg, "decide");
    let filed = s.filed_on.unwrap();
    // Filed 4 March 2025; day 90 is Monday 2 June, a 端午 holiday, so the
    // period ends on Tuesday 3 June (民法典 Art. 203).
    assert_eq!(filed, d(2025, 3, 4));
    let late = on(&decide, d(2025, 6, 4));
    assert_eq!(
        code(apply(&s, &late, &cfg, &cal)),
        "PROCEDURE_DECISION_LATE",
        "Art. 60"
    );
    assert!(apply(&s, &on(&decide, d(2025, 6, 3)), &cfg, &cal).is_ok());
    // The 负责人 extends by 30 days (configured, unverified).
    let ext = |days| {
        let mut e = ev(
            EventKind::ExtendDecision {
                days,
                reason: "案情复杂".into(),
            },
            Role::Leader,
            decide.on(),
        );
        e.at = decide.at;
        e
    };
    assert_eq!(
        code(apply(&s, &ext(31), &cfg, &cal)),
        "PROCEDURE_EXTENSION_NOT_ALLOWED",
        "Art. 60 (configured 30)"
    );
    let extended = apply(&s, &ext(30), &cfg, &cal).unwrap();
    assert!(
        apply(&extended, &late, &cfg, &cal).is_ok(),
        "Art. 60 + approved extension"
    );
    // A township may record late decisions instead of refusing them.
    cfg.refuse_late_decision = false;
    let s2 = apply(&s, &late, &cfg, &cal).unwrap();
    assert!(s2.decision.unwrap().late, "Art. 60: 超期 recorded");
}

#[test]
fn approvals_need_the_leader() {
    let mut cfg = ProcedureConfig::default();
    let cal = calendar();
    let plan = Plan::simple(start(), 20_000);
    let (s, mut decide) = before(&plan, &cfg, "decide");
    decide.actor = actor(Role::Officer);
    assert_eq!(
        code(apply(&s, &decide, &cfg, &cal)),
        "PROCEDURE_WRONG_ROLE",
        "Art. 57: the 负责人 decides"
    );
    decide.actor = actor(Role::DeputyLeader);
    assert_eq!(code(apply(&s, &decide, &cfg, &cal)), "PROCEDURE_WRONG_ROLE");
    cfg.deputy_may_approve = true;
    assert!(apply(&s, &decide, &cfg, &cal).is_ok(), "configured deputy");
    let (s, mut file) = before(&plan, &cfg, "file");
    file.actor = actor(Role::Officer);
    assert_eq!(
        code(apply(&s, &file, &cfg, &cal)),
        "PROCEDURE_WRONG_ROLE",
        "Art. 54: 立案审批"
    );
}

#[test]
fn two_officers_and_electronic_service_consent() {
    let cfg = ProcedureConfig::default();
    let cal = calendar();
    let plan = Plan::simple(start(), 20_000);
    let (s, mut inv) = before(&plan, &cfg, "investigate");
    inv.kind = EventKind::Investigate {
        act: "询问笔录".into(),
        officers: vec!["OFF-1".into(), "OFF-1".into()],
        document: None,
    };
    assert_eq!(
        code(apply(&s, &inv, &cfg, &cal)),
        "PROCEDURE_OFFICERS_NOT_TWO",
        "Art. 42"
    );
    let (s, mut serve) = before(&plan, &cfg, "serve");
    serve.kind = EventKind::Serve {
        method: ServiceMethod::Electronic { consent: None },
        officers: vec![],
    };
    assert_eq!(
        code(apply(&s, &serve, &cfg, &cal)),
        "PROCEDURE_ELECTRONIC_SERVICE_NO_CONSENT",
        "Art. 61 ¶2"
    );
    serve.kind = EventKind::Serve {
        method: ServiceMethod::Electronic {
            consent: Some("sha256:bb".into()),
        },
        officers: vec![],
    };
    assert_eq!(apply(&s, &serve, &cfg, &cal).unwrap().stage, Stage::Served);
}

#[test]
fn enforcement_reminder_and_court_application() {
    let cfg = ProcedureConfig::default();
    let cal = calendar();
    let plan = Plan::simple(start(), 20_000);
    let (s, pay) = before(&plan, &cfg, "confirm_payment");
    let served = s.served_on.unwrap();
    let remind = |day| on(&ev(EventKind::Remind, Role::Officer, day), day);
    assert_eq!(
        code(apply(
            &s,
            &remind(served.checked_add_days(Days::new(5)).unwrap()),
            &cfg,
            &cal
        )),
        "PROCEDURE_NOT_OVERDUE",
        "行政强制法 Art. 35, 54; 行政处罚法 Art. 67"
    );
    let reminded_on = served.checked_add_days(Days::new(200)).unwrap();
    let r = apply(&s, &remind(reminded_on), &cfg, &cal).unwrap();
    assert_eq!(r.stage, Stage::Reminded);
    let court = |day| ev(EventKind::ApplyToCourt, Role::Leader, day);
    assert_eq!(
        code(apply(
            &r,
            &court(reminded_on.checked_add_days(Days::new(7)).unwrap()),
            &cfg,
            &cal
        )),
        "PROCEDURE_REMINDER_PERIOD_OPEN",
        "行政强制法 Art. 54 + 69"
    );
    // Served 12 March 2025: the 6 months end 12 September; 10 working days
    // after the 催告 of 28 September end 17 October.
    let ok_day = reminded_on.checked_add_days(Days::new(20)).unwrap();
    let applied = apply(&r, &court(ok_day), &cfg, &cal).unwrap();
    assert_eq!(applied.stage, Stage::CourtApplied, "行政强制法 Art. 53");
    // Too early for the remedy periods: reminded one month after service.
    let early_remind = served.checked_add_days(Days::new(30)).unwrap();
    let r2 = apply(&s, &remind(early_remind), &cfg, &cal).unwrap();
    assert_eq!(
        code(apply(
            &r2,
            &court(early_remind.checked_add_days(Days::new(20)).unwrap()),
            &cfg,
            &cal
        )),
        "PROCEDURE_REMEDY_PERIOD_OPEN",
        "行政强制法 Art. 53"
    );
    // Closing without payment or enforcement is refused.
    let close = ev(
        EventKind::Close {
            reason: "结案".into(),
        },
        Role::Leader,
        pay.on(),
    );
    assert_eq!(
        code(apply(&s, &close, &cfg, &cal)),
        "PROCEDURE_NOT_PERFORMED",
        "Art. 66, 72"
    );
}

#[test]
fn measures_the_seizure_extension_and_closing() {
    let cfg = ProcedureConfig::default();
    let cal = calendar();
    let mut plan = Plan::simple(start(), 20_000);
    plan.preserve = true;
    let (s, _) = before(&plan, &cfg, "dispose_save");
    let seize = ev(
        EventKind::Seize {
            power: "重庆市市容环境卫生管理条例".into(),
            items: "摊位设备".into(),
        },
        Role::Leader,
        s.last_at.map(zhifa_core::procedure::beijing_date).unwrap(),
    );
    let s = apply(&s, &seize, &cfg, &cal).unwrap();
    let ext = |days| {
        ev(
            EventKind::ExtendSeizure {
                index: 0,
                days,
                reason: "待鉴定".into(),
            },
            Role::Leader,
            seize.on(),
        )
    };
    let once = apply(&s, &ext(30), &cfg, &cal).unwrap();
    assert_eq!(
        code(apply(&once, &ext(10), &cfg, &cal)),
        "PROCEDURE_SEIZURE_EXTENSION",
        "行政强制法 Art. 25: once"
    );
    assert_eq!(
        code(apply(&s, &ext(31), &cfg, &cal)),
        "PROCEDURE_SEIZURE_EXTENSION",
        "行政强制法 Art. 25: ≤30 days"
    );
    // Both clocks are open: 先行登记保存 (7 WD) and 查封扣押 (30+30 days).
    let clocks = open_clocks(&once, &cfg, &cal).unwrap();
    let save = clocks
        .iter()
        .find(|c| c.kind == ClockKind::RegistrationSave)
        .expect("Art. 56 clock");
    assert_eq!(
        save.due,
        d(2025, 3, 14),
        "Art. 56: 5 March + 7 working days"
    );
    let seizure = clocks
        .iter()
        .find(|c| c.kind == ClockKind::Seizure)
        .unwrap();
    assert_eq!(
        seizure.due,
        d(2025, 5, 6),
        "行政强制法 Art. 25: 60 days, 4 May rolled"
    );
    // The whole case with the save still open cannot be closed.
    let events: Vec<_> = script(&plan, &cfg)
        .into_iter()
        .filter(|e| !matches!(e.kind, EventKind::DisposeSave { .. }))
        .collect();
    let (i, e) = fold(&events, &cfg, &cal).unwrap_err();
    assert_eq!(events[i].kind.name(), "close");
    assert_eq!(e.code(), "PROCEDURE_MEASURES_OPEN", "Art. 56");
}

#[test]
fn the_nearest_deadline_turns_yellow_then_red() {
    let cfg = ProcedureConfig::default();
    let cal = calendar();
    let plan = Plan::simple(start(), 20_000);
    let (s, _) = before(&plan, &cfg, "confirm_payment");
    let served = s.served_on.unwrap();
    let a = nearest(&s, served, &cfg, &cal).unwrap().unwrap();
    assert_eq!(a.clock.kind, ClockKind::Payment, "Art. 67 is the nearest");
    assert_eq!(a.level, Level::Normal);
    let due = a.clock.due;
    let yellow = nearest(&s, due.checked_sub_days(Days::new(2)).unwrap(), &cfg, &cal)
        .unwrap()
        .unwrap();
    assert_eq!(yellow.level, Level::Yellow);
    let red = nearest(&s, due.checked_add_days(Days::new(1)).unwrap(), &cfg, &cal)
        .unwrap()
        .unwrap();
    assert_eq!(red.level, Level::Red);
    // The filing clock of a fresh 案源 (Art. 54, configured 15 WD).
    let (s0, _) = before(&plan, &cfg, "file");
    let c = open_clocks(&s0, &cfg, &cal).unwrap();
    assert_eq!(c.len(), 1);
    assert_eq!(c[0].kind, ClockKind::Filing);
    assert_eq!(
        c[0].due,
        d(2025, 3, 24),
        "15 working days from 3 March 2025"
    );
}

#[test]
fn late_filing_is_recorded_not_refused() {
    let cfg = ProcedureConfig::default();
    let cal = calendar();
    let plan = Plan::simple(start(), 20_000);
    let (s, file) = before(&plan, &cfg, "file");
    let late = on(&file, d(2025, 4, 30));
    let f = apply(&s, &late, &cfg, &cal).unwrap();
    assert_eq!(f.filed_late, Some(true), "Art. 54 ¶2 及时立案 / Art. 76 ¶2");
    let f = apply(&s, &file, &cfg, &cal).unwrap();
    assert_eq!(f.filed_late, Some(false));
}

#[test]
fn events_out_of_order_and_after_the_end_are_refused() {
    let cfg = ProcedureConfig::default();
    let cal = calendar();
    let plan = Plan::simple(start(), 20_000);
    let events = script(&plan, &cfg);
    let done = fold(&events, &cfg, &cal).unwrap();
    assert_eq!(done.stage, Stage::Archived);
    assert_eq!(
        code(apply(&done, events.last().unwrap(), &cfg, &cal)),
        "PROCEDURE_ILLEGAL_STEP"
    );
    let (s, file) = before(&plan, &cfg, "investigate");
    let back = on(&file, d(2025, 3, 1));
    assert_eq!(code(apply(&s, &back, &cfg, &cal)), "PROCEDURE_OUT_OF_ORDER");
}

#[test]
fn township_configs_without_a_procedure_section_load_with_the_defaults() {
    let configs = parse_configs(SAMPLE_TOWNSHIP_CONFIGS).unwrap();
    assert!(!configs.is_empty());
    for c in configs {
        assert_eq!(c.procedure, ProcedureConfig::default());
        assert!(!c.procedure.hearing_threshold_citizen_fen.verified);
    }
}

#[test]
fn an_instalment_plan_adds_up_to_the_amount_owed() {
    use zhifa_core::procedure::Instalment;
    let cfg = ProcedureConfig::default();
    let cal = calendar();
    let plan = Plan::simple(start(), 20_000);
    // Approved the day the fine is confirmed in the script (served, unpaid).
    let (s, pay) = before(&plan, &cfg, "confirm_payment");
    let day = pay.on();
    let later = |n| day.checked_add_days(Days::new(n)).unwrap();
    let deferral = |until, instalments: Vec<Instalment>| {
        ev(
            EventKind::ApproveDeferral { until, instalments },
            Role::Leader,
            day,
        )
    };
    let part = |n, amount_fen| Instalment {
        due: later(n),
        amount_fen,
    };
    // 行政处罚法 Art. 66 ¶2: the parts sum to the fine, in fen.
    for bad in [
        vec![part(30, 20_000)],
        vec![part(30, 10_000), part(60, 9_999)],
        vec![part(30, 10_000), part(60, 10_001)],
        vec![part(30, 20_000), part(60, 0)],
        vec![part(60, 10_000), part(30, 10_000)],
        vec![part(30, 10_000), part(30, 10_000)],
    ] {
        let until = bad.last().unwrap().due;
        assert_eq!(
            code(apply(&s, &deferral(until, bad.clone()), &cfg, &cal)),
            "PROCEDURE_INSTALMENT_PLAN",
            "{bad:?}"
        );
    }
    // The last part falls on the approved last day.
    assert_eq!(
        code(apply(
            &s,
            &deferral(later(90), vec![part(30, 10_000), part(60, 10_000)]),
            &cfg,
            &cal
        )),
        "PROCEDURE_INSTALMENT_PLAN"
    );
    let good = vec![part(30, 6_667), part(60, 6_667), part(90, 6_666)];
    let approved = apply(&s, &deferral(later(90), good.clone()), &cfg, &cal).unwrap();
    assert_eq!(approved.instalments, good);
    assert_eq!(approved.deferred_until, Some(later(90)));
    assert_eq!(approved.stage, Stage::Executing);
    // A plain 延期 needs no plan.
    let plain = apply(&s, &deferral(later(30), Vec::new()), &cfg, &cal).unwrap();
    assert!(plain.instalments.is_empty());
}
