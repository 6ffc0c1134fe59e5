//! Regression tests of the 2026-12 security review's findings 1, 2, 3, 4,
//! 6 and 8 (shared/domain/security-review-2026-12.md §7), each the
//! review's reproduction turned into assertions, on SQLite and PostgreSQL.
//! Each failed on the code the review probed (commit 49f64cc).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should abort loudly

mod authz_support;

use authz_support::*;
use zhifa_core::inspection;
use zhifa_server::console::StaffRole;
use zhifa_sync::badge;
use zhifa_sync::engine;
use zhifa_sync::transport::Method;
use zhifa_tests::{
    Backend, DeviceNow, OFFICERS, TOWNSHIP, TestDevice, TestServer, on_both_backends,
};

/// Finding 1: a rejected mutation that names another device's case —
/// `case/advance` of someone else's case, `evidence/record` with a bad
/// hash and a colleague's `case_id` — blocks only its own device, never
/// the case's owner.
async fn finding_1_a_rejected_mutation_naming_another_devices_case_never_blocks_it(b: Backend) {
    let server = TestServer::on(&b);
    let mut owner = Dev::enrolled(&server, COLLEAGUE_OFFICER).await;
    let mut colleague = Dev::enrolled(&server, A_OFFICER).await;
    let mut stranger = Dev::enrolled(&server, OTHER_DISTRICT_OFFICER).await;
    let case = uuid::Uuid::now_v7().to_string();
    owner
        .applied(&server, "case", &case, "create", case_create(TOWNSHIP))
        .await;
    owner
        .applied(&server, "case", &case, "advance", case_advance(2))
        .await;

    // Another district's device advances it: not_owner …
    let r = stranger
        .push(&server, "case", &case, "advance", case_advance(99))
        .await;
    assert_eq!(rejected(&r).as_deref(), Some("not_owner"), "{r:?}");
    // … and the owner's next step still applies.
    owner
        .applied(&server, "case", &case, "advance", case_advance(3))
        .await;

    // A colleague records evidence with a bad hash under the case.
    let ev = uuid::Uuid::now_v7().to_string();
    let r = colleague
        .push(
            &server,
            "evidence",
            &ev,
            "record",
            evidence_record(&case, "not-a-hash", 10),
        )
        .await;
    assert_eq!(rejected(&r).as_deref(), Some("invalid_payload"), "{r:?}");
    owner
        .applied(&server, "case", &case, "advance", case_advance(4))
        .await;

    // The blocking stays with the devices that were refused.
    let r = colleague
        .push(&server, "case", &case, "advance", case_advance(5))
        .await;
    assert_eq!(rejected(&r).as_deref(), Some("dependency_rejected"));
    let r = stranger
        .push(&server, "case", &case, "advance", case_advance(5))
        .await;
    assert_eq!(rejected(&r).as_deref(), Some("dependency_rejected"));
    owner
        .applied(&server, "case", &case, "advance", case_advance(5))
        .await;
    let cases = server.cases();
    assert_eq!(cases.len(), 1);
    assert_eq!(cases[0].status, "party_and_facts");
}

