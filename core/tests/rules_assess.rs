//! Table tests for the assessment: every boundary issue 3 names, each
//! beside the article that sets it — 199/200/201 元 and 3,000/3,001 元
//! (行政处罚法 Art. 51), 100/101 元 (Art. 68), ages around 14 and 18 with
//! 29 February birthdays (Art. 30), limitation on the exact day (Art. 36),
//! the surcharge cap (Art. 72), a deadline across a holiday (Art. 67, 85) —
//! plus the discretion levels, the bars and the JSON contract.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod rules_support;

use rules_support::*;
use zhifa_core::rules::assess::{Exemption, Minor, PartyKind, PenaltyKind, ProposedPenalty};
use zhifa_core::rules::{AssessInput, Assessment, RulesConfig, assess};

fn run(input: &AssessInput) -> Assessment {
    assess(input, None, None, &RulesConfig::default())
}

fn run_with(input: &AssessInput, matter: &zhifa_core::catalogue::model::Matter) -> Assessment {
    assess(
        input,
        Some(matter),
        Some(&cal_2025()),
        &RulesConfig::default(),
    )
}

// ---------------------------------------------------------------------------
// 行政处罚法 Art. 51: simple procedure, the limit included

#[test]
fn art_51_citizen_limit_is_200_yuan_inclusive() {
    for (fen, allowed) in [
        (yuan(199), true),
        (yuan(200), true),
        (yuan(200) + 1, false),
        (yuan(201), false),
    ] {
        let a = run(&AssessInput {
            penalty: fine_of(fen),
            ..individual()
        });
        assert_eq!(
            a.simple_procedure.allowed, allowed,
            "{fen} fen: {}",
            a.simple_procedure.reason
        );
        assert!(a.errors.is_empty(), "{:?}", a.errors);
    }
}

#[test]
fn art_51_organisation_limit_is_3000_yuan_inclusive() {
    for (fen, allowed) in [
        (yuan(2999), true),
        (yuan(3000), true),
        (yuan(3000) + 1, false),
        (yuan(3001), false),
    ] {
        let a = run(&AssessInput {
            penalty: fine_of(fen),
            ..organization()
        });
        assert_eq!(a.simple_procedure.allowed, allowed, "{fen} fen");
    }
}

#[test]
fn art_51_a_warning_may_be_on_the_spot_but_never_a_notice_of_criticism() {
    let a = run(&AssessInput {
        penalty: warning(),
        ..individual()
    });
    assert!(a.simple_procedure.allowed);
    let criticism = Some(ProposedPenalty {
        kind: PenaltyKind::NoticeOfCriticism,
        amount_fen: None,
        also: Vec::new(),
        band: None,
    });
    for input in [individual(), organization()] {
        let a = run(&AssessInput {
            penalty: criticism.clone(),
            ..input
        });
        assert!(!a.simple_procedure.allowed);
        assert!(a.simple_procedure.reason.contains("通报批评"));
    }
}

// 道路交通安全法 Art. 107: warning or up to 200 元 for any traffic violator,
// replacing the 3,000 元 organisation limit of Art. 51 ("法律另有规定").
#[test]
fn traffic_art_107_caps_entrusted_traffic_matters_at_200_yuan_for_everyone() {
    let m = traffic();
    let base = AssessInput {
        matter: Some("JT-01".into()),
        deviation_reason: None,
        ..organization()
    };
    let a = run_with(
        &AssessInput {
            penalty: fine_of(yuan(200)),
            ..base.clone()
        },
        &m,
    );
    assert!(a.simple_procedure.allowed, "{}", a.simple_procedure.reason);
    let a = run_with(
        &AssessInput {
            penalty: fine_of(yuan(201)),
            ..base
        },
        &m,
    );
    assert!(!a.simple_procedure.allowed);
    assert!(
        a.simple_procedure
            .reason
            .contains("道路交通安全法第一百零七条")
    );
}

// ---------------------------------------------------------------------------
// 行政处罚法 Art. 68–69: on-the-spot collection

