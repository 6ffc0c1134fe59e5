//! The documents of a hearing (行政处罚法 Art. 63–65): the 听证通知书 the
//! authority sends at least seven days before the hearing (Art. 64(二):
//! "行政机关应当在举行听证的七日前，通知当事人及有关人员听证的时间、地点"),
//! the 听证笔录 (Art. 64(八): "听证应当制作笔录。笔录应当交当事人或者其代理人
//! 核对无误后签字或者盖章。当事人或者其代理人拒绝签字或者盖章的，由听证主持人
//! 在笔录中注明") and the presider's 听证报告 (Art. 65: the decision is made
//! "根据听证笔录"; shared/domain/normal-procedure-and-supervision.md §1.5,
//! 渝府令354 🟡). The text of Art. 64 is quoted in docs/law/xingzheng-chufa-fa.md.
//!
//! Nothing here decides: the procedure core judged the notice period
//! (Art. 64(二) + 85, `ClockKind::HearingNotice`) and that the presider is
//! no investigator (Art. 64(四)) before these are rendered.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use serde::{Deserialize, Serialize};

use crate::document::model::{
    Authority, DocumentKind, Fields, PartyDetails, Printable, date_zh, datetime_zh, put,
};
use crate::procedure::MinutesSignature;

/// The party's rights told in the 听证通知书 (Art. 64(三)(四)(五)(七)).
pub const HEARING_RIGHTS: &str = "1. 当事人认为听证主持人与本案有直接利害关系的，有权申请回避（《中华人民共和国行政处罚法》第六十四条第四项）；\n2. 当事人可以亲自参加听证，也可以委托一至二人代理（第六十四条第五项）；\n3. 听证时，当事人可以进行申辩和质证（第六十四条第七项）；\n4. 除涉及国家秘密、商业秘密或者个人隐私依法予以保密外，听证公开举行（第六十四条第三项）；\n5. 当事人及其代理人无正当理由拒不出席听证或者未经许可中途退出听证的，视为放弃听证权利，本机关终止听证（第六十四条第六项）。";

/// 听证通知书 (Art. 64(二)): the party, the time and place, the presider,
/// the party's rights.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HearingNotice {
    /// 文书编号.
    pub number: String,
    /// The authority.
    pub authority: Authority,
    /// The party.
    pub party: PartyDetails,
    /// 案由.
    pub cause: String,
    /// The day the party asked for the hearing (Art. 64(一)).
    pub requested_on: NaiveDate,
    /// The hearing day.
    pub hearing_on: NaiveDate,
    /// The hour it opens, if set.
    pub time: Option<NaiveTime>,
    /// Where.
    pub place: String,
    /// 听证主持人 (Art. 64(四): not an investigator).
    pub presider: String,
    /// The notice's date (at least seven working days before the hearing:
    /// Art. 64(二) + 85, judged by the core).
    pub date: NaiveDate,
}

impl Printable for HearingNotice {
    fn kind(&self) -> DocumentKind {
        DocumentKind::HearingNotice
    }
    fn party(&self) -> Option<&PartyDetails> {
        Some(&self.party)
    }
    fn number(&self) -> Option<&str> {
        Some(&self.number)
    }
    fn fill(&self, f: &mut Fields, mask_id: bool) {
        put(f, "number", &self.number);
        put(f, "authority", self.authority.issuing_name());
        self.party.fill(f, mask_id);
        put(f, "cause", &self.cause);
        put(
            f,
            "request",
            &format!(
                "你（单位）于{}就{}提出听证申请，根据《中华人民共和国行政处罚法》第六十三条、第六十四条的规定，本机关决定举行听证。",
                date_zh(self.requested_on),
                self.cause
            ),
        );
        let time = match self.time {
            Some(t) => datetime_zh(self.hearing_on.and_time(t)),
            None => date_zh(self.hearing_on),
        };
        put(f, "hearing_time", &time);
        put(f, "place", &self.place);
        put(f, "presider", &self.presider);
        put(f, "rights", HEARING_RIGHTS);
        put(
            f,
            "notice_period",
            "本通知于举行听证七日前送达（《中华人民共和国行政处罚法》第六十四条第二项）。请按时出席，并携带身份证明及有关证据材料；委托代理人的，应当提交授权委托书。",
        );
        put(f, "date", &date_zh(self.date));
    }
}

