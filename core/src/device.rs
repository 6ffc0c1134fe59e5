//! Officers and the device: who works on this tablet, and the tablet's own
//! identity and signing key.
//!
//! # Officers
//!
//! An [`Officer`] is a profile with the 执法证 (enforcement credential)
//! number and the township (镇街) the officer belongs to. Until enrolment
//! arrives with sync, profiles are loaded from a JSON file such as
//! `schema/sample/officers.json` ([`SAMPLE_OFFICERS`]) with
//! [`load_officers`]. Names are personal data: they live only in the
//! SQLCipher-encrypted store, and anything that logs an officer uses
//! [`Officer::masked_name`].
//!
//! # The device identity and key
//!
//! [`Device::load_or_create`] creates, once, a device id (UUIDv7, its time
//! part taken from the caller's clock: the core has none) and an Ed25519
//! signing key, and afterwards loads them. The key signs every evidence
//! record (see [`crate::evidence`]).
//!
//! **The private half never sits in the database in plaintext.** It is
//! stored *wrapped*: encrypted with ChaCha20-Poly1305 (AEAD, the device id
//! as associated data) under a wrapping key that is not in the database.
//! Who supplies that wrapping key is the [`KeyWrap`] trait:
//!
//! - [`StoreKeyWrap`] (used by the CLI, and by the app until the platform
//!   wrappers land) derives it with HKDF-SHA256 from the store key itself
//!   (a fresh random 16-byte salt per wrap, info
//!   `"zhifa/device-signing-key/v1"`). The store key is already kept outside
//!   the database (OS keystore in the app, `ZHIFA_DB_KEY` or a 0600 key file
//!   in the CLI), so no second secret needs a home.
//! - On Android/iOS a Keystore/Keychain implementation of [`KeyWrap`] (an
//!   AES-GCM key that never leaves secure hardware, per MASVS-CRYPTO-2)
//!   replaces it without a schema change: the wrapped form is opaque text.
//!
//! Threat model, what this buys and what it does not:
//!
//! - *Stolen tablet, powered off / file copied off the device*: the store is
//!   SQLCipher-encrypted; without the store key nothing is readable.
//! - *Anything that reads the database through SQL* (a table dump, a debug
//!   export, [`crate::store::Store::content_digest`], a future sync bug that
//!   uploads a whole table, a backup tool): it sees only the wrapped key,
//!   useless without the store key. The seed is decrypted into memory only
//!   while a [`Device`] is alive and zeroised on drop (`ed25519-dalek`'s
//!   `zeroize` feature; the unwrap buffers are [`zeroize::Zeroizing`]).
//! - *Moving the row to another store*: the wrap is bound to the store key
//!   and to the device id (AEAD associated data), so it does not unwrap.
//! - *Not covered*: an attacker who holds the store key (e.g. a rooted,
//!   unlocked device) can unwrap the key and re-sign a forged chain. The
//!   defence is outside the device: the public key is registered with the
//!   server at enrolment and chain heads are anchored on sync (docs/law/evidence.md
//!   item 5). A passphrase store key gives the wrap only the passphrase's
//!   entropy (HKDF does not stretch); the app always uses a random raw key.

use std::fmt;

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use chrono::{DateTime, SecondsFormat, Utc};
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use zeroize::Zeroizing;

use crate::ErrorCode;
use crate::store::{DbKey, Store, StoreError};

/// The sample officers (invented people, not real credential numbers):
/// two for each of the three townships of the sample catalogue.
pub const SAMPLE_OFFICERS: &str = include_str!("../../schema/sample/officers.json");

/// Errors about officers and the device identity.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DeviceError {
    /// The officers file is not valid.
    #[error("执法人员数据无效: {0}")]
    InvalidOfficers(String),
    /// No officer has this id.
    #[error("未知执法人员: {0}")]
    UnknownOfficer(String),
    /// The wrapped device key does not decrypt with this wrapping key
    /// (wrong store key, or the row was altered or moved).
    #[error("设备签名密钥无法解封 (密钥错误或数据被改动)")]
    KeyUnwrap,
    /// The device row is damaged (bad hex, bad length, unknown wrap format).
    #[error("设备记录损坏: {0}")]
    Corrupt(String),
    /// The OS random source failed.
    #[error("无法获取随机数: {0}")]
    Random(String),
    /// The file-encryption key could not be created.
    #[error("无法建立文件加密密钥: {0}")]
    FileKey(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<rusqlite::Error> for DeviceError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Store(StoreError::Sqlite(e))
    }
}

