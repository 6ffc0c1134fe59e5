//! The HTTP API (axum): one handler per endpoint of docs/PROTOCOL.md, each
//! annotated for the generated OpenAPI document ([`ApiDoc`]).
//!
//! Every device endpoint authenticates the bearer token, checks the
//! protocol version header and authorises by jurisdiction (the officer's
//! township, or a district supervisor's district). Storage calls run on
//! the blocking pool (SQLite serialises them on its one writer, PostgreSQL
//! runs them concurrently at SERIALIZABLE, see `store`). Logs carry
//! device ids, seqs and codes — never payloads, names or ID numbers.
//!
//! The handlers live by stream: [`device`] (enrolment, tokens, push, inbox,
//! leases, payments, case list), [`catalogue`], [`uploads`] (evidence) and
//! [`centre`] (the first console endpoints); the record reads are
//! `crate::record::routes`, the 亮码 pages `crate::badge`. This module holds
//! the shared state, the extractors and checks, the router and the
//! OpenAPI document.

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::HeaderValue;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, head, post};
use sha2::{Digest, Sha256};
use utoipa::OpenApi;
use zhifa_protocol::ErrorKind;
use zhifa_protocol::wire::{
    self, CaseSummary, CatalogueRelease, EnrolRequest, ErrorBody, InboxPage, LeaseGrant,
    LeaseRequest, NumberAssigned, PaymentCallback, PushRequest, PushResponse, RefreshRequest,
    TokenResponse, UploadCreate, UploadState,
};

mod catalogue;
mod centre;
mod device;
mod prelude;
mod refusals;
pub mod state;
mod uploads;

pub use catalogue::{DeltaQuery, RANGE_SHA256};
pub use state::{AppState, Auth, StaffAuth};
pub(crate) use state::{St, blocking};

use crate::error::ApiError;

