//! The normal procedure (普通程序) at the centre (issue 16 item 3;
//! migration `0017_procedure`): the system of record of every
//! normal-procedure case, one append-only log of steps shared by the
//! officer's device and the centre's console.
//!
//! - A device pushes its officer's steps as `procedure/event` mutations
//!   (`crate::push::procedure`); the console's accounts record the centre's steps (立案审批,
//!   案件审核, 法制审核, 集体讨论, the 负责人's approvals, the decision,
//!   公示, 结案, 归档) through [`routes`]. Both go through [`append`], which
//!   folds the stored log with the procedure core
//!   (`zhifa_core::procedure::apply`) and appends the step only if the core
//!   accepts it: an unlawful step changes nothing and its refusal names the
//!   article (`procedure_refused` to a device, 400 with the core's code to
//!   the console).
//! - The server is the sequencer: a step's `seq` is its place in the
//!   centre's log. A step the centre records reaches the officer's device
//!   as a `procedure.event` inbox event carrying the step and its `seq`, so
//!   the device's copy of the log is the centre's.
//! - Every step is sealed by the vault (purpose `procedure`, AAD = case
//!   and seq); the step's name, actor, role and time stay in clear for the
//!   queues. The case's details (party, facts) are sealed too.
//! - Clocks come from the core's deadline engine on the township's
//!   calendar (the catalogue release in force); the township settings
//!   Chongqing has not published are the core's [`ProcedureConfig`]
//!   defaults, marked unverified where the console shows them.
//! - The decision (行政处罚决定书) is numbered from the township's
//!   normal-procedure series and rendered and sealed on the server only
//!   ([`documents`]); the centre's other documents (立案审批表, 集体讨论记录,
//!   催告书, 强制执行申请书, 结案审批表) are rendered and held at their step
//!   ([`issued`]); 公示 is a public page of the published decisions
//!   ([`publication`]).

pub mod archive;
mod doc_ctx;
pub mod documents;
pub mod hearing;
pub mod issued;
pub mod publication;
pub mod routes;
pub mod view;

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use zhifa_core::ErrorCode;
use zhifa_core::catalogue::model::Package;
use zhifa_core::procedure::{
    CaseState, ProcedureConfig, ProcedureError, ProcedureEvent, Stage, apply, fold,
};
use zhifa_protocol::mutation::NormalCaseDetails;

use crate::pii::PROCEDURE;
use crate::record::{Keeper, RecordError, ts};
use crate::store::sql::{Conn, DbError, Row, Val, p};

/// The AAD of a sealed step.
pub fn event_aad(case_id: &str, seq: i64) -> Vec<u8> {
    format!("procedure:{case_id}:event:{seq}").into_bytes()
}

/// The AAD of a case's sealed details.
pub fn details_aad(case_id: &str) -> Vec<u8> {
    format!("procedure:{case_id}:details").into_bytes()
}

