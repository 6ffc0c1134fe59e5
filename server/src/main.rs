//! `zhifa-server`: the central sync service and its operator commands.
//!
//! `serve` runs the HTTPS API (rustls); plain HTTP is refused unless the
//! listen address is loopback. The other commands work on the same data
//! folder: list cases, create enrolment codes, revoke a device, publish a
//! catalogue, check the evidence store, print the OpenAPI document. See
//! server/README.md.
//!
//! This file only parses the command line, opens the [`Service`] and
//! dispatches; each command group's body is a module of `ops/`.

use std::path::PathBuf;
use std::sync::Arc;

mod ops;

use anyhow::Context;
use clap::{Parser, Subcommand};
use zhifa_server::clock::{Clock, SystemClock};
use zhifa_server::{Service, api};

/// 掌上执法 central sync service.
#[derive(Debug, Parser)]
#[command(name = "zhifa-server", version, about)]
struct Cli {
    /// Data folder (database, evidence files, catalogue snapshots, keys).
    #[arg(
        long,
        global = true,
        env = "ZHIFA_SERVER_DATA",
        value_name = "DIR",
        default_value = "zhifa-server-data"
    )]
    data: PathBuf,
    /// Database URL: `sqlite:PATH` (default: SQLite `DIR/server.db`) or
    /// `postgres://USER[:PASSWORD]@HOST:PORT/DB` (never logged with its
    /// password).
    #[arg(
        long,
        global = true,
        env = "ZHIFA_DATABASE_URL",
        hide_env_values = true,
        value_name = "URL"
    )]
    database: Option<String>,
    /// Evidence store for verified originals: `file:PATH` (default: the
    /// filesystem, `DIR/evidence/blobs`) or `s3://BUCKET/PREFIX`, an
    /// S3-compatible object store configured by the standard variables
    /// AWS_ENDPOINT_URL (omit for AWS itself), AWS_REGION,
    /// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (or the instance role) and
    /// AWS_ALLOW_HTTP=true for a plain-HTTP endpoint (loopback only).
    /// Uploads are staged in DIR/evidence/uploads either way. Credentials
    /// are never logged.
    #[arg(long, global = true, env = "ZHIFA_EVIDENCE", value_name = "URL")]
    evidence: Option<String>,
    /// Machine-readable JSON output.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the sync API.
    Serve(ops::serve::ServeArgs),
    /// Cases held by the server.
    #[command(subcommand)]
    Case(ops::case::CaseCmd),
    /// Joint-inspection findings (综合查一次), per department.
    #[command(subcommand)]
    Inspection(ops::inspection::InspectionCmd),
    /// Tasks and their closed-loop times.
    #[command(subcommand)]
    Task(ops::task::TaskCmd),
    /// Console accounts (command centre, departments) of `/v1/console/*`.
    #[command(subcommand)]
    Staff(ops::staff::StaffCmd),
    /// The city's platforms (一体化治理智治平台, 12345) that post events.
    #[command(subcommand)]
    Platform(ops::platform::PlatformCmd),
    /// Officers.
    #[command(subcommand)]
    Officer(ops::officer::OfficerCmd),
    /// Devices.
    #[command(subcommand)]
    Device(ops::device::DeviceCmd),
    /// 亮码: the badge key and the parties' ratings (执法社会评议).
    #[command(subcommand)]
    Badge(ops::badge::BadgeCmd),
    /// The personal-data vault's keys: status and rotation.
    #[command(subcommand)]
    Keys(ops::keys::KeysCmd),
    /// Publish a catalogue package as the latest release.
    PublishCatalogue {
        /// The package JSON.
        file: PathBuf,
    },
    /// Print the OpenAPI document (docs/openapi.json).
    Openapi,
    /// 执法监督: the problem models' clues and the indicators per township.
    #[command(subcommand)]
    Supervise(ops::supervise::SuperviseCmd),
    /// Evidence store checks.
    #[command(subcommand)]
    Evidence(ops::evidence::EvidenceCmd),
    /// Evidence housekeeping once: drop expired uploads and their partial
    /// data, collect blobs no case references (`serve` also runs it hourly).
    Gc(ops::evidence::GcArgs),
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .json()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("ZHIFA_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    if let Command::Openapi = cli.command {
        print!("{}", api::openapi_json());
        return Ok(());
    }
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let service = Service::open_evidence(
        &cli.data,
        cli.database.as_deref(),
        cli.evidence.as_deref(),
        clock.clone(),
    )
    .map_err(|e| anyhow::anyhow!("{}: {e}", e.code()))
    .with_context(|| format!("opening {}", cli.data.display()))?;
    let (json, clock) = (cli.json, clock.as_ref());
    match cli.command {
        Command::Serve(args) => ops::serve::run(service, args),
        Command::Case(cmd) => ops::case::run(&service, clock, cmd, json),
        Command::Inspection(cmd) => ops::inspection::run(&service, clock, cmd, json),
        Command::Task(cmd) => ops::task::run(&service, clock, cmd, json),
        Command::Staff(cmd) => ops::staff::run(&service, clock, cmd, json),
        Command::Officer(cmd) => ops::officer::run(&service, clock, cmd, json),
        Command::Platform(cmd) => ops::platform::run(&service, clock, cmd, json),
        Command::Device(cmd) => ops::device::run(&service, clock, cmd, json),
        Command::Badge(cmd) => ops::badge::run(&service, cmd, json),
        Command::Keys(cmd) => ops::keys::run(&service, &cmd, json),
        Command::PublishCatalogue { file } => ops::catalogue::publish(&service, &file, json),
        Command::Evidence(cmd) => ops::evidence::run(&service, cmd, json),
        Command::Supervise(cmd) => ops::supervise::run(&service, clock, cmd, json),
        Command::Gc(args) => ops::evidence::gc(&service, &args, json),
        Command::Openapi => Ok(()),
    }
}
