//! The documents the centre issues for a normal-procedure case: the
//! 行政处罚决定书 (行政处罚法 Art. 59), numbered from the township's
//! normal-procedure series and sealed on the server only — the server's
//! Ed25519 key (the badge authority's, published at `/v1/badge/key`)
//! signs the document hash, and the signature is the decision step's
//! `signature` — and the archived 卷宗. Each is stored in the evidence
//! store by SHA-256 and linked to the case (`record_document`, device
//! `server`), so `GET /v1/console/records/cases/{id}/files/{sha256}`
//! serves it like any file of a case.

use chrono::{DateTime, NaiveDate, Utc};
use sha2::{Digest, Sha256};
use zhifa_core::catalogue::model::Package;
use zhifa_core::document::fonts::FontSet;
use zhifa_core::document::model::{Authority, DocumentData, PartyDetails, date_zh};
use zhifa_core::document::normal::{Defence, HearingSummary, PaymentRoute, PenaltyDecision};
use zhifa_core::document::render::{RenderOptions, RenderedDocument, render_pdf};
use zhifa_core::document::template::Template;
use zhifa_core::procedure::{EventKind, ProcedureEvent};
use zhifa_protocol::mutation::NormalCaseDetails;
use zhifa_protocol::record::PartyRecord;

use crate::api::state::{St, blocking};
use crate::blobs::{Blobs, Finish};
use crate::console::Staff;
use crate::error::ApiError;
use crate::record::{Keeper, ts};
use crate::store::sql::{Conn, p};

use super::view::CaseView;
use super::{CaseError, decision_number, details_of};

/// The provisions `ids` of the matter, cited, as in force on `on`.
pub(super) fn citations(pkg: &Package, ids: &[String], on: NaiveDate) -> Vec<String> {
    ids.iter()
        .filter_map(|id| {
            pkg.provisions
                .iter()
                .filter(|p| {
                    &p.id == id && p.effective_from <= on && p.effective_to.is_none_or(|t| t >= on)
                })
                .map(|p| p.citation())
                .next()
        })
        .collect()
}

/// The party as a document prints it (the document's name as recorded;
/// the same as the device's normal-procedure documents).
pub(super) fn party_details(p: &PartyRecord) -> PartyDetails {
    zhifa_core::document::normal::party_details(p)
}

/// The 行政处罚决定书 of a case whose log (`events`, ending with the
/// decision `decide`) and details are given; `None` for an outcome that
/// is no penalty (不予处罚, 不成立, 移送: other documents, not this one).
pub fn decision_data(
    d: &NormalCaseDetails,
    events: &[ProcedureEvent],
    decide: &ProcedureEvent,
    pkg: &Package,
) -> Result<Option<PenaltyDecision>, CaseError> {
    let EventKind::Decide { outcome, number } = &decide.kind else {
        return Err(CaseError::Invalid("不是作出决定的步骤".into()));
    };
    let Some(penalty) = outcome.penalty() else {
        return Ok(None);
    };
    let on = decide.on();
    let matter = pkg
        .matters
        .iter()
        .find(|m| m.code == d.matter_code)
        .ok_or_else(|| CaseError::Invalid(format!("事项 {} 不在生效目录中", d.matter_code)))?;
    let told = events.iter().rev().find_map(|e| match &e.kind {
        EventKind::Inform { facts, .. } => Some((facts.clone(), e.on())),
        _ => None,
    });
    let mut defence = Defence::Lapsed {
        notice_number: "见卷内《行政处罚事先告知书》".to_owned(),
        served_on: told.as_ref().map_or(on, |t| t.1),
    };
    let mut hearing = None;
    let mut evidence = Vec::new();
    for e in events {
        match &e.kind {
            EventKind::Investigate { act, document, .. } => evidence.push(match document {
                Some(h) => format!("{act}（{}，SHA-256 {}）", date_zh(e.on()), h),
                None => format!("{act}（{}）", date_zh(e.on())),
            }),
            EventKind::Waive {
                statement: true, ..
            } => defence = Defence::Waived,
            EventKind::HearStatement { review, adopted } => {
                defence = Defence::Heard {
                    summary: "当事人在法定期限内提出了陈述、申辩意见".to_owned(),
                    adoption: format!(
                        "{review}（{}）",
                        if *adopted {
                            "予以采纳"
                        } else {
                            "不予采纳"
                        }
                    ),
                };
            }
            EventKind::HoldHearing {
                party_attended: true,
                minutes,
            } => {
                // Art. 65: the decision is made on the 听证笔录; it says
                // what the party argued and what the presider found.
                let summary = match minutes {
                    Some(m) if !m.opinion.trim().is_empty() => format!(
                        "当事人申辩：{}。听证主持人意见：{}。听证笔录及听证报告见卷内。",
                        m.party_statement, m.opinion
                    ),
                    Some(m) => format!("当事人申辩：{}。听证笔录见卷内。", m.party_statement),
                    None => "听证笔录及听证报告见卷内。".to_owned(),
                };
                hearing = Some(HearingSummary {
                    held_on: e.on(),
                    summary,
                });
            }
            _ => {}
        }
    }
    let has_fine = penalty.fine_fen > 0;
    Ok(Some(PenaltyDecision {
        number: number.clone(),
        authority: Authority {
            name: d.authority.name.clone(),
            entrusted_by: matter.entrusting_authority.clone(),
        },
        party: party_details(&d.party),
        cause: format!("{}{}案", d.party.name, d.matter_name),
        violation_time: d.violation_time,
        violation_place: d.place.clone(),
        facts: told.map_or_else(|| d.facts.clone(), |t| t.0),
        evidence,
        violated_provisions: citations(pkg, &matter.violated, on),
        defence,
        hearing,
        discretion: None,
        penalty_provisions: citations(pkg, &matter.penalty, on),
        penalty: penalty.clone(),
        payment: has_fine.then(|| PaymentRoute::Electronic {
            channel: d.authority.payment_channel.clone(),
            code: None,
            qr_content: None,
        }),
        review_body: d.authority.reconsideration_body.clone(),
        court: d.authority.court.clone(),
        date: on,
    }))
}

