-- Device store schema version 7: officer sign-in on the device.
--
-- Forward-only: a released migration file is never edited.
--
-- One PIN verifier per enrolled officer: an Argon2id PHC string (salt and
-- parameters inside), never the PIN. Failed attempts are counted and, past
-- the threshold, the officer is locked out until `locked_until` (RFC 3339,
-- UTC), so a lost tablet cannot be brute-forced through the sign-in screen
-- (the store itself is encrypted with a key the PIN never touches).
CREATE TABLE officer_pin (
    officer_id   TEXT PRIMARY KEY REFERENCES officer (id) ON DELETE CASCADE,
    verifier     TEXT NOT NULL,
    enrolled_at  TEXT NOT NULL,
    failed       INTEGER NOT NULL DEFAULT 0 CHECK (failed >= 0),
    locked_until TEXT,
    last_sign_in TEXT
);