/// 听证笔录 (Art. 64(七)(八)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HearingRecord {
    /// 案件编号.
    pub case_number: String,
    /// The authority.
    pub authority: Authority,
    /// 案由.
    pub cause: String,
    /// When the hearing was held (Beijing).
    pub time: NaiveDateTime,
    /// Where.
    pub place: String,
    /// 听证主持人.
    pub presider: String,
    /// 记录人.
    pub recorder: String,
    /// The party's name.
    pub party_name: String,
    /// The party's agent (Art. 64(五)), if any.
    pub agent: Option<String>,
    /// Who attended.
    pub attendees: Vec<String>,
    /// Whether the party attended (absent without cause: Art. 64(六)).
    pub party_attended: bool,
    /// The investigators' facts, evidence and proposal (Art. 64(七)).
    pub investigators_case: String,
    /// The party's 申辩 (Art. 64(七)).
    pub party_statement: String,
    /// The 质证 (Art. 64(七)).
    pub cross_examination: String,
    /// The party's signature, or the presider's note of a refusal
    /// (Art. 64(八)).
    pub signature: MinutesSignature,
    /// 日期.
    pub date: NaiveDate,
}

/// Art. 64(六): what a record of an absent party says.
const ABSENT: &str = "当事人及其代理人无正当理由未出席听证，视为放弃听证权利，听证终止（《中华人民共和国行政处罚法》第六十四条第六项）。";

impl Printable for HearingRecord {
    fn kind(&self) -> DocumentKind {
        DocumentKind::HearingRecord
    }
    fn number(&self) -> Option<&str> {
        Some(&self.case_number)
    }
    fn fill(&self, f: &mut Fields, _mask_id: bool) {
        put(f, "case_number", &self.case_number);
        put(f, "authority", self.authority.issuing_name());
        put(f, "cause", &self.cause);
        put(f, "hearing_time", &datetime_zh(self.time));
        put(f, "place", &self.place);
        put(f, "presider", &self.presider);
        put(f, "recorder", &self.recorder);
        put(f, "party_name", &self.party_name);
        put(f, "agent", self.agent.as_deref().unwrap_or("无"));
        put(f, "attendees", &self.attendees.join("、"));
        if self.party_attended {
            put(f, "investigators_case", &self.investigators_case);
            put(f, "party_statement", &self.party_statement);
            put(f, "cross_examination", &self.cross_examination);
        } else {
            for k in ["investigators_case", "party_statement", "cross_examination"] {
                put(f, k, ABSENT);
            }
        }
        let signature = match (&self.signature, self.party_attended) {
            (_, false) => format!("当事人未到场，由听证主持人{}注明。", self.presider),
            (MinutesSignature::Signed { by }, true) => {
                format!("以上笔录已经核对，与所述一致。签字（盖章）：{by}")
            }
            (MinutesSignature::Refused { note }, true) => format!(
                "当事人（代理人）拒绝签字或者盖章。听证主持人{}注明：{note}",
                self.presider
            ),
            // The core refuses minutes without either (gates::check_minutes);
            // an old log without minutes prints the blank to be filled.
            (MinutesSignature::Unrecorded, true) => String::new(),
        };
        put(f, "signature", &signature);
        put(f, "date", &date_zh(self.date));
    }
}

/// 听证报告: the presider's account of the hearing and opinion, for the
/// 负责人 who decides "根据听证笔录" (Art. 65).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HearingReport {
    /// 案件编号.
    pub case_number: String,
    /// The authority.
    pub authority: Authority,
    /// 案由.
    pub cause: String,
    /// The hearing day.
    pub held_on: NaiveDate,
    /// 听证主持人.
    pub presider: String,
    /// What was heard: the investigators' case and the party's.
    pub summary: String,
    /// The presider's opinion.
    pub opinion: String,
    /// 日期.
    pub date: NaiveDate,
}

impl Printable for HearingReport {
    fn kind(&self) -> DocumentKind {
        DocumentKind::HearingReport
    }
    fn number(&self) -> Option<&str> {
        Some(&self.case_number)
    }
    fn fill(&self, f: &mut Fields, _mask_id: bool) {
        put(f, "case_number", &self.case_number);
        put(f, "authority", self.authority.issuing_name());
        put(f, "cause", &self.cause);
        put(f, "held_on", &date_zh(self.held_on));
        put(f, "presider", &self.presider);
        put(f, "summary", &self.summary);
        put(f, "opinion", &self.opinion);
        put(f, "date", &date_zh(self.date));
    }
}
