-- Device store schema version 8: joint inspections (综合查一次).
--
-- Forward-only: a released migration file is never edited. STRICT tables.
--
-- The catalogue part (departments, inspection items, scenarios) is written
-- by the catalogue import in the release's transaction, like matters; a
-- release imported before v8 simply has none (its package had none).
-- Inspections are device-owned records kept as one JSON state per
-- inspection (core/src/inspection/mod.rs), like cases; every accepted step
-- writes the state, one timeline row and one outbox record in one
-- IMMEDIATE transaction. Party data inside the state is personal data:
-- the whole store is SQLCipher-encrypted.

CREATE TABLE inspection_department (
    release_id TEXT NOT NULL REFERENCES catalogue_release (id),
    code       TEXT NOT NULL,
    name       TEXT NOT NULL,
    PRIMARY KEY (release_id, code)
) STRICT;

CREATE TABLE inspection_item (
    release_id      TEXT NOT NULL REFERENCES catalogue_release (id),
    code            TEXT NOT NULL,
    department      TEXT NOT NULL,
    subject         TEXT NOT NULL,
    method          TEXT NOT NULL,
    basis           TEXT NOT NULL,      -- JSON array of provision ids
    violation       TEXT NOT NULL,
    matter_code     TEXT,
    correction_days INTEGER NOT NULL CHECK (correction_days BETWEEN 1 AND 90),
    PRIMARY KEY (release_id, code),
    FOREIGN KEY (release_id, department) REFERENCES inspection_department (release_id, code)
) STRICT;

CREATE TABLE inspection_scenario (
    release_id  TEXT NOT NULL REFERENCES catalogue_release (id),
    code        TEXT NOT NULL,
    name        TEXT NOT NULL,
    description TEXT,
    ord         INTEGER NOT NULL,
    PRIMARY KEY (release_id, code)
) STRICT;

CREATE TABLE inspection_scenario_item (
    release_id TEXT NOT NULL,
    scenario   TEXT NOT NULL,
    ord        INTEGER NOT NULL,
    item       TEXT NOT NULL,
    PRIMARY KEY (release_id, scenario, ord),
    FOREIGN KEY (release_id, scenario) REFERENCES inspection_scenario (release_id, code),
    FOREIGN KEY (release_id, item) REFERENCES inspection_item (release_id, code)
) STRICT;

-- One inspection: its whole state as JSON, plus the columns lists filter on.
CREATE TABLE inspection (
    id         TEXT PRIMARY KEY,            -- UUIDv7
    township   TEXT NOT NULL,
    release_id TEXT NOT NULL,
    status     TEXT NOT NULL CHECK (status IN ('open', 'finished')),
    version    INTEGER NOT NULL CHECK (version >= 1),
    state      TEXT NOT NULL,               -- JSON of core::inspection::Inspection
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;
CREATE INDEX inspection_by_status ON inspection (status, created_at);

-- Every accepted step, in order (the inspection's timeline).
CREATE TABLE inspection_event (
    inspection_id TEXT NOT NULL REFERENCES inspection (id),
    version       INTEGER NOT NULL,
    step          TEXT NOT NULL,
    payload       TEXT NOT NULL,
    at            TEXT NOT NULL,
    PRIMARY KEY (inspection_id, version)
) STRICT;

-- Tasks on the device: follow-up checks (复查) the device made from its
-- orders to correct, and tasks the command centre assigned (inbox).
CREATE TABLE task (
    id            TEXT PRIMARY KEY,          -- UUID
    origin        TEXT NOT NULL CHECK (origin IN ('device', 'server')),
    kind          TEXT NOT NULL CHECK (kind IN ('follow_up', 'complaint', 'random_inspection')),
    status        TEXT NOT NULL CHECK (status IN ('assigned', 'accepted', 'done')),
    township      TEXT NOT NULL,
    place         TEXT NOT NULL,
    party_name    TEXT,
    detail        TEXT NOT NULL,
    due_on        TEXT,                      -- YYYY-MM-DD (Beijing)
    inspection_id TEXT,                      -- the inspection that made it, or handled it
    item_code     TEXT,
    department    TEXT,
    payload       TEXT NOT NULL,             -- JSON: the whole task as received or made
    created_at    TEXT NOT NULL,
    accepted_at   TEXT,
    done_at       TEXT,
    result        TEXT                       -- JSON of the report
) STRICT;
CREATE INDEX task_by_status ON task (status, due_on);
