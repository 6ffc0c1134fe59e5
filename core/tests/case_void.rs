//! Voiding a case before its decision (issue 19): the case is kept, closed,
//! with the reason in its state, its timeline and the outbox; a case with
//! a decision cannot be voided; an empty reason is refused and changes
//! nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod case_support;

use case_support::*;
use zhifa_core::ErrorCode;
use zhifa_core::case::{self, CaseEvent, CaseStatus};

fn void(reason: &str) -> CaseEvent {
    CaseEvent::Void {
        reason: reason.into(),
    }
}

#[test]
fn a_draft_is_voided_with_its_reason_kept_and_audited() {
    let mut env = Env::new(50);
    let c = env.create(LONGXING, STALLS, officers(LONGXING)).unwrap();
    let before = env.outbox_len();
    let done = env
        .advance(c.id, void("误建：当事人已离开，无法确认身份"))
        .unwrap();
    assert_eq!(done.status, CaseStatus::Closed);
    let (_, reason) = done.voided.clone().expect("void recorded");
    assert_eq!(reason, "误建：当事人已离开，无法确认身份");
    // Kept: still readable, with the step in its timeline and the outbox.
    let kept = case::get(&env.store, c.id).unwrap().expect("case kept");
    assert_eq!(kept.voided, done.voided);
    let tl = case::timeline(&env.store, c.id).unwrap();
    let last = tl.last().unwrap();
    assert_eq!(last.kind, "void");
    assert!(last.payload.to_string().contains("当事人已离开"));
    assert_eq!(env.outbox_len(), before + 1);
    // Voided is final: no step leads on from it.
    let again = env.advance(c.id, void("再次作废")).unwrap_err();
    assert_eq!(again.code(), "CASE_ILLEGAL_TRANSITION");
}

#[test]
fn every_status_before_the_decision_can_be_voided_and_none_after() {
    let mut env = Env::new(50);
    // rights_told (and the statuses before it, reached on the way).
    for heard in [false, true] {
        let id = env.up_to_rights_told(15_000, heard);
        env.advance(id, void("当事人提供了新证据，转一般程序另案办理"))
            .unwrap();
    }
    let c = env.create(LONGXING, STALLS, officers(LONGXING)).unwrap();
    env.advance(c.id, party_and_facts(individual())).unwrap();
    env.advance(c.id, void("重复立案")).unwrap();
    let c = env.create(LONGXING, STALLS, officers(LONGXING)).unwrap();
    env.advance(c.id, party_and_facts(individual())).unwrap();
    env.advance(c.id, evidence()).unwrap();
    env.advance(c.id, void("重复立案")).unwrap();
    // Decided: refused, nothing changes.
    let id = env.up_to_rights_told(15_000, false);
    env.advance(id, decide(fine(15_000), &["area_5_to_10sqm"], None))
        .unwrap();
    let digest = env.digest();
    let e = env.advance(id, void("不想办了")).unwrap_err();
    assert_eq!(e.code(), "CASE_ILLEGAL_TRANSITION");
    // The message names the step in Chinese, never its snake_case name.
    let msg = e.to_string();
    assert!(msg.contains("作废"), "{msg}");
    assert!(
        !msg.is_ascii() && !msg.contains("void") && !msg.contains("decided"),
        "{msg}"
    );
    assert_eq!(env.digest(), digest);
}

#[test]
fn an_empty_reason_is_refused_and_changes_nothing() {
    let mut env = Env::new(50);
    let c = env.create(LONGXING, STALLS, officers(LONGXING)).unwrap();
    let digest = env.digest();
    let e = env.advance(c.id, void("  ")).unwrap_err();
    assert_eq!(e.code(), "CASE_FIELD_REQUIRED");
    assert_eq!(env.digest(), digest);
}
