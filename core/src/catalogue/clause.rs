//! The penalty clause (罚则) of a matter as data: one or more **bands**, each
//! with the parties it applies to, the kinds of penalty it imposes (each
//! mandatory 并处 or optional 可以并处), its fine as a range, a set of fixed
//! amounts or a multiple of a base, and the **preconditions** the case must
//! attest before the band may be used (逾期未改正, 拒不改正, 情节严重, 再次违法).
//!
//! Format `zhifa-catalogue/2` carries a [`Clause`] on every matter that
//! imposes a penalty. Format 1 packages carried one `statutory` range and a
//! `correction_first` flag; [`Clause::from_legacy`] converts them into a
//! clause (the flag becomes a [`Precondition::NotCorrectedByDeadline`] on
//! the fine) or refuses where a conversion would be wrong.
//!
//! Worked examples from real clauses are in `schema/catalogue/README.md`.

use std::borrow::Cow;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::model::{FineRange, LevelPenalty, Matter};

/// A fact the case must attest before a band may be used.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Precondition {
    /// 逾期未改正: an order to correct (责令限期改正) was served and its
    /// deadline passed on the decision date without correction.
    NotCorrectedByDeadline,
    /// 拒不改正: the party refused to correct when ordered.
    RefusedToCorrect,
    /// 情节严重: the facts that make the case serious are recorded.
    Serious,
    /// 再次违法 / 多次违法: a repeat violation.
    Repeat,
}

impl Precondition {
    /// Every precondition, in a fixed order.
    pub const ALL: [Self; 4] = [
        Self::NotCorrectedByDeadline,
        Self::RefusedToCorrect,
        Self::Serious,
        Self::Repeat,
    ];

    /// The stable snake_case code used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotCorrectedByDeadline => "not_corrected_by_deadline",
            Self::RefusedToCorrect => "refused_to_correct",
            Self::Serious => "serious",
            Self::Repeat => "repeat",
        }
    }

    /// The words shown to officers.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::NotCorrectedByDeadline => "逾期未改正",
            Self::RefusedToCorrect => "拒不改正",
            Self::Serious => "情节严重",
            Self::Repeat => "再次违法",
        }
    }
}

/// A kind of administrative penalty (行政处罚法 Art. 9), as a clause imposes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SanctionKind {
    /// 警告 (Art. 9(一)).
    Warning,
    /// 通报批评 (Art. 9(一)).
    NoticeOfCriticism,
    /// 罚款 (Art. 9(二)).
    Fine,
    /// 没收违法所得 (Art. 9(二)).
    ConfiscateIllegalGains,
    /// 没收非法财物 (Art. 9(二)), e.g. 没收烧烤工具.
    ConfiscateIllegalProperty,
    /// 暂扣许可证件 / 降低资质等级 (Art. 9(三)).
    SuspendPermit,
    /// 吊销许可证件 (Art. 9(三)).
    RevokePermit,
    /// 限制开展生产经营活动、责令停产停业 (Art. 9(四)).
    SuspendProduction,
    /// 责令关闭、限制从业 (Art. 9(四)).
    OrderClosure,
    /// 行政拘留 (Art. 9(五)): only the public security organs decide it
    /// (Art. 18 ¶3), never a township.
    Detention,
}

impl SanctionKind {
    /// The stable snake_case code used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Warning => "warning",
            Self::NoticeOfCriticism => "notice_of_criticism",
            Self::Fine => "fine",
            Self::ConfiscateIllegalGains => "confiscate_illegal_gains",
            Self::ConfiscateIllegalProperty => "confiscate_illegal_property",
            Self::SuspendPermit => "suspend_permit",
            Self::RevokePermit => "revoke_permit",
            Self::SuspendProduction => "suspend_production",
            Self::OrderClosure => "order_closure",
            Self::Detention => "detention",
        }
    }

    /// The words shown to officers.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Warning => "警告",
            Self::NoticeOfCriticism => "通报批评",
            Self::Fine => "罚款",
            Self::ConfiscateIllegalGains => "没收违法所得",
            Self::ConfiscateIllegalProperty => "没收非法财物",
            Self::SuspendPermit => "暂扣许可证件",
            Self::RevokePermit => "吊销许可证件",
            Self::SuspendProduction => "责令停产停业",
            Self::OrderClosure => "责令关闭",
            Self::Detention => "行政拘留",
        }
    }

    /// Whether the kind may be decided on the spot (行政处罚法 Art. 51:
    /// only 警告 or 罚款).
    pub fn simple_procedure_allowed(self) -> bool {
        matches!(self, Self::Warning | Self::Fine)
    }
}

/// The party kinds a band applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ClauseParty {
    /// 公民 (natural persons).
    Individual,
    /// 法人或者其他组织.
    Organization,
}

