//! The server's edges: what every request meets before (or instead of) a
//! handler.
//!
//! - Every rejection is `{code, message}` JSON with a stable code, the
//!   framework's own included: an unknown route ([`unknown_route`], 404
//!   `not_found`), a known path with another method (405
//!   `method_not_allowed`), a body over its limit (413 `payload_too_large`),
//!   a query string or path parameter that does not parse (400
//!   `bad_request`) and a request target over [`MAX_URI_BYTES`] (414
//!   `uri_too_long`) — see [`json_rejections`] and [`uri_length`].
//! - Push batches whose seqs the ledger cannot hold ([`check_push_seqs`]).
//! - The configurable limits of `serve` ([`Limits`]): the largest declared
//!   upload, the number-lease quota, the per-client request rate of the
//!   public endpoints ([`RateLimiter`]), the header-read (and keep-alive
//!   idle) timeout and the connections one client may hold open
//!   (`crate::serve`).

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use zhifa_protocol::ErrorKind;
use zhifa_protocol::wire::{PaymentCallback, PushRequest, UploadCreate};

use crate::error::ApiError;

/// The longest request target (path and query) read, in bytes. The
/// longest legitimate one is a 亮码 page, `/v/` and a token of at most
/// 6 KiB; hyper itself answers a bare 414 only past 64 KiB, so this bound
/// answers with a code first.
pub const MAX_URI_BYTES: usize = 16 * 1024;

/// The longest `media_type` of an upload (RFC 6838 allows 127 + 1 + 127
/// characters for type/subtype; parameters are not used here).
pub const MAX_MEDIA_TYPE_LEN: usize = 255;

/// The configurable limits of `zhifa-server serve` (server/README.md).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// The largest evidence original an upload may declare, in bytes.
    /// Default [`Limits::DEFAULT_MAX_UPLOAD_BYTES`].
    pub max_upload_bytes: u64,
    /// Number-lease quota per device, series and year.
    pub lease: LeaseQuota,
    /// Requests per minute one client (IP address) may send to the public
    /// endpoints (`/v/*`, the 亮码 rating, `/v1/enrol`); a burst of
    /// [`Limits::public_burst`] is allowed at once. 0 turns it off.
    pub public_per_minute: u32,
    /// The burst of the public endpoints' rate.
    pub public_burst: u32,
    /// A client must send a request's whole header within this time, and
    /// an idle keep-alive connection is closed after it.
    pub header_timeout: Duration,
    /// Connections one client (IP address) may hold open at once.
    pub max_connections_per_ip: usize,
    /// The console's session and lock-out policy.
    pub console: crate::session::Policy,
}

impl Limits {
    /// 4 GiB, the largest original the device itself accepts
    /// (`zhifa_core::evidence::MAX_BYTES`, about 30 minutes of 1080p
    /// video): a lower server limit would leave evidence the device holds
    /// unsendable for ever. Lower it with `serve --max-upload-bytes` where
    /// no video is taken.
    pub const DEFAULT_MAX_UPLOAD_BYTES: u64 = zhifa_core::evidence::MAX_BYTES;
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_upload_bytes: Self::DEFAULT_MAX_UPLOAD_BYTES,
            lease: LeaseQuota::default(),
            public_per_minute: 60,
            public_burst: 20,
            header_timeout: Duration::from_secs(10),
            max_connections_per_ip: 64,
            console: crate::session::Policy::default(),
        }
    }
}

/// The number-lease quota of one device for one (series, year).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LeaseQuota {
    /// Leased numbers the device has not reported used or voided. The
    /// engine asks for 200 when fewer than 50 are left, so a working device
    /// holds at most ~250; 2,000 leaves room for days offline.
    pub max_outstanding: i64,
    /// Numbers granted to the device in the last 24 hours.
    pub max_per_day: i64,
}

impl Default for LeaseQuota {
    fn default() -> Self {
        Self {
            max_outstanding: 2_000,
            max_per_day: 5_000,
        }
    }
}

/// A push's mutations must carry contiguous ascending seqs from 1 up
/// (docs/PROTOCOL.md, stream A): anything else is a malformed batch the
/// ledger cannot hold — a 400, never a lookup of a seq that cannot exist.
pub fn check_push_seqs(req: &PushRequest) -> Result<(), ApiError> {
    let mut prev: Option<i64> = None;
    for m in &req.mutations {
        if m.seq < 1 {
            return Err(ApiError::bad(format!("序号须为正整数，收到 {}", m.seq)));
        }
        if let Some(p) = prev
            && p.checked_add(1) != Some(m.seq)
        {
            return Err(ApiError::bad(format!(
                "一个批次的序号须连续递增：{p} 之后是 {}",
                m.seq
            )));
        }
        prev = Some(m.seq);
    }
    Ok(())
}

