//! The penalty-clause model against the legal review's reproductions
//! (issue 14; /work/shared/domain/legal-audit-2026-12.md F1, F3–F7, F13):
//! each test runs `assess` on a matter of the sample catalogue as released
//! and checks that the unlawful proposal is refused with its stable code and
//! that the lawful one passes.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod rules_support;

use rules_support::*;
use zhifa_core::catalogue::check_package;
use zhifa_core::catalogue::model::{Matter, Package, Precondition, SanctionKind};
use zhifa_core::rules::assess::{
    AdditionalPenalty, AssessInput, Assessment, PenaltyKind, ProposedPenalty,
};
use zhifa_core::rules::{RulesConfig, assess};

const SAMPLE: &[u8] = include_bytes!("../../schema/catalogue/sample/chongqing-sample.json");

fn sample() -> Package {
    check_package(SAMPLE).expect("the sample imports").package
}

fn matter(code: &str) -> Matter {
    sample()
        .matters
        .into_iter()
        .find(|m| m.code == code)
        .unwrap_or_else(|| panic!("{code} is in the sample"))
}

fn run_on(code: &str, input: AssessInput) -> Assessment {
    let m = matter(code);
    assess(
        &AssessInput {
            matter: Some(code.to_owned()),
            ..input
        },
        Some(&m),
        Some(&cal_2025()),
        &RulesConfig::default(),
    )
}

fn proposal(kind: PenaltyKind, fen: Option<i64>, also: &[SanctionKind]) -> Option<ProposedPenalty> {
    Some(ProposedPenalty {
        kind,
        amount_fen: fen,
        also: also
            .iter()
            .map(|k| AdditionalPenalty {
                kind: *k,
                detail: None,
            })
            .collect(),
        band: None,
    })
}

fn has(a: &Assessment, code: &str) -> bool {
    codes(a).contains(&code)
}

/// The proposal is lawful under the clause: none of the clause codes.
fn clause_ok(a: &Assessment) -> bool {
    const CLAUSE: &[&str] = &[
        "PENALTY_PRECONDITION_NOT_ATTESTED",
        "PENALTY_CORRECTION_ORDER_REQUIRED",
        "PENALTY_BAND_SUPERSEDED",
        "PENALTY_MANDATORY_KIND_MISSING",
        "PENALTY_AMOUNT_NOT_FIXED",
        "PENALTY_OUT_OF_RANGE",
        "PENALTY_KIND_NOT_PROVIDED",
        "PENALTY_BASE_MISSING",
    ];
    a.band.is_some() && !codes(a).iter().any(|c| CLAUSE.contains(c))
}

fn reason(r: &str) -> Option<String> {
    Some(r.to_owned())
}

/// F1: CG-016 (市容条例 Art. 37 ¶2 "逾期未改正的，处…罚款"): no fine on the
/// first visit, whatever reason is typed; a fine once the order expired.
#[test]
fn f1_cg016_fines_only_after_an_expired_order() {
    let first_visit = run_on(
        "CG-016",
        AssessInput {
            penalty: fine_of(yuan(200)),
            deviation_reason: reason("当事人态度恶劣"),
            ..individual()
        },
    );
    assert!(
        has(&first_visit, "PENALTY_CORRECTION_ORDER_REQUIRED"),
        "{:?}",
        first_visit.errors
    );
    let msg = &first_visit
        .errors
        .iter()
        .find(|e| e.code == "PENALTY_CORRECTION_ORDER_REQUIRED")
        .unwrap()
        .message;
    assert!(
        msg.contains("第三十七条第二款") && msg.contains("逾期未改正"),
        "{msg}"
    );

    let expired = AssessInput {
        penalty: fine_of(yuan(300)),
        circumstances: circ(&[]),
        attested: vec![Precondition::NotCorrectedByDeadline],
        correction_deadline: Some(d(2025, 6, 20)),
        decision_date: Some(d(2025, 6, 30)),
        ..individual()
    };
    let a = run_on("CG-016", expired.clone());
    assert!(clause_ok(&a), "{:?}", a.errors);
    assert_eq!(
        a.errors,
        vec![],
        "L2 applies through the attestation: {:?}",
        a.levels
    );

    // The deadline has not passed on the decision date (2025-06-30).
    let early = run_on(
        "CG-016",
        AssessInput {
            correction_deadline: Some(d(2025, 6, 30)),
            ..expired
        },
    );
    assert!(has(&early, "PENALTY_CORRECTION_DEADLINE_NOT_PASSED"));
    assert!(has(&early, "PENALTY_CORRECTION_ORDER_REQUIRED"));
}

