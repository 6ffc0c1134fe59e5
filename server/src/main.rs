//! `zhifa-server`: the central sync service and its operator commands.
//!
//! `serve` runs the HTTPS API (rustls); plain HTTP is refused unless the
//! listen address is loopback. The other commands work on the same data
//! folder: list cases, create enrolment codes, revoke a device, publish a
//! catalogue, check the evidence store, print the OpenAPI document. See
//! server/README.md.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

mod ops;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use zhifa_server::clock::{Clock, SystemClock};
use zhifa_server::store::{OfficerRow, Scope};
use zhifa_server::{Service, api, enrol_code};

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
    Serve {
        /// Address to listen on, e.g. 127.0.0.1:8443 or 0.0.0.0:443.
        #[arg(long, value_name = "ADDR")]
        listen: SocketAddr,
        /// Publish the sample catalogue and write demo enrolment codes.
        #[arg(long)]
        demo: bool,
        /// TLS certificate chain (PEM). Required unless ADDR is loopback.
        #[arg(long, value_name = "PEM", requires = "tls_key")]
        tls_cert: Option<PathBuf>,
        /// TLS private key (PEM).
        #[arg(long, value_name = "PEM", requires = "tls_cert")]
        tls_key: Option<PathBuf>,
        #[command(flatten)]
        limits: LimitArgs,
    },
    /// Cases held by the server.
    #[command(subcommand)]
    Case(CaseCmd),
    /// Joint-inspection findings (综合查一次), per department.
    #[command(subcommand)]
    Inspection(InspectionCmd),
    /// Tasks and their closed-loop times.
    #[command(subcommand)]
    Task(TaskCmd),
    /// Console accounts (command centre, departments) of `/v1/console/*`.
    #[command(subcommand)]
    Staff(StaffCmd),
    /// Officers.
    #[command(subcommand)]
    Officer(OfficerCmd),
    /// Devices.
    #[command(subcommand)]
    Device(DeviceCmd),
    /// 亮码: the badge key and the parties' ratings (执法社会评议).
    #[command(subcommand)]
    Badge(BadgeCmd),
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
    /// Evidence store checks.
    #[command(subcommand)]
    Evidence(EvidenceCmd),
    /// Evidence housekeeping once: drop expired uploads and their partial
    /// data, collect blobs no case references (`serve` also runs it hourly).
    Gc {
        /// Uploads expire this many days after they were created.
        #[arg(long, default_value_t = 7)]
        upload_ttl_days: i64,
        /// Unreferenced blobs are kept this many days after verification.
        #[arg(long, default_value_t = 30)]
        blob_grace_days: i64,
    },
}

/// The limits of `serve` (docs/PROTOCOL.md, "Limits").
#[derive(Debug, clap::Args)]
struct LimitArgs {
    /// The largest evidence original an upload may declare, in bytes
    /// (default 4 GiB, the device's own limit: ~30 minutes of 1080p video).
    #[arg(long, value_name = "BYTES", default_value_t = zhifa_server::edges::Limits::DEFAULT_MAX_UPLOAD_BYTES)]
    max_upload_bytes: u64,
    /// Leased numbers one device may hold unused, per series and year.
    #[arg(long, value_name = "N", default_value_t = 2_000)]
    lease_max_outstanding: i64,
    /// Numbers one device may be granted in 24 hours, per series and year.
    #[arg(long, value_name = "N", default_value_t = 5_000)]
    lease_max_per_day: i64,
    /// Requests a minute one client IP may send to the public endpoints
    /// (`/v/*`, the 亮码 rating, `/v1/enrol`); 0 turns the limit off.
    #[arg(long, value_name = "N", default_value_t = 60)]
    public_rate_per_minute: u32,
    /// The burst allowed on top of that rate.
    #[arg(long, value_name = "N", default_value_t = 20)]
    public_burst: u32,
    /// Seconds a client has to send a request's whole header; also the
    /// idle time after which a keep-alive connection is closed.
    #[arg(long, value_name = "SECS", default_value_t = 10)]
    header_timeout_secs: u64,
    /// Connections one client IP may hold open at once.
    #[arg(long, value_name = "N", default_value_t = 64)]
    max_connections_per_ip: usize,
}

