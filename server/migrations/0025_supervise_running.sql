-- zhifa-server migration 0025 (both databases): the cockpit's indicators
-- as running totals, its open clocks per township, and an index for its
-- page of clues (issue 18; server/src/supervise/cockpit.rs). Summing
-- a township's day rows (0019's `supervise_indicator`) made the city's
-- report read every township's every day (~376,000 rows for a year);
-- `supervise_running` holds, for every township with activity and every
-- day of the stored period, the sums of its days from the period's first
-- day through that day, so any period is two exact lookups per township.
-- The stored answer is dropped with the old table: the server's upkeep
-- makes it again (the first query meanwhile is recomputed, as before
-- anything was stored).
CREATE TABLE IF NOT EXISTS supervise_running (
    township      TEXT NOT NULL,
    day           TEXT NOT NULL,      -- YYYY-MM-DD: the totals through this day
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
CREATE INDEX IF NOT EXISTS supervise_running_by_day ON supervise_running (day, township);

DROP TABLE IF EXISTS supervise_indicator;
DELETE FROM supervise_cockpit;

-- The open clocks of every township's open normal-procedure cases on the
-- stored answer's day (`supervise_cockpit.as_of`), as the deadline monitor
-- folds them (server/src/supervise/deadlines.rs `case_clocks`): JSON lists
-- of `DeadlineItem` and `Unavailable`. Made by the full recomputation and
-- again for a township when it is marked (a normal-procedure step marks
-- it), so a cockpit query reads them instead of opening and folding every
-- open case's log.
CREATE TABLE IF NOT EXISTS supervise_open_clock (
    township    TEXT PRIMARY KEY,
    items       TEXT NOT NULL,
    unavailable TEXT NOT NULL
);

-- The cockpit's page of clues: in (township, model, clue) order, the day
-- read from the index alone.
CREATE INDEX IF NOT EXISTS supervise_clue_day_listed
    ON supervise_clue_day (township, model, clue_id, day);
