//! The HTTP API (axum): one handler per endpoint of docs/PROTOCOL.md, each
//! annotated for the generated OpenAPI document ([`ApiDoc`]).
//!
//! Every device endpoint authenticates the bearer token, checks the
//! protocol version header and authorises by jurisdiction (the officer's
//! township, or a district supervisor's district). Storage calls run on
//! the blocking pool (SQLite serialises them on its one writer, PostgreSQL
//! runs them concurrently at SERIALIZABLE, see `store`). Logs carry
//! device ids, seqs and codes — never payloads, names or ID numbers.

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

use crate::blobs::{Blobs, Check, Finish};
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

/// `POST /v1/enrol`
#[utoipa::path(post, path = "/v1/enrol", request_body = EnrolRequest,
    responses((status = 200, body = TokenResponse), (status = 403, body = ErrorBody), (status = 401, body = ErrorBody)))]
async fn enrol(
    State(s): State<St>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<TokenResponse>, ApiError> {
    check_protocol(&headers)?;
    let req: EnrolRequest = parse_json(&body)?;
    crate::edges::check_device_id(&req.device_id)?;
    verify_sig(
        &req.public_key,
        &enrol_bytes(&req.code, &req.device_id, &req.public_key),
        &req.signature,
    )?;
    let store = s.store.clone();
    let now = s.clock.now();
    let id = req.device_id.clone();
    let mut out = blocking(move || store.enrol(&req, now)).await?;
    tracing::info!(officer = %out.officer.id, "device enrolled");
    with_certificate(&s, &mut out, id, now).await?;
    Ok(Json(out))
}

/// `POST /v1/token/refresh`
#[utoipa::path(post, path = "/v1/token/refresh", request_body = RefreshRequest,
    responses((status = 200, body = TokenResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn refresh(
    State(s): State<St>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<TokenResponse>, ApiError> {
    check_protocol(&headers)?;
    let req: RefreshRequest = parse_json(&body)?;
    let store = s.store.clone();
    let id = req.device_id.clone();
    let key = blocking(move || store.device_key(&id))
        .await?
        .ok_or_else(|| ApiError::new(ErrorKind::RefreshInvalid, "未知设备"))?;
    verify_sig(
        &key,
        &refresh_bytes(&req.device_id, &req.refresh_token),
        &req.signature,
    )?;
    let store = s.store.clone();
    let now = s.clock.now();
    let id = req.device_id.clone();
    let mut out = blocking(move || store.refresh(&req, now)).await?;
    with_certificate(&s, &mut out, id, now).await?;
    Ok(Json(out))
}

/// Adds the device's 亮码 certificate to a token answer, when its officer
/// has a credential on record.
async fn with_certificate(
    s: &St,
    out: &mut TokenResponse,
    device_id: String,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), ApiError> {
    let store = s.store.clone();
    let dev = blocking(move || store.badge_subject(&device_id)).await?;
    out.badge_certificate = dev
        .and_then(|d| d.subject)
        .map(|subject| s.badge.certify(&subject, now));
    Ok(())
}

/// `POST /v1/sync/push`
#[utoipa::path(post, path = "/v1/sync/push", request_body = PushRequest,
    responses((status = 200, body = PushResponse), (status = 409, description = "seq_gap with expected_seq", body = ErrorBody),
              (status = 413, description = "batch too large: halve it"), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
async fn push(
    State(s): State<St>,
    Auth(who): Auth,
    body: Bytes,
) -> Result<Json<PushResponse>, ApiError> {
    let req: PushRequest = parse_json(&body)?;
    if req.device_id != who.device_id {
        return Err(ApiError::new(
            ErrorKind::Forbidden,
            "批次的设备与令牌的设备不符",
        ));
    }
    verify_sig(&who.public_key, &push_bytes(&req), &req.signature)?;
    crate::edges::check_push_seqs(&req)?;
    let store = s.store.clone();
    let now = s.clock.now();
    let device = who.device_id.clone();
    let n = req.mutations.len();
    let out = blocking(move || store.push(&who, &req, now)).await;
    match &out {
        Ok(r) => {
            let rejected = r
                .results
                .iter()
                .filter(|x| x.status == wire::MutationStatus::Rejected)
                .count();
            tracing::info!(%device, mutations = n, acked_through = r.acked_through, rejected, "push");
        }
        Err(e) => tracing::info!(%device, mutations = n, code = e.kind.code(), "push refused"),
    }
    Ok(Json(out?))
}

/// Inbox query.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct InboxQuery {
    /// The cursor of the last event applied (0 at first).
    #[serde(default)]
    cursor: i64,
    /// Page size (1–1000, default 200).
    limit: Option<i64>,
}

/// `GET /v1/sync/inbox`
#[utoipa::path(get, path = "/v1/sync/inbox", params(InboxQuery),
    responses((status = 200, body = InboxPage), (status = 401, body = ErrorBody)), security(("bearer" = [])))]
async fn inbox(
    State(s): State<St>,
    Auth(who): Auth,
    Query(q): Query<InboxQuery>,
) -> Result<Json<InboxPage>, ApiError> {
    let store = s.store.clone();
    Ok(Json(
        blocking(move || store.inbox(&who, q.cursor, q.limit.unwrap_or(200))).await?,
    ))
}

/// `GET /v1/catalogue/latest`
#[utoipa::path(get, path = "/v1/catalogue/latest",
    responses((status = 200, body = CatalogueRelease), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
async fn catalogue_latest(
    State(s): State<St>,
    Auth(_who): Auth,
) -> Result<Json<CatalogueRelease>, ApiError> {
    let store = s.store.clone();
    blocking(move || store.latest_release())
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::new(ErrorKind::NotFound, "尚未发布事项目录"))
}

/// The header carrying the SHA-256 (hex) of the bytes of a snapshot response.
pub const RANGE_SHA256: &str = "x-range-sha256";

/// `GET /v1/catalogue/snapshots/{sha256}` (supports `Range: bytes=a-b`)
#[utoipa::path(get, path = "/v1/catalogue/snapshots/{sha256}",
    params(("sha256" = String, Path, description = "the snapshot's SHA-256")),
    responses((status = 200, description = "the whole package JSON"), (status = 206, description = "a byte range, its SHA-256 in x-range-sha256"),
              (status = 404, body = ErrorBody)), security(("bearer" = [])))]
