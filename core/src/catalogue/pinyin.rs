//! Pinyin keys of matter names, for searching with a Latin keyboard.
//!
//! Officers type `zdjy` for 占道经营 or `zhandao` for its prefix. Each name
//! gets two keys, both lower case without separators: the full pinyin
//! (`zhandaojingying`) and the initials (`zdjy`). Characters without pinyin
//! (Latin letters, digits) are kept as they are, lower-cased; punctuation
//! is dropped. Heteronyms take the `pinyin` crate's most common reading.

use pinyin::ToPinyin;

/// The pinyin keys of a name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PinyinKeys {
    /// Full pinyin without tones or separators.
    pub full: String,
    /// The first letter of each syllable.
    pub initials: String,
}

/// Computes the pinyin keys of `name`.
pub fn keys(name: &str) -> PinyinKeys {
    let mut full = String::with_capacity(name.len() * 2);
    let mut initials = String::with_capacity(name.len());
    for (c, p) in name.chars().zip(name.to_pinyin()) {
        match p {
            Some(p) => {
                full.push_str(p.plain());
                initials.push_str(p.first_letter());
            }
            None => {
                let c = crate::text::fold_width(c);
                if c.is_ascii_alphanumeric() {
                    let c = c.to_ascii_lowercase();
                    full.push(c);
                    initials.push(c);
                }
            }
        }
    }
    PinyinKeys { full, initials }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matter_names() {
        let k = keys("占道经营");
        assert_eq!(k.initials, "zdjy");
        assert_eq!(k.full, "zhandaojingying");
        assert_eq!(keys("乱张贴、乱刻画").initials, "lztlkh");
        assert_eq!(keys("违规停放Ａ类车辆").initials, "wgtfalcl");
    }
}
