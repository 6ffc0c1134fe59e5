//! The screens' flow through the command layer, by name and JSON exactly as
//! both adapters call it: sign-in, search, a whole simple-procedure case to
//! the PDF and the payment QR, and the errors a screen must show.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should abort loudly

use std::io::Cursor;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use chrono::{DateTime, TimeZone, Utc};
use serde_json::{Value, json};
use zhifa_api::{App, sample};
use zhifa_core::rules::identity::citizen_check_character;
use zhifa_core::store::{DbKey, Store};

fn fixed_now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 2, 0, 0).single().unwrap()
}

fn two_minutes_on() -> DateTime<Utc> {
    fixed_now() + chrono::Duration::minutes(2)
}

fn five_minutes_on() -> DateTime<Utc> {
    fixed_now() + chrono::Duration::minutes(5)
}

fn app() -> (tempfile::TempDir, App) {
    let dir = tempfile::tempdir().unwrap();
    let key = DbKey::Raw([9; 32]);
    let store = Store::open(&dir.path().join("device.db"), &key).unwrap();
    let mut app = App::open(store, &key, dir.path(), "test").unwrap();
    app.set_clock(fixed_now);
    app.load_sample_defaults().unwrap();
    (dir, app)
}

fn call(app: &mut App, cmd: &str, req: Value) -> Value {
    app.dispatch(cmd, req)
        .unwrap_or_else(|e| panic!("{cmd}: {} {}", zhifa_core::ErrorCode::code(&e), e))
}

fn err_code(app: &mut App, cmd: &str, req: Value) -> String {
    let e = app.dispatch(cmd, req).expect_err(cmd);
    e.body().code
}

fn id_number() -> String {
    let body = "50011219850612003";
    format!("{body}{}", citizen_check_character(body).unwrap())
}

fn jpeg() -> String {
    let img = image::RgbImage::from_fn(640, 480, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 90])
    });
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
    B64.encode(out.into_inner())
}

fn png() -> String {
    let img = image::GrayImage::from_fn(200, 80, |x, y| {
        image::Luma([if (x + y) % 17 == 0 { 0 } else { 255 }])
    });
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    B64.encode(out.into_inner())
}

/// A signature with its own strokes (`seed`), so the PDF keeps each image.
fn png_of(seed: u32) -> String {
    let img = image::GrayImage::from_fn(180, 60, |x, y| {
        image::Luma([if (x * (seed + 2) + y).is_multiple_of(13) {
            0
        } else {
            255
        }])
    });
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    B64.encode(out.into_inner())
}

fn count(hay: &[u8], needle: &[u8]) -> usize {
    hay.windows(needle.len()).filter(|w| *w == needle).count()
}

/// Both officers of the case sign its issued decision with their PINs: the
/// signed-in sample officer (signature captured on first need), then the
/// partner, who has no PIN on the device yet and sets one (as at sign-in).
fn officers_sign(app: &mut App, id: &str) {
    let c = call(app, "case_detail", json!({"case_id": id}));
    let signs = c["case"]["officer_signs"].as_array().unwrap().clone();
    assert_eq!(signs.len(), 2);
    for (n, o) in signs.iter().enumerate() {
        assert_eq!(o["signed"], false);
        let officer = o["officer_id"].as_str().unwrap();
        let (pin, again) = if officer == sample::SAMPLE_OFFICER {
            (sample::SAMPLE_PIN, None)
        } else {
            ("135792", Some("135792"))
        };
        call(
            app,
            "case_officer_sign",
            json!({"case_id": id, "officer_id": officer, "pin": pin, "pin_again": again,
                   "signature_png_base64": png_of(n as u32)}),
        );
    }
    let c = call(app, "case_detail", json!({"case_id": id}));
    assert!(
        c["case"]["officer_signs"]
            .as_array()
            .unwrap()
            .iter()
            .all(|o| o["signed"] == true)
    );
}

