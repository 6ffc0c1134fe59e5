//! The server's storage: one [`Storage`] trait, and its SQLite backend
//! [`SqliteStorage`].
//!
//! The SQLite backend keeps exactly one connection behind a mutex: one
//! writer, so every transaction commits in the order it began, the ledger
//! and `device.last_seq` move together, and the inbox cursor (assigned
//! inside the write transaction) is commit-ordered (sync.md §6.11). Every
//! push batch is one IMMEDIATE transaction holding the ledger rows, the
//! effects, the conflicts, the inbox rows and the audit rows; the response
//! is built only after COMMIT with `synchronous=FULL`, so an answered
//! mutation is durable.

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use base64::Engine as _;
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use sha2::{Digest, Sha256};
use zhifa_sync::ErrorKind;
use zhifa_sync::error::reject;
use zhifa_sync::sign::payload_sha256;
use zhifa_sync::wire::{
    CaseSummary, CatalogueRelease, EnrolRequest, InboxEvent, InboxPage, LeaseGrant, LeaseRequest,
    MutationResult, MutationStatus, OfficerInfo, PaymentCallback, PushRequest, PushResponse,
    RefreshRequest, TokenResponse, UploadCreate, UploadState, WireMutation,
};

use crate::error::ApiError;

/// How long an access token lives.
pub const ACCESS_TTL: Duration = Duration::hours(1);
/// How long a refresh token lives (long offline periods).
pub const REFRESH_TTL: Duration = Duration::days(30);
/// How long a one-time enrolment code is valid.
pub const ENROL_CODE_TTL: Duration = Duration::days(7);

const SCHEMA: &str = include_str!("schema.sql");

/// The authenticated caller of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The device.
    pub device_id: String,
    /// Its Ed25519 public key (hex).
    pub public_key: String,
    /// The officer it is bound to.
    pub officer_id: String,
    /// The officer's township.
    pub township: String,
    /// The officer's district (6 digits).
    pub district: String,
    /// `officer` or `district_supervisor`.
    pub role: String,
}

impl Principal {
    /// The scope of case data this caller may see.
    pub fn scope(&self) -> Scope {
        if self.role == "district_supervisor" {
            Scope::District(self.district.clone())
        } else {
            Scope::Township(self.township.clone())
        }
    }

    fn actor(&self) -> String {
        format!("device:{}/officer:{}", self.device_id, self.officer_id)
    }
}

/// Which cases a listing covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// One township (an officer).
    Township(String),
    /// A district (a district supervisor).
    District(String),
    /// Everything (the operator's command line).
    All,
}

/// An officer record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfficerRow {
    /// Id.
    pub id: String,
    /// Name (personal data: never logged unmasked).
    pub name: String,
    /// Township code.
    pub township: String,
    /// `officer` or `district_supervisor`.
    pub role: String,
}

/// An upload in progress.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadRow {
    /// Id.
    pub id: String,
    /// Declared SHA-256.
    pub sha256: String,
    /// Declared size.
    pub size: u64,
    /// Bytes durably received.
    pub offset: u64,
}

/// Everything the server stores, behind one interface so backends can be
/// swapped (SQLite now; the trait is what a PostgreSQL backend implements).
/// Methods are blocking; the HTTP layer calls them on the blocking pool.
pub trait Storage: Send + Sync + 'static {
    /// The server epoch (regenerated when restored from a backup).
    fn epoch(&self) -> Result<String, ApiError>;
    /// Adds or updates an officer.
    fn upsert_officer(&self, o: &OfficerRow) -> Result<(), ApiError>;
    /// Stores a one-time enrolment code for an officer.
    fn add_enrol_code(&self, officer: &str, code: &str, now: DateTime<Utc>)
    -> Result<(), ApiError>;
    /// Binds a device key to the code's officer and issues tokens. The
    /// caller has verified the request's signature.
    fn enrol(&self, req: &EnrolRequest, now: DateTime<Utc>) -> Result<TokenResponse, ApiError>;
    /// The public key of a device (for verifying a refresh).
    fn device_key(&self, device_id: &str) -> Result<Option<String>, ApiError>;
    /// Rotates the refresh token and issues a new access token. The caller
    /// has verified the signature.
    fn refresh(&self, req: &RefreshRequest, now: DateTime<Utc>) -> Result<TokenResponse, ApiError>;
    /// Resolves an access token.
    fn authenticate(&self, token: &str, now: DateTime<Utc>) -> Result<Principal, ApiError>;
    /// Applies a push batch exactly once (the caller verified the signature).
    fn push(
        &self,
        who: &Principal,
        req: &PushRequest,
        now: DateTime<Utc>,
    ) -> Result<PushResponse, ApiError>;
    /// A page of the officer's inbox after `cursor`.
    fn inbox(&self, who: &Principal, cursor: i64, limit: i64) -> Result<InboxPage, ApiError>;
    /// Records a payment confirmation; false when already recorded.
    fn payment(&self, cb: &PaymentCallback, now: DateTime<Utc>) -> Result<bool, ApiError>;
    /// Grants (or returns the earlier grant of) a number lease.
    fn grant_lease(
        &self,
        who: &Principal,
        req: &LeaseRequest,
        now: DateTime<Utc>,
    ) -> Result<LeaseGrant, ApiError>;
    /// Publishes a catalogue release (idempotent per release id).
    fn publish_release(
        &self,
        release_id: &str,
        sha256: &str,
        size: u64,
        now: DateTime<Utc>,
    ) -> Result<i64, ApiError>;
    /// The newest release.
    fn latest_release(&self) -> Result<Option<CatalogueRelease>, ApiError>;
    /// Whether a verified blob exists; logged as an evidence read.
    fn blob_exists(
        &self,
        who: &Principal,
        sha256: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, ApiError>;
    /// Starts an upload, or returns the running one for the same hash.
    fn upload_create(
        &self,
        who: &Principal,
        req: &UploadCreate,
        now: DateTime<Utc>,
    ) -> Result<UploadState, ApiError>;
    /// An upload.
    fn upload(&self, id: &str) -> Result<Option<UploadRow>, ApiError>;
    /// Records the durable offset of an upload.
    fn upload_advance(&self, id: &str, offset: u64) -> Result<(), ApiError>;
    /// Marks the upload's blob verified, drops the upload, updates cases.
    fn upload_complete(
        &self,
        who: &Principal,
        id: &str,
        now: DateTime<Utc>,
    ) -> Result<(), ApiError>;
    /// Drops an upload (its bytes failed verification).
    fn upload_discard(&self, id: &str) -> Result<(), ApiError>;
    /// The cases in scope; logged as a case read by `actor`.
    fn cases(
        &self,
        scope: &Scope,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<CaseSummary>, ApiError>;
    /// Revokes a device: its tokens stop working at once.
    fn revoke_device(&self, device_id: &str, now: DateTime<Utc>) -> Result<bool, ApiError>;
    /// Clone alarms raised (device id, seq).
    fn clone_alarms(&self) -> Result<Vec<(String, i64)>, ApiError>;
    /// Number of audit rows for an action (tests and operators).
    fn audit_count(&self, action: &str) -> Result<i64, ApiError>;
    /// Joint-inspection findings of one department (or all); `failed_only`
    /// keeps what the department must act on.
    fn inspection_findings(
        &self,
        department: Option<&str>,
        failed_only: bool,
    ) -> Result<Vec<crate::inspection::DepartmentFinding>, ApiError>;
    /// Tasks with their closed-loop times.
    fn tasks(&self) -> Result<Vec<crate::inspection::TaskRow>, ApiError>;
    /// Assigns a task to an officer (stored and queued to the inbox); returns its id.
    fn assign_task(
        &self,
        task: &crate::inspection::NewTask,
        now: DateTime<Utc>,
    ) -> Result<String, ApiError>;
}

/// The SQLite backend.
#[derive(Debug)]
pub struct SqliteStorage {
    conn: Mutex<Connection>,
}

fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn sha_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

/// A fresh random token (32 bytes, base64url).
pub fn random_token() -> Result<String, ApiError> {
    let mut b = [0u8; 32];
    getrandom::fill(&mut b).map_err(|e| {
        tracing::error!(error = %e, "no randomness");
        ApiError::new(ErrorKind::Internal, "随机数不可用")
    })?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b))
}

