//! Zhifa's central sync service (`zhifa-server`).
//!
//! Devices enrol with a one-time code, then sync five streams with it
//! (docs/PROTOCOL.md): they push their outbox into an exactly-once ledger,
//! pull their inbox of server-side changes (payment confirmations from the
//! finance platform), pull catalogue releases, upload evidence originals in
//! resumable, checksummed chunks, and lease document-number ranges.
//!
//! - [`store`]: the storage interface, its logic written once over a small
//!   SQL abstraction, and its two backends: SQLite (embedded, one writer)
//!   and PostgreSQL (a pool, SERIALIZABLE transactions retried on
//!   conflict).
//! - [`push`]: the outbox push: each mutation decoded once into the
//!   protocol's typed payload, then one typed `apply` per aggregate.
//! - [`api`]: the axum router, jurisdiction checks and the OpenAPI document.
//! - [`badge`]: the 亮码: the badge authority key, certificates at
//!   enrolment, the public verification page and the party's rating.
//! - [`blobs`]: evidence blobs: local staging of uploads, verified originals
//!   sealed (the vault's `evidence` data key) on the filesystem (default)
//!   or an S3-compatible object store.
//! - [`record`]: the system of record — every case, inspection and task
//!   in full, the replay of the rules, the documents issued.
//! - [`pii`]: the personal-data vault: envelope encryption, master keys,
//!   rotation.
//! - [`delta`]: catalogue release deltas, computed once and cached.
//! - [`gc`]: upload expiry and collection of unreferenced evidence blobs.
//! - [`clock`]: the injected clock.
//! - [`error`]: the error answered to a request.
//!
//! [`Service::open`] wires them for a data folder; the binary adds TLS,
//! logging and the operator commands.

pub mod admin;
pub mod adoption;
pub mod api;
pub mod at_rest;
pub mod audit;
pub mod badge;
pub mod blobs;
pub mod clock;
pub mod console;
pub mod console_web;
pub mod delta;
pub mod edges;
pub mod error;
pub mod gc;
pub mod inspection;
pub mod pii;
pub mod platform;
pub mod procedure;
pub mod push;
pub mod record;
pub mod serve;
pub mod session;
pub mod store;
pub mod supervise;
pub mod verify;

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use zhifa_protocol::wire::CatalogueRelease;

use crate::api::AppState;
use crate::blobs::Blobs;
use crate::clock::Clock;
use crate::error::ApiError;
use crate::store::{Db, OfficerRow};

/// The sample catalogue package published by `--demo`.
pub const SAMPLE_CATALOGUE: &str =
    include_str!("../../schema/catalogue/sample/chongqing-sample.json");

/// The demo's district supervisor (渝北区, district 500112): sees every
/// township of the district.
pub const DEMO_SUPERVISOR: (&str, &str, &str) = ("SUP-YB-01", "渝北区督查（样例）", "500112108");