#[test]
fn art_68_on_the_spot_collection_up_to_100_yuan_inclusive() {
    for (fen, allowed) in [
        (yuan(99), true),
        (yuan(100), true),
        (yuan(100) + 1, false),
        (yuan(101), false),
    ] {
        let a = run(&AssessInput {
            penalty: fine_of(fen),
            ..individual()
        });
        assert_eq!(
            a.on_the_spot_collection.allowed, allowed,
            "{fen}: {}",
            a.on_the_spot_collection.reason
        );
    }
}

#[test]
fn art_68_hard_to_collect_later_allows_more_but_only_in_the_simple_procedure() {
    let hard = circ(&["hard_to_collect_later"]);
    let a = run(&AssessInput {
        penalty: fine_of(yuan(200)),
        circumstances: hard.clone(),
        ..individual()
    });
    assert!(a.on_the_spot_collection.allowed);
    let a = run(&AssessInput {
        penalty: fine_of(yuan(201)),
        circumstances: hard,
        ..individual()
    });
    assert!(!a.on_the_spot_collection.allowed);
}

#[test]
fn art_69_remote_area_needs_the_partys_request_and_not_the_simple_procedure() {
    let remote = circ(&["remote_area", "party_requests_on_the_spot_payment"]);
    let a = run(&AssessInput {
        penalty: fine_of(yuan(1000)),
        circumstances: remote,
        ..individual()
    });
    assert!(!a.simple_procedure.allowed);
    assert!(a.on_the_spot_collection.allowed);
    assert!(a.on_the_spot_collection.reason.contains("第六十九条"));
    let a = run(&AssessInput {
        penalty: fine_of(yuan(1000)),
        circumstances: circ(&["remote_area"]),
        ..individual()
    });
    assert!(!a.on_the_spot_collection.allowed);
    let a = run(&AssessInput {
        penalty: warning(),
        circumstances: circ(&["remote_area"]),
        ..individual()
    });
    assert!(
        !a.on_the_spot_collection.allowed,
        "a warning has nothing to collect"
    );
}

// ---------------------------------------------------------------------------
// 行政处罚法 Art. 30: ages on the violation date

fn minor_on(
    birth: chrono::NaiveDate,
    on: chrono::NaiveDate,
    config: &RulesConfig,
) -> (Option<u32>, Minor) {
    let input = AssessInput {
        violation_date: on,
        decision_date: Some(on),
        ..individual()
    };
    let input = AssessInput {
        party: zhifa_core::rules::assess::Party {
            kind: PartyKind::Individual,
            id_number: Some(citizen_id(birth)),
            birth_date: None,
        },
        ..input
    };
    let a = assess(&input, None, None, config);
    assert!(a.errors.is_empty(), "{:?}", a.errors);
    (a.age_at_violation, a.minor)
}

#[test]
fn art_30_ages_around_14_and_18() {
    let c = RulesConfig::default(); // the new age starts the day after the birthday
    let b = d(2010, 3, 10);
    let table = [
        (d(2024, 3, 9), 13, Minor::NoPenalty),
        (d(2024, 3, 10), 13, Minor::NoPenalty), // the 14th birthday itself
        (d(2024, 3, 11), 14, Minor::LighterOrReduced),
        (d(2028, 3, 10), 17, Minor::LighterOrReduced), // the 18th birthday itself
        (d(2028, 3, 11), 18, Minor::None),
    ];
    for (on, age, minor) in table {
        assert_eq!(minor_on(b, on, &c), (Some(age), minor), "on {on}");
    }
    // Counting the birthday itself (configurable; ❓ in law).
    let c = RulesConfig {
        age_from_day_after_birthday: false,
        ..RulesConfig::default()
    };
    assert_eq!(
        minor_on(b, d(2024, 3, 10), &c),
        (Some(14), Minor::LighterOrReduced)
    );
    assert_eq!(minor_on(b, d(2028, 3, 10), &c), (Some(18), Minor::None));
}

