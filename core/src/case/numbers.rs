//! Offline document numbers (文书编号) and payment-code numbers.
//!
//! 行政处罚法 Art. 52 requires the on-the-spot decision to be on a
//! pre-printed, *numbered* form (“预定格式、编有号码”). An offline tablet can
//! only honour that with number ranges (号段) leased to it in advance: the
//! server grants non-overlapping ranges per township, series and year, and a
//! local admin command ([`grant_lease`]) stands in until it does.
//!
//! - A number is consumed *inside* the caller's transaction
//!   ([`consume`]): the next unused number of the lowest open lease. The
//!   `issued_number` row (primary key on township, series, year, seq and a
//!   UNIQUE on the formatted text) is written in that same transaction, so
//!   a number is never handed out twice, crash or not.
//! - A number is never reused; a spoiled one is voided with a reason
//!   ([`void_number`]) and stays on record for reconciliation (docs/law/documents.md).
//! - The printed form follows a per-township template
//!   ([`NumberTemplate`]), e.g. `{镇街代字}综执当罚〔{year}〕{seq}号`. The
//!   serial is not zero-padded (GB/T 9704-2012 §7.2.5 “不编虚位”, 🟡 and
//!   binding on 公文 only) unless the template says `{seq:05}`.
//! - With every lease of the decision series used up offline, a township
//!   whose published policy is `provisional`
//!   ([`NumberPolicy`](crate::catalogue::model::NumberPolicy)) prints a
//!   provisional number ([`ProvisionalNumber`], `T{township}-D{device}-{seq}`,
//!   sync.md §5 and §9.1) taken by [`issue_provisional`] from a
//!   device-local gapless counter in the same transaction; the server
//!   assigns the final number of the township's series at sync
//!   ([`record_final`] keeps the mapping). Art. 52's “编有号码” is met by a
//!   number unique by construction printed on the form; whether a township
//!   may rely on it is the legal decision the policy records.

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::CaseError;
use super::outbox::{self, OutboxEntry};
use crate::ErrorCode;
use crate::store::Store;

/// The series of numbers consumed for payment codes.
pub const PAYMENT_CODE_SERIES: &str = "payment_code";

/// Errors about number leases, consumption and formats.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NumberError {
    /// Every lease of the series is used up (or there is none).
    #[error("{township} 的 {series} {year} 年号段已用完或尚未分配，请先申领号段")]
    Exhausted {
        /// Township code.
        township: String,
        /// Series.
        series: String,
        /// Year.
        year: i32,
    },
    /// A new lease overlaps an existing one.
    #[error("号段 {start}–{end} 与已有号段 {existing_start}–{existing_end} 重叠")]
    Overlap {
        /// New start.
        start: i64,
        /// New end.
        end: i64,
        /// Existing start.
        existing_start: i64,
        /// Existing end.
        existing_end: i64,
    },
    /// The lease bounds are invalid.
    #[error("号段无效：{0}")]
    InvalidLease(String),
    /// The number is in no lease of this device.
    #[error("编号 {seq} 不在本设备的号段内")]
    NotLeased {
        /// The number.
        seq: i64,
    },
    /// The number was voided before.
    #[error("编号 {seq} 已作废")]
    AlreadyVoided {
        /// The number.
        seq: i64,
    },
    /// A void needs a reason.
    #[error("作废编号须填写原因")]
    VoidReasonRequired,
    /// A provisional number is malformed.
    #[error("临时编号“{0}”格式无效，应为 T{{镇街代码}}-D{{设备码}}-{{序号}}")]
    ProvisionalFormat(String),
    /// A provisional number needs the device identity.
    #[error("本设备尚无设备身份，不能生成临时编号")]
    NoDeviceIdentity,
    /// The server sent another final number for a provisional one.
    #[error("临时编号 {provisional} 已对应正式文号 {existing}，服务器又发来 {new}")]
    FinalMismatch {
        /// The provisional number.
        provisional: String,
        /// The final number recorded.
        existing: String,
        /// The one now sent.
        new: String,
    },
    /// A number template is malformed.
    #[error("文书编号格式“{template}”无效：{reason}")]
    Format {
        /// The template.
        template: String,
        /// Why.
        reason: String,
    },
}

