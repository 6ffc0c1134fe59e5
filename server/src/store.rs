//! The server's storage: one [`Storage`] trait with two backends,
//! [`SqliteStorage`] (the embedded default) and [`PgStorage`]
//! (`--database postgres://…`).
//!
//! The storage logic is written once, in this file, against the small SQL
//! abstraction of [`sql`] (a [`sql::Conn`] that runs parameterised
//! statements, a [`sql::Backend`] that runs a closure in one transaction);
//! [`sqlite`] and [`pg`] are its two drivers. The statements use the
//! dialect subset both databases share (see [`sql`]), so porting a new
//! method means writing it here once and adding its tables as a new
//! migration ([`migrate`], `server/migrations/`).
//!
//! Every push batch is one transaction holding the ledger rows, the
//! effects, the conflicts, the inbox rows and the audit rows; the response
//! is built only after COMMIT (SQLite `synchronous=FULL`, PostgreSQL's
//! durable commit), so an answered mutation is durable. SQLite has one
//! writer, so transactions commit in the order they began; PostgreSQL runs
//! them concurrently at SERIALIZABLE isolation and retries the ones it
//! aborts (see [`pg`]), which gives the same outcomes: the ledger and
//! `device.last_seq` move together, each (device, seq) is applied exactly
//! once, and the inbox cursor is commit-ordered (sync.md §6.11).

pub mod migrate;
pub mod pg;
pub mod sql;
pub mod sqlite;

use std::path::Path;

use base64::Engine as _;
use chrono::{DateTime, Datelike, Duration, SecondsFormat, Utc};
use sha2::{Digest, Sha256};
use zhifa_protocol::ErrorKind;
use zhifa_protocol::wire::{
    CaseSummary, CatalogueRelease, EnrolRequest, InboxEvent, InboxPage, LeaseGrant, LeaseRequest,
    OfficerInfo, PaymentCallback, PushRequest, PushResponse, RefreshRequest, TokenResponse,
    UploadCreate, UploadState,
};

use self::sql::{Conn, DbError, Fail, Row, p};
use crate::error::ApiError;

/// How long an access token lives.
pub const ACCESS_TTL: Duration = Duration::hours(1);
/// How long a refresh token lives (long offline periods).
pub const REFRESH_TTL: Duration = Duration::days(30);
/// How long a one-time enrolment code is valid.
pub const ENROL_CODE_TTL: Duration = Duration::days(7);

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
    /// The device that created it, its only reader and writer.
    pub device_id: String,
}

