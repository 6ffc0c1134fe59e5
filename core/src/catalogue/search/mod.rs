//! Offline search of the matter catalogue.
//!
//! One query box serves Chinese names, matter codes, full pinyin, pinyin
//! initials (`zdjy` → 占道经营), domains and the text of the provisions.
//! Results are ranked by how the query matched, best first:
//!
//! | tier | score | match |
//! |---|---|---|
//! | exact | 100 / 95 | the whole name / the whole code |
//! | everyday name | 90 | an everyday name (俗称, catalogue data) is the query |
//! | prefix | 80 | the name or the code starts with the query |
//! | pinyin | 70 / 65 / 60 | initials equal / initials start with / full pinyin starts with the query |
//! | everyday name within | 50 | the query holds an everyday name, or one starts with the query |
//! | substring | 40 | the name (or its full pinyin) contains the query |
//! | near | 35 | the name contains the query but for one character (a typo: 占到经营 → 占道经营; one too many, one missing, two swapped), or holds its two halves with words between (排放污水 → 向街面排放倾倒污水) |
//! | domain | 30 | the domain (城市管理, 水利, …) contains the query |
//! | provision | 20 | the text of a 违则 or 罚则 contains the query |
//!
//! Within a tier, shorter names come first, then codes in order. The tiers
//! are queried best first and the search stops as soon as `limit` results
//! are in hand, so common short queries never pay for the provision scan.
//!
//! Substring matching uses FTS5 trigram indexes when the query has three
//! or more characters; trigram `MATCH` cannot match shorter strings, so one-
//! and two-character queries are answered from posting lists of one- and
//! two-character keys with the same meaning as `LIKE '%q%'`.
//!
//! How it stays fast ([`super::index`]): every matter has a rank id (`rid`)
//! in exactly the order above, so each tier reads candidates in rid order
//! — equal keys of an index, a posting list, an FTS5 `MATCH` keyed by rid,
//! a prefix range of at most [`RANGE_CAP`] rows sorted, the rid range of a
//! dense candidate list ([`SCAN_DENSITY`]) — checks each against
//! the tier's own SQL condition and the township scope, and stops as soon
//! as the results are complete. No tier sorts or scans the whole release.
//!
//! By default only the matters the officer's township may enforce on the
//! date are returned: statutory and common matters, plus the optional and
//! entrusted ones it adopted. When those do not fill the page, the matters
//! the query finds outside that scope come apart, in
//! [`SearchResults::outside`], each with the reason
//! (not adopted by the township, or adopted for another period), so an
//! officer can tell "not ours" from "not found". [`SearchScope::All`] lifts
//! the filter.

use std::collections::{HashSet, VecDeque};

use chrono::NaiveDate;
use rusqlite::types::Value;
use serde::Serialize;

mod outside;
mod words;

pub use outside::{OutsideHit, OutsideReason};
use words::{alias_pieces, near_applies, near_patterns};

use super::index::{self, ns};
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
    /// An everyday name (俗称) of the matter is the query.
    AliasExact,
    /// The start of the name or code.
    Prefix,
    /// The pinyin initials equal the query.
    InitialsExact,
    /// The pinyin initials start with the query.
    InitialsPrefix,
    /// The full pinyin starts with the query.
    PinyinPrefix,
    /// The query holds an everyday name, or an everyday name starts with it.
    AliasWithin,
    /// The name or its pinyin contains the query.
    Substring,
    /// The name contains the query but for one character (substituted,
    /// extra, missing, or two neighbours swapped).
    Near,
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
            Self::AliasExact => 90,
            Self::Prefix => 80,
            Self::InitialsExact => 70,
            Self::InitialsPrefix => 65,
            Self::PinyinPrefix => 60,
            Self::AliasWithin => 50,
            Self::Substring => 40,
            Self::Near => 35,
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
    /// With a township filter whose matters do not fill the page: matters
    /// the query finds that the township may not enforce on the date, best
    /// first, each with the reason.
    /// Always empty for [`SearchScope::All`] (and then not serialised).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub outside: Vec<OutsideHit>,
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

/// A prefix range with more rows than this is not sorted: its candidates
/// come from the posting list of its first two characters instead.
pub const RANGE_CAP: usize = 1000;

