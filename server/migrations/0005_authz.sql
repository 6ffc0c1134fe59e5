-- zhifa-server: per-device ownership state (issue 13), kept apart from
-- the base schema. One file for both databases (plain types, SQL both
-- SQLite and PostgreSQL run); IF NOT EXISTS because releases before the
-- migration runner applied it at every open.

-- Aggregates with a rejected mutation, per device: that device's later
-- mutations of the aggregate get dependency_rejected. Keyed by the device
-- that made the rejected mutation, so a mutation naming another device's
-- case never blocks that device (security review 2026-12, finding 1).
CREATE TABLE IF NOT EXISTS device_blocked (
    device_id TEXT NOT NULL,
    entity    TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    first_seq BIGINT NOT NULL,
    PRIMARY KEY (device_id, entity, entity_id)
);

-- Upgrade of a database written before: the legacy table keyed by
-- (entity, entity_id) alone is moved over once, each row under the device
-- whose mutation was rejected, and then stays empty.
INSERT INTO device_blocked (device_id, entity, entity_id, first_seq)
    SELECT device_id, entity, entity_id, first_seq FROM blocked_aggregate
    WHERE true -- (SQLite: an upsert after SELECT … FROM needs a WHERE)
    ON CONFLICT DO NOTHING;
DELETE FROM blocked_aggregate;

-- Ratings are one per inspection visit (and party, when the token names
-- one); looked up by inspection.
CREATE INDEX IF NOT EXISTS badge_rating_by_inspection ON badge_rating (inspection_id);

-- 亮码 page views, counted per token (not one audit row each): the audit
-- gets a row only when a token's verification result changes (its first
-- view, a revocation, an expiry).
CREATE TABLE IF NOT EXISTS badge_view_count (
    token_id  TEXT PRIMARY KEY,
    views     BIGINT NOT NULL,
    last_code TEXT NOT NULL,
    first_at  TEXT NOT NULL,
    last_at   TEXT NOT NULL
);
