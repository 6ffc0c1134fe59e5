//! Sign-in through the government SSO (issue 17 item 4) against a local
//! stand-in OpenID provider written here (axum on a real socket: discovery,
//! JWKS, token endpoint; an RSA key made in the test): the
//! authorization-code flow with PKCE, state and nonce ends in the same
//! session as password + TOTP for a subject the administrator linked (from
//! the console's administration API); a rotated signing key is fetched
//! again; an unlinked subject, a forged token (another key), a wrong
//! issuer, a wrong audience, a wrong nonce, an expired token, a wrong PKCE
//! verifier, a callback the browser did not start (no state cookie), the
//! provider's own refusal, a replayed state and a revoked account are each
//! refused with their code; every attempt is audited; with no SSO
//! configured the console offers none. On SQLite and PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should abort loudly

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine as _;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use rsa::pkcs1::EncodeRsaPrivateKey;
use rsa::traits::PublicKeyParts;
use serde_json::{Value, json};
use zhifa_server::console::StaffRole;
use zhifa_server::session::sso::{Sso, SsoConfig, challenge_of};
use zhifa_sync::transport::{HttpRequest, Method, Transport};
use zhifa_tests::{Backend, NowUtc, TestServer, on_both_backends};

on_both_backends!(sso_signs_in_linked_staff_and_refuses_every_bad_token);

const CLIENT_ID: &str = "zhifa-console";

/// What the stand-in's token endpoint answers for a code: the claims of
/// the ID token, the key that signs it, and the PKCE challenge the code
/// was issued for.
#[derive(Clone)]
struct Grant {
    claims: Value,
    key: EncodingKey,
    kid: &'static str,
    challenge: String,
}

#[derive(Clone, Default)]
struct Provider {
    issuer: Arc<Mutex<String>>,
    jwks: Arc<Mutex<Value>>,
    grants: Arc<Mutex<HashMap<String, Grant>>>,
}

async fn discovery(State(p): State<Provider>) -> Json<Value> {
    let iss = p.issuer.lock().unwrap().clone();
    Json(json!({
        "issuer": iss,
        "authorization_endpoint": format!("{iss}/authorize"),
        "token_endpoint": format!("{iss}/token"),
        "jwks_uri": format!("{iss}/jwks"),
        "response_types_supported": ["code"],
        "id_token_signing_alg_values_supported": ["RS256"],
    }))
}

async fn jwks(State(p): State<Provider>) -> Json<Value> {
    Json(p.jwks.lock().unwrap().clone())
}

async fn token(
    State(p): State<Provider>,
    body: Bytes,
) -> Result<Json<Value>, (axum::http::StatusCode, Json<Value>)> {
    let f = pairs(std::str::from_utf8(&body).unwrap());
    let bad = |e: &str| {
        (
            axum::http::StatusCode::BAD_REQUEST,
            Json(json!({"error": e})),
        )
    };
    let grant = p
        .grants
        .lock()
        .unwrap()
        .remove(f.get("code").map(String::as_str).unwrap_or(""))
        .ok_or_else(|| bad("invalid_grant"))?;
    if f.get("grant_type").map(String::as_str) != Some("authorization_code")
        || f.get("client_id").map(String::as_str) != Some(CLIENT_ID)
        || f.get("client_secret").map(String::as_str) != Some("stand-in-client-secret")
    {
        return Err(bad("invalid_client"));
    }
    // PKCE (RFC 7636): the verifier must hash to the challenge.
    if challenge_of(f.get("code_verifier").map(String::as_str).unwrap_or("")) != grant.challenge {
        return Err(bad("invalid_grant"));
    }
    let mut h = Header::new(Algorithm::RS256);
    h.kid = Some(grant.kid.into());
    let id_token = jsonwebtoken::encode(&h, &grant.claims, &grant.key).unwrap();
    Ok(Json(
        json!({"access_token": "at", "token_type": "Bearer", "id_token": id_token}),
    ))
}

