-- zhifa-server migration 0001 (SQLite): the base schema. Applied once by
-- the migration runner (server/src/store/migrate.rs); never edited after
-- it shipped — a change is a new migration, in both dialects.
--
-- One writer connection owns every write (server/src/store.rs), so the
-- inbox cursor (an INTEGER PRIMARY KEY assigned inside the write
-- transaction) equals commit order: a pull never skips a row that
-- commits later with a smaller cursor (sync.md F1, §6.11).

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

-- Officers and their jurisdiction. `district` is the 6-digit county code
-- (the township code's first six digits); a district_supervisor sees the
-- whole district.
CREATE TABLE officer (
    id       TEXT PRIMARY KEY,
    name     TEXT NOT NULL,
    township TEXT NOT NULL,
    district TEXT NOT NULL,
    role     TEXT NOT NULL CHECK (role IN ('officer', 'district_supervisor'))
) STRICT;

-- One-time enrolment codes, stored as SHA-256 of the code.
CREATE TABLE enrol_code (
    code_sha256 TEXT PRIMARY KEY,
    officer_id  TEXT NOT NULL REFERENCES officer (id),
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    used_at     TEXT,
    device_id   TEXT
) STRICT;

CREATE TABLE device (
    id          TEXT PRIMARY KEY,
    officer_id  TEXT NOT NULL REFERENCES officer (id),
    public_key  TEXT NOT NULL,
    enrolled_at TEXT NOT NULL,
    revoked_at  TEXT,
    last_seq    INTEGER NOT NULL DEFAULT 0
) STRICT;

-- Access and refresh tokens, stored as SHA-256 of the token.
CREATE TABLE token (
    token_sha256 TEXT PRIMARY KEY,
    device_id    TEXT NOT NULL REFERENCES device (id),
    kind         TEXT NOT NULL CHECK (kind IN ('access', 'refresh')),
    expires_at   TEXT NOT NULL,
    used_at      TEXT
) STRICT;

-- The idempotency ledger: one row per (device, seq), written in the same
-- transaction as the mutation's effects.
CREATE TABLE ledger (
    device_id      TEXT NOT NULL,
    seq            INTEGER NOT NULL,
    mutation_id    TEXT NOT NULL,
    payload_sha256 TEXT NOT NULL,
    entity         TEXT NOT NULL,
    entity_id      TEXT NOT NULL,
    op             TEXT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('applied', 'rejected')),
    code           TEXT,
    message        TEXT,
    device_time    TEXT NOT NULL,
    received_at    TEXT NOT NULL,
    PRIMARY KEY (device_id, seq)
) STRICT;

-- Rejected mutations with their payload, for review (never dropped).
CREATE TABLE conflict (
    id        INTEGER PRIMARY KEY,
    device_id TEXT NOT NULL,
    seq       INTEGER NOT NULL,
    entity    TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    code      TEXT NOT NULL,
    message   TEXT NOT NULL,
    payload   TEXT NOT NULL,
    at        TEXT NOT NULL
) STRICT;

-- Same (device, seq), different payload: a cloned or restored device.
CREATE TABLE clone_alarm (
    id             INTEGER PRIMARY KEY,
    device_id      TEXT NOT NULL,
    seq            INTEGER NOT NULL,
    stored_sha256  TEXT NOT NULL,
    offered_sha256 TEXT NOT NULL,
    at             TEXT NOT NULL
) STRICT;

-- Aggregates with a rejected mutation: later ones get dependency_rejected.
CREATE TABLE blocked_aggregate (
    entity    TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    device_id TEXT NOT NULL,
    first_seq INTEGER NOT NULL,
    PRIMARY KEY (entity, entity_id)
) STRICT;

CREATE TABLE cases (
    case_id         TEXT PRIMARY KEY,
    device_id       TEXT NOT NULL,
    officer_id      TEXT NOT NULL,
    township        TEXT NOT NULL,
    district        TEXT NOT NULL,
    matter_code     TEXT NOT NULL,
    release_id      TEXT NOT NULL,
    status          TEXT NOT NULL,
    version         INTEGER NOT NULL,
    document_number TEXT,
    payment_confirmed INTEGER NOT NULL DEFAULT 0,
    server_version  INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
) STRICT;
CREATE INDEX cases_by_township ON cases (township);
CREATE INDEX cases_by_district ON cases (district);
CREATE UNIQUE INDEX cases_by_number ON cases (document_number) WHERE document_number IS NOT NULL;

