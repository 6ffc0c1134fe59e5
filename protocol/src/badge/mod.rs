//! 亮码 (show-the-code): the signed credential an officer shows an
//! inspected business, verifiable by anyone against the server's published
//! badge key while the officer's device is offline.
//!
//! Two signatures make the chain (docs/PROTOCOL.md, "亮码"):
//!
//! 1. The server's **badge authority** key (Ed25519, its own key, not a
//!    device's) signs a [`Certificate`] at enrolment and on every token
//!    refresh: officer id and name, 执法证号, township, the device id and
//!    the device's public key, and a validity window (30 days). The signed
//!    bytes are [`CERT_TAG`] followed by the canonical JSON of the body as
//!    it travels ([`crate::sign::canonical_json`]); unknown fields are
//!    refused (a new field is a new version `v`).
//! 2. The **device** key signs a [`Claims`] — the certificate, the
//!    inspection (and task), the place, the checklist items to be checked,
//!    issue and expiry times (a few hours) — made offline by [`issue`],
//!    with the time passed in.
//!
//! The token text is `base64url(zstd(canonical_json(claims))) "."
//! base64url(signature)`, the device signature taken over [`TOKEN_TAG`]
//! and the *compressed bytes themselves*, so a change of any byte of the
//! token, in any place, makes [`verify`] fail: base64 is decoded strictly
//! (no padding, no stray trailing bits), the signature covers every payload
//! byte, the decoded JSON must be exactly its canonical form, and the
//! certificate is checked against the authority key on its own. [`verify`]
//! needs only the published authority key and the time: it is what the
//! server's `/v/{token}` page runs, and what an independent verifier can
//! run. Revocation is the one check only the server can add.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::sign::canonical_json;

pub mod short;

/// Domain tag of the bytes the badge authority signs.
pub const CERT_TAG: &[u8] = b"zhifa-badge-cert-v1\n";
/// Domain tag of the bytes a device signs for a 亮码.
pub const TOKEN_TAG: &[u8] = b"zhifa-badge-v1\n";
/// How long a certificate is valid from its issue (refreshed with the
/// access token, so an enrolled device that syncs keeps a fresh one).
pub const CERT_VALIDITY_DAYS: i64 = 30;
/// Default lifetime of a 亮码.
pub const DEFAULT_TOKEN_HOURS: i64 = 4;
/// Longest lifetime a 亮码 may claim; longer is refused as malformed.
pub const MAX_TOKEN_HOURS: i64 = 12;
/// Device clocks drift: an issue time this far in the verifier's future
/// is still accepted.
pub const CLOCK_SKEW_MINUTES: i64 = 10;
/// Longest token text accepted before any decoding (bytes).
pub const MAX_TOKEN_CHARS: usize = 6 * 1024;
/// Largest decompressed payload accepted (bytes).
pub const MAX_PAYLOAD_BYTES: usize = 16 * 1024;
/// At most this many checklist items travel in a 亮码 (the QR must stay
/// scannable); the claims say how many there were in all.
pub const MAX_ITEMS: usize = 30;
/// Item names are cut to this many characters in the token.
pub const MAX_ITEM_NAME_CHARS: usize = 24;

/// The body of a credential certificate, signed by the badge authority.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CertificateBody {
    /// Format version, 1.
    pub v: u32,
    /// The authority key that signed it ([`key_id`] of its public key).
    pub key_id: String,
    /// Officer id, e.g. `OFF-LX-01`.
    pub officer_id: String,
    /// The officer's name (shown to the inspected party, as on the card).
    pub officer_name: String,
    /// 执法证号 (enforcement credential number).
    pub credential_no: String,
    /// Township code (9 digits).
    pub township: String,
    /// Township name (镇街), empty when the server has none on record.
    pub township_name: String,
    /// The device id (UUID).
    pub device_id: String,
    /// The device's Ed25519 public key, 64 hex digits.
    pub device_key: String,
    /// Valid from (UTC, RFC 3339, seconds).
    pub valid_from: String,
    /// Valid until (UTC, RFC 3339, seconds).
    pub valid_until: String,
}

/// A certificate: its body and the authority's signature (hex) over
/// [`CERT_TAG`] ‖ canonical JSON of the body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Certificate {
    /// The signed fields.
    pub body: CertificateBody,
    /// Ed25519 signature, 128 hex digits.
    pub signature: String,
}

