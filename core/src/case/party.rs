//! The party's identity document as the case records it (issue 19): the
//! document chosen is checked when the party is recorded
//! ([`crate::rules::id_document`]), and what it needs is required — the
//! nationality of a foreign passport, the birth date where the number
//! carries none (the age rules, 行政处罚法 Art. 30, need it), and for a
//! party with no document the reason and a photo of the party that is
//! evidence of this case.

use chrono::NaiveDate;
use uuid::Uuid;

use super::{CaseError, CaseParty};
use crate::rules::assess::PartyKind;
use crate::rules::id_document::{DocOptions, IdDocKind, check_document};

/// The party as recorded, its document checked (`evidence`: the case's
/// evidence items, for the photo of a party without a document). A record
/// without a document kind is the resident-ID path as before: its number
/// is checked by the assessment.
pub(super) fn party_document(
    party: &CaseParty,
    evidence: &[Uuid],
    today: NaiveDate,
) -> Result<CaseParty, CaseError> {
    let mut p = party.clone();
    let Some(kind) = party.id_kind else {
        // What only another document carries has no place here.
        p.nationality = None;
        p.birth_date = None;
        p.no_document_reason = None;
        p.photo_evidence = None;
        return Ok(p);
    };
    if party.kind == PartyKind::Organization {
        return Err(CaseError::InvalidField {
            field: "party.id_kind",
            reason: "单位以统一社会信用代码为准，不选择个人证件类型".into(),
        });
    }
    let trimmed = |s: &Option<String>| {
        s.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let opts = DocOptions {
        citizen: crate::rules::identity::IdOptions {
            as_of: Some(today),
            ..Default::default()
        },
        ..DocOptions::default()
    };
    let checked = check_document(kind, &party.id_number, &opts)?;
    p.id_number = checked.number.clone();
    p.nationality = trimmed(&party.nationality).filter(|_| kind == IdDocKind::ForeignPassport);
    if kind == IdDocKind::ForeignPassport && p.nationality.is_none() {
        return Err(CaseError::FieldRequired("party.nationality"));
    }
    // The number's own birth date wins; otherwise it must be entered (the
    // age rules, e.g. 行政处罚法 Art. 30, need it).
    if checked.birth_date().is_some() {
        p.birth_date = None;
    } else {
        match party.birth_date {
            None => return Err(CaseError::FieldRequired("party.birth_date")),
            Some(b) if b > today => {
                return Err(CaseError::InvalidField {
                    field: "party.birth_date",
                    reason: "出生日期不能晚于今天".into(),
                });
            }
            Some(_) => {}
        }
    }
    if kind == IdDocKind::NoDocument {
        p.no_document_reason = trimmed(&party.no_document_reason);
        if p.no_document_reason.is_none() {
            return Err(CaseError::FieldRequired("party.no_document_reason"));
        }
        match party.photo_evidence {
            None => return Err(CaseError::FieldRequired("party.photo_evidence")),
            Some(e) if !evidence.contains(&e) => return Err(CaseError::EvidenceNotOfCase(e)),
            Some(_) => {}
        }
    } else {
        p.no_document_reason = None;
        p.photo_evidence = None;
    }
    Ok(p)
}
