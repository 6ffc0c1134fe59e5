-- Device store schema version 4: a search index whose row order is the
-- ranking order, so every search tier can stop at its LIMIT.
--
-- Forward-only: a released migration file is never edited. The tables are
-- filled by the importer in the import transaction; for releases already
-- stored, the migration's backfill step (core/src/catalogue/index.rs) builds
-- them from the catalogue rows in the same transaction as this file.

-- One narrow row per matter (no JSON detail). `rid` is assigned in ranking
-- order within a release (name length in characters, then code), and each
-- release holds one contiguous block of rids, so a scan in rid order is a
-- scan in ranking order.
CREATE TABLE matter_search (
    rid        INTEGER PRIMARY KEY,
    release_id TEXT NOT NULL REFERENCES catalogue_release (id) ON DELETE CASCADE,
    matter_id  INTEGER NOT NULL,
    code       TEXT NOT NULL,
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL,
    domain     TEXT NOT NULL,
    pinyin     TEXT NOT NULL,
    initials   TEXT NOT NULL,
    name_len   INTEGER NOT NULL
) STRICT;
-- Equal keys come out in rid (= ranking) order: the rowid ends every index.
CREATE INDEX matter_search_name ON matter_search (release_id, name);
CREATE INDEX matter_search_code ON matter_search (release_id, code);
CREATE INDEX matter_search_initials ON matter_search (release_id, initials);
CREATE INDEX matter_search_pinyin ON matter_search (release_id, pinyin);

-- The rid block of each release.
CREATE TABLE search_release (
    release_id TEXT PRIMARY KEY REFERENCES catalogue_release (id) ON DELETE CASCADE,
    rid_lo     INTEGER NOT NULL,
    rid_hi     INTEGER NOT NULL
) STRICT;

-- The distinct domains of each release (a handful), so a domain query is
-- matched against them first; `ranks` is the domain's posting list (as in
-- search_gram below), so no index on matter_search.domain is kept.
CREATE TABLE search_domain (
    release_id TEXT NOT NULL REFERENCES catalogue_release (id) ON DELETE CASCADE,
    domain     TEXT NOT NULL,
    ranks      BLOB NOT NULL,
    PRIMARY KEY (release_id, domain)
) WITHOUT ROWID, STRICT;

-- Posting lists for one- and two-character keys (which trigram MATCH cannot
-- serve): `key` is a one-letter namespace plus the characters, `ranks` the
-- ascending rank offsets (rid − rid_lo) of the matters holding the key,
-- delta-encoded as LEB128 varints. See core/src/catalogue/index.rs.
CREATE TABLE search_gram (
    release_id TEXT NOT NULL REFERENCES catalogue_release (id) ON DELETE CASCADE,
    key        TEXT NOT NULL,
    ranks      BLOB NOT NULL,
    PRIMARY KEY (release_id, key)
) WITHOUT ROWID, STRICT;

-- Trigram indexes keyed by rid, so MATCH returns hits in ranking order.
-- Same tokenizer as the v1 tables they replace. A matter's provision
-- document is the text of each linked provision, one per line: a
-- normalised query never contains a line break, so no match can span two
-- provisions.
-- columnsize = 0: nothing ranks by bm25, so no per-row size table.
CREATE VIRTUAL TABLE search_name_fts USING fts5 (name, content = '', columnsize = 0, tokenize = 'trigram');
CREATE VIRTUAL TABLE search_prov_fts USING fts5 (text, content = '', columnsize = 0, tokenize = 'trigram');
-- A release is written in one transaction: with FTS5's default 1 MiB
-- buffer the provision index is flushed and merged dozens of times per
-- import; 32 MiB lets a 50,000-matter release go out as one segment.
INSERT INTO search_prov_fts (search_prov_fts, rank) VALUES ('hashsize', 33554432);

-- Township scope is checked per candidate: (township, matter) must be a
-- point lookup, not a scan of the township's adoptions.
CREATE INDEX adoption_by_matter ON adoption (release_id, township_code, matter_code);
DROP INDEX adoption_by_township;

-- Superseded by the tables above; nothing else reads them.
DROP INDEX matter_name;
DROP INDEX matter_initials;
DROP INDEX matter_pinyin;
DROP INDEX matter_domain;
DROP TABLE matter_fts;
DROP TABLE provision_fts;
