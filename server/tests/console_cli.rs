//! The operator's commands for console accounts (`zhifa-server staff
//! add|list|revoke`), as a real process: the token is printed once and
//! never listed, bad accounts are refused with a message and a non-zero
//! exit, and nothing refused is stored.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should abort loudly

use std::path::Path;
use std::process::{Command, Output};

fn run(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_zhifa-server"))
        .arg("--data")
        .arg(data)
        .args(args)
        .output()
        .unwrap()
}

fn json(out: &Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn staff_accounts_are_issued_listed_without_tokens_and_revoked() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let added = json(&run(
        d,
        &[
            "--json",
            "staff",
            "add",
            "--id",
            "zhzx-500112",
            "--name",
            "渝北区网格化指挥中心",
            "--role",
            "command_centre",
            "--scope",
            "500112",
        ],
    ));
    let token = added["token"].as_str().unwrap();
    assert!(token.starts_with("zs_") && token.len() > 40, "{token}");

    for (args, says) in [
        (
            &[
                "staff",
                "add",
                "--id",
                "sc",
                "--name",
                "市场监管",
                "--role",
                "department",
            ][..],
            "部门代码",
        ),
        (
            &[
                "staff", "add", "--id", "x", "--name", "x", "--role", "admin",
            ][..],
            "command_centre, department or legal_review",
        ),
        (
            &[
                "staff",
                "add",
                "--id",
                "x",
                "--name",
                "x",
                "--role",
                "command_centre",
                "--scope",
                "5001",
            ][..],
            "辖区",
        ),
        (
            &[
                "staff",
                "add",
                "--id",
                "x",
                "--name",
                "x",
                "--role",
                "command_centre",
                "--days",
                "0",
            ][..],
            "--days",
        ),
    ] {
        let out = run(d, args);
        assert!(!out.status.success(), "{args:?} should fail");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(says), "{args:?}: {err}");
    }

    let list = json(&run(d, &["--json", "staff", "list"]));
    let rows = list.as_array().unwrap();
    assert_eq!(rows.len(), 1, "refused accounts are not stored: {list}");
    assert_eq!(rows[0]["id"], "zhzx-500112");
    assert_eq!(rows[0]["role"], "command_centre");
    assert_eq!(rows[0]["scope"], "500112");
    assert!(
        !String::from_utf8_lossy(&run(d, &["--json", "staff", "list"]).stdout).contains(token),
        "the token is never listed"
    );

    let revoked = json(&run(d, &["--json", "staff", "revoke", "zhzx-500112"]));
    assert_eq!(revoked["revoked"], true);
    let again = json(&run(d, &["--json", "staff", "revoke", "zhzx-500112"]));
    assert_eq!(again["revoked"], false);
    let list = json(&run(d, &["--json", "staff", "list"]));
    assert!(list[0]["revoked_at"].is_string());

    // A task for an officer the server does not know is refused.
    let out = run(
        d,
        &[
            "task",
            "assign",
            "--officer",
            "nobody",
            "--kind",
            "complaint",
            "--place",
            "某地",
            "--detail",
            "投诉",
        ],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("不存在"));
    assert_eq!(
        json(&run(d, &["--json", "task", "list"])),
        serde_json::json!([])
    );
}
