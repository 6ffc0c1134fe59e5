//! The number mutations: `number_lease/grant` (a lease the device says it
//! holds), `issued_number/{use,issue,void}` (a document number used or
//! voided; sync.md §5, I6) and `provisional_number/issue` (a provisional
//! number printed when no lease was left, given its final number here).

use chrono::{DateTime, Utc};
use zhifa_core::case::config::SERIES_DECISION;
use zhifa_core::case::numbers::{NumberTemplate, ProvisionalNumber, device_code};
use zhifa_protocol::error::RejectCode;
use zhifa_protocol::mutation::{LeaseGrant, NumberOp, NumberStatus, NumberUse, ProvisionalIssue};

use super::{Applied, AuditRow, PushError, Who, ts};
use crate::store::sql::{Conn, p};

/// The inbox kind that carries a final number to the device.
pub const NUMBER_ASSIGNED: &str = "number.assigned";

fn bad(what: &str) -> PushError {
    PushError::reject(
        RejectCode::InvalidPayload,
        format!("载荷缺少或错误：{what}"),
    )
}

/// `number_lease/grant`: accepted only for a range the server granted to
/// this device.
pub fn lease_grant(tx: &mut dyn Conn, who: &Who<'_>, g: &LeaseGrant) -> Applied {
    let covered = tx.exists(
        "SELECT 1 FROM lease WHERE device_id = ?1 AND township = ?2 AND series = ?3 AND year = ?4
           AND start_no <= ?5 AND end_no >= ?6",
        p![who.device_id, g.township, g.series, g.year, g.start, g.end],
    )?;
    if covered {
        Ok(())
    } else {
        Err(PushError::reject(
            RejectCode::LeaseNotGranted,
            format!("号段 {}–{} 不是服务器分配给本设备的", g.start, g.end),
        ))
    }
}

/// `issued_number/{use,issue,void}`: a number of this device's leases used
/// or voided, exactly once; the decision series sets the case's document
/// number.
pub fn number_use(
    tx: &mut dyn Conn,
    who: &Who<'_>,
    op: NumberOp,
    u: &NumberUse,
    audits: &mut Vec<AuditRow>,
) -> Applied {
    let (t, s, y, n) = (u.township.as_str(), u.series.as_str(), u.year, u.seq);
    let formatted = u.formatted.as_deref().unwrap_or("");
    let case_id = u.case_id.as_deref();
    let desired = u.desired(op);
    if t != who.township {
        return Err(PushError::reject(
            RejectCode::Jurisdiction,
            format!("编号的镇街 {t} 不在本设备现执法人员的辖区"),
        ));
    }
    let leased = tx.exists(
        "SELECT 1 FROM lease WHERE device_id = ?1 AND township = ?2 AND series = ?3 AND year = ?4
           AND start_no <= ?5 AND end_no >= ?5",
        p![who.device_id, t, s, y, n],
    )?;
    if !leased {
        return Err(PushError::reject(
            RejectCode::NumberOutsideLease,
            format!("编号 {s}/{y}/{n} 不在服务器分配给本设备的号段内"),
        ));
    }
    let existing = tx.query_opt(
        "SELECT status, device_id, case_id FROM number_use WHERE township = ?1 AND series = ?2 AND year = ?3 AND seq = ?4",
        p![t, s, y, n],
    )?;
    let existing: Option<(String, String, Option<String>)> = match existing {
        Some(r) => Some((r.get(0)?, r.get(1)?, r.get(2)?)),
        None => None,
    };
    match existing {
        None => {
            tx.exec(
                "INSERT INTO number_use (township, series, year, seq, formatted, status, case_id, device_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                p![t, s, y, n, formatted, desired.as_str(), case_id, who.device_id],
            )?;
        }
        // The same fact announced twice (trigger + explicit record).
        Some((status, owner, c))
            if owner == who.device_id && status == desired.as_str() && c.as_deref() == case_id =>
        {
            return Ok(());
        }
        Some((status, owner, _))
            if owner == who.device_id && status == "used" && desired == NumberStatus::Voided =>
        {
            tx.exec(
                "UPDATE number_use SET status = 'voided' WHERE township = ?1 AND series = ?2 AND year = ?3 AND seq = ?4",
                p![t, s, y, n],
            )?;
            return Ok(());
        }
        Some(_) => {
            return Err(PushError::reject(
                RejectCode::NumberReused,
                format!("编号 {s}/{y}/{n} 已使用或已作废"),
            ));
        }
    }
    if desired == NumberStatus::Used
        && s == SERIES_DECISION
        && let Some(case_id) = case_id
    {
        let clash = tx.exists(
            "SELECT 1 FROM cases WHERE document_number = ?1 AND case_id <> ?2",
            p![formatted, case_id],
        )?;
        if clash {
            return Err(PushError::reject(
                RejectCode::NumberReused,
                format!("文书编号 {formatted} 已被另一案件使用"),
            ));
        }
        tx.exec(
            "UPDATE cases SET document_number = ?2 WHERE case_id = ?1 AND device_id = ?3 AND township = ?4",
            p![case_id, formatted, who.device_id, who.township],
        )?;
        audits.push((who.actor(), "case.write", case_id.to_owned()));
    }
    Ok(())
}

