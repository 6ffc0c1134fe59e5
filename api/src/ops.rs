//! The commands themselves: each turns its request into core calls and the
//! result into the screen's view model. Steps of a case are the core's
//! [`CaseEvent`]s, so every rule (Art. 42 two officers, Art. 44 rights
//! before decision, Art. 51 limits, the discretion table) is the core's.

use std::io::Cursor;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use chrono::{Duration, NaiveDate, NaiveDateTime, Utc};
use uuid::Uuid;
use zhifa_core::case::{
    self, ActEnd, Case, CaseEvent, CaseParty, CaseStatus, NewCase, PaymentRecord, Service,
    StatementRecord,
};
use zhifa_core::catalogue::clause::Clause;
use zhifa_core::catalogue::model::{ClauseParty, FineRange, Matter, Precondition};
use zhifa_core::catalogue::{ProvisionRole, SearchQuery, SearchScope};
use zhifa_core::device;
use zhifa_core::document::fonts::FontSet;
use zhifa_core::document::model::mask_id_number;
use zhifa_core::document::model::{DocumentData, DocumentKind};
use zhifa_core::document::qr::qr_svg;
use zhifa_core::document::template::{Template, TemplateLibrary};
use zhifa_core::document::{Paper, RenderOptions, RenderedDocument, render_pdf};
use zhifa_core::evidence::{
    self, Capture, EvidenceDir, EvidenceRecord, Fix, IngestOptions, Source,
};
use zhifa_core::rules::RulesConfig;
use zhifa_core::rules::assess::{Exemption, PartyKind, PenaltyKind, ProposedPenalty};
use zhifa_core::rules::id_document::{DocOptions, IdDocError, IdDocKind, check_document};
use zhifa_core::rules::identity::{CitizenIdForm, IdOptions, Identity, check_id, normalize};
use zhifa_core::{ErrorCode, signin};

use crate::dto::*;

/// A signature image from the pad: base64 PNG, with or without the
/// `data:` prefix; `missing` is the message when there is none.
pub(crate) fn signature_png(b64: Option<String>, missing: &str) -> Result<Vec<u8>, ApiError> {
    let b64 = b64.ok_or_else(|| ApiError::Invalid(missing.into()))?;
    let png = B64
        .decode(b64.trim_start_matches("data:image/png;base64,").as_bytes())
        .map_err(|e| ApiError::Invalid(format!("签名图片无效：{e}")))?;
    if !png.starts_with(b"\x89PNG") {
        return Err(ApiError::Invalid("签名图片须为 PNG".into()));
    }
    Ok(png)
}

/// A field that must not be blank, trimmed; `missing` is the message.
pub(crate) fn required_text(s: Option<String>, missing: &str) -> Result<String, ApiError> {
    s.map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .ok_or_else(|| ApiError::Invalid(missing.into()))
}

/// A photo as the camera or picker gave it, with the platform's fix.
pub(crate) struct Photo<'a> {
    pub(crate) data_base64: &'a str,
    pub(crate) file_name: Option<String>,
    pub(crate) lat: Option<f64>,
    pub(crate) lon: Option<f64>,
    pub(crate) accuracy_m: Option<f64>,
}
use crate::{ApiError, App, TOWNSHIP_SETTING};

fn parse_uuid(s: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(s).map_err(|_| ApiError::Invalid(format!("案件编号无效：{s}")))
}

pub(crate) fn party_kind(s: &str) -> Result<PartyKind, ApiError> {
    match s {
        "individual" => Ok(PartyKind::Individual),
        "organization" => Ok(PartyKind::Organization),
        _ => Err(ApiError::Invalid(format!("当事人类型无效：{s}"))),
    }
}

/// The document kind a request names; absent or empty: none chosen.
pub(crate) fn doc_kind(s: Option<&str>) -> Result<Option<IdDocKind>, ApiError> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(k) => IdDocKind::parse(k)
            .map(Some)
            .ok_or_else(|| ApiError::Invalid(format!("证件类型无效：{k}"))),
    }
}

/// The party as the case records it, from what the party screen sent.
pub(crate) fn case_party(p: PartyInput) -> Result<CaseParty, ApiError> {
    let opt = |s: Option<String>| s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    let kind = party_kind(&p.kind)?;
    let id_kind = match kind {
        PartyKind::Individual => doc_kind(p.id_kind.as_deref())?,
        PartyKind::Organization => None,
    };
    let birth_date = opt(p.birth_date)
        .map(|d| {
            NaiveDate::parse_from_str(&d, "%Y-%m-%d")
                .map_err(|_| ApiError::Invalid(format!("出生日期无效：{d}")))
        })
        .transpose()?;
    Ok(CaseParty {
        kind,
        name: p.name.trim().to_owned(),
        id_number: normalize(&p.id_number),
        phone: opt(p.phone),
        address: p.address.trim().to_owned(),
        representative: opt(p.representative),
        id_kind,
        nationality: opt(p.nationality),
        birth_date,
        no_document_reason: opt(p.no_document_reason),
        photo_evidence: opt(p.photo_evidence_id)
            .map(|s| parse_uuid(&s))
            .transpose()?,
    })
}

/// [`IdCheck`] of a number as the document `doc` (not a 居民身份证).
fn check_document_view(
    doc: IdDocKind,
    text: &str,
    citizen: IdOptions,
    mut out: IdCheck,
) -> IdCheck {
    let opts = DocOptions {
        citizen,
        ..DocOptions::default()
    };
    match check_document(doc, text, &opts) {
        Ok(c) => {
            out.ok = true;
            out.normalized = c.number.clone();
            out.kind_label = Some(match c.citizen {
                Some(id) => id.form.label_zh().into(),
                None => doc.name_zh().into(),
            });
            if let Some(id) = c.citizen {
                out.region = id.region_name().map(str::to_owned);
                out.birth_date = Some(id.birth_date.to_string());
                out.sex = Some(id.sex.label_zh().into());
            }
            out.note = c.note.map(|n| n.to_string());
        }
        Err(e) => {
            let code = e.code();
            let len = out.normalized.chars().count();
            out.incomplete = code == "ID_DOC_EMPTY"
                || code == "ID_EMPTY"
                || (len < opts.min_len && code == "ID_DOC_LENGTH")
                || (len < 18 && code.starts_with("CITIZEN_ID") && code.ends_with("LENGTH"));
            out.error_code = Some(code.into());
            out.message = Some(e.to_string());
        }
    }
    out
}

/// The end of a continuing act as the facts screen gives it (行政处罚法
/// Art. 36 ¶2): an end date, or "still going on", or neither (a one-off act).
fn act_end(date: Option<&str>, ongoing: Option<bool>) -> Result<Option<ActEnd>, ApiError> {
    let date = date.map(str::trim).filter(|s| !s.is_empty());
    match (date, ongoing.unwrap_or(false)) {
        (Some(_), true) => Err(ApiError::Invalid(
            "违法行为不能既“持续中”又有终了日期".into(),
        )),
        (None, true) => Ok(Some(ActEnd::Ongoing)),
        (Some(d), false) => NaiveDate::parse_from_str(d, "%Y-%m-%d")
            .map(|date| Some(ActEnd::Ended { date }))
            .map_err(|_| ApiError::Invalid(format!("违法行为终了日期无效：{d}"))),
        (None, false) => Ok(None),
    }
}

