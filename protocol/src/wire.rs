//! The wire types of Zhifa Sync v1: every request and response body of the
//! five streams (outbox push, inbox pull, catalogue, evidence blobs, number
//! leases) plus enrolment and token refresh. JSON via serde; each type also
//! describes itself for the generated OpenAPI document (utoipa).
//!
//! Field names are stable: a field may be added (and must then be optional
//! or defaulted), never renamed or removed, within protocol version 1. The
//! version travels in the [`PROTOCOL_HEADER`] header of every request.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The protocol version this crate speaks.
pub const PROTOCOL_VERSION: u32 = 1;
/// The header carrying [`PROTOCOL_VERSION`] on every request.
pub const PROTOCOL_HEADER: &str = "sync-protocol";
/// The header carrying the hex SHA-256 of the response body, on every
/// response of the server. The engine checks it on every answer it reads
/// (required on a 2xx): a body damaged on the way, or an answer from
/// something that is not the sync server (a captive portal's 200 page), is
/// a transient network error, retried — never parsed, never applied.
pub const BODY_SHA256_HEADER: &str = "x-body-sha256";
/// tus-style header: the byte offset of a resumable upload.
pub const UPLOAD_OFFSET: &str = "upload-offset";
/// tus-style header: `sha256 <base64>` of the chunk in the body.
pub const UPLOAD_CHECKSUM: &str = "upload-checksum";
/// The header a finance-platform callback is signed in (hex HMAC-SHA256).
pub const FINANCE_SIGNATURE: &str = "x-zhifa-signature";
/// Largest push body the server accepts (bytes); larger gets 413.
pub const MAX_PUSH_BYTES: usize = 256 * 1024;
/// Largest blob chunk the server accepts (bytes).
pub const MAX_CHUNK_BYTES: usize = 1024 * 1024;
/// Catalogue delta header: the SHA-256 of the snapshot it applies to.
pub const DELTA_FROM: &str = "x-delta-from";
/// Catalogue delta header: the SHA-256 of the snapshot it produces.
pub const DELTA_TO: &str = "x-delta-to";
/// Catalogue delta header: the release id it produces.
pub const DELTA_RELEASE: &str = "x-delta-release";
/// Catalogue delta header: the SHA-256 of the delta body itself.
pub const DELTA_SHA256: &str = "x-delta-sha256";

/// Every error body: a stable code (see [`crate::ErrorKind`]) and a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ErrorBody {
    /// Stable code, e.g. `seq_gap`.
    pub code: String,
    /// Human-readable message (Chinese first).
    pub message: String,
    /// With `seq_gap` (409): the seq the server expects next.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_seq: Option<i64>,
    /// With a transient error: when to retry, in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_ms: Option<u64>,
}

/// The officer a device is enrolled to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct OfficerInfo {
    /// Officer id, e.g. `OFF-LX-01`.
    pub id: String,
    /// The township code (9 digits) the officer works in.
    pub township: String,
    /// `officer` or `district_supervisor`.
    pub role: String,
}

/// `POST /v1/enrol`: binds the device key to the officer of a one-time code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct EnrolRequest {
    /// The one-time enrolment code.
    pub code: String,
    /// The device id (UUID) from the device identity.
    pub device_id: String,
    /// The device's Ed25519 public key, 64 hex digits.
    pub public_key: String,
    /// Ed25519 signature (hex) over [`crate::sign::enrol_bytes`].
    pub signature: String,
}

/// Tokens issued at enrolment and on refresh.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TokenResponse {
    /// The officer the device is bound to.
    pub officer: OfficerInfo,
    /// Bearer token for every other request (short-lived).
    pub access_token: String,
    /// When the access token expires (server time, RFC 3339).
    pub access_expires_at: String,
    /// Single-use refresh token, bound to the device key.
    pub refresh_token: String,
    /// The server's epoch (changes when the server is restored from backup).
    pub server_epoch: String,
    /// The officer's 亮码 certificate, signed by the server's badge key
    /// (`crate::badge`); absent from servers without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub badge_certificate: Option<crate::badge::Certificate>,
}

