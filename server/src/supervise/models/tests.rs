//! Each model finds the pattern planted in generated clean data, and finds
//! nothing in the clean data itself (issue 18 done-when 1, the pure half;
//! `tests/tests/supervise.rs` runs them over a real server's records on
//! SQLite and PostgreSQL).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should abort loudly

use chrono::{NaiveDate, TimeZone, Utc};
use proptest::prelude::*;

use super::super::{CaseFacts, Config, Data, InspectionFacts, Outcome};
use super::*;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// A lawful, unremarkable decided case: two officers, credentials shown,
/// evidence, the suggested band, served on the spot, paid in time.
fn case(
    i: usize,
    township: &str,
    officer: &str,
    matter: &str,
    amount: i64,
    on: NaiveDate,
) -> CaseFacts {
    let decided = on.and_hms_opt(10, 0, 0).unwrap();
    CaseFacts {
        case_id: format!("case-{i:05}"),
        version: 10,
        township: township.to_owned(),
        district: township[..6].to_owned(),
        matter_code: matter.to_owned(),
        procedure: "simple".to_owned(),
        status: "paid".to_owned(),
        officers: [officer.to_owned(), format!("{officer}-partner")],
        party_kind: Some("individual".to_owned()),
        party_index: Some(format!("party-{i}")),
        violation_date: on,
        created_at: Utc.from_utc_datetime(&on.and_hms_opt(1, 30, 0).unwrap()),
        decided_at: Some(decided),
        outcome: Outcome::Penalty,
        exemption: None,
        first_violation: false,
        penalty_kind: Some("fine".to_owned()),
        amount_fen: Some(amount),
        band: Some("L2".to_owned()),
        suggested_level: Some("L2".to_owned()),
        deviation_reason: false,
        collected_on_spot: false,
        evidence_count: 2,
        no_evidence_reason: false,
        served_on: Some(on),
        payment_due: Some(on + Duration::days(15)),
        paid_on: Some(on + Duration::days(3)),
        credentials_shown: true,
        replay_ok: Some(true),
        replay_codes: Vec::new(),
    }
}

/// Clean data: `townships` townships of one district, 3 officers each, 20
/// decisions per officer on one matter at one amount, every tenth without
/// a penalty; inspections of distinct parties spaced a window apart.
fn clean(townships: usize, seed: u64) -> Data {
    let mut cases = Vec::new();
    let mut inspections = Vec::new();
    let start = day(2026, 3, 1);
    let mut i = 0;
    for t in 0..townships {
        let township = format!("500101{:03}", 100 + t);
        for o in 0..3 {
            let officer = format!("off-{t}-{o}");
            for k in 0..20 {
                let on = start + Duration::days(((seed as i64) + k) % 60);
                let mut c = case(i, &township, &officer, "M-001", 20_000, on);
                if k % 10 == 0 {
                    c.outcome = Outcome::NoPenalty;
                    c.amount_fen = None;
                    c.penalty_kind = None;
                    c.exemption = Some("minor".to_owned());
                }
                cases.push(c);
                i += 1;
            }
        }
        for k in 0..3 {
            inspections.push(InspectionFacts {
                inspection_id: format!("insp-{t}-{k}"),
                township: township.clone(),
                party_index: Some("shop-1".to_owned()),
                started_on: start + Duration::days(40 * k),
                items: 4,
            });
        }
    }
    Data {
        cases,
        inspections,
        normal: Vec::new(),
        as_of: day(2026, 6, 1),
    }
}

fn found(model: &str, d: &Data) -> Vec<Clue> {
    let m = MODELS.iter().find(|m| m.name == model).expect("a model");
    (m.run)(d, &Config::default())
}

/// Plants a change in the first case of the clean data and checks that
/// `model` names that case, and only `model`'s clues changed.
fn planted(model: &str, plant: impl FnOnce(&mut CaseFacts)) {
    let mut d = clean(3, 7);
    assert!(found(model, &d).is_empty(), "{model} on clean data");
    let target = d.cases[1].case_id.clone();
    plant(&mut d.cases[1]);
    let clues = found(model, &d);
    assert!(
        clues.iter().any(|c| c.cases.contains(&target)),
        "{model} missed the planted case: {clues:?}"
    );
    assert!(
        clues
            .iter()
            .all(|c| c.model == model && !c.reason.is_empty())
    );
}

#[test]
fn there_are_at_least_ten_models_with_distinct_names_and_a_basis() {
    assert!(MODELS.len() >= 10);
    let mut names: Vec<_> = MODELS.iter().map(|m| m.name).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), MODELS.len());
    assert!(
        MODELS
            .iter()
            .all(|m| !m.basis.is_empty() && !m.title.is_empty())
    );
}

#[test]
fn replay_refused_finds_a_refused_decision() {
    planted("replay_refused", |c| {
        c.replay_ok = Some(false);
        c.replay_codes = vec!["CASE_AMOUNT_OUTSIDE_BAND".to_owned()];
    });
}

#[test]
fn unexplained_departure_needs_a_reason_to_leave_the_suggested_band() {
    planted("unexplained_departure", |c| c.band = Some("L3".to_owned()));
    let mut d = clean(1, 0);
    d.cases[1].band = Some("L3".to_owned());
    d.cases[1].deviation_reason = true;
    assert!(
        found("unexplained_departure", &d).is_empty(),
        "a reason was given"
    );
}

#[test]
fn peer_dispersion_finds_a_fine_far_from_its_peers() {
    planted("peer_dispersion", |c| c.amount_fen = Some(200_000));
    planted("peer_dispersion", |c| c.amount_fen = Some(2_000));
}

