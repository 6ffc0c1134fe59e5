//! How [`DocumentData`] answers for the typed document it holds: one
//! [`Printable`] implementation per kind (the four simple-procedure kinds
//! here, the normal procedure's beside their types in [`super::normal`]).

use super::model::{
    DecisionOnTheSpot, DocumentData, DocumentKind, Fields, InspectionRecord, Officer,
    OrderToCorrect, PartyDetails, PartySignature, Payment, ServiceReceipt, put,
};

impl DocumentData {
    /// The typed document behind the enum, for the per-kind answers below.
    fn printable(&self) -> &dyn Printable {
        match self {
            Self::DecisionOnTheSpot(d) => d,
            Self::InspectionRecord(d) => d,
            Self::OrderToCorrect(d) => d,
            Self::ServiceReceipt(d) => d,
            Self::PenaltyDecision(d) => d,
            Self::FilingApproval(d) => d,
            Self::InterviewRecord(d) => d,
            Self::PreservationNotice(d) => d,
            Self::PriorNotice(d) => d,
            Self::StatementRecord(d) => d,
            Self::InvestigationReport(d) => d,
            Self::LegalReview(d) => d,
            Self::CollectiveDiscussion(d) => d,
            Self::ElectronicServiceConsent(d) => d,
            Self::Reminder(d) => d,
            Self::ClosingApproval(d) => d,
            Self::CourtApplication(d) => d,
            Self::HearingNotice(d) => d,
            Self::HearingRecord(d) => d,
            Self::HearingReport(d) => d,
            Self::NoPenaltyDecision(d) => d,
        }
    }

    /// The document kind.
    pub fn kind(&self) -> DocumentKind {
        self.printable().kind()
    }

    /// The party, where the document has one.
    pub fn party(&self) -> Option<&PartyDetails> {
        self.printable().party()
    }

    /// The signature (or refusal) of the party or recipient.
    pub fn signature(&self) -> Option<&PartySignature> {
        self.printable().signature()
    }

    /// The document number, where the document has one.
    pub fn number(&self) -> Option<&str> {
        self.printable().number()
    }

    /// The officers whose lines carry a signature image (`officer_1`,
    /// `officer_2`), in order; empty for a kind without them.
    pub fn officers(&self) -> &[Officer] {
        self.printable().officers()
    }

    /// The PNG of the signature a template's signature section draws.
    pub fn signature_png(&self, signer: super::template::Signer) -> Option<&[u8]> {
        use super::template::Signer;
        let officer = |i: usize| {
            self.officers()
                .get(i)
                .and_then(|o| o.signature.as_ref())
                .map(|s| s.png.as_slice())
        };
        match signer {
            Signer::Party => self.signature().and_then(|s| s.png()),
            Signer::Officer1 => officer(0),
            Signer::Officer2 => officer(1),
        }
    }

    /// The payment QR content, for a decision with an electronic payment code.
    pub fn payment_qr(&self) -> Option<&str> {
        self.printable().payment_qr()
    }

    /// The template conditions that hold for this document (see
    /// [`super::template::CONDITIONS`]).
    pub fn conditions(&self) -> Vec<&'static str> {
        let mut c = Vec::new();
        if let Some(p) = self.party() {
            c.push(p.kind_key());
        }
        self.printable().conditions(&mut c);
        if self.payment_qr().is_some() {
            c.push("payment_qr");
        }
        match self.signature() {
            Some(PartySignature::Signed { .. }) => c.push("signed"),
            Some(PartySignature::Refused { .. }) => c.push("refused"),
            Some(PartySignature::Pending) | None => {}
        }
        c
    }

    /// The named text fields the templates refer to, with `mask_id` deciding
    /// whether a citizen ID number is printed masked.
    pub fn fields(&self, mask_id: bool) -> Fields {
        let mut f = Fields::new();
        self.printable().fill(&mut f, mask_id);
        if let Some(s) = self.signature() {
            put(&mut f, "party_signature", &s.text());
        }
        f.retain(|_, v| !v.trim().is_empty());
        f
    }
}

/// What the renderers ask of each typed document; [`DocumentData`]
/// dispatches to it.
pub(crate) trait Printable {
    /// The kind.
    fn kind(&self) -> DocumentKind;
    /// The party, where the document has one.
    fn party(&self) -> Option<&PartyDetails> {
        None
    }
    /// The party's (or recipient's) signature or refusal.
    fn signature(&self) -> Option<&PartySignature> {
        None
    }
    /// The document number.
    fn number(&self) -> Option<&str> {
        None
    }
    /// The officers whose lines may carry a signature image.
    fn officers(&self) -> &[Officer] {
        &[]
    }
    /// The payment QR content.
    fn payment_qr(&self) -> Option<&str> {
        None
    }
    /// Conditions beyond the party kind, payment QR and signature.
    fn conditions(&self, _c: &mut Vec<&'static str>) {}
    /// Writes the named fields.
    fn fill(&self, f: &mut Fields, mask_id: bool);
}

impl Printable for DecisionOnTheSpot {
    fn kind(&self) -> DocumentKind {
        DocumentKind::DecisionOnTheSpot
    }
    fn party(&self) -> Option<&PartyDetails> {
        Some(&self.party)
    }
    fn signature(&self) -> Option<&PartySignature> {
        Some(&self.party_signature)
    }
    fn number(&self) -> Option<&str> {
        Some(&self.number)
    }
    fn payment_qr(&self) -> Option<&str> {
        match &self.payment {
            Some(Payment::Electronic { qr_content, .. }) => qr_content.as_deref(),
            _ => None,
        }
    }
    fn conditions(&self, c: &mut Vec<&'static str>) {
        if self.penalty.amount_fen().is_some() {
            c.push("fine");
        }
    }
    fn officers(&self) -> &[Officer] {
        &self.officers
    }
    fn fill(&self, f: &mut Fields, mask_id: bool) {
        self.fill_fields(f, mask_id);
    }
}

impl Printable for InspectionRecord {
    fn kind(&self) -> DocumentKind {
        DocumentKind::InspectionRecord
    }
    fn party(&self) -> Option<&PartyDetails> {
        self.party.as_ref()
    }
    fn signature(&self) -> Option<&PartySignature> {
        Some(&self.party_signature)
    }
    fn number(&self) -> Option<&str> {
        self.number.as_deref()
    }
    fn officers(&self) -> &[Officer] {
        &self.inspectors
    }
    fn fill(&self, f: &mut Fields, mask_id: bool) {
        self.fill_fields(f, mask_id);
    }
}

impl Printable for OrderToCorrect {
    fn kind(&self) -> DocumentKind {
        DocumentKind::OrderToCorrect
    }
    fn party(&self) -> Option<&PartyDetails> {
        Some(&self.party)
    }
    fn signature(&self) -> Option<&PartySignature> {
        Some(&self.party_signature)
    }
    fn number(&self) -> Option<&str> {
        Some(&self.number)
    }
    fn officers(&self) -> &[Officer] {
        &self.officers
    }
    fn fill(&self, f: &mut Fields, mask_id: bool) {
        self.fill_fields(f, mask_id);
    }
}

impl Printable for ServiceReceipt {
    fn kind(&self) -> DocumentKind {
        DocumentKind::ServiceReceipt
    }
    fn signature(&self) -> Option<&PartySignature> {
        Some(&self.recipient_signature)
    }
    fn number(&self) -> Option<&str> {
        Some(&self.document_number)
    }
    fn officers(&self) -> &[Officer] {
        &self.servers
    }
    fn fill(&self, f: &mut Fields, _mask_id: bool) {
        self.fill_fields(f);
    }
}