/// A violation time as the screens send it (`YYYY-MM-DDTHH:MM`, seconds
/// optional); empty is none.
fn violation_time(s: Option<&str>) -> Result<Option<NaiveDateTime>, ApiError> {
    let Some(s) = s.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S"))
        .map(Some)
        .map_err(|_| ApiError::Invalid(format!("违法时间无效：{s}")))
}

/// The mark beside a deadline counted on a calendar year the catalogue marks
/// estimated (issue 14 item 6).
const ESTIMATED_CALENDAR_NOTE: &str = "（按预估日历）";

fn kind_str(k: PartyKind) -> &'static str {
    match k {
        PartyKind::Individual => "individual",
        PartyKind::Organization => "organization",
    }
}

fn penalty(p: &PenaltyInput) -> Result<ProposedPenalty, ApiError> {
    let kind = match p.kind.as_str() {
        "warning" => PenaltyKind::Warning,
        "fine" => PenaltyKind::Fine,
        other => {
            return Err(ApiError::Invalid(format!(
                "简易程序不适用的处罚种类：{other}"
            )));
        }
    };
    Ok(ProposedPenalty {
        kind,
        amount_fen: if kind == PenaltyKind::Fine {
            Some(
                p.amount_fen
                    .ok_or_else(|| ApiError::Invalid("请填写罚款金额".into()))?,
            )
        } else {
            None
        },
        also: Vec::new(),
        band: None,
    })
}

/// `150元`, `150.50元`.
pub(crate) fn yuan(fen: i64) -> String {
    if fen % 100 == 0 {
        format!("{}元", fen / 100)
    } else {
        format!("{}.{:02}元", fen / 100, fen % 100)
    }
}

/// The hull of every fine the matter's clause sets for `who` (bands of any
/// precondition; a multiple has no fixed amount and is left out).
fn clause_hull(m: &Matter, who: ClauseParty) -> Option<FineRange> {
    let c = Clause::of(m).ok().flatten()?;
    c.bands_for(who)
        .filter_map(|b| b.fine.as_ref().and_then(|f| f.hull(None)))
        .reduce(|a, b| FineRange {
            min_fen: a.min_fen.min(b.min_fen),
            max_fen: a.max_fen.max(b.max_fen),
        })
}

/// Whether every fine of the clause needs an order to correct first
/// (逾期未改正 or 拒不改正), as the old `correction_first` flag said.
fn clause_correction_first(m: &Matter) -> bool {
    let Ok(Some(c)) = Clause::of(m) else {
        return false;
    };
    let mut fines = c.bands.iter().filter(|b| b.fine.is_some()).peekable();
    fines.peek().is_some()
        && fines.all(|b| {
            b.preconditions.iter().any(|p| {
                matches!(
                    p,
                    Precondition::NotCorrectedByDeadline | Precondition::RefusedToCorrect
                )
            })
        })
}

fn penalty_text(p: &ProposedPenalty) -> String {
    match (p.kind, p.amount_fen) {
        (PenaltyKind::Fine, Some(f)) => format!("罚款人民币{}", yuan(f)),
        (PenaltyKind::Warning, _) => "警告".into(),
        (PenaltyKind::NoticeOfCriticism, _) => "通报批评".into(),
        (PenaltyKind::Fine, None) => "罚款".into(),
    }
}

fn range(r: &zhifa_core::catalogue::model::FineRange) -> Range {
    Range {
        min_fen: r.min_fen,
        max_fen: r.max_fen,
    }
}

/// The status as the officer reads it: a voided case is closed, shown as 已作废.
fn status_label(c: &Case) -> &'static str {
    if c.voided.is_some() {
        "已作废"
    } else {
        c.status.label_zh()
    }
}

fn step_label(kind: &str) -> &'static str {
    case::step_label_zh(kind)
}

impl App {
    fn officer_brief(&self, o: &device::Officer) -> Result<OfficerBrief, ApiError> {
        let e = signin::enrolment(&self.store, &o.id, self.now())?;
        Ok(OfficerBrief {
            id: o.id.clone(),
            name: o.name.clone(),
            credential_no: o.credential_no.clone(),
            township_code: o.township_code.clone(),
            enrolled: e.is_some(),
            locked_until: e.and_then(|e| e.locked_until),
        })
    }

    pub(crate) fn today(&self) -> Result<NaiveDate, ApiError> {
        Ok(case::beijing(self.now())?.date())
    }

