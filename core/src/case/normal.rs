//! The device's writer of normal-procedure steps (普通程序): an officer's
//! step goes into the outbox as a `procedure/event` mutation
//! (`zhifa_protocol::mutation::ProcedureStep`), in one transaction, and the
//! centre appends it to the case's log if the procedure core accepts it
//! there (docs/PROTOCOL.md). The step is checked here first against the
//! rules that need no log — it is the officer's own (承办人) and recorded on
//! this device — so a step the centre would refuse for that reason never
//! leaves the device.

use chrono::{DateTime, Utc};
use uuid::Uuid;
use zhifa_protocol::mutation::{ProcedureStep, entity};

use super::CaseError;
use super::outbox::{OutboxEntry, append, device_id};
use crate::procedure::{Origin, Role};
use crate::store::Store;

/// Queues `step` of case `case_id` for the centre; returns its outbox seq.
pub fn queue_step(
    store: &Store,
    case_id: &str,
    step: &ProcedureStep,
    now: DateTime<Utc>,
) -> Result<i64, CaseError> {
    let conn = store.conn();
    let device = device_id(conn)?;
    if step.event.actor.role != Role::Officer {
        return Err(CaseError::Config(format!(
            "“{}”由中心的{}作出，设备只记录承办人的步骤",
            step.event.kind.label_zh(),
            step.event.actor.role.label_zh()
        )));
    }
    if step.event.origin != Origin::Device(device.clone()) {
        return Err(CaseError::Config("步骤的记录设备不是本设备".into()));
    }
    let payload = serde_json::to_value(step).map_err(|e| CaseError::Config(e.to_string()))?;
    let tx = conn.unchecked_transaction()?;
    let seq = append(
        &tx,
        &OutboxEntry {
            entity: entity::PROCEDURE,
            entity_id: case_id.to_owned(),
            op: "event",
            payload,
        },
        now,
        Uuid::now_v7(),
    )?;
    tx.commit()?;
    Ok(seq)
}
