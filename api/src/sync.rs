//! Live sync for the app: the [`SyncHub`] both shells share with the
//! command layer, and the background worker that runs the sync engine
//! (`zhifa-sync`) whenever the device is enrolled and online.
//!
//! The worker is one thread per app. It sleeps until a trigger — the
//! period (backed off after failures), the webview's `online` event, a
//! case issued, a sign-in, the officer's "sync now" — and then runs one
//! engine sync on its own connection to the device store, so the screens
//! stay responsive while it runs. The engine's file lock keeps it to one
//! sync per data folder, even against `zhifa sync` in another process.
//! Progress goes into the hub, and to the shell's listener (the Tauri
//! shell emits it as an event; `zhifa web` is polled).
//!
//! The HTTP itself stays in `zhifa-sync` (reqwest with rustls): this
//! module only picks the transport for the enrolled server URL.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration as StdDuration, Instant};

use chrono::{DateTime, SecondsFormat, Utc};
use rand::Rng;
use zhifa_core::ErrorCode;
use zhifa_core::device::{Device, StoreKeyWrap};
use zhifa_core::store::{DbKey, Store};
use zhifa_sync::ErrorKind;
use zhifa_sync::engine::{self, Engine, Progress, SyncConfig, SyncError, SyncReport, SystemClock};
use zhifa_sync::review;
use zhifa_sync::transport::HttpTransport;

use crate::ApiError;
use crate::dto::{StreamProgress, SyncErrorView, SyncLive, SyncReportView};

/// The streams in the order the screens list them.
pub const STREAMS: [(&str, &str); 5] = [
    ("catalogue", "执法事项目录"),
    ("push", "上传记录（待上传队列）"),
    ("inbox", "下行消息（缴款、审核）"),
    ("blobs", "证据原件"),
    ("leases", "文书编号段"),
];

/// What the worker needs to open its own connection to the store.
#[derive(Clone)]
pub struct SyncContext {
    db: PathBuf,
    key: DbKey,
    data_dir: PathBuf,
    ca_pem: Option<Vec<u8>>,
}

impl std::fmt::Debug for SyncContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyncContext")
            .field("db", &self.db)
            .field("data_dir", &self.data_dir)
            .finish_non_exhaustive()
    }
}

impl SyncContext {
    /// The store at `db` under `key`, with evidence and sync work folders in `data_dir`.
    pub fn new(db: &Path, key: &DbKey, data_dir: &Path) -> Self {
        Self {
            db: db.to_owned(),
            key: key.clone(),
            data_dir: data_dir.to_owned(),
            ca_pem: None,
        }
    }

    /// Trusts an extra CA certificate (PEM) for a private server.
    pub fn with_ca(mut self, pem: Vec<u8>) -> Self {
        self.ca_pem = Some(pem);
        self
    }

    fn open(&self) -> Result<(Store, Device), SyncError> {
        let store = Store::open(&self.db, &self.key)
            .map_err(|e| SyncError::Store(format!("[{}] {e}", e.code())))?;
        let device = Device::load(&store, &StoreKeyWrap::new(&self.key))
            .map_err(|e| SyncError::Store(format!("[{}] {e}", e.code())))?
            .ok_or_else(|| SyncError::Store("设备身份缺失".into()))?;
        Ok((store, device))
    }

    fn transport(&self, url: &str) -> Result<HttpTransport, ApiError> {
        let url = check_url(url)?;
        HttpTransport::new(&url, self.ca_pem.as_deref())
            .map_err(|e| ApiError::Invalid(e.to_string()))
    }
}

/// Only HTTPS, except to this machine (the loopback demo server); never
/// credentials in the URL. Answers the normalised URL to connect to
/// (see [`zhifa_sync::server_url`]).
pub fn check_url(url: &str) -> Result<String, ApiError> {
    zhifa_sync::server_url::check(url).map_err(|e| ApiError::Invalid(e.to_string()))
}

fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// A sync failure as the UI sees it. A server's protocol code (e.g.
/// `device_revoked`) is passed through; other failures keep the engine's
/// `SYNC_*` code.
pub fn error_view(e: &SyncError, at: DateTime<Utc>) -> SyncErrorView {
    let code = match e {
        SyncError::Server { code, .. } => code.clone(),
        other => other.code().to_owned(),
    };
    SyncErrorView {
        code,
        message: e.to_string(),
        at: ts(at),
    }
}

/// The stable code of a sync failure, for [`ApiError`] bodies.
pub(crate) fn static_code(e: &SyncError) -> &'static str {
    match e {
        SyncError::Server { code, .. } => {
            ErrorKind::parse(code).map_or("SYNC_SERVER", |k| k.code())
        }
        other => other.code(),
    }
}

