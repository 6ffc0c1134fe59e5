//! The centre's read API over the record (issue 15 item 8): lists of
//! cases, inspections and tasks with filters and keyset pagination, and a
//! case's full detail — each inside the console account's scope (a
//! township-code prefix) and audited.
//!
//! - **Lists** show no personal data: the party is its masked name (and
//!   kind); names, ID numbers, phones and addresses stay sealed.
//! - **Order and pages**: most recently changed first, `(updated_at,
//!   id)` descending, served by the `*_by_township` / `*_by_district`
//!   indexes of migration 0010. `next` is an opaque cursor (the last
//!   row's key); a row changed while someone pages moves to the top and
//!   is seen on the next pass, never twice in one.
//! - **Scope**: an account of a district sees its townships; of a
//!   township, that township; a `township` filter outside the scope is
//!   refused (`forbidden`), never silently widened or emptied.
//! - **Detail** (`case`): the device's `case show` shape plus documents,
//!   replay and flag, personal data opened — only for a case inside the
//!   scope, audited `case.read` with the account as actor.
//! - **Audit**: every list call writes one `record.list` row naming the
//!   account and the filters.

use base64::Engine as _;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::RecordError;
use crate::store::sql::{Conn, Row, Val};

/// Rows per page when the query names none.
pub const DEFAULT_LIMIT: i64 = 50;
/// The most rows one page holds.
pub const MAX_LIMIT: i64 = 200;

/// Why a read was refused.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// A filter or cursor that does not parse.
    #[error("{0}")]
    Invalid(String),
    /// A filter or record outside the account's scope.
    #[error("{0}")]
    OutOfScope(String),
    /// No such record.
    #[error("{0}")]
    NotFound(String),
    /// The store.
    #[error(transparent)]
    Record(#[from] RecordError),
}

impl From<ReadError> for crate::store::sql::Fail {
    fn from(e: ReadError) -> Self {
        use crate::error::ApiError;
        use zhifa_protocol::ErrorKind;
        match e {
            ReadError::Invalid(m) => Self::Api(ApiError::new(ErrorKind::BadRequest, m)),
            ReadError::OutOfScope(m) => Self::Api(ApiError::new(ErrorKind::Forbidden, m)),
            ReadError::NotFound(m) => Self::Api(ApiError::new(ErrorKind::NotFound, m)),
            ReadError::Record(e) => e.into(),
        }
    }
}

impl From<crate::store::sql::DbError> for ReadError {
    fn from(e: crate::store::sql::DbError) -> Self {
        Self::Record(RecordError::Db(e))
    }
}

/// Filters of `GET /v1/console/records/cases`.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CaseQuery {
    /// One township (9 digits) inside the account's scope.
    pub township: Option<String>,
    /// One matter code.
    pub matter: Option<String>,
    /// Cases one of whose two officers is this one.
    pub officer: Option<String>,
    /// One status (`served`, `closed` …).
    pub status: Option<String>,
    /// Violations on or after this day (YYYY-MM-DD).
    #[param(value_type = Option<String>, format = Date)]
    pub from: Option<NaiveDate>,
    /// Violations on or before this day (YYYY-MM-DD).
    #[param(value_type = Option<String>, format = Date)]
    pub to: Option<NaiveDate>,
    /// Only flagged cases (true) or only unflagged ones (false).
    pub flagged: Option<bool>,
    /// The `next` cursor of the previous page.
    pub after: Option<String>,
    /// Rows per page (default 50, at most 200).
    pub limit: Option<i64>,
}

/// One case of the list: no personal data but the masked name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CaseRow {
    /// The case.
    pub case_id: String,
    /// Its township.
    pub township: String,
    /// Its matter.
    pub matter_code: String,
    /// Its status.
    pub status: String,
    /// `simple` (普通程序 later).
    pub procedure: String,
    /// The two officers.
    pub officers: [String; 2],
    /// The violation's day.
    pub violation_date: String,
    /// The decision's day.
    pub decided_on: Option<String>,
    /// The penalty, in fen.
    pub amount_fen: Option<i64>,
    /// The party's kind.
    pub party_kind: Option<String>,
    /// The party's name, masked.
    pub party_masked: Option<String>,
    /// Flagged for the legal-review body.
    pub flagged: bool,
    /// The server's replay of the decision: passed, refused, or not yet.
    pub replay_ok: Option<bool>,
    /// When the centre's record last changed.
    pub updated_at: String,
}

/// A page of cases.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CasePage {
    /// The rows, most recently changed first.
    pub rows: Vec<CaseRow>,
    /// The cursor of the next page; absent on the last.
    pub next: Option<String>,
}

