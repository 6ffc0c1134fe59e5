//! The transition: [`apply`] one event to a state, [`fold`] a log, and the
//! append-only [`ProcedureLog`].

use serde::Serialize;

use super::config::ProcedureConfig;
use super::deadline::{self, ClockKind, WorkCalendar};
use super::error::ProcedureError;
use super::gates::{self, check_officers, non_empty, require_leader, require_role};
pub use super::state::{CaseState, DecisionRecord, HearingRecord, Measure, ReviewRecord, Told};
use super::{EventKind, Outcome, PartyKind, ProcedureEvent, Role, ServiceMethod, Stage};

fn illegal(state: &CaseState, event: &ProcedureEvent) -> ProcedureError {
    ProcedureError::IllegalStep {
        stage: state.stage,
        step: event.kind.label_zh(),
    }
}

fn measure<'a>(
    list: &'a mut [Measure],
    index: usize,
    what: &'static str,
) -> Result<&'a mut Measure, ProcedureError> {
    list.get_mut(index)
        .filter(|m| m.disposed_on.is_none())
        .ok_or(ProcedureError::NoSuchMeasure { index, what })
}

/// Applies one event: the new state, or why the step is refused (the
/// given state is untouched either way).
pub fn apply(
    state: &CaseState,
    event: &ProcedureEvent,
    config: &ProcedureConfig,
    cal: &dyn WorkCalendar,
) -> Result<CaseState, ProcedureError> {
    if state.stage.is_terminal() {
        return Err(illegal(state, event));
    }
    // A revoked decision leaves nothing to do but file the case
    // (行政处罚法 Art. 47): no service, payment, 催告 or measure follows.
    if state.stage == Stage::Revoked && !matches!(event.kind, EventKind::Archive) {
        return Err(illegal(state, event));
    }
    if let Some(last) = state.last_at
        && event.at < last
    {
        return Err(ProcedureError::OutOfOrder {
            last: super::beijing_date(last),
        });
    }
    let mut s = state.clone();
    step(&mut s, event, config, cal)?;
    s.last_at = Some(event.at);
    s.events += 1;
    Ok(s)
}

