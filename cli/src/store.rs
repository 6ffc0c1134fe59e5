//! Finding the data folder and the key, and opening the device store.
//!
//! The store is `DIR/device.db`. Its key, in this order:
//!
//! 1. `ZHIFA_DB_KEY` (64 hex digits = raw key, anything else = passphrase);
//! 2. a `DIR/device.key` left by an older version: used, then moved to the
//!    key's home below (written and read back there first, then the old
//!    file removed), so no key stays beside the store;
//! 3. the key file `KEYS/<id>.key` (`KEYS` = `ZHIFA_KEY_DIR`, else
//!    `$XDG_CONFIG_HOME/zhifa/keys`, i.e. `~/.config/zhifa/keys`; folder
//!    0700, file 0600; `<id>` = the first 32 hex digits of SHA-256 of the
//!    data folder's canonical path), outside the data folder;
//! 4. the OS keystore (Secret Service, Keychain, Credential Manager, via the
//!    `keyring` crate as in the app; entry `cn.zhifa.cli` / `store-<id>`);
//! 5. none yet: a new random key goes to the OS keystore when one answers
//!    (and reads back), otherwise to the key file of 3. `ZHIFA_KEYSTORE=file`
//!    skips the keystore (headless boxes, tests).
//!
//! A key is only ever created for a data folder without a store: if
//! `device.db` exists and no key is found, the command fails rather than
//! lock the officer out behind a new key.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use zhifa_core::store::{DbKey, Store};

use crate::Ctx;
use crate::output::Failure;

/// The store file name inside the data folder.
pub(crate) const DB_FILE: &str = "device.db";
/// The key file name older versions kept inside the data folder.
pub(crate) const LEGACY_KEY_FILE: &str = "device.key";
#[cfg(feature = "os-keystore")]
const SERVICE: &str = "cn.zhifa.cli";

/// The data folder: `--data`, `ZHIFA_DATA`, or the per-user data folder.
pub(crate) fn data_dir(ctx: &Ctx) -> Result<PathBuf, Failure> {
    if let Some(d) = &ctx.data {
        return Ok(d.clone());
    }
    directories::ProjectDirs::from("cn", "zhifa", "zhifa")
        .map(|p| p.data_dir().to_owned())
        .ok_or_else(|| Failure::bad_input("NO_DATA_DIR", "无法确定用户数据目录，请用 --data 指定"))
}

/// Opens (creating if needed) the device store of the data folder.
pub(crate) fn open(ctx: &Ctx) -> Result<Store, Failure> {
    Ok(open_keyed(ctx)?.0)
}

/// Opens the store and also returns its key and the data folder (for
/// commands that derive from the key, such as the device-key wrap).
pub(crate) fn open_keyed(ctx: &Ctx) -> Result<(Store, DbKey, PathBuf), Failure> {
    let dir = data_dir(ctx)?;
    create_private_dir(&dir).map_err(|e| {
        Failure::bad_input(
            "DATA_DIR",
            format!("无法创建数据目录 {}: {e}", dir.display()),
        )
    })?;
    let key = load_key(&dir)?;
    let store = Store::open(&dir.join(DB_FILE), &key)?;
    Ok((store, key, dir))
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut b = fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
    b.create(dir)
}

/// The id of a data folder: its canonical path, hashed.
fn folder_id(dir: &Path) -> String {
    let canon = fs::canonicalize(dir).unwrap_or_else(|_| dir.to_owned());
    let h = Sha256::digest(canon.as_os_str().as_encoded_bytes());
    hex::encode(&h[..16])
}

/// The folder of the key files (outside every data folder).
pub(crate) fn key_dir() -> Result<PathBuf, Failure> {
    if let Some(d) = std::env::var_os("ZHIFA_KEY_DIR").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(d));
    }
    directories::BaseDirs::new()
        .map(|b| b.config_dir().join("zhifa").join("keys"))
        .ok_or_else(|| {
            Failure::bad_input(
                "KEY_DIR",
                "无法确定配置目录，请设置 ZHIFA_KEY_DIR 或 ZHIFA_DB_KEY",
            )
        })
}

/// Where the key file of the data folder `dir` lives.
pub(crate) fn key_file(dir: &Path) -> Result<PathBuf, Failure> {
    Ok(key_dir()?.join(format!("{}.key", folder_id(dir))))
}

fn key_failure(path: &Path, e: impl std::fmt::Display) -> Failure {
    Failure::internal(
        "KEY_FILE",
        format!("无法读写密钥文件 {}: {e}", path.display()),
    )
}

fn read_key_file(path: &Path) -> Result<Option<DbKey>, Failure> {
    match fs::read_to_string(path) {
        Ok(text) => Ok(Some(DbKey::parse(&text)?)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Failure::bad_input(
            "KEY_FILE",
            format!("无法读取密钥文件 {}: {e}", path.display()),
        )),
    }
}

