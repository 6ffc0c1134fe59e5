//! A joint inspection (综合查一次) through the command layer, by name and
//! JSON exactly as the screens call it: two scenarios merged into one
//! checklist over four departments, one failed item ordered to correct,
//! one referred to its department, the record and the order as PDFs, the
//! follow-up check as a task, and the errors a screen must show.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should abort loudly

use std::io::Cursor;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use chrono::{DateTime, TimeZone, Utc};
use serde_json::{Value, json};
use zhifa_api::{App, sample};
use zhifa_core::rules::identity::uscc_check_character;
use zhifa_core::store::{DbKey, Store};

fn fixed_now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 2, 0, 0).single().unwrap()
}

fn app() -> (tempfile::TempDir, App) {
    let dir = tempfile::tempdir().unwrap();
    let key = DbKey::Raw([7; 32]);
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

fn err_code(app: &mut App, cmd: &str, req: Value) -> String {
    app.dispatch(cmd, req).expect_err(cmd).body().code
}

fn uscc() -> String {
    let body = "91500112MA5U7XK3A";
    format!("{body}{}", uscc_check_character(body).unwrap())
}

fn jpeg() -> String {
    let img = image::RgbImage::from_fn(320, 240, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 120])
    });
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
    B64.encode(out.into_inner())
}

/// A signature with its own strokes (`seed`).
fn png_of(seed: u32) -> String {
    let img = image::GrayImage::from_fn(180, 60, |x, y| {
        image::Luma([if (x * (seed + 4) + y).is_multiple_of(11) {
            0
        } else {
            255
        }])
    });
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    B64.encode(out.into_inner())
}

fn png() -> String {
    let img = image::GrayImage::from_fn(200, 80, |x, y| {
        image::Luma([if (x * 3 + y) % 13 == 0 { 0 } else { 255 }])
    });
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    B64.encode(out.into_inner())
}

fn start(app: &mut App) -> Value {
    call(
        app,
        "insp_start",
        json!({
            "scenarios": ["CJ-XXSC", "CJ-ZHDP"],
            "place": "龙兴镇龙华大道88号 便民超市",
            "party": {
                "kind": "organization", "name": "重庆市渝北区龙兴便民超市有限公司",
                "id_number": uscc(), "phone": "13800000000",
                "address": "龙兴镇龙华大道88号", "representative": "李四"
            },
            "partner_officer_id": "OFF-LX-02",
            "task_id": null
        }),
    )
}

#[test]
fn scenarios_name_their_departments_and_items() {
    let (_d, mut app) = app();
    let s = call(&mut app, "insp_scenarios", json!({}));
    let list = s.as_array().unwrap();
    assert!(list.len() >= 5);
    let shop = list.iter().find(|s| s["code"] == "CJ-XXSC").unwrap();
    assert_eq!(shop["items"], 8);
    assert!(shop["department_names"].as_array().unwrap().len() >= 3);
}

