//! Per-township configuration of the normal procedure: the rules national
//! law leaves open and no Chongqing rule was found for.
//!
//! Each value that is not settled law is a [`Setting`]: the value, whether
//! it was checked against an official Chongqing text (`verified`), and
//! where the default comes from (`source`). Every default below is the
//! legal research's (shared/domain/normal-procedure-and-supervision.md §0,
//! §1.2, §1.4) and is `verified: false` until a township checks it; the
//! list is repeated in docs/law/README.md (open questions, normal
//! procedure). The struct deserialises with every field optional (serde
//! defaults), so an old township configuration without a `procedure`
//! section still loads, and a file names only what it changes.

use serde::{Deserialize, Serialize};

use super::PenaltyKind;

/// A configured value with its verification status and source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Setting<T> {
    /// The value in force.
    pub value: T,
    /// Whether the value was checked against the official Chongqing text.
    #[serde(default)]
    pub verified: bool,
    /// Where the value comes from (the rule, or why it is a default).
    #[serde(default)]
    pub source: String,
}

impl<T> Setting<T> {
    fn unverified(value: T, source: &str) -> Self {
        Self {
            value,
            verified: false,
            source: source.to_owned(),
        }
    }
}

/// The normal-procedure configuration of one township.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProcedureConfig {
    /// Working days from 发现 (the 案源登记) within which the case is filed
    /// (立案). 行政处罚法 Art. 54 ¶2 says only "及时"; departmental rules use
    /// 15 working days (医疗保障行政处罚程序暂行规定 Art. 22, 🟡). No
    /// Chongqing rule was found (❓). A late 立案 is not refused (Art. 76 ¶2
    /// makes *not* filing the violation); it is recorded as late.
    pub filing_working_days: Setting<u32>,
    /// Working days after the 事先告知 within which the party states and
    /// defends (陈述申辩). National law sets no period (Art. 44, 45 ❓);
    /// default 5 working days, the hearing-request period of Art. 64(一)
    /// **[design]**. No decision before it lapses unless the party was
    /// heard or waived (Art. 62).
    pub statement_working_days: Setting<u32>,
    /// Working days the 法制审核 may take from submission (an SLA clock, not
    /// a gate). Default 7 (宁夏住建厅 法制审核清单 ✅ for 宁夏; Chongqing ❓).
    pub legal_review_working_days: Setting<u32>,
    /// Calendar days by which the 负责人 may extend the 90-day decision
    /// period of 行政处罚法 Art. 60 ("法律、法规、规章另有规定的，从其规定").
    /// Default 30 with the 负责人's approval, the 市场监管 rule the research
    /// cites (🟡); whether any extension exists for 镇街 cases is ❓ — set
    /// 0 to allow none.
    pub decision_extension_days: Setting<u32>,
    /// Whether a decision after the Art. 60 deadline (plus any approved
    /// extension) is refused. Default `true`: the law says "应当…九十日内";
    /// a township that prefers to record an overdue decision as 超期 sets
    /// `false` (the decision is then marked late).
    pub refuse_late_decision: bool,
    /// The fine or confiscated value, in fen, from which a citizen has the
    /// right to a hearing (较大数额, 行政处罚法 Art. 63). Default 500,000
    /// fen = 5,000 元, 重庆市行政处罚听证程序规定 (渝府令第354号), read only
    /// in news reports (🟡).
    pub hearing_threshold_citizen_fen: Setting<i64>,
    /// The same for a legal person or other organisation. Default
    /// 5,000,000 fen = 50,000 元 (渝府令第354号, 🟡).
    pub hearing_threshold_organisation_fen: Setting<i64>,
    /// Kinds of penalty that always carry the right to a hearing (Art. 63
    /// (三)(四)(五)). Default: 降低资质等级, 吊销许可证件, 责令停产停业,
    /// 责令关闭, 限制从业 (✅ listed), and as "其他较重的行政处罚" (五)
    /// 暂扣许可证件 and 限制开展生产经营活动 (❓ the reading favourable to
    /// the party: offering a hearing is never unlawful).
    pub hearing_kinds: Vec<PenaltyKind>,
    /// Local items of the 法制审核目录清单 beyond the three of 行政处罚法
    /// Art. 58 (一)–(三), as codes a case may name (Art. 58(四) "法律、法规
    /// 规定应当进行法制审核的其他情形"). A Chongqing 清单 was not found (❓);
    /// default none.
    pub extra_review_items: Vec<String>,
    /// Whether every penalty decision needs 法制审核, not only Art. 58
    /// cases. Default `false` (Art. 58 lists cases; ❓ Chongqing).
    pub legal_review_every_penalty: bool,
    /// Whether a case that went through a hearing needs 法制审核 (Art. 58
    /// (二) "直接关系当事人或者第三人重大权益，经过听证程序的"). Default
    /// `true`: a hearing is only held for the heavy penalties of Art. 63,
    /// which the research reads as 重大权益 (❓).
    pub legal_review_after_hearing: bool,
    /// The fine, in fen, from which a case is treated as 重大违法行为 and
    /// needs 集体讨论 (Art. 57 ¶2). No Chongqing definition was found (❓);
    /// default `None`: only the case's own flag (情节复杂/重大) decides.
    pub collective_discussion_fine_from_fen: Option<i64>,
    /// The fewest attendees of a 集体讨论. Default 3 **[design]**: "集体"
    /// needs more than one 负责人; the number is ❓.
    pub collective_min_attendees: u32,
    /// Whether a 分管副职 (role `deputy_leader`) may sign as 行政机关负责人.
    /// Not settled in any source read (❓); default `false`.
    pub deputy_may_approve: bool,
    /// Working days after the decision within which a penalty decision is
    /// published (国办发〔2018〕118号 as reported, 🟡: 7 working days).
    /// `None`: no publication clock.
    pub publication_working_days: Option<Setting<u32>>,
    /// Whether a calendar-day period whose last day is a rest day ends on
    /// the next working day (民法典 Art. 203 ¶1; 民事诉讼法 Art. 85 ¶3).
    /// The rule is the civil law's general one; applying it to the
    /// agency's own periods (Art. 60's 90 days, 行政强制法 Art. 25's 30) is
    /// ❓. Default `true` for every calendar period.
    pub roll_calendar_periods: bool,
    /// The warning windows of the deadline view.
    pub warning: WarningConfig,
}

