//! The server's storage: one [`Db`] handle over two backends, SQLite (the
//! embedded default) and PostgreSQL (`--database postgres://…`).
//!
//! The storage logic is written once per area, each in a module of its own
//! ([`devices`], [`ledger`], [`payments`], [`leases`], [`catalogue`],
//! [`uploads`]; the features `console`, `inspection`, `badge` and `record`
//! keep theirs beside their types), against the small SQL abstraction of
//! [`sql`] (a [`sql::Conn`] that runs parameterised statements, a
//! [`sql::Backend`] that runs a closure in one transaction); [`sqlite`] and
//! [`pg`] are its two drivers. Each area answers with its own error enum
//! (a database fault or the area's refusals); `crate::error` turns them
//! into HTTP answers at the edge. The statements use the dialect subset
//! both databases share (see [`sql`]), so a new operation is written once
//! and its tables added as a new migration ([`migrate`],
//! `server/migrations/`).
//!
//! Every push batch is one transaction holding the ledger rows, the
//! effects, the conflicts, the inbox rows and the audit rows; the response
//! is built only after COMMIT (SQLite `synchronous=FULL`, PostgreSQL's
//! durable commit), so an answered mutation is durable. SQLite has one
//! writer, so transactions commit in the order they began; PostgreSQL runs
//! them concurrently at SERIALIZABLE isolation and retries the ones it
//! aborts (see [`pg`]), which gives the same outcomes: the ledger and
//! `device.last_seq` move together, each (device, seq) is applied exactly
//! once, and the inbox cursor is commit-ordered (sync.md §6.11).

pub mod catalogue;
pub mod devices;
pub mod leases;
pub mod ledger;
pub mod migrate;
pub mod payments;
pub mod pg;
pub mod sql;
pub mod sqlite;
pub mod uploads;

use std::path::Path;
use std::sync::Arc;

use base64::Engine as _;
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use sha2::{Digest, Sha256};
use zhifa_protocol::ErrorKind;

use self::sql::{Conn, DbError, Fail, p};
use crate::error::ApiError;

/// How long an access token lives.
pub const ACCESS_TTL: Duration = Duration::hours(1);
/// How long a refresh token lives (long offline periods).
pub const REFRESH_TTL: Duration = Duration::days(30);
/// How long a one-time enrolment code is valid.
pub const ENROL_CODE_TTL: Duration = Duration::days(7);

/// The authenticated caller of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The device.
    pub device_id: String,
    /// Its Ed25519 public key (hex).
    pub public_key: String,
    /// The officer it is bound to.
    pub officer_id: String,
    /// The officer's township.
    pub township: String,
    /// The officer's district (6 digits).
    pub district: String,
    /// `officer` or `district_supervisor`.
    pub role: String,
}

impl Principal {
    /// The scope of case data this caller may see.
    pub fn scope(&self) -> Scope {
        if self.role == "district_supervisor" {
            Scope::District(self.district.clone())
        } else {
            Scope::Township(self.township.clone())
        }
    }

    fn actor(&self) -> String {
        format!("device:{}/officer:{}", self.device_id, self.officer_id)
    }
}

/// Which cases a listing covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// One township (an officer).
    Township(String),
    /// A district (a district supervisor).
    District(String),
    /// Everything (the operator's command line).
    All,
}

/// An officer record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfficerRow {
    /// Id.
    pub id: String,
    /// Name (personal data: never logged unmasked).
    pub name: String,
    /// Township code.
    pub township: String,
    /// `officer` or `district_supervisor`.
    pub role: String,
}

/// An upload in progress.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadRow {
    /// Id.
    pub id: String,
    /// Declared SHA-256.
    pub sha256: String,
    /// Declared size.
    pub size: u64,
    /// Bytes durably received.
    pub offset: u64,
    /// The device that created it, its only reader and writer.
    pub device_id: String,
}

