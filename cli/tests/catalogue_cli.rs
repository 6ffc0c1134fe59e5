//! The `zhifa catalogue` commands, run as an operator would run them: the
//! real binary, a fresh data folder, the sample catalogue.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test and benchmark code: a failure should abort loudly

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

const SAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../schema/catalogue/sample/chongqing-sample.json"
);

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
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

fn imported() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let out = zhifa(&data, &["catalogue", "import", SAMPLE, "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc = json(&out);
    assert_eq!(doc["already_present"], false);
    assert!(doc["matters"].as_u64().unwrap() >= 60);
    assert!(doc["levels"].as_u64().unwrap() >= 180);
    (dir, data)
}

#[test]
fn zdjy_finds_zhandao_jingying_first() {
    let (_d, data) = imported();
    let out = zhifa(
        &data,
        &[
            "catalogue",
            "search",
            "zdjy",
            "--json",
            "--all",
            "--date",
            "2025-08-01",
        ],
    );
    assert!(out.status.success());
    let doc = json(&out);
    let first = &doc["results"][0];
    assert_eq!(first["name"], "占道经营");
    for key in ["code", "name", "kind", "domain", "score"] {
        assert!(!first[key].is_null(), "missing {key}");
    }
    // Scores are non-increasing: best first.
    let scores: Vec<u64> = doc["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["score"].as_u64().unwrap())
        .collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
}

#[test]
fn a_word_only_in_provision_text_finds_its_matter() {
    let (_d, data) = imported();
    let out = zhifa(
        &data,
        &[
            "catalogue",
            "search",
            "油烟",
            "--json",
            "--all",
            "--date",
            "2025-08-01",
        ],
    );
    let doc = json(&out);
    let results = doc["results"].as_array().unwrap();
    assert!(!results.is_empty(), "油烟 found nothing");
    for r in results {
        assert!(!r["name"].as_str().unwrap().contains("油烟"));
        assert_eq!(r["score"], 20, "only provision-text matches expected: {r}");
    }
    // The matter shown has 油烟 in one of its provisions.
    let code = results[0]["code"].as_str().unwrap();
    let show = json(&zhifa(
        &data,
        &["catalogue", "show", code, "--json", "--date", "2025-08-01"],
    ));
    let texts: Vec<&str> = show["provisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["text"].as_str().unwrap())
        .collect();
    assert!(texts.iter().any(|t| t.contains("油烟")), "{texts:?}");
}

#[test]
fn importing_twice_is_a_no_op() {
    let (_d, data) = imported();
    let out = zhifa(&data, &["catalogue", "import", SAMPLE, "--json"]);
    assert!(out.status.success());
    assert_eq!(json(&out)["already_present"], true);
    let rel = json(&zhifa(&data, &["catalogue", "releases", "--json"]));
    assert_eq!(rel["releases"].as_array().unwrap().len(), 1);
    assert_eq!(rel["releases"][0]["sample"], true);
}

#[test]
fn township_setting_scopes_search() {
    let (_d, data) = imported();
    let sample: Value = serde_json::from_slice(&std::fs::read(SAMPLE).unwrap()).unwrap();
    let towns = sample["townships"].as_array().unwrap();
    // Find an optional matter adopted by one township and not by another.
    let adopted = |t: &Value| -> Vec<String> {
        t["adopted"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["matter"].as_str().unwrap().to_owned())
            .collect()
    };
    let (a, b) = (&towns[0], &towns[1]);
    let only_a = adopted(a)
        .into_iter()
        .find(|m| !adopted(b).contains(m))
        .expect("townships adopt differently");
    let name = sample["matters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["code"] == only_a.as_str())
        .unwrap()["name"]
        .as_str()
        .unwrap()
        .to_owned();
    let find = |town: &Value| {
        let set = zhifa(
            &data,
            &[
                "settings",
                "set",
                "township",
                town["code"].as_str().unwrap(),
            ],
        );
        assert!(
            set.status.success(),
            "{}",
            String::from_utf8_lossy(&set.stderr)
        );
        let doc = json(&zhifa(
            &data,
            &[
                "catalogue",
                "search",
                &only_a,
                "--json",
                "--date",
                "2026-06-01",
            ],
        ));
        doc["results"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["code"] == only_a.as_str())
    };
    assert!(find(a), "{name} should be in scope for {}", a["name"]);
    assert!(!find(b), "{name} should be out of scope for {}", b["name"]);
    let all = json(&zhifa(
        &data,
        &[
            "catalogue",
            "search",
            &only_a,
            "--all",
            "--json",
            "--date",
            "2026-06-01",
        ],
    ));
    assert_eq!(all["township"], Value::Null);
    assert_eq!(all["results"][0]["code"], only_a.as_str());
}

#[test]
fn show_prints_provisions_levels_and_exemptions_in_chinese() {
    let (_d, data) = imported();
    let search = json(&zhifa(
        &data,
        &[
            "catalogue",
            "search",
            "占道经营",
            "--json",
            "--all",
            "--date",
            "2025-08-01",
        ],
    ));
    let code = search["results"][0]["code"].as_str().unwrap();
    let out = zhifa(&data, &["catalogue", "show", code, "--date", "2025-08-01"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for needle in [
        "占道经营",
        "违则",
        "罚则",
        "《重庆市市容环境卫生管理条例》",
        "裁量阶次",
        "元",
    ] {
        assert!(text.contains(needle), "missing {needle} in\n{text}");
    }
}

#[test]
fn bad_input_exits_2_and_names_the_problem() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let broken = dir.path().join("broken.json");
    std::fs::write(
        &broken,
        br#"{"format": "zhifa-catalogue/1", "release": {"id": "X"#,
    )
    .unwrap();
    let out = zhifa(&data, &["catalogue", "import", broken.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("CATALOGUE_JSON_SYNTAX"));

    let missing = zhifa(
        &data,
        &["catalogue", "import", "/nonexistent/package.json", "--json"],
    );
    assert_eq!(missing.status.code(), Some(2));
    assert_eq!(json(&missing)["error"]["code"], "FILE_UNREADABLE");

    let mut v: Value = serde_json::from_slice(&std::fs::read(SAMPLE).unwrap()).unwrap();
    v["matters"][0]["penalty"][0] = "NO-SUCH-PROVISION".into();
    std::fs::write(&broken, serde_json::to_vec(&v).unwrap()).unwrap();
    let out = zhifa(
        &data,
        &["catalogue", "import", broken.to_str().unwrap(), "--json"],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = json(&out);
    assert_eq!(err["error"]["code"], "CATALOGUE_INVALID");
    assert_eq!(err["error"]["issues"][0]["path"], "$.matters[0].penalty[0]");
    assert_eq!(err["error"]["issues"][0]["code"], "unknown_provision");

    let no_release = zhifa(&data, &["catalogue", "search", "zdjy", "--json"]);
    assert_eq!(no_release.status.code(), Some(2));
    assert_eq!(json(&no_release)["error"]["code"], "CATALOGUE_NO_RELEASE");

    let bad_limit = zhifa(&data, &["catalogue", "search", "zdjy", "--limit", "many"]);
    assert_eq!(bad_limit.status.code(), Some(2));
    let unknown = zhifa(&data, &["settings", "set", "colour", "red"]);
    assert_eq!(unknown.status.code(), Some(2));
}

#[test]
fn the_key_file_is_private_and_a_wrong_key_is_a_clear_error() {
    let (_d, data) = imported();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // The key file lives outside the data folder (here ZHIFA_KEY_DIR).
        assert!(!data.join("device.key").exists());
        let keys = data.with_extension("keys");
        let files: Vec<_> = std::fs::read_dir(&keys).unwrap().collect();
        assert_eq!(files.len(), 1);
        let mode = std::fs::metadata(files[0].as_ref().unwrap().path())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        let dir_mode = std::fs::metadata(&keys).unwrap().permissions().mode();
        assert_eq!(dir_mode & 0o777, 0o700);
    }
    let out = Command::new(env!("CARGO_BIN_EXE_zhifa"))
        .arg("--data")
        .arg(&data)
        .args(["catalogue", "releases", "--json"])
        .env("ZHIFA_DB_KEY", "f".repeat(64))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(json(&out)["error"]["code"], "STORE_WRONG_KEY");
    assert!(
        out.stderr.is_empty(),
        "SQLCipher noise on stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn synth_writes_a_package_that_imports() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let pkg = dir.path().join("synth.json.gz");
    let out = zhifa(
        &data,
        &[
            "catalogue",
            "synth",
            "--matters",
            "500",
            "--gzip",
            "--out",
            pkg.to_str().unwrap(),
        ],
    );
    assert!(out.status.success());
    let doc = json(&zhifa(
        &data,
        &["catalogue", "import", pkg.to_str().unwrap(), "--json"],
    ));
    assert_eq!(doc["matters"], 500);
    assert_eq!(
        zhifa(&data, &["catalogue", "synth", "--matters", "0"])
            .status
            .code(),
        Some(2)
    );
}
