//! The audit log in the console (issue 17): a city-wide administrator
//! reads who read and wrote what, newest first, filtered by actor, action
//! and time, in keyset pages; nobody else may (a district administrator
//! neither: audit rows name no township); the read is audited itself; no
//! personal data is in the log. On SQLite and PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should abort loudly

use serde_json::Value;
use zhifa_server::console::StaffRole;
use zhifa_sync::transport::Method;
use zhifa_tests::{Backend, OFFICERS, TestDevice, TestServer, party};

zhifa_tests::on_both_backends!(a_city_administrator_reads_the_audit_log_and_nobody_else);

async fn get(server: &TestServer, token: &str, path: &str) -> (u16, Value) {
    server.console(Method::Get, path, token, None).await
}

async fn a_city_administrator_reads_the_audit_log_and_nobody_else(b: Backend) {
    let server = TestServer::on(&b);
    let t = server.transport();
    let mut dev = TestDevice::new();
    dev.enrol(&t, &server.code(OFFICERS[0])).await.unwrap();
    dev.sync(&t).await.unwrap();
    let (id, _, _) = dev.full_case();
    dev.sync(&t).await.unwrap();
    let reviewer = server.staff("LR-A", StaffRole::LegalReview, &dev.township, None);
    let admin = server.staff("AD-CITY", StaffRole::Administrator, "", None);
    let district_admin = server.staff("AD-D", StaffRole::Administrator, &dev.township[..6], None);
    let supervisor = server.staff("SV-A", StaffRole::Supervisor, "", None);

    // The reviewer opens the case (personal data): audited `case.read`.
    let (s, _) = get(
        &server,
        &reviewer,
        &format!("/v1/console/records/cases/{id}"),
    )
    .await;
    assert_eq!(s, 200);

    // Only a city-wide administrator reads the log.
    for token in [&reviewer, &district_admin, &supervisor] {
        let (s, e) = get(&server, token, "/v1/console/audit").await;
        assert_eq!(s, 403, "{e}");
    }
    let (s, page) = get(&server, &admin, "/v1/console/audit?action=case.read").await;
    assert_eq!(s, 200, "{page}");
    let rows = page["rows"].as_array().unwrap();
    assert!(
        rows.iter().any(|r| r["actor"] == "staff:LR-A"
            && r["object"].as_str().unwrap().contains(&id.to_string())),
        "{page}"
    );
    assert!(rows.iter().all(|r| r["action"] == "case.read"));

    // Newest first, in keyset pages that neither skip nor repeat a row.
    let (_, all) = get(&server, &admin, "/v1/console/audit?limit=200").await;
    let ids: Vec<i64> = all["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    assert!(ids.len() > 5, "{all}");
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "newest first");
    let mut paged = Vec::new();
    let mut after: Option<i64> = None;
    loop {
        let path = match after {
            Some(a) => format!("/v1/console/audit?limit=3&after={a}"),
            None => "/v1/console/audit?limit=3".to_owned(),
        };
        let (s, p) = get(&server, &admin, &path).await;
        assert_eq!(s, 200);
        paged.extend(
            p["rows"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["id"].as_i64().unwrap()),
        );
        match p["next"].as_i64() {
            Some(n) => after = Some(n),
            None => break,
        }
    }
    // The paging itself added `audit.read` rows above the first page.
    let tail: Vec<i64> = paged.iter().copied().filter(|i| *i <= ids[0]).collect();
    assert_eq!(tail, ids);

    // The reads of the log are in the log; a time window keeps to it.
    let (_, mine) = get(
        &server,
        &admin,
        "/v1/console/audit?actor=staff:AD-CITY&action=audit.read",
    )
    .await;
    assert!(mine["rows"].as_array().unwrap().len() >= 3);
    let (_, none) = get(&server, &admin, "/v1/console/audit?to=2000-01-01T00:00:00Z").await;
    assert_eq!(none["rows"], serde_json::json!([]));

    // Bad input: a stable code and a message.
    for bad in [
        "/v1/console/audit?limit=0",
        "/v1/console/audit?from=yesterday",
    ] {
        let (s, e) = get(&server, &admin, bad).await;
        assert_eq!(
            (s, e["code"].as_str()),
            (400, Some("bad_request")),
            "{bad}: {e}"
        );
    }

    // No personal data in the log.
    let p = party();
    let dump = all.to_string();
    for secret in [&p.name, &p.id_number, &p.address] {
        assert!(
            !dump.contains(secret.as_str()),
            "personal data in the audit log"
        );
    }
}
