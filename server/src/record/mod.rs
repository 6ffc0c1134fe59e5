//! The server as the system of record (issue 15 items 2, 3, 5, 8): the
//! full content of every case, inspection and task a device pushes, the
//! per-case timeline, the documents issued, the replay of the rules on
//! every decision, and the centre's read API over them.
//!
//! - [`push`]: the hook of the push transaction, on the typed values
//!   `crate::push` decoded once (`zhifa_protocol::mutation`): checks a case
//!   step's record before it is applied, stores it after (and the whole
//!   inspection or task a schema-2 step carries), and applies the ops of
//!   this module (`document/record`, `case|inspection|task/snapshot`).
//! - [`cases`]: the latest full case by version (never an older version
//!   over a newer one; duplicates change nothing) and one timeline row per
//!   step (time, kind, statuses, device, officer, the pushing batch and
//!   its signature).
//! - [`others`]: the same for inspections and tasks.
//! - [`documents`]: the documents issued (decision PDF …), held as blobs by
//!   SHA-256 through the resumable upload and listed with the case.
//! - [`replay`]: the rules re-run on the server with the catalogue release
//!   in force on the violation date; a refused decision is kept and
//!   flagged for the legal-review body.
//! - [`show`]: a case in the JSON shape of the device's `zhifa case show
//!   --json` (`zhifa-server case show`).
//! - [`read`]: the console's list and detail queries (filters, keyset
//!   pages, scope, audit); [`routes`] their HTTP endpoints.
//!
//! **Personal data at rest.** A record's JSON and every step's data are
//! sealed by the vault ([`Seal`]; AAD = what the row is and its version,
//! so a sealed value moved to another row does not open); only
//! non-personal columns are plain: township, matter, release, status,
//! officers, dates, amount, flags, the party's kind, a masked name and the
//! keyed blind index of its ID number.

pub mod cases;
pub mod documents;
pub mod others;
pub mod push;
pub mod read;
pub mod replay;
pub mod routes;
pub mod show;

use std::path::PathBuf;
use std::sync::Arc;

use base64::Engine as _;
use chrono::{DateTime, SecondsFormat, Utc};

use crate::error::ApiError;
use crate::store::sql::{Conn, DbError, Fail};

/// Why a record could not be stored or read.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    /// The database.
    #[error(transparent)]
    Db(#[from] DbError),
    /// Sealing or opening personal data failed (key missing, tampered row).
    #[error("个人信息加解密失败：{0}")]
    Seal(String),
    /// A stored record does not decode.
    #[error("记录损坏：{0}")]
    Corrupt(String),
}

impl RecordError {
    /// A stable snake_case code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Db(_) => "storage",
            Self::Seal(_) => "record_seal",
            Self::Corrupt(_) => "record_corrupt",
        }
    }
}

impl From<RecordError> for Fail {
    fn from(e: RecordError) -> Self {
        match e {
            RecordError::Db(e) => Fail::Db(e),
            other => {
                tracing::error!(code = other.code(), "record error");
                Fail::Api(ApiError::new(
                    zhifa_protocol::error::ErrorKind::Internal,
                    format!("服务器记录错误（{}）", other.code()),
                ))
            }
        }
    }
}

/// The seam to the personal-data vault: seals and opens values for a
/// purpose with associated data, and computes the keyed blind index of an
/// ID number. Implemented by [`crate::pii::Vault`] (data keys in the
/// database, hence the connection) and by [`KeySeal`] for stores opened
/// without a service.
pub trait Seal: Send + Sync {
    /// Seals `plain`; the ciphertext as text (stored in a TEXT column).
    fn seal(
        &self,
        tx: &mut dyn Conn,
        purpose: &str,
        aad: &[u8],
        plain: &[u8],
    ) -> Result<String, RecordError>;
    /// Opens what [`Seal::seal`] made for the same purpose and AAD.
    fn open(
        &self,
        c: &mut dyn Conn,
        purpose: &str,
        aad: &[u8],
        sealed: &str,
    ) -> Result<Vec<u8>, RecordError>;
    /// The keyed blind index of an ID number (equal numbers, equal index).
    fn blind_index(&self, c: &mut dyn Conn, value: &str) -> Result<String, RecordError>;
}

