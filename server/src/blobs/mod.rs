//! Evidence blobs: partial uploads staged on local disk, verified originals
//! **sealed** in one of two stores behind one interface ([`Blobs`]) — the
//! local filesystem (the default, `DIR/evidence/blobs/<aa>/<sha256>`) or an
//! S3-compatible object store through the `object_store` crate
//! (`--evidence s3://BUCKET/PREFIX`, objects `PREFIX/blobs/<aa>/<sha256>`).
//!
//! - [`staging`]: chunks appended at the recorded offset of
//!   `DIR/evidence/uploads/<id>.part` and fsynced before the offset is
//!   acknowledged (sync.md T17); staging stays on local disk for both
//!   stores (chunks are small and S3 parts must be at least 5 MiB).
//! - [`part`]: the staged part's own sealed format — each chunk
//!   encrypted under the evidence data key before it reaches the disk,
//!   bound to the upload and its offset, so no original is plaintext at
//!   rest even half uploaded.
//! - [`seal`]: the sealed object format — a header (magic, version, data
//!   key id, nonce prefix, plaintext size) and 64 KiB STREAM segments of
//!   XChaCha20-Poly1305 under a vault data key of purpose `evidence`
//!   (`evidence/{generation}`, wrapped by the master key like the record
//!   keeper's keys, created by `Vault::prepare`, rotated by
//!   `keys rotate-data`), bound to the object's address.
//! - [`reader`]: one pass over a stored object — raw hash, and the
//!   segments opened when it is sealed.
//! - [`s3`]: the S3 client's configuration and the sealed (multipart) put.
//! - [`files`]: the filesystem store's paths and blocking steps.
//! - [`upkeep`]: the collector's moves (gc.rs), listing, and
//!   `evidence seal` ([`Blobs::seal_in_place`]).
//!
//! **Content addressing does not change.** An object's address is the
//! SHA-256 of the *plaintext*: the device protocol, dedup (`POST
//! /v1/blobs` answering `verified`), `evidence verify` and the documents
//! linked by hash are unaffected, and [`Blobs::head`] and [`Check`] report
//! the original's size. Only the bytes at rest differ.
//!
//! **Completion** ([`Blobs::finish`]). The staged file is re-hashed in
//! full; only a match is sealed into the store under its content address —
//! on the filesystem into `uploads/<id>.sealed`, fsynced, then a rename +
//! directory fsync; on S3 a put (multipart from [`MULTIPART_THRESHOLD`]
//! sealed bytes on, fed segment by segment) then a size check. The caller
//! records the blob row only after that, then drops the staging file.
//! Content addressing makes the put idempotent, so a crash between put and
//! record is harmless: the retried completion re-hashes the staging file
//! and seals again, or, when the staging file is gone, re-verifies the
//! stored object by reading (decrypting) it back.
//!
//! **Reading** ([`Blobs::verify`], [`Blobs::read_unchecked`]) decrypts
//! segment by segment and hashes the plaintext. Objects written before
//! sealing (plaintext) stay readable: an object counts as sealed only when
//! its tags verify under the data key its header names, otherwise its raw
//! bytes must hash to its address (see [`seal`] on why a forged magic
//! cannot fool this). `zhifa-server evidence seal` seals them in place.
//!
//! **Collection** (gc.rs): a blob is moved aside into `gc/<sha256>` (a
//! rename, or copy + delete on S3), its row deleted, then the set-aside
//! copy deleted; every step is safe to repeat. Moves copy sealed bytes.
//!
//! A store outage is [`BlobError::Store`], answered `unavailable` (503,
//! retry) — never a panic, never a half-recorded blob. The S3 client's
//! retries are bounded (a few seconds) so a device is answered promptly.
//! Blocking file I/O runs on tokio's blocking pool; `object_store` is async.
//! Credentials come from the standard `AWS_*` variables and are never
//! logged: [`Blobs::describe`] names only bucket, prefix and endpoint.

pub mod files;
pub mod part;
pub mod reader;
pub mod s3;
pub mod seal;
pub mod staging;
pub mod upkeep;

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use object_store::ObjectStoreExt;
use object_store::aws::AmazonS3;
use zhifa_protocol::ErrorKind;

use crate::error::ApiError;
use files::fs_blob;
use reader::{Opened, Reader};
pub use s3::{S3Target, test_url};
use s3::{not_found, without_userinfo};
use seal::{Header, KeyRing, SealError};
pub use upkeep::{SealReport, Sealing};

/// The S3 client's builder, for callers that override the environment's
/// settings (tests point it at a proxy or a dead port).
pub use object_store::aws::AmazonS3Builder as S3Builder;

