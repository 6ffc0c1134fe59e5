//! What the centre's documents of a step are made from (`Ctx`): the
//! case, its log up to the step, the state before it, the step, the
//! catalogue release and the township's settings — shared by the documents
//! issued at their step (`issued.rs`) and the hearing's (`hearing.rs`).

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use zhifa_core::catalogue::model::Package;
use zhifa_core::document::model::Authority;
use zhifa_core::procedure::{CaseState, EventKind, ProcedureConfig, ProcedureEvent};
use zhifa_protocol::mutation::NormalCaseDetails;

use super::CaseError;
use super::documents::citations;

/// What a document is made from.
pub(super) struct Ctx<'a> {
    pub(super) case_id: &'a str,
    pub(super) d: &'a NormalCaseDetails,
    pub(super) events: &'a [ProcedureEvent],
    pub(super) before: &'a CaseState,
    pub(super) event: &'a ProcedureEvent,
    pub(super) pkg: &'a Package,
    pub(super) config: &'a ProcedureConfig,
    /// The account's name (the 负责人 who signs).
    pub(super) signer: &'a str,
}

impl Ctx<'_> {
    pub(super) fn authority(&self) -> Authority {
        Authority {
            name: self.d.authority.name.clone(),
            entrusted_by: self.matter().and_then(|m| m.entrusting_authority.clone()),
        }
    }

    pub(super) fn matter(&self) -> Option<&zhifa_core::catalogue::model::Matter> {
        self.pkg
            .matters
            .iter()
            .find(|m| m.code == self.d.matter_code)
    }

    pub(super) fn cause(&self) -> String {
        format!("{}{}案", self.d.party.name, self.d.matter_name)
    }

    pub(super) fn officer_name(&self, id: &str) -> String {
        self.d
            .officers
            .iter()
            .find(|o| o.id == id)
            .map_or_else(|| id.to_owned(), |o| o.name.clone())
    }

    /// How many times the step was recorded before, plus one.
    pub(super) fn occurrence(&self, name: &str) -> usize {
        self.events.iter().filter(|e| e.kind.name() == name).count() + 1
    }

    /// The decision, which every step after it needs.
    pub(super) fn decision(
        &self,
    ) -> Result<&zhifa_core::procedure::apply::DecisionRecord, CaseError> {
        self.before
            .decision
            .as_ref()
            .ok_or_else(|| CaseError::Corrupt(format!("{} 缺少决定", self.case_id)))
    }

    /// The facts as told (the 告知's), else as registered.
    pub(super) fn facts(&self) -> String {
        self.events
            .iter()
            .rev()
            .find_map(|e| match &e.kind {
                EventKind::Inform { facts, .. } => Some(facts.clone()),
                _ => None,
            })
            .unwrap_or_else(|| self.d.facts.clone())
    }

    pub(super) fn violated(&self, on: NaiveDate) -> Vec<String> {
        self.matter()
            .map(|m| citations(self.pkg, &m.violated, on))
            .unwrap_or_default()
    }

    pub(super) fn penalty_provisions(&self, on: NaiveDate) -> Vec<String> {
        self.matter()
            .map(|m| citations(self.pkg, &m.penalty, on))
            .unwrap_or_default()
    }
}

/// The Beijing wall-clock time of a moment.
pub(super) fn beijing(at: DateTime<Utc>) -> chrono::NaiveDateTime {
    (at + TimeDelta::hours(8)).naive_utc()
}
