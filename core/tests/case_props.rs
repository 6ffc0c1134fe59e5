//! Property: over random sequences of steps, the case never reaches a
//! state the law forbids, a refused step changes nothing, and the outbox
//! and timeline grow by exactly one record per accepted step.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod case_support;

use case_support::*;
use chrono::NaiveDate;
use proptest::prelude::*;
use zhifa_core::case::{self, Case, CaseEvent, CaseStatus, PaymentRecord, Service};
use zhifa_core::rules::assess::{PenaltyKind, ProposedPenalty};

/// How many kinds of step [`event`] makes.
const N_EVENTS: u8 = 20;

/// The order of penalty kinds in 行政处罚法 Art. 9 (警告、通报批评 (一),
/// 罚款 (二)), then the amount: an oracle written from the article, not
/// from the code under test.
fn severity(p: &ProposedPenalty) -> (u8, i64) {
    match p.kind {
        PenaltyKind::Warning => (0, 0),
        PenaltyKind::NoticeOfCriticism => (1, 0),
        PenaltyKind::Fine => (2, p.amount_fen.unwrap_or(0)),
    }
}

fn event(i: u8, fen: i64) -> CaseEvent {
    let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
    match i % N_EVENTS {
        0 => party_and_facts(individual()),
        1 => evidence(),
        2 => inform(fine(fen)),
        3 => inform(warning()),
        4 => CaseEvent::HearStatement {
            text: "陈述".into(),
            review: "复核".into(),
        },
        5 => CaseEvent::WaiveStatement { words: None },
        6 => decide(fine(fen), &["area_5_to_10sqm"], None),
        7 => decide(fine(fen), &["area_5_to_10sqm"], Some("情节特殊")),
        8 => CaseEvent::Issue,
        9 => signed(),
        10 => CaseEvent::Serve {
            service: Service::Refused {
                reason: "拒签".into(),
                witness: None,
            },
        },
        11 => CaseEvent::RecordPayment {
            paid_on: d(3, 10),
            reference: None,
        },
        12 => CaseEvent::CollectOnTheSpot {
            receipt_number: "R".into(),
        },
        13 => CaseEvent::MarkOverdue { on: d(6, 1) },
        14 => CaseEvent::DecideNoPenalty {
            circumstances: vec![
                "first_violation".into(),
                "minor_harm".into(),
                "corrected_promptly".into(),
            ],
            education: "教育".into(),
            guardian_order: None,
        },
        15 => CaseEvent::OrderCorrection {
            requirement: "改正".into(),
            deadline: d(3, 2),
            follow_up_due: d(3, 3),
        },
        18 => inform(ProposedPenalty {
            kind: PenaltyKind::NoticeOfCriticism,
            amount_fen: None,
            also: Vec::new(),
            band: None,
        }),
        19 => decide(warning(), &["area_5_to_10sqm"], Some("情节轻微")),
        16 => CaseEvent::RecordFollowUp {
            corrected: (fen / 5_000) % 2 == 0,
            note: "复查".into(),
        },
        _ => {
            if (fen / 5_000) % 2 == 0 {
                CaseEvent::File {
                    note: "备案".into(),
                }
            } else {
                CaseEvent::Close {
                    note: "结案".into(),
                }
            }
        }
    }
}

/// The protocol's record of a case serializes to exactly the device's JSON
/// of it, and parses back from that JSON to the same record: what the
/// server stores is what the device holds, field for field.
fn check_wire_record(c: &Case) {
    let device = serde_json::to_value(c).unwrap();
    let record = zhifa_protocol::record::CaseRecord::from(c);
    assert_eq!(
        serde_json::to_value(&record).unwrap(),
        device,
        "{}",
        c.status
    );
    let parsed: zhifa_protocol::record::CaseRecord = serde_json::from_value(device).unwrap();
    assert_eq!(parsed, record);
}

