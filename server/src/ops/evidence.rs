//! `zhifa-server evidence …` and `zhifa-server gc`: the evidence store —
//! read every recorded blob back and check it, and run the housekeeping
//! once (expired uploads, unreferenced blobs; one collector among all
//! servers of a deployment, the others report `skipped`).

use anyhow::bail;
use clap::Subcommand;
use zhifa_server::Service;

use super::{print, runtime};

/// `evidence` subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum EvidenceCmd {
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

/// The policy flags of `gc`.
#[derive(Debug, clap::Args)]
pub(crate) struct GcArgs {
    /// Uploads expire this many days after they were created.
    #[arg(long, default_value_t = 7)]
    upload_ttl_days: i64,
    /// Unreferenced blobs are kept this many days after verification.
    #[arg(long, default_value_t = 30)]
    blob_grace_days: i64,
}

/// Runs `cmd`; exits the process with status 3 when a blob is not intact.
pub(crate) fn run(service: &Service, cmd: EvidenceCmd, json: bool) -> anyhow::Result<()> {
    if let EvidenceCmd::Seal { rekey } = cmd {
        return super::seal::run(service, rekey, json);
    }
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
    print(json, serde_json::to_value(&r)?, text);
    if !r.broken.is_empty() {
        std::process::exit(3);
    }
    Ok(())
}

/// One housekeeping run with the policy of `args`.
pub(crate) fn gc(service: &Service, args: &GcArgs, json: bool) -> anyhow::Result<()> {
    let (upload_ttl_days, blob_grace_days) = (args.upload_ttl_days, args.blob_grace_days);
    if upload_ttl_days < 1 || blob_grace_days < 1 {
        bail!("--upload-ttl-days and --blob-grace-days must be at least 1");
    }
    let policy = zhifa_server::gc::GcPolicy {
        upload_ttl: chrono::Duration::days(upload_ttl_days),
        blob_grace: chrono::Duration::days(blob_grace_days),
    };
    let r = runtime()?.block_on(service.gc(policy))?;
    print(
        json,
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