/// The OpenAPI document of this API.
#[derive(OpenApi)]
#[openapi(
    info(title = "Zhifa Sync v1", description = "The central sync service of 掌上执法 (docs/PROTOCOL.md)."),
    paths(device::enrol, device::refresh, device::push, device::inbox, catalogue::catalogue_latest, catalogue::catalogue_snapshot, catalogue::catalogue_delta, device::leases, uploads::blob_head,
          uploads::upload_create, uploads::upload_get, uploads::upload_patch, device::finance_payment, device::cases,
          centre::console_task_assign, centre::console_tasks, centre::console_findings, centre::console_cases, centre::console_case_review,
          centre::console_case_reassign, crate::record::routes::case_list, crate::record::routes::case_detail, crate::record::routes::case_file,
          crate::record::routes::inspection_list, crate::record::routes::task_list, crate::badge::http::key, crate::badge::http::show, crate::badge::http::rate_http,
          crate::badge::http::ratings_http, crate::session::http::sign_in, crate::session::http::whoami,
          crate::session::http::sign_out, crate::supervise::routes::report_http,
          crate::supervise::routes::clues_http, crate::supervise::routes::clue_step_http,
          crate::supervise::routes::deadlines_http, crate::supervise::routes::review_http,
          crate::supervise::routes::recheck_request_http, crate::supervise::routes::recheck_decision_http,
          crate::supervise::review_routes::draw_http, crate::supervise::review_routes::draws_http,
          crate::supervise::review_routes::assign_http, crate::supervise::review_routes::assigned_http,
          crate::supervise::review_routes::blind_http, crate::supervise::review_routes::score_http,
          crate::supervise::review_routes::bulletin_http,
          crate::procedure::routes::list_http, crate::procedure::routes::show_http, crate::procedure::routes::step_http,
          crate::procedure::publication::list_http, crate::verify::json_http,
          crate::audit::audit_http, crate::admin::staff_http, crate::admin::staff_revoke_http, crate::admin::staff_sso_http,
          crate::admin::devices_http, crate::admin::device_revoke_http, crate::admin::officers_http,
          crate::platform::http::platform_events_http, crate::platform::http::events_http, crate::platform::http::event_http,
          crate::platform::http::event_task_http, crate::platform::http::event_case_source_http,
          crate::adoption::routes::townships_http, crate::adoption::routes::show_http,
          crate::adoption::routes::draft_http, crate::adoption::routes::publish_http,
          crate::session::sso_http::sso_info_http, crate::session::sso_http::sso_start_http,
          crate::session::sso_http::sso_callback_http,
          crate::supervise::discretion::discretion_http),
    components(schemas(ErrorBody, EnrolRequest, TokenResponse, RefreshRequest, PushRequest, PushResponse,
                       InboxPage, CatalogueRelease, LeaseRequest, LeaseGrant, UploadCreate, UploadState,
                       PaymentCallback, CaseSummary, NumberAssigned, crate::record::read::CasePage,
                       crate::record::read::CaseRow, crate::record::read::InspectionPage,
                       crate::record::read::InspectionRow, crate::record::read::TaskPage, crate::record::read::TaskRow, crate::inspection::NewTask,
                       crate::inspection::TaskRow, crate::inspection::DepartmentFinding,
                       crate::console::CaseReview, crate::console::CaseReassign,
                       zhifa_protocol::badge::BadgeKey, zhifa_protocol::badge::Certificate,
                       zhifa_protocol::badge::CertificateBody, crate::badge::RatingRow, crate::badge::Rating,
                       crate::session::SignIn, crate::session::SessionInfo,
                       crate::record::documents::DocumentRef, crate::record::replay::Replay,
                       crate::supervise::report::Report, crate::supervise::report::Indicators,
                       crate::supervise::report::ModelRun, crate::supervise::Clue,
                       crate::supervise::clues::ClueRow, crate::supervise::clues::ClueEvent,
                       crate::supervise::clues::ClueStep, crate::supervise::disposal::ClueStatus,
                       crate::supervise::disposal::Action, crate::supervise::recheck::Recheck,
                       crate::supervise::recheck::RecheckOutcome, crate::supervise::recheck::RecheckRequest,
                       crate::supervise::recheck::RecheckDecision, crate::supervise::sampling::SampleSize,
                       crate::supervise::crossreview::DrawRequest, crate::supervise::crossreview::Draw,
                       crate::supervise::crossreview::SampleRow, crate::supervise::crossreview::AssignRequest,
                       crate::supervise::crossreview::Bulletin, crate::supervise::crossreview::BulletinRow,
                       crate::supervise::blind::BlindFile, crate::supervise::blind::BlindStep,
                       crate::supervise::blind::HumanItem, crate::supervise::blind::Scoring,
                       crate::supervise::blind::VetoJudgement, crate::supervise::blind::Deduction,
                       crate::supervise::blind::ScoreResult, crate::supervise::blind::Assignment,
                       crate::audit::AuditPage, crate::audit::AuditRow,
                       crate::supervise::deadlines::Deadlines, crate::supervise::deadlines::DeadlineItem,
                       crate::supervise::deadlines::Unavailable,
                       crate::supervise::review::Review, crate::supervise::review::Finding,
                       crate::supervise::review::VetoFinding, crate::supervise::review::ItemResult,
                       crate::procedure::view::CaseSummary, crate::procedure::view::CaseView,
                       crate::procedure::view::StepView, crate::procedure::view::ClockView,
                       crate::procedure::view::OwedView,
                       crate::procedure::CaseDocument, crate::procedure::routes::StepRequest,
                       crate::procedure::publication::PublicDecision, crate::verify::PublicDocument,
                       crate::admin::StaffView, crate::admin::DeviceView, crate::admin::Revoked, crate::admin::SsoLink, crate::admin::SsoLinked,
                       crate::admin::OfficerView, crate::platform::InboundEvent, crate::platform::Reporter,
                       crate::platform::EventKind, crate::platform::store::Received,
                       crate::platform::store::EventRow, crate::platform::store::EventDetail,
                       crate::platform::store::EventPage, crate::platform::http::EventTask,
                       crate::platform::http::CaseSourceNote,
                       crate::admin::OfficerView, crate::adoption::Changes,
                       crate::adoption::routes::TownshipAdoption, crate::adoption::routes::MatterChoice,
                       crate::adoption::routes::DraftInfo, crate::adoption::routes::PublicationRow,
                       crate::adoption::routes::AdoptionView, crate::adoption::routes::DraftRequest,
                       crate::adoption::routes::PublishRequest, crate::adoption::routes::Published,
                       crate::platform::http::CaseSourceNote, crate::session::sso_http::SsoInfo,
                       crate::supervise::discretion::Discretion, crate::supervise::discretion::LevelPeers,
                       crate::supervise::discretion::Position, crate::supervise::discretion::Range)),
    modifiers(&Bearer)
)]
pub struct ApiDoc;

struct Bearer;

