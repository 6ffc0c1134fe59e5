//! Versioned schema migrations (issue 15 item 6), on SQLite and
//! PostgreSQL:
//! - a database made at every migration version, holding that version's
//!   fixture rows (`tests/fixtures/migrations/NNNN.sql`), opens under this
//!   build, is migrated to the latest version and keeps every row;
//! - so does a database made the way releases before the runner made it
//!   (base schema, then every idempotent file, no `schema_migration`);
//! - a database a newer build migrated, or whose applied migration text
//!   changed, is refused with `database_schema`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should abort loudly

use chrono::Utc;
use zhifa_server::store::migrate::{self, Dialect, Found, MIGRATIONS};
use zhifa_server::store::pg::{Scratch, connect_one, test_url};
use zhifa_server::store::sql::Conn;
use zhifa_server::store::{Db, Scope};

/// Rows each version's tables held, applied after that version.
const FIXTURES: [(i64, &str); 3] = [
    (1, include_str!("fixtures/migrations/0001.sql")),
    (2, include_str!("fixtures/migrations/0002.sql")),
    (4, include_str!("fixtures/migrations/0004.sql")),
];

const CASE: &str = "0195a000-0000-7000-8000-000000000001";

fn fixtures(c: &mut dyn Conn, upto: i64) {
    for (v, sql) in FIXTURES {
        if v <= upto {
            c.batch(sql).unwrap();
        }
    }
}

/// A database at migration `upto`, with the fixtures up to it.
fn build_at(c: &mut dyn Conn, d: Dialect, upto: i64) {
    c.batch("BEGIN").unwrap();
    let ran = migrate::run(c, d, &Found::Empty, Some(upto)).unwrap();
    assert_eq!(ran.last(), Some(&upto));
    c.batch("INSERT INTO meta (key, value) VALUES ('epoch', 'fx-epoch')")
        .unwrap();
    fixtures(c, upto);
    c.batch("COMMIT").unwrap();
}

/// A database as the releases before the runner left it: the base
/// schema, every idempotent file up to 0010, the version in `meta`
/// (PostgreSQL) or `user_version` (SQLite), no `schema_migration`.
fn build_legacy(c: &mut dyn Conn, d: Dialect) {
    c.batch("BEGIN").unwrap();
    for m in MIGRATIONS.iter().filter(|m| m.version <= 10) {
        c.batch(m.sql(d)).unwrap();
    }
    c.batch("INSERT INTO meta (key, value) VALUES ('epoch', 'fx-epoch')")
        .unwrap();
    match d {
        Dialect::Postgres => c
            .batch("INSERT INTO meta (key, value) VALUES ('schema_version', '1')")
            .unwrap(),
        Dialect::Sqlite => c.batch("PRAGMA user_version = 1").unwrap(),
    }
    fixtures(c, 10);
    c.batch("COMMIT").unwrap();
}

/// What every migrated database must show: all versions recorded, the
/// fixture rows there, readable through the storage.
fn check(store: &Db, c: &mut dyn Conn, upto: i64) {
    let versions: Vec<i64> = c
        .query("SELECT version FROM schema_migration ORDER BY version", &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0).unwrap())
        .collect();
    let all: Vec<i64> = MIGRATIONS.iter().map(|m| m.version).collect();
    assert_eq!(versions, all, "migrated from {upto}");
    let cases = store.cases(&Scope::All, "test", Utc::now()).unwrap();
    let case = cases
        .iter()
        .find(|c| c.case_id == CASE)
        .expect("the fixture case survives");
    assert_eq!(
        case.document_number.as_deref(),
        Some("渝北龙兴当罚〔2026〕1号")
    );
    assert_eq!(case.status, "served");
    let count =
        |c: &mut dyn Conn, sql: &str| -> i64 { c.query_one(sql, &[]).unwrap().get(0).unwrap() };
    assert_eq!(
        count(
            c,
            "SELECT count(*) FROM ledger WHERE device_id = 'fx-device'"
        ),
        1
    );
    assert_eq!(
        count(
            c,
            "SELECT count(*) FROM meta WHERE key = 'epoch' AND value = 'fx-epoch'"
        ),
        1
    );
    let staff = count(
        c,
        "SELECT count(*) FROM staff WHERE id = 'fx-staff' AND token_sha256 = 'fx-token-sha'",
    );
    assert_eq!(staff, i64::from(upto >= 2), "staff row from {upto}");
    // 0012: the roles issue 17 adds and accounts without a bearer token
    // (password + TOTP sign-in) are stored; a session row too.
    c.batch(
        "INSERT INTO staff (id, name, role, scope, created_at, password_phc, totp_secret)
         VALUES ('fx-approver', '负责人', 'approver', '500112108', '2026-01-01T00:00:00.000Z', 'phc', 'SECRET')
         ON CONFLICT (id) DO NOTHING;
         INSERT INTO staff_session (token_sha256, staff_id, created_at, last_seen_at, expires_at)
         VALUES ('fx-session', 'fx-approver', 'a', 'a', 'b') ON CONFLICT (token_sha256) DO NOTHING",
    )
    .unwrap();
    assert_eq!(
        count(c, "SELECT count(*) FROM staff WHERE failed_count = 0"),
        1 + i64::from(upto >= 2)
    );
    let credential = count(
        c,
        "SELECT count(*) FROM badge_credential WHERE officer_id = 'fx-officer'",
    );
    assert_eq!(credential, i64::from(upto >= 4), "credential from {upto}");
    // The vault's table exists and the storage works on the migrated file.
    assert_eq!(count(c, "SELECT count(*) FROM pii_key"), 0);
    assert_eq!(store.audit_count("push").unwrap(), 1);
}

