//! Versioned schema migrations for both databases (issue 15 item 6).
//!
//! Each migration is a numbered SQL file in `server/migrations/`: a pair
//! `NNNN_name.sqlite.sql` / `NNNN_name.pg.sql` where the dialects differ,
//! or one `NNNN_name.sql` both databases run. [`MIGRATIONS`] lists them in
//! order; [`run`] applies the ones a database lacks, each recorded in
//! `schema_migration` (version, name, SHA-256 of the text, time) inside
//! the caller's transaction — the SQLite driver's `BEGIN IMMEDIATE`, the
//! PostgreSQL driver's transaction under an advisory lock, so two servers
//! starting at once on one database migrate it once.
//!
//! Refused, with code `database_schema`: a database that records a
//! migration this build does not know (a newer server wrote it), or whose
//! recorded text differs from this build's (a shipped migration was
//! edited — write a new one instead).
//!
//! A database written before the runner existed (no `schema_migration`,
//! its base schema version 1 in `meta` or SQLite's `user_version`) is
//! adopted: migration 0001 is recorded as applied, and the migrations that
//! older releases applied at every open (0002–0010, all `IF NOT EXISTS`)
//! run once more and are recorded. `server/tests/migrations.rs` migrates a
//! database made at every version, and such a legacy one, on both
//! backends, and checks the rows written before survive.
//!
//! Why not refinery or sqlx: both run their own transaction and table, so
//! the adoption of pre-runner databases and the advisory lock the
//! PostgreSQL driver already holds would sit outside them, and refinery's
//! PostgreSQL feature brings native-tls (OpenSSL) into a server that uses
//! rustls; the runner is the ~100 lines below on the storage's own
//! [`Conn`].

use chrono::{SecondsFormat, Utc};
use sha2::{Digest, Sha256};

use super::sql::{Conn, DbError, p};

/// The two SQL dialects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// SQLite (the embedded default).
    Sqlite,
    /// PostgreSQL.
    Postgres,
}

/// One schema migration.
#[derive(Debug)]
pub struct Migration {
    /// Its number; applied in ascending order.
    pub version: i64,
    /// Its file name without number and extension.
    pub name: &'static str,
    sqlite: &'static str,
    pg: &'static str,
}

impl Migration {
    /// Its SQL in `dialect`.
    pub fn sql(&self, dialect: Dialect) -> &'static str {
        match dialect {
            Dialect::Sqlite => self.sqlite,
            Dialect::Postgres => self.pg,
        }
    }

    /// The SHA-256 (hex) of its SQL in `dialect`, recorded when applied.
    pub fn sha256(&self, dialect: Dialect) -> String {
        hex::encode(Sha256::digest(self.sql(dialect).as_bytes()))
    }
}

macro_rules! paired {
    ($v:expr, $name:literal) => {
        Migration {
            version: $v,
            name: $name,
            sqlite: include_str!(concat!("../../migrations/", $name, ".sqlite.sql")),
            pg: include_str!(concat!("../../migrations/", $name, ".pg.sql")),
        }
    };
}

macro_rules! shared {
    ($v:expr, $name:literal) => {
        Migration {
            version: $v,
            name: $name,
            sqlite: include_str!(concat!("../../migrations/", $name, ".sql")),
            pg: include_str!(concat!("../../migrations/", $name, ".sql")),
        }
    };
}

/// Every migration, in order. A shipped entry is never edited.
pub const MIGRATIONS: &[Migration] = &[
    paired!(1, "0001_base"),
    shared!(2, "0002_inspection"),
    shared!(3, "0003_numbering"),
    shared!(4, "0004_badge"),
    shared!(5, "0005_authz"),
    paired!(10, "0010_record"),
    shared!(11, "0011_vault"),
    paired!(12, "0012_staff_signin"),
    shared!(13, "0013_evidence_by_case"),
    shared!(14, "0014_supervise"),
    shared!(15, "0015_supervise_clue"),
    shared!(16, "0016_audit_by"),
    paired!(17, "0017_procedure"),
    shared!(18, "0018_document_by_hash"),
    shared!(19, "0019_supervise_cockpit"),
    shared!(20, "0020_supervise_recheck"),
    shared!(21, "0021_supervise_sample"),
    shared!(22, "0022_platform"),
    shared!(23, "0023_adoption"),
    shared!(24, "0024_staff_sso"),
    shared!(25, "0025_supervise_running"),
];

