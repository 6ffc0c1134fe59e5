//! The HTTP API (axum): one handler per endpoint of docs/PROTOCOL.md, each
//! annotated for the generated OpenAPI document ([`ApiDoc`]).
//!
//! Every device endpoint authenticates the bearer token, checks the
//! protocol version header and authorises by jurisdiction (the officer's
//! township, or a district supervisor's district). Storage calls run on
//! the blocking pool (SQLite serialises them on its one writer, PostgreSQL
//! runs them concurrently at SERIALIZABLE, see `store`). Logs carry
//! device ids, seqs and codes — never payloads, names or ID numbers.
//!
//! The handlers live by stream: [`device`] (enrolment, tokens, push, inbox,
//! leases, payments, case list), [`catalogue`], [`uploads`] (evidence) and
//! [`centre`] (the first console endpoints); the record reads are
//! `crate::record::routes`, the 亮码 pages `crate::badge`. This module holds
//! the shared state, the extractors and checks, the router and the
//! OpenAPI document.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::PathBuf;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequestParts, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header, request::Parts};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, head, post};
use axum::{Json, Router};
use base64::Engine as _;
use ed25519_dalek::{Signature, VerifyingKey};
use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use utoipa::OpenApi;
use zhifa_protocol::ErrorKind;
use zhifa_protocol::sign::{enrol_bytes, push_bytes, refresh_bytes};
use zhifa_protocol::wire::{
    self, CaseSummary, CatalogueRelease, EnrolRequest, ErrorBody, InboxPage, LeaseGrant,
    LeaseRequest, NumberAssigned, PaymentCallback, PushRequest, PushResponse, RefreshRequest,
    TokenResponse, UploadCreate, UploadState,
};

mod catalogue;
mod centre;
mod device;
mod refusals;
mod uploads;

pub use catalogue::{DeltaQuery, RANGE_SHA256};
pub use centre::StaffAuth;

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

    fn lock_for(&self, id: &str) -> &tokio::sync::Mutex<()> {
        let mut h = DefaultHasher::new();
        id.hash(&mut h);
        // 64 stripes: the modulo is below the length, so the index exists.
        &self.upload_locks[(h.finish() % self.upload_locks.len() as u64) as usize]
    }
}

pub(crate) type St = Arc<AppState>;

/// Runs a blocking storage call on tokio's blocking pool.
pub(crate) async fn blocking<T: Send + 'static, E: Into<ApiError> + Send + 'static>(
    f: impl FnOnce() -> Result<T, E> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|_| ApiError::new(ErrorKind::Internal, "服务器任务中断"))?
        .map_err(Into::into)
}

/// The authenticated caller (bearer token + protocol version).
pub struct Auth(pub Principal);

impl FromRequestParts<St> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &St) -> Result<Self, Self::Rejection> {
        check_protocol(&parts.headers)?;
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or_else(|| ApiError::new(ErrorKind::Unauthorized, "缺少访问令牌"))?
            .to_owned();
        let store = state.store.clone();
        let now = state.clock.now();
        let p = blocking(move || store.authenticate(&token, now)).await?;
        Ok(Auth(p))
    }
}

fn check_protocol(headers: &HeaderMap) -> Result<(), ApiError> {
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

fn parse_json<T: for<'de> Deserialize<'de>>(body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|e| ApiError::bad(format!("请求体无效：{e}")))
}

fn verify_sig(public_key_hex: &str, msg: &[u8], sig_hex: &str) -> Result<(), ApiError> {
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

fn is_sha256(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

/// The OpenAPI document of this API.
#[derive(OpenApi)]
#[openapi(
    info(title = "Zhifa Sync v1", description = "The central sync service of 掌上执法 (docs/PROTOCOL.md)."),
    paths(device::enrol, device::refresh, device::push, device::inbox, catalogue::catalogue_latest, catalogue::catalogue_snapshot, catalogue::catalogue_delta, device::leases, uploads::blob_head,
          uploads::upload_create, uploads::upload_get, uploads::upload_patch, device::finance_payment, device::cases,
          centre::console_task_assign, centre::console_tasks, centre::console_findings, centre::console_cases, centre::console_case_review,
          centre::console_case_reassign, crate::record::routes::case_list, crate::record::routes::case_detail,
          crate::record::routes::inspection_list, crate::record::routes::task_list, crate::badge::key, crate::badge::show, crate::badge::rate_http,
          crate::badge::ratings_http),
    components(schemas(ErrorBody, EnrolRequest, TokenResponse, RefreshRequest, PushRequest, PushResponse,
                       InboxPage, CatalogueRelease, LeaseRequest, LeaseGrant, UploadCreate, UploadState,
                       PaymentCallback, CaseSummary, NumberAssigned, crate::record::read::CasePage,
                       crate::record::read::CaseRow, crate::record::read::InspectionPage,
                       crate::record::read::InspectionRow, crate::record::read::TaskPage, crate::record::read::TaskRow, crate::inspection::NewTask,
                       crate::inspection::TaskRow, crate::inspection::DepartmentFinding,
                       crate::console::CaseReview, crate::console::CaseReassign,
                       zhifa_protocol::badge::BadgeKey, zhifa_protocol::badge::Certificate,
                       zhifa_protocol::badge::CertificateBody, crate::badge::RatingRow, crate::badge::Rating)),
    modifiers(&Bearer)
)]
pub struct ApiDoc;