/// The township scope as an SQL condition on `s` (a `matter_search` row):
/// `?1` release, `?2` township or NULL, `?3` date.
const SCOPE: &str = "(?2 IS NULL OR s.kind IN ('statutory', 'empowered_common') OR EXISTS (
    SELECT 1 FROM adoption a WHERE a.release_id = s.release_id AND a.township_code = ?2
      AND a.matter_code = s.code AND a.adopted_from <= ?3
      AND (a.adopted_to IS NULL OR a.adopted_to >= ?3)))";

/// The fixed parameters of every search statement.
struct Ctx<'c> {
    conn: &'c rusqlite::Connection,
    release: Value,
    township: Value,
    on: Value,
    /// The release's rid block.
    lo: i64,
    hi: i64,
}

impl Ctx<'_> {
    fn fixed(&self) -> Vec<Value> {
        vec![self.release.clone(), self.township.clone(), self.on.clone()]
    }

    /// The rids of a posting list (empty when the key is absent).
    fn posting(&self, key: &str) -> Result<Vec<i64>, CatalogueError> {
        let mut st = self
            .conn
            .prepare_cached("SELECT ranks FROM search_gram WHERE release_id = ?1 AND key = ?2")?;
        let mut rows = st.query(rusqlite::params_from_iter([
            self.release.clone(),
            key.to_owned().into(),
        ]))?;
        Ok(match rows.next()? {
            Some(r) => self.ranks(&r.get::<_, Vec<u8>>(0)?),
            None => Vec::new(),
        })
    }

    /// The rids of an encoded posting list.
    fn ranks(&self, bytes: &[u8]) -> Vec<i64> {
        index::decode(bytes)
            .into_iter()
            .map(|rank| self.lo + i64::from(rank))
            .collect()
    }

    /// The rids in every one of the posting lists (ascending).
    fn intersect(&self, keys: &[String]) -> Result<Vec<i64>, CatalogueError> {
        let mut out: Option<Vec<i64>> = None;
        for k in keys {
            let list = self.posting(k)?;
            out = Some(match out {
                None => list,
                Some(acc) => sorted_intersection(&acc, &list),
            });
            if out.as_ref().is_some_and(Vec::is_empty) {
                break;
            }
        }
        Ok(out.unwrap_or_default())
    }

    /// The rids of a prefix range over an indexed `matter_search` column,
    /// sorted, or `None` when the range holds more than [`RANGE_CAP`] rows.
    fn range(&self, column: &str, from: &str) -> Result<Option<Vec<i64>>, CatalogueError> {
        let sql = format!(
            "SELECT rid FROM matter_search WHERE release_id = ?1 AND {column} >= ?2 AND {column} < ?3 LIMIT ?4"
        );
        let mut st = self.conn.prepare_cached(&sql)?;
        let params: Vec<Value> = vec![
            self.release.clone(),
            from.to_owned().into(),
            prefix_end(from).into(),
            Value::Integer(RANGE_CAP as i64 + 1),
        ];
        let mut rids = st
            .query_map(rusqlite::params_from_iter(params), |r| r.get::<_, i64>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        if rids.len() > RANGE_CAP {
            return Ok(None);
        }
        rids.sort_unstable();
        Ok(Some(rids))
    }
}

fn sorted_intersection(a: &[i64], b: &[i64]) -> Vec<i64> {
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::with_capacity(a.len().min(b.len()));
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                out.push(a[i]);
                i += 1;
                j += 1;
            }
        }
    }
    out
}

/// Ascending rids of in-scope matters that satisfy one condition.
enum Source {
    /// A statement yielding the in-scope rids in order, read in growing
    /// chunks: `?4` the last rid read (exclusive), `?5` the chunk size,
    /// own parameters from `?6`.
    Sql {
        sql: String,
        params: Vec<Value>,
        last: i64,
        chunk: i64,
        buf: VecDeque<i64>,
        done: bool,
    },
    /// Candidate rids, ascending, each checked by `SELECT … WHERE s.rid = ?4
    /// AND (cond) AND scope`, own parameters from `?5`.
    Candidates {
        rids: Vec<i64>,
        pos: usize,
        cond: String,
        params: Vec<Value>,
    },
    /// A dense candidate list: the rid range it spans, scanned in rid order
    /// in growing chunks by one statement per chunk rather than one per
    /// candidate. `cond` is the whole condition (a candidate list only
    /// narrows it), so every row of the range it accepts is a hit.
    Scan {
        from: i64,
        to: i64,
        cond: String,
        params: Vec<Value>,
        chunk: i64,
        buf: VecDeque<i64>,
        done: bool,
    },
}

