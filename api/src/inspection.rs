//! The joint-inspection (综合查一次) and task commands: list the scenarios,
//! start an inspection under several of them with the merged checklist,
//! mark items, decide what a failed item becomes (an order to correct, a
//! simple-procedure case, a referral), finish with the party's signature,
//! and render the 现场检查（勘验）笔录 and the 责令改正通知书 as PDFs; the
//! officer's tasks (assigned by the command centre, or follow-up checks
//! made here) with accept and report. The rules live in
//! `zhifa_core::inspection`; this module only shapes requests and views.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use uuid::Uuid;
use zhifa_core::case::{self, CaseParty};
use zhifa_core::document::model::{DocumentData, PartySignature, mask_id_number};
use zhifa_core::inspection::{
    self, FinishInput, Inspection, InspectionStatus, NewInspection, Outcome, OutcomeChoice,
    Verdict, task,
};
use zhifa_sync::badge;

use crate::dto::{
    BadgeView, DocumentFile, Empty, EvidenceView, FindingView, InspDecideReq, InspDocumentReq,
    InspEvidenceReq, InspFinishReq, InspReq, InspResultReq, InspStartReq, InspectionSummary,
    InspectionView, OutcomeView, ScenarioView, TaskReportReq, TaskReq, TaskView,
};
use crate::ops::{required_text, signature_png};
use crate::{ApiError, App};

fn parse_uuid(s: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(s.trim()).map_err(|_| ApiError::Invalid(format!("编号无效：{s}")))
}

fn verdict(s: &str) -> Result<Verdict, ApiError> {
    match s {
        "pass" => Ok(Verdict::Pass),
        "fail" => Ok(Verdict::Fail),
        "not_applicable" => Ok(Verdict::NotApplicable),
        other => Err(ApiError::Invalid(format!(
            "检查结果无效：{other}（应为符合、不符合或不适用）"
        ))),
    }
}

fn verdict_str(v: Verdict) -> &'static str {
    match v {
        Verdict::Pass => "pass",
        Verdict::Fail => "fail",
        Verdict::NotApplicable => "not_applicable",
    }
}

fn outcome_view(o: &Outcome) -> OutcomeView {
    match o {
        Outcome::OrderToCorrect {
            number,
            requirement,
            deadline,
            follow_up_due,
            ..
        } => OutcomeView {
            kind: "order_to_correct".into(),
            label: format!("责令改正 {number}，{deadline} 前改正，{follow_up_due} 复查"),
            number: Some(number.clone()),
            deadline: Some(deadline.to_string()),
            detail: requirement.clone(),
            case_id: None,
            department_name: None,
        },
        Outcome::SimpleCase { case_id } => OutcomeView {
            kind: "simple_case".into(),
            label: "转简易程序案件".into(),
            number: None,
            deadline: None,
            detail: String::new(),
            case_id: Some(case_id.to_string()),
            department_name: None,
        },
        Outcome::Referral {
            department_name,
            reason,
            ..
        } => OutcomeView {
            kind: "referral".into(),
            label: format!("移送{department_name}"),
            number: None,
            deadline: None,
            detail: reason.clone(),
            case_id: None,
            department_name: Some(department_name.clone()),
        },
    }
}

fn status_str(s: InspectionStatus) -> &'static str {
    match s {
        InspectionStatus::Open => "open",
        InspectionStatus::Finished => "finished",
    }
}

fn summary(i: &Inspection) -> InspectionSummary {
    let failed = i
        .findings
        .iter()
        .filter(|f| {
            f.result
                .as_ref()
                .is_some_and(|r| r.verdict == Verdict::Fail)
        })
        .count();
    InspectionSummary {
        id: i.id.to_string(),
        status: status_str(i.status).into(),
        place: i.place.clone(),
        party_name: i.party.name.clone(),
        scenarios: i.scenarios.iter().map(|s| s.name.clone()).collect(),
        departments: count(dept_names(i).len()),
        items: count(i.findings.len()),
        checked: count(i.findings.iter().filter(|f| f.result.is_some()).count()),
        failed: count(failed),
        started_at: i.started_at.format("%Y-%m-%d %H:%M").to_string(),
    }
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn dept_names(i: &Inspection) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for f in &i.findings {
        if !out.contains(&f.item.department_name) {
            out.push(f.item.department_name.clone());
        }
    }
    out
}

