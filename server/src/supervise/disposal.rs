//! Clue → disposal (issue 18 item 5): what happens to a clue, as a pure
//! state machine. The tracks mirror Zhejiang's (research §2.6): **预警** a
//! nudge to the unit, **简易** a clue the township confirms or explains,
//! **一般** a formal 行政执法监督意见书 with a deadline and a written
//! 整改 report (重庆市行政执法监督条例 Art. 14: the agency reports in
//! writing within the document's deadline). The supervisor accepts a
//! reply, or returns it to be done again; a clue found to be no problem
//! is dismissed with the reason. Every step is kept with its actor, time
//! and words (`supervise_clue_event`); a refused step changes nothing.
//!
//! The reply periods are [`Periods`]: Chongqing's rule for them was not
//! found (the research marks Art. 14's deadline as set in each document),
//! so they are settings, counted in calendar days, and the due date is
//! computed from the day of the step, never typed in.

use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};

/// Where a clue stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ClueStatus {
    /// Found, not yet handled.
    Open,
    /// 预警 sent to the unit (may still be escalated).
    Warned,
    /// 简易: waiting for the township's confirmation or explanation.
    Simple,
    /// 一般: a 监督意见书 issued, waiting for the 整改 report.
    General,
    /// The unit replied; the supervisor decides.
    Replied,
    /// Done: the reply was accepted.
    Closed,
    /// No problem after all, with the reason.
    Dismissed,
}

impl ClueStatus {
    /// The stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Warned => "warned",
            Self::Simple => "simple",
            Self::General => "general",
            Self::Replied => "replied",
            Self::Closed => "closed",
            Self::Dismissed => "dismissed",
        }
    }

    /// The stored form read back.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "open" => Self::Open,
            "warned" => Self::Warned,
            "simple" => Self::Simple,
            "general" => Self::General,
            "replied" => Self::Replied,
            "closed" => Self::Closed,
            "dismissed" => Self::Dismissed,
            _ => return None,
        })
    }

    /// In Chinese.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Open => "新线索",
            Self::Warned => "已预警",
            Self::Simple => "简易处置中",
            Self::General => "监督意见书待整改",
            Self::Replied => "单位已答复",
            Self::Closed => "已办结",
            Self::Dismissed => "已排除",
        }
    }
}

/// Who acts on a clue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Actor {
    /// The 司法局's supervision body.
    Supervisor,
    /// The supervised unit (the township's 负责人 or command centre).
    Unit,
}

/// One step on a clue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// 预警: nudge the unit.
    Warn,
    /// 简易: ask the township to confirm or explain.
    Simple,
    /// 一般: issue a 监督意见书 (its words are the opinion).
    General,
    /// The unit's explanation or 整改 report.
    Reply,
    /// Accept the reply: the clue is closed.
    Accept,
    /// Return the reply: to be done again.
    Return,
    /// Not a problem, with the reason.
    Dismiss,
}

impl Action {
    /// The stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Warn => "warn",
            Self::Simple => "simple",
            Self::General => "general",
            Self::Reply => "reply",
            Self::Accept => "accept",
            Self::Return => "return",
            Self::Dismiss => "dismiss",
        }
    }

    /// Who may take it.
    pub fn actor(self) -> Actor {
        match self {
            Self::Reply => Actor::Unit,
            _ => Actor::Supervisor,
        }
    }

    /// Whether it needs words (an opinion, a reply, a reason).
    pub fn needs_text(self) -> bool {
        matches!(
            self,
            Self::General | Self::Reply | Self::Return | Self::Dismiss
        )
    }
}

/// The reply periods, in calendar days (settings; see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Periods {
    /// Days the township has to answer a 简易 clue.
    pub simple_days: i64,
    /// Days the unit has to report its 整改 after a 监督意见书.
    pub general_days: i64,
}

impl Default for Periods {
    fn default() -> Self {
        Self {
            simple_days: 7,
            general_days: 30,
        }
    }
}

