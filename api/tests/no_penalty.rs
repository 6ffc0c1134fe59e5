//! 不予处罚 through the command layer (issue 19 item 3), by name and JSON as
//! the screens call it: each ground of 行政处罚法 Art. 30, 31 and 33 ¶1, its
//! conditions and the guardian order refused when missing with the article
//! in the message, the 教育 record required, the 首违 checked against the
//! device's records, and the outcome written to the outbox for the centre.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should abort loudly

use std::io::Cursor;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use chrono::{DateTime, TimeZone, Utc};
use serde_json::{Value, json};
use zhifa_api::{App, sample};
use zhifa_core::rules::identity::{citizen_check_character, uscc_check_character};
use zhifa_core::store::{DbKey, Store};

fn fixed_now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 2, 0, 0).single().unwrap()
}

fn app() -> (tempfile::TempDir, App) {
    let dir = tempfile::tempdir().unwrap();
    let key = DbKey::Raw([9; 32]);
    let store = Store::open(&dir.path().join("device.db"), &key).unwrap();
    let mut app = App::open(store, &key, dir.path(), "test").unwrap();
    app.set_clock(fixed_now);
    app.load_sample_defaults().unwrap();
    app.dispatch(
        "sign_in",
        json!({"officer_id": sample::SAMPLE_OFFICER, "pin": sample::SAMPLE_PIN}),
    )
    .unwrap();
    (dir, app)
}

fn call(app: &mut App, cmd: &str, req: Value) -> Value {
    app.dispatch(cmd, req)
        .unwrap_or_else(|e| panic!("{cmd}: {} {}", zhifa_core::ErrorCode::code(&e), e))
}

/// The error's code and message.
fn refused(app: &mut App, cmd: &str, req: Value) -> (String, String) {
    let e = app.dispatch(cmd, req).expect_err(cmd).body();
    (e.code, e.message)
}

fn citizen(birth: &str) -> String {
    let body = format!("500112{birth}003");
    format!("{body}{}", citizen_check_character(&body).unwrap())
}

fn jpeg() -> String {
    let img = image::RgbImage::from_fn(64, 48, |x, y| image::Rgb([x as u8, y as u8, 90]));
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
    B64.encode(out.into_inner())
}

/// A case of `matter` with its party, facts and one photo: ready for the
/// discretion screen.
fn case(app: &mut App, matter: &str, kind: &str, id_number: &str) -> String {
    let c = call(
        app,
        "case_new",
        json!({"matter_code": matter, "partner_officer_id": "OFF-LX-02", "minutes_ago": 10}),
    );
    let id = c["id"].as_str().unwrap().to_owned();
    call(
        app,
        "case_party_facts",
        json!({
            "case_id": id,
            "party": {"kind": kind, "name": "周小川", "id_number": id_number, "phone": null,
                      "address": "重庆市渝北区龙兴镇示例路1号",
                      "representative": if kind == "organization" { json!("周大川") } else { Value::Null }},
            "facts": "在人行道上摆摊经营水果", "place": "龙兴镇示例路12号门前",
            "violation_time": "2026-03-02T09:20"
        }),
    );
    call(
        app,
        "evidence_add",
        json!({"case_id": id, "file_name": "a.jpg", "data_base64": jpeg(),
               "lat": null, "lon": null, "accuracy_m": null}),
    );
    call(
        app,
        "case_attach_evidence",
        json!({"case_id": id, "summary": null}),
    );
    id
}

fn ground<'a>(options: &'a Value, code: &str) -> &'a Value {
    options["grounds"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["code"] == code)
        .unwrap()
}

fn outbox_kinds(app: &App, id: &str) -> Vec<String> {
    let conn = app.store().conn();
    let mut st = conn
        .prepare("SELECT payload FROM outbox WHERE entity = 'case' AND entity_id = ?1 ORDER BY seq")
        .unwrap();
    st.query_map([id], |r| r.get::<_, String>(0))
        .unwrap()
        .map(|p| {
            let v: Value = serde_json::from_str(&p.unwrap()).unwrap();
            v["kind"].as_str().unwrap_or_default().to_owned()
        })
        .collect()
}

