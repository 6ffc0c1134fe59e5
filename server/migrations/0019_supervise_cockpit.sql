-- zhifa-server migration 0019 (both databases): the supervision cockpit's
-- stored answer (issue 18; server/src/supervise/cockpit.rs). The full
-- recomputation leaves the indicators per township and activity day
-- (`supervise_indicator`) and the days of every clue it found
-- (`supervise_clue_day`, the clue itself in `supervise_clue`); a cockpit
-- query sums the days of its scope and period instead of recomputing.
-- `supervise_dirty` holds the townships whose facts changed since (marked
-- in the transaction that changed them; `mark` is a fresh token, so a
-- refresh clears only the mark it saw). `supervise_cockpit` (one row)
-- says what the stored rows are of: the period, the day they were judged
-- on, the models' settings.
CREATE TABLE IF NOT EXISTS supervise_indicator (
    township      TEXT NOT NULL,
    day           TEXT NOT NULL,      -- the activity day (YYYY-MM-DD)
    cases         BIGINT NOT NULL,
    simple        BIGINT NOT NULL,
    normal        BIGINT NOT NULL,
    open          BIGINT NOT NULL,
    decided       BIGINT NOT NULL,
    penalties     BIGINT NOT NULL,
    no_penalty    BIGINT NOT NULL,
    first_violation_no_penalty BIGINT NOT NULL,
    closed        BIGINT NOT NULL,
    overdue       BIGINT NOT NULL,
    flagged       BIGINT NOT NULL,
    voided        BIGINT NOT NULL,
    minutes_sum   BIGINT NOT NULL,    -- minutes from opening to decision, summed
    minutes_n     BIGINT NOT NULL,    -- … over this many decisions
    fines_fen     BIGINT NOT NULL,    -- information only (行政处罚法 Art. 74 ¶3)
    inspections   BIGINT NOT NULL,
    inspection_items BIGINT NOT NULL,
    PRIMARY KEY (township, day)
);
CREATE INDEX IF NOT EXISTS supervise_indicator_by_day ON supervise_indicator (day);

CREATE TABLE IF NOT EXISTS supervise_clue_day (
    township TEXT NOT NULL,           -- the clue's township
    day      TEXT NOT NULL,           -- an activity day of one of its cases
    clue_id  TEXT NOT NULL,
    model    TEXT NOT NULL,
    PRIMARY KEY (township, day, clue_id)
);
CREATE INDEX IF NOT EXISTS supervise_clue_day_by_day ON supervise_clue_day (day);

CREATE TABLE IF NOT EXISTS supervise_dirty (
    township TEXT PRIMARY KEY,
    mark     TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS supervise_cockpit (
    id          BIGINT PRIMARY KEY,   -- always 1
    from_day    TEXT NOT NULL,
    to_day      TEXT NOT NULL,
    as_of       TEXT NOT NULL,
    config      TEXT NOT NULL,        -- the models' settings, JSON
    computed_at TEXT NOT NULL
);

