//! Stable error codes shared by every error type in the core.
//!
//! A code is a short `UPPER_SNAKE` string that never changes once released:
//! the CLI prints it, the UI maps it to a Chinese message, and sync sends it
//! over the wire. The human message may be improved at any time; the code
//! may not.

/// An error that carries a stable, machine-readable code.
pub trait ErrorCode {
    /// The stable code, e.g. `STORE_WRONG_KEY`.
    fn code(&self) -> &'static str;
}
