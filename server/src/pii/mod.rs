//! The personal-data vault (issue 15 item 4): envelope encryption of the
//! record keeper's sealed columns.
//!
//! - A **data key** per purpose (`record.case`, `record.case_event`,
//!   `record.inspection`, `record.task`, `blind_index`, and `evidence` —
//!   the evidence store's objects, `crate::blobs::seal`) seals the
//!   values; it lives in table `pii_key` (migration 0011) only **wrapped**
//!   by a master key, and in this process's memory once unwrapped.
//! - A **master key** comes from a [`keys::KeyProvider`]: the key file
//!   (`--master-key-file`, default `DIR/master.key`) or `ZHIFA_MASTER_KEY`;
//!   a KMS or HSM plugs in behind the same trait.
//! - A sealed value is `zv1:{data key id}:{base64(nonce ‖ ciphertext)}`,
//!   XChaCha20-Poly1305 with the purpose and the row's identity as
//!   associated data, so a value copied to another row does not open.
//! - The **blind index** of an ID number is HMAC-SHA256 under the
//!   `blind_index` data key: equal numbers, equal index; the number is not
//!   recoverable from it. That key is not rotated by `rotate-data` (every
//!   index would change).
//! - **Rotation** ([`rotate`]): `zhifa-server keys rotate-master` rewraps
//!   every data key under a fresh master key (the key file holds old and
//!   new until the rewrap committed); `keys rotate-data [--reseal]` gives
//!   each purpose a new data key for new values and, with `--reseal`,
//!   re-encrypts the stored rows under it. Evidence objects keep the key
//!   id in their header and stay readable under a retired key;
//!   `zhifa-server evidence seal --rekey` re-encrypts them.
//! - **Adoption**: a data folder whose records were sealed by the single
//!   `record.key` of the previous release keeps opening them: on first
//!   start that key becomes data key `legacy/1` (wrapped like the others;
//!   values without the `zv1:` prefix open with it) and its derived index
//!   key the `blind_index/1` key, so earlier indexes still match; the file
//!   is then removed.
//!
//! Data keys are created only in [`Vault::prepare`] (its own transaction at
//! start), never inside a push, so no value is ever sealed under a key
//! whose row a rolled-back transaction took with it. Two servers starting
//! at once both try to insert generation 1 of each purpose; the ids are
//! deterministic (`{purpose}/{generation}`), so one insert wins and the
//! other reads it.

pub mod keys;
pub mod rotate;

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use chrono::Utc;

use crate::record::{
    RecordError, Seal, aead_open, aead_seal, b64, purpose, purpose_aad, ts, unb64,
};
use crate::store::sql::{Conn, p};
use keys::{KeyProvider, random_key};

/// The purpose of the blind-index key.
pub const BLIND_INDEX: &str = "blind_index";
/// The purpose of the adopted `record.key` of the previous release.
pub const LEGACY: &str = "legacy";
/// The purpose of the evidence store's data keys (`crate::blobs::seal`).
pub const EVIDENCE: &str = crate::blobs::seal::PURPOSE;
/// The purpose of the console accounts' TOTP secrets (`staff.totp_secret`,
/// a second factor: kept sealed like personal data).
pub const STAFF_TOTP: &str = "staff.totp";
/// The purpose of the words of a supervision step (an opinion, a reply, a
/// reason: they may name a party), `supervise_clue_event.text`.
pub const SUPERVISE_TEXT: &str = "supervise.text";
/// The purpose of a normal-procedure case's steps and details
/// (`procedure_event.event`, `procedure_case.details`).
pub const PROCEDURE: &str = "procedure";
/// The purpose of a city platform's shared HMAC secret (`platform.secret`,
/// `crate::platform`): a credential, kept sealed like personal data.
pub const PLATFORM_SECRET: &str = "platform.secret";
/// The purpose of the reporter of a platform's event
/// (`platform_event.reporter`).
pub const PLATFORM_EVENT: &str = "platform.event";
/// Every purpose the vault keeps a data key for.
pub const PURPOSES: [&str; 11] = [
    purpose::CASE,
    purpose::CASE_EVENT,
    purpose::INSPECTION,
    purpose::TASK,
    BLIND_INDEX,
    EVIDENCE,
    STAFF_TOTP,
    SUPERVISE_TEXT,
    PROCEDURE,
    PLATFORM_SECRET,
    PLATFORM_EVENT,
];

