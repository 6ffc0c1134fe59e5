//! The platforms and their events in the database (migration
//! `0022_platform`): registering a platform with its sealed secret,
//! receiving an event once per (platform, external id) with its reply
//! clock, and the dispatcher's list, read and conversions.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::{
    EventKind, InboundEvent, NewPlatform, Platform, PlatformError, Reporter, beijing_date,
    mask_reporter, reply_rule,
};
use crate::console::Staff;
use crate::pii::{PLATFORM_EVENT, PLATFORM_SECRET};
use crate::record::{Keeper, ts};
use crate::store::sql::{Conn, Row, Val, p};
use crate::supervise::scope_where;

/// The AAD of a platform's sealed secret.
pub fn secret_aad(id: &str) -> Vec<u8> {
    format!("platform:{id}:secret").into_bytes()
}

/// The AAD of an event's sealed reporter.
pub fn reporter_aad(event_id: &str) -> Vec<u8> {
    format!("platform_event:{event_id}:reporter").into_bytes()
}

/// How long a delivery id is remembered (far beyond the ±5 minute
/// window, so nothing inside the window is forgotten).
const DELIVERY_MEMORY: Duration = Duration::hours(24);

fn corrupt(e: impl std::fmt::Display) -> PlatformError {
    PlatformError::Corrupt(e.to_string())
}

fn platform_row(r: &Row) -> Result<Platform, PlatformError> {
    let days: String = r.get(3)?;
    Ok(Platform {
        id: r.get(0)?,
        name: r.get(1)?,
        scope: r.get(2)?,
        reply_days: serde_json::from_str(&days).map_err(corrupt)?,
        created_at: r.get(4)?,
        revoked_at: r.get(5)?,
    })
}

const PLATFORM_COLUMNS: &str = "id, name, scope, reply_days, created_at, revoked_at";