async fn catalogue_snapshot(
    State(s): State<St>,
    Auth(_who): Auth,
    Path(sha): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    if !is_sha256(&sha) {
        return Err(ApiError::new(ErrorKind::NotFound, "无此目录快照"));
    }
    let path = s.catalogue_dir.join(format!("{sha}.json"));
    let bytes = match tokio::fs::read(&path).await {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(ApiError::new(ErrorKind::NotFound, "无此目录快照"));
        }
        Err(e) => return Err(e.into()),
    };
    let total = bytes.len() as u64;
    let range = headers
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("bytes="))
        .and_then(|v| v.split_once('-'))
        .and_then(|(a, b)| {
            let a: u64 = a.parse().ok()?;
            let b: u64 = if b.is_empty() {
                total.saturating_sub(1)
            } else {
                b.parse().ok()?
            };
            Some((a, b.min(total.saturating_sub(1))))
        });
    let (status, slice, content_range) = match range {
        Some((a, b)) if a <= b && a < total => (
            StatusCode::PARTIAL_CONTENT,
            // a <= b < total, so both bounds are inside the buffer.
            bytes[a as usize..=b as usize].to_vec(),
            Some(format!("bytes {a}-{b}/{total}")),
        ),
        Some(_) => {
            let mut resp = ApiError::new(
                ErrorKind::RangeNotSatisfiable,
                format!("请求的字节范围超出快照大小 {total}"),
            )
            .into_response();
            if let Ok(v) = HeaderValue::from_str(&format!("bytes */{total}")) {
                resp.headers_mut().insert(header::CONTENT_RANGE, v);
            }
            return Ok(resp);
        }
        None => (StatusCode::OK, bytes, None),
    };
    let digest = hex::encode(Sha256::digest(&slice));
    let mut resp = (status, slice).into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    if let Ok(v) = HeaderValue::from_str(&digest) {
        h.insert(RANGE_SHA256, v);
    }
    if let Some(cr) = content_range.and_then(|c| HeaderValue::from_str(&c).ok()) {
        h.insert(header::CONTENT_RANGE, cr);
    }
    Ok(resp)
}

