//! Officer sign-in on the device: enrolment with a PIN, and signing in
//! offline with it.
//!
//! The device keeps one Argon2id verifier per enrolled officer (a PHC
//! string with its own salt and parameters), never the PIN. Five wrong PINs
//! in a row lock the officer out for one minute, each further wrong PIN
//! doubles the lock up to an hour; a right PIN resets the count. The clock
//! is the caller's (`now`), like everywhere in the core. The PIN only
//! guards the screens: the store is encrypted with a key the PIN never
//! derives, so the verifier gives an attacker holding the file nothing the
//! store's own encryption did not already hide.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use rusqlite::OptionalExtension;
use serde::Serialize;

use crate::ErrorCode;
use crate::device::{self, DeviceError, Officer};
use crate::store::{Store, StoreError};

/// Wrong PINs in a row before the first lock-out.
pub const FREE_ATTEMPTS: u32 = 5;
/// The first lock-out; each further wrong PIN doubles it.
pub const FIRST_LOCK_SECONDS: i64 = 60;
/// The longest lock-out.
pub const MAX_LOCK_SECONDS: i64 = 3600;

/// What can go wrong signing in or enrolling.
#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    /// No such officer on this device.
    #[error("本机没有执法人员 {0}")]
    UnknownOfficer(String),
    /// The officer has not set a PIN on this device.
    #[error("执法人员 {0} 尚未在本机登记")]
    NotEnrolled(String),
    /// The officer already has a PIN on this device.
    #[error("执法人员 {0} 已在本机登记；如需更换请先验证原 PIN")]
    AlreadyEnrolled(String),
    /// The PIN does not meet the rules.
    #[error("PIN 不符合要求：{0}")]
    WeakPin(&'static str),
    /// The PIN is wrong.
    #[error("PIN 错误，再错 {remaining} 次将暂时锁定")]
    WrongPin {
        /// Wrong PINs left before a lock-out (0 once locking has begun).
        remaining: u32,
    },
    /// Too many wrong PINs.
    #[error("PIN 错误次数过多，请于 {until} 后再试")]
    Locked {
        /// When the lock ends (RFC 3339, UTC).
        until: String,
    },
    /// The stored verifier cannot be read.
    #[error("登录数据损坏：{0}")]
    Corrupt(String),
    /// The officer table could not be read.
    #[error(transparent)]
    Device(#[from] DeviceError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<rusqlite::Error> for SignInError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Store(StoreError::from(e))
    }
}

impl ErrorCode for SignInError {
    fn code(&self) -> &'static str {
        match self {
            Self::UnknownOfficer(_) => "SIGNIN_UNKNOWN_OFFICER",
            Self::NotEnrolled(_) => "SIGNIN_NOT_ENROLLED",
            Self::AlreadyEnrolled(_) => "SIGNIN_ALREADY_ENROLLED",
            Self::WeakPin(_) => "SIGNIN_WEAK_PIN",
            Self::WrongPin { .. } => "SIGNIN_WRONG_PIN",
            Self::Locked { .. } => "SIGNIN_LOCKED",
            Self::Corrupt(_) => "SIGNIN_CORRUPT",
            Self::Device(e) => e.code(),
            Self::Store(e) => e.code(),
        }
    }
}

