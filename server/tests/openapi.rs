//! docs/openapi.json is generated from the server's code (utoipa). This
//! test fails when it is stale; regenerate with
//! `cargo run -p zhifa-server -- openapi > docs/openapi.json`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should abort loudly

#[test]
fn docs_openapi_json_matches_the_code() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/openapi.json");
    let generated = zhifa_server::api::openapi_json();
    let stored = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        stored == generated,
        "docs/openapi.json is stale: run `cargo run -p zhifa-server -- openapi > docs/openapi.json`"
    );
    let v: serde_json::Value = serde_json::from_str(&generated).unwrap();
    for p in [
        "/v1/enrol",
        "/v1/sync/push",
        "/v1/sync/inbox",
        "/v1/uploads/{id}",
        "/v1/finance/payments",
        "/v1/badge/key",
        "/v/{token}",
        "/v/{token}/rating",
    ] {
        assert!(v["paths"].get(p).is_some(), "{p} missing");
    }
}
