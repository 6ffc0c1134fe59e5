//! Number leases: blocks of document and payment-code numbers a device may
//! use offline, granted per (township, series, year) from one counter,
//! idempotent per request id, within a quota. Refusals are [`LeaseError`]s.

use chrono::{DateTime, Datelike, Duration, Utc};
use zhifa_protocol::wire::{LeaseGrant, LeaseRequest};

use super::sql::{Conn, DbError, Row, p};
use super::{Db, Principal, ts};

/// The number series a device may lease: the on-the-spot decision and the
/// order to correct (document numbers, 行政处罚法 Art. 52 "编有号码"), and the
/// payment codes printed beside them.
const LEASE_SERIES: [&str; 3] = [
    zhifa_core::case::config::SERIES_DECISION,
    zhifa_core::case::config::SERIES_ORDER,
    zhifa_core::case::numbers::PAYMENT_CODE_SERIES,
];

/// Why a lease was not granted.
#[derive(Debug, thiserror::Error)]
pub enum LeaseError {
    /// A lease for another township than the officer's.
    #[error("lease for another township")]
    OtherTownship,
    /// A count or year out of range.
    #[error("count or year out of range")]
    OutOfRange,
    /// A series nobody numbers.
    #[error("unknown series {0}")]
    UnknownSeries(String),
    /// A year the server's clock does not allow.
    #[error("year {year} outside {first}–{last}")]
    Year {
        /// The year asked for.
        year: i32,
        /// The first year allowed.
        first: i32,
        /// The last year allowed.
        last: i32,
    },
    /// Too many numbers outstanding on the device.
    #[error("{outstanding} {series} numbers outstanding, {count} more exceed {max}")]
    Outstanding {
        /// The series.
        series: String,
        /// Leased and not yet used.
        outstanding: i64,
        /// Asked for.
        count: i64,
        /// The quota.
        max: i64,
    },
    /// Too many numbers granted in the last 24 hours.
    #[error("{granted} {series} numbers granted today, {count} more exceed {max}")]
    Daily {
        /// The series.
        series: String,
        /// Granted in the last 24 hours.
        granted: i64,
        /// Asked for.
        count: i64,
        /// The quota.
        max: i64,
    },
    /// A database fault.
    #[error(transparent)]
    Db(#[from] DbError),
}

super::area_error!(LeaseError);

/// Refuses (`lease_refused`) a lease of a series nobody numbers or of a
/// year the server's own clock does not allow. A document number carries
/// the year of its decision, so a lease is only worth granting for a year a
/// device can decide in: the current Beijing (UTC+8) year, the next one from
/// 31 days before New Year (a device on patrol over New Year holds numbers
/// for 1 January) and the previous one for 2 days after it (a device clock
/// a little behind). Anything else is a corrupted request or a device clock
/// far off; granting it would leave the device holding numbers it can never
/// print while it believes its leases are full.
fn check_lease_request(req: &LeaseRequest, now: DateTime<Utc>) -> Result<(), LeaseError> {
    if !LEASE_SERIES.contains(&req.series.as_str()) {
        return Err(LeaseError::UnknownSeries(req.series.clone()));
    }
    let beijing_year = |t: DateTime<Utc>| (t + Duration::hours(8)).year();
    let first = beijing_year(now - Duration::days(2));
    let last = beijing_year(now + Duration::days(31));
    if !(first..=last).contains(&req.year) {
        return Err(LeaseError::Year {
            year: req.year,
            first,
            last,
        });
    }
    Ok(())
}

/// The lease quota of one device for one (township, series, year):
/// numbers leased and not reported used or voided, and numbers granted in
/// the last 24 hours, each with this request's count added, within
/// `quota`. Read in the grant's own transaction, so two concurrent
/// requests cannot both pass on the same room.
fn check_lease_quota(
    tx: &mut dyn Conn,
    who: &Principal,
    req: &LeaseRequest,
    quota: crate::edges::LeaseQuota,
    now: DateTime<Utc>,
) -> Result<(), LeaseError> {
    let r = tx.query_one(
        "SELECT CAST(COALESCE(SUM(end_no - start_no + 1), 0) AS BIGINT),
                CAST(COALESCE(SUM(CASE WHEN granted_at >= ?5 THEN end_no - start_no + 1 ELSE 0 END), 0) AS BIGINT)
         FROM lease WHERE device_id = ?1 AND township = ?2 AND series = ?3 AND year = ?4",
        p![who.device_id, req.township, req.series, req.year, ts(now - Duration::days(1))],
    )?;
    let (granted, granted_today): (i64, i64) = (r.get(0)?, r.get(1)?);
    let used: i64 = tx
        .query_one(
            "SELECT count(*) FROM number_use WHERE device_id = ?1 AND township = ?2 AND series = ?3 AND year = ?4",
            p![who.device_id, req.township, req.series, req.year],
        )?
        .get(0)?;
    let outstanding = (granted - used).max(0);
    if outstanding.saturating_add(req.count) > quota.max_outstanding {
        return Err(LeaseError::Outstanding {
            series: req.series.clone(),
            outstanding,
            count: req.count,
            max: quota.max_outstanding,
        });
    }
    if granted_today.saturating_add(req.count) > quota.max_per_day {
        return Err(LeaseError::Daily {
            series: req.series.clone(),
            granted: granted_today,
            count: req.count,
            max: quota.max_per_day,
        });
    }
    Ok(())
}

fn lease_grant(r: &Row) -> Result<LeaseGrant, DbError> {
    Ok(LeaseGrant {
        lease_id: r.get(0)?,
        township: r.get(1)?,
        series: r.get(2)?,
        year: r.get(3)?,
        start: r.get(4)?,
        end: r.get(5)?,
    })
}

impl Db {
    /// Grants (or returns the earlier grant of) a number lease, within the
    /// default [`crate::edges::LeaseQuota`].
    pub fn grant_lease(
        &self,
        who: &Principal,
        req: &LeaseRequest,
        now: DateTime<Utc>,
    ) -> Result<LeaseGrant, LeaseError> {
        self.grant_lease_within(who, req, crate::edges::LeaseQuota::default(), now)
    }

