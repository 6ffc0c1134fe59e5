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
    /// The reader of stdout went away: exit 0 without a word.
    quiet: bool,
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
            quiet: false,
        }
    }

    /// The device failed (exit 1).
    pub(crate) fn internal(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            code: code.into(),
            message: message.into(),
            issues: vec![],
            exit: 1,
            quiet: false,
        }
    }

    /// Stdout's reader went away (a closed pipe): not reported, exit 0.
    pub(crate) fn closed_pipe() -> Self {
        Self {
            code: "OUTPUT_CLOSED".into(),
            message: String::new(),
            issues: vec![],
            exit: 0,
            quiet: true,
        }
    }

    /// A failed write to stdout: quiet for a closed pipe, else a failure.
    pub(crate) fn stdout(e: &std::io::Error) -> Self {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            Self::closed_pipe()
        } else {
            Self::internal("OUTPUT", format!("无法写入标准输出: {e}"))
        }
    }

    /// Prints the failure and gives the exit status.
    pub(crate) fn report(self, json: bool) -> ExitCode {
        if self.quiet {
            return ExitCode::from(self.exit);
        }
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
            quiet: false,
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
            quiet: false,
        }
    }
}

impl From<zhifa_core::sealed::SealError> for Failure {
    fn from(e: zhifa_core::sealed::SealError) -> Self {
        use zhifa_core::sealed::SealError;
        let exit = match &e {
            SealError::Tampered => 2,
            SealError::Io(io) if io.kind() == std::io::ErrorKind::NotFound => 2,
            _ => 1,
        };
        Self {
            code: e.code().into(),
            message: e.to_string(),
            issues: vec![],
            exit,
            quiet: false,
        }
    }
}

/// Writes to stdout (the crate's `println!`/`print!`). A closed pipe ends
/// the process at once with status 0 and no message, as ripgrep does; any
/// other write failure exits 1 with `错误 [OUTPUT]`.
pub(crate) fn emit(args: std::fmt::Arguments<'_>, newline: bool) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let written = out.write_fmt(args).and_then(|()| {
        if newline {
            out.write_all(b"\n")
        } else {
            Ok(())
        }
    });
    if let Err(e) = written {
        drop(out);
        let f = Failure::stdout(&e);
        if f.quiet {
            std::process::exit(0);
        }
        let _ = f.report(false);
        std::process::exit(1);
    }
}

/// Prints `value` as pretty JSON on stdout.
pub(crate) fn print_json<T: Serialize>(value: &T) -> Result<(), Failure> {
    let s = serde_json::to_string_pretty(value)
        .map_err(|e| Failure::internal("OUTPUT", e.to_string()))?;
    println!("{s}");
    Ok(())
}
