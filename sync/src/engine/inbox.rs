//! Inbox: each page and its cursor in one transaction; the cursor never
//! moves back (I8) except on a server epoch change.

use super::*;

impl<'a, T: Transport, C: Clock> Engine<'a, T, C> {
    pub(super) fn cursor(&self, stream: &str) -> Result<Option<String>, SyncError> {
        Ok(self
            .store
            .conn()
            .query_row(
                "SELECT cursor FROM sync_cursor WHERE stream = ?1",
                [stream],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Pulls the inbox, each page with its cursor in one transaction.
    pub(super) async fn pull_inbox(&mut self, report: &mut SyncReport) -> Result<(), SyncError> {
        loop {
            let cursor: i64 = self
                .cursor("inbox")?
                .and_then(|c| c.parse().ok())
                .unwrap_or(0);
            let resp = self
                .call(HttpRequest {
                    method: Method::Get,
                    path: format!("/v1/sync/inbox?cursor={cursor}&limit=200"),
                    headers: vec![],
                    body: vec![],
                })
                .await?;
            if resp.status != 200 {
                return Err(server_error(&resp));
            }
            let page: InboxPage = parse(&resp)?;
            if page.next_cursor < cursor || page.events.iter().any(|e| e.cursor <= cursor) {
                return Err(SyncError::Protocol("收件箱游标倒退".into()));
            }
            let now = ts(self.clock.now());
            let tx = self
                .store
                .conn_mut()
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            let mut applied = 0;
            for e in &page.events {
                let fresh = tx.execute(
                    "INSERT OR IGNORE INTO inbox_event (event_id, cursor, case_id, kind, payload, applied_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    params![e.event_id, e.cursor, e.case_id, e.kind, e.payload.to_string(), now],
                )? == 1;
                if !fresh {
                    continue;
                }
                applied += 1;
                let p = &e.payload;
                // Tasks from the command centre (派发任务): the event's id
                // is the task's; they touch no case state.
                if e.kind == "task.assigned" {
                    let task: zhifa_core::inspection::task::AssignedTask =
                        serde_json::from_value(p.clone())
                            .map_err(|err| SyncError::Protocol(format!("任务载荷无效: {err}")))?;
                    zhifa_core::inspection::task::receive_assigned(&tx, &task)
                        .map_err(|err| SyncError::Protocol(format!("任务无法保存: {err}")))?;
                    continue;
                }
                let s = |k: &str| p.get(k).and_then(|v| v.as_str()).map(str::to_owned);
                tx.execute(
                    "INSERT INTO case_server_state (case_id, server_version, updated_at) VALUES (?1, 0, ?2)
                     ON CONFLICT (case_id) DO NOTHING",
                    params![e.case_id, now],
                )?;
                match e.kind.as_str() {
                    "payment.confirmed" => {
                        tx.execute(
                            "UPDATE case_server_state SET payment_status = 'confirmed', paid_amount_fen = ?2,
                                 paid_at = ?3, payment_reference = ?4 WHERE case_id = ?1",
                            params![e.case_id, p.get("amount_fen").and_then(|v| v.as_i64()), s("paid_at"), s("reference")],
                        )?;
                    }
                    "review.completed" => {
                        tx.execute(
                            "UPDATE case_server_state SET review_result = ?2 WHERE case_id = ?1",
                            params![e.case_id, s("result")],
                        )?;
                    }
                    "case.reassigned" => {
                        tx.execute(
                            "UPDATE case_server_state SET assigned_officer = ?2 WHERE case_id = ?1",
                            params![e.case_id, s("officer_id")],
                        )?;
                    }
                    // The final number of a provisional one (stream E):
                    // kept beside the provisional number (the mapping) and
                    // as the case's server-owned document number.
                    "number.assigned" => {
                        let a: crate::wire::NumberAssigned = serde_json::from_value(p.clone())
                            .map_err(|err| {
                                SyncError::Protocol(format!("正式文号载荷无效: {err}"))
                            })?;
                        zhifa_core::case::numbers::record_final(
                            &tx,
                            &a.provisional,
                            &a.document_number,
                            a.final_seq,
                            self.clock.now(),
                        )
                        .map_err(|err| SyncError::Protocol(format!("正式文号无法保存: {err}")))?;
                        if a.series == zhifa_core::case::config::SERIES_DECISION {
                            tx.execute(
                                "UPDATE case_server_state SET document_number = ?2 WHERE case_id = ?1",
                                params![e.case_id, a.document_number],
                            )?;
                        }
                    }
                    // Unknown kinds are kept in inbox_event for a newer app.
                    _ => {}
                }
                tx.execute(
                    "UPDATE case_server_state SET server_version = max(server_version, ?2), updated_at = ?3
                     WHERE case_id = ?1",
                    params![e.case_id, e.server_version, now],
                )?;
            }
            tx.execute(
                "INSERT INTO sync_cursor (stream, cursor, updated_at) VALUES ('inbox', ?1, ?2)
                 ON CONFLICT (stream) DO UPDATE SET cursor = ?1, updated_at = ?2",
                params![page.next_cursor.to_string(), now],
            )?;
            tx.commit()?;
            report.pulled_inbox += applied;
            self.emit("inbox", report.pulled_inbox, resp.body.len() as u64, None);
            if !page.has_more {
                return Ok(());
            }
        }
    }
}