-- Evidence records the devices announced (metadata; the file is a blob).
CREATE TABLE evidence (
    evidence_id TEXT PRIMARY KEY,
    device_id   TEXT NOT NULL,
    case_id     TEXT,
    sha256      TEXT NOT NULL,
    size        INTEGER NOT NULL,
    media_type  TEXT NOT NULL,
    record_hash TEXT NOT NULL,
    signature   TEXT NOT NULL
) STRICT;
CREATE INDEX evidence_by_sha ON evidence (sha256);

-- Which originals each case expects (sync.md F12).
CREATE TABLE case_evidence (
    case_id TEXT NOT NULL,
    sha256  TEXT NOT NULL,
    PRIMARY KEY (case_id, sha256)
) STRICT;

-- Verified blobs, content-addressed.
CREATE TABLE blob (
    sha256      TEXT PRIMARY KEY,
    size        INTEGER NOT NULL,
    verified_at TEXT NOT NULL
) STRICT;

-- Resumable uploads: one per hash at a time (one uploader per blob).
CREATE TABLE upload (
    id         TEXT PRIMARY KEY,
    sha256     TEXT NOT NULL UNIQUE,
    size       INTEGER NOT NULL,
    offset     INTEGER NOT NULL,
    media_type TEXT NOT NULL,
    device_id  TEXT NOT NULL,
    created_at TEXT NOT NULL
) STRICT;

-- Number leases. next_no per (township, series, year) hands out
-- non-overlapping ranges; request_id makes a retried request idempotent.
CREATE TABLE lease_counter (
    township TEXT NOT NULL,
    series   TEXT NOT NULL,
    year     INTEGER NOT NULL,
    next_no  INTEGER NOT NULL,
    PRIMARY KEY (township, series, year)
) STRICT;
CREATE TABLE lease (
    id         TEXT PRIMARY KEY,
    device_id  TEXT NOT NULL,
    request_id TEXT NOT NULL,
    township   TEXT NOT NULL,
    series     TEXT NOT NULL,
    year       INTEGER NOT NULL,
    start_no   INTEGER NOT NULL,
    end_no     INTEGER NOT NULL,
    granted_at TEXT NOT NULL,
    UNIQUE (device_id, request_id)
) STRICT;

-- Every number a device reported used or voided.
CREATE TABLE number_use (
    township  TEXT NOT NULL,
    series    TEXT NOT NULL,
    year      INTEGER NOT NULL,
    seq       INTEGER NOT NULL,
    formatted TEXT NOT NULL,
    status    TEXT NOT NULL CHECK (status IN ('used', 'voided')),
    case_id   TEXT,
    device_id TEXT NOT NULL,
    PRIMARY KEY (township, series, year, seq)
) STRICT;

-- The per-officer inbox; cursor = commit order (single writer).
CREATE TABLE inbox (
    cursor         INTEGER PRIMARY KEY,
    event_id       TEXT NOT NULL UNIQUE,
    officer_id     TEXT NOT NULL,
    case_id        TEXT NOT NULL,
    kind           TEXT NOT NULL,
    payload        TEXT NOT NULL,
    server_version INTEGER NOT NULL,
    at             TEXT NOT NULL
) STRICT;
CREATE INDEX inbox_by_officer ON inbox (officer_id, cursor);

CREATE TABLE payment (
    reference       TEXT PRIMARY KEY,
    document_number TEXT NOT NULL,
    amount_fen      INTEGER NOT NULL,
    paid_at         TEXT NOT NULL,
    case_id         TEXT,
    received_at     TEXT NOT NULL
) STRICT;

CREATE TABLE catalogue_release (
    publication  INTEGER PRIMARY KEY,
    release_id   TEXT NOT NULL UNIQUE,
    sha256       TEXT NOT NULL,
    size         INTEGER NOT NULL,
    published_at TEXT NOT NULL
) STRICT;

-- Every read and write of case and evidence data.
CREATE TABLE audit (
    id     INTEGER PRIMARY KEY,
    at     TEXT NOT NULL,
    actor  TEXT NOT NULL,
    action TEXT NOT NULL,
    object TEXT NOT NULL
) STRICT;
