//! The device's sync engine.
//!
//! One sync at a time per data folder (an advisory file lock, sync.md T26).
//! A run works through the session order of sync.md §6.9 — token refresh,
//! outbox push, inbox pull, catalogue, lease top-up, evidence blobs — and
//! every step resumes from durable state alone: no in-memory flag decides
//! anything across runs (F6).
//!
//! - **Push**: pending outbox rows in seq order, in signed batches (halved
//!   on 413), each answer applied in one local transaction (results,
//!   conflicts, `pushed_at`). A `seq_gap` resends from the server's
//!   `expected_seq`. Rejected mutations stay as `sync_conflict` rows.
//! - **Inbox**: each page and its cursor in one transaction; the cursor
//!   never moves back (I8) except on a server epoch change, which also
//!   re-pushes the retained outbox (the server's ledger dedupes; F9).
//! - **Catalogue**: the content-addressed snapshot is downloaded in ranges
//!   into a partial file (resumed after a crash; each range checked by its
//!   digest and refetched alone on mismatch), verified whole, then imported
//!   atomically by the core importer.
//! - **Leases**: topped up under a low-water mark with idempotent request
//!   ids, applied through the core lease grant.
//! - **Blobs**: `HEAD` for dedupe, then resumable chunked upload with
//!   per-chunk SHA-256, resumed from the server's offset.
//!
//! [`Engine::sync`] retries transient failures with exponential backoff
//! and jitter on the injected [`Clock`], independent of new local
//! writes (F5).

use std::fs::{self, File, OpenOptions};
use std::future::Future;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration as StdDuration;

use base64::Engine as _;
use chrono::{DateTime, Datelike, Duration, SecondsFormat, Utc};
use rand::Rng;
use rusqlite::{OptionalExtension, TransactionBehavior, params};
use serde::Serialize;
use sha2::{Digest, Sha256};
use zhifa_core::ErrorCode;
use zhifa_core::case::config::{SERIES_DECISION, SERIES_ORDER};
use zhifa_core::case::numbers::PAYMENT_CODE_SERIES;
use zhifa_core::device::Device;
use zhifa_core::store::Store;

use crate::ErrorKind;
use crate::sign::{enrol_bytes, payload_sha256, push_bytes, refresh_bytes};
use crate::transport::{HttpRequest, HttpResponse, Method, Transport, TransportError};
use crate::wire::{
    self, CatalogueRelease, EnrolRequest, ErrorBody, InboxPage, LeaseGrant, LeaseRequest,
    MutationStatus, PushRequest, PushResponse, RefreshRequest, TokenResponse, UploadCreate,
    UploadState, WireMutation,
};

mod catalogue;
mod inbox;
mod leases;
mod push;
mod uploads;

/// The response header with the SHA-256 of a snapshot range.
pub const RANGE_SHA256: &str = "x-range-sha256";

/// Errors of a sync run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SyncError {
    /// The device is not enrolled with a server.
    #[error("本设备尚未激活（zhifa enrol）")]
    NotEnrolled,
    /// Another sync holds the lock.
    #[error("另一个同步正在进行")]
    Busy,
    /// No answer from the server.
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// The server answered with an error.
    #[error("服务器错误 [{code}] (HTTP {status})：{message}")]
    Server {
        /// HTTP status.
        status: u16,
        /// The stable code.
        code: String,
        /// The message.
        message: String,
    },
    /// The server answered something the protocol does not allow.
    #[error("协议错误：{0}")]
    Protocol(String),
    /// The device store failed.
    #[error("设备存储错误：{0}")]
    Store(String),
    /// A local evidence file is missing or no longer matches its hash.
    #[error("证据文件 {sha256} 缺失或已损坏，已停止上传")]
    EvidenceCorrupt {
        /// The hash recorded at capture.
        sha256: String,
    },
    /// A file in the data folder failed.
    #[error("文件错误：{0}")]
    Io(#[from] std::io::Error),
}

impl SyncError {
    /// Whether a later retry can succeed without any change on the device.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Transport(_) | Self::Busy | Self::Io(_) => true,
            Self::Server { status, code, .. } => {
                *status >= 500
                    || *status == 429
                    || ErrorKind::parse(code).is_some_and(ErrorKind::is_transient)
            }
            _ => false,
        }
    }
}

