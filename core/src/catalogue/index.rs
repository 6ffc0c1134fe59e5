//! The search index of a release (schema v4): narrow rows in ranking order,
//! posting lists for one- and two-character keys, and trigram indexes keyed
//! by rank.
//!
//! Every matter of a release gets a `rid` in ranking order (name length in
//! characters, then code, both as [`super::search`] orders hits), and each
//! release one contiguous block of rids. Whatever produces candidates in rid
//! order — an index on equal keys, a posting list, an FTS5 `MATCH` keyed by
//! rid — therefore produces them best first, and a search tier can stop as
//! soon as it has enough.
//!
//! Posting-list keys are a namespace letter followed by one or two
//! characters (ASCII letters lower-cased, as SQLite's `LIKE` folds them):
//!
//! | key | holds the matters whose … |
//! |---|---|
//! | `n` + g | name contains g |
//! | `N` + g | name starts with g |
//! | `C` + g | code starts with g |
//! | `I` + g | pinyin initials start with g |
//! | `P` + g | full pinyin starts with g |
//! | `p` + g | full pinyin contains g |
//! | `v` + g | text of a linked provision contains g |
//!
//! Each distinct domain has its posting list in `search_domain`, and each
//! everyday name (俗称) its matters in `search_alias` (schema v13).
//!
//! The importer builds the index in the import transaction; migration 0004
//! builds it for releases stored before v4 from their catalogue rows
//! ([`backfill`]), through the same code.

use std::collections::HashMap;

use rusqlite::{Connection, params};

/// Namespace letters of the posting-list keys (see the module documentation).
pub(crate) mod ns {
    pub(crate) const NAME: char = 'n';
    pub(crate) const NAME_START: char = 'N';
    pub(crate) const CODE_START: char = 'C';
    pub(crate) const INITIALS_START: char = 'I';
    pub(crate) const PINYIN_START: char = 'P';
    pub(crate) const PINYIN: char = 'p';
    pub(crate) const PROVISION: char = 'v';
}

/// Separates a matter's provision texts in its `search_prov_fts` document.
/// A normalised query never contains it (white space is folded to spaces).
const PROVISION_SEPARATOR: &str = "\n";

/// A release with more matters than the search index can rank (2^32 − 1).
#[derive(Debug, thiserror::Error)]
#[error("发布版本有 {count} 个事项，超过检索索引上限 {max}", max = u32::MAX)]
pub(crate) struct TooManyMatters {
    /// The number of matters offered.
    pub(crate) count: usize,
}

/// One matter as the index needs it.
pub(crate) struct IndexMatter {
    pub(crate) matter_id: i64,
    pub(crate) code: String,
    pub(crate) name: String,
    pub(crate) kind: String,
    pub(crate) domain: String,
    pub(crate) pinyin: String,
    pub(crate) initials: String,
    pub(crate) name_len: i64,
    /// Texts of the linked provisions (violated and penalty).
    pub(crate) provisions: Vec<String>,
    /// Everyday names (俗称), normalised as queries are.
    pub(crate) aliases: Vec<String>,
}

/// The posting key of `chars` in namespace `ns`, ASCII lower-cased.
pub(crate) fn key(ns: char, chars: &[char]) -> String {
    let mut k = String::with_capacity(1 + 4 * chars.len());
    k.push(ns);
    k.extend(chars.iter().map(char::to_ascii_lowercase));
    k
}

/// A posting list under construction: ranks ascending, each appended once.
#[derive(Default)]
struct Posting {
    /// The last rank appended plus one (0 when empty).
    next: u32,
    bytes: Vec<u8>,
}

impl Posting {
    fn push(&mut self, rank: u32) {
        if !self.bytes.is_empty() && rank < self.next {
            // Already holds this rank (matters are added in rank order).
            return;
        }
        let mut delta = rank - self.next;
        loop {
            let b = (delta & 0x7f) as u8;
            delta >>= 7;
            if delta == 0 {
                self.bytes.push(b);
                break;
            }
            self.bytes.push(b | 0x80);
        }
        self.next = rank + 1;
    }
}

/// Decodes a posting list written by [`Posting`] into ascending ranks.
pub(crate) fn decode(bytes: &[u8]) -> Vec<u32> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut next: u32 = 0;
    let mut delta: u32 = 0;
    let mut shift = 0u32;
    for &b in bytes {
        delta |= u32::from(b & 0x7f).checked_shl(shift).unwrap_or(0);
        if b & 0x80 == 0 {
            let rank = next.saturating_add(delta);
            out.push(rank);
            next = rank.saturating_add(1);
            delta = 0;
            shift = 0;
        } else {
            shift += 7;
        }
    }
    out
}

/// A posting key packed into 64 bits: the namespace letter, then up to two
/// characters (ASCII lower-cased), 21 bits each; [`NO_CHAR`] pads a
/// one-character key. Packing spares the import a `String` per window: a
/// 50,000-matter release adds about 8.6 million windows to some 2,000 keys.
type PackedKey = u64;

/// Pads a one-character [`PackedKey`]: above every `char` (at most U+10FFFF).
const NO_CHAR: u64 = 0x1F_FFFF;

