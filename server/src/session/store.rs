//! The storage side of staff sign-in: credentials on the `staff` row,
//! sessions in `staff_session`, every outcome audited in the same
//! transaction that records it. Argon2 runs outside any transaction (it
//! takes ~50 ms), so the writer is held only for the short updates.

use std::sync::LazyLock;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use zhifa_protocol::ErrorKind;

use super::{Policy, SessionError, SignIn, beijing_hhmm, totp};
use crate::console::Staff;
use crate::error::ApiError;
use crate::pii::STAFF_TOTP;
use crate::store::sql::{Conn, DbError, Fail, p};
use crate::store::{Db, audit, sha_hex, ts};

/// A session just made: the cookie's token (shown once, stored hashed),
/// its CSRF token and its absolute end.
#[derive(Debug, Clone)]
pub struct NewSession {
    /// The account.
    pub staff: Staff,
    /// The session token (the cookie's value).
    pub token: String,
    /// The CSRF token (derived from the session token).
    pub csrf: String,
    /// The absolute end (RFC 3339).
    pub expires_at: String,
}

/// Argon2id at OWASP's interactive-login minimum (19 MiB, t=2, p=1), as
/// the device's PIN verifier (core/src/signin.rs).
fn hasher() -> Result<Argon2<'static>, ApiError> {
    let params = Params::new(19 * 1024, 2, 1, None)
        .map_err(|_| ApiError::new(ErrorKind::Internal, "密码参数无效"))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// The PHC verifier of a password.
pub(crate) fn verifier(password: &str) -> Result<String, ApiError> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|_| ApiError::new(ErrorKind::Internal, "随机数不可用"))?;
    let salt = SaltString::encode_b64(&salt)
        .map_err(|_| ApiError::new(ErrorKind::Internal, "密码盐无效"))?;
    Ok(hasher()?
        .hash_password(password.as_bytes(), &salt)
        .map_err(|_| ApiError::new(ErrorKind::Internal, "密码校验值生成失败"))?
        .to_string())
}

/// A verifier of no password anyone knows: an unknown account is checked
/// against it, so its answer takes as long as a known one's.
static DUMMY: LazyLock<Option<String>> = LazyLock::new(|| verifier("zhifa: no such account").ok());

fn password_ok(phc: Option<&str>, password: &str) -> bool {
    let known = phc.is_some();
    let Some(phc) = phc.or(DUMMY.as_deref()) else {
        return false;
    };
    let (Ok(parsed), Ok(h)) = (PasswordHash::new(phc), hasher()) else {
        return false;
    };
    h.verify_password(password.as_bytes(), &parsed).is_ok() && known
}

/// The CSRF token of a session: HMAC-SHA256 keyed by the session token,
/// so it is never stored and can be shown again after a page reload, yet
/// cannot be made without the (HttpOnly) cookie.
pub(crate) fn csrf_of(session_token: &str) -> String {
    match Hmac::<Sha256>::new_from_slice(session_token.as_bytes()) {
        Ok(mut m) => {
            m.update(b"zhifa console csrf v1");
            hex::encode(m.finalize().into_bytes())
        }
        // HMAC takes keys of any length; this arm is never taken.
        Err(_) => String::new(),
    }
}

/// Whether `sent` is the CSRF token of `session_token` (constant time).
pub(crate) fn csrf_matches(session_token: &str, sent: &str) -> bool {
    let Ok(sent) = hex::decode(sent) else {
        return false;
    };
    match Hmac::<Sha256>::new_from_slice(session_token.as_bytes()) {
        Ok(mut m) => {
            m.update(b"zhifa console csrf v1");
            m.verify_slice(&sent).is_ok()
        }
        Err(_) => false,
    }
}

/// The credential columns of one account.
struct Credentials {
    staff: Staff,
    password_phc: Option<String>,
    totp_secret: Option<String>,
    locked_until: Option<String>,
}

