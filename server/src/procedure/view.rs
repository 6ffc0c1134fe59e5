//! The normal procedure as the console sees it (issue 16 item 3), without
//! HTTP: which procedure role a console account acts in
//! ([`console_role`]), what a case waits for, the queue rows and the case
//! view with its clocks, and recording a centre step on a transaction. The
//! HTTP handlers are `super::routes`; the decision and the 卷宗 are
//! `super::documents` and `super::archive`.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use zhifa_core::procedure::deadline::ClockSense;
use zhifa_core::procedure::{
    Actor, CaseState, EventKind, Level, Origin, ProcedureEvent, Role, Stage, beijing_date,
    open_clocks,
};
use zhifa_protocol::mutation::NormalCaseDetails;

use super::{
    CaseDocument, CaseError, CaseRow, case_of, config_of, details_of, events_of, release_of,
    state_of,
};
use crate::console::{Staff, StaffRole};
use crate::record::Keeper;
use crate::store::audit;
use crate::store::sql::{Conn, Val, p};

/// The procedure role a console account acts in for a step, or `None`
/// when the account's role takes no part in it: the 负责人 (approver)
/// approves and decides as 行政机关负责人; the 法制审核 body reviews
/// (案件审核 as 审核人, 法制审核 as 法制审核人员 with its 法律职业资格
/// number), presides over hearings (not an investigator, Art. 64(四)) and
/// publishes; the administrator files the 卷宗 as 档案员. Whether the step
/// is lawful at this point is the core's question, not this one's.
pub fn console_role(staff: StaffRole, kind: &EventKind) -> Option<Role> {
    use EventKind as K;
    match (staff, kind) {
        (
            StaffRole::Approver,
            K::File
            | K::DeclineFiling { .. }
            | K::RegisterSave { .. }
            | K::DisposeSave { .. }
            | K::Seize { .. }
            | K::ExtendSeizure { .. }
            | K::ReleaseSeizure { .. }
            | K::ApproveProposal
            | K::DiscussCollectively { .. }
            | K::ExtendDecision { .. }
            | K::Decide { .. }
            | K::ApproveDeferral { .. }
            | K::Remind
            | K::ApplyToCourt
            | K::Close { .. }
            | K::Withdraw { .. }
            | K::Revoke { .. },
        ) => Some(Role::Leader),
        (StaffRole::LegalReview, K::ReviewCase { .. } | K::Publish | K::SubmitLegalReview) => {
            Some(Role::CaseReviewer)
        }
        (StaffRole::LegalReview, K::LegalReview { .. }) => Some(Role::LegalReviewer),
        (StaffRole::LegalReview, K::NoticeHearing { .. } | K::HoldHearing { .. }) => {
            Some(Role::Presider)
        }
        (StaffRole::Administrator, K::Archive) => Some(Role::Archivist),
        _ => None,
    }
}

/// A clock as the console shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ClockView {
    /// The clock (`decision`, `service`, …).
    pub kind: String,
    /// Its name in Chinese.
    pub label: String,
    /// Its last day.
    pub due: NaiveDate,
    /// `normal` | `yellow` (near) | `red` (run out).
    pub level: String,
    /// The article(s).
    pub basis: String,
    /// Whether the length is a township setting Chongqing has not
    /// published (the research's default).
    pub unverified: bool,
    /// A waiting period (no step before it ends) rather than a deadline.
    pub waiting: bool,
}

/// A case in a queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CaseSummary {
    /// The case.
    pub case_id: String,
    /// Township.
    pub township: String,
    /// Where it stands (S0–S18).
    pub stage: String,
    /// The state's number, e.g. `S9`.
    pub stage_number: String,
    /// Its name in Chinese.
    pub stage_label: String,
    /// The centre's acts it waits for (待审批).
    pub waiting_for: Vec<String>,
    /// The party, masked.
    pub party: String,
    /// The matter.
    pub matter: String,
    /// The decision's number.
    pub decision_number: Option<String>,
    /// The nearest deadline.
    pub nearest: Option<ClockView>,
    /// Steps in the log.
    pub events: i64,
    /// Last change (RFC 3339).
    pub updated_at: String,
}