/// Finding 1, existing databases: a blocked case recorded the old way
/// (keyed by the case alone) in a database from before the migration
/// runner is moved under the refused device when the server opens (and
/// adopts) the database, so its owner is no longer blocked.
async fn finding_1_an_existing_database_is_upgraded_on_open(b: Backend) {
    let server = TestServer::on(&b);
    let mut owner = Dev::enrolled(&server, A_OFFICER).await;
    let mut stranger = Dev::enrolled(&server, OTHER_DISTRICT_OFFICER).await;
    let case = uuid::Uuid::now_v7().to_string();
    owner
        .applied(&server, "case", &case, "create", case_create(TOWNSHIP))
        .await;
    // The stranger's rejected step, with the block as the old server wrote it.
    let r = stranger
        .push(&server, "case", &case, "advance", case_advance(99))
        .await;
    assert_eq!(rejected(&r).as_deref(), Some("not_owner"));
    let db = server.db();
    db.rows("DELETE FROM device_blocked RETURNING device_id", &[]);
    db.rows(
        "INSERT INTO blocked_aggregate (entity, entity_id, device_id, first_seq) VALUES ('case', ?1, ?2, 1)
         RETURNING entity_id",
        &[&case, &stranger.id],
    );
    // The database as a release before the migration runner left it (no
    // migration table, no vault table: that release sealed records with
    // a key file; these rows are not read again here).
    db.rows("DROP TABLE schema_migration", &[]);
    db.rows("DROP TABLE pii_key", &[]);
    match b {
        Backend::Sqlite => db.rows("PRAGMA user_version = 1", &[]),
        Backend::Postgres(_) => db.rows(
            "INSERT INTO meta (key, value) VALUES ('schema_version', '1') RETURNING key",
            &[],
        ),
    };
    drop(db);
    let server = server.restart();
    owner
        .applied(&server, "case", &case, "advance", case_advance(2))
        .await;
    let r = stranger
        .push(&server, "case", &case, "advance", case_advance(3))
        .await;
    assert_eq!(rejected(&r).as_deref(), Some("dependency_rejected"));
    let db = server.db();
    assert_eq!(db.int("SELECT count(*) FROM blocked_aggregate", &[]), 0);
    assert_eq!(
        db.int(
            "SELECT count(*) FROM device_blocked WHERE device_id = ?1 AND entity_id = ?2",
            &[&stranger.id, &case]
        ),
        1
    );
}

/// Finding 2: inspections and tasks start only in the officer's own
/// township; the other township's command centre and departments never
/// see them.
async fn finding_2_inspections_and_tasks_start_only_in_the_officers_township(b: Backend) {
    let server = TestServer::on(&b);
    let mut a = Dev::enrolled(&server, A_OFFICER).await;
    let elsewhere = "500110106";
    let r = a
        .push(
            &server,
            "inspection",
            &uuid::Uuid::now_v7().to_string(),
            "start",
            inspection_start(elsewhere),
        )
        .await;
    assert_eq!(rejected(&r).as_deref(), Some("jurisdiction"), "{r:?}");
    let r = a
        .push(
            &server,
            "task",
            &uuid::Uuid::now_v7().to_string(),
            "create",
            task_create(elsewhere),
        )
        .await;
    assert_eq!(rejected(&r).as_deref(), Some("jurisdiction"), "{r:?}");
    let cc_b = staff(&server, "cc-b", StaffRole::CommandCentre, "500110", None);
    let (s, findings) = server
        .console(Method::Get, "/v1/console/findings", &cc_b, None)
        .await;
    assert_eq!(s, 200);
    assert_eq!(findings.as_array().unwrap().len(), 0, "{findings}");
    let (s, tasks) = server
        .console(Method::Get, "/v1/console/tasks", &cc_b, None)
        .await;
    assert_eq!(s, 200);
    assert_eq!(tasks.as_array().unwrap().len(), 0, "{tasks}");
    // In its own township both work.
    let id = uuid::Uuid::now_v7().to_string();
    a.applied(
        &server,
        "inspection",
        &id,
        "start",
        inspection_start(TOWNSHIP),
    )
    .await;
    let id = uuid::Uuid::now_v7().to_string();
    a.applied(&server, "task", &id, "create", task_create(TOWNSHIP))
        .await;
}

