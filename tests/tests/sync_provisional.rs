//! Scenario T27 of sync.md §7.3 with the provisional-number fallback
//! (sync.md §5, §9 open question 1; docs/PROTOCOL.md stream E), and the
//! officer's view of refused lease grants. Deterministic: the in-process
//! server, the fault-injecting transport and manual clocks, on both
//! server backends.
//!
//! 行政处罚法 Art. 52 wants a pre-formatted, numbered decision. With both
//! leases used up offline, a `lease_only` township refuses to issue
//! (`NUMBERS_EXHAUSTED`); a `provisional` township (东溪镇 in the sample
//! catalogue) prints `T{township}-D{device}-{seq}`, and the server gives
//! each provisional number the next final number of the township's series
//! exactly once, however the pushes are duplicated, reordered or cut.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should abort loudly

use std::collections::BTreeSet;

use zhifa_core::ErrorCode;
use zhifa_core::case::numbers::{ProvisionalNumber, device_code, provisional_numbers};
use zhifa_core::case::{self, CaseEvent};
use zhifa_core::rules::assess::{PenaltyKind, ProposedPenalty};
use zhifa_sync::engine;
use zhifa_sync::review::{self, Resolution};
use zhifa_tests::{Backend, DeviceNow, Fault, Faulty, OFFICERS, TestDevice, TestServer};

/// 东溪镇: its catalogue entry opts in to provisional numbers.
const DONGXI: &str = "500110106";
const DONGXI_OFFICERS: [&str; 2] = ["OFF-DX-01", "OFF-DX-02"];

/// A device of `township`, enrolled, with two small leases on hand (2
/// numbers each) per series, as T27 asks: the second lease is used when
/// the first runs out.
async fn two_small_leases(server: &TestServer, township: &str, officers: [&str; 2]) -> TestDevice {
    let mut dev = TestDevice::in_township(township, officers);
    dev.enrol(&server.transport(), &server.code(officers[0]))
        .await
        .unwrap();
    dev.cfg.lease_size = 2;
    dev.cfg.lease_low_water = 3;
    dev.sync(&server.transport()).await.unwrap();
    dev.sync(&server.transport()).await.unwrap();
    let decision: Vec<_> = case::numbers::leases(&dev.store)
        .unwrap()
        .into_iter()
        .filter(|l| l.series == case::config::SERIES_DECISION)
        .collect();
    assert_eq!(decision.len(), 2, "{decision:?}");
    dev
}

/// Takes a new case up to the issue step (decided, not yet issued).
fn decided_case(dev: &mut TestDevice) -> uuid::Uuid {
    let id = dev.new_case();
    let (ev, _) = dev.photo(id);
    dev.attach(id, vec![ev]);
    let fine = ProposedPenalty {
        kind: PenaltyKind::Fine,
        amount_fen: Some(15_000),
        also: Vec::new(),
        band: None,
    };
    for s in [
        CaseEvent::ShowCredentials,
        CaseEvent::InformRights {
            proposed: fine.clone(),
            content: "已告知拟处罚款150元及陈述申辩权利".into(),
        },
        CaseEvent::WaiveStatement { words: None },
        CaseEvent::Decide {
            penalty: fine,
            circumstances: vec!["area_5_to_10sqm".into()],
            deviation_reason: None,
            place: "示例路12号".into(),
        },
    ] {
        let now = dev.tick();
        case::advance(&mut dev.store, id, &s, now).unwrap();
    }
    id
}

async fn t27_lease_only_township_refuses_with_both_leases_exhausted(b: Backend) {
    let server = TestServer::on(&b);
    let mut dev = two_small_leases(&server, zhifa_tests::TOWNSHIP, OFFICERS).await;
    for _ in 0..4 {
        dev.full_case();
    }
    let id = decided_case(&mut dev);
    let before = dev.store.content_digest().unwrap();
    let now = dev.tick();
    let err = case::advance(&mut dev.store, id, &CaseEvent::Issue, now).unwrap_err();
    assert_eq!(err.code(), "NUMBERS_EXHAUSTED", "{err}");
    // The refusal changed nothing, and no provisional number was taken.
    assert_eq!(dev.store.content_digest().unwrap(), before);
    assert!(provisional_numbers(&dev.store).unwrap().is_empty());
}

