//! 案卷评查 by sample over HTTP for the console (issue 18 item 2):
//! `POST /v1/console/supervise/draws` — the supervisor draws a sample of a
//! township of its scope (audited `supervise.draw`);
//! `GET /v1/console/supervise/draws` — its draws with their files and
//! scores (`supervise.draws`);
//! `POST /v1/console/supervise/samples/{sample_id}/assign` — it assigns a
//! drawn file to a scorer outside the file's own unit
//! (`supervise.sample_assign`);
//! `GET /v1/console/supervise/scoring`, `GET …/scoring/{sample_id}` and
//! `POST …/scoring/{sample_id}` — the scorer (a `legal_review` or
//! `supervisor` account the file was assigned to) lists its files, reads
//! one blind and scores it (`supervise.scoring`,
//! `supervise.scoring_read`, `supervise.sample_score`);
//! `GET /v1/console/supervise/bulletin?from=&to=` — the supervisor's 通报
//! per township (`supervise.bulletin`).

use axum::Json;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::routing::{get, post};
use chrono::Datelike;
use zhifa_protocol::ErrorKind;
use zhifa_protocol::wire::ErrorBody;

use super::blind::{self, Assignment, BlindFile, Scoring};
use super::crossreview::{
    self, AssignRequest, Bulletin, Draw, DrawRequest, SampleError, SampleRow,
};
use super::review::standard::Grading;
use super::routes::ReportQuery;
use super::sampling::SamplingConfig;
use crate::api::state::{St, StaffAuth, blocking};
use crate::console::StaffRole;
use crate::error::ApiError;
use crate::record::Keeper;
use crate::store::sql::Conn;

/// The routes of this module.
pub fn routes() -> Router<St> {
    Router::new()
        .route(
            "/v1/console/supervise/draws",
            get(draws_http).post(draw_http),
        )
        .route(
            "/v1/console/supervise/samples/{sample_id}/assign",
            post(assign_http),
        )
        .route("/v1/console/supervise/scoring", get(assigned_http))
        .route(
            "/v1/console/supervise/scoring/{sample_id}",
            get(blind_http).post(score_http),
        )
        .route("/v1/console/supervise/bulletin", get(bulletin_http))
}

impl From<SampleError> for ApiError {
    fn from(e: SampleError) -> Self {
        let (code, message) = (e.code(), e.to_string());
        let kind = match e {
            SampleError::Db(d) => return d.into(),
            SampleError::Supervise(s) => return s.into(),
            SampleError::Review(r) => return r.into(),
            SampleError::NotFound | SampleError::TownshipOutOfScope(_) => ErrorKind::NotFound,
            _ => ErrorKind::BadRequest,
        };
        let mut a = Self::new(kind, message);
        a.code = Some(code);
        a
    }
}

fn supervisor_only(role: StaffRole) -> Result<(), ApiError> {
    if role == StaffRole::Supervisor {
        Ok(())
    } else {
        Err(ApiError::new(
            ErrorKind::Forbidden,
            "只有执法监督账号可以组织案卷评查",
        ))
    }
}

fn scorer_only(role: StaffRole) -> Result<(), ApiError> {
    if matches!(role, StaffRole::Supervisor | StaffRole::LegalReview) {
        Ok(())
    } else {
        Err(ApiError::new(
            ErrorKind::Forbidden,
            "只有法制审核或执法监督账号可以参加交叉评查",
        ))
    }
}

/// The one body of every handler here: `f` in one write transaction (every
/// call audits), off the async runtime, with the record keeper and the
/// request's time.
async fn in_store<T: Send + 'static>(
    s: &St,
    mut f: impl FnMut(&mut dyn Conn, &Keeper, chrono::DateTime<chrono::Utc>) -> Result<T, SampleError>
    + Send
    + 'static,
) -> Result<T, ApiError> {
    let (store, now) = (s.store.clone(), s.clock.now());
    blocking(move || store.write_as(|c| f(c, store.keeper(), now))).await
}