impl utoipa::Modify for Bearer {
    fn modify(&self, api: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let c = api.components.get_or_insert_with(Default::default);
        c.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        // The console's session cookie (crate::session); non-GET requests
        // also send its CSRF token in `x-csrf-token`.
        c.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(utoipa::openapi::security::ApiKey::Cookie(
                utoipa::openapi::security::ApiKeyValue::new(crate::session::http::COOKIE),
            )),
        );
    }
}

/// The OpenAPI document as pretty JSON with a trailing newline (docs/openapi.json).
pub fn openapi_json() -> String {
    let mut s = ApiDoc::openapi().to_pretty_json().unwrap_or_default();
    s.push('\n');
    s
}

/// The router.
pub fn router(state: St) -> Router {
    Router::new()
        .route("/v1/enrol", post(device::enrol))
        .route("/v1/token/refresh", post(device::refresh))
        .route(
            "/v1/sync/push",
            post(device::push).layer(DefaultBodyLimit::max(wire::MAX_PUSH_BYTES)),
        )
        .route("/v1/sync/inbox", get(device::inbox))
        .route("/v1/catalogue/latest", get(catalogue::catalogue_latest))
        .route(
            "/v1/catalogue/snapshots/{sha256}",
            get(catalogue::catalogue_snapshot),
        )
        .route("/v1/catalogue/delta", get(catalogue::catalogue_delta))
        .route("/v1/leases", post(device::leases))
        .route("/v1/blobs/{sha256}", head(uploads::blob_head))
        .route("/v1/uploads", post(uploads::upload_create))
        .route(
            "/v1/uploads/{id}",
            get(uploads::upload_get)
                .patch(uploads::upload_patch)
                .layer(DefaultBodyLimit::max(wire::MAX_CHUNK_BYTES + 1024)),
        )
        .route("/v1/finance/payments", post(device::finance_payment))
        .route("/v1/cases", get(device::cases))
        .route(
            "/v1/console/tasks",
            get(centre::console_tasks).post(centre::console_task_assign),
        )
        .route("/v1/console/findings", get(centre::console_findings))
        .route("/v1/console/cases", get(centre::console_cases))
        .route(
            "/v1/console/cases/{case_id}/review",
            post(centre::console_case_review),
        )
        .route(
            "/v1/console/cases/{case_id}/reassign",
            post(centre::console_case_reassign),
        )
        .merge(crate::badge::http::routes())
        .merge(crate::record::routes::routes())
        .merge(crate::supervise::routes::routes())
        .merge(crate::supervise::review_routes::routes())
        .merge(crate::platform::http::routes())
        .merge(crate::procedure::routes::routes())
        .merge(crate::procedure::publication::routes())
        .merge(crate::verify::routes())
        .merge(crate::audit::routes())
        .merge(crate::admin::routes())
        .merge(crate::adoption::routes::routes())
        .merge(crate::supervise::discretion::routes())
        .merge(crate::session::http::routes())
        .merge(crate::session::sso_http::routes())
        .merge(crate::console_web::routes())
        .fallback(crate::edges::unknown_route)
        .layer(DefaultBodyLimit::max(wire::MAX_PUSH_BYTES))
        // Framework answers (405, 413, query and path rejections) become
        // `{code, message}` before their digest is taken.
        .layer(axum::middleware::from_fn(crate::edges::json_rejections))
        .layer(axum::middleware::from_fn_with_state(
            state.public_rate.clone(),
            crate::edges::rate_limit,
        ))
        .layer(axum::middleware::from_fn(crate::edges::uri_length))
        .layer(axum::middleware::map_response(body_digest))
        .with_state(state)
}

/// Sets [`wire::BODY_SHA256_HEADER`] on every response: the device checks
/// it before reading an answer, so one damaged on the way is retried, never
/// applied. Every body here is already in memory (JSON, a 256 KiB snapshot
/// range, a delta), so buffering it costs a hash and no extra copy to disk.
async fn body_digest(resp: Response) -> Response {
    let (mut parts, body) = resp.into_parts();
    match axum::body::to_bytes(body, usize::MAX).await {
        Ok(bytes) => {
            let digest = hex::encode(Sha256::digest(&bytes));
            if let Ok(v) = HeaderValue::from_str(&digest) {
                parts.headers.insert(wire::BODY_SHA256_HEADER, v);
            }
            Response::from_parts(parts, axum::body::Body::from(bytes))
        }
        Err(e) => {
            tracing::error!(error = %e, "response body could not be read for its digest");
            ApiError::new(ErrorKind::Internal, "服务器应答生成失败").into_response()
        }
    }
}
