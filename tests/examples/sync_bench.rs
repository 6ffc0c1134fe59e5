//! Sync benchmarks (docs/BENCHMARKS.md). Run in release:
//!
//! ```sh
//! cargo run --release -p zhifa-tests --example sync_bench -- ingest [MUTATIONS] [CONCURRENCY] [--database postgres://…]
//! cargo run --release -p zhifa-tests --example sync_bench -- burst [DEVICES] [CASES] [CONCURRENCY] [WINDOW_S] [--database postgres://…]
//! cargo run --release -p zhifa-tests --example sync_bench -- catalogue [MATTERS]
//! cargo run --release -p zhifa-tests --example sync_bench -- catalogue-delta [MATTERS]
//! cargo run --release -p zhifa-tests --example sync_bench -- overhead [CASES]
//! cargo run --release -p zhifa-tests --example sync_bench -- uploads [BLOBS] [MIB] [--evidence s3://BUCKET/PREFIX]
//! ```
//!
//! `uploads` sends BLOBS evidence originals of MIB MiB each through the
//! upload stream (POST, 1 MiB PATCHes with checksums, completion) to the
//! filesystem store, or with `--evidence s3://…` (and the `AWS_*`
//! variables, e.g. from scripts/s3.sh) to that S3 store.
//!
//! `ingest` and `burst` drive the server's real router in-process (JSON,
//! signature checks, the SQLite ledger with synchronous=FULL on disk, or
//! with `--database postgres://…` a fresh schema on that PostgreSQL
//! server, dropped afterwards), with synthetic devices that sign their
//! pushes with their own Ed25519 keys.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)] // benchmark code: a failure should abort loudly

use std::sync::{Arc, OnceLock};
use std::time::Instant;

use ed25519_dalek::{Signer, SigningKey};
use zhifa_server::Service;
use zhifa_server::clock::SystemClock;
use zhifa_server::store::OfficerRow;
use zhifa_server::store::pg::Scratch;
use zhifa_sync::sign::{enrol_bytes, payload_sha256, push_bytes, refresh_bytes};
use zhifa_sync::transport::{HttpRequest, HttpResponse, Method, Transport};
use zhifa_sync::wire::{PushRequest, PushResponse, TokenResponse, WireMutation};
use zhifa_tests::{InProcess, TestDevice, TestServer, off_runtime};

/// `--database URL`: the PostgreSQL server to run `ingest` / `burst` on.
static DATABASE: OnceLock<Option<String>> = OnceLock::new();
/// `--evidence URL`: the evidence store of `uploads`.
static EVIDENCE: OnceLock<Option<String>> = OnceLock::new();

fn backend_label() -> &'static str {
    match DATABASE.get() {
        Some(Some(_)) => "PostgreSQL, SERIALIZABLE, durable commit",
        _ => "SQLite, synchronous=FULL",
    }
}

struct SimDevice {
    id: String,
    key: SigningKey,
    token: String,
    /// The refresh token and when the access token was issued: a device
    /// whose access token is about to expire (1 h) refreshes it before a
    /// session, as the sync engine does.
    refresh: String,
    issued: Instant,
    seq: i64,
}

impl SimDevice {
    /// Refreshes the access token when it has less than 5 minutes left.
    async fn fresh_token(&mut self, t: &InProcess) {
        let ttl = zhifa_server::store::ACCESS_TTL.to_std().unwrap();
        // ZHIFA_BENCH_REFRESH=always: refresh before every session (checks
        // this path without waiting an hour).
        let always = std::env::var("ZHIFA_BENCH_REFRESH").is_ok_and(|v| v == "always");
        if !always && self.issued.elapsed() + std::time::Duration::from_secs(300) < ttl {
            return;
        }
        let sig = hex::encode(
            self.key
                .sign(&refresh_bytes(&self.id, &self.refresh))
                .to_bytes(),
        );
        let body = serde_json::json!({"device_id": self.id, "refresh_token": self.refresh, "signature": sig});
        let r = t
            .send(json_req(
                Method::Post,
                "/v1/token/refresh",
                None,
                serde_json::to_vec(&body).unwrap(),
            ))
            .await
            .unwrap();
        assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
        let tok: TokenResponse = serde_json::from_slice(&r.body).unwrap();
        self.token = tok.access_token;
        self.refresh = tok.refresh_token;
        self.issued = Instant::now();
    }
}

