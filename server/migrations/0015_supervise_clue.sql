-- zhifa-server migration 0015 (both databases): clues and their disposal
-- (issue 18 item 5; server/src/supervise/clues.rs). A clue is remembered
-- the first time a report finds it (its id is the SHA-256 of its model,
-- township and cases, so a later report finds the same row) and keeps its
-- disposal: status, track, the reply's due date. Every step is a row of
-- `supervise_clue_event` with its actor, time and words; the words are
-- sealed by the vault (purpose `supervise.text`, AAD = clue and seq), as
-- an opinion or a reply may name a party.
CREATE TABLE IF NOT EXISTS supervise_clue (
    clue_id      TEXT PRIMARY KEY,
    model        TEXT NOT NULL,
    township     TEXT NOT NULL,
    cases        TEXT NOT NULL,      -- JSON array of case or inspection ids
    reason       TEXT NOT NULL,      -- the model's reason (no personal data)
    status       TEXT NOT NULL,      -- open | warned | simple | general | replied | closed | dismissed
    track        TEXT,               -- simple | general, once chosen
    due_on       TEXT,               -- the reply's last day (YYYY-MM-DD)
    found_at     TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS supervise_clue_by_township ON supervise_clue (township, status);

CREATE TABLE IF NOT EXISTS supervise_clue_event (
    clue_id TEXT NOT NULL,
    seq     BIGINT NOT NULL,
    at      TEXT NOT NULL,
    actor   TEXT NOT NULL,           -- the console account (staff:…)
    action  TEXT NOT NULL,
    status  TEXT NOT NULL,           -- the status after the step
    text    TEXT,                    -- sealed words, if any
    PRIMARY KEY (clue_id, seq)
);
