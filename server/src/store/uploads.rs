//! Evidence bookkeeping: the rows of verified blobs and of resumable
//! uploads in progress (the bytes are `crate::blobs`'), scoped so a device
//! learns of stored bytes only when it may (no existence oracle), and the
//! queries the collector (`crate::gc`) runs. Refusals are [`UploadError`]s.

use chrono::{DateTime, Utc};
use zhifa_protocol::wire::{UploadCreate, UploadState};

use super::sql::{DbError, p};
use super::{Db, Principal, UploadRow, audit, size_of, ts};

/// Uploads created before `?1` (RFC 3339): the expired ones.
const SQL_EXPIRED_UPLOADS: &str =
    "SELECT id FROM upload WHERE created_at < ?1 ORDER BY created_at, id";

/// Verified blobs older than `?1` that no case and no evidence record names.
const SQL_UNREFERENCED_BLOBS: &str = "SELECT b.sha256 FROM blob b
     WHERE b.verified_at < ?1
       AND NOT EXISTS (SELECT 1 FROM case_evidence ce WHERE ce.sha256 = b.sha256)
       AND NOT EXISTS (SELECT 1 FROM evidence e WHERE e.sha256 = b.sha256)
     ORDER BY b.verified_at, b.sha256";

/// Deletes blob `?1` only if it is still unreferenced (run in the writer's
/// transaction; 1 row deleted = collected).
const SQL_FORGET_BLOB: &str = "DELETE FROM blob WHERE sha256 = ?1
       AND NOT EXISTS (SELECT 1 FROM case_evidence ce WHERE ce.sha256 = ?1)
       AND NOT EXISTS (SELECT 1 FROM evidence e WHERE e.sha256 = ?1)";

/// How many rows blob `?1` has (0 or 1; a count reads the same on both backends).
const SQL_BLOB_KNOWN: &str = "SELECT count(*) FROM blob WHERE sha256 = ?1";

/// The base of the advisory-lock key electing the one collector among the
/// servers of one deployment (combined with its epoch, so deployments in
/// separate schemas of one database elect apart).
pub const ELECTION_KEY: i64 = 0x7a68_6966_6167;

/// Why an upload was not started or recorded.
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    /// The declared size does not fit the database.
    #[error("file too large")]
    TooLarge,
    /// The declared size differs from the stored blob of the same hash.
    #[error("declared size differs from the stored blob")]
    SizeMismatch,
    /// Another device is uploading the same bytes.
    #[error("another device is uploading the same bytes")]
    Busy,
    /// The upload was replaced by a stored blob of the same bytes.
    #[error("upload replaced by the stored blob of the same bytes")]
    Replaced,
    /// A database fault.
    #[error(transparent)]
    Db(#[from] DbError),
}

super::area_error!(UploadError);

impl Db {
    /// Whether a verified blob exists; logged as an evidence read.
    pub fn blob_exists(
        &self,
        who: &Principal,
        sha256: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, UploadError> {
        self.write_as(|tx| {
            // Scoped: only to the device that announced the bytes, or one
            // whose township's cases name them; to anyone else a stored
            // blob is as unknown as a missing one (no existence oracle).
            let found = tx.exists(
                "SELECT 1 FROM blob b WHERE b.sha256 = ?1 AND (
                    EXISTS (SELECT 1 FROM evidence e WHERE e.sha256 = ?1 AND e.device_id = ?2)
                    OR EXISTS (SELECT 1 FROM case_evidence ce JOIN cases c ON c.case_id = ce.case_id
                               WHERE ce.sha256 = ?1 AND c.township = ?3))",
                p![sha256, who.device_id, who.township],
            )?;
            audit(tx, now, &who.actor(), "evidence.read", sha256)?;
            Ok(found)
        })
    }

