//! The party's identity document on the case (issue 19): the document
//! chosen is checked when the party is recorded, what it needs (nationality,
//! an entered birth date, the reason and photo of a party without one) is
//! required, the decision prints the document's name, and the age rules
//! (行政处罚法 Art. 30) work from an entered birth date.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod case_support;

use case_support::*;
use chrono::NaiveDate;
use zhifa_core::ErrorCode;
use zhifa_core::case::{self, CaseEvent, CaseStatus};
use zhifa_core::document::model::DocumentKind;
use zhifa_core::rules::id_document::IdDocKind;

fn passport_holder(birth: NaiveDate) -> case::CaseParty {
    case::CaseParty {
        name: "JOHN SMITH".into(),
        id_number: "x1234 5678".into(),
        id_kind: Some(IdDocKind::ForeignPassport),
        nationality: Some(" 美国 ".into()),
        birth_date: Some(birth),
        ..individual()
    }
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

#[test]
fn a_foreign_passport_needs_the_nationality_and_the_birth_date() {
    let mut env = Env::new(10);
    let c = env.create(LONGXING, STALLS, officers(LONGXING)).unwrap();
    let before = env.digest();
    for (what, party, code) in [
        (
            "no nationality",
            case::CaseParty {
                nationality: Some(" ".into()),
                ..passport_holder(d(1990, 5, 1))
            },
            "CASE_FIELD_REQUIRED",
        ),
        (
            "no birth date",
            case::CaseParty {
                birth_date: None,
                ..passport_holder(d(1990, 5, 1))
            },
            "CASE_FIELD_REQUIRED",
        ),
        (
            "a stray character",
            case::CaseParty {
                id_number: "X1234/5678".into(),
                ..passport_holder(d(1990, 5, 1))
            },
            "ID_DOC_CHARACTER",
        ),
        (
            "a resident ID number as a residence permit",
            case::CaseParty {
                id_kind: Some(IdDocKind::ResidencePermit),
                nationality: None,
                birth_date: None,
                ..individual()
            },
            "ID_DOC_WRONG_DOCUMENT",
        ),
    ] {
        let e = env.advance(c.id, party_and_facts(party)).unwrap_err();
        assert_eq!(e.code(), code, "{what}: {e}");
    }
    assert_eq!(env.digest(), before, "a refused step changes nothing");
    let c = env
        .advance(c.id, party_and_facts(passport_holder(d(1990, 5, 1))))
        .unwrap();
    let p = c.party.unwrap();
    assert_eq!(p.id_number, "X12345678", "normalised");
    assert_eq!(p.nationality.as_deref(), Some("美国"));
    assert_eq!(p.birth_date, Some(d(1990, 5, 1)));
    assert_eq!(p.id_kind_printed(), "护照（国籍：美国）");
    let dbg = format!("{p:?}");
    assert!(!dbg.contains("12345678") && !dbg.contains("1990"), "{dbg}");
}

#[test]
fn the_decision_prints_the_passport_and_the_entered_birth_date() {
    let mut env = Env::new(10);
    let c = env.create(LONGXING, STALLS, officers(LONGXING)).unwrap();
    env.advance(c.id, party_and_facts(passport_holder(d(1990, 5, 1))))
        .unwrap();
    env.advance(c.id, evidence()).unwrap();
    env.advance(c.id, CaseEvent::ShowCredentials).unwrap();
    env.advance(c.id, inform(fine(15_000))).unwrap();
    env.advance(c.id, CaseEvent::WaiveStatement { words: None })
        .unwrap();
    env.advance(c.id, decide(fine(15_000), &["area_5_to_10sqm"], None))
        .unwrap();
    let done = env.advance(c.id, CaseEvent::Issue).unwrap();
    assert_eq!(done.status, CaseStatus::Issued);
    let (json, _) = case::document(&env.store, c.id, DocumentKind::DecisionOnTheSpot, "issued")
        .unwrap()
        .unwrap();
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        v["party"]["id_kind"], "护照（国籍：美国）",
        "{}",
        v["party"]
    );
    assert_eq!(v["party"]["id_number"], "X12345678");
    assert_eq!(v["party"]["birth_date"], "1990-05-01");
}

#[test]
fn an_entered_birth_date_under_14_needs_the_art_30_guardian_order() {
    // Born 2013-01-01: 13 on the violation date (2026-03-02); the passport
    // number carries no birth date, the entered one is used.
    let mut env = Env::new(10);
    let c = env.create(LONGXING, STALLS, officers(LONGXING)).unwrap();
    env.advance(c.id, party_and_facts(passport_holder(d(2013, 1, 1))))
        .unwrap();
    env.advance(c.id, evidence()).unwrap();
    env.advance(c.id, CaseEvent::ShowCredentials).unwrap();
    let step = |guardian_order: Option<&str>| CaseEvent::DecideNoPenalty {
        circumstances: vec![],
        education: "已对其进行教育".into(),
        guardian_order: guardian_order.map(String::from),
    };
    let e = env.advance(c.id, step(None)).unwrap_err();
    assert_eq!(e.code(), "CASE_GUARDIAN_ORDER_MISSING", "{e}");
    assert!(e.to_string().contains("第三十条"), "{e}");
    let done = env
        .advance(c.id, step(Some("已责令其监护人加以管教")))
        .unwrap();
    assert!(done.no_penalty.unwrap().ground.contains("第三十条"));
}

#[test]
fn no_document_needs_a_reason_and_a_photo_of_the_case() {
    let mut env = Env::new(10);
    let c = env.create(LONGXING, STALLS, officers(LONGXING)).unwrap();
    let stranger = uuid::Uuid::now_v7();
    let base = case::CaseParty {
        id_number: String::new(),
        id_kind: Some(IdDocKind::NoDocument),
        birth_date: Some(d(1985, 6, 1)),
        no_document_reason: Some("当事人称证件遗失".into()),
        photo_evidence: Some(stranger),
        ..individual()
    };
    for (what, party, code) in [
        (
            "no reason",
            case::CaseParty {
                no_document_reason: Some("  ".into()),
                ..base.clone()
            },
            "CASE_FIELD_REQUIRED",
        ),
        (
            "no photo",
            case::CaseParty {
                photo_evidence: None,
                ..base.clone()
            },
            "CASE_FIELD_REQUIRED",
        ),
        (
            "a number given",
            case::CaseParty {
                id_number: "123456".into(),
                ..base.clone()
            },
            "ID_DOC_FORMAT",
        ),
        (
            "a photo of no case",
            base.clone(),
            "CASE_EVIDENCE_NOT_OF_CASE",
        ),
    ] {
        let e = env.advance(c.id, party_and_facts(party)).unwrap_err();
        assert_eq!(e.code(), code, "{what}: {e}");
    }
    assert_eq!(
        base.id_kind_printed(),
        "无证件（身份由当事人陈述，当事人照片存证）"
    );
}

#[test]
fn a_record_without_a_document_kind_is_a_resident_id_as_before() {
    let p = individual();
    assert_eq!(p.doc_kind(), IdDocKind::ResidentId);
    let json = serde_json::to_value(&p).unwrap();
    assert!(
        json.get("id_kind").is_none(),
        "old records keep their bytes"
    );
    let back: case::CaseParty = serde_json::from_value(json).unwrap();
    assert_eq!(back, p);
}