impl ErrorCode for NumberError {
    fn code(&self) -> &'static str {
        match self {
            Self::Exhausted { .. } => "NUMBERS_EXHAUSTED",
            Self::Overlap { .. } => "NUMBER_LEASE_OVERLAP",
            Self::InvalidLease(_) => "NUMBER_LEASE_INVALID",
            Self::NotLeased { .. } => "NUMBER_NOT_LEASED",
            Self::AlreadyVoided { .. } => "NUMBER_ALREADY_VOIDED",
            Self::VoidReasonRequired => "NUMBER_VOID_REASON_REQUIRED",
            Self::Format { .. } => "NUMBER_FORMAT_INVALID",
            Self::ProvisionalFormat(_) => "NUMBER_PROVISIONAL_INVALID",
            Self::NoDeviceIdentity => "NUMBER_PROVISIONAL_NO_DEVICE",
            Self::FinalMismatch { .. } => "NUMBER_FINAL_MISMATCH",
        }
    }
}

/// One piece of a parsed template.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Text(String),
    Short,
    Township,
    Year,
    Seq { width: usize },
}

/// A parsed number template. Placeholders: `{镇街代字}` (the township's
/// short name from the catalogue), `{township}` (its code), `{year}`,
/// `{seq}` and `{seq:0N}` (zero-padded to N digits). `{seq}` is required.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberTemplate {
    source: String,
    pieces: Vec<Piece>,
}

impl NumberTemplate {
    /// Parses and checks a template.
    pub fn parse(template: &str) -> Result<Self, NumberError> {
        let err = |reason: &str| NumberError::Format {
            template: template.to_owned(),
            reason: reason.to_owned(),
        };
        let mut pieces = Vec::new();
        let mut rest = template;
        let mut seqs = 0;
        while !rest.is_empty() {
            if let Some(open) = rest.find('{') {
                if rest[..open].contains('}') {
                    return Err(err("多余的“}”"));
                }
                if open > 0 {
                    pieces.push(Piece::Text(rest[..open].to_owned()));
                }
                let after = &rest[open + 1..];
                let close = after.find('}').ok_or_else(|| err("“{”未闭合"))?;
                let name = &after[..close];
                pieces.push(match name {
                    "镇街代字" => Piece::Short,
                    "township" => Piece::Township,
                    "year" => Piece::Year,
                    "seq" => {
                        seqs += 1;
                        Piece::Seq { width: 0 }
                    }
                    _ => {
                        let width = name
                            .strip_prefix("seq:0")
                            .and_then(|w| w.parse::<usize>().ok())
                            .filter(|w| (1..=18).contains(w))
                            .ok_or_else(|| err(&format!("未知占位符“{{{name}}}”")))?;
                        seqs += 1;
                        Piece::Seq { width }
                    }
                });
                rest = &after[close + 1..];
            } else {
                if rest.contains('}') {
                    return Err(err("多余的“}”"));
                }
                pieces.push(Piece::Text(rest.to_owned()));
                rest = "";
            }
        }
        if seqs != 1 {
            return Err(err("必须恰好包含一个 {seq} 占位符，编号才能唯一"));
        }
        Ok(Self {
            source: template.to_owned(),
            pieces,
        })
    }

    /// The template as written.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// Fills the template. A serial wider than `{seq:0N}` is printed in
    /// full (never truncated, so the number stays unique).
    pub fn format(&self, short_name: &str, township: &str, year: i32, seq: i64) -> String {
        let mut out = String::new();
        for p in &self.pieces {
            match p {
                Piece::Text(t) => out.push_str(t),
                Piece::Short => out.push_str(short_name),
                Piece::Township => out.push_str(township),
                Piece::Year => out.push_str(&year.to_string()),
                Piece::Seq { width } => out.push_str(&format!("{seq:0width$}")),
            }
        }
        out
    }
}

/// A leased range of numbers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lease {
    /// Lease id.
    pub id: Uuid,
    /// Township code.
    pub township: String,
    /// Series (document kind or `payment_code`).
    pub series: String,
    /// Year the numbers belong to.
    pub year: i32,
    /// First number, inclusive.
    pub start: i64,
    /// Last number, inclusive.
    pub end: i64,
    /// The next number never handed out (`end + 1` when exhausted).
    pub next: i64,
    /// Who granted it (`server`, `local_admin`, …).
    pub source: String,
}