/// Why a normal-procedure request was not carried out.
#[derive(Debug, thiserror::Error)]
pub enum CaseError {
    /// The database.
    #[error(transparent)]
    Db(#[from] DbError),
    /// Sealing or a stored row failed.
    #[error(transparent)]
    Record(#[from] RecordError),
    /// No such case in the caller's scope.
    #[error("普通程序案件 {0} 不存在或不在本账号的辖区内")]
    NotFound(String),
    /// The caller may not take this step.
    #[error("{0}")]
    Forbidden(String),
    /// The procedure core refuses the step (its message names the article).
    #[error(transparent)]
    Refused(#[from] ProcedureError),
    /// The request is malformed.
    #[error("{0}")]
    Invalid(String),
    /// No catalogue release (with its calendar) is in force for the
    /// township on the day.
    #[error("属地 {township} 在 {on} 没有生效的事项目录与工作日历，无法计算期限")]
    NoCalendar {
        /// The township.
        township: String,
        /// The day.
        on: NaiveDate,
    },
    /// The stored log no longer folds (never expected: every stored step
    /// was accepted by the same core).
    #[error("案件记录损坏：{0}")]
    Corrupt(String),
    /// A document could not be rendered or stored.
    #[error("文书生成失败：{0}")]
    Document(String),
}

crate::store::area_error!(CaseError);

impl CaseError {
    /// A stable snake_case code (the core's own `UPPER_SNAKE` code for a
    /// refusal).
    pub fn code(&self) -> &'static str {
        match self {
            Self::Db(_) => "storage",
            Self::Record(e) => e.code(),
            Self::NotFound(_) => "procedure_not_found",
            Self::Forbidden(_) => "procedure_forbidden",
            Self::Refused(e) => e.code(),
            Self::Invalid(_) => "procedure_invalid",
            Self::NoCalendar { .. } => "procedure_no_calendar",
            Self::Corrupt(_) => "procedure_corrupt",
            Self::Document(_) => "procedure_document",
        }
    }
}

/// The stored form of a stage (its serde name, e.g. `legal_reviewed`).
pub fn stage_str(s: Stage) -> String {
    match serde_json::to_value(s) {
        Ok(serde_json::Value::String(v)) => v,
        // A unit variant always serializes to its name.
        _ => format!("{s:?}"),
    }
}

/// Parses [`stage_str`].
pub fn parse_stage(s: &str) -> Option<Stage> {
    serde_json::from_value(serde_json::Value::String(s.to_owned())).ok()
}

/// The row of a case: where it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseRow {
    /// The case.
    pub case_id: String,
    /// Its township.
    pub township: String,
    /// The officer whose device holds it.
    pub officer_id: String,
    /// That device.
    pub device_id: String,
    /// Where it stands.
    pub stage: Stage,
    /// Steps in the log.
    pub events: i64,
    /// The decision's number.
    pub decision_number: Option<String>,
    /// The matter.
    pub matter_code: Option<String>,
    /// Last change (RFC 3339).
    pub updated_at: String,
}

const CASE_COLS: &str = "case_id, township, officer_id, device_id, stage, events, decision_number, matter_code, updated_at";

fn case_row(r: &Row) -> Result<CaseRow, CaseError> {
    let stage: String = r.get(4)?;
    Ok(CaseRow {
        case_id: r.get(0)?,
        township: r.get(1)?,
        officer_id: r.get(2)?,
        device_id: r.get(3)?,
        stage: parse_stage(&stage)
            .ok_or_else(|| CaseError::Corrupt(format!("未知的案件状态 {stage}")))?,
        events: r.get(5)?,
        decision_number: r.get(6)?,
        matter_code: r.get(7)?,
        updated_at: r.get(8)?,
    })
}

/// The row of `case_id`, if the server holds it.
pub fn case_of(c: &mut dyn Conn, case_id: &str) -> Result<Option<CaseRow>, CaseError> {
    c.query_opt(
        &format!("SELECT {CASE_COLS} FROM procedure_case WHERE case_id = ?1"),
        p![case_id],
    )?
    .map(|r| case_row(&r))
    .transpose()
}

/// The log of `case_id`, opened, in order.
pub fn events_of(
    c: &mut dyn Conn,
    k: &Keeper,
    case_id: &str,
) -> Result<Vec<ProcedureEvent>, CaseError> {
    let rows = c.query(
        "SELECT seq, event FROM procedure_event WHERE case_id = ?1 ORDER BY seq",
        p![case_id],
    )?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let (seq, sealed): (i64, String) = (r.get(0)?, r.get(1)?);
        let plain = k
            .seal
            .open(c, PROCEDURE, &event_aad(case_id, seq), &sealed)?;
        let e: ProcedureEvent = serde_json::from_slice(&plain)
            .map_err(|e| CaseError::Corrupt(format!("{case_id} 第 {seq} 步：{e}")))?;
        out.push(e);
    }
    Ok(out)
}

