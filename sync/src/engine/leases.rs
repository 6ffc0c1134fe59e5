//! Number leases: topped up under a low-water mark with idempotent request
//! ids, applied through the core lease grant.

use super::*;

impl<'a, T: Transport, C: Clock> Engine<'a, T, C> {
    /// Tops up number leases of the officer's township for this year.
    ///
    /// A grant the core cannot apply (it overlaps a range the device
    /// already holds, `NUMBER_LEASE_OVERLAP`) is kept as a conflict for the
    /// officer ([`conflicts`]) and never aborts the session: the next
    /// request id asks for a fresh range once, and the other streams go on.
    pub(super) async fn top_up_leases(&mut self, report: &mut SyncReport) -> Result<(), SyncError> {
        let e = self.enrolment()?;
        let year = zhifa_core::case::beijing(self.clock.now())?.year();
        let device_id = self.device.id().to_string();
        for series in [SERIES_DECISION, SERIES_ORDER, PAYMENT_CODE_SERIES] {
            // At most one fresh request after a refused grant per session.
            for _ in 0..2 {
                let leases = zhifa_core::case::numbers::leases(self.store)?;
                let remaining: i64 = leases
                    .iter()
                    .filter(|l| {
                        l.township == e.township
                            && l.series == series
                            && l.year == year
                            && l.source == "server"
                    })
                    .map(|l| (l.end - l.next + 1).max(0))
                    .sum();
                if remaining >= self.cfg.lease_low_water {
                    break;
                }
                let granted: i64 = self.store.conn().query_row(
                    "SELECT count(*) FROM server_lease WHERE township = ?1 AND series = ?2 AND year = ?3",
                    params![e.township, series, year],
                    |r| r.get(0),
                )?;
                let req = LeaseRequest {
                    request_id: format!(
                        "{device_id}:{}:{series}:{year}:{}",
                        e.township,
                        granted + 1
                    ),
                    township: e.township.clone(),
                    series: series.to_owned(),
                    year,
                    count: self.cfg.lease_size,
                };
                let resp = self
                    .call(json_req(Method::Post, "/v1/leases", &req)?)
                    .await?;
                if resp.status != 200 {
                    let err = server_error(&resp);
                    if let SyncError::Server { code, message, .. } = &err
                        && (code == ErrorKind::LeaseRefused.code()
                            || code == ErrorKind::LeaseQuota.code())
                    {
                        // The year by this device's clock (or the series) is
                        // one the server will not number: asking again this
                        // session cannot help, the other streams go on, and
                        // the officer sees NUMBERS_EXHAUSTED at the issue
                        // step until the clock is right. `lease_quota`: the
                        // device holds as many unused numbers as the server
                        // allows; it asks again after using them.
                        tracing::warn!(code = %code, series, year, %message, "lease request refused by the server");
                        break;
                    }
                    return Err(err);
                }
                let g: LeaseGrant = parse(&resp)?;
                // The grant must answer this request: a damaged answer (or a
                // server bug) must never become a lease of another series,
                // year or township, which the device would count as full
                // while it can print none of it. Its size may differ from
                // this request's count: the server answers a request id
                // with the grant it made for the first copy it received,
                // which may have asked for another count (any of 1–10,000 is
                // a lease the server recorded for this device).
                if g.township != req.township
                    || g.series != req.series
                    || g.year != req.year
                    || g.start < 1
                    || g.end < g.start
                    || g.end - g.start >= crate::wire::MAX_LEASE_COUNT
                {
                    return Err(SyncError::Protocol(format!(
                        "号段应答与申请不符：申请 {} {} {} 年，应答 {} {} {} 年 {}–{}",
                        req.township,
                        req.series,
                        req.year,
                        g.township,
                        g.series,
                        g.year,
                        g.start,
                        g.end
                    )));
                }
                let now = self.clock.now();
                // Applied before a crash lost the server_lease row: only a
                // lease the server granted counts, never a local one with
                // the same bounds.
                let already = leases.iter().any(|l| {
                    l.township == g.township
                        && l.series == g.series
                        && l.year == g.year
                        && l.start == g.start
                        && l.end == g.end
                        && l.source == "server"
                });
                let applied = if already {
                    Ok(())
                } else {
                    zhifa_core::case::grant_lease(
                        self.store,
                        &g.township,
                        &g.series,
                        g.year,
                        g.start,
                        g.end,
                        "server",
                        now,
                    )
                    .map(|_| ())
                };
                match applied {
                    Ok(()) => {
                        self.record_server_lease(&g, None)?;
                        report.leases_granted += 1;
                        self.emit("leases", report.leases_granted, 0, None);
                        break;
                    }
                    Err(zhifa_core::case::CaseError::Numbers(ne)) => {
                        tracing::warn!(
                            code = ne.code(),
                            series = %g.series,
                            start = g.start,
                            end = g.end,
                            "lease grant refused by the device; kept as a conflict"
                        );
                        self.record_server_lease(&g, Some((ne.code(), ne.to_string())))?;
                        report.rejected += 1;
                    }
                    Err(other) => return Err(other.into()),
                }
            }
        }
        Ok(())
    }

    /// Records a server grant (so its request id is never reused) and, when
    /// the device refused it, the conflict for the officer, in one transaction.
    pub(super) fn record_server_lease(
        &mut self,
        g: &LeaseGrant,
        refused: Option<(&str, String)>,
    ) -> Result<(), SyncError> {
        let now = ts(self.clock.now());
        let tx = self
            .store
            .conn_mut()
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT OR IGNORE INTO server_lease (lease_id, township, series, year, start_no, end_no, applied_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![g.lease_id, g.township, g.series, g.year, g.start, g.end, now],
        )?;
        if let Some((code, message)) = refused {
            tx.execute(
                "INSERT OR IGNORE INTO sync_lease_conflict
                     (lease_id, township, series, year, start_no, end_no, code, message, at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    g.lease_id, g.township, g.series, g.year, g.start, g.end, code, message, now
                ],
            )?;
        }
        tx.commit()?;
        Ok(())
    }
}