#[test]
fn art_30_birthdays_on_29_february() {
    let b = d(2008, 2, 29);
    let c = RulesConfig::default();
    // In a common year the birthday is 28 February (民法典 Art. 202 by analogy).
    assert_eq!(
        minor_on(b, d(2022, 2, 28), &c),
        (Some(13), Minor::NoPenalty)
    );
    assert_eq!(
        minor_on(b, d(2022, 3, 1), &c),
        (Some(14), Minor::LighterOrReduced)
    );
    assert_eq!(
        minor_on(b, d(2026, 2, 28), &c),
        (Some(17), Minor::LighterOrReduced)
    );
    assert_eq!(minor_on(b, d(2026, 3, 1), &c), (Some(18), Minor::None));
    // In a leap year the birthday is 29 February.
    assert_eq!(
        minor_on(b, d(2024, 2, 29), &c),
        (Some(15), Minor::LighterOrReduced)
    );
    assert_eq!(
        minor_on(b, d(2024, 3, 1), &c),
        (Some(16), Minor::LighterOrReduced)
    );
    let c = RulesConfig {
        age_from_day_after_birthday: false,
        ..RulesConfig::default()
    };
    assert_eq!(
        minor_on(b, d(2022, 2, 27), &c),
        (Some(13), Minor::NoPenalty)
    );
    assert_eq!(
        minor_on(b, d(2022, 2, 28), &c),
        (Some(14), Minor::LighterOrReduced)
    );
}

#[test]
fn art_30_under_14_no_penalty_and_14_to_17_lighter_or_reduced() {
    let m = stalls();
    let child = |on| AssessInput {
        matter: Some("CR-018".into()),
        party: zhifa_core::rules::assess::Party {
            kind: PartyKind::Individual,
            id_number: None,
            birth_date: Some(d(2010, 3, 10)),
        },
        violation_date: on,
        decision_date: Some(on),
        ..individual()
    };
    let a = run_with(
        &AssessInput {
            penalty: fine_of(yuan(100)),
            ..child(d(2024, 1, 5))
        },
        &m,
    );
    assert_eq!(a.minor, Minor::NoPenalty);
    assert_eq!(a.range, None);
    assert_eq!(a.suggested_level, None);
    assert_eq!(codes(&a), ["PENALTY_MINOR_UNDER_14"]);
    // 16 years old: 减轻 allows below 50 元, 从轻 keeps to the lower half: 0 … 275 元.
    let a = run_with(&child(d(2026, 6, 1)), &m);
    assert_eq!(a.minor, Minor::LighterOrReduced);
    assert_eq!(a.range, Some(range(0, 275)));
    assert_eq!(a.suggested_level.as_deref(), Some("L2"));
    let a = run_with(
        &AssessInput {
            penalty: fine_of(yuan(276)),
            ..child(d(2026, 6, 1))
        },
        &m,
    );
    assert_eq!(codes(&a), ["PENALTY_OUT_OF_RANGE"]);
    // Below the statutory minimum is lawful for a minor but off the level: a reason is needed.
    let a = run_with(
        &AssessInput {
            penalty: fine_of(yuan(30)),
            ..child(d(2026, 6, 1))
        },
        &m,
    );
    assert_eq!(codes(&a), ["DEVIATION_REASON_REQUIRED"]);
    // A warning is a lighter kind (减轻) and lawful for a minor even off the table.
    let a = run_with(
        &AssessInput {
            penalty: warning(),
            deviation_reason: Some("未成年人，减轻处罚".into()),
            ..child(d(2026, 6, 1))
        },
        &m,
    );
    assert!(a.errors.is_empty(), "{:?}", a.errors);
}

#[test]
fn an_individual_penalised_without_a_known_age_is_an_error() {
    let input = AssessInput {
        party: zhifa_core::rules::assess::Party {
            kind: PartyKind::Individual,
            id_number: None,
            birth_date: None,
        },
        penalty: fine_of(yuan(50)),
        ..individual()
    };
    let a = run(&input);
    assert_eq!(a.age_at_violation, None);
    assert_eq!(codes(&a), ["PARTY_AGE_UNKNOWN"]);
}

// ---------------------------------------------------------------------------
// 行政处罚法 Art. 36: limitation on the exact day

