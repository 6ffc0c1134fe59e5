//! Request and response types of the no-penalty outcome of a simple-procedure
//! case (`crate::no_penalty`; 行政处罚法 Art. 30, 31, 33), generated into
//! `ui/src/bindings/api.ts` by ts-rs.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Which no-penalty grounds the case offers, with the circumstances the
/// discretion screen has attested so far.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct NoPenaltyOptionsReq {
    /// Case id.
    pub case_id: String,
    /// Circumstance codes attested on the discretion screen.
    pub circumstances: Vec<String>,
}

/// One condition the officer attests for a ground.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct NoPenaltyCondition {
    /// The circumstance code sent back in `attested`.
    pub code: String,
    /// What is attested, in Chinese, citing the article.
    pub label: String,
}

/// One ground of 不予处罚.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct NoPenaltyGround {
    /// `under_14` (Art. 30), `incapacity` (Art. 31), `minor` (Art. 33 ¶1,
    /// first sentence) or `first_violation` (Art. 33 ¶1, second sentence).
    pub code: String,
    /// The ground in a few words (未满十四周岁, 首违不罚 …).
    pub title: String,
    /// The article, in Chinese (行政处罚法第三十条).
    pub article: String,
    /// The article's words.
    pub article_text: String,
    /// The conditions to attest; all must hold.
    pub conditions: Vec<NoPenaltyCondition>,
    /// The order to the guardian as the article words it, when the ground
    /// needs one (Art. 30, 31); `null` otherwise.
    pub guardian_order: Option<String>,
    /// Whether the ground can be chosen for this case.
    pub available: bool,
    /// Why it cannot, in Chinese; `null` when available.
    pub reason: Option<String>,
    /// Whether the law says 可以 (the agency's discretion: 首违不罚) rather
    /// than 不予 (mandatory).
    pub discretionary: bool,
}

/// The no-penalty sheet's content.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct NoPenaltyOptions {
    /// Every ground, in the order of the law.
    pub grounds: Vec<NoPenaltyGround>,
    /// The ground the assessment already finds (`under_14` for a child),
    /// or `null`.
    pub suggested: Option<String>,
    /// Quick texts for the 教育 record (Art. 33 ¶3).
    pub education_phrases: Vec<String>,
}

/// Decide no penalty on a simple-procedure case.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct NoPenaltyReq {
    /// Case id.
    pub case_id: String,
    /// The ground's code (see [`NoPenaltyGround::code`]).
    pub ground: String,
    /// The condition codes the officer attests.
    pub attested: Vec<String>,
    /// The 教育 record (Art. 33 ¶3).
    pub education: String,
    /// The order to the guardian (Art. 30, 31).
    pub guardian_order: Option<String>,
}

/// The recorded no-penalty outcome as the case screens show it.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct NoPenaltyView {
    /// The ground with its article, as recorded.
    pub ground: String,
    /// The 教育 record.
    pub education: String,
    /// The order to the guardian, when the ground needs one.
    pub guardian_order: Option<String>,
    /// When (Beijing, `YYYY-MM-DD HH:MM`).
    pub at: String,
    /// The article the 不予行政处罚决定书 rests on, e.g.
    /// `《中华人民共和国行政处罚法》第三十条`; `null` when the case has no
    /// written decision (recorded before it was made).
    pub decision_article: Option<String>,
    /// The decision's number, when the township numbers them.
    pub decision_number: Option<String>,
    /// Whether the decision was served (signed for or refusal noted).
    pub decision_served: bool,
}
