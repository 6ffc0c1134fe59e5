//! Catalogue release deltas on the server (docs/PROTOCOL.md, stream A).
//!
//! A device that holds release A's snapshot asks for the delta to the
//! latest release B. The delta is B's snapshot encoded against A's
//! ([`zhifa_protocol::delta::encode`]), computed once per (A, B) and cached
//! beside the snapshots as `deltas/<A>-<B>.zst` (written to a temporary
//! file, fsynced, then renamed, so a crash never leaves half a delta). No
//! delta is served — the device takes the snapshot — when A is not a
//! snapshot this server published, when A already is the latest, or when
//! the delta would not be smaller than the snapshot itself.

use std::fs;
use std::io::Write;
use std::path::Path;

use zhifa_protocol::wire::CatalogueRelease;

use crate::error::ApiError;

/// A delta ready to send.
#[derive(Debug)]
pub struct Delta {
    /// The release it leads to.
    pub to: CatalogueRelease,
    /// The encoded bytes.
    pub bytes: Vec<u8>,
}

fn io(e: std::io::Error) -> ApiError {
    ApiError::from(e)
}

/// The delta from snapshot `from` (hex SHA-256) to `latest`, if one is
/// worth sending. Blocking: call it on the blocking pool.
pub fn delta_to_latest(
    catalogue_dir: &Path,
    from: &str,
    latest: &CatalogueRelease,
) -> Result<Option<Delta>, ApiError> {
    if from == latest.sha256 {
        return Ok(None);
    }
    let base_path = catalogue_dir.join(format!("{from}.json"));
    if !base_path.exists() {
        return Ok(None);
    }
    let dir = catalogue_dir.join("deltas");
    let cached = dir.join(format!("{from}-{}.zst", latest.sha256));
    let bytes = match fs::read(&cached) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let base = fs::read(&base_path).map_err(io)?;
            let target =
                fs::read(catalogue_dir.join(format!("{}.json", latest.sha256))).map_err(io)?;
            let bytes = match zhifa_protocol::delta::encode(&base, &target) {
                Ok(b) => b,
                Err(e) => {
                    tracing::warn!(code = e.code(), "no catalogue delta");
                    return Ok(None);
                }
            };
            fs::create_dir_all(&dir).map_err(io)?;
            let tmp = dir.join(format!("{from}-{}.zst.tmp", latest.sha256));
            let mut f = fs::File::create(&tmp).map_err(io)?;
            f.write_all(&bytes).map_err(io)?;
            f.sync_all().map_err(io)?;
            fs::rename(&tmp, &cached).map_err(io)?;
            if let Ok(d) = fs::File::open(&dir) {
                let _ = d.sync_all();
            }
            bytes
        }
        Err(e) => return Err(io(e)),
    };
    if bytes.len() as u64 >= latest.size {
        return Ok(None);
    }
    Ok(Some(Delta {
        to: latest.clone(),
        bytes,
    }))
}
