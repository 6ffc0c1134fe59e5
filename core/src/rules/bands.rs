//! Judging a proposed penalty against the matter's penalty clause (罚则):
//! which bands the case may use, and whether the proposal keeps to one.
//!
//! A band is **usable** when every precondition it names is attested
//! (逾期未改正, 拒不改正, 情节严重 with its facts, 再次违法) and no other
//! usable band of the party kind needs strictly more (the aggravated band
//! of "情节严重的，处…" replaces the ordinary one). A proposal is lawful when
//! it fits one usable band: every kind it imposes is a kind of the band,
//! every mandatory (并处) kind is imposed, and the fine is in the band's
//! range, one of its fixed amounts, or within the multiple of the attested
//! base. Where a lighter or reduced penalty is mandatory (行政处罚法
//! Art. 30 minors 14–17, Art. 32) a mandatory kind may be dropped and the
//! fine may go below the band (减轻) — but a statutory precondition is
//! never waived, and neither is it by a reasoned deviation.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::catalogue::model::{
    Band, Clause, ClauseParty, FineAmount, FineRange, Precondition, SanctionKind,
};
use crate::money::format_yuan as yuan;

use super::assess::{AssessError, AssessInput, PartyKind, ProposedPenalty};

/// One band of the matter's clause for the party kind, as the officer sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BandAssessment {
    /// Band id, e.g. `B2`.
    pub id: String,
    /// Band name, e.g. `情节严重`.
    pub name: String,
    /// The preconditions the band needs.
    pub preconditions: Vec<Precondition>,
    /// Those not attested.
    pub missing: Vec<Precondition>,
    /// Whether the case may use the band (all attested, not superseded).
    pub usable: bool,
    /// The kinds that must be imposed (并处).
    pub mandatory: Vec<SanctionKind>,
    /// The kinds that may be imposed (可以并处).
    pub optional: Vec<SanctionKind>,
    /// The hull of the lawful fines (for a multiple, with the attested base).
    pub fine: Option<FineRange>,
    /// For a fixed-amount band, the only lawful amounts.
    pub fixed_fen: Option<Vec<i64>>,
    /// Why it is or is not usable, in Chinese.
    pub reason: String,
}

/// The preconditions the input validly attests; an attestation that lacks
/// what the law needs with it is reported and not counted.
pub(crate) fn attested(
    input: &AssessInput,
    errors: &mut Vec<AssessError>,
) -> BTreeSet<Precondition> {
    let mut set = BTreeSet::new();
    for &p in &input.attested {
        match p {
            Precondition::Serious
                if input
                    .serious_facts
                    .as_deref()
                    .is_none_or(|f| f.trim().is_empty()) =>
            {
                errors.push(AssessError::SeriousFactsMissing);
            }
            Precondition::NotCorrectedByDeadline => {
                match (input.correction_deadline, input.decision_date) {
                    (Some(deadline), Some(decided)) if decided <= deadline => {
                        errors.push(AssessError::CorrectionDeadlineNotPassed { deadline, decided });
                    }
                    _ => {
                        set.insert(p);
                    }
                }
            }
            p => {
                set.insert(p);
            }
        }
    }
    set
}

/// The clause's party kind for an assessment party kind.
pub(crate) fn party(kind: PartyKind) -> ClauseParty {
    match kind {
        PartyKind::Individual => ClauseParty::Individual,
        PartyKind::Organization => ClauseParty::Organization,
    }
}

fn missing(band: &Band, att: &BTreeSet<Precondition>) -> Vec<Precondition> {
    band.preconditions
        .iter()
        .copied()
        .filter(|p| !att.contains(p))
        .collect()
}

/// Whether `band` is superseded by another usable band of the party that
/// needs strictly more preconditions.
fn superseded_by<'a>(
    clause: &'a Clause,
    band: &Band,
    who: ClauseParty,
    att: &BTreeSet<Precondition>,
) -> Option<&'a Band> {
    let own: BTreeSet<_> = band.preconditions.iter().copied().collect();
    clause.bands_for(who).find(|b| {
        let other: BTreeSet<_> = b.preconditions.iter().copied().collect();
        missing(b, att).is_empty() && own.is_subset(&other) && own.len() < other.len()
    })
}

fn fmt_pre(p: &[Precondition]) -> String {
    p.iter()
        .map(|p| p.label_zh())
        .collect::<Vec<_>>()
        .join("、")
}

