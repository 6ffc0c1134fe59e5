//! Identity capture (身份信息智能采集): reading the front of a 居民身份证
//! from a photograph, offline.
//!
//! The pipeline is PP-OCR's: text detection (DB), each box cropped upright
//! (perspective warp of its rotated rectangle, turned by the direction
//! classifier when upside down), recognition (CTC over the dictionary the
//! recognition model carries), then the card's fields
//! ([`idcard::parse_front`]) with the GB 11643 check of the number and the
//! birth date and sex cross-checked against it. The models are PP-OCRv4 as
//! shipped in PyPI's `rapidocr-onnxruntime` wheel, run by ONNX Runtime
//! loaded from a shared library at run time; both are found in a folder
//! given at run time ([`locate_models`]; scripts/ocr-models.sh fetches them).
//!
//! Pure: no network, no clock (the caller passes today), no state beyond the
//! loaded models. Every failure is an [`OcrError`] with a stable code; a
//! reading is never accepted automatically — the officer confirms each
//! field.
//!
//! [`synth`] renders made-up cards for the tests and the benchmark.

mod engine;
mod error;
mod geom;
pub mod idcard;
pub mod synth;

use std::path::Path;

use chrono::NaiveDate;

pub use engine::{Engine, TextLine, locate_models, models_present};
pub use error::OcrError;
pub use idcard::{Field, FieldSource, IdCardReading, ReadIssue};

/// Images smaller than this on their shorter side hold no legible card text.
const MIN_SIDE: u32 = 200;

/// Decodes a JPEG or PNG photograph, applying no orientation (the caller's
/// camera path stores upright images).
pub fn decode(bytes: &[u8]) -> Result<image::RgbImage, OcrError> {
    let img =
        image::load_from_memory(bytes).map_err(|e| OcrError::UnreadableImage(e.to_string()))?;
    let img = img.to_rgb8();
    if img.width().min(img.height()) < MIN_SIDE {
        return Err(OcrError::ImageTooSmall {
            width: img.width(),
            height: img.height(),
        });
    }
    Ok(img)
}

impl Engine {
    /// Reads a card's front from an encoded photograph; `as_of` is today
    /// (a birth date after it fails the number check).
    pub fn read_id_card(
        &self,
        bytes: &[u8],
        as_of: Option<NaiveDate>,
    ) -> Result<IdCardReading, OcrError> {
        let img = decode(bytes)?;
        self.read_id_card_image(&img, as_of)
    }

    /// [`Engine::read_id_card`] on a decoded image.
    pub fn read_id_card_image(
        &self,
        img: &image::RgbImage,
        as_of: Option<NaiveDate>,
    ) -> Result<IdCardReading, OcrError> {
        let lines = self.read_lines(img)?;
        if lines.is_empty() {
            return Err(OcrError::NoText);
        }
        if !idcard::looks_like_front(&lines) {
            return Err(OcrError::NotAnIdCard);
        }
        Ok(idcard::parse_front(&lines, as_of))
    }
}

/// Opens the engine from the models folder found by [`locate_models`], with
/// as many threads as the machine has cores (at most 4).
pub fn open_default(explicit: Option<&Path>) -> Result<Engine, OcrError> {
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get().min(4));
    Engine::open(&locate_models(explicit), threads)
}