/// `POST /v1/token/refresh`: proves possession of the device key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RefreshRequest {
    /// The device id.
    pub device_id: String,
    /// The current refresh token (rotated on every refresh).
    pub refresh_token: String,
    /// Ed25519 signature (hex) over [`crate::sign::refresh_bytes`].
    pub signature: String,
}

/// One outbox record on the wire.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct WireMutation {
    /// Gapless per-device sequence number (1, 2, 3 …).
    pub seq: i64,
    /// UUID of the mutation (logs; never the sole key).
    pub mutation_id: String,
    /// `case`, `evidence`, `issued_number`, `number_lease`, `township_config`.
    pub entity: String,
    /// The entity's id.
    pub entity_id: String,
    /// e.g. `create`, `advance`, `record`, `issue`, `void`, `grant`.
    pub op: String,
    /// The mutation's data.
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
    /// SHA-256 (hex) of [`crate::sign::canonical_json`] of `payload`.
    pub payload_sha256: String,
    /// Device clock when made (metadata only; never orders anything).
    pub device_time: String,
}

/// `POST /v1/sync/push`: a batch of outbox records in seq order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PushRequest {
    /// The device id (must be the token's device).
    pub device_id: String,
    /// Random id of this batch (logs).
    pub batch_id: String,
    /// The epoch the device last saw, if any.
    #[serde(default)]
    pub known_server_epoch: Option<String>,
    /// The records, ascending and contiguous in seq.
    pub mutations: Vec<WireMutation>,
    /// Ed25519 signature (hex) over [`crate::sign::push_bytes`].
    pub signature: String,
}

/// The final status of one mutation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MutationStatus {
    /// Applied now.
    Applied,
    /// Seen before; the stored result stands.
    Duplicate,
    /// Permanently refused with a code; kept as a conflict on both sides.
    Rejected,
}

impl MutationStatus {
    /// The stable snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Applied => "applied",
            Self::Duplicate => "duplicate",
            Self::Rejected => "rejected",
        }
    }

    /// Parses [`Self::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "applied" => Some(Self::Applied),
            "duplicate" => Some(Self::Duplicate),
            "rejected" => Some(Self::Rejected),
            _ => None,
        }
    }
}

/// The result of one mutation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct MutationResult {
    /// The seq it answers.
    pub seq: i64,
    /// Applied, duplicate or rejected.
    pub status: MutationStatus,
    /// With `rejected` (and a duplicate of a rejected one): the stable code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// With `rejected`: why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// The answer to a push.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PushResponse {
    /// The server's epoch.
    pub server_epoch: String,
    /// Every seq up to this one has a final result on the server.
    pub acked_through: i64,
    /// One result per mutation of the batch (in seq order).
    pub results: Vec<MutationResult>,
}

/// One server-side change to a case the officer holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct InboxEvent {
    /// Commit-ordered position in the officer's inbox.
    pub cursor: i64,
    /// Unique id of the event (idempotent apply).
    pub event_id: String,
    /// The case it concerns.
    pub case_id: String,
    /// `payment.confirmed`, `review.completed`, `case.reassigned`.
    pub kind: String,
    /// Server-owned fields only.
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
    /// The server's version of the case's server-owned state.
    pub server_version: i64,
}

/// `GET /v1/sync/inbox?cursor=C&limit=N`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct InboxPage {
    /// Events after the cursor, in cursor order.
    pub events: Vec<InboxEvent>,
    /// The cursor to send next (the last event's, or the one sent).
    pub next_cursor: i64,
    /// More events wait after this page.
    pub has_more: bool,
    /// The server's epoch.
    pub server_epoch: String,
}