/// One step of the log as the console shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StepView {
    /// Its place in the log.
    pub seq: i64,
    /// The step's name in Chinese.
    pub label: String,
    /// The actor.
    pub actor: String,
    /// The actor's role in Chinese.
    pub role: String,
    /// When.
    pub at: DateTime<Utc>,
    /// Where it was recorded: `device:…` or `console:…`.
    pub origin: String,
    /// The article(s).
    pub basis: Vec<String>,
    /// The server's seal (a decision: Ed25519, hex, over
    /// `ZHIFA-SEAL:1:{document_hash}` with the badge key).
    pub signature: Option<String>,
    /// The step and its data.
    pub event: EventKind,
}

/// What the party owes on a day: the fine unpaid and the surcharge
/// accrued (行政处罚法 Art. 72(一), at most the fine: 行政强制法 Art. 45),
/// computed by the core (`gates::owed_on`), never stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OwedView {
    /// The day it is computed for (today, Beijing).
    pub on: NaiveDate,
    /// The fine unpaid, fen.
    pub fine_fen: i64,
    /// The surcharge accrued to `on`, fen.
    pub surcharge_fen: i64,
    /// Both, fen.
    pub total_fen: i64,
    /// The last day to pay without surcharge (the deferral's, if approved).
    pub due: Option<NaiveDate>,
}

/// One case with its whole log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CaseView {
    /// Where it stands.
    pub summary: CaseSummary,
    /// The party, the matter and the facts (unmasked; audited).
    #[schema(value_type = Object)]
    pub details: Option<NormalCaseDetails>,
    /// The steps, in order.
    pub steps: Vec<StepView>,
    /// Every open clock.
    pub clocks: Vec<ClockView>,
    /// The fold of the log (the core's `CaseState`).
    #[schema(value_type = Object)]
    pub state: CaseState,
    /// The documents the centre issued.
    pub documents: Vec<CaseDocument>,
    /// The day a published decision was withdrawn from the 公示 because
    /// it was revoked (行政处罚法 Art. 48 ¶2): the revocation's day, the
    /// withdrawal being part of the same step.
    pub publication_withdrawn_on: Option<NaiveDate>,
    /// What the party owes today, while a served fine is unpaid.
    pub owed: Option<OwedView>,
}

fn clock_views(
    state: &CaseState,
    township: &str,
    today: NaiveDate,
    pkg: &zhifa_core::catalogue::model::Package,
) -> Result<Vec<ClockView>, CaseError> {
    let config = config_of(township);
    let mut out: Vec<ClockView> = open_clocks(state, &config, &pkg.calendar)?
        .into_iter()
        .map(|c| {
            let waiting = c.sense == ClockSense::Waiting;
            let level = if waiting {
                "normal"
            } else {
                match zhifa_core::procedure::deadline::level(c.due, today, &config) {
                    Level::Normal => "normal",
                    Level::Yellow => "yellow",
                    Level::Red => "red",
                }
            };
            let unverified =
                zhifa_core::procedure::deadline::period(c.kind, &config).configured_unverified;
            ClockView {
                kind: c.kind.name().to_owned(),
                label: c.kind.label_zh().to_owned(),
                due: c.due,
                level: level.to_owned(),
                basis: c.basis,
                unverified,
                waiting,
            }
        })
        .collect();
    out.sort_by_key(|c| c.due);
    Ok(out)
}

fn summary(
    row: &CaseRow,
    state: &CaseState,
    details: Option<&NormalCaseDetails>,
    clocks: &[ClockView],
) -> CaseSummary {
    CaseSummary {
        case_id: row.case_id.clone(),
        township: row.township.clone(),
        stage: super::stage_str(row.stage),
        stage_number: row.stage.number().to_owned(),
        stage_label: row.stage.label_zh().to_owned(),
        waiting_for: zhifa_core::procedure::waiting::waiting_for(state)
            .into_iter()
            .map(str::to_owned)
            .collect(),
        party: details.map_or_else(String::new, |d| mask_name(&d.party.name)),
        matter: details.map_or_else(
            || row.matter_code.clone().unwrap_or_default(),
            |d| d.matter_name.clone(),
        ),
        decision_number: row.decision_number.clone(),
        nearest: clocks.iter().find(|c| !c.waiting).cloned(),
        events: row.events,
        updated_at: row.updated_at.clone(),
    }
}

/// A name masked for lists: the first character kept.
fn mask_name(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => format!("{first}{}", "*".repeat(chars.count().clamp(1, 8))),
        None => String::new(),
    }
}

