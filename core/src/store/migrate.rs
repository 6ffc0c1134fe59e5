//! Forward-only schema migrations of the device store.
//!
//! Each migration is an SQL file under `schema/device/`, embedded at build
//! time, and numbered by its position: file `000N_*.sql` takes the database
//! from schema version N−1 to N. The version lives in SQLite's
//! `user_version`. Each migration runs in its own transaction together with
//! the version bump, so a crash leaves the database at a whole version.
//!
//! Before migrating a database that already holds data, the encrypted file
//! is copied byte for byte to `<file>.v<old>.bak`: an officer whose tablet
//! was offline for months can still be recovered if an upgrade goes wrong.
//! (`rusqlite_migration` covers the version bookkeeping but has no backup
//! hook; the runner is a page of code, so it is written here.)

use std::fs;
use std::io::Write;
use std::path::PathBuf;

use super::{Store, StoreError};

/// One embedded migration.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    /// The schema version the migration produces.
    pub version: u32,
    /// The file name under `schema/device/`.
    pub name: &'static str,
    /// The SQL text.
    pub sql: &'static str,
    /// Rust code run after the SQL in the same transaction, for data the
    /// SQL cannot derive (e.g. 0004 builds the search index of stored releases).
    pub backfill: Option<fn(&rusqlite::Connection) -> rusqlite::Result<()>>,
}

/// Every migration, in order. A released entry is never edited, only appended to.
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "0001_init.sql",
        sql: include_str!("../../../schema/device/0001_init.sql"),
        backfill: None,
    },
    Migration {
        version: 2,
        name: "0002_device_evidence.sql",
        sql: include_str!("../../../schema/device/0002_device_evidence.sql"),
        backfill: None,
    },
    Migration {
        version: 3,
        name: "0003_cases.sql",
        sql: include_str!("../../../schema/device/0003_cases.sql"),
        backfill: None,
    },
    Migration {
        version: 4,
        name: "0004_search.sql",
        sql: include_str!("../../../schema/device/0004_search.sql"),
        backfill: Some(crate::catalogue::index::backfill),
    },
    Migration {
        version: 5,
        name: "0005_catalogue_compact.sql",
        sql: include_str!("../../../schema/device/0005_catalogue_compact.sql"),
        backfill: Some(crate::catalogue::detail::backfill),
    },
    Migration {
        version: 6,
        name: "0006_sync.sql",
        sql: include_str!("../../../schema/device/0006_sync.sql"),
        backfill: None,
    },
    Migration {
        version: 7,
        name: "0007_signin.sql",
        sql: include_str!("../../../schema/device/0007_signin.sql"),
        backfill: None,
    },
    Migration {
        version: 8,
        name: "0008_sync_leases.sql",
        sql: include_str!("../../../schema/device/0008_sync_leases.sql"),
        backfill: None,
    },
    Migration {
        version: 9,
        name: "0009_inspection.sql",
        sql: include_str!("../../../schema/device/0009_inspection.sql"),
        backfill: None,
    },
    Migration {
        version: 10,
        name: "0010_sync_resolution.sql",
        sql: include_str!("../../../schema/device/0010_sync_resolution.sql"),
        backfill: None,
    },
    Migration {
        version: 11,
        name: "0011_provisional_numbers.sql",
        sql: include_str!("../../../schema/device/0011_provisional_numbers.sql"),
        backfill: None,
    },
    Migration {
        version: 12,
        name: "0012_provision_source.sql",
        sql: include_str!("../../../schema/device/0012_provision_source.sql"),
        backfill: None,
    },
    Migration {
        version: 13,
        name: "0013_search_alias.sql",
        sql: include_str!("../../../schema/device/0013_search_alias.sql"),
        backfill: None,
    },
];

/// The newest schema version this build knows.
pub fn latest_version() -> u32 {
    MIGRATIONS.last().map_or(0, |m| m.version)
}

/// The backup file written before migrating from `from`.
pub fn backup_path(store: &Store, from: u32) -> PathBuf {
    let mut name = store.path.as_os_str().to_owned();
    name.push(format!(".v{from}.bak"));
    PathBuf::from(name)
}

