//! The normal procedure's log at the centre against a device that sends
//! what it should not, or sends late: a step a device should never send —
//! the centre's, another officer's, into another device's case or another
//! township — is refused at the centre; a step the officer took offline
//! that arrives after a later centre step is judged in its place in time.
//! On SQLite and PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should abort loudly

use chrono::Duration;
use serde_json::json;
use uuid::Uuid;
use zhifa_core::case::normal;
use zhifa_core::procedure::{CaseFlags, EventKind, Outcome, PartyKind, beijing_date};
use zhifa_server::console::StaffRole;
use zhifa_sync::transport::Method;
use zhifa_tests::{Backend, DeviceNow, OFFICERS, TestDevice, TestServer};

mod procedure_support;

use procedure_support::{centre_step, officers, open_case, set_time, step};

zhifa_tests::on_both_backends!(
    a_device_pushes_only_its_own_officers_steps,
    an_offline_step_is_judged_in_its_place
);

/// Puts `step` in the device's outbox as it is, past the device's own
/// checks (a tampered or buggy device), for the server to judge.
fn inject(dev: &TestDevice, case: &str, step: &zhifa_protocol::mutation::ProcedureStep) {
    let conn = dev.store.conn();
    let device = dev.id();
    let seq: i64 = conn
        .query_row(
            "SELECT coalesce(max(seq), 0) + 1 FROM outbox WHERE device_id = ?1",
            [&device],
            |r| r.get(0),
        )
        .unwrap();
    conn.execute(
        "INSERT INTO outbox (device_id, seq, mutation_id, entity, entity_id, op, payload, created_at)
         VALUES (?1, ?2, ?3, 'procedure', ?4, 'event', ?5, ?6)",
        rusqlite::params![
            device,
            seq,
            Uuid::now_v7().to_string(),
            case,
            serde_json::to_string(step).unwrap(),
            dev.clock.now_utc().to_rfc3339()
        ],
    )
    .unwrap();
}

fn event_as(
    dev: &TestDevice,
    kind: EventKind,
    officer: &str,
    role: zhifa_core::procedure::Role,
) -> zhifa_core::procedure::ProcedureEvent {
    zhifa_core::procedure::ProcedureEvent::new(
        kind,
        zhifa_core::procedure::Actor {
            id: officer.into(),
            role,
        },
        dev.clock.now_utc(),
        zhifa_core::procedure::Origin::Device(dev.id()),
    )
}

fn last_conflict(server: &TestServer, case: &str) -> String {
    let db = server.db();
    let rows = db.rows(
        "SELECT code FROM conflict WHERE entity_id = ?1 ORDER BY id DESC",
        &[case],
    );
    rows.first()
        .map(|r| r.get::<String>(0).unwrap())
        .unwrap_or_default()
}

async fn a_device_pushes_only_its_own_officers_steps(b: Backend) {
    use zhifa_core::procedure::Role;
    use zhifa_protocol::mutation::ProcedureStep;
    let server = TestServer::on(&b);
    let t = server.transport();
    let mut dev = TestDevice::new();
    dev.enrol(&t, &server.code(OFFICERS[0])).await.unwrap();
    dev.sync(&t).await.unwrap();
    let mut other = TestDevice::new();
    other.enrol(&t, &server.code(OFFICERS[1])).await.unwrap();
    other.sync(&t).await.unwrap();
    let start = zhifa_tests::t0();
    let today = beijing_date(start);
    let case = Uuid::now_v7().to_string();
    let details = open_case(
        &dev,
        &case,
        "李四",
        "重庆市渝北区龙兴镇和平街2号",
        "占道经营",
        start,
    );
    dev.sync(&t).await.unwrap();
    let events = |server: &TestServer| {
        server.db().int(
            "SELECT count(*) FROM procedure_event WHERE case_id = ?1",
            &[&case],
        )
    };
    assert_eq!(events(&server), 1);

    // The device claims the 负责人's 立案: the centre's step, not a device's.
    inject(
        &dev,
        &case,
        &ProcedureStep {
            schema: 2,
            event: event_as(&dev, EventKind::File, OFFICERS[0], Role::Leader),
            details: None,
        },
    );
    let r = dev.sync(&t).await.unwrap();
    assert_eq!(r.rejected, 1, "{r:?}");
    assert_eq!(last_conflict(&server, &case), "not_owner");
    // A step in another officer's name.
    inject(
        &dev,
        &case,
        &ProcedureStep {
            schema: 2,
            event: event_as(
                &dev,
                EventKind::DeclineFiling { reason: "x".into() },
                OFFICERS[1],
                Role::Officer,
            ),
            details: None,
        },
    );
    let r = dev.sync(&t).await.unwrap();
    assert_eq!(r.rejected, 1, "{r:?}");
    assert_eq!(last_conflict(&server, &case), "not_owner");
    // Another device steps into this device's case.
    set_time(&server, &other, start + Duration::minutes(5));
    inject(
        &other,
        &case,
        &ProcedureStep {
            schema: 2,
            event: event_as(
                &other,
                EventKind::Investigate {
                    act: "询问".into(),
                    officers: officers(),
                    document: None,
                },
                OFFICERS[1],
                Role::Officer,
            ),
            details: None,
        },
    );
    let r = other.sync(&t).await.unwrap();
    assert_eq!(r.rejected, 1, "{r:?}");
    assert_eq!(last_conflict(&server, &case), "not_owner");
    assert_eq!(events(&server), 1, "no refused step reached the log");

    // A new case in a township the officer does not serve.
    let far = Uuid::now_v7().to_string();
    let mut d = details;
    d.township = "500110106".into();
    inject(
        &dev,
        &far,
        &ProcedureStep {
            schema: 2,
            event: event_as(
                &dev,
                EventKind::RegisterSource {
                    discovered_on: today,
                    source: "巡查".into(),
                    party: PartyKind::Citizen,
                },
                OFFICERS[0],
                Role::Officer,
            ),
            details: Some(Box::new(d)),
        },
    );
    let r = dev.sync(&t).await.unwrap();
    assert_eq!(r.rejected, 1, "{r:?}");
    assert_eq!(last_conflict(&server, &far), "jurisdiction");
    assert_eq!(
        server.db().int(
            "SELECT count(*) FROM procedure_case WHERE case_id = ?1",
            &[&far]
        ),
        0
    );
}