/// Filters of `GET /v1/console/records/inspections`.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InspectionQuery {
    /// One township inside the account's scope.
    pub township: Option<String>,
    /// One status.
    pub status: Option<String>,
    /// Inspections one of whose officers is this one.
    pub officer: Option<String>,
    /// Started on or after this day.
    #[param(value_type = Option<String>, format = Date)]
    pub from: Option<NaiveDate>,
    /// Started on or before this day.
    #[param(value_type = Option<String>, format = Date)]
    pub to: Option<NaiveDate>,
    /// Only those with failed items.
    pub failed: Option<bool>,
    /// The `next` cursor of the previous page.
    pub after: Option<String>,
    /// Rows per page (default 50, at most 200).
    pub limit: Option<i64>,
}

/// One inspection of the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct InspectionRow {
    /// The inspection.
    pub inspection_id: String,
    /// Its township.
    pub township: String,
    /// Its status.
    pub status: String,
    /// The two officers.
    pub officers: [String; 2],
    /// The day it started.
    pub started_on: String,
    /// Checklist items.
    pub items: i64,
    /// Items failed.
    pub failed: i64,
    /// The party's name, masked.
    pub party_masked: Option<String>,
    /// When the centre's record last changed.
    pub updated_at: String,
}

/// A page of inspections.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct InspectionPage {
    /// The rows, most recently changed first.
    pub rows: Vec<InspectionRow>,
    /// The cursor of the next page.
    pub next: Option<String>,
}

/// Filters of `GET /v1/console/records/tasks`.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TaskQuery {
    /// One township inside the account's scope.
    pub township: Option<String>,
    /// One status (`assigned`, `accepted`, `done`).
    pub status: Option<String>,
    /// One kind (`complaint`, `random_inspection`, `follow_up`).
    pub kind: Option<String>,
    /// The `next` cursor of the previous page.
    pub after: Option<String>,
    /// Rows per page (default 50, at most 200).
    pub limit: Option<i64>,
}

/// One task of the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TaskRow {
    /// The task.
    pub task_id: String,
    /// Its township.
    pub township: String,
    /// Its kind.
    pub kind: String,
    /// Its status.
    pub status: String,
    /// When the centre's record last changed.
    pub updated_at: String,
}

/// A page of tasks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TaskPage {
    /// The rows, most recently changed first.
    pub rows: Vec<TaskRow>,
    /// The cursor of the next page.
    pub next: Option<String>,
}

/// A `WHERE` clause under construction with its parameters (`?N` in
/// order).
#[derive(Default)]
struct Where {
    clauses: Vec<String>,
    params: Vec<Param>,
}

enum Param {
    Text(String),
    Int(i64),
}

impl Where {
    fn next(&self) -> usize {
        self.params.len() + 1
    }
    fn eq(&mut self, column: &str, value: &str) {
        self.clauses.push(format!("{column} = ?{}", self.next()));
        self.params.push(Param::Text(value.to_owned()));
    }
    fn cmp(&mut self, column: &str, op: &str, value: String) {
        self.clauses.push(format!("{column} {op} ?{}", self.next()));
        self.params.push(Param::Text(value));
    }
    fn either(&mut self, a: &str, b: &str, value: &str) {
        let n = self.next();
        self.clauses.push(format!("({a} = ?{n} OR {b} = ?{n})"));
        self.params.push(Param::Text(value.to_owned()));
    }
    fn int(&mut self, column: &str, op: &str, value: i64) {
        self.clauses.push(format!("{column} {op} ?{}", self.next()));
        self.params.push(Param::Int(value));
    }
    /// Rows strictly after the cursor in `(updated_at, id)` descending order.
    fn after(&mut self, id_column: &str, cursor: Option<&str>) -> Result<(), ReadError> {
        let Some(c) = cursor else {
            return Ok(());
        };
        let (at, id) = decode_cursor(c)?;
        let n = self.next();
        self.clauses.push(format!(
            "(updated_at < ?{n} OR (updated_at = ?{n} AND {id_column} < ?{}))",
            n + 1
        ));
        self.params.push(Param::Text(at));
        self.params.push(Param::Text(id));
        Ok(())
    }
    /// The account's scope, or the township filter inside it.
    fn scope(&mut self, scope: &str, township: Option<&str>) -> Result<(), ReadError> {
        match township {
            Some(t) if !t.starts_with(scope) => Err(ReadError::OutOfScope(format!(
                "乡镇街道 {t} 不在本账号的辖区内"
            ))),
            Some(t) => {
                self.eq("township", t);
                Ok(())
            }
            None if scope.is_empty() => Ok(()),
            None if scope.len() == 6 => {
                self.eq("district", scope);
                Ok(())
            }
            None => {
                self.eq("township", scope);
                Ok(())
            }
        }
    }
    fn sql(&self) -> String {
        if self.clauses.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", self.clauses.join(" AND "))
        }
    }
    fn vals(&self) -> Vec<Val<'_>> {
        self.params
            .iter()
            .map(|p| match p {
                Param::Text(s) => Val::Text(s),
                Param::Int(i) => Val::Int(*i),
            })
            .collect()
    }
}