/// One checklist item to be checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Item {
    /// Item code from the catalogue.
    pub code: String,
    /// Item name (cut to [`MAX_ITEM_NAME_CHARS`]).
    pub name: String,
}

/// What the device signs: the 亮码's content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Claims {
    /// Format version, 1.
    pub v: u32,
    /// The officer's certificate.
    pub cert: Certificate,
    /// The inspection id (UUID).
    pub inspection_id: String,
    /// The task it answers, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_id: Option<String>,
    /// The place inspected.
    pub place: String,
    /// The items to be checked (at most [`MAX_ITEMS`]).
    pub items: Vec<Item>,
    /// How many items the checklist has in all.
    pub items_total: u32,
    /// Issued at (device clock, UTC, RFC 3339, seconds).
    pub issued_at: String,
    /// Expires at (UTC, RFC 3339, seconds).
    pub expires_at: String,
}

/// Who a certificate is for (what the server knows of the officer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    /// Officer id.
    pub officer_id: String,
    /// Name.
    pub officer_name: String,
    /// 执法证号.
    pub credential_no: String,
    /// Township code.
    pub township: String,
    /// Township name.
    pub township_name: String,
    /// Device id.
    pub device_id: String,
    /// Device public key (hex).
    pub device_key: String,
}

/// What a 亮码 is about, from the device's inspection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The inspection id.
    pub inspection_id: String,
    /// Its task, if any.
    pub task_id: Option<String>,
    /// The place.
    pub place: String,
    /// The merged checklist, in order.
    pub items: Vec<Item>,
}

/// Why a 亮码 does not verify (or cannot be made). Codes are stable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadgeError {
    /// Not a 亮码: bad base64, bad compression, not canonical JSON, wrong
    /// fields or version, impossible times.
    #[error("亮码格式无效：{0}")]
    Malformed(String),
    /// The certificate is not signed by this server's badge key.
    #[error("执法证书不是本服务器签发的（签名无效）")]
    CertificateInvalid,
    /// The device signature over the token does not verify.
    #[error("亮码签名无效，内容可能被篡改")]
    SignatureInvalid,
    /// The 亮码 has expired.
    #[error("亮码已过期（有效期至 {0}）")]
    Expired(String),
    /// Issued in the future (beyond the allowed clock drift).
    #[error("亮码的签发时间晚于当前时间")]
    NotYetValid,
    /// The certificate was not valid when the token was issued, or is no
    /// longer valid now.
    #[error("执法证书已过期或尚未生效（有效期 {0} 至 {1}）")]
    CertificateExpired(String, String),
    /// The device was revoked on the server (only the server can say).
    #[error("该执法终端已被注销，亮码无效")]
    Revoked,
}

impl BadgeError {
    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Malformed(_) => "badge_malformed",
            Self::CertificateInvalid => "badge_certificate_invalid",
            Self::SignatureInvalid => "badge_signature_invalid",
            Self::Expired(_) => "badge_expired",
            Self::NotYetValid => "badge_not_yet_valid",
            Self::CertificateExpired(..) => "badge_certificate_expired",
            Self::Revoked => "badge_revoked",
        }
    }
}

fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn parse_ts(s: &str, what: &str) -> Result<DateTime<Utc>, BadgeError> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| BadgeError::Malformed(format!("{what} 不是时间：{s}")))
}

/// The id of an authority public key: the first 16 hex digits of its
/// SHA-256.
pub fn key_id(key: &VerifyingKey) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))[..16].to_owned()
}

fn cert_bytes(body: &serde_json::Value) -> Vec<u8> {
    let mut b = CERT_TAG.to_vec();
    b.extend_from_slice(canonical_json(body).as_bytes());
    b
}

fn token_bytes(payload: &[u8]) -> Vec<u8> {
    let mut b = TOKEN_TAG.to_vec();
    b.extend_from_slice(payload);
    b
}

/// The authority signs a certificate for `subject`, valid from `now` for
/// [`CERT_VALIDITY_DAYS`].
pub fn certify(authority: &SigningKey, subject: &Subject, now: DateTime<Utc>) -> Certificate {
    let body = CertificateBody {
        v: 1,
        key_id: key_id(&authority.verifying_key()),
        officer_id: subject.officer_id.clone(),
        officer_name: subject.officer_name.clone(),
        credential_no: subject.credential_no.clone(),
        township: subject.township.clone(),
        township_name: subject.township_name.clone(),
        device_id: subject.device_id.clone(),
        device_key: subject.device_key.clone(),
        valid_from: ts(now),
        valid_until: ts(now + Duration::days(CERT_VALIDITY_DAYS)),
    };
    sign_certificate(authority, body)
}