/// A candidate list at least this dense (candidates per rid of the span
/// they cover) is scanned as a range: reading a row inside one statement
/// costs a fraction of running a statement per candidate.
const SCAN_DENSITY: i64 = 4;

/// The next chunk size of a paged tier: `first` rows at first, then
/// doubling up to 4,096, so a tier that fills its limit at once reads
/// little and a sparse one does not page row by row.
fn grow_chunk(chunk: &mut i64, first: usize) {
    *chunk = if *chunk == 0 {
        first.max(1) as i64
    } else {
        (*chunk * 2).min(4096)
    };
}

impl Source {
    fn sql(sql: String, params: Vec<Value>) -> Self {
        Self::Sql {
            sql,
            params,
            last: i64::MIN,
            chunk: 0,
            buf: VecDeque::new(),
            done: false,
        }
    }

    fn candidates(rids: Vec<i64>, cond: impl Into<String>, params: Vec<Value>) -> Self {
        if let (Some(&from), Some(&to)) = (rids.first(), rids.last()) {
            let len = i64::try_from(rids.len()).unwrap_or(i64::MAX);
            if len > 1 && len.saturating_mul(SCAN_DENSITY) > to - from {
                return Self::Scan {
                    from,
                    to,
                    cond: cond.into(),
                    params,
                    chunk: 0,
                    buf: VecDeque::new(),
                    done: false,
                };
            }
        }
        Self::Candidates {
            rids,
            pos: 0,
            cond: cond.into(),
            params,
        }
    }

    /// An equality on an indexed column: the index yields equal keys in rid order.
    fn equal(column: &str, value: Value) -> Self {
        Self::sql(
            format!(
                "SELECT s.rid FROM matter_search s WHERE s.release_id = ?1 AND s.{column} = ?6
                   AND s.rid > ?4 AND {SCOPE} ORDER BY s.rid LIMIT ?5"
            ),
            vec![value],
        )
    }

    /// A trigram `MATCH` on an FTS5 table keyed by rid.
    fn fts(table: &str, phrase: String, hi: i64) -> Self {
        Self::sql(
            format!(
                "SELECT s.rid FROM {table} JOIN matter_search s ON s.rid = {table}.rowid
                 WHERE {table} MATCH ?6 AND {table}.rowid > ?4 AND {table}.rowid <= ?7
                   AND s.release_id = ?1 AND {SCOPE} ORDER BY {table}.rowid LIMIT ?5"
            ),
            vec![phrase.into(), Value::Integer(hi)],
        )
    }

    /// The next rid, without consuming it; `first` is the size of the first chunk.
    fn peek(&mut self, cx: &Ctx<'_>, first: usize) -> Result<Option<i64>, CatalogueError> {
        match self {
            Self::Sql {
                sql,
                params,
                last,
                chunk,
                buf,
                done,
            } => {
                if buf.is_empty() && !*done {
                    grow_chunk(chunk, first);
                    if *last == i64::MIN {
                        *last = cx.lo - 1;
                    }
                    let mut all = cx.fixed();
                    all.push(Value::Integer(*last));
                    all.push(Value::Integer(*chunk));
                    all.extend(params.iter().cloned());
                    let mut st = cx.conn.prepare_cached(sql)?;
                    let rows =
                        st.query_map(rusqlite::params_from_iter(all), |r| r.get::<_, i64>(0))?;
                    for rid in rows {
                        buf.push_back(rid?);
                    }
                    if (buf.len() as i64) < *chunk {
                        *done = true;
                    }
                    if let Some(&l) = buf.back() {
                        *last = l;
                    }
                }
                Ok(buf.front().copied())
            }
            Self::Candidates {
                rids,
                pos,
                cond,
                params,
            } => {
                let sql = format!(
                    "SELECT 1 FROM matter_search s WHERE s.rid = ?4 AND ({cond}) AND {SCOPE}"
                );
                let mut st = cx.conn.prepare_cached(&sql)?;
                while let Some(&rid) = rids.get(*pos) {
                    let mut all = cx.fixed();
                    all.push(Value::Integer(rid));
                    all.extend(params.iter().cloned());
                    if st.exists(rusqlite::params_from_iter(all))? {
                        return Ok(Some(rid));
                    }
                    *pos += 1;
                }
                Ok(None)
            }
            Self::Scan {
                from,
                to,
                cond,
                params,
                chunk,
                buf,
                done,
            } => {
                if buf.is_empty() && !*done {
                    grow_chunk(chunk, first);
                    let n = 5 + params.len();
                    // No `release_id = ?1` term: every index on
                    // matter_search leads with release_id, so none can
                    // serve `cond` and the rowid range drives the scan, in
                    // rid order. The range lies inside the release's block.
                    let sql = format!(
                        "SELECT s.rid FROM matter_search s WHERE s.rid >= ?4 AND s.rid <= ?{n}
                           AND ({cond}) AND {SCOPE} ORDER BY s.rid LIMIT ?{}",
                        n + 1
                    );
                    let mut all = cx.fixed();
                    all.push(Value::Integer(*from));
                    all.extend(params.iter().cloned());
                    all.push(Value::Integer(*to));
                    all.push(Value::Integer(*chunk));
                    let mut st = cx.conn.prepare_cached(&sql)?;
                    let rows =
                        st.query_map(rusqlite::params_from_iter(all), |r| r.get::<_, i64>(0))?;
                    for rid in rows {
                        buf.push_back(rid?);
                    }
                    match buf.back() {
                        Some(&l) if (buf.len() as i64) == *chunk && l < *to => *from = l + 1,
                        _ => *done = true,
                    }
                }
                Ok(buf.front().copied())
            }
        }
    }

