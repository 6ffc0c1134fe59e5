//! 亮码 on the server: the badge authority key, the credential register,
//! the public verification page and the party's rating (执法社会评议).
//!
//! The authority is an Ed25519 key of its own (`DIR/badge.key`, created
//! once, 0600, never logged); it signs each enrolled device's certificate
//! at enrolment and token refresh ([`zhifa_protocol::badge::certify`]) for an
//! officer with a credential on record (`badge_credential`, set by
//! `zhifa-server officer add --credential-no` or `--demo`). Its public key
//! is published at `GET /v1/badge/key`.
//!
//! `GET /v/{token}` (and `/V/{token}`, the short token's upper-case URL)
//! is what a phone camera opens from the QR: plain, self-contained Chinese
//! HTML (no scripts, no external assets) that verifies the token
//! ([`shown`]: the long token against the authority key plus the device's
//! enrolment; the short one against the device's registered key, with the
//! officer and the scenarios' items looked up) and shows either the
//! officer, credential, township and items, or the reason with its stable
//! code. `POST /v/{token}/rating`
//! takes one rating per token (a second is refused, `rating_exists`); the
//! page's form posts it. Nothing about the rating party is collected.
//! Supervisors read ratings at `GET /v1/badge/ratings` (district
//! supervisors, their district) and `zhifa-server badge ratings`.
//! Tables: migration `0004_badge.sql`, portable SQL on both backends; every rating and
//! every verification writes an audit row.

use std::fs;
use std::path::Path as FsPath;

use axum::http::StatusCode;
use chrono::{DateTime, SecondsFormat, Utc};
use ed25519_dalek::{SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use zhifa_protocol::badge::{self as b, BadgeError, Certificate, Subject};

use crate::store::sql::{Conn, DbError, p};

pub(crate) mod http;
mod page;
pub mod shown;

/// Longest rating comment, in characters.
pub const MAX_COMMENT_CHARS: usize = 200;
/// A token that expired at most this long ago may still be rated.
pub const RATING_GRACE_DAYS: i64 = 7;
/// Largest rating form body (bytes).
pub const MAX_RATING_BODY: usize = 4096;

/// The badge authority: the server's own Ed25519 signing key.
pub struct Authority {
    key: SigningKey,
}

impl std::fmt::Debug for Authority {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the private key.
        f.debug_struct("Authority")
            .field("key_id", &b::key_id(&self.key.verifying_key()))
            .finish()
    }
}

/// Why the authority key could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum AuthorityError {
    /// The key file could not be read or written.
    #[error("亮码签发密钥 {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The key file holds no 32-byte hex seed.
    #[error("亮码签发密钥文件 {0} 损坏（应为 64 位十六进制）")]
    Corrupt(String),
    /// No randomness for a new key.
    #[error("随机数不可用")]
    Random,
}

impl Authority {
    /// Loads `DIR/badge.key` (64 hex digits: the Ed25519 seed), creating it
    /// on first use (atomically, mode 0600).
    pub fn load_or_create(data: &FsPath) -> Result<Self, AuthorityError> {
        let path = data.join("badge.key");
        let show = path.display().to_string();
        match fs::read_to_string(&path) {
            Ok(s) => {
                let seed: [u8; 32] = hex::decode(s.trim())
                    .ok()
                    .and_then(|v| v.try_into().ok())
                    .ok_or(AuthorityError::Corrupt(show))?;
                Ok(Self::from_seed(seed))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut seed = [0u8; 32];
                getrandom::fill(&mut seed).map_err(|_| AuthorityError::Random)?;
                crate::write_durably(&path, hex::encode(seed).as_bytes()).map_err(|e| {
                    AuthorityError::Io {
                        path: show.clone(),
                        source: std::io::Error::other(e.to_string()),
                    }
                })?;
                tracing::info!(key_id = %b::key_id(&SigningKey::from_bytes(&seed).verifying_key()), "badge key created");
                Ok(Self::from_seed(seed))
            }
            Err(source) => Err(AuthorityError::Io { path: show, source }),
        }
    }

    /// An authority from a seed (tests).
    pub fn from_seed(seed: [u8; 32]) -> Self {
        Self {
            key: SigningKey::from_bytes(&seed),
        }
    }

    /// The public key.
    pub fn public(&self) -> VerifyingKey {
        self.key.verifying_key()
    }

    /// The server's seal over a document: its Ed25519 signature (hex) over
    /// `ZHIFA-SEAL:1:{document_hash}`, checkable with the published badge
    /// key (`GET /v1/badge/key`). Only the server holds the key, so only
    /// the server seals a decision.
    pub fn seal_document(&self, document_hash: &str) -> String {
        use ed25519_dalek::Signer;
        hex::encode(
            self.key
                .sign(format!("ZHIFA-SEAL:1:{document_hash}").as_bytes())
                .to_bytes(),
        )
    }

