//! The party's identity document through the command layer (issue 19):
//! `check_id` per document, and a case whose party shows a passport or no
//! document at all, as the party screen sends them.

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
    Utc.with_ymd_and_hms(2026, 3, 2, 2, 0, 0).unwrap()
}

fn app() -> (tempfile::TempDir, App) {
    let dir = tempfile::tempdir().unwrap();
    let key = DbKey::Raw([9; 32]);
    let store = Store::open(&dir.path().join("device.db"), &key).unwrap();
    let mut app = App::open(store, &key, dir.path(), "test").unwrap();
    app.set_clock(fixed_now);
    app.load_sample_defaults().unwrap();
    call(
        &mut app,
        "sign_in",
        json!({"officer_id": sample::SAMPLE_OFFICER, "pin": sample::SAMPLE_PIN}),
    );
    (dir, app)
}

fn call(app: &mut App, cmd: &str, req: Value) -> Value {
    app.dispatch(cmd, req)
        .unwrap_or_else(|e| panic!("{cmd}: {} {}", zhifa_core::ErrorCode::code(&e), e))
}

fn err_code(app: &mut App, cmd: &str, req: Value) -> String {
    app.dispatch(cmd, req).expect_err(cmd).body().code
}

fn jpeg() -> String {
    let img = image::RgbImage::from_fn(320, 240, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 40])
    });
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
    B64.encode(out.into_inner())
}

fn check(app: &mut App, text: &str, id_kind: &str) -> Value {
    call(
        app,
        "check_id",
        json!({"text": text, "party_kind": "individual", "id_kind": id_kind}),
    )
}

#[test]
fn check_id_answers_per_document() {
    let (_d, mut app) = app();
    let passport = check(&mut app, "e1234567", "chinese_passport");
    assert_eq!(passport["ok"], true);
    assert_eq!(passport["kind_label"], "护照");
    assert!(
        passport["note"].as_str().unwrap().contains("再次核对"),
        "{passport}"
    );
    let hk = check(&mut app, "H12345678 00", "hk_macao_permit");
    assert_eq!(hk["ok"], true);
    assert_eq!(hk["normalized"], "H1234567800");
    assert_eq!(hk["note"], Value::Null);
    let short = check(&mut app, "X12", "foreign_passport");
    assert_eq!(
        (short["ok"].clone(), short["incomplete"].clone()),
        (json!(false), json!(true))
    );
    let body = "81000019900307001";
    let permit = format!("{body}{}", citizen_check_character(body).unwrap());
    let as_id = check(&mut app, &permit, "resident_id");
    assert_eq!(as_id["error_code"], "ID_DOC_WRONG_DOCUMENT", "{as_id}");
    let as_permit = check(&mut app, &permit, "residence_permit");
    assert_eq!(as_permit["ok"], true);
    assert_eq!(as_permit["birth_date"], "1990-03-07");
    assert_eq!(check(&mut app, "", "no_document")["ok"], true);
    assert_eq!(
        err_code(
            &mut app,
            "check_id",
            json!({"text": "1", "party_kind": "individual", "id_kind": "passport"})
        ),
        "API_INVALID"
    );
}

fn new_case(app: &mut App) -> String {
    let c = call(
        app,
        "case_new",
        json!({"matter_code": "CG-001", "partner_officer_id": "OFF-LX-02", "minutes_ago": 5}),
    );
    c["id"].as_str().unwrap().to_owned()
}

fn party_facts(id: &str, party: Value) -> Value {
    json!({"case_id": id, "party": party,
           "facts": "在人行道上摆摊经营水果，占道面积约6平方米", "place": "龙兴镇示例路12号门前"})
}

#[test]
fn a_foreign_passport_party_is_recorded_with_nationality_and_birth_date() {
    let (_d, mut app) = app();
    let id = new_case(&mut app);
    let mut party = json!({"kind": "individual", "name": "JOHN SMITH", "id_number": "X12345678",
        "phone": null, "address": "重庆市渝北区龙兴镇示例路3号", "representative": null,
        "id_kind": "foreign_passport", "nationality": "美国"});
    assert_eq!(
        err_code(
            &mut app,
            "case_party_facts",
            party_facts(&id, party.clone())
        ),
        "CASE_FIELD_REQUIRED",
        "no birth date"
    );
    party["birth_date"] = json!("1月1日");
    assert_eq!(
        err_code(
            &mut app,
            "case_party_facts",
            party_facts(&id, party.clone())
        ),
        "API_INVALID"
    );
    party["birth_date"] = json!("1990-05-01");
    let c = call(&mut app, "case_party_facts", party_facts(&id, party));
    assert_eq!(c["party_id_kind"], "护照（国籍：美国）");
    assert_eq!(c["party_id_masked"], "*****5678");
}

#[test]
fn a_party_without_a_document_is_recorded_with_the_reason_and_photo() {
    let (_d, mut app) = app();
    let id = new_case(&mut app);
    let photo = call(
        &mut app,
        "evidence_add",
        json!({"case_id": id, "file_name": "party.jpg", "data_base64": jpeg(),
               "lat": null, "lon": null, "accuracy_m": null}),
    );
    let mut party = json!({"kind": "individual", "name": "李四", "id_number": "",
        "phone": null, "address": "重庆市渝北区龙兴镇示例路5号", "representative": null,
        "id_kind": "no_document", "birth_date": "1980-02-03", "no_document_reason": "当事人称未带证件"});
    assert_eq!(
        err_code(
            &mut app,
            "case_party_facts",
            party_facts(&id, party.clone())
        ),
        "CASE_FIELD_REQUIRED",
        "no photo"
    );
    party["photo_evidence_id"] = photo["id"].clone();
    let c = call(&mut app, "case_party_facts", party_facts(&id, party));
    assert_eq!(
        c["party_id_kind"],
        "无证件（身份由当事人陈述，当事人照片存证）"
    );
    // The photo is the case's evidence like any other.
    let c = call(
        &mut app,
        "case_attach_evidence",
        json!({"case_id": id, "summary": null}),
    );
    assert_eq!(c["status"], "evidence");
}
