//! Conversions from the device's records to the protocol's
//! (`zhifa_protocol::record`): the full content a device pushes to the
//! centre. Each protocol record serializes to the same JSON as the device's
//! own record (tested in `core/tests/case_record_wire.rs`), so the server's
//! `case show --json` can answer in the device's shape.
//!
//! The protocol never depends on core; core converts at this edge.

use zhifa_protocol::badge;
use zhifa_protocol::record as wire;

use crate::case::{
    ActEnd, Case, CaseOfficer, CaseParty, CaseStatus, CorrectionRecord, DecisionRecord,
    FollowUpRecord, IssueRecord, NoPenaltyRecord, PaymentRecord, RightsRecord, Service,
    ServiceConfirmation, ServiceRecord, StatementRecord,
};
use crate::inspection::task::{Task, TaskKind, TaskReport, TaskStatus};
use crate::inspection::{
    ChecklistItem, Finding, FinishRecord, Inspection, InspectionStatus, ItemResult, Outcome,
    ScenarioRef, Verdict,
};
use crate::rules::assess::{PartyKind, ProposedPenalty};

/// The JSON of a document model. Serializing a derived `Serialize` struct
/// with string keys to a `Value` cannot fail; `Null` stands in should it.
fn doc_json<T: serde::Serialize>(doc: &T) -> serde_json::Value {
    serde_json::to_value(doc).unwrap_or(serde_json::Value::Null)
}

fn party_kind(k: PartyKind) -> String {
    match k {
        PartyKind::Individual => "individual",
        PartyKind::Organization => "organization",
    }
    .to_owned()
}

impl From<CaseStatus> for wire::CaseStatus {
    fn from(s: CaseStatus) -> Self {
        match s {
            CaseStatus::Draft => Self::Draft,
            CaseStatus::PartyAndFacts => Self::PartyAndFacts,
            CaseStatus::Evidence => Self::Evidence,
            CaseStatus::RightsTold => Self::RightsTold,
            CaseStatus::Decided => Self::Decided,
            CaseStatus::Issued => Self::Issued,
            CaseStatus::Served => Self::Served,
            CaseStatus::Paid => Self::Paid,
            CaseStatus::CollectedOnTheSpot => Self::CollectedOnTheSpot,
            CaseStatus::Overdue => Self::Overdue,
            CaseStatus::NoPenalty => Self::NoPenalty,
            CaseStatus::CorrectionOrdered => Self::CorrectionOrdered,
            CaseStatus::Corrected => Self::Corrected,
            CaseStatus::Filed => Self::Filed,
            CaseStatus::Closed => Self::Closed,
        }
    }
}

impl From<&CaseParty> for wire::PartyRecord {
    fn from(p: &CaseParty) -> Self {
        Self {
            kind: party_kind(p.kind),
            name: p.name.clone(),
            id_number: p.id_number.clone(),
            phone: p.phone.clone(),
            address: p.address.clone(),
            representative: p.representative.clone(),
            id_kind: p.id_kind.map(|k| k.as_str().to_owned()),
            nationality: p.nationality.clone(),
            birth_date: p.birth_date.map(|d| d.to_string()),
            no_document_reason: p.no_document_reason.clone(),
            photo_evidence: p.photo_evidence.map(|u| u.to_string()),
        }
    }
}

impl From<&CaseOfficer> for wire::OfficerRecord {
    fn from(o: &CaseOfficer) -> Self {
        Self {
            id: o.id.clone(),
            name: o.name.clone(),
            credential_no: o.credential_no.clone(),
        }
    }
}

impl From<&ProposedPenalty> for wire::PenaltyRecord {
    fn from(p: &ProposedPenalty) -> Self {
        Self {
            kind: p.kind.sanction().as_str().to_owned(),
            amount_fen: p.amount_fen,
            also: p
                .also
                .iter()
                .map(|a| wire::AdditionalPenaltyRecord {
                    kind: a.kind.as_str().to_owned(),
                    detail: a.detail.clone(),
                })
                .collect(),
            band: p.band.clone(),
        }
    }
}

impl From<&RightsRecord> for wire::RightsRecord {
    fn from(r: &RightsRecord) -> Self {
        Self {
            proposed: (&r.proposed).into(),
            content: r.content.clone(),
            at: r.at.clone(),
        }
    }
}

impl From<&StatementRecord> for wire::StatementRecord {
    fn from(s: &StatementRecord) -> Self {
        match s {
            StatementRecord::Heard { text, review, at } => Self::Heard {
                text: text.clone(),
                review: review.clone(),
                at: at.clone(),
            },
            StatementRecord::Waived { at, words } => Self::Waived {
                at: at.clone(),
                words: words.clone(),
            },
        }
    }
}

