//! `zhifa … | head` (issue 13): a reader that goes away early ends the
//! command quietly — exit status 0, nothing on stderr, no panic — as
//! ripgrep does, for a short answer (`catalogue search --json`) and a long
//! one (`catalogue synth`, megabytes of JSON).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should abort loudly

use std::path::Path;
use std::process::{Command, Stdio};

const SAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../schema/catalogue/sample/chongqing-sample.json"
);

fn base(data: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_zhifa"));
    c.arg("--data")
        .arg(data)
        .env_remove("ZHIFA_DB_KEY")
        .env_remove("ZHIFA_DATA")
        .env("ZHIFA_KEYSTORE", "file")
        .env("ZHIFA_KEY_DIR", data.with_extension("keys"));
    c
}

/// Runs `zhifa ARGS | head -c 10` in a real shell pipeline; answers
/// (zhifa's exit status, head's bytes, zhifa's stderr).
fn through_head(data: &Path, args: &str) -> (i32, Vec<u8>, String) {
    let script = format!(
        "\"$ZHIFA\" --data \"$DATA\" {args} 2>\"$DATA.err\" | head -c 10; exit ${{PIPESTATUS[0]}}"
    );
    let out = Command::new("bash")
        .args(["-c", &script])
        .env("ZHIFA", env!("CARGO_BIN_EXE_zhifa"))
        .env("DATA", data)
        .env_remove("ZHIFA_DB_KEY")
        .env_remove("ZHIFA_DATA")
        .env("ZHIFA_KEYSTORE", "file")
        .env("ZHIFA_KEY_DIR", data.with_extension("keys"))
        .output()
        .unwrap();
    let err = std::fs::read_to_string(data.with_extension("err")).unwrap_or_default();
    (out.status.code().unwrap_or(-1), out.stdout, err)
}

/// Runs zhifa with its stdout a pipe whose reading end is already closed:
/// the first write fails with EPIPE, every time.
fn into_closed_pipe(data: &Path, args: &[&str]) -> (Option<i32>, String) {
    let mut child = base(data)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_closed_pipe_ends_the_command_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let imported = base(&data)
        .args(["catalogue", "import", SAMPLE, "--json"])
        .output()
        .unwrap();
    assert!(
        imported.status.success(),
        "{}",
        String::from_utf8_lossy(&imported.stderr)
    );

    for args in [
        &["catalogue", "search", "占道", "--json", "--all"][..],
        &["catalogue", "search", "占道"][..],
        &["catalogue", "synth", "--matters", "3000"][..],
    ] {
        let (code, err) = into_closed_pipe(&data, args);
        assert_eq!(code, Some(0), "{args:?}: {err}");
        assert!(err.is_empty(), "{args:?}: stderr {err:?}");
    }

    for args in [
        "catalogue search 占道 --json --all",
        "catalogue synth --matters 3000",
    ] {
        let (code, head, err) = through_head(&data, args);
        assert_eq!(code, 0, "{args}: {err}");
        assert_eq!(head.len(), 10, "{args}");
        assert!(!err.contains("panicked"), "{args}: {err}");
        assert!(err.is_empty(), "{args}: stderr {err:?}");
    }
}
