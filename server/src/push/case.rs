//! `case/create` and `case/advance`: the server's row of each case (status,
//! version, owner) and the evidence a step attaches.
//!
//! Ownership is (device, township) at write time: a device re-enrolled for
//! another township's officer keeps no write right on the cases of its
//! former township (finding 8; docs/AUTHZ.md).
//!
//! A push keeps the case rows its batch has written ([`Rows`]): a plain
//! step that continues one of them (same device, same township, the next
//! version — all three established by that write, and the row locked by
//! it until commit) is applied in memory and the row written once, by
//! [`Rows::flush`], before the next savepoint and at the end of the batch.
//! A device's ten steps of a case in one batch cost one or two `UPDATE`s
//! instead of ten round trips.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use zhifa_protocol::error::RejectCode;
use zhifa_protocol::mutation::{CaseAdvance, CaseCreate};

use super::{Applied, AuditRow, PushError, Who, district_of, ts};
use crate::store::sql::{Conn, DbError, p};

/// A case row as this batch left it.
#[derive(Debug)]
struct Row {
    version: i64,
    status: &'static str,
    /// Changed in memory since it was last written.
    dirty: bool,
}

/// The case rows a push batch has written, by case id.
#[derive(Debug, Default)]
pub struct Rows(HashMap<String, Row>);

impl Rows {
    /// Writes every row changed in memory.
    pub fn flush(&mut self, tx: &mut dyn Conn, now: DateTime<Utc>) -> Result<(), DbError> {
        for (id, r) in self.0.iter_mut().filter(|(_, r)| r.dirty) {
            tx.exec(
                "UPDATE cases SET status = ?2, version = ?3, updated_at = ?4 WHERE case_id = ?1",
                p![id, r.status, r.version, ts(now)],
            )?;
            r.dirty = false;
        }
        Ok(())
    }

    fn written(&mut self, case_id: &str, version: i64, status: &'static str) {
        self.0.insert(
            case_id.to_owned(),
            Row {
                version,
                status,
                dirty: false,
            },
        );
    }
}

/// `case/create`: the case row, in the officer's own township.
pub fn create(
    tx: &mut dyn Conn,
    who: &Who<'_>,
    case_id: &str,
    c: &CaseCreate,
    now: DateTime<Utc>,
    audits: &mut Vec<AuditRow>,
    rows: &mut Rows,
) -> Applied {
    let township = c.event.township.as_str();
    if township != who.township {
        return Err(PushError::reject(
            RejectCode::Jurisdiction,
            format!("案件属地 {township} 不在本执法人员的辖区"),
        ));
    }
    let status = c.to.map_or("draft", |s| s.as_str());
    // One round trip: the insert is the existence check.
    let inserted = tx.exec(
        "INSERT INTO cases (case_id, device_id, officer_id, township, district, matter_code, release_id,
                            status, version, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 1, ?9, ?9)
         ON CONFLICT (case_id) DO NOTHING",
        p![case_id, who.device_id, who.officer_id, township, district_of(township),
           c.event.matter_code, c.event.release_id, status, ts(now)],
    )?;
    if inserted == 0 {
        return Err(PushError::reject(RejectCode::CaseExists, "案件编号已存在"));
    }
    // Evidence announced with this case id before the case arrived.
    tx.exec(
        "INSERT INTO case_evidence (case_id, sha256)
         SELECT case_id, sha256 FROM evidence WHERE case_id = ?1 AND device_id = ?2
         ON CONFLICT DO NOTHING",
        p![case_id, who.device_id],
    )?;
    rows.written(case_id, 1, status);
    audits.push((who.actor(), "case.write", case_id.to_owned()));
    Ok(())
}

/// `case/advance`: one step of the device's own case, at the next version.
pub fn advance(
    tx: &mut dyn Conn,
    who: &Who<'_>,
    case_id: &str,
    a: &CaseAdvance,
    now: DateTime<Utc>,
    audits: &mut Vec<AuditRow>,
    rows: &mut Rows,
) -> Applied {
    let to = a.to.as_str();
    // A plain step continuing a row this batch wrote: in memory.
    if !a.is_attach()
        && let Some(r) = rows.0.get_mut(case_id)
        && r.version == a.version - 1
    {
        r.version = a.version;
        r.status = to;
        r.dirty = true;
        audits.push((who.actor(), "case.write", case_id.to_owned()));
        return Ok(());
    }
    // Otherwise the database is asked, so it must hold what this batch
    // applied (a no-op after a savepoint: rows are flushed before one).
    rows.flush(tx, now)?;
    // The common step in one statement: the update matches only the
    // device's own case, in the township the device now serves, at the
    // preceding version. When it matches nothing, the checks below say why
    // (and write nothing, so a plain step needs no savepoint).
    if !a.is_attach()
        && tx.exec(
            "UPDATE cases SET status = ?2, version = ?3, updated_at = ?4
             WHERE case_id = ?1 AND device_id = ?5 AND version = ?6 AND township = ?7",
            p![
                case_id,
                to,
                a.version,
                ts(now),
                who.device_id,
                a.version - 1,
                who.township
            ],
        )? == 1
    {
        rows.written(case_id, a.version, to);
        audits.push((who.actor(), "case.write", case_id.to_owned()));
        return Ok(());
    }
    let row = tx.query_opt(
        "SELECT device_id, version, township FROM cases WHERE case_id = ?1",
        p![case_id],
    )?;
    let Some(row) = row else {
        return Err(PushError::reject(
            RejectCode::UnknownCase,
            "服务器上没有此案件",
        ));
    };
    let (owner, version, township): (String, i64, String) = (row.get(0)?, row.get(1)?, row.get(2)?);
    if owner != who.device_id {
        return Err(PushError::reject(
            RejectCode::NotOwner,
            "案件属于另一台设备",
        ));
    }
    if township != who.township {
        return Err(PushError::reject(
            RejectCode::Jurisdiction,
            format!("案件属地 {township} 不在本设备现执法人员的辖区（设备已重新激活）"),
        ));
    }
    if a.version != version + 1 {
        return Err(PushError::reject(
            RejectCode::VersionConflict,
            format!("案件版本 {} 不接续服务器上的 {version}", a.version),
        ));
    }
    if a.is_attach() {
        for id in a.event.evidence_ids.iter().flatten() {
            let sha = tx.query_opt(
                "SELECT sha256 FROM evidence WHERE evidence_id = ?1 AND device_id = ?2",
                p![id, who.device_id],
            )?;
            let Some(sha) = sha else {
                return Err(PushError::reject(
                    RejectCode::UnknownEvidence,
                    format!("证据 {id} 未登记"),
                ));
            };
            let sha: String = sha.get(0)?;
            tx.exec(
                "INSERT INTO case_evidence (case_id, sha256) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
                p![case_id, sha],
            )?;
        }
    }
    tx.exec(
        "UPDATE cases SET status = ?2, version = ?3, updated_at = ?4 WHERE case_id = ?1",
        p![case_id, to, a.version, ts(now)],
    )?;
    rows.written(case_id, a.version, to);
    audits.push((who.actor(), "case.write", case_id.to_owned()));
    Ok(())
}