/// Registers a platform, or replaces its name, scope, periods and secret
/// (a re-keying); audited `platform.add` by `actor`.
pub fn add(
    tx: &mut dyn Conn,
    k: &Keeper,
    p: &NewPlatform,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<(), PlatformError> {
    p.check().map_err(PlatformError::Invalid)?;
    let sealed = k
        .seal
        .seal(tx, PLATFORM_SECRET, &secret_aad(&p.id), &p.secret)?;
    let days = serde_json::to_string(&p.reply_days).map_err(corrupt)?;
    tx.exec(
        "INSERT INTO platform (id, name, scope, secret, reply_days, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, scope = excluded.scope,
             secret = excluded.secret, reply_days = excluded.reply_days, revoked_at = NULL",
        p![p.id, p.name, p.scope, sealed, days, ts(now)],
    )?;
    crate::store::audit(tx, now, actor, "platform.add", &p.id)?;
    Ok(())
}

/// Every platform (no secrets).
pub fn list(c: &mut dyn Conn) -> Result<Vec<Platform>, PlatformError> {
    c.query(
        &format!("SELECT {PLATFORM_COLUMNS} FROM platform ORDER BY id"),
        p![],
    )?
    .iter()
    .map(platform_row)
    .collect()
}

/// Revokes a platform (its requests are refused from now); true when it
/// was active.
pub fn revoke(
    tx: &mut dyn Conn,
    id: &str,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<bool, PlatformError> {
    let n = tx.exec(
        "UPDATE platform SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
        p![id, ts(now)],
    )?;
    crate::store::audit(tx, now, actor, "platform.revoke", id)?;
    Ok(n == 1)
}

/// An active platform and its opened secret.
pub fn active(
    c: &mut dyn Conn,
    k: &Keeper,
    id: &str,
) -> Result<Option<(Platform, Vec<u8>)>, PlatformError> {
    let Some(r) = c.query_opt(
        &format!(
            "SELECT {PLATFORM_COLUMNS}, secret FROM platform WHERE id = ?1 AND revoked_at IS NULL"
        ),
        p![id],
    )?
    else {
        return Ok(None);
    };
    let platform = platform_row(&r)?;
    let sealed: String = r.get(6)?;
    let secret = k.seal.open(c, PLATFORM_SECRET, &secret_aad(id), &sealed)?;
    Ok(Some((platform, secret)))
}

/// What receiving an event did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Received {
    /// The event's id on this server.
    pub event_id: String,
    /// False when the platform had sent this external id before (the
    /// stored event is unchanged).
    pub created: bool,
    /// The reply's last day, if a period applies and the township's
    /// calendar covers it.
    pub reply_due: Option<String>,
}

/// Records a verified delivery and its event (once per external id).
/// The caller checked the signature and the timestamp.
pub fn receive(
    tx: &mut dyn Conn,
    k: &Keeper,
    platform: &Platform,
    e: &InboundEvent,
    now: DateTime<Utc>,
) -> Result<Received, PlatformError> {
    e.check().map_err(PlatformError::Invalid)?;
    if !e.township.starts_with(&platform.scope) {
        return Err(PlatformError::OutOfScope(e.township.clone()));
    }
    tx.exec(
        "DELETE FROM platform_delivery WHERE at < ?1",
        p![ts(now - DELIVERY_MEMORY)],
    )?;
    let fresh = tx.exec(
        "INSERT INTO platform_delivery (platform, delivery_id, at) VALUES (?1, ?2, ?3)
         ON CONFLICT (platform, delivery_id) DO NOTHING",
        p![platform.id, e.delivery_id, ts(now)],
    )?;
    if fresh == 0 {
        return Err(PlatformError::Replay);
    }
    if let Some(r) = tx.query_opt(
        "SELECT event_id, reply_due FROM platform_event WHERE platform = ?1 AND external_id = ?2",
        p![platform.id, e.external_id],
    )? {
        return Ok(Received {
            event_id: r.get(0)?,
            created: false,
            reply_due: r.get(1)?,
        });
    }
    let event_id = crate::store::new_id(now);
    let received = e.received(now);
    let rule = reply_rule(e.kind, platform);
    let reply_due = match rule {
        Some((days, _)) => due(tx, k, &e.township, beijing_date(received), days)?,
        None => None,
    };
    let (masked, sealed) = match &e.reporter {
        Some(r) if r.name.is_some() || r.phone.is_some() => {
            let json = serde_json::to_vec(r).map_err(corrupt)?;
            (
                mask_reporter(r),
                Some(
                    k.seal
                        .seal(tx, PLATFORM_EVENT, &reporter_aad(&event_id), &json)?,
                ),
            )
        }
        _ => (None, None),
    };
    let days = rule.map(|(d, _)| i64::from(d));
    let basis = rule.map(|(_, b)| b.to_owned());
    let received_at = ts(received.with_timezone(&Utc));
    let at = ts(now);
    let vals: Vec<Val<'_>> = vec![
        Val::Text(&event_id),
        Val::Text(&platform.id),
        Val::Text(&e.external_id),
        Val::Text(e.kind.as_str()),
        Val::Text(&e.place),
        Val::Text(&e.township),
        Val::Text(&e.description),
        masked.as_deref().map_or(Val::Null, Val::Text),
        sealed.as_deref().map_or(Val::Null, Val::Text),
        Val::Text(&received_at),
        Val::Text(&at),
        days.map_or(Val::Null, Val::Int),
        basis.as_deref().map_or(Val::Null, Val::Text),
        reply_due.as_deref().map_or(Val::Null, Val::Text),
    ];
    // Two deliveries of one new event racing: the second finds the first's
    // row (same event), never a second row.
    let n = tx.exec(
        "INSERT INTO platform_event (event_id, platform, external_id, kind, place, township,
             description, reporter_masked, reporter, received_at, arrived_at, reply_days,
             reply_basis, reply_due, status)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, 'new')
         ON CONFLICT (platform, external_id) DO NOTHING",
        &vals,
    )?;
    crate::store::audit(
        tx,
        now,
        &format!("platform:{}", platform.id),
        "platform_event.receive",
        &event_id,
    )?;
    if n == 0 {
        let r = tx.query_one(
            "SELECT event_id, reply_due FROM platform_event WHERE platform = ?1 AND external_id = ?2",
            p![platform.id, e.external_id],
        )?;
        return Ok(Received {
            event_id: r.get(0)?,
            created: false,
            reply_due: r.get(1)?,
        });
    }
    Ok(Received {
        event_id,
        created: true,
        reply_due,
    })
}

