//! The merged checklist of a joint inspection (综合查一次): the items of
//! one or more scenarios, each item once, in a stable order.
//!
//! [`merge`] is the pure rule (property-tested in `tests/inspection_props.rs`):
//! scenarios are taken in the order asked, items in each scenario's
//! published order, and an item already on the list from an earlier
//! scenario is not repeated — it only gains the later scenario's code.
//! So "进一次门、查多项事": the officer checks the 疏散通道 once even when
//! both 小型商超 and 网吧 list it. [`checklist`] reads the items from the
//! catalogue release in force on the inspection date.

use std::collections::HashMap;

use chrono::NaiveDate;
use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

use super::InspectionError;
use crate::store::Store;

/// One entry of a merged list: the item code and every scenario listing it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merged {
    /// The item code.
    pub item: String,
    /// The scenarios that list the item, in the order they were asked.
    pub scenarios: Vec<String>,
}

/// Merges the item lists of `scenarios` (code, items) into one list
/// without duplicates: first occurrence wins the position. A scenario
/// asked twice counts once.
pub fn merge(scenarios: &[(String, Vec<String>)]) -> Vec<Merged> {
    let mut out: Vec<Merged> = Vec::new();
    let mut at: HashMap<&str, usize> = HashMap::new();
    let mut seen_scenarios: Vec<&str> = Vec::new();
    for (code, items) in scenarios {
        if seen_scenarios.contains(&code.as_str()) {
            continue;
        }
        seen_scenarios.push(code);
        for item in items {
            match at.get(item.as_str()) {
                Some(&i) => {
                    if !out[i].scenarios.contains(code) {
                        out[i].scenarios.push(code.clone());
                    }
                }
                None => {
                    at.insert(item, out.len());
                    out.push(Merged {
                        item: item.clone(),
                        scenarios: vec![code.clone()],
                    });
                }
            }
        }
    }
    out
}

/// A scenario as the device lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScenarioInfo {
    /// Scenario code.
    pub code: String,
    /// Name, e.g. `小型商超`.
    pub name: String,
    /// Which places it applies to.
    pub description: Option<String>,
    /// Its item codes, in order.
    pub items: Vec<String>,
    /// The departments of its items (codes), in first-appearance order.
    pub departments: Vec<String>,
}

/// One item of a merged checklist, with everything the officer and the
/// record need, copied from the catalogue at the start of the inspection
/// (a later release does not change a running inspection).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChecklistItem {
    /// Item code.
    pub code: String,
    /// Owning department's code.
    pub department: String,
    /// Owning department's name.
    pub department_name: String,
    /// 检查内容.
    pub subject: String,
    /// 检查方式.
    pub method: String,
    /// 检查依据, cited (`《…》第35条第1款`).
    pub basis: Vec<String>,
    /// The violation a failure means.
    pub violation: String,
    /// The catalogue matter a failure maps to, if any.
    pub matter: Option<String>,
    /// The legal basis of an order to correct for a failure, cited: the
    /// matter's own 罚则 (the clause that orders the correction), empty
    /// when the item maps to no matter in force on the inspection date.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub order_basis: Vec<String>,
    /// 改正期限 in calendar days.
    pub correction_days: u32,
    /// The scenarios of this inspection that list the item.
    pub scenarios: Vec<String>,
}

