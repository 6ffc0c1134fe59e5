//! The small SQL abstraction the storage logic is written against: a
//! [`Conn`] that runs parameterised statements ([`Val`] in, [`Row`] out)
//! and a [`Backend`] that runs a closure in one write transaction (retried
//! on transient conflicts) or outside one (reads). Two drivers implement
//! it: SQLite ([`super::sqlite`]) and PostgreSQL ([`super::pg`]).
//!
//! Statements are written once, in the subset both databases share:
//! `?N` placeholders (rewritten to `$N` for PostgreSQL), `ON CONFLICT …
//! DO NOTHING / DO UPDATE SET x = excluded.x` instead of `INSERT OR
//! IGNORE`, `RETURNING` instead of `last_insert_rowid()`, `"offset"`
//! quoted, `CAST(?N AS TEXT)` where a parameter's type cannot be inferred,
//! and `FOR UPDATE` row locks (PostgreSQL takes them; the SQLite driver
//! drops the clause, its single writer already excludes every other
//! transaction).

use std::borrow::Cow;

use zhifa_protocol::ErrorKind;

use crate::error::ApiError;

/// One statement parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Val<'a> {
    /// An integer (BIGINT / INTEGER).
    Int(i64),
    /// Text.
    Text(&'a str),
    /// SQL NULL (typed by the statement's parameter type).
    Null,
}

/// Something usable as a statement parameter.
pub trait AsVal {
    /// The parameter.
    fn val(&self) -> Val<'_>;
}

impl AsVal for str {
    fn val(&self) -> Val<'_> {
        Val::Text(self)
    }
}
impl AsVal for String {
    fn val(&self) -> Val<'_> {
        Val::Text(self)
    }
}
impl AsVal for i64 {
    fn val(&self) -> Val<'_> {
        Val::Int(*self)
    }
}
impl AsVal for i32 {
    fn val(&self) -> Val<'_> {
        Val::Int(i64::from(*self))
    }
}
impl<T: AsVal + ?Sized> AsVal for Option<&T> {
    fn val(&self) -> Val<'_> {
        self.map_or(Val::Null, AsVal::val)
    }
}
impl AsVal for Option<String> {
    fn val(&self) -> Val<'_> {
        self.as_deref().map_or(Val::Null, Val::Text)
    }
}
impl<T: AsVal + ?Sized> AsVal for &T {
    fn val(&self) -> Val<'_> {
        (**self).val()
    }
}

/// Statement parameters: `p![a, b, c]` is `&[Val]`.
macro_rules! p {
    ($($x:expr),* $(,)?) => {
        &[$($crate::store::sql::AsVal::val(&$x)),*][..]
    };
}
pub(crate) use p;

/// One column value of a result row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    /// NULL.
    Null,
    /// An integer.
    Int(i64),
    /// Text.
    Text(String),
}

/// A result row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row(pub Vec<Cell>);

/// A Rust type a [`Cell`] converts to.
pub trait FromCell: Sized {
    /// The conversion; `None` when the cell has another type.
    fn from_cell(c: &Cell) -> Option<Self>;
}

impl FromCell for i64 {
    fn from_cell(c: &Cell) -> Option<Self> {
        match c {
            Cell::Int(i) => Some(*i),
            _ => None,
        }
    }
}
impl FromCell for i32 {
    fn from_cell(c: &Cell) -> Option<Self> {
        match c {
            Cell::Int(i) => i32::try_from(*i).ok(),
            _ => None,
        }
    }
}
impl FromCell for String {
    fn from_cell(c: &Cell) -> Option<Self> {
        match c {
            Cell::Text(s) => Some(s.clone()),
            _ => None,
        }
    }
}
impl<T: FromCell> FromCell for Option<T> {
    fn from_cell(c: &Cell) -> Option<Self> {
        match c {
            Cell::Null => Some(None),
            c => T::from_cell(c).map(Some),
        }
    }
}

impl Row {
    /// Column `i` as `T`.
    pub fn get<T: FromCell>(&self, i: usize) -> Result<T, DbError> {
        self.0.get(i).and_then(T::from_cell).ok_or(DbError::Type(i))
    }
}