fn json_req(method: Method, path: &str, token: Option<&str>, body: Vec<u8>) -> HttpRequest {
    let mut headers = vec![
        ("content-type".into(), "application/json".into()),
        ("sync-protocol".into(), "1".into()),
    ];
    if let Some(t) = token {
        headers.push(("authorization".into(), format!("Bearer {t}")));
    }
    HttpRequest {
        method,
        path: path.into(),
        headers,
        body,
    }
}

async fn enrol(service: &Service, t: &InProcess, n: usize) -> SimDevice {
    let officer = format!("BENCH-{n:05}");
    let code = zhifa_server::enrol_code().unwrap();
    off_runtime(|| {
        service
            .store()
            .upsert_officer(&OfficerRow {
                id: officer.clone(),
                name: "基准测试".into(),
                township: "500112108".into(),
                role: "officer".into(),
            })
            .unwrap();
        service
            .store()
            .add_enrol_code(&officer, &code, chrono::Utc::now())
            .unwrap();
    });
    let key = SigningKey::from_bytes(&rand::random());
    let id = uuid::Uuid::now_v7().to_string();
    let pk = hex::encode(key.verifying_key().as_bytes());
    let sig = hex::encode(key.sign(&enrol_bytes(&code, &id, &pk)).to_bytes());
    let body =
        serde_json::json!({"code": code, "device_id": id, "public_key": pk, "signature": sig});
    let r = t
        .send(json_req(
            Method::Post,
            "/v1/enrol",
            None,
            serde_json::to_vec(&body).unwrap(),
        ))
        .await
        .unwrap();
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let tok: TokenResponse = serde_json::from_slice(&r.body).unwrap();
    SimDevice {
        id,
        key,
        token: tok.access_token,
        refresh: tok.refresh_token,
        issued: Instant::now(),
        seq: 0,
    }
}

/// One case as a real device's outbox holds it, full content: every
/// `case` and `evidence` mutation of [`TestDevice::full_case`] (create,
/// party and facts, evidence, attach, credentials, rights, waiver,
/// decision, issue, service), each carrying the whole case record
/// (payload schema 2). Captured once from a device run against a
/// throwaway server; each synthetic case is a copy with fresh UUIDs.
struct Template {
    /// (entity, entity id, op, payload JSON) in outbox order.
    steps: Vec<(String, String, String, String)>,
    /// Every UUID in the payloads (the case's, its evidence's …), replaced
    /// by fresh ones in each copy.
    uuids: Vec<String>,
}

impl Template {
    async fn capture() -> Self {
        let server = TestServer::new();
        let t = server.transport();
        let mut dev = TestDevice::new();
        dev.enrol(&t, &server.code(zhifa_tests::OFFICERS[0]))
            .await
            .unwrap();
        dev.sync(&t).await.unwrap(); // catalogue and number leases
        let (id, _, _) = dev.full_case();
        let mut st = dev
            .store
            .conn()
            .prepare(
                "SELECT entity, entity_id, op, payload FROM outbox WHERE entity IN ('case', 'evidence')
                 AND (entity_id = ?1 OR payload LIKE '%' || ?1 || '%') ORDER BY seq",
            )
            .unwrap();
        let steps: Vec<(String, String, String, String)> = st
            .query_map([id.to_string()], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let mut uuids = Vec::new();
        for (_, entity_id, _, p) in &steps {
            uuids.push(entity_id.clone());
            collect_uuids(&serde_json::from_str(p).unwrap(), &mut uuids);
        }
        uuids.sort();
        uuids.dedup();
        assert!(
            steps
                .iter()
                .all(|(e, _, _, p)| e != "case" || p.contains("\"case\":{")),
            "every case step carries the full record"
        );
        Self { steps, uuids }
    }

    /// Mutations per case.
    fn len(&self) -> usize {
        self.steps.len()
    }
}

fn collect_uuids(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::String(s) if s.len() == 36 && uuid::Uuid::parse_str(s).is_ok() => {
            out.push(s.clone())
        }
        serde_json::Value::Array(a) => a.iter().for_each(|x| collect_uuids(x, out)),
        serde_json::Value::Object(o) => o.values().for_each(|x| collect_uuids(x, out)),
        _ => {}
    }
}