impl ErrorCode for SyncError {
    fn code(&self) -> &'static str {
        match self {
            Self::NotEnrolled => "SYNC_NOT_ENROLLED",
            Self::Busy => "SYNC_BUSY",
            Self::Transport(_) => "SYNC_NETWORK",
            Self::Server { .. } => "SYNC_SERVER",
            Self::Protocol(_) => "SYNC_PROTOCOL",
            Self::Store(_) => "SYNC_STORE",
            Self::EvidenceCorrupt { .. } => "SYNC_EVIDENCE_CORRUPT",
            Self::Io(_) => "SYNC_IO",
        }
    }
}

impl From<rusqlite::Error> for SyncError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Store(e.to_string())
    }
}

impl From<zhifa_core::case::CaseError> for SyncError {
    fn from(e: zhifa_core::case::CaseError) -> Self {
        Self::Store(format!("[{}] {e}", e.code()))
    }
}

impl From<zhifa_core::catalogue::CatalogueError> for SyncError {
    fn from(e: zhifa_core::catalogue::CatalogueError) -> Self {
        Self::Store(format!("[{}] {e}", e.code()))
    }
}

/// The device's notion of time, injected so tests can move it.
pub trait Clock {
    /// Now (device clock: metadata only, never a cursor).
    fn now(&self) -> DateTime<Utc>;
    /// Waits (backoff).
    fn sleep(&self, d: StdDuration) -> impl Future<Output = ()>;
}

/// The real clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
    async fn sleep(&self, d: StdDuration) {
        tokio::time::sleep(d).await;
    }
}

/// A clock that only moves when told or slept on (tests).
#[derive(Debug)]
pub struct ManualClock {
    now: Mutex<DateTime<Utc>>,
    slept: Mutex<Vec<StdDuration>>,
}

impl ManualClock {
    /// A clock at `at`.
    pub fn new(at: DateTime<Utc>) -> Self {
        Self {
            now: Mutex::new(at),
            slept: Mutex::new(Vec::new()),
        }
    }
    /// Moves the clock (may be negative: a device clock jumping back).
    pub fn advance(&self, by: Duration) {
        *self.now.lock().unwrap_or_else(|p| p.into_inner()) += by;
    }
    /// Every backoff slept, in order.
    pub fn slept(&self) -> Vec<StdDuration> {
        self.slept.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.now.lock().unwrap_or_else(|p| p.into_inner())
    }
    async fn sleep(&self, d: StdDuration) {
        self.slept.lock().unwrap_or_else(|p| p.into_inner()).push(d);
        self.advance(Duration::from_std(d).unwrap_or(Duration::zero()));
    }
}

impl<C: Clock> Clock for &C {
    fn now(&self) -> DateTime<Utc> {
        (**self).now()
    }
    fn sleep(&self, d: StdDuration) -> impl Future<Output = ()> {
        (**self).sleep(d)
    }
}

/// One progress event for the UI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Progress {
    /// `push`, `inbox`, `catalogue`, `leases`, `blobs`.
    pub stream: &'static str,
    /// Records (mutations, events, rows, leases, files) done so far in this run.
    pub records: u64,
    /// Bytes transferred so far in this run for this stream.
    pub bytes: u64,
    /// Total bytes expected for the current item, when known.
    pub total_bytes: Option<u64>,
}

/// Tunables.
#[derive(Debug, Clone)]
pub struct SyncConfig {
    /// Folder of evidence originals (`EvidenceDir` root).
    pub evidence_dir: PathBuf,
    /// Folder for the lock file and partial downloads.
    pub work_dir: PathBuf,
    /// Folder of the issued documents kept as sealed PDFs and uploaded to
    /// the centre (`zhifa_core::case::archive`).
    pub documents_dir: PathBuf,
    /// Queue the one-time snapshot of every case, inspection and task for
    /// the centre's record (`zhifa_core::case::archive::enqueue_snapshots`).
    pub backfill: bool,
    /// Mutations per push batch (halved on 413).
    pub batch_size: usize,
    /// Blob chunk size in bytes (≤ 1 MiB).
    pub chunk_size: usize,
    /// Catalogue range size in bytes.
    pub page_size: usize,
    /// Ask for a catalogue delta from the release last applied before
    /// downloading a whole snapshot.
    pub catalogue_delta: bool,
    /// Top up a series when fewer numbers remain.
    pub lease_low_water: i64,
    /// Numbers asked for per top-up.
    pub lease_size: i64,
    /// Attempts of [`Engine::sync`] before giving up on transient errors.
    pub max_attempts: u32,
    /// First backoff.
    pub backoff_base: StdDuration,
    /// Backoff cap.
    pub backoff_cap: StdDuration,
}

