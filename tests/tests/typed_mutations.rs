//! Typed mutations (issue 15 item 1): every payload a device writes to its
//! outbox — by core's writers or by the schema's SQL triggers — decodes
//! into the protocol's `Mutation`, and the server applies them; an older
//! device's schema-1 payloads (no full records) still sync with the new
//! server, and so do schema-2 payloads carrying the whole case.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should abort loudly

use std::collections::BTreeSet;

use zhifa_core::case;
use zhifa_core::document::model::PartySignature;
use zhifa_core::inspection::{self, FinishInput, OutcomeChoice, Verdict, task};
use zhifa_core::store::{DbKey, Store};
use zhifa_protocol::mutation::{CaseMutation, Mutation, SCHEMA};
use zhifa_protocol::record::CaseRecord;
use zhifa_sync::engine;
use zhifa_tests::{Backend, OFFICERS, TestDevice, TestServer};

zhifa_tests::on_both_backends!(
    every_outbox_payload_is_typed_and_applies,
    schema_1_payloads_of_todays_devices_still_sync,
);

/// Every outbox row of a store: (entity, op, payload).
fn outbox(store: &Store) -> Vec<(String, String, serde_json::Value)> {
    let mut st = store
        .conn()
        .prepare("SELECT entity, op, payload FROM outbox ORDER BY seq")
        .unwrap();
    st.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
        ))
    })
    .unwrap()
    .map(|r| {
        let (e, o, p) = r.unwrap();
        (e, o, serde_json::from_str(&p).unwrap())
    })
    .collect()
}

/// Decodes every row; panics naming the first that is ill-typed or unknown.
fn decode_all(rows: &[(String, String, serde_json::Value)]) -> Vec<Mutation> {
    rows.iter()
        .map(|(e, o, p)| {
            Mutation::decode(e, o, p)
                .unwrap_or_else(|r| panic!("{e}.{o} does not decode: {r}\n{p}"))
        })
        .collect()
}