/// `cases` copies of the template case, each with fresh UUIDs, as the
/// device's next outbox seqs.
fn case_mutations(t: &Template, d: &mut SimDevice, cases: usize) -> Vec<WireMutation> {
    let mut out = Vec::with_capacity(cases * t.len());
    for _ in 0..cases {
        let fresh: Vec<(String, String)> = t
            .uuids
            .iter()
            .map(|u| (u.clone(), uuid::Uuid::now_v7().to_string()))
            .collect();
        let swap = |s: &str| {
            fresh
                .iter()
                .fold(s.to_owned(), |acc, (old, new)| acc.replace(old, new))
        };
        for (entity, entity_id, op, payload) in &t.steps {
            let payload: serde_json::Value = serde_json::from_str(&swap(payload)).unwrap();
            d.seq += 1;
            out.push(WireMutation {
                seq: d.seq,
                mutation_id: uuid::Uuid::now_v7().to_string(),
                entity: entity.clone(),
                entity_id: swap(entity_id),
                op: op.clone(),
                payload_sha256: payload_sha256(&payload),
                payload,
                device_time: "2026-03-10T02:00:00.000Z".into(),
            });
        }
    }
    out
}

/// Cuts a device's mutations into push batches as its engine does: at
/// most 200 (`SyncConfig::batch_size`), and under the server's request
/// limit (`wire::MAX_PUSH_BYTES`; the engine halves its batch until the
/// signed body fits — a full-content case step carries the whole record).
fn pack(ms: Vec<WireMutation>) -> Vec<Vec<WireMutation>> {
    // The request's own fields and the signature, with room to spare.
    const FRAME: usize = 1024;
    let mut out = Vec::new();
    let mut batch: Vec<WireMutation> = Vec::new();
    let mut bytes = FRAME;
    for m in ms {
        let len = serde_json::to_vec(&m).unwrap().len() + 1;
        if !batch.is_empty()
            && (batch.len() == 200 || bytes + len > zhifa_sync::wire::MAX_PUSH_BYTES)
        {
            out.push(std::mem::take(&mut batch));
            bytes = FRAME;
        }
        bytes += len;
        batch.push(m);
    }
    if !batch.is_empty() {
        out.push(batch);
    }
    out
}

/// Prints the rejection codes, counted (a rejected mutation is work the
/// server did, but a benchmark that rejects is not measuring ingest).
fn report_rejections(codes: &[String]) {
    let mut counts = std::collections::BTreeMap::new();
    for c in codes {
        *counts.entry(c.as_str()).or_insert(0usize) += 1;
    }
    for (c, n) in counts {
        println!("  rejected {c}: {n}");
    }
}

async fn push(t: &InProcess, d: &SimDevice, ms: Vec<WireMutation>) -> (HttpResponse, usize) {
    let mut req = PushRequest {
        device_id: d.id.clone(),
        batch_id: uuid::Uuid::now_v7().to_string(),
        known_server_epoch: None,
        mutations: ms,
        signature: String::new(),
    };
    req.signature = hex::encode(d.key.sign(&push_bytes(&req)).to_bytes());
    let body = serde_json::to_vec(&req).unwrap();
    let n = body.len();
    (
        t.send(json_req(
            Method::Post,
            "/v1/sync/push",
            Some(&d.token),
            body,
        ))
        .await
        .unwrap(),
        n,
    )
}

fn server() -> (tempfile::TempDir, Service, Option<Scratch>) {
    let dir = tempfile::tempdir().unwrap();
    let scratch = DATABASE
        .get()
        .cloned()
        .flatten()
        .map(|url| Scratch::create(&url).unwrap());
    let service = off_runtime(|| {
        let evidence = EVIDENCE
            .get()
            .cloned()
            .flatten()
            .map(|u| format!("{u}/bench-{}", uuid::Uuid::now_v7()));
        let s = Service::open_evidence(
            dir.path(),
            scratch.as_ref().map(Scratch::url),
            evidence.as_deref(),
            Arc::new(SystemClock),
        )
        .unwrap();
        s.demo().unwrap();
        s
    });
    (dir, service, scratch)
}