/// A penalty clause (罚则): its bands, lightest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Clause {
    /// The bands (档次). A band whose preconditions are all attested
    /// supersedes every attested band whose preconditions are a strict
    /// subset of its own ("情节严重的，处…" replaces the ordinary band).
    #[schemars(length(min = 1))]
    pub bands: Vec<Band>,
}

/// One band of a penalty clause.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Band {
    /// Band id, e.g. `B1`; levels point at it. Unique per party kind: the
    /// same tier of a clause with different amounts for individuals and
    /// organisations is two bands with one id ("对个人处…，对单位处…").
    #[schemars(regex(pattern = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$"))]
    pub id: String,
    /// Short name, e.g. `一般`, `情节严重`, `拒不改正`.
    #[schemars(length(min = 1))]
    pub name: String,
    /// The provision (by id) whose words set this band.
    pub provision: String,
    /// The article as decisions and messages cite it, e.g.
    /// `《重庆市市容环境卫生管理条例》第三十九条第一款`. Required in format 2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub article: Option<String>,
    /// The party kinds the band applies to.
    #[schemars(length(min = 1))]
    pub parties: Vec<ClauseParty>,
    /// What the case must attest before the band may be used; empty for
    /// the ordinary band.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub preconditions: Vec<Precondition>,
    /// The facts that make the case serious, in words (for `serious`), as
    /// the clause or the discretion rules state them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub precondition_facts: Option<String>,
    /// The kinds of penalty the band imposes.
    #[schemars(length(min = 1))]
    pub kinds: Vec<ImposedKind>,
    /// The fine, when `kinds` includes `fine`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fine: Option<FineAmount>,
}

impl Band {
    /// Whether the band applies to `party`.
    pub fn applies_to(&self, party: ClauseParty) -> bool {
        self.parties.contains(&party)
    }

    /// The entry for `kind`, if the band imposes it.
    pub fn kind(&self, kind: SanctionKind) -> Option<&ImposedKind> {
        self.kinds.iter().find(|k| k.kind == kind)
    }

    /// The mandatory (并处) kinds.
    pub fn mandatory(&self) -> impl Iterator<Item = SanctionKind> + '_ {
        self.kinds.iter().filter(|k| k.mandatory).map(|k| k.kind)
    }
}

/// A kind of penalty a band imposes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ImposedKind {
    /// The kind.
    pub kind: SanctionKind,
    /// True for 并处 / "处…" (must be imposed), false for 可以并处 / "可以处".
    pub mandatory: bool,
    /// What exactly, in the clause's words (e.g. `没收烧烤工具和违法所得`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// The fine of a band.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum FineAmount {
    /// "…元以上…元以下": any amount in the closed range.
    Range(FineRange),
    /// "处五十元罚款": exactly one of these amounts, in fen.
    Fixed(Vec<i64>),
    /// "违法所得一倍以上五倍以下": a multiple of a base the case attests.
    Multiple(Multiple),
}

impl FineAmount {
    /// The hull of the lawful amounts, given the base for a multiple.
    pub fn hull(&self, base_fen: Option<i64>) -> Option<FineRange> {
        match self {
            Self::Range(r) => Some(*r),
            Self::Fixed(v) => Some(FineRange {
                min_fen: *v.iter().min()?,
                max_fen: *v.iter().max()?,
            }),
            Self::Multiple(m) => m.range(base_fen?),
        }
    }

    /// Whether `fen` is a lawful amount of this band, given the base.
    pub fn allows(&self, fen: i64, base_fen: Option<i64>) -> bool {
        match self {
            Self::Fixed(v) => v.contains(&fen),
            other => other.hull(base_fen).is_some_and(|r| r.contains(fen)),
        }
    }
}

/// "基数的 N 倍以上 M 倍以下", in percent of the base (100 = 一倍).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Multiple {
    /// What the multiple is of.
    pub base: MultipleBase,
    /// Lowest multiple in percent, inclusive.
    pub min_percent: u32,
    /// Highest multiple in percent, inclusive.
    pub max_percent: u32,
}

impl Multiple {
    /// The fine range for a base, rounded inwards to the fen; `None` for a
    /// negative base or an overflow.
    pub fn range(&self, base_fen: i64) -> Option<FineRange> {
        if base_fen < 0 {
            return None;
        }
        let b = i128::from(base_fen);
        // Round the minimum up and the maximum down, so both ends are lawful.
        let lo = (b * i128::from(self.min_percent) + 99) / 100;
        let hi = b * i128::from(self.max_percent) / 100;
        Some(FineRange {
            min_fen: i64::try_from(lo).ok()?,
            max_fen: i64::try_from(hi).ok()?,
        })
    }
}

/// The base of a multiple fine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum MultipleBase {
    /// 违法所得.
    IllegalGains,
    /// 货值金额.
    GoodsValue,
}

impl MultipleBase {
    /// The words shown to officers.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::IllegalGains => "违法所得",
            Self::GoodsValue => "货值金额",
        }
    }
}