fn district_of(township: &str) -> String {
    township.chars().take(6).collect()
}

/// A permanent refusal of one mutation.
struct Reject(&'static str, String);

type Applied = Result<(), Reject>;

fn bad_payload(what: &str) -> Reject {
    Reject(reject::INVALID_PAYLOAD, format!("载荷缺少或错误：{what}"))
}

fn str_at<'a>(v: &'a serde_json::Value, path: &[&str]) -> Result<&'a str, Reject> {
    let mut cur = v;
    for p in path {
        cur = cur.get(p).ok_or_else(|| bad_payload(&path.join(".")))?;
    }
    cur.as_str().ok_or_else(|| bad_payload(&path.join(".")))
}

fn i64_at(v: &serde_json::Value, path: &[&str]) -> Result<i64, Reject> {
    let mut cur = v;
    for p in path {
        cur = cur.get(p).ok_or_else(|| bad_payload(&path.join(".")))?;
    }
    cur.as_i64().ok_or_else(|| bad_payload(&path.join(".")))
}

impl SqliteStorage {
    /// Opens (creating) the database file.
    pub fn open(path: &Path) -> Result<Self, ApiError> {
        let conn = Connection::open(path)?;
        Self::init(conn)
    }

    /// An in-memory database (tests and benchmarks).
    pub fn in_memory() -> Result<Self, ApiError> {
        Self::init(Connection::open_in_memory()?)
    }

