//! The ESC/POS renderer: a filled template as the byte stream a 58 mm or
//! 80 mm Bluetooth thermal printer prints on the spot (issue 19).
//!
//! The same record and template as the PDF ([`super::render`]): the same
//! fields, the same document hash and verification payload, the same
//! sections in the same order, so the paper in the party's hand and the
//! sealed PDF in the record say the same thing. What differs is the
//! medium:
//!
//! - text goes out in GB 18030 in the printer's Chinese mode (`FS &`), where
//!   every double-byte character is one full-width cell; a character outside
//!   the double-byte (GBK) part has no glyph in a thermal printer's font and
//!   fails with [`DocumentError::MissingGlyph`] naming the field — never a
//!   box or a question mark on a legal document;
//! - lines are wrapped to the roll's columns (32 on 58 mm, 48 on 80 mm,
//!   font A) with the PDF's line-breaking rules ([`super::render::wrap`]);
//! - the title prints bold at double height (and double width where the
//!   roll has room), headings bold;
//! - the payment QR and the verification QR print as the printer's own QR
//!   command (`GS ( k`, model 2, level M), each with its caption;
//! - a signature section prints its text (a captured signature is named as
//!   kept with the case — the ticket prints no image) and a line to sign
//!   the paper by hand; an officer's line signed on the terminal (行政处罚法
//!   Art. 52) says so and needs no line;
//! - the stream ends with a feed and a partial cut.
//!
//! The [escpos](https://crates.io/crates/escpos) crate writes the command
//! set into a buffer ([`Capture`]); sending the bytes is the app shell's
//! job (Bluetooth on mobile), behind a transport seam in the command layer.
//! The output is deterministic: the same record gives the same bytes.

use std::cell::RefCell;
use std::rc::Rc;

use escpos::driver::Driver;
use escpos::printer::Printer;
use escpos::utils::{
    Encoder, JustifyMode, Protocol, QRCodeCorrectionLevel, QRCodeModel, QRCodeOption,
};

use super::DocumentError;
use super::model::{DocumentData, Fields, PartySignature, datetime_zh};
use super::render::{
    PAYMENT_QR_CAPTION, VERIFICATION_QR_CAPTION, document_hash, verification_content, wrap,
};
use super::template::{Align, Block, Signer, Style, Template};

/// `FS &`: select the Chinese character mode (double-byte GB codes).
const CHINESE_MODE: &[u8] = &[0x1c, 0x26];

/// The roll a ticket prints on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Roll {
    /// 58 mm paper, 48 mm printable: 32 half-width columns of font A.
    Mm58,
    /// 80 mm paper, 72 mm printable: 48 half-width columns of font A.
    Mm80,
}

impl Roll {
    /// Half-width columns per line (font A, 12 × 24 dots).
    pub fn columns(self) -> usize {
        match self {
            Self::Mm58 => 32,
            Self::Mm80 => 48,
        }
    }

    /// The QR module size in dots: the verification QR (about 41 modules
    /// with its margin) fills about half the printable width.
    fn qr_module_dots(self) -> u8 {
        match self {
            Self::Mm58 => 5,
            Self::Mm80 => 7,
        }
    }
}

/// How to print a ticket.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TicketOptions {
    /// The roll.
    pub roll: Roll,
    /// Whether a citizen ID number is printed masked; `None` follows the
    /// template's `mask_id_number`.
    pub mask_id: Option<bool>,
    /// The centre's public base URL: when set, the verification QR is the
    /// link to its page for the document, as on the PDF
    /// ([`super::render::RenderOptions::verification_base`]).
    pub verification_base: Option<String>,
}

/// A ticket ready for the printer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ticket {
    /// The ESC/POS byte stream.
    pub bytes: Vec<u8>,
    /// The document hash, as the PDF of the same record carries it.
    pub document_hash: String,
    /// The verification QR's content.
    pub verification_payload: String,
}

/// A driver that keeps what the printer would have been sent.
#[derive(Clone, Default)]
pub struct Capture(Rc<RefCell<Vec<u8>>>);

