//! Points `ZHIFA_UI_DIST` at the officer's built screens (`ui/dist`, made by
//! `npm run build` in ui/ — scripts/setup.sh, scripts/run.sh and
//! scripts/test.sh build it) so `zhifa web` serves them from the binary,
//! as the app does. Without a build it points at an empty folder: the
//! binary still builds, and `zhifa web` then needs `--ui DIR` and says so
//! in Chinese. npm is never run from here (a cargo build stays offline).

use std::path::PathBuf;

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default());
    let dist = manifest.join("../ui/dist");
    println!("cargo:rerun-if-changed={}", dist.display());
    println!("cargo:rerun-if-env-changed=ZHIFA_UI_DIST");
    let chosen = if let Ok(d) = std::env::var("ZHIFA_UI_DIST") {
        PathBuf::from(d)
    } else if dist.join("index.html").is_file() {
        dist
    } else {
        let empty = PathBuf::from(std::env::var("OUT_DIR").unwrap_or_default()).join("ui-empty");
        let _ = std::fs::create_dir_all(&empty);
        empty
    };
    println!("cargo:rustc-env=ZHIFA_UI_DIST={}", chosen.display());
}