    fn init(mut conn: Connection) -> Result<Self, ApiError> {
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if version == 0 {
            let tx = conn.transaction()?;
            tx.execute_batch(SCHEMA)?;
            let epoch = random_token()?;
            tx.execute(
                "INSERT INTO meta (key, value) VALUES ('epoch', ?1)",
                [&epoch],
            )?;
            tx.pragma_update(None, "user_version", 1)?;
            tx.commit()?;
        } else if version != 1 {
            return Err(ApiError::new(
                ErrorKind::Internal,
                format!("服务器数据库版本 {version} 不受支持"),
            ));
        }
        // The inspection tables are their own idempotent unit (inspection.sql).
        conn.execute_batch(crate::inspection::SCHEMA)?;
        Ok(Self {
            conn: Mutex::new(conn),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A poisoned mutex means a handler panicked mid-call; SQLite rolled
        // back its open transaction when the statement guard dropped, so
        // the connection itself is still consistent.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn issue_tokens(
        tx: &Connection,
        device_id: &str,
        now: DateTime<Utc>,
    ) -> Result<TokenResponse, ApiError> {
        let access = random_token()?;
        let refresh = random_token()?;
        let access_exp = now + ACCESS_TTL;
        tx.execute(
            "INSERT INTO token (token_sha256, device_id, kind, expires_at) VALUES (?1, ?2, 'access', ?3)",
            params![sha_hex(&access), device_id, ts(access_exp)],
        )?;
        tx.execute(
            "INSERT INTO token (token_sha256, device_id, kind, expires_at) VALUES (?1, ?2, 'refresh', ?3)",
            params![sha_hex(&refresh), device_id, ts(now + REFRESH_TTL)],
        )?;
        let (id, township, role): (String, String, String) = tx.query_row(
            "SELECT o.id, o.township, o.role FROM device d JOIN officer o ON o.id = d.officer_id WHERE d.id = ?1",
            [device_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        let epoch: String =
            tx.query_row("SELECT value FROM meta WHERE key = 'epoch'", [], |r| {
                r.get(0)
            })?;
        Ok(TokenResponse {
            officer: OfficerInfo { id, township, role },
            access_token: access,
            access_expires_at: ts(access_exp),
            refresh_token: refresh,
            server_epoch: epoch,
        })
    }

    fn audit(
        tx: &Connection,
        now: DateTime<Utc>,
        actor: &str,
        action: &str,
        object: &str,
    ) -> rusqlite::Result<()> {
        tx.execute(
            "INSERT INTO audit (at, actor, action, object) VALUES (?1, ?2, ?3, ?4)",
            params![ts(now), actor, action, object],
        )?;
        Ok(())
    }

    /// The aggregate a mutation belongs to, for dependency rejection.
    fn aggregate(m: &WireMutation) -> Option<String> {
        match m.entity.as_str() {
            "case" | "inspection" => Some(m.entity_id.clone()),
            "issued_number" | "evidence" => m
                .payload
                .get("case_id")
                .and_then(|v| v.as_str())
                .map(str::to_owned),
            _ => None,
        }
    }

    fn apply(
        tx: &Connection,
        who: &Principal,
        m: &WireMutation,
        now: DateTime<Utc>,
    ) -> Result<Applied, rusqlite::Error> {
        let p = &m.payload;
        let actor = who.actor();
        match (m.entity.as_str(), m.op.as_str()) {
            ("case", "create") => {
                let township = match str_at(p, &["event", "township"]) {
                    Ok(t) => t,
                    Err(r) => return Ok(Err(r)),
                };
                if township != who.township {
                    return Ok(Err(Reject(
                        reject::JURISDICTION,
                        format!("案件属地 {township} 不在本执法人员的辖区"),
                    )));
                }
                let (matter, release) = match (
                    str_at(p, &["event", "matter_code"]),
                    str_at(p, &["event", "release_id"]),
                ) {
                    (Ok(a), Ok(b)) => (a, b),
                    (Err(r), _) | (_, Err(r)) => return Ok(Err(r)),
                };
                let status = str_at(p, &["to"]).unwrap_or("draft");
                let exists: bool = tx
                    .query_row(
                        "SELECT 1 FROM cases WHERE case_id = ?1",
                        [&m.entity_id],
                        |_| Ok(()),
                    )
                    .optional()?
                    .is_some();
                if exists {
                    return Ok(Err(Reject(reject::CASE_EXISTS, "案件编号已存在".into())));
                }
                tx.execute(
                    "INSERT INTO cases (case_id, device_id, officer_id, township, district, matter_code, release_id,
                                        status, version, created_at, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 1, ?9, ?9)",
                    params![m.entity_id, who.device_id, who.officer_id, township, district_of(township),
                            matter, release, status, ts(now)],
                )?;
                // Evidence announced with this case id before the case arrived.
                tx.execute(
                    "INSERT OR IGNORE INTO case_evidence (case_id, sha256)
                     SELECT case_id, sha256 FROM evidence WHERE case_id = ?1 AND device_id = ?2",
                    params![m.entity_id, who.device_id],
                )?;
                Self::audit(tx, now, &actor, "case.write", &m.entity_id)?;
                Ok(Ok(()))
            }
            ("case", "advance") => {
                let row: Option<(String, i64)> = tx
                    .query_row(
                        "SELECT device_id, version FROM cases WHERE case_id = ?1",
                        [&m.entity_id],
                        |r| Ok((r.get(0)?, r.get(1)?)),
                    )
                    .optional()?;
                let Some((owner, version)) = row else {
                    return Ok(Err(Reject(
                        reject::UNKNOWN_CASE,
                        "服务器上没有此案件".into(),
                    )));
                };
                if owner != who.device_id {
                    return Ok(Err(Reject(reject::NOT_OWNER, "案件属于另一台设备".into())));
                }
                let new_version = match i64_at(p, &["version"]) {
                    Ok(v) => v,
                    Err(r) => return Ok(Err(r)),
                };
                if new_version != version + 1 {
                    return Ok(Err(Reject(
                        reject::VERSION_CONFLICT,
                        format!("案件版本 {new_version} 不接续服务器上的 {version}"),
                    )));
                }
                let to = match str_at(p, &["to"]) {
                    Ok(t) => t,
                    Err(r) => return Ok(Err(r)),
                };
                if p.get("kind").and_then(|k| k.as_str()) == Some("attach_evidence") {
                    let ids = p
                        .get("event")
                        .and_then(|e| e.get("evidence_ids"))
                        .and_then(|v| v.as_array())
                        .cloned()
                        .unwrap_or_default();
                    for id in ids {
                        let Some(id) = id.as_str() else {
                            return Ok(Err(bad_payload("event.evidence_ids")));
                        };
                        let sha: Option<String> = tx
                            .query_row(
                                "SELECT sha256 FROM evidence WHERE evidence_id = ?1 AND device_id = ?2",
                                params![id, who.device_id],
                                |r| r.get(0),
                            )
                            .optional()?;
                        let Some(sha) = sha else {
                            return Ok(Err(Reject(
                                reject::UNKNOWN_EVIDENCE,
                                format!("证据 {id} 未登记"),
                            )));
                        };
                        tx.execute(
                            "INSERT OR IGNORE INTO case_evidence (case_id, sha256) VALUES (?1, ?2)",
                            params![m.entity_id, sha],
                        )?;
                    }
                }
                tx.execute(
                    "UPDATE cases SET status = ?2, version = ?3, updated_at = ?4 WHERE case_id = ?1",
                    params![m.entity_id, to, new_version, ts(now)],
                )?;
                Self::audit(tx, now, &actor, "case.write", &m.entity_id)?;
                Ok(Ok(()))
            }
            ("evidence", "record") => {
                let (sha, media) = match (str_at(p, &["sha256"]), str_at(p, &["media_type"])) {
                    (Ok(a), Ok(b)) => (a, b),
                    (Err(r), _) | (_, Err(r)) => return Ok(Err(r)),
                };
                if sha.len() != 64 || !sha.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return Ok(Err(bad_payload("sha256")));
                }
                let size = match i64_at(p, &["size"]) {
                    Ok(s) if s > 0 => s,
                    Ok(_) => return Ok(Err(bad_payload("size"))),
                    Err(r) => return Ok(Err(r)),
                };
                let case_id = p.get("case_id").and_then(|v| v.as_str());
                tx.execute(
                    "INSERT OR IGNORE INTO evidence (evidence_id, device_id, case_id, sha256, size, media_type, record_hash, signature)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                    params![m.entity_id, who.device_id, case_id, sha, size, media,
                            p.get("record_hash").and_then(|v| v.as_str()).unwrap_or(""),
                            p.get("signature").and_then(|v| v.as_str()).unwrap_or("")],
                )?;
                if let Some(case_id) = case_id {
                    tx.execute(
                        "INSERT OR IGNORE INTO case_evidence (case_id, sha256)
                         SELECT case_id, ?2 FROM cases WHERE case_id = ?1 AND device_id = ?3",
                        params![case_id, sha, who.device_id],
                    )?;
                }
                Self::audit(tx, now, &actor, "evidence.write", &m.entity_id)?;
                Ok(Ok(()))
            }
            ("number_lease", "grant") => {
                let fields = (
                    str_at(p, &["township"]),
                    str_at(p, &["series"]),
                    i64_at(p, &["year"]),
                    i64_at(p, &["start"]),
                    i64_at(p, &["end"]),
                );
                let (t, s, y, a, b) = match fields {
                    (Ok(t), Ok(s), Ok(y), Ok(a), Ok(b)) => (t, s, y, a, b),
                    _ => return Ok(Err(bad_payload("lease"))),
                };
                let covered: bool = tx
                    .query_row(
                        "SELECT 1 FROM lease WHERE device_id = ?1 AND township = ?2 AND series = ?3 AND year = ?4
                           AND start_no <= ?5 AND end_no >= ?6",
                        params![who.device_id, t, s, y, a, b],
                        |_| Ok(()),
                    )
                    .optional()?
                    .is_some();
                if covered {
                    Ok(Ok(()))
                } else {
                    Ok(Err(Reject(
                        reject::LEASE_NOT_GRANTED,
                        format!("号段 {a}–{b} 不是服务器分配给本设备的"),
                    )))
                }
            }
            ("issued_number", op @ ("use" | "issue" | "void")) => {
                let fields = (
                    str_at(p, &["township"]),
                    str_at(p, &["series"]),
                    i64_at(p, &["year"]),
                    i64_at(p, &["seq"]),
                );
                let (t, s, y, n) = match fields {
                    (Ok(t), Ok(s), Ok(y), Ok(n)) => (t, s, y, n),
                    _ => return Ok(Err(bad_payload("number"))),
                };
                let formatted = p.get("formatted").and_then(|v| v.as_str()).unwrap_or("");
                let case_id = p.get("case_id").and_then(|v| v.as_str());
                let desired = if op == "void" {
                    "voided"
                } else {
                    p.get("status").and_then(|v| v.as_str()).unwrap_or("used")
                };
                if desired != "used" && desired != "voided" {
                    return Ok(Err(bad_payload("status")));
                }
                let leased: bool = tx
                    .query_row(
                        "SELECT 1 FROM lease WHERE device_id = ?1 AND township = ?2 AND series = ?3 AND year = ?4
                           AND start_no <= ?5 AND end_no >= ?5",
                        params![who.device_id, t, s, y, n],
                        |_| Ok(()),
                    )
                    .optional()?
                    .is_some();
                if !leased {
                    return Ok(Err(Reject(
                        reject::NUMBER_OUTSIDE_LEASE,
                        format!("编号 {s}/{y}/{n} 不在服务器分配给本设备的号段内"),
                    )));
                }
                let existing: Option<(String, String, Option<String>)> = tx
                    .query_row(
                        "SELECT status, device_id, case_id FROM number_use WHERE township = ?1 AND series = ?2 AND year = ?3 AND seq = ?4",
                        params![t, s, y, n],
                        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                    )
                    .optional()?;
                match existing {
                    None => {
                        tx.execute(
                            "INSERT INTO number_use (township, series, year, seq, formatted, status, case_id, device_id)
                             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                            params![t, s, y, n, formatted, desired, case_id, who.device_id],
                        )?;
                    }
                    // The same fact announced twice (trigger + explicit record).
                    Some((status, owner, c))
                        if owner == who.device_id
                            && status == desired
                            && c.as_deref() == case_id =>
                    {
                        return Ok(Ok(()));
                    }
                    Some((status, owner, _))
                        if owner == who.device_id && status == "used" && desired == "voided" =>
                    {
                        tx.execute(
                            "UPDATE number_use SET status = 'voided' WHERE township = ?1 AND series = ?2 AND year = ?3 AND seq = ?4",
                            params![t, s, y, n],
                        )?;
                        return Ok(Ok(()));
                    }
                    Some(_) => {
                        return Ok(Err(Reject(
                            reject::NUMBER_REUSED,
                            format!("编号 {s}/{y}/{n} 已使用或已作废"),
                        )));
                    }
                }
                if desired == "used"
                    && s == zhifa_core::case::config::SERIES_DECISION
                    && let Some(case_id) = case_id
                {
                    let clash: bool = tx
                        .query_row(
                            "SELECT 1 FROM cases WHERE document_number = ?1 AND case_id <> ?2",
                            params![formatted, case_id],
                            |_| Ok(()),
                        )
                        .optional()?
                        .is_some();
                    if clash {
                        return Ok(Err(Reject(
                            reject::NUMBER_REUSED,
                            format!("文书编号 {formatted} 已被另一案件使用"),
                        )));
                    }
                    tx.execute(
                        "UPDATE cases SET document_number = ?2 WHERE case_id = ?1 AND device_id = ?3",
                        params![case_id, formatted, who.device_id],
                    )?;
                    Self::audit(tx, now, &actor, "case.write", case_id)?;
                }
                Ok(Ok(()))
            }
            // Township configurations are device-local settings the server
            // records in the ledger only.
            ("township_config", _) => Ok(Ok(())),
            ("inspection", _) | ("task", _) => {
                let out = crate::inspection::apply(tx, &who.device_id, &who.officer_id, m, now)?;
                if out.is_ok() {
                    Self::audit(
                        tx,
                        now,
                        &actor,
                        &format!("{}.write", m.entity),
                        &m.entity_id,
                    )?;
                }
                Ok(out.map_err(|(code, msg)| Reject(code, msg)))
            }
            (e, o) => Ok(Err(Reject(
                reject::UNSUPPORTED,
                format!("不支持的变更 {e}.{o}"),
            ))),
        }
    }
}

impl Storage for SqliteStorage {
    fn epoch(&self) -> Result<String, ApiError> {
        Ok(self
            .lock()
            .query_row("SELECT value FROM meta WHERE key = 'epoch'", [], |r| {
                r.get(0)
            })?)
    }

