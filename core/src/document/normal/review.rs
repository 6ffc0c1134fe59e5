//! The internal documents of review and decision: 法制审核意见书
//! (行政处罚法 Art. 58), 集体讨论记录 (Art. 57 ¶2), the party's 电子送达
//! 确认书 (Art. 61 ¶2) and the 结案审批表 closing the file.

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use super::Opinion;
use crate::document::model::{
    Authority, DocumentKind, Fields, PartyDetails, PartySignature, Printable, date_zh, datetime_zh,
    put,
};

/// The conclusion of a 法制审核 (the 宁夏 rule and the model sets, §1.5 and
/// S9 of §1.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewOutcome {
    /// 通过.
    Pass,
    /// 退回补充调查.
    ReturnForInvestigation,
    /// 修改后再报.
    ReviseAndResubmit,
}

impl ReviewOutcome {
    /// The outcome as printed.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Pass => "通过",
            Self::ReturnForInvestigation => "退回补充调查",
            Self::ReviseAndResubmit => "修改后再报",
        }
    }
}

/// One review point and what the reviewer found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewPoint {
    /// The point, e.g. `执法主体是否合法、是否超越法定权限`.
    pub point: String,
    /// The finding, e.g. `合法` or what is wrong.
    pub finding: String,
}

/// 法制审核意见书 (行政处罚法 Art. 58: no decision without it, by staff who
/// passed the 国家统一法律职业资格考试 in first-time cases, Art. 58 ¶2): the
/// reviewer with the 法律职业资格证书 number, the checklist, the outcome and
/// the opinion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LegalReview {
    /// 案件编号.
    pub case_number: String,
    /// The authority.
    pub authority: Authority,
    /// 案由.
    pub cause: String,
    /// 审核人.
    pub reviewer: String,
    /// 法律职业资格证书编号.
    pub qualification_number: String,
    /// The review points (宁夏: 主体, 人员资格, 程序, 事实证据, 法律适用与裁量,
    /// 文书, 涉嫌犯罪移送).
    pub checklist: Vec<ReviewPoint>,
    /// The outcome.
    pub outcome: ReviewOutcome,
    /// 审核意见.
    pub opinion: String,
    /// 日期.
    pub date: NaiveDate,
}

impl Printable for LegalReview {
    fn kind(&self) -> DocumentKind {
        DocumentKind::LegalReview
    }
    fn number(&self) -> Option<&str> {
        Some(&self.case_number)
    }
    fn fill(&self, f: &mut Fields, _mask_id: bool) {
        put(f, "case_number", &self.case_number);
        put(f, "authority", self.authority.issuing_name());
        put(f, "cause", &self.cause);
        put(f, "reviewer", &self.reviewer);
        put(f, "reviewer_qualification", &self.qualification_number);
        let list: Vec<String> = self
            .checklist
            .iter()
            .filter(|p| !p.point.trim().is_empty())
            .enumerate()
            .map(|(i, p)| format!("{}. {}：{}", i + 1, p.point, p.finding))
            .collect();
        put(f, "checklist", &list.join("\n"));
        put(f, "outcome", self.outcome.label_zh());
        put(f, "opinion", &self.opinion);
        put(f, "date", &date_zh(self.date));
    }
}

/// 集体讨论记录 (行政处罚法 Art. 57 ¶2; 河南 #14, 七汲镇 #15): date,
/// attendees, the 承办人's report, each attendee's view, the conclusion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CollectiveDiscussion {
    /// 案件编号.
    pub case_number: String,
    /// The authority.
    pub authority: Authority,
    /// 案由.
    pub cause: String,
    /// 讨论时间.
    pub time: NaiveDateTime,
    /// 地点.
    pub place: String,
    /// 主持人.
    pub host: String,
    /// 参加人员 (name and post).
    pub attendees: Vec<String>,
    /// 记录人.
    pub recorder: String,
    /// 承办人汇报.
    pub handler_report: String,
    /// Each attendee's view: (name, view).
    pub opinions: Vec<(String, String)>,
    /// 讨论结论.
    pub conclusion: String,
    /// 日期.
    pub date: NaiveDate,
}

