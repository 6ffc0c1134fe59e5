//! `zhifa normal …`: the officer's part of a normal-procedure case
//! (普通程序), offline, over `zhifa_core::case::normal`: `new` (案源登记
//! with the party, matter and facts), `step` (any officer step as JSON —
//! 调查取证, 调查终结, 事先告知, 陈述申辩, 申请听证, 送达 …), `show` and
//! `list`. Every step is checked by the procedure core before it is queued
//! (exit 2 with the article that stops it); `zhifa sync` takes it to the
//! centre, and brings the centre's steps (立案, approvals, the decision)
//! back.

use chrono::{NaiveDate, Utc};
use clap::{Args, Subcommand};
use serde::Serialize;
use uuid::Uuid;
use zhifa_core::case::normal::{self, LocalStep, NewCaseInput, StepStatus};
use zhifa_core::case::normal_docs::{self, FieldRecord};
use zhifa_core::procedure::{EventKind, PartyKind, Stage, beijing_date};
use zhifa_sync::mutation::NormalCaseDetails;
use zhifa_sync::record::PartyRecord;

use crate::Ctx;
use crate::output::{Failure, print_json};

/// `zhifa normal`.
#[derive(Debug, Subcommand)]
pub(crate) enum NormalCmd {
    /// 案源登记: a new case with its party, matter and facts.
    New(NewArgs),
    /// Record one officer step (the step as JSON, e.g. `{"step":"investigate",…}`).
    Step(StepArgs),
    /// One case: its steps, where it stands, its clocks.
    Show(ShowArgs),
    /// Every normal-procedure case on the device.
    List,
}

/// `zhifa normal new`.
#[derive(Debug, Args)]
pub(crate) struct NewArgs {
    /// The township (9 digits).
    #[arg(long)]
    township: String,
    /// The catalogue matter code.
    #[arg(long)]
    matter: String,
    /// The party as JSON (`{kind, name, id_number, phone?, address, representative?}`).
    #[arg(long)]
    party: String,
    /// Where the violation was found.
    #[arg(long)]
    place: String,
    /// The facts as found.
    #[arg(long)]
    facts: String,
    /// When the violation took place, Beijing time (`2026-03-10T09:30:00`;
    /// default: now).
    #[arg(long)]
    violation_time: Option<chrono::NaiveDateTime>,
    /// The two officers (ids), given twice (行政处罚法 Art. 42).
    #[arg(long = "officer", num_args = 1)]
    officers: Vec<String>,
    /// Where the case comes from (巡查, 投诉举报, 移送, 交办 …).
    #[arg(long, default_value = "巡查")]
    source: String,
    /// The day the violation was found (default: today, Beijing).
    #[arg(long)]
    discovered: Option<NaiveDate>,
    /// The simple-procedure case it converts.
    #[arg(long)]
    converted_from: Option<String>,
    /// The case id (default: a new UUID).
    #[arg(long)]
    id: Option<String>,
}

/// `zhifa normal step`.
#[derive(Debug, Args)]
pub(crate) struct StepArgs {
    /// The case.
    case_id: String,
    /// The step as JSON (`zhifa_protocol::procedure::EventKind`).
    #[arg(long)]
    step: String,
    /// Where it was taken.
    #[arg(long)]
    place: Option<String>,
    /// The record written with it, as JSON
    /// (`zhifa_core::case::normal_docs::FieldRecord`: 询问笔录, 陈述申辩笔录,
    /// 送达回证, 电子送达确认书; a signature's PNG in hex), rendered into the
    /// case's documents with the step.
    #[arg(long)]
    record: Option<String>,
}

/// `zhifa normal show`.
#[derive(Debug, Args)]
pub(crate) struct ShowArgs {
    /// The case.
    case_id: String,
}

/// A clock as printed.
#[derive(Debug, Serialize)]
struct ClockDoc {
    kind: &'static str,
    label: &'static str,
    due: NaiveDate,
    basis: String,
}

/// `normal show --json`.
#[derive(Debug, Serialize)]
struct CaseDoc {
    case_id: String,
    stage: Stage,
    stage_number: &'static str,
    stage_label: &'static str,
    /// The centre's act it waits for (待审批), if any.
    waiting_for: Option<String>,
    details: Option<NormalCaseDetails>,
    steps: Vec<StepDoc>,
    clocks: Vec<ClockDoc>,
}

#[derive(Debug, Serialize)]
struct StepDoc {
    step: &'static str,
    label: &'static str,
    actor: String,
    role: &'static str,
    at: String,
    #[serde(flatten)]
    status: StepStatus,
}

fn step_doc(s: &LocalStep) -> StepDoc {
    StepDoc {
        step: s.event.kind.name(),
        label: s.event.kind.label_zh(),
        actor: s.event.actor.id.clone(),
        role: s.event.actor.role.label_zh(),
        at: s.event.at.to_rfc3339(),
        status: s.status.clone(),
    }
}