/// The account's credentials, its TOTP secret opened (sealed at rest by
/// the vault, purpose `staff.totp`, AAD [`super::totp_aad`]).
fn credentials(
    c: &mut dyn Conn,
    k: &crate::record::Keeper,
    id: &str,
) -> Result<Option<Credentials>, Fail> {
    let Some(staff) = crate::console::by_id(c, id)? else {
        return Ok(None);
    };
    let r = c.query_one(
        "SELECT password_phc, totp_secret, locked_until FROM staff WHERE id = ?1",
        p![id],
    )?;
    let totp_secret =
        match r.get::<Option<String>>(1)? {
            Some(sealed) => {
                let plain = k
                    .seal
                    .open(c, STAFF_TOTP, &super::totp_aad(id), &sealed)
                    .map_err(Fail::from)?;
                Some(String::from_utf8(plain).map_err(|_| {
                    Fail::from(crate::record::RecordError::Corrupt("TOTP 密钥".into()))
                })?)
            }
            None => None,
        };
    Ok(Some(Credentials {
        staff,
        password_phc: r.get(0)?,
        totp_secret,
        locked_until: r.get(2)?,
    }))
}

/// What a sign-in attempt came to (decided in its write transaction).
enum Outcome {
    In(NewSession),
    Failed,
    Locked(String),
}

/// One failure on the caller's transaction: counted, audited, and the
/// account locked when it reaches the policy's limit.
fn fail(tx: &mut dyn Conn, id: &str, p: &Policy, now: DateTime<Utc>) -> Result<Outcome, DbError> {
    let n = tx.exec(
        "UPDATE staff SET failed_count = failed_count + 1 WHERE id = ?1",
        p![id],
    )?;
    // What was typed as a user name is logged only when it names an
    // account: a password typed into the wrong field stays out of the log.
    let object = if n == 0 { "(unknown)" } else { id };
    audit(tx, now, "anonymous", "session.signin_failed", object)?;
    if n == 0 {
        return Ok(Outcome::Failed);
    }
    let count: i64 = tx
        .query_one("SELECT failed_count FROM staff WHERE id = ?1", p![id])?
        .get(0)?;
    if count >= p.max_failures {
        let until = now + p.lockout;
        tx.exec(
            "UPDATE staff SET failed_count = 0, locked_until = ?2 WHERE id = ?1",
            p![id, ts(until)],
        )?;
        audit(tx, now, "system", "session.locked", id)?;
        return Ok(Outcome::Locked(beijing_hhmm(until)));
    }
    Ok(Outcome::Failed)
}

/// After an operator changed an account's credentials (`n` rows): no
/// such account is `not_found`; otherwise its sessions end, audited.
fn credentials_changed(
    tx: &mut dyn Conn,
    id: &str,
    n: u64,
    action: &str,
    now: DateTime<Utc>,
) -> Result<(), Fail> {
    if n == 0 {
        return Err(Fail::Api(ApiError::new(
            ErrorKind::NotFound,
            format!("没有控制台账号 {id}"),
        )));
    }
    crate::console::end_sessions(tx, id, now)?;
    audit(tx, now, "operator", action, id)?;
    Ok(())
}

