-- zhifa-server migration 0016 (both databases): the audit log read by the
-- console's administrators (issue 17; server/src/audit.rs), newest first,
-- by actor or by action: each filter walks its own index backwards
-- instead of the whole table.
CREATE INDEX IF NOT EXISTS audit_by_actor ON audit (actor, id);
CREATE INDEX IF NOT EXISTS audit_by_action ON audit (action, id);
