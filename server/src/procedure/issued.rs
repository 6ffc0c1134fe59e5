//! The documents the centre issues at its own steps, rendered on A4 with
//! the township's templates when the step is recorded and held by hash as
//! files of the case (`record_document`, device `server`), so the 卷宗 binds
//! the very bytes issued that day:
//!
//! | step | document | basis |
//! |---|---|---|
//! | `file` | 立案审批表 (the 案源 and the 负责人's 审批意见) | 行政处罚法 Art. 54 ¶2 |
//! | `discuss_collectively` | 集体讨论记录 | Art. 57 ¶2 |
//! | `remind` | 催告书 (amount owed, surcharge as of the day) | 行政强制法 Art. 35, 54 |
//! | `apply_to_court` | 强制执行申请书, signed by the 负责人 and sealed | 行政强制法 Art. 53–55 |
//! | `close` | 结案审批表 | 行政处罚法 Art. 47 |
//! | `notice_hearing`, `hold_hearing` | 听证通知书, 听证笔录, 听证报告 (`hearing.rs`) | 行政处罚法 Art. 64, 65 |
//!
//! Each occurrence of a step is its own document (`stage` = `{step}:{n}`),
//! so a second 集体讨论 does not replace the first. A 催告 the officer
//! recorded on the device (the core allows either) has no document from
//! its step; 归档 renders its 催告书 from the log as it stood then
//! ([`device_reminders`]), so the 卷宗 holds every 催告书 either way. Every amount is the
//! core's: the surcharge is `zhifa_core::procedure::gates::owed_on`, never
//! typed. A step whose document cannot be made is not recorded.

use chrono::{DateTime, NaiveDate, Utc};
use zhifa_core::catalogue::model::Package;
use zhifa_core::document::model::{DocumentData, Officer, date_zh};
use zhifa_core::document::normal::{
    ClosingApproval, CollectiveDiscussion, CourtApplication, FilingApproval, Opinion, PaymentRoute,
    Reminder, court_materials,
};
use zhifa_core::procedure::gates::{due_of, owed_on};
use zhifa_core::procedure::{
    CaseState, ClockKind, EventKind, Outcome, ProcedureConfig, ProcedureEvent,
};
use zhifa_protocol::mutation::NormalCaseDetails;

use super::doc_ctx::{Ctx, beijing};
use super::documents::{link_file, party_details, render_a4, store_file};
use super::view::{CaseView, console_event, in_scope};
use super::{CaseError, config_of, details_of, events_of, outcome_words, release_of, state_of};
use crate::api::state::{St, blocking};
use crate::console::Staff;
use crate::error::ApiError;
use crate::record::Keeper;
use crate::store::sql::Conn;

/// Whether the centre issues a document at `kind`.
pub fn issues_document(kind: &EventKind) -> bool {
    matches!(
        kind,
        EventKind::File
            | EventKind::DiscussCollectively { .. }
            | EventKind::Remind
            | EventKind::ApplyToCourt
            | EventKind::Close { .. }
            | EventKind::NoticeHearing { .. }
            | EventKind::HoldHearing { .. }
    )
}

/// A document of a step, rendered.
#[derive(Debug)]
pub struct Issue {
    /// `record_document.kind`: the `DocumentKind`'s snake_case name.
    pub kind: String,
    /// `record_document.stage`: `{step}:{n}`, one per occurrence.
    pub stage: String,
    /// Its title.
    pub title: String,
    /// Its number.
    pub number: Option<String>,
    /// The PDF.
    pub pdf: Vec<u8>,
    /// The document hash (canonical fields).
    pub document_hash: String,
    /// Whether the server seals it (the 强制执行申请书: 行政强制法 Art. 55
    /// ¶2 "加盖行政机关的印章").
    pub sealed: bool,
}

/// The 催告书's number: the decision's with the 催告's place.
fn reminder_number(decision: &str, n: usize) -> String {
    format!("{decision}（催告第{n}号）")
}

