-- zhifa-server migration 0010 (SQLite): the server as the system of record
-- (issue 15 items 2, 3, 5, 8; server/src/record/). IF NOT EXISTS because
-- releases before the migration runner applied it at every open.
--
-- Personal data never sits here in plaintext: the whole record JSON and
-- every timeline step's data are sealed by the vault (`sealed`, AAD = the
-- row's identity and version); only non-personal columns are plain, for
-- queries: the party appears as a masked name and the keyed blind index of
-- its ID number.

-- The latest full record of each case (highest version wins).
CREATE TABLE IF NOT EXISTS record_case (
    case_id        TEXT PRIMARY KEY,
    device_id      TEXT NOT NULL,
    version        BIGINT NOT NULL,
    township       TEXT NOT NULL,
    district       TEXT NOT NULL,
    matter_code    TEXT NOT NULL,
    release_id     TEXT NOT NULL,
    status         TEXT NOT NULL,
    procedure      TEXT NOT NULL,          -- simple (普通程序 later)
    officer_a      TEXT NOT NULL,
    officer_b      TEXT NOT NULL,
    violation_date TEXT NOT NULL,          -- YYYY-MM-DD, Beijing
    decided_on     TEXT,
    amount_fen     BIGINT,
    party_kind     TEXT,
    party_masked   TEXT,
    party_index    TEXT,                   -- blind index of the ID number
    flagged        BIGINT NOT NULL DEFAULT 0,
    flag_reason    TEXT,
    replay_ok      BIGINT,
    replay_codes   TEXT,                   -- JSON array
    replay_messages TEXT,                  -- JSON array
    replay_release TEXT,
    replay_at      TEXT,
    replay_decision TEXT,                  -- SHA-256 of the decision replayed
    sealed         TEXT NOT NULL,          -- vault ciphertext (base64) of the record JSON
    updated_at     TEXT NOT NULL,          -- server time of the last change
    received_at    TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS record_case_by_township ON record_case (township, updated_at DESC, case_id DESC);
CREATE INDEX IF NOT EXISTS record_case_by_district ON record_case (district, updated_at DESC, case_id DESC);
CREATE INDEX IF NOT EXISTS record_case_by_updated ON record_case (updated_at DESC, case_id DESC);
CREATE INDEX IF NOT EXISTS record_case_by_party ON record_case (party_index);
CREATE INDEX IF NOT EXISTS record_case_flagged ON record_case (flagged, updated_at DESC, case_id DESC) WHERE flagged = 1;

-- One row per case step (the timeline): time, kind, statuses, device,
-- officer, the pushing batch and its signature; the step's data sealed.
CREATE TABLE IF NOT EXISTS record_case_event (
    case_id        TEXT NOT NULL,
    seq            BIGINT NOT NULL,        -- = the version the step produced
    at             TEXT NOT NULL,          -- device time (RFC 3339)
    kind           TEXT NOT NULL,
    from_status    TEXT,
    to_status      TEXT NOT NULL,
    mutation_id    TEXT NOT NULL,
    device_id      TEXT NOT NULL,
    officer_id     TEXT NOT NULL,
    source         TEXT NOT NULL,          -- push | snapshot
    batch_id       TEXT,
    device_seq     BIGINT,
    payload_sha256 TEXT,
    signature      TEXT,
    sealed         TEXT NOT NULL,
    received_at    TEXT NOT NULL,
    PRIMARY KEY (case_id, seq)
);

-- Documents issued for a case (decision PDF …), held as blobs by SHA-256.
CREATE TABLE IF NOT EXISTS record_document (
    case_id     TEXT NOT NULL,
    kind        TEXT NOT NULL,
    stage       TEXT NOT NULL,
    title       TEXT NOT NULL,
    number      TEXT,
    sha256      TEXT NOT NULL,
    size        BIGINT NOT NULL,
    media_type  TEXT NOT NULL,
    document_sha256 TEXT,                  -- the document's canonical-JSON hash
    device_id   TEXT NOT NULL,
    received_at TEXT NOT NULL,
    PRIMARY KEY (case_id, kind, stage)
);
CREATE INDEX IF NOT EXISTS record_document_by_sha ON record_document (sha256);

-- The latest full record of each joint inspection.
CREATE TABLE IF NOT EXISTS record_inspection (
    inspection_id TEXT PRIMARY KEY,
    device_id     TEXT NOT NULL,
    version       BIGINT NOT NULL,
    township      TEXT NOT NULL,
    district      TEXT NOT NULL,
    release_id    TEXT NOT NULL,
    status        TEXT NOT NULL,
    officer_a     TEXT NOT NULL,
    officer_b     TEXT NOT NULL,
    started_on    TEXT NOT NULL,
    items         BIGINT NOT NULL,
    failed        BIGINT NOT NULL,
    party_kind    TEXT,
    party_masked  TEXT,
    party_index   TEXT,
    sealed        TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    received_at   TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS record_inspection_by_township ON record_inspection (township, updated_at DESC, inspection_id DESC);
CREATE INDEX IF NOT EXISTS record_inspection_by_district ON record_inspection (district, updated_at DESC, inspection_id DESC);

-- The latest full record of each task as its device holds it.
CREATE TABLE IF NOT EXISTS record_task (
    task_id     TEXT PRIMARY KEY,
    device_id   TEXT NOT NULL,
    township    TEXT NOT NULL,
    district    TEXT NOT NULL,
    kind        TEXT NOT NULL,
    status      TEXT NOT NULL,
    rank        BIGINT NOT NULL,              -- assigned 0, accepted 1, done 2
    sealed      TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    received_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS record_task_by_township ON record_task (township, updated_at DESC, task_id DESC);