/// The logs of `case_ids`, opened, by case (each in the order of its
/// steps; a step that does not decode makes its case's log `Corrupt`, as
/// [`events_of`] would): one statement per 500 cases, not one per case
/// (the deadline monitor folds a whole scope; `crate::supervise::deadlines`).
pub fn events_of_many(
    c: &mut dyn Conn,
    k: &Keeper,
    case_ids: &[String],
) -> Result<HashMap<String, Result<Vec<ProcedureEvent>, CaseError>>, CaseError> {
    let mut out: HashMap<String, Result<Vec<ProcedureEvent>, CaseError>> = case_ids
        .iter()
        .map(|id| (id.clone(), Ok(Vec::new())))
        .collect();
    for page in case_ids.chunks(500) {
        let marks: Vec<String> = (1..=page.len()).map(|i| format!("?{i}")).collect();
        let vals: Vec<Val<'_>> = page.iter().map(|id| Val::Text(id)).collect();
        let rows = c.query(
            &format!(
                "SELECT case_id, seq, event FROM procedure_event WHERE case_id IN ({}) ORDER BY case_id, seq",
                marks.join(", ")
            ),
            &vals,
        )?;
        for r in rows {
            let (case_id, seq, sealed): (String, i64, String) = (r.get(0)?, r.get(1)?, r.get(2)?);
            let plain = k
                .seal
                .open(c, PROCEDURE, &event_aad(&case_id, seq), &sealed)?;
            let event = serde_json::from_slice::<ProcedureEvent>(&plain)
                .map_err(|e| CaseError::Corrupt(format!("{case_id} 第 {seq} 步：{e}")));
            match (out.get_mut(&case_id), event) {
                (Some(Ok(log)), Ok(e)) => log.push(e),
                (Some(slot @ Ok(_)), Err(e)) => *slot = Err(e),
                _ => {}
            }
        }
    }
    Ok(out)
}

/// The details of `case_id`, opened.
pub fn details_of(
    c: &mut dyn Conn,
    k: &Keeper,
    case_id: &str,
) -> Result<Option<NormalCaseDetails>, CaseError> {
    let Some(r) = c.query_opt(
        "SELECT details FROM procedure_case WHERE case_id = ?1",
        p![case_id],
    )?
    else {
        return Ok(None);
    };
    let Some(sealed) = r.get::<Option<String>>(0)? else {
        return Ok(None);
    };
    let plain = k.seal.open(c, PROCEDURE, &details_aad(case_id), &sealed)?;
    serde_json::from_slice(&plain)
        .map(Some)
        .map_err(|e| CaseError::Corrupt(format!("{case_id} 案件信息：{e}")))
}

/// The township's procedure settings. Chongqing has published none of
/// them (research §5): every township runs on the core's defaults, each
/// marked unverified where it is shown.
pub fn config_of(_township: &str) -> ProcedureConfig {
    ProcedureConfig::default()
}

/// The catalogue release in force for `township` on `on` (its calendar
/// counts the working days).
pub fn release_of(
    c: &mut dyn Conn,
    k: &Keeper,
    township: &str,
    on: NaiveDate,
) -> Result<Arc<Package>, CaseError> {
    k.releases
        .in_force(c, township, on)?
        .ok_or_else(|| CaseError::NoCalendar {
            township: township.to_owned(),
            on,
        })
}

/// The state of a log (the fold), or why the stored log does not fold.
pub fn state_of(
    events: &[ProcedureEvent],
    config: &ProcedureConfig,
    pkg: &Package,
) -> Result<CaseState, CaseError> {
    fold(&in_time_order(events), config, &pkg.calendar)
        .map_err(|(i, e)| CaseError::Corrupt(format!("第 {} 步不再成立：{e}", i + 1)))
}

