//! The documents of a hearing the centre issues at its steps (行政处罚法
//! Art. 63–65), beside `issued.rs`'s others and held the same way:
//!
//! | step | document | basis |
//! |---|---|---|
//! | `notice_hearing` | 听证通知书 (the party, the time and place, the presider, the party's rights) | Art. 64(二)–(五)(七) |
//! | `hold_hearing` | 听证笔录 (attendees, the investigators' case, the party's 申辩 and 质证, the signature or the presider's note of a refusal) | Art. 64(七)(八) |
//! | `hold_hearing` with the presider's opinion | 听证报告 | Art. 65 |
//!
//! The core judged the notice period (Art. 64(二) + 85) and the presider
//! (Art. 64(四)) before anything here runs. A console's hearing the party
//! attended is not recorded without its 笔录's content (Art. 64(八):
//! 听证应当制作笔录); a log written before the 笔录 was typed still folds.

use zhifa_core::document::model::DocumentData;
use zhifa_core::document::normal::{HearingNotice, HearingRecord, HearingReport};
use zhifa_core::procedure::{EventKind, HearingMinutes, MinutesSignature};

use super::CaseError;
use super::doc_ctx::{Ctx, beijing};
use super::documents::party_details;

/// The presider's name: the account recording the step when it names
/// itself, else an officer of the case by id, else the id as given.
fn presider_name(c: &Ctx<'_>, presider: &str) -> String {
    if presider == c.event.actor.id && !c.signer.is_empty() {
        c.signer.to_owned()
    } else {
        c.officer_name(presider)
    }
}

/// The last 听证通知 of the log: (presider id, place).
fn noticed(c: &Ctx<'_>) -> Option<(String, String)> {
    c.events.iter().rev().find_map(|e| match &e.kind {
        EventKind::NoticeHearing {
            presider, place, ..
        } => Some((presider.clone(), place.clone())),
        _ => None,
    })
}

/// The documents of a hearing step; empty for any other step.
pub(super) fn hearing_documents(c: &Ctx<'_>) -> Result<Vec<DocumentData>, CaseError> {
    let on = c.event.on();
    match &c.event.kind {
        EventKind::NoticeHearing {
            hearing_on,
            presider,
            place,
            time,
        } => {
            // Art. 64(二): 通知当事人及有关人员听证的时间、地点.
            if place.trim().is_empty() {
                return Err(CaseError::Invalid(
                    "听证通知须载明听证地点（《行政处罚法》第六十四条第二项）".into(),
                ));
            }
            let requested_on = c
                .before
                .hearing
                .as_ref()
                .map(|h| h.requested_on)
                .ok_or_else(|| CaseError::Corrupt(format!("{} 缺少听证申请", c.case_id)))?;
            Ok(vec![DocumentData::HearingNotice(HearingNotice {
                number: format!("{}（听证通知）", c.case_id),
                authority: c.authority(),
                party: party_details(&c.d.party),
                cause: c.cause(),
                requested_on,
                hearing_on: *hearing_on,
                time: *time,
                place: place.clone(),
                presider: presider_name(c, presider),
                date: on,
            })])
        }
        EventKind::HoldHearing {
            party_attended,
            minutes,
        } => {
            let empty = HearingMinutes {
                attendees: Vec::new(),
                recorder: String::new(),
                agent: None,
                investigators_case: String::new(),
                party_statement: String::new(),
                cross_examination: String::new(),
                signature: MinutesSignature::Unrecorded,
                opinion: String::new(),
            };
            let m = match minutes {
                Some(m) => m,
                // Art. 64(八): a hearing held has its 笔录.
                None if *party_attended => {
                    return Err(CaseError::Invalid(
                        "举行听证应当制作听证笔录：请录入调查人员意见、当事人申辩与质证及签字情况（《行政处罚法》第六十四条第八项）".into(),
                    ));
                }
                None => &empty,
            };
            let (presider_id, place) = noticed(c)
                .ok_or_else(|| CaseError::Corrupt(format!("{} 缺少听证通知", c.case_id)))?;
            let presider = presider_name(c, &presider_id);
            let recorder = if m.recorder.trim().is_empty() {
                presider.clone()
            } else {
                m.recorder.clone()
            };
            let attendees = if m.attendees.is_empty() {
                vec![presider.clone(), recorder.clone()]
            } else {
                m.attendees.clone()
            };
            let mut out = vec![DocumentData::HearingRecord(HearingRecord {
                case_number: c.case_id.to_owned(),
                authority: c.authority(),
                cause: c.cause(),
                time: beijing(c.event.at),
                place,
                presider: presider.clone(),
                recorder,
                party_name: c.d.party.name.clone(),
                agent: m.agent.clone().filter(|a| !a.trim().is_empty()),
                attendees,
                party_attended: *party_attended,
                investigators_case: m.investigators_case.clone(),
                party_statement: m.party_statement.clone(),
                cross_examination: m.cross_examination.clone(),
                signature: m.signature.clone(),
                date: on,
            })];
            if !m.opinion.trim().is_empty() {
                let summary = if *party_attended {
                    format!(
                        "调查人员：{}；当事人：{}；质证：{}",
                        m.investigators_case, m.party_statement, m.cross_examination
                    )
                } else {
                    "当事人无正当理由未出席听证，视为放弃听证权利（《行政处罚法》第六十四条第六项）"
                        .to_owned()
                };
                out.push(DocumentData::HearingReport(HearingReport {
                    case_number: c.case_id.to_owned(),
                    authority: c.authority(),
                    cause: c.cause(),
                    held_on: on,
                    presider,
                    summary,
                    opinion: m.opinion.clone(),
                    date: on,
                }));
            }
            Ok(out)
        }
        _ => Ok(Vec::new()),
    }
}
