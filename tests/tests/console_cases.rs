//! Server-side changes to an officer's case through the console API, to
//! the device (sync stream C): a legal-review account's result (法制审核)
//! and the command centre's reassignment become inbox events that the
//! device applies once, to server-owned fields only; every refusal has
//! its code, and nothing refused is queued.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should abort loudly

use serde_json::json;
use zhifa_server::console::StaffRole;
use zhifa_server::store::OfficerRow;
use zhifa_sync::transport::Method;
use zhifa_tests::{Backend, OFFICERS, TOWNSHIP, TestDevice, TestServer};

zhifa_tests::on_both_backends!(review_and_reassignment_reach_the_device_as_server_owned_fields);

async fn review_and_reassignment_reach_the_device_as_server_owned_fields(b: Backend) {
    let server = TestServer::on(&b);
    let t = server.transport();
    let mut dev = TestDevice::new();
    dev.enrol(&t, &server.code(OFFICERS[0])).await.unwrap();
    dev.sync(&t).await.unwrap();
    let (id, _number, _sha) = dev.full_case();
    let r = dev.sync(&t).await.unwrap();
    assert_eq!(r.rejected, 0);
    let case = id.to_string();
    let (status_before, version_before): (String, i64) = dev
        .store
        .conn()
        .query_row(
            "SELECT status, version FROM enforcement_case WHERE id = ?1",
            [&case],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();

    let district = &TOWNSHIP[..6];
    let reviewer = server.staff("fzsh", StaffRole::LegalReview, district, None);
    let far_reviewer = server.staff("fzsh-far", StaffRole::LegalReview, "500101", None);
    let centre = server.staff("zhzx", StaffRole::CommandCentre, TOWNSHIP, None);
    let dept = server.staff("sc", StaffRole::Department, district, Some("CQ-SCJG"));
    // An officer of another township (the reassignment must stay inside).
    server.store(|st| {
        st.upsert_officer(&OfficerRow {
            id: "OFF-YB-09".into(),
            name: "外镇执法员".into(),
            township: "500101001".into(),
            role: "officer".into(),
        })
        .unwrap()
    });

    let review_path = format!("/v1/console/cases/{case}/review");
    let ok_review = json!({"result": "approved", "opinion": "事实清楚，证据充分，适用依据正确"});
    let refusals = [
        (&centre, ok_review.clone(), 403, "forbidden"),
        (&dept, ok_review.clone(), 403, "forbidden"),
        (&far_reviewer, ok_review.clone(), 403, "forbidden"),
        (
            &reviewer,
            json!({"result": "maybe", "opinion": "x"}),
            400,
            "bad_request",
        ),
        (
            &reviewer,
            json!({"result": "approved", "opinion": "  "}),
            400,
            "bad_request",
        ),
        (&reviewer, json!({"result": "approved"}), 400, "bad_request"),
    ];
    for (token, body, status, code) in refusals {
        let (s, b) = server
            .console(Method::Post, &review_path, token, Some(body.clone()))
            .await;
        assert_eq!(
            (s, b["code"].as_str()),
            (status, Some(code)),
            "{body} → {b}"
        );
    }
    let (s, b) = server
        .console(
            Method::Post,
            "/v1/console/cases/no-such-case/review",
            &reviewer,
            Some(ok_review.clone()),
        )
        .await;
    assert_eq!((s, b["code"].as_str()), (404, Some("not_found")));
    let queued = |server: &TestServer| server.db().int("SELECT count(*) FROM inbox", &[]);
    let before = queued(&server);
    assert_eq!(before, 0, "nothing refused was queued");
    let (s, b) = server
        .console(Method::Post, &review_path, &reviewer, Some(ok_review))
        .await;
    assert_eq!(s, 200, "{b}");

    let reassign_path = format!("/v1/console/cases/{case}/reassign");
    for (token, body, status) in [
        (
            &reviewer,
            json!({"officer_id": OFFICERS[1], "reason": "调岗"}),
            403,
        ),
        (
            &centre,
            json!({"officer_id": "OFF-YB-09", "reason": "调岗"}),
            400,
        ),
        (
            &centre,
            json!({"officer_id": "nobody", "reason": "调岗"}),
            400,
        ),
        (
            &centre,
            json!({"officer_id": OFFICERS[1], "reason": ""}),
            400,
        ),
    ] {
        let (s, b) = server
            .console(Method::Post, &reassign_path, token, Some(body.clone()))
            .await;
        assert_eq!(s, status, "{body} → {b}");
    }
    let to_partner = json!({"officer_id": OFFICERS[1], "reason": "原承办人调岗"});
    let (s, b) = server
        .console(
            Method::Post,
            &reassign_path,
            &centre,
            Some(to_partner.clone()),
        )
        .await;
    assert_eq!((s, &b["changed"]), (200, &json!(true)), "{b}");
    let (s, b) = server
        .console(Method::Post, &reassign_path, &centre, Some(to_partner))
        .await;
    assert_eq!(
        (s, &b["changed"]),
        (200, &json!(false)),
        "already theirs: {b}"
    );
    assert_eq!(queued(&server), 2, "one review and one reassignment");

    // The listing: legal review and command centre see the case; a
    // department account may not list cases.
    let (s, b) = server
        .console(Method::Get, "/v1/console/cases", &reviewer, None)
        .await;
    assert_eq!(s, 200);
    assert!(
        b.as_array()
            .unwrap()
            .iter()
            .any(|c| c["case_id"] == case.as_str())
    );
    let (s, _) = server
        .console(Method::Get, "/v1/console/cases", &dept, None)
        .await;
    assert_eq!(s, 403);

    // The device applies both, once, to server-owned fields only.
    let r = dev.sync(&t).await.unwrap();
    assert_eq!(r.pulled_inbox, 2);
    let state = zhifa_sync::review::server_state(&dev.store, &case)
        .unwrap()
        .unwrap();
    assert_eq!(state.review_result.as_deref(), Some("approved"));
    assert_eq!(
        state.review_opinion.as_deref(),
        Some("事实清楚，证据充分，适用依据正确")
    );
    assert_eq!(state.assigned_officer.as_deref(), Some(OFFICERS[1]));
    assert_eq!(state.reassign_reason.as_deref(), Some("原承办人调岗"));
    let after: (String, i64) = dev
        .store
        .conn()
        .query_row(
            "SELECT status, version FROM enforcement_case WHERE id = ?1",
            [&case],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(
        after,
        (status_before, version_before),
        "the device's own record is untouched"
    );
    let r = dev.sync(&t).await.unwrap();
    assert_eq!(r.pulled_inbox, 0, "applied once");
    assert_eq!(server.store(|st| st.audit_count("case.review").unwrap()), 1);
    assert_eq!(
        server.store(|st| st.audit_count("case.reassign").unwrap()),
        1
    );
}