/// The 法制审核意见书 of a 法制审核 step (行政处罚法 Art. 58), by the
/// reviewer `reviewer` (the account's name), rendered as A4 with its
/// verification QR linking under `base` (see [`render_a4`]).
pub fn legal_review_pdf(
    case_id: &str,
    d: &NormalCaseDetails,
    review: &ProcedureEvent,
    reviewer: &str,
    base: Option<&str>,
) -> Result<Option<Vec<u8>>, CaseError> {
    use zhifa_core::document::normal::{LegalReview, ReviewOutcome, ReviewPoint};
    let EventKind::LegalReview {
        qualification,
        passed,
        opinion,
        checklist,
    } = &review.kind
    else {
        return Ok(None);
    };
    let mut points: Vec<ReviewPoint> = checklist
        .iter()
        .map(|i| ReviewPoint {
            point: i.point.clone(),
            finding: i.finding.clone(),
        })
        .collect();
    if points.is_empty() {
        // A review recorded without its checklist: its opinion stands for it.
        points.push(ReviewPoint {
            point: "综合审核".to_owned(),
            finding: opinion.clone(),
        });
    }
    let data = DocumentData::LegalReview(LegalReview {
        case_number: case_id.to_owned(),
        authority: Authority {
            name: d.authority.name.clone(),
            entrusted_by: None,
        },
        cause: format!("{}{}案", d.party.name, d.matter_name),
        reviewer: reviewer.to_owned(),
        qualification_number: qualification.clone(),
        checklist: points,
        outcome: if *passed {
            ReviewOutcome::Pass
        } else {
            ReviewOutcome::ReturnForInvestigation
        },
        opinion: opinion.clone(),
        date: review.on(),
    });
    Ok(Some(render_a4(&data, base)?.pdf))
}

/// A document rendered on A4 with the built-in template of its kind and
/// the bundled fonts; its verification QR links to the centre's page
/// `{base}/d/{hash}` when the server knows its public URL (`base`, the
/// `--public-url` of `serve`), the text payload otherwise.
pub(super) fn render_a4(
    data: &DocumentData,
    base: Option<&str>,
) -> Result<RenderedDocument, CaseError> {
    let template =
        Template::builtin(data.kind()).map_err(|e| CaseError::Document(e.to_string()))?;
    let fonts = FontSet::bundled().map_err(|e| CaseError::Document(e.to_string()))?;
    let opts = RenderOptions {
        verification_base: base.map(str::to_owned),
        ..RenderOptions::default()
    };
    render_pdf(data, &template, &fonts, &opts).map_err(|e| CaseError::Document(e.to_string()))
}

/// A decision rendered and sealed, ready to store.
#[derive(Debug)]
pub struct Rendered {
    /// The decision step, its number and seal set.
    pub event: ProcedureEvent,
    /// The PDF, if the outcome has a 决定书 here.
    pub pdf: Option<(Vec<u8>, String)>,
}

