//! Points `ZHIFA_CONSOLE_DIST` at the centre's built web console
//! (`console/dist`, made by `npm run build` in console/ — scripts/setup.sh
//! and scripts/test.sh build it) so `zhifa-server` serves it at
//! `/console/` from the binary. Without a build it points at an empty
//! folder: the server still builds, and `/console/` then says in Chinese
//! that the console was not built. npm is never run from here (a cargo
//! build stays offline). The same pattern as cli/build.rs for ui/dist.

use std::path::PathBuf;

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default());
    let dist = manifest.join("../console/dist");
    println!("cargo:rerun-if-changed={}", dist.display());
    println!("cargo:rerun-if-env-changed=ZHIFA_CONSOLE_DIST");
    let chosen = if let Ok(d) = std::env::var("ZHIFA_CONSOLE_DIST") {
        PathBuf::from(d)
    } else if dist.join("index.html").is_file() {
        dist
    } else {
        let empty =
            PathBuf::from(std::env::var("OUT_DIR").unwrap_or_default()).join("console-empty");
        let _ = std::fs::create_dir_all(&empty);
        empty
    };
    println!("cargo:rustc-env=ZHIFA_CONSOLE_DIST={}", chosen.display());
}
