//! Sign-in through the government's single sign-on (政务统一身份认证,
//! issue 17 item 4): an OpenID Connect seam, off unless `serve
//! --oidc-issuer …` configures it.
//!
//! - **Flow**: the authorization-code flow with PKCE (S256), `state` and
//!   `nonce` (OWASP ASVS v5.0.0 V10, RFC 9700): [`Sso::start`] keeps the
//!   state, nonce and verifier in `staff_sso_pending` (migration 0024) and
//!   sends the browser to the provider; [`Sso::finish`] takes that row
//!   once (ten minutes at most), redeems the code at the token endpoint
//!   with the verifier, and verifies the ID token.
//! - **The ID token** ([`verify_id_token`]): RS256 only, signed by a key of
//!   the provider's JWKS (found by `kid`; the JWKS is fetched again once
//!   when a `kid` is unknown, for key rotation), `iss` the configured
//!   issuer, `aud` containing the client id, `exp` after the server's
//!   clock (60 s leeway), `nonce` the one this sign-in sent.
//! - **Who**: the verified (issuer, subject) must be linked by the
//!   administrator to an existing, active staff account (`zhifa-server
//!   staff link-sso`); SSO never creates an account. Then the session is
//!   the same as after password + TOTP (cookie, CSRF, idle and absolute
//!   limits), and every SSO sign-in and refusal is audited
//!   (`session.sso_signin`, `session.sso_refused`).

use std::collections::HashMap;
use std::sync::Arc;

use base64::Engine as _;
use chrono::{DateTime, Duration, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::{NewSession, Policy};
use crate::store::sql::{Conn, p};
use crate::store::{Db, ts};

/// How long a started sign-in may take.
const PENDING_TTL: Duration = Duration::minutes(10);
/// Leeway on `exp` for clock skew, in seconds.
const LEEWAY_SECS: i64 = 60;

/// The OpenID Connect client's settings (`serve --oidc-*`).
#[derive(Clone)]
pub struct SsoConfig {
    /// The provider's issuer URL (discovery at
    /// `{issuer}/.well-known/openid-configuration`).
    pub issuer: String,
    /// This centre's client id at the provider.
    pub client_id: String,
    /// Its client secret (sent to the token endpoint only).
    pub client_secret: String,
    /// The redirect URI registered at the provider:
    /// `https://CENTRE/v1/console/sso/callback`.
    pub redirect_url: String,
}

impl std::fmt::Debug for SsoConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SsoConfig")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("redirect_url", &self.redirect_url)
            .finish()
    }
}

/// Why an SSO sign-in was refused; each has a stable code and a Chinese
/// message (the console shows it on the sign-in screen).
#[derive(Debug, Clone, thiserror::Error)]
pub enum SsoError {
    /// SSO is not configured on this server.
    #[error("本系统未启用政务统一身份认证登录")]
    Disabled,
    /// The callback's state is unknown, used or older than ten minutes.
    #[error("登录请求已失效，请重新发起统一身份认证登录")]
    StateInvalid,
    /// The provider sent the browser back with an error (the person
    /// cancelled, or the provider refused).
    #[error("统一身份认证平台未完成登录：{0}")]
    Denied(String),
    /// The provider could not be reached or answered nonsense.
    #[error("统一身份认证平台暂时无法访问：{0}")]
    Provider(String),
    /// The token endpoint refused the code (spent, forged, or the PKCE
    /// verifier does not match its challenge).
    #[error("统一身份认证平台拒绝了本次登录的授权码，请重新登录")]
    CodeRejected(String),
    /// The ID token names a key the provider's JWKS does not hold (after
    /// fetching it again), or its signature does not verify.
    #[error("统一身份认证平台返回的身份令牌签名无法验证")]
    BadSignature(String),
    /// The ID token's `iss` is not the configured issuer.
    #[error("身份令牌的签发方不是本系统配置的统一身份认证平台")]
    WrongIssuer,
    /// The ID token's `aud` does not name this centre's client id.
    #[error("身份令牌不是签发给本系统的")]
    WrongAudience,
    /// The ID token's `exp` has passed (60 s leeway).
    #[error("统一身份认证平台返回的身份令牌已过期，请重新登录")]
    Expired,
    /// The ID token is malformed or lacks a required claim, or uses an
    /// algorithm other than RS256.
    #[error("统一身份认证平台返回的身份令牌无效")]
    TokenInvalid(String),
    /// The ID token's nonce is not this sign-in's.
    #[error("统一身份认证平台返回的身份令牌与本次登录不符")]
    NonceMismatch,
    /// The subject is linked to no staff account.
    #[error("此统一身份认证账号尚未关联本系统的工作人员账号，请联系系统管理员")]
    Unlinked,
    /// The linked account was revoked.
    #[error("关联的工作人员账号已停用，请联系系统管理员")]
    AccountDisabled,
    /// Storage or randomness.
    #[error("{0}")]
    Api(crate::error::ApiError),
}

