//! Configuration for the rules that are not settled law.
//!
//! The legal research (docs/law/README.md) marks each fact it gives as verified in the statute (✅), read
//! only in a secondary source (🟡) or unverified (❓). The engine hard-codes
//! only ✅ facts, each beside its article. Everything else is a field of
//! [`RulesConfig`]: the default is the value the research (docs/law/) reports, or, where it
//! reports none, the reading most favourable to the party, and the field's
//! documentation says which source it rests on. A deployment overrides a
//! field once the official document has been checked.
//!
//! The struct deserialises with every field optional, so a configuration
//! file only names what it changes.

use serde::{Deserialize, Serialize};

/// The configurable rules, with defaults documented per field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RulesConfig {
    /// The fine, in fen, from which a citizen has the right to a hearing
    /// (较大数额罚款, 行政处罚法 Art. 63). Default 500,000 fen = 5,000 元,
    /// from 重庆市行政处罚听证程序规定 (渝府令第354号, in force 2023-03-01),
    /// 🟡: read only in two news reports.
    pub hearing_threshold_individual_fen: i64,
    /// The fine, in fen, from which a legal person or other organisation has
    /// the right to a hearing. Default 5,000,000 fen = 50,000 元, same
    /// source and status as the citizen threshold (🟡).
    pub hearing_threshold_organization_fen: i64,
    /// Words in a level's other penalties (`LevelPenalty::other`) that make
    /// the penalty one of the heavy kinds of 行政处罚法 Art. 63 (licence
    /// revoked, production stopped, business closed, practice restricted),
    /// which always carry the right to a hearing. Matching is by substring.
    /// Default: `吊销`, `降低资质等级`, `责令停产停业`, `责令关闭`,
    /// `限制从业`. Confiscation (没收) is left out because Art. 63 needs a
    /// *large* amount, which the text does not give (❓ Chongqing sets the
    /// amount with the fine thresholds above).
    pub hearing_penalty_keywords: Vec<String>,
    /// Whether a calendar period (the 15-day payment period of Art. 67)
    /// whose last day is a rest day ends on the next working day instead.
    /// 民事诉讼法 Art. 85 says so for its own periods; applying it to the
    /// payment period is ❓ (docs/law/README.md, open question 9). Default `true`: the later due
    /// date never charges the party a surcharge the stricter reading would
    /// not.
    pub roll_period_end_off_rest_day: bool,
    /// Whether a person reaches an age (周岁) only on the day after the
    /// birthday, as the criminal-law interpretation on minors counts it
    /// (最高人民法院关于审理未成年人刑事案件具体应用法律若干问题的解释
    /// Art. 2: "从周岁生日的第二天起算"). Whether administrative penalties
    /// count the same way is ❓. Default `true`: on the 14th or 18th
    /// birthday itself the party is still treated as younger, which is the
    /// reading favourable to the party (行政处罚法 Art. 30).
    pub age_from_day_after_birthday: bool,
    /// Where a lighter penalty (从轻) is mandatory (行政处罚法 Art. 30 for
    /// minors aged 14–17, Art. 32), the upper bound of the lawful fine is the
    /// statutory minimum plus this percentage of the statutory span
    /// (rounded down to the fen). Default 50: "从轻 = below the middle of
    /// the range", a common provincial definition; Chongqing's own
    /// definition in 渝府令第355号 was not read (❓, docs/law/README.md).
    pub lighter_upper_percent: u32,
    /// Substrings of a matter's `domain` that mark an entrusted matter as
    /// road traffic, for which 道路交通安全法 Art. 107 (warning or a fine of
    /// at most 200 元 for any party) replaces the simple-procedure limits of
    /// 行政处罚法 Art. 51. Default: `交通`.
    pub traffic_domain_markers: Vec<String>,
    /// Whether every normal-procedure penalty decision needs legal review
    /// (法制审核). 行政处罚法 Art. 58 requires it only in the cases it
    /// lists; a Chongqing list of 重大执法决定 was not found (❓). Default
    /// `false`.
    pub legal_review_every_normal_procedure: bool,
    /// The district or county (区县) whose government reconsiders the
    /// township's decisions (行政复议法 2023 Art. 24), used when the input
    /// names none, e.g. `渝北区`.
    pub district: Option<String>,
    /// The court named in the normal-procedure remedy clause. Chongqing's
    /// centralised jurisdiction for administrative cases was not checked
    /// (❓, docs/law/README.md); the default `None` prints the generic
    /// "人民法院".
    pub court: Option<String>,
    /// Whether a citizen ID whose first two digits are not a known
    /// province-level code (GB/T 2260, plus 83 for Taiwan residents'
    /// residence permits and 9 for foreigners' permanent-residence cards) is
    /// rejected. docs/law/identity.md gives the list from memory (❓); the table here is
    /// the published GB/T 2260 province list. Default `true`.
    pub reject_unknown_province: bool,
}

impl Default for RulesConfig {
    fn default() -> Self {
        Self {
            hearing_threshold_individual_fen: 500_000,
            hearing_threshold_organization_fen: 5_000_000,
            hearing_penalty_keywords: [
                "吊销",
                "降低资质等级",
                "责令停产停业",
                "责令关闭",
                "限制从业",
            ]
            .map(String::from)
            .to_vec(),
            roll_period_end_off_rest_day: true,
            age_from_day_after_birthday: true,
            lighter_upper_percent: 50,
            traffic_domain_markers: vec!["交通".to_owned()],
            legal_review_every_normal_procedure: false,
            district: None,
            court: None,
            reject_unknown_province: true,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_file_gives_the_defaults() {
        let c: RulesConfig = serde_json::from_str("{}").unwrap();
        assert_eq!(c, RulesConfig::default());
    }

    #[test]
    fn a_file_overrides_only_what_it_names() {
        let c: RulesConfig =
            serde_json::from_str(r#"{"hearing_threshold_individual_fen": 300000}"#).unwrap();
        assert_eq!(c.hearing_threshold_individual_fen, 300_000);
        assert_eq!(c.hearing_threshold_organization_fen, 5_000_000);
    }

    #[test]
    fn unknown_fields_are_refused() {
        assert!(serde_json::from_str::<RulesConfig>(r#"{"hearing": 1}"#).is_err());
    }
}