impl From<&DecisionRecord> for wire::DecisionRecord {
    fn from(d: &DecisionRecord) -> Self {
        Self {
            penalty: (&d.penalty).into(),
            circumstances: d.circumstances.clone(),
            suggested_level: d.suggested_level.clone(),
            deviation_reason: d.deviation_reason.clone(),
            on_the_spot_collection: d.on_the_spot_collection,
            remedy_clause: d.remedy_clause.clone(),
            place: d.place.clone(),
            decided_at: d.decided_at,
        }
    }
}

impl From<&IssueRecord> for wire::IssueRecord {
    fn from(i: &IssueRecord) -> Self {
        Self {
            number: i.number.clone(),
            number_provisional: i.number_provisional,
            payment_code: i.payment_code.clone(),
            payment_url: i.payment_url.clone(),
            payment_due: i.payment_due,
            payment_due_estimated: i.payment_due_estimated,
            document_sha256: i.document_sha256.clone(),
            issued_at: i.issued_at,
        }
    }
}

impl From<&ServiceConfirmation> for wire::ServiceConfirmationRecord {
    fn from(c: &ServiceConfirmation) -> Self {
        Self {
            signer_name: c.signer_name.clone(),
            signature_png: c.signature_png.clone(),
            agreed_address: c.agreed_address.clone(),
        }
    }
}

impl From<&Service> for wire::ServiceKind {
    fn from(s: &Service) -> Self {
        match s {
            Service::Signed { name, png } => Self::Signed {
                name: name.clone(),
                png: png.clone(),
            },
            Service::Refused { reason, witness } => Self::Refused {
                reason: reason.clone(),
                witness: witness.clone(),
            },
            Service::Electronic {
                channel,
                address,
                consent,
                confirmation,
            } => Self::Electronic {
                channel: channel.clone(),
                address: address.clone(),
                consent: consent.clone(),
                confirmation: confirmation.as_ref().map(Into::into),
            },
        }
    }
}

impl From<&ServiceRecord> for wire::ServiceRecord {
    fn from(s: &ServiceRecord) -> Self {
        Self {
            service: (&s.service).into(),
            served_at: s.served_at,
            payment_due: s.payment_due,
            payment_due_estimated: s.payment_due_estimated,
        }
    }
}

impl From<&PaymentRecord> for wire::PaymentRecord {
    fn from(p: &PaymentRecord) -> Self {
        match p {
            PaymentRecord::Paid {
                paid_on,
                reference,
                late_fee_fen,
            } => Self::Paid {
                paid_on: *paid_on,
                reference: reference.clone(),
                late_fee_fen: *late_fee_fen,
            },
            PaymentRecord::Collected { receipt_number, at } => Self::Collected {
                receipt_number: receipt_number.clone(),
                at: *at,
            },
        }
    }
}

impl From<&FollowUpRecord> for wire::FollowUpRecord {
    fn from(f: &FollowUpRecord) -> Self {
        Self {
            corrected: f.corrected,
            note: f.note.clone(),
            at: f.at,
        }
    }
}

impl From<&CorrectionRecord> for wire::CorrectionRecord {
    fn from(c: &CorrectionRecord) -> Self {
        Self {
            number: c.number.clone(),
            requirement: c.requirement.clone(),
            deadline: c.deadline,
            follow_up_due: c.follow_up_due,
            document_sha256: c.document_sha256.clone(),
            follow_up: c.follow_up.as_ref().map(Into::into),
        }
    }
}

impl From<&NoPenaltyRecord> for wire::NoPenaltyRecord {
    fn from(n: &NoPenaltyRecord) -> Self {
        Self {
            ground: n.ground.clone(),
            circumstances: n.circumstances.clone(),
            education: n.education.clone(),
            guardian_order: n.guardian_order.clone(),
            at: n.at,
            number: n.number.clone(),
            document_sha256: n.document_sha256.clone(),
        }
    }
}

impl From<ActEnd> for wire::ActEndRecord {
    fn from(a: ActEnd) -> Self {
        match a {
            ActEnd::Ended { date } => Self::Ended { date },
            ActEnd::Ongoing => Self::Ongoing,
        }
    }
}

