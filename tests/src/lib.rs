//! Cross-component end-to-end tests for Zhifa, and the sync test harness.
//!
//! The tests live in `tests/tests/*.rs`. This library holds what they
//! share for sync: an in-process transport that calls the server's axum
//! router directly ([`InProcess`]), a fault-injecting wrapper around any
//! transport ([`Faulty`]: drop the request, drop the response after the
//! server committed, duplicate, reorder, delay, cut the body mid-way, flip
//! a bit, answer 413), a server on a temporary data folder with a manual
//! clock ([`TestServer`]), and a device with the sample officers and
//! township configurations that captures evidence and runs cases
//! ([`TestDevice`]).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test support: a failure should abort loudly

pub mod plant;

use std::collections::VecDeque;
use std::io::Cursor;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Body;
use chrono::{DateTime, Duration, TimeZone, Utc};
use hmac::{Hmac, Mac};
use rand::{Rng, SeedableRng};
use sha2::Sha256;
use tower::ServiceExt;
use uuid::Uuid;
use zhifa_core::case::{self, CaseEvent, CaseParty, NewCase, Service as Serving};
use zhifa_core::device::{self, Device, StoreKeyWrap};
use zhifa_core::evidence::{self, Capture, EvidenceDir, IngestOptions, Source};
use zhifa_core::rules::assess::{PartyKind, PenaltyKind, ProposedPenalty};
use zhifa_core::rules::identity::citizen_check_character;
use zhifa_core::store::{DbKey, Store};
use zhifa_server::Service;
use zhifa_server::clock::ManualClock as ServerClock;
use zhifa_server::store::Db;
use zhifa_server::store::sql::{Conn, Row, Val};
use zhifa_sync::engine::{self, Engine, ManualClock, SyncConfig, SyncError, SyncReport};
use zhifa_sync::transport::{HttpRequest, HttpResponse, Method, Transport, TransportError};

/// The sample township the demo officers work in (龙兴镇).
pub const TOWNSHIP: &str = "500112108";
/// Its two officers.
pub const OFFICERS: [&str; 2] = ["OFF-LX-01", "OFF-LX-02"];

/// 2026-03-10 10:00 Beijing: inside the sample calendar.
pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 10, 2, 0, 0).single().unwrap()
}

/// Calls the router in-process.
#[derive(Clone)]
pub struct InProcess {
    router: Router,
}

impl InProcess {
    /// Over a router.
    pub fn new(router: Router) -> Self {
        Self { router }
    }
}

impl Transport for InProcess {
    async fn send(&self, req: HttpRequest) -> Result<HttpResponse, TransportError> {
        let mut b = axum::http::Request::builder()
            .method(req.method.as_str())
            .uri(&req.path);
        for (k, v) in &req.headers {
            b = b.header(k, v);
        }
        let request = b.body(Body::from(req.body)).unwrap();
        let resp = self.router.clone().oneshot(request).await.unwrap();
        let status = resp.status().as_u16();
        let headers = resp
            .headers()
            .iter()
            .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
            .collect();
        let body = axum::body::to_bytes(resp.into_body(), usize::MAX)
            .await
            .unwrap()
            .to_vec();
        Ok(HttpResponse {
            status,
            headers,
            body,
        })
    }
}

/// One fault to inject on a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Deliver normally.
    None,
    /// Lose the request: the server never sees it.
    DropRequest,
    /// Deliver; the server commits; lose the response.
    DropResponse,
    /// Deliver twice; answer the second response.
    Duplicate,
    /// Hold the request and deliver it after the next one (its response is lost).
    Reorder,
    /// Advance the device clock by this many seconds before delivering.
    Delay(i64),
    /// Deliver only the first half of the body, then reset.
    CutBody,
    /// Flip one bit of the request body.
    FlipRequestBit,
    /// Flip one bit of the response body.
    FlipResponseBit,
    /// Answer 413 without delivering.
    TooLarge,
}

/// A fault plan: scripted faults first, then random ones.
pub struct Faulty<T> {
    inner: T,
    script: Mutex<VecDeque<Fault>>,
    rng: Mutex<rand::rngs::StdRng>,
    /// Probability (0–1) of a random fault once the script is empty.
    pub rate: f64,
    held: Mutex<Option<HttpRequest>>,
    clock: Option<Arc<ManualClock>>,
    /// Only inject on requests whose path contains this (all when empty).
    pub only: String,
    /// Answer 413 to pushes larger than this many bytes.
    pub push_limit: Option<usize>,
    log: Mutex<Vec<(String, Fault)>>,
    /// Every request body the client attempted, by path (for byte accounting).
    pub sent: Mutex<Vec<(String, usize)>>,
    /// Every status delivered to the client, by path.
    pub statuses: Mutex<Vec<(String, u16)>>,
    /// Requests swallowed by [`Fault::DropRequest`] (for replay).
    pub captured: Mutex<Vec<HttpRequest>>,
    /// Answer 503 `unavailable` to this many next requests (a database outage).
    pub outage: Mutex<u32>,
}

impl<T: Transport> Faulty<T> {
    /// No faults until scripted or given a rate.
    pub fn new(inner: T, seed: u64) -> Self {
        Self {
            inner,
            script: Mutex::new(VecDeque::new()),
            rng: Mutex::new(rand::rngs::StdRng::seed_from_u64(seed)),
            rate: 0.0,
            held: Mutex::new(None),
            clock: None,
            only: String::new(),
            push_limit: None,
            log: Mutex::new(Vec::new()),
            sent: Mutex::new(Vec::new()),
            statuses: Mutex::new(Vec::new()),
            captured: Mutex::new(Vec::new()),
            outage: Mutex::new(0),
        }
    }