/// Every band of the clause for the party, with its usability.
pub(crate) fn band_views(
    clause: &Clause,
    who: ClauseParty,
    att: &BTreeSet<Precondition>,
    base_fen: Option<i64>,
) -> Vec<BandAssessment> {
    clause
        .bands_for(who)
        .map(|b| {
            let miss = missing(b, att);
            let sup = superseded_by(clause, b, who, att);
            let usable = miss.is_empty() && sup.is_none();
            let reason = match (&miss[..], sup) {
                ([], None) if b.preconditions.is_empty() => "无须特别前提".to_owned(),
                ([], None) => format!("前提已证明：{}", fmt_pre(&b.preconditions)),
                ([], Some(s)) => format!(
                    "已证明{}，应适用档次{}（{}）",
                    fmt_pre(&s.preconditions),
                    s.id,
                    s.name
                ),
                (m, _) => format!("须先证明：{}", fmt_pre(m)),
            };
            BandAssessment {
                id: b.id.clone(),
                name: b.name.clone(),
                preconditions: b.preconditions.clone(),
                missing: miss,
                usable,
                mandatory: b.mandatory().collect(),
                optional: b
                    .kinds
                    .iter()
                    .filter(|k| !k.mandatory)
                    .map(|k| k.kind)
                    .collect(),
                fine: b.fine.as_ref().and_then(|f| f.hull(base_fen)),
                fixed_fen: match &b.fine {
                    Some(FineAmount::Fixed(v)) => Some(v.clone()),
                    _ => None,
                },
                reason,
            }
        })
        .collect()
}

/// The hull of the fines of the usable bands: the lawful range before any
/// Art. 30/32 lighter penalty.
pub(crate) fn usable_range(views: &[BandAssessment]) -> Option<FineRange> {
    views
        .iter()
        .filter(|v| v.usable)
        .filter_map(|v| v.fine)
        .reduce(|a, b| FineRange {
            min_fen: a.min_fen.min(b.min_fen),
            max_fen: a.max_fen.max(b.max_fen),
        })
}

/// What [`check`] needs beyond the proposal.
pub(crate) struct ClauseCx<'a> {
    pub clause: &'a Clause,
    pub who: ClauseParty,
    pub party_zh: &'static str,
    pub attested: &'a BTreeSet<Precondition>,
    pub base_fen: Option<i64>,
    /// A lighter or reduced penalty is mandatory (Art. 30, 32).
    pub mitigated: bool,
    /// The lighter range for a band's hull (see `assess::lighter_range`).
    pub lighter: &'a dyn Fn(FineRange) -> FineRange,
    /// The article the clause is in, e.g. `《…》第39条第1款`.
    pub cite: &'a dyn Fn(&Band) -> String,
}

/// Judges `p` against the clause: `Ok(band id)` when it fits a usable band,
/// otherwise the problems with the band it comes nearest to.
pub(crate) fn check(p: &ProposedPenalty, cx: &ClauseCx<'_>) -> Result<String, Vec<AssessError>> {
    let candidates: Vec<&Band> = match &p.band {
        Some(id) => match cx.clause.band_for(id, cx.who) {
            Some(b) => vec![b],
            None => {
                return Err(vec![AssessError::BandUnknown {
                    band: id.clone(),
                    party: cx.party_zh,
                }]);
            }
        },
        None => cx.clause.bands_for(cx.who).collect(),
    };
    if candidates.is_empty() {
        return Err(vec![AssessError::KindNotProvided {
            kind: p.kind.sanction().label_zh(),
            party: cx.party_zh,
        }]);
    }
    let mut best: Option<(usize, bool, Vec<AssessError>)> = None;
    for b in candidates {
        let errs = band_problems(p, b, cx);
        if errs.is_empty() {
            return Ok(b.id.clone());
        }
        // The band's shape does not fit (a kind it lacks, an amount outside it).
        let amount_issue = errs.iter().any(|e| {
            matches!(
                e,
                AssessError::OutOfRange { .. }
                    | AssessError::AmountNotFixed { .. }
                    | AssessError::KindNotInClause { .. }
            )
        });
        // Fewest problems first; on a tie, a band the proposal fits in shape
        // (so the officer learns which precondition it needs).
        let better = best.as_ref().is_none_or(|(n, amt, _)| {
            errs.len() < *n || (errs.len() == *n && *amt && !amount_issue)
        });
        if better {
            best = Some((errs.len(), amount_issue, errs));
        }
    }
    Err(best.map(|(_, _, e)| e).unwrap_or_default())
}