/// Finding 3: a task is accepted and reported only by the officer it is
/// assigned to, in its township — not by another township's device, not
/// by a colleague of the same township.
async fn finding_3_tasks_are_accepted_and_reported_only_by_their_officer(b: Backend) {
    let server = TestServer::on(&b);
    let mut a = Dev::enrolled(&server, A_OFFICER).await;
    let cc_b = staff(&server, "cc-b", StaffRole::CommandCentre, "500110", None);
    let theirs = assign_task(&server, &cc_b, OTHER_DISTRICT_OFFICER).await;
    for (op, payload) in [("accept", task_accept()), ("report", task_report())] {
        let r = a.push(&server, "task", &theirs, op, payload).await;
        assert_eq!(rejected(&r).as_deref(), Some("jurisdiction"), "{op}: {r:?}");
    }
    let (_, tasks) = server
        .console(Method::Get, "/v1/console/tasks", &cc_b, None)
        .await;
    let row = &tasks.as_array().unwrap()[0];
    assert_eq!(row["status"], "assigned", "{row}");
    assert!(row["report"].is_null(), "{row}");
    assert!(row["accepted_at"].is_null(), "{row}");

    // Same township, a colleague's task.
    let cc_a = staff(&server, "cc-a", StaffRole::CommandCentre, "500112", None);
    let colleagues = assign_task(&server, &cc_a, COLLEAGUE_OFFICER).await;
    let r = a
        .push(&server, "task", &colleagues, "report", task_report())
        .await;
    assert_eq!(rejected(&r).as_deref(), Some("not_owner"), "{r:?}");

    // The assignee closes the loop.
    let mut b_dev = Dev::enrolled(&server, OTHER_DISTRICT_OFFICER).await;
    b_dev
        .applied(&server, "task", &theirs, "accept", task_accept())
        .await;
    b_dev
        .applied(&server, "task", &theirs, "report", task_report())
        .await;
    let (_, tasks) = server
        .console(Method::Get, "/v1/console/tasks", &cc_b, None)
        .await;
    assert_eq!(tasks.as_array().unwrap()[0]["status"], "done");
}

/// Finding 4: uploads and blob queries belong to the device that
/// announced the evidence.
async fn finding_4_uploads_and_blob_queries_are_the_announcing_devices(b: Backend) {
    let server = TestServer::on(&b);
    let mut owner = Dev::enrolled(&server, A_OFFICER).await;
    let colleague = Dev::enrolled(&server, COLLEAGUE_OFFICER).await;
    let other = Dev::enrolled(&server, OTHER_DISTRICT_OFFICER).await;
    let case = uuid::Uuid::now_v7().to_string();
    owner
        .applied(&server, "case", &case, "create", case_create(TOWNSHIP))
        .await;
    let stored = b"finding 4: stored original".to_vec();
    let running = b"finding 4: the original still uploading, thirty-odd bytes".to_vec();
    for bytes in [&stored, &running] {
        let ev = uuid::Uuid::now_v7().to_string();
        owner
            .applied(
                &server,
                "evidence",
                &ev,
                "record",
                evidence_record(&case, &sha(bytes), bytes.len()),
            )
            .await;
    }
    assert_eq!(upload_all(&server, &owner.token, &stored).await, 200);
    let (s, st) = upload_create(&server, &owner.token, &sha(&running), running.len()).await;
    assert_eq!(s, 201);
    let id = st["upload_id"].as_str().unwrap().to_owned();
    let half = running.len() / 2;
    assert_eq!(
        upload_patch(&server, &owner.token, &id, 0, &running[..half])
            .await
            .0,
        200
    );

    // No existence oracle: HEAD and POST answer another district's
    // device as if the stored blob were unknown.
    let head = |token: String| {
        let path = format!("/v1/blobs/{}", sha(&stored));
        let server = &server;
        async move {
            call(server, req(Method::Head, &path, Some(&token), vec![]))
                .await
                .status
        }
    };
    assert_eq!(head(owner.token.clone()).await, 200);
    assert_eq!(
        head(colleague.token.clone()).await,
        200,
        "a township case names it"
    );
    assert_eq!(head(other.token.clone()).await, 404);
    let (s, st) = upload_create(&server, &other.token, &sha(&stored), stored.len()).await;
    assert_ne!(st["verified"], true, "{s} {st}");

    // Another device never gets, reads, continues or discards the
    // running upload.
    let (_, st) = upload_create(&server, &other.token, &sha(&running), running.len()).await;
    assert_ne!(st["upload_id"], id.as_str(), "{st}");
    let (_, st) = upload_create(&server, &other.token, &sha(&running), running.len() + 1).await;
    assert_ne!(st["upload_id"], id.as_str(), "{st}");
    let path = format!("/v1/uploads/{id}");
    let r = call(&server, req(Method::Get, &path, Some(&other.token), vec![])).await;
    assert_eq!(r.status, 404);
    let wrong = vec![b'x'; running.len() - half];
    let (s, _) = upload_patch(&server, &other.token, &id, half, &wrong).await;
    assert_eq!(s, 404);
    let r = call(&server, req(Method::Get, &path, Some(&owner.token), vec![])).await;
    assert_eq!(r.status, 200, "the owner's upload is intact");
    let st: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(st["offset"], half);

    // The pending hashes are told to the owner only.
    let cases_of = |token: String| {
        let server = &server;
        async move {
            let r = call(server, req(Method::Get, "/v1/cases", Some(&token), vec![])).await;
            serde_json::from_slice::<Vec<zhifa_sync::wire::CaseSummary>>(&r.body).unwrap()
        }
    };
    let mine = cases_of(owner.token.clone()).await;
    assert_eq!(mine[0].evidence_missing, vec![sha(&running)]);
    let theirs = cases_of(colleague.token.clone()).await;
    assert_eq!(theirs[0].case_id, case);
    assert!(theirs[0].evidence_missing.is_empty(), "{:?}", theirs[0]);
    assert!(!theirs[0].evidence_complete);

    // The owner finishes its upload.
    let (s, st) = upload_patch(&server, &owner.token, &id, half, &running[half..]).await;
    assert_eq!(s, 200, "{st}");
    assert_eq!(st["verified"], true);
}