impl LimitArgs {
    fn limits(&self) -> anyhow::Result<zhifa_server::edges::Limits> {
        if self.lease_max_outstanding < 1 || self.lease_max_per_day < 1 {
            bail!("--lease-max-outstanding and --lease-max-per-day must be at least 1");
        }
        if self.header_timeout_secs < 1 || self.max_connections_per_ip < 1 {
            bail!("--header-timeout-secs and --max-connections-per-ip must be at least 1");
        }
        Ok(zhifa_server::edges::Limits {
            max_upload_bytes: self.max_upload_bytes,
            lease: zhifa_server::edges::LeaseQuota {
                max_outstanding: self.lease_max_outstanding,
                max_per_day: self.lease_max_per_day,
            },
            public_per_minute: self.public_rate_per_minute,
            public_burst: self.public_burst,
            header_timeout: std::time::Duration::from_secs(self.header_timeout_secs),
            max_connections_per_ip: self.max_connections_per_ip,
        })
    }
}

#[derive(Debug, Subcommand)]
enum EvidenceCmd {
    /// Read every recorded blob back from the evidence store and check its
    /// size and SHA-256; exit status 3 when any is missing or corrupt.
    Verify,
    /// Seal every plaintext object written before sealing (and, with
    /// --rekey, every object under an older data key); ops/seal.rs.
    Seal {
        /// Also seal again objects sealed under a retired data key.
        #[arg(long)]
        rekey: bool,
    },
}

#[derive(Debug, Subcommand)]
enum InspectionCmd {
    /// The findings a department must see: its own items of every joint inspection.
    List {
        /// Department code of the catalogue (e.g. CQ-SCJG); all when omitted.
        #[arg(long, value_name = "CODE")]
        department: Option<String>,
        /// Only failed items (what the department must act on).
        #[arg(long)]
        failed: bool,
    },
}

#[derive(Debug, Subcommand)]
enum TaskCmd {
    /// Every task with its assigned, accepted and done times.
    List,
    /// Assign a task (complaint, random inspection, follow-up) to an officer;
    /// it reaches the officer's device through the inbox.
    Assign {
        /// The officer id.
        #[arg(long)]
        officer: String,
        /// complaint | random_inspection | follow_up.
        #[arg(long)]
        kind: String,
        /// The place.
        #[arg(long)]
        place: String,
        /// What to do.
        #[arg(long)]
        detail: String,
        /// The party, if known.
        #[arg(long)]
        party: Option<String>,
        /// Due date, YYYY-MM-DD.
        #[arg(long)]
        due: Option<String>,
        /// Scenario code to inspect under; repeat for several.
        #[arg(long = "scenario")]
        scenarios: Vec<String>,
    },
}

#[derive(Debug, Subcommand)]
enum StaffCmd {
    /// Create a console account (or re-issue its token); prints the bearer
    /// token once — only its hash is stored.
    Add {
        /// Login id, e.g. zhzx-500112.
        #[arg(long)]
        id: String,
        /// Display name of the unit.
        #[arg(long)]
        name: String,
        /// command_centre | department | legal_review.
        #[arg(long)]
        role: String,
        /// Township-code prefix it covers: omitted = the whole city,
        /// 6 digits = a district, 9 digits = a township.
        #[arg(long, default_value = "")]
        scope: String,
        /// The department code of a department account (e.g. CQ-SCJG).
        #[arg(long)]
        department: Option<String>,
        /// Days the token stays valid.
        #[arg(long, default_value_t = 90)]
        days: i64,
    },
    /// Revoke a console account: its token stops working at once.
    Revoke {
        /// Login id.
        id: String,
    },
    /// Every console account (no tokens).
    List,
}

