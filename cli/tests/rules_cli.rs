//! The `zhifa check-id` and `zhifa assess` commands as an operator runs
//! them: the real binary, exact JSON contracts (issue 3 item 3), exit
//! statuses, and the sample catalogue for the matter lookup.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should abort loudly

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::{Value, json};

const SAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../schema/catalogue/sample/chongqing-sample.json"
);

fn zhifa(data: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_zhifa"))
        .arg("--data")
        .arg(data)
        .args(args)
        .env_remove("ZHIFA_DB_KEY")
        // The store key in a file beside (never inside) the data folder.
        .env("ZHIFA_KEYSTORE", "file")
        .env("ZHIFA_KEY_DIR", Path::new(&data).with_extension("keys"))
        .env_remove("ZHIFA_DATA")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut pipe = child.stdin.take().unwrap();
    pipe.write_all(stdin.unwrap_or("").as_bytes()).unwrap();
    drop(pipe);
    child.wait_with_output().unwrap()
}

fn json_of(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
    k.sort();
    k
}

#[test]
fn check_id_prints_the_contract_and_exits_0_valid_or_not() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let out = zhifa(
        &data,
        &["check-id", "１１０１０５-1949 1231 002x", "--json"],
        None,
    );
    assert_eq!(out.status.code(), Some(0));
    let v = json_of(&out);
    assert_eq!(
        v,
        json!({"valid": true, "kind": "citizen", "normalized": "11010519491231002X",
               "birth_date": "1949-12-31", "sex": "female", "region_code": "110105", "error": null,
               "reason": {"code": "citizen_only",
                          "message": "符合居民身份证号码的地址码、出生日期和校验码，不符合统一社会信用代码规则：按居民身份证号码处理"}})
    );

    let out = zhifa(&data, &["check-id", "91350100M000100Y44", "--json"], None);
    assert_eq!(out.status.code(), Some(0));
    let v = json_of(&out);
    assert_eq!(
        keys(&v),
        [
            "birth_date",
            "error",
            "kind",
            "normalized",
            "reason",
            "region_code",
            "sex",
            "valid"
        ]
    );
    assert_eq!(v["valid"], false);
    assert_eq!(v["kind"], "organization");
    assert_eq!(v["error"]["code"], "USCC_CHECK_CHARACTER");
    assert!(v["error"]["message"].as_str().unwrap().contains("“3”"));

    let v = json_of(&zhifa(
        &data,
        &["check-id", "91350100M000100Y43", "--json"],
        None,
    ));
    assert_eq!(
        (&v["kind"], &v["region_code"], &v["birth_date"], &v["sex"]),
        (
            &json!("organization"),
            &json!("350100"),
            &Value::Null,
            &Value::Null
        )
    );

    let v = json_of(&zhifa(&data, &["check-id", "12345", "--json"], None));
    assert_eq!(
        (&v["kind"], &v["error"]["code"]),
        (&Value::Null, &json!("ID_LENGTH"))
    );

    // --kind forces the reading.
    let v = json_of(&zhifa(
        &data,
        &[
            "check-id",
            "91350100M000100Y43",
            "--kind",
            "citizen",
            "--json",
        ],
        None,
    ));
    assert_eq!(v["error"]["code"], "CITIZEN_ID_CHARACTER");

    // check-id never touches the store.
    assert!(!data.exists());
}

#[test]
fn a_citizen_id_with_a_wrong_check_digit_is_not_reported_as_an_organisation() {
    // Issue 14: a 重庆 citizen ID whose last digit is mistyped into the one
    // that satisfies the bare USCC MOD 31 sum was reported valid, kind
    // organization. GB 32100's authority/category table has no pair 5/0.
    use zhifa_core::rules::identity::{citizen_check_character, uscc_check_character};
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let n = (0..1000u32)
        .map(|seq| format!("50011219800101{seq:03}"))
        .find_map(|body| {
            let u = uscc_check_character(&body)?;
            (u.is_ascii_digit() && Some(u) != citizen_check_character(&body))
                .then(|| format!("{body}{u}"))
        })
        .unwrap();
    let v = json_of(&zhifa(&data, &["check-id", &n, "--json"], None));
    assert_eq!(v["valid"], false, "{v}");
    assert_eq!(v["kind"], "citizen", "{v}");
    assert_eq!(v["error"]["code"], "CITIZEN_ID_CHECK_CHARACTER");
    assert_eq!(v["reason"], Value::Null);
}

#[test]
fn check_id_without_a_value_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = zhifa(dir.path(), &["check-id"], None);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn check_id_speaks_chinese_without_json() {
    let dir = tempfile::tempdir().unwrap();
    let out = zhifa(dir.path(), &["check-id", "110105194912310021"], None);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("无效 [CITIZEN_ID_CHECK_CHARACTER]"), "{text}");
}

const CASE: &str = r#"{"matter": "CG-001",
  "party": {"kind": "individual", "id_number": "50011219800501001X"},
  "violation_date": "2025-09-10", "decision_date": "2025-09-16",
  "circumstances": ["area_5_to_10sqm"], "penalty": {"kind": "fine", "amount_fen": 15000},
  "served_date": "2025-09-16", "paid_date": "2025-10-13"}"#;

