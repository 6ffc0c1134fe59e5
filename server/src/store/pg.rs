//! The PostgreSQL driver (`--database postgres://…`): a pool of
//! synchronous `postgres` connections (r2d2), each with its own cache of
//! prepared statements, so a statement costs one round trip.
//!
//! Concurrency. Unlike SQLite's single writer, requests run side by side
//! on up to [`POOL_SIZE`] connections. Every write transaction is
//! `SERIALIZABLE`: PostgreSQL then guarantees that concurrent transactions
//! have the effect of some serial order — the semantics the SQLite backend
//! gets from its one writer — or aborts one of them with SQLSTATE 40001
//! (or 40P01 deadlock, or 23505 for a racing insert of the same key); the
//! whole transaction closure is then run again from the start, up to
//! [`MAX_ATTEMPTS`] times with jittered backoff, after which the client
//! gets `unavailable` and retries itself. Two pushes of one device meet at
//! the `SELECT … FROM device … FOR UPDATE` that opens a push, so the
//! second waits for the first and then retries on a fresh snapshot (and
//! answers `duplicate`). Identity values (the inbox cursor) are drawn from
//! sequences outside transactions, so writers of the inbox also take a
//! self-conflicting table lock held until commit ([`Conn::commit_ordered`]):
//! cursor order is then commit order and a pulling device never skips an
//! event (sync.md §6.11).
//!
//! The schema is migrated at every start ([`super::migrate`]) inside one
//! transaction holding an advisory lock (two servers starting at once on
//! one database migrate it once). Connection strings are never logged: [`redact`] shows
//! user, host, port and database only.

use std::collections::HashMap;
use std::str::FromStr;
use std::time::Duration;

use postgres::config::Host;
use postgres::types::{ToSql, Type};
use postgres::{Client, Config, NoTls, Statement};

use super::migrate::{self, Dialect, Found, MigrateError};
use super::sql::{Backend, Cell, Conn, DbError, Fail, Row, Val, dollar_placeholders, p};

/// Connections kept open at most (the server's concurrent storage calls).
pub const POOL_SIZE: u32 = 8;
/// How often a transaction is run before a serialization conflict is
/// answered `unavailable`.
pub const MAX_ATTEMPTS: u32 = 30;
/// Any value; the advisory lock serialising schema creation.
const INIT_LOCK: i64 = 0x7a68_6966_6100;

/// Why the database could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// The connection string does not parse.
    #[error("数据库地址无效：{0}")]
    BadUrl(String),
    /// The server could not be reached or refused the login.
    #[error("无法连接数据库 {target}：{reason}")]
    Unreachable {
        /// The redacted target.
        target: String,
        /// Why.
        reason: String,
    },
    /// The database holds a schema this build does not know.
    #[error("数据库 {target}：{reason}")]
    Schema {
        /// The redacted target.
        target: String,
        /// Why.
        reason: String,
    },
}

impl OpenError {
    /// A stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::BadUrl(_) => "database_url_invalid",
            Self::Unreachable { .. } => "database_unreachable",
            Self::Schema { .. } => "database_schema",
        }
    }
}

/// The connection string without its password: `postgres://user@host:port/db`.
pub fn redact(config: &Config) -> String {
    let hosts: Vec<String> = config
        .get_hosts()
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let port = config
                .get_ports()
                .get(i)
                .or(config.get_ports().first())
                .copied()
                .unwrap_or(5432);
            match h {
                Host::Tcp(name) => format!("{name}:{port}"),
                #[cfg(unix)]
                Host::Unix(path) => format!("{}:{port}", path.display()),
            }
        })
        .collect();
    format!(
        "postgres://{}@{}/{}",
        config.get_user().unwrap_or(""),
        hosts.join(","),
        config.get_dbname().unwrap_or("")
    )
}

/// A pooled connection and its prepared statements.
pub struct PgConn {
    /// `None` only while being dropped.
    client: Option<Client>,
    stmts: HashMap<String, Statement>,
    in_tx: bool,
}

impl std::fmt::Debug for PgConn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgConn")
            .field("statements", &self.stmts.len())
            .finish_non_exhaustive()
    }
}

impl Drop for PgConn {
    fn drop(&mut self) {
        // The synchronous client closes its connection by blocking on its
        // own runtime, which tokio forbids inside an async context (a pool
        // dropped at the end of an async test or handler). Closing is
        // handed to a short-lived thread of its own when a runtime is
        // around; on a plain thread it happens here.
        if let Some(client) = self.client.take()
            && tokio::runtime::Handle::try_current().is_ok()
        {
            let _ = std::thread::Builder::new()
                .name("zhifa-pg-close".into())
                .spawn(move || drop(client));
        }
    }
}

