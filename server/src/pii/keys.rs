//! Master keys: the [`KeyProvider`] seam and its local implementation.
//!
//! A master key never touches the database: it only wraps and unwraps the
//! vault's data keys. [`LocalKeys`] holds 256-bit keys in memory, read
//! from a key file (one hex key per line, the first one current; created
//! 0600 with a fresh key when missing) or from the environment
//! (`ZHIFA_MASTER_KEY`, and `ZHIFA_MASTER_KEY_PREVIOUS` while rotating). A
//! KMS, or an HSM for 商用密码 (GB/T 39786), plugs in as another
//! `KeyProvider`: it wraps and unwraps by key id and never hands the
//! master key out.

use std::path::{Path, PathBuf};

use chacha20poly1305::XChaCha20Poly1305;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use sha2::{Digest, Sha256};

/// Why a key operation failed.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The key file or variable is unreadable or malformed.
    #[error("主密钥无效：{0}")]
    Invalid(String),
    /// A data key is wrapped by a master key this provider does not hold.
    #[error("缺少主密钥 {0}（轮换时请同时提供旧主密钥）")]
    Missing(String),
    /// Unwrapping failed: a wrong key or a changed row.
    #[error("数据密钥解封失败（主密钥不符或记录被改动）")]
    Unwrap,
    /// No randomness.
    #[error("随机数不可用：{0}")]
    Random(String),
    /// Reading or writing the key file.
    #[error("密钥文件读写失败：{0}")]
    Io(#[from] std::io::Error),
}

/// Wraps and unwraps data keys under master keys it names by id.
pub trait KeyProvider: Send + Sync {
    /// The id of the master key new wrappings use.
    fn current_id(&self) -> String;
    /// Wraps `data_key` under the current master key, binding `aad`.
    /// Returns the master key's id and the wrapped bytes.
    fn wrap(&self, data_key: &[u8; 32], aad: &[u8]) -> Result<(String, Vec<u8>), KeyError>;
    /// Unwraps what `wrap` made under master key `master_id`.
    fn unwrap(&self, master_id: &str, wrapped: &[u8], aad: &[u8]) -> Result<[u8; 32], KeyError>;
}

/// The id of a master key: the first 16 hex digits of a hash of it (so a
/// key file needs no ids, and an id reveals nothing of the key).
pub fn key_id(key: &[u8; 32]) -> String {
    let h = Sha256::digest([b"zhifa-master-key-id-v1\n".as_slice(), key].concat());
    hex::encode(&h[..8])
}

/// 32 random bytes.
pub fn random_key() -> Result<[u8; 32], KeyError> {
    let mut k = [0u8; 32];
    getrandom::fill(&mut k).map_err(|e| KeyError::Random(e.to_string()))?;
    Ok(k)
}

fn parse_key(text: &str) -> Result<[u8; 32], KeyError> {
    hex::decode(text.trim())
        .ok()
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
        .ok_or_else(|| KeyError::Invalid("应为 64 位十六进制（32 字节）".into()))
}

/// Master keys held in memory; the first is current.
pub struct LocalKeys {
    keys: Vec<[u8; 32]>,
    file: Option<PathBuf>,
}

impl std::fmt::Debug for LocalKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ids: Vec<String> = self.keys.iter().map(key_id).collect();
        f.debug_struct("LocalKeys")
            .field("ids", &ids)
            .field("file", &self.file)
            .finish()
    }
}

/// The environment variable holding the current master key (hex).
pub const ENV_KEY: &str = "ZHIFA_MASTER_KEY";
/// The environment variable holding the previous master key while
/// rotating (hex).
pub const ENV_PREVIOUS: &str = "ZHIFA_MASTER_KEY_PREVIOUS";

/// The environment variable naming the key file (default
/// `DIR/master.key`). Production keeps it outside the data folder, so a
/// copy of the folder or a backup of it holds no key.
pub const ENV_FILE: &str = "ZHIFA_MASTER_KEY_FILE";

/// The key file of data folder `data`: `ZHIFA_MASTER_KEY_FILE` or
/// `DIR/master.key`.
pub fn key_file(data: &Path) -> PathBuf {
    std::env::var_os(ENV_FILE).map_or_else(|| data.join("master.key"), PathBuf::from)
}

/// The master keys of data folder `data`: `ZHIFA_MASTER_KEY` when set,
/// else the key file ([`key_file`], created when missing).
pub fn master_keys(data: &Path) -> Result<LocalKeys, KeyError> {
    match LocalKeys::from_env()? {
        Some(k) => Ok(k),
        None => LocalKeys::load_or_create(&key_file(data)),
    }
}

impl LocalKeys {
    /// The keys in `ZHIFA_MASTER_KEY` (and `ZHIFA_MASTER_KEY_PREVIOUS`),
    /// or `None` when the first is unset.
    pub fn from_env() -> Result<Option<Self>, KeyError> {
        let Ok(current) = std::env::var(ENV_KEY) else {
            return Ok(None);
        };
        let mut keys = vec![parse_key(&current)?];
        if let Ok(prev) = std::env::var(ENV_PREVIOUS) {
            keys.push(parse_key(&prev)?);
        }
        Ok(Some(Self { keys, file: None }))
    }

