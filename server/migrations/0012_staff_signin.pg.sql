-- zhifa-server migration 0012 (PostgreSQL): the console's staff sign-in
-- (issue 17 item 2). A staff account gains a password (an Argon2id PHC
-- verifier), a TOTP second factor (RFC 6238 secret, base32, and the last
-- time step accepted, so a code is never taken twice), a failure count
-- and a lock-out time; the roles grow by approver (负责人), supervisor
-- (司法局) and administrator. The bearer token becomes optional (accounts
-- made for people sign in; tokens stay for scripts). IF NOT EXISTS
-- throughout: a database from before the migration runner re-runs the
-- files it lacks a record of (store/migrate.rs).
ALTER TABLE staff DROP CONSTRAINT IF EXISTS staff_role_check;
ALTER TABLE staff ADD CONSTRAINT staff_role_check
    CHECK (role IN ('command_centre', 'department', 'legal_review',
                    'approver', 'supervisor', 'administrator'));
ALTER TABLE staff ALTER COLUMN token_sha256 DROP NOT NULL;
ALTER TABLE staff ALTER COLUMN expires_at DROP NOT NULL;
ALTER TABLE staff ADD COLUMN IF NOT EXISTS password_phc TEXT;
ALTER TABLE staff ADD COLUMN IF NOT EXISTS totp_secret TEXT;
ALTER TABLE staff ADD COLUMN IF NOT EXISTS totp_last_step BIGINT;
ALTER TABLE staff ADD COLUMN IF NOT EXISTS failed_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE staff ADD COLUMN IF NOT EXISTS locked_until TEXT;

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
