//! Typed mutations (issue 15 item 1): every payload a device writes to its
//! outbox — by core's writers, by the one-time snapshot, by the document
//! archive or by the schema's SQL triggers — decodes into the protocol's
//! `Mutation`, and the server applies them; the protocol's records carry
//! every field of the device's case, inspection and task; an ill-typed or
//! unknown payload is rejected with a stable code and kept for review,
//! never half-applied; an older device's payloads (schema 1, with or
//! without the whole case, literal fixtures below) still sync.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should abort loudly

use std::collections::BTreeSet;

use zhifa_core::case;
use zhifa_core::document::model::PartySignature;
use zhifa_core::inspection::{self, FinishInput, OutcomeChoice, Verdict, task};
use zhifa_core::store::{DbKey, Store};
use zhifa_protocol::error::RejectCode;
use zhifa_protocol::mutation::{CaseMutation, InspectionMutation, Mutation, SCHEMA, TaskMutation};
use zhifa_protocol::record::{CaseRecord, InspectionRecord, TaskRecord};
use zhifa_sync::engine;
use zhifa_tests::{Backend, NowUtc, OFFICERS, TestDevice, TestServer};

zhifa_tests::on_both_backends!(
    every_outbox_payload_is_typed_and_applies,
    schema_1_payloads_of_todays_devices_still_sync,
    ill_typed_and_unknown_payloads_are_rejected_and_kept_for_review,
    literal_payloads_of_todays_devices_sync,
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

    // The one-time snapshot of every case, inspection and task, queued
    // as the sync engine queues it for a device that synced before the
    // server kept content (this device's first sync queued it empty: the
    // flag is cleared so that it runs again).
    dev.store
        .conn()
        .execute(
            "DELETE FROM sync_cursor WHERE stream = ?1",
            [case::archive::BACKFILL_FLAG],
        )
        .unwrap();
    let now = dev.tick();
    assert!(case::archive::enqueue_snapshots(&mut dev.store, now).unwrap() >= 3);
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
        ("case", "snapshot"),
        ("inspection", "snapshot"),
        ("task", "snapshot"),
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
    // The snapshots carry the records the device holds now.
    for m in &decoded {
        match m {
            Mutation::Case(CaseMutation::Snapshot(s)) => {
                assert_eq!(s.case, CaseRecord::from(&held));
                let timeline = case::timeline(&dev.store, held.id).unwrap();
                assert_eq!(s.timeline.len(), timeline.len());
                assert!(!timeline.is_empty());
            }
            Mutation::Inspection(InspectionMutation::Snapshot(s)) => {
                let i = inspection::get(&dev.store, s.inspection.id)
                    .unwrap()
                    .unwrap();
                assert_eq!(s.inspection, InspectionRecord::from(&i));
            }
            Mutation::Task(TaskMutation::Snapshot(s)) => {
                let t = task::tasks(&dev.store)
                    .unwrap()
                    .into_iter()
                    .find(|t| t.id == s.task.id)
                    .unwrap();
                assert_eq!(s.task, TaskRecord::from(&t));
            }
            _ => {}
        }
    }
    records_carry_every_field(&dev, &held);
    trigger_made_payloads_decode(&dev.store, &rows);

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
    // The sync archived the served decision and announced it: that
    // payload decodes too, and every row the device pushed is applied.
    let rows = outbox(&dev.store);
    let documents: Vec<_> = decode_all(&rows)
        .into_iter()
        .filter_map(|m| match m {
            Mutation::Document(d) => Some(d),
            _ => None,
        })
        .collect();
    assert_eq!(documents.len(), 1, "the served decision's PDF");
    assert_eq!(documents[0].case_id, held.id.to_string());
    let db = server.db();
    assert_eq!(
        db.int(
            "SELECT count(*) FROM ledger WHERE device_id = ?1 AND status <> 'applied'",
            &[&dev.id()]
        ),
        0
    );
}

