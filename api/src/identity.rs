//! Identity capture: `identity_read` reads a photographed 居民身份证's front
//! offline (`zhifa_ocr`) and returns the fields for the officer to confirm
//! or correct on the party screen — never filled in as accepted.
//!
//! The photograph is read in memory and not kept: it is neither evidence
//! nor stored (the fields the officer confirms are what the case records).
//! The OCR engine is opened on first use from the models folder
//! ([`zhifa_ocr::locate_models`]: `ZHIFA_OCR_MODELS`, the cache folder
//! scripts/ocr-models.sh fills, or `ocr-models/` beside the app) and kept
//! for the process.

use std::sync::{Arc, Mutex};

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use zhifa_ocr::{Engine, Field, FieldSource, IdCardReading};

use crate::{ApiError, App};

/// Read an ID card's front.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct IdentityReadReq {
    /// The photograph (JPEG or PNG), base64.
    pub image_base64: String,
}

/// One field as read, for the officer to confirm.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ReadField {
    /// The value (a birth date as `YYYY-MM-DD`).
    pub value: String,
    /// Recognition confidence, 0–100.
    pub confidence: u8,
    /// Not legible on the card; taken from the valid number.
    pub from_number: bool,
}

/// Something the officer must look at.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ReadNote {
    /// Stable code (`OCR_NUMBER_CHECK_FAILED`, `OCR_SEX_MISMATCH`…).
    pub code: String,
    /// In Chinese.
    pub message: String,
}

/// What was read off the card; nothing is accepted until the officer says so.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct IdentityRead {
    /// 姓名.
    pub name: Option<ReadField>,
    /// 性别.
    pub sex: Option<ReadField>,
    /// 民族.
    pub ethnicity: Option<ReadField>,
    /// 出生.
    pub birth_date: Option<ReadField>,
    /// 住址.
    pub address: Option<ReadField>,
    /// 公民身份号码.
    pub id_number: Option<ReadField>,
    /// Whether the number passes GB 11643.
    pub number_valid: bool,
    /// What to check before accepting.
    pub notes: Vec<ReadNote>,
}

/// The process's OCR engine, opened on first use.
static ENGINE: Mutex<Option<Arc<Engine>>> = Mutex::new(None);

fn engine() -> Result<Arc<Engine>, ApiError> {
    let mut slot = ENGINE
        .lock()
        .map_err(|_| ApiError::Internal("ocr engine lock".into()))?;
    if let Some(e) = slot.as_ref() {
        return Ok(e.clone());
    }
    let e = Arc::new(zhifa_ocr::open_default(None).map_err(ApiError::from)?);
    *slot = Some(e.clone());
    Ok(e)
}

fn field(f: Option<Field>) -> Option<ReadField> {
    f.map(|f| ReadField {
        value: f.value,
        confidence: (f.confidence.clamp(0.0, 1.0) * 100.0).round() as u8,
        from_number: f.source == FieldSource::FromNumber,
    })
}

/// The screen's view of a reading.
pub fn view(r: IdCardReading) -> IdentityRead {
    let notes = r
        .issues
        .iter()
        .map(|i| ReadNote {
            code: i.code().to_owned(),
            message: i.message_zh(),
        })
        .collect();
    IdentityRead {
        name: field(r.name),
        sex: field(r.sex),
        ethnicity: field(r.ethnicity),
        birth_date: field(r.birth_date),
        address: field(r.address),
        id_number: field(r.number),
        number_valid: r.number_valid,
        notes,
    }
}

impl App {
    pub(crate) fn identity_read(&mut self, req: IdentityReadReq) -> Result<IdentityRead, ApiError> {
        self.signed_in()?;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(req.image_base64.trim())
            .map_err(|e| ApiError::BadRequest(format!("image_base64: {e}")))?;
        let today = self.today()?;
        let engine = engine()?;
        Ok(view(engine.read_id_card(&bytes, Some(today))?))
    }
}