impl PgConn {
    fn client(&mut self) -> Result<&mut Client, DbError> {
        self.client.as_mut().ok_or(DbError::NoRow)
    }

    fn prepared(&mut self, sql: &str) -> Result<Statement, DbError> {
        if let Some(s) = self.stmts.get(sql) {
            return Ok(s.clone());
        }
        let st = self.client()?.prepare(&dollar_placeholders(sql))?;
        self.stmts.insert(sql.to_owned(), st.clone());
        Ok(st)
    }
}

/// A parameter converted to the type the statement declares.
enum Param<'a> {
    I8(Option<i64>),
    I4(Option<i32>),
    I2(Option<i16>),
    Text(Option<&'a str>),
}

impl Param<'_> {
    fn sql(&self) -> &(dyn ToSql + Sync) {
        match self {
            Self::I8(v) => v,
            Self::I4(v) => v,
            Self::I2(v) => v,
            Self::Text(v) => v,
        }
    }
}

fn bind<'a>(vals: &[Val<'a>], types: &[Type]) -> Result<Vec<Param<'a>>, DbError> {
    if vals.len() != types.len() {
        return Err(DbError::Param(vals.len()));
    }
    vals.iter()
        .zip(types)
        .enumerate()
        .map(|(i, (v, t))| {
            let bad = || DbError::Param(i);
            Ok(
                match (*t == Type::INT8, *t == Type::INT4, *t == Type::INT2, v) {
                    (true, _, _, Val::Int(x)) => Param::I8(Some(*x)),
                    (true, _, _, Val::Null) => Param::I8(None),
                    (_, true, _, Val::Int(x)) => {
                        Param::I4(Some(i32::try_from(*x).map_err(|_| bad())?))
                    }
                    (_, true, _, Val::Null) => Param::I4(None),
                    (_, _, true, Val::Int(x)) => {
                        Param::I2(Some(i16::try_from(*x).map_err(|_| bad())?))
                    }
                    (_, _, true, Val::Null) => Param::I2(None),
                    (false, false, false, Val::Text(s))
                        if matches!(*t, Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME) =>
                    {
                        Param::Text(Some(s))
                    }
                    (false, false, false, Val::Null) => Param::Text(None),
                    _ => return Err(bad()),
                },
            )
        })
        .collect()
}

fn cells(r: &postgres::Row) -> Result<Row, DbError> {
    let mut out = Vec::with_capacity(r.len());
    for (i, c) in r.columns().iter().enumerate() {
        let t = c.type_();
        let cell = if *t == Type::INT8 {
            r.try_get::<_, Option<i64>>(i)?.map(Cell::Int)
        } else if *t == Type::INT4 {
            r.try_get::<_, Option<i32>>(i)?.map(|v| Cell::Int(v.into()))
        } else if *t == Type::INT2 {
            r.try_get::<_, Option<i16>>(i)?.map(|v| Cell::Int(v.into()))
        } else if *t == Type::BOOL {
            r.try_get::<_, Option<bool>>(i)?
                .map(|v| Cell::Int(i64::from(v)))
        } else if matches!(*t, Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME) {
            r.try_get::<_, Option<String>>(i)?.map(Cell::Text)
        } else {
            return Err(DbError::Type(i));
        };
        out.push(cell.unwrap_or(Cell::Null));
    }
    Ok(Row(out))
}

