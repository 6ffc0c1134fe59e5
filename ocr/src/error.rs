//! Why a reading failed, with stable codes and Chinese messages. A card that
//! was read but whose number fails the GB 11643 check is not an error: it is
//! a [`crate::ReadIssue`] on the reading, for the officer to correct.

use std::path::PathBuf;

use thiserror::Error;
use zhifa_core::ErrorCode;

/// Why the OCR could not read an image.
#[derive(Debug, Error)]
pub enum OcrError {
    /// A model file or the ONNX Runtime library is not where it was looked for.
    #[error("识别模型未安装：缺少 {file}（目录 {dir}）")]
    ModelMissing {
        /// The folder searched.
        dir: PathBuf,
        /// The missing file's name.
        file: &'static str,
    },
    /// The ONNX Runtime library could not be loaded (wrong platform, damaged).
    #[error("识别引擎无法加载：{0}")]
    Runtime(String),
    /// A model file could not be loaded into a session.
    #[error("识别模型 {file} 无法加载：{detail}")]
    ModelLoad {
        /// The model's file name.
        file: &'static str,
        /// ONNX Runtime's message.
        detail: String,
    },
    /// A model run failed or returned an unexpected shape.
    #[error("识别失败：{0}")]
    Inference(String),
    /// The bytes are not a JPEG or PNG image this build decodes.
    #[error("无法读取图片：{0}")]
    UnreadableImage(String),
    /// The image is too small to hold legible text.
    #[error("图片太小（{width}×{height}），请靠近证件重新拍摄")]
    ImageTooSmall {
        /// Width in pixels.
        width: u32,
        /// Height in pixels.
        height: u32,
    },
    /// No text was found in the image.
    #[error("图片中未识别到文字，请将证件正面放平、对焦后重新拍摄")]
    NoText,
    /// Text was found, but nothing of a 居民身份证's front (no number, no labels).
    #[error("未识别到居民身份证正面，请拍摄印有姓名和公民身份号码的一面")]
    NotAnIdCard,
}

impl ErrorCode for OcrError {
    fn code(&self) -> &'static str {
        match self {
            Self::ModelMissing { .. } => "OCR_MODEL_MISSING",
            Self::Runtime(_) => "OCR_RUNTIME_UNAVAILABLE",
            Self::ModelLoad { .. } => "OCR_MODEL_LOAD",
            Self::Inference(_) => "OCR_INFERENCE",
            Self::UnreadableImage(_) => "OCR_UNREADABLE_IMAGE",
            Self::ImageTooSmall { .. } => "OCR_IMAGE_TOO_SMALL",
            Self::NoText => "OCR_NO_TEXT",
            Self::NotAnIdCard => "OCR_NOT_AN_ID_CARD",
        }
    }
}

impl OcrError {
    /// Whether the photograph is at fault (retake it), not the device.
    pub fn is_bad_input(&self) -> bool {
        matches!(
            self,
            Self::UnreadableImage(_)
                | Self::ImageTooSmall { .. }
                | Self::NoText
                | Self::NotAnIdCard
        )
    }
}

impl From<ort::Error> for OcrError {
    fn from(e: ort::Error) -> Self {
        Self::Inference(e.to_string())
    }
}
