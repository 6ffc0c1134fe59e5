//! 案卷评查 (issue 18 item 2): a normal-procedure case's file scored
//! against 《重庆市行政处罚案卷评查标准（试行）》 ([`standard`], the
//! standard as data): the 基础标准 veto items, then the 100-point
//! 文书规范标准 — −5 for each mandatory document the file lacks (the case's
//! `record_document` rows by kind, or the signed step the 卷宗 binds in its
//! place), −1 for each missing content item a machine can check — and the
//! deadlines kept, each as a finding. What needs a person's judgement
//! (facts clear, evidence sufficient, the law applied, the penalty not
//! 明显失当, wording) is listed as `needs_human` and never scored here, so
//! the grade is the machine's provisional one until a scorer has looked.
//!
//! [`score`] is pure (the log, the folded state, the documents held, the
//! matter as the catalogue release in force has it, the township's
//! settings and calendar); [`review_of`] gathers them from the store.

pub mod standard;

use chrono::NaiveDate;
use serde::Serialize;
use zhifa_core::catalogue::model::Matter;
use zhifa_core::procedure::deadline::WorkCalendar;
use zhifa_core::procedure::{
    CaseState, ClockKind, EventKind, Outcome, ProcedureConfig, ProcedureEvent, Role, ServiceMethod,
    gates,
};

use self::standard::{
    DOCUMENTS, DocumentRule, Grading, Holds, ITEMS, ItemCheck, ItemRule, MISSING_DOCUMENT_POINTS,
    MISSING_ITEM_POINTS, PART1, PART2, TOTAL, VETOES, VetoCheck, VetoRule, When,
};
use super::SuperviseError;
use crate::procedure::{
    CaseError, case_of, config_of, details_of, documents_of, events_of, release_of, state_of,
};
use crate::record::Keeper;
use crate::store::sql::Conn;

/// The outcome of one item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ItemResult {
    /// It holds.
    Pass,
    /// It does not (a veto item: the file is 不合格; a sheet item: points off).
    Fail,
    /// It does not apply to this case (its points count in full, §2.3).
    NotApplicable,
    /// A person must judge it.
    NeedsHuman,
}

/// One veto item judged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct VetoFinding {
    /// Stable id.
    pub id: String,
    /// Its group.
    pub group: String,
    /// What must hold.
    pub text: String,
    /// The result.
    pub result: ItemResult,
    /// What the machine found, in Chinese.
    pub finding: String,
}

/// One row of the 100-point sheet judged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Finding {
    /// Stable id.
    pub id: String,
    /// `document` (必备文书), `item` (内容要素) or `deadline` (期限).
    pub kind: String,
    /// The document or what is checked.
    pub title: String,
    /// The result.
    pub result: ItemResult,
    /// Points off (0 unless failed).
    pub deducted: u32,
    /// What the machine found, in Chinese.
    pub finding: String,
    /// Where the rule comes from.
    pub source: String,
}

/// The review of one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Review {
    /// The case.
    pub case_id: String,
    /// Its township.
    pub township: String,
    /// The standard scored.
    pub standard: String,
    /// Where its rules were read.
    pub source: String,
    /// The score out of [`standard::TOTAL`].
    pub score: u32,
    /// The full marks.
    pub total: u32,
    /// Whether every machine-checked veto item holds.
    pub veto_passed: bool,
    /// 优秀 / 良好 / 合格 / 不合格 (不合格 whenever a veto fails).
    pub grade: String,
    /// How the grade is set: the thresholds in use, which are settings.
    pub grade_basis: String,
    /// Whether items wait for a human scorer (the grade is then the
    /// machine's provisional one).
    pub provisional: bool,
    /// Whether the case is not yet closed (结案): the score is then a
    /// projection over what applies so far (research §2.3 [design]: shown
    /// to the reviewer before 结案).
    pub projected: bool,
    /// Part 1.
    pub vetoes: Vec<VetoFinding>,
    /// Part 2, row by row.
    pub findings: Vec<Finding>,
    /// The judgement items for a human scorer, in Chinese.
    pub needs_human: Vec<String>,
}

