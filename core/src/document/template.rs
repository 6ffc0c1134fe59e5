//! Document templates: data, not code.
//!
//! A template is a JSON file (`schema/templates/<set>/<kind>.v<version>.json`)
//! that gives a document's title, its ordered sections with `{field}`
//! placeholders, and which fields are mandatory. A township selects a
//! template set and version ([`TemplateRef`]); the default set ships inside
//! the app ([`Template::builtin`]). A section whose placeholders name an
//! optional field that is absent is left out; a mandatory field that is
//! absent is a [`DocumentError::MissingField`] naming the field — a legal
//! document is never printed with a hole where the law requires a value.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::DocumentError;
use super::model::{DocumentKind, Fields};

/// The `format` string every template file carries.
pub const TEMPLATE_FORMAT: &str = "zhifa.document-template";

/// The conditions a template may test (`when`, `mandatory_if`):
/// `individual` / `organization` (the party kind), `fine` (the penalty
/// includes a fine), `payment_qr` (a payment QR is printed), `signed` /
/// `refused` (the party signed or refused to sign), `hearing` (a hearing
/// right is told, or a hearing was held: 行政处罚法 Art. 63–65).
pub const CONDITIONS: &[&str] = &[
    "individual",
    "organization",
    "fine",
    "payment_qr",
    "signed",
    "refused",
    "hearing",
];

/// Which template set and version a township uses.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TemplateRef {
    /// The set id, e.g. `default`.
    pub set: String,
    /// The version within the set.
    pub version: u32,
}

impl Default for TemplateRef {
    fn default() -> Self {
        Self {
            set: "default".to_owned(),
            version: 1,
        }
    }
}

/// One document template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Template {
    /// Always [`TEMPLATE_FORMAT`].
    pub format: String,
    /// The template set id.
    pub set: String,
    /// The version within the set.
    pub version: u32,
    /// The document kind.
    pub kind: DocumentKind,
    /// The document title, e.g. `当场行政处罚决定书`.
    pub title: String,
    /// Print a citizen ID number masked (first 6 and last 4 kept).
    #[serde(default)]
    pub mask_id_number: bool,
    /// Fields that must always be present.
    pub mandatory: Vec<String>,
    /// Further mandatory fields under a condition (see [`CONDITIONS`]),
    /// e.g. `"fine": ["amount_capitals", …]`.
    #[serde(default)]
    pub mandatory_if: BTreeMap<String, Vec<String>>,
    /// The sections, in print order.
    pub sections: Vec<Section>,
    /// The model document set the template follows (e.g. `河南省政府法制办
    /// 2016《行政处罚文书格式范本》第20号`), for the reader of the file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// A line with `{field}` placeholders printed at the foot of every A4
    /// page, above the page number: the signatures a 笔录 carries on each
    /// page. Left out when a field it names is absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_footer: Option<String>,
}

/// One section of a template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Section {
    /// Printed before the text as `label：`.
    #[serde(default)]
    pub label: Option<String>,
    /// The text with `{field}` placeholders; `\n` breaks the line.
    #[serde(default)]
    pub text: String,
    /// Printed only under this condition (see [`CONDITIONS`]).
    #[serde(default)]
    pub when: Option<String>,
    /// What the section draws besides its text.
    #[serde(default)]
    pub block: Block,
    /// Text style.
    #[serde(default)]
    pub style: Style,
    /// Horizontal alignment.
    #[serde(default)]
    pub align: Align,
    /// Whose signature image a `signature` block draws.
    #[serde(default)]
    pub signer: Signer,
}

/// Whose signature a signature section draws beside its text.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Signer {
    /// The party's (or recipient's) signature.
    #[default]
    Party,
    /// The first officer's (行政处罚法 Art. 52: 执法人员签名).
    #[serde(rename = "officer_1")]
    Officer1,
    /// The second officer's.
    #[serde(rename = "officer_2")]
    Officer2,
}

/// What a section draws.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Block {
    /// Text only.
    #[default]
    Text,
    /// The text and, when signed, the signature image beside it.
    Signature,
    /// The verification QR and, when present, the payment QR.
    Qr,
}

/// Text style.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Style {
    /// The document title.
    Title,
    /// The authority line above the title.
    Heading,
    /// Body text.
    #[default]
    Body,
    /// Small print (hash lines, notes).
    Small,
}

/// Horizontal alignment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Align {
    /// Flush left.
    #[default]
    Left,
    /// Centred.
    Center,
    /// Flush right.
    Right,
}

