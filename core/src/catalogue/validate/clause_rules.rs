//! The rules of a matter's penalty clause (format 2) and the conversion of
//! format 1 matters (see [`crate::catalogue::clause`]).

use std::collections::HashSet;

use super::super::clause::Clause;
use super::super::model::{
    Band, ClauseParty, FineAmount, Matter, PACKAGE_FORMAT, PACKAGE_FORMAT_V1, Package, SanctionKind,
};
use super::{Issue, Issues, check_range};

/// Checks the clause of matter `i` (format 2) and the levels' band pointers.
pub(super) fn check_clause(m: &Matter, i: usize, v2: bool, out: &mut Issues) {
    if v2 {
        if m.statutory.is_some() || m.correction_first {
            out.push(
                || format!("$.matters[{i}]"),
                "legacy_field",
                "格式2不再使用 statutory / correction_first，请以 clause 的档次及前提表示".into(),
            );
        }
        let sets_penalty = m
            .levels
            .iter()
            .flat_map(|l| [&l.individual, &l.organization])
            .flatten()
            .any(|p| p.warning || p.fine.is_some());
        if m.clause.is_none() && sets_penalty {
            out.push(
                || format!("$.matters[{i}].clause"),
                "clause_missing",
                "事项规定了处罚，须以 clause 载明罚则的档次".into(),
            );
        }
    }
    let Some(c) = &m.clause else {
        return;
    };
    if c.bands.is_empty() {
        out.push(
            || format!("$.matters[{i}].clause.bands"),
            "schema_violation",
            "至少一个档次".into(),
        );
    }
    let mut ids = HashSet::new();
    for (j, b) in c.bands.iter().enumerate() {
        check_band(m, b, i, j, v2, out);
        if b.parties.iter().any(|p| !ids.insert((b.id.as_str(), *p))) {
            out.push(
                || format!("$.matters[{i}].clause.bands[{j}].id"),
                "duplicate_band_id",
                format!("同一当事人类别的档次编号重复: {}", b.id),
            );
        }
    }
    for (j, l) in m.levels.iter().enumerate() {
        let Some(id) = &l.band else { continue };
        for (party, who, pen) in [
            ("individual", ClauseParty::Individual, &l.individual),
            ("organization", ClauseParty::Organization, &l.organization),
        ] {
            let Some(pen) = pen else { continue };
            let Some(b) = c.band_for(id, who) else {
                out.push(
                    || format!("$.matters[{i}].levels[{j}].band"),
                    "unknown_band",
                    format!("阶次指向的档次 {id} 不存在或不适用于{party}"),
                );
                continue;
            };
            let hull = b.fine.as_ref().and_then(|f| f.hull(None));
            if let (Some(f), Some(h)) = (pen.fine, hull)
                && (f.min_fen < h.min_fen || f.max_fen > h.max_fen)
            {
                out.push(
                    || format!("$.matters[{i}].levels[{j}].{party}.fine"),
                    "level_outside_band",
                    format!(
                        "阶次罚款 {}–{} 分超出档次 {id} 的 {}–{} 分",
                        f.min_fen, f.max_fen, h.min_fen, h.max_fen
                    ),
                );
            }
        }
    }
}

fn check_band(m: &Matter, b: &Band, i: usize, j: usize, v2: bool, out: &mut Issues) {
    let path = |f: &str| format!("$.matters[{i}].clause.bands[{j}]{f}");
    out.ident(&b.id, 32, || path(".id"));
    out.text(&b.name, || path(".name"));
    if !m.penalty.contains(&b.provision) {
        out.push(
            || path(".provision"),
            "band_provision_not_penalty",
            format!("档次引用的 {} 不在本事项的罚则中", b.provision),
        );
    }
    if v2 && b.article.as_deref().is_none_or(str::is_empty) {
        out.push(
            || path(".article"),
            "band_article_missing",
            "须写明档次所在条款（如《…》第三十九条第一款），供文书和提示引用".into(),
        );
    }
    if b.parties.is_empty() || b.kinds.is_empty() {
        out.push(
            || path(""),
            "schema_violation",
            "档次须列明适用的当事人类别和处罚种类".into(),
        );
    }
    let mut kinds = HashSet::new();
    for (k, kind) in b.kinds.iter().enumerate() {
        if !kinds.insert(kind.kind) {
            out.push(
                || path(&format!(".kinds[{k}]")),
                "duplicate_band_kind",
                format!("处罚种类重复: {}", kind.kind.label_zh()),
            );
        }
        // 行政处罚法 Art. 18 ¶3: only the public security organs detain.
        if kind.kind == SanctionKind::Detention {
            out.push(
                || path(&format!(".kinds[{k}]")),
                "detention_not_township",
                "行政拘留由公安机关决定（行政处罚法第十八条第三款），不属乡镇（街道）职权；该档次应移出，并在 scope_note 中说明移送公安机关".into(),
            );
        }
    }
    let fines = b.kind(SanctionKind::Fine).is_some();
    if fines != b.fine.is_some() {
        out.push(
            || path(".fine"),
            "band_fine_mismatch",
            "处罚种类含罚款时须写明罚款数额，反之不应写".into(),
        );
    }
    match &b.fine {
        Some(FineAmount::Range(r)) => check_range(r, out, || path(".fine.range")),
        Some(FineAmount::Fixed(v)) if v.is_empty() || v.iter().any(|a| *a <= 0) => {
            out.push(
                || path(".fine.fixed"),
                "schema_violation",
                "固定罚款数额须至少一项且大于零".into(),
            );
        }
        Some(FineAmount::Multiple(x)) if x.min_percent > x.max_percent => {
            out.push(
                || path(".fine.multiple"),
                "fine_min_gt_max",
                format!("倍数下限 {}% 大于上限 {}%", x.min_percent, x.max_percent),
            );
        }
        Some(FineAmount::Fixed(_) | FineAmount::Multiple(_)) => {}
        None => {}
    }
}

/// Format 2 requires each provision's source.
pub(super) fn check_sources(p: &Package, out: &mut Issues) {
    if p.format != PACKAGE_FORMAT {
        return;
    }
    for (i, pr) in p.provisions.iter().enumerate() {
        if pr.source.as_deref().is_none_or(|s| s.trim().is_empty()) {
            out.push(
                || format!("$.provisions[{i}].source"),
                "provision_source_missing",
                "须写明法条来源（官方文本网址或公报期号）".into(),
            );
        }
    }
}

/// Converts a format 1 package in place: each matter gets the clause
/// [`Clause::from_legacy`] builds, and loses `statutory`/`correction_first`.
/// Returns the matters that cannot be converted.
pub(super) fn upgrade(p: &mut Package) -> Vec<Issue> {
    if p.format != PACKAGE_FORMAT_V1 {
        return Vec::new();
    }
    let mut out = Issues(Vec::new());
    for (i, m) in p.matters.iter_mut().enumerate() {
        if m.clause.is_some() {
            continue;
        }
        match Clause::from_legacy(m) {
            Ok(c) => {
                m.clause = c;
                m.statutory = None;
                m.correction_first = false;
                // Format 1 has no bands to point at.
                for l in &mut m.levels {
                    l.band = None;
                }
            }
            Err(e) => out.push(
                || format!("$.matters[{i}]"),
                "legacy_unconvertible",
                e.to_string(),
            ),
        }
    }
    out.0
}
