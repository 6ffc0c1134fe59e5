-- Device store schema version 5: a smaller, faster-to-write catalogue: the
-- matter detail compressed with a dictionary trained on its release, and
-- the two largest link tables as single B-trees.
--
-- Forward-only: a released migration file is never edited. The full JSON
-- of a matter was half of a large release's store and the largest cost of
-- its import (docs/BENCHMARKS.md); zstd against a per-release dictionary
-- keeps it in about an eighth. Rows written from v5 on leave the v1 text
-- column `matter.detail` empty and fill `detail_z`; the migration's
-- backfill (core/src/catalogue/detail.rs) converts the releases already
-- stored, in the same transaction as this file.

ALTER TABLE matter ADD COLUMN detail_z BLOB;

-- The zstd dictionary of a release, when it had enough matters to train
-- one; without a row here its details are plain zstd frames.
CREATE TABLE catalogue_dict (
    release_id TEXT PRIMARY KEY REFERENCES catalogue_release (id) ON DELETE CASCADE,
    dict       BLOB NOT NULL
) STRICT;

-- The two largest link tables become single B-trees. A rowid table plus an
-- index holding the same key costs two inserts per row: 300,000 extra
-- B-tree inserts for a 50,000-matter release. The importer's validator
-- has refused a township adopting one matter twice since v1, so
-- (release, township, matter) is unique.
CREATE TABLE adoption_v5 (
    release_id    TEXT NOT NULL,
    township_code TEXT NOT NULL,
    matter_code   TEXT NOT NULL,
    adopted_from  TEXT NOT NULL,
    adopted_to    TEXT,
    PRIMARY KEY (release_id, township_code, matter_code),
    FOREIGN KEY (release_id, township_code) REFERENCES township (release_id, code) ON DELETE CASCADE,
    FOREIGN KEY (release_id, matter_code) REFERENCES matter (release_id, code) ON DELETE CASCADE
) WITHOUT ROWID, STRICT;
INSERT INTO adoption_v5 (release_id, township_code, matter_code, adopted_from, adopted_to)
    SELECT release_id, township_code, matter_code, adopted_from, adopted_to FROM adoption;
DROP TABLE adoption;
ALTER TABLE adoption_v5 RENAME TO adoption;

CREATE TABLE matter_provision_v5 (
    matter_id    INTEGER NOT NULL REFERENCES matter (id) ON DELETE CASCADE,
    release_id   TEXT NOT NULL,
    provision_id TEXT NOT NULL,
    role         TEXT NOT NULL CHECK (role IN ('violated', 'penalty')),
    ord          INTEGER NOT NULL,
    PRIMARY KEY (matter_id, role, ord),
    FOREIGN KEY (release_id, provision_id) REFERENCES provision (release_id, id) ON DELETE CASCADE
) WITHOUT ROWID, STRICT;
INSERT INTO matter_provision_v5 (matter_id, release_id, provision_id, role, ord)
    SELECT matter_id, release_id, provision_id, role, ord FROM matter_provision;
DROP TABLE matter_provision;
ALTER TABLE matter_provision_v5 RENAME TO matter_provision;
CREATE INDEX matter_provision_by_provision ON matter_provision (release_id, provision_id);