impl SsoError {
    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Disabled => "sso_disabled",
            Self::StateInvalid => "sso_state_invalid",
            Self::Denied(_) => "sso_denied",
            Self::Provider(_) => "sso_provider",
            Self::CodeRejected(_) => "sso_code_rejected",
            Self::BadSignature(_) => "sso_signature_invalid",
            Self::WrongIssuer => "sso_issuer_invalid",
            Self::WrongAudience => "sso_audience_invalid",
            Self::Expired => "sso_token_expired",
            Self::TokenInvalid(_) => "sso_token_invalid",
            Self::NonceMismatch => "sso_nonce_invalid",
            Self::Unlinked => "sso_unlinked",
            Self::AccountDisabled => "sso_account_disabled",
            Self::Api(e) => e.code.unwrap_or(e.kind.code()),
        }
    }

    /// Whether the refusal was already audited where it was decided (in
    /// the transaction that looked the subject up).
    fn audited(&self) -> bool {
        matches!(self, Self::Unlinked | Self::AccountDisabled)
    }
}

impl From<crate::error::ApiError> for SsoError {
    fn from(e: crate::error::ApiError) -> Self {
        Self::Api(e)
    }
}

/// The provider's discovery document (the fields used).
#[derive(Debug, Clone, Deserialize)]
struct Discovery {
    issuer: String,
    authorization_endpoint: String,
    token_endpoint: String,
    jwks_uri: String,
}

/// One RSA key of a JWKS.
#[derive(Debug, Clone, Deserialize)]
pub struct Jwk {
    /// Key id.
    #[serde(default)]
    pub kid: Option<String>,
    /// Key type (`RSA`).
    pub kty: String,
    /// Modulus (base64url).
    #[serde(default)]
    pub n: Option<String>,
    /// Exponent (base64url).
    #[serde(default)]
    pub e: Option<String>,
}

/// A JWKS.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Jwks {
    /// Its keys.
    pub keys: Vec<Jwk>,
}

/// The ID token claims checked.
#[derive(Debug, Clone, Deserialize)]
pub struct Claims {
    /// The subject.
    pub sub: String,
    /// The nonce.
    #[serde(default)]
    pub nonce: Option<String>,
    /// Expiry (Unix seconds).
    pub exp: i64,
}

