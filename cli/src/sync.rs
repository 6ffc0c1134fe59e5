//! `zhifa enrol` and `zhifa sync`: the device side of Zhifa Sync v1 from
//! the command line, over HTTPS (reqwest + rustls; plain HTTP only to a
//! loopback server). Kept in its own module so the CLI's other adapters
//! merge cleanly.

use std::path::PathBuf;

use clap::Args;
use zhifa_core::ErrorCode;
use zhifa_core::device::{Device, StoreKeyWrap};
use zhifa_sync::engine::{self, Engine, SyncConfig, SyncError, SystemClock};
use zhifa_sync::transport::HttpTransport;

use crate::Ctx;
use crate::output::{Failure, print_json};

#[derive(Debug, Args)]
pub(crate) struct EnrolArgs {
    /// The server's base URL, e.g. https://sync.example:8443.
    #[arg(long, value_name = "URL")]
    server: String,
    /// The one-time enrolment code.
    #[arg(long, value_name = "CODE")]
    code: String,
    /// An extra trusted CA certificate (PEM) for a private server.
    #[arg(long, env = "ZHIFA_CA_CERT", value_name = "PEM")]
    ca_cert: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct SyncArgs {
    /// An extra trusted CA certificate (PEM) for a private server.
    #[arg(long, env = "ZHIFA_CA_CERT", value_name = "PEM")]
    ca_cert: Option<PathBuf>,
}

impl From<SyncError> for Failure {
    fn from(e: SyncError) -> Self {
        let exit_bad = matches!(e, SyncError::NotEnrolled)
            || matches!(&e, SyncError::Server { status, .. } if (400..500).contains(status));
        let code = match &e {
            SyncError::Server { code, .. } => format!("SYNC_{}", code.to_uppercase()),
            other => other.code().to_owned(),
        };
        if exit_bad {
            Failure::bad_input(code, e.to_string())
        } else {
            Failure::internal(code, e.to_string())
        }
    }
}

/// The transport guard (zhifa_sync::server_url): HTTPS, or plain HTTP to
/// loopback only, never credentials in the URL; answers the normalised URL.
fn check_url(url: &str) -> Result<String, Failure> {
    zhifa_sync::server_url::check(url).map_err(|e| Failure::bad_input(e.code(), e.to_string()))
}

fn transport(url: &str, ca: Option<&PathBuf>) -> Result<HttpTransport, Failure> {
    let url = check_url(url)?;
    let pem = match ca {
        Some(p) => Some(std::fs::read(p).map_err(|e| {
            Failure::bad_input("SYNC_CA_CERT", format!("无法读取 {}: {e}", p.display()))
        })?),
        None => None,
    };
    HttpTransport::new(&url, pem.as_deref())
        .map_err(|e| Failure::bad_input("SYNC_TRANSPORT", e.to_string()))
}

fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::internal("RUNTIME", e.to_string()))
}

pub(crate) fn enrol(ctx: &Ctx, args: EnrolArgs) -> Result<(), Failure> {
    let (store, key, _dir) = crate::store::open_keyed(ctx)?;
    let now = chrono::Utc::now();
    let device = Device::load_or_create(&store, &StoreKeyWrap::new(&key), now)?;
    let t = transport(&args.server, args.ca_cert.as_ref())?;
    let url = args.server.trim_end_matches('/').to_owned();
    let tokens = runtime()?.block_on(engine::enrol(&store, &device, &t, &url, &args.code, now))?;
    let doc = serde_json::json!({
        "device_id": device.id(),
        "officer": tokens.officer.id,
        "township": tokens.officer.township,
        "role": tokens.officer.role,
        "server": url,
    });
    if ctx.json {
        print_json(&doc)
    } else {
        println!(
            "设备 {} 已激活：执法人员 {}（{}）",
            device.id(),
            tokens.officer.id,
            tokens.officer.township
        );
        Ok(())
    }
}

pub(crate) fn sync(ctx: &Ctx, args: SyncArgs) -> Result<(), Failure> {
    let (mut store, key, dir) = crate::store::open_keyed(ctx)?;
    let enrolment = engine::enrolment(&store)?.ok_or(SyncError::NotEnrolled)?;
    let device = Device::load(&store, &StoreKeyWrap::new(&key))?
        .ok_or_else(|| Failure::internal("SYNC_NO_DEVICE", "设备身份缺失"))?;
    let t = transport(&enrolment.server_url, args.ca_cert.as_ref())?;
    let cfg = SyncConfig::for_data_dir(&dir);
    let report = runtime()?.block_on(async {
        let mut e = Engine::new(&mut store, &device, &t, SystemClock, cfg);
        e.sync().await
    })?;
    let conflicts = engine::conflicts(&store)?;
    if ctx.json {
        let mut v = serde_json::to_value(&report)
            .map_err(|e| Failure::internal("OUTPUT", e.to_string()))?;
        v["conflicts"] = serde_json::to_value(&conflicts)
            .map_err(|e| Failure::internal("OUTPUT", e.to_string()))?;
        print_json(&v)
    } else {
        println!(
            "已推送 {}（重复 {}，拒绝 {}），收件 {}，目录 {}，证据 {} 个 / {} 字节",
            report.pushed,
            report.duplicates,
            report.rejected,
            report.pulled_inbox,
            report.catalogue_release.as_deref().unwrap_or("-"),
            report.blobs_uploaded,
            report.bytes_uploaded
        );
        for c in &conflicts {
            println!(
                "冲突 #{} {} {}: [{}] {}",
                c.seq, c.entity, c.entity_id, c.code, c.message
            );
        }
        Ok(())
    }
}
