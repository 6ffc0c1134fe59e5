//! The normal procedure (普通程序, 行政处罚法 Ch. 5 §3) as a pure,
//! append-only event log with its legal gates and its clocks, shared by
//! the device and the server.
//!
//! A case is the fold of its [`ProcedureEvent`]s. Each event names its
//! step ([`EventKind`], with the step's data), the actor and role, the
//! time and place, where it was recorded (a device or the centre's
//! console), an optional signature, and the article(s) it rests on.
//! [`apply`] takes a state and one event and returns the new state or a
//! [`ProcedureError`] naming the article that stops the step; a refused
//! event changes nothing. [`ProcedureLog`] only ever appends, and folding
//! any prefix gives the state at that point.
//!
//! The states are S0–S18 of the legal research (shared/domain/
//! normal-procedure-and-supervision.md §1.2–1.3):
//!
//! ```text
//! S0 案源登记 ──立案(负责人批准)──► S1 立案 ──► S2 调查取证 ─┬─ S2a 先行登记保存 (7 工作日, 负责人批准)
//!   │                                                     └─ S2b 查封扣押 (30 日 [+30 负责人批准])
//!   └─不予立案(负责人)─► 结束           (S1–S10) ─撤销立案(负责人)─► 结束
//! S2 ──► S3 调查终结 ──► S4 案件审核 ──(退回)──► S2
//!                          └──► S5 负责人审批拟处理意见
//! S5 ─(不予处罚 / 违法事实不成立 / 移送)──────────────────────────► S11 决定
//! S5 ─(拟处罚)─► S6 事先告知 (+听证告知 when Art. 63 applies)
//! S6 ─► S7 陈述申辩+复核 | 书面放弃 | 期限届满
//! S6/S7 ─(申请听证 ≤5 工作日)─► S8 听证 (通知 ≥7 工作日前; 主持人非调查人员)
//! S7/S8 ─► S9 法制审核 (Art. 58 cases; 不通过 → S2)
//!       ─► S10 集体讨论 (Art. 57 ¶2 cases)
//!       ─► S11 决定 (≤ 立案 + 90 日 [+延长], 负责人, 不重于告知)
//! S11 ─► S12 送达 (当场 / ≤7 工作日; 电子送达须确认书) ─► S13 公示 (≤7 工作日)
//! S12/S13 ─► S14 履行 (15 日; 延期/分期 负责人批准; 加处罚款 3 %/日 ≤ 罚款)
//! S14 ─(逾期)─► S15 催告 ─(≥10 工作日)─► S16 申请法院强制执行 (≤ 3 个月)
//! S12/S13/S14/S16 ─► S17 结案 (负责人) ─► S18 归档
//! S11–S17 ─撤销决定(负责人; 复议/判决/自行纠错; 公示撤回 Art. 48 ¶2)─► 决定已撤销 ─► S18 归档
//! ```
//!
//! The legal gates, each a function in [`gates`] beside its article:
//!
//! - every approval by the 行政机关负责人 (立案, 先行登记保存 Art. 56,
//!   查封扣押 and its extension 行政强制法 Art. 18, 25, the proposal and
//!   the decision Art. 57, the 延长 of Art. 60, 延期/分期 Art. 66 ¶2, the
//!   court application 行政强制法 Art. 55, 结案) carries the leader's role
//!   (a 分管副职 only where the township allows it);
//! - two distinct officers on every investigation act, 告知 and service
//!   (Art. 42, 55);
//! - the 告知 states facts, reasons, basis and the penalty, and offers a
//!   hearing where the amount or kind reaches Art. 63 (thresholds per
//!   township, Chongqing's 5,000 / 50,000 元 unverified);
//! - no decision before the party was heard (with 复核), expressly waived,
//!   or let the 陈述申辩 period lapse (Art. 44, 45, 62), nor while a
//!   hearing request may still come or a requested hearing is pending
//!   (Art. 63–65);
//! - no decision heavier than the one told (Art. 44, 45 ¶2, 62);
//! - Art. 58 cases (the three statutory grounds, a hearing held, the
//!   township's extra 目录清单 items) not decided without a passed 法制审核
//!   by a reviewer with a 法律职业资格 number (Art. 58 ¶2);
//! - Art. 57 ¶2 cases (情节复杂或者重大违法行为) not without a 集体讨论
//!   record;
//! - the decision within 90 days of 立案 plus any approved extension
//!   (Art. 60);
//! - electronic service only with the party's signed 确认书 (Art. 61 ¶2);
//! - 催告 only after the payment period (行政强制法 Art. 35, 54), the court
//!   application only 10 working days after the 催告书 (Art. 54, 69), after
//!   the remedy periods and within 3 months of them (Art. 53);
//! - 结案 only with every 先行登记保存 and 查封扣押 disposed of (Art. 56;
//!   行政强制法 Art. 27) and the decision served and performed or enforced;
//! - a revocation (撤销, Art. 48 ¶2: the decision changed, revoked, held
//!   illegal or void) only once there is a decision and before 归档, by
//!   the 负责人; after it only 归档.
//!
//! The clocks are in [`deadline`] (lengths, day types, articles) and
//! [`clocks`] (which clocks a state has open, the nearest one and its
//! level). What Chongqing law leaves unknown is [`ProcedureConfig`], with
//! the research's defaults marked unverified.
//!
//! This module is pure: no store, no files, no clock, no network. Time,
//! the township configuration and the calendar are arguments, so the
//! device and the server judge a case by the same rules.

pub mod apply;
pub mod clocks;
pub mod config;
pub mod deadline;
pub mod error;
pub mod gates;
mod state;
pub mod waiting;

pub use apply::{CaseState, ProcedureLog, apply, fold};
pub use clocks::{Alert, OpenClock, nearest, open_clocks};
pub use config::{ProcedureConfig, Setting};
pub use deadline::{ClockKind, DayType, Level, WorkCalendar};
pub use error::ProcedureError;
// The data of the procedure is wire data (the device pushes its steps, the
// centre sends its own back): it lives in the protocol crate.
pub use zhifa_protocol::procedure::{
    Actor, CaseFlags, EventKind, HearingMinutes, Instalment, MinutesSignature, Origin, Outcome,
    PartyKind, Penalty, PenaltyKind, ProcedureEvent, ReviewItem, Role, ServiceMethod, Stage,
    beijing_date,
};
