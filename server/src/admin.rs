//! Administration from the console (issue 17): the console accounts and
//! the officers' devices inside an administrator's scope, and revoking
//! them — a lost tablet is cut off from the centre without the command
//! line. Only `administrator` accounts; an account or device outside the
//! scope is answered as unknown (404); an administrator cannot revoke its
//! own account. Every list and revocation is audited (`admin.staff`,
//! `admin.devices`, `admin.staff_revoke`, `admin.device_revoke`,
//! `staff.link_sso`).
//!
//! - `GET /v1/console/admin/staff` · `POST /v1/console/admin/staff/{id}/revoke`
//! - `POST /v1/console/admin/staff/{id}/sso`: links a subject of the
//!   government SSO to the account (`crate::session::sso`); SSO itself
//!   never creates an account
//! - `GET /v1/console/admin/devices` · `POST /v1/console/admin/devices/{id}/revoke`
//!
//! Beside them, `GET /v1/console/officers`: the officers of the scope (names
//! masked) for the command centre to dispatch a task to, and for the
//! administrator.

use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use zhifa_protocol::ErrorKind;
use zhifa_protocol::wire::ErrorBody;

use crate::api::state::{St, StaffAuth, blocking};
use crate::console::{Staff, StaffRole};
use crate::error::ApiError;
use crate::store::sql::{Conn, Fail, Val, p};

/// The routes of this module.
pub fn routes() -> Router<St> {
    Router::new()
        .route("/v1/console/admin/staff", get(staff_http))
        .route(
            "/v1/console/admin/staff/{id}/revoke",
            post(staff_revoke_http),
        )
        .route("/v1/console/admin/staff/{id}/sso", post(staff_sso_http))
        .route("/v1/console/admin/devices", get(devices_http))
        .route(
            "/v1/console/admin/devices/{id}/revoke",
            post(device_revoke_http),
        )
        .route("/v1/console/officers", get(officers_http))
}

/// An officer as the centre sees it when dispatching.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OfficerView {
    /// The officer id.
    pub id: String,
    /// The name, masked (personal data).
    pub name_masked: String,
    /// Township.
    pub township: String,
    /// `officer` or `district_supervisor`.
    pub role: String,
}

/// The officers of the townships under `scope`, by township and id.
pub fn officers_in(c: &mut dyn Conn, scope: &str) -> Result<Vec<OfficerView>, Fail> {
    let (cond, params) = crate::supervise::scope_where(scope, Some("district"), 1);
    let vals: Vec<Val<'_>> = params.iter().map(|p| Val::Text(p)).collect();
    let rows = c.query(
        &format!("SELECT id, name, township, role FROM officer WHERE {cond} ORDER BY township, id"),
        &vals,
    )?;
    rows.iter()
        .map(|r| {
            Ok(OfficerView {
                id: r.get(0)?,
                name_masked: zhifa_core::case::mask_text(&r.get::<String>(1)?),
                township: r.get(2)?,
                role: r.get(3)?,
            })
        })
        .collect::<Result<_, crate::store::sql::DbError>>()
        .map_err(Fail::from)
}

/// `GET /v1/console/officers`: the officers of the scope, for the command
/// centre (dispatching) and the administrator; audited `officers.list`.
#[utoipa::path(get, tag = "admin", path = "/v1/console/officers",
    responses((status = 200, body = [OfficerView]), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub(crate) async fn officers_http(
    State(s): State<St>,
    StaffAuth(who): StaffAuth,
) -> Result<Json<Vec<OfficerView>>, ApiError> {
    if !matches!(
        who.role,
        StaffRole::CommandCentre | StaffRole::Administrator
    ) {
        return Err(ApiError::new(
            ErrorKind::Forbidden,
            "只有指挥中心和系统管理员账号可以查看执法人员名单",
        ));
    }
    scoped_list(&s, who, "officers.list", officers_in).await
}

/// A console account as the administrator sees it (never its token,
/// password verifier or TOTP secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StaffView {
    /// Its id (login).
    pub id: String,
    /// Display name.
    pub name: String,
    /// Role.
    pub role: String,
    /// The role in Chinese.
    pub role_label: String,
    /// Its scope (township-code prefix; empty: the city).
    pub scope: String,
    /// Its department, if a department account.
    pub department: Option<String>,
    /// When revoked (RFC 3339), if.
    pub revoked_at: Option<String>,
}

/// An officer's device as the administrator sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DeviceView {
    /// The device id.
    pub device_id: String,
    /// The officer it is enrolled for.
    pub officer_id: String,
    /// The officer's name, masked (personal data).
    pub officer_masked: String,
    /// The officer's township.
    pub township: String,
    /// When enrolled (RFC 3339).
    pub enrolled_at: String,
    /// When revoked, if.
    pub revoked_at: Option<String>,
}

/// The answer of a revocation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Revoked {
    /// Whether it was active and is now revoked (`false`: already was).
    pub revoked: bool,
}