impl Conn for PgConn {
    fn exec(&mut self, sql: &str, params: &[Val<'_>]) -> Result<u64, DbError> {
        let st = self.prepared(sql)?;
        let ps = bind(params, st.params())?;
        let refs: Vec<&(dyn ToSql + Sync)> = ps.iter().map(Param::sql).collect();
        Ok(self.client()?.execute(&st, &refs)?)
    }

    fn query(&mut self, sql: &str, params: &[Val<'_>]) -> Result<Vec<Row>, DbError> {
        let st = self.prepared(sql)?;
        let ps = bind(params, st.params())?;
        let refs: Vec<&(dyn ToSql + Sync)> = ps.iter().map(Param::sql).collect();
        self.client()?
            .query(&st, &refs)?
            .iter()
            .map(cells)
            .collect()
    }

    fn batch(&mut self, sql: &str) -> Result<(), DbError> {
        Ok(self.client()?.batch_execute(sql)?)
    }

    fn commit_ordered(&mut self, table: &str) -> Result<(), DbError> {
        // SHARE ROW EXCLUSIVE conflicts with itself and with the ROW
        // EXCLUSIVE lock an INSERT takes, but not with readers.
        self.batch(&format!("LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE"))
    }
}

struct Manager {
    config: Config,
}

impl r2d2::ManageConnection for Manager {
    type Connection = PgConn;
    type Error = postgres::Error;

    fn connect(&self) -> Result<PgConn, postgres::Error> {
        Ok(PgConn {
            client: Some(self.config.connect(NoTls)?),
            stmts: HashMap::new(),
            in_tx: false,
        })
    }

    fn is_valid(&self, c: &mut PgConn) -> Result<(), postgres::Error> {
        match c.client.as_mut() {
            Some(client) => client.batch_execute(""),
            None => Ok(()),
        }
    }

    fn has_broken(&self, c: &mut PgConn) -> bool {
        c.client.as_ref().is_none_or(Client::is_closed)
    }
}

/// The PostgreSQL database.
pub struct Postgres {
    pool: r2d2::Pool<Manager>,
    target: String,
}

impl std::fmt::Debug for Postgres {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Postgres")
            .field("target", &self.target)
            .finish_non_exhaustive()
    }
}

fn reason(e: &postgres::Error) -> String {
    // A database error's message and SQLSTATE; otherwise the I/O cause
    // (connection refused, timeout). Neither carries the password.
    match e.as_db_error() {
        Some(d) => format!("{} ({})", d.message(), d.code().code()),
        None => {
            let mut s = e.to_string();
            let mut src = std::error::Error::source(e);
            while let Some(c) = src {
                s = format!("{s}: {c}");
                src = c.source();
            }
            s
        }
    }
}

impl Postgres {
    /// Connects, creates the schema on an empty database (or checks its
    /// version) and opens the pool.
    pub fn open(url: &str) -> Result<Self, OpenError> {
        let mut config = Config::from_str(url).map_err(|e| {
            OpenError::BadUrl(format!(
                "{e}（应为 postgres://用户[:密码]@主机:端口/数据库）"
            ))
        })?;
        if config.get_hosts().is_empty() {
            return Err(OpenError::BadUrl("缺少主机".into()));
        }
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(10));
        }
        config.application_name("zhifa-server");
        let target = redact(&config);
        let client = config.connect(NoTls).map_err(|e| OpenError::Unreachable {
            target: target.clone(),
            reason: reason(&e),
        })?;
        // Migrate in one transaction under the advisory lock: two servers
        // starting at once on one database migrate it once.
        let mut c = PgConn {
            client: Some(client),
            stmts: HashMap::new(),
            in_tx: false,
        };
        let migrated = (|| -> Result<Vec<i64>, MigrateError> {
            c.batch("BEGIN")?;
            c.exec("SELECT pg_advisory_xact_lock(?1)", p![INIT_LOCK])?;
            let has = |c: &mut PgConn, t: &str| -> Result<bool, DbError> {
                let r = c.query_one("SELECT CAST(to_regclass(?1) AS TEXT)", p![t])?;
                Ok(r.get::<Option<String>>(0)?.is_some())
            };
            let found = if has(&mut c, "schema_migration")? {
                Found::Versioned
            } else if has(&mut c, "meta")? {
                let v = c.query_opt("SELECT value FROM meta WHERE key = 'schema_version'", &[])?;
                Found::Legacy(match v {
                    Some(r) => r.get::<String>(0)?,
                    None => String::new(),
                })
            } else {
                Found::Empty
            };
            let ran = migrate::run(&mut c, Dialect::Postgres, &found, None)?;
            if found == Found::Empty {
                let epoch = super::random_token().map_err(|e| MigrateError::Setup(e.message))?;
                c.exec(
                    "INSERT INTO meta (key, value) VALUES ('epoch', ?1)",
                    p![epoch],
                )?;
            }
            c.batch("COMMIT")?;
            Ok(ran)
        })()
        .map_err(|e| OpenError::Schema {
            target: target.clone(),
            reason: e.to_string(),
        })?;
        if !migrated.is_empty() {
            tracing::info!(database = %target, versions = ?migrated, "migrated the PostgreSQL schema");
        }
        drop(c);
        let pool = r2d2::Pool::builder()
            .max_size(POOL_SIZE)
            .min_idle(Some(0))
            .test_on_check_out(false)
            .connection_timeout(Duration::from_secs(5))
            .error_handler(Box::new(r2d2::NopErrorHandler))
            .build_unchecked(Manager { config });
        Ok(Self { pool, target })
    }

    /// The redacted connection target (for logs).
    pub fn target(&self) -> &str {
        &self.target
    }

    fn conn(&self) -> Result<r2d2::PooledConnection<Manager>, DbError> {
        let mut c = self.pool.get().map_err(|e| DbError::Pool(e.to_string()))?;
        if c.in_tx {
            // A handler panicked inside a transaction: end it first.
            c.batch("ROLLBACK")?;
            c.in_tx = false;
        }
        Ok(c)
    }

    fn attempt<T>(
        c: &mut PgConn,
        f: &mut dyn FnMut(&mut dyn Conn) -> Result<T, Fail>,
    ) -> Result<T, Fail> {
        c.batch("BEGIN ISOLATION LEVEL SERIALIZABLE")?;
        c.in_tx = true;
        match f(c) {
            Ok(v) => {
                let done = c.batch("COMMIT");
                c.in_tx = false;
                done?;
                Ok(v)
            }
            Err(e) => {
                let _ = c.batch("ROLLBACK");
                c.in_tx = false;
                Err(e)
            }
        }
    }
}

