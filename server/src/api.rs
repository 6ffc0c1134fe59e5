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
use zhifa_sync::ErrorKind;
use zhifa_sync::sign::{enrol_bytes, push_bytes, refresh_bytes};
use zhifa_sync::wire::{
    self, CaseSummary, CatalogueRelease, EnrolRequest, ErrorBody, InboxPage, LeaseGrant,
    LeaseRequest, PaymentCallback, PushRequest, PushResponse, RefreshRequest, TokenResponse,
    UploadCreate, UploadState,
};

use crate::blobs::BlobDir;
use crate::clock::Clock;
use crate::error::ApiError;
use crate::store::{Principal, Storage};

/// Everything a handler needs.
pub struct AppState {
    /// The storage backend.
    pub store: Arc<dyn Storage>,
    /// Evidence files.
    pub blobs: BlobDir,
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
}

impl AppState {
    /// Builds the state.
    pub fn new(
        store: Arc<dyn Storage>,
        blobs: BlobDir,
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
        })
    }

    fn lock_for(&self, id: &str) -> &tokio::sync::Mutex<()> {
        let mut h = DefaultHasher::new();
        id.hash(&mut h);
        // 64 stripes: the modulo is below the length, so the index exists.
        &self.upload_locks[(h.finish() % self.upload_locks.len() as u64) as usize]
    }
}

type St = Arc<AppState>;

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|_| ApiError::new(ErrorKind::Internal, "服务器任务中断"))?
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
            return Ok((
                StatusCode::RANGE_NOT_SATISFIABLE,
                [(header::CONTENT_RANGE, format!("bytes */{total}"))],
            )
                .into_response());
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
    Ok(Json(
        blocking(move || store.grant_lease(&who, &req, now)).await?,
    ))
}

/// `HEAD /v1/blobs/{sha256}`: 200 when stored and verified, else 404.
#[utoipa::path(head, path = "/v1/blobs/{sha256}", params(("sha256" = String, Path, description = "SHA-256 of the original")),
    responses((status = 200, description = "present and verified"), (status = 404, description = "not here")), security(("bearer" = [])))]
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
    responses((status = 201, body = UploadState), (status = 200, description = "already verified", body = UploadState)), security(("bearer" = [])))]
async fn upload_create(
    State(s): State<St>,
    Auth(who): Auth,
    body: Bytes,
) -> Result<Response, ApiError> {
    let req: UploadCreate = parse_json(&body)?;
    if !is_sha256(&req.sha256) || req.size == 0 {
        return Err(ApiError::bad("摘要须为 64 位小写十六进制，大小须大于 0"));
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

/// `GET /v1/uploads/{id}` (and `HEAD`): the server's offset.
#[utoipa::path(get, path = "/v1/uploads/{id}", params(("id" = String, Path, description = "upload id")),
    responses((status = 200, body = UploadState), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
async fn upload_get(
    State(s): State<St>,
    Auth(_who): Auth,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let store = s.store.clone();
    let row = blocking(move || store.upload(&id))
        .await?
        .ok_or_else(|| ApiError::new(ErrorKind::NotFound, "无此上传（可能已完成或已丢弃）"))?;
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
              (status = 422, description = "chunk_checksum_mismatch or blob_hash_mismatch", body = ErrorBody)), security(("bearer" = [])))]
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
    let store = s.store.clone();
    let lookup = id.clone();
    let row = blocking(move || store.upload(&lookup))
        .await?
        .ok_or_else(|| ApiError::new(ErrorKind::NotFound, "无此上传（可能已完成或已丢弃）"))?;
    if offset != row.offset {
        return Err(ApiError::new(
            ErrorKind::OffsetMismatch,
            format!("偏移 {offset} 与服务器的 {} 不符", row.offset),
        ));
    }
    if offset + body.len() as u64 > row.size {
        return Err(ApiError::bad("分块超出声明的大小"));
    }
    let blobs = s.blobs.clone();
    let chunk_id = id.clone();
    let new_offset = blocking(move || Ok(blobs.write_chunk(&chunk_id, offset, &body)?)).await?;
    let store = s.store.clone();
    let adv = id.clone();
    blocking(move || store.upload_advance(&adv, new_offset)).await?;
    if new_offset < row.size {
        return Ok(Json(UploadState {
            upload_id: id,
            offset: new_offset,
            size: row.size,
            verified: false,
        }));
    }
    let blobs = s.blobs.clone();
    let (fid, sha) = (id.clone(), row.sha256.clone());
    let ok = blocking(move || Ok(blobs.finish(&fid, &sha)?)).await?;
    let store = s.store.clone();
    let now = s.clock.now();
    let done = id.clone();
    if ok {
        blocking(move || store.upload_complete(&who, &done, now)).await?;
        tracing::info!(upload = %id, size = row.size, "blob verified");
        Ok(Json(UploadState {
            upload_id: id,
            offset: row.size,
            size: row.size,
            verified: true,
        }))
    } else {
        blocking(move || store.upload_discard(&done)).await?;
        tracing::warn!(upload = %id, "blob hash mismatch; upload discarded");
        Err(ApiError::new(
            ErrorKind::BlobHashMismatch,
            "文件摘要与声明不符，上传已丢弃",
        ))
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
    let actor = format!("device:{}/officer:{}", who.device_id, who.officer_id);
    Ok(Json(
        blocking(move || store.cases(&who.scope(), &actor, now)).await?,
    ))
}

/// The OpenAPI document of this API.
#[derive(OpenApi)]
#[openapi(
    info(title = "Zhifa Sync v1", description = "The central sync service of 掌上执法 (docs/PROTOCOL.md)."),
    paths(enrol, refresh, push, inbox, catalogue_latest, catalogue_snapshot, catalogue_delta, leases, blob_head,
          upload_create, upload_get, upload_patch, finance_payment, cases,
          crate::badge::key, crate::badge::show, crate::badge::rate_http, crate::badge::ratings_http),
    components(schemas(ErrorBody, EnrolRequest, TokenResponse, RefreshRequest, PushRequest, PushResponse,
                       InboxPage, CatalogueRelease, LeaseRequest, LeaseGrant, UploadCreate, UploadState,
                       PaymentCallback, CaseSummary, zhifa_sync::badge::BadgeKey,
                       zhifa_sync::badge::Certificate, zhifa_sync::badge::CertificateBody,
                       crate::badge::RatingRow, crate::badge::Rating)),
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
        .merge(crate::badge::routes())
        .layer(DefaultBodyLimit::max(wire::MAX_PUSH_BYTES))
        .with_state(state)
}
