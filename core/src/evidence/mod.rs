//! On-site evidence: photos, videos and audio kept byte for byte, hashed
//! at capture, chained and signed by the device, and verifiable.
//!
//! # Layout on disk
//!
//! Under the evidence folder (the CLI uses `DATA/evidence/`):
//!
//! - `<first 2 hex>/<sha256>.<ext>`: each original, content-addressed, never
//!   modified, never re-encoded;
//! - `derived/<sha256>.jpg`: the thumbnail and the watermarked copy of a
//!   photo (each named by its own hash, which the record keeps);
//! - `tmp/`: files being written. Anything left here is a crash's leftover,
//!   reported by [`reconcile`].
//!
//! # Ingest, in order ([`ingest`])
//!
//! 1. Stream the source into `tmp/` through a fixed 64 KiB buffer, hashing
//!    (SHA-256) while writing; a 200 MB video is never held in memory. The
//!    format comes from the first bytes ([`detect`]); a wrong type is
//!    refused before anything else is written.
//! 2. Refuse zero bytes, truncated files (JPEG without its end-of-image
//!    marker after the last scan, PNG without `IEND`, ISO-BMFF boxes running
//!    past the end, a WAV shorter than its RIFF header says), undecodable
//!    photos and decompression bombs ([`media::MAX_SIDE`]). A refusal
//!    deletes the temp file: nothing is left, no file and no row.
//! 3. For photos: read EXIF time and GPS, make the thumbnail and the
//!    watermarked copy (time, place, officers, case number, in Chinese).
//!    The original is never touched.
//! 4. Make the files durable: `fsync` the file, `rename` it into place,
//!    `fsync` the directory. Only then
//! 5. commit the row in one `IMMEDIATE` transaction that reads the chain
//!    head, appends the signed record and moves the head.
//!
//! A crash between 4 and 5 leaves a file without a row, which [`reconcile`]
//! reports at start-up (it never deletes). A row without its file cannot
//! arise from a crash. [`IngestOptions::after_files_durable`] lets a test
//! inject exactly that crash.
//!
//! # Verification ([`verify`])
//!
//! Re-hashes every original and derived copy, recomputes every record hash,
//! checks every link, every signature and the signed head, and names each
//! broken item ([`Problem`]).
//!
//! # Encryption at rest
//!
//! Rows are in the SQLCipher store. Every file (original, derived copy,
//! and the temp file while it is written) is sealed with the store's file
//! key ([`crate::sealed`]: ChaCha20-Poly1305 STREAM, a data key per file),
//! in 0700 folders as 0600 files. The file name and the recorded SHA-256
//! stay those of the ORIGINAL bytes, which is what the chain signs and the
//! server re-hashes; reading decrypts and authenticates
//! ([`open_original`], [`hash_file`]), and a file that does not
//! authenticate is reported as [`Problem::FileTampered`]. Plain files of
//! older versions still read, and [`seal_plain_files`] migrates them.

pub mod chain;
pub mod detect;
pub mod media;

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{self, File};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset, Offset, SecondsFormat, Utc};
use rusqlite::{OptionalExtension, TransactionBehavior};
use serde::Serialize;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::ErrorCode;
use crate::device::{self, Device, DeviceError, Officer};
use crate::sealed::{self, FileKey, Opened, SealError, SealWriter};
use crate::store::{Store, StoreError};

pub use detect::{Format, Kind, detect};
pub use media::{ExifInfo, WatermarkFont};

/// The streaming buffer: the only memory ingest and verification use per file.
pub const BUFFER: usize = 64 * 1024;
/// The largest original accepted (4 GiB: about 30 minutes of 1080p video).
pub const MAX_BYTES: u64 = 4 * 1024 * 1024 * 1024;

/// Why an evidence operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EvidenceError {
    /// The file is empty.
    #[error("证据文件为空 (0 字节)")]
    Empty,
    /// The file is not an accepted photo, video or audio format.
    #[error("不支持的文件类型 (仅接受 JPEG/PNG/HEIC 照片、MP4/MOV 视频、M4A/MP3/AAC/WAV/AMR 录音)")]
    WrongType,
    /// The file ends before its format says it does.
    #[error("文件不完整 (被截断): {0}")]
    Truncated(String),
    /// The photo cannot be decoded.
    #[error("图片损坏，无法解码: {0}")]
    Corrupt(String),
    /// The photo's canvas is larger than allowed (e.g. a decompression bomb).
    #[error("图片尺寸超出上限 (每边最多 {max_side} 像素)，拒绝解码")]
    ImageTooLarge {
        /// The limit per side.
        max_side: u32,
    },
    /// The file is larger than [`MAX_BYTES`].
    #[error("文件过大 (上限 {max} 字节)")]
    TooBig {
        /// The limit.
        max: u64,
    },
    /// The location fix is out of range.
    #[error("定位数据无效: {0}")]
    BadFix(String),
    /// The case id is not a UUID.
    #[error("案件编号不是 UUID: {0}")]
    BadCaseId(String),
    /// The source could not be read.
    #[error("无法读取证据来源 {path}: {source}")]
    Source {
        /// The source path (or `<bytes>`).
        path: PathBuf,
        /// The I/O error.
        source: io::Error,
    },
    /// Writing or reading the evidence folder failed.
    #[error("证据目录读写失败 {path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The I/O error.
        source: io::Error,
    },
    /// The watermark font could not be used.
    #[error("水印字体不可用 {path}: {message}")]
    Font {
        /// The font file.
        path: PathBuf,
        /// Why.
        message: String,
    },
    /// A derived copy could not be rendered.
    #[error("无法生成缩略图或水印副本: {0}")]
    Render(String),
    /// The device identity does not exist yet.
    #[error("设备身份尚未建立")]
    NoDevice,
    /// An injected fault (tests) or an interruption between the durable
    /// file and the row.
    #[error("证据保存被中断: {0}")]
    Interrupted(String),
    /// Officers or the device failed.
    #[error(transparent)]
    Device(#[from] DeviceError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A sealed file failed (does not authenticate, or key trouble).
    #[error(transparent)]
    Sealed(#[from] SealError),
}

impl From<rusqlite::Error> for EvidenceError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Store(StoreError::Sqlite(e))
    }
}

