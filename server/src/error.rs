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
#[error("{}: {message}", kind.code())]
pub struct ApiError {
    /// The stable kind.
    pub kind: ErrorKind,
    /// The message (Chinese first).
    pub message: String,
    /// With `seq_gap`: the seq expected next.
    pub expected_seq: Option<i64>,
}

impl ApiError {
    /// An error of `kind` with a message.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            expected_seq: None,
        }
    }

    /// 400 bad_request.
    pub fn bad(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::BadRequest, message)
    }

    /// The body sent.
    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            code: self.kind.code().to_owned(),
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

/// The storage areas' refusals as answers: each area's error enum is
/// turned into a kind and a Chinese message here, at the edge, and only
/// here (a database fault inside one becomes `unavailable` or `internal`).
mod areas {
    use zhifa_protocol::ErrorKind;

    use super::ApiError;
    use crate::store::catalogue::ReleaseError;
    use crate::store::devices::DeviceError;
    use crate::store::leases::LeaseError;
    use crate::store::payments::PaymentError;
    use crate::store::uploads::UploadError;

    impl From<DeviceError> for ApiError {
        fn from(e: DeviceError) -> Self {
            let (kind, msg) = match e {
                DeviceError::Db(e) => return e.into(),
                DeviceError::EnrolCodeInvalid => {
                    (ErrorKind::EnrolCodeInvalid, "激活码无效、已使用或已过期")
                }
                DeviceError::Revoked => (ErrorKind::DeviceRevoked, "此设备已被停用"),
                DeviceError::KeyMismatch => (ErrorKind::Forbidden, "此设备编号已以另一把密钥注册"),
                DeviceError::RefreshInvalid => {
                    (ErrorKind::RefreshInvalid, "刷新令牌无效、已使用或已过期")
                }
                DeviceError::Unauthorized => (ErrorKind::Unauthorized, "未登录或令牌无效"),
                DeviceError::Expired => (ErrorKind::Unauthorized, "访问令牌已过期"),
                DeviceError::Random => (ErrorKind::Internal, "随机数不可用"),
            };
            Self::new(kind, msg)
        }
    }

    impl From<PaymentError> for ApiError {
        fn from(e: PaymentError) -> Self {
            match e {
                PaymentError::Db(e) => e.into(),
                PaymentError::UnknownDocument(n) => Self::new(
                    ErrorKind::NotFound,
                    format!("没有文书编号为 {n} 的案件（设备尚未同步？请稍后重试）"),
                ),
                PaymentError::Conflict {
                    document,
                    amount_fen,
                    paid_at,
                } => Self::new(
                    ErrorKind::PaymentConflict,
                    format!("文书 {document} 已确认过一笔不同的缴款（{amount_fen} 分，{paid_at}）"),
                ),
            }
        }
    }

    impl From<LeaseError> for ApiError {
        fn from(e: LeaseError) -> Self {
            match e {
                LeaseError::Db(e) => e.into(),
                LeaseError::OtherTownship => {
                    Self::new(ErrorKind::Forbidden, "只能为本镇街申领号段")
                }
                LeaseError::OutOfRange => Self::bad("号段数量须为 1–10000，年份须为四位数"),
                LeaseError::UnknownSeries(s) => {
                    Self::new(ErrorKind::LeaseRefused, format!("未知的号段序列 {s}"))
                }
                LeaseError::Year { year, first, last } => Self::new(
                    ErrorKind::LeaseRefused,
                    format!(
                        "只能申领 {first}–{last} 年的号段（按服务器时间），请求的是 {year} 年；请检查本机日期"
                    ),
                ),
                LeaseError::Outstanding {
                    series,
                    outstanding,
                    count,
                    max,
                } => Self::new(
                    ErrorKind::LeaseQuota,
                    format!(
                        "本设备已持有 {outstanding} 个未使用的 {series} 号码，再领 {count} 个将超过上限 {max}；请先使用并同步"
                    ),
                ),
                LeaseError::Daily {
                    series,
                    granted,
                    count,
                    max,
                } => Self::new(
                    ErrorKind::LeaseQuota,
                    format!(
                        "本设备 24 小时内已申领 {granted} 个 {series} 号码，再领 {count} 个将超过每日上限 {max}"
                    ),
                ),
            }
        }
    }

    impl From<ReleaseError> for ApiError {
        fn from(e: ReleaseError) -> Self {
            match e {
                ReleaseError::Db(e) => e.into(),
                ReleaseError::Changed(id) => {
                    Self::bad(format!("版本 {id} 已以另一内容发布，发布的版本不可更改"))
                }
            }
        }
    }

    impl From<UploadError> for ApiError {
        fn from(e: UploadError) -> Self {
            match e {
                UploadError::Db(e) => e.into(),
                UploadError::TooLarge => Self::bad("文件过大"),
                UploadError::SizeMismatch => Self::new(
                    ErrorKind::BlobHashMismatch,
                    "声明的文件大小与已保存的同一文件不符",
                ),
                UploadError::Busy => Self::new(
                    ErrorKind::Unavailable,
                    "另一台设备正在上传同一文件，请稍后重试",
                ),
            }
        }
    }
}
