//! The matter catalogue: the package format, its validation and import
//! into the device store, and the offline search officers use on patrol.
//!
//! A *release* is what the centre publishes: provisions, matters with their
//! discretion tables, township adoptions and the working-day calendar. The
//! device keeps every release it has imported; the one in force on a date
//! is the release with the latest `effective_from` on or before that date,
//! so a case always binds to the catalogue of its violation date.

pub mod clause;
pub mod model;
pub mod pinyin;
pub mod read;
pub mod search;
pub mod synth;
pub mod validate;

pub(crate) mod detail;
mod import;
pub(crate) mod index;

pub use import::{ImportOutcome, import};
pub use read::{
    Catalogue, MatterRecord, ProvisionRecord, ProvisionRole, ReleaseInfo, TownshipInfo,
};
pub use search::{
    MatchKind, OutsideHit, OutsideReason, SearchHit, SearchQuery, SearchResults, SearchScope,
};
pub use validate::{CheckedPackage, Issue, check_package};

use crate::ErrorCode;
use crate::store::StoreError;

/// Errors importing, reading or searching the catalogue.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CatalogueError {
    /// The package file is empty.
    #[error("目录包为空 (empty package)")]
    Empty,
    /// The package starts like gzip but does not decompress.
    #[error("目录包 gzip 解压失败: {0}")]
    Gzip(String),
    /// The decompressed package exceeds the size limit.
    #[error("目录包解压后超过 {limit} 字节上限")]
    TooLarge {
        /// The limit in bytes.
        limit: u64,
    },
    /// The package is not well-formed JSON (truncated, stray characters, …).
    #[error("目录包不是合法的 JSON（第 {line} 行第 {column} 列）: {message}")]
    Syntax {
        /// 1-based line of the error.
        line: usize,
        /// 1-based column of the error.
        column: usize,
        /// The parser's message.
        message: String,
    },
    /// The package breaks the schema or the referential rules.
    #[error("目录包有 {} 处错误，首个: {}", issues.len(), issues.first().map(|i| format!("{} {}", i.path, i.message)).unwrap_or_default())]
    Invalid {
        /// Every problem found, each with its JSON path.
        issues: Vec<Issue>,
    },
    /// A different package with the same release id was imported before.
    #[error("版本 {id} 已导入且内容不同（摘要 {existing} ≠ {incoming}），请为新版本使用新的编号")]
    ReleaseConflict {
        /// The release id.
        id: String,
        /// Digest of the stored package.
        existing: String,
        /// Digest of the package offered now.
        incoming: String,
    },
    /// No imported release is in force on the date asked for.
    #[error("{date} 没有生效的事项目录，请先导入目录包")]
    NoReleaseInForce {
        /// The date asked for.
        date: chrono::NaiveDate,
    },
    /// The township is not in the release in force.
    #[error("目录版本 {release} 中没有镇街 {code}")]
    UnknownTownship {
        /// The township code asked for.
        code: String,
        /// The release searched.
        release: String,
    },
    /// The search query is empty after normalisation.
    #[error("搜索内容为空")]
    EmptyQuery,
    /// The search query is longer than [`search::MAX_QUERY_CHARS`].
    #[error("搜索内容过长（最多 {max} 个字符）")]
    QueryTooLong {
        /// The limit in characters.
        max: usize,
    },
    /// A stored row could not be decoded (the store is damaged or was
    /// written by an incompatible build).
    #[error("目录数据损坏: {0}")]
    Corrupt(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<rusqlite::Error> for CatalogueError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Store(StoreError::Sqlite(e))
    }
}

impl ErrorCode for CatalogueError {
    fn code(&self) -> &'static str {
        match self {
            Self::Empty => "CATALOGUE_EMPTY",
            Self::Gzip(_) => "CATALOGUE_GZIP",
            Self::TooLarge { .. } => "CATALOGUE_TOO_LARGE",
            Self::Syntax { .. } => "CATALOGUE_JSON_SYNTAX",
            Self::Invalid { .. } => "CATALOGUE_INVALID",
            Self::ReleaseConflict { .. } => "CATALOGUE_RELEASE_CONFLICT",
            Self::NoReleaseInForce { .. } => "CATALOGUE_NO_RELEASE",
            Self::UnknownTownship { .. } => "CATALOGUE_UNKNOWN_TOWNSHIP",
            Self::EmptyQuery => "SEARCH_EMPTY_QUERY",
            Self::QueryTooLong { .. } => "SEARCH_QUERY_TOO_LONG",
            Self::Corrupt(_) => "CATALOGUE_CORRUPT",
            Self::Store(e) => e.code(),
        }
    }
}

impl CatalogueError {
    /// Whether the error is the caller's input (a bad package, query or
    /// code) rather than a failure of the device.
    pub fn is_bad_input(&self) -> bool {
        !matches!(self, Self::Corrupt(_) | Self::Store(_))
    }
}
