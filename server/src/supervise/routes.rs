//! Supervision over HTTP for the console (issue 18 items 4–6):
//! `GET /v1/console/supervise/report?from=&to=` — the indicators and open
//! clues of the account's own scope, for a 司法局 supervisor account
//! (`supervisor`) only, audited (`supervise.report`);
//! `GET /v1/console/supervise/clues` and `POST …/clues/{clue_id}` — the
//! clues and their disposal: the supervisor chooses the track, issues the
//! 监督意见书, accepts or returns the reply; the supervised unit (the
//! township's `command_centre` or `approver` account in scope) replies;
//! `GET /v1/console/supervise/deadlines` — the deadline monitor over the
//! open normal-procedure cases of the account's scope, for the supervisor
//! and the supervised unit (`approver`, `command_centre`), audited
//! (`supervise.deadlines`); `GET /v1/console/supervise/review/{case_id}` —
//! the 案卷评查 of a normal-procedure case of the scope, for the supervisor
//! only, audited (`supervise.review`).

use axum::Json;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::routing::get;
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;
use zhifa_protocol::ErrorKind;
use zhifa_protocol::wire::ErrorBody;

use super::clues::{self, ClueError, ClueRow, ClueStep};
use super::cockpit::cockpit;
use super::deadlines::{Deadlines, deadlines};
use super::disposal::{Actor, ClueStatus, DisposalError, Periods};
use super::recheck::{RecheckDecision, RecheckError, RecheckRequest};
use super::report::Report;
use super::review::standard::Grading;
use super::review::{Review, ReviewError, review_of};
use super::{Config, SuperviseError};
use crate::api::state::{St, StaffAuth, blocking};
use crate::console::StaffRole;
use crate::error::ApiError;

/// The routes of this module.
pub fn routes() -> Router<St> {
    Router::new()
        .route("/v1/console/supervise/report", get(report_http))
        .route("/v1/console/supervise/clues", get(clues_http))
        .route("/v1/console/supervise/deadlines", get(deadlines_http))
        .route("/v1/console/supervise/review/{case_id}", get(review_http))
        .route(
            "/v1/console/supervise/clues/{clue_id}",
            axum::routing::post(clue_step_http),
        )
        .route(
            "/v1/console/supervise/clues/{clue_id}/recheck",
            axum::routing::post(recheck_request_http),
        )
        .route(
            "/v1/console/supervise/clues/{clue_id}/recheck/decision",
            axum::routing::post(recheck_decision_http),
        )
}

/// Who an account is to a clue: the supervisor, the supervised unit, or
/// neither (403).
fn actor_of(role: StaffRole) -> Result<Actor, ApiError> {
    match role {
        StaffRole::Supervisor => Ok(Actor::Supervisor),
        StaffRole::CommandCentre | StaffRole::Approver => Ok(Actor::Unit),
        _ => Err(ApiError::new(
            ErrorKind::Forbidden,
            "本账号不处置执法监督线索",
        )),
    }
}

/// The clue filter.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ClueQuery {
    /// Only clues in this status.
    pub status: Option<ClueStatus>,
    /// Only these clues (ids separated by commas, at most
    /// [`MAX_CLUE_IDS`]): the cockpit asks for the ones its report lists.
    pub ids: Option<String>,
}

/// The most ids one clue list asks for (the cockpit lists
/// `cockpit::COCKPIT_CLUES`).
pub const MAX_CLUE_IDS: usize = 200;