/// Verifies an ID token: RS256 by a key of `jwks` (by `kid`), `iss` ==
/// `issuer`, `aud` ∋ `client_id`, `exp` after `now` (60 s leeway),
/// `nonce` == `nonce`.
pub fn verify_id_token(
    token: &str,
    jwks: &Jwks,
    issuer: &str,
    client_id: &str,
    nonce: &str,
    now: DateTime<Utc>,
) -> Result<Claims, SsoError> {
    let header =
        jsonwebtoken::decode_header(token).map_err(|e| SsoError::TokenInvalid(e.to_string()))?;
    if header.alg != Algorithm::RS256 {
        return Err(SsoError::TokenInvalid(format!("alg {:?}", header.alg)));
    }
    let key = jwks
        .keys
        .iter()
        .filter(|k| k.kty == "RSA")
        .find(|k| header.kid.is_none() || k.kid == header.kid)
        .ok_or_else(|| SsoError::BadSignature(UNKNOWN_KID.into()))?;
    let (Some(n), Some(e)) = (&key.n, &key.e) else {
        return Err(SsoError::BadSignature("key without n/e".into()));
    };
    let dk = DecodingKey::from_rsa_components(n, e)
        .map_err(|e| SsoError::BadSignature(e.to_string()))?;
    let mut v = Validation::new(Algorithm::RS256);
    v.set_issuer(&[issuer]);
    v.set_audience(&[client_id]);
    // Expiry is judged on the server's clock below, not the system's.
    v.validate_exp = false;
    v.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    let data = jsonwebtoken::decode::<Claims>(token, &dk, &v).map_err(|e| {
        use jsonwebtoken::errors::ErrorKind as K;
        match e.kind() {
            K::InvalidSignature | K::InvalidRsaKey(_) | K::Crypto(_) => {
                SsoError::BadSignature(e.to_string())
            }
            K::InvalidIssuer => SsoError::WrongIssuer,
            K::InvalidAudience => SsoError::WrongAudience,
            K::ExpiredSignature => SsoError::Expired,
            _ => SsoError::TokenInvalid(e.to_string()),
        }
    })?;
    if data.claims.exp + LEEWAY_SECS < now.timestamp() {
        return Err(SsoError::Expired);
    }
    if data.claims.nonce.as_deref() != Some(nonce) {
        return Err(SsoError::NonceMismatch);
    }
    Ok(data.claims)
}

/// The detail of [`SsoError::BadSignature`] when no key of the JWKS has
/// the token's `kid` (the keys are fetched again once: rotation).
const UNKNOWN_KID: &str = "no key of that kid";

fn b64url(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The PKCE S256 challenge of a verifier (RFC 7636 §4.2).
pub fn challenge_of(verifier: &str) -> String {
    b64url(&Sha256::digest(verifier.as_bytes()))
}

/// The SSO client: its settings, an HTTP client and the provider's
/// discovery document and keys once fetched.
pub struct Sso {
    cfg: SsoConfig,
    http: reqwest_rustls_s3::Client,
    cache: tokio::sync::Mutex<Option<(Discovery, Jwks)>>,
}

impl std::fmt::Debug for Sso {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sso")
            .field("cfg", &self.cfg)
            .finish_non_exhaustive()
    }
}

impl Sso {
    /// A client for `cfg`; every call to the provider times out after
    /// ten seconds.
    pub fn new(cfg: SsoConfig) -> Result<Arc<Self>, SsoError> {
        // reqwest is built without a bundled provider: ring, as for the
        // server's own TLS (a second install is a no-op error).
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest_rustls_s3::Client::builder()
            .timeout(std::time::Duration::from_secs(10))
            .redirect(reqwest_rustls_s3::redirect::Policy::none())
            .build()
            .map_err(|e| SsoError::Provider(e.to_string()))?;
        Ok(Arc::new(Self {
            cfg,
            http,
            cache: tokio::sync::Mutex::new(None),
        }))
    }

    /// The issuer.
    pub fn issuer(&self) -> &str {
        &self.cfg.issuer
    }

    async fn get_json<T: for<'de> Deserialize<'de>>(&self, url: &str) -> Result<T, SsoError> {
        let r = self
            .http
            .get(url)
            .send()
            .await
            .map_err(|e| SsoError::Provider(e.to_string()))?;
        if !r.status().is_success() {
            return Err(SsoError::Provider(format!("{url}: HTTP {}", r.status())));
        }
        let bytes = r
            .bytes()
            .await
            .map_err(|e| SsoError::Provider(e.to_string()))?;
        serde_json::from_slice(&bytes).map_err(|e| SsoError::Provider(e.to_string()))
    }

    /// The discovery document and keys, fetched on first use (`refresh`:
    /// again).
    async fn provider(&self, refresh: bool) -> Result<(Discovery, Jwks), SsoError> {
        let mut c = self.cache.lock().await;
        if let (Some(d), false) = (c.as_ref(), refresh) {
            return Ok(d.clone());
        }
        let url = format!(
            "{}/.well-known/openid-configuration",
            self.cfg.issuer.trim_end_matches('/')
        );
        let d: Discovery = self.get_json(&url).await?;
        if d.issuer != self.cfg.issuer {
            return Err(SsoError::Provider(format!(
                "discovery names issuer {} (configured {})",
                d.issuer, self.cfg.issuer
            )));
        }
        let jwks: Jwks = self.get_json(&d.jwks_uri).await?;
        *c = Some((d.clone(), jwks.clone()));
        Ok((d, jwks))
    }