/// The server's database: one handle over either backend ([`sqlite`], the
/// embedded default, or [`pg`], `--database postgres://…`), cheap to clone
/// and shared by every request. There is no storage trait: each area's
/// operations are written once, over [`sql::Conn`], in a module of its own
/// ([`devices`], [`ledger`], [`payments`], [`leases`], [`catalogue`],
/// [`uploads`]; the feature modules `console`, `inspection`, `badge` and
/// `record` add theirs beside their own types), each returning its own
/// error, which the HTTP edge (`crate::error`) turns into an answer.
#[derive(Clone)]
pub struct Db {
    b: Engine,
    /// The record keeper (vault, published releases) of the push path and
    /// the record reads (`crate::record`).
    keeper: Arc<crate::record::Keeper>,
}

/// The backend behind a [`Db`], with its generic transaction methods
/// erased to unit closures so one handle serves both backends.
#[derive(Clone)]
struct Engine(Arc<dyn Erased>);

trait Erased: Send + Sync {
    fn write_unit(&self, f: &mut dyn FnMut(&mut dyn Conn) -> Result<(), Fail>) -> Result<(), Fail>;
    fn read_unit(&self, f: &mut dyn FnMut(&mut dyn Conn) -> Result<(), Fail>) -> Result<(), Fail>;
    fn elect(&self, key: i64) -> Result<Option<sql::Lease>, Fail>;
    fn target(&self) -> String;
}

impl<B: sql::Backend> Erased for B {
    fn write_unit(&self, f: &mut dyn FnMut(&mut dyn Conn) -> Result<(), Fail>) -> Result<(), Fail> {
        self.write(f)
    }
    fn read_unit(&self, f: &mut dyn FnMut(&mut dyn Conn) -> Result<(), Fail>) -> Result<(), Fail> {
        self.read(f)
    }
    fn elect(&self, key: i64) -> Result<Option<sql::Lease>, Fail> {
        sql::Backend::elect(self, key)
    }
    fn target(&self) -> String {
        sql::Backend::target(self)
    }
}

impl Engine {
    /// Runs `f` in one write transaction (see [`sql::Backend::write`]);
    /// the value of its last, committed attempt.
    fn write<T>(&self, f: &mut dyn FnMut(&mut dyn Conn) -> Result<T, Fail>) -> Result<T, Fail> {
        let mut out = None;
        self.0.write_unit(&mut |tx| {
            out = Some(f(tx)?);
            Ok(())
        })?;
        out.ok_or(Fail::Db(DbError::NoRow))
    }

    /// Runs `f` outside a transaction.
    fn read<T>(&self, f: &mut dyn FnMut(&mut dyn Conn) -> Result<T, Fail>) -> Result<T, Fail> {
        let mut out = None;
        self.0.read_unit(&mut |c| {
            out = Some(f(c)?);
            Ok(())
        })?;
        out.ok_or(Fail::Db(DbError::NoRow))
    }
}

/// An area's error: a database fault or one of the area's refusals. Lets
/// [`Db::write_as`] tell the two apart, so faults are retried and refusals
/// roll the transaction back and reach the caller as they are.
pub trait AreaError: From<DbError> + Sized {
    /// The database fault this is, or the refusal back.
    fn into_db(self) -> Result<DbError, Self>;
}

/// Implements [`AreaError`] for an enum whose `Db(DbError)` variant is its
/// database fault and every other variant a refusal.
macro_rules! area_error {
    ($($t:ty),* $(,)?) => {$(
        impl $crate::store::AreaError for $t {
            fn into_db(self) -> Result<$crate::store::sql::DbError, Self> {
                match self {
                    Self::Db(e) => Ok(e),
                    other => Err(other),
                }
            }
        }
    )*};
}
pub(crate) use area_error;

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db")
            .field("target", &self.target())
            .finish()
    }
}

impl Db {
    fn over(b: impl sql::Backend) -> Self {
        Self {
            b: Engine(Arc::new(b)),
            keeper: Arc::new(crate::record::Keeper::ephemeral()),
        }
    }

    /// Opens (creating) a SQLite database file.
    pub fn open_sqlite(path: &Path) -> Result<Self, ApiError> {
        Ok(Self::over(sqlite::Sqlite::open(path)?))
    }

    /// An in-memory SQLite database (tests and benchmarks).
    pub fn in_memory() -> Result<Self, ApiError> {
        Ok(Self::over(sqlite::Sqlite::in_memory()?))
    }

    /// Connects to a PostgreSQL database, creating or checking its schema.
    pub fn connect_pg(url: &str) -> Result<Self, pg::OpenError> {
        Ok(Self::over(pg::Postgres::open(url)?))
    }