/// Vault purposes of this module's sealed columns.
pub mod purpose {
    /// `record_case.sealed`.
    pub const CASE: &str = "record.case";
    /// `record_case_event.sealed`.
    pub const CASE_EVENT: &str = "record.case_event";
    /// `record_inspection.sealed`.
    pub const INSPECTION: &str = "record.inspection";
    /// `record_task.sealed`.
    pub const TASK: &str = "record.task";
}

/// What the record keeper needs beside the database: the vault and the
/// published catalogue releases (for the replay).
pub struct Keeper {
    /// The vault.
    pub seal: Arc<dyn Seal>,
    /// The published releases.
    pub releases: replay::Releases,
}

impl std::fmt::Debug for Keeper {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keeper").finish_non_exhaustive()
    }
}

impl Keeper {
    /// A keeper over `seal`, reading published packages from
    /// `catalogue_dir` (none: the replay finds no release).
    pub fn new(seal: Arc<dyn Seal>, catalogue_dir: Option<PathBuf>) -> Self {
        Self {
            seal,
            releases: replay::Releases::new(catalogue_dir),
        }
    }
}

/// A record-keeper answer as JSON, for `Db::record_read` /
/// `record_write` (whose closures answer JSON).
pub(crate) fn to_json<T: serde::Serialize>(v: &T) -> Result<serde_json::Value, Fail> {
    serde_json::to_value(v).map_err(|e| RecordError::Corrupt(e.to_string()).into())
}

/// The typed value back from what [`to_json`] made.
pub(crate) fn from_json<T: serde::de::DeserializeOwned>(
    v: serde_json::Value,
) -> Result<T, ApiError> {
    serde_json::from_value(v).map_err(|e| {
        ApiError::new(
            zhifa_protocol::error::ErrorKind::Internal,
            format!("应答生成失败：{e}"),
        )
    })
}

/// The SHA-256 (hex) of a value's JSON text.
pub(crate) fn sha_of(v: &impl serde::Serialize) -> String {
    use sha2::Digest as _;
    hex::encode(sha2::Sha256::digest(
        serde_json::to_string(v).unwrap_or_default().as_bytes(),
    ))
}

pub(crate) fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

pub(crate) fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

pub(crate) fn unb64(s: &str) -> Result<Vec<u8>, RecordError> {
    base64::engine::general_purpose::STANDARD
        .decode(s)
        .map_err(|e| RecordError::Corrupt(format!("base64: {e}")))
}

/// The district (first six digits) of a township code.
pub(crate) fn district_of(township: &str) -> String {
    township.chars().take(6).collect()
}

/// XChaCha20-Poly1305 under `key` with a random nonce: `nonce ‖ ciphertext`.
pub(crate) fn aead_seal(key: &[u8; 32], aad: &[u8], plain: &[u8]) -> Result<Vec<u8>, RecordError> {
    use chacha20poly1305::aead::{Aead, KeyInit, Payload};
    let mut nonce = [0u8; 24];
    getrandom::fill(&mut nonce).map_err(|e| RecordError::Seal(e.to_string()))?;
    let ct = chacha20poly1305::XChaCha20Poly1305::new(key.into())
        .encrypt((&nonce).into(), Payload { msg: plain, aad })
        .map_err(|_| RecordError::Seal("加密失败".into()))?;
    Ok([nonce.as_slice(), &ct].concat())
}

/// Opens what [`aead_seal`] made under `key` with the same `aad`.
pub(crate) fn aead_open(key: &[u8; 32], aad: &[u8], bytes: &[u8]) -> Result<Vec<u8>, RecordError> {
    use chacha20poly1305::aead::{Aead, KeyInit, Payload};
    if bytes.len() < 24 {
        return Err(RecordError::Seal("密文过短".into()));
    }
    let (nonce, ct) = bytes.split_at(24);
    chacha20poly1305::XChaCha20Poly1305::new(key.into())
        .decrypt(nonce.into(), Payload { msg: ct, aad })
        .map_err(|_| RecordError::Seal("密文校验失败（数据被改动或不属于此记录）".into()))
}