/// Sealed objects at least this large go to S3 as a multipart upload.
pub const MULTIPART_THRESHOLD: u64 = 8 << 20;
/// The part size of a multipart upload (S3's minimum is 5 MiB).
pub const PART_SIZE: usize = 8 << 20;

/// Why a blob operation failed. Every kind is transient for the device:
/// the upload stays staged and a retry completes it.
#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    /// A local file (staging, or the filesystem store) failed.
    #[error("evidence file: {0}")]
    Io(#[from] std::io::Error),
    /// The object store failed or is unreachable.
    #[error("object store: {0}")]
    Store(#[from] object_store::Error),
    /// The sealed format (an unknown data key, no key ring …).
    #[error("evidence seal: {0}")]
    Seal(#[from] SealError),
    /// The object store accepted a put but holds a different size.
    #[error("object store holds {found} bytes for {sha256}, expected {expected}")]
    SizeAfterPut {
        /// The blob.
        sha256: String,
        /// The size staged.
        expected: u64,
        /// The size the store reports.
        found: u64,
    },
}

impl BlobError {
    /// A stable code (logs, CLI).
    pub fn code(&self) -> &'static str {
        match self {
            Self::Io(_) => "evidence_io",
            Self::Store(_) => "evidence_store_unavailable",
            Self::Seal(e) => e.code(),
            Self::SizeAfterPut { .. } => "evidence_store_size_mismatch",
        }
    }
}

impl From<BlobError> for ApiError {
    fn from(e: BlobError) -> Self {
        // The detail (paths, endpoint, store message) goes to the log only;
        // object_store's errors never carry credentials.
        tracing::error!(code = e.code(), error = %e, "evidence store error");
        ApiError::new(ErrorKind::Unavailable, "证据存储暂不可用，请稍后重试")
    }
}

/// Why `--evidence` could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// Not `file:`/a path nor `s3://BUCKET[/PREFIX]`.
    #[error("不支持的证据存储 {0}：支持 file:PATH（默认，数据目录下的 evidence/）和 s3://桶/前缀")]
    Unsupported(String),
    /// `s3://` without a bucket.
    #[error("证据存储地址缺少桶名：s3://桶/前缀")]
    NoBucket,
    /// Plain HTTP to an object store that is not on this machine.
    #[error("拒绝以明文 HTTP 连接非本机的对象存储 {0}：请使用 https://")]
    PlainHttp(String),
    /// The S3 client could not be built (bad region, endpoint …).
    #[error("对象存储配置无效：{0}")]
    S3(#[from] object_store::Error),
    /// The staging folder could not be created.
    #[error("证据暂存目录：{0}")]
    Io(#[from] std::io::Error),
}

impl ConfigError {
    /// A stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unsupported(_) => "unsupported_evidence_store",
            Self::NoBucket => "evidence_store_no_bucket",
            Self::PlainHttp(_) => "evidence_store_plain_http",
            Self::S3(_) => "evidence_store_config",
            Self::Io(_) => "io",
        }
    }
}

/// What [`Blobs::finish`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finish {
    /// The bytes match the hash and are in the store: record the blob,
    /// then [`Blobs::drop_staging`].
    Stored,
    /// The staged bytes do not match the hash; the staging file is gone.
    Mismatch,
    /// No staged bytes and no intact object: the upload must start over.
    Lost,
}

/// What reading a stored blob back found ([`Blobs::verify`]); sizes are
/// the original's (a sealed object's plaintext size).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Check {
    /// Present, the right size and the right SHA-256.
    Intact,
    /// No object at the content address.
    Missing,
    /// An object of another size.
    WrongSize {
        /// Its size.
        size: u64,
    },
    /// An object of the right size whose bytes hash differently, or a
    /// sealed object whose tags do not verify (`actual`: its raw bytes'
    /// SHA-256).
    Corrupt {
        /// Their SHA-256.
        actual: String,
    },
}

/// The S3 settings besides those the `AWS_*` variables give.
impl From<seal::SealStreamError> for BlobError {
    fn from(e: seal::SealStreamError) -> Self {
        match e {
            seal::SealStreamError::Io(e) => Self::Io(e),
            seal::SealStreamError::Seal(e) => Self::Seal(e),
        }
    }
}

#[derive(Debug)]
enum Store {
    /// `root/blobs/<aa>/<sha>`, set aside in `root/gc/<sha>`.
    Fs { root: PathBuf },
    /// `prefix/blobs/<aa>/<sha>`, set aside in `prefix/gc/<sha>`.
    S3 {
        s3: Arc<AmazonS3>,
        target: S3Target,
        endpoint: String,
    },
}

