//! Clues kept and disposed of (issue 18 item 5; migration 0015): a report
//! remembers every clue it finds ([`remember`]); supervisors and the
//! supervised units list them in their scope ([`list`]) and take the steps
//! of [`super::disposal`] on them ([`act`]). Each step is a row of
//! `supervise_clue_event` whose words are sealed by the vault, and an
//! audit row (`supervise.clue`).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::disposal::{self, Action, Actor, ClueStatus, DisposalError, Periods, State};
use super::recheck::{
    self, Recheck, RecheckDecision, RecheckError, RecheckOutcome, RecheckRequest,
};
use super::{Clue, SuperviseError};
use crate::pii::SUPERVISE_TEXT;
use crate::record::{Keeper, ts};
use crate::store::sql::{Conn, Row, Val, p};

/// A clue's id: the SHA-256 of its model, township and cases, so the same
/// pattern found again is the same clue.
pub fn clue_id(c: &Clue) -> String {
    let mut h = Sha256::new();
    for part in [c.model.as_str(), c.township.as_str()]
        .into_iter()
        .chain(c.cases.iter().map(String::as_str))
    {
        h.update(part.as_bytes());
        h.update(b"\n");
    }
    hex::encode(h.finalize())
}

/// The AAD of a step's sealed words.
pub fn text_aad(clue_id: &str, seq: i64) -> Vec<u8> {
    format!("clue:{clue_id}:event:{seq}").into_bytes()
}

/// One step taken on a clue, its words opened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ClueEvent {
    /// 1, 2, …
    pub seq: i64,
    /// When (RFC 3339).
    pub at: String,
    /// The console account.
    pub actor: String,
    /// The step.
    pub action: Action,
    /// The status after it.
    pub status: ClueStatus,
    /// Its words, if any.
    pub text: Option<String>,
}

/// A clue with its disposal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ClueRow {
    /// Its id.
    pub clue_id: String,
    /// The model that found it.
    pub model: String,
    /// The model's title, in Chinese.
    pub title: String,
    /// Township.
    pub township: String,
    /// The cases (or inspections).
    pub cases: Vec<String>,
    /// Why.
    pub reason: String,
    /// Where it stands.
    pub status: ClueStatus,
    /// The status in Chinese.
    pub status_zh: String,
    /// The track chosen (simple or general).
    pub track: Option<ClueStatus>,
    /// The reply's last day.
    #[schema(value_type = Option<String>, format = Date)]
    pub due_on: Option<NaiveDate>,
    /// First found (RFC 3339).
    pub found_at: String,
    /// Last found by a report.
    pub last_seen_at: String,
    /// Its steps, oldest first.
    pub events: Vec<ClueEvent>,
    /// The 复查 of its 监督意见书, if applied for (Art. 21).
    pub recheck: Option<Recheck>,
}

/// Clues remembered per statement.
const REMEMBER_PAGE: usize = 500;

/// Remembers `clues` (found now): new ones open, known ones seen again.
pub fn remember(
    c: &mut dyn Conn,
    clues: &[Clue],
    now: DateTime<Utc>,
) -> Result<(), SuperviseError> {
    let at = ts(now);
    // One row per id: a statement may not upsert the same row twice.
    let mut seen = std::collections::HashSet::new();
    let unique: Vec<&Clue> = clues.iter().filter(|c| seen.insert(clue_id(c))).collect();
    for page in unique.chunks(REMEMBER_PAGE) {
        let mut owned: Vec<[String; 5]> = Vec::with_capacity(page.len());
        for clue in page {
            let cases = serde_json::to_string(&clue.cases)
                .map_err(|e| SuperviseError::Corrupt(e.to_string()))?;
            owned.push([
                clue_id(clue),
                clue.model.clone(),
                clue.township.clone(),
                cases,
                clue.reason.clone(),
            ]);
        }
        let mut vals: Vec<Val<'_>> = vec![Val::Text(&at)];
        let mut rows = Vec::with_capacity(owned.len());
        for (i, o) in owned.iter().enumerate() {
            let b = 2 + i * 5;
            rows.push(format!(
                "(?{}, ?{}, ?{}, ?{}, ?{}, 'open', ?1, ?1, ?1)",
                b,
                b + 1,
                b + 2,
                b + 3,
                b + 4
            ));
            vals.extend(o.iter().map(|v| Val::Text(v)));
        }
        c.exec(
            &format!(
                "INSERT INTO supervise_clue (clue_id, model, township, cases, reason, status, found_at, last_seen_at, updated_at)
                 VALUES {}
                 ON CONFLICT (clue_id) DO UPDATE SET reason = excluded.reason, last_seen_at = excluded.last_seen_at",
                rows.join(", ")
            ),
            &vals,
        )?;
    }
    Ok(())
}