/// A whole simple-procedure case up to issue; returns its id.
fn issued_case(app: &mut App) -> String {
    let c = call(
        app,
        "case_new",
        json!({"matter_code": "CG-001", "partner_officer_id": "OFF-LX-02", "minutes_ago": 5}),
    );
    let id = c["id"].as_str().unwrap().to_owned();
    call(app, "case_show_credentials", json!({"case_id": id}));
    call(
        app,
        "case_party_facts",
        json!({"case_id": id,
            "party": {"kind": "individual", "name": "周小川", "id_number": id_number(), "phone": "13800001234",
                      "address": "重庆市渝北区龙兴镇示例路1号", "representative": null},
            "facts": "在人行道上摆摊经营水果，占道面积约6平方米", "place": "龙兴镇示例路12号门前"}),
    );
    call(
        app,
        "evidence_add",
        json!({"case_id": id, "file_name": "stall.jpg", "data_base64": jpeg(),
               "lat": 29.71, "lon": 106.82, "accuracy_m": 5.0}),
    );
    call(
        app,
        "case_attach_evidence",
        json!({"case_id": id, "summary": null}),
    );
    let fine = json!({"kind": "fine", "amount_fen": 15000});
    call(
        app,
        "case_inform",
        json!({"case_id": id, "penalty": fine, "content": null}),
    );
    call(
        app,
        "case_statement",
        json!({"case_id": id, "statement": "愿意立即收摊", "review": "在阶次内从轻", "waiver_words": null}),
    );
    call(
        app,
        "case_decide",
        json!({"case_id": id, "penalty": fine, "circumstances": ["area_5_to_10sqm"], "deviation_reason": null}),
    );
    call(app, "case_issue", json!({"case_id": id}));
    id
}

fn sign_in(app: &mut App) {
    call(
        app,
        "sign_in",
        json!({"officer_id": sample::SAMPLE_OFFICER, "pin": sample::SAMPLE_PIN}),
    );
}

#[test]
fn commands_need_a_session_and_sign_in_counts_wrong_pins() {
    let (_d, mut app) = app();
    let state = call(&mut app, "app_state", json!({}));
    assert!(state["signed_in"].is_null());
    assert_eq!(state["officers"].as_array().unwrap().len(), 6);
    assert_eq!(err_code(&mut app, "home", json!({})), "API_NOT_SIGNED_IN");
    let wrong = json!({"officer_id": sample::SAMPLE_OFFICER, "pin": "000001"});
    assert_eq!(err_code(&mut app, "sign_in", wrong), "SIGNIN_WRONG_PIN");
    // A second officer enrols on the device with their own PIN.
    let enrolled = call(
        &mut app,
        "enrol",
        json!({"officer_id": "OFF-LX-02", "pin": "705318"}),
    );
    assert_eq!(enrolled["enrolled"], true);
    assert_eq!(
        err_code(
            &mut app,
            "enrol",
            json!({"officer_id": "OFF-DX-01", "pin": "123456"})
        ),
        "SIGNIN_WEAK_PIN"
    );
    sign_in(&mut app);
    let home = call(&mut app, "home", json!({}));
    assert_eq!(home["officer"]["id"], sample::SAMPLE_OFFICER);
    assert_eq!(home["today"], "2026-03-02");
    assert_eq!(
        err_code(&mut app, "no_such_command", json!({})),
        "API_UNKNOWN_COMMAND"
    );
    assert_eq!(
        err_code(&mut app, "case_new", json!({"x": 1})),
        "API_BAD_REQUEST"
    );
}