/// A number taken from a lease.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consumed {
    /// The lease it came from.
    pub lease_id: Uuid,
    /// The serial.
    pub seq: i64,
    /// The year.
    pub year: i32,
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Grants a lease of `start..=end` for (township, series, year), in its own
/// transaction with one outbox record. Overlapping leases are refused.
#[allow(clippy::too_many_arguments)] // the lease is exactly these facts
pub fn grant_lease(
    store: &mut Store,
    township: &str,
    series: &str,
    year: i32,
    start: i64,
    end: i64,
    source: &str,
    now: DateTime<Utc>,
) -> Result<Lease, CaseError> {
    if start <= 0 || end < start {
        return Err(NumberError::InvalidLease(format!("起止号 {start}–{end} 无效")).into());
    }
    if !(2000..=9999).contains(&year) {
        return Err(NumberError::InvalidLease(format!("年份 {year} 无效")).into());
    }
    if series.trim().is_empty() || township.trim().is_empty() || source.trim().is_empty() {
        return Err(NumberError::InvalidLease("镇街、序列和来源不能为空".into()).into());
    }
    let tx = store
        .conn_mut()
        .transaction_with_behavior(TransactionBehavior::Immediate)?;
    let existing: Option<(i64, i64)> = tx
        .query_row(
            "SELECT start_no, end_no FROM number_lease
             WHERE township_code = ?1 AND series = ?2 AND year = ?3 AND start_no <= ?5 AND ?4 <= end_no
             ORDER BY start_no LIMIT 1",
            params![township, series, year, start, end],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    if let Some((existing_start, existing_end)) = existing {
        return Err(NumberError::Overlap {
            start,
            end,
            existing_start,
            existing_end,
        }
        .into());
    }
    let lease_id = super::uuid_v7(now);
    let lease = Lease {
        id: lease_id,
        township: township.to_owned(),
        series: series.to_owned(),
        year,
        start,
        end,
        next: start,
        source: source.to_owned(),
    };
    tx.execute(
        "INSERT INTO number_lease (id, township_code, series, year, start_no, end_no, next_no, source, granted_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?5, ?7, ?8)",
        params![lease_id.to_string(), township, series, year, start, end, source, rfc3339(now)],
    )?;
    outbox::append(
        &tx,
        &OutboxEntry {
            entity: "number_lease",
            entity_id: lease_id.to_string(),
            op: "grant",
            payload: serde_json::to_value(zhifa_protocol::mutation::LeaseGrant {
                schema: 1,
                id: Some(lease.id),
                township: lease.township.clone(),
                series: lease.series.clone(),
                year: i64::from(lease.year),
                start: lease.start,
                end: lease.end,
                next: Some(lease.next),
                source: Some(lease.source.clone()),
            })
            .map_err(|e| CaseError::Corrupt(e.to_string()))?,
        },
        now,
        super::uuid_v7(now),
    )?;
    tx.commit()?;
    Ok(lease)
}

/// Grants `township` a local lease of `size` numbers in each of `series`
/// for `year`, for every series whose leases of that year are used up (or
/// missing), starting after the highest number already leased. For sample
/// and demo devices that number their own documents (`source` local_admin).
pub fn top_up_local_leases(
    store: &mut Store,
    township: &str,
    series: &[&str],
    year: i32,
    size: i64,
    now: DateTime<Utc>,
) -> Result<(), CaseError> {
    let held = leases(store)?;
    for s in series {
        let mine: Vec<&Lease> = held
            .iter()
            .filter(|l| l.township == township && l.series == *s && l.year == year)
            .collect();
        if mine.iter().all(|l| l.next > l.end) {
            let start = mine.iter().map(|l| l.end + 1).max().unwrap_or(1);
            grant_lease(
                store,
                township,
                s,
                year,
                start,
                start + size - 1,
                "local_admin",
                now,
            )?;
        }
    }
    Ok(())
}

/// Closes the local (`local_admin`) leases when the device is enrolled with
/// a sync server, which from then on numbers documents only from the
/// leases it grants: a lease never used is removed (no number was ever
/// taken from it; its grant record stays in the outbox, where the server's
/// rejection shows as a conflict for the officer), a lease partly used is
/// cut back to the numbers already issued. Returns `(removed, shortened)`.
pub fn close_local_leases(store: &mut Store) -> Result<(usize, usize), CaseError> {
    let tx = store
        .conn_mut()
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let removed = tx.execute(
        "DELETE FROM number_lease WHERE source = 'local_admin' AND next_no = start_no",
        [],
    )?;
    let shortened = tx.execute(
        "UPDATE number_lease SET end_no = next_no - 1
         WHERE source = 'local_admin' AND next_no > start_no AND end_no >= next_no",
        [],
    )?;
    tx.commit()?;
    Ok((removed, shortened))
}

/// Every lease of the store, by township, series, year and start.
pub fn leases(store: &Store) -> Result<Vec<Lease>, CaseError> {
    let mut st = store.conn().prepare(
        "SELECT id, township_code, series, year, start_no, end_no, next_no, source FROM number_lease
         ORDER BY township_code, series, year, start_no",
    )?;
    let rows = st.query_map([], |r| {
        let id: String = r.get(0)?;
        Ok((
            id,
            Lease {
                id: Uuid::nil(),
                township: r.get(1)?,
                series: r.get(2)?,
                year: r.get(3)?,
                start: r.get(4)?,
                end: r.get(5)?,
                next: r.get(6)?,
                source: r.get(7)?,
            },
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, mut lease) = row?;
        lease.id =
            Uuid::parse_str(&id).map_err(|e| CaseError::Corrupt(format!("lease id: {e}")))?;
        out.push(lease);
    }
    Ok(out)
}

/// Takes the next unused number of the lowest open lease of (township,
/// series, year) and records it as used by `case_id` with its printed form
/// `format(seq)`. Runs on the caller's (IMMEDIATE) transaction; nothing is
/// committed here. Numbers voided ahead of use are skipped.
pub(crate) fn consume(
    conn: &Connection,
    township: &str,
    series: &str,
    year: i32,
    case_id: Option<Uuid>,
    now: DateTime<Utc>,
    format: &dyn Fn(i64) -> Result<String, CaseError>,
) -> Result<(Consumed, String), CaseError> {
    loop {
        let open: Option<(String, i64)> = conn
            .query_row(
                "SELECT id, next_no FROM number_lease
                 WHERE township_code = ?1 AND series = ?2 AND year = ?3 AND next_no <= end_no
                 ORDER BY start_no LIMIT 1",
                params![township, series, year],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let Some((lease_id, seq)) = open else {
            return Err(NumberError::Exhausted {
                township: township.to_owned(),
                series: series.to_owned(),
                year,
            }
            .into());
        };
        conn.execute(
            "UPDATE number_lease SET next_no = next_no + 1 WHERE id = ?1",
            [&lease_id],
        )?;
        let taken: bool = conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM issued_number
             WHERE township_code = ?1 AND series = ?2 AND year = ?3 AND seq = ?4)",
            params![township, series, year, seq],
            |r| r.get(0),
        )?;
        if taken {
            continue; // voided before it was reached
        }
        let formatted = format(seq)?;
        conn.execute(
            "INSERT INTO issued_number (township_code, series, year, seq, lease_id, formatted, status, case_id, issued_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'used', ?7, ?8)",
            params![
                township,
                series,
                year,
                seq,
                lease_id,
                formatted,
                case_id.map(|c| c.to_string()),
                rfc3339(now)
            ],
        )?;
        let lease_id =
            Uuid::parse_str(&lease_id).map_err(|e| CaseError::Corrupt(format!("lease id: {e}")))?;
        return Ok((
            Consumed {
                lease_id,
                seq,
                year,
            },
            formatted,
        ));
    }
}

/// Takes one number of `series` for a document outside the case steps
/// (e.g. an inspection record), formatted with the township's template for
/// that series, in its own transaction with one outbox record. The
/// township's short name is read from the catalogue release in force today.
pub fn issue_number(
    store: &mut Store,
    township: &str,
    series: &str,
    case_id: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<NumberRecord, CaseError> {
    let today = super::beijing(now)?.date();
    let year = chrono::Datelike::year(&today);
    let release = store.catalogue().release_in_force(today)?;
    let short = store
        .catalogue()
        .township(&release.id, township)?
        .map(|t| t.short_name)
        .ok_or_else(|| crate::catalogue::CatalogueError::UnknownTownship {
            code: township.to_owned(),
            release: release.id.clone(),
        })?;
    let tx = store
        .conn_mut()
        .transaction_with_behavior(TransactionBehavior::Immediate)?;
    let config = super::config::read_config(&tx, township)?
        .ok_or_else(|| CaseError::NoTownshipConfig(township.to_owned()))?;
    let template = config.template(series)?;
    let (consumed, _) = consume(&tx, township, series, year, case_id, now, &|seq| {
        Ok(template.format(&short, township, year, seq))
    })?;
    let record = number_record(&tx, township, series, year, consumed.seq)?
        .ok_or(NumberError::NotLeased { seq: consumed.seq })?;
    append_number_event(&tx, &record, "issue", now)?;
    tx.commit()?;
    Ok(record)
}

/// Appends the outbox record of a number's issue or void.
fn append_number_event(
    tx: &Connection,
    record: &NumberRecord,
    op: &'static str,
    now: DateTime<Utc>,
) -> Result<(), CaseError> {
    outbox::append(
        tx,
        &OutboxEntry {
            entity: "issued_number",
            entity_id: format!(
                "{}/{}/{}/{}",
                record.township, record.series, record.year, record.seq
            ),
            op,
            payload: serde_json::to_value(number_use(record)?)
                .map_err(|e| CaseError::Corrupt(e.to_string()))?,
        },
        now,
        super::uuid_v7(now),
    )?;
    Ok(())
}

/// The protocol's `issued_number` payload of a number's record.
fn number_use(r: &NumberRecord) -> Result<zhifa_protocol::mutation::NumberUse, CaseError> {
    use zhifa_protocol::mutation::NumberStatus;
    let status = match r.status.as_str() {
        "used" => NumberStatus::Used,
        "voided" => NumberStatus::Voided,
        other => return Err(CaseError::Corrupt(format!("number status {other}"))),
    };
    Ok(zhifa_protocol::mutation::NumberUse {
        schema: 1,
        township: r.township.clone(),
        series: r.series.clone(),
        year: i64::from(r.year),
        seq: r.seq,
        formatted: Some(r.formatted.clone()),
        status: Some(status),
        case_id: r.case_id.clone(),
        void_reason: r.void_reason.clone(),
    })
}

/// A number's record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NumberRecord {
    /// Township code.
    pub township: String,
    /// Series.
    pub series: String,
    /// Year.
    pub year: i32,
    /// Serial.
    pub seq: i64,
    /// Printed form (empty for a number voided before it was printed).
    pub formatted: String,
    /// `used` or `voided`.
    pub status: String,
    /// The case that used it.
    pub case_id: Option<String>,
    /// Why it was voided.
    pub void_reason: Option<String>,
}

/// Voids a number with a reason, in its own transaction with one outbox
/// record. A used number is marked voided (it stays on record and is never
/// reissued); an unused number of a lease is recorded as voided so that
/// [`consume`] skips it.
pub fn void_number(
    store: &mut Store,
    township: &str,
    series: &str,
    year: i32,
    seq: i64,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<NumberRecord, CaseError> {
    if reason.trim().is_empty() {
        return Err(NumberError::VoidReasonRequired.into());
    }
    let tx = store
        .conn_mut()
        .transaction_with_behavior(TransactionBehavior::Immediate)?;
    let status: Option<String> = tx
        .query_row(
            "SELECT status FROM issued_number WHERE township_code = ?1 AND series = ?2 AND year = ?3 AND seq = ?4",
            params![township, series, year, seq],
            |r| r.get(0),
        )
        .optional()?;
    match status.as_deref() {
        Some("voided") => return Err(NumberError::AlreadyVoided { seq }.into()),
        Some(_) => {
            tx.execute(
                "UPDATE issued_number SET status = 'voided', void_reason = ?5, voided_at = ?6
                 WHERE township_code = ?1 AND series = ?2 AND year = ?3 AND seq = ?4",
                params![township, series, year, seq, reason, rfc3339(now)],
            )?;
        }
        None => {
            let lease: Option<String> = tx
                .query_row(
                    "SELECT id FROM number_lease WHERE township_code = ?1 AND series = ?2 AND year = ?3
                     AND start_no <= ?4 AND ?4 <= end_no",
                    params![township, series, year, seq],
                    |r| r.get(0),
                )
                .optional()?;
            let lease = lease.ok_or(NumberError::NotLeased { seq })?;
            // The formatted text is unknown for a number never printed; a
            // unique placeholder keeps the UNIQUE (series, formatted) intact.
            tx.execute(
                "INSERT INTO issued_number (township_code, series, year, seq, lease_id, formatted, status, issued_at, void_reason, voided_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'voided', ?7, ?8, ?7)",
                params![
                    township,
                    series,
                    year,
                    seq,
                    lease,
                    format!("#void:{township}:{year}:{seq}"),
                    rfc3339(now),
                    reason
                ],
            )?;
        }
    }
    let record =
        number_record(&tx, township, series, year, seq)?.ok_or(NumberError::NotLeased { seq })?;
    append_number_event(&tx, &record, "void", now)?;
    tx.commit()?;
    Ok(record)
}

fn number_record(
    conn: &Connection,
    township: &str,
    series: &str,
    year: i32,
    seq: i64,
) -> Result<Option<NumberRecord>, CaseError> {
    Ok(conn
        .query_row(
            "SELECT township_code, series, year, seq, formatted, status, case_id, void_reason FROM issued_number
             WHERE township_code = ?1 AND series = ?2 AND year = ?3 AND seq = ?4",
            params![township, series, year, seq],
            number_row,
        )
        .optional()?)
}

fn number_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<NumberRecord> {
    let formatted: String = r.get(4)?;
    Ok(NumberRecord {
        township: r.get(0)?,
        series: r.get(1)?,
        year: r.get(2)?,
        seq: r.get(3)?,
        formatted: if formatted.starts_with("#void:") {
            String::new()
        } else {
            formatted
        },
        status: r.get(5)?,
        case_id: r.get(6)?,
        void_reason: r.get(7)?,
    })
}

/// Every number handed out or voided for (township, series), by year and serial.
pub fn numbers(
    store: &Store,
    township: &str,
    series: &str,
) -> Result<Vec<NumberRecord>, CaseError> {
    let mut st = store.conn().prepare(
        "SELECT township_code, series, year, seq, formatted, status, case_id, void_reason FROM issued_number
         WHERE township_code = ?1 AND series = ?2 ORDER BY year, seq",
    )?;
    let rows = st.query_map([township, series], number_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The outbox entity of a provisional number's issue.
pub const PROVISIONAL_ENTITY: &str = "provisional_number";

/// A provisional document number `T{township}-D{device}-{seq}` (sync.md §5
/// and §9.1): the township code (9 digits), the device code
/// ([`device_code`], 8 upper-case hex digits) and the device-local serial
/// (1, 2, 3 … without leading zeros). Unique by construction among the
/// numbers of one device; the server keys it by device id as well, so it
/// stays unambiguous even if two device codes were ever equal.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ProvisionalNumber {
    /// Township code.
    pub township: String,
    /// Device code.
    pub device: String,
    /// Device-local serial.
    pub seq: i64,
}

impl ProvisionalNumber {
    /// The printed form.
    pub fn format(&self) -> String {
        format!("T{}-D{}-{}", self.township, self.device, self.seq)
    }

    /// Parses the printed form strictly (the inverse of [`Self::format`]).
    pub fn parse(s: &str) -> Result<Self, NumberError> {
        let bad = || NumberError::ProvisionalFormat(s.to_owned());
        let rest = s.strip_prefix('T').ok_or_else(bad)?;
        let (township, rest) = rest.split_once("-D").ok_or_else(bad)?;
        let (device, seq) = rest.split_once('-').ok_or_else(bad)?;
        let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
        if township.len() != 9 || !digits(township) {
            return Err(bad());
        }
        if device.len() != 8
            || !device
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b))
        {
            return Err(bad());
        }
        if !digits(seq) || seq.starts_with('0') || seq.len() > 19 {
            return Err(bad());
        }
        let seq = seq.parse::<i64>().map_err(|_| bad())?;
        Ok(Self {
            township: township.to_owned(),
            device: device.to_owned(),
            seq,
        })
    }
}

/// The device code of provisional numbers: the first 8 hex digits (upper
/// case) of SHA-256 of the device id. A UUIDv7's leading digits are its
/// creation time, so devices set up together would share them; the hash
/// spreads them (two devices of a township share a code with probability
/// about n²/2³³, and even then the server tells them apart by device id).
pub fn device_code(device_id: &str) -> String {
    use sha2::{Digest, Sha256};
    let h = Sha256::digest(device_id.as_bytes());
    h[..4].iter().map(|b| format!("{b:02X}")).collect()
}

/// A provisional number this device printed, with its final number once
/// the server assigned it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProvisionalRecord {
    /// The printed provisional number.
    pub provisional: String,
    /// Device-local serial.
    pub device_seq: i64,
    /// Township code.
    pub township: String,
    /// Series.
    pub series: String,
    /// Year.
    pub year: i32,
    /// The case that printed it.
    pub case_id: Option<String>,
    /// When it was issued (RFC 3339).
    pub issued_at: String,
    /// The final number of the township's series, once assigned.
    pub final_number: Option<String>,
    /// Its serial in the series.
    pub final_seq: Option<i64>,
    /// When the device learnt it (RFC 3339).
    pub assigned_at: Option<String>,
}

/// Issues the next provisional number of this device for (township,
/// series, year) on the caller's (IMMEDIATE) transaction, with its outbox
/// record `provisional_number/issue`. The serial is the device's gapless
/// counter (max + 1 under the write lock: one writer, so no two callers
/// get the same one; a rolled-back step gives it back). The payload
/// carries the township's number template and 镇街代字, which the server
/// fills with the final serial (it holds no township configuration).
#[allow(clippy::too_many_arguments)] // the facts of one printed number
pub(crate) fn issue_provisional(
    conn: &Connection,
    township: &str,
    series: &str,
    year: i32,
    case_id: Option<Uuid>,
    template: &NumberTemplate,
    short_name: &str,
    now: DateTime<Utc>,
) -> Result<ProvisionalRecord, CaseError> {
    let device_id: String = conn
        .query_row("SELECT id FROM device WHERE singleton = 1", [], |r| {
            r.get(0)
        })
        .optional()?
        .ok_or(NumberError::NoDeviceIdentity)?;
    let seq: i64 = conn.query_row(
        "SELECT coalesce(max(device_seq), 0) + 1 FROM provisional_number",
        [],
        |r| r.get(0),
    )?;
    let number = ProvisionalNumber {
        township: township.to_owned(),
        device: device_code(&device_id),
        seq,
    }
    .format();
    let issued_at = rfc3339(now);
    conn.execute(
        "INSERT INTO provisional_number (device_seq, provisional, township_code, series, year, case_id, issued_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![seq, number, township, series, year, case_id.map(|c| c.to_string()), issued_at],
    )?;
    outbox::append(
        conn,
        &OutboxEntry {
            entity: PROVISIONAL_ENTITY,
            entity_id: number.clone(),
            op: "issue",
            payload: serde_json::to_value(zhifa_protocol::mutation::ProvisionalIssue {
                schema: 1,
                provisional: number.clone(),
                device_seq: seq,
                township: township.to_owned(),
                series: series.to_owned(),
                year: i64::from(year),
                case_id: case_id.map(|c| c.to_string()),
                template: template.as_str().to_owned(),
                short_name: short_name.to_owned(),
                issued_at: Some(issued_at.clone()),
            })
            .map_err(|e| CaseError::Corrupt(e.to_string()))?,
        },
        now,
        super::uuid_v7(now),
    )?;
    Ok(ProvisionalRecord {
        provisional: number,
        device_seq: seq,
        township: township.to_owned(),
        series: series.to_owned(),
        year,
        case_id: case_id.map(|c| c.to_string()),
        issued_at,
        final_number: None,
        final_seq: None,
        assigned_at: None,
    })
}

/// Records the final number the server assigned to a provisional one, on
/// the caller's transaction (the inbox page's). Idempotent: the same final
/// number again changes nothing; a different one is refused
/// ([`NumberError::FinalMismatch`]), never overwritten. Returns the case id
/// the number belongs to, or `None` for a provisional number this device
/// does not hold.
pub fn record_final(
    conn: &Connection,
    provisional: &str,
    final_number: &str,
    final_seq: i64,
    now: DateTime<Utc>,
) -> Result<Option<Option<String>>, CaseError> {
    let row: Option<(Option<String>, Option<String>)> = conn
        .query_row(
            "SELECT final_number, case_id FROM provisional_number WHERE provisional = ?1",
            [provisional],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((existing, case_id)) = row else {
        return Ok(None);
    };
    match existing {
        Some(e) if e == final_number => {}
        Some(e) => {
            return Err(NumberError::FinalMismatch {
                provisional: provisional.to_owned(),
                existing: e,
                new: final_number.to_owned(),
            }
            .into());
        }
        None => {
            conn.execute(
                "UPDATE provisional_number SET final_number = ?2, final_seq = ?3, assigned_at = ?4
                 WHERE provisional = ?1",
                params![provisional, final_number, final_seq, rfc3339(now)],
            )?;
        }
    }
    Ok(Some(case_id))
}

fn provisional_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ProvisionalRecord> {
    Ok(ProvisionalRecord {
        device_seq: r.get(0)?,
        provisional: r.get(1)?,
        township: r.get(2)?,
        series: r.get(3)?,
        year: r.get(4)?,
        case_id: r.get(5)?,
        issued_at: r.get(6)?,
        final_number: r.get(7)?,
        final_seq: r.get(8)?,
        assigned_at: r.get(9)?,
    })
}

const PROVISIONAL_COLUMNS: &str =
    "device_seq, provisional, township_code, series, year, case_id, issued_at,
     final_number, final_seq, assigned_at";

/// Every provisional number of this device, by serial: the provisional →
/// final mapping for audit.
pub fn provisional_numbers(store: &Store) -> Result<Vec<ProvisionalRecord>, CaseError> {
    let mut st = store.conn().prepare(&format!(
        "SELECT {PROVISIONAL_COLUMNS} FROM provisional_number ORDER BY device_seq"
    ))?;
    let rows = st.query_map([], provisional_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The provisional number a case printed, if any.
pub fn provisional_of_case(
    store: &Store,
    case_id: Uuid,
) -> Result<Option<ProvisionalRecord>, CaseError> {
    Ok(store
        .conn()
        .query_row(
            &format!(
                "SELECT {PROVISIONAL_COLUMNS} FROM provisional_number WHERE case_id = ?1
                 ORDER BY device_seq LIMIT 1"
            ),
            [case_id.to_string()],
            provisional_row,
        )
        .optional()?)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn templates_format_without_padding_unless_asked() {
        let t = NumberTemplate::parse("{镇街代字}综执当罚〔{year}〕{seq}号").unwrap();
        assert_eq!(
            t.format("龙兴", "500112108", 2026, 7),
            "龙兴综执当罚〔2026〕7号"
        );
        let t = NumberTemplate::parse("{township}-{year}-{seq:05}").unwrap();
        assert_eq!(
            t.format("龙兴", "500112108", 2026, 7),
            "500112108-2026-00007"
        );
        assert_eq!(t.format("", "1", 2026, 1_234_567), "1-2026-1234567");
    }

    #[test]
    fn bad_templates_are_typed_errors() {
        for bad in [
            "{镇街代字}综执当罚〔{year}〕号",
            "{seq}{seq}",
            "{seq",
            "seq}",
            "{unknown}{seq}",
            "{seq:5}",
            "{seq:00}",
        ] {
            let e = NumberTemplate::parse(bad).unwrap_err();
            assert_eq!(e.code(), "NUMBER_FORMAT_INVALID", "{bad}");
        }
    }

    #[test]
    fn provisional_numbers_round_trip_and_bad_ones_are_refused() {
        let n = ProvisionalNumber {
            township: "500110106".into(),
            device: device_code("0190c3a2-0000-7000-8000-000000000001"),
            seq: 7,
        };
        assert_eq!(ProvisionalNumber::parse(&n.format()).unwrap(), n);
        assert!(n.format().starts_with("T500110106-D"));
        for bad in [
            "",
            "T500110106-D1A2B3C4DE-1",
            "T500110106-D1A2B3C-1",
            "T50011010-D1A2B3C4-1",
            "T500110106-D1a2b3c4-1",
            "T500110106-D1A2B3C4-01",
            "T500110106-D1A2B3C4-0",
            "T500110106-D1A2B3C4-",
            "500110106-D1A2B3C4-1",
            "T500110106-1A2B3C4-1",
            "T500110106-D1A2B3C4-1-2",
        ] {
            let e = ProvisionalNumber::parse(bad).unwrap_err();
            assert_eq!(e.code(), "NUMBER_PROVISIONAL_INVALID", "{bad}");
        }
    }

    proptest::proptest! {
        #[test]
        fn every_provisional_number_parses_back(
            township in "[0-9]{9}",
            id in "[0-9a-f-]{1,40}",
            seq in 1i64..i64::MAX,
        ) {
            let n = ProvisionalNumber { township, device: device_code(&id), seq };
            proptest::prop_assert_eq!(ProvisionalNumber::parse(&n.format()).unwrap(), n);
        }

        #[test]
        fn distinct_numbers_print_distinctly(
            a in (0u32..3, 1i64..50),
            b in (0u32..3, 1i64..50),
        ) {
            let mk = |(d, seq): (u32, i64)| ProvisionalNumber {
                township: "500110106".into(),
                device: device_code(&format!("device-{d}")),
                seq,
            };
            proptest::prop_assert_eq!(mk(a) == mk(b), mk(a).format() == mk(b).format());
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,40}") {
            if let Ok(n) = ProvisionalNumber::parse(&s) {
                proptest::prop_assert_eq!(n.format(), s);
            }
        }
    }
}