/// The newest version this build knows.
pub fn latest() -> i64 {
    MIGRATIONS.last().map_or(0, |m| m.version)
}

/// Why a database could not be migrated.
#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    /// The database.
    #[error(transparent)]
    Db(#[from] DbError),
    /// The database records a migration this build does not know.
    #[error("数据库已由更新版本的服务器迁移到第 {0} 版（本版本最高为 {latest}）", latest = latest())]
    TooNew(i64),
    /// A recorded migration's text differs from this build's.
    #[error("第 {0} 号迁移在应用后被改动过（记录的校验值与本版本不符）")]
    Changed(i64),
    /// Setting up a new database failed.
    #[error("{0}")]
    Setup(String),
    /// A pre-runner database whose base schema version is not 1.
    #[error("数据库版本 {0} 不受支持（本版本可接管版本 1 的旧库）")]
    Legacy(String),
}

/// What the database was before [`run`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// No tables of ours: a new database.
    Empty,
    /// Written before the runner, with this base schema version.
    Legacy(String),
    /// Already run by the runner.
    Versioned,
}

/// Applies the migrations `c`'s database lacks, up to `upto` (all when
/// `None`), inside the caller's transaction. `found` says what the caller
/// saw (see [`Found`]). The versions applied, in order.
pub fn run(
    c: &mut dyn Conn,
    dialect: Dialect,
    found: &Found,
    upto: Option<i64>,
) -> Result<Vec<i64>, MigrateError> {
    c.batch(
        "CREATE TABLE IF NOT EXISTS schema_migration (
            version    BIGINT PRIMARY KEY,
            name       TEXT NOT NULL,
            sha256     TEXT NOT NULL,
            applied_at TEXT NOT NULL
        )",
    )?;
    let now = Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true);
    if let Found::Legacy(v) = found {
        if v != "1" {
            return Err(MigrateError::Legacy(v.clone()));
        }
        // The base schema is there; record it without running it.
        record(c, &MIGRATIONS[0], dialect, &now)?;
    }
    let applied = c.query("SELECT version, sha256 FROM schema_migration", &[])?;
    let mut done = std::collections::BTreeMap::new();
    for r in &applied {
        done.insert(r.get::<i64>(0)?, r.get::<String>(1)?);
    }
    for (v, sha) in &done {
        match MIGRATIONS.iter().find(|m| m.version == *v) {
            None => return Err(MigrateError::TooNew(*v)),
            Some(m) if m.sha256(dialect) != *sha => return Err(MigrateError::Changed(*v)),
            Some(_) => {}
        }
    }
    let mut ran = Vec::new();
    for m in MIGRATIONS {
        if done.contains_key(&m.version) || upto.is_some_and(|u| m.version > u) {
            continue;
        }
        c.batch(m.sql(dialect))?;
        record(c, m, dialect, &now)?;
        ran.push(m.version);
    }
    Ok(ran)
}

fn record(c: &mut dyn Conn, m: &Migration, dialect: Dialect, now: &str) -> Result<(), DbError> {
    c.exec(
        "INSERT INTO schema_migration (version, name, sha256, applied_at) VALUES (?1, ?2, ?3, ?4)",
        p![m.version, m.name, m.sha256(dialect), now],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_ascend_and_names_carry_them() {
        let mut last = 0;
        for m in MIGRATIONS {
            assert!(m.version > last, "{} after {last}", m.version);
            last = m.version;
            assert_eq!(m.name[..4].parse::<i64>().unwrap(), m.version, "{}", m.name);
            for d in [Dialect::Sqlite, Dialect::Postgres] {
                assert!(!m.sql(d).trim().is_empty(), "{} is empty", m.name);
            }
        }
    }

    #[test]
    fn every_file_in_the_folder_is_listed() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
        for e in std::fs::read_dir(&dir).unwrap() {
            let name = e.unwrap().file_name().into_string().unwrap();
            let Some(stem) = name.strip_suffix(".sql") else {
                continue;
            };
            let stem = stem
                .strip_suffix(".sqlite")
                .or_else(|| stem.strip_suffix(".pg"))
                .unwrap_or(stem);
            assert!(
                MIGRATIONS.iter().any(|m| m.name == stem),
                "{name} is not in MIGRATIONS"
            );
        }
    }
}
