//! The officers sign and the party reads first (行政处罚法 Art. 52 ¶2; issue
//! 19): each officer signs the issued decision with the PIN (enrolled on
//! this device on first need, as at sign-in; the signature captured once and
//! kept in the encrypted store), the issued decision is shown (or printed)
//! to the party before the party's pad opens, and the decision, its 送达回证
//! and the inspection record print on a thermal roll through the printer
//! seam ([`crate::print`]).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use zhifa_core::case::{self, Case, CaseEvent, officer_sign};
use zhifa_core::document::model::DocumentData;
use zhifa_core::{device, signin};

use crate::dto::{
    CasePrintReq, CaseReq, CaseView, DocumentFile, InspPrintReq, OfficerSignReq, OfficerSignView,
    TicketReq, TicketView,
};
use crate::ops::signature_png;
use crate::{ApiError, App};

impl App {
    /// Each officer of the case and whether they signed its issued decision.
    pub(crate) fn officer_signs(&self, c: &Case) -> Vec<OfficerSignView> {
        let issued = c.handed_decision().map(|d| d.document_sha256);
        let now = self.now();
        c.officers
            .iter()
            .map(|o| OfficerSignView {
                officer_id: o.id.clone(),
                name: o.name.clone(),
                enrolled: signin::enrolment(&self.store, &o.id, now)
                    .ok()
                    .flatten()
                    .is_some(),
                captured: officer_sign::stored(&self.store, &o.id)
                    .ok()
                    .flatten()
                    .is_some(),
                signed: c
                    .officer_signatures
                    .iter()
                    .any(|s| s.officer_id == o.id && Some(s.document_sha256.as_str()) == issued),
            })
            .collect()
    }

    /// An officer without a PIN on this device sets one now (twice, the
    /// sign-in rules), without signing in.
    pub(crate) fn enrol_on_first_need(&self, req: &OfficerSignReq) -> Result<(), ApiError> {
        let now = self.now();
        if signin::enrolment(&self.store, &req.officer_id, now)?.is_some() {
            return Ok(());
        }
        match req.pin_again.as_deref() {
            Some(again) if again == req.pin => {
                signin::enrol(&self.store, &req.officer_id, &req.pin, now)?;
                Ok(())
            }
            Some(_) => Err(ApiError::Invalid("两次输入的 PIN 不一致".into())),
            None => Err(signin::SignInError::NotEnrolled(req.officer_id.clone()).into()),
        }
    }

    pub(crate) fn new_png(req: &OfficerSignReq) -> Result<Option<Vec<u8>>, ApiError> {
        req.signature_png_base64
            .clone()
            .map(|b| signature_png(Some(b), "请先签名"))
            .transpose()
    }

    /// One officer signs the case's issued decision with the PIN.
    pub(crate) fn case_officer_sign(&mut self, req: OfficerSignReq) -> Result<CaseView, ApiError> {
        self.officer_id()?;
        let case_id = req
            .case_id
            .clone()
            .ok_or_else(|| ApiError::Invalid("缺少案件".into()))?;
        let c = self.case(&case_id)?;
        self.enrol_on_first_need(&req)?;
        let png = Self::new_png(&req)?;
        let now = self.now();
        let c = officer_sign::sign_decision(
            &mut self.store,
            c.id,
            &req.officer_id,
            &req.pin,
            png.as_deref(),
            now,
        )?;
        Ok(self.view(&c))
    }

    /// The signed-in officer (or a partner on this device) keeps a new
    /// signature after the PIN, e.g. in the settings.
    pub(crate) fn officer_signature_set(
        &mut self,
        req: OfficerSignReq,
    ) -> Result<OfficerSignView, ApiError> {
        self.officer_id()?;
        let officer = device::officer(&self.store, &req.officer_id)?
            .ok_or_else(|| ApiError::NotFound(format!("执法人员 {}", req.officer_id)))?;
        self.enrol_on_first_need(&req)?;
        let png = Self::new_png(&req)?.ok_or_else(|| ApiError::Invalid("请先签名".into()))?;
        officer_sign::capture(&self.store, &req.officer_id, &req.pin, &png, self.now())?;
        Ok(OfficerSignView {
            officer_id: officer.id,
            name: officer.name,
            enrolled: true,
            captured: true,
            signed: false,
        })
    }

