//! The storage areas' refusals as answers: each area's error enum
//! (`crate::store::{devices, payments, leases, catalogue, uploads}`) is
//! turned into a protocol kind and a Chinese message here, at the HTTP
//! edge, and only here; a database fault inside one becomes `unavailable`
//! or `internal` (`crate::store::sql`).

use zhifa_protocol::ErrorKind;

use crate::error::ApiError;
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
            LeaseError::OtherTownship => Self::new(ErrorKind::Forbidden, "只能为本镇街申领号段"),
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
            UploadError::Replaced => Self::new(
                ErrorKind::NotFound,
                "上传已由同一内容的存证记录取代，请重新查询",
            ),
        }
    }
}