/// A step the officer took offline reaches the centre after a step the
/// centre took later: it is judged in its place in time, accepted if every
/// later step still holds, refused (naming why) if it would undo one.
async fn an_offline_step_is_judged_in_its_place(b: Backend) {
    let server = TestServer::on(&b);
    let t = server.transport();
    let mut dev = TestDevice::new();
    dev.enrol(&t, &server.code(OFFICERS[0])).await.unwrap();
    dev.sync(&t).await.unwrap();
    let township = dev.township.clone();
    let approver = server.staff("AP-O", StaffRole::Approver, &township, None);
    let start = zhifa_tests::t0();
    let today = beijing_date(start);
    let open = |dev: &TestDevice, case: &str| {
        open_case(
            dev,
            case,
            "王五",
            "重庆市渝北区龙兴镇和平街3号",
            "占道经营",
            dev.clock.now_utc(),
        );
    };
    let request = EventKind::RequestSave {
        items: "三轮车一辆".into(),
        reason: "当事人可能驶离".into(),
    };
    let approve = json!({"step": "register_save", "items": "三轮车一辆"});
    let steps = |server: &TestServer, case: &str| {
        server.db().int(
            "SELECT count(*) FROM procedure_event WHERE case_id = ?1",
            &[case],
        )
    };

    for (i, (case, offline, accepted)) in [
        (
            Uuid::now_v7().to_string(),
            EventKind::Investigate {
                act: "现场检查（勘验）笔录".into(),
                officers: officers(),
                document: None,
            },
            true,
        ),
        (
            Uuid::now_v7().to_string(),
            EventKind::EndInvestigation {
                proposal: Outcome::NoPenaltyMinor,
                flags: CaseFlags::default(),
            },
            false,
        ),
    ]
    .into_iter()
    .enumerate()
    {
        let base = start + Duration::hours(4 * i64::try_from(i).unwrap());
        set_time(&server, &dev, base + Duration::hours(1));
        open(&dev, &case);
        dev.sync(&t).await.unwrap();
        centre_step(&server, &approver, &case, json!({"step": "file"})).await;
        dev.sync(&t).await.unwrap();
        step(
            &mut dev,
            &case,
            EventKind::Investigate {
                act: "询问".into(),
                officers: officers(),
                document: None,
            },
            None,
        )
        .unwrap();
        step(&mut dev, &case, request.clone(), None).unwrap();
        dev.sync(&t).await.unwrap();
        // Offline: the officer goes on with the case at +2 h …
        set_time(&server, &dev, base + Duration::hours(2));
        step(&mut dev, &case, offline, None).unwrap();
        // … while the 负责人 approves the registration at +3 h.
        set_time(&server, &dev, base + Duration::hours(3));
        centre_step(&server, &approver, &case, approve.clone()).await;
        let before = steps(&server, &case);
        let r = dev.sync(&t).await.unwrap();
        if accepted {
            assert_eq!(r.rejected, 0, "{r:?}");
            assert_eq!(steps(&server, &case), before + 1);
            let (s, v) = server
                .console(
                    Method::Get,
                    &format!("/v1/console/procedure/cases/{case}"),
                    &approver,
                    None,
                )
                .await;
            assert_eq!(s, 200, "{v}");
            assert_eq!(v["summary"]["stage"], "investigating", "{v}");
        } else {
            // Ending the investigation before the approval would leave the
            // 负责人's 先行登记保存 outside the investigation (Art. 56).
            assert_eq!(r.rejected, 1, "{r:?}");
            assert_eq!(last_conflict(&server, &case), "procedure_refused");
            assert_eq!(steps(&server, &case), before);
        }
        // The device's log still folds, the refused step marked.
        let local = normal::case(&dev.store, &case).unwrap().unwrap();
        let (state, _) = normal::state(&dev.store, &local, today).unwrap();
        assert_eq!(state.saves.len(), 1);
    }
}
