//! The normal procedure over HTTP for the console (issue 16 item 3):
//!
//! - `GET /v1/console/procedure/cases` — the cases of the account's scope
//!   with where each stands, what it waits for and its nearest legal
//!   deadline (yellow before, red after), nearest first: the reviewer's
//!   and the approver's queue. Parties are masked. Audited
//!   `procedure.list`.
//! - `GET /v1/console/procedure/cases/{id}` — one case: its details (the
//!   party unmasked: a read of personal data, audited `procedure.read`),
//!   every step with its actor, role, time and article, the open clocks,
//!   its documents.
//! - `POST /v1/console/procedure/cases/{id}/steps` — the centre records a
//!   step: the account's role decides the procedure role it acts in
//!   ([`console_role`]); the procedure core decides whether the step is
//!   lawful now. A 决定 is numbered, rendered and sealed here
//!   ([`super::documents`]); 立案, 集体讨论, 催告, 申请强制执行 and 结案
//!   issue their documents ([`super::issued`]). The step reaches the officer's device through
//!   the inbox. Audited `procedure.step`.
//!
//! The 业务部门 (department) accounts have no part in a case's procedure.

use axum::extract::{Path, Query, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use zhifa_core::procedure::{EventKind, beijing_date};
use zhifa_protocol::ErrorKind;
use zhifa_protocol::wire::ErrorBody;

use super::CaseError;
use super::view::{CaseQuery, CaseSummary, CaseView, in_scope, list, record_step, view_of};
use crate::api::state::{St, StaffAuth, blocking};
use crate::console::{Staff, StaffRole};
use crate::error::ApiError;
use crate::store::audit;

/// The routes of this module.
pub fn routes() -> Router<St> {
    Router::new()
        .route("/v1/console/procedure/cases", get(list_http))
        .route("/v1/console/procedure/cases/{case_id}", get(show_http))
        .route(
            "/v1/console/procedure/cases/{case_id}/steps",
            post(step_http),
        )
}

impl From<CaseError> for ApiError {
    fn from(e: CaseError) -> Self {
        let code = e.code();
        let mut a = match e {
            CaseError::Db(d) => return d.into(),
            CaseError::NotFound(_) => Self::new(ErrorKind::NotFound, e.to_string()),
            CaseError::Forbidden(_) => Self::new(ErrorKind::Forbidden, e.to_string()),
            CaseError::Refused(_) | CaseError::Invalid(_) | CaseError::NoCalendar { .. } => {
                Self::new(ErrorKind::BadRequest, e.to_string())
            }
            CaseError::Record(_) | CaseError::Corrupt(_) | CaseError::Document(_) => {
                tracing::error!(code, error = %e, "normal-procedure case unusable");
                Self::new(ErrorKind::Internal, "案件记录或文书暂不可用，请联系管理员")
            }
        };
        a.code = Some(code);
        a
    }
}

fn may_read(who: &Staff) -> Result<(), ApiError> {
    if who.role == StaffRole::Department {
        return Err(ApiError::new(
            ErrorKind::Forbidden,
            "业务部门账号不办理普通程序案件",
        ));
    }
    Ok(())
}

/// `GET /v1/console/procedure/cases`.
#[utoipa::path(get, tag = "procedure", path = "/v1/console/procedure/cases", params(CaseQuery),
    responses((status = 200, body = [CaseSummary]), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub(crate) async fn list_http(
    State(s): State<St>,
    StaffAuth(who): StaffAuth,
    Query(q): Query<CaseQuery>,
) -> Result<Json<Vec<CaseSummary>>, ApiError> {
    may_read(&who)?;
    let (store, now) = (s.store.clone(), s.clock.now());
    let rows = blocking(move || {
        let k = store.keeper();
        store.write_as(|c| list(c, k, &who, &q, now))
    })
    .await?;
    Ok(Json(rows))
}

/// `GET /v1/console/procedure/cases/{case_id}`.
#[utoipa::path(get, tag = "procedure", path = "/v1/console/procedure/cases/{case_id}",
    params(("case_id" = String, Path, description = "The case")),
    responses((status = 200, body = CaseView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub(crate) async fn show_http(
    State(s): State<St>,
    StaffAuth(who): StaffAuth,
    Path(id): Path<String>,
) -> Result<Json<CaseView>, ApiError> {
    may_read(&who)?;
    let (store, now) = (s.store.clone(), s.clock.now());
    let view = blocking(move || {
        let k = store.keeper();
        store.write_as(|c| {
            let row = in_scope(c, &who, &id)?;
            let v = view_of(c, k, &row, beijing_date(now))?;
            audit(c, now, &who.actor(), "procedure.read", &id)?;
            Ok::<_, CaseError>(v)
        })
    })
    .await?;
    Ok(Json(view))
}

/// A step the centre records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StepRequest {
    /// The step and its data. For `decide` the server assigns the number
    /// (leave it empty); for `legal_review` the reviewer's 法律职业资格
    /// number is the account's own.
    pub step: EventKind,
}

/// `POST /v1/console/procedure/cases/{case_id}/steps`: the case as it
/// now stands.
#[utoipa::path(post, tag = "procedure", path = "/v1/console/procedure/cases/{case_id}/steps",
    request_body = StepRequest, params(("case_id" = String, Path, description = "The case")),
    responses((status = 200, body = CaseView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub(crate) async fn step_http(
    State(s): State<St>,
    StaffAuth(who): StaffAuth,
    Path(id): Path<String>,
    Json(req): Json<StepRequest>,
) -> Result<Json<CaseView>, ApiError> {
    may_read(&who)?;
    if matches!(req.step, EventKind::Archive) {
        return Ok(Json(
            super::archive::archive_http(s, who, id, req.step).await?,
        ));
    }
    if matches!(req.step, EventKind::Decide { .. }) {
        return Ok(Json(
            super::documents::decide_http(s, who, id, req.step).await?,
        ));
    }
    if super::issued::issues_document(&req.step) {
        return Ok(Json(super::issued::step_http(s, who, id, req.step).await?));
    }
    let (store, now) = (s.store.clone(), s.clock.now());
    let view = blocking(move || {
        let k = store.keeper();
        store.write_as(|c| record_step(c, k, &who, &id, req.step.clone(), now))
    })
    .await?;
    Ok(Json(view))
}