fn admin_only(who: &Staff) -> Result<(), ApiError> {
    if who.role != StaffRole::Administrator {
        return Err(ApiError::new(
            ErrorKind::Forbidden,
            "只有系统管理员账号可以管理账号和终端",
        ));
    }
    Ok(())
}

fn not_found(what: &str) -> Fail {
    Fail::Api(ApiError::new(
        ErrorKind::NotFound,
        format!("没有找到该{what}，或不在本账号辖区"),
    ))
}

/// The accounts whose scope lies inside `scope`.
pub fn staff_in(c: &mut dyn Conn, scope: &str) -> Result<Vec<StaffView>, Fail> {
    Ok(crate::console::list(c)?
        .into_iter()
        .filter(|s| s.scope.starts_with(scope))
        .map(|s| StaffView {
            role_label: s.role.label().to_owned(),
            role: s.role.as_str().to_owned(),
            id: s.id,
            name: s.name,
            scope: s.scope,
            department: s.department,
            revoked_at: s.revoked_at,
        })
        .collect())
}

/// The devices of the officers of the townships under `scope`, newest
/// enrolment first.
pub fn devices_in(c: &mut dyn Conn, scope: &str) -> Result<Vec<DeviceView>, Fail> {
    // `township` and `district` are the officer's (the device has neither).
    let (cond, params) = crate::supervise::scope_where(scope, Some("district"), 1);
    let vals: Vec<Val<'_>> = params.iter().map(|p| Val::Text(p)).collect();
    let rows = c.query(
        &format!(
            "SELECT d.id, d.officer_id, o.name, o.township, d.enrolled_at, d.revoked_at
             FROM device d JOIN officer o ON o.id = d.officer_id
             WHERE {cond} ORDER BY d.enrolled_at DESC, d.id"
        ),
        &vals,
    )?;
    rows.iter()
        .map(|r| {
            Ok(DeviceView {
                device_id: r.get(0)?,
                officer_id: r.get(1)?,
                officer_masked: zhifa_core::case::mask_text(&r.get::<String>(2)?),
                township: r.get(3)?,
                enrolled_at: r.get(4)?,
                revoked_at: r.get(5)?,
            })
        })
        .collect::<Result<_, crate::store::sql::DbError>>()
        .map_err(Fail::from)
}

fn revoke_staff(
    c: &mut dyn Conn,
    who: &Staff,
    id: &str,
    now: DateTime<Utc>,
) -> Result<Revoked, Fail> {
    if id == who.id {
        return Err(Fail::Api(ApiError::bad("不能停用自己的账号")));
    }
    let Some(target) = crate::console::by_id(c, id)? else {
        return Err(not_found("账号"));
    };
    if !target.scope.starts_with(&who.scope) {
        return Err(not_found("账号"));
    }
    let revoked = crate::console::revoke(c, id, now)?;
    crate::store::audit(c, now, &who.actor(), "admin.staff_revoke", id)?;
    Ok(Revoked { revoked })
}

/// What an administrator links to an account: the government SSO's
/// subject for this person.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct SsoLink {
    /// The provider's issuer URL; by default the one `serve --oidc-issuer`
    /// configured.
    #[serde(default)]
    pub issuer: Option<String>,
    /// The subject (`sub`) the provider gives this person (the audit row
    /// of a refused `sso_unlinked` sign-in names it).
    pub subject: String,
}

/// A link made.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SsoLinked {
    /// The account.
    pub id: String,
    /// The issuer.
    pub issuer: String,
    /// The subject.
    pub subject: String,
}

fn link_sso(
    c: &mut dyn Conn,
    who: &Staff,
    id: &str,
    issuer: &str,
    subject: &str,
    now: DateTime<Utc>,
) -> Result<SsoLinked, Fail> {
    let Some(target) = crate::console::by_id(c, id)? else {
        return Err(not_found("账号"));
    };
    if !target.scope.starts_with(&who.scope) || target.revoked_at.is_some() {
        return Err(not_found("账号"));
    }
    // A subject linked to an account outside this administrator's scope
    // stays there: it is not this administrator's to move.
    let holder: Option<String> = c
        .query_opt(
            "SELECT staff_id FROM staff_sso WHERE issuer = ?1 AND subject = ?2",
            p![issuer, subject],
        )?
        .map(|r| r.get(0))
        .transpose()?;
    if let Some(h) = holder.filter(|h| h != id) {
        let theirs =
            crate::console::by_id(c, &h)?.is_some_and(|o| !o.scope.starts_with(&who.scope));
        if theirs {
            let mut e = ApiError::bad("该统一身份认证账号已关联本辖区以外的工作人员账号");
            e.code = Some("sso_subject_taken");
            return Err(Fail::Api(e));
        }
    }
    crate::session::sso::link(c, issuer, subject, id, &who.actor(), now)?;
    Ok(SsoLinked {
        id: id.to_owned(),
        issuer: issuer.to_owned(),
        subject: subject.to_owned(),
    })
}

