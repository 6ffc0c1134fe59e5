//! Images: strict decoding with limits, EXIF, the thumbnail and the
//! watermarked display copy.
//!
//! Decoding goes through the `image` crate with [`Limits`] (at most
//! [`MAX_SIDE`] pixels a side and [`MAX_ALLOC`] bytes), so a small file
//! that claims a gigapixel canvas (a decompression bomb) is refused before
//! any large allocation. The original is only ever read; the derived
//! copies are new JPEG files with their own hashes.

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use ab_glyph::{Font, FontVec, PxScale, ScaleFont, point};
use fast_image_resize as fir;
use image::{DynamicImage, ImageDecoder, ImageReader, Limits, RgbImage};

use super::EvidenceError;
use super::detect::Format;

/// The longest side accepted for a photo, in pixels.
pub const MAX_SIDE: u32 = 16_384;
/// The most memory one decode may allocate, in bytes.
pub const MAX_ALLOC: u64 = 512 * 1024 * 1024;
/// The thumbnail's longest side, in pixels.
pub const THUMB_SIDE: u32 = 320;
/// The watermarked copy's longest side, in pixels (display and A4 print).
pub const WATERMARK_SIDE: u32 = 2048;

/// Where Debian puts CJK fonts (fonts-wqy-microhei, fonts-noto-cjk), in the
/// order tried by [`WatermarkFont::find`] after the caller's own paths.
pub const SYSTEM_CJK_FONTS: &[&str] = &[
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
];

/// A font able to draw Chinese text into the watermark.
pub struct WatermarkFont {
    font: FontVec,
    path: PathBuf,
}

impl std::fmt::Debug for WatermarkFont {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WatermarkFont")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl WatermarkFont {
    /// Loads a TrueType/OpenType font or the first face of a collection
    /// (`.ttc`); refuses a font without the glyphs of common Chinese text.
    pub fn from_path(path: &Path) -> Result<Self, EvidenceError> {
        let bad = |m: String| EvidenceError::Font {
            path: path.to_owned(),
            message: m,
        };
        let data = std::fs::read(path).map_err(|e| bad(e.to_string()))?;
        let font = FontVec::try_from_vec_and_index(data, 0).map_err(|e| bad(e.to_string()))?;
        if "执法时间地点".chars().any(|c| font.glyph_id(c).0 == 0) {
            return Err(bad("font has no Chinese glyphs".into()));
        }
        Ok(Self {
            font,
            path: path.to_owned(),
        })
    }

    /// The CJK font that ships inside the app (the same Noto Sans SC the
    /// documents are drawn with; `assets/fonts/README.md`).
    pub fn bundled() -> Result<Self, EvidenceError> {
        let path = PathBuf::from(crate::document::fonts::BUNDLED_FONT_PATH);
        let font =
            FontVec::try_from_vec_and_index(crate::document::fonts::BUNDLED_FONT.to_vec(), 0)
                .map_err(|e| EvidenceError::Font {
                    path: path.clone(),
                    message: e.to_string(),
                })?;
        Ok(Self { font, path })
    }

    /// The first loadable CJK font among `preferred` (files, or folders
    /// searched for `.ttf`/`.otf`/`.ttc`), then [`SYSTEM_CJK_FONTS`].
    pub fn find(preferred: &[PathBuf]) -> Option<Self> {
        let mut candidates: Vec<PathBuf> = Vec::new();
        for p in preferred {
            if p.is_dir() {
                let mut files: Vec<PathBuf> = std::fs::read_dir(p)
                    .into_iter()
                    .flatten()
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|f| {
                        f.extension().and_then(|e| e.to_str()).is_some_and(|e| {
                            matches!(e.to_ascii_lowercase().as_str(), "ttf" | "otf" | "ttc")
                        })
                    })
                    .collect();
                files.sort();
                candidates.extend(files);
            } else {
                candidates.push(p.clone());
            }
        }
        candidates.extend(SYSTEM_CJK_FONTS.iter().map(PathBuf::from));
        candidates.iter().find_map(|p| Self::from_path(p).ok())
    }

    /// The font file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

fn limits() -> Limits {
    let mut l = Limits::default();
    l.max_image_width = Some(MAX_SIDE);
    l.max_image_height = Some(MAX_SIDE);
    l.max_alloc = Some(MAX_ALLOC);
    l
}

fn image_error(e: image::ImageError) -> EvidenceError {
    match e {
        image::ImageError::Limits(_) => EvidenceError::ImageTooLarge { max_side: MAX_SIDE },
        other => EvidenceError::Corrupt(other.to_string()),
    }
}

/// Decodes a stored photo strictly, applying its EXIF orientation.
pub(crate) fn decode(path: &Path, format: Format) -> Result<DynamicImage, EvidenceError> {
    let file = File::open(path).map_err(|e| EvidenceError::io(path, e))?;
    decode_from(BufReader::new(file), format)
}

