//! Shared helpers of the normal-procedure tests: the sample catalogue's
//! calendar, actors, and a script of a whole case from 案源 to 归档.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, Days, NaiveDate, TimeZone, Utc};
use zhifa_core::catalogue::model::{Calendar, Package};
use zhifa_core::procedure::gates;
use zhifa_core::procedure::{
    Actor, CaseFlags, EventKind, Origin, Outcome, PartyKind, Penalty, PenaltyKind, ProcedureConfig,
    ProcedureEvent, Role, ServiceMethod,
};

/// The sample catalogue's calendar (2025–2027; 2027 estimated).
pub(crate) fn calendar() -> Calendar {
    let text = include_str!("../../../schema/catalogue/sample/chongqing-sample.json");
    let p: Package = serde_json::from_str(text).unwrap();
    p.calendar
}

pub(crate) fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// 10:00 Beijing on `day`.
pub(crate) fn at(day: NaiveDate) -> DateTime<Utc> {
    Utc.from_utc_datetime(&day.and_hms_opt(2, 0, 0).unwrap())
}

pub(crate) fn actor(role: Role) -> Actor {
    let id = match role {
        Role::Officer => "OFF-1",
        Role::UnitHead => "HEAD-1",
        Role::CaseReviewer => "REV-1",
        Role::LegalReviewer => "LAW-1",
        Role::Leader => "LEAD-1",
        Role::DeputyLeader => "DEP-1",
        Role::Presider => "PRES-1",
        Role::Archivist => "ARCH-1",
    };
    Actor {
        id: id.to_owned(),
        role,
    }
}

pub(crate) fn ev(kind: EventKind, role: Role, day: NaiveDate) -> ProcedureEvent {
    let origin = match role {
        Role::Officer => Origin::Device("DEV-1".to_owned()),
        _ => Origin::Console(actor(role).id),
    };
    ProcedureEvent::new(kind, actor(role), at(day), origin)
}

pub(crate) fn officers() -> Vec<String> {
    vec!["OFF-1".to_owned(), "OFF-2".to_owned()]
}

/// How the party answers the 告知.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Answer {
    /// States and defends; the officer records the 复核.
    Heard,
    /// Waives statement and hearing in writing.
    Waived,
    /// Says nothing; the periods lapse.
    Lapsed,
    /// Requests a hearing (when offered), which is held.
    Hearing,
}

/// The choices of a scripted case.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    pub(crate) start: NaiveDate,
    pub(crate) party: PartyKind,
    pub(crate) fine_fen: i64,
    pub(crate) extra_kind: Option<PenaltyKind>,
    pub(crate) flags: CaseFlags,
    pub(crate) answer: Answer,
    pub(crate) preserve: bool,
    pub(crate) decided_fine_fen: i64,
    pub(crate) publish: bool,
}

impl Plan {
    pub(crate) fn simple(start: NaiveDate, fine_fen: i64) -> Self {
        Self {
            start,
            party: PartyKind::Citizen,
            fine_fen,
            extra_kind: None,
            flags: CaseFlags::default(),
            answer: Answer::Heard,
            preserve: false,
            decided_fine_fen: fine_fen,
            publish: true,
        }
    }

    pub(crate) fn penalty(&self) -> Penalty {
        let mut p = Penalty::fine(self.fine_fen);
        if let Some(k) = self.extra_kind {
            p.kinds.push(k);
        }
        p
    }
}