async fn t27_provisional_numbers_offline_get_gapless_final_numbers_exactly_once(b: Backend) {
    let server = TestServer::on(&b);
    let mut dev = two_small_leases(&server, DONGXI, DONGXI_OFFICERS).await;
    // Offline from here: four decisions from the two leases, then six
    // provisional ones, with a device restart (a crash between steps) in
    // the middle.
    let mut leased = Vec::new();
    for _ in 0..4 {
        leased.push(dev.full_case().1);
    }
    let mut provisional = Vec::new();
    for i in 0..6 {
        if i == 3 {
            dev.restart();
        }
        let (id, number, _) = dev.full_case();
        let c = case::get(&dev.store, id).unwrap().unwrap();
        let issue = c.issue.unwrap();
        assert!(issue.number_provisional, "{number}");
        // Payment codes ran out with the leases: no invented code, no QR.
        assert_eq!(issue.payment_code, None);
        assert_eq!(issue.payment_url, None);
        provisional.push((id, number));
    }
    let code = device_code(&dev.id());
    for (i, (_, n)) in provisional.iter().enumerate() {
        let p = ProvisionalNumber::parse(n).unwrap();
        assert_eq!(p.township, DONGXI);
        assert_eq!(p.device, code);
        // The device-local counter is gapless across the restart.
        assert_eq!(p.seq, i as i64 + 1);
    }
    let all: BTreeSet<&String> = leased
        .iter()
        .chain(provisional.iter().map(|(_, n)| n))
        .collect();
    assert_eq!(all.len(), 10, "no duplicates among the printed numbers");
    // The decision prints the provisional number as such.
    let doc = case::served_decision(&dev.store, provisional[0].0)
        .unwrap()
        .unwrap();
    let fields = doc.fields(true);
    assert_eq!(
        fields["number"],
        format!("临时编号 {}（正式文号以系统分配为准）", provisional[0].1)
    );
    assert!(fields["payment_code"].contains("决定书编号"), "{fields:?}");

    // Back online through a hostile network: small batches, duplicated,
    // reordered, lost and cut requests and responses.
    dev.cfg.batch_size = 5;
    let mut f = Faulty::new(server.transport(), 27);
    f.only = "/v1/sync/push".into();
    f.script(&[
        Fault::Duplicate,
        Fault::Reorder,
        Fault::None,
        Fault::DropResponse,
        Fault::CutBody,
        Fault::Duplicate,
        Fault::DropRequest,
        Fault::Reorder,
    ]);
    f.rate = 0.3;
    let mut rounds = 0;
    while dev.pending() > 0 || rounds == 0 {
        let _ = dev.sync(&f).await;
        rounds += 1;
        assert!(rounds < 20, "sync does not converge");
    }
    dev.sync(&server.transport()).await.unwrap();
    assert_eq!(
        engine::conflicts(&dev.store).unwrap(),
        vec![],
        "no rejection"
    );

    // The server: each provisional number got one final number, the
    // decision series 1..=10 has no gap and no number twice.
    let db = server.db();
    let seqs: Vec<i64> = db
        .rows(
            "SELECT seq FROM number_use WHERE township = ?1 AND series = ?2 ORDER BY seq",
            &[DONGXI, case::config::SERIES_DECISION],
        )
        .iter()
        .map(|r| r.get::<i64>(0).unwrap())
        .collect();
    assert_eq!(seqs, (1..=10).collect::<Vec<_>>());
    assert_eq!(db.int("SELECT count(*) FROM provisional_number", &[]), 6);
    assert_eq!(
        db.int(
            "SELECT count(*) FROM inbox WHERE kind = 'number.assigned'",
            &[]
        ),
        6
    );
    let cases = server.cases();
    let year = {
        use chrono::Datelike;
        case::beijing(dev.clock.now_utc()).unwrap().year()
    };
    let mut finals = BTreeSet::new();
    for (id, p) in &provisional {
        let c = cases.iter().find(|c| c.case_id == id.to_string()).unwrap();
        assert_eq!(c.provisional_number.as_deref(), Some(p.as_str()));
        let n = c.document_number.clone().unwrap();
        assert!(
            n.starts_with(&format!("东溪综执当罚〔{year}〕")) && n.ends_with('号'),
            "{n}"
        );
        finals.insert(n);
    }
    assert_eq!(finals.len(), 6);
    let finals_seq: BTreeSet<i64> = db
        .rows("SELECT final_seq FROM provisional_number", &[])
        .iter()
        .map(|r| r.get::<i64>(0).unwrap())
        .collect();
    assert_eq!(finals_seq, (5..=10).collect());

    // The device: the inbox delivered every final number, kept beside its
    // provisional number and as the case's server-owned document number.
    let mapped = provisional_numbers(&dev.store).unwrap();
    assert_eq!(mapped.len(), 6);
    for m in &mapped {
        let c = cases
            .iter()
            .find(|c| Some(c.case_id.as_str()) == m.case_id.as_deref())
            .unwrap();
        assert_eq!(m.final_number, c.document_number, "{m:?}");
        let state: Option<String> = dev
            .store
            .conn()
            .query_row(
                "SELECT document_number FROM case_server_state WHERE case_id = ?1",
                [&c.case_id],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(state, c.document_number);
    }

    // Exactly once: the same provisional number announced again (a new
    // outbox record, not a ledger duplicate) gets the same final number.
    let again = dev
        .store
        .conn()
        .execute(
            "INSERT INTO outbox (device_id, seq, mutation_id, entity, entity_id, op, payload, created_at)
             SELECT device_id, (SELECT max(seq) + 1 FROM outbox), ?1, entity, entity_id, op, payload, created_at
             FROM outbox WHERE entity = 'provisional_number' ORDER BY seq LIMIT 1",
            [uuid::Uuid::now_v7().to_string()],
        )
        .unwrap();
    assert_eq!(again, 1);
    dev.sync(&server.transport()).await.unwrap();
    assert_eq!(dev.pending(), 0);
    assert_eq!(db.int("SELECT count(*) FROM provisional_number", &[]), 6);
    assert_eq!(
        db.int(
            "SELECT count(*) FROM number_use WHERE township = ?1 AND series = ?2 AND seq <= 10",
            &[DONGXI, case::config::SERIES_DECISION]
        ),
        10
    );
    assert_eq!(provisional_numbers(&dev.store).unwrap(), mapped);

    // The party quoted the provisional number at the finance platform.
    assert_eq!(
        server.pay(&provisional[0].1, "PAY-T27-1", 15_000).await,
        200
    );
    let paid = server
        .cases()
        .into_iter()
        .find(|c| c.case_id == provisional[0].0.to_string())
        .unwrap();
    assert!(paid.payment_confirmed);
}

async fn a_refused_lease_grant_is_shown_in_review_and_acknowledged_by_its_lease_id(b: Backend) {
    use chrono::Datelike;
    let server = TestServer::on(&b);
    let mut dev = TestDevice::new();
    dev.enrol(&server.transport(), &server.code(OFFICERS[0]))
        .await
        .unwrap();
    // Local leases given before enrolment overlap the server's first grants.
    let now = dev.clock.now_utc();
    let year = case::beijing(now).unwrap().year();
    case::numbers::top_up_local_leases(
        &mut dev.store,
        zhifa_tests::TOWNSHIP,
        &[case::config::SERIES_DECISION],
        year,
        100,
        now,
    )
    .unwrap();
    dev.sync(&server.transport()).await.unwrap();
    let lease_conflicts: Vec<_> = review::conflicts(&dev.store)
        .unwrap()
        .into_iter()
        .filter(|c| c.lease_id.is_some())
        .collect();
    assert_eq!(lease_conflicts.len(), 1, "{lease_conflicts:?}");
    let c = &lease_conflicts[0];
    assert_eq!(c.code, "NUMBER_LEASE_OVERLAP");
    assert_eq!(c.entity, "number_lease");
    assert_eq!(c.seq, 0);
    assert!(!c.retryable);
    assert!(c.message.contains("号段"), "{}", c.message);
    let lease = c.lease_id.clone().unwrap();
    // A retry is refused (the engine already asked for a fresh range), an
    // acknowledgement needs a note.
    let now = dev.tick();
    let e = review::resolve_lease(
        &mut dev.store,
        &lease,
        &Resolution::Retry { note: None },
        now,
    )
    .unwrap_err();
    assert_eq!(e.code(), "SYNC_CONFLICT_NOT_RETRYABLE");
    let e = review::resolve_lease(
        &mut dev.store,
        &lease,
        &Resolution::Acknowledge { note: "  ".into() },
        now,
    )
    .unwrap_err();
    assert_eq!(e.code(), "SYNC_CONFLICT_NOTE_REQUIRED");
    let e = review::resolve_lease(
        &mut dev.store,
        "no-such-lease",
        &Resolution::Acknowledge { note: "x".into() },
        now,
    )
    .unwrap_err();
    assert_eq!(e.code(), "SYNC_CONFLICT_NOT_FOUND");
    review::resolve_lease(
        &mut dev.store,
        &lease,
        &Resolution::Acknowledge {
            note: "启用同步前的本机号段，已报告中队".into(),
        },
        now,
    )
    .unwrap();
    let after = review::conflicts(&dev.store)
        .unwrap()
        .into_iter()
        .find(|c| c.lease_id.as_deref() == Some(lease.as_str()))
        .unwrap();
    assert_eq!(after.resolution.as_deref(), Some("acknowledged"));
    assert_eq!(
        after.note.as_deref(),
        Some("启用同步前的本机号段，已报告中队")
    );
    assert!(after.resolved_at.is_some());
    // Resolved: no longer an open conflict for the engine either, and a
    // second acknowledgement is refused.
    assert!(
        engine::conflicts(&dev.store)
            .unwrap()
            .iter()
            .all(|c| c.entity_id != lease)
    );
    let e = review::resolve_lease(
        &mut dev.store,
        &lease,
        &Resolution::Acknowledge { note: "x".into() },
        now,
    )
    .unwrap_err();
    assert_eq!(e.code(), "SYNC_CONFLICT_RESOLVED");
}

zhifa_tests::on_both_backends!(
    t27_lease_only_township_refuses_with_both_leases_exhausted,
    t27_provisional_numbers_offline_get_gapless_final_numbers_exactly_once,
    a_refused_lease_grant_is_shown_in_review_and_acknowledged_by_its_lease_id,
);
