//! A joint inspection (综合查一次) across departments travels device →
//! server: the device inspects under two scenarios (six departments),
//! issues an order to correct, opens a simple case and refers a finding;
//! after one sync the server holds every finding exactly once and shows
//! each department its own; the follow-up task comes back with its
//! accepted and done times after the officer reports it. The command
//! centre and the departments work through the console API
//! (`/v1/console/*`), each inside its scope.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should abort loudly

use zhifa_core::document::model::PartySignature;
use zhifa_core::inspection::{self, FinishInput, Outcome, OutcomeChoice, Verdict, task};
use zhifa_server::console::StaffRole;
use zhifa_server::inspection::{DepartmentFinding, TaskRow};
use zhifa_sync::engine;
use zhifa_sync::transport::Method;
use zhifa_tests::{Backend, NowUtc, OFFICERS, TOWNSHIP, TestDevice, TestServer};

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

    let insp = dev.start_inspection("龙兴镇示例路18号", &["CJ-XXSC", "CJ-CYMD"], None);
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
    // Through the console API: the command centre sees every finding,
    // each department only its own — and nothing outside its scope.
    let district = &TOWNSHIP[..6];
    let centre = server.staff("zhzx", StaffRole::CommandCentre, district, None);
    let fire_t = server.staff("xf", StaffRole::Department, district, Some("CQ-XFJY"));
    let market_t = server.staff("sc", StaffRole::Department, "", Some("CQ-SCJG"));
    let city_t = server.staff("cg", StaffRole::Department, TOWNSHIP, Some("CQ-CGJ"));
    let elsewhere = server.staff("sc-other", StaffRole::Department, "500101", Some("CQ-SCJG"));
    let findings = |token: String, query: &'static str| {
        let server = &server;
        async move {
            let (status, body) = server
                .console(
                    Method::Get,
                    &format!("/v1/console/findings{query}"),
                    &token,
                    None,
                )
                .await;
            assert_eq!(status, 200, "{body}");
            serde_json::from_value::<Vec<DepartmentFinding>>(body).unwrap()
        }
    };
    let all = findings(centre.clone(), "").await;
    assert_eq!(all.len(), done.findings.len(), "each finding once");
    assert!(all.iter().all(|f| f.verdict.is_some()));
    let fire = findings(fire_t.clone(), "?failed_only=true").await;
    assert_eq!(fire.len(), 1);
    assert_eq!(fire[0].outcome_kind.as_deref(), Some("order_to_correct"));
    let market = findings(market_t.clone(), "?failed_only=true").await;
    assert_eq!(market.len(), 1);
    assert_eq!(market[0].item, "JC-SC-03");
    assert_eq!(market[0].outcome_kind.as_deref(), Some("referral"));
    assert_eq!(market[0].outcome.as_ref().unwrap()["department"], "CQ-SCJG");
    let city = findings(city_t, "?failed_only=1").await;
    assert_eq!(city[0].outcome_kind.as_deref(), Some("simple_case"));
    // The department sees only its own items, even when it asks for none.
    let market_all = findings(market_t.clone(), "").await;
    assert!(market_all.iter().all(|f| f.department == "CQ-SCJG"));
    assert!(market_all.len() > 1);
    assert!(findings(elsewhere, "").await.is_empty(), "another district");
    // The operator's view (no scope) agrees with the command centre's.
    let operator = server.store(|st| {
        st.inspection_findings(
            Some("CQ-XFJY"),
            true,
            "",
            "operator:test",
            server.clock.now_utc(),
        )
        .unwrap()
    });
    assert_eq!(operator, fire);
    // Asking for another department, a bad flag, no or a revoked token.
    let (status, body) = server
        .console(
            Method::Get,
            "/v1/console/findings?department=CQ-XFJY",
            &market_t,
            None,
        )
        .await;
    assert_eq!((status, body["code"].as_str()), (403, Some("forbidden")));
    let (status, body) = server
        .console(
            Method::Get,
            "/v1/console/findings?failed_only=yes",
            &centre,
            None,
        )
        .await;
    assert_eq!((status, body["code"].as_str()), (400, Some("bad_request")));
    let (status, _) = server
        .console(Method::Get, "/v1/console/findings", "zs_not-a-token", None)
        .await;
    assert_eq!(status, 401);
    server.store(|st| st.revoke_staff("xf", server.clock.now_utc()).unwrap());
    let (status, body) = server
        .console(Method::Get, "/v1/console/findings", &fire_t, None)
        .await;
    assert_eq!((status, body["code"].as_str()), (401, Some("unauthorized")));
    // Every read that returned the inspection is in the audit log (six:
    // the five console reads with findings and the operator's), the
    // refused and empty ones are not.
    assert_eq!(
        server.store(|st| st.audit_count("inspection.read").unwrap()),
        6
    );

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
    let tasks = server.store(|st| st.tasks("").unwrap());
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
    let tasks = server.store(|st| st.tasks(district).unwrap());
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

    // The command centre assigns a complaint over the console API (and
    // bad, foreign or unauthorised assignments are refused with codes).
    let district = &TOWNSHIP[..6];
    let centre = server.staff("zhzx", StaffRole::CommandCentre, district, None);
    let other = server.staff("zhzx-other", StaffRole::CommandCentre, "500101", None);
    let dept = server.staff("sc", StaffRole::Department, district, Some("CQ-SCJG"));
    let complaint = serde_json::json!({
        "officer_id": OFFICERS[0], "kind": "complaint", "place": "龙兴镇示例路18号",
        "party_name": "川味小馆", "detail": "群众投诉店外占道经营、油烟扰民",
        "due_on": "2026-03-12", "scenarios": ["CJ-CYMD"],
    });
    let mut gossip = complaint.clone();
    gossip["kind"] = "gossip".into();
    let (status, body) = assign(&server, &centre, gossip).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("bad_request")),
        "{body}"
    );
    let mut undated = complaint.clone();
    undated["due_on"] = "2026-02-30".into();
    assert_eq!(assign(&server, &centre, undated).await.0, 400);
    assert_eq!(
        assign(&server, &centre, serde_json::json!({"kind": 1}))
            .await
            .0,
        400
    );
    let (status, body) = assign(&server, &other, complaint.clone()).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (403, Some("forbidden")),
        "{body}"
    );
    assert_eq!(assign(&server, &dept, complaint.clone()).await.0, 403);
    assert!(
        server.store(|st| st.tasks("").unwrap()).is_empty(),
        "nothing refused was stored"
    );
    let (status, body) = assign(&server, &centre, complaint.clone()).await;
    assert_eq!(status, 200, "{body}");
    let task_id = body["task_id"].as_str().unwrap().to_owned();

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
    let scenarios: Vec<&str> = got.scenarios.iter().map(String::as_str).collect();
    let insp = dev.start_inspection(&got.place, &scenarios, Some(got.id));
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

    let (status, body) = server
        .console(Method::Get, "/v1/console/tasks", &centre, None)
        .await;
    assert_eq!(status, 200, "{body}");
    let rows: Vec<TaskRow> = serde_json::from_value(body).unwrap();
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
    // Outside the district the command centre sees no task; a department
    // account may not list tasks at all.
    let (_, body) = server
        .console(Method::Get, "/v1/console/tasks", &other, None)
        .await;
    assert_eq!(body, serde_json::json!([]));
    let (status, _) = server
        .console(Method::Get, "/v1/console/tasks", &dept, None)
        .await;
    assert_eq!(status, 403);
    assert_eq!(server.store(|st| st.audit_count("task.assign").unwrap()), 1);
}

async fn assign(
    server: &TestServer,
    token: &str,
    body: serde_json::Value,
) -> (u16, serde_json::Value) {
    server
        .console(Method::Post, "/v1/console/tasks", token, Some(body))
        .await
}
