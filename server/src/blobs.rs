//! Evidence blobs: partial uploads staged on local disk, verified originals
//! in one of two stores behind one interface ([`Blobs`]) — the local
//! filesystem (the default, `DIR/evidence/blobs/<aa>/<sha256>`) or an
//! S3-compatible object store through the `object_store` crate
//! (`--evidence s3://BUCKET/PREFIX`, objects `PREFIX/blobs/<aa>/<sha256>`).
//!
//! **Staging.** Each chunk is appended at the recorded offset of
//! `DIR/evidence/uploads/<id>.part` and fsynced before the offset is
//! recorded and acknowledged, so a `HEAD` never reports bytes the disk may
//! lose (sync.md T17). Staging stays on local disk for both stores: chunks
//! are small and S3 multipart parts must be at least 5 MiB.
//!
//! **Completion** ([`Blobs::finish`]). The staged file is re-hashed in
//! full; only a match goes into the store under its content address — a
//! rename + directory fsync on the filesystem, a put (multipart from
//! [`MULTIPART_THRESHOLD`] on) then a size check on S3. The caller records
//! the blob row only after that, then drops the staging file. Content
//! addressing makes the put idempotent, so a crash between put and record
//! is harmless: the retried completion re-hashes the staging file and puts
//! again, or, when the staging file is gone (the filesystem rename
//! happened), re-verifies the stored object by reading it back.
//!
//! **Collection** (gc.rs): a blob is moved aside into `gc/<sha256>` (a
//! rename, or copy + delete on S3), its row deleted, then the set-aside
//! copy deleted; every step is safe to repeat.
//!
//! A store outage is [`BlobError::Store`], answered `unavailable` (503,
//! retry) — never a panic, never a half-recorded blob. The S3 client's
//! retries are bounded (a few seconds) so a device is answered promptly.
//! Blocking file I/O runs on tokio's blocking pool; `object_store` is async.
//! Credentials come from the standard `AWS_*` variables and are never
//! logged: [`Blobs::describe`] names only bucket, prefix and endpoint.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use object_store::aws::{AmazonS3, AmazonS3Builder, AmazonS3ConfigKey};
use object_store::path::Path as ObjectPath;
use object_store::{
    ClientConfigKey, ObjectStore, ObjectStoreExt, PutPayload, RetryConfig, WriteMultipart,
};
use sha2::{Digest, Sha256};
use tokio::io::AsyncReadExt;
use zhifa_protocol::ErrorKind;

use crate::error::ApiError;

/// The S3 client's builder, for callers that override the environment's
/// settings (tests point it at a proxy or a dead port).
pub use object_store::aws::AmazonS3Builder as S3Builder;

/// The S3 store the tests run against: `ZHIFA_TEST_S3_URL` (with the
/// `AWS_*` variables scripts/s3.sh prints). When it is unset a test prints
/// `skipped: ZHIFA_TEST_S3_URL unset` and gets `Ok(None)` — unless
/// `ZHIFA_REQUIRE_S3=1` (CI), which makes that an `Err`, so a missing store
/// fails the run instead of passing it silently.
pub fn test_url(test: &str) -> Result<Option<String>, String> {
    match std::env::var("ZHIFA_TEST_S3_URL") {
        Ok(u) if !u.is_empty() => Ok(Some(u)),
        _ if std::env::var("ZHIFA_REQUIRE_S3").as_deref() == Ok("1") => Err(format!(
            "{test}: ZHIFA_REQUIRE_S3=1 but ZHIFA_TEST_S3_URL is unset (start one with scripts/s3.sh)"
        )),
        _ => {
            println!("{test} [s3]: skipped: ZHIFA_TEST_S3_URL unset");
            Ok(None)
        }
    }
}

/// Blobs at least this large go to S3 as a multipart upload.
pub const MULTIPART_THRESHOLD: u64 = 8 << 20;
/// The part size of a multipart upload (S3's minimum is 5 MiB).
pub const PART_SIZE: usize = 8 << 20;
/// Parts in flight at once during a multipart upload.
const PART_CONCURRENCY: usize = 2;
/// Bytes read per request when an object is read back to verify it.
const READ_STEP: u64 = 8 << 20;

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

