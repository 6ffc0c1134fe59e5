//! The legal gates of the normal procedure as pure functions of the case
//! state, each beside its article. [`super::apply`] calls them; a screen
//! may call them too, to say in advance what a step will need ("本案须法制
//! 审核").

use std::collections::BTreeSet;

use chrono::NaiveDate;

use super::apply::CaseState;
use super::config::ProcedureConfig;
use super::deadline::{self, ClockKind, WorkCalendar};
use super::error::ProcedureError;
use super::{
    HearingMinutes, MinutesSignature, Outcome, PartyKind, Penalty, PenaltyKind, ProcedureEvent,
    Role,
};
use crate::money::format_yuan;

/// 行政处罚法 Art. 42 and 55: at least two distinct officers.
pub fn check_officers(officers: &[String]) -> Result<(), ProcedureError> {
    let distinct: BTreeSet<&str> = officers
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .collect();
    if distinct.len() < 2 || distinct.len() != officers.len() {
        return Err(ProcedureError::OfficersNotTwo);
    }
    Ok(())
}

/// The step must be taken (approved) by the 行政机关负责人; a 分管副职 only
/// where the township allows it (research §1.1 ❓).
pub fn require_leader(
    event: &ProcedureEvent,
    config: &ProcedureConfig,
    article: &'static str,
) -> Result<(), ProcedureError> {
    let ok = event.actor.role == Role::Leader
        || (config.deputy_may_approve && event.actor.role == Role::DeputyLeader);
    if ok {
        Ok(())
    } else {
        Err(ProcedureError::WrongRole {
            step: event.kind.label_zh(),
            needed: "行政机关负责人批准",
            actual: event.actor.role,
            article,
        })
    }
}

/// The step must be taken by one of `roles`.
pub fn require_role(
    event: &ProcedureEvent,
    roles: &[Role],
    needed: &'static str,
    article: &'static str,
) -> Result<(), ProcedureError> {
    if roles.contains(&event.actor.role) {
        Ok(())
    } else {
        Err(ProcedureError::WrongRole {
            step: event.kind.label_zh(),
            needed,
            actual: event.actor.role,
            article,
        })
    }
}

/// The 听证笔录's content (行政处罚法 Art. 64(七)(八)): a hearing the
/// party attended records the investigators' case and the party's
/// 申辩 and 质证, and the party's signature or — 当事人或者其代理人拒绝签字
/// 或者盖章的，由听证主持人在笔录中注明 — the presider's note of the refusal.
pub fn check_minutes(m: &HearingMinutes, party_attended: bool) -> Result<(), ProcedureError> {
    if !party_attended {
        return Ok(());
    }
    non_empty(&m.investigators_case, "调查人员提出的事实、证据和处罚建议")?;
    non_empty(&m.party_statement, "当事人的申辩")?;
    non_empty(&m.cross_examination, "质证")?;
    match &m.signature {
        MinutesSignature::Signed { by } => non_empty(by, "笔录签字人"),
        MinutesSignature::Refused { note } => non_empty(note, "听证主持人对拒绝签字的注明"),
        MinutesSignature::Unrecorded => Err(ProcedureError::InvalidInput {
            what: "听证笔录须经当事人或者其代理人签字或者盖章，拒绝的由听证主持人注明（《行政处罚法》第六十四条第八项）".to_owned(),
        }),
    }
}

/// A non-empty text field, or the named error.
pub fn non_empty(value: &str, what: &str) -> Result<(), ProcedureError> {
    if value.trim().is_empty() {
        return Err(ProcedureError::InvalidInput {
            what: format!("{what}不能为空"),
        });
    }
    Ok(())
}

/// A penalty's amounts and kinds agree: no negative money, a fine kind
/// with a fine and no fine without it (likewise confiscation), at least one kind.
pub fn check_penalty(p: &Penalty) -> Result<(), ProcedureError> {
    let bad = |what: &str| {
        Err(ProcedureError::InvalidInput {
            what: what.to_owned(),
        })
    };
    if p.kinds.is_empty() {
        return bad("处罚种类不能为空");
    }
    if p.fine_fen < 0 || p.confiscation_fen < 0 {
        return bad("金额不能为负数");
    }
    if p.has(PenaltyKind::Fine) != (p.fine_fen > 0) {
        return bad("罚款种类与罚款金额不一致");
    }
    if !p.has(PenaltyKind::Confiscation) && p.confiscation_fen > 0 {
        return bad("未列没收种类却有没收金额");
    }
    Ok(())
}

