//! 归档 (S18, 行政处罚法 Art. 47): the archivist files a closed case as one
//! 卷宗 PDF (`zhifa_core::document::render_dossier`) — a cover, a 目录 with
//! page numbers, every document the case holds (the centre's sealed
//! decision, the documents the officer's device issued) in the order of
//! the 重庆市行政处罚案卷评查标准, the evidence list with each original's
//! SHA-256, and the timeline of every step with its actor's role and
//! article — stored by SHA-256 as a file of the case, and only then the
//! 归档 step is appended. Every document is read back from the evidence
//! store and checked against its hash first: a file that does not match is
//! never bound into the 卷宗.

use chrono::{DateTime, TimeDelta, Utc};
use sha2::{Digest, Sha256};
use zhifa_core::document::dossier::{
    Dossier, DossierCover, DossierEntry, DossierEvidence, EntryKind, Retention, TimelineStep,
};
use zhifa_core::document::fonts::FontSet;
use zhifa_core::document::model::DocumentKind;
use zhifa_core::procedure::{EventKind, ProcedureEvent};
use zhifa_protocol::mutation::NormalCaseDetails;

use super::documents::{link_file, store_file};
use super::view::{CaseView, console_event, in_scope};
use super::{CaseError, config_of, details_of, events_of, release_of, state_of};
use crate::api::state::{St, blocking};
use crate::console::Staff;
use crate::error::ApiError;
use crate::record::Keeper;
use crate::store::sql::{Conn, p};

/// How long a 卷宗 is kept: 机关文书档案保管期限规定 keeps 行政处罚 files
/// "重要的永久保管，一般的为30年" (research §1.2 S18); which Chongqing cases
/// count as 重要 is not published, so every file gets the general period.
pub const RETENTION_YEARS: u32 = 30;

/// A document of the case to bind: its kind, title, date and file.
struct Held {
    kind: String,
    /// `record_document.stage` (empty for a document made at 归档).
    stage: String,
    title: String,
    date: chrono::NaiveDate,
    sha256: String,
}

/// What phase one gathers for the 卷宗.
struct Gathered {
    case_id: String,
    event: ProcedureEvent,
    details: NormalCaseDetails,
    events: Vec<ProcedureEvent>,
    held: Vec<Held>,
    decision_number: Option<String>,
    /// The reviewers' names by account id (for the 法制审核意见书).
    reviewers: Vec<(String, String)>,
    /// The catalogue release in force (a device 催告's 催告书).
    pkg: std::sync::Arc<zhifa_core::catalogue::model::Package>,
}

/// The 卷宗 entry of a held document by its `kind` (the core's names).
fn entry_kind(kind: &str) -> EntryKind {
    DocumentKind::parse(kind).map_or(EntryKind::Other, EntryKind::Document)
}

fn gather(
    c: &mut dyn Conn,
    k: &Keeper,
    who: &Staff,
    case_id: &str,
    kind: EventKind,
    now: DateTime<Utc>,
) -> Result<Gathered, CaseError> {
    let row = in_scope(c, who, case_id)?;
    let event = console_event(c, who, case_id, kind, now)?;
    let events = events_of(c, k, case_id)?;
    let pkg = release_of(c, k, &row.township, event.on())?;
    let config = config_of(&row.township);
    let state = state_of(&events, &config, &pkg)?;
    // The core decides whether the case may be filed now (closed first).
    zhifa_core::procedure::apply(&state, &event, &config, &pkg.calendar)?;
    let details = details_of(c, k, case_id)?
        .ok_or_else(|| CaseError::Corrupt(format!("{case_id} 缺少案件信息")))?;
    let rows = c.query(
        "SELECT kind, title, received_at, sha256, stage FROM record_document
         WHERE case_id = ?1 AND kind <> 'dossier' ORDER BY received_at",
        p![case_id],
    )?;
    let mut held = Vec::with_capacity(rows.len());
    for r in rows {
        let received: String = r.get(2)?;
        let date = DateTime::parse_from_rfc3339(&received)
            .map(|t| zhifa_core::procedure::beijing_date(t.with_timezone(&Utc)))
            .map_err(|e| CaseError::Corrupt(format!("文书时间 {received}: {e}")))?;
        held.push(Held {
            stage: r.get(4)?,
            kind: r.get(0)?,
            title: r.get(1)?,
            date,
            sha256: r.get(3)?,
        });
    }
    let mut reviewers = Vec::new();
    for e in &events {
        if matches!(e.kind, EventKind::LegalReview { .. }) {
            let name: Option<String> = c
                .query_opt("SELECT name FROM staff WHERE id = ?1", p![e.actor.id])?
                .map(|r| r.get(0))
                .transpose()?;
            reviewers.push((
                e.actor.id.clone(),
                name.unwrap_or_else(|| e.actor.id.clone()),
            ));
        }
    }
    Ok(Gathered {
        pkg,
        reviewers,
        case_id: case_id.to_owned(),
        event,
        details,
        events,
        held,
        decision_number: row.decision_number,
    })
}

