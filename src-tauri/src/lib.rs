//! The Zhifa app shell (`zhifa-app`), Tauri 2.
//!
//! The shell — the mobile entry point, a builder generic over the Tauri
//! runtime, thin commands over `zhifa-core` and `zhifa-sync`, the key in the
//! OS keystore, per-platform capabilities — is built by the app issue. It is
//! kept out of the workspace's default members so that domain tests never
//! need the webview toolchain; until the app issue lands it deliberately
//! defines nothing and depends on no GUI library.
