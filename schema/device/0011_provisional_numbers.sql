-- Device store schema version 11: provisional document numbers (sync.md
-- §5 and §9 open question 1, scenario T27) and the resolution of refused
-- lease grants.
--
-- 行政处罚法 Art. 52 requires the on-the-spot decision on a pre-formatted,
-- numbered form (“预定格式、编有号码”). When every leased number of the
-- decision series is used up offline, a township whose policy allows it
-- (`number_policy = 'provisional'`, published in the catalogue) prints a
-- provisional number `T{township}-D{device}-{seq}` instead; the server
-- assigns the final number of the township's series at sync and sends it
-- back through the inbox. Whether a township may do so is a legal decision
-- (sync.md §9.1), hence a policy whose default is 'lease_only' (refuse).
--
-- Forward-only: a released migration file is never edited. STRICT tables.

-- The township's numbering policy as published in its catalogue release.
-- Releases imported before v11 keep the conservative default.
ALTER TABLE township ADD COLUMN number_policy TEXT NOT NULL DEFAULT 'lease_only'
    CHECK (number_policy IN ('lease_only', 'provisional'));

-- Every provisional number this device printed. `device_seq` is the
-- device-local gapless counter (max + 1 inside the consuming transaction;
-- the store has one writer, so two app instances cannot take the same
-- one, and a crash rolls the number back with its case step). The final
-- number arrives from the server (inbox `number.assigned`) and is kept
-- beside it: the provisional → final mapping a legal reviewer traces.
CREATE TABLE provisional_number (
    device_seq    INTEGER PRIMARY KEY CHECK (device_seq > 0),
    provisional   TEXT NOT NULL UNIQUE,
    township_code TEXT NOT NULL,
    series        TEXT NOT NULL,
    year          INTEGER NOT NULL,
    case_id       TEXT,
    issued_at     TEXT NOT NULL,
    final_number  TEXT UNIQUE,
    final_seq     INTEGER,
    assigned_at   TEXT
) STRICT;
CREATE INDEX provisional_number_by_case ON provisional_number (case_id);

-- The final document number is a server-owned field of the case.
ALTER TABLE case_server_state ADD COLUMN document_number TEXT;

-- A refused lease grant is resolved like a rejected mutation: acknowledged
-- with the officer's note (it has no outbox record, so it is keyed by the
-- server's lease id, not by an outbox seq).
ALTER TABLE sync_lease_conflict ADD COLUMN resolution TEXT
    CHECK (resolution IS NULL OR resolution = 'acknowledged');
ALTER TABLE sync_lease_conflict ADD COLUMN note TEXT;