/// The latest catalogue release (`GET /v1/catalogue/latest`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CatalogueRelease {
    /// Release id, e.g. `CQ-SAMPLE-2025-07-R2`.
    pub release_id: String,
    /// SHA-256 (hex) of the snapshot (the package JSON).
    pub sha256: String,
    /// Snapshot size in bytes.
    pub size: u64,
    /// Where the immutable, content-addressed snapshot is:
    /// `/v1/catalogue/snapshots/{sha256}` (supports `Range`).
    pub snapshot_path: String,
    /// Server-stamped publication order (1, 2, 3 …).
    pub publication: i64,
}

/// The most numbers one lease request may ask for (and one grant hold).
pub const MAX_LEASE_COUNT: i64 = 10_000;

/// `POST /v1/leases`: ask for a range of numbers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LeaseRequest {
    /// Idempotency key chosen by the device: a retried request returns the
    /// same grant.
    pub request_id: String,
    /// Township code (must be the officer's).
    pub township: String,
    /// Series, e.g. `decision_on_the_spot`, `payment_code`.
    pub series: String,
    /// Year.
    pub year: i32,
    /// How many numbers (1 ..= 10,000).
    pub count: i64,
}

/// A range of numbers granted to one device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LeaseGrant {
    /// Server lease id.
    pub lease_id: String,
    /// Township.
    pub township: String,
    /// Series.
    pub series: String,
    /// Year.
    pub year: i32,
    /// First number.
    pub start: i64,
    /// Last number (inclusive).
    pub end: i64,
}

/// `POST /v1/uploads`: start (or find) the upload of one original.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct UploadCreate {
    /// SHA-256 (hex) of the whole original.
    pub sha256: String,
    /// Its size in bytes.
    pub size: u64,
    /// MIME type.
    pub media_type: String,
}

/// An upload's state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct UploadState {
    /// The upload id (use in `PATCH /v1/uploads/{id}`).
    pub upload_id: String,
    /// Bytes durably received so far.
    pub offset: u64,
    /// Total size.
    pub size: u64,
    /// True once the whole blob arrived and its SHA-256 was verified.
    pub verified: bool,
}

/// `POST /v1/finance/payments`: the finance platform's payment callback,
/// signed with HMAC-SHA256 in [`FINANCE_SIGNATURE`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PaymentCallback {
    /// The platform's unique reference (idempotency key).
    pub reference: String,
    /// The decision's document number the payment is for.
    pub document_number: String,
    /// Amount paid, integer fen.
    pub amount_fen: i64,
    /// When paid (platform time, RFC 3339).
    pub paid_at: String,
}

/// A case as the server holds it (`GET /v1/cases`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CaseSummary {
    /// Case UUID.
    pub case_id: String,
    /// Township code.
    pub township: String,
    /// The decision's document number, once issued.
    pub document_number: Option<String>,
    /// The device-reported status.
    pub status: String,
    /// True when every expected evidence original arrived and was verified.
    pub evidence_complete: bool,
    /// Hashes still expected.
    pub evidence_missing: Vec<String>,
    /// Payment confirmed by the finance platform.
    pub payment_confirmed: bool,
    /// The provisional number the device printed on the decision when it
    /// had no leased number left (`document_number` is then the final
    /// number the server assigned to it); absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provisional_number: Option<String>,
}

/// Payload of the inbox event `number.assigned`: the final number the
/// server assigned to a provisional one (docs/PROTOCOL.md stream E). The
/// event's `case_id` is the case that printed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct NumberAssigned {
    /// The provisional number as printed (`T{township}-D{device}-{seq}`).
    pub provisional: String,
    /// Township.
    pub township: String,
    /// Series, e.g. `decision_on_the_spot`.
    pub series: String,
    /// Year.
    pub year: i32,
    /// The serial in the township's series.
    pub final_seq: i64,
    /// The final number, formatted with the township's template.
    pub document_number: String,
}