const SELECT: &str =
    "SELECT clue_id, model, township, cases, reason, status, track, due_on, found_at, last_seen_at
     FROM supervise_clue";

fn status_of(s: &str) -> Result<ClueStatus, SuperviseError> {
    ClueStatus::parse(s).ok_or_else(|| SuperviseError::Corrupt(format!("clue status {s:?}")))
}

fn row_of(c: &mut dyn Conn, k: &Keeper, r: &Row) -> Result<ClueRow, SuperviseError> {
    let id: String = r.get(0)?;
    let events = c.query(&format!("{EVENTS} WHERE clue_id = ?1 ORDER BY seq"), p![id])?;
    let events = events
        .iter()
        .map(|e| event_of(c, k, e))
        .collect::<Result<Vec<_>, _>>()?;
    let recheck = recheck::of_clue(c, k, &id)?;
    row_with(r, events, recheck)
}

const EVENTS: &str =
    "SELECT clue_id, seq, at, actor, action, status, text FROM supervise_clue_event";

/// One step of a clue from its row (`EVENTS`' columns), its words opened.
fn event_of(c: &mut dyn Conn, k: &Keeper, e: &Row) -> Result<ClueEvent, SuperviseError> {
    let id: String = e.get(0)?;
    let seq: i64 = e.get(1)?;
    let sealed: Option<String> = e.get(6)?;
    let text = match sealed {
        Some(s) => Some(
            String::from_utf8(k.seal.open(c, SUPERVISE_TEXT, &text_aad(&id, seq), &s)?)
                .map_err(|e| SuperviseError::Corrupt(e.to_string()))?,
        ),
        None => None,
    };
    let action: String = e.get(4)?;
    Ok(ClueEvent {
        seq,
        at: e.get(2)?,
        actor: e.get(3)?,
        action: serde_json::from_value(serde_json::Value::String(action))
            .map_err(|e| SuperviseError::Corrupt(e.to_string()))?,
        status: status_of(&e.get::<String>(5)?)?,
        text,
    })
}

/// A clue from its row (`SELECT`'s columns) and its steps.
fn row_with(
    r: &Row,
    out: Vec<ClueEvent>,
    recheck: Option<recheck::Recheck>,
) -> Result<ClueRow, SuperviseError> {
    let id: String = r.get(0)?;
    let status = status_of(&r.get::<String>(5)?)?;
    let due: Option<String> = r.get(7)?;
    let model: String = r.get(1)?;
    let title = super::models::MODELS
        .iter()
        .find(|m| m.name == model)
        .map_or("问题线索", |m| m.title)
        .to_owned();
    Ok(ClueRow {
        recheck,
        clue_id: id,
        model,
        title,
        township: r.get(2)?,
        cases: serde_json::from_str(&r.get::<String>(3)?)
            .map_err(|e| SuperviseError::Corrupt(e.to_string()))?,
        reason: r.get(4)?,
        status,
        status_zh: status.label_zh().to_owned(),
        track: r
            .get::<Option<String>>(6)?
            .as_deref()
            .map(status_of)
            .transpose()?,
        due_on: due
            .map(|d| d.parse())
            .transpose()
            .map_err(|e| SuperviseError::Corrupt(format!("due_on: {e}")))?,
        found_at: r.get(8)?,
        last_seen_at: r.get(9)?,
        events: out,
    })
}