#[derive(Debug)]
struct Inner {
    /// The staging folder (`…/uploads`), always local.
    staging: PathBuf,
    store: Store,
    /// The evidence data keys ([`Blobs::install_keys`]); none: nothing
    /// can be written (never in plaintext instead), legacy objects read.
    keys: RwLock<Option<Arc<KeyRing>>>,
}

/// Where a read pass sends the plaintext it opens, chunk by chunk.
type Sink = Box<dyn FnMut(&[u8]) -> std::io::Result<()> + Send>;

/// The evidence blob store: local staging plus one of the two stores,
/// sealing what it writes. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Blobs {
    inner: Arc<Inner>,
}

/// Runs blocking I/O on tokio's blocking pool.
async fn on_pool<T: Send + 'static>(
    f: impl FnOnce() -> std::io::Result<T> + Send + 'static,
) -> Result<T, BlobError> {
    on_pool_b(move || f().map_err(BlobError::Io)).await
}

/// [`on_pool`] for steps that fail with any [`BlobError`].
async fn on_pool_b<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, BlobError> + Send + 'static,
) -> Result<T, BlobError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| BlobError::Io(std::io::Error::other(e)))?
}

/// Where an object is: at its address, or the sealed copy `evidence seal`
/// writes beside it before replacing it.
#[derive(Debug, Clone, Copy)]
enum Loc<'a> {
    Blob(&'a str),
    Side(&'a str),
}

/// An object's stored size and, when its first bytes are a sealed header
/// consistent with that size, the header.
#[derive(Debug)]
struct Stat {
    stored: u64,
    header: Option<Header>,
}

impl Stat {
    /// The size to report: the header's plaintext size, else the raw size.
    fn reported(&self) -> u64 {
        self.header.as_ref().map_or(self.stored, |h| h.plain_size)
    }
}

impl Blobs {
    fn from_parts(staging: PathBuf, store: Store) -> Self {
        Self {
            inner: Arc::new(Inner {
                staging,
                store,
                keys: RwLock::new(None),
            }),
        }
    }

    /// The filesystem store rooted at `root` (`uploads/`, `blobs/`, `gc/`
    /// created as needed).
    pub fn filesystem(root: impl Into<PathBuf>) -> std::io::Result<Self> {
        let root = root.into();
        fs::create_dir_all(root.join("uploads"))?;
        fs::create_dir_all(root.join("blobs"))?;
        Ok(Self::from_parts(root.join("uploads"), Store::Fs { root }))
    }

    /// The store with the evidence data keys `ring` installed (tests and
    /// benchmarks that build a store without a [`crate::Service`]).
    pub fn with_keys(self, ring: KeyRing) -> Self {
        self.install_keys(ring);
        self
    }

    /// Installs the evidence data keys: new objects are sealed under the
    /// ring's active key (the service does so at start and after a
    /// `keys rotate-data`; every clone sees them).
    pub fn install_keys(&self, ring: KeyRing) {
        *self.inner.keys.write().unwrap_or_else(|p| p.into_inner()) = Some(Arc::new(ring));
    }

    /// The evidence data keys installed, if any.
    pub fn keys(&self) -> Option<Arc<KeyRing>> {
        self.inner
            .keys
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    fn ring(&self) -> Result<Arc<KeyRing>, BlobError> {
        self.keys().ok_or(BlobError::Seal(SealError::NoKeys))
    }

    /// `--evidence`: `None`, `file:PATH` or a bare path → the filesystem
    /// (default `data/evidence`); `s3://BUCKET/PREFIX` → S3 with staging in
    /// `data/evidence/uploads`.
    pub fn open(data: &Path, spec: Option<&str>) -> Result<Self, ConfigError> {
        let local = data.join("evidence");
        match spec {
            None => Ok(Self::filesystem(local)?),
            Some(s) if s.starts_with("s3://") => Self::s3_from_env(s, local),
            Some(s) if s.starts_with("file:") => Ok(Self::filesystem(
                s.trim_start_matches("file://").trim_start_matches("file:"),
            )?),
            Some(s) if !s.contains("://") => Ok(Self::filesystem(s)?),
            Some(s) => Err(ConfigError::Unsupported(
                s.split(':').next().unwrap_or("").into(),
            )),
        }
    }

    /// Where blobs go, for logs: a folder, or bucket, prefix and endpoint
    /// (never credentials).
    pub fn describe(&self) -> String {
        match &self.inner.store {
            Store::Fs { root } => format!("file:{}", root.join("blobs").display()),
            Store::S3 {
                target, endpoint, ..
            } => format!(
                "s3://{}/{} at {}",
                target.bucket,
                target.prefix,
                without_userinfo(endpoint)
            ),
        }
    }

    /// `filesystem` or `s3`.
    pub fn kind(&self) -> &'static str {
        match self.inner.store {
            Store::Fs { .. } => "filesystem",
            Store::S3 { .. } => "s3",
        }
    }

    /// The file of a blob on the filesystem store (`None` on S3) — sealed
    /// bytes; read it through [`Blobs::read_unchecked`] or `verify`.
    pub fn blob_path(&self, sha256: &str) -> Option<PathBuf> {
        match &self.inner.store {
            Store::Fs { root } => Some(fs_blob(root, sha256)),
            Store::S3 { .. } => None,
        }
    }

    /// Completes upload `id` of `sha256` (`size` bytes): hashes the staged
    /// file and, on a match, seals it into the store (see the module doc).
    /// With no staged file, an intact stored object counts as stored (a
    /// completion interrupted after its put).
    pub async fn finish(&self, id: &str, sha256: &str, size: u64) -> Result<Finish, BlobError> {
        let ring = self.ring()?;
        let part = self.part(id);
        let (p, r, upload) = (part.clone(), ring.clone(), id.to_owned());
        /// What the staging folder holds for the upload.
        enum Staged {
            /// Nothing: completed (and dropped) before, or never staged.
            Missing,
            /// Bytes whose SHA-256 and length are these.
            Hashed(String, u64),
        }
        let staged = on_pool_b(move || match staging::hash_part(&r, &upload, &p) {
            Ok((h, n)) => Ok(Staged::Hashed(h, n)),
            Err(BlobError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {
                Ok(Staged::Missing)
            }
            // A record that does not open: not the bytes the device sent,
            // so they cannot match — the upload starts over.
            Err(BlobError::Io(e)) if e.kind() == std::io::ErrorKind::InvalidData => {
                Ok(Staged::Hashed(String::new(), 0))
            }
            Err(e) => Err(e),
        })
        .await?;
        let (hash, len) = match staged {
            Staged::Hashed(h, n) => (h, n),
            Staged::Missing => {
                return Ok(if self.verify(sha256, size).await? == Check::Intact {
                    Finish::Stored
                } else {
                    Finish::Lost
                });
            }
        };
        if hash != sha256 || len != size {
            let p = part.clone();
            on_pool(move || staging::remove_if_present(&p)).await?;
            return Ok(Finish::Mismatch);
        }
        match &self.inner.store {
            Store::Fs { root } => {
                let (dest, side, sha, upload) = (
                    fs_blob(root, sha256),
                    self.sealed_part(id),
                    sha256.to_owned(),
                    id.to_owned(),
                );
                on_pool_b(move || {
                    let mut plain = part::PartReader::open(&ring, &upload, &part)?;
                    files::seal_into(&ring, &sha, size, &mut plain, &side, &dest)
                })
                .await?;
            }
            Store::S3 { s3, target, .. } => {
                let key = s3::key(target, "blobs", sha256);
                let (r, upload) = (ring.clone(), id.to_owned());
                let plain = on_pool_b(move || part::PartReader::open(&r, &upload, &part)).await?;
                let plain = s3::Plain::Staged(Some(Box::new(plain)));
                let (expected, hash) = s3::put_sealed(s3, &key, plain, &ring, sha256, size).await?;
                if hash != sha256 {
                    // The staged file changed under us: never recorded.
                    return Ok(Finish::Mismatch);
                }
                let found = s3.head(&key).await?.size;
                if found != expected {
                    return Err(BlobError::SizeAfterPut {
                        sha256: sha256.to_owned(),
                        expected,
                        found,
                    });
                }
            }
        }
        Ok(Finish::Stored)
    }

    /// The stored size of the object at `loc` and its sealed header, if any.
    async fn stat(&self, loc: Loc<'_>) -> Result<Option<Stat>, BlobError> {
        match &self.inner.store {
            Store::Fs { root } => {
                let p = files::path(root, loc);
                on_pool(move || files::stat(&p)).await
            }
            Store::S3 { s3, target, .. } => {
                let key = s3::loc_key(target, loc);
                let stored = match s3.head(&key).await {
                    Ok(m) => m.size,
                    Err(e) if not_found(&e) => return Ok(None),
                    Err(e) => return Err(e.into()),
                };
                let want = (seal::MAX_HEADER as u64).min(stored);
                let first = if want == 0 {
                    Vec::new()
                } else {
                    match s3.get_range(&key, 0..want).await {
                        Ok(b) => b.to_vec(),
                        Err(e) if not_found(&e) => return Ok(None),
                        Err(e) => return Err(e.into()),
                    }
                };
                Ok(Some(Stat {
                    stored,
                    header: Reader::header_of(&first, stored),
                }))
            }
        }
    }

    /// Makes sure the data key a header names is cached (fetching it off
    /// the async runtime), so a [`Reader`] never blocks on it.
    async fn warm(&self, header: Option<&Header>) -> Result<(), BlobError> {
        let (Some(h), Some(ring)) = (header, self.keys()) else {
            return Ok(());
        };
        if ring.cached(&h.key_id).is_none() {
            let id = h.key_id.clone();
            // Unknown: the reader reports it; the object may be legacy.
            let _ = on_pool_b(move || Ok(ring.key(&id).ok())).await?;
        }
        Ok(())
    }

    /// One pass over the object at `loc` (the address `sha256`): what
    /// [`Reader`] found, plaintext to `sink`; `None` when there is none.
    async fn pass(
        &self,
        loc: Loc<'_>,
        sha256: &str,
        mut sink: Sink,
    ) -> Result<Option<Opened>, BlobError> {
        let Some(stat) = self.stat(loc).await? else {
            return Ok(None);
        };
        self.warm(stat.header.as_ref()).await?;
        let ring = self.keys();
        match &self.inner.store {
            Store::Fs { root } => {
                let (p, sha) = (files::path(root, loc), sha256.to_owned());
                on_pool(move || files::pass(&p, &sha, ring.as_deref(), &mut sink)).await
            }
            Store::S3 { s3, target, .. } => {
                let key = s3::loc_key(target, loc);
                let mut rd = Reader::new(sha256, stat.stored, ring.as_deref());
                let mut ranges = s3::Ranges::new(s3, &key, stat.stored);
                let mut buf = Vec::new();
                loop {
                    match ranges.next(&mut buf).await {
                        Ok(true) => rd.update(&buf, &mut sink)?,
                        Ok(false) => break,
                        Err(e) if not_found(&e) => return Ok(None),
                        Err(e) => return Err(e.into()),
                    }
                }
                Ok(Some(rd.finish()))
            }
        }
    }

    /// The size of the original at `sha256`'s address, if any (a sealed
    /// object's plaintext size, as its header states it).
    pub async fn head(&self, sha256: &str) -> Result<Option<u64>, BlobError> {
        Ok(self.stat(Loc::Blob(sha256)).await?.map(|s| s.reported()))
    }

    /// Reads the stored object back — decrypting a sealed one segment by
    /// segment — and checks the original's size and SHA-256.
    pub async fn verify(&self, sha256: &str, size: u64) -> Result<Check, BlobError> {
        let Some(stat) = self.stat(Loc::Blob(sha256)).await? else {
            return Ok(Check::Missing);
        };
        if stat.reported() != size && stat.stored != size {
            return Ok(Check::WrongSize {
                size: stat.reported(),
            });
        }
        let Some(opened) = self
            .pass(Loc::Blob(sha256), sha256, Box::new(|_| Ok(())))
            .await?
        else {
            return Ok(Check::Missing);
        };
        judge(sha256, size, opened)
    }
}

/// What one pass found, against the address and the expected size.
fn judge(sha256: &str, size: u64, opened: Opened) -> Result<Check, BlobError> {
    Ok(match opened {
        Opened::Sealed {
            sha256: actual,
            size: found,
            ..
        } => {
            if found != size {
                Check::WrongSize { size: found }
            } else if actual == sha256 {
                Check::Intact
            } else {
                Check::Corrupt { actual }
            }
        }
        // A legacy (plaintext) original.
        Opened::Plain {
            sha256: actual,
            size: found,
            ..
        } if actual == sha256 && found == size => Check::Intact,
        // Sealed under a key this vault does not hold: not corruption.
        Opened::Plain {
            sealed_error: Some(SealError::UnknownKey(id)),
            ..
        } => return Err(SealError::UnknownKey(id).into()),
        // A sealed object that does not open.
        Opened::Plain {
            sha256: actual,
            sealed_error: Some(_),
            ..
        } => Check::Corrupt { actual },
        Opened::Plain {
            sha256: actual,
            size: found,
            sealed_error: None,
        } => {
            if found != size {
                Check::WrongSize { size: found }
            } else {
                Check::Corrupt { actual }
            }
        }
    })
}

/// Fsyncs a folder (after a rename into it).
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    File::open(dir)?.sync_all()
}