/// Errors opening or preparing the service.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// A storage or request-level error.
    #[error(transparent)]
    Api(#[from] ApiError),
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The catalogue package failed the importer's checks.
    #[error("事项目录无效：{0}")]
    Catalogue(String),
    /// `--database` names a backend this build does not have.
    #[error(
        "不支持的数据库 {0}：支持 sqlite:PATH（默认，数据目录下的 server.db）和 postgres://用户@主机:端口/数据库"
    )]
    UnsupportedDatabase(String),
    /// The 亮码 badge key could not be loaded or created.
    #[error(transparent)]
    Badge(#[from] badge::AuthorityError),
    /// The PostgreSQL database could not be opened (bad URL, unreachable,
    /// unknown schema); the message never shows the password.
    #[error(transparent)]
    Database(#[from] store::pg::OpenError),
    /// `--evidence` names no usable store (unknown scheme, no bucket,
    /// plain HTTP off loopback, bad S3 settings); never shows credentials.
    #[error(transparent)]
    Evidence(#[from] blobs::ConfigError),
    /// The master key could not be read.
    #[error(transparent)]
    Keys(#[from] pii::keys::KeyError),
    /// The vault's data keys could not be made or unwrapped (a wrong or
    /// missing master key, a changed key row).
    #[error("个人信息保管库无法打开：{0}")]
    Vault(String),
}

/// The storage areas' errors reach the operator as their answers.
macro_rules! service_error_from_area {
    ($($t:ty),*) => {$(
        impl From<$t> for ServiceError {
            fn from(e: $t) -> Self {
                Self::Api(ApiError::from(e))
            }
        }
    )*};
}
service_error_from_area!(
    store::devices::DeviceError,
    store::payments::PaymentError,
    store::leases::LeaseError,
    store::catalogue::ReleaseError,
    store::uploads::UploadError
);

impl ServiceError {
    /// A stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Api(e) => e.kind.code(),
            Self::Io { .. } => "io",
            Self::Catalogue(_) => "catalogue_invalid",
            Self::UnsupportedDatabase(_) => "unsupported_database",
            Self::Keys(_) => "master_key",
            Self::Vault(_) => "vault",
            Self::Database(e) => e.code(),
            Self::Evidence(e) => e.code(),
            Self::Badge(_) => "badge_key",
        }
    }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ServiceError + '_ {
    move |source| ServiceError::Io {
        path: path.to_owned(),
        source,
    }
}

/// One enrolment code as written to `demo-enrolment.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoOfficer {
    /// Officer id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Township code.
    pub township: String,
    /// One-time enrolment code.
    pub code: String,
    /// `officer` or `district_supervisor`.
    pub role: String,
}

/// The service over one data folder.
pub struct Service {
    /// The handler state (router input).
    pub state: Arc<AppState>,
    /// The data folder.
    pub data: PathBuf,
    /// The personal-data vault (`zhifa-server keys …`).
    pub vault: Arc<pii::Vault>,
}

