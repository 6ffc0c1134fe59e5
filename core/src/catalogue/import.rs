//! Importing a checked package into the device store.
//!
//! The whole release is written in one transaction: a package that fails
//! any check, or a crash half-way, leaves the store exactly as it was.
//! Importing the same release twice is a no-op; a different package under
//! an id already imported is refused, because a case may already be bound
//! to the stored one.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::CatalogueError;
use super::detail::{self, DetailEncoder};
use super::index::{self, IndexMatter};
use super::model::{Matter, Package, Provision};
use super::pinyin;
use super::validate::check_package;
use crate::store::Store;

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportOutcome {
    /// The release id.
    pub release_id: String,
    /// True when this exact package was already imported (nothing changed).
    pub already_present: bool,
    /// SHA-256 (hex) of the package JSON.
    pub digest: String,
    /// Number of matters in the release.
    pub matters: usize,
    /// Number of provisions in the release.
    pub provisions: usize,
    /// Number of discretion levels in the release.
    pub levels: usize,
    /// Number of townships in the release.
    pub townships: usize,
    /// True for sample or synthetic data.
    pub sample: bool,
}

/// Checks `bytes` as a package and imports it; `now` is recorded as the import time.
pub fn import(
    store: &mut Store,
    bytes: &[u8],
    now: DateTime<Utc>,
) -> Result<ImportOutcome, CatalogueError> {
    let checked = check_package(bytes)?;
    let p = &checked.package;
    let mut outcome = ImportOutcome {
        release_id: p.release.id.clone(),
        already_present: false,
        digest: checked.digest.clone(),
        matters: p.matters.len(),
        provisions: p.provisions.len(),
        levels: p.matters.iter().map(|m| m.levels.len()).sum(),
        townships: p.townships.len(),
        sample: p.release.sample,
    };
    // A release is written in one transaction; with SQLite's default 2 MiB
    // page cache a large one spills pages to the WAL over and over. A
    // bigger cache for the import only (restored afterwards) roughly halves
    // the time for 50,000 matters (docs/BENCHMARKS.md).
    let cache: i64 = store
        .conn()
        .pragma_query_value(None, "cache_size", |r| r.get(0))?;
    store
        .conn()
        .pragma_update(None, "cache_size", IMPORT_CACHE_KIB)?;
    let result = import_checked(store, &checked, now, &mut outcome);
    store.conn().pragma_update(None, "cache_size", cache)?;
    result.map(|()| outcome)
}

/// Page cache during an import, in KiB (SQLite's negative `cache_size` form).
const IMPORT_CACHE_KIB: i64 = -131_072;

