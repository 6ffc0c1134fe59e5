//! The console's read API over the record, over HTTP (issue 15 item 8;
//! the queries are [`super::read`]): `GET /v1/console/records/cases`,
//! `/inspections`, `/tasks` (filters, keyset pages) and
//! `/v1/console/records/cases/{case_id}` (the full case). Command-centre
//! and legal-review accounts read cases; department accounts read
//! inspections and tasks only (their findings stay on
//! `/v1/console/findings`), so no department account ever opens a
//! party's personal data.

use axum::Json;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::routing::get;
use zhifa_protocol::ErrorKind;

use super::read::{
    self, CasePage, CaseQuery, InspectionPage, InspectionQuery, TaskPage, TaskQuery,
};
use zhifa_protocol::wire::ErrorBody;

use crate::api::state::{St, StaffAuth, blocking};
use crate::console::{Staff, StaffRole};
use crate::error::ApiError;
use crate::record::{from_json, to_json};
use crate::store::sql::Conn;

/// The routes of this module.
pub fn routes() -> Router<St> {
    Router::new()
        .route("/v1/console/records/cases", get(case_list))
        .route("/v1/console/records/cases/{case_id}", get(case_detail))
        .route(
            "/v1/console/records/cases/{case_id}/files/{sha256}",
            get(case_file),
        )
        .route("/v1/console/records/inspections", get(inspection_list))
        .route("/v1/console/records/tasks", get(task_list))
}

fn no_department(who: &Staff) -> Result<(), ApiError> {
    if who.role == StaffRole::Department {
        return Err(ApiError::new(ErrorKind::Forbidden, "部门账号不能查看案件"));
    }
    Ok(())
}

/// Runs one list query of [`read`] for `who` in a write transaction (its
/// audit row), off the async workers; the typed page.
async fn list<T: serde::Serialize + serde::de::DeserializeOwned + Send + 'static>(
    s: &St,
    who: Staff,
    query: impl Fn(
        &mut dyn Conn,
        &str,
        &str,
        chrono::DateTime<chrono::Utc>,
    ) -> Result<T, read::ReadError>
    + Send
    + 'static,
) -> Result<Json<T>, ApiError> {
    let (store, now) = (s.store.clone(), s.clock.now());
    let v = blocking(move || {
        store.record_write(|tx, _| to_json(&query(tx, &who.scope, &who.actor(), now)?))
    })
    .await?;
    Ok(Json(from_json(v)?))
}

/// `GET /v1/console/records/cases`: a page of the cases in the account's
/// scope (no personal data but the masked name), audited `record.list`.
#[utoipa::path(get, tag = "records", path = "/v1/console/records/cases", params(CaseQuery),
    responses((status = 200, body = CasePage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub(crate) async fn case_list(
    State(s): State<St>,
    StaffAuth(who): StaffAuth,
    Query(q): Query<CaseQuery>,
) -> Result<Json<CasePage>, ApiError> {
    no_department(&who)?;
    list(&s, who, move |tx, scope, actor, now| {
        read::cases(tx, scope, &q, actor, now)
    })
    .await
}

/// `GET /v1/console/records/cases/{case_id}`: the full case (the device's
/// `case show` shape plus documents, replay, flag), personal data opened,
/// for an account whose scope covers it; audited `case.read`.
#[utoipa::path(get, tag = "records", path = "/v1/console/records/cases/{case_id}",
    params(("case_id" = String, Path, description = "the case")),
    responses((status = 200, description = "the case, as `zhifa-server case show --json`"),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub(crate) async fn case_detail(
    State(s): State<St>,
    StaffAuth(who): StaffAuth,
    Path(case_id): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    no_department(&who)?;
    let (store, now) = (s.store.clone(), s.clock.now());
    let on = super::show::beijing_today(now);
    let v = blocking(move || {
        store.record_write(|tx, k| {
            Ok(read::case(
                tx,
                k,
                &who.scope,
                &case_id,
                on,
                &who.actor(),
                now,
            )?)
        })
    })
    .await?;
    Ok(Json(v))
}

/// `GET /v1/console/records/cases/{case_id}/files/{sha256}`: one file of
/// the case — an issued document or an evidence original — decrypted from
/// the evidence store and checked against its SHA-256 before it is sent;
/// shown inline only for the media types of [`read::INLINE_TYPES`], under a
/// sandboxing Content-Security-Policy; audited `case.file`.
#[utoipa::path(get, tag = "records", path = "/v1/console/records/cases/{case_id}/files/{sha256}",
    params(("case_id" = String, Path, description = "the case"), ("sha256" = String, Path, description = "the file's SHA-256")),
    responses((status = 200, description = "the file's bytes"), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 503, body = ErrorBody)),
    security(("bearer" = [])))]