impl SyncConfig {
    /// Defaults for a data folder laid out like the CLI's.
    pub fn for_data_dir(data: &Path) -> Self {
        Self {
            evidence_dir: data.join("evidence"),
            work_dir: data.join("sync"),
            documents_dir: data.join("documents"),
            backfill: true,
            batch_size: 200,
            chunk_size: 256 * 1024,
            page_size: 256 * 1024,
            catalogue_delta: true,
            lease_low_water: 50,
            lease_size: 200,
            max_attempts: 6,
            backoff_base: StdDuration::from_secs(1),
            backoff_cap: StdDuration::from_secs(300),
        }
    }
}

/// What a run did (`zhifa sync --json`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SyncReport {
    /// Mutations applied by the server in this run.
    pub pushed: u64,
    /// Mutations the server had already (retries).
    pub duplicates: u64,
    /// Mutations rejected (now conflicts on the device).
    pub rejected: u64,
    /// Inbox events applied.
    pub pulled_inbox: u64,
    /// The catalogue release in force after the run.
    pub catalogue_release: Option<String>,
    /// How a new release arrived in this run: `delta` or `snapshot`.
    pub catalogue_via: Option<String>,
    /// Evidence originals now verified on the server.
    pub blobs_uploaded: u64,
    /// Evidence bytes sent and acknowledged.
    pub bytes_uploaded: u64,
    /// Number leases granted in this run.
    pub leases_granted: u64,
    /// Outbox rows still pending after the run.
    pub outbox_pending: u64,
    /// Attempts used (1 when nothing failed).
    pub attempts: u32,
}

/// The enrolment as stored on the device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enrolment {
    /// Server base URL.
    pub server_url: String,
    /// Officer id.
    pub officer_id: String,
    /// Officer township.
    pub township: String,
    /// Officer role.
    pub role: String,
    /// Access token.
    pub access_token: String,
    /// When it expires.
    pub access_expires_at: String,
    /// Refresh token.
    pub refresh_token: String,
    /// Server epoch last seen.
    pub server_epoch: String,
}

fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Reads the enrolment, if any.
pub fn enrolment(store: &Store) -> Result<Option<Enrolment>, SyncError> {
    Ok(store
        .conn()
        .query_row(
            "SELECT server_url, officer_id, officer_township, officer_role, access_token, access_expires_at,
                    refresh_token, server_epoch FROM sync_enrolment WHERE singleton = 1",
            [],
            |r| {
                Ok(Enrolment {
                    server_url: r.get(0)?,
                    officer_id: r.get(1)?,
                    township: r.get(2)?,
                    role: r.get(3)?,
                    access_token: r.get(4)?,
                    access_expires_at: r.get(5)?,
                    refresh_token: r.get(6)?,
                    server_epoch: r.get(7)?,
                })
            },
        )
        .optional()?)
}

fn save_tokens(
    store: &Store,
    url: &str,
    t: &TokenResponse,
    now: DateTime<Utc>,
) -> Result<(), SyncError> {
    store.conn().execute(
        "INSERT INTO sync_enrolment (singleton, server_url, officer_id, officer_township, officer_role,
                                     access_token, access_expires_at, refresh_token, server_epoch, enrolled_at)
         VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (singleton) DO UPDATE SET server_url = ?1, officer_id = ?2, officer_township = ?3,
             officer_role = ?4, access_token = ?5, access_expires_at = ?6, refresh_token = ?7",
        params![
            url,
            t.officer.id,
            t.officer.township,
            t.officer.role,
            t.access_token,
            t.access_expires_at,
            t.refresh_token,
            t.server_epoch,
            ts(now)
        ],
    )?;
    if let Some(cert) = &t.badge_certificate {
        // The 亮码 certificate rides in the cursor table under its own key
        // (no schema change): the newest one replaces the last.
        let json = serde_json::to_string(cert).map_err(|e| SyncError::Protocol(e.to_string()))?;
        store.conn().execute(
            "INSERT INTO sync_cursor (stream, cursor, updated_at) VALUES ('badge_certificate', ?1, ?2)
             ON CONFLICT (stream) DO UPDATE SET cursor = ?1, updated_at = ?2",
            params![json, ts(now)],
        )?;
    }
    Ok(())
}

