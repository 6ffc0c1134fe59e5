//! Never lose work (issue 19): what the wizard holds is saved in the
//! encrypted device store keyed by case and screen, survives the app being
//! closed and opened again (a reload or a kill), and a draft is voided
//! with a reason — kept, shown 已作废, gone from the home screen's open
//! cases, never deleted.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use chrono::{DateTime, TimeZone, Utc};
use serde_json::{Value, json};
use zhifa_api::{App, sample};
use zhifa_core::store::{DbKey, Store};

fn fixed_now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 2, 0, 0).single().unwrap()
}

fn open(dir: &Path) -> App {
    let key = DbKey::Raw([9; 32]);
    let store = Store::open(&dir.join("device.db"), &key).unwrap();
    let mut app = App::open(store, &key, dir, "test").unwrap();
    app.set_clock(fixed_now);
    app.load_sample_defaults().unwrap();
    app.dispatch(
        "sign_in",
        json!({"officer_id": sample::SAMPLE_OFFICER, "pin": sample::SAMPLE_PIN}),
    )
    .unwrap();
    app
}

fn call(app: &mut App, cmd: &str, req: Value) -> Value {
    app.dispatch(cmd, req)
        .unwrap_or_else(|e| panic!("{cmd}: {} {}", zhifa_core::ErrorCode::code(&e), e))
}

fn new_case(app: &mut App) -> String {
    let partner = call(app, "app_state", json!({}))["officers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap().to_owned())
        .find(|id| id != sample::SAMPLE_OFFICER && id.starts_with("OFF-LX"))
        .unwrap();
    let c = call(
        app,
        "case_new",
        json!({"matter_code": "CG-001", "partner_officer_id": partner}),
    );
    c["id"].as_str().unwrap().to_owned()
}

#[test]
fn a_draft_survives_closing_the_app_at_its_screen() {
    let dir = tempfile::tempdir().unwrap();
    let data = r#"{"party":{"kind":"individual","name":"周小川","id_number":"5001121985"},"place":"龙兴镇示例路12号"}"#;
    let id = {
        let mut app = open(dir.path());
        let id = new_case(&mut app);
        assert!(call(&mut app, "draft_get", json!({"case_id": id})).is_null());
        call(
            &mut app,
            "draft_save",
            json!({"case_id": id, "step": "facts", "data": "{}"}),
        );
        // The newest save wins.
        call(
            &mut app,
            "draft_save",
            json!({"case_id": id, "step": "facts", "data": data}),
        );
        id
    }; // the app is gone (a reload, or the OS killing the page)
    let mut app = open(dir.path());
    let d = call(&mut app, "draft_get", json!({"case_id": id}));
    assert_eq!(d["step"], "facts");
    assert_eq!(d["data"], data);
    // The home screen's row knows where to continue.
    let home = call(&mut app, "home", json!({}));
    let row = home["open_cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id.as_str())
        .unwrap();
    assert_eq!(row["draft_step"], "facts");
    // The draft is in the encrypted store, not beside it in plaintext.
    let raw = std::fs::read(dir.path().join("device.db")).unwrap();
    assert!(
        !raw.windows("周小川".len())
            .any(|w| w == "周小川".as_bytes())
    );
}

#[test]
fn a_bad_draft_is_refused_in_chinese() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = open(dir.path());
    let id = new_case(&mut app);
    for (step, data) in [("nowhere", "{}"), ("party", "not json")] {
        let e = app
            .dispatch(
                "draft_save",
                json!({"case_id": id, "step": step, "data": data}),
            )
            .unwrap_err();
        assert_eq!(e.body().code, "API_INVALID");
        assert!(!e.body().message.is_ascii());
    }
    let big = format!("\"{}\"", "x".repeat(70 * 1024));
    let e = app
        .dispatch(
            "draft_save",
            json!({"case_id": id, "step": "party", "data": big}),
        )
        .unwrap_err();
    assert_eq!(e.body().code, "API_INVALID");
    assert!(call(&mut app, "draft_get", json!({"case_id": id})).is_null());
}

#[test]
fn voiding_keeps_the_case_and_clears_the_home_screen() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = open(dir.path());
    let drafts: Vec<String> = (0..3).map(|_| new_case(&mut app)).collect();
    let open_ids = |app: &mut App| -> Vec<String> {
        call(app, "home", json!({}))["open_cases"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap().to_owned())
            .collect()
    };
    assert!(drafts.iter().all(|d| open_ids(&mut app).contains(d)));
    // A reason is required.
    let e = app
        .dispatch("case_void", json!({"case_id": drafts[0], "reason": " "}))
        .unwrap_err();
    assert_eq!(e.body().code, "API_INVALID");
    for d in &drafts[..2] {
        call(
            &mut app,
            "draft_save",
            json!({"case_id": d, "step": "party", "data": "{}"}),
        );
        let v = call(
            &mut app,
            "case_void",
            json!({"case_id": d, "reason": "误建，当事人已离开"}),
        );
        assert_eq!(v["status_label"], "已作废");
        assert_eq!(v["void_reason"], "误建，当事人已离开");
        assert!(call(&mut app, "draft_get", json!({"case_id": d})).is_null());
    }
    let open = open_ids(&mut app);
    assert!(!open.contains(&drafts[0]) && !open.contains(&drafts[1]));
    assert!(open.contains(&drafts[2]));
    // Kept: the case and its timeline are still there.
    let d = call(&mut app, "case_detail", json!({"case_id": drafts[0]}));
    let steps: Vec<&str> = d["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["label"].as_str().unwrap())
        .collect();
    assert_eq!(steps.last(), Some(&"作废"));
    let all = call(&mut app, "case_list", json!({}));
    assert_eq!(all.as_array().unwrap().len(), 3);
}
