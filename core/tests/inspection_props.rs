//! Properties of the checklist merge of a joint inspection (综合查一次):
//! whatever scenarios are combined, every item of every scenario appears
//! exactly once, at the position of its first appearance, tagged with
//! every scenario that lists it, and the merge is stable.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should abort loudly

use std::collections::{HashMap, HashSet};

use proptest::prelude::*;
use zhifa_core::inspection::merge;

/// Scenarios over a small item pool, so that they share many items; a
/// scenario lists each item at most once (the catalogue check ensures it)
/// and a code always means the same items (codes are unique in a release).
/// The result is the scenarios asked, in order, possibly repeated.
fn scenarios() -> impl Strategy<Value = Vec<(String, Vec<String>)>> {
    (
        prop::collection::vec(prop::collection::vec(0u8..20, 1..12), 6),
        prop::collection::vec(0usize..6, 0..7),
    )
        .prop_map(|(defs, picks)| {
            picks
                .into_iter()
                .map(|k| {
                    let mut seen = HashSet::new();
                    let items: Vec<String> = defs[k]
                        .iter()
                        .filter(|i| seen.insert(**i))
                        .map(|i| format!("JC-{i:02}"))
                        .collect();
                    (format!("SC-{k}"), items)
                })
                .collect()
        })
}

proptest! {
    #[test]
    fn every_item_appears_once_in_first_appearance_order(input in scenarios()) {
        let merged = merge(&input);
        // The scenarios that count: the first occurrence of each code.
        let mut counted: Vec<&(String, Vec<String>)> = Vec::new();
        for s in &input {
            if !counted.iter().any(|c| c.0 == s.0) {
                counted.push(s);
            }
        }
        let expected_order: Vec<&String> = {
            let mut seen = HashSet::new();
            counted.iter().flat_map(|s| &s.1).filter(|i| seen.insert(*i)).collect()
        };
        let got: Vec<&String> = merged.iter().map(|m| &m.item).collect();
        prop_assert_eq!(got, expected_order);
        let unique: HashSet<&String> = merged.iter().map(|m| &m.item).collect();
        prop_assert_eq!(unique.len(), merged.len());
        // Each entry names exactly the scenarios that list it, in asked order.
        let at: HashMap<&String, &Vec<String>> =
            merged.iter().map(|m| (&m.item, &m.scenarios)).collect();
        for m in &merged {
            let expect: Vec<&String> =
                counted.iter().filter(|s| s.1.contains(&m.item)).map(|s| &s.0).collect();
            let got: Vec<&String> = at[&m.item].iter().collect();
            prop_assert_eq!(got, expect);
        }
    }

    #[test]
    fn merging_is_deterministic_and_idempotent(input in scenarios()) {
        prop_assert_eq!(merge(&input), merge(&input));
        // Asking the same scenarios again changes nothing.
        let mut twice = input.clone();
        twice.extend(input.iter().cloned());
        prop_assert_eq!(merge(&twice), merge(&input));
    }

    #[test]
    fn a_merged_list_is_a_superset_of_each_scenario_in_its_order(input in scenarios()) {
        let merged = merge(&input);
        let pos: HashMap<&String, usize> =
            merged.iter().enumerate().map(|(i, m)| (&m.item, i)).collect();
        let first = input.first();
        for s in &input {
            for item in &s.1 {
                prop_assert!(pos.contains_key(item));
            }
        }
        // The first scenario's items keep their relative order at the head.
        if let Some(f) = first {
            let head: Vec<&String> = merged.iter().take(f.1.len()).map(|m| &m.item).collect();
            prop_assert_eq!(head, f.1.iter().collect::<Vec<_>>());
        }
    }
}
