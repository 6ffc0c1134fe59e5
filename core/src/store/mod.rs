//! The encrypted device store: one SQLCipher database per device.
//!
//! Everything the officer's device keeps (catalogue releases, and later
//! cases, evidence records and the sync outbox) lives in one SQLite file
//! encrypted with SQLCipher. The key never comes from this crate: the app
//! takes it from the OS keystore, the CLI from `ZHIFA_DB_KEY` or a key file.
//!
//! Opening a store always (1) applies the key and proves it right, (2) sets
//! the durability pragmas (WAL, `synchronous=FULL`, foreign keys), and
//! (3) runs the forward-only migrations of [`migrate`], refusing a database
//! written by a newer version of Zhifa.

pub mod migrate;

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};

use crate::ErrorCode;

/// The key a store is encrypted with.
#[derive(Clone)]
pub enum DbKey {
    /// A raw 256-bit key, used as is (no key derivation, so opening is fast).
    /// This is what the app and the CLI's key file use.
    Raw([u8; 32]),
    /// A passphrase, stretched by SQLCipher's PBKDF2 (slow by design).
    Passphrase(String),
}

impl std::fmt::Debug for DbKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print key material, not even in debug output.
        match self {
            Self::Raw(_) => f.write_str("DbKey::Raw(<redacted>)"),
            Self::Passphrase(_) => f.write_str("DbKey::Passphrase(<redacted>)"),
        }
    }
}

impl DbKey {
    /// Parses a key as given by an operator: 64 hex digits are a raw key,
    /// anything else non-empty is a passphrase.
    pub fn parse(text: &str) -> Result<Self, StoreError> {
        let t = text.trim();
        if t.is_empty() {
            return Err(StoreError::EmptyKey);
        }
        if t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()) {
            let mut raw = [0u8; 32];
            hex::decode_to_slice(t, &mut raw).map_err(|_| StoreError::EmptyKey)?;
            return Ok(Self::Raw(raw));
        }
        Ok(Self::Passphrase(t.to_owned()))
    }

    /// A new random raw key from the operating system's CSPRNG.
    pub fn generate() -> Result<Self, StoreError> {
        let mut raw = [0u8; 32];
        getrandom::fill(&mut raw).map_err(|e| StoreError::Random(e.to_string()))?;
        Ok(Self::Raw(raw))
    }

    /// The 64-hex-digit form of a raw key (for writing a key file).
    pub fn to_hex(&self) -> Option<String> {
        match self {
            Self::Raw(raw) => Some(hex::encode(raw)),
            Self::Passphrase(_) => None,
        }
    }

    fn apply(&self, conn: &Connection) -> rusqlite::Result<()> {
        match self {
            // SQLCipher's raw-key syntax: x'<64 hex>' inside a string literal.
            Self::Raw(raw) => conn.pragma_update(None, "key", format!("x'{}'", hex::encode(raw))),
            Self::Passphrase(p) => conn.pragma_update(None, "key", p),
        }
    }
}

/// Errors opening or migrating the device store.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The key is empty.
    #[error("数据库密钥为空 (database key is empty)")]
    EmptyKey,
    /// The OS random source failed.
    #[error("无法生成随机密钥: {0}")]
    Random(String),
    /// The file exists but cannot be decrypted with this key, or is not a database.
    #[error("数据库密钥错误或文件不是 Zhifa 数据库: {path}")]
    WrongKey {
        /// The database file.
        path: PathBuf,
    },
    /// The database was written by a newer version of Zhifa.
    #[error(
        "数据库由更新版本的 Zhifa 写入 (schema {found}，本程序最高支持 {supported})，请升级应用: {path}"
    )]
    TooNew {
        /// The database file.
        path: PathBuf,
        /// The schema version found in the file.
        found: u32,
        /// The newest schema version this build knows.
        supported: u32,
    },
    /// A migration failed; the database is left at `version`.
    #[error("数据库升级到 schema {target} 失败 ({name}): {source}")]
    Migration {
        /// The version the failed migration would have produced.
        target: u32,
        /// The migration file name.
        name: &'static str,
        /// The SQLite error.
        source: rusqlite::Error,
    },
    /// The pre-migration backup could not be written; nothing was migrated.
    #[error("升级前备份失败 ({path}): {source}")]
    Backup {
        /// The backup file that could not be written.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Any other SQLite error.
    #[error("数据库错误: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

impl ErrorCode for StoreError {
    fn code(&self) -> &'static str {
        match self {
            Self::EmptyKey => "STORE_EMPTY_KEY",
            Self::Random(_) => "STORE_RANDOM",
            Self::WrongKey { .. } => "STORE_WRONG_KEY",
            Self::TooNew { .. } => "STORE_TOO_NEW",
            Self::Migration { .. } => "STORE_MIGRATION",
            Self::Backup { .. } => "STORE_BACKUP",
            Self::Sqlite(_) => "STORE_SQLITE",
        }
    }
}

