//! Property tests for the rules engine: the check characters of GB 11643
//! and GB 32100 (exactly one per body; every single substitution caught)
//! and the assessment's invariants over arbitrary matters and cases (the
//! suggested fine lies in the lawful range; the simple procedure is never
//! allowed above the limits of 行政处罚法 Art. 51 / 道路交通安全法 Art. 107;
//! the surcharge never exceeds the fine, Art. 72).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod rules_support;

use chrono::{Days, NaiveDate};
use proptest::prelude::*;
use rules_support::*;
use zhifa_core::catalogue::model::{
    DiscretionLevel, FineRange, LevelPenalty, Matter, MatterKind, StatutoryRange,
};
use zhifa_core::rules::assess::{
    AssessInput, Party, PartyKind, PenaltyKind, ProposedPenalty, SIMPLE_LIMIT_INDIVIDUAL_FEN,
    SIMPLE_LIMIT_ORGANIZATION_FEN, SIMPLE_LIMIT_TRAFFIC_FEN,
};
use zhifa_core::rules::identity::{
    DetectionReason, IdKind, IdOptions, citizen_check_character, detect_id, normalize,
    parse_citizen_id, parse_uscc, uscc_check_character,
};
use zhifa_core::rules::{RulesConfig, assess};

const USCC_SET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const CITIZEN_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

/// The GB 11643 validation form, independent of the implementation:
/// Σ a_i·W_i over all 18 positions ≡ 1 (mod 11), with X = 10 and W_18 = 1.
fn citizen_valid_by_definition(n: &str) -> bool {
    let b = n.as_bytes();
    let body: u32 = b[..17]
        .iter()
        .zip(CITIZEN_WEIGHTS)
        .map(|(&d, w)| u32::from(d - b'0') * w)
        .sum();
    let last = if b[17] == b'X' {
        10
    } else {
        u32::from(b[17] - b'0')
    };
    (body + last) % 11 == 1
}

/// The GB 32100 validation form: (Σ C_i·3^(i−1) + C_18) ≡ 0 (mod 31).
fn uscc_valid_by_definition(n: &str) -> bool {
    let mut s = 0u64;
    let mut w = 1u64;
    for c in n.chars().take(17) {
        s += USCC_SET.find(c).unwrap() as u64 * w;
        w = w * 3 % 31;
    }
    (s + USCC_SET.find(n.chars().nth(17).unwrap()).unwrap() as u64).is_multiple_of(31)
}

/// A 17-character citizen body that passes the region and date checks.
fn citizen_body() -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec![
            "500112", "110105", "440524", "810000", "830000", "935840",
        ]),
        0u64..(365 * 200),
        0u32..1000,
    )
        .prop_map(|(region, days, seq)| {
            let birth = NaiveDate::from_ymd_opt(1850, 1, 1).unwrap() + Days::new(days);
            format!("{region}{}{seq:03}", birth.format("%Y%m%d"))
        })
}

/// GB 32100's registration-authority + institution-category pairs, written
/// out from the standard's code table (as reproduced, 🟡), independent of
/// the implementation's table.
const USCC_PAIRS: &str = "11 12 13 19 21 29 31 32 33 34 35 39 41 49 51 52 53 59 61 62 69 71 72 79 81 89 91 92 93 A1 A9 N1 N2 N3 N9 Y1";
/// Province-level GB/T 2260 prefixes (and 71/83 as the citizen table has them).
const PROVINCES: &str = "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 71 81 82 83";

/// The structure GB 32100 §4 gives positions 1–8: a pair of the table and a
/// division code (six digits, a province prefix, or `100000`).
fn uscc_structure_by_definition(n: &str) -> bool {
    let region = &n[2..8];
    USCC_PAIRS.split(' ').any(|p| p == &n[..2])
        && region.bytes().all(|b| b.is_ascii_digit())
        && (region == "100000" || PROVINCES.split(' ').any(|p| p == &region[..2]))
}

/// Any 17 characters of the USCC set.
fn any_uscc_body() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop::sample::select(USCC_SET.chars().collect::<Vec<_>>()),
        17,
    )
    .prop_map(|v| v.into_iter().collect())
}

