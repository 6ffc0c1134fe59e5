//! The 不予行政处罚决定书 of a case that ends without a penalty (issue 19):
//! made in the `decide_no_penalty` step's transaction from what the step
//! records, stored as the case's `no_penalty_decision` document at stage
//! `issued` (the party's line still open). The officers then sign it with
//! their PINs and the party signs or refuses it at service, as the
//! on-the-spot decision ([`super::officer_sign`], [`super::serve`]); the
//! served copy is what the device archives and the centre keeps
//! ([`super::archive`]).
//!
//! Its number comes from the township's series `no_penalty_decision`
//! ([`config::SERIES_NO_PENALTY`]) when the configuration has one; no
//! separate series for 不予处罚 is known from Chongqing's rules, so without
//! it the decision is unnumbered and identified by its case id.

use super::{
    Case, CaseError, Ctx, DocumentData, DocumentKind, ProvisionRole, authority, citations, config,
    doc_officers, issued_json, next_number, party_details, placeholder_signature, store_document,
};
use crate::document::model::{NoPenaltyDecision, NoPenaltyGround, no_penalty_remedy_clause};

/// What the issue recorded: the number, if any, and the document's hash.
pub(super) struct IssuedNoPenalty {
    pub(super) number: Option<String>,
    pub(super) document_sha256: String,
}

/// Numbers (when configured), builds and stores the issued decision.
pub(super) fn issue_no_penalty(
    ctx: &Ctx<'_>,
    case: &Case,
    ground: NoPenaltyGround,
    ground_recorded: &str,
    education: &str,
    guardian_order: Option<&str>,
) -> Result<IssuedNoPenalty, CaseError> {
    let party = case
        .party
        .as_ref()
        .ok_or(CaseError::FieldRequired("party"))?;
    let today = ctx.local.date();
    let number = match ctx.config.number_formats.get(config::SERIES_NO_PENALTY) {
        Some(_) => Some(next_number(ctx, case, config::SERIES_NO_PENALTY)?),
        None => None,
    };
    let doc = DocumentData::NoPenaltyDecision(NoPenaltyDecision {
        number: number.clone(),
        case_ref: case.id.to_string(),
        authority: authority(ctx),
        party: party_details(party)?,
        violation_time: case.violation_time,
        violation_place: case.place.clone().unwrap_or_default(),
        facts: case.facts.clone().unwrap_or_default(),
        evidence_summary: case.evidence_summary.clone().unwrap_or_default(),
        violated_provisions: citations(ctx, ProvisionRole::Violated),
        ground,
        ground_recorded: ground_recorded.to_owned(),
        education: education.trim().to_owned(),
        guardian_order: guardian_order.map(str::to_owned),
        remedy_clause: no_penalty_remedy_clause(
            &ctx.config.reconsideration_body,
            ctx.config.rules.court.as_deref(),
        ),
        place: case.place.clone().unwrap_or_default(),
        decided_at: ctx.local,
        officers: doc_officers(case),
        party_signature: placeholder_signature(),
        date: today,
    });
    let (_, json, sha) = issued_json(&doc)?;
    store_document(
        ctx,
        case,
        DocumentKind::NoPenaltyDecision,
        "issued",
        number.as_deref().unwrap_or(""),
        &json,
        &sha,
    )?;
    Ok(IssuedNoPenalty {
        number,
        document_sha256: sha,
    })
}