    /// Grants `who` a block of numbers within `quota`; the same grant again
    /// for a repeated request id.
    pub fn grant_lease_within(
        &self,
        who: &Principal,
        req: &LeaseRequest,
        quota: crate::edges::LeaseQuota,
        now: DateTime<Utc>,
    ) -> Result<LeaseGrant, LeaseError> {
        if req.township != who.township {
            return Err(LeaseError::OtherTownship);
        }
        if !(1..=zhifa_protocol::wire::MAX_LEASE_COUNT).contains(&req.count)
            || !(2000..=9999).contains(&req.year)
        {
            return Err(LeaseError::OutOfRange);
        }
        check_lease_request(req, now)?;
        self.write_as(|tx| {
            if let Some(g) = tx.query_opt(
                "SELECT id, township, series, year, start_no, end_no FROM lease WHERE device_id = ?1 AND request_id = ?2",
                p![who.device_id, req.request_id],
            )? {
                return Ok(lease_grant(&g)?);
            }
            check_lease_quota(tx, who, req, quota, now)?;
            let next: i64 = tx
                .query_opt(
                    "SELECT next_no FROM lease_counter WHERE township = ?1 AND series = ?2 AND year = ?3 FOR UPDATE",
                    p![req.township, req.series, req.year],
                )?
                .map(|r| r.get(0))
                .transpose()?
                .unwrap_or(1);
            let end = next + req.count - 1;
            tx.exec(
                "INSERT INTO lease_counter (township, series, year, next_no) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (township, series, year) DO UPDATE SET next_no = excluded.next_no",
                p![req.township, req.series, req.year, end + 1],
            )?;
            let id = uuid::Uuid::now_v7().to_string();
            tx.exec(
                "INSERT INTO lease (id, device_id, request_id, township, series, year, start_no, end_no, granted_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                p![id, who.device_id, req.request_id, req.township, req.series, req.year, next, end, ts(now)],
            )?;
            Ok(LeaseGrant {
                lease_id: id,
                township: req.township.clone(),
                series: req.series.clone(),
                year: req.year,
                start: next,
                end,
            })
        })
    }
}
