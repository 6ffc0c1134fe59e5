//! A case's files in the console (issue 17): the decision PDF the device
//! issued and the evidence photo, read back from the (sealed) evidence
//! store for an account whose scope covers the case, checked against their
//! SHA-256, with their media type, never cached, under a CSP that lets
//! nothing in them run; outside the scope, for a department, for a file
//! the case does not hold, or a malformed hash: refused with a stable
//! code. Each read audited. On SQLite and PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should abort loudly

use sha2::{Digest, Sha256};
use zhifa_server::console::StaffRole;
use zhifa_sync::transport::{HttpRequest, HttpResponse, Method, Transport};
use zhifa_tests::{Backend, OFFICERS, TestDevice, TestServer};

zhifa_tests::on_both_backends!(a_reviewer_opens_the_decision_pdf_and_the_photo);

async fn file(server: &TestServer, token: &str, case: &str, sha: &str) -> HttpResponse {
    server
        .transport()
        .send(HttpRequest {
            method: Method::Get,
            path: format!("/v1/console/records/cases/{case}/files/{sha}"),
            headers: vec![("authorization".into(), format!("Bearer {token}"))],
            body: Vec::new(),
        })
        .await
        .unwrap()
}

fn header<'a>(r: &'a HttpResponse, name: &str) -> &'a str {
    r.headers
        .iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}

async fn a_reviewer_opens_the_decision_pdf_and_the_photo(b: Backend) {
    let server = TestServer::on(&b);
    let t = server.transport();
    let mut dev = TestDevice::new();
    dev.enrol(&t, &server.code(OFFICERS[0])).await.unwrap();
    dev.sync(&t).await.unwrap();
    let (id, _, photo) = dev.full_case();
    dev.sync(&t).await.unwrap();
    let pdf = zhifa_core::case::archive::announced_documents(&dev.store).unwrap()[0]
        .0
        .clone();
    let case = id.to_string();
    let reviewer = server.staff("LR-F", StaffRole::LegalReview, &dev.township, None);
    let outside = server.staff("LR-O", StaffRole::LegalReview, "500110106", None);
    let dept = server.staff(
        "DP-F",
        StaffRole::Department,
        &dev.township[..6],
        Some("CQ-SCJG"),
    );

    let r = file(&server, &reviewer, &case, &pdf).await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(header(&r, "content-type"), "application/pdf");
    assert!(r.body.starts_with(b"%PDF"));
    assert_eq!(hex::encode(Sha256::digest(&r.body)), pdf);
    assert_eq!(header(&r, "cache-control"), "private, no-store");
    assert_eq!(header(&r, "content-security-policy"), "default-src 'none'");

    let r = file(&server, &reviewer, &case, &photo).await;
    assert_eq!(r.status, 200);
    assert_eq!(header(&r, "content-type"), "image/jpeg");
    assert_eq!(hex::encode(Sha256::digest(&r.body)), photo);
    assert!(header(&r, "content-security-policy").contains("sandbox"));
    assert_eq!(header(&r, "x-content-type-options"), "nosniff");

    // Refusals: outside the scope, a department, a file the case does not
    // hold, a malformed hash.
    let other = "ab".repeat(32);
    for (token, sha, status) in [
        (&outside, pdf.as_str(), 403),
        (&dept, pdf.as_str(), 403),
        (&reviewer, other.as_str(), 404),
        (&reviewer, "not-a-hash", 400),
    ] {
        let r = file(&server, token, &case, sha).await;
        assert_eq!(
            r.status,
            status,
            "{sha}: {}",
            String::from_utf8_lossy(&r.body)
        );
        let body: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
        assert!(
            body["code"].is_string() && body["message"].is_string(),
            "{body}"
        );
    }

    // Each read audited, by case and file.
    assert_eq!(
        server.db().int(
            "SELECT count(*) FROM audit WHERE action = 'case.file' AND actor = 'staff:LR-F' AND object LIKE ?1",
            &[&format!("{case}:%")]
        ),
        2,
        "the two reads (a refused request reads nothing)"
    );
}
