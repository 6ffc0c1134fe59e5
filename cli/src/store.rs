//! Finding the data folder and the key, and opening the device store.
//!
//! The key comes from `ZHIFA_DB_KEY` (64 hex digits = raw key, anything else
//! = passphrase) or, failing that, from `DIR/device.key`, which is created
//! with a fresh random key and mode 0600 on first use. The store itself is
//! `DIR/device.db`.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use zhifa_core::store::{DbKey, Store};

use crate::Ctx;
use crate::output::Failure;

/// The store file name inside the data folder.
pub(crate) const DB_FILE: &str = "device.db";
/// The key file name inside the data folder.
pub(crate) const KEY_FILE: &str = "device.key";

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
    create_private_dir(&dir)?;
    let key = load_key(&dir)?;
    let store = Store::open(&dir.join(DB_FILE), &key)?;
    Ok((store, key, dir))
}

fn create_private_dir(dir: &Path) -> Result<(), Failure> {
    let mut b = fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
    b.create(dir).map_err(|e| {
        Failure::bad_input(
            "DATA_DIR",
            format!("无法创建数据目录 {}: {e}", dir.display()),
        )
    })
}

fn load_key(dir: &Path) -> Result<DbKey, Failure> {
    if let Ok(k) = std::env::var("ZHIFA_DB_KEY") {
        return Ok(DbKey::parse(&k)?);
    }
    let path = dir.join(KEY_FILE);
    match fs::read_to_string(&path) {
        Ok(text) => Ok(DbKey::parse(&text)?),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let key = DbKey::generate()?;
            let hex = key.to_hex().unwrap_or_default();
            write_key_file(&path, &hex).map_err(|e| {
                Failure::internal(
                    "KEY_FILE",
                    format!("无法写入密钥文件 {}: {e}", path.display()),
                )
            })?;
            Ok(key)
        }
        Err(e) => Err(Failure::bad_input(
            "KEY_FILE",
            format!("无法读取密钥文件 {}: {e}", path.display()),
        )),
    }
}

/// Writes the new key file atomically: a private temp file beside it,
/// fsync, then a rename that fails if a key file appeared meanwhile, then a
/// directory fsync. A crash at any point leaves either no key file (and no
/// store encrypted under it) or the whole key — never a truncated one,
/// which would lock the officer out of the store for good.
fn write_key_file(path: &Path, hex: &str) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut builder = tempfile::Builder::new();
    builder.prefix(".device.key.");
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o600));
    let mut tmp = builder.tempfile_in(dir)?;
    tmp.write_all(hex.as_bytes())?;
    tmp.write_all(b"\n")?;
    tmp.as_file().sync_all()?;
    tmp.persist_noclobber(path).map_err(|e| e.error)?;
    #[cfg(unix)]
    fs::File::open(dir)?.sync_all()?;
    Ok(())
}