/// `GET /v1/console/supervise/clues`: the clues of the account's scope
/// with their steps, newest first; audited `supervise.clues`.
#[utoipa::path(get, tag = "supervise", path = "/v1/console/supervise/clues", params(ClueQuery),
    responses((status = 200, body = [ClueRow]), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub(crate) async fn clues_http(
    State(s): State<St>,
    StaffAuth(who): StaffAuth,
    Query(q): Query<ClueQuery>,
) -> Result<Json<Vec<ClueRow>>, ApiError> {
    actor_of(who.role)?;
    let ids: Option<Vec<String>> = q.ids.as_deref().map(|v| {
        v.split(',')
            .map(str::trim)
            .filter(|x| !x.is_empty())
            .map(str::to_owned)
            .collect()
    });
    if ids.as_ref().is_some_and(|v| v.len() > MAX_CLUE_IDS) {
        return Err(ApiError::bad(format!("一次最多查询 {MAX_CLUE_IDS} 条线索")));
    }
    let (store, now) = (s.store.clone(), s.clock.now());
    let rows = blocking(move || {
        let k = store.keeper();
        let filter = clues::Filter {
            status: q.status,
            ids: ids.as_deref(),
        };
        Ok::<_, ApiError>(
            store.write_as(|c| clues::list(c, k, &who.scope, filter, &who.actor(), now))?,
        )
    })
    .await?;
    Ok(Json(rows))
}

impl From<ClueError> for ApiError {
    fn from(e: ClueError) -> Self {
        match e {
            ClueError::Supervise(e) => e.into(),
            ClueError::NotFound => Self::new(ErrorKind::NotFound, e.to_string()),
            ClueError::Refused(r) => {
                let kind = match r {
                    DisposalError::NotYours(_) => ErrorKind::Forbidden,
                    _ => ErrorKind::BadRequest,
                };
                let mut a = Self::new(kind, r.to_string());
                a.code = Some(r.code());
                a
            }
        }
    }
}

/// `POST /v1/console/supervise/clues/{clue_id}`: one step on a clue of
/// the account's scope; the clue as it now stands. Audited
/// `supervise.clue`.
#[utoipa::path(post, tag = "supervise", path = "/v1/console/supervise/clues/{clue_id}", request_body = ClueStep,
    params(("clue_id" = String, Path, description = "The clue")),
    responses((status = 200, body = ClueRow), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub(crate) async fn clue_step_http(
    State(s): State<St>,
    StaffAuth(who): StaffAuth,
    Path(id): Path<String>,
    Json(step): Json<ClueStep>,
) -> Result<Json<ClueRow>, ApiError> {
    let kind = actor_of(who.role)?;
    let (store, now) = (s.store.clone(), s.clock.now());
    let row = blocking(move || {
        let k = store.keeper();
        Ok::<_, ApiError>(store.write_as(|c| {
            clues::act(
                c,
                k,
                &id,
                &step,
                kind,
                &who.actor(),
                &who.scope,
                now,
                &Periods::default(),
            )
        })?)
    })
    .await?;
    Ok(Json(row))
}

/// The period asked for.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    /// First day (default: 1 January of this year, Beijing).
    #[param(value_type = Option<String>, format = Date)]
    pub from: Option<NaiveDate>,
    /// Last day (default: today, Beijing).
    #[param(value_type = Option<String>, format = Date)]
    pub to: Option<NaiveDate>,
}

impl From<SuperviseError> for ApiError {
    fn from(e: SuperviseError) -> Self {
        match e {
            SuperviseError::Db(e) => e.into(),
            SuperviseError::Invalid(m) => Self::bad(m),
            SuperviseError::Corrupt(m) => {
                tracing::error!(error = %m, "supervision data does not decode");
                Self::new(ErrorKind::Internal, "监督数据损坏，请联系管理员")
            }
        }
    }
}

/// The cockpit's query: the period, and a part of the account's scope to
/// drill down to.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CockpitQuery {
    /// First day (default: 1 January of this year, Beijing).
    #[param(value_type = Option<String>, format = Date)]
    pub from: Option<NaiveDate>,
    /// Last day (default: today, Beijing).
    #[param(value_type = Option<String>, format = Date)]
    pub to: Option<NaiveDate>,
    /// A district or township code inside the account's scope (default:
    /// the whole scope).
    pub scope: Option<String>,
}

/// The scope a query asks for: the account's own, or a code inside it
/// (`scope_outside` otherwise).
fn narrowed(own: &str, asked: Option<&str>) -> Result<String, ApiError> {
    let Some(asked) = asked.filter(|a| !a.is_empty()) else {
        return Ok(own.to_owned());
    };
    super::report::check_scope(asked)?;
    if !asked.starts_with(own) {
        let mut e = ApiError::new(
            ErrorKind::Forbidden,
            format!("所选范围 {asked} 不在本账号的辖区内"),
        );
        e.code = Some("scope_outside");
        return Err(e);
    }
    Ok(asked.to_owned())
}