/// Which clues of a scope a list holds.
#[derive(Debug, Clone, Copy, Default)]
pub struct Filter<'a> {
    /// Only those in this status.
    pub status: Option<ClueStatus>,
    /// Only these ids.
    pub ids: Option<&'a [String]>,
}

/// The clues of the townships under `scope` that `filter` lets through,
/// newest first. Audited under `actor`.
pub fn list(
    c: &mut dyn Conn,
    k: &Keeper,
    scope: &str,
    filter: Filter<'_>,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<Vec<ClueRow>, SuperviseError> {
    let status = filter.status;
    let (mut cond, mut params) = super::scope_where(scope, None, 1);
    if let Some(s) = status {
        params.push(s.as_str().to_owned());
        cond = format!("{cond} AND status = ?{}", params.len());
    }
    if let Some(ids) = filter.ids {
        if ids.is_empty() {
            cond = format!("{cond} AND 1 = 0");
        } else {
            let first = params.len() + 1;
            params.extend(ids.iter().cloned());
            let marks: Vec<String> = (first..first + ids.len())
                .map(|i| format!("?{i}"))
                .collect();
            cond = format!("{cond} AND clue_id IN ({})", marks.join(", "));
        }
    }
    let vals: Vec<Val<'_>> = params.iter().map(|p| Val::Text(p)).collect();
    let rows = c.query(
        &format!("{SELECT} WHERE {cond} ORDER BY found_at DESC, clue_id"),
        &vals,
    )?;
    // Every step of those clues in one statement (not one per clue).
    let steps = c.query(
        &format!(
            "{EVENTS} WHERE clue_id IN (SELECT clue_id FROM supervise_clue WHERE {cond})
             ORDER BY clue_id, seq"
        ),
        &vals,
    )?;
    let mut by: std::collections::HashMap<String, Vec<ClueEvent>> =
        std::collections::HashMap::new();
    for e in &steps {
        let ev = event_of(c, k, e)?;
        by.entry(e.get(0)?).or_default().push(ev);
    }
    // And their 复查s, likewise.
    let mut rechecks = recheck::of_clues(
        c,
        k,
        &format!("SELECT clue_id FROM supervise_clue WHERE {cond}"),
        &vals,
    )?;
    let out = rows
        .iter()
        .map(|r| {
            let id = r.get::<String>(0)?;
            row_with(r, by.remove(&id).unwrap_or_default(), rechecks.remove(&id))
        })
        .collect::<Result<Vec<_>, _>>()?;
    crate::store::audit(
        c,
        now,
        actor,
        "supervise.clues",
        &format!(
            "scope={scope}&status={}",
            status.map_or("", ClueStatus::as_str)
        ),
    )?;
    Ok(out)
}