fn encode_cursor(updated_at: &str, id: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{updated_at}\n{id}"))
}

fn decode_cursor(c: &str) -> Result<(String, String), ReadError> {
    let bad = || ReadError::Invalid("翻页游标无效（请从第一页重新查询）".into());
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(c)
        .map_err(|_| bad())?;
    let text = String::from_utf8(bytes).map_err(|_| bad())?;
    let (at, id) = text.split_once('\n').ok_or_else(bad)?;
    Ok((at.to_owned(), id.to_owned()))
}

fn limit_of(limit: Option<i64>) -> Result<i64, ReadError> {
    match limit {
        None => Ok(DEFAULT_LIMIT),
        Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
        Some(n) => Err(ReadError::Invalid(format!(
            "每页条数 {n} 无效（1–{MAX_LIMIT}）"
        ))),
    }
}

/// Runs a page query: `limit + 1` rows to know whether there is a next
/// page; the cursor from the last row kept (`updated_at` and id at the
/// given column positions).
fn page<T>(
    c: &mut dyn Conn,
    select: &str,
    id_column: &str,
    w: &Where,
    limit: i64,
    key: (usize, usize),
    row: impl Fn(&Row) -> Result<T, ReadError>,
) -> Result<(Vec<T>, Option<String>), ReadError> {
    let sql = format!(
        "{select}{} ORDER BY updated_at DESC, {id_column} DESC LIMIT {}",
        w.sql(),
        limit + 1
    );
    let rows = c.query(&sql, &w.vals())?;
    let more = i64::try_from(rows.len()).unwrap_or(i64::MAX) > limit;
    let keep = usize::try_from(limit).unwrap_or(usize::MAX).min(rows.len());
    let next = if more {
        let last = &rows[keep - 1];
        Some(encode_cursor(
            &last.get::<String>(key.0)?,
            &last.get::<String>(key.1)?,
        ))
    } else {
        None
    };
    let out = rows[..keep].iter().map(row).collect::<Result<_, _>>()?;
    Ok((out, next))
}

fn audit_list(
    c: &mut dyn Conn,
    now: DateTime<Utc>,
    actor: &str,
    what: &str,
    filters: &str,
) -> Result<(), ReadError> {
    crate::store::audit(c, now, actor, "record.list", &format!("{what}?{filters}"))?;
    Ok(())
}

/// A page of the cases inside `scope` that match `q`; audited under `actor`.
pub fn cases(
    c: &mut dyn Conn,
    scope: &str,
    q: &CaseQuery,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<CasePage, ReadError> {
    let limit = limit_of(q.limit)?;
    let mut w = Where::default();
    w.scope(scope, q.township.as_deref())?;
    if let Some(m) = &q.matter {
        w.eq("matter_code", m);
    }
    if let Some(o) = &q.officer {
        w.either("officer_a", "officer_b", o);
    }
    if let Some(s) = &q.status {
        w.eq("status", s);
    }
    if let Some(d) = q.from {
        w.cmp("violation_date", ">=", d.to_string());
    }
    if let Some(d) = q.to {
        w.cmp("violation_date", "<=", d.to_string());
    }
    if let Some(f) = q.flagged {
        w.int("flagged", "=", i64::from(f));
    }
    w.after("case_id", q.after.as_deref())?;
    let (rows, next) = page(
        c,
        "SELECT case_id, township, matter_code, status, procedure, officer_a, officer_b, violation_date,
                decided_on, amount_fen, party_kind, party_masked, flagged, replay_ok, updated_at
         FROM record_case",
        "case_id",
        &w,
        limit,
        (14, 0),
        |r| {
            Ok(CaseRow {
                case_id: r.get(0)?,
                township: r.get(1)?,
                matter_code: r.get(2)?,
                status: r.get(3)?,
                procedure: r.get(4)?,
                officers: [r.get(5)?, r.get(6)?],
                violation_date: r.get(7)?,
                decided_on: r.get(8)?,
                amount_fen: r.get(9)?,
                party_kind: r.get(10)?,
                party_masked: r.get(11)?,
                flagged: r.get::<i64>(12)? == 1,
                replay_ok: r.get::<Option<i64>>(13)?.map(|v| v == 1),
                updated_at: r.get(14)?,
            })
        },
    )?;
    let given = filters(&[
        ("township", q.township.clone()),
        ("matter", q.matter.clone()),
        ("officer", q.officer.clone()),
        ("status", q.status.clone()),
        ("from", q.from.map(|d| d.to_string())),
        ("to", q.to.map(|d| d.to_string())),
        ("flagged", q.flagged.map(|f| f.to_string())),
        ("after", q.after.clone()),
    ]);
    audit_list(c, now, actor, "cases", &given)?;
    Ok(CasePage { rows, next })
}

/// The filters given, as `k=v&…` for the audit row.
fn filters(pairs: &[(&str, Option<String>)]) -> String {
    pairs
        .iter()
        .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k}={v}")))
        .collect::<Vec<_>>()
        .join("&")
}