/// An `application/x-www-form-urlencoded` string's pairs (percent and
/// `+` decoded).
fn pairs(s: &str) -> HashMap<String, String> {
    fn dec(v: &str) -> String {
        let b = v.as_bytes();
        let mut out = Vec::with_capacity(b.len());
        let mut i = 0;
        while i < b.len() {
            match b[i] {
                b'+' => out.push(b' '),
                b'%' if i + 2 < b.len() => {
                    out.push(u8::from_str_radix(&v[i + 1..i + 3], 16).unwrap());
                    i += 2;
                }
                c => out.push(c),
            }
            i += 1;
        }
        String::from_utf8(out).unwrap()
    }
    s.split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (dec(k), dec(v)))
        .collect()
}

fn rsa_key(kid: &str) -> (EncodingKey, Value) {
    let mut rng = rsa::rand_core::OsRng;
    let k = rsa::RsaPrivateKey::new(&mut rng, 2048).unwrap();
    let der = k.to_pkcs1_der().unwrap();
    let b =
        |x: &rsa::BigUint| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(x.to_bytes_be());
    let jwk = json!({"kty": "RSA", "kid": kid, "alg": "RS256", "use": "sig", "n": b(k.n()), "e": b(k.e())});
    (EncodingKey::from_rsa_der(der.as_bytes()), jwk)
}

async fn http_get(
    server: &TestServer,
    path: &str,
    cookie: Option<&str>,
) -> (u16, Vec<(String, String)>, Vec<u8>) {
    let mut headers = vec![];
    if let Some(c) = cookie {
        headers.push(("cookie".to_owned(), c.to_owned()));
    }
    send(server, Method::Get, path, headers, vec![]).await
}

async fn send(
    server: &TestServer,
    method: Method,
    path: &str,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
) -> (u16, Vec<(String, String)>, Vec<u8>) {
    let r = server
        .transport()
        .send(HttpRequest {
            method,
            path: path.into(),
            headers,
            body,
        })
        .await
        .unwrap();
    (r.status, r.headers, r.body)
}

fn header<'a>(h: &'a [(String, String)], name: &str) -> Option<&'a str> {
    h.iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// The administrator links `subject` to `account` through the console's
/// administration API: the status and body.
async fn admin_link(
    server: &TestServer,
    token: &str,
    account: &str,
    subject: &str,
) -> (u16, Value) {
    let (s, _, body) = send(
        server,
        Method::Post,
        &format!("/v1/console/admin/staff/{account}/sso"),
        vec![
            ("authorization".into(), format!("Bearer {token}")),
            ("content-type".into(), "application/json".into()),
        ],
        json!({ "subject": subject }).to_string().into_bytes(),
    )
    .await;
    (s, serde_json::from_slice(&body).unwrap_or(Value::Null))
}

/// Starts a sign-in: (state, nonce, challenge) from the redirect; the
/// state cookie that binds it to this browser is checked.
async fn start(server: &TestServer, issuer: &str) -> (String, String, String) {
    let (s, h, _) = http_get(server, "/v1/console/sso/start?next=/console/events", None).await;
    assert_eq!(s, 303);
    let bind = header(&h, "set-cookie").unwrap();
    assert!(
        bind.contains("HttpOnly")
            && bind.contains("Secure")
            && bind.contains("SameSite=Lax")
            && bind.contains("Path=/v1/console/sso/callback"),
        "{bind}"
    );
    let loc = header(&h, "location").unwrap();
    assert!(loc.starts_with(&format!("{issuer}/authorize?")), "{loc}");
    let q = pairs(loc.split_once('?').unwrap().1);
    assert_eq!(q["response_type"], "code");
    assert_eq!(q["client_id"], CLIENT_ID);
    assert_eq!(q["code_challenge_method"], "S256");
    assert_eq!(q["scope"], "openid");
    assert!(
        bind.starts_with(&format!("zhifa_sso_state={};", q["state"])),
        "{bind}"
    );
    (
        q["state"].clone(),
        q["nonce"].clone(),
        q["code_challenge"].clone(),
    )
}

