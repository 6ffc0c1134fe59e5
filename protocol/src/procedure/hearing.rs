//! The content of a hearing's 听证笔录 as the presider records it at
//! `hold_hearing` (行政处罚法 Art. 64(七)(八)); every field has a serde
//! default so that a log written before it was recorded still reads.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What the 听证笔录 records (行政处罚法 Art. 64(七)(八)): who attended, the
/// investigators' case, the party's statement and 质证, and the party's
/// signature or the presider's note of a refusal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct HearingMinutes {
    /// Who attended (主持人, 记录人, 调查人员, 当事人, 委托代理人 …).
    #[serde(default)]
    pub attendees: Vec<String>,
    /// 记录人 (empty: the presider kept the record).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub recorder: String,
    /// The party's agent (Art. 64(五): 当事人可以亲自参加听证，也可以委托
    /// 一至二人代理), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent: Option<String>,
    /// Art. 64(七): the investigators' facts, evidence and proposed penalty.
    #[serde(default)]
    pub investigators_case: String,
    /// Art. 64(七): the party's 申辩.
    #[serde(default)]
    pub party_statement: String,
    /// Art. 64(七): the 质证.
    #[serde(default)]
    pub cross_examination: String,
    /// Art. 64(八): signed by the party or agent, or the refusal noted by
    /// the presider.
    #[serde(default)]
    pub signature: MinutesSignature,
    /// The presider's opinion for the 听证报告 (empty: no report yet).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub opinion: String,
}

/// Art. 64(八): 笔录应当交当事人或者其代理人核对无误后签字或者盖章；当事人
/// 或者其代理人拒绝签字或者盖章的，由听证主持人在笔录中注明.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema, Default)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum MinutesSignature {
    /// Not yet recorded (a log written before the 笔录 was).
    #[default]
    Unrecorded,
    /// Checked and signed (or sealed) by the party or the agent.
    Signed {
        /// Who signed.
        by: String,
    },
    /// Refused; the presider's note.
    Refused {
        /// What the presider noted.
        note: String,
    },
}