/// What the scorer reads.
pub struct Input<'a> {
    /// The case.
    pub case_id: &'a str,
    /// Its township.
    pub township: &'a str,
    /// The log.
    pub events: &'a [ProcedureEvent],
    /// Its fold.
    pub state: &'a CaseState,
    /// The kinds of the files of the case (`record_document.kind`).
    pub documents: &'a [String],
    /// The matter as the catalogue release in force has it; `None` when it
    /// is not there.
    pub matter: Option<&'a Matter>,
    /// The township's procedure settings.
    pub config: &'a ProcedureConfig,
    /// Its calendar.
    pub calendar: &'a dyn WorkCalendar,
    /// The grade thresholds.
    pub grading: &'a Grading,
}

fn has_step(events: &[ProcedureEvent], name: &str) -> bool {
    events.iter().any(|e| e.kind.name() == name)
}

fn served_with(events: &[ProcedureEvent]) -> Option<(&ServiceMethod, &[String])> {
    events.iter().rev().find_map(|e| match &e.kind {
        EventKind::Serve { method, officers } => Some((method, officers.as_slice())),
        _ => None,
    })
}

fn in_person(m: &ServiceMethod) -> bool {
    matches!(
        m,
        ServiceMethod::OnTheSpot | ServiceMethod::Direct | ServiceMethod::LeftAtAddress
    )
}

fn applies(when: When, i: &Input<'_>) -> bool {
    let s = i.state;
    let decision = s.decision.as_ref();
    match when {
        When::Filed => s.filed_on.is_some(),
        When::Investigated => s.investigation_acts > 0 || decision.is_some(),
        When::Decided => decision.is_some(),
        When::Penalty => decision.is_some_and(|d| d.outcome.penalty().is_some()),
        When::Saved => !s.saves.is_empty(),
        When::Heard => has_step(i.events, "hear_statement"),
        When::HearingHeld => s.hearing.as_ref().is_some_and(|h| h.held_on.is_some()),
        When::LegalReview => {
            s.legal_review.is_some()
                || decision.is_some_and(|d| {
                    gates::legal_review_grounds(s, &d.outcome, i.config)
                        .is_ok_and(|g| !g.is_empty())
                })
        }
        When::Collective => {
            s.collective_on.is_some()
                || decision
                    .and_then(|d| d.outcome.penalty())
                    .is_some_and(|p| gates::collective_required(s, p, i.config))
        }
        When::ServedInPerson => served_with(i.events).is_some_and(|(m, _)| in_person(m)),
        When::ServedElectronically => served_with(i.events)
            .is_some_and(|(m, _)| matches!(m, ServiceMethod::Electronic { .. })),
        When::Closed => s.closed_on.is_some(),
    }
}

fn document_finding(r: &DocumentRule, i: &Input<'_>) -> Finding {
    let held = |kinds: &[&str]| i.documents.iter().any(|d| kinds.contains(&d.as_str()));
    let (result, finding) = if !applies(r.when, i) {
        (
            ItemResult::NotApplicable,
            "本案不需要该文书，分值计入".to_owned(),
        )
    } else {
        match r.holds {
            Holds::Document(kinds) if held(kinds) => (ItemResult::Pass, "卷内有该文书".to_owned()),
            Holds::DocumentOrStep(kinds, _) if held(kinds) => {
                (ItemResult::Pass, "卷内有该文书".to_owned())
            }
            Holds::DocumentOrStep(_, step) if has_step(i.events, step) => (
                ItemResult::Pass,
                "案件记录中有经签署的该步骤，卷宗据此装订".to_owned(),
            ),
            _ => (ItemResult::Fail, format!("卷内缺少{}", r.title)),
        }
    };
    Finding {
        id: r.id.to_owned(),
        kind: "document".to_owned(),
        title: r.title.to_owned(),
        deducted: if result == ItemResult::Fail {
            MISSING_DOCUMENT_POINTS
        } else {
            0
        },
        result,
        finding,
        source: format!(
            "{PART2}：每缺一份必备文书扣{MISSING_DOCUMENT_POINTS}分；{}",
            r.source
        ),
    }
}

