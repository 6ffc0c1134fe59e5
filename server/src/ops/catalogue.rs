//! `zhifa-server publish-catalogue FILE`: check a catalogue package with the
//! device importer's own checks and publish it as the latest release.

use std::path::Path;

use anyhow::Context;
use zhifa_server::Service;

use super::print;

/// Publishes the package in `file`.
pub(crate) fn publish(service: &Service, file: &Path, json: bool) -> anyhow::Result<()> {
    let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    let r = service.publish_catalogue(&bytes)?;
    print(
        json,
        serde_json::to_value(&r)?,
        format!(
            "published {} ({}) as publication {}",
            r.release_id, r.sha256, r.publication
        ),
    );
    Ok(())
}