#[test]
fn catalogue_search_and_matter_detail() {
    let (_d, mut app) = app();
    let hits = call(
        &mut app,
        "catalogue_search",
        json!({"text": "zdjy", "limit": 5}),
    );
    assert_eq!(hits["hits"][0]["name"], "占道经营");
    let code = hits["hits"][0]["code"].as_str().unwrap().to_owned();
    let m = call(&mut app, "matter_detail", json!({"code": code}));
    assert!(
        m["provisions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["role_label"] == "罚则")
    );
    assert!(m["levels"].as_array().unwrap().len() >= 2);
    assert!(m["statutory_individual"]["max_fen"].as_i64().unwrap() > 0);
    // The catalogue's quick phrases for the facts screen.
    let phrases = m["fact_phrases"].as_array().unwrap();
    assert!(
        phrases.iter().any(|p| p.as_str().unwrap().contains("摆摊")),
        "{phrases:?}"
    );
    // Everyday words find it too, as the officer says them.
    let slang = call(
        &mut app,
        "catalogue_search",
        json!({"text": "路边摆摊", "limit": 5}),
    );
    assert_eq!(slang["hits"][0]["code"], code);
    assert_eq!(
        err_code(&mut app, "matter_detail", json!({"code": "NOPE"})),
        "API_NOT_FOUND"
    );
}

#[test]
fn id_check_as_you_type() {
    let (_d, mut app) = app();
    let id = id_number();
    let partial = call(
        &mut app,
        "check_id",
        json!({"text": &id[..10], "party_kind": "individual"}),
    );
    assert_eq!(partial["ok"], false);
    assert_eq!(partial["incomplete"], true);
    let full = call(
        &mut app,
        "check_id",
        json!({"text": id, "party_kind": "individual"}),
    );
    assert_eq!(full["ok"], true);
    assert_eq!(full["birth_date"], "1985-06-12");
    let mut bad = id_number();
    let last = if bad.ends_with('0') { '1' } else { '0' };
    bad.pop();
    bad.push(last);
    let bad = call(
        &mut app,
        "check_id",
        json!({"text": bad, "party_kind": "individual"}),
    );
    assert_eq!(bad["ok"], false);
    assert_eq!(bad["incomplete"], false);
    assert!(bad["message"].as_str().unwrap().len() > 3);
    let wrong_kind = call(
        &mut app,
        "check_id",
        json!({"text": id_number(), "party_kind": "organization"}),
    );
    assert_eq!(wrong_kind["error_code"], "PARTY_ID_KIND");
}

#[test]
fn a_whole_simple_procedure_case_to_pdf_and_payment_qr() {
    let (_d, mut app) = app();
    sign_in(&mut app);
    assert_eq!(
        err_code(
            &mut app,
            "case_new",
            json!({"matter_code": "CG-001", "partner_officer_id": sample::SAMPLE_OFFICER})
        ),
        "API_INVALID",
        "one officer alone may not decide (Art. 42)"
    );
    let c = call(
        &mut app,
        "case_new",
        json!({"matter_code": "CG-001", "partner_officer_id": "OFF-LX-02", "minutes_ago": 10}),
    );
    let id = c["id"].as_str().unwrap().to_owned();
    assert_eq!(c["status"], "draft");
    // 出示执法证件 (Art. 52, 55): recorded, the case stays a draft.
    let c = call(&mut app, "case_show_credentials", json!({"case_id": id}));
    assert_eq!(c["status"], "draft");
    // The violation time is entered (issue 19), as a datetime-local input
    // sends it; a malformed one is refused in Chinese.
    assert_eq!(
        err_code(
            &mut app,
            "case_party_facts",
            json!({
                "case_id": id,
                "party": {"kind": "individual", "name": "周小川", "id_number": id_number(), "phone": null,
                          "address": "重庆市渝北区龙兴镇示例路1号", "representative": null},
                "facts": "摆摊", "place": "示例路", "violation_time": "3月2日上午"
            }),
        ),
        "API_INVALID"
    );
    let c = call(
        &mut app,
        "case_party_facts",
        json!({
            "case_id": id,
            "party": {"kind": "individual", "name": "周小川", "id_number": id_number(), "phone": "13800001234",
                      "address": "重庆市渝北区龙兴镇示例路1号", "representative": null},
            "facts": "在人行道上摆摊经营水果，占道面积约6平方米", "place": "龙兴镇示例路12号门前",
            "violation_time": "2026-03-02T09:20"
        }),
    );
    assert_eq!(c["violation_time"], "2026-03-02 09:20");
    // Attaching needs a photo first.
    assert_eq!(
        err_code(
            &mut app,
            "case_attach_evidence",
            json!({"case_id": id, "summary": null})
        ),
        "API_INVALID"
    );
    let ev = call(
        &mut app,
        "evidence_add",
        json!({"case_id": id, "file_name": "stall.jpg", "data_base64": jpeg(),
        "lat": 29.71, "lon": 106.82, "accuracy_m": 5.0}),
    );
    assert_eq!(ev["kind"], "photo");
    assert!(ev["thumb_base64"].as_str().is_some_and(|t| !t.is_empty()));
    let c = call(
        &mut app,
        "case_attach_evidence",
        json!({"case_id": id, "summary": null}),
    );
    assert_eq!(c["evidence_count"], 1);

    let s = call(
        &mut app,
        "case_suggest",
        json!({"case_id": id, "circumstances": ["area_5_to_10sqm"], "penalty": null}),
    );
    assert_eq!(s["suggested_level"], "L2");
    assert_eq!(s["simple_procedure"], true);
    let l2 = s["levels"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["code"] == "L2")
        .unwrap()
        .clone();
    assert_eq!(l2["suggested"], true);
    // Off the suggested level: a reason is needed.
    let off = call(
        &mut app,
        "case_suggest",
        json!({"case_id": id, "circumstances": ["area_5_to_10sqm"],
        "penalty": {"kind": "fine", "amount_fen": 5000}}),
    );
    assert_eq!(off["needs_reason"], true);
    let on = call(
        &mut app,
        "case_suggest",
        json!({"case_id": id, "circumstances": ["area_5_to_10sqm"],
        "penalty": {"kind": "fine", "amount_fen": 15000}}),
    );
    assert_eq!(on["needs_reason"], false);
    // The lawful proposal keeps to a band of the clause, shown with its
    // article, fine, preconditions and mandatory kinds in Chinese.
    let band = on["band"].as_str().expect("a lawful fine keeps to a band");
    let shown = on["bands"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["id"] == band)
        .expect("the proposal's band is among the party's bands")
        .clone();
    assert!(shown["article"].as_str().is_some_and(|a| !a.is_empty()));
    assert!(shown["fine"]["min_fen"].as_i64().unwrap() <= 15000);
    assert!(shown["fine"]["max_fen"].as_i64().unwrap() >= 15000);
    assert!(shown["preconditions"].is_array() && shown["mandatory"].is_array());
    assert!(on["problems"].as_array().unwrap().is_empty());
    // Above the statutory maximum: refused, in Chinese, with no band.
    let refused = call(
        &mut app,
        "case_suggest",
        json!({"case_id": id, "circumstances": ["area_5_to_10sqm"],
        "penalty": {"kind": "fine", "amount_fen": 60000}}),
    );
    assert_eq!(refused["band"], Value::Null);
    let problems = refused["problems"].as_array().unwrap();
    assert!(!problems.is_empty());
    assert!(problems.iter().all(|p| {
        p["code"].as_str().is_some_and(|c| !c.is_empty())
            && p["message"]
                .as_str()
                .is_some_and(|m| m.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)))
    }));

    let fine = json!({"kind": "fine", "amount_fen": 15000});
    // 告知, 陈述申辩 and 决定 are three acts, each at its own time (issue
    // 19): no command does two of them.
    let c = call(
        &mut app,
        "case_inform",
        json!({"case_id": id, "penalty": fine, "content": null}),
    );
    assert_eq!(c["status"], "rights_told");
    assert!(c["statement"].is_null());
    // Not decided before the party was heard or waived (Art. 44, 45, 62).
    assert_eq!(
        err_code(
            &mut app,
            "case_decide",
            json!({"case_id": id, "penalty": fine,
            "circumstances": ["area_5_to_10sqm"], "deviation_reason": null}),
        ),
        "CASE_STATEMENT_MISSING"
    );
    // A statement without the officers' review is refused.
    assert_eq!(
        err_code(
            &mut app,
            "case_statement",
            json!({"case_id": id, "statement": "刚到此处", "review": " ", "waiver_words": null}),
        ),
        "API_INVALID"
    );
    app.set_clock(two_minutes_on);
    let c = call(
        &mut app,
        "case_statement",
        json!({"case_id": id, "statement": "刚到此处，愿意立即收摊",
        "review": "陈述不影响违法事实认定，在阶次内从轻", "waiver_words": null}),
    );
    assert!(
        c["statement"]
            .as_str()
            .unwrap()
            .contains("刚到此处，愿意立即收摊")
    );
    app.set_clock(five_minutes_on);
    let c = call(
        &mut app,
        "case_decide",
        json!({"case_id": id, "penalty": fine,
        "circumstances": ["area_5_to_10sqm"], "deviation_reason": null}),
    );
    assert_eq!(c["status"], "decided");
    assert_eq!(c["penalty_text"], "罚款人民币150元");
    // The preview shows the legal basis the decision prints (issue 19):
    // the matter's 违则 and 罚则, cited.
    let m = call(&mut app, "matter_detail", json!({"code": c["matter_code"]}));
    let cited = |role: &str| -> Vec<Value> {
        m["provisions"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["role_label"] == role)
            .map(|p| p["citation"].clone())
            .collect()
    };
    assert!(!cited("违则").is_empty() && !cited("罚则").is_empty());
    assert_eq!(c["violated_provisions"].as_array().unwrap(), &cited("违则"));
    assert_eq!(c["penalty_provisions"].as_array().unwrap(), &cited("罚则"));
    // The PDF is printed only once served.
    let c = call(&mut app, "case_issue", json!({"case_id": id}));
    assert!(
        c["document_number"].as_str().unwrap().contains("2026"),
        "{}",
        c["document_number"]
    );
    assert_eq!(
        err_code(&mut app, "case_document", json!({"case_id": id})),
        "API_INVALID"
    );
    assert_eq!(
        err_code(&mut app, "case_print", json!({"case_id": id, "roll": "58"})),
        "API_INVALID",
        "nothing prints before service"
    );
    let home = call(&mut app, "home", json!({}));
    assert_eq!(home["deadlines"][0]["kind"], "service");
    // 行政处罚法 Art. 52 ¶2: not handed over before both officers signed.
    let serve = json!({"case_id": id, "kind": "signed", "signer_name": "周小川",
        "signature_png_base64": png(), "refusal_reason": null, "witness": null});
    assert_eq!(
        err_code(&mut app, "case_serve", serve.clone()),
        "CASE_OFFICER_SIGNATURE_MISSING"
    );
    officers_sign(&mut app, &id);
    // The party reads the issued decision first (the officers' signatures
    // on it, the party's line open); showing it is recorded.
    let issued = call(&mut app, "case_issued_document", json!({"case_id": id}));
    let issued_pdf = B64.decode(issued["pdf_base64"].as_str().unwrap()).unwrap();
    assert!(issued_pdf.starts_with(b"%PDF-"));
    assert_eq!(
        count(&issued_pdf, b"/Subtype /Image") + count(&issued_pdf, b"/Subtype/Image"),
        2,
        "both officers' signatures, no party signature yet"
    );
    let shown = call(&mut app, "case_show_document", json!({"case_id": id}));
    assert!(shown["document_shown_at"].is_string());
    let c = call(
        &mut app,
        "case_serve",
        json!({"case_id": id, "kind": "signed", "signer_name": "周小川",
        "signature_png_base64": png(), "refusal_reason": null, "witness": null}),
    );
    assert_eq!(c["status"], "served");
    assert_eq!(c["payment_due"].as_str().unwrap().len(), 10);

    let doc = call(&mut app, "case_document", json!({"case_id": id}));
    let pdf = B64.decode(doc["pdf_base64"].as_str().unwrap()).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    assert!(doc["pages"].as_u64().unwrap() >= 1);
    // Saving is the explicit export: a readable copy OUTSIDE the data folder.
    let exports = tempfile::tempdir().unwrap();
    app.set_export_dir(exports.path().to_owned());
    let saved = call(&mut app, "case_save_document", json!({"case_id": id}));
    let saved_path = std::path::PathBuf::from(saved["path"].as_str().unwrap());
    assert!(
        saved_path.starts_with(std::fs::canonicalize(exports.path()).unwrap())
            || saved_path.starts_with(exports.path())
    );
    assert!(!saved_path.starts_with(app.data_dir()));
    let on_disk = std::fs::read(&saved_path).unwrap();
    assert_eq!(on_disk, pdf);
    // On the spot on a thermal printer: with none connected, the ticket is
    // kept in the export folder, byte for byte what a printer would get,
    // carrying the PDF's document hash.
    for roll in ["58", "80"] {
        let t = call(&mut app, "case_print", json!({"case_id": id, "roll": roll}));
        let bytes = B64.decode(t["escpos_base64"].as_str().unwrap()).unwrap();
        assert!(bytes.starts_with(&[0x1b, 0x40, 0x1c, 0x26]), "ESC @, FS &");
        assert_eq!(t["bytes"].as_u64().unwrap() as usize, bytes.len());
        assert_eq!(t["document_hash"], doc["document_hash"]);
        assert!(t["sent_to"].as_str().unwrap().contains("热敏打印机"), "{t}");
        let kept: Vec<_> = std::fs::read_dir(exports.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.to_string_lossy().ends_with(&format!("-{roll}mm.escpos")))
            .collect();
        assert_eq!(kept.len(), 1, "{kept:?}");
        assert_eq!(std::fs::read(&kept[0]).unwrap(), bytes);
    }
    assert_eq!(
        err_code(&mut app, "case_print", json!({"case_id": id, "roll": "76"})),
        "API_INVALID"
    );
    // The served decision carries three signature images (party, officers);
    // its 送达回证 prints too, on A4 and on the roll.
    assert_eq!(
        count(&pdf, b"/Subtype /Image") + count(&pdf, b"/Subtype/Image"),
        3
    );
    let receipt = call(&mut app, "case_receipt_document", json!({"case_id": id}));
    assert!(receipt["file_name"].as_str().unwrap().contains("送达回证"));
    let t = call(
        &mut app,
        "case_print_document",
        json!({"case_id": id, "document": "receipt", "roll": "58"}),
    );
    let bytes = B64.decode(t["escpos_base64"].as_str().unwrap()).unwrap();
    let text = encoding_rs::GB18030.decode(&bytes).0.into_owned();
    assert!(
        text.contains("送达回证") && text.contains("周小川"),
        "{text}"
    );
    assert_eq!(t["document_hash"], receipt["document_hash"]);
    let qr = call(&mut app, "case_payment_qr", json!({"case_id": id}));
    assert!(
        qr["svg"].as_str().unwrap().starts_with("<?xml")
            || qr["svg"].as_str().unwrap().contains("<svg")
    );
    assert_eq!(qr["amount_fen"], 15000);

    let home = call(&mut app, "home", json!({}));
    let pay = &home["deadlines"][0];
    assert_eq!(pay["kind"], "payment");
    assert_eq!(pay["amount_fen"], 15000);
    assert_eq!(pay["late_fee_fen"], 0);
    let detail = call(&mut app, "case_detail", json!({"case_id": id}));
    let kinds: Vec<&str> = detail["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "create",
            "show_credentials",
            "record_party_and_facts",
            "attach_evidence",
            "inform_rights",
            "hear_statement",
            "decide",
            "issue",
            "sign_as_officer",
            "sign_as_officer",
            "show_document",
            "serve"
        ]
    );
    // Each act at its own time, in order: told, heard two minutes later,
    // decided three minutes after that.
    let at = |kind: &str| {
        let t = detail["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["kind"] == kind)
            .unwrap();
        DateTime::parse_from_rfc3339(t["at"].as_str().unwrap()).unwrap()
    };
    assert_eq!(
        at("hear_statement") - at("inform_rights"),
        chrono::Duration::minutes(2)
    );
    assert_eq!(
        at("decide") - at("hear_statement"),
        chrono::Duration::minutes(3)
    );
    let masked = detail["case"]["party_id_masked"].as_str().unwrap();
    assert!(masked.matches('*').count() >= 8, "{masked}");
    let gallery = call(
        &mut app,
        "evidence_list",
        json!({"case_id": null, "verify": true}),
    );
    assert_eq!(gallery["items"][0]["verification"], "verified");
    let sync = call(&mut app, "sync_state", json!({}));
    assert!(sync["pending"].as_u64().unwrap() >= 9);
    assert_eq!(sync["enrolled"], false);
    assert_eq!(sync["state"], "not_enrolled");
    let list = call(&mut app, "case_list", json!({"status": "served"}));
    assert_eq!(list.as_array().unwrap().len(), 1);
}

