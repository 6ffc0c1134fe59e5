-- zhifa-server migration 0019 (both databases): the city's platforms
-- (一体化治理智治平台, 12345) and the events they hand to the dispatcher
-- (issue 17 item 4; server/src/platform). A platform is registered by the
-- administrator (`zhifa-server platform add`) with its shared HMAC secret,
-- sealed by the vault (purpose `platform.secret`, AAD = the platform id),
-- and the township-code prefix it may send events for. A delivery id is
-- kept for a day so a replayed request is refused; an event is one row per
-- (platform, external id), so a re-sent event is the same event. The
-- reporter's contact is sealed (purpose `platform.event`, AAD = the event
-- id); lists show its masked form only.
CREATE TABLE IF NOT EXISTS platform (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    scope         TEXT NOT NULL,      -- township-code prefix ('' the city)
    secret        TEXT NOT NULL,      -- sealed shared secret
    reply_days    TEXT NOT NULL,      -- JSON {kind: working days} (configuration)
    created_at    TEXT NOT NULL,
    revoked_at    TEXT
);

CREATE TABLE IF NOT EXISTS platform_delivery (
    platform      TEXT NOT NULL,
    delivery_id   TEXT NOT NULL,
    at            TEXT NOT NULL,
    PRIMARY KEY (platform, delivery_id)
);
CREATE INDEX IF NOT EXISTS platform_delivery_by_at ON platform_delivery (at);

CREATE TABLE IF NOT EXISTS platform_event (
    event_id         TEXT PRIMARY KEY,
    platform         TEXT NOT NULL,
    external_id      TEXT NOT NULL,
    kind             TEXT NOT NULL,   -- complaint | report | assignment | camera | other
    place            TEXT NOT NULL,
    township         TEXT NOT NULL,
    description      TEXT NOT NULL,
    reporter_masked  TEXT,            -- e.g. 张* 138****5678
    reporter         TEXT,            -- sealed JSON {name, phone}
    received_at      TEXT NOT NULL,   -- when the platform received it (RFC 3339)
    arrived_at       TEXT NOT NULL,   -- when it reached this server
    reply_days       BIGINT,          -- the reply period in working days, if any
    reply_basis      TEXT,            -- its legal basis or 'configuration'
    reply_due        TEXT,            -- the reply's last day (YYYY-MM-DD)
    status           TEXT NOT NULL,   -- new | task | case_source
    task_id          TEXT,
    note             TEXT,
    converted_by     TEXT,
    converted_at     TEXT,
    UNIQUE (platform, external_id)
);
CREATE INDEX IF NOT EXISTS platform_event_by_township ON platform_event (township, status);