    fn release_brief(&self) -> Result<Option<ReleaseBrief>, ApiError> {
        match self.store.catalogue().release_in_force(self.today()?) {
            Ok(r) => Ok(Some(ReleaseBrief {
                id: r.id,
                title: r.title,
                effective_from: r.effective_from.to_string(),
                sample: r.sample,
            })),
            Err(zhifa_core::catalogue::CatalogueError::NoReleaseInForce { .. }) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    pub(crate) fn township(&self) -> Result<Option<String>, ApiError> {
        if let Some(t) = self.store.setting(TOWNSHIP_SETTING)? {
            return Ok(Some(t));
        }
        Ok(match self.session.as_deref() {
            Some(id) => device::officer(&self.store, id)?.map(|o| o.township_code),
            None => None,
        })
    }

    /// The case's matter as the core reads it for its documents: the
    /// case's release, on the violation date.
    pub(crate) fn matter_record(&self, c: &Case) -> Option<zhifa_core::catalogue::MatterRecord> {
        self.store
            .catalogue()
            .release(&c.release_id)
            .ok()
            .flatten()
            .and_then(|r| {
                self.store
                    .catalogue()
                    .matter(r, &c.matter_code, c.violation_time.date())
                    .ok()
                    .flatten()
            })
    }

    fn matter_name(&self, c: &Case) -> String {
        self.matter_record(c)
            .map(|m| m.matter.name)
            .unwrap_or_else(|| c.matter_code.clone())
    }

    /// 违则 and 罚则 cited as the decision prints them (the core's
    /// `citations`), for the preview.
    fn basis(&self, c: &Case) -> (Vec<String>, Vec<String>) {
        let provisions = self
            .matter_record(c)
            .map(|m| m.provisions)
            .unwrap_or_default();
        let of = |role: ProvisionRole| {
            provisions
                .iter()
                .filter(|p| p.role == role)
                .map(|p| p.citation.clone())
                .collect()
        };
        (of(ProvisionRole::Violated), of(ProvisionRole::Penalty))
    }

    fn summary(&self, c: &Case) -> CaseSummary {
        CaseSummary {
            id: c.id.to_string(),
            matter_name: self.matter_name(c),
            status: c.status.as_str().into(),
            status_label: status_label(c).into(),
            party_masked: c.party.as_ref().map(|p| case::mask_text(&p.name)),
            document_number: c.issue.as_ref().map(|i| i.number.clone()),
            violation_time: c.violation_time.format("%Y-%m-%dT%H:%M:%S").to_string(),
            updated_at: c.updated_at.clone(),
            amount_fen: c.decision.as_ref().and_then(|d| d.penalty.amount_fen),
            draft_step: self.draft_step_of(&c.id.to_string()),
            no_penalty_ground: c.no_penalty.as_ref().map(|n| n.ground.clone()),
        }
    }

    pub(crate) fn view(&self, c: &Case) -> CaseView {
        let basis = self.basis(c);
        // A read failure shows as "no deadline known", never as a wrong one.
        let filing = self
            .today()
            .ok()
            .and_then(|today| case::filing_standing_of(&self.store, c, today).ok())
            .flatten();
        let payment_estimated = match (&c.service, &c.issue) {
            (Some(s), _) => s.payment_due_estimated,
            (None, Some(i)) => i.payment_due_estimated,
            _ => false,
        };
        CaseView {
            id: c.id.to_string(),
            status: c.status.as_str().into(),
            status_label: status_label(c).into(),
            version: u32::try_from(c.version).unwrap_or(u32::MAX),
            township: c.township.clone(),
            matter_code: c.matter_code.clone(),
            matter_name: self.matter_name(c),
            officers: c
                .officers
                .iter()
                .map(|o| format!("{}（{}）", o.name, o.credential_no))
                .collect(),
            officer_signs: self.officer_signs(c),
            document_shown_at: c.document_shown_at.clone(),
            violation_time: c.violation_time.format("%Y-%m-%d %H:%M").to_string(),
            party_name: c.party.as_ref().map(|p| p.name.clone()),
            party_id_masked: c.party.as_ref().map(|p| mask_id_number(&p.id_number)),
            party_id_kind: c
                .party
                .as_ref()
                .filter(|p| p.kind == PartyKind::Individual)
                .map(CaseParty::id_kind_printed),
            party_kind: c.party.as_ref().map(|p| kind_str(p.kind).into()),
            facts: c.facts.clone(),
            place: c.place.clone(),
            evidence_count: u32::try_from(c.evidence.len()).unwrap_or(u32::MAX),
            evidence_summary: c.evidence_summary.clone(),
            rights: c.rights.as_ref().map(|r| r.content.clone()),
            statement: c.statement.as_ref().map(|s| match s {
                StatementRecord::Heard { text, review, .. } => {
                    format!("陈述申辩：{text}；复核意见：{review}")
                }
                StatementRecord::Waived { words: None, .. } => "当事人放弃陈述申辩".into(),
                StatementRecord::Waived { words: Some(w), .. } => {
                    format!("当事人放弃陈述申辩：“{w}”")
                }
            }),
            penalty_text: c
                .decision
                .as_ref()
                .map(|d| penalty_text(&d.penalty))
                .or_else(|| c.rights.as_ref().map(|r| penalty_text(&r.proposed))),
            amount_fen: c
                .decision
                .as_ref()
                .map(|d| &d.penalty)
                .or(c.rights.as_ref().map(|r| &r.proposed))
                .and_then(|p| p.amount_fen),
            suggested_level: c.decision.as_ref().and_then(|d| d.suggested_level.clone()),
            deviation_reason: c.decision.as_ref().and_then(|d| d.deviation_reason.clone()),
            remedy_clause: c.decision.as_ref().map(|d| d.remedy_clause.clone()),
            violated_provisions: basis.0,
            penalty_provisions: basis.1,
            document_number: c.issue.as_ref().map(|i| i.number.clone()),
            number_provisional: c.issue.as_ref().is_some_and(|i| i.number_provisional),
            // A read failure shows as "not yet assigned", never as a wrong number.
            final_document_number: case::provisional_of_case(&self.store, c.id)
                .ok()
                .flatten()
                .and_then(|p| p.final_number),
            payment_due: c
                .service
                .as_ref()
                .and_then(|s| s.payment_due)
                .or(c.issue.as_ref().and_then(|i| i.payment_due))
                .map(|d| d.to_string()),
            served_at: c
                .service
                .as_ref()
                .map(|s| s.served_at.format("%Y-%m-%d %H:%M").to_string()),
            has_payment: c.issue.as_ref().is_some_and(|i| i.payment_url.is_some()),
            act_end: c.act_end.map(|e| match e {
                ActEnd::Ongoing => "持续中".to_owned(),
                ActEnd::Ended { date } => format!("终了于{date}"),
            }),
            filing_due: filing.as_ref().and_then(|f| f.due).map(|d| d.to_string()),
            filing_overdue: filing.as_ref().is_some_and(|f| f.overdue),
            payment_due_estimated: payment_estimated,
            filing_due_estimated: filing.as_ref().is_some_and(|f| f.estimated),
            calendar_note: (payment_estimated || filing.as_ref().is_some_and(|f| f.estimated))
                .then(|| ESTIMATED_CALENDAR_NOTE.to_owned()),
            created_at: c.created_at.clone(),
            void_reason: c.voided.as_ref().map(|(_, r)| r.clone()),
            no_penalty: self.no_penalty_view(c),
        }
    }

    pub(crate) fn case(&self, id: &str) -> Result<Case, ApiError> {
        let id = parse_uuid(id)?;
        case::get(&self.store, id)?.ok_or(ApiError::NotFound("该案件".into()))
    }

    pub(crate) fn step(&mut self, id: &str, event: &CaseEvent) -> Result<Case, ApiError> {
        self.officer_id()?;
        let id = parse_uuid(id)?;
        let now = self.now();
        Ok(case::advance(&mut self.store, id, event, now)?)
    }

    pub(crate) fn evidence_dir(&self) -> EvidenceDir {
        EvidenceDir::new(self.data_dir.join("evidence"))
    }

    pub(crate) fn evidence_view(
        &self,
        r: &EvidenceRecord,
        verification: &str,
        problem: Option<String>,
    ) -> EvidenceView {
        let dir = self.evidence_dir();
        let thumb_base64 = r
            .meta
            .thumb_sha256
            .as_ref()
            .zip(zhifa_core::sealed::FileKey::for_reading(&self.store).ok())
            .and_then(|(s, key)| zhifa_core::evidence::read_derived(&key, &dir, s).ok())
            .map(|b| B64.encode(b));
        EvidenceView {
            id: r.meta.id.clone(),
            seq: r.seq,
            case_id: r.meta.case_id.clone(),
            kind: r.meta.kind.clone(),
            media_type: r.meta.media_type.clone(),
            sha256: r.meta.sha256.clone(),
            size: r.meta.size,
            device_time: r.meta.device_time.clone(),
            located: r.meta.fix_lat.is_some(),
            verification: verification.into(),
            problem,
            thumb_base64,
        }
    }

    fn deadlines(&self, cases: &[Case], today: NaiveDate) -> Vec<Deadline> {
        let mut out = Vec::new();
        for c in cases {
            let title = self.matter_name(c);
            let id = c.id.to_string();
            match c.status {
                CaseStatus::Issued => out.push(Deadline {
                    kind: "service".into(),
                    title: format!("{title}：决定书待当场送达"),
                    case_id: id.clone(),
                    due: None,
                    days_left: Some(0),
                    amount_fen: None,
                    late_fee_fen: None,
                }),
                CaseStatus::Served | CaseStatus::Overdue => {
                    if let Some(s) = case::payment_standing(c, today)
                        && !s.settled
                    {
                        let days = (s.due - today).num_days();
                        out.push(Deadline {
                            kind: "payment".into(),
                            title: format!("{title}：罚款{}待缴", yuan(s.amount_fen)),
                            case_id: id.clone(),
                            due: Some(s.due.to_string()),
                            days_left: i32::try_from(days).ok(),
                            amount_fen: Some(s.amount_fen),
                            late_fee_fen: Some(s.late_fee_fen),
                        });
                    }
                }
                CaseStatus::CorrectionOrdered => {
                    if let Some(corr) = &c.correction {
                        let days = (corr.follow_up_due - today).num_days();
                        out.push(Deadline {
                            kind: "follow_up".into(),
                            title: format!("{title}：责令改正复查"),
                            case_id: id.clone(),
                            due: Some(corr.follow_up_due.to_string()),
                            days_left: i32::try_from(days).ok(),
                            amount_fen: None,
                            late_fee_fen: None,
                        });
                    }
                }
                _ => {}
            }
        }
        out.sort_by_key(|d| d.days_left.unwrap_or(i32::MIN));
        out
    }

    // -----------------------------------------------------------------------
    // Session

    pub(crate) fn app_state(&mut self, _: Empty) -> Result<AppState, ApiError> {
        let officers = device::officers(&self.store)?
            .iter()
            .map(|o| self.officer_brief(o))
            .collect::<Result<Vec<_>, _>>()?;
        let signed_in = match &self.session {
            Some(id) => officers.iter().find(|o| &o.id == id).cloned(),
            None => None,
        };
        Ok(AppState {
            officers,
            signed_in,
            catalogue: self.release_brief()?,
            device_id: Some(self.device.id().to_string()),
            shell: self.shell.into(),
        })
    }

    pub(crate) fn enrol(&mut self, req: SignInReq) -> Result<OfficerBrief, ApiError> {
        let o = signin::enrol(&self.store, &req.officer_id, &req.pin, self.now())?;
        self.session = Some(o.id.clone());
        self.officer_brief(&o)
    }

    pub(crate) fn sign_in(&mut self, req: SignInReq) -> Result<OfficerBrief, ApiError> {
        self.session = None;
        let o = signin::sign_in(&self.store, &req.officer_id, &req.pin, self.now())?;
        self.session = Some(o.id.clone());
        self.nudge_sync("sign_in");
        self.officer_brief(&o)
    }

    pub(crate) fn sign_out(&mut self, _: Empty) -> Result<Empty, ApiError> {
        self.session = None;
        Ok(Empty {})
    }

    pub(crate) fn change_pin(&mut self, req: ChangePinReq) -> Result<Empty, ApiError> {
        let id = self.officer_id()?.to_owned();
        signin::change_pin(&self.store, &id, &req.current, &req.new_pin, self.now())?;
        Ok(Empty {})
    }

    // -----------------------------------------------------------------------
    // Home

    pub(crate) fn home(&mut self, _: Empty) -> Result<Home, ApiError> {
        let officer = self.signed_in()?;
        let today = self.today()?;
        let mut cases = case::list(&self.store, None)?;
        cases.reverse();
        let cases_today = cases
            .iter()
            .filter(|c| {
                chrono::DateTime::parse_from_rfc3339(&c.created_at)
                    .ok()
                    .and_then(|t| case::beijing(t.with_timezone(&Utc)).ok())
                    .is_some_and(|t| t.date() == today)
            })
            .map(|c| self.summary(c))
            .collect();
        let open_cases = cases
            .iter()
            .filter(|c| {
                matches!(
                    c.status,
                    CaseStatus::Draft
                        | CaseStatus::PartyAndFacts
                        | CaseStatus::Evidence
                        | CaseStatus::RightsTold
                        | CaseStatus::Decided
                        | CaseStatus::Issued
                )
            })
            .map(|c| self.summary(c))
            .collect();
        let township_name = match (self.township()?, self.release_brief()?) {
            (Some(t), Some(r)) => self
                .store
                .catalogue()
                .township(&r.id, &t)?
                .map(|t| format!("{}{}", t.district, t.name)),
            _ => None,
        };
        Ok(Home {
            today: today.to_string(),
            officer: self.officer_brief(&officer)?,
            township_name,
            cases_today,
            open_cases,
            deadlines: self.deadlines(&cases, today),
            sync: self.sync_state(Empty {})?,
        })
    }

    // -----------------------------------------------------------------------
    // Catalogue

    pub(crate) fn catalogue_search(&mut self, req: SearchReq) -> Result<SearchResp, ApiError> {
        let scope = match (req.all.unwrap_or(false), self.township()?) {
            (false, Some(t)) => SearchScope::Township(t),
            _ => SearchScope::All,
        };
        let res = self.store.catalogue().search(&SearchQuery {
            text: req.text,
            on: self.today()?,
            scope,
            limit: req.limit.unwrap_or(20).clamp(1, 200) as usize,
        })?;
        Ok(SearchResp {
            release_id: res.release_id,
            township: res.township,
            hits: res
                .results
                .into_iter()
                .map(|h| SearchHit {
                    code: h.code,
                    name: h.name,
                    kind_label: h.kind.label_zh().into(),
                    domain: h.domain,
                    matched: serde_json::to_value(h.matched)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default(),
                })
                .collect(),
            outside: res
                .outside
                .into_iter()
                .map(|o| OutsideHit {
                    code: o.hit.code,
                    name: o.hit.name,
                    kind_label: o.hit.kind.label_zh().into(),
                    domain: o.hit.domain,
                    reason: o.reason_zh,
                })
                .collect(),
        })
    }

    pub(crate) fn matter_detail(&mut self, req: MatterReq) -> Result<MatterDetail, ApiError> {
        let today = self.today()?;
        let rec = self
            .store
            .catalogue()
            .matter_in_force(&req.code, today)?
            .ok_or_else(|| ApiError::NotFound(format!("事项 {}", req.code)))?;
        let m = rec.matter;
        let pen = |p: &Option<zhifa_core::catalogue::model::LevelPenalty>| {
            p.as_ref().map(|p| PenaltyView {
                warning: p.warning,
                fine: p.fine.as_ref().map(range),
                other: p.other.clone(),
            })
        };
        let ex = |e: &Option<zhifa_core::catalogue::model::ExemptionRule>| {
            e.as_ref().map(|e| ExemptionView {
                conditions: e.conditions.clone(),
                circumstances: e.circumstances.clone(),
            })
        };
        Ok(MatterDetail {
            code: m.code.clone(),
            name: m.name.clone(),
            kind_label: m.kind.label_zh().into(),
            domain: m.domain.clone(),
            department: m.department.clone(),
            entrusting_authority: m.entrusting_authority.clone(),
            scope_note: m.scope_note.clone(),
            fact_phrases: m.fact_phrases.clone(),
            provisions: rec
                .provisions
                .iter()
                .map(|p| ProvisionView {
                    role_label: match p.role {
                        ProvisionRole::Violated => "违则".into(),
                        ProvisionRole::Penalty => "罚则".into(),
                    },
                    citation: p.citation.clone(),
                    text: p.provision.text.clone(),
                    in_force: p.in_force,
                    verified: p.provision.verified,
                    source: p.provision.source.clone(),
                })
                .collect(),
            statutory_individual: clause_hull(&m, ClauseParty::Individual).as_ref().map(range),
            statutory_organization: clause_hull(&m, ClauseParty::Organization)
                .as_ref()
                .map(range),
            correction_first: clause_correction_first(&m),
            first_violation: ex(&m.first_violation),
            minor_violation: ex(&m.minor_violation),
            levels: m
                .levels
                .iter()
                .map(|l| LevelView {
                    code: l.code.clone(),
                    name: l.name.clone(),
                    conditions: l.conditions.clone(),
                    circumstances: l.circumstances.clone(),
                    individual: pen(&l.individual),
                    organization: pen(&l.organization),
                })
                .collect(),
            release: ReleaseBrief {
                id: rec.release.id,
                title: rec.release.title,
                effective_from: rec.release.effective_from.to_string(),
                sample: rec.release.sample,
            },
        })
    }

    // -----------------------------------------------------------------------
    // Party

    pub(crate) fn check_id(&mut self, req: CheckIdReq) -> Result<IdCheck, ApiError> {
        let kind = party_kind(&req.party_kind)?;
        let normalized = normalize(&req.text);
        let opts = IdOptions::from_config(&RulesConfig::default(), Some(self.today()?));
        let mut out = IdCheck {
            ok: false,
            incomplete: false,
            normalized: normalized.clone(),
            kind_label: None,
            region: None,
            birth_date: None,
            sex: None,
            error_code: None,
            message: None,
            note: None,
        };
        let doc = doc_kind(req.id_kind.as_deref())?;
        if kind == PartyKind::Individual
            && let Some(doc) = doc.filter(|d| *d != IdDocKind::ResidentId)
        {
            return Ok(check_document_view(doc, &req.text, opts, out));
        }
        match check_id(&req.text, &opts) {
            Ok(id) => {
                out.region = id.region_name().map(str::to_owned);
                match (&id, kind) {
                    (Identity::Citizen(c), PartyKind::Individual)
                        if doc.is_some()
                            && !matches!(
                                c.form,
                                CitizenIdForm::Resident | CitizenIdForm::Legacy15
                            ) =>
                    {
                        let e = IdDocError::WrongDocument {
                            chosen: IdDocKind::ResidentId.name_zh(),
                            found: c.form.label_zh(),
                        };
                        out.error_code = Some(e.code().into());
                        out.message = Some(e.to_string());
                    }
                    (Identity::Citizen(c), PartyKind::Individual) => {
                        out.ok = true;
                        out.kind_label = Some(c.form.label_zh().into());
                        out.birth_date = Some(c.birth_date.to_string());
                        out.sex = Some(c.sex.label_zh().into());
                    }
                    (Identity::Organization(_), PartyKind::Organization) => {
                        out.ok = true;
                        out.kind_label = Some("统一社会信用代码".into());
                    }
                    (Identity::Organization(_), PartyKind::Individual) => {
                        out.error_code = Some("PARTY_ID_KIND".into());
                        out.message = Some(
                            "当事人为公民，但号码是统一社会信用代码（个体工商户请选“单位”）".into(),
                        );
                    }
                    (Identity::Citizen(_), PartyKind::Organization) => {
                        out.error_code = Some("PARTY_ID_KIND".into());
                        out.message = Some("当事人为单位，但号码是公民身份号码".into());
                    }
                }
            }
            Err(e) => {
                let code = e.code();
                out.incomplete = normalized.chars().count() < 18
                    && (code.ends_with("LENGTH") || code == "ID_EMPTY");
                out.error_code = Some(code.into());
                out.message = Some(e.to_string());
            }
        }
        Ok(out)
    }

    // -----------------------------------------------------------------------
    // Case steps

    pub(crate) fn case_new(&mut self, req: NewCaseReq) -> Result<CaseView, ApiError> {
        let me = self.officer_id()?.to_owned();
        if req.partner_officer_id == me {
            return Err(ApiError::Invalid(
                "简易程序须由两名执法人员共同执法（行政处罚法第42条），请选择另一名执法人员".into(),
            ));
        }
        let township = self
            .township()?
            .ok_or_else(|| ApiError::Invalid("请先在设置中选择所属镇街".into()))?;
        let now = self.now();
        let found = now - Duration::minutes(i64::from(req.minutes_ago.unwrap_or(0)));
        let c = case::create(
            &mut self.store,
            &NewCase {
                id: case::uuid_v7(now),
                township,
                matter_code: req.matter_code,
                violation_time: case::beijing(found)?,
                officers: [me, req.partner_officer_id],
            },
            now,
        )?;
        Ok(self.view(&c))
    }

    pub(crate) fn case_party_facts(&mut self, req: PartyFactsReq) -> Result<CaseView, ApiError> {
        let event = CaseEvent::RecordPartyAndFacts {
            party: case_party(req.party)?,
            facts: req.facts.trim().to_owned(),
            place: req.place.trim().to_owned(),
            act_end: act_end(req.act_end_date.as_deref(), req.act_ongoing)?,
            violation_time: violation_time(req.violation_time.as_deref())?,
        };
        let c = self.step(&req.case_id, &event)?;
        Ok(self.view(&c))
    }

    pub(crate) fn evidence_add(&mut self, req: EvidenceAddReq) -> Result<EvidenceView, ApiError> {
        self.officer_id()?;
        if let Some(nc) = zhifa_core::case::normal::case(&self.store, &req.case_id)? {
            return self.normal_evidence(nc, req);
        }
        let c = self.case(&req.case_id)?;
        let officers: Vec<String> = c.officers.iter().map(|o| o.id.clone()).collect();
        let photo = Photo {
            data_base64: &req.data_base64,
            file_name: req.file_name,
            lat: req.lat,
            lon: req.lon,
            accuracy_m: req.accuracy_m,
        };
        self.ingest_photo(photo, Some(c.id), officers, c.place.clone())
    }

    /// The template of `kind` in the set and version `township` uses.
    pub(crate) fn township_template(
        &self,
        township: &str,
        kind: DocumentKind,
    ) -> Result<Template, ApiError> {
        let library = TemplateLibrary::builtin()?;
        let templates = case::township_config(&self.store, township)?
            .map(|c| c.templates)
            .unwrap_or_default();
        Ok(library.get(&templates, kind)?.clone())
    }

    /// The served decision of a case with its case, or `API_INVALID`
    /// before service (nothing official is printed earlier).
    pub(crate) fn served_decision_of(
        &self,
        case_id: &str,
    ) -> Result<(case::Case, DocumentData), ApiError> {
        let c = self.case(case_id)?;
        let data = case::served_decision(&self.store, c.id)?.ok_or_else(|| {
            ApiError::Invalid("决定书尚未送达（签收或注明拒签后方可打印正式文书）".into())
        })?;
        Ok((c, data))
    }

    /// Renders a document on A4 with the township's templates (IDs unmasked:
    /// the copy handed to the party and kept on file).
    pub(crate) fn render_a4(
        &self,
        data: &DocumentData,
        township: &str,
    ) -> Result<RenderedDocument, ApiError> {
        let fonts = FontSet::bundled()?;
        let template = self.township_template(township, data.kind())?;
        Ok(render_pdf(
            data,
            &template,
            &fonts,
            &RenderOptions {
                paper: Paper::A4,
                mask_id: Some(false),
                verification_base: case::archive::centre_url(&self.store)?,
            },
        )?)
    }

    /// Keeps a photo as evidence: the original stored and hashed at
    /// capture with time, place, fix and officers (case evidence, or an
    /// inspection item's when `case_id` is none).
    pub(crate) fn ingest_photo(
        &mut self,
        photo: Photo<'_>,
        case_id: Option<Uuid>,
        officer_ids: Vec<String>,
        place: Option<String>,
    ) -> Result<EvidenceView, ApiError> {
        let bytes = B64
            .decode(photo.data_base64.as_bytes())
            .map_err(|e| ApiError::Invalid(format!("照片数据无效：{e}")))?;
        if bytes.is_empty() {
            return Err(ApiError::Invalid("照片为空".into()));
        }
        let fix = match (photo.lat, photo.lon) {
            (Some(lat), Some(lon)) => Some(Fix {
                lat,
                lon,
                accuracy_m: photo.accuracy_m,
            }),
            _ => None,
        };
        let capture = Capture {
            case_id,
            case_number: None,
            officer_ids,
            device_time: self.now(),
            server_offset_ms: None,
            fix,
            place,
            original_name: photo.file_name,
        };
        let dir = self.evidence_dir();
        let mut reader = Cursor::new(bytes);
        let opts = IngestOptions {
            font: Some(&self.font),
            after_files_durable: None,
        };
        let rec = evidence::ingest(
            &mut self.store,
            &self.device,
            &dir,
            Source::Reader(&mut reader),
            &capture,
            &opts,
        )?;
        Ok(self.evidence_view(&rec, "verified", None))
    }

    pub(crate) fn case_attach_evidence(&mut self, req: AttachReq) -> Result<CaseView, ApiError> {
        let c = self.case(&req.case_id)?;
        let items = evidence::for_case(&self.store, c.id)?;
        if items.is_empty() {
            return Err(ApiError::Invalid("请至少拍摄一张现场照片".into()));
        }
        let ids = items
            .iter()
            .map(|r| parse_uuid(&r.meta.id))
            .collect::<Result<Vec<_>, _>>()?;
        let photos = items.iter().filter(|r| r.meta.kind == "photo").count();
        let summary = req
            .summary
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| {
                let others = items.len() - photos;
                let mut s = format!("现场照片{photos}张");
                if others > 0 {
                    s.push_str(&format!("，音视频{others}件"));
                }
                s.push_str("（均已在拍摄时计算SHA-256并签名）");
                s
            });
        let c = self.step(
            &req.case_id,
            &CaseEvent::AttachEvidence {
                evidence_ids: ids,
                summary,
                // At least one item is captured (checked above).
                no_evidence_reason: None,
            },
        )?;
        Ok(self.view(&c))
    }

    pub(crate) fn case_suggest(&mut self, req: SuggestReq) -> Result<Suggestion, ApiError> {
        self.officer_id()?;
        let id = parse_uuid(&req.case_id)?;
        let p = req.penalty.as_ref().map(penalty).transpose()?;
        let a = case::suggest(&self.store, id, p.clone(), req.circumstances, self.now())?;
        let c = self.case(&req.case_id)?;
        let detail = self.matter_detail(MatterReq {
            code: c.matter_code.clone(),
        })?;
        let bands = self.band_views(&c.matter_code, &a.bands)?;
        let levels = a
            .levels
            .iter()
            .map(|l| {
                let published = detail.levels.iter().find(|d| d.code == l.code);
                LevelOption {
                    code: l.code.clone(),
                    name: l.name.clone(),
                    conditions: published.map(|d| d.conditions.clone()).unwrap_or_default(),
                    circumstances: published
                        .map(|d| d.circumstances.clone())
                        .unwrap_or_default(),
                    applies: l.applies,
                    suggested: a.suggested_level.as_deref() == Some(&l.code),
                    warning: l.warning,
                    lawful_fine: l.lawful_fine.as_ref().map(range),
                    reason: l.reason.clone(),
                }
            })
            .collect::<Vec<_>>();
        // A penalty outside the suggested level's lawful fine needs a
        // written reason, kept for supervision (the matter's discretion rules).
        let needs_reason = match (&p, levels.iter().find(|l| l.suggested)) {
            (Some(p), Some(l)) => match (p.kind, p.amount_fen, l.lawful_fine) {
                (PenaltyKind::Fine, Some(f), Some(r)) => f < r.min_fen || f > r.max_fen,
                (PenaltyKind::Warning, _, _) => !l.warning,
                _ => false,
            },
            _ => false,
        };
        Ok(Suggestion {
            levels,
            suggested_level: a.suggested_level.clone(),
            range: a.range.as_ref().map(range),
            exemption: match a.exemption {
                Exemption::None => "none",
                Exemption::Mandatory => "mandatory",
                Exemption::Discretionary => "discretionary",
                Exemption::NoFault => "no_fault",
            }
            .into(),
            simple_procedure: a.simple_procedure.allowed,
            simple_procedure_reason: a.simple_procedure.reason.clone(),
            needs_reason,
            problems: a
                .errors
                .iter()
                .map(|e| ApiErrorBody {
                    code: e.code.clone(),
                    message: e.message.clone(),
                })
                .collect(),
            bands,
            band: a.band.clone(),
        })
    }

    /// The assessment's bands as the discretion screen shows them, each
    /// with the article that sets it (looked up in the matter's clause).
    fn band_views(
        &mut self,
        matter_code: &str,
        bands: &[zhifa_core::rules::bands::BandAssessment],
    ) -> Result<Vec<BandView>, ApiError> {
        if bands.is_empty() {
            return Ok(Vec::new());
        }
        let today = self.today()?;
        let matter = self
            .store
            .catalogue()
            .matter_in_force(matter_code, today)?
            .map(|r| r.matter);
        let zh = |ps: &[Precondition]| ps.iter().map(|p| p.label_zh().to_string()).collect();
        let kinds = |ks: &[zhifa_core::catalogue::model::SanctionKind]| {
            ks.iter().map(|k| k.label_zh().to_string()).collect()
        };
        Ok(bands
            .iter()
            .map(|b| {
                let source = matter
                    .as_ref()
                    .and_then(|m| m.clause.as_ref().map(|c| (m, c)))
                    .and_then(|(m, c)| c.bands.iter().find(|x| x.id == b.id).map(|x| (m, x)));
                // Same words as core's citation of a band without an article.
                let article = source
                    .map(|(m, x)| {
                        x.article
                            .clone()
                            .unwrap_or_else(|| format!("事项{}罚则（{}）", m.code, x.provision))
                    })
                    .unwrap_or_default();
                BandView {
                    id: b.id.clone(),
                    name: b.name.clone(),
                    article,
                    fine: b.fine.as_ref().map(range),
                    fixed_fen: b.fixed_fen.clone(),
                    preconditions: zh(&b.preconditions),
                    missing: zh(&b.missing),
                    mandatory: kinds(&b.mandatory),
                    optional: kinds(&b.optional),
                    usable: b.usable,
                    reason: b.reason.clone(),
                }
            })
            .collect())
    }

    /// 出示执法证件 (行政处罚法 Art. 52, 55), recorded with its time: the
    /// decision is refused without it (`CASE_CREDENTIALS_NOT_SHOWN`).
    pub(crate) fn case_show_credentials(&mut self, req: CaseReq) -> Result<CaseView, ApiError> {
        let c = self.step(&req.case_id, &CaseEvent::ShowCredentials)?;
        Ok(self.view(&c))
    }

    /// 告知 alone: the statement or its waiver is the next act
    /// ([`Self::case_statement`]), so each has its own time on the record.
    pub(crate) fn case_inform(&mut self, req: InformReq) -> Result<CaseView, ApiError> {
        let c = self.case(&req.case_id)?;
        let p = penalty(&req.penalty)?;
        let content = req
            .content
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| {
                format!(
                    "拟对当事人{}的行为处以{}；已当场告知作出行政处罚决定的事实、理由及依据，并告知当事人依法享有陈述、申辩的权利（《中华人民共和国行政处罚法》第四十四条）",
                    self.matter_name(&c),
                    penalty_text(&p)
                )
            });
        let c = self.step(
            &req.case_id,
            &CaseEvent::InformRights {
                proposed: p,
                content,
            },
        )?;
        Ok(self.view(&c))
    }