/// A device that has done a bit of everything: a served case with a photo
/// (case, evidence, issued number), a voided number, a joint inspection with
/// an order to correct (inspection, follow-up task) and the task reported.
async fn busy_device(server: &TestServer) -> TestDevice {
    let t = server.transport();
    let mut dev = TestDevice::new();
    dev.enrol(&t, &server.code(OFFICERS[0])).await.unwrap();
    dev.sync(&t).await.unwrap(); // catalogue and number leases
    dev.full_case();
    // Void the next number of a lease (an explicit `issued_number/void`).
    let (series, year, next): (String, i32, i64) = dev
        .store
        .conn()
        .query_row(
            "SELECT series, year, next_no FROM number_lease WHERE next_no <= end_no ORDER BY series LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    let now = dev.tick();
    let township = dev.township.clone();
    case::void_number(
        &mut dev.store,
        &township,
        &series,
        year,
        next,
        "打印损坏",
        now,
    )
    .unwrap();

    let insp = dev.start_inspection("龙兴镇示例路18号", &["CJ-XXSC"], None);
    let failed = insp.findings[0].item.code.clone();
    for f in &insp.findings {
        let (v, note) = if f.item.code == failed {
            (Verdict::Fail, "安全出口堵塞")
        } else {
            (Verdict::Pass, "")
        };
        let now = dev.tick();
        inspection::record_result(&mut dev.store, insp.id, &f.item.code, v, note, &[], now)
            .unwrap();
    }
    let now = dev.tick();
    inspection::decide(
        &mut dev.store,
        insp.id,
        &failed,
        &OutcomeChoice::OrderToCorrect {
            requirement: "清除堵塞物".into(),
        },
        now,
    )
    .unwrap();
    let now = dev.tick();
    inspection::finish(
        &mut dev.store,
        insp.id,
        &FinishInput {
            recorder: "李四".into(),
            present_person: None,
            witness: None,
            party_signature: PartySignature::Refused {
                reason: "当事人拒绝签名".into(),
                witness: Some("王五".into()),
            },
        },
        now,
    )
    .unwrap();
    let follow_up = task::tasks(&dev.store).unwrap()[0].id;
    let now = dev.tick();
    task::accept(&mut dev.store, follow_up, now).unwrap();
    let now = dev.tick();
    task::report(
        &mut dev.store,
        follow_up,
        &task::TaskReport {
            note: "已清理畅通".into(),
            corrected: Some(true),
            inspection_id: None,
            case_id: None,
        },
        now,
    )
    .unwrap();
    dev
}

async fn every_outbox_payload_is_typed_and_applies(b: Backend) {
    let server = TestServer::on(&b);
    let t = server.transport();
    let mut dev = busy_device(&server).await;

    let rows = outbox(&dev.store);
    let decoded = decode_all(&rows);
    let kinds: BTreeSet<(String, String)> = rows
        .iter()
        .map(|(e, o, _)| (e.clone(), o.clone()))
        .collect();
    for (e, o) in [
        ("case", "create"),
        ("case", "advance"),
        ("evidence", "record"),
        ("number_lease", "grant"),
        ("issued_number", "use"),
        ("issued_number", "void"),
        ("inspection", "start"),
        ("inspection", "result"),
        ("inspection", "order"),
        ("inspection", "finish"),
        ("task", "create"),
        ("task", "accept"),
        ("task", "report"),
    ] {
        assert!(
            kinds.contains(&(e.to_owned(), o.to_owned())),
            "no {e}.{o} in {kinds:?}"
        );
    }
    // Schema 2: each case step carries the whole case after it; the last
    // is the case as the device holds it now.
    let mut last: Option<CaseRecord> = None;
    for m in &decoded {
        if let Mutation::Case(CaseMutation::Create(c)) = m {
            assert_eq!(c.schema, SCHEMA);
            last = c.case.as_deref().cloned();
        }
        if let Mutation::Case(CaseMutation::Advance(a)) = m {
            assert_eq!(a.schema, SCHEMA);
            let record = a.case.as_deref().unwrap();
            assert_eq!(record.status, a.to);
            assert_eq!(i64::try_from(record.version).unwrap(), a.version);
            last = Some(record.clone());
        }
    }
    let last = last.unwrap();
    let held = case::get(&dev.store, last.id).unwrap().unwrap();
    assert_eq!(last, CaseRecord::from(&held));

    let r = dev.sync(&t).await.unwrap();
    assert_eq!(
        r.rejected,
        0,
        "{:?}",
        engine::conflicts(&dev.store).unwrap()
    );
    assert_eq!(dev.pending(), 0);
    let cases = server.cases();
    assert_eq!(cases.len(), 1);
    assert_eq!(cases[0].status, "served");
}

async fn schema_1_payloads_of_todays_devices_still_sync(b: Backend) {
    // Today's device fixture: its outbox was written before typed
    // mutations, and every payload in it decodes.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("device.db");
    std::fs::copy(
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../core/tests/fixtures/device-v12.db"
        ),
        &path,
    )
    .unwrap();
    let fixture = Store::open(&path, &DbKey::Raw([0x11; 32])).unwrap();
    let rows = outbox(&fixture);
    assert!(!rows.is_empty(), "the fixture has an outbox");
    for m in decode_all(&rows) {
        if let Mutation::Case(CaseMutation::Advance(a)) = m {
            assert_eq!(a.schema, 1);
            assert!(a.case.is_none());
        }
    }

    // A device whose payloads are today's shapes (schema 1: no `schema`,
    // no whole records) syncs with the new server and nothing is refused.
    let server = TestServer::on(&b);
    let t = server.transport();
    let mut dev = busy_device(&server).await;
    let pending: Vec<(i64, String)> = {
        let mut st = dev
            .store
            .conn()
            .prepare("SELECT seq, payload FROM outbox WHERE pushed_at IS NULL")
            .unwrap();
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    let mut downgraded = 0;
    for (seq, payload) in pending {
        let mut v: serde_json::Value = serde_json::from_str(&payload).unwrap();
        let m = v.as_object_mut().unwrap();
        let had = ["schema", "case", "inspection", "task"]
            .iter()
            .filter(|k| m.remove(**k).is_some())
            .count();
        downgraded += usize::from(had > 0);
        dev.store
            .conn()
            .execute(
                "UPDATE outbox SET payload = ?2 WHERE seq = ?1",
                rusqlite::params![seq, v.to_string()],
            )
            .unwrap();
    }
    assert!(
        downgraded > 5,
        "case, inspection and task records were removed"
    );
    let r = dev.sync(&t).await.unwrap();
    assert_eq!(
        r.rejected,
        0,
        "{:?}",
        engine::conflicts(&dev.store).unwrap()
    );
    assert_eq!(dev.pending(), 0);
    let cases = server.cases();
    assert_eq!(cases.len(), 1);
    assert_eq!(cases[0].status, "served");
}
