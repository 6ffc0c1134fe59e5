//! The case as one JSON document: what `zhifa case show ID --json` prints
//! on the device and what `zhifa-server case show ID --json` prints from
//! the centre's record (issue 15 item 2), so the two can be compared field
//! for field. The case's own fields are flattened; beside them the Chinese
//! status, the payment standing on a given day, the timeline and the
//! provisional → final number mapping.

use chrono::NaiveDate;
use serde::Serialize;

use super::{Case, PaymentStanding, ProvisionalRecord, TimelineEntry, payment_standing};

/// One case as shown (`case show --json`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseDoc {
    /// The case record, flattened.
    #[serde(flatten)]
    pub case: Case,
    /// The status in Chinese.
    pub status_zh: &'static str,
    /// The fine, its due date and the surcharge accrued as of the day shown.
    pub payment_standing: Option<PaymentStanding>,
    /// Every step, oldest first.
    pub timeline: Vec<TimelineEntry>,
    /// The provisional number the decision printed and its final number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provisional_number: Option<ProvisionalRecord>,
}

impl CaseDoc {
    /// The document of `case` with its timeline, standing computed for `on`.
    pub fn of(
        case: Case,
        timeline: Vec<TimelineEntry>,
        provisional_number: Option<ProvisionalRecord>,
        on: NaiveDate,
    ) -> Self {
        Self {
            status_zh: case.status.label_zh(),
            payment_standing: payment_standing(&case, on),
            case,
            timeline,
            provisional_number,
        }
    }
}
