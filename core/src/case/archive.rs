//! What the device sends the centre so that the server holds the whole
//! record (issue 15 items 2 and 5): the documents it issued, as PDFs, and
//! a one-time snapshot of every case, inspection and task.
//!
//! **Documents.** The printable documents of a case (the decision once
//! served, with the party's signature or the refusal note; an order to
//! correct once issued) are rendered on A4 with the township's templates
//! (IDs unmasked: the copy kept on file) — rendering is deterministic, so
//! the bytes are those `zhifa doc render` writes — sealed into
//! `DATA/documents/<sha256>.pdf`, and announced by one outbox record
//! `document/record {case_id, kind, stage, number, title, sha256, size,
//! media_type, document_sha256}` in one transaction. The sync engine then
//! uploads the file through the resumable blob upload like an evidence
//! original (`zhifa_sync::engine`). A document is announced once:
//! the outbox row is the marker (`entity_id = case:kind:stage`).
//!
//! **Backfill.** A device that synced under a server that kept only each
//! case's status sends the full content once: [`enqueue_snapshots`]
//! appends `case/snapshot {case, timeline}`, `inspection/snapshot
//! {inspection}` and `task/snapshot {task}` for every aggregate and sets
//! the flag `record_backfill` in `sync_cursor`, in one transaction, so it
//! happens exactly once; the server applies a snapshot idempotently (an
//! older version never overwrites a newer one).

use std::path::{Path, PathBuf};

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{OptionalExtension, TransactionBehavior, params};
use sha2::{Digest, Sha256};
use uuid::Uuid;
use zhifa_protocol::mutation::{
    CaseSnapshot, DocumentRecord, InspectionSnapshot, SCHEMA, TaskSnapshot, entity,
};

use super::outbox::{self, OutboxEntry};
use super::{CaseError, uuid_v7};
use crate::code::ErrorCode;
use crate::document::fonts::FontSet;
use crate::document::model::{DocumentData, DocumentKind};
use crate::document::template::TemplateLibrary;
use crate::document::{DocumentError, Paper, RenderOptions, render_pdf};
use crate::sealed::{FileKey, SealError};
use crate::store::Store;

/// The `sync_cursor` row that marks the one-time snapshot as queued.
pub const BACKFILL_FLAG: &str = "record_backfill";

/// The media type of archived documents.
pub const PDF: &str = "application/pdf";

/// Why archiving or the snapshot failed.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    /// Reading or writing the case data.
    #[error(transparent)]
    Case(#[from] CaseError),
    /// Rendering the document.
    #[error(transparent)]
    Document(#[from] DocumentError),
    /// Sealing the file.
    #[error(transparent)]
    Seal(#[from] SealError),
    /// An inspection or task could not be read.
    #[error(transparent)]
    Inspection(#[from] crate::inspection::InspectionError),
}

impl From<rusqlite::Error> for ArchiveError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Case(e.into())
    }
}

impl ErrorCode for ArchiveError {
    fn code(&self) -> &'static str {
        match self {
            Self::Case(e) => e.code(),
            Self::Document(e) => e.code(),
            Self::Seal(e) => e.code(),
            Self::Inspection(e) => e.code(),
        }
    }
}

/// One document archived and announced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchivedDocument {
    /// The case.
    pub case_id: String,
    /// The kind (snake_case).
    pub kind: String,
    /// `issued` or `served`.
    pub stage: String,
    /// SHA-256 of the PDF bytes.
    pub sha256: String,
    /// Size of the PDF.
    pub size: u64,
    /// The sealed file.
    pub path: PathBuf,
}

/// The Chinese title of a document kind.
pub fn title_zh(kind: DocumentKind) -> &'static str {
    kind.title_zh()
}

/// The sealed file of an archived document under `dir`.
pub fn document_path(dir: &Path, sha256: &str) -> PathBuf {
    dir.join(format!("{sha256}.pdf"))
}

/// Whether a (kind, stage) is a printable document: the decision only once
/// served (the party's signature or refusal is part of it), other kinds as
/// issued.
fn printable(kind: &str, stage: &str) -> bool {
    match kind {
        "decision_on_the_spot" | "no_penalty_decision" => stage == "served",
        _ => stage == "issued",
    }
}