#[allow(clippy::too_many_lines)] // one arm per step of the procedure, read as a table
fn step(
    s: &mut CaseState,
    event: &ProcedureEvent,
    config: &ProcedureConfig,
    cal: &dyn WorkCalendar,
) -> Result<(), ProcedureError> {
    let on = event.on();
    let officer = [Role::Officer];
    match &event.kind {
        EventKind::RegisterSource {
            discovered_on,
            source,
            party,
        } => {
            if s.stage != Stage::Empty {
                return Err(illegal(s, event));
            }
            require_role(event, &officer, "承办人", "《行政处罚法》第五十四条")?;
            non_empty(source, "案件来源")?;
            if *discovered_on > on {
                return Err(ProcedureError::InvalidInput {
                    what: "发现日期不能晚于登记日期".to_owned(),
                });
            }
            s.discovered_on = Some(*discovered_on);
            s.party = Some(*party);
            s.stage = Stage::CaseSource;
        }
        EventKind::File => {
            if s.stage != Stage::CaseSource {
                return Err(illegal(s, event));
            }
            require_leader(event, config, "《行政处罚法》第五十四条第二款")?;
            // Art. 54 ¶2 "及时立案": a late filing is recorded, not refused
            // (Art. 76 ¶2 makes not filing the violation).
            s.filed_late = s.discovered_on.and_then(|d| {
                gates::due_of(ClockKind::Filing, d, config, cal)
                    .ok()
                    .map(|due| on > due)
            });
            s.filed_on = Some(on);
            s.stage = Stage::Filed;
        }
        EventKind::DeclineFiling { reason } => {
            if s.stage != Stage::CaseSource {
                return Err(illegal(s, event));
            }
            require_leader(event, config, "《行政处罚法》第五十四条第二款")?;
            non_empty(reason, "不予立案理由")?;
            s.stage = Stage::NotFiled;
        }
        EventKind::Investigate { act, officers, .. } => {
            if !matches!(s.stage, Stage::Filed | Stage::Investigating) {
                return Err(illegal(s, event));
            }
            require_role(event, &officer, "承办人", "《行政处罚法》第五十五条")?;
            non_empty(act, "调查取证事项")?;
            check_officers(officers)?;
            s.investigation_acts += 1;
            for o in officers {
                if !s.investigators.contains(o) {
                    s.investigators.push(o.clone());
                }
            }
            s.stage = Stage::Investigating;
        }
        EventKind::RequestSave { items, reason } => {
            if !matches!(s.stage, Stage::Filed | Stage::Investigating) || s.save_requested.is_some()
            {
                return Err(illegal(s, event));
            }
            require_role(event, &officer, "承办人", "《行政处罚法》第五十六条")?;
            non_empty(items, "先行登记保存的物品")?;
            non_empty(reason, "先行登记保存的理由（证据可能灭失或者以后难以取得）")?;
            s.save_requested = Some(on);
        }
        EventKind::RegisterSave { items } => {
            if !matches!(s.stage, Stage::Filed | Stage::Investigating) {
                return Err(illegal(s, event));
            }
            require_leader(event, config, "《行政处罚法》第五十六条")?;
            non_empty(items, "先行登记保存的物品")?;
            // The approval answers the officer's request, if there is one.
            s.save_requested = None;
            s.saves.push(Measure {
                on,
                extended_days: 0,
                disposed_on: None,
            });
        }
        EventKind::DisposeSave { index } => {
            if s.stage == Stage::CaseSource || s.stage == Stage::Empty {
                return Err(illegal(s, event));
            }
            require_role(
                event,
                &[Role::Officer, Role::Leader, Role::DeputyLeader],
                "承办人或者负责人",
                "《行政处罚法》第五十六条",
            )?;
            measure(&mut s.saves, *index, "先行登记保存")?.disposed_on = Some(on);
        }
        EventKind::Seize { power, items } => {
            if !matches!(s.stage, Stage::Filed | Stage::Investigating) {
                return Err(illegal(s, event));
            }
            require_leader(event, config, "《行政强制法》第十八条")?;
            non_empty(
                power,
                "查封、扣押的法律、法规依据（《行政强制法》第二十二条）",
            )?;
            non_empty(items, "查封、扣押的财物")?;
            s.seizures.push(Measure {
                on,
                extended_days: 0,
                disposed_on: None,
            });
        }
        EventKind::ExtendSeizure {
            index,
            days,
            reason,
        } => {
            require_leader(event, config, "《行政强制法》第二十五条")?;
            non_empty(reason, "延长理由")?;
            let m = measure(&mut s.seizures, *index, "查封扣押")?;
            // 行政强制法 Art. 25: once, ≤30 days, decided within the period.
            let p = deadline::period(ClockKind::Seizure, config);
            let due = deadline::due(&p, m.on, cal, config)?.due;
            if m.extended_days > 0 || *days == 0 || *days > deadline::SEIZURE_DAYS || on > due {
                return Err(ProcedureError::SeizureExtension);
            }
            m.extended_days = *days;
        }
        EventKind::ReleaseSeizure { index } => {
            require_role(
                event,
                &[Role::Officer, Role::Leader, Role::DeputyLeader],
                "承办人或者负责人",
                "《行政强制法》第二十七条、第二十八条",
            )?;
            measure(&mut s.seizures, *index, "查封扣押")?.disposed_on = Some(on);
        }
        EventKind::EndInvestigation { proposal, flags } => {
            if s.stage != Stage::Investigating {
                return Err(illegal(s, event));
            }
            require_role(event, &officer, "承办人", "《行政处罚法》第五十七条")?;
            if s.investigation_acts == 0 {
                return Err(ProcedureError::NoInvestigation);
            }
            if let Some(p) = proposal.penalty() {
                gates::check_penalty(p)?;
            }
            for g in &flags.review_grounds {
                gates::review_ground_label(g, config)?;
            }
            s.proposal = Some(proposal.clone());
            s.flags = flags.clone();
            s.stage = Stage::InvestigationEnded;
        }
        EventKind::ReviewCase { passed, opinion } => {
            if s.stage != Stage::InvestigationEnded {
                return Err(illegal(s, event));
            }
            require_role(
                event,
                &[Role::CaseReviewer],
                "审核人",
                "《行政处罚法》第五十七条",
            )?;
            non_empty(opinion, "审核意见")?;
            if *passed {
                s.stage = Stage::CaseReviewed;
            } else {
                s.reopen_investigation();
            }
        }
        EventKind::ApproveProposal => {
            if s.stage != Stage::CaseReviewed {
                return Err(illegal(s, event));
            }
            require_leader(event, config, "《行政处罚法》第五十七条")?;
            s.approved = s.proposal.clone();
            s.stage = Stage::ProposalApproved;
        }
        EventKind::Inform {
            penalty,
            facts,
            reasons,
            basis,
            hearing_offered,
            officers,
        } => {
            let approved = match (&s.stage, s.approved.as_ref().and_then(Outcome::penalty)) {
                (Stage::ProposalApproved, Some(p)) => p.clone(),
                _ => return Err(illegal(s, event)),
            };
            require_role(event, &officer, "承办人", "《行政处罚法》第四十四条")?;
            check_officers(officers)?;
            gates::check_penalty(penalty)?;
            if facts.trim().is_empty()
                || reasons.trim().is_empty()
                || basis.iter().all(|b| b.trim().is_empty())
            {
                return Err(ProcedureError::InformIncomplete);
            }
            if gates::heavier(penalty, &approved).is_some() {
                return Err(ProcedureError::ToldHeavierThanApproved);
            }
            let party = s.party.unwrap_or(PartyKind::Citizen);
            if let Some(reason) = gates::hearing_right(penalty, party, config)
                && !hearing_offered
            {
                return Err(ProcedureError::HearingNotOffered { reason });
            }
            s.told = Some(Told {
                on,
                penalty: penalty.clone(),
                hearing_offered: *hearing_offered,
            });
            s.stage = Stage::Informed;
        }
        EventKind::HearStatement { review, .. } => {
            if !s.after_informing() {
                return Err(illegal(s, event));
            }
            require_role(event, &officer, "承办人", "《行政处罚法》第四十五条")?;
            non_empty(review, "复核意见（《行政处罚法》第四十五条）")?;
            s.statement_heard = true;
            if s.stage == Stage::Informed {
                s.stage = Stage::StatementHeard;
            }
        }
        EventKind::Waive { statement, hearing } => {
            if !s.after_informing() || !(*statement || *hearing) {
                return Err(illegal(s, event));
            }
            require_role(event, &officer, "承办人", "《行政处罚法》第六十二条")?;
            s.statement_waived |= *statement;
            s.hearing_waived |= *hearing;
            if *statement && s.stage == Stage::Informed {
                s.stage = Stage::StatementHeard;
            }
        }
        EventKind::RequestHearing => {
            let told_on = match (&s.told, &s.hearing) {
                (Some(t), None) if matches!(s.stage, Stage::Informed | Stage::StatementHeard) => {
                    t.on
                }
                _ => return Err(illegal(s, event)),
            };
            require_role(event, &officer, "承办人", "《行政处罚法》第六十四条")?;
            // Art. 64(一) + 85: within 5 working days of the 告知.
            let due = gates::due_of(ClockKind::HearingRequest, told_on, config, cal)?;
            if on > due {
                return Err(ProcedureError::HearingRequestLate { due });
            }
            s.hearing_waived = false;
            s.hearing = Some(HearingRecord {
                requested_on: on,
                hearing_on: None,
                presider: None,
                held_on: None,
            });
            s.stage = Stage::Hearing;
        }
        EventKind::NoticeHearing {
            hearing_on,
            presider,
            ..
        } => {
            let open = s.stage == Stage::Hearing
                && s.hearing.as_ref().is_some_and(|h| h.held_on.is_none());
            if !open {
                return Err(illegal(s, event));
            }
            // Art. 64(二): the authority notifies; the officer on the device
            // or the presider (the 法制审核 account) at the centre.
            require_role(
                event,
                &[Role::Officer, Role::Presider],
                "承办人或听证主持人",
                "《行政处罚法》第六十四条",
            )?;
            non_empty(presider, "听证主持人")?;
            if s.investigators.contains(presider) {
                return Err(ProcedureError::PresiderIsInvestigator);
            }
            // Art. 64(二) + 85: 7 working days before the hearing.
            let latest = gates::due_of(ClockKind::HearingNotice, *hearing_on, config, cal)?;
            if on > latest {
                return Err(ProcedureError::HearingNoticeLate {
                    hearing_on: *hearing_on,
                    latest,
                });
            }
            if let Some(h) = s.hearing.as_mut() {
                h.hearing_on = Some(*hearing_on);
                h.presider = Some(presider.clone());
            }
        }
        EventKind::HoldHearing {
            party_attended,
            minutes,
        } => {
            let Some(h) = s
                .hearing
                .clone()
                .filter(|h| s.stage == Stage::Hearing && h.held_on.is_none())
            else {
                return Err(illegal(s, event));
            };
            let Some(day) = h.hearing_on else {
                return Err(illegal(s, event));
            };
            require_role(
                event,
                &[Role::Presider],
                "听证主持人",
                "《行政处罚法》第六十四条第四项",
            )?;
            if s.investigators.contains(&event.actor.id)
                || h.presider.as_deref() != Some(event.actor.id.as_str())
            {
                return Err(ProcedureError::PresiderIsInvestigator);
            }
            if on < day {
                return Err(ProcedureError::HearingNotYet { hearing_on: day });
            }
            if let Some(m) = minutes {
                gates::check_minutes(m, *party_attended)?;
            }
            if let Some(h) = s.hearing.as_mut() {
                h.held_on = Some(on);
            }
            // Art. 64(六): absent without cause → deemed to waive.
            if !party_attended {
                s.hearing_waived = true;
            }
        }
        EventKind::SubmitLegalReview => {
            if !s.deciding() {
                return Err(illegal(s, event));
            }
            require_role(
                event,
                &[Role::Officer, Role::CaseReviewer],
                "承办人或者审核人",
                "《行政处罚法》第五十八条",
            )?;
            s.legal_review_submitted_on = Some(on);
        }
        EventKind::LegalReview {
            qualification,
            passed,
            opinion,
            ..
        } => {
            if !s.deciding() {
                return Err(illegal(s, event));
            }
            require_role(
                event,
                &[Role::LegalReviewer],
                "法制审核人员",
                "《行政处罚法》第五十八条",
            )?;
            // Art. 58 ¶2: the reviewer holds a 法律职业资格.
            if qualification.trim().is_empty() {
                return Err(ProcedureError::ReviewerUnqualified);
            }
            non_empty(opinion, "法制审核意见")?;
            if !passed {
                s.reopen_investigation();
                return Ok(());
            }
            s.legal_review = Some(ReviewRecord {
                on,
                reviewer: event.actor.id.clone(),
                qualification: qualification.trim().to_owned(),
            });
            if s.after_informing() {
                s.stage = Stage::LegalReviewed;
            }
        }
        EventKind::DiscussCollectively {
            attendees,
            conclusion,
        } => {
            if !s.deciding() {
                return Err(illegal(s, event));
            }
            require_leader(event, config, "《行政处罚法》第五十七条第二款")?;
            non_empty(conclusion, "集体讨论结论")?;
            let distinct: std::collections::BTreeSet<&str> = attendees
                .iter()
                .map(|a| a.trim())
                .filter(|a| !a.is_empty())
                .collect();
            let n = u32::try_from(distinct.len()).unwrap_or(u32::MAX);
            if n < config.collective_min_attendees {
                return Err(ProcedureError::CollectiveTooFew {
                    min: config.collective_min_attendees,
                });
            }
            s.collective_on = Some(on);
            if s.after_informing() {
                s.stage = Stage::CollectivelyDiscussed;
            }
        }
        EventKind::ExtendDecision { days, reason } => {
            let open = matches!(
                s.stage,
                Stage::Filed | Stage::Investigating | Stage::InvestigationEnded
            ) || s.deciding();
            if !open {
                return Err(illegal(s, event));
            }
            require_leader(event, config, "《行政处罚法》第六十条")?;
            non_empty(reason, "延长理由")?;
            let max = config.decision_extension_days.value;
            let left = max.saturating_sub(s.extension_days);
            if *days == 0 || *days > left {
                return Err(ProcedureError::ExtensionNotAllowed { max: left });
            }
            s.extension_days += days;
        }
        EventKind::Decide { outcome, number } => {
            let allowed = match outcome {
                Outcome::Penalty { .. } => s.after_informing(),
                _ => s.stage == Stage::ProposalApproved || s.after_informing(),
            };
            if !allowed {
                return Err(illegal(s, event));
            }
            require_leader(event, config, "《行政处罚法》第五十七条")?;
            non_empty(number, "决定书文号")?;
            let late = gates::decision_gates(s, outcome, on, config, cal)?;
            s.decision = Some(DecisionRecord {
                on,
                outcome: outcome.clone(),
                number: number.clone(),
                late,
            });
            s.stage = Stage::Decided;
        }
        EventKind::Serve { method, officers } => {
            let transfer = s
                .decision
                .as_ref()
                .is_some_and(|d| d.outcome == Outcome::Transfer);
            if s.stage != Stage::Decided || transfer {
                return Err(illegal(s, event));
            }
            require_role(event, &officer, "承办人", "《行政处罚法》第六十一条")?;
            match method {
                ServiceMethod::OnTheSpot | ServiceMethod::Direct | ServiceMethod::LeftAtAddress => {
                    check_officers(officers)?;
                }
                ServiceMethod::Electronic { consent } => {
                    if consent.as_deref().is_none_or(|c| c.trim().is_empty()) {
                        return Err(ProcedureError::ElectronicServiceNoConsent);
                    }
                }
                ServiceMethod::Post | ServiceMethod::PublicNotice => {}
            }
            s.served_on = Some(on);
            s.stage = Stage::Served;
        }
        EventKind::Publish => {
            let penalty = s
                .decision
                .as_ref()
                .is_some_and(|d| d.outcome.penalty().is_some());
            if !penalty || s.published_on.is_some() || !(s.stage == Stage::Decided || s.executing())
            {
                return Err(illegal(s, event));
            }
            require_role(
                event,
                &[Role::Officer, Role::CaseReviewer],
                "承办人或者审核人",
                "《行政处罚法》第四十八条",
            )?;
            s.published_on = Some(on);
            if s.stage == Stage::Served {
                s.stage = Stage::Published;
            }
        }
        EventKind::ConfirmPayment { amount_fen } => {
            let money = money_penalty(s);
            if !s.executing() || money == 0 || s.paid_on.is_some() {
                return Err(illegal(s, event));
            }
            require_role(event, &officer, "承办人", "《行政处罚法》第六十七条")?;
            if *amount_fen < money {
                return Err(ProcedureError::InvalidInput {
                    what: format!(
                        "缴款金额{}少于决定金额{}",
                        crate::money::format_yuan(*amount_fen),
                        crate::money::format_yuan(money)
                    ),
                });
            }
            s.paid_on = Some(on);
            if s.stage != Stage::CourtApplied {
                s.stage = Stage::Executing;
            }
        }
        EventKind::ApproveDeferral { until, instalments } => {
            if !s.executing() || money_penalty(s) == 0 || s.paid_on.is_some() {
                return Err(illegal(s, event));
            }
            require_leader(event, config, "《行政处罚法》第六十六条第二款")?;
            let due = gates::payment_due(s, config, cal)?;
            if due.is_some_and(|d| *until <= d) {
                return Err(ProcedureError::InvalidInput {
                    what: "延期（分期）缴纳的期限应当晚于原缴款期限".to_owned(),
                });
            }
            if !instalments.is_empty() {
                gates::check_instalments(instalments, money_penalty(s), *until, on)?;
            }
            s.deferred_until = Some(*until);
            s.instalments = instalments.clone();
            if matches!(s.stage, Stage::Served | Stage::Published) {
                s.stage = Stage::Executing;
            }
        }
        EventKind::Remind => {
            if !matches!(s.stage, Stage::Served | Stage::Published | Stage::Executing)
                || money_penalty(s) == 0
                || s.paid_on.is_some()
            {
                return Err(illegal(s, event));
            }
            // The 催告书 is the authority's (行政强制法 Art. 35): the centre's
            // 负责人 issues it, or the officer records one served.
            require_role(
                event,
                &[Role::Officer, Role::Leader],
                "承办人或者负责人",
                "《行政强制法》第三十五条",
            )?;
            if let Some(due) = gates::payment_due(s, config, cal)?
                && on <= due
            {
                return Err(ProcedureError::NotOverdue { due });
            }
            s.reminded_on = Some(on);
            s.stage = Stage::Reminded;
        }
        EventKind::ApplyToCourt => {
            let reminded = match (s.stage, s.reminded_on) {
                (Stage::Reminded, Some(r)) if s.paid_on.is_none() => r,
                _ => return Err(illegal(s, event)),
            };
            require_leader(event, config, "《行政强制法》第五十五条")?;
            // 行政强制法 Art. 54 + 69: 10 working days after the 催告书.
            let earliest = gates::due_of(ClockKind::Reminder, reminded, config, cal)?;
            if on <= earliest {
                return Err(ProcedureError::ReminderPeriodOpen { earliest });
            }
            // Art. 53: after the remedy periods, within 3 months of them.
            if let Some(until) = gates::remedy_end(s, config, cal)? {
                if on <= until {
                    return Err(ProcedureError::RemedyPeriodOpen { until });
                }
                let due = gates::due_of(ClockKind::CourtApplication, until, config, cal)?;
                if on > due {
                    return Err(ProcedureError::CourtApplicationLate { due });
                }
            }
            s.court_applied_on = Some(on);
            s.stage = Stage::CourtApplied;
        }
        EventKind::Close { reason } => {
            let Some(d) = &s.decision else {
                return Err(illegal(s, event));
            };
            let transfer = d.outcome == Outcome::Transfer;
            if !(s.executing() || (s.stage == Stage::Decided)) {
                return Err(illegal(s, event));
            }
            require_leader(event, config, "《行政处罚法》第四十七条")?;
            non_empty(reason, "结案理由")?;
            if !transfer && s.served_on.is_none() {
                return Err(ProcedureError::NotServed);
            }
            if money_penalty(s) > 0 && s.paid_on.is_none() && s.court_applied_on.is_none() {
                return Err(ProcedureError::NotPerformed);
            }
            open_measures(s)?;
            s.closed_on = Some(on);
            s.stage = Stage::Closed;
        }
        EventKind::Archive => {
            if !matches!(s.stage, Stage::Closed | Stage::Revoked) {
                return Err(illegal(s, event));
            }
            require_role(
                event,
                &[Role::Officer, Role::Archivist],
                "承办人或者档案员",
                "《行政处罚法》第四十七条",
            )?;
            s.archived_on = Some(on);
            s.stage = Stage::Archived;
        }
        EventKind::Withdraw { reason } => {
            let open = matches!(
                s.stage,
                Stage::Filed | Stage::Investigating | Stage::InvestigationEnded
            ) || s.deciding();
            if !open {
                return Err(illegal(s, event));
            }
            require_leader(event, config, "《行政处罚法》第五十七条")?;
            non_empty(reason, "撤销立案理由")?;
            open_measures(s)?;
            s.stage = Stage::Withdrawn;
        }
        EventKind::Revoke { reason, source } => {
            // Art. 48 ¶2: a decision that is changed, revoked, held illegal
            // or void — so only once there is a decision, and before 归档.
            let decided = matches!(s.stage, Stage::Decided | Stage::Closed) || s.executing();
            if s.decision.is_none() || !decided {
                return Err(illegal(s, event));
            }
            require_leader(event, config, "《行政处罚法》第四十八条第二款")?;
            non_empty(reason, "撤销理由")?;
            non_empty(source, "撤销依据（复议决定、判决或者自行纠错）")?;
            s.revoked_on = Some(on);
            s.stage = Stage::Revoked;
        }
    }
    Ok(())
}

