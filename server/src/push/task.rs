//! `task/*`: a follow-up task a device made from an order to correct
//! (`create`, in the officer's own township), and the officer's `accept`
//! and `report` of any task — only by the officer it is assigned to (or,
//! while it is assigned to nobody, an officer of its township), in the
//! task's township (`not_owner`; docs/AUTHZ.md).

use zhifa_protocol::error::RejectCode;
use zhifa_protocol::mutation::TaskMutation;
use zhifa_protocol::wire::WireMutation;

use super::inspection::out_of_township;
use super::{Applied, PushError, Who};
use crate::store::sql::{Conn, p};

/// Applies one task mutation.
pub fn apply(tx: &mut dyn Conn, who: &Who<'_>, m: &WireMutation, t: &TaskMutation) -> Applied {
    let id = m.entity_id.as_str();
    match t {
        TaskMutation::Create(c) => {
            if c.township != who.township {
                return Err(out_of_township(&c.township));
            }
            tx.exec(
                "INSERT INTO task (task_id, origin, kind, status, township, officer_id, place, detail,
                     due_on, inspection_id, department, payload, assigned_at)
                 VALUES (?1, 'device', ?2, 'assigned', ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
                 ON CONFLICT (task_id) DO NOTHING",
                p![
                    id,
                    c.kind.as_str(),
                    c.township,
                    who.officer_id,
                    c.place,
                    c.detail,
                    c.due_on.map(|d| d.to_string()),
                    c.inspection_id,
                    c.department,
                    // The task as the device made it.
                    m.payload.to_string(),
                    m.device_time
                ],
            )?;
            Ok(())
        }
        TaskMutation::Accept(_) | TaskMutation::Report(_) => {
            let Some(row) = tx.query_opt(
                "SELECT township, officer_id FROM task WHERE task_id = ?1",
                p![id],
            )?
            else {
                return Err(PushError::reject(
                    RejectCode::InvalidPayload,
                    format!("任务 {id} 不存在"),
                ));
            };
            let (township, assignee): (String, Option<String>) = (row.get(0)?, row.get(1)?);
            if township != who.township {
                return Err(out_of_township(&township));
            }
            if assignee.as_deref().is_some_and(|a| a != who.officer_id) {
                return Err(PushError::reject(
                    RejectCode::NotOwner,
                    format!("任务 {id} 已指派给另一名执法人员"),
                ));
            }
            match t {
                TaskMutation::Accept(a) => {
                    tx.exec(
                        "UPDATE task SET status = 'accepted', accepted_at = coalesce(accepted_at, ?2),
                                         officer_id = coalesce(officer_id, ?3)
                         WHERE task_id = ?1 AND status = 'assigned'",
                        p![id, a.accepted_at, who.officer_id],
                    )?;
                }
                TaskMutation::Report(r) => {
                    let report = serde_json::to_string(&r.report).map_err(|e| {
                        PushError::reject(
                            RejectCode::InvalidPayload,
                            format!("载荷 report 无法保存：{e}"),
                        )
                    })?;
                    tx.exec(
                        "UPDATE task SET status = 'done', done_at = ?2, report = ?3,
                                         accepted_at = coalesce(accepted_at, ?4),
                                         inspection_id = coalesce(inspection_id, ?5)
                         WHERE task_id = ?1",
                        p![
                            id,
                            r.done_at,
                            report,
                            r.accepted_at,
                            r.report.inspection_id.map(|i| i.to_string())
                        ],
                    )?;
                }
                TaskMutation::Create(_) | TaskMutation::Snapshot(_) => {}
            }
            Ok(())
        }
        TaskMutation::Snapshot(_) => Err(PushError::reject(
            RejectCode::Unsupported,
            "服务器尚不支持任务快照 task.snapshot",
        )),
    }
}