impl EvidenceError {
    fn io(path: &Path, source: io::Error) -> Self {
        Self::Io {
            path: path.to_owned(),
            source,
        }
    }

    /// Whether the caller's input is at fault (as opposed to the device).
    pub fn is_bad_input(&self) -> bool {
        matches!(
            self,
            Self::Empty
                | Self::WrongType
                | Self::Truncated(_)
                | Self::Corrupt(_)
                | Self::ImageTooLarge { .. }
                | Self::TooBig { .. }
                | Self::BadFix(_)
                | Self::BadCaseId(_)
                | Self::Source { .. }
                | Self::Font { .. }
                | Self::Device(DeviceError::UnknownOfficer(_))
        )
    }
}

impl ErrorCode for EvidenceError {
    fn code(&self) -> &'static str {
        match self {
            Self::Empty => "EVIDENCE_EMPTY",
            Self::WrongType => "EVIDENCE_WRONG_TYPE",
            Self::Truncated(_) => "EVIDENCE_TRUNCATED",
            Self::Corrupt(_) => "EVIDENCE_CORRUPT",
            Self::ImageTooLarge { .. } => "EVIDENCE_IMAGE_TOO_LARGE",
            Self::TooBig { .. } => "EVIDENCE_TOO_BIG",
            Self::BadFix(_) => "EVIDENCE_BAD_FIX",
            Self::BadCaseId(_) => "EVIDENCE_BAD_CASE_ID",
            Self::Source { .. } => "EVIDENCE_SOURCE",
            Self::Io { .. } => "EVIDENCE_IO",
            Self::Font { .. } => "EVIDENCE_FONT",
            Self::Render(_) => "EVIDENCE_RENDER",
            Self::NoDevice => "EVIDENCE_NO_DEVICE",
            Self::Interrupted(_) => "EVIDENCE_INTERRUPTED",
            Self::Device(e) => e.code(),
            Self::Store(e) => e.code(),
            Self::Sealed(e) => e.code(),
        }
    }
}

/// The device's own location fix at capture (WGS-84, as the GNSS gives it).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Fix {
    /// Latitude, decimal degrees.
    pub lat: f64,
    /// Longitude, decimal degrees.
    pub lon: f64,
    /// Horizontal accuracy, metres.
    pub accuracy_m: Option<f64>,
}

/// Everything about a capture that is not in the file.
#[derive(Debug, Clone)]
pub struct Capture {
    /// The case it belongs to, if one exists yet.
    pub case_id: Option<Uuid>,
    /// The case (document) number for the watermark, if any.
    pub case_number: Option<String>,
    /// The officers present (ids of [`crate::device::Officer`]).
    pub officer_ids: Vec<String>,
    /// The device clock at capture.
    pub device_time: DateTime<Utc>,
    /// The last known server time minus device time, in milliseconds.
    pub server_offset_ms: Option<i64>,
    /// The device's own location fix.
    pub fix: Option<Fix>,
    /// The place in words (address), for the watermark.
    pub place: Option<String>,
    /// The file name as the officer or camera gave it.
    pub original_name: Option<String>,
}

/// A hook called after the files are durable and before the row commits.
pub type FaultHook<'a> = &'a dyn Fn() -> Result<(), String>;

/// How to ingest.
#[derive(Default)]
pub struct IngestOptions<'a> {
    /// The font for the watermark; without one, no watermarked copy is made
    /// (it can be made later from the original).
    pub font: Option<&'a WatermarkFont>,
    /// Called after the original and derived files are durable, before the
    /// row commits; an `Err` aborts there (fault injection in tests).
    pub after_files_durable: Option<FaultHook<'a>>,
}

impl std::fmt::Debug for IngestOptions<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IngestOptions")
            .field("font", &self.font)
            .field("after_files_durable", &self.after_files_durable.is_some())
            .finish()
    }
}

/// The signed metadata of one evidence item: what the chain hash covers,
/// in this field order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvidenceMeta {
    /// Evidence id (UUIDv7).
    pub id: String,
    /// The capturing device.
    pub device_id: String,
    /// The case, if any.
    pub case_id: Option<String>,
    /// `photo`, `video` or `audio`.
    pub kind: String,
    /// MIME type.
    pub media_type: String,
    /// Stored extension.
    pub ext: String,
    /// SHA-256 of the original bytes, hex.
    pub sha256: String,
    /// Size of the original in bytes.
    pub size: u64,
    /// The name the file had.
    pub original_name: Option<String>,
    /// The officers present.
    pub officer_ids: Vec<String>,
    /// Device clock at capture, RFC 3339 UTC.
    pub device_time: String,
    /// Last known server − device time, ms.
    pub server_offset_ms: Option<i64>,
    /// Device fix latitude.
    pub fix_lat: Option<f64>,
    /// Device fix longitude.
    pub fix_lon: Option<f64>,
    /// Device fix accuracy, m.
    pub fix_accuracy_m: Option<f64>,
    /// EXIF capture time.
    pub exif_time: Option<String>,
    /// EXIF latitude.
    pub exif_lat: Option<f64>,
    /// EXIF longitude.
    pub exif_lon: Option<f64>,
    /// Photo width (after EXIF orientation), px.
    pub width: Option<u32>,
    /// Photo height, px.
    pub height: Option<u32>,
    /// SHA-256 of the thumbnail.
    pub thumb_sha256: Option<String>,
    /// SHA-256 of the watermarked copy.
    pub watermark_sha256: Option<String>,
}

/// A stored evidence record: metadata plus its place in the chain.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvidenceRecord {
    /// Position in the device's chain (1, 2, …).
    pub seq: u64,
    /// The signed metadata.
    #[serde(flatten)]
    pub meta: EvidenceMeta,
    /// The previous record's hash (empty for the first).
    pub prev_hash: String,
    /// This record's hash.
    pub record_hash: String,
    /// The device's Ed25519 signature over the record hash, hex.
    pub signature: String,
}

/// The evidence folder.
#[derive(Debug, Clone)]
pub struct EvidenceDir {
    root: PathBuf,
}