    fn advance(&mut self) {
        match self {
            Self::Sql { buf, .. } | Self::Scan { buf, .. } => {
                buf.pop_front();
            }
            Self::Candidates { pos, .. } => *pos += 1,
        }
    }
}

struct Tier {
    kind: MatchKind,
    sources: Vec<Source>,
}

/// The most matters shown apart as outside the township's scope.
pub const OUTSIDE_MAX: usize = 5;

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
        if q.limit == 0 {
            return Ok(SearchResults {
                release_id: release.id,
                township,
                results: Vec::new(),
                outside: Vec::new(),
            });
        }
        let (lo, hi): (i64, i64) = self
            .conn()
            .prepare_cached("SELECT rid_lo, rid_hi FROM search_release WHERE release_id = ?1")?
            .query_row([&release.id], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(|e| match e {
                rusqlite::Error::QueryReturnedNoRows => {
                    CatalogueError::Corrupt(format!("release {} has no search index", release.id))
                }
                e => e.into(),
            })?;
        let mut cx = Ctx {
            conn: self.conn(),
            release: Value::Text(release.id.clone()),
            township: township.clone().map_or(Value::Null, Value::Text),
            on: Value::Text(q.on.to_string()),
            lo,
            hi,
        };
        let results = run_tiers(&cx, &text, q.limit)?;
        let mut outside = Vec::new();
        // Only a page the township's matters do not fill can leave "not
        // ours" to be mistaken for "not found".
        if let Some(code) = township.as_ref().filter(|_| results.len() < q.limit) {
            // The same query without the filter: the hits the township may
            // not enforce come apart, with the reason. Statutory and
            // common matters bind every township, so only optional and
            // entrusted ones can be outside.
            cx.township = Value::Null;
            for hit in run_tiers(&cx, &text, 2 * OUTSIDE_MAX)? {
                if outside.len() == OUTSIDE_MAX {
                    break;
                }
                if !matches!(
                    hit.kind,
                    MatterKind::EmpoweredOptional | MatterKind::Entrusted
                ) {
                    continue;
                }
                if let Some(reason) = self.outside_reason(&release.id, code, &hit.code, q.on)? {
                    let reason_zh = reason.label_zh(hit.kind);
                    outside.push(OutsideHit {
                        hit,
                        reason,
                        reason_zh,
                    });
                }
            }
        }
        Ok(SearchResults {
            release_id: release.id,
            township,
            results,
            outside,
        })
    }
}

