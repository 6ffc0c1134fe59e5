//! The console's staff sign-in (issue 17 item 2), on SQLite and
//! PostgreSQL: password (Argon2id) + TOTP (RFC 6238) → a server-held
//! session in an `HttpOnly; Secure; SameSite=Strict` cookie and a CSRF
//! token every non-GET request echoes; wrong factors answered alike;
//! a TOTP code taken once; sign-out, idle timeout and absolute lifetime
//! end a session; five failures lock the account for fifteen minutes;
//! every step audited; the TOTP secret sealed at rest by the vault and
//! resealed by key rotation. The clock is the server's manual clock.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should abort loudly

use axum::body::Body;
use chrono::Duration;
use tower::ServiceExt;
use zhifa_server::console::{NewStaff, StaffRole};
use zhifa_server::session::totp;
use zhifa_tests::{Backend, NowUtc, TestServer, on_both_backends};

const PASSWORD: &str = "Longxing-2026-pass";

/// One answer: status, `Set-Cookie` values, JSON body.
struct Answer {
    status: u16,
    cookies: Vec<String>,
    body: serde_json::Value,
}

impl Answer {
    fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or("")
    }
}

/// A request to the router with optional cookie, CSRF header and body.
async fn send(
    server: &TestServer,
    method: &str,
    path: &str,
    cookie: Option<&str>,
    csrf: Option<&str>,
    body: Option<serde_json::Value>,
) -> Answer {
    let mut b = axum::http::Request::builder().method(method).uri(path);
    if let Some(c) = cookie {
        b = b.header("cookie", format!("zhifa_console_session={c}"));
    }
    if let Some(t) = csrf {
        b = b.header("x-csrf-token", t);
    }
    let body = match body {
        Some(v) => {
            b = b.header("content-type", "application/json");
            Body::from(v.to_string())
        }
        None => Body::empty(),
    };
    let resp = server
        .router()
        .oneshot(b.body(body).unwrap())
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let cookies = resp
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .unwrap();
    Answer {
        status,
        cookies,
        body: serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null),
    }
}

/// A sign-in account; its TOTP secret.
fn account(server: &TestServer, id: &str, role: StaffRole) -> String {
    let now = server.clock.now_utc();
    let s = NewStaff {
        id: id.into(),
        name: format!("{id} 测试"),
        role,
        scope: "500112108".into(),
        department: None,
    };
    server.store(|st| st.create_staff_account(&s, PASSWORD, now).unwrap())
}

fn code_now(server: &TestServer, secret: &str) -> String {
    let t = u64::try_from(server.clock.now_utc().timestamp()).unwrap();
    totp::code_at(secret, t).unwrap()
}

async fn sign_in(server: &TestServer, user: &str, password: &str, code: &str) -> Answer {
    let body = serde_json::json!({"username": user, "password": password, "totp": code});
    send(
        server,
        "POST",
        "/v1/console/session",
        None,
        None,
        Some(body),
    )
    .await
}

/// The session token of a sign-in answer's cookie.
fn token_of(a: &Answer) -> String {
    let c = a.cookies.first().expect("a Set-Cookie");
    let v = c.split(';').next().unwrap();
    v.strip_prefix("zhifa_console_session=").unwrap().to_owned()
}

fn audits(server: &TestServer, action: &str) -> i64 {
    server.store(|s| s.audit_count(action).unwrap())
}