impl From<&Case> for wire::CaseRecord {
    fn from(c: &Case) -> Self {
        // Destructured without `..`: a field added to `Case` does not
        // compile until the record carries it too.
        let Case {
            id,
            township,
            matter_code,
            release_id,
            status,
            version,
            officers,
            violation_time,
            party,
            facts,
            place,
            evidence,
            evidence_summary,
            no_evidence_reason,
            act_end,
            rights,
            statement,
            decision,
            issue,
            service,
            payment,
            correction,
            no_penalty,
            filed,
            closed,
            voided,
            credentials_shown_at,
            officer_signatures,
            document_shown_at,
            created_at,
            updated_at,
        } = c;
        Self {
            id: *id,
            township: township.clone(),
            matter_code: matter_code.clone(),
            release_id: release_id.clone(),
            status: (*status).into(),
            version: *version,
            officers: [(&officers[0]).into(), (&officers[1]).into()],
            violation_time: *violation_time,
            party: party.as_ref().map(Into::into),
            facts: facts.clone(),
            place: place.clone(),
            evidence: evidence.clone(),
            evidence_summary: evidence_summary.clone(),
            no_evidence_reason: no_evidence_reason.clone(),
            act_end: act_end.map(Into::into),
            rights: rights.as_ref().map(Into::into),
            statement: statement.as_ref().map(Into::into),
            decision: decision.as_ref().map(Into::into),
            issue: issue.as_ref().map(Into::into),
            service: service.as_ref().map(Into::into),
            payment: payment.as_ref().map(Into::into),
            correction: correction.as_ref().map(Into::into),
            no_penalty: no_penalty.as_ref().map(Into::into),
            filed: filed.clone(),
            closed: closed.clone(),
            voided: voided.clone(),
            credentials_shown_at: credentials_shown_at.clone(),
            officer_signatures: officer_signatures.clone(),
            document_shown_at: document_shown_at.clone(),
            created_at: created_at.clone(),
            updated_at: updated_at.clone(),
        }
    }
}

/// The device's `Case` a [`wire::CaseRecord`] carries (the server's record
/// and replay work on it). The record serializes to the same JSON as the
/// case (`core/tests/case_record_wire.rs`), so this loses nothing;
/// `Err` when the record's values are not a valid case (an unknown penalty
/// kind …).
pub fn case_of(r: &wire::CaseRecord) -> Result<Case, serde_json::Error> {
    serde_json::from_value(serde_json::to_value(r)?)
}

/// The device's `Inspection` a [`wire::InspectionRecord`] carries.
pub fn inspection_of(r: &wire::InspectionRecord) -> Result<Inspection, serde_json::Error> {
    serde_json::from_value(serde_json::to_value(r)?)
}

/// The device's `Task` a [`wire::TaskRecord`] carries.
pub fn task_of(r: &wire::TaskRecord) -> Result<Task, serde_json::Error> {
    serde_json::from_value(serde_json::to_value(r)?)
}

/// The device's timeline row a [`wire::TimelineEntryRecord`] carries.
pub fn timeline_entry_of(
    r: &wire::TimelineEntryRecord,
) -> Result<crate::case::TimelineEntry, serde_json::Error> {
    serde_json::from_value(serde_json::to_value(r)?)
}

impl From<&crate::case::TimelineEntry> for wire::TimelineEntryRecord {
    fn from(e: &crate::case::TimelineEntry) -> Self {
        Self {
            seq: e.seq,
            at: e.at.clone(),
            kind: e.kind.clone(),
            from: e.from.map(Into::into),
            to: e.to.into(),
            mutation_id: e.mutation_id,
            payload: e.payload.clone(),
        }
    }
}

// ---------------------------------------------------------------------------
// Inspection

impl From<InspectionStatus> for wire::InspectionStatus {
    fn from(s: InspectionStatus) -> Self {
        match s {
            InspectionStatus::Open => Self::Open,
            InspectionStatus::Finished => Self::Finished,
        }
    }
}

impl From<Verdict> for wire::Verdict {
    fn from(v: Verdict) -> Self {
        match v {
            Verdict::Pass => Self::Pass,
            Verdict::Fail => Self::Fail,
            Verdict::NotApplicable => Self::NotApplicable,
        }
    }
}

impl From<&ChecklistItem> for wire::ChecklistItemRecord {
    fn from(i: &ChecklistItem) -> Self {
        Self {
            code: i.code.clone(),
            department: i.department.clone(),
            department_name: i.department_name.clone(),
            subject: i.subject.clone(),
            method: i.method.clone(),
            basis: i.basis.clone(),
            violation: i.violation.clone(),
            matter: i.matter.clone(),
            order_basis: i.order_basis.clone(),
            correction_days: i.correction_days,
            scenarios: i.scenarios.clone(),
        }
    }
}

impl From<&ItemResult> for wire::ItemResultRecord {
    fn from(r: &ItemResult) -> Self {
        Self {
            verdict: r.verdict.into(),
            note: r.note.clone(),
            evidence: r.evidence.clone(),
            at: r.at,
        }
    }
}

