//! Each township's adoption of the optional matters (赋权自选), from the
//! console (issue 17): the city empowers townships with 99 matters, "15
//! 个通用事项面上统一、84 个自选事项基层点选" (the seed); a township's
//! statutory (法定) and common (赋权通用) matters bind it without a choice,
//! and of the optional ones it enforces only those it adopted.
//!
//! The published adoption is the latest catalogue release itself (its
//! `townships[].adopted`), so what the console shows as published is
//! exactly what the devices hold. An administrator of the township, its
//! district or the city ticks the optional matters into a draft
//! (`adoption_draft`), sees the difference from the published adoption and
//! publishes: [`apply`] makes a new package from the latest one — the same
//! format, checked by the device importer's own checks, content-addressed
//! and numbered by the same publication sequence devices already verify —
//! whose adoption periods end the day before the effective day for the
//! matters dropped and start on it for the matters added, so a case keeps
//! binding to the adoption in force on its violation date (the release in
//! force on that date, `zhifa_core::catalogue::read::release_in_force`).
//! Devices receive it on their next catalogue pull, and their search then
//! lists a dropped matter apart with the reason (`search::outside`).
//!
//! Every publication is audited (`adoption.publish`) and recorded with
//! what it changed (`adoption_publication`: who, when, the matters added
//! and removed). Refusals carry stable codes ([`AdoptionError`]).
//!
//! Entrusted matters (委托) are not a township's choice (the entrusting
//! authority's 委托书 decides), so they are shown but never edited here.

pub mod routes;

use std::collections::BTreeSet;

use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};
use zhifa_core::catalogue::model::{Adoption, MatterKind, Package, Township};
use zhifa_protocol::ErrorKind;

use crate::error::ApiError;

/// Why an adoption was not saved or published. Each has a stable code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AdoptionError {
    /// No catalogue release is published yet.
    #[error("尚未发布事项目录，无法调整镇街承接事项")]
    NoRelease,
    /// The township is not in the published catalogue.
    #[error("事项目录中没有镇街 {0}")]
    UnknownTownship(String),
    /// The township lies outside the administrator's scope.
    #[error("镇街 {0} 不在本账号的辖区内，不能调整其承接事项")]
    OutOfScope(String),
    /// The matter is not in the catalogue.
    #[error("事项目录中没有事项 {0}")]
    UnknownMatter(String),
    /// The matter is not an optional (自选) one.
    #[error("事项 {code} 为{kind}事项，不能由镇街点选")]
    NotOptional {
        /// The matter.
        code: String,
        /// Its kind in Chinese.
        kind: &'static str,
    },
    /// Nothing to publish: no draft, or a draft equal to the published adoption.
    #[error("草稿与已发布的承接事项相同，没有需要发布的调整")]
    NoChange,
    /// The draft was made against a release that is no longer the latest.
    #[error("事项目录已发布新版本 {latest}（草稿基于 {base}），请刷新核对后再发布")]
    Stale {
        /// The release the caller saw.
        base: String,
        /// The latest release.
        latest: String,
    },
    /// The effective day lies before today.
    #[error("生效日期 {0} 早于今天，承接调整只能自今天或以后生效")]
    PastDate(NaiveDate),
    /// The new package failed the importer's checks (a bug, never expected).
    #[error("生成的事项目录未通过校验：{0}")]
    Invalid(String),
}

impl AdoptionError {
    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NoRelease => "adoption_no_release",
            Self::UnknownTownship(_) => "adoption_unknown_township",
            Self::OutOfScope(_) => "adoption_out_of_scope",
            Self::UnknownMatter(_) => "adoption_unknown_matter",
            Self::NotOptional { .. } => "adoption_not_optional",
            Self::NoChange => "adoption_no_change",
            Self::Stale { .. } => "adoption_stale",
            Self::PastDate(_) => "adoption_date_past",
            Self::Invalid(_) => "adoption_invalid",
        }
    }

    fn kind(&self) -> ErrorKind {
        match self {
            Self::NoRelease | Self::UnknownTownship(_) => ErrorKind::NotFound,
            Self::OutOfScope(_) => ErrorKind::Forbidden,
            Self::Invalid(_) => ErrorKind::Internal,
            _ => ErrorKind::BadRequest,
        }
    }
}

impl From<AdoptionError> for ApiError {
    fn from(e: AdoptionError) -> Self {
        let mut a = ApiError::new(e.kind(), e.to_string());
        a.code = Some(e.code());
        a
    }
}