async fn the_right_factors_sign_in_with_a_strict_cookie(b: Backend) {
    let server = TestServer::on(&b);
    let secret = account(&server, "rev-1", StaffRole::LegalReview);
    // The second factor's secret is sealed at rest by the vault (purpose
    // `staff.totp`), never stored as the base32 it is enrolled with.
    let stored = server
        .db()
        .text("SELECT totp_secret FROM staff WHERE id = ?1", &["rev-1"]);
    assert!(stored.starts_with("zv1:staff.totp/"), "{stored}");
    assert!(!stored.contains(&secret), "the TOTP secret in plaintext");
    let a = sign_in(&server, "rev-1", PASSWORD, &code_now(&server, &secret)).await;
    assert_eq!(a.status, 200, "{}", a.body);
    let cookie = &a.cookies[0];
    for attr in [
        "HttpOnly",
        "Secure",
        "SameSite=Strict",
        "Path=/",
        "Max-Age=43200",
    ] {
        assert!(cookie.split("; ").any(|p| p == attr), "{attr} in {cookie}");
    }
    assert_eq!(a.body["id"], "rev-1");
    assert_eq!(a.body["role"], "legal_review");
    assert_eq!(a.body["role_label"], "法制审核");
    assert_eq!(a.body["idle_timeout_secs"], 1800);
    let csrf = a.body["csrf_token"].as_str().unwrap().to_owned();
    let token = token_of(&a);
    // The token is stored only as its hash.
    let sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(token.as_bytes()));
    let db = server.db();
    let stored = db.int(
        "SELECT count(*) FROM staff_session WHERE token_sha256 = ?1",
        &[&sha],
    );
    let clear = db.int(
        "SELECT count(*) FROM staff_session WHERE token_sha256 = ?1",
        &[&token],
    );
    assert_eq!(clear, 0);
    assert_eq!(stored, 1);
    // Who is signed in, with the same CSRF token after a "reload".
    let me = send(
        &server,
        "GET",
        "/v1/console/session",
        Some(&token),
        None,
        None,
    )
    .await;
    assert_eq!(me.status, 200);
    assert_eq!(me.body["csrf_token"], csrf.as_str());
    // The record read API answers the cookie.
    let list = send(
        &server,
        "GET",
        "/v1/console/records/cases",
        Some(&token),
        None,
        None,
    )
    .await;
    assert_eq!(list.status, 200, "{}", list.body);
    assert!(list.body["rows"].is_array(), "{}", list.body);
    assert_eq!(audits(&server, "session.signin"), 1);
    // No cookie, no bearer: unauthorized.
    let anon = send(&server, "GET", "/v1/console/session", None, None, None).await;
    assert_eq!((anon.status, anon.code()), (401, "unauthorized"));
}

async fn wrong_password_wrong_code_and_unknown_user_read_alike(b: Backend) {
    let server = TestServer::on(&b);
    let secret = account(&server, "rev-1", StaffRole::LegalReview);
    let good = code_now(&server, &secret);
    let bad_code = if good == "000000" { "111111" } else { "000000" };
    let answers = [
        sign_in(&server, "rev-1", "Wrong-password-1", &good).await,
        sign_in(&server, "rev-1", PASSWORD, bad_code).await,
        sign_in(&server, "nobody", PASSWORD, &good).await,
    ];
    for a in &answers {
        assert_eq!((a.status, a.code()), (401, "signin_failed"), "{}", a.body);
        assert_eq!(a.body["message"], answers[0].body["message"]);
        assert!(a.cookies.is_empty());
    }
    assert_eq!(audits(&server, "session.signin_failed"), 3);
    // The unknown name is not logged (it may be a mistyped password).
    let logged = server.db().int(
        "SELECT count(*) FROM audit WHERE action = 'session.signin_failed' AND object = 'nobody'",
        &[],
    );
    assert_eq!(logged, 0);
    assert_eq!(audits(&server, "session.signin"), 0);
    // An account without a second factor never signs in.
    let now = server.clock.now_utc();
    let staff = NewStaff {
        id: "no-totp".into(),
        name: "无动态码".into(),
        role: StaffRole::Approver,
        scope: "500112".into(),
        department: None,
    };
    server.store(|s| {
        s.issue_staff(&staff, Duration::days(1), now).unwrap();
        s.set_staff_password("no-totp", PASSWORD, now).unwrap();
    });
    let a = sign_in(&server, "no-totp", PASSWORD, &good).await;
    assert_eq!(a.code(), "signin_failed");
}

async fn a_totp_code_is_taken_once(b: Backend) {
    let server = TestServer::on(&b);
    let secret = account(&server, "rev-1", StaffRole::LegalReview);
    let code = code_now(&server, &secret);
    assert_eq!(sign_in(&server, "rev-1", PASSWORD, &code).await.status, 200);
    let again = sign_in(&server, "rev-1", PASSWORD, &code).await;
    assert_eq!(again.code(), "signin_failed");
    server.clock.advance(Duration::seconds(30));
    let next = sign_in(&server, "rev-1", PASSWORD, &code_now(&server, &secret)).await;
    assert_eq!(next.status, 200, "{}", next.body);
}