/// [`decode`] from a reader (a sealed file's decrypting reader).
pub(crate) fn decode_from<R: std::io::BufRead + std::io::Seek>(
    input: R,
    format: Format,
) -> Result<DynamicImage, EvidenceError> {
    let fmt = match format {
        Format::Jpeg => image::ImageFormat::Jpeg,
        Format::Png => image::ImageFormat::Png,
        _ => return Err(EvidenceError::Corrupt("not a decodable photo".into())),
    };
    let mut reader = ImageReader::with_format(input, fmt);
    reader.limits(limits());
    let mut decoder = reader.into_decoder().map_err(image_error)?;
    let (w, h) = decoder.dimensions();
    if w == 0 || h == 0 {
        return Err(EvidenceError::Corrupt("image has no pixels".into()));
    }
    let orientation = decoder.orientation().ok();
    let mut img = DynamicImage::from_decoder(decoder).map_err(image_error)?;
    if let Some(o) = orientation {
        img.apply_orientation(o);
    }
    Ok(img)
}

/// What the camera wrote into EXIF, if anything.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExifInfo {
    /// `DateTimeOriginal` as `YYYY-MM-DDTHH:MM:SS`, with the EXIF
    /// `OffsetTimeOriginal` appended when present (camera local time).
    pub time: Option<String>,
    /// GPS latitude, decimal degrees (north positive).
    pub lat: Option<f64>,
    /// GPS longitude, decimal degrees (east positive).
    pub lon: Option<f64>,
}

/// Reads EXIF time and GPS from a JPEG/PNG/HEIC; a photo without (or with
/// broken) EXIF simply has none.
pub(crate) fn read_exif<R: std::io::BufRead + std::io::Seek>(mut input: R) -> ExifInfo {
    let Ok(exif) = exif::Reader::new().read_from_container(&mut input) else {
        return ExifInfo::default();
    };
    let ascii = |tag| -> Option<String> {
        let f = exif.get_field(tag, exif::In::PRIMARY)?;
        match &f.value {
            exif::Value::Ascii(v) => v
                .first()
                .map(|b| String::from_utf8_lossy(b).trim().to_owned()),
            _ => None,
        }
    };
    let time = ascii(exif::Tag::DateTimeOriginal)
        .or_else(|| ascii(exif::Tag::DateTime))
        .and_then(|t| exif_time(&t))
        .map(|t| match ascii(exif::Tag::OffsetTimeOriginal) {
            Some(off) if off.len() == 6 => format!("{t}{off}"),
            _ => t,
        });
    let coord = |tag, reference, negative: &str| -> Option<f64> {
        let f = exif.get_field(tag, exif::In::PRIMARY)?;
        let exif::Value::Rational(v) = &f.value else {
            return None;
        };
        if v.len() < 3 || v.iter().any(|r| r.denom == 0) {
            return None;
        }
        let deg = v[0].to_f64() + v[1].to_f64() / 60.0 + v[2].to_f64() / 3600.0;
        let sign = match ascii(reference) {
            Some(r) if r.eq_ignore_ascii_case(negative) => -1.0,
            _ => 1.0,
        };
        Some(sign * deg).filter(|d| d.is_finite())
    };
    ExifInfo {
        time,
        lat: coord(exif::Tag::GPSLatitude, exif::Tag::GPSLatitudeRef, "S")
            .filter(|d| d.abs() <= 90.0),
        lon: coord(exif::Tag::GPSLongitude, exif::Tag::GPSLongitudeRef, "W")
            .filter(|d| d.abs() <= 180.0),
    }
}

/// `2025:07:01 10:20:30` → `2025-07-01T10:20:30`.
fn exif_time(t: &str) -> Option<String> {
    let dt = chrono::NaiveDateTime::parse_from_str(t, "%Y:%m:%d %H:%M:%S").ok()?;
    Some(dt.format("%Y-%m-%dT%H:%M:%S").to_string())
}

fn jpeg(img: &RgbImage, quality: u8) -> Result<Vec<u8>, EvidenceError> {
    let render = |e: String| EvidenceError::Render(format!("JPEG 编码失败: {e}"));
    let side = |v: u32| u16::try_from(v).map_err(|_| render(format!("边长 {v} 超出 JPEG 上限")));
    let (w, h) = (side(img.width())?, side(img.height())?);
    let mut out = Vec::new();
    jpeg_encoder::Encoder::new(&mut out, quality)
        .encode(img.as_raw(), w, h, jpeg_encoder::ColorType::Rgb)
        .map_err(|e| render(e.to_string()))?;
    Ok(out)
}

/// Decodes the photo at `path` (strictly, with limits and EXIF
/// orientation) and makes its thumbnail: decode, downscale, encode — the
/// thumbnail step of ingest, for regenerating a lost thumbnail from the
/// original and for benchmarks.
pub fn thumbnail_of(path: &Path, format: Format) -> Result<Vec<u8>, EvidenceError> {
    jpeg(&downscale(decode(path, format)?.to_rgb8(), THUMB_SIDE)?, 80)
}