/// The in-scope hits of every tier, best first, at most `limit`.
fn run_tiers(cx: &Ctx<'_>, text: &str, limit: usize) -> Result<Vec<SearchHit>, CatalogueError> {
    let mut results = Vec::new();
    let mut seen: HashSet<i64> = HashSet::new();
    let mut detail = cx
        .conn
        .prepare_cached("SELECT code, name, kind, domain FROM matter_search WHERE rid = ?1")?;
    for kind in tier_kinds(text) {
        let need = limit - results.len();
        // A tier yields its in-scope matters best first; the ones a
        // better tier already returned are skipped.
        let first = need + seen.len();
        let mut tier = build_tier(cx, kind, text)?;
        while results.len() < limit {
            let mut best: Option<i64> = None;
            for s in &mut tier.sources {
                if let Some(rid) = s.peek(cx, first)? {
                    best = Some(best.map_or(rid, |b: i64| b.min(rid)));
                }
            }
            let Some(rid) = best else { break };
            for s in &mut tier.sources {
                if s.peek(cx, first)? == Some(rid) {
                    s.advance();
                }
            }
            if !seen.insert(rid) {
                continue;
            }
            let (code, name, kind, domain) = detail.query_row([rid], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                ))
            })?;
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
        }
        if results.len() == limit {
            break;
        }
    }
    Ok(results)
}

/// The pinyin key of a query: its letters without white space, when it is
/// nothing but ASCII letters ("zhan dao" and "zdjy" both qualify).
fn latin_of(q: &str) -> Option<String> {
    let latin: String = q.chars().filter(|c| !c.is_whitespace()).collect();
    (!latin.is_empty() && latin.chars().all(|c| c.is_ascii_alphabetic())).then_some(latin)
}

/// The tiers to run for a normalised query, best first.
fn tier_kinds(q: &str) -> Vec<MatchKind> {
    let mut out = vec![
        MatchKind::NameExact,
        MatchKind::CodeExact,
        MatchKind::AliasExact,
        MatchKind::Prefix,
    ];
    if latin_of(q).is_some() {
        out.extend([
            MatchKind::InitialsExact,
            MatchKind::InitialsPrefix,
            MatchKind::PinyinPrefix,
        ]);
    }
    let n = q.chars().count();
    if n >= 2 {
        out.push(MatchKind::AliasWithin);
    }
    out.push(MatchKind::Substring);
    if near_applies(q) {
        out.push(MatchKind::Near);
    }
    out.extend([MatchKind::Domain, MatchKind::ProvisionText]);
    out
}

/// The rids (ascending) of the names that hold all but at most one of the
/// distinct characters of `q`, from the one-character posting lists: every
/// near pattern keeps at least that many of them.
fn near_candidates(cx: &Ctx<'_>, q: &str) -> Result<Vec<i64>, CatalogueError> {
    let mut distinct: Vec<char> = q.chars().filter(|c| !c.is_whitespace()).collect();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() < 2 {
        return Ok(Vec::new());
    }
    let need = distinct.len() - 1;
    let span = usize::try_from(cx.hi - cx.lo + 1).unwrap_or(0);
    let mut counts = vec![0u8; span];
    for c in &distinct {
        for rid in cx.posting(&index::key(ns::NAME, &[*c]))? {
            if let Some(n) = usize::try_from(rid - cx.lo)
                .ok()
                .and_then(|i| counts.get_mut(i))
            {
                *n = n.saturating_add(1);
            }
        }
    }
    Ok(counts
        .iter()
        .enumerate()
        .filter(|(_, n)| usize::from(**n) >= need)
        .map(|(i, _)| cx.lo + i as i64)
        .collect())
}

/// Candidates for "`column` starts with `p`": the sorted range when it is
/// small, else the posting list of the first one or two characters.
fn prefix_candidates(
    cx: &Ctx<'_>,
    column: &str,
    namespace: char,
    p: &str,
) -> Result<Vec<i64>, CatalogueError> {
    let chars: Vec<char> = p.chars().collect();
    if chars.len() >= 3
        && let Some(rids) = cx.range(column, p)?
    {
        return Ok(rids);
    }
    cx.posting(&index::key(namespace, &chars[..chars.len().min(2)]))
}

/// The first two letters of a query that looks like a matter code typed
/// without its hyphens (upper case): letters then digits, 3 to 16
/// characters, no hyphen. `None` for anything else.
fn compact_code_start(upper: &str) -> Option<String> {
    let letters = upper.bytes().take_while(u8::is_ascii_uppercase).count();
    let ok = (3..=16).contains(&upper.len())
        && letters >= 2
        && letters < upper.len()
        && upper
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        && upper.bytes().last().is_some_and(|b| b.is_ascii_digit());
    ok.then(|| upper[..2].to_owned())
}

/// The condition "`column` starts with `?a`" in the original range form.
fn range_cond(column: &str, a: usize) -> String {
    format!("s.{column} >= ?{a} AND s.{column} < ?{}", a + 1)
}