/// An enrolled officer's sign-in state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Enrolment {
    /// The officer id.
    pub officer_id: String,
    /// When the PIN was set (RFC 3339).
    pub enrolled_at: String,
    /// Wrong PINs in a row.
    pub failed: u32,
    /// Locked out until (RFC 3339), if locked at the time asked.
    pub locked_until: Option<String>,
    /// The last successful sign-in (RFC 3339).
    pub last_sign_in: Option<String>,
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Checks the PIN rules: 6 to 12 digits, not one digit repeated, not a
/// run up or down (123456, 654321).
pub fn check_pin(pin: &str) -> Result<(), SignInError> {
    let digits: Vec<u8> = pin.bytes().collect();
    if !(6..=12).contains(&digits.len()) || !digits.iter().all(u8::is_ascii_digit) {
        return Err(SignInError::WeakPin("须为 6 至 12 位数字"));
    }
    if digits.iter().all(|&d| d == digits[0]) {
        return Err(SignInError::WeakPin("不能全部是同一个数字"));
    }
    let steps: Vec<i16> = digits
        .windows(2)
        .map(|w| i16::from(w[1]) - i16::from(w[0]))
        .collect();
    if steps.iter().all(|&s| s == 1) || steps.iter().all(|&s| s == -1) {
        return Err(SignInError::WeakPin("不能是连续递增或递减的数字"));
    }
    Ok(())
}

/// Argon2id at OWASP's minimum for interactive logins (19 MiB, t=2, p=1):
/// about 50 ms on a phone, and memory-hard against a stolen verifier.
fn hasher() -> Result<Argon2<'static>, SignInError> {
    let params = Params::new(19 * 1024, 2, 1, None)
        .map_err(|e| SignInError::Corrupt(format!("argon2 参数: {e}")))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

fn verifier(pin: &str) -> Result<String, SignInError> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| SignInError::Corrupt(format!("随机数: {e}")))?;
    let salt =
        SaltString::encode_b64(&salt).map_err(|e| SignInError::Corrupt(format!("salt: {e}")))?;
    Ok(hasher()?
        .hash_password(pin.as_bytes(), &salt)
        .map_err(|e| SignInError::Corrupt(format!("argon2: {e}")))?
        .to_string())
}

/// Sets the first PIN of an officer listed on the device.
pub fn enrol(
    store: &Store,
    officer_id: &str,
    pin: &str,
    now: DateTime<Utc>,
) -> Result<Officer, SignInError> {
    let officer = device::officer(store, officer_id)?
        .ok_or_else(|| SignInError::UnknownOfficer(officer_id.to_owned()))?;
    if enrolment(store, officer_id, now)?.is_some() {
        return Err(SignInError::AlreadyEnrolled(officer_id.to_owned()));
    }
    check_pin(pin)?;
    let v = verifier(pin)?;
    store.conn().execute(
        "INSERT INTO officer_pin (officer_id, verifier, enrolled_at) VALUES (?1, ?2, ?3)",
        (officer_id, &v, rfc3339(now)),
    )?;
    Ok(officer)
}

/// Replaces an enrolled officer's PIN, after checking the current one
/// (which counts as a sign-in attempt).
pub fn change_pin(
    store: &Store,
    officer_id: &str,
    current: &str,
    new: &str,
    now: DateTime<Utc>,
) -> Result<(), SignInError> {
    check_pin(new)?;
    sign_in(store, officer_id, current, now)?;
    let v = verifier(new)?;
    store.conn().execute(
        "UPDATE officer_pin SET verifier = ?2, enrolled_at = ?3 WHERE officer_id = ?1",
        (officer_id, &v, rfc3339(now)),
    )?;
    Ok(())
}

/// The sign-in state of one officer, `None` when not enrolled.
pub fn enrolment(
    store: &Store,
    officer_id: &str,
    now: DateTime<Utc>,
) -> Result<Option<Enrolment>, SignInError> {
    let row = store
        .conn()
        .query_row(
            "SELECT enrolled_at, failed, locked_until, last_sign_in FROM officer_pin WHERE officer_id = ?1",
            [officer_id],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, Option<String>>(3)?,
                ))
            },
        )
        .optional()?;
    let Some((enrolled_at, failed, locked, last)) = row else {
        return Ok(None);
    };
    let locked_until = match locked {
        Some(t) if parse_time(&t)? > now => Some(t),
        _ => None,
    };
    Ok(Some(Enrolment {
        officer_id: officer_id.to_owned(),
        enrolled_at,
        failed: u32::try_from(failed).unwrap_or(u32::MAX),
        locked_until,
        last_sign_in: last,
    }))
}