/// The events of a whole case following `plan`, every required step in
/// place (法制审核 and 集体讨论 only where the gates need them).
pub(crate) fn script(plan: &Plan, config: &ProcedureConfig) -> Vec<ProcedureEvent> {
    let mut day = plan.start;
    let mut next = |n: u64| {
        day = day.checked_add_days(Days::new(n)).unwrap();
        day
    };
    let s = plan.start;
    let mut out = vec![
        ev(
            EventKind::RegisterSource {
                discovered_on: s,
                source: "巡查发现".to_owned(),
                party: plan.party,
            },
            Role::Officer,
            s,
        ),
        ev(EventKind::File, Role::Leader, next(1)),
        ev(
            EventKind::Investigate {
                act: "询问笔录".to_owned(),
                officers: officers(),
                document: Some("sha256:aa".to_owned()),
            },
            Role::Officer,
            next(1),
        ),
    ];
    if plan.preserve {
        out.push(ev(
            EventKind::RequestSave {
                items: "经营用三轮车一辆".to_owned(),
                reason: "当事人可能转移车辆".to_owned(),
            },
            Role::Officer,
            next(0),
        ));
        out.push(ev(
            EventKind::RegisterSave {
                items: "经营用三轮车一辆".to_owned(),
            },
            Role::Leader,
            next(0),
        ));
        out.push(ev(
            EventKind::DisposeSave { index: 0 },
            Role::Officer,
            next(2),
        ));
    }
    let penalty = plan.penalty();
    out.push(ev(
        EventKind::EndInvestigation {
            proposal: Outcome::Penalty {
                penalty: penalty.clone(),
            },
            flags: plan.flags.clone(),
        },
        Role::Officer,
        next(1),
    ));
    out.push(ev(
        EventKind::ReviewCase {
            passed: true,
            opinion: "事实清楚，证据确凿".to_owned(),
        },
        Role::CaseReviewer,
        next(1),
    ));
    out.push(ev(EventKind::ApproveProposal, Role::Leader, next(1)));
    let offered = gates::hearing_right(&penalty, plan.party, config).is_some();
    out.push(ev(
        EventKind::Inform {
            penalty: penalty.clone(),
            facts: "占道经营".to_owned(),
            reasons: "违反市容条例".to_owned(),
            basis: vec!["重庆市市容环境卫生管理条例第十八条".to_owned()],
            hearing_offered: offered,
            officers: officers(),
        },
        Role::Officer,
        next(1),
    ));
    let mut hearing_held = false;
    match plan.answer {
        Answer::Heard => {
            out.push(ev(
                EventKind::HearStatement {
                    review: "当事人所述不成立".to_owned(),
                    adopted: false,
                },
                Role::Officer,
                next(1),
            ));
            if offered {
                // The party did not ask for the hearing: wait out Art. 64(一).
                next(25);
            }
        }
        Answer::Waived => out.push(ev(
            EventKind::Waive {
                statement: true,
                hearing: true,
            },
            Role::Officer,
            next(1),
        )),
        Answer::Lapsed => {
            next(25);
        }
        Answer::Hearing if offered => {
            out.push(ev(EventKind::RequestHearing, Role::Officer, next(1)));
            let notice = next(1);
            let hearing_on = notice.checked_add_days(Days::new(30)).unwrap();
            out.push(ev(
                EventKind::NoticeHearing {
                    hearing_on,
                    presider: "PRES-1".to_owned(),
                    place: String::new(),
                    time: None,
                },
                Role::Officer,
                notice,
            ));
            next(30);
            out.push(ev(
                EventKind::HoldHearing {
                    party_attended: true,
                    minutes: None,
                },
                Role::Presider,
                hearing_on,
            ));
            out.push(ev(
                EventKind::HearStatement {
                    review: "听证意见不成立".to_owned(),
                    adopted: false,
                },
                Role::Officer,
                next(1),
            ));
            hearing_held = true;
        }
        Answer::Hearing => {
            next(25);
        }
    }
    let needs_review = !plan.flags.review_grounds.is_empty()
        || (hearing_held && config.legal_review_after_hearing)
        || config.legal_review_every_penalty;
    if needs_review {
        out.push(ev(EventKind::SubmitLegalReview, Role::Officer, next(1)));
        out.push(ev(
            EventKind::LegalReview {
                qualification: "A20233100001".to_owned(),
                passed: true,
                opinion: "同意".to_owned(),
                checklist: Vec::new(),
            },
            Role::LegalReviewer,
            next(1),
        ));
    }
    if plan.flags.complex_or_major
        || config
            .collective_discussion_fine_from_fen
            .is_some_and(|t| plan.decided_fine_fen >= t)
    {
        out.push(ev(
            EventKind::DiscussCollectively {
                attendees: vec!["LEAD-1".into(), "LEAD-2".into(), "LEAD-3".into()],
                conclusion: "同意处罚".to_owned(),
            },
            Role::Leader,
            next(1),
        ));
    }
    let mut decided = penalty.clone();
    decided.fine_fen = plan.decided_fine_fen;
    out.push(ev(
        EventKind::Decide {
            outcome: Outcome::Penalty {
                penalty: decided.clone(),
            },
            number: "龙综执罚〔2025〕1号".to_owned(),
        },
        Role::Leader,
        next(1),
    ));
    out.push(ev(
        EventKind::Serve {
            method: ServiceMethod::Direct,
            officers: officers(),
        },
        Role::Officer,
        next(1),
    ));
    if plan.publish {
        out.push(ev(EventKind::Publish, Role::Officer, next(1)));
    }
    out.push(ev(
        EventKind::ConfirmPayment {
            amount_fen: decided.fine_fen,
        },
        Role::Officer,
        next(3),
    ));
    out.push(ev(
        EventKind::Close {
            reason: "罚款已缴清".to_owned(),
        },
        Role::Leader,
        next(1),
    ));
    out.push(ev(EventKind::Archive, Role::Officer, next(1)));
    out
}
