//! `zhifa deadline` as an operator runs it: the real binary, the JSON
//! contract `{kind, from, due, day_type, basis}` (issue 16 item 1), the due
//! days on the sample catalogue's calendar (2025–2026 official, 2027
//! estimated), the Chinese text output and the stable error codes.

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
        .env("ZHIFA_KEYSTORE", "file")
        .env("ZHIFA_KEY_DIR", data.with_extension("keys"))
        .env_remove("ZHIFA_DATA")
        .output()
        .unwrap()
}

fn deadline(data: &Path, kind: &str, from: &str) -> Value {
    let out = zhifa(data, &["deadline", kind, "--from", from, "--json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn the_seven_kinds_on_the_sample_calendar() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    // (kind, from, due, day_type, article in basis)
    let cases = [
        // Art. 64(一): Friday 26 Sep 2025, Sunday 28 Sep worked, 1–8 Oct off.
        (
            "hearing_request",
            "2025-09-26",
            "2025-10-10",
            "working_days",
            "第六十四条",
        ),
        // Art. 61: 9, 10, Sat 11 (调休), 13, 14, 15, 16 Oct.
        (
            "service",
            "2025-09-30",
            "2025-10-16",
            "working_days",
            "第六十一条",
        ),
        // Art. 56 across the 2026 Spring Festival (14 and 28 Feb worked).
        (
            "registration_save",
            "2026-02-12",
            "2026-02-28",
            "working_days",
            "第五十六条",
        ),
        // Art. 60: day 90 is 2 Oct 2025 (holiday) → 9 Oct (民法典 Art. 203).
        (
            "decision",
            "2025-07-04",
            "2025-10-09",
            "calendar_days",
            "第六十条",
        ),
        // Art. 67: day 15 is 1 Oct 2026 (holiday) → 8 Oct.
        (
            "payment",
            "2026-09-16",
            "2026-10-08",
            "calendar_days",
            "第六十七条",
        ),
        // 行政强制法 Art. 25: day 30 is Sunday 1 Feb 2026 → Monday 2 Feb.
        (
            "seizure",
            "2026-01-02",
            "2026-02-02",
            "calendar_days",
            "第二十五条",
        ),
        // 行政强制法 Art. 54 + 69: May Day 2026, Saturday 9 May worked.
        (
            "reminder",
            "2026-04-30",
            "2026-05-18",
            "working_days",
            "第五十四条",
        ),
    ];
    for (kind, from, due, day_type, article) in cases {
        let v = deadline(&data, kind, from);
        assert_eq!(v["kind"], kind);
        assert_eq!(v["from"], from);
        assert_eq!(v["due"], due, "{kind} from {from}");
        assert_eq!(v["day_type"], day_type, "{kind}");
        assert!(
            v["basis"].as_str().unwrap().contains(article),
            "{kind}: {}",
            v["basis"]
        );
        assert_eq!(v["estimated"], false, "{kind}: 2025–2026 are official");
    }
    // The roll is reported.
    assert_eq!(deadline(&data, "decision", "2025-07-04")["rolled"], true);
    assert_eq!(deadline(&data, "decision", "2025-07-01")["rolled"], false);
}

#[test]
fn a_count_in_an_estimated_year_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let v = deadline(&data, "payment", "2027-03-01");
    assert_eq!(v["due"], "2027-03-16");
    assert_eq!(v["estimated"], true, "the sample's 2027 is estimated");
    let text = zhifa(&data, &["deadline", "payment", "--from", "2027-03-01"]);
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains("期限届满日：2027-03-16"), "{text}");
    assert!(text.contains("按预估日历"), "{text}");
}

#[test]
fn text_output_is_chinese() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let out = zhifa(
        &data,
        &["deadline", "hearing_request", "--from", "2025-09-26"],
    );
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("期限届满日：2025-10-10"), "{text}");
    assert!(text.contains("5工作日"), "{text}");
    assert!(text.contains("《行政处罚法》第六十四条"), "{text}");
}

#[test]
fn unknown_kind_township_or_date_fail_with_stable_codes() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let out = zhifa(
        &data,
        &["deadline", "lunch", "--from", "2025-09-26", "--json"],
    );
    assert_eq!(out.status.code(), Some(2));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["error"]["code"], "DEADLINE_UNKNOWN_KIND");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("未知的期限种类")
    );

    let out = zhifa(&data, &["deadline", "lunch", "--from", "2025-09-26"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("DEADLINE_UNKNOWN_KIND"), "{err}");

    let out = zhifa(
        &data,
        &[
            "deadline",
            "service",
            "--from",
            "2025-09-30",
            "--township",
            "999999999",
            "--json",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["error"]["code"], "DEADLINE_UNKNOWN_TOWNSHIP");

    let v = {
        let out = zhifa(
            &data,
            &[
                "deadline",
                "service",
                "--from",
                "2025-09-30",
                "--township",
                "500112108",
                "--json",
            ],
        );
        assert_eq!(out.status.code(), Some(0));
        serde_json::from_slice::<Value>(&out.stdout).unwrap()
    };
    assert_eq!(v["due"], "2025-10-16");
    assert_eq!(v["township"], "500112108");

    // Beyond the calendar: an error, never a guess.
    let out = zhifa(
        &data,
        &["deadline", "decision", "--from", "2027-12-01", "--json"],
    );
    assert_eq!(out.status.code(), Some(2));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["error"]["code"], "CALENDAR_OUT_OF_RANGE");
}