/// One unpooled connection (operators' tools and tests): the same
/// statement interface as the storage logic uses.
pub fn connect_one(url: &str) -> Result<PgConn, OpenError> {
    let config = Config::from_str(url).map_err(|e| OpenError::BadUrl(e.to_string()))?;
    let client = config.connect(NoTls).map_err(|e| OpenError::Unreachable {
        target: redact(&config),
        reason: reason(&e),
    })?;
    Ok(PgConn {
        client: Some(client),
        stmts: HashMap::new(),
        in_tx: false,
    })
}

/// A fresh, empty schema on a PostgreSQL server, dropped (with everything
/// in it) when this value is dropped: each test or benchmark run gets its
/// own, so they can run side by side on one server. [`Scratch::url`] is
/// the server's URL with `search_path` set to the schema.
pub struct Scratch {
    base: String,
    schema: String,
    url: String,
}

impl std::fmt::Debug for Scratch {
    // The URLs may hold a password: only the schema is shown.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scratch")
            .field("schema", &self.schema)
            .finish_non_exhaustive()
    }
}

impl Scratch {
    /// Creates the schema on the server `base_url` names.
    pub fn create(base_url: &str) -> Result<Self, OpenError> {
        let schema = format!("zt_{}", uuid::Uuid::now_v7().simple());
        let base = base_url.to_owned();
        let sql = format!("CREATE SCHEMA {schema}");
        // On a thread of its own: callable from async code too.
        std::thread::scope(|s| {
            s.spawn(|| {
                connect_one(&base)?
                    .batch(&sql)
                    .map_err(|e| OpenError::Schema {
                        target: base.clone(),
                        reason: e.to_string(),
                    })
            })
            .join()
            .unwrap_or_else(|_| {
                Err(OpenError::BadUrl(
                    "thread creating the schema panicked".into(),
                ))
            })
        })?;
        let sep = if base_url.contains('?') { '&' } else { '?' };
        let url = format!("{base_url}{sep}options=-c%20search_path%3D{schema}");
        Ok(Self { base, schema, url })
    }

    /// The URL to open the schema with.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The schema's name.
    pub fn schema(&self) -> &str {
        &self.schema
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let sql = format!("DROP SCHEMA IF EXISTS {} CASCADE", self.schema);
        let base = self.base.clone();
        let _ = std::thread::spawn(move || {
            if let Ok(mut c) = connect_one(&base) {
                let _ = c.batch(&sql);
            }
        })
        .join();
    }
}

/// The PostgreSQL server the tests run against: `ZHIFA_TEST_PG_URL`
/// (scripts/pg.sh starts a throwaway one). When it is unset a test prints
/// `skipped: ZHIFA_TEST_PG_URL unset` and gets `Ok(None)` — unless
/// `ZHIFA_REQUIRE_PG=1` (CI), which makes that an `Err`, so a missing
/// database fails the run instead of passing it silently.
pub fn test_url(test: &str) -> Result<Option<String>, String> {
    match std::env::var("ZHIFA_TEST_PG_URL") {
        Ok(u) if !u.is_empty() => Ok(Some(u)),
        _ if std::env::var("ZHIFA_REQUIRE_PG").as_deref() == Ok("1") => Err(format!(
            "{test}: ZHIFA_REQUIRE_PG=1 but ZHIFA_TEST_PG_URL is unset (start one with scripts/pg.sh)"
        )),
        _ => {
            println!("{test} [postgres]: skipped: ZHIFA_TEST_PG_URL unset");
            Ok(None)
        }
    }
}

fn backoff(attempt: u32) {
    let cap = 1u64 << attempt.min(6); // 2 … 64 ms
    let jitter = u64::from(getrandom::u32().unwrap_or(7)) % (cap * 1000);
    std::thread::sleep(Duration::from_micros(1000 + jitter));
}

