//! 不予行政处罚决定书 of a simple-procedure case (issue 19): the written
//! decision the party receives when the case ends without a penalty.
//!
//! It states the party, the facts and the provisions violated, the ground
//! as the case recorded it and the article that stops the penalty
//! ([`NoPenaltyGround::article`]: 行政处罚法 Art. 30, 31, 33 ¶1 first or
//! second sentence, 33 ¶2, 36 ¶1), the 教育 (Art. 33 ¶3) and, for Art. 30
//! and 31, the order to the guardian as recorded, the remedies
//! ([`no_penalty_remedy_clause`]: 行政复议法 Art. 20, sixty days; 行政诉讼法
//! Art. 46, six months; texts in docs/law/procedure-and-remedies.md), the
//! enforcement body, the officers (their signatures, 行政处罚法 Art. 52 ¶2
//! as on the on-the-spot decision) and the party's signature.
//!
//! Its number: no separate number series for 不予处罚 is known from
//! Chongqing's rules (docs/law/documents.md ❓), so the series is the
//! township's configuration (`number_formats.no_penalty_decision`,
//! [`crate::case::config::SERIES_NO_PENALTY`]); without one the decision is
//! identified by its case ([`NoPenaltyDecision::case_ref`]).

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use super::model::{
    Authority, DocumentKind, Fields, Officer, PartyDetails, PartySignature, date_zh, datetime_zh,
    put, put_opt,
};
use super::printable::Printable;

/// The legal ground that stops the penalty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoPenaltyGround {
    /// 不满十四周岁 (行政处罚法 Art. 30): the guardian is ordered to discipline.
    Under14,
    /// 精神病人、智力残疾人不能辨认或者控制自己行为 (Art. 31): the guardian
    /// is ordered to watch and treat.
    Incapacity,
    /// 违法行为轻微并及时改正，没有造成危害后果 (Art. 33 ¶1, first sentence).
    Minor,
    /// 初次违法且危害后果轻微并及时改正 (Art. 33 ¶1, second sentence: 可以).
    FirstViolation,
    /// 有证据足以证明没有主观过错 (Art. 33 ¶2).
    NoFault,
    /// 违法行为在二年内未被发现 (Art. 36 ¶1).
    LimitationExpired,
}

impl NoPenaltyGround {
    /// The article as printed, e.g. `《中华人民共和国行政处罚法》第三十三条第一款`.
    pub fn article(self) -> &'static str {
        match self {
            Self::Under14 => "《中华人民共和国行政处罚法》第三十条",
            Self::Incapacity => "《中华人民共和国行政处罚法》第三十一条",
            Self::Minor | Self::FirstViolation => "《中华人民共和国行政处罚法》第三十三条第一款",
            Self::NoFault => "《中华人民共和国行政处罚法》第三十三条第二款",
            Self::LimitationExpired => "《中华人民共和国行政处罚法》第三十六条第一款",
        }
    }

    /// The sentence of the article the ground rests on, in its words
    /// (docs/law/xingzheng-chufa-fa.md).
    pub fn article_text(self) -> &'static str {
        match self {
            Self::Under14 => "不满十四周岁的未成年人有违法行为的，不予行政处罚，责令监护人加以管教",
            Self::Incapacity => {
                "精神病人、智力残疾人在不能辨认或者不能控制自己行为时有违法行为的，不予行政处罚，但应当责令其监护人严加看管和治疗"
            }
            Self::Minor => "违法行为轻微并及时改正，没有造成危害后果的，不予行政处罚",
            Self::FirstViolation => "初次违法且危害后果轻微并及时改正的，可以不予行政处罚",
            Self::NoFault => "当事人有证据足以证明没有主观过错的，不予行政处罚",
            Self::LimitationExpired => "违法行为在二年内未被发现的，不再给予行政处罚",
        }
    }

    /// The order to the guardian the article requires, in its words.
    pub fn guardian_order(self) -> Option<&'static str> {
        match self {
            Self::Under14 => Some("责令监护人加以管教"),
            Self::Incapacity => Some("责令其监护人严加看管和治疗"),
            _ => None,
        }
    }
}

