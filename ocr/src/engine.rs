//! The three PP-OCR models behind ONNX Runtime: text detection (DB), the
//! direction classifier (0°/180°) and recognition (CTC over the character
//! dictionary the recognition model carries in its metadata).
//!
//! ONNX Runtime is loaded once per process from `libonnxruntime.so` in the
//! models folder (`ort`'s `load-dynamic`); nothing is linked or downloaded at
//! build time. The pre- and post-processing follow RapidOCR 1.4.4 (the
//! package the models come from): detection on the image scaled so its
//! shorter side is at least 736 px (sides rounded to multiples of 32),
//! threshold 0.3, a 2×2 dilation, box score ≥ 0.5, boxes grown by
//! `area × 1.6 / perimeter`; classification at 48×192, turned when "180" is
//! more than 0.9 likely; recognition at height 48, at least 320 wide.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use image::RgbImage;
use image::imageops::FilterType;
use ort::session::Session;
use ort::value::Tensor;

use crate::OcrError;
use crate::geom::{self, Pt};

/// The files of the models folder (scripts/ocr-models.sh).
const DET: &str = "det.onnx";
const CLS: &str = "cls.onnx";
const REC: &str = "rec.onnx";
const RUNTIME: &str = "libonnxruntime.so";

/// Detection settings (RapidOCR's config.yaml).
const DET_LIMIT_SIDE: f32 = 736.0;
const DET_MAX_SIDE: f32 = 2000.0;
const DET_THRESH: f32 = 0.3;
const DET_BOX_THRESH: f32 = 0.5;
const DET_UNCLIP: f32 = 1.6;
const DET_MIN_SIZE: f32 = 3.0;
const CLS_THRESH: f32 = 0.9;
const REC_HEIGHT: u32 = 48;
const REC_MIN_WIDTH: u32 = 320;
const BATCH: usize = 6;

/// One line of text found in the image.
#[derive(Debug, Clone, PartialEq)]
pub struct TextLine {
    /// The recognised text.
    pub text: String,
    /// The mean probability of its characters (0–1).
    pub confidence: f32,
    /// Its box in the image: top-left, top-right, bottom-right, bottom-left.
    pub quad: [Pt; 4],
}

/// Where the models are: the folder given, else `ZHIFA_OCR_MODELS`, else
/// `~/.cache/zhifa/ocr-models` (where scripts/ocr-models.sh puts them), else
/// `ocr-models/` beside the running program (how a device build ships them).
pub fn locate_models(explicit: Option<&Path>) -> PathBuf {
    if let Some(p) = explicit {
        return p.to_path_buf();
    }
    if let Some(p) = std::env::var_os("ZHIFA_OCR_MODELS").filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    let cache = std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/zhifa/ocr-models"));
    if let Some(c) = cache.as_ref().filter(|c| c.join(DET).is_file()) {
        return c.clone();
    }
    let beside = std::env::current_exe()
        .ok()
        .and_then(|e| e.parent().map(|d| d.join("ocr-models")))
        .filter(|d| d.join(DET).is_file());
    beside
        .or(cache)
        .unwrap_or_else(|| PathBuf::from("ocr-models"))
}

/// Whether every file of the models folder is present.
pub fn models_present(dir: &Path) -> bool {
    [DET, CLS, REC, RUNTIME]
        .iter()
        .all(|f| dir.join(f).is_file())
}

/// The loaded runtime: the first successful load wins for the process.
static RUNTIME_LOADED: OnceLock<Result<PathBuf, String>> = OnceLock::new();

fn load_runtime(dir: &Path) -> Result<(), OcrError> {
    let lib = dir.join(RUNTIME);
    let loaded = RUNTIME_LOADED.get_or_init(|| match ort::init_from(&lib) {
        Ok(builder) => {
            builder.with_name("zhifa-ocr").commit();
            Ok(lib.clone())
        }
        Err(e) => Err(e.to_string()),
    });
    loaded
        .as_ref()
        .map(|_| ())
        .map_err(|e| OcrError::Runtime(e.clone()))
}

