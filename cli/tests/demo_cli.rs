//! `zhifa demo` and the case commands it stands for, run as the real
//! binary: one whole simple-procedure case ends in a served decision whose
//! PDF holds every mandatory field (行政处罚法 Art. 52; docs/law/documents.md) and
//! whose payment QR decodes to the platform link; the evidence verifies,
//! and fails naming the item once one byte of the original changes.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should abort loudly

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

const AT: &str = "2026-05-12T02:30:00Z";

fn zhifa(data: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_zhifa"));
    cmd.arg("--data")
        .arg(data)
        .args(args)
        .env_remove("ZHIFA_DB_KEY")
        // The store key in a file beside (never inside) the data folder.
        .env("ZHIFA_KEYSTORE", "file")
        .env("ZHIFA_KEY_DIR", Path::new(&data).with_extension("keys"))
        .env_remove("ZHIFA_DATA");
    match stdin {
        None => cmd.output().unwrap(),
        Some(text) => {
            use std::io::Write;
            let mut child = cmd
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap();
            child
                .stdin
                .take()
                .unwrap()
                .write_all(text.as_bytes())
                .unwrap();
            child.wait_with_output().unwrap()
        }
    }
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// A readable copy of a sealed file, through `zhifa export` (outside the
/// data folder).
fn exported(data: &Path, sealed: &Path, name: &str) -> std::path::PathBuf {
    let out = data.with_extension(format!("export-{name}"));
    let _ = std::fs::remove_file(&out);
    let r = zhifa(
        data,
        &[
            "export",
            sealed.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
        None,
    );
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    out
}

fn pdftotext(pdf: &Path) -> String {
    let out = Command::new("pdftotext")
        .args(["-layout"])
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext (Debian poppler-utils, installed by scripts/setup.sh)");
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn demo_runs_a_whole_case_to_a_served_decision_with_every_mandatory_field() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let out = zhifa(&data, &["demo", "--json", "--at", AT], None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let doc = json(&out);
    let keys: Vec<&str> = doc
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    for k in [
        "case_id",
        "document_number",
        "pdf",
        "payment_qr_png",
        "evidence",
        "timings_ms",
    ] {
        assert!(keys.contains(&k), "{k} missing: {keys:?}");
    }
    let number = doc["document_number"].as_str().unwrap();
    assert_eq!(number, "龙兴综执当罚〔2026〕1号");
    for step in [
        "create",
        "evidence_photo",
        "decide",
        "issue",
        "officers_sign",
        "serve",
        "render_pdf",
    ] {
        assert!(doc["timings_ms"][step].as_f64().unwrap() > 0.0, "{step}");
    }

    // The PDF: every mandatory field of the on-the-spot decision.
    let sealed_pdf = Path::new(doc["pdf"].as_str().unwrap());
    assert!(sealed_pdf.is_absolute());
    // Sealed in the data folder; readable only through `zhifa export`.
    assert!(!std::fs::read(sealed_pdf).unwrap().starts_with(b"%PDF"));
    let pdf = &exported(&data, sealed_pdf, "decision.pdf");
    let text = pdftotext(pdf);
    let flat: String = text.split_whitespace().collect();
    for needle in [
        "重庆市渝北区龙兴镇人民政府", // authority (Art. 52)
        "当场行政处罚决定书",
        number,                                 // pre-numbered form (Art. 52)
        "周小川",                               // party
        "2026年5月12日10时20分",                // violation time (Beijing)
        "龙兴镇示例路12号门前人行道",           // place
        "摆摊经营水果",                         // facts
        "《重庆市市容环境卫生管理条例》第18条", // 违则 and 罚则
        "陈述、申辩",                           // Art. 44/45 record
        "罚款",
        "人民币150元",                // amount in figures
        "壹佰伍拾元整",               // and in capitals
        "十五日内",                   // Art. 67 payment period
        "2026年5月27日",              // computed due date: 15 days after service
        "每日按罚款数额的3%加处罚款", // Art. 72 / 行政强制法 Art. 45
        "应当先申请行政复议",         // 行政复议法 2023 Art. 23
        "渝北区人民政府",             // the reconsideration body (Art. 24)
        "渝执500112108001",           // both officers' credentials (Art. 42)
        "渝执500112108002",
        "签名",
    ] {
        assert!(
            flat.contains(&needle.split_whitespace().collect::<String>()),
            "{needle} missing from:\n{text}"
        );
    }

    // The payment QR decodes to the platform link with the code and amount.
    let png = image::open(exported(
        &data,
        Path::new(doc["payment_qr_png"].as_str().unwrap()),
        "qr.png",
    ))
    .unwrap()
    .to_luma8();
    let mut img = rqrr::PreparedImage::prepare(png);
    let grids = img.detect_grids();
    assert_eq!(grids.len(), 1);
    let (_, content) = grids[0].decode().unwrap();
    assert!(content.contains("amount_fen=15000"), "{content}");
    let code = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("缴款码："))
        .expect("payment code printed");
    assert!(
        content.contains(&format!("code={}", code.trim())),
        "{content} vs {code}"
    );

    // The case is served and its outbox holds every step.
    let case_id = doc["case_id"].as_str().unwrap();
    let shown = json(&zhifa(&data, &["case", "show", case_id, "--json"], None));
    assert_eq!(shown["status"], "served");
    assert_eq!(
        shown["timeline"].as_array().unwrap().len(),
        11,
        "create + 8 steps + both officers' signatures"
    );
    // 行政处罚法 Art. 52 ¶2: both officers signed the issued decision.
    let signed: Vec<&str> = shown["officer_signatures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["officer_id"].as_str().unwrap())
        .collect();
    assert_eq!(signed, ["OFF-LX-01", "OFF-LX-02"]);
    // The credentials shown (行政处罚法 Art. 52) are a step of their own.
    assert!(
        shown["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["kind"] == "show_credentials"),
        "{shown}"
    );
    let outbox = json(&zhifa(&data, &["case", "outbox", "--json"], None));
    let seqs: Vec<i64> = outbox
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["seq"].as_i64().unwrap())
        .collect();
    assert_eq!(
        seqs,
        (1..=seqs.len() as i64).collect::<Vec<_>>(),
        "gapless outbox"
    );

    // The evidence verifies; one changed byte of the original is named.
    let ev = &doc["evidence"][0];
    assert!(
        json(&zhifa(&data, &["evidence", "verify", "--json"], None))["ok"]
            .as_bool()
            .unwrap()
    );
    let path = ev["path"].as_str().unwrap();
    let mut bytes = std::fs::read(path).unwrap();
    let n = bytes.len() / 2;
    bytes[n] ^= 1;
    std::fs::write(path, bytes).unwrap();
    let out = zhifa(&data, &["evidence", "verify", "--json"], None);
    assert_eq!(out.status.code(), Some(3));
    let report = json(&out);
    assert_eq!(report["problems"][0]["code"], "FILE_TAMPERED");
    assert_eq!(report["problems"][0]["id"], ev["id"]);

    // A second run takes the next number; the rendered document re-renders
    // through `doc render` with the same hash.
    let again = json(&zhifa(&data, &["demo", "--json", "--at", AT], None));
    assert_eq!(again["document_number"], "龙兴综执当罚〔2026〕2号");
    let out_pdf = dir.path().join("again.pdf");
    let r = json(&zhifa(
        &data,
        &[
            "doc",
            "render",
            case_id,
            "--out",
            out_pdf.to_str().unwrap(),
            "--json",
        ],
        None,
    ));
    assert!(
        r["bytes"].as_u64().unwrap() < 200 * 1024,
        "one page ≤ 200 KB"
    );
    assert!(pdftotext(&out_pdf).contains(r["document_hash"].as_str().unwrap()));

    // The township prints with the template set its configuration names; an
    // unknown set is a clear error, not a document printed from another one.
    let mut configs: Value =
        serde_json::from_str(include_str!("../../schema/sample/townships.json")).unwrap();
    configs["townships"][0]["templates"] = serde_json::json!({"set": "xinban", "version": 2});
    let file = dir.path().join("townships.json");
    std::fs::write(&file, configs.to_string()).unwrap();
    assert!(
        zhifa(&data, &["townships", "load", file.to_str().unwrap()], None)
            .status
            .success()
    );
    let out = zhifa(
        &data,
        &[
            "doc",
            "render",
            case_id,
            "--out",
            out_pdf.to_str().unwrap(),
            "--json",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(json(&out)["error"]["code"], "DOC_TEMPLATE_NOT_FOUND");
}

#[test]
fn case_commands_take_json_steps_and_refuse_illegal_ones() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    // The demo prepares catalogue, officers, townships, device and leases.
    assert!(
        zhifa(&data, &["demo", "--json", "--at", AT], None)
            .status
            .success()
    );
    let created = zhifa(
        &data,
        &[
            "case",
            "new",
            "--township",
            "500112108",
            "--matter",
            "CG-002",
            "--violation-time",
            "2026-05-12T09:00:00",
            "--officer",
            "OFF-LX-01",
            "--officer",
            "OFF-LX-02",
            "--json",
        ],
        None,
    );
    assert!(
        created.status.success(),
        "{}",
        String::from_utf8_lossy(&created.stdout)
    );
    let c = json(&created);
    assert_eq!(c["status"], "draft");
    let id = c["id"].as_str().unwrap();
    // Issuing a draft is illegal: exit 2, a stable code, nothing changes.
    let out = zhifa(
        &data,
        &["case", "advance", id, "--input", "-", "--json"],
        Some(r#"{"event": "issue"}"#),
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(json(&out)["error"]["code"], "CASE_ILLEGAL_TRANSITION");
    assert_eq!(
        json(&zhifa(&data, &["case", "show", id, "--json"], None))["version"],
        1
    );
    // A malformed step names the problem.
    let out = zhifa(
        &data,
        &["case", "advance", id, "--input", "-", "--json"],
        Some(r#"{"event": "warp"}"#),
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(json(&out)["error"]["code"], "CASE_EVENT_INVALID");
    // One officer is not enough (Art. 42).
    let out = zhifa(
        &data,
        &[
            "case",
            "new",
            "--township",
            "500112108",
            "--matter",
            "CG-002",
            "--officer",
            "OFF-LX-01",
            "--json",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(json(&out)["error"]["code"], "CASE_OFFICERS_NOT_TWO");
    // A lease that overlaps the demo's is refused.
    let out = zhifa(
        &data,
        &[
            "numbers",
            "grant",
            "--township",
            "500112108",
            "--series",
            "decision_on_the_spot",
            "--year",
            "2026",
            "--start",
            "50",
            "--end",
            "60",
            "--json",
        ],
        None,
    );
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let listed = json(&zhifa(
        &data,
        &["case", "list", "--status", "draft", "--json"],
        None,
    ));
    assert_eq!(listed.as_array().unwrap().len(), 1);
}
