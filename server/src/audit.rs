//! The audit log as the console's administrators read it (issue 17):
//! `GET /v1/console/audit?actor=&action=&from=&to=&after=&limit=` — every
//! recorded read and write (time, actor, action, object), newest first,
//! keyset pages on the row id. Objects are ids and filters, never personal
//! data. Audit rows name no township, so only a city-wide administrator
//! (`administrator`, empty scope) may read them; the read is itself
//! audited (`audit.read`).

use axum::Json;
use axum::Router;
use axum::extract::{Query, State};
use axum::routing::get;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use zhifa_protocol::ErrorKind;
use zhifa_protocol::wire::ErrorBody;

use crate::api::state::{St, StaffAuth, blocking};
use crate::console::StaffRole;
use crate::error::ApiError;
use crate::store::sql::{Conn, Fail, Val};

/// The routes of this module.
pub fn routes() -> Router<St> {
    Router::new().route("/v1/console/audit", get(audit_http))
}

/// Filters of `GET /v1/console/audit`.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Only this actor (`staff:ID`, `device:…/officer:…`, `operator:cli` …).
    pub actor: Option<String>,
    /// Only this action (`case.read`, `record.list`, `session.signin` …).
    pub action: Option<String>,
    /// From this moment (RFC 3339), inclusive.
    pub from: Option<String>,
    /// Before this moment (RFC 3339).
    pub to: Option<String>,
    /// The cursor of the page before (its `next`).
    pub after: Option<i64>,
    /// Rows per page, 1–200 (default 50).
    pub limit: Option<i64>,
}

/// One audit row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AuditRow {
    /// Its id (increasing).
    pub id: i64,
    /// When (RFC 3339, UTC).
    pub at: String,
    /// Who.
    pub actor: String,
    /// What.
    pub action: String,
    /// On what.
    pub object: String,
}

/// A page of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AuditPage {
    /// The rows, newest first.
    pub rows: Vec<AuditRow>,
    /// The cursor of the next page; absent on the last.
    pub next: Option<i64>,
}

fn moment(s: &str, what: &str) -> Result<String, ApiError> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| {
            t.with_timezone(&Utc)
                .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
        })
        .map_err(|_| ApiError::bad(format!("{what}须为 RFC 3339 时间，收到 {s:?}")))
}

/// A page of the log matching `q`, newest first; the read audited under
/// `actor`.
pub fn page(
    c: &mut dyn Conn,
    q: &AuditQuery,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<AuditPage, Fail> {
    let limit = match q.limit {
        None => 50,
        Some(n @ 1..=200) => n,
        Some(n) => return Err(ApiError::bad(format!("每页 1–200 条，收到 {n}")).into()),
    };
    let mut clauses = Vec::new();
    let mut texts: Vec<String> = Vec::new();
    for (col, v) in [("actor", &q.actor), ("action", &q.action)] {
        if let Some(v) = v.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            texts.push(v.to_owned());
            clauses.push(format!("{col} = ?{}", texts.len()));
        }
    }
    if let Some(f) = q.from.as_deref() {
        texts.push(moment(f, "起始时间")?);
        clauses.push(format!("at >= ?{}", texts.len()));
    }
    if let Some(t) = q.to.as_deref() {
        texts.push(moment(t, "截止时间")?);
        clauses.push(format!("at < ?{}", texts.len()));
    }
    let mut vals: Vec<Val<'_>> = texts.iter().map(|t| Val::Text(t)).collect();
    if let Some(after) = q.after {
        vals.push(Val::Int(after));
        clauses.push(format!("id < ?{}", vals.len()));
    }
    vals.push(Val::Int(limit + 1));
    let sql = format!(
        "SELECT id, at, actor, action, object FROM audit{} ORDER BY id DESC LIMIT ?{}",
        if clauses.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", clauses.join(" AND "))
        },
        vals.len()
    );
    let rows = c.query(&sql, &vals)?;
    let mut out = rows
        .iter()
        .map(|r| {
            Ok(AuditRow {
                id: r.get(0)?,
                at: r.get(1)?,
                actor: r.get(2)?,
                action: r.get(3)?,
                object: r.get(4)?,
            })
        })
        .collect::<Result<Vec<_>, crate::store::sql::DbError>>()?;
    let next = if out.len() as i64 > limit {
        out.truncate(usize::try_from(limit).unwrap_or(0));
        out.last().map(|r| r.id)
    } else {
        None
    };
    let object = format!(
        "actor={}&action={}&from={}&to={}&after={}",
        q.actor.as_deref().unwrap_or(""),
        q.action.as_deref().unwrap_or(""),
        q.from.as_deref().unwrap_or(""),
        q.to.as_deref().unwrap_or(""),
        q.after.map(|a| a.to_string()).unwrap_or_default()
    );
    crate::store::audit(c, now, actor, "audit.read", &object)?;
    Ok(AuditPage { rows: out, next })
}

/// `GET /v1/console/audit`: a page of the audit log for a city-wide
/// administrator.
#[utoipa::path(get, tag = "audit", path = "/v1/console/audit", params(AuditQuery),
    responses((status = 200, body = AuditPage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub(crate) async fn audit_http(
    State(s): State<St>,
    StaffAuth(who): StaffAuth,
    Query(q): Query<AuditQuery>,
) -> Result<Json<AuditPage>, ApiError> {
    if who.role != StaffRole::Administrator || !who.scope.is_empty() {
        return Err(ApiError::new(
            ErrorKind::Forbidden,
            "审计日志不区分辖区，仅限全市系统管理员查看",
        ));
    }
    let (store, now) = (s.store.clone(), s.clock.now());
    let page = blocking(move || store.write(|c| page(c, &q, &who.actor(), now))).await?;
    Ok(Json(page))
}
