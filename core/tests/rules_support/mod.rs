//! Fixtures shared by the rules-engine tests: matters with known ranges, the
//! 2025 calendar and input builders.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use chrono::NaiveDate;
use zhifa_core::catalogue::model::{
    Calendar, DiscretionLevel, ExemptionRule, FineRange, LevelPenalty, Matter, MatterKind,
    StatutoryRange,
};
use zhifa_core::rules::assess::{AssessInput, Party, PartyKind, PenaltyKind, ProposedPenalty};
use zhifa_core::rules::identity::citizen_check_character;

pub(crate) fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

pub(crate) fn yuan(y: i64) -> i64 {
    y * 100
}

pub(crate) fn range(min_yuan: i64, max_yuan: i64) -> FineRange {
    FineRange {
        min_fen: yuan(min_yuan),
        max_fen: yuan(max_yuan),
    }
}

pub(crate) fn fine(min_yuan: i64, max_yuan: i64) -> Option<LevelPenalty> {
    Some(LevelPenalty {
        warning: false,
        fine: Some(range(min_yuan, max_yuan)),
        other: vec![],
    })
}

pub(crate) fn level(
    code: &str,
    circ: &[&str],
    individual: Option<LevelPenalty>,
    organization: Option<LevelPenalty>,
) -> DiscretionLevel {
    DiscretionLevel {
        code: code.to_owned(),
        name: code.to_owned(),
        conditions: "测试".to_owned(),
        circumstances: circ.iter().map(|c| (*c).to_owned()).collect(),
        individual,
        organization,
        band: None,
    }
}

/// 占道经营-like: 个人 50–500 元, 单位 500–2,000 元 (重庆市市容环境卫生管理条例 Art. 18).
pub(crate) fn stalls() -> Matter {
    Matter {
        code: "CR-018".to_owned(),
        name: "占道经营".to_owned(),
        kind: MatterKind::EmpoweredCommon,
        entrusting_authority: None,
        domain: "市容环卫".to_owned(),
        department: "区城市管理局".to_owned(),
        violated: vec!["P1".to_owned()],
        penalty: vec!["P2".to_owned()],
        statutory: Some(StatutoryRange {
            individual: Some(range(50, 500)),
            organization: Some(range(500, 2000)),
        }),
        correction_first: false,
        first_violation: Some(ExemptionRule {
            conditions: "初次违法、危害后果轻微、及时改正".to_owned(),
            circumstances: vec![
                "first_violation".to_owned(),
                "minor_harm".to_owned(),
                "corrected_promptly".to_owned(),
            ],
        }),
        minor_violation: None,
        levels_contiguous: true,
        levels: vec![
            level(
                "L1",
                &["single_stall"],
                Some(LevelPenalty {
                    warning: true,
                    fine: Some(range(50, 200)),
                    other: vec![],
                }),
                fine(500, 1000),
            ),
            level("L2", &[], fine(200, 350), fine(1000, 1500)),
            level(
                "L3",
                &["obstructs_traffic"],
                fine(350, 500),
                fine(1500, 2000),
            ),
            level(
                "L4",
                &["obstructs_traffic", "refused_to_correct"],
                fine(450, 500),
                fine(1800, 2000),
            ),
        ],
        clause: None,
        scope_note: None,
        aliases: Vec::new(),
        fact_phrases: Vec::new(),
    }
}

/// An entrusted traffic matter with an organisation range above 200 元, to
/// show 道路交通安全法 Art. 107 capping the simple procedure for everyone.
pub(crate) fn traffic() -> Matter {
    Matter {
        code: "JT-01".to_owned(),
        name: "测试交通事项".to_owned(),
        kind: MatterKind::Entrusted,
        entrusting_authority: Some("重庆市公安局交通巡逻警察总队渝北区支队".to_owned()),
        domain: "道路交通".to_owned(),
        department: "交巡警".to_owned(),
        violated: vec!["DJ-38".to_owned()],
        penalty: vec!["DJ-89".to_owned()],
        statutory: Some(StatutoryRange {
            individual: Some(range(5, 50)),
            organization: Some(range(20, 500)),
        }),
        correction_first: false,
        first_violation: None,
        minor_violation: None,
        levels_contiguous: false,
        levels: vec![level(
            "L1",
            &[],
            Some(LevelPenalty {
                warning: true,
                fine: Some(range(5, 50)),
                other: vec![],
            }),
            fine(20, 500),
        )],
        clause: None,
        scope_note: None,
        aliases: Vec::new(),
        fact_phrases: Vec::new(),
    }
}

/// The 2025 calendar with the National Day break (1–8 October off; 28
/// September and 11 October worked).
pub(crate) fn cal_2025() -> Calendar {
    Calendar {
        from: d(2025, 1, 1),
        to: d(2025, 12, 31),
        holidays: vec![
            d(2025, 10, 1),
            d(2025, 10, 2),
            d(2025, 10, 3),
            d(2025, 10, 6),
            d(2025, 10, 7),
            d(2025, 10, 8),
        ],
        workdays: vec![d(2025, 9, 28), d(2025, 10, 11)],
        years: vec![],
    }
}

/// A valid 18-digit citizen ID for a Chongqing (渝北区) resident born on `birth`.
pub(crate) fn citizen_id(birth: NaiveDate) -> String {
    let body = format!("500112{}001", birth.format("%Y%m%d"));
    format!("{body}{}", citizen_check_character(&body).unwrap())
}

/// An adult individual's case on 2025-06-10, decided the same day, district 渝北区.
pub(crate) fn individual() -> AssessInput {
    AssessInput {
        matter: None,
        party: Party {
            kind: PartyKind::Individual,
            id_number: Some(citizen_id(d(1980, 5, 1))),
            birth_date: None,
        },
        violation_date: d(2025, 6, 10),
        violation_end_date: None,
        discovered_date: None,
        decision_date: Some(d(2025, 6, 10)),
        circumstances: vec![],
        penalty: None,
        deviation_reason: None,
        served_date: None,
        paid_date: None,
        remedy_pending: false,
        district: Some("渝北区".to_owned()),
        attested: Vec::new(),
        serious_facts: None,
        correction_deadline: None,
        base_fen: None,
    }
}

/// The same for an organisation with the GB 32100 example code.
pub(crate) fn organization() -> AssessInput {
    AssessInput {
        party: Party {
            kind: PartyKind::Organization,
            id_number: Some("91350100M000100Y43".to_owned()),
            birth_date: None,
        },
        ..individual()
    }
}

pub(crate) fn fine_of(fen: i64) -> Option<ProposedPenalty> {
    Some(ProposedPenalty {
        kind: PenaltyKind::Fine,
        amount_fen: Some(fen),
        also: Vec::new(),
        band: None,
    })
}

pub(crate) fn warning() -> Option<ProposedPenalty> {
    Some(ProposedPenalty {
        kind: PenaltyKind::Warning,
        amount_fen: None,
        also: Vec::new(),
        band: None,
    })
}

pub(crate) fn circ(codes: &[&str]) -> Vec<String> {
    codes.iter().map(|c| (*c).to_owned()).collect()
}

pub(crate) fn codes(a: &zhifa_core::rules::Assessment) -> Vec<&str> {
    a.errors.iter().map(|e| e.code.as_str()).collect()
}