impl Db {
    /// Signs a staff member in with password and TOTP code: a new session,
    /// or why not (never which factor was wrong).
    pub fn sign_in(
        &self,
        req: &SignIn,
        p: &Policy,
        now: DateTime<Utc>,
    ) -> Result<NewSession, SessionError> {
        let id = req.username.trim().to_owned();
        if id.is_empty() || id.len() > 64 {
            password_ok(None, &req.password);
            self.write(|tx| {
                audit(tx, now, "anonymous", "session.signin_failed", "(invalid)")?;
                Ok(())
            })?;
            return Err(SessionError::SigninFailed);
        }
        let keeper = self.keeper();
        let found = self.read(|c| credentials(c, keeper, &id))?;
        let locked = found
            .as_ref()
            .and_then(|c| c.locked_until.clone())
            .filter(|u| *u > ts(now));
        if let Some(until) = locked {
            self.write(|tx| {
                audit(tx, now, "anonymous", "session.signin_locked", &id)?;
                Ok(())
            })?;
            let until = DateTime::parse_from_rfc3339(&until)
                .map(|t| beijing_hhmm(t.with_timezone(&Utc)))
                .unwrap_or_default();
            return Err(SessionError::AccountLocked { until });
        }
        // Both factors are always checked, whatever the first says.
        let pw = password_ok(
            found.as_ref().and_then(|c| c.password_phc.as_deref()),
            &req.password,
        );
        let secs = u64::try_from(now.timestamp()).unwrap_or(0);
        let step = match found.as_ref().and_then(|c| c.totp_secret.as_deref()) {
            Some(secret) => totp::matching_step(secret, req.totp.trim(), secs)?,
            None => None,
        };
        let good = match (&found, pw, step) {
            (Some(c), true, Some(step)) if c.staff.revoked_at.is_none() => Some(step),
            _ => None,
        };
        let token = crate::store::random_token()?;
        let sha = sha_hex(&token);
        let expires = now + p.lifetime;
        let outcome = self.write(|tx| {
            let Some(step) = good else {
                return Ok(fail(tx, &id, p, now)?);
            };
            // Takes the code's step only if no later one was taken and
            // the account did not lock meanwhile: a replayed code fails.
            let step = i64::try_from(step).unwrap_or(i64::MAX);
            let n = tx.exec(
                "UPDATE staff SET failed_count = 0, locked_until = NULL, totp_last_step = ?2
                 WHERE id = ?1 AND (totp_last_step IS NULL OR totp_last_step < ?2)
                   AND (locked_until IS NULL OR locked_until <= ?3)",
                p![id, step, ts(now)],
            )?;
            if n == 0 {
                return Ok(fail(tx, &id, p, now)?);
            }
            tx.exec(
                "INSERT INTO staff_session (token_sha256, staff_id, created_at, last_seen_at, expires_at)
                 VALUES (?1, ?2, ?3, ?3, ?4)",
                p![sha, id, ts(now), ts(expires)],
            )?;
            let staff = crate::console::by_id(tx, &id)?.ok_or(DbError::NoRow)?;
            audit(tx, now, &staff.actor(), "session.signin", &id)?;
            Ok(Outcome::In(NewSession {
                staff,
                csrf: csrf_of(&token),
                token: token.clone(),
                expires_at: ts(expires),
            }))
        })?;
        match outcome {
            Outcome::In(s) => Ok(s),
            Outcome::Failed => Err(SessionError::SigninFailed),
            Outcome::Locked(until) => Err(SessionError::AccountLocked { until }),
        }
    }

    /// The account of a session token, after its idle and absolute
    /// limits; a live session's last use moves to `now`. An expired one
    /// is ended (and audited) on the way.
    pub fn session_staff(
        &self,
        token: &str,
        p: &Policy,
        now: DateTime<Utc>,
    ) -> Result<(Staff, String), SessionError> {
        let sha = sha_hex(token);
        self.write(|tx| {
            let Some(row) = tx.query_opt(
                "SELECT staff_id, last_seen_at, expires_at, ended_at FROM staff_session
                 WHERE token_sha256 = ?1",
                p![sha],
            )?
            else {
                return Ok(Err(SessionError::SessionInvalid));
            };
            let (id, seen, expires, ended): (String, String, String, Option<String>) =
                (row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?);
            if ended.is_some() {
                return Ok(Err(SessionError::SessionInvalid));
            }
            let staff = crate::console::by_id(tx, &id)?;
            let idle_end = DateTime::parse_from_rfc3339(&seen)
                .map(|t| t.with_timezone(&Utc) + p.idle)
                .map_err(|_| DbError::Type(1))?;
            let (why, err) = match &staff {
                Some(s) if s.revoked_at.is_none() => {
                    if expires <= ts(now) || idle_end <= now {
                        ("session.expired", SessionError::SessionExpired)
                    } else {
                        tx.exec(
                            "UPDATE staff_session SET last_seen_at = ?2 WHERE token_sha256 = ?1",
                            p![sha, ts(now)],
                        )?;
                        return Ok(Ok((s.clone(), expires)));
                    }
                }
                _ => ("session.revoked", SessionError::SessionInvalid),
            };
            tx.exec(
                "UPDATE staff_session SET ended_at = ?2 WHERE token_sha256 = ?1",
                p![sha, ts(now)],
            )?;
            audit(tx, now, &format!("staff:{id}"), why, &id)?;
            Ok(Err(err))
        })?
    }

