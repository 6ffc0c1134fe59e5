-- Device store schema version 3: simple-procedure cases (简易程序) as a
-- durable state machine, their timeline, offline document-number leases,
-- per-township configuration and the sync outbox.
--
-- Forward-only: a released migration file is never edited. STRICT tables.
-- Every case transition is ONE IMMEDIATE transaction that updates the case,
-- appends one case_event row and appends one outbox row (core/src/case).

-- Per-township configuration (number formats, payment scheme, authority
-- names), JSON validated by core/src/case/config.rs before it is stored.
CREATE TABLE township_config (
    township_code TEXT PRIMARY KEY,
    config        TEXT NOT NULL,   -- JSON of TownshipConfig
    updated_at    TEXT NOT NULL    -- RFC 3339, supplied by the caller
) STRICT;

-- One row per case. Queried columns are real columns; the whole typed state
-- (party, facts, records of each step) is the canonical JSON in `state`.
-- Party data is personal data: the store is SQLCipher-encrypted and no log
-- text carries it (Debug impls mask it).
CREATE TABLE enforcement_case (
    id            TEXT PRIMARY KEY,   -- UUIDv7
    township_code TEXT NOT NULL,
    matter_code   TEXT NOT NULL,
    release_id    TEXT NOT NULL REFERENCES catalogue_release (id),
    status        TEXT NOT NULL CHECK (status IN (
        'draft', 'party_and_facts', 'evidence', 'rights_told', 'decided',
        'issued', 'served', 'paid', 'collected_on_the_spot', 'overdue',
        'no_penalty', 'correction_ordered', 'corrected', 'filed', 'closed')),
    officer_a     TEXT NOT NULL REFERENCES officer (id),
    officer_b     TEXT NOT NULL REFERENCES officer (id),
    violation_time TEXT NOT NULL,     -- Beijing time, YYYY-MM-DDTHH:MM:SS
    version       INTEGER NOT NULL CHECK (version > 0),  -- 1 on create, +1 per transition
    state         TEXT NOT NULL,      -- canonical JSON of the Case
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    -- 行政处罚法 Art. 42: two distinct officers.
    CHECK (officer_a <> officer_b)
) STRICT;
CREATE INDEX enforcement_case_by_status ON enforcement_case (status, updated_at);
CREATE INDEX enforcement_case_by_township ON enforcement_case (township_code, status);

-- The timeline: one row per accepted transition (and the creation), in order.
CREATE TABLE case_event (
    case_id     TEXT NOT NULL REFERENCES enforcement_case (id),
    seq         INTEGER NOT NULL CHECK (seq > 0),   -- equals the case version it produced
    at          TEXT NOT NULL,                      -- RFC 3339
    kind        TEXT NOT NULL,                      -- event kind, snake_case
    from_status TEXT,                               -- NULL for the creation
    to_status   TEXT NOT NULL,
    mutation_id TEXT NOT NULL UNIQUE,               -- the outbox record it produced
    payload     TEXT NOT NULL,                      -- JSON of the event
    PRIMARY KEY (case_id, seq)
) STRICT;

-- Documents a case issued: canonical JSON of the typed document data and its
-- SHA-256. `stage` issued = the content as printed and handed over
-- (without the party's signature block); served = with the signature or the
-- refusal note (行政处罚法 Art. 52, 61).
CREATE TABLE case_document (
    case_id TEXT NOT NULL REFERENCES enforcement_case (id),
    kind    TEXT NOT NULL,        -- DocumentKind, snake_case
    stage   TEXT NOT NULL CHECK (stage IN ('issued', 'served')),
    number  TEXT NOT NULL,
    json    TEXT NOT NULL,
    sha256  TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (case_id, kind, stage)
) STRICT;

-- Number ranges (号段) leased to this device per township and series, per
-- year. Series: a document kind (decision_on_the_spot, order_to_correct) or
-- payment_code. `next` is the next number never handed out.
CREATE TABLE number_lease (
    id            TEXT PRIMARY KEY,   -- UUID
    township_code TEXT NOT NULL,
    series        TEXT NOT NULL,
    year          INTEGER NOT NULL CHECK (year BETWEEN 2000 AND 9999),
    start_no      INTEGER NOT NULL CHECK (start_no > 0),
    end_no        INTEGER NOT NULL,
    next_no       INTEGER NOT NULL,
    source        TEXT NOT NULL,      -- e.g. server, local_admin
    granted_at    TEXT NOT NULL,
    CHECK (end_no >= start_no),
    CHECK (next_no BETWEEN start_no AND end_no + 1)
) STRICT;
CREATE INDEX number_lease_by_series ON number_lease (township_code, series, year, start_no);

-- Overlapping leases are refused by the code and, as a last line, here.
CREATE TRIGGER number_lease_no_overlap BEFORE INSERT ON number_lease
WHEN EXISTS (
    SELECT 1 FROM number_lease l
    WHERE l.township_code = NEW.township_code AND l.series = NEW.series AND l.year = NEW.year
      AND l.start_no <= NEW.end_no AND NEW.start_no <= l.end_no)
BEGIN
    SELECT RAISE(ABORT, 'NUMBER_LEASE_OVERLAP');
END;

-- Every number handed out or voided. The primary key and the UNIQUE on the
-- formatted text make issuing a number twice impossible, crash or not: the
-- row is written in the same transaction as the case that uses it.
CREATE TABLE issued_number (
    township_code TEXT NOT NULL,
    series        TEXT NOT NULL,
    year          INTEGER NOT NULL,
    seq           INTEGER NOT NULL CHECK (seq > 0),
    lease_id      TEXT NOT NULL REFERENCES number_lease (id),
    formatted     TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('used', 'voided')),
    case_id       TEXT,
    issued_at     TEXT NOT NULL,
    void_reason   TEXT,
    voided_at     TEXT,
    PRIMARY KEY (township_code, series, year, seq),
    UNIQUE (series, formatted),
    CHECK ((status = 'voided') = (void_reason IS NOT NULL))
) STRICT;

-- The sync outbox: one record per accepted mutation, gapless per device.
CREATE TABLE outbox (
    device_id   TEXT NOT NULL,
    seq         INTEGER NOT NULL CHECK (seq > 0),
    mutation_id TEXT NOT NULL UNIQUE,   -- UUIDv7
    entity      TEXT NOT NULL,          -- case, number_lease, issued_number, township_config
    entity_id   TEXT NOT NULL,
    op          TEXT NOT NULL,
    payload     TEXT NOT NULL,          -- JSON
    created_at  TEXT NOT NULL,
    pushed_at   TEXT,                   -- set by the sync engine once acknowledged
    PRIMARY KEY (device_id, seq)
) STRICT;
CREATE INDEX outbox_pending ON outbox (pushed_at, seq);