fn pack(ns: char, chars: &[char]) -> PackedKey {
    let c = |i: usize| {
        chars
            .get(i)
            .map_or(NO_CHAR, |c| u64::from(u32::from(c.to_ascii_lowercase())))
    };
    (u64::from(u32::from(ns)) << 42) | (c(0) << 21) | c(1)
}

fn unpack(k: PackedKey) -> String {
    let mut out = String::with_capacity(9);
    for bits in [k >> 42, (k >> 21) & NO_CHAR, k & NO_CHAR] {
        // Every field was packed from a `char` or is NO_CHAR (not one).
        if let Some(c) = u32::try_from(bits).ok().and_then(char::from_u32) {
            out.push(c);
        }
    }
    out
}

/// Posting lists keyed by [`PackedKey`], hashed with FxHash (rustc-hash).
/// The default SipHash resists hash flooding, which keys packed from our
/// own package cannot mount, and cost most of the posting-list build: one
/// hash per window, millions per import.
type KeyMap<V> = rustc_hash::FxHashMap<PackedKey, V>;

#[derive(Default)]
struct Postings {
    map: KeyMap<Posting>,
}

impl Postings {
    fn add(&mut self, ns: char, chars: &[char], rank: u32) {
        self.map.entry(pack(ns, chars)).or_default().push(rank);
    }

    /// Every one- and two-character window of `chars`.
    fn windows(&mut self, ns: char, chars: &[char], rank: u32) {
        for i in 0..chars.len() {
            self.add(ns, &chars[i..i + 1], rank);
            if i + 1 < chars.len() {
                self.add(ns, &chars[i..i + 2], rank);
            }
        }
    }

    /// The first one and two characters of `chars`.
    fn starts(&mut self, ns: char, chars: &[char], rank: u32) {
        for n in 1..=chars.len().min(2) {
            self.add(ns, &chars[..n], rank);
        }
    }

    /// The keys (as stored) and their lists, in key order.
    fn into_sorted(self) -> Vec<(String, Posting)> {
        let mut out: Vec<(String, Posting)> =
            self.map.into_iter().map(|(k, p)| (unpack(k), p)).collect();
        out.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        out
    }
}

/// Writes the search index of `release_id`. `matters` may come in any order.
pub(crate) fn write(
    conn: &Connection,
    release_id: &str,
    mut matters: Vec<IndexMatter>,
) -> rusqlite::Result<()> {
    matters.sort_by(|a, b| (a.name_len, a.code.as_str()).cmp(&(b.name_len, b.code.as_str())));
    let base: i64 = conn.query_row(
        "SELECT coalesce(max(rid), 0) + 1 FROM matter_search",
        [],
        |r| r.get(0),
    )?;
    // Posting lists hold u32 ranks. No real release comes near 2^32 matters
    // (the package would be terabytes), but refuse one rather than wrap.
    let count = u32::try_from(matters.len()).map_err(|_| {
        rusqlite::Error::ToSqlConversionFailure(Box::new(TooManyMatters {
            count: matters.len(),
        }))
    })?;
    // The posting lists are pure computation over the sorted matters: a
    // worker builds them while this thread inserts the rows.
    let ((postings, domains), rows) = crate::par::join(
        || build_postings(&matters, count),
        || insert_rows(conn, release_id, base, &matters, count),
    );
    rows?;
    let hi = base + matters.len() as i64 - 1;
    conn.execute(
        "INSERT INTO search_release (release_id, rid_lo, rid_hi) VALUES (?1, ?2, ?3)",
        params![release_id, base, hi],
    )?;
    let mut ins_domain =
        conn.prepare("INSERT INTO search_domain (release_id, domain, ranks) VALUES (?1, ?2, ?3)")?;
    for (d, p) in domains {
        ins_domain.execute(params![release_id, d, p.bytes])?;
    }
    // Only a release with aliases touches search_alias: the v4 backfill
    // runs this function before migration 13 creates the table.
    if matters.iter().any(|m| !m.aliases.is_empty()) {
        let mut ins_alias = conn.prepare(
            "INSERT OR IGNORE INTO search_alias (release_id, alias, rid) VALUES (?1, ?2, ?3)",
        )?;
        for (rank, m) in (0..count).zip(&matters) {
            for a in &m.aliases {
                ins_alias.execute(params![release_id, a, base + i64::from(rank)])?;
            }
        }
    }
    let keys = postings.into_sorted();
    let mut ins_gram =
        conn.prepare("INSERT INTO search_gram (release_id, key, ranks) VALUES (?1, ?2, ?3)")?;
    for (k, p) in keys {
        ins_gram.execute(params![release_id, k, p.bytes])?;
    }
    Ok(())
}

