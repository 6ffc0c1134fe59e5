//! The console session over HTTP: `POST /v1/console/session` signs in and
//! sets the cookie, `GET` says who is signed in (and gives the CSRF token
//! again after a page reload), `DELETE` signs out and clears the cookie.
//! [`authenticate`] is the one check behind `StaffAuth` (its extractor
//! is here): a bearer token
//! (scripts), else the session cookie, and then on every request that is
//! not GET or HEAD the `x-csrf-token` header.

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use zhifa_protocol::ErrorKind;
use zhifa_protocol::wire::ErrorBody;

use super::store::{csrf_matches, csrf_of};
use super::{SessionError, SessionInfo, SignIn};
use crate::api::state::{St, StaffAuth, blocking, parse_json};
use crate::console::Staff;
use crate::error::ApiError;

/// The session cookie's name.
pub const COOKIE: &str = "zhifa_console_session";
/// The header a non-GET request echoes the CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The routes of this module.
pub fn routes() -> Router<St> {
    Router::new().route(
        "/v1/console/session",
        get(whoami).post(sign_in).delete(sign_out),
    )
}

/// The value of the session cookie, if the request carries one.
pub fn session_cookie(headers: &HeaderMap) -> Option<String> {
    cookie_named(headers, COOKIE)
}

/// The value of the cookie `name`, if the request carries one.
pub fn cookie_named(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
        .filter(|v| !v.is_empty())
}

/// The `Set-Cookie` value of a session (`max_age` seconds; 0 clears it).
pub fn set_cookie(token: &str, max_age: i64) -> String {
    format!("{COOKIE}={token}; HttpOnly; Secure; SameSite=Strict; Path=/; Max-Age={max_age}")
}

/// How a console caller proved who it is.
pub enum Via {
    /// A bearer token (`zhifa-server staff add`).
    Bearer,
    /// A session cookie: its token and the session's absolute end.
    Session {
        /// The session token.
        token: String,
        /// RFC 3339.
        expires_at: String,
    },
}

/// The console caller of a request: a bearer token, else the session
/// cookie with its CSRF check on anything but GET and HEAD.
pub async fn authenticate(parts: &Parts, state: &St) -> Result<(Staff, Via), ApiError> {
    let store = state.store.clone();
    let now = state.clock.now();
    if let Some(token) = crate::api::state::bearer_opt(parts) {
        let staff = blocking(move || store.authenticate_staff(&token, now)).await?;
        return Ok((staff, Via::Bearer));
    }
    let Some(token) = session_cookie(&parts.headers) else {
        return Err(ApiError::new(
            ErrorKind::Unauthorized,
            "未登录或缺少访问令牌",
        ));
    };
    let policy = state.limits.console;
    let t = token.clone();
    let (staff, expires_at) = blocking(move || {
        store
            .session_staff(&t, &policy, now)
            .map_err(ApiError::from)
    })
    .await?;
    if !matches!(parts.method, Method::GET | Method::HEAD) {
        let sent = parts
            .headers
            .get(CSRF_HEADER)
            .and_then(|v| v.to_str().ok())
            .filter(|v| !v.is_empty());
        match sent {
            None => return Err(SessionError::CsrfMissing.into()),
            Some(s) if !csrf_matches(&token, s) => return Err(SessionError::CsrfInvalid.into()),
            Some(_) => {}
        }
    }
    Ok((staff, Via::Session { token, expires_at }))
}

impl FromRequestParts<St> for StaffAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &St) -> Result<Self, Self::Rejection> {
        let (staff, _) = authenticate(parts, state).await?;
        Ok(StaffAuth(staff))
    }
}

/// The authenticated console caller and how ([`authenticate`]).
pub struct Caller(pub Staff, pub Via);

impl FromRequestParts<St> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &St) -> Result<Self, Self::Rejection> {
        let (s, v) = authenticate(parts, state).await?;
        Ok(Caller(s, v))
    }
}

fn no_store(mut r: Response) -> Response {
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

fn with_cookie(mut r: Response, cookie: &str) -> Response {
    if let Ok(v) = HeaderValue::from_str(cookie) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    no_store(r)
}

/// `POST /v1/console/session`: signs in with password and TOTP code.
#[utoipa::path(post, tag = "session", path = "/v1/console/session", request_body = SignIn,
    responses((status = 200, body = SessionInfo, description = "signed in; the session cookie is set (HttpOnly, Secure, SameSite=Strict)"),
              (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody, description = "`signin_failed`: user name, password or code wrong (never which)"),
              (status = 403, body = ErrorBody, description = "`account_locked`: too many failures in a row")))]
pub(crate) async fn sign_in(State(s): State<St>, body: Bytes) -> Result<Response, ApiError> {
    let req: SignIn = parse_json(&body)?;
    let (store, now, policy) = (s.store.clone(), s.clock.now(), s.limits.console);
    let made = blocking(move || store.sign_in(&req, &policy, now).map_err(ApiError::from)).await?;
    tracing::info!(staff = %made.staff.id, "console sign-in");
    let info = SessionInfo::of(
        &made.staff,
        Some(made.csrf.clone()),
        Some(made.expires_at.clone()),
        &policy,
    );
    let cookie = set_cookie(&made.token, policy.lifetime.num_seconds());
    Ok(with_cookie(Json(info).into_response(), &cookie))
}

/// `GET /v1/console/session`: who is signed in, with the session's CSRF
/// token (so a reloaded page can write again).
#[utoipa::path(get, tag = "session", path = "/v1/console/session",
    responses((status = 200, body = SessionInfo), (status = 401, body = ErrorBody, description = "`unauthorized`, `session_invalid` or `session_expired`")),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn whoami(
    State(s): State<St>,
    Caller(staff, via): Caller,
) -> Result<Response, ApiError> {
    let (csrf, expires) = match via {
        Via::Bearer => (None, None),
        Via::Session { token, expires_at } => (Some(csrf_of(&token)), Some(expires_at)),
    };
    let info = SessionInfo::of(&staff, csrf, expires, &s.limits.console);
    Ok(no_store(Json(info).into_response()))
}

/// `DELETE /v1/console/session`: signs out (with the CSRF header) and
/// clears the cookie.
#[utoipa::path(delete, tag = "session", path = "/v1/console/session",
    responses((status = 200, description = "`{\"signed_out\": true}`; the cookie is cleared"),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody, description = "`csrf_missing` or `csrf_invalid`")),
    security(("session" = [])))]
pub(crate) async fn sign_out(
    State(s): State<St>,
    Caller(_, via): Caller,
) -> Result<Response, ApiError> {
    let Via::Session { token, .. } = via else {
        return Err(ApiError::bad("令牌账号没有会话可以退出"));
    };
    let (store, now) = (s.store.clone(), s.clock.now());
    let ended = blocking(move || store.sign_out(&token, now)).await?;
    let body = Json(serde_json::json!({ "signed_out": ended })).into_response();
    Ok(with_cookie(body, &set_cookie("", 0)))
}
