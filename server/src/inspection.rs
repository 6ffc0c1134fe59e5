//! The server side of joint inspections (综合查一次) and tasks: the tables
//! the `inspection` and `task` mutations a device pushes are stored in
//! (their ingest is `crate::push::{inspection, task}`), and the views
//! the command centre and each department read — every department sees
//! the findings of its own items (its orders, cases and referrals),
//! wherever the joint inspection took place.
//!
//! Storage is a few tables of its own (migration `0002_inspection.sql`, portable SQL)
//! written through the storage layer's [`Conn`], so it runs on SQLite and
//! PostgreSQL alike, inside the push transaction: a finding is stored
//! exactly once with its ledger row (sync.md I2).

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use zhifa_protocol::error::reject;

use crate::store::sql::{Conn, DbError, Row, p};

/// A refusal: (stable code, message).
pub type Refusal = (&'static str, String);

/// The refusal code of [`assign`] for an officer outside the caller's scope.
pub const FORBIDDEN: &str = "forbidden";

fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// One finding as a department sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DepartmentFinding {
    /// The inspection.
    pub inspection_id: String,
    /// Township code.
    pub township: String,
    /// The place.
    pub place: String,
    /// The party's name.
    pub party_name: String,
    /// When the inspection started (Beijing).
    pub started_at: String,
    /// The item code.
    pub item: String,
    /// The department's code.
    pub department: String,
    /// Its name.
    pub department_name: String,
    /// 检查内容.
    pub subject: String,
    /// pass | fail | not_applicable, once checked.
    pub verdict: Option<String>,
    /// The officer's note.
    pub note: Option<String>,
    /// order_to_correct | simple_case | referral, once decided.
    pub outcome_kind: Option<String>,
    /// The outcome as the device sent it.
    #[schema(value_type = Option<Object>)]
    pub outcome: Option<serde_json::Value>,
}

/// The findings of one department (or all), newest inspection first;
/// `failed_only` keeps the failures (what the department must act on);
/// `scope` is a township-code prefix ('' = everywhere, 6 digits = a
/// district, 9 = a township).
pub fn findings(
    conn: &mut dyn Conn,
    department: Option<&str>,
    failed_only: bool,
    scope: &str,
) -> Result<Vec<DepartmentFinding>, DbError> {
    let rows = conn.query(
        "SELECT f.inspection_id, i.township, i.place, i.party_name, i.started_at, f.item, f.department,
                f.department_name, f.subject, f.verdict, f.note, f.outcome_kind, f.outcome
         FROM inspection_finding f JOIN inspection i ON i.inspection_id = f.inspection_id
         WHERE (?1 = '' OR f.department = ?1) AND (?2 = 0 OR f.verdict = 'fail')
           AND substr(i.township, 1, length(CAST(?3 AS TEXT))) = CAST(?3 AS TEXT)
         ORDER BY i.started_at DESC, f.inspection_id, f.pos",
        p![department.unwrap_or(""), i64::from(failed_only), scope],
    )?;
    rows.iter().map(finding_row).collect()
}

fn finding_row(r: &Row) -> Result<DepartmentFinding, DbError> {
    Ok(DepartmentFinding {
        inspection_id: r.get(0)?,
        township: r.get(1)?,
        place: r.get(2)?,
        party_name: r.get(3)?,
        started_at: r.get(4)?,
        item: r.get(5)?,
        department: r.get(6)?,
        department_name: r.get(7)?,
        subject: r.get(8)?,
        verdict: r.get(9)?,
        note: r.get(10)?,
        outcome_kind: r.get(11)?,
        outcome: r
            .get::<Option<String>>(12)?
            .and_then(|s| serde_json::from_str(&s).ok()),
    })
}

/// One task with its closed-loop times.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TaskRow {
    /// Id.
    pub task_id: String,
    /// server | device.
    pub origin: String,
    /// Kind.
    pub kind: String,
    /// Status.
    pub status: String,
    /// Township.
    pub township: String,
    /// The officer.
    pub officer_id: Option<String>,
    /// Place.
    pub place: String,
    /// What to do.
    pub detail: String,
    /// Due date.
    pub due_on: Option<String>,
    /// The inspection.
    pub inspection_id: Option<String>,
    /// Department.
    pub department: Option<String>,
    /// Assigned (RFC 3339).
    pub assigned_at: String,
    /// Accepted.
    pub accepted_at: Option<String>,
    /// Done.
    pub done_at: Option<String>,
    /// The report.
    #[schema(value_type = Option<Object>)]
    pub report: Option<serde_json::Value>,
}