fn build_tier(cx: &Ctx<'_>, kind: MatchKind, q: &str) -> Result<Tier, CatalogueError> {
    let upper = q.to_ascii_uppercase();
    let long = q.chars().count() >= 3;
    let like = format!("%{}%", like_escape(q));
    let latin = latin_of(q).unwrap_or_default();
    let sources = match kind {
        MatchKind::NameExact => vec![Source::equal("name", q.to_owned().into())],
        MatchKind::CodeExact => {
            let mut v = vec![Source::equal("code", q.to_owned().into())];
            if upper != q {
                v.push(Source::equal("code", upper.clone().into()));
            }
            // A code typed without its hyphens (`cg001` for `CG-001`: the
            // hyphen is a second keyboard page on a phone): the codes that
            // start with the same two letters, compared without hyphens.
            if let Some(start) = compact_code_start(&upper) {
                v.push(Source::sql(
                    format!(
                        "SELECT s.rid FROM matter_search s WHERE s.release_id = ?1
                           AND s.code >= ?6 AND s.code < ?7 AND replace(s.code, '-', '') = ?8
                           AND s.rid > ?4 AND {SCOPE} ORDER BY s.rid LIMIT ?5"
                    ),
                    vec![
                        start.clone().into(),
                        prefix_end(&start).into(),
                        upper.clone().into(),
                    ],
                ));
            }
            v
        }
        MatchKind::Prefix => {
            let names = prefix_candidates(cx, "name", ns::NAME_START, q)?;
            // One candidate list serves both code forms: their first two
            // characters are the same once lower-cased.
            let ranges = if long {
                match (cx.range("code", &upper)?, cx.range("code", q)?) {
                    (Some(mut a), Some(b)) => {
                        a.extend(b);
                        a.sort_unstable();
                        a.dedup();
                        Some(a)
                    }
                    _ => None,
                }
            } else {
                None
            };
            let codes = match ranges {
                Some(rids) => rids,
                None => {
                    let chars: Vec<char> = q.chars().take(2).collect();
                    cx.posting(&index::key(ns::CODE_START, &chars))?
                }
            };
            vec![
                Source::candidates(
                    names,
                    range_cond("name", 5),
                    vec![q.to_owned().into(), prefix_end(q).into()],
                ),
                Source::candidates(
                    codes,
                    format!("({}) OR ({})", range_cond("code", 5), range_cond("code", 7)),
                    vec![
                        upper.clone().into(),
                        prefix_end(&upper).into(),
                        q.to_owned().into(),
                        prefix_end(q).into(),
                    ],
                ),
            ]
        }
        MatchKind::AliasExact => vec![Source::sql(
            format!(
                "SELECT a.rid FROM search_alias a JOIN matter_search s ON s.rid = a.rid
                 WHERE a.release_id = ?1 AND a.alias = ?6 AND a.rid > ?4 AND {SCOPE}
                 ORDER BY a.rid LIMIT ?5"
            ),
            vec![q.to_owned().into()],
        )],
        MatchKind::AliasWithin => {
            let mut v = vec![Source::sql(
                format!(
                    "SELECT DISTINCT a.rid FROM search_alias a JOIN matter_search s ON s.rid = a.rid
                     WHERE a.release_id = ?1 AND a.alias > ?6 AND a.alias < ?7 AND a.rid > ?4
                       AND {SCOPE} ORDER BY a.rid LIMIT ?5"
                ),
                vec![q.to_owned().into(), prefix_end(q).into()],
            )];
            let pieces = alias_pieces(q);
            if !pieces.is_empty() {
                let list = serde_json::to_string(&pieces)
                    .map_err(|e| CatalogueError::Corrupt(format!("alias pieces: {e}")))?;
                v.push(Source::sql(
                    format!(
                        "SELECT DISTINCT a.rid FROM search_alias a JOIN matter_search s ON s.rid = a.rid
                         WHERE a.release_id = ?1 AND a.alias IN (SELECT value FROM json_each(?6))
                           AND a.rid > ?4 AND {SCOPE} ORDER BY a.rid LIMIT ?5"
                    ),
                    vec![list.into()],
                ));
            }
            v
        }
        MatchKind::Near => {
            // One candidate list for every pattern: the names holding all
            // but at most one of the query's characters (what any one slip
            // leaves), each checked against the patterns.
            // One statement reads the candidates in rid order (a rowid
            // lookup each), so the tier pays no per-candidate statement.
            let patterns = near_patterns(q);
            let rids = near_candidates(cx, q)?;
            if patterns.is_empty() || rids.is_empty() {
                Vec::new()
            } else {
                let list = serde_json::to_string(&rids)
                    .map_err(|e| CatalogueError::Corrupt(format!("near candidates: {e}")))?;
                let mut cond = String::new();
                let mut params: Vec<Value> = vec![list.into()];
                for (i, p) in patterns.into_iter().enumerate() {
                    if i > 0 {
                        cond.push_str(" OR ");
                    }
                    cond.push_str(&format!("s.name LIKE ?{} ESCAPE '\\'", 7 + i));
                    params.push(p.like.into());
                }
                vec![Source::sql(
                    format!(
                        "SELECT s.rid FROM matter_search s
                         WHERE s.rid IN (SELECT value FROM json_each(?6)) AND s.rid > ?4
                           AND ({cond}) AND {SCOPE} ORDER BY s.rid LIMIT ?5"
                    ),
                    params,
                )]
            }
        }
        MatchKind::InitialsExact => vec![Source::equal("initials", latin.clone().into())],
        MatchKind::InitialsPrefix => vec![Source::candidates(
            prefix_candidates(cx, "initials", ns::INITIALS_START, &latin)?,
            range_cond("initials", 5),
            vec![latin.clone().into(), prefix_end(&latin).into()],
        )],
        MatchKind::PinyinPrefix => vec![Source::candidates(
            prefix_candidates(cx, "pinyin", ns::PINYIN_START, &latin)?,
            range_cond("pinyin", 5),
            vec![latin.clone().into(), prefix_end(&latin).into()],
        )],
        MatchKind::Substring => {
            let chars: Vec<char> = q.chars().collect();
            let mut v = vec![if long {
                Source::fts("search_name_fts", fts_phrase(q), cx.hi)
            } else {
                Source::candidates(
                    cx.posting(&index::key(ns::NAME, &chars))?,
                    "s.name LIKE ?5 ESCAPE '\\'",
                    vec![like.clone().into()],
                )
            }];
            if !latin.is_empty() {
                let l: Vec<char> = latin.chars().collect();
                let rids = if l.len() <= 2 {
                    cx.posting(&index::key(ns::PINYIN, &l))?
                } else {
                    let keys: Vec<String> =
                        l.windows(2).map(|w| index::key(ns::PINYIN, w)).collect();
                    cx.intersect(&keys)?
                };
                v.push(Source::candidates(
                    rids,
                    "s.pinyin LIKE ?5 ESCAPE '\\'",
                    vec![format!("%{}%", like_escape(&latin)).into()],
                ));
            }
            v
        }
        MatchKind::Domain => {
            // Domains are few: match the query against them, then read each
            // matching domain's posting list (its matters in rank order).
            let mut st = cx.conn.prepare_cached(
                "SELECT domain, ranks FROM search_domain WHERE release_id = ?1 AND domain LIKE ?2 ESCAPE '\\'",
            )?;
            let domains = st
                .query_map(
                    rusqlite::params_from_iter([cx.release.clone(), like.clone().into()]),
                    |r| Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?)),
                )?
                .collect::<Result<Vec<_>, _>>()?;
            domains
                .into_iter()
                .map(|(d, ranks)| {
                    Source::candidates(cx.ranks(&ranks), "s.domain = ?5", vec![d.into()])
                })
                .collect()
        }
        MatchKind::ProvisionText => {
            if long {
                vec![Source::fts("search_prov_fts", fts_phrase(q), cx.hi)]
            } else {
                let chars: Vec<char> = q.chars().collect();
                vec![Source::candidates(
                    cx.posting(&index::key(ns::PROVISION, &chars))?,
                    "EXISTS (SELECT 1 FROM matter_provision mp JOIN provision p
                               ON p.release_id = mp.release_id AND p.id = mp.provision_id
                             WHERE mp.matter_id = s.matter_id AND p.text LIKE ?5 ESCAPE '\\')",
                    vec![like.clone().into()],
                )]
            }
        }
    };
    Ok(Tier { kind, sources })
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
            let scores: Vec<u32> = tier_kinds(q).iter().map(|k| k.score()).collect();
            let mut sorted = scores.clone();
            sorted.sort_by(|a, b| b.cmp(a));
            assert_eq!(scores, sorted, "{q}");
        }
    }
}