/// Brings the store to [`latest_version`], or refuses a newer database.
pub(crate) fn migrate(store: &mut Store) -> Result<(), StoreError> {
    let current = store.schema_version()?;
    let latest = latest_version();
    if current > latest {
        return Err(StoreError::TooNew {
            path: store.path.clone(),
            found: current,
            supported: latest,
        });
    }
    if current == latest {
        return Ok(());
    }
    if current > 0 {
        backup(store, current)?;
    }
    for m in MIGRATIONS.iter().filter(|m| m.version > current) {
        let fail = |source| StoreError::Migration {
            target: m.version,
            name: m.name,
            source,
        };
        let tx = store.conn.transaction().map_err(fail)?;
        tx.execute_batch(m.sql).map_err(fail)?;
        if let Some(backfill) = m.backfill {
            backfill(&tx).map_err(fail)?;
        }
        tx.pragma_update(None, "user_version", m.version)
            .map_err(fail)?;
        tx.commit().map_err(fail)?;
    }
    Ok(())
}

/// Copies the encrypted database file aside after folding the WAL into it.
fn backup(store: &Store, from: u32) -> Result<(), StoreError> {
    // TRUNCATE checkpoints every frame into the main file and empties the
    // WAL, so the main file alone is a complete, consistent copy.
    store
        .conn
        .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    let dest = backup_path(store, from);
    let io = |source| StoreError::Backup {
        path: dest.clone(),
        source,
    };
    let bytes = fs::read(&store.path).map_err(io)?;
    let tmp = dest.with_extension("bak.tmp");
    let mut f = fs::File::create(&tmp).map_err(io)?;
    f.write_all(&bytes).map_err(io)?;
    f.sync_all().map_err(io)?;
    fs::rename(&tmp, &dest).map_err(io)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;
    use crate::store::DbKey;

    #[test]
    fn every_sql_file_is_embedded_in_order() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../schema/device");
        let mut files: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n.ends_with(".sql"))
            .collect();
        files.sort();
        let names: Vec<&str> = MIGRATIONS.iter().map(|m| m.name).collect();
        assert_eq!(files, names, "schema/device and MIGRATIONS disagree");
        for (i, m) in MIGRATIONS.iter().enumerate() {
            assert_eq!(m.version as usize, i + 1);
            assert!(m.name.starts_with(&format!("{:04}_", m.version)));
            let on_disk = fs::read_to_string(format!("{dir}/{}", m.name)).unwrap();
            assert_eq!(on_disk, m.sql);
        }
    }

    #[test]
    fn a_newer_database_is_refused_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.db");
        let key = DbKey::Raw([7; 32]);
        let s = Store::open(&path, &key).unwrap();
        s.conn()
            .pragma_update(None, "user_version", latest_version() + 1)
            .unwrap();
        drop(s);
        let err = Store::open(&path, &key).unwrap_err();
        assert_eq!(err.code(), "STORE_TOO_NEW");
        assert!(err.to_string().contains("更新版本"), "{err}");
        // Still refused, still at the newer version: nothing was rewritten.
        let err = Store::open(&path, &key).unwrap_err();
        assert!(matches!(err, StoreError::TooNew { found, .. } if found == latest_version() + 1));
    }

    #[test]
    fn a_fresh_database_is_migrated_without_a_backup() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(&dir.path().join("d.db"), &DbKey::Raw([7; 32])).unwrap();
        assert_eq!(s.schema_version().unwrap(), latest_version());
        assert!(!backup_path(&s, 0).exists());
    }

    #[test]
    fn an_older_database_is_backed_up_before_migrating() {
        // Simulate a device at an older version by lowering user_version
        // after the last migration's tables exist: migration N is then
        // re-run, which must fail (tables exist), and the backup must
        // already be on disk with the pre-migration bytes.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.db");
        let key = DbKey::Raw([7; 32]);
        let s = Store::open(&path, &key).unwrap();
        s.set_setting("k", "v").unwrap();
        let older = latest_version() - 1;
        if older == 0 {
            // With a single migration there is no "older but non-empty"
            // database: version 0 means empty. Exercise the backup itself.
            backup(&s, 1).unwrap();
            let b = Store::open(&backup_path(&s, 1), &key).unwrap();
            assert_eq!(b.setting("k").unwrap().as_deref(), Some("v"));
            return;
        }
        s.conn().pragma_update(None, "user_version", older).unwrap();
        drop(s);
        let err = Store::open(&path, &key).unwrap_err();
        assert_eq!(err.code(), "STORE_MIGRATION");
        assert!(PathBuf::from(format!("{}.v{older}.bak", path.display())).exists());
    }
}