/// A device id at enrolment: a UUIDv7 in its canonical lower-case,
/// hyphenated form (docs/PROTOCOL.md) — no empty, multi-line or
/// look-alike ids, which would also break the line framing of the signed
/// push text.
pub fn check_device_id(id: &str) -> Result<(), ApiError> {
    let ok = uuid::Uuid::try_parse(id)
        .is_ok_and(|u| u.get_version_num() == 7 && u.hyphenated().to_string() == id);
    if ok {
        Ok(())
    } else {
        Err(ApiError::bad(
            "设备编号须为小写连字符格式的 UUIDv7（如 0190b5a8-7c3e-7d2a-9f1b-2c4d6e8f0a1b）",
        ))
    }
}

/// An upload declaration: its size at most [`Limits::max_upload_bytes`]
/// (413 `payload_too_large`), its `media_type` a `type/subtype` of RFC
/// 6838 restricted names, at most [`MAX_MEDIA_TYPE_LEN`] characters.
pub fn check_upload(req: &UploadCreate, limits: &Limits) -> Result<(), ApiError> {
    if req.size > limits.max_upload_bytes {
        return Err(ApiError::new(
            ErrorKind::PayloadTooLarge,
            format!(
                "证据文件 {} 字节，超过服务器上限 {} 字节",
                req.size, limits.max_upload_bytes
            ),
        ));
    }
    if !is_media_type(&req.media_type) {
        return Err(ApiError::bad(format!(
            "媒体类型须为 type/subtype（至多 {MAX_MEDIA_TYPE_LEN} 个字符）"
        )));
    }
    Ok(())
}

fn is_media_type(s: &str) -> bool {
    let name = |p: &str| {
        !p.is_empty()
            && p.len() <= 127
            && p.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
            && p.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$&-^_.+".contains(&b))
    };
    s.len() <= MAX_MEDIA_TYPE_LEN
        && s.split_once('/')
            .is_some_and(|(t, sub)| name(t) && name(sub))
}

/// The largest payment the finance callback records, in fen (10 亿元): far
/// above any administrative fine a township decides, and far below where
/// sums of fen could overflow.
pub const MAX_PAYMENT_FEN: i64 = 100_000_000_000;

/// A finance callback: a positive amount up to [`MAX_PAYMENT_FEN`], an
/// RFC 3339 `paid_at`, a reference and a document number of sane length
/// without control characters. (Its HMAC was checked before.)
pub fn check_payment(cb: &PaymentCallback) -> Result<(), ApiError> {
    if !(1..=MAX_PAYMENT_FEN).contains(&cb.amount_fen) {
        return Err(ApiError::bad(format!(
            "缴款金额须为 1–{MAX_PAYMENT_FEN} 分，收到 {}",
            cb.amount_fen
        )));
    }
    if chrono::DateTime::parse_from_rfc3339(&cb.paid_at).is_err() {
        return Err(ApiError::bad("缴款时间须为 RFC 3339 时间"));
    }
    let text_ok = |v: &str| {
        !v.trim().is_empty() && v.chars().count() <= 128 && !v.chars().any(char::is_control)
    };
    if !text_ok(&cb.reference) || !text_ok(&cb.document_number) {
        return Err(ApiError::bad(
            "缴款流水号和文书编号须为 1–128 个字符，且不含控制字符",
        ));
    }
    Ok(())
}

/// The fallback: no route has this path.
pub async fn unknown_route() -> ApiError {
    ApiError::new(ErrorKind::NotFound, "无此接口")
}

/// Refuses a request target longer than [`MAX_URI_BYTES`] with 414
/// `uri_too_long`.
pub async fn uri_length(req: Request, next: Next) -> Response {
    let len = req.uri().path_and_query().map_or(0, |pq| pq.as_str().len());
    if len > MAX_URI_BYTES {
        return ApiError::new(
            ErrorKind::UriTooLong,
            format!("请求地址过长（{len} 字节，上限 {MAX_URI_BYTES}）"),
        )
        .into_response();
    }
    next.run(req).await
}