/// What reading a stored blob back found ([`Blobs::verify`]).
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
    /// An object of the right size whose bytes hash differently.
    Corrupt {
        /// Their SHA-256.
        actual: String,
    },
}

/// The S3 settings besides those the `AWS_*` variables give.
#[derive(Debug, Clone)]
pub struct S3Target {
    /// The bucket.
    pub bucket: String,
    /// The key prefix (no leading or trailing `/`; may be empty).
    pub prefix: String,
}

impl S3Target {
    /// Parses `s3://BUCKET[/PREFIX]`.
    pub fn parse(url: &str) -> Result<Self, ConfigError> {
        let rest = url
            .strip_prefix("s3://")
            .ok_or_else(|| ConfigError::Unsupported(url.split(':').next().unwrap_or("").into()))?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            return Err(ConfigError::NoBucket);
        }
        Ok(Self {
            bucket: bucket.to_owned(),
            prefix: prefix.trim_matches('/').to_owned(),
        })
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
}

/// The evidence blob store: local staging plus one of the two stores.
/// Cheap to clone.
#[derive(Debug, Clone)]
pub struct Blobs {
    inner: Arc<Inner>,
}

async fn on_pool<T: Send + 'static>(
    f: impl FnOnce() -> std::io::Result<T> + Send + 'static,
) -> Result<T, BlobError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| BlobError::Io(std::io::Error::other(e)))?
        .map_err(BlobError::Io)
}

fn not_found(e: &object_store::Error) -> bool {
    matches!(e, object_store::Error::NotFound { .. })
}

/// `scheme://user:pass@host/…` → `scheme://host/…`: an endpoint URL never
/// shows credentials in a log line.
fn without_userinfo(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
            let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
            format!("{scheme}://{host}{path}")
        }
        None => url.to_owned(),
    }
}