    /// Bytes of request bodies attempted on paths containing `part`.
    pub fn bytes_sent(&self, part: &str) -> usize {
        self.sent
            .lock()
            .unwrap()
            .iter()
            .filter(|(p, _)| p.contains(part))
            .map(|(_, n)| n)
            .sum()
    }

    /// Statuses seen on paths containing `part`.
    pub fn statuses_of(&self, part: &str) -> Vec<u16> {
        self.statuses
            .lock()
            .unwrap()
            .iter()
            .filter(|(p, _)| p.contains(part))
            .map(|(_, s)| *s)
            .collect()
    }

    /// Number of injected faults (scripted or random).
    pub fn faults(&self) -> usize {
        self.log.lock().unwrap().len()
    }

    /// Moves this clock on [`Fault::Delay`].
    pub fn with_clock(mut self, clock: Arc<ManualClock>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Queues faults for the next matching requests.
    pub fn script(&self, faults: &[Fault]) {
        self.script.lock().unwrap().extend(faults.iter().copied());
    }

    /// Faults injected so far (path, fault).
    pub fn log(&self) -> Vec<(String, Fault)> {
        self.log.lock().unwrap().clone()
    }

    fn pick(&self, path: &str) -> Fault {
        if !self.only.is_empty() && !path.contains(&self.only) {
            return Fault::None;
        }
        if let Some(f) = self.script.lock().unwrap().pop_front() {
            return f;
        }
        let mut rng = self.rng.lock().unwrap();
        if self.rate > 0.0 && rng.random_bool(self.rate) {
            match rng.random_range(0..7) {
                0 => Fault::DropRequest,
                1 => Fault::DropResponse,
                2 => Fault::Duplicate,
                3 => Fault::Reorder,
                4 => Fault::Delay(rng.random_range(1..120)),
                5 => Fault::CutBody,
                _ => Fault::FlipRequestBit,
            }
        } else {
            Fault::None
        }
    }

    fn flip(&self, body: &mut [u8]) {
        if body.is_empty() {
            return;
        }
        let mut rng = self.rng.lock().unwrap();
        let i = rng.random_range(0..body.len());
        body[i] ^= 1 << rng.random_range(0..8);
    }
}

impl<T: Transport> Transport for Faulty<T> {
    async fn send(&self, req: HttpRequest) -> Result<HttpResponse, TransportError> {
        let path = req.path.clone();
        self.sent
            .lock()
            .unwrap()
            .push((path.clone(), req.body.len()));
        {
            let mut o = self.outage.lock().unwrap();
            if *o > 0 {
                *o -= 1;
                let body =
                    br#"{"code":"unavailable","message":"db down","retry_after_ms":1000}"#.to_vec();
                self.statuses.lock().unwrap().push((path, 503));
                return Ok(HttpResponse {
                    status: 503,
                    headers: vec![],
                    body,
                });
            }
        }
        let out = self.send_inner(req).await;
        if let Ok(r) = &out {
            self.statuses.lock().unwrap().push((path, r.status));
        }
        out
    }
}

impl<T: Transport> Faulty<T> {
    async fn send_inner(&self, req: HttpRequest) -> Result<HttpResponse, TransportError> {
        if let Some(limit) = self.push_limit
            && req.path.starts_with("/v1/sync/push")
            && req.body.len() > limit
        {
            self.log
                .lock()
                .unwrap()
                .push((req.path.clone(), Fault::TooLarge));
            return Ok(HttpResponse {
                status: 413,
                headers: vec![],
                body: b"too large".to_vec(),
            });
        }
        let fault = self.pick(&req.path);
        if fault != Fault::None {
            self.log.lock().unwrap().push((req.path.clone(), fault));
        }
        let held = self.held.lock().unwrap().take();
        let out = match fault {
            Fault::None => self.inner.send(req).await,
            Fault::DropRequest => {
                self.captured.lock().unwrap().push(req);
                Err(TransportError::Network("request dropped".into()))
            }
            Fault::DropResponse => {
                let _ = self.inner.send(req).await;
                Err(TransportError::Network("response dropped".into()))
            }
            Fault::Duplicate => {
                let _ = self.inner.send(req.clone()).await;
                self.inner.send(req).await
            }
            Fault::Reorder => {
                *self.held.lock().unwrap() = Some(req);
                Err(TransportError::Timeout)
            }
            Fault::Delay(s) => {
                if let Some(c) = &self.clock {
                    c.advance(Duration::seconds(s));
                }
                self.inner.send(req).await
            }
            Fault::CutBody => {
                let mut cut = req.clone();
                cut.body.truncate(req.body.len() / 2);
                // The server may see a truncated body (and refuse it); the
                // client sees a reset.
                if !cut.body.is_empty() {
                    let _ = self.inner.send(cut).await;
                }
                Err(TransportError::Network("connection reset mid-body".into()))
            }
            Fault::FlipRequestBit => {
                let mut r = req;
                self.flip(&mut r.body);
                self.inner.send(r).await
            }
            Fault::FlipResponseBit => {
                let mut resp = self.inner.send(req).await?;
                self.flip(&mut resp.body);
                Ok(resp)
            }
            Fault::TooLarge => Ok(HttpResponse {
                status: 413,
                headers: vec![],
                body: vec![],
            }),
        };
        if let Some(h) = held {
            // The held (reordered) request arrives late; its answer is lost.
            let _ = self.inner.send(h).await;
        }
        out
    }
}

/// Which storage backend a [`TestServer`] runs on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Backend {
    /// SQLite in the data folder (the default).
    Sqlite,
    /// A fresh schema on the PostgreSQL server at this URL.
    Postgres(String),
}

