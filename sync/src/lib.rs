//! The device's sync engine, over Zhifa's sync protocol (Zhifa Sync v1,
//! the `zhifa-protocol` crate, re-exported here).
//!
//! - [`wire`]: the versioned request and response bodies of the five
//!   streams — outbox push, inbox pull, catalogue releases, evidence blobs
//!   and number leases — plus enrolment and token refresh.
//! - [`error`]: the stable error codes of requests and of rejected mutations.
//! - [`sign`]: the canonical bytes devices sign (push batches, enrolment,
//!   refresh) and the canonical JSON payload hashes.
//! - [`badge`]: the 亮码: the server-signed officer certificate, the
//!   device-signed token made offline, and its verification against the
//!   published badge key alone.
//! - [`delta`]: catalogue release deltas (zstd against the previous
//!   snapshot), checked against the release digest before use.
//! - [`review`]: the officer's view of each record's sync status, the
//!   conflicts and their resolution (acknowledge with a note, or retry).
//! - [`server_url`]: the transport guard (HTTPS, or plain HTTP to loopback
//!   only; no credentials in URLs).
//! - [`engine`]: the device side: one sync at a time under a file lock,
//!   the session order of sync.md §6.9, every page applied with its cursor
//!   in one local transaction, backoff with jitter and progress events,
//!   over a [`engine::Transport`] (reqwest with rustls, or in-process).
//!
//! docs/PROTOCOL.md is the prose specification of the same protocol.

pub mod engine;
pub mod review;
pub mod server_url;
pub mod transport;

// The protocol half lives in `zhifa-protocol` (the crate the server needs);
// re-exported here so `zhifa_sync::wire::…` paths keep working.
pub use zhifa_protocol::{badge, delta, error, mutation, record, sign, wire};

pub use error::ErrorKind;