impl EvidenceDir {
    /// The evidence folder at `root` (created on first ingest).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// The folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where the original with this hash and extension lives.
    pub fn original_path(&self, sha256: &str, ext: &str) -> PathBuf {
        let prefix = sha256.get(..2).unwrap_or("__");
        self.root.join(prefix).join(format!("{sha256}.{ext}"))
    }

    /// Where a derived copy with this hash lives.
    pub fn derived_path(&self, sha256: &str) -> PathBuf {
        self.root.join("derived").join(format!("{sha256}.jpg"))
    }

    fn tmp_dir(&self) -> PathBuf {
        self.root.join("tmp")
    }
}

/// Where the bytes come from.
pub enum Source<'a> {
    /// A file.
    Path(&'a Path),
    /// A stream (e.g. the camera's bytes).
    Reader(&'a mut dyn Read),
}

impl std::fmt::Debug for Source<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Path(p) => f.debug_tuple("Path").field(p).finish(),
            Self::Reader(_) => f.write_str("Reader(..)"),
        }
    }
}

fn create_private_dir(dir: &Path) -> io::Result<bool> {
    if dir.is_dir() {
        return Ok(false);
    }
    let mut b = fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
    b.create(dir)?;
    Ok(true)
}

/// `fsync` of a folder, so that a rename inside it survives power loss.
fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

/// A random temp file name (no clock: 16 random bytes).
fn temp_name() -> Result<String, EvidenceError> {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).map_err(|e| EvidenceError::Render(format!("random: {e}")))?;
    Ok(format!("{}.part", hex::encode(b)))
}

/// Removes the temp file when dropped unless disarmed.
struct TempGuard(Option<PathBuf>);

impl Drop for TempGuard {
    fn drop(&mut self) {
        if let Some(p) = self.0.take() {
            let _ = fs::remove_file(p);
        }
    }
}

/// Tracks the end markers of a JPEG/PNG across chunk boundaries.
#[derive(Default)]
struct Tail {
    last_sos: Option<u64>,
    last_eoi: Option<u64>,
    prev: Option<u8>,
    tail: Vec<u8>,
}

impl Tail {
    fn feed(&mut self, offset: u64, chunk: &[u8], jpeg: bool) {
        if jpeg {
            for (i, &b) in chunk.iter().enumerate() {
                if self.prev == Some(0xFF) {
                    let at = offset + i as u64;
                    match b {
                        0xDA => self.last_sos = Some(at),
                        0xD9 => self.last_eoi = Some(at),
                        _ => {}
                    }
                }
                self.prev = Some(b);
            }
        }
        self.tail.extend_from_slice(chunk);
        let keep = 16;
        if self.tail.len() > keep {
            self.tail.drain(..self.tail.len() - keep);
        }
    }
}

struct Written {
    tmp: PathBuf,
    sha256: String,
    size: u64,
    format: Format,
    tail: Tail,
}

/// Streams `reader` to a new temp file, hashing as it goes.
fn stream_to_temp(
    dir: &EvidenceDir,
    key: &FileKey,
    reader: &mut dyn Read,
    source: &Path,
    guard: &mut TempGuard,
) -> Result<Written, EvidenceError> {
    let src_err = |e| EvidenceError::Source {
        path: source.to_owned(),
        source: e,
    };
    let mut buf = vec![0u8; BUFFER];
    // Fill the sniffing window first (a reader may return short reads).
    let mut filled = 0;
    while filled < detect::SNIFF_LEN {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(src_err(e)),
        }
    }
    if filled == 0 {
        return Err(EvidenceError::Empty);
    }
    let format = detect(&buf[..filled]).ok_or(EvidenceError::WrongType)?;
    let tmp_dir = dir.tmp_dir();
    create_private_dir(&tmp_dir).map_err(|e| EvidenceError::io(&tmp_dir, e))?;
    let tmp = tmp_dir.join(temp_name()?);
    let mut o = fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
    let file = o.open(&tmp).map_err(|e| EvidenceError::io(&tmp, e))?;
    guard.0 = Some(tmp.clone());
    // Sealed from the first byte: not even the temp file is plain.
    let mut file = SealWriter::new(file, key)?;
    let mut hasher = Sha256::new();
    let mut tail = Tail::default();
    let jpeg = format == Format::Jpeg;
    let mut size: u64 = 0;
    let mut n = filled;
    loop {
        let chunk = &buf[..n];
        hasher.update(chunk);
        tail.feed(size, chunk, jpeg);
        file.write_all(chunk)
            .map_err(|e| EvidenceError::io(&tmp, e))?;
        size += n as u64;
        if size > MAX_BYTES {
            return Err(EvidenceError::TooBig { max: MAX_BYTES });
        }
        n = loop {
            match reader.read(&mut buf) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(src_err(e)),
            }
        };
        if n == 0 {
            break;
        }
    }
    file.finish()
        .and_then(|f| f.sync_all())
        .map_err(|e| EvidenceError::io(&tmp, e))?;
    Ok(Written {
        tmp,
        sha256: hex::encode(hasher.finalize()),
        size,
        format,
        tail,
    })
}

/// Structural end-of-file checks that need no decoding.
fn check_complete(w: &Written, key: &FileKey) -> Result<(), EvidenceError> {
    match w.format {
        Format::Jpeg => match (w.tail.last_sos, w.tail.last_eoi) {
            (Some(sos), Some(eoi)) if eoi > sos => Ok(()),
            _ => Err(EvidenceError::Truncated("JPEG 缺少结束标记 (EOI)".into())),
        },
        Format::Png => {
            if w.tail.tail.ends_with(b"IEND\xAE\x42\x60\x82") {
                Ok(())
            } else {
                Err(EvidenceError::Truncated("PNG 缺少 IEND 块".into()))
            }
        }
        Format::Wav => {
            let mut f = sealed::open(&w.tmp, key)?;
            let mut h = [0u8; 8];
            f.read_exact(&mut h)
                .map_err(|_| EvidenceError::Truncated("WAV 头不完整".into()))?;
            let riff = u64::from(u32::from_le_bytes([h[4], h[5], h[6], h[7]]));
            if riff + 8 > w.size {
                return Err(EvidenceError::Truncated(format!(
                    "WAV 声明 {} 字节，实际 {}",
                    riff + 8,
                    w.size
                )));
            }
            Ok(())
        }
        f if f.is_bmff() => check_boxes(&w.tmp, key, w.size),
        _ => Ok(()),
    }
}