/// The provider's callback as the browser that started `state` makes it
/// (`bound`: with the state cookie): the status and headers.
async fn callback(
    server: &TestServer,
    query: &str,
    state: &str,
    bound: bool,
) -> (u16, Vec<(String, String)>) {
    let cookie = format!("zhifa_sso_state={state}");
    let (s, h, _) = http_get(
        server,
        &format!("/v1/console/sso/callback?{query}"),
        bound.then_some(cookie.as_str()),
    )
    .await;
    (s, h)
}

/// The stand-in provider on a real socket, with its first key (`k1`),
/// configured as the server's SSO: the provider and its issuer URL.
async fn stand_in(server: &TestServer, jwk: Value) -> (Provider, String) {
    let provider = Provider::default();
    *provider.jwks.lock().unwrap() = json!({ "keys": [jwk] });
    let app = Router::new()
        .route("/.well-known/openid-configuration", get(discovery))
        .route("/jwks", get(jwks))
        .route("/token", post(token))
        .with_state(provider.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let issuer = format!("http://{}", listener.local_addr().unwrap());
    *provider.issuer.lock().unwrap() = issuer.clone();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    server.service.state.set_sso(Some(
        Sso::new(SsoConfig {
            issuer: issuer.clone(),
            client_id: CLIENT_ID.into(),
            client_secret: "stand-in-client-secret".into(),
            redirect_url: "https://zhifa.test/v1/console/sso/callback".into(),
        })
        .unwrap(),
    ));
    (provider, issuer)
}

/// A dispatcher account `cc-sso`, linked by the district's administrator
/// to subject S-1; another district's administrator cannot link it, nor
/// move S-1 away from it.
async fn link_accounts(server: &TestServer, issuer: &str) {
    server.staff("cc-sso", StaffRole::CommandCentre, "500112", None);
    let admin = server.staff("ad-sso", StaffRole::Administrator, "500112", None);
    let admin_out = server.staff("ad-sso-out", StaffRole::Administrator, "500110", None);
    server.staff("cc-sso-out", StaffRole::CommandCentre, "500110", None);
    assert_eq!(admin_link(server, &admin_out, "cc-sso", "S-1").await.0, 404);
    let (s, linked) = admin_link(server, &admin, "cc-sso", "S-1").await;
    assert_eq!(
        (s, linked["issuer"].as_str(), linked["subject"].as_str()),
        (200, Some(issuer), Some("S-1"))
    );
    let (s, taken) = admin_link(server, &admin_out, "cc-sso-out", "S-1").await;
    assert_eq!(
        (s, taken["code"].as_str()),
        (400, Some("sso_subject_taken"))
    );
}

/// The server, the stand-in provider and its issuer.
struct Sandbox<'a> {
    server: &'a TestServer,
    provider: Provider,
    issuer: String,
}