/// Every enrolled officer's sign-in state.
pub fn enrolments(store: &Store, now: DateTime<Utc>) -> Result<Vec<Enrolment>, SignInError> {
    let ids: Vec<String> = {
        let mut st = store
            .conn()
            .prepare("SELECT officer_id FROM officer_pin ORDER BY officer_id")?;
        st.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?
    };
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(e) = enrolment(store, &id, now)? {
            out.push(e);
        }
    }
    Ok(out)
}

fn parse_time(s: &str) -> Result<DateTime<Utc>, SignInError> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| SignInError::Corrupt(format!("时间 {s}: {e}")))
}

/// The lock after the `failed`-th wrong PIN in a row, if any.
pub fn lock_for(failed: u32) -> Option<Duration> {
    if failed < FREE_ATTEMPTS {
        return None;
    }
    let doublings = (failed - FREE_ATTEMPTS).min(12);
    let secs = (FIRST_LOCK_SECONDS << doublings).min(MAX_LOCK_SECONDS);
    Some(Duration::seconds(secs))
}

/// Signs an officer in with the PIN: the officer on success; a wrong PIN
/// is counted (and may lock the officer out) before the error returns.
pub fn sign_in(
    store: &Store,
    officer_id: &str,
    pin: &str,
    now: DateTime<Utc>,
) -> Result<Officer, SignInError> {
    check(store, officer_id, pin, now, true)
}

/// Checks an officer's PIN exactly as [`sign_in`] does — a wrong PIN is
/// counted toward the same lock-out — without recording a sign-in: the
/// officer's consent to apply their signature to a document
/// (`case::officer_sign`).
pub fn verify_pin(
    store: &Store,
    officer_id: &str,
    pin: &str,
    now: DateTime<Utc>,
) -> Result<Officer, SignInError> {
    check(store, officer_id, pin, now, false)
}

