//! The server's edges (issue 13, security review §1, §5, §7): every
//! rejection — the framework's included — is `{code, message}` JSON with
//! the body digest header; a push seq the ledger cannot hold is a 400,
//! never a 500; declared upload sizes, media types, device ids, payment
//! amounts and times, task texts and number leases are bounded; the
//! public endpoints are rate-limited per client; half-sent and silent
//! connections are dropped after the header timeout; the server's data
//! folder is private (0700/0600). Storage-bound checks run on SQLite and
//! PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should abort loudly

use std::io::{Read, Write};
use std::net::SocketAddr;
use std::time::{Duration as StdDuration, Instant};

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode};
use chrono::Duration;
use ed25519_dalek::{Signer, SigningKey};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use tower::ServiceExt;
use zhifa_server::edges::{LeaseQuota, Limits};
use zhifa_sync::sign::{enrol_bytes, push_bytes};
use zhifa_sync::wire::{
    self, EnrolRequest, LeaseRequest, PushRequest, TokenResponse, WireMutation,
};
use zhifa_tests::{Backend, FINANCE_SECRET, OFFICERS, TOWNSHIP, TestDevice, TestServer};

zhifa_tests::on_both_backends!(
    framework_rejections_are_json_with_a_code_and_a_digest,
    a_push_seq_below_one_or_out_of_order_is_a_bad_request_not_a_500,
    enrolment_takes_only_a_uuid_v7_device_id,
    upload_declarations_are_bounded_in_size_and_media_type,
    payments_must_be_positive_timed_and_one_per_case,
    number_leases_have_a_quota_per_device,
    console_task_texts_are_bounded,
    server_files_are_private_after_a_sync_with_evidence,
);

struct Answer {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: Vec<u8>,
}

impl Answer {
    fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|_| {
            panic!(
                "{}: not JSON: {:?}",
                self.status,
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    fn code(&self) -> String {
        self.json()["code"].as_str().unwrap_or("").to_owned()
    }

    /// The digest header the device engine requires, over this body.
    fn assert_digest(&self) {
        let h = self
            .headers
            .get(wire::BODY_SHA256_HEADER)
            .unwrap_or_else(|| panic!("{}: no {}", self.status, wire::BODY_SHA256_HEADER));
        assert_eq!(h.to_str().unwrap(), hex::encode(Sha256::digest(&self.body)));
    }
}

async fn send(router: axum::Router, req: Request<Body>) -> Answer {
    let resp = router.oneshot(req).await.unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let body = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .unwrap()
        .to_vec();
    Answer {
        status,
        headers,
        body,
    }
}

async fn call(
    server: &TestServer,
    method: &str,
    uri: &str,
    headers: &[(&str, &str)],
    body: Vec<u8>,
) -> Answer {
    let mut req = Request::builder().method(method).uri(uri);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    send(server.router(), req.body(Body::from(body)).unwrap()).await
}

/// A device made by hand (its own key): signs enrolment and pushes.
struct RawDevice {
    id: String,
    key: SigningKey,
    token: String,
}

fn new_key() -> SigningKey {
    SigningKey::from_bytes(&rand::random::<[u8; 32]>())
}

async fn enrol_raw(server: &TestServer, code: &str, device_id: &str, key: &SigningKey) -> Answer {
    let public_key = hex::encode(key.verifying_key().to_bytes());
    let signature = hex::encode(
        key.sign(&enrol_bytes(code, device_id, &public_key))
            .to_bytes(),
    );
    let body = serde_json::to_vec(&EnrolRequest {
        code: code.into(),
        device_id: device_id.into(),
        public_key,
        signature,
    })
    .unwrap();
    call(
        server,
        "POST",
        "/v1/enrol",
        &[("sync-protocol", "1"), ("content-type", "application/json")],
        body,
    )
    .await
}

async fn raw_device(server: &TestServer, officer: &str) -> RawDevice {
    let key = new_key();
    let id = uuid::Uuid::now_v7().to_string();
    let a = enrol_raw(server, &server.new_code(officer), &id, &key).await;
    assert_eq!(
        a.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&a.body)
    );
    let t: TokenResponse = serde_json::from_slice(&a.body).unwrap();
    RawDevice {
        id,
        key,
        token: t.access_token,
    }
}

impl RawDevice {
    fn auth(&self) -> String {
        format!("Bearer {}", self.token)
    }

