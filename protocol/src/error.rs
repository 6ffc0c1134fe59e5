//! Stable error codes of the protocol: the `code` of every error body and
//! of every rejected mutation. Codes are snake_case strings that never
//! change meaning; clients branch on them, never on messages.

use serde::{Deserialize, Serialize};

/// Request-level errors (an HTTP status plus an [`crate::wire::ErrorBody`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ErrorKind {
    /// 400: the body or a parameter is malformed.
    BadRequest,
    /// 400: unknown `sync-protocol` version.
    ProtocolVersion,
    /// 401: no, unknown or expired access token.
    Unauthorized,
    /// 401: a device signature does not verify.
    SignatureInvalid,
    /// 401: the refresh token is unknown, used or expired.
    RefreshInvalid,
    /// 403: the device was revoked.
    DeviceRevoked,
    /// 403: outside the officer's jurisdiction.
    Forbidden,
    /// 403: the enrolment code is unknown, used or expired.
    EnrolCodeInvalid,
    /// 404: no such resource.
    NotFound,
    /// 409: the batch does not start at the next expected seq.
    SeqGap,
    /// 409: a PATCH at an offset other than the server's.
    OffsetMismatch,
    /// 413: the body is too large; halve the batch or the chunk.
    PayloadTooLarge,
    /// 422: the chunk's checksum does not match its bytes.
    ChunkChecksumMismatch,
    /// 422: the whole blob's SHA-256 differs from the declared one.
    BlobHashMismatch,
    /// 401: the finance callback's HMAC does not verify.
    FinanceSignatureInvalid,
    /// 422: a payload does not match its signed hash (damaged in transit); resend.
    PayloadCorrupt,
    /// 422: a lease request the server will not grant: a series it does not
    /// number, or a year outside the window its own clock allows.
    LeaseRefused,
    /// 405: the path exists but not with this method (the `allow` header
    /// lists the methods it takes).
    MethodNotAllowed,
    /// 414: the request target is longer than the server reads.
    UriTooLong,
    /// 416: the `Range` asked for lies outside the resource
    /// (`content-range: bytes */TOTAL` says its size).
    RangeNotSatisfiable,
    /// 429: too many requests or connections from this client; retry after
    /// `retry_after_ms`.
    RateLimited,
    /// 422: the device holds as many unused numbers of this series and year
    /// as the server allows, or asked for its daily allowance already; use
    /// them (and sync them) before asking again.
    LeaseQuota,
    /// 409: the case already has a confirmed payment that differs from this
    /// one (amount or time); a repeat of the same payment is answered as
    /// already recorded.
    PaymentConflict,
    /// 503: transient; retry after `retry_after_ms`.
    Unavailable,
    /// 500: a server fault.
    Internal,
}

impl ErrorKind {
    /// Every kind, for documentation and tests.
    pub const ALL: [ErrorKind; 25] = [
        Self::BadRequest,
        Self::ProtocolVersion,
        Self::Unauthorized,
        Self::SignatureInvalid,
        Self::RefreshInvalid,
        Self::DeviceRevoked,
        Self::Forbidden,
        Self::EnrolCodeInvalid,
        Self::NotFound,
        Self::SeqGap,
        Self::OffsetMismatch,
        Self::PayloadTooLarge,
        Self::ChunkChecksumMismatch,
        Self::BlobHashMismatch,
        Self::FinanceSignatureInvalid,
        Self::PayloadCorrupt,
        Self::LeaseRefused,
        Self::MethodNotAllowed,
        Self::UriTooLong,
        Self::RangeNotSatisfiable,
        Self::RateLimited,
        Self::LeaseQuota,
        Self::PaymentConflict,
        Self::Unavailable,
        Self::Internal,
    ];