/// When a clock turns yellow (before its due day) and red (after it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WarningConfig {
    /// A clock is yellow from this many calendar days before its due day
    /// through the due day itself; red from the day after. Default 3
    /// **[design]** (the research cites 黄牌/红牌 practice, 🟡, no figure).
    pub yellow_days_before: u32,
}

impl Default for WarningConfig {
    fn default() -> Self {
        Self {
            yellow_days_before: 3,
        }
    }
}

impl Default for ProcedureConfig {
    fn default() -> Self {
        Self {
            filing_working_days: Setting::unverified(
                15,
                "行政处罚法第五十四条仅规定“及时立案”；15个工作日取自部门规章（医疗保障行政处罚程序暂行规定第二十二条，转引）；重庆规定未找到",
            ),
            statement_working_days: Setting::unverified(
                5,
                "国家法律未规定陈述申辩期限；默认与听证申请期限（行政处罚法第六十四条）相同，为设计取值；重庆规定未找到",
            ),
            legal_review_working_days: Setting::unverified(
                7,
                "法制审核时限国家法律未规定；7个工作日取自宁夏住建厅法制审核清单；重庆规定未找到",
            ),
            decision_extension_days: Setting::unverified(
                30,
                "行政处罚法第六十条“法律、法规、规章另有规定的，从其规定”；经负责人批准延长30日取自市场监管部门规章（转引）；镇街是否可以延长未找到重庆规定",
            ),
            refuse_late_decision: true,
            hearing_threshold_citizen_fen: Setting::unverified(
                500_000,
                "重庆市行政处罚听证程序规定（渝府令第354号）：公民5000元以上（仅见新闻转述，未核对原文）",
            ),
            hearing_threshold_organisation_fen: Setting::unverified(
                5_000_000,
                "重庆市行政处罚听证程序规定（渝府令第354号）：法人或者其他组织50000元以上（仅见新闻转述，未核对原文）",
            ),
            hearing_kinds: vec![
                PenaltyKind::DowngradeQualification,
                PenaltyKind::RevokeLicence,
                PenaltyKind::StopProduction,
                PenaltyKind::OrderClosure,
                PenaltyKind::RestrictPractice,
                PenaltyKind::SuspendLicence,
                PenaltyKind::LimitBusiness,
            ],
            extra_review_items: Vec::new(),
            legal_review_every_penalty: false,
            legal_review_after_hearing: true,
            collective_discussion_fine_from_fen: None,
            collective_min_attendees: 3,
            deputy_may_approve: false,
            publication_working_days: Some(Setting::unverified(
                7,
                "国办发〔2018〕118号：行政处罚决定7个工作日内公开（新闻转述，未核对原文）",
            )),
            roll_calendar_periods: true,
            warning: WarningConfig::default(),
        }
    }
}

