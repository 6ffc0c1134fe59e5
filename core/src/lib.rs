//! Zhifa's domain core: the matter catalogue and its offline search, the
//! legal rules, and the encrypted device store they live in.
//!
//! This crate is pure domain. It knows nothing of HTTP, Tauri or the
//! terminal, and it never reads the clock: every function that depends on
//! "today" takes the date as an argument, so that a case decided offline is
//! judged by the same rules when it is replayed on the server. Errors are
//! typed enums with stable codes (see [`ErrorCode`]); callers never match
//! on message text.

pub mod case;
pub mod catalogue;
pub mod device;
pub mod document;
pub mod evidence;
pub mod inspection;
pub mod money;
pub mod procedure;
pub mod protocol;
pub mod rules;
pub mod sealed;
pub mod signin;
pub mod store;
pub mod text;

mod code;
mod par;
pub use code::ErrorCode;
