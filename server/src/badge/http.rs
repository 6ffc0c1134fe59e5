//! The 亮码's HTTP side: the authority's public key, the public
//! verification page and its rating form (`/v/{token}`, `/V/{token}` for
//! the short token), and the supervisors' list of ratings.

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use zhifa_protocol::ErrorKind;
use zhifa_protocol::badge::BadgeKey;

use super::page::{beijing, failed_page, failure, html, page, verified_page};
use super::shown::{ApiOrBadge, check};
use super::*;
use crate::api::state::{AppState, Auth};
use crate::error::ApiError;

type St = std::sync::Arc<AppState>;

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|_| ApiError::new(ErrorKind::Internal, "服务器任务中断"))
}

/// `GET /v1/badge/key`: the badge authority's public key.
#[utoipa::path(get, tag = "badge", path = "/v1/badge/key", responses((status = 200, body = BadgeKey)))]
pub(crate) async fn key(State(s): State<St>) -> Json<BadgeKey> {
    Json(BadgeKey::of(&s.badge.public()))
}

/// `GET /v/{token}`: the public verification page.
#[utoipa::path(get, tag = "badge", path = "/v/{token}", params(("token" = String, Path, description = "the 亮码 token text")),
    responses((status = 200, description = "verified: HTML page with the officer, credential, task and items, and the rating form", content_type = "text/html"),
              (status = 422, description = "not valid: HTML page with the reason and its code (x-badge-result header)", content_type = "text/html")))]
pub(crate) async fn show(State(s): State<St>, Path(token): Path<String>) -> Response {
    let now = s.clock.now();
    let st = s.clone();
    let out = blocking(move || {
        let id = b::token_id(&token);
        let res = check(&st, &token, now, false).and_then(|c| {
            let rated = st.store.badge_rating(&id).map_err(ApiOrBadge::Api)?;
            Ok((c, rated))
        });
        let code = match &res {
            Ok(_) => "verified",
            Err(ApiOrBadge::Badge(e)) => e.code(),
            Err(ApiOrBadge::Api(_)) => "unavailable",
        };
        // Only tokens whose signatures held are audited: anyone can send
        // garbage or forgeries at no cost, and they must not fill the log.
        let genuine = !matches!(
            code,
            "badge_malformed" | "badge_signature_invalid" | "badge_certificate_invalid"
        );
        if genuine && let Err(e) = st.store.badge_audit(&id, code, now) {
            tracing::warn!(code = e.kind.code(), "badge audit not written");
        }
        (token, res)
    })
    .await;
    match out {
        Ok((token, Ok((shown, rated)))) => {
            tracing::info!(device = %shown.device_id, "badge verified");
            html(
                StatusCode::OK,
                "verified",
                verified_page(&shown, &token, rated.as_ref()),
            )
        }
        Ok((_, Err(e))) => failure(&e),
        Err(e) => failure(&ApiOrBadge::Api(e)),
    }
}

/// `POST /v/{token}/rating`: the party's rating, once per inspection visit.
#[utoipa::path(post, tag = "badge", path = "/v/{token}/rating", params(("token" = String, Path, description = "the 亮码 token text")),
    request_body(content = String, content_type = "application/x-www-form-urlencoded",
                 description = "rating=satisfied|basically_satisfied|dissatisfied&comment=… (≤ 200 characters)"),
    responses((status = 200, description = "stored: HTML thank-you page", content_type = "text/html"),
              (status = 409, description = "rating_exists: this inspection visit was rated already (through any of its tokens)", content_type = "text/html"),
              (status = 422, description = "rating_invalid, rating_comment_too_long, rating_unknown_inspection (no such inspection on the server in the certificate's township) or a badge_* code", content_type = "text/html")))]