/// F1 for the other matters that were marked `correction_first`: each
/// refuses a fine without the attestation and accepts it with one.
#[test]
fn f1_every_former_correction_first_matter_needs_its_precondition() {
    for (code, pre, org) in [
        ("CZ-001", Precondition::RefusedToCorrect, false),
        ("GS-001", Precondition::NotCorrectedByDeadline, false),
        ("GS-002", Precondition::NotCorrectedByDeadline, false),
        ("GS-003", Precondition::NotCorrectedByDeadline, false),
        ("CG-020", Precondition::NotCorrectedByDeadline, false),
        ("XF-004", Precondition::NotCorrectedByDeadline, false),
        ("WS-002", Precondition::NotCorrectedByDeadline, true),
        ("WS-003", Precondition::NotCorrectedByDeadline, true),
    ] {
        let m = matter(code);
        let band = &m.clause.as_ref().unwrap().bands[0];
        assert_eq!(band.preconditions, vec![pre], "{code}");
        let hull = band.fine.as_ref().unwrap().hull(None).unwrap();
        let base = if org { organization() } else { individual() };
        let without = run_on(
            code,
            AssessInput {
                penalty: fine_of(hull.min_fen),
                deviation_reason: reason("理由"),
                ..base.clone()
            },
        );
        assert!(
            has(&without, "PENALTY_CORRECTION_ORDER_REQUIRED"),
            "{code}: {:?}",
            without.errors
        );
        let with = run_on(
            code,
            AssessInput {
                penalty: fine_of(hull.min_fen),
                deviation_reason: reason("理由"),
                attested: vec![pre],
                ..base
            },
        );
        assert!(clause_ok(&with), "{code}: {:?}", with.errors);
    }
}

/// F3: HB-005 (大气法 Art. 118 ¶3): a fine without the mandatory
/// confiscations is refused, and the case never goes on the spot (Art. 51).
#[test]
fn f3_hb005_confiscation_is_mandatory_and_not_on_the_spot() {
    let alone = run_on(
        "HB-005",
        AssessInput {
            penalty: fine_of(yuan(1000)),
            deviation_reason: reason("理由"),
            ..organization()
        },
    );
    assert!(
        has(&alone, "PENALTY_MANDATORY_KIND_MISSING"),
        "{:?}",
        alone.errors
    );
    assert!(
        !alone.simple_procedure.allowed,
        "{}",
        alone.simple_procedure.reason
    );

    let full = run_on(
        "HB-005",
        AssessInput {
            penalty: proposal(
                PenaltyKind::Fine,
                Some(yuan(1000)),
                &[
                    SanctionKind::ConfiscateIllegalProperty,
                    SanctionKind::ConfiscateIllegalGains,
                ],
            ),
            deviation_reason: reason("理由"),
            ..organization()
        },
    );
    assert!(clause_ok(&full), "{:?}", full.errors);
    assert!(!full.simple_procedure.allowed);
    assert!(full.simple_procedure.reason.contains("第五十一条"));
    // Without a proposal the suggestion is not on the spot either.
    let none = run_on(
        "HB-005",
        AssessInput {
            circumstances: circ(&["multiple_stalls"]),
            ..organization()
        },
    );
    assert!(
        !none.simple_procedure.allowed,
        "{}",
        none.simple_procedure.reason
    );
}

