//! Officers, devices and their tokens: enrolment with a one-time code,
//! access and refresh tokens (stored as SHA-256 only), authentication of a
//! request, and revocation. Refusals are [`DeviceError`]s.

use chrono::{DateTime, Duration, Utc};
use zhifa_protocol::wire::{EnrolRequest, OfficerInfo, RefreshRequest, TokenResponse};

use super::sql::{Conn, DbError, p};
use super::{
    ACCESS_TTL, Db, ENROL_CODE_TTL, OfficerRow, Principal, REFRESH_TTL, audit, district_of,
    epoch_of, random_token, sha_hex, ts,
};

/// Why a device was not let in.
#[derive(Debug, thiserror::Error)]
pub enum DeviceError {
    /// The enrolment code is unknown, used by another device, or expired.
    #[error("enrolment code invalid, used or expired")]
    EnrolCodeInvalid,
    /// The device was revoked by an operator.
    #[error("device revoked")]
    Revoked,
    /// The device id is enrolled with another public key.
    #[error("device id enrolled with another key")]
    KeyMismatch,
    /// The refresh token is unknown, stale, expired or another device's.
    #[error("refresh token invalid, used or expired")]
    RefreshInvalid,
    /// No such access token.
    #[error("no such access token")]
    Unauthorized,
    /// The access token has expired.
    #[error("access token expired")]
    Expired,
    /// No randomness for a token.
    #[error("no randomness")]
    Random,
    /// A database fault.
    #[error(transparent)]
    Db(#[from] DbError),
}

super::area_error!(DeviceError);

fn token() -> Result<String, DeviceError> {
    random_token().map_err(|_| DeviceError::Random)
}

fn issue_tokens(
    tx: &mut dyn Conn,
    device_id: &str,
    now: DateTime<Utc>,
) -> Result<TokenResponse, DeviceError> {
    let access = token()?;
    let refresh = token()?;
    let access_exp = now + ACCESS_TTL;
    tx.exec(
        "INSERT INTO token (token_sha256, device_id, kind, expires_at) VALUES (?1, ?2, 'access', ?3)",
        p![sha_hex(&access), device_id, ts(access_exp)],
    )?;
    tx.exec(
        "INSERT INTO token (token_sha256, device_id, kind, expires_at) VALUES (?1, ?2, 'refresh', ?3)",
        p![sha_hex(&refresh), device_id, ts(now + REFRESH_TTL)],
    )?;
    let r = tx.query_one(
        "SELECT o.id, o.township, o.role FROM device d JOIN officer o ON o.id = d.officer_id WHERE d.id = ?1",
        p![device_id],
    )?;
    Ok(TokenResponse {
        officer: OfficerInfo {
            id: r.get(0)?,
            township: r.get(1)?,
            role: r.get(2)?,
        },
        access_token: access,
        access_expires_at: ts(access_exp),
        refresh_token: refresh,
        server_epoch: epoch_of(tx)?,
        // Added by the HTTP layer, which holds the badge key.
        badge_certificate: None,
    })
}

/// Binds `device_id` (with `public_key`) to `officer`: a new device, or the
/// same device enrolling again (its earlier answer may have been lost).
fn bind_device(
    tx: &mut dyn Conn,
    device_id: &str,
    public_key: &str,
    officer: &str,
    now: DateTime<Utc>,
) -> Result<(), DeviceError> {
    let known = tx.query_opt(
        "SELECT public_key, revoked_at FROM device WHERE id = ?1",
        p![device_id],
    )?;
    let known: Option<(String, Option<String>)> = match known {
        Some(r) => Some((r.get(0)?, r.get(1)?)),
        None => None,
    };
    match known {
        Some((_, Some(_))) => return Err(DeviceError::Revoked),
        Some((key, None)) if key != public_key => return Err(DeviceError::KeyMismatch),
        Some(_) => {
            tx.exec(
                "UPDATE device SET officer_id = ?2 WHERE id = ?1",
                p![device_id, officer],
            )?;
        }
        None => {
            tx.exec(
                "INSERT INTO device (id, officer_id, public_key, enrolled_at) VALUES (?1, ?2, ?3, ?4)",
                p![device_id, officer, public_key, ts(now)],
            )?;
        }
    }
    Ok(())
}

impl Db {
    /// Creates or updates an officer.
    pub fn upsert_officer(&self, o: &OfficerRow) -> Result<(), DeviceError> {
        self.write_as(|tx| {
            tx.exec(
                "INSERT INTO officer (id, name, township, district, role) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (id) DO UPDATE SET name = excluded.name, township = excluded.township,
                   district = excluded.district, role = excluded.role",
                p![o.id, o.name, o.township, district_of(&o.township), o.role],
            )?;
            Ok(())
        })
    }

    /// Stores a one-time enrolment code (its hash) for `officer`.
    pub fn add_enrol_code(
        &self,
        officer: &str,
        code: &str,
        now: DateTime<Utc>,
    ) -> Result<(), DeviceError> {
        self.write_as(|tx| {
            tx.exec(
                "INSERT INTO enrol_code (code_sha256, officer_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)",
                p![sha_hex(code), officer, ts(now), ts(now + ENROL_CODE_TTL)],
            )?;
            Ok(())
        })
    }