/// The missing elements of an item, in Chinese (empty: complete).
fn missing_elements(r: &ItemRule, i: &Input<'_>) -> Vec<String> {
    let s = i.state;
    let mut out = Vec::new();
    match r.check {
        ItemCheck::FilingByLeader => {
            let by_leader = i.events.iter().any(|e| {
                matches!(e.kind, EventKind::File)
                    && matches!(e.actor.role, Role::Leader | Role::DeputyLeader)
            });
            if !by_leader {
                out.push("立案未经负责人审批".to_owned());
            }
        }
        ItemCheck::TwoInvestigators => {
            if s.investigators.len() < 2 {
                out.push(format!("调查取证的执法人员只有{}人", s.investigators.len()));
            }
        }
        ItemCheck::NoticeElements => {
            let told = i.events.iter().rev().find_map(|e| match &e.kind {
                EventKind::Inform {
                    facts,
                    reasons,
                    basis,
                    ..
                } => Some((facts, reasons, basis)),
                _ => None,
            });
            match told {
                None => out.push("没有事先告知".to_owned()),
                Some((facts, reasons, basis)) => {
                    if facts.trim().is_empty() {
                        out.push("告知书未载明事实".to_owned());
                    }
                    if reasons.trim().is_empty() {
                        out.push("告知书未载明理由".to_owned());
                    }
                    if basis.iter().all(|b| b.trim().is_empty()) {
                        out.push("告知书未载明依据".to_owned());
                    }
                }
            }
        }
        ItemCheck::DecisionBasis => match i.matter {
            None => out.push("事项不在生效的事项目录中，无法载明违则和罚则".to_owned()),
            Some(m) => {
                if m.violated.is_empty() {
                    out.push("事项没有违则".to_owned());
                }
                if m.penalty.is_empty() {
                    out.push("事项没有罚则".to_owned());
                }
            }
        },
        ItemCheck::DecisionNumber => {
            if s.decision
                .as_ref()
                .is_none_or(|d| d.number.trim().is_empty())
            {
                out.push("决定书没有文号".to_owned());
            }
        }
        ItemCheck::DecisionSealed => {
            let sealed = i.events.iter().any(|e| {
                matches!(e.kind, EventKind::Decide { .. })
                    && e.signature.as_deref().is_some_and(|x| !x.is_empty())
            });
            if !sealed {
                out.push("决定书没有印章（签章）".to_owned());
            }
        }
        ItemCheck::ServiceOfficers => {
            let n = served_with(i.events).map_or(0, |(_, o)| {
                let mut o = o.to_vec();
                o.sort();
                o.dedup();
                o.len()
            });
            if n < 2 {
                out.push(format!("送达人只有{n}人"));
            }
        }
    }
    out
}

fn item_finding(r: &ItemRule, i: &Input<'_>) -> Finding {
    let title = format!("{}：{}", r.document, r.text);
    let (result, deducted, finding) = if !applies(r.when, i) {
        (ItemResult::NotApplicable, 0, "本案不适用".to_owned())
    } else {
        let missing = missing_elements(r, i);
        if missing.is_empty() {
            (ItemResult::Pass, 0, "齐全".to_owned())
        } else {
            let n = u32::try_from(missing.len()).unwrap_or(u32::MAX);
            (
                ItemResult::Fail,
                n.saturating_mul(MISSING_ITEM_POINTS),
                missing.join("；"),
            )
        }
    };
    Finding {
        id: r.id.to_owned(),
        kind: "item".to_owned(),
        title,
        result,
        deducted,
        finding,
        source: format!(
            "{PART2}：每缺一项内容扣{MISSING_ITEM_POINTS}分；{}",
            r.source
        ),
    }
}