/// The scenarios of the release in force on `on`, in published order.
pub fn scenarios(store: &Store, on: NaiveDate) -> Result<Vec<ScenarioInfo>, InspectionError> {
    let release = store.catalogue().release_in_force(on)?;
    let conn = store.conn();
    let mut st = conn.prepare(
        "SELECT code, name, description FROM inspection_scenario WHERE release_id = ?1 ORDER BY ord",
    )?;
    let heads: Vec<(String, String, Option<String>)> = st
        .query_map([&release.id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    let mut items_st = conn.prepare(
        "SELECT s.item, i.department FROM inspection_scenario_item s
         JOIN inspection_item i ON i.release_id = s.release_id AND i.code = s.item
         WHERE s.release_id = ?1 AND s.scenario = ?2 ORDER BY s.ord",
    )?;
    let mut out = Vec::with_capacity(heads.len());
    for (code, name, description) in heads {
        let rows: Vec<(String, String)> = items_st
            .query_map(params![release.id, code], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        let mut departments: Vec<String> = Vec::new();
        for (_, d) in &rows {
            if !departments.contains(d) {
                departments.push(d.clone());
            }
        }
        out.push(ScenarioInfo {
            code,
            name,
            description,
            items: rows.into_iter().map(|(i, _)| i).collect(),
            departments,
        });
    }
    Ok(out)
}

/// The merged checklist of `scenario_codes` in the release in force on
/// `on`, and that release's id.
pub fn checklist(
    store: &Store,
    on: NaiveDate,
    scenario_codes: &[String],
) -> Result<(String, Vec<ChecklistItem>), InspectionError> {
    if scenario_codes.is_empty() {
        return Err(InspectionError::NoScenario);
    }
    let release = store.catalogue().release_in_force(on)?;
    let all = scenarios(store, on)?;
    let mut asked = Vec::with_capacity(scenario_codes.len());
    for code in scenario_codes {
        let sc = all.iter().find(|s| &s.code == code).ok_or_else(|| {
            InspectionError::UnknownScenario {
                code: code.clone(),
                release: release.id.clone(),
            }
        })?;
        asked.push((sc.code.clone(), sc.items.clone()));
    }
    let conn = store.conn();
    let mut item_st = conn.prepare(
        "SELECT i.department, d.name, i.subject, i.method, i.basis, i.violation, i.matter_code, i.correction_days
         FROM inspection_item i
         JOIN inspection_department d ON d.release_id = i.release_id AND d.code = i.department
         WHERE i.release_id = ?1 AND i.code = ?2",
    )?;
    let mut prov_st = conn.prepare(
        "SELECT law, article, clause, item FROM provision WHERE release_id = ?1 AND id = ?2",
    )?;
    let mut out = Vec::new();
    for m in merge(&asked) {
        let row = item_st
            .query_row(params![release.id, m.item], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, Option<String>>(6)?,
                    r.get::<_, u32>(7)?,
                ))
            })
            .optional()?
            .ok_or_else(|| InspectionError::Corrupt(format!("检查事项 {} 缺失", m.item)))?;
        let (department, department_name, subject, method, basis, violation, matter, days) = row;
        let ids: Vec<String> = serde_json::from_str(&basis)
            .map_err(|e| InspectionError::Corrupt(format!("检查依据: {e}")))?;
        let mut cited = Vec::with_capacity(ids.len());
        for id in &ids {
            let p: Option<(String, u32, Option<u32>, Option<u32>)> = prov_st
                .query_row(params![release.id, id], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                })
                .optional()?;
            let (law, article, clause, item) =
                p.ok_or_else(|| InspectionError::Corrupt(format!("法条 {id} 缺失")))?;
            cited.push(crate::catalogue::model::Provision::cite(
                &law, article, clause, item,
            ));
        }
        // The matter's own 罚则, as the case flow's order cites it.
        let order_basis = match &matter {
            Some(code) => store
                .catalogue()
                .matter(release.clone(), code, on)?
                .map(|m| {
                    m.provisions
                        .into_iter()
                        .filter(|p| p.role == crate::catalogue::ProvisionRole::Penalty)
                        .map(|p| p.citation)
                        .collect()
                })
                .unwrap_or_default(),
            None => Vec::new(),
        };
        out.push(ChecklistItem {
            code: m.item,
            department,
            department_name,
            subject,
            method,
            basis: cited,
            violation,
            matter,
            order_basis,
            correction_days: days,
            scenarios: m.scenarios,
        });
    }
    Ok((release.id, out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sc(code: &str, items: &[&str]) -> (String, Vec<String>) {
        (code.into(), items.iter().map(|s| (*s).to_owned()).collect())
    }

    #[test]
    fn shared_items_appear_once_at_their_first_position() {
        let m = merge(&[sc("A", &["x", "y", "z"]), sc("B", &["w", "y", "x"])]);
        let items: Vec<&str> = m.iter().map(|m| m.item.as_str()).collect();
        assert_eq!(items, ["x", "y", "z", "w"]);
        assert_eq!(m[1].scenarios, ["A", "B"]);
        assert_eq!(m[3].scenarios, ["B"]);
    }

    #[test]
    fn a_scenario_asked_twice_counts_once() {
        let m = merge(&[sc("A", &["x"]), sc("A", &["x"])]);
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].scenarios, ["A"]);
    }
}