/// Walks the top-level ISO-BMFF boxes; one that runs past the end is a
/// truncated file (the usual result of a recording cut short by a crash).
fn check_boxes(path: &Path, key: &FileKey, size: u64) -> Result<(), EvidenceError> {
    let mut f = io::BufReader::new(sealed::open(path, key)?);
    let mut pos = 0u64;
    let mut boxes = 0;
    while pos < size {
        let truncated = || EvidenceError::Truncated(format!("ISO-BMFF 盒在 {pos} 处超出文件末尾"));
        if size - pos < 8 {
            return Err(truncated());
        }
        f.seek(SeekFrom::Start(pos))
            .map_err(|e| EvidenceError::io(path, e))?;
        let mut h = [0u8; 16];
        f.read_exact(&mut h[..8])
            .map_err(|e| EvidenceError::io(path, e))?;
        let small = u64::from(u32::from_be_bytes([h[0], h[1], h[2], h[3]]));
        let len = match small {
            0 => size - pos, // extends to the end of the file
            1 => {
                if size - pos < 16 {
                    return Err(truncated());
                }
                f.read_exact(&mut h[8..16])
                    .map_err(|e| EvidenceError::io(path, e))?;
                u64::from_be_bytes([h[8], h[9], h[10], h[11], h[12], h[13], h[14], h[15]])
            }
            n => n,
        };
        if len < 8 || len > size - pos {
            return Err(truncated());
        }
        pos += len;
        boxes += 1;
    }
    if boxes < 2 {
        return Err(EvidenceError::Truncated(
            "只有文件类型盒，没有媒体数据".into(),
        ));
    }
    Ok(())
}

/// Writes `bytes` durably to `dest` via a temp file (no-op if it exists).
fn write_durable(
    dir: &EvidenceDir,
    key: &FileKey,
    dest: &Path,
    bytes: &[u8],
) -> Result<(), EvidenceError> {
    let tmp_dir = dir.tmp_dir();
    create_private_dir(&tmp_dir).map_err(|e| EvidenceError::io(&tmp_dir, e))?;
    let tmp = tmp_dir.join(temp_name()?);
    let mut guard = TempGuard(Some(tmp.clone()));
    let mut o = fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
    let f = o.open(&tmp).map_err(|e| EvidenceError::io(&tmp, e))?;
    let mut f = SealWriter::new(f, key)?;
    f.write_all(bytes)
        .and_then(|()| f.finish())
        .and_then(|f| f.sync_all())
        .map_err(|e| EvidenceError::io(&tmp, e))?;
    place(&tmp, dest)?;
    guard.0 = None;
    Ok(())
}

/// Renames a durable temp file into place and syncs the folders.
fn place(tmp: &Path, dest: &Path) -> Result<(), EvidenceError> {
    let parent = dest
        .parent()
        .ok_or_else(|| EvidenceError::io(dest, io::ErrorKind::InvalidInput.into()))?;
    let created = create_private_dir(parent).map_err(|e| EvidenceError::io(parent, e))?;
    // Same content-addressed name = same bytes: replacing is harmless, and
    // heals a damaged copy.
    fs::rename(tmp, dest).map_err(|e| EvidenceError::io(dest, e))?;
    sync_dir(parent).map_err(|e| EvidenceError::io(parent, e))?;
    if let Some(grand) = parent.parent().filter(|_| created) {
        sync_dir(grand).map_err(|e| EvidenceError::io(grand, e))?;
    }
    Ok(())
}

fn check_fix(fix: &Fix) -> Result<(), EvidenceError> {
    if !(fix.lat.is_finite() && (-90.0..=90.0).contains(&fix.lat)) {
        return Err(EvidenceError::BadFix(format!("纬度 {}", fix.lat)));
    }
    if !(fix.lon.is_finite() && (-180.0..=180.0).contains(&fix.lon)) {
        return Err(EvidenceError::BadFix(format!("经度 {}", fix.lon)));
    }
    if let Some(a) = fix.accuracy_m.filter(|a| !(a.is_finite() && *a >= 0.0)) {
        return Err(EvidenceError::BadFix(format!("精度 {a}")));
    }
    Ok(())
}

/// The watermark's lines: time (Beijing), place, officers, case, hash.
pub fn watermark_lines(
    capture: &Capture,
    officers: &[Officer],
    exif: &ExifInfo,
    sha256: &str,
) -> Vec<String> {
    // UTC+8 is always in range; the fallback is unreachable.
    let beijing = FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| Utc.fix());
    let t = capture
        .device_time
        .with_timezone(&beijing)
        .format("%Y-%m-%d %H:%M:%S");
    let mut lines = vec![format!("时间：{t}（北京时间，设备时钟）")];
    let coords = |lat: f64, lon: f64| {
        format!(
            "{}{:.6}° {}{:.6}°",
            if lat >= 0.0 { "北纬" } else { "南纬" },
            lat.abs(),
            if lon >= 0.0 { "东经" } else { "西经" },
            lon.abs()
        )
    };
    let place = match (&capture.fix, exif.lat.zip(exif.lon)) {
        (Some(f), _) => {
            let acc = f
                .accuracy_m
                .map(|a| format!(" ±{a:.0}米"))
                .unwrap_or_default();
            format!("{}{acc}", coords(f.lat, f.lon))
        }
        (None, Some((lat, lon))) => format!("{}（照片EXIF）", coords(lat, lon)),
        (None, None) => "无定位".into(),
    };
    lines.push(match &capture.place {
        Some(p) => format!("地点：{p}  {place}"),
        None => format!("地点：{place}"),
    });
    if !officers.is_empty() {
        let names: Vec<String> = officers
            .iter()
            .map(|o| format!("{}（{}）", o.name, o.credential_no))
            .collect();
        lines.push(format!("执法人员：{}", names.join("、")));
    }
    lines.push(match &capture.case_number {
        Some(n) => format!("案号：{n}"),
        None => "案号：尚未立案".into(),
    });
    lines.push(format!(
        "原件SHA-256：{}…",
        sha256.get(..16).unwrap_or(sha256)
    ));
    lines
}

