//! The checked-in TypeScript bindings must match the Rust types.

use std::path::PathBuf;

#[test]
fn bindings_are_fresh() {
    let path = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../ui/src/bindings/api.ts"
    ));
    let fresh = zhifa_api::bindings::typescript();
    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap_or(&path)).ok();
        std::fs::write(&path, &fresh).ok();
    }
    let stored = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        stored == fresh,
        "ui/src/bindings/api.ts is stale: run `UPDATE_BINDINGS=1 cargo test -p zhifa-api --test bindings`"
    );
    for name in zhifa_api::COMMANDS {
        assert!(
            stored.contains(&format!("  {name}: {{ req: ")),
            "{name} missing"
        );
    }
}
