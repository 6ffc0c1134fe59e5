//! Search in the officer's words (issue 19): everyday names (俗称) kept as
//! catalogue data, one-character slips, stray spaces — measured on the
//! everyday-query set (core/benches/data/everyday-queries.json) against the
//! sample catalogue, and checked exhaustively for every one-character slip
//! of every sample name.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should abort loudly

use std::collections::BTreeMap;

use chrono::{NaiveDate, TimeZone, Utc};
use serde::Deserialize;
use zhifa_core::ErrorCode;
use zhifa_core::catalogue::{MatchKind, SearchQuery, SearchScope, check_package, import};
use zhifa_core::store::{DbKey, Store};

const SAMPLE: &str = include_str!("../../schema/catalogue/sample/chongqing-sample.json");
const QUERIES: &str = include_str!("../benches/data/everyday-queries.json");

#[derive(Deserialize)]
struct QuerySet {
    release: String,
    on: NaiveDate,
    queries: Vec<Everyday>,
}

#[derive(Deserialize)]
struct Everyday {
    class: String,
    q: String,
    expect: Vec<String>,
}

fn sample_store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(&dir.path().join("d.db"), &DbKey::Raw([3; 32])).unwrap();
    import(
        &mut s,
        SAMPLE.as_bytes(),
        Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
    )
    .unwrap();
    (dir, s)
}

fn top5(s: &Store, text: &str, on: NaiveDate) -> Vec<(String, String, MatchKind)> {
    s.catalogue()
        .search(&SearchQuery {
            text: text.into(),
            on,
            scope: SearchScope::All,
            limit: 5,
        })
        .unwrap()
        .results
        .into_iter()
        .map(|h| (h.code, h.name, h.matched))
        .collect()
}

/// Recall@5 over the everyday queries: at least 95 % (the goal),
/// with the per-class figures printed for docs/BENCHMARKS.md
/// (`cargo test -p zhifa-core --test search_words -- --nocapture`).
#[test]
fn everyday_queries_find_their_matter_in_the_top_five() {
    let set: QuerySet = serde_json::from_str(QUERIES).unwrap();
    assert!(set.queries.len() >= 100, "{}", set.queries.len());
    let (_d, s) = sample_store();
    let release = s.catalogue().release_in_force(set.on).unwrap();
    assert_eq!(
        release.id, set.release,
        "the set is written for this release"
    );
    let mut by_class: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut missed = Vec::new();
    for e in &set.queries {
        let hits = top5(&s, &e.q, set.on);
        let found = hits.iter().any(|(code, _, _)| e.expect.contains(code));
        let c = by_class.entry(e.class.as_str()).or_default();
        c.1 += 1;
        if found {
            c.0 += 1;
        } else {
            missed.push(format!("{:?} → {:?}", e.q, hits));
        }
    }
    let found: usize = by_class.values().map(|c| c.0).sum();
    let total = set.queries.len();
    println!("recall@5: {found}/{total}");
    for (class, (f, t)) in &by_class {
        println!("  {class}: {f}/{t}");
    }
    for m in &missed {
        println!("  missed {m}");
    }
    assert!(
        found * 100 >= total * 95,
        "recall@5 {found}/{total} below 95 %:\n{}",
        missed.join("\n")
    );
}

