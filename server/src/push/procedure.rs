//! `procedure/event`: an officer's step of a normal-procedure case pushed
//! from the device (docs/PROTOCOL.md). The step must be the pushing
//! officer's own, recorded on this device, in the role of 承办人 — the
//! centre's steps (approvals, reviews, the decision) are the console's,
//! never a device's (`not_owner`); the case must be in the officer's
//! township (`jurisdiction`) and held by this device (`not_owner`); and the
//! procedure core must accept it against the centre's log
//! (`procedure_refused`, the message naming the article). The ledger makes
//! a re-sent step a no-op.

use chrono::{DateTime, Utc};
use zhifa_core::procedure::{Origin, Role};
use zhifa_protocol::error::RejectCode;
use zhifa_protocol::mutation::ProcedureStep;

use super::{Applied, PushError, Who};
use crate::procedure::{CaseError, NewCase, append, case_of};
use crate::record::Keeper;
use crate::store::sql::Conn;

/// Applies one pushed step.
pub fn apply(
    tx: &mut dyn Conn,
    k: &Keeper,
    who: &Who<'_>,
    case_id: &str,
    step: &ProcedureStep,
    now: DateTime<Utc>,
) -> Applied {
    let e = &step.event;
    if e.actor.id != who.officer_id || e.actor.role != Role::Officer {
        return Err(PushError::reject(
            RejectCode::NotOwner,
            format!(
                "“{}”须由本设备的执法人员以承办人身份记录；审批、审核与决定在中心作出",
                e.kind.label_zh()
            ),
        ));
    }
    if e.origin != Origin::Device(who.device_id.to_owned()) {
        return Err(PushError::reject(
            RejectCode::NotOwner,
            "步骤的记录设备与推送设备不一致",
        ));
    }
    let existing = case_of(tx, case_id).map_err(fail)?;
    match &existing {
        Some(row) if row.township != who.township => {
            return Err(PushError::reject(
                RejectCode::Jurisdiction,
                format!("案件属地 {} 不在本设备现执法人员的辖区", row.township),
            ));
        }
        Some(row) if row.device_id != who.device_id => {
            return Err(PushError::reject(
                RejectCode::NotOwner,
                "案件由另一台设备办理",
            ));
        }
        None => match &step.details {
            Some(d) if d.township != who.township => {
                return Err(PushError::reject(
                    RejectCode::Jurisdiction,
                    format!("属地 {} 不在本设备现执法人员的辖区", d.township),
                ));
            }
            _ => {}
        },
        Some(_) => {}
    }
    let new = existing.is_none().then_some(NewCase {
        officer_id: who.officer_id,
        device_id: who.device_id,
    });
    match append(tx, k, case_id, e, new, step.details.as_deref(), now) {
        Ok(_) => Ok(()),
        Err(CaseError::Refused(r)) => Err(PushError::reject(
            RejectCode::ProcedureRefused,
            r.to_string(),
        )),
        Err(other) => Err(fail(other)),
    }
}

/// A fault that is not the step's: the batch aborts (database) or fails.
fn fail(e: CaseError) -> PushError {
    match e {
        CaseError::Db(d) => PushError::Db(d),
        CaseError::Record(r) => PushError::Fail(r.into()),
        // The centre's own fault: the batch fails and the device retries.
        e @ (CaseError::Corrupt(_) | CaseError::Document(_)) => {
            tracing::error!(code = e.code(), error = %e, "normal-procedure log unusable");
            PushError::Fail(
                crate::error::ApiError::new(
                    zhifa_protocol::ErrorKind::Internal,
                    "中心的案件记录暂不可用，请稍后再同步",
                )
                .into(),
            )
        }
        other => PushError::reject(RejectCode::InvalidPayload, other.to_string()),
    }
}
