//! Reading the stored catalogue: releases, the release in force on a date,
//! a matter with its provisions, townships and the calendar.

use chrono::NaiveDate;
use rusqlite::{OptionalExtension, Row, params};
use serde::Serialize;

use super::CatalogueError;
use super::detail;
use super::model::{Calendar, Matter, MatterKind, Provision};
use crate::store::Store;

/// A stored release, without its contents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReleaseInfo {
    /// Release id.
    pub id: String,
    /// Region code.
    pub region: String,
    /// Region name.
    pub region_name: String,
    /// Title.
    pub title: String,
    /// Issue date.
    pub issued_on: NaiveDate,
    /// First violation date the release governs.
    pub effective_from: NaiveDate,
    /// Sample or synthetic data, not an official list.
    pub sample: bool,
    /// Notice shown with the release.
    pub notice: Option<String>,
    /// SHA-256 of the package JSON.
    pub digest: String,
    /// When the device imported it (RFC 3339).
    pub imported_at: String,
}

/// Whether a provision is violated by a matter or sets its penalty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProvisionRole {
    /// 违则.
    Violated,
    /// 罚则.
    Penalty,
}

/// A provision as referenced by a matter, with whether it is in force on the date asked for.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProvisionRecord {
    /// 违则 or 罚则.
    pub role: ProvisionRole,
    /// The provision.
    #[serde(flatten)]
    pub provision: Provision,
    /// The customary citation, e.g. `《…》第18条第1款`.
    pub citation: String,
    /// Whether this version is in force on the date asked for.
    pub in_force: bool,
}

/// A matter with its release and provisions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MatterRecord {
    /// The release the matter was read from.
    pub release: ReleaseInfo,
    /// The matter as published.
    pub matter: Matter,
    /// Its 违则 then 罚则, in the published order.
    pub provisions: Vec<ProvisionRecord>,
}

/// A township in a release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TownshipInfo {
    /// Township code.
    pub code: String,
    /// Name.
    pub name: String,
    /// District or county.
    pub district: String,
    /// 镇街代字 for document numbers.
    pub short_name: String,
    /// The numbering policy of on-the-spot decisions (行政处罚法 Art. 52).
    pub number_policy: super::model::NumberPolicy,
}

/// Read access to the catalogue in a store.
#[derive(Debug, Clone, Copy)]
pub struct Catalogue<'s> {
    store: &'s Store,
}

impl Store {
    /// The catalogue kept in this store.
    pub fn catalogue(&self) -> Catalogue<'_> {
        Catalogue { store: self }
    }
}

const RELEASE_COLS: &str = "id, region, region_name, title, issued_on, effective_from, sample, notice, digest, imported_at";

fn date_col(row: &Row<'_>, idx: usize) -> rusqlite::Result<NaiveDate> {
    let s: String = row.get(idx)?;
    s.parse().map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, Box::new(e))
    })
}

fn release_row(row: &Row<'_>) -> rusqlite::Result<ReleaseInfo> {
    Ok(ReleaseInfo {
        id: row.get(0)?,
        region: row.get(1)?,
        region_name: row.get(2)?,
        title: row.get(3)?,
        issued_on: date_col(row, 4)?,
        effective_from: date_col(row, 5)?,
        sample: row.get(6)?,
        notice: row.get(7)?,
        digest: row.get(8)?,
        imported_at: row.get(9)?,
    })
}

