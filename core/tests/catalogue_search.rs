//! Offline search: ranking tiers, pinyin, provision text, township scope,
//! and time-versioned releases.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test and benchmark code: a failure should abort loudly

use chrono::{NaiveDate, TimeZone, Utc};
use proptest::prelude::*;
use zhifa_core::ErrorCode;
use zhifa_core::catalogue::model::{Adoption, MatterKind, Package, Provision};
use zhifa_core::catalogue::synth::{SynthOptions, synth};
use zhifa_core::catalogue::{MatchKind, OutsideReason, SearchQuery, SearchScope, import};
use zhifa_core::store::{DbKey, Store};

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// A package whose matters are named as given; kinds cycle through
/// statutory, optional and entrusted as the synthetic generator assigns
/// them (index % 10: 0–2 statutory, 3–5 common, 6–8 optional, 9 entrusted).
fn package(id: &str, from: &str, names: &[&str]) -> Package {
    let mut p = synth(&SynthOptions {
        matters: names.len(),
        townships: 2,
        seed: 7,
    });
    p.release.id = id.into();
    p.release.effective_from = d(from);
    p.release.issued_on = d(from);
    for (m, name) in p.matters.iter_mut().zip(names) {
        m.name = (*name).into();
        // The generator's everyday names belong to its own names.
        m.aliases.clear();
    }
    for t in &mut p.townships {
        t.adopted.clear();
    }
    p
}

fn store_with(packages: &[Package]) -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(&dir.path().join("d.db"), &DbKey::Raw([5; 32])).unwrap();
    for p in packages {
        import(
            &mut s,
            &serde_json::to_vec(p).unwrap(),
            Utc.with_ymd_and_hms(2025, 7, 1, 0, 0, 0).unwrap(),
        )
        .unwrap();
    }
    (dir, s)
}

fn search(s: &Store, text: &str, scope: SearchScope) -> Vec<(String, MatchKind)> {
    let q = SearchQuery {
        text: text.into(),
        on: d("2025-08-01"),
        scope,
        limit: 20,
    };
    s.catalogue()
        .search(&q)
        .unwrap()
        .results
        .into_iter()
        .map(|h| (h.name, h.matched))
        .collect()
}

const NAMES: &[&str] = &[
    "占道经营",             // 0 statutory
    "店外占道经营",         // 1
    "占道经营且拒不改正",   // 2
    "在道路上占道堆物",     // 3 common
    "乱张贴、乱刻画",       // 4
    "随地吐痰",             // 5
    "擅自设置大型户外广告", // 6 optional
    "违规停放非机动车",     // 7 optional
    "河道内采砂",           // 8 optional
    "行人违反交通信号",     // 9 entrusted
];

#[test]
fn tiers_rank_exact_then_prefix_then_initials_then_substring_then_provision() {
    let mut p = package("R1", "2025-07-01", NAMES);
    // A provision-only word: only matter 5's 违则 mentions 油烟.
    let vid = p.matters[5].violated[0].clone();
    let prov: &mut Provision = p.provisions.iter_mut().find(|x| x.id == vid).unwrap();
    prov.text = "禁止在次干道从事产生油烟的餐饮经营".into();
    let (_d, s) = store_with(&[p]);

    let r = search(&s, "占道经营", SearchScope::All);
    assert_eq!(r[0], ("占道经营".into(), MatchKind::NameExact));
    assert_eq!(r[1], ("占道经营且拒不改正".into(), MatchKind::Prefix));
    assert_eq!(r[2], ("店外占道经营".into(), MatchKind::Substring));

    let r = search(&s, "zdjy", SearchScope::All);
    assert_eq!(r[0], ("占道经营".into(), MatchKind::InitialsExact));
    assert_eq!(
        r[1],
        ("占道经营且拒不改正".into(), MatchKind::InitialsPrefix)
    );

    let r = search(&s, "ＺＨＡＮ ＤＡＯ", SearchScope::All);
    assert_eq!(r[0].1, MatchKind::PinyinPrefix, "{r:?}");
    assert!(
        r.iter()
            .any(|x| x.0 == "店外占道经营" && x.1 == MatchKind::Substring),
        "{r:?}"
    );

    // Two characters: trigram cannot match, LIKE does.
    let r = search(&s, "占道", SearchScope::All);
    assert_eq!(
        r.iter().filter(|x| x.0.contains("占道")).count(),
        4,
        "{r:?}"
    );
    assert_eq!(r[0].1, MatchKind::Prefix);

    let r = search(&s, "油烟", SearchScope::All);
    assert_eq!(r, vec![("随地吐痰".into(), MatchKind::ProvisionText)]);

    let r = search(&s, "cg", SearchScope::All);
    assert!(r.is_empty() || r.iter().all(|x| x.1 != MatchKind::NameExact));
}