    /// A certificate for `subject`, valid from `now`.
    pub fn certify(&self, subject: &Subject, now: DateTime<Utc>) -> Certificate {
        b::certify(&self.key, subject, now)
    }
}

fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

use crate::store::audit;

/// What the server knows of a device for its certificate and page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceSubject {
    /// The certificate subject; `None` when the officer has no credential
    /// on record.
    pub subject: Option<Subject>,
    /// The device's bound public key.
    pub device_key: String,
    /// Revoked.
    pub revoked: bool,
}

/// The device's subject, if the device is known.
pub fn subject(conn: &mut dyn Conn, device_id: &str) -> Result<Option<DeviceSubject>, DbError> {
    let Some(r) = conn.query_opt(
        "SELECT d.public_key, d.revoked_at, o.id, o.name, o.township, c.credential_no, c.township_name
         FROM device d JOIN officer o ON o.id = d.officer_id
         LEFT JOIN badge_credential c ON c.officer_id = o.id
         WHERE d.id = ?1",
        p![device_id],
    )?
    else {
        return Ok(None);
    };
    let device_key: String = r.get(0)?;
    let revoked: Option<String> = r.get(1)?;
    let credential: Option<String> = r.get(5)?;
    let township_name: Option<String> = r.get(6)?;
    let subject = match credential {
        Some(credential_no) => Some(Subject {
            officer_id: r.get(2)?,
            officer_name: r.get(3)?,
            credential_no,
            township: r.get(4)?,
            township_name: township_name.unwrap_or_default(),
            device_id: device_id.to_owned(),
            device_key: device_key.clone(),
        }),
        None => None,
    };
    Ok(Some(DeviceSubject {
        subject,
        device_key,
        revoked: revoked.is_some(),
    }))
}

/// Records an officer's 执法证号 and township name; false when the officer
/// is unknown.
pub fn set_credential(
    tx: &mut dyn Conn,
    officer_id: &str,
    credential_no: &str,
    township_name: &str,
    now: DateTime<Utc>,
) -> Result<bool, DbError> {
    if !tx.exists("SELECT 1 FROM officer WHERE id = ?1", p![officer_id])? {
        return Ok(false);
    }
    tx.exec(
        "INSERT INTO badge_credential (officer_id, credential_no, township_name, updated_at)
         VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (officer_id) DO UPDATE SET credential_no = ?2, township_name = ?3, updated_at = ?4",
        p![officer_id, credential_no, township_name, ts(now)],
    )?;
    audit(tx, now, "operator", "badge.credential", officer_id)?;
    Ok(true)
}

/// The party's verdict on a visit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Rating {
    /// 满意
    Satisfied,
    /// 基本满意
    BasicallySatisfied,
    /// 不满意
    Dissatisfied,
}

impl Rating {
    /// Every rating, in the order the form shows them.
    pub const ALL: [Rating; 3] = [
        Self::Satisfied,
        Self::BasicallySatisfied,
        Self::Dissatisfied,
    ];

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Satisfied => "satisfied",
            Self::BasicallySatisfied => "basically_satisfied",
            Self::Dissatisfied => "dissatisfied",
        }
    }

    /// The Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Satisfied => "满意",
            Self::BasicallySatisfied => "基本满意",
            Self::Dissatisfied => "不满意",
        }
    }

    /// From its code.
    pub fn from_code(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.code() == s)
    }
}

/// Why a rating is refused. Codes are stable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RatingError {
    /// No or unknown rating value, or an unreadable form.
    #[error("请选择 满意、基本满意 或 不满意")]
    Invalid,
    /// The comment is longer than [`MAX_COMMENT_CHARS`].
    #[error("意见最多 {MAX_COMMENT_CHARS} 字")]
    CommentTooLong,
    /// This inspection visit was rated already (one rating per visit,
    /// whichever of its 亮码 is used).
    #[error("此次检查已评价过，每次检查只能评价一次")]
    Exists,
    /// The server holds no inspection of this id in the certificate's
    /// township (not synced yet, or made up).
    #[error("服务器上没有此次检查的记录（可能尚未同步），请稍后再评价")]
    UnknownInspection,
    /// The 亮码 does not verify (or expired more than 7 days ago).
    #[error("{0}")]
    Badge(BadgeError),
}

impl RatingError {
    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Invalid => "rating_invalid",
            Self::CommentTooLong => "rating_comment_too_long",
            Self::Exists => "rating_exists",
            Self::UnknownInspection => "rating_unknown_inspection",
            Self::Badge(e) => e.code(),
        }
    }

    fn status(&self) -> StatusCode {
        match self {
            Self::Exists => StatusCode::CONFLICT,
            _ => StatusCode::UNPROCESSABLE_ENTITY,
        }
    }
}

