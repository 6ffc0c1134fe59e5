//! Request and response types of the officer's normal-procedure commands
//! (`crate::normal`), generated into `ui/src/bindings/api.ts` by ts-rs.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::dto::PartyInput;

/// One normal-procedure case.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct NormalReq {
    /// Case id.
    pub case_id: String,
}

/// 案源登记: a new normal-procedure case in the officer's township.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct NormalNewReq {
    /// The catalogue matter code.
    pub matter_code: String,
    /// The party.
    pub party: PartyInput,
    /// Where.
    pub place: String,
    /// The facts as found.
    pub facts: String,
    /// The second officer (the signed-in officer is the first; Art. 42).
    pub partner: String,
    /// Where the case comes from (巡查, 投诉举报, 移送, 交办 …).
    pub source: String,
    /// 违法时间 (Beijing, `YYYY-MM-DDTHH:MM`); default now.
    #[serde(default)]
    #[ts(optional)]
    pub violation_time: Option<String>,
}

/// 转普通程序 of a simple-procedure case.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct NormalFromCaseReq {
    /// The simple-procedure case.
    pub case_id: String,
}

/// An officer's step (the others are the centre's).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum OfficerStep {
    /// 调查取证: a record or evidence (Art. 54, 55).
    Investigate {
        /// What, e.g. `询问笔录`.
        act: String,
        /// The record's or evidence's SHA-256.
        #[serde(default)]
        #[ts(optional)]
        document: Option<String>,
    },
    /// Ask the 负责人 at once to approve a 先行登记保存 (Art. 56).
    RequestSave {
        /// What is to be preserved.
        items: String,
        /// Why the evidence may be lost or hard to obtain later.
        reason: String,
    },
    /// 调查终结 with the proposal (Art. 57): a fine in fen, or none for
    /// 轻微不予处罚.
    EndInvestigation {
        /// The proposed fine, fen.
        #[serde(default)]
        #[ts(optional)]
        fine_fen: Option<i64>,
        /// Art. 58 grounds found (`public_interest`, `major_rights`, `complex`).
        #[serde(default)]
        review_grounds: Vec<String>,
        /// 情节复杂或者重大违法行为 (Art. 57 ¶2).
        #[serde(default)]
        complex_or_major: bool,
    },
    /// 事先告知 (Art. 44), with the hearing right where it applies (Art. 63).
    Inform {
        /// The fine told, fen.
        fine_fen: i64,
        /// The facts.
        facts: String,
        /// The reasons.
        reasons: String,
        /// The legal basis.
        basis: Vec<String>,
        /// Whether the 听证 right was told.
        hearing_offered: bool,
    },
    /// 陈述申辩 heard and reviewed (Art. 45).
    HearStatement {
        /// The 复核.
        review: String,
        /// Whether adopted.
        adopted: bool,
    },
    /// The party waives in writing (Art. 62).
    Waive {
        /// 陈述申辩.
        statement: bool,
        /// 听证.
        hearing: bool,
    },
    /// The party asks for a hearing (Art. 64(一)).
    RequestHearing,
    /// 送达 (Art. 61): `on_the_spot`, `direct`, `left_at_address`, `post`,
    /// `electronic` (with the signed 电子送达确认书 as its record).
    Serve {
        /// How.
        method: String,
    },
    /// The payment confirmed (Art. 67).
    ConfirmPayment {
        /// The amount paid, fen.
        amount_fen: i64,
    },
    /// 催告书 served (行政强制法 Art. 35, 54).
    Remind,
}

/// One step of an officer's step request.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct NormalStepReq {
    /// Case id.
    pub case_id: String,
    /// The step.
    pub step: OfficerStep,
    /// The record written with it (询问笔录, 陈述申辩笔录, 送达回证,
    /// 电子送达确认书), rendered into the case's documents.
    #[serde(default)]
    #[ts(optional)]
    pub record: Option<OfficerRecordInput>,
}

/// A party's signature on a record: `signed` (name and the PNG drawn on
/// the screen) or `refused` (the circumstances, a witness if any).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct SignatureInput {
    /// `signed` or `refused`.
    pub kind: String,
    /// The signer's name (signed).
    #[serde(default)]
    #[ts(optional)]
    pub signer_name: Option<String>,
    /// The signature as PNG, base64 (signed).
    #[serde(default)]
    #[ts(optional)]
    pub signature_png_base64: Option<String>,
    /// Why the party refused (refused).
    #[serde(default)]
    #[ts(optional)]
    pub refusal_reason: Option<String>,
    /// A witness (见证人, refused).
    #[serde(default)]
    #[ts(optional)]
    pub witness: Option<String>,
}

/// One item of a 先行登记保存 清单.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct PreservedItemInput {
    /// 名称.
    pub name: String,
    /// 规格.
    #[serde(default)]
    #[ts(optional)]
    pub spec: Option<String>,
    /// 数量 with its unit.
    pub quantity: String,
}

/// One question and its answer in a 询问笔录.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct QaInput {
    /// 问.
    pub question: String,
    /// 答.
    pub answer: String,
}

