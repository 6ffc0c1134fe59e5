-- zhifa-server: joint inspections (综合查一次) and tasks, kept apart from
-- the base schema. One file for both databases (plain types, SQL both
-- SQLite and PostgreSQL run); IF NOT EXISTS because releases before the
-- migration runner applied it at every open.

-- One inspection as the device announced it (entity "inspection", op "start").
CREATE TABLE IF NOT EXISTS inspection (
    inspection_id TEXT PRIMARY KEY,
    device_id     TEXT NOT NULL,
    officer_id    TEXT NOT NULL,
    township      TEXT NOT NULL,
    district      TEXT NOT NULL,
    place         TEXT NOT NULL,
    party_name    TEXT NOT NULL,
    scenarios     TEXT NOT NULL,          -- JSON array of scenario codes
    task_id       TEXT,
    started_at    TEXT NOT NULL,          -- Beijing time, as recorded
    ended_at      TEXT,
    record_sha256 TEXT,
    version       BIGINT NOT NULL,
    received_at   TEXT NOT NULL
);

-- One checklist item of an inspection, routed to its department.
CREATE TABLE IF NOT EXISTS inspection_finding (
    inspection_id   TEXT NOT NULL REFERENCES inspection (inspection_id),
    item            TEXT NOT NULL,
    pos             BIGINT NOT NULL,     -- checklist order
    department      TEXT NOT NULL,
    department_name TEXT NOT NULL,
    subject         TEXT NOT NULL,
    verdict         TEXT,                 -- pass | fail | not_applicable
    note            TEXT,
    outcome_kind    TEXT,                 -- order_to_correct | simple_case | referral
    outcome         TEXT,                 -- JSON of the outcome
    updated_at      TEXT NOT NULL,
    PRIMARY KEY (inspection_id, item)
);
CREATE INDEX IF NOT EXISTS inspection_finding_by_department ON inspection_finding (department, outcome_kind);

-- Tasks: assigned by the command centre or made on a device (follow-ups),
-- with the closed loop's times.
CREATE TABLE IF NOT EXISTS task (
    task_id       TEXT PRIMARY KEY,
    origin        TEXT NOT NULL,          -- server | device
    kind          TEXT NOT NULL,
    status        TEXT NOT NULL,          -- assigned | accepted | done
    township      TEXT NOT NULL,
    officer_id    TEXT,
    place         TEXT NOT NULL,
    detail        TEXT NOT NULL,
    due_on        TEXT,
    inspection_id TEXT,
    department    TEXT,
    payload       TEXT NOT NULL,
    assigned_at   TEXT NOT NULL,
    accepted_at   TEXT,
    done_at       TEXT,
    report        TEXT
);

-- Command-centre, department and legal-review accounts of the console API
-- (`/v1/console/*`): who assigns tasks and who reads which department's
-- findings. `scope` is a code prefix: '' the whole city, 6 digits a
-- district, 9 digits a township. The bearer token is stored hashed.
CREATE TABLE IF NOT EXISTS staff (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    role         TEXT NOT NULL CHECK (role IN ('command_centre', 'department', 'legal_review')),
    scope        TEXT NOT NULL,
    department   TEXT,
    token_sha256 TEXT NOT NULL UNIQUE,
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    revoked_at   TEXT
);

-- Legal reviews (法制审核) of cases, by a legal-review account; each one
-- becomes a `review.completed` inbox event for the case's officer.
CREATE TABLE IF NOT EXISTS case_review (
    review_id  TEXT PRIMARY KEY,
    case_id    TEXT NOT NULL REFERENCES cases (case_id),
    result     TEXT NOT NULL CHECK (result IN ('approved', 'returned')),
    opinion    TEXT NOT NULL,
    reviewer   TEXT NOT NULL,
    at         TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS case_review_by_case ON case_review (case_id, at);

-- The officer now responsible for a case the command centre reassigned
-- (the device that made it keeps owning its records: `cases.device_id`).
CREATE TABLE IF NOT EXISTS case_assignment (
    case_id    TEXT PRIMARY KEY REFERENCES cases (case_id),
    officer_id TEXT NOT NULL,
    reason     TEXT NOT NULL,
    by_staff   TEXT NOT NULL,
    at         TEXT NOT NULL
);