/// A [`Seal`] over one 256-bit key held in memory: XChaCha20-Poly1305 with
/// a random nonce (`base64(nonce ‖ ciphertext)`), the purpose bound into
/// the associated data, and HMAC-SHA256 blind indexes under a key derived
/// from it. The seal of stores opened without the service's vault
/// (in-memory databases, benchmarks): a fresh random key, so nothing
/// sealed under it outlives the process. (The previous release sealed
/// with it over `DIR/record.key`; the vault opens those values.)
pub struct KeySeal {
    key: [u8; 32],
    index_key: [u8; 32],
}

impl KeySeal {
    /// A seal over `key`.
    pub fn new(key: [u8; 32]) -> Self {
        use sha2::Digest as _;
        let index_key: [u8; 32] =
            sha2::Sha256::digest([b"zhifa-record-blind-index-v1".as_slice(), &key].concat()).into();
        Self { key, index_key }
    }

    /// A seal over a fresh random key.
    pub fn random() -> Result<Self, RecordError> {
        let mut key = [0u8; 32];
        getrandom::fill(&mut key).map_err(|e| RecordError::Seal(e.to_string()))?;
        Ok(Self::new(key))
    }
}

/// The associated data of a sealed value: its purpose, then the row's
/// identity (so a value moved to another row or column does not open).
pub(crate) fn purpose_aad(purpose: &str, aad: &[u8]) -> Vec<u8> {
    [purpose.as_bytes(), b"\n", aad].concat()
}

impl Seal for KeySeal {
    fn seal(
        &self,
        _tx: &mut dyn Conn,
        purpose: &str,
        aad: &[u8],
        plain: &[u8],
    ) -> Result<String, RecordError> {
        Ok(b64(&aead_seal(
            &self.key,
            &purpose_aad(purpose, aad),
            plain,
        )?))
    }

    fn open(
        &self,
        _c: &mut dyn Conn,
        purpose: &str,
        aad: &[u8],
        sealed: &str,
    ) -> Result<Vec<u8>, RecordError> {
        aead_open(&self.key, &purpose_aad(purpose, aad), &unb64(sealed)?)
    }

    fn blind_index(&self, _c: &mut dyn Conn, value: &str) -> Result<String, RecordError> {
        use hmac::{Hmac, Mac};
        let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(&self.index_key)
            .map_err(|e| RecordError::Seal(e.to_string()))?;
        mac.update(value.as_bytes());
        Ok(hex::encode(mac.finalize().into_bytes()))
    }
}

impl Keeper {
    /// A keeper with a fresh in-memory key and no published releases (a
    /// store opened without the service: in-memory databases, benchmarks).
    pub fn ephemeral() -> Self {
        let seal = KeySeal::random().unwrap_or_else(|_| {
            // No randomness: a key no one else can know either way is
            // impossible; fall back to a fixed key only for this process's
            // in-memory data (never for a service, which uses the vault).
            KeySeal::new([0x5a; 32])
        });
        Self::new(Arc::new(seal), None)
    }
}

impl KeySeal {
    /// The key of its blind indexes (what the vault adopts as data key
    /// `blind_index/1` for a data folder of the previous release).
    pub fn index_key(&self) -> [u8; 32] {
        self.index_key
    }

    /// The previous release's `DIR/record.key` (32 bytes, hex), if there
    /// is one: the vault adopts it on first start (`crate::pii`).
    pub fn read_legacy(data: &std::path::Path) -> std::io::Result<Option<[u8; 32]>> {
        match std::fs::read_to_string(data.join("record.key")) {
            Ok(text) => hex::decode(text.trim())
                .ok()
                .and_then(|b| <[u8; 32]>::try_from(b).ok())
                .map(Some)
                .ok_or_else(|| std::io::Error::other("record.key 不是 32 字节的十六进制密钥")),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }
}