impl Backend {
    /// `sqlite` or `postgres` (never the URL).
    pub fn name(&self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite",
            Self::Postgres(_) => "postgres",
        }
    }

    /// PostgreSQL from `ZHIFA_TEST_PG_URL`; `None` (the test is skipped,
    /// with a `skipped: ZHIFA_TEST_PG_URL unset` line) when it is unset —
    /// a panic instead when `ZHIFA_REQUIRE_PG=1` (CI).
    pub fn postgres(test: &str) -> Option<Self> {
        match zhifa_server::store::pg::test_url(test) {
            Ok(u) => u.map(Self::Postgres),
            Err(e) => panic!("{e}"),
        }
    }
}

/// Runs `f` on a thread of its own and waits for it. Storage calls block
/// (the PostgreSQL client even runs its own runtime, which tokio forbids
/// inside async code), so async tests make them through this, as the
/// server makes them on its blocking pool.
pub fn off_runtime<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|s| match s.spawn(f).join() {
        Ok(v) => v,
        Err(p) => std::panic::resume_unwind(p),
    })
}

/// Runs each listed `async fn NAME(b: Backend)` as two tests,
/// `sqlite::NAME` and `postgres::NAME` (skipped, or failed under
/// `ZHIFA_REQUIRE_PG=1`, when `ZHIFA_TEST_PG_URL` is unset).
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name($crate::Backend::Sqlite).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    if let Some(b) = $crate::Backend::postgres(stringify!($name)) {
                        super::$name(b).await
                    }
                }
            )*
        }
    };
}

/// Which evidence store a [`TestServer`] keeps verified blobs in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Evidence {
    /// The filesystem under the data folder (the default).
    Fs,
    /// A fresh prefix under this `s3://BUCKET/PREFIX` (the `AWS_*`
    /// variables scripts/s3.sh prints give endpoint and credentials).
    S3(String),
}

impl Evidence {
    /// `fs` or `s3`.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Fs => "fs",
            Self::S3(_) => "s3",
        }
    }

    /// S3 from `ZHIFA_TEST_S3_URL`; `None` (the test is skipped, with a
    /// `skipped: ZHIFA_TEST_S3_URL unset` line) when it is unset — a panic
    /// instead when `ZHIFA_REQUIRE_S3=1` (CI).
    pub fn s3(test: &str) -> Option<Self> {
        match zhifa_server::blobs::test_url(test) {
            Ok(u) => u.map(Self::S3),
            Err(e) => panic!("{e}"),
        }
    }
}

/// Runs each listed `async fn NAME(b: Backend, e: Evidence)` four times:
/// `fs_sqlite::NAME`, `fs_postgres::NAME`, `s3_sqlite::NAME` and
/// `s3_postgres::NAME` (a PostgreSQL or S3 variant is skipped, or fails
/// under `ZHIFA_REQUIRE_PG=1` / `ZHIFA_REQUIRE_S3=1`, when its
/// `ZHIFA_TEST_*_URL` is unset).
#[macro_export]
macro_rules! on_both_evidence_stores {
    ($($name:ident),* $(,)?) => {
        mod fs_sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name($crate::Backend::Sqlite, $crate::Evidence::Fs).await
                }
            )*
        }
        mod fs_postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    if let Some(b) = $crate::Backend::postgres(stringify!($name)) {
                        super::$name(b, $crate::Evidence::Fs).await
                    }
                }
            )*
        }
        mod s3_sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    if let Some(e) = $crate::Evidence::s3(stringify!($name)) {
                        super::$name($crate::Backend::Sqlite, e).await
                    }
                }
            )*
        }
        mod s3_postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    if let Some(e) = $crate::Evidence::s3(stringify!($name)) {
                        if let Some(b) = $crate::Backend::postgres(stringify!($name)) {
                            super::$name(b, e).await
                        }
                    }
                }
            )*
        }
    };
}

/// The evidence store of a [`TestServer`], kept so a restart reopens the
/// same one.
#[derive(Debug, Clone)]
struct BlobsSpec {
    /// `None`: the filesystem; else the `s3://` URL with this server's prefix.
    s3: Option<String>,
    /// An endpoint instead of `AWS_ENDPOINT_URL` (an [`S3Proxy`]).
    endpoint: Option<String>,
}

fn make_blobs(dir: &std::path::Path, spec: &BlobsSpec) -> zhifa_server::blobs::Blobs {
    use zhifa_server::blobs::{Blobs, S3Builder, S3Target};
    match &spec.s3 {
        None => Blobs::filesystem(dir.join("evidence")).unwrap(),
        Some(url) => {
            let mut b = S3Builder::from_env();
            if let Some(ep) = &spec.endpoint {
                b = b.with_endpoint(ep);
            }
            Blobs::s3(S3Target::parse(url).unwrap(), b, dir.join("evidence")).unwrap()
        }
    }
}

/// A TCP proxy in front of the test S3 server (`AWS_ENDPOINT_URL`) that
/// can be taken down: while down it cuts open connections and refuses new
/// ones, as an object store outage does. Runs on the test's runtime.
pub struct S3Proxy {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    state: Arc<ProxyState>,
    cut: tokio::sync::watch::Sender<u64>,
}

struct ProxyState {
    down: std::sync::atomic::AtomicBool,
    /// Bytes sent upstream so far.
    sent: std::sync::atomic::AtomicU64,
    /// Go down once `sent` passes this (u64::MAX: never).
    down_after: std::sync::atomic::AtomicU64,
}