fn view(i: &Inspection) -> InspectionView {
    let findings = i
        .findings
        .iter()
        .map(|f| FindingView {
            code: f.item.code.clone(),
            department: f.item.department.clone(),
            department_name: f.item.department_name.clone(),
            subject: f.item.subject.clone(),
            method: f.item.method.clone(),
            basis: f.item.basis.join("；"),
            violation: f.item.violation.clone(),
            matter_code: f.item.matter.clone(),
            correction_days: f.item.correction_days,
            verdict: f.result.as_ref().map(|r| verdict_str(r.verdict).into()),
            note: f
                .result
                .as_ref()
                .map(|r| r.note.clone())
                .unwrap_or_default(),
            evidence: count(f.result.as_ref().map_or(0, |r| r.evidence.len())),
            outcome: f.outcome.as_ref().map(outcome_view),
        })
        .collect::<Vec<_>>();
    let orders = i
        .findings
        .iter()
        .filter_map(|f| match &f.outcome {
            Some(Outcome::OrderToCorrect { number, .. }) => Some(number.clone()),
            _ => None,
        })
        .collect();
    let referrals = i
        .findings
        .iter()
        .filter_map(|f| match &f.outcome {
            Some(Outcome::Referral {
                department_name, ..
            }) => Some(department_name.clone()),
            _ => None,
        })
        .collect();
    InspectionView {
        summary: summary(i),
        party_id_masked: mask_id_number(&i.party.id_number),
        department_names: dept_names(i),
        findings,
        orders,
        referrals,
        record_sha256: i.finish.as_ref().map(|f| f.record_sha256.clone()),
        task_id: i.task_id.map(|t| t.to_string()),
    }
}

fn task_view(t: &task::Task) -> TaskView {
    TaskView {
        id: t.id.to_string(),
        origin: t.origin.clone(),
        kind: t.kind.as_str().into(),
        kind_label: match t.kind {
            task::TaskKind::Complaint => "投诉处置",
            task::TaskKind::RandomInspection => "双随机抽查",
            task::TaskKind::FollowUp => "复查",
        }
        .into(),
        status: t.status.as_str().into(),
        place: t.place.clone(),
        party_name: t.party_name.clone(),
        detail: t.detail.clone(),
        due_on: t.due_on.map(|d| d.to_string()),
        scenarios: t.scenarios.clone(),
        inspection_id: t.inspection_id.map(|i| i.to_string()),
        accepted_at: t.accepted_at.clone(),
        done_at: t.done_at.clone(),
    }
}

impl App {
    fn inspection(&self, id: &str) -> Result<Inspection, ApiError> {
        let id = parse_uuid(id)?;
        inspection::get(&self.store, id)?
            .ok_or_else(|| ApiError::NotFound(format!("检查记录 {id}")))
    }

    pub(crate) fn insp_scenarios(&mut self, _: Empty) -> Result<Vec<ScenarioView>, ApiError> {
        self.officer_id()?;
        let today = self.today()?;
        let all = inspection::scenarios(&self.store, today)?;
        let mut out = Vec::with_capacity(all.len());
        for s in all {
            let (_, items) =
                inspection::checklist(&self.store, today, std::slice::from_ref(&s.code))?;
            let mut depts: Vec<String> = Vec::new();
            for it in &items {
                if !depts.contains(&it.department_name) {
                    depts.push(it.department_name.clone());
                }
            }
            out.push(ScenarioView {
                code: s.code,
                name: s.name,
                description: s.description,
                items: count(items.len()),
                department_names: depts,
            });
        }
        Ok(out)
    }

    pub(crate) fn insp_start(&mut self, req: InspStartReq) -> Result<InspectionView, ApiError> {
        let me = self.officer_id()?.to_owned();
        if req.partner_officer_id == me {
            return Err(ApiError::Invalid(
                "现场检查须由两名以上执法人员进行（行政处罚法第42条、第55条），请选择另一名执法人员"
                    .into(),
            ));
        }
        let township = self
            .township()?
            .ok_or_else(|| ApiError::Invalid("请先在设置中选择所属镇街".into()))?;
        let p = req.party;
        let opt = |s: Option<String>| s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
        let party = CaseParty {
            kind: crate::ops::party_kind(&p.kind)?,
            name: p.name.trim().to_owned(),
            id_number: zhifa_core::rules::identity::normalize(&p.id_number),
            phone: opt(p.phone),
            address: p.address.trim().to_owned(),
            representative: opt(p.representative),
            id_kind: None,
            nationality: None,
            birth_date: None,
            no_document_reason: None,
            photo_evidence: None,
        };
        let task_id = req.task_id.as_deref().map(parse_uuid).transpose()?;
        let now = self.now();
        let i = inspection::start(
            &mut self.store,
            &NewInspection {
                id: case::uuid_v7(now),
                township,
                officers: [me, req.partner_officer_id],
                place: req.place.trim().to_owned(),
                party,
                scenarios: req.scenarios,
                task_id,
            },
            now,
        )?;
        Ok(view(&i))
    }

    pub(crate) fn insp_get(&mut self, req: InspReq) -> Result<InspectionView, ApiError> {
        self.officer_id()?;
        Ok(view(&self.inspection(&req.inspection_id)?))
    }