    /// Starts a sign-in: the provider's authorization URL to send the
    /// browser to, and the state (which the browser also keeps in a
    /// cookie, binding the callback to it). `next` is the console path to
    /// return to.
    pub async fn start(
        &self,
        store: &Db,
        next: &str,
        now: DateTime<Utc>,
    ) -> Result<(String, String), SsoError> {
        let (d, _) = self.provider(false).await?;
        let state = crate::store::random_token()?;
        let nonce = crate::store::random_token()?;
        let verifier = format!(
            "{}{}",
            crate::store::random_token()?,
            crate::store::random_token()?
        );
        // Only a path of the console: no other site, no `//` or `\` a
        // browser could read as one.
        let next = if next.starts_with("/console/")
            && !next.contains("//")
            && !next.contains('\\')
            && next.len() <= 512
            && !next.chars().any(char::is_control)
        {
            next.to_owned()
        } else {
            "/console/".to_owned()
        };
        let (s, n, v) = (state.clone(), nonce.clone(), verifier.clone());
        let store2 = store.clone();
        crate::error::blocking(move || {
            store2.write(|tx| {
                tx.exec(
                    "DELETE FROM staff_sso_pending WHERE created_at < ?1",
                    p![ts(now - PENDING_TTL)],
                )?;
                tx.exec(
                    "INSERT INTO staff_sso_pending (state, nonce, verifier, next, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                    p![s, n, v, next, ts(now)],
                )?;
                Ok(())
            })
        })
        .await?;
        let url = reqwest_rustls_s3::Url::parse_with_params(
            &d.authorization_endpoint,
            &[
                ("response_type", "code"),
                ("client_id", self.cfg.client_id.as_str()),
                ("redirect_uri", self.cfg.redirect_url.as_str()),
                ("scope", "openid"),
                ("state", state.as_str()),
                ("nonce", nonce.as_str()),
                ("code_challenge", challenge_of(&verifier).as_str()),
                ("code_challenge_method", "S256"),
            ],
        )
        .map_err(|e| SsoError::Provider(e.to_string()))?;
        Ok((url.to_string(), state))
    }

    /// Finishes a sign-in from the provider's callback: the session, and
    /// the console path to return to. `browser_state` is the state the
    /// browser kept in its cookie at the start: a callback it did not
    /// start (login CSRF, RFC 9700 §4.7) is refused. Every refusal is
    /// audited (`session.sso_refused`, its code as the object).
    pub async fn finish(
        &self,
        store: &Db,
        (code, state, browser_state): (&str, &str, Option<&str>),
        policy: &Policy,
        now: DateTime<Utc>,
    ) -> Result<(NewSession, String), SsoError> {
        let bound = browser_state.is_some_and(|b| {
            crate::store::sha_hex(b).as_bytes() == crate::store::sha_hex(state).as_bytes()
        });
        if !bound {
            return Err(self.refuse(store, now, SsoError::StateInvalid).await);
        }
        match self.redeem(store, code, state, policy, now).await {
            Ok(done) => Ok(done),
            Err(e) if e.audited() => Err(e),
            Err(e) => Err(self.refuse(store, now, e).await),
        }
    }

    /// The provider sent the browser back with `error` instead of a code:
    /// the started sign-in is dropped and the refusal audited.
    pub async fn denied(
        &self,
        store: &Db,
        state: Option<&str>,
        error: &str,
        now: DateTime<Utc>,
    ) -> SsoError {
        if let Some(st) = state.map(str::to_owned) {
            let store2 = store.clone();
            let _ = crate::error::blocking(move || {
                store2.write(|tx| {
                    tx.exec("DELETE FROM staff_sso_pending WHERE state = ?1", p![st])?;
                    Ok(())
                })
            })
            .await;
        }
        let error: String = error.chars().take(64).collect();
        self.refuse(store, now, SsoError::Denied(error)).await
    }