/// What a served, unpaid fine comes to on `today` (none once paid, closed,
/// revoked or archived).
fn owed_view(
    state: &CaseState,
    township: &str,
    today: NaiveDate,
    pkg: &zhifa_core::catalogue::model::Package,
) -> Result<Option<OwedView>, CaseError> {
    let open = matches!(
        state.stage,
        Stage::Served | Stage::Published | Stage::Executing | Stage::Reminded | Stage::CourtApplied
    );
    if !open || state.served_on.is_none() {
        return Ok(None);
    }
    let config = config_of(township);
    let (fine_fen, surcharge_fen) =
        zhifa_core::procedure::gates::owed_on(state, today, &config, &pkg.calendar)?;
    if fine_fen == 0 {
        return Ok(None);
    }
    Ok(Some(OwedView {
        on: today,
        fine_fen,
        surcharge_fen,
        total_fen: fine_fen.saturating_add(surcharge_fen),
        due: zhifa_core::procedure::gates::payment_due(state, &config, &pkg.calendar)?,
    }))
}

/// The case as the console shows it, on `today`.
pub fn view_of(
    c: &mut dyn Conn,
    k: &Keeper,
    row: &CaseRow,
    today: NaiveDate,
) -> Result<CaseView, CaseError> {
    let events = events_of(c, k, &row.case_id)?;
    let details = details_of(c, k, &row.case_id)?;
    let pkg = release_of(c, k, &row.township, today)?;
    let state = state_of(&events, &config_of(&row.township), &pkg)?;
    let clocks = clock_views(&state, &row.township, today, &pkg)?;
    let origins = c.query(
        "SELECT seq, origin FROM procedure_event WHERE case_id = ?1 ORDER BY seq",
        p![row.case_id],
    )?;
    let mut steps = Vec::with_capacity(events.len());
    for (e, r) in events.into_iter().zip(origins) {
        let (seq, origin): (i64, String) = (r.get(0)?, r.get(1)?);
        steps.push(StepView {
            seq,
            label: e.kind.label_zh().to_owned(),
            actor: e.actor.id.clone(),
            role: e.actor.role.label_zh().to_owned(),
            at: e.at,
            origin,
            basis: e.basis.clone(),
            signature: e.signature.clone(),
            event: e.kind,
        });
    }
    let documents = super::documents_of(c, &row.case_id)?;
    let publication_withdrawn_on = state.published_on.and(state.revoked_on);
    let owed = owed_view(&state, &row.township, today, &pkg)?;
    Ok(CaseView {
        publication_withdrawn_on,
        owed,
        summary: summary(row, &state, details.as_ref(), &clocks),
        details,
        steps,
        clocks,
        state,
        documents,
    })
}

/// The case filter.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CaseQuery {
    /// Only cases in this stage (`filed`, `legal_reviewed` …).
    pub stage: Option<String>,
    /// Only cases waiting for the centre (待审批).
    #[serde(default)]
    pub waiting: bool,
}

/// The cases of `who`'s scope, nearest deadline first.
pub fn list(
    c: &mut dyn Conn,
    k: &Keeper,
    who: &Staff,
    q: &CaseQuery,
    now: DateTime<Utc>,
) -> Result<Vec<CaseSummary>, CaseError> {
    let (scope, mut args) = crate::supervise::scope_where(&who.scope, Some("district"), 1);
    let mut sql = format!(
        "SELECT {} FROM procedure_case WHERE {scope}",
        super::CASE_COLS
    );
    if let Some(stage) = &q.stage {
        if super::parse_stage(stage).is_none() {
            return Err(CaseError::Invalid(format!("未知的案件状态 {stage}")));
        }
        sql.push_str(&format!(" AND stage = ?{}", args.len() + 1));
        args.push(stage.clone());
    }
    sql.push_str(" ORDER BY updated_at DESC LIMIT 500");
    let params: Vec<Val<'_>> = args.iter().map(|a| Val::Text(a)).collect();
    let rows = c.query(&sql, &params)?;
    let today = beijing_date(now);
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let row = super::case_row(&r)?;
        let events = events_of(c, k, &row.case_id)?;
        let pkg = release_of(c, k, &row.township, today)?;
        let state = state_of(&events, &config_of(&row.township), &pkg)?;
        if q.waiting && zhifa_core::procedure::waiting::waiting_for(&state).is_empty() {
            continue;
        }
        let details = details_of(c, k, &row.case_id)?;
        let clocks = clock_views(&state, &row.township, today, &pkg)?;
        out.push(summary(&row, &state, details.as_ref(), &clocks));
    }
    out.sort_by(|a, b| {
        let due = |s: &CaseSummary| s.nearest.as_ref().map(|c| c.due);
        match (due(a), due(b)) {
            (Some(x), Some(y)) => x.cmp(&y),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => b.updated_at.cmp(&a.updated_at),
        }
    });
    audit(c, now, &who.actor(), "procedure.list", &who.scope)?;
    Ok(out)
}