impl From<&Outcome> for wire::OutcomeRecord {
    fn from(o: &Outcome) -> Self {
        match o {
            Outcome::OrderToCorrect {
                number,
                requirement,
                deadline,
                follow_up_task,
                follow_up_due,
            } => Self::OrderToCorrect {
                number: number.clone(),
                requirement: requirement.clone(),
                deadline: *deadline,
                follow_up_task: *follow_up_task,
                follow_up_due: *follow_up_due,
            },
            Outcome::SimpleCase { case_id } => Self::SimpleCase { case_id: *case_id },
            Outcome::Referral {
                referral_id,
                department,
                department_name,
                reason,
            } => Self::Referral {
                referral_id: *referral_id,
                department: department.clone(),
                department_name: department_name.clone(),
                reason: reason.clone(),
            },
        }
    }
}

impl From<&Finding> for wire::FindingRecord {
    fn from(f: &Finding) -> Self {
        Self {
            item: (&f.item).into(),
            result: f.result.as_ref().map(Into::into),
            outcome: f.outcome.as_ref().map(Into::into),
        }
    }
}

impl From<&ScenarioRef> for wire::ScenarioRecord {
    fn from(s: &ScenarioRef) -> Self {
        Self {
            code: s.code.clone(),
            name: s.name.clone(),
        }
    }
}

impl From<&FinishRecord> for wire::FinishRecord {
    fn from(f: &FinishRecord) -> Self {
        Self {
            ended_at: f.ended_at,
            record: doc_json(&f.record),
            record_sha256: f.record_sha256.clone(),
            orders: f.orders.iter().map(doc_json).collect(),
            officer_signatures: f.officer_signatures.clone(),
        }
    }
}

impl From<&Inspection> for wire::InspectionRecord {
    fn from(i: &Inspection) -> Self {
        Self {
            id: i.id,
            township: i.township.clone(),
            release_id: i.release_id.clone(),
            status: i.status.into(),
            version: i.version,
            officers: [(&i.officers[0]).into(), (&i.officers[1]).into()],
            place: i.place.clone(),
            party: (&i.party).into(),
            scenarios: i.scenarios.iter().map(Into::into).collect(),
            task_id: i.task_id,
            started_at: i.started_at,
            findings: i.findings.iter().map(Into::into).collect(),
            finish: i.finish.as_ref().map(Into::into),
        }
    }
}

/// The 亮码 request of an inspection: its id, task, place and merged
/// checklist in order.
impl From<&Inspection> for badge::Request {
    fn from(insp: &Inspection) -> Self {
        Self {
            inspection_id: insp.id.to_string(),
            task_id: insp.task_id.map(|t| t.to_string()),
            place: insp.place.clone(),
            items: insp
                .findings
                .iter()
                .map(|f| badge::Item {
                    code: f.item.code.clone(),
                    name: f.item.subject.clone(),
                })
                .collect(),
        }
    }
}

/// The short 亮码 request of an inspection: its id, place, scenario codes
/// and how many items its merged checklist has.
impl From<&Inspection> for badge::short::ShortRequest {
    fn from(insp: &Inspection) -> Self {
        Self {
            inspection_id: insp.id,
            place: insp.place.clone(),
            scenarios: insp.scenarios.iter().map(|s| s.code.clone()).collect(),
            items_total: insp.findings.len(),
        }
    }
}

// ---------------------------------------------------------------------------
// Task

impl From<TaskKind> for wire::TaskKind {
    fn from(k: TaskKind) -> Self {
        match k {
            TaskKind::FollowUp => Self::FollowUp,
            TaskKind::Complaint => Self::Complaint,
            TaskKind::RandomInspection => Self::RandomInspection,
        }
    }
}

impl From<TaskStatus> for wire::TaskStatus {
    fn from(s: TaskStatus) -> Self {
        match s {
            TaskStatus::Assigned => Self::Assigned,
            TaskStatus::Accepted => Self::Accepted,
            TaskStatus::Done => Self::Done,
        }
    }
}

impl From<&TaskReport> for wire::TaskReportRecord {
    fn from(r: &TaskReport) -> Self {
        Self {
            note: r.note.clone(),
            corrected: r.corrected,
            inspection_id: r.inspection_id,
            case_id: r.case_id,
        }
    }
}

impl From<&Task> for wire::TaskRecord {
    fn from(t: &Task) -> Self {
        Self {
            id: t.id,
            origin: t.origin.clone(),
            kind: t.kind.into(),
            status: t.status.into(),
            township: t.township.clone(),
            place: t.place.clone(),
            party_name: t.party_name.clone(),
            detail: t.detail.clone(),
            due_on: t.due_on,
            inspection_id: t.inspection_id,
            item_code: t.item_code.clone(),
            department: t.department.clone(),
            scenarios: t.scenarios.clone(),
            created_at: t.created_at.clone(),
            accepted_at: t.accepted_at.clone(),
            done_at: t.done_at.clone(),
            report: t.report.as_ref().map(Into::into),
        }
    }
}