    /// The stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::BadRequest => "bad_request",
            Self::ProtocolVersion => "protocol_version",
            Self::Unauthorized => "unauthorized",
            Self::SignatureInvalid => "signature_invalid",
            Self::RefreshInvalid => "refresh_invalid",
            Self::DeviceRevoked => "device_revoked",
            Self::Forbidden => "forbidden",
            Self::EnrolCodeInvalid => "enrol_code_invalid",
            Self::NotFound => "not_found",
            Self::SeqGap => "seq_gap",
            Self::OffsetMismatch => "offset_mismatch",
            Self::PayloadTooLarge => "payload_too_large",
            Self::ChunkChecksumMismatch => "chunk_checksum_mismatch",
            Self::BlobHashMismatch => "blob_hash_mismatch",
            Self::FinanceSignatureInvalid => "finance_signature_invalid",
            Self::PayloadCorrupt => "payload_corrupt",
            Self::LeaseRefused => "lease_refused",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::UriTooLong => "uri_too_long",
            Self::RangeNotSatisfiable => "range_not_satisfiable",
            Self::RateLimited => "rate_limited",
            Self::LeaseQuota => "lease_quota",
            Self::PaymentConflict => "payment_conflict",
            Self::Unavailable => "unavailable",
            Self::Internal => "internal",
        }
    }

    /// The HTTP status it is sent with.
    pub fn status(self) -> u16 {
        match self {
            Self::BadRequest | Self::ProtocolVersion => 400,
            Self::Unauthorized
            | Self::SignatureInvalid
            | Self::RefreshInvalid
            | Self::FinanceSignatureInvalid => 401,
            Self::DeviceRevoked | Self::Forbidden | Self::EnrolCodeInvalid => 403,
            Self::NotFound => 404,
            Self::MethodNotAllowed => 405,
            Self::SeqGap | Self::OffsetMismatch | Self::PaymentConflict => 409,
            Self::PayloadTooLarge => 413,
            Self::UriTooLong => 414,
            Self::RangeNotSatisfiable => 416,
            Self::ChunkChecksumMismatch
            | Self::BlobHashMismatch
            | Self::PayloadCorrupt
            | Self::LeaseRefused
            | Self::LeaseQuota => 422,
            Self::RateLimited => 429,
            Self::Unavailable => 503,
            Self::Internal => 500,
        }
    }

    /// Whether retrying the same request later can succeed (the engine backs off).
    pub fn is_transient(self) -> bool {
        matches!(
            self,
            Self::Unavailable | Self::Internal | Self::PayloadCorrupt | Self::RateLimited
        )
    }

    /// Parses [`Self::code`].
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }
}

/// Declares [`RejectCode`] once: each variant with its stable code and doc;
/// `ALL`, `code()` and `parse()` follow from the one list.
macro_rules! reject_codes {
    ($($(#[doc = $doc:literal])* $variant:ident = $code:literal,)+) => {
        /// Why the server rejected one mutation (`results[].code` with status
        /// `rejected`). The snake_case [`RejectCode::code`] strings are stable:
        /// devices, the UI (`syncErrors` in ui/src/i18n/zh-CN.ts) and the
        /// server's conflict records store them.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum RejectCode {
            $($(#[doc = $doc])* $variant,)+
        }

        impl RejectCode {
            /// Every code, in declaration order (derived from the enum).
            pub const ALL: &'static [RejectCode] = &[$(RejectCode::$variant,)+];

            /// The stable snake_case code.
            pub const fn code(self) -> &'static str {
                match self {
                    $(RejectCode::$variant => $code,)+
                }
            }
        }
    };
}

reject_codes! {
    /// Same `(device_id, seq)` as a stored mutation but a different payload
    /// hash: a cloned or restored device. Quarantined; clone alarm raised.
    SeqReuse = "seq_reuse",
    /// An earlier mutation of the same aggregate was rejected.
    DependencyRejected = "dependency_rejected",
    /// The record is outside the officer's township.
    Jurisdiction = "jurisdiction",
    /// An advance of a case the server does not hold.
    UnknownCase = "unknown_case",
    /// A create of a case id the server already holds.
    CaseExists = "case_exists",
    /// A case of another device.
    NotOwner = "not_owner",
    /// The case version does not follow the stored one.
    VersionConflict = "version_conflict",
    /// Evidence attached that the server was never told of.
    UnknownEvidence = "unknown_evidence",
    /// A number outside every lease the server granted this device.
    NumberOutsideLease = "number_outside_lease",
    /// A number already used or voided.
    NumberReused = "number_reused",
    /// A lease the server never granted to this device.
    LeaseNotGranted = "lease_not_granted",
    /// Malformed payload for its entity/op (ill-typed, missing field, or a
    /// schema version newer than the server knows).
    InvalidPayload = "invalid_payload",
    /// Unknown entity/op.
    Unsupported = "unsupported_mutation",
    /// A normal-procedure step the procedure core refuses against the
    /// centre's log (the message names the article that stops it).
    ProcedureRefused = "procedure_refused",
}

impl RejectCode {
    /// Parses [`Self::code`].
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|c| c.code() == code)
    }
}