#[derive(Debug, Subcommand)]
enum CaseCmd {
    /// List every case: id, document number, status, evidence completeness.
    List,
    /// One case from the centre's record, in the shape of the device's
    /// `zhifa case show ID --json`, plus its documents and the replay.
    Show {
        /// The case id.
        id: String,
    },
}

#[derive(Debug, Subcommand)]
enum OfficerCmd {
    /// Add or update an officer.
    Add {
        /// Officer id.
        #[arg(long)]
        id: String,
        /// Name.
        #[arg(long)]
        name: String,
        /// Township code (9 digits).
        #[arg(long)]
        township: String,
        /// `officer` or `district_supervisor`.
        #[arg(long, default_value = "officer")]
        role: String,
        /// 执法证号 (enforcement credential number): with it, the officer's
        /// devices get a 亮码 certificate at enrolment and refresh.
        #[arg(long, requires = "township_name")]
        credential_no: Option<String>,
        /// The township's (or its authority's) name shown on the 亮码 page.
        #[arg(long, requires = "credential_no")]
        township_name: Option<String>,
    },
    /// Create a one-time enrolment code for an officer.
    EnrolCode {
        /// Officer id.
        #[arg(long)]
        officer: String,
    },
}

#[derive(Debug, Subcommand)]
enum BadgeCmd {
    /// The badge authority's public key (as `GET /v1/badge/key`).
    Key,
    /// Every rating, newest first.
    Ratings {
        /// Only this district (6-digit code).
        #[arg(long)]
        district: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
enum DeviceCmd {
    /// Revoke a device: its tokens stop working at once.
    Revoke {
        /// Device id.
        id: String,
    },
}

use ops::print;

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
    match cli.command {
        Command::Serve {
            listen,
            demo,
            tls_cert,
            tls_key,
            limits,
        } => {
            let limits = limits.limits()?;
            let service = service.with_limits(limits.clone());
            if demo {
                let officers = service.demo()?;
                eprintln!(
                    "demo: {} enrolment codes written to {}",
                    officers.len(),
                    cli.data.join("demo-enrolment.json").display()
                );
            }
            serve(service, listen, tls_cert.zip(tls_key), &limits)
        }
        Command::Inspection(InspectionCmd::List { department, failed }) => {
            let rows = service.store().inspection_findings(
                department.as_deref(),
                failed,
                "",
                "operator:cli",
                clock.now(),
            )?;
            let text = rows
                .iter()
                .map(|f| {
                    format!(
                        "{}  {}  {}  {}  {}",
                        f.inspection_id,
                        f.department_name,
                        f.subject,
                        f.verdict.as_deref().unwrap_or("-"),
                        f.outcome_kind.as_deref().unwrap_or("-")
                    )
                })
                .collect::<Vec<_>>()
                .join("\n");
            print(cli.json, serde_json::to_value(&rows)?, text);
            Ok(())
        }
        Command::Task(TaskCmd::Assign {
            officer,
            kind,
            place,
            detail,
            party,
            due,
            scenarios,
        }) => {
            let id = service.store().assign_task(
                &zhifa_server::inspection::NewTask {
                    officer_id: officer,
                    kind,
                    place,
                    party_name: party,
                    detail,
                    due_on: due,
                    scenarios,
                },
                clock.now(),
                "",
                "operator:cli",
            )?;
            print(cli.json, serde_json::json!({ "task_id": id }), id.clone());
            Ok(())
        }
        Command::Task(TaskCmd::List) => {
            let rows = service.store().tasks("")?;
            let text = rows
                .iter()
                .map(|t| {
                    format!(
                        "{}  {}  {}  {}  派发 {}  接收 {}  完成 {}",
                        t.task_id,
                        t.kind,
                        t.status,
                        t.detail,
                        t.assigned_at,
                        t.accepted_at.as_deref().unwrap_or("-"),
                        t.done_at.as_deref().unwrap_or("-")
                    )
                })
                .collect::<Vec<_>>()
                .join("\n");
            print(cli.json, serde_json::to_value(&rows)?, text);
            Ok(())
        }
        Command::Keys(cmd) => ops::keys::run(&service, &cmd, cli.json),
        Command::Case(CaseCmd::List) => {
            let cases = service
                .store()
                .cases(&Scope::All, "operator:cli", clock.now())?;
            let rows: Vec<serde_json::Value> = cases
                .iter()
                .map(|c| {
                    serde_json::json!({
                        "case_id": c.case_id, "document_number": c.document_number,
                        "provisional_number": c.provisional_number,
                        "status": c.status, "evidence_complete": c.evidence_complete,
                    })
                })
                .collect();
            let text = cases
                .iter()
                .map(|c| {
                    format!(
                        "{}  {}  {}  {}",
                        c.case_id,
                        c.document_number.as_deref().unwrap_or("-"),
                        c.status,
                        if c.evidence_complete {
                            "证据齐全"
                        } else {
                            "证据未齐"
                        }
                    )
                })
                .collect::<Vec<_>>()
                .join("\n");
            print(cli.json, serde_json::Value::Array(rows), text);
            Ok(())
        }
        Command::Case(CaseCmd::Show { id }) => {
            let now = clock.now();
            let doc = zhifa_server::record::show::show(
                service.store().as_ref(),
                &id,
                zhifa_server::record::show::beijing_today(now),
                "operator:cli",
                now,
            )?
            .ok_or_else(|| anyhow::anyhow!("服务器没有案件 {id} 的完整记录"))?;
            let text = format!(
                "案件 {id}（{}）\n事项: {}  镇街: {}  版本: {}  文书: {} 份{}",
                doc["status_zh"].as_str().unwrap_or(""),
                doc["matter_code"].as_str().unwrap_or(""),
                doc["township"].as_str().unwrap_or(""),
                doc["version"],
                doc["documents"].as_array().map_or(0, Vec::len),
                if doc["flagged"] == serde_json::Value::Bool(true) {
                    "  已标记待法制审核"
                } else {
                    ""
                }
            );
            print(cli.json, doc, text);
            Ok(())
        }
        Command::Staff(StaffCmd::Add {
            id,
            name,
            role,
            scope,
            department,
            days,
        }) => {
            let Some(role) = zhifa_server::console::StaffRole::parse(&role) else {
                bail!("role must be command_centre, department or legal_review");
            };
            if !(1..=366).contains(&days) {
                bail!("--days must be between 1 and 366");
            }
            let token = service.store().issue_staff(
                &zhifa_server::console::NewStaff {
                    id: id.clone(),
                    name,
                    role,
                    scope,
                    department,
                },
                chrono::Duration::days(days),
                clock.now(),
            )?;
            print(
                cli.json,
                serde_json::json!({ "id": id, "token": token }),
                token.clone(),
            );
            Ok(())
        }
        Command::Staff(StaffCmd::Revoke { id }) => {
            let revoked = service.store().revoke_staff(&id, clock.now())?;
            print(
                cli.json,
                serde_json::json!({ "id": id, "revoked": revoked }),
                if revoked {
                    format!("staff {id} revoked")
                } else {
                    format!("staff {id} was not active")
                },
            );
            Ok(())
        }
        Command::Staff(StaffCmd::List) => {
            let rows = service.store().staff()?;
            let text = rows
                .iter()
                .map(|s| {
                    format!(
                        "{}  {}  {}  辖区 {}  {}  至 {}{}",
                        s.id,
                        s.name,
                        s.role.as_str(),
                        if s.scope.is_empty() {
                            "全市"
                        } else {
                            &s.scope
                        },
                        s.department.as_deref().unwrap_or("-"),
                        s.expires_at,
                        if s.revoked_at.is_some() {
                            "（已停用）"
                        } else {
                            ""
                        }
                    )
                })
                .collect::<Vec<_>>()
                .join("\n");
            print(cli.json, serde_json::to_value(&rows)?, text);
            Ok(())
        }
        Command::Officer(OfficerCmd::Add {
            id,
            name,
            township,
            role,
            credential_no,
            township_name,
        }) => {
            if role != "officer" && role != "district_supervisor" {
                bail!("role must be officer or district_supervisor");
            }
            service.store().upsert_officer(&OfficerRow {
                id: id.clone(),
                name,
                township,
                role,
            })?;
            if let (Some(c), Some(t)) = (credential_no, township_name) {
                if c.trim().is_empty() || c.chars().count() > 40 {
                    bail!("credential number must be 1..40 characters");
                }
                service
                    .store()
                    .badge_set_credential(&id, c.trim(), t.trim(), clock.now())?;
            }
            print(
                cli.json,
                serde_json::json!({ "id": id }),
                format!("officer {id} saved"),
            );
            Ok(())
        }
        Command::Officer(OfficerCmd::EnrolCode { officer }) => {
            let code = enrol_code()?;
            service
                .store()
                .add_enrol_code(&officer, &code, clock.now())?;
            print(
                cli.json,
                serde_json::json!({ "officer": officer, "code": code }),
                code.clone(),
            );
            Ok(())
        }
        Command::Badge(BadgeCmd::Key) => {
            let key = zhifa_protocol::badge::BadgeKey::of(&service.state.badge.public());
            let text = format!("{} {}", key.key_id, key.public_key);
            print(cli.json, serde_json::to_value(&key)?, text);
            Ok(())
        }
        Command::Badge(BadgeCmd::Ratings { district }) => {
            let rows = service.store().badge_ratings(district.as_deref())?;
            let text = rows
                .iter()
                .map(|r| {
                    format!(
                        "{}\t{}\t{}\t{}\t{}\t{}",
                        r.rated_at,
                        r.officer_id,
                        r.township,
                        r.inspection_id,
                        r.rating.code(),
                        r.comment.replace(['\n', '\t'], " ")
                    )
                })
                .collect::<Vec<_>>()
                .join("\n");
            print(cli.json, serde_json::to_value(&rows)?, text);
            Ok(())
        }
        Command::Device(DeviceCmd::Revoke { id }) => {
            let revoked = service.store().revoke_device(&id, clock.now())?;
            print(
                cli.json,
                serde_json::json!({ "device_id": id, "revoked": revoked }),
                if revoked {
                    format!("device {id} revoked")
                } else {
                    format!("device {id} was not active")
                },
            );
            Ok(())
        }
        Command::PublishCatalogue { file } => {
            let bytes =
                std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            let r = service.publish_catalogue(&bytes)?;
            print(
                cli.json,
                serde_json::to_value(&r)?,
                format!(
                    "published {} ({}) as publication {}",
                    r.release_id, r.sha256, r.publication
                ),
            );
            Ok(())
        }
        Command::Gc {
            upload_ttl_days,
            blob_grace_days,
        } => {
            if upload_ttl_days < 1 || blob_grace_days < 1 {
                bail!("--upload-ttl-days and --blob-grace-days must be at least 1");
            }
            let policy = zhifa_server::gc::GcPolicy {
                upload_ttl: chrono::Duration::days(upload_ttl_days),
                blob_grace: chrono::Duration::days(blob_grace_days),
            };
            let r = runtime()?.block_on(service.gc(policy))?;
            print(
                cli.json,
                serde_json::to_value(&r)?,
                format!(
                    "{} uploads expired, {} orphan partial files removed, {} blobs collected ({} bytes), {} kept",
                    r.uploads_expired,
                    r.orphan_parts_removed,
                    r.blobs_collected,
                    r.bytes_freed,
                    r.blobs_kept
                ),
            );
            Ok(())
        }
        Command::Evidence(EvidenceCmd::Seal { rekey }) => ops::seal::run(&service, rekey, cli.json),
        Command::Evidence(EvidenceCmd::Verify) => {
            let r = runtime()?.block_on(service.verify_evidence())?;
            let text = r
                .broken
                .iter()
                .map(|b| format!("{}  {:?}", b.sha256, b.check))
                .chain(std::iter::once(format!(
                    "{}: {} blobs checked ({} bytes), {} not intact",
                    r.store,
                    r.checked,
                    r.bytes,
                    r.broken.len()
                )))
                .collect::<Vec<_>>()
                .join("\n");
            print(cli.json, serde_json::to_value(&r)?, text);
            if !r.broken.is_empty() {
                std::process::exit(3);
            }
            Ok(())
        }
        Command::Openapi => Ok(()),
    }
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?)
}

