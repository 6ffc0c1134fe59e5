-- zhifa-server migration 0012 (SQLite): the console's staff sign-in
-- (issue 17 item 2). A staff account gains a password (an Argon2id PHC
-- verifier), a TOTP second factor (RFC 6238 secret, base32, and the last
-- time step accepted, so a code is never taken twice), a failure count
-- and a lock-out time; the roles grow by approver (负责人), supervisor
-- (司法局) and administrator. The bearer token becomes optional (accounts
-- made for people sign in; tokens stay for scripts). SQLite cannot alter
-- a CHECK constraint, so the table is rebuilt with its rows. IF NOT
-- EXISTS where it is cheap: a database from before the migration runner
-- re-runs the files it lacks a record of (store/migrate.rs).
DROP TABLE IF EXISTS staff_v12;
CREATE TABLE staff_v12 (
    id             TEXT PRIMARY KEY,
    name           TEXT NOT NULL,
    role           TEXT NOT NULL CHECK (role IN ('command_centre', 'department', 'legal_review',
                                                 'approver', 'supervisor', 'administrator')),
    scope          TEXT NOT NULL,
    department     TEXT,
    token_sha256   TEXT UNIQUE,
    created_at     TEXT NOT NULL,
    expires_at     TEXT,
    revoked_at     TEXT,
    password_phc   TEXT,
    totp_secret    TEXT,
    totp_last_step BIGINT,
    failed_count   BIGINT NOT NULL DEFAULT 0,
    locked_until   TEXT
);
INSERT INTO staff_v12 (id, name, role, scope, department, token_sha256, created_at, expires_at, revoked_at)
    SELECT id, name, role, scope, department, token_sha256, created_at, expires_at, revoked_at FROM staff;
DROP TABLE staff;
ALTER TABLE staff_v12 RENAME TO staff;

-- Console sessions: the SHA-256 of the session cookie's random token (it
-- is never stored in the clear; the CSRF token is derived from it), the
-- last request (idle timeout) and the absolute end; ended_at is set by
-- sign-out, expiry or the account's revocation.
CREATE TABLE IF NOT EXISTS staff_session (
    token_sha256 TEXT PRIMARY KEY,
    staff_id     TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    ended_at     TEXT
);
CREATE INDEX IF NOT EXISTS staff_session_by_staff ON staff_session (staff_id);
