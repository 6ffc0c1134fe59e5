-- Device store schema version 1: settings and the matter catalogue.
--
-- Forward-only: a released migration file is never edited. Every table is
-- STRICT so that a wrong type is refused by SQLite itself rather than stored.

CREATE TABLE setting (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

-- One row per imported catalogue release. Old releases stay readable after a
-- newer one arrives: a case binds to the release in force on its violation date.
CREATE TABLE catalogue_release (
    id             TEXT PRIMARY KEY,
    region         TEXT NOT NULL,
    region_name    TEXT NOT NULL,
    title          TEXT NOT NULL,
    issued_on      TEXT NOT NULL,   -- YYYY-MM-DD
    effective_from TEXT NOT NULL,   -- YYYY-MM-DD
    sample         INTEGER NOT NULL CHECK (sample IN (0, 1)),
    notice         TEXT,
    digest         TEXT NOT NULL,   -- SHA-256 (hex) of the package JSON as imported
    imported_at    TEXT NOT NULL,   -- RFC 3339, supplied by the caller
    calendar       TEXT NOT NULL    -- JSON of the release's working-day calendar
) STRICT;
CREATE INDEX catalogue_release_effective ON catalogue_release (effective_from, issued_on);

CREATE TABLE provision (
    release_id     TEXT NOT NULL REFERENCES catalogue_release (id) ON DELETE CASCADE,
    id             TEXT NOT NULL,
    law            TEXT NOT NULL,
    article        INTEGER NOT NULL,
    clause         INTEGER,
    item           INTEGER,
    text           TEXT NOT NULL,
    effective_from TEXT NOT NULL,
    effective_to   TEXT,
    PRIMARY KEY (release_id, id)
) STRICT;

CREATE TABLE matter (
    id         INTEGER PRIMARY KEY,
    release_id TEXT NOT NULL REFERENCES catalogue_release (id) ON DELETE CASCADE,
    code       TEXT NOT NULL,
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('statutory', 'empowered_common', 'empowered_optional', 'entrusted')),
    domain     TEXT NOT NULL,
    department TEXT NOT NULL,
    pinyin     TEXT NOT NULL,   -- full pinyin of the name, lower case, no separators
    initials   TEXT NOT NULL,   -- pinyin initials of the name, lower case
    name_len   INTEGER NOT NULL,
    detail     TEXT NOT NULL,   -- JSON of the whole matter as published
    UNIQUE (release_id, code)
) STRICT;
CREATE INDEX matter_name ON matter (release_id, name);
CREATE INDEX matter_initials ON matter (release_id, initials);
CREATE INDEX matter_pinyin ON matter (release_id, pinyin);
CREATE INDEX matter_domain ON matter (release_id, domain);

-- Which provisions a matter violates (违则) or is penalised under (罚则).
CREATE TABLE matter_provision (
    matter_id    INTEGER NOT NULL REFERENCES matter (id) ON DELETE CASCADE,
    release_id   TEXT NOT NULL,
    provision_id TEXT NOT NULL,
    role         TEXT NOT NULL CHECK (role IN ('violated', 'penalty')),
    ord          INTEGER NOT NULL,
    PRIMARY KEY (matter_id, role, ord),
    FOREIGN KEY (release_id, provision_id) REFERENCES provision (release_id, id) ON DELETE CASCADE
) STRICT;
CREATE INDEX matter_provision_by_provision ON matter_provision (release_id, provision_id);

CREATE TABLE township (
    release_id TEXT NOT NULL REFERENCES catalogue_release (id) ON DELETE CASCADE,
    code       TEXT NOT NULL,
    name       TEXT NOT NULL,
    district   TEXT NOT NULL,
    short_name TEXT NOT NULL,
    PRIMARY KEY (release_id, code)
) STRICT;

CREATE TABLE adoption (
    release_id    TEXT NOT NULL,
    township_code TEXT NOT NULL,
    matter_code   TEXT NOT NULL,
    adopted_from  TEXT NOT NULL,
    adopted_to    TEXT,
    FOREIGN KEY (release_id, township_code) REFERENCES township (release_id, code) ON DELETE CASCADE,
    FOREIGN KEY (release_id, matter_code) REFERENCES matter (release_id, code) ON DELETE CASCADE
) STRICT;
CREATE INDEX adoption_by_township ON adoption (release_id, township_code);

-- Trigram full-text indexes (CJK has no word breaks). Trigram MATCH needs
-- three or more characters; shorter queries fall back to LIKE.
CREATE VIRTUAL TABLE matter_fts USING fts5 (name, content = 'matter', content_rowid = 'id', tokenize = 'trigram');
CREATE VIRTUAL TABLE provision_fts USING fts5 (text, content = 'provision', content_rowid = 'rowid', tokenize = 'trigram');