fn load_key(dir: &Path) -> Result<DbKey, Failure> {
    if let Ok(k) = std::env::var("ZHIFA_DB_KEY") {
        return Ok(DbKey::parse(&k)?);
    }
    let id = folder_id(dir);
    let file = key_file(dir)?;
    let legacy = dir.join(LEGACY_KEY_FILE);
    if let Some(key) = read_key_file(&legacy)? {
        move_legacy(&legacy, &key, &id, &file)?;
        return Ok(key);
    }
    if let Some(key) = read_key_file(&file)? {
        return Ok(key);
    }
    if let Some(key) = keystore::get(&id) {
        return Ok(key);
    }
    if dir.join(DB_FILE).exists() {
        return Err(Failure::bad_input(
            "KEY_MISSING",
            format!(
                "找不到数据目录 {} 的数据库密钥 (系统密钥库与 {} 均无)，请设置 ZHIFA_DB_KEY",
                dir.display(),
                file.display()
            ),
        ));
    }
    let key = DbKey::generate()?;
    store_new_key(&key, &id, &file)?;
    Ok(key)
}

/// Keeps a new key: in the OS keystore if one answers (and reads it back),
/// otherwise in the key file.
fn store_new_key(key: &DbKey, id: &str, file: &Path) -> Result<(), Failure> {
    let hex = key
        .to_hex()
        .ok_or_else(|| Failure::internal("KEY_FILE", "generated key has no hex form"))?;
    if keystore::set(id, &hex) {
        return Ok(());
    }
    write_key_file(file, &hex).map_err(|e| key_failure(file, e))
}

/// Moves the key an older version kept in the data folder to its home:
/// the new copy is durable (or in the keystore and read back) before the
/// old file is removed, so a crash leaves at least one copy.
fn move_legacy(legacy: &Path, key: &DbKey, id: &str, file: &Path) -> Result<(), Failure> {
    let hex = key.to_hex();
    let kept = match (&hex, read_key_file(file)?) {
        // Already moved (a crash before the removal): same key required.
        (Some(h), Some(k)) => k.to_hex().as_deref() == Some(h.as_str()),
        (Some(h), None) => keystore::set(id, h) || write_key_file(file, h).is_ok(),
        // A passphrase key file: leave it where it is.
        (None, _) => false,
    };
    if kept {
        fs::remove_file(legacy).map_err(|e| key_failure(legacy, e))?;
        sync_dir(legacy.parent().unwrap_or(Path::new("."))).map_err(|e| key_failure(legacy, e))?;
    }
    Ok(())
}

fn sync_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    fs::File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// Writes the new key file atomically: a private temp file beside it,
/// fsync, then a rename that fails if a key file appeared meanwhile, then a
/// directory fsync. A crash at any point leaves either no key file (and no
/// store encrypted under it) or the whole key — never a truncated one,
/// which would lock the officer out of the store for good.
fn write_key_file(path: &Path, hex: &str) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    create_private_dir(dir)?;
    let mut builder = tempfile::Builder::new();
    builder.prefix(".key.");
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o600));
    let mut tmp = builder.tempfile_in(dir)?;
    tmp.write_all(hex.as_bytes())?;
    tmp.write_all(b"\n")?;
    tmp.as_file().sync_all()?;
    tmp.persist_noclobber(path).map_err(|e| e.error)?;
    sync_dir(dir)
}

/// The OS keystore, where one answers; every failure means "not here".
mod keystore {
    use zhifa_core::store::DbKey;

    #[cfg(feature = "os-keystore")]
    fn entry(id: &str) -> Option<keyring::Entry> {
        if std::env::var_os("ZHIFA_KEYSTORE").is_some_and(|v| v == "file") {
            return None;
        }
        keyring::Entry::new(super::SERVICE, &format!("store-{id}")).ok()
    }

    /// The stored key of folder `id`, if the keystore answers and has one.
    #[cfg(feature = "os-keystore")]
    pub(super) fn get(id: &str) -> Option<DbKey> {
        let text = entry(id)?.get_password().ok()?;
        DbKey::parse(text.trim()).ok()
    }

    /// Stores `hex` for folder `id` and reads it back; false if the
    /// keystore does not answer or loses it.
    #[cfg(feature = "os-keystore")]
    pub(super) fn set(id: &str, hex: &str) -> bool {
        let Some(e) = entry(id) else { return false };
        e.set_password(hex).is_ok() && e.get_password().is_ok_and(|back| back == hex)
    }

    #[cfg(not(feature = "os-keystore"))]
    pub(super) fn get(_id: &str) -> Option<DbKey> {
        None
    }

    #[cfg(not(feature = "os-keystore"))]
    pub(super) fn set(_id: &str, _hex: &str) -> bool {
        false
    }
}