/// Parses the rating form (`application/x-www-form-urlencoded`:
/// `rating=satisfied|basically_satisfied|dissatisfied`, optional
/// `comment`). Any bytes are accepted as input; control characters in the
/// comment are dropped, surrounding space trimmed.
pub fn parse_rating_form(body: &[u8]) -> Result<(Rating, String), RatingError> {
    let mut rating = None;
    let mut comment = String::new();
    for (k, v) in form_urlencoded::parse(body) {
        match &*k {
            "rating" if rating.is_none() => {
                rating = Some(Rating::from_code(&v).ok_or(RatingError::Invalid)?)
            }
            "rating" => return Err(RatingError::Invalid),
            "comment" => {
                comment = v
                    .chars()
                    .filter(|c| !c.is_control() || *c == '\n')
                    .collect()
            }
            _ => {}
        }
    }
    let rating = rating.ok_or(RatingError::Invalid)?;
    let comment = comment.trim().to_owned();
    if comment.chars().count() > MAX_COMMENT_CHARS {
        return Err(RatingError::CommentTooLong);
    }
    Ok((rating, comment))
}

/// A rating as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RatingRow {
    /// SHA-256 (hex) of the token text.
    pub token_id: String,
    /// The officer rated.
    pub officer_id: String,
    /// Township code.
    pub township: String,
    /// Device.
    pub device_id: String,
    /// Inspection.
    pub inspection_id: String,
    /// Task, if any.
    pub task_id: Option<String>,
    /// The verdict.
    pub rating: Rating,
    /// The optional comment (≤ 200 characters).
    pub comment: String,
    /// Server time of the rating.
    pub rated_at: String,
}

fn rating_row(r: &crate::store::sql::Row) -> Result<RatingRow, DbError> {
    let code: String = r.get(6)?;
    Ok(RatingRow {
        token_id: r.get(0)?,
        officer_id: r.get(1)?,
        township: r.get(2)?,
        device_id: r.get(3)?,
        inspection_id: r.get(4)?,
        task_id: r.get(5)?,
        // The CHECK constraint admits only the three codes.
        rating: Rating::from_code(&code).unwrap_or(Rating::Dissatisfied),
        comment: r.get(7)?,
        rated_at: r.get(8)?,
    })
}

const RATING_COLUMNS: &str =
    "token_id, officer_id, township, device_id, inspection_id, task_id, rating, comment, rated_at";

/// What [`rate`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rated {
    /// Stored.
    Stored,
    /// The inspection visit has a rating already (through any token).
    Exists,
    /// No inspection of the token's id in the certificate's township.
    UnknownInspection,
}

/// Stores a rating: only for an inspection the server holds in the
/// certificate's township, and one per inspection visit (the token names
/// no party, so the visit is the key; a fresh token of the same
/// inspection is refused like the same token twice).
pub fn rate(tx: &mut dyn Conn, r: &RatingRow) -> Result<Rated, DbError> {
    let held: Option<(String, Option<String>)> = tx
        .query_opt(
            "SELECT township, task_id FROM inspection WHERE inspection_id = ?1",
            p![r.inspection_id],
        )?
        .map(|row| Ok::<_, DbError>((row.get(0)?, row.get(1)?)))
        .transpose()?;
    let Some((township, held_task)) = held else {
        return Ok(Rated::UnknownInspection);
    };
    if township != r.township {
        return Ok(Rated::UnknownInspection);
    }
    // The short token names no task: the inspection on record does.
    let task_id = r.task_id.clone().or(held_task);
    if tx.exists(
        "SELECT 1 FROM badge_rating WHERE inspection_id = ?1",
        p![r.inspection_id],
    )? {
        return Ok(Rated::Exists);
    }
    let n = tx.exec(
        &format!(
            "INSERT INTO badge_rating ({RATING_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
             ON CONFLICT (token_id) DO NOTHING"
        ),
        p![
            r.token_id,
            r.officer_id,
            r.township,
            r.device_id,
            r.inspection_id,
            task_id,
            r.rating.code(),
            r.comment,
            r.rated_at
        ],
    )?;
    if n == 1 {
        let now = DateTime::parse_from_rfc3339(&r.rated_at)
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default();
        audit(tx, now, "public", "badge.rate", &r.token_id)?;
    }
    Ok(if n == 1 { Rated::Stored } else { Rated::Exists })
}

/// The rating of one token.
pub fn rating_of(conn: &mut dyn Conn, token_id: &str) -> Result<Option<RatingRow>, DbError> {
    conn.query_opt(
        &format!("SELECT {RATING_COLUMNS} FROM badge_rating WHERE token_id = ?1"),
        p![token_id],
    )?
    .as_ref()
    .map(rating_row)
    .transpose()
}