/// A database fault (the detail is logged, never sent to a client).
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// From SQLite.
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// From PostgreSQL.
    #[error("postgres: {0}")]
    Pg(#[from] postgres::Error),
    /// No connection could be had from the pool in time.
    #[error("connection pool: {0}")]
    Pool(String),
    /// A statement that must return a row returned none.
    #[error("query returned no row")]
    NoRow,
    /// A parameter did not fit the type the statement declares.
    #[error("parameter {0} does not fit the statement")]
    Param(usize),
    /// A column had an unexpected type.
    #[error("column {0} has an unexpected type")]
    Type(usize),
}

/// PostgreSQL SQLSTATEs retried by [`DbError::retryable`]:
/// `serialization_failure`, `deadlock_detected` and `unique_violation`
/// (under SERIALIZABLE a concurrent insert of the same key can surface as
/// a unique violation instead of a serialization failure).
const RETRY_STATES: [&str; 3] = ["40001", "40P01", "23505"];

impl DbError {
    fn pg_state(&self) -> Option<&str> {
        match self {
            Self::Pg(e) => e.code().map(postgres::error::SqlState::code),
            _ => None,
        }
    }

    /// A conflict with a concurrent transaction: running the whole
    /// transaction again may succeed.
    pub fn retryable(&self) -> bool {
        self.pg_state().is_some_and(|s| RETRY_STATES.contains(&s))
    }

    /// The database is busy, down or unreachable: the client should back
    /// off and retry (`unavailable`), nothing is wrong with its request.
    pub fn transient(&self) -> bool {
        match self {
            Self::Sqlite(e) => matches!(
                e.sqlite_error_code(),
                Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
            ),
            Self::Pg(e) => match e.code() {
                // 08 connection exception, 53 insufficient resources,
                // 57 operator intervention (shutdown, cancel), 40 rollbacks.
                Some(c) => ["08", "53", "57", "40"]
                    .iter()
                    .any(|p| c.code().starts_with(p)),
                // No SQLSTATE: the socket failed or the connection closed.
                None => true,
            },
            Self::Pool(_) => true,
            Self::NoRow | Self::Type(_) | Self::Param(_) => false,
        }
    }
}

impl From<DbError> for ApiError {
    fn from(e: DbError) -> Self {
        tracing::error!(error = %e, "storage error");
        if e.transient() {
            Self::new(ErrorKind::Unavailable, "数据库繁忙或暂不可用，请稍后重试")
        } else {
            Self::new(ErrorKind::Internal, "服务器存储错误")
        }
    }
}

/// Why a transaction closure stopped: a database fault (maybe retried) or
/// an answer for the client (the transaction is rolled back).
#[derive(Debug)]
pub enum Fail {
    /// A database fault.
    Db(DbError),
    /// A request-level error.
    Api(ApiError),
    /// An area's refusal, held by [`super::Db::write_as`] while the
    /// transaction rolls back.
    Refused,
}

impl From<DbError> for Fail {
    fn from(e: DbError) -> Self {
        Self::Db(e)
    }
}
impl From<ApiError> for Fail {
    fn from(e: ApiError) -> Self {
        Self::Api(e)
    }
}
impl From<rusqlite::Error> for Fail {
    fn from(e: rusqlite::Error) -> Self {
        Self::Db(DbError::Sqlite(e))
    }
}
impl From<postgres::Error> for Fail {
    fn from(e: postgres::Error) -> Self {
        Self::Db(DbError::Pg(e))
    }
}
impl From<Fail> for ApiError {
    fn from(f: Fail) -> Self {
        match f {
            Fail::Db(e) => e.into(),
            Fail::Api(e) => e,
            Fail::Refused => Self::new(ErrorKind::Internal, "事务被拒绝"),
        }
    }
}