fn result_of(events: &[ProcedureEvent]) -> String {
    let revoked = events.iter().rev().find_map(|e| match &e.kind {
        EventKind::Revoke { source, .. } => Some(source.clone()),
        _ => None,
    });
    events
        .iter()
        .rev()
        .find_map(|e| match &e.kind {
            EventKind::Decide { outcome, .. } => Some(match &revoked {
                Some(by) => format!("{}（已撤销：{by}）", super::outcome_words(outcome)),
                None => super::outcome_words(outcome),
            }),
            _ => None,
        })
        .unwrap_or_else(|| "撤销立案".to_owned())
}

/// The documents the centre renders from its own steps for the 卷宗: each
/// 法制审核意见书 (Art. 58), dated its review, and the 催告书 of a 催告 the
/// officer recorded on the device (行政强制法 Art. 35).
fn centre_documents(g: &Gathered, base: Option<&str>) -> Result<Vec<(Held, Vec<u8>)>, CaseError> {
    let mut out = Vec::new();
    for e in &g.events {
        let Some((_, name)) = g.reviewers.iter().find(|(id, _)| *id == e.actor.id) else {
            continue;
        };
        if let Some(pdf) =
            super::documents::legal_review_pdf(&g.case_id, &g.details, e, name, base)?
        {
            out.push((
                Held {
                    stage: String::new(),
                    kind: "legal_review".to_owned(),
                    title: "法制审核意见书".to_owned(),
                    date: e.on(),
                    sha256: String::new(),
                },
                pdf,
            ));
        }
    }
    let stages: Vec<String> = g.held.iter().map(|h| h.stage.clone()).collect();
    let config = config_of(&g.details.township);
    for (stage, date, pdf) in super::issued::device_reminders(
        &g.case_id, &g.details, &g.events, &g.pkg, &config, &stages, base,
    )? {
        out.push((
            Held {
                stage,
                kind: "reminder".to_owned(),
                title: "催告书".to_owned(),
                date,
                sha256: String::new(),
            },
            pdf,
        ));
    }
    Ok(out)
}

