-- zhifa-server migration 0020 (both databases): 案卷评查 by random sample
-- and blind cross-review (issue 18 item 2; server/src/supervise/crossreview.rs,
-- sampling.rs, blind.rs). A draw records its township, period, seed, size
-- and population and who drew it, so it can be re-run from the record; each
-- drawn file is a sample row, assigned to a scorer outside the file's own
-- unit, with the machine's score and the scorer's. The scorer's judgements
-- are sealed by the vault (purpose `supervise.text`, AAD = the sample), as
-- a note may name a person.
CREATE TABLE IF NOT EXISTS review_draw (
    draw_id     TEXT PRIMARY KEY,
    township    TEXT NOT NULL,
    period_from TEXT NOT NULL,      -- files closed (结案) from this day
    period_to   TEXT NOT NULL,      -- to this day
    seed        TEXT NOT NULL,
    size        TEXT NOT NULL,      -- JSON SampleSize: {"count": n} | {"percent": p}
    population  BIGINT NOT NULL,    -- files in the period
    drawn_by    TEXT NOT NULL,      -- staff:…
    drawn_at    TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS review_draw_by_township ON review_draw (township, period_from);

CREATE TABLE IF NOT EXISTS review_sample (
    sample_id   TEXT PRIMARY KEY,   -- the blind number the scorer sees
    draw_id     TEXT NOT NULL,
    seq         BIGINT NOT NULL,    -- 1, 2, … in draw order
    case_id     TEXT NOT NULL,
    township    TEXT NOT NULL,
    scorer      TEXT,               -- staff id
    assigned_by TEXT,
    assigned_at TEXT,
    auto_score  BIGINT,             -- the machine's score when scored
    score       BIGINT,             -- the final score
    veto_passed BIGINT,             -- 1 | 0
    grade       TEXT,               -- 优秀 | 良好 | 合格 | 不合格
    judgements  TEXT,               -- sealed JSON of the scorer's items
    scored_at   TEXT
);
CREATE INDEX IF NOT EXISTS review_sample_by_draw ON review_sample (draw_id, seq);
CREATE INDEX IF NOT EXISTS review_sample_by_scorer ON review_sample (scorer);
