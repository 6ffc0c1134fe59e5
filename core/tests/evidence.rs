//! On-site evidence end to end: ingest keeps the original byte for byte
//! and hashes it; derived copies are separate; verification names every
//! broken item; bad files are refused and leave nothing behind; the
//! reconciliation reports (and never deletes) rows without files and files
//! without rows.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should abort loudly

use std::io::Cursor;
use std::path::{Path, PathBuf};

use chrono::{DateTime, TimeZone, Utc};
use image::{ImageFormat, Rgb, RgbImage};
use sha2::{Digest, Sha256};
use uuid::Uuid;
use zhifa_core::ErrorCode;
use zhifa_core::device::{self, Device, StoreKeyWrap};
use zhifa_core::evidence::{
    self, Capture, EvidenceDir, Fix, IngestOptions, Problem, Source, WatermarkFont,
};
use zhifa_core::sealed::{self, FileKey};
use zhifa_core::store::{DbKey, Store};

const KEY: DbKey = DbKey::Raw([7; 32]);

struct Env {
    _tmp: tempfile::TempDir,
    store: Store,
    device: Device,
    dir: EvidenceDir,
    root: PathBuf,
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 5, 12, 2, 30, 0)
        .single()
        .unwrap()
}

/// SQLCipher's lazy crypto initialisation races when two connections are
/// keyed at once (see `Store::open`); the store serialises its own keying,
/// and this serialises it with the raw connections of [`tamper`].
static KEYING: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn keying() -> std::sync::MutexGuard<'static, ()> {
    KEYING
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn env() -> Env {
    let tmp = tempfile::tempdir().unwrap();
    let guard = keying();
    let mut store = Store::open(&tmp.path().join("d.db"), &KEY).unwrap();
    drop(guard);
    device::load_officers(&mut store, device::SAMPLE_OFFICERS.as_bytes()).unwrap();
    let device = Device::load_or_create(&store, &StoreKeyWrap::new(&KEY), now()).unwrap();
    let root = tmp.path().join("evidence");
    Env {
        dir: EvidenceDir::new(&root),
        root,
        store,
        device,
        _tmp: tmp,
    }
}

fn capture() -> Capture {
    Capture {
        case_id: Some(Uuid::from_u128(42)),
        case_number: Some("龙兴综执当罚〔2026〕7号".into()),
        officer_ids: vec!["OFF-LX-01".into(), "OFF-LX-02".into()],
        device_time: now(),
        server_offset_ms: Some(-1_250),
        fix: Some(Fix {
            lat: 29.712_345,
            lon: 106.823_456,
            accuracy_m: Some(8.0),
        }),
        place: Some("龙兴镇龙兴大道12号".into()),
        original_name: Some("IMG_0001.jpg".into()),
    }
}

/// A photo-like JPEG: a gradient, so that it does not compress to nothing.
fn jpeg(w: u32, h: u32) -> Vec<u8> {
    let img = RgbImage::from_fn(w, h, |x, y| {
        Rgb([
            (x * 255 / w) as u8,
            (y * 255 / h) as u8,
            ((x ^ y) & 0xff) as u8,
        ])
    });
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, ImageFormat::Jpeg).unwrap();
    out.into_inner()
}

fn font() -> WatermarkFont {
    let bundled = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../assets/fonts"));
    WatermarkFont::find(&[bundled]).expect("the bundled CJK font loads")
}

fn add(
    e: &mut Env,
    bytes: &[u8],
    opts: &IngestOptions<'_>,
) -> Result<evidence::EvidenceRecord, evidence::EvidenceError> {
    let mut r = Cursor::new(bytes.to_vec());
    evidence::ingest(
        &mut e.store,
        &e.device,
        &e.dir,
        Source::Reader(&mut r),
        &capture(),
        opts,
    )
}