/// An open, keyed and migrated device store.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Opens (creating if absent) the store at `path` with `key`, then migrates it.
    pub fn open(path: &Path, key: &DbKey) -> Result<Self, StoreError> {
        let mut attempt = 1;
        let conn = loop {
            match open_keyed(path, key) {
                Ok(conn) => break conn,
                Err(e) if is_not_a_database(&e) => {
                    return Err(StoreError::WrongKey {
                        path: path.to_owned(),
                    });
                }
                // SQLCipher's codec setup (`sqlcipherCodecAttach`) failed
                // before anything was read or written: the file is untouched
                // and the failed connection is dropped, so a fresh connection
                // may key again. Seen under heavy parallel load only (CI,
                // core/tests/catalogue_search.rs), never reproduced alone; a
                // wrong key is a different error (`NotADatabase`, above) and
                // is never retried.
                Err(e) if is_key_setup_failure(&e) && attempt < KEY_ATTEMPTS => {
                    attempt += 1;
                    std::thread::sleep(std::time::Duration::from_millis(20 * u64::from(attempt)));
                }
                Err(e) => return Err(e.into()),
            }
        };
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        let mut store = Self {
            conn,
            path: path.to_owned(),
        };
        migrate::migrate(&mut store)?;
        Ok(store)
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version recorded in the database.
    pub fn schema_version(&self) -> Result<u32, StoreError> {
        Ok(self
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))?)
    }

    /// Reads a device setting.
    pub fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        use rusqlite::OptionalExtension;
        Ok(self
            .conn
            .query_row("SELECT value FROM setting WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()?)
    }

    /// Writes a device setting.
    pub fn set_setting(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO setting (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [key, value],
        )?;
        Ok(())
    }

    /// Removes a device setting (no-op when absent).
    pub fn delete_setting(&self, key: &str) -> Result<(), StoreError> {
        self.conn
            .execute("DELETE FROM setting WHERE key = ?1", [key])?;
        Ok(())
    }

    /// A SHA-256 digest of every row of every table, independent of row
    /// order and of the file's page layout. Two stores with the same content
    /// have the same digest; tests use it to prove a failed operation
    /// changed nothing, operators to compare a backup with its source.
    pub fn content_digest(&self) -> Result<String, StoreError> {
        use sha2::{Digest, Sha256};
        let mut tables: Vec<String> = {
            let mut st = self.conn.prepare(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
            )?;
            st.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?
        };
        // FTS5 virtual tables read through their shadow tables, which are
        // listed themselves; reading the virtual table would duplicate them.
        let virtual_tables: Vec<String> = {
            let mut st = self
                .conn
                .prepare("SELECT name FROM sqlite_master WHERE sql LIKE 'CREATE VIRTUAL TABLE%'")?;
            st.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?
        };
        tables.retain(|t| !virtual_tables.contains(t));
        let mut outer = Sha256::new();
        for t in tables {
            let mut st = self
                .conn
                .prepare(&format!("SELECT * FROM \"{}\"", t.replace('"', "\"\"")))?;
            let n = st.column_count();
            let mut rows: Vec<[u8; 32]> = st
                .query_map([], |r| {
                    let mut h = Sha256::new();
                    for i in 0..n {
                        h.update(format!("{:?}\u{1f}", r.get_ref(i)?).as_bytes());
                    }
                    Ok(h.finalize().into())
                })?
                .collect::<Result<_, _>>()?;
            rows.sort_unstable();
            outer.update(t.as_bytes());
            outer.update((rows.len() as u64).to_le_bytes());
            for r in rows {
                outer.update(r);
            }
        }
        Ok(hex::encode(outer.finalize()))
    }

    /// The connection. Public for the sync engine (zhifa-sync), which owns
    /// the tables of migration 0006 and reads the outbox and evidence rows;
    /// domain writes go through this crate's functions only.
    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// The connection, for the sync engine's transactions (see [`Self::conn`]).
    pub fn conn_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }
}

/// How often [`Store::open`] keys a fresh connection after a codec setup
/// failure ([`is_key_setup_failure`]).
const KEY_ATTEMPTS: u32 = 3;

/// Opens a connection, applies the key and proves it with a first read.
fn open_keyed(path: &Path, key: &DbKey) -> Result<Connection, rusqlite::Error> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    // SQLCipher logs every failed HMAC check to stderr; a wrong key is
    // reported to the caller as a typed error instead.
    //
    // SQLCipher initialises its crypto provider lazily on the first keyed
    // connection; two threads doing that at once were seen to fail with
    // "An error occurred with PRAGMA key" (parallel tests). Opening is
    // rare, so keying is simply serialised.
    static KEYING: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _guard = KEYING
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let _ = conn.pragma_update(None, "cipher_log_level", "NONE");
    key.apply(&conn)?;
    // The first read proves the key: SQLCipher decrypts page 1 here.
    conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
        r.get::<_, i64>(0)
    })?;
    Ok(conn)
}