const PREFIX: &str = "zv1:";

fn seal_err(e: impl std::fmt::Display) -> RecordError {
    RecordError::Seal(e.to_string())
}

/// The associated data a data key is wrapped with: its id.
fn wrap_aad(id: &str) -> Vec<u8> {
    format!("zhifa-pii-data-key\n{id}").into_bytes()
}

/// The vault: data keys by id, unwrapped on first use.
pub struct Vault {
    keys: Arc<dyn KeyProvider>,
    /// Unwrapped data keys by id.
    cache: RwLock<HashMap<String, [u8; 32]>>,
    /// The data key id new values of each purpose are sealed with.
    active: RwLock<HashMap<String, String>>,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vault")
            .field("master", &self.keys.current_id())
            .finish_non_exhaustive()
    }
}

impl Vault {
    /// A vault over `keys`; [`Vault::prepare`] it before use.
    pub fn new(keys: Arc<dyn KeyProvider>) -> Self {
        Self {
            keys,
            cache: RwLock::new(HashMap::new()),
            active: RwLock::new(HashMap::new()),
        }
    }

    /// The master keys.
    pub fn provider(&self) -> &Arc<dyn KeyProvider> {
        &self.keys
    }

    /// Inserts a wrapped data key row (nothing when its id exists).
    pub(crate) fn insert_key(
        &self,
        tx: &mut dyn Conn,
        id: &str,
        purpose: &str,
        key: &[u8; 32],
    ) -> Result<(), RecordError> {
        let (master, wrapped) = self.keys.wrap(key, &wrap_aad(id)).map_err(seal_err)?;
        tx.exec(
            "INSERT INTO pii_key (id, purpose, master_id, wrapped, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (id) DO NOTHING",
            p![id, purpose, master, b64(&wrapped), ts(Utc::now())],
        )?;
        Ok(())
    }

    /// Makes sure every purpose has an active data key (creating
    /// generation 1 where none exists), adopts the previous release's
    /// `record.key` when given, and loads the active ids. Runs in its own
    /// write transaction at start.
    pub fn prepare(
        &self,
        tx: &mut dyn Conn,
        legacy_key: Option<&[u8; 32]>,
    ) -> Result<(), RecordError> {
        if let Some(k) = legacy_key {
            self.insert_key(tx, &format!("{LEGACY}/1"), LEGACY, k)?;
            let index = crate::record::KeySeal::new(*k).index_key();
            self.insert_key(tx, &format!("{BLIND_INDEX}/1"), BLIND_INDEX, &index)?;
        }
        let mut active = HashMap::new();
        for purpose in PURPOSES {
            let id = match Self::active_id(tx, purpose)? {
                Some(id) => id,
                None => {
                    let id = format!("{purpose}/1");
                    self.insert_key(tx, &id, purpose, &random_key().map_err(seal_err)?)?;
                    Self::active_id(tx, purpose)?.unwrap_or(id)
                }
            };
            // Unwrap now: a wrong master key fails at start, not mid-push.
            self.data_key(tx, &id)?;
            active.insert(purpose.to_owned(), id);
        }
        *self.active.write().unwrap_or_else(|p| p.into_inner()) = active;
        Ok(())
    }

    /// The newest unretired data key of `purpose`.
    pub(crate) fn active_id(
        c: &mut dyn Conn,
        purpose: &str,
    ) -> Result<Option<String>, RecordError> {
        Ok(c.query_opt(
            "SELECT id FROM pii_key WHERE purpose = ?1 AND retired_at IS NULL
             ORDER BY created_at DESC, id DESC LIMIT 1",
            p![purpose],
        )?
        .map(|r| r.get::<String>(0))
        .transpose()?)
    }