    /// Starts an upload, or returns the running one for the same hash.
    pub fn upload_create(
        &self,
        who: &Principal,
        req: &UploadCreate,
        now: DateTime<Utc>,
    ) -> Result<UploadState, UploadError> {
        let size = i64::try_from(req.size).map_err(|_| UploadError::TooLarge)?;
        self.write_as(|tx| {
            // Uploads are the announcing device's: a stored blob is
            // `verified` only to a device whose own evidence record names
            // it; to any other it is as unknown as a missing one (it gets an
            // upload of its own, and the bytes it sends must hash right).
            let announced = tx.exists(
                "SELECT 1 FROM evidence WHERE sha256 = ?1 AND device_id = ?2",
                p![req.sha256, who.device_id],
            )?;
            let stored = if announced {
                tx.query_opt("SELECT size FROM blob WHERE sha256 = ?1", p![req.sha256])?
            } else {
                None
            };
            if let Some(r) = stored {
                // The stored bytes have this hash; a declaration of another
                // size cannot describe them, and is never confirmed as if it
                // did (found by the upload_patch fuzz target).
                if r.get::<i64>(0)? != size {
                    return Err(UploadError::SizeMismatch);
                }
                return Ok(UploadState {
                    upload_id: String::new(),
                    offset: req.size,
                    size: req.size,
                    verified: true,
                });
            }
            let existing = tx.query_opt(
                "SELECT id, size, \"offset\", device_id FROM upload WHERE sha256 = ?1",
                p![req.sha256],
            )?;
            if let Some(r) = &existing
                && r.get::<String>(3)? != who.device_id
                && !(announced && r.get::<i64>(1)? == size)
            {
                // Another device's upload of the same bytes is never handed
                // to a device that did not announce them, and never
                // replaced; the caller tries again once it is done or has
                // expired. A device whose own signed evidence record names
                // the same bytes and size shares it (it holds the bytes;
                // per-device staging is the follow-up, docs/AUTHZ.md).
                return Err(UploadError::Busy);
            }
            let out = match existing {
                Some(r) if r.get::<i64>(1)? == size => UploadState {
                    upload_id: r.get(0)?,
                    offset: size_of(r.get(2)?),
                    size: req.size,
                    verified: false,
                },
                other => {
                    // An unfinished upload of this digest declared another
                    // size (a corrupted or wrong declaration): only the
                    // whole file's SHA-256 decides, so it can never block
                    // the right one — it is replaced, and its partial file
                    // is left to `gc` (an orphan once its row is gone).
                    if let Some(r) = other {
                        let old: String = r.get(0)?;
                        tx.exec("DELETE FROM upload WHERE id = ?1", p![old])?;
                        tracing::warn!(upload = %old, "upload replaced: same digest, another size");
                    }
                    let id = uuid::Uuid::now_v7().to_string();
                    tx.exec(
                        "INSERT INTO upload (id, sha256, size, \"offset\", media_type, device_id, created_at)
                         VALUES (?1, ?2, ?3, 0, ?4, ?5, ?6)",
                        p![id, req.sha256, size, req.media_type, who.device_id, ts(now)],
                    )?;
                    UploadState {
                        upload_id: id,
                        offset: 0,
                        size: req.size,
                        verified: false,
                    }
                }
            };
            audit(tx, now, &who.actor(), "evidence.write", &req.sha256)?;
            Ok(out)
        })
    }

    /// An upload.
    pub fn upload(&self, id: &str) -> Result<Option<UploadRow>, UploadError> {
        self.read_as(|c| {
            let Some(r) = c.query_opt(
                "SELECT id, sha256, size, \"offset\", device_id FROM upload WHERE id = ?1",
                p![id],
            )?
            else {
                return Ok(None);
            };
            Ok(Some(UploadRow {
                id: r.get(0)?,
                sha256: r.get(1)?,
                size: size_of(r.get(2)?),
                offset: size_of(r.get(3)?),
                device_id: r.get(4)?,
            }))
        })
    }

    /// Whether an evidence record `device_id` pushed names `sha256` (the
    /// device announced these bytes: it may hear that they are stored).
    pub fn evidence_named(&self, device_id: &str, sha256: &str) -> Result<bool, UploadError> {
        self.read_as(|c| {
            Ok(c.exists(
                "SELECT 1 FROM evidence WHERE sha256 = ?1 AND device_id = ?2",
                p![sha256, device_id],
            )?)
        })
    }

    /// Records the durable offset of an upload.
    pub fn upload_advance(&self, id: &str, offset: u64) -> Result<(), UploadError> {
        self.write_as(|tx| {
            tx.exec(
                "UPDATE upload SET \"offset\" = ?2 WHERE id = ?1",
                p![id, i64::try_from(offset).unwrap_or(i64::MAX)],
            )?;
            Ok(())
        })
    }