fn band_problems(p: &ProposedPenalty, b: &Band, cx: &ClauseCx<'_>) -> Vec<AssessError> {
    let mut errs = Vec::new();
    let article = (cx.cite)(b);
    let miss = missing(b, cx.attested);
    if !miss.is_empty() {
        let only_correction = miss.iter().all(|m| {
            matches!(
                m,
                Precondition::NotCorrectedByDeadline | Precondition::RefusedToCorrect
            )
        });
        if only_correction
            && b.kind(SanctionKind::Fine).is_some()
            && p.kinds().contains(&SanctionKind::Fine)
        {
            errs.push(AssessError::CorrectionOrderRequired {
                article: article.clone(),
                needs: fmt_pre(&miss),
            });
        } else {
            errs.push(AssessError::PreconditionNotAttested {
                band: format!("{}（{}）", b.id, b.name),
                article: article.clone(),
                needs: fmt_pre(&miss),
            });
        }
    } else if let Some(s) = superseded_by(cx.clause, b, cx.who, cx.attested) {
        errs.push(AssessError::BandSuperseded {
            band: format!("{}（{}）", b.id, b.name),
            heavier: format!("{}（{}）", s.id, s.name),
            article: article.clone(),
        });
    }
    let kinds = p.kinds();
    for k in &kinds {
        // A warning in place of a heavier kind is a reduced penalty (减轻),
        // lawful where one is mandatory (❓ whether 减轻 may change the kind).
        let lighter_warning = *k == SanctionKind::Warning && cx.mitigated;
        if b.kind(*k).is_none() && !lighter_warning {
            errs.push(AssessError::KindNotInClause {
                kind: k.label_zh(),
                party: cx.party_zh,
                article: article.clone(),
            });
        }
    }
    if !cx.mitigated {
        for m in b.mandatory().filter(|m| !kinds.contains(m)) {
            errs.push(AssessError::MandatoryKindMissing {
                kind: m.label_zh(),
                article: article.clone(),
            });
        }
    }
    if let (Some(fen), Some(fine)) = (
        p.amount_fen.filter(|_| kinds.contains(&SanctionKind::Fine)),
        &b.fine,
    ) {
        amount_problems(fen, fine, cx, &article, &mut errs);
    }
    errs
}

fn amount_problems(
    fen: i64,
    fine: &FineAmount,
    cx: &ClauseCx<'_>,
    article: &str,
    errs: &mut Vec<AssessError>,
) {
    match fine {
        FineAmount::Fixed(set) if !cx.mitigated => {
            if !set.contains(&fen) {
                errs.push(AssessError::AmountNotFixed {
                    amount: yuan(fen),
                    allowed: set.iter().map(|a| yuan(*a)).collect::<Vec<_>>().join("或"),
                    article: article.to_owned(),
                });
            }
        }
        FineAmount::Multiple(m) if cx.base_fen.is_none() => {
            errs.push(AssessError::BaseMissing {
                base: m.base.label_zh(),
                article: article.to_owned(),
            });
        }
        f => {
            let Some(hull) = f.hull(cx.base_fen) else {
                errs.push(AssessError::RangeUnknown { party: cx.party_zh });
                return;
            };
            let r = if cx.mitigated {
                (cx.lighter)(hull)
            } else {
                hull
            };
            if !r.contains(fen) {
                errs.push(AssessError::OutOfRange {
                    amount: yuan(fen),
                    party: cx.party_zh,
                    min: yuan(r.min_fen),
                    max: yuan(r.max_fen),
                });
            }
        }
    }
}

/// Kinds in the proposal or the band's mandatory kinds that the simple
/// procedure cannot take (行政处罚法 Art. 51: only 警告 or 罚款).
pub(crate) fn not_simple(kinds: impl IntoIterator<Item = SanctionKind>) -> Vec<SanctionKind> {
    let mut v: Vec<SanctionKind> = Vec::new();
    for k in kinds {
        if !k.simple_procedure_allowed() && !v.contains(&k) {
            v.push(k);
        }
    }
    v
}