impl Sandbox<'_> {
    /// ID token claims (`NONCE` is replaced by the sign-in's nonce).
    fn claims(&self, sub: &str, aud: &str, nonce: &str, exp: i64) -> Value {
        json!({"iss": self.issuer, "sub": sub, "aud": aud, "nonce": nonce, "exp": exp, "iat": exp - 300})
    }

    /// A fresh sign-in, the provider issuing `claims` signed by `key` (as
    /// `kid`) for the code (`tamper_challenge`: for another PKCE
    /// challenge); the state, the callback's redirect and the session
    /// cookie if one was set.
    async fn attempt(
        &self,
        claims: Value,
        key: EncodingKey,
        kid: &'static str,
        tamper_challenge: bool,
    ) -> (String, String, Option<String>) {
        let (state, nonce, challenge) = start(self.server, &self.issuer).await;
        let claims =
            serde_json::from_str::<Value>(&claims.to_string().replace("NONCE", &nonce)).unwrap();
        let code = format!("code-{}", uuid::Uuid::now_v7());
        let challenge = if tamper_challenge {
            challenge_of("another verifier")
        } else {
            challenge
        };
        self.provider.grants.lock().unwrap().insert(
            code.clone(),
            Grant {
                claims,
                key,
                kid,
                challenge,
            },
        );
        let (s, h) = callback(
            self.server,
            &format!("code={code}&state={state}"),
            &state,
            true,
        )
        .await;
        assert_eq!(s, 303);
        assert!(
            h.iter().any(|(k, v)| k.eq_ignore_ascii_case("set-cookie")
                && v.starts_with("zhifa_sso_state=;")
                && v.contains("Max-Age=0")),
            "the state cookie is cleared"
        );
        let session = h
            .iter()
            .find(|(k, v)| {
                k.eq_ignore_ascii_case("set-cookie") && v.starts_with("zhifa_console_session=")
            })
            .map(|(_, v)| v.clone());
        (state, header(&h, "location").unwrap().to_owned(), session)
    }

    /// The bad tokens and codes (the JWKS holding `k2` = `key`), each
    /// refused with its code and no session cookie.
    async fn bad_tokens(&self, key: &EncodingKey, forger: &EncodingKey, now: i64) {
        let exp = now + 300;
        for (what, c, k, tamper, code) in [
            (
                "unlinked subject",
                self.claims("S-2", CLIENT_ID, "NONCE", exp),
                key,
                false,
                "sso_unlinked",
            ),
            (
                "forged (another key)",
                self.claims("S-1", CLIENT_ID, "NONCE", exp),
                forger,
                false,
                "sso_signature_invalid",
            ),
            (
                "wrong audience",
                self.claims("S-1", "another-client", "NONCE", exp),
                key,
                false,
                "sso_audience_invalid",
            ),
            (
                "wrong nonce",
                self.claims("S-1", CLIENT_ID, "not-this-sign-in", exp),
                key,
                false,
                "sso_nonce_invalid",
            ),
            (
                "expired",
                self.claims("S-1", CLIENT_ID, "NONCE", now - 600),
                key,
                false,
                "sso_token_expired",
            ),
            (
                "wrong issuer",
                json!({"iss": "https://elsewhere", "sub": "S-1", "aud": CLIENT_ID, "nonce": "NONCE", "exp": exp}),
                key,
                false,
                "sso_issuer_invalid",
            ),
            (
                "wrong PKCE verifier",
                self.claims("S-1", CLIENT_ID, "NONCE", exp),
                key,
                true,
                "sso_code_rejected",
            ),
        ] {
            let (_, loc, cookie) = self.attempt(c, k.clone(), "k2", tamper).await;
            assert_eq!(loc, format!("/console/signin?sso_error={code}"), "{what}");
            assert!(cookie.is_none(), "{what} set a cookie");
        }
    }
}