/// The 亮码 certificate the server last issued this device, if any
/// (`crate::badge`). A stored value that no longer parses counts as none.
pub fn badge_certificate(store: &Store) -> Result<Option<crate::badge::Certificate>, SyncError> {
    let json: Option<String> = store
        .conn()
        .query_row(
            "SELECT cursor FROM sync_cursor WHERE stream = 'badge_certificate'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    Ok(json.and_then(|j| serde_json::from_str(&j).ok()))
}

fn json_req<T: Serialize>(method: Method, path: &str, body: &T) -> Result<HttpRequest, SyncError> {
    Ok(HttpRequest {
        method,
        path: path.to_owned(),
        headers: vec![
            ("content-type".into(), "application/json".into()),
            (
                wire::PROTOCOL_HEADER.into(),
                wire::PROTOCOL_VERSION.to_string(),
            ),
        ],
        body: serde_json::to_vec(body).map_err(|e| SyncError::Protocol(e.to_string()))?,
    })
}

/// Checks an answer against its body digest ([`wire::BODY_SHA256_HEADER`]):
/// required on a 2xx, checked when present on any other status (a proxy's
/// own 413 or 502 carries none). A mismatch or a missing digest is a
/// transient network error: the session ends and is retried, nothing of
/// the answer is parsed or applied (a damaged lease grant or refresh token
/// would otherwise be stored as it arrived).
fn checked(resp: HttpResponse) -> Result<HttpResponse, SyncError> {
    let intact = resp
        .header(wire::BODY_SHA256_HEADER)
        .map(|d| d == hex::encode(Sha256::digest(&resp.body)));
    let why = match intact {
        Some(true) => return Ok(resp),
        None if !(200..300).contains(&resp.status) => return Ok(resp),
        Some(false) => "摘要不符",
        None => "缺少摘要，不像同步服务器的应答",
    };
    Err(SyncError::Transport(TransportError::Damaged(format!(
        "HTTP {} {why}",
        resp.status
    ))))
}

fn parse<T: for<'de> serde::Deserialize<'de>>(resp: &HttpResponse) -> Result<T, SyncError> {
    serde_json::from_slice(&resp.body)
        .map_err(|e| SyncError::Protocol(format!("HTTP {} 响应无法解析：{e}", resp.status)))
}

fn server_error(resp: &HttpResponse) -> SyncError {
    match serde_json::from_slice::<ErrorBody>(&resp.body) {
        Ok(b) => SyncError::Server {
            status: resp.status,
            code: b.code,
            message: b.message,
        },
        Err(_) => SyncError::Server {
            status: resp.status,
            code: match resp.status {
                413 => ErrorKind::PayloadTooLarge.code().into(),
                s if s >= 500 => ErrorKind::Unavailable.code().into(),
                _ => "http".into(),
            },
            message: String::from_utf8_lossy(&resp.body)
                .chars()
                .take(200)
                .collect(),
        },
    }
}

/// Enrols the device: sends the one-time code with the device key's proof
/// of possession and stores the tokens.
pub async fn enrol<T: Transport>(
    store: &Store,
    device: &Device,
    transport: &T,
    server_url: &str,
    code: &str,
    now: DateTime<Utc>,
) -> Result<TokenResponse, SyncError> {
    let device_id = device.id().to_string();
    let public_key = device.identity().public_key_hex();
    let sig = device.sign(&enrol_bytes(code, &device_id, &public_key));
    let req = EnrolRequest {
        code: code.to_owned(),
        device_id,
        public_key,
        signature: hex::encode(sig),
    };
    let resp = checked(
        transport
            .send(json_req(Method::Post, "/v1/enrol", &req)?)
            .await?,
    )?;
    if resp.status != 200 {
        return Err(server_error(&resp));
    }
    let t: TokenResponse = parse(&resp)?;
    save_tokens(store, server_url, &t, now)?;
    Ok(t)
}

/// Holds the per-folder sync lock while alive.
#[derive(Debug)]
pub struct SyncLock {
    _file: File,
}

impl SyncLock {
    /// Takes the lock or returns [`SyncError::Busy`].
    pub fn acquire(work_dir: &Path) -> Result<Self, SyncError> {
        use fs4::fs_std::FileExt;
        fs::create_dir_all(work_dir)?;
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(work_dir.join("sync.lock"))?;
        if file.try_lock_exclusive()? {
            Ok(Self { _file: file })
        } else {
            Err(SyncError::Busy)
        }
    }
}

/// A progress callback.
pub type ProgressFn<'a> = Box<dyn FnMut(&Progress) + 'a>;

/// The device side of a sync.
pub struct Engine<'a, T: Transport, C: Clock> {
    store: &'a mut Store,
    device: &'a Device,
    transport: T,
    clock: C,
    cfg: SyncConfig,
    progress: Option<ProgressFn<'a>>,
}