/// Server ingest: `total` mutations in batches of 200 from 20 devices,
/// `concurrency` devices pushing at once (each device's batches in order,
/// as its engine sends them; 1 = one request at a time).
async fn ingest(total: usize, concurrency: usize) {
    let template = Template::capture().await;
    let (_dir, service, _scratch) = server();
    let router = zhifa_server::api::router(service.state.clone());
    let t = InProcess::new(router.clone());
    let mut devs = Vec::new();
    for i in 0..20 {
        devs.push(enrol(&service, &t, i).await);
    }
    // Whole cases, spread over the devices, in the batches the device
    // engine would send.
    let per_case = template.len();
    let cases = total.div_ceil(per_case);
    let n = devs.len();
    let queues: Vec<Vec<Vec<WireMutation>>> = devs
        .iter_mut()
        .enumerate()
        .map(|(i, d)| {
            pack(case_mutations(
                &template,
                d,
                cases / n + usize::from(i < cases % n),
            ))
        })
        .collect();
    let batches: usize = queues.iter().map(Vec::len).sum();
    let per_batch = cases * per_case / batches.max(1);
    let sem = Arc::new(tokio::sync::Semaphore::new(concurrency.max(1)));
    let start = Instant::now();
    let mut handles = Vec::new();
    for (d, batches) in devs.into_iter().zip(queues) {
        let t = InProcess::new(router.clone());
        let sem = sem.clone();
        handles.push(tokio::spawn(async move {
            let (mut applied, mut rejected) = (0, Vec::new());
            for ms in batches {
                let _permit = sem.acquire().await.unwrap();
                let (r, _) = push(&t, &d, ms).await;
                assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
                let p: PushResponse = serde_json::from_slice(&r.body).unwrap();
                for m in p.results {
                    match m.code {
                        None => applied += 1,
                        Some(c) => rejected.push(c),
                    }
                }
            }
            (applied, rejected)
        }));
    }
    let (mut applied, mut rejected) = (0, Vec::new());
    for h in handles {
        let (a, r) = h.await.unwrap();
        applied += a;
        rejected.extend(r);
    }
    let s = start.elapsed().as_secs_f64();
    println!(
        "ingest ({}, full-content cases of {per_case} mutations, {batches} batches of ~{per_batch}, {concurrency} in flight): {applied} applied + {} rejected in {s:.2} s = {:.0} mutations/s",
        backend_label(),
        rejected.len(),
        (applied + rejected.len()) as f64 / s
    );
    report_rejections(&rejected);
}

