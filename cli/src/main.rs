//! `zhifa`: the headless command for Zhifa's device store.
//!
//! It works on the same encrypted store the app uses, so an operator or a
//! test can import catalogues, search them, capture evidence and run whole
//! simple-procedure cases without a screen. Every command accepts `--json` for stable,
//! machine-readable output (documented in cli/README.md). Bad input exits
//! with status 2 and names the problem; a device failure exits with 1.

/// `println!` for the whole crate: writes to stdout and, when the reader
/// has gone (`zhifa … | head`), exits quietly with status 0 as ripgrep
/// does, instead of std's panic "failed printing to stdout".
macro_rules! println {
    () => {
        $crate::output::emit(format_args!(""), true)
    };
    ($($arg:tt)*) => {
        $crate::output::emit(format_args!($($arg)*), true)
    };
}

/// `print!` with the same closed-pipe handling as [`println!`].
#[allow(unused_macros)]
macro_rules! print {
    ($($arg:tt)*) => {
        $crate::output::emit(format_args!($($arg)*), false)
    };
}

mod case;
mod catalogue;
mod deadline;
mod demo;
mod evidence;
mod export;
mod identity;
mod inspection;
mod normal;
mod output;
mod rules;
mod settings;
mod store;
mod sync;
mod web;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use output::Failure;

/// 掌上执法 (Zhifa): offline field enforcement for township officers.
#[derive(Debug, Parser)]
#[command(name = "zhifa", version, about, long_about = None)]
struct Cli {
    /// Data folder holding the device store (default: the per-user data folder).
    #[arg(long, global = true, env = "ZHIFA_DATA", value_name = "DIR")]
    data: Option<PathBuf>,
    /// Print machine-readable JSON instead of text.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// The matter catalogue: import, search, show, synthesise.
    #[command(subcommand)]
    Catalogue(catalogue::CatalogueCmd),
    /// Device settings (e.g. the officer's township).
    #[command(subcommand)]
    Settings(settings::SettingsCmd),
    /// Identity capture: read a photographed ID card offline (no store needed).
    #[command(subcommand)]
    Identity(identity::IdentityCmd),
    /// Check a citizen ID number or unified social credit code (no store needed).
    CheckId(rules::CheckIdArgs),
    /// Assess a case against the law and the matter's discretion table.
    Assess(rules::AssessArgs),
    /// The last day of a normal-procedure period on the township's calendar.
    Deadline(deadline::DeadlineArgs),
    /// On-site evidence: add, verify (exit 3 when anything is broken), reconcile, list.
    #[command(subcommand)]
    Evidence(evidence::EvidenceCmd),
    /// The device identity and the officer profiles.
    #[command(subcommand)]
    Device(evidence::DeviceCmd),
    /// Simple-procedure cases: new, advance (a step as JSON), show, list, outbox.
    #[command(subcommand)]
    Case(case::CaseCmd),
    /// Normal-procedure cases (普通程序): the officer's steps, offline.
    #[command(subcommand)]
    Normal(normal::NormalCmd),
    /// Offline document-number and payment-code leases: grant, void, list.
    #[command(subcommand)]
    Numbers(case::NumbersCmd),
    /// Township configurations: number formats, payment scheme, authority.
    #[command(subcommand)]
    Townships(case::TownshipsCmd),
    /// Documents of a case: render to PDF.
    #[command(subcommand)]
    Doc(case::DocCmd),
    /// Run a whole simple-procedure case on the sample data, end to end.
    Demo(demo::DemoArgs),
    /// Joint inspections (综合查一次): scenarios, checklists, records, tasks, demo.
    #[command(subcommand)]
    Inspection(inspection::InspectionCmd),
    /// Enrol this device with a sync server (one-time code).
    Enrol(sync::EnrolArgs),
    /// Sync with the server: push, inbox, catalogue, leases, evidence.
    Sync(sync::SyncArgs),
    /// Serve the app's screens and commands to a browser on this machine.
    Web(web::WebArgs),
    /// Write a readable (decrypted) copy of a sealed document or evidence
    /// file, outside the data folder.
    Export(export::ExportArgs),
}

/// Options every command sees.
#[derive(Debug, Clone)]
pub(crate) struct Ctx {
    /// The data folder, if given.
    pub data: Option<PathBuf>,
    /// JSON output.
    pub json: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let ctx = Ctx {
        data: cli.data,
        json: cli.json,
    };
    let result = match cli.command {
        Command::Catalogue(cmd) => catalogue::run(&ctx, cmd),
        Command::Settings(cmd) => settings::run(&ctx, cmd),
        Command::Identity(cmd) => identity::run(&ctx, cmd),
        Command::CheckId(args) => rules::check_id_cmd(&ctx, args),
        Command::Assess(args) => rules::assess_cmd(&ctx, args),
        Command::Deadline(args) => deadline::run(&ctx, args),
        Command::Normal(cmd) => normal::run(&ctx, cmd),
        Command::Evidence(cmd) => match evidence::run(&ctx, cmd) {
            Ok(code) => return code,
            Err(f) => Err(f),
        },
        Command::Device(cmd) => evidence::run_device(&ctx, cmd),
        Command::Case(cmd) => case::run_case(&ctx, cmd),
        Command::Numbers(cmd) => case::run_numbers(&ctx, cmd),
        Command::Townships(cmd) => case::run_townships(&ctx, cmd),
        Command::Doc(cmd) => case::run_doc(&ctx, cmd),
        Command::Demo(args) => demo::run(&ctx, args),
        Command::Inspection(cmd) => inspection::run(&ctx, cmd),
        Command::Enrol(args) => sync::enrol(&ctx, args),
        Command::Sync(args) => sync::sync(&ctx, args),
        Command::Web(args) => web::run(&ctx, args),
        Command::Export(args) => export::run(&ctx, args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => f.report(ctx.json),
    }
}

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Self {
        // A reader that went away is not a failure (`zhifa … | head`).
        let broken_pipe = e.chain().any(|c| {
            c.downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
        });
        if broken_pipe {
            return Failure::closed_pipe();
        }
        Failure::internal("INTERNAL", format!("{e:#}"))
    }
}
