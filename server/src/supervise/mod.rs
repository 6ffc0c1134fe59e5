//! 执法监督 (issue 18): supervision over every case the centre holds —
//! the problem models that turn the record into clues, and the efficiency
//! indicators per township.
//!
//! - [`facts`]: the supervision facts of each case (`supervise_case`,
//!   migration 0014): the non-personal fields the models and indicators
//!   read — matter, level, amount, outcome, officers, dates, the party's
//!   *blind index* (never its name or number). They are read from the
//!   sealed record by [`facts::refresh`], for every case whose record is
//!   newer than its facts, so the push path pays nothing and a record
//!   stored before this module existed is picked up the same way.
//! - [`models`]: the problem models, each a named pure function over
//!   [`Data`] with its legal basis, producing [`Clue`]s (the case ids and
//!   the reason in Chinese). Their thresholds are [`Config`]: the legal
//!   research (shared/domain/normal-procedure-and-supervision.md §2.5–2.6)
//!   marks them as design choices, not Chongqing rules, so they are
//!   settings with the research's defaults.
//! - [`report`]: `zhifa-server supervise report`: the indicators per
//!   township and the open clues, inside a scope and a period;
//!   [`routes`] serves it to the console's supervisor accounts.
//!
//! Fine totals are reported for information only and never ranked or
//! targeted (行政处罚法 Art. 74 ¶3): indicators are ordered by township
//! code, and no model rewards or flags a low total.

pub mod blind;
pub mod clues;
pub mod cockpit;
pub mod crossreview;
pub mod deadlines;
pub mod dirty;
pub mod discretion;
pub mod disposal;
pub mod facts;
pub mod models;
pub mod recheck;
pub mod report;
pub mod review;
pub mod review_routes;
pub mod routes;
pub mod sampling;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

/// How a case ended, as far as supervision is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// No decision yet.
    Open,
    /// A penalty decided.
    Penalty,
    /// No penalty (行政处罚法 Art. 30, 31, 33).
    NoPenalty,
    /// Voided before a decision.
    Void,
}

impl Outcome {
    /// The stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Penalty => "penalty",
            Self::NoPenalty => "no_penalty",
            Self::Void => "void",
        }
    }

    /// The stored form read back (an unknown one is open).
    pub fn parse(s: &str) -> Self {
        match s {
            "penalty" => Self::Penalty,
            "no_penalty" => Self::NoPenalty,
            "void" => Self::Void,
            _ => Self::Open,
        }
    }

    /// Whether the case was decided (penalty or none).
    pub fn decided(self) -> bool {
        matches!(self, Self::Penalty | Self::NoPenalty)
    }
}

/// The supervision facts of one case. Nothing here is personal data: the
/// party appears only as its kind and the keyed blind index of its ID.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseFacts {
    /// The case.
    pub case_id: String,
    /// The record version these facts were read from.
    pub version: i64,
    /// Township code.
    pub township: String,
    /// District code.
    pub district: String,
    /// Matter code.
    pub matter_code: String,
    /// `simple` (the normal procedure later).
    pub procedure: String,
    /// The case status.
    pub status: String,
    /// The two officers' ids (承办人 first).
    pub officers: [String; 2],
    /// `individual` or `organization`, once recorded.
    pub party_kind: Option<String>,
    /// The keyed blind index of the party's ID number.
    pub party_index: Option<String>,
    /// 违法日期 (Beijing).
    pub violation_date: NaiveDate,
    /// When the case was opened.
    pub created_at: DateTime<Utc>,
    /// When decided (Beijing time): the decision's own date.
    pub decided_at: Option<NaiveDateTime>,
    /// How it ended.
    pub outcome: Outcome,
    /// The no-penalty ground, when none.
    pub exemption: Option<String>,
    /// Whether the first-violation circumstance (首违) was attested.
    pub first_violation: bool,
    /// The penalty's main kind.
    pub penalty_kind: Option<String>,
    /// The fine, fen.
    pub amount_fen: Option<i64>,
    /// The discretion band chosen.
    pub band: Option<String>,
    /// The band the assessment suggested.
    pub suggested_level: Option<String>,
    /// Whether a reason for leaving the suggested band was written.
    pub deviation_reason: bool,
    /// Whether the fine was collected on the spot (Art. 68–70).
    pub collected_on_spot: bool,
    /// Evidence items attached.
    pub evidence_count: i64,
    /// Whether a reason for deciding on no captured evidence was written.
    pub no_evidence_reason: bool,
    /// When served (Beijing date).
    pub served_on: Option<NaiveDate>,
    /// The last day to pay (Art. 67).
    pub payment_due: Option<NaiveDate>,
    /// When paid or collected.
    pub paid_on: Option<NaiveDate>,
    /// Whether showing the 执法证 was recorded (Art. 52, 55).
    pub credentials_shown: bool,
    /// The server's replay: accepted, refused, or not run (no decision).
    pub replay_ok: Option<bool>,
    /// The replay's refusal codes.
    pub replay_codes: Vec<String>,
}