/// The day `days` working days after `start` on the township's calendar
/// of the release in force that day; none when no release is.
fn due(
    c: &mut dyn Conn,
    k: &Keeper,
    township: &str,
    start: chrono::NaiveDate,
    days: u32,
) -> Result<Option<String>, PlatformError> {
    let pkg = match k.releases.in_force(c, township, start) {
        Ok(Some(p)) => p,
        Ok(None) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    Ok(
        zhifa_core::procedure::deadline::add_working_days(&pkg.calendar, start, days)
            .ok()
            .map(|d| d.to_string()),
    )
}

/// One event as the dispatcher's list shows it: the reporter masked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct EventRow {
    /// Its id here.
    pub event_id: String,
    /// The platform that sent it.
    pub platform: String,
    /// The platform's name.
    pub platform_name: String,
    /// The platform's number of it.
    pub external_id: String,
    /// What it is.
    pub kind: EventKind,
    /// The kind in Chinese.
    pub kind_label: String,
    /// Where.
    pub place: String,
    /// Township code.
    pub township: String,
    /// What was reported.
    pub description: String,
    /// The reporter, masked (e.g. `张* 138****5678`).
    pub reporter_masked: Option<String>,
    /// When the platform received it (RFC 3339).
    pub received_at: String,
    /// When it reached this server (RFC 3339).
    pub arrived_at: String,
    /// The reply period in working days, if one applies.
    pub reply_days: Option<i64>,
    /// Its basis: the article of law, or `configuration`.
    pub reply_basis: Option<String>,
    /// The reply's last day (YYYY-MM-DD); none with a period means the
    /// township has no calendar in force to count it on.
    pub reply_due: Option<String>,
    /// `new`, `task` or `case_source`.
    pub status: String,
    /// The task it became.
    pub task_id: Option<String>,
    /// The dispatcher's note (case source).
    pub note: Option<String>,
    /// Who converted it.
    pub converted_by: Option<String>,
    /// When.
    pub converted_at: Option<String>,
}

/// An event with its reporter opened (an audited read).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct EventDetail {
    /// The event.
    pub event: EventRow,
    /// Its reporter, if the platform passed one on.
    pub reporter: Option<Reporter>,
}

/// A page of the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct EventPage {
    /// The events, the reply's last day first (none last), then newest.
    pub rows: Vec<EventRow>,
    /// How many match the filter in all.
    pub total: i64,
}

/// The list's filter.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventQuery {
    /// `new`, `task` or `case_source`.
    pub status: Option<String>,
    /// An event kind.
    pub kind: Option<String>,
    /// Rows per page (1–200, default 50).
    pub limit: Option<i64>,
    /// Rows to skip.
    pub offset: Option<i64>,
}

const EVENT_COLUMNS: &str = "e.event_id, e.platform, p.name, e.external_id, e.kind, e.place,
    e.township, e.description, e.reporter_masked, e.received_at, e.arrived_at, e.reply_days,
    e.reply_basis, e.reply_due, e.status, e.task_id, e.note, e.converted_by, e.converted_at";