/// Listens to every change of the live state (the Tauri shell emits an event).
pub type Listener = Box<dyn Fn(&SyncLive) + Send + Sync>;

struct HubState {
    live: SyncLive,
    requested: Option<String>,
    stop: bool,
    // Per-stream bookkeeping of the engine's progress counters.
    push_base: u64,
    push_last: u64,
    blob_bytes_done: u64,
    blob_last_records: u64,
    blob_last_total: u64,
}

/// The live sync state and the worker's trigger, shared by the command
/// layer, the worker and the shell.
pub struct SyncHub {
    state: Mutex<HubState>,
    wake: Condvar,
    listener: Mutex<Option<Listener>>,
}

impl std::fmt::Debug for SyncHub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyncHub").finish_non_exhaustive()
    }
}

fn idle_streams() -> Vec<StreamProgress> {
    STREAMS
        .iter()
        .map(|(s, l)| StreamProgress {
            stream: (*s).into(),
            label: (*l).into(),
            state: "idle".into(),
            records_done: 0,
            records_total: None,
            bytes_done: 0,
            bytes_total: None,
        })
        .collect()
}

impl Default for SyncHub {
    fn default() -> Self {
        Self {
            state: Mutex::new(HubState {
                live: SyncLive {
                    state: "idle".into(),
                    reason: None,
                    online: true,
                    streams: idle_streams(),
                    last_error: None,
                    started_at: None,
                    last_ok_at: None,
                    next_attempt_at: None,
                    failures: 0,
                    last_report: None,
                },
                requested: None,
                stop: false,
                push_base: 0,
                push_last: 0,
                blob_bytes_done: 0,
                blob_last_records: 0,
                blob_last_total: 0,
            }),
            wake: Condvar::new(),
            listener: Mutex::new(None),
        }
    }
}

impl SyncHub {
    /// A hub in the idle state.
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    fn lock(&self) -> MutexGuard<'_, HubState> {
        // Every update is a whole assignment; a panic mid-way cannot leave
        // a torn state worth refusing.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Sets the listener told of every change.
    pub fn set_listener(&self, l: Listener) {
        *self
            .listener
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(l);
    }

    fn changed(&self, live: &SyncLive) {
        if let Some(l) = self
            .listener
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .as_ref()
        {
            l(live);
        }
    }

    /// A copy of the live state.
    pub fn live(&self) -> SyncLive {
        self.lock().live.clone()
    }

    /// Asks the worker for a sync now (the latest reason wins).
    pub fn request(&self, reason: &str) {
        self.lock().requested = Some(reason.to_owned());
        self.wake.notify_all();
    }

    /// Records the webview's connectivity; coming online triggers a sync.
    pub fn set_online(&self, online: bool) {
        let live = {
            let mut s = self.lock();
            let was = s.live.online;
            s.live.online = online;
            if online && !was {
                s.requested = Some("online".into());
            }
            if !online && s.live.state != "running" && s.live.state != "not_enrolled" {
                s.live.state = "offline".into();
            }
            s.live.clone()
        };
        self.wake.notify_all();
        self.changed(&live);
    }

    /// Tells the worker to finish (after the current run).
    pub fn stop(&self) {
        self.lock().stop = true;
        self.wake.notify_all();
    }

    fn update(&self, f: impl FnOnce(&mut HubState)) {
        let live = {
            let mut s = self.lock();
            f(&mut s);
            s.live.clone()
        };
        self.changed(&live);
    }

    fn begin(&self, reason: &str, backlog: &review::Backlog, now: DateTime<Utc>) {
        self.update(|s| {
            s.live.state = "running".into();
            s.live.reason = Some(reason.to_owned());
            s.live.started_at = Some(ts(now));
            s.live.next_attempt_at = None;
            s.push_base = 0;
            s.push_last = 0;
            s.blob_bytes_done = 0;
            s.blob_last_records = 0;
            s.blob_last_total = 0;
            s.live.streams = idle_streams();
            for st in &mut s.live.streams {
                st.state = "waiting".into();
                match st.stream.as_str() {
                    "push" => st.records_total = Some(backlog.records),
                    "blobs" => {
                        st.records_total = Some(backlog.blobs);
                        st.bytes_total = Some(backlog.blob_bytes);
                    }
                    _ => {}
                }
            }
        });
    }