/// The connection holding an election's session-level advisory lock.
/// Released: unlocked and returned to the pool. Dropped unreleased (a
/// panic, an early return): the connection is closed, never returned to
/// the pool, which releases the lock; a process that dies releases it
/// with its connections.
struct Elected {
    conn: r2d2::PooledConnection<Manager>,
    key: i64,
    released: bool,
}

impl super::sql::Held for Elected {
    fn release(mut self: Box<Self>) {
        let key = self.key;
        self.released = self
            .conn
            .exec("SELECT pg_advisory_unlock(?1)", p![key])
            .is_ok();
    }
}

impl Drop for Elected {
    fn drop(&mut self) {
        if self.released {
            return;
        }
        // `None` marks the connection broken (`has_broken`), so the pool
        // discards it; `PgConn`'s own drop closes the client off any
        // async runtime.
        drop(PgConn {
            client: self.conn.client.take(),
            stmts: HashMap::new(),
            in_tx: false,
        });
    }
}

impl Backend for Postgres {
    fn elect(&self, key: i64) -> Result<Option<super::sql::Lease>, Fail> {
        let mut c = self.conn()?;
        let won: bool = c
            .query_one("SELECT pg_try_advisory_lock(?1)", p![key])?
            .get::<i64>(0)?
            == 1;
        Ok(won.then(|| {
            super::sql::Lease(Box::new(Elected {
                conn: c,
                key,
                released: false,
            }))
        }))
    }

    fn write<T>(&self, f: &mut dyn FnMut(&mut dyn Conn) -> Result<T, Fail>) -> Result<T, Fail> {
        let mut attempt = 1;
        loop {
            let mut c = self.conn()?;
            match Self::attempt(&mut c, f) {
                Err(Fail::Db(e)) if e.retryable() && attempt < MAX_ATTEMPTS => {
                    tracing::debug!(attempt, error = %e, "serialization conflict, retrying the transaction");
                    drop(c);
                    backoff(attempt);
                    attempt += 1;
                }
                r => return r,
            }
        }
    }

    fn read<T>(&self, f: &mut dyn FnMut(&mut dyn Conn) -> Result<T, Fail>) -> Result<T, Fail> {
        let mut c = self.conn()?;
        f(&mut *c)
    }

    fn target(&self) -> String {
        self.target.clone()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn redacted_targets_never_show_the_password() {
        let c = Config::from_str("postgres://zhifa:s3cret@db.example:5433/zhifa").unwrap();
        assert_eq!(redact(&c), "postgres://zhifa@db.example:5433/zhifa");
        let c = Config::from_str("host=/run/postgresql user=u password=s3cret dbname=d").unwrap();
        let r = redact(&c);
        assert!(!r.contains("s3cret"), "{r}");
    }

    #[test]
    fn bad_urls_and_unreachable_servers_are_clear_errors() {
        let e = Postgres::open("postgres://u@h:notaport/db").unwrap_err();
        assert_eq!(e.code(), "database_url_invalid");
        // A port nothing listens on (bound, then closed).
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let e = Postgres::open(&format!("postgres://u:s3cret@127.0.0.1:{port}/db")).unwrap_err();
        assert_eq!(e.code(), "database_unreachable");
        let msg = e.to_string();
        assert!(
            msg.contains(&format!("postgres://u@127.0.0.1:{port}/db")),
            "{msg}"
        );
        assert!(!msg.contains("s3cret"), "{msg}");
    }

    #[test]
    fn schema_is_created_once_and_its_version_checked() {
        let Some(base) = test_url("schema_is_created_once_and_its_version_checked").unwrap() else {
            return;
        };
        let scratch = Scratch::create(&base).unwrap();
        // Two servers starting at once on an empty schema create it once.
        let opened: Vec<Result<Postgres, OpenError>> = std::thread::scope(|s| {
            let hs: Vec<_> = (0..3)
                .map(|_| s.spawn(|| Postgres::open(scratch.url())))
                .collect();
            hs.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert!(opened.iter().all(Result::is_ok));
        let mut c = connect_one(scratch.url()).unwrap();
        let epochs = c
            .query("SELECT value FROM meta WHERE key = 'epoch'", &[])
            .unwrap();
        assert_eq!(epochs.len(), 1);
        // A version a newer server recorded is refused.
        c.exec(
            "INSERT INTO schema_migration (version, name, sha256, applied_at) \
             VALUES (9999, '9999_future', '', '')",
            &[],
        )
        .unwrap();
        let e = Postgres::open(scratch.url()).unwrap_err();
        assert_eq!(e.code(), "database_schema");
        assert!(e.to_string().contains("9999"), "{e}");
    }
}
