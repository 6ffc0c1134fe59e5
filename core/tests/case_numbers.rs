//! Offline document numbers (行政处罚法 Art. 52 “编有号码”): leases, unique
//! consumption across many issues and voids, exhaustion, overlap refusal,
//! and the outbox seq staying gapless with one record per mutation.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod case_support;

use std::collections::HashSet;

use case_support::*;
use zhifa_core::ErrorCode;
use zhifa_core::case::numbers::{issue_number, leases, numbers};
use zhifa_core::case::{self, CaseEvent};

const SERIES: &str = "decision_on_the_spot";

#[test]
fn numbers_are_unique_across_1000_issues_including_voids() {
    let mut env = Env::new(0);
    // Three leases out of order with a gap; the lowest open one is used first.
    env.lease(LONGXING, SERIES, 501, 900);
    env.lease(LONGXING, SERIES, 1, 300);
    env.lease(LONGXING, SERIES, 2001, 2600);
    let mut seen = HashSet::new();
    let mut voided = 0;
    let mut used_voided = 0;
    let mut issued = Vec::new();
    for i in 0..1000 {
        let now = env.tick();
        if i % 10 == 3 {
            // Void a number ahead of use: it must be skipped, never handed out.
            let next = leases(&env.store)
                .unwrap()
                .into_iter()
                .filter(|l| l.series == SERIES && l.next <= l.end)
                .map(|l| l.next)
                .min()
                .unwrap();
            case::void_number(
                &mut env.store,
                LONGXING,
                SERIES,
                2026,
                next,
                "打印时卡纸损坏",
                now,
            )
            .unwrap();
            voided += 1;
            continue;
        }
        let r = issue_number(&mut env.store, LONGXING, SERIES, None, now).unwrap();
        assert!(
            seen.insert(r.formatted.clone()),
            "{} issued twice",
            r.formatted
        );
        issued.push(r.seq);
        if i % 97 == 0 {
            // Void a used number (spoiled form): it stays on record as voided.
            let now = env.tick();
            let v = case::void_number(
                &mut env.store,
                LONGXING,
                SERIES,
                2026,
                r.seq,
                "填写错误作废",
                now,
            )
            .unwrap();
            assert_eq!(v.status, "voided");
            used_voided += 1;
            assert_eq!(v.formatted, r.formatted);
            let e = case::void_number(&mut env.store, LONGXING, SERIES, 2026, r.seq, "again", now)
                .unwrap_err();
            assert_eq!(e.code(), "NUMBER_ALREADY_VOIDED");
        }
    }
    let all = numbers(&env.store, LONGXING, SERIES).unwrap();
    assert_eq!(
        all.len(),
        1000,
        "every number handed out or voided is on record"
    );
    let seqs: HashSet<i64> = all.iter().map(|n| n.seq).collect();
    assert_eq!(seqs.len(), 1000);
    assert_eq!(
        all.iter().filter(|n| n.status == "voided").count(),
        voided + used_voided
    );
    assert_eq!(
        all.iter().filter(|n| n.status == "used").count(),
        900 - used_voided
    );
    assert_eq!(voided, 100);
    assert!(used_voided > 0);
    // The leases were used lowest first: 1–300, then 501–900, then 2001–.
    assert_eq!(issued[0], 1);
    assert!(all.iter().all(|n| (1..=300).contains(&n.seq)
        || (501..=900).contains(&n.seq)
        || (2001..=2600).contains(&n.seq)));
    assert_eq!(all.iter().filter(|n| n.seq >= 2001).count(), 300);
    // The printed form follows the template, not padded (GB/T 9704 practice).
    assert!(seen.contains("龙兴综执当罚〔2026〕1号"));
    for n in all.iter().filter(|n| !n.formatted.is_empty()) {
        assert_eq!(n.formatted, format!("龙兴综执当罚〔2026〕{}号", n.seq));
    }
}

#[test]
fn an_exhausted_lease_is_a_clear_error_and_changes_nothing() {
    let mut env = Env::new(0);
    env.lease(LONGXING, SERIES, 1, 2);
    for _ in 0..2 {
        let now = env.tick();
        issue_number(&mut env.store, LONGXING, SERIES, None, now).unwrap();
    }
    let before = env.digest();
    let now = env.tick();
    let e = issue_number(&mut env.store, LONGXING, SERIES, None, now).unwrap_err();
    assert_eq!(e.code(), "NUMBERS_EXHAUSTED");
    assert!(e.to_string().contains("号段"), "{e}");
    assert_eq!(env.digest(), before);
    // Another year has no lease at all: the same error.
    let e = case::void_number(&mut env.store, LONGXING, SERIES, 2027, 1, "x", now).unwrap_err();
    assert_eq!(e.code(), "NUMBER_NOT_LEASED");
}