/// The money a penalty decision orders paid (fine plus confiscated
/// value), fen; 0 without a decision or without money.
pub fn money_penalty(s: &CaseState) -> i64 {
    s.decision
        .as_ref()
        .and_then(|d| d.outcome.penalty())
        .map_or(0, |p| p.fine_fen.saturating_add(p.confiscation_fen))
}

fn open_measures(s: &CaseState) -> Result<(), ProcedureError> {
    if s.saves.iter().any(|m| m.disposed_on.is_none()) {
        return Err(ProcedureError::MeasuresOpen {
            what: "先行登记保存",
        });
    }
    if s.seizures.iter().any(|m| m.disposed_on.is_none()) {
        return Err(ProcedureError::MeasuresOpen {
            what: "查封扣押"
        });
    }
    Ok(())
}

/// Folds a whole log from the empty state; the error carries the index of
/// the first refused event.
pub fn fold(
    events: &[ProcedureEvent],
    config: &ProcedureConfig,
    cal: &dyn WorkCalendar,
) -> Result<CaseState, (usize, ProcedureError)> {
    let mut s = CaseState::new();
    for (i, e) in events.iter().enumerate() {
        s = apply(&s, e, config, cal).map_err(|err| (i, err))?;
    }
    Ok(s)
}

/// An append-only log with its current state. Events are only ever
/// appended, and only when [`apply`] accepts them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ProcedureLog {
    events: Vec<ProcedureEvent>,
    state: CaseState,
}

impl ProcedureLog {
    /// An empty log.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends `event` if the procedure allows it; otherwise nothing
    /// changes and the error says why.
    pub fn append(
        &mut self,
        event: ProcedureEvent,
        config: &ProcedureConfig,
        cal: &dyn WorkCalendar,
    ) -> Result<&CaseState, ProcedureError> {
        let next = apply(&self.state, &event, config, cal)?;
        self.events.push(event);
        self.state = next;
        Ok(&self.state)
    }

    /// The events, oldest first.
    pub fn events(&self) -> &[ProcedureEvent] {
        &self.events
    }

    /// The current state.
    pub fn state(&self) -> &CaseState {
        &self.state
    }
}