/// The query of `GET /v1/catalogue/delta`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeltaQuery {
    /// SHA-256 (hex) of the snapshot the device holds.
    pub from: String,
}

/// `GET /v1/catalogue/delta?from=SHA`: the latest release's snapshot
/// encoded against the device's (zstd with the old snapshot as reference
/// prefix). 404 when there is none worth sending: take the snapshot.
#[utoipa::path(get, path = "/v1/catalogue/delta", params(DeltaQuery),
    responses((status = 200, description = "the delta (application/zstd); x-delta-from, x-delta-to (the target snapshot's SHA-256), x-delta-release, x-delta-sha256 (of this body)"),
              (status = 404, body = ErrorBody)), security(("bearer" = [])))]
async fn catalogue_delta(
    State(s): State<St>,
    Auth(_who): Auth,
    Query(q): Query<DeltaQuery>,
) -> Result<Response, ApiError> {
    let none = || ApiError::new(ErrorKind::NotFound, "无可用的目录增量，请下载完整快照");
    if !is_sha256(&q.from) {
        return Err(none());
    }
    let store = s.store.clone();
    let dir = s.catalogue_dir.clone();
    let from = q.from.clone();
    let delta = blocking(move || match store.latest_release()? {
        Some(latest) => crate::delta::delta_to_latest(&dir, &from, &latest),
        None => Ok(None),
    })
    .await?
    .ok_or_else(none)?;
    let digest = hex::encode(Sha256::digest(&delta.bytes));
    let mut resp = (StatusCode::OK, delta.bytes).into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/zstd"),
    );
    for (k, v) in [
        (wire::DELTA_FROM, q.from.as_str()),
        (wire::DELTA_TO, delta.to.sha256.as_str()),
        (wire::DELTA_RELEASE, delta.to.release_id.as_str()),
        (wire::DELTA_SHA256, digest.as_str()),
    ] {
        if let Ok(v) = HeaderValue::from_str(v) {
            h.insert(k, v);
        }
    }
    Ok(resp)
}

/// `POST /v1/leases`
#[utoipa::path(post, path = "/v1/leases", request_body = LeaseRequest,
    responses((status = 200, body = LeaseGrant), (status = 403, body = ErrorBody)), security(("bearer" = [])))]
async fn leases(
    State(s): State<St>,
    Auth(who): Auth,
    body: Bytes,
) -> Result<Json<LeaseGrant>, ApiError> {
    let req: LeaseRequest = parse_json(&body)?;
    let store = s.store.clone();
    let now = s.clock.now();
    let quota = s.limits.lease;
    Ok(Json(
        blocking(move || store.grant_lease_within(&who, &req, quota, now)).await?,
    ))
}

/// `HEAD /v1/blobs/{sha256}`: 200 when stored and verified, else 404.
#[utoipa::path(head, path = "/v1/blobs/{sha256}", params(("sha256" = String, Path, description = "SHA-256 of the original")),
    responses((status = 200, description = "present and verified, and named by the caller's evidence or its township's cases"), (status = 404, description = "not here, or not the caller's to know")), security(("bearer" = [])))]