/// Renders, seals into `dir` and announces every printable case document
/// not announced yet; returns what it archived. Each document is its own
/// transaction (file durable first, then the outbox row), so a crash
/// leaves at most a file without a row, which the next run re-renders to
/// the same bytes and announces.
pub fn archive_documents(
    store: &mut Store,
    dir: &Path,
    now: DateTime<Utc>,
) -> Result<Vec<ArchivedDocument>, ArchiveError> {
    let pending: Vec<(String, String, String, String, String, String, String)> = {
        let mut st = store.conn().prepare(
            "SELECT d.case_id, d.kind, d.stage, d.number, d.json, d.sha256, c.township_code
             FROM case_document d JOIN enforcement_case c ON c.id = d.case_id
             WHERE NOT EXISTS (SELECT 1 FROM outbox o WHERE o.entity = 'document'
                                 AND o.entity_id = d.case_id || ':' || d.kind || ':' || d.stage)
             ORDER BY d.created_at, d.case_id, d.kind, d.stage",
        )?;
        let rows = st.query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
            ))
        })?;
        rows.collect::<Result<_, _>>()?
    };
    let mut out = Vec::new();
    if pending.iter().all(|p| !printable(&p.1, &p.2)) {
        return Ok(out);
    }
    for (case_id, kind, stage, number, json, _record_sha, township) in pending {
        if !printable(&kind, &stage) {
            continue;
        }
        let data: DocumentData = serde_json::from_str(&json)
            .map_err(|e| CaseError::Corrupt(format!("document {case_id}/{kind}/{stage}: {e}")))?;
        let sealed = render_sealed(store, dir, &township, &data)?;
        let entity_id = format!("{case_id}:{kind}:{stage}");
        let tx = store
            .conn_mut()
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let known: Option<i64> = tx
            .query_row(
                "SELECT 1 FROM outbox WHERE entity = 'document' AND entity_id = ?1",
                [&entity_id],
                |r| r.get(0),
            )
            .optional()?;
        if known.is_none() {
            announce(
                &tx,
                &DocumentRecord {
                    schema: SCHEMA,
                    case_id: case_id.clone(),
                    kind: kind.clone(),
                    stage: stage.clone(),
                    number: Some(number.clone()).filter(|n| !n.is_empty()),
                    title: title_zh(data.kind()).to_owned(),
                    sha256: sealed.sha256.clone(),
                    size: i64::try_from(sealed.size)
                        .map_err(|e| CaseError::Corrupt(e.to_string()))?,
                    media_type: PDF.to_owned(),
                    // The hash the print carries under its 核验 QR (the
                    // rendered fields, signature line included), so the
                    // centre's page `/d/{hash}` finds it; not the issue
                    // record's hash of the stored JSON.
                    document_sha256: Some(sealed.document_hash.clone()),
                },
                now,
            )?;
            tx.commit()?;
            out.push(ArchivedDocument {
                case_id,
                kind,
                stage,
                sha256: sealed.sha256,
                size: sealed.size,
                path: sealed.path,
            });
        }
    }
    Ok(out)
}

/// A document rendered on A4 and sealed on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedPdf {
    /// SHA-256 of the PDF bytes.
    pub sha256: String,
    /// Its size.
    pub size: u64,
    /// The document hash printed on it (of its fields).
    pub document_hash: String,
    /// The sealed file.
    pub path: PathBuf,
}

/// The public address of the centre the device is enrolled with (its
/// `server_url`, the same base the 亮码 links use), or `None` before
/// enrolment: the base of the documents' verification links.
pub fn centre_url(store: &Store) -> Result<Option<String>, ArchiveError> {
    use rusqlite::OptionalExtension;
    Ok(store
        .conn()
        .query_row(
            "SELECT server_url FROM sync_enrolment WHERE singleton = 1",
            [],
            |r| r.get::<_, String>(0),
        )
        .optional()?
        .map(|u| u.trim().trim_end_matches('/').to_owned())
        .filter(|u| !u.is_empty()))
}

/// Renders `data` on A4 with `township`'s templates (IDs unmasked: the
/// copy kept on file) and seals it durably into `dir` under its SHA-256.
/// Its verification QR links to the enrolled centre's page
/// ([`centre_url`]), or carries the text payload before enrolment.
/// Rendering is deterministic, so a re-run writes the same file.
pub fn render_sealed(
    store: &Store,
    dir: &Path,
    township: &str,
    data: &DocumentData,
) -> Result<SealedPdf, ArchiveError> {
    let fonts = FontSet::bundled()?;
    let library = TemplateLibrary::builtin()?;
    let key = FileKey::load_or_create(store)?;
    let templates = super::township_config(store, township)?
        .map(|c| c.templates)
        .unwrap_or_default();
    let template = library.get(&templates, data.kind())?;
    let rendered = render_pdf(
        data,
        template,
        &fonts,
        &RenderOptions {
            paper: Paper::A4,
            mask_id: Some(false),
            verification_base: centre_url(store)?,
        },
    )?;
    let sha = hex::encode(Sha256::digest(&rendered.pdf));
    let path = document_path(dir, &sha);
    crate::sealed::write_durable(&path, &dir.join("tmp"), &rendered.pdf, &key)?;
    Ok(SealedPdf {
        sha256: sha,
        size: rendered.pdf.len() as u64,
        document_hash: rendered.document_hash,
        path,
    })
}

