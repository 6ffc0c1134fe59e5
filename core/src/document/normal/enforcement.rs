//! The 强制执行申请书 (行政强制法 Art. 53–55): a township without the power
//! to enforce applies to the people's court within three months after the
//! remedy periods end (Art. 53), at least ten working days after the
//! 催告书 was served (Art. 54, 69). Art. 55 lists what the application
//! carries — the application itself; the decision with its facts, reasons
//! and basis; the party's opinion and the 催告 given; what is to be
//! enforced; other materials the law requires — and requires the
//! application "由行政机关负责人签名，加盖行政机关的印章，并注明日期"
//! (docs/law/procedure-and-remedies.md, 行政强制法 Art. 55).
//!
//! As everywhere in this module, nothing here decides: the procedure core
//! judged that the application is lawful now, and the amounts (the fine
//! and the Art. 72(一) surcharge as of the application day) were computed
//! by the core's rules before they reach this type.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{amount_capitals_line, amount_figures, numbered};
use crate::document::model::{
    Authority, DocumentKind, Fields, PartyDetails, Printable, date_zh, put,
};

/// 强制执行申请书 (行政强制法 Art. 55).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CourtApplication {
    /// 文书编号.
    pub number: String,
    /// The applying authority.
    pub authority: Authority,
    /// The court applied to (所在地有管辖权的人民法院, Art. 54).
    pub court: String,
    /// The party (被申请人).
    pub party: PartyDetails,
    /// The decision's number.
    pub decision_number: String,
    /// The decision's date.
    pub decided_on: NaiveDate,
    /// The day the decision was served.
    pub served_on: NaiveDate,
    /// (二) The facts the decision found.
    pub facts: String,
    /// (二) The reasons and the basis (articles cited).
    pub basis: Vec<String>,
    /// The penalty decided, in words.
    pub penalty: String,
    /// (三) The party's opinion (陈述申辩, waived, or none given).
    pub party_opinion: String,
    /// (三) The 催告书 served: its day and number.
    pub reminded_on: NaiveDate,
    /// (三) The 催告书's number.
    pub reminder_number: String,
    /// (四) The fine unpaid, fen.
    pub fine_fen: i64,
    /// (四) The surcharge accrued to the application day (行政处罚法
    /// Art. 72(一), capped at the fine by 行政强制法 Art. 45), fen.
    pub surcharge_fen: i64,
    /// The materials attached (Art. 55 (一)–(五)).
    pub materials: Vec<String>,
    /// The 负责人 who signs it (Art. 55 ¶2).
    pub head: String,
    /// The date of the application (Art. 55 ¶2 "注明日期").
    pub date: NaiveDate,
}

impl Printable for CourtApplication {
    fn kind(&self) -> DocumentKind {
        DocumentKind::CourtApplication
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
        put(f, "court", &self.court);
        self.party.fill(f, mask_id);
        put(
            f,
            "decision",
            &format!(
                "本机关于{}作出《行政处罚决定书》（{}），决定：{}。该决定书于{}送达当事人。",
                date_zh(self.decided_on),
                self.decision_number,
                self.penalty,
                date_zh(self.served_on)
            ),
        );
        put(f, "facts", &self.facts);
        put(f, "basis", &self.basis.join("、"));
        put(f, "party_opinion", &self.party_opinion);
        put(
            f,
            "reminder",
            &format!(
                "本机关于{}向当事人送达《催告书》（{}），催告书送达十日后当事人仍未履行义务（《中华人民共和国行政强制法》第五十四条）。",
                date_zh(self.reminded_on),
                self.reminder_number
            ),
        );
        put(
            f,
            "remedy",
            "当事人在法定期限内未申请行政复议或者提起行政诉讼，又不履行行政决定（《中华人民共和国行政强制法》第五十三条）。",
        );
        let total = self.fine_fen.saturating_add(self.surcharge_fen);
        put(f, "amount_figures", &amount_figures(total));
        put(f, "amount_capitals", &amount_capitals_line(total));
        put(
            f,
            "amount_detail",
            &format!(
                "其中罚款{}，截至{}加处罚款{}",
                amount_figures(self.fine_fen),
                date_zh(self.date),
                amount_figures(self.surcharge_fen)
            ),
        );
        put(f, "materials", &numbered(&self.materials));
        put(f, "head", &self.head);
        put(f, "date", &date_zh(self.date));
    }
}

/// The materials Art. 55 (一)–(五) lists, as a township attaches them.
pub fn court_materials() -> Vec<String> {
    [
        "强制执行申请书",
        "行政处罚决定书及作出决定的事实、理由和依据（调查终结报告、证据材料）",
        "当事人的陈述、申辩意见及催告书、送达回证",
        "申请强制执行标的情况",
        "法律、行政法规规定的其他材料",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect()
}
