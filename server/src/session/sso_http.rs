//! The government SSO over HTTP: `GET /v1/console/sso` says whether it is
//! configured (the sign-in screen shows "政务统一身份认证登录" only then),
//! `GET /v1/console/sso/start?next=` sends the browser to the provider,
//! `GET /v1/console/sso/callback?code=&state=` finishes the sign-in: the
//! same session cookie as password + TOTP and a redirect into the
//! console, or a redirect to the sign-in screen with `sso_error=CODE`.

use axum::Json;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::{Deserialize, Serialize};

use super::http::{cookie_named, set_cookie};
use super::sso::SsoError;
use crate::api::state::St;
use crate::error::ApiError;

/// The routes of this module.
pub fn routes() -> Router<St> {
    Router::new()
        .route("/v1/console/sso", get(sso_info_http))
        .route("/v1/console/sso/start", get(sso_start_http))
        .route("/v1/console/sso/callback", get(sso_callback_http))
}

/// Whether the government SSO is configured.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SsoInfo {
    /// True when `serve --oidc-issuer …` configured it.
    pub enabled: bool,
    /// The button's text.
    pub label: String,
}

/// `GET /v1/console/sso`: whether the sign-in screen offers the SSO.
#[utoipa::path(get, tag = "session", path = "/v1/console/sso", responses((status = 200, body = SsoInfo)))]
pub(crate) async fn sso_info_http(State(s): State<St>) -> Json<SsoInfo> {
    Json(SsoInfo {
        enabled: s.sso().is_some(),
        label: "政务统一身份认证登录".into(),
    })
}

fn redirect(to: &str) -> Response {
    let mut r = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(to) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// The start's query.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StartQuery {
    /// The console path to return to (default `/console/`).
    pub next: Option<String>,
}

/// `GET /v1/console/sso/start`: to the provider (303), with state, nonce
/// and the PKCE challenge.
#[utoipa::path(get, tag = "session", path = "/v1/console/sso/start", params(StartQuery),
    responses((status = 303, description = "to the provider's authorization endpoint"),
              (status = 404, body = zhifa_protocol::wire::ErrorBody, description = "`sso_disabled`"),
              (status = 502, body = zhifa_protocol::wire::ErrorBody, description = "`sso_provider`")))]
pub(crate) async fn sso_start_http(
    State(s): State<St>,
    Query(q): Query<StartQuery>,
) -> Result<Response, ApiError> {
    let Some(sso) = s.sso() else {
        return Err(api_error(SsoError::Disabled));
    };
    let next = q.next.unwrap_or_else(|| "/console/".into());
    let (url, state) = sso
        .start(&s.store, &next, s.clock.now())
        .await
        .map_err(api_error)?;
    let mut r = redirect(&url);
    if let Ok(v) = HeaderValue::from_str(&state_cookie(&state, 600)) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(r)
}

/// The cookie that binds a started sign-in to this browser. `Lax`, not
/// `Strict`: the provider's redirect back is a cross-site top-level GET,
/// which carries `Lax` cookies only. Only the callback's path sees it.
fn state_cookie(state: &str, max_age: i64) -> String {
    format!(
        "{STATE_COOKIE}={state}; HttpOnly; Secure; SameSite=Lax; Path=/v1/console/sso/callback; Max-Age={max_age}"
    )
}

/// The state cookie's name.
const STATE_COOKIE: &str = "zhifa_sso_state";

fn api_error(e: SsoError) -> ApiError {
    use zhifa_protocol::ErrorKind;
    let kind = match &e {
        SsoError::Api(a) => return a.clone(),
        SsoError::Disabled => ErrorKind::NotFound,
        SsoError::Provider(_) | SsoError::Denied(_) => ErrorKind::Unavailable,
        _ => ErrorKind::Unauthorized,
    };
    let mut a = ApiError::new(kind, e.to_string());
    a.code = Some(e.code());
    a
}

/// The provider's answer.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CallbackQuery {
    /// The authorization code.
    pub code: Option<String>,
    /// The state sent at the start.
    pub state: Option<String>,
    /// The provider's error, if it refused.
    pub error: Option<String>,
}

/// `GET /v1/console/sso/callback`: the session cookie and a redirect into
/// the console (303), or to the sign-in screen with `sso_error=CODE`.
#[utoipa::path(get, tag = "session", path = "/v1/console/sso/callback", params(CallbackQuery),
    responses((status = 303, description = "signed in (cookie set) to the console, or refused to `/console/signin?sso_error=CODE` (`sso_disabled`, `sso_state_invalid`, `sso_denied`, `sso_provider`, `sso_code_rejected`, `sso_signature_invalid`, `sso_issuer_invalid`, `sso_audience_invalid`, `sso_token_expired`, `sso_token_invalid`, `sso_nonce_invalid`, `sso_unlinked`, `sso_account_disabled`)")))]
pub(crate) async fn sso_callback_http(
    State(s): State<St>,
    headers: axum::http::HeaderMap,
    Query(q): Query<CallbackQuery>,
) -> Response {
    let mut r = callback(&s, &headers, q).await;
    // The state cookie has served its one use.
    if let Ok(v) = HeaderValue::from_str(&state_cookie("", 0)) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}

async fn callback(s: &St, headers: &axum::http::HeaderMap, q: CallbackQuery) -> Response {
    let Some(sso) = s.sso() else {
        return redirect("/console/signin?sso_error=sso_disabled");
    };
    let now = s.clock.now();
    if let Some(error) = q.error.as_deref() {
        tracing::warn!(
            error,
            "the SSO provider sent the browser back with an error"
        );
        let e = sso.denied(&s.store, q.state.as_deref(), error, now).await;
        return redirect(&format!("/console/signin?sso_error={}", e.code()));
    }
    let (Some(code), Some(state)) = (q.code, q.state) else {
        let e = sso.denied(&s.store, None, "no code", now).await;
        return redirect(&format!("/console/signin?sso_error={}", e.code()));
    };
    let policy = s.limits.console;
    let browser = cookie_named(headers, STATE_COOKIE);
    match sso
        .finish(&s.store, (&code, &state, browser.as_deref()), &policy, now)
        .await
    {
        Ok((made, next)) => {
            tracing::info!(staff = %made.staff.id, "console sign-in through the government SSO");
            let mut r = redirect(&next);
            if let Ok(v) =
                HeaderValue::from_str(&set_cookie(&made.token, policy.lifetime.num_seconds()))
            {
                r.headers_mut().append(header::SET_COOKIE, v);
            }
            r
        }
        Err(e) => redirect(&format!("/console/signin?sso_error={}", e.code())),
    }
}
