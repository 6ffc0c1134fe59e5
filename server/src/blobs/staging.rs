//! Staging of resumable uploads on local disk (`…/uploads/<id>.part`,
//! both stores): each chunk is appended at the recorded offset and fsynced
//! before the offset is recorded and acknowledged, so a `HEAD` never
//! reports bytes the disk may lose (sync.md T17). Each chunk is sealed
//! before it is written (the format is in [`super::part`]): no staged byte
//! is plaintext. [`Blobs::finish`] re-hashes the opened plaintext, seals
//! it into the store (the filesystem store through `<id>.sealed` beside
//! it) and the caller drops the part once the blob row is recorded; the
//! collector removes what an abandoned upload left.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::seal::KeyRing;
use super::{BlobError, Blobs, on_pool};

impl Blobs {
    pub(super) fn part(&self, id: &str) -> PathBuf {
        self.inner.staging.join(format!("{id}.part"))
    }

    /// The sealed copy of upload `id` on its way into the filesystem store.
    pub(super) fn sealed_part(&self, id: &str) -> PathBuf {
        self.inner.staging.join(format!("{id}.sealed"))
    }

    /// Seals `chunk` into upload `id` at plaintext `offset` and fsyncs it
    /// (under the evidence data key; see [`super::part`]). Bytes past
    /// `offset` left by an unacknowledged earlier attempt are cut first.
    /// Blocking: call it on the blocking pool.
    pub fn write_chunk(&self, id: &str, offset: u64, chunk: &[u8]) -> Result<u64, BlobError> {
        let ring = self.ring()?;
        super::part::write_at(&ring, id, &self.part(id), offset, chunk)
    }

    /// Deletes the staging file of a completed upload (after its row is
    /// recorded), or of a discarded one.
    pub async fn drop_staging(&self, id: &str) -> Result<(), BlobError> {
        let (p, s) = (self.part(id), self.sealed_part(id));
        on_pool(move || {
            remove_if_present(&s)?;
            remove_if_present(&p)
        })
        .await
    }

    /// The ids of partial uploads on disk. Blocking.
    pub fn part_ids(&self) -> std::io::Result<Vec<String>> {
        names(&self.inner.staging, ".part")
    }

    /// Removes partial files not in `live` and last written more than `ttl`
    /// before `now`; returns how many. Blocking.
    pub fn remove_orphan_parts(
        &self,
        live: &[String],
        ttl: chrono::Duration,
        now: chrono::DateTime<chrono::Utc>,
    ) -> std::io::Result<u64> {
        let mut n = 0;
        for id in self.part_ids()? {
            if live.contains(&id) {
                continue;
            }
            let modified: chrono::DateTime<chrono::Utc> = match fs::metadata(self.part(&id)) {
                Ok(m) => m.modified()?.into(),
                // Finished or discarded meanwhile.
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(e),
            };
            if now - modified > ttl {
                self.discard(&id)?;
                n += 1;
            }
        }
        Ok(n)
    }

    /// Deletes a partial upload (and a sealed copy of it), if any. Blocking.
    pub fn discard(&self, id: &str) -> std::io::Result<()> {
        remove_if_present(&self.sealed_part(id))?;
        remove_if_present(&self.part(id))
    }
}

pub(super) fn remove_if_present(p: &Path) -> std::io::Result<()> {
    match fs::remove_file(p) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// SHA-256 (hex) and length of the plaintext of the staged part at `path`
/// (upload `id`). Blocking.
pub(super) fn hash_part(ring: &KeyRing, id: &str, path: &Path) -> Result<(String, u64), BlobError> {
    let mut f = super::part::PartReader::open(ring, id, path)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut len = 0u64;
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
        len += n as u64;
    }
    Ok((hex::encode(h.finalize()), len))
}

/// The file names in `dir` ending in `suffix`, without it (none if `dir` is missing).
pub(super) fn names(dir: &Path, suffix: &str) -> std::io::Result<Vec<String>> {
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut out = Vec::new();
    for e in entries {
        let name = e?.file_name();
        if let Some(n) = name.to_str().and_then(|n| n.strip_suffix(suffix)) {
            out.push(n.to_owned());
        }
    }
    out.sort();
    Ok(out)
}
