-- zhifa-server migration 0018 (both databases): the public verification
-- page of a document (`GET /d/{document_hash}`, server/src/verify.rs)
-- finds it by its document hash, the one its 核验 QR carries, through an
-- index instead of a walk over every document.
CREATE INDEX IF NOT EXISTS record_document_by_document_sha ON record_document (document_sha256);