    async fn post(&self, server: &TestServer, path: &str, body: Vec<u8>) -> Answer {
        let auth = self.auth();
        call(
            server,
            "POST",
            path,
            &[
                ("sync-protocol", "1"),
                ("authorization", &auth),
                ("content-type", "application/json"),
            ],
            body,
        )
        .await
    }

    fn push_of(&self, seqs: &[i64]) -> PushRequest {
        let mutations = seqs
            .iter()
            .map(|&seq| {
                let payload = serde_json::json!({ "note": seq });
                WireMutation {
                    seq,
                    mutation_id: uuid::Uuid::now_v7().to_string(),
                    entity: "case".into(),
                    entity_id: uuid::Uuid::now_v7().to_string(),
                    op: "create".into(),
                    payload_sha256: zhifa_sync::sign::payload_sha256(&payload),
                    payload,
                    device_time: "2026-03-10T10:00:00+08:00".into(),
                }
            })
            .collect();
        let mut req = PushRequest {
            device_id: self.id.clone(),
            batch_id: uuid::Uuid::now_v7().to_string(),
            known_server_epoch: None,
            mutations,
            signature: String::new(),
        };
        req.signature = hex::encode(self.key.sign(&push_bytes(&req)).to_bytes());
        req
    }

    async fn lease(&self, server: &TestServer, request_id: &str, count: i64) -> Answer {
        let body = serde_json::to_vec(&LeaseRequest {
            request_id: request_id.into(),
            township: TOWNSHIP.into(),
            series: "decision_on_the_spot".into(),
            year: 2026,
            count,
        })
        .unwrap();
        self.post(server, "/v1/leases", body).await
    }
}

async fn framework_rejections_are_json_with_a_code_and_a_digest(b: Backend) {
    let server = TestServer::on(&b);
    // Unknown route.
    let a = call(&server, "GET", "/v1/nope", &[], vec![]).await;
    assert_eq!(
        (a.status, a.code().as_str()),
        (StatusCode::NOT_FOUND, "not_found")
    );
    a.assert_digest();
    // A known path with another method keeps its `allow`.
    for (method, path) in [
        ("DELETE", "/v1/enrol"),
        ("PUT", "/v1/sync/push"),
        ("GET", "/v1/leases"),
    ] {
        let a = call(&server, method, path, &[], vec![]).await;
        assert_eq!(a.status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
        assert_eq!(a.code(), "method_not_allowed");
        assert!(a.headers.contains_key("allow"));
        a.assert_digest();
    }
    // A body over the limit.
    let a = call(
        &server,
        "POST",
        "/v1/enrol",
        &[("sync-protocol", "1"), ("content-type", "application/json")],
        vec![b' '; 300 * 1024],
    )
    .await;
    assert_eq!(a.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(a.code(), "payload_too_large");
    a.assert_digest();
    // A query string that does not parse (console: staff token).
    let staff = server.staff(
        "zhzx-500112",
        zhifa_server::console::StaffRole::CommandCentre,
        "500112",
        None,
    );
    let auth = format!("Bearer {staff}");
    let a = call(
        &server,
        "GET",
        "/v1/console/findings?department=A&department=B",
        &[("authorization", &auth)],
        vec![],
    )
    .await;
    assert_eq!(
        (a.status, a.code().as_str()),
        (StatusCode::BAD_REQUEST, "bad_request")
    );
    a.assert_digest();
    // Device endpoints: a cursor that is no number, a missing parameter.
    let dev = raw_device(&server, OFFICERS[0]).await;
    let dauth = dev.auth();
    let dh = [("sync-protocol", "1"), ("authorization", dauth.as_str())];
    for uri in [
        "/v1/sync/inbox?cursor=abc",
        "/v1/sync/inbox?limit=1.5",
        "/v1/catalogue/delta",
    ] {
        let a = call(&server, "GET", uri, &dh, vec![]).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{uri}");
        assert_eq!(a.code(), "bad_request", "{uri}");
        a.assert_digest();
    }
    // A request target over 16 KiB.
    let long = format!("/v1/sync/inbox?cursor=0&x={}", "a".repeat(17 * 1024));
    let a = call(&server, "GET", &long, &dh, vec![]).await;
    assert_eq!(
        (a.status, a.code().as_str()),
        (StatusCode::URI_TOO_LONG, "uri_too_long")
    );
    a.assert_digest();
    // A range past the end of a snapshot.
    let latest = server.store(|s| s.latest_release().unwrap().unwrap());
    let a = call(
        &server,
        "GET",
        &format!("/v1/catalogue/snapshots/{}", latest.sha256),
        &[dh[0], dh[1], ("range", "bytes=999999999-")],
        vec![],
    )
    .await;
    assert_eq!(a.status, StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(a.code(), "range_not_satisfiable");
    assert!(a.headers.contains_key("content-range"));
    a.assert_digest();
    // HEAD keeps no body, and its digest is the empty body's.
    let head = format!("/v1/blobs/{}", "ab".repeat(32));
    let a = call(&server, "HEAD", &head, &dh, vec![]).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    assert!(a.body.is_empty());
    a.assert_digest();
    // Every code is one of the protocol's.
    for c in [
        "not_found",
        "method_not_allowed",
        "payload_too_large",
        "bad_request",
        "uri_too_long",
        "range_not_satisfiable",
        "rate_limited",
        "lease_quota",
        "payment_conflict",
    ] {
        assert!(zhifa_sync::ErrorKind::parse(c).is_some(), "{c}");
    }
}

async fn a_push_seq_below_one_or_out_of_order_is_a_bad_request_not_a_500(b: Backend) {
    let server = TestServer::on(&b);
    let dev = raw_device(&server, OFFICERS[0]).await;
    for seqs in [
        vec![0],
        vec![-1],
        vec![i64::MIN],
        vec![1, 1],
        vec![1, 3],
        vec![2, 1],
    ] {
        let body = serde_json::to_vec(&dev.push_of(&seqs)).unwrap();
        let a = dev.post(&server, "/v1/sync/push", body).await;
        assert_eq!(
            a.status,
            StatusCode::BAD_REQUEST,
            "{seqs:?}: {:?}",
            a.json()
        );
        assert_eq!(a.code(), "bad_request");
        a.assert_digest();
    }
    // Nothing was ledgered: the device's first seq is still 1.
    let body = serde_json::to_vec(&dev.push_of(&[5])).unwrap();
    let a = dev.post(&server, "/v1/sync/push", body).await;
    assert_eq!(a.status, StatusCode::CONFLICT);
    assert_eq!(a.json()["expected_seq"], 1);
}

async fn enrolment_takes_only_a_uuid_v7_device_id(b: Backend) {
    let server = TestServer::on(&b);
    let v4 = "9f2c1f0e-4b7a-4c1d-8e2f-0a1b2c3d4e5f".to_owned();
    let v7 = uuid::Uuid::now_v7();
    for bad in [
        String::new(),
        "a\nb".into(),
        "x".repeat(200_000),
        "\u{202e}0190b5a8-7c3e-7d2a-9f1b-2c4d6e8f0a1b".into(),
        v4,
        v7.to_string().to_uppercase(),
        format!("{{{v7}}}"),
        v7.simple().to_string(),
    ] {
        let code = server.new_code(OFFICERS[0]);
        let a = enrol_raw(&server, &code, &bad, &new_key()).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{:?}", bad.get(..40));
        assert_eq!(a.code(), "bad_request");
        // The code is not used up by a refused request.
        let ok = enrol_raw(
            &server,
            &code,
            &uuid::Uuid::now_v7().to_string(),
            &new_key(),
        )
        .await;
        assert_eq!(ok.status, StatusCode::OK);
    }
}

async fn upload_declarations_are_bounded_in_size_and_media_type(b: Backend) {
    let server = TestServer::on(&b);
    let dev = raw_device(&server, OFFICERS[0]).await;
    let upload = |size: u64, media: &str| {
        serde_json::to_vec(&serde_json::json!({
            "sha256": "ab".repeat(32), "size": size, "media_type": media,
        }))
        .unwrap()
    };
    let a = dev
        .post(&server, "/v1/uploads", upload(1 << 40, "video/mp4"))
        .await;
    assert_eq!(a.status, StatusCode::PAYLOAD_TOO_LARGE, "1 TB declared");
    assert_eq!(a.code(), "payload_too_large");
    let over = Limits::default().max_upload_bytes + 1;
    let a = dev
        .post(&server, "/v1/uploads", upload(over, "video/mp4"))
        .await;
    assert_eq!(a.code(), "payload_too_large");
    for media in [
        "x".repeat(200_000),
        String::new(),
        "image".into(),
        "image/jp eg".into(),
        "/jpeg".into(),
        "image/".into(),
        "image/<b>".into(),
    ] {
        let a = dev.post(&server, "/v1/uploads", upload(10, &media)).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{:?}", media.get(..20));
        assert_eq!(a.code(), "bad_request");
    }
    // The device's own media types and the largest size pass the checks.
    for media in ["image/jpeg", "video/quicktime", "audio/mp4", "image/heic"] {
        let a = dev.post(&server, "/v1/uploads", upload(1234, media)).await;
        assert!(a.status.is_success(), "{media}: {:?}", a.json());
    }
    let a = dev
        .post(
            &server,
            "/v1/uploads",
            upload(Limits::default().max_upload_bytes, "video/mp4"),
        )
        .await;
    assert!(a.status.is_success(), "{:?}", a.json());
}

async fn pay_raw(server: &TestServer, body: serde_json::Value) -> Answer {
    let body = body.to_string().into_bytes();
    let mut mac = Hmac::<Sha256>::new_from_slice(FINANCE_SECRET.as_bytes()).unwrap();
    mac.update(&body);
    let sig = hex::encode(mac.finalize().into_bytes());
    call(
        server,
        "POST",
        "/v1/finance/payments",
        &[
            ("content-type", "application/json"),
            (wire::FINANCE_SIGNATURE, &sig),
        ],
        body,
    )
    .await
}

async fn payments_must_be_positive_timed_and_one_per_case(b: Backend) {
    let server = TestServer::on(&b);
    let mut dev = TestDevice::new();
    dev.enrol(&server.transport(), &server.code(OFFICERS[0]))
        .await
        .unwrap();
    dev.sync(&server.transport()).await.unwrap();
    let (_, number, _) = dev.full_case();
    dev.sync(&server.transport()).await.unwrap();
    let pay = |reference: &str, amount: serde_json::Value, paid_at: &str| {
        serde_json::json!({
            "reference": reference, "document_number": number,
            "amount_fen": amount, "paid_at": paid_at,
        })
    };
    let at = "2026-03-11T09:00:00+08:00";
    for (amount, paid_at) in [
        (serde_json::json!(-5000), at),
        (serde_json::json!(0), at),
        (serde_json::json!(i64::MIN), at),
        (serde_json::json!(1_i64 << 62), at),
        (serde_json::json!(15_000), "not a time <b>"),
        (serde_json::json!(15_000), ""),
    ] {
        let a = pay_raw(&server, pay("PAY-BAD", amount.clone(), paid_at)).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{amount} {paid_at}");
        assert_eq!(a.code(), "bad_request");
    }
    let a = pay_raw(&server, pay("PAY-1", serde_json::json!(15_000), at)).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.json()["new"], true);
    // The same payment under another reference: already recorded.
    let a = pay_raw(&server, pay("PAY-2", serde_json::json!(15_000), at)).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.json()["new"], false);
    // A different second payment of the case: refused with a code.
    let a = pay_raw(&server, pay("PAY-3", serde_json::json!(20_000), at)).await;
    assert_eq!(a.status, StatusCode::CONFLICT);
    assert_eq!(a.code(), "payment_conflict");
    // One payment row and one event, whatever came after.
    let db = server.db();
    assert_eq!(db.int("SELECT count(*) FROM payment", &[]), 1);
    assert_eq!(
        db.int(
            "SELECT count(*) FROM inbox WHERE kind = 'payment.confirmed'",
            &[]
        ),
        1
    );
}

async fn number_leases_have_a_quota_per_device(b: Backend) {
    let server = TestServer::on(&b);
    let dev = raw_device(&server, OFFICERS[0]).await;
    let quota = LeaseQuota::default();
    // One request over the outstanding quota.
    let a = dev.lease(&server, "big", quota.max_outstanding + 1).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", a.json());
    assert_eq!(a.code(), "lease_quota");
    // Up to the quota in steps, then refused; a retried request id still
    // answers its grant.
    let step = quota.max_outstanding / 4;
    for i in 0..4 {
        let a = dev.lease(&server, &format!("L{i}"), step).await;
        assert_eq!(a.status, StatusCode::OK, "{i}: {:?}", a.json());
    }
    let a = dev.lease(&server, "L4", 1).await;
    assert_eq!(a.code(), "lease_quota");
    assert_eq!(dev.lease(&server, "L0", step).await.status, StatusCode::OK);
    // Another device of the township still gets numbers.
    let other = raw_device(&server, OFFICERS[1]).await;
    assert_eq!(other.lease(&server, "O1", 200).await.status, StatusCode::OK);
    // The daily quota, with a storage-level quota and the server clock.
    let token = other.token.clone();
    let now = zhifa_tests::NowUtc::now_utc(&*server.clock);
    let tight = LeaseQuota {
        max_outstanding: 100_000,
        max_per_day: 500,
    };
    let req = |id: &str| LeaseRequest {
        request_id: id.into(),
        township: TOWNSHIP.into(),
        series: "payment_code".into(),
        year: 2026,
        count: 300,
    };
    let (first, second, later) = server.store(|s| {
        let who = s.authenticate(&token, now).unwrap();
        let first = s.grant_lease_within(&who, &req("D1"), tight, now);
        let second = s.grant_lease_within(&who, &req("D2"), tight, now + Duration::hours(23));
        let later = s.grant_lease_within(&who, &req("D3"), tight, now + Duration::hours(25));
        (first, second, later)
    });
    assert!(first.is_ok());
    let second = zhifa_server::error::ApiError::from(second.unwrap_err());
    assert_eq!(second.kind.code(), "lease_quota");
    assert!(later.is_ok());
}

async fn console_task_texts_are_bounded(b: Backend) {
    let server = TestServer::on(&b);
    let staff = server.staff(
        "zhzx-500112",
        zhifa_server::console::StaffRole::CommandCentre,
        "500112",
        None,
    );
    let task = |place: String, detail: String| {
        Some(serde_json::json!({
            "officer_id": OFFICERS[0], "kind": "complaint", "place": place,
            "detail": detail, "scenarios": [],
        }))
    };
    for (place, detail) in [
        ("街".repeat(201), "核查".to_owned()),
        ("示例路1号".to_owned(), "查".repeat(2_001)),
        ("示例路\u{0}1号".to_owned(), "核查".to_owned()),
    ] {
        let (status, body) = server
            .console(
                zhifa_sync::transport::Method::Post,
                "/v1/console/tasks",
                &staff,
                task(place, detail),
            )
            .await;
        assert_eq!(status, 400, "{body}");
        assert!(body["code"].is_string());
    }
    let (status, _) = server
        .console(
            zhifa_sync::transport::Method::Post,
            "/v1/console/tasks",
            &staff,
            task("示例路1号<b>".into(), "第一行\n第二行".into()),
        )
        .await;
    assert_eq!(status, 200);
}

async fn server_files_are_private_after_a_sync_with_evidence(b: Backend) {
    let server = TestServer::on(&b);
    let mut dev = TestDevice::new();
    dev.enrol(&server.transport(), &server.code(OFFICERS[0]))
        .await
        .unwrap();
    dev.sync(&server.transport()).await.unwrap();
    dev.full_case();
    dev.sync(&server.transport()).await.unwrap();
    assert!(server.cases().iter().all(|c| c.evidence_complete));
    let data = server.dir.path().to_owned();
    let mut seen = 0;
    let mut stack = vec![data.clone()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            let meta = std::fs::symlink_metadata(e.path()).unwrap();
            if meta.is_dir() {
                stack.push(e.path());
            }
            let mode = std::os::unix::fs::PermissionsExt::mode(&meta.permissions());
            assert_eq!(
                mode & 0o077,
                0,
                "{} is {:o}",
                e.path().display(),
                mode & 0o777
            );
            seen += 1;
        }
    }
    let mode =
        std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&data).unwrap().permissions());
    assert_eq!(mode & 0o077, 0, "the data folder is {:o}", mode & 0o777);
    // The blob, the keys and (on SQLite) the database were among them.
    assert!(seen >= 5, "{seen}");
}