pub(crate) async fn case_file(
    State(s): State<St>,
    StaffAuth(who): StaffAuth,
    Path((case_id, sha256)): Path<(String, String)>,
) -> Result<axum::response::Response, ApiError> {
    use axum::http::header;
    use axum::response::IntoResponse;
    use sha2::Digest;
    no_department(&who)?;
    if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(ApiError::bad("文件须以 64 位十六进制 SHA-256 指定"));
    }
    let (store, now) = (s.store.clone(), s.clock.now());
    let (case, sha) = (case_id.clone(), sha256.clone());
    let media = blocking(move || {
        store.record_write(|tx, _| {
            Ok(read::case_file(
                tx,
                &who.scope,
                &case,
                &sha,
                &who.actor(),
                now,
            )?)
        })
    })
    .await?;
    let Some(bytes) = s.blobs.read_unchecked(&sha256).await? else {
        return Err(ApiError::new(
            ErrorKind::NotFound,
            "该文件尚未上传到中心，请待执法终端同步后再查看",
        ));
    };
    if hex::encode(sha2::Sha256::digest(&bytes)) != sha256 {
        tracing::error!(case = %case_id, sha256 = %sha256, "case file does not hash to its address");
        return Err(ApiError::new(
            ErrorKind::Internal,
            "中心存档的文件校验不符，请联系管理员",
        ));
    }
    let pdf = media == "application/pdf";
    let disposition = if media == "application/octet-stream" {
        format!("attachment; filename=\"{sha256}\"")
    } else {
        "inline".to_owned()
    };
    Ok((
        [
            (header::CONTENT_TYPE, media),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
            // Nothing a file holds may run or load anything; a PDF is not
            // sandboxed, since the browser's PDF viewer does not open in a
            // sandboxed document.
            (
                header::CONTENT_SECURITY_POLICY,
                if pdf {
                    "default-src 'none'".to_owned()
                } else {
                    "default-src 'none'; sandbox".to_owned()
                },
            ),
        ],
        bytes,
    )
        .into_response())
}

/// `GET /v1/console/records/inspections`: a page of the inspections in
/// the account's scope, audited `record.list`.
#[utoipa::path(get, tag = "records", path = "/v1/console/records/inspections", params(InspectionQuery),
    responses((status = 200, body = InspectionPage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub(crate) async fn inspection_list(
    State(s): State<St>,
    StaffAuth(who): StaffAuth,
    Query(q): Query<InspectionQuery>,
) -> Result<Json<InspectionPage>, ApiError> {
    list(&s, who, move |tx, scope, actor, now| {
        read::inspections(tx, scope, &q, actor, now)
    })
    .await
}

/// `GET /v1/console/records/tasks`: a page of the tasks in the account's
/// scope, audited `record.list`.
#[utoipa::path(get, tag = "records", path = "/v1/console/records/tasks", params(TaskQuery),
    responses((status = 200, body = TaskPage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub(crate) async fn task_list(
    State(s): State<St>,
    StaffAuth(who): StaffAuth,
    Query(q): Query<TaskQuery>,
) -> Result<Json<TaskPage>, ApiError> {
    list(&s, who, move |tx, scope, actor, now| {
        read::tasks(tx, scope, &q, actor, now)
    })
    .await
}
