//! The evidence endpoints (stream D): `HEAD` of a stored original, and the
//! resumable upload — create, read its offset, append chunks, complete
//! with a full re-hash — scoped to the device that announced the bytes.

use super::prelude::*;
use crate::blobs::{Check, Finish};

/// `HEAD /v1/blobs/{sha256}`: 200 when stored and verified, else 404.
#[utoipa::path(head, path = "/v1/blobs/{sha256}", params(("sha256" = String, Path, description = "SHA-256 of the original")),
    responses((status = 200, description = "present and verified, and named by the caller's evidence or its township's cases"), (status = 404, description = "not here, or not the caller's to know")), security(("bearer" = [])))]
pub(super) async fn blob_head(
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
pub(super) async fn upload_create(
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
pub(super) async fn adopt_stored(s: &St, who: &Principal, sha: &str, size: u64) -> bool {
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
/// `Db::upload_create`); to anyone else it does not exist (404).
pub(super) async fn own_upload(
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
pub(super) async fn upload_get(
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
pub(super) async fn upload_patch(
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