    fn progress(&self, p: &Progress) {
        self.update(|s| {
            let order = |name: &str| match name {
                "push" => 0,
                "inbox" => 1,
                "catalogue" => 2,
                "leases" => 3,
                _ => 4,
            };
            let here = order(p.stream);
            // The engine's order: push, inbox, catalogue, leases, (push), blobs.
            for st in &mut s.live.streams {
                if order(&st.stream) < here && st.state != "failed" {
                    st.state = "done".into();
                }
            }
            let (push_base, push_last) = (s.push_base, s.push_last);
            let mut new_push = None;
            let mut new_blob = None;
            if let Some(st) = s.live.streams.iter_mut().find(|x| x.stream == p.stream) {
                st.state = "running".into();
                match p.stream {
                    "push" => {
                        // Each push pass counts from zero again.
                        let base = if p.records < push_last {
                            push_base + push_last
                        } else {
                            push_base
                        };
                        st.records_done = base + p.records;
                        st.records_total = st.records_total.map(|t| t.max(st.records_done));
                        new_push = Some((base, p.records));
                    }
                    "blobs" => {
                        let (mut done, last_rec, last_total) =
                            (s.blob_bytes_done, s.blob_last_records, s.blob_last_total);
                        if p.records > last_rec {
                            done += last_total;
                        }
                        st.records_done = p.records;
                        st.bytes_done = done + p.bytes;
                        st.bytes_total = st.bytes_total.map(|t| t.max(st.bytes_done));
                        new_blob = Some((done, p.records, p.total_bytes.unwrap_or(0)));
                    }
                    "catalogue" => {
                        st.bytes_done = p.bytes;
                        st.bytes_total = p.total_bytes;
                    }
                    _ => {
                        st.records_done = p.records;
                        st.bytes_done = p.bytes;
                    }
                }
            }
            if let Some((b, l)) = new_push {
                s.push_base = b;
                s.push_last = l;
            }
            if let Some((d, r, t)) = new_blob {
                s.blob_bytes_done = d;
                s.blob_last_records = r;
                s.blob_last_total = t;
            }
        });
    }

    fn finish(&self, result: &Result<SyncReport, SyncError>, now: DateTime<Utc>) {
        self.update(|s| match result {
            Ok(r) => {
                s.live.state = "ok".into();
                s.live.last_error = None;
                s.live.last_ok_at = Some(ts(now));
                s.live.failures = 0;
                s.live.last_report = Some(report_view(r));
                // A completed run has worked through every stream.
                for st in &mut s.live.streams {
                    st.state = "done".into();
                    let total = st.records_total.unwrap_or(0).max(st.records_done);
                    st.records_total = Some(total);
                    st.records_done = total;
                    if let Some(b) = st.bytes_total {
                        st.bytes_done = st.bytes_done.max(b);
                    }
                }
            }
            Err(e) => {
                s.live.state = if matches!(e, SyncError::NotEnrolled) {
                    "not_enrolled".into()
                } else {
                    "failed".into()
                };
                if !matches!(e, SyncError::NotEnrolled) {
                    s.live.failures = s.live.failures.saturating_add(1);
                    s.live.last_error = Some(error_view(e, now));
                }
                // The engine reports progress, not where it stopped: every
                // stream not known to be done is left "stopped".
                for st in &mut s.live.streams {
                    if st.state == "running" || st.state == "waiting" {
                        st.state = "stopped".into();
                    }
                }
            }
        });
    }
}