    /// Enrols a device with a one-time code; its first tokens.
    pub fn enrol(
        &self,
        req: &EnrolRequest,
        now: DateTime<Utc>,
    ) -> Result<TokenResponse, DeviceError> {
        self.write_as(|tx| {
            let row = tx.query_opt(
                "SELECT officer_id, expires_at, used_at, device_id FROM enrol_code WHERE code_sha256 = ?1 FOR UPDATE",
                p![sha_hex(&req.code)],
            )?;
            let Some(row) = row else {
                return Err(DeviceError::EnrolCodeInvalid);
            };
            let (officer, expires, used, used_by): (String, String, Option<String>, Option<String>) =
                (row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?);
            // A code is single use, except that the device that used it may
            // repeat the enrolment (its answer may have been lost); the key
            // check in `bind_device` makes that safe.
            if (used.is_some() && used_by.as_deref() != Some(req.device_id.as_str()))
                || expires < ts(now)
            {
                return Err(DeviceError::EnrolCodeInvalid);
            }
            bind_device(tx, &req.device_id, &req.public_key, &officer, now)?;
            tx.exec(
                "UPDATE enrol_code SET used_at = ?2, device_id = ?3 WHERE code_sha256 = ?1",
                p![sha_hex(&req.code), ts(now), req.device_id],
            )?;
            let out = issue_tokens(tx, &req.device_id, now)?;
            audit(
                tx,
                now,
                &format!("device:{}", req.device_id),
                "device.enrol",
                &officer,
            )?;
            Ok(out)
        })
    }

    /// The public key a device enrolled with.
    pub fn device_key(&self, device_id: &str) -> Result<Option<String>, DeviceError> {
        self.read_as(|c| {
            Ok(
                c.query_opt("SELECT public_key FROM device WHERE id = ?1", p![device_id])?
                    .map(|r| r.get(0))
                    .transpose()?,
            )
        })
    }

    /// Rotates a device's tokens.
    pub fn refresh(
        &self,
        req: &RefreshRequest,
        now: DateTime<Utc>,
    ) -> Result<TokenResponse, DeviceError> {
        self.write_as(|tx| {
            let row = tx.query_opt(
                "SELECT t.device_id, t.expires_at, t.used_at, d.revoked_at FROM token t JOIN device d ON d.id = t.device_id
                 WHERE t.token_sha256 = ?1 AND t.kind = 'refresh'",
                p![sha_hex(&req.refresh_token)],
            )?;
            let Some(row) = row else {
                return Err(DeviceError::RefreshInvalid);
            };
            let (device, expires, used, revoked): (String, String, Option<String>, Option<String>) =
                (row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?);
            if revoked.is_some() {
                return Err(DeviceError::Revoked);
            }
            // Rotated on every refresh. A used token is still accepted for a
            // day: the answer carrying its successor may have been lost, and
            // every refresh must be signed by the device key anyway.
            let stale = used.is_some_and(|u| u < ts(now - Duration::days(1)));
            if device != req.device_id || stale || expires < ts(now) {
                return Err(DeviceError::RefreshInvalid);
            }
            tx.exec(
                "UPDATE token SET used_at = ?2 WHERE token_sha256 = ?1",
                p![sha_hex(&req.refresh_token), ts(now)],
            )?;
            issue_tokens(tx, &device, now)
        })
    }

    /// The caller an access token stands for.
    pub fn authenticate(&self, token: &str, now: DateTime<Utc>) -> Result<Principal, DeviceError> {
        let row = self.read_as(|c| {
            Ok::<_, DeviceError>(c.query_opt(
                "SELECT d.id, t.expires_at, d.revoked_at, d.public_key, o.id, o.township, o.district, o.role
                 FROM token t JOIN device d ON d.id = t.device_id JOIN officer o ON o.id = d.officer_id
                 WHERE t.token_sha256 = ?1 AND t.kind = 'access'",
                p![sha_hex(token)],
            )?)
        })?;
        let Some(r) = row else {
            return Err(DeviceError::Unauthorized);
        };
        let expires: String = r.get(1)?;
        let revoked: Option<String> = r.get(2)?;
        if revoked.is_some() {
            return Err(DeviceError::Revoked);
        }
        if expires < ts(now) {
            return Err(DeviceError::Expired);
        }
        Ok(Principal {
            device_id: r.get(0)?,
            public_key: r.get(3)?,
            officer_id: r.get(4)?,
            township: r.get(5)?,
            district: r.get(6)?,
            role: r.get(7)?,
        })
    }

    /// Revokes a device; whether it was active.
    pub fn revoke_device(&self, device_id: &str, now: DateTime<Utc>) -> Result<bool, DeviceError> {
        self.write_as(|tx| {
            let n = tx.exec(
                "UPDATE device SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
                p![device_id, ts(now)],
            )?;
            // Tokens stay: every use checks revoked_at and answers
            // device_revoked, so the device can tell the officer why.
            audit(tx, now, "operator", "device.revoke", device_id)?;
            Ok(n == 1)
        })
    }
}