/// What the officer writes down with a step. Times are Beijing,
/// `YYYY-MM-DDTHH:MM`.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(tag = "record", rename_all = "snake_case")]
pub enum OfficerRecordInput {
    /// 询问笔录 (行政处罚法 Art. 55), with 调查取证.
    Interview {
        /// Start.
        start: String,
        /// End.
        end: String,
        /// Where.
        place: String,
        /// The interviewee's relation (`当事人本人`, `法定代表人` …).
        relation: String,
        /// The questions and answers.
        qa: Vec<QaInput>,
        /// The interviewee's signature on every page, or the refusal.
        signature: SignatureInput,
    },
    /// 陈述申辩笔录 (Art. 45), with 陈述申辩及复核.
    Statement {
        /// Start.
        start: String,
        /// End.
        end: String,
        /// Where.
        place: String,
        /// What the party said.
        statement: String,
        /// Evidence offered.
        #[serde(default)]
        #[ts(optional)]
        evidence_offered: Option<String>,
        /// The party's signature, or the refusal.
        signature: SignatureInput,
    },
    /// 送达回证 (民事诉讼法 Art. 87, 89), with 送达 in person.
    ServiceReceipt {
        /// Where.
        place: String,
        /// When received.
        received_at: String,
        /// 代收人 and relation, if not the party.
        #[serde(default)]
        #[ts(optional)]
        proxy: Option<String>,
        /// The signature, or the refusal.
        signature: SignatureInput,
    },
    /// 现场检查（勘验）笔录 (Art. 55), with 调查取证.
    Inspection {
        /// Start.
        start: String,
        /// End.
        end: String,
        /// Where.
        place: String,
        /// 在场人 if not the party.
        #[serde(default)]
        #[ts(optional)]
        present_person: Option<String>,
        /// 见证人.
        #[serde(default)]
        #[ts(optional)]
        witness: Option<String>,
        /// 检查情况及结果.
        findings: String,
        /// The party's signature, or the refusal.
        signature: SignatureInput,
    },
    /// 先行登记保存证据通知书及清单 (Art. 56), with 调查取证 once approved.
    Preservation {
        /// The items.
        items: Vec<PreservedItemInput>,
        /// 保存地点.
        storage_place: String,
        /// The party's signature, or the refusal.
        signature: SignatureInput,
    },
    /// 电子送达确认书 (Art. 61 ¶2), with an electronic 送达.
    ServiceConsent {
        /// The channels agreed (`短信 138…` …).
        channels: Vec<String>,
        /// The documents it covers.
        scope: String,
        /// The party's signature.
        signature: SignatureInput,
    },
}

/// A document the device made for a case.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct NormalDocView {
    /// The title, e.g. `询问笔录`.
    pub title: String,
    /// Its number, if it has one.
    pub number: Option<String>,
    /// SHA-256 of the PDF.
    pub sha256: String,
    /// `待同步` or `已同步`.
    pub status: String,
}

/// A step as the officer sees it.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct NormalStepView {
    /// The step in Chinese.
    pub label: String,
    /// The actor's role in Chinese.
    pub role: String,
    /// The actor.
    pub actor: String,
    /// When (RFC 3339).
    pub at: String,
    /// The articles.
    pub basis: String,
    /// 待同步 / 中心已接收 / 中心退回 / 中心作出.
    pub status: String,
    /// The centre's reason for a refused step (naming the article).
    pub message: Option<String>,
}

/// An open clock.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct NormalClockView {
    /// The clock in Chinese.
    pub label: String,
    /// Its last day (`YYYY-MM-DD`).
    pub due: String,
    /// The articles.
    pub basis: String,
    /// `normal`, `yellow`, `red`.
    pub level: String,
    /// A waiting period rather than a deadline.
    pub waiting: bool,
    /// Its length is a township setting Chongqing has not published: the
    /// research's default, shown as such.
    pub unverified: bool,
}

/// A normal-procedure case.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct NormalView {
    /// Case id.
    pub case_id: String,
    /// S0–S18.
    pub stage: String,
    /// The stage in Chinese.
    pub stage_label: String,
    /// The centre's act it waits for (待审批).
    pub waiting_for: Option<String>,
    /// The party.
    pub party_name: String,
    /// The matter.
    pub matter_name: String,
    /// Where.
    pub place: String,
    /// The facts.
    pub facts: String,
    /// The decision's number, once decided.
    pub decision_number: Option<String>,
    /// The fine told, fen.
    pub told_fine_fen: Option<i64>,
    /// The fine the 负责人 approved (or, before that, proposed), fen.
    pub proposed_fine_fen: Option<i64>,
    /// Whether the hearing right was told.
    pub hearing_offered: bool,
    /// Every step, in time order.
    pub steps: Vec<NormalStepView>,
    /// The open clocks.
    pub clocks: Vec<NormalClockView>,
    /// The officer's steps it may take next (request names).
    pub next: Vec<String>,
    /// The documents the device made for it, oldest first.
    pub documents: Vec<NormalDocView>,
}

/// A case in the officer's list.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct NormalSummary {
    /// Case id.
    pub case_id: String,
    /// S0–S18.
    pub stage: String,
    /// The stage in Chinese.
    pub stage_label: String,
    /// 待审批.
    pub waiting_for: Option<String>,
    /// The party, masked.
    pub party_name: String,
    /// The matter.
    pub matter_name: String,
    /// The nearest deadline.
    pub nearest: Option<NormalClockView>,
}
