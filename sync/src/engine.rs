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

    fn pending_count(&self) -> Result<u64, SyncError> {
        let n: i64 = self.store.conn().query_row(
            "SELECT count(*) FROM outbox WHERE pushed_at IS NULL",
            [],
            |r| r.get(0),
        )?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    fn outbox_from(&self, from_seq: i64, limit: usize) -> Result<Vec<WireMutation>, SyncError> {
        let device_id = self.device.id().to_string();
        let mut st = self.store.conn().prepare(
            "SELECT seq, mutation_id, entity, entity_id, op, payload, created_at FROM outbox
             WHERE device_id = ?1 AND seq >= ?2 ORDER BY seq LIMIT ?3",
        )?;
        let rows = st.query_map(
            params![device_id, from_seq, i64::try_from(limit).unwrap_or(500)],
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, String>(6)?,
                ))
            },
        )?;
        let mut out = Vec::new();
        for row in rows {
            let (seq, mutation_id, entity, entity_id, op, payload, created_at) = row?;
            let payload: serde_json::Value = serde_json::from_str(&payload)
                .map_err(|e| SyncError::Store(format!("outbox {seq} payload: {e}")))?;
            out.push(WireMutation {
                seq,
                payload_sha256: payload_sha256(&payload),
                mutation_id,
                entity,
                entity_id,
                op,
                payload,
                device_time: created_at,
            });
        }
        Ok(out)
    }

    fn first_pending(&self) -> Result<Option<i64>, SyncError> {
        Ok(self.store.conn().query_row(
            "SELECT min(seq) FROM outbox WHERE device_id = ?1 AND pushed_at IS NULL",
            [self.device.id().to_string()],
            |r| r.get(0),
        )?)
    }

    /// Pushes the outbox until it is empty.
    async fn push(&mut self, report: &mut SyncReport) -> Result<(), SyncError> {
        let mut batch = self.cfg.batch_size.max(1);
        let mut from = match self.first_pending()? {
            Some(s) => s,
            None => return Ok(()),
        };
        let mut gaps = 0;
        let mut done = 0u64;
        loop {
            let mutations = self.outbox_from(from, batch)?;
            if mutations.is_empty() {
                return Ok(());
            }
            let mut req = PushRequest {
                device_id: self.device.id().to_string(),
                batch_id: uuid::Uuid::now_v7().to_string(),
                known_server_epoch: Some(self.enrolment()?.server_epoch),
                mutations,
                signature: String::new(),
            };
            req.signature = hex::encode(self.device.sign(&push_bytes(&req)));
            let body = serde_json::to_vec(&req).map_err(|e| SyncError::Protocol(e.to_string()))?;
            if body.len() > wire::MAX_PUSH_BYTES && batch > 1 {
                batch = (batch / 2).max(1);
                continue;
            }
            let http = HttpRequest {
                method: Method::Post,
                path: "/v1/sync/push".into(),
                headers: vec![("content-type".into(), "application/json".into())],
                body,
            };
            let resp = self.call(http).await?;
            match resp.status {
                200 => {
                    let r: PushResponse = parse(&resp)?;
                    let last_sent = req.mutations.last().map_or(from, |m| m.seq);
                    let (applied, dup, rej) = self.apply_push(&req, &r)?;
                    report.pushed += applied;
                    report.duplicates += dup;
                    report.rejected += rej;
                    done += applied + dup + rej;
                    self.emit("push", done, 0, None);
                    if r.acked_through < from {
                        return Err(SyncError::Protocol("服务器未确认任何变更".into()));
                    }
                    // The server may have applied more than this batch (an
                    // earlier batch whose answer was lost, larger than this
                    // halved one); the rest is sent again for its results.
                    let through = r.acked_through.min(last_sent);
                    from = through + 1;
                    gaps = 0;
                    if r.acked_through >= last_sent && self.first_pending()?.is_none() {
                        return Ok(());
                    }
                    if let Some(p) = self.first_pending()? {
                        from = from.min(p).max(through + 1);
                    }
                }
                409 => {
                    let b: ErrorBody = parse(&resp)?;
                    let expected = b
                        .expected_seq
                        .ok_or_else(|| SyncError::Protocol("409 未给出 expected_seq".into()))?;
                    gaps += 1;
                    if gaps > 3 || expected < 1 {
                        return Err(SyncError::Protocol(format!(
                            "服务器反复要求序号 {expected}，停止推送"
                        )));
                    }
                    from = expected;
                }
                413 => {
                    if batch == 1 {
                        return Err(server_error(&resp));
                    }
                    batch = (batch / 2).max(1);
                }
                _ => return Err(server_error(&resp)),
            }
        }
    }

    /// Applies one push answer in one local transaction.
    fn apply_push(
        &mut self,
        req: &PushRequest,
        r: &PushResponse,
    ) -> Result<(u64, u64, u64), SyncError> {
        let now = ts(self.clock.now());
        let device_id = self.device.id().to_string();
        let known = self.enrolment()?.server_epoch;
        let tx = self
            .store
            .conn_mut()
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let (mut a, mut d, mut j) = (0, 0, 0);
        for res in &r.results {
            let Some(m) = req.mutations.iter().find(|m| m.seq == res.seq) else {
                return Err(SyncError::Protocol(format!(
                    "结果的序号 {} 不在批次中",
                    res.seq
                )));
            };
            // A duplicate keeps the status first recorded (a retried batch
            // whose first answer was lost still counts its rejection).
            let status = match res.status {
                MutationStatus::Duplicate if res.code.is_some() => "rejected",
                MutationStatus::Duplicate => "applied",
                s => s.as_str(),
            };
            let fresh = tx.execute(
                "INSERT OR IGNORE INTO sync_result (device_id, seq, status, code, message, at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![device_id, res.seq, status, res.code, res.message, now],
            )? == 1;
            match res.status {
                MutationStatus::Applied => a += 1,
                MutationStatus::Duplicate => d += 1,
                MutationStatus::Rejected => j += 1,
            }
            if status == "rejected" && (fresh || res.status == MutationStatus::Rejected) {
                tx.execute(
                    "INSERT OR IGNORE INTO sync_conflict (device_id, seq, mutation_id, entity, entity_id, code, message, at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                    params![device_id, res.seq, m.mutation_id, m.entity, m.entity_id,
                            res.code.clone().unwrap_or_default(), res.message.clone().unwrap_or_default(), now],
                )?;
                if is_sample_lease_refusal(m, res.code.as_deref()) {
                    tx.execute(
                        "UPDATE sync_conflict SET resolved_at = ?3, resolution = 'acknowledged', note = ?4
                         WHERE device_id = ?1 AND seq = ?2 AND resolved_at IS NULL",
                        params![device_id, res.seq, now, SAMPLE_LEASE_NOTE],
                    )?;
                }
            }
        }
        // Only what this batch carried counts as pushed: seqs the server
        // acknowledges beyond it (applied from a batch whose answer was
        // lost) are sent again and answered `duplicate` with their stored
        // result, so none is left without one (I1; 10,000-seed run, seed 3094).
        let through = req
            .mutations
            .last()
            .map_or(r.acked_through, |m| m.seq.min(r.acked_through));
        tx.execute(
            "UPDATE outbox SET pushed_at = ?3 WHERE device_id = ?1 AND seq <= ?2 AND pushed_at IS NULL",
            params![device_id, through, now],
        )?;
        if r.server_epoch != known {
            // The server was restored from a backup: rebuild replicas and
            // re-push everything retained; its ledger dedupes (F9).
            tracing::warn!("server epoch changed; re-pushing the retained outbox");
            tx.execute(
                "UPDATE outbox SET pushed_at = NULL WHERE device_id = ?1",
                [&device_id],
            )?;
            tx.execute("DELETE FROM sync_cursor WHERE stream = 'inbox'", [])?;
            tx.execute(
                "UPDATE sync_enrolment SET server_epoch = ?1 WHERE singleton = 1",
                [&r.server_epoch],
            )?;
        }
        tx.commit()?;
        Ok((a, d, j))
    }

    fn cursor(&self, stream: &str) -> Result<Option<String>, SyncError> {
        Ok(self
            .store
            .conn()
            .query_row(
                "SELECT cursor FROM sync_cursor WHERE stream = ?1",
                [stream],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Pulls the inbox, each page with its cursor in one transaction.
    async fn pull_inbox(&mut self, report: &mut SyncReport) -> Result<(), SyncError> {
        loop {
            let cursor: i64 = self
                .cursor("inbox")?
                .and_then(|c| c.parse().ok())
                .unwrap_or(0);
            let resp = self
                .call(HttpRequest {
                    method: Method::Get,
                    path: format!("/v1/sync/inbox?cursor={cursor}&limit=200"),
                    headers: vec![],
                    body: vec![],
                })
                .await?;
            if resp.status != 200 {
                return Err(server_error(&resp));
            }
            let page: InboxPage = parse(&resp)?;
            if page.next_cursor < cursor || page.events.iter().any(|e| e.cursor <= cursor) {
                return Err(SyncError::Protocol("收件箱游标倒退".into()));
            }
            let now = ts(self.clock.now());
            let tx = self
                .store
                .conn_mut()
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            let mut applied = 0;
            for e in &page.events {
                let fresh = tx.execute(
                    "INSERT OR IGNORE INTO inbox_event (event_id, cursor, case_id, kind, payload, applied_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    params![e.event_id, e.cursor, e.case_id, e.kind, e.payload.to_string(), now],
                )? == 1;
                if !fresh {
                    continue;
                }
                applied += 1;
                let p = &e.payload;
                // Tasks from the command centre (派发任务): the event's id
                // is the task's; they touch no case state.
                if e.kind == "task.assigned" {
                    let task: zhifa_core::inspection::task::AssignedTask =
                        serde_json::from_value(p.clone())
                            .map_err(|err| SyncError::Protocol(format!("任务载荷无效: {err}")))?;
                    zhifa_core::inspection::task::receive_assigned(&tx, &task)
                        .map_err(|err| SyncError::Protocol(format!("任务无法保存: {err}")))?;
                    continue;
                }
                let s = |k: &str| p.get(k).and_then(|v| v.as_str()).map(str::to_owned);
                tx.execute(
                    "INSERT INTO case_server_state (case_id, server_version, updated_at) VALUES (?1, 0, ?2)
                     ON CONFLICT (case_id) DO NOTHING",
                    params![e.case_id, now],
                )?;
                match e.kind.as_str() {
                    "payment.confirmed" => {
                        tx.execute(
                            "UPDATE case_server_state SET payment_status = 'confirmed', paid_amount_fen = ?2,
                                 paid_at = ?3, payment_reference = ?4 WHERE case_id = ?1",
                            params![e.case_id, p.get("amount_fen").and_then(|v| v.as_i64()), s("paid_at"), s("reference")],
                        )?;
                    }
                    "review.completed" => {
                        tx.execute(
                            "UPDATE case_server_state SET review_result = ?2 WHERE case_id = ?1",
                            params![e.case_id, s("result")],
                        )?;
                    }
                    "case.reassigned" => {
                        tx.execute(
                            "UPDATE case_server_state SET assigned_officer = ?2 WHERE case_id = ?1",
                            params![e.case_id, s("officer_id")],
                        )?;
                    }
                    // The final number of a provisional one (stream E):
                    // kept beside the provisional number (the mapping) and
                    // as the case's server-owned document number.
                    "number.assigned" => {
                        let a: crate::wire::NumberAssigned = serde_json::from_value(p.clone())
                            .map_err(|err| {
                                SyncError::Protocol(format!("正式文号载荷无效: {err}"))
                            })?;
                        zhifa_core::case::numbers::record_final(
                            &tx,
                            &a.provisional,
                            &a.document_number,
                            a.final_seq,
                            self.clock.now(),
                        )
                        .map_err(|err| SyncError::Protocol(format!("正式文号无法保存: {err}")))?;
                        if a.series == zhifa_core::case::config::SERIES_DECISION {
                            tx.execute(
                                "UPDATE case_server_state SET document_number = ?2 WHERE case_id = ?1",
                                params![e.case_id, a.document_number],
                            )?;
                        }
                    }
                    // Unknown kinds are kept in inbox_event for a newer app.
                    _ => {}
                }
                tx.execute(
                    "UPDATE case_server_state SET server_version = max(server_version, ?2), updated_at = ?3
                     WHERE case_id = ?1",
                    params![e.case_id, e.server_version, now],
                )?;
            }
            tx.execute(
                "INSERT INTO sync_cursor (stream, cursor, updated_at) VALUES ('inbox', ?1, ?2)
                 ON CONFLICT (stream) DO UPDATE SET cursor = ?1, updated_at = ?2",
                params![page.next_cursor.to_string(), now],
            )?;
            tx.commit()?;
            report.pulled_inbox += applied;
            self.emit("inbox", report.pulled_inbox, resp.body.len() as u64, None);
            if !page.has_more {
                return Ok(());
            }
        }
    }

    /// Pulls the latest catalogue release if the device lacks it.
    async fn pull_catalogue(&mut self, report: &mut SyncReport) -> Result<(), SyncError> {
        let resp = self
            .call(HttpRequest {
                method: Method::Get,
                path: "/v1/catalogue/latest".into(),
                headers: vec![],
                body: vec![],
            })
            .await?;
        if resp.status == 404 {
            return Ok(());
        }
        if resp.status != 200 {
            return Err(server_error(&resp));
        }
        let rel: CatalogueRelease = parse(&resp)?;
        let have: bool = self
            .store
            .conn()
            .query_row(
                "SELECT 1 FROM catalogue_release WHERE id = ?1",
                [&rel.release_id],
                |_| Ok(()),
            )
            .optional()?
            .is_some();
        let seen: i64 = self
            .cursor("catalogue")?
            .and_then(|c| c.parse().ok())
            .unwrap_or(0);
        if rel.publication < seen {
            return Err(SyncError::Protocol("目录发布序号倒退".into()));
        }
        if !have {
            let (bytes, via) = match self.try_delta(&rel).await? {
                Some(b) => (b, "delta"),
                None => (self.download_snapshot(&rel).await?, "snapshot"),
            };
            let outcome = zhifa_core::catalogue::import(self.store, &bytes, self.clock.now())?;
            self.emit(
                "catalogue",
                outcome.matters as u64,
                bytes.len() as u64,
                Some(rel.size),
            );
            self.keep_base(&rel.sha256, &bytes)?;
            report.catalogue_via = Some(via.to_owned());
        }
        let mut cursors = vec![("catalogue", rel.publication.to_string())];
        if self.base_path(&rel.sha256).exists() {
            cursors.push(("catalogue_base", rel.sha256.clone()));
        }
        let now = ts(self.clock.now());
        for (stream, value) in cursors {
            self.store.conn().execute(
                "INSERT INTO sync_cursor (stream, cursor, updated_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (stream) DO UPDATE SET cursor = ?2, updated_at = ?3",
                params![stream, value, now],
            )?;
        }
        report.catalogue_release = Some(rel.release_id);
        Ok(())
    }

    /// The snapshot of the release last applied, kept as the base of the
    /// next delta.
    fn base_path(&self, sha: &str) -> PathBuf {
        self.cfg.work_dir.join(format!("catalogue-base-{sha}.json"))
    }

    /// Keeps `bytes` (the snapshot just imported) as the delta base: the
    /// verified partial download renamed, or (from a delta) written to a
    /// temporary file, fsynced and renamed; older bases are removed.
    fn keep_base(&self, sha: &str, bytes: &[u8]) -> Result<(), SyncError> {
        let dest = self.base_path(sha);
        let part = self.partial_path(sha);
        if part.exists() {
            // The verified, fsynced snapshot download: keep it as it is.
            fs::rename(&part, &dest)?;
        } else {
            let tmp = dest.with_extension("json.tmp");
            {
                let mut f = File::create(&tmp)?;
                f.write_all(bytes)?;
                f.sync_all()?;
            }
            fs::rename(&tmp, &dest)?;
        }
        if let Ok(d) = File::open(&self.cfg.work_dir) {
            let _ = d.sync_all();
        }
        let keep = dest.file_name().map(|n| n.to_os_string());
        for entry in fs::read_dir(&self.cfg.work_dir)? {
            let entry = entry?;
            let name = entry.file_name();
            let stale = name.to_str().is_some_and(|n| {
                n.starts_with("catalogue-base-") && Some(entry.file_name()) != keep
            });
            if stale {
                let _ = fs::remove_file(entry.path());
            }
        }
        Ok(())
    }

    /// Fetches and applies the delta from the release last applied to
    /// `rel`. `None` means "take the snapshot": no base, no delta on the
    /// server, or a delta refused because its body or its result does not
    /// match the published digests (nothing reaches the store in any of
    /// these cases). Transport and transient server errors end the session.
    async fn try_delta(&mut self, rel: &CatalogueRelease) -> Result<Option<Vec<u8>>, SyncError> {
        if !self.cfg.catalogue_delta {
            return Ok(None);
        }
        let Some(base_sha) = self.cursor("catalogue_base")? else {
            return Ok(None);
        };
        let base = match fs::read(self.base_path(&base_sha)) {
            Ok(b) if hex::encode(Sha256::digest(&b)) == base_sha => b,
            Ok(_) => {
                tracing::warn!("catalogue delta base damaged; taking the snapshot");
                let _ = fs::remove_file(self.base_path(&base_sha));
                return Ok(None);
            }
            Err(_) => return Ok(None),
        };
        let resp = self
            .call(HttpRequest {
                method: Method::Get,
                path: format!("/v1/catalogue/delta?from={base_sha}"),
                headers: vec![],
                body: vec![],
            })
            .await;
        let resp = match resp {
            Err(SyncError::Transport(TransportError::Damaged(why))) => {
                tracing::warn!(%why, "catalogue delta damaged on the way; taking the snapshot");
                return Ok(None);
            }
            other => other?,
        };
        if resp.status != 200 {
            let e = server_error(&resp);
            if e.is_transient() {
                return Err(e);
            }
            return Ok(None);
        }
        let digest = hex::encode(Sha256::digest(&resp.body));
        if resp.header(wire::DELTA_TO) != Some(rel.sha256.as_str())
            || resp.header(wire::DELTA_FROM) != Some(base_sha.as_str())
            || resp.header(wire::DELTA_SHA256) != Some(digest.as_str())
        {
            tracing::warn!("catalogue delta does not match its digests; taking the snapshot");
            return Ok(None);
        }
        self.emit("catalogue", 0, resp.body.len() as u64, Some(rel.size));
        match crate::delta::apply(&base, &resp.body, &rel.sha256, rel.size) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) => {
                tracing::warn!(
                    code = e.code(),
                    "catalogue delta refused; taking the snapshot"
                );
                Ok(None)
            }
        }
    }

    fn partial_path(&self, sha: &str) -> PathBuf {
        self.cfg.work_dir.join(format!("catalogue-{sha}.part"))
    }

    /// Downloads a snapshot by ranges into a partial file (fsynced after
    /// each range), resuming from its length; verifies the whole digest.
    async fn download_snapshot(&mut self, rel: &CatalogueRelease) -> Result<Vec<u8>, SyncError> {
        fs::create_dir_all(&self.cfg.work_dir)?;
        let path = self.partial_path(&rel.sha256);
        let mut f = OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(&path)?;
        let mut have = f.metadata()?.len().min(rel.size);
        f.set_len(have)?;
        let mut failures = 0;
        while have < rel.size {
            let end = (have + self.cfg.page_size as u64).min(rel.size) - 1;
            let resp = self
                .call(HttpRequest {
                    method: Method::Get,
                    path: rel.snapshot_path.clone(),
                    headers: vec![("range".into(), format!("bytes={have}-{end}"))],
                    body: vec![],
                })
                .await;
            // A range damaged on the way is refetched alone, like one that
            // fails its own range digest below.
            let damaged = matches!(resp, Err(SyncError::Transport(TransportError::Damaged(_))));
            let resp = match resp {
                Err(_) if damaged => None,
                other => Some(other?),
            };
            if let Some(r) = &resp
                && r.status != 206
                && r.status != 200
            {
                return Err(server_error(r));
            }
            let expected_len = end - have + 1;
            let bad = resp.as_ref().is_none_or(|r| {
                r.header(RANGE_SHA256) != Some(hex::encode(Sha256::digest(&r.body)).as_str())
                    || (r.status == 206 && r.body.len() as u64 != expected_len)
            });
            let Some(resp) = resp.filter(|_| !bad) else {
                failures += 1;
                tracing::warn!(
                    offset = have,
                    failures,
                    "catalogue range digest mismatch; refetching it"
                );
                if failures > 5 {
                    return Err(SyncError::Protocol("目录快照分段反复校验失败".into()));
                }
                continue;
            };
            let body = if resp.status == 200 {
                // A server that ignored Range sent everything: keep our part.
                resp.body
                    .get(usize::try_from(have).unwrap_or(0)..)
                    .unwrap_or(&[])
                    .to_vec()
            } else {
                resp.body
            };
            f.seek(SeekFrom::Start(have))?;
            f.write_all(&body)?;
            f.sync_all()?;
            have += body.len() as u64;
            self.emit("catalogue", 0, have, Some(rel.size));
        }
        let mut bytes = Vec::with_capacity(usize::try_from(rel.size).unwrap_or(0));
        f.seek(SeekFrom::Start(0))?;
        f.read_to_end(&mut bytes)?;
        if hex::encode(Sha256::digest(&bytes)) != rel.sha256 {
            drop(f);
            fs::remove_file(&path)?;
            return Err(SyncError::Server {
                status: 502,
                code: "snapshot_digest_mismatch".into(),
                message: "目录快照摘要不符，已丢弃并将重新下载".into(),
            });
        }
        Ok(bytes)
    }

    /// Tops up number leases of the officer's township for this year.
    ///
    /// A grant the core cannot apply (it overlaps a range the device
    /// already holds, `NUMBER_LEASE_OVERLAP`) is kept as a conflict for the
    /// officer ([`conflicts`]) and never aborts the session: the next
    /// request id asks for a fresh range once, and the other streams go on.
    async fn top_up_leases(&mut self, report: &mut SyncReport) -> Result<(), SyncError> {
        let e = self.enrolment()?;
        let year = zhifa_core::case::beijing(self.clock.now())?.year();
        let device_id = self.device.id().to_string();
        for series in [SERIES_DECISION, SERIES_ORDER, PAYMENT_CODE_SERIES] {
            // At most one fresh request after a refused grant per session.
            for _ in 0..2 {
                let leases = zhifa_core::case::numbers::leases(self.store)?;
                let remaining: i64 = leases
                    .iter()
                    .filter(|l| {
                        l.township == e.township
                            && l.series == series
                            && l.year == year
                            && l.source == "server"
                    })
                    .map(|l| (l.end - l.next + 1).max(0))
                    .sum();
                if remaining >= self.cfg.lease_low_water {
                    break;
                }
                let granted: i64 = self.store.conn().query_row(
                    "SELECT count(*) FROM server_lease WHERE township = ?1 AND series = ?2 AND year = ?3",
                    params![e.township, series, year],
                    |r| r.get(0),
                )?;
                let req = LeaseRequest {
                    request_id: format!(
                        "{device_id}:{}:{series}:{year}:{}",
                        e.township,
                        granted + 1
                    ),
                    township: e.township.clone(),
                    series: series.to_owned(),
                    year,
                    count: self.cfg.lease_size,
                };
                let resp = self
                    .call(json_req(Method::Post, "/v1/leases", &req)?)
                    .await?;
                if resp.status != 200 {
                    let err = server_error(&resp);
                    if let SyncError::Server { code, message, .. } = &err
                        && (code == ErrorKind::LeaseRefused.code()
                            || code == ErrorKind::LeaseQuota.code())
                    {
                        // The year by this device's clock (or the series) is
                        // one the server will not number: asking again this
                        // session cannot help, the other streams go on, and
                        // the officer sees NUMBERS_EXHAUSTED at the issue
                        // step until the clock is right. `lease_quota`: the
                        // device holds as many unused numbers as the server
                        // allows; it asks again after using them.
                        tracing::warn!(code = %code, series, year, %message, "lease request refused by the server");
                        break;
                    }
                    return Err(err);
                }
                let g: LeaseGrant = parse(&resp)?;
                // The grant must answer this request: a damaged answer (or a
                // server bug) must never become a lease of another series,
                // year or township, which the device would count as full
                // while it can print none of it. Its size may differ from
                // this request's count: the server answers a request id
                // with the grant it made for the first copy it received,
                // which may have asked for another count (any of 1–10,000 is
                // a lease the server recorded for this device).
                if g.township != req.township
                    || g.series != req.series
                    || g.year != req.year
                    || g.start < 1
                    || g.end < g.start
                    || g.end - g.start >= crate::wire::MAX_LEASE_COUNT
                {
                    return Err(SyncError::Protocol(format!(
                        "号段应答与申请不符：申请 {} {} {} 年，应答 {} {} {} 年 {}–{}",
                        req.township,
                        req.series,
                        req.year,
                        g.township,
                        g.series,
                        g.year,
                        g.start,
                        g.end
                    )));
                }
                let now = self.clock.now();
                // Applied before a crash lost the server_lease row: only a
                // lease the server granted counts, never a local one with
                // the same bounds.
                let already = leases.iter().any(|l| {
                    l.township == g.township
                        && l.series == g.series
                        && l.year == g.year
                        && l.start == g.start
                        && l.end == g.end
                        && l.source == "server"
                });
                let applied = if already {
                    Ok(())
                } else {
                    zhifa_core::case::grant_lease(
                        self.store,
                        &g.township,
                        &g.series,
                        g.year,
                        g.start,
                        g.end,
                        "server",
                        now,
                    )
                    .map(|_| ())
                };
                match applied {
                    Ok(()) => {
                        self.record_server_lease(&g, None)?;
                        report.leases_granted += 1;
                        self.emit("leases", report.leases_granted, 0, None);
                        break;
                    }
                    Err(zhifa_core::case::CaseError::Numbers(ne)) => {
                        tracing::warn!(
                            code = ne.code(),
                            series = %g.series,
                            start = g.start,
                            end = g.end,
                            "lease grant refused by the device; kept as a conflict"
                        );
                        self.record_server_lease(&g, Some((ne.code(), ne.to_string())))?;
                        report.rejected += 1;
                    }
                    Err(other) => return Err(other.into()),
                }
            }
        }
        Ok(())
    }

    /// Records a server grant (so its request id is never reused) and, when
    /// the device refused it, the conflict for the officer, in one transaction.
    fn record_server_lease(
        &mut self,
        g: &LeaseGrant,
        refused: Option<(&str, String)>,
    ) -> Result<(), SyncError> {
        let now = ts(self.clock.now());
        let tx = self
            .store
            .conn_mut()
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT OR IGNORE INTO server_lease (lease_id, township, series, year, start_no, end_no, applied_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![g.lease_id, g.township, g.series, g.year, g.start, g.end, now],
        )?;
        if let Some((code, message)) = refused {
            tx.execute(
                "INSERT OR IGNORE INTO sync_lease_conflict
                     (lease_id, township, series, year, start_no, end_no, code, message, at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    g.lease_id, g.township, g.series, g.year, g.start, g.end, code, message, now
                ],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    fn set_blob(
        &mut self,
        sha: &str,
        size: u64,
        upload: Option<&str>,
        offset: u64,
        state: &str,
    ) -> Result<(), SyncError> {
        self.store.conn().execute(
            "INSERT INTO blob_upload (sha256, upload_id, size, offset, state, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (sha256) DO UPDATE SET upload_id = ?2, offset = ?4, state = ?5, updated_at = ?6",
            params![sha, upload, i64::try_from(size).unwrap_or(0), i64::try_from(offset).unwrap_or(0), state, ts(self.clock.now())],
        )?;
        Ok(())
    }

    /// Uploads every original the server has not verified.
    async fn upload_blobs(&mut self, report: &mut SyncReport) -> Result<(), SyncError> {
        let pending: Vec<(String, i64, String, String)> = {
            let mut st = self.store.conn().prepare(
                "SELECT e.sha256, max(e.size), min(e.ext), min(e.media_type) FROM evidence e
                 LEFT JOIN blob_upload b ON b.sha256 = e.sha256
                 WHERE b.state IS NULL OR b.state <> 'verified'
                 GROUP BY e.sha256 ORDER BY min(e.seq)",
            )?;
            let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
            rows.collect::<Result<_, _>>()?
        };
        for (sha, size, ext, media) in pending {
            let size = u64::try_from(size).unwrap_or(0);
            let head = self
                .call(HttpRequest {
                    method: Method::Head,
                    path: format!("/v1/blobs/{sha}"),
                    headers: vec![],
                    body: vec![],
                })
                .await?;
            if head.status == 200 {
                self.set_blob(&sha, size, None, size, "verified")?;
                report.blobs_uploaded += 1;
                continue;
            }
            if head.status != 404 {
                return Err(server_error(&head));
            }
            let path = zhifa_core::evidence::EvidenceDir::new(&self.cfg.evidence_dir)
                .original_path(&sha, &ext);
            // The server receives (and re-hashes) the ORIGINAL bytes: a
            // sealed file is decrypted while it is read.
            let key = zhifa_core::sealed::FileKey::for_reading(self.store)
                .map_err(|e| SyncError::Store(format!("[{}] {e}", e.code())))?;
            self.upload_one(&sha, size, &media, &path, &key, report)
                .await?;
        }
        self.upload_documents(report).await
    }

    /// Uploads every issued document the server has not verified (the
    /// same resumable upload as evidence originals; sealed files are
    /// decrypted while read, the server re-hashes the original bytes).
    async fn upload_documents(&mut self, report: &mut SyncReport) -> Result<(), SyncError> {
        use zhifa_core::case::archive;
        let announced = archive::announced_documents(self.store)
            .map_err(|e| SyncError::Store(format!("[{}] {e}", e.code())))?;
        for (sha, size) in announced {
            let state: Option<String> = self
                .store
                .conn()
                .query_row(
                    "SELECT state FROM blob_upload WHERE sha256 = ?1",
                    [&sha],
                    |r| r.get(0),
                )
                .optional()?;
            if state.as_deref() == Some("verified") {
                continue;
            }
            let head = self
                .call(HttpRequest {
                    method: Method::Head,
                    path: format!("/v1/blobs/{sha}"),
                    headers: vec![],
                    body: vec![],
                })
                .await?;
            if head.status == 200 {
                self.set_blob(&sha, size, None, size, "verified")?;
                report.blobs_uploaded += 1;
                continue;
            }
            if head.status != 404 {
                return Err(server_error(&head));
            }
            let path = archive::document_path(&self.cfg.documents_dir, &sha);
            let key = zhifa_core::sealed::FileKey::for_reading(self.store)
                .map_err(|e| SyncError::Store(format!("[{}] {e}", e.code())))?;
            self.upload_one(&sha, size, archive::PDF, &path, &key, report)
                .await?;
        }
        Ok(())
    }

    async fn upload_one(
        &mut self,
        sha: &str,
        size: u64,
        media: &str,
        path: &Path,
        key: &zhifa_core::sealed::FileKey,
        report: &mut SyncReport,
    ) -> Result<(), SyncError> {
        let create = UploadCreate {
            sha256: sha.to_owned(),
            size,
            media_type: media.to_owned(),
        };
        let resp = self
            .call(json_req(Method::Post, "/v1/uploads", &create)?)
            .await?;
        if resp.status != 200 && resp.status != 201 {
            return Err(server_error(&resp));
        }
        let mut st: UploadState = parse(&resp)?;
        let mut file =
            zhifa_core::sealed::open(path, key).map_err(|_| SyncError::EvidenceCorrupt {
                sha256: sha.to_owned(),
            })?;
        let mut chunk_failures = 0;
        let mut sent = 0u64;
        while !st.verified {
            self.set_blob(sha, size, Some(&st.upload_id), st.offset, "uploading")?;
            let len = (size - st.offset).min(self.cfg.chunk_size as u64);
            let mut buf = vec![0u8; usize::try_from(len).unwrap_or(0)];
            file.seek(SeekFrom::Start(st.offset))?;
            file.read_exact(&mut buf)
                .map_err(|_| SyncError::EvidenceCorrupt {
                    sha256: sha.to_owned(),
                })?;
            let sum = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(&buf));
            let resp = self
                .call(HttpRequest {
                    method: Method::Patch,
                    path: format!("/v1/uploads/{}", st.upload_id),
                    headers: vec![
                        (
                            "content-type".into(),
                            "application/offset+octet-stream".into(),
                        ),
                        (wire::UPLOAD_OFFSET.into(), st.offset.to_string()),
                        (wire::UPLOAD_CHECKSUM.into(), format!("sha256 {sum}")),
                    ],
                    body: buf,
                })
                .await;
            let resp = match resp {
                Ok(r) => r,
                Err(SyncError::Transport(e)) => {
                    // The chunk may or may not have landed: the server's
                    // offset decides where to resume (F13).
                    tracing::info!(error = %e, "chunk lost; asking the server for its offset");
                    return Err(SyncError::Transport(e));
                }
                Err(e) => return Err(e),
            };
            match resp.status {
                200 => {
                    let next: UploadState = parse(&resp)?;
                    let acked = next.offset.saturating_sub(st.offset);
                    sent += acked;
                    report.bytes_uploaded += acked;
                    st = next;
                    chunk_failures = 0;
                    self.emit("blobs", report.blobs_uploaded, sent, Some(size));
                }
                409 | 422 | 404 => {
                    let b = server_error(&resp);
                    let code = match &b {
                        SyncError::Server { code, .. } => code.clone(),
                        _ => String::new(),
                    };
                    // Another uploader of the same hash moving the offset
                    // (409) is progress, not failure; anything else counts.
                    if code != ErrorKind::OffsetMismatch.code() {
                        chunk_failures += 1;
                        if chunk_failures > 5 {
                            return Err(b);
                        }
                    }
                    if code == ErrorKind::BlobHashMismatch.code() || resp.status == 404 {
                        // The server discarded the upload: check our file, start over.
                        let (local, _) = zhifa_core::evidence::hash_file(path, key)
                            .ok()
                            .flatten()
                            .ok_or_else(|| SyncError::EvidenceCorrupt {
                                sha256: sha.to_owned(),
                            })?;
                        if local != sha {
                            return Err(SyncError::EvidenceCorrupt {
                                sha256: sha.to_owned(),
                            });
                        }
                        let resp = self
                            .call(json_req(Method::Post, "/v1/uploads", &create)?)
                            .await?;
                        if resp.status != 200 && resp.status != 201 {
                            return Err(server_error(&resp));
                        }
                        st = parse(&resp)?;
                    } else if code == ErrorKind::OffsetMismatch.code() {
                        st = self.upload_state(&st.upload_id).await?;
                    }
                    // chunk_checksum_mismatch: resend the same chunk.
                }
                _ => return Err(server_error(&resp)),
            }
        }
        self.set_blob(sha, size, None, size, "verified")?;
        report.blobs_uploaded += 1;
        Ok(())
    }

    async fn upload_state(&mut self, id: &str) -> Result<UploadState, SyncError> {
        let resp = self
            .call(HttpRequest {
                method: Method::Get,
                path: format!("/v1/uploads/{id}"),
                headers: vec![],
                body: vec![],
            })
            .await?;
        if resp.status != 200 {
            return Err(server_error(&resp));
        }
        parse(&resp)
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
