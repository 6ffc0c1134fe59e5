-- Device store schema version 6: the device side of Zhifa Sync v1
-- (docs/PROTOCOL.md). Enrolment and tokens, per-stream cursors, the final
-- result of every pushed mutation, conflicts the officer must see,
-- server-owned case state from the inbox, blob upload progress and the
-- partial catalogue snapshot download.
--
-- Forward-only: a released migration file is never edited. STRICT tables.
-- Every page of a pull is applied together with its cursor in one
-- transaction (sync/src/engine.rs), so a crash never skips or repeats one.

-- The enrolment: which server, which officer, and the tokens. Tokens are
-- credentials: the whole store is SQLCipher-encrypted and no log prints them.
CREATE TABLE sync_enrolment (
    singleton          INTEGER PRIMARY KEY CHECK (singleton = 1),
    server_url         TEXT NOT NULL,
    officer_id         TEXT NOT NULL,
    officer_township   TEXT NOT NULL,
    officer_role       TEXT NOT NULL,
    access_token       TEXT NOT NULL,
    access_expires_at  TEXT NOT NULL,    -- server time, RFC 3339
    refresh_token      TEXT NOT NULL,
    server_epoch       TEXT NOT NULL,
    enrolled_at        TEXT NOT NULL
) STRICT;

-- One cursor per pull stream ('inbox', 'catalogue'). Only ever moves
-- forward, except through an explicit reset after a server epoch change,
-- which never touches the outbox or device-owned rows (sync.md I8, F9).
CREATE TABLE sync_cursor (
    stream     TEXT PRIMARY KEY,
    cursor     TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;

-- The final result of each pushed outbox record, written in the same
-- transaction as the outbox row's pushed_at.
CREATE TABLE sync_result (
    device_id  TEXT NOT NULL,
    seq        INTEGER NOT NULL,
    status     TEXT NOT NULL CHECK (status IN ('applied', 'duplicate', 'rejected')),
    code       TEXT,
    message    TEXT,
    at         TEXT NOT NULL,
    PRIMARY KEY (device_id, seq)
) STRICT;

-- Rejected mutations stay visible to the officer until resolved (sync.md
-- §6.1 p4): never dropped silently.
CREATE TABLE sync_conflict (
    device_id   TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    mutation_id TEXT NOT NULL,
    entity      TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    code        TEXT NOT NULL,
    message     TEXT NOT NULL,
    at          TEXT NOT NULL,
    resolved_at TEXT,
    PRIMARY KEY (device_id, seq)
) STRICT;

-- Server-owned fields of a case (payment confirmed by the finance
-- platform, legal review, reassignment). The inbox writes only here, so it
-- never conflicts with the device's own edits (sync.md §6.6).
CREATE TABLE case_server_state (
    case_id           TEXT PRIMARY KEY,
    payment_status    TEXT,            -- e.g. 'confirmed'
    paid_amount_fen   INTEGER,
    paid_at           TEXT,
    payment_reference TEXT,
    review_result     TEXT,
    assigned_officer  TEXT,
    server_version    INTEGER NOT NULL,
    updated_at        TEXT NOT NULL
) STRICT;

-- Inbox events applied, by the server's event id (idempotent apply).
CREATE TABLE inbox_event (
    event_id   TEXT PRIMARY KEY,
    cursor     INTEGER NOT NULL,
    case_id    TEXT,
    kind       TEXT NOT NULL,
    payload    TEXT NOT NULL,
    applied_at TEXT NOT NULL
) STRICT;

-- Upload progress per original (content-addressed). `offset` is the last
-- offset the server acknowledged; the server's HEAD is authoritative.
CREATE TABLE blob_upload (
    sha256     TEXT PRIMARY KEY,
    upload_id  TEXT,
    size       INTEGER NOT NULL,
    offset     INTEGER NOT NULL DEFAULT 0,
    state      TEXT NOT NULL CHECK (state IN ('pending', 'uploading', 'verified')),
    updated_at TEXT NOT NULL
) STRICT;

-- Number leases the server granted (its lease id), so a retried lease
-- request is never applied twice.
CREATE TABLE server_lease (
    lease_id   TEXT PRIMARY KEY,
    township   TEXT NOT NULL,
    series     TEXT NOT NULL,
    year       INTEGER NOT NULL,
    start_no   INTEGER NOT NULL,
    end_no     INTEGER NOT NULL,
    applied_at TEXT NOT NULL
) STRICT;

-- Every evidence row is announced to the server through the outbox, in
-- the capture transaction itself (the transactional outbox): the server
-- learns which hashes each case expects (sync.md F12) and verifies the
-- device's signature chain. The mutation id is random (UUID layout).
CREATE TRIGGER evidence_to_outbox AFTER INSERT ON evidence
BEGIN
    INSERT INTO outbox (device_id, seq, mutation_id, entity, entity_id, op, payload, created_at)
    VALUES (
        NEW.device_id,
        (SELECT coalesce(max(seq), 0) + 1 FROM outbox WHERE device_id = NEW.device_id),
        (SELECT lower(substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-4' || substr(h, 14, 3) || '-a'
                || substr(h, 18, 3) || '-' || substr(h, 21, 12)) FROM (SELECT hex(randomblob(16)) AS h)),
        'evidence',
        NEW.id,
        'record',
        json_object(
            'case_id', NEW.case_id, 'kind', NEW.kind, 'media_type', NEW.media_type,
            'sha256', NEW.sha256, 'size', NEW.size, 'seq', NEW.seq,
            'device_time', NEW.device_time, 'record_hash', NEW.record_hash,
            'signature', NEW.signature),
        NEW.device_time);
END;

-- Every number consumed — by a case's issue step as well as by an explicit
-- issue or void — is announced through the outbox in the consuming
-- transaction, so the server can reconcile leases (sync.md §5, I6). An
-- explicit issue/void that also appends its own record is idempotent on
-- the server (same device, number, status and case).
CREATE TRIGGER issued_number_to_outbox AFTER INSERT ON issued_number
BEGIN
    INSERT INTO outbox (device_id, seq, mutation_id, entity, entity_id, op, payload, created_at)
    VALUES (
        (SELECT id FROM device WHERE singleton = 1),
        (SELECT coalesce(max(seq), 0) + 1 FROM outbox WHERE device_id = (SELECT id FROM device WHERE singleton = 1)),
        (SELECT lower(substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-4' || substr(h, 14, 3) || '-a'
                || substr(h, 18, 3) || '-' || substr(h, 21, 12)) FROM (SELECT hex(randomblob(16)) AS h)),
        'issued_number',
        NEW.township_code || '/' || NEW.series || '/' || NEW.year || '/' || NEW.seq,
        'use',
        json_object(
            'township', NEW.township_code, 'series', NEW.series, 'year', NEW.year, 'seq', NEW.seq,
            'formatted', NEW.formatted, 'status', NEW.status, 'case_id', NEW.case_id),
        NEW.issued_at);
END;
