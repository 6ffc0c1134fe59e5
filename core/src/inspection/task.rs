//! Tasks on the device: follow-up checks (复查) made from orders to
//! correct, and tasks the command centre assigns — a complaint at a place,
//! a random inspection (双随机) or a follow-up — that arrive through the
//! inbox. The loop “发现问题 → 派发任务 → 联合执法 → 结果反馈” is closed by
//! three timestamps: assigned (created), accepted, done; each change is one
//! outbox record (`entity = "task"`), so the server sees the same times.
//!
//! ```text
//! assigned → accepted → done
//! ```

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use zhifa_protocol::mutation;

use super::InspectionError;
use crate::case::outbox::{self, OutboxEntry};
use crate::case::uuid_v7;
use crate::store::Store;

/// What a task asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskKind {
    /// 复查: check that an order to correct was complied with.
    FollowUp,
    /// A complaint (投诉举报) at a place.
    Complaint,
    /// 双随机、一公开 random inspection.
    RandomInspection,
}

impl TaskKind {
    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::FollowUp => "follow_up",
            Self::Complaint => "complaint",
            Self::RandomInspection => "random_inspection",
        }
    }

    /// Parses the stable name.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "follow_up" => Self::FollowUp,
            "complaint" => Self::Complaint,
            "random_inspection" => Self::RandomInspection,
            _ => return None,
        })
    }
}

/// Where a task stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    /// Assigned, not yet accepted.
    Assigned,
    /// Accepted by the officer.
    Accepted,
    /// Handled and reported back.
    Done,
}

impl TaskStatus {
    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Assigned => "assigned",
            Self::Accepted => "accepted",
            Self::Done => "done",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "assigned" => Self::Assigned,
            "accepted" => Self::Accepted,
            "done" => Self::Done,
            _ => return None,
        })
    }
}

/// The officer's report on a task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskReport {
    /// What was found and done.
    pub note: String,
    /// For a follow-up: whether the party corrected.
    #[serde(default)]
    pub corrected: Option<bool>,
    /// The inspection that handled it, if any.
    #[serde(default)]
    pub inspection_id: Option<Uuid>,
    /// The case opened for it, if any.
    #[serde(default)]
    pub case_id: Option<Uuid>,
}

/// One task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Task {
    /// Id.
    pub id: Uuid,
    /// `device` (follow-ups made here) or `server` (assigned).
    pub origin: String,
    /// Kind.
    pub kind: TaskKind,
    /// Status.
    pub status: TaskStatus,
    /// Township code.
    pub township: String,
    /// The place.
    pub place: String,
    /// The party, if known.
    pub party_name: Option<String>,
    /// What to do.
    pub detail: String,
    /// Due date (Beijing).
    pub due_on: Option<NaiveDate>,
    /// The inspection it came from (follow-up) or that handled it.
    pub inspection_id: Option<Uuid>,
    /// The checklist item (follow-up).
    pub item_code: Option<String>,
    /// The department concerned.
    pub department: Option<String>,
    /// Scenario codes to inspect under, for assigned inspections.
    pub scenarios: Vec<String>,
    /// Created or received (RFC 3339).
    pub created_at: String,
    /// Accepted (RFC 3339).
    pub accepted_at: Option<String>,
    /// Done (RFC 3339).
    pub done_at: Option<String>,
    /// The report.
    pub report: Option<TaskReport>,
}

/// A follow-up to insert (from an order to correct).
pub(crate) struct FollowUp {
    pub(crate) id: Uuid,
    pub(crate) township: String,
    pub(crate) place: String,
    pub(crate) party_name: String,
    pub(crate) detail: String,
    pub(crate) due_on: NaiveDate,
    pub(crate) inspection_id: Uuid,
    pub(crate) item_code: String,
    pub(crate) department: String,
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// A task assigned by the server, as the inbox carries it
/// (`kind = "task.assigned"`, docs/PROTOCOL.md).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssignedTask {
    /// The server's task id.
    pub task_id: Uuid,
    /// Kind.
    pub kind: TaskKind,
    /// Township code.
    pub township: String,
    /// Place.
    pub place: String,
    /// Party, if known.
    #[serde(default)]
    pub party_name: Option<String>,
    /// What to do.
    pub detail: String,
    /// Due date.
    #[serde(default)]
    pub due_on: Option<NaiveDate>,
    /// Scenario codes to inspect under.
    #[serde(default)]
    pub scenarios: Vec<String>,
    /// When the server assigned it (RFC 3339, server time).
    pub assigned_at: String,
}

