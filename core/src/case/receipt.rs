//! The 送达回证 of an on-the-spot decision (民事诉讼法 Art. 87–89, applied
//! to administrative service by 行政处罚法 Art. 61; docs/law/documents.md):
//! made from the served decision itself — its title and number, the party
//! as recipient, the place and time of service, the party's signature or
//! the noted refusal with its witness, and the two officers as 送达人 with
//! the signatures they applied to the decision (行政处罚法 Art. 52 ¶2).
//! Printed on the spot beside the decision (A4 or a thermal roll).

use uuid::Uuid;

use super::{CaseError, Service, get, served_decision};
use crate::document::model::{DocumentData, PartySignature, ServiceMethod, ServiceReceipt};
use crate::store::Store;

/// The 送达回证 of the case's served decision; `None` before service or
/// for an electronic service (its 确认书 is the record there).
pub fn service_receipt(store: &Store, id: Uuid) -> Result<Option<DocumentData>, CaseError> {
    let case = get(store, id)?.ok_or(CaseError::NotFound(id))?;
    let Some(service) = &case.service else {
        return Ok(None);
    };
    if matches!(service.service, Service::Electronic { .. }) {
        return Ok(None);
    }
    let Some(DocumentData::DecisionOnTheSpot(d)) = served_decision(store, id)? else {
        return Ok(None);
    };
    let method = match &d.party_signature {
        // 民事诉讼法 Art. 89: refused, the document is left and the refusal
        // noted with its witness.
        PartySignature::Refused { .. } => ServiceMethod::LeftAtPremises,
        PartySignature::Pending => return Ok(None),
        PartySignature::Signed { .. } => ServiceMethod::Direct,
    };
    Ok(Some(DocumentData::ServiceReceipt(ServiceReceipt {
        authority: d.authority.clone(),
        document_name: "当场行政处罚决定书".into(),
        document_number: d.number.clone(),
        recipient: d.party.name().to_owned(),
        place: d.place.clone(),
        method,
        received_at: service.served_at,
        proxy: None,
        recipient_signature: d.party_signature.clone(),
        servers: d.officers.clone(),
        remarks: None,
        date: service.served_at.date(),
    })))
}