/// The protocol's records serialize to exactly the JSON of the device's
/// own case, inspection and task — for a case with every field set — and
/// convert back to equal values: no field is dropped on the wire.
fn records_carry_every_field(dev: &TestDevice, served: &case::Case) {
    let mut v = serde_json::to_value(served).unwrap();
    let m = v.as_object_mut().unwrap();
    let at = "2026-03-03T10:00:00";
    let sha = "ab".repeat(32);
    m.insert("no_evidence_reason".into(), "现场光线不足无法拍照".into());
    m.insert(
        "act_end".into(),
        serde_json::json!({"kind": "ended", "date": "2026-03-02"}),
    );
    m.insert(
        "payment".into(),
        serde_json::json!({"kind": "paid", "paid_on": "2026-03-05", "reference": "PAY-1", "late_fee_fen": 300}),
    );
    m.insert(
        "correction".into(),
        serde_json::json!({"number": "龙兴责改〔2026〕1号", "requirement": "清除占道物品",
            "deadline": "2026-03-10", "follow_up_due": "2026-03-11", "document_sha256": sha,
            "follow_up": {"corrected": true, "note": "已清除", "at": at}}),
    );
    m.insert(
        "no_penalty".into(),
        serde_json::json!({"ground": "first_offence", "circumstances": ["minor"],
            "education": "批评教育", "guardian_order": "责令监护人严加管教", "at": at}),
    );
    for k in ["filed", "closed", "voided"] {
        m.insert(k.into(), serde_json::json!([at, format!("{k} 说明")]));
    }
    m.insert("evidence_summary".into(), "现场照片1张".into());
    let party = m.get_mut("party").unwrap().as_object_mut().unwrap();
    party.insert("representative".into(), "周大川".into());
    let decision = m.get_mut("decision").unwrap().as_object_mut().unwrap();
    decision.insert("suggested_level".into(), "lighter".into());
    decision.insert("deviation_reason".into(), "当事人主动消除危害后果".into());
    decision["penalty"]
        .as_object_mut()
        .unwrap()
        .insert("band".into(), "band-1".into());
    let issue = m.get_mut("issue").unwrap().as_object_mut().unwrap();
    issue.insert("number_provisional".into(), true.into());
    issue.insert("payment_due_estimated".into(), true.into());
    let service = m.get_mut("service").unwrap().as_object_mut().unwrap();
    service.insert("payment_due_estimated".into(), true.into());
    let full: case::Case = serde_json::from_value(v.clone())
        .unwrap_or_else(|e| panic!("the populated case is a case: {e}\n{v}"));
    let json = serde_json::to_value(&full).unwrap();
    let keys = json.as_object().unwrap().len();
    assert_eq!(
        json.as_object()
            .unwrap()
            .values()
            .filter(|x| x.is_null())
            .count(),
        0,
        "every field of the case is set: {json}"
    );
    let record = CaseRecord::from(&full);
    assert_eq!(serde_json::to_value(&record).unwrap(), json);
    assert_eq!(
        serde_json::to_value(&record)
            .unwrap()
            .as_object()
            .unwrap()
            .len(),
        keys
    );
    assert_eq!(zhifa_core::protocol::case_of(&record).unwrap(), full);

    for i in inspection::list(&dev.store).unwrap() {
        let r = InspectionRecord::from(&i);
        assert_eq!(
            serde_json::to_value(&r).unwrap(),
            serde_json::to_value(&i).unwrap()
        );
        assert_eq!(zhifa_core::protocol::inspection_of(&r).unwrap(), i);
    }
    let tasks = task::tasks(&dev.store).unwrap();
    assert!(!tasks.is_empty());
    for t in tasks {
        let r = TaskRecord::from(&t);
        assert_eq!(
            serde_json::to_value(&r).unwrap(),
            serde_json::to_value(&t).unwrap()
        );
        assert_eq!(zhifa_core::protocol::task_of(&r).unwrap(), t);
    }
}

