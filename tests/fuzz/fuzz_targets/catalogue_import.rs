//! The catalogue package import (core/src/catalogue/validate.rs and
//! import.rs): any bytes, plain JSON or gzip, through the four-gate check
//! and, when they pass it, into a real (SQLCipher, on tmpfs) device store.
//! No panic; every refusal has a stable code; a refused import leaves the
//! store's content unchanged; an accepted package imports with the digest
//! the check computed, and importing it again is a no-op.
//!
//! Input: the first byte chooses how the rest is fed: odd → gzip-compressed
//! by the harness first (so mutations of the JSON exercise the gzip path),
//! even → as is (which may itself be gzip).
#![no_main]

use std::io::Write;
use std::sync::Mutex;

use libfuzzer_sys::fuzz_target;
use zhifa_core::ErrorCode;
use zhifa_core::catalogue::{check_package, import};
use zhifa_core::store::{DbKey, Store};

struct Device {
    _dir: tempfile::TempDir,
    store: Store,
    imports: u32,
}

fn fresh() -> Device {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("device.db"), &DbKey::Raw([7; 32])).unwrap();
    Device {
        _dir: dir,
        store,
        imports: 0,
    }
}

static DEVICE: Mutex<Option<Device>> = Mutex::new(None);

fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(1_773_100_800, 0).unwrap()
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let bytes = if mode & 1 == 1 {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(rest).unwrap();
        gz.finish().unwrap()
    } else {
        rest.to_vec()
    };
    let checked = match check_package(&bytes) {
        Ok(c) => c,
        Err(e) => {
            let code = e.code();
            assert!(!code.is_empty() && code.bytes().all(|b| b.is_ascii_uppercase() || b == b'_'));
            assert!(!e.to_string().is_empty());
            return;
        }
    };
    let mut guard = DEVICE.lock().unwrap();
    // A new store now and then keeps the file (and each import) small.
    if guard.as_ref().is_none_or(|d| d.imports >= 50) {
        *guard = Some(fresh());
    }
    let dev = guard.as_mut().unwrap();
    dev.imports += 1;
    let before = dev.store.content_digest().unwrap();
    match import(&mut dev.store, &bytes, now()) {
        Ok(out) => {
            assert_eq!(out.digest, checked.digest);
            assert_eq!(out.release_id, checked.package.release.id);
            let again = import(&mut dev.store, &bytes, now()).expect("the same package twice");
            assert!(
                again.already_present,
                "second import of {} not a no-op",
                out.release_id
            );
        }
        Err(e) => {
            let code = e.code();
            assert!(!code.is_empty(), "{e}");
            let after = dev.store.content_digest().unwrap();
            assert_eq!(before, after, "refused import ({code}) changed the store");
        }
    }
});