/// F4: CG-005 (市容条例 Art. 39 ¶1): 3,000 元 is in the 情节严重 band only.
#[test]
fn f4_cg005_serious_band_needs_serious_attested_with_facts() {
    let ordinary = run_on(
        "CG-005",
        AssessInput {
            penalty: fine_of(yuan(3000)),
            deviation_reason: reason("面积较大"),
            ..individual()
        },
    );
    assert!(
        has(&ordinary, "PENALTY_PRECONDITION_NOT_ATTESTED"),
        "{:?}",
        ordinary.errors
    );
    let m = &ordinary
        .errors
        .iter()
        .find(|e| e.code == "PENALTY_PRECONDITION_NOT_ATTESTED")
        .unwrap()
        .message;
    assert!(
        m.contains("第三十九条第一款") && m.contains("情节严重"),
        "{m}"
    );

    let no_facts = run_on(
        "CG-005",
        AssessInput {
            penalty: fine_of(yuan(3000)),
            deviation_reason: reason("面积较大"),
            attested: vec![Precondition::Serious],
            ..individual()
        },
    );
    assert!(has(&no_facts, "PENALTY_SERIOUS_FACTS_MISSING"));
    assert!(has(&no_facts, "PENALTY_PRECONDITION_NOT_ATTESTED"));

    let serious = AssessInput {
        penalty: fine_of(yuan(3000)),
        deviation_reason: reason("主干道大面积张贴且多次违法"),
        attested: vec![Precondition::Serious],
        serious_facts: Some("在主干道两侧大面积张贴小广告，三个月内第三次".into()),
        circumstances: circ(&["serious_circumstances"]),
        ..individual()
    };
    let a = run_on("CG-005", serious.clone());
    assert!(clause_ok(&a), "{:?}", a.errors);
    assert_eq!(a.band.as_deref(), Some("B2"));
    // Once serious is attested the ordinary band is superseded.
    let light = run_on(
        "CG-005",
        AssessInput {
            penalty: fine_of(yuan(300)),
            ..serious
        },
    );
    assert!(has(&light, "PENALTY_BAND_SUPERSEDED"), "{:?}", light.errors);
    // The ordinary band still takes an ordinary case.
    let l2 = run_on(
        "CG-005",
        AssessInput {
            penalty: fine_of(yuan(300)),
            circumstances: circ(&["area_1_to_5sqm"]),
            ..individual()
        },
    );
    assert_eq!(l2.errors, vec![]);
}

/// F4 for AQ-001, HB-006 and NY-002: the upper band needs its precondition.
#[test]
fn f4_other_two_band_matters() {
    for (code, fen, pre) in [
        (
            "AQ-001",
            yuan(100_000),
            Precondition::NotCorrectedByDeadline,
        ),
        ("HB-006", yuan(60_000), Precondition::RefusedToCorrect),
        ("NY-002", yuan(100_000), Precondition::Serious),
    ] {
        let also: &[SanctionKind] = if code == "NY-002" {
            &[
                SanctionKind::ConfiscateIllegalProperty,
                SanctionKind::ConfiscateIllegalGains,
            ]
        } else {
            &[]
        };
        let base = AssessInput {
            penalty: proposal(PenaltyKind::Fine, Some(fen), also),
            deviation_reason: reason("理由"),
            serious_facts: Some("电鱼".into()),
            ..organization()
        };
        let without = run_on(code, base.clone());
        assert!(!clause_ok(&without), "{code}: {:?}", without.errors);
        let with = run_on(
            code,
            AssessInput {
                attested: vec![pre],
                ..base
            },
        );
        assert!(clause_ok(&with), "{code}: {:?}", with.errors);
    }
}

