//! Published catalogue releases: an append-only list, each release id bound
//! for ever to one content hash. Refusals are [`ReleaseError`]s.

use chrono::{DateTime, Utc};
use zhifa_protocol::wire::CatalogueRelease;

use super::sql::{DbError, p};
use super::{Db, size_of, ts};

/// Why a release was not published.
#[derive(Debug, thiserror::Error)]
pub enum ReleaseError {
    /// The release id was published with other content.
    #[error("release {0} was published with other content")]
    Changed(String),
    /// A database fault.
    #[error(transparent)]
    Db(#[from] DbError),
}

super::area_error!(ReleaseError);

impl Db {
    /// Publishes a catalogue release (idempotent for the same content);
    /// its publication number.
    pub fn publish_release(
        &self,
        release_id: &str,
        sha256: &str,
        size: u64,
        now: DateTime<Utc>,
    ) -> Result<i64, ReleaseError> {
        self.write_as(|tx| {
            if let Some(r) = tx.query_opt(
                "SELECT publication, sha256 FROM catalogue_release WHERE release_id = ?1",
                p![release_id],
            )? {
                let (p, sha): (i64, String) = (r.get(0)?, r.get(1)?);
                if sha != sha256 {
                    return Err(ReleaseError::Changed(release_id.to_owned()));
                }
                return Ok(p);
            }
            Ok(tx
                .query_one(
                    "INSERT INTO catalogue_release (release_id, sha256, size, published_at) VALUES (?1, ?2, ?3, ?4)
                     RETURNING publication",
                    p![release_id, sha256, i64::try_from(size).unwrap_or(i64::MAX), ts(now)],
                )?
                .get(0)?)
        })
    }

    /// The latest published release, if any.
    pub fn latest_release(&self) -> Result<Option<CatalogueRelease>, ReleaseError> {
        self.read_as(|c| {
            let Some(r) = c.query_opt(
                "SELECT publication, release_id, sha256, size FROM catalogue_release ORDER BY publication DESC LIMIT 1",
                p![],
            )?
            else {
                return Ok(None);
            };
            let sha: String = r.get(2)?;
            Ok(Some(CatalogueRelease {
                publication: r.get(0)?,
                release_id: r.get(1)?,
                snapshot_path: format!("/v1/catalogue/snapshots/{sha}"),
                sha256: sha,
                size: size_of(r.get(3)?),
            }))
        })
    }
}
