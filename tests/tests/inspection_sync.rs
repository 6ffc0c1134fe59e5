//! A joint inspection (综合查一次) across departments travels device →
//! server: the device inspects under two scenarios (six departments),
//! issues an order to correct, opens a simple case and refers a finding;
//! after one sync the server holds every finding exactly once and shows
//! each department its own; the follow-up task comes back with its
//! accepted and done times after the officer reports it.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should abort loudly

use zhifa_core::case;
use zhifa_core::document::model::PartySignature;
use zhifa_core::inspection::{
    self, FinishInput, NewInspection, Outcome, OutcomeChoice, Verdict, task,
};
use zhifa_sync::engine;
use zhifa_tests::{Backend, NowUtc, OFFICERS, TOWNSHIP, TestDevice, TestServer, party};

zhifa_tests::on_both_backends!(
    a_joint_inspection_reaches_each_department_and_its_task_closes_the_loop,
    a_task_travels_server_to_device_and_back_with_its_times,
);

async fn a_joint_inspection_reaches_each_department_and_its_task_closes_the_loop(b: Backend) {
    let server = TestServer::on(&b);
    let t = server.transport();
    let mut dev = TestDevice::new();
    dev.enrol(&t, &server.code(OFFICERS[0])).await.unwrap();
    dev.sync(&t).await.unwrap(); // catalogue and number leases

    let now = dev.tick();
    let insp = inspection::start(
        &mut dev.store,
        &NewInspection {
            id: case::uuid_v7(now),
            township: TOWNSHIP.into(),
            officers: OFFICERS.map(String::from),
            place: "龙兴镇示例路18号".into(),
            party: party(),
            scenarios: vec!["CJ-XXSC".into(), "CJ-CYMD".into()],
            task_id: None,
        },
        now,
    )
    .unwrap();
    let id = insp.id;
    assert!(insp.departments().len() >= 3);
    let fails = ["JC-XF-01", "JC-SC-03", "JC-CG-01"];
    for f in &insp.findings {
        let code = f.item.code.as_str();
        let (v, note) = if fails.contains(&code) {
            (Verdict::Fail, "现场发现问题")
        } else {
            (Verdict::Pass, "")
        };
        let now = dev.tick();
        inspection::record_result(&mut dev.store, id, code, v, note, &[], now).unwrap();
    }
    let choices = [
        (
            "JC-XF-01",
            OutcomeChoice::OrderToCorrect {
                requirement: "清除堵塞物".into(),
            },
        ),
        (
            "JC-SC-03",
            OutcomeChoice::Referral {
                reason: "属市场监管部门职权".into(),
            },
        ),
        ("JC-CG-01", OutcomeChoice::SimpleCase),
    ];
    for (item, choice) in &choices {
        let now = dev.tick();
        inspection::decide(&mut dev.store, id, item, choice, now).unwrap();
    }
    let now = dev.tick();
    let done = inspection::finish(
        &mut dev.store,
        id,
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

    let r = dev.sync(&t).await.unwrap();
    assert_eq!(
        r.rejected,
        0,
        "{:?}",
        engine::conflicts(&dev.store).unwrap()
    );
    assert_eq!(dev.pending(), 0);
    // A second sync sends nothing again and stores nothing twice.
    dev.sync(&t).await.unwrap();

    let db = server.db();
    let all = server.store(|st| st.inspection_findings(None, false).unwrap());
    assert_eq!(all.len(), done.findings.len(), "each finding once");
    assert!(all.iter().all(|f| f.verdict.is_some()));
    let fire = server.store(|st| st.inspection_findings(Some("CQ-XFJY"), true).unwrap());
    assert_eq!(fire.len(), 1);
    assert_eq!(fire[0].outcome_kind.as_deref(), Some("order_to_correct"));
    let market = server.store(|st| st.inspection_findings(Some("CQ-SCJG"), true).unwrap());
    assert_eq!(market.len(), 1);
    assert_eq!(market[0].item, "JC-SC-03");
    assert_eq!(market[0].outcome_kind.as_deref(), Some("referral"));
    assert_eq!(market[0].outcome.as_ref().unwrap()["department"], "CQ-SCJG");
    let city = server.store(|st| st.inspection_findings(Some("CQ-CGJ"), true).unwrap());
    assert_eq!(city[0].outcome_kind.as_deref(), Some("simple_case"));
    // The department sees only its own items.
    let market_all = server.store(|st| st.inspection_findings(Some("CQ-SCJG"), false).unwrap());
    assert!(market_all.iter().all(|f| f.department == "CQ-SCJG"));
    assert!(market_all.len() > 1);
    let sha = db.text(
        "SELECT record_sha256 FROM inspection WHERE inspection_id = ?1",
        &[&id.to_string()],
    );
    assert_eq!(sha, done.finish.as_ref().unwrap().record_sha256);
    // The simple case reached the server as a case.
    let Some(Outcome::SimpleCase { case_id }) = &done
        .findings
        .iter()
        .find(|f| f.item.code == "JC-CG-01")
        .unwrap()
        .outcome
    else {
        panic!()
    };
    assert!(
        server
            .cases()
            .iter()
            .any(|c| c.case_id == case_id.to_string())
    );

    // The follow-up task: on the server as assigned, then accepted and done.
    let tasks = server.store(|st| st.tasks().unwrap());
    assert_eq!(tasks.len(), 1);
    assert_eq!(tasks[0].status, "assigned");
    assert_eq!(tasks[0].department.as_deref(), Some("CQ-XFJY"));
    let follow = task::tasks(&dev.store).unwrap()[0].id;
    let now = dev.tick();
    task::report(
        &mut dev.store,
        follow,
        &task::TaskReport {
            note: "复查：安全出口已畅通".into(),
            corrected: Some(true),
            inspection_id: None,
            case_id: None,
        },
        now,
    )
    .unwrap();
    let r = dev.sync(&t).await.unwrap();
    assert_eq!(r.rejected, 0);
    let tasks = server.store(|st| st.tasks().unwrap());
    assert_eq!(tasks[0].status, "done");
    let (assigned, accepted, finished) = (
        tasks[0].assigned_at.clone(),
        tasks[0].accepted_at.clone().unwrap(),
        tasks[0].done_at.clone().unwrap(),
    );
    assert!(
        assigned <= accepted && accepted <= finished,
        "{assigned} {accepted} {finished}"
    );
    assert_eq!(tasks[0].report.as_ref().unwrap()["corrected"], true);
}

async fn a_task_travels_server_to_device_and_back_with_its_times(b: Backend) {
    let server = TestServer::on(&b);
    let t = server.transport();
    let mut dev = TestDevice::new();
    dev.enrol(&t, &server.code(OFFICERS[0])).await.unwrap();
    dev.sync(&t).await.unwrap();

    // The command centre assigns a complaint (and refuses a bad one).
    let bad = server.store(|store| {
        store.assign_task(
            &zhifa_server::inspection::NewTask {
                officer_id: OFFICERS[0].into(),
                kind: "gossip".into(),
                place: "x".into(),
                party_name: None,
                detail: "x".into(),
                due_on: None,
                scenarios: vec![],
            },
            server.clock.now_utc(),
        )
    });
    assert!(bad.is_err());
    let task_id = server.store(|store| {
        store
            .assign_task(
                &zhifa_server::inspection::NewTask {
                    officer_id: OFFICERS[0].into(),
                    kind: "complaint".into(),
                    place: "龙兴镇示例路18号".into(),
                    party_name: Some("川味小馆".into()),
                    detail: "群众投诉店外占道经营、油烟扰民".into(),
                    due_on: Some("2026-03-12".into()),
                    scenarios: vec!["CJ-CYMD".into()],
                },
                server.clock.now_utc(),
            )
            .unwrap()
    });

    // It reaches the device through the inbox, once.
    dev.sync(&t).await.unwrap();
    dev.sync(&t).await.unwrap();
    let tasks = task::tasks(&dev.store).unwrap();
    assert_eq!(tasks.len(), 1);
    let got = &tasks[0];
    assert_eq!(got.id.to_string(), task_id);
    assert_eq!(got.origin, "server");
    assert_eq!(got.kind, task::TaskKind::Complaint);
    assert_eq!(got.scenarios, ["CJ-CYMD"]);

    // The officer accepts it, inspects under its scenario and reports back.
    let now = dev.tick();
    task::accept(&mut dev.store, got.id, now).unwrap();
    let now = dev.tick();
    let insp = inspection::start(
        &mut dev.store,
        &NewInspection {
            id: case::uuid_v7(now),
            township: TOWNSHIP.into(),
            officers: OFFICERS.map(String::from),
            place: got.place.clone(),
            party: party(),
            scenarios: got.scenarios.clone(),
            task_id: Some(got.id),
        },
        now,
    )
    .unwrap();
    let now = dev.tick();
    task::report(
        &mut dev.store,
        got.id,
        &task::TaskReport {
            note: "经现场检查，投诉属实部分已责令整改".into(),
            corrected: None,
            inspection_id: Some(insp.id),
            case_id: None,
        },
        now,
    )
    .unwrap();
    let r = dev.sync(&t).await.unwrap();
    assert_eq!(
        r.rejected,
        0,
        "{:?}",
        engine::conflicts(&dev.store).unwrap()
    );

    let rows = server.store(|st| st.tasks().unwrap());
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    assert_eq!(row.status, "done");
    assert_eq!(
        row.inspection_id.as_deref(),
        Some(insp.id.to_string().as_str())
    );
    let accepted = row.accepted_at.clone().unwrap();
    let done = row.done_at.clone().unwrap();
    assert!(row.assigned_at <= accepted && accepted < done);
    let linked = server.db().text(
        "SELECT task_id FROM inspection WHERE inspection_id = ?1",
        &[&insp.id.to_string()],
    );
    assert_eq!(linked, task_id);
}
