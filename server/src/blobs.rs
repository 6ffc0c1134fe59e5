//! The evidence file store on the filesystem: partial uploads under
//! `uploads/<id>.part`, verified originals under `blobs/<aa>/<sha256>`.
//!
//! Each chunk is appended at the recorded offset and fsynced before the
//! offset is recorded and acknowledged, so a `HEAD` never reports bytes the
//! disk may lose (sync.md T17). A completed upload is re-hashed in full;
//! only a match is moved (rename + directory fsync) into `blobs/`.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// Where evidence files live.
#[derive(Debug, Clone)]
pub struct BlobDir {
    root: PathBuf,
}

impl BlobDir {
    /// A store rooted at `root` (created as needed).
    pub fn new(root: impl Into<PathBuf>) -> std::io::Result<Self> {
        let root = root.into();
        fs::create_dir_all(root.join("uploads"))?;
        fs::create_dir_all(root.join("blobs"))?;
        Ok(Self { root })
    }

    fn part(&self, id: &str) -> PathBuf {
        self.root.join("uploads").join(format!("{id}.part"))
    }

    /// The final path of a verified blob.
    pub fn blob_path(&self, sha256: &str) -> PathBuf {
        let prefix: String = sha256.chars().take(2).collect();
        self.root.join("blobs").join(prefix).join(sha256)
    }

    /// Writes `chunk` at `offset` of upload `id` and fsyncs it. Bytes past
    /// `offset` left by an unacknowledged earlier attempt are cut first.
    pub fn write_chunk(&self, id: &str, offset: u64, chunk: &[u8]) -> std::io::Result<u64> {
        let mut f = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(self.part(id))?;
        f.set_len(offset)?;
        f.seek(SeekFrom::Start(offset))?;
        f.write_all(chunk)?;
        f.sync_all()?;
        Ok(offset + chunk.len() as u64)
    }

    /// Hashes the completed upload; on a match moves it into place.
    /// Returns whether it matched (a mismatch deletes the partial file).
    pub fn finish(&self, id: &str, sha256: &str) -> std::io::Result<bool> {
        let part = self.part(id);
        let mut f = File::open(&part)?;
        let mut h = Sha256::new();
        let mut buf = vec![0u8; 1 << 16];
        loop {
            let n = f.read(&mut buf)?;
            if n == 0 {
                break;
            }
            h.update(&buf[..n]);
        }
        if hex::encode(h.finalize()) != sha256 {
            fs::remove_file(&part)?;
            return Ok(false);
        }
        let dest = self.blob_path(sha256);
        let dir = dest.parent().unwrap_or(Path::new("."));
        fs::create_dir_all(dir)?;
        fs::rename(&part, &dest)?;
        File::open(dir)?.sync_all()?;
        Ok(true)
    }

    fn aside(&self, sha256: &str) -> PathBuf {
        self.root.join("gc").join(sha256)
    }

    /// Moves a verified blob aside into `gc/` (collector step 1); its size,
    /// or `None` when there is no such file.
    pub fn set_aside_blob(&self, sha256: &str) -> std::io::Result<Option<u64>> {
        let from = self.blob_path(sha256);
        let size = match fs::metadata(&from) {
            Ok(m) => m.len(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        fs::create_dir_all(self.root.join("gc"))?;
        fs::rename(&from, self.aside(sha256))?;
        Ok(Some(size))
    }

    /// Moves a blob set aside back into place.
    pub fn restore(&self, sha256: &str) -> std::io::Result<()> {
        let dest = self.blob_path(sha256);
        let dir = dest.parent().unwrap_or(Path::new("."));
        fs::create_dir_all(dir)?;
        fs::rename(self.aside(sha256), &dest)?;
        File::open(dir)?.sync_all()
    }

    /// Deletes a blob set aside.
    pub fn delete_set_aside(&self, sha256: &str) -> std::io::Result<()> {
        match fs::remove_file(self.aside(sha256)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }

    /// The hashes set aside by an interrupted collector run.
    pub fn set_aside(&self) -> std::io::Result<Vec<String>> {
        names(&self.root.join("gc"), "")
    }

    /// The ids of partial uploads on disk.
    pub fn part_ids(&self) -> std::io::Result<Vec<String>> {
        names(&self.root.join("uploads"), ".part")
    }

    /// Removes partial files not in `live` and last written more than `ttl`
    /// before `now`; returns how many.
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

    /// Deletes a partial upload, if any.
    pub fn discard(&self, id: &str) -> std::io::Result<()> {
        match fs::remove_file(self.part(id)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }
}

/// The file names in `dir` ending in `suffix`, without it (none if `dir` is missing).
fn names(dir: &Path, suffix: &str) -> std::io::Result<Vec<String>> {
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