    async fn redeem(
        &self,
        store: &Db,
        code: &str,
        state: &str,
        policy: &Policy,
        now: DateTime<Utc>,
    ) -> Result<(NewSession, String), SsoError> {
        let st = state.to_owned();
        let store2 = store.clone();
        let pending = crate::error::blocking(move || {
            store2.write(|tx| {
                let row = tx.query_opt(
                    "SELECT nonce, verifier, next, created_at FROM staff_sso_pending WHERE state = ?1",
                    p![st],
                )?;
                tx.exec("DELETE FROM staff_sso_pending WHERE state = ?1", p![st])?;
                row.map(|r| {
                    Ok::<_, crate::store::sql::DbError>((
                        r.get::<String>(0)?,
                        r.get::<String>(1)?,
                        r.get::<String>(2)?,
                        r.get::<String>(3)?,
                    ))
                })
                .transpose()
                .map_err(Into::into)
            })
        })
        .await?;
        let Some((nonce, verifier, next, created)) = pending else {
            return Err(SsoError::StateInvalid);
        };
        if created < ts(now - PENDING_TTL) {
            return Err(SsoError::StateInvalid);
        }
        let (d, jwks) = self.provider(false).await?;
        let form = form_urlencoded::Serializer::new(String::new())
            .extend_pairs([
                ("grant_type", "authorization_code"),
                ("code", code),
                ("redirect_uri", self.cfg.redirect_url.as_str()),
                ("client_id", self.cfg.client_id.as_str()),
                ("client_secret", self.cfg.client_secret.as_str()),
                ("code_verifier", verifier.as_str()),
            ])
            .finish();
        let resp = self
            .http
            .post(&d.token_endpoint)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form)
            .send()
            .await
            .map_err(|e| SsoError::Provider(e.to_string()))?;
        if resp.status().is_client_error() {
            // RFC 6749 §5.2: invalid_grant and its kin (a spent or forged
            // code, a verifier that does not match the challenge).
            return Err(SsoError::CodeRejected(format!("HTTP {}", resp.status())));
        }
        if !resp.status().is_success() {
            return Err(SsoError::Provider(format!(
                "token endpoint: HTTP {}",
                resp.status()
            )));
        }
        let raw = resp
            .bytes()
            .await
            .map_err(|e| SsoError::Provider(e.to_string()))?;
        let body: HashMap<String, serde_json::Value> =
            serde_json::from_slice(&raw).map_err(|e| SsoError::Provider(e.to_string()))?;
        let Some(id_token) = body.get("id_token").and_then(|v| v.as_str()) else {
            return Err(SsoError::Provider("no id_token".into()));
        };
        let iss = self.cfg.issuer.as_str();
        let cid = self.cfg.client_id.as_str();
        let mut checked = verify_id_token(id_token, &jwks, iss, cid, &nonce, now);
        if matches!(&checked, Err(SsoError::BadSignature(m)) if m == UNKNOWN_KID) {
            // The provider may have rotated its keys: fetch them once more.
            let (_, fresh) = self.provider(true).await?;
            checked = verify_id_token(id_token, &fresh, iss, cid, &nonce, now);
        }
        let claims = checked.inspect_err(|e| {
            tracing::warn!(error = ?e, code = e.code(), "SSO ID token refused");
        })?;
        let (issuer, policy, sub) = (self.cfg.issuer.clone(), *policy, claims.sub.clone());
        let store2 = store.clone();
        let made = crate::error::blocking(move || {
            Ok::<_, crate::error::ApiError>(sso_session(&store2, &issuer, &sub, &policy, now))
        })
        .await?;
        match made {
            Ok(s) => Ok((s, next)),
            Err(e) => Err(e),
        }
    }

    /// Audits a refusal (`session.sso_refused`, its code as the object)
    /// and hands it back.
    async fn refuse(&self, store: &Db, now: DateTime<Utc>, e: SsoError) -> SsoError {
        let (store, code) = (store.clone(), e.code());
        let _ = crate::error::blocking(move || {
            store.write(|tx| {
                crate::store::audit(tx, now, "anonymous", "session.sso_refused", code)?;
                Ok(())
            })
        })
        .await;
        e
    }
}

