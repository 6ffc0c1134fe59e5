//! The centre's first console endpoints (`/v1/console/*`): the staff
//! bearer extractor, task assignment and lists, department findings, and
//! the legal-review and reassignment actions on a case.

use super::prelude::*;

/// `POST /v1/console/tasks`: the command centre assigns a task to an
/// officer of its scope; it reaches the officer's devices via the inbox.
#[utoipa::path(post, path = "/v1/console/tasks", request_body = crate::inspection::NewTask,
    responses((status = 200, description = "assigned: `{\"task_id\"}`"), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub(super) async fn console_task_assign(
    State(s): State<St>,
    StaffAuth(who): StaffAuth,
    body: Bytes,
) -> Result<Json<serde_json::Value>, ApiError> {
    if who.role != crate::console::StaffRole::CommandCentre {
        return Err(ApiError::new(
            ErrorKind::Forbidden,
            "只有指挥中心账号可以派发任务",
        ));
    }
    let task: crate::inspection::NewTask = parse_json(&body)?;
    let store = s.store.clone();
    let now = s.clock.now();
    let id = blocking(move || store.assign_task(&task, now, &who.scope, &who.actor())).await?;
    tracing::info!(task = %id, "task assigned through the console");
    Ok(Json(serde_json::json!({ "task_id": id })))
}

/// `GET /v1/console/tasks`: the tasks of the caller's scope with their
/// closed-loop times (assigned, accepted, done, report).
#[utoipa::path(get, path = "/v1/console/tasks",
    responses((status = 200, body = Vec<crate::inspection::TaskRow>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub(super) async fn console_tasks(
    State(s): State<St>,
    StaffAuth(who): StaffAuth,
) -> Result<Json<Vec<crate::inspection::TaskRow>>, ApiError> {
    if who.role != crate::console::StaffRole::CommandCentre {
        return Err(ApiError::new(
            ErrorKind::Forbidden,
            "只有指挥中心账号可以查看任务",
        ));
    }
    let store = s.store.clone();
    Ok(Json(blocking(move || store.tasks(&who.scope)).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub(super) struct FindingsQuery {
    /// Department code; a department account may only name its own.
    department: Option<String>,
    /// `true` keeps the failed items only.
    failed_only: Option<String>,
}

/// `GET /v1/console/findings`: joint-inspection findings in the caller's
/// scope — a department account sees its own department's items only.
#[utoipa::path(get, path = "/v1/console/findings", params(FindingsQuery),
    responses((status = 200, body = Vec<crate::inspection::DepartmentFinding>), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub(super) async fn console_findings(
    State(s): State<St>,
    StaffAuth(who): StaffAuth,
    Query(q): Query<FindingsQuery>,
) -> Result<Json<Vec<crate::inspection::DepartmentFinding>>, ApiError> {
    use crate::console::StaffRole;
    if !matches!(
        who.role,
        StaffRole::CommandCentre | StaffRole::Department | StaffRole::LegalReview
    ) {
        return Err(ApiError::new(
            ErrorKind::Forbidden,
            "本账号的角色不能查看部门检查结果",
        ));
    }
    let failed_only = match q.failed_only.as_deref() {
        None | Some("false") | Some("0") => false,
        Some("true") | Some("1") => true,
        Some(other) => {
            return Err(ApiError::bad(format!(
                "failed_only 应为 true 或 false，而不是 {other:?}"
            )));
        }
    };
    let department = match (&who.department, q.department) {
        (Some(own), Some(asked)) if *own != asked => {
            return Err(ApiError::new(
                ErrorKind::Forbidden,
                "部门账号只能查看本部门的检查结果",
            ));
        }
        (Some(own), _) => Some(own.clone()),
        (None, asked) => asked,
    };
    let store = s.store.clone();
    let now = s.clock.now();
    Ok(Json(
        blocking(move || {
            store.inspection_findings(
                department.as_deref(),
                failed_only,
                &who.scope,
                &who.actor(),
                now,
            )
        })
        .await?,
    ))
}

/// `GET /v1/console/cases`: the cases of the caller's scope (command
/// centre, legal review), with their evidence state.
#[utoipa::path(get, path = "/v1/console/cases",
    responses((status = 200, body = Vec<CaseSummary>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub(super) async fn console_cases(
    State(s): State<St>,
    StaffAuth(who): StaffAuth,
) -> Result<Json<Vec<CaseSummary>>, ApiError> {
    use crate::console::StaffRole;
    if !matches!(who.role, StaffRole::CommandCentre | StaffRole::LegalReview) {
        return Err(ApiError::new(
            ErrorKind::Forbidden,
            "只有指挥中心和法制审核账号可以查看案件证据状态",
        ));
    }
    let scope = match who.scope.len() {
        0 => crate::store::Scope::All,
        6 => crate::store::Scope::District(who.scope.clone()),
        _ => crate::store::Scope::Township(who.scope.clone()),
    };
    let store = s.store.clone();
    let now = s.clock.now();
    let actor = who.actor();
    Ok(Json(
        blocking(move || store.cases(&scope, &actor, now)).await?,
    ))
}

/// `POST /v1/console/cases/{case_id}/review`: a legal-review account's
/// result (法制审核); the officer's device gets `review.completed`.
#[utoipa::path(post, path = "/v1/console/cases/{case_id}/review", request_body = crate::console::CaseReview,
    params(("case_id" = String, Path, description = "the case")),
    responses((status = 200, description = "recorded"), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub(super) async fn console_case_review(
    State(s): State<St>,
    StaffAuth(who): StaffAuth,
    Path(case_id): Path<String>,
    body: Bytes,
) -> Result<Json<serde_json::Value>, ApiError> {
    let review: crate::console::CaseReview = parse_json(&body)?;
    let store = s.store.clone();
    let now = s.clock.now();
    blocking(move || store.review_case(&case_id, &review, &who, now)).await?;
    Ok(Json(serde_json::json!({ "recorded": true })))
}

/// `POST /v1/console/cases/{case_id}/reassign`: the command centre hands
/// a case to another officer of its township; the device that holds it
/// gets `case.reassigned`.
#[utoipa::path(post, path = "/v1/console/cases/{case_id}/reassign", request_body = crate::console::CaseReassign,
    params(("case_id" = String, Path, description = "the case")),
    responses((status = 200, description = "`{\"changed\"}`: false when that officer already has it"), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub(super) async fn console_case_reassign(
    State(s): State<St>,
    StaffAuth(who): StaffAuth,
    Path(case_id): Path<String>,
    body: Bytes,
) -> Result<Json<serde_json::Value>, ApiError> {
    let to: crate::console::CaseReassign = parse_json(&body)?;
    let store = s.store.clone();
    let now = s.clock.now();
    let changed = blocking(move || store.reassign_case(&case_id, &to, &who, now)).await?;
    Ok(Json(serde_json::json!({ "changed": changed })))
}