struct Bearer;

impl utoipa::Modify for Bearer {
    fn modify(&self, api: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let c = api.components.get_or_insert_with(Default::default);
        c.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The OpenAPI document as pretty JSON with a trailing newline (docs/openapi.json).
pub fn openapi_json() -> String {
    let mut s = ApiDoc::openapi().to_pretty_json().unwrap_or_default();
    s.push('\n');
    s
}

/// The router.
pub fn router(state: St) -> Router {
    Router::new()
        .route("/v1/enrol", post(device::enrol))
        .route("/v1/token/refresh", post(device::refresh))
        .route(
            "/v1/sync/push",
            post(device::push).layer(DefaultBodyLimit::max(wire::MAX_PUSH_BYTES)),
        )
        .route("/v1/sync/inbox", get(device::inbox))
        .route("/v1/catalogue/latest", get(catalogue::catalogue_latest))
        .route(
            "/v1/catalogue/snapshots/{sha256}",
            get(catalogue::catalogue_snapshot),
        )
        .route("/v1/catalogue/delta", get(catalogue::catalogue_delta))
        .route("/v1/leases", post(device::leases))
        .route("/v1/blobs/{sha256}", head(uploads::blob_head))
        .route("/v1/uploads", post(uploads::upload_create))
        .route(
            "/v1/uploads/{id}",
            get(uploads::upload_get)
                .patch(uploads::upload_patch)
                .layer(DefaultBodyLimit::max(wire::MAX_CHUNK_BYTES + 1024)),
        )
        .route("/v1/finance/payments", post(device::finance_payment))
        .route("/v1/cases", get(device::cases))
        .route(
            "/v1/console/tasks",
            get(centre::console_tasks).post(centre::console_task_assign),
        )
        .route("/v1/console/findings", get(centre::console_findings))
        .route("/v1/console/cases", get(centre::console_cases))
        .route(
            "/v1/console/cases/{case_id}/review",
            post(centre::console_case_review),
        )
        .route(
            "/v1/console/cases/{case_id}/reassign",
            post(centre::console_case_reassign),
        )
        .merge(crate::badge::routes())
        .merge(crate::record::routes::routes())
        .fallback(crate::edges::unknown_route)
        .layer(DefaultBodyLimit::max(wire::MAX_PUSH_BYTES))
        // Framework answers (405, 413, query and path rejections) become
        // `{code, message}` before their digest is taken.
        .layer(axum::middleware::from_fn(crate::edges::json_rejections))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::edges::rate_limit,
        ))
        .layer(axum::middleware::from_fn(crate::edges::uri_length))
        .layer(axum::middleware::map_response(body_digest))
        .with_state(state)
}

/// Sets [`wire::BODY_SHA256_HEADER`] on every response: the device checks
/// it before reading an answer, so one damaged on the way is retried, never
/// applied. Every body here is already in memory (JSON, a 256 KiB snapshot
/// range, a delta), so buffering it costs a hash and no extra copy to disk.
async fn body_digest(resp: Response) -> Response {
    let (mut parts, body) = resp.into_parts();
    match axum::body::to_bytes(body, usize::MAX).await {
        Ok(bytes) => {
            let digest = hex::encode(Sha256::digest(&bytes));
            if let Ok(v) = HeaderValue::from_str(&digest) {
                parts.headers.insert(wire::BODY_SHA256_HEADER, v);
            }
            Response::from_parts(parts, axum::body::Body::from(bytes))
        }
        Err(e) => {
            tracing::error!(error = %e, "response body could not be read for its digest");
            ApiError::new(ErrorKind::Internal, "服务器应答生成失败").into_response()
        }
    }
}
