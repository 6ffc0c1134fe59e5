//! The documents addressed to the party that carry a penalty: the
//! 行政处罚事先告知书 (行政处罚法 Art. 44, 63, 64), the 行政处罚决定书 of
//! the normal procedure (Art. 59) and the 催告书 (行政强制法 Art. 35).

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use super::{
    amount_capitals_line, amount_figures, has_fine, numbered, officers_line, penalty_kinds,
    penalty_text, put_amounts,
};
use crate::document::model::{
    Authority, DocumentKind, Fields, Officer, PartyDetails, Printable, date_zh, datetime_zh, put,
    put_opt, surcharge_sentence,
};
use crate::procedure::Penalty;

/// How a fine of the normal procedure is paid: the period runs from the
/// party's receipt of the decision (行政处罚法 Art. 67 ¶3), so the
/// decision states the route, not a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PaymentRoute {
    /// Through the electronic payment system with a 缴款码 (Art. 67 ¶3).
    Electronic {
        /// The channel as printed, e.g. `重庆市非税收入电子缴款平台`.
        channel: String,
        /// The 缴款码.
        #[serde(default)]
        code: Option<String>,
        /// The payment QR content (a URL), printed as a second QR code.
        #[serde(default)]
        qr_content: Option<String>,
    },
    /// At a designated bank (代收机构, 国务院令第235号 Art. 7).
    Bank {
        /// 代收机构名称.
        bank: String,
        /// 代收机构地址.
        address: String,
        /// The 缴款码 or account, if any.
        #[serde(default)]
        code: Option<String>,
    },
}

impl PaymentRoute {
    fn method(&self) -> String {
        match self {
            Self::Electronic { channel, .. } => format!("通过电子支付系统缴纳：{channel}"),
            Self::Bank { bank, address, .. } => {
                format!("到指定的代收机构缴纳：{bank}（地址：{address}）")
            }
        }
    }

    fn code(&self) -> Option<&str> {
        match self {
            Self::Electronic { code, .. } | Self::Bank { code, .. } => code.as_deref(),
        }
    }

    fn qr(&self) -> Option<&str> {
        match self {
            Self::Electronic { qr_content, .. } => qr_content.as_deref(),
            Self::Bank { .. } => None,
        }
    }
}

/// What the party said after the 事先告知 and what the authority made of
/// it (行政处罚法 Art. 45: heard, 复核, adopted where established, never a
/// heavier penalty for it; Art. 62).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Defence {
    /// The party stated a defence.
    Heard {
        /// The defence, summarised.
        summary: String,
        /// The 复核 and what was adopted, with the reasons.
        adoption: String,
    },
    /// The party expressly waived it in writing.
    Waived,
    /// The period lapsed without a statement.
    Lapsed {
        /// The 事先告知书 number.
        notice_number: String,
        /// The date it was served.
        served_on: NaiveDate,
    },
}

impl Defence {
    fn text(&self) -> String {
        match self {
            Self::Heard { summary, adoption } => {
                format!("当事人提出陈述、申辩意见：{summary}。经复核，{adoption}")
            }
            Self::Waived => "当事人书面明确表示放弃陈述、申辩。".to_owned(),
            Self::Lapsed {
                notice_number,
                served_on,
            } => format!(
                "本机关于{}向当事人送达《行政处罚事先告知书》（{notice_number}），当事人在规定期限内未提出陈述、申辩意见。",
                date_zh(*served_on)
            ),
        }
    }
}

/// A hearing held (行政处罚法 Art. 63–65).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HearingSummary {
    /// The date of the hearing.
    pub held_on: NaiveDate,
    /// What was said and what the hearing report concluded.
    pub summary: String,
}

/// 行政处罚决定书 of the normal procedure: every element of 行政处罚法
/// Art. 59 ¶1 — (一) the party, (二) the facts and evidence, (三) the kind
/// and basis of the penalty, (四) the manner and period of performance,
/// (五) the remedy, its body and period, (六) the authority and the date —
/// plus the number, the 陈述申辩 (and 听证) and what was adopted, and the
/// discretion reasons the model sets carry (§1.5).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PenaltyDecision {
    /// 文书编号, e.g. `渝北龙兴罚决字〔2026〕第7号`.
    pub number: String,
    /// The authority (or the entrusting authority, Art. 20 ¶3).
    pub authority: Authority,
    /// (一) The party.
    pub party: PartyDetails,
    /// 案由, `当事人+违法行为+案`.
    pub cause: String,
    /// 违法时间.
    pub violation_time: NaiveDateTime,
    /// 违法地点.
    pub violation_place: String,
    /// (二) 违法事实.
    pub facts: String,
    /// (二) 证据, one item each.
    pub evidence: Vec<String>,
    /// 违反的条款, cited.
    pub violated_provisions: Vec<String>,
    /// 陈述申辩及采纳情况.
    pub defence: Defence,
    /// The hearing, if one was held.
    #[serde(default)]
    pub hearing: Option<HearingSummary>,
    /// 裁量 (the benchmark row and level, with the reasons).
    #[serde(default)]
    pub discretion: Option<String>,
    /// (三) 处罚依据 (罚则), cited.
    pub penalty_provisions: Vec<String>,
    /// (三) 处罚种类 and amounts.
    pub penalty: Penalty,
    /// (四) How the fine is paid; required with a fine.
    #[serde(default)]
    pub payment: Option<PaymentRoute>,
    /// (五) 行政复议机关, e.g. `重庆市渝北区人民政府`.
    pub review_body: String,
    /// (五) The court of a suit, e.g. `重庆市渝北区人民法院`.
    pub court: String,
    /// (六) 作出决定的日期.
    pub date: NaiveDate,
}