/// Every rating (of a district when given: township code prefix), newest first.
pub fn ratings(conn: &mut dyn Conn, district: Option<&str>) -> Result<Vec<RatingRow>, DbError> {
    let rows = match district {
        Some(d) => conn.query(
            &format!(
                "SELECT {RATING_COLUMNS} FROM badge_rating WHERE substr(township, 1, 6) = ?1
                 ORDER BY rated_at DESC, token_id"
            ),
            p![d],
        )?,
        None => conn.query(
            &format!("SELECT {RATING_COLUMNS} FROM badge_rating ORDER BY rated_at DESC, token_id"),
            p![],
        )?,
    };
    rows.iter().map(rating_row).collect()
}

/// Counts a view of a 亮码 whose signatures held (`badge_view_count`) and
/// audits it only when the token's result changes — its first view, then
/// a revocation or an expiry — so anonymous page views cannot fill the
/// audit log one row each.
pub fn audit_check(
    tx: &mut dyn Conn,
    now: DateTime<Utc>,
    token_id: &str,
    code: &str,
) -> Result<(), DbError> {
    let at = now.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let first = tx.exec(
        "INSERT INTO badge_view_count (token_id, views, last_code, first_at, last_at)
         VALUES (?1, 1, ?2, ?3, ?3) ON CONFLICT (token_id) DO NOTHING",
        p![token_id, code, at],
    )? == 1;
    let changed = !first
        && tx.exec(
            "UPDATE badge_view_count SET views = views + 1, last_at = ?3
             WHERE token_id = ?1 AND last_code = ?2",
            p![token_id, code, at],
        )? == 0;
    if changed {
        tx.exec(
            "UPDATE badge_view_count SET views = views + 1, last_at = ?3, last_code = ?2
             WHERE token_id = ?1",
            p![token_id, code, at],
        )?;
    }
    if first || changed {
        audit(tx, now, "public", &format!("badge.verify.{code}"), token_id)?;
    }
    Ok(())
}

/// How many times a token's page was viewed with its signatures holding.
pub fn view_count(conn: &mut dyn Conn, token_id: &str) -> Result<i64, DbError> {
    conn.query_opt(
        "SELECT views FROM badge_view_count WHERE token_id = ?1",
        p![token_id],
    )?
    .map_or(Ok(0), |r| r.get(0))
}

/// The 亮码 badge's rows, on the server's database.
impl crate::store::Db {
    /// What the 亮码 certificate and page need of a device
    /// ([`crate::badge::subject`]).
    pub fn badge_subject(
        &self,
        device_id: &str,
    ) -> Result<Option<crate::badge::DeviceSubject>, crate::error::ApiError> {
        self.read(|c| Ok(crate::badge::subject(c, device_id)?))
    }

    /// Records an officer's 执法证号 and township name; false when the
    /// officer is unknown.
    pub fn badge_set_credential(
        &self,
        officer_id: &str,
        credential_no: &str,
        township_name: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, crate::error::ApiError> {
        self.write(|tx| {
            Ok(crate::badge::set_credential(
                tx,
                officer_id,
                credential_no,
                township_name,
                now,
            )?)
        })
    }

    /// Stores a 亮码 rating unless its token has one; true when stored.
    pub fn badge_rate(
        &self,
        row: &crate::badge::RatingRow,
    ) -> Result<crate::badge::Rated, crate::error::ApiError> {
        self.write(|tx| Ok(crate::badge::rate(tx, row)?))
    }

    /// How many times a token's page was viewed (signatures holding).
    pub fn badge_view_count(&self, token_id: &str) -> Result<i64, crate::error::ApiError> {
        self.read(|c| Ok(crate::badge::view_count(c, token_id)?))
    }

    /// The rating of one token (by [`zhifa_protocol::badge::token_id`]).
    pub fn badge_rating(
        &self,
        token_id: &str,
    ) -> Result<Option<crate::badge::RatingRow>, crate::error::ApiError> {
        self.read(|c| Ok(crate::badge::rating_of(c, token_id)?))
    }

    /// Every rating, or a district's (6-digit code), newest first.
    pub fn badge_ratings(
        &self,
        district: Option<&str>,
    ) -> Result<Vec<crate::badge::RatingRow>, crate::error::ApiError> {
        self.read(|c| Ok(crate::badge::ratings(c, district)?))
    }

    /// Audits one verification of a 亮码 and its result code.
    pub fn badge_audit(
        &self,
        token_id: &str,
        code: &str,
        now: DateTime<Utc>,
    ) -> Result<(), crate::error::ApiError> {
        self.write(|tx| Ok(crate::badge::audit_check(tx, now, token_id, code)?))
    }
}