fn check(
    store: &Store,
    officer_id: &str,
    pin: &str,
    now: DateTime<Utc>,
    sign_in: bool,
) -> Result<Officer, SignInError> {
    let officer = device::officer(store, officer_id)?
        .ok_or_else(|| SignInError::UnknownOfficer(officer_id.to_owned()))?;
    let state = enrolment(store, officer_id, now)?
        .ok_or_else(|| SignInError::NotEnrolled(officer_id.to_owned()))?;
    if let Some(until) = state.locked_until {
        return Err(SignInError::Locked { until });
    }
    let stored: String = store.conn().query_row(
        "SELECT verifier FROM officer_pin WHERE officer_id = ?1",
        [officer_id],
        |r| r.get(0),
    )?;
    let hash = PasswordHash::new(&stored).map_err(|e| SignInError::Corrupt(e.to_string()))?;
    if hasher()?.verify_password(pin.as_bytes(), &hash).is_ok() {
        if sign_in {
            store.conn().execute(
                "UPDATE officer_pin SET failed = 0, locked_until = NULL, last_sign_in = ?2 WHERE officer_id = ?1",
                (officer_id, rfc3339(now)),
            )?;
        } else {
            store.conn().execute(
                "UPDATE officer_pin SET failed = 0, locked_until = NULL WHERE officer_id = ?1",
                [officer_id],
            )?;
        }
        return Ok(officer);
    }
    let failed = state.failed.saturating_add(1);
    let until = lock_for(failed).map(|d| rfc3339(now + d));
    store.conn().execute(
        "UPDATE officer_pin SET failed = ?2, locked_until = ?3 WHERE officer_id = ?1",
        (officer_id, i64::from(failed), &until),
    )?;
    Err(match until {
        Some(until) => SignInError::Locked { until },
        None => SignInError::WrongPin {
            remaining: FREE_ATTEMPTS - failed,
        },
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::store::DbKey;
    use chrono::TimeZone;

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open(&dir.path().join("d.db"), &DbKey::Raw([7; 32])).unwrap();
        device::load_officers(&mut s, device::SAMPLE_OFFICERS.as_bytes()).unwrap();
        (dir, s)
    }

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).single().unwrap()
    }

    #[test]
    fn pin_rules_refuse_short_repeated_and_sequential_pins() {
        for bad in [
            "12345",
            "111111",
            "123456",
            "987654",
            "12a456",
            "1234567890123",
        ] {
            assert!(
                matches!(check_pin(bad), Err(SignInError::WeakPin(_))),
                "{bad}"
            );
        }
        check_pin("380514").unwrap();
    }

    #[test]
    fn enrolled_officer_signs_in_and_the_verifier_is_not_the_pin() {
        let (_d, s) = store();
        let officer = device::officers(&s).unwrap()[0].id.clone();
        enrol(&s, &officer, "380514", t0()).unwrap();
        let v: String = s
            .conn()
            .query_row("SELECT verifier FROM officer_pin", [], |r| r.get(0))
            .unwrap();
        assert!(v.starts_with("$argon2id$") && !v.contains("380514"));
        assert_eq!(sign_in(&s, &officer, "380514", t0()).unwrap().id, officer);
        assert!(matches!(
            enrol(&s, &officer, "380515", t0()),
            Err(SignInError::AlreadyEnrolled(_))
        ));
        assert!(matches!(
            sign_in(&s, "nobody", "380514", t0()),
            Err(SignInError::UnknownOfficer(_))
        ));
    }

    #[test]
    fn five_wrong_pins_lock_and_the_lock_doubles_then_expires() {
        let (_d, s) = store();
        let officer = device::officers(&s).unwrap()[0].id.clone();
        enrol(&s, &officer, "380514", t0()).unwrap();
        for i in 1..FREE_ATTEMPTS {
            match sign_in(&s, &officer, "000001", t0()) {
                Err(SignInError::WrongPin { remaining }) => {
                    assert_eq!(remaining, FREE_ATTEMPTS - i)
                }
                other => panic!("{other:?}"),
            }
        }
        assert!(matches!(
            sign_in(&s, &officer, "000001", t0()),
            Err(SignInError::Locked { .. })
        ));
        // Even the right PIN is refused while locked.
        let t1 = t0() + Duration::seconds(30);
        assert!(matches!(
            sign_in(&s, &officer, "380514", t1),
            Err(SignInError::Locked { .. })
        ));
        // After the minute a wrong PIN locks for two minutes.
        let t2 = t0() + Duration::seconds(61);
        match sign_in(&s, &officer, "000001", t2) {
            Err(SignInError::Locked { until }) => {
                assert_eq!(parse_time(&until).unwrap(), t2 + Duration::seconds(120));
            }
            other => panic!("{other:?}"),
        }
        let t3 = t2 + Duration::seconds(121);
        sign_in(&s, &officer, "380514", t3).unwrap();
        assert_eq!(enrolment(&s, &officer, t3).unwrap().unwrap().failed, 0);
    }

    #[test]
    fn lock_durations_are_capped_at_an_hour() {
        assert_eq!(lock_for(4), None);
        assert_eq!(lock_for(5), Some(Duration::seconds(60)));
        assert_eq!(lock_for(7), Some(Duration::seconds(240)));
        assert_eq!(lock_for(40), Some(Duration::seconds(MAX_LOCK_SECONDS)));
    }

    #[test]
    fn change_pin_needs_the_current_one() {
        let (_d, s) = store();
        let officer = device::officers(&s).unwrap()[0].id.clone();
        enrol(&s, &officer, "380514", t0()).unwrap();
        assert!(matches!(
            change_pin(&s, &officer, "000001", "552907", t0()),
            Err(SignInError::WrongPin { .. })
        ));
        change_pin(&s, &officer, "380514", "552907", t0()).unwrap();
        sign_in(&s, &officer, "552907", t0()).unwrap();
    }
}