/// SQLCipher's answer when `PRAGMA key` could not set up the codec (its
/// `sqlite3_key_v2` failed): a generic SQLITE_ERROR whose message starts
/// "An error occurred with PRAGMA key" — not a wrong key, which only shows
/// at the first read as `NotADatabase`.
fn is_key_setup_failure(e: &rusqlite::Error) -> bool {
    matches!(
        e,
        rusqlite::Error::SqliteFailure(f, Some(m))
            if f.code == rusqlite::ErrorCode::Unknown && m.starts_with("An error occurred with PRAGMA key")
    )
}

fn is_not_a_database(e: &rusqlite::Error) -> bool {
    matches!(
        e,
        rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::NotADatabase
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8) -> DbKey {
        DbKey::Raw([byte; 32])
    }

    #[test]
    fn creates_and_reopens_with_the_same_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.db");
        let s = Store::open(&path, &key(1)).unwrap();
        s.set_setting("township", "500112101").unwrap();
        drop(s);
        let s = Store::open(&path, &key(1)).unwrap();
        assert_eq!(s.setting("township").unwrap().as_deref(), Some("500112101"));
        assert_eq!(s.schema_version().unwrap(), migrate::latest_version());
    }

    #[test]
    fn a_codec_setup_failure_is_told_from_a_wrong_key() {
        // SQLCipher's own codec setup failure, provoked for real: an empty
        // key makes `sqlite3_key_v2` fail the same way.
        let conn = Connection::open_in_memory().unwrap();
        let err = conn.pragma_update(None, "key", "").unwrap_err();
        assert!(is_key_setup_failure(&err), "{err:?}");
        assert!(!is_not_a_database(&err));
        // A wrong key shows at the first read, and is not a setup failure.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.db");
        drop(Store::open(&path, &key(1)).unwrap());
        let err = open_keyed(&path, &key(2)).unwrap_err();
        assert!(is_not_a_database(&err), "{err:?}");
        assert!(!is_key_setup_failure(&err));
        // Any other error is neither.
        let other = conn
            .execute_batch("SELECT * FROM no_such_table")
            .unwrap_err();
        assert!(!is_key_setup_failure(&other), "{other:?}");
    }

    #[test]
    fn wrong_key_is_a_typed_error_not_a_crash() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.db");
        drop(Store::open(&path, &key(1)).unwrap());
        let err = Store::open(&path, &key(2)).unwrap_err();
        assert_eq!(err.code(), "STORE_WRONG_KEY", "{err}");
        // The right key still works afterwards: nothing was damaged.
        assert!(Store::open(&path, &key(1)).is_ok());
    }

    #[test]
    fn passphrase_and_raw_keys_are_not_interchangeable() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.db");
        drop(Store::open(&path, &DbKey::Passphrase("口令 secret".into())).unwrap());
        assert!(Store::open(&path, &DbKey::Passphrase("口令 secret".into())).is_ok());
        assert_eq!(
            Store::open(&path, &key(0)).unwrap_err().code(),
            "STORE_WRONG_KEY"
        );
    }

    #[test]
    fn a_plain_non_database_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.db");
        std::fs::write(&path, vec![0x42u8; 8192]).unwrap();
        assert_eq!(
            Store::open(&path, &key(1)).unwrap_err().code(),
            "STORE_WRONG_KEY"
        );
        // The file was not touched.
        assert_eq!(std::fs::read(&path).unwrap(), vec![0x42u8; 8192]);
    }

    #[test]
    fn durability_pragmas_are_set() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(&dir.path().join("d.db"), &key(1)).unwrap();
        let jm: String = s
            .conn()
            .pragma_query_value(None, "journal_mode", |r| r.get(0))
            .unwrap();
        let sync: i64 = s
            .conn()
            .pragma_query_value(None, "synchronous", |r| r.get(0))
            .unwrap();
        let fk: i64 = s
            .conn()
            .pragma_query_value(None, "foreign_keys", |r| r.get(0))
            .unwrap();
        assert_eq!(jm, "wal");
        assert_eq!(sync, 2, "synchronous=FULL");
        assert_eq!(fk, 1);
    }

    #[test]
    fn key_parsing() {
        assert!(
            matches!(DbKey::parse(&"ab".repeat(32)).unwrap(), DbKey::Raw(r) if r == [0xab; 32])
        );
        assert!(matches!(
            DbKey::parse("short passphrase").unwrap(),
            DbKey::Passphrase(_)
        ));
        assert_eq!(DbKey::parse("   ").unwrap_err().code(), "STORE_EMPTY_KEY");
        let k = DbKey::generate().unwrap();
        assert_eq!(
            DbKey::parse(&k.to_hex().unwrap()).unwrap().to_hex(),
            k.to_hex()
        );
        assert!(!format!("{k:?}").contains(&k.to_hex().unwrap()));
    }
}