/// Runs `sql` on the store file through a second connection, as an
/// attacker holding the key (or a bug) would.
fn tamper(e: &Env, sql: &str) {
    let guard = keying();
    let c = rusqlite::Connection::open(e.store.path()).unwrap();
    c.pragma_update(None, "key", format!("x'{}'", hex::encode([7u8; 32])))
        .unwrap();
    c.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
        r.get::<_, i64>(0)
    })
    .unwrap();
    drop(guard);
    c.execute(sql, []).unwrap();
}

/// Every regular file under `root`, recursively.
/// The plain bytes of a stored (sealed) file.
fn plain(e: &Env, path: &Path) -> Vec<u8> {
    sealed::read_all(path, &FileKey::load_or_create(&e.store).unwrap()).unwrap()
}

fn files(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(rd) = std::fs::read_dir(root) else {
        return out;
    };
    for entry in rd {
        let p = entry.unwrap().path();
        if p.is_dir() {
            out.extend(files(&p));
        } else {
            out.push(p);
        }
    }
    out.sort();
    out
}

#[test]
fn a_photo_is_kept_byte_for_byte_hashed_and_verified() {
    let mut e = env();
    let font = font();
    let bytes = jpeg(640, 480);
    let rec = add(
        &mut e,
        &bytes,
        &IngestOptions {
            font: Some(&font),
            after_files_durable: None,
        },
    )
    .unwrap();

    let path = e.dir.original_path(&rec.meta.sha256, &rec.meta.ext);
    let stored = plain(&e, &path);
    assert_eq!(stored, bytes, "the original is kept byte for byte");
    // …sealed at rest: no JPEG magic, no plaintext on disk.
    let raw = std::fs::read(&path).unwrap();
    assert_eq!(&raw[..8], &sealed::MAGIC);
    // (The original's first 32 bytes: a 3-byte `FF D8 FF` search fails by chance
    // on about one ciphertext in two hundred.)
    assert!(bytes.starts_with(&[0xff, 0xd8, 0xff]));
    assert!(!raw.windows(32).any(|w| w == &bytes[..32]));
    assert_eq!(rec.meta.sha256, hex::encode(Sha256::digest(&bytes)));
    assert_eq!(rec.meta.size, bytes.len() as u64);
    assert_eq!(
        (rec.meta.kind.as_str(), rec.meta.media_type.as_str()),
        ("photo", "image/jpeg")
    );
    assert_eq!((rec.meta.width, rec.meta.height), (Some(640), Some(480)));
    assert_eq!(rec.meta.server_offset_ms, Some(-1_250));
    assert_eq!(rec.meta.fix_lat, Some(29.712_345));
    assert_eq!(rec.seq, 1);
    assert_eq!(rec.prev_hash, "");

    // Derived copies exist, hash to what the record says, and differ from the original.
    for sha in [
        rec.meta.thumb_sha256.as_ref().unwrap(),
        rec.meta.watermark_sha256.as_ref().unwrap(),
    ] {
        let d = plain(&e, &e.dir.derived_path(sha));
        assert_eq!(
            &sealed::read_all(&e.dir.derived_path(sha), &FileKey::from_bytes([1; 32]))
                .unwrap_err()
                .code(),
            &"FILE_TAMPERED",
            "another key does not open it"
        );
        assert_eq!(&hex::encode(Sha256::digest(&d)), sha);
        assert_ne!(d, bytes);
    }
    let thumb = image::load_from_memory(&plain(
        &e,
        &e.dir.derived_path(rec.meta.thumb_sha256.as_ref().unwrap()),
    ))
    .unwrap();
    assert!(
        thumb.width() < 640 && thumb.height() < 480,
        "the thumbnail is smaller"
    );

    // A second item links to the first.
    let rec2 = add(&mut e, &jpeg(320, 240), &IngestOptions::default()).unwrap();
    assert_eq!(rec2.seq, 2);
    assert_eq!(rec2.prev_hash, rec.record_hash);
    assert!(
        rec2.meta.watermark_sha256.is_none(),
        "no font, no watermarked copy"
    );

    let report = evidence::verify(&e.store, &e.dir).unwrap();
    assert!(report.ok(), "{:?}", report.problems);
    assert_eq!((report.records, report.files), (2, 2));
    assert!(evidence::reconcile(&e.store, &e.dir).unwrap().clean());
    assert_eq!(
        evidence::for_case(&e.store, Uuid::from_u128(42))
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn the_watermark_names_time_place_officers_and_case() {
    let e = env();
    let officers = device::officers_by_id(&e.store, &capture().officer_ids).unwrap();
    let lines =
        evidence::watermark_lines(&capture(), &officers, &Default::default(), &"ab".repeat(32));
    let text = lines.join("\n");
    // 02:30 UTC is 10:30 Beijing time.
    assert!(text.contains("2026-05-12 10:30:00"), "{text}");
    assert!(
        text.contains("龙兴镇龙兴大道12号") && text.contains("北纬29.712345°"),
        "{text}"
    );
    assert!(
        text.contains("张建国") && text.contains("渝执500112108002"),
        "{text}"
    );
    assert!(text.contains("龙兴综执当罚〔2026〕7号"), "{text}");
}

#[test]
fn one_changed_byte_of_an_original_is_detected_and_named() {
    let mut e = env();
    let first = add(&mut e, &jpeg(200, 150), &IngestOptions::default()).unwrap();
    let second = add(&mut e, &jpeg(210, 150), &IngestOptions::default()).unwrap();
    let path = e.dir.original_path(&second.meta.sha256, &second.meta.ext);
    let mut bytes = std::fs::read(&path).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x01;
    std::fs::write(&path, &bytes).unwrap();

    let report = evidence::verify(&e.store, &e.dir).unwrap();
    assert!(!report.ok());
    assert_eq!(report.problems.len(), 1, "{:?}", report.problems);
    match &report.problems[0] {
        p @ Problem::FileTampered { id, seq, .. } => {
            assert_eq!((id.as_str(), *seq), (second.meta.id.as_str(), 2));
            assert_eq!(p.code(), "FILE_TAMPERED");
        }
        p => panic!("expected FileTampered, got {p:?}"),
    }
    // A plain file (as older versions wrote) with one changed byte is
    // still named as altered, by its hash.
    let mut old = jpeg(210, 150);
    let mid = old.len() / 2;
    old[mid] ^= 0x01;
    std::fs::write(&path, &old).unwrap();
    let report = evidence::verify(&e.store, &e.dir).unwrap();
    assert!(
        matches!(&report.problems[..], [Problem::FileAltered { seq: 2, .. }]),
        "{:?}",
        report.problems
    );
    assert_ne!(first.meta.id, second.meta.id);
}

#[test]
fn a_deleted_row_is_detected_in_the_middle_and_at_the_head() {
    let mut e = env();
    for w in [100, 110, 120] {
        add(&mut e, &jpeg(w, 90), &IngestOptions::default()).unwrap();
    }
    tamper(&e, "DELETE FROM evidence WHERE seq = 2");
    let codes: Vec<&str> = evidence::verify(&e.store, &e.dir)
        .unwrap()
        .problems
        .iter()
        .map(Problem::code)
        .collect();
    assert!(codes.contains(&"CHAIN_GAP"), "{codes:?}");

    let mut e = env();
    for w in [100, 110, 120] {
        add(&mut e, &jpeg(w, 90), &IngestOptions::default()).unwrap();
    }
    tamper(&e, "DELETE FROM evidence WHERE seq = 3");
    let problems = evidence::verify(&e.store, &e.dir).unwrap().problems;
    assert!(
        problems.contains(&Problem::HeadMismatch {
            head_seq: 3,
            last_seq: 2
        }),
        "{problems:?}"
    );
}

#[test]
fn an_edited_row_breaks_its_hash() {
    let mut e = env();
    let rec = add(&mut e, &jpeg(100, 90), &IngestOptions::default()).unwrap();
    tamper(&e, "UPDATE evidence SET fix_lat = 30.0 WHERE seq = 1");
    let problems = evidence::verify(&e.store, &e.dir).unwrap().problems;
    assert!(
        problems.contains(&Problem::RecordAltered {
            id: rec.meta.id.clone(),
            seq: 1
        }),
        "{problems:?}"
    );
}

#[test]
fn bad_files_are_refused_and_leave_nothing_behind() {
    let good = jpeg(64, 48);
    let mut truncated_png = Vec::new();
    RgbImage::new(32, 32)
        .write_to(&mut Cursor::new(&mut truncated_png), ImageFormat::Png)
        .unwrap();
    truncated_png.truncate(truncated_png.len() - 12);
    // A PNG header claiming a 100,000 × 100,000 canvas: a decompression bomb.
    let mut bomb = Vec::new();
    RgbImage::new(1, 1)
        .write_to(&mut Cursor::new(&mut bomb), ImageFormat::Png)
        .unwrap();
    bomb[16..20].copy_from_slice(&100_000u32.to_be_bytes());
    bomb[20..24].copy_from_slice(&100_000u32.to_be_bytes());
    // A valid CRC over the IHDR type and data, so it is the size that is refused.
    let mut crc = flate2::Crc::new();
    crc.update(&bomb[12..29]);
    bomb[29..33].copy_from_slice(&crc.sum().to_be_bytes());
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("zero bytes", vec![], "EVIDENCE_EMPTY"),
        (
            "text file",
            b"not a photo at all\n".to_vec(),
            "EVIDENCE_WRONG_TYPE",
        ),
        (
            "truncated JPEG",
            good[..good.len() / 2].to_vec(),
            "EVIDENCE_TRUNCATED",
        ),
        ("truncated PNG", truncated_png, "EVIDENCE_TRUNCATED"),
        ("decompression bomb", bomb, "EVIDENCE_IMAGE_TOO_LARGE"),
    ];
    for (what, bytes, code) in cases {
        let mut e = env();
        let before = e.store.content_digest().unwrap();
        let err = add(&mut e, &bytes, &IngestOptions::default()).unwrap_err();
        assert_eq!(err.code(), code, "{what}: {err}");
        assert!(!err.to_string().is_empty());
        assert_eq!(
            e.store.content_digest().unwrap(),
            before,
            "{what}: store unchanged"
        );
        assert_eq!(
            files(&e.root),
            Vec::<PathBuf>::new(),
            "{what}: no file left"
        );
    }
}

#[test]
fn a_crash_between_file_and_row_leaves_a_file_that_reconcile_reports() {
    let mut e = env();
    let hook = || Err("simulated power loss".to_owned());
    let err = add(
        &mut e,
        &jpeg(80, 60),
        &IngestOptions {
            font: None,
            after_files_durable: Some(&hook),
        },
    )
    .unwrap_err();
    assert_eq!(err.code(), "EVIDENCE_INTERRUPTED");
    assert!(
        evidence::list(&e.store).unwrap().is_empty(),
        "no row committed"
    );
    let rec = evidence::reconcile(&e.store, &e.dir).unwrap();
    assert_eq!(rec.files_without_rows.len(), 1, "{rec:?}");
    assert!(rec.rows_without_files.is_empty());
    // Reconciliation never deletes: the file is still there after it.
    assert!(rec.files_without_rows[0].is_file());
    // And verification of the (empty) chain still passes.
    assert!(evidence::verify(&e.store, &e.dir).unwrap().ok());
}

#[test]
fn a_missing_original_is_reported_by_reconcile_and_verify() {
    let mut e = env();
    let rec = add(&mut e, &jpeg(80, 60), &IngestOptions::default()).unwrap();
    let path = e.dir.original_path(&rec.meta.sha256, &rec.meta.ext);
    std::fs::remove_file(&path).unwrap();
    let r = evidence::reconcile(&e.store, &e.dir).unwrap();
    assert_eq!(r.rows_without_files.len(), 1);
    assert_eq!(r.rows_without_files[0].id, rec.meta.id);
    let problems = evidence::verify(&e.store, &e.dir).unwrap().problems;
    assert!(
        problems.contains(&Problem::FileMissing {
            id: rec.meta.id.clone(),
            seq: 1,
            path
        }),
        "{problems:?}"
    );
}

/// A minimal ISO-BMFF video: `ftyp` (brand isom) then one `mdat` box.
fn mp4(payload: usize) -> Vec<u8> {
    let mut v = Vec::with_capacity(payload + 32);
    v.extend_from_slice(&20u32.to_be_bytes());
    v.extend_from_slice(b"ftypisom");
    v.extend_from_slice(&0u32.to_be_bytes());
    v.extend_from_slice(b"isom");
    v.extend_from_slice(&((payload + 8) as u32).to_be_bytes());
    v.extend_from_slice(b"mdat");
    v.extend((0..payload).map(|i| (i * 31 % 251) as u8));
    v
}

#[test]
fn a_video_is_streamed_and_a_cut_video_is_refused() {
    let mut e = env();
    let video = mp4(8 * 1024 * 1024);
    let rec = add(&mut e, &video, &IngestOptions::default()).unwrap();
    assert_eq!(
        (rec.meta.kind.as_str(), rec.meta.size),
        ("video", video.len() as u64)
    );
    assert_eq!(rec.meta.sha256, hex::encode(Sha256::digest(&video)));
    assert!(rec.meta.thumb_sha256.is_none());

    let err = add(
        &mut e,
        &video[..video.len() - 1000],
        &IngestOptions::default(),
    )
    .unwrap_err();
    assert_eq!(err.code(), "EVIDENCE_TRUNCATED");
    assert_eq!(evidence::list(&e.store).unwrap().len(), 1);
}

#[test]
fn a_bad_location_fix_is_refused_before_anything_is_written() {
    let mut e = env();
    let mut c = capture();
    c.fix = Some(Fix {
        lat: 95.0,
        lon: 106.0,
        accuracy_m: None,
    });
    let mut r = Cursor::new(jpeg(40, 30));
    let err = evidence::ingest(
        &mut e.store,
        &e.device,
        &e.dir,
        Source::Reader(&mut r),
        &c,
        &IngestOptions::default(),
    )
    .unwrap_err();
    assert_eq!(err.code(), "EVIDENCE_BAD_FIX");
    assert!(files(&e.root).is_empty());
}

/// `jpeg` with an APP1 Exif segment holding the camera's capture time and
/// GPS position (south-west, to check the signs), inserted after SOI.
fn jpeg_with_exif(w: u32, h: u32) -> Vec<u8> {
    use exif::{Field, In, Rational, Tag, Value};
    let r = |n: u32, d: u32| Rational { num: n, denom: d };
    let fields = [
        Field {
            tag: Tag::DateTimeOriginal,
            ifd_num: In::PRIMARY,
            value: Value::Ascii(vec![b"2026:05:12 10:29:07".to_vec()]),
        },
        Field {
            tag: Tag::OffsetTimeOriginal,
            ifd_num: In::PRIMARY,
            value: Value::Ascii(vec![b"+08:00".to_vec()]),
        },
        Field {
            tag: Tag::GPSLatitudeRef,
            ifd_num: In::PRIMARY,
            value: Value::Ascii(vec![b"S".to_vec()]),
        },
        Field {
            tag: Tag::GPSLatitude,
            ifd_num: In::PRIMARY,
            value: Value::Rational(vec![r(29, 1), r(30, 1), r(0, 1)]),
        },
        Field {
            tag: Tag::GPSLongitudeRef,
            ifd_num: In::PRIMARY,
            value: Value::Ascii(vec![b"W".to_vec()]),
        },
        Field {
            tag: Tag::GPSLongitude,
            ifd_num: In::PRIMARY,
            value: Value::Rational(vec![r(106, 1), r(15, 1), r(36, 1)]),
        },
    ];
    let mut writer = exif::experimental::Writer::new();
    for f in &fields {
        writer.push_field(f);
    }
    let mut tiff = Cursor::new(Vec::new());
    writer.write(&mut tiff, false).unwrap();
    let tiff = tiff.into_inner();
    let plain = jpeg(w, h);
    let mut out = plain[..2].to_vec(); // SOI
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&((tiff.len() + 8) as u16).to_be_bytes());
    out.extend_from_slice(b"Exif\0\0");
    out.extend_from_slice(&tiff);
    out.extend_from_slice(&plain[2..]);
    out
}

