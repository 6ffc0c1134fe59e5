//! `inspection/*`: a joint inspection (综合查一次) and its findings, stored
//! exactly once with its ledger row (sync.md I2). An inspection is started
//! only in the officer's own township (`jurisdiction`); its later steps
//! only by the device that started it, still serving that township
//! (docs/AUTHZ.md). The tables are migration `0002_inspection.sql` (crate::inspection).

use chrono::{DateTime, Utc};
use zhifa_protocol::error::RejectCode;
use zhifa_protocol::mutation::{InspectionMutation, InspectionStart};

use super::{Applied, PushError, Who, district_of, ts};
use crate::store::sql::{Conn, p};

/// The rejection of a write into a township not the officer's.
pub(crate) fn out_of_township(township: &str) -> PushError {
    PushError::reject(
        RejectCode::Jurisdiction,
        format!("镇街 {township} 不在本执法人员的辖区"),
    )
}

fn invalid(message: String) -> PushError {
    PushError::reject(RejectCode::InvalidPayload, message)
}

/// Applies one inspection mutation.
pub fn apply(
    tx: &mut dyn Conn,
    who: &Who<'_>,
    id: &str,
    m: &InspectionMutation,
    now: DateTime<Utc>,
) -> Applied {
    if let InspectionMutation::Start(s) = m {
        return start(tx, who, id, s, now);
    }
    if let InspectionMutation::Snapshot(_) = m {
        return Err(PushError::reject(
            RejectCode::Unsupported,
            "服务器尚不支持检查快照 inspection.snapshot",
        ));
    }
    let owner: Option<(String, String)> = match tx.query_opt(
        "SELECT device_id, township FROM inspection WHERE inspection_id = ?1",
        p![id],
    )? {
        Some(r) => Some((r.get(0)?, r.get(1)?)),
        None => None,
    };
    match owner {
        None => return Err(invalid(format!("检查记录 {id} 不存在"))),
        Some((o, _)) if o != who.device_id => {
            return Err(invalid(format!("检查记录 {id} 属于另一设备")));
        }
        Some((_, t)) if t != who.township => return Err(out_of_township(&t)),
        Some(_) => {}
    }
    tx.exec(
        "UPDATE inspection SET version = CASE WHEN version < ?2 THEN ?2 ELSE version END
         WHERE inspection_id = ?1",
        p![id, m.version()],
    )?;
    match m {
        InspectionMutation::Result(r) => {
            let n = tx.exec(
                "UPDATE inspection_finding SET verdict = ?3, note = ?4, updated_at = ?5
                 WHERE inspection_id = ?1 AND item = ?2",
                p![id, r.item, r.verdict.as_str(), r.note, ts(now)],
            )?;
            if n == 0 {
                return Err(invalid(format!("清单无事项 {}", r.item)));
            }
        }
        InspectionMutation::Outcome(_, o) => {
            let outcome = serde_json::to_string(&o.outcome)
                .map_err(|e| invalid(format!("载荷 outcome 无法保存：{e}")))?;
            let n = tx.exec(
                "UPDATE inspection_finding SET outcome_kind = ?3, outcome = ?4, updated_at = ?5
                 WHERE inspection_id = ?1 AND item = ?2",
                p![id, o.item, o.outcome.kind(), outcome, ts(now)],
            )?;
            if n == 0 {
                return Err(invalid(format!("清单无事项 {}", o.item)));
            }
        }
        InspectionMutation::Finish(f) => {
            tx.exec(
                "UPDATE inspection SET ended_at = ?2, record_sha256 = ?3 WHERE inspection_id = ?1",
                p![id, f.ended_at, f.record_sha256],
            )?;
        }
        InspectionMutation::Start(_) | InspectionMutation::Snapshot(_) => {}
    }
    Ok(())
}

/// `inspection/start`: the inspection and its merged checklist.
fn start(
    tx: &mut dyn Conn,
    who: &Who<'_>,
    id: &str,
    s: &InspectionStart,
    now: DateTime<Utc>,
) -> Applied {
    let township = s.township.as_str();
    if township != who.township {
        return Err(out_of_township(township));
    }
    let scenarios = serde_json::to_string(&s.scenarios)
        .map_err(|e| invalid(format!("载荷 scenarios 无法保存：{e}")))?;
    let n = tx.exec(
        "INSERT INTO inspection (inspection_id, device_id, officer_id, township, district, place,
             party_name, scenarios, task_id, started_at, version, received_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
         ON CONFLICT (inspection_id) DO NOTHING",
        p![
            id,
            who.device_id,
            who.officer_id,
            township,
            district_of(township),
            s.place,
            s.party_name,
            scenarios,
            s.task_id,
            s.started_at,
            s.version,
            ts(now)
        ],
    )?;
    if n == 0 {
        return Err(invalid(format!("检查记录 {id} 已存在")));
    }
    for (pos, it) in (0_i64..).zip(&s.items) {
        tx.exec(
            "INSERT INTO inspection_finding (inspection_id, item, pos, department, department_name, subject, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            p![id, it.item, pos, it.department, it.department_name, it.subject, ts(now)],
        )?;
    }
    Ok(())
}