/// Every task of the townships under `scope` (a township-code prefix,
/// '' = everywhere), newest first.
pub fn tasks(conn: &mut dyn Conn, scope: &str) -> Result<Vec<TaskRow>, DbError> {
    let rows = conn.query(
        "SELECT task_id, origin, kind, status, township, officer_id, place, detail, due_on, inspection_id,
                department, assigned_at, accepted_at, done_at, report
         FROM task WHERE substr(township, 1, length(CAST(?1 AS TEXT))) = CAST(?1 AS TEXT)
         ORDER BY assigned_at DESC, task_id DESC",
        p![scope],
    )?;
    rows.iter()
        .map(|r| {
            Ok(TaskRow {
                task_id: r.get(0)?,
                origin: r.get(1)?,
                kind: r.get(2)?,
                status: r.get(3)?,
                township: r.get(4)?,
                officer_id: r.get(5)?,
                place: r.get(6)?,
                detail: r.get(7)?,
                due_on: r.get(8)?,
                inspection_id: r.get(9)?,
                department: r.get(10)?,
                assigned_at: r.get(11)?,
                accepted_at: r.get(12)?,
                done_at: r.get(13)?,
                report: r
                    .get::<Option<String>>(14)?
                    .and_then(|s| serde_json::from_str(&s).ok()),
            })
        })
        .collect()
}

/// A task the command centre or a supervisor assigns to an officer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NewTask {
    /// The officer who receives it.
    pub officer_id: String,
    /// `complaint`, `random_inspection` or `follow_up`.
    pub kind: String,
    /// Place.
    pub place: String,
    /// Party, if known.
    pub party_name: Option<String>,
    /// What to do.
    pub detail: String,
    /// Due date (YYYY-MM-DD).
    pub due_on: Option<String>,
    /// Scenario codes to inspect under.
    #[serde(default)]
    pub scenarios: Vec<String>,
}

/// The longest task texts, in characters: the place and the party are a
/// line on the officer's screen, the detail a paragraph; the scenario list
/// names catalogue codes.
pub const TASK_LIMITS: TaskLimits = TaskLimits {
    place: 200,
    party_name: 100,
    detail: 2_000,
    officer_id: 64,
    scenarios: 50,
    scenario_code: 64,
};

/// See [`TASK_LIMITS`].
#[derive(Debug, Clone, Copy)]
pub struct TaskLimits {
    /// `place`.
    pub place: usize,
    /// `party_name`.
    pub party_name: usize,
    /// `detail`.
    pub detail: usize,
    /// `officer_id`.
    pub officer_id: usize,
    /// Entries of `scenarios`.
    pub scenarios: usize,
    /// One scenario code.
    pub scenario_code: usize,
}

/// Why a task's texts cannot be stored: over [`TASK_LIMITS`], or a control
/// character (a line break is allowed in the detail only).
fn task_text_problem(t: &NewTask) -> Option<String> {
    let l = TASK_LIMITS;
    let too_long = |what: &str, v: &str, max: usize| {
        (v.chars().count() > max).then(|| format!("{what}过长（上限 {max} 字）"))
    };
    let control = |what: &str, v: &str, newline_ok: bool| {
        v.chars()
            .any(|c| c.is_control() && !(newline_ok && (c == '\n' || c == '\r')))
            .then(|| format!("{what}含有控制字符"))
    };
    too_long("任务地点", &t.place, l.place)
        .or_else(|| too_long("任务内容", &t.detail, l.detail))
        .or_else(|| too_long("执法人员编号", &t.officer_id, l.officer_id))
        .or_else(|| {
            t.party_name.as_deref().and_then(|p| {
                too_long("当事人", p, l.party_name).or_else(|| control("当事人", p, false))
            })
        })
        .or_else(|| control("任务地点", &t.place, false))
        .or_else(|| control("任务内容", &t.detail, true))
        .or_else(|| {
            (t.scenarios.len() > l.scenarios)
                .then(|| format!("检查场景过多（上限 {} 个）", l.scenarios))
        })
        .or_else(|| {
            t.scenarios.iter().find_map(|c| {
                too_long("场景代码", c, l.scenario_code).or_else(|| control("场景代码", c, false))
            })
        })
}