/// The end-of-day burst: `devices` devices each push `cases` full-content
/// cases ([`Template`]), pull their inbox and the catalogue head. With
/// `window` = 0 all arrive at once; otherwise each arrives at a seeded,
/// uniformly random moment within the first `window` seconds (officers
/// coming back from patrol). A device's sync time runs from its arrival —
/// waiting for one of the server's `concurrency` connection slots
/// included — to its last answer.
async fn burst(devices: usize, cases: usize, concurrency: usize, window: f64) {
    use rand::{Rng, SeedableRng};
    let template = Arc::new(Template::capture().await);
    let (_dir, service, _scratch) = server();
    let router = zhifa_server::api::router(service.state.clone());
    let t = InProcess::new(router.clone());
    let mut devs = Vec::with_capacity(devices);
    for i in 0..devices {
        devs.push(enrol(&service, &t, i).await);
    }
    println!(
        "burst: {devices} devices enrolled; each pushes {cases} cases ({} mutations), pulls its inbox and the catalogue head; arrivals over {window:.0} s",
        cases * template.len()
    );
    let mut rng = rand::rngs::StdRng::seed_from_u64(9_000);
    let start = Instant::now();
    let sem = Arc::new(tokio::sync::Semaphore::new(concurrency));
    let mut handles = Vec::new();
    for mut d in devs {
        let t = InProcess::new(router.clone());
        let sem = sem.clone();
        let template = template.clone();
        let arrival = start
            + std::time::Duration::from_secs_f64(if window > 0.0 {
                rng.random_range(0.0..window)
            } else {
                0.0
            });
        handles.push(tokio::spawn(async move {
            tokio::time::sleep_until(arrival.into()).await;
            let t0 = Instant::now();
            // The device's cases are made once it holds a slot: a queue
            // of thousands of waiting devices each holding 500 full-content
            // mutations ran the benchmark out of memory (24 GB).
            let _permit = sem.acquire().await.unwrap();
            d.fresh_token(&t).await;
            let ms = case_mutations(&template, &mut d, cases);
            let (mut errors, mut rejected) = (Vec::new(), Vec::new());
            for chunk in pack(ms) {
                let (r, _) = push(&t, &d, chunk).await;
                if r.status != 200 {
                    errors.push(r.status);
                    continue;
                }
                let p: PushResponse = serde_json::from_slice(&r.body).unwrap();
                rejected.extend(p.results.into_iter().filter_map(|m| m.code));
            }
            for path in ["/v1/sync/inbox?cursor=0", "/v1/catalogue/latest"] {
                let r = t
                    .send(json_req(Method::Get, path, Some(&d.token), vec![]))
                    .await
                    .unwrap();
                if r.status != 200 {
                    errors.push(r.status);
                }
            }
            (t0.elapsed().as_secs_f64(), errors, rejected)
        }));
    }
    let mut times = Vec::new();
    let (mut statuses, mut rejected) = (Vec::new(), Vec::new());
    for h in handles {
        let (s, e, r) = h.await.unwrap();
        times.push(s);
        statuses.extend(e);
        rejected.extend(r);
    }
    let errors = statuses.len();
    let mut by_status = std::collections::BTreeMap::<u16, usize>::new();
    for s in statuses {
        *by_status.entry(s).or_default() += 1;
    }
    let wall = start.elapsed().as_secs_f64();
    times.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let q = |p: f64| times[((times.len() as f64 - 1.0) * p) as usize];
    println!(
        "burst ({}): {devices} devices × {cases} cases, arrivals over {window:.0} s, {concurrency} concurrent: wall {wall:.1} s, per-device sync (from arrival) p50 {:.2} s, p99 {:.2} s, max {:.2} s, errors {errors} (by HTTP status {by_status:?}), rejected {}, {:.0} mutations/s",
        backend_label(),
        q(0.5),
        q(0.99),
        q(1.0),
        rejected.len(),
        (devices * cases * template.len()) as f64 / wall
    );
    report_rejections(&rejected);
}

async fn catalogue(matters: usize) {
    let server = TestServer::new();
    let t = server.transport();
    let mut dev = TestDevice::new();
    dev.cfg.page_size = 1024 * 1024;
    dev.cfg.catalogue_delta = false; // the snapshot path (deltas: catalogue-delta)
    dev.enrol(&t, &server.code("OFF-LX-01")).await.unwrap();
    dev.sync(&t).await.unwrap();
    let mut p = zhifa_core::catalogue::synth::synth(&zhifa_core::catalogue::synth::SynthOptions {
        matters,
        townships: 30,
        seed: 1,
    });
    p.release.id = "CQ-SYNTH-BENCH".into();
    let bytes = serde_json::to_vec(&p).unwrap();
    server.publish(&bytes);
    let checked = zhifa_core::catalogue::check_package(&bytes).unwrap();
    let pk = &checked.package;
    let rows = pk.matters.len()
        + pk.provisions.len()
        + pk.matters.iter().map(|m| m.levels.len()).sum::<usize>()
        + pk.townships.len();
    let start = Instant::now();
    let r = dev.sync(&t).await.unwrap();
    let s = start.elapsed().as_secs_f64();
    assert_eq!(r.catalogue_release.as_deref(), Some("CQ-SYNTH-BENCH"));
    println!(
        "catalogue snapshot: {} bytes, {rows} rows ({} matters) downloaded in pages, verified and imported in {s:.2} s = {:.0} rows/s",
        bytes.len(),
        pk.matters.len(),
        rows as f64 / s
    );
}