/// Whether the party has the right to a hearing (行政处罚法 Art. 63), and
/// why: a fine or confiscation at or above the township's 较大数额 for the
/// party's kind ((一)(二); "以上" includes the amount, 民法典 Art. 1259),
/// or a kind of the configured list ((三)(四)(五)).
pub fn hearing_right(
    penalty: &Penalty,
    party: PartyKind,
    config: &ProcedureConfig,
) -> Option<String> {
    let threshold = match party {
        PartyKind::Citizen => config.hearing_threshold_citizen_fen.value,
        PartyKind::Organisation => config.hearing_threshold_organisation_fen.value,
    };
    if penalty.fine_fen >= threshold {
        return Some(format!(
            "罚款{}达到较大数额{}",
            format_yuan(penalty.fine_fen),
            format_yuan(threshold)
        ));
    }
    if penalty.confiscation_fen >= threshold {
        return Some(format!(
            "没收{}达到较大数额{}",
            format_yuan(penalty.confiscation_fen),
            format_yuan(threshold)
        ));
    }
    penalty
        .kinds
        .iter()
        .find(|k| config.hearing_kinds.contains(k))
        .map(|k| format!("处罚种类为{}", k.label_zh()))
}

/// What makes `decided` heavier than `told`, if anything (行政处罚法 Art. 44,
/// 45 ¶2, 62): a larger fine or confiscation, or a kind not told. A 警告
/// may replace a told 通报批评 (ranked lower, docs/law/README.md open
/// question 2); nothing replaces a told warning but a warning.
pub fn heavier(decided: &Penalty, told: &Penalty) -> Option<String> {
    if decided.fine_fen > told.fine_fen {
        return Some(format!(
            "罚款{}高于告知的{}",
            format_yuan(decided.fine_fen),
            format_yuan(told.fine_fen)
        ));
    }
    if decided.confiscation_fen > told.confiscation_fen {
        return Some(format!(
            "没收{}高于告知的{}",
            format_yuan(decided.confiscation_fen),
            format_yuan(told.confiscation_fen)
        ));
    }
    decided
        .kinds
        .iter()
        .find(|k| {
            // A 警告 decided where 通报批评 was told is lighter, not new.
            let lighter_than_told = **k == PenaltyKind::Warning && told.has(PenaltyKind::Criticism);
            !(told.has(**k) || lighter_than_told)
        })
        .map(|k| format!("增加了告知中没有的{}", k.label_zh()))
}

/// The Art. 58 grounds a case has, in Chinese (empty: no 法制审核 needed):
/// the flags' (一)–(三) and the township's extra items (四); a hearing held
/// (二, when configured); every penalty when configured.
pub fn legal_review_grounds(
    state: &CaseState,
    outcome: &Outcome,
    config: &ProcedureConfig,
) -> Result<Vec<String>, ProcedureError> {
    let mut out = Vec::new();
    if outcome.penalty().is_none() {
        return Ok(out);
    }
    for g in &state.flags.review_grounds {
        out.push(review_ground_label(g, config)?);
    }
    if config.legal_review_after_hearing
        && state.hearing.as_ref().is_some_and(|h| h.held_on.is_some())
    {
        out.push("经过听证程序（第五十八条第一款第二项）".to_owned());
    }
    if config.legal_review_every_penalty {
        out.push("本镇街规定所有普通程序处罚决定须法制审核".to_owned());
    }
    Ok(out)
}

/// The Chinese label of an Art. 58 ground code.
pub fn review_ground_label(code: &str, config: &ProcedureConfig) -> Result<String, ProcedureError> {
    Ok(match code {
        "public_interest" => "涉及重大公共利益（第五十八条第一款第一项）".to_owned(),
        "major_rights" => "直接关系当事人或者第三人重大权益（第五十八条第一款第二项）".to_owned(),
        "complex" => "案件情况疑难复杂、涉及多个法律关系（第五十八条第一款第三项）".to_owned(),
        other if config.extra_review_items.iter().any(|i| i == other) => {
            format!("本镇街法制审核目录：{other}（第五十八条第一款第四项）")
        }
        other => return Err(ProcedureError::UnknownReviewGround(other.to_owned())),
    })
}

