//! The SQLite driver: exactly one connection behind a mutex (one writer,
//! so transactions commit in the order they began, and the inbox cursor,
//! an `INTEGER PRIMARY KEY` assigned inside the write transaction, is
//! commit-ordered — sync.md §6.11). Write transactions are `BEGIN
//! IMMEDIATE`; WAL with `synchronous=FULL`, so an answered mutation is
//! durable. Statements are prepared once and cached.

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use rusqlite::Connection;
use rusqlite::types::{ToSqlOutput, ValueRef};
use zhifa_protocol::ErrorKind;

use super::migrate::{self, Dialect, Found, MigrateError};
use super::sql::{Backend, Cell, Conn, DbError, Fail, Row, Val, p};
use crate::error::ApiError;

/// The SQLite database.
#[derive(Debug)]
pub struct Sqlite {
    conn: Mutex<Connection>,
    /// The file (or `:memory:`), for logs.
    path: String,
}

impl rusqlite::ToSql for Val<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Val::Int(i) => ToSqlOutput::Borrowed(ValueRef::Integer(*i)),
            Val::Text(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
            Val::Null => ToSqlOutput::Borrowed(ValueRef::Null),
        })
    }
}

/// SQLite has no row locks; its one writer already holds the database.
fn sqlite_sql(sql: &str) -> std::borrow::Cow<'_, str> {
    if sql.contains(" FOR UPDATE") {
        std::borrow::Cow::Owned(sql.replace(" FOR UPDATE", ""))
    } else {
        std::borrow::Cow::Borrowed(sql)
    }
}

impl Conn for Connection {
    fn exec(&mut self, sql: &str, params: &[Val<'_>]) -> Result<u64, DbError> {
        let mut st = self.prepare_cached(&sqlite_sql(sql))?;
        Ok(st.execute(rusqlite::params_from_iter(params.iter()))? as u64)
    }

    fn query(&mut self, sql: &str, params: &[Val<'_>]) -> Result<Vec<Row>, DbError> {
        let mut st = self.prepare_cached(&sqlite_sql(sql))?;
        let n = st.column_count();
        let mut rows = st.query(rusqlite::params_from_iter(params.iter()))?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let mut cells = Vec::with_capacity(n);
            for i in 0..n {
                cells.push(match r.get_ref(i)? {
                    ValueRef::Null => Cell::Null,
                    ValueRef::Integer(v) => Cell::Int(v),
                    ValueRef::Text(t) => Cell::Text(String::from_utf8_lossy(t).into_owned()),
                    ValueRef::Real(_) | ValueRef::Blob(_) => return Err(DbError::Type(i)),
                });
            }
            out.push(Row(cells));
        }
        Ok(out)
    }

    fn batch(&mut self, sql: &str) -> Result<(), DbError> {
        Ok(self.execute_batch(sql)?)
    }

    fn commit_ordered(&mut self, _table: &str) -> Result<(), DbError> {
        Ok(())
    }
}

/// Migrates the database inside the caller's `BEGIN IMMEDIATE`: a
/// pre-runner database is recognised by its `meta` table and its
/// `user_version` (1); `user_version` is then set to the latest migration,
/// so a build from before the runner refuses the database instead of
/// writing to a schema it does not know.
fn migrate_sqlite(conn: &mut Connection) -> Result<Vec<i64>, MigrateError> {
    let has = |conn: &mut Connection, t: &str| -> Result<bool, DbError> {
        conn.exists(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1",
            p![t],
        )
    };
    let found = if has(conn, "schema_migration")? {
        Found::Versioned
    } else if has(conn, "meta")? {
        let v: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(DbError::from)?;
        Found::Legacy(v.to_string())
    } else {
        Found::Empty
    };
    let ran = migrate::run(conn, Dialect::Sqlite, &found, None)?;
    if found == Found::Empty {
        let epoch = super::random_token().map_err(|e| MigrateError::Setup(e.message))?;
        conn.exec(
            "INSERT INTO meta (key, value) VALUES ('epoch', ?1)",
            p![epoch],
        )?;
    }
    conn.pragma_update(None, "user_version", migrate::latest())
        .map_err(DbError::from)?;
    Ok(ran)
}

impl Sqlite {
    /// Opens (creating) the database file.
    pub fn open(path: &Path) -> Result<Self, ApiError> {
        let conn = Connection::open(path).map_err(DbError::from)?;
        Self::init(conn, path.display().to_string())
    }

    /// An in-memory database (tests and benchmarks).
    pub fn in_memory() -> Result<Self, ApiError> {
        Self::init(
            Connection::open_in_memory().map_err(DbError::from)?,
            ":memory:".to_owned(),
        )
    }

    fn init(mut conn: Connection, path: String) -> Result<Self, ApiError> {
        let setup = |conn: &mut Connection| -> Result<(), Fail> {
            conn.pragma_update(None, "journal_mode", "WAL")?;
            conn.pragma_update(None, "synchronous", "FULL")?;
            conn.pragma_update(None, "foreign_keys", "ON")?;
            conn.busy_timeout(std::time::Duration::from_secs(5))?;
            conn.set_prepared_statement_cache_capacity(128);
            conn.batch("BEGIN IMMEDIATE")?;
            match migrate_sqlite(conn) {
                Ok(ran) => {
                    conn.batch("COMMIT")?;
                    if !ran.is_empty() {
                        tracing::info!(versions = ?ran, "migrated the SQLite schema");
                    }
                }
                Err(e) => {
                    conn.batch("ROLLBACK")?;
                    return Err(ApiError::new(ErrorKind::Internal, e.to_string()).into());
                }
            }
            Ok(())
        };
        setup(&mut conn)?;
        Ok(Self {
            conn: Mutex::new(conn),
            path,
        })
    }

    fn lock(&self) -> Result<MutexGuard<'_, Connection>, DbError> {
        // A poisoned mutex means a handler panicked mid-call; roll back
        // whatever transaction it left open, the data itself is intact.
        let conn = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        if !conn.is_autocommit() {
            conn.execute_batch("ROLLBACK")?;
        }
        Ok(conn)
    }
}

impl Backend for Sqlite {
    fn write<T>(&self, f: &mut dyn FnMut(&mut dyn Conn) -> Result<T, Fail>) -> Result<T, Fail> {
        let mut conn = self.lock()?;
        conn.execute_batch("BEGIN IMMEDIATE")?;
        match f(&mut *conn) {
            Ok(v) => match conn.execute_batch("COMMIT") {
                Ok(()) => Ok(v),
                Err(e) => {
                    let _ = conn.execute_batch("ROLLBACK");
                    Err(e.into())
                }
            },
            Err(e) => {
                conn.execute_batch("ROLLBACK")?;
                Err(e)
            }
        }
    }

    fn read<T>(&self, f: &mut dyn FnMut(&mut dyn Conn) -> Result<T, Fail>) -> Result<T, Fail> {
        let mut conn = self.lock()?;
        f(&mut *conn)
    }

    fn target(&self) -> String {
        self.path.clone()
    }
}