impl Service {
    /// Opens the data folder: `server.db` (SQLite), or the database
    /// `database` names (`sqlite:PATH` or `postgres://…`, whose schema is
    /// created or checked here),
    /// `evidence/`, `catalogue/` and the finance HMAC key `finance.key`
    /// (created on first use; `ZHIFA_FINANCE_SECRET` overrides it).
    ///
    /// Evidence goes to the filesystem (`evidence/`); see
    /// [`Service::open_evidence`] for S3.
    pub fn open(
        data: &Path,
        database: Option<&str>,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, ServiceError> {
        Self::open_evidence(data, database, None, clock)
    }

    /// [`Service::open`] with the evidence store `--evidence` names:
    /// `None`/`file:PATH` (filesystem) or `s3://BUCKET/PREFIX` (S3, settings
    /// from the `AWS_*` environment; uploads still staged in `evidence/uploads`).
    pub fn open_evidence(
        data: &Path,
        database: Option<&str>,
        evidence: Option<&str>,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, ServiceError> {
        // Folders 0700, files 0600 from here on (`at_rest`).
        at_rest::restrict_umask();
        fs::create_dir_all(data).map_err(io(data))?;
        let blobs = Blobs::open(data, evidence)?;
        Self::open_with_blobs(data, database, blobs, clock)
    }

    /// [`Service::open`] over an evidence store built by the caller.
    pub fn open_with_blobs(
        data: &Path,
        database: Option<&str>,
        blobs: Blobs,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, ServiceError> {
        // The data folder and all in it private, also one an older
        // version left world-readable (`at_rest`).
        let tightened = at_rest::secure_folder(data).map_err(io(data))?;
        if tightened > 0 {
            tracing::warn!(
                tightened,
                "data folder modes tightened to 0700 (folders) / 0600 (files)"
            );
        }
        let catalogue_dir = data.join("catalogue");
        fs::create_dir_all(&catalogue_dir).map_err(io(&catalogue_dir))?;
        let vault = Arc::new(pii::Vault::new(Arc::new(pii::keys::master_keys(data)?)));
        let keeper = Arc::new(record::Keeper::new(
            vault.clone(),
            Some(catalogue_dir.clone()),
        ));
        let store: Db = match database {
            None => Db::open_sqlite(&data.join("server.db"))?.with_keeper(keeper),
            Some(url) if url.starts_with("sqlite:") => {
                let path = url
                    .trim_start_matches("sqlite://")
                    .trim_start_matches("sqlite:");
                for suffix in ["", "-wal", "-shm"] {
                    let f = PathBuf::from(format!("{path}{suffix}"));
                    at_rest::secure_file(&f).map_err(io(&f))?;
                }
                Db::open_sqlite(Path::new(path))?.with_keeper(keeper)
            }
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                let pg = Db::connect_pg(url)?.with_keeper(keeper);
                tracing::info!(database = %pg.target(), "storage: PostgreSQL");
                pg
            }
            Some(url) => {
                // Only the scheme: the rest may hold a password.
                let scheme = url.split(':').next().unwrap_or("");
                return Err(ServiceError::UnsupportedDatabase(scheme.to_owned()));
            }
        };
        // The vault's data keys, before any request: created once, the
        // previous release's record.key adopted (then removed).
        let legacy = record::KeySeal::read_legacy(data).map_err(io(data))?;
        let mut failed = None;
        let prepared = store.record_write(|tx, _| match vault.prepare(tx, legacy.as_ref()) {
            Ok(()) => Ok(serde_json::Value::Null),
            Err(record::RecordError::Db(e)) => Err(e.into()),
            Err(e) => {
                failed = Some(e.to_string());
                Err(record::RecordError::Seal(String::new()).into())
            }
        });
        if let Some(why) = failed {
            return Err(ServiceError::Vault(why));
        }
        prepared?;
        if legacy.is_some() {
            let old = data.join("record.key");
            fs::remove_file(&old).map_err(io(&old))?;
            tracing::info!("record.key adopted by the vault and removed");
        }
        install_evidence_keys(&store, &vault, &blobs)?;
        tracing::info!(evidence = %blobs.describe(), "evidence store");
        let secret = finance_secret(data)?;
        let badge = badge::Authority::load_or_create(data)?;
        Ok(Self {
            state: AppState::new(store, blobs, catalogue_dir, clock, secret, badge),
            data: data.to_owned(),
            vault,
        })
    }

    /// Sets the limits of `serve` ([`edges::Limits`]); call before the
    /// state is shared (a router built, a server started).
    pub fn with_limits(mut self, limits: edges::Limits) -> Self {
        if AppState::set_limits(&mut self.state, limits).is_none() {
            tracing::warn!("limits set after the state was shared: ignored");
        }
        self
    }

    /// Sets the centre's public base URL, the base of the 核验 links on
    /// the documents the server renders ([`api::AppState::public_url`]);
    /// call before the state is shared.
    pub fn with_public_url(mut self, url: Option<String>) -> Self {
        if AppState::set_public_url(&mut self.state, url).is_none() {
            tracing::warn!("public URL set after the state was shared: ignored");
        }
        self
    }

    /// The storage backend.
    pub fn store(&self) -> &Db {
        &self.state.store
    }

    /// One evidence housekeeping run at the service clock's now: expired
    /// uploads dropped, unreferenced blobs past their grace collected
    /// ([`gc::collect`]).
    pub async fn gc(&self, policy: gc::GcPolicy) -> Result<gc::GcReport, ServiceError> {
        let now = self.state.clock.now();
        Ok(gc::collect(&self.state.store, &self.state.blobs, policy, now).await?)
    }

    /// Reads every recorded blob back from the evidence store and checks
    /// its size and SHA-256 (`zhifa-server evidence verify`): the blobs
    /// that are not intact, with what was found. Never changes anything.
    pub async fn verify_evidence(&self) -> Result<EvidenceReport, ServiceError> {
        let store = self.state.store.clone();
        let rows = api::blocking(move || store.blobs()).await?;
        let mut report = EvidenceReport {
            store: self.state.blobs.describe(),
            checked: 0,
            bytes: 0,
            broken: Vec::new(),
        };
        for (sha256, size) in rows {
            let check = self
                .state
                .blobs
                .verify(&sha256, size)
                .await
                .map_err(ApiError::from)?;
            report.checked += 1;
            report.bytes += size;
            if check != blobs::Check::Intact {
                tracing::error!(blob = %sha256.get(..12).unwrap_or(&sha256), found = ?check, "evidence blob not intact");
                report.broken.push(BrokenBlob {
                    sha256,
                    size,
                    check,
                });
            }
        }
        Ok(report)
    }

    /// Checks a catalogue package with the device importer's own checks,
    /// stores it content-addressed and publishes it as the latest release.
    pub fn publish_catalogue(&self, bytes: &[u8]) -> Result<CatalogueRelease, ServiceError> {
        let checked = zhifa_core::catalogue::check_package(bytes)
            .map_err(|e| ServiceError::Catalogue(e.to_string()))?;
        let sha = hex::encode(Sha256::digest(bytes));
        let path = self.state.catalogue_dir.join(format!("{sha}.json"));
        if !path.exists() {
            write_durably(&path, bytes)?;
        }
        let now = self.state.clock.now();
        let release = &checked.package.release.id;
        self.state
            .store
            .publish_release(release, &sha, bytes.len() as u64, now)?;
        self.state
            .store
            .latest_release()?
            .ok_or_else(|| ServiceError::Catalogue("发布后未找到版本".into()))
    }

    /// `--demo`: loads the sample officers and a district supervisor,
    /// publishes the sample catalogue and writes fresh one-time codes to
    /// `DIR/demo-enrolment.json`.
    pub fn demo(&self) -> Result<Vec<DemoOfficer>, ServiceError> {
        #[derive(Deserialize)]
        struct File {
            officers: Vec<Sample>,
        }
        #[derive(Deserialize)]
        struct Sample {
            id: String,
            name: String,
            credential_no: String,
            township_code: String,
        }
        #[derive(Deserialize)]
        struct Townships {
            townships: Vec<Township>,
        }
        #[derive(Deserialize)]
        struct Township {
            township_code: String,
            authority_name: String,
        }
        let file: File = serde_json::from_str(zhifa_core::device::SAMPLE_OFFICERS)
            .map_err(|e| ServiceError::Catalogue(format!("样例执法人员: {e}")))?;
        let towns: Townships =
            serde_json::from_str(zhifa_core::case::config::SAMPLE_TOWNSHIP_CONFIGS)
                .map_err(|e| ServiceError::Catalogue(format!("样例镇街: {e}")))?;
        // 执法证号 and township names for the 亮码 certificates.
        let credentials: Vec<(String, String, String)> = file
            .officers
            .iter()
            .map(|o| {
                let town = towns
                    .townships
                    .iter()
                    .find(|t| t.township_code == o.township_code)
                    .map(|t| t.authority_name.clone())
                    .unwrap_or_default();
                (o.id.clone(), o.credential_no.clone(), town)
            })
            .collect();
        let mut rows: Vec<OfficerRow> = file
            .officers
            .into_iter()
            .map(|o| OfficerRow {
                id: o.id,
                name: o.name,
                township: o.township_code,
                role: "officer".into(),
            })
            .collect();
        rows.push(OfficerRow {
            id: DEMO_SUPERVISOR.0.into(),
            name: DEMO_SUPERVISOR.1.into(),
            township: DEMO_SUPERVISOR.2.into(),
            role: "district_supervisor".into(),
        });
        self.publish_catalogue(SAMPLE_CATALOGUE.as_bytes())?;
        let now = self.state.clock.now();
        let mut out = Vec::new();
        for o in rows {
            self.state.store.upsert_officer(&o)?;
            let code = enrol_code()?;
            self.state.store.add_enrol_code(&o.id, &code, now)?;
            out.push(DemoOfficer {
                id: o.id,
                name: o.name,
                township: o.township,
                code,
                role: o.role,
            });
        }
        for (id, credential, town) in &credentials {
            self.state
                .store
                .badge_set_credential(id, credential, town, now)?;
        }
        let path = self.data.join("demo-enrolment.json");
        let json = serde_json::to_vec_pretty(&serde_json::json!({ "officers": out }))
            .map_err(|e| ServiceError::Catalogue(e.to_string()))?;
        write_durably(&path, &json)?;
        Ok(out)
    }
}

/// What [`Service::verify_evidence`] found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EvidenceReport {
    /// The store read ([`Blobs::describe`]).
    pub store: String,
    /// Blobs read back.
    pub checked: u64,
    /// Their recorded bytes.
    pub bytes: u64,
    /// Those missing, of the wrong size or whose bytes hash differently.
    pub broken: Vec<BrokenBlob>,
}

/// Gives the evidence store the vault's `evidence` data keys (at start,
/// and after a rotation): objects are sealed under the active one, read
/// under the one their header names — fetched from the vault when another
/// process made it after this one started.
pub(crate) fn install_evidence_keys(
    store: &Db,
    vault: &Arc<pii::Vault>,
    blobs: &Blobs,
) -> Result<(), ServiceError> {
    let fetch: blobs::seal::Fetch = {
        let (store, vault) = (store.clone(), vault.clone());
        Box::new(move |id: &str| {
            store
                .record_read(|c, _| Ok(vault.evidence_key(c, id)?))
                .map_err(|e| e.to_string())
        })
    };
    let mut fetch = Some(fetch);
    let mut failed = None;
    let mut ring = None;
    let res = store.record_read(|c, _| {
        match vault.evidence_ring(c, fetch.take()) {
            Ok(r) => ring = Some(r),
            Err(e) => failed = Some(e.to_string()),
        }
        Ok(())
    });
    if let Some(why) = failed {
        return Err(ServiceError::Vault(why));
    }
    res?;
    let ring = ring.ok_or_else(|| ServiceError::Vault("evidence keys not read".into()))?;
    blobs.install_keys(ring);
    Ok(())
}

/// One blob that failed [`Service::verify_evidence`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BrokenBlob {
    /// Its content address.
    pub sha256: String,
    /// The recorded size.
    pub size: u64,
    /// What the store holds.
    pub check: blobs::Check,
}