    /// Marks the upload's blob verified, drops the upload, updates cases.
    pub fn upload_complete(
        &self,
        who: &Principal,
        id: &str,
        now: DateTime<Utc>,
    ) -> Result<(), UploadError> {
        self.write_as(|tx| {
            // Gone between the handler's read and here: another device's
            // POST of the same bytes found them in the store after this
            // completion's put and adopted them (`blob_adopt` drops the
            // upload). Answered 404 as `blob_adopt` intends: the device
            // re-POSTs and is told `verified`.
            let Some(r) = tx.query_opt("SELECT sha256, size FROM upload WHERE id = ?1", p![id])?
            else {
                return Err(UploadError::Replaced);
            };
            let (sha, size): (String, i64) = (r.get(0)?, r.get(1)?);
            tx.exec(
                "INSERT INTO blob (sha256, size, verified_at) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
                p![sha, size, ts(now)],
            )?;
            tx.exec("DELETE FROM upload WHERE id = ?1", p![id])?;
            audit(tx, now, &who.actor(), "evidence.write", &sha)?;
            Ok(())
        })
    }

    /// Records a blob found intact in the evidence store without an
    /// upload (dedup against the store); a no-op when the row exists.
    /// Drops a running upload of the same hash.
    pub fn blob_adopt(
        &self,
        who: &Principal,
        sha256: &str,
        size: u64,
        now: DateTime<Utc>,
    ) -> Result<(), UploadError> {
        let size = i64::try_from(size).map_err(|_| UploadError::TooLarge)?;
        self.write_as(|tx| {
            tx.exec(
                "INSERT INTO blob (sha256, size, verified_at) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
                p![sha256, size, ts(now)],
            )?;
            // Keep "no upload while a blob row exists" (gc.rs): a running
            // upload of these bytes is answered 404, re-POSTs, gets `verified`.
            tx.exec("DELETE FROM upload WHERE sha256 = ?1", p![sha256])?;
            audit(tx, now, &who.actor(), "evidence.write", sha256)?;
            Ok(())
        })
    }

    /// Drops an upload (its bytes failed verification).
    pub fn upload_discard(&self, id: &str) -> Result<(), UploadError> {
        self.write_as(|tx| {
            tx.exec("DELETE FROM upload WHERE id = ?1", p![id])?;
            Ok(())
        })
    }
    /// Ids of uploads created before `before` (RFC 3339): expired
    /// ([`crate::gc::SQL_EXPIRED_UPLOADS`]).
    pub fn expired_uploads(&self, before: &str) -> Result<Vec<String>, UploadError> {
        self.read_as(|c| {
            c.query(SQL_EXPIRED_UPLOADS, p![before])?
                .iter()
                .map(|r| Ok(r.get(0)?))
                .collect()
        })
    }

    /// Verified blobs older than `before` that no case and no evidence
    /// record names ([`crate::gc::SQL_UNREFERENCED_BLOBS`]).
    pub fn unreferenced_blobs(&self, before: &str) -> Result<Vec<String>, UploadError> {
        self.read_as(|c| {
            c.query(SQL_UNREFERENCED_BLOBS, p![before])?
                .iter()
                .map(|r| Ok(r.get(0)?))
                .collect()
        })
    }

    /// Deletes a blob's row only if it is still unreferenced, in one
    /// transaction; true when deleted ([`crate::gc::SQL_FORGET_BLOB`]).
    pub fn forget_blob(&self, sha256: &str) -> Result<bool, UploadError> {
        self.write_as(|tx| Ok(tx.exec(SQL_FORGET_BLOB, p![sha256])? == 1))
    }

    /// Whether a blob has a row ([`crate::gc::SQL_BLOB_KNOWN`]).
    pub fn blob_known(&self, sha256: &str) -> Result<bool, UploadError> {
        self.read_as(|c| {
            let n: i64 = c.query_one(SQL_BLOB_KNOWN, p![sha256])?.get(0)?;
            Ok(n > 0)
        })
    }

    /// Every recorded blob with its size, in hash order (evidence verify).
    pub fn blobs(&self) -> Result<Vec<(String, u64)>, UploadError> {
        self.read_as(|c| {
            let mut out = Vec::new();
            for r in c.query("SELECT sha256, size FROM blob ORDER BY sha256", p![])? {
                out.push((r.get(0)?, size_of(r.get(1)?)));
            }
            Ok(out)
        })
    }
}