#[test]
fn exif_time_and_gps_are_kept_beside_the_devices_own_fix() {
    let mut e = env();
    let bytes = jpeg_with_exif(320, 240);
    let rec = add(&mut e, &bytes, &IngestOptions::default()).unwrap();
    assert_eq!(
        rec.meta.exif_time.as_deref(),
        Some("2026-05-12T10:29:07+08:00")
    );
    assert!(
        (rec.meta.exif_lat.unwrap() + 29.5).abs() < 1e-9,
        "{:?}",
        rec.meta.exif_lat
    );
    assert!(
        (rec.meta.exif_lon.unwrap() + 106.26).abs() < 1e-9,
        "{:?}",
        rec.meta.exif_lon
    );
    // The device's own fix and clock are recorded separately.
    assert_eq!(
        (rec.meta.fix_lat, rec.meta.fix_lon),
        (Some(29.712_345), Some(106.823_456))
    );
    assert_eq!(rec.meta.device_time, "2026-05-12T02:30:00.000Z");
    // And the original, EXIF included, is kept byte for byte.
    assert_eq!(
        plain(&e, &e.dir.original_path(&rec.meta.sha256, &rec.meta.ext)),
        bytes
    );
    assert!(evidence::verify(&e.store, &e.dir).unwrap().ok());
}