    /// Uses `keeper` for the records (the service's vault and catalogue
    /// folder); set before the handle is shared.
    pub fn with_keeper(mut self, keeper: Arc<crate::record::Keeper>) -> Self {
        self.keeper = keeper;
        self
    }

    /// The record keeper.
    pub fn keeper(&self) -> &crate::record::Keeper {
        &self.keeper
    }

    /// The database the handle reaches, without credentials (for logs).
    pub fn target(&self) -> String {
        self.b.0.target()
    }

    /// Runs `f` in one write transaction, committed when it returns `Ok`.
    /// It may run more than once (PostgreSQL retries serialization
    /// failures), so it must not act outside the database.
    pub fn write<T>(
        &self,
        mut f: impl FnMut(&mut dyn Conn) -> Result<T, Fail>,
    ) -> Result<T, ApiError> {
        Ok(self.b.write(&mut f)?)
    }

    /// Runs `f` outside a transaction: each statement stands alone.
    pub fn read<T>(
        &self,
        mut f: impl FnMut(&mut dyn Conn) -> Result<T, Fail>,
    ) -> Result<T, ApiError> {
        Ok(self.b.read(&mut f)?)
    }

    /// [`Db::write`] for an area with its own error type: a refusal rolls
    /// the transaction back and is returned unchanged.
    pub fn write_as<T, E: AreaError>(
        &self,
        f: impl FnMut(&mut dyn Conn) -> Result<T, E>,
    ) -> Result<T, E> {
        run_as(|g| self.b.write(g), f)
    }

    /// [`Db::read`] for an area with its own error type.
    pub fn read_as<T, E: AreaError>(
        &self,
        f: impl FnMut(&mut dyn Conn) -> Result<T, E>,
    ) -> Result<T, E> {
        run_as(|g| self.b.read(g), f)
    }

    /// A record-keeper read: `f` gets the connection and the keeper.
    pub fn record_read<T>(
        &self,
        mut f: impl FnMut(&mut dyn Conn, &crate::record::Keeper) -> Result<T, Fail>,
    ) -> Result<T, ApiError> {
        let keeper = self.keeper.clone();
        self.read(|c| f(c, &keeper))
    }

    /// A record-keeper write transaction.
    pub fn record_write<T>(
        &self,
        mut f: impl FnMut(&mut dyn Conn, &crate::record::Keeper) -> Result<T, Fail>,
    ) -> Result<T, ApiError> {
        let keeper = self.keeper.clone();
        self.write(|tx| f(tx, &keeper))
    }

    /// The deployment's epoch (a fresh database gets a new one).
    pub fn epoch(&self) -> Result<String, ApiError> {
        self.read(|c| Ok(epoch_of(c)?))
    }

    /// Tries to become this deployment's evidence collector (gc.rs): a
    /// PostgreSQL session advisory lock, held until the lease is released
    /// or dropped; SQLite has one process. `None` while another holds it.
    pub fn elect_collector(&self) -> Result<Option<sql::Lease>, ApiError> {
        // Advisory locks are per database; the key is this deployment's
        // (its epoch), so deployments sharing a PostgreSQL database in
        // separate schemas never skip each other's collection.
        let epoch = self.epoch()?;
        let digest = Sha256::digest(format!("{}:{epoch}", uploads::ELECTION_KEY));
        let mut key = [0u8; 8];
        key.copy_from_slice(&digest[..8]);
        Ok(self.b.0.elect(i64::from_be_bytes(key))?)
    }
}

/// Runs an area closure `f` through `run` (a write transaction or a read):
/// its database faults go to the backend as [`Fail::Db`] (so PostgreSQL
/// retries the retryable ones), its refusal is held aside while the
/// backend rolls back, then returned as it was.
fn run_as<T, E: AreaError>(
    run: impl FnOnce(&mut dyn FnMut(&mut dyn Conn) -> Result<T, Fail>) -> Result<T, Fail>,
    mut f: impl FnMut(&mut dyn Conn) -> Result<T, E>,
) -> Result<T, E> {
    let mut refused: Option<E> = None;
    let r = run(&mut |c| match f(c) {
        Ok(v) => Ok(v),
        Err(e) => match e.into_db() {
            Ok(db) => Err(Fail::Db(db)),
            Err(e) => {
                refused = Some(e);
                Err(Fail::Refused)
            }
        },
    });
    match (r, refused) {
        (Ok(v), _) => Ok(v),
        (Err(_), Some(e)) => Err(e),
        (Err(Fail::Db(db)), None) => Err(E::from(db)),
        // Area closures return only their own error, so the only other
        // way out is a refusal, which is stored above.
        (Err(_), None) => Err(E::from(DbError::NoRow)),
    }
}

