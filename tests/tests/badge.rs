//! 亮码 end to end on both backends: a device enrols and receives its
//! server-signed certificate, makes a token offline for an inspection,
//! and the server's public page verifies it (and any one-byte change
//! fails), shows the officer, credential and items, takes one rating, and
//! refuses revoked devices and expired tokens; supervisors read ratings.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should abort loudly

mod badge_support;

use axum::http::StatusCode;
use badge_support::call;
use chrono::Duration;
use rand::{Rng, SeedableRng};
use zhifa_core::inspection;
use zhifa_sync::badge::{self, BadgeKey};
use zhifa_sync::engine;
use zhifa_tests::{Backend, DeviceNow, NowUtc, OFFICERS, TestDevice, TestServer};

zhifa_tests::on_both_backends!(
    a_token_made_offline_verifies_on_the_public_page_and_one_changed_byte_fails,
    ratings_are_one_per_token_validated_audited_and_shown_to_supervisors,
    revoked_devices_and_expired_tokens_are_refused,
    garbage_never_panics_or_reaches_storage,
    refresh_renews_the_certificate,
);

/// An enrolled device with an inspection; returns it, the inspection and a fresh token.
async fn setup(server: &TestServer, officer: &str) -> (TestDevice, inspection::Inspection, String) {
    let t = server.transport();
    let mut dev = TestDevice::new();
    dev.enrol(&t, &server.code(officer)).await.unwrap();
    dev.sync(&t).await.unwrap(); // the catalogue, for the scenarios
    let insp = dev.start_inspection("龙兴镇示例路18号", &["CJ-XXSC", "CJ-CYMD"], None);
    // A rating belongs to an inspection the server holds.
    dev.sync(&t).await.unwrap();
    let token = token_for(&dev, &insp);
    (dev, insp, token)
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

fn change_one_byte(token: &str, at: usize) -> String {
    let mut b = token.as_bytes().to_vec();
    let i = at % b.len();
    // Stay inside the URL-safe alphabet so the path still routes.
    b[i] = if b[i] == b'A' { b'B' } else { b'A' };
    String::from_utf8(b).unwrap()
}

async fn a_token_made_offline_verifies_on_the_public_page_and_one_changed_byte_fails(b: Backend) {
    let server = TestServer::on(&b);
    let (dev, insp, token) = setup(&server, OFFICERS[0]).await;

    // The certificate says what the server knows of the officer.
    let cert = engine::badge_certificate(&dev.store).unwrap().unwrap();
    assert_eq!(cert.body.officer_id, OFFICERS[0]);
    assert_eq!(cert.body.device_id, dev.id());
    assert_eq!(cert.body.device_key, dev.device.identity().public_key_hex());
    let sample: serde_json::Value =
        serde_json::from_str(zhifa_core::device::SAMPLE_OFFICERS).unwrap();
    let me = sample["officers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["id"] == OFFICERS[0])
        .unwrap();
    assert_eq!(
        cert.body.credential_no,
        me["credential_no"].as_str().unwrap()
    );
    assert_eq!(cert.body.officer_name, me["name"].as_str().unwrap());

    // Independently, from the published key alone.
    let key = call(&server, "GET", "/v1/badge/key", vec![], None).await;
    assert_eq!(key.status, StatusCode::OK);
    let key: BadgeKey = serde_json::from_str(&key.body).unwrap();
    let claims = badge::verify(
        &token,
        &key.verifying_key().unwrap(),
        server.clock.now_utc(),
    )
    .unwrap();
    assert_eq!(
        claims.items.len(),
        insp.findings.len().min(badge::MAX_ITEMS)
    );

    // The public page.
    let page = call(&server, "GET", &format!("/v/{token}"), vec![], None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.result, "verified");
    assert!(page.body.contains("亮码验证通过"));
    assert!(page.body.contains(&cert.body.officer_name));
    assert!(page.body.contains(&cert.body.credential_no));
    assert!(page.body.contains(&cert.body.township_name));
    for i in &claims.items {
        assert!(page.body.contains(&i.name), "item {} missing", i.code);
    }
    assert!(page.body.contains(&format!("action=\"/v/{token}/rating\"")));
    assert!(
        !page.body.contains("<script"),
        "no scripts on the public page"
    );

    // Any one byte changed fails, with a stable code.
    for at in [
        0,
        7,
        token.len() / 2,
        token.find('.').unwrap() + 3,
        token.len() - 1,
    ] {
        let bad = change_one_byte(&token, at);
        let page = call(&server, "GET", &format!("/v/{bad}"), vec![], None).await;
        assert_eq!(
            page.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "changed at {at}"
        );
        assert!(page.result.starts_with("badge_"), "code {}", page.result);
        assert!(page.body.contains("亮码无效"));
        assert!(page.body.contains(&page.result));
        assert!(
            !page.body.contains(&cert.body.credential_no),
            "no claims shown unverified"
        );
    }
    // Verifications are audited.
    let n = server.store(|s| s.audit_count("badge.verify.verified").unwrap());
    assert_eq!(n, 1);
}

async fn ratings_are_one_per_token_validated_audited_and_shown_to_supervisors(b: Backend) {
    let server = TestServer::on(&b);
    let (dev, insp, token) = setup(&server, OFFICERS[0]).await;
    let uri = format!("/v/{token}/rating");

    for (body, code) in [
        ("", "rating_invalid"),
        ("rating=excellent", "rating_invalid"),
        ("rating=satisfied&rating=dissatisfied", "rating_invalid"),
    ] {
        let a = call(&server, "POST", &uri, body.into(), None).await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(a.result, code, "{body}");
    }
    let long = format!("rating=dissatisfied&comment={}", "很".repeat(201));
    let a = call(&server, "POST", &uri, long.into_bytes(), None).await;
    assert_eq!(a.result, "rating_comment_too_long");
    assert_eq!(server.store(|s| s.badge_ratings(None).unwrap()).len(), 0);

    let a = call(
        &server,
        "POST",
        &uri,
        "rating=basically_satisfied&comment=%E6%80%81%E5%BA%A6%E5%A5%BD".into(),
        None,
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert!(a.body.contains("基本满意"));
    // One rating per token: a second is refused, the first kept.
    let again = call(&server, "POST", &uri, "rating=dissatisfied".into(), None).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.result, "rating_exists");
    let rows = server.store(|s| s.badge_ratings(None).unwrap());
    assert_eq!(rows.len(), 1);
    let r = &rows[0];
    assert_eq!(r.officer_id, OFFICERS[0]);
    assert_eq!(r.inspection_id, insp.id.to_string());
    assert_eq!(r.device_id, dev.id());
    assert_eq!(r.comment, "态度好");
    assert_eq!(r.rating, zhifa_server::badge::Rating::BasicallySatisfied);
    assert_eq!(r.token_id, badge::token_id(&token));
    assert_eq!(server.store(|s| s.audit_count("badge.rate").unwrap()), 1);
    // The page now shows the rating instead of the form.
    let page = call(&server, "GET", &format!("/v/{token}"), vec![], None).await;
    assert!(page.body.contains("已评价"));
    assert!(!page.body.contains("<form"));
    // A changed token cannot be rated.
    let bad = change_one_byte(&token, 11);
    let a = call(
        &server,
        "POST",
        &format!("/v/{bad}/rating"),
        "rating=satisfied".into(),
        None,
    )
    .await;
    assert!(a.result.starts_with("badge_"));

    // Supervisors of the district read them; officers may not.
    let t = server.transport();
    let sup = TestDevice::new();
    sup.enrol(&t, &server.code(zhifa_server::DEMO_SUPERVISOR.0))
        .await
        .unwrap();
    let token_of = |d: &TestDevice| engine::enrolment(&d.store).unwrap().unwrap().access_token;
    let a = call(
        &server,
        "GET",
        "/v1/badge/ratings",
        vec![],
        Some(&token_of(&sup)),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK);
    let listed: Vec<zhifa_server::badge::RatingRow> = serde_json::from_str(&a.body).unwrap();
    assert_eq!(listed, rows);
    let a = call(
        &server,
        "GET",
        "/v1/badge/ratings",
        vec![],
        Some(&token_of(&dev)),
    )
    .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    let a = call(&server, "GET", "/v1/badge/ratings", vec![], None).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST); // no protocol header, no token
}

async fn revoked_devices_and_expired_tokens_are_refused(b: Backend) {
    let server = TestServer::on(&b);
    let (dev, insp, token) = setup(&server, OFFICERS[0]).await;
    // Expired: four hours later on the server clock.
    server
        .clock
        .advance(Duration::hours(4) + Duration::minutes(1));
    let page = call(&server, "GET", &format!("/v/{token}"), vec![], None).await;
    assert_eq!(page.result, "badge_expired");
    // Still rateable within the week's grace…
    let a = call(
        &server,
        "POST",
        &format!("/v/{token}/rating"),
        "rating=satisfied".into(),
        None,
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    // …not after it.
    dev.clock.advance(Duration::hours(5));
    let late = token_for(&dev, &insp);
    server.clock.advance(Duration::days(8));
    let a = call(
        &server,
        "POST",
        &format!("/v/{late}/rating"),
        "rating=satisfied".into(),
        None,
    )
    .await;
    assert!(
        a.result == "badge_expired" || a.result == "badge_certificate_expired",
        "{}",
        a.result
    );

    // Revoked: a fresh token of a revoked device is refused.
    let server = TestServer::on(&b);
    let (dev, _, token) = setup(&server, OFFICERS[1]).await;
    let ok = call(&server, "GET", &format!("/v/{token}"), vec![], None).await;
    assert_eq!(ok.result, "verified");
    let now = server.clock.now_utc();
    let id = dev.id();
    assert!(server.store(|s| s.revoke_device(&id, now).unwrap()));
    let page = call(&server, "GET", &format!("/v/{token}"), vec![], None).await;
    assert_eq!(page.result, "badge_revoked");
    assert!(page.body.contains("注销"));
    let a = call(
        &server,
        "POST",
        &format!("/v/{token}/rating"),
        "rating=satisfied".into(),
        None,
    )
    .await;
    assert_eq!(a.result, "badge_revoked");
}

async fn garbage_never_panics_or_reaches_storage(b: Backend) {
    let server = TestServer::on(&b);
    let (_, _, token) = setup(&server, OFFICERS[0]).await;
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    const SAFE: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.";
    for round in 0..40 {
        let len = match round % 4 {
            0 => rng.random_range(0..20),
            1 => rng.random_range(0..2000),
            2 => rng.random_range(6000..9000),
            _ => token.len(),
        };
        let t: String = (0..len.max(1))
            .map(|_| char::from(SAFE[rng.random_range(0..SAFE.len())]))
            .collect();
        let page = call(&server, "GET", &format!("/v/{t}"), vec![], None).await;
        assert!(page.status.is_client_error(), "{} for {len}", page.status);
        assert!(page.result.starts_with("badge_"));
        let body: Vec<u8> = (0..rng.random_range(0..5000))
            .map(|_| rng.random())
            .collect();
        let a = call(&server, "POST", &format!("/v/{token}/rating"), body, None).await;
        assert!(a.status.is_client_error(), "{}", a.status);
    }
    assert!(server.store(|s| s.badge_ratings(None).unwrap()).len() <= 1);
    // Garbage is not audited: anonymous requests cannot fill the log.
    assert_eq!(
        server.store(|s| s.audit_count("badge.verify.badge_malformed").unwrap()),
        0
    );
}

async fn refresh_renews_the_certificate(b: Backend) {
    let server = TestServer::on(&b);
    let (mut dev, _, _) = setup(&server, OFFICERS[0]).await;
    let first = engine::badge_certificate(&dev.store).unwrap().unwrap();
    // Past the access token's hour: the next sync refreshes it.
    server.clock.advance(Duration::hours(2));
    dev.clock.advance(Duration::hours(2));
    dev.sync(&server.transport()).await.unwrap();
    let second = engine::badge_certificate(&dev.store).unwrap().unwrap();
    assert_ne!(first.body.valid_from, second.body.valid_from);
    assert!(second.body.valid_until > first.body.valid_until);
    assert_eq!(first.body.credential_no, second.body.credential_no);
}