#[test]
fn peer_dispersion_leaves_a_spread_inside_the_fences() {
    let mut d = clean(2, 3);
    // Amounts spread evenly between 150 and 250 元: no outlier.
    for (i, c) in d.cases.iter_mut().enumerate() {
        if c.amount_fen.is_some() {
            c.amount_fen = Some(15_000 + (i as i64 % 11) * 1_000);
        }
    }
    assert!(found("peer_dispersion", &d).is_empty());
}

#[test]
fn township_median_shift_finds_a_township_fining_twice_its_district() {
    let mut d = clean(4, 1);
    let township = d.cases[0].township.clone();
    for c in d.cases.iter_mut().filter(|c| c.township == township) {
        if let Some(a) = c.amount_fen.as_mut() {
            *a *= 2;
        }
    }
    let clues = found("township_median_shift", &d);
    assert_eq!(clues.len(), 1, "{clues:?}");
    assert_eq!(clues[0].township, township);
    assert!(clues[0].reason.contains("高出"), "{}", clues[0].reason);
}

#[test]
fn officer_leniency_finds_an_officer_who_rarely_penalises() {
    let mut d = clean(3, 2);
    let officer = d.cases[0].officers[0].clone();
    for c in d
        .cases
        .iter_mut()
        .filter(|c| c.officers[0] == officer)
        .take(16)
    {
        c.outcome = Outcome::NoPenalty;
        c.amount_fen = None;
    }
    let clues = found("officer_leniency", &d);
    assert_eq!(clues.len(), 1, "{clues:?}");
    assert!(clues[0].reason.contains(&officer) && clues[0].reason.contains("偏宽"));
}

#[test]
fn repeat_party_first_violation_finds_a_second_first_violation() {
    let mut d = clean(1, 0);
    assert!(found("repeat_party_first_violation", &d).is_empty());
    d.cases[2].party_index = d.cases[1].party_index.clone();
    d.cases[1].violation_date = day(2025, 9, 1);
    d.cases[2].violation_date = day(2026, 3, 1);
    d.cases[2].first_violation = true;
    let clues = found("repeat_party_first_violation", &d);
    assert_eq!(clues.len(), 1, "{clues:?}");
    assert_eq!(
        clues[0].cases,
        vec![d.cases[2].case_id.clone(), d.cases[1].case_id.clone()]
    );
    // Outside the 12-month look-back: a first violation again.
    d.cases[1].violation_date = day(2025, 2, 1);
    assert!(found("repeat_party_first_violation", &d).is_empty());
}

#[test]
fn single_officer_finds_one_officer_named_twice() {
    planted("single_officer", |c| c.officers[1] = c.officers[0].clone());
    planted("single_officer", |c| c.officers[1] = String::new());
}

#[test]
fn credentials_not_recorded_finds_a_decision_without_them() {
    planted("credentials_not_recorded", |c| c.credentials_shown = false);
}

#[test]
fn no_evidence_finds_a_penalty_on_nothing() {
    planted("no_evidence", |c| c.evidence_count = 0);
    let mut d = clean(1, 0);
    d.cases[1].evidence_count = 0;
    d.cases[1].no_evidence_reason = true;
    assert!(found("no_evidence", &d).is_empty(), "a reason was given");
}

#[test]
fn collection_outside_art68_starts_above_100_yuan() {
    planted("collection_outside_art68", |c| {
        c.collected_on_spot = true;
        c.amount_fen = Some(ART68_LIMIT_FEN + 1);
    });
    let mut d = clean(1, 0);
    d.cases[1].collected_on_spot = true;
    d.cases[1].amount_fen = Some(ART68_LIMIT_FEN);
    assert!(
        found("collection_outside_art68", &d).is_empty(),
        "100 元 is allowed"
    );
}

#[test]
fn not_served_on_the_spot_finds_late_or_missing_service() {
    planted("not_served_on_the_spot", |c| {
        c.served_on = c.served_on.map(|s| s + Duration::days(2))
    });
    planted("not_served_on_the_spot", |c| c.served_on = None);
    let mut d = clean(1, 0);
    d.cases[1].served_on = None;
    d.as_of = d.cases[1].decided_at.unwrap().date();
    assert!(
        found("not_served_on_the_spot", &d).is_empty(),
        "the day is not over"
    );
}

#[test]
fn unpaid_not_pursued_starts_the_day_after_the_due_date() {
    planted("unpaid_not_pursued", |c| c.paid_on = None);
    let mut d = clean(1, 0);
    d.cases[1].paid_on = None;
    d.as_of = d.cases[1].payment_due.unwrap();
    assert!(
        found("unpaid_not_pursued", &d).is_empty(),
        "the last day is not over"
    );
}

#[test]
fn repeated_inspection_finds_a_party_checked_three_times_in_a_month() {
    let mut d = clean(2, 0);
    assert!(found("repeated_inspection", &d).is_empty());
    for (k, i) in d.inspections.iter_mut().take(3).enumerate() {
        i.started_on = day(2026, 3, 1) + Duration::days(10 * k as i64);
    }
    let clues = found("repeated_inspection", &d);
    assert_eq!(clues.len(), 1, "{clues:?}");
    assert_eq!(clues[0].cases.len(), 3);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]
    /// Clean data of any size and arrangement raises no clue in any model.
    #[test]
    fn clean_data_raises_nothing(townships in 1usize..6, seed in 0u64..1_000) {
        let d = clean(townships, seed);
        let clues = run_all(&d, &Config::default());
        prop_assert!(clues.is_empty(), "{:?}", clues);
    }
}
