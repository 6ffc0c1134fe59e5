-- Device store schema (numbered 0010 on the sync branch; the lead
-- renumbers at merge): number-lease grants the device could not apply.
--
-- A lease the server granted that overlaps a range the device already
-- holds (e.g. local leases of the sample app before enrolment) cannot be
-- applied: the core refuses it (NUMBER_LEASE_OVERLAP). It is kept here as
-- a conflict the officer sees (`zhifa sync`, engine::conflicts) until it is
-- resolved, and the sync session goes on with its other streams.
--
-- Forward-only: a released migration file is never edited. STRICT tables.
CREATE TABLE sync_lease_conflict (
    lease_id    TEXT PRIMARY KEY,      -- the server's lease id
    township    TEXT NOT NULL,
    series      TEXT NOT NULL,
    year        INTEGER NOT NULL,
    start_no    INTEGER NOT NULL,
    end_no      INTEGER NOT NULL,
    code        TEXT NOT NULL,         -- stable code, e.g. NUMBER_LEASE_OVERLAP
    message     TEXT NOT NULL,
    at          TEXT NOT NULL,
    resolved_at TEXT
) STRICT;