fn event_row(r: &Row) -> Result<EventRow, PlatformError> {
    let kind: String = r.get(4)?;
    let kind = EventKind::parse(&kind).ok_or_else(|| corrupt(format!("事件类型 {kind}")))?;
    Ok(EventRow {
        event_id: r.get(0)?,
        platform: r.get(1)?,
        platform_name: r.get(2)?,
        external_id: r.get(3)?,
        kind,
        kind_label: kind.label().to_owned(),
        place: r.get(5)?,
        township: r.get(6)?,
        description: r.get(7)?,
        reporter_masked: r.get(8)?,
        received_at: r.get(9)?,
        arrived_at: r.get(10)?,
        reply_days: r.get(11)?,
        reply_basis: r.get(12)?,
        reply_due: r.get(13)?,
        status: r.get(14)?,
        task_id: r.get(15)?,
        note: r.get(16)?,
        converted_by: r.get(17)?,
        converted_at: r.get(18)?,
    })
}

fn dispatcher(who: &Staff) -> Result<(), PlatformError> {
    if who.role == crate::console::StaffRole::CommandCentre {
        Ok(())
    } else {
        Err(PlatformError::Forbidden)
    }
}

/// The events of the dispatcher's scope matching `q`.
pub fn events(c: &mut dyn Conn, who: &Staff, q: &EventQuery) -> Result<EventPage, PlatformError> {
    dispatcher(who)?;
    let (scope_sql, scope_vals) = scope_where(&who.scope, None, 1);
    let scope_sql = scope_sql.replace("township", "e.township");
    let mut cond = vec![scope_sql];
    let mut vals: Vec<String> = scope_vals;
    if let Some(s) = q.status.as_deref().filter(|s| !s.is_empty()) {
        if !matches!(s, "new" | "task" | "case_source") {
            return Err(PlatformError::Invalid(format!("未知事件状态 {s}")));
        }
        vals.push(s.to_owned());
        cond.push(format!("e.status = ?{}", vals.len()));
    }
    if let Some(kd) = q.kind.as_deref().filter(|s| !s.is_empty()) {
        if EventKind::parse(kd).is_none() {
            return Err(PlatformError::Invalid(format!("未知事件类型 {kd}")));
        }
        vals.push(kd.to_owned());
        cond.push(format!("e.kind = ?{}", vals.len()));
    }
    let limit = q.limit.unwrap_or(50).clamp(1, 200);
    let offset = q.offset.unwrap_or(0).max(0);
    let where_sql = cond.join(" AND ");
    let params: Vec<Val<'_>> = vals.iter().map(|v| Val::Text(v)).collect();
    let total: i64 = c
        .query_one(
            &format!("SELECT count(*) FROM platform_event e WHERE {where_sql}"),
            &params,
        )?
        .get(0)?;
    let mut page_params = params.clone();
    page_params.push(Val::Int(limit));
    page_params.push(Val::Int(offset));
    let n = params.len();
    let rows = c
        .query(
            &format!(
                "SELECT {EVENT_COLUMNS} FROM platform_event e JOIN platform p ON p.id = e.platform
                 WHERE {where_sql}
                 ORDER BY CASE WHEN e.reply_due IS NULL THEN 1 ELSE 0 END, e.reply_due,
                          e.received_at DESC, e.event_id
                 LIMIT ?{} OFFSET ?{}",
                n + 1,
                n + 2
            ),
            &page_params,
        )?
        .iter()
        .map(event_row)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(EventPage { rows, total })
}

fn event_in_scope(
    c: &mut dyn Conn,
    who: &Staff,
    id: &str,
) -> Result<(EventRow, Option<String>), PlatformError> {
    dispatcher(who)?;
    let r = c
        .query_opt(
            &format!(
                "SELECT {EVENT_COLUMNS}, e.reporter FROM platform_event e
                 JOIN platform p ON p.id = e.platform WHERE e.event_id = ?1"
            ),
            p![id],
        )?
        .ok_or(PlatformError::NotFound)?;
    let row = event_row(&r)?;
    if !row.township.starts_with(&who.scope) {
        return Err(PlatformError::NotFound);
    }
    Ok((row, r.get(19)?))
}