#[test]
fn plain_files_of_an_older_version_verify_and_are_sealed_in_place() {
    let mut e = env();
    let font = font();
    let bytes = jpeg(300, 200);
    let opts = IngestOptions {
        font: Some(&font),
        after_files_durable: None,
    };
    let rec = add(&mut e, &bytes, &opts).unwrap();
    // Turn the store's files back into what an older version wrote: plain.
    let mut paths = vec![e.dir.original_path(&rec.meta.sha256, &rec.meta.ext)];
    paths.push(e.dir.derived_path(rec.meta.thumb_sha256.as_ref().unwrap()));
    paths.push(
        e.dir
            .derived_path(rec.meta.watermark_sha256.as_ref().unwrap()),
    );
    for p in &paths {
        let b = plain(&e, p);
        std::fs::write(p, b).unwrap();
    }
    assert!(
        evidence::verify(&e.store, &e.dir).unwrap().ok(),
        "plain files still verify"
    );
    assert_eq!(evidence::seal_plain_files(&e.store, &e.dir).unwrap(), 3);
    for p in &paths {
        assert_eq!(
            &std::fs::read(p).unwrap()[..8],
            &sealed::MAGIC,
            "{}",
            p.display()
        );
    }
    assert_eq!(
        evidence::seal_plain_files(&e.store, &e.dir).unwrap(),
        0,
        "idempotent"
    );
    assert!(evidence::verify(&e.store, &e.dir).unwrap().ok());
    assert!(evidence::reconcile(&e.store, &e.dir).unwrap().clean());
    assert_eq!(plain(&e, &paths[0]), bytes);
}