#[test]
fn codes_and_domains_are_found() {
    let p = package("R1", "2025-07-01", NAMES);
    let code = p.matters[4].code.clone();
    let domain = p.matters[4].domain.clone();
    let (_d, s) = store_with(&[p]);
    let r = s
        .catalogue()
        .search(&SearchQuery {
            text: code.to_lowercase(),
            on: d("2025-08-01"),
            scope: SearchScope::All,
            limit: 5,
        })
        .unwrap();
    assert_eq!(r.results[0].code, code);
    assert_eq!(r.results[0].matched, MatchKind::CodeExact);
    let r = search(&s, &domain, SearchScope::All);
    assert!(
        r.iter()
            .any(|x| x.0 == "乱张贴、乱刻画" && x.1 == MatchKind::Domain),
        "{r:?}"
    );
}

#[test]
fn township_scope_hides_matters_it_did_not_adopt() {
    let mut p = package("R1", "2025-07-01", NAMES);
    let t0 = p.townships[0].code.clone();
    let optional = p.matters[6].code.clone();
    assert_eq!(p.matters[6].kind, MatterKind::EmpoweredOptional);
    p.townships[0].adopted.push(Adoption {
        matter: optional,
        from: d("2025-09-01"),
        to: None,
    });
    let (_d, s) = store_with(&[p]);
    let q = |on: &str, text: &str, scope: SearchScope| {
        s.catalogue()
            .search(&SearchQuery {
                text: text.into(),
                on: d(on),
                scope,
                limit: 20,
            })
            .unwrap()
            .results
            .into_iter()
            .map(|h| h.name)
            .collect::<Vec<_>>()
    };
    let scope = SearchScope::Township(t0.clone());
    // Before the adoption date the optional matter is out of scope …
    assert!(q("2025-08-01", "大型户外广告", scope.clone()).is_empty());
    // … from it on, in scope; statutory matters always are.
    assert_eq!(
        q("2025-09-01", "大型户外广告", scope.clone()),
        vec!["擅自设置大型户外广告"]
    );
    assert_eq!(q("2025-08-01", "随地吐痰", scope.clone()), vec!["随地吐痰"]);
    // The entrusted matter was never adopted; --all finds it anyway.
    assert!(q("2025-09-01", "交通信号", scope.clone()).is_empty());
    assert_eq!(
        q("2025-09-01", "交通信号", SearchScope::All),
        vec!["行人违反交通信号"]
    );

    // What the township may not enforce comes apart, with the reason.
    let outside = |on: &str, text: &str| {
        s.catalogue()
            .search(&SearchQuery {
                text: text.into(),
                on: d(on),
                scope: scope.clone(),
                limit: 20,
            })
            .unwrap()
            .outside
    };
    let early = outside("2025-08-01", "大型户外广告");
    assert_eq!(early.len(), 1, "{early:?}");
    assert_eq!(early[0].hit.name, "擅自设置大型户外广告");
    assert_eq!(
        early[0].reason,
        OutsideReason::NotOnDate {
            periods: vec![(d("2025-09-01"), None)]
        }
    );
    assert!(early[0].reason_zh.contains("2025-09-01 起"), "{early:?}");
    assert!(outside("2025-09-01", "大型户外广告").is_empty());
    let entrusted = outside("2025-09-01", "交通信号");
    assert_eq!(entrusted.len(), 1, "{entrusted:?}");
    assert_eq!(entrusted[0].reason, OutsideReason::NotAdopted);
    assert!(entrusted[0].reason_zh.contains("委托"), "{entrusted:?}");
    // Statutory matters are never outside, and --all has no outside list.
    assert!(outside("2025-08-01", "随地吐痰").is_empty());
    let all = s
        .catalogue()
        .search(&SearchQuery {
            text: "交通信号".into(),
            on: d("2025-09-01"),
            scope: SearchScope::All,
            limit: 20,
        })
        .unwrap();
    assert!(all.outside.is_empty());
    assert!(
        !serde_json::to_string(&all).unwrap().contains("outside"),
        "--all keeps its output"
    );

    let err = s
        .catalogue()
        .search(&SearchQuery {
            text: "x".into(),
            on: d("2025-09-01"),
            scope: SearchScope::Township("999999999".into()),
            limit: 5,
        })
        .unwrap_err();
    assert_eq!(err.code(), "CATALOGUE_UNKNOWN_TOWNSHIP");
}

