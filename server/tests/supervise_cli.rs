//! `zhifa-server supervise report` as a real process: the JSON contract
//! `{indicators, models, clues, …}` of issue 18 item 7 on an empty data
//! folder, the models it names, a scope or period it refuses with a stable
//! code, and a thresholds file it reads or refuses.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should abort loudly

use std::path::Path;
use std::process::{Command, Output};

fn run(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_zhifa-server"))
        .arg("--data")
        .arg(data)
        .arg("--json")
        .args(args)
        .env_remove("ZHIFA_MASTER_KEY")
        .env_remove("ZHIFA_MASTER_KEY_FILE")
        .output()
        .unwrap()
}

#[test]
fn the_report_prints_its_contract_and_refuses_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = run(
        d,
        &[
            "supervise",
            "report",
            "--scope",
            "5001",
            "--from",
            "2026-01-01",
            "--to",
            "2026-06-30",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["scope"], "5001");
    assert_eq!(
        (v["from"].as_str(), v["to"].as_str()),
        (Some("2026-01-01"), Some("2026-06-30"))
    );
    assert_eq!(v["indicators"], serde_json::json!([]));
    assert_eq!(v["clues"], serde_json::json!([]));
    // The deadline monitor over the normal-procedure cases: none here.
    assert_eq!(v["deadlines"]["items"], serde_json::json!([]));
    assert_eq!(v["deadlines"]["unavailable"], serde_json::json!([]));
    let names: Vec<&str> = v["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert!(names.len() >= 10, "{names:?}");
    for n in [
        "peer_dispersion",
        "repeat_party_first_violation",
        "repeated_inspection",
        "decision_overdue",
        "service_overdue",
        "publication_overdue",
        "registration_save_overdue",
    ] {
        assert!(names.contains(&n), "{n} missing from {names:?}");
    }

    // A scope that is not a code prefix, and a period backwards.
    for args in [
        &["supervise", "report", "--scope", "50%"][..],
        &[
            "supervise",
            "report",
            "--from",
            "2026-06-01",
            "--to",
            "2026-01-01",
        ][..],
    ] {
        let out = run(d, args);
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("supervise_invalid"), "{err}");
    }

    // Thresholds from a file: known fields read, unknown ones refused.
    let cfg = d.join("cfg.json");
    std::fs::write(&cfg, r#"{"dispersion_k": 3.0, "min_group": 8}"#).unwrap();
    let out = run(
        d,
        &["supervise", "report", "--config", cfg.to_str().unwrap()],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::write(&cfg, r#"{"dispersion": 3.0}"#).unwrap();
    let out = run(
        d,
        &["supervise", "report", "--config", cfg.to_str().unwrap()],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("监督模型设置无效"));
}
