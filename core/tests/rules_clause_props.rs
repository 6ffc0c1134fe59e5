//! Property test of the penalty-clause model (issue 14): for every matter of
//! the sample catalogue and of a synthetic catalogue (multi-band clauses,
//! fixed sets, multiples, preconditions, mandatory kinds), no proposal that
//! `assess` accepts violates its clause — and every proposal the clause
//! allows is accepted. The judge is [`oracle`], written here from the clause
//! data alone (it does not call into `rules::bands` or `assess`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod rules_support;

use std::sync::LazyLock;

use proptest::prelude::*;
use rules_support::*;
use zhifa_core::catalogue::check_package;
use zhifa_core::catalogue::clause::Clause;
use zhifa_core::catalogue::model::{ClauseParty, FineAmount, Matter, Precondition, SanctionKind};
use zhifa_core::catalogue::synth::{SynthOptions, synth};
use zhifa_core::rules::assess::{
    AdditionalPenalty, AssessInput, PartyKind, PenaltyKind, ProposedPenalty,
};
use zhifa_core::rules::{RulesConfig, assess};

const SAMPLE: &[u8] = include_bytes!("../../schema/catalogue/sample/chongqing-sample.json");

/// Every matter with a clause: the sample's and 120 synthetic ones (every shape).
static MATTERS: LazyLock<Vec<Matter>> = LazyLock::new(|| {
    let mut v: Vec<Matter> = check_package(SAMPLE).unwrap().package.matters;
    v.extend(
        synth(&SynthOptions {
            matters: 120,
            townships: 1,
            seed: 3,
        })
        .matters,
    );
    v.retain(|m| m.clause.is_some());
    v
});

const KINDS: [SanctionKind; 9] = [
    SanctionKind::Warning,
    SanctionKind::NoticeOfCriticism,
    SanctionKind::ConfiscateIllegalGains,
    SanctionKind::ConfiscateIllegalProperty,
    SanctionKind::SuspendPermit,
    SanctionKind::RevokePermit,
    SanctionKind::SuspendProduction,
    SanctionKind::OrderClosure,
    SanctionKind::Detention,
];

/// The lawful amounts of a fine, from its words: `None` when no amount is.
fn amount_ok(fine: &FineAmount, fen: i64, base: Option<i64>) -> bool {
    match fine {
        FineAmount::Range(r) => r.min_fen <= fen && fen <= r.max_fen,
        FineAmount::Fixed(set) => set.contains(&fen),
        // "基数的 min% 以上 max% 以下": min·base ≤ 100·fen ≤ max·base.
        FineAmount::Multiple(m) => base.is_some_and(|b| {
            let (b, f) = (i128::from(b), i128::from(fen) * 100);
            b * i128::from(m.min_percent) <= f && f <= b * i128::from(m.max_percent)
        }),
    }
}

/// Whether the clause allows imposing `kinds` (and `fen` for a fine) on an
/// adult party of `who`, with `attested` facts: some band of the party has
/// all its preconditions attested, is not displaced by a band needing more
/// that is also attested, provides every kind, misses no mandatory kind, and
/// takes the amount.
fn oracle(
    clause: &Clause,
    who: ClauseParty,
    attested: &[Precondition],
    kinds: &[SanctionKind],
    fen: Option<i64>,
    base: Option<i64>,
) -> bool {
    if kinds.contains(&SanctionKind::Detention) {
        return false;
    }
    let mine: Vec<_> = clause
        .bands
        .iter()
        .filter(|b| b.parties.contains(&who))
        .collect();
    let all_attested = |pre: &[Precondition]| pre.iter().all(|p| attested.contains(p));
    mine.iter().any(|b| {
        let displaced = mine.iter().any(|o| {
            all_attested(&o.preconditions)
                && o.preconditions.len() > b.preconditions.len()
                && b.preconditions.iter().all(|p| o.preconditions.contains(p))
        });
        all_attested(&b.preconditions)
            && !displaced
            && kinds.iter().all(|k| b.kinds.iter().any(|x| x.kind == *k))
            && b.kinds
                .iter()
                .filter(|x| x.mandatory)
                .all(|x| kinds.contains(&x.kind))
            && match fen {
                None => true,
                Some(f) => b.fine.as_ref().is_some_and(|fine| amount_ok(fine, f, base)),
            }
    })
}