impl S3Proxy {
    /// Starts a proxy to `AWS_ENDPOINT_URL`.
    pub async fn start() -> Self {
        use std::sync::atomic::Ordering::SeqCst;
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let upstream = std::env::var("AWS_ENDPOINT_URL").unwrap();
        let upstream = upstream
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_owned();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(ProxyState {
            down: false.into(),
            sent: 0.into(),
            down_after: u64::MAX.into(),
        });
        let (cut, _) = tokio::sync::watch::channel(0u64);
        let (st, c) = (state.clone(), cut.clone());
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                if st.down.load(SeqCst) {
                    drop(client);
                    continue;
                }
                let (up, st, c) = (upstream.clone(), st.clone(), c.clone());
                let mut cut = c.subscribe();
                tokio::spawn(async move {
                    let Ok(server) = tokio::net::TcpStream::connect(&up).await else {
                        return;
                    };
                    let (mut cr, mut cw) = client.into_split();
                    let (mut sr, mut sw) = server.into_split();
                    let upward = async {
                        let mut buf = vec![0u8; 64 * 1024];
                        loop {
                            let n = match cr.read(&mut buf).await {
                                Ok(0) | Err(_) => return,
                                Ok(n) => n,
                            };
                            let total = st.sent.fetch_add(n as u64, SeqCst) + n as u64;
                            if total > st.down_after.load(SeqCst) {
                                st.down.store(true, SeqCst);
                                c.send_modify(|x| *x += 1);
                                return;
                            }
                            if sw.write_all(&buf[..n]).await.is_err() {
                                return;
                            }
                        }
                    };
                    let downward = tokio::io::copy(&mut sr, &mut cw);
                    tokio::select! {
                        _ = async { tokio::join!(upward, downward) } => {}
                        _ = cut.changed() => {}
                    }
                });
            }
        });
        Self { url, state, cut }
    }

    /// Takes the store down (cutting open connections) or brings it back.
    pub fn set_down(&self, down: bool) {
        use std::sync::atomic::Ordering::SeqCst;
        self.state.down.store(down, SeqCst);
        if down {
            self.cut.send_modify(|n| *n += 1);
        } else {
            self.state.down_after.store(u64::MAX, SeqCst);
        }
    }

    /// Goes down by itself once `bytes` more have been sent upstream (an
    /// outage in the middle of a transfer).
    pub fn down_after(&self, bytes: u64) {
        use std::sync::atomic::Ordering::SeqCst;
        let now = self.state.sent.load(SeqCst);
        self.state.down_after.store(now + bytes, SeqCst);
    }

    /// Whether it is down.
    pub fn is_down(&self) -> bool {
        self.state.down.load(std::sync::atomic::Ordering::SeqCst)
    }
}

/// A server on a temporary folder with a manual clock, demo data loaded.
pub struct TestServer {
    /// The data folder.
    pub dir: tempfile::TempDir,
    /// The service.
    pub service: Service,
    /// Its clock.
    pub clock: Arc<ServerClock>,
    /// The enrolment codes of the demo officers, by officer id.
    pub codes: Vec<(String, String)>,
    /// The PostgreSQL schema, when on PostgreSQL (dropped after the
    /// service: fields drop in order).
    pub scratch: Option<zhifa_server::store::pg::Scratch>,
    blobs_spec: BlobsSpec,
}

/// The finance HMAC key tests set.
pub const FINANCE_SECRET: &str = "test-finance-secret";

fn open_service(
    dir: &std::path::Path,
    url: Option<&str>,
    blobs: &BlobsSpec,
    clock: Arc<ServerClock>,
) -> Service {
    off_runtime(|| {
        Service::open_with_blobs(dir, url, make_blobs(dir, blobs), clock)
            .unwrap()
            .with_public_url(Some(PUBLIC_URL.to_owned()))
    })
}

/// The public URL of every [`TestServer`] (`serve --public-url`): the base
/// of the 核验 links on the documents it renders.
pub const PUBLIC_URL: &str = "https://zhifa.test";

impl TestServer {
    /// A fresh SQLite server with the demo officers, codes and sample catalogue.
    pub fn new() -> Self {
        Self::on(&Backend::Sqlite)
    }

    /// A fresh server on `backend` with the demo officers, codes and
    /// sample catalogue.
    pub fn on(backend: &Backend) -> Self {
        Self::on_store(backend, &Evidence::Fs)
    }

    /// A fresh server on `backend` keeping evidence in `evidence` (on S3,
    /// under a prefix of its own).
    pub fn on_store(backend: &Backend, evidence: &Evidence) -> Self {
        Self::with_endpoint(backend, evidence, None)
    }