fn is_loopback_url(url: &str) -> bool {
    let host = url
        .split_once("://")
        .map_or(url, |(_, r)| r)
        .split(['/', '?'])
        .next()
        .unwrap_or("");
    let host = match host.rsplit_once('@') {
        Some((_, h)) => h,
        None => host,
    };
    let name = if let Some(v6) = host.strip_prefix('[') {
        v6.split(']').next().unwrap_or("")
    } else {
        host.split(':').next().unwrap_or("")
    };
    name == "localhost"
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

impl Blobs {
    /// The filesystem store rooted at `root` (`uploads/`, `blobs/`, `gc/`
    /// created as needed).
    pub fn filesystem(root: impl Into<PathBuf>) -> std::io::Result<Self> {
        let root = root.into();
        fs::create_dir_all(root.join("uploads"))?;
        fs::create_dir_all(root.join("blobs"))?;
        Ok(Self {
            inner: Arc::new(Inner {
                staging: root.join("uploads"),
                store: Store::Fs { root },
            }),
        })
    }

    /// An S3-compatible store for `s3://BUCKET[/PREFIX]`, configured from
    /// the `AWS_*` environment (endpoint `AWS_ENDPOINT_URL`, region
    /// `AWS_REGION`, credentials `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`
    /// or the instance's role, `AWS_ALLOW_HTTP=true` for a plain-HTTP
    /// endpoint — accepted on loopback only), staging under `staging_root`.
    pub fn s3_from_env(url: &str, staging_root: impl Into<PathBuf>) -> Result<Self, ConfigError> {
        let target = S3Target::parse(url)?;
        let builder = AmazonS3Builder::from_env();
        Self::s3(target, builder, staging_root)
    }

    /// An S3-compatible store from a builder (the environment's, with
    /// overrides — tests point it at a dead port).
    pub fn s3(
        target: S3Target,
        builder: AmazonS3Builder,
        staging_root: impl Into<PathBuf>,
    ) -> Result<Self, ConfigError> {
        let endpoint = builder
            .get_config_value(&AmazonS3ConfigKey::Endpoint)
            .unwrap_or_else(|| "https://s3.amazonaws.com".into());
        if endpoint.starts_with("http://") && !is_loopback_url(&endpoint) {
            return Err(ConfigError::PlainHttp(without_userinfo(&endpoint)));
        }
        // reqwest is built with rustls but no bundled provider: the
        // server's one provider is ring (as for its own TLS). An error
        // means one is installed already, which is what we need.
        let _ = rustls::crypto::ring::default_provider().install_default();
        // Timeouts by key, so the environment's other client settings
        // (AWS_ALLOW_HTTP, proxies) stay; the environment may override them.
        let mut builder = builder.with_bucket_name(&target.bucket);
        for (key, default) in [
            (ClientConfigKey::ConnectTimeout, "5s"),
            (ClientConfigKey::Timeout, "120s"),
        ] {
            let key = AmazonS3ConfigKey::Client(key);
            if builder.get_config_value(&key).is_none() {
                builder = builder.with_config(key, default);
            }
        }
        let s3 = builder
            .with_retry(RetryConfig {
                backoff: Default::default(),
                max_retries: 3,
                retry_timeout: Duration::from_secs(15),
            })
            .build()?;
        let root = staging_root.into();
        let staging = root.join("uploads");
        fs::create_dir_all(&staging)?;
        Ok(Self {
            inner: Arc::new(Inner {
                staging,
                store: Store::S3 {
                    s3: Arc::new(s3),
                    target,
                    endpoint,
                },
            }),
        })
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

    fn part(&self, id: &str) -> PathBuf {
        self.inner.staging.join(format!("{id}.part"))
    }

    /// The file of a verified blob on the filesystem store (`None` on S3).
    pub fn blob_path(&self, sha256: &str) -> Option<PathBuf> {
        match &self.inner.store {
            Store::Fs { root } => Some(fs_blob(root, sha256)),
            Store::S3 { .. } => None,
        }
    }

    fn key(target: &S3Target, dir: &str, sha256: &str) -> ObjectPath {
        let rel = if dir == "blobs" {
            format!("blobs/{}/{sha256}", sha256.get(..2).unwrap_or("00"))
        } else {
            format!("{dir}/{sha256}")
        };
        if target.prefix.is_empty() {
            ObjectPath::from(rel)
        } else {
            ObjectPath::from(format!("{}/{rel}", target.prefix))
        }
    }

    /// Writes `chunk` at `offset` of upload `id` and fsyncs it. Bytes past
    /// `offset` left by an unacknowledged earlier attempt are cut first.
    /// Blocking: call it on the blocking pool.
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

    /// Completes upload `id` of `sha256` (`size` bytes): hashes the staged
    /// file and, on a match, puts it into the store (see the module doc).
    /// With no staged file, an intact stored object counts as stored (a
    /// completion interrupted after its put).
    pub async fn finish(&self, id: &str, sha256: &str, size: u64) -> Result<Finish, BlobError> {
        let part = self.part(id);
        let p = part.clone();
        let staged = on_pool(move || match hash_file(&p) {
            Ok(h) => Ok(Some(h)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        })
        .await?;
        let Some((hash, len)) = staged else {
            return Ok(if self.verify(sha256, size).await? == Check::Intact {
                Finish::Stored
            } else {
                Finish::Lost
            });
        };
        if hash != sha256 || len != size {
            let p = part.clone();
            on_pool(move || remove_if_present(&p)).await?;
            return Ok(Finish::Mismatch);
        }
        match &self.inner.store {
            Store::Fs { root } => {
                let dest = fs_blob(root, sha256);
                on_pool(move || {
                    let dir = dest.parent().unwrap_or(Path::new("."));
                    fs::create_dir_all(dir)?;
                    fs::rename(&part, &dest)?;
                    File::open(dir)?.sync_all()
                })
                .await?;
            }
            Store::S3 { s3, target, .. } => {
                let key = Self::key(target, "blobs", sha256);
                put_file(s3, &key, &part, size).await?;
                let found = s3.head(&key).await?.size;
                if found != size {
                    return Err(BlobError::SizeAfterPut {
                        sha256: sha256.to_owned(),
                        expected: size,
                        found,
                    });
                }
            }
        }
        Ok(Finish::Stored)
    }

    /// Deletes the staging file of a completed upload (after its row is
    /// recorded), or of a discarded one.
    pub async fn drop_staging(&self, id: &str) -> Result<(), BlobError> {
        let p = self.part(id);
        on_pool(move || remove_if_present(&p)).await
    }

    /// The size of the object at `sha256`'s address, if any.
    pub async fn head(&self, sha256: &str) -> Result<Option<u64>, BlobError> {
        match &self.inner.store {
            Store::Fs { root } => {
                let p = fs_blob(root, sha256);
                on_pool(move || match fs::metadata(&p) {
                    Ok(m) => Ok(Some(m.len())),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                    Err(e) => Err(e),
                })
                .await
            }
            Store::S3 { s3, target, .. } => {
                match s3.head(&Self::key(target, "blobs", sha256)).await {
                    Ok(m) => Ok(Some(m.size)),
                    Err(e) if not_found(&e) => Ok(None),
                    Err(e) => Err(e.into()),
                }
            }
        }
    }

    /// Reads the stored object back and checks its size and SHA-256.
    pub async fn verify(&self, sha256: &str, size: u64) -> Result<Check, BlobError> {
        let Some(found) = self.head(sha256).await? else {
            return Ok(Check::Missing);
        };
        if found != size {
            return Ok(Check::WrongSize { size: found });
        }
        let actual = match &self.inner.store {
            Store::Fs { root } => {
                let p = fs_blob(root, sha256);
                match on_pool(move || hash_file(&p)).await {
                    Ok((h, _)) => h,
                    Err(BlobError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {
                        return Ok(Check::Missing);
                    }
                    Err(e) => return Err(e),
                }
            }
            Store::S3 { s3, target, .. } => {
                let key = Self::key(target, "blobs", sha256);
                let mut h = Sha256::new();
                let mut at = 0;
                while at < size {
                    let end = (at + READ_STEP).min(size);
                    match s3.get_range(&key, at..end).await {
                        Ok(b) => h.update(&b),
                        Err(e) if not_found(&e) => return Ok(Check::Missing),
                        Err(e) => return Err(e.into()),
                    }
                    at = end;
                }
                hex::encode(h.finalize())
            }
        };
        Ok(if actual == sha256 {
            Check::Intact
        } else {
            Check::Corrupt { actual }
        })
    }

    /// Writes `bytes` at `sha256`'s address without any check — for fault
    /// injection in tests and benchmarks only; the service never calls it.
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
                s3.put(&Self::key(target, "blobs", sha256), PutPayload::from(bytes))
                    .await?;
                Ok(())
            }
        }
    }

    /// The stored bytes at `sha256`'s address, unverified, whole — for
    /// tests; the service never reads a blob into memory.
    #[doc(hidden)]
    pub async fn read_unchecked(&self, sha256: &str) -> Result<Option<Vec<u8>>, BlobError> {
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
            Store::S3 { s3, target, .. } => {
                match s3.get(&Self::key(target, "blobs", sha256)).await {
                    Ok(r) => Ok(Some(r.bytes().await?.to_vec())),
                    Err(e) if not_found(&e) => Ok(None),
                    Err(e) => Err(e.into()),
                }
            }
        }
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
                    Self::key(target, "blobs", sha256),
                    Self::key(target, "gc", sha256),
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
                    File::open(dir)?.sync_all()
                })
                .await
            }
            Store::S3 { s3, target, .. } => {
                let (from, to) = (
                    Self::key(target, "gc", sha256),
                    Self::key(target, "blobs", sha256),
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
            Store::S3 { s3, target, .. } => {
                match s3.delete(&Self::key(target, "gc", sha256)).await {
                    Err(e) if !not_found(&e) => Err(e.into()),
                    _ => Ok(()),
                }
            }
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
                let dir = if target.prefix.is_empty() {
                    ObjectPath::from("gc")
                } else {
                    ObjectPath::from(format!("{}/gc", target.prefix))
                };
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

    /// Deletes a partial upload, if any. Blocking.
    pub fn discard(&self, id: &str) -> std::io::Result<()> {
        remove_if_present(&self.part(id))
    }
}

fn fs_blob(root: &Path, sha256: &str) -> PathBuf {
    let prefix: String = sha256.chars().take(2).collect();
    root.join("blobs").join(prefix).join(sha256)
}

fn remove_if_present(p: &Path) -> std::io::Result<()> {
    match fs::remove_file(p) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// SHA-256 (hex) and length of a file.
fn hash_file(path: &Path) -> std::io::Result<(String, u64)> {
    let mut f = File::open(path)?;
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

/// Puts a local file at `key`: one request below [`MULTIPART_THRESHOLD`],
/// a multipart upload of [`PART_SIZE`] parts from it on (aborted on error,
/// so no parts are left billed).
async fn put_file(
    s3: &AmazonS3,
    key: &ObjectPath,
    file: &Path,
    size: u64,
) -> Result<(), BlobError> {
    if size < MULTIPART_THRESHOLD {
        let bytes = tokio::fs::read(file).await?;
        s3.put(key, PutPayload::from(bytes)).await?;
        return Ok(());
    }
    let upload = s3.put_multipart(key).await?;
    let mut w = WriteMultipart::new_with_chunk_size(upload, PART_SIZE);
    let mut f = tokio::fs::File::open(file).await?;
    let mut buf = vec![0u8; 1 << 20];
    let res: Result<(), BlobError> = async {
        loop {
            let n = f.read(&mut buf).await?;
            if n == 0 {
                return Ok(());
            }
            w.wait_for_capacity(PART_CONCURRENCY).await?;
            w.write(&buf[..n]);
        }
    }
    .await;
    match res {
        Ok(()) => {
            w.finish().await?;
            Ok(())
        }
        Err(e) => {
            if let Err(abort) = w.abort().await {
                tracing::warn!(error = %abort, "multipart upload not aborted; the bucket's lifecycle rule removes it");
            }
            Err(e)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s3_urls_parse_into_bucket_and_prefix() {
        let t = S3Target::parse("s3://evidence/zhifa/prod/").unwrap();
        assert_eq!(
            (t.bucket.as_str(), t.prefix.as_str()),
            ("evidence", "zhifa/prod")
        );
        let t = S3Target::parse("s3://evidence").unwrap();
        assert_eq!((t.bucket.as_str(), t.prefix.as_str()), ("evidence", ""));
        assert!(matches!(
            S3Target::parse("s3:///x"),
            Err(ConfigError::NoBucket)
        ));
        assert!(matches!(
            S3Target::parse("gs://b/p"),
            Err(ConfigError::Unsupported(s)) if s == "gs"
        ));
    }

    #[test]
    fn only_loopback_endpoints_count_as_loopback() {
        for u in [
            "http://127.0.0.1:9000",
            "http://localhost:9000/",
            "http://[::1]:9000",
            "http://user@127.0.0.1",
        ] {
            assert!(is_loopback_url(u), "{u}");
        }
        for u in [
            "http://10.0.0.5:9000",
            "http://minio.internal:9000",
            "http://127.0.0.1.evil.example",
        ] {
            assert!(!is_loopback_url(u), "{u}");
        }
    }

    #[test]
    fn endpoints_are_described_without_credentials() {
        assert_eq!(
            without_userinfo("https://AKIA:s3cr3t@s3.example/x"),
            "https://s3.example/x"
        );
        assert_eq!(
            without_userinfo("http://127.0.0.1:9000"),
            "http://127.0.0.1:9000"
        );
    }

    #[test]
    fn a_plain_http_endpoint_elsewhere_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let b = AmazonS3Builder::new()
            .with_endpoint("http://10.1.2.3:9000")
            .with_allow_http(true)
            .with_region("us-east-1");
        let e = Blobs::s3(S3Target::parse("s3://b/p").unwrap(), b, dir.path()).unwrap_err();
        assert_eq!(e.code(), "evidence_store_plain_http");
    }
}