impl CaseFacts {
    /// The day a case counts in a period: its decision's, else its opening's
    /// (Beijing).
    pub fn activity_on(&self) -> NaiveDate {
        self.decided_at.map_or_else(
            || zhifa_core::procedure::beijing_date(self.created_at),
            |d| d.date(),
        )
    }
}

/// The supervision facts of one joint inspection (plain columns of the
/// record; no personal data).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InspectionFacts {
    /// The inspection.
    pub inspection_id: String,
    /// Township code.
    pub township: String,
    /// The inspected party's blind index, if identified.
    pub party_index: Option<String>,
    /// The day it started.
    pub started_on: NaiveDate,
    /// Items checked.
    pub items: i64,
}

/// A 先行登记保存 of a normal-procedure case, as supervision sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaveFacts {
    /// The day it was taken.
    pub on: NaiveDate,
    /// Its last day to be disposed of (行政处罚法 Art. 56 + 85: 7 working
    /// days on the township's calendar).
    pub due: NaiveDate,
    /// The day it was disposed of.
    pub disposed_on: Option<NaiveDate>,
}

/// The supervision facts of one normal-procedure case (普通程序): the
/// dates of its log and the due days the core's deadline engine computes
/// on the township's calendar (`deadlines::normal_facts`). No personal
/// data: the party is absent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NormalFacts {
    /// The case.
    pub case_id: String,
    /// Township code.
    pub township: String,
    /// 立案.
    pub filed_on: Option<NaiveDate>,
    /// The last day to decide: 立案 + 90 days + the approved extensions
    /// (行政处罚法 Art. 60), once filed.
    pub decision_due: Option<NaiveDate>,
    /// The decision's date: the date of the decision step, printed on the
    /// 决定书 (research §0 finding 2), never an internal memo's.
    pub decided_on: Option<NaiveDate>,
    /// Whether the decision is a penalty (公示 applies to penalties).
    pub penalty: bool,
    /// Whether the decision is a 移送 (nothing to serve).
    pub transfer: bool,
    /// The fine decided, fen (information only, 行政处罚法 Art. 74 ¶3).
    pub fine_fen: i64,
    /// Whether the case has ended: 结案, 归档, or an exit before a
    /// decision (不予立案, 撤销立案).
    pub concluded: bool,
    /// The last day to serve the decision (Art. 61 + 85: 7 working days).
    pub service_due: Option<NaiveDate>,
    /// The day the decision was served.
    pub served_on: Option<NaiveDate>,
    /// The last day to publish a penalty decision (国办发〔2018〕118号 as
    /// the research reports it, 🟡: 7 working days; a township setting).
    pub publication_due: Option<NaiveDate>,
    /// The day it was published (公示).
    pub published_on: Option<NaiveDate>,
    /// Its 先行登记保存.
    pub saves: Vec<SaveFacts>,
}

impl NormalFacts {
    /// The day a case counts in a period: its decision's, else its
    /// filing's, else `fallback` (the report's day).
    pub fn activity_on(&self, fallback: NaiveDate) -> NaiveDate {
        self.decided_on.or(self.filed_on).unwrap_or(fallback)
    }
}

/// What the models look at: the cases and inspections in view, and the
/// day the report is made (for periods still running).
#[derive(Debug, Clone, Default)]
pub struct Data {
    /// The cases.
    pub cases: Vec<CaseFacts>,
    /// The inspections.
    pub inspections: Vec<InspectionFacts>,
    /// The normal-procedure cases.
    pub normal: Vec<NormalFacts>,
    /// Today (Beijing), when the report is made.
    pub as_of: NaiveDate,
}

/// One clue: a model found a pattern in these cases (or inspections).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Clue {
    /// Its id once remembered (`clues::clue_id`); empty from a model.
    #[serde(default)]
    pub id: String,
    /// The model's name.
    pub model: String,
    /// The township the clue belongs to.
    pub township: String,
    /// The cases (or inspections) involved.
    pub cases: Vec<String>,
    /// Why, in Chinese.
    pub reason: String,
}