/// The log in the order of its steps' times (ties in the order the centre
/// accepted them): a step the officer recorded offline may reach the
/// centre after a centre step taken later, and the law judges each step
/// by when it was taken.
fn in_time_order(events: &[ProcedureEvent]) -> Vec<ProcedureEvent> {
    let mut v = events.to_vec();
    // A stable sort: equal times keep the centre's order.
    v.sort_by_key(|e| e.at);
    v
}

/// A new case: who holds it and its details (with its first step).
#[derive(Debug, Clone, Copy)]
pub struct NewCase<'a> {
    /// The officer.
    pub officer_id: &'a str,
    /// The device.
    pub device_id: &'a str,
}

/// A step appended.
#[derive(Debug, Clone)]
pub struct Appended {
    /// Its place in the log (1, 2, …).
    pub seq: i64,
    /// The case's township.
    pub township: String,
    /// The officer whose device holds the case.
    pub officer_id: String,
    /// The state after it.
    pub state: CaseState,
    /// The step as stored (a console step's time may have been moved after
    /// the last step's).
    pub event: ProcedureEvent,
}

/// Appends `event` to `case_id`'s log if the procedure core accepts it
/// against the stored log. A case that does not exist yet is created by
/// its first step (`new` and `details` given, the step a 案源登记);
/// `details`, when given for an existing case, replaces its details.
#[allow(clippy::too_many_arguments)] // the step, its case and its context
pub fn append(
    c: &mut dyn Conn,
    k: &Keeper,
    case_id: &str,
    event: &ProcedureEvent,
    new: Option<NewCase<'_>>,
    details: Option<&NormalCaseDetails>,
    now: DateTime<Utc>,
) -> Result<Appended, CaseError> {
    let row = case_of(c, case_id)?;
    let (township, officer_id, events) = match (&row, new, details) {
        (Some(r), _, _) => (
            r.township.clone(),
            r.officer_id.clone(),
            events_of(c, k, case_id)?,
        ),
        (None, Some(n), Some(d)) => {
            check_details(d)?;
            (d.township.clone(), n.officer_id.to_owned(), Vec::new())
        }
        (None, Some(_), None) => {
            return Err(CaseError::Invalid(
                "新案件的第一步（案源登记）须附当事人、事项与案情".into(),
            ));
        }
        (None, None, _) => return Err(CaseError::NotFound(case_id.to_owned())),
    };
    if let (Some(r), Some(d)) = (&row, details)
        && d.township != r.township
    {
        return Err(CaseError::Invalid(format!(
            "案件属地为 {}，不能改为 {}",
            r.township, d.township
        )));
    }
    let on = zhifa_core::procedure::beijing_date(event.at);
    let pkg = release_of(c, k, &township, on)?;
    let config = config_of(&township);
    let state = state_of(&events, &config, &pkg)?;
    let next = match state.last_at {
        // Recorded (offline) before steps the centre has taken since: the
        // log is judged again in time order with the step in its place, and
        // the step is accepted only if every step after it still holds.
        Some(last) if event.at < last => {
            let mut all = in_time_order(&events);
            let at = all.partition_point(|e| e.at <= event.at);
            all.insert(at, event.clone());
            fold(&all, &config, &pkg.calendar).map_err(|(_, e)| CaseError::Refused(e))?
        }
        _ => apply(&state, event, &config, &pkg.calendar)?,
    };
    let seq = i64::try_from(events.len()).unwrap_or(i64::MAX - 1) + 1;
    let json =
        serde_json::to_vec(event).map_err(|e| CaseError::Invalid(format!("步骤无法保存：{e}")))?;
    let sealed = k.seal.seal(c, PROCEDURE, &event_aad(case_id, seq), &json)?;
    let origin = match &event.origin {
        zhifa_core::procedure::Origin::Device(id) => format!("device:{id}"),
        zhifa_core::procedure::Origin::Console(id) => format!("console:{id}"),
    };
    c.exec(
        "INSERT INTO procedure_event (case_id, seq, step, actor, role, origin, at, event)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        p![
            case_id,
            seq,
            event.kind.name(),
            event.actor.id,
            serde_json::to_value(event.actor.role)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            origin,
            ts(event.at),
            sealed
        ],
    )?;
    let sealed_details = details
        .map(|d| {
            let json = serde_json::to_vec(d)
                .map_err(|e| CaseError::Invalid(format!("案件信息无法保存：{e}")))?;
            Ok::<_, CaseError>(k.seal.seal(c, PROCEDURE, &details_aad(case_id), &json)?)
        })
        .transpose()?;
    let day = |d: Option<NaiveDate>| d.map(|d| d.to_string());
    let number = next.decision.as_ref().map(|d| d.number.clone());
    let decided = next.decision.as_ref().map(|d| d.on);
    match (&row, new) {
        (None, Some(n)) => {
            let d = details.ok_or_else(|| CaseError::Invalid("缺少案件信息".into()))?;
            c.exec(
                "INSERT INTO procedure_case (case_id, township, district, officer_id, device_id, stage,
                     events, details, matter_code, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)",
                p![
                    case_id,
                    township,
                    township.chars().take(6).collect::<String>(),
                    n.officer_id,
                    n.device_id,
                    stage_str(next.stage),
                    seq,
                    sealed_details,
                    d.matter_code,
                    ts(now)
                ],
            )?;
        }
        _ => {
            c.exec(
                "UPDATE procedure_case SET stage = ?2, events = ?3, details = coalesce(?4, details),
                     matter_code = coalesce(?5, matter_code), decision_number = ?6, filed_on = ?7,
                     decided_on = ?8, closed_on = ?9, updated_at = ?10
                 WHERE case_id = ?1",
                p![
                    case_id,
                    stage_str(next.stage),
                    seq,
                    sealed_details,
                    details.map(|d| d.matter_code.clone()),
                    number,
                    day(next.filed_on),
                    day(decided),
                    day(next.closed_on),
                    ts(now)
                ],
            )?;
        }
    }
    // The supervision cockpit refreshes this township's stored indicators.
    crate::supervise::dirty::mark(c, &township)?;
    Ok(Appended {
        seq,
        township,
        officer_id,
        state: next,
        event: event.clone(),
    })
}