    /// Data key `id`, unwrapped (cached).
    pub(crate) fn data_key(&self, c: &mut dyn Conn, id: &str) -> Result<[u8; 32], RecordError> {
        if let Some(k) = self.cache.read().unwrap_or_else(|p| p.into_inner()).get(id) {
            return Ok(*k);
        }
        let r = c
            .query_opt(
                "SELECT master_id, wrapped FROM pii_key WHERE id = ?1",
                p![id],
            )?
            .ok_or_else(|| RecordError::Seal(format!("数据密钥 {id} 不存在")))?;
        let wrapped = unb64(&r.get::<String>(1)?)?;
        let key = self
            .keys
            .unwrap(&r.get::<String>(0)?, &wrapped, &wrap_aad(id))
            .map_err(seal_err)?;
        self.cache
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id.to_owned(), key);
        Ok(key)
    }

    fn active_for(&self, purpose: &str) -> Result<String, RecordError> {
        self.active
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(purpose)
            .cloned()
            .ok_or_else(|| {
                RecordError::Seal(format!("保管库未就绪：没有用途 {purpose} 的数据密钥"))
            })
    }

    /// Seals under data key `id` (rotation seals under a chosen key).
    pub(crate) fn seal_with(
        &self,
        c: &mut dyn Conn,
        id: &str,
        purpose: &str,
        aad: &[u8],
        plain: &[u8],
    ) -> Result<String, RecordError> {
        let key = self.data_key(c, id)?;
        let bytes = aead_seal(&key, &purpose_aad(purpose, aad), plain)?;
        Ok(format!("{PREFIX}{id}:{}", b64(&bytes)))
    }

    /// The evidence store's key ring: every `evidence` data key,
    /// unwrapped, the active one for new objects, and `fetch` for a key
    /// another process made later (a blocking vault read).
    pub fn evidence_ring(
        &self,
        c: &mut dyn Conn,
        fetch: Option<crate::blobs::seal::Fetch>,
    ) -> Result<crate::blobs::seal::KeyRing, RecordError> {
        let active = self.active_for(EVIDENCE)?;
        let mut keys = HashMap::new();
        for r in c.query("SELECT id FROM pii_key WHERE purpose = ?1", p![EVIDENCE])? {
            let id: String = r.get(0)?;
            let key = self.data_key(c, &id)?;
            keys.insert(id, key);
        }
        Ok(crate::blobs::seal::KeyRing::new(&active, keys, fetch))
    }

    /// Evidence data key `id` (`None`: no such key of that purpose).
    pub fn evidence_key(
        &self,
        c: &mut dyn Conn,
        id: &str,
    ) -> Result<Option<[u8; 32]>, RecordError> {
        let known = c
            .query_opt(
                "SELECT id FROM pii_key WHERE id = ?1 AND purpose = ?2",
                p![id, EVIDENCE],
            )?
            .is_some();
        if !known {
            return Ok(None);
        }
        Ok(Some(self.data_key(c, id)?))
    }

    /// The data key id a sealed value names (`legacy/1` for a value of
    /// the previous release).
    pub fn key_of(sealed: &str) -> Option<&str> {
        match sealed.strip_prefix(PREFIX) {
            Some(rest) => rest.split_once(':').map(|(id, _)| id),
            None => Some("legacy/1"),
        }
    }
}

impl Seal for Vault {
    fn seal(
        &self,
        tx: &mut dyn Conn,
        purpose: &str,
        aad: &[u8],
        plain: &[u8],
    ) -> Result<String, RecordError> {
        let id = self.active_for(purpose)?;
        self.seal_with(tx, &id, purpose, aad, plain)
    }

    fn open(
        &self,
        c: &mut dyn Conn,
        purpose: &str,
        aad: &[u8],
        sealed: &str,
    ) -> Result<Vec<u8>, RecordError> {
        let (id, body) = match sealed.strip_prefix(PREFIX) {
            Some(rest) => rest
                .split_once(':')
                .ok_or_else(|| RecordError::Seal("密文格式无效".into()))?,
            None => ("legacy/1", sealed),
        };
        let key = self.data_key(c, id)?;
        aead_open(&key, &purpose_aad(purpose, aad), &unb64(body)?)
    }