/// Every SQL trigger of the device schema that writes outbox rows
/// (`evidence_to_outbox`, `issued_number_to_outbox`) made rows here, and
/// every row it made (random version-4 mutation ids; core's writers use
/// UUIDv7) decodes into the typed mutation of its entity.
fn trigger_made_payloads_decode(store: &Store, rows: &[(String, String, serde_json::Value)]) {
    let triggers: Vec<(String, String)> = {
        let mut st = store
            .conn()
            .prepare("SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger' AND sql LIKE '%INSERT INTO outbox%'")
            .unwrap();
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    assert!(triggers.len() >= 2, "{triggers:?}");
    let made: Vec<(String, String, String)> = {
        let mut st = store
            .conn()
            .prepare("SELECT mutation_id, entity, op FROM outbox ORDER BY seq")
            .unwrap();
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    assert_eq!(made.len(), rows.len());
    for (name, table) in &triggers {
        let mut n = 0;
        for ((id, entity, op), (_, _, payload)) in made.iter().zip(rows) {
            let v4 = uuid::Uuid::parse_str(id).unwrap().get_version_num() == 4;
            if !v4 || entity != table {
                continue;
            }
            n += 1;
            let m = Mutation::decode(entity, op, payload)
                .unwrap_or_else(|r| panic!("{name}: {entity}.{op} does not decode: {r}"));
            match (entity.as_str(), m) {
                ("evidence", Mutation::Evidence(e)) => assert!(e.sha256_is_hex()),
                ("issued_number", Mutation::Number(_)) => {}
                (e, m) => panic!("{name} made {e}.{op} decoding to {m:?}"),
            }
        }
        assert!(n > 0, "trigger {name} on {table} made no row here");
    }
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

/// Appends one outbox record with a literal payload, as a device (a
/// faulty one, an older one, a newer one) wrote it.
fn append(dev: &TestDevice, entity: &str, entity_id: &str, op: &str, payload: &serde_json::Value) {
    let at = dev
        .tick()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    dev.store
        .conn()
        .execute(
            "INSERT INTO outbox (device_id, seq, mutation_id, entity, entity_id, op, payload, created_at)
             SELECT id, (SELECT coalesce(max(seq), 0) + 1 FROM outbox), ?1, ?2, ?3, ?4, ?5, ?6
             FROM device WHERE singleton = 1",
            rusqlite::params![
                uuid::Uuid::now_v7().to_string(),
                entity,
                entity_id,
                op,
                payload.to_string(),
                at
            ],
        )
        .unwrap();
}

async fn ill_typed_and_unknown_payloads_are_rejected_and_kept_for_review(b: Backend) {
    let server = TestServer::on(&b);
    let t = server.transport();
    let mut dev = TestDevice::new();
    dev.enrol(&t, &server.code(OFFICERS[0])).await.unwrap();
    dev.sync(&t).await.unwrap();
    let a = dev.new_case();
    let bc = dev.new_case();
    let r = dev.sync(&t).await.unwrap();
    assert_eq!(r.rejected, 0);
    let held_b = case::get(&dev.store, bc).unwrap().unwrap();
    assert_eq!(held_b.version, 2);

    // An entity/op no server knows.
    let unknown = serde_json::json!({"weight_g": 250});
    // A case step whose status is not a status.
    let ill_typed = serde_json::json!({
        "event": {"event": "void", "reason": "立案错误"},
        "kind": "void", "from": "party_and_facts", "to": "nowhere", "version": 3,
    });
    // A well-formed step of case B whose whole-case record names case A:
    // checked before anything is written, so the step is not applied.
    let mut record = serde_json::to_value(&held_b).unwrap();
    record["id"] = a.to_string().into();
    record["version"] = 3.into();
    record["status"] = "closed".into();
    record["voided"] = serde_json::json!(["2026-03-03T10:05:00", "立案错误"]);
    let wrong_record = serde_json::json!({
        "event": {"event": "void", "reason": "立案错误"},
        "kind": "void", "from": "party_and_facts", "to": "closed", "version": 3,
        "case": record,
    });
    // A payload of a schema newer than the server knows.
    let newer = serde_json::json!({
        "schema": SCHEMA + 1, "township": dev.township, "series": "X", "year": 2026, "seq": 1,
    });
    append(&dev, "parcel", "p-1", "send", &unknown);
    append(&dev, "case", &a.to_string(), "advance", &ill_typed);
    append(&dev, "case", &bc.to_string(), "advance", &wrong_record);
    append(&dev, "issued_number", "x/X/2026/1", "use", &newer);

    let r = dev.sync(&t).await.unwrap();
    assert_eq!(r.rejected, 4, "{r:?}");
    let codes: Vec<String> = engine::conflicts(&dev.store)
        .unwrap()
        .into_iter()
        .map(|c| c.code)
        .collect();
    let want = [
        RejectCode::Unsupported,
        RejectCode::InvalidPayload,
        RejectCode::InvalidPayload,
        RejectCode::InvalidPayload,
    ];
    assert_eq!(
        codes,
        want.iter().map(|c| c.code().to_owned()).collect::<Vec<_>>()
    );
    // Every rejected payload is kept, as sent, in the server's conflict
    // record for review.
    let db = server.db();
    let kept: Vec<serde_json::Value> = db
        .rows(
            "SELECT payload, code FROM conflict WHERE device_id = ?1 ORDER BY seq",
            &[&dev.id()],
        )
        .into_iter()
        .map(|row| serde_json::from_str(&row.get::<String>(0).unwrap()).unwrap())
        .collect();
    assert_eq!(kept, vec![unknown, ill_typed, wrong_record, newer]);
    // Nothing of them was applied: both cases stand where they stood,
    // with no timeline row or record of a third version.
    for id in [a, bc] {
        let c = server
            .cases()
            .into_iter()
            .find(|c| c.case_id == id.to_string())
            .unwrap();
        assert_eq!(c.status, "party_and_facts");
        let id = id.to_string();
        assert_eq!(
            db.int(
                "SELECT count(*) FROM record_case_event WHERE case_id = ?1",
                &[&id]
            ),
            2
        );
        assert_eq!(
            db.int(
                "SELECT count(*) FROM record_case WHERE case_id = ?1 AND version > 2",
                &[&id]
            ),
            0
        );
    }
}

/// The whole case as today's device (the `record` release, payload
/// schema 1) serializes it, at each version of a case created, given its
/// party and facts, then voided.
fn literal_case(version: u64) -> serde_json::Value {
    let mut c = serde_json::json!({
        "id": LITERAL_CASE,
        "township": zhifa_tests::TOWNSHIP,
        "matter_code": "CG-001",
        "release_id": "cq-2026.03",
        "status": "draft",
        "version": 1,
        "officers": [
            {"id": "OFF-LX-01", "name": "张伟", "credential_no": "50011200001"},
            {"id": "OFF-LX-02", "name": "李娜", "credential_no": "50011200002"}
        ],
        "violation_time": "2026-03-03T09:50:00",
        "party": null, "facts": null, "place": null, "evidence": [], "evidence_summary": null,
        "rights": null, "statement": null, "decision": null, "issue": null, "service": null,
        "payment": null, "correction": null, "no_penalty": null, "filed": null, "closed": null,
        "created_at": "2026-03-03T02:00:00.000Z",
        "updated_at": "2026-03-03T02:00:00.000Z"
    });
    if version >= 2 {
        c["status"] = "party_and_facts".into();
        c["version"] = 2.into();
        c["party"] = serde_json::json!({
            "kind": "individual", "name": "周小川", "id_number": "500112198506120035",
            "phone": "13800001234", "address": "重庆市渝北区龙兴镇示例路1号", "representative": null
        });
        c["facts"] = "在人行道上摆摊经营水果，占道约6平方米".into();
        c["place"] = "龙兴镇示例路12号".into();
        c["updated_at"] = "2026-03-03T02:01:00.000Z".into();
    }
    if version >= 3 {
        c["status"] = "closed".into();
        c["version"] = 3.into();
        c["voided"] = serde_json::json!(["2026-03-03T10:05:00", "立案错误"]);
        c["updated_at"] = "2026-03-03T02:05:00.000Z".into();
    }
    c
}

/// The case id of the literal fixture (a UUIDv7).
const LITERAL_CASE: &str = "018e0a3c-5a00-7000-8000-00000000c0de";

async fn literal_payloads_of_todays_devices_sync(b: Backend) {
    let server = TestServer::on(&b);
    let t = server.transport();
    let mut dev = TestDevice::new();
    dev.enrol(&t, &server.code(OFFICERS[0])).await.unwrap();
    dev.sync(&t).await.unwrap();
    let party_event = serde_json::json!({
        "event": "record_party_and_facts",
        "party": literal_case(2)["party"].clone(),
        "facts": "在人行道上摆摊经营水果，占道约6平方米",
        "place": "龙兴镇示例路12号",
        "act_end": null
    });
    let create_event = serde_json::json!({
        "township": zhifa_tests::TOWNSHIP, "matter_code": "CG-001", "release_id": "cq-2026.03",
        "violation_time": "2026-03-03T09:50:00", "officers": ["OFF-LX-01", "OFF-LX-02"]
    });
    let void_event = serde_json::json!({"event": "void", "reason": "立案错误"});
    // Today's payloads: no `schema` (= 1), the whole case under `case`.
    let payloads = [
        (
            "create",
            serde_json::json!({
                "event": create_event, "kind": "create", "from": null, "to": "draft",
                "version": 1, "case": literal_case(1)
            }),
        ),
        (
            "advance",
            serde_json::json!({
                "event": party_event, "kind": "record_party_and_facts", "from": "draft",
                "to": "party_and_facts", "version": 2, "case": literal_case(2)
            }),
        ),
        (
            "advance",
            serde_json::json!({
                "event": void_event, "kind": "void", "from": "party_and_facts", "to": "closed",
                "version": 3, "case": literal_case(3)
            }),
        ),
        (
            "snapshot",
            serde_json::json!({
                "case": literal_case(3),
                "timeline": [
                    {"seq": 1, "at": "2026-03-03T02:00:00.000Z", "kind": "create", "from": null,
                     "to": "draft", "mutation_id": "018e0a3c-5a00-7000-8000-000000000001",
                     "payload": create_event},
                    {"seq": 2, "at": "2026-03-03T02:01:00.000Z", "kind": "record_party_and_facts",
                     "from": "draft", "to": "party_and_facts",
                     "mutation_id": "018e0a3c-5a00-7000-8000-000000000002", "payload": party_event},
                    {"seq": 3, "at": "2026-03-03T02:05:00.000Z", "kind": "void",
                     "from": "party_and_facts", "to": "closed",
                     "mutation_id": "018e0a3c-5a00-7000-8000-000000000003", "payload": void_event}
                ]
            }),
        ),
    ];
    for (op, p) in &payloads {
        let m = Mutation::decode("case", op, p).unwrap_or_else(|r| panic!("{op}: {r}"));
        match m {
            Mutation::Case(CaseMutation::Create(c)) => {
                assert_eq!(c.schema, 1);
                assert!(c.case.is_some());
            }
            Mutation::Case(CaseMutation::Advance(a)) => {
                assert_eq!(a.schema, 1);
                assert_eq!(
                    serde_json::to_value(a.case.as_deref().unwrap()).unwrap(),
                    p["case"]
                );
            }
            Mutation::Case(CaseMutation::Snapshot(s)) => assert_eq!(s.timeline.len(), 3),
            other => panic!("{op} decoded to {other:?}"),
        }
        append(&dev, "case", LITERAL_CASE, op, p);
    }
    let r = dev.sync(&t).await.unwrap();
    assert_eq!(
        r.rejected,
        0,
        "{:?}",
        engine::conflicts(&dev.store).unwrap()
    );
    assert_eq!(dev.pending(), 0);
    let c = server
        .cases()
        .into_iter()
        .find(|c| c.case_id == LITERAL_CASE)
        .unwrap();
    assert_eq!(c.status, "closed");
    let db = server.db();
    assert_eq!(
        db.int(
            "SELECT count(*) FROM record_case_event WHERE case_id = ?1",
            &[LITERAL_CASE]
        ),
        3
    );
    assert_eq!(
        db.int(
            "SELECT version FROM record_case WHERE case_id = ?1",
            &[LITERAL_CASE]
        ),
        3
    );
    // The server's record is the device's case, voiding included.
    let now = server.clock.now_utc();
    let on = chrono::NaiveDate::from_ymd_opt(2026, 3, 20).unwrap();
    let doc = server.store(|st| {
        zhifa_server::record::show::show(st, LITERAL_CASE, on, "test", now)
            .unwrap()
            .unwrap()
    });
    assert!(doc.to_string().contains("立案错误"), "{doc}");
    assert_eq!(doc["status"], "closed", "{doc}");
}