#[test]
fn assess_reads_the_matter_calendar_and_district_from_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    assert!(
        zhifa(&data, &["catalogue", "import", SAMPLE], None)
            .status
            .success()
    );
    assert!(
        zhifa(&data, &["settings", "set", "township", "500112108"], None)
            .status
            .success()
    );
    let file = dir.path().join("case.json");
    std::fs::write(&file, CASE).unwrap();
    let out = zhifa(
        &data,
        &["assess", "--input", file.to_str().unwrap(), "--json"],
        None,
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = json_of(&out);
    assert_eq!(
        keys(&v),
        [
            "age_at_violation",
            "band",
            "bands",
            "errors",
            "exemption",
            "hearing_right",
            "late_fee_fen",
            "legal_review_required",
            "levels",
            "limitation_expired",
            "minor",
            "on_the_spot_collection",
            "payment_due",
            "range",
            "remedy_clause",
            "simple_procedure",
            "suggested_level"
        ]
    );
    assert_eq!(v["suggested_level"], "L2");
    assert_eq!(v["range"], json!({"min_fen": 5000, "max_fen": 50000}));
    assert_eq!(v["age_at_violation"], 45);
    assert_eq!(v["simple_procedure"]["allowed"], true);
    assert_eq!(v["on_the_spot_collection"]["allowed"], false);
    // Day 15 after 16 September is 1 October, in the holiday: due 9 October.
    assert_eq!(v["payment_due"], "2025-10-09");
    assert_eq!(v["late_fee_fen"], 4 * 450);
    // 龙兴镇 belongs to 渝北区 (the township setting).
    assert!(
        v["remedy_clause"]
            .as_str()
            .unwrap()
            .contains("渝北区人民政府")
    );
    assert_eq!(v["errors"], json!([]));

    // The same case from stdin, off the suggested level without a reason.
    let off = CASE.replace("15000", "6000");
    let v = json_of(&zhifa(
        &data,
        &["assess", "--input", "-", "--json"],
        Some(&off),
    ));
    assert_eq!(v["errors"][0]["code"], "DEVIATION_REASON_REQUIRED");
    // Outside the statutory range.
    let over = CASE.replace("15000", "60000");
    let v = json_of(&zhifa(
        &data,
        &["assess", "--input", "-", "--json"],
        Some(&over),
    ));
    assert_eq!(v["errors"][0]["code"], "PENALTY_OUT_OF_RANGE");
    // An unknown matter is a finding, not a failure.
    let unknown = CASE.replace("CG-001", "NO-SUCH");
    let out = zhifa(&data, &["assess", "--input", "-", "--json"], Some(&unknown));
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(json_of(&out)["errors"][0]["code"], "MATTER_NOT_FOUND");
    // Human-readable output.
    let out = zhifa(&data, &["assess", "--input", "-"], Some(CASE));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("建议阶次：L2") && text.contains("缴款期限：2025-10-09"),
        "{text}"
    );
}

#[test]
fn assess_without_a_store_applies_the_law_level_rules_and_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("none");
    let case = r#"{"party": {"kind": "organization", "id_number": "91350100M000100Y43"},
        "violation_date": "2025-06-10", "decision_date": "2025-06-10",
        "penalty": {"kind": "fine", "amount_fen": 300000}, "district": "綦江区"}"#;
    let out = zhifa(&data, &["assess", "--input", "-", "--json"], Some(case));
    assert_eq!(out.status.code(), Some(0));
    let v = json_of(&out);
    assert_eq!(v["simple_procedure"]["allowed"], true);
    assert_eq!(v["levels"], json!([]));
    assert_eq!(v["range"], Value::Null);
    assert!(
        v["remedy_clause"]
            .as_str()
            .unwrap()
            .contains("綦江区人民政府")
    );
    assert_eq!(v["errors"], json!([]));
    assert!(!data.exists());
}

#[test]
fn unusable_input_or_configuration_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    let out = zhifa(&data, &["assess", "--input", "-", "--json"], Some("{"));
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(json_of(&out)["error"]["code"], "ASSESS_INPUT");
    let out = zhifa(
        &data,
        &["assess", "--input", "/no/such/file.json", "--json"],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    let cfg = dir.path().join("rules.json");
    std::fs::write(&cfg, r#"{"hearing_threshold": 1}"#).unwrap();
    let out = zhifa(
        &data,
        &[
            "assess",
            "--input",
            "-",
            "--rules-config",
            cfg.to_str().unwrap(),
            "--json",
        ],
        Some(CASE),
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(json_of(&out)["error"]["code"], "RULES_CONFIG");
}

#[test]
fn a_rules_configuration_file_changes_the_thresholds() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    let cfg = dir.path().join("rules.json");
    std::fs::write(
        &cfg,
        r#"{"hearing_threshold_individual_fen": 10000, "district": "北碚区"}"#,
    )
    .unwrap();
    let case = r#"{"party": {"kind": "individual", "birth_date": "1990-01-01"},
        "violation_date": "2025-06-10", "decision_date": "2025-06-10",
        "penalty": {"kind": "fine", "amount_fen": 10000}}"#;
    let v = json_of(&zhifa(
        &data,
        &[
            "assess",
            "--input",
            "-",
            "--rules-config",
            cfg.to_str().unwrap(),
            "--json",
        ],
        Some(case),
    ));
    assert_eq!(v["hearing_right"], true);
    assert!(
        v["remedy_clause"]
            .as_str()
            .unwrap()
            .contains("北碚区人民政府")
    );
}
