//! What a case waits for from the centre (待审批): the acts only the
//! centre's people may take next, in Chinese — the same words on the
//! officer's device and in the console's queues.

use super::{CaseState, Stage};

/// The centre's acts a case in `state` waits for; empty when the next
/// step is the officer's (or nobody's).
pub fn waiting_for(state: &CaseState) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = match state.stage {
        Stage::CaseSource => vec!["立案审批"],
        Stage::InvestigationEnded => vec!["案件审核"],
        Stage::CaseReviewed => vec!["负责人审批拟处理意见"],
        Stage::StatementHeard
        | Stage::Hearing
        | Stage::LegalReviewed
        | Stage::CollectivelyDiscussed => vec!["法制审核", "集体讨论", "负责人决定"],
        Stage::Served => vec!["公示"],
        Stage::Executing | Stage::CourtApplied => vec!["结案审批"],
        Stage::Closed | Stage::Revoked => vec!["归档"],
        _ => Vec::new(),
    };
    // 行政处罚法 Art. 56: the officer asked, the 负责人 approves.
    if state.save_requested.is_some() {
        out.insert(0, "先行登记保存审批");
    }
    out
}