/// Release A (synthetic, `matters`) on the device, then release B = A with
/// 1 % of the matters renamed: B goes as a delta. Prints the delta's size
/// against the snapshot's, the server's one-time encoding time and the
/// device's download + decode + digest check + import time.
async fn catalogue_delta(matters: usize) {
    let server = TestServer::new();
    let t = server.transport();
    let mut dev = TestDevice::new();
    dev.cfg.page_size = 1024 * 1024;
    dev.enrol(&t, &server.code("OFF-LX-01")).await.unwrap();
    let opts = zhifa_core::catalogue::synth::SynthOptions {
        matters,
        townships: 30,
        seed: 1,
    };
    let mut a = zhifa_core::catalogue::synth::synth(&opts);
    a.release.id = "CQ-SYNTH-A".into();
    server
        .service
        .publish_catalogue(&serde_json::to_vec(&a).unwrap())
        .unwrap();
    dev.sync(&t).await.unwrap();
    let mut b = a.clone();
    b.release.id = "CQ-SYNTH-B".into();
    let step = 100;
    for m in b.matters.iter_mut().step_by(step) {
        m.name.push_str("（修订）");
    }
    let b_bytes = serde_json::to_vec(&b).unwrap();
    let rel = server.service.publish_catalogue(&b_bytes).unwrap();
    let a_bytes = serde_json::to_vec(&a).unwrap();
    let enc = Instant::now();
    let d = zhifa_sync::delta::encode(&a_bytes, &b_bytes).unwrap();
    let enc_s = enc.elapsed().as_secs_f64();
    let start = Instant::now();
    let r = dev.sync(&t).await.unwrap();
    let s = start.elapsed().as_secs_f64();
    assert_eq!(r.catalogue_release.as_deref(), Some("CQ-SYNTH-B"));
    assert_eq!(r.catalogue_via.as_deref(), Some("delta"));
    println!(
        "catalogue delta: {} of {} matters changed; snapshot {} bytes, delta {} bytes ({:.3} %); encoding {enc_s:.2} s (once per release pair, cached); device sync with the delta (server encode on first request, download, decode, SHA-256, import) {s:.2} s",
        matters.div_ceil(step),
        matters,
        rel.size,
        d.len(),
        d.len() as f64 * 100.0 / rel.size as f64
    );
}

/// Counts bytes both ways.
struct Counting {
    inner: InProcess,
    up: std::sync::Mutex<(usize, usize)>,
}

impl Transport for Counting {
    async fn send(
        &self,
        req: HttpRequest,
    ) -> Result<HttpResponse, zhifa_sync::transport::TransportError> {
        let is_push = req.path.starts_with("/v1/sync/push");
        let n = req.body.len()
            + req.path.len()
            + req
                .headers
                .iter()
                .map(|(k, v)| k.len() + v.len() + 4)
                .sum::<usize>();
        let r = self.inner.send(req).await?;
        if is_push {
            let mut u = self.up.lock().unwrap();
            u.0 += n;
            u.1 += r.body.len();
        }
        Ok(r)
    }
}

async fn overhead(cases: usize) {
    let server = TestServer::new();
    let mut dev = TestDevice::new();
    dev.enrol(&server.transport(), &server.code("OFF-LX-01"))
        .await
        .unwrap();
    dev.sync(&server.transport()).await.unwrap();
    for _ in 0..cases {
        dev.full_case();
    }
    let payload: usize = {
        let mut st = dev
            .store
            .conn()
            .prepare("SELECT payload FROM outbox WHERE pushed_at IS NULL")
            .unwrap();
        st.query_map([], |r| r.get::<_, String>(0))
            .unwrap()
            .map(|p| p.unwrap().len())
            .sum()
    };
    let mutations = dev.pending();
    let c = Counting {
        inner: server.transport(),
        up: std::sync::Mutex::new((0, 0)),
    };
    dev.sync(&c).await.unwrap();
    let (up, down) = *c.up.lock().unwrap();
    println!(
        "overhead: {cases} full cases = {mutations} mutations; payload {} B/case; push requests {} B/case (+ headers), responses {} B/case; protocol overhead {} B/case ({:.0} B/mutation)",
        payload / cases,
        up / cases,
        down / cases,
        (up + down - payload) / cases,
        (up + down - payload) as f64 / mutations as f64
    );
}

