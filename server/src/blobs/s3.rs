//! The S3-compatible store (`--evidence s3://BUCKET/PREFIX`, objects
//! `PREFIX/blobs/<aa>/<sha256>`) through the `object_store` crate: its
//! configuration (the `AWS_*` environment, bounded retries, plain HTTP only
//! to loopback), the object keys, and the sealed put — one request below
//! [`MULTIPART_THRESHOLD`], a multipart upload of [`PART_SIZE`] parts fed
//! segment by segment from it on, so an original is never whole in memory.

use std::fs;
use std::io::Read;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use object_store::aws::{AmazonS3, AmazonS3Builder, AmazonS3ConfigKey};
use object_store::path::Path as ObjectPath;
use object_store::{ClientConfigKey, ObjectStoreExt, PutPayload, RetryConfig, WriteMultipart};

use super::part::PartReader;
use super::reader::Reader;
use super::seal::{Encoder, KeyRing};
use super::{BlobError, Blobs, ConfigError, MULTIPART_THRESHOLD, PART_SIZE, Store};

/// Parts in flight at once during a multipart upload.
const PART_CONCURRENCY: usize = 2;
/// Bytes read per request when an object is read back.
pub(super) const READ_STEP: u64 = 8 << 20;

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

pub(super) fn not_found(e: &object_store::Error) -> bool {
    matches!(e, object_store::Error::NotFound { .. })
}

/// `scheme://user:pass@host/…` → `scheme://host/…`: an endpoint URL never
/// shows credentials in a log line.
pub(super) fn without_userinfo(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
            let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
            format!("{scheme}://{host}{path}")
        }
        None => url.to_owned(),
    }
}

pub(super) fn is_loopback_url(url: &str) -> bool {
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
        Ok(Self::from_parts(
            staging,
            Store::S3 {
                s3: Arc::new(s3),
                target,
                endpoint,
            },
        ))
    }
}

/// The key of `sha256` in folder `dir` (`blobs/<aa>/<sha>`, else
/// `dir/<sha>`) under the target's prefix.
pub(super) fn key(target: &S3Target, dir: &str, sha256: &str) -> ObjectPath {
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

/// Folder `dir` under the target's prefix.
pub(super) fn folder(target: &S3Target, dir: &str) -> ObjectPath {
    if target.prefix.is_empty() {
        ObjectPath::from(dir)
    } else {
        ObjectPath::from(format!("{}/{dir}", target.prefix))
    }
}

/// Reads an object of `size` bytes in [`READ_STEP`] ranges.
pub(super) struct Ranges<'a> {
    s3: &'a AmazonS3,
    key: &'a ObjectPath,
    size: u64,
    at: u64,
}

impl<'a> Ranges<'a> {
    pub(super) fn new(s3: &'a AmazonS3, key: &'a ObjectPath, size: u64) -> Self {
        Self {
            s3,
            key,
            size,
            at: 0,
        }
    }

    /// Replaces `buf` with the next range; `false` at the end.
    pub(super) async fn next(&mut self, buf: &mut Vec<u8>) -> Result<bool, object_store::Error> {
        buf.clear();
        if self.at >= self.size {
            return Ok(false);
        }
        let end = (self.at + READ_STEP).min(self.size);
        let b = self.s3.get_range(self.key, self.at..end).await?;
        buf.extend_from_slice(&b);
        self.at = end;
        Ok(true)
    }
}

/// Where a sealed put reads its plaintext.
pub(super) enum Plain<'a> {
    /// A staged upload, opened record by record (read on the blocking
    /// pool; `None` only while a read is under way there).
    Staged(Option<Box<PartReader>>),
    /// Another object, read in ranges (sealing a legacy object).
    Object(Ranges<'a>),
    /// Another object, sealed, opened as it is read (sealing it again).
    Opened(Ranges<'a>, Box<Reader<'a>>),
}

impl Plain<'_> {
    async fn next(&mut self, buf: &mut Vec<u8>) -> Result<bool, BlobError> {
        buf.clear();
        match self {
            Self::Staged(slot) => {
                let Some(mut reader) = slot.take() else {
                    return Ok(false);
                };
                let mut chunk = std::mem::take(buf);
                let (reader, chunk, n) = tokio::task::spawn_blocking(move || {
                    chunk.resize(1 << 20, 0);
                    let n = reader.read(&mut chunk);
                    (reader, chunk, n)
                })
                .await
                .map_err(|e| BlobError::Io(std::io::Error::other(e)))?;
                *buf = chunk;
                *slot = Some(reader);
                let n = n?;
                buf.truncate(n);
                Ok(n > 0)
            }
            Self::Object(r) => Ok(r.next(buf).await?),
            Self::Opened(r, reader) => {
                let mut raw = Vec::new();
                while r.next(&mut raw).await? {
                    reader.update(&raw, &mut |p| {
                        buf.extend_from_slice(p);
                        Ok(())
                    })?;
                    if !buf.is_empty() {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
        }
    }
}

/// Seals `size` bytes of plaintext from `plain` (the original at
/// `sha256`) under the ring's active key and puts them at `key`: one
/// request below [`MULTIPART_THRESHOLD`], a multipart upload of
/// [`PART_SIZE`] parts from it on (aborted on error, so no parts are left
/// billed). Returns the sealed size and the plaintext's SHA-256.
pub(super) async fn put_sealed(
    s3: &AmazonS3,
    key: &ObjectPath,
    mut plain: Plain<'_>,
    ring: &KeyRing,
    sha256: &str,
    size: u64,
) -> Result<(u64, String), BlobError> {
    use sha2::{Digest, Sha256};
    let mut enc = Encoder::new(ring, sha256, size)?;
    let sealed_size = enc.header().len() as u64 + super::seal::body_size(size);
    let mut hash = Sha256::new();
    let mut buf = Vec::new();
    let mut out = enc.header().to_vec();
    if sealed_size < MULTIPART_THRESHOLD {
        while plain.next(&mut buf).await? {
            hash.update(&buf);
            enc.update(&buf, &mut out)?;
        }
        enc.finish(&mut out)?;
        s3.put(key, PutPayload::from(out)).await?;
        return Ok((sealed_size, hex::encode(hash.finalize())));
    }
    let upload = s3.put_multipart(key).await?;
    let mut w = WriteMultipart::new_with_chunk_size(upload, PART_SIZE);
    let res: Result<(), BlobError> = async {
        while plain.next(&mut buf).await? {
            hash.update(&buf);
            enc.update(&buf, &mut out)?;
            w.wait_for_capacity(PART_CONCURRENCY).await?;
            w.write(&out);
            out.clear();
        }
        enc.finish(&mut out)?;
        w.write(&out);
        Ok(())
    }
    .await;
    match res {
        Ok(()) => {
            w.finish().await?;
            Ok((sealed_size, hex::encode(hash.finalize())))
        }
        Err(e) => {
            if let Err(abort) = w.abort().await {
                tracing::warn!(error = %abort, "multipart upload not aborted; the bucket's lifecycle rule removes it");
            }
            Err(e)
        }
    }
}

/// The key of an object location.
pub(super) fn loc_key(target: &S3Target, loc: super::Loc<'_>) -> ObjectPath {
    match loc {
        super::Loc::Blob(sha) => key(target, "blobs", sha),
        super::Loc::Side(sha) => key(target, "sealing", sha),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
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
