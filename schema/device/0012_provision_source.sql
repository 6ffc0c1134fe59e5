-- Catalogue format 2: each provision carries its source (official text URL
-- or gazette issue) and whether its text was verified against it; an
-- unverified provision is shown as 未核对 (issue 14).
ALTER TABLE provision ADD COLUMN source TEXT;
ALTER TABLE provision ADD COLUMN verified INTEGER NOT NULL DEFAULT 0;
