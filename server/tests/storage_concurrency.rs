//! The storage under concurrent callers, on both backends (SQLite; a fresh
//! PostgreSQL schema from `ZHIFA_TEST_PG_URL`, skipped when unset, a
//! failure under `ZHIFA_REQUIRE_PG=1`). SQLite serialises every call on
//! its one writer; PostgreSQL runs them side by side at SERIALIZABLE and
//! retries what it aborts — the outcomes must be the same:
//!
//! - number leases granted to many devices at once never overlap and
//!   leave no gap;
//! - one batch pushed by several threads at once is applied exactly once
//!   (the others answer `duplicate`), with a gapless ledger;
//! - inbox events written while a device pages through its inbox are all
//!   seen, in cursor order, none skipped (cursor order = commit order).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should abort loudly

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::{DateTime, TimeZone, Utc};
use zhifa_protocol::sign::payload_sha256;
use zhifa_protocol::wire::{
    EnrolRequest, LeaseRequest, MutationStatus, PaymentCallback, PushRequest, WireMutation,
};
use zhifa_server::store::pg::{Scratch, test_url};
use zhifa_server::store::{Db, OfficerRow, Principal};

const TOWNSHIP: &str = "500112108";

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 10, 2, 0, 0).single().unwrap()
}

/// Both backends: SQLite always, PostgreSQL when configured. The scratch
/// schema lives as long as the store.
fn stores(test: &str) -> Vec<(&'static str, Db, Option<Scratch>)> {
    let mut out: Vec<(&'static str, Db, Option<Scratch>)> =
        vec![("sqlite", Db::in_memory().unwrap(), None)];
    if let Some(base) = test_url(test).unwrap() {
        let scratch = Scratch::create(&base).unwrap();
        let pg = Db::connect_pg(scratch.url()).unwrap();
        out.push(("postgres", pg, Some(scratch)));
    }
    out
}

fn device(store: &Db, n: usize) -> Principal {
    let officer = format!("OFF-C-{n:03}");
    store
        .upsert_officer(&OfficerRow {
            id: officer.clone(),
            name: "并发测试".into(),
            township: TOWNSHIP.into(),
            role: "officer".into(),
        })
        .unwrap();
    let code = format!("CODE-{n:03}");
    store.add_enrol_code(&officer, &code, now()).unwrap();
    let t = store
        .enrol(
            &EnrolRequest {
                code,
                device_id: format!("dev-{n:03}"),
                public_key: format!("{n:064x}"),
                signature: String::new(),
            },
            now(),
        )
        .unwrap();
    store.authenticate(&t.access_token, now()).unwrap()
}

fn mutation(
    seq: i64,
    entity: &str,
    id: &str,
    op: &str,
    payload: serde_json::Value,
) -> WireMutation {
    WireMutation {
        seq,
        mutation_id: uuid::Uuid::now_v7().to_string(),
        entity: entity.into(),
        entity_id: id.into(),
        op: op.into(),
        payload_sha256: payload_sha256(&payload),
        payload,
        device_time: "2026-03-10T10:00:00+08:00".into(),
    }
}

fn batch(who: &Principal, mutations: Vec<WireMutation>) -> PushRequest {
    PushRequest {
        device_id: who.device_id.clone(),
        batch_id: uuid::Uuid::now_v7().to_string(),
        known_server_epoch: None,
        mutations,
        signature: String::new(),
    }
}

#[test]
fn concurrent_lease_grants_never_overlap_and_leave_no_gap() {
    for (name, store, _scratch) in stores("concurrent_lease_grants_never_overlap_and_leave_no_gap")
    {
        let devices: Vec<Principal> = (0..6).map(|n| device(&store, n)).collect();
        let grants = std::thread::scope(|s| {
            let handles: Vec<_> = devices
                .iter()
                .map(|who| {
                    let store = store.clone();
                    s.spawn(move || {
                        (0..15)
                            .map(|i| {
                                let req = LeaseRequest {
                                    request_id: format!("{}-{i}", who.device_id),
                                    township: TOWNSHIP.into(),
                                    series: "decision_on_the_spot".into(),
                                    year: 2026,
                                    count: 1 + (i % 4),
                                };
                                let g = store.grant_lease(who, &req, now()).unwrap();
                                // A retried request returns the same grant.
                                assert_eq!(store.grant_lease(who, &req, now()).unwrap(), g);
                                g
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().unwrap())
                .collect::<Vec<_>>()
        });
        let mut ranges: Vec<(i64, i64)> = grants.iter().map(|g| (g.start, g.end)).collect();
        ranges.sort();
        let mut next = 1;
        for (a, b) in &ranges {
            assert_eq!(
                *a, next,
                "{name}: leases overlap or leave a gap: {ranges:?}"
            );
            next = b + 1;
        }
        assert_eq!(ranges.len(), 6 * 15, "{name}");
    }
}

#[test]
fn one_batch_pushed_by_several_threads_at_once_applies_exactly_once() {
    for (name, store, _scratch) in
        stores("one_batch_pushed_by_several_threads_at_once_applies_exactly_once")
    {
        let who = device(&store, 1);
        for round in 0..5i64 {
            let ms: Vec<WireMutation> = (1..=20)
                .map(|i| {
                    let id = uuid::Uuid::now_v7().to_string();
                    mutation(
                        round * 20 + i,
                        "case",
                        &id,
                        "create",
                        serde_json::json!({"event": {"township": TOWNSHIP, "matter_code": "M-1",
                            "release_id": "R-1"}, "to": "draft"}),
                    )
                })
                .collect();
            let req = batch(&who, ms);
            let answers = std::thread::scope(|s| {
                let hs: Vec<_> = (0..4)
                    .map(|_| {
                        let (store, who, req) = (store.clone(), &who, &req);
                        s.spawn(move || store.push(who, req, now()).unwrap())
                    })
                    .collect();
                hs.into_iter()
                    .map(|h| h.join().unwrap())
                    .collect::<Vec<_>>()
            });
            for i in 0..20 {
                let applied = answers
                    .iter()
                    .filter(|a| a.results[i].status == MutationStatus::Applied)
                    .count();
                let dup = answers
                    .iter()
                    .filter(|a| a.results[i].status == MutationStatus::Duplicate)
                    .count();
                assert_eq!((applied, dup), (1, 3), "{name}: round {round} mutation {i}");
            }
            assert!(
                answers.iter().all(|a| a.acked_through == round * 20 + 20),
                "{name}"
            );
        }
        let cases = store
            .cases(&zhifa_server::store::Scope::All, "test", now())
            .unwrap();
        assert_eq!(cases.len(), 100, "{name}: every case once");
    }
}

#[test]
fn inbox_pages_read_during_concurrent_writes_skip_nothing() {
    for (name, store, _scratch) in stores("inbox_pages_read_during_concurrent_writes_skip_nothing")
    {
        let who = device(&store, 2);
        store
            .grant_lease(
                &who,
                &LeaseRequest {
                    request_id: "L".into(),
                    township: TOWNSHIP.into(),
                    series: "decision_on_the_spot".into(),
                    year: 2026,
                    count: 100,
                },
                now(),
            )
            .unwrap();
        // 40 cases with a document number each.
        let mut ms = Vec::new();
        let mut numbers = Vec::new();
        for n in 1..=40i64 {
            let case = uuid::Uuid::now_v7().to_string();
            let formatted = format!("龙兴综执当罚〔2026〕{n}号");
            ms.push(mutation(
                ms.len() as i64 + 1,
                "case",
                &case,
                "create",
                serde_json::json!({"event": {"township": TOWNSHIP, "matter_code": "M-1",
                    "release_id": "R-1"}, "to": "draft"}),
            ));
            ms.push(mutation(
                ms.len() as i64 + 1,
                "issued_number",
                &format!("n-{n}"),
                "use",
                serde_json::json!({"township": TOWNSHIP, "series": "decision_on_the_spot",
                    "year": 2026, "seq": n, "formatted": formatted, "case_id": case,
                    "status": "used"}),
            ));
            numbers.push(formatted);
        }
        let r = store.push(&who, &batch(&who, ms), now()).unwrap();
        assert!(
            r.results
                .iter()
                .all(|m| m.status == MutationStatus::Applied),
            "{name}: {r:?}"
        );
        let done = AtomicBool::new(false);
        let seen = std::thread::scope(|s| {
            for chunk in numbers.chunks(10) {
                let store = store.clone();
                s.spawn(move || {
                    for doc in chunk {
                        let cb = PaymentCallback {
                            reference: format!("PAY-{doc}"),
                            document_number: doc.clone(),
                            amount_fen: 5_000,
                            paid_at: "2026-03-11T09:00:00+08:00".into(),
                        };
                        assert!(store.payment(&cb, now()).unwrap());
                    }
                });
            }
            let reader = s.spawn(|| {
                let (mut cursor, mut seen) = (0, Vec::new());
                loop {
                    let last = done.load(Ordering::SeqCst);
                    let page = store.inbox(&who, cursor, 7).unwrap();
                    for e in &page.events {
                        assert!(e.cursor > cursor, "{name}: cursor went back");
                        cursor = e.cursor;
                        seen.push(e.event_id.clone());
                    }
                    if last && !page.has_more {
                        return seen;
                    }
                }
            });
            // The writers above are joined when the scope ends; wait for
            // them by polling the payment count instead, then stop the reader.
            while store.audit_count("case.write").unwrap() < 80 + 40 {
                std::thread::yield_now();
            }
            done.store(true, Ordering::SeqCst);
            reader.join().unwrap()
        });
        let unique: BTreeSet<&String> = seen.iter().collect();
        assert_eq!(unique.len(), 40, "{name}: every event seen, none skipped");
        assert_eq!(seen.len(), 40, "{name}: none seen twice");
    }
}

/// Scale-out: of several servers on one database, one at a time runs the
/// evidence collector. On PostgreSQL a second store on the same schema
/// (another server process) loses the election while the first holds it
/// and wins once the first lets go; SQLite (one process per file) always
/// elects its caller.
#[test]
fn one_collector_at_a_time() {
    for (name, store, scratch) in stores("one_collector_at_a_time") {
        let first = store.elect_collector().unwrap();
        assert!(first.is_some(), "{name}: the first caller is elected");
        let Some(s) = &scratch else {
            continue;
        };
        let other = Db::connect_pg(s.url()).unwrap();
        assert!(
            other.elect_collector().unwrap().is_none(),
            "{name}: a second server loses while the first collects"
        );
        // Dropped unreleased: the connection is closed, and the database
        // drops the lock with the session a moment later.
        drop(first);
        let mut won = None;
        for _ in 0..100 {
            won = other.elect_collector().unwrap();
            if won.is_some() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        assert!(won.is_some(), "{name}: released on drop");
        assert!(
            store.elect_collector().unwrap().is_none(),
            "{name}: and now held by the other"
        );
        won.unwrap().release();
        let again = store.elect_collector().unwrap();
        assert!(again.is_some(), "{name}: released at once by release()");
        again.unwrap().release();
        assert!(
            other.elect_collector().unwrap().is_some(),
            "{name}: and released again"
        );
    }
}