impl<'a, T: Transport, C: Clock> Engine<'a, T, C> {
    /// An engine over the store, the device key, a transport and a clock.
    pub fn new(
        store: &'a mut Store,
        device: &'a Device,
        transport: T,
        clock: C,
        cfg: SyncConfig,
    ) -> Self {
        Self {
            store,
            device,
            transport,
            clock,
            cfg,
            progress: None,
        }
    }

    /// Receives progress events (records and bytes per stream).
    pub fn on_progress(mut self, f: impl FnMut(&Progress) + 'a) -> Self {
        self.progress = Some(Box::new(f));
        self
    }

    fn emit(&mut self, stream: &'static str, records: u64, bytes: u64, total: Option<u64>) {
        if let Some(f) = self.progress.as_mut() {
            f(&Progress {
                stream,
                records,
                bytes,
                total_bytes: total,
            });
        }
    }

    /// Runs sync sessions until one completes, backing off (exponential
    /// with jitter) on transient failures, at most `max_attempts` times.
    pub async fn sync(&mut self) -> Result<SyncReport, SyncError> {
        let _lock = SyncLock::acquire(&self.cfg.work_dir)?;
        let mut total = SyncReport::default();
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.session(&mut total).await {
                Ok(()) => {
                    total.attempts = attempt;
                    total.outbox_pending = self.pending_count()?;
                    return Ok(total);
                }
                Err(e) if e.is_transient() && attempt < self.cfg.max_attempts => {
                    let d = self.backoff(attempt);
                    tracing::info!(
                        attempt,
                        code = e.code(),
                        delay_ms = d.as_millis() as u64,
                        "sync retry"
                    );
                    self.clock.sleep(d).await;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Backoff with "equal jitter": uniform in [c/2, c], c = min(cap, base·2^(n−1)).
    pub fn backoff(&self, attempt: u32) -> StdDuration {
        let exp = self
            .cfg
            .backoff_base
            .saturating_mul(1u32 << attempt.saturating_sub(1).min(20));
        let ceil = exp.min(self.cfg.backoff_cap);
        let ms = u64::try_from(ceil.as_millis()).unwrap_or(u64::MAX);
        StdDuration::from_millis(rand::rng().random_range(ms / 2..=ms.max(1)))
    }

    /// One session in the order of sync.md §6.9, without retries.
    pub async fn session(&mut self, report: &mut SyncReport) -> Result<(), SyncError> {
        self.refresh_if_needed(false).await?;
        self.prepare_record()?;
        self.push(report).await?;
        self.pull_inbox(report).await?;
        self.pull_catalogue(report).await?;
        self.top_up_leases(report).await?;
        // Lease grants are outbox rows too: push them now, not next time.
        self.push(report).await?;
        self.upload_blobs(report).await?;
        Ok(())
    }

    fn enrolment(&self) -> Result<Enrolment, SyncError> {
        enrolment(self.store)?.ok_or(SyncError::NotEnrolled)
    }

    /// What the centre's record needs from this device before a push
    /// (issue 15): once, the full snapshot of every case, inspection and
    /// task; every time, the documents issued since, rendered, sealed and
    /// announced (uploaded by the blob step).
    fn prepare_record(&mut self) -> Result<(), SyncError> {
        use zhifa_core::case::archive;
        let now = self.clock.now();
        let fail = |e: archive::ArchiveError| SyncError::Store(format!("[{}] {e}", e.code()));
        if self.cfg.backfill {
            let n = archive::enqueue_snapshots(self.store, now).map_err(fail)?;
            if n > 0 {
                tracing::info!(
                    records = n,
                    "one-time snapshot queued for the centre's record"
                );
            }
        }
        archive::archive_documents(self.store, &self.cfg.documents_dir, now).map_err(fail)?;
        Ok(())
    }

    async fn refresh_if_needed(&mut self, force: bool) -> Result<(), SyncError> {
        let e = self.enrolment()?;
        let expires = DateTime::parse_from_rfc3339(&e.access_expires_at)
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or(DateTime::<Utc>::MIN_UTC);
        // The device clock may be off; a refresh is cheap, an expired token
        // costs a round trip, so refresh when within 5 minutes by our clock.
        if !force && expires - self.clock.now() > Duration::minutes(5) {
            return Ok(());
        }
        let device_id = self.device.id().to_string();
        let sig = self
            .device
            .sign(&refresh_bytes(&device_id, &e.refresh_token));
        let req = RefreshRequest {
            device_id,
            refresh_token: e.refresh_token.clone(),
            signature: hex::encode(sig),
        };
        let resp = checked(
            self.transport
                .send(json_req(Method::Post, "/v1/token/refresh", &req)?)
                .await?,
        )?;
        if resp.status != 200 {
            return Err(server_error(&resp));
        }
        let t: TokenResponse = parse(&resp)?;
        save_tokens(self.store, &e.server_url, &t, self.clock.now())?;
        Ok(())
    }

    /// Sends an authenticated request; on 401 `unauthorized` refreshes the
    /// token once and resends.
    async fn call(&mut self, mut req: HttpRequest) -> Result<HttpResponse, SyncError> {
        for round in 0..2 {
            let e = self.enrolment()?;
            req.headers.retain(|(k, _)| k != "authorization");
            req.headers
                .push(("authorization".into(), format!("Bearer {}", e.access_token)));
            if !req.headers.iter().any(|(k, _)| k == wire::PROTOCOL_HEADER) {
                req.headers.push((
                    wire::PROTOCOL_HEADER.into(),
                    wire::PROTOCOL_VERSION.to_string(),
                ));
            }
            let resp = checked(self.transport.send(req.clone()).await?)?;
            if resp.status == 401 && round == 0 {
                self.refresh_if_needed(true).await?;
                continue;
            }
            return Ok(resp);
        }
        Err(SyncError::Protocol("令牌刷新后仍未授权".into()))
    }
}

/// A rejected mutation, or a server grant the device refused, kept for the officer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Conflict {
    /// Outbox seq; 0 for a conflict with no outbox record of its own (a
    /// number-lease grant the device could not apply).
    pub seq: i64,
    /// Entity (`number_lease` for a refused lease grant).
    pub entity: String,
    /// Entity id (the server's lease id for a refused lease grant).
    pub entity_id: String,
    /// Stable code.
    pub code: String,
    /// Message.
    pub message: String,
}

/// The unresolved conflicts on the device: rejected mutations in seq order,
/// then refused lease grants in the order they arrived.
pub fn conflicts(store: &Store) -> Result<Vec<Conflict>, SyncError> {
    let mut st = store.conn().prepare(
        "SELECT seq, entity, entity_id, code, message FROM (
             SELECT 0 AS k, seq, entity, entity_id, code, message, at FROM sync_conflict WHERE resolved_at IS NULL
             UNION ALL
             SELECT 1, 0, 'number_lease', lease_id, code,
                    message || '（号段 ' || series || ' ' || year || ' 年 ' || start_no || '–' || end_no || '）', at
             FROM sync_lease_conflict WHERE resolved_at IS NULL)
         ORDER BY k, seq, at, entity_id",
    )?;
    let rows = st.query_map([], |r| {
        Ok(Conflict {
            seq: r.get(0)?,
            entity: r.get(1)?,
            entity_id: r.get(2)?,
            code: r.get(3)?,
            message: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The note a device's own (`local_admin`) lease grant carries once the
/// server has refused it: such ranges are the sample and trial numbers a
/// device uses before activation; enrolment closes them
/// (`zhifa_core::case::numbers::close_local_leases`) and the server's own
/// leases take over, so their refusal is expected and never an open
/// conflict for the officer (issue 19). The rejected record stays listed.
pub const SAMPLE_LEASE_NOTE: &str =
    "激活前本机试用的自编号段，激活后改用服务器分配的号段，无需处理";

/// Whether a rejection is the server refusing a device-local lease grant
/// (source `local_admin`) as `lease_not_granted`.
fn is_sample_lease_refusal(m: &crate::wire::WireMutation, code: Option<&str>) -> bool {
    code == Some(crate::error::reject::LEASE_NOT_GRANTED)
        && m.entity == "number_lease"
        && m.op == "grant"
        && m.payload.get("source").and_then(|v| v.as_str()) == Some("local_admin")
}
