//! Staff sign-in for the centre's web console (issue 17 item 2), built to
//! what a 等保 L3 review asks of an identity check: two factors (a
//! password kept only as an Argon2id verifier, and an RFC 6238 TOTP code,
//! [`totp`]), sessions the server holds (a random token in an `HttpOnly;
//! Secure; SameSite=Strict` cookie, stored only as its SHA-256) with an
//! idle timeout and an absolute lifetime, a CSRF token every non-GET
//! request echoes, a lock-out after repeated failures that never says
//! which factor was wrong, and an audit row for every sign-in, failure,
//! lock-out, expiry and sign-out.
//!
//! The bearer tokens of `zhifa-server staff add` stay for scripts; the
//! console extractor (`crate::api::state::StaffAuth`) takes either. The
//! HTTP side (`/v1/console/session`, the cookie) is [`http`].
//!
//! Storage: the `staff` columns and `staff_session` table of migration
//! `0012_staff_signin` (SQLite and PostgreSQL alike).

mod demo;
pub mod http;
pub mod sso;
pub mod sso_http;
mod store;
pub mod totp;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use zhifa_protocol::ErrorKind;

use crate::console::Staff;
use crate::error::ApiError;

pub use demo::DemoStaff;
pub use store::NewSession;

/// How long sessions live and when an account locks (`serve` flags).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// A session unused this long ends (default 30 minutes).
    pub idle: Duration,
    /// A session ends this long after sign-in, used or not (default 12 h).
    pub lifetime: Duration,
    /// Failed sign-ins in a row that lock the account (default 5).
    pub max_failures: i64,
    /// How long a locked account stays locked (default 15 minutes).
    pub lockout: Duration,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            idle: Duration::minutes(30),
            lifetime: Duration::hours(12),
            max_failures: 5,
            lockout: Duration::minutes(15),
        }
    }
}

/// Why a sign-in or a session was refused. Each has a stable code the
/// console maps to its Chinese message.
#[derive(Debug, Clone, thiserror::Error)]
pub enum SessionError {
    /// Unknown account, wrong password, wrong or reused TOTP code, an
    /// account without credentials or a revoked one — never which.
    #[error("用户名、密码或动态验证码不正确")]
    SigninFailed,
    /// Too many failures in a row: locked until the time given.
    #[error("连续登录失败次数过多，账号已锁定，请于 {until} 之后再试")]
    AccountLocked {
        /// When it unlocks (Beijing time, `HH:MM`).
        until: String,
    },
    /// A session cookie the server does not hold (signed out, ended,
    /// forged) or whose account was revoked.
    #[error("登录已失效，请重新登录")]
    SessionInvalid,
    /// The session passed its idle timeout or its absolute lifetime.
    #[error("长时间未操作或登录时间过长，登录已过期，请重新登录")]
    SessionExpired,
    /// A non-GET request with a session cookie but no `x-csrf-token`.
    #[error("请求缺少 CSRF 校验值，请刷新页面后重试")]
    CsrfMissing,
    /// A non-GET request whose `x-csrf-token` is not its session's.
    #[error("CSRF 校验值不正确，请刷新页面后重试")]
    CsrfInvalid,
    /// The storage or the randomness failed.
    #[error("{0}")]
    Api(ApiError),
}

impl SessionError {
    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::SigninFailed => "signin_failed",
            Self::AccountLocked { .. } => "account_locked",
            Self::SessionInvalid => "session_invalid",
            Self::SessionExpired => "session_expired",
            Self::CsrfMissing => "csrf_missing",
            Self::CsrfInvalid => "csrf_invalid",
            Self::Api(e) => e.code.unwrap_or(e.kind.code()),
        }
    }
}

impl From<ApiError> for SessionError {
    fn from(e: ApiError) -> Self {
        Self::Api(e)
    }
}

impl From<SessionError> for ApiError {
    fn from(e: SessionError) -> Self {
        let kind = match &e {
            SessionError::SigninFailed
            | SessionError::SessionInvalid
            | SessionError::SessionExpired => ErrorKind::Unauthorized,
            SessionError::AccountLocked { .. }
            | SessionError::CsrfMissing
            | SessionError::CsrfInvalid => ErrorKind::Forbidden,
            SessionError::Api(a) => return a.clone(),
        };
        let mut a = ApiError::new(kind, e.to_string());
        a.code = Some(e.code());
        a
    }
}

/// `POST /v1/console/session`: the three things a person types.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct SignIn {
    /// The account id (登录名).
    pub username: String,
    /// The password.
    pub password: String,
    /// The 6-digit code of the authenticator app.
    pub totp: String,
}