/// One event of the dispatcher's scope with its reporter opened; audited
/// `platform_event.read`.
pub fn event(
    c: &mut dyn Conn,
    k: &Keeper,
    who: &Staff,
    id: &str,
    now: DateTime<Utc>,
) -> Result<EventDetail, PlatformError> {
    let (event, sealed) = event_in_scope(c, who, id)?;
    let reporter = match sealed {
        Some(s) => {
            let bytes = k.seal.open(c, PLATFORM_EVENT, &reporter_aad(id), &s)?;
            Some(serde_json::from_slice(&bytes).map_err(corrupt)?)
        }
        None => None,
    };
    crate::store::audit(c, now, &who.actor(), "platform_event.read", id)?;
    Ok(EventDetail { event, reporter })
}

/// The dispatcher turns a new event of its scope into a task for an
/// officer (the assignment of `POST /v1/console/tasks`, in the same
/// transaction); the task's id. Audited `platform_event.task`.
pub fn to_task(
    tx: &mut dyn Conn,
    who: &Staff,
    id: &str,
    task: &crate::inspection::NewTask,
    now: DateTime<Utc>,
) -> Result<String, PlatformError> {
    let (event, _) = event_in_scope(tx, who, id)?;
    if event.status != "new" {
        return Err(PlatformError::AlreadyConverted);
    }
    let task_id = crate::store::new_id(now);
    if let Err((_, msg)) =
        crate::inspection::assign(tx, task, &task_id, now, &who.scope, &who.actor())?
    {
        return Err(PlatformError::TaskRefused(msg));
    }
    tx.exec(
        "UPDATE platform_event SET status = 'task', task_id = ?2, converted_by = ?3, converted_at = ?4
         WHERE event_id = ?1 AND status = 'new'",
        p![id, task_id, who.actor(), ts(now)],
    )?;
    crate::store::audit(tx, now, &who.actor(), "platform_event.task", id)?;
    Ok(task_id)
}

/// The dispatcher records a new event of its scope as a case source
/// (案源) with a note (1–500 characters). Audited
/// `platform_event.case_source`.
pub fn to_case_source(
    tx: &mut dyn Conn,
    who: &Staff,
    id: &str,
    note: &str,
    now: DateTime<Utc>,
) -> Result<(), PlatformError> {
    let (event, _) = event_in_scope(tx, who, id)?;
    if note.trim().is_empty() || note.chars().count() > 500 {
        return Err(PlatformError::Invalid(
            "案源说明不能为空，最长 500 字".into(),
        ));
    }
    if event.status != "new" {
        return Err(PlatformError::AlreadyConverted);
    }
    tx.exec(
        "UPDATE platform_event SET status = 'case_source', note = ?2, converted_by = ?3,
             converted_at = ?4 WHERE event_id = ?1 AND status = 'new'",
        p![id, note.trim(), who.actor(), ts(now)],
    )?;
    crate::store::audit(tx, now, &who.actor(), "platform_event.case_source", id)?;
    Ok(())
}

/// The periods a `--reply-days KIND=N` list gives.
pub fn parse_reply_days(items: &[String]) -> Result<BTreeMap<String, u32>, String> {
    items
        .iter()
        .map(|kv| {
            let (k, v) = kv
                .split_once('=')
                .ok_or_else(|| format!("{kv:?} 应为 KIND=工作日数"))?;
            let n: u32 = v
                .trim()
                .parse()
                .map_err(|_| format!("{kv:?} 的天数不是整数"))?;
            Ok((k.trim().to_owned(), n))
        })
        .collect()
}

/// The platforms on the server's database.
impl crate::store::Db {
    /// Registers (or re-keys) a platform.
    pub fn add_platform(&self, p: &NewPlatform, now: DateTime<Utc>) -> Result<(), PlatformError> {
        let k = self.keeper();
        self.write_as(|tx| add(tx, k, p, "operator", now))
    }

    /// Every platform.
    pub fn platforms(&self) -> Result<Vec<Platform>, PlatformError> {
        self.read_as(|c| list(c))
    }

    /// Revokes a platform.
    pub fn revoke_platform(&self, id: &str, now: DateTime<Utc>) -> Result<bool, PlatformError> {
        self.write_as(|tx| revoke(tx, id, "operator", now))
    }
}