/// A page of the inspections inside `scope` that match `q`; audited.
pub fn inspections(
    c: &mut dyn Conn,
    scope: &str,
    q: &InspectionQuery,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<InspectionPage, ReadError> {
    let limit = limit_of(q.limit)?;
    let mut w = Where::default();
    w.scope(scope, q.township.as_deref())?;
    if let Some(s) = &q.status {
        w.eq("status", s);
    }
    if let Some(o) = &q.officer {
        w.either("officer_a", "officer_b", o);
    }
    if let Some(d) = q.from {
        w.cmp("started_on", ">=", d.to_string());
    }
    if let Some(d) = q.to {
        w.cmp("started_on", "<=", d.to_string());
    }
    match q.failed {
        Some(true) => w.int("failed", ">", 0),
        Some(false) => w.int("failed", "=", 0),
        None => {}
    }
    w.after("inspection_id", q.after.as_deref())?;
    let (rows, next) = page(
        c,
        "SELECT inspection_id, township, status, officer_a, officer_b, started_on, items, failed,
                party_masked, updated_at
         FROM record_inspection",
        "inspection_id",
        &w,
        limit,
        (9, 0),
        |r| {
            Ok(InspectionRow {
                inspection_id: r.get(0)?,
                township: r.get(1)?,
                status: r.get(2)?,
                officers: [r.get(3)?, r.get(4)?],
                started_on: r.get(5)?,
                items: r.get(6)?,
                failed: r.get(7)?,
                party_masked: r.get(8)?,
                updated_at: r.get(9)?,
            })
        },
    )?;
    let given = filters(&[
        ("township", q.township.clone()),
        ("status", q.status.clone()),
        ("officer", q.officer.clone()),
        ("from", q.from.map(|d| d.to_string())),
        ("to", q.to.map(|d| d.to_string())),
        ("failed", q.failed.map(|f| f.to_string())),
        ("after", q.after.clone()),
    ]);
    audit_list(c, now, actor, "inspections", &given)?;
    Ok(InspectionPage { rows, next })
}

/// A page of the tasks inside `scope` that match `q`; audited.
pub fn tasks(
    c: &mut dyn Conn,
    scope: &str,
    q: &TaskQuery,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<TaskPage, ReadError> {
    let limit = limit_of(q.limit)?;
    let mut w = Where::default();
    w.scope(scope, q.township.as_deref())?;
    if let Some(s) = &q.status {
        w.eq("status", s);
    }
    if let Some(k) = &q.kind {
        w.eq("kind", k);
    }
    w.after("task_id", q.after.as_deref())?;
    let (rows, next) = page(
        c,
        "SELECT task_id, township, kind, status, updated_at FROM record_task",
        "task_id",
        &w,
        limit,
        (4, 0),
        |r| {
            Ok(TaskRow {
                task_id: r.get(0)?,
                township: r.get(1)?,
                kind: r.get(2)?,
                status: r.get(3)?,
                updated_at: r.get(4)?,
            })
        },
    )?;
    let given = filters(&[
        ("township", q.township.clone()),
        ("status", q.status.clone()),
        ("kind", q.kind.clone()),
        ("after", q.after.clone()),
    ]);
    audit_list(c, now, actor, "tasks", &given)?;
    Ok(TaskPage { rows, next })
}

/// The full case `case_id` (personal data opened) for an account whose
/// scope covers it; audited `case.read`.
pub fn case(
    c: &mut dyn Conn,
    k: &super::Keeper,
    scope: &str,
    case_id: &str,
    on: NaiveDate,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<serde_json::Value, ReadError> {
    let missing = || ReadError::NotFound(format!("服务器上没有案件 {case_id} 的完整记录"));
    // A simple-procedure case's record, or a normal-procedure case's row.
    let township: String = c
        .query_opt(
            "SELECT township FROM record_case WHERE case_id = ?1
             UNION ALL SELECT township FROM procedure_case WHERE case_id = ?1",
            &[Val::Text(case_id)],
        )?
        .ok_or_else(missing)?
        .get(0)?;
    if !township.starts_with(scope) {
        return Err(ReadError::OutOfScope("案件不在本账号的辖区内".into()));
    }
    let doc = super::show::case_doc(c, k, case_id, on)?.ok_or_else(missing)?;
    crate::store::audit(c, now, actor, "case.read", case_id)?;
    serde_json::to_value(doc).map_err(|e| RecordError::Corrupt(e.to_string()).into())
}

/// The media types a case file is shown inline as; anything else is sent
/// as a download (`application/octet-stream`), never rendered.
pub const INLINE_TYPES: [&str; 5] = [
    "application/pdf",
    "image/jpeg",
    "image/png",
    "video/mp4",
    "audio/mp4",
];

/// Checks that `sha256` is a file of case `case_id` (a document it issued
/// or evidence it expects) inside `scope`; its media type as recorded.
/// Audited `case.file`.
pub fn case_file(
    c: &mut dyn Conn,
    scope: &str,
    case_id: &str,
    sha256: &str,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<String, ReadError> {
    let missing = || ReadError::NotFound(format!("案件 {case_id} 没有该文件"));
    // A simple-procedure case's record, or a normal-procedure case's row.
    let township: String = c
        .query_opt(
            "SELECT township FROM record_case WHERE case_id = ?1
             UNION ALL SELECT township FROM procedure_case WHERE case_id = ?1",
            &[Val::Text(case_id)],
        )?
        .ok_or_else(missing)?
        .get(0)?;
    if !township.starts_with(scope) {
        return Err(ReadError::OutOfScope("案件不在本账号的辖区内".into()));
    }
    let linked = c.query_opt(
        "SELECT 1 FROM case_evidence WHERE case_id = ?1 AND sha256 = ?2",
        &[Val::Text(case_id), Val::Text(sha256)],
    )?;
    if linked.is_none() {
        return Err(missing());
    }
    let media = match c.query_opt(
        "SELECT media_type FROM record_document WHERE case_id = ?1 AND sha256 = ?2",
        &[Val::Text(case_id), Val::Text(sha256)],
    )? {
        Some(r) => Some(r.get::<String>(0)?),
        None => c
            .query_opt(
                "SELECT media_type FROM evidence WHERE case_id = ?1 AND sha256 = ?2",
                &[Val::Text(case_id), Val::Text(sha256)],
            )?
            .map(|r| r.get::<String>(0))
            .transpose()?,
    };
    crate::store::audit(c, now, actor, "case.file", &format!("{case_id}:{sha256}"))?;
    Ok(media
        .filter(|m| INLINE_TYPES.contains(&m.as_str()))
        .unwrap_or_else(|| "application/octet-stream".to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        let c = encode_cursor("2026-03-01T08:00:00.000Z", "abc");
        assert_eq!(
            decode_cursor(&c).unwrap(),
            ("2026-03-01T08:00:00.000Z".to_owned(), "abc".to_owned())
        );
        assert!(matches!(decode_cursor("***"), Err(ReadError::Invalid(_))));
        let no_newline = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode("x");
        assert!(matches!(
            decode_cursor(&no_newline),
            Err(ReadError::Invalid(_))
        ));
    }

    #[test]
    fn limits_are_bounded() {
        assert_eq!(limit_of(None).unwrap(), DEFAULT_LIMIT);
        assert_eq!(limit_of(Some(MAX_LIMIT)).unwrap(), MAX_LIMIT);
        assert!(limit_of(Some(0)).is_err());
        assert!(limit_of(Some(MAX_LIMIT + 1)).is_err());
    }

    #[test]
    fn a_township_filter_outside_the_scope_is_refused() {
        let mut w = Where::default();
        assert!(matches!(
            w.scope("500112", Some("500113001")),
            Err(ReadError::OutOfScope(_))
        ));
        let mut w = Where::default();
        w.scope("500112", None).unwrap();
        assert_eq!(w.sql(), " WHERE district = ?1");
        let mut w = Where::default();
        w.scope("500112001", None).unwrap();
        assert_eq!(w.sql(), " WHERE township = ?1");
        let mut w = Where::default();
        w.scope("", None).unwrap();
        assert_eq!(w.sql(), "");
    }
}