fn report_view(r: &SyncReport) -> SyncReportView {
    SyncReportView {
        pushed: r.pushed,
        duplicates: r.duplicates,
        rejected: r.rejected,
        pulled_inbox: r.pulled_inbox,
        catalogue_release: r.catalogue_release.clone(),
        blobs_uploaded: r.blobs_uploaded,
        bytes_uploaded: r.bytes_uploaded,
        leases_granted: r.leases_granted,
        attempts: r.attempts,
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, SyncError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(SyncError::Io)
}

/// Runs one sync now on this thread (the engine retries transient
/// failures itself), reporting progress into `hub`.
pub fn run_once(ctx: &SyncContext, hub: &SyncHub, reason: &str) -> Result<SyncReport, SyncError> {
    let result = (|| {
        let (mut store, device) = ctx.open()?;
        let enrolment = engine::enrolment(&store)?.ok_or(SyncError::NotEnrolled)?;
        let backlog = review::backlog(&store).map_err(|e| SyncError::Store(e.to_string()))?;
        hub.begin(reason, &backlog, Utc::now());
        let t = ctx
            .transport(&enrolment.server_url)
            .map_err(|e| SyncError::Protocol(e.to_string()))?;
        let mut cfg = SyncConfig::for_data_dir(&ctx.data_dir);
        // The worker's own period backs off between runs; within a run a
        // few quick retries ride out a flaky connection.
        cfg.max_attempts = 3;
        cfg.backoff_cap = StdDuration::from_secs(20);
        runtime()?.block_on(async {
            Engine::new(&mut store, &device, &t, SystemClock, cfg)
                .on_progress(|p| hub.progress(p))
                .sync()
                .await
        })
    })();
    hub.finish(&result, Utc::now());
    // Not being enrolled is a state, not a failure worth a log line.
    if let Err(e) = &result
        && !matches!(e, SyncError::NotEnrolled)
    {
        log_failure(reason, e);
    }
    result
}

fn log_failure(reason: &str, e: &SyncError) {
    // No personal data in a sync error: codes, URLs and counts only.
    eprintln!("zhifa: 同步失败（{reason}）：[{}] {e}", static_code(e));
}

/// Enrols the device with `server_url` using the one-time `code`, on the
/// worker's own connection to the store.
pub fn enrol(
    ctx: &SyncContext,
    server_url: &str,
    code: &str,
) -> Result<engine::Enrolment, ApiError> {
    let url = server_url.trim().trim_end_matches('/').to_owned();
    let code = code.trim().to_owned();
    if code.is_empty() {
        return Err(ApiError::Invalid("请填写一次性激活码".into()));
    }
    let t = ctx.transport(&url)?;
    let ctx = ctx.clone();
    // A thread of its own: the caller may be inside an async runtime
    // (zhifa web, Tauri), where a second runtime cannot block.
    std::thread::spawn(move || -> Result<engine::Enrolment, ApiError> {
        let (store, device) = ctx.open().map_err(ApiError::Sync)?;
        runtime()
            .map_err(ApiError::Sync)?
            .block_on(engine::enrol(&store, &device, &t, &url, &code, Utc::now()))
            .map_err(ApiError::Sync)?;
        engine::enrolment(&store)
            .map_err(ApiError::Sync)?
            .ok_or_else(|| ApiError::Internal("激活后未找到激活记录".into()))
    })
    .join()
    .map_err(|_| ApiError::Internal("激活线程意外终止".into()))?
}

/// How often the worker syncs when nothing else triggers it.
pub const PERIOD: StdDuration = if cfg!(any(target_os = "android", target_os = "ios")) {
    // Phones: the OS suspends the app in the background anyway; a longer
    // period spares the battery, and `online`/resume events still trigger.
    StdDuration::from_secs(300)
} else {
    StdDuration::from_secs(60)
};

/// The longest wait after repeated failures.
pub const MAX_BACKOFF: StdDuration = StdDuration::from_secs(30 * 60);

/// The wait before the next periodic attempt after `failures` failed runs
/// in a row: the engine's "equal jitter" exponential backoff, with the
/// period as its base — uniform in [c/2, c], c = min(cap, period·2^(n−1)).
pub fn next_wait(period: StdDuration, failures: u32) -> StdDuration {
    if failures == 0 {
        return period;
    }
    let ceil = period
        .saturating_mul(1u32 << failures.saturating_sub(1).min(16))
        .min(MAX_BACKOFF);
    let ms = u64::try_from(ceil.as_millis()).unwrap_or(u64::MAX);
    StdDuration::from_millis(rand::rng().random_range(ms / 2..=ms.max(1)))
}

/// Starts the background worker thread: it syncs at start, on every
/// request, and on the period (backed off after failures) while online.
pub fn spawn_worker(
    ctx: SyncContext,
    hub: Arc<SyncHub>,
    period: StdDuration,
) -> std::io::Result<std::thread::JoinHandle<()>> {
    hub.request("start");
    std::thread::Builder::new()
        .name("zhifa-sync".into())
        .spawn(move || worker(&ctx, &hub, period))
}

fn worker(ctx: &SyncContext, hub: &SyncHub, period: StdDuration) {
    loop {
        let reason = {
            let mut s = hub.lock();
            let wait = next_wait(period, s.live.failures);
            let deadline = Instant::now() + wait;
            let due = Utc::now() + chrono::Duration::from_std(wait).unwrap_or_default();
            s.live.next_attempt_at = Some(ts(due));
            loop {
                if s.stop {
                    return;
                }
                if let Some(r) = s.requested.take() {
                    break r;
                }
                let now = Instant::now();
                if now >= deadline {
                    break "period".to_owned();
                }
                s = hub
                    .wake
                    .wait_timeout(s, deadline - now)
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .0;
            }
        };
        // The period only runs while the webview reports a connection;
        // an explicit request always tries (navigator.onLine can be wrong).
        if reason == "period" && !hub.live().online {
            continue;
        }
        let _ = run_once(ctx, hub, &reason);
    }
}