    /// Ends a session (sign-out); false when it had already ended.
    pub fn sign_out(&self, token: &str, now: DateTime<Utc>) -> Result<bool, ApiError> {
        let sha = sha_hex(token);
        self.write(|tx| {
            let id: Option<String> = tx
                .query_opt(
                    "SELECT staff_id FROM staff_session WHERE token_sha256 = ?1 AND ended_at IS NULL",
                    p![sha],
                )?
                .map(|r| r.get(0))
                .transpose()?;
            let Some(id) = id else { return Ok(false) };
            tx.exec(
                "UPDATE staff_session SET ended_at = ?2 WHERE token_sha256 = ?1",
                p![sha, ts(now)],
            )?;
            audit(tx, now, &format!("staff:{id}"), "session.signout", &id)?;
            Ok(true)
        })
    }

    /// Sets a staff account's password (operator); ends its sessions.
    pub fn set_staff_password(
        &self,
        id: &str,
        password: &str,
        now: DateTime<Utc>,
    ) -> Result<(), ApiError> {
        super::check_password(password).map_err(ApiError::bad)?;
        let phc = verifier(password)?;
        self.write(|tx| {
            let n = tx.exec(
                "UPDATE staff SET password_phc = ?2, failed_count = 0, locked_until = NULL WHERE id = ?1",
                p![id, phc],
            )?;
            credentials_changed(tx, id, n, "staff.password", now)
        })
    }

    /// Enrols a new TOTP secret for a staff account (operator); returns
    /// it (base32) for the `otpauth://` URL. Ends its sessions.
    pub fn enrol_staff_totp(&self, id: &str, now: DateTime<Utc>) -> Result<String, ApiError> {
        let secret = totp::new_secret()?;
        let keeper = self.keeper();
        self.write(|tx| {
            let sealed =
                keeper
                    .seal
                    .seal(tx, STAFF_TOTP, &super::totp_aad(id), secret.as_bytes())?;
            let n = tx.exec(
                "UPDATE staff SET totp_secret = ?2, totp_last_step = NULL WHERE id = ?1",
                p![id, sealed],
            )?;
            credentials_changed(tx, id, n, "staff.totp", now)
        })?;
        Ok(secret)
    }

    /// Creates a sign-in account without a bearer token (or updates one),
    /// with a password and a fresh TOTP secret; returns the secret.
    pub fn create_staff_account(
        &self,
        s: &crate::console::NewStaff,
        password: &str,
        now: DateTime<Utc>,
    ) -> Result<String, ApiError> {
        s.check().map_err(ApiError::bad)?;
        self.write(|tx| {
            tx.exec(
                "INSERT INTO staff (id, name, role, scope, department, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (id) DO UPDATE SET name = excluded.name, role = excluded.role,
                     scope = excluded.scope, department = excluded.department, revoked_at = NULL",
                p![
                    s.id,
                    s.name,
                    s.role.as_str(),
                    s.scope,
                    s.department,
                    ts(now)
                ],
            )?;
            audit(tx, now, "operator", "staff.create", &s.id)?;
            Ok(())
        })?;
        self.set_staff_password(&s.id, password, now)?;
        self.enrol_staff_totp(&s.id, now)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn csrf_tokens_belong_to_their_session() {
        let a = csrf_of("session-a");
        assert_eq!(a.len(), 64);
        assert!(csrf_matches("session-a", &a));
        assert!(!csrf_matches("session-b", &a));
        assert!(!csrf_matches("session-a", "not hex"));
        assert!(!csrf_matches("session-a", ""));
    }

    #[test]
    fn verifiers_are_argon2id_and_check_the_password() {
        let v = verifier("Correct-Horse-9").unwrap();
        assert!(v.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{v}");
        assert!(password_ok(Some(&v), "Correct-Horse-9"));
        assert!(!password_ok(Some(&v), "Correct-Horse-8"));
        assert!(!password_ok(None, "zhifa: no such account"));
        assert!(!password_ok(Some("garbage"), "x"));
    }
}