/// A placeholder in section text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Piece<'a> {
    Literal(&'a str),
    Field(&'a str),
}

/// Splits `text` into literals and `{field}` placeholders.
pub(crate) fn pieces(text: &str) -> Result<Vec<Piece<'_>>, String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        if open > 0 {
            out.push(Piece::Literal(&rest[..open]));
        }
        let after = &rest[open + 1..];
        let close = after
            .find('}')
            .ok_or_else(|| format!("unclosed `{{` in {text:?}"))?;
        let name = &after[..close];
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            return Err(format!("bad placeholder {{{name}}} in {text:?}"));
        }
        out.push(Piece::Field(name));
        rest = &after[close + 1..];
    }
    if rest.contains('}') {
        return Err(format!("stray `}}` in {text:?}"));
    }
    if !rest.is_empty() {
        out.push(Piece::Literal(rest));
    }
    Ok(out)
}

/// The field names each document kind produces; templates may use no other.
pub fn known_fields(kind: DocumentKind) -> Vec<&'static str> {
    let own = super::normal::own_fields(kind);
    if own.is_empty() {
        return simple_fields(kind).to_vec();
    }
    let mut v = own.to_vec();
    v.extend_from_slice(PARTY_FIELDS);
    v.push("verification_hash");
    v
}

/// The party's fields, shared by every kind with a party.
const PARTY_FIELDS: &[&str] = &[
    "party_name",
    "party_sex",
    "party_birth_date",
    "party_id_kind",
    "party_id_number",
    "party_address",
    "party_phone",
    "party_uscc",
    "party_legal_representative",
    "party_representative_title",
    "party_signature",
];

/// The fields of the simple-procedure kinds.
fn simple_fields(kind: DocumentKind) -> &'static [&'static str] {
    const PARTY: [&str; 11] = [
        "party_name",
        "party_sex",
        "party_birth_date",
        "party_id_kind",
        "party_id_number",
        "party_address",
        "party_phone",
        "party_uscc",
        "party_legal_representative",
        "party_representative_title",
        "party_signature",
    ];
    macro_rules! with_party {
        ($($f:literal),* $(,)?) => {{
            const F: &[&str] = &[
                $($f,)*
                PARTY[0], PARTY[1], PARTY[2], PARTY[3], PARTY[4], PARTY[5],
                PARTY[6], PARTY[7], PARTY[8], PARTY[9], PARTY[10],
            ];
            F
        }};
    }
    match kind {
        DocumentKind::DecisionOnTheSpot => with_party!(
            "number",
            "authority",
            "violation_time",
            "violation_place",
            "facts",
            "evidence_summary",
            "violated_provisions",
            "penalty_provisions",
            "discretion",
            "statement",
            "penalty_kind",
            "amount_figures",
            "amount_capitals",
            "surcharge",
            "payment_method",
            "payment_code",
            "payment_due",
            "payment_deadline",
            "payment_qr",
            "remedy_clause",
            "place",
            "decided_at",
            "officer_1",
            "officer_2",
            "date",
            "verification_hash",
        ),
        DocumentKind::InspectionRecord => with_party!(
            "number",
            "authority",
            "cause",
            "inspection_time",
            "place",
            "officer_1",
            "officer_2",
            "recorder",
            "present_person",
            "witness",
            "credentials_shown",
            "findings",
            "evidence_list",
            "date",
            "verification_hash",
        ),
        DocumentKind::OrderToCorrect => with_party!(
            "number",
            "authority",
            "facts",
            "violated_provisions",
            "order_basis",
            "requirement",
            "deadline",
            "consequence",
            "follow_up",
            "officer_1",
            "officer_2",
            "date",
            "verification_hash",
        ),
        DocumentKind::NoPenaltyDecision => with_party!(
            "number",
            "document_ref",
            "authority",
            "violation_time",
            "violation_place",
            "facts",
            "evidence_summary",
            "violated_provisions",
            "ground",
            "ground_article",
            "article_text",
            "decision",
            "education",
            "guardian_order",
            "remedy_clause",
            "place",
            "decided_at",
            "officer_1",
            "officer_2",
            "date",
            "verification_hash",
        ),
        DocumentKind::ServiceReceipt => with_party!(
            "authority",
            "document_name",
            "document_number",
            "recipient",
            "place",
            "service_method",
            "received_at",
            "proxy",
            "officer_1",
            "officer_2",
            "remarks",
            "date",
            "verification_hash",
        ),
        _ => &[],
    }
}

impl Template {
    /// Parses and checks a template file: the format string, every
    /// placeholder and every mandatory name must be a field of its kind.
    pub fn from_json(json: &str) -> Result<Self, DocumentError> {
        let t: Template =
            serde_json::from_str(json).map_err(|e| DocumentError::TemplateInvalid {
                reason: e.to_string(),
            })?;
        t.check()?;
        Ok(t)
    }