/// What must hold of a case in each status, whatever the path.
fn check_invariants(c: &Case) {
    use CaseStatus as S;
    let past = |s: &[S]| s.contains(&c.status);
    if !past(&[S::Draft]) {
        assert!(c.party.is_some() && c.facts.is_some(), "{:?}", c.status);
    }
    if let Some(d) = &c.decision {
        // Art. 44, 62: a decision only after 告知 and statement or waiver.
        assert!(c.rights.is_some() && c.statement.is_some());
        // Art. 44, 45 ¶2, 62: never heavier than the penalty last told,
        // whether the statement was heard or waived.
        let told = &c.rights.as_ref().unwrap().proposed;
        assert!(
            severity(&d.penalty) <= severity(told),
            "decided {:?} heavier than told {:?} ({:?})",
            d.penalty,
            told,
            c.statement
        );
        // Art. 40, 47: a fine rests on evidence or a recorded reason.
        if d.penalty.kind == PenaltyKind::Fine {
            assert!(!c.evidence.is_empty() || c.no_evidence_reason.is_some());
        }
        // Art. 51: never above 200 元 for a citizen.
        assert!(d.penalty.amount_fen.unwrap_or(0) <= 20_000);
    }
    if past(&[S::Decided]) {
        assert!(c.decision.is_some() && c.issue.is_none());
    }
    if past(&[
        S::Issued,
        S::Served,
        S::Paid,
        S::CollectedOnTheSpot,
        S::Overdue,
    ]) {
        assert!(c.decision.is_some() && c.issue.is_some());
    }
    if past(&[S::Served, S::Paid, S::CollectedOnTheSpot, S::Overdue]) {
        assert!(c.service.is_some());
    }
    if c.status == S::Paid {
        assert!(matches!(c.payment, Some(PaymentRecord::Paid { .. })));
    }
    if c.status == S::CollectedOnTheSpot {
        // Art. 68: only where the assessment allowed it.
        assert!(c.decision.as_ref().unwrap().on_the_spot_collection);
        assert!(matches!(c.payment, Some(PaymentRecord::Collected { .. })));
    }
    if c.status == S::NoPenalty {
        assert!(c.no_penalty.is_some() && c.decision.is_none());
    }
    if past(&[S::CorrectionOrdered, S::Corrected]) {
        assert!(c.correction.is_some());
    }
    if matches!(c.status, S::Closed | S::Filed) {
        // Art. 52 ¶3: closed only after the 备案.
        assert!(c.filed.is_some());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn random_step_sequences_keep_the_case_lawful(
        steps in proptest::collection::vec((0u8..60, prop::sample::select(vec![5_000i64, 10_000, 15_000, 20_000, 30_000, 60_000])), 1..40)
    ) {
        let mut env = Env::new(40);
        let c = env.create(LONGXING, STALLS, officers(LONGXING)).unwrap();
        let outbox0 = env.outbox_len();
        let mut accepted = 0usize;
        let mut status = c.status;
        for (i, fen) in steps {
            // A third of the choices are any step; two thirds pick among the
            // steps the table allows now, so that deep paths are explored
            // (the legal checks may still refuse them).
            let ev = if i < N_EVENTS {
                event(i, fen)
            } else {
                let legal: Vec<CaseEvent> = (0..N_EVENTS)
                    .map(|k| event(k, fen))
                    .filter(|e| e.target(status).is_some())
                    .collect();
                if legal.is_empty() {
                    event(i, fen)
                } else {
                    legal[usize::from(i) % legal.len()].clone()
                }
            };
            let before_outbox = env.outbox_len();
            let before_version = case::get(&env.store, c.id).unwrap().unwrap().version;
            match env.advance(c.id, ev.clone()) {
                Ok(after) => {
                    accepted += 1;
                    // The transition table says where it may lead.
                    let expected = ev.target(status);
                    prop_assert_eq!(Some(after.status), expected, "{} from {}", ev.name(), status);
                    prop_assert_eq!(after.version, before_version + 1);
                    status = after.status;
                }
                Err(_) => {
                    let now = case::get(&env.store, c.id).unwrap().unwrap();
                    prop_assert_eq!(now.status, status);
                    prop_assert_eq!(now.version, before_version);
                    prop_assert_eq!(env.outbox_len(), before_outbox);
                }
            }
            let stored = case::get(&env.store, c.id).unwrap().unwrap();
            check_invariants(&stored);
            check_wire_record(&stored);
            prop_assert_eq!(env.outbox_len(), outbox0 + accepted);
            prop_assert_eq!(case::timeline(&env.store, c.id).unwrap().len(), 1 + accepted);
        }
    }
}
