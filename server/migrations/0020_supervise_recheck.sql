-- zhifa-server migration 0019 (both databases): the 复查 of a 监督处理决定
-- (重庆市行政执法监督条例 Art. 21, docs/law/supervision.md;
-- server/src/supervise/recheck.rs). One row per clue: the supervised unit
-- applies within 10 working days of receiving the 监督意见书, the
-- supervisor decides within 15 working days of the application. The
-- reasons are sealed by the vault (purpose `supervise.text`, AAD = clue and
-- part), as they may name a party.
CREATE TABLE IF NOT EXISTS supervise_recheck (
    clue_id         TEXT PRIMARY KEY,
    township        TEXT NOT NULL,
    received_on     TEXT NOT NULL,   -- the day the 监督意见书 was issued in the console (YYYY-MM-DD)
    request_due     TEXT NOT NULL,   -- received_on + 10 working days
    requested_on    TEXT NOT NULL,
    requested_at    TEXT NOT NULL,
    requested_by    TEXT NOT NULL,   -- staff:…
    reason          TEXT NOT NULL,   -- sealed
    decision_due    TEXT NOT NULL,   -- requested_on + 15 working days
    decided_at      TEXT,
    decided_by      TEXT,
    outcome         TEXT,            -- upheld | revoked | changed
    decision_reason TEXT             -- sealed
);
CREATE INDEX IF NOT EXISTS supervise_recheck_open ON supervise_recheck (township, decided_at);