#[test]
fn a_child_is_not_penalised_and_the_guardian_is_ordered() {
    let (_d, mut app) = app();
    // Born 2014-06-12: 11 on the violation day.
    let id = case(&mut app, "CG-001", "individual", &citizen("20140612"));
    let o = call(
        &mut app,
        "case_no_penalty_options",
        json!({"case_id": id, "circumstances": []}),
    );
    assert_eq!(o["suggested"], "under_14");
    let g = ground(&o, "under_14");
    assert_eq!(g["available"], true);
    assert_eq!(g["article"], "行政处罚法第三十条");
    assert_eq!(g["guardian_order"], "责令监护人加以管教");
    // Art. 33 ¶1 is not the ground for a child: Art. 30 is.
    assert_eq!(ground(&o, "first_violation")["available"], false);
    let req = |education: &str, guardian: Value| {
        json!({"case_id": id, "ground": "under_14", "attested": [], "education": education,
               "guardian_order": guardian})
    };
    let (code, msg) = refused(
        &mut app,
        "case_no_penalty",
        req(" ", json!("责令监护人加以管教")),
    );
    assert_eq!(code, "NO_PENALTY_EDUCATION_MISSING");
    assert!(msg.contains("第三十三条第三款"), "{msg}");
    let (code, msg) = refused(&mut app, "case_no_penalty", req("已批评教育", json!("  ")));
    assert_eq!(code, "CASE_GUARDIAN_ORDER_MISSING");
    assert!(msg.contains("行政处罚法第三十条"), "{msg}");
    let (code, msg) = refused(
        &mut app,
        "case_no_penalty",
        json!({"case_id": id, "ground": "first_violation",
               "attested": ["first_violation", "minor_harm", "corrected_promptly"],
               "education": "已批评教育", "guardian_order": null}),
    );
    assert_eq!(code, "NO_PENALTY_GROUND_NOT_MET");
    assert!(msg.contains("第三十条"), "{msg}");
    let c = call(
        &mut app,
        "case_no_penalty",
        req(
            "已向当事人及其监护人宣讲法规",
            json!("责令监护人加以管教，带回家中"),
        ),
    );
    assert_eq!(c["status"], "no_penalty");
    assert_eq!(c["status_label"], "不予处罚");
    assert!(
        c["no_penalty"]["ground"]
            .as_str()
            .unwrap()
            .contains("第三十条")
    );
    assert_eq!(
        c["no_penalty"]["guardian_order"],
        "责令监护人加以管教，带回家中"
    );
    assert_eq!(c["no_penalty"]["education"], "已向当事人及其监护人宣讲法规");
    let list = call(&mut app, "case_list", json!({"status": null}));
    let row = list
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id.as_str())
        .unwrap();
    assert!(
        row["no_penalty_ground"]
            .as_str()
            .unwrap()
            .contains("第三十条")
    );
    // The outcome goes to the centre with the case.
    assert!(
        outbox_kinds(&app, &id)
            .iter()
            .any(|k| k == "decide_no_penalty")
    );
    // Decided once: a second decision is refused.
    let (code, _) = refused(&mut app, "case_no_penalty", req("再次教育", json!("管教")));
    assert_ne!(code, "");
}

#[test]
fn first_violation_needs_every_condition_and_a_first_time() {
    let (_d, mut app) = app();
    let party = citizen("19850612");
    let id = case(&mut app, "CG-001", "individual", &party);
    let o = call(
        &mut app,
        "case_no_penalty_options",
        json!({"case_id": id, "circumstances": []}),
    );
    let g = ground(&o, "first_violation");
    assert_eq!(g["available"], true);
    assert_eq!(g["discretionary"], true);
    let codes: Vec<&str> = g["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        ["first_violation", "minor_harm", "corrected_promptly"]
    );
    assert_eq!(ground(&o, "under_14")["available"], false);
    let claim = |attested: Value| {
        json!({"case_id": id, "ground": "first_violation", "attested": attested,
               "education": "已当场宣讲法规", "guardian_order": null})
    };
    let (code, msg) = refused(
        &mut app,
        "case_no_penalty",
        claim(json!(["first_violation", "corrected_promptly"])),
    );
    assert_eq!(code, "NO_PENALTY_CONDITION_MISSING");
    assert!(msg.contains("行政处罚法第三十三条第一款"), "{msg}");
    assert!(msg.contains("危害后果轻微"), "{msg}");
    let all = json!(["first_violation", "minor_harm", "corrected_promptly"]);
    let c = call(&mut app, "case_no_penalty", claim(all.clone()));
    assert_eq!(c["status"], "no_penalty");
    assert!(
        c["no_penalty"]["ground"]
            .as_str()
            .unwrap()
            .contains("初次违法")
    );
    assert!(c["no_penalty"]["guardian_order"].is_null());

    // The same party on the same matter again: not a first violation.
    let again = case(&mut app, "CG-001", "individual", &party);
    let (code, msg) = refused(
        &mut app,
        "case_no_penalty",
        json!({"case_id": again, "ground": "first_violation", "attested": all,
               "education": "已宣讲", "guardian_order": null}),
    );
    assert_eq!(code, "NO_PENALTY_NOT_FIRST_VIOLATION");
    assert!(
        msg.contains("2026-03-02") && msg.contains("第三十三条第一款"),
        "{msg}"
    );
    // Another party on the same matter is a first violation.
    let other = case(&mut app, "CG-001", "individual", &citizen("19900101"));
    let c = call(
        &mut app,
        "case_no_penalty",
        json!({"case_id": other, "ground": "first_violation", "attested": all,
               "education": "已宣讲", "guardian_order": null}),
    );
    assert_eq!(c["status"], "no_penalty");
}

