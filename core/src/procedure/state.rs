//! The state of a normal-procedure case: the fold of its events
//! ([`CaseState`]) with the records it keeps — the measures, the 告知, the
//! hearing, the review and the decision. [`super::apply`] moves it from one
//! step to the next.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::{CaseFlags, Outcome, PartyKind, Penalty, Stage};

/// A 先行登记保存 or a 查封扣押.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Measure {
    /// The day it was taken.
    pub on: NaiveDate,
    /// Days added by an approved extension (查封扣押 only).
    pub extended_days: u32,
    /// The day it was disposed of or released.
    pub disposed_on: Option<NaiveDate>,
}

/// The 事先告知 as given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Told {
    /// The day.
    pub on: NaiveDate,
    /// The penalty told.
    pub penalty: Penalty,
    /// Whether the hearing right was told.
    pub hearing_offered: bool,
}

/// A requested hearing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HearingRecord {
    /// The day of the request.
    pub requested_on: NaiveDate,
    /// The hearing day, once noticed.
    pub hearing_on: Option<NaiveDate>,
    /// The presider, once noticed.
    pub presider: Option<String>,
    /// The day it was held (or the party deemed to waive, Art. 64(六)).
    pub held_on: Option<NaiveDate>,
}

/// A passed 法制审核.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewRecord {
    /// The day.
    pub on: NaiveDate,
    /// The reviewer.
    pub reviewer: String,
    /// The reviewer's 法律职业资格 number.
    pub qualification: String,
}

/// The decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionRecord {
    /// The decision date (printed on the 决定书).
    pub on: NaiveDate,
    /// What was decided.
    pub outcome: Outcome,
    /// The document number.
    pub number: String,
    /// Decided after the Art. 60 deadline (only where the township accepts it).
    pub late: bool,
}

/// The state of a normal-procedure case: the fold of its events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseState {
    /// The state S0–S18 or an exit.
    pub stage: Stage,
    /// The party kind.
    pub party: Option<PartyKind>,
    /// 发现 (the 案源登记's date of discovery).
    pub discovered_on: Option<NaiveDate>,
    /// 立案.
    pub filed_on: Option<NaiveDate>,
    /// Whether 立案 came after the configured days (`None`: the calendar
    /// could not tell).
    pub filed_late: Option<bool>,
    /// Records of investigation.
    pub investigation_acts: u32,
    /// The officers who investigated (not eligible to preside, Art. 64(四)).
    pub investigators: Vec<String>,
    /// 先行登记保存.
    pub saves: Vec<Measure>,
    /// The day the officer asked for a 先行登记保存 not yet approved.
    pub save_requested: Option<NaiveDate>,
    /// 查封扣押.
    pub seizures: Vec<Measure>,
    /// The 调查终结报告's proposal.
    pub proposal: Option<Outcome>,
    /// Review and discussion flags.
    pub flags: CaseFlags,
    /// The proposal as the 负责人 approved it.
    pub approved: Option<Outcome>,
    /// The 事先告知.
    pub told: Option<Told>,
    /// The party was heard and the 复核 recorded.
    pub statement_heard: bool,
    /// The party expressly waived 陈述申辩.
    pub statement_waived: bool,
    /// The party expressly waived the hearing (or was absent, Art. 64(六)).
    pub hearing_waived: bool,
    /// The hearing, if requested.
    pub hearing: Option<HearingRecord>,
    /// Submitted for 法制审核.
    pub legal_review_submitted_on: Option<NaiveDate>,
    /// A passed 法制审核.
    pub legal_review: Option<ReviewRecord>,
    /// The 集体讨论's day.
    pub collective_on: Option<NaiveDate>,
    /// Days added to the Art. 60 period.
    pub extension_days: u32,
    /// The decision.
    pub decision: Option<DecisionRecord>,
    /// The day the decision was served (received).
    pub served_on: Option<NaiveDate>,
    /// 公示.
    pub published_on: Option<NaiveDate>,
    /// The payment confirmed.
    pub paid_on: Option<NaiveDate>,
    /// An approved 延期/分期 last day.
    pub deferred_until: Option<NaiveDate>,
    /// The approved 分期 plan (empty for none or a 延期).
    #[serde(default)]
    pub instalments: Vec<super::Instalment>,
    /// 催告书 served.
    pub reminded_on: Option<NaiveDate>,
    /// The court application.
    pub court_applied_on: Option<NaiveDate>,
    /// 结案.
    pub closed_on: Option<NaiveDate>,
    /// 归档.
    pub archived_on: Option<NaiveDate>,
    /// The decision revoked (行政处罚法 Art. 48 ¶2).
    #[serde(default)]
    pub revoked_on: Option<NaiveDate>,
    /// The last event's time.
    pub last_at: Option<DateTime<Utc>>,
    /// How many events were applied.
    pub events: usize,
}

impl Default for CaseState {
    fn default() -> Self {
        Self::new()
    }
}

impl CaseState {
    /// The state before any event.
    pub fn new() -> Self {
        Self {
            stage: Stage::Empty,
            party: None,
            discovered_on: None,
            filed_on: None,
            filed_late: None,
            investigation_acts: 0,
            investigators: Vec::new(),
            saves: Vec::new(),
            save_requested: None,
            seizures: Vec::new(),
            proposal: None,
            flags: CaseFlags::default(),
            approved: None,
            told: None,
            statement_heard: false,
            statement_waived: false,
            hearing_waived: false,
            hearing: None,
            legal_review_submitted_on: None,
            legal_review: None,
            collective_on: None,
            extension_days: 0,
            decision: None,
            served_on: None,
            published_on: None,
            paid_on: None,
            deferred_until: None,
            instalments: Vec::new(),
            reminded_on: None,
            court_applied_on: None,
            closed_on: None,
            archived_on: None,
            revoked_on: None,
            last_at: None,
            events: 0,
        }
    }

    /// Forgets everything after the investigation (a review that returns
    /// the case for more investigation starts the decision path again).
    pub(super) fn reopen_investigation(&mut self) {
        self.stage = Stage::Investigating;
        self.proposal = None;
        self.approved = None;
        self.told = None;
        self.statement_heard = false;
        self.statement_waived = false;
        self.hearing_waived = false;
        self.hearing = None;
        self.legal_review_submitted_on = None;
        self.legal_review = None;
        self.collective_on = None;
    }

    /// Whether the case stands between the proposal and the decision.
    pub(super) fn deciding(&self) -> bool {
        matches!(
            self.stage,
            Stage::CaseReviewed
                | Stage::ProposalApproved
                | Stage::Informed
                | Stage::StatementHeard
                | Stage::Hearing
                | Stage::LegalReviewed
                | Stage::CollectivelyDiscussed
        )
    }

    /// Whether the 事先告知 has been given and no decision made.
    pub(super) fn after_informing(&self) -> bool {
        matches!(
            self.stage,
            Stage::Informed
                | Stage::StatementHeard
                | Stage::Hearing
                | Stage::LegalReviewed
                | Stage::CollectivelyDiscussed
        )
    }

    /// Whether the case is decided and served but not closed.
    pub(super) fn executing(&self) -> bool {
        matches!(
            self.stage,
            Stage::Served
                | Stage::Published
                | Stage::Executing
                | Stage::Reminded
                | Stage::CourtApplied
        )
    }
}
