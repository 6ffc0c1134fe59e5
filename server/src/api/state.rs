//! What every handler shares: the state ([`AppState`]), the bearer
//! extractors ([`Auth`] for devices, [`StaffAuth`] for console accounts),
//! the protocol-header, JSON and signature checks, and [`blocking`] (a
//! storage call on the blocking pool). The feature routes (`crate::badge`,
//! `crate::record::routes`) build on this file, never on the router.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::PathBuf;
use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::{HeaderMap, header, request::Parts};
use ed25519_dalek::{Signature, VerifyingKey};
use serde::Deserialize;
use zhifa_protocol::ErrorKind;
use zhifa_protocol::wire;

use crate::blobs::Blobs;
use crate::clock::Clock;
use crate::error::ApiError;
use crate::store::{Db, Principal};

/// Everything a handler needs.
pub struct AppState {
    /// The storage backend.
    pub store: Db,
    /// Evidence blobs (staging + the filesystem or S3 store).
    pub blobs: Blobs,
    /// Published catalogue snapshots (`<sha256>.json`).
    pub catalogue_dir: PathBuf,
    /// The clock.
    pub clock: Arc<dyn Clock>,
    /// The finance platform's HMAC key.
    pub finance_secret: Vec<u8>,
    /// The 亮码 badge authority (its own Ed25519 key).
    pub badge: crate::badge::Authority,
    /// Striped locks so two PATCHes of one upload never interleave.
    upload_locks: Vec<tokio::sync::Mutex<()>>,
    /// The limits of `serve` (upload size, lease quota, rates, timeouts).
    pub limits: crate::edges::Limits,
    /// The per-client rate of the public endpoints (from `limits`).
    pub public_rate: crate::edges::RateLimiter,
    /// The centre's public base URL (`serve --public-url`, no trailing
    /// `/`): the documents the server renders carry a 核验 QR linking to
    /// `{public_url}/d/{hash}`; `None` keeps the text payload.
    pub public_url: Option<String>,
    /// The government SSO (OpenID Connect) client, when configured
    /// (`serve --oidc-*`; `crate::session::sso`).
    sso: std::sync::RwLock<Option<Arc<crate::session::sso::Sso>>>,
}

impl AppState {
    /// Builds the state.
    pub fn new(
        store: Db,
        blobs: Blobs,
        catalogue_dir: PathBuf,
        clock: Arc<dyn Clock>,
        finance_secret: Vec<u8>,
        badge: crate::badge::Authority,
    ) -> Arc<Self> {
        Arc::new(Self {
            store,
            blobs,
            catalogue_dir,
            clock,
            finance_secret,
            badge,
            upload_locks: (0..64).map(|_| tokio::sync::Mutex::new(())).collect(),
            limits: crate::edges::Limits::default(),
            public_rate: crate::edges::RateLimiter::new(
                crate::edges::Limits::default().public_per_minute,
                crate::edges::Limits::default().public_burst,
            ),
            public_url: None,
            sso: std::sync::RwLock::new(None),
        })
    }

    /// Sets the limits (before the state is shared: `None` once it is).
    pub fn set_limits(this: &mut Arc<Self>, limits: crate::edges::Limits) -> Option<()> {
        let s = Arc::get_mut(this)?;
        s.public_rate =
            crate::edges::RateLimiter::new(limits.public_per_minute, limits.public_burst);
        s.limits = limits;
        Some(())
    }

    /// Sets the public base URL (before the state is shared: `None` once
    /// it is).
    pub fn set_public_url(this: &mut Arc<Self>, url: Option<String>) -> Option<()> {
        Arc::get_mut(this)?.public_url = url
            .map(|u| u.trim().trim_end_matches('/').to_owned())
            .filter(|u| !u.is_empty());
        Some(())
    }

    /// Turns the government SSO on (or off with `None`).
    pub fn set_sso(&self, sso: Option<Arc<crate::session::sso::Sso>>) {
        *self.sso.write().unwrap_or_else(|p| p.into_inner()) = sso;
    }

    /// The SSO client, if configured.
    pub fn sso(&self) -> Option<Arc<crate::session::sso::Sso>> {
        self.sso.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub(crate) fn lock_for(&self, id: &str) -> &tokio::sync::Mutex<()> {
        let mut h = DefaultHasher::new();
        id.hash(&mut h);
        // 64 stripes: the modulo is below the length, so the index exists.
        &self.upload_locks[(h.finish() % self.upload_locks.len() as u64) as usize]
    }
}

pub(crate) type St = Arc<AppState>;

/// Runs a blocking storage call on tokio's blocking pool (it lives in
/// `crate::error` so modules the state names, such as `session::sso`, can
/// use it without importing the state back).
pub(crate) use crate::error::blocking;

/// The authenticated caller (bearer token + protocol version).
pub struct Auth(pub Principal);

impl FromRequestParts<St> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &St) -> Result<Self, Self::Rejection> {
        check_protocol(&parts.headers)?;
        let token = bearer(parts)?;
        let store = state.store.clone();
        let now = state.clock.now();
        let p = blocking(move || store.authenticate(&token, now)).await?;
        Ok(Auth(p))
    }
}

pub(crate) fn check_protocol(headers: &HeaderMap) -> Result<(), ApiError> {
    match headers
        .get(wire::PROTOCOL_HEADER)
        .and_then(|v| v.to_str().ok())
    {
        Some(v) if v == wire::PROTOCOL_VERSION.to_string() => Ok(()),
        Some(v) => Err(ApiError::new(
            ErrorKind::ProtocolVersion,
            format!(
                "不支持的同步协议版本 {v}（本服务器支持 {}）",
                wire::PROTOCOL_VERSION
            ),
        )),
        None => Err(ApiError::new(
            ErrorKind::ProtocolVersion,
            format!("缺少 {} 请求头", wire::PROTOCOL_HEADER),
        )),
    }
}

pub(crate) fn parse_json<T: for<'de> Deserialize<'de>>(body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|e| ApiError::bad(format!("请求体无效：{e}")))
}

pub(crate) fn verify_sig(public_key_hex: &str, msg: &[u8], sig_hex: &str) -> Result<(), ApiError> {
    let bad = || ApiError::new(ErrorKind::SignatureInvalid, "设备签名无效");
    let key: [u8; 32] = hex::decode(public_key_hex)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(bad)?;
    let key = VerifyingKey::from_bytes(&key).map_err(|_| bad())?;
    let sig = hex::decode(sig_hex)
        .ok()
        .and_then(|b| Signature::from_slice(&b).ok())
        .ok_or_else(bad)?;
    key.verify_strict(msg, &sig).map_err(|_| bad())
}

pub(crate) fn is_sha256(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

/// The authenticated console caller (`/v1/console/*`; no device, no
/// protocol header): a staff account's bearer token (scripts), or a
/// signed-in session's cookie with its CSRF header on every request but
/// GET and HEAD. Its extractor is `crate::session::http`'s (that module
/// builds on this one, never the other way round).
pub struct StaffAuth(pub crate::console::Staff);

/// The bearer token of a request, if it has one.
pub(crate) fn bearer_opt(parts: &Parts) -> Option<String> {
    parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_owned)
}

/// The bearer token of a request (`unauthorized` when there is none).
fn bearer(parts: &Parts) -> Result<String, ApiError> {
    bearer_opt(parts).ok_or_else(|| ApiError::new(ErrorKind::Unauthorized, "缺少访问令牌"))
}