async fn sso_signs_in_linked_staff_and_refuses_every_bad_token(b: Backend) {
    let server = TestServer::on(&b);
    // Without SSO configured the console offers none.
    let (_, _, body) = http_get(&server, "/v1/console/sso", None).await;
    assert_eq!(
        serde_json::from_slice::<Value>(&body).unwrap()["enabled"],
        false
    );
    let (s, _, _) = http_get(&server, "/v1/console/sso/start", None).await;
    assert_eq!(s, 404);

    let (key, jwk) = rsa_key("k1");
    let (forger, _) = rsa_key("k2");
    let (provider, issuer) = stand_in(&server, jwk).await;
    let (_, _, body) = http_get(&server, "/v1/console/sso", None).await;
    let info: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        (info["enabled"].as_bool(), info["label"].as_str()),
        (Some(true), Some("政务统一身份认证登录"))
    );
    link_accounts(&server, &issuer).await;
    let now = server.clock.now_utc();
    let exp = now.timestamp() + 300;
    let sb = Sandbox {
        server: &server,
        provider: provider.clone(),
        issuer: issuer.clone(),
    };

    // The linked subject: signed in, back to the page it asked for, with
    // the same session cookie as password + TOTP.
    let (state, loc, cookie) = sb
        .attempt(sb.claims("S-1", CLIENT_ID, "NONCE", exp), key, "k1", false)
        .await;
    assert_eq!(loc, "/console/events");
    let cookie = cookie.expect("a session cookie");
    assert!(
        cookie.contains("HttpOnly")
            && cookie.contains("Secure")
            && cookie.contains("SameSite=Strict")
    );
    let session = cookie.split(';').next().unwrap().to_owned();
    let (s, _, body) = http_get(&server, "/v1/console/session", Some(&session)).await;
    assert_eq!(s, 200);
    let who: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(who["id"], "cc-sso");
    assert!(who["csrf_token"].as_str().is_some_and(|t| !t.is_empty()));
    let (s, _, _) = http_get(&server, "/v1/console/events", Some(&session)).await;
    assert_eq!(s, 200, "the SSO session reaches the console API");

    // The same state again, from the same browser (a replayed callback).
    let (s, h) = callback(&server, &format!("code=x&state={state}"), &state, true).await;
    assert_eq!(
        (s, header(&h, "location")),
        (303, Some("/console/signin?sso_error=sso_state_invalid"))
    );

    // The provider rotates its signing key: the new key is fetched once
    // and the sign-in goes through.
    let (key2, jwk2) = rsa_key("k2");
    *provider.jwks.lock().unwrap() = json!({ "keys": [jwk2] });
    let (_, loc, cookie) = sb
        .attempt(
            sb.claims("S-1", CLIENT_ID, "NONCE", exp),
            key2.clone(),
            "k2",
            false,
        )
        .await;
    assert_eq!(loc, "/console/events");
    assert!(cookie.is_some(), "signed in after the key rotation");

    // A callback this browser did not start (login CSRF: another's code
    // and state, without the state cookie) is refused.
    let (state, _, _) = start(&server, &issuer).await;
    let (_, h) = callback(&server, &format!("code=x&state={state}"), &state, false).await;
    assert_eq!(
        header(&h, "location"),
        Some("/console/signin?sso_error=sso_state_invalid")
    );
    assert!(header(&h, "set-cookie").is_none_or(|c| !c.starts_with("zhifa_console_session=")));

    // The provider refuses (the person cancelled there).
    let (_, h) = callback(
        &server,
        &format!("error=access_denied&state={state}"),
        &state,
        true,
    )
    .await;
    assert_eq!(
        header(&h, "location"),
        Some("/console/signin?sso_error=sso_denied")
    );

    // Forged, misaddressed, stale and unlinked tokens; a wrong verifier.
    sb.bad_tokens(&key2, &forger, now.timestamp()).await;

    // A revoked account is refused even though it is linked.
    assert!(server.store(|s| s.revoke_staff("cc-sso", now).unwrap()));
    let (_, loc, _) = sb
        .attempt(sb.claims("S-1", CLIENT_ID, "NONCE", exp), key2, "k2", false)
        .await;
    assert_eq!(loc, "/console/signin?sso_error=sso_account_disabled");

    // Every SSO sign-in and refusal is in the audit log.
    let db = server.db();
    assert_eq!(db.int("SELECT count(*) FROM audit WHERE action = 'session.sso_signin' AND actor = 'staff:cc-sso'", &[]), 2);
    // Replay, no state cookie, the provider's refusal, the seven bad
    // tokens and codes, the revoked account: one row each, with its code.
    let refused = db.int(
        "SELECT count(*) FROM audit WHERE action = 'session.sso_refused'",
        &[],
    );
    assert_eq!(refused, 11, "one audit row per refusal");
    assert_eq!(
        db.int(
            "SELECT count(*) FROM audit WHERE action = 'session.sso_refused' AND object = 'sso_unlinked subject=S-2'",
            &[]
        ),
        1,
        "the unlinked subject is named for the administrator"
    );
    assert_eq!(
        db.int(
            "SELECT count(*) FROM audit WHERE action = 'staff.link_sso'",
            &[]
        ),
        1
    );
}