#[test]
fn art_36_two_years_ends_on_the_same_date() {
    let base = AssessInput {
        violation_date: d(2023, 5, 10),
        decision_date: None,
        ..individual()
    };
    let a = run(&AssessInput {
        discovered_date: Some(d(2025, 5, 10)),
        ..base.clone()
    });
    assert!(!a.limitation_expired);
    let a = run(&AssessInput {
        discovered_date: Some(d(2025, 5, 11)),
        penalty: fine_of(yuan(50)),
        ..base.clone()
    });
    assert!(a.limitation_expired);
    assert_eq!(codes(&a), ["PENALTY_LIMITATION_EXPIRED"]);
    // Without a discovery date the decision date stands in.
    let a = run(&AssessInput {
        decision_date: Some(d(2025, 5, 11)),
        ..base.clone()
    });
    assert!(a.limitation_expired);
    // Neither date: not assessed.
    assert!(!run(&base).limitation_expired);
}

#[test]
fn art_36_five_years_where_life_health_or_financial_safety_was_harmed() {
    let base = AssessInput {
        violation_date: d(2023, 5, 10),
        circumstances: circ(&["endangers_life_health_or_financial_safety_with_harm"]),
        ..individual()
    };
    assert!(
        !run(&AssessInput {
            discovered_date: Some(d(2028, 5, 10)),
            ..base.clone()
        })
        .limitation_expired
    );
    assert!(
        run(&AssessInput {
            discovered_date: Some(d(2028, 5, 11)),
            ..base
        })
        .limitation_expired
    );
}

#[test]
fn art_36_runs_from_the_end_of_a_continuous_act_and_from_28_february_for_29_february() {
    let base = AssessInput {
        violation_date: d(2022, 1, 1),
        violation_end_date: Some(d(2023, 5, 10)),
        ..individual()
    };
    assert!(
        !run(&AssessInput {
            discovered_date: Some(d(2025, 5, 10)),
            ..base.clone()
        })
        .limitation_expired
    );
    assert!(
        run(&AssessInput {
            discovered_date: Some(d(2025, 5, 11)),
            ..base
        })
        .limitation_expired
    );
    let leap = AssessInput {
        violation_date: d(2024, 2, 29),
        ..individual()
    };
    assert!(
        !run(&AssessInput {
            discovered_date: Some(d(2026, 2, 28)),
            ..leap.clone()
        })
        .limitation_expired
    );
    assert!(
        run(&AssessInput {
            discovered_date: Some(d(2026, 3, 1)),
            ..leap
        })
        .limitation_expired
    );
}

// ---------------------------------------------------------------------------
// 行政处罚法 Art. 67, 72, 73, 85: payment and surcharge

fn paid(fine_fen: i64, served: chrono::NaiveDate, paid: chrono::NaiveDate) -> Assessment {
    let input = AssessInput {
        penalty: fine_of(fine_fen),
        decision_date: Some(served),
        violation_date: served,
        served_date: Some(served),
        paid_date: Some(paid),
        ..individual()
    };
    assess(&input, None, Some(&cal_2025()), &RulesConfig::default())
}

#[test]
fn art_67_due_15_days_after_service() {
    // Served Monday 3 March 2025: the 15 days run 4–18 March.
    let a = paid(yuan(200), d(2025, 3, 3), d(2025, 3, 18));
    assert_eq!(a.payment_due, Some(d(2025, 3, 18)));
    assert_eq!(a.late_fee_fen, Some(0));
}

#[test]
fn art_72_surcharge_3_percent_a_day_capped_at_the_fine() {
    // docs/law/xingzheng-chufa-fa.md, Art. 72: 200 元 → 6 元 a day → 198 元 after 33 days → 200 元 from day 34.
    let served = d(2025, 3, 3);
    let table = [
        (d(2025, 3, 19), yuan(6)),
        (d(2025, 4, 20), yuan(198)), // 33 days late
        (d(2025, 4, 21), yuan(200)), // 34 days: 204 元 capped at 200 元
        (d(2025, 12, 31), yuan(200)),
    ];
    for (on, fee) in table {
        assert_eq!(
            paid(yuan(200), served, on).late_fee_fen,
            Some(fee),
            "paid {on}"
        );
    }
    // Rounded down to the fen: 3 % of 200.01 元 is 6.0003 元 → 6 元.
    assert_eq!(
        paid(yuan(200) + 1, served, d(2025, 3, 19)).late_fee_fen,
        Some(600)
    );
}