/// The optional matters `t` has adopted as of `on`: in force on that day or
/// starting later (an adoption already ended is not).
pub fn published(pkg: &Package, t: &Township, on: NaiveDate) -> BTreeSet<String> {
    t.adopted
        .iter()
        .filter(|a| a.to.is_none_or(|to| to >= on))
        .filter(|a| kind_of(pkg, &a.matter) == Some(MatterKind::EmpoweredOptional))
        .map(|a| a.matter.clone())
        .collect()
}

/// The kind of matter `code` in `pkg`.
pub fn kind_of(pkg: &Package, code: &str) -> Option<MatterKind> {
    pkg.matters.iter().find(|m| m.code == code).map(|m| m.kind)
}

/// Checks that every code is an optional matter of `pkg`.
pub fn check_optional<'a>(
    pkg: &Package,
    codes: impl IntoIterator<Item = &'a String>,
) -> Result<(), AdoptionError> {
    for code in codes {
        match kind_of(pkg, code) {
            None => return Err(AdoptionError::UnknownMatter(code.clone())),
            Some(MatterKind::EmpoweredOptional) => {}
            Some(k) => {
                return Err(AdoptionError::NotOptional {
                    code: code.clone(),
                    kind: k.label_zh(),
                });
            }
        }
    }
    Ok(())
}

/// What a draft changes against the published adoption.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Changes {
    /// Matters the draft adopts that are not adopted now.
    pub added: Vec<String>,
    /// Matters adopted now that the draft drops.
    pub removed: Vec<String>,
}

impl Changes {
    /// The difference from `published` to `draft`.
    pub fn between(published: &BTreeSet<String>, draft: &BTreeSet<String>) -> Self {
        Self {
            added: draft.difference(published).cloned().collect(),
            removed: published.difference(draft).cloned().collect(),
        }
    }

    /// Whether nothing changes.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty()
    }
}

/// The id of the release that follows `base` with publication number
/// `publication`: `{base's root}.A{publication:06}`, so ids of one day's
/// releases sort in publication order (the device breaks ties of
/// `effective_from` and `issued_on` by id).
pub fn release_id(base: &str, publication: i64) -> String {
    let root = match base.rsplit_once(".A") {
        Some((root, n)) if n.len() == 6 && n.bytes().all(|b| b.is_ascii_digit()) => root,
        _ => base,
    };
    let suffix = format!(".A{publication:06}");
    // Release ids are at most 64 characters (the package schema).
    let keep = 64usize.saturating_sub(suffix.len()).min(root.len());
    format!("{}{suffix}", &root[..keep])
}

/// The package that follows `base` with `township` adopting exactly the
/// optional matters `adopted` from `effective` on. Entrusted matters are
/// left as they are. Pure.
///
/// For each optional matter: adopted and already running (or scheduled) —
/// unchanged; adopted again after an earlier period ended — a new period
/// from `effective`; newly adopted — a period from `effective`; dropped
/// while running — its period ends the day before `effective`; dropped
/// before it started — removed.
pub fn apply(
    base: &Package,
    township: &str,
    adopted: &BTreeSet<String>,
    effective: NaiveDate,
    release_id: String,
    issued_on: NaiveDate,
) -> Result<Package, AdoptionError> {
    let mut pkg = base.clone();
    let kinds: std::collections::HashMap<String, MatterKind> = base
        .matters
        .iter()
        .map(|m| (m.code.clone(), m.kind))
        .collect();
    let t = pkg
        .townships
        .iter_mut()
        .find(|t| t.code == township)
        .ok_or_else(|| AdoptionError::UnknownTownship(township.to_owned()))?;
    let optional = |code: &str| kinds.get(code) == Some(&MatterKind::EmpoweredOptional);
    let day_before = effective - Duration::days(1);
    let mut kept = Vec::with_capacity(t.adopted.len() + adopted.len());
    for a in t.adopted.drain(..) {
        if !optional(&a.matter) {
            kept.push(a);
            continue;
        }
        let ended = a.to.is_some_and(|to| to < effective);
        match (adopted.contains(&a.matter), ended) {
            (true, false) | (false, true) => kept.push(a),
            (true, true) => kept.push(Adoption {
                matter: a.matter,
                from: effective,
                to: None,
            }),
            (false, false) if a.from >= effective => {}
            (false, false) => kept.push(Adoption {
                to: Some(day_before),
                ..a
            }),
        }
    }
    for code in adopted {
        if !kept.iter().any(|a| &a.matter == code) {
            kept.push(Adoption {
                matter: code.clone(),
                from: effective,
                to: None,
            });
        }
    }
    t.adopted = kept;
    pkg.release.id = release_id;
    pkg.release.issued_on = issued_on;
    pkg.release.effective_from = pkg.release.effective_from.max(effective);
    Ok(pkg)
}

#[cfg(test)]
mod tests;