/// `GET /v1/console/supervise/report`: the indicators per township, the
/// open clues (at most `cockpit::COCKPIT_CLUES`, all counted) and the
/// open clocks of the account's scope, or of a part of it, for the
/// period.
#[utoipa::path(get, tag = "supervise", path = "/v1/console/supervise/report", params(CockpitQuery),
    responses((status = 200, body = Report), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub(crate) async fn report_http(
    State(s): State<St>,
    StaffAuth(who): StaffAuth,
    Query(q): Query<CockpitQuery>,
) -> Result<Json<Report>, ApiError> {
    if who.role != StaffRole::Supervisor {
        return Err(ApiError::new(
            ErrorKind::Forbidden,
            "只有执法监督账号可以查看监督报告",
        ));
    }
    let scope = narrowed(&who.scope, q.scope.as_deref())?;
    let (store, now) = (s.store.clone(), s.clock.now());
    let today = zhifa_core::procedure::beijing_date(now);
    let from = q
        .from
        .unwrap_or_else(|| NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today));
    let to = q.to.unwrap_or(today);
    let r = blocking(move || {
        // From the stored days and clues where they cover the query.
        let r = cockpit(&store, &scope, from, to, today, now, &Config::default())?;
        let object = format!("scope={scope}&from={from}&to={to}");
        store.write_as(|c| {
            crate::store::audit(c, now, &who.actor(), "supervise.report", &object)
                .map_err(SuperviseError::from)
        })?;
        Ok::<_, ApiError>(r)
    })
    .await?;
    Ok(Json(r))
}