    /// The 亮码 of an inspection, made offline: the server-issued
    /// certificate stored at enrolment or refresh, the inspection's merged
    /// checklist, signed now by the device key (`zhifa_sync::badge`).
    pub(crate) fn insp_badge(&mut self, req: InspReq) -> Result<BadgeView, ApiError> {
        let officer = self.officer_id()?.to_owned();
        let insp = self.inspection(&req.inspection_id)?;
        let enrolment =
            zhifa_sync::engine::enrolment(&self.store)?.ok_or(ApiError::BadgeNotEnrolled)?;
        let cert = zhifa_sync::engine::badge_certificate(&self.store)?
            .ok_or(ApiError::BadgeNotEnrolled)?;
        if cert.body.officer_id != officer || cert.body.device_id != self.device.id().to_string() {
            return Err(ApiError::BadgeOfficerMismatch);
        }
        let device = &self.device;
        let now = self.now();
        // The long token: every check of the certificate and the device's
        // key offline, and the names shown on this screen.
        let (_, claims) = badge::issue(
            &cert,
            &badge::Request::from(&insp),
            now,
            badge::DEFAULT_TOKEN_HOURS,
            |m| device.sign(m),
        )?;
        // The short token the QR carries (≤ 57 modules a side); the
        // server's page looks the rest up (`badge::short`).
        let server = enrolment.server_url.clone();
        let fits = |t: &str| {
            zhifa_core::document::qr::QrMatrix::encode(&badge::short::url(&server, t))
                .is_ok_and(|m| m.width() <= badge::short::MAX_MODULES)
        };
        let (token, short) = badge::short::issue(
            &badge::short::ShortRequest::from(&insp),
            device.id(),
            now,
            badge::DEFAULT_TOKEN_HOURS,
            |m| device.sign(m),
            fits,
        )?;
        let url = badge::short::url(&server, &token);
        let bj = |s: &str| {
            chrono::DateTime::parse_from_rfc3339(s)
                .ok()
                .and_then(|t| case::beijing(t.with_timezone(&chrono::Utc)).ok())
                .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
                .unwrap_or_else(|| s.to_owned())
        };
        let utc =
            |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        Ok(BadgeView {
            svg: zhifa_core::document::qr::qr_svg(&url, 4)?,
            url,
            token,
            officer_name: claims.cert.body.officer_name.clone(),
            credential_no: claims.cert.body.credential_no.clone(),
            township_name: claims.cert.body.township_name.clone(),
            place: claims.place.clone(),
            items: claims.items.iter().map(|i| i.name.clone()).collect(),
            items_total: claims.items_total,
            issued_at: bj(&utc(short.issued_at)),
            expires_at: bj(&utc(short.expires_at())),
            expires_at_utc: utc(short.expires_at()),
            certificate_valid_until: bj(&claims.cert.body.valid_until),
        })
    }

    pub(crate) fn insp_list(&mut self, _: Empty) -> Result<Vec<InspectionSummary>, ApiError> {
        self.officer_id()?;
        Ok(inspection::list(&self.store)?.iter().map(summary).collect())
    }

    pub(crate) fn insp_result(&mut self, req: InspResultReq) -> Result<InspectionView, ApiError> {
        self.officer_id()?;
        let id = parse_uuid(&req.inspection_id)?;
        let evidence = req
            .evidence_ids
            .iter()
            .map(|e| parse_uuid(e))
            .collect::<Result<Vec<_>, _>>()?;
        let now = self.now();
        let i = inspection::record_result(
            &mut self.store,
            id,
            &req.item,
            verdict(&req.verdict)?,
            &req.note,
            &evidence,
            now,
        )?;
        Ok(view(&i))
    }

    /// A photo for an item: kept and hashed at capture like a case's
    /// evidence (original, time, place, officers), then named on the item
    /// with [`Self::insp_result`].
    pub(crate) fn insp_evidence_add(
        &mut self,
        req: InspEvidenceReq,
    ) -> Result<EvidenceView, ApiError> {
        self.officer_id()?;
        let i = self.inspection(&req.inspection_id)?;
        if i.status == InspectionStatus::Finished {
            return Err(inspection::InspectionError::Finished.into());
        }
        let photo = crate::ops::Photo {
            data_base64: &req.data_base64,
            file_name: req.file_name,
            lat: req.lat,
            lon: req.lon,
            accuracy_m: req.accuracy_m,
        };
        let officers = i.officers.iter().map(|o| o.id.clone()).collect();
        self.ingest_photo(photo, None, officers, Some(i.place.clone()))
    }