    /// The built-in template of the default set, version 1.
    pub fn builtin(kind: DocumentKind) -> Result<Self, DocumentError> {
        let json = match kind {
            DocumentKind::DecisionOnTheSpot => {
                include_str!("../../../schema/templates/default/decision-on-the-spot.v1.json")
            }
            DocumentKind::InspectionRecord => {
                include_str!("../../../schema/templates/default/inspection-record.v1.json")
            }
            DocumentKind::OrderToCorrect => {
                include_str!("../../../schema/templates/default/order-to-correct.v1.json")
            }
            DocumentKind::ServiceReceipt => {
                include_str!("../../../schema/templates/default/service-receipt.v1.json")
            }
            DocumentKind::PenaltyDecision => {
                include_str!("../../../schema/templates/default/penalty-decision.v1.json")
            }
            DocumentKind::FilingApproval => {
                include_str!("../../../schema/templates/default/filing-approval.v1.json")
            }
            DocumentKind::InterviewRecord => {
                include_str!("../../../schema/templates/default/interview-record.v1.json")
            }
            DocumentKind::PreservationNotice => {
                include_str!("../../../schema/templates/default/preservation-notice.v1.json")
            }
            DocumentKind::PriorNotice => {
                include_str!("../../../schema/templates/default/prior-notice.v1.json")
            }
            DocumentKind::StatementRecord => {
                include_str!("../../../schema/templates/default/statement-record.v1.json")
            }
            DocumentKind::InvestigationReport => {
                include_str!("../../../schema/templates/default/investigation-report.v1.json")
            }
            DocumentKind::LegalReview => {
                include_str!("../../../schema/templates/default/legal-review.v1.json")
            }
            DocumentKind::CollectiveDiscussion => {
                include_str!("../../../schema/templates/default/collective-discussion.v1.json")
            }
            DocumentKind::ElectronicServiceConsent => {
                include_str!("../../../schema/templates/default/electronic-service-consent.v1.json")
            }
            DocumentKind::Reminder => {
                include_str!("../../../schema/templates/default/reminder.v1.json")
            }
            DocumentKind::ClosingApproval => {
                include_str!("../../../schema/templates/default/closing-approval.v1.json")
            }
            DocumentKind::CourtApplication => {
                include_str!("../../../schema/templates/default/court-application.v1.json")
            }
            DocumentKind::HearingNotice => {
                include_str!("../../../schema/templates/default/hearing-notice.v1.json")
            }
            DocumentKind::HearingRecord => {
                include_str!("../../../schema/templates/default/hearing-record.v1.json")
            }
            DocumentKind::HearingReport => {
                include_str!("../../../schema/templates/default/hearing-report.v1.json")
            }
            DocumentKind::NoPenaltyDecision => {
                include_str!("../../../schema/templates/default/no-penalty-decision.v1.json")
            }
        };
        Self::from_json(json)
    }

    /// The template's reference.
    pub fn reference(&self) -> TemplateRef {
        TemplateRef {
            set: self.set.clone(),
            version: self.version,
        }
    }

    fn check(&self) -> Result<(), DocumentError> {
        let invalid = |reason: String| DocumentError::TemplateInvalid { reason };
        if self.format != TEMPLATE_FORMAT {
            return Err(invalid(format!(
                "format is {:?}, expected {TEMPLATE_FORMAT:?}",
                self.format
            )));
        }
        let known = known_fields(self.kind);
        let unknown = |name: &str| DocumentError::TemplateUnknownField {
            field: name.to_owned(),
        };
        for (cond, names) in &self.mandatory_if {
            if !CONDITIONS.contains(&cond.as_str()) {
                return Err(invalid(format!("unknown condition {cond:?}")));
            }
            if let Some(name) = names.iter().find(|n| !known.contains(&n.as_str())) {
                return Err(unknown(name));
            }
        }
        if let Some(name) = self.mandatory.iter().find(|n| !known.contains(&n.as_str())) {
            return Err(unknown(name));
        }
        if let Some(footer) = &self.page_footer {
            for piece in pieces(footer).map_err(invalid)? {
                if let Piece::Field(name) = piece
                    && !known.contains(&name)
                {
                    return Err(unknown(name));
                }
            }
        }
        for s in &self.sections {
            if let Some(c) = &s.when
                && !CONDITIONS.contains(&c.as_str())
            {
                return Err(invalid(format!("unknown condition {c:?}")));
            }
            for piece in pieces(&s.text).map_err(invalid)? {
                if let Piece::Field(name) = piece
                    && !known.contains(&name)
                {
                    return Err(unknown(name));
                }
            }
        }
        Ok(())
    }