    /// The party's statement with the officers' review (Art. 45), or the
    /// waiver in the party's words (Art. 62).
    pub(crate) fn case_statement(&mut self, req: StatementReq) -> Result<CaseView, ApiError> {
        let trimmed = |s: Option<String>| s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
        let event = match trimmed(req.statement) {
            Some(text) => CaseEvent::HearStatement {
                text,
                review: trimmed(req.review)
                    .ok_or_else(|| ApiError::Invalid("请填写对陈述申辩的复核意见".into()))?,
            },
            None => CaseEvent::WaiveStatement {
                words: trimmed(req.waiver_words),
            },
        };
        let c = self.step(&req.case_id, &event)?;
        Ok(self.view(&c))
    }

    pub(crate) fn case_decide(&mut self, req: DecideReq) -> Result<CaseView, ApiError> {
        let c = self.case(&req.case_id)?;
        let place = c
            .place
            .clone()
            .ok_or_else(|| ApiError::Invalid("请先登记违法地点".into()))?;
        let c = self.step(
            &req.case_id,
            &CaseEvent::Decide {
                penalty: penalty(&req.penalty)?,
                circumstances: req.circumstances,
                deviation_reason: req
                    .deviation_reason
                    .map(|s| s.trim().to_owned())
                    .filter(|s| !s.is_empty()),
                place,
            },
        )?;
        Ok(self.view(&c))
    }

