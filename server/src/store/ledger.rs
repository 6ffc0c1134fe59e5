//! The device ledger and what it reads back: a push batch applied in one
//! transaction (`crate::push`), the inbox a device pages through, the case
//! summaries of a scope, and the clone alarms and audit counts operators
//! and tests read.

use chrono::{DateTime, Utc};
use zhifa_protocol::ErrorKind;
use zhifa_protocol::wire::{CaseSummary, InboxEvent, InboxPage, PushRequest, PushResponse};

use super::sql::p;
use super::{Db, Principal, Scope, audit, epoch_of};
use crate::error::ApiError;

impl Db {
    /// The cases of `scope`; with `owner`, the missing evidence hashes are
    /// listed for that device's own cases only (finding 4).
    fn cases_of(
        &self,
        scope: &Scope,
        owner: Option<&str>,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<CaseSummary>, ApiError> {
        let (filter, arg) = match scope {
            Scope::Township(t) => ("WHERE c.township = ?1", t.as_str()),
            Scope::District(d) => ("WHERE c.district = ?1", d.as_str()),
            Scope::All => ("WHERE ?1 = ''", ""),
        };
        // One row per (case, missing original); NULL when none is missing.
        let sql = format!(
            "SELECT c.case_id, c.township, c.document_number, c.status, c.payment_confirmed, m.sha256,
                    pn.provisional, c.device_id
             FROM cases c
             LEFT JOIN provisional_number pn ON pn.case_id = c.case_id AND pn.series = 'decision_on_the_spot'
             LEFT JOIN (
               SELECT ce.case_id, ce.sha256 FROM case_evidence ce
                WHERE NOT EXISTS (SELECT 1 FROM blob b WHERE b.sha256 = ce.sha256)
             ) m ON m.case_id = c.case_id
             {filter} ORDER BY c.created_at, c.case_id, m.sha256"
        );
        self.write(|tx| {
            let mut out: Vec<CaseSummary> = Vec::new();
            for r in tx.query(&sql, p![arg])? {
                let case_id: String = r.get(0)?;
                let missing: Option<String> = r.get(5)?;
                if out.last().is_none_or(|c| c.case_id != case_id) {
                    out.push(CaseSummary {
                        case_id,
                        township: r.get(1)?,
                        document_number: r.get(2)?,
                        status: r.get(3)?,
                        payment_confirmed: r.get::<i64>(4)? == 1,
                        evidence_complete: true,
                        evidence_missing: Vec::new(),
                        provisional_number: r.get(6)?,
                    });
                }
                if let (Some(sha), Some(c)) = (missing, out.last_mut()) {
                    // A device hears the missing hashes of its own cases
                    // only (they are what it must upload); of a colleague's
                    // case just that something is missing.
                    let holder: String = r.get(7)?;
                    if owner.is_none_or(|d| d == holder) {
                        c.evidence_missing.push(sha);
                    }
                    c.evidence_complete = false;
                }
            }
            for c in &out {
                audit(tx, now, actor, "case.read", &c.case_id)?;
            }
            Ok(out)
        })
    }

    /// Applies a push batch exactly once (the caller verified the signature).
    pub fn push(
        &self,
        who: &Principal,
        req: &PushRequest,
        now: DateTime<Utc>,
    ) -> Result<PushResponse, ApiError> {
        for w in req.mutations.windows(2) {
            if w[1].seq != w[0].seq + 1 {
                return Err(ApiError::bad("批内 seq 必须连续递增"));
            }
        }
        let who = crate::push::Who {
            device_id: &who.device_id,
            officer_id: &who.officer_id,
            township: &who.township,
        };
        let keeper = self.keeper.clone();
        self.write(|tx| crate::push::push_tx(tx, &keeper, &who, req, now))
    }

    /// A page of the officer's inbox after `cursor`.
    pub fn inbox(&self, who: &Principal, cursor: i64, limit: i64) -> Result<InboxPage, ApiError> {
        let limit = limit.clamp(1, 1000);
        self.read(|c| {
            let epoch = epoch_of(c)?;
            let rows = c.query(
                "SELECT cursor, event_id, case_id, kind, payload, server_version FROM inbox
                 WHERE officer_id = ?1 AND cursor > ?2 ORDER BY cursor LIMIT ?3",
                p![who.officer_id, cursor, limit + 1],
            )?;
            let mut events = Vec::with_capacity(rows.len());
            for r in rows {
                let payload: String = r.get(4)?;
                events.push(InboxEvent {
                    cursor: r.get(0)?,
                    event_id: r.get(1)?,
                    case_id: r.get(2)?,
                    kind: r.get(3)?,
                    payload: serde_json::from_str(&payload)
                        .map_err(|_| ApiError::new(ErrorKind::Internal, "收件箱载荷损坏"))?,
                    server_version: r.get(5)?,
                });
            }
            let has_more = events.len() as i64 > limit;
            events.truncate(usize::try_from(limit).unwrap_or(1000));
            let next_cursor = events.last().map_or(cursor, |e| e.cursor);
            Ok(InboxPage {
                events,
                next_cursor,
                has_more,
                server_epoch: epoch,
            })
        })
    }
    /// The cases in scope; logged as a case read by `actor`.
    pub fn cases(
        &self,
        scope: &Scope,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<CaseSummary>, ApiError> {
        self.cases_of(scope, None, actor, now)
    }

    /// `GET /v1/cases` for a device: its scope's cases, the missing
    /// evidence hashes of its own cases only.
    pub fn device_cases(
        &self,
        who: &Principal,
        now: DateTime<Utc>,
    ) -> Result<Vec<CaseSummary>, ApiError> {
        self.cases_of(&who.scope(), Some(&who.device_id), &who.actor(), now)
    }
    /// Clone alarms raised (device id, seq).
    pub fn clone_alarms(&self) -> Result<Vec<(String, i64)>, ApiError> {
        self.read(|c| {
            c.query("SELECT device_id, seq FROM clone_alarm ORDER BY id", p![])?
                .iter()
                .map(|r| Ok((r.get(0)?, r.get(1)?)))
                .collect()
        })
    }

    /// Number of audit rows for an action (tests and operators).
    pub fn audit_count(&self, action: &str) -> Result<i64, ApiError> {
        self.read(|c| {
            Ok(
                c.query_one("SELECT count(*) FROM audit WHERE action = ?1", p![action])?
                    .get(0)?,
            )
        })
    }
}
