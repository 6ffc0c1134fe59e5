//! Offline search of the matter catalogue.
//!
//! One query box serves Chinese names, matter codes, full pinyin, pinyin
//! initials (`zdjy` → 占道经营), domains and the text of the provisions.
//! Results are ranked by how the query matched, best first:
//!
//! | tier | score | match |
//! |---|---|---|
//! | exact | 100 / 95 | the whole name / the whole code |
//! | prefix | 80 | the name or the code starts with the query |
//! | pinyin | 70 / 65 / 60 | initials equal / initials start with / full pinyin starts with the query |
//! | substring | 40 | the name (or its full pinyin) contains the query |
//! | domain | 30 | the domain (城市管理, 水利, …) contains the query |
//! | provision | 20 | the text of a 违则 or 罚则 contains the query |
//!
//! Within a tier, shorter names come first, then codes in order. The tiers
//! are queried best first and the search stops as soon as `limit` results
//! are in hand, so common short queries never pay for the provision scan.
//!
//! Substring matching uses the FTS5 trigram indexes when the query has three
//! or more characters; trigram `MATCH` cannot match shorter strings, so one-
//! and two-character queries fall back to `LIKE` scans (measured in
//! docs/BENCHMARKS.md).
//!
//! By default only the matters the officer's township may enforce on the
//! date are returned: statutory and common matters, plus the optional and
//! entrusted ones it adopted. [`SearchScope::All`] lifts that filter.

use std::collections::HashSet;

use chrono::NaiveDate;
use rusqlite::types::Value;
use serde::Serialize;

use super::model::MatterKind;
use super::{Catalogue, CatalogueError};
use crate::text::normalize_query;

/// The longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 100;

/// Which matters a search covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchScope {
    /// Only matters this township may enforce on the date.
    Township(String),
    /// Every matter of the release.
    All,
}

/// A search request.
#[derive(Debug, Clone)]
pub struct SearchQuery {
    /// What the officer typed.
    pub text: String,
    /// The date whose release is searched (normally today, or the violation date).
    pub on: NaiveDate,
    /// Township filter.
    pub scope: SearchScope,
    /// The most results to return.
    pub limit: usize,
}

/// How a result matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchKind {
    /// The whole name.
    NameExact,
    /// The whole code.
    CodeExact,
    /// The start of the name or code.
    Prefix,
    /// The pinyin initials equal the query.
    InitialsExact,
    /// The pinyin initials start with the query.
    InitialsPrefix,
    /// The full pinyin starts with the query.
    PinyinPrefix,
    /// The name or its pinyin contains the query.
    Substring,
    /// The domain contains the query.
    Domain,
    /// A provision's text contains the query.
    ProvisionText,
}

impl MatchKind {
    /// The rank score of the match (higher is better).
    pub fn score(self) -> u32 {
        match self {
            Self::NameExact => 100,
            Self::CodeExact => 95,
            Self::Prefix => 80,
            Self::InitialsExact => 70,
            Self::InitialsPrefix => 65,
            Self::PinyinPrefix => 60,
            Self::Substring => 40,
            Self::Domain => 30,
            Self::ProvisionText => 20,
        }
    }
}

/// One search result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SearchHit {
    /// Matter code.
    pub code: String,
    /// Matter name.
    pub name: String,
    /// Matter kind.
    pub kind: MatterKind,
    /// Domain.
    pub domain: String,
    /// Rank score, see the module documentation.
    pub score: u32,
    /// How the query matched.
    pub matched: MatchKind,
}

/// The results of a search.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SearchResults {
    /// The release searched.
    pub release_id: String,
    /// The township filter applied, if any.
    pub township: Option<String>,
    /// The hits, best first.
    pub results: Vec<SearchHit>,
}

/// Escapes `%`, `_` and `\` for a `LIKE … ESCAPE '\'` pattern.
fn like_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Quotes a string as one FTS5 phrase.
fn fts_phrase(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// The upper bound of a prefix range over a string column: every string
/// that starts with `p` sorts at or after `p` and before `p + U+10FFFF`.
fn prefix_end(p: &str) -> String {
    format!("{p}\u{10FFFF}")
}

struct Tier {
    kind: MatchKind,
    cond: String,
    params: Vec<Value>,
}

impl Catalogue<'_> {
    /// Searches the release in force on `q.on`.
    pub fn search(&self, q: &SearchQuery) -> Result<SearchResults, CatalogueError> {
        let text = normalize_query(&q.text);
        if text.is_empty() {
            return Err(CatalogueError::EmptyQuery);
        }
        if text.chars().count() > MAX_QUERY_CHARS {
            return Err(CatalogueError::QueryTooLong {
                max: MAX_QUERY_CHARS,
            });
        }
        let release = self.release_in_force(q.on)?;
        let township = match &q.scope {
            SearchScope::All => None,
            SearchScope::Township(code) => {
                if self.township(&release.id, code)?.is_none() {
                    return Err(CatalogueError::UnknownTownship {
                        code: code.clone(),
                        release: release.id,
                    });
                }
                Some(code.clone())
            }
        };
        let mut results = Vec::new();
        if q.limit == 0 {
            return Ok(SearchResults {
                release_id: release.id,
                township,
                results,
            });
        }

        let mut seen: HashSet<i64> = HashSet::new();
        for tier in tiers(&text) {
            let need = q.limit - results.len();
            // The scope filter is in SQL so LIMIT counts only eligible rows;
            // the extra `seen.len()` rows cover hits already taken by a better tier.
            let sql = format!(
                "SELECT m.id, m.code, m.name, m.kind, m.domain FROM matter m
                 WHERE m.release_id = ?1 AND ({cond})
                   AND (?2 IS NULL OR m.kind IN ('statutory', 'empowered_common') OR EXISTS (
                        SELECT 1 FROM adoption a WHERE a.release_id = m.release_id AND a.township_code = ?2
                          AND a.matter_code = m.code AND a.adopted_from <= ?3
                          AND (a.adopted_to IS NULL OR a.adopted_to >= ?3)))
                 ORDER BY m.name_len, m.code LIMIT ?4",
                cond = tier.cond
            );
            let mut params: Vec<Value> = vec![
                Value::Text(release.id.clone()),
                township.clone().map_or(Value::Null, Value::Text),
                Value::Text(q.on.to_string()),
                Value::Integer((need + seen.len()) as i64),
            ];
            params.extend(tier.params);
            let mut st = self.conn().prepare_cached(&sql)?;
            let rows = st.query_map(rusqlite::params_from_iter(params), |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                ))
            })?;
            for row in rows {
                let (id, code, name, kind, domain) = row?;
                if !seen.insert(id) {
                    continue;
                }
                let kind = MatterKind::parse(&kind)
                    .ok_or_else(|| CatalogueError::Corrupt(format!("matter {code} kind {kind}")))?;
                results.push(SearchHit {
                    code,
                    name,
                    kind,
                    domain,
                    score: tier.kind.score(),
                    matched: tier.kind,
                });
                if results.len() == q.limit {
                    break;
                }
            }
            if results.len() == q.limit {
                break;
            }
        }
        Ok(SearchResults {
            release_id: release.id,
            township,
            results,
        })
    }
}