/// A one-time code: 12 characters of an unambiguous alphabet (~60 bits).
pub fn enrol_code() -> Result<String, ServiceError> {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut b = [0u8; 12];
    getrandom::fill(&mut b).map_err(|e| ServiceError::Catalogue(format!("随机数不可用: {e}")))?;
    Ok(b.iter()
        .map(|x| char::from(ALPHABET[usize::from(*x) % ALPHABET.len()]))
        .collect())
}

fn finance_secret(data: &Path) -> Result<Vec<u8>, ServiceError> {
    if let Ok(s) = std::env::var("ZHIFA_FINANCE_SECRET") {
        return Ok(s.into_bytes());
    }
    let path = data.join("finance.key");
    match fs::read_to_string(&path) {
        Ok(s) => Ok(s.trim().as_bytes().to_vec()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let s = store::random_token()?;
            write_durably(&path, s.as_bytes())?;
            Ok(s.into_bytes())
        }
        Err(e) => Err(io(&path)(e)),
    }
}

/// Writes a file atomically (temp file, fsync, rename, directory fsync), mode 0600.
pub fn write_durably(path: &Path, bytes: &[u8]) -> Result<(), ServiceError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let tmp = dir.join(format!(
        ".{}.tmp",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("file")
    ));
    let mut opts = fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut f = opts.open(&tmp).map_err(io(&tmp))?;
    f.write_all(bytes).map_err(io(&tmp))?;
    f.sync_all().map_err(io(&tmp))?;
    fs::rename(&tmp, path).map_err(io(path))?;
    fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io(dir))?;
    Ok(())
}
