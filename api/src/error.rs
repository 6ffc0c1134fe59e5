//! The command layer's error: the core's typed errors plus the layer's own
//! (no session, bad request), each with a stable code and a Chinese message.

use serde::Serialize;
use zhifa_core::ErrorCode;
use zhifa_core::case::CaseError;
use zhifa_core::catalogue::CatalogueError;
use zhifa_core::device::DeviceError;
use zhifa_core::document::DocumentError;
use zhifa_core::evidence::EvidenceError;
use zhifa_core::inspection::InspectionError;
use zhifa_core::signin::SignInError;
use zhifa_core::store::StoreError;

use crate::dto::ApiErrorBody;

/// A failed command.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The command needs a signed-in officer.
    #[error("请先登录")]
    NotSignedIn,
    /// No such command.
    #[error("未知的操作：{0}")]
    UnknownCommand(String),
    /// The request does not have the command's shape.
    #[error("请求格式错误：{0}")]
    BadRequest(String),
    /// A field is missing or unusable.
    #[error("{0}")]
    Invalid(String),
    /// Not found.
    #[error("未找到{0}")]
    NotFound(String),
    /// A bug or a device failure outside the core's errors.
    #[error("内部错误：{0}")]
    Internal(String),
    /// Sign-in.
    #[error(transparent)]
    SignIn(#[from] SignInError),
    /// Cases.
    #[error(transparent)]
    Case(#[from] CaseError),
    /// An officer's signature (PIN, image).
    #[error(transparent)]
    OfficerSign(#[from] zhifa_core::case::officer_sign::OfficerSignError),
    /// Catalogue.
    #[error(transparent)]
    Catalogue(#[from] CatalogueError),
    /// Evidence.
    #[error(transparent)]
    Evidence(#[from] EvidenceError),
    /// Device.
    #[error(transparent)]
    Device(#[from] DeviceError),
    /// Documents.
    #[error(transparent)]
    Document(#[from] DocumentError),
    /// A document made and archived on the device.
    #[error(transparent)]
    Archive(#[from] zhifa_core::case::archive::ArchiveError),
    /// Store.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Sync with the server (enrolment, a run).
    #[error(transparent)]
    Sync(#[from] zhifa_sync::engine::SyncError),
    /// Resolving a sync conflict.
    #[error(transparent)]
    Review(#[from] zhifa_sync::review::ReviewError),
    /// 不予处罚 (行政处罚法 Art. 30, 31, 33).
    #[error(transparent)]
    NoPenalty(#[from] crate::no_penalty::NoPenaltyError),
    /// Inspections and tasks.
    #[error(transparent)]
    Inspection(#[from] InspectionError),
    /// No 亮码 certificate: the device is not enrolled with a server that
    /// issues them, or the officer has no credential on record there.
    #[error("未登记到服务器，无法生成亮码（请先在“同步”中登记本机，并同步一次）")]
    BadgeNotEnrolled,
    /// The certificate is another officer's than the one signed in.
    #[error("本机的亮码证书属于其他执法人员，当前登录人员无法亮码")]
    BadgeOfficerMismatch,
    /// Identity capture: the OCR could not read the photograph.
    #[error(transparent)]
    Ocr(#[from] zhifa_ocr::OcrError),
    /// The 亮码 could not be made (e.g. the certificate has lapsed).
    #[error(transparent)]
    Badge(#[from] zhifa_sync::badge::BadgeError),
}

impl ErrorCode for ApiError {
    fn code(&self) -> &'static str {
        match self {
            Self::NotSignedIn => "API_NOT_SIGNED_IN",
            Self::UnknownCommand(_) => "API_UNKNOWN_COMMAND",
            Self::BadRequest(_) => "API_BAD_REQUEST",
            Self::Invalid(_) => "API_INVALID",
            Self::NotFound(_) => "API_NOT_FOUND",
            Self::Internal(_) => "API_INTERNAL",
            Self::SignIn(e) => e.code(),
            Self::Case(e) => e.code(),
            Self::OfficerSign(e) => e.code(),
            Self::Catalogue(e) => e.code(),
            Self::Evidence(e) => e.code(),
            Self::Device(e) => e.code(),
            Self::Document(e) => e.code(),
            Self::Archive(e) => e.code(),
            Self::Store(e) => e.code(),
            Self::Sync(e) => crate::sync::static_code(e),
            Self::Review(e) => e.code(),
            Self::Inspection(e) => e.code(),
            Self::Ocr(e) => e.code(),
            Self::NoPenalty(e) => e.code(),
            Self::BadgeNotEnrolled => "API_BADGE_NOT_ENROLLED",
            Self::BadgeOfficerMismatch => "API_BADGE_OFFICER_MISMATCH",
            Self::Badge(e) => {
                use zhifa_sync::badge::BadgeError as B;
                match e {
                    B::Malformed(_) => "BADGE_MALFORMED",
                    B::CertificateInvalid => "BADGE_CERTIFICATE_INVALID",
                    B::SignatureInvalid => "BADGE_SIGNATURE_INVALID",
                    B::Expired(_) => "BADGE_EXPIRED",
                    B::NotYetValid => "BADGE_NOT_YET_VALID",
                    B::CertificateExpired(..) => "BADGE_CERTIFICATE_EXPIRED",
                    B::Revoked => "BADGE_REVOKED",
                }
            }
        }
    }
}

impl ApiError {
    /// The error as the UI receives it.
    pub fn body(&self) -> ApiErrorBody {
        ApiErrorBody {
            code: self.code().to_owned(),
            message: self.to_string(),
        }
    }

    /// Whether the caller (not the device) is at fault: HTTP 4xx.
    pub fn is_client_error(&self) -> bool {
        match self {
            Self::Internal(_) | Self::Store(_) => false,
            Self::Ocr(e) => e.is_bad_input(),
            Self::Case(CaseError::Store(_) | CaseError::Corrupt(_)) => false,
            Self::Catalogue(c) => c.is_bad_input(),
            Self::Evidence(e) => e.is_bad_input(),
            Self::Sync(e) => !e.is_transient(),
            Self::Review(zhifa_sync::review::ReviewError::Store(_)) => false,
            Self::Inspection(
                InspectionError::Store(_)
                | InspectionError::Corrupt(_)
                | InspectionError::Case(CaseError::Store(_) | CaseError::Corrupt(_)),
            ) => false,
            _ => true,
        }
    }
}

impl Serialize for ApiError {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.body().serialize(s)
    }
}