#[test]
fn art_73_no_surcharge_while_reconsideration_or_litigation_is_pending() {
    let served = d(2025, 3, 3);
    let input = AssessInput {
        penalty: fine_of(yuan(200)),
        violation_date: served,
        decision_date: Some(served),
        served_date: Some(served),
        paid_date: Some(d(2025, 6, 1)),
        remedy_pending: true,
        ..individual()
    };
    let a = assess(&input, None, Some(&cal_2025()), &RulesConfig::default());
    assert_eq!(a.late_fee_fen, Some(0));
}

#[test]
fn art_85_a_due_date_on_a_holiday_rolls_to_the_next_working_day() {
    // Served 16 September 2025: day 15 is 1 October, in the National Day break.
    let a = paid(yuan(100), d(2025, 9, 16), d(2025, 10, 9));
    assert_eq!(a.payment_due, Some(d(2025, 10, 9)));
    assert_eq!(a.late_fee_fen, Some(0));
    // The stricter reading (configurable, ❓) keeps 1 October.
    let input = AssessInput {
        penalty: fine_of(yuan(100)),
        violation_date: d(2025, 9, 16),
        decision_date: Some(d(2025, 9, 16)),
        served_date: Some(d(2025, 9, 16)),
        ..individual()
    };
    let strict = RulesConfig {
        roll_period_end_off_rest_day: false,
        ..RulesConfig::default()
    };
    assert_eq!(
        assess(&input, None, None, &strict).payment_due,
        Some(d(2025, 10, 1))
    );
    // Rolling without a calendar, or past its end, is an error, never a guess.
    let a = assess(&input, None, None, &RulesConfig::default());
    assert_eq!((a.payment_due, codes(&a)), (None, vec!["CALENDAR_MISSING"]));
    let late = AssessInput {
        served_date: Some(d(2025, 12, 20)),
        decision_date: Some(d(2025, 12, 20)),
        ..input
    };
    let a = assess(&late, None, Some(&cal_2025()), &RulesConfig::default());
    assert_eq!(
        (a.payment_due, codes(&a)),
        (None, vec!["CALENDAR_OUT_OF_RANGE"])
    );
}

// ---------------------------------------------------------------------------
// 行政处罚法 Art. 63 (渝府令第354号 thresholds, configurable) and Art. 58

#[test]
fn art_63_hearing_thresholds_are_inclusive_and_configurable() {
    let table = [
        (individual(), yuan(5000) - 1, false),
        (individual(), yuan(5000), true),
        (organization(), yuan(50_000) - 1, false),
        (organization(), yuan(50_000), true),
    ];
    for (party, fen, hearing) in table {
        let a = run(&AssessInput {
            penalty: fine_of(fen),
            ..party
        });
        assert_eq!(a.hearing_right, hearing, "{fen}");
        // Art. 58(二): a case with a hearing needs legal review.
        assert_eq!(a.legal_review_required, hearing);
    }
    let c = RulesConfig {
        hearing_threshold_individual_fen: yuan(3000),
        ..RulesConfig::default()
    };
    let a = assess(
        &AssessInput {
            penalty: fine_of(yuan(3000)),
            ..individual()
        },
        None,
        None,
        &c,
    );
    assert!(a.hearing_right);
}

#[test]
fn art_58_legal_review_for_complex_cases_never_for_the_simple_procedure() {
    let a = run(&AssessInput {
        penalty: fine_of(yuan(100)),
        ..individual()
    });
    assert!(!a.legal_review_required);
    let a = run(&AssessInput {
        penalty: fine_of(yuan(100)),
        circumstances: circ(&["complex_case"]),
        ..individual()
    });
    assert!(!a.simple_procedure.allowed);
    assert!(a.legal_review_required);
    let c = RulesConfig {
        legal_review_every_normal_procedure: true,
        ..RulesConfig::default()
    };
    let a = assess(
        &AssessInput {
            penalty: fine_of(yuan(300)),
            ..individual()
        },
        None,
        None,
        &c,
    );
    assert!(a.legal_review_required);
}

