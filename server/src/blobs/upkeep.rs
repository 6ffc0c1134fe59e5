//! Upkeep of stored objects: the collector's moves (gc.rs: set aside,
//! restore, delete — they move sealed bytes as they are), listing, the
//! unchecked reads and writes tests use, and `zhifa-server evidence seal`
//! ([`Blobs::seal_in_place`]): legacy plaintext objects sealed in place,
//! and with `--rekey` objects under an older data key sealed again under
//! the active one. Each object is written sealed beside the original, read
//! back (every tag verified, the plaintext hashed to the address), and
//! only then put in its place — a rename on the filesystem, a server-side
//! copy from `PREFIX/sealing/<sha256>` on S3 — so a crash at any point
//! leaves the original or its verified sealed copy. Idempotent: an object
//! already sealed under the active key is left alone.

use std::fs;
use std::path::Path;

use object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use serde::Serialize;

use super::reader::{self, Opened};
use super::seal::{self, SealError};
use super::staging::{names, remove_if_present};
use super::{BlobError, Blobs, Loc, Store, files, on_pool, on_pool_b, s3};
use files::fs_blob;
use s3::not_found;

/// What [`Blobs::seal_in_place`] did to one object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Sealing {
    /// A legacy plaintext object, now sealed.
    Sealed,
    /// Sealed under an older data key, now under the active one (`--rekey`).
    Resealed,
    /// Already sealed (under the active key, or any key without `--rekey`).
    AlreadySealed,
    /// Gone meanwhile (collected).
    Missing,
    /// Neither opens nor hashes to its address: left untouched, for
    /// `evidence verify` to report.
    NotIntact,
}

/// What `zhifa-server evidence seal` did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SealReport {
    /// The store ([`Blobs::describe`]).
    pub store: String,
    /// Objects looked at.
    pub checked: u64,
    /// Legacy objects sealed.
    pub sealed: u64,
    /// Objects sealed again under the active key.
    pub resealed: u64,
    /// Objects already sealed.
    pub already_sealed: u64,
    /// Objects gone meanwhile.
    pub missing: u64,
    /// Objects left untouched because they are not intact.
    pub not_intact: Vec<String>,
}

impl Blobs {
    /// Every object's address in the store (`blobs/`), sorted.
    pub async fn list(&self) -> Result<Vec<String>, BlobError> {
        match &self.inner.store {
            Store::Fs { root } => {
                let root = root.clone();
                on_pool(move || files::list(&root)).await
            }
            Store::S3 { s3, target, .. } => {
                let top = s3
                    .list_with_delimiter(Some(&s3::folder(target, "blobs")))
                    .await?;
                let mut out = Vec::new();
                for dir in top.common_prefixes {
                    let listed = s3.list_with_delimiter(Some(&dir)).await?;
                    out.extend(
                        listed
                            .objects
                            .iter()
                            .filter_map(|o| o.location.filename())
                            .filter(|n| files::is_sha256(n))
                            .map(str::to_owned),
                    );
                }
                out.sort();
                Ok(out)
            }
        }
    }

