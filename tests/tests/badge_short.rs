//! The short 亮码 (issue 19, item 10) end to end on both backends: the
//! app's QR is at most 57×57 modules and still reads when drawn at a third
//! of its size (the long token's QR does not); the server's page verifies
//! the short token against the device's registered key, names the officer
//! from its own records and lists the scenarios' items from the published
//! catalogue; it refuses a changed character, an unknown device, a revoked
//! one and an expired token, and takes one rating per visit.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should abort loudly

mod badge_support;

use axum::http::StatusCode;
use chrono::Duration;
use ed25519_dalek::{Signer, SigningKey};
use zhifa_core::document::qr::{QrMatrix, qr_png};
use zhifa_core::inspection;
use zhifa_sync::badge::{self, short};
use zhifa_sync::engine;
use zhifa_tests::{Backend, DeviceNow, NowUtc, OFFICERS, TestDevice, TestServer};

zhifa_tests::on_both_backends!(
    the_short_token_verifies_with_the_officer_and_items_looked_up,
    changed_unknown_revoked_and_expired_short_tokens_are_refused,
);

/// A production-length server URL (the QR budget depends on it).
const CITY_URL: &str = "https://zhifa.cqzhzf.gov.cn";

/// `GET` or `POST` (a form) on the public pages, no sign-in.
async fn public(server: &TestServer, method: &str, uri: &str, body: &str) -> badge_support::Answer {
    badge_support::call(server, method, uri, body.as_bytes().to_vec(), None).await
}

fn fits(server_url: &str) -> impl Fn(&str) -> bool + '_ {
    move |t| {
        QrMatrix::encode(&short::url(server_url, t)).is_ok_and(|m| m.width() <= short::MAX_MODULES)
    }
}

fn short_token(
    dev: &TestDevice,
    insp: &inspection::Inspection,
    server_url: &str,
) -> (String, short::ShortClaims) {
    let d = &dev.device;
    short::issue(
        &short::ShortRequest::from(insp),
        d.id(),
        dev.clock.now_utc(),
        badge::DEFAULT_TOKEN_HOURS,
        |m| d.sign(m),
        fits(server_url),
    )
    .unwrap()
}

async fn setup(server: &TestServer, officer: &str) -> (TestDevice, inspection::Inspection) {
    let t = server.transport();
    let mut dev = TestDevice::new();
    dev.enrol(&t, &server.code(officer)).await.unwrap();
    dev.sync(&t).await.unwrap(); // the catalogue, for the scenarios
    let insp = dev.start_inspection(
        "龙兴镇龙华大道八十八号龙兴古镇东门农贸市场",
        &["CJ-XXSC", "CJ-CYMD"],
        None,
    );
    dev.sync(&t).await.unwrap(); // a rating belongs to an inspection the server holds
    (dev, insp)
}

/// The app draws the 亮码 `min(86vw, 420px)` wide: 335 CSS px on a 390 px
/// phone, at least 2 device pixels each on any phone sold today.
const PHONE_DEVICE_PX: u32 = 670;

/// Decodes the QR as a phone screen shows it ([`PHONE_DEVICE_PX`] wide),
/// then shown at about a third of that size (scaled with a triangle
/// filter, as a screen or a camera blurs it). The decoder used here
/// (rqrr) misses some scales that others read, so nine scales from 30 %
/// to 36 % are tried, as a camera moving a little closer would: the code
/// reads when any of them does.
fn reads_at_a_third(url: &str) -> Option<String> {
    let modules = u32::try_from(QrMatrix::encode(url).unwrap().width()).unwrap() + 8;
    let png = qr_png(url, PHONE_DEVICE_PX.div_ceil(modules)).unwrap();
    let img = image::load_from_memory(&png).unwrap().to_luma8();
    let full = image::imageops::resize(
        &img,
        PHONE_DEVICE_PX,
        PHONE_DEVICE_PX,
        image::imageops::FilterType::Triangle,
    );
    (0..9u32).find_map(|i| {
        let side = PHONE_DEVICE_PX * (300 + 8 * i) / 1000;
        let small =
            image::imageops::resize(&full, side, side, image::imageops::FilterType::Triangle);
        let mut prepared = rqrr::PreparedImage::prepare(small);
        let grids = prepared.detect_grids();
        grids.first().and_then(|g| g.decode().ok()).map(|(_, s)| s)
    })
}

