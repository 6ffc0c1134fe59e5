//! The pieces of `two_servers.rs`: a deployment (database, store, master
//! key, shared data folder), a running `zhifa-server serve` process, and
//! the device transport that alternates between two of them.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::Value;
use zhifa_sync::transport::{
    HttpRequest, HttpResponse, HttpTransport, Method, Transport, TransportError,
};

/// How long a process may take to start, a collector to finish.
pub(crate) const DEADLINE: Duration = Duration::from_secs(60);

/// The `zhifa-server` binary of this target folder, built first (a
/// no-op when it is fresh): this package cannot name another package's
/// binary through `CARGO_BIN_EXE_*`.
fn server_bin() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let bin = exe
        .parent()
        .and_then(Path::parent)
        .unwrap()
        .join("zhifa-server");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut build = Command::new(cargo);
    build.args(["build", "-p", "zhifa-server", "--bin", "zhifa-server"]);
    // What `cargo test` sets for this test only: build scripts that watch
    // these (ring's) would otherwise rebuild against the outer build.
    for (k, _) in std::env::vars() {
        if k.starts_with("CARGO_PKG_")
            || matches!(
                k.as_str(),
                "CARGO_MANIFEST_DIR"
                    | "CARGO_MANIFEST_PATH"
                    | "CARGO_CRATE_NAME"
                    | "CARGO_PRIMARY_PACKAGE"
                    | "CARGO_TARGET_TMPDIR"
            )
        {
            build.env_remove(k);
        }
    }
    let st = build.status().unwrap();
    assert!(st.success(), "building zhifa-server");
    assert!(bin.exists(), "{}", bin.display());
    bin
}

/// One deployment: the database, the evidence store, the master key and
/// the data folder every process of it shares.
pub(crate) struct Deployment {
    bin: PathBuf,
    pub(crate) data: tempfile::TempDir,
    database: String,
    evidence: String,
    master_key: String,
    /// Dropped last: the schema goes with it.
    _scratch: zhifa_server::store::pg::Scratch,
}

impl Deployment {
    pub(crate) fn new(pg: &str, s3: &str) -> Self {
        let scratch = zhifa_server::store::pg::Scratch::create(pg).unwrap();
        Self {
            bin: server_bin(),
            data: tempfile::tempdir().unwrap(),
            database: scratch.url().to_owned(),
            evidence: format!("{}/{}", s3.trim_end_matches('/'), uuid::Uuid::now_v7()),
            master_key: hex::encode(rand::random::<[u8; 32]>()),
            _scratch: scratch,
        }
    }

    /// `zhifa-server` with this deployment's flags and environment.
    pub(crate) fn command(&self) -> Command {
        let mut c = Command::new(&self.bin);
        c.arg("--data")
            .arg(self.data.path())
            .args(["--database", &self.database, "--evidence", &self.evidence])
            .env(zhifa_server::pii::keys::ENV_KEY, &self.master_key)
            .env_remove(zhifa_server::pii::keys::ENV_FILE)
            .env_remove(zhifa_server::pii::keys::ENV_PREVIOUS)
            .env("ZHIFA_LOG", "warn");
        c
    }

    /// An operator command; its JSON answer.
    pub(crate) fn cli(&self, args: &[&str]) -> Value {
        let out = self.command().arg("--json").args(args).output().unwrap();
        json_of(&out)
    }

    /// A raw connection to the deployment's schema (call it off any async
    /// runtime: the PostgreSQL client runs its own).
    pub(crate) fn db(&self) -> zhifa_server::store::pg::PgConn {
        zhifa_server::store::pg::connect_one(&self.database).unwrap()
    }
}

pub(crate) fn json_of(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// A running `zhifa-server serve`; killed when dropped.
pub(crate) struct Server {
    child: Child,
    pub(crate) url: String,
    /// Its stderr (JSON log lines), shown when the test fails.
    log: PathBuf,
}

impl Server {
    /// Starts `serve` on a free loopback port and waits until it answers.
    pub(crate) fn start(d: &Deployment, name: &str, demo: bool) -> Self {
        let log_path = d.data.path().join(format!("{name}.log"));
        let log = std::fs::File::create(&log_path).unwrap();
        let mut cmd = d.command();
        cmd.args(["serve", "--listen", "127.0.0.1:0"])
            .args(["--public-rate-per-minute", "0"]);
        if demo {
            cmd.arg("--demo");
        }
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log))
            .spawn()
            .unwrap();
        // The first stdout line names the address (read on a thread, so
        // the wait has a deadline).
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = rx.recv_timeout(DEADLINE).unwrap();
        let first: Value = serde_json::from_str(&line).unwrap_or(Value::Null);
        let url = first["listening"]
            .as_str()
            .unwrap_or_else(|| panic!("{name}: no listening line: {line:?}"))
            .to_owned();
        let me = Self {
            child,
            url,
            log: log_path,
        };
        me.wait_ready(name);
        me
    }

    /// Polls the public `GET /v1/badge/key` until it answers 200.
    fn wait_ready(&self, name: &str) {
        let t = HttpTransport::new(&self.url, None).unwrap();
        let deadline = Instant::now() + DEADLINE;
        loop {
            let r = block_on(t.send(get("/v1/badge/key", None)));
            if matches!(r, Ok(ref resp) if resp.status == 200) {
                return;
            }
            assert!(Instant::now() < deadline, "{name} not ready: {r:?}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            let text = std::fs::read_to_string(&self.log).unwrap_or_default();
            for line in text.lines().filter(|l| !l.contains("\"level\":\"INFO\"")) {
                eprintln!("{}: {line}", self.url);
            }
        }
    }
}