    /// Seals the object at `sha256` in place if it is a legacy plaintext
    /// one (or, with `rekey`, sealed under another key than the active
    /// one); see the module doc.
    pub async fn seal_in_place(&self, sha256: &str, rekey: bool) -> Result<Sealing, BlobError> {
        let ring = self.ring()?;
        let Some(opened) = self
            .pass(Loc::Blob(sha256), sha256, Box::new(|_| Ok(())))
            .await?
        else {
            return Ok(Sealing::Missing);
        };
        let (size, reseal) = match opened {
            Opened::Sealed {
                sha256: s,
                key_id,
                size,
            } if s == sha256 => {
                if !rekey || key_id == ring.active_id() {
                    return Ok(Sealing::AlreadySealed);
                }
                (size, true)
            }
            Opened::Plain {
                sha256: s, size, ..
            } if s == sha256 => (size, false),
            Opened::Plain {
                sealed_error: Some(SealError::UnknownKey(id)),
                ..
            } => return Err(SealError::UnknownKey(id).into()),
            _ => return Ok(Sealing::NotIntact),
        };
        match &self.inner.store {
            Store::Fs { root } => {
                let (root, sha) = (root.clone(), sha256.to_owned());
                let r = ring.clone();
                on_pool_b(move || files::seal_in_place(&root, &r, &sha, size, reseal)).await?;
            }
            Store::S3 { s3, target, .. } => {
                let (src, side) = (
                    s3::key(target, "blobs", sha256),
                    s3::key(target, "sealing", sha256),
                );
                let stored = match s3.head(&src).await {
                    Ok(m) => m.size,
                    Err(e) if not_found(&e) => return Ok(Sealing::Missing),
                    Err(e) => return Err(e.into()),
                };
                let ranges = s3::Ranges::new(s3, &src, stored);
                let plain = if reseal {
                    s3::Plain::Opened(
                        ranges,
                        Box::new(reader::Reader::new(sha256, stored, Some(&ring))),
                    )
                } else {
                    s3::Plain::Object(ranges)
                };
                let (expected, hash) =
                    s3::put_sealed(s3, &side, plain, &ring, sha256, size).await?;
                let verified = hash == sha256
                    && matches!(
                        self.pass(Loc::Side(sha256), sha256, Box::new(|_| Ok(()))).await?,
                        Some(Opened::Sealed { sha256: ref s, ref key_id, .. })
                            if s == sha256 && key_id == ring.active_id()
                    );
                if !verified {
                    let _ = s3.delete(&side).await;
                    return Err(std::io::Error::other(format!(
                        "sealed copy of {sha256} does not verify"
                    ))
                    .into());
                }
                s3.copy(&side, &src).await?;
                let found = s3.head(&src).await?.size;
                if found != expected {
                    return Err(BlobError::SizeAfterPut {
                        sha256: sha256.to_owned(),
                        expected,
                        found,
                    });
                }
                if let Err(e) = s3.delete(&side).await
                    && !not_found(&e)
                {
                    return Err(e.into());
                }
            }
        }
        Ok(if reseal {
            Sealing::Resealed
        } else {
            Sealing::Sealed
        })
    }

    /// Seals every object in the store that needs it ([`Blobs::list`],
    /// [`Blobs::seal_in_place`]).
    pub async fn seal_all(&self, rekey: bool) -> Result<SealReport, BlobError> {
        let mut r = SealReport {
            store: self.describe(),
            ..SealReport::default()
        };
        for sha in self.list().await? {
            r.checked += 1;
            match self.seal_in_place(&sha, rekey).await? {
                Sealing::Sealed => r.sealed += 1,
                Sealing::Resealed => r.resealed += 1,
                Sealing::AlreadySealed => r.already_sealed += 1,
                Sealing::Missing => r.missing += 1,
                Sealing::NotIntact => {
                    tracing::error!(blob = %sha.get(..12).unwrap_or(&sha), "evidence object not intact; left unsealed");
                    r.not_intact.push(sha);
                }
            }
        }
        Ok(r)
    }

    /// Writes `bytes` as they are (no seal) at `sha256`'s address — for
    /// fault injection and legacy (plaintext) objects in tests and
    /// benchmarks only; the service never calls it.
    #[doc(hidden)]
    pub async fn put_unchecked(&self, sha256: &str, bytes: Vec<u8>) -> Result<(), BlobError> {
        match &self.inner.store {
            Store::Fs { root } => {
                let p = fs_blob(root, sha256);
                on_pool(move || {
                    fs::create_dir_all(p.parent().unwrap_or(Path::new(".")))?;
                    fs::write(&p, bytes)
                })
                .await
            }
            Store::S3 { s3, target, .. } => {
                s3.put(&s3::key(target, "blobs", sha256), PutPayload::from(bytes))
                    .await?;
                Ok(())
            }
        }
    }

    /// The raw stored bytes at `sha256`'s address, whole (tests: what is
    /// at rest).
    #[doc(hidden)]
    pub async fn read_raw(&self, sha256: &str) -> Result<Option<Vec<u8>>, BlobError> {
        match &self.inner.store {
            Store::Fs { root } => {
                let p = fs_blob(root, sha256);
                on_pool(move || match fs::read(&p) {
                    Ok(b) => Ok(Some(b)),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                    Err(e) => Err(e),
                })
                .await
            }
            Store::S3 { s3, target, .. } => match s3.get(&s3::key(target, "blobs", sha256)).await {
                Ok(r) => Ok(Some(r.bytes().await?.to_vec())),
                Err(e) if not_found(&e) => Ok(None),
                Err(e) => Err(e.into()),
            },
        }
    }