/// Assigns a task: stores it and queues a `task.assigned` inbox event for
/// the officer's devices, on the caller's write transaction. The officer
/// must belong to a township under `scope` (a township-code prefix, '' =
/// everywhere), else the refusal is `forbidden`; `actor` goes to the audit.
pub fn assign(
    tx: &mut dyn Conn,
    t: &NewTask,
    task_id: &str,
    now: DateTime<Utc>,
    scope: &str,
    actor: &str,
) -> Result<Result<(), Refusal>, DbError> {
    if !matches!(
        t.kind.as_str(),
        "complaint" | "random_inspection" | "follow_up"
    ) {
        return Ok(Err((
            reject::INVALID_PAYLOAD,
            format!("未知任务类型 {}", t.kind),
        )));
    }
    if t.place.trim().is_empty() || t.detail.trim().is_empty() {
        return Ok(Err((
            reject::INVALID_PAYLOAD,
            "任务地点和内容不能为空".into(),
        )));
    }
    if let Some(why) = task_text_problem(t) {
        return Ok(Err((reject::INVALID_PAYLOAD, why)));
    }
    if let Some(d) = &t.due_on
        && d.parse::<chrono::NaiveDate>().is_err()
    {
        return Ok(Err((
            reject::INVALID_PAYLOAD,
            format!("到期日 {d} 不是日期"),
        )));
    }
    let township: Option<String> = tx
        .query_opt(
            "SELECT township FROM officer WHERE id = ?1",
            p![t.officer_id],
        )?
        .map(|r| r.get(0))
        .transpose()?;
    let Some(township) = township else {
        return Ok(Err((
            reject::INVALID_PAYLOAD,
            format!("执法人员 {} 不存在", t.officer_id),
        )));
    };
    if !township.starts_with(scope) {
        return Ok(Err((
            FORBIDDEN,
            format!("执法人员 {} 不在本账号的辖区内", t.officer_id),
        )));
    }
    let at = ts(now);
    let payload = serde_json::json!({
        "task_id": task_id, "kind": t.kind, "township": township, "place": t.place,
        "party_name": t.party_name, "detail": t.detail, "due_on": t.due_on,
        "scenarios": t.scenarios, "assigned_at": at,
    });
    tx.exec(
        "INSERT INTO task (task_id, origin, kind, status, township, officer_id, place, detail, due_on,
                           payload, assigned_at)
         VALUES (?1, 'server', ?2, 'assigned', ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        p![task_id, t.kind, township, t.officer_id, t.place, t.detail, t.due_on, payload.to_string(), at],
    )?;
    // Inbox cursors follow commit order (PostgreSQL takes its lock here).
    tx.commit_ordered("inbox")?;
    tx.exec(
        "INSERT INTO inbox (event_id, officer_id, case_id, kind, payload, server_version, at)
         VALUES (?1, ?2, ?3, 'task.assigned', ?4, 1, ?5)",
        p![
            format!("task:{task_id}"),
            t.officer_id,
            task_id,
            payload.to_string(),
            at
        ],
    )?;
    crate::store::audit(tx, now, actor, "task.assign", task_id)?;
    Ok(Ok(()))
}

/// The inspection records and tasks, on the server's database.
impl crate::store::Db {
    /// Joint-inspection findings of one department (or all) in the
    /// townships under `scope` (a code prefix, '' = all); `failed_only`
    /// keeps what the department must act on. Each inspection read is
    /// audited under `actor`.
    pub fn inspection_findings(
        &self,
        department: Option<&str>,
        failed_only: bool,
        scope: &str,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<crate::inspection::DepartmentFinding>, crate::error::ApiError> {
        self.write(|tx| {
            let rows = crate::inspection::findings(tx, department, failed_only, scope)?;
            let mut seen: Vec<&str> = Vec::new();
            for f in &rows {
                if !seen.contains(&f.inspection_id.as_str()) {
                    seen.push(&f.inspection_id);
                    crate::store::audit(tx, now, actor, "inspection.read", &f.inspection_id)?;
                }
            }
            Ok(rows)
        })
    }

    /// Tasks of the townships under `scope` with their closed-loop times.
    pub fn tasks(
        &self,
        scope: &str,
    ) -> Result<Vec<crate::inspection::TaskRow>, crate::error::ApiError> {
        self.read(|c| Ok(crate::inspection::tasks(c, scope)?))
    }

    /// Assigns a task to an officer under `scope` (stored and queued to
    /// the inbox; `forbidden` outside it); returns its id.
    pub fn assign_task(
        &self,
        task: &crate::inspection::NewTask,
        now: DateTime<Utc>,
        scope: &str,
        actor: &str,
    ) -> Result<String, crate::error::ApiError> {
        let stamp = uuid::Timestamp::from_unix(
            uuid::NoContext,
            u64::try_from(now.timestamp()).unwrap_or(0),
            now.timestamp_subsec_nanos(),
        );
        let id = uuid::Uuid::new_v7(stamp).to_string();
        self.write(
            |tx| match crate::inspection::assign(tx, task, &id, now, scope, actor)? {
                Ok(()) => Ok(()),
                Err((code, msg)) => {
                    let kind = if code == crate::inspection::FORBIDDEN {
                        zhifa_protocol::ErrorKind::Forbidden
                    } else {
                        zhifa_protocol::ErrorKind::BadRequest
                    };
                    Err(crate::store::sql::Fail::Api(crate::error::ApiError::new(
                        kind,
                        msg.clone(),
                    )))
                }
            },
        )?;
        Ok(id)
    }
}