pub(crate) async fn rate_http(
    State(s): State<St>,
    Path(token): Path<String>,
    body: Bytes,
) -> Response {
    let now = s.clock.now();
    let st = s.clone();
    let out = blocking(move || -> Result<RatingRow, RatingOutcome> {
        let (rating, comment) = parse_rating_form(&body).map_err(RatingOutcome::Refused)?;
        // A visit may be rated for a week after its code expired.
        let shown = check(&st, &token, now, true).map_err(RatingOutcome::from)?;
        let row = RatingRow {
            token_id: b::token_id(&token),
            officer_id: shown.officer_id,
            township: shown.township,
            device_id: shown.device_id,
            inspection_id: shown.inspection_id,
            task_id: shown.task_id,
            rating,
            comment,
            rated_at: ts(now),
        };
        match st.store.badge_rate(&row) {
            Ok(Rated::Stored) => Ok(row),
            Ok(Rated::Exists) => Err(RatingOutcome::Refused(RatingError::Exists)),
            Ok(Rated::UnknownInspection) => {
                Err(RatingOutcome::Refused(RatingError::UnknownInspection))
            }
            Err(e) => Err(RatingOutcome::Api(e)),
        }
    })
    .await;
    match out {
        Ok(Ok(row)) => {
            tracing::info!(officer = %row.officer_id, rating = row.rating.code(), "badge rated");
            html(
                StatusCode::OK,
                "rated",
                page(
                    "感谢评价",
                    "rated",
                    &format!(
                        r#"<div class="banner ok" id="result">感谢您的评价</div><div class="note" id="rated">您的评价：<b>{}</b>，已记录（{}）。</div>"#,
                        row.rating.label(),
                        beijing(&row.rated_at)
                    ),
                ),
            )
        }
        Ok(Err(RatingOutcome::Refused(e))) => {
            html(e.status(), e.code(), failed_page(e.code(), &e.to_string()))
        }
        Ok(Err(RatingOutcome::Api(e))) | Err(e) => failure(&ApiOrBadge::Api(e)),
    }
}

enum RatingOutcome {
    Refused(RatingError),
    Api(ApiError),
}

impl From<ApiOrBadge> for RatingOutcome {
    fn from(e: ApiOrBadge) -> Self {
        match e {
            ApiOrBadge::Badge(b) => Self::Refused(RatingError::Badge(b)),
            ApiOrBadge::Api(a) => Self::Api(a),
        }
    }
}

/// `GET /v1/badge/ratings`: the ratings of the caller's district (district
/// supervisors only).
#[utoipa::path(get, tag = "badge", path = "/v1/badge/ratings",
    responses((status = 200, body = Vec<RatingRow>), (status = 401, body = zhifa_protocol::wire::ErrorBody),
              (status = 403, body = zhifa_protocol::wire::ErrorBody)),
    security(("bearer" = [])))]
pub(crate) async fn ratings_http(
    State(s): State<St>,
    Auth(who): Auth,
) -> Result<Json<Vec<RatingRow>>, ApiError> {
    if who.role != "district_supervisor" {
        return Err(ApiError::new(
            ErrorKind::Forbidden,
            "仅督查人员可查看社会评议",
        ));
    }
    let store = s.store.clone();
    let district = who.district.clone();
    Ok(Json(
        blocking(move || store.badge_ratings(Some(&district))).await??,
    ))
}

/// The badge routes (merged into [`crate::api::router`]).
pub(crate) fn routes() -> Router<St> {
    Router::new()
        .route("/v1/badge/key", get(key))
        .route("/v1/badge/ratings", get(ratings_http))
        .route("/v/{token}", get(show))
        .route(
            "/v/{token}/rating",
            axum::routing::post(rate_http).layer(DefaultBodyLimit::max(MAX_RATING_BODY)),
        )
        // The short 亮码's URL is upper case throughout (one QR
        // alphanumeric segment: `zhifa_protocol::badge::short::url`).
        .route("/V/{token}", get(show))
        .route(
            "/V/{token}/rating",
            axum::routing::post(rate_http).layer(DefaultBodyLimit::max(MAX_RATING_BODY)),
        )
}