/// A realistic inspection's 亮码, made the same way on every run.
#[test]
fn the_qr_is_at_most_57_modules_and_reads_at_a_third_of_its_size() {
    let key = SigningKey::from_bytes(&[3; 32]);
    let now = chrono::DateTime::parse_from_rfc3339("2026-12-06T09:31:00+08:00")
        .unwrap()
        .with_timezone(&chrono::Utc);
    let req = short::ShortRequest {
        inspection_id: uuid::Uuid::from_u128(0x019a_f3c2_55e1_7b3d_9c41_2d6e_8a0b_4f17),
        place: "龙兴镇龙华大道八十八号龙兴古镇东门农贸市场".into(),
        scenarios: vec!["CJ-XXSC".into(), "CJ-CYMD".into()],
        items_total: 16,
    };
    let device = uuid::Uuid::from_u128(0x019a_f3c1_0f2e_7c55_8d10_6b3a_1e9f_0c22);
    for server_url in [CITY_URL, "http://127.0.0.1:8080"] {
        let (token, claims) = short::issue(
            &req,
            device,
            now,
            4,
            |m| key.sign(m).to_bytes(),
            fits(server_url),
        )
        .unwrap();
        let url = short::url(server_url, &token);
        let m = QrMatrix::encode(&url).unwrap();
        assert!(
            m.width() <= short::MAX_MODULES,
            "{} modules for {url}",
            m.width()
        );
        // Both scenarios fit; the place may be cut, never changed.
        assert_eq!(claims.scenarios, req.scenarios);
        assert!(req.place.starts_with(&claims.place));
        assert_eq!(claims.items_total, 16);
        assert_eq!(
            reads_at_a_third(&url).as_deref(),
            Some(url.as_str()),
            "{url}"
        );
    }
    // The long token's QR, drawn the same, does not read at a third: what
    // the test above guards against.
    let authority = SigningKey::from_bytes(&[4; 32]);
    let cert = badge::certify(
        &authority,
        &badge::Subject {
            officer_id: "OFF-LX-01".into(),
            officer_name: "李明".into(),
            credential_no: "渝执12345678".into(),
            township: "500112001".into(),
            township_name: "龙兴镇".into(),
            device_id: device.to_string(),
            device_key: hex::encode(key.verifying_key().as_bytes()),
        },
        now,
    );
    // The two scenarios' merged items, from the sample catalogue.
    let pkg: serde_json::Value = serde_json::from_str(include_str!(
        "../../schema/catalogue/sample/chongqing-sample.json"
    ))
    .unwrap();
    let mut codes: Vec<&str> = Vec::new();
    for sc in pkg["scenarios"].as_array().unwrap() {
        if req.scenarios.iter().any(|c| sc["code"] == c.as_str()) {
            for c in sc["items"].as_array().unwrap() {
                let c = c.as_str().unwrap();
                if !codes.contains(&c) {
                    codes.push(c);
                }
            }
        }
    }
    let items: Vec<badge::Item> = codes
        .iter()
        .map(|c| {
            let it = pkg["inspection_items"]
                .as_array()
                .unwrap()
                .iter()
                .find(|i| i["code"] == *c)
                .unwrap();
            badge::Item {
                code: (*c).to_owned(),
                name: it["subject"].as_str().unwrap().to_owned(),
            }
        })
        .collect();
    assert_eq!(items.len(), 16);
    let long_req = badge::Request {
        inspection_id: req.inspection_id.to_string(),
        task_id: None,
        place: req.place.clone(),
        items,
    };
    let (long, _) = badge::issue(&cert, &long_req, now, 4, |m| key.sign(m).to_bytes()).unwrap();
    let long_url = format!("{CITY_URL}/v/{long}");
    assert!(QrMatrix::encode(&long_url).unwrap().width() > 100);
    assert_eq!(reads_at_a_third(&long_url), None);
}