/// The details' own checks (the core checks the steps).
fn check_details(d: &NormalCaseDetails) -> Result<(), CaseError> {
    if d.township.len() != 9 || !d.township.bytes().all(|b| b.is_ascii_digit()) {
        return Err(CaseError::Invalid(format!(
            "属地代码应为 9 位数字：{}",
            d.township
        )));
    }
    if d.party.name.trim().is_empty() || d.matter_code.trim().is_empty() {
        return Err(CaseError::Invalid("当事人与违法事项不能为空".into()));
    }
    if d.facts.trim().is_empty() {
        return Err(CaseError::Invalid("案情不能为空".into()));
    }
    Ok(())
}

/// What a `procedure.event` inbox event carries to the device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboxStep {
    /// The step's place in the centre's log.
    pub seq: i64,
    /// The step.
    pub event: ProcedureEvent,
}

/// Queues the step the centre recorded for the officer whose device holds
/// the case (inbox kind `procedure.event`).
pub fn to_inbox(
    tx: &mut dyn Conn,
    a: &Appended,
    case_id: &str,
    event: &ProcedureEvent,
    now: DateTime<Utc>,
) -> Result<(), CaseError> {
    let payload = serde_json::to_string(&InboxStep {
        seq: a.seq,
        event: event.clone(),
    })
    .map_err(|e| CaseError::Invalid(format!("步骤无法发送：{e}")))?;
    // Inbox cursors follow commit order (PostgreSQL takes its lock here).
    tx.commit_ordered("inbox")?;
    tx.exec(
        "INSERT INTO inbox (event_id, officer_id, case_id, kind, payload, server_version, at)
         VALUES (?1, ?2, ?3, 'procedure.event', ?4, ?5, ?6)",
        p![
            format!("procedure:{case_id}:{}", a.seq),
            a.officer_id,
            case_id,
            payload,
            a.seq,
            ts(now)
        ],
    )?;
    Ok(())
}

