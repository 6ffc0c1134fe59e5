//! The console's second factor: RFC 6238 TOTP (HMAC-SHA1, 30-second
//! steps, 6 digits, one step of clock skew either way), the kind every
//! authenticator app reads from an `otpauth://` QR code. The secret is 20
//! random bytes (RFC 4226's recommended 160 bits), kept base32 as the
//! apps show it. [`matching_step`] says which time step a code belongs to,
//! so the caller can refuse a code whose step was already used (a code
//! seen over a shoulder or in a proxy log cannot be replayed).

use totp_rs::{Algorithm, Secret, TOTP};

use crate::error::ApiError;

/// The issuer shown in authenticator apps.
pub const ISSUER: &str = "Zhifa";
/// Seconds per step.
pub const STEP: u64 = 30;
/// Digits per code.
pub const DIGITS: usize = 6;

fn internal(what: &str) -> ApiError {
    tracing::error!(what, "totp");
    ApiError::new(
        zhifa_protocol::ErrorKind::Internal,
        "动态验证码配置无效，请联系管理员重新绑定",
    )
}

/// A fresh secret (base32, no padding).
pub fn new_secret() -> Result<String, ApiError> {
    let mut b = [0u8; 20];
    getrandom::fill(&mut b).map_err(|_| internal("no randomness"))?;
    match Secret::Raw(b.to_vec()).to_encoded() {
        Secret::Encoded(s) => Ok(s),
        Secret::Raw(_) => Err(internal("secret encoding")),
    }
}

fn totp(secret: &str, account: &str) -> Result<TOTP, ApiError> {
    let bytes = Secret::Encoded(secret.to_owned())
        .to_bytes()
        .map_err(|_| internal("secret is not base32"))?;
    // The account name may not hold ':' (the otpauth label separator);
    // staff ids never contain whitespace and are checked on creation.
    TOTP::new(
        Algorithm::SHA1,
        DIGITS,
        1,
        STEP,
        bytes,
        Some(ISSUER.to_owned()),
        account.replace(':', "_"),
    )
    .map_err(|_| internal("secret too short"))
}

/// The `otpauth://totp/…` URL to enrol an authenticator app (as a QR code).
pub fn otpauth_url(secret: &str, account: &str) -> Result<String, ApiError> {
    Ok(totp(secret, account)?.get_url())
}

/// The code at `unix_secs` (tests and the demo's e2e compute it so).
pub fn code_at(secret: &str, unix_secs: u64) -> Result<String, ApiError> {
    Ok(totp(secret, "code")?.generate(unix_secs))
}

/// The time step (`unix_secs / 30`) whose code `code` is, looking one
/// step back and one ahead of `unix_secs`; `None` when it is none of them.
/// Compared in constant time.
pub fn matching_step(secret: &str, code: &str, unix_secs: u64) -> Result<Option<u64>, ApiError> {
    let t = totp(secret, "code")?;
    if code.len() != DIGITS || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(None);
    }
    let now_step = unix_secs / STEP;
    let mut found = None;
    for step in [now_step.saturating_sub(1), now_step, now_step + 1] {
        let expected = t.generate(step * STEP);
        // Every candidate is compared (no early exit on a match).
        let same = expected
            .bytes()
            .zip(code.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0;
        if same {
            found = Some(step);
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// RFC 6238 Appendix B, SHA-1 secret "12345678901234567890": the
    /// 8-digit codes' last 6 digits are the 6-digit codes.
    #[test]
    fn rfc_6238_test_vectors() {
        let secret = match Secret::Raw(b"12345678901234567890".to_vec()).to_encoded() {
            Secret::Encoded(s) => s,
            Secret::Raw(_) => unreachable!(),
        };
        for (t, code) in [
            (59u64, "287082"),
            (1_111_111_109, "081804"),
            (1_111_111_111, "050471"),
            (1_234_567_890, "005924"),
            (2_000_000_000, "279037"),
        ] {
            assert_eq!(code_at(&secret, t).unwrap(), code, "t={t}");
            assert_eq!(matching_step(&secret, code, t).unwrap(), Some(t / STEP));
        }
    }

    #[test]
    fn one_step_of_skew_either_way_and_no_more() {
        let s = new_secret().unwrap();
        let t = 1_800_000_015;
        let code = code_at(&s, t).unwrap();
        assert_eq!(matching_step(&s, &code, t + 30).unwrap(), Some(t / 30));
        assert_eq!(matching_step(&s, &code, t - 30).unwrap(), Some(t / 30));
        assert_eq!(matching_step(&s, &code, t + 60).unwrap(), None);
        assert_eq!(matching_step(&s, "12345", t).unwrap(), None);
        assert_eq!(matching_step(&s, "abcdef", t).unwrap(), None);
    }

    #[test]
    fn the_enrolment_url_names_issuer_account_and_secret() {
        let s = new_secret().unwrap();
        assert_eq!(s.len(), 32);
        let url = otpauth_url(&s, "shz-500112108").unwrap();
        assert!(
            url.starts_with("otpauth://totp/Zhifa:shz-500112108?"),
            "{url}"
        );
        assert!(url.contains(&format!("secret={s}")), "{url}");
        assert!(url.contains("issuer=Zhifa"), "{url}");
    }
}