/// The staff account linked to (issuer, subject), as a new session; the
/// sign-in or the refusal audited.
fn sso_session(
    store: &Db,
    issuer: &str,
    subject: &str,
    policy: &Policy,
    now: DateTime<Utc>,
) -> Result<NewSession, SsoError> {
    let token = crate::store::random_token()?;
    let sha = crate::store::sha_hex(&token);
    let expires = now + policy.lifetime;
    store.write(|tx| {
        let staff_id: Option<String> = tx
            .query_opt(
                "SELECT staff_id FROM staff_sso WHERE issuer = ?1 AND subject = ?2",
                p![issuer, subject],
            )?
            .map(|r| r.get(0))
            .transpose()?;
        let staff = match staff_id {
            Some(id) => crate::console::by_id(tx, &id)?,
            None => None,
        };
        let Some(staff) = staff else {
            // The subject in the audit row: what the administrator links.
            let object = format!("sso_unlinked subject={subject}");
            crate::store::audit(tx, now, "anonymous", "session.sso_refused", &object)?;
            return Ok(Err(SsoError::Unlinked));
        };
        if staff.revoked_at.is_some() {
            crate::store::audit(tx, now, &staff.actor(), "session.sso_refused", "sso_account_disabled")?;
            return Ok(Err(SsoError::AccountDisabled));
        }
        tx.exec(
            "INSERT INTO staff_session (token_sha256, staff_id, created_at, last_seen_at, expires_at)
             VALUES (?1, ?2, ?3, ?3, ?4)",
            p![sha, staff.id, ts(now), ts(expires)],
        )?;
        crate::store::audit(tx, now, &staff.actor(), "session.sso_signin", &staff.id)?;
        Ok(Ok(NewSession {
            csrf: super::store::csrf_of(&token),
            token: token.clone(),
            expires_at: ts(expires),
            staff,
        }))
    })?
}

/// Links a provider's subject to an existing staff account (the
/// administrator's act; audited `staff.link_sso` by `actor`).
pub fn link(
    tx: &mut dyn Conn,
    issuer: &str,
    subject: &str,
    staff_id: &str,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<bool, crate::store::sql::DbError> {
    if crate::console::by_id(tx, staff_id)?.is_none() {
        return Ok(false);
    }
    tx.exec(
        "INSERT INTO staff_sso (issuer, subject, staff_id, linked_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (issuer, subject) DO UPDATE SET staff_id = excluded.staff_id,
             linked_at = excluded.linked_at",
        p![issuer, subject, staff_id, ts(now)],
    )?;
    crate::store::audit(tx, now, actor, "staff.link_sso", staff_id)?;
    Ok(true)
}

/// An issuer and subject fit to be linked: neither empty, neither over
/// 255 characters.
pub fn check_link(issuer: &str, subject: &str) -> Result<(), crate::error::ApiError> {
    let bad = |s: &str| s.trim().is_empty() || s.chars().count() > 255;
    if bad(issuer) || bad(subject) {
        return Err(crate::error::ApiError::bad(
            "统一身份认证的签发方（issuer）与账号标识（subject）不能为空，且不超过 255 个字符",
        ));
    }
    Ok(())
}

impl Db {
    /// Links an SSO subject to a staff account; false when the account
    /// does not exist.
    pub fn link_staff_sso(
        &self,
        issuer: &str,
        subject: &str,
        staff_id: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, crate::error::ApiError> {
        check_link(issuer, subject)?;
        self.write(|tx| Ok(link(tx, issuer, subject, staff_id, "operator", now)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pkce_challenge_is_rfc_7636s() {
        // RFC 7636 Appendix B.
        assert_eq!(
            challenge_of("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn secrets_stay_out_of_debug_output() {
        let c = SsoConfig {
            issuer: "https://idp".into(),
            client_id: "zhifa".into(),
            client_secret: "s3cr3t-value".into(),
            redirect_url: "https://c/v1/console/sso/callback".into(),
        };
        assert!(!format!("{c:?}").contains("s3cr3t-value"));
    }
}