/// The deadlines kept, from the dates of the log against the core's due
/// days. Only the two the research prices (§2.3's generic list, 🟡) cost
/// points; the others are findings for the human scorer.
fn deadline_findings(i: &Input<'_>) -> Vec<Finding> {
    let (s, cfg, cal) = (i.state, i.config, i.calendar);
    let mut out = Vec::new();
    let generic = "研究 §2.3 通用扣分清单 🟡（非重庆标准原文，分值为本系统配置）";
    // 立案 (Art. 54 ¶2; the township's configured days).
    if let Some(late) = s.filed_late {
        let points = i.grading.late_filing_points;
        out.push(Finding {
            id: "filing_in_time".to_owned(),
            kind: "deadline".to_owned(),
            title: "及时立案".to_owned(),
            result: if late {
                ItemResult::Fail
            } else {
                ItemResult::Pass
            },
            deducted: if late { points } else { 0 },
            finding: if late {
                "立案晚于本镇街配置的立案期限".to_owned()
            } else {
                "按期立案".to_owned()
            },
            source: format!("行政处罚法第五十四条第二款；{generic}：立案不及时扣{points}分"),
        });
    }
    // 先行登记保存 (Art. 56 + 85).
    if !s.saves.is_empty() {
        let mut late = Vec::new();
        for (n, m) in s.saves.iter().enumerate() {
            let due = gates::due_of(ClockKind::RegistrationSave, m.on, cfg, cal);
            match due {
                Ok(due) if m.disposed_on.is_some_and(|d| d > due) => {
                    late.push(format!(
                        "第{}次先行登记保存超过七个工作日（{due}）才处理",
                        n + 1
                    ));
                }
                Ok(_) => {}
                Err(e) => late.push(format!("第{}次先行登记保存的期限无法计算：{e}", n + 1)),
            }
        }
        let points = i.grading.late_save_points;
        out.push(Finding {
            id: "save_in_time".to_owned(),
            kind: "deadline".to_owned(),
            title: "先行登记保存七个工作日内处理".to_owned(),
            result: if late.is_empty() {
                ItemResult::Pass
            } else {
                ItemResult::Fail
            },
            deducted: if late.is_empty() { 0 } else { points },
            finding: if late.is_empty() {
                "均按期处理".to_owned()
            } else {
                late.join("；")
            },
            source: format!("行政处罚法第五十六条、第八十五条；{generic}：未及时处理扣1至5分"),
        });
    }
    // The decision (Art. 60) and the service (Art. 61): judged from the
    // decision step's date; the research prices neither.
    if let Some(d) = &s.decision {
        if let Ok(Some(due)) = gates::decision_due(s, cfg, cal) {
            out.push(timing(
                "decision_in_time",
                "立案之日起九十日（含批准延长）内作出决定",
                d.on,
                due,
                "行政处罚法第六十条（以决定书所载日期判断）",
            ));
        }
        if let (Some(served), Ok(due)) = (
            s.served_on,
            gates::due_of(ClockKind::Service, d.on, cfg, cal),
        ) {
            out.push(timing(
                "service_in_time",
                "决定后七个工作日内送达",
                served,
                due,
                "行政处罚法第六十一条、第八十五条",
            ));
        }
    }
    out
}

fn timing(id: &str, title: &str, done: NaiveDate, due: NaiveDate, source: &str) -> Finding {
    let late = done > due;
    Finding {
        id: id.to_owned(),
        kind: "deadline".to_owned(),
        title: title.to_owned(),
        result: if late {
            ItemResult::NeedsHuman
        } else {
            ItemResult::Pass
        },
        deducted: 0,
        finding: if late {
            format!("{done} 办理，超过期限 {due}；扣分由评查人员按标准确定")
        } else {
            format!("{done} 办理，期限 {due}")
        },
        source: format!("{source}；研究 §2.3 未给出该项分值，由评查人员确定"),
    }
}

fn veto_finding(r: &VetoRule, i: &Input<'_>) -> VetoFinding {
    let (result, finding) = veto_result(r.check, i);
    VetoFinding {
        id: r.id.to_owned(),
        group: r.group.to_owned(),
        text: r.text.to_owned(),
        result,
        finding,
    }
}

