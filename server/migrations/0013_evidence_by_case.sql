-- zhifa-server migration 0013 (both databases): evidence found by its
-- case. A `case/create` adopts the evidence its device announced with the
-- case's id before the case arrived (`push/case.rs`:
-- `SELECT … FROM evidence WHERE case_id = ? AND device_id = ?`); without
-- this index that is a scan of every evidence row per new case, and the
-- end-of-day burst slowed as the table grew (sync_bench burst: about 930
-- mutations/s after 1.1 M, docs/BENCHMARKS.md). Idempotent: a database a
-- release before the migration runner left runs every file again.
CREATE INDEX IF NOT EXISTS evidence_by_case ON evidence (case_id, device_id);