#[test]
fn a_joint_inspection_over_four_departments_to_its_record_order_and_referral() {
    let (_d, mut app) = app();
    let v = start(&mut app);
    let id = v["summary"]["id"].as_str().unwrap().to_owned();
    let findings = v["findings"].as_array().unwrap().clone();
    // 小型商超 (8 items) + 沿街商铺 (7 items, 6 shared) merge into 9 items.
    assert_eq!(findings.len(), 9);
    let codes: Vec<&str> = findings
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    let mut unique = codes.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), codes.len(), "merged checklist has duplicates");
    assert!(v["department_names"].as_array().unwrap().len() >= 3);
    assert_eq!(v["summary"]["departments"], 4);

    // Finishing before every item is checked is refused with its code.
    let sig = json!({"inspection_id": id, "kind": "signed", "signer_name": "李四",
        "signature_png_base64": png(), "refusal_reason": null, "witness": null});
    assert_eq!(
        err_code(&mut app, "insp_finish", sig.clone()),
        "INSPECTION_INCOMPLETE"
    );
    // A failure needs a note.
    assert_eq!(
        err_code(
            &mut app,
            "insp_result",
            json!({"inspection_id": id, "item": "JC-CG-03", "verdict": "fail", "note": " ", "evidence_ids": []})
        ),
        "INSPECTION_FIELD_REQUIRED"
    );
    // A photo for the failed signboard, kept and hashed at capture.
    let photo = call(
        &mut app,
        "insp_evidence_add",
        json!({"inspection_id": id, "file_name": "sign.jpg", "data_base64": jpeg(),
               "lat": 29.72, "lon": 106.78, "accuracy_m": 8.0}),
    );
    assert_eq!(photo["sha256"].as_str().unwrap().len(), 64);
    assert!(photo["case_id"].is_null());
    let photo_id = photo["id"].as_str().unwrap().to_owned();
    for f in &findings {
        let code = f["code"].as_str().unwrap();
        let evidence = if code == "JC-CG-03" {
            json!([photo_id])
        } else {
            json!([])
        };
        let (verdict, note) = match code {
            "JC-CG-03" => ("fail", "门店牌匾右侧灯箱破损，字体残缺"),
            "JC-SC-07" => ("fail", "收银台处未设置不向未成年人销售烟酒标志"),
            "JC-HB-02" => ("not_applicable", "未使用广播喇叭"),
            _ => ("pass", ""),
        };
        call(
            &mut app,
            "insp_result",
            json!({"inspection_id": id, "item": code, "verdict": verdict, "note": note, "evidence_ids": evidence}),
        );
    }
    // A passed item cannot be given an outcome.
    assert_eq!(
        err_code(
            &mut app,
            "insp_decide",
            json!({"inspection_id": id, "item": "JC-SC-01", "kind": "referral", "text": "x"})
        ),
        "INSPECTION_NOT_FAILED"
    );
    let v = call(
        &mut app,
        "insp_decide",
        json!({"inspection_id": id, "item": "JC-CG-03", "kind": "order_to_correct",
               "text": "修复或者更换破损的门店牌匾标识"}),
    );
    let order = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "JC-CG-03")
        .unwrap()["outcome"]
        .clone();
    assert_eq!(order["kind"], "order_to_correct");
    assert_eq!(
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["code"] == "JC-CG-03")
            .unwrap()["evidence"],
        1
    );
    let deadline = order["deadline"].as_str().unwrap();
    assert!(
        deadline > "2026-03-02",
        "deadline {deadline} not after the inspection"
    );
    let v = call(
        &mut app,
        "insp_decide",
        json!({"inspection_id": id, "item": "JC-SC-07", "kind": "referral",
               "text": "烟草制品销售场所管理属市场监督管理部门职责"}),
    );
    assert_eq!(v["referrals"], json!(["区市场监督管理局"]));
    let number = v["orders"][0].as_str().unwrap().to_owned();

    // The record needs the inspection finished first.
    assert_eq!(
        err_code(
            &mut app,
            "insp_document",
            json!({"inspection_id": id, "order_number": null})
        ),
        "API_INVALID"
    );
    // The inspectors sign the record and the orders with their PINs
    // (the partner sets a PIN and keeps a signature on first need).
    let mut signed = sig.clone();
    signed["officer_signs"] = json!([
        {"case_id": null, "officer_id": "OFF-LX-01", "pin": zhifa_api::sample::SAMPLE_PIN,
         "pin_again": null, "signature_png_base64": png_of(1)},
        {"case_id": null, "officer_id": "OFF-LX-02", "pin": "135792",
         "pin_again": "135792", "signature_png_base64": png_of(2)},
    ]);
    let mut wrong = signed.clone();
    wrong["officer_signs"][0]["pin"] = json!("999999");
    assert_eq!(err_code(&mut app, "insp_finish", wrong), "SIGNIN_WRONG_PIN");
    let v = call(&mut app, "insp_finish", signed);
    assert_eq!(v["summary"]["status"], "finished");
    assert_eq!(v["summary"]["failed"], 2);
    assert_eq!(v["record_sha256"].as_str().unwrap().len(), 64);
    // Nothing changes after the record is made.
    assert_eq!(
        err_code(
            &mut app,
            "insp_result",
            json!({"inspection_id": id, "item": "JC-SC-01", "verdict": "fail", "note": "x", "evidence_ids": []})
        ),
        "INSPECTION_FINISHED"
    );

    let record = call(
        &mut app,
        "insp_document",
        json!({"inspection_id": id, "order_number": null}),
    );
    let pdf = B64.decode(record["pdf_base64"].as_str().unwrap()).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    let images = |pdf: &[u8]| {
        let n = |needle: &[u8]| pdf.windows(needle.len()).filter(|w| *w == needle).count();
        n(b"/Subtype /Image") + n(b"/Subtype/Image")
    };
    assert_eq!(
        images(&pdf),
        3,
        "the party's and both inspectors' signatures"
    );
    // On the spot on a thermal roll too, the inspectors named as signed.
    app.set_export_dir(_d.path().join("exports"));
    let t = call(
        &mut app,
        "insp_print",
        json!({"inspection_id": id, "roll": "80"}),
    );
    let bytes = B64.decode(t["escpos_base64"].as_str().unwrap()).unwrap();
    let text = encoding_rs::GB18030.decode(&bytes).0.into_owned();
    assert!(
        text.contains("现场检查（勘验）笔录") && text.contains("已在执法终端签名"),
        "{text}"
    );
    assert_eq!(t["document_hash"], record["document_hash"]);
    assert!(
        record["file_name"]
            .as_str()
            .unwrap()
            .starts_with("现场检查笔录")
    );
    let doc = call(
        &mut app,
        "insp_document",
        json!({"inspection_id": id, "order_number": number}),
    );
    assert!(
        B64.decode(doc["pdf_base64"].as_str().unwrap())
            .unwrap()
            .starts_with(b"%PDF-")
    );
    assert_eq!(
        err_code(
            &mut app,
            "insp_document",
            json!({"inspection_id": id, "order_number": "无此编号"})
        ),
        "API_NOT_FOUND"
    );

    // The list shows it; the follow-up check is a task due after the deadline.
    let list = call(&mut app, "insp_list", json!({}));
    assert_eq!(list.as_array().unwrap().len(), 1);
    let tasks = call(&mut app, "task_list", json!({}));
    let follow = tasks
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["kind"] == "follow_up")
        .unwrap()
        .clone();
    assert_eq!(follow["kind_label"], "复查");
    assert!(follow["due_on"].as_str().unwrap() > deadline);
    let tid = follow["id"].as_str().unwrap();
    // A follow-up report must say whether the party corrected.
    assert_eq!(
        err_code(
            &mut app,
            "task_report",
            json!({"task_id": tid, "note": "已复查", "corrected": null, "inspection_id": null, "case_id": null})
        ),
        "INSPECTION_FIELD_REQUIRED"
    );
    let done = call(
        &mut app,
        "task_report",
        json!({"task_id": tid, "note": "牌匾已更换", "corrected": true, "inspection_id": null, "case_id": null}),
    );
    assert_eq!(done["status"], "done");
    assert!(done["done_at"].is_string());

    // Every step went to the outbox for sync.
    let outbox: i64 = app
        .store()
        .conn()
        .query_row(
            "SELECT count(*) FROM outbox WHERE entity IN ('inspection', 'task')",
            [],
            |r| r.get(0),
        )
        .unwrap();
    // start, 9 results, 2 outcomes, finish, the task accepted and reported.
    assert!(outbox >= 15, "outbox has {outbox} records");
}