#[test]
fn a_tampered_original_shows_in_the_gallery() {
    let (dir, mut app) = app();
    sign_in(&mut app);
    let c = call(
        &mut app,
        "case_new",
        json!({"matter_code": "CG-001", "partner_officer_id": "OFF-LX-02"}),
    );
    let id = c["id"].as_str().unwrap().to_owned();
    let ev = call(
        &mut app,
        "evidence_add",
        json!({"case_id": id, "file_name": null, "data_base64": jpeg(),
        "lat": null, "lon": null, "accuracy_m": null}),
    );
    let sha = ev["sha256"].as_str().unwrap();
    let original = walk(dir.path())
        .into_iter()
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with(sha))
        .unwrap();
    std::fs::write(&original, b"not the photo").unwrap();
    let gallery = call(
        &mut app,
        "evidence_list",
        json!({"case_id": id, "verify": true}),
    );
    assert_eq!(gallery["items"][0]["verification"], "FILE_ALTERED");
    let unchecked = call(
        &mut app,
        "evidence_list",
        json!({"case_id": id, "verify": false}),
    );
    assert_eq!(unchecked["items"][0]["verification"], "unchecked");
}

fn walk(p: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = vec![];
    for e in std::fs::read_dir(p).unwrap() {
        let path = e.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// An officer's signature is applied only after the officer's PIN, checked
/// as at sign-in: a wrong PIN is refused and counted toward the same
/// lock-out, and the decision stays unsigned (行政处罚法 Art. 52 ¶2).
#[test]
fn a_wrong_pin_refuses_the_officers_signature_and_counts_toward_the_lock_out() {
    let (_d, mut app) = app();
    sign_in(&mut app);
    let id = issued_case(&mut app);
    let req = |pin: &str| {
        json!({"case_id": id, "officer_id": sample::SAMPLE_OFFICER, "pin": pin, "pin_again": null,
               "signature_png_base64": png()})
    };
    for n in 1..=4 {
        assert_eq!(
            err_code(&mut app, "case_officer_sign", req("999999")),
            "SIGNIN_WRONG_PIN",
            "attempt {n}"
        );
    }
    assert_eq!(
        err_code(&mut app, "case_officer_sign", req("999999")),
        "SIGNIN_LOCKED"
    );
    assert_eq!(
        err_code(&mut app, "case_officer_sign", req(sample::SAMPLE_PIN)),
        "SIGNIN_LOCKED",
        "locked as at sign-in"
    );
    let c = call(&mut app, "case_detail", json!({"case_id": id}));
    assert!(
        c["case"]["officer_signs"]
            .as_array()
            .unwrap()
            .iter()
            .all(|o| o["signed"] == false)
    );
    // The partner without a PIN here: the new PIN must be typed twice alike.
    let partner = c["case"]["officer_signs"][1]["officer_id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        err_code(
            &mut app,
            "case_officer_sign",
            json!({"case_id": id, "officer_id": partner, "pin": "135792", "pin_again": "135793",
                   "signature_png_base64": png()})
        ),
        "API_INVALID"
    );
    assert_eq!(
        err_code(
            &mut app,
            "case_officer_sign",
            json!({"case_id": id, "officer_id": partner, "pin": "135792", "pin_again": null,
                   "signature_png_base64": png()})
        ),
        "SIGNIN_NOT_ENROLLED"
    );
    // Without any signature kept, the officer is asked to sign on the pad.
    assert_eq!(
        err_code(
            &mut app,
            "case_officer_sign",
            json!({"case_id": id, "officer_id": partner, "pin": "135792", "pin_again": "135792",
                   "signature_png_base64": null})
        ),
        "OFFICER_SIGNATURE_NOT_CAPTURED"
    );
    assert_eq!(
        err_code(
            &mut app,
            "case_serve",
            json!({"case_id": id, "kind": "signed", "signer_name": "周小川",
                   "signature_png_base64": png(), "refusal_reason": null, "witness": null})
        ),
        "CASE_OFFICER_SIGNATURE_MISSING"
    );
}