#[tokio::test]
async fn a_burst_from_one_client_is_limited_while_another_is_served() {
    let server = TestServer::new();
    let router = server.router();
    let from = |ip: [u8; 4]| {
        let mut req = Request::builder()
            .uri("/v/not-a-token")
            .body(Body::empty())
            .unwrap();
        req.extensions_mut()
            .insert(ConnectInfo(SocketAddr::from((ip, 40000))));
        req
    };
    let burst = Limits::default().public_burst;
    let mut limited = 0;
    for _ in 0..burst + 5 {
        let a = send(router.clone(), from([10, 0, 0, 1])).await;
        if a.status == StatusCode::TOO_MANY_REQUESTS {
            assert_eq!(a.code(), "rate_limited");
            assert!(a.json()["retry_after_ms"].as_u64().is_some());
            a.assert_digest();
            limited += 1;
        }
    }
    assert!(limited >= 5, "{limited} of {} limited", burst + 5);
    // Another client is served (the page answers its own badge code).
    let a = send(router.clone(), from([10, 0, 0, 2])).await;
    assert_ne!(a.status, StatusCode::TOO_MANY_REQUESTS);
    // Enrolment is public too; authenticated device endpoints are not limited.
    let enrol = |ip: [u8; 4]| {
        let mut req = Request::builder()
            .method("POST")
            .uri("/v1/enrol")
            .header("sync-protocol", "1")
            .body(Body::from("{}"))
            .unwrap();
        req.extensions_mut()
            .insert(ConnectInfo(SocketAddr::from((ip, 40000))));
        req
    };
    assert_eq!(
        send(router.clone(), enrol([10, 0, 0, 1])).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    let mut req = Request::builder()
        .uri("/v1/sync/inbox")
        .body(Body::empty())
        .unwrap();
    req.extensions_mut()
        .insert(ConnectInfo(SocketAddr::from(([10, 0, 0, 1], 40000))));
    assert_eq!(send(router, req).await.status, StatusCode::BAD_REQUEST);
}

/// A real server on 127.0.0.1:0 with `limits`; its address.
fn real_server(server: &TestServer, limits: Limits) -> (SocketAddr, axum_server::Handle) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let router = server.router();
    let handle = axum_server::Handle::new();
    let h = handle.clone();
    tokio::spawn(async move {
        zhifa_server::serve::serve(router, listener, None, &limits, h)
            .await
            .unwrap();
    });
    (addr, handle)
}