// ---------------------------------------------------------------------------
// 行政处罚法 Art. 33: no penalty

#[test]
fn art_33_mandatory_discretionary_and_no_fault() {
    let m = stalls();
    let with = |c: &[&str]| AssessInput {
        matter: Some("CR-018".into()),
        circumstances: circ(c),
        penalty: fine_of(yuan(100)),
        ..individual()
    };
    let a = run_with(
        &with(&["minor_violation", "corrected_promptly", "no_harm"]),
        &m,
    );
    assert_eq!(a.exemption, Exemption::Mandatory);
    assert_eq!((a.range, a.suggested_level.as_deref()), (None, None));
    assert_eq!(codes(&a), ["PENALTY_EXEMPT"]);
    assert!(!a.simple_procedure.allowed);

    let a = run_with(&with(&["no_fault"]), &m);
    assert_eq!(a.exemption, Exemption::NoFault);
    assert_eq!(codes(&a), ["PENALTY_EXEMPT"]);

    // 首违可不罚 is discretionary: a penalty stays lawful.
    let a = run_with(
        &with(&["first_violation", "minor_harm", "corrected_promptly"]),
        &m,
    );
    assert_eq!(a.exemption, Exemption::Discretionary);
    assert!(!codes(&a).contains(&"PENALTY_EXEMPT"));

    let a = run_with(&with(&["minor_violation", "corrected_promptly"]), &m);
    assert_eq!(a.exemption, Exemption::None);
}

// ---------------------------------------------------------------------------
// Discretion levels and the lawful range

#[test]
fn levels_say_why_and_the_most_specific_applicable_level_is_suggested() {
    let m = stalls();
    let input = AssessInput {
        matter: Some("CR-018".into()),
        circumstances: circ(&["obstructs_traffic"]),
        ..individual()
    };
    let a = run_with(&input, &m);
    let by_code = |c: &str| a.levels.iter().find(|l| l.code == c).unwrap();
    assert!(!by_code("L1").applies);
    assert_eq!(by_code("L1").missing, ["single_stall"]);
    assert!(by_code("L2").applies);
    assert!(by_code("L3").applies);
    assert_eq!(by_code("L3").matched, ["obstructs_traffic"]);
    assert!(!by_code("L4").applies);
    assert_eq!(by_code("L4").missing, ["refused_to_correct"]);
    assert_eq!(a.suggested_level.as_deref(), Some("L3"));
    assert_eq!(a.range, Some(range(50, 500)));
    // L3's lower bound 350 元 is over the 200 元 limit: normal procedure.
    assert!(!a.simple_procedure.allowed);

    // A tie (L1 and L3 each match one) goes to the lighter level.
    let input = AssessInput {
        circumstances: circ(&["single_stall", "obstructs_traffic"]),
        ..input
    };
    assert_eq!(run_with(&input, &m).suggested_level.as_deref(), Some("L1"));

    // An organisation is assessed against its own range.
    let org = AssessInput {
        matter: Some("CR-018".into()),
        ..organization()
    };
    let a = run_with(&org, &m);
    assert_eq!(
        (a.range, a.suggested_level.as_deref()),
        (Some(range(500, 2000)), Some("L2"))
    );
}

