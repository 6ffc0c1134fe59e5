//! Evidence housekeeping: abandoned uploads expire and unreferenced blobs
//! are collected (docs/PROTOCOL.md, stream D; sync.md §6.7 p5, F18, F20).
//!
//! - **Upload expiry.** A resumable upload expires [`GcPolicy::upload_ttl`]
//!   (default 7 days) after it was created. The collector drops its row and
//!   its partial file; a device that comes back later gets 404 for it and
//!   starts the upload again (the engine already does so). Partial files
//!   without an upload row (a PATCH that raced an expiry) are removed once
//!   they are as old as the TTL.
//! - **Blob collection.** A verified blob is collected only when no case
//!   expects it and no evidence record names it (`case_evidence`,
//!   `evidence`: the chain of custody keeps every captured original), and it
//!   was verified more than [`GcPolicy::blob_grace`] ago (default 30 days:
//!   the evidence record of a photo may arrive after its bytes). While a
//!   blob row exists no upload of that hash can run (POST answers
//!   `verified`), so the collector never races an active upload.
//! - **Order of steps for one blob**, safe at every crash point: move the
//!   file aside into `gc/`, then delete the row in one transaction that
//!   re-checks "unreferenced" ([`Db::forget_blob`](crate::store::Db::forget_blob)); if a reference
//!   arrived in between, the file is moved back. Only then is the file
//!   deleted. A crash leaves either the blob in place or an orphan in
//!   `gc/`, which the next run restores (row present) or deletes (row gone).
//!
//! The same steps run on both evidence stores ([`Blobs`]): on S3 "move
//! aside" is a copy to `PREFIX/gc/<sha256>` then a delete of the original,
//! and a crash between the two leaves both copies, which the next run
//! resolves the same way (restore = copy back over identical bytes).
//!
//! **One collector at a time.** Several servers may share one database
//! and one evidence store (scale-out); a run first wins the election
//! ([`Db::elect_collector`](crate::store::Db::elect_collector): a PostgreSQL session advisory lock,
//! unlocked when the run ends; left unreleased, its connection is closed
//! and the database drops the lock with the session, as it does for a
//! crashed server) or reports `skipped`.
//!
//! The SQL it runs is in `crate::store::uploads`, in
//! plain SQL so the PostgreSQL port uses the same text with `$n` markers.

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde::Serialize;

use crate::api::state::blocking;
use crate::blobs::Blobs;
use crate::error::ApiError;
use crate::store::Db;

/// Uploads created before `?1` (RFC 3339): the expired ones.
pub const SQL_EXPIRED_UPLOADS: &str =
    "SELECT id FROM upload WHERE created_at < ?1 ORDER BY created_at, id";

/// Verified blobs older than `?1` that no case and no evidence record names.
pub const SQL_UNREFERENCED_BLOBS: &str = "SELECT b.sha256 FROM blob b
     WHERE b.verified_at < ?1
       AND NOT EXISTS (SELECT 1 FROM case_evidence ce WHERE ce.sha256 = b.sha256)
       AND NOT EXISTS (SELECT 1 FROM evidence e WHERE e.sha256 = b.sha256)
     ORDER BY b.verified_at, b.sha256";

/// Deletes blob `?1` only if it is still unreferenced (run in the writer's
/// transaction; 1 row deleted = collected).
pub const SQL_FORGET_BLOB: &str = "DELETE FROM blob WHERE sha256 = ?1
       AND NOT EXISTS (SELECT 1 FROM case_evidence ce WHERE ce.sha256 = ?1)
       AND NOT EXISTS (SELECT 1 FROM evidence e WHERE e.sha256 = ?1)";

/// How many rows blob `?1` has (0 or 1; a count reads the same on both backends).
pub const SQL_BLOB_KNOWN: &str = "SELECT count(*) FROM blob WHERE sha256 = ?1";

/// The base of the advisory-lock key electing the one collector among the
/// servers of one deployment (combined with its epoch, so deployments in
/// separate schemas of one database elect apart).
pub const ELECTION_KEY: i64 = 0x7a68_6966_6167;

