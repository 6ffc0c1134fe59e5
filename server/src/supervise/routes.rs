//! The supervision report over HTTP for the console (issue 18 items 4, 6):
//! `GET /v1/console/supervise/report?from=&to=` — the indicators and open
//! clues of the account's own scope. Only a 司法局 supervisor account
//! (`supervisor`) may run it; each run is audited (`supervise.report`).

use axum::Json;
use axum::Router;
use axum::extract::{Query, State};
use axum::routing::get;
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;
use zhifa_protocol::ErrorKind;
use zhifa_protocol::wire::ErrorBody;

use super::report::{Report, report};
use super::{Config, SuperviseError};
use crate::api::state::{St, StaffAuth, blocking};
use crate::console::StaffRole;
use crate::error::ApiError;

/// The routes of this module.
pub fn routes() -> Router<St> {
    Router::new().route("/v1/console/supervise/report", get(report_http))
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

/// `GET /v1/console/supervise/report`: the indicators per township and
/// the open clues of the account's scope for the period.
#[utoipa::path(get, tag = "supervise", path = "/v1/console/supervise/report", params(ReportQuery),
    responses((status = 200, body = Report), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub(crate) async fn report_http(
    State(s): State<St>,
    StaffAuth(who): StaffAuth,
    Query(q): Query<ReportQuery>,
) -> Result<Json<Report>, ApiError> {
    if who.role != StaffRole::Supervisor {
        return Err(ApiError::new(
            ErrorKind::Forbidden,
            "只有执法监督账号可以查看监督报告",
        ));
    }
    let (store, now) = (s.store.clone(), s.clock.now());
    let today = zhifa_core::procedure::beijing_date(now);
    let from = q
        .from
        .unwrap_or_else(|| NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today));
    let to = q.to.unwrap_or(today);
    let r = blocking(move || {
        let r = report(&store, &who.scope, from, to, today, &Config::default())?;
        let object = format!("scope={}&from={from}&to={to}", who.scope);
        store.write_as(|c| {
            crate::store::audit(c, now, &who.actor(), "supervise.report", &object)
                .map_err(SuperviseError::from)
        })?;
        Ok::<_, ApiError>(r)
    })
    .await?;
    Ok(Json(r))
}
