//! 先行登记保存 (行政处罚法 Art. 56) asked from the field: the officer's
//! request waits for the 负责人's approval, only one at a time, only in
//! the investigation; the approval answers it and starts the 7-working-day
//! clock of the disposal decision.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should abort loudly

mod procedure_support;

use procedure_support::*;
use zhifa_core::ErrorCode;
use zhifa_core::procedure::{
    ClockKind, EventKind, ProcedureConfig, ProcedureError, Role, apply, fold, open_clocks,
};

fn request() -> EventKind {
    EventKind::RequestSave {
        items: "经营用三轮车一辆".into(),
        reason: "当事人可能转移车辆".into(),
    }
}

#[test]
fn a_request_waits_for_the_approval_which_starts_the_clock() {
    let cfg = ProcedureConfig::default();
    let cal = calendar();
    let plan = Plan::simple(d(2025, 3, 3), 20_000);
    let events = script(&plan, &cfg);
    let filed = events.iter().position(|e| e.kind.name() == "file").unwrap();
    let day = d(2025, 3, 5);
    // Before 立案 there is nothing to preserve for.
    let s0 = fold(&events[..filed], &cfg, &cal).unwrap();
    let e = apply(&s0, &ev(request(), Role::Officer, day), &cfg, &cal);
    assert_eq!(e.unwrap_err().code(), "PROCEDURE_ILLEGAL_STEP");

    let s = fold(&events[..=filed], &cfg, &cal).unwrap();
    // The request is the officer's (承办人), with what and why.
    let e = apply(&s, &ev(request(), Role::Leader, day), &cfg, &cal).unwrap_err();
    assert!(matches!(e, ProcedureError::WrongRole { .. }), "{e:?}");
    let blank = EventKind::RequestSave {
        items: "三轮车".into(),
        reason: " ".into(),
    };
    assert!(apply(&s, &ev(blank, Role::Officer, day), &cfg, &cal).is_err());

    let asked = apply(&s, &ev(request(), Role::Officer, day), &cfg, &cal).unwrap();
    assert_eq!(asked.save_requested, Some(day));
    assert_eq!(asked.stage, s.stage, "a request does not move the case");
    assert!(
        asked.saves.is_empty(),
        "nothing is preserved before approval"
    );
    // One request at a time.
    assert!(apply(&asked, &ev(request(), Role::Officer, day), &cfg, &cal).is_err());

    // The 负责人 approves two working days later: the request is answered,
    // the measure runs from the approval, its clock with it.
    let approved_on = d(2025, 3, 7);
    let approved = apply(
        &asked,
        &ev(
            EventKind::RegisterSave {
                items: "经营用三轮车一辆".into(),
            },
            Role::Leader,
            approved_on,
        ),
        &cfg,
        &cal,
    )
    .unwrap();
    assert_eq!(approved.save_requested, None);
    assert_eq!(approved.saves.len(), 1);
    assert_eq!(approved.saves[0].on, approved_on);
    let clock = open_clocks(&approved, &cfg, &cal)
        .unwrap()
        .into_iter()
        .find(|c| c.kind == ClockKind::RegistrationSave)
        .expect("the 7-working-day clock runs");
    let due =
        zhifa_core::procedure::gates::due_of(ClockKind::RegistrationSave, approved_on, &cfg, &cal)
            .unwrap();
    assert_eq!(clock.due, due);
    // A new request may follow once the first is answered.
    assert!(
        apply(
            &approved,
            &ev(request(), Role::Officer, approved_on),
            &cfg,
            &cal
        )
        .is_ok()
    );
}