#[test]
fn a_case_binds_to_the_release_in_force_on_its_violation_date() {
    let old = package("R2025", "2025-07-01", NAMES);
    let mut new = package("R2026", "2026-01-01", NAMES);
    new.matters[0].name = "占道经营（2026版）".into();
    let code = new.matters[0].code.clone();
    let (_d, s) = store_with(&[new, old]);
    let c = s.catalogue();
    assert_eq!(c.release_in_force(d("2025-12-31")).unwrap().id, "R2025");
    assert_eq!(c.release_in_force(d("2026-01-01")).unwrap().id, "R2026");
    assert_eq!(
        c.matter_in_force(&code, d("2025-12-31"))
            .unwrap()
            .unwrap()
            .matter
            .name,
        "占道经营"
    );
    assert_eq!(
        c.matter_in_force(&code, d("2026-03-01"))
            .unwrap()
            .unwrap()
            .matter
            .name,
        "占道经营（2026版）"
    );
    assert_eq!(
        c.release_in_force(d("2025-06-30")).unwrap_err().code(),
        "CATALOGUE_NO_RELEASE"
    );
    assert_eq!(c.releases().unwrap().len(), 2);
}

#[test]
fn matter_detail_marks_provisions_not_in_force() {
    let mut p = package("R1", "2025-07-01", NAMES);
    let pid = p.matters[0].penalty[0].clone();
    let prov = p.provisions.iter_mut().find(|x| x.id == pid).unwrap();
    prov.effective_to = Some(d("2025-07-31"));
    let code = p.matters[0].code.clone();
    let (_d, s) = store_with(&[p]);
    let rec = s
        .catalogue()
        .matter_in_force(&code, d("2025-07-15"))
        .unwrap()
        .unwrap();
    assert!(rec.provisions.iter().all(|p| p.in_force));
    let rec = s
        .catalogue()
        .matter_in_force(&code, d("2025-08-15"))
        .unwrap()
        .unwrap();
    let penalty = rec
        .provisions
        .iter()
        .find(|p| p.provision.id == pid)
        .unwrap();
    assert!(!penalty.in_force);
    assert!(penalty.citation.starts_with('《'));
}

#[test]
fn empty_and_overlong_queries_are_refused() {
    let (_d, s) = store_with(&[package("R1", "2025-07-01", NAMES)]);
    let q = |t: &str| SearchQuery {
        text: t.into(),
        on: d("2025-08-01"),
        scope: SearchScope::All,
        limit: 5,
    };
    assert_eq!(
        s.catalogue().search(&q(" \u{3000} ")).unwrap_err().code(),
        "SEARCH_EMPTY_QUERY"
    );
    assert_eq!(
        s.catalogue()
            .search(&q(&"占".repeat(101)))
            .unwrap_err()
            .code(),
        "SEARCH_QUERY_TOO_LONG"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, .. ProptestConfig::default() })]

    /// Whatever is typed — SQL and FTS syntax, quotes, wildcards, any
    /// Unicode — search returns ranked results or a typed refusal, never a
    /// panic or an SQL error; results are sorted by score and unique.
    #[test]
    fn any_query_is_safe(text in prop_oneof![
        "\\PC{0,12}",
        "[\"'%_*()\\\\:^-]{1,6}[占道a-z]{0,3}",
        Just("NEAR(占道 经营)".to_owned()),
        Just("name:占道 OR 1=1".to_owned()),
    ]) {
        thread_local! {
            static S: (tempfile::TempDir, Store) = store_with(&[package("R1", "2025-07-01", NAMES)]);
        }
        S.with(|(_d, s)| {
            let q = SearchQuery { text: text.clone(), on: d("2025-08-01"), scope: SearchScope::All, limit: 10 };
            match s.catalogue().search(&q) {
                Ok(r) => {
                    let scores: Vec<u32> = r.results.iter().map(|h| h.score).collect();
                    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
                    let mut codes: Vec<&str> = r.results.iter().map(|h| h.code.as_str()).collect();
                    codes.sort_unstable();
                    codes.dedup();
                    assert_eq!(codes.len(), r.results.len());
                }
                Err(e) => assert!(
                    matches!(e.code(), "SEARCH_EMPTY_QUERY" | "SEARCH_QUERY_TOO_LONG"),
                    "{text:?}: {e}"
                ),
            }
        });
    }
}
