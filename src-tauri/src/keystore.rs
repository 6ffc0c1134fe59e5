//! Where the device store's key lives.
//!
//! On desktop it is kept in the OS keystore through the `keyring` crate
//! (Secret Service on Linux, Keychain on macOS, Credential Manager on
//! Windows), created with a fresh random key on first start. Where no
//! keystore answers (a headless Linux session without a Secret Service, as
//! in CI), the key falls back to a private file beside the store (mode
//! 0600), the same scheme as the `zhifa` CLI, and the app reports which
//! source it used. `ZHIFA_DB_KEY` overrides both (tests, recovery). On
//! Android and iOS the plan is the platform keystore (src-tauri/README.md);
//! until that is wired, mobile uses the file fallback inside the app's
//! private data folder.

use std::path::Path;

use zhifa_core::store::DbKey;

/// The keystore service name.
const SERVICE: &str = "cn.zhifa.app";
/// The entry holding the device store key.
const ACCOUNT: &str = "device-store-key";
/// The fallback file inside the data folder.
const KEY_FILE: &str = "device.key";

/// Where the key came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    /// `ZHIFA_DB_KEY`.
    Environment,
    /// The OS keystore.
    OsKeystore,
    /// The private file, with why the keystore was not used.
    File(String),
}

/// A failure to obtain the key.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The key text is unusable.
    #[error("数据库密钥无效：{0}")]
    Invalid(String),
    /// The fallback file could not be read or written.
    #[error("无法读写密钥文件 {path}：{message}")]
    File {
        /// The file.
        path: String,
        /// The OS error.
        message: String,
    },
}

fn parse(text: &str) -> Result<DbKey, KeyError> {
    DbKey::parse(text.trim()).map_err(|e| KeyError::Invalid(e.to_string()))
}

/// The device store key for `data_dir`, creating one on first use.
pub fn load_or_create(data_dir: &Path) -> Result<(DbKey, KeySource), KeyError> {
    if let Ok(k) = std::env::var("ZHIFA_DB_KEY") {
        return Ok((parse(&k)?, KeySource::Environment));
    }
    let why = match os_keystore() {
        Ok(key) => return Ok((key, KeySource::OsKeystore)),
        Err(why) => why,
    };
    Ok((file_key(data_dir)?, KeySource::File(why)))
}

#[cfg(desktop)]
fn os_keystore() -> Result<DbKey, String> {
    if std::env::var_os("ZHIFA_KEYSTORE").is_some_and(|v| v == "file") {
        return Err("ZHIFA_KEYSTORE=file".into());
    }
    let entry = keyring::Entry::new(SERVICE, ACCOUNT).map_err(|e| e.to_string())?;
    match entry.get_password() {
        Ok(text) => DbKey::parse(text.trim()).map_err(|e| e.to_string()),
        Err(keyring::Error::NoEntry) => {
            let key = DbKey::generate().map_err(|e| e.to_string())?;
            let hex = key.to_hex().ok_or("generated key has no hex form")?;
            entry.set_password(&hex).map_err(|e| e.to_string())?;
            // Read back: a keystore that accepts and loses the secret must
            // not leave the store encrypted under a key nobody holds.
            match entry.get_password() {
                Ok(back) if back == hex => Ok(key),
                Ok(_) => Err("keystore returned a different key".into()),
                Err(e) => Err(e.to_string()),
            }
        }
        Err(e) => Err(e.to_string()),
    }
}

#[cfg(mobile)]
fn os_keystore() -> Result<DbKey, String> {
    Err("platform keystore not wired yet (see src-tauri/README.md)".into())
}

fn file_key(dir: &Path) -> Result<DbKey, KeyError> {
    let path = dir.join(KEY_FILE);
    let fail = |e: std::io::Error| KeyError::File {
        path: path.display().to_string(),
        message: e.to_string(),
    };
    match std::fs::read_to_string(&path) {
        Ok(text) => parse(&text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(dir).map_err(fail)?;
            let key = DbKey::generate().map_err(|e| KeyError::Invalid(e.to_string()))?;
            let hex = key
                .to_hex()
                .ok_or_else(|| KeyError::Invalid("generated key has no hex form".into()))?;
            let mut b = tempfile::Builder::new();
            b.prefix(".device.key.");
            #[cfg(unix)]
            b.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o600));
            let mut tmp = b.tempfile_in(dir).map_err(fail)?;
            std::io::Write::write_all(&mut tmp, format!("{hex}\n").as_bytes()).map_err(fail)?;
            tmp.as_file().sync_all().map_err(fail)?;
            tmp.persist_noclobber(&path).map_err(|e| fail(e.error))?;
            Ok(key)
        }
        Err(e) => Err(fail(e)),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_file_fallback_keeps_one_key_per_folder() {
        let dir = tempfile::tempdir().unwrap();
        let a = file_key(dir.path()).unwrap().to_hex().unwrap();
        let b = file_key(dir.path()).unwrap().to_hex().unwrap();
        assert_eq!(a, b);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(KEY_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