/// The remedies told on a 不予行政处罚决定书: reconsideration within sixty
/// days (行政复议法 Art. 20) by `reconsideration_body`, or suit within six
/// months (行政诉讼法 Art. 46) at `court`. Not the on-the-spot penalty's
/// reconsideration-first rule (行政复议法 Art. 23 ¶1(一) concerns 当场作出的
/// 行政处罚决定, and this decision imposes none).
pub fn no_penalty_remedy_clause(reconsideration_body: &str, court: Option<&str>) -> String {
    let court = court.unwrap_or("人民法院");
    format!(
        "当事人如不服本决定，可以自收到本决定书之日起六十日内向{reconsideration_body}申请行政复议\
         （《中华人民共和国行政复议法》第二十条），也可以自收到本决定书之日起六个月内依法向{court}提起行政诉讼\
         （《中华人民共和国行政诉讼法》第四十六条）。"
    )
}

/// 不予行政处罚决定书 (simple procedure).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NoPenaltyDecision {
    /// 文书编号, when the township numbers these decisions
    /// (`number_formats.no_penalty_decision`); `None` otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    /// The case id: what identifies an unnumbered decision.
    pub case_ref: String,
    /// The authority (or the entrusting authority, Art. 20).
    pub authority: Authority,
    /// The party.
    pub party: PartyDetails,
    /// 违法时间.
    pub violation_time: NaiveDateTime,
    /// 违法地点.
    pub violation_place: String,
    /// 违法事实.
    pub facts: String,
    /// 证据 summary.
    pub evidence_summary: String,
    /// 违反的条款, cited.
    pub violated_provisions: Vec<String>,
    /// The legal ground.
    pub ground: NoPenaltyGround,
    /// The ground as the case recorded it (its words and article).
    pub ground_recorded: String,
    /// The 教育 record (Art. 33 ¶3).
    pub education: String,
    /// The order to the guardian as recorded (Art. 30, 31).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guardian_order: Option<String>,
    /// The remedies ([`no_penalty_remedy_clause`]).
    pub remedy_clause: String,
    /// 作出决定的地点.
    pub place: String,
    /// 作出决定的时间.
    pub decided_at: NaiveDateTime,
    /// The two officers (Art. 42).
    pub officers: [Officer; 2],
    /// The party's signature or the refusal note.
    pub party_signature: PartySignature,
    /// 日期 printed under the seal.
    pub date: NaiveDate,
}

impl NoPenaltyDecision {
    /// How the decision is identified on the print: its number, or its case.
    pub fn reference(&self) -> String {
        match &self.number {
            Some(n) => format!("文书编号{n}"),
            None => format!("案件编号{}", self.case_ref),
        }
    }

    fn fill_fields(&self, f: &mut Fields, mask_id: bool) {
        put_opt(f, "number", self.number.as_deref());
        put(f, "document_ref", &self.reference());
        put(f, "authority", self.authority.issuing_name());
        self.party.fill(f, mask_id);
        put(f, "violation_time", &datetime_zh(self.violation_time));
        put(f, "violation_place", &self.violation_place);
        put(f, "facts", &self.facts);
        put(f, "evidence_summary", &self.evidence_summary);
        put(
            f,
            "violated_provisions",
            &self.violated_provisions.join("、"),
        );
        put(f, "ground", &self.ground_recorded);
        put(f, "ground_article", self.ground.article());
        put(f, "article_text", self.ground.article_text());
        put(
            f,
            "decision",
            &format!(
                "依据{}“{}”的规定，本机关决定对当事人不予行政处罚。",
                self.ground.article(),
                self.ground.article_text()
            ),
        );
        put(f, "education", &self.education);
        if let (Some(words), Some(order)) = (self.ground.guardian_order(), &self.guardian_order) {
            put(f, "guardian_order", &format!("{words}：{order}"));
        }
        put(f, "remedy_clause", &self.remedy_clause);
        put(f, "place", &self.place);
        put(f, "decided_at", &datetime_zh(self.decided_at));
        put(f, "officer_1", &self.officers[0].line());
        put(f, "officer_2", &self.officers[1].line());
        put(f, "date", &date_zh(self.date));
    }
}

impl Printable for NoPenaltyDecision {
    fn kind(&self) -> DocumentKind {
        DocumentKind::NoPenaltyDecision
    }
    fn party(&self) -> Option<&PartyDetails> {
        Some(&self.party)
    }
    fn signature(&self) -> Option<&PartySignature> {
        Some(&self.party_signature)
    }
    fn number(&self) -> Option<&str> {
        self.number.as_deref()
    }
    fn officers(&self) -> &[Officer] {
        &self.officers
    }
    fn fill(&self, f: &mut Fields, mask_id: bool) {
        self.fill_fields(f, mask_id);
    }
}
