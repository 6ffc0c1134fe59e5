//! The blind scorer's arithmetic: every human veto item must be judged,
//! unknown items are refused, the points come off the machine's score and
//! a failed veto makes the file 不合格.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should abort loudly

use super::*;

fn veto(id: &str, result: ItemResult) -> VetoFinding {
    VetoFinding {
        id: id.to_owned(),
        group: "事实与证据".to_owned(),
        text: format!("{id} 的要求"),
        result,
        finding: String::new(),
    }
}

fn review(score: u32) -> Review {
    Review {
        case_id: "c".to_owned(),
        township: "500112108".to_owned(),
        standard: "标准".to_owned(),
        source: String::new(),
        score,
        total: 100,
        veto_passed: true,
        grade: "优秀".to_owned(),
        grade_basis: String::new(),
        provisional: true,
        projected: false,
        vetoes: vec![
            veto("facts_clear", ItemResult::NeedsHuman),
            veto("two_officers", ItemResult::Pass),
            veto("law_applied", ItemResult::NeedsHuman),
        ],
        findings: vec![Finding {
            id: "decision_in_time".to_owned(),
            kind: "deadline".to_owned(),
            title: "九十日内作出决定".to_owned(),
            result: ItemResult::NeedsHuman,
            deducted: 0,
            finding: "超期".to_owned(),
            source: String::new(),
        }],
        needs_human: vec![],
    }
}

fn judged(passed: bool) -> Vec<VetoJudgement> {
    ["facts_clear", "law_applied"]
        .iter()
        .map(|id| VetoJudgement {
            id: (*id).to_owned(),
            passed,
            note: String::new(),
        })
        .collect()
}

fn off(id: &str, points: u32) -> Deduction {
    Deduction {
        id: id.to_owned(),
        points,
        note: String::new(),
    }
}

#[test]
fn the_human_items_are_the_machines_open_ones_and_the_sheets_human_rows() {
    let ids: Vec<(String, String)> = human_items(&review(95))
        .into_iter()
        .map(|i| (i.id, i.kind))
        .collect();
    let want: Vec<(String, String)> = [
        ("facts_clear", "veto"),
        ("law_applied", "veto"),
        ("decision_in_time", "deduction"),
        ("wording", "deduction"),
        ("content", "deduction"),
    ]
    .iter()
    .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
    .collect();
    assert_eq!(ids, want);
}

#[test]
fn points_come_off_the_machines_score_and_set_the_grade() {
    let g = Grading::default();
    let s = Scoring {
        vetoes: judged(true),
        deductions: vec![off("wording", 3), off("decision_in_time", 2)],
        comment: String::new(),
    };
    assert_eq!(
        final_score(&review(92), &s, &g).unwrap(),
        (87, true, "良好".to_owned())
    );
    let none = Scoring {
        deductions: vec![],
        ..s.clone()
    };
    assert_eq!(
        final_score(&review(92), &none, &g).unwrap(),
        (92, true, "优秀".to_owned())
    );
    // A failed veto: 不合格 whatever the points.
    let vetoed = Scoring {
        vetoes: judged(false),
        ..none
    };
    assert_eq!(final_score(&review(92), &vetoed, &g).unwrap().2, "不合格");
}

#[test]
fn every_veto_item_must_be_judged_and_only_the_files_items() {
    let g = Grading::default();
    let mut missing = judged(true);
    missing.pop();
    let s = Scoring {
        vetoes: missing,
        deductions: vec![],
        comment: String::new(),
    };
    assert_eq!(
        final_score(&review(90), &s, &g).unwrap_err().code(),
        "sample_scoring_incomplete"
    );
    let mut extra = judged(true);
    extra.push(VetoJudgement {
        id: "two_officers".to_owned(),
        passed: false,
        note: String::new(),
    });
    let s = Scoring {
        vetoes: extra,
        deductions: vec![],
        comment: String::new(),
    };
    assert_eq!(
        final_score(&review(90), &s, &g).unwrap_err().code(),
        "sample_scoring_unknown_item"
    );
    let s = Scoring {
        vetoes: judged(true),
        deductions: vec![off("facts_clear", 1)],
        comment: String::new(),
    };
    assert_eq!(
        final_score(&review(90), &s, &g).unwrap_err().code(),
        "sample_scoring_unknown_item"
    );
    let s = Scoring {
        vetoes: judged(true),
        deductions: vec![off("wording", 91)],
        comment: String::new(),
    };
    assert_eq!(
        final_score(&review(90), &s, &g).unwrap_err().code(),
        "sample_invalid"
    );
}