async fn blob_head(
    State(s): State<St>,
    Auth(who): Auth,
    Path(sha): Path<String>,
) -> Result<StatusCode, ApiError> {
    if !is_sha256(&sha) {
        return Err(ApiError::bad("摘要须为 64 位小写十六进制"));
    }
    let store = s.store.clone();
    let now = s.clock.now();
    let found = blocking(move || store.blob_exists(&who, &sha, now)).await?;
    Ok(if found {
        StatusCode::OK
    } else {
        StatusCode::NOT_FOUND
    })
}

/// `POST /v1/uploads`
#[utoipa::path(post, path = "/v1/uploads", request_body = UploadCreate,
    responses((status = 201, body = UploadState), (status = 200, description = "already verified (told only to a device whose own evidence record names the hash)", body = UploadState),
              (status = 503, description = "unavailable: another device is uploading the same hash (and the caller's evidence does not name it with this size); retry later", body = ErrorBody)), security(("bearer" = [])))]
async fn upload_create(
    State(s): State<St>,
    Auth(who): Auth,
    body: Bytes,
) -> Result<Response, ApiError> {
    let req: UploadCreate = parse_json(&body)?;
    if !is_sha256(&req.sha256) || req.size == 0 {
        return Err(ApiError::bad("摘要须为 64 位小写十六进制，大小须大于 0"));
    }
    crate::edges::check_upload(&req, &s.limits)?;
    let store = s.store.clone();
    let sha = req.sha256.clone();
    let known = blocking(move || store.blob_known(&sha)).await?;
    // The store shortcut says "verified" too: only to the device whose own
    // evidence record names the bytes (uploads are the announcer's).
    let store = s.store.clone();
    let (sha, device) = (req.sha256.clone(), who.device_id.clone());
    let named = !known && blocking(move || store.evidence_named(&device, &sha)).await?;
    if named && adopt_stored(&s, &who, &req.sha256, req.size).await {
        return Ok((
            StatusCode::OK,
            Json(UploadState {
                upload_id: String::new(),
                offset: req.size,
                size: req.size,
                verified: true,
            }),
        )
            .into_response());
    }
    let store = s.store.clone();
    let now = s.clock.now();
    let st = blocking(move || store.upload_create(&who, &req, now)).await?;
    let code = if st.verified {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((code, Json(st)).into_response())
}

/// Dedup against the store: an object already at the content address with
/// no row (a completion interrupted between put and record whose upload
/// then expired, or a store shared with another instance) is read back and,
/// when intact, recorded — the device need not send it. A corrupt object
/// is logged and left for the upload to overwrite; a store outage only
/// skips the shortcut (the upload's completion will answer `unavailable`).
async fn adopt_stored(s: &St, who: &Principal, sha: &str, size: u64) -> bool {
    match s.blobs.verify(sha, size).await {
        Ok(Check::Intact) => {}
        Ok(Check::Missing) => return false,
        Ok(bad) => {
            tracing::error!(blob = %sha.get(..12).unwrap_or(sha), found = ?bad, "stored object does not match its content address; the upload replaces it");
            return false;
        }
        Err(e) => {
            tracing::warn!(code = e.code(), "evidence store not reachable for dedup");
            return false;
        }
    }
    let (store, who, sha_owned, now) =
        (s.store.clone(), who.clone(), sha.to_owned(), s.clock.now());
    match blocking(move || store.blob_adopt(&who, &sha_owned, size, now)).await {
        Ok(()) => {
            tracing::info!(blob = %sha.get(..12).unwrap_or(sha), "stored object adopted without upload");
            true
        }
        Err(_) => false,
    }
}

/// The upload `id` if the caller may see it: its creator, or a device whose
/// own evidence record names the same bytes (which shares it, see
/// `Storage::upload_create`); to anyone else it does not exist (404).
async fn own_upload(
    s: &St,
    who: &Principal,
    id: String,
) -> Result<crate::store::UploadRow, ApiError> {
    let store = s.store.clone();
    let device = who.device_id.clone();
    blocking(move || {
        Ok::<_, ApiError>(match store.upload(&id)? {
            Some(r) if r.device_id == device || store.evidence_named(&device, &r.sha256)? => {
                Some(r)
            }
            _ => None,
        })
    })
    .await?
    .ok_or_else(|| ApiError::new(ErrorKind::NotFound, "无此上传（可能已完成或已丢弃）"))
}

/// `GET /v1/uploads/{id}` (and `HEAD`): the server's offset.
#[utoipa::path(get, path = "/v1/uploads/{id}", params(("id" = String, Path, description = "upload id")),
    responses((status = 200, body = UploadState), (status = 404, description = "no such upload, or another device's (whose hash the caller's evidence does not name)", body = ErrorBody)), security(("bearer" = [])))]