/// Reads until the server closes the connection (EOF or reset), up to
/// `within`; how long that took, or `None` when it stayed open.
fn closed_within(stream: &mut std::net::TcpStream, within: StdDuration) -> Option<StdDuration> {
    let start = Instant::now();
    stream
        .set_read_timeout(Some(StdDuration::from_millis(200)))
        .unwrap();
    let mut buf = [0u8; 4096];
    while start.elapsed() < within {
        match stream.read(&mut buf) {
            Ok(0) => return Some(start.elapsed()),
            Ok(_) => {}
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(_) => return Some(start.elapsed()),
        }
    }
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn half_sent_and_silent_connections_are_dropped_after_the_header_timeout() {
    let server = TestServer::new();
    let limits = Limits {
        header_timeout: StdDuration::from_secs(1),
        ..Limits::default()
    };
    let (addr, handle) = real_server(&server, limits);
    let result = tokio::task::spawn_blocking(move || {
        // A request line and one header, never finished.
        let mut half = std::net::TcpStream::connect(addr).unwrap();
        half.write_all(b"GET /v1/cases HTTP/1.1\r\nHost: x\r\n")
            .unwrap();
        // Nothing at all.
        let mut silent = std::net::TcpStream::connect(addr).unwrap();
        // A whole request on a third connection is answered meanwhile,
        // and its keep-alive connection is closed once idle.
        let mut whole = std::net::TcpStream::connect(addr).unwrap();
        whole
            .write_all(b"GET /v1/nope HTTP/1.1\r\nHost: x\r\n\r\n")
            .unwrap();
        whole
            .set_read_timeout(Some(StdDuration::from_secs(5)))
            .unwrap();
        let mut head = [0u8; 12];
        whole.read_exact(&mut head).unwrap();
        assert_eq!(&head, b"HTTP/1.1 404");
        let margin = StdDuration::from_secs(4);
        (
            closed_within(&mut half, margin),
            closed_within(&mut silent, margin),
            closed_within(&mut whole, margin),
        )
    })
    .await
    .unwrap();
    handle.shutdown();
    let (half, silent, whole) = result;
    let half = half.expect("a half-sent request must be dropped");
    let silent = silent.expect("a silent connection must be dropped");
    assert!(
        whole.is_some(),
        "an idle keep-alive connection must be closed"
    );
    assert!(half < StdDuration::from_secs(4), "{half:?}");
    assert!(silent < StdDuration::from_secs(4), "{silent:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_per_client_are_bounded() {
    let server = TestServer::new();
    let limits = Limits {
        max_connections_per_ip: 2,
        header_timeout: StdDuration::from_secs(30),
        ..Limits::default()
    };
    let (addr, handle) = real_server(&server, limits);
    let (third, after) = tokio::task::spawn_blocking(move || {
        let a = std::net::TcpStream::connect(addr).unwrap();
        let b = std::net::TcpStream::connect(addr).unwrap();
        std::thread::sleep(StdDuration::from_millis(300));
        let mut c = std::net::TcpStream::connect(addr).unwrap();
        let third = closed_within(&mut c, StdDuration::from_secs(3));
        // Once one closes, a new connection is served.
        drop(a);
        std::thread::sleep(StdDuration::from_millis(300));
        let mut d = std::net::TcpStream::connect(addr).unwrap();
        d.write_all(b"GET /v1/nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .unwrap();
        d.set_read_timeout(Some(StdDuration::from_secs(5))).unwrap();
        let mut head = [0u8; 12];
        d.read_exact(&mut head).unwrap();
        drop(b);
        (third, head)
    })
    .await
    .unwrap();
    handle.shutdown();
    assert!(
        third.is_some(),
        "a third connection from one client is closed"
    );
    assert_eq!(&after, b"HTTP/1.1 404");
}