#[test]
fn incapacity_orders_the_guardian_and_minor_needs_no_harm() {
    let (_d, mut app) = app();
    let id = case(&mut app, "CG-006", "individual", &citizen("19700101"));
    let claim = |guardian: Value| {
        json!({"case_id": id, "ground": "incapacity", "attested": ["mental_incapacity"],
               "education": "已向监护人说明", "guardian_order": guardian})
    };
    let (code, msg) = refused(&mut app, "case_no_penalty", claim(Value::Null));
    assert_eq!(code, "CASE_GUARDIAN_ORDER_MISSING");
    assert!(msg.contains("行政处罚法第三十一条"), "{msg}");
    let (code, _) = refused(
        &mut app,
        "case_no_penalty",
        json!({"case_id": id, "ground": "incapacity", "attested": [],
               "education": "已说明", "guardian_order": "责令其监护人严加看管和治疗"}),
    );
    assert_eq!(code, "NO_PENALTY_CONDITION_MISSING");
    let c = call(
        &mut app,
        "case_no_penalty",
        claim(json!("责令其监护人严加看管和治疗")),
    );
    assert!(
        c["no_penalty"]["ground"]
            .as_str()
            .unwrap()
            .contains("第三十一条")
    );
    assert_eq!(
        c["no_penalty"]["guardian_order"],
        "责令其监护人严加看管和治疗"
    );

    // 轻微不罚: the law's three conditions.
    let minor = case(&mut app, "CG-006", "individual", &citizen("19750101"));
    let claim = |attested: Value| {
        json!({"case_id": minor, "ground": "minor", "attested": attested,
               "education": "已批评教育", "guardian_order": "不应记录"})
    };
    let (code, msg) = refused(
        &mut app,
        "case_no_penalty",
        claim(json!(["minor_violation", "corrected_promptly"])),
    );
    assert_eq!(code, "NO_PENALTY_CONDITION_MISSING");
    assert!(
        msg.contains("没有造成危害后果") && msg.contains("第三十三条第一款"),
        "{msg}"
    );
    let c = call(
        &mut app,
        "case_no_penalty",
        claim(json!(["minor_violation", "corrected_promptly", "no_harm"])),
    );
    assert!(
        c["no_penalty"]["ground"]
            .as_str()
            .unwrap()
            .contains("第三十三条第一款")
    );
    // Only Art. 30 and 31 order a guardian.
    assert!(c["no_penalty"]["guardian_order"].is_null());
}

