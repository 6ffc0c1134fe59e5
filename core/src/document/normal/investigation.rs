//! The documents of filing and investigation: 立案审批表 (行政处罚法
//! Art. 54 ¶2), 询问笔录 and 陈述申辩笔录 (Art. 55, 45), 先行登记保存证据
//! 通知书及清单 (Art. 56) and 案件调查终结报告 (Art. 57 ¶1).

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use super::{Opinion, numbered, officers_line};
use crate::document::model::{
    Authority, DocumentKind, Fields, Officer, PartyDetails, PartySignature, Printable, date_zh,
    datetime_zh, put, put_opt,
};

/// 立案审批表 (行政处罚法 Art. 54 ¶2; fields of the 七汲镇 set and the
/// 四川建设评查表, §1.5): the source, the 案由, the party, the summary and
/// reasons with the provisions possibly violated, and the three opinions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FilingApproval {
    /// 立案编号.
    pub number: String,
    /// The authority.
    pub authority: Authority,
    /// 案件来源, e.g. `日常巡查` or `群众举报`.
    pub case_source: String,
    /// 案由.
    pub cause: String,
    /// The party.
    pub party: PartyDetails,
    /// 案情摘要及立案理由 (time, place, key evidence, harm).
    pub summary: String,
    /// 涉嫌违反的条款, cited.
    pub suspected_provisions: Vec<String>,
    /// The two 承办人.
    pub handlers: [Officer; 2],
    /// 承办人意见.
    pub handler_opinion: Opinion,
    /// 承办机构意见.
    pub unit_opinion: Opinion,
    /// 负责人审批意见.
    pub head_opinion: Opinion,
    /// 立案日期.
    pub filed_on: NaiveDate,
}

impl Printable for FilingApproval {
    fn kind(&self) -> DocumentKind {
        DocumentKind::FilingApproval
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
        put(f, "case_source", &self.case_source);
        put(f, "cause", &self.cause);
        self.party.fill(f, mask_id);
        put(f, "summary", &self.summary);
        put(
            f,
            "suspected_provisions",
            &self.suspected_provisions.join("、"),
        );
        put(f, "handlers", &officers_line(&self.handlers));
        put(f, "handler_opinion", &self.handler_opinion.line());
        put(f, "unit_opinion", &self.unit_opinion.line());
        put(f, "head_opinion", &self.head_opinion.line());
        put(f, "filed_on", &date_zh(self.filed_on));
    }
}

/// One question and its answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuestionAnswer {
    /// 问.
    pub question: String,
    /// 答.
    pub answer: String,
}

/// The signature line printed at the foot of every page of a 笔录: the
/// interviewee's name or the refusal, the two officers and the recorder.
fn page_signatures(
    who: &str,
    s: &PartySignature,
    officers: &[Officer; 2],
    recorder: &str,
) -> String {
    let party = match s {
        PartySignature::Signed { name, .. } => format!("{who}签名：{name}"),
        PartySignature::Refused { .. } => format!("{who}拒绝签名（已在笔录中注明）"),
        PartySignature::Pending => format!("{who}签名："),
    };
    format!(
        "{party}    执法人员：{}、{}    记录人：{recorder}",
        officers[0].name, officers[1].name
    )
}

/// 询问笔录 (行政处罚法 Art. 55; layout of the 七汲镇 and 山西 sets): the
/// 案由, the time from–to, the place, the officers with their credentials
/// and the recorder, the interviewee, the showing of credentials and the
/// rights told, the questions and answers, and on every page the
/// interviewee's and both officers' signatures (or the refusal).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InterviewRecord {
    /// The authority.
    pub authority: Authority,
    /// 案由.
    pub cause: String,
    /// 询问开始时间.
    pub start: NaiveDateTime,
    /// 询问结束时间.
    pub end: NaiveDateTime,
    /// 询问地点.
    pub place: String,
    /// 询问人 (Art. 42: two).
    pub interviewers: [Officer; 2],
    /// 记录人.
    pub recorder: String,
    /// 被询问人.
    pub interviewee: PartyDetails,
    /// 与本案关系, e.g. `当事人` or `证人`.
    pub relation: String,
    /// The questions and answers, in order.
    pub qa: Vec<QuestionAnswer>,
    /// The interviewee's signature under “以上笔录我已看过，与我说的相符”,
    /// or the refusal.
    pub interviewee_signature: PartySignature,
    /// 日期.
    pub date: NaiveDate,
}