/// Every one-character slip of every sample name of four or more
/// characters — one character replaced, dropped, doubled, or two
/// neighbours swapped — still finds the matter (by name: three police
/// units share 违规停放机动车) in the top five.
#[test]
fn every_one_character_slip_of_a_name_is_found() {
    let (_d, s) = sample_store();
    let on = NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
    let pkg: serde_json::Value = serde_json::from_str(SAMPLE).unwrap();
    let mut names: Vec<String> = pkg["matters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap().to_owned())
        .filter(|n| (4..=10).contains(&n.chars().count()))
        .collect();
    names.sort();
    names.dedup();
    assert!(names.len() >= 15, "{}", names.len());
    let mut tried = 0;
    let mut missed = Vec::new();
    for name in &names {
        let chars: Vec<char> = name.chars().collect();
        let mut slips: Vec<String> = Vec::new();
        for i in 0..chars.len() {
            let mut v = chars.clone();
            v[i] = '某';
            slips.push(v.iter().collect());
            let mut v = chars.clone();
            v.remove(i);
            slips.push(v.iter().collect());
            let mut v = chars.clone();
            v.insert(i, chars[i]);
            slips.push(v.iter().collect());
            if i + 1 < chars.len() {
                let mut v = chars.clone();
                v.swap(i, i + 1);
                slips.push(v.iter().collect());
            }
        }
        for slip in slips {
            tried += 1;
            let hits = top5(&s, &slip, on);
            if !hits.iter().any(|(_, n, _)| n == name) {
                missed.push(format!("{slip} (for {name}) → {hits:?}"));
            }
        }
    }
    assert!(tried > 500, "{tried}");
    assert!(
        missed.is_empty(),
        "{} of {tried} slips missed:\n{}",
        missed.len(),
        missed.join("\n")
    );
}

/// An everyday name is found as the name is, ahead of the one-slip tier,
/// and a phrase holding it finds it too.
#[test]
fn everyday_names_rank_as_names() {
    let (_d, s) = sample_store();
    let on = NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
    let hits = top5(&s, "牛皮癣", on);
    assert_eq!(hits[0].0, "CG-005", "{hits:?}");
    assert_eq!(hits[0].2, MatchKind::AliasExact);
    let hits = top5(&s, "门口贴小广告", on);
    assert_eq!(hits[0].0, "CG-005", "{hits:?}");
    assert_eq!(hits[0].2, MatchKind::AliasWithin);
    // A slip finds the name in the near tier, not by an alias.
    let hits = top5(&s, "占到经营", on);
    assert_eq!(
        (hits[0].0.as_str(), hits[0].2),
        ("CG-001", MatchKind::Near),
        "{hits:?}"
    );
    // Words that are no one's name find nothing rather than noise.
    assert!(top5(&s, "量子纠缠", on).is_empty());
}

/// A code typed without its hyphens finds its matter as the code itself
/// does, in both code shapes of the sample (`CG-001`, `JT-WT-01`), in any
/// case and width; a code-like query that is no code finds no code hit.
#[test]
fn codes_typed_without_hyphens_find_their_matter() {
    let (_d, s) = sample_store();
    let on = NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
    let pkg: serde_json::Value = serde_json::from_str(SAMPLE).unwrap();
    let codes: Vec<String> = pkg["matters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["code"].as_str().unwrap().to_owned())
        .collect();
    assert!(codes.iter().any(|c| c.matches('-').count() == 2));
    for code in &codes {
        let compact = code.replace('-', "");
        for typed in [compact.clone(), compact.to_lowercase()] {
            let hits = top5(&s, &typed, on);
            assert_eq!(
                (
                    hits.first().map(|h| h.0.as_str()),
                    hits.first().map(|h| h.2)
                ),
                (Some(code.as_str()), Some(MatchKind::CodeExact)),
                "{typed}: {hits:?}"
            );
        }
    }
    let full_width = top5(&s, "ＣＧ００１", on);
    assert_eq!(full_width[0].0, "CG-001");
    let none = top5(&s, "CG999", on);
    assert!(none.iter().all(|h| h.2 != MatchKind::CodeExact), "{none:?}");
}

/// Everyday names must be searchable as written: normalised, unique, short.
#[test]
fn malformed_everyday_names_are_refused_with_their_path() {
    let mut pkg: serde_json::Value = serde_json::from_str(SAMPLE).unwrap();
    let m = &mut pkg["matters"][8];
    assert_eq!(m["code"], "CG-001");
    m["aliases"] = serde_json::json!([
        "路边 摆摊",
        "摆摊",
        "摆摊",
        "占道经营",
        "一二三四五六七八九十一二三四五六七"
    ]);
    m["fact_phrases"] = serde_json::json!(["占道经营", "  "]);
    let err = check_package(&serde_json::to_vec(&pkg).unwrap()).unwrap_err();
    assert_eq!(err.code(), "CATALOGUE_INVALID");
    let text = format!("{err:?}");
    for (path, code) in [
        ("$.matters[8].aliases[0]", "alias_not_normalised"),
        ("$.matters[8].aliases[2]", "alias_duplicate"),
        ("$.matters[8].aliases[3]", "alias_duplicate"),
        ("$.matters[8].aliases[4]", "schema_violation"),
        ("$.matters[8].fact_phrases[1]", "schema_violation"),
    ] {
        assert!(
            text.contains(path) && text.contains(code),
            "{path} {code}: {text}"
        );
    }
    assert!(!text.contains("$.matters[8].aliases[1]"), "{text}");
    assert!(!text.contains("$.matters[8].fact_phrases[0]"), "{text}");
}
