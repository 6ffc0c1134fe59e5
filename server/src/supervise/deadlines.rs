//! The deadline monitor of 执法监督 (issue 18 item 1): every open clock of
//! every open normal-procedure case (普通程序) in a scope, from the core's
//! deadline engine (`zhifa_core::procedure::open_clocks`) on the
//! township's calendar — the same fold and clocks the case view shows
//! (`crate::procedure::view`) — with its level and who it escalates to:
//! the township's 负责人 (`approver`) once it is yellow (the configured
//! days before the due day, `WarningConfig::yellow_days_before`), the
//! district 司法局's supervisor too once it is red (the due day passed).
//!
//! The same fold gives the [`NormalFacts`] the normal-procedure problem
//! models judge (`super::models`): the dates of the log and the due days
//! of the decision (Art. 60, with the approved extensions), the service
//! (Art. 61), the 公示 (国办发〔2018〕118号 as reported, a township
//! setting) and each 先行登记保存 (Art. 56).
//!
//! A case whose township has no catalogue release (hence no calendar) in
//! force, or whose count leaves the calendar, is listed as unavailable
//! with the reason rather than guessed. Nothing personal is read: the
//! party is neither opened nor shown.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use zhifa_core::ErrorCode;
use zhifa_core::procedure::deadline::{self, ClockKind, ClockSense, Level};
use zhifa_core::procedure::{CaseState, Outcome, ProcedureConfig, Stage, gates, open_clocks};

use super::{NormalFacts, SaveFacts, SuperviseError, scope_where};
use std::collections::HashMap;
use std::sync::Arc;

use zhifa_core::catalogue::model::Package;

use crate::procedure::{CaseError, config_of, events_of_many, parse_stage, release_of, state_of};
use crate::record::Keeper;
use crate::store::sql::{Conn, Val};

/// One open clock of one case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DeadlineItem {
    /// The case.
    pub case_id: String,
    /// Its township.
    pub township: String,
    /// Where the case stands (`filed`, `decided`, …).
    pub stage: String,
    /// The stage in Chinese.
    pub stage_label: String,
    /// The clock (`decision`, `service`, …).
    pub clock: String,
    /// The clock's name in Chinese.
    pub label: String,
    /// The day of its start event.
    #[schema(value_type = String, format = Date)]
    pub started_on: NaiveDate,
    /// Its last day.
    #[schema(value_type = String, format = Date)]
    pub due: NaiveDate,
    /// Days from today to the due day (negative: overdue).
    pub days_left: i64,
    /// `normal` | `yellow` (near) | `red` (run out); a waiting period is
    /// always `normal`.
    pub level: String,
    /// The article(s) it rests on.
    pub basis: String,
    /// Whether its length is a township setting Chongqing has not published
    /// (the research's default).
    pub unverified: bool,
    /// Whether the count crossed a year the calendar marks estimated.
    pub estimated: bool,
    /// A waiting period (no step before it ends) rather than a deadline.
    pub waiting: bool,
    /// Who it is escalated to: `approver` (the township's 负责人) when
    /// yellow; `approver` and `supervisor` (the 司法局) when red. A 复查
    /// decision is the supervisor's own: `supervisor` when yellow or red.
    pub escalate_to: Vec<String>,
    /// The clue whose 复查 this clock is (`recheck_decision` only); the
    /// case is then the clue's first case.
    pub clue_id: Option<String>,
}

/// A case whose clocks could not be computed, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Unavailable {
    /// The case.
    pub case_id: String,
    /// Its township.
    pub township: String,
    /// Why, in Chinese.
    pub reason: String,
}

/// The monitor's answer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Deadlines {
    /// The day the levels are judged on (Beijing).
    #[schema(value_type = String, format = Date)]
    pub as_of: NaiveDate,
    /// Every open clock, red first, then yellow, then by due day.
    pub items: Vec<DeadlineItem>,
    /// Cases whose clocks could not be computed.
    pub unavailable: Vec<Unavailable>,
}

/// Who a clock at `level` escalates to (research §1.4 [design]: the
/// 电子监察 "黄牌/红牌" practice).
pub fn escalation(level: Level) -> Vec<String> {
    match level {
        Level::Normal => Vec::new(),
        Level::Yellow => vec!["approver".to_owned()],
        Level::Red => vec!["approver".to_owned(), "supervisor".to_owned()],
    }
}

fn level_str(l: Level) -> &'static str {
    match l {
        Level::Normal => "normal",
        Level::Yellow => "yellow",
        Level::Red => "red",
    }
}

impl From<CaseError> for SuperviseError {
    fn from(e: CaseError) -> Self {
        match e {
            CaseError::Db(e) => Self::Db(e),
            CaseError::Record(e) => e.into(),
            other => Self::Corrupt(other.to_string()),
        }
    }
}

/// One folded case of the scope.
struct Folded {
    case_id: String,
    township: String,
    stage: Stage,
    state: CaseState,
    config: ProcedureConfig,
    pkg: Arc<Package>,
}