/// `POST /v1/console/supervise/draws`: draws a random sample of the closed
/// normal-procedure files of a township of the supervisor's scope, the
/// seed recorded.
#[utoipa::path(post, tag = "supervise", path = "/v1/console/supervise/draws", request_body = DrawRequest,
    responses((status = 200, body = Draw), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub(crate) async fn draw_http(
    State(s): State<St>,
    StaffAuth(who): StaffAuth,
    Json(req): Json<DrawRequest>,
) -> Result<Json<Draw>, ApiError> {
    supervisor_only(who.role)?;
    let d = in_store(&s, move |c, _, now| {
        crossreview::draw(
            c,
            &req,
            &who.scope,
            &who.actor(),
            now,
            &SamplingConfig::default(),
        )
    })
    .await?;
    Ok(Json(d))
}

/// `GET /v1/console/supervise/draws`: the draws of the supervisor's scope,
/// newest first, with their files and scores.
#[utoipa::path(get, tag = "supervise", path = "/v1/console/supervise/draws",
    responses((status = 200, body = [Draw]), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub(crate) async fn draws_http(
    State(s): State<St>,
    StaffAuth(who): StaffAuth,
) -> Result<Json<Vec<Draw>>, ApiError> {
    supervisor_only(who.role)?;
    let d = in_store(&s, move |c, _, now| {
        crossreview::draws(c, &who.scope, &who.actor(), now)
    })
    .await?;
    Ok(Json(d))
}

/// `POST /v1/console/supervise/samples/{sample_id}/assign`: assigns a
/// drawn file of the supervisor's scope to a scorer from another township
/// or district (`sample_scorer_own_unit` otherwise).
#[utoipa::path(post, tag = "supervise", path = "/v1/console/supervise/samples/{sample_id}/assign", request_body = AssignRequest,
    params(("sample_id" = String, Path, description = "The drawn file's blind number")),
    responses((status = 200, body = SampleRow), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub(crate) async fn assign_http(
    State(s): State<St>,
    StaffAuth(who): StaffAuth,
    Path(id): Path<String>,
    Json(req): Json<AssignRequest>,
) -> Result<Json<SampleRow>, ApiError> {
    supervisor_only(who.role)?;
    let row = in_store(&s, move |c, _, now| {
        crossreview::assign(c, &id, &req, &who.scope, &who.actor(), now)
    })
    .await?;
    Ok(Json(row))
}

/// `GET /v1/console/supervise/scoring`: the files assigned to the account,
/// by blind number only.
#[utoipa::path(get, tag = "supervise", path = "/v1/console/supervise/scoring",
    responses((status = 200, body = [Assignment]), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub(crate) async fn assigned_http(
    State(s): State<St>,
    StaffAuth(who): StaffAuth,
) -> Result<Json<Vec<Assignment>>, ApiError> {
    scorer_only(who.role)?;
    let rows = in_store(&s, move |c, _, now| {
        blind::assigned(c, &who.id, &who.actor(), now)
    })
    .await?;
    Ok(Json(rows))
}

/// `GET /v1/console/supervise/scoring/{sample_id}`: the file assigned to
/// the account, blind (no officer, party or township), with the machine's
/// 评查 and the items to judge.
#[utoipa::path(get, tag = "supervise", path = "/v1/console/supervise/scoring/{sample_id}",
    params(("sample_id" = String, Path, description = "The blind number")),
    responses((status = 200, body = BlindFile), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub(crate) async fn blind_http(
    State(s): State<St>,
    StaffAuth(who): StaffAuth,
    Path(id): Path<String>,
) -> Result<Json<BlindFile>, ApiError> {
    scorer_only(who.role)?;
    let f = in_store(&s, move |c, k, now| {
        blind::blind_file(c, k, &id, &who.id, &who.actor(), now, &Grading::default())
    })
    .await?;
    Ok(Json(f))
}

/// `POST /v1/console/supervise/scoring/{sample_id}`: the scorer's
/// judgements; the file with its final score and grade.
#[utoipa::path(post, tag = "supervise", path = "/v1/console/supervise/scoring/{sample_id}", request_body = Scoring,
    params(("sample_id" = String, Path, description = "The blind number")),
    responses((status = 200, body = BlindFile), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub(crate) async fn score_http(
    State(s): State<St>,
    StaffAuth(who): StaffAuth,
    Path(id): Path<String>,
    Json(scoring): Json<Scoring>,
) -> Result<Json<BlindFile>, ApiError> {
    scorer_only(who.role)?;
    let f = in_store(&s, move |c, k, now| {
        blind::score(
            c,
            k,
            &id,
            &who.id,
            &scoring,
            &who.actor(),
            now,
            &Grading::default(),
        )
    })
    .await?;
    Ok(Json(f))
}

/// `GET /v1/console/supervise/bulletin?from=&to=`: the 案卷评查 通报 of the
/// supervisor's scope — per township the files drawn and scored and the
/// grades — over the draws whose period overlaps the one asked (default:
/// this year).
#[utoipa::path(get, tag = "supervise", path = "/v1/console/supervise/bulletin", params(ReportQuery),
    responses((status = 200, body = Bulletin), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub(crate) async fn bulletin_http(
    State(s): State<St>,
    StaffAuth(who): StaffAuth,
    Query(q): Query<ReportQuery>,
) -> Result<Json<Bulletin>, ApiError> {
    supervisor_only(who.role)?;
    let today = zhifa_core::procedure::beijing_date(s.clock.now());
    let from = q
        .from
        .unwrap_or_else(|| chrono::NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today));
    let to = q.to.unwrap_or(today);
    let g = Grading::default();
    let basis = format!(
        "基础标准任一项不符合即为不合格；否则优秀≥{}、良好≥{}、合格≥{}分（分档分数线为本系统配置，待重庆市司法局确认）",
        g.excellent_from, g.good_from, g.pass_from
    );
    let b = in_store(&s, move |c, _, now| {
        crossreview::bulletin(c, &who.scope, from, to, &basis, &who.actor(), now)
    })
    .await?;
    Ok(Json(b))
}