    pub(crate) fn insp_decide(&mut self, req: InspDecideReq) -> Result<InspectionView, ApiError> {
        self.officer_id()?;
        let id = parse_uuid(&req.inspection_id)?;
        let choice = match req.kind.as_str() {
            "order_to_correct" => OutcomeChoice::OrderToCorrect {
                requirement: required_text(req.text, "请填写改正要求")?,
            },
            "simple_case" => OutcomeChoice::SimpleCase,
            "referral" => OutcomeChoice::Referral {
                reason: required_text(req.text, "请填写移送理由")?,
            },
            other => return Err(ApiError::Invalid(format!("处理方式无效：{other}"))),
        };
        let now = self.now();
        let i = inspection::decide(&mut self.store, id, &req.item, &choice, now)?;
        Ok(view(&i))
    }

    pub(crate) fn insp_finish(&mut self, req: InspFinishReq) -> Result<InspectionView, ApiError> {
        let me = self.signed_in()?;
        let id = parse_uuid(&req.inspection_id)?;
        let now = self.now();
        let at = case::beijing(now)?;
        let signature = match req.kind.as_str() {
            "signed" => PartySignature::Signed {
                name: required_text(req.signer_name, "请填写签名人姓名")?,
                png: signature_png(req.signature_png_base64, "请当事人在笔录上签名")?,
                signed_at: at,
            },
            "refused" => PartySignature::Refused {
                reason: required_text(req.refusal_reason, "请注明拒绝签名的情况")?,
                witness: req.witness.clone().filter(|s| !s.trim().is_empty()),
            },
            other => return Err(ApiError::Invalid(format!("签名方式无效：{other}"))),
        };
        let input = FinishInput {
            recorder: me.name.clone(),
            present_person: None,
            witness: req.witness.filter(|s| !s.trim().is_empty()),
            party_signature: signature,
        };
        // The inspectors sign the record and the orders with their PINs
        // (enrolled and the signature kept on first need, as for a decision).
        let i = if req.officer_signs.is_empty() {
            inspection::finish(&mut self.store, id, &input, now)?
        } else {
            let mut pngs = Vec::new();
            for o in &req.officer_signs {
                self.enrol_on_first_need(o)?;
                pngs.push(Self::new_png(o)?);
            }
            let consents: Vec<inspection::OfficerConsent<'_>> = req
                .officer_signs
                .iter()
                .zip(&pngs)
                .map(|(o, png)| inspection::OfficerConsent {
                    officer_id: &o.officer_id,
                    pin: &o.pin,
                    new_png: png.as_deref(),
                })
                .collect();
            inspection::finish_signed(&mut self.store, id, &input, &consents, now)?
        };
        Ok(view(&i))
    }

    pub(crate) fn insp_document(&mut self, req: InspDocumentReq) -> Result<DocumentFile, ApiError> {
        self.officer_id()?;
        let i = self.inspection(&req.inspection_id)?;
        let (data, name) = match req.order_number.as_deref() {
            None => (
                inspection::record_document(&i).ok_or_else(|| {
                    ApiError::Invalid("检查尚未结束（当事人签名后方可生成笔录）".into())
                })?,
                format!(
                    "现场检查笔录-{}-{}",
                    i.started_at.format("%Y%m%d%H%M"),
                    &i.id.simple().to_string()[24..]
                ),
            ),
            Some(n) => (
                inspection::order_documents(&i)
                    .into_iter()
                    .find(|d| matches!(d, DocumentData::OrderToCorrect(o) if o.number == n))
                    .ok_or_else(|| ApiError::NotFound(format!("责令改正通知书 {n}")))?,
                n.to_owned(),
            ),
        };
        let doc = self.render_a4(&data, &i.township)?;
        Ok(DocumentFile {
            file_name: format!("{name}.pdf"),
            pdf_base64: B64.encode(&doc.pdf),
            pages: u32::try_from(doc.page_count).unwrap_or(u32::MAX),
            document_hash: doc.document_hash,
        })
    }

    pub(crate) fn task_list(&mut self, _: Empty) -> Result<Vec<TaskView>, ApiError> {
        self.officer_id()?;
        Ok(task::tasks(&self.store)?.iter().map(task_view).collect())
    }

    pub(crate) fn task_accept(&mut self, req: TaskReq) -> Result<TaskView, ApiError> {
        self.officer_id()?;
        let id = parse_uuid(&req.task_id)?;
        let now = self.now();
        Ok(task_view(&task::accept(&mut self.store, id, now)?))
    }

    pub(crate) fn task_report(&mut self, req: TaskReportReq) -> Result<TaskView, ApiError> {
        self.officer_id()?;
        let id = parse_uuid(&req.task_id)?;
        let now = self.now();
        let report = task::TaskReport {
            note: req.note,
            corrected: req.corrected,
            inspection_id: req.inspection_id.as_deref().map(parse_uuid).transpose()?,
            case_id: req.case_id.as_deref().map(parse_uuid).transpose()?,
        };
        Ok(task_view(&task::report(&mut self.store, id, &report, now)?))
    }
}
