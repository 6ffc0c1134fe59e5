//! A failure between sealing an officer's document and the step's
//! transaction (`zhifa_core::case::normal_docs::record_with_documents`)
//! loses nothing and duplicates nothing: the store is made to fail the
//! transaction at its last write — the document's announcement, after the
//! step itself was written in the same transaction — as a kill before the
//! commit would. Afterwards the device holds no step and announces no
//! document (the sealed file left in the documents folder is never sent);
//! the officer records the step again, and the centre receives exactly one
//! step and one 询问笔录, bound to the case. On SQLite and PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should abort loudly

use chrono::Duration;
use serde_json::json;
use uuid::Uuid;
use zhifa_core::case::normal;
use zhifa_core::case::normal_docs::FieldRecord;
use zhifa_core::document::model::PartySignature;
use zhifa_core::document::normal::QuestionAnswer;
use zhifa_core::procedure::EventKind;
use zhifa_server::console::StaffRole;
use zhifa_sync::transport::Method;
use zhifa_tests::{Backend, DeviceNow, OFFICERS, TestDevice, TestServer};

mod procedure_support;

use procedure_support::{centre_step, officers, open_case, set_time, step};

zhifa_tests::on_both_backends!(a_failed_step_transaction_loses_and_duplicates_nothing);

/// (procedure steps, document announcements) in the device's outbox.
fn queued(dev: &TestDevice, case: &str) -> (i64, i64) {
    let count = |entity: &str| -> i64 {
        dev.store
            .conn()
            .query_row(
                "SELECT count(*) FROM outbox WHERE entity = ?1 AND entity_id LIKE ?2 || '%'",
                rusqlite::params![entity, case],
                |r| r.get(0),
            )
            .unwrap()
    };
    (count("procedure"), count("document"))
}

fn interview(dev: &TestDevice) -> FieldRecord {
    let at = normal::beijing_minute(dev.clock.now_utc());
    FieldRecord::Interview {
        start: at,
        end: at,
        place: "龙兴镇综合行政执法办公室".into(),
        relation: "当事人本人".into(),
        qa: vec![QuestionAnswer {
            question: "你是否在和平街堆放建筑材料？".into(),
            answer: "是的，堆放了三天。".into(),
        }],
        signature: PartySignature::Refused {
            reason: "当事人拒绝签名".into(),
            witness: Some("村委会主任王五".into()),
        },
    }
}

fn investigate() -> EventKind {
    EventKind::Investigate {
        act: "询问".into(),
        officers: officers(),
        document: None,
    }
}

async fn a_failed_step_transaction_loses_and_duplicates_nothing(b: Backend) {
    let server = TestServer::on(&b);
    let t = server.transport();
    let mut dev = TestDevice::new();
    dev.enrol(&t, &server.code(OFFICERS[0])).await.unwrap();
    dev.sync(&t).await.unwrap();
    let township = dev.township.clone();
    let approver = server.staff("AP-F", StaffRole::Approver, &township, None);
    let case = Uuid::now_v7().to_string();
    let start = zhifa_tests::t0();
    open_case(
        &dev,
        &case,
        "李四光",
        "重庆市渝北区龙兴镇和平街2号",
        "当事人在和平街占道堆放建筑材料约30平方米",
        start,
    );
    dev.sync(&t).await.unwrap();
    set_time(&server, &dev, start + Duration::hours(1));
    centre_step(&server, &approver, &case, json!({"step": "file"})).await;
    dev.sync(&t).await.unwrap();
    set_time(&server, &dev, start + Duration::hours(2));

    let steps_before = normal::case(&dev.store, &case)
        .unwrap()
        .unwrap()
        .steps
        .len();
    let queued_before = queued(&dev, &case);
    // The transaction fails at its last write, the announcement of the
    // document, after the step was inserted.
    dev.store
        .conn()
        .execute_batch(
            "CREATE TEMP TRIGGER fail_announce BEFORE INSERT ON outbox
             WHEN NEW.entity = 'document'
             BEGIN SELECT RAISE(ABORT, 'injected failure before commit'); END;",
        )
        .unwrap();
    let record = interview(&dev);
    let e = step(&mut dev, &case, investigate(), Some(record));
    assert!(e.is_err(), "the injected failure reaches the officer");
    assert_eq!(
        queued(&dev, &case),
        queued_before,
        "no step, no announcement"
    );
    assert_eq!(
        normal::case(&dev.store, &case)
            .unwrap()
            .unwrap()
            .steps
            .len(),
        steps_before,
        "the device's log holds no half-recorded step"
    );
    let sealed = std::fs::read_dir(dev.dir.path().join("documents"))
        .map(|d| d.count())
        .unwrap_or(0);
    assert!(sealed >= 1, "the sealed file is on disk, unannounced");
    // Nothing of it reaches the centre.
    let r = dev.sync(&t).await.unwrap();
    assert_eq!(r.rejected, 0, "{r:?}");
    let db = server.db();
    let events = |db: &zhifa_tests::TestDb| {
        db.int(
            "SELECT count(*) FROM procedure_event WHERE case_id = ?1",
            &[&case],
        )
    };
    let held_before = events(&db);

    // The officer records it again once the store works.
    dev.store
        .conn()
        .execute_batch("DROP TRIGGER fail_announce;")
        .unwrap();
    let record = interview(&dev);
    let rec = step(&mut dev, &case, investigate(), Some(record)).unwrap();
    assert_eq!(rec.documents.len(), 1, "{:?}", rec.documents);
    let sha = rec.documents[0].sha256.clone();
    let (steps, docs) = queued(&dev, &case);
    assert_eq!(
        (steps, docs),
        (queued_before.0 + 1, queued_before.1 + 1),
        "one step and one announcement"
    );
    let r = dev.sync(&t).await.unwrap();
    assert_eq!(r.rejected, 0, "{r:?}");
    assert_eq!(
        events(&db),
        held_before + 1,
        "the centre holds one more step"
    );

    // The centre holds exactly one 询问笔录 for the case, the retried one.
    let (s, v) = server
        .console(
            Method::Get,
            &format!("/v1/console/procedure/cases/{case}"),
            &approver,
            None,
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let interviews: Vec<_> = v["documents"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["kind"] == "interview_record")
        .collect();
    assert_eq!(interviews.len(), 1, "{}", v["documents"]);
    assert_eq!(interviews[0]["sha256"], sha.as_str());
}