async fn upload_get(
    State(s): State<St>,
    Auth(who): Auth,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    // Another device's upload is answered as if it did not exist.
    let row = own_upload(&s, &who, id).await?;
    let st = UploadState {
        upload_id: row.id,
        offset: row.offset,
        size: row.size,
        verified: false,
    };
    Ok(([(wire::UPLOAD_OFFSET, st.offset.to_string())], Json(st)).into_response())
}

/// `PATCH /v1/uploads/{id}`: one chunk at `upload-offset`, checked by `upload-checksum`.
#[utoipa::path(patch, path = "/v1/uploads/{id}", params(("id" = String, Path, description = "upload id")),
    request_body(content = Vec<u8>, content_type = "application/offset+octet-stream"),
    responses((status = 200, body = UploadState), (status = 409, description = "offset_mismatch: GET the upload and resume", body = ErrorBody),
              (status = 422, description = "chunk_checksum_mismatch or blob_hash_mismatch", body = ErrorBody),
              (status = 503, description = "unavailable: the evidence store cannot take the blob yet; the bytes stay staged, retry the last PATCH", body = ErrorBody)), security(("bearer" = [])))]
async fn upload_patch(
    State(s): State<St>,
    Auth(who): Auth,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<UploadState>, ApiError> {
    let offset: u64 = headers
        .get(wire::UPLOAD_OFFSET)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| ApiError::bad("缺少 upload-offset"))?;
    let checksum = headers
        .get(wire::UPLOAD_CHECKSUM)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("sha256 "))
        .and_then(|v| base64::engine::general_purpose::STANDARD.decode(v).ok())
        .ok_or_else(|| ApiError::bad("缺少 upload-checksum: sha256 <base64>"))?;
    if Sha256::digest(&body).as_slice() != checksum.as_slice() {
        return Err(ApiError::new(
            ErrorKind::ChunkChecksumMismatch,
            "分块校验和不符，请重传此分块",
        ));
    }
    let _guard = s.lock_for(&id).lock().await;
    let row = own_upload(&s, &who, id.clone()).await?;
    if offset != row.offset {
        return Err(ApiError::new(
            ErrorKind::OffsetMismatch,
            format!("偏移 {offset} 与服务器的 {} 不符", row.offset),
        ));
    }
    if offset + body.len() as u64 > row.size {
        return Err(ApiError::bad("分块超出声明的大小"));
    }
    let new_offset = if body.is_empty() {
        // A completion retried after `unavailable`: nothing to stage.
        offset
    } else {
        let blobs = s.blobs.clone();
        let chunk_id = id.clone();
        let new_offset =
            blocking(move || Ok::<_, ApiError>(blobs.write_chunk(&chunk_id, offset, &body)?))
                .await?;
        let store = s.store.clone();
        let adv = id.clone();
        blocking(move || store.upload_advance(&adv, new_offset)).await?;
        new_offset
    };
    if new_offset < row.size {
        return Ok(Json(UploadState {
            upload_id: id,
            offset: new_offset,
            size: row.size,
            verified: false,
        }));
    }
    // All bytes are staged and acknowledged durable; a store outage here
    // answers `unavailable` and the device retries the (empty) last PATCH.
    let finish = s.blobs.finish(&id, &row.sha256, row.size).await?;
    let store = s.store.clone();
    let now = s.clock.now();
    let done = id.clone();
    match finish {
        Finish::Stored => {
            blocking(move || store.upload_complete(&who, &done, now)).await?;
            // The row is recorded: the staged copy is no longer needed (a
            // failure here leaves an orphan the collector removes).
            if let Err(e) = s.blobs.drop_staging(&id).await {
                tracing::warn!(upload = %id, code = e.code(), "staging file not removed");
            }
            tracing::info!(upload = %id, size = row.size, store = s.blobs.kind(), "blob verified");
            Ok(Json(UploadState {
                upload_id: id,
                offset: row.size,
                size: row.size,
                verified: true,
            }))
        }
        Finish::Mismatch => {
            blocking(move || store.upload_discard(&done)).await?;
            tracing::warn!(upload = %id, "blob hash mismatch; upload discarded");
            Err(ApiError::new(
                ErrorKind::BlobHashMismatch,
                "文件摘要与声明不符，上传已丢弃",
            ))
        }
        Finish::Lost => {
            blocking(move || store.upload_discard(&done)).await?;
            tracing::warn!(upload = %id, "staged bytes lost; upload discarded");
            Err(ApiError::new(
                ErrorKind::NotFound,
                "上传的数据已丢失，请重新上传",
            ))
        }
    }
}