impl ErrorCode for DeviceError {
    fn code(&self) -> &'static str {
        match self {
            Self::InvalidOfficers(_) => "OFFICERS_INVALID",
            Self::UnknownOfficer(_) => "OFFICER_UNKNOWN",
            Self::KeyUnwrap => "DEVICE_KEY_UNWRAP",
            Self::Corrupt(_) => "DEVICE_CORRUPT",
            Self::Random(_) => "DEVICE_RANDOM",
            Self::FileKey(_) => "DEVICE_FILE_KEY",
            Self::Store(e) => e.code(),
        }
    }
}

/// An enforcement officer's profile.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Officer {
    /// Stable officer id.
    pub id: String,
    /// Full name (personal data: never log it, use [`Officer::masked_name`]).
    pub name: String,
    /// The 执法证 (enforcement credential) number.
    pub credential_no: String,
    /// The township (镇街) code, as in the catalogue.
    pub township_code: String,
}

impl fmt::Debug for Officer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Debug output ends up in logs: mask the name.
        f.debug_struct("Officer")
            .field("id", &self.id)
            .field("name", &self.masked_name())
            .field("credential_no", &self.credential_no)
            .field("township_code", &self.township_code)
            .finish()
    }
}

impl Officer {
    /// The name with all but the first character masked (`张**`), for logs.
    pub fn masked_name(&self) -> String {
        let mut chars = self.name.chars();
        match chars.next() {
            Some(first) => std::iter::once(first).chain(chars.map(|_| '*')).collect(),
            None => String::new(),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OfficerFile {
    #[serde(default)]
    #[allow(dead_code)] // read for validation only: the notice is for people
    notice: Option<String>,
    officers: Vec<Officer>,
}

/// Loads (inserts or updates) officer profiles from JSON
/// (`{"notice"?, "officers": [{"id", "name", "credential_no", "township_code"}]}`)
/// in one transaction. Returns how many profiles the file held.
pub fn load_officers(store: &mut Store, json: &[u8]) -> Result<usize, DeviceError> {
    let file: OfficerFile =
        serde_json::from_slice(json).map_err(|e| DeviceError::InvalidOfficers(e.to_string()))?;
    for o in &file.officers {
        if o.id.trim().is_empty() || o.name.trim().is_empty() || o.credential_no.trim().is_empty() {
            return Err(DeviceError::InvalidOfficers(format!(
                "officer {:?}: id, name and credential_no must not be empty",
                o.id
            )));
        }
        if o.township_code.len() != 9 || !o.township_code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(DeviceError::InvalidOfficers(format!(
                "officer {}: township_code must be 9 digits",
                o.id
            )));
        }
    }
    let tx = store.conn_mut().transaction()?;
    for o in &file.officers {
        tx.execute(
            "INSERT INTO officer (id, name, credential_no, township_code) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (id) DO UPDATE SET name = excluded.name,
                credential_no = excluded.credential_no, township_code = excluded.township_code",
            (&o.id, &o.name, &o.credential_no, &o.township_code),
        )?;
    }
    tx.commit()?;
    Ok(file.officers.len())
}

fn officer_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Officer> {
    Ok(Officer {
        id: r.get(0)?,
        name: r.get(1)?,
        credential_no: r.get(2)?,
        township_code: r.get(3)?,
    })
}

/// One officer by id.
pub fn officer(store: &Store, id: &str) -> Result<Option<Officer>, DeviceError> {
    Ok(store
        .conn()
        .query_row(
            "SELECT id, name, credential_no, township_code FROM officer WHERE id = ?1",
            [id],
            officer_from_row,
        )
        .optional()?)
}

/// The officers with these ids, in the given order; an unknown id is an error.
pub fn officers_by_id(store: &Store, ids: &[String]) -> Result<Vec<Officer>, DeviceError> {
    ids.iter()
        .map(|id| officer(store, id)?.ok_or_else(|| DeviceError::UnknownOfficer(id.clone())))
        .collect()
}

/// Every officer, by township then id.
pub fn officers(store: &Store) -> Result<Vec<Officer>, DeviceError> {
    let mut st = store.conn().prepare(
        "SELECT id, name, credential_no, township_code FROM officer ORDER BY township_code, id",
    )?;
    let rows = st.query_map([], officer_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Seals and opens the device's private key with a secret kept outside the
/// database. The wrapped form is opaque text stored in the `device` row.
pub trait KeyWrap {
    /// Encrypts `secret`, binding it to `context` (authenticated, not secret).
    fn wrap(&self, secret: &[u8; 32], context: &[u8]) -> Result<String, DeviceError>;
    /// Decrypts what [`KeyWrap::wrap`] produced for the same `context`.
    fn unwrap(&self, wrapped: &str, context: &[u8]) -> Result<Zeroizing<[u8; 32]>, DeviceError>;
}

/// Wraps the device key with a key derived (HKDF-SHA256) from the store key.
pub struct StoreKeyWrap {
    ikm: Zeroizing<Vec<u8>>,
}

impl fmt::Debug for StoreKeyWrap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("StoreKeyWrap(<redacted>)")
    }
}

const WRAP_INFO: &[u8] = b"zhifa/device-signing-key/v1";

impl StoreKeyWrap {
    /// A wrapper keyed by the store key.
    pub fn new(key: &DbKey) -> Self {
        let ikm = match key {
            DbKey::Raw(raw) => raw.to_vec(),
            DbKey::Passphrase(p) => p.as_bytes().to_vec(),
        };
        Self {
            ikm: Zeroizing::new(ikm),
        }
    }

    fn cipher(&self, salt: &[u8]) -> Result<ChaCha20Poly1305, DeviceError> {
        let hk = hkdf::Hkdf::<sha2::Sha256>::new(Some(salt), &self.ikm);
        let mut okm = Zeroizing::new([0u8; 32]);
        hk.expand(WRAP_INFO, okm.as_mut())
            .map_err(|_| DeviceError::Corrupt("hkdf length".into()))?;
        Ok(ChaCha20Poly1305::new(Key::from_slice(okm.as_ref())))
    }
}

fn random<const N: usize>() -> Result<[u8; N], DeviceError> {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).map_err(|e| DeviceError::Random(e.to_string()))?;
    Ok(b)
}

impl KeyWrap for StoreKeyWrap {
    fn wrap(&self, secret: &[u8; 32], context: &[u8]) -> Result<String, DeviceError> {
        let salt: [u8; 16] = random()?;
        let nonce: [u8; 12] = random()?;
        let ct = self
            .cipher(&salt)?
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: secret,
                    aad: context,
                },
            )
            .map_err(|_| DeviceError::Corrupt("encryption failed".into()))?;
        Ok(format!(
            "v1:{}:{}:{}",
            hex::encode(salt),
            hex::encode(nonce),
            hex::encode(ct)
        ))
    }

    fn unwrap(&self, wrapped: &str, context: &[u8]) -> Result<Zeroizing<[u8; 32]>, DeviceError> {
        let parts: Vec<&str> = wrapped.split(':').collect();
        let [version, salt, nonce, ct] = parts.as_slice() else {
            return Err(DeviceError::Corrupt("wrapped key format".into()));
        };
        if *version != "v1" {
            return Err(DeviceError::Corrupt(format!(
                "unknown key wrap version {version}"
            )));
        }
        let bad = |_| DeviceError::Corrupt("wrapped key hex".into());
        let salt = hex::decode(salt).map_err(bad)?;
        let nonce = hex::decode(nonce).map_err(bad)?;
        let ct = hex::decode(ct).map_err(bad)?;
        if nonce.len() != 12 {
            return Err(DeviceError::Corrupt("wrapped key nonce".into()));
        }
        let plain = Zeroizing::new(
            self.cipher(&salt)?
                .decrypt(
                    Nonce::from_slice(&nonce),
                    Payload {
                        msg: &ct,
                        aad: context,
                    },
                )
                .map_err(|_| DeviceError::KeyUnwrap)?,
        );
        let mut out = Zeroizing::new([0u8; 32]);
        if plain.len() != 32 {
            return Err(DeviceError::Corrupt("wrapped key length".into()));
        }
        out.copy_from_slice(&plain);
        Ok(out)
    }
}

