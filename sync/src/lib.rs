//! Zhifa's sync protocol and the device's sync engine.
//!
//! This crate will hold the versioned wire protocol (five resumable streams:
//! catalogue releases, the device outbox, the server inbox, evidence files
//! and number leases) and the engine that drives them over HTTPS. It is
//! built by the sync issue; until then it deliberately defines nothing, so
//! that no other crate can come to depend on a half-made protocol.