/// The documents of `c.event` (none if the step issues none), each with
/// whether the server seals it.
fn data_of(c: &Ctx<'_>) -> Result<Vec<(DocumentData, bool)>, CaseError> {
    let hearing = super::hearing::hearing_documents(c)?;
    if !hearing.is_empty() {
        return Ok(hearing.into_iter().map(|d| (d, false)).collect());
    }
    let on = c.event.on();
    let data = match &c.event.kind {
        EventKind::File => {
            let Some((source, registered)) = c.events.iter().find_map(|e| match &e.kind {
                EventKind::RegisterSource { source, .. } => Some((source.clone(), e)),
                _ => None,
            }) else {
                return Err(CaseError::Corrupt(format!("{} 缺少案源登记", c.case_id)));
            };
            let officers: Vec<Officer> =
                c.d.officers
                    .iter()
                    .map(|o| Officer {
                        name: o.name.clone(),
                        credential_number: o.credential_no.clone(),
                        signature: None,
                    })
                    .collect();
            // 行政处罚法 Art. 42, 55: two officers handle the case.
            let [a, b, ..] = officers.as_slice() else {
                return Err(CaseError::Invalid(
                    "立案审批表须载明两名承办人（《行政处罚法》第四十二条）".into(),
                ));
            };
            DocumentData::FilingApproval(FilingApproval {
                number: c.case_id.to_owned(),
                authority: c.authority(),
                case_source: source,
                cause: c.cause(),
                party: party_details(&c.d.party),
                summary: format!(
                    "{}，在{}，{}",
                    zhifa_core::document::model::datetime_zh(c.d.violation_time),
                    c.d.place,
                    c.d.facts
                ),
                suspected_provisions: c.violated(on),
                handlers: [a.clone(), b.clone()],
                // The officer's 案源登记 is the request to file.
                handler_opinion: Opinion {
                    text: "建议立案".to_owned(),
                    signer: c.officer_name(&registered.actor.id),
                    date: registered.on(),
                },
                // No 承办机构 step in the township's procedure: left out.
                unit_opinion: Opinion {
                    text: String::new(),
                    signer: String::new(),
                    date: on,
                },
                head_opinion: Opinion {
                    text: "同意立案".to_owned(),
                    signer: c.signer.to_owned(),
                    date: on,
                },
                filed_on: on,
            })
        }
        EventKind::DiscussCollectively {
            attendees,
            conclusion,
        } => {
            let proposal = c
                .before
                .approved
                .as_ref()
                .or(c.before.proposal.as_ref())
                .map(outcome_words)
                .unwrap_or_default();
            DocumentData::CollectiveDiscussion(CollectiveDiscussion {
                case_number: c.case_id.to_owned(),
                authority: c.authority(),
                cause: c.cause(),
                time: beijing(c.event.at),
                place: c.d.authority.name.clone(),
                host: c.signer.to_owned(),
                attendees: attendees.clone(),
                recorder: c.signer.to_owned(),
                handler_report: format!("{}。拟处理意见：{proposal}", c.facts()),
                // The step records the conclusion, not each attendee's view.
                opinions: vec![(
                    "参加人员".to_owned(),
                    "逐人意见未录入本系统，以讨论结论为准".to_owned(),
                )],
                conclusion: conclusion.clone(),
                date: on,
            })
        }
        EventKind::Remind => {
            let decision = c.decision()?;
            let served = c.before.served_on.ok_or(CaseError::Refused(
                zhifa_core::procedure::ProcedureError::NotServed,
            ))?;
            // 行政处罚法 Art. 72(一), 行政强制法 Art. 45: as of the 催告 day.
            let (fine, surcharge) = owed_on(c.before, on, c.config, &c.pkg.calendar)?;
            DocumentData::Reminder(Reminder {
                number: reminder_number(&decision.number, c.occurrence("remind")),
                authority: c.authority(),
                party: party_details(&c.d.party),
                decision_number: decision.number.clone(),
                decision_served_on: served,
                // 行政强制法 Art. 54, 69: ten working days after the 催告书.
                perform_by: due_of(ClockKind::Reminder, on, c.config, &c.pkg.calendar)?,
                method: "一次性缴清".to_owned(),
                fine_fen: fine,
                surcharge_fen: surcharge,
                payment: PaymentRoute::Electronic {
                    channel: c.d.authority.payment_channel.clone(),
                    code: None,
                    qr_content: None,
                },
                date: on,
            })
        }
        EventKind::ApplyToCourt => {
            let decision = c.decision()?;
            let served = c.before.served_on.ok_or(CaseError::Refused(
                zhifa_core::procedure::ProcedureError::NotServed,
            ))?;
            let reminded = c
                .before
                .reminded_on
                .ok_or_else(|| CaseError::Corrupt(format!("{} 缺少催告", c.case_id)))?;
            let (fine, surcharge) = owed_on(c.before, on, c.config, &c.pkg.calendar)?;
            let mut basis = c.violated(decision.on);
            basis.extend(c.penalty_provisions(decision.on));
            DocumentData::CourtApplication(CourtApplication {
                number: format!("{}（申请强制执行）", decision.number),
                authority: c.authority(),
                court: c.d.authority.court.clone(),
                party: party_details(&c.d.party),
                decision_number: decision.number.clone(),
                decided_on: decision.on,
                served_on: served,
                facts: c.facts(),
                basis,
                penalty: outcome_words(&decision.outcome),
                party_opinion: party_opinion(c.events),
                reminded_on: reminded,
                reminder_number: reminder_number(
                    &decision.number,
                    c.occurrence("remind").saturating_sub(1).max(1),
                ),
                fine_fen: fine,
                surcharge_fen: surcharge,
                materials: court_materials(),
                head: c.signer.to_owned(),
                date: on,
            })
        }
        EventKind::Close { reason } => {
            let decision = c.decision()?;
            DocumentData::ClosingApproval(ClosingApproval {
                case_number: c.case_id.to_owned(),
                authority: c.authority(),
                cause: c.cause(),
                party: party_details(&c.d.party),
                decision: format!("{}（{}）", decision.number, date_zh(decision.on)),
                outcome: outcome_words(&decision.outcome),
                execution: execution(c, &decision.outcome),
                property_disposal: property(c.before),
                // The console's 结案 records the 负责人's approval only.
                handler_opinion: Opinion {
                    text: String::new(),
                    signer: String::new(),
                    date: on,
                },
                reviewer_opinion: Opinion {
                    text: String::new(),
                    signer: String::new(),
                    date: on,
                },
                head_opinion: Opinion {
                    text: format!("{reason}。同意结案"),
                    signer: c.signer.to_owned(),
                    date: on,
                },
                closed_on: on,
            })
        }
        _ => return Ok(Vec::new()),
    };
    let sealed = matches!(c.event.kind, EventKind::ApplyToCourt);
    Ok(vec![(data, sealed)])
}