/// Why a format 1 matter cannot be converted into a clause.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LegacyError {
    /// A level sets a fine for a party kind with no statutory range.
    #[error("事项{matter}的裁量阶次对{party}规定了罚款，但未载明法定幅度，无法换算为罚则档次")]
    FineWithoutRange {
        /// The matter code.
        matter: String,
        /// The party kind, in Chinese.
        party: &'static str,
    },
}

impl crate::ErrorCode for LegacyError {
    fn code(&self) -> &'static str {
        match self {
            Self::FineWithoutRange { .. } => "LEGACY_FINE_WITHOUT_RANGE",
        }
    }
}

impl Clause {
    /// The bands that apply to `party`, in order.
    pub fn bands_for(&self, party: ClauseParty) -> impl Iterator<Item = &Band> + '_ {
        self.bands.iter().filter(move |b| b.applies_to(party))
    }

    /// The band with `id` for `party`.
    pub fn band_for(&self, id: &str, party: ClauseParty) -> Option<&Band> {
        self.bands
            .iter()
            .find(|b| b.id == id && b.applies_to(party))
    }

    /// The clause of a matter: its own, or the one converted from the
    /// format 1 `statutory` range and `correction_first` flag.
    pub fn of(matter: &Matter) -> Result<Option<Cow<'_, Self>>, LegacyError> {
        if let Some(c) = &matter.clause {
            return Ok(Some(Cow::Borrowed(c)));
        }
        Ok(Self::from_legacy(matter)?.map(Cow::Owned))
    }

    /// Converts a format 1 matter. Per party kind: the warning and 通报批评
    /// any level lists become optional kinds of an ordinary band; the
    /// statutory range becomes an optional fine, in the same band, or —
    /// when `correction_first` — in a band of its own that needs
    /// `not_corrected_by_deadline` (a fine only after an expired order to
    /// correct). `None` when the matter sets no penalty at all.
    pub fn from_legacy(matter: &Matter) -> Result<Option<Self>, LegacyError> {
        let mut bands: Vec<Band> = Vec::new();
        for (party, zh) in [
            (ClauseParty::Individual, "公民"),
            (ClauseParty::Organization, "法人或者其他组织"),
        ] {
            let pens: Vec<&LevelPenalty> = matter
                .levels
                .iter()
                .filter_map(|l| match party {
                    ClauseParty::Individual => l.individual.as_ref(),
                    ClauseParty::Organization => l.organization.as_ref(),
                })
                .collect();
            let range = matter.statutory.as_ref().and_then(|s| match party {
                ClauseParty::Individual => s.individual,
                ClauseParty::Organization => s.organization,
            });
            if range.is_none() && pens.iter().any(|p| p.fine.is_some()) {
                return Err(LegacyError::FineWithoutRange {
                    matter: matter.code.clone(),
                    party: zh,
                });
            }
            let optional = |kind| ImposedKind {
                kind,
                mandatory: false,
                detail: None,
            };
            let mut light = Vec::new();
            if pens.iter().any(|p| p.warning) {
                light.push(optional(SanctionKind::Warning));
            }
            if pens
                .iter()
                .any(|p| p.other.iter().any(|o| o.contains("通报批评")))
            {
                light.push(optional(SanctionKind::NoticeOfCriticism));
            }
            let provision = matter.penalty.first().cloned().unwrap_or_default();
            let mut push = |id: &str,
                            kinds: Vec<ImposedKind>,
                            fine: Option<FineRange>,
                            pre: Vec<Precondition>| {
                if kinds.is_empty() {
                    return;
                }
                let fine = fine.map(FineAmount::Range);
                // Merge with an identical band of the other party kind.
                if let Some(b) = bands.iter_mut().find(|b| {
                    b.id == id && b.kinds == kinds && b.fine == fine && b.preconditions == pre
                }) {
                    b.parties.push(party);
                    return;
                }
                let name = if pre.is_empty() {
                    "一般"
                } else {
                    "逾期未改正"
                };
                bands.push(Band {
                    id: id.to_owned(),
                    name: name.to_owned(),
                    provision: provision.clone(),
                    article: None,
                    parties: vec![party],
                    preconditions: pre,
                    precondition_facts: None,
                    kinds,
                    fine,
                });
            };
            match range {
                Some(r) if matter.correction_first => {
                    push("B1", light, None, Vec::new());
                    push(
                        "B2",
                        vec![optional(SanctionKind::Fine)],
                        Some(r),
                        vec![Precondition::NotCorrectedByDeadline],
                    );
                }
                Some(r) => {
                    light.push(optional(SanctionKind::Fine));
                    push("B1", light, Some(r), Vec::new());
                }
                None => push("B1", light, None, Vec::new()),
            }
        }
        Ok((!bands.is_empty()).then_some(Self { bands }))
    }
}
