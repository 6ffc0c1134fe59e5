//! Identity capture through the command layer (issue 19): `identity_read`
//! takes a photographed ID card (base64) and returns the fields with their
//! confidence and what to check, for the officer to confirm — the same
//! command the party screen calls. Needs the OCR models (scripts/ocr-models.sh);
//! without them it prints why and passes, unless `ZHIFA_REQUIRE_OCR=1`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use base64::Engine as _;
use chrono::{DateTime, TimeZone, Utc};
use serde_json::json;
use zhifa_api::{App, sample};
use zhifa_core::store::{DbKey, Store};

fn fixed_now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 2, 0, 0).single().unwrap()
}

fn open(dir: &Path, sign_in: bool) -> App {
    let key = DbKey::Raw([9; 32]);
    let store = Store::open(&dir.join("device.db"), &key).unwrap();
    let mut app = App::open(store, &key, dir, "test").unwrap();
    app.set_clock(fixed_now);
    app.load_sample_defaults().unwrap();
    if sign_in {
        app.dispatch(
            "sign_in",
            json!({"officer_id": sample::SAMPLE_OFFICER, "pin": sample::SAMPLE_PIN}),
        )
        .unwrap();
    }
    app
}

fn models_or_skip() -> bool {
    let dir = zhifa_ocr::locate_models(None);
    if zhifa_ocr::models_present(&dir) {
        return true;
    }
    assert!(
        std::env::var("ZHIFA_REQUIRE_OCR").as_deref() != Ok("1"),
        "ZHIFA_REQUIRE_OCR=1 but the OCR models are not in {}",
        dir.display()
    );
    eprintln!(
        "skipped: the OCR models are not in {} (bash scripts/ocr-models.sh)",
        dir.display()
    );
    false
}

fn card_png(seed: u64) -> (zhifa_ocr::synth::SynthCard, String) {
    let font = std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../assets/fonts/ZhifaNotoSansSC-Regular.otf"),
    )
    .unwrap();
    let font = ab_glyph::FontRef::try_from_slice(&font).unwrap();
    let card = zhifa_ocr::synth::card(seed);
    let img = zhifa_ocr::synth::render(&card, &font);
    let mut png = std::io::Cursor::new(Vec::new());
    img.write_to(&mut png, image::ImageFormat::Png).unwrap();
    (
        card,
        base64::engine::general_purpose::STANDARD.encode(png.into_inner()),
    )
}

#[test]
fn identity_read_returns_the_fields_for_the_officer_to_confirm() {
    if !models_or_skip() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (card, b64) = card_png(31);
    // Only a signed-in officer reads identity documents.
    let mut out = open(dir.path(), false);
    let e = out
        .dispatch("identity_read", json!({"image_base64": b64}))
        .unwrap_err();
    assert_eq!(zhifa_core::ErrorCode::code(&e), "API_NOT_SIGNED_IN");
    drop(out);

    let mut app = open(dir.path(), true);
    let r = app
        .dispatch("identity_read", json!({"image_base64": b64}))
        .unwrap();
    assert_eq!(r["name"]["value"], card.name);
    assert_eq!(r["id_number"]["value"], card.number);
    assert_eq!(r["address"]["value"], card.address);
    assert_eq!(r["sex"]["value"], card.sex);
    assert_eq!(
        r["birth_date"]["value"],
        card.birth_date.format("%Y-%m-%d").to_string()
    );
    assert_eq!(r["number_valid"], true);
    assert!(r["name"]["confidence"].as_u64().unwrap() > 50);
    assert_eq!(r["notes"], json!([]));

    // A photo that is no image: a client error with its code, in Chinese.
    let junk = base64::engine::general_purpose::STANDARD.encode(b"not a photo");
    let e = app
        .dispatch("identity_read", json!({"image_base64": junk}))
        .unwrap_err();
    assert_eq!(zhifa_core::ErrorCode::code(&e), "OCR_UNREADABLE_IMAGE");
    assert!(e.is_client_error());
    assert!(e.to_string().starts_with("无法读取图片"));
}
