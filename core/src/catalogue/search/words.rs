//! The tiers that read the officer's words rather than the catalogue's:
//! which pieces of a query may be an everyday name (俗称), and the near
//! patterns a one-character slip or a left-out stretch of the name leaves.
//! Pure functions of the query; [`super`] turns them into SQL sources.

use std::collections::HashSet;

use super::like_escape;
use crate::catalogue::model::MAX_ALIAS_CHARS;
use crate::text::is_cjk;

/// The shortest and longest query the near tier serves, in characters: a
/// one-character slip in two characters is another word, and a long query
/// is pasted text, not typed.
const NEAR_CHARS: std::ops::RangeInclusive<usize> = 3..=12;

/// Whether a query gets the near (one-typo) tier: Chinese text of
/// [`NEAR_CHARS`] characters (codes and pinyin have their own tiers).
pub(super) fn near_applies(q: &str) -> bool {
    NEAR_CHARS.contains(&q.chars().count()) && q.chars().filter(|c| is_cjk(*c)).count() >= 2
}

/// The query's pieces that may be someone's everyday name: every run of
/// two to [`MAX_ALIAS_CHARS`] characters but the whole query (the exact
/// tier has that). A query longer than twice the longest alias is text,
/// not a name, and yields none.
pub(super) fn alias_pieces(q: &str) -> Vec<String> {
    let chars: Vec<char> = q.chars().collect();
    if chars.len() > 2 * MAX_ALIAS_CHARS {
        return Vec::new();
    }
    let mut out = HashSet::new();
    for len in 2..=chars.len().min(MAX_ALIAS_CHARS) {
        for w in chars.windows(len) {
            if len < chars.len() {
                out.insert(w.iter().collect::<String>());
            }
        }
    }
    let mut out: Vec<String> = out.into_iter().collect();
    out.sort_unstable();
    out
}

/// One way a typed query may be the name but for one slip: the `LIKE`
/// pattern, escaped, `_` the unknown character, `%` a left-out stretch.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) struct NearPattern {
    pub(super) like: String,
}

/// The near patterns of `q`: its two halves with anything between
/// (`排放污水` → `排放%污水`); each character replaced (`占到经营` →
/// `占_经营`), dropped (one too many typed), a character missing between
/// two (`占经营` → `占_经营`), and two neighbours swapped. Every pattern
/// keeps all but at most one of the query's characters, which is how the
/// search picks its candidates.
pub(super) fn near_patterns(q: &str) -> Vec<NearPattern> {
    // `None` is the unknown character.
    let chars: Vec<char> = q.chars().collect();
    let n = chars.len();
    let mut shapes: Vec<Vec<Option<char>>> = Vec::new();
    let known = |v: &[char]| v.iter().copied().map(Some).collect::<Vec<_>>();
    for i in 0..n {
        let mut v = known(&chars);
        v[i] = None;
        shapes.push(v);
        if n >= 4 {
            let mut v = chars.clone();
            v.remove(i);
            shapes.push(known(&v));
        }
        if i > 0 {
            let mut v = known(&chars);
            v.insert(i, None);
            shapes.push(v);
        }
        if i + 1 < n && chars[i] != chars[i + 1] {
            let mut v = chars.clone();
            v.swap(i, i + 1);
            shapes.push(known(&v));
        }
    }
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    // Words left out between two halves (排放污水 → 排放倾倒污水): each half
    // of two or more characters, in order, anything between.
    for i in 2..n.saturating_sub(1) {
        let (a, b) = chars.split_at(i);
        let like = format!(
            "%{}%{}%",
            like_escape(&a.iter().collect::<String>()),
            like_escape(&b.iter().collect::<String>())
        );
        if seen.insert(like.clone()) {
            out.push(NearPattern { like });
        }
    }
    for shape in shapes {
        let mut like = String::from("%");
        for c in &shape {
            match c {
                Some(c) => like.push_str(&like_escape(&c.to_string())),
                None => like.push('_'),
            }
        }
        like.push('%');
        if seen.insert(like.clone()) {
            out.push(NearPattern { like });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slip_leaves_patterns_the_name_fits() {
        let p = near_patterns("占到经营");
        let likes: Vec<&str> = p.iter().map(|p| p.like.as_str()).collect();
        // Replaced, the halves apart, a missing character, a swap.
        for want in ["%占_经营%", "%占到%经营%", "%占_到经营%", "%到占经营%"] {
            assert!(likes.contains(&want), "{want}: {likes:?}");
        }
        // Each pattern keeps all but at most one of the query's characters.
        for p in &p {
            let kept = "占到经营".chars().filter(|c| p.like.contains(*c)).count();
            assert!(kept >= 3, "{p:?}");
        }
        // Wildcards typed by the officer stay literal.
        assert!(
            near_patterns("5%_折")
                .iter()
                .any(|p| p.like.contains("\\%"))
        );
    }

    #[test]
    fn alias_pieces_are_the_query_s_inner_runs() {
        assert_eq!(alias_pieces("贴广告"), vec!["广告", "贴广"]);
        assert!(alias_pieces("占道").is_empty());
        assert!(alias_pieces(&"字".repeat(2 * MAX_ALIAS_CHARS + 1)).is_empty());
        assert!(near_applies("占到经营") && !near_applies("zdjy") && !near_applies("占道"));
    }
}
