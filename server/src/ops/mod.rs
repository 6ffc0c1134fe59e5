//! The operator subcommands of the `zhifa-server` binary, one module per
//! command group: each takes the opened [`Service`] and its parsed
//! arguments, and prints text or, with `--json`, one JSON value. `main.rs`
//! only parses, opens the service and dispatches here.
//!
//! [`Service`]: zhifa_server::Service

pub(crate) mod badge;
pub(crate) mod case;
pub(crate) mod catalogue;
pub(crate) mod device;
pub(crate) mod evidence;
pub(crate) mod inspection;
pub(crate) mod keys;
pub(crate) mod officer;
pub(crate) mod platform;
pub(crate) mod seal;
pub(crate) mod serve;
pub(crate) mod staff;
pub(crate) mod supervise;
pub(crate) mod task;

/// Prints `value` as JSON or `text`.
pub(crate) fn print(json: bool, value: serde_json::Value, text: String) {
    if json {
        println!("{value}");
    } else {
        println!("{text}");
    }
}

/// A multi-threaded Tokio runtime for the commands that call async code.
pub(crate) fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?)
}
