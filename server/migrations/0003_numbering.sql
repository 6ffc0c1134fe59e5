-- zhifa-server: final numbers for provisional document numbers (sync.md
-- §5, §9 open question 1; docs/PROTOCOL.md stream E). One file for both
-- databases (plain types, SQL both run); IF NOT EXISTS because releases
-- before the migration runner applied it at every open.
--
-- A device that ran out of leased numbers offline, in a township whose
-- published policy allows it, prints `T{township}-D{device}-{seq}` on the
-- decision (行政处罚法 Art. 52 “编有号码”). At push the server takes the next
-- serial of the township's (series, year) counter — the counter leases
-- come from, so final numbers and leased ranges never overlap and the
-- series has no gap — inside the push transaction, once per (device,
-- provisional number): the provisional → final mapping a legal reviewer
-- traces.
CREATE TABLE IF NOT EXISTS provisional_number (
    device_id    TEXT NOT NULL,
    provisional  TEXT NOT NULL,
    township     TEXT NOT NULL,
    series       TEXT NOT NULL,
    year         BIGINT NOT NULL,
    device_seq   BIGINT NOT NULL,
    case_id      TEXT,
    final_seq    BIGINT NOT NULL,
    final_number TEXT NOT NULL,
    assigned_at  TEXT NOT NULL,
    PRIMARY KEY (device_id, provisional),
    UNIQUE (township, series, year, final_seq)
);
CREATE INDEX IF NOT EXISTS provisional_number_by_text ON provisional_number (provisional);
CREATE INDEX IF NOT EXISTS provisional_number_by_case ON provisional_number (case_id);