/// 行政强制法 Art. 55(三): what the party said, from the log.
fn party_opinion(events: &[ProcedureEvent]) -> String {
    let mut out = Vec::new();
    for e in events {
        match &e.kind {
            EventKind::HearStatement { review, adopted } => out.push(format!(
                "当事人于{}提出陈述、申辩，本机关复核意见：{review}（{}）",
                date_zh(e.on()),
                if *adopted {
                    "予以采纳"
                } else {
                    "不予采纳"
                }
            )),
            EventKind::Waive {
                statement: true, ..
            } => out.push(format!("当事人于{}明确放弃陈述、申辩权利", date_zh(e.on()))),
            EventKind::HoldHearing {
                party_attended: true,
                ..
            } => out.push(format!("{}举行听证，当事人到场", date_zh(e.on()))),
            _ => {}
        }
    }
    if out.is_empty() {
        "当事人在法定期限内未提出陈述、申辩".to_owned()
    } else {
        out.join("；")
    }
}

/// The 执行情况 of a case at 结案.
fn execution(c: &Ctx<'_>, outcome: &Outcome) -> String {
    let s = c.before;
    if *outcome == Outcome::Transfer {
        return "已移送司法机关".to_owned();
    }
    let paid = c.events.iter().rev().find_map(|e| match &e.kind {
        EventKind::ConfirmPayment { amount_fen } => Some((e.on(), *amount_fen)),
        _ => None,
    });
    match (paid, s.court_applied_on) {
        (Some((on, fen)), _) => format!(
            "当事人已于{}缴纳{}",
            date_zh(on),
            zhifa_core::money::format_yuan(fen)
        ),
        (None, Some(on)) => format!(
            "当事人逾期未履行，本机关已于{}申请{}强制执行",
            date_zh(on),
            c.d.authority.court
        ),
        (None, None) => match s.served_on {
            Some(on) => format!("决定书已于{}送达，无金钱给付义务", date_zh(on)),
            None => "决定无须送达执行".to_owned(),
        },
    }
}

/// The 物品处理情况 at 结案 (every measure is disposed of by then: the core
/// refuses 结案 otherwise).
fn property(s: &CaseState) -> String {
    match (s.saves.len(), s.seizures.len()) {
        (0, 0) => "无".to_owned(),
        (a, b) => format!("先行登记保存{a}次、查封扣押{b}次，均已依法处理或者解除"),
    }
}