#[test]
fn overlapping_leases_are_refused() {
    let mut env = Env::new(0);
    env.lease(LONGXING, SERIES, 100, 199);
    let before = env.digest();
    for (start, end) in [(100, 199), (50, 100), (199, 300), (120, 130), (1, 1000)] {
        let now = env.tick();
        let e = case::grant_lease(
            &mut env.store,
            LONGXING,
            SERIES,
            2026,
            start,
            end,
            "local_admin",
            now,
        )
        .unwrap_err();
        assert_eq!(e.code(), "NUMBER_LEASE_OVERLAP", "{start}-{end}");
    }
    for (start, end) in [(0, 5), (10, 9), (-3, 4)] {
        let now = env.tick();
        let e = case::grant_lease(
            &mut env.store,
            LONGXING,
            SERIES,
            2026,
            start,
            end,
            "local_admin",
            now,
        )
        .unwrap_err();
        assert_eq!(e.code(), "NUMBER_LEASE_INVALID", "{start}-{end}");
    }
    assert_eq!(env.digest(), before);
    // Adjacent, another series, another township, another year: all fine.
    env.lease(LONGXING, SERIES, 200, 299);
    env.lease(LONGXING, "order_to_correct", 100, 199);
    env.lease(DONGXI, SERIES, 100, 199);
    let now = env.tick();
    case::grant_lease(
        &mut env.store,
        LONGXING,
        SERIES,
        2027,
        100,
        199,
        "server",
        now,
    )
    .unwrap();
}

#[test]
fn the_outbox_is_gapless_with_one_record_per_mutation() {
    let mut env = Env::new(5);
    let mut expected = case::outbox_pending(&env.store).unwrap().len();
    assert_eq!(expected, 9, "nine lease grants");
    let c = env.create(LONGXING, STALLS, officers(LONGXING)).unwrap();
    expected += 1;
    for step in [
        party_and_facts(individual()),
        evidence(),
        CaseEvent::ShowCredentials,
        inform(fine(10_000)),
        CaseEvent::WaiveStatement { words: None },
        decide(fine(10_000), &["area_5_to_10sqm"], None),
        CaseEvent::Issue,
    ] {
        // The issue is followed by both officers' signatures, one record each.
        expected += if matches!(step, CaseEvent::Issue) {
            3
        } else {
            1
        };
        env.advance(c.id, step).unwrap();
        assert_eq!(env.outbox_len(), expected);
        // A refused step adds nothing.
        assert!(
            env.advance(c.id, CaseEvent::Close { note: "x".into() })
                .is_err()
        );
        assert_eq!(env.outbox_len(), expected);
    }
    let now = env.tick();
    case::void_number(&mut env.store, LONGXING, SERIES, 2026, 5, "作废", now).unwrap();
    expected += 1;
    assert_eq!(env.outbox_len(), expected);
    // Gapless over every record, the v6 trigger's number records included.
    let out = case::outbox_pending(&env.store).unwrap();
    let seqs: Vec<i64> = out.iter().map(|o| o.seq).collect();
    assert_eq!(seqs, (1..=out.len() as i64).collect::<Vec<_>>());
    let ids: HashSet<_> = out.iter().map(|o| o.mutation_id).collect();
    assert_eq!(ids.len(), out.len(), "mutation ids are unique");
    assert!(out.iter().all(|o| o.device_id == out[0].device_id));
    // Pushing marks records; new ones continue the sequence.
    let now = env.tick();
    assert_eq!(case::mark_pushed(&env.store, 10, now).unwrap(), 10);
    env.advance(c.id, signed()).unwrap();
    let pending = case::outbox_pending(&env.store).unwrap();
    assert_eq!(pending.first().unwrap().seq, 11);
    assert_eq!(pending.last().unwrap().seq, out.len() as i64 + 1);
}