#[test]
fn an_organisation_has_no_guardian_ground_and_unknown_grounds_are_refused() {
    let (_d, mut app) = app();
    let body = "91500112MA5U00000";
    let uscc = format!("{body}{}", uscc_check_character(body).unwrap());
    let id = case(&mut app, "CG-002", "organization", &uscc);
    let o = call(
        &mut app,
        "case_no_penalty_options",
        json!({"case_id": id, "circumstances": []}),
    );
    assert_eq!(ground(&o, "incapacity")["available"], false);
    let (code, msg) = refused(
        &mut app,
        "case_no_penalty",
        json!({"case_id": id, "ground": "incapacity", "attested": ["mental_incapacity"],
               "education": "已说明", "guardian_order": "看管"}),
    );
    assert_eq!(code, "NO_PENALTY_GROUND_NOT_MET");
    assert!(msg.contains("第三十一条"), "{msg}");
    let (code, _) = refused(
        &mut app,
        "case_no_penalty",
        json!({"case_id": id, "ground": "no_such", "attested": [],
               "education": "已说明", "guardian_order": null}),
    );
    assert_eq!(code, "NO_PENALTY_GROUND_UNKNOWN");
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

/// The 不予行政处罚决定书 (issue 19): issued with the outcome, its article
/// on the case screens, previewed with the party's line open, signed by
/// both officers with their PINs (Art. 52 ¶2), shown, served with the
/// party's signature, then printed on A4 and on the roll with the article.
#[test]
fn the_child_case_hands_over_a_signed_no_penalty_decision() {
    let (_d, mut app) = app();
    let id = case(&mut app, "CG-001", "individual", &citizen("20140612"));
    let c = call(
        &mut app,
        "case_no_penalty",
        json!({"case_id": id, "ground": "under_14", "attested": [],
               "education": "已向当事人及其监护人宣讲法规", "guardian_order": "已通知其父亲到场领回"}),
    );
    assert_eq!(
        c["no_penalty"]["decision_article"],
        "《中华人民共和国行政处罚法》第三十条"
    );
    assert_eq!(c["no_penalty"]["decision_number"], Value::Null);
    assert_eq!(c["no_penalty"]["decision_served"], false);
    // Previewed before anyone signed: no signature image yet.
    let issued = call(&mut app, "case_issued_document", json!({"case_id": id}));
    assert_eq!(
        issued["file_name"].as_str().unwrap(),
        format!("不予行政处罚决定书-{id}.pdf")
    );
    let pdf = B64.decode(issued["pdf_base64"].as_str().unwrap()).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    assert_eq!(
        count(&pdf, b"/Subtype /Image") + count(&pdf, b"/Subtype/Image"),
        0
    );
    let serve = json!({"case_id": id, "kind": "signed", "signer_name": "周大川",
        "signature_png_base64": png_of(9), "refusal_reason": null, "witness": null});
    let (code, _) = refused(&mut app, "case_serve", serve.clone());
    assert_eq!(code, "CASE_OFFICER_SIGNATURE_MISSING");
    let detail = call(&mut app, "case_detail", json!({"case_id": id}));
    let signs = detail["case"]["officer_signs"].as_array().unwrap().clone();
    for (n, o) in signs.iter().enumerate() {
        assert_eq!(o["signed"], false);
        let officer = o["officer_id"].as_str().unwrap();
        let (pin, again) = if officer == sample::SAMPLE_OFFICER {
            (sample::SAMPLE_PIN, None)
        } else {
            ("135792", Some("135792"))
        };
        call(
            &mut app,
            "case_officer_sign",
            json!({"case_id": id, "officer_id": officer, "pin": pin, "pin_again": again,
                   "signature_png_base64": png_of(n as u32)}),
        );
    }
    let issued = call(&mut app, "case_issued_document", json!({"case_id": id}));
    let pdf = B64.decode(issued["pdf_base64"].as_str().unwrap()).unwrap();
    assert_eq!(
        count(&pdf, b"/Subtype /Image") + count(&pdf, b"/Subtype/Image"),
        2,
        "both officers' signatures, the party's line open"
    );
    let shown = call(&mut app, "case_show_document", json!({"case_id": id}));
    assert!(shown["document_shown_at"].is_string());
    let c = call(&mut app, "case_serve", serve.clone());
    assert_eq!(c["status"], "no_penalty");
    assert_eq!(c["no_penalty"]["decision_served"], true);
    let (code, _) = refused(&mut app, "case_serve", serve);
    assert_ne!(code, "", "served once");
    let doc = call(&mut app, "case_document", json!({"case_id": id}));
    let pdf = B64.decode(doc["pdf_base64"].as_str().unwrap()).unwrap();
    assert_eq!(
        count(&pdf, b"/Subtype /Image") + count(&pdf, b"/Subtype/Image"),
        3
    );
    let exports = tempfile::tempdir().unwrap();
    app.set_export_dir(exports.path().to_owned());
    let t = call(
        &mut app,
        "case_print_document",
        json!({"case_id": id, "document": "decision", "roll": "58"}),
    );
    let bytes = B64.decode(t["escpos_base64"].as_str().unwrap()).unwrap();
    // The printed text without the printer's commands (ESC/GS and their
    // two argument bytes) and line breaks, so a wrapped line reads whole.
    let decoded = encoding_rs::GB18030.decode(&bytes).0.into_owned();
    let mut text = String::new();
    let mut chars = decoded.chars();
    while let Some(ch) = chars.next() {
        if ch == '\u{1b}' || ch == '\u{1d}' {
            chars.next();
            chars.next();
        } else if !ch.is_control() && !ch.is_whitespace() {
            text.push(ch);
        }
    }
    for must in [
        "不予行政处罚决定书",
        "第三十条",
        "责令监护人加以管教：已通知其父亲到场领回",
        "六十日内",
    ] {
        assert!(text.contains(must), "{must} missing from {text}");
    }
    assert_eq!(t["document_hash"], doc["document_hash"]);
}