/// The 催告书 of every 催告 recorded on a device whose `remind:{n}`
/// document the case does not hold (`held_stages`), rendered from the log
/// up to it (the same amounts as on its day): `(stage, date, pdf)`.
pub fn device_reminders(
    case_id: &str,
    d: &NormalCaseDetails,
    events: &[ProcedureEvent],
    pkg: &Package,
    config: &ProcedureConfig,
    held_stages: &[String],
    base: Option<&str>,
) -> Result<Vec<(String, NaiveDate, Vec<u8>)>, CaseError> {
    let mut out = Vec::new();
    for (i, e) in events.iter().enumerate() {
        let on_device = matches!(e.origin, zhifa_core::procedure::Origin::Device(_));
        if !on_device || !matches!(e.kind, EventKind::Remind) {
            continue;
        }
        let before = state_of(&events[..i], config, pkg)?;
        let ctx = Ctx {
            case_id,
            d,
            events: &events[..i],
            before: &before,
            event: e,
            pkg,
            config,
            signer: "",
        };
        let stage = format!("remind:{}", ctx.occurrence("remind"));
        if held_stages.contains(&stage) {
            continue;
        }
        for (data, _) in data_of(&ctx)? {
            out.push((stage.clone(), e.on(), render_a4(&data, base)?.pdf));
        }
    }
    Ok(out)
}

/// Phase one of a step that issues documents: the account's step checked
/// by the core against the log (a refused step renders nothing) and its
/// documents rendered.
pub fn prepare(
    c: &mut dyn Conn,
    k: &Keeper,
    who: &Staff,
    case_id: &str,
    kind: EventKind,
    now: DateTime<Utc>,
    base: Option<&str>,
) -> Result<(ProcedureEvent, Vec<Issue>), CaseError> {
    let row = in_scope(c, who, case_id)?;
    let event = console_event(c, who, case_id, kind, now)?;
    let events = events_of(c, k, case_id)?;
    let pkg = release_of(c, k, &row.township, event.on())?;
    let config = config_of(&row.township);
    let before = state_of(&events, &config, &pkg)?;
    zhifa_core::procedure::apply(&before, &event, &config, &pkg.calendar)?;
    let details = details_of(c, k, case_id)?
        .ok_or_else(|| CaseError::Corrupt(format!("{case_id} 缺少案件信息")))?;
    let ctx = Ctx {
        case_id,
        d: &details,
        events: &events,
        before: &before,
        event: &event,
        pkg: &pkg,
        config: &config,
        signer: &who.name,
    };
    let mut issues = Vec::new();
    for (data, sealed) in data_of(&ctx)? {
        let kind = data.kind();
        let r = render_a4(&data, base)?;
        issues.push(Issue {
            kind: kind.as_str().to_owned(),
            stage: format!(
                "{}:{}",
                event.kind.name(),
                ctx.occurrence(event.kind.name())
            ),
            title: kind.title_zh().to_owned(),
            number: data.number().map(str::to_owned),
            pdf: r.pdf,
            document_hash: r.document_hash,
            sealed,
        });
    }
    Ok((event, issues))
}

/// A step that issues a document, over HTTP: prepare (check, render), store
/// the PDF by hash, then link it and append the step in one transaction.
pub async fn step_http(
    s: St,
    who: Staff,
    case_id: String,
    kind: EventKind,
) -> Result<CaseView, ApiError> {
    let (store, now) = (s.store.clone(), s.clock.now());
    let (w, id) = (who.clone(), case_id.clone());
    let base = s.public_url.clone();
    let (mut event, issues) = blocking(move || {
        let k = store.keeper();
        store.write_as(|c| prepare(c, k, &w, &id, kind.clone(), now, base.as_deref()))
    })
    .await?;
    let mut files = Vec::new();
    for mut i in issues {
        if i.sealed {
            event.signature = Some(s.badge.seal_document(&i.document_hash));
        }
        let stored = store_file(&s.blobs, std::mem::take(&mut i.pdf)).await?;
        files.push((i, stored));
    }
    let store = s.store.clone();
    let view = blocking(move || {
        let k = store.keeper();
        store.write_as(|c| {
            for (i, (sha, size)) in &files {
                link_file(
                    c,
                    &case_id,
                    &i.kind,
                    &i.stage,
                    &i.title,
                    i.number.as_deref(),
                    (sha, *size),
                    Some(&i.document_hash),
                    now,
                )?;
            }
            super::view::append_centre_step(c, k, &who, &case_id, &event, now)
        })
    })
    .await?;
    Ok(view)
}
