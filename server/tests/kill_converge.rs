//! Real processes: `zhifa-server` and `zhifa sync` are SIGKILLed at random
//! moments mid-sync, again and again, on the same data folders; then one
//! clean sync must converge: every case the device holds is on the server
//! with its document number, status and all its evidence, nothing rejected,
//! nothing pending.
//!
//! `ZHIFA_KILL_CYCLES` (default 8) and `ZHIFA_KILL_SEED` tune the run. It
//! runs on SQLite and on a fresh PostgreSQL schema (`ZHIFA_TEST_PG_URL`;
//! skipped when unset, a failure under `ZHIFA_REQUIRE_PG=1`): a SIGKILLed
//! server leaves PostgreSQL to roll back its open transactions.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should abort loudly

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use rand::{Rng, SeedableRng};
use serde_json::Value;

fn server_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_zhifa-server"))
}

/// The `zhifa` binary beside ours, built on demand.
fn client_bin() -> PathBuf {
    let p = server_bin().with_file_name("zhifa");
    if !p.exists() {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let st = Command::new(cargo)
            .args(["build", "-p", "zhifa-cli", "--bin", "zhifa"])
            .status()
            .unwrap();
        assert!(st.success());
    }
    p
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start_server(data: &Path, db: Option<&str>, port: u16, demo: bool) -> Child {
    let mut cmd = Command::new(server_bin());
    cmd.arg("--data").arg(data);
    if let Some(url) = db {
        cmd.args(["--database", url]);
    }
    cmd.args(["serve", "--listen", &format!("127.0.0.1:{port}")]);
    if demo {
        cmd.arg("--demo");
    }
    let mut child = cmd
        .env("ZHIFA_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut out = BufReader::new(child.stdout.take().unwrap());
    while line.is_empty() {
        assert!(Instant::now() < deadline, "server did not start");
        out.read_line(&mut line).unwrap();
        if line.is_empty() {
            // Port still held by the killed one: reap this one, retry shortly.
            let _ = child.wait();
            std::thread::sleep(Duration::from_millis(100));
            return start_server(data, db, port, demo);
        }
    }
    assert!(line.contains("listening"), "{line}");
    child
}

fn zhifa(data: &Path, args: &[&str]) -> std::process::Output {
    Command::new(client_bin())
        .arg("--data")
        .arg(data)
        .args(args)
        .env_remove("ZHIFA_DB_KEY")
        .env_remove("ZHIFA_DATA")
        .output()
        .unwrap()
}

fn json(out: &std::process::Output) -> Value {
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn converge(db: Option<&str>) {
    let cycles: u64 = std::env::var("ZHIFA_KILL_CYCLES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(8);
    let seed: u64 = std::env::var("ZHIFA_KILL_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let dir = tempfile::tempdir().unwrap();
    let (sdata, ddata) = (dir.path().join("server"), dir.path().join("device"));
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}");
    let mut server = start_server(&sdata, db, port, true);
    let codes: Value =
        serde_json::from_slice(&std::fs::read(sdata.join("demo-enrolment.json")).unwrap()).unwrap();
    let code = codes["officers"][0]["code"].as_str().unwrap().to_owned();
    assert_eq!(codes["officers"][0]["township"], "500112108");
    json(&zhifa(
        &ddata,
        &["--json", "enrol", "--server", &url, "--code", &code],
    ));
    json(&zhifa(&ddata, &["--json", "sync"])); // catalogue and leases
    let mut kills = (0, 0);
    for cycle in 0..cycles {
        let demo = zhifa(&ddata, &["--json", "demo", "--repeat", "2"]);
        assert!(
            demo.status.success(),
            "{}",
            String::from_utf8_lossy(&demo.stderr)
        );
        let mut client = Command::new(client_bin())
            .arg("--data")
            .arg(&ddata)
            .args(["--json", "sync"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(rng.random_range(5..400)));
        if rng.random_bool(0.5) {
            server.kill().unwrap(); // SIGKILL
            server.wait().unwrap();
            kills.0 += 1;
            server = start_server(&sdata, db, port, false);
        }
        if client.try_wait().unwrap().is_none() {
            client.kill().unwrap();
            kills.1 += 1;
        }
        client.wait().unwrap();
        println!("cycle {cycle}: kills so far (server, client) = {kills:?}");
    }
    let r = json(&zhifa(&ddata, &["--json", "sync"]));
    assert_eq!(r["outbox_pending"], 0, "{r}");
    assert_eq!(r["conflicts"].as_array().unwrap().len(), 0, "{r}");
    let device_cases = json(&zhifa(&ddata, &["--json", "case", "list"]));
    let mut list = Command::new(server_bin());
    list.arg("--data").arg(&sdata);
    if let Some(url) = db {
        list.args(["--database", url]);
    }
    let out = list.args(["--json", "case", "list"]).output().unwrap();
    let server_cases = json(&out);
    let on_server: BTreeMap<String, Value> = server_cases
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["case_id"].as_str().unwrap().to_owned(), c.clone()))
        .collect();
    let local = device_cases.as_array().unwrap();
    assert_eq!(local.len() as u64, cycles * 2);
    assert_eq!(
        on_server.len(),
        local.len(),
        "no case lost, none duplicated"
    );
    for c in local {
        let s = &on_server[c["id"].as_str().unwrap()];
        assert_eq!(s["status"], c["status"]);
        assert_eq!(s["document_number"], c["issue"]["number"]);
        assert_eq!(s["evidence_complete"], true, "{s}");
    }
    server.kill().unwrap();
    server.wait().unwrap();
    println!("converged after {cycles} cycles with {kills:?} kills (server, client)");
}

#[test]
fn sigkilled_server_and_client_converge_after_one_clean_sync() {
    converge(None);
}

#[test]
fn sigkilled_server_and_client_converge_after_one_clean_sync_on_postgres() {
    let name = "sigkilled_server_and_client_converge_after_one_clean_sync_on_postgres";
    let Some(base) = zhifa_server::store::pg::test_url(name).unwrap() else {
        return;
    };
    let scratch = zhifa_server::store::pg::Scratch::create(&base).unwrap();
    converge(Some(scratch.url()));
}