/// Ingests one evidence file: see the module docs for the exact order.
pub fn ingest(
    store: &mut Store,
    device: &Device,
    dir: &EvidenceDir,
    source: Source<'_>,
    capture: &Capture,
    options: &IngestOptions<'_>,
) -> Result<EvidenceRecord, EvidenceError> {
    if let Some(f) = &capture.fix {
        check_fix(f)?;
    }
    let officers = device::officers_by_id(store, &capture.officer_ids)?;
    let key = FileKey::load_or_create(store)?;
    let mut guard = TempGuard(None);
    let written = match source {
        Source::Path(p) => {
            let mut f = File::open(p).map_err(|e| EvidenceError::Source {
                path: p.to_owned(),
                source: e,
            })?;
            stream_to_temp(dir, &key, &mut f, p, &mut guard)?
        }
        Source::Reader(r) => stream_to_temp(dir, &key, r, Path::new("<bytes>"), &mut guard)?,
    };
    check_complete(&written, &key)?;

    let mut exif = ExifInfo::default();
    let (mut width, mut height) = (None, None);
    let mut derived: Vec<(String, Vec<u8>)> = Vec::new();
    let (mut thumb_sha256, mut watermark_sha256) = (None, None);
    if matches!(written.format, Format::Jpeg | Format::Png | Format::Heic) {
        exif = media::read_exif(io::BufReader::new(sealed::open(&written.tmp, &key)?));
    }
    if matches!(written.format, Format::Jpeg | Format::Png) {
        let img = media::decode_from(
            io::BufReader::new(sealed::open(&written.tmp, &key)?),
            written.format,
        )?;
        width = Some(img.width());
        height = Some(img.height());
        // Downscale the full-size decode once; both copies come from it.
        let display = media::display_size(&img)?;
        drop(img);
        let thumb = media::thumbnail_rgb(&display)?;
        let sha = hex::encode(Sha256::digest(&thumb));
        thumb_sha256 = Some(sha.clone());
        derived.push((sha, thumb));
        if let Some(font) = options.font {
            let lines = watermark_lines(capture, &officers, &exif, &written.sha256);
            let wm = media::watermark(&display, font, &lines)?;
            let sha = hex::encode(Sha256::digest(&wm));
            watermark_sha256 = Some(sha.clone());
            derived.push((sha, wm));
        }
    }

    // Durable files first: derived copies, then the original.
    for (sha, bytes) in &derived {
        write_durable(dir, &key, &dir.derived_path(sha), bytes)?;
    }
    let dest = dir.original_path(&written.sha256, written.format.ext());
    place(&written.tmp, &dest)?;
    guard.0 = None;
    if let Some(hook) = options.after_files_durable {
        hook().map_err(EvidenceError::Interrupted)?;
    }

    let id = Uuid::new_v7(uuid::Timestamp::from_unix(
        uuid::NoContext,
        u64::try_from(capture.device_time.timestamp()).unwrap_or(0),
        capture.device_time.timestamp_subsec_nanos(),
    ));
    let meta = EvidenceMeta {
        id: id.to_string(),
        device_id: device.id().to_string(),
        case_id: capture.case_id.map(|c| c.to_string()),
        kind: written.format.kind().as_str().into(),
        media_type: written.format.media_type().into(),
        ext: written.format.ext().into(),
        sha256: written.sha256.clone(),
        size: written.size,
        original_name: capture.original_name.clone(),
        officer_ids: capture.officer_ids.clone(),
        device_time: capture
            .device_time
            .to_rfc3339_opts(SecondsFormat::Millis, true),
        server_offset_ms: capture.server_offset_ms,
        fix_lat: capture.fix.map(|f| f.lat),
        fix_lon: capture.fix.map(|f| f.lon),
        fix_accuracy_m: capture.fix.and_then(|f| f.accuracy_m),
        exif_time: exif.time.clone(),
        exif_lat: exif.lat,
        exif_lon: exif.lon,
        width,
        height,
        thumb_sha256,
        watermark_sha256,
    };
    append(store, device, meta)
}

/// Appends a record to the device's chain in one transaction.
fn append(
    store: &mut Store,
    device: &Device,
    meta: EvidenceMeta,
) -> Result<EvidenceRecord, EvidenceError> {
    let tx = store
        .conn_mut()
        .transaction_with_behavior(TransactionBehavior::Immediate)?;
    let (head_seq, head_hash): (i64, String) = tx
        .query_row(
            "SELECT evidence_head_seq, evidence_head_hash FROM device WHERE singleton = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?
        .ok_or(EvidenceError::NoDevice)?;
    let seq = u64::try_from(head_seq).unwrap_or(0) + 1;
    let record_hash = chain::record_hash(&head_hash, seq, &meta);
    let mut hash_bytes = [0u8; 32];
    hex::decode_to_slice(&record_hash, &mut hash_bytes)
        .map_err(|_| EvidenceError::Render("hash".into()))?;
    let signature = hex::encode(device.sign(&hash_bytes));
    let head_sig = hex::encode(device.sign(&chain::head_message(seq, &record_hash)));
    let officers = serde_json::to_string(&meta.officer_ids).unwrap_or_else(|_| "[]".into());
    tx.execute(
        "INSERT INTO evidence (id, device_id, seq, case_id, kind, media_type, ext, sha256, size,
            original_name, officer_ids, device_time, server_offset_ms, fix_lat, fix_lon,
            fix_accuracy_m, exif_time, exif_lat, exif_lon, width, height, thumb_sha256,
            watermark_sha256, prev_hash, record_hash, signature)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
            ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26)",
        rusqlite::params![
            meta.id,
            meta.device_id,
            seq as i64,
            meta.case_id,
            meta.kind,
            meta.media_type,
            meta.ext,
            meta.sha256,
            meta.size as i64,
            meta.original_name,
            officers,
            meta.device_time,
            meta.server_offset_ms,
            meta.fix_lat,
            meta.fix_lon,
            meta.fix_accuracy_m,
            meta.exif_time,
            meta.exif_lat,
            meta.exif_lon,
            meta.width,
            meta.height,
            meta.thumb_sha256,
            meta.watermark_sha256,
            head_hash,
            record_hash,
            signature,
        ],
    )?;
    tx.execute(
        "UPDATE device SET evidence_head_seq = ?1, evidence_head_hash = ?2, evidence_head_sig = ?3
         WHERE singleton = 1",
        rusqlite::params![seq as i64, record_hash, head_sig],
    )?;
    tx.commit()?;
    Ok(EvidenceRecord {
        seq,
        meta,
        prev_hash: head_hash,
        record_hash,
        signature,
    })
}