fn revoke_device(
    c: &mut dyn Conn,
    who: &Staff,
    id: &str,
    now: DateTime<Utc>,
) -> Result<Revoked, Fail> {
    let Some(r) = c.query_opt(
        "SELECT o.township FROM device d JOIN officer o ON o.id = d.officer_id WHERE d.id = ?1",
        p![id],
    )?
    else {
        return Err(not_found("终端"));
    };
    if !r.get::<String>(0)?.starts_with(&who.scope) {
        return Err(not_found("终端"));
    }
    let n = c.exec(
        "UPDATE device SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
        p![id, crate::store::ts(now)],
    )?;
    crate::store::audit(c, now, &who.actor(), "admin.device_revoke", id)?;
    Ok(Revoked { revoked: n > 0 })
}

/// Runs `list` over the account's scope in one transaction with its audit
/// row (`action`, the scope as object), off the async workers.
async fn scoped_list<T: Send + 'static>(
    s: &St,
    who: Staff,
    action: &'static str,
    list: fn(&mut dyn Conn, &str) -> Result<Vec<T>, Fail>,
) -> Result<Json<Vec<T>>, ApiError> {
    let (store, now) = (s.store.clone(), s.clock.now());
    let rows = blocking(move || {
        store.write(|c| {
            let rows = list(c, &who.scope)?;
            crate::store::audit(c, now, &who.actor(), action, &who.scope)?;
            Ok(rows)
        })
    })
    .await?;
    Ok(Json(rows))
}

/// `GET /v1/console/admin/staff`: the accounts inside the scope.
#[utoipa::path(get, tag = "admin", path = "/v1/console/admin/staff",
    responses((status = 200, body = [StaffView]), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub(crate) async fn staff_http(
    State(s): State<St>,
    StaffAuth(who): StaffAuth,
) -> Result<Json<Vec<StaffView>>, ApiError> {
    admin_only(&who)?;
    scoped_list(&s, who, "admin.staff", staff_in).await
}

/// `POST /v1/console/admin/staff/{id}/revoke`: stops an account at once
/// (its sessions and token end).
#[utoipa::path(post, tag = "admin", path = "/v1/console/admin/staff/{id}/revoke",
    params(("id" = String, Path, description = "The account")),
    responses((status = 200, body = Revoked), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub(crate) async fn staff_revoke_http(
    State(s): State<St>,
    StaffAuth(who): StaffAuth,
    Path(id): Path<String>,
) -> Result<Json<Revoked>, ApiError> {
    admin_only(&who)?;
    let (store, now) = (s.store.clone(), s.clock.now());
    let r = blocking(move || store.write(|c| revoke_staff(c, &who, &id, now))).await?;
    Ok(Json(r))
}

/// `GET /v1/console/admin/devices`: the devices of the officers in scope.
#[utoipa::path(get, tag = "admin", path = "/v1/console/admin/devices",
    responses((status = 200, body = [DeviceView]), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub(crate) async fn devices_http(
    State(s): State<St>,
    StaffAuth(who): StaffAuth,
) -> Result<Json<Vec<DeviceView>>, ApiError> {
    admin_only(&who)?;
    scoped_list(&s, who, "admin.devices", devices_in).await
}

/// `POST /v1/console/admin/devices/{id}/revoke`: a lost or stolen device
/// is refused from its next request on (`device_revoked`).
#[utoipa::path(post, tag = "admin", path = "/v1/console/admin/devices/{id}/revoke",
    params(("id" = String, Path, description = "The device")),
    responses((status = 200, body = Revoked), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub(crate) async fn device_revoke_http(
    State(s): State<St>,
    StaffAuth(who): StaffAuth,
    Path(id): Path<String>,
) -> Result<Json<Revoked>, ApiError> {
    admin_only(&who)?;
    let (store, now) = (s.store.clone(), s.clock.now());
    let r = blocking(move || store.write(|c| revoke_device(c, &who, &id, now))).await?;
    Ok(Json(r))
}

/// `POST /v1/console/admin/staff/{id}/sso`: links a subject of the
/// government SSO to an account in scope (a subject already linked moves
/// to this account); audited `staff.link_sso`.
#[utoipa::path(post, tag = "admin", path = "/v1/console/admin/staff/{id}/sso",
    params(("id" = String, Path, description = "The account")), request_body = SsoLink,
    responses((status = 200, body = SsoLinked), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub(crate) async fn staff_sso_http(
    State(s): State<St>,
    StaffAuth(who): StaffAuth,
    Path(id): Path<String>,
    Json(b): Json<SsoLink>,
) -> Result<Json<SsoLinked>, ApiError> {
    admin_only(&who)?;
    let issuer = match (b.issuer, s.sso()) {
        (Some(i), _) => i,
        (None, Some(sso)) => sso.issuer().to_owned(),
        (None, None) => {
            return Err(ApiError::bad(
                "本系统未配置统一身份认证平台，请填写签发方（issuer）",
            ));
        }
    };
    crate::session::sso::check_link(&issuer, &b.subject)?;
    let (store, now) = (s.store.clone(), s.clock.now());
    let r =
        blocking(move || store.write(|c| link_sso(c, &who, &id, &issuer, &b.subject, now))).await?;
    Ok(Json(r))
}