/// A connection (inside or outside a transaction) of either backend.
pub trait Conn {
    /// Runs a statement; the number of rows it changed.
    fn exec(&mut self, sql: &str, params: &[Val<'_>]) -> Result<u64, DbError>;
    /// Runs a query; every row.
    fn query(&mut self, sql: &str, params: &[Val<'_>]) -> Result<Vec<Row>, DbError>;
    /// Runs parameterless statements separated by `;` (savepoints).
    fn batch(&mut self, sql: &str) -> Result<(), DbError>;
    /// Makes the calling transaction's inserts into `table` commit in the
    /// order their identity values were drawn, so a reader paging by that
    /// identity never skips a row committed later with a smaller value
    /// (sync.md §6.11). SQLite: nothing to do (one writer). PostgreSQL: a
    /// self-conflicting table lock held until commit.
    fn commit_ordered(&mut self, table: &str) -> Result<(), DbError>;

    /// The first row, if any.
    fn query_opt(&mut self, sql: &str, params: &[Val<'_>]) -> Result<Option<Row>, DbError> {
        Ok(self.query(sql, params)?.into_iter().next())
    }
    /// The first row; [`DbError::NoRow`] when there is none.
    fn query_one(&mut self, sql: &str, params: &[Val<'_>]) -> Result<Row, DbError> {
        self.query_opt(sql, params)?.ok_or(DbError::NoRow)
    }
    /// Whether the query returns a row.
    fn exists(&mut self, sql: &str, params: &[Val<'_>]) -> Result<bool, DbError> {
        Ok(self.query_opt(sql, params)?.is_some())
    }
}

/// A database the storage logic runs on.
pub trait Backend: Send + Sync + 'static {
    /// Runs `f` in one write transaction and commits it when `f` returns
    /// `Ok`; rolls back on `Err`. The closure may run more than once
    /// (PostgreSQL retries it on serialization failures), so it must not
    /// act outside the database.
    fn write<T>(&self, f: &mut dyn FnMut(&mut dyn Conn) -> Result<T, Fail>) -> Result<T, Fail>;
    /// Runs `f` outside a transaction: each statement stands alone.
    fn read<T>(&self, f: &mut dyn FnMut(&mut dyn Conn) -> Result<T, Fail>) -> Result<T, Fail>;
    /// The database reached, without credentials (for logs).
    fn target(&self) -> String;
    /// Tries to become the one process doing the job `key` names (the
    /// evidence collector) among every server on this database: the
    /// guard holds the role until dropped; `None` while another holds it.
    /// The default (SQLite: one process owns the file) always succeeds.
    fn elect(&self, key: i64) -> Result<Option<Lease>, Fail> {
        let _ = key;
        Ok(Some(Lease(Box::new(()))))
    }
}

/// What an election holds until released.
pub trait Held: Send {
    /// Gives the role up now (a blocking call: run it off the async
    /// runtime's workers).
    fn release(self: Box<Self>);
}

impl Held for () {
    fn release(self: Box<Self>) {}
}

/// Held while this process is the elected one ([`Backend::elect`]).
/// [`Lease::release`] gives it up at once; dropping it unreleased gives it
/// up too, possibly a moment later (the connection is closed).
pub struct Lease(pub Box<dyn Held>);

impl Lease {
    /// Gives the role up now (blocking).
    pub fn release(self) {
        self.0.release();
    }
}

impl std::fmt::Debug for Lease {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Lease")
    }
}

/// `?N` placeholders as PostgreSQL's `$N` (statements contain no `?`
/// inside string literals).
pub fn dollar_placeholders(sql: &str) -> Cow<'_, str> {
    if sql.contains('?') {
        Cow::Owned(sql.replace('?', "$"))
    } else {
        Cow::Borrowed(sql)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn placeholders_and_params() {
        assert_eq!(
            dollar_placeholders("SELECT 1 WHERE a = ?1 AND b = ?12"),
            "SELECT 1 WHERE a = $1 AND b = $12"
        );
        let s = String::from("x");
        let none: Option<&str> = None;
        assert_eq!(
            p![s, 3i64, "y", none, Some("z")],
            &[
                Val::Text("x"),
                Val::Int(3),
                Val::Text("y"),
                Val::Null,
                Val::Text("z")
            ]
        );
        let r = Row(vec![Cell::Int(1), Cell::Null, Cell::Text("t".into())]);
        assert_eq!(r.get::<i64>(0).unwrap(), 1);
        assert_eq!(r.get::<Option<String>>(1).unwrap(), None);
        assert_eq!(r.get::<String>(2).unwrap(), "t");
        assert!(matches!(r.get::<String>(0), Err(DbError::Type(0))));
    }
}
