//! Evidence ingest of a 12-megapixel JPEG: hash, EXIF, thumbnail and
//! watermarked copy, durable files and the signed chain row.
//!
//! ```sh
//! apt-get install libvips-tools      # for the vipsthumbnail comparison
//! cargo bench -p zhifa-core --bench evidence
//! ```
//!
//! Criterion measures the whole ingest (goal ≤ 400 ms) and the thumbnail
//! step alone (decode + downscale + JPEG encode). A comparison pass then
//! times, in the same run and on the same file, our thumbnail step against
//! `vipsthumbnail FILE -s 320` (Debian's libvips-tools, a separate process
//! that shrinks while decoding) and prints the ratio. Results go in
//! docs/BENCHMARKS.md.

#![allow(clippy::unwrap_used, clippy::expect_used)] // benchmark code: a failure should abort loudly

use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use criterion::{BatchSize, Criterion};
use image::{ImageFormat, Rgb, RgbImage};
use zhifa_core::device::{self, Device, StoreKeyWrap};
use zhifa_core::evidence::{
    self, Capture, EvidenceDir, Fix, Format, IngestOptions, Source, WatermarkFont,
};
use zhifa_core::store::{DbKey, Store};

const KEY: DbKey = DbKey::Raw([3; 32]);
const W: u32 = 4000;
const H: u32 = 3000;

/// A 12 MP photo-like JPEG (gradients plus pseudo-random texture, so the
/// encoded size is that of a real photo, a few MB, not a flat colour).
fn photo() -> Vec<u8> {
    let mut seed = 0x2545_f491_u32;
    let img = RgbImage::from_fn(W, H, |x, y| {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        let n = seed & 0x3f;
        Rgb([
            ((x * 200 / W) + n) as u8,
            ((y * 200 / H) + n) as u8,
            (((x + y) * 100 / (W + H)) + n) as u8,
        ])
    });
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, ImageFormat::Jpeg).unwrap();
    out.into_inner()
}

fn capture() -> Capture {
    Capture {
        case_id: None,
        case_number: Some("龙兴综执当罚〔2026〕1号".into()),
        officer_ids: vec!["OFF-LX-01".into(), "OFF-LX-02".into()],
        device_time: Utc.with_ymd_and_hms(2026, 5, 1, 2, 0, 0).single().unwrap(),
        server_offset_ms: Some(0),
        fix: Some(Fix {
            lat: 29.7,
            lon: 106.8,
            accuracy_m: Some(5.0),
        }),
        place: Some("龙兴镇".into()),
        original_name: None,
    }
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn vips_compare(file: &Path, out_dir: &Path) {
    let ours: Vec<Duration> = (0..10)
        .map(|_| {
            let t = Instant::now();
            evidence::media::thumbnail_of(file, Format::Jpeg).unwrap();
            t.elapsed()
        })
        .collect();
    let out = out_dir.join("vips-thumb.jpg");
    let run = || {
        Command::new("vipsthumbnail")
            .arg(file)
            .args(["-s", "320", "-o"])
            .arg(&out)
            .status()
    };
    match run() {
        Ok(s) if s.success() => {}
        _ => {
            println!(
                "\nvipsthumbnail not found or failed: apt-get install libvips-tools for the comparison"
            );
            return;
        }
    }
    let vips: Vec<Duration> = (0..10)
        .map(|_| {
            let t = Instant::now();
            assert!(run().unwrap().success());
            t.elapsed()
        })
        .collect();
    let (o, v) = (median(ours), median(vips));
    println!(
        "\nthumbnail of a {W}x{H} JPEG, median of 10: zhifa {o:.1?}, vipsthumbnail (process) {v:.1?}, ratio zhifa/vips {:.2}",
        o.as_secs_f64() / v.as_secs_f64()
    );
}

fn main() {
    let tmp = tempfile::tempdir().unwrap();
    let file: PathBuf = tmp.path().join("12mp.jpg");
    let bytes = photo();
    std::fs::write(&file, &bytes).unwrap();
    println!("source: {W}x{H} JPEG, {:.1} MB", bytes.len() as f64 / 1e6);

    let mut store = Store::open(&tmp.path().join("d.db"), &KEY).unwrap();
    device::load_officers(&mut store, device::SAMPLE_OFFICERS.as_bytes()).unwrap();
    let dev =
        Device::load_or_create(&store, &StoreKeyWrap::new(&KEY), capture().device_time).unwrap();
    let fonts = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../assets/fonts"));
    let font = WatermarkFont::find(&[fonts]).expect("bundled font");

    let mut c = Criterion::default().configure_from_args();
    let mut g = c.benchmark_group("evidence");
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    g.bench_function("ingest_12mp_jpeg", |b| {
        b.iter_batched(
            // A fresh evidence folder each time: content addressing would
            // otherwise find the original already in place.
            || tempfile::tempdir_in(tmp.path()).unwrap(),
            |d| {
                let dir = EvidenceDir::new(d.path());
                let opts = IngestOptions {
                    font: Some(&font),
                    after_files_durable: None,
                };
                evidence::ingest(
                    &mut store,
                    &dev,
                    &dir,
                    Source::Path(&file),
                    &capture(),
                    &opts,
                )
                .unwrap();
                d
            },
            BatchSize::PerIteration,
        )
    });
    g.bench_function("thumbnail_step_12mp", |b| {
        b.iter(|| evidence::media::thumbnail_of(&file, Format::Jpeg).unwrap())
    });
    g.finish();
    c.final_summary();
    vips_compare(&file, tmp.path());
}
