//! The scorer on a lawful complete log folded by the procedure core on the
//! sample catalogue's calendar: 100 points and 优秀 with every document
//! held; each missing mandatory document costs exactly 5 points (§2.3);
//! a missing content item 1; a reversed procedure fails the veto and the
//! file is 不合格 whatever its points; the judgement items wait for a human.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should abort loudly

use chrono::{DateTime, Duration, TimeZone, Utc};
use zhifa_core::catalogue::model::Package;
use zhifa_core::procedure::{
    Actor, CaseFlags, EventKind, Origin, Outcome, PartyKind, Penalty, ProcedureConfig,
    ProcedureEvent, Role, ServiceMethod, fold,
};

use super::standard::{DOCUMENTS, Grading, MISSING_DOCUMENT_POINTS};
use super::{Input, ItemResult, Review, score};

fn pkg() -> Package {
    serde_json::from_str(crate::SAMPLE_CATALOGUE).expect("the sample catalogue")
}

fn ev(kind: EventKind, role: Role, at: DateTime<Utc>) -> ProcedureEvent {
    let id = match role {
        Role::Officer => "OFF-LX-01",
        Role::Leader => "AP-1",
        _ => "LR-1",
    };
    ProcedureEvent::new(
        kind,
        Actor {
            id: id.into(),
            role,
        },
        at,
        Origin::Console("test".into()),
    )
}

fn officers() -> Vec<String> {
    vec!["OFF-LX-01".into(), "OFF-LX-02".into()]
}

/// A lawful case from 案源登记 to 结案 over a few days of March 2026.
fn log() -> Vec<ProcedureEvent> {
    let t = Utc.with_ymd_and_hms(2026, 3, 10, 2, 0, 0).single().unwrap();
    let h = |n: i64| t + Duration::hours(n);
    let fine = Penalty::fine(800_000);
    let mut decide = ev(
        EventKind::Decide {
            outcome: Outcome::Penalty {
                penalty: fine.clone(),
            },
            number: "渝北龙兴罚决字〔2026〕第1号".into(),
        },
        Role::Leader,
        h(30),
    );
    decide.signature = Some("ab".repeat(32));
    vec![
        ev(
            EventKind::RegisterSource {
                discovered_on: t.date_naive(),
                source: "巡查".into(),
                party: PartyKind::Citizen,
            },
            Role::Officer,
            h(0),
        ),
        ev(EventKind::File, Role::Leader, h(1)),
        ev(
            EventKind::Investigate {
                act: "询问笔录".into(),
                officers: officers(),
                document: None,
            },
            Role::Officer,
            h(2),
        ),
        ev(
            EventKind::EndInvestigation {
                proposal: Outcome::Penalty {
                    penalty: fine.clone(),
                },
                flags: CaseFlags::default(),
            },
            Role::Officer,
            h(3),
        ),
        ev(
            EventKind::ReviewCase {
                passed: true,
                opinion: "事实清楚".into(),
            },
            Role::CaseReviewer,
            h(4),
        ),
        ev(EventKind::ApproveProposal, Role::Leader, h(5)),
        ev(
            EventKind::Inform {
                penalty: fine,
                facts: "占道堆放建筑材料".into(),
                reasons: "违反市容管理规定".into(),
                basis: vec!["《重庆市市容环境卫生管理条例》".into()],
                hearing_offered: true,
                officers: officers(),
            },
            Role::Officer,
            h(6),
        ),
        ev(
            EventKind::HearStatement {
                review: "经复核不影响认定".into(),
                adopted: false,
            },
            Role::Officer,
            h(7),
        ),
        ev(
            EventKind::Waive {
                statement: false,
                hearing: true,
            },
            Role::Officer,
            h(8),
        ),
        decide,
        ev(
            EventKind::Serve {
                method: ServiceMethod::Direct,
                officers: officers(),
            },
            Role::Officer,
            h(31),
        ),
        ev(EventKind::Publish, Role::CaseReviewer, h(32)),
        ev(
            EventKind::ConfirmPayment {
                amount_fen: 800_000,
            },
            Role::Officer,
            h(33),
        ),
        ev(
            EventKind::Close {
                reason: "罚款已缴纳".into(),
            },
            Role::Leader,
            h(34),
        ),
    ]
}

const HELD: [&str; 5] = [
    "interview_record",
    "prior_notice",
    "statement_record",
    "penalty_decision",
    "service_receipt",
];

