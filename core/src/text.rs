//! Text normalisation shared by search and identity checks.
//!
//! Officers type on phone keyboards that switch between full-width and
//! half-width forms, so `ＺＤＪＹ`, `zdjy` and ` Zdjy ` must mean the same.

/// Folds full-width ASCII forms (U+FF01–U+FF5E) and the ideographic space
/// (U+3000) to their half-width equivalents; other characters pass through.
pub fn fold_width(c: char) -> char {
    match c {
        '\u{3000}' => ' ',
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
    }
}

/// Normalises a search query: folds widths, lower-cases ASCII, collapses
/// runs of white space to one space and trims the ends.
pub fn normalize_query(q: &str) -> String {
    let mut out = String::with_capacity(q.len());
    let mut pending_space = false;
    for c in q.chars().map(fold_width) {
        if c.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            // A stray space between two Chinese characters ("占道 经营",
            // typed or dictated) is not part of any name: dropped.
            if !(is_cjk(c) && out.chars().next_back().is_some_and(is_cjk)) {
                out.push(' ');
            }
            pending_space = false;
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

/// Whether `c` is a CJK unified ideograph (the characters pinyin exists for).
pub fn is_cjk(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{20000}'..='\u{2A6DF}')
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn folds_full_width_and_case() {
        assert_eq!(normalize_query("  ＺＤＪＹ\u{3000}占道 "), "zdjy 占道");
        assert_eq!(normalize_query("CG－001"), "cg-001");
        // A stray space between Chinese characters goes; others stay one space.
        assert_eq!(normalize_query("占道 经营"), "占道经营");
        assert_eq!(normalize_query("占\u{3000}道  经营 zd"), "占道经营 zd");
        assert_eq!(normalize_query(""), "");
    }

    proptest! {
        #[test]
        fn normalisation_is_idempotent(s in "\\PC{0,40}") {
            let once = normalize_query(&s);
            prop_assert_eq!(normalize_query(&once), once.clone());
            prop_assert!(!once.starts_with(' ') && !once.ends_with(' '));
            prop_assert!(!once.contains("  "));
        }
    }
}