/// `POST /v1/finance/payments`: HMAC-signed payment confirmation.
#[utoipa::path(post, path = "/v1/finance/payments", request_body = PaymentCallback,
    params(("x-zhifa-signature" = String, Header, description = "hex HMAC-SHA256 of the body")),
    responses((status = 200, description = "recorded (or already recorded)"), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn finance_payment(
    State(s): State<St>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<serde_json::Value>, ApiError> {
    let sig = headers
        .get(wire::FINANCE_SIGNATURE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| hex::decode(v).ok())
        .ok_or_else(|| ApiError::new(ErrorKind::FinanceSignatureInvalid, "缺少签名"))?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&s.finance_secret)
        .map_err(|_| ApiError::new(ErrorKind::Internal, "HMAC 密钥无效"))?;
    mac.update(&body);
    mac.verify_slice(&sig)
        .map_err(|_| ApiError::new(ErrorKind::FinanceSignatureInvalid, "签名无效"))?;
    let cb: PaymentCallback = parse_json(&body)?;
    crate::edges::check_payment(&cb)?;
    let store = s.store.clone();
    let now = s.clock.now();
    let new = blocking(move || store.payment(&cb, now)).await?;
    Ok(Json(serde_json::json!({ "recorded": true, "new": new })))
}

/// `GET /v1/cases`: the cases in the caller's jurisdiction.
#[utoipa::path(get, path = "/v1/cases",
    responses((status = 200, body = Vec<CaseSummary>), (status = 401, body = ErrorBody)), security(("bearer" = [])))]
async fn cases(State(s): State<St>, Auth(who): Auth) -> Result<Json<Vec<CaseSummary>>, ApiError> {
    let store = s.store.clone();
    let now = s.clock.now();
    Ok(Json(blocking(move || store.device_cases(&who, now)).await?))
}

/// The authenticated console caller: a command-centre or department
/// account's bearer token (`console`; no device, no protocol header).
pub struct StaffAuth(pub crate::console::Staff);

impl FromRequestParts<St> for StaffAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &St) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or_else(|| ApiError::new(ErrorKind::Unauthorized, "缺少访问令牌"))?
            .to_owned();
        let store = state.store.clone();
        let now = state.clock.now();
        Ok(StaffAuth(
            blocking(move || store.authenticate_staff(&token, now)).await?,
        ))
    }
}