/// The device's public identity: readable without any wrapping key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceIdentity {
    /// The device id (UUIDv7).
    pub id: Uuid,
    /// When the identity was created (device clock), RFC 3339.
    pub created_at: String,
    /// The Ed25519 public key.
    pub public_key: VerifyingKey,
}

impl DeviceIdentity {
    /// The public key as 64 hex digits.
    pub fn public_key_hex(&self) -> String {
        hex::encode(self.public_key.as_bytes())
    }

    /// Checks an Ed25519 signature made by this device.
    pub fn verify(&self, msg: &[u8], signature: &[u8]) -> bool {
        let Ok(sig) = Signature::from_slice(signature) else {
            return false;
        };
        self.public_key.verify(msg, &sig).is_ok()
    }
}

/// The device with its unwrapped signing key (kept in memory only).
pub struct Device {
    identity: DeviceIdentity,
    signing: SigningKey,
}

impl fmt::Debug for Device {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Device")
            .field("identity", &self.identity)
            .finish_non_exhaustive()
    }
}

impl Device {
    /// Loads the device, creating its identity and key the first time
    /// (`now` is the device clock, used for the UUIDv7 time and `created_at`).
    pub fn load_or_create(
        store: &Store,
        wrap: &dyn KeyWrap,
        now: DateTime<Utc>,
    ) -> Result<Self, DeviceError> {
        if let Some(d) = Self::load(store, wrap)? {
            return Ok(d);
        }
        let ts = uuid::Timestamp::from_unix(
            uuid::NoContext,
            u64::try_from(now.timestamp()).unwrap_or(0),
            now.timestamp_subsec_nanos(),
        );
        let id = Uuid::new_v7(ts);
        let seed = Zeroizing::new(random::<32>()?);
        let signing = SigningKey::from_bytes(&seed);
        let wrapped = wrap.wrap(&seed, id.as_bytes())?;
        let created_at = now.to_rfc3339_opts(SecondsFormat::Millis, true);
        // INSERT OR IGNORE: if another process created the device meanwhile,
        // its identity wins and is loaded below.
        store.conn().execute(
            "INSERT OR IGNORE INTO device (singleton, id, created_at, public_key, signing_key_wrapped)
             VALUES (1, ?1, ?2, ?3, ?4)",
            (
                id.to_string(),
                &created_at,
                hex::encode(signing.verifying_key().as_bytes()),
                wrapped,
            ),
        )?;
        // The file-encryption key of the sealed evidence and documents
        // (crate::sealed) is born with the device, so that a refused
        // evidence file later changes nothing in the store.
        crate::sealed::FileKey::load_or_create(store)
            .map_err(|e| DeviceError::FileKey(e.to_string()))?;
        Self::load(store, wrap)?.ok_or_else(|| DeviceError::Corrupt("device row vanished".into()))
    }