#[test]
fn bad_requests_get_specific_codes() {
    let (_d, mut app) = app();
    assert_eq!(
        err_code(&mut app, "insp_get", json!({"inspection_id": "not-a-uuid"})),
        "API_INVALID"
    );
    assert_eq!(
        err_code(
            &mut app,
            "insp_get",
            json!({"inspection_id": "0190f5a0-0000-7000-8000-000000000000"})
        ),
        "API_NOT_FOUND"
    );
    let mut req = json!({
        "scenarios": [], "place": "某地",
        "party": {"kind": "individual", "name": "张三", "id_number": "x", "phone": null, "address": "某地", "representative": null},
        "partner_officer_id": "OFF-LX-02", "task_id": null
    });
    assert_eq!(
        err_code(&mut app, "insp_start", req.clone()),
        "INSPECTION_NO_SCENARIO"
    );
    req["scenarios"] = json!(["CJ-NONE"]);
    assert_eq!(
        err_code(&mut app, "insp_start", req.clone()),
        "INSPECTION_UNKNOWN_SCENARIO"
    );
    req["scenarios"] = json!(["CJ-XXSC"]);
    req["partner_officer_id"] = json!(sample::SAMPLE_OFFICER);
    assert_eq!(err_code(&mut app, "insp_start", req), "API_INVALID");
    let v = start(&mut app);
    let id = v["summary"]["id"].as_str().unwrap();
    assert_eq!(
        err_code(
            &mut app,
            "insp_result",
            json!({"inspection_id": id, "item": "JC-SC-01", "verdict": "maybe", "note": "", "evidence_ids": []})
        ),
        "API_INVALID"
    );
    assert_eq!(
        err_code(
            &mut app,
            "insp_result",
            json!({"inspection_id": id, "item": "JC-XX-99", "verdict": "pass", "note": "", "evidence_ids": []})
        ),
        "INSPECTION_UNKNOWN_ITEM"
    );
}
