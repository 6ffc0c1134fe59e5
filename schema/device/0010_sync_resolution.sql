-- Device store schema: how the officer resolved each sync conflict.
--
-- A rejected mutation is never dropped (sync.md §6.1 p4): its outbox row
-- and its sync_result stay, and the conflict row records what the officer
-- decided — 'acknowledged' (kept as rejected, with the officer's note) or
-- 'retried' (sent again as a new outbox record, `retry_seq`, whose own
-- result is tracked like any other).
--
-- Forward-only: a released migration file is never edited.
ALTER TABLE sync_conflict ADD COLUMN resolution TEXT
    CHECK (resolution IS NULL OR resolution IN ('acknowledged', 'retried'));
ALTER TABLE sync_conflict ADD COLUMN note TEXT;
ALTER TABLE sync_conflict ADD COLUMN retry_seq INTEGER;