/// Everything the server stores, behind one interface with two backends
/// ([`SqliteStorage`], [`PgStorage`]) of identical semantics. Methods are
/// blocking; the HTTP layer calls them on the blocking pool.
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
    /// Grants (or returns the earlier grant of) a number lease, within the
    /// default [`crate::edges::LeaseQuota`].
    fn grant_lease(
        &self,
        who: &Principal,
        req: &LeaseRequest,
        now: DateTime<Utc>,
    ) -> Result<LeaseGrant, ApiError> {
        self.grant_lease_within(who, req, crate::edges::LeaseQuota::default(), now)
    }
    /// Grants (or returns the earlier grant of) a number lease; a new grant
    /// must keep the device within `quota` for the series and year (422
    /// `lease_quota` otherwise).
    fn grant_lease_within(
        &self,
        who: &Principal,
        req: &LeaseRequest,
        quota: crate::edges::LeaseQuota,
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
    /// Whether an evidence record `device_id` pushed names `sha256` (the
    /// device announced these bytes: it may hear that they are stored).
    fn evidence_named(&self, device_id: &str, sha256: &str) -> Result<bool, ApiError>;
    /// Records the durable offset of an upload.
    fn upload_advance(&self, id: &str, offset: u64) -> Result<(), ApiError>;
    /// Marks the upload's blob verified, drops the upload, updates cases.
    fn upload_complete(
        &self,
        who: &Principal,
        id: &str,
        now: DateTime<Utc>,
    ) -> Result<(), ApiError>;
    /// Records a blob found intact in the evidence store without an
    /// upload (dedup against the store); a no-op when the row exists.
    /// Drops a running upload of the same hash.
    fn blob_adopt(
        &self,
        who: &Principal,
        sha256: &str,
        size: u64,
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
    /// `GET /v1/cases` for a device: its scope's cases, the missing
    /// evidence hashes of its own cases only.
    fn device_cases(
        &self,
        who: &Principal,
        now: DateTime<Utc>,
    ) -> Result<Vec<CaseSummary>, ApiError>;
    /// Revokes a device: its tokens stop working at once.
    fn revoke_device(&self, device_id: &str, now: DateTime<Utc>) -> Result<bool, ApiError>;
    /// Clone alarms raised (device id, seq).
    fn clone_alarms(&self) -> Result<Vec<(String, i64)>, ApiError>;
    /// Number of audit rows for an action (tests and operators).
    fn audit_count(&self, action: &str) -> Result<i64, ApiError>;
    /// Ids of uploads created before `before` (RFC 3339): expired
    /// ([`crate::gc::SQL_EXPIRED_UPLOADS`]).
    fn expired_uploads(&self, before: &str) -> Result<Vec<String>, ApiError>;
    /// Verified blobs older than `before` that no case and no evidence
    /// record names ([`crate::gc::SQL_UNREFERENCED_BLOBS`]).
    fn unreferenced_blobs(&self, before: &str) -> Result<Vec<String>, ApiError>;
    /// Deletes a blob's row only if it is still unreferenced, in one
    /// transaction; true when deleted ([`crate::gc::SQL_FORGET_BLOB`]).
    fn forget_blob(&self, sha256: &str) -> Result<bool, ApiError>;
    /// Becomes the one server running the evidence collector on this
    /// database (PostgreSQL: a session advisory lock, released when the
    /// guard drops); `None` while another server runs it.
    fn elect_collector(&self) -> Result<Option<sql::Lease>, ApiError>;
    /// Whether a blob has a row ([`crate::gc::SQL_BLOB_KNOWN`]).
    fn blob_known(&self, sha256: &str) -> Result<bool, ApiError>;
    /// Every recorded blob with its size, in hash order (evidence verify).
    fn blobs(&self) -> Result<Vec<(String, u64)>, ApiError>;
    /// Joint-inspection findings of one department (or all) in the
    /// townships under `scope` (a code prefix, '' = all); `failed_only`
    /// keeps what the department must act on. Each inspection read is
    /// audited under `actor`.
    fn inspection_findings(
        &self,
        department: Option<&str>,
        failed_only: bool,
        scope: &str,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<crate::inspection::DepartmentFinding>, ApiError>;
    /// Tasks of the townships under `scope` with their closed-loop times.
    fn tasks(&self, scope: &str) -> Result<Vec<crate::inspection::TaskRow>, ApiError>;
    /// Assigns a task to an officer under `scope` (stored and queued to
    /// the inbox; `forbidden` outside it); returns its id.
    fn assign_task(
        &self,
        task: &crate::inspection::NewTask,
        now: DateTime<Utc>,
        scope: &str,
        actor: &str,
    ) -> Result<String, ApiError>;
    /// Creates a console account, or re-issues its token; returns the
    /// token (shown once: only its hash is stored).
    fn issue_staff(
        &self,
        staff: &crate::console::NewStaff,
        ttl: Duration,
        now: DateTime<Utc>,
    ) -> Result<String, ApiError>;
    /// Revokes a console account; true when it was active.
    fn revoke_staff(&self, id: &str, now: DateTime<Utc>) -> Result<bool, ApiError>;
    /// Every console account.
    fn staff(&self) -> Result<Vec<crate::console::Staff>, ApiError>;
    /// A legal-review account's result on a case, queued to the officer's
    /// inbox as `review.completed`.
    fn review_case(
        &self,
        case_id: &str,
        review: &crate::console::CaseReview,
        staff: &crate::console::Staff,
        now: DateTime<Utc>,
    ) -> Result<(), ApiError>;
    /// The command centre reassigns a case (`case.reassigned` to the
    /// officer's inbox); false when that officer already has it.
    fn reassign_case(
        &self,
        case_id: &str,
        to: &crate::console::CaseReassign,
        staff: &crate::console::Staff,
        now: DateTime<Utc>,
    ) -> Result<bool, ApiError>;
    /// The console account of a bearer token (`unauthorized` when unknown,
    /// expired or revoked).
    fn authenticate_staff(
        &self,
        token: &str,
        now: DateTime<Utc>,
    ) -> Result<crate::console::Staff, ApiError>;
    /// What the 亮码 certificate and page need of a device
    /// ([`crate::badge::subject`]).
    fn badge_subject(
        &self,
        device_id: &str,
    ) -> Result<Option<crate::badge::DeviceSubject>, ApiError>;
    /// Records an officer's 执法证号 and township name; false when the
    /// officer is unknown.
    fn badge_set_credential(
        &self,
        officer_id: &str,
        credential_no: &str,
        township_name: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, ApiError>;
    /// Stores a 亮码 rating unless its token has one; true when stored.
    fn badge_rate(&self, row: &crate::badge::RatingRow) -> Result<crate::badge::Rated, ApiError>;
    /// How many times a token's page was viewed (signatures holding).
    fn badge_view_count(&self, token_id: &str) -> Result<i64, ApiError>;
    /// The rating of one token (by [`zhifa_protocol::badge::token_id`]).
    fn badge_rating(&self, token_id: &str) -> Result<Option<crate::badge::RatingRow>, ApiError>;
    /// Every rating, or a district's (6-digit code), newest first.
    fn badge_ratings(
        &self,
        district: Option<&str>,
    ) -> Result<Vec<crate::badge::RatingRow>, ApiError>;
    /// Audits one verification of a 亮码 and its result code.
    fn badge_audit(&self, token_id: &str, code: &str, now: DateTime<Utc>) -> Result<(), ApiError>;
    /// Runs a read of the record (`crate::record`) on a read connection
    /// with the record keeper; its answer as JSON.
    fn record_read(
        &self,
        f: &mut dyn FnMut(&mut dyn Conn, &crate::record::Keeper) -> Result<serde_json::Value, Fail>,
    ) -> Result<serde_json::Value, ApiError>;
    /// Runs `f` in one write transaction with the record keeper (reads
    /// that write their audit row).
    fn record_write(
        &self,
        f: &mut dyn FnMut(&mut dyn Conn, &crate::record::Keeper) -> Result<serde_json::Value, Fail>,
    ) -> Result<serde_json::Value, ApiError>;
}

/// The storage logic, once, over either database: every [`Storage`]
/// method is written against [`sql::Conn`] and runs through the
/// backend's [`sql::Backend::write`] (one transaction, retried on
/// PostgreSQL serialization conflicts) or [`sql::Backend::read`].
#[derive(Debug)]
pub struct Db<B> {
    b: B,
    /// The record keeper (vault, published releases) of the push path and
    /// the record reads (`crate::record`).
    keeper: std::sync::Arc<crate::record::Keeper>,
}

impl<B> Db<B> {
    fn over(b: B) -> Self {
        Self {
            b,
            keeper: std::sync::Arc::new(crate::record::Keeper::ephemeral()),
        }
    }

    /// Uses `keeper` for the records (the service's vault and catalogue
    /// folder); set before the storage is shared.
    pub fn with_keeper(mut self, keeper: std::sync::Arc<crate::record::Keeper>) -> Self {
        self.keeper = keeper;
        self
    }
}

/// The SQLite backend (the embedded default).
pub type SqliteStorage = Db<sqlite::Sqlite>;
/// The PostgreSQL backend (`--database postgres://…`).
pub type PgStorage = Db<pg::Postgres>;

impl SqliteStorage {
    /// Opens (creating) the database file.
    pub fn open(path: &Path) -> Result<Self, ApiError> {
        Ok(Db::over(sqlite::Sqlite::open(path)?))
    }

    /// An in-memory database (tests and benchmarks).
    pub fn in_memory() -> Result<Self, ApiError> {
        Ok(Db::over(sqlite::Sqlite::in_memory()?))
    }
}

impl PgStorage {
    /// Connects to a PostgreSQL database, creating or checking its schema.
    pub fn connect(url: &str) -> Result<Self, pg::OpenError> {
        Ok(Db::over(pg::Postgres::open(url)?))
    }

    /// The connection target without its password (for logs).
    pub fn target(&self) -> &str {
        self.b.target()
    }
}

fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// A UUIDv7 at the server's `now` (ids of server-made records).
fn new_id(now: DateTime<Utc>) -> String {
    let stamp = uuid::Timestamp::from_unix(
        uuid::NoContext,
        u64::try_from(now.timestamp()).unwrap_or(0),
        now.timestamp_subsec_nanos(),
    );
    uuid::Uuid::new_v7(stamp).to_string()
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

fn epoch_of(tx: &mut dyn Conn) -> Result<String, DbError> {
    tx.query_one("SELECT value FROM meta WHERE key = 'epoch'", p![])?
        .get(0)
}

fn issue_tokens(
    tx: &mut dyn Conn,
    device_id: &str,
    now: DateTime<Utc>,
) -> Result<TokenResponse, Fail> {
    let access = random_token()?;
    let refresh = random_token()?;
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

/// Appends an audit row (time, actor, action, object) on the caller's
/// transaction: every read and write of case and evidence data.
pub(crate) fn audit(
    tx: &mut dyn Conn,
    now: DateTime<Utc>,
    actor: &str,
    action: &str,
    object: &str,
) -> Result<(), DbError> {
    tx.exec(
        "INSERT INTO audit (at, actor, action, object) VALUES (?1, ?2, ?3, ?4)",
        p![ts(now), actor, action, object],
    )?;
    Ok(())
}

/// The number series a device may lease: the on-the-spot decision and the
/// order to correct (document numbers, 行政处罚法 Art. 52 "编有号码"), and the
/// payment codes printed beside them.
const LEASE_SERIES: [&str; 3] = [
    zhifa_core::case::config::SERIES_DECISION,
    zhifa_core::case::config::SERIES_ORDER,
    zhifa_core::case::numbers::PAYMENT_CODE_SERIES,
];

/// Refuses (`lease_refused`) a lease of a series nobody numbers or of a
/// year the server's own clock does not allow. A document number carries
/// the year of its decision, so a lease is only worth granting for a year a
/// device can decide in: the current Beijing (UTC+8) year, the next one from
/// 31 days before New Year (a device on patrol over New Year holds numbers
/// for 1 January) and the previous one for 2 days after it (a device clock
/// a little behind). Anything else is a corrupted request or a device clock
/// far off; granting it would leave the device holding numbers it can never
/// print while it believes its leases are full.
fn check_lease_request(req: &LeaseRequest, now: DateTime<Utc>) -> Result<(), ApiError> {
    if !LEASE_SERIES.contains(&req.series.as_str()) {
        return Err(ApiError::new(
            ErrorKind::LeaseRefused,
            format!("未知的号段序列 {}", req.series),
        ));
    }
    let beijing_year = |t: DateTime<Utc>| (t + Duration::hours(8)).year();
    let first = beijing_year(now - Duration::days(2));
    let last = beijing_year(now + Duration::days(31));
    if !(first..=last).contains(&req.year) {
        return Err(ApiError::new(
            ErrorKind::LeaseRefused,
            format!(
                "只能申领 {first}–{last} 年的号段（按服务器时间），请求的是 {} 年；请检查本机日期",
                req.year
            ),
        ));
    }
    Ok(())
}

/// The lease quota of one device for one (township, series, year):
/// numbers leased and not reported used or voided, and numbers granted in
/// the last 24 hours, each with this request's count added, within
/// `quota`. Read in the grant's own transaction, so two concurrent
/// requests cannot both pass on the same room.
fn check_lease_quota(
    tx: &mut dyn Conn,
    who: &Principal,
    req: &LeaseRequest,
    quota: crate::edges::LeaseQuota,
    now: DateTime<Utc>,
) -> Result<(), Fail> {
    let r = tx.query_one(
        "SELECT CAST(COALESCE(SUM(end_no - start_no + 1), 0) AS BIGINT),
                CAST(COALESCE(SUM(CASE WHEN granted_at >= ?5 THEN end_no - start_no + 1 ELSE 0 END), 0) AS BIGINT)
         FROM lease WHERE device_id = ?1 AND township = ?2 AND series = ?3 AND year = ?4",
        p![who.device_id, req.township, req.series, req.year, ts(now - Duration::days(1))],
    )?;
    let (granted, granted_today): (i64, i64) = (r.get(0)?, r.get(1)?);
    let used: i64 = tx
        .query_one(
            "SELECT count(*) FROM number_use WHERE device_id = ?1 AND township = ?2 AND series = ?3 AND year = ?4",
            p![who.device_id, req.township, req.series, req.year],
        )?
        .get(0)?;
    let outstanding = (granted - used).max(0);
    if outstanding.saturating_add(req.count) > quota.max_outstanding {
        return Err(ApiError::new(
            ErrorKind::LeaseQuota,
            format!(
                "本设备已持有 {outstanding} 个未使用的 {} 号码，再领 {} 个将超过上限 {}；请先使用并同步",
                req.series, req.count, quota.max_outstanding
            ),
        )
        .into());
    }
    if granted_today.saturating_add(req.count) > quota.max_per_day {
        return Err(ApiError::new(
            ErrorKind::LeaseQuota,
            format!(
                "本设备 24 小时内已申领 {granted_today} 个 {} 号码，再领 {} 个将超过每日上限 {}",
                req.series, req.count, quota.max_per_day
            ),
        )
        .into());
    }
    Ok(())
}

fn lease_grant(r: &Row) -> Result<LeaseGrant, DbError> {
    Ok(LeaseGrant {
        lease_id: r.get(0)?,
        township: r.get(1)?,
        series: r.get(2)?,
        year: r.get(3)?,
        start: r.get(4)?,
        end: r.get(5)?,
    })
}

fn size_of(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

impl<B: sql::Backend> Db<B> {
    /// The cases of `scope`; with `owner`, the missing evidence hashes are
    /// listed for that device's own cases only (finding 4).
    fn cases_of(
        &self,
        scope: &Scope,
        owner: Option<&str>,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<CaseSummary>, ApiError> {
        let (filter, arg) = match scope {
            Scope::Township(t) => ("WHERE c.township = ?1", t.as_str()),
            Scope::District(d) => ("WHERE c.district = ?1", d.as_str()),
            Scope::All => ("WHERE ?1 = ''", ""),
        };
        // One row per (case, missing original); NULL when none is missing.
        let sql = format!(
            "SELECT c.case_id, c.township, c.document_number, c.status, c.payment_confirmed, m.sha256,
                    pn.provisional, c.device_id
             FROM cases c
             LEFT JOIN provisional_number pn ON pn.case_id = c.case_id AND pn.series = 'decision_on_the_spot'
             LEFT JOIN (
               SELECT ce.case_id, ce.sha256 FROM case_evidence ce
                WHERE NOT EXISTS (SELECT 1 FROM blob b WHERE b.sha256 = ce.sha256)
             ) m ON m.case_id = c.case_id
             {filter} ORDER BY c.created_at, c.case_id, m.sha256"
        );
        self.b.write(&mut |tx| {
            let mut out: Vec<CaseSummary> = Vec::new();
            for r in tx.query(&sql, p![arg])? {
                let case_id: String = r.get(0)?;
                let missing: Option<String> = r.get(5)?;
                if out.last().is_none_or(|c| c.case_id != case_id) {
                    out.push(CaseSummary {
                        case_id,
                        township: r.get(1)?,
                        document_number: r.get(2)?,
                        status: r.get(3)?,
                        payment_confirmed: r.get::<i64>(4)? == 1,
                        evidence_complete: true,
                        evidence_missing: Vec::new(),
                        provisional_number: r.get(6)?,
                    });
                }
                if let (Some(sha), Some(c)) = (missing, out.last_mut()) {
                    // A device hears the missing hashes of its own cases
                    // only (they are what it must upload); of a colleague's
                    // case just that something is missing.
                    let holder: String = r.get(7)?;
                    if owner.is_none_or(|d| d == holder) {
                        c.evidence_missing.push(sha);
                    }
                    c.evidence_complete = false;
                }
            }
            for c in &out {
                audit(tx, now, actor, "case.read", &c.case_id)?;
            }
            Ok(out)
        })
    }
}

impl<B: sql::Backend> Storage for Db<B> {
    fn epoch(&self) -> Result<String, ApiError> {
        self.b.read(&mut |c| Ok(epoch_of(c)?))
    }

    fn upsert_officer(&self, o: &OfficerRow) -> Result<(), ApiError> {
        self.b.write(&mut |tx| {
            tx.exec(
                "INSERT INTO officer (id, name, township, district, role) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (id) DO UPDATE SET name = excluded.name, township = excluded.township,
                   district = excluded.district, role = excluded.role",
                p![o.id, o.name, o.township, district_of(&o.township), o.role],
            )?;
            Ok(())
        })
    }

    fn add_enrol_code(
        &self,
        officer: &str,
        code: &str,
        now: DateTime<Utc>,
    ) -> Result<(), ApiError> {
        self.b.write(&mut |tx| {
            tx.exec(
                "INSERT INTO enrol_code (code_sha256, officer_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)",
                p![sha_hex(code), officer, ts(now), ts(now + ENROL_CODE_TTL)],
            )?;
            Ok(())
        })
    }

    fn enrol(&self, req: &EnrolRequest, now: DateTime<Utc>) -> Result<TokenResponse, ApiError> {
        self.b.write(&mut |tx| {
            let row = tx.query_opt(
                "SELECT officer_id, expires_at, used_at, device_id FROM enrol_code WHERE code_sha256 = ?1 FOR UPDATE",
                p![sha_hex(&req.code)],
            )?;
            let invalid =
                || ApiError::new(ErrorKind::EnrolCodeInvalid, "激活码无效、已使用或已过期");
            let Some(row) = row else {
                return Err(invalid().into());
            };
            let (officer, expires, used, used_by): (String, String, Option<String>, Option<String>) =
                (row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?);
            // A code is single use, except that the device that used it may
            // repeat the enrolment (its answer may have been lost); the key
            // check below makes that safe.
            if (used.is_some() && used_by.as_deref() != Some(req.device_id.as_str()))
                || expires < ts(now)
            {
                return Err(invalid().into());
            }
            let known = tx.query_opt(
                "SELECT public_key, revoked_at FROM device WHERE id = ?1",
                p![req.device_id],
            )?;
            let known: Option<(String, Option<String>)> = match known {
                Some(r) => Some((r.get(0)?, r.get(1)?)),
                None => None,
            };
            match known {
                Some((_, Some(_))) => {
                    return Err(ApiError::new(ErrorKind::DeviceRevoked, "此设备已被停用").into());
                }
                Some((key, None)) if key != req.public_key => {
                    return Err(ApiError::new(
                        ErrorKind::Forbidden,
                        "此设备编号已以另一把密钥注册",
                    )
                    .into());
                }
                Some(_) => {
                    tx.exec(
                        "UPDATE device SET officer_id = ?2 WHERE id = ?1",
                        p![req.device_id, officer],
                    )?;
                }
                None => {
                    tx.exec(
                        "INSERT INTO device (id, officer_id, public_key, enrolled_at) VALUES (?1, ?2, ?3, ?4)",
                        p![req.device_id, officer, req.public_key, ts(now)],
                    )?;
                }
            }
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

    fn device_key(&self, device_id: &str) -> Result<Option<String>, ApiError> {
        self.b.read(&mut |c| {
            Ok(
                c.query_opt("SELECT public_key FROM device WHERE id = ?1", p![device_id])?
                    .map(|r| r.get(0))
                    .transpose()?,
            )
        })
    }

    fn refresh(&self, req: &RefreshRequest, now: DateTime<Utc>) -> Result<TokenResponse, ApiError> {
        self.b.write(&mut |tx| {
            let row = tx.query_opt(
                "SELECT t.device_id, t.expires_at, t.used_at, d.revoked_at FROM token t JOIN device d ON d.id = t.device_id
                 WHERE t.token_sha256 = ?1 AND t.kind = 'refresh'",
                p![sha_hex(&req.refresh_token)],
            )?;
            let invalid =
                || ApiError::new(ErrorKind::RefreshInvalid, "刷新令牌无效、已使用或已过期");
            let Some(row) = row else {
                return Err(invalid().into());
            };
            let (device, expires, used, revoked): (String, String, Option<String>, Option<String>) =
                (row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?);
            if revoked.is_some() {
                return Err(ApiError::new(ErrorKind::DeviceRevoked, "此设备已被停用").into());
            }
            // Rotated on every refresh. A used token is still accepted for a
            // day: the answer carrying its successor may have been lost, and
            // every refresh must be signed by the device key anyway.
            let stale = used.is_some_and(|u| u < ts(now - Duration::days(1)));
            if device != req.device_id || stale || expires < ts(now) {
                return Err(invalid().into());
            }
            tx.exec(
                "UPDATE token SET used_at = ?2 WHERE token_sha256 = ?1",
                p![sha_hex(&req.refresh_token), ts(now)],
            )?;
            issue_tokens(tx, &device, now)
        })
    }

    fn authenticate(&self, token: &str, now: DateTime<Utc>) -> Result<Principal, ApiError> {
        let row = self.b.read(&mut |c| {
            Ok(c.query_opt(
                "SELECT d.id, t.expires_at, d.revoked_at, d.public_key, o.id, o.township, o.district, o.role
                 FROM token t JOIN device d ON d.id = t.device_id JOIN officer o ON o.id = d.officer_id
                 WHERE t.token_sha256 = ?1 AND t.kind = 'access'",
                p![sha_hex(token)],
            )?)
        })?;
        let Some(r) = row else {
            return Err(ApiError::new(ErrorKind::Unauthorized, "未登录或令牌无效"));
        };
        let expires: String = r.get(1).map_err(ApiError::from)?;
        let revoked: Option<String> = r.get(2).map_err(ApiError::from)?;
        if revoked.is_some() {
            return Err(ApiError::new(ErrorKind::DeviceRevoked, "此设备已被停用"));
        }
        if expires < ts(now) {
            return Err(ApiError::new(ErrorKind::Unauthorized, "访问令牌已过期"));
        }
        let get = |i| r.get::<String>(i).map_err(ApiError::from);
        Ok(Principal {
            device_id: get(0)?,
            public_key: get(3)?,
            officer_id: get(4)?,
            township: get(5)?,
            district: get(6)?,
            role: get(7)?,
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
        let who = crate::push::Who {
            device_id: &who.device_id,
            officer_id: &who.officer_id,
            township: &who.township,
        };
        let keeper = self.keeper.clone();
        self.b
            .write(&mut |tx| crate::push::push_tx(tx, &keeper, &who, req, now))
    }

    fn inbox(&self, who: &Principal, cursor: i64, limit: i64) -> Result<InboxPage, ApiError> {
        let limit = limit.clamp(1, 1000);
        self.b.read(&mut |c| {
            let epoch = epoch_of(c)?;
            let rows = c.query(
                "SELECT cursor, event_id, case_id, kind, payload, server_version FROM inbox
                 WHERE officer_id = ?1 AND cursor > ?2 ORDER BY cursor LIMIT ?3",
                p![who.officer_id, cursor, limit + 1],
            )?;
            let mut events = Vec::with_capacity(rows.len());
            for r in rows {
                let payload: String = r.get(4)?;
                events.push(InboxEvent {
                    cursor: r.get(0)?,
                    event_id: r.get(1)?,
                    case_id: r.get(2)?,
                    kind: r.get(3)?,
                    payload: serde_json::from_str(&payload)
                        .map_err(|_| ApiError::new(ErrorKind::Internal, "收件箱载荷损坏"))?,
                    server_version: r.get(5)?,
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
        })
    }

    fn payment(&self, cb: &PaymentCallback, now: DateTime<Utc>) -> Result<bool, ApiError> {
        self.b.write(&mut |tx| {
            if tx.exists(
                "SELECT 1 FROM payment WHERE reference = ?1",
                p![cb.reference],
            )? {
                return Ok(false);
            }
            let mut case = tx.query_opt(
                "SELECT case_id, officer_id, server_version FROM cases WHERE document_number = ?1",
                p![cb.document_number],
            )?;
            // The party may quote the provisional number printed on the
            // decision (payment codes used up offline): it is matched
            // through the provisional → final mapping, when unambiguous.
            if case.is_none() {
                let rows = tx.query(
                    "SELECT c.case_id, c.officer_id, c.server_version FROM provisional_number n
                     JOIN cases c ON c.case_id = n.case_id WHERE n.provisional = ?1 LIMIT 2",
                    p![cb.document_number],
                )?;
                if rows.len() == 1 {
                    case = rows.into_iter().next();
                }
            }
            let Some(case) = case else {
                return Err(ApiError::new(
                    ErrorKind::NotFound,
                    format!(
                        "没有文书编号为 {} 的案件（设备尚未同步？请稍后重试）",
                        cb.document_number
                    ),
                )
                .into());
            };
            let (case_id, officer, version): (String, String, i64) =
                (case.get(0)?, case.get(1)?, case.get(2)?);
            // One confirmed payment per case: the same payment again under
            // another reference is already recorded; a different one is
            // refused for a person to look at (never a second event).
            if let Some(prev) = tx.query_opt(
                "SELECT amount_fen, paid_at FROM payment WHERE case_id = ?1 LIMIT 1",
                p![case_id],
            )? {
                let (amount, paid_at): (i64, String) = (prev.get(0)?, prev.get(1)?);
                if amount == cb.amount_fen && paid_at == cb.paid_at {
                    return Ok(false);
                }
                return Err(ApiError::new(
                    ErrorKind::PaymentConflict,
                    format!(
                        "文书 {} 已确认过一笔不同的缴款（{} 分，{}）",
                        cb.document_number, amount, paid_at
                    ),
                )
                .into());
            }
            let version = version + 1;
            tx.exec(
                "INSERT INTO payment (reference, document_number, amount_fen, paid_at, case_id, received_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                p![cb.reference, cb.document_number, cb.amount_fen, cb.paid_at, case_id, ts(now)],
            )?;
            tx.exec(
                "UPDATE cases SET payment_confirmed = 1, server_version = ?2 WHERE case_id = ?1",
                p![case_id, version],
            )?;
            let payload = serde_json::json!({
                "amount_fen": cb.amount_fen, "paid_at": cb.paid_at, "reference": cb.reference,
            });
            tx.commit_ordered("inbox")?;
            tx.exec(
                "INSERT INTO inbox (event_id, officer_id, case_id, kind, payload, server_version, at)
                 VALUES (?1, ?2, ?3, 'payment.confirmed', ?4, ?5, ?6)",
                p![
                    format!("payment:{}", cb.reference),
                    officer,
                    case_id,
                    payload.to_string(),
                    version,
                    ts(now)
                ],
            )?;
            audit(tx, now, "finance", "case.write", &case_id)?;
            Ok(true)
        })
    }

    fn grant_lease_within(
        &self,
        who: &Principal,
        req: &LeaseRequest,
        quota: crate::edges::LeaseQuota,
        now: DateTime<Utc>,
    ) -> Result<LeaseGrant, ApiError> {
        if req.township != who.township {
            return Err(ApiError::new(ErrorKind::Forbidden, "只能为本镇街申领号段"));
        }
        if !(1..=zhifa_protocol::wire::MAX_LEASE_COUNT).contains(&req.count)
            || !(2000..=9999).contains(&req.year)
        {
            return Err(ApiError::bad("号段数量须为 1–10000，年份须为四位数"));
        }
        check_lease_request(req, now)?;
        self.b.write(&mut |tx| {
            if let Some(g) = tx.query_opt(
                "SELECT id, township, series, year, start_no, end_no FROM lease WHERE device_id = ?1 AND request_id = ?2",
                p![who.device_id, req.request_id],
            )? {
                return Ok(lease_grant(&g)?);
            }
            check_lease_quota(tx, who, req, quota, now)?;
            let next: i64 = tx
                .query_opt(
                    "SELECT next_no FROM lease_counter WHERE township = ?1 AND series = ?2 AND year = ?3 FOR UPDATE",
                    p![req.township, req.series, req.year],
                )?
                .map(|r| r.get(0))
                .transpose()?
                .unwrap_or(1);
            let end = next + req.count - 1;
            tx.exec(
                "INSERT INTO lease_counter (township, series, year, next_no) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (township, series, year) DO UPDATE SET next_no = excluded.next_no",
                p![req.township, req.series, req.year, end + 1],
            )?;
            let id = uuid::Uuid::now_v7().to_string();
            tx.exec(
                "INSERT INTO lease (id, device_id, request_id, township, series, year, start_no, end_no, granted_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                p![id, who.device_id, req.request_id, req.township, req.series, req.year, next, end, ts(now)],
            )?;
            Ok(LeaseGrant {
                lease_id: id,
                township: req.township.clone(),
                series: req.series.clone(),
                year: req.year,
                start: next,
                end,
            })
        })
    }

    fn publish_release(
        &self,
        release_id: &str,
        sha256: &str,
        size: u64,
        now: DateTime<Utc>,
    ) -> Result<i64, ApiError> {
        self.b.write(&mut |tx| {
            if let Some(r) = tx.query_opt(
                "SELECT publication, sha256 FROM catalogue_release WHERE release_id = ?1",
                p![release_id],
            )? {
                let (p, sha): (i64, String) = (r.get(0)?, r.get(1)?);
                if sha != sha256 {
                    return Err(ApiError::bad(format!(
                        "版本 {release_id} 已以另一内容发布，发布的版本不可更改"
                    ))
                    .into());
                }
                return Ok(p);
            }
            Ok(tx
                .query_one(
                    "INSERT INTO catalogue_release (release_id, sha256, size, published_at) VALUES (?1, ?2, ?3, ?4)
                     RETURNING publication",
                    p![release_id, sha256, i64::try_from(size).unwrap_or(i64::MAX), ts(now)],
                )?
                .get(0)?)
        })
    }

    fn latest_release(&self) -> Result<Option<CatalogueRelease>, ApiError> {
        self.b.read(&mut |c| {
            let Some(r) = c.query_opt(
                "SELECT publication, release_id, sha256, size FROM catalogue_release ORDER BY publication DESC LIMIT 1",
                p![],
            )?
            else {
                return Ok(None);
            };
            let sha: String = r.get(2)?;
            Ok(Some(CatalogueRelease {
                publication: r.get(0)?,
                release_id: r.get(1)?,
                snapshot_path: format!("/v1/catalogue/snapshots/{sha}"),
                sha256: sha,
                size: size_of(r.get(3)?),
            }))
        })
    }

    fn blob_exists(
        &self,
        who: &Principal,
        sha256: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, ApiError> {
        self.b.write(&mut |tx| {
            // Scoped: only to the device that announced the bytes, or one
            // whose township's cases name them; to anyone else a stored
            // blob is as unknown as a missing one (no existence oracle).
            let found = tx.exists(
                "SELECT 1 FROM blob b WHERE b.sha256 = ?1 AND (
                    EXISTS (SELECT 1 FROM evidence e WHERE e.sha256 = ?1 AND e.device_id = ?2)
                    OR EXISTS (SELECT 1 FROM case_evidence ce JOIN cases c ON c.case_id = ce.case_id
                               WHERE ce.sha256 = ?1 AND c.township = ?3))",
                p![sha256, who.device_id, who.township],
            )?;
            audit(tx, now, &who.actor(), "evidence.read", sha256)?;
            Ok(found)
        })
    }

    fn upload_create(
        &self,
        who: &Principal,
        req: &UploadCreate,
        now: DateTime<Utc>,
    ) -> Result<UploadState, ApiError> {
        let size = i64::try_from(req.size).map_err(|_| ApiError::bad("文件过大"))?;
        self.b.write(&mut |tx| {
            // Uploads are the announcing device's: a stored blob is
            // `verified` only to a device whose own evidence record names
            // it; to any other it is as unknown as a missing one (it gets an
            // upload of its own, and the bytes it sends must hash right).
            let announced = tx.exists(
                "SELECT 1 FROM evidence WHERE sha256 = ?1 AND device_id = ?2",
                p![req.sha256, who.device_id],
            )?;
            let stored = if announced {
                tx.query_opt("SELECT size FROM blob WHERE sha256 = ?1", p![req.sha256])?
            } else {
                None
            };
            if let Some(r) = stored {
                // The stored bytes have this hash; a declaration of another
                // size cannot describe them, and is never confirmed as if it
                // did (found by the upload_patch fuzz target).
                if r.get::<i64>(0)? != size {
                    return Err(ApiError::new(
                        ErrorKind::BlobHashMismatch,
                        "声明的文件大小与已保存的同一文件不符",
                    )
                    .into());
                }
                return Ok(UploadState {
                    upload_id: String::new(),
                    offset: req.size,
                    size: req.size,
                    verified: true,
                });
            }
            let existing = tx.query_opt(
                "SELECT id, size, \"offset\", device_id FROM upload WHERE sha256 = ?1",
                p![req.sha256],
            )?;
            if let Some(r) = &existing
                && r.get::<String>(3)? != who.device_id
                && !(announced && r.get::<i64>(1)? == size)
            {
                // Another device's upload of the same bytes is never handed
                // to a device that did not announce them, and never
                // replaced; the caller tries again once it is done or has
                // expired. A device whose own signed evidence record names
                // the same bytes and size shares it (it holds the bytes;
                // per-device staging is the follow-up, docs/AUTHZ.md).
                return Err(ApiError::new(
                    ErrorKind::Unavailable,
                    "另一台设备正在上传同一文件，请稍后重试",
                )
                .into());
            }
            let out = match existing {
                Some(r) if r.get::<i64>(1)? == size => UploadState {
                    upload_id: r.get(0)?,
                    offset: size_of(r.get(2)?),
                    size: req.size,
                    verified: false,
                },
                other => {
                    // An unfinished upload of this digest declared another
                    // size (a corrupted or wrong declaration): only the
                    // whole file's SHA-256 decides, so it can never block
                    // the right one — it is replaced, and its partial file
                    // is left to `gc` (an orphan once its row is gone).
                    if let Some(r) = other {
                        let old: String = r.get(0)?;
                        tx.exec("DELETE FROM upload WHERE id = ?1", p![old])?;
                        tracing::warn!(upload = %old, "upload replaced: same digest, another size");
                    }
                    let id = uuid::Uuid::now_v7().to_string();
                    tx.exec(
                        "INSERT INTO upload (id, sha256, size, \"offset\", media_type, device_id, created_at)
                         VALUES (?1, ?2, ?3, 0, ?4, ?5, ?6)",
                        p![id, req.sha256, size, req.media_type, who.device_id, ts(now)],
                    )?;
                    UploadState {
                        upload_id: id,
                        offset: 0,
                        size: req.size,
                        verified: false,
                    }
                }
            };
            audit(tx, now, &who.actor(), "evidence.write", &req.sha256)?;
            Ok(out)
        })
    }

    fn upload(&self, id: &str) -> Result<Option<UploadRow>, ApiError> {
        self.b.read(&mut |c| {
            let Some(r) = c.query_opt(
                "SELECT id, sha256, size, \"offset\", device_id FROM upload WHERE id = ?1",
                p![id],
            )?
            else {
                return Ok(None);
            };
            Ok(Some(UploadRow {
                id: r.get(0)?,
                sha256: r.get(1)?,
                size: size_of(r.get(2)?),
                offset: size_of(r.get(3)?),
                device_id: r.get(4)?,
            }))
        })
    }

    fn evidence_named(&self, device_id: &str, sha256: &str) -> Result<bool, ApiError> {
        self.b.read(&mut |c| {
            Ok(c.exists(
                "SELECT 1 FROM evidence WHERE sha256 = ?1 AND device_id = ?2",
                p![sha256, device_id],
            )?)
        })
    }

    fn upload_advance(&self, id: &str, offset: u64) -> Result<(), ApiError> {
        self.b.write(&mut |tx| {
            tx.exec(
                "UPDATE upload SET \"offset\" = ?2 WHERE id = ?1",
                p![id, i64::try_from(offset).unwrap_or(i64::MAX)],
            )?;
            Ok(())
        })
    }

    fn upload_complete(
        &self,
        who: &Principal,
        id: &str,
        now: DateTime<Utc>,
    ) -> Result<(), ApiError> {
        self.b.write(&mut |tx| {
            // Gone between the handler's read and here: another device's
            // POST of the same bytes found them in the store after this
            // completion's put and adopted them (`blob_adopt` drops the
            // upload). Answered 404 as `blob_adopt` intends: the device
            // re-POSTs and is told `verified`.
            let Some(r) = tx.query_opt("SELECT sha256, size FROM upload WHERE id = ?1", p![id])?
            else {
                return Err(ApiError::new(
                    ErrorKind::NotFound,
                    "上传已由同一内容的存证记录取代，请重新查询",
                )
                .into());
            };
            let (sha, size): (String, i64) = (r.get(0)?, r.get(1)?);
            tx.exec(
                "INSERT INTO blob (sha256, size, verified_at) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
                p![sha, size, ts(now)],
            )?;
            tx.exec("DELETE FROM upload WHERE id = ?1", p![id])?;
            audit(tx, now, &who.actor(), "evidence.write", &sha)?;
            Ok(())
        })
    }

    fn blob_adopt(
        &self,
        who: &Principal,
        sha256: &str,
        size: u64,
        now: DateTime<Utc>,
    ) -> Result<(), ApiError> {
        let size = i64::try_from(size).map_err(|_| ApiError::bad("文件过大"))?;
        self.b.write(&mut |tx| {
            tx.exec(
                "INSERT INTO blob (sha256, size, verified_at) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
                p![sha256, size, ts(now)],
            )?;
            // Keep "no upload while a blob row exists" (gc.rs): a running
            // upload of these bytes is answered 404, re-POSTs, gets `verified`.
            tx.exec("DELETE FROM upload WHERE sha256 = ?1", p![sha256])?;
            audit(tx, now, &who.actor(), "evidence.write", sha256)?;
            Ok(())
        })
    }

    fn upload_discard(&self, id: &str) -> Result<(), ApiError> {
        self.b.write(&mut |tx| {
            tx.exec("DELETE FROM upload WHERE id = ?1", p![id])?;
            Ok(())
        })
    }

    fn cases(
        &self,
        scope: &Scope,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<CaseSummary>, ApiError> {
        self.cases_of(scope, None, actor, now)
    }

    fn device_cases(
        &self,
        who: &Principal,
        now: DateTime<Utc>,
    ) -> Result<Vec<CaseSummary>, ApiError> {
        self.cases_of(&who.scope(), Some(&who.device_id), &who.actor(), now)
    }

    fn revoke_device(&self, device_id: &str, now: DateTime<Utc>) -> Result<bool, ApiError> {
        self.b.write(&mut |tx| {
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

    fn clone_alarms(&self) -> Result<Vec<(String, i64)>, ApiError> {
        self.b.read(&mut |c| {
            c.query("SELECT device_id, seq FROM clone_alarm ORDER BY id", p![])?
                .iter()
                .map(|r| Ok((r.get(0)?, r.get(1)?)))
                .collect()
        })
    }

    fn audit_count(&self, action: &str) -> Result<i64, ApiError> {
        self.b.read(&mut |c| {
            Ok(
                c.query_one("SELECT count(*) FROM audit WHERE action = ?1", p![action])?
                    .get(0)?,
            )
        })
    }

    fn expired_uploads(&self, before: &str) -> Result<Vec<String>, ApiError> {
        self.b.read(&mut |c| {
            c.query(crate::gc::SQL_EXPIRED_UPLOADS, p![before])?
                .iter()
                .map(|r| Ok(r.get(0)?))
                .collect()
        })
    }

    fn unreferenced_blobs(&self, before: &str) -> Result<Vec<String>, ApiError> {
        self.b.read(&mut |c| {
            c.query(crate::gc::SQL_UNREFERENCED_BLOBS, p![before])?
                .iter()
                .map(|r| Ok(r.get(0)?))
                .collect()
        })
    }

    fn forget_blob(&self, sha256: &str) -> Result<bool, ApiError> {
        self.b
            .write(&mut |tx| Ok(tx.exec(crate::gc::SQL_FORGET_BLOB, p![sha256])? == 1))
    }

    fn elect_collector(&self) -> Result<Option<sql::Lease>, ApiError> {
        // Advisory locks are per database; the key is this deployment's
        // (its epoch), so deployments sharing a PostgreSQL database in
        // separate schemas never skip each other's collection.
        let epoch = self.epoch()?;
        let digest = Sha256::digest(format!("{}:{epoch}", crate::gc::ELECTION_KEY));
        let mut key = [0u8; 8];
        key.copy_from_slice(&digest[..8]);
        self.b.elect(i64::from_be_bytes(key))
    }

    fn blob_known(&self, sha256: &str) -> Result<bool, ApiError> {
        self.b.read(&mut |c| {
            let n: i64 = c.query_one(crate::gc::SQL_BLOB_KNOWN, p![sha256])?.get(0)?;
            Ok(n > 0)
        })
    }

    fn blobs(&self) -> Result<Vec<(String, u64)>, ApiError> {
        self.b.read(&mut |c| {
            let mut out = Vec::new();
            for r in c.query("SELECT sha256, size FROM blob ORDER BY sha256", p![])? {
                out.push((r.get(0)?, size_of(r.get(1)?)));
            }
            Ok(out)
        })
    }

    fn inspection_findings(
        &self,
        department: Option<&str>,
        failed_only: bool,
        scope: &str,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<crate::inspection::DepartmentFinding>, ApiError> {
        self.b.write(&mut |tx| {
            let rows = crate::inspection::findings(tx, department, failed_only, scope)?;
            let mut seen: Vec<&str> = Vec::new();
            for f in &rows {
                if !seen.contains(&f.inspection_id.as_str()) {
                    seen.push(&f.inspection_id);
                    audit(tx, now, actor, "inspection.read", &f.inspection_id)?;
                }
            }
            Ok(rows)
        })
    }

    fn tasks(&self, scope: &str) -> Result<Vec<crate::inspection::TaskRow>, ApiError> {
        self.b
            .read(&mut |c| Ok(crate::inspection::tasks(c, scope)?))
    }

    fn assign_task(
        &self,
        task: &crate::inspection::NewTask,
        now: DateTime<Utc>,
        scope: &str,
        actor: &str,
    ) -> Result<String, ApiError> {
        let stamp = uuid::Timestamp::from_unix(
            uuid::NoContext,
            u64::try_from(now.timestamp()).unwrap_or(0),
            now.timestamp_subsec_nanos(),
        );
        let id = uuid::Uuid::new_v7(stamp).to_string();
        self.b.write(
            &mut |tx| match crate::inspection::assign(tx, task, &id, now, scope, actor)? {
                Ok(()) => Ok(()),
                Err((code, msg)) => {
                    let kind = if code == crate::inspection::FORBIDDEN {
                        ErrorKind::Forbidden
                    } else {
                        ErrorKind::BadRequest
                    };
                    Err(Fail::Api(ApiError::new(kind, msg.clone())))
                }
            },
        )?;
        Ok(id)
    }

    fn issue_staff(
        &self,
        staff: &crate::console::NewStaff,
        ttl: Duration,
        now: DateTime<Utc>,
    ) -> Result<String, ApiError> {
        staff.check().map_err(ApiError::bad)?;
        let token = format!("zs_{}", random_token()?);
        let sha = sha_hex(&token);
        self.b.write(&mut |tx| {
            crate::console::upsert(tx, staff, &sha, now, ttl)?;
            Ok(())
        })?;
        Ok(token)
    }

    fn revoke_staff(&self, id: &str, now: DateTime<Utc>) -> Result<bool, ApiError> {
        self.b
            .write(&mut |tx| Ok(crate::console::revoke(tx, id, now)?))
    }

    fn staff(&self) -> Result<Vec<crate::console::Staff>, ApiError> {
        self.b.read(&mut |c| Ok(crate::console::list(c)?))
    }

    fn review_case(
        &self,
        case_id: &str,
        review: &crate::console::CaseReview,
        staff: &crate::console::Staff,
        now: DateTime<Utc>,
    ) -> Result<(), ApiError> {
        let id = new_id(now);
        self.b.write(
            &mut |tx| match crate::console::review(tx, case_id, review, staff, &id, now)? {
                Ok(()) => Ok(()),
                Err((kind, msg)) => Err(Fail::Api(ApiError::new(kind, msg))),
            },
        )
    }

    fn reassign_case(
        &self,
        case_id: &str,
        to: &crate::console::CaseReassign,
        staff: &crate::console::Staff,
        now: DateTime<Utc>,
    ) -> Result<bool, ApiError> {
        self.b.write(
            &mut |tx| match crate::console::reassign(tx, case_id, to, staff, now)? {
                Ok(changed) => Ok(changed),
                Err((kind, msg)) => Err(Fail::Api(ApiError::new(kind, msg))),
            },
        )
    }

    fn authenticate_staff(
        &self,
        token: &str,
        now: DateTime<Utc>,
    ) -> Result<crate::console::Staff, ApiError> {
        let sha = sha_hex(token);
        let found = self
            .b
            .read(&mut |c| Ok(crate::console::by_token(c, &sha)?))?;
        let Some(staff) = found else {
            return Err(ApiError::new(ErrorKind::Unauthorized, "未登录或令牌无效"));
        };
        if staff.revoked_at.is_some() {
            return Err(ApiError::new(ErrorKind::Unauthorized, "此账号已被停用"));
        }
        if staff.expires_at < ts(now) {
            return Err(ApiError::new(
                ErrorKind::Unauthorized,
                "账号令牌已过期，请重新签发",
            ));
        }
        Ok(staff)
    }

    fn badge_subject(
        &self,
        device_id: &str,
    ) -> Result<Option<crate::badge::DeviceSubject>, ApiError> {
        self.b
            .read(&mut |c| Ok(crate::badge::subject(c, device_id)?))
    }

    fn badge_set_credential(
        &self,
        officer_id: &str,
        credential_no: &str,
        township_name: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, ApiError> {
        self.b.write(&mut |tx| {
            Ok(crate::badge::set_credential(
                tx,
                officer_id,
                credential_no,
                township_name,
                now,
            )?)
        })
    }

    fn badge_rate(&self, row: &crate::badge::RatingRow) -> Result<crate::badge::Rated, ApiError> {
        self.b.write(&mut |tx| Ok(crate::badge::rate(tx, row)?))
    }

    fn badge_view_count(&self, token_id: &str) -> Result<i64, ApiError> {
        self.b
            .read(&mut |c| Ok(crate::badge::view_count(c, token_id)?))
    }

    fn badge_rating(&self, token_id: &str) -> Result<Option<crate::badge::RatingRow>, ApiError> {
        self.b
            .read(&mut |c| Ok(crate::badge::rating_of(c, token_id)?))
    }

    fn badge_ratings(
        &self,
        district: Option<&str>,
    ) -> Result<Vec<crate::badge::RatingRow>, ApiError> {
        self.b
            .read(&mut |c| Ok(crate::badge::ratings(c, district)?))
    }

    fn badge_audit(&self, token_id: &str, code: &str, now: DateTime<Utc>) -> Result<(), ApiError> {
        self.b
            .write(&mut |tx| Ok(crate::badge::audit_check(tx, now, token_id, code)?))
    }

    fn record_read(
        &self,
        f: &mut dyn FnMut(&mut dyn Conn, &crate::record::Keeper) -> Result<serde_json::Value, Fail>,
    ) -> Result<serde_json::Value, ApiError> {
        let keeper = self.keeper.clone();
        self.b.read(&mut |c| f(c, &keeper))
    }

    fn record_write(
        &self,
        f: &mut dyn FnMut(&mut dyn Conn, &crate::record::Keeper) -> Result<serde_json::Value, Fail>,
    ) -> Result<serde_json::Value, ApiError> {
        let keeper = self.keeper.clone();
        self.b.write(&mut |tx| f(tx, &keeper))
    }
}
