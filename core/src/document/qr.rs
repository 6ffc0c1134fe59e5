//! QR codes: the module matrix (drawn as vector squares into the PDF) and
//! PNG and SVG images for screens and other documents.
//!
//! Error correction level M (15 %) is used throughout: it survives a crease
//! or a smudge on thermal paper while keeping a URL-sized code small.

use std::io::Cursor;

use qrcode::{Color, EcLevel, QrCode};

use super::DocumentError;

/// A QR code as a square matrix of dark (`true`) and light modules, without
/// the quiet zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrMatrix {
    width: usize,
    dark: Vec<bool>,
}

impl QrMatrix {
    /// Encodes `content` (UTF-8 bytes) at error correction level M.
    pub fn encode(content: &str) -> Result<Self, DocumentError> {
        let code =
            QrCode::with_error_correction_level(content.as_bytes(), EcLevel::M).map_err(|e| {
                DocumentError::Qr {
                    reason: e.to_string(),
                }
            })?;
        let width = code.width();
        let dark = code
            .to_colors()
            .into_iter()
            .map(|c| c == Color::Dark)
            .collect();
        Ok(Self { width, dark })
    }

    /// Modules per side.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Whether the module at column `x`, row `y` is dark (out of range: light).
    pub fn is_dark(&self, x: usize, y: usize) -> bool {
        x < self.width
            && y < self.width
            && self.dark.get(y * self.width + x).copied().unwrap_or(false)
    }

    /// Horizontal runs of dark modules per row: `(row, first column, length)`.
    pub(crate) fn dark_runs(&self) -> Vec<(usize, usize, usize)> {
        let mut runs = Vec::new();
        for y in 0..self.width {
            let mut x = 0;
            while x < self.width {
                if self.is_dark(x, y) {
                    let start = x;
                    while x < self.width && self.is_dark(x, y) {
                        x += 1;
                    }
                    runs.push((y, start, x - start));
                } else {
                    x += 1;
                }
            }
        }
        runs
    }
}

/// Renders `content` as a grey-scale PNG with a 4-module quiet zone,
/// `module_px` pixels per module.
pub fn qr_png(content: &str, module_px: u32) -> Result<Vec<u8>, DocumentError> {
    let code =
        QrCode::with_error_correction_level(content.as_bytes(), EcLevel::M).map_err(|e| {
            DocumentError::Qr {
                reason: e.to_string(),
            }
        })?;
    let img = code
        .render::<image::Luma<u8>>()
        .quiet_zone(true)
        .module_dimensions(module_px.max(1), module_px.max(1))
        .build();
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png)
        .map_err(|e| DocumentError::Qr {
            reason: e.to_string(),
        })?;
    Ok(out.into_inner())
}

/// Renders `content` as an SVG document with a quiet zone, `module_px`
/// user units per module.
pub fn qr_svg(content: &str, module_px: u32) -> Result<String, DocumentError> {
    let code =
        QrCode::with_error_correction_level(content.as_bytes(), EcLevel::M).map_err(|e| {
            DocumentError::Qr {
                reason: e.to_string(),
            }
        })?;
    Ok(code
        .render::<qrcode::render::svg::Color<'_>>()
        .quiet_zone(true)
        .module_dimensions(module_px.max(1), module_px.max(1))
        .build())
}