    pub(crate) fn case_issue(&mut self, req: CaseReq) -> Result<CaseView, ApiError> {
        let c = self.step(&req.case_id, &CaseEvent::Issue)?;
        self.nudge_sync("case_issued");
        Ok(self.view(&c))
    }

    pub(crate) fn case_serve(&mut self, req: ServeReq) -> Result<CaseView, ApiError> {
        let service = match req.kind.as_str() {
            "signed" => Service::Signed {
                name: required_text(req.signer_name, "请填写签收人姓名")?,
                png: signature_png(req.signature_png_base64, "请当事人签名")?,
            },
            "refused" => Service::Refused {
                reason: required_text(req.refusal_reason, "请注明拒绝签收的情况")?,
                witness: req.witness.filter(|s| !s.trim().is_empty()),
            },
            other => return Err(ApiError::Invalid(format!("送达方式无效：{other}"))),
        };
        let c = self.step(&req.case_id, &CaseEvent::Serve { service })?;
        Ok(self.view(&c))
    }

    pub(crate) fn case_document(&mut self, req: CaseReq) -> Result<DocumentFile, ApiError> {
        self.officer_id()?;
        let (c, data) = self.served_decision_of(&req.case_id)?;
        let doc = self.render_a4(&data, &c.township)?;
        let number = decision_name(&c);
        Ok(DocumentFile {
            file_name: format!("{number}.pdf"),
            pdf_base64: B64.encode(&doc.pdf),
            pages: u32::try_from(doc.page_count).unwrap_or(u32::MAX),
            document_hash: doc.document_hash,
        })
    }