/// Whether a penalty needs 集体讨论 (行政处罚法 Art. 57 ¶2): the case is
/// flagged 情节复杂或者重大, or its fine reaches the township's threshold.
pub fn collective_required(state: &CaseState, penalty: &Penalty, config: &ProcedureConfig) -> bool {
    state.flags.complex_or_major
        || config
            .collective_discussion_fine_from_fen
            .is_some_and(|t| penalty.fine_fen >= t)
}

/// The last day of a clock started on `from`.
pub fn due_of(
    kind: ClockKind,
    from: NaiveDate,
    config: &ProcedureConfig,
    cal: &dyn WorkCalendar,
) -> Result<NaiveDate, ProcedureError> {
    Ok(deadline::due(&deadline::period(kind, config), from, cal, config)?.due)
}

/// The Art. 60 deadline: 90 days from 立案 plus any approved extension.
pub fn decision_due(
    state: &CaseState,
    config: &ProcedureConfig,
    cal: &dyn WorkCalendar,
) -> Result<Option<NaiveDate>, ProcedureError> {
    let Some(filed) = state.filed_on else {
        return Ok(None);
    };
    let mut p = deadline::period(ClockKind::Decision, config);
    p.length += state.extension_days;
    Ok(Some(deadline::due(&p, filed, cal, config)?.due))
}

/// The last day to pay: 15 days from receipt (Art. 67), or the approved
/// deferral's day (Art. 66 ¶2).
pub fn payment_due(
    state: &CaseState,
    config: &ProcedureConfig,
    cal: &dyn WorkCalendar,
) -> Result<Option<NaiveDate>, ProcedureError> {
    if let Some(d) = state.deferred_until {
        return Ok(Some(d));
    }
    match state.served_on {
        Some(s) => Ok(Some(due_of(ClockKind::Payment, s, config, cal)?)),
        None => Ok(None),
    }
}

/// 行政处罚法 Art. 66 ¶2 (分期缴纳, approved by the 负责人): a plan of at
/// least two instalments, each a positive amount, due on strictly later
/// days from the approval day `from` on, the last on the approved last day
/// `until`, together exactly the amount the decision orders paid
/// (`owed_fen`, integer fen: nothing is rounded).
pub fn check_instalments(
    plan: &[super::Instalment],
    owed_fen: i64,
    until: NaiveDate,
    from: NaiveDate,
) -> Result<(), ProcedureError> {
    let bad = |reason: String| Err(ProcedureError::InstalmentPlan { reason });
    if plan.len() < 2 {
        return bad("分期缴纳至少分为两期；一次缴清的请批准延期".to_owned());
    }
    let mut last: Option<NaiveDate> = None;
    let mut sum: i64 = 0;
    for (i, p) in plan.iter().enumerate() {
        if p.amount_fen <= 0 {
            return bad(format!("第{}期金额应大于零", i + 1));
        }
        if p.due < from || last.is_some_and(|l| p.due <= l) {
            return bad(format!(
                "第{}期的缴纳日不得早于批准日，且应晚于前一期的缴纳日",
                i + 1
            ));
        }
        last = Some(p.due);
        sum = sum.saturating_add(p.amount_fen);
    }
    if last != Some(until) {
        return bad("最后一期的缴纳日应为批准的最后缴纳日".to_owned());
    }
    if sum != owed_fen {
        return bad(format!(
            "各期合计{}，应等于决定应缴纳的金额{}",
            format_yuan(sum),
            format_yuan(owed_fen)
        ));
    }
    Ok(())
}

/// The fine owed and the surcharge (加处罚款) accrued as of `on`: 行政处罚法
/// Art. 72(一) — 3 % of the fine a day after the payment due day, never
/// more than the fine (行政强制法 Art. 45), computed by the rules engine's
/// one rule ([`crate::rules::assess::late_fee`]); none once paid, nor
/// before the decision is served (the payment period has not started).
/// The surcharge runs on the fine only, not on a confiscated value.
/// Returns `(fine_fen, surcharge_fen)`.
pub fn owed_on(
    state: &CaseState,
    on: NaiveDate,
    config: &ProcedureConfig,
    cal: &dyn WorkCalendar,
) -> Result<(i64, i64), ProcedureError> {
    let fine = state
        .decision
        .as_ref()
        .and_then(|d| d.outcome.penalty())
        .map_or(0, |p| p.fine_fen);
    if fine == 0 || state.paid_on.is_some() {
        return Ok((0, 0));
    }
    let surcharge = match payment_due(state, config, cal)? {
        // Art. 73 ¶3 (none while a remedy is pending) is not recorded in
        // the log: the surcharge runs.
        Some(due) => crate::rules::assess::late_fee(fine, due, on, false),
        None => 0,
    };
    Ok((fine, surcharge))
}