async fn uploads(blobs: usize, mib: usize) {
    use base64::Engine as _;
    use sha2::Digest as _;
    let (_dir, service, _scratch) = server();
    let t = InProcess::new(zhifa_server::api::router(service.state.clone()));
    let d = enrol(&service, &t, 0).await;
    let store = service.state.blobs.describe();
    let files: Vec<Vec<u8>> = (0..blobs)
        .map(|_| {
            let mut b = vec![0u8; mib << 20];
            rand::Rng::fill(&mut rand::rng(), &mut b[..]);
            b
        })
        .collect();
    let start = Instant::now();
    for bytes in &files {
        let sha = hex::encode(sha2::Sha256::digest(bytes));
        let create =
            serde_json::json!({"sha256": sha, "size": bytes.len(), "media_type": "image/jpeg"});
        let r = t
            .send(json_req(
                Method::Post,
                "/v1/uploads",
                Some(&d.token),
                serde_json::to_vec(&create).unwrap(),
            ))
            .await
            .unwrap();
        assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
        let st: zhifa_sync::wire::UploadState = serde_json::from_slice(&r.body).unwrap();
        let mut offset = 0;
        let mut last = None;
        for chunk in bytes.chunks(1 << 20) {
            let mut req = json_req(
                Method::Patch,
                &format!("/v1/uploads/{}", st.upload_id),
                Some(&d.token),
                chunk.to_vec(),
            );
            req.headers[0].1 = "application/offset+octet-stream".into();
            req.headers
                .push(("upload-offset".into(), offset.to_string()));
            let sum = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(chunk));
            req.headers
                .push(("upload-checksum".into(), format!("sha256 {sum}")));
            let r = t.send(req).await.unwrap();
            assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
            offset += chunk.len();
            last = Some(r);
        }
        let done: zhifa_sync::wire::UploadState =
            serde_json::from_slice(&last.unwrap().body).unwrap();
        assert!(done.verified);
        assert_eq!(
            service.state.blobs.head(&sha).await.unwrap(),
            Some(bytes.len() as u64)
        );
    }
    let s = start.elapsed().as_secs_f64();
    let total = (blobs * mib) as f64;
    println!(
        "uploads ({store}; {}): {blobs} blobs × {mib} MiB in 1 MiB chunks, staged, verified and stored in {s:.2} s = {:.1} MiB/s",
        backend_label(),
        total / s
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let mut args: Vec<String> = std::env::args().collect();
    let mut database = None;
    if let Some(i) = args.iter().position(|a| a == "--database") {
        database = args.get(i + 1).cloned();
        args.drain(i..(i + 2).min(args.len()));
    }
    DATABASE.set(database).unwrap();
    let mut evidence = None;
    if let Some(i) = args.iter().position(|a| a == "--evidence") {
        evidence = args.get(i + 1).cloned();
        args.drain(i..(i + 2).min(args.len()));
    }
    EVIDENCE.set(evidence).unwrap();
    let num = |i: usize, d: usize| args.get(i).and_then(|v| v.parse().ok()).unwrap_or(d);
    match args.get(1).map(String::as_str) {
        Some("ingest") => ingest(num(2, 50_000), num(3, 1)).await,
        Some("burst") => {
            let window = args.get(5).and_then(|v| v.parse().ok()).unwrap_or(0.0);
            burst(num(2, 9_000), num(3, 50), num(4, 64), window).await
        }
        Some("catalogue") => catalogue(num(2, 20_000)).await,
        Some("catalogue-delta") => catalogue_delta(num(2, 20_000)).await,
        Some("overhead") => overhead(num(2, 20)).await,
        Some("uploads") => uploads(num(2, 8), num(3, 16)).await,
        _ => eprintln!(
            "usage: sync_bench ingest|burst|catalogue|catalogue-delta|overhead|uploads [N…]"
        ),
    }
}