/// A document of the case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CaseDocument {
    /// Kind (`penalty_decision`, `dossier`, …).
    pub kind: String,
    /// Title.
    pub title: String,
    /// Number, if any.
    pub number: Option<String>,
    /// SHA-256 of the PDF (its address: `…/files/{sha256}`).
    pub sha256: String,
    /// Size in bytes.
    pub size: i64,
    /// The document hash (SHA-256 of its canonical fields) its QR and
    /// seal name.
    pub document_hash: Option<String>,
}

/// The decision number of `row`'s case: the one already reserved for it,
/// or the next of its township's series for the year of `now` (Beijing).
/// The format `{镇街代字}罚决字〔{year}〕第{seq}号` follows the model
/// documents the research cites (§1.5); the series is the server's alone,
/// so two decisions never share a number.
pub fn decision_number(
    c: &mut dyn Conn,
    k: &Keeper,
    row: &CaseRow,
    now: DateTime<Utc>,
) -> Result<String, CaseError> {
    if let Some(r) = c.query_opt(
        "SELECT number FROM procedure_number WHERE case_id = ?1",
        p![row.case_id],
    )? {
        return Ok(r.get(0)?);
    }
    let short = details_of(c, k, &row.case_id)?
        .map(|d| d.authority.short_name)
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| CaseError::Invalid("案件缺少执法机关代字，无法编号".into()))?;
    let year = i64::from(zhifa_core::procedure::beijing_date(now).year());
    let seq: i64 = c
        .query_one(
            "SELECT coalesce(max(seq), 0) + 1 FROM procedure_number WHERE township = ?1 AND year = ?2",
            p![row.township, year],
        )?
        .get(0)?;
    let number = format!("{short}罚决字〔{year}〕第{seq}号");
    c.exec(
        "INSERT INTO procedure_number (township, year, seq, case_id, number, at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        p![row.township, year, seq, row.case_id, number, ts(now)],
    )?;
    Ok(number)
}

/// The documents of a case: those the centre issued and those the
/// officer's device made and uploaded, in the order they arrived.
pub fn documents_of(c: &mut dyn Conn, case_id: &str) -> Result<Vec<CaseDocument>, CaseError> {
    let rows = c.query(
        "SELECT kind, title, number, sha256, size, document_sha256 FROM record_document
         WHERE case_id = ?1 ORDER BY received_at, kind",
        p![case_id],
    )?;
    rows.into_iter()
        .map(|r| {
            Ok(CaseDocument {
                kind: r.get(0)?,
                title: r.get(1)?,
                number: r.get(2)?,
                sha256: r.get(3)?,
                size: r.get(4)?,
                document_hash: r.get(5)?,
            })
        })
        .collect()
}

/// A decided outcome in words, as the 卷宗's cover and the 公示 print it.
pub fn outcome_words(outcome: &zhifa_core::procedure::Outcome) -> String {
    use zhifa_core::procedure::{Outcome, PenaltyKind};
    match outcome {
        Outcome::Penalty { penalty } => {
            let mut parts: Vec<String> = penalty
                .kinds
                .iter()
                .filter(|k| **k != PenaltyKind::Fine)
                .map(|k| k.label_zh().to_owned())
                .collect();
            if penalty.fine_fen > 0 {
                parts.push(format!(
                    "罚款{}",
                    zhifa_core::money::format_yuan(penalty.fine_fen)
                ));
            }
            parts.join("，")
        }
        Outcome::NoPenaltyMinor => "违法行为轻微，不予行政处罚".to_owned(),
        Outcome::NotEstablished => "违法事实不能成立，不予行政处罚".to_owned(),
        Outcome::Transfer => "涉嫌犯罪，移送司法机关".to_owned(),
    }
}