fn record_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<EvidenceRecord> {
    let officers: String = r.get("officer_ids")?;
    let size: i64 = r.get("size")?;
    let seq: i64 = r.get("seq")?;
    Ok(EvidenceRecord {
        seq: u64::try_from(seq).unwrap_or(0),
        meta: EvidenceMeta {
            id: r.get("id")?,
            device_id: r.get("device_id")?,
            case_id: r.get("case_id")?,
            kind: r.get("kind")?,
            media_type: r.get("media_type")?,
            ext: r.get("ext")?,
            sha256: r.get("sha256")?,
            size: u64::try_from(size).unwrap_or(0),
            original_name: r.get("original_name")?,
            // A damaged list is kept as its raw text so the hash mismatch shows.
            officer_ids: serde_json::from_str(&officers).unwrap_or_else(|_| vec![officers]),
            device_time: r.get("device_time")?,
            server_offset_ms: r.get("server_offset_ms")?,
            fix_lat: r.get("fix_lat")?,
            fix_lon: r.get("fix_lon")?,
            fix_accuracy_m: r.get("fix_accuracy_m")?,
            exif_time: r.get("exif_time")?,
            exif_lat: r.get("exif_lat")?,
            exif_lon: r.get("exif_lon")?,
            width: r.get("width")?,
            height: r.get("height")?,
            thumb_sha256: r.get("thumb_sha256")?,
            watermark_sha256: r.get("watermark_sha256")?,
        },
        prev_hash: r.get("prev_hash")?,
        record_hash: r.get("record_hash")?,
        signature: r.get("signature")?,
    })
}