    /// Writes a readable copy of the served decision's PDF to the export
    /// folder, `EXPORTS/<number>.pdf` ([`crate::App::export_dir`], outside
    /// the data folder, whose files are sealed; temp file, fsync, rename),
    /// for printing or sharing from the OS where the webview cannot hand a
    /// download over. Only when the officer asks: nothing readable is kept
    /// in the data folder.
    pub(crate) fn case_save_document(&mut self, req: CaseReq) -> Result<SavedFile, ApiError> {
        let doc = self.case_document(req)?;
        let pdf = B64
            .decode(doc.pdf_base64.as_bytes())
            .map_err(|e| ApiError::Internal(e.to_string()))?;
        let dir = self.export_dir();
        let fail = |e: std::io::Error| ApiError::Internal(format!("无法保存文书：{e}"));
        std::fs::create_dir_all(&dir).map_err(fail)?;
        // The number contains no path separators (〔2026〕1号), but the name
        // is still reduced to safe characters.
        let name = safe_file_name(&doc.file_name);
        let path = dir.join(name);
        let mut tmp = tempfile::NamedTempFile::new_in(&dir).map_err(fail)?;
        std::io::Write::write_all(&mut tmp, &pdf).map_err(fail)?;
        tmp.as_file().sync_all().map_err(fail)?;
        tmp.persist(&path).map_err(|e| fail(e.error))?;
        let path = std::path::absolute(&path).unwrap_or(path);
        Ok(SavedFile {
            path: path.display().to_string(),
            bytes: u32::try_from(pdf.len()).unwrap_or(u32::MAX),
        })
    }