/// The three sessions and the dictionary. Sessions are behind mutexes (a run
/// needs exclusive access); one engine serves one reading at a time.
pub struct Engine {
    det: Mutex<Session>,
    cls: Mutex<Session>,
    rec: Mutex<Session>,
    /// Index 0 is the CTC blank; the last entry is the space.
    dict: Vec<String>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("dict_len", &self.dict.len())
            .finish_non_exhaustive()
    }
}

fn session(dir: &Path, file: &'static str, threads: usize) -> Result<Session, OcrError> {
    let fail = |detail: String| OcrError::ModelLoad { file, detail };
    Session::builder()
        .map_err(|e| fail(e.to_string()))?
        .with_intra_threads(threads)
        .map_err(|e| fail(e.to_string()))?
        .with_inter_threads(1)
        .map_err(|e| fail(e.to_string()))?
        .commit_from_file(dir.join(file))
        .map_err(|e| fail(e.to_string()))
}

impl Engine {
    /// Loads ONNX Runtime and the three models from `dir`, each run using
    /// up to `threads` threads.
    pub fn open(dir: &Path, threads: usize) -> Result<Self, OcrError> {
        for file in [RUNTIME, DET, CLS, REC] {
            if !dir.join(file).is_file() {
                return Err(OcrError::ModelMissing {
                    dir: dir.to_path_buf(),
                    file,
                });
            }
        }
        load_runtime(dir)?;
        let threads = threads.max(1);
        let rec = session(dir, REC, threads)?;
        let chars = rec
            .metadata()
            .ok()
            .and_then(|m| m.custom("character"))
            .ok_or_else(|| OcrError::ModelLoad {
                file: REC,
                detail: "no character dictionary in its metadata".into(),
            })?;
        let mut dict = vec![String::new()];
        dict.extend(chars.lines().map(str::to_owned));
        dict.push(" ".into());
        Ok(Self {
            det: Mutex::new(session(dir, DET, threads)?),
            cls: Mutex::new(session(dir, CLS, threads)?),
            rec: Mutex::new(rec),
            dict,
        })
    }

    /// Every line of text in the image, top to bottom, left to right.
    pub fn read_lines(&self, img: &RgbImage) -> Result<Vec<TextLine>, OcrError> {
        let quads = self.detect(img)?;
        let mut crops = Vec::with_capacity(quads.len());
        for q in &quads {
            if let Some(c) = geom::crop_quad(img, q) {
                crops.push((*q, c));
            }
        }
        let (quads, mut crops): (Vec<_>, Vec<_>) = crops.into_iter().unzip();
        self.upright(&mut crops)?;
        let texts = self.recognise(&crops)?;
        Ok(quads
            .into_iter()
            .zip(texts)
            .filter(|(_, (t, _))| !t.trim().is_empty())
            .map(|(quad, (text, confidence))| TextLine {
                text,
                confidence,
                quad,
            })
            .collect())
    }