/// A 东溪镇 (policy `provisional`) 占道经营 case, decided and ready to issue.
fn dongxi_decided(env: &mut Env) -> uuid::Uuid {
    let c = env.create(DONGXI, STALLS, officers(DONGXI)).unwrap();
    env.advance(c.id, party_and_facts(individual())).unwrap();
    env.advance(c.id, evidence()).unwrap();
    env.advance(c.id, CaseEvent::ShowCredentials).unwrap();
    env.advance(c.id, inform(fine(10_000))).unwrap();
    env.advance(c.id, CaseEvent::WaiveStatement { words: None })
        .unwrap();
    env.advance(c.id, decide(fine(10_000), &["area_5_to_10sqm"], None))
        .unwrap();
    c.id
}

#[test]
fn a_provisional_number_of_an_aborted_issue_step_is_never_reused() {
    // No lease at all, and the township's policy allows provisional
    // numbers (sample catalogue: 东溪镇). A fault inside the issue step's
    // transaction (the decision's document row refused, as a crash would
    // leave it) must take the provisional serial back with everything else.
    let mut env = Env::new(0);
    let a = dongxi_decided(&mut env);
    env.store
        .conn()
        .execute_batch(
            "CREATE TEMP TRIGGER injected_fault BEFORE INSERT ON main.case_document
             BEGIN SELECT RAISE(ABORT, 'injected fault'); END;",
        )
        .unwrap();
    let before = env.digest();
    let outbox = env.outbox_len();
    assert!(env.advance(a, CaseEvent::Issue).is_err());
    assert_eq!(env.digest(), before);
    assert_eq!(env.outbox_len(), outbox);
    assert!(case::provisional_numbers(&env.store).unwrap().is_empty());
    env.store
        .conn()
        .execute_batch("DROP TRIGGER temp.injected_fault;")
        .unwrap();

    // Retried, and a second case: serials 1 and 2, each announced once.
    let issued = env.advance(a, CaseEvent::Issue).unwrap().issue.unwrap();
    assert!(issued.number_provisional);
    let b = dongxi_decided(&mut env);
    let second = env.advance(b, CaseEvent::Issue).unwrap().issue.unwrap();
    let p1 = case::ProvisionalNumber::parse(&issued.number).unwrap();
    let p2 = case::ProvisionalNumber::parse(&second.number).unwrap();
    assert_eq!((p1.seq, p2.seq), (1, 2));
    assert_eq!(p1.township, DONGXI);
    assert_eq!(p1.device, p2.device);
    // No payment code was leased either: none is invented.
    assert_eq!(issued.payment_code, None);
    assert_eq!(issued.payment_url, None);
    let announced: Vec<_> = case::outbox_pending(&env.store)
        .unwrap()
        .into_iter()
        .filter(|o| o.entity == "provisional_number")
        .collect();
    assert_eq!(announced.len(), 2);
    assert_eq!(announced[0].entity_id, issued.number);
    let mapped = case::provisional_numbers(&env.store).unwrap();
    assert_eq!(
        mapped.iter().map(|m| m.device_seq).collect::<Vec<_>>(),
        [1, 2]
    );
    assert!(mapped.iter().all(|m| m.final_number.is_none()));
    assert_eq!(
        case::provisional_of_case(&env.store, a)
            .unwrap()
            .unwrap()
            .provisional,
        issued.number
    );
}

#[test]
fn a_final_number_is_recorded_once_and_never_overwritten() {
    let mut env = Env::new(0);
    let a = dongxi_decided(&mut env);
    let p = env
        .advance(a, CaseEvent::Issue)
        .unwrap()
        .issue
        .unwrap()
        .number;
    let now = env.tick();
    let conn = env.store.conn();
    let unknown = case::numbers::record_final(conn, "T500110106-D00000000-9", "x", 1, now).unwrap();
    assert_eq!(unknown, None);
    let first = case::numbers::record_final(conn, &p, "东溪综执当罚〔2026〕5号", 5, now).unwrap();
    assert_eq!(first, Some(Some(a.to_string())));
    // The same event again (an inbox page re-read) changes nothing.
    case::numbers::record_final(conn, &p, "东溪综执当罚〔2026〕5号", 5, now).unwrap();
    let e = case::numbers::record_final(conn, &p, "东溪综执当罚〔2026〕6号", 6, now).unwrap_err();
    assert_eq!(e.code(), "NUMBER_FINAL_MISMATCH");
    let m = case::provisional_of_case(&env.store, a).unwrap().unwrap();
    assert_eq!(m.final_number.as_deref(), Some("东溪综执当罚〔2026〕5号"));
    assert_eq!(m.final_seq, Some(5));
}
