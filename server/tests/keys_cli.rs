//! `zhifa-server keys …` as a real process: the vault's data keys are
//! listed with the master key that wraps them; `rotate-master` replaces
//! the key file's key and rewraps every data key; `rotate-data` retires
//! the old data keys (the blind index's excepted); a server given another
//! master key refuses to start with `vault`; env-supplied keys are not
//! rotated in a file.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should abort loudly

use std::path::Path;
use std::process::{Command, Output};

fn run(data: &Path, env: &[(&str, &str)], args: &[&str]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_zhifa-server"));
    c.arg("--data").arg(data).arg("--json").args(args);
    for v in [
        "ZHIFA_MASTER_KEY",
        "ZHIFA_MASTER_KEY_PREVIOUS",
        "ZHIFA_MASTER_KEY_FILE",
    ] {
        c.env_remove(v);
    }
    c.envs(env.iter().copied());
    c.output().unwrap()
}

fn json(out: &Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn keys_in_file(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(str::to_owned)
        .collect()
}

#[test]
fn keys_are_listed_and_rotated() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let status = json(&run(d, &[], &["keys", "status"]));
    let rows = status.as_array().unwrap();
    let purposes: Vec<&str> = rows
        .iter()
        .map(|r| r["purpose"].as_str().unwrap())
        .collect();
    for p in [
        "record.case",
        "record.case_event",
        "record.inspection",
        "record.task",
        "blind_index",
        "evidence",
    ] {
        assert!(purposes.contains(&p), "{p} in {purposes:?}");
    }
    let file = d.join("master.key");
    let before = keys_in_file(&file);
    assert_eq!(before.len(), 1);
    let master = rows[0]["master_id"].as_str().unwrap().to_owned();
    assert!(rows.iter().all(|r| r["master_id"] == master.as_str()));

    let rotated = json(&run(d, &[], &["keys", "rotate-master"]));
    assert_ne!(rotated["master_id"], master.as_str());
    assert_eq!(rotated["rewrapped"], rows.len());
    assert_eq!(rotated["dropped_masters"][0], master.as_str());
    let after = keys_in_file(&file);
    assert_eq!(after.len(), 1);
    assert_ne!(after, before);
    let status = json(&run(d, &[], &["keys", "status"]));
    assert!(
        status
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["master_id"] == rotated["master_id"])
    );

    let data = json(&run(d, &[], &["keys", "rotate-data", "--reseal"]));
    // Every purpose gets a new generation but the blind index (its keys
    // must keep matching earlier cases).
    let rotating = zhifa_server::pii::PURPOSES.len() - 1;
    assert_eq!(data["new_data_keys"].as_array().unwrap().len(), rotating);
    let status = json(&run(d, &[], &["keys", "status"]));
    let retired = status
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| !r["retired_at"].is_null())
        .count();
    assert_eq!(retired, rotating, "{status}");

    // The old master key no longer opens the vault.
    std::fs::write(&file, format!("{}\n", before[0])).unwrap();
    let out = run(d, &[], &["keys", "status"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("保管库"), "{err}");
}

#[test]
fn env_supplied_keys_rewrap_but_do_not_rotate_in_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let old = "11".repeat(32);
    let new = "22".repeat(32);
    json(&run(d, &[("ZHIFA_MASTER_KEY", &old)], &["keys", "status"]));
    assert!(
        !d.join("master.key").exists(),
        "no key file beside an env key"
    );
    let out = run(d, &[("ZHIFA_MASTER_KEY", &old)], &["keys", "rotate-master"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("ZHIFA_MASTER_KEY_PREVIOUS"));
    // The new key alone cannot open the data keys; with the old one as
    // previous, rewrap moves them; then the new key alone opens them.
    assert!(
        !run(d, &[("ZHIFA_MASTER_KEY", &new)], &["keys", "status"])
            .status
            .success()
    );
    let r = json(&run(
        d,
        &[
            ("ZHIFA_MASTER_KEY", &new),
            ("ZHIFA_MASTER_KEY_PREVIOUS", &old),
        ],
        &["keys", "rewrap"],
    ));
    assert_eq!(r["rewrapped"], zhifa_server::pii::PURPOSES.len());
    json(&run(d, &[("ZHIFA_MASTER_KEY", &new)], &["keys", "status"]));
}
