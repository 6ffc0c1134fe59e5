//! The server's error type: a protocol [`ErrorKind`] with a message, sent
//! as an [`ErrorBody`] with the kind's HTTP status. Storage faults map to
//! `unavailable` (transient: the database is busy or down, the client backs
//! off and retries) or `internal`; their detail goes to the log, never to
//! the client.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use zhifa_protocol::ErrorKind;
use zhifa_protocol::wire::ErrorBody;

/// An error answered to a request.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{}: {message}", code.unwrap_or(kind.code()))]
pub struct ApiError {
    /// The stable kind.
    pub kind: ErrorKind,
    /// The message (Chinese first).
    pub message: String,
    /// With `seq_gap`: the seq expected next.
    pub expected_seq: Option<i64>,
    /// A finer stable code than the kind's, sent instead of it (the
    /// console sign-in's `signin_failed`, `csrf_missing` …, see
    /// `crate::session::SessionError`); the status stays the kind's.
    pub code: Option<&'static str>,
}

impl ApiError {
    /// An error of `kind` with a message.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            expected_seq: None,
            code: None,
        }
    }

    /// 400 bad_request.
    pub fn bad(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::BadRequest, message)
    }

    /// The body sent.
    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            code: self.code.unwrap_or(self.kind.code()).to_owned(),
            message: self.message.clone(),
            expected_seq: self.expected_seq,
            retry_after_ms: matches!(self.kind, ErrorKind::Unavailable | ErrorKind::RateLimited)
                .then_some(1_000),
        }
    }
}

impl From<rusqlite::Error> for ApiError {
    fn from(e: rusqlite::Error) -> Self {
        let busy = matches!(
            e.sqlite_error_code(),
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
        );
        tracing::error!(error = %e, "storage error");
        if busy {
            Self::new(ErrorKind::Unavailable, "数据库繁忙，请稍后重试")
        } else {
            Self::new(ErrorKind::Internal, "服务器存储错误")
        }
    }
}

impl From<std::io::Error> for ApiError {
    fn from(e: std::io::Error) -> Self {
        tracing::error!(error = %e, "file store error");
        Self::new(ErrorKind::Unavailable, "服务器文件存储错误，请稍后重试")
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        // Every 500 leaves a log line (its cause was logged where it arose
        // when it is a storage fault; this one says a request got it).
        if self.kind == ErrorKind::Internal {
            tracing::error!(code = self.kind.code(), message = %self.message, "internal error answered");
        }
        let status =
            StatusCode::from_u16(self.kind.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (status, axum::Json(self.body())).into_response()
    }
}

/// Runs a blocking storage call on tokio's blocking pool; a task that is
/// lost (panicked or cancelled) is an internal error, never a hang.
pub(crate) async fn blocking<T: Send + 'static, E: Into<ApiError> + Send + 'static>(
    f: impl FnOnce() -> Result<T, E> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|_| ApiError::new(ErrorKind::Internal, "服务器任务中断"))?
        .map_err(Into::into)
}