/// How long things are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GcPolicy {
    /// An upload expires this long after it was created.
    pub upload_ttl: Duration,
    /// An unreferenced blob is kept this long after it was verified.
    pub blob_grace: Duration,
}

impl Default for GcPolicy {
    fn default() -> Self {
        Self {
            upload_ttl: Duration::days(7),
            blob_grace: Duration::days(30),
        }
    }
}

/// What a run removed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct GcReport {
    /// Expired uploads dropped (row and partial file).
    pub uploads_expired: u64,
    /// Partial files without an upload removed.
    pub orphan_parts_removed: u64,
    /// Blobs collected (row and file).
    pub blobs_collected: u64,
    /// Bytes of blob files removed.
    pub bytes_freed: u64,
    /// Candidates that gained a reference during the run and were kept.
    pub blobs_kept: u64,
    /// Another server was collecting: this run did nothing.
    pub skipped: bool,
}

fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// One collector run at `now`, on either evidence store. Storage calls
/// run on the blocking pool, store calls are async.
pub async fn collect(
    store: &Db,
    blobs: &Blobs,
    policy: GcPolicy,
    now: DateTime<Utc>,
) -> Result<GcReport, ApiError> {
    let mut report = GcReport::default();
    // One collector among all servers on this database and evidence
    // store: two at once could restore what the other set aside.
    let st = store.clone();
    let Some(lease) = blocking(move || st.elect_collector()).await? else {
        tracing::info!("another server is collecting evidence: skipped");
        report.skipped = true;
        return Ok(report);
    };
    let r = collect_elected(store, blobs, policy, now, report).await;
    blocking(move || {
        lease.release();
        Ok::<_, ApiError>(())
    })
    .await?;
    r
}

async fn collect_elected(
    store: &Db,
    blobs: &Blobs,
    policy: GcPolicy,
    now: DateTime<Utc>,
    mut report: GcReport,
) -> Result<GcReport, ApiError> {
    // Interrupted earlier runs first: a blob set aside whose row survived
    // goes back, one whose row is gone is deleted.
    for sha in blobs.set_aside().await? {
        let (st, s) = (store.clone(), sha.clone());
        if blocking(move || st.blob_known(&s)).await? {
            blobs.restore(&sha).await?;
        } else {
            blobs.delete_set_aside(&sha).await?;
        }
    }
    let expired_before = ts(now - policy.upload_ttl);
    let st = store.clone();
    for id in blocking(move || st.expired_uploads(&expired_before)).await? {
        let (st, b, i) = (store.clone(), blobs.clone(), id.clone());
        blocking(move || {
            st.upload_discard(&i)?;
            Ok::<_, ApiError>(b.discard(&i)?)
        })
        .await?;
        report.uploads_expired += 1;
        tracing::info!(upload = %id, "upload expired");
    }
    let (st, b, ttl) = (store.clone(), blobs.clone(), policy.upload_ttl);
    report.orphan_parts_removed = blocking(move || {
        let mut live = Vec::new();
        for id in b.part_ids()? {
            if st.upload(&id)?.is_some() {
                live.push(id);
            }
        }
        Ok::<_, ApiError>(b.remove_orphan_parts(&live, ttl, now)?)
    })
    .await?;
    let (st, before) = (store.clone(), ts(now - policy.blob_grace));
    for sha in blocking(move || st.unreferenced_blobs(&before)).await? {
        let size = blobs.set_aside_blob(&sha).await?;
        let (st, s) = (store.clone(), sha.clone());
        let forgotten = blocking(move || st.forget_blob(&s)).await?;
        match (size, forgotten) {
            // No object (already gone): the row went if still unreferenced.
            (None, true) => report.blobs_collected += 1,
            (None, false) => {}
            (Some(size), true) => {
                blobs.delete_set_aside(&sha).await?;
                report.blobs_collected += 1;
                report.bytes_freed += size;
                tracing::info!(blob = %sha.get(..12).unwrap_or(&sha), store = blobs.kind(), "unreferenced blob collected");
            }
            (Some(_), false) => {
                blobs.restore(&sha).await?;
                report.blobs_kept += 1;
            }
        }
    }
    Ok(report)
}