impl Printable for PenaltyDecision {
    fn kind(&self) -> DocumentKind {
        DocumentKind::PenaltyDecision
    }
    fn party(&self) -> Option<&PartyDetails> {
        Some(&self.party)
    }
    fn number(&self) -> Option<&str> {
        Some(&self.number)
    }
    fn payment_qr(&self) -> Option<&str> {
        self.payment.as_ref().and_then(PaymentRoute::qr)
    }
    fn conditions(&self, c: &mut Vec<&'static str>) {
        if has_fine(&self.penalty) {
            c.push("fine");
        }
        if self.hearing.is_some() {
            c.push("hearing");
        }
    }
    fn fill(&self, f: &mut Fields, mask_id: bool) {
        put(f, "number", &self.number);
        put(f, "authority", self.authority.issuing_name());
        self.party.fill(f, mask_id);
        put(f, "cause", &self.cause);
        put(f, "violation_time", &datetime_zh(self.violation_time));
        put(f, "violation_place", &self.violation_place);
        put(f, "facts", &self.facts);
        put(f, "evidence_list", &numbered(&self.evidence));
        put(
            f,
            "violated_provisions",
            &self.violated_provisions.join("、"),
        );
        put(f, "defence", &self.defence.text());
        if let Some(h) = &self.hearing {
            put(
                f,
                "hearing",
                &format!(
                    "应当事人申请，本机关于{}依法举行听证。{}",
                    date_zh(h.held_on),
                    h.summary
                ),
            );
        }
        put_opt(f, "discretion", self.discretion.as_deref());
        put(f, "penalty_provisions", &self.penalty_provisions.join("、"));
        put(f, "penalty_kinds", &penalty_kinds(&self.penalty));
        put(f, "penalty_text", &penalty_text(&self.penalty));
        put_amounts(f, &self.penalty);
        if has_fine(&self.penalty)
            && let Some(p) = &self.payment
        {
            put(f, "payment_method", &p.method());
            put_opt(f, "payment_code", p.code());
            if p.qr().is_some() {
                put(f, "payment_qr", "也可扫描本决定书下方的缴款二维码缴纳。");
            }
            // 行政处罚法 Art. 67 ¶3: fifteen days from receipt of the decision.
            put(
                f,
                "payment_deadline",
                "当事人应当自收到本决定书之日起十五日内缴纳罚款（《中华人民共和国行政处罚法》第六十七条第三款）。",
            );
            put(f, "surcharge", &surcharge_sentence());
        }
        // 行政复议法 Art. 20 (60 days), 行政诉讼法 Art. 46 (6 months),
        // 行政处罚法 Art. 73 (no suspension): as rules::assess prints it.
        if !self.review_body.trim().is_empty() && !self.court.trim().is_empty() {
            put(
                f,
                "remedy_clause",
                &format!(
                    "当事人如不服本决定，可以自收到本决定书之日起六十日内向{}申请行政复议，\
                     也可以自收到本决定书之日起六个月内依法向{}提起行政诉讼。\
                     行政复议或者行政诉讼期间，本决定不停止执行（《中华人民共和国行政处罚法》第七十三条）。",
                    self.review_body, self.court
                ),
            );
        }
        put(f, "date", &date_zh(self.date));
    }
}

/// 行政处罚事先告知书 (行政处罚法 Art. 44): the proposed penalty with its
/// facts, reasons and basis, the right to 陈述、申辩 and, where Art. 63
/// applies, the right to a hearing, requested within five working days
/// (Art. 64(一), Art. 85).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PriorNotice {
    /// 文书编号.
    pub number: String,
    /// The authority.
    pub authority: Authority,
    /// The party.
    pub party: PartyDetails,
    /// 违法事实.
    pub facts: String,
    /// 证据, one item each.
    pub evidence: Vec<String>,
    /// 理由 (定性 and 裁量 reasons).
    pub reasons: String,
    /// 违反的条款, cited.
    pub violated_provisions: Vec<String>,
    /// 处罚依据, cited.
    pub penalty_provisions: Vec<String>,
    /// 拟作出的行政处罚.
    pub proposed: Penalty,
    /// The last day for a 陈述、申辩 (the township's setting).
    pub statement_by: NaiveDate,
    /// The last day to request a hearing — five working days from receipt,
    /// computed by the deadline engine — where Art. 63 applies.
    #[serde(default)]
    pub hearing_request_by: Option<NaiveDate>,
    /// 联系人、地址、电话.
    pub contact: String,
    /// The two officers.
    pub officers: [Officer; 2],
    /// 日期.
    pub date: NaiveDate,
}