/// Every evidence record, by device then chain order.
pub fn list(store: &Store) -> Result<Vec<EvidenceRecord>, EvidenceError> {
    let mut st = store
        .conn()
        .prepare("SELECT * FROM evidence ORDER BY device_id, seq")?;
    let rows = st.query_map([], record_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The records of one case.
pub fn for_case(store: &Store, case_id: Uuid) -> Result<Vec<EvidenceRecord>, EvidenceError> {
    let mut st = store
        .conn()
        .prepare("SELECT * FROM evidence WHERE case_id = ?1 ORDER BY device_id, seq")?;
    let rows = st.query_map([case_id.to_string()], record_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// One broken item found by [`verify`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum Problem {
    /// The original's bytes no longer hash to the recorded SHA-256.
    FileAltered {
        /// Evidence id.
        id: String,
        /// Chain position.
        seq: u64,
        /// The file.
        path: PathBuf,
        /// The hash found now.
        actual_sha256: String,
    },
    /// The sealed original does not authenticate (altered, truncated, or
    /// sealed under another key).
    FileTampered {
        /// Evidence id.
        id: String,
        /// Chain position.
        seq: u64,
        /// The file.
        path: PathBuf,
    },
    /// The original is gone.
    FileMissing {
        /// Evidence id.
        id: String,
        /// Chain position.
        seq: u64,
        /// Where it should be.
        path: PathBuf,
    },
    /// A derived copy (thumbnail or watermark) is altered or gone.
    DerivedDamaged {
        /// Evidence id.
        id: String,
        /// Chain position.
        seq: u64,
        /// The file.
        path: PathBuf,
    },
    /// Records are missing from the chain (deleted rows).
    ChainGap {
        /// The missing chain positions.
        missing_seqs: Vec<u64>,
    },
    /// A record's `prev_hash` does not match the record before it.
    LinkBroken {
        /// Evidence id.
        id: String,
        /// Chain position.
        seq: u64,
    },
    /// A record's metadata no longer matches its hash (row edited).
    RecordAltered {
        /// Evidence id.
        id: String,
        /// Chain position.
        seq: u64,
    },
    /// A record's signature does not verify with the device key.
    SignatureInvalid {
        /// Evidence id.
        id: String,
        /// Chain position.
        seq: u64,
    },
    /// The signed chain head does not match the newest record (the newest
    /// records were deleted, or the head was tampered with).
    HeadMismatch {
        /// The head's sequence number.
        head_seq: u64,
        /// The newest record found.
        last_seq: u64,
    },
    /// Records from a device whose key this store does not hold.
    UnknownDevice {
        /// The device id.
        device_id: String,
        /// How many records.
        records: u64,
    },
}

impl Problem {
    /// A stable code for the problem.
    pub fn code(&self) -> &'static str {
        match self {
            Self::FileAltered { .. } => "FILE_ALTERED",
            Self::FileTampered { .. } => "FILE_TAMPERED",
            Self::FileMissing { .. } => "FILE_MISSING",
            Self::DerivedDamaged { .. } => "DERIVED_DAMAGED",
            Self::ChainGap { .. } => "CHAIN_GAP",
            Self::LinkBroken { .. } => "LINK_BROKEN",
            Self::RecordAltered { .. } => "RECORD_ALTERED",
            Self::SignatureInvalid { .. } => "SIGNATURE_INVALID",
            Self::HeadMismatch { .. } => "HEAD_MISMATCH",
            Self::UnknownDevice { .. } => "UNKNOWN_DEVICE",
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::FileAltered { id, seq, path, .. } => {
                write!(f, "原件被改动: #{seq} {id} {}", path.display())
            }
            Self::FileTampered { id, seq, path } => {
                write!(
                    f,
                    "加密原件校验失败 (被改动或截断): #{seq} {id} {}",
                    path.display()
                )
            }
            Self::FileMissing { id, seq, path } => {
                write!(f, "原件缺失: #{seq} {id} {}", path.display())
            }
            Self::DerivedDamaged { id, seq, path } => {
                write!(f, "派生副本损坏或缺失: #{seq} {id} {}", path.display())
            }
            Self::ChainGap { missing_seqs } => {
                write!(f, "证据链断档 (记录被删除): 缺少 #{missing_seqs:?}")
            }
            Self::LinkBroken { id, seq } => write!(f, "链接断裂: #{seq} {id}"),
            Self::RecordAltered { id, seq } => write!(f, "记录被改动: #{seq} {id}"),
            Self::SignatureInvalid { id, seq } => write!(f, "签名无效: #{seq} {id}"),
            Self::HeadMismatch { head_seq, last_seq } => write!(
                f,
                "链头不符: 签名链头为 #{head_seq}，最新记录为 #{last_seq} (最新记录被删除或链头被改动)"
            ),
            Self::UnknownDevice { device_id, records } => {
                write!(f, "未知设备的记录: {device_id} ({records} 条)")
            }
        }
    }
}

/// The result of [`verify`].
#[derive(Debug, Clone, Default, Serialize)]
pub struct VerifyReport {
    /// Records checked.
    pub records: u64,
    /// Original files re-hashed.
    pub files: u64,
    /// Bytes re-hashed.
    pub bytes: u64,
    /// Every broken item found (empty when all is well).
    pub problems: Vec<Problem>,
}

impl VerifyReport {
    /// Whether everything checked out.
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// SHA-256 and size of a file's ORIGINAL bytes (decrypted if sealed),
/// streamed through [`BUFFER`] bytes; `None` if absent. A sealed file that
/// does not authenticate is `Err(Sealed(Tampered))`.
pub fn hash_file(path: &Path, key: &FileKey) -> Result<Option<(String, u64)>, EvidenceError> {
    let mut f = match sealed::open(path, key) {
        Ok(f) => f,
        Err(SealError::Io(e)) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(SealError::Io(e)) => return Err(EvidenceError::io(path, e)),
        Err(e) => return Err(e.into()),
    };
    let mut h = Sha256::new();
    let mut buf = vec![0u8; BUFFER];
    let mut size = 0u64;
    loop {
        let n = match f.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) if sealed::is_tampered(&e) => return Err(SealError::Tampered.into()),
            Err(e) => return Err(EvidenceError::io(path, e)),
        };
        h.update(&buf[..n]);
        size += n as u64;
    }
    Ok(Some((hex::encode(h.finalize()), size)))
}

/// Checks every file, record, link and signature, and the signed head.
pub fn verify(store: &Store, dir: &EvidenceDir) -> Result<VerifyReport, EvidenceError> {
    let identity = device::identity(store)?;
    let key = FileKey::for_reading(store)?;
    let records = list(store)?;
    let mut report = VerifyReport::default();
    let mut by_device: BTreeMap<String, Vec<EvidenceRecord>> = BTreeMap::new();
    for r in records {
        by_device
            .entry(r.meta.device_id.clone())
            .or_default()
            .push(r);
    }
    let own = identity.as_ref().map(|i| i.id.to_string());
    for (device_id, recs) in &by_device {
        report.records += recs.len() as u64;
        for r in recs {
            check_files(dir, &key, r, &mut report)?;
        }
        let Some(identity) = identity
            .as_ref()
            .filter(|_| own.as_deref() == Some(device_id))
        else {
            report.problems.push(Problem::UnknownDevice {
                device_id: device_id.clone(),
                records: recs.len() as u64,
            });
            continue;
        };
        let mut expected_seq = 1u64;
        let mut prev: Option<&EvidenceRecord> = None;
        for r in recs {
            if r.seq > expected_seq {
                report.problems.push(Problem::ChainGap {
                    missing_seqs: (expected_seq..r.seq).collect(),
                });
            }
            let link_ok = match prev {
                Some(p) if p.seq + 1 == r.seq => r.prev_hash == p.record_hash,
                Some(_) => true, // a gap is already reported
                None if r.seq == 1 => r.prev_hash.is_empty(),
                None => true,
            };
            if !link_ok {
                report.problems.push(Problem::LinkBroken {
                    id: r.meta.id.clone(),
                    seq: r.seq,
                });
            }
            let recomputed = chain::record_hash(&r.prev_hash, r.seq, &r.meta);
            if recomputed != r.record_hash {
                report.problems.push(Problem::RecordAltered {
                    id: r.meta.id.clone(),
                    seq: r.seq,
                });
            }
            let sig_ok = hex::decode(&r.record_hash)
                .ok()
                .zip(hex::decode(&r.signature).ok())
                .is_some_and(|(h, s)| identity.verify(&h, &s));
            if !sig_ok {
                report.problems.push(Problem::SignatureInvalid {
                    id: r.meta.id.clone(),
                    seq: r.seq,
                });
            }
            expected_seq = r.seq + 1;
            prev = Some(r);
        }
        check_head(store, identity, prev, &mut report)?;
    }
    if let Some(identity) = identity.as_ref().filter(|_| by_device.is_empty()) {
        check_head(store, identity, None, &mut report)?;
    }
    Ok(report)
}

fn check_head(
    store: &Store,
    identity: &device::DeviceIdentity,
    last: Option<&EvidenceRecord>,
    report: &mut VerifyReport,
) -> Result<(), EvidenceError> {
    let (seq, hash, sig): (i64, String, String) = store.conn().query_row(
        "SELECT evidence_head_seq, evidence_head_hash, evidence_head_sig FROM device WHERE singleton = 1",
        [],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let head_seq = u64::try_from(seq).unwrap_or(0);
    let last_seq = last.map_or(0, |r| r.seq);
    let sig_ok = head_seq == 0
        || hex::decode(&sig)
            .ok()
            .is_some_and(|s| identity.verify(&chain::head_message(head_seq, &hash), &s));
    let matches = last.map_or(head_seq == 0, |r| {
        r.seq == head_seq && r.record_hash == hash
    });
    if !sig_ok || !matches {
        if head_seq > last_seq {
            report.problems.push(Problem::ChainGap {
                missing_seqs: (last_seq + 1..=head_seq).collect(),
            });
        }
        report
            .problems
            .push(Problem::HeadMismatch { head_seq, last_seq });
    }
    Ok(())
}

fn check_files(
    dir: &EvidenceDir,
    key: &FileKey,
    r: &EvidenceRecord,
    report: &mut VerifyReport,
) -> Result<(), EvidenceError> {
    let path = dir.original_path(&r.meta.sha256, &r.meta.ext);
    let hashed = match hash_file(&path, key) {
        Err(EvidenceError::Sealed(SealError::Tampered)) => {
            report.problems.push(Problem::FileTampered {
                id: r.meta.id.clone(),
                seq: r.seq,
                path: path.clone(),
            });
            return check_derived(dir, key, r, report);
        }
        other => other?,
    };
    match hashed {
        None => report.problems.push(Problem::FileMissing {
            id: r.meta.id.clone(),
            seq: r.seq,
            path,
        }),
        Some((sha, size)) => {
            report.files += 1;
            report.bytes += size;
            if sha != r.meta.sha256 {
                report.problems.push(Problem::FileAltered {
                    id: r.meta.id.clone(),
                    seq: r.seq,
                    path,
                    actual_sha256: sha,
                });
            }
        }
    }
    check_derived(dir, key, r, report)
}

fn check_derived(
    dir: &EvidenceDir,
    key: &FileKey,
    r: &EvidenceRecord,
    report: &mut VerifyReport,
) -> Result<(), EvidenceError> {
    for d in [&r.meta.thumb_sha256, &r.meta.watermark_sha256]
        .into_iter()
        .flatten()
    {
        let path = dir.derived_path(d);
        let found = match hash_file(&path, key) {
            Err(EvidenceError::Sealed(SealError::Tampered)) => None,
            other => other?,
        };
        if found.is_none_or(|(sha, _)| &sha != d) {
            report.problems.push(Problem::DerivedDamaged {
                id: r.meta.id.clone(),
                seq: r.seq,
                path,
            });
        }
    }
    Ok(())
}

/// Opens a stored original for reading its ORIGINAL bytes (decrypting a
/// sealed file on the fly; seekable, for resumable uploads).
pub fn open_original(
    key: &FileKey,
    dir: &EvidenceDir,
    sha256: &str,
    ext: &str,
) -> Result<Opened<File>, EvidenceError> {
    let path = dir.original_path(sha256, ext);
    sealed::open(&path, key).map_err(|e| match e {
        SealError::Io(e) => EvidenceError::io(&path, e),
        other => other.into(),
    })
}

/// The bytes of a derived copy (thumbnail or watermarked copy), decrypted.
pub fn read_derived(
    key: &FileKey,
    dir: &EvidenceDir,
    sha256: &str,
) -> Result<Vec<u8>, EvidenceError> {
    let path = dir.derived_path(sha256);
    sealed::read_all(&path, key).map_err(|e| match e {
        SealError::Io(e) => EvidenceError::io(&path, e),
        other => other.into(),
    })
}

/// Seals, in place and crash-safely, every plain original and derived copy
/// an older version left in the evidence folder ([`sealed::seal_in_place`]:
/// the sealed copy is written to `tmp/`, checked against the plain bytes,
/// and renamed over it). Answers how many files were migrated.
pub fn seal_plain_files(store: &Store, dir: &EvidenceDir) -> Result<u64, EvidenceError> {
    let key = FileKey::load_or_create(store)?;
    let tmp = dir.tmp_dir();
    let mut migrated = 0;
    for r in list(store)? {
        let mut paths = vec![dir.original_path(&r.meta.sha256, &r.meta.ext)];
        paths.extend(
            [&r.meta.thumb_sha256, &r.meta.watermark_sha256]
                .into_iter()
                .flatten()
                .map(|d| dir.derived_path(d)),
        );
        for p in paths.into_iter().filter(|p| p.is_file()) {
            if sealed::seal_in_place(&p, &tmp, &key)? {
                migrated += 1;
            }
        }
    }
    Ok(migrated)
}

/// What [`reconcile`] found: it reports, it never deletes.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Reconciliation {
    /// Records whose original file is missing.
    pub rows_without_files: Vec<OrphanRow>,
    /// Original files no record refers to (e.g. a crash before the commit).
    pub files_without_rows: Vec<PathBuf>,
    /// Leftover temp files of interrupted writes.
    pub temp_files: Vec<PathBuf>,
}

/// A record without its file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrphanRow {
    /// Evidence id.
    pub id: String,
    /// Chain position.
    pub seq: u64,
    /// Where the file should be.
    pub path: PathBuf,
}