/// F5: WS-001 (控烟条例 Art. 19 ¶1): exactly 50 元, or 200 元 after a refusal.
#[test]
fn f5_ws001_fixed_amounts() {
    let a = run_on(
        "WS-001",
        AssessInput {
            penalty: fine_of(yuan(100)),
            deviation_reason: reason("x"),
            ..individual()
        },
    );
    assert!(has(&a, "PENALTY_AMOUNT_NOT_FIXED"), "{:?}", a.errors);
    assert!(
        a.errors
            .iter()
            .any(|e| e.message.contains("50.00元") || e.message.contains("50元")),
        "{:?}",
        a.errors
    );
    let fifty = run_on(
        "WS-001",
        AssessInput {
            penalty: fine_of(yuan(50)),
            circumstances: circ(&["smoking_in_no_smoking_area"]),
            ..individual()
        },
    );
    assert_eq!(fifty.errors, vec![]);
    let two_hundred = AssessInput {
        penalty: fine_of(yuan(200)),
        ..individual()
    };
    let refused = run_on("WS-001", two_hundred.clone());
    assert!(
        has(&refused, "PENALTY_CORRECTION_ORDER_REQUIRED"),
        "{:?}",
        refused.errors
    );
    let ok = run_on(
        "WS-001",
        AssessInput {
            attested: vec![Precondition::RefusedToCorrect],
            ..two_hundred
        },
    );
    assert_eq!(ok.errors, vec![], "L2 applies through the attestation");
    assert_eq!(ok.band.as_deref(), Some("B2"));
}

/// F6: LY-001 / LY-002: 警告并处罚款 — neither alone.
#[test]
fn f6_warning_and_fine_are_both_mandatory() {
    for (code, fen) in [("LY-001", yuan(1000)), ("LY-002", yuan(100))] {
        let warning_alone = run_on(
            code,
            AssessInput {
                penalty: warning(),
                deviation_reason: reason("x"),
                ..individual()
            },
        );
        assert!(
            has(&warning_alone, "PENALTY_MANDATORY_KIND_MISSING"),
            "{code}: {:?}",
            warning_alone.errors
        );
        let fine_alone = run_on(
            code,
            AssessInput {
                penalty: fine_of(fen),
                deviation_reason: reason("x"),
                ..individual()
            },
        );
        assert!(has(&fine_alone, "PENALTY_MANDATORY_KIND_MISSING"), "{code}");
        let both = run_on(
            code,
            AssessInput {
                penalty: proposal(PenaltyKind::Fine, Some(fen), &[SanctionKind::Warning]),
                deviation_reason: reason("x"),
                ..individual()
            },
        );
        assert!(clause_ok(&both), "{code}: {:?}", both.errors);
        // A minor (Art. 30) may get the lighter penalty without the 并处 kind.
        let minor = run_on(
            code,
            AssessInput {
                party: zhifa_core::rules::assess::Party {
                    kind: zhifa_core::rules::assess::PartyKind::Individual,
                    id_number: None,
                    birth_date: Some(d(2009, 1, 1)),
                },
                penalty: warning(),
                deviation_reason: reason("未成年人，依法减轻"),
                ..individual()
            },
        );
        assert!(
            !has(&minor, "PENALTY_MANDATORY_KIND_MISSING"),
            "{code}: {:?}",
            minor.errors
        );
    }
}

/// F7: SC-002 cites 《无证无照经营查处办法》 and fines only after a refusal
/// to correct (市场主体登记管理条例 Art. 43).
#[test]
fn f7_sc002_title_and_refusal() {
    let p = sample();
    let law = |id: &str| {
        p.provisions
            .iter()
            .find(|x| x.id == id)
            .unwrap()
            .law
            .clone()
    };
    assert_eq!(law("WZ-2"), "无证无照经营查处办法");
    assert_eq!(law("WZ-13"), "无证无照经营查处办法");
    let m = matter("SC-002");
    assert_eq!(m.penalty, vec!["SCZT-43".to_owned()]);
    assert!(law("SCZT-43").contains("市场主体登记管理条例"));
    let fine = AssessInput {
        penalty: proposal(
            PenaltyKind::Fine,
            Some(yuan(20_000)),
            &[SanctionKind::ConfiscateIllegalGains],
        ),
        deviation_reason: reason("x"),
        ..individual()
    };
    let first = run_on("SC-002", fine.clone());
    assert!(
        has(&first, "PENALTY_CORRECTION_ORDER_REQUIRED"),
        "{:?}",
        first.errors
    );
    let refused = run_on(
        "SC-002",
        AssessInput {
            attested: vec![Precondition::RefusedToCorrect],
            ..fine
        },
    );
    assert!(clause_ok(&refused), "{:?}", refused.errors);
}