/// Finding 6: a 亮码 rating belongs to an inspection the server holds, one
/// per inspection visit whatever the token; views are counted, not
/// audited one row each.
async fn finding_6_one_rating_per_inspection_held_and_views_counted(b: Backend) {
    let server = TestServer::on(&b);
    let t = server.transport();
    let mut dev = TestDevice::new();
    dev.enrol(&t, &server.code(OFFICERS[0])).await.unwrap();
    dev.sync(&t).await.unwrap();
    let insp = dev.start_inspection("龙兴镇示例路18号", &["CJ-XXSC"], None);
    dev.sync(&t).await.unwrap();
    let rate = |token: String| {
        let server = &server;
        async move {
            let mut r = req(
                Method::Post,
                &format!("/v/{token}/rating"),
                None,
                b"rating=satisfied".to_vec(),
            );
            r.headers[0].1 = "application/x-www-form-urlencoded".into();
            let resp = call(server, r).await;
            let code = resp
                .headers
                .iter()
                .find(|(k, _)| k == "x-badge-result")
                .map(|(_, v)| v.clone())
                .unwrap_or_default();
            (resp.status, code)
        }
    };
    let first = token_for(&dev, &insp);
    assert_eq!(rate(first.clone()).await.0, 200);
    // Fresh tokens for the same visit, minted at will on the device.
    for _ in 0..3 {
        dev.clock.advance(chrono::Duration::minutes(1));
        let again = token_for(&dev, &insp);
        assert_ne!(again, first);
        assert_eq!(rate(again).await, (409, "rating_exists".to_owned()));
    }
    let rows = server.store(|s| s.badge_ratings(None).unwrap());
    assert_eq!(rows.len(), 1);
    // An inspection the server never received.
    let unknown = dev.start_inspection("龙兴镇示例路20号", &["CJ-XXSC"], None);
    let (s, code) = rate(token_for(&dev, &unknown)).await;
    assert_eq!((s, code.as_str()), (422, "rating_unknown_inspection"));
    assert_eq!(server.store(|s| s.badge_ratings(None).unwrap()).len(), 1);

    // 50 views: one audit row, a counter of 50.
    for _ in 0..50 {
        let r = call(
            &server,
            req(Method::Get, &format!("/v/{first}"), None, vec![]),
        )
        .await;
        assert_eq!(r.status, 200);
    }
    assert_eq!(
        server.store(|s| s.audit_count("badge.verify.verified").unwrap()),
        1
    );
    let views = server.db().int(
        "SELECT views FROM badge_view_count WHERE token_id = ?1",
        &[&badge::token_id(&first)],
    );
    assert_eq!(views, 50);
}

