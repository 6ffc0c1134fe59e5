//! The operator subcommands of the `zhifa-server` binary, one module each
//! (moving out of `main.rs`): each takes the opened [`Service`] and its
//! arguments, and prints text or, with `--json`, one JSON value.
//!
//! [`Service`]: zhifa_server::Service

pub(crate) mod keys;
pub(crate) mod seal;

/// Prints `value` as JSON or `text`.
pub(crate) fn print(json: bool, value: serde_json::Value, text: String) {
    if json {
        println!("{value}");
    } else {
        println!("{text}");
    }
}