impl Reconciliation {
    /// Whether rows and files agree and no temp file is left.
    pub fn clean(&self) -> bool {
        self.rows_without_files.is_empty()
            && self.files_without_rows.is_empty()
            && self.temp_files.is_empty()
    }
}

/// Start-up check: records without files, files without records, temp
/// leftovers. Never deletes anything.
pub fn reconcile(store: &Store, dir: &EvidenceDir) -> Result<Reconciliation, EvidenceError> {
    let mut out = Reconciliation::default();
    let mut expected = BTreeSet::new();
    for r in list(store)? {
        let path = dir.original_path(&r.meta.sha256, &r.meta.ext);
        if !path.is_file() {
            out.rows_without_files.push(OrphanRow {
                id: r.meta.id.clone(),
                seq: r.seq,
                path: path.clone(),
            });
        }
        expected.insert(path);
    }
    let read = |d: &Path| -> Result<Vec<PathBuf>, EvidenceError> {
        match fs::read_dir(d) {
            Ok(it) => {
                let mut v: Vec<PathBuf> = it
                    .map(|e| e.map(|e| e.path()))
                    .collect::<Result<_, _>>()
                    .map_err(|e| EvidenceError::io(d, e))?;
                v.sort();
                Ok(v)
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(vec![]),
            Err(e) => Err(EvidenceError::io(d, e)),
        }
    };
    for sub in read(dir.root())? {
        let name = sub.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name == "tmp" {
            out.temp_files.extend(read(&sub)?);
        } else if name.len() == 2 && sub.is_dir() {
            for f in read(&sub)? {
                if !expected.contains(&f) {
                    out.files_without_rows.push(f);
                }
            }
        }
    }
    Ok(out)
}