pub(crate) fn run(ctx: &Ctx, cmd: NormalCmd) -> Result<(), Failure> {
    let mut store = crate::store::open(ctx)?;
    let now = Utc::now();
    let today = beijing_date(now);
    match cmd {
        NormalCmd::New(a) => {
            let party: PartyRecord = serde_json::from_str(&a.party).map_err(|e| {
                Failure::bad_input(
                    "NORMAL_PARTY_INVALID",
                    format!("--party 不是当事人 JSON：{e}"),
                )
            })?;
            let party_kind = if party.kind == "organization" {
                PartyKind::Organisation
            } else {
                PartyKind::Citizen
            };
            let officers: [String; 2] = a.officers.try_into().map_err(|_| {
                Failure::bad_input(
                    "CASE_OFFICERS_NOT_TWO",
                    "须指定两名执法人员 (--officer 两次；行政处罚法第四十二条)",
                )
            })?;
            let details = normal::details(
                &store,
                NewCaseInput {
                    township: a.township,
                    matter_code: a.matter,
                    party,
                    place: a.place.clone(),
                    violation_time: a
                        .violation_time
                        .unwrap_or_else(|| normal::beijing_minute(now)),
                    facts: a.facts,
                    officers,
                    converted_from: a.converted_from,
                },
                today,
            )?;
            let id = a.id.unwrap_or_else(|| Uuid::now_v7().to_string());
            normal::record(
                &store,
                &id,
                EventKind::RegisterSource {
                    discovered_on: a.discovered.unwrap_or(today),
                    source: a.source,
                    party: party_kind,
                },
                Some(a.place),
                Some(details),
                now,
            )?;
            show(ctx, &store, &id, today)
        }
        NormalCmd::Step(a) => {
            let kind: EventKind = serde_json::from_str(&a.step).map_err(|e| {
                Failure::bad_input(
                    "NORMAL_STEP_INVALID",
                    format!("--step 不是办案步骤 JSON：{e}"),
                )
            })?;
            let record = a
                .record
                .as_deref()
                .map(serde_json::from_str::<FieldRecord>)
                .transpose()
                .map_err(|e| {
                    Failure::bad_input(
                        "NORMAL_RECORD_INVALID",
                        format!("--record 不是笔录 JSON：{e}"),
                    )
                })?;
            let dir = crate::store::data_dir(ctx)?.join("documents");
            normal_docs::record_with_documents(
                &mut store, &dir, &a.case_id, kind, record, a.place, now,
            )?;
            show(ctx, &store, &a.case_id, today)
        }
        NormalCmd::Show(a) => show(ctx, &store, &a.case_id, today),
        NormalCmd::List => {
            let mut out = Vec::new();
            for id in normal::case_ids(&store)? {
                out.push(doc(&store, &id, today)?);
            }
            if ctx.json {
                return print_json(&out);
            }
            for d in &out {
                println!(
                    "{}  {} {}{}",
                    d.case_id,
                    d.stage_number,
                    d.stage_label,
                    d.waiting_for
                        .as_ref()
                        .map(|w| format!("（待审批：{w}）"))
                        .unwrap_or_default()
                );
            }
            Ok(())
        }
    }
}

fn doc(store: &zhifa_core::store::Store, id: &str, today: NaiveDate) -> Result<CaseDoc, Failure> {
    let Some(c) = normal::case(store, id)? else {
        return Err(Failure::bad_input(
            "CASE_NOT_FOUND",
            format!("普通程序案件 {id} 不存在"),
        ));
    };
    let (state, clocks) = normal::state(store, &c, today)?;
    Ok(CaseDoc {
        case_id: c.case_id.clone(),
        stage: state.stage,
        stage_number: state.stage.number(),
        stage_label: state.stage.label_zh(),
        waiting_for: normal::waiting_for(&state),
        steps: c.steps.iter().map(step_doc).collect(),
        clocks: clocks
            .into_iter()
            .map(|k| ClockDoc {
                kind: k.kind.name(),
                label: k.kind.label_zh(),
                due: k.due,
                basis: k.basis,
            })
            .collect(),
        details: c.details,
    })
}

fn show(
    ctx: &Ctx,
    store: &zhifa_core::store::Store,
    id: &str,
    today: NaiveDate,
) -> Result<(), Failure> {
    let d = doc(store, id, today)?;
    if ctx.json {
        return print_json(&d);
    }
    println!("案件 {}：{} {}", d.case_id, d.stage_number, d.stage_label);
    if let Some(w) = &d.waiting_for {
        println!("待审批：{w}");
    }
    for s in &d.steps {
        let status = match &s.status {
            StepStatus::Pending => "待同步".to_owned(),
            StepStatus::Accepted => "中心已接收".to_owned(),
            StepStatus::Refused { message } => format!("中心退回：{message}"),
            StepStatus::Centre { .. } => "中心作出".to_owned(),
        };
        println!(
            "  {} {}（{}，{}）{}",
            s.at, s.label, s.role, s.actor, status
        );
    }
    for c in &d.clocks {
        println!("  期限 {}：{}（{}）", c.label, c.due, c.basis);
    }
    Ok(())
}