/// Folds every normal-procedure case under `scope` (all of them, or only
/// those not yet closed) on its township's calendar in force on `today`;
/// cases that cannot be folded go to `unavailable`.
fn fold_scope(
    c: &mut dyn Conn,
    k: &Keeper,
    scope: &str,
    today: NaiveDate,
    open_only: bool,
    unavailable: &mut Vec<Unavailable>,
) -> Result<Vec<Folded>, SuperviseError> {
    let (cond, args) = scope_where(scope, Some("district"), 1);
    let params: Vec<Val<'_>> = args.iter().map(|a| Val::Text(a)).collect();
    let rows = c.query(
        &format!(
            "SELECT case_id, township, stage FROM procedure_case WHERE {cond} ORDER BY township, case_id"
        ),
        &params,
    )?;
    let mut listed = Vec::with_capacity(rows.len());
    for r in rows {
        let (case_id, township, stage): (String, String, String) =
            (r.get(0)?, r.get(1)?, r.get(2)?);
        let stage = parse_stage(&stage)
            .ok_or_else(|| SuperviseError::Corrupt(format!("{case_id}: 未知的案件状态 {stage}")))?;
        if open_only && (stage.is_terminal() || stage == Stage::Closed) {
            continue;
        }
        listed.push((case_id, township, stage));
    }
    // Every log in a few statements, every township's release once.
    let ids: Vec<String> = listed.iter().map(|(id, _, _)| id.clone()).collect();
    let mut logs = events_of_many(c, k, &ids)?;
    let mut releases: HashMap<String, Option<Arc<Package>>> = HashMap::new();
    let mut out = Vec::with_capacity(listed.len());
    for (case_id, township, stage) in listed {
        let config = config_of(&township);
        let pkg = match releases.get(&township) {
            Some(p) => p.clone(),
            None => {
                let p = match release_of(c, k, &township, today) {
                    Ok(p) => Some(p),
                    Err(CaseError::NoCalendar { .. }) => None,
                    Err(e) => return Err(e.into()),
                };
                releases.insert(township.clone(), p.clone());
                p
            }
        };
        let events = logs.remove(&case_id).unwrap_or_else(|| Ok(Vec::new()));
        let folded = events.and_then(|events| {
            let pkg = pkg.ok_or_else(|| CaseError::NoCalendar {
                township: township.clone(),
                on: today,
            })?;
            let state = state_of(&events, &config, &pkg)?;
            Ok((pkg, state))
        });
        match folded {
            Ok((pkg, state)) => out.push(Folded {
                case_id,
                township,
                stage,
                state,
                config,
                pkg,
            }),
            Err(e @ (CaseError::NoCalendar { .. } | CaseError::Corrupt(_))) => {
                tracing::warn!(case = %case_id, code = e.code(), "normal case left out of supervision");
                unavailable.push(Unavailable {
                    case_id,
                    township,
                    reason: e.to_string(),
                });
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(out)
}

/// Every open clock of every open normal-procedure case under `scope`,
/// judged on `today` (Beijing).
pub fn deadlines(
    c: &mut dyn Conn,
    k: &Keeper,
    scope: &str,
    today: NaiveDate,
) -> Result<Deadlines, SuperviseError> {
    let (items, unavailable) = case_clocks(c, k, scope, today)?;
    with_rechecks(c, scope, today, items, unavailable)
}

/// The open clocks of the open normal-procedure cases under `scope` on
/// `today`, unordered, and the cases that could not be folded: what
/// [`deadlines`] lists before the 复查 clocks (the cockpit stores them per
/// township for its day, `super::cockpit`).
pub fn case_clocks(
    c: &mut dyn Conn,
    k: &Keeper,
    scope: &str,
    today: NaiveDate,
) -> Result<(Vec<DeadlineItem>, Vec<Unavailable>), SuperviseError> {
    let mut unavailable = Vec::new();
    let cases = fold_scope(c, k, scope, today, true, &mut unavailable)?;
    let mut items = Vec::new();
    for f in cases {
        let clocks = match open_clocks(&f.state, &f.config, &f.pkg.calendar) {
            Ok(v) => v,
            Err(e) => {
                unavailable.push(Unavailable {
                    case_id: f.case_id,
                    township: f.township,
                    reason: e.to_string(),
                });
                continue;
            }
        };
        for clock in clocks {
            let waiting = clock.sense == ClockSense::Waiting;
            let level = if waiting {
                Level::Normal
            } else {
                deadline::level(clock.due, today, &f.config)
            };
            items.push(DeadlineItem {
                case_id: f.case_id.clone(),
                township: f.township.clone(),
                stage: crate::procedure::stage_str(f.stage),
                stage_label: f.stage.label_zh().to_owned(),
                clock: clock.kind.name().to_owned(),
                label: clock.kind.label_zh().to_owned(),
                started_on: clock.started_on,
                due: clock.due,
                days_left: (clock.due - today).num_days(),
                level: level_str(level).to_owned(),
                basis: clock.basis,
                unverified: deadline::period(clock.kind, &f.config).configured_unverified,
                estimated: clock.estimated,
                waiting,
                escalate_to: escalation(level),
                clue_id: None,
            });
        }
    }
    Ok((items, unavailable))
}

/// The monitor's answer from the case clocks of `scope`: the pending 复查
/// clocks added, red first, then yellow, then by due day.
pub fn with_rechecks(
    c: &mut dyn Conn,
    scope: &str,
    today: NaiveDate,
    mut items: Vec<DeadlineItem>,
    mut unavailable: Vec<Unavailable>,
) -> Result<Deadlines, SuperviseError> {
    recheck_clocks(c, scope, today, &mut items)?;
    unavailable.sort_by(|a, b| (&a.township, &a.case_id).cmp(&(&b.township, &b.case_id)));
    let rank = |l: &str| match l {
        "red" => 0,
        "yellow" => 1,
        _ => 2,
    };
    items.sort_by(|a, b| {
        (rank(&a.level), a.due, &a.case_id, &a.clock).cmp(&(
            rank(&b.level),
            b.due,
            &b.case_id,
            &b.clock,
        ))
    });
    Ok(Deadlines {
        as_of: today,
        items,
        unavailable,
    })
}

/// The decision clock of every pending 复查 under `scope`
/// (《重庆市行政执法监督条例》 Art. 21 ¶2: fifteen working days from the
/// application, counted when it was made), yellow and red like the case
/// clocks, escalated to the supervisor who decides.
fn recheck_clocks(
    c: &mut dyn Conn,
    scope: &str,
    today: NaiveDate,
    items: &mut Vec<DeadlineItem>,
) -> Result<(), SuperviseError> {
    for p in super::recheck::pending(c, scope)? {
        let level = deadline::level(p.decision_due, today, &config_of(&p.township));
        items.push(DeadlineItem {
            case_id: p.cases.first().cloned().unwrap_or_default(),
            township: p.township,
            stage: "recheck".to_owned(),
            stage_label: "监督复查待决定".to_owned(),
            clock: "recheck_decision".to_owned(),
            label: "复查决定".to_owned(),
            started_on: p.requested_on,
            due: p.decision_due,
            days_left: (p.decision_due - today).num_days(),
            level: level_str(level).to_owned(),
            basis: format!(
                "{}第二款：收到复查申请之日起十五个工作日内作出复查决定",
                super::recheck::BASIS
            ),
            unverified: false,
            estimated: false,
            waiting: false,
            escalate_to: if level == Level::Normal {
                Vec::new()
            } else {
                vec!["supervisor".to_owned()]
            },
            clue_id: Some(p.clue_id),
        });
    }
    Ok(())
}

/// The supervision facts of every normal-procedure case under `scope`
/// (closed ones too: a late act stays late), with the due days computed on
/// the township's calendar in force on `today`. Cases that cannot be
/// folded are left out (the monitor lists them).
pub fn normal_facts(
    c: &mut dyn Conn,
    k: &Keeper,
    scope: &str,
    today: NaiveDate,
) -> Result<Vec<NormalFacts>, SuperviseError> {
    let mut unavailable = Vec::new();
    let cases = fold_scope(c, k, scope, today, false, &mut unavailable)?;
    let mut out = Vec::with_capacity(cases.len());
    for f in cases {
        match facts_of(&f) {
            Ok(v) => out.push(v),
            Err(e) => {
                tracing::warn!(case = %f.case_id, code = e.code(), "normal case left out of the models");
            }
        }
    }
    Ok(out)
}

fn facts_of(f: &Folded) -> Result<NormalFacts, zhifa_core::procedure::ProcedureError> {
    let (s, cfg, cal) = (&f.state, &f.config, &f.pkg.calendar);
    let decision = s.decision.as_ref();
    let decided_on = decision.map(|d| d.on);
    let penalty = decision.is_some_and(|d| d.outcome.penalty().is_some());
    let due_from = |kind: ClockKind, from: Option<NaiveDate>| {
        from.map(|d| gates::due_of(kind, d, cfg, cal)).transpose()
    };
    let publication_due = if penalty && cfg.publication_working_days.is_some() {
        due_from(ClockKind::Publication, decided_on)?
    } else {
        None
    };
    let mut saves = Vec::with_capacity(s.saves.len());
    for m in &s.saves {
        saves.push(SaveFacts {
            on: m.on,
            due: gates::due_of(ClockKind::RegistrationSave, m.on, cfg, cal)?,
            disposed_on: m.disposed_on,
        });
    }
    Ok(NormalFacts {
        case_id: f.case_id.clone(),
        township: f.township.clone(),
        filed_on: s.filed_on,
        decision_due: gates::decision_due(s, cfg, cal)?,
        decided_on,
        penalty,
        transfer: decision.is_some_and(|d| d.outcome == Outcome::Transfer),
        fine_fen: decision
            .and_then(|d| d.outcome.penalty())
            .map_or(0, |p| p.fine_fen),
        concluded: f.stage.is_terminal() || f.stage == Stage::Closed,
        service_due: due_from(ClockKind::Service, decided_on)?,
        served_on: s.served_on,
        publication_due,
        published_on: s.published_on,
        saves,
    })
}