/// Why a step on a clue was not taken.
#[derive(Debug, thiserror::Error)]
pub enum ClueError {
    /// Supervision storage.
    #[error(transparent)]
    Supervise(#[from] SuperviseError),
    /// No such clue in the account's scope.
    #[error("没有找到该线索，或不在本账号辖区")]
    NotFound,
    /// The disposal rules refuse the step.
    #[error(transparent)]
    Refused(#[from] DisposalError),
}

impl From<crate::store::sql::DbError> for ClueError {
    fn from(e: crate::store::sql::DbError) -> Self {
        Self::Supervise(e.into())
    }
}

impl From<crate::record::RecordError> for ClueError {
    fn from(e: crate::record::RecordError) -> Self {
        Self::Supervise(e.into())
    }
}

impl crate::store::AreaError for ClueError {
    fn into_db(self) -> Result<crate::store::sql::DbError, Self> {
        match self {
            Self::Supervise(SuperviseError::Db(e)) => Ok(e),
            other => Err(other),
        }
    }
}

/// One step asked for.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct ClueStep {
    /// The step.
    pub action: Action,
    /// Its words (an opinion, a reply, a reason); empty for the others.
    #[serde(default)]
    pub text: String,
}

/// Takes `step` on clue `id` for `actor` (an account of `kind` whose scope
/// is `scope`) on `today`; the clue as it now stands.
#[allow(clippy::too_many_arguments)] // the step, its actor and its time, each needed
pub fn act(
    c: &mut dyn Conn,
    k: &Keeper,
    id: &str,
    step: &ClueStep,
    kind: Actor,
    actor: &str,
    scope: &str,
    now: DateTime<Utc>,
    periods: &Periods,
) -> Result<ClueRow, ClueError> {
    let (cond, mut params) = super::scope_where(scope, None, 2);
    params.insert(0, id.to_owned());
    let vals: Vec<Val<'_>> = params.iter().map(|p| Val::Text(p)).collect();
    let Some(r) = c.query_opt(&format!("{SELECT} WHERE clue_id = ?1 AND {cond}"), &vals)? else {
        return Err(ClueError::NotFound);
    };
    let due: Option<String> = r.get(7)?;
    let state = State {
        status: status_of(&r.get::<String>(5)?)?,
        track: r
            .get::<Option<String>>(6)?
            .as_deref()
            .map(status_of)
            .transpose()?,
        due_on: due.and_then(|d| d.parse().ok()),
    };
    let today = zhifa_core::procedure::beijing_date(now);
    let next = disposal::apply(state, step.action, kind, &step.text, today, periods)?;
    append_event(c, k, id, step.action, next, &step.text, actor, now)?;
    crate::store::audit(
        c,
        now,
        actor,
        "supervise.clue",
        &format!("{id}:{}", step.action.as_str()),
    )?;
    Ok(row_of(c, k, &r).map(|mut row| {
        row.status = next.status;
        row.status_zh = next.status.label_zh().to_owned();
        row.track = next.track;
        row.due_on = next.due_on;
        row
    })?)
}

/// Appends `action` (its words sealed) to clue `id`'s steps and sets the
/// clue to `next`.
#[allow(clippy::too_many_arguments)] // the step, its words, actor and time
fn append_event(
    c: &mut dyn Conn,
    k: &Keeper,
    id: &str,
    action: Action,
    next: State,
    text: &str,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<(), SuperviseError> {
    let seq: i64 = c
        .query_one(
            "SELECT COALESCE(MAX(seq), 0) + 1 FROM supervise_clue_event WHERE clue_id = ?1",
            p![id],
        )?
        .get(0)?;
    let text = text.trim();
    let sealed = if text.is_empty() {
        None
    } else {
        Some(
            k.seal
                .seal(c, SUPERVISE_TEXT, &text_aad(id, seq), text.as_bytes())?,
        )
    };
    let at = ts(now);
    c.exec(
        "INSERT INTO supervise_clue_event (clue_id, seq, at, actor, action, status, text)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        p![
            id,
            seq,
            at,
            actor,
            action.as_str(),
            next.status.as_str(),
            sealed
        ],
    )?;
    c.exec(
        "UPDATE supervise_clue SET status = ?2, track = ?3, due_on = ?4, updated_at = ?5 WHERE clue_id = ?1",
        p![
            id,
            next.status.as_str(),
            next.track.map(|t| t.as_str().to_owned()),
            next.due_on.map(|d| d.to_string()),
            at
        ],
    )?;
    Ok(())
}

/// Clue `id` if it lies under `scope`, as it stands.
pub fn one(
    c: &mut dyn Conn,
    k: &Keeper,
    id: &str,
    scope: &str,
) -> Result<Option<ClueRow>, SuperviseError> {
    let (cond, mut params) = super::scope_where(scope, None, 2);
    params.insert(0, id.to_owned());
    let vals: Vec<Val<'_>> = params.iter().map(|p| Val::Text(p)).collect();
    match c.query_opt(&format!("{SELECT} WHERE clue_id = ?1 AND {cond}"), &vals)? {
        Some(r) => Ok(Some(row_of(c, k, &r)?)),
        None => Ok(None),
    }
}

/// The day (Beijing) the clue's latest 监督意见书 was issued — received
/// by the unit in the console that day; `None` when none was issued.
fn opinion_received_on(row: &ClueRow) -> Option<NaiveDate> {
    row.events
        .iter()
        .rev()
        .find(|e| e.action == Action::General)
        .and_then(|e| DateTime::parse_from_rfc3339(&e.at).ok())
        .map(|t| zhifa_core::procedure::beijing_date(t.with_timezone(&Utc)))
}

/// The supervised unit applies for the 复查 of clue `id`'s 监督意见书
/// (Art. 21 ¶1) on the township's working-day calendar; audited
/// `supervise.recheck`.
pub fn request_recheck(
    c: &mut dyn Conn,
    k: &Keeper,
    id: &str,
    req: &RecheckRequest,
    actor: &str,
    scope: &str,
    now: DateTime<Utc>,
) -> Result<ClueRow, RecheckError> {
    let row = one(c, k, id, scope)?.ok_or(RecheckError::NotFound)?;
    let reason = req.reason.trim();
    if reason.is_empty() {
        return Err(RecheckError::TextMissing("申请复查的理由"));
    }
    if row.recheck.is_some() {
        return Err(RecheckError::Already);
    }
    let received_on = opinion_received_on(&row).ok_or(RecheckError::NoDecision)?;
    if row.status == ClueStatus::Dismissed {
        return Err(RecheckError::NoDecision);
    }
    let today = zhifa_core::procedure::beijing_date(now);
    let pkg = crate::procedure::release_of(c, k, &row.township, today)
        .map_err(|e| RecheckError::Calendar(e.to_string()))?;
    let request_due = recheck::check_in_time(&pkg.calendar, received_on, today)?;
    let decision_due = recheck::decision_due(&pkg.calendar, today)?;
    recheck::insert(
        c,
        k,
        id,
        &row.township,
        received_on,
        request_due,
        today,
        decision_due,
        &ts(now),
        actor,
        reason,
    )?;
    crate::store::audit(c, now, actor, "supervise.recheck", id)?;
    one(c, k, id, scope)?.ok_or(RecheckError::NotFound)
}

/// The supervisor decides the pending 复查 of clue `id` (Art. 21 ¶2):
/// 维持 leaves the clue as it is; 撤销 dismisses it with the reasons;
/// 变更 issues the changed opinion as a new 监督意见书 with a new reply
/// period. Audited `supervise.recheck_decision`.
#[allow(clippy::too_many_arguments)] // the decision, its actor and time
pub fn decide_recheck(
    c: &mut dyn Conn,
    k: &Keeper,
    id: &str,
    d: &RecheckDecision,
    actor: &str,
    scope: &str,
    now: DateTime<Utc>,
    periods: &Periods,
) -> Result<ClueRow, RecheckError> {
    let row = one(c, k, id, scope)?.ok_or(RecheckError::NotFound)?;
    if row.recheck.as_ref().is_none_or(|r| r.outcome.is_some()) {
        return Err(RecheckError::NotPending);
    }
    let reason = d.reason.trim();
    if reason.is_empty() {
        return Err(RecheckError::TextMissing("复查决定的理由"));
    }
    let opinion = d.opinion.trim();
    if d.outcome == RecheckOutcome::Changed && opinion.is_empty() {
        return Err(RecheckError::TextMissing("变更后的监督意见"));
    }
    recheck::record_decision(c, k, id, d.outcome, reason, &ts(now), actor)?;
    let today = zhifa_core::procedure::beijing_date(now);
    match d.outcome {
        RecheckOutcome::Upheld => {}
        RecheckOutcome::Revoked => {
            let next = State {
                status: ClueStatus::Dismissed,
                track: row.track,
                due_on: None,
            };
            let text = format!("复查决定撤销监督处理决定：{reason}");
            append_event(c, k, id, Action::Dismiss, next, &text, actor, now)?;
        }
        RecheckOutcome::Changed => {
            let next = State {
                status: ClueStatus::General,
                track: Some(ClueStatus::General),
                due_on: today.checked_add_signed(chrono::Duration::days(periods.general_days)),
            };
            append_event(c, k, id, Action::General, next, opinion, actor, now)?;
        }
    }
    crate::store::audit(
        c,
        now,
        actor,
        "supervise.recheck_decision",
        &format!("{id}:{}", d.outcome.as_str()),
    )?;
    one(c, k, id, scope)?.ok_or(RecheckError::NotFound)
}