/// `GET /v1/console/supervise/deadlines`: every open clock of the open
/// normal-procedure cases of the account's scope, with its level on today
/// (Beijing) and who it escalates to; audited `supervise.deadlines`.
#[utoipa::path(get, tag = "supervise", path = "/v1/console/supervise/deadlines",
    responses((status = 200, body = Deadlines), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub(crate) async fn deadlines_http(
    State(s): State<St>,
    StaffAuth(who): StaffAuth,
) -> Result<Json<Deadlines>, ApiError> {
    if !matches!(
        who.role,
        StaffRole::Supervisor | StaffRole::Approver | StaffRole::CommandCentre
    ) {
        return Err(ApiError::new(
            ErrorKind::Forbidden,
            "本账号不查看办案期限监控",
        ));
    }
    let (store, now) = (s.store.clone(), s.clock.now());
    let today = zhifa_core::procedure::beijing_date(now);
    let d = blocking(move || {
        let d = store.read_as(|c| deadlines(c, store.keeper(), &who.scope, today))?;
        store.write_as(|c| {
            crate::store::audit(c, now, &who.actor(), "supervise.deadlines", &who.scope)
                .map_err(SuperviseError::from)
        })?;
        Ok::<_, ApiError>(d)
    })
    .await?;
    Ok(Json(d))
}

impl From<ReviewError> for ApiError {
    fn from(e: ReviewError) -> Self {
        let code = e.code();
        let mut a = match e {
            ReviewError::Db(e) => return e.into(),
            ReviewError::Supervise(e) => return e.into(),
            ReviewError::NotFound(_) => Self::new(ErrorKind::NotFound, e.to_string()),
        };
        a.code = Some(code);
        a
    }
}

/// `GET /v1/console/supervise/review/{case_id}`: the 案卷评查 of a
/// normal-procedure case of the supervisor's scope — veto items, the
/// 100-point sheet row by row, the grade, the items for a human scorer;
/// audited `supervise.review`.
#[utoipa::path(get, tag = "supervise", path = "/v1/console/supervise/review/{case_id}",
    params(("case_id" = String, Path, description = "The normal-procedure case")),
    responses((status = 200, body = Review), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub(crate) async fn review_http(
    State(s): State<St>,
    StaffAuth(who): StaffAuth,
    Path(case_id): Path<String>,
) -> Result<Json<Review>, ApiError> {
    if who.role != StaffRole::Supervisor {
        return Err(ApiError::new(
            ErrorKind::Forbidden,
            "只有执法监督账号可以评查案卷",
        ));
    }
    let (store, now) = (s.store.clone(), s.clock.now());
    let today = zhifa_core::procedure::beijing_date(now);
    let r = blocking(move || {
        let r = store.read_as(|c| {
            review_of(
                c,
                store.keeper(),
                &who.scope,
                &case_id,
                today,
                &Grading::default(),
            )
        })?;
        store.write_as(|c| {
            crate::store::audit(c, now, &who.actor(), "supervise.review", &case_id)
                .map_err(SuperviseError::from)
        })?;
        Ok::<_, ApiError>(r)
    })
    .await?;
    Ok(Json(r))
}

impl From<RecheckError> for ApiError {
    fn from(e: RecheckError) -> Self {
        let (code, message) = (e.code(), e.to_string());
        let kind = match e {
            RecheckError::Db(d) => return d.into(),
            RecheckError::Supervise(s) => return s.into(),
            RecheckError::NotFound => ErrorKind::NotFound,
            RecheckError::NotYours(_) => ErrorKind::Forbidden,
            _ => ErrorKind::BadRequest,
        };
        let mut a = Self::new(kind, message);
        a.code = Some(code);
        a
    }
}

/// `POST /v1/console/supervise/clues/{clue_id}/recheck`: the supervised
/// township's 负责人 (`approver`, in scope) applies for the 复查 of the
/// clue's 监督意见书 — within ten working days of receiving it
/// (《重庆市行政执法监督条例》 Art. 21 ¶1), refused after with
/// `recheck_late`. Audited `supervise.recheck`.
#[utoipa::path(post, tag = "supervise", path = "/v1/console/supervise/clues/{clue_id}/recheck", request_body = RecheckRequest,
    params(("clue_id" = String, Path, description = "The clue")),
    responses((status = 200, body = ClueRow), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub(crate) async fn recheck_request_http(
    State(s): State<St>,
    StaffAuth(who): StaffAuth,
    Path(id): Path<String>,
    Json(req): Json<RecheckRequest>,
) -> Result<Json<ClueRow>, ApiError> {
    if who.role != StaffRole::Approver {
        return Err(RecheckError::NotYours("复查由被监督单位的负责人申请").into());
    }
    let (store, now) = (s.store.clone(), s.clock.now());
    let row =
        blocking(move || {
            let k = store.keeper();
            Ok::<_, ApiError>(store.write_as(|c| {
                clues::request_recheck(c, k, &id, &req, &who.actor(), &who.scope, now)
            })?)
        })
        .await?;
    Ok(Json(row))
}

/// `POST /v1/console/supervise/clues/{clue_id}/recheck/decision`: the
/// supervisor (in scope) decides the pending 复查 — 维持, 撤销 or 变更 with
/// the reasons, due fifteen working days after the application (Art. 21
/// ¶2; the deadline monitor shows the clock). Audited
/// `supervise.recheck_decision`.
#[utoipa::path(post, tag = "supervise", path = "/v1/console/supervise/clues/{clue_id}/recheck/decision", request_body = RecheckDecision,
    params(("clue_id" = String, Path, description = "The clue")),
    responses((status = 200, body = ClueRow), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub(crate) async fn recheck_decision_http(
    State(s): State<St>,
    StaffAuth(who): StaffAuth,
    Path(id): Path<String>,
    Json(d): Json<RecheckDecision>,
) -> Result<Json<ClueRow>, ApiError> {
    if who.role != StaffRole::Supervisor {
        return Err(RecheckError::NotYours("复查决定由作出监督处理决定的执法监督机构作出").into());
    }
    let (store, now) = (s.store.clone(), s.clock.now());
    let row = blocking(move || {
        let k = store.keeper();
        Ok::<_, ApiError>(store.write_as(|c| {
            clues::decide_recheck(
                c,
                k,
                &id,
                &d,
                &who.actor(),
                &who.scope,
                now,
                &Periods::default(),
            )
        })?)
    })
    .await?;
    Ok(Json(row))
}
