-- zhifa-server migration 0019 (both databases): each township's adoption
-- of the optional (赋权自选) matters, edited by the console's
-- administrators and published as a catalogue release (issue 17;
-- server/src/adoption/). The published adoption itself is the latest
-- release's package; these tables hold the draft not yet published and
-- what each publication changed (who, when, which matters).
CREATE TABLE IF NOT EXISTS adoption_draft (
    township     TEXT PRIMARY KEY,
    matters      TEXT NOT NULL,
    base_release TEXT NOT NULL,
    updated_by   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS adoption_publication (
    release_id     TEXT PRIMARY KEY,
    township       TEXT NOT NULL,
    base_release   TEXT NOT NULL,
    effective_from TEXT NOT NULL,
    added          TEXT NOT NULL,
    removed        TEXT NOT NULL,
    published_by   TEXT NOT NULL,
    published_at   TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS adoption_publication_by_township ON adoption_publication (township, published_at);
