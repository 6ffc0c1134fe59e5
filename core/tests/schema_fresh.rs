//! The checked-in catalogue JSON Schema is generated from the Rust model;
//! this test regenerates it and fails when the checked-in copy was stale
//! (after rewriting it, so a second run passes), in the manner of
//! rust-analyzer's `ensure_file_contents`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test and benchmark code: a failure should abort loudly

use zhifa_core::catalogue::model::package_schema;

#[test]
fn package_schema_is_up_to_date() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../schema/catalogue/package.schema.json"
    );
    let mut fresh = serde_json::to_string_pretty(&package_schema()).unwrap();
    fresh.push('\n');
    let current = std::fs::read_to_string(path).unwrap_or_default();
    if current != fresh {
        if std::env::var_os("CI").is_none() {
            std::fs::write(path, &fresh).unwrap();
        }
        panic!(
            "schema/catalogue/package.schema.json was not up to date; it has been regenerated, rebuild and rerun"
        );
    }
}
