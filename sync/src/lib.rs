//! Zhifa's sync protocol (Zhifa Sync v1) and the device's sync engine.
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

pub mod badge;
pub mod delta;
pub mod engine;
pub mod error;
pub mod review;
pub mod server_url;
pub mod sign;
pub mod transport;
pub mod wire;

pub use error::ErrorKind;