    /// Text boxes (DB detection and its post-processing), in image pixels,
    /// sorted top to bottom, then left to right.
    fn detect(&self, img: &RgbImage) -> Result<Vec<[Pt; 4]>, OcrError> {
        let (w0, h0) = (img.width() as f32, img.height() as f32);
        let mut ratio = 1.0f32;
        if w0.max(h0) > DET_MAX_SIDE {
            ratio = DET_MAX_SIDE / w0.max(h0);
        }
        if w0.min(h0) * ratio < DET_LIMIT_SIDE {
            ratio = DET_LIMIT_SIDE / w0.min(h0);
        }
        let round32 = |v: f32| (((v / 32.0).round() as u32) * 32).max(32);
        let (w, h) = (round32(w0 * ratio), round32(h0 * ratio));
        let resized = image::imageops::resize(img, w, h, FilterType::Triangle);
        let (wu, hu) = (w as usize, h as usize);
        let mut input = vec![0f32; 3 * wu * hu];
        geom::write_bgr_normalised(&resized, &mut input, wu, hu);
        let tensor = Tensor::from_array(([1usize, 3, hu, wu], input))?;
        let mut det = self
            .det
            .lock()
            .map_err(|_| OcrError::Inference("det session poisoned".into()))?;
        let outputs = det.run(ort::inputs![tensor])?;
        let out = outputs
            .values()
            .next()
            .ok_or_else(|| OcrError::Inference("det: no output".into()))?;
        let (shape, pred) = out.try_extract_tensor::<f32>()?;
        let (mh, mw) = match shape.as_ref() {
            [1, 1, mh, mw] => (*mh as usize, *mw as usize),
            other => return Err(OcrError::Inference(format!("det output shape {other:?}"))),
        };
        let mut bitmap: Vec<bool> = pred.iter().map(|&p| p > DET_THRESH).collect();
        dilate_2x2(&mut bitmap, mw, mh);
        let (sx, sy) = (w0 / mw as f32, h0 / mh as f32);
        let mut boxes = Vec::new();
        for comp in geom::components(&bitmap, mw, mh, 4).into_iter().take(1000) {
            let hull = geom::convex_hull(&comp);
            let Some((q, short)) = geom::min_area_rect(&hull) else {
                continue;
            };
            if short < DET_MIN_SIZE {
                continue;
            }
            if geom::mean_in_quad(pred, mw, mh, &q) < DET_BOX_THRESH {
                continue;
            }
            let (w, h) = (geom::dist(q[0], q[1]), geom::dist(q[0], q[3]));
            let d = w * h * DET_UNCLIP / (2.0 * (w + h)).max(1e-6);
            let g = geom::grow_rect(q, d);
            let (gw, gh) = (geom::dist(g[0], g[1]), geom::dist(g[0], g[3]));
            if gw.min(gh) < DET_MIN_SIZE + 2.0 {
                continue;
            }
            let scaled =
                g.map(|(x, y)| ((x * sx).clamp(0.0, w0 - 1.0), (y * sy).clamp(0.0, h0 - 1.0)));
            boxes.push(scaled);
        }
        sort_reading_order(&mut boxes);
        Ok(boxes)
    }

    /// Turns crops the classifier finds upside down.
    fn upright(&self, crops: &mut [RgbImage]) -> Result<(), OcrError> {
        const CW: usize = 192;
        const CH: usize = 48;
        let mut cls = self
            .cls
            .lock()
            .map_err(|_| OcrError::Inference("cls session poisoned".into()))?;
        for start in (0..crops.len()).step_by(BATCH) {
            let end = (start + BATCH).min(crops.len());
            let batch = &mut crops[start..end];
            let mut input = vec![0f32; batch.len() * 3 * CW * CH];
            for (i, c) in batch.iter().enumerate() {
                let rw = ((CH as f32 * c.width() as f32 / c.height().max(1) as f32).ceil() as u32)
                    .clamp(1, CW as u32);
                let r = image::imageops::resize(c, rw, CH as u32, FilterType::Triangle);
                geom::write_bgr_normalised(&r, &mut input[i * 3 * CW * CH..], CW, CH);
            }
            let tensor = Tensor::from_array(([batch.len(), 3, CH, CW], input))?;
            let outputs = cls.run(ort::inputs![tensor])?;
            let out = outputs
                .values()
                .next()
                .ok_or_else(|| OcrError::Inference("cls: no output".into()))?;
            let (_, probs) = out.try_extract_tensor::<f32>()?;
            for (i, c) in batch.iter_mut().enumerate() {
                let p180 = probs.get(2 * i + 1).copied().unwrap_or(0.0);
                let p0 = probs.get(2 * i).copied().unwrap_or(1.0);
                if p180 > p0 && p180 > CLS_THRESH {
                    *c = image::imageops::rotate180(c);
                }
            }
        }
        Ok(())
    }