    /// Loads the device if its identity exists.
    pub fn load(store: &Store, wrap: &dyn KeyWrap) -> Result<Option<Self>, DeviceError> {
        let Some((identity, wrapped)) = read_row(store)? else {
            return Ok(None);
        };
        let seed = wrap.unwrap(&wrapped, identity.id.as_bytes())?;
        let signing = SigningKey::from_bytes(&seed);
        if signing.verifying_key() != identity.public_key {
            return Err(DeviceError::Corrupt(
                "the private key does not match the public key".into(),
            ));
        }
        Ok(Some(Self { identity, signing }))
    }

    /// The public identity.
    pub fn identity(&self) -> &DeviceIdentity {
        &self.identity
    }

    /// The device id.
    pub fn id(&self) -> Uuid {
        self.identity.id
    }

    /// Signs `msg` with the device key.
    pub fn sign(&self, msg: &[u8]) -> [u8; 64] {
        self.signing.sign(msg).to_bytes()
    }
}

/// The device's public identity, if created (no wrapping key needed).
pub fn identity(store: &Store) -> Result<Option<DeviceIdentity>, DeviceError> {
    Ok(read_row(store)?.map(|(i, _)| i))
}

fn read_row(store: &Store) -> Result<Option<(DeviceIdentity, String)>, DeviceError> {
    let row: Option<(String, String, String, String)> = store
        .conn()
        .query_row(
            "SELECT id, created_at, public_key, signing_key_wrapped FROM device WHERE singleton = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    let Some((id, created_at, pk, wrapped)) = row else {
        return Ok(None);
    };
    let id = Uuid::parse_str(&id).map_err(|e| DeviceError::Corrupt(format!("device id: {e}")))?;
    let mut pk_bytes = [0u8; 32];
    hex::decode_to_slice(&pk, &mut pk_bytes)
        .map_err(|_| DeviceError::Corrupt("public key hex".into()))?;
    let public_key = VerifyingKey::from_bytes(&pk_bytes)
        .map_err(|_| DeviceError::Corrupt("public key".into()))?;
    Ok(Some((
        DeviceIdentity {
            id,
            created_at,
            public_key,
        },
        wrapped,
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 7, 1, 2, 0, 0).unwrap()
    }

    fn store(dir: &tempfile::TempDir) -> (Store, DbKey) {
        let key = DbKey::Raw([5; 32]);
        (Store::open(&dir.path().join("d.db"), &key).unwrap(), key)
    }

    #[test]
    fn sample_officers_load_and_cover_the_three_sample_townships() {
        let dir = tempfile::tempdir().unwrap();
        let (mut s, _) = store(&dir);
        let n = load_officers(&mut s, SAMPLE_OFFICERS.as_bytes()).unwrap();
        assert!(n >= 4);
        // Loading twice updates, never duplicates.
        load_officers(&mut s, SAMPLE_OFFICERS.as_bytes()).unwrap();
        let all = officers(&s).unwrap();
        assert_eq!(all.len(), n);
        let mut towns: Vec<&str> = all.iter().map(|o| o.township_code.as_str()).collect();
        towns.dedup();
        assert_eq!(towns, ["500109111", "500110106", "500112108"]);
        let o = officer(&s, "OFF-LX-01").unwrap().unwrap();
        assert_eq!(o.credential_no, "渝执500112108001");
        assert_eq!(o.masked_name(), "张**");
        assert!(
            !format!("{o:?}").contains("建国"),
            "debug output masks the name"
        );
        assert_eq!(
            officers_by_id(&s, &["nobody".into()]).unwrap_err().code(),
            "OFFICER_UNKNOWN"
        );
    }

    #[test]
    fn bad_officer_files_are_refused_whole() {
        let dir = tempfile::tempdir().unwrap();
        let (mut s, _) = store(&dir);
        for bad in [
            r#"{"officers": [{"id": "a", "name": "甲", "credential_no": "1", "township_code": "12"}]}"#,
            r#"{"officers": [{"id": "", "name": "甲", "credential_no": "1", "township_code": "500112108"}]}"#,
            r#"{"officers": [{"id": "a", "name": "甲", "credential_no": "1", "township_code": "500112108", "phone": "1"}]}"#,
            "not json",
        ] {
            assert_eq!(
                load_officers(&mut s, bad.as_bytes()).unwrap_err().code(),
                "OFFICERS_INVALID",
                "{bad}"
            );
        }
        assert!(officers(&s).unwrap().is_empty());
    }

    #[test]
    fn the_device_is_created_once_and_its_private_key_is_not_in_the_database() {
        let dir = tempfile::tempdir().unwrap();
        let (s, key) = store(&dir);
        let wrap = StoreKeyWrap::new(&key);
        assert!(identity(&s).unwrap().is_none());
        let d = Device::load_or_create(&s, &wrap, now()).unwrap();
        assert_eq!(d.id().get_version_num(), 7);
        let again = Device::load_or_create(&s, &wrap, now()).unwrap();
        assert_eq!(again.identity(), d.identity());
        // Same key: signatures verify with the public identity.
        let sig = again.sign(b"msg");
        let public = identity(&s).unwrap().unwrap();
        assert!(public.verify(b"msg", &sig));
        assert!(!public.verify(b"other", &sig));
        // The seed appears nowhere in the database's rows.
        let seed = hex::encode(d.signing.to_bytes());
        let wrapped: String = s
            .conn()
            .query_row("SELECT signing_key_wrapped FROM device", [], |r| r.get(0))
            .unwrap();
        assert!(wrapped.starts_with("v1:"));
        let dump: Vec<String> = s
            .conn()
            .prepare("SELECT * FROM device")
            .unwrap()
            .query_map([], |r| {
                Ok((0..r.as_ref().column_count())
                    .map(|i| format!("{:?}", r.get_ref(i).unwrap()))
                    .collect::<String>())
            })
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert!(!dump.concat().contains(&seed));
        assert!(!dump.concat().to_lowercase().contains(&seed));
    }

    #[test]
    fn the_wrap_is_bound_to_the_store_key_and_the_device_id() {
        let dir = tempfile::tempdir().unwrap();
        let (s, key) = store(&dir);
        Device::load_or_create(&s, &StoreKeyWrap::new(&key), now()).unwrap();
        let other = StoreKeyWrap::new(&DbKey::Raw([6; 32]));
        assert_eq!(
            Device::load(&s, &other).unwrap_err().code(),
            "DEVICE_KEY_UNWRAP"
        );
        // The same wrap under another device id does not open.
        let w = StoreKeyWrap::new(&key);
        let wrapped = w.wrap(&[9; 32], b"device-a").unwrap();
        assert_eq!(*w.unwrap(&wrapped, b"device-a").unwrap(), [9; 32]);
        assert_eq!(
            w.unwrap(&wrapped, b"device-b").unwrap_err().code(),
            "DEVICE_KEY_UNWRAP"
        );
        assert_eq!(
            w.unwrap("v9:00:00:00", b"x").unwrap_err().code(),
            "DEVICE_CORRUPT"
        );
    }
}