/// The day the remedy periods end after service: the later of 60 days
/// (行政复议法 Art. 20) and 6 months (行政诉讼法 Art. 46), or the end of an
/// approved deferral (行政处罚法 Art. 72 ¶2), whichever is later.
pub fn remedy_end(
    state: &CaseState,
    config: &ProcedureConfig,
    cal: &dyn WorkCalendar,
) -> Result<Option<NaiveDate>, ProcedureError> {
    let Some(served) = state.served_on else {
        return Ok(None);
    };
    let roll = |d: NaiveDate| -> Result<NaiveDate, ProcedureError> {
        if config.roll_calendar_periods {
            Ok(deadline::working_day_on_or_after(cal, d)?)
        } else {
            Ok(d)
        }
    };
    let reconsideration = roll(deadline::add_days(served, deadline::RECONSIDERATION_DAYS))?;
    let litigation = roll(deadline::add_months(served, deadline::LITIGATION_MONTHS))?;
    let end = reconsideration.max(litigation);
    Ok(Some(state.deferred_until.map_or(end, |d| end.max(d))))
}

/// Every gate before a decision (行政处罚法 Art. 44, 45, 57, 58, 60, 62–65).
/// Returns whether the decision is late (only when the township accepts
/// late decisions).
pub fn decision_gates(
    state: &CaseState,
    outcome: &Outcome,
    on: NaiveDate,
    config: &ProcedureConfig,
    cal: &dyn WorkCalendar,
) -> Result<bool, ProcedureError> {
    if let Some(penalty) = outcome.penalty() {
        check_penalty(penalty)?;
        // Art. 44, 62: no decision without the 告知.
        let told = state.told.as_ref().ok_or(ProcedureError::NotInformed)?;
        // Art. 45, 62: heard (with 复核), expressly waived, or lapsed.
        if !state.statement_heard && !state.statement_waived {
            let due = due_of(ClockKind::Statement, told.on, config, cal)?;
            if on <= due {
                return Err(ProcedureError::StatementPeriodOpen { due });
            }
        }
        // Art. 63–65: a requested hearing must be held (or deemed waived);
        // an offered one may not be pre-empted.
        match &state.hearing {
            Some(h) if h.held_on.is_none() && !state.hearing_waived => {
                return Err(ProcedureError::HearingPending);
            }
            None if told.hearing_offered && !state.hearing_waived => {
                let due = due_of(ClockKind::HearingRequest, told.on, config, cal)?;
                if on <= due {
                    return Err(ProcedureError::HearingRequestOpen { due });
                }
            }
            _ => {}
        }
        // Art. 44, 45 ¶2, 62: never heavier than told.
        if let Some(what) = heavier(penalty, &told.penalty) {
            return Err(ProcedureError::HeavierThanTold { what });
        }
        // Art. 58: 法制审核 passed, after any hearing.
        let grounds = legal_review_grounds(state, outcome, config)?;
        if !grounds.is_empty() {
            let held = state.hearing.as_ref().and_then(|h| h.held_on);
            let ok = state
                .legal_review
                .as_ref()
                .is_some_and(|r| held.is_none_or(|h| r.on >= h));
            if !ok {
                return Err(ProcedureError::LegalReviewRequired {
                    grounds: grounds.join("；"),
                });
            }
        }
        // Art. 57 ¶2: 集体讨论.
        if collective_required(state, penalty, config) && state.collective_on.is_none() {
            return Err(ProcedureError::CollectiveDiscussionRequired);
        }
    }
    // Art. 60: within 90 days of 立案 (plus an approved extension).
    if let Some(due) = decision_due(state, config, cal)?
        && on > due
    {
        if config.refuse_late_decision {
            return Err(ProcedureError::DecisionLate { due });
        }
        return Ok(true);
    }
    Ok(false)
}