/// The models' thresholds. The research marks every one as a design
/// choice (no Chongqing rule found), so each is a setting; the defaults
/// are the research's where it gives one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// 同案不同罚: a fine is an outlier outside median ± k·IQR of its
    /// group (research §2.5 rule 3: 1.5).
    pub dispersion_k: f64,
    /// The fewest decisions a (district, matter, band, party kind) group
    /// needs before its spread is judged.
    pub min_group: usize,
    /// A township's median differing from its district's by more than
    /// this share (research §2.5 rule 3: "x %"; default 30 %).
    pub median_shift: f64,
    /// The fewest decisions a township needs in a group for its median.
    pub min_township: usize,
    /// The binomial z-score beyond which an officer's share of no-penalty
    /// outcomes departs from the district's (research §2.5 rule 4).
    pub leniency_z: f64,
    /// The fewest decisions an officer needs before the test.
    pub min_officer: usize,
    /// The look-back for a repeat party (research §2.5 rule 5: 12 months).
    pub repeat_window_days: i64,
    /// 重复检查: more than this many inspections of one party by one
    /// township …
    pub inspection_max: usize,
    /// … within this many days.
    pub inspection_window_days: i64,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            dispersion_k: 1.5,
            min_group: 5,
            median_shift: 0.30,
            min_township: 3,
            leniency_z: 3.0,
            min_officer: 10,
            repeat_window_days: 365,
            inspection_max: 2,
            inspection_window_days: 30,
        }
    }
}

/// The SQL condition that keeps the rows of townships under `scope` (a
/// code prefix of digits, see `report::check_scope`; also the console's
/// administration lists, `crate::admin`), with its parameters
/// numbered from `?{first}`: an equality on the district or township
/// column where the prefix is one, else a range (never `LIKE`, which a
/// non-C collation cannot serve from the index).
pub(crate) fn scope_where(
    scope: &str,
    district_col: Option<&str>,
    first: usize,
) -> (String, Vec<String>) {
    match (scope.len(), district_col) {
        (0, _) => ("1 = 1".to_owned(), Vec::new()),
        (6, Some(d)) => (format!("{d} = ?{first}"), vec![scope.to_owned()]),
        (9, _) => (format!("township = ?{first}"), vec![scope.to_owned()]),
        _ => match next_prefix(scope) {
            Some(next) => (
                format!("township >= ?{first} AND township < ?{}", first + 1),
                vec![scope.to_owned(), next],
            ),
            None => (format!("township >= ?{first}"), vec![scope.to_owned()]),
        },
    }
}

/// The digit string right after every code starting with `prefix`
/// ("500112" → "500113", "5009" → "5010"); `None` for all nines.
fn next_prefix(prefix: &str) -> Option<String> {
    let mut d: Vec<u8> = prefix.bytes().collect();
    for i in (0..d.len()).rev() {
        if d[i] < b'9' {
            d[i] += 1;
            return String::from_utf8(d).ok();
        }
        d[i] = b'0';
    }
    None
}

/// Why supervision could not run.
#[derive(Debug, thiserror::Error)]
pub enum SuperviseError {
    /// The database.
    #[error(transparent)]
    Db(#[from] crate::store::sql::DbError),
    /// A stored row or record does not decode.
    #[error("监督数据损坏：{0}")]
    Corrupt(String),
    /// The request: a bad scope, period or setting.
    #[error("{0}")]
    Invalid(String),
}

impl SuperviseError {
    /// A stable snake_case code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Db(_) => "storage",
            Self::Corrupt(_) => "supervise_corrupt",
            Self::Invalid(_) => "supervise_invalid",
        }
    }
}

impl From<crate::record::RecordError> for SuperviseError {
    fn from(e: crate::record::RecordError) -> Self {
        match e {
            crate::record::RecordError::Db(e) => Self::Db(e),
            other => Self::Corrupt(other.to_string()),
        }
    }
}

crate::store::area_error!(SuperviseError);

#[cfg(test)]
mod scope_tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should abort loudly

    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_next_prefix_carries() {
        assert_eq!(next_prefix("500112").as_deref(), Some("500113"));
        assert_eq!(next_prefix("5009").as_deref(), Some("5010"));
        assert_eq!(next_prefix("99"), None);
    }

    proptest! {
        /// A nine-digit code is inside the range of a prefix exactly when
        /// it starts with the prefix.
        #[test]
        fn the_range_is_the_prefix(code in "[0-9]{9}", len in 1usize..9) {
            let prefix = &code[..len];
            let other = format!("{:09}", (code.parse::<u64>().unwrap() + 1) % 1_000_000_000);
            for c in [code.as_str(), other.as_str()] {
                let inside = c >= prefix && next_prefix(prefix).is_none_or(|n| c < n.as_str());
                prop_assert_eq!(inside, c.starts_with(prefix));
            }
        }
    }
}