/// Inserts the follow-up task on the caller's transaction, with its outbox record.
pub(crate) fn insert_follow_up(
    tx: &Connection,
    f: &FollowUp,
    now: DateTime<Utc>,
) -> Result<(), InspectionError> {
    let mut create = mutation::TaskCreate {
        schema: 1,
        kind: TaskKind::FollowUp.into(),
        township: f.township.clone(),
        place: f.place.clone(),
        detail: f.detail.clone(),
        due_on: Some(f.due_on),
        inspection_id: Some(f.inspection_id.to_string()),
        item: Some(f.item_code.clone()),
        department: Some(f.department.clone()),
        task: None,
    };
    let payload =
        serde_json::to_value(&create).map_err(|e| InspectionError::Corrupt(e.to_string()))?;
    tx.execute(
        "INSERT INTO task (id, origin, kind, status, township, place, party_name, detail, due_on,
                           inspection_id, item_code, department, payload, created_at)
         VALUES (?1, 'device', 'follow_up', 'assigned', ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![
            f.id.to_string(),
            f.township,
            f.place,
            f.party_name,
            f.detail,
            f.due_on.to_string(),
            f.inspection_id.to_string(),
            f.item_code,
            f.department,
            payload.to_string(),
            rfc3339(now)
        ],
    )?;
    // The outbox (schema 2) adds the whole task as stored.
    let t = load(tx, f.id)?.ok_or(InspectionError::TaskNotFound(f.id))?;
    create.schema = mutation::SCHEMA;
    create.task = Some(Box::new((&t).into()));
    outbox::append(
        tx,
        &OutboxEntry {
            entity: mutation::entity::TASK,
            entity_id: f.id.to_string(),
            op: "create",
            payload: to_json(&create)?,
        },
        now,
        uuid_v7(now),
    )?;
    Ok(())
}

fn to_json<T: serde::Serialize>(v: &T) -> Result<serde_json::Value, InspectionError> {
    serde_json::to_value(v).map_err(|e| InspectionError::Corrupt(e.to_string()))
}

/// Stores a task the server assigned (idempotent: the same task twice is
/// one row). Called by the inbox apply inside its page transaction; no
/// outbox record (the server knows it).
pub fn receive_assigned(conn: &Connection, t: &AssignedTask) -> Result<bool, InspectionError> {
    let payload = serde_json::to_string(t).map_err(|e| InspectionError::Corrupt(e.to_string()))?;
    let n = conn.execute(
        "INSERT OR IGNORE INTO task (id, origin, kind, status, township, place, party_name, detail, due_on,
                                     payload, created_at)
         VALUES (?1, 'server', ?2, 'assigned', ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            t.task_id.to_string(),
            t.kind.as_str(),
            t.township,
            t.place,
            t.party_name,
            t.detail,
            t.due_on.map(|d| d.to_string()),
            payload,
            t.assigned_at
        ],
    )?;
    Ok(n == 1)
}

const COLS: &str =
    "id, origin, kind, status, township, place, party_name, detail, due_on, inspection_id,
                    item_code, department, payload, created_at, accepted_at, done_at, result";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<[Option<String>; 17]> {
    let mut out: [Option<String>; 17] = Default::default();
    for (i, slot) in out.iter_mut().enumerate() {
        *slot = r.get(i)?;
    }
    Ok(out)
}

fn decode(c: [Option<String>; 17]) -> Result<Task, InspectionError> {
    let bad = |w: &str| InspectionError::Corrupt(format!("task {w}"));
    let [
        id,
        origin,
        kind,
        status,
        township,
        place,
        party_name,
        detail,
        due_on,
        inspection_id,
        item_code,
        department,
        payload,
        created_at,
        accepted_at,
        done_at,
        result,
    ] = c;
    let uuid = |s: Option<String>| -> Result<Option<Uuid>, InspectionError> {
        s.map(|s| Uuid::parse_str(&s).map_err(|_| bad("uuid")))
            .transpose()
    };
    let scenarios = payload
        .as_deref()
        .and_then(|p| serde_json::from_str::<serde_json::Value>(p).ok())
        .and_then(|v| {
            v.get("scenarios").and_then(|s| {
                s.as_array().map(|a| {
                    a.iter()
                        .filter_map(|x| x.as_str().map(str::to_owned))
                        .collect()
                })
            })
        })
        .unwrap_or_default();
    Ok(Task {
        id: uuid(id)?.ok_or_else(|| bad("id"))?,
        origin: origin.ok_or_else(|| bad("origin"))?,
        kind: kind
            .as_deref()
            .and_then(TaskKind::parse)
            .ok_or_else(|| bad("kind"))?,
        status: status
            .as_deref()
            .and_then(TaskStatus::parse)
            .ok_or_else(|| bad("status"))?,
        township: township.ok_or_else(|| bad("township"))?,
        place: place.ok_or_else(|| bad("place"))?,
        party_name,
        detail: detail.ok_or_else(|| bad("detail"))?,
        due_on: due_on
            .map(|d| d.parse::<NaiveDate>().map_err(|_| bad("due_on")))
            .transpose()?,
        inspection_id: uuid(inspection_id)?,
        item_code,
        department,
        scenarios,
        created_at: created_at.ok_or_else(|| bad("created_at"))?,
        accepted_at,
        done_at,
        report: result
            .map(|r| serde_json::from_str(&r).map_err(|_| bad("result")))
            .transpose()?,
    })
}

