//! The platforms over HTTP: the signed webhook
//! `POST /v1/platform/events` (no account: the platform's HMAC signature
//! is its credential), and the dispatcher's
//! `GET /v1/console/events`, `GET /v1/console/events/{event_id}` (the
//! reporter opened, audited) and `POST …/{event_id}/task` or
//! `…/case-source` — for a `command_centre` account, in its scope.

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use zhifa_protocol::wire::ErrorBody;

use super::store::{self, EventDetail, EventPage, EventQuery, Received};
use super::{
    InboundEvent, PLATFORM_HEADER, PlatformError, SIGNATURE_HEADER, TIMESTAMP_HEADER, fresh,
    verify_signature,
};
use crate::api::state::{St, StaffAuth, blocking, parse_json};
use crate::error::ApiError;

/// The routes of this module.
pub fn routes() -> Router<St> {
    Router::new()
        .route("/v1/platform/events", post(platform_events_http))
        .route("/v1/console/events", get(events_http))
        .route("/v1/console/events/{event_id}", get(event_http))
        .route("/v1/console/events/{event_id}/task", post(event_task_http))
        .route(
            "/v1/console/events/{event_id}/case-source",
            post(event_case_source_http),
        )
}

fn header<'a>(h: &'a HeaderMap, name: &str) -> Option<&'a str> {
    h.get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

/// `POST /v1/platform/events`: a platform hands an event to the
/// township's dispatcher.
#[utoipa::path(post, tag = "platform", path = "/v1/platform/events", request_body = InboundEvent,
    params(
        ("x-zhifa-platform" = String, Header, description = "the platform's registered id"),
        ("x-zhifa-timestamp" = String, Header, description = "Unix seconds; refused outside ±5 minutes of the server's clock"),
        ("x-zhifa-signature" = String, Header, description = "`sha256=` + hex HMAC-SHA256 under the platform's secret of `TIMESTAMP.BODY`")),
    responses((status = 200, body = Received, description = "received (`created: false`: the same external id was received before)"),
              (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody, description = "`platform_unknown`, `platform_signature_missing`, `platform_signature_invalid`, `platform_timestamp_stale` or `platform_replay`"),
              (status = 403, body = ErrorBody, description = "`platform_scope`: the township is outside the platform's scope")))]
pub(crate) async fn platform_events_http(
    State(s): State<St>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Received>, ApiError> {
    let platform_id = header(&headers, PLATFORM_HEADER)
        .ok_or(PlatformError::UnknownPlatform)?
        .to_owned();
    let (Some(timestamp), Some(signature)) = (
        header(&headers, TIMESTAMP_HEADER).map(str::to_owned),
        header(&headers, SIGNATURE_HEADER).map(str::to_owned),
    ) else {
        return Err(PlatformError::SignatureMissing.into());
    };
    let (store, now) = (s.store.clone(), s.clock.now());
    let found = blocking(move || {
        let k = store.keeper();
        store
            .read_as(|c| store::active(c, k, &platform_id))
            .map_err(ApiError::from)
    })
    .await?;
    let Some((platform, secret)) = found else {
        return Err(PlatformError::UnknownPlatform.into());
    };
    if !verify_signature(&secret, &timestamp, &body, &signature) {
        tracing::warn!(platform = %platform.id, "platform event with a bad signature");
        return Err(PlatformError::SignatureInvalid.into());
    }
    if !fresh(&timestamp, now) {
        return Err(PlatformError::Stale.into());
    }
    let event: InboundEvent = parse_json(&body)?;
    let store = s.store.clone();
    let got = blocking(move || {
        let k = store.keeper();
        store
            .write_as(|tx| store::receive(tx, k, &platform, &event, now))
            .map_err(ApiError::from)
    })
    .await?;
    tracing::info!(event = %got.event_id, created = got.created, "platform event received");
    Ok(Json(got))
}

/// `GET /v1/console/events`: the platforms' events of the dispatcher's
/// scope (the reporter masked), the reply's last day first.
#[utoipa::path(get, tag = "platform", path = "/v1/console/events", params(EventQuery),
    responses((status = 200, body = EventPage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn events_http(
    State(s): State<St>,
    StaffAuth(who): StaffAuth,
    Query(q): Query<EventQuery>,
) -> Result<Json<EventPage>, ApiError> {
    let store = s.store.clone();
    let page = blocking(move || {
        store
            .read_as(|c| store::events(c, &who, &q))
            .map_err(ApiError::from)
    })
    .await?;
    Ok(Json(page))
}

/// `GET /v1/console/events/{event_id}`: one event with its reporter
/// (personal data: the read is audited, `platform_event.read`).
#[utoipa::path(get, tag = "platform", path = "/v1/console/events/{event_id}",
    params(("event_id" = String, Path, description = "The event")),
    responses((status = 200, body = EventDetail), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn event_http(
    State(s): State<St>,
    StaffAuth(who): StaffAuth,
    Path(id): Path<String>,
) -> Result<Json<EventDetail>, ApiError> {
    let (store, now) = (s.store.clone(), s.clock.now());
    let d = blocking(move || {
        let k = store.keeper();
        store
            .write_as(|c| store::event(c, k, &who, &id, now))
            .map_err(ApiError::from)
    })
    .await?;
    Ok(Json(d))
}

/// The answer of a conversion to a task.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct EventTask {
    /// The task made.
    pub task_id: String,
}

/// `POST /v1/console/events/{event_id}/task`: the dispatcher assigns the
/// event as a task to an officer of its scope.
#[utoipa::path(post, tag = "platform", path = "/v1/console/events/{event_id}/task",
    request_body = crate::inspection::NewTask,
    params(("event_id" = String, Path, description = "The event")),
    responses((status = 200, body = EventTask), (status = 400, body = ErrorBody, description = "`event_converted` or `task_refused`"),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn event_task_http(
    State(s): State<St>,
    StaffAuth(who): StaffAuth,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<EventTask>, ApiError> {
    let task: crate::inspection::NewTask = parse_json(&body)?;
    let (store, now) = (s.store.clone(), s.clock.now());
    let task_id = blocking(move || {
        store
            .write_as(|tx| store::to_task(tx, &who, &id, &task, now))
            .map_err(ApiError::from)
    })
    .await?;
    Ok(Json(EventTask { task_id }))
}

/// The body of a conversion to a case source.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CaseSourceNote {
    /// Why it is a case source and who takes it (1–500 characters).
    pub note: String,
}

/// `POST /v1/console/events/{event_id}/case-source`: the dispatcher
/// records the event as a case source (案源) with a note.
#[utoipa::path(post, tag = "platform", path = "/v1/console/events/{event_id}/case-source",
    request_body = CaseSourceNote,
    params(("event_id" = String, Path, description = "The event")),
    responses((status = 200, description = "`{\"converted\": true}`"), (status = 400, body = ErrorBody, description = "`event_converted` or `bad_request`"),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn event_case_source_http(
    State(s): State<St>,
    StaffAuth(who): StaffAuth,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<serde_json::Value>, ApiError> {
    let req: CaseSourceNote = parse_json(&body)?;
    let (store, now) = (s.store.clone(), s.clock.now());
    blocking(move || {
        store
            .write_as(|tx| store::to_case_source(tx, &who, &id, &req.note, now))
            .map_err(ApiError::from)
    })
    .await?;
    Ok(Json(serde_json::json!({ "converted": true })))
}