async fn a_signed_out_session_is_refused(b: Backend) {
    let server = TestServer::on(&b);
    let secret = account(&server, "rev-1", StaffRole::LegalReview);
    let a = sign_in(&server, "rev-1", PASSWORD, &code_now(&server, &secret)).await;
    let (token, csrf) = (
        token_of(&a),
        a.body["csrf_token"].as_str().unwrap().to_owned(),
    );
    let out = send(
        &server,
        "DELETE",
        "/v1/console/session",
        Some(&token),
        Some(&csrf),
        None,
    )
    .await;
    assert_eq!(out.status, 200, "{}", out.body);
    assert_eq!(out.body["signed_out"], true);
    assert!(out.cookies[0].contains("Max-Age=0"), "{}", out.cookies[0]);
    for path in ["/v1/console/session", "/v1/console/records/cases"] {
        let r = send(&server, "GET", path, Some(&token), None, None).await;
        assert_eq!((r.status, r.code()), (401, "session_invalid"), "{path}");
    }
    let forged = send(
        &server,
        "GET",
        "/v1/console/session",
        Some("forged"),
        None,
        None,
    )
    .await;
    assert_eq!(forged.code(), "session_invalid");
    assert_eq!(audits(&server, "session.signout"), 1);
}

async fn sessions_end_after_idle_time_and_their_lifetime(b: Backend) {
    let server = TestServer::on(&b);
    let secret = account(&server, "rev-1", StaffRole::LegalReview);
    let a = sign_in(&server, "rev-1", PASSWORD, &code_now(&server, &secret)).await;
    let token = token_of(&a);
    let get = |t: String| {
        let s = &server;
        async move { send(s, "GET", "/v1/console/session", Some(&t), None, None).await }
    };
    // Each request moves the idle limit on.
    server.clock.advance(Duration::minutes(29));
    assert_eq!(get(token.clone()).await.status, 200);
    server.clock.advance(Duration::minutes(29));
    assert_eq!(get(token.clone()).await.status, 200);
    server.clock.advance(Duration::minutes(31));
    let r = get(token.clone()).await;
    assert_eq!((r.status, r.code()), (401, "session_expired"));
    assert_eq!(get(token).await.code(), "session_invalid");
    assert_eq!(audits(&server, "session.expired"), 1);

    // A session in use still ends 12 hours after sign-in.
    server.clock.advance(Duration::seconds(30));
    let a = sign_in(&server, "rev-1", PASSWORD, &code_now(&server, &secret)).await;
    let token = token_of(&a);
    for _ in 0..35 {
        server.clock.advance(Duration::minutes(20));
        assert_eq!(get(token.clone()).await.status, 200);
    }
    server.clock.advance(Duration::minutes(20));
    assert_eq!(get(token).await.code(), "session_expired");
}

async fn five_failures_lock_the_account_for_fifteen_minutes(b: Backend) {
    let server = TestServer::on(&b);
    let secret = account(&server, "rev-1", StaffRole::LegalReview);
    for i in 1..=5 {
        let a = sign_in(&server, "rev-1", "Wrong-password-1", "123456").await;
        let want = if i < 5 {
            "signin_failed"
        } else {
            "account_locked"
        };
        assert_eq!(a.code(), want, "attempt {i}");
    }
    let locked = sign_in(&server, "rev-1", PASSWORD, &code_now(&server, &secret)).await;
    assert_eq!((locked.status, locked.code()), (403, "account_locked"));
    assert!(
        locked.body["message"].as_str().unwrap().contains("已锁定"),
        "{}",
        locked.body
    );
    assert_eq!(audits(&server, "session.locked"), 1);
    server.clock.advance(Duration::minutes(14));
    let still = sign_in(&server, "rev-1", PASSWORD, &code_now(&server, &secret)).await;
    assert_eq!(still.code(), "account_locked");
    server.clock.advance(Duration::minutes(1));
    let open = sign_in(&server, "rev-1", PASSWORD, &code_now(&server, &secret)).await;
    assert_eq!(open.status, 200, "{}", open.body);
    // The count starts again after a success.
    for _ in 0..4 {
        let a = sign_in(&server, "rev-1", "Wrong-password-1", "123456").await;
        assert_eq!(a.code(), "signin_failed");
    }
}

async fn writes_need_the_sessions_csrf_token(b: Backend) {
    let server = TestServer::on(&b);
    let secret = account(&server, "cc-1", StaffRole::CommandCentre);
    let a = sign_in(&server, "cc-1", PASSWORD, &code_now(&server, &secret)).await;
    let (token, csrf) = (
        token_of(&a),
        a.body["csrf_token"].as_str().unwrap().to_owned(),
    );
    let task = serde_json::json!({"officer_id": "OFF-LX-01", "kind": "complaint",
        "place": "示例路18号", "detail": "会话测试"});
    let post = |csrf: Option<String>| {
        let (s, t, body) = (&server, token.clone(), task.clone());
        async move {
            send(
                s,
                "POST",
                "/v1/console/tasks",
                Some(&t),
                csrf.as_deref(),
                Some(body),
            )
            .await
        }
    };
    let none = post(None).await;
    assert_eq!((none.status, none.code()), (403, "csrf_missing"));
    let other = post(Some("00".repeat(32))).await;
    assert_eq!((other.status, other.code()), (403, "csrf_invalid"));
    let sign_out_without = send(
        &server,
        "DELETE",
        "/v1/console/session",
        Some(&token),
        None,
        None,
    )
    .await;
    assert_eq!(sign_out_without.code(), "csrf_missing");
    let ok = post(Some(csrf)).await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert!(ok.body["task_id"].is_string());
}