/// Who is signed in (the answer of `POST` and `GET /v1/console/session`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SessionInfo {
    /// The account id.
    pub id: String,
    /// Its display name (a unit or post, not a person's ID).
    pub name: String,
    /// Its role: command_centre | department | legal_review | approver |
    /// supervisor | administrator.
    pub role: String,
    /// The role's Chinese name.
    pub role_label: String,
    /// Township-code prefix it covers ('' the whole city).
    pub scope: String,
    /// The department code of a department account.
    pub department: Option<String>,
    /// The token every non-GET request must send as `x-csrf-token`
    /// (none for a bearer-token caller).
    pub csrf_token: Option<String>,
    /// When the session ends at the latest (RFC 3339); none for a bearer
    /// token.
    pub expires_at: Option<String>,
    /// Seconds without a request after which the session ends.
    pub idle_timeout_secs: i64,
}

impl SessionInfo {
    /// The answer for `staff`, with the session's CSRF token and end.
    pub fn of(staff: &Staff, csrf: Option<String>, expires_at: Option<String>, p: &Policy) -> Self {
        Self {
            id: staff.id.clone(),
            name: staff.name.clone(),
            role: staff.role.as_str().to_owned(),
            role_label: staff.role.label().to_owned(),
            scope: staff.scope.clone(),
            department: staff.department.clone(),
            csrf_token: csrf,
            expires_at,
            idle_timeout_secs: p.idle.num_seconds(),
        }
    }
}

/// The associated data a staff account's sealed TOTP secret is bound to
/// (a sealed secret moved to another account does not open).
pub fn totp_aad(id: &str) -> Vec<u8> {
    format!("staff:{id}:totp").into_bytes()
}

/// Checks a new password against the console's rule (等保: length and
/// character classes); the message says what is missing.
pub fn check_password(pw: &str) -> Result<(), String> {
    let n = pw.chars().count();
    if !(10..=128).contains(&n) {
        return Err("密码长度应为 10–128 个字符".into());
    }
    let classes = [
        pw.chars().any(|c| c.is_ascii_lowercase()),
        pw.chars().any(|c| c.is_ascii_uppercase()),
        pw.chars().any(|c| c.is_ascii_digit()),
        pw.chars().any(|c| !c.is_ascii_alphanumeric()),
    ]
    .iter()
    .filter(|b| **b)
    .count();
    if classes < 3 {
        return Err("密码应至少包含小写字母、大写字母、数字、符号中的三类".into());
    }
    Ok(())
}

/// A random password that passes [`check_password`] (demo accounts).
pub fn random_password() -> Result<String, ApiError> {
    const ALNUM: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut b = [0u8; 12];
    getrandom::fill(&mut b).map_err(|_| ApiError::new(ErrorKind::Internal, "随机数不可用"))?;
    // The modulo bias over 56 symbols is < 2 %: irrelevant for a demo
    // password of 12 symbols (~70 bits).
    let body: String = b
        .iter()
        .map(|x| char::from(ALNUM[usize::from(*x) % ALNUM.len()]))
        .collect();
    Ok(format!("Zf-{body}-9"))
}

/// Beijing wall-clock `HH:MM` of `t` (the lock-out message).
fn beijing_hhmm(t: DateTime<Utc>) -> String {
    (t + Duration::hours(8)).format("%H:%M").to_string()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn passwords_need_length_and_three_classes() {
        assert!(check_password("Short1!").is_err());
        assert!(check_password("alllowercaseletters").is_err());
        assert!(check_password("lowerUPPERonly").is_err());
        assert_eq!(check_password("lowerUPPER123"), Ok(()));
        assert_eq!(check_password("lower-123-symbols"), Ok(()));
        for _ in 0..20 {
            assert_eq!(check_password(&random_password().unwrap()), Ok(()));
        }
    }

    #[test]
    fn errors_carry_stable_codes_and_statuses() {
        for (e, code, status) in [
            (SessionError::SigninFailed, "signin_failed", 401),
            (
                SessionError::AccountLocked {
                    until: "10:15".into(),
                },
                "account_locked",
                403,
            ),
            (SessionError::SessionInvalid, "session_invalid", 401),
            (SessionError::SessionExpired, "session_expired", 401),
            (SessionError::CsrfMissing, "csrf_missing", 403),
            (SessionError::CsrfInvalid, "csrf_invalid", 403),
        ] {
            let a = ApiError::from(e.clone());
            assert_eq!(a.body().code, code);
            assert_eq!(a.kind.status(), status);
            assert_eq!(a.body().message, e.to_string());
        }
        assert_eq!(beijing_hhmm(DateTime::UNIX_EPOCH), "08:00");
    }
}