    /// [`TestServer::on_store`] reaching S3 through `endpoint` (an
    /// [`S3Proxy`]) instead of `AWS_ENDPOINT_URL`.
    pub fn with_endpoint(backend: &Backend, evidence: &Evidence, endpoint: Option<&str>) -> Self {
        let blobs_spec = BlobsSpec {
            s3: match evidence {
                Evidence::Fs => None,
                Evidence::S3(url) => {
                    Some(format!("{}/{}", url.trim_end_matches('/'), Uuid::now_v7()))
                }
            },
            endpoint: endpoint.map(str::to_owned),
        };
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("finance.key"), FINANCE_SECRET).unwrap();
        let clock = Arc::new(ServerClock::new(t0()));
        let scratch = match backend {
            Backend::Sqlite => None,
            Backend::Postgres(url) => Some(zhifa_server::store::pg::Scratch::create(url).unwrap()),
        };
        let service = open_service(
            dir.path(),
            scratch.as_ref().map(|s| s.url()),
            &blobs_spec,
            clock.clone(),
        );
        let codes = off_runtime(|| service.demo().unwrap())
            .into_iter()
            .map(|o| (o.id, o.code))
            .collect();
        Self {
            dir,
            service,
            clock,
            codes,
            scratch,
            blobs_spec,
        }
    }

    /// Reopens the same data folder, database and evidence store (a
    /// server restart).
    pub fn restart(self) -> Self {
        let Self {
            dir,
            service,
            clock,
            codes,
            scratch,
            blobs_spec,
        } = self;
        off_runtime(move || drop(service));
        let service = open_service(
            dir.path(),
            scratch.as_ref().map(|s| s.url()),
            &blobs_spec,
            clock.clone(),
        );
        Self {
            dir,
            service,
            clock,
            codes,
            scratch,
            blobs_spec,
        }
    }

    /// The evidence store.
    pub fn blobs(&self) -> &zhifa_server::blobs::Blobs {
        &self.service.state.blobs
    }

    /// The stored bytes of a blob (either store), if any.
    pub async fn stored(&self, sha256: &str) -> Option<Vec<u8>> {
        self.blobs().read_unchecked(sha256).await.unwrap()
    }

    /// Partial uploads staged on the server's disk.
    pub fn staged(&self) -> usize {
        std::fs::read_dir(self.dir.path().join("evidence/uploads"))
            .map(|d| d.count())
            .unwrap_or(0)
    }

    /// One collector run at the server clock's now.
    pub async fn gc(&self, policy: zhifa_server::gc::GcPolicy) -> zhifa_server::gc::GcReport {
        self.service.gc(policy).await.unwrap()
    }

    /// Runs `f` on the storage, off the async runtime.
    pub fn store<T: Send>(&self, f: impl FnOnce(&Db) -> T + Send) -> T {
        let store = self.service.store().clone();
        off_runtime(move || f(&store))
    }

    /// Publishes a catalogue package (off the async runtime).
    pub fn publish(&self, bytes: &[u8]) -> zhifa_sync::wire::CatalogueRelease {
        off_runtime(|| self.service.publish_catalogue(bytes).unwrap())
    }

    /// The router.
    pub fn router(&self) -> Router {
        zhifa_server::api::router(self.service.state.clone())
    }

    /// An in-process transport.
    pub fn transport(&self) -> InProcess {
        InProcess::new(self.router())
    }

    /// The code of an officer.
    pub fn code(&self, officer: &str) -> String {
        self.codes
            .iter()
            .find(|(o, _)| o == officer)
            .unwrap()
            .1
            .clone()
    }

    /// A fresh code for an officer.
    pub fn new_code(&self, officer: &str) -> String {
        let code = zhifa_server::enrol_code().unwrap();
        let now = self.clock.now_utc();
        self.store(|s| s.add_enrol_code(officer, &code, now).unwrap());
        code
    }

    /// Every case (operator scope).
    pub fn cases(&self) -> Vec<zhifa_sync::wire::CaseSummary> {
        let now = self.clock.now_utc();
        self.store(|s| {
            s.cases(&zhifa_server::store::Scope::All, "test", now)
                .unwrap()
        })
    }

    /// A raw connection to the server database (either backend), for
    /// assertions on its tables.
    pub fn db(&self) -> TestDb {
        match &self.scratch {
            None => TestDb::Sqlite(std::cell::RefCell::new(
                rusqlite::Connection::open(self.dir.path().join("server.db")).unwrap(),
            )),
            Some(s) => TestDb::pg(s.url()),
        }
    }

    /// Creates a console account (`zhifa-server staff add`) and returns
    /// its bearer token.
    pub fn staff(
        &self,
        id: &str,
        role: zhifa_server::console::StaffRole,
        scope: &str,
        department: Option<&str>,
    ) -> String {
        let now = zhifa_server::clock::Clock::now(&*self.clock);
        self.store(|st| {
            st.issue_staff(
                &zhifa_server::console::NewStaff {
                    id: id.into(),
                    name: format!("{id} 测试账号"),
                    role,
                    scope: scope.into(),
                    department: department.map(str::to_owned),
                },
                Duration::days(90),
                now,
            )
            .unwrap()
        })
    }

    /// A console API request (`/v1/console/*`) with a staff token; the
    /// status and the JSON body (`null` when empty or not JSON).
    pub async fn console(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: Option<serde_json::Value>,
    ) -> (u16, serde_json::Value) {
        let mut headers = vec![("authorization".to_string(), format!("Bearer {token}"))];
        if body.is_some() {
            headers.push(("content-type".into(), "application/json".into()));
        }
        let resp = self
            .transport()
            .send(HttpRequest {
                method,
                path: path.into(),
                headers,
                body: body.map(|b| b.to_string().into_bytes()).unwrap_or_default(),
            })
            .await
            .unwrap();
        let json = serde_json::from_slice(&resp.body).unwrap_or(serde_json::Value::Null);
        (resp.status, json)
    }

    /// A console GET whose answer is bytes (a case's file): the status and
    /// the body.
    pub async fn console_bytes(&self, path: &str, token: &str) -> (u16, Vec<u8>) {
        let resp = self
            .transport()
            .send(HttpRequest {
                method: Method::Get,
                path: path.into(),
                headers: vec![("authorization".to_string(), format!("Bearer {token}"))],
                body: Vec::new(),
            })
            .await
            .unwrap();
        (resp.status, resp.body)
    }

    /// Signs and posts a payment callback; returns the status.
    pub async fn pay(&self, document_number: &str, reference: &str, amount_fen: i64) -> u16 {
        let body = serde_json::to_vec(&zhifa_sync::wire::PaymentCallback {
            reference: reference.into(),
            document_number: document_number.into(),
            amount_fen,
            paid_at: "2026-03-11T09:00:00+08:00".into(),
        })
        .unwrap();
        let mut mac = Hmac::<Sha256>::new_from_slice(FINANCE_SECRET.as_bytes()).unwrap();
        mac.update(&body);
        let sig = hex::encode(mac.finalize().into_bytes());
        let resp = self
            .transport()
            .send(HttpRequest {
                method: Method::Post,
                path: "/v1/finance/payments".into(),
                headers: vec![
                    ("content-type".into(), "application/json".into()),
                    (zhifa_sync::wire::FINANCE_SIGNATURE.into(), sig),
                ],
                body,
            })
            .await
            .unwrap();
        resp.status
    }
}

impl Default for TestServer {
    fn default() -> Self {
        Self::new()
    }
}

/// Helper trait: the server clock's time.
pub trait NowUtc {
    /// Now.
    fn now_utc(&self) -> DateTime<Utc>;
}