    /// The keys of the key file at `path`, created with one fresh key
    /// (mode 0600 under the server's umask) when missing.
    pub fn load_or_create(path: &Path) -> Result<Self, KeyError> {
        match std::fs::read_to_string(path) {
            Ok(text) => {
                let keys = text
                    .lines()
                    .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
                    .map(parse_key)
                    .collect::<Result<Vec<_>, _>>()?;
                if keys.is_empty() {
                    return Err(KeyError::Invalid(format!("{} 中没有密钥", path.display())));
                }
                Ok(Self {
                    keys,
                    file: Some(path.to_owned()),
                })
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let me = Self {
                    keys: vec![random_key()?],
                    file: Some(path.to_owned()),
                };
                me.save()?;
                Ok(me)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Keys given directly (tests, benchmarks); the first is current.
    pub fn new(keys: Vec<[u8; 32]>) -> Result<Self, KeyError> {
        if keys.is_empty() {
            return Err(KeyError::Invalid("没有密钥".into()));
        }
        Ok(Self { keys, file: None })
    }

    /// The ids of the keys held, current first.
    pub fn ids(&self) -> Vec<String> {
        self.keys.iter().map(key_id).collect()
    }

    /// The key file, when the keys came from one.
    pub fn file(&self) -> Option<&Path> {
        self.file.as_deref()
    }

    /// A fresh current key in front of the ones held (the old ones still
    /// unwrap), written to the key file first when there is one.
    pub fn push_new(&mut self) -> Result<String, KeyError> {
        let k = random_key()?;
        self.keys.insert(0, k);
        self.save()?;
        Ok(key_id(&k))
    }

    /// Keeps only the current key (after every data key was rewrapped),
    /// in memory and in the key file.
    pub fn drop_old(&mut self) -> Result<Vec<String>, KeyError> {
        let old: Vec<String> = self.keys.iter().skip(1).map(key_id).collect();
        self.keys.truncate(1);
        self.save()?;
        Ok(old)
    }

    /// Writes the key file (temporary file, fsync, rename, folder fsync).
    fn save(&self) -> Result<(), KeyError> {
        use std::io::Write as _;
        let Some(path) = &self.file else {
            return Ok(());
        };
        let tmp = path.with_extension("tmp");
        let mut f = std::fs::File::create(&tmp)?;
        let mut text = String::from("# zhifa-server master keys: the first is current\n");
        for k in &self.keys {
            text.push_str(&hex::encode(k));
            text.push('\n');
        }
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)?;
        if let Some(dir) = path.parent() {
            std::fs::File::open(dir)?.sync_all()?;
        }
        Ok(())
    }

    fn key(&self, id: &str) -> Option<&[u8; 32]> {
        self.keys.iter().find(|k| key_id(k) == id)
    }
}

impl KeyProvider for LocalKeys {
    fn current_id(&self) -> String {
        key_id(&self.keys[0])
    }

    fn wrap(&self, data_key: &[u8; 32], aad: &[u8]) -> Result<(String, Vec<u8>), KeyError> {
        let master = &self.keys[0];
        let mut nonce = [0u8; 24];
        getrandom::fill(&mut nonce).map_err(|e| KeyError::Random(e.to_string()))?;
        let ct = XChaCha20Poly1305::new(master.into())
            .encrypt((&nonce).into(), Payload { msg: data_key, aad })
            .map_err(|_| KeyError::Unwrap)?;
        Ok((key_id(master), [nonce.as_slice(), &ct].concat()))
    }

    fn unwrap(&self, master_id: &str, wrapped: &[u8], aad: &[u8]) -> Result<[u8; 32], KeyError> {
        let master = self
            .key(master_id)
            .ok_or_else(|| KeyError::Missing(master_id.to_owned()))?;
        if wrapped.len() < 24 {
            return Err(KeyError::Unwrap);
        }
        let (nonce, ct) = wrapped.split_at(24);
        let plain = XChaCha20Poly1305::new(master.into())
            .decrypt(nonce.into(), Payload { msg: ct, aad })
            .map_err(|_| KeyError::Unwrap)?;
        <[u8; 32]>::try_from(plain.as_slice()).map_err(|_| KeyError::Unwrap)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wrapped_key_opens_only_with_its_master_and_aad() {
        let a = LocalKeys::new(vec![[1; 32]]).unwrap();
        let b = LocalKeys::new(vec![[2; 32]]).unwrap();
        let (id, w) = a.wrap(&[7; 32], b"k1").unwrap();
        assert_eq!(id, a.current_id());
        assert_eq!(a.unwrap(&id, &w, b"k1").unwrap(), [7; 32]);
        assert!(matches!(a.unwrap(&id, &w, b"k2"), Err(KeyError::Unwrap)));
        assert!(matches!(
            b.unwrap(&id, &w, b"k1"),
            Err(KeyError::Missing(_))
        ));
        let mut flipped = w.clone();
        flipped[30] ^= 1;
        assert!(matches!(
            a.unwrap(&id, &flipped, b"k1"),
            Err(KeyError::Unwrap)
        ));
    }

    #[test]
    fn the_key_file_is_created_once_and_keeps_old_keys_until_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("master.key");
        let mut k = LocalKeys::load_or_create(&path).unwrap();
        let first = k.current_id();
        assert_eq!(
            LocalKeys::load_or_create(&path).unwrap().ids(),
            vec![first.clone()]
        );
        let second = k.push_new().unwrap();
        assert_ne!(first, second);
        let reread = LocalKeys::load_or_create(&path).unwrap();
        assert_eq!(reread.ids(), vec![second.clone(), first.clone()]);
        assert_eq!(k.drop_old().unwrap(), vec![first]);
        assert_eq!(
            LocalKeys::load_or_create(&path).unwrap().ids(),
            vec![second]
        );
        std::fs::write(&path, "zz\n").unwrap();
        assert!(matches!(
            LocalKeys::load_or_create(&path),
            Err(KeyError::Invalid(_))
        ));
    }
}