async fn revoking_an_account_ends_its_sessions(b: Backend) {
    let server = TestServer::on(&b);
    let secret = account(&server, "rev-1", StaffRole::LegalReview);
    let a = sign_in(&server, "rev-1", PASSWORD, &code_now(&server, &secret)).await;
    let token = token_of(&a);
    let now = server.clock.now_utc();
    assert!(server.store(|s| s.revoke_staff("rev-1", now).unwrap()));
    let r = send(
        &server,
        "GET",
        "/v1/console/session",
        Some(&token),
        None,
        None,
    )
    .await;
    assert_eq!((r.status, r.code()), (401, "session_invalid"));
    server.clock.advance(Duration::seconds(30));
    let again = sign_in(&server, "rev-1", PASSWORD, &code_now(&server, &secret)).await;
    assert_eq!(again.code(), "signin_failed");
}

async fn a_resealed_totp_secret_still_signs_in(b: Backend) {
    let server = TestServer::on(&b);
    let secret = account(&server, "rev-2", StaffRole::LegalReview);
    let before = server
        .db()
        .text("SELECT totp_secret FROM staff WHERE id = ?1", &["rev-2"]);
    let rotated = zhifa_tests::off_runtime(|| server.service.keys_rotate_data(true).unwrap());
    let fresh = rotated
        .new_data_keys
        .iter()
        .find(|k| k.starts_with("staff.totp/"))
        .expect("a new staff.totp key");
    let after = server
        .db()
        .text("SELECT totp_secret FROM staff WHERE id = ?1", &["rev-2"]);
    assert_ne!(after, before);
    assert!(after.starts_with(&format!("zv1:{fresh}:")), "{after}");
    let a = sign_in(&server, "rev-2", PASSWORD, &code_now(&server, &secret)).await;
    assert_eq!(a.status, 200, "{}", a.body);
}

on_both_backends!(
    a_resealed_totp_secret_still_signs_in,
    the_right_factors_sign_in_with_a_strict_cookie,
    wrong_password_wrong_code_and_unknown_user_read_alike,
    a_totp_code_is_taken_once,
    a_signed_out_session_is_refused,
    sessions_end_after_idle_time_and_their_lifetime,
    five_failures_lock_the_account_for_fifteen_minutes,
    writes_need_the_sessions_csrf_token,
    revoking_an_account_ends_its_sessions,
);

/// `serve --demo`'s accounts: one per role, each signing in with the
/// password and TOTP secret written to demo-enrolment.json, each reading
/// what its role may.
#[tokio::test]
async fn the_demo_accounts_sign_in_one_per_role() {
    let server = TestServer::new();
    let staff = zhifa_tests::off_runtime(|| server.service.demo_staff().unwrap());
    let file: serde_json::Value = serde_json::from_slice(
        &std::fs::read(server.dir.path().join("demo-enrolment.json")).unwrap(),
    )
    .unwrap();
    assert!(
        file["officers"].as_array().unwrap().len() > 1,
        "officers kept"
    );
    let listed = file["staff"].as_array().unwrap();
    let roles: Vec<&str> = listed.iter().map(|s| s["role"].as_str().unwrap()).collect();
    assert_eq!(
        roles,
        [
            "command_centre",
            "department",
            "legal_review",
            "approver",
            "supervisor",
            "administrator",
            "legal_review"
        ]
    );
    for (s, written) in staff.iter().zip(listed) {
        assert_eq!(written["password"], s.password.as_str());
        assert_eq!(written["totp_secret"], s.totp_secret.as_str());
        let a = sign_in(
            &server,
            &s.username,
            &s.password,
            &code_now(&server, &s.totp_secret),
        )
        .await;
        assert_eq!(a.status, 200, "{}: {}", s.username, a.body);
        assert_eq!(a.body["role"], s.role.as_str());
        let cases = send(
            &server,
            "GET",
            "/v1/console/records/cases",
            Some(&token_of(&a)),
            None,
            None,
        )
        .await;
        let want = if s.role == "department" { 403 } else { 200 };
        assert_eq!(cases.status, want, "{} reads cases", s.username);
    }
}