/// The 卷宗 of a gathered case, its documents' bytes given in order.
fn dossier(g: &Gathered, files: Vec<(Held, Vec<u8>)>, archivist: &str) -> Dossier {
    let bj = |t: DateTime<Utc>| (t + TimeDelta::hours(8)).naive_utc();
    let filed_on = g
        .events
        .iter()
        .find(|e| matches!(e.kind, EventKind::File))
        .map_or(g.event.on(), ProcedureEvent::on);
    let closed_on = g
        .events
        .iter()
        .rev()
        .find(|e| matches!(e.kind, EventKind::Close { .. }))
        .map_or(g.event.on(), ProcedureEvent::on);
    let officer_of = |id: &str| {
        g.details.officers.iter().find(|o| o.id == id).map_or_else(
            || id.to_owned(),
            |o| format!("{}（{}）", o.name, o.credential_no),
        )
    };
    let evidence = g
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Investigate {
                act,
                officers,
                document: Some(sha),
            } => Some(DossierEvidence {
                description: act.clone(),
                captured_at: bj(e.at),
                place: e.place.clone().unwrap_or_else(|| g.details.place.clone()),
                officer: officers
                    .iter()
                    .map(|o| officer_of(o))
                    .collect::<Vec<_>>()
                    .join("、"),
                sha256: sha.clone(),
                thumbnail: None,
            }),
            _ => None,
        })
        .collect();
    let mut timeline: Vec<TimelineStep> = g
        .events
        .iter()
        .chain(std::iter::once(&g.event))
        .map(|e| TimelineStep {
            at: bj(e.at),
            step: e.kind.label_zh().to_owned(),
            actor_role: e.actor.role.label_zh().to_owned(),
            article: e.basis.join("、"),
        })
        .collect();
    timeline.sort_by_key(|t| t.at);
    Dossier {
        cover: DossierCover {
            authority: g.details.authority.name.clone(),
            case_title: format!("{}{}案", g.details.party.name, g.details.matter_name),
            case_number: g.case_id.clone(),
            party: g.details.party.name.clone(),
            decision_number: g.decision_number.clone(),
            result: result_of(&g.events),
            filed_on,
            closed_on,
            retention: Retention::Years(RETENTION_YEARS),
            archivist: archivist.to_owned(),
        },
        entries: files
            .into_iter()
            .map(|(h, pdf)| DossierEntry {
                kind: entry_kind(&h.kind),
                title: h.title,
                date: h.date,
                pdf,
            })
            .collect(),
        evidence,
        timeline,
    }
}

/// The 归档 step over HTTP.
pub async fn archive_http(
    s: St,
    who: Staff,
    case_id: String,
    kind: EventKind,
) -> Result<CaseView, ApiError> {
    let (store, now) = (s.store.clone(), s.clock.now());
    let (w, id) = (who.clone(), case_id.clone());
    let g = blocking(move || {
        let k = store.keeper();
        store.write_as(|c| gather(c, k, &w, &id, kind.clone(), now))
    })
    .await?;
    let mut files = Vec::with_capacity(g.held.len());
    for h in &g.held {
        let Some(bytes) = s.blobs.read_unchecked(&h.sha256).await? else {
            return Err(CaseError::Document(format!(
                "《{}》尚未上传到中心，待执法终端同步后再归档",
                h.title
            ))
            .into());
        };
        if hex::encode(Sha256::digest(&bytes)) != h.sha256 {
            return Err(CaseError::Document(format!("《{}》与其哈希不符", h.title)).into());
        }
        files.push((
            Held {
                stage: h.stage.clone(),
                kind: h.kind.clone(),
                title: h.title.clone(),
                date: h.date,
                sha256: h.sha256.clone(),
            },
            bytes,
        ));
    }
    let archivist = who.name.clone();
    let base = s.public_url.clone();
    let (g, rendered) = tokio::task::spawn_blocking(move || {
        let r = centre_documents(&g, base.as_deref()).and_then(|mut own| {
            own.extend(files);
            let d = dossier(&g, own, &archivist);
            FontSet::bundled()
                .and_then(|f| zhifa_core::document::render_dossier(&d, &f))
                .map_err(|e| CaseError::Document(e.to_string()))
        });
        (g, r)
    })
    .await
    .map_err(|_| ApiError::new(zhifa_protocol::ErrorKind::Internal, "服务器任务中断"))?;
    let pdf = rendered?.pdf;
    let (sha, size) = store_file(&s.blobs, pdf).await?;
    let store = s.store.clone();
    let view = blocking(move || {
        let k = store.keeper();
        store.write_as(|c| {
            link_file(
                c,
                &case_id,
                "dossier",
                "archived",
                "卷宗",
                None,
                (&sha, size),
                None,
                now,
            )?;
            super::view::append_centre_step(c, k, &who, &case_id, &g.event, now)
        })
    })
    .await?;
    Ok(view)
}
