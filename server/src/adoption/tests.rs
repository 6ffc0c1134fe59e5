//! The pure adoption rules: what is published on a day, the difference of
//! a draft, the next release's id and adoption periods.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should abort loudly

use super::*;

fn sample() -> Package {
    zhifa_core::catalogue::check_package(crate::SAMPLE_CATALOGUE.as_bytes())
        .unwrap()
        .package
}

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn township<'a>(p: &'a Package, code: &str) -> &'a Township {
    p.townships.iter().find(|t| t.code == code).unwrap()
}

fn optional_not_adopted(p: &Package, t: &Township) -> String {
    p.matters
        .iter()
        .find(|m| {
            m.kind == MatterKind::EmpoweredOptional && !t.adopted.iter().any(|a| a.matter == m.code)
        })
        .unwrap()
        .code
        .clone()
}

#[test]
fn publishing_ends_dropped_periods_and_starts_added_ones() {
    let p = sample();
    let t = township(&p, "500112108");
    let on = d("2026-03-10");
    let before = published(&p, t, on);
    assert!(!before.is_empty());
    // Only optional matters count: entrusted ones adopted are not listed.
    assert!(
        before
            .iter()
            .all(|c| kind_of(&p, c) == Some(MatterKind::EmpoweredOptional))
    );
    let dropped = before.iter().next().unwrap().clone();
    let added = optional_not_adopted(&p, t);
    let mut draft = before.clone();
    draft.remove(&dropped);
    draft.insert(added.clone());
    let changes = Changes::between(&before, &draft);
    assert_eq!(changes.added, vec![added.clone()]);
    assert_eq!(changes.removed, vec![dropped.clone()]);

    let next = apply(&p, "500112108", &draft, on, "X.A000002".into(), on).unwrap();
    let nt = township(&next, "500112108");
    assert_eq!(published(&next, nt, on), draft);
    let gone = nt.adopted.iter().find(|a| a.matter == dropped).unwrap();
    assert_eq!(gone.to, Some(d("2026-03-09")));
    assert!(gone.covers(d("2026-03-09")) && !gone.covers(on));
    let new = nt.adopted.iter().find(|a| a.matter == added).unwrap();
    assert_eq!((new.from, new.to), (on, None));
    // Entrusted adoptions untouched; other townships untouched.
    let entrusted = |t: &Township| -> Vec<Adoption> {
        t.adopted
            .iter()
            .filter(|a| kind_of(&p, &a.matter) == Some(MatterKind::Entrusted))
            .cloned()
            .collect()
    };
    assert_eq!(entrusted(nt), entrusted(t));
    assert_eq!(township(&next, "500110106"), township(&p, "500110106"));
    assert_eq!(next.release.id, "X.A000002");
    assert_eq!(next.release.effective_from, on);
    // The importer's own checks accept it.
    let bytes = serde_json::to_vec(&next).unwrap();
    zhifa_core::catalogue::check_package(&bytes).unwrap();
}

#[test]
fn a_matter_dropped_before_it_starts_disappears_and_readoption_starts_anew() {
    let p = sample();
    let t = township(&p, "500112108");
    let on = d("2026-03-10");
    let later = d("2026-04-01");
    let code = optional_not_adopted(&p, t);
    let mut with: BTreeSet<String> = published(&p, t, on);
    with.insert(code.clone());
    let a = apply(&p, "500112108", &with, later, "X.A000002".into(), on).unwrap();
    // Scheduled: counts as adopted from today's view.
    assert!(published(&a, township(&a, "500112108"), on).contains(&code));
    let mut without = with.clone();
    without.remove(&code);
    let b = apply(&a, "500112108", &without, on, "X.A000003".into(), on).unwrap();
    assert!(
        !township(&b, "500112108")
            .adopted
            .iter()
            .any(|x| x.matter == code)
    );
    // Drop a running one, then adopt it again later: a new period.
    let running = published(&p, t, on).into_iter().next().unwrap();
    let mut less = published(&p, t, on);
    less.remove(&running);
    let c = apply(&p, "500112108", &less, on, "X.A000002".into(), on).unwrap();
    let e = apply(
        &c,
        "500112108",
        &published(&p, t, on),
        later,
        "X.A000003".into(),
        later,
    )
    .unwrap();
    let again = township(&e, "500112108")
        .adopted
        .iter()
        .find(|x| x.matter == running)
        .unwrap();
    assert_eq!((again.from, again.to), (later, None));
}

#[test]
fn only_optional_matters_may_be_ticked() {
    let p = sample();
    let common = p
        .matters
        .iter()
        .find(|m| m.kind == MatterKind::EmpoweredCommon)
        .unwrap()
        .code
        .clone();
    let e = check_optional(&p, [&common]).unwrap_err();
    assert_eq!(e.code(), "adoption_not_optional");
    assert!(e.to_string().contains("赋权通用"));
    let e = check_optional(&p, [&"NO-SUCH".to_owned()]).unwrap_err();
    assert_eq!(e.code(), "adoption_unknown_matter");
}

#[test]
fn release_ids_follow_the_publication_order() {
    assert_eq!(release_id("CQ-2025-07", 7), "CQ-2025-07.A000007");
    assert_eq!(release_id("CQ-2025-07.A000007", 8), "CQ-2025-07.A000008");
    assert!(release_id("CQ-2025-07.A000009", 10) > release_id("CQ-2025-07.A000009", 9));
    assert!(release_id("CQ-2025-07", 2).as_str() > "CQ-2025-07");
    let long = "X".repeat(64);
    assert_eq!(release_id(&long, 3).len(), 64);
}