/// Every task, open ones first by due date.
pub fn tasks(store: &Store) -> Result<Vec<Task>, InspectionError> {
    let mut st = store.conn().prepare(&format!(
        "SELECT {COLS} FROM task ORDER BY status = 'done', due_on IS NULL, due_on, created_at"
    ))?;
    let rows = st.query_map([], row)?;
    rows.map(|r| decode(r?)).collect()
}

/// One task.
pub fn task(store: &Store, id: Uuid) -> Result<Option<Task>, InspectionError> {
    load(store.conn(), id)
}

fn load(conn: &Connection, id: Uuid) -> Result<Option<Task>, InspectionError> {
    conn.query_row(
        &format!("SELECT {COLS} FROM task WHERE id = ?1"),
        [id.to_string()],
        row,
    )
    .optional()?
    .map(decode)
    .transpose()
}

/// The officer accepts a task.
pub fn accept(store: &mut Store, id: Uuid, now: DateTime<Utc>) -> Result<Task, InspectionError> {
    let tx = store
        .conn_mut()
        .transaction_with_behavior(TransactionBehavior::Immediate)?;
    let t = load(&tx, id)?.ok_or(InspectionError::TaskNotFound(id))?;
    if t.status != TaskStatus::Assigned {
        return Err(InspectionError::TaskState {
            status: t.status.as_str(),
            step: "接收",
        });
    }
    let at = rfc3339(now);
    tx.execute(
        "UPDATE task SET status = 'accepted', accepted_at = ?2 WHERE id = ?1",
        params![id.to_string(), at],
    )?;
    let origin = t.origin;
    let t = load(&tx, id)?.ok_or(InspectionError::TaskNotFound(id))?;
    outbox::append(
        &tx,
        &OutboxEntry {
            entity: mutation::entity::TASK,
            entity_id: id.to_string(),
            op: "accept",
            payload: to_json(&mutation::TaskAccept {
                schema: mutation::SCHEMA,
                accepted_at: Some(at),
                origin: Some(origin),
                task: Some(Box::new((&t).into())),
            })?,
        },
        now,
        uuid_v7(now),
    )?;
    tx.commit()?;
    Ok(t)
}

/// The officer reports a task handled (accepting it first if needed).
pub fn report(
    store: &mut Store,
    id: Uuid,
    report: &TaskReport,
    now: DateTime<Utc>,
) -> Result<Task, InspectionError> {
    if report.note.trim().is_empty() {
        return Err(InspectionError::FieldRequired("note"));
    }
    if let Some(t) = task(store, id)?
        && t.status == TaskStatus::Assigned
    {
        accept(store, id, now)?;
    }
    let tx = store
        .conn_mut()
        .transaction_with_behavior(TransactionBehavior::Immediate)?;
    let t = load(&tx, id)?.ok_or(InspectionError::TaskNotFound(id))?;
    if t.status != TaskStatus::Accepted {
        return Err(InspectionError::TaskState {
            status: t.status.as_str(),
            step: "反馈",
        });
    }
    if t.kind == TaskKind::FollowUp && report.corrected.is_none() {
        return Err(InspectionError::FieldRequired("corrected"));
    }
    let at = rfc3339(now);
    let json =
        serde_json::to_string(report).map_err(|e| InspectionError::Corrupt(e.to_string()))?;
    tx.execute(
        "UPDATE task SET status = 'done', done_at = ?2, result = ?3,
                         inspection_id = coalesce(inspection_id, ?4) WHERE id = ?1",
        params![
            id.to_string(),
            at,
            json,
            report.inspection_id.map(|i| i.to_string())
        ],
    )?;
    let (origin, accepted_at) = (t.origin, t.accepted_at);
    let t = load(&tx, id)?.ok_or(InspectionError::TaskNotFound(id))?;
    outbox::append(
        &tx,
        &OutboxEntry {
            entity: mutation::entity::TASK,
            entity_id: id.to_string(),
            op: "report",
            payload: to_json(&mutation::TaskReport {
                schema: mutation::SCHEMA,
                done_at: Some(at),
                origin: Some(origin),
                report: report.into(),
                accepted_at,
                task: Some(Box::new((&t).into())),
            })?,
        },
        now,
        uuid_v7(now),
    )?;
    tx.commit()?;
    Ok(t)
}