impl Printable for PriorNotice {
    fn kind(&self) -> DocumentKind {
        DocumentKind::PriorNotice
    }
    fn party(&self) -> Option<&PartyDetails> {
        Some(&self.party)
    }
    fn number(&self) -> Option<&str> {
        Some(&self.number)
    }
    fn conditions(&self, c: &mut Vec<&'static str>) {
        if self.hearing_request_by.is_some() {
            c.push("hearing");
        }
    }
    fn fill(&self, f: &mut Fields, mask_id: bool) {
        put(f, "number", &self.number);
        put(f, "authority", self.authority.issuing_name());
        self.party.fill(f, mask_id);
        put(f, "facts", &self.facts);
        put(f, "evidence_list", &numbered(&self.evidence));
        put(f, "reasons", &self.reasons);
        put(
            f,
            "violated_provisions",
            &self.violated_provisions.join("、"),
        );
        put(f, "penalty_provisions", &self.penalty_provisions.join("、"));
        put(f, "penalty_text", &penalty_text(&self.proposed));
        put(
            f,
            "statement_right",
            &format!(
                "根据《中华人民共和国行政处罚法》第四十四条、第四十五条的规定，你（单位）享有陈述、申辩的权利，\
                 可以在{}前向本机关提出陈述、申辩意见，逾期未提出的，视为放弃此权利。",
                date_zh(self.statement_by)
            ),
        );
        if let Some(by) = self.hearing_request_by {
            put(
                f,
                "hearing_right",
                &format!(
                    "根据《中华人民共和国行政处罚法》第六十三条、第六十四条第（一）项的规定，你（单位）有权要求举行听证。\
                     要求听证的，应当在收到本告知书之日起五个工作日内（即{}前）向本机关提出，逾期视为放弃听证权利。",
                    date_zh(by)
                ),
            );
        }
        put(f, "contact", &self.contact);
        put(f, "officers", &officers_line(&self.officers));
        put(f, "date", &date_zh(self.date));
    }
}

/// 催告书 (行政强制法 Art. 35): the period and manner of performance, the
/// amount and how to pay it, and the party's right to state and defend
/// (Art. 35(四), Art. 36), before an application to the court (Art. 54).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reminder {
    /// 文书编号.
    pub number: String,
    /// The authority.
    pub authority: Authority,
    /// The party.
    pub party: PartyDetails,
    /// The decision's number.
    pub decision_number: String,
    /// The date the decision was served.
    pub decision_served_on: NaiveDate,
    /// (一) 履行期限: the last day.
    pub perform_by: NaiveDate,
    /// (二) 履行方式.
    pub method: String,
    /// (三) The unpaid fine, fen.
    pub fine_fen: i64,
    /// (三) The surcharge accrued (行政处罚法 Art. 72(一)), fen.
    pub surcharge_fen: i64,
    /// (三) 给付方式.
    pub payment: PaymentRoute,
    /// 日期.
    pub date: NaiveDate,
}

impl Printable for Reminder {
    fn kind(&self) -> DocumentKind {
        DocumentKind::Reminder
    }
    fn party(&self) -> Option<&PartyDetails> {
        Some(&self.party)
    }
    fn number(&self) -> Option<&str> {
        Some(&self.number)
    }
    fn payment_qr(&self) -> Option<&str> {
        self.payment.qr()
    }
    fn fill(&self, f: &mut Fields, mask_id: bool) {
        put(f, "number", &self.number);
        put(f, "authority", self.authority.issuing_name());
        self.party.fill(f, mask_id);
        put(
            f,
            "decision",
            &format!(
                "本机关于{}向你（单位）送达《行政处罚决定书》（{}），你（单位）至今未履行该决定。",
                date_zh(self.decision_served_on),
                self.decision_number
            ),
        );
        put(
            f,
            "obligation",
            "缴纳罚款及加处的罚款（《中华人民共和国行政处罚法》第七十二条第一款第（一）项）",
        );
        put(f, "performance_deadline", &date_zh(self.perform_by));
        put(f, "performance_method", &self.method);
        let total = self.fine_fen.saturating_add(self.surcharge_fen);
        put(f, "amount_figures", &amount_figures(total));
        put(f, "amount_capitals", &amount_capitals_line(total));
        put(
            f,
            "amount_detail",
            &format!(
                "其中罚款{}，加处罚款{}",
                amount_figures(self.fine_fen),
                amount_figures(self.surcharge_fen)
            ),
        );
        let mut pay = self.payment.method();
        if let Some(c) = self.payment.code() {
            pay.push_str(&format!("，缴款码：{c}"));
        }
        put(f, "payment_method", &pay);
        put(
            f,
            "statement_right",
            "根据《中华人民共和国行政强制法》第三十五条第（四）项、第三十六条的规定，你（单位）收到本催告书后有权进行陈述和申辩。",
        );
        put(
            f,
            "consequence",
            "逾期仍不履行的，本机关将依法申请人民法院强制执行（《中华人民共和国行政强制法》第五十三条、第五十四条）。",
        );
        put(f, "date", &date_zh(self.date));
    }
}
