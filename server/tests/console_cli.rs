//! The operator's commands for console accounts (`zhifa-server staff
//! add|list|revoke|password|totp`), as a real process: the token is
//! printed once and never listed, bad accounts are refused with a message
//! and a non-zero exit, and nothing refused is stored; the sign-in
//! password is read from standard input and checked, the TOTP secret is
//! printed once as an otpauth:// URL.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should abort loudly

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn run(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_zhifa-server"))
        .arg("--data")
        .arg(data)
        .args(args)
        .output()
        .unwrap()
}

/// Runs with `input` on standard input.
fn run_with(data: &Path, args: &[&str], input: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_zhifa-server"))
        .arg("--data")
        .arg(data)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
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
            "legal_review, approver, supervisor or administrator",
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

#[test]
fn sign_in_credentials_are_set_from_stdin_and_enrolled_by_otpauth_url() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    json(&run(
        d,
        &[
            "--json",
            "staff",
            "add",
            "--id",
            "fzr-500112108",
            "--name",
            "龙兴镇负责人",
            "--role",
            "approver",
            "--scope",
            "500112108",
        ],
    ));
    // A weak password is refused and says why; a good one is taken.
    let weak = run_with(d, &["staff", "password", "fzr-500112108"], "short\n");
    assert!(!weak.status.success());
    assert!(String::from_utf8_lossy(&weak.stderr).contains("密码长度"));
    let set = json(&run_with(
        d,
        &["--json", "staff", "password", "fzr-500112108"],
        "Longxing-2026-pass\n",
    ));
    assert_eq!(set["password_set"], true);
    let unknown = run_with(d, &["staff", "password", "nobody"], "Longxing-2026-pass\n");
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("没有控制台账号"));

    let totp = json(&run(d, &["--json", "staff", "totp", "fzr-500112108"]));
    let secret = totp["totp_secret"].as_str().unwrap();
    assert_eq!(secret.len(), 32);
    let url = totp["otpauth_url"].as_str().unwrap();
    assert!(
        url.starts_with("otpauth://totp/Zhifa:fzr-500112108?secret=") && url.contains(secret),
        "{url}"
    );
    // A new enrolment replaces the secret.
    let again = json(&run(d, &["--json", "staff", "totp", "fzr-500112108"]));
    assert_ne!(again["totp_secret"], totp["totp_secret"]);
    // Neither the password nor the secret is ever listed.
    let list = String::from_utf8_lossy(&run(d, &["--json", "staff", "list"]).stdout).into_owned();
    assert!(list.contains("fzr-500112108") && list.contains("approver"));
    assert!(!list.contains(secret) && !list.contains("Longxing") && !list.contains("argon2"));
}
