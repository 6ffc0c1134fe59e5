-- zhifa-server migration 0020 (both databases): sign-in through the
-- government's single sign-on (OpenID Connect; server/src/session/sso.rs).
-- `staff_sso` links a provider's subject to an existing staff account —
-- made by the administrator (`zhifa-server staff link-sso`), never by a
-- sign-in. `staff_sso_pending` holds a started sign-in (state, nonce, the
-- PKCE verifier) for ten minutes; its callback takes the row once.
CREATE TABLE IF NOT EXISTS staff_sso (
    issuer     TEXT NOT NULL,
    subject    TEXT NOT NULL,
    staff_id   TEXT NOT NULL,
    linked_at  TEXT NOT NULL,
    PRIMARY KEY (issuer, subject)
);

CREATE TABLE IF NOT EXISTS staff_sso_pending (
    state       TEXT PRIMARY KEY,
    nonce       TEXT NOT NULL,
    verifier    TEXT NOT NULL,
    next        TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