impl Printable for CollectiveDiscussion {
    fn kind(&self) -> DocumentKind {
        DocumentKind::CollectiveDiscussion
    }
    fn number(&self) -> Option<&str> {
        Some(&self.case_number)
    }
    fn fill(&self, f: &mut Fields, _mask_id: bool) {
        put(f, "case_number", &self.case_number);
        put(f, "authority", self.authority.issuing_name());
        put(f, "cause", &self.cause);
        put(f, "meeting_time", &datetime_zh(self.time));
        put(f, "place", &self.place);
        put(f, "host", &self.host);
        put(f, "attendees", &self.attendees.join("、"));
        put(f, "recorder", &self.recorder);
        put(f, "handler_report", &self.handler_report);
        let views: Vec<String> = self
            .opinions
            .iter()
            .map(|(who, view)| format!("{who}：{view}"))
            .collect();
        put(f, "opinions", &views.join("\n"));
        put(f, "conclusion", &self.conclusion);
        put(f, "date", &date_zh(self.date));
    }
}

/// 电子送达确认书 (行政处罚法 Art. 61 ¶2: service by electronic means only
/// with the party's consent): the channels, the documents it covers, the
/// consent and the party's signature.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ElectronicServiceConsent {
    /// The authority.
    pub authority: Authority,
    /// 案由.
    pub cause: String,
    /// The party.
    pub party: PartyDetails,
    /// The channels, e.g. `手机号码：13800138000（短信）`.
    pub channels: Vec<String>,
    /// The documents covered, e.g. `本案行政处罚事先告知书、行政处罚决定书等法律文书`.
    pub scope: String,
    /// The party's signature or refusal.
    pub party_signature: PartySignature,
    /// 日期.
    pub date: NaiveDate,
}

impl Printable for ElectronicServiceConsent {
    fn kind(&self) -> DocumentKind {
        DocumentKind::ElectronicServiceConsent
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
        self.party.fill(f, mask_id);
        put(f, "channels", &self.channels.join("；"));
        put(f, "scope", &self.scope);
        put(
            f,
            "consent",
            "本人（单位）同意行政机关采用上述电子方式送达法律文书，文书到达上述特定系统之日为送达日期；\
             上述信息变更的，将及时书面告知（《中华人民共和国行政处罚法》第六十一条第二款）。",
        );
        put(f, "date", &date_zh(self.date));
    }
}

/// 结案审批表 (model sets, §1.5; 行政处罚法 Art. 47 全过程记录): the outcome,
/// the performance or enforcement, the disposal of property and the three
/// opinions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClosingApproval {
    /// 案件编号.
    pub case_number: String,
    /// The authority.
    pub authority: Authority,
    /// 案由.
    pub cause: String,
    /// The party.
    pub party: PartyDetails,
    /// The decision's number and date, or the ground of a 不予处罚/移送.
    pub decision: String,
    /// 处理结果.
    pub outcome: String,
    /// 执行情况 (paid: amount, receipt; court enforcement …).
    pub execution: String,
    /// 物品处理情况, or `无`.
    pub property_disposal: String,
    /// 承办人意见.
    pub handler_opinion: Opinion,
    /// 审核意见.
    pub reviewer_opinion: Opinion,
    /// 负责人审批意见.
    pub head_opinion: Opinion,
    /// 结案日期.
    pub closed_on: NaiveDate,
}

impl Printable for ClosingApproval {
    fn kind(&self) -> DocumentKind {
        DocumentKind::ClosingApproval
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
        put(f, "decision", &self.decision);
        put(f, "outcome", &self.outcome);
        put(f, "execution", &self.execution);
        put(f, "property_disposal", &self.property_disposal);
        put(f, "handler_opinion", &self.handler_opinion.line());
        put(f, "reviewer_opinion", &self.reviewer_opinion.line());
        put(f, "head_opinion", &self.head_opinion.line());
        put(f, "closed_on", &date_zh(self.closed_on));
    }
}