/// A clue's disposal state: its status, the track it is on (the status a
/// returned reply goes back to) and the reply's due date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct State {
    /// Status.
    pub status: ClueStatus,
    /// `Simple` or `General` once a track is chosen.
    pub track: Option<ClueStatus>,
    /// The reply's last day.
    pub due_on: Option<NaiveDate>,
}

impl State {
    /// A clue just found.
    pub fn new() -> Self {
        Self {
            status: ClueStatus::Open,
            track: None,
            due_on: None,
        }
    }
}

impl Default for State {
    fn default() -> Self {
        Self::new()
    }
}

/// Why a step was refused. Never a panic; the state is unchanged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DisposalError {
    /// The step is not open to this actor.
    #[error("{0}")]
    NotYours(&'static str),
    /// The step does not follow from the clue's status.
    #[error("线索当前为“{}”，不能“{}”", .0.label_zh(), .1)]
    NotNow(ClueStatus, &'static str),
    /// The step needs words.
    #[error("请填写{0}")]
    TextMissing(&'static str),
}

impl DisposalError {
    /// A stable snake_case code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotYours(_) => "clue_not_yours",
            Self::NotNow(..) => "clue_step_not_allowed",
            Self::TextMissing(_) => "clue_text_missing",
        }
    }
}

fn words(a: Action) -> &'static str {
    match a {
        Action::Warn => "预警",
        Action::Simple => "简易处置",
        Action::General => "制发监督意见书",
        Action::Reply => "答复",
        Action::Accept => "办结",
        Action::Return => "退回",
        Action::Dismiss => "排除",
    }
}