    fn upsert_officer(&self, o: &OfficerRow) -> Result<(), ApiError> {
        self.lock().execute(
            "INSERT INTO officer (id, name, township, district, role) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (id) DO UPDATE SET name = ?2, township = ?3, district = ?4, role = ?5",
            params![o.id, o.name, o.township, district_of(&o.township), o.role],
        )?;
        Ok(())
    }

    fn add_enrol_code(
        &self,
        officer: &str,
        code: &str,
        now: DateTime<Utc>,
    ) -> Result<(), ApiError> {
        self.lock().execute(
            "INSERT INTO enrol_code (code_sha256, officer_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)",
            params![sha_hex(code), officer, ts(now), ts(now + ENROL_CODE_TTL)],
        )?;
        Ok(())
    }

    fn enrol(&self, req: &EnrolRequest, now: DateTime<Utc>) -> Result<TokenResponse, ApiError> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let row: Option<(String, String, Option<String>, Option<String>)> = tx
            .query_row(
                "SELECT officer_id, expires_at, used_at, device_id FROM enrol_code WHERE code_sha256 = ?1",
                [sha_hex(&req.code)],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        let invalid = || ApiError::new(ErrorKind::EnrolCodeInvalid, "激活码无效、已使用或已过期");
        let Some((officer, expires, used, used_by)) = row else {
            return Err(invalid());
        };
        // A code is single use, except that the device that used it may
        // repeat the enrolment (its answer may have been lost); the key
        // check below makes that safe.
        if (used.is_some() && used_by.as_deref() != Some(req.device_id.as_str()))
            || expires < ts(now)
        {
            return Err(invalid());
        }
        let known: Option<(String, Option<String>)> = tx
            .query_row(
                "SELECT public_key, revoked_at FROM device WHERE id = ?1",
                [&req.device_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        match known {
            Some((_, Some(_))) => {
                return Err(ApiError::new(ErrorKind::DeviceRevoked, "此设备已被停用"));
            }
            Some((key, None)) if key != req.public_key => {
                return Err(ApiError::new(
                    ErrorKind::Forbidden,
                    "此设备编号已以另一把密钥注册",
                ));
            }
            Some(_) => {
                tx.execute(
                    "UPDATE device SET officer_id = ?2 WHERE id = ?1",
                    params![req.device_id, officer],
                )?;
            }
            None => {
                tx.execute(
                    "INSERT INTO device (id, officer_id, public_key, enrolled_at) VALUES (?1, ?2, ?3, ?4)",
                    params![req.device_id, officer, req.public_key, ts(now)],
                )?;
            }
        }
        tx.execute(
            "UPDATE enrol_code SET used_at = ?2, device_id = ?3 WHERE code_sha256 = ?1",
            params![sha_hex(&req.code), ts(now), req.device_id],
        )?;
        let out = Self::issue_tokens(&tx, &req.device_id, now)?;
        Self::audit(
            &tx,
            now,
            &format!("device:{}", req.device_id),
            "device.enrol",
            &officer,
        )?;
        tx.commit()?;
        Ok(out)
    }

    fn device_key(&self, device_id: &str) -> Result<Option<String>, ApiError> {
        Ok(self
            .lock()
            .query_row(
                "SELECT public_key FROM device WHERE id = ?1",
                [device_id],
                |r| r.get(0),
            )
            .optional()?)
    }

    fn refresh(&self, req: &RefreshRequest, now: DateTime<Utc>) -> Result<TokenResponse, ApiError> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let row: Option<(String, String, Option<String>, Option<String>)> = tx
            .query_row(
                "SELECT t.device_id, t.expires_at, t.used_at, d.revoked_at FROM token t JOIN device d ON d.id = t.device_id
                 WHERE t.token_sha256 = ?1 AND t.kind = 'refresh'",
                [sha_hex(&req.refresh_token)],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        let invalid = || ApiError::new(ErrorKind::RefreshInvalid, "刷新令牌无效、已使用或已过期");
        let Some((device, expires, used, revoked)) = row else {
            return Err(invalid());
        };
        if revoked.is_some() {
            return Err(ApiError::new(ErrorKind::DeviceRevoked, "此设备已被停用"));
        }
        // Rotated on every refresh. A used token is still accepted for a
        // day: the answer carrying its successor may have been lost, and
        // every refresh must be signed by the device key anyway.
        let stale = used.is_some_and(|u| u < ts(now - Duration::days(1)));
        if device != req.device_id || stale || expires < ts(now) {
            return Err(invalid());
        }
        tx.execute(
            "UPDATE token SET used_at = ?2 WHERE token_sha256 = ?1",
            params![sha_hex(&req.refresh_token), ts(now)],
        )?;
        let out = Self::issue_tokens(&tx, &device, now)?;
        tx.commit()?;
        Ok(out)
    }

    fn authenticate(&self, token: &str, now: DateTime<Utc>) -> Result<Principal, ApiError> {
        let conn = self.lock();
        #[allow(clippy::type_complexity)] // one row of a join, destructured at once below
        let row: Option<(String, String, Option<String>, String, String, String, String, String)> = conn
            .query_row(
                "SELECT d.id, t.expires_at, d.revoked_at, d.public_key, o.id, o.township, o.district, o.role
                 FROM token t JOIN device d ON d.id = t.device_id JOIN officer o ON o.id = d.officer_id
                 WHERE t.token_sha256 = ?1 AND t.kind = 'access'",
                [sha_hex(token)],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?)),
            )
            .optional()?;
        let Some((device_id, expires, revoked, public_key, officer_id, township, district, role)) =
            row
        else {
            return Err(ApiError::new(ErrorKind::Unauthorized, "未登录或令牌无效"));
        };
        if revoked.is_some() {
            return Err(ApiError::new(ErrorKind::DeviceRevoked, "此设备已被停用"));
        }
        if expires < ts(now) {
            return Err(ApiError::new(ErrorKind::Unauthorized, "访问令牌已过期"));
        }
        Ok(Principal {
            device_id,
            public_key,
            officer_id,
            township,
            district,
            role,
        })
    }

