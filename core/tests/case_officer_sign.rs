//! The officers sign the on-the-spot decision (行政处罚法 Art. 52 ¶2:
//! “并由执法人员签名或者盖章”): each officer's signature is captured once,
//! applied only after that officer's PIN (a wrong PIN counts toward the
//! sign-in lock-out), recorded with the document's hash and the time, and
//! the decision is not handed over before both officers signed it.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should abort loudly

mod case_support;

use case_support::*;
use zhifa_core::ErrorCode;
use zhifa_core::case::{self, CaseEvent, CaseStatus, officer_sign};
use zhifa_core::document::model::DocumentData;
use zhifa_core::signin;

/// A fined case issued, nobody has signed yet.
fn issued(env: &mut Env) -> uuid::Uuid {
    env.officers_sign = false;
    let id = env.up_to_rights_told(15_000, false);
    env.advance(id, decide(fine(15_000), &["area_5_to_10sqm"], None))
        .unwrap();
    env.advance(id, CaseEvent::Issue).unwrap();
    id
}

#[test]
fn the_decision_is_not_handed_over_before_both_officers_signed() {
    let mut env = Env::new(10);
    let id = issued(&mut env);
    let before = env.digest();
    let e = env.advance(id, signed()).unwrap_err();
    assert_eq!(e.code(), "CASE_OFFICER_SIGNATURE_MISSING", "{e}");
    assert!(e.to_string().contains("第五十二条"), "{e}");
    assert!(
        e.to_string().contains("张建国"),
        "the first officer is named: {e}"
    );
    assert_eq!(env.digest(), before, "a refused step changes nothing");

    // One officer signed: still refused, naming the other.
    env.officer_signs(id, "OFF-LX-01").unwrap();
    let e = env.advance(id, signed()).unwrap_err();
    assert_eq!(e.code(), "CASE_OFFICER_SIGNATURE_MISSING");
    assert!(e.to_string().contains("李晓燕"), "{e}");

    let c = env.officer_signs(id, "OFF-LX-02").unwrap();
    assert_eq!(c.status, CaseStatus::Issued, "signing keeps the status");
    let issued_hash = c.issue.as_ref().unwrap().document_sha256.clone();
    assert_eq!(c.officer_signatures.len(), 2);
    for (s, o) in c.officer_signatures.iter().zip(["OFF-LX-01", "OFF-LX-02"]) {
        assert_eq!(s.officer_id, o);
        assert_eq!(
            s.document_sha256, issued_hash,
            "the issued decision is what they sign"
        );
        let stored = officer_sign::stored(&env.store, o).unwrap().unwrap();
        assert_eq!(s.signature_sha256, stored.sha256);
    }
    let c = env.advance(id, signed()).unwrap();
    assert_eq!(c.status, CaseStatus::Served);
    // The served decision carries both images beside the officers' lines.
    let Some(DocumentData::DecisionOnTheSpot(d)) = case::served_decision(&env.store, id).unwrap()
    else {
        panic!("no served decision");
    };
    for (o, id) in d.officers.iter().zip(["OFF-LX-01", "OFF-LX-02"]) {
        let png = officer_sign::stored(&env.store, id)
            .unwrap()
            .unwrap()
            .png()
            .unwrap();
        assert_eq!(o.signature.as_ref().map(|s| &s.png), Some(&png));
    }
    // The 送达回证 names both officers as 送达人 with their signatures.
    let Some(DocumentData::ServiceReceipt(r)) =
        case::receipt::service_receipt(&env.store, id).unwrap()
    else {
        panic!("no receipt");
    };
    assert!(r.servers.iter().all(|o| o.signature.is_some()));
    assert_eq!(r.document_number, d.number);
    // The timeline records each application (which officer, which hash, when).
    let kinds: Vec<String> = case::timeline(&env.store, id)
        .unwrap()
        .into_iter()
        .map(|t| t.kind)
        .collect();
    assert_eq!(
        kinds.iter().filter(|k| *k == "sign_as_officer").count(),
        2,
        "{kinds:?}"
    );
}

