-- Device store schema version 13: the everyday names (俗称) of each
-- matter, searched as names are (issue 19: search in the officer's words).
--
-- One row per (alias, matter); the primary key yields a given alias's
-- matters in rid (= ranking) order. Filled by the importer in the import
-- transaction; releases stored before this version carried no aliases
-- (the field is new in the catalogue), so nothing is backfilled.
CREATE TABLE search_alias (
    release_id TEXT NOT NULL REFERENCES catalogue_release (id) ON DELETE CASCADE,
    alias      TEXT NOT NULL,
    rid        INTEGER NOT NULL,
    PRIMARY KEY (release_id, alias, rid)
) WITHOUT ROWID, STRICT;
