-- Device store schema version 2: officers, the device identity and its
-- signing key, and the evidence manifest (a per-device signed hash chain).
--
-- Forward-only: a released migration file is never edited. STRICT tables.

-- Officer profiles (sample data now; enrolment arrives with sync). Names are
-- personal data: the whole store is SQLCipher-encrypted, and logs mask them.
CREATE TABLE officer (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    credential_no TEXT NOT NULL UNIQUE,   -- 执法证号
    township_code TEXT NOT NULL,          -- 6+3 digit 镇街 code of the catalogue
    active        INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
) STRICT;
CREATE INDEX officer_by_township ON officer (township_code);

-- The device itself: exactly one row, created once.
-- signing_key_wrapped is the Ed25519 private key encrypted (AEAD) under a
-- wrapping key that never sits in this database; see core/src/device.rs.
CREATE TABLE device (
    singleton           INTEGER PRIMARY KEY CHECK (singleton = 1),
    id                  TEXT NOT NULL,        -- UUIDv7
    created_at          TEXT NOT NULL,        -- RFC 3339, supplied by the caller
    public_key          TEXT NOT NULL,        -- Ed25519 public key, hex
    signing_key_wrapped TEXT NOT NULL,        -- "v1:<salt hex>:<nonce hex>:<ciphertext hex>"
    -- Head of the evidence chain, updated in the same transaction as each
    -- evidence row, so that deleting the newest row is detected too.
    evidence_head_seq   INTEGER NOT NULL DEFAULT 0,
    evidence_head_hash  TEXT NOT NULL DEFAULT '',
    evidence_head_sig   TEXT NOT NULL DEFAULT ''
) STRICT;

-- One row per evidence item. The original file lives outside the database,
-- content-addressed by its SHA-256; it is durable on disk before this row
-- commits. Rows are append-only: no code path updates or deletes them.
CREATE TABLE evidence (
    id              TEXT PRIMARY KEY,         -- UUIDv7
    device_id       TEXT NOT NULL,            -- the device that captured it (its chain)
    seq             INTEGER NOT NULL CHECK (seq > 0),  -- 1, 2, 3 … per device: the chain order
    case_id         TEXT,                     -- UUID of the case, if any (no FK: cases arrive later)
    kind            TEXT NOT NULL CHECK (kind IN ('photo', 'video', 'audio')),
    media_type      TEXT NOT NULL,            -- e.g. image/jpeg
    ext             TEXT NOT NULL,            -- stored file extension, e.g. jpg
    sha256          TEXT NOT NULL,            -- of the original bytes, hex
    size            INTEGER NOT NULL CHECK (size > 0),
    original_name   TEXT,                     -- the file name as given, if any
    officer_ids     TEXT NOT NULL,            -- JSON array of officer ids
    device_time     TEXT NOT NULL,            -- device clock at capture, RFC 3339
    server_offset_ms INTEGER,                 -- last known server time − device time, ms
    fix_lat         REAL,                     -- the device's own fix (WGS-84)
    fix_lon         REAL,
    fix_accuracy_m  REAL,
    exif_time       TEXT,                     -- DateTimeOriginal as written by the camera
    exif_lat        REAL,
    exif_lon        REAL,
    width           INTEGER,
    height          INTEGER,
    thumb_sha256    TEXT,                     -- derived copies, each with its own hash
    watermark_sha256 TEXT,
    prev_hash       TEXT NOT NULL,            -- record_hash of seq − 1 ('' for seq 1)
    record_hash     TEXT NOT NULL,            -- SHA-256 over prev_hash, seq and the record
    signature       TEXT NOT NULL,            -- Ed25519 over record_hash, hex
    UNIQUE (device_id, seq)
) STRICT;
CREATE INDEX evidence_by_case ON evidence (case_id);
CREATE INDEX evidence_by_sha ON evidence (sha256);