#[test]
fn a_signature_is_applied_only_through_the_pin() {
    let mut env = Env::new(10);
    let id = issued(&mut env);
    let hash = case::get(&env.store, id)
        .unwrap()
        .unwrap()
        .issue
        .unwrap()
        .document_sha256;
    // The step itself, without the PIN, is refused.
    let e = env
        .advance(
            id,
            CaseEvent::SignAsOfficer {
                officer_id: "OFF-LX-01".into(),
                document_sha256: hash,
                signature_sha256: "00".repeat(32),
            },
        )
        .unwrap_err();
    assert_eq!(e.code(), "CASE_OFFICER_SIGNATURE_INVALID", "{e}");

    env.officer_signs(id, "OFF-LX-01").unwrap();
    let now = env.tick();
    // A wrong PIN is refused and counted as at sign-in: five lock the officer.
    for n in 1..=5 {
        let e = officer_sign::sign_decision(&mut env.store, id, "OFF-LX-01", "999999", None, now)
            .unwrap_err();
        let expected = if n < 5 {
            "SIGNIN_WRONG_PIN"
        } else {
            "SIGNIN_LOCKED"
        };
        assert_eq!(e.code(), expected, "attempt {n}: {e}");
    }
    let e = officer_sign::sign_decision(&mut env.store, id, "OFF-LX-01", OFFICER_PIN, None, now)
        .unwrap_err();
    assert_eq!(
        e.code(),
        "SIGNIN_LOCKED",
        "the right PIN waits for the lock too"
    );
    let e = signin::sign_in(&env.store, "OFF-LX-01", OFFICER_PIN, now).unwrap_err();
    assert_eq!(e.code(), "SIGNIN_LOCKED", "the same lock-out as sign-in");

    // An officer with no signature on the device is asked for one.
    signin::enrol(&env.store, "OFF-LX-02", OFFICER_PIN, now).unwrap();
    let e = officer_sign::sign_decision(&mut env.store, id, "OFF-LX-02", OFFICER_PIN, None, now)
        .unwrap_err();
    assert_eq!(e.code(), "OFFICER_SIGNATURE_NOT_CAPTURED", "{e}");
    // An officer not of the case cannot sign it.
    signin::enrol(&env.store, "OFF-DX-01", OFFICER_PIN, now).unwrap();
    let e = officer_sign::sign_decision(
        &mut env.store,
        id,
        "OFF-DX-01",
        OFFICER_PIN,
        Some(&png()),
        now,
    )
    .unwrap_err();
    assert_eq!(e.code(), "CASE_OFFICER_SIGNATURE_INVALID", "{e}");
}

#[test]
fn a_signature_replaced_after_it_was_applied_must_be_applied_again() {
    let mut env = Env::new(10);
    let id = issued(&mut env);
    env.officer_signs(id, "OFF-LX-01").unwrap();
    env.officer_signs(id, "OFF-LX-02").unwrap();
    // The officer captures a new signature (e.g. in the settings).
    let now = env.tick();
    let mut other = png();
    other.extend_from_slice(b"\0");
    officer_sign::capture(&env.store, "OFF-LX-02", OFFICER_PIN, &other, now).unwrap();
    let e = env.advance(id, signed()).unwrap_err();
    assert_eq!(e.code(), "CASE_OFFICER_SIGNATURE_MISSING", "{e}");
    env.officer_signs(id, "OFF-LX-02").unwrap();
    assert_eq!(
        env.advance(id, signed()).unwrap().status,
        CaseStatus::Served
    );
}

#[test]
fn showing_the_decision_to_the_party_is_recorded_with_its_time() {
    let mut env = Env::new(10);
    let id = issued(&mut env);
    let c = case::get(&env.store, id).unwrap().unwrap();
    assert!(c.document_shown_at.is_none());
    let hash = c.issue.unwrap().document_sha256;
    let e = env
        .advance(
            id,
            CaseEvent::ShowDocument {
                document_sha256: "11".repeat(32),
            },
        )
        .unwrap_err();
    assert_eq!(e.code(), "CASE_FIELD_INVALID", "another document: {e}");
    let c = env
        .advance(
            id,
            CaseEvent::ShowDocument {
                document_sha256: hash,
            },
        )
        .unwrap();
    assert_eq!(c.status, CaseStatus::Issued);
    assert!(c.document_shown_at.is_some());
    let t = case::timeline(&env.store, id).unwrap();
    assert_eq!(t.last().unwrap().kind, "show_document");
}
