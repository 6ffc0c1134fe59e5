//! `zhifa-server evidence seal [--rekey]`: seals, in place, every object
//! of the evidence store written before objects were sealed (plaintext),
//! and with `--rekey` every object sealed under an older `evidence` data
//! key (after `keys rotate-data`) again under the active one
//! (`zhifa_server::blobs::upkeep`). Each object is written sealed beside
//! the original, verified (every tag, the plaintext's SHA-256), and only
//! then put in its place; a second run changes nothing. Objects that are
//! not intact are left as they are and listed (exit status 3), for
//! `evidence verify` and an upload to repair. Run while the collector is
//! not (it takes the collector's election, so two runs never overlap).

use zhifa_server::Service;

/// Runs `evidence seal`.
pub(crate) fn run(service: &Service, rekey: bool, json: bool) -> anyhow::Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let store = service.store().clone();
    // One at a time with the collector: it moves objects this rewrites.
    let Some(lease) = store.elect_collector()? else {
        anyhow::bail!("另一台服务器正在整理证据存储（垃圾回收），请稍后再运行 evidence seal");
    };
    let report = rt.block_on(service.state.blobs.seal_all(rekey));
    lease.release();
    let r = report.map_err(zhifa_server::error::ApiError::from)?;
    let text = r
        .not_intact
        .iter()
        .map(|s| format!("{s}  not intact (left as is; see evidence verify)"))
        .chain(std::iter::once(format!(
            "{}: {} objects checked, {} sealed, {} resealed, {} already sealed, {} gone, {} not intact",
            r.store,
            r.checked,
            r.sealed,
            r.resealed,
            r.already_sealed,
            r.missing,
            r.not_intact.len()
        )))
        .collect::<Vec<_>>()
        .join("\n");
    super::print(json, serde_json::to_value(&r)?, text);
    if !r.not_intact.is_empty() {
        std::process::exit(3);
    }
    Ok(())
}
