-- zhifa-server migration 0011 (both databases): the personal-data vault's
-- data keys (issue 15 item 4; server/src/pii/). Envelope encryption: each
-- sealed value names the data key that sealed it; each data key is stored
-- only wrapped (AEAD-encrypted) by a master key that never touches the
-- database (a key file, an environment-supplied key, or a KMS/HSM behind
-- the `KeyProvider` seam). Rotating the master key rewraps these rows;
-- rotating a data key retires it for new seals (and `--reseal` moves the
-- sealed rows to its successor).
CREATE TABLE pii_key (
    id         TEXT PRIMARY KEY,       -- data key id, named in every ciphertext
    purpose    TEXT NOT NULL,          -- what it seals (record.case, blind_index …)
    master_id  TEXT NOT NULL,          -- the master key that wraps it
    wrapped    TEXT NOT NULL,          -- base64(nonce ‖ AEAD(master, data key))
    created_at TEXT NOT NULL,
    retired_at TEXT                    -- set: opens old values, seals nothing new
);
CREATE INDEX pii_key_by_purpose ON pii_key (purpose, retired_at);