/// Turns the framework's own error answers — plain text or empty bodies
/// from axum's extractors, body limits and method routing — into
/// `{code, message}` with the code of their status. Answers that already
/// are JSON, and the 亮码 pages (HTML with their code in `x-badge-result`),
/// pass unchanged; so does every success and every HEAD answer (no body).
/// Headers such as `allow` are kept.
pub async fn json_rejections(req: Request, next: Next) -> Response {
    // HEAD answers keep no body (their digest is of the empty body).
    if req.method() == axum::http::Method::HEAD {
        return next.run(req).await;
    }
    let resp = next.run(req).await;
    let status = resp.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return resp;
    }
    let content_type = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if content_type.starts_with("application/json") || content_type.starts_with("text/html") {
        return resp;
    }
    let (mut parts, body) = resp.into_parts();
    // Framework rejection texts are short; anything longer is cut.
    let detail = match axum::body::to_bytes(body, 4096).await {
        Ok(b) => String::from_utf8_lossy(&b).trim().to_owned(),
        Err(_) => String::new(),
    };
    let (kind, message) = match status {
        StatusCode::NOT_FOUND => (ErrorKind::NotFound, "无此资源".to_owned()),
        StatusCode::METHOD_NOT_ALLOWED => (
            ErrorKind::MethodNotAllowed,
            "此接口不支持该请求方法（见 allow 响应头）".to_owned(),
        ),
        StatusCode::PAYLOAD_TOO_LARGE => (
            ErrorKind::PayloadTooLarge,
            "请求体过大：请减小批次或分块".to_owned(),
        ),
        StatusCode::URI_TOO_LONG => (ErrorKind::UriTooLong, "请求地址过长".to_owned()),
        StatusCode::RANGE_NOT_SATISFIABLE => (
            ErrorKind::RangeNotSatisfiable,
            "请求的字节范围无效".to_owned(),
        ),
        StatusCode::UNAUTHORIZED => (ErrorKind::Unauthorized, "未授权".to_owned()),
        StatusCode::FORBIDDEN => (ErrorKind::Forbidden, "禁止访问".to_owned()),
        StatusCode::TOO_MANY_REQUESTS => (ErrorKind::RateLimited, "请求过于频繁".to_owned()),
        s if s.is_server_error() => {
            tracing::error!(status = s.as_u16(), detail = %detail, "framework server error answered");
            (ErrorKind::Internal, "服务器内部错误".to_owned())
        }
        _ => (ErrorKind::BadRequest, "请求无效".to_owned()),
    };
    let message = if detail.is_empty() {
        message
    } else {
        format!("{message}：{detail}")
    };
    let body = serde_json::to_vec(&ApiError::new(kind, message).body()).unwrap_or_default();
    // The status and headers stay the framework's (e.g. 405 with `allow`).
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Response::from_parts(parts, axum::body::Body::from(body))
}

/// Per-client (IP address) request rate of the public endpoints, on
/// `governor`'s keyed GCRA limiter. Over the rate: 429 `rate_limited`
/// with `retry_after_ms`.
#[derive(Clone)]
pub struct RateLimiter {
    inner: Option<Arc<governor::DefaultKeyedRateLimiter<IpAddr>>>,
}

impl RateLimiter {
    /// `per_minute` requests a minute with bursts of `burst`; off when
    /// either is 0.
    pub fn new(per_minute: u32, burst: u32) -> Self {
        let inner = NonZeroU32::new(per_minute)
            .zip(NonZeroU32::new(burst))
            .map(|(rate, burst)| {
                Arc::new(governor::RateLimiter::keyed(
                    governor::Quota::per_minute(rate).allow_burst(burst),
                ))
            });
        Self { inner }
    }

    /// Whether one more request of `ip` is allowed now.
    pub fn check(&self, ip: IpAddr) -> bool {
        match &self.inner {
            Some(l) => {
                // Keys idle for a while are dropped now and then, so the
                // table stays as small as the set of recent clients.
                if l.len() > 10_000 {
                    l.retain_recent();
                }
                l.check_key(&ip).is_ok()
            }
            None => true,
        }
    }
}

/// Whether `path` is one of the public (unauthenticated, officer-facing
/// or party-facing) endpoints the per-client rate applies to: the 亮码 page
/// and its rating (`/v/…`), enrolment, the console's sign-in and the 公示
/// of decisions (`/v1/public/decisions`, `/public/decisions`), and the
/// verification of a document by its hash (`/d/…`,
/// `/v1/public/documents/…`, the 核验 QR's link).
pub fn is_public(path: &str) -> bool {
    path.starts_with("/v/")
        || path == "/v1/enrol"
        || path == "/v1/console/session"
        || path == "/v1/public/decisions"
        || path == "/public/decisions"
        || path.starts_with("/d/")
        || path.starts_with("/v1/public/documents/")
}

/// Middleware: the public endpoints ([`is_public`]) are rate-limited per
/// client, the client being the peer address of the connection
/// (`ConnectInfo`, set by `crate::serve`). A request with no peer address
/// (an in-process call in tests) is not limited. Behind a reverse proxy
/// every client has the proxy's address: limit there instead.
pub async fn rate_limit(State(rate): State<RateLimiter>, req: Request, next: Next) -> Response {
    if is_public(req.uri().path()) {
        let peer = req
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        if let Some(ip) = peer
            && !rate.check(ip)
        {
            tracing::warn!(%ip, path = %req.uri().path(), "rate limited");
            return ApiError::new(ErrorKind::RateLimited, "请求过于频繁，请稍后再试")
                .into_response();
        }
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::is_public;

    #[test]
    fn the_public_pages_are_rate_limited() {
        for path in [
            "/v/ABC",
            "/v1/enrol",
            "/v1/console/session",
            "/public/decisions",
            "/v1/public/decisions",
            "/d/0123abcd",
            "/v1/public/documents/0123abcd",
        ] {
            assert!(is_public(path), "{path}");
        }
        for path in ["/v1/sync/push", "/v1/console/records/cases", "/dx"] {
            assert!(!is_public(path), "{path}");
        }
    }
}