impl NowUtc for ServerClock {
    fn now_utc(&self) -> DateTime<Utc> {
        zhifa_server::clock::Clock::now(self)
    }
}

/// Helper: the server clock's time, by an unambiguous name.
pub trait ServerNow {
    /// Now.
    fn now_utc_server(&self) -> DateTime<Utc>;
}

impl ServerNow for ServerClock {
    fn now_utc_server(&self) -> DateTime<Utc> {
        zhifa_server::clock::Clock::now(self)
    }
}

/// A device with its own store, key and clock.
pub struct TestDevice {
    /// The data folder.
    pub dir: tempfile::TempDir,
    /// The store.
    pub store: Store,
    /// The key of the store.
    pub key: DbKey,
    /// The device identity with its key.
    pub device: Device,
    /// The device clock.
    pub clock: Arc<ManualClock>,
    /// Small chunks and pages so files span several.
    pub cfg: SyncConfig,
    /// The township its cases are opened in ([`TOWNSHIP`] by default).
    pub township: String,
    /// The two officers of its cases ([`OFFICERS`] by default).
    pub officers: [String; 2],
    salt: u32,
}

impl TestDevice {
    /// A fresh device with sample officers and township configurations.
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let key = DbKey::Raw(rand::random());
        let mut store = Store::open(&dir.path().join("device.db"), &key).unwrap();
        let clock = Arc::new(ManualClock::new(t0()));
        let device = Device::load_or_create(&store, &StoreKeyWrap::new(&key), t0()).unwrap();
        device::load_officers(&mut store, device::SAMPLE_OFFICERS.as_bytes()).unwrap();
        for c in case::config::parse_configs(case::config::SAMPLE_TOWNSHIP_CONFIGS).unwrap() {
            case::set_township_config(&store, &c, t0()).unwrap();
        }
        let mut cfg = SyncConfig::for_data_dir(dir.path());
        cfg.chunk_size = 8 * 1024;
        cfg.page_size = 16 * 1024;
        cfg.backoff_base = std::time::Duration::from_millis(100);
        cfg.max_attempts = 12;
        Self {
            dir,
            store,
            key,
            device,
            clock,
            cfg,
            township: TOWNSHIP.into(),
            officers: OFFICERS.map(String::from),
            salt: 0,
        }
    }

    /// A fresh device whose cases are opened in `township` by `officers`.
    pub fn in_township(township: &str, officers: [&str; 2]) -> Self {
        let mut d = Self::new();
        d.township = township.into();
        d.officers = officers.map(String::from);
        d
    }

    /// Reopens the store (a device restart after a crash).
    pub fn restart(&mut self) {
        let path = self.dir.path().join("device.db");
        self.store = Store::open(&path, &self.key).unwrap();
        self.device = Device::load(&self.store, &StoreKeyWrap::new(&self.key))
            .unwrap()
            .unwrap();
    }

    /// Enrols with a code.
    pub async fn enrol<T: Transport>(&self, t: &T, code: &str) -> Result<(), SyncError> {
        engine::enrol(
            &self.store,
            &self.device,
            t,
            "inprocess://",
            code,
            self.clock.now_utc(),
        )
        .await
        .map(|_| ())
    }

    /// One full sync with retries.
    pub async fn sync<T: Transport>(&mut self, t: &T) -> Result<SyncReport, SyncError> {
        let clock = self.clock.clone();
        let mut e = Engine::new(&mut self.store, &self.device, t, &*clock, self.cfg.clone());
        e.sync().await
    }

    /// One session without retries.
    pub async fn session<T: Transport>(&mut self, t: &T) -> Result<SyncReport, SyncError> {
        let clock = self.clock.clone();
        let mut report = SyncReport::default();
        let mut e = Engine::new(&mut self.store, &self.device, t, &*clock, self.cfg.clone());
        e.session(&mut report).await.map(|()| report)
    }

    /// Advances the device clock by 20 s and returns it.
    pub fn tick(&self) -> DateTime<Utc> {
        self.clock.advance(Duration::seconds(20));
        self.clock.now_utc()
    }

    /// Captures a photo for a case and returns (evidence id, sha256).
    pub fn photo(&mut self, case_id: Uuid) -> (Uuid, String) {
        self.salt += 1;
        let salt = self.salt;
        let img = image::RgbImage::from_fn(240, 180, |x, y| {
            let n =
                (x.wrapping_mul(2_654_435_761) ^ y.wrapping_mul(40_503) ^ salt.wrapping_mul(97))
                    % 251;
            image::Rgb([n as u8, ((x + salt) % 256) as u8, ((y * 3) % 256) as u8])
        });
        let mut jpeg = Cursor::new(Vec::new());
        img.write_to(&mut jpeg, image::ImageFormat::Jpeg).unwrap();
        let bytes = jpeg.into_inner();
        self.photo_bytes(case_id, &bytes)
    }

    /// Captures given JPEG bytes for a case.
    pub fn photo_bytes(&mut self, case_id: Uuid, bytes: &[u8]) -> (Uuid, String) {
        let now = self.tick();
        let capture = Capture {
            case_id: Some(case_id),
            case_number: None,
            officer_ids: self.officers.to_vec(),
            device_time: now,
            server_offset_ms: None,
            fix: None,
            place: Some("龙兴镇示例路".into()),
            original_name: None,
        };
        let dir = EvidenceDir::new(self.dir.path().join("evidence"));
        let mut reader = Cursor::new(bytes.to_vec());
        let rec = evidence::ingest(
            &mut self.store,
            &self.device,
            &dir,
            Source::Reader(&mut reader),
            &capture,
            &IngestOptions {
                font: None,
                after_files_durable: None,
            },
        )
        .unwrap();
        (rec.meta.id.parse().unwrap(), rec.meta.sha256)
    }

    /// Starts a joint inspection (综合查一次) of the sample party at `place`
    /// under `scenarios`, optionally for a task.
    pub fn start_inspection(
        &mut self,
        place: &str,
        scenarios: &[&str],
        task_id: Option<Uuid>,
    ) -> zhifa_core::inspection::Inspection {
        let now = self.tick();
        zhifa_core::inspection::start(
            &mut self.store,
            &zhifa_core::inspection::NewInspection {
                id: case::uuid_v7(now),
                township: self.township.clone(),
                officers: self.officers.clone(),
                place: place.into(),
                party: party(),
                scenarios: scenarios.iter().map(|s| (*s).to_owned()).collect(),
                task_id,
            },
            now,
        )
        .unwrap()
    }

    /// Creates a case with party and facts; returns its id.
    pub fn new_case(&mut self) -> Uuid {
        let now = self.tick();
        let id = case::uuid_v7(now);
        case::create(
            &mut self.store,
            &NewCase {
                id,
                township: self.township.clone(),
                matter_code: "CG-001".into(),
                violation_time: case::beijing(now - Duration::minutes(10)).unwrap(),
                officers: self.officers.clone(),
            },
            now,
        )
        .unwrap();
        let now = self.tick();
        case::advance(
            &mut self.store,
            id,
            &CaseEvent::RecordPartyAndFacts {
                party: party(),
                facts: "在人行道上摆摊经营水果，占道约6平方米".into(),
                place: "龙兴镇示例路12号".into(),
                act_end: None,
                violation_time: None,
            },
            now,
        )
        .unwrap();
        id
    }

    /// Attaches evidence ids to a case.
    pub fn attach(&mut self, id: Uuid, evidence: Vec<Uuid>) {
        let now = self.tick();
        case::advance(
            &mut self.store,
            id,
            &CaseEvent::AttachEvidence {
                evidence_ids: evidence,
                summary: "现场照片".into(),
                no_evidence_reason: None,
            },
            now,
        )
        .unwrap();
    }

    /// Takes a case with one photo through to served; returns (id, number, sha).
    pub fn full_case(&mut self) -> (Uuid, String, String) {
        let id = self.new_case();
        let (ev, sha) = self.photo(id);
        self.attach(id, vec![ev]);
        let fine = ProposedPenalty {
            kind: PenaltyKind::Fine,
            amount_fen: Some(15_000),
            also: Vec::new(),
            band: None,
        };
        let steps = [
            CaseEvent::ShowCredentials,
            CaseEvent::InformRights {
                proposed: fine.clone(),
                content: "已告知拟处罚款150元及陈述申辩权利".into(),
            },
            CaseEvent::WaiveStatement { words: None },
            CaseEvent::Decide {
                penalty: fine,
                circumstances: vec!["area_5_to_10sqm".into()],
                deviation_reason: None,
                place: "龙兴镇示例路12号".into(),
            },
            CaseEvent::Issue,
        ];
        let mut number = String::new();
        for s in &steps {
            let now = self.tick();
            let c = case::advance(&mut self.store, id, s, now).unwrap();
            if let Some(i) = c.issue {
                number = i.number;
            }
        }
        // 行政处罚法 Art. 52 ¶2: both officers sign before it is handed over.
        let officers: Vec<String> = case::get(&self.store, id)
            .unwrap()
            .unwrap()
            .officers
            .iter()
            .map(|o| o.id.clone())
            .collect();
        for o in officers {
            let now = self.tick();
            officers_sign(&mut self.store, id, &o, now);
        }
        let now = self.tick();
        case::advance(
            &mut self.store,
            id,
            &CaseEvent::Serve {
                service: Serving::Refused {
                    reason: "当事人拒绝签收".into(),
                    witness: Some("两名执法人员在场见证".into()),
                },
            },
            now,
        )
        .unwrap();
        (id, number, sha)
    }

    /// Rewrites this device's pending outbox so the decision of `id` carries
    /// `amount_fen` as its fine — a decision the simple procedure does not
    /// allow, as a device with other rules (or a tampered one) would push
    /// it. The step and every later full record of the case carry it.
    pub fn tamper_decision(&self, id: Uuid, amount_fen: i64) {
        let rows: Vec<(i64, String)> = {
            let mut st = self
                .store
                .conn()
                .prepare("SELECT seq, payload FROM outbox WHERE entity = 'case' AND entity_id = ?1 ORDER BY seq")
                .unwrap();
            st.query_map([id.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap()
        };
        let mut decided = false;
        for (seq, payload) in rows {
            let mut v: serde_json::Value = serde_json::from_str(&payload).unwrap();
            decided |= v["kind"] == "decide";
            if v["kind"] == "decide" {
                v["event"]["penalty"]["amount_fen"] = amount_fen.into();
            }
            if decided {
                v["case"]["decision"]["penalty"]["amount_fen"] = amount_fen.into();
                self.store
                    .conn()
                    .execute(
                        "UPDATE outbox SET payload = ?2 WHERE seq = ?1",
                        rusqlite::params![seq, v.to_string()],
                    )
                    .unwrap();
            }
        }
        assert!(decided, "no decision of {id} in the outbox");
    }

    /// Outbox rows still pending.
    pub fn pending(&self) -> i64 {
        self.store
            .conn()
            .query_row(
                "SELECT count(*) FROM outbox WHERE pushed_at IS NULL",
                [],
                |r| r.get(0),
            )
            .unwrap()
    }

    /// Outbox rows in total.
    pub fn outbox_len(&self) -> i64 {
        self.store
            .conn()
            .query_row("SELECT count(*) FROM outbox", [], |r| r.get(0))
            .unwrap()
    }

    /// The device id.
    pub fn id(&self) -> String {
        self.device.id().to_string()
    }
}

impl Default for TestDevice {
    fn default() -> Self {
        Self::new()
    }
}

/// Helper: the device clock's time.
pub trait DeviceNow {
    /// Now.
    fn now_utc(&self) -> DateTime<Utc>;
}

impl DeviceNow for ManualClock {
    fn now_utc(&self) -> DateTime<Utc> {
        zhifa_sync::engine::Clock::now(self)
    }
}

/// The sample party (an individual of 渝北区).
pub fn party() -> CaseParty {
    let body = "50011219850612003";
    let check = citizen_check_character(body).unwrap();
    CaseParty {
        kind: PartyKind::Individual,
        name: "周小川".into(),
        id_number: format!("{body}{check}"),
        phone: Some("13800001234".into()),
        address: "重庆市渝北区龙兴镇示例路1号（样例当事人）".into(),
        representative: None,
        id_kind: None,
        nationality: None,
        birth_date: None,
        no_document_reason: None,
        photo_evidence: None,
    }
}

type DbJob = (
    String,
    Vec<String>,
    std::sync::mpsc::Sender<Result<Vec<Row>, String>>,
);

/// A raw connection to a [`TestServer`]'s database. Statements use the
/// storage's portable dialect (`?N` placeholders); arguments are text.
pub enum TestDb {
    /// The SQLite file.
    Sqlite(std::cell::RefCell<rusqlite::Connection>),
    /// A PostgreSQL connection on a thread of its own (callable from
    /// async tests).
    Pg(std::sync::mpsc::Sender<DbJob>),
}

impl TestDb {
    fn pg(url: &str) -> Self {
        let (tx, rx) = std::sync::mpsc::channel::<DbJob>();
        let url = url.to_owned();
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut c = zhifa_server::store::pg::connect_one(&url).unwrap();
            ready_tx.send(()).unwrap();
            for (sql, args, reply) in rx {
                let vals: Vec<Val<'_>> = args.iter().map(|a| Val::Text(a)).collect();
                let _ = reply.send(c.query(&sql, &vals).map_err(|e| e.to_string()));
            }
        });
        ready_rx.recv().unwrap();
        Self::Pg(tx)
    }

    /// Every row of a query.
    pub fn rows(&self, sql: &str, args: &[&str]) -> Vec<Row> {
        match self {
            Self::Sqlite(c) => {
                let vals: Vec<Val<'_>> = args.iter().map(|a| Val::Text(a)).collect();
                c.borrow_mut().query(sql, &vals).unwrap()
            }
            Self::Pg(tx) => {
                let (rtx, rrx) = std::sync::mpsc::channel();
                tx.send((
                    sql.to_owned(),
                    args.iter().map(|a| (*a).to_owned()).collect(),
                    rtx,
                ))
                .unwrap();
                rrx.recv().unwrap().unwrap()
            }
        }
    }

    /// The integer in the first column of the first row.
    pub fn int(&self, sql: &str, args: &[&str]) -> i64 {
        self.rows(sql, args)[0].get(0).unwrap()
    }

    /// The text in the first column of the first row.
    pub fn text(&self, sql: &str, args: &[&str]) -> String {
        self.rows(sql, args)[0].get(0).unwrap()
    }
}

