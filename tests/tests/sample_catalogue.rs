//! The sample catalogue shipped in `schema/catalogue/sample/` imports into
//! a fresh device store and has the breadth the officers' scenarios need:
//! every matter kind, many domains, realistic discretion tables, townships
//! that adopted different matters, and the 2025–2026 working-day calendar.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test and benchmark code: a failure should abort loudly

use std::collections::HashSet;

use chrono::{NaiveDate, TimeZone, Utc};
use zhifa_core::catalogue::model::{MatterKind, Package};
use zhifa_core::catalogue::{SearchQuery, SearchScope, check_package, import};
use zhifa_core::store::{DbKey, Store};

const SAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../schema/catalogue/sample/chongqing-sample.json"
);

fn sample() -> Package {
    check_package(&std::fs::read(SAMPLE).unwrap())
        .unwrap()
        .package
}

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

#[test]
fn the_sample_has_the_breadth_the_issue_asks_for() {
    let p = sample();
    assert!(p.release.sample, "the sample must be marked as sample data");
    assert!(p.release.notice.as_deref().unwrap_or("").contains("示例"));
    assert!(p.matters.len() >= 60);
    let kinds: HashSet<MatterKind> = p.matters.iter().map(|m| m.kind).collect();
    assert_eq!(kinds.len(), 4, "all four kinds");
    let domains: HashSet<&str> = p.matters.iter().map(|m| m.domain.as_str()).collect();
    assert!(domains.len() >= 8, "{domains:?}");
    assert!(p.matters.iter().map(|m| m.levels.len()).sum::<usize>() >= 180);
    assert_eq!(p.townships.len(), 3);
    let adoptions: Vec<Vec<&str>> = p
        .townships
        .iter()
        .map(|t| t.adopted.iter().map(|a| a.matter.as_str()).collect())
        .collect();
    assert!(
        adoptions[0] != adoptions[1]
            && adoptions[1] != adoptions[2]
            && adoptions[0] != adoptions[2]
    );
    assert!(p.calendar.from <= d("2025-01-01") && p.calendar.to >= d("2027-12-31"));
    // National Day 2025 fell on a Wednesday; Sunday 28 Sep 2025 was a make-up working day.
    assert!(p.calendar.holidays.contains(&d("2025-10-01")));
    assert!(p.calendar.workdays.contains(&d("2025-09-28")));
}

#[test]
fn the_sample_imports_and_answers_the_patrol_questions() {
    let dir = tempfile::tempdir().unwrap();
    let mut store =
        Store::open(&dir.path().join("device.db"), &DbKey::generate().unwrap()).unwrap();
    let out = import(
        &mut store,
        &std::fs::read(SAMPLE).unwrap(),
        Utc.with_ymd_and_hms(2025, 7, 1, 0, 0, 0).unwrap(),
    )
    .unwrap();
    assert_eq!(out.release_id, sample().release.id);

    let on = d("2025-08-01");
    for t in sample().townships {
        let q = SearchQuery {
            text: "zdjy".into(),
            on,
            scope: SearchScope::Township(t.code.clone()),
            limit: 5,
        };
        let res = store.catalogue().search(&q).unwrap();
        assert_eq!(res.results[0].name, "占道经营", "township {}", t.name);
    }
    // The entrusted matters are issued in the entrusting authority's name.
    let p = sample();
    let entrusted = p
        .matters
        .iter()
        .find(|m| m.kind == MatterKind::Entrusted)
        .unwrap();
    let rec = store
        .catalogue()
        .matter_in_force(&entrusted.code, on)
        .unwrap()
        .unwrap();
    assert!(rec.matter.entrusting_authority.is_some());
    assert!(
        rec.provisions
            .iter()
            .any(|p| p.provision.law.contains("道路交通安全法"))
    );
}