/// Inserts the narrow rows and the trigram documents of `matters` (sorted,
/// `count` of them) at rids from `base`.
fn insert_rows(
    conn: &Connection,
    release_id: &str,
    base: i64,
    matters: &[IndexMatter],
    count: u32,
) -> rusqlite::Result<()> {
    let mut ins = conn.prepare(
        "INSERT INTO matter_search (rid, release_id, matter_id, code, name, kind, domain, pinyin, initials, name_len)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?;
    let mut ins_name = conn.prepare("INSERT INTO search_name_fts (rowid, name) VALUES (?1, ?2)")?;
    let mut ins_prov = conn.prepare("INSERT INTO search_prov_fts (rowid, text) VALUES (?1, ?2)")?;
    for (rank, m) in (0..count).zip(matters) {
        let rid = base + i64::from(rank);
        ins.execute(params![
            rid,
            release_id,
            m.matter_id,
            m.code,
            m.name,
            m.kind,
            m.domain,
            m.pinyin,
            m.initials,
            m.name_len
        ])?;
        ins_name.execute(params![rid, m.name])?;
        if !m.provisions.is_empty() {
            ins_prov.execute(params![rid, m.provisions.join(PROVISION_SEPARATOR)])?;
        }
    }
    Ok(())
}

/// The posting lists and per-domain lists of `matters` (sorted, `count`
/// of them; rank = position).
fn build_postings(matters: &[IndexMatter], count: u32) -> (Postings, HashMap<&str, Posting>) {
    let mut postings = Postings::default();
    // Each distinct domain's matters, in rank order (a handful of lists).
    let mut domains: HashMap<&str, Posting> = HashMap::new();
    let mut chars: Vec<char> = Vec::new();
    for (rank, m) in (0..count).zip(matters) {
        domains.entry(&m.domain).or_default().push(rank);
        chars.clear();
        chars.extend(m.name.chars());
        postings.windows(ns::NAME, &chars, rank);
        postings.starts(ns::NAME_START, &chars, rank);
        chars.clear();
        chars.extend(m.code.chars());
        postings.starts(ns::CODE_START, &chars, rank);
        chars.clear();
        chars.extend(m.initials.chars());
        postings.starts(ns::INITIALS_START, &chars, rank);
        chars.clear();
        chars.extend(m.pinyin.chars());
        postings.starts(ns::PINYIN_START, &chars, rank);
        postings.windows(ns::PINYIN, &chars, rank);
        for text in &m.provisions {
            chars.clear();
            chars.extend(text.chars());
            postings.windows(ns::PROVISION, &chars, rank);
        }
    }
    (postings, domains)
}

/// Builds the search index of every release that has none (migration 0004).
pub(crate) fn backfill(conn: &Connection) -> rusqlite::Result<()> {
    let releases: Vec<String> = conn
        .prepare(
            "SELECT id FROM catalogue_release r
             WHERE NOT EXISTS (SELECT 1 FROM search_release s WHERE s.release_id = r.id)
             ORDER BY id",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for release in releases {
        let mut texts: HashMap<i64, Vec<String>> = HashMap::new();
        let mut st = conn.prepare(
            "SELECT mp.matter_id, p.text FROM matter_provision mp
             JOIN provision p ON p.release_id = mp.release_id AND p.id = mp.provision_id
             WHERE mp.release_id = ?1 ORDER BY mp.matter_id, mp.role DESC, mp.ord",
        )?;
        let rows = st.query_map([&release], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
        })?;
        for row in rows {
            let (id, text) = row?;
            texts.entry(id).or_default().push(text);
        }
        let mut st = conn.prepare(
            "SELECT id, code, name, kind, domain, pinyin, initials, name_len FROM matter WHERE release_id = ?1",
        )?;
        let matters = st
            .query_map([&release], |r| {
                Ok(IndexMatter {
                    matter_id: r.get(0)?,
                    code: r.get(1)?,
                    name: r.get(2)?,
                    kind: r.get(3)?,
                    domain: r.get(4)?,
                    pinyin: r.get(5)?,
                    initials: r.get(6)?,
                    name_len: r.get(7)?,
                    provisions: Vec::new(),
                    // Releases stored before v13 carried no aliases.
                    aliases: Vec::new(),
                })
            })?
            .map(|m| {
                m.map(|mut m| {
                    m.provisions = texts.remove(&m.matter_id).unwrap_or_default();
                    m
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        write(conn, &release, matters)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postings_round_trip_and_dedupe() {
        let mut p = Posting::default();
        for r in [0, 0, 1, 5, 5, 200, 70_000, 70_001] {
            p.push(r);
        }
        assert_eq!(decode(&p.bytes), vec![0, 1, 5, 200, 70_000, 70_001]);
        assert_eq!(decode(&[]), Vec::<u32>::new());
    }

    #[test]
    fn keys_fold_ascii_only() {
        assert_eq!(key(ns::NAME, &['A', 'Ä']), "naÄ");
    }

    #[test]
    fn packed_keys_unpack_to_the_stored_keys() {
        for (ns, chars) in [
            (ns::NAME, &['A', 'Ä'][..]),
            (ns::PINYIN, &['z'][..]),
            (ns::PROVISION, &['\u{10FFFF}', '\0'][..]),
            (ns::CODE_START, &['S', '-'][..]),
        ] {
            assert_eq!(unpack(pack(ns, chars)), key(ns, chars));
        }
        assert_ne!(pack(ns::NAME, &['a']), pack(ns::NAME, &['a', 'a']));
    }
}