/// The tiers to run for a normalised query, best first. Parameters start at `?5`.
fn tiers(q: &str) -> Vec<Tier> {
    let upper = q.to_ascii_uppercase();
    let mut out = vec![
        Tier { kind: MatchKind::NameExact, cond: "m.name = ?5".into(), params: vec![q.to_owned().into()] },
        Tier { kind: MatchKind::CodeExact, cond: "m.code IN (?5, ?6)".into(), params: vec![q.to_owned().into(), upper.clone().into()] },
        Tier {
            kind: MatchKind::Prefix,
            cond: "(m.name >= ?5 AND m.name < ?6) OR (m.code >= ?7 AND m.code < ?8) OR (m.code >= ?5 AND m.code < ?6)".into(),
            params: vec![q.to_owned().into(), prefix_end(q).into(), upper.clone().into(), prefix_end(&upper).into()],
        },
    ];
    // Pinyin keys are letters only: "zhan dao" and "zdjy" both work.
    let latin: String = q.chars().filter(|c| !c.is_whitespace()).collect();
    let is_latin = !latin.is_empty() && latin.chars().all(|c| c.is_ascii_alphabetic());
    if is_latin {
        out.push(Tier {
            kind: MatchKind::InitialsExact,
            cond: "m.initials = ?5".into(),
            params: vec![latin.clone().into()],
        });
        out.push(Tier {
            kind: MatchKind::InitialsPrefix,
            cond: "m.initials >= ?5 AND m.initials < ?6".into(),
            params: vec![latin.clone().into(), prefix_end(&latin).into()],
        });
        out.push(Tier {
            kind: MatchKind::PinyinPrefix,
            cond: "m.pinyin >= ?5 AND m.pinyin < ?6".into(),
            params: vec![latin.clone().into(), prefix_end(&latin).into()],
        });
    }
    let like = format!("%{}%", like_escape(q));
    let long = q.chars().count() >= 3;
    // Trigram MATCH for three or more characters, LIKE below that.
    let (name_sub, sub_param): (&str, Value) = if long {
        (
            "m.id IN (SELECT rowid FROM matter_fts WHERE matter_fts MATCH ?5)",
            fts_phrase(q).into(),
        )
    } else {
        ("m.name LIKE ?5 ESCAPE '\\'", like.clone().into())
    };
    let mut sub = Tier {
        kind: MatchKind::Substring,
        cond: name_sub.into(),
        params: vec![sub_param],
    };
    if is_latin {
        sub.cond = format!("{name_sub} OR m.pinyin LIKE ?6 ESCAPE '\\'");
        sub.params.push(format!("%{}%", like_escape(&latin)).into());
    }
    out.push(sub);
    out.push(Tier {
        kind: MatchKind::Domain,
        cond: "m.domain LIKE ?5 ESCAPE '\\'".into(),
        params: vec![like.clone().into()],
    });
    let (prov, prov_param): (&str, Value) = if long {
        (
            "p.rowid IN (SELECT rowid FROM provision_fts WHERE provision_fts MATCH ?5)",
            fts_phrase(q).into(),
        )
    } else {
        ("p.text LIKE ?5 ESCAPE '\\'", like.into())
    };
    out.push(Tier {
        kind: MatchKind::ProvisionText,
        cond: format!(
            "m.id IN (SELECT mp.matter_id FROM provision p JOIN matter_provision mp
                        ON mp.release_id = p.release_id AND mp.provision_id = p.id
                      WHERE p.release_id = ?1 AND ({prov}))"
        ),
        params: vec![prov_param],
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_are_escaped() {
        assert_eq!(like_escape("50%_a\\"), "50\\%\\_a\\\\");
        assert_eq!(fts_phrase("a\"b"), "\"a\"\"b\"");
    }

    #[test]
    fn tiers_are_ordered_by_score() {
        for q in ["zdjy", "占道", "占道经营", "cg-001"] {
            let scores: Vec<u32> = tiers(q).iter().map(|t| t.kind.score()).collect();
            let mut sorted = scores.clone();
            sorted.sort_by(|a, b| b.cmp(a));
            assert_eq!(scores, sorted, "{q}");
        }
    }
}