    fn push(
        &self,
        who: &Principal,
        req: &PushRequest,
        now: DateTime<Utc>,
    ) -> Result<PushResponse, ApiError> {
        for w in req.mutations.windows(2) {
            if w[1].seq != w[0].seq + 1 {
                return Err(ApiError::bad("批内 seq 必须连续递增"));
            }
        }
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut last: i64 = tx.query_row(
            "SELECT last_seq FROM device WHERE id = ?1",
            [&who.device_id],
            |r| r.get(0),
        )?;
        let epoch: String =
            tx.query_row("SELECT value FROM meta WHERE key = 'epoch'", [], |r| {
                r.get(0)
            })?;
        let mut results = Vec::with_capacity(req.mutations.len());
        for m in &req.mutations {
            let offered = payload_sha256(&m.payload);
            if m.seq <= last {
                let stored: Option<(String, String, Option<String>, Option<String>)> = tx
                    .query_row(
                        "SELECT payload_sha256, status, code, message FROM ledger WHERE device_id = ?1 AND seq = ?2",
                        params![who.device_id, m.seq],
                        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                    )
                    .optional()?;
                let Some((sha, status, code, message)) = stored else {
                    return Err(ApiError::new(ErrorKind::Internal, "账本缺少已确认的序号"));
                };
                if sha != m.payload_sha256 {
                    tx.execute(
                        "INSERT INTO clone_alarm (device_id, seq, stored_sha256, offered_sha256, at) VALUES (?1, ?2, ?3, ?4, ?5)",
                        params![who.device_id, m.seq, sha, m.payload_sha256, ts(now)],
                    )?;
                    tracing::warn!(device = %who.device_id, seq = m.seq, "clone alarm: seq reused with a different payload");
                    results.push(MutationResult {
                        seq: m.seq,
                        status: MutationStatus::Rejected,
                        code: Some(reject::SEQ_REUSE.into()),
                        message: Some("同一序号的内容不同：疑似复制的设备，已隔离并告警".into()),
                    });
                } else {
                    results.push(MutationResult {
                        seq: m.seq,
                        status: MutationStatus::Duplicate,
                        code: if status == "rejected" { code } else { None },
                        message: if status == "rejected" { message } else { None },
                    });
                }
                continue;
            }
            if m.seq > last + 1 {
                if results.is_empty() {
                    let mut e = ApiError::new(
                        ErrorKind::SeqGap,
                        format!("序号不连续：期望 {}，收到 {}", last + 1, m.seq),
                    );
                    e.expected_seq = Some(last + 1);
                    return Err(e);
                }
                break;
            }
            let aggregate = Self::aggregate(m);
            let blocked = match &aggregate {
                Some(a) => tx
                    .query_row(
                        "SELECT first_seq FROM blocked_aggregate WHERE entity = 'case' AND entity_id = ?1",
                        [a],
                        |r| r.get::<_, i64>(0),
                    )
                    .optional()?,
                None => None,
            };
            if offered != m.payload_sha256 {
                // The signature covers the declared hash, so the payload
                // was damaged on the way: refuse the batch, never record a
                // rejection for a mutation the device did make.
                return Err(ApiError::new(
                    ErrorKind::PayloadCorrupt,
                    format!(
                        "第 {} 号变更的载荷与签名的摘要不符（传输损坏），请重发",
                        m.seq
                    ),
                ));
            }
            let outcome = if let Some(first) = blocked {
                Err(Reject(
                    reject::DEPENDENCY_REJECTED,
                    format!("同一案件的第 {first} 号变更已被拒绝"),
                ))
            } else {
                tx.execute_batch("SAVEPOINT m")?;
                match Self::apply(&tx, who, m, now) {
                    Ok(Ok(())) => {
                        tx.execute_batch("RELEASE m")?;
                        Ok(())
                    }
                    Ok(Err(r)) => {
                        tx.execute_batch("ROLLBACK TO m; RELEASE m")?;
                        Err(r)
                    }
                    Err(e) => return Err(e.into()),
                }
            };
            let (status, code, message) = match &outcome {
                Ok(()) => ("applied", None, None),
                Err(Reject(c, msg)) => ("rejected", Some(*c), Some(msg.clone())),
            };
            tx.execute(
                "INSERT INTO ledger (device_id, seq, mutation_id, payload_sha256, entity, entity_id, op, status, code, message, device_time, received_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                params![who.device_id, m.seq, m.mutation_id, m.payload_sha256, m.entity, m.entity_id, m.op,
                        status, code, message, m.device_time, ts(now)],
            )?;
            if let Err(Reject(c, msg)) = &outcome {
                tx.execute(
                    "INSERT INTO conflict (device_id, seq, entity, entity_id, code, message, payload, at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                    params![who.device_id, m.seq, m.entity, m.entity_id, c, msg, m.payload.to_string(), ts(now)],
                )?;
                if let Some(a) = &aggregate {
                    tx.execute(
                        "INSERT OR IGNORE INTO blocked_aggregate (entity, entity_id, device_id, first_seq) VALUES ('case', ?1, ?2, ?3)",
                        params![a, who.device_id, m.seq],
                    )?;
                }
            }
            results.push(MutationResult {
                seq: m.seq,
                status: if outcome.is_ok() {
                    MutationStatus::Applied
                } else {
                    MutationStatus::Rejected
                },
                code: code.map(str::to_owned),
                message,
            });
            last = m.seq;
        }
        tx.execute(
            "UPDATE device SET last_seq = ?2 WHERE id = ?1",
            params![who.device_id, last],
        )?;
        tx.commit()?;
        Ok(PushResponse {
            server_epoch: epoch,
            acked_through: last,
            results,
        })
    }