/// Announces a sealed document to the centre inside the caller's
/// transaction: one outbox record `document/record`, whose entity id
/// `case:kind:stage` is the marker that it was announced.
pub fn announce(
    tx: &rusqlite::Connection,
    record: &DocumentRecord,
    now: DateTime<Utc>,
) -> Result<i64, ArchiveError> {
    Ok(outbox::append(
        tx,
        &OutboxEntry {
            entity: entity::DOCUMENT,
            entity_id: format!("{}:{}:{}", record.case_id, record.kind, record.stage),
            op: "record",
            payload: to_json(record)?,
        },
        now,
        uuid_v7(now),
    )?)
}

/// The archived documents (sha256, size) the device announced, oldest
/// first, for the blob upload.
pub fn announced_documents(store: &Store) -> Result<Vec<(String, u64)>, ArchiveError> {
    let mut st = store.conn().prepare(
        "SELECT json_extract(payload, '$.sha256'), json_extract(payload, '$.size') FROM outbox
         WHERE entity = 'document' AND op = 'record' ORDER BY seq",
    )?;
    let rows = st.query_map([], |r| {
        Ok((r.get::<_, Option<String>>(0)?, r.get::<_, Option<i64>>(1)?))
    })?;
    let mut out = Vec::new();
    for row in rows {
        if let (Some(sha), Some(size)) = row? {
            out.push((sha, u64::try_from(size).unwrap_or(0)));
        }
    }
    Ok(out)
}

/// Queues the one-time snapshot of every case, inspection and task (see
/// the module notes); returns how many records it appended, 0 when the
/// flag was already set. One IMMEDIATE transaction: the records and the
/// flag commit together or not at all.
pub fn enqueue_snapshots(store: &mut Store, now: DateTime<Utc>) -> Result<usize, ArchiveError> {
    // Reads first (the case and inspection readers take the store); the
    // flag is re-checked inside the write transaction.
    if backfill_done(store)? {
        return Ok(0);
    }
    let cases = super::list(store, None)?;
    let mut timelines = Vec::with_capacity(cases.len());
    for c in &cases {
        timelines.push(super::timeline(store, c.id)?);
    }
    let inspections = crate::inspection::list(store)?;
    let tasks = crate::inspection::task::tasks(store)?;
    let tx = store
        .conn_mut()
        .transaction_with_behavior(TransactionBehavior::Immediate)?;
    let done: Option<String> = tx
        .query_row(
            "SELECT cursor FROM sync_cursor WHERE stream = ?1",
            [BACKFILL_FLAG],
            |r| r.get(0),
        )
        .optional()?;
    if done.is_some() {
        return Ok(0);
    }
    let mut n = 0;
    // Oldest first, so the server meets them in the order they were made.
    for (c, timeline) in cases.iter().rev().zip(timelines.iter().rev()) {
        let payload = to_json(&CaseSnapshot {
            schema: SCHEMA,
            case: c.into(),
            timeline: timeline.iter().map(Into::into).collect(),
        })?;
        append(&tx, entity::CASE, c.id, payload, now)?;
        n += 1;
    }
    for i in &inspections {
        let payload = to_json(&InspectionSnapshot {
            schema: SCHEMA,
            inspection: i.into(),
        })?;
        append(&tx, entity::INSPECTION, i.id, payload, now)?;
        n += 1;
    }
    for t in &tasks {
        let payload = to_json(&TaskSnapshot {
            schema: SCHEMA,
            task: t.into(),
        })?;
        append(&tx, entity::TASK, t.id, payload, now)?;
        n += 1;
    }
    tx.execute(
        "INSERT INTO sync_cursor (stream, cursor, updated_at) VALUES (?1, ?2, ?3)",
        params![
            BACKFILL_FLAG,
            n.to_string(),
            now.to_rfc3339_opts(SecondsFormat::Millis, true)
        ],
    )?;
    tx.commit()?;
    Ok(n)
}

/// Whether the one-time snapshot has been queued.
pub fn backfill_done(store: &Store) -> Result<bool, ArchiveError> {
    Ok(store
        .conn()
        .query_row(
            "SELECT 1 FROM sync_cursor WHERE stream = ?1",
            [BACKFILL_FLAG],
            |r| r.get::<_, i64>(0),
        )
        .optional()?
        .is_some())
}

fn append(
    tx: &rusqlite::Connection,
    entity: &'static str,
    id: Uuid,
    payload: serde_json::Value,
    now: DateTime<Utc>,
) -> Result<(), ArchiveError> {
    outbox::append(
        tx,
        &OutboxEntry {
            entity,
            entity_id: id.to_string(),
            op: "snapshot",
            payload,
        },
        now,
        uuid_v7(now),
    )?;
    Ok(())
}

fn to_json<T: serde::Serialize>(v: &T) -> Result<serde_json::Value, ArchiveError> {
    serde_json::to_value(v).map_err(|e| CaseError::Corrupt(e.to_string()).into())
}