/// Signs a certificate body as it is (tests make odd ones with it).
pub fn sign_certificate(authority: &SigningKey, body: CertificateBody) -> Certificate {
    // A struct of strings and integers always serialises.
    let value = serde_json::to_value(&body).unwrap_or_default();
    let sig = authority.sign(&cert_bytes(&value));
    Certificate {
        body,
        signature: hex::encode(sig.to_bytes()),
    }
}

/// Makes a 亮码 offline: the claims for `req` under `cert`, issued `now`,
/// expiring after `hours` (1 ..= [`MAX_TOKEN_HOURS`]), signed by `sign`
/// (the device key). Returns the token text and its claims.
pub fn issue(
    cert: &Certificate,
    req: &Request,
    now: DateTime<Utc>,
    hours: i64,
    sign: impl FnOnce(&[u8]) -> [u8; 64],
) -> Result<(String, Claims), BadgeError> {
    if !(1..=MAX_TOKEN_HOURS).contains(&hours) {
        return Err(BadgeError::Malformed(format!(
            "有效期须为 1 至 {MAX_TOKEN_HOURS} 小时"
        )));
    }
    let until = parse_ts(&cert.body.valid_until, "证书有效期")?;
    if now > until {
        return Err(BadgeError::CertificateExpired(
            cert.body.valid_from.clone(),
            cert.body.valid_until.clone(),
        ));
    }
    let claims = Claims {
        v: 1,
        cert: cert.clone(),
        inspection_id: req.inspection_id.clone(),
        task_id: req.task_id.clone(),
        place: req.place.chars().take(60).collect(),
        items: req
            .items
            .iter()
            .take(MAX_ITEMS)
            .map(|i| Item {
                code: i.code.clone(),
                name: i.name.chars().take(MAX_ITEM_NAME_CHARS).collect(),
            })
            .collect(),
        items_total: u32::try_from(req.items.len()).unwrap_or(u32::MAX),
        issued_at: ts(now),
        // The expiry never outlives the certificate.
        expires_at: ts((now + Duration::hours(hours)).min(until)),
    };
    Ok((encode(&claims, sign)?, claims))
}

/// Encodes and signs claims as token text (no checks: [`issue`] makes
/// valid ones; tests make odd ones).
pub fn encode(claims: &Claims, sign: impl FnOnce(&[u8]) -> [u8; 64]) -> Result<String, BadgeError> {
    let value = serde_json::to_value(claims).map_err(|e| BadgeError::Malformed(e.to_string()))?;
    let json = canonical_json(&value);
    let packed = zstd::bulk::compress(json.as_bytes(), 19)
        .map_err(|e| BadgeError::Malformed(format!("压缩失败：{e}")))?;
    let sig = sign(&token_bytes(&packed));
    Ok(format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(&packed),
        URL_SAFE_NO_PAD.encode(sig)
    ))
}

/// Decodes token text without checking any signature or time: for
/// showing what a bad token claims. Strict: the same checks of form as
/// [`verify`].
pub fn decode(token: &str) -> Result<(Claims, Vec<u8>, [u8; 64]), BadgeError> {
    let bad = |m: &str| BadgeError::Malformed(m.to_owned());
    if token.len() > MAX_TOKEN_CHARS {
        return Err(bad("亮码过长"));
    }
    let (p, s) = token.split_once('.').ok_or_else(|| bad("缺少签名部分"))?;
    let packed = URL_SAFE_NO_PAD
        .decode(p)
        .map_err(|_| bad("内容不是 base64url"))?;
    let sig: [u8; 64] = URL_SAFE_NO_PAD
        .decode(s)
        .map_err(|_| bad("签名不是 base64url"))?
        .try_into()
        .map_err(|_| bad("签名长度不是 64 字节"))?;
    let json =
        zstd::bulk::decompress(&packed, MAX_PAYLOAD_BYTES).map_err(|_| bad("内容无法解压"))?;
    let value: serde_json::Value =
        serde_json::from_slice(&json).map_err(|_| bad("内容不是 JSON"))?;
    if canonical_json(&value).as_bytes() != json.as_slice() {
        return Err(bad("内容不是规范 JSON"));
    }
    let claims: Claims = serde_json::from_value(value)
        .map_err(|e| BadgeError::Malformed(format!("字段无效：{e}")))?;
    if claims.v != 1 || claims.cert.body.v != 1 {
        return Err(bad("不支持的亮码版本"));
    }
    Ok((claims, packed, sig))
}

