//! Writes a device-store fixture at the current schema version.
//!
//! Run once per released schema version and commit the result, so that
//! `tests/fixtures_migrate.rs` proves every older store still opens:
//!
//! ```sh
//! cargo run -p zhifa-core --example make_device_fixture -- core/tests/fixtures/device-v1.db
//! ```
//!
//! The fixture is keyed with [`FIXTURE_KEY`] (not a secret: test data only)
//! and holds a small synthetic catalogue plus a `township` setting; from
//! schema v2 on also the sample officers and the device identity.

use chrono::{TimeZone, Utc};
use zhifa_core::catalogue::import;
use zhifa_core::catalogue::synth::{SynthOptions, synth};
use zhifa_core::device::{self, Device, StoreKeyWrap};
use zhifa_core::store::{DbKey, Store, migrate};

/// The key every fixture is encrypted with.
const FIXTURE_KEY: [u8; 32] = [0x11; 32];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::args()
        .nth(1)
        .ok_or("usage: make_device_fixture OUT.db")?;
    let path = std::path::Path::new(&out);
    if path.exists() {
        return Err(format!("{out} exists; fixtures are never overwritten").into());
    }
    let mut store = Store::open(path, &DbKey::Raw(FIXTURE_KEY))?;
    let package = synth(&SynthOptions {
        matters: 40,
        townships: 3,
        seed: 2025,
    });
    let township = package.townships[0].code.clone();
    let when = Utc
        .with_ymd_and_hms(2025, 7, 1, 0, 0, 0)
        .single()
        .ok_or("bad date")?;
    import(&mut store, &serde_json::to_vec(&package)?, when)?;
    store.set_setting("township", &township)?;
    device::load_officers(&mut store, device::SAMPLE_OFFICERS.as_bytes())?;
    Device::load_or_create(&store, &StoreKeyWrap::new(&DbKey::Raw(FIXTURE_KEY)), when)?;
    // Fold the WAL into the main file so the fixture is one self-contained file.
    drop(store);
    println!("wrote {out} at schema v{}", migrate::latest_version());
    Ok(())
}