    /// The page footer filled from `fields`, or `None` when the template
    /// has none or a field it names is absent.
    pub(crate) fn fill_footer(&self, fields: &Fields) -> Option<String> {
        let footer = self.page_footer.as_deref()?;
        let mut out = String::new();
        for p in pieces(footer).ok()? {
            match p {
                Piece::Literal(l) => out.push_str(l),
                Piece::Field(name) => out.push_str(fields.get(name)?),
            }
        }
        Some(out)
    }

    /// The mandatory fields under the conditions that hold.
    pub fn mandatory_for(&self, conditions: &[&str]) -> Vec<&str> {
        let mut v: Vec<&str> = self.mandatory.iter().map(String::as_str).collect();
        for (cond, names) in &self.mandatory_if {
            if conditions.contains(&cond.as_str()) {
                v.extend(names.iter().map(String::as_str));
            }
        }
        v
    }

    /// Fills the template: the sections to print with their text, or the
    /// first mandatory field that is absent.
    pub(crate) fn fill<'t>(
        &'t self,
        fields: &Fields,
        conditions: &[&str],
    ) -> Result<Vec<(&'t Section, String)>, DocumentError> {
        let mandatory = self.mandatory_for(conditions);
        if let Some(m) = mandatory.iter().find(|m| !fields.contains_key(**m)) {
            return Err(DocumentError::MissingField {
                field: (*m).to_owned(),
            });
        }
        let mut out = Vec::new();
        'sections: for s in &self.sections {
            if let Some(c) = &s.when
                && !conditions.contains(&c.as_str())
            {
                continue;
            }
            let mut text = String::new();
            if let Some(l) = &s.label {
                text.push_str(l);
                text.push('：');
            }
            let pieces =
                pieces(&s.text).map_err(|reason| DocumentError::TemplateInvalid { reason })?;
            for p in pieces {
                match p {
                    Piece::Literal(l) => text.push_str(l),
                    Piece::Field(name) => match fields.get(name) {
                        Some(v) => text.push_str(v),
                        None => continue 'sections,
                    },
                }
            }
            out.push((s, text));
        }
        Ok(out)
    }
}

/// The templates a device holds, looked up by set, version and kind.
#[derive(Debug, Clone, Default)]
pub struct TemplateLibrary {
    templates: Vec<Template>,
}

impl TemplateLibrary {
    /// A library holding the built-in default set.
    pub fn builtin() -> Result<Self, DocumentError> {
        let templates = DocumentKind::ALL
            .into_iter()
            .map(Template::builtin)
            .collect::<Result<_, _>>()?;
        Ok(Self { templates })
    }

    /// Adds (or replaces) a template.
    pub fn insert(&mut self, t: Template) {
        self.templates
            .retain(|x| !(x.set == t.set && x.version == t.version && x.kind == t.kind));
        self.templates.push(t);
    }

    /// The template a township's [`TemplateRef`] selects for a kind.
    pub fn get(&self, r: &TemplateRef, kind: DocumentKind) -> Result<&Template, DocumentError> {
        self.templates
            .iter()
            .find(|t| t.set == r.set && t.version == r.version && t.kind == kind)
            .ok_or_else(|| DocumentError::TemplateNotFound {
                set: r.set.clone(),
                version: r.version,
                kind: kind.file_stem(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_placeholders() {
        assert_eq!(
            pieces("甲{a_1}乙{b}").unwrap(),
            vec![
                Piece::Literal("甲"),
                Piece::Field("a_1"),
                Piece::Literal("乙"),
                Piece::Field("b")
            ]
        );
        assert!(pieces("{open").is_err());
        assert!(pieces("close}").is_err());
        assert!(pieces("{Bad}").is_err());
    }

    #[test]
    fn every_builtin_template_parses() {
        let lib = TemplateLibrary::builtin().unwrap();
        for kind in DocumentKind::ALL {
            let t = lib.get(&TemplateRef::default(), kind).unwrap();
            assert_eq!(t.kind, kind);
        }
        let missing = lib.get(
            &TemplateRef {
                set: "default".into(),
                version: 9,
            },
            DocumentKind::ServiceReceipt,
        );
        assert!(matches!(
            missing,
            Err(DocumentError::TemplateNotFound { version: 9, .. })
        ));
    }

    #[test]
    fn a_typo_in_a_placeholder_is_refused() {
        let mut t = Template::builtin(DocumentKind::ServiceReceipt).unwrap();
        t.sections[0].text = "{recipeint}".into();
        let json = serde_json::to_string(&t).unwrap();
        assert!(matches!(
            Template::from_json(&json),
            Err(DocumentError::TemplateUnknownField { field }) if field == "recipeint"
        ));
    }
}