fn serve(
    service: Service,
    listen: SocketAddr,
    tls: Option<(PathBuf, PathBuf)>,
    limits: &zhifa_server::edges::Limits,
) -> anyhow::Result<()> {
    if tls.is_none() && !listen.ip().is_loopback() {
        bail!(
            "refusing plain HTTP on non-loopback address {listen}: pass --tls-cert and --tls-key (rustls), \
             or listen on 127.0.0.1 / [::1]"
        );
    }
    runtime()?.block_on(async move {
        let app = api::router(service.state.clone());
        // Evidence housekeeping every hour with the default policy.
        let state = service.state.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(std::time::Duration::from_secs(3600));
            loop {
                every.tick().await;
                let st = state.clone();
                let run = zhifa_server::gc::collect(
                    &st.store,
                    &st.blobs,
                    zhifa_server::gc::GcPolicy::default(),
                    st.clock.now(),
                )
                .await;
                match run {
                    Ok(r) => tracing::info!(
                        uploads_expired = r.uploads_expired,
                        blobs_collected = r.blobs_collected,
                        bytes_freed = r.bytes_freed,
                        "evidence gc"
                    ),
                    Err(e) => tracing::warn!(code = e.kind.code(), "evidence gc failed"),
                }
            }
        });
        // A misconfigured or unreachable store is reported at once; the
        // service still starts (pushes, leases and the inbox need no store;
        // uploads answer `unavailable` until it is back).
        match service.state.blobs.head(&"0".repeat(64)).await {
            Ok(_) => tracing::info!(evidence = %service.state.blobs.describe(), "evidence store reachable"),
            Err(e) => tracing::error!(code = e.code(), error = %e, evidence = %service.state.blobs.describe(), "evidence store not reachable"),
        }
        let std_listener =
            std::net::TcpListener::bind(listen).with_context(|| format!("binding {listen}"))?;
        std_listener.set_nonblocking(true)?;
        let local = std_listener.local_addr()?;
        let scheme = if tls.is_some() { "https" } else { "http" };
        // The first stdout line tells scripts and tests where we listen.
        println!(
            "{}",
            serde_json::json!({ "listening": format!("{scheme}://{local}") })
        );
        tracing::info!(%local, scheme, "serving");
        let config = match tls {
            Some((cert, key)) => {
                let _ = rustls::crypto::ring::default_provider().install_default();
                Some(
                    axum_server::tls_rustls::RustlsConfig::from_pem_file(&cert, &key)
                        .await
                        .with_context(|| {
                            format!("loading TLS {} / {}", cert.display(), key.display())
                        })?,
                )
            }
            None => None,
        };
        let handle = axum_server::Handle::new();
        let stop = handle.clone();
        tokio::spawn(async move {
            let _ = tokio::signal::ctrl_c().await;
            stop.graceful_shutdown(Some(std::time::Duration::from_secs(10)));
        });
        zhifa_server::serve::serve(app, std_listener, config, limits, handle).await?;
        Ok(())
    })
}