    pub(crate) fn case_payment_qr(&mut self, req: CaseReq) -> Result<PaymentQr, ApiError> {
        self.officer_id()?;
        let c = self.case(&req.case_id)?;
        let issue = c
            .issue
            .as_ref()
            .ok_or_else(|| ApiError::Invalid("决定书尚未出具".into()))?;
        let url = issue
            .payment_url
            .clone()
            .ok_or_else(|| ApiError::Invalid("本案无须缴款（未处罚款或已当场收缴）".into()))?;
        let amount_fen = c
            .decision
            .as_ref()
            .and_then(|d| d.penalty.amount_fen)
            .ok_or_else(|| ApiError::Internal("罚款金额缺失".into()))?;
        Ok(PaymentQr {
            svg: qr_svg(&url, 8)?,
            url,
            payment_code: issue.payment_code.clone(),
            amount_fen,
            due: c
                .service
                .as_ref()
                .and_then(|s| s.payment_due)
                .or(issue.payment_due)
                .map(|d| d.to_string()),
        })
    }

    pub(crate) fn case_list(&mut self, req: CaseListReq) -> Result<Vec<CaseSummary>, ApiError> {
        self.officer_id()?;
        let status = match req.status.as_deref().filter(|s| !s.is_empty()) {
            Some(s) => Some(
                CaseStatus::parse(s).ok_or_else(|| ApiError::Invalid(format!("状态无效：{s}")))?,
            ),
            None => None,
        };
        let mut cases = case::list(&self.store, status)?;
        cases.reverse();
        Ok(cases.iter().map(|c| self.summary(c)).collect())
    }

    pub(crate) fn case_detail(&mut self, req: CaseReq) -> Result<CaseDetail, ApiError> {
        self.officer_id()?;
        let c = self.case(&req.case_id)?;
        let timeline = case::timeline(&self.store, c.id)?
            .into_iter()
            .map(|t| TimelineView {
                seq: u32::try_from(t.seq).unwrap_or(u32::MAX),
                at: t.at,
                label: step_label(&t.kind).into(),
                kind: t.kind,
                to_label: t.to.label_zh().into(),
            })
            .collect();
        let evidence = evidence::for_case(&self.store, c.id)?
            .iter()
            .map(|r| self.evidence_view(r, "unchecked", None))
            .collect();
        let today = self.today()?;
        let payment = self
            .deadlines(std::slice::from_ref(&c), today)
            .into_iter()
            .find(|d| d.kind == "payment");
        let payment = payment.or_else(|| {
            case::payment_standing(&c, today).map(|s| Deadline {
                kind: "payment".into(),
                title: match &c.payment {
                    Some(PaymentRecord::Paid { .. }) => "罚款已缴".into(),
                    _ => "罚款已收缴".into(),
                },
                case_id: c.id.to_string(),
                due: Some(s.due.to_string()),
                days_left: None,
                amount_fen: Some(s.amount_fen),
                late_fee_fen: Some(s.late_fee_fen),
            })
        });
        let server_notes = self.server_notes(&c.id.to_string())?;
        Ok(CaseDetail {
            case: self.view(&c),
            timeline,
            evidence,
            payment,
            server_notes,
        })
    }