/// The thumbnail of a (display-size) image: longest side [`THUMB_SIDE`]
/// px, JPEG.
pub(crate) fn thumbnail_rgb(img: &RgbImage) -> Result<Vec<u8>, EvidenceError> {
    jpeg(&downscale(img.clone(), THUMB_SIDE)?, 80)
}

/// The display size of a photo: scaled to at most [`WATERMARK_SIDE`] px
/// a side (unchanged when already smaller). Ingest scales the full-size
/// decode once to this and derives both the thumbnail and the watermarked
/// copy from it, so a 12-megapixel photo is downscaled once, not twice.
pub(crate) fn display_size(img: &DynamicImage) -> Result<RgbImage, EvidenceError> {
    downscale(img.to_rgb8(), WATERMARK_SIDE)
}

/// `rgb` scaled to at most `side` px a side, aspect ratio kept, never
/// enlarged (SIMD convolution, anti-aliased).
fn downscale(rgb: RgbImage, side: u32) -> Result<RgbImage, EvidenceError> {
    let (w, h) = rgb.dimensions();
    let longest = w.max(h);
    if longest <= side {
        return Ok(rgb);
    }
    let fit = |v: u32| {
        u32::try_from((u64::from(v) * u64::from(side)).div_ceil(u64::from(longest)))
            .unwrap_or(side)
            .max(1)
    };
    let (dw, dh) = (fit(w), fit(h));
    let render = |e: String| EvidenceError::Render(format!("缩放失败: {e}"));
    let src = fir::images::ImageRef::new(w, h, rgb.as_raw(), fir::PixelType::U8x3)
        .map_err(|e| render(e.to_string()))?;
    let mut dst = fir::images::Image::new(dw, dh, fir::PixelType::U8x3);
    // A convolution filter scaled to the ratio: proper anti-aliasing.
    let options = fir::ResizeOptions::new()
        .resize_alg(fir::ResizeAlg::Convolution(fir::FilterType::Bilinear));
    fir::Resizer::new()
        .resize(&src, &mut dst, &options)
        .map_err(|e| render(e.to_string()))?;
    RgbImage::from_raw(dw, dh, dst.into_vec()).ok_or_else(|| render("buffer size".into()))
}

/// The watermarked display copy: the display-size image (see
/// [`display_size`]) with `lines` burned into a dark band at the bottom.
pub(crate) fn watermark(
    display: &RgbImage,
    font: &WatermarkFont,
    lines: &[String],
) -> Result<Vec<u8>, EvidenceError> {
    let mut rgb = display.clone();
    burn(&mut rgb, font, lines);
    jpeg(&rgb, 88)
}

/// Draws `lines` (white on a darkened band) along the bottom of `img`.
pub fn burn(img: &mut RgbImage, font: &WatermarkFont, lines: &[String]) {
    let (w, h) = img.dimensions();
    let px = (w.min(h) as f32 / 28.0).clamp(12.0, 64.0);
    let scale = PxScale::from(px);
    let sf = font.font.as_scaled(scale);
    let line_h = (sf.height() + sf.line_gap()).ceil();
    let pad = (px / 2.0).ceil();
    let band = ((line_h * lines.len() as f32) + 2.0 * pad).min(h as f32) as u32;
    let top = h - band;
    for y in top..h {
        for x in 0..w {
            let p = img.get_pixel_mut(x, y);
            for c in &mut p.0 {
                *c = (u16::from(*c) * 2 / 5) as u8;
            }
        }
    }
    for (i, line) in lines.iter().enumerate() {
        let baseline = top as f32 + pad + sf.ascent() + line_h * i as f32;
        let mut caret = pad;
        let mut prev = None;
        for ch in line.chars() {
            let gid = sf.glyph_id(ch);
            if let Some(p) = prev {
                caret += sf.kern(p, gid);
            }
            let glyph = gid.with_scale_and_position(scale, point(caret, baseline));
            caret += sf.h_advance(gid);
            prev = Some(gid);
            let Some(outline) = font.font.outline_glyph(glyph) else {
                continue;
            };
            let b = outline.px_bounds();
            outline.draw(|gx, gy, cov| {
                let x = b.min.x as i64 + i64::from(gx);
                let y = b.min.y as i64 + i64::from(gy);
                if x < 0 || y < 0 || x >= i64::from(w) || y >= i64::from(h) {
                    return;
                }
                let p = img.get_pixel_mut(x as u32, y as u32);
                for c in &mut p.0 {
                    let v = f32::from(*c) * (1.0 - cov) + 255.0 * cov;
                    *c = v.round().clamp(0.0, 255.0) as u8;
                }
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exif_time_normalised() {
        assert_eq!(
            exif_time("2025:07:01 10:20:30").as_deref(),
            Some("2025-07-01T10:20:30")
        );
        assert_eq!(exif_time("0000:00:00 00:00:00"), None);
        assert_eq!(exif_time(""), None);
    }
}