/// The case `case_id` if it is in `who`'s scope.
pub fn in_scope(c: &mut dyn Conn, who: &Staff, case_id: &str) -> Result<CaseRow, CaseError> {
    match case_of(c, case_id)? {
        Some(r) if r.township.starts_with(&who.scope) => Ok(r),
        _ => Err(CaseError::NotFound(case_id.to_owned())),
    }
}

/// The event the centre records for `who` on `case_id`: its role for the
/// step, now, from the console; the reviewer's qualification from its
/// account. The centre acts after everything it holds: were the last step
/// stamped later than now (a device whose clock ran ahead), the event
/// takes the millisecond after it.
pub fn console_event(
    c: &mut dyn Conn,
    who: &Staff,
    case_id: &str,
    mut kind: EventKind,
    now: DateTime<Utc>,
) -> Result<ProcedureEvent, CaseError> {
    let last = c
        .query(
            "SELECT at FROM procedure_event WHERE case_id = ?1",
            p![case_id],
        )?
        .into_iter()
        .filter_map(|r| r.get::<String>(0).ok())
        .filter_map(|t| DateTime::parse_from_rfc3339(&t).ok())
        .map(|t| t.with_timezone(&Utc))
        .max();
    let now = match last {
        Some(l) if l >= now => l + chrono::TimeDelta::milliseconds(1),
        _ => now,
    };
    let Some(role) = console_role(who.role, &kind) else {
        return Err(CaseError::Forbidden(format!(
            "{}账号不能执行“{}”",
            who.role.label(),
            kind.label_zh()
        )));
    };
    if let EventKind::LegalReview { qualification, .. } = &mut kind {
        let q: Option<String> = c
            .query_opt("SELECT qualification FROM staff WHERE id = ?1", p![who.id])?
            .map(|r| r.get(0))
            .transpose()?
            .flatten();
        // Art. 58 ¶2: the reviewer holds a 法律职业资格; an account
        // without one on record reviews with an empty number, which the
        // core refuses naming the article.
        *qualification = q.unwrap_or_default();
    }
    Ok(ProcedureEvent::new(
        kind,
        Actor {
            id: who.id.clone(),
            role,
        },
        now,
        Origin::Console(who.id.clone()),
    ))
}

/// Records one centre step on the transaction and returns the case.
pub fn record_step(
    c: &mut dyn Conn,
    k: &Keeper,
    who: &Staff,
    case_id: &str,
    kind: EventKind,
    now: DateTime<Utc>,
) -> Result<CaseView, CaseError> {
    in_scope(c, who, case_id)?;
    let mut event = console_event(c, who, case_id, kind, now)?;
    if let EventKind::Decide { number, .. } = &mut event.kind {
        // The number is the server's, from the township's series (the
        // HTTP path renders and seals the 决定书 too: documents.rs).
        let row = in_scope(c, who, case_id)?;
        *number = super::decision_number(c, k, &row, now)?;
    }
    append_centre_step(c, k, who, case_id, &event, now)
}

/// Appends a centre step already made, sends it to the officer's inbox,
/// audits it and returns the case.
pub fn append_centre_step(
    c: &mut dyn Conn,
    k: &Keeper,
    who: &Staff,
    case_id: &str,
    event: &ProcedureEvent,
    now: DateTime<Utc>,
) -> Result<CaseView, CaseError> {
    let row = in_scope(c, who, case_id)?;
    let a = super::append(c, k, case_id, event, None, None, now)?;
    super::to_inbox(c, &a, case_id, &a.event, now)?;
    audit(c, now, &who.actor(), "procedure.step", case_id)?;
    let row = case_of(c, case_id)?.unwrap_or(row);
    view_of(c, k, &row, beijing_date(now))
}