pub(crate) fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

pub(crate) fn get(path: &str, token: Option<&str>) -> HttpRequest {
    HttpRequest {
        method: Method::Get,
        path: path.into(),
        headers: auth(token),
        body: Vec::new(),
    }
}

fn auth(token: Option<&str>) -> Vec<(String, String)> {
    let mut h = vec![(
        zhifa_sync::wire::PROTOCOL_HEADER.to_owned(),
        zhifa_sync::wire::PROTOCOL_VERSION.to_string(),
    )];
    if let Some(t) = token {
        h.push(("authorization".into(), format!("Bearer {t}")));
    }
    h
}

/// One request a [`Route`] sent, and what came back.
#[derive(Debug, Clone)]
pub(crate) struct Hop {
    /// 0 = A, 1 = B.
    pub(crate) server: usize,
    pub(crate) path: String,
    pub(crate) status: Option<u16>,
    /// The answer was thrown away after the server sent it.
    pub(crate) lost: bool,
    /// A push: its seqs; an upload PATCH: its offset.
    pub(crate) seqs: Vec<i64>,
    pub(crate) offset: Option<u64>,
    /// A push: each result's status; a PATCH: `verified`; an inbox page:
    /// its event cursors then its next cursor.
    pub(crate) answer: Vec<String>,
}

/// A device's way to the two servers: pushes alternate A, B, A … and the
/// answer of every third is lost after the server committed it; upload
/// chunk `k` goes to server `k % 2` and the answer of each upload's second
/// chunk is lost once; everything else alternates.
pub(crate) struct Route {
    servers: [HttpTransport; 2],
    chunk: u64,
    state: Mutex<RouteState>,
}

#[derive(Default)]
struct RouteState {
    pushes: usize,
    others: usize,
    lost_chunk: BTreeSet<String>,
    hops: Vec<Hop>,
}

impl Route {
    pub(crate) fn new(urls: [&str; 2], chunk: usize) -> Self {
        Self {
            servers: urls.map(|u| HttpTransport::new(u, None).unwrap()),
            chunk: chunk as u64,
            state: Mutex::new(RouteState::default()),
        }
    }

    pub(crate) fn hops(&self) -> Vec<Hop> {
        self.state.lock().unwrap().hops.clone()
    }
}

impl Transport for Route {
    async fn send(&self, req: HttpRequest) -> Result<HttpResponse, TransportError> {
        let path = req.path.clone();
        let is_push = req.method == Method::Post && path == "/v1/sync/push";
        let offset = (req.method == Method::Patch)
            .then(|| {
                req.headers
                    .iter()
                    .find(|(k, _)| k == zhifa_sync::wire::UPLOAD_OFFSET)
                    .and_then(|(_, v)| v.parse::<u64>().ok())
            })
            .flatten();
        let seqs: Vec<i64> = if is_push {
            let body: Value = serde_json::from_slice(&req.body).unwrap();
            body["mutations"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["seq"].as_i64().unwrap())
                .collect()
        } else {
            Vec::new()
        };
        let (server, lose) = {
            let mut st = self.state.lock().unwrap();
            if is_push {
                st.pushes += 1;
                ((st.pushes - 1) % 2, (st.pushes - 1).is_multiple_of(3))
            } else if let Some(off) = offset {
                let k = off / self.chunk;
                let lose = k == 1 && st.lost_chunk.insert(path.clone());
                ((k % 2) as usize, lose)
            } else {
                st.others += 1;
                ((st.others - 1) % 2, false)
            }
        };
        let r = self.servers[server].send(req).await;
        let answer = match &r {
            Ok(resp) if resp.status == 200 => {
                let v: Value = serde_json::from_slice(&resp.body).unwrap_or(Value::Null);
                if is_push {
                    v["results"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|x| x["status"].as_str().unwrap().to_owned())
                        .collect()
                } else if offset.is_some() {
                    vec![v["verified"].to_string()]
                } else if path.starts_with("/v1/sync/inbox") {
                    v["events"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|e| e["cursor"].to_string())
                        .chain(std::iter::once(v["next_cursor"].to_string()))
                        .collect()
                } else {
                    Vec::new()
                }
            }
            _ => Vec::new(),
        };
        let lost = lose && matches!(&r, Ok(resp) if resp.status == 200);
        self.state.lock().unwrap().hops.push(Hop {
            server,
            path,
            status: r.as_ref().ok().map(|x| x.status),
            lost,
            seqs,
            offset,
            answer,
        });
        if lost {
            return Err(TransportError::Network("answer lost (test)".into()));
        }
        r
    }
}
