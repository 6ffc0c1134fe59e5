//! Matters a search finds outside the township's scope, shown apart with
//! the reason: an optional matter (赋权自选) the township did not adopt, an
//! entrusted matter it was not entrusted with, or an adoption whose periods
//! miss the date. Statutory and common matters bind every township
//! (渝府办发〔2025〕28号 lists them for all), so they are never outside.

use chrono::NaiveDate;
use serde::Serialize;

use super::SearchHit;
use crate::catalogue::model::MatterKind;
use crate::catalogue::{Catalogue, CatalogueError};

/// A matter found outside the township's scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutsideHit {
    /// The hit as an unfiltered search ranks it.
    #[serde(flatten)]
    pub hit: SearchHit,
    /// Why the township may not enforce it on the date.
    pub reason: OutsideReason,
    /// The reason in Chinese, for the officer's screen.
    pub reason_zh: String,
}

/// Why a matter lies outside a township's scope (only optional and
/// entrusted matters can: statutory and common ones bind every township).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum OutsideReason {
    /// The township never adopted the matter (赋权自选) or was not entrusted with it.
    NotAdopted,
    /// Adopted, but for periods that do not include the date.
    NotOnDate {
        /// The adoption periods, `from` and `to` (open end: `None`).
        periods: Vec<(NaiveDate, Option<NaiveDate>)>,
    },
}

impl OutsideReason {
    /// The reason in the officer's words.
    pub fn label_zh(&self, kind: MatterKind) -> String {
        match self {
            Self::NotAdopted if kind == MatterKind::Entrusted => {
                "本镇（街道）未受委托实施此事项".to_owned()
            }
            Self::NotAdopted => "本镇（街道）未承接此赋权自选事项".to_owned(),
            Self::NotOnDate { periods } => {
                let list: Vec<String> = periods
                    .iter()
                    .map(|(f, t)| match t {
                        Some(t) => format!("{f} 至 {t}"),
                        None => format!("{f} 起"),
                    })
                    .collect();
                format!(
                    "本镇（街道）承接此事项的期间为 {}，不含所查日期",
                    list.join("、")
                )
            }
        }
    }
}

impl Catalogue<'_> {
    /// Why `township` may not enforce the optional or entrusted matter
    /// `code` on `on`, or `None` when it may.
    pub(super) fn outside_reason(
        &self,
        release: &str,
        township: &str,
        code: &str,
        on: NaiveDate,
    ) -> Result<Option<OutsideReason>, CatalogueError> {
        let mut st = self.conn().prepare_cached(
            "SELECT adopted_from, adopted_to FROM adoption
             WHERE release_id = ?1 AND township_code = ?2 AND matter_code = ?3 ORDER BY adopted_from",
        )?;
        let rows = st
            .query_map(rusqlite::params![release, township, code], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let date = |s: &str| {
            s.parse::<NaiveDate>()
                .map_err(|_| CatalogueError::Corrupt(format!("adoption date {s} of {code}")))
        };
        let mut periods = Vec::with_capacity(rows.len());
        for (from, to) in rows {
            let from = date(&from)?;
            let to = to.as_deref().map(date).transpose()?;
            if from <= on && to.is_none_or(|t| on <= t) {
                return Ok(None);
            }
            periods.push((from, to));
        }
        Ok(Some(if periods.is_empty() {
            OutsideReason::NotAdopted
        } else {
            OutsideReason::NotOnDate { periods }
        }))
    }
}