/// F13: CG-005 L5 no longer lists the coercive measure as a penalty.
#[test]
fn f13_cg005_l5_has_no_coercive_measure() {
    let m = matter("CG-005");
    let l5 = m.levels.iter().find(|l| l.code == "L5").unwrap();
    for p in [&l5.individual, &l5.organization].into_iter().flatten() {
        assert!(
            p.other.iter().all(|o| !o.contains("电话号码")),
            "{:?}",
            p.other
        );
    }
    assert!(m.scope_note.as_deref().unwrap().contains("强制措施"));
}

/// F8 (data): the scope of 市容条例 and 村镇供水条例 is shown with the matter.
#[test]
fn f8_scope_notes() {
    assert!(matter("CG-016").scope_note.unwrap().contains("建成区"));
    assert!(
        matter("GS-001")
            .scope_note
            .unwrap()
            .contains("小型集中供水工程")
    );
}

/// Detention is never a township's (行政处罚法 Art. 18 ¶3).
#[test]
fn detention_is_refused() {
    let a = run_on(
        "CG-005",
        AssessInput {
            penalty: proposal(
                PenaltyKind::Fine,
                Some(yuan(300)),
                &[SanctionKind::Detention],
            ),
            circumstances: circ(&["area_1_to_5sqm"]),
            ..individual()
        },
    );
    assert!(has(&a, "PENALTY_DETENTION_NOT_TOWNSHIP"));
}

/// The unchanged input of `zhifa assess` (no new fields) still works where
/// the law needs no attestation, and the JSON without the new fields decodes.
#[test]
fn old_input_still_assesses() {
    let json = r#"{"matter":"CG-005","party":{"kind":"individual","birth_date":"1980-05-01"},
        "violation_date":"2025-06-10","decision_date":"2025-06-10","circumstances":["area_1_to_5sqm"],
        "penalty":{"kind":"fine","amount_fen":30000},"district":"渝北区"}"#;
    let input: AssessInput = serde_json::from_str(json).unwrap();
    let a = run_on("CG-005", input);
    assert_eq!(a.errors, vec![]);
    assert_eq!(a.suggested_level.as_deref(), Some("L2"));
}

/// F9 (assess part): an Art. 31 exemption is named under Art. 31.
#[test]
fn f9_art31_exemption_is_named_under_art31() {
    let a = run_on(
        "CG-005",
        AssessInput {
            penalty: fine_of(yuan(300)),
            circumstances: circ(&["mental_incapacity"]),
            ..individual()
        },
    );
    let e = a
        .errors
        .iter()
        .find(|e| e.code == "PENALTY_EXEMPT")
        .unwrap();
    assert!(
        e.message.contains("第三十一条") && !e.message.contains("第三十三条第一款"),
        "{}",
        e.message
    );
}

/// Every provision of the sample states its source; unverified ones exist
/// (and are shown as 未核对).
#[test]
fn provisions_carry_source_and_verified() {
    let p = sample();
    assert_eq!(p.format, "zhifa-catalogue/2");
    assert!(
        p.provisions
            .iter()
            .all(|x| x.source.as_deref().is_some_and(|s| !s.is_empty()))
    );
    assert!(p.provisions.iter().any(|x| x.verified));
    assert!(p.provisions.iter().any(|x| !x.verified));
    assert_ne!(p.release.id, "CQ-SAMPLE-2025-07-R2");
}
