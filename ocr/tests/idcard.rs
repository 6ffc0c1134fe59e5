//! Reading synthetic 居民身份证 fronts end to end with the real models.
//!
//! The models live outside the clone (scripts/ocr-models.sh). Without them
//! these tests print why and pass — unless `ZHIFA_REQUIRE_OCR=1` (set by
//! the test command, scripts/test.sh), where a missing model fails.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should abort loudly

use std::path::PathBuf;
use std::sync::OnceLock;

use ab_glyph::FontRef;
use zhifa_core::ErrorCode;
use zhifa_ocr::synth::{self, Variant};
use zhifa_ocr::{Engine, FieldSource, OcrError};

static ENGINE: OnceLock<Option<Engine>> = OnceLock::new();

fn engine() -> Option<&'static Engine> {
    ENGINE
        .get_or_init(|| {
            let dir = zhifa_ocr::locate_models(None);
            if !zhifa_ocr::models_present(&dir) {
                assert!(
                    std::env::var("ZHIFA_REQUIRE_OCR").as_deref() != Ok("1"),
                    "ZHIFA_REQUIRE_OCR=1 but the OCR models are not in {} (bash scripts/ocr-models.sh)",
                    dir.display()
                );
                eprintln!("skipped: the OCR models are not in {} (bash scripts/ocr-models.sh)", dir.display());
                return None;
            }
            Some(Engine::open(&dir, 2).unwrap())
        })
        .as_ref()
}

fn font_bytes() -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../assets/fonts/ZhifaNotoSansSC-Regular.otf");
    std::fs::read(path).unwrap()
}

fn png(img: &image::RgbImage) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

#[test]
fn reads_every_field_of_synthetic_cards_straight_turned_and_at_an_angle() {
    let Some(engine) = engine() else { return };
    let bytes = font_bytes();
    let font = FontRef::try_from_slice(&bytes).unwrap();
    for (seed, variant) in [
        (101, Variant::Clean),
        (102, Variant::Rotated),
        (103, Variant::Perspective),
        (104, Variant::Noise),
    ] {
        let card = synth::card(seed);
        let photo = synth::photograph(&synth::render(&card, &font), variant, seed);
        let r = engine.read_id_card(&png(&photo), None).unwrap();
        let v = |f: &Option<zhifa_ocr::Field>| f.as_ref().map(|f| f.value.clone());
        let ctx = format!("{variant:?} {card:?} {r:?}");
        assert_eq!(v(&r.name).as_deref(), Some(card.name.as_str()), "{ctx}");
        assert_eq!(v(&r.sex).as_deref(), Some(card.sex), "{ctx}");
        assert_eq!(v(&r.ethnicity).as_deref(), Some(card.ethnicity), "{ctx}");
        assert_eq!(
            v(&r.birth_date),
            Some(card.birth_date.format("%Y-%m-%d").to_string()),
            "{ctx}"
        );
        assert_eq!(
            v(&r.address).as_deref(),
            Some(card.address.as_str()),
            "{ctx}"
        );
        assert_eq!(v(&r.number).as_deref(), Some(card.number.as_str()), "{ctx}");
        assert!(r.number_valid, "{ctx}");
        assert!(r.issues.is_empty(), "{ctx}");
        assert_eq!(r.sex.as_ref().map(|f| f.source), Some(FieldSource::Read));
        assert!(r.name.as_ref().is_some_and(|f| f.confidence > 0.5), "{ctx}");
    }
}

#[test]
fn a_card_whose_printed_number_fails_the_check_is_flagged_not_corrected() {
    let Some(engine) = engine() else { return };
    let bytes = font_bytes();
    let font = FontRef::try_from_slice(&bytes).unwrap();
    let mut card = synth::card(7);
    // Change the check character to a wrong one.
    let last = card.number.pop().unwrap();
    card.number.push(if last == '1' { '2' } else { '1' });
    let r = engine
        .read_id_card(&png(&synth::render(&card, &font)), None)
        .unwrap();
    assert!(!r.number_valid);
    assert_eq!(
        r.number.as_ref().map(|f| f.value.as_str()),
        Some(card.number.as_str())
    );
    assert!(
        r.issues
            .iter()
            .any(|i| i.code() == "OCR_NUMBER_CHECK_FAILED"),
        "{:?}",
        r.issues
    );
}

#[test]
fn photographs_that_are_no_card_fail_with_their_codes() {
    let Some(engine) = engine() else { return };
    let e = engine.read_id_card(b"not an image", None).unwrap_err();
    assert_eq!(e.code(), "OCR_UNREADABLE_IMAGE");
    let blank = image::RgbImage::from_pixel(640, 400, image::Rgb([230, 230, 230]));
    assert_eq!(
        engine.read_id_card(&png(&blank), None).unwrap_err().code(),
        "OCR_NO_TEXT"
    );
    let tiny = image::RgbImage::from_pixel(120, 80, image::Rgb([230, 230, 230]));
    assert!(matches!(
        engine.read_id_card(&png(&tiny), None),
        Err(OcrError::ImageTooSmall { .. })
    ));
}

#[test]
fn a_missing_models_folder_is_a_typed_error() {
    let dir = tempfile_dir();
    let e = Engine::open(&dir, 1).unwrap_err();
    assert_eq!(e.code(), "OCR_MODEL_MISSING");
    assert!(e.to_string().contains("识别模型未安装"));
}

fn tempfile_dir() -> PathBuf {
    let d = std::env::temp_dir().join(format!("zhifa-ocr-empty-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}