    /// The server's word on a case, as notes for the case screen.
    fn server_notes(&self, case_id: &str) -> Result<Vec<ServerNote>, ApiError> {
        let Some(s) = zhifa_sync::review::server_state(&self.store, case_id)? else {
            return Ok(Vec::new());
        };
        let mut notes = Vec::new();
        if s.payment_status.as_deref() == Some("confirmed") {
            let mut detail = Vec::new();
            if let Some(f) = s.paid_amount_fen {
                detail.push(format!("人民币{}", zhifa_core::money::format_yuan(f)));
            }
            if let Some(at) = &s.paid_at {
                detail.push(format!("缴款时间 {at}"));
            }
            if let Some(r) = &s.payment_reference {
                detail.push(format!("流水号 {r}"));
            }
            notes.push(ServerNote {
                kind: "payment".into(),
                title: "缴款已确认".into(),
                detail: detail.join("，"),
            });
        }
        if let Some(result) = &s.review_result {
            let (kind, title) = match result.as_str() {
                "approved" => ("review_approved", "法制审核：通过"),
                _ => ("review_returned", "法制审核：退回补正"),
            };
            let mut detail = s.review_opinion.clone().unwrap_or_default();
            if let Some(r) = &s.reviewer {
                detail = format!("{detail}（{r}）");
            }
            notes.push(ServerNote {
                kind: kind.into(),
                title: title.into(),
                detail,
            });
        }
        if let Some(o) = &s.assigned_officer {
            let who = zhifa_core::device::officer(&self.store, o)
                .ok()
                .flatten()
                .map(|x| format!("{}（{}）", x.name, x.credential_no))
                .unwrap_or_else(|| o.clone());
            notes.push(ServerNote {
                kind: "reassigned".into(),
                title: format!("已改派给 {who}"),
                detail: s.reassign_reason.clone().unwrap_or_default(),
            });
        }
        Ok(notes)
    }

    pub(crate) fn evidence_list(&mut self, req: EvidenceListReq) -> Result<EvidenceList, ApiError> {
        self.officer_id()?;
        let mut items = match &req.case_id {
            Some(id) => evidence::for_case(&self.store, parse_uuid(id)?)?,
            None => evidence::list(&self.store)?,
        };
        items.reverse();
        let mut chain_problems = Vec::new();
        let mut per_item: std::collections::HashMap<String, (String, String)> =
            std::collections::HashMap::new();
        if req.verify {
            let report = evidence::verify(&self.store, &self.evidence_dir())?;
            for p in &report.problems {
                let id = match p {
                    evidence::Problem::FileAltered { id, .. }
                    | evidence::Problem::FileTampered { id, .. }
                    | evidence::Problem::FileMissing { id, .. }
                    | evidence::Problem::DerivedDamaged { id, .. }
                    | evidence::Problem::LinkBroken { id, .. }
                    | evidence::Problem::RecordAltered { id, .. }
                    | evidence::Problem::SignatureInvalid { id, .. } => Some(id.clone()),
                    _ => None,
                };
                match id {
                    Some(id) => {
                        per_item
                            .entry(id)
                            .or_insert_with(|| (p.code().to_owned(), p.to_string()));
                    }
                    None => chain_problems.push(p.to_string()),
                }
            }
        }
        let items = items
            .iter()
            .map(|r| match per_item.get(&r.meta.id) {
                Some((code, msg)) => self.evidence_view(r, code, Some(msg.clone())),
                None if req.verify => self.evidence_view(r, "verified", None),
                None => self.evidence_view(r, "unchecked", None),
            })
            .collect();
        Ok(EvidenceList {
            items,
            verified: req.verify,
            chain_problems,
        })
    }

    // -----------------------------------------------------------------------
    // Sync and settings

    pub(crate) fn sync_state(&mut self, _: Empty) -> Result<SyncState, ApiError> {
        let counts = case::outbox_counts(&self.store)?;
        let label = |e: &str| match e {
            "case" => "案件",
            "number_lease" => "文书编号段",
            "issued_number" => "已用编号",
            "township_config" => "镇街配置",
            "evidence" => "证据",
            _ => "其他",
        };
        let to32 = |n: u64| u32::try_from(n).unwrap_or(u32::MAX);
        let streams: Vec<StreamState> = counts
            .iter()
            .map(|(e, pending, pushed)| StreamState {
                stream: e.clone(),
                label: label(e).into(),
                pending: to32(*pending),
                pushed: to32(*pushed),
            })
            .collect();
        let open = zhifa_sync::review::conflicts(&self.store)?
            .iter()
            .filter(|c| c.resolved_at.is_none())
            .count();
        let live = self.sync_live()?;
        let enrolled = zhifa_sync::engine::enrolment(&self.store)?.is_some();
        Ok(SyncState {
            pending: streams.iter().map(|s| s.pending).sum(),
            pushed: streams.iter().map(|s| s.pushed).sum(),
            streams,
            conflicts: u32::try_from(open).unwrap_or(u32::MAX),
            last_error: live.last_error,
            enrolled,
            state: live.state,
            last_ok_at: live.last_ok_at,
        })
    }

    pub(crate) fn settings_get(&mut self, _: Empty) -> Result<Settings, ApiError> {
        let releases = self
            .store
            .catalogue()
            .releases()?
            .into_iter()
            .map(|r| ReleaseBrief {
                id: r.id,
                title: r.title,
                effective_from: r.effective_from.to_string(),
                sample: r.sample,
            })
            .collect();
        let townships = match self.release_brief()? {
            Some(r) => self
                .store
                .catalogue()
                .townships(&r.id)?
                .into_iter()
                .map(|t| TownshipOption {
                    code: t.code,
                    name: t.name,
                    district: t.district,
                })
                .collect(),
            None => vec![],
        };
        Ok(Settings {
            township: self.township()?,
            townships,
            releases,
            device_id: Some(self.device.id().to_string()),
            schema_version: self.store.schema_version()?,
            app_version: env!("CARGO_PKG_VERSION").into(),
            data_dir: self.data_dir.display().to_string(),
            enrolment: self.enrolment_view()?,
        })
    }

    pub(crate) fn settings_set_township(
        &mut self,
        req: SetTownshipReq,
    ) -> Result<Settings, ApiError> {
        self.officer_id()?;
        let known = self
            .settings_get(Empty {})?
            .townships
            .iter()
            .any(|t| t.code == req.township);
        if !known {
            return Err(ApiError::Invalid(format!(
                "现行目录中没有镇街 {}",
                req.township
            )));
        }
        self.store.set_setting(TOWNSHIP_SETTING, &req.township)?;
        self.settings_get(Empty {})
    }
}

/// A file name with path separators replaced, for a name built from a
/// document number (〔2026〕1号 has none, but the name is made safe anyway).
pub(crate) fn safe_file_name(name: &str) -> String {
    name.chars()
        .map(|c| if c == '/' || c == '\\' { '_' } else { c })
        .collect()
}

/// The file name of the decision the case hands to the party: its number,
/// or for an unnumbered 不予行政处罚决定书 its title and case id (what
/// identifies it), or `决定书` before the issue.
pub(crate) fn decision_name(c: &Case) -> String {
    match c.handed_decision() {
        Some(d) if !d.number.is_empty() => d.number.to_owned(),
        Some(d) => format!("{}-{}", d.kind.title_zh(), c.id),
        None => "决定书".to_owned(),
    }
}