fn run(events: &[ProcedureEvent], documents: &[&str]) -> Review {
    let pkg = pkg();
    let config = ProcedureConfig::default();
    let state = fold(events, &config, &pkg.calendar).expect("a lawful log");
    let documents: Vec<String> = documents.iter().map(|d| (*d).to_owned()).collect();
    let matter = pkg.matters.iter().find(|m| m.code == "CG-001");
    score(&Input {
        case_id: "case-1",
        township: "500112108",
        events,
        state: &state,
        documents: &documents,
        matter,
        config: &config,
        calendar: &pkg.calendar,
        grading: &Grading::default(),
    })
}

#[test]
fn a_complete_lawful_file_scores_full_marks() {
    let r = run(&log(), &HELD);
    let lost: Vec<_> = r.findings.iter().filter(|f| f.deducted > 0).collect();
    assert!(lost.is_empty(), "{lost:#?}");
    assert_eq!((r.score, r.total), (100, 100));
    assert!(r.veto_passed, "{:#?}", r.vetoes);
    assert_eq!(r.grade, "优秀");
    assert!(!r.projected, "closed");
    // The judgement items wait for a person; the grade is provisional.
    assert!(r.provisional);
    for item in ["事实与证据", "适用依据", "用语"] {
        assert!(
            r.needs_human.iter().any(|n| n.contains(item)),
            "{item} in {:?}",
            r.needs_human
        );
    }
    // Documents not needed here count in full (§2.3).
    let na = |id: &str| {
        r.findings
            .iter()
            .find(|f| f.id == id)
            .map(|f| f.result)
            .unwrap()
    };
    assert_eq!(na("legal_review"), ItemResult::NotApplicable);
    assert_eq!(na("preservation_notice"), ItemResult::NotApplicable);
    assert_eq!(na("filing_approval"), ItemResult::Pass, "the 立案 step");
    // Every finding cites its source.
    assert!(r.findings.iter().all(|f| f.source.contains("§")));
}

#[test]
fn each_missing_mandatory_document_costs_five_points() {
    for missing in HELD {
        let held: Vec<&str> = HELD.iter().copied().filter(|d| *d != missing).collect();
        let r = run(&log(), &held);
        assert_eq!(r.score, 100 - MISSING_DOCUMENT_POINTS, "without {missing}");
        let f: Vec<_> = r.findings.iter().filter(|f| f.deducted > 0).collect();
        assert_eq!(f.len(), 1, "{missing}: {f:#?}");
        assert_eq!(f[0].kind, "document");
        assert!(DOCUMENTS.iter().any(|d| d.id == f[0].id));
    }
    // Two missing: ten.
    let r = run(
        &log(),
        &["interview_record", "prior_notice", "penalty_decision"],
    );
    assert_eq!(r.score, 90);
}

#[test]
fn a_missing_content_item_costs_one_point() {
    let mut events = log();
    for e in &mut events {
        if let EventKind::Decide { .. } = e.kind {
            e.signature = None;
        }
    }
    let r = run(&events, &HELD);
    assert_eq!(r.score, 99);
    let f = r.findings.iter().find(|f| f.deducted > 0).unwrap();
    assert_eq!(f.id, "decision_seal");
}

#[test]
fn without_the_decision_document_the_remedy_veto_fails() {
    // The 决定书 carries the 复议/诉讼 route (Art. 59(五)): without it the
    // file fails the 基础标准 and is 不合格 whatever its points.
    let r = run(
        &log(),
        &[
            "interview_record",
            "prior_notice",
            "statement_record",
            "service_receipt",
        ],
    );
    assert_eq!(r.score, 95);
    assert!(!r.veto_passed);
    assert_eq!(r.grade, "不合格");
    let v = r
        .vetoes
        .iter()
        .find(|v| v.id == "remedy_in_writing")
        .unwrap();
    assert_eq!(v.result, ItemResult::Fail);
}

#[test]
fn the_grade_follows_the_configured_thresholds() {
    let g = Grading::default();
    assert_eq!(
        [
            g.grade(100),
            g.grade(90),
            g.grade(89),
            g.grade(80),
            g.grade(60),
            g.grade(59)
        ],
        ["优秀", "优秀", "良好", "良好", "合格", "不合格"]
    );
}

#[test]
fn an_unfinished_case_is_scored_on_what_applies() {
    // Filed and investigated only: the decision's documents do not apply.
    let events: Vec<_> = log().into_iter().take(3).collect();
    let r = run(&events, &["interview_record"]);
    assert_eq!(r.score, 100, "{:#?}", r.findings);
    assert!(r.veto_passed);
    assert!(r.projected, "not closed: a projection");
}