async fn the_short_token_verifies_with_the_officer_and_items_looked_up(b: Backend) {
    let server = TestServer::on(&b);
    let (dev, insp) = setup(&server, OFFICERS[0]).await;
    let (token, claims) = short_token(&dev, &insp, CITY_URL);
    let cert = engine::badge_certificate(&dev.store).unwrap().unwrap();

    let page = public(&server, "GET", &format!("/V/{token}"), "").await;
    assert_eq!(
        (page.status, page.result.as_str()),
        (StatusCode::OK, "verified"),
        "{}",
        page.body
    );
    assert!(page.body.contains(&cert.body.officer_name));
    assert!(page.body.contains(&cert.body.credential_no));
    assert!(page.body.contains("小型商超、餐饮门店"), "{}", page.body);
    // Every item of the merged checklist, by name, from the catalogue.
    for f in &insp.findings {
        assert!(
            page.body.contains(&f.item.subject),
            "item {} missing",
            f.item.code
        );
    }
    assert_eq!(page.body.matches("<li>").count(), insp.findings.len());
    assert!(page.body.contains(&claims.place));
    // The lower-case path answers the same.
    let lower = public(&server, "GET", &format!("/v/{token}"), "").await;
    assert_eq!(lower.result, "verified");

    // One rating per visit, recorded against the officer and the
    // inspection on record.
    let a = public(
        &server,
        "POST",
        &format!("/V/{token}/rating"),
        "rating=satisfied",
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let again = public(
        &server,
        "POST",
        &format!("/V/{token}/rating"),
        "rating=dissatisfied",
    )
    .await;
    assert_eq!(again.result, "rating_exists");
    let rows = server.store(|s| s.badge_ratings(None).unwrap());
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].officer_id, OFFICERS[0]);
    assert_eq!(rows[0].device_id, dev.id());
    assert_eq!(rows[0].inspection_id, insp.id.to_string());
    assert_eq!(rows[0].token_id, badge::token_id(&token));
    // Audited once: a token's views are counted, its result logged when
    // it changes.
    assert_eq!(
        server.store(|s| s.audit_count("badge.verify.verified").unwrap()),
        1
    );
}

async fn changed_unknown_revoked_and_expired_short_tokens_are_refused(b: Backend) {
    let server = TestServer::on(&b);
    let (dev, insp) = setup(&server, OFFICERS[0]).await;
    let (token, _) = short_token(&dev, &insp, CITY_URL);
    let cert = engine::badge_certificate(&dev.store).unwrap().unwrap();

    // Any one character changed, anywhere.
    for at in [
        0,
        3,
        20,
        40,
        token.len() / 2,
        token.len() - 2,
        token.len() - 1,
    ] {
        let mut bytes = token.clone().into_bytes();
        bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
        let bad = String::from_utf8(bytes).unwrap();
        let page = public(&server, "GET", &format!("/V/{bad}"), "").await;
        assert_eq!(
            page.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "changed at {at}"
        );
        assert!(page.result.starts_with("badge_"), "{}", page.result);
        assert!(
            !page.body.contains(&cert.body.credential_no),
            "no claims shown unverified"
        );
    }

    // Signed by a key the server never registered, under a made-up device.
    let stranger = SigningKey::from_bytes(&[9; 32]);
    let (forged, _) = short::issue(
        &short::ShortRequest::from(&insp),
        uuid::Uuid::now_v7(),
        dev.clock.now_utc(),
        4,
        |m| stranger.sign(m).to_bytes(),
        |_| true,
    )
    .unwrap();
    let page = public(&server, "GET", &format!("/V/{forged}"), "").await;
    assert_eq!(page.result, "badge_certificate_invalid");
    // The real device's id with the stranger's signature.
    let (forged, _) = short::issue(
        &short::ShortRequest::from(&insp),
        dev.device.id(),
        dev.clock.now_utc(),
        4,
        |m| stranger.sign(m).to_bytes(),
        |_| true,
    )
    .unwrap();
    let page = public(&server, "GET", &format!("/V/{forged}"), "").await;
    assert_eq!(page.result, "badge_signature_invalid");

    // Expired: refused on the page, still rateable within the week.
    server
        .clock
        .advance(Duration::hours(4) + Duration::minutes(1));
    let page = public(&server, "GET", &format!("/V/{token}"), "").await;
    assert_eq!(page.result, "badge_expired");
    let a = public(
        &server,
        "POST",
        &format!("/V/{token}/rating"),
        "rating=satisfied",
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    server.clock.advance(Duration::days(8));
    let page = public(
        &server,
        "POST",
        &format!("/V/{token}/rating"),
        "rating=satisfied",
    )
    .await;
    assert_eq!(page.result, "badge_expired");

    // Revoked: a fresh token of a revoked device is refused.
    let server = TestServer::on(&b);
    let (dev, insp) = setup(&server, OFFICERS[1]).await;
    let (token, _) = short_token(&dev, &insp, CITY_URL);
    assert_eq!(
        public(&server, "GET", &format!("/V/{token}"), "")
            .await
            .result,
        "verified"
    );
    let now = server.clock.now_utc();
    let id = dev.id();
    assert!(server.store(|s| s.revoke_device(&id, now).unwrap()));
    let page = public(&server, "GET", &format!("/V/{token}"), "").await;
    assert_eq!(page.result, "badge_revoked");
}