fn veto_result(check: VetoCheck, i: &Input<'_>) -> (ItemResult, String) {
    let s = i.state;
    let decision = s.decision.as_ref();
    let penalty = decision.and_then(|d| d.outcome.penalty());
    let pass = |m: &str| (ItemResult::Pass, m.to_owned());
    let fail = |m: String| (ItemResult::Fail, m);
    match check {
        VetoCheck::Human => (ItemResult::NeedsHuman, "须评查人员审阅卷宗判断".to_owned()),
        VetoCheck::WithinPowers => match i.matter {
            Some(m) => pass(&format!("事项 {} 在本镇街生效的事项目录中", m.code)),
            None => fail("事项不在本镇街生效的事项目录中".to_owned()),
        },
        VetoCheck::TwoOfficers => {
            let served = served_with(i.events)
                .filter(|(m, _)| in_person(m))
                .map(|(_, o)| {
                    let mut o = o.to_vec();
                    o.sort();
                    o.dedup();
                    o.len()
                });
            if s.investigation_acts > 0 && s.investigators.len() < 2 {
                fail(format!("调查取证只有{}名执法人员", s.investigators.len()))
            } else if served.is_some_and(|n| n < 2) {
                fail("送达只有一名执法人员".to_owned())
            } else {
                pass("调查取证和送达均有两名以上执法人员")
            }
        }
        VetoCheck::StepsInOrder => steps_in_order(i),
        VetoCheck::ToldAndHeard => match (penalty, &s.told, decision) {
            (None, _, _) => (ItemResult::NotApplicable, "未作出处罚决定".to_owned()),
            (Some(_), None, _) => fail("作出处罚决定前没有事先告知".to_owned()),
            (Some(_), Some(t), Some(d)) if t.on > d.on => fail("事先告知晚于决定".to_owned()),
            (Some(_), Some(_), _) => {
                if s.statement_heard {
                    pass("已听取陈述申辩并复核")
                } else if s.statement_waived {
                    pass("当事人书面放弃陈述申辩")
                } else {
                    pass("陈述申辩期限届满当事人未提出")
                }
            }
        },
        VetoCheck::HearingRight => {
            let (Some(p), Some(party)) = (penalty, s.party) else {
                return (ItemResult::NotApplicable, "未作出处罚决定".to_owned());
            };
            let told = s.told.as_ref();
            let right = told
                .map(|t| &t.penalty)
                .and_then(|tp| gates::hearing_right(tp, party, i.config))
                .or_else(|| gates::hearing_right(p, party, i.config));
            match right {
                None => pass("本案不属于应当告知听证权利的情形"),
                Some(why) if told.is_some_and(|t| !t.hearing_offered) => {
                    fail(format!("{why}，未告知听证权利"))
                }
                Some(_) => match &s.hearing {
                    Some(h) if h.held_on.is_none() && !s.hearing_waived => {
                        fail("当事人要求听证而未组织听证".to_owned())
                    }
                    Some(_) => pass("已告知听证权利并依法组织听证"),
                    None => pass("已告知听证权利，当事人未要求听证"),
                },
            }
        }
        VetoCheck::RemedyInWriting => match penalty {
            None => (ItemResult::NotApplicable, "未作出处罚决定".to_owned()),
            Some(_) if i.documents.iter().any(|d| d == "penalty_decision") => {
                pass("决定书载明复议、诉讼的途径和期限（第五十九条第一款第五项）")
            }
            Some(_) => fail("卷内没有载明救济途径的决定书".to_owned()),
        },
    }
}

/// 立案 ≤ 调查取证 ≤ 告知 ≤ 决定 ≤ 送达, by the dates of the log.
fn steps_in_order(i: &Input<'_>) -> (ItemResult, String) {
    let s = i.state;
    let first = |name: &str| {
        i.events
            .iter()
            .find(|e| e.kind.name() == name)
            .map(|e| e.on())
    };
    let chain: [(&str, Option<NaiveDate>); 5] = [
        ("立案", s.filed_on),
        ("调查取证", first("investigate")),
        ("事先告知", s.told.as_ref().map(|t| t.on)),
        ("决定", s.decision.as_ref().map(|d| d.on)),
        ("送达", s.served_on),
    ];
    if s.decision.is_some() && s.filed_on.is_none() {
        return (ItemResult::Fail, "未立案即作出决定".to_owned());
    }
    let present: Vec<(&str, NaiveDate)> = chain
        .iter()
        .filter_map(|(n, d)| d.map(|d| (*n, d)))
        .collect();
    for w in present.windows(2) {
        if let [(a, da), (b, db)] = w
            && db < da
        {
            return (
                ItemResult::Fail,
                format!("{b}（{db}）早于{a}（{da}），程序颠倒"),
            );
        }
    }
    if matches!(
        s.decision.as_ref().map(|d| &d.outcome),
        Some(Outcome::Penalty { .. })
    ) && first("investigate").is_none()
    {
        return (ItemResult::Fail, "未经调查取证即作出处罚决定".to_owned());
    }
    (
        ItemResult::Pass,
        present
            .iter()
            .map(|(n, d)| format!("{n} {d}"))
            .collect::<Vec<_>>()
            .join(" → "),
    )
}