fn token_for(dev: &TestDevice, insp: &inspection::Inspection) -> String {
    let cert = engine::badge_certificate(&dev.store)
        .unwrap()
        .expect("certificate stored at enrolment");
    let req = badge::Request::from(insp);
    let d = &dev.device;
    badge::issue(&cert, &req, dev.clock.now_utc(), 4, |m| d.sign(m))
        .unwrap()
        .0
}

/// Finding 8: a device re-enrolled for an officer of another township is
/// a new identity there; it keeps no write right on the cases and
/// inspections of its former township.
async fn finding_8_a_reenrolled_device_cannot_write_its_former_townships_cases(b: Backend) {
    let server = TestServer::on(&b);
    let mut d = Dev::enrolled(&server, A_OFFICER).await;
    let case = uuid::Uuid::now_v7().to_string();
    d.applied(&server, "case", &case, "create", case_create(TOWNSHIP))
        .await;
    d.applied(&server, "case", &case, "advance", case_advance(2))
        .await;
    let insp = uuid::Uuid::now_v7().to_string();
    d.applied(
        &server,
        "inspection",
        &insp,
        "start",
        inspection_start(TOWNSHIP),
    )
    .await;

    assert_eq!(d.enrol(&server, "OFF-DX-02").await, 200);
    let r = d
        .push(&server, "case", &case, "advance", case_advance(3))
        .await;
    assert_eq!(rejected(&r).as_deref(), Some("jurisdiction"), "{r:?}");
    let r = d
        .push(&server, "inspection", &insp, "result", inspection_result(2))
        .await;
    assert_eq!(rejected(&r).as_deref(), Some("jurisdiction"), "{r:?}");
    let db = server.db();
    assert_eq!(
        db.int("SELECT version FROM cases WHERE case_id = ?1", &[&case]),
        2
    );
    // In its new township it works as any device there.
    let fresh = uuid::Uuid::now_v7().to_string();
    d.applied(&server, "case", &fresh, "create", case_create("500110106"))
        .await;
}

/// Found by the `upload_patch` fuzz target (tests/fuzz/regressions/
/// upload_patch/size-of-verified-blob): a stored blob was confirmed
/// `verified` to a declaration of the same hash with another size, and the
/// answer echoed the declared size.
async fn a_verified_blob_is_never_confirmed_under_another_size(b: Backend) {
    let server = TestServer::on(&b);
    let mut owner = Dev::enrolled(&server, A_OFFICER).await;
    let case = uuid::Uuid::now_v7().to_string();
    owner
        .applied(&server, "case", &case, "create", case_create(TOWNSHIP))
        .await;
    let bytes = b"x".to_vec();
    let ev = uuid::Uuid::now_v7().to_string();
    owner
        .applied(
            &server,
            "evidence",
            &ev,
            "record",
            evidence_record(&case, &sha(&bytes), bytes.len()),
        )
        .await;
    assert_eq!(upload_all(&server, &owner.token, &bytes).await, 200);
    let (s, st) = upload_create(&server, &owner.token, &sha(&bytes), bytes.len()).await;
    assert_eq!(st["verified"], true, "{s} {st}");
    let (s, st) = upload_create(&server, &owner.token, &sha(&bytes), 5).await;
    assert_eq!(s, 422, "{st}");
    assert_eq!(st["code"], "blob_hash_mismatch", "{st}");
    assert_ne!(st["verified"], true, "{st}");
}

on_both_backends!(
    a_verified_blob_is_never_confirmed_under_another_size,
    finding_1_a_rejected_mutation_naming_another_devices_case_never_blocks_it,
    finding_1_an_existing_database_is_upgraded_on_open,
    finding_2_inspections_and_tasks_start_only_in_the_officers_township,
    finding_3_tasks_are_accepted_and_reported_only_by_their_officer,
    finding_4_uploads_and_blob_queries_are_the_announcing_devices,
    finding_6_one_rating_per_inspection_held_and_views_counted,
    finding_8_a_reenrolled_device_cannot_write_its_former_townships_cases,
);