impl<'s> Catalogue<'s> {
    pub(crate) fn conn(&self) -> &'s rusqlite::Connection {
        self.store.conn()
    }

    /// Every imported release, newest effective date first.
    pub fn releases(&self) -> Result<Vec<ReleaseInfo>, CatalogueError> {
        let mut st = self.conn().prepare(&format!(
            "SELECT {RELEASE_COLS} FROM catalogue_release ORDER BY effective_from DESC, issued_on DESC, id"
        ))?;
        let rows = st.query_map([], release_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The release in force on `on`: the latest `effective_from` on or before it.
    pub fn release_in_force(&self, on: NaiveDate) -> Result<ReleaseInfo, CatalogueError> {
        self.conn()
            .query_row(
                &format!(
                    "SELECT {RELEASE_COLS} FROM catalogue_release WHERE effective_from <= ?1
                     ORDER BY effective_from DESC, issued_on DESC, id DESC LIMIT 1"
                ),
                [on.to_string()],
                release_row,
            )
            .optional()?
            .ok_or(CatalogueError::NoReleaseInForce { date: on })
    }

    /// A release by id.
    pub fn release(&self, id: &str) -> Result<Option<ReleaseInfo>, CatalogueError> {
        Ok(self
            .conn()
            .query_row(
                &format!("SELECT {RELEASE_COLS} FROM catalogue_release WHERE id = ?1"),
                [id],
                release_row,
            )
            .optional()?)
    }

    /// The matter `code` as the release in force on `on` defines it, with
    /// each provision marked in force or not on that date.
    pub fn matter_in_force(
        &self,
        code: &str,
        on: NaiveDate,
    ) -> Result<Option<MatterRecord>, CatalogueError> {
        let release = self.release_in_force(on)?;
        self.matter(release, code, on)
    }

    /// The matter `code` of `release`.
    pub fn matter(
        &self,
        release: ReleaseInfo,
        code: &str,
        on: NaiveDate,
    ) -> Result<Option<MatterRecord>, CatalogueError> {
        let row: Option<(i64, String, Option<Vec<u8>>)> = self
            .conn()
            .query_row(
                "SELECT id, detail, detail_z FROM matter WHERE release_id = ?1 AND code = ?2",
                params![release.id, code],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let Some((id, text, packed)) = row else {
            return Ok(None);
        };
        // Rows since schema v5 carry the compressed detail; the migration
        // converted every older row, so `text` is only a fallback.
        let detail = match packed {
            Some(body) => {
                let dict = detail::release_dict(self.conn(), &release.id)?;
                detail::decompress(&body, dict.as_deref())?
            }
            None => text,
        };
        let matter: Matter = serde_json::from_str(&detail)
            .map_err(|e| CatalogueError::Corrupt(format!("matter {code}: {e}")))?;
        let mut st = self.conn().prepare(
            "SELECT mp.role, p.id, p.law, p.article, p.clause, p.item, p.text, p.effective_from, p.effective_to,
                    p.source, p.verified
             FROM matter_provision mp
             JOIN provision p ON p.release_id = mp.release_id AND p.id = mp.provision_id
             WHERE mp.matter_id = ?1
             ORDER BY mp.role = 'penalty', mp.ord",
        )?;
        let provisions = st
            .query_map([id], |r| {
                let role: String = r.get(0)?;
                let to: Option<String> = r.get(8)?;
                let effective_to = match to {
                    Some(s) => Some(s.parse().map_err(|e| {
                        rusqlite::Error::FromSqlConversionFailure(
                            8,
                            rusqlite::types::Type::Text,
                            Box::new(e),
                        )
                    })?),
                    None => None,
                };
                let provision = Provision {
                    id: r.get(1)?,
                    law: r.get(2)?,
                    article: r.get(3)?,
                    clause: r.get(4)?,
                    item: r.get(5)?,
                    text: r.get(6)?,
                    effective_from: date_col(r, 7)?,
                    effective_to,
                    source: r.get(9)?,
                    verified: r.get(10)?,
                };
                let in_force = provision.effective_from <= on
                    && provision.effective_to.is_none_or(|to| on <= to);
                Ok(ProvisionRecord {
                    role: if role == "penalty" {
                        ProvisionRole::Penalty
                    } else {
                        ProvisionRole::Violated
                    },
                    citation: provision.citation(),
                    provision,
                    in_force,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(Some(MatterRecord {
            release,
            matter,
            provisions,
        }))
    }

    /// The working-day calendar of the release in force on `on`.
    pub fn calendar_in_force(&self, on: NaiveDate) -> Result<Calendar, CatalogueError> {
        let release = self.release_in_force(on)?;
        let json: String = self.conn().query_row(
            "SELECT calendar FROM catalogue_release WHERE id = ?1",
            [&release.id],
            |r| r.get(0),
        )?;
        serde_json::from_str(&json).map_err(|e| CatalogueError::Corrupt(format!("calendar: {e}")))
    }

    /// The townships of a release.
    pub fn townships(&self, release_id: &str) -> Result<Vec<TownshipInfo>, CatalogueError> {
        let mut st = self.conn().prepare(
            "SELECT code, name, district, short_name, number_policy FROM township WHERE release_id = ?1 ORDER BY code",
        )?;
        let rows = st.query_map([release_id], |r| {
            Ok(TownshipInfo {
                code: r.get(0)?,
                name: r.get(1)?,
                district: r.get(2)?,
                short_name: r.get(3)?,
                number_policy: super::model::NumberPolicy::parse(&r.get::<_, String>(4)?),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// A township of a release.
    pub fn township(
        &self,
        release_id: &str,
        code: &str,
    ) -> Result<Option<TownshipInfo>, CatalogueError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT code, name, district, short_name, number_policy FROM township WHERE release_id = ?1 AND code = ?2",
                [release_id, code],
                |r| {
                    Ok(TownshipInfo {
                        code: r.get(0)?,
                        name: r.get(1)?,
                        district: r.get(2)?,
                        short_name: r.get(3)?,
                        number_policy: super::model::NumberPolicy::parse(&r.get::<_, String>(4)?),
                    })
                },
            )
            .optional()?)
    }

    /// Whether `township` may enforce `matter` on `on`: statutory and common
    /// matters everywhere, optional and entrusted ones only where adopted.
    pub fn township_may_enforce(
        &self,
        release_id: &str,
        township: &str,
        matter: &Matter,
        on: NaiveDate,
    ) -> Result<bool, CatalogueError> {
        if !matter.kind.needs_adoption() {
            return Ok(true);
        }
        let d = on.to_string();
        Ok(self
            .conn()
            .query_row(
                "SELECT 1 FROM adoption WHERE release_id = ?1 AND township_code = ?2 AND matter_code = ?3
                   AND adopted_from <= ?4 AND (adopted_to IS NULL OR adopted_to >= ?4)",
                params![release_id, township, matter.code, d],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }

    /// Counts of matters per kind in a release.
    pub fn matter_counts(
        &self,
        release_id: &str,
    ) -> Result<Vec<(MatterKind, i64)>, CatalogueError> {
        let mut st = self.conn().prepare(
            "SELECT kind, count(*) FROM matter WHERE release_id = ?1 GROUP BY kind ORDER BY kind",
        )?;
        let rows = st.query_map([release_id], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (k, n) = row?;
            let kind = MatterKind::parse(&k)
                .ok_or_else(|| CatalogueError::Corrupt(format!("matter kind {k}")))?;
            out.push((kind, n));
        }
        Ok(out)
    }
}