/// Interesting amounts for a matter: every band edge, one fen either side, fixed amounts.
fn amounts(m: &Matter, base: Option<i64>) -> Vec<i64> {
    let mut v = vec![1, 5_000, 20_000];
    for b in &m.clause.as_ref().unwrap().bands {
        if let Some(f) = &b.fine {
            match f {
                FineAmount::Fixed(s) => v.extend(s.iter().flat_map(|a| [a - 1, *a, a + 1])),
                other => {
                    if let Some(r) = other.hull(base) {
                        v.extend([
                            r.min_fen - 1,
                            r.min_fen,
                            (r.min_fen + r.max_fen) / 2,
                            r.max_fen,
                            r.max_fen + 1,
                        ]);
                    }
                }
            }
        }
    }
    v.retain(|a| *a > 0);
    v
}

prop_compose! {
    fn case()(
        m in 0..MATTERS.len(),
        org in any::<bool>(),
        att in prop::collection::vec(any::<bool>(), 4),
        facts in any::<bool>(),
        base in prop::option::of(1i64..10_000_000),
        main in 0..3u8,
        extra in prop::collection::vec(0..KINDS.len(), 0..3),
        pick in any::<prop::sample::Index>(),
    ) -> (usize, bool, Vec<Precondition>, bool, Option<i64>, u8, Vec<SanctionKind>, prop::sample::Index) {
        let attested = Precondition::ALL.iter().zip(att).filter(|(_, on)| *on).map(|(p, _)| *p).collect();
        let extra = extra.into_iter().map(|i| KINDS[i]).collect();
        (m, org, attested, facts, base, main, extra, pick)
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1500))]

    #[test]
    fn assess_accepts_exactly_what_the_clause_allows(
        (mi, org, attested, facts, base, main, extra, pick) in case()
    ) {
        let m = &MATTERS[mi];
        let clause = m.clause.as_ref().unwrap();
        let kind = [PenaltyKind::Warning, PenaltyKind::Fine, PenaltyKind::NoticeOfCriticism][main as usize];
        let fen = (kind == PenaltyKind::Fine).then(|| *pick.get(&amounts(m, base)));
        let party = if org { organization() } else { individual() };
        let input = AssessInput {
            matter: Some(m.code.clone()),
            penalty: Some(ProposedPenalty {
                kind,
                amount_fen: fen,
                also: extra.iter().map(|k| AdditionalPenalty { kind: *k, detail: None }).collect(),
                band: None,
            }),
            deviation_reason: Some("依裁量基准说明理由".into()),
            attested: attested.clone(),
            serious_facts: facts.then(|| "情节严重的事实".to_owned()),
            base_fen: base,
            ..party
        };
        let a = assess(&input, Some(m), Some(&cal_2025()), &RulesConfig::default());

        let who = if org { ClauseParty::Organization } else { ClauseParty::Individual };
        // `serious` counts only with its facts.
        let valid: Vec<Precondition> = attested
            .iter()
            .copied()
            .filter(|p| *p != Precondition::Serious || facts)
            .collect();
        let mut kinds = vec![match kind {
            PenaltyKind::Warning => SanctionKind::Warning,
            PenaltyKind::Fine => SanctionKind::Fine,
            PenaltyKind::NoticeOfCriticism => SanctionKind::NoticeOfCriticism,
        }];
        for k in &extra {
            if !kinds.contains(k) {
                kinds.push(*k);
            }
        }
        let lawful = oracle(clause, who, &valid, &kinds, fen, base);
        let accepted = a.errors.iter().all(|e| e.code == "PENALTY_SERIOUS_FACTS_MISSING");
        prop_assert!(
            !accepted || lawful,
            "{} accepted an unlawful proposal: kinds {:?} fen {:?} attested {:?} base {:?}",
            m.code, kinds, fen, valid, base
        );
        prop_assert!(
            !lawful || accepted,
            "{} refused a lawful proposal: kinds {:?} fen {:?} attested {:?} base {:?}: {:?}",
            m.code, kinds, fen, valid, base, a.errors
        );
        // The simple procedure only ever takes 警告 and 罚款 (Art. 51).
        if a.simple_procedure.allowed {
            prop_assert!(kinds.iter().all(|k| matches!(k, SanctionKind::Warning | SanctionKind::Fine)));
        }
        let _ = PartyKind::Individual;
    }
}