    fn blind_index(&self, c: &mut dyn Conn, value: &str) -> Result<String, RecordError> {
        use hmac::{Hmac, Mac};
        let id = self.active_for(BLIND_INDEX)?;
        let key = self.data_key(c, &id)?;
        let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(&key).map_err(seal_err)?;
        mac.update(value.as_bytes());
        Ok(hex::encode(mac.finalize().into_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::keys::LocalKeys;
    use super::*;
    use crate::record::KeySeal;
    use crate::store::Db;

    fn vault(master: u8) -> Vault {
        Vault::new(Arc::new(LocalKeys::new(vec![[master; 32]]).unwrap()))
    }

    /// Runs `f` in one write transaction of `store`.
    fn write<T: serde::Serialize + serde::de::DeserializeOwned>(
        store: &Db,
        mut f: impl FnMut(&mut dyn Conn) -> Result<T, RecordError>,
    ) -> Result<T, String> {
        let mut failed = None;
        let v = store.record_write(|tx, _| match f(tx) {
            Ok(v) => Ok(serde_json::to_value(v).unwrap()),
            Err(e) => {
                failed = Some(e.to_string());
                Err(RecordError::Seal(String::new()).into())
            }
        });
        if let Some(e) = failed {
            return Err(e);
        }
        Ok(serde_json::from_value(v.unwrap()).unwrap())
    }

    #[test]
    fn values_open_only_for_their_row_and_survive_a_restart() {
        let store = Db::in_memory().unwrap();
        let v = vault(1);
        write(&store, |tx| v.prepare(tx, None)).unwrap();
        let sealed: String = write(&store, |tx| {
            v.seal(tx, purpose::CASE, b"case:a:v1", "周小川".as_bytes())
        })
        .unwrap();
        assert!(sealed.starts_with("zv1:record.case/1:"), "{sealed}");
        assert!(!sealed.contains("周小川"));
        let open = |v: &Vault, aad: &[u8]| {
            let s = sealed.clone();
            write(&store, move |tx| v.open(tx, purpose::CASE, aad, &s))
        };
        assert_eq!(open(&v, b"case:a:v1").unwrap(), "周小川".as_bytes());
        assert!(open(&v, b"case:b:v1").is_err(), "another row's AAD");
        // Another process with the same master key: the keys are in the
        // database, wrapped; it opens the value.
        let again = vault(1);
        write(&store, |tx| again.prepare(tx, None)).unwrap();
        assert_eq!(open(&again, b"case:a:v1").unwrap(), "周小川".as_bytes());
        // Another master key cannot unwrap them: refused at prepare.
        let wrong = vault(2);
        let e = write(&store, |tx| wrong.prepare(tx, None)).unwrap_err();
        assert!(e.contains("主密钥"), "{e}");
        // The blind index is stable and keyed.
        let a: String = write(&store, |tx| v.blind_index(tx, "500112198506120031")).unwrap();
        let b: String = write(&store, |tx| again.blind_index(tx, "500112198506120031")).unwrap();
        let c: String = write(&store, |tx| v.blind_index(tx, "500112198506120032")).unwrap();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert!(!a.contains("500112"));
    }

    #[test]
    fn the_previous_release_record_key_is_adopted() {
        let store = Db::in_memory().unwrap();
        let old = KeySeal::new([9; 32]);
        let (sealed, index): (String, String) = write(&store, |tx| {
            Ok((
                old.seal(tx, purpose::TASK, b"task:t:r0", b"{}")?,
                old.blind_index(tx, "500112198506120031")?,
            ))
        })
        .unwrap();
        let v = vault(1);
        write(&store, |tx| v.prepare(tx, Some(&[9; 32]))).unwrap();
        assert_eq!(Vault::key_of(&sealed), Some("legacy/1"));
        let opened: Vec<u8> = write(&store, |tx| {
            v.open(tx, purpose::TASK, b"task:t:r0", &sealed)
        })
        .unwrap();
        assert_eq!(opened, b"{}");
        let now: String = write(&store, |tx| v.blind_index(tx, "500112198506120031")).unwrap();
        assert_eq!(now, index, "earlier indexes still match");
        // New values are sealed under the vault's own key, not the legacy one.
        let fresh: String =
            write(&store, |tx| v.seal(tx, purpose::TASK, b"task:t:r1", b"{}")).unwrap();
        assert_eq!(Vault::key_of(&fresh), Some("record.task/1"));
    }
}