impl std::fmt::Display for RejectCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

impl Serialize for RejectCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for RejectCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).ok_or_else(|| serde::de::Error::custom(format!("unknown reject code {s}")))
    }
}

/// A rejection: the stable code and a message (Chinese, shown to the
/// officer in the conflict review).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct Reject {
    /// The code.
    pub code: RejectCode,
    /// The message.
    pub message: String,
}

impl Reject {
    /// A rejection with `code` and `message`.
    pub fn new(code: RejectCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

/// The reject codes as string constants (the spelling before
/// [`RejectCode`]; kept so existing callers compile).
pub mod reject {
    use super::RejectCode;

    /// [`RejectCode::SeqReuse`].
    pub const SEQ_REUSE: &str = RejectCode::SeqReuse.code();
    /// [`RejectCode::DependencyRejected`].
    pub const DEPENDENCY_REJECTED: &str = RejectCode::DependencyRejected.code();
    /// [`RejectCode::Jurisdiction`].
    pub const JURISDICTION: &str = RejectCode::Jurisdiction.code();
    /// [`RejectCode::UnknownCase`].
    pub const UNKNOWN_CASE: &str = RejectCode::UnknownCase.code();
    /// [`RejectCode::CaseExists`].
    pub const CASE_EXISTS: &str = RejectCode::CaseExists.code();
    /// [`RejectCode::NotOwner`].
    pub const NOT_OWNER: &str = RejectCode::NotOwner.code();
    /// [`RejectCode::VersionConflict`].
    pub const VERSION_CONFLICT: &str = RejectCode::VersionConflict.code();
    /// [`RejectCode::UnknownEvidence`].
    pub const UNKNOWN_EVIDENCE: &str = RejectCode::UnknownEvidence.code();
    /// [`RejectCode::NumberOutsideLease`].
    pub const NUMBER_OUTSIDE_LEASE: &str = RejectCode::NumberOutsideLease.code();
    /// [`RejectCode::NumberReused`].
    pub const NUMBER_REUSED: &str = RejectCode::NumberReused.code();
    /// [`RejectCode::LeaseNotGranted`].
    pub const LEASE_NOT_GRANTED: &str = RejectCode::LeaseNotGranted.code();
    /// [`RejectCode::InvalidPayload`].
    pub const INVALID_PAYLOAD: &str = RejectCode::InvalidPayload.code();
    /// [`RejectCode::Unsupported`].
    pub const UNSUPPORTED: &str = RejectCode::Unsupported.code();

    /// Every code (from [`RejectCode::ALL`]), for documentation and tests.
    pub fn all() -> impl Iterator<Item = &'static str> {
        RejectCode::ALL.iter().map(|c| c.code())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn codes_are_unique_and_round_trip() {
        let mut seen = std::collections::HashSet::new();
        for k in ErrorKind::ALL {
            assert!(seen.insert(k.code()), "{}", k.code());
            assert_eq!(ErrorKind::parse(k.code()), Some(k));
            assert!((400..600).contains(&k.status()));
            assert_eq!(serde_json::to_value(k).unwrap(), k.code());
        }
        for c in RejectCode::ALL {
            assert!(seen.insert(c.code()), "{}", c.code());
            assert_eq!(RejectCode::parse(c.code()), Some(*c));
            assert_eq!(serde_json::to_value(c).unwrap(), c.code());
        }
    }
}
