//! The evidence image path (core/src/evidence: content sniffing by magic
//! bytes, strict decoding with limits, EXIF, the thumbnail and the
//! watermarked derived copy) on arbitrary bytes, through the real
//! `evidence::ingest` into a device store on tmpfs: no panic, no
//! unbounded allocation (libFuzzer's -rss_limit_mb and -malloc_limit_mb
//! catch one), every refusal a stable code, and an accepted item's
//! recorded hash is the hash of the bytes given.
#![no_main]

use std::io::Cursor;
use std::sync::{LazyLock, Mutex};

use libfuzzer_sys::fuzz_target;
use sha2::{Digest, Sha256};
use zhifa_core::ErrorCode;
use zhifa_core::evidence::media::WatermarkFont;
use zhifa_core::evidence::{self, Capture, EvidenceDir, IngestOptions, Source};
use zhifa_tests::{TestDevice, t0};

struct State {
    device: TestDevice,
    runs: u32,
}

static STATE: Mutex<Option<State>> = Mutex::new(None);
static FONT: LazyLock<WatermarkFont> = LazyLock::new(|| WatermarkFont::bundled().unwrap());

fuzz_target!(|data: &[u8]| {
    // Sniffing alone, on every prefix length the ingest may look at.
    let _ = evidence::detect::detect(data);

    let mut guard = STATE.lock().unwrap();
    // A fresh device now and then keeps its folder small.
    if guard.as_ref().is_none_or(|s| s.runs >= 200) {
        *guard = Some(State {
            device: TestDevice::new(),
            runs: 0,
        });
    }
    let st = guard.as_mut().unwrap();
    st.runs += 1;
    let dev = &mut st.device;
    let capture = Capture {
        case_id: None,
        case_number: None,
        officer_ids: dev.officers.to_vec(),
        device_time: t0(),
        server_offset_ms: None,
        fix: None,
        place: Some("龙兴镇示例路".into()),
        original_name: None,
    };
    let dir = EvidenceDir::new(dev.dir.path().join("evidence"));
    let mut reader = Cursor::new(data);
    let out = evidence::ingest(
        &mut dev.store,
        &dev.device,
        &dir,
        Source::Reader(&mut reader),
        &capture,
        &IngestOptions {
            font: Some(&*FONT),
            after_files_durable: None,
        },
    );
    match out {
        Ok(rec) => {
            assert_eq!(rec.meta.sha256, hex::encode(Sha256::digest(data)));
            assert_eq!(rec.meta.size, data.len() as u64);
        }
        Err(e) => {
            let code = e.code();
            assert!(
                !code.is_empty() && code.bytes().all(|b| b.is_ascii_uppercase() || b == b'_'),
                "{code}"
            );
            assert!(e.is_bad_input(), "not a bad-input refusal: {code} {e}");
        }
    }
});