    /// Records that the issued decision was shown (or printed) to the party.
    pub(crate) fn case_show_document(&mut self, req: CaseReq) -> Result<CaseView, ApiError> {
        let c = self.case(&req.case_id)?;
        let hash = c
            .handed_decision()
            .map(|d| d.document_sha256.to_owned())
            .ok_or_else(|| ApiError::Invalid("决定书尚未出具".into()))?;
        let c = self.step(
            &req.case_id,
            &CaseEvent::ShowDocument {
                document_sha256: hash,
            },
        )?;
        Ok(self.view(&c))
    }

    fn document_file(
        &self,
        data: &DocumentData,
        township: &str,
        name: &str,
    ) -> Result<DocumentFile, ApiError> {
        let doc = self.render_a4(data, township)?;
        Ok(DocumentFile {
            file_name: format!("{name}.pdf"),
            pdf_base64: B64.encode(&doc.pdf),
            pages: u32::try_from(doc.page_count).unwrap_or(u32::MAX),
            document_hash: doc.document_hash,
        })
    }

    /// The issued decision as the party reads it before signing (A4).
    pub(crate) fn case_issued_document(&mut self, req: CaseReq) -> Result<DocumentFile, ApiError> {
        self.officer_id()?;
        let c = self.case(&req.case_id)?;
        let data = officer_sign::issued_decision(&self.store, c.id)?
            .ok_or_else(|| ApiError::Invalid("决定书尚未出具".into()))?;
        let number = crate::ops::decision_name(&c);
        self.document_file(&data, &c.township, &number)
    }

    /// The 送达回证 of the served decision (A4).
    pub(crate) fn case_receipt_document(&mut self, req: CaseReq) -> Result<DocumentFile, ApiError> {
        self.officer_id()?;
        let c = self.case(&req.case_id)?;
        let data = case::receipt::service_receipt(&self.store, c.id)?
            .ok_or_else(|| ApiError::Invalid("决定书尚未当场送达，没有送达回证".into()))?;
        let number = format!("{}-送达回证", data.number().unwrap_or("决定书"));
        self.document_file(&data, &c.township, &number)
    }

    /// The decision or its 送达回证 on a thermal roll.
    pub(crate) fn case_print_document(
        &mut self,
        req: CasePrintReq,
    ) -> Result<TicketView, ApiError> {
        match req.document.as_str() {
            "decision" => self.case_print(TicketReq {
                case_id: req.case_id,
                roll: req.roll,
            }),
            "receipt" => {
                self.officer_id()?;
                let c = self.case(&req.case_id)?;
                let data = case::receipt::service_receipt(&self.store, c.id)?
                    .ok_or_else(|| ApiError::Invalid("决定书尚未当场送达，没有送达回证".into()))?;
                let name = format!("{}-送达回证", data.number().unwrap_or("决定书"));
                self.print_ticket(&data, &c.township, &name, &req.roll)
            }
            other => Err(ApiError::Invalid(format!("无法打印“{other}”"))),
        }
    }

    /// The finished inspection's 现场检查（勘验）笔录 on a thermal roll.
    pub(crate) fn insp_print(&mut self, req: InspPrintReq) -> Result<TicketView, ApiError> {
        self.officer_id()?;
        let id = uuid::Uuid::parse_str(&req.inspection_id)
            .map_err(|_| ApiError::Invalid("检查编号无效".into()))?;
        let insp = zhifa_core::inspection::get(&self.store, id)?
            .ok_or_else(|| ApiError::NotFound("检查记录".into()))?;
        let data = zhifa_core::inspection::record_document(&insp)
            .ok_or_else(|| ApiError::Invalid("检查尚未结束，没有现场检查笔录".into()))?;
        self.print_ticket(&data, &insp.township, "现场检查笔录", &req.roll)
    }
}