/// `provisional_number/issue`: gives a provisional document number (sync.md
/// §5, §9.1) the next serial of the township's (series, year) counter — the
/// counter leases come from, so final numbers never overlap a leased range
/// and the series stays gapless — formatted with the template the device
/// printed under, records the mapping, makes it the case's
/// `document_number` (decision series) and queues `number.assigned` to
/// the officer's inbox, all in the push transaction. Exactly once per
/// (device, provisional number): a second announcement of the same number
/// (a re-queued record, an epoch reset) finds the mapping and changes
/// nothing, so the device always hears the same final number.
pub fn assign_final(
    tx: &mut dyn Conn,
    who: &Who<'_>,
    pi: &ProvisionalIssue,
    now: DateTime<Utc>,
    audits: &mut Vec<AuditRow>,
) -> Applied {
    let provisional = pi.provisional.as_str();
    let (t, s, y, dseq) = (
        pi.township.as_str(),
        pi.series.as_str(),
        pi.year,
        pi.device_seq,
    );
    // A provisional number is only ever printed on a case's decision.
    let Some(case_id) = pi.case_id.as_deref() else {
        return Err(bad("case_id"));
    };
    let Ok(parsed) = ProvisionalNumber::parse(provisional) else {
        return Err(bad("provisional"));
    };
    if parsed.township != t || parsed.seq != dseq || parsed.device != device_code(who.device_id) {
        return Err(bad("provisional"));
    }
    if t != who.township {
        return Err(PushError::reject(
            RejectCode::Jurisdiction,
            format!("临时编号的镇街 {t} 不在本执法人员的辖区"),
        ));
    }
    let (Ok(template), Ok(year)) = (NumberTemplate::parse(&pi.template), i32::try_from(y)) else {
        return Err(bad("template"));
    };
    if tx.exists(
        "SELECT 1 FROM provisional_number WHERE device_id = ?1 AND provisional = ?2",
        p![who.device_id, provisional],
    )? {
        return Ok(());
    }
    let decision = s == SERIES_DECISION;
    let Some(version) = tx.query_opt(
        "SELECT server_version FROM cases WHERE case_id = ?1 AND device_id = ?2 AND township = ?3",
        p![case_id, who.device_id, who.township],
    )?
    else {
        return Err(PushError::reject(
            RejectCode::UnknownCase,
            "服务器上没有此临时编号所属的案件",
        ));
    };
    let version: i64 = version.get(0)?;
    let next: i64 = tx
        .query_opt(
            "SELECT next_no FROM lease_counter WHERE township = ?1 AND series = ?2 AND year = ?3 FOR UPDATE",
            p![t, s, y],
        )?
        .map(|r| r.get(0))
        .transpose()?
        .unwrap_or(1);
    let final_number = template.format(&pi.short_name, t, year, next);
    if decision
        && tx.exists(
            "SELECT 1 FROM cases WHERE document_number = ?1",
            p![final_number],
        )?
    {
        return Err(PushError::reject(
            RejectCode::NumberReused,
            format!("正式文号 {final_number} 已被另一案件使用"),
        ));
    }
    tx.exec(
        "INSERT INTO lease_counter (township, series, year, next_no) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (township, series, year) DO UPDATE SET next_no = excluded.next_no",
        p![t, s, y, next + 1],
    )?;
    tx.exec(
        "INSERT INTO provisional_number (device_id, provisional, township, series, year, device_seq, case_id,
                                         final_seq, final_number, assigned_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        p![who.device_id, provisional, t, s, y, dseq, case_id, next, final_number, ts(now)],
    )?;
    tx.exec(
        "INSERT INTO number_use (township, series, year, seq, formatted, status, case_id, device_id)
         VALUES (?1, ?2, ?3, ?4, ?5, 'used', ?6, ?7)",
        p![t, s, y, next, final_number, case_id, who.device_id],
    )?;
    let server_version = version + 1;
    if decision {
        tx.exec(
            "UPDATE cases SET document_number = ?2, server_version = ?3 WHERE case_id = ?1",
            p![case_id, final_number, server_version],
        )?;
    } else {
        tx.exec(
            "UPDATE cases SET server_version = ?2 WHERE case_id = ?1",
            p![case_id, server_version],
        )?;
    }
    audits.push((who.actor(), "case.write", case_id.to_owned()));
    let payload = serde_json::json!({
        "provisional": provisional, "township": t, "series": s, "year": y,
        "final_seq": next, "document_number": final_number,
    });
    tx.commit_ordered("inbox")?;
    tx.exec(
        "INSERT INTO inbox (event_id, officer_id, case_id, kind, payload, server_version, at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        p![
            format!("number:{}:{provisional}", who.device_id),
            who.officer_id,
            case_id,
            NUMBER_ASSIGNED,
            payload.to_string(),
            server_version,
            ts(now)
        ],
    )?;
    Ok(())
}