/// The state after `action` by `actor` on `today`, or why not.
pub fn apply(
    s: State,
    action: Action,
    actor: Actor,
    text: &str,
    today: NaiveDate,
    p: &Periods,
) -> Result<State, DisposalError> {
    use ClueStatus as S;
    if action.actor() != actor {
        return Err(DisposalError::NotYours(match actor {
            Actor::Unit => "被监督单位只能答复线索",
            Actor::Supervisor => "答复由被监督单位作出",
        }));
    }
    if action.needs_text() && text.trim().is_empty() {
        return Err(DisposalError::TextMissing(match action {
            Action::General => "监督意见",
            Action::Reply => "答复或整改情况",
            Action::Return => "退回理由",
            _ => "排除理由",
        }));
    }
    let not_now = || DisposalError::NotNow(s.status, words(action));
    let due = |days: i64| today.checked_add_signed(Duration::days(days));
    Ok(match (s.status, action) {
        (S::Open, Action::Warn) => State {
            status: S::Warned,
            ..s
        },
        (S::Open | S::Warned, Action::Simple) => State {
            status: S::Simple,
            track: Some(S::Simple),
            due_on: due(p.simple_days),
        },
        (S::Open | S::Warned | S::Simple, Action::General) => State {
            status: S::General,
            track: Some(S::General),
            due_on: due(p.general_days),
        },
        (S::Simple | S::General, Action::Reply) => State {
            status: S::Replied,
            ..s
        },
        (S::Replied, Action::Accept) => State {
            status: S::Closed,
            due_on: None,
            ..s
        },
        (S::Replied, Action::Return) => {
            let track = s.track.ok_or_else(not_now)?;
            State {
                status: track,
                track: Some(track),
                due_on: due(if track == S::General {
                    p.general_days
                } else {
                    p.simple_days
                }),
            }
        }
        (S::Open | S::Warned | S::Simple, Action::Dismiss) => State {
            status: S::Dismissed,
            due_on: None,
            ..s
        },
        _ => return Err(not_now()),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should abort loudly

    use super::*;
    use proptest::prelude::*;

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 5, 11).unwrap()
    }

    fn step(s: State, a: Action, actor: Actor, text: &str) -> Result<State, DisposalError> {
        apply(s, a, actor, text, day(), &Periods::default())
    }

    #[test]
    fn the_general_track_goes_opinion_report_return_report_accept() {
        let s = step(
            State::new(),
            Action::General,
            Actor::Supervisor,
            "请限期整改",
        )
        .unwrap();
        assert_eq!(s.status, ClueStatus::General);
        assert_eq!(s.due_on, Some(day() + Duration::days(30)));
        let s = step(s, Action::Reply, Actor::Unit, "已整改").unwrap();
        let s = step(s, Action::Return, Actor::Supervisor, "整改不到位").unwrap();
        assert_eq!(
            (s.status, s.track),
            (ClueStatus::General, Some(ClueStatus::General))
        );
        let s = step(s, Action::Reply, Actor::Unit, "已重新整改").unwrap();
        let s = step(s, Action::Accept, Actor::Supervisor, "").unwrap();
        assert_eq!((s.status, s.due_on), (ClueStatus::Closed, None));
    }

    #[test]
    fn a_simple_clue_returned_is_due_again_in_its_own_period() {
        let s = step(State::new(), Action::Warn, Actor::Supervisor, "").unwrap();
        let s = step(s, Action::Simple, Actor::Supervisor, "").unwrap();
        assert_eq!(s.due_on, Some(day() + Duration::days(7)));
        let s = step(s, Action::Reply, Actor::Unit, "系当事人要求").unwrap();
        let s = step(s, Action::Return, Actor::Supervisor, "理由不充分").unwrap();
        assert_eq!(
            (s.status, s.due_on),
            (ClueStatus::Simple, Some(day() + Duration::days(7)))
        );
    }

    #[test]
    fn refusals_name_their_cause() {
        let s = State::new();
        assert_eq!(
            step(s, Action::Reply, Actor::Supervisor, "x")
                .unwrap_err()
                .code(),
            "clue_not_yours"
        );
        assert_eq!(
            step(s, Action::Warn, Actor::Unit, "").unwrap_err().code(),
            "clue_not_yours"
        );
        assert_eq!(
            step(s, Action::Reply, Actor::Unit, "x").unwrap_err().code(),
            "clue_step_not_allowed"
        );
        assert_eq!(
            step(s, Action::General, Actor::Supervisor, "  ")
                .unwrap_err()
                .code(),
            "clue_text_missing"
        );
        assert_eq!(
            step(s, Action::Accept, Actor::Supervisor, "")
                .unwrap_err()
                .code(),
            "clue_step_not_allowed"
        );
        let closed = State {
            status: ClueStatus::Dismissed,
            ..s
        };
        let e = step(closed, Action::General, Actor::Supervisor, "x").unwrap_err();
        assert!(e.to_string().contains("已排除"), "{e}");
    }

    const ACTIONS: [Action; 7] = [
        Action::Warn,
        Action::Simple,
        Action::General,
        Action::Reply,
        Action::Accept,
        Action::Return,
        Action::Dismiss,
    ];

    proptest! {
        /// Any sequence of steps by anyone: a refused step changes nothing,
        /// a clue is closed only after a reply was accepted, a finished
        /// clue never moves again, and a waiting clue always has a due date.
        #[test]
        fn any_sequence_keeps_the_rules(steps in proptest::collection::vec((0usize..7, any::<bool>(), any::<bool>()), 0..40)) {
            let mut s = State::new();
            let mut last_applied: Option<Action> = None;
            for (a, by_unit, with_text) in steps {
                let action = ACTIONS[a];
                let actor = if by_unit { Actor::Unit } else { Actor::Supervisor };
                let text = if with_text { "说明" } else { "" };
                let before = s;
                match step(s, action, actor, text) {
                    Ok(next) => {
                        prop_assert!(!matches!(before.status, ClueStatus::Closed | ClueStatus::Dismissed));
                        if next.status == ClueStatus::Closed {
                            prop_assert_eq!(before.status, ClueStatus::Replied);
                        }
                        if matches!(next.status, ClueStatus::Simple | ClueStatus::General) {
                            prop_assert!(next.due_on.is_some());
                        }
                        s = next;
                        last_applied = Some(action);
                    }
                    Err(_) => prop_assert_eq!(s, before),
                }
            }
            if s.status == ClueStatus::Closed {
                prop_assert_eq!(last_applied, Some(Action::Accept));
            }
        }
    }
}
