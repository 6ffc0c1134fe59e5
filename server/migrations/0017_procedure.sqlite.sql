-- zhifa-server migration 0017 (SQLite; the PostgreSQL file differs only in adding the column IF NOT EXISTS, as an upgraded legacy database re-runs 0012 without recreating `staff`): the normal procedure
-- (普通程序, issue 16; server/src/procedure/). A case is the append-only log
-- of its steps (`procedure_event`), each sealed by the vault (purpose
-- `procedure`, AAD = case and seq: a step's words may name the party),
-- with the step, actor, role and time in clear for the queues; and one row
-- of `procedure_case` with where the case stands (the fold of its log,
-- kept beside it for lists) and its sealed details (party, facts).
CREATE TABLE IF NOT EXISTS procedure_case (
    case_id         TEXT PRIMARY KEY,
    township        TEXT NOT NULL,
    district        TEXT NOT NULL,
    officer_id      TEXT NOT NULL,   -- the officer whose device holds the case
    device_id       TEXT NOT NULL,
    stage           TEXT NOT NULL,   -- core Stage, snake_case
    events          BIGINT NOT NULL, -- steps in the log
    details         TEXT,            -- sealed NormalCaseDetails
    matter_code     TEXT,
    decision_number TEXT,
    filed_on        TEXT,
    decided_on      TEXT,
    closed_on       TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS procedure_case_by_township ON procedure_case (township, stage);
CREATE INDEX IF NOT EXISTS procedure_case_by_district ON procedure_case (district, stage);

CREATE TABLE IF NOT EXISTS procedure_event (
    case_id TEXT NOT NULL,
    seq     BIGINT NOT NULL,         -- 1, 2, … in the order the centre accepted them
    step    TEXT NOT NULL,           -- EventKind::name
    actor   TEXT NOT NULL,
    role    TEXT NOT NULL,
    origin  TEXT NOT NULL,           -- device:<id> | console:<staff id>
    at      TEXT NOT NULL,
    event   TEXT NOT NULL,           -- sealed ProcedureEvent JSON
    PRIMARY KEY (case_id, seq)
);

-- The normal-procedure decision numbers (行政处罚决定书), one series per
-- township and year, numbered on the server only. A number is reserved
-- for a case before its decision is rendered and used by the decision.
CREATE TABLE IF NOT EXISTS procedure_number (
    township TEXT NOT NULL,
    year     BIGINT NOT NULL,
    seq      BIGINT NOT NULL,
    case_id  TEXT NOT NULL,
    number   TEXT NOT NULL,
    at       TEXT NOT NULL,
    PRIMARY KEY (township, year, seq)
);
CREATE UNIQUE INDEX IF NOT EXISTS procedure_number_by_case ON procedure_number (case_id);

-- A 法制审核 reviewer's 法律职业资格 certificate number (行政处罚法 Art. 58 ¶2):
-- set by the administrator, copied onto every review the account makes.
ALTER TABLE staff ADD COLUMN qualification TEXT;