/// Scores one file.
pub fn score(i: &Input<'_>) -> Review {
    let vetoes: Vec<VetoFinding> = VETOES.iter().map(|r| veto_finding(r, i)).collect();
    let mut findings: Vec<Finding> = DOCUMENTS.iter().map(|r| document_finding(r, i)).collect();
    findings.extend(ITEMS.iter().map(|r| item_finding(r, i)));
    findings.extend(deadline_findings(i));
    let deducted: u32 = findings.iter().map(|f| f.deducted).sum();
    let score = TOTAL.saturating_sub(deducted);
    let veto_passed = vetoes.iter().all(|v| v.result != ItemResult::Fail);
    let mut needs_human: Vec<String> = vetoes
        .iter()
        .filter(|v| v.result == ItemResult::NeedsHuman)
        .map(|v| format!("基础标准·{}：{}", v.group, v.text))
        .collect();
    needs_human.extend(
        findings
            .iter()
            .filter(|f| f.result == ItemResult::NeedsHuman)
            .map(|f| format!("期限·{}：{}", f.title, f.finding)),
    );
    needs_human.push(format!(
        "文书规范·用语：用语不规范、错别字、前后不一、涂改，每处扣{}分",
        standard::WORDING_POINTS
    ));
    needs_human.push("文书规范·内容：机器未能核对的其他内容要素，每缺一项扣1分".to_owned());
    let g = i.grading;
    Review {
        case_id: i.case_id.to_owned(),
        township: i.township.to_owned(),
        standard: standard::STANDARD.to_owned(),
        source: format!("{}；{PART1}；{PART2}", standard::SOURCE),
        score,
        total: TOTAL,
        veto_passed,
        grade: if veto_passed {
            g.grade(score).to_owned()
        } else {
            "不合格".to_owned()
        },
        grade_basis: format!(
            "基础标准任一项不符合即为不合格；否则优秀≥{}、良好≥{}、合格≥{}分。分档分数线研究中未查到，为本系统配置（默认值为设计选择，待重庆市司法局确认）",
            g.excellent_from, g.good_from, g.pass_from
        ),
        provisional: !needs_human.is_empty(),
        projected: i.state.closed_on.is_none(),
        vetoes,
        findings,
        needs_human,
    }
}

/// Why a review could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ReviewError {
    /// The database.
    #[error(transparent)]
    Db(#[from] crate::store::sql::DbError),
    /// No such normal-procedure case in the caller's scope.
    #[error("普通程序案件 {0} 不存在或不在本账号的辖区内")]
    NotFound(String),
    /// A case that does not fold, or no calendar in force.
    #[error(transparent)]
    Supervise(SuperviseError),
}

impl ReviewError {
    /// A stable snake_case code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Db(_) => "storage",
            Self::NotFound(_) => "supervise_review_not_found",
            Self::Supervise(e) => e.code(),
        }
    }
}

impl From<SuperviseError> for ReviewError {
    fn from(e: SuperviseError) -> Self {
        match e {
            SuperviseError::Db(e) => Self::Db(e),
            other => Self::Supervise(other),
        }
    }
}

impl From<CaseError> for ReviewError {
    fn from(e: CaseError) -> Self {
        match e {
            CaseError::NotFound(id) => Self::NotFound(id),
            other => SuperviseError::from(other).into(),
        }
    }
}

crate::store::area_error!(ReviewError);

/// The review of `case_id` if it lies under `scope`, on the township's
/// calendar and catalogue release in force on `today`.
pub fn review_of(
    c: &mut dyn Conn,
    k: &Keeper,
    scope: &str,
    case_id: &str,
    today: NaiveDate,
    grading: &Grading,
) -> Result<Review, ReviewError> {
    let row = match case_of(c, case_id)? {
        Some(r) if r.township.starts_with(scope) => r,
        _ => return Err(ReviewError::NotFound(case_id.to_owned())),
    };
    let events = events_of(c, k, case_id)?;
    let config = config_of(&row.township);
    let pkg = release_of(c, k, &row.township, today)?;
    let state = state_of(&events, &config, &pkg)?;
    let documents: Vec<String> = documents_of(c, case_id)?
        .into_iter()
        .map(|d| d.kind)
        .collect();
    let matter_code = match row.matter_code.clone() {
        Some(m) => m,
        None => details_of(c, k, case_id)?
            .map(|d| d.matter_code)
            .unwrap_or_default(),
    };
    let matter = pkg.matters.iter().find(|m| m.code == matter_code);
    Ok(score(&Input {
        case_id,
        township: &row.township,
        events: &events,
        state: &state,
        documents: &documents,
        matter,
        config: &config,
        calendar: &pkg.calendar,
        grading,
    }))
}

#[cfg(test)]
mod tests;
