-- zhifa-server migration 0014 (both databases): the supervision facts of
-- each case (issue 18; server/src/supervise/). Non-personal fields the
-- problem models and the efficiency indicators read, taken from the sealed
-- record by `supervise::facts::refresh` whenever the record is newer
-- (`version`). The party appears only as its kind and the keyed blind
-- index of its ID number, never its name or number. Flags are 0/1.
CREATE TABLE IF NOT EXISTS supervise_case (
    case_id            TEXT PRIMARY KEY,
    version            BIGINT NOT NULL,   -- the record version read
    township           TEXT NOT NULL,
    district           TEXT NOT NULL,
    matter_code        TEXT NOT NULL,
    procedure          TEXT NOT NULL,
    status             TEXT NOT NULL,
    officer_a          TEXT NOT NULL,
    officer_b          TEXT NOT NULL,
    party_kind         TEXT,
    party_index        TEXT,
    violation_date     TEXT NOT NULL,     -- YYYY-MM-DD (Beijing)
    created_at         TEXT NOT NULL,     -- RFC 3339
    decided_at         TEXT,              -- Beijing, YYYY-MM-DDTHH:MM:SS
    activity_on        TEXT NOT NULL,     -- the decision's date, else the opening's
    outcome            TEXT NOT NULL,     -- open | penalty | no_penalty | void
    exemption          TEXT,
    first_violation    BIGINT NOT NULL,
    penalty_kind       TEXT,
    amount_fen         BIGINT,
    band               TEXT,
    suggested_level    TEXT,
    deviation_reason   BIGINT NOT NULL,
    collected_on_spot  BIGINT NOT NULL,
    evidence_count     BIGINT NOT NULL,
    no_evidence_reason BIGINT NOT NULL,
    served_on          TEXT,
    payment_due        TEXT,
    paid_on            TEXT,
    credentials_shown  BIGINT NOT NULL,
    replay_ok          BIGINT,
    replay_codes       TEXT NOT NULL      -- JSON array
);
CREATE INDEX IF NOT EXISTS supervise_case_by_township ON supervise_case (township, activity_on);
CREATE INDEX IF NOT EXISTS supervise_case_by_district ON supervise_case (district, activity_on);
CREATE INDEX IF NOT EXISTS supervise_case_by_activity ON supervise_case (activity_on);