/// `POST /v1/console/tasks`: the command centre assigns a task to an
/// officer of its scope; it reaches the officer's devices via the inbox.
#[utoipa::path(post, path = "/v1/console/tasks", request_body = crate::inspection::NewTask,
    responses((status = 200, description = "assigned: `{\"task_id\"}`"), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
async fn console_task_assign(
    State(s): State<St>,
    StaffAuth(who): StaffAuth,
    body: Bytes,
) -> Result<Json<serde_json::Value>, ApiError> {
    if who.role != crate::console::StaffRole::CommandCentre {
        return Err(ApiError::new(
            ErrorKind::Forbidden,
            "只有指挥中心账号可以派发任务",
        ));
    }
    let task: crate::inspection::NewTask = parse_json(&body)?;
    let store = s.store.clone();
    let now = s.clock.now();
    let id = blocking(move || store.assign_task(&task, now, &who.scope, &who.actor())).await?;
    tracing::info!(task = %id, "task assigned through the console");
    Ok(Json(serde_json::json!({ "task_id": id })))
}

/// `GET /v1/console/tasks`: the tasks of the caller's scope with their
/// closed-loop times (assigned, accepted, done, report).
#[utoipa::path(get, path = "/v1/console/tasks",
    responses((status = 200, body = Vec<crate::inspection::TaskRow>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
async fn console_tasks(
    State(s): State<St>,
    StaffAuth(who): StaffAuth,
) -> Result<Json<Vec<crate::inspection::TaskRow>>, ApiError> {
    if who.role != crate::console::StaffRole::CommandCentre {
        return Err(ApiError::new(
            ErrorKind::Forbidden,
            "只有指挥中心账号可以查看任务",
        ));
    }
    let store = s.store.clone();
    Ok(Json(blocking(move || store.tasks(&who.scope)).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
struct FindingsQuery {
    /// Department code; a department account may only name its own.
    department: Option<String>,
    /// `true` keeps the failed items only.
    failed_only: Option<String>,
}

/// `GET /v1/console/findings`: joint-inspection findings in the caller's
/// scope — a department account sees its own department's items only.
#[utoipa::path(get, path = "/v1/console/findings", params(FindingsQuery),
    responses((status = 200, body = Vec<crate::inspection::DepartmentFinding>), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
async fn console_findings(
    State(s): State<St>,
    StaffAuth(who): StaffAuth,
    Query(q): Query<FindingsQuery>,
) -> Result<Json<Vec<crate::inspection::DepartmentFinding>>, ApiError> {
    let failed_only = match q.failed_only.as_deref() {
        None | Some("false") | Some("0") => false,
        Some("true") | Some("1") => true,
        Some(other) => {
            return Err(ApiError::bad(format!(
                "failed_only 应为 true 或 false，而不是 {other:?}"
            )));
        }
    };
    let department = match (&who.department, q.department) {
        (Some(own), Some(asked)) if *own != asked => {
            return Err(ApiError::new(
                ErrorKind::Forbidden,
                "部门账号只能查看本部门的检查结果",
            ));
        }
        (Some(own), _) => Some(own.clone()),
        (None, asked) => asked,
    };
    let store = s.store.clone();
    let now = s.clock.now();
    Ok(Json(
        blocking(move || {
            store.inspection_findings(
                department.as_deref(),
                failed_only,
                &who.scope,
                &who.actor(),
                now,
            )
        })
        .await?,
    ))
}

/// `GET /v1/console/cases`: the cases of the caller's scope (command
/// centre, legal review), with their evidence state.
#[utoipa::path(get, path = "/v1/console/cases",
    responses((status = 200, body = Vec<CaseSummary>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
async fn console_cases(
    State(s): State<St>,
    StaffAuth(who): StaffAuth,
) -> Result<Json<Vec<CaseSummary>>, ApiError> {
    if who.role == crate::console::StaffRole::Department {
        return Err(ApiError::new(ErrorKind::Forbidden, "部门账号不能查看案件"));
    }
    let scope = match who.scope.len() {
        0 => crate::store::Scope::All,
        6 => crate::store::Scope::District(who.scope.clone()),
        _ => crate::store::Scope::Township(who.scope.clone()),
    };
    let store = s.store.clone();
    let now = s.clock.now();
    let actor = who.actor();
    Ok(Json(
        blocking(move || store.cases(&scope, &actor, now)).await?,
    ))
}

/// `POST /v1/console/cases/{case_id}/review`: a legal-review account's
/// result (法制审核); the officer's device gets `review.completed`.
#[utoipa::path(post, path = "/v1/console/cases/{case_id}/review", request_body = crate::console::CaseReview,
    params(("case_id" = String, Path, description = "the case")),
    responses((status = 200, description = "recorded"), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
async fn console_case_review(
    State(s): State<St>,
    StaffAuth(who): StaffAuth,
    Path(case_id): Path<String>,
    body: Bytes,
) -> Result<Json<serde_json::Value>, ApiError> {
    let review: crate::console::CaseReview = parse_json(&body)?;
    let store = s.store.clone();
    let now = s.clock.now();
    blocking(move || store.review_case(&case_id, &review, &who, now)).await?;
    Ok(Json(serde_json::json!({ "recorded": true })))
}

/// `POST /v1/console/cases/{case_id}/reassign`: the command centre hands
/// a case to another officer of its township; the device that holds it
/// gets `case.reassigned`.
#[utoipa::path(post, path = "/v1/console/cases/{case_id}/reassign", request_body = crate::console::CaseReassign,
    params(("case_id" = String, Path, description = "the case")),
    responses((status = 200, description = "`{\"changed\"}`: false when that officer already has it"), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
async fn console_case_reassign(
    State(s): State<St>,
    StaffAuth(who): StaffAuth,
    Path(case_id): Path<String>,
    body: Bytes,
) -> Result<Json<serde_json::Value>, ApiError> {
    let to: crate::console::CaseReassign = parse_json(&body)?;
    let store = s.store.clone();
    let now = s.clock.now();
    let changed = blocking(move || store.reassign_case(&case_id, &to, &who, now)).await?;
    Ok(Json(serde_json::json!({ "changed": changed })))
}

/// The OpenAPI document of this API.
#[derive(OpenApi)]
#[openapi(
    info(title = "Zhifa Sync v1", description = "The central sync service of 掌上执法 (docs/PROTOCOL.md)."),
    paths(enrol, refresh, push, inbox, catalogue_latest, catalogue_snapshot, catalogue_delta, leases, blob_head,
          upload_create, upload_get, upload_patch, finance_payment, cases,
          console_task_assign, console_tasks, console_findings, console_cases, console_case_review,
          console_case_reassign, crate::record::routes::case_list, crate::record::routes::case_detail,
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
        .route("/v1/enrol", post(enrol))
        .route("/v1/token/refresh", post(refresh))
        .route(
            "/v1/sync/push",
            post(push).layer(DefaultBodyLimit::max(wire::MAX_PUSH_BYTES)),
        )
        .route("/v1/sync/inbox", get(inbox))
        .route("/v1/catalogue/latest", get(catalogue_latest))
        .route("/v1/catalogue/snapshots/{sha256}", get(catalogue_snapshot))
        .route("/v1/catalogue/delta", get(catalogue_delta))
        .route("/v1/leases", post(leases))
        .route("/v1/blobs/{sha256}", head(blob_head))
        .route("/v1/uploads", post(upload_create))
        .route(
            "/v1/uploads/{id}",
            get(upload_get)
                .patch(upload_patch)
                .layer(DefaultBodyLimit::max(wire::MAX_CHUNK_BYTES + 1024)),
        )
        .route("/v1/finance/payments", post(finance_payment))
        .route("/v1/cases", get(cases))
        .route(
            "/v1/console/tasks",
            get(console_tasks).post(console_task_assign),
        )
        .route("/v1/console/findings", get(console_findings))
        .route("/v1/console/cases", get(console_cases))
        .route(
            "/v1/console/cases/{case_id}/review",
            post(console_case_review),
        )
        .route(
            "/v1/console/cases/{case_id}/reassign",
            post(console_case_reassign),
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