/// An RFC 3339 UTC timestamp with milliseconds, as every row stores it.
pub(crate) fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// A UUIDv7 at the server's `now` (ids of server-made records).
pub(crate) fn new_id(now: DateTime<Utc>) -> String {
    let stamp = uuid::Timestamp::from_unix(
        uuid::NoContext,
        u64::try_from(now.timestamp()).unwrap_or(0),
        now.timestamp_subsec_nanos(),
    );
    uuid::Uuid::new_v7(stamp).to_string()
}

/// The SHA-256 of `s`, hex (tokens are stored only so).
pub(crate) fn sha_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

/// A fresh random token (32 bytes, base64url).
pub fn random_token() -> Result<String, ApiError> {
    let mut b = [0u8; 32];
    getrandom::fill(&mut b).map_err(|e| {
        tracing::error!(error = %e, "no randomness");
        ApiError::new(ErrorKind::Internal, "随机数不可用")
    })?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b))
}

fn district_of(township: &str) -> String {
    township.chars().take(6).collect()
}

fn epoch_of(tx: &mut dyn Conn) -> Result<String, DbError> {
    tx.query_one("SELECT value FROM meta WHERE key = 'epoch'", p![])?
        .get(0)
}

/// Appends an audit row (time, actor, action, object) on the caller's
/// transaction: every read and write of case and evidence data.
pub(crate) fn audit(
    tx: &mut dyn Conn,
    now: DateTime<Utc>,
    actor: &str,
    action: &str,
    object: &str,
) -> Result<(), DbError> {
    tx.exec(
        "INSERT INTO audit (at, actor, action, object) VALUES (?1, ?2, ?3, ?4)",
        p![ts(now), actor, action, object],
    )?;
    Ok(())
}

fn size_of(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[derive(Debug, thiserror::Error)]
    enum Refusal {
        #[error("refused")]
        No,
        #[error(transparent)]
        Db(#[from] DbError),
    }

    area_error!(Refusal);

    fn marks(db: &Db) -> i64 {
        db.read(|c| {
            Ok(
                c.query_one("SELECT count(*) FROM meta WHERE key LIKE 'mark%'", p![])?
                    .get(0)?,
            )
        })
        .unwrap()
    }

    #[test]
    fn an_area_refusal_rolls_back_and_reaches_the_caller_unchanged() {
        let db = Db::in_memory().unwrap();
        let refused: Result<(), Refusal> = db.write_as(|tx| {
            tx.exec("INSERT INTO meta (key, value) VALUES ('mark1', 'x')", p![])?;
            Err(Refusal::No)
        });
        assert!(matches!(refused, Err(Refusal::No)), "{refused:?}");
        assert_eq!(
            marks(&db),
            0,
            "the refused transaction's insert was rolled back"
        );

        let done: Result<i64, Refusal> = db.write_as(|tx| {
            tx.exec("INSERT INTO meta (key, value) VALUES ('mark2', 'x')", p![])?;
            Ok(7)
        });
        assert_eq!(done.unwrap(), 7);
        assert_eq!(marks(&db), 1);

        let fault: Result<(), Refusal> = db.write_as(|tx| {
            tx.exec("INSERT INTO meta (key, value) VALUES ('mark3', 'x')", p![])?;
            tx.exec("INSERT INTO no_such_table VALUES (1)", p![])?;
            Ok(())
        });
        assert!(matches!(fault, Err(Refusal::Db(_))), "{fault:?}");
        assert_eq!(marks(&db), 1, "a fault rolls back too");

        let read: Result<(), Refusal> = db.read_as(|_| Err(Refusal::No));
        assert!(matches!(read, Err(Refusal::No)));
    }
}
