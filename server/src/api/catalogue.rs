//! The catalogue endpoints: the latest release, its snapshot in verified
//! ranges, and the delta between two releases (stream C).

use super::prelude::*;

/// `GET /v1/catalogue/latest`
#[utoipa::path(get, path = "/v1/catalogue/latest",
    responses((status = 200, body = CatalogueRelease), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub(super) async fn catalogue_latest(
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
pub(super) async fn catalogue_snapshot(
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
pub(super) async fn catalogue_delta(
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
