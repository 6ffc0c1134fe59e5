-- zhifa-server: the 亮码 (show-the-code) tables, kept apart from
-- the base schema. One file for both databases (plain types, SQL both
-- SQLite and PostgreSQL run); IF NOT EXISTS because releases before the
-- migration runner applied it at every open.

-- What a certificate says of an officer beyond the officer table: the
-- 执法证号 and the name of the township (or its authority) shown on the
-- verification page. No row, no certificate.
CREATE TABLE IF NOT EXISTS badge_credential (
    officer_id    TEXT PRIMARY KEY,
    credential_no TEXT NOT NULL,
    township_name TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);

-- One rating (执法社会评议) per 亮码, keyed by the SHA-256 of the token
-- text. Nothing of the rating party is stored.
CREATE TABLE IF NOT EXISTS badge_rating (
    token_id      TEXT PRIMARY KEY,
    device_id     TEXT NOT NULL,
    officer_id    TEXT NOT NULL,
    township      TEXT NOT NULL,
    inspection_id TEXT NOT NULL,
    task_id       TEXT,
    rating        TEXT NOT NULL CHECK (rating IN ('satisfied', 'basically_satisfied', 'dissatisfied')),
    comment       TEXT NOT NULL,
    rated_at      TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS badge_rating_by_officer ON badge_rating (officer_id, rated_at);