impl Printable for InterviewRecord {
    fn kind(&self) -> DocumentKind {
        DocumentKind::InterviewRecord
    }
    fn party(&self) -> Option<&PartyDetails> {
        Some(&self.interviewee)
    }
    fn signature(&self) -> Option<&PartySignature> {
        Some(&self.interviewee_signature)
    }
    fn fill(&self, f: &mut Fields, mask_id: bool) {
        put(f, "authority", self.authority.issuing_name());
        put(f, "cause", &self.cause);
        put(
            f,
            "interview_time",
            &format!("{}至{}", datetime_zh(self.start), datetime_zh(self.end)),
        );
        put(f, "place", &self.place);
        put(f, "interviewers", &officers_line(&self.interviewers));
        put(f, "recorder", &self.recorder);
        self.interviewee.fill(f, mask_id);
        put(f, "relation", &self.relation);
        put(
            f,
            "credentials_shown",
            "我们是执法人员，这是我们的执法证件（出示证件），请你确认。",
        );
        put(
            f,
            "rights_told",
            "依法告知：你有如实回答询问、协助调查的义务；你享有陈述、申辩的权利；如认为执法人员与本案有直接利害关系或者其他关系可能影响公正执法的，有权申请回避（《中华人民共和国行政处罚法》第四十三条、第五十五条）。",
        );
        let qa: Vec<String> = self
            .qa
            .iter()
            .filter(|x| !x.question.trim().is_empty())
            .map(|x| format!("问：{}\n答：{}", x.question, x.answer))
            .collect();
        put(f, "qa", &qa.join("\n"));
        put(
            f,
            "page_signatures",
            &page_signatures(
                "被询问人",
                &self.interviewee_signature,
                &self.interviewers,
                &self.recorder,
            ),
        );
        put(f, "date", &date_zh(self.date));
    }
}

/// One item preserved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreservedItem {
    /// 名称.
    pub name: String,
    /// 规格（型号）.
    #[serde(default)]
    pub spec: Option<String>,
    /// 数量 with its unit, e.g. `3箱`.
    pub quantity: String,
    /// 备注 (condition).
    #[serde(default)]
    pub remark: Option<String>,
}

/// 先行登记保存证据通知书 and its 清单 (行政处罚法 Art. 56 — the 2021
/// article, not the old Art. 37 some public templates still cite): the
/// party, the reason, the basis, the items, where they are kept, and the
/// decision within seven working days (Art. 56, Art. 85).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PreservationNotice {
    /// 文书编号.
    pub number: String,
    /// The authority.
    pub authority: Authority,
    /// The party.
    pub party: PartyDetails,
    /// 理由: why the evidence may be lost or hard to obtain later.
    pub reason: String,
    /// The approving 负责人 and the date (Art. 56: 经行政机关负责人批准).
    pub approved: Opinion,
    /// The items (清单).
    pub items: Vec<PreservedItem>,
    /// 保存地点.
    pub storage_place: String,
    /// The last day for the disposal decision, from the deadline engine.
    pub decide_by: NaiveDate,
    /// The two officers.
    pub officers: [Officer; 2],
    /// The party's signature or refusal.
    pub party_signature: PartySignature,
    /// 日期.
    pub date: NaiveDate,
}

impl Printable for PreservationNotice {
    fn kind(&self) -> DocumentKind {
        DocumentKind::PreservationNotice
    }
    fn party(&self) -> Option<&PartyDetails> {
        Some(&self.party)
    }
    fn signature(&self) -> Option<&PartySignature> {
        Some(&self.party_signature)
    }
    fn number(&self) -> Option<&str> {
        Some(&self.number)
    }
    fn fill(&self, f: &mut Fields, mask_id: bool) {
        put(f, "number", &self.number);
        put(f, "authority", self.authority.issuing_name());
        self.party.fill(f, mask_id);
        put(f, "reason", &self.reason);
        if !self.approved.signer.trim().is_empty() {
            put(
                f,
                "basis",
                &format!(
                    "根据《中华人民共和国行政处罚法》第五十六条的规定，经本机关负责人{}于{}批准，决定对下列物品予以先行登记保存。",
                    self.approved.signer,
                    date_zh(self.approved.date)
                ),
            );
        }
        let items: Vec<String> = self
            .items
            .iter()
            .filter(|i| !i.name.trim().is_empty())
            .map(|i| {
                let mut s = format!(
                    "{}，规格：{}，数量：{}",
                    i.name,
                    i.spec.as_deref().unwrap_or("—"),
                    i.quantity
                );
                if let Some(r) = &i.remark {
                    s.push_str(&format!("，备注：{r}"));
                }
                s
            })
            .collect();
        put(f, "item_list", &numbered(&items));
        put(f, "storage_place", &self.storage_place);
        put(
            f,
            "disposal_period",
            &format!(
                "本机关将在七日内（即{}前）依法作出处理决定。在此期间，当事人或者有关人员不得损毁、销毁或者转移证据（《中华人民共和国行政处罚法》第五十六条、第八十五条）。",
                date_zh(self.decide_by)
            ),
        );
        put(f, "officers", &officers_line(&self.officers));
        put(f, "date", &date_zh(self.date));
    }
}

