//! How the CLI reports results and failures.
//!
//! With `--json`, success prints one JSON document on stdout and a failure
//! prints `{"error": {"code", "message", "issues"?}}` on stdout as well, so a
//! script reads exactly one document either way. Without it, failures go to
//! stderr as `错误 [CODE]: message`. Exit status: 0 success, 1 device
//! failure, 2 bad input.

use std::process::ExitCode;

use serde::Serialize;
use zhifa_core::ErrorCode;
use zhifa_core::catalogue::{CatalogueError, Issue};
use zhifa_core::store::StoreError;

/// A failed command.
#[derive(Debug)]
pub(crate) struct Failure {
    code: String,
    message: String,
    issues: Vec<Issue>,
    exit: u8,
}

#[derive(Serialize)]
struct ErrorDoc<'a> {
    error: ErrorBody<'a>,
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    code: &'a str,
    message: &'a str,
    #[serde(skip_serializing_if = "<[Issue]>::is_empty")]
    issues: &'a [Issue],
}

impl Failure {
    /// The caller's input is unusable (exit 2).
    pub(crate) fn bad_input(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            code: code.into(),
            message: message.into(),
            issues: vec![],
            exit: 2,
        }
    }

    /// The device failed (exit 1).
    pub(crate) fn internal(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            code: code.into(),
            message: message.into(),
            issues: vec![],
            exit: 1,
        }
    }

    /// Prints the failure and gives the exit status.
    pub(crate) fn report(self, json: bool) -> ExitCode {
        if json {
            let doc = ErrorDoc {
                error: ErrorBody {
                    code: &self.code,
                    message: &self.message,
                    issues: &self.issues,
                },
            };
            match serde_json::to_string_pretty(&doc) {
                Ok(s) => println!("{s}"),
                Err(_) => println!(r#"{{"error":{{"code":"{}"}}}}"#, self.code),
            }
        } else {
            eprintln!("错误 [{}]: {}", self.code, self.message);
            for i in &self.issues {
                eprintln!("  {} [{}] {}", i.path, i.code, i.message);
            }
        }
        ExitCode::from(self.exit)
    }
}

impl From<CatalogueError> for Failure {
    fn from(e: CatalogueError) -> Self {
        let exit = if e.is_bad_input() { 2 } else { 1 };
        let issues = match &e {
            CatalogueError::Invalid { issues } => issues.clone(),
            _ => vec![],
        };
        Self {
            code: e.code().into(),
            message: e.to_string(),
            issues,
            exit,
        }
    }
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Self {
        // A wrong key, an empty key or a too-new database is something the
        // operator must fix; the rest is the device failing.
        let exit = match &e {
            StoreError::WrongKey { .. } | StoreError::EmptyKey | StoreError::TooNew { .. } => 2,
            _ => 1,
        };
        Self {
            code: e.code().into(),
            message: e.to_string(),
            issues: vec![],
            exit,
        }
    }
}

/// Prints `value` as pretty JSON on stdout.
pub(crate) fn print_json<T: Serialize>(value: &T) -> Result<(), Failure> {
    let s = serde_json::to_string_pretty(value)
        .map_err(|e| Failure::internal("OUTPUT", e.to_string()))?;
    println!("{s}");
    Ok(())
}
