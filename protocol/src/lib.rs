//! Zhifa's sync protocol (Zhifa Sync v1): what a device and the centre say
//! to each other, and nothing else. Pure: no `zhifa-core`, no database, no
//! network, no file system — the device (`zhifa-core`, `zhifa-sync`) and
//! the server (`zhifa-server`) both parse these types.
//!
//! - [`wire`]: the versioned request and response bodies of the five
//!   streams — outbox push, inbox pull, catalogue releases, evidence blobs
//!   and number leases — plus enrolment and token refresh.
//! - [`mutation`]: one typed payload per entity/op a device pushes, with
//!   its schema version, and [`mutation::Mutation::decode`].
//! - [`record`]: the full content of a case, an inspection and a task, in
//!   the same JSON shape as the device's own records.
//! - [`procedure`]: the normal procedure's steps (普通程序), recorded on a
//!   device or at the centre, and their states and roles.
//! - [`error`]: the stable error codes of requests and of rejected
//!   mutations ([`error::RejectCode`]).
//! - [`sign`]: the canonical bytes devices sign (push batches, enrolment,
//!   refresh) and the canonical JSON payload hashes.
//! - [`badge`]: the 亮码: the server-signed officer certificate, the
//!   device-signed token made offline, and its verification against the
//!   published badge key alone.
//! - [`delta`]: catalogue release deltas (zstd against the previous
//!   snapshot), checked against the release digest before use.
//!
//! docs/PROTOCOL.md is the prose specification of the same protocol.

pub mod badge;
pub mod delta;
pub mod error;
pub mod mutation;
pub mod procedure;
pub mod record;
pub mod sign;
pub mod wire;

pub use error::{ErrorKind, Reject, RejectCode};