fn sqlite_file() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("server.db");
    (dir, path)
}

#[test]
fn sqlite_databases_of_every_version_migrate() {
    for m in MIGRATIONS {
        let (_dir, path) = sqlite_file();
        build_at(
            &mut rusqlite::Connection::open(&path).unwrap(),
            Dialect::Sqlite,
            m.version,
        );
        let store = Db::open_sqlite(&path).unwrap();
        let mut raw = rusqlite::Connection::open(&path).unwrap();
        check(&store, &mut raw, m.version);
        let v: i64 = raw
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, migrate::latest());
        // Opening again changes nothing.
        drop(store);
        let store = Db::open_sqlite(&path).unwrap();
        check(&store, &mut raw, m.version);
    }
}

#[test]
fn a_sqlite_database_from_before_the_runner_is_adopted() {
    let (_dir, path) = sqlite_file();
    build_legacy(
        &mut rusqlite::Connection::open(&path).unwrap(),
        Dialect::Sqlite,
    );
    let store = Db::open_sqlite(&path).unwrap();
    check(&store, &mut rusqlite::Connection::open(&path).unwrap(), 10);
}

#[test]
fn sqlite_refuses_a_newer_or_changed_schema() {
    for (sql, needle) in [
        (
            "INSERT INTO schema_migration (version, name, sha256, applied_at) VALUES (9999, '9999_future', '', '')",
            "9999",
        ),
        (
            "UPDATE schema_migration SET sha256 = 'edited' WHERE version = 2",
            "第 2 号迁移",
        ),
    ] {
        let (_dir, path) = sqlite_file();
        drop(Db::open_sqlite(&path).unwrap());
        rusqlite::Connection::open(&path)
            .unwrap()
            .execute_batch(sql)
            .unwrap();
        let e = Db::open_sqlite(&path).unwrap_err();
        assert!(e.message.contains(needle), "{}", e.message);
    }
}

fn pg(test: &str) -> Option<String> {
    test_url(test).unwrap()
}

#[test]
fn postgres_databases_of_every_version_migrate() {
    let Some(base) = pg("postgres_databases_of_every_version_migrate") else {
        return;
    };
    for m in MIGRATIONS {
        let scratch = Scratch::create(&base).unwrap();
        build_at(
            &mut connect_one(scratch.url()).unwrap(),
            Dialect::Postgres,
            m.version,
        );
        let store = Db::connect_pg(scratch.url()).unwrap();
        check(&store, &mut connect_one(scratch.url()).unwrap(), m.version);
    }
}

#[test]
fn a_postgres_database_from_before_the_runner_is_adopted() {
    let Some(base) = pg("a_postgres_database_from_before_the_runner_is_adopted") else {
        return;
    };
    let scratch = Scratch::create(&base).unwrap();
    build_legacy(&mut connect_one(scratch.url()).unwrap(), Dialect::Postgres);
    let store = Db::connect_pg(scratch.url()).unwrap();
    check(&store, &mut connect_one(scratch.url()).unwrap(), 10);
}

#[test]
fn postgres_refuses_a_changed_schema() {
    let Some(base) = pg("postgres_refuses_a_changed_schema") else {
        return;
    };
    let scratch = Scratch::create(&base).unwrap();
    drop(Db::connect_pg(scratch.url()).unwrap());
    connect_one(scratch.url())
        .unwrap()
        .batch("UPDATE schema_migration SET sha256 = 'edited' WHERE version = 2")
        .unwrap();
    let e = Db::connect_pg(scratch.url()).unwrap_err();
    assert_eq!(e.code(), "database_schema");
    assert!(e.to_string().contains("第 2 号迁移"), "{e}");
}