    /// Recognised text and mean character probability of each crop.
    fn recognise(&self, crops: &[RgbImage]) -> Result<Vec<(String, f32)>, OcrError> {
        let ratio = |c: &RgbImage| c.width() as f32 / c.height().max(1) as f32;
        let mut order: Vec<usize> = (0..crops.len()).collect();
        order.sort_by(|&a, &b| ratio(&crops[a]).total_cmp(&ratio(&crops[b])));
        let mut results = vec![(String::new(), 0.0); crops.len()];
        let mut rec = self
            .rec
            .lock()
            .map_err(|_| OcrError::Inference("rec session poisoned".into()))?;
        for chunk in order.chunks(BATCH) {
            let max_ratio = chunk
                .iter()
                .map(|&i| ratio(&crops[i]))
                .fold(REC_MIN_WIDTH as f32 / REC_HEIGHT as f32, f32::max);
            let width = (REC_HEIGHT as f32 * max_ratio).ceil() as usize;
            let hh = REC_HEIGHT as usize;
            let mut input = vec![0f32; chunk.len() * 3 * hh * width];
            for (k, &i) in chunk.iter().enumerate() {
                let c = &crops[i];
                let rw = ((REC_HEIGHT as f32 * ratio(c)).ceil() as usize).clamp(1, width);
                let r = image::imageops::resize(c, rw as u32, REC_HEIGHT, FilterType::Triangle);
                geom::write_bgr_normalised(&r, &mut input[k * 3 * hh * width..], width, hh);
            }
            let tensor = Tensor::from_array(([chunk.len(), 3, hh, width], input))?;
            let outputs = rec.run(ort::inputs![tensor])?;
            let out = outputs
                .values()
                .next()
                .ok_or_else(|| OcrError::Inference("rec: no output".into()))?;
            let (shape, probs) = out.try_extract_tensor::<f32>()?;
            let (t, classes) = match shape.as_ref() {
                [_, t, c] => (*t as usize, *c as usize),
                other => return Err(OcrError::Inference(format!("rec output shape {other:?}"))),
            };
            for (k, &i) in chunk.iter().enumerate() {
                let steps = probs
                    .get(k * t * classes..(k + 1) * t * classes)
                    .unwrap_or(&[]);
                results[i] = self.ctc_decode(steps, classes);
            }
        }
        Ok(results)
    }

    /// Greedy CTC: the most likely class per step, repeats merged, blanks dropped.
    fn ctc_decode(&self, steps: &[f32], classes: usize) -> (String, f32) {
        let mut text = String::new();
        let mut probs = Vec::new();
        let mut last = usize::MAX;
        for step in steps.chunks_exact(classes.max(1)) {
            let (idx, p) =
                step.iter().enumerate().fold(
                    (0, f32::MIN),
                    |best, (i, &p)| if p > best.1 { (i, p) } else { best },
                );
            if idx != last
                && idx != 0
                && let Some(ch) = self.dict.get(idx)
            {
                text.push_str(ch);
                probs.push(p);
            }
            last = idx;
        }
        let conf = if probs.is_empty() {
            0.0
        } else {
            probs.iter().sum::<f32>() / probs.len() as f32
        };
        (text, conf)
    }
}

/// A 2×2 dilation (each pixel takes the maximum of itself and its left,
/// upper and upper-left neighbours), as `cv2.dilate` with a 2×2 kernel.
fn dilate_2x2(map: &mut [bool], w: usize, h: usize) {
    let src = map.to_vec();
    for y in 0..h {
        for x in 0..w {
            let at = |xx: usize, yy: usize| src[yy * w + xx];
            let mut v = at(x, y);
            if x > 0 {
                v |= at(x - 1, y);
            }
            if y > 0 {
                v |= at(x, y - 1);
                if x > 0 {
                    v |= at(x - 1, y - 1);
                }
            }
            map[y * w + x] = v;
        }
    }
}

/// Top to bottom by the top-left corner, then left to right among boxes
/// whose tops are within 10 px (PP-OCR's `sorted_boxes`).
fn sort_reading_order(boxes: &mut [[Pt; 4]]) {
    boxes.sort_by(|a, b| a[0].1.total_cmp(&b[0].1).then(a[0].0.total_cmp(&b[0].0)));
    for i in 0..boxes.len() {
        let mut j = i;
        while j > 0
            && (boxes[j][0].1 - boxes[j - 1][0].1).abs() < 10.0
            && boxes[j][0].0 < boxes[j - 1][0].0
        {
            boxes.swap(j, j - 1);
            j -= 1;
        }
    }
}
