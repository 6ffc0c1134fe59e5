//! `zhifa inspection demo` run as the real binary: one joint inspection
//! over a merged checklist of at least three departments ends in its
//! 现场检查（勘验）笔录 PDF, numbered orders to correct with computed
//! deadlines and follow-up tasks, and referrals to the owning departments.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should abort loudly

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

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

/// A sealed document's readable copy, through `zhifa export`.
fn exported(data: &Path, sealed: &str) -> Vec<u8> {
    let out_dir = tempfile::tempdir().unwrap();
    let out = out_dir.path().join("copy.pdf");
    let r = zhifa(data, &["export", sealed, "--out", out.to_str().unwrap()]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    std::fs::read(out).unwrap()
}

fn json(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn the_demo_inspects_three_departments_to_record_orders_and_referrals() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    // Monday 2026-03-02, 10:30 Beijing.
    let v = json(&zhifa(
        &data,
        &[
            "--json",
            "inspection",
            "demo",
            "--at",
            "2026-03-02T02:30:00Z",
        ],
    ));
    let departments = v["departments"].as_array().unwrap();
    assert!(departments.len() >= 3, "{v}");
    let items = v["items"].as_u64().unwrap();
    assert!(items > 0);
    assert_eq!(v["failed"], 4);
    let pdf = exported(&data, v["record_pdf"].as_str().unwrap());
    assert!(pdf.starts_with(b"%PDF"));
    assert!(
        !std::fs::read(v["record_pdf"].as_str().unwrap())
            .unwrap()
            .starts_with(b"%PDF"),
        "sealed at rest"
    );

    let orders = v["orders"].as_array().unwrap();
    assert_eq!(orders.len(), 2);
    assert_eq!(orders[0]["number"], "龙兴综执责改〔2026〕1号");
    // 1 day for the blocked exit: Tue 03-03; 7 days for the signboard: 03-09 (Mon).
    assert_eq!(orders[0]["deadline"], "2026-03-03");
    assert_eq!(orders[1]["deadline"], "2026-03-09");
    for o in orders {
        assert!(exported(&data, o["pdf"].as_str().unwrap()).starts_with(b"%PDF"));
    }
    let referrals = v["referrals"].as_array().unwrap();
    assert_eq!(referrals.len(), 2);
    assert!(referrals.iter().all(|r| r["department"] == "CQ-SCJG"));

    // The inspection, its follow-up tasks and the scenarios are listed.
    let list = json(&zhifa(&data, &["--json", "inspection", "list"]));
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["status"], "finished");
    let tasks = json(&zhifa(&data, &["--json", "inspection", "tasks"]));
    let due: Vec<&str> = tasks
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["due_on"].as_str().unwrap())
        .collect();
    assert_eq!(due, ["2026-03-04", "2026-03-10"]);
    let sc = json(&zhifa(
        &data,
        &["--json", "inspection", "scenarios", "--on", "2026-03-02"],
    ));
    assert!(sc.as_array().unwrap().len() >= 5);

    // An unknown scenario is bad input (exit 2) with its code.
    let out = zhifa(
        &data,
        &[
            "--json",
            "inspection",
            "checklist",
            "--scenario",
            "NOPE",
            "--on",
            "2026-03-02",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("INSPECTION_UNKNOWN_SCENARIO")
            || String::from_utf8_lossy(&out.stdout).contains("INSPECTION_UNKNOWN_SCENARIO")
    );
}
