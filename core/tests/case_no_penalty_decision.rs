//! The 不予行政处罚决定书 of a case decided without a penalty (issue 19):
//! issued with the `decide_no_penalty` step (its ground and article, the
//! 教育 record), signed by both officers with their PINs (行政处罚法 Art. 52
//! ¶2, as the on-the-spot decision), shown to the party, served with the
//! party's signature, archived for the centre; numbered from the
//! township's `no_penalty_decision` series only when configured.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should abort loudly

mod case_support;

use case_support::*;
use zhifa_core::ErrorCode;
use zhifa_core::case::config::SERIES_NO_PENALTY;
use zhifa_core::case::officer_sign::issued_decision;
use zhifa_core::case::{self, CaseEvent, CaseStatus};
use zhifa_core::document::model::{DocumentData, DocumentKind, NoPenaltyGround, PartySignature};

fn first_violation() -> CaseEvent {
    CaseEvent::DecideNoPenalty {
        circumstances: vec![
            "first_violation".into(),
            "minor_harm".into(),
            "corrected_promptly".into(),
        ],
        education: "向当事人讲解市容环境卫生管理规定，当事人已自行撤摊".into(),
        guardian_order: None,
    }
}

fn decided(env: &mut Env) -> uuid::Uuid {
    let c = env.create(LONGXING, STALLS, officers(LONGXING)).unwrap();
    env.advance(c.id, party_and_facts(individual())).unwrap();
    env.advance(c.id, evidence()).unwrap();
    env.advance(c.id, first_violation()).unwrap();
    c.id
}

#[test]
fn the_decision_is_issued_with_its_ground_signed_shown_served_and_archived() {
    let mut env = Env::new(10);
    let id = decided(&mut env);
    let c = case::get(&env.store, id).unwrap().unwrap();
    assert_eq!(c.status, CaseStatus::NoPenalty);
    let np = c.no_penalty.clone().unwrap();
    // No series configured in the sample townships: unnumbered.
    assert_eq!(np.number, None);
    let hash = np.document_sha256.clone().unwrap();
    let handed = c.handed_decision().unwrap();
    assert_eq!(handed.kind, DocumentKind::NoPenaltyDecision);
    assert_eq!(handed.document_sha256, hash);
    let (_, stored_sha) = case::document(&env.store, id, DocumentKind::NoPenaltyDecision, "issued")
        .unwrap()
        .unwrap();
    assert_eq!(stored_sha, hash);

    // The preview: the ground, its article, the 教育 record, the party's line open.
    let Some(DocumentData::NoPenaltyDecision(d)) = issued_decision(&env.store, id).unwrap() else {
        panic!("no issued 不予行政处罚决定书");
    };
    assert_eq!(d.ground, NoPenaltyGround::FirstViolation);
    assert_eq!(d.ground_recorded, np.ground);
    assert_eq!(d.education, np.education);
    assert_eq!(d.case_ref, id.to_string());
    assert!(d.remedy_clause.contains("重庆市渝北区人民政府") && d.remedy_clause.contains("六个月"));
    assert_eq!(d.party_signature, PartySignature::Pending);
    assert!(d.officers.iter().all(|o| o.signature.is_none()));

    // Not handed over before both officers signed (Art. 52 ¶2).
    let e = env.advance(id, signed()).unwrap_err();
    assert_eq!(e.code(), "CASE_OFFICER_SIGNATURE_MISSING");
    for o in officers(LONGXING) {
        env.officer_signs(id, o).unwrap();
    }
    let Some(DocumentData::NoPenaltyDecision(d)) = issued_decision(&env.store, id).unwrap() else {
        panic!("no issued 不予行政处罚决定书");
    };
    assert!(d.officers.iter().all(|o| o.signature.is_some()));

    // Shown to the party, then signed for; the case stays 不予处罚.
    let wrong = env
        .advance(
            id,
            CaseEvent::ShowDocument {
                document_sha256: "0".repeat(64),
            },
        )
        .unwrap_err();
    assert_eq!(wrong.code(), "CASE_FIELD_INVALID");
    let c = env
        .advance(
            id,
            CaseEvent::ShowDocument {
                document_sha256: hash.clone(),
            },
        )
        .unwrap();
    assert!(c.document_shown_at.is_some());
    let c = env.advance(id, signed()).unwrap();
    assert_eq!(c.status, CaseStatus::NoPenalty);
    assert!(c.service.is_some());
    let Some(DocumentData::NoPenaltyDecision(served)) =
        case::served_decision(&env.store, id).unwrap()
    else {
        panic!("no served 不予行政处罚决定书");
    };
    assert!(
        matches!(&served.party_signature, PartySignature::Signed { name, .. } if name == "周小川")
    );
    assert!(served.officers.iter().all(|o| o.signature.is_some()));
    // Served once.
    assert!(env.advance(id, signed()).is_err());
    // Officers cannot sign a served decision again.
    let e = env.officer_signs(id, officers(LONGXING)[0]).unwrap_err();
    assert_eq!(e.code(), "CASE_OFFICER_SIGNATURE_INVALID");

    // The served copy is what goes to the centre.
    let dir = env.dir.path().join("documents");
    let now = env.tick();
    let archived = case::archive::archive_documents(&mut env.store, &dir, now).unwrap();
    let mine: Vec<_> = archived
        .iter()
        .filter(|a| a.case_id == id.to_string())
        .collect();
    assert_eq!(mine.len(), 1, "{archived:?}");
    assert_eq!(
        (mine[0].kind.as_str(), mine[0].stage.as_str()),
        ("no_penalty_decision", "served")
    );

    env.advance(
        id,
        CaseEvent::File {
            note: "备案".into(),
        },
    )
    .unwrap();
    let c = env
        .advance(
            id,
            CaseEvent::Close {
                note: "结案".into(),
            },
        )
        .unwrap();
    assert_eq!(c.status, CaseStatus::Closed);
}

#[test]
fn a_township_with_a_series_numbers_its_decisions_from_its_leases() {
    let mut env = Env::new(10);
    let mut cfg = case::township_config(&env.store, LONGXING)
        .unwrap()
        .unwrap();
    cfg.number_formats.insert(
        SERIES_NO_PENALTY.into(),
        "{镇街代字}综执不罚〔{year}〕{seq}号".into(),
    );
    let now = env.tick();
    case::set_township_config(&env.store, &cfg, now).unwrap();
    // No lease of the series yet: refused, nothing recorded.
    let c = env.create(LONGXING, STALLS, officers(LONGXING)).unwrap();
    env.advance(c.id, party_and_facts(individual())).unwrap();
    env.advance(c.id, evidence()).unwrap();
    let e = env.advance(c.id, first_violation()).unwrap_err();
    assert_eq!(e.code(), "NUMBERS_EXHAUSTED");
    assert_eq!(
        case::get(&env.store, c.id).unwrap().unwrap().status,
        CaseStatus::Evidence
    );
    env.lease(LONGXING, SERIES_NO_PENALTY, 7, 9);
    let done = env.advance(c.id, first_violation()).unwrap();
    let number = done.no_penalty.unwrap().number.unwrap();
    assert!(number.ends_with("综执不罚〔2026〕7号"), "{number}");
    let Some(DocumentData::NoPenaltyDecision(d)) = issued_decision(&env.store, c.id).unwrap()
    else {
        panic!("no issued 不予行政处罚决定书");
    };
    assert_eq!(d.number.as_deref(), Some(number.as_str()));
}