impl Capture {
    /// The bytes written so far.
    pub fn bytes(&self) -> Vec<u8> {
        self.0.borrow().clone()
    }
}

impl Driver for Capture {
    fn name(&self) -> String {
        "capture".to_owned()
    }

    fn write(&self, data: &[u8]) -> escpos::errors::Result<()> {
        self.0.borrow_mut().extend_from_slice(data);
        Ok(())
    }

    fn read(&self, _buf: &mut [u8]) -> escpos::errors::Result<usize> {
        Ok(0)
    }

    fn flush(&self) -> escpos::errors::Result<()> {
        Ok(())
    }
}

/// The half-width columns a character takes in Chinese mode: ASCII one,
/// every double-byte character two.
fn columns_of(c: char) -> f32 {
    if c.is_ascii() { 1.0 } else { 2.0 }
}

/// Checks that every character of `text` prints on a thermal printer: ASCII
/// or a double-byte GB 18030 code (the GBK part its font covers). Control
/// characters but the line break are turned into spaces by [`clean`] first.
fn check_printable(field: &str, text: &str) -> Result<(), DocumentError> {
    for ch in text.chars() {
        if ch.is_ascii() {
            continue;
        }
        let mut buf = [0u8; 4];
        let (bytes, _, unmappable) = encoding_rs::GB18030.encode(ch.encode_utf8(&mut buf));
        if unmappable || bytes.len() != 2 {
            return Err(DocumentError::MissingGlyph {
                field: field.to_owned(),
                ch,
                code: u32::from(ch),
            });
        }
    }
    Ok(())
}

/// Line breaks kept, other control characters and tabs become spaces; the
/// half-width yen sign `¥` (four bytes in GB 18030, no glyph in a GBK
/// font) prints as the full-width `￥` every GB font has.
fn clean(text: &str) -> String {
    text.replace("\r\n", "\n")
        .chars()
        .map(|c| match c {
            '¥' => '￥',
            c if c != '\n' && c.is_control() => ' ',
            c => c,
        })
        .collect()
}

fn printer_error(e: escpos::errors::PrinterError) -> DocumentError {
    DocumentError::Render {
        reason: format!("热敏打印指令生成失败: {e}"),
    }
}