/// Phase one of a decision: the account's step with the number reserved
/// for the case, checked by the core against the log (a refused decision
/// reserves nothing: the transaction rolls back), and its 决定书 rendered
/// (its QR linking under `base`, see [`render_a4`]).
#[allow(clippy::too_many_arguments)] // the step, its context and the link base
pub fn prepare_decision(
    c: &mut dyn Conn,
    k: &Keeper,
    who: &Staff,
    case_id: &str,
    kind: EventKind,
    now: DateTime<Utc>,
    base: Option<&str>,
) -> Result<Rendered, CaseError> {
    let row = super::view::in_scope(c, who, case_id)?;
    let mut event = super::view::console_event(c, who, case_id, kind, now)?;
    if let EventKind::Decide { number, .. } = &mut event.kind {
        *number = decision_number(c, k, &row, now)?;
    }
    let events = super::events_of(c, k, case_id)?;
    let pkg = super::release_of(c, k, &row.township, event.on())?;
    let config = super::config_of(&row.township);
    let state = super::state_of(&events, &config, &pkg)?;
    zhifa_core::procedure::apply(&state, &event, &config, &pkg.calendar)?;
    let details = details_of(c, k, case_id)?
        .ok_or_else(|| CaseError::Corrupt(format!("{case_id} 缺少案件信息")))?;
    let Some(data) = decision_data(&details, &events, &event, &pkg)? else {
        return Ok(Rendered { event, pdf: None });
    };
    let r = render_a4(&DocumentData::PenaltyDecision(data), base)?;
    Ok(Rendered {
        event,
        pdf: Some((r.pdf, r.document_hash)),
    })
}

/// Stores `bytes` in the evidence store (sealed like every object) and
/// returns their SHA-256; the blob row is written by [`link_file`].
pub async fn store_file(blobs: &Blobs, bytes: Vec<u8>) -> Result<(String, u64), CaseError> {
    let sha = hex::encode(Sha256::digest(&bytes));
    let size = bytes.len() as u64;
    let id = format!("server-{}", uuid::Uuid::now_v7());
    let b = blobs.clone();
    let staged = id.clone();
    tokio::task::spawn_blocking(move || b.write_chunk(&staged, 0, &bytes))
        .await
        .map_err(|e| CaseError::Document(format!("文书未能写入：{e}")))?
        .map_err(|e| CaseError::Document(format!("文书未能写入：{}", e.code())))?;
    match blobs.finish(&id, &sha, size).await {
        Ok(Finish::Stored) => {
            if let Err(e) = blobs.drop_staging(&id).await {
                tracing::warn!(
                    code = e.code(),
                    "staging file of a server document not removed"
                );
            }
            Ok((sha, size))
        }
        Ok(_) => Err(CaseError::Document("文书写入后校验不一致".into())),
        Err(e) => Err(CaseError::Document(format!("文书未能保存：{}", e.code()))),
    }
}

/// Links a stored file to its case: the blob row, the case's manifest
/// (`case_evidence`, so the collector keeps it) and the document row.
#[allow(clippy::too_many_arguments)] // one document row, spelled out
pub fn link_file(
    c: &mut dyn Conn,
    case_id: &str,
    kind: &str,
    stage: &str,
    title: &str,
    number: Option<&str>,
    (sha, size): (&str, u64),
    document_hash: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), CaseError> {
    let size = i64::try_from(size).unwrap_or(i64::MAX);
    c.exec(
        "INSERT INTO blob (sha256, size, verified_at) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
        p![sha, size, ts(now)],
    )?;
    c.exec(
        "INSERT INTO case_evidence (case_id, sha256) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
        p![case_id, sha],
    )?;
    c.exec(
        "INSERT INTO record_document (case_id, kind, stage, title, number, sha256, size, media_type,
             document_sha256, device_id, received_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'application/pdf', ?8, 'server', ?9)
         ON CONFLICT (case_id, kind, stage) DO UPDATE SET sha256 = excluded.sha256, size = excluded.size,
             number = excluded.number, document_sha256 = excluded.document_sha256,
             received_at = excluded.received_at",
        p![case_id, kind, stage, title, number, sha, size, document_hash, ts(now)],
    )?;
    Ok(())
}

/// The decision step over HTTP: prepare (number, check, render), store the
/// PDF, then append the step sealed by the server with the document row.
pub async fn decide_http(
    s: St,
    who: Staff,
    case_id: String,
    kind: EventKind,
) -> Result<CaseView, ApiError> {
    let (store, now) = (s.store.clone(), s.clock.now());
    let (w, id) = (who.clone(), case_id.clone());
    let base = s.public_url.clone();
    let rendered = blocking(move || {
        let k = store.keeper();
        store.write_as(|c| prepare_decision(c, k, &w, &id, kind.clone(), now, base.as_deref()))
    })
    .await?;
    let Rendered { mut event, pdf } = rendered;
    let file = match pdf {
        Some((bytes, hash)) => {
            event.signature = Some(s.badge.seal_document(&hash));
            Some((store_file(&s.blobs, bytes).await?, hash))
        }
        None => None,
    };
    let store = s.store.clone();
    let view = blocking(move || {
        let k = store.keeper();
        store.write_as(|c| {
            if let Some(((sha, size), hash)) = &file {
                let number = match &event.kind {
                    EventKind::Decide { number, .. } => Some(number.as_str()),
                    _ => None,
                };
                link_file(
                    c,
                    &case_id,
                    "penalty_decision",
                    "decided",
                    "行政处罚决定书",
                    number,
                    (sha, *size),
                    Some(hash),
                    now,
                )?;
            }
            super::view::append_centre_step(c, k, &who, &case_id, &event, now)
        })
    })
    .await?;
    Ok(view)
}