impl ProcedureConfig {
    /// The settings still marked unverified, as (field, source) pairs, for
    /// the screen that says which Chongqing rules are defaults.
    pub fn unverified(&self) -> Vec<(&'static str, &str)> {
        let days: [(&'static str, &Setting<u32>); 4] = [
            ("filing_working_days", &self.filing_working_days),
            ("statement_working_days", &self.statement_working_days),
            ("legal_review_working_days", &self.legal_review_working_days),
            ("decision_extension_days", &self.decision_extension_days),
        ];
        let mut list: Vec<(&'static str, &str)> = days
            .iter()
            .filter(|(_, s)| !s.verified)
            .map(|(n, s)| (*n, s.source.as_str()))
            .collect();
        for (n, s) in [
            (
                "hearing_threshold_citizen_fen",
                &self.hearing_threshold_citizen_fen,
            ),
            (
                "hearing_threshold_organisation_fen",
                &self.hearing_threshold_organisation_fen,
            ),
        ] {
            if !s.verified {
                list.push((n, s.source.as_str()));
            }
        }
        if let Some(p) = &self.publication_working_days
            && !p.verified
        {
            list.push(("publication_working_days", p.source.as_str()));
        }
        list
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_section_gives_the_research_defaults_all_unverified() {
        let c: ProcedureConfig = serde_json::from_str("{}").unwrap();
        assert_eq!(c, ProcedureConfig::default());
        assert_eq!(c.filing_working_days.value, 15);
        assert_eq!(c.hearing_threshold_citizen_fen.value, 500_000);
        assert!(!c.hearing_threshold_organisation_fen.verified);
        let names: Vec<_> = c.unverified().into_iter().map(|(n, _)| n).collect();
        assert!(names.contains(&"filing_working_days"));
        assert!(names.contains(&"statement_working_days"));
        assert!(names.contains(&"hearing_threshold_citizen_fen"));
    }

    #[test]
    fn a_verified_value_overrides_and_leaves_the_list() {
        let c: ProcedureConfig = serde_json::from_str(
            r#"{"filing_working_days": {"value": 10, "verified": true, "source": "渝某某令"}}"#,
        )
        .unwrap();
        assert_eq!(c.filing_working_days.value, 10);
        assert_eq!(c.statement_working_days.value, 5);
        assert!(
            !c.unverified()
                .iter()
                .any(|(n, _)| *n == "filing_working_days")
        );
    }

    #[test]
    fn unknown_fields_are_refused() {
        assert!(serde_json::from_str::<ProcedureConfig>(r#"{"filing_days": 3}"#).is_err());
    }
}