fn verify_cert(cert: &Certificate, authority: &VerifyingKey) -> Result<VerifyingKey, BadgeError> {
    if cert.body.key_id != key_id(authority) {
        return Err(BadgeError::CertificateInvalid);
    }
    let sig = hex::decode(&cert.signature)
        .ok()
        .and_then(|b| Signature::from_slice(&b).ok())
        .ok_or(BadgeError::CertificateInvalid)?;
    if hex::encode(sig.to_bytes()) != cert.signature {
        // Upper-case or otherwise non-canonical hex: not what was signed.
        return Err(BadgeError::CertificateInvalid);
    }
    let value =
        serde_json::to_value(&cert.body).map_err(|e| BadgeError::Malformed(e.to_string()))?;
    authority
        .verify_strict(&cert_bytes(&value), &sig)
        .map_err(|_| BadgeError::CertificateInvalid)?;
    let key: [u8; 32] = hex::decode(&cert.body.device_key)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| BadgeError::Malformed("设备公钥无效".into()))?;
    VerifyingKey::from_bytes(&key).map_err(|_| BadgeError::Malformed("设备公钥无效".into()))
}

/// Verifies token text against the badge authority's public key at `now`:
/// form, certificate signature, device signature, then times (issued no
/// later than `now` plus the allowed drift, not expired, lifetime at most
/// [`MAX_TOKEN_HOURS`], certificate valid at issue and now). Revocation is
/// the caller's (the server's) check.
pub fn verify(
    token: &str,
    authority: &VerifyingKey,
    now: DateTime<Utc>,
) -> Result<Claims, BadgeError> {
    let (claims, packed, sig) = decode(token)?;
    let device = verify_cert(&claims.cert, authority)?;
    device
        .verify_strict(&token_bytes(&packed), &Signature::from_bytes(&sig))
        .map_err(|_| BadgeError::SignatureInvalid)?;
    let issued = parse_ts(&claims.issued_at, "签发时间")?;
    let expires = parse_ts(&claims.expires_at, "有效期")?;
    if expires <= issued || expires - issued > Duration::hours(MAX_TOKEN_HOURS) {
        return Err(BadgeError::Malformed("有效期不合理".into()));
    }
    let b = &claims.cert.body;
    let from = parse_ts(&b.valid_from, "证书生效时间")?;
    let until = parse_ts(&b.valid_until, "证书有效期")?;
    if issued < from || issued > until || now > until {
        return Err(BadgeError::CertificateExpired(
            b.valid_from.clone(),
            b.valid_until.clone(),
        ));
    }
    if issued > now + Duration::minutes(CLOCK_SKEW_MINUTES) {
        return Err(BadgeError::NotYetValid);
    }
    if now >= expires {
        return Err(BadgeError::Expired(claims.expires_at.clone()));
    }
    Ok(claims)
}

/// A stable short id of a token (hex SHA-256 of its text): the key its
/// rating is stored under.
pub fn token_id(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The published badge key (`GET /v1/badge/key`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct BadgeKey {
    /// Algorithm, `Ed25519`.
    pub algorithm: String,
    /// The public key, 64 hex digits.
    pub public_key: String,
    /// Its id ([`key_id`]), as certificates name it.
    pub key_id: String,
    /// The signed texts' tags, for independent verifiers.
    pub certificate_tag: String,
    /// Tag of the device signature.
    pub token_tag: String,
}

impl BadgeKey {
    /// The published form of an authority key.
    pub fn of(key: &VerifyingKey) -> Self {
        Self {
            algorithm: "Ed25519".into(),
            public_key: hex::encode(key.as_bytes()),
            key_id: key_id(key),
            certificate_tag: String::from_utf8_lossy(CERT_TAG).trim_end().to_owned(),
            token_tag: String::from_utf8_lossy(TOKEN_TAG).trim_end().to_owned(),
        }
    }

    /// The verifying key it publishes.
    pub fn verifying_key(&self) -> Result<VerifyingKey, BadgeError> {
        let b: [u8; 32] = hex::decode(&self.public_key)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| BadgeError::Malformed("公钥无效".into()))?;
        VerifyingKey::from_bytes(&b).map_err(|_| BadgeError::Malformed("公钥无效".into()))
    }
}