    /// The original at `sha256`'s address, whole — decrypted when sealed,
    /// as stored when legacy; not checked against the address — for tests;
    /// the service never reads a blob into memory.
    #[doc(hidden)]
    pub async fn read_unchecked(&self, sha256: &str) -> Result<Option<Vec<u8>>, BlobError> {
        let Some(raw) = self.read_raw(sha256).await? else {
            return Ok(None);
        };
        if reader::Reader::header_of(&raw, raw.len() as u64).is_none() {
            return Ok(Some(raw));
        }
        let Some(ring) = self.keys() else {
            return Ok(Some(raw));
        };
        let sha = sha256.to_owned();
        on_pool_b(move || match seal::open_bytes(&ring, &sha, &raw) {
            Ok(plain) => Ok(Some(plain)),
            // A legacy original that begins like a header.
            Err(_) if hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&raw)) == sha => {
                Ok(Some(raw))
            }
            Err(e) => Err(e.into()),
        })
        .await
    }

    /// Moves a verified blob aside into `gc/` (collector step 1); its size,
    /// or `None` when there is no such object.
    pub async fn set_aside_blob(&self, sha256: &str) -> Result<Option<u64>, BlobError> {
        match &self.inner.store {
            Store::Fs { root } => {
                let (from, to, gc) = (
                    fs_blob(root, sha256),
                    root.join("gc").join(sha256),
                    root.join("gc"),
                );
                on_pool(move || {
                    let size = match fs::metadata(&from) {
                        Ok(m) => m.len(),
                        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
                        Err(e) => return Err(e),
                    };
                    fs::create_dir_all(gc)?;
                    fs::rename(&from, to)?;
                    Ok(Some(size))
                })
                .await
            }
            Store::S3 { s3, target, .. } => {
                let (from, to) = (
                    s3::key(target, "blobs", sha256),
                    s3::key(target, "gc", sha256),
                );
                let size = match s3.head(&from).await {
                    Ok(m) => m.size,
                    Err(e) if not_found(&e) => return Ok(None),
                    Err(e) => return Err(e.into()),
                };
                // Copy, then delete: a crash in between leaves both, and
                // the next run restores the copy over the original (row
                // still present) — identical bytes either way.
                s3.copy(&from, &to).await?;
                s3.delete(&from).await?;
                Ok(Some(size))
            }
        }
    }

    /// Moves a blob set aside back into place.
    pub async fn restore(&self, sha256: &str) -> Result<(), BlobError> {
        match &self.inner.store {
            Store::Fs { root } => {
                let (from, dest) = (root.join("gc").join(sha256), fs_blob(root, sha256));
                on_pool(move || {
                    let dir = dest.parent().unwrap_or(Path::new("."));
                    fs::create_dir_all(dir)?;
                    fs::rename(from, &dest)?;
                    super::sync_dir(dir)
                })
                .await
            }
            Store::S3 { s3, target, .. } => {
                let (from, to) = (
                    s3::key(target, "gc", sha256),
                    s3::key(target, "blobs", sha256),
                );
                s3.copy(&from, &to).await?;
                s3.delete(&from).await?;
                Ok(())
            }
        }
    }

    /// Deletes a blob set aside (absent is fine).
    pub async fn delete_set_aside(&self, sha256: &str) -> Result<(), BlobError> {
        match &self.inner.store {
            Store::Fs { root } => {
                let p = root.join("gc").join(sha256);
                on_pool(move || remove_if_present(&p)).await
            }
            Store::S3 { s3, target, .. } => match s3.delete(&s3::key(target, "gc", sha256)).await {
                Err(e) if !not_found(&e) => Err(e.into()),
                _ => Ok(()),
            },
        }
    }

    /// The hashes set aside by an interrupted collector run.
    pub async fn set_aside(&self) -> Result<Vec<String>, BlobError> {
        match &self.inner.store {
            Store::Fs { root } => {
                let gc = root.join("gc");
                on_pool(move || names(&gc, "")).await
            }
            Store::S3 { s3, target, .. } => {
                let dir = s3::folder(target, "gc");
                let listed = s3.list_with_delimiter(Some(&dir)).await?;
                let mut out: Vec<String> = listed
                    .objects
                    .iter()
                    .filter_map(|o| o.location.filename().map(str::to_owned))
                    .collect();
                out.sort();
                Ok(out)
            }
        }
    }
}