/// Lower-case hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// Every QR code a PDF shows, rasterised at 200 dpi by poppler's
/// `pdftoppm` and read by rqrr (a grid it cannot read is left out).
pub fn qr_contents(pdf: &[u8]) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("doc.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = std::process::Command::new("pdftoppm")
        .args(["-r", "200", "-gray", "-png", path.to_str().unwrap()])
        .arg(dir.path().join("page"))
        .output()
        .expect("pdftoppm (poppler-utils) is installed");
    assert!(out.status.success(), "pdftoppm failed");
    let mut pngs: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "png"))
        .collect();
    pngs.sort();
    let mut found = Vec::new();
    for png in pngs {
        let img = image::open(&png).unwrap().to_luma8();
        let (w, h) = img.dimensions();
        let mut prepared =
            rqrr::PreparedImage::prepare_from_greyscale(w as usize, h as usize, |x, y| {
                img.get_pixel(x as u32, y as u32).0[0]
            });
        for grid in prepared.detect_grids() {
            if let Ok((_, content)) = grid.decode() {
                found.push(content);
            }
        }
    }
    found
}

/// The text of a PDF, read by poppler's `pdftotext` (Debian's
/// poppler-utils; the README's setup installs it).
pub fn pdf_text(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("doc.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .args(["-layout", path.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext (poppler-utils) is installed");
    assert!(out.status.success(), "pdftotext failed");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The PIN the harness enrols officers with to sign decisions.
pub const OFFICER_PIN: &str = "135792";

/// `officer` signs the issued decision of case `id` with the PIN (enrolled
/// and the signature captured on first need), 行政处罚法 Art. 52 ¶2.
pub fn officers_sign(
    store: &mut zhifa_core::store::Store,
    id: uuid::Uuid,
    officer: &str,
    now: chrono::DateTime<chrono::Utc>,
) {
    use zhifa_core::case::officer_sign;
    if zhifa_core::signin::enrolment(store, officer, now)
        .unwrap()
        .is_none()
    {
        zhifa_core::signin::enrol(store, officer, OFFICER_PIN, now).unwrap();
    }
    let first = officer_sign::stored(store, officer).unwrap().is_none();
    let img = image::GrayImage::from_fn(120, 40, |x, y| {
        image::Luma([if (x + y) % 9 == 0 { 0 } else { 255 }])
    });
    let mut png = std::io::Cursor::new(Vec::new());
    img.write_to(&mut png, image::ImageFormat::Png).unwrap();
    let png = png.into_inner();
    officer_sign::sign_decision(
        store,
        id,
        officer,
        OFFICER_PIN,
        first.then_some(png.as_slice()),
        now,
    )
    .unwrap();
}