#[test]
fn outside_the_range_is_refused_and_off_the_level_needs_a_reason() {
    let m = stalls();
    let base = AssessInput {
        matter: Some("CR-018".into()),
        ..individual()
    }; // suggested L2: 200–350 元
    let a = run_with(
        &AssessInput {
            penalty: fine_of(yuan(250)),
            ..base.clone()
        },
        &m,
    );
    assert!(a.errors.is_empty(), "{:?}", a.errors);
    let a = run_with(
        &AssessInput {
            penalty: fine_of(yuan(49)),
            ..base.clone()
        },
        &m,
    );
    assert_eq!(codes(&a), ["PENALTY_OUT_OF_RANGE"]);
    let a = run_with(
        &AssessInput {
            penalty: fine_of(yuan(501)),
            deviation_reason: Some("情节恶劣".into()),
            ..base.clone()
        },
        &m,
    );
    assert_eq!(
        codes(&a),
        ["PENALTY_OUT_OF_RANGE"],
        "a reason never makes an unlawful fine lawful"
    );
    let a = run_with(
        &AssessInput {
            penalty: fine_of(yuan(100)),
            ..base.clone()
        },
        &m,
    );
    assert_eq!(codes(&a), ["DEVIATION_REASON_REQUIRED"]);
    let a = run_with(
        &AssessInput {
            penalty: fine_of(yuan(100)),
            deviation_reason: Some("  ".into()),
            ..base.clone()
        },
        &m,
    );
    assert_eq!(
        codes(&a),
        ["DEVIATION_REASON_REQUIRED"],
        "a blank reason is no reason"
    );
    let a = run_with(
        &AssessInput {
            penalty: fine_of(yuan(100)),
            deviation_reason: Some("当事人系残疾人，经济困难".into()),
            ..base.clone()
        },
        &m,
    );
    assert!(a.errors.is_empty());
    // The organisation range has no warning at any level: refused.
    let org = AssessInput {
        matter: Some("CR-018".into()),
        penalty: warning(),
        ..organization()
    };
    assert_eq!(codes(&run_with(&org, &m)), ["PENALTY_KIND_NOT_PROVIDED"]);
}

#[test]
fn every_problem_is_reported_at_once() {
    let m = stalls();
    let input = AssessInput {
        matter: Some("CR-018".into()),
        party: zhifa_core::rules::assess::Party {
            kind: PartyKind::Individual,
            id_number: Some("110105194912310021".into()),
            birth_date: None,
        },
        circumstances: circ(&["first_violaton"]),
        decision_date: Some(d(2025, 6, 1)),
        penalty: fine_of(yuan(9999)),
        district: None,
        ..individual()
    };
    let a = run_with(&input, &m);
    assert_eq!(
        codes(&a),
        [
            "DATE_ORDER",
            "CIRCUMSTANCE_UNKNOWN",
            "CITIZEN_ID_CHECK_CHARACTER",
            "PENALTY_OUT_OF_RANGE",
            "DISTRICT_UNKNOWN"
        ]
    );
    assert!(a.errors[2].message.contains("校验码应为“X”，实为“1”"));
}

#[test]
fn party_identity_is_checked_against_the_party_kind() {
    let a = run(&AssessInput {
        party: zhifa_core::rules::assess::Party {
            kind: PartyKind::Individual,
            id_number: Some("91350100M000100Y43".into()),
            birth_date: None,
        },
        ..individual()
    });
    assert_eq!(codes(&a), ["PARTY_ID_KIND_MISMATCH"]);
    let a = run(&AssessInput {
        party: zhifa_core::rules::assess::Party {
            kind: PartyKind::Individual,
            id_number: Some(citizen_id(d(1990, 1, 1))),
            birth_date: Some(d(1990, 1, 2)),
        },
        ..individual()
    });
    assert_eq!(codes(&a), ["PARTY_BIRTH_DATE_MISMATCH"]);
    assert_eq!(a.age_at_violation, Some(35), "the ID number wins");
}

#[test]
fn the_matter_passed_must_be_the_one_asked_for() {
    let m = stalls();
    let a = assess(
        &AssessInput {
            matter: Some("X-1".into()),
            ..individual()
        },
        None,
        None,
        &RulesConfig::default(),
    );
    assert_eq!(codes(&a), ["MATTER_NOT_FOUND"]);
    let a = run_with(
        &AssessInput {
            matter: Some("X-1".into()),
            ..individual()
        },
        &m,
    );
    assert_eq!(codes(&a), ["MATTER_MISMATCH"]);
    assert!(a.levels.is_empty());
}