/// 陈述申辩笔录 (行政处罚法 Art. 45): the party's statement and defence
/// after the 事先告知, recorded and signed on every page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatementRecord {
    /// The authority.
    pub authority: Authority,
    /// 案由.
    pub cause: String,
    /// The 事先告知书 number it answers.
    pub notice_number: String,
    /// 开始时间.
    pub start: NaiveDateTime,
    /// 结束时间.
    pub end: NaiveDateTime,
    /// 地点.
    pub place: String,
    /// The party.
    pub party: PartyDetails,
    /// The two officers hearing it.
    pub hearers: [Officer; 2],
    /// 记录人.
    pub recorder: String,
    /// 陈述、申辩的内容.
    pub statement: String,
    /// Evidence the party offered, if any.
    #[serde(default)]
    pub evidence_offered: Option<String>,
    /// The party's signature or refusal.
    pub party_signature: PartySignature,
    /// 日期.
    pub date: NaiveDate,
}

impl Printable for StatementRecord {
    fn kind(&self) -> DocumentKind {
        DocumentKind::StatementRecord
    }
    fn party(&self) -> Option<&PartyDetails> {
        Some(&self.party)
    }
    fn signature(&self) -> Option<&PartySignature> {
        Some(&self.party_signature)
    }
    fn fill(&self, f: &mut Fields, mask_id: bool) {
        put(f, "authority", self.authority.issuing_name());
        put(f, "cause", &self.cause);
        put(f, "notice_number", &self.notice_number);
        put(
            f,
            "record_time",
            &format!("{}至{}", datetime_zh(self.start), datetime_zh(self.end)),
        );
        put(f, "place", &self.place);
        self.party.fill(f, mask_id);
        put(f, "hearers", &officers_line(&self.hearers));
        put(f, "recorder", &self.recorder);
        put(f, "statement", &self.statement);
        put_opt(f, "evidence_offered", self.evidence_offered.as_deref());
        put(
            f,
            "page_signatures",
            &page_signatures(
                "当事人",
                &self.party_signature,
                &self.hearers,
                &self.recorder,
            ),
        );
        put(f, "date", &date_zh(self.date));
    }
}

/// 案件调查终结报告 (行政处罚法 Art. 57 ¶1; 评查 deducts 3 points when it is
/// missing): the facts, evidence, 定性, 违则 and 罚则, the discretion with
/// its reasons, and the proposal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InvestigationReport {
    /// 案件编号.
    pub case_number: String,
    /// The authority.
    pub authority: Authority,
    /// 案由.
    pub cause: String,
    /// The party.
    pub party: PartyDetails,
    /// 调查经过.
    pub course: String,
    /// 违法事实.
    pub facts: String,
    /// 证据, one item each.
    pub evidence: Vec<String>,
    /// 定性.
    pub characterization: String,
    /// 违则, cited.
    pub violated_provisions: Vec<String>,
    /// 罚则, cited.
    pub penalty_provisions: Vec<String>,
    /// 裁量阶次 and reasons.
    pub discretion: String,
    /// 处理建议 (penalty, 不予处罚, 违法事实不能成立, 移送).
    pub proposal: String,
    /// The two 承办人.
    pub handlers: [Officer; 2],
    /// 日期.
    pub date: NaiveDate,
}

impl Printable for InvestigationReport {
    fn kind(&self) -> DocumentKind {
        DocumentKind::InvestigationReport
    }
    fn party(&self) -> Option<&PartyDetails> {
        Some(&self.party)
    }
    fn number(&self) -> Option<&str> {
        Some(&self.case_number)
    }
    fn fill(&self, f: &mut Fields, mask_id: bool) {
        put(f, "case_number", &self.case_number);
        put(f, "authority", self.authority.issuing_name());
        put(f, "cause", &self.cause);
        self.party.fill(f, mask_id);
        put(f, "course", &self.course);
        put(f, "facts", &self.facts);
        put(f, "evidence_list", &numbered(&self.evidence));
        put(f, "characterization", &self.characterization);
        put(
            f,
            "violated_provisions",
            &self.violated_provisions.join("、"),
        );
        put(f, "penalty_provisions", &self.penalty_provisions.join("、"));
        put(f, "discretion", &self.discretion);
        put(f, "proposal", &self.proposal);
        put(f, "handlers", &officers_line(&self.handlers));
        put(f, "date", &date_zh(self.date));
    }
}
