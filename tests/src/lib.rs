//! Cross-component end-to-end tests for Zhifa.
//!
//! The tests live in `tests/tests/*.rs`; this library is empty on purpose.
//! Each test drives the components as a deployment would: packages from
//! `schema/`, the device store from `zhifa-core`, and (as they land) the
//! sync engine against a real server.
