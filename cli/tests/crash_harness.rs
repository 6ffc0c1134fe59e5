//! The crash harness: `zhifa demo --repeat` saves whole cases (evidence
//! file, chain row, every step with its outbox record, the decision PDF)
//! while the harness kills it with SIGKILL at random moments. After every
//! kill the store must open, every case the process reported as stored
//! must be there, served, no document number may repeat, and no evidence
//! row may lack its file.
//!
//! The suite runs a short run. The long run is a documented command
//! (docs/BENCHMARKS.md):
//!
//! ```sh
//! ZHIFA_CRASH_CYCLES=1000 ZHIFA_CRASH_MAX_MS=1500 ZHIFA_CRASH_VERIFY_EVERY=50 \
//!   cargo test --release -p zhifa-cli --test crash_harness -- --nocapture
//! ```
//!
//! `ZHIFA_CRASH_SEED` replays a run (the seed is printed).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should abort loudly

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use rand::{Rng, SeedableRng};
use serde_json::Value;

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn zhifa(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_zhifa"))
        .arg("--data")
        .arg(data)
        .args(args)
        .env_remove("ZHIFA_DB_KEY")
        // The store key in a file beside (never inside) the data folder.
        .env("ZHIFA_KEYSTORE", "file")
        .env("ZHIFA_KEY_DIR", Path::new(&data).with_extension("keys"))
        .env_remove("ZHIFA_DATA")
        .output()
        .unwrap()
}

fn json(out: &Output) -> Value {
    assert!(
        out.status.success() || out.status.code() == Some(3),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Runs the workload once and kills it after `delay`; returns the cases it
/// reported as stored (complete lines only) and whether it was killed.
fn run_and_kill(data: &Path, delay: Duration) -> (Vec<Value>, bool) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_zhifa"))
        .arg("--data")
        .arg(data)
        .args(["demo", "--repeat", "100000", "--at", "2026-06-01T02:00:00Z"])
        .env_remove("ZHIFA_DB_KEY")
        // The store key in a file beside (never inside) the data folder.
        .env("ZHIFA_KEYSTORE", "file")
        .env("ZHIFA_KEY_DIR", Path::new(&data).with_extension("keys"))
        .env_remove("ZHIFA_DATA")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut lines = Vec::new();
        for line in BufReader::new(stdout).lines() {
            match line {
                Ok(l) => lines.push(l),
                Err(_) => break,
            }
        }
        lines
    });
    let started = Instant::now();
    let mut exited = None;
    while started.elapsed() < delay {
        if let Some(status) = child.try_wait().unwrap() {
            exited = Some(status);
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    if let Some(status) = exited {
        panic!("the workload stopped by itself: {status}");
    }
    child.kill().unwrap(); // SIGKILL on Unix
    child.wait().unwrap();
    let lines = reader.join().unwrap();
    // A line cut by the kill is not a report; every complete line is.
    let cases = lines
        .iter()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .collect();
    (cases, true)
}

#[test]
fn sigkill_at_random_points_loses_no_stored_case_and_repeats_no_number() {
    let cycles = env_u64("ZHIFA_CRASH_CYCLES", 6);
    let max_ms = env_u64("ZHIFA_CRASH_MAX_MS", 4000);
    let seed = env_u64("ZHIFA_CRASH_SEED", 20_261_201);
    let verify_every = env_u64("ZHIFA_CRASH_VERIFY_EVERY", 1).max(1);
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    println!("crash harness: {cycles} cycles, kill within {max_ms} ms, seed {seed}");

    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut reported: BTreeMap<String, String> = BTreeMap::new();
    let started = Instant::now();
    for cycle in 0..cycles {
        let delay = Duration::from_millis(rng.random_range(50..=max_ms));
        let (cases, _) = run_and_kill(&data, delay);
        for c in cases {
            reported.insert(
                c["case_id"].as_str().unwrap().to_owned(),
                c["document_number"].as_str().unwrap().to_owned(),
            );
        }

        // The store opens and holds every reported case, served, with its number.
        if !data.join("device.db").exists() {
            continue; // killed before the store was first created
        }
        let list = json(&zhifa(&data, &["case", "list", "--json"]));
        let stored: BTreeMap<String, &Value> = list
            .as_array()
            .unwrap()
            .iter()
            .map(|c| (c["id"].as_str().unwrap().to_owned(), c))
            .collect();
        for (id, number) in &reported {
            let c = stored
                .get(id)
                .unwrap_or_else(|| panic!("cycle {cycle}: reported case {id} lost"));
            assert_eq!(c["status"], "served", "cycle {cycle}: {id}");
            assert_eq!(
                c["issue"]["number"].as_str(),
                Some(number.as_str()),
                "cycle {cycle}: {id}"
            );
        }

        // No document number is ever issued twice.
        let issued: Vec<&str> = stored
            .values()
            .filter_map(|c| c["issue"]["number"].as_str())
            .collect();
        let unique: BTreeSet<&str> = issued.iter().copied().collect();
        assert_eq!(
            unique.len(),
            issued.len(),
            "cycle {cycle}: a number repeats"
        );
        let numbers = json(&zhifa(
            &data,
            &[
                "numbers",
                "list",
                "--series",
                "decision_on_the_spot",
                "--township",
                "500112108",
                "--json",
            ],
        ));
        let seqs: Vec<(i64, i64)> = numbers
            .as_array()
            .unwrap()
            .iter()
            .map(|n| (n["year"].as_i64().unwrap(), n["seq"].as_i64().unwrap()))
            .collect();
        assert_eq!(
            seqs.iter().collect::<BTreeSet<_>>().len(),
            seqs.len(),
            "cycle {cycle}: a serial repeats"
        );
        assert_eq!(
            seqs.len(),
            issued.len(),
            "cycle {cycle}: every used number belongs to a case"
        );

        // Every evidence row has its file; the chain verifies.
        let rec = json(&zhifa(&data, &["evidence", "reconcile", "--json"]));
        assert!(
            rec["rows_without_files"].as_array().unwrap().is_empty(),
            "cycle {cycle}: {rec:#}"
        );
        // Full verification re-hashes every original, so the long run does
        // it every `ZHIFA_CRASH_VERIFY_EVERY` cycles (and after the last).
        if (cycle + 1) % verify_every == 0 || cycle + 1 == cycles {
            let verify = zhifa(&data, &["evidence", "verify", "--json"]);
            assert_eq!(
                verify.status.code(),
                Some(0),
                "cycle {cycle}: {}",
                String::from_utf8_lossy(&verify.stdout)
            );
        }
    }
    println!(
        "crash harness: {cycles} kills, {} cases reported stored and all found, {:.1} s",
        reported.len(),
        started.elapsed().as_secs_f64()
    );
    assert!(
        !reported.is_empty() || cycles < 3,
        "the workload never stored a case"
    );
}