/// A 17-character USCC body with a pair of the table and a division code.
fn uscc_body() -> impl Strategy<Value = String> {
    (
        prop::sample::select(USCC_PAIRS.split(' ').collect::<Vec<_>>()),
        prop::sample::select(vec![
            "500112", "500000", "110000", "100000", "350100", "440305",
        ]),
        prop::collection::vec(
            prop::sample::select(USCC_SET.chars().collect::<Vec<_>>()),
            9,
        ),
    )
        .prop_map(|(pair, region, rest)| {
            format!("{pair}{region}{}", rest.into_iter().collect::<String>())
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    // GB 11643 / ISO 7064 MOD 11-2.
    #[test]
    fn every_citizen_body_has_exactly_one_check_character(body in "[0-9]{17}") {
        let valid: Vec<char> = "0123456789X".chars()
            .filter(|&c| citizen_valid_by_definition(&format!("{body}{c}")))
            .collect();
        prop_assert_eq!(valid.len(), 1);
        prop_assert_eq!(Some(valid[0]), citizen_check_character(&body));
    }

    #[test]
    fn a_plausible_citizen_body_parses_with_exactly_one_check_character(body in citizen_body()) {
        let ok = "0123456789X".chars()
            .filter(|c| parse_citizen_id(&format!("{body}{c}"), &IdOptions::default()).is_ok())
            .count();
        prop_assert_eq!(ok, 1);
    }

    #[test]
    fn every_single_substitution_in_a_citizen_id_is_detected(
        body in citizen_body(), pos in 0usize..18, replacement in prop::sample::select("0123456789X".chars().collect::<Vec<_>>()),
    ) {
        let valid = format!("{body}{}", citizen_check_character(&body).unwrap());
        prop_assume!(valid.as_bytes()[pos] != replacement as u8);
        let mut changed: Vec<char> = valid.chars().collect();
        changed[pos] = replacement;
        let changed: String = changed.into_iter().collect();
        prop_assert!(parse_citizen_id(&changed, &IdOptions::default()).is_err(), "{} accepted", changed);
    }

    // GB 32100.
    #[test]
    fn every_uscc_body_has_exactly_one_check_character(body in uscc_body()) {
        let valid: Vec<char> = USCC_SET.chars().filter(|c| parse_uscc(&format!("{body}{c}")).is_ok()).collect();
        prop_assert_eq!(valid.len(), 1);
        let full = format!("{body}{}", valid[0]);
        prop_assert!(uscc_valid_by_definition(&full));
        prop_assert_eq!(Some(valid[0]), uscc_check_character(&body));
    }

    #[test]
    fn a_uscc_is_accepted_only_with_its_structure_and_check_character(body in any_uscc_body(), last in prop::sample::select(USCC_SET.chars().collect::<Vec<_>>())) {
        let n = format!("{body}{last}");
        prop_assert_eq!(
            parse_uscc(&n).is_ok(),
            uscc_valid_by_definition(&n) && uscc_structure_by_definition(&n),
            "{}", n
        );
    }

    // Issue 14: a citizen ID with a wrong check digit is never taken for a
    // USCC unless the digits really have a USCC's structure and check; a
    // 重庆 (50…) citizen ID never is (50 is no authority/category pair).
    #[test]
    fn a_mistyped_citizen_id_is_not_taken_for_a_uscc(body in citizen_body(), last in prop::sample::select("0123456789X".chars().collect::<Vec<_>>())) {
        let n = format!("{body}{last}");
        prop_assume!(Some(last) != citizen_check_character(&body));
        match detect_id(&n, &IdOptions::default()) {
            Ok(d) => {
                prop_assert_eq!(d.identity.kind(), IdKind::Organization);
                prop_assert_eq!(d.reason, DetectionReason::UsccOnly);
                prop_assert!(uscc_structure_by_definition(&n) && uscc_valid_by_definition(&n));
                prop_assert!(!n.starts_with("50"));
            }
            Err(e) => prop_assert_eq!(e.kind(), Some(IdKind::Citizen)),
        }
    }

    // The reason given agrees with the kind chosen and with both checks.
    #[test]
    fn the_detection_reason_matches_the_kind(body in citizen_body(), uscc in uscc_body(), pick in any::<bool>()) {
        let n = if pick {
            format!("{body}{}", citizen_check_character(&body).unwrap())
        } else {
            format!("{uscc}{}", uscc_check_character(&uscc).unwrap())
        };
        let d = detect_id(&n, &IdOptions::default()).unwrap();
        let both = parse_citizen_id(&n, &IdOptions::default()).is_ok() && parse_uscc(&n).is_ok();
        let expected_kind = match d.reason {
            DetectionReason::LegacyLength | DetectionReason::CitizenOnly | DetectionReason::BothValidCitizen => IdKind::Citizen,
            _ => IdKind::Organization,
        };
        prop_assert_eq!(d.identity.kind(), expected_kind);
        prop_assert_eq!(both, matches!(d.reason, DetectionReason::BothValidCitizen | DetectionReason::BothValidLeadingNine));
        prop_assert!(!d.reason.label_zh().is_empty());
    }

    #[test]
    fn every_single_substitution_in_a_uscc_is_detected(
        body in uscc_body(), pos in 0usize..18, replacement in prop::sample::select(USCC_SET.chars().collect::<Vec<_>>()),
    ) {
        let valid = format!("{body}{}", uscc_check_character(&body).unwrap());
        prop_assume!(valid.as_bytes()[pos] != replacement as u8);
        let mut changed: Vec<char> = valid.chars().collect();
        changed[pos] = replacement;
        let changed: String = changed.into_iter().collect();
        prop_assert!(parse_uscc(&changed).is_err(), "{} accepted", changed);
    }

    // Normalisation: spaces, hyphens, full width and lower case never change the verdict.
    #[test]
    fn formatting_noise_is_normalised_away(body in citizen_body(), cuts in prop::collection::vec(0usize..18, 0..4), wide in any::<bool>()) {
        let valid = format!("{body}{}", citizen_check_character(&body).unwrap());
        let mut noisy = String::new();
        for (i, c) in valid.chars().enumerate() {
            if cuts.contains(&i) { noisy.push_str(if i % 2 == 0 { " - " } else { "\u{3000}" }); }
            let c = if c == 'X' { 'x' } else { c };
            noisy.push(if wide { char::from_u32(c as u32 + 0xFEE0).unwrap() } else { c });
        }
        prop_assert_eq!(normalize(&noisy), valid.clone());
        let parsed = parse_citizen_id(&noisy, &IdOptions::default()).unwrap();
        prop_assert_eq!(parsed.number(), valid.as_str());
    }
}

// ---------------------------------------------------------------------------
// Assessment invariants over arbitrary matters

const CODES: [&str; 8] = [
    "first_violation",
    "corrected_promptly",
    "minor_harm",
    "obstructs_traffic",
    "refused_to_correct",
    "hard_to_collect_later",
    "remote_area",
    "party_requests_on_the_spot_payment",
];

fn fine_range() -> impl Strategy<Value = FineRange> {
    (0i64..1_000_000, 0i64..1_000_000).prop_map(|(a, b)| FineRange {
        min_fen: a.min(b),
        max_fen: a.max(b),
    })
}

fn level_penalty() -> impl Strategy<Value = Option<LevelPenalty>> {
    prop::option::of(
        (any::<bool>(), prop::option::of(fine_range())).prop_map(|(warning, fine)| LevelPenalty {
            warning,
            fine,
            other: vec![],
        }),
    )
}

fn arb_level() -> impl Strategy<Value = DiscretionLevel> {
    (
        prop::sample::subsequence(CODES.to_vec(), 0..3),
        level_penalty(),
        level_penalty(),
    )
        .prop_map(|(circ, individual, organization)| DiscretionLevel {
            code: "L".to_owned(),
            name: "测试".to_owned(),
            conditions: "测试".to_owned(),
            circumstances: circ.into_iter().map(str::to_owned).collect(),
            individual,
            organization,
            band: None,
        })
}

fn arb_matter() -> impl Strategy<Value = Matter> {
    (
        prop::collection::vec(arb_level(), 0..5),
        prop::option::of(fine_range()),
        prop::option::of(fine_range()),
        any::<bool>(),
    )
        .prop_map(|(mut levels, ind, org, entrusted_traffic)| {
            for (i, l) in levels.iter_mut().enumerate() {
                l.code = format!("L{}", i + 1);
            }
            let mut m = stalls();
            m.levels = levels;
            m.statutory = Some(StatutoryRange {
                individual: ind,
                organization: org,
            });
            if entrusted_traffic {
                m.kind = MatterKind::Entrusted;
                m.domain = "道路交通".to_owned();
            }
            m
        })
}

fn arb_input() -> impl Strategy<Value = AssessInput> {
    (
        any::<bool>(),
        0u64..(365 * 40),
        prop::sample::subsequence(CODES.to_vec(), 0..5),
        prop::option::of((any::<bool>(), 1i64..1_500_000)),
        0u64..120,
        any::<bool>(),
    )
        .prop_map(|(org, age_days, circ, penalty, late_days, reason)| {
            let violation = d(2025, 6, 10);
            let party = if org {
                Party {
                    kind: PartyKind::Organization,
                    id_number: None,
                    birth_date: None,
                }
            } else {
                Party {
                    kind: PartyKind::Individual,
                    id_number: None,
                    birth_date: Some(violation - Days::new(age_days)),
                }
            };
            AssessInput {
                matter: Some("CR-018".to_owned()),
                party,
                circumstances: circ.into_iter().map(str::to_owned).collect(),
                penalty: penalty.map(|(warn, fen)| ProposedPenalty {
                    kind: if warn {
                        PenaltyKind::Warning
                    } else {
                        PenaltyKind::Fine
                    },
                    amount_fen: (!warn).then_some(fen),
                    also: Vec::new(),
                    band: None,
                }),
                served_date: Some(violation),
                paid_date: Some(violation + Days::new(late_days)),
                deviation_reason: reason.then(|| "理由".to_owned()),
                ..individual()
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn assessment_invariants_hold(m in arb_matter(), input in arb_input()) {
        let a = assess(&input, Some(&m), Some(&cal_2025()), &RulesConfig::default());
        let kind = input.party.kind;
        let statutory = m.statutory.as_ref().and_then(|s| match kind {
            PartyKind::Individual => s.individual,
            PartyKind::Organization => s.organization,
        });

        // The lawful range never exceeds the statutory maximum and is never empty.
        if let Some(r) = a.range {
            prop_assert!(r.min_fen <= r.max_fen);
            let s = statutory.unwrap();
            prop_assert!(r.max_fen <= s.max_fen);
        }
        // The suggested fine always lies within the lawful range.
        if let Some(code) = &a.suggested_level {
            let l = a.levels.iter().find(|l| &l.code == code).unwrap();
            if let (Some(f), Some(r)) = (l.lawful_fine, a.range) {
                prop_assert!(r.contains(f.min_fen) && r.contains(f.max_fen), "{:?} outside {:?}", f, r);
            }
            // And it is a level with some lawful penalty.
            prop_assert!(l.warning || l.fine.is_none() || l.lawful_fine.is_some());
        }
        // Every level's lawful_fine is inside both its published fine and the range.
        for l in &a.levels {
            if let Some(f) = l.lawful_fine {
                let p = l.fine.unwrap();
                let r = a.range.unwrap();
                prop_assert!(p.min_fen <= f.min_fen && f.max_fen <= p.max_fen);
                prop_assert!(r.min_fen <= f.min_fen && f.max_fen <= r.max_fen);
            }
        }
        // Simple procedure is never allowed above the limits (Art. 51; 道交法 Art. 107).
        if let Some(ProposedPenalty { kind: PenaltyKind::Fine, amount_fen: Some(fen), .. }) = input.penalty {
            let traffic = m.kind == MatterKind::Entrusted;
            let limit = match (traffic, kind) {
                (true, _) => SIMPLE_LIMIT_TRAFFIC_FEN,
                (false, PartyKind::Individual) => SIMPLE_LIMIT_INDIVIDUAL_FEN,
                (false, PartyKind::Organization) => SIMPLE_LIMIT_ORGANIZATION_FEN,
            };
            if fen > limit {
                prop_assert!(!a.simple_procedure.allowed);
            }
            // A decision with no errors is within the lawful range.
            if a.errors.is_empty() {
                prop_assert!(a.range.unwrap().contains(fen));
            }
            // The surcharge never exceeds the fine (Art. 72).
            if let Some(fee) = a.late_fee_fen {
                prop_assert!((0..=fen).contains(&fee));
            }
            // With the default thresholds no simple-procedure fine carries a hearing.
            if a.simple_procedure.allowed {
                prop_assert!(!a.hearing_right);
            }
        }
        // A barred case allows nothing.
        if a.minor == zhifa_core::rules::assess::Minor::NoPenalty || a.limitation_expired {
            prop_assert!(!a.simple_procedure.allowed && !a.on_the_spot_collection.allowed && !a.hearing_right);
            prop_assert!(a.range.is_none() && a.suggested_level.is_none());
        }
        // On-the-spot collection needs a fine and either Art. 68 or Art. 69.
        if a.on_the_spot_collection.allowed {
            let fen = match input.penalty { Some(ProposedPenalty { amount_fen: Some(f), .. }) => f, _ => 0 };
            prop_assert!(fen > 0);
            let has = |c: &str| input.circumstances.iter().any(|x| x == c);
            let art_68 = a.simple_procedure.allowed && (fen <= 10_000 || has("hard_to_collect_later"));
            let art_69 = has("remote_area") && has("party_requests_on_the_spot_payment");
            prop_assert!(art_68 || art_69);
        }
    }
}