fn import_checked(
    store: &mut Store,
    checked: &super::CheckedPackage,
    now: DateTime<Utc>,
    outcome: &mut ImportOutcome,
) -> Result<(), CatalogueError> {
    let p = &checked.package;
    let tx = store.conn_mut().transaction()?;
    let existing: Option<String> = tx
        .query_row(
            "SELECT digest FROM catalogue_release WHERE id = ?1",
            [&p.release.id],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(existing) = existing {
        if existing == checked.digest {
            outcome.already_present = true;
            return Ok(());
        }
        return Err(CatalogueError::ReleaseConflict {
            id: p.release.id.clone(),
            existing,
            incoming: checked.digest.clone(),
        });
    }
    write_release(&tx, p, &checked.digest, now)?;
    tx.commit()?;
    Ok(())
}

fn to_json<T: Serialize>(v: &T) -> Result<String, CatalogueError> {
    serde_json::to_string(v).map_err(|e| CatalogueError::Corrupt(e.to_string()))
}

fn write_release(
    tx: &rusqlite::Transaction<'_>,
    p: &Package,
    digest: &str,
    now: DateTime<Utc>,
) -> Result<(), CatalogueError> {
    let r = &p.release;
    tx.execute(
        "INSERT INTO catalogue_release
           (id, region, region_name, title, issued_on, effective_from, sample, notice, digest, imported_at, calendar)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![
            r.id,
            r.region,
            r.region_name,
            r.title,
            r.issued_on.to_string(),
            r.effective_from.to_string(),
            r.sample,
            r.notice,
            digest,
            now.to_rfc3339(),
            to_json(&p.calendar)?,
        ],
    )?;

    // Compressing the details (and training their dictionary) and the
    // pinyin keys need no store: a worker makes them while this thread
    // inserts the provisions.
    let (prepared, provisions) = crate::par::join(
        || prepare_matters(&p.matters),
        || insert_provisions(tx, &r.id, &p.provisions),
    );
    provisions?;
    let Prepared { dict, matters } = prepared?;
    if let Some(dict) = &dict {
        detail::store_dict(tx, &r.id, dict)?;
    }

    let mut ins_matter = tx.prepare(
        "INSERT INTO matter (release_id, code, name, kind, domain, department, pinyin, initials, name_len, detail, detail_z)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, '', ?10)",
    )?;
    let texts: HashMap<&str, &str> = p
        .provisions
        .iter()
        .map(|pr| (pr.id.as_str(), pr.text.as_str()))
        .collect();
    let mut indexed = Vec::with_capacity(p.matters.len());
    let mut ins_link = tx.prepare(
        "INSERT INTO matter_provision (matter_id, release_id, provision_id, role, ord) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for (m, PreparedMatter { keys, detail_z }) in p.matters.iter().zip(matters) {
        let name_len = m.name.chars().count() as i64;
        ins_matter.execute(params![
            r.id,
            m.code,
            m.name,
            m.kind.as_str(),
            m.domain,
            m.department,
            keys.full,
            keys.initials,
            name_len,
            detail_z,
        ])?;
        let id = tx.last_insert_rowid();
        for (role, list) in [("violated", &m.violated), ("penalty", &m.penalty)] {
            for (ord, pid) in list.iter().enumerate() {
                ins_link.execute(params![id, r.id, pid, role, ord as i64])?;
            }
        }
        indexed.push(IndexMatter {
            matter_id: id,
            code: m.code.clone(),
            name: m.name.clone(),
            kind: m.kind.as_str().to_owned(),
            domain: m.domain.clone(),
            pinyin: keys.full,
            initials: keys.initials,
            name_len,
            // check_package proved every linked provision exists.
            provisions: m
                .violated
                .iter()
                .chain(&m.penalty)
                .filter_map(|pid| texts.get(pid.as_str()).map(|t| (*t).to_owned()))
                .collect(),
            aliases: m.aliases.clone(),
        });
    }
    index::write(tx, &r.id, indexed)?;

    let mut ins_town = tx.prepare(
        "INSERT INTO township (release_id, code, name, district, short_name, number_policy)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    let mut ins_adopt = tx.prepare(
        "INSERT INTO adoption (release_id, township_code, matter_code, adopted_from, adopted_to)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for t in &p.townships {
        ins_town.execute(params![
            r.id,
            t.code,
            t.name,
            t.district,
            t.short_name,
            t.number_policy.as_str()
        ])?;
        for a in &t.adopted {
            ins_adopt.execute(params![
                r.id,
                t.code,
                a.matter,
                a.from.to_string(),
                a.to.map(|d| d.to_string())
            ])?;
        }
    }
    write_inspection(tx, p)
}

/// The joint-inspection part: departments, items and scenarios (综合查一次).
fn write_inspection(tx: &rusqlite::Transaction<'_>, p: &Package) -> Result<(), CatalogueError> {
    let rid = &p.release.id;
    let mut ins_dep = tx.prepare(
        "INSERT INTO inspection_department (release_id, code, name) VALUES (?1, ?2, ?3)",
    )?;
    for d in &p.departments {
        ins_dep.execute(params![rid, d.code, d.name])?;
    }
    let mut ins_item = tx.prepare(
        "INSERT INTO inspection_item (release_id, code, department, subject, method, basis, violation, matter_code, correction_days)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    for it in &p.inspection_items {
        ins_item.execute(params![
            rid,
            it.code,
            it.department,
            it.subject,
            it.method,
            to_json(&it.basis)?,
            it.violation,
            it.matter,
            it.correction_days,
        ])?;
    }
    let mut ins_sc = tx.prepare(
        "INSERT INTO inspection_scenario (release_id, code, name, description, ord) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    let mut ins_sc_item = tx.prepare(
        "INSERT INTO inspection_scenario_item (release_id, scenario, ord, item) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for (ord, sc) in p.scenarios.iter().enumerate() {
        ins_sc.execute(params![rid, sc.code, sc.name, sc.description, ord as i64])?;
        for (j, item) in sc.items.iter().enumerate() {
            ins_sc_item.execute(params![rid, sc.code, j as i64, item])?;
        }
    }
    Ok(())
}

fn insert_provisions(
    tx: &rusqlite::Transaction<'_>,
    release_id: &str,
    provisions: &[Provision],
) -> Result<(), CatalogueError> {
    let mut ins_prov = tx.prepare(
        "INSERT INTO provision (release_id, id, law, article, clause, item, text, effective_from, effective_to, source, verified)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?;
    for pr in provisions {
        ins_prov.execute(params![
            release_id,
            pr.id,
            pr.law,
            pr.article,
            pr.clause,
            pr.item,
            pr.text,
            pr.effective_from.to_string(),
            pr.effective_to.map(|d| d.to_string()),
            pr.source,
            pr.verified,
        ])?;
    }
    Ok(())
}

/// What a matter row needs that takes CPU but no store.
struct PreparedMatter {
    keys: pinyin::PinyinKeys,
    detail_z: Vec<u8>,
}

/// Every matter prepared, in package order, and the release's dictionary.
struct Prepared {
    dict: Option<Vec<u8>>,
    matters: Vec<PreparedMatter>,
}

/// Trains the release's detail dictionary and compresses every matter's
/// JSON (see detail.rs); computes the pinyin search keys.
fn prepare_matters(matters: &[Matter]) -> Result<Prepared, CatalogueError> {
    let samples: Vec<String> = detail::training_sample(matters)
        .map(to_json)
        .collect::<Result<_, _>>()?;
    let sample_bytes: Vec<&[u8]> = samples.iter().map(|d| d.as_bytes()).collect();
    let mut encoder = DetailEncoder::train(&sample_bytes)?;
    let prepared = matters
        .iter()
        .map(|m| {
            Ok(PreparedMatter {
                keys: pinyin::keys(&m.name),
                detail_z: encoder.compress(to_json(m)?.as_bytes())?,
            })
        })
        .collect::<Result<_, CatalogueError>>()?;
    Ok(Prepared {
        dict: encoder.dict().map(<[u8]>::to_vec),
        matters: prepared,
    })
}
