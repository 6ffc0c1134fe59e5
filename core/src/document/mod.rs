//! Enforcement documents: 当场行政处罚决定书, 现场检查（勘验）笔录,
//! 责令（限期）改正通知书, 送达回证 and 不予行政处罚决定书 ([`no_penalty`]); the normal procedure's documents
//! ([`normal`]: 行政处罚决定书, 立案审批表, 询问笔录 …), and the archived
//! case file as one PDF ([`dossier`]: cover, 目录, the documents, evidence,
//! timeline).
//!
//! A document is typed data ([`model`]) flattened into named text fields,
//! laid out by a template that is data, not code ([`template`], files under
//! `schema/templates/`), and drawn with the bundled CJK font ([`fonts`]).
//! Amounts are printed in figures and in Chinese capitals ([`capitals`]);
//! QR codes ([`qr`]) carry the payment link and the verification payload;
//! [`render`] lays it all out and writes the PDF ([`render_pdf`]).
//! Nothing here decides anything: the rules engine computed every deadline
//! and clause, the case supplied the number.

pub mod capitals;
pub mod dossier;
pub mod escpos;
pub mod fonts;
pub mod model;
pub mod no_penalty;
pub mod normal;
mod printable;
pub mod qr;
pub mod render;
pub mod template;

pub use dossier::{Dossier, RenderedDossier, render_dossier};
pub use escpos::{Roll, Ticket, TicketOptions, render_escpos};
pub use render::{
    Paper, RenderOptions, RenderedDocument, document_hash, render_pdf, verification_content,
    verification_payload, verification_url,
};

use crate::ErrorCode;

/// Errors while preparing or rendering a document.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DocumentError {
    /// A field the template (or the law) requires has no value.
    #[error("文书缺少必填项: {field}")]
    MissingField {
        /// The field name, e.g. `party_name`.
        field: String,
    },
    /// A character of a field cannot be drawn by any font of the set.
    #[error("字段 {field} 中的字符 “{ch}” (U+{code:04X}) 无可用字体, 请添加后备字体")]
    MissingGlyph {
        /// The field name.
        field: String,
        /// The character.
        ch: char,
        /// Its code point.
        code: u32,
    },
    /// A font file could not be read.
    #[error("字体无法读取: {reason}")]
    Font {
        /// Why.
        reason: String,
    },
    /// A QR code could not be made (content too long for a QR code).
    #[error("二维码无法生成: {reason}")]
    Qr {
        /// Why.
        reason: String,
    },
    /// A template file is malformed.
    #[error("文书模板无效: {reason}")]
    TemplateInvalid {
        /// Why.
        reason: String,
    },
    /// A template refers to a field this document kind does not have.
    #[error("文书模板引用了未知字段: {field}")]
    TemplateUnknownField {
        /// The unknown field.
        field: String,
    },
    /// No template of this set, version and kind exists.
    #[error("找不到文书模板: {set} v{version} {kind}")]
    TemplateNotFound {
        /// The set id.
        set: String,
        /// The version.
        version: u32,
        /// The kind's file stem.
        kind: &'static str,
    },
    /// The PDF writer or an embedded image failed.
    #[error("文书生成失败: {reason}")]
    Render {
        /// Why.
        reason: String,
    },
}

impl ErrorCode for DocumentError {
    fn code(&self) -> &'static str {
        match self {
            Self::MissingField { .. } => "DOC_MISSING_FIELD",
            Self::MissingGlyph { .. } => "DOC_MISSING_GLYPH",
            Self::Font { .. } => "DOC_FONT",
            Self::Qr { .. } => "DOC_QR",
            Self::TemplateInvalid { .. } => "DOC_TEMPLATE_INVALID",
            Self::TemplateUnknownField { .. } => "DOC_TEMPLATE_UNKNOWN_FIELD",
            Self::TemplateNotFound { .. } => "DOC_TEMPLATE_NOT_FOUND",
            Self::Render { .. } => "DOC_RENDER",
        }
    }
}

/// The canonical JSON of a document's fields: sorted keys (a
/// [`model::Fields`] is a `BTreeMap`), no whitespace. Its SHA-256 is the
/// document hash printed in the verification QR, so that a printed copy can
/// be checked against the record.
pub fn canonical_field_json(fields: &model::Fields) -> String {
    // A BTreeMap<String, String> always serialises; the fallback is unreachable.
    serde_json::to_string(fields).unwrap_or_default()
}