/// Renders `data` with `template` as an ESC/POS ticket.
///
/// Errors: as [`super::render_pdf`] — [`DocumentError::MissingGlyph`] for a
/// character a thermal printer's font lacks, [`DocumentError::MissingField`],
/// [`DocumentError::TemplateInvalid`] — and [`DocumentError::Render`] when a
/// QR content is too long for the printer's QR command.
pub fn render_escpos(
    data: &DocumentData,
    template: &Template,
    opts: &TicketOptions,
) -> Result<Ticket, DocumentError> {
    if template.kind != data.kind() {
        return Err(DocumentError::TemplateInvalid {
            reason: format!(
                "template is for {:?}, document is {:?}",
                template.kind,
                data.kind()
            ),
        });
    }
    let hash = document_hash(data);
    let payload = verification_content(opts.verification_base.as_deref(), data.number(), &hash);
    let mut fields: Fields = data.fields(opts.mask_id.unwrap_or(template.mask_id_number));
    fields.insert("verification_hash".to_owned(), hash.clone());
    // The PDF draws a captured signature beside its line ("签名见右"); the
    // ticket has no image, so the line says where the signature is kept.
    // (The document hash above covers the record's own text.)
    if let Some(PartySignature::Signed {
        name, signed_at, ..
    }) = data.signature()
    {
        fields.insert(
            "party_signature".to_owned(),
            format!(
                "{name}（已在执法终端签名，签名图像随案存档） {}",
                datetime_zh(*signed_at)
            ),
        );
    }
    // An officer's applied signature (行政处罚法 Art. 52) is named on the
    // officer's line the same way.
    for (i, o) in data.officers().iter().enumerate() {
        if let (Some(sig), Some(line)) =
            (&o.signature, fields.get_mut(&format!("officer_{}", i + 1)))
        {
            line.push_str(&format!(
                "（已在执法终端签名 {}）",
                datetime_zh(sig.signed_at)
            ));
        }
    }
    for (name, value) in fields.iter_mut() {
        *value = clean(value);
        check_printable(name, value)?;
    }
    let conditions = data.conditions();
    let sections = template.fill(&fields, &conditions)?;
    for (i, (section, text)) in sections.iter().enumerate() {
        if let Some(l) = &section.label {
            check_printable(&format!("template:{i}"), l)?;
        }
        check_printable(&format!("template:{i}"), &clean(text))?;
    }

    let capture = Capture::default();
    let mut p = Printer::new(
        capture.clone(),
        Protocol::new(Encoder::new(encoding_rs::GB18030)),
        None,
    );
    p.init().map_err(printer_error)?;
    p.custom(CHINESE_MODE).map_err(printer_error)?;
    let width = opts.roll.columns() as f32;
    let mut qr_done = false;
    for (section, text) in &sections {
        // `fill` gives the section's whole text, its `label：` included.
        let full = clean(text);
        let justify = match section.align {
            Align::Left => JustifyMode::LEFT,
            Align::Center => JustifyMode::CENTER,
            Align::Right => JustifyMode::RIGHT,
        };
        p.justify(justify).map_err(printer_error)?;
        // The title at double height, double width on the 80 mm roll only
        // (a nine-character title at double width needs 36 columns).
        let (w, h, bold) = match (section.style, opts.roll) {
            (Style::Title, Roll::Mm80) => (2u8, 2u8, true),
            (Style::Title, Roll::Mm58) => (1, 2, true),
            (Style::Heading, _) => (1, 1, true),
            (Style::Body | Style::Small, _) => (1, 1, false),
        };
        p.size(w, h).map_err(printer_error)?;
        p.bold(bold).map_err(printer_error)?;
        // Double-width text takes twice the columns.
        for line in wrap(&full, width / f32::from(w), &columns_of) {
            p.writeln(&line).map_err(printer_error)?;
        }
        p.reset_size().map_err(printer_error)?;
        p.bold(false).map_err(printer_error)?;
        match section.block {
            Block::Text => {}
            // An officer who signed on the terminal needs no line.
            Block::Signature
                if section.signer != Signer::Party
                    && data.signature_png(section.signer).is_some() => {}
            Block::Signature => {
                // Room to sign the paper copy by hand.
                p.justify(JustifyMode::LEFT).map_err(printer_error)?;
                p.feed().map_err(printer_error)?;
                p.writeln(&"_".repeat(opts.roll.columns()))
                    .map_err(printer_error)?;
            }
            Block::Qr => {
                qr(&mut p, data, &payload, opts.roll)?;
                qr_done = true;
            }
        }
        if section.style == Style::Title {
            p.feed().map_err(printer_error)?;
        }
    }
    if !qr_done {
        qr(&mut p, data, &payload, opts.roll)?;
    }
    p.justify(JustifyMode::LEFT).map_err(printer_error)?;
    p.feeds(3).map_err(printer_error)?;
    p.print_cut().map_err(printer_error)?;
    Ok(Ticket {
        bytes: capture.bytes(),
        document_hash: hash,
        verification_payload: payload,
    })
}

/// The payment QR (when the document has one) and the verification QR,
/// centred, each with its caption.
fn qr<D: Driver>(
    p: &mut Printer<D>,
    data: &DocumentData,
    payload: &str,
    roll: Roll,
) -> Result<(), DocumentError> {
    let option = || {
        QRCodeOption::new(
            QRCodeModel::Model2,
            roll.qr_module_dots(),
            QRCodeCorrectionLevel::M,
        )
    };
    p.justify(JustifyMode::CENTER).map_err(printer_error)?;
    let mut codes: Vec<(&str, &str)> = Vec::new();
    if let Some(pay) = data.payment_qr() {
        codes.push((pay, PAYMENT_QR_CAPTION));
    }
    codes.push((payload, VERIFICATION_QR_CAPTION));
    for (content, caption) in codes {
        p.qrcode_option(content, option()).map_err(printer_error)?;
        p.writeln(caption).map_err(printer_error)?;
    }
    p.justify(JustifyMode::LEFT).map_err(printer_error)?;
    Ok(())
}