    fn inbox(&self, who: &Principal, cursor: i64, limit: i64) -> Result<InboxPage, ApiError> {
        let limit = limit.clamp(1, 1000);
        let conn = self.lock();
        let epoch: String =
            conn.query_row("SELECT value FROM meta WHERE key = 'epoch'", [], |r| {
                r.get(0)
            })?;
        let mut st = conn.prepare(
            "SELECT cursor, event_id, case_id, kind, payload, server_version FROM inbox
             WHERE officer_id = ?1 AND cursor > ?2 ORDER BY cursor LIMIT ?3",
        )?;
        let rows = st.query_map(params![who.officer_id, cursor, limit + 1], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, i64>(5)?,
            ))
        })?;
        let mut events = Vec::new();
        for row in rows {
            let (c, event_id, case_id, kind, payload, server_version) = row?;
            events.push(InboxEvent {
                cursor: c,
                event_id,
                case_id,
                kind,
                payload: serde_json::from_str(&payload)
                    .map_err(|_| ApiError::new(ErrorKind::Internal, "收件箱载荷损坏"))?,
                server_version,
            });
        }
        let has_more = events.len() as i64 > limit;
        events.truncate(usize::try_from(limit).unwrap_or(1000));
        let next_cursor = events.last().map_or(cursor, |e| e.cursor);
        Ok(InboxPage {
            events,
            next_cursor,
            has_more,
            server_epoch: epoch,
        })
    }

    fn payment(&self, cb: &PaymentCallback, now: DateTime<Utc>) -> Result<bool, ApiError> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let seen: bool = tx
            .query_row(
                "SELECT 1 FROM payment WHERE reference = ?1",
                [&cb.reference],
                |_| Ok(()),
            )
            .optional()?
            .is_some();
        if seen {
            return Ok(false);
        }
        let case: Option<(String, String, i64)> = tx
            .query_row(
                "SELECT case_id, officer_id, server_version FROM cases WHERE document_number = ?1",
                [&cb.document_number],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let Some((case_id, officer, version)) = case else {
            return Err(ApiError::new(
                ErrorKind::NotFound,
                format!(
                    "没有文书编号为 {} 的案件（设备尚未同步？请稍后重试）",
                    cb.document_number
                ),
            ));
        };
        let version = version + 1;
        tx.execute(
            "INSERT INTO payment (reference, document_number, amount_fen, paid_at, case_id, received_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![cb.reference, cb.document_number, cb.amount_fen, cb.paid_at, case_id, ts(now)],
        )?;
        tx.execute(
            "UPDATE cases SET payment_confirmed = 1, server_version = ?2 WHERE case_id = ?1",
            params![case_id, version],
        )?;
        let payload = serde_json::json!({
            "amount_fen": cb.amount_fen, "paid_at": cb.paid_at, "reference": cb.reference,
        });
        tx.execute(
            "INSERT INTO inbox (event_id, officer_id, case_id, kind, payload, server_version, at)
             VALUES (?1, ?2, ?3, 'payment.confirmed', ?4, ?5, ?6)",
            params![
                format!("payment:{}", cb.reference),
                officer,
                case_id,
                payload.to_string(),
                version,
                ts(now)
            ],
        )?;
        Self::audit(&tx, now, "finance", "case.write", &case_id)?;
        tx.commit()?;
        Ok(true)
    }

    fn grant_lease(
        &self,
        who: &Principal,
        req: &LeaseRequest,
        now: DateTime<Utc>,
    ) -> Result<LeaseGrant, ApiError> {
        if req.township != who.township {
            return Err(ApiError::new(ErrorKind::Forbidden, "只能为本镇街申领号段"));
        }
        if !(1..=10_000).contains(&req.count) || !(2000..=9999).contains(&req.year) {
            return Err(ApiError::bad("号段数量须为 1–10000，年份须为四位数"));
        }
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let row = |r: &rusqlite::Row<'_>| {
            Ok(LeaseGrant {
                lease_id: r.get(0)?,
                township: r.get(1)?,
                series: r.get(2)?,
                year: r.get(3)?,
                start: r.get(4)?,
                end: r.get(5)?,
            })
        };
        if let Some(g) = tx
            .query_row(
                "SELECT id, township, series, year, start_no, end_no FROM lease WHERE device_id = ?1 AND request_id = ?2",
                params![who.device_id, req.request_id],
                row,
            )
            .optional()?
        {
            return Ok(g);
        }
        let next: i64 = tx
            .query_row(
                "SELECT next_no FROM lease_counter WHERE township = ?1 AND series = ?2 AND year = ?3",
                params![req.township, req.series, req.year],
                |r| r.get(0),
            )
            .optional()?
            .unwrap_or(1);
        let end = next + req.count - 1;
        tx.execute(
            "INSERT INTO lease_counter (township, series, year, next_no) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (township, series, year) DO UPDATE SET next_no = ?4",
            params![req.township, req.series, req.year, end + 1],
        )?;
        let id = uuid::Uuid::now_v7().to_string();
        tx.execute(
            "INSERT INTO lease (id, device_id, request_id, township, series, year, start_no, end_no, granted_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![id, who.device_id, req.request_id, req.township, req.series, req.year, next, end, ts(now)],
        )?;
        tx.commit()?;
        Ok(LeaseGrant {
            lease_id: id,
            township: req.township.clone(),
            series: req.series.clone(),
            year: req.year,
            start: next,
            end,
        })
    }

    fn publish_release(
        &self,
        release_id: &str,
        sha256: &str,
        size: u64,
        now: DateTime<Utc>,
    ) -> Result<i64, ApiError> {
        let conn = self.lock();
        if let Some((p, sha)) = conn
            .query_row(
                "SELECT publication, sha256 FROM catalogue_release WHERE release_id = ?1",
                [release_id],
                |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)),
            )
            .optional()?
        {
            if sha != sha256 {
                return Err(ApiError::bad(format!(
                    "版本 {release_id} 已以另一内容发布，发布的版本不可更改"
                )));
            }
            return Ok(p);
        }
        conn.execute(
            "INSERT INTO catalogue_release (release_id, sha256, size, published_at) VALUES (?1, ?2, ?3, ?4)",
            params![release_id, sha256, i64::try_from(size).unwrap_or(i64::MAX), ts(now)],
        )?;
        Ok(conn.last_insert_rowid())
    }

    fn latest_release(&self) -> Result<Option<CatalogueRelease>, ApiError> {
        Ok(self
            .lock()
            .query_row(
                "SELECT publication, release_id, sha256, size FROM catalogue_release ORDER BY publication DESC LIMIT 1",
                [],
                |r| {
                    let sha: String = r.get(2)?;
                    Ok(CatalogueRelease {
                        publication: r.get(0)?,
                        release_id: r.get(1)?,
                        snapshot_path: format!("/v1/catalogue/snapshots/{sha}"),
                        sha256: sha,
                        size: u64::try_from(r.get::<_, i64>(3)?).unwrap_or(0),
                    })
                },
            )
            .optional()?)
    }

    fn blob_exists(
        &self,
        who: &Principal,
        sha256: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, ApiError> {
        let conn = self.lock();
        let found = conn
            .query_row("SELECT 1 FROM blob WHERE sha256 = ?1", [sha256], |_| Ok(()))
            .optional()?
            .is_some();
        Self::audit(&conn, now, &who.actor(), "evidence.read", sha256)?;
        Ok(found)
    }

    fn upload_create(
        &self,
        who: &Principal,
        req: &UploadCreate,
        now: DateTime<Utc>,
    ) -> Result<UploadState, ApiError> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let verified = tx
            .query_row(
                "SELECT 1 FROM blob WHERE sha256 = ?1",
                [&req.sha256],
                |_| Ok(()),
            )
            .optional()?
            .is_some();
        let size = i64::try_from(req.size).map_err(|_| ApiError::bad("文件过大"))?;
        if verified {
            return Ok(UploadState {
                upload_id: String::new(),
                offset: req.size,
                size: req.size,
                verified: true,
            });
        }
        let existing: Option<(String, i64, i64)> = tx
            .query_row(
                "SELECT id, size, offset FROM upload WHERE sha256 = ?1",
                [&req.sha256],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let out = match existing {
            Some((id, s, off)) if s == size => UploadState {
                upload_id: id,
                offset: u64::try_from(off).unwrap_or(0),
                size: req.size,
                verified: false,
            },
            Some(_) => return Err(ApiError::bad("同一摘要的上传声明了不同的大小")),
            None => {
                let id = uuid::Uuid::now_v7().to_string();
                tx.execute(
                    "INSERT INTO upload (id, sha256, size, offset, media_type, device_id, created_at)
                     VALUES (?1, ?2, ?3, 0, ?4, ?5, ?6)",
                    params![id, req.sha256, size, req.media_type, who.device_id, ts(now)],
                )?;
                UploadState {
                    upload_id: id,
                    offset: 0,
                    size: req.size,
                    verified: false,
                }
            }
        };
        Self::audit(&tx, now, &who.actor(), "evidence.write", &req.sha256)?;
        tx.commit()?;
        Ok(out)
    }

    fn upload(&self, id: &str) -> Result<Option<UploadRow>, ApiError> {
        Ok(self
            .lock()
            .query_row(
                "SELECT id, sha256, size, offset FROM upload WHERE id = ?1",
                [id],
                |r| {
                    Ok(UploadRow {
                        id: r.get(0)?,
                        sha256: r.get(1)?,
                        size: u64::try_from(r.get::<_, i64>(2)?).unwrap_or(0),
                        offset: u64::try_from(r.get::<_, i64>(3)?).unwrap_or(0),
                    })
                },
            )
            .optional()?)
    }

    fn upload_advance(&self, id: &str, offset: u64) -> Result<(), ApiError> {
        self.lock().execute(
            "UPDATE upload SET offset = ?2 WHERE id = ?1",
            params![id, i64::try_from(offset).unwrap_or(i64::MAX)],
        )?;
        Ok(())
    }

    fn upload_complete(
        &self,
        who: &Principal,
        id: &str,
        now: DateTime<Utc>,
    ) -> Result<(), ApiError> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let (sha, size): (String, i64) =
            tx.query_row("SELECT sha256, size FROM upload WHERE id = ?1", [id], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?;
        tx.execute(
            "INSERT OR IGNORE INTO blob (sha256, size, verified_at) VALUES (?1, ?2, ?3)",
            params![sha, size, ts(now)],
        )?;
        tx.execute("DELETE FROM upload WHERE id = ?1", [id])?;
        Self::audit(&tx, now, &who.actor(), "evidence.write", &sha)?;
        tx.commit()?;
        Ok(())
    }

    fn upload_discard(&self, id: &str) -> Result<(), ApiError> {
        self.lock()
            .execute("DELETE FROM upload WHERE id = ?1", [id])?;
        Ok(())
    }

    fn cases(
        &self,
        scope: &Scope,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<CaseSummary>, ApiError> {
        let conn = self.lock();
        let (filter, arg) = match scope {
            Scope::Township(t) => ("WHERE c.township = ?1", t.clone()),
            Scope::District(d) => ("WHERE c.district = ?1", d.clone()),
            Scope::All => ("WHERE ?1 = ''", String::new()),
        };
        let sql = format!(
            "SELECT c.case_id, c.township, c.document_number, c.status, c.payment_confirmed,
                    (SELECT group_concat(ce.sha256) FROM case_evidence ce
                      WHERE ce.case_id = c.case_id AND ce.sha256 NOT IN (SELECT sha256 FROM blob))
             FROM cases c {filter} ORDER BY c.created_at, c.case_id"
        );
        let mut st = conn.prepare(&sql)?;
        let rows = st.query_map([&arg], |r| {
            let missing: Option<String> = r.get(5)?;
            let mut missing: Vec<String> = missing
                .map(|m| m.split(',').map(str::to_owned).collect())
                .unwrap_or_default();
            missing.sort();
            Ok(CaseSummary {
                case_id: r.get(0)?,
                township: r.get(1)?,
                document_number: r.get(2)?,
                status: r.get(3)?,
                payment_confirmed: r.get::<_, i64>(4)? == 1,
                evidence_complete: missing.is_empty(),
                evidence_missing: missing,
            })
        })?;
        let out: Vec<CaseSummary> = rows.collect::<Result<_, _>>()?;
        for c in &out {
            Self::audit(&conn, now, actor, "case.read", &c.case_id)?;
        }
        Ok(out)
    }

    fn revoke_device(&self, device_id: &str, now: DateTime<Utc>) -> Result<bool, ApiError> {
        let mut conn = self.lock();
        let tx = conn.transaction()?;
        let n = tx.execute(
            "UPDATE device SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
            params![device_id, ts(now)],
        )?;
        // Tokens stay: every use checks revoked_at and answers
        // device_revoked, so the device can tell the officer why.
        Self::audit(&tx, now, "operator", "device.revoke", device_id)?;
        tx.commit()?;
        Ok(n == 1)
    }

    fn clone_alarms(&self) -> Result<Vec<(String, i64)>, ApiError> {
        let conn = self.lock();
        let mut st = conn.prepare("SELECT device_id, seq FROM clone_alarm ORDER BY id")?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn audit_count(&self, action: &str) -> Result<i64, ApiError> {
        Ok(self.lock().query_row(
            "SELECT count(*) FROM audit WHERE action = ?1",
            [action],
            |r| r.get(0),
        )?)
    }

    fn inspection_findings(
        &self,
        department: Option<&str>,
        failed_only: bool,
    ) -> Result<Vec<crate::inspection::DepartmentFinding>, ApiError> {
        Ok(crate::inspection::findings(
            &self.lock(),
            department,
            failed_only,
        )?)
    }

    fn tasks(&self) -> Result<Vec<crate::inspection::TaskRow>, ApiError> {
        Ok(crate::inspection::tasks(&self.lock())?)
    }

    fn assign_task(
        &self,
        task: &crate::inspection::NewTask,
        now: DateTime<Utc>,
    ) -> Result<String, ApiError> {
        let stamp = uuid::Timestamp::from_unix(
            uuid::NoContext,
            u64::try_from(now.timestamp()).unwrap_or(0),
            now.timestamp_subsec_nanos(),
        );
        let id = uuid::Uuid::new_v7(stamp).to_string();
        match crate::inspection::assign(&mut self.lock(), task, &id, now)? {
            Ok(()) => Ok(id),
            Err((_, msg)) => Err(ApiError::new(ErrorKind::BadRequest, msg)),
        }
    }
}