// ---------------------------------------------------------------------------
// 行政复议法 2023 Art. 20, 23, 24: the remedy clause

#[test]
fn the_remedy_clause_requires_reconsideration_first_for_on_the_spot_decisions() {
    let a = run(&AssessInput {
        penalty: fine_of(yuan(50)),
        ..individual()
    });
    assert!(a.simple_procedure.allowed);
    assert!(a.remedy_clause.contains("应当先申请行政复议"));
    assert!(
        a.remedy_clause
            .contains("六十日内向渝北区人民政府申请行政复议")
    );
    assert!(!a.remedy_clause.contains("六个月"));
    let a = run(&AssessInput {
        penalty: fine_of(yuan(500)),
        ..individual()
    });
    assert!(
        a.remedy_clause
            .contains("也可以自收到本决定书之日起六个月内")
    );
    let c = RulesConfig {
        district: Some("綦江区".into()),
        court: Some("重庆铁路运输法院".into()),
        ..RulesConfig::default()
    };
    let a = assess(
        &AssessInput {
            penalty: fine_of(yuan(500)),
            district: None,
            ..individual()
        },
        None,
        None,
        &c,
    );
    assert!(
        a.remedy_clause.contains("綦江区人民政府") && a.remedy_clause.contains("重庆铁路运输法院")
    );
}

// ---------------------------------------------------------------------------
// The CLI JSON contract (issue 3 item 3)

#[test]
fn the_input_contract_parses_and_unknown_fields_are_refused() {
    let json = r#"{"matter": "CR-018", "party": {"kind": "individual", "id_number": "11010519491231002X"},
        "violation_date": "2025-06-10", "decision_date": "2025-06-10",
        "circumstances": ["first_violation"], "penalty": {"kind": "fine", "amount_fen": 5000},
        "served_date": "2025-06-10", "paid_date": "2025-06-20"}"#;
    let input: AssessInput = serde_json::from_str(json).unwrap();
    assert_eq!(input.party.kind, PartyKind::Individual);
    assert_eq!(input.penalty.unwrap().amount_fen, Some(5000));
    let minimal = r#"{"party": {"kind": "organization"}, "violation_date": "2025-06-10"}"#;
    assert!(serde_json::from_str::<AssessInput>(minimal).is_ok());
    assert!(
        serde_json::from_str::<AssessInput>(
            r#"{"party": {"kind": "individual"}, "violation_date": "2025-06-10", "typo": 1}"#
        )
        .is_err()
    );
}

#[test]
fn the_output_contract_has_exactly_the_named_fields() {
    let a = run_with(
        &AssessInput {
            matter: Some("CR-018".into()),
            penalty: fine_of(yuan(250)),
            served_date: Some(d(2025, 6, 10)),
            paid_date: Some(d(2025, 6, 30)),
            ..individual()
        },
        &stalls(),
    );
    let v = serde_json::to_value(&a).unwrap();
    let mut keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        // The contract of issue 3 plus the clause model's additive `band`
        // and `bands` (issue 14: existing fields keep their meaning).
        [
            "age_at_violation",
            "band",
            "bands",
            "errors",
            "exemption",
            "hearing_right",
            "late_fee_fen",
            "legal_review_required",
            "levels",
            "limitation_expired",
            "minor",
            "on_the_spot_collection",
            "payment_due",
            "range",
            "remedy_clause",
            "simple_procedure",
            "suggested_level"
        ]
    );
    assert_eq!(
        v["range"],
        serde_json::json!({"min_fen": 5000, "max_fen": 50000})
    );
    assert_eq!(v["exemption"], "none");
    assert_eq!(v["minor"], "none");
    assert_eq!(v["payment_due"], "2025-06-25");
    assert_eq!(v["late_fee_fen"], 750 * 5); // 3 % of 250 元 = 7.50 元 a day, 5 days
    assert_eq!(v["simple_procedure"]["allowed"], false);
    assert!(v["on_the_spot_collection"]["reason"].is_string());
    assert_eq!(v["levels"][1]["code"], "L2");
}
