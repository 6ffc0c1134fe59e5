//! The PDF renderer: a filled template laid out on A4 paper or on an 80 mm
//! thermal receipt, drawn with the bundled CJK font through krilla.
//!
//! [`render_pdf`] works in four steps. (1) It flattens the document into
//! its named fields ([`DocumentData::fields`]), adds `verification_hash`
//! (the [document hash](document_hash)) and checks that every character of
//! every field and every template literal has a glyph in the [`FontSet`]:
//! a rare character fails with [`DocumentError::MissingGlyph`] naming the
//! field, it is never printed as a box. (2) [`Template::fill`] gives the
//! sections to print, or [`DocumentError::MissingField`]. (3) The layout
//! wraps each section by measured glyph advances ([`wrap`]: a line may break
//! between any two CJK characters, not inside a Latin word or a number
//! unless the word is wider than the line, and closing punctuation such as
//! `，。、）` never starts a line), puts two consecutive short one-line
//! sections (e.g. 当事人 and 性别) side by side in two columns, places the
//! party's signature image beside the signature text and the QR codes
//! beside the verification text (under it on a receipt), and breaks pages: A4 pages carry “第 N 页 共 M 页”; a thermal receipt is one
//! page whose height grows with the content. (4) krilla draws it, embedding
//! only the glyphs used.
//!
//! The verification QR carries [`verification_payload`]:
//! `ZHIFA-DOC:1:<number>:<document hash hex>`, where the document hash is
//! the lower-case hex SHA-256 of [`canonical_field_json`] of the
//! **unmasked** fields (so a masked print and an unmasked one of the same
//! record verify alike). The hash covers the text fields, including the
//! signature line (`party_signature`), but not the signature image bytes.
//! A document without a number (an unnumbered inspection record) has an
//! empty number part: `ZHIFA-DOC:1::<hash>`. When the options name the
//! centre's public address ([`RenderOptions::verification_base`]), the QR
//! is a link a citizen's phone opens instead, [`verification_url`]:
//! `<base>/d/<DOCUMENT HASH HEX>` (the centre's public verification page;
//! upper-case hex packs tighter in a QR); the printed hash under it stays
//! the same.
//!
//! The output is deterministic: no creation date is written (this crate
//! never reads the clock), so the same data gives the same bytes.

use krilla::Document;
use krilla::geom::{PathBuilder, Point, Rect, Size, Transform};
use krilla::image::Image;
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::paint::Fill;
use krilla::text::TextDirection;
use sha2::{Digest, Sha256};

use super::fonts::{FontSet, Metrics};
use super::model::{DocumentData, Fields};
use super::qr::QrMatrix;
use super::template::{Align, Block, Signer, Style, Template};
use super::{DocumentError, canonical_field_json};

/// The prefix of every verification payload; `1` is the payload format
/// version.
pub const VERIFICATION_PREFIX: &str = "ZHIFA-DOC:1:";

/// The caption under the payment QR.
pub const PAYMENT_QR_CAPTION: &str = "扫码缴纳罚款";

/// The caption under the verification QR.
pub const VERIFICATION_QR_CAPTION: &str = "扫码核验文书";

/// Points per millimetre.
const MM: f32 = 72.0 / 25.4;

/// krilla's (and PDF's) largest page side, in points (200 inches).
const MAX_PAGE_SIDE: f32 = 14_400.0;

/// The paper a document is printed on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Paper {
    /// ISO A4 (210 × 297 mm), paginated, with page numbers.
    #[default]
    A4,
    /// An 80 mm thermal receipt roll: 72 mm printable width, one page whose
    /// height grows with the content (a content longer than a PDF page can
    /// be, 200 inches, continues on a second page).
    Thermal80mm,
}

/// How to render a document.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct RenderOptions {
    /// The paper.
    pub paper: Paper,
    /// Whether a citizen ID number is printed masked (first 6 and last 4
    /// characters kept, see [`super::model::mask_id_number`]); `None`
    /// follows the template's `mask_id_number`.
    pub mask_id: Option<bool>,
    /// The centre's public base URL (e.g. `https://zhifa.example.cn`):
    /// when set, the verification QR is the link [`verification_url`] to
    /// the centre's page for this document; `None` keeps the text payload
    /// [`verification_payload`] (a device not enrolled with a centre).
    pub verification_base: Option<String>,
}

/// A rendered document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedDocument {
    /// The PDF file.
    pub pdf: Vec<u8>,
    /// The document hash: lower-case hex SHA-256 of the canonical JSON of
    /// the unmasked fields (see [`document_hash`]).
    pub document_hash: String,
    /// The content of the verification QR ([`verification_payload`], or
    /// the link [`verification_url`] when the options name a base URL).
    pub verification_payload: String,
    /// The number of pages.
    pub page_count: usize,
}

/// The document hash: the lower-case hex SHA-256 of
/// [`canonical_field_json`] of the document's fields with the ID number
/// **unmasked** (`data.fields(false)`). It does not depend on the paper, on
/// masking or on the template, only on the record's content.
pub fn document_hash(data: &DocumentData) -> String {
    let json = canonical_field_json(&data.fields(false));
    hex::encode(Sha256::digest(json.as_bytes()))
}

/// The verification QR payload: `ZHIFA-DOC:1:<number>:<hash>`, with an
/// empty number for a document that has none.
pub fn verification_payload(number: Option<&str>, document_hash: &str) -> String {
    format!(
        "{VERIFICATION_PREFIX}{}:{document_hash}",
        number.unwrap_or("")
    )
}

/// The verification link: `<base>/d/<DOCUMENT HASH>`, the centre's public
/// page for the document (a trailing `/` of `base` is dropped). The hash
/// is written in upper-case hex, which the QR's alphanumeric mode packs
/// tighter than bytes (a typical link: 37 modules a side instead of 41,
/// so it still scans when printed small); the page takes either case.
pub fn verification_url(base: &str, document_hash: &str) -> String {
    format!(
        "{}/d/{}",
        base.trim_end_matches('/'),
        document_hash.to_ascii_uppercase()
    )
}

/// The content of the verification QR: the link under the centre's base
/// URL when there is one, the text payload otherwise.
pub fn verification_content(
    base: Option<&str>,
    number: Option<&str>,
    document_hash: &str,
) -> String {
    match base.map(str::trim) {
        Some(base) if !base.is_empty() => verification_url(base, document_hash),
        _ => verification_payload(number, document_hash),
    }
}

/// Renders `data` with `template` into a PDF.
///
/// Errors: [`DocumentError::MissingGlyph`] when a field (or a template
/// literal, named `template:<section index>`) has a character no font of
/// `fonts` can draw; [`DocumentError::MissingField`] when a mandatory
/// field is absent; [`DocumentError::TemplateInvalid`] when the template is
/// for another kind; [`DocumentError::Qr`] when a QR content is too long;
/// [`DocumentError::Render`] when the signature image is not a PNG or the
/// PDF writer fails.
pub fn render_pdf(
    data: &DocumentData,
    template: &Template,
    fonts: &FontSet,
    opts: &RenderOptions,
) -> Result<RenderedDocument, DocumentError> {
    if template.kind != data.kind() {
        return Err(DocumentError::TemplateInvalid {
            reason: format!(
                "template is for {:?}, document is {:?}",
                template.kind,
                data.kind()
            ),
        });
    }
    let metrics = fonts.metrics();
    let hash = document_hash(data);
    let payload = verification_content(opts.verification_base.as_deref(), data.number(), &hash);

    let mut fields: Fields = data.fields(opts.mask_id.unwrap_or(template.mask_id_number));
    fields.insert("verification_hash".to_owned(), hash.clone());
    for (name, value) in &fields {
        check_glyphs(fonts, name, value)?;
    }
    let conditions = data.conditions();
    let sections = template.fill(&fields, &conditions)?;
    for (i, (section, _)) in sections.iter().enumerate() {
        // The field values were checked above; this catches template literals.
        if let Some(l) = &section.label {
            check_glyphs(fonts, &format!("template:{i}"), l)?;
        }
        check_glyphs(fonts, &format!("template:{i}"), &section.text)?;
    }

    let mut qrs = Vec::new();
    if let Some(content) = data.payment_qr() {
        qrs.push((QrMatrix::encode(content)?, PAYMENT_QR_CAPTION));
    }
    qrs.push((QrMatrix::encode(&payload)?, VERIFICATION_QR_CAPTION));

    // One image per signer a signature section names: the party's and,
    // once applied, each officer's (行政处罚法 Art. 52).
    let mut signatures: Vec<(Signer, Image)> = Vec::new();
    for signer in sections
        .iter()
        .filter(|(s, _)| s.block == Block::Signature)
        .map(|(s, _)| s.signer)
    {
        if signatures.iter().any(|(s, _)| *s == signer) {
            continue;
        }
        if let Some(png) = data.signature_png(signer) {
            let img =
                Image::from_png(png.to_vec().into(), true).map_err(|e| DocumentError::Render {
                    reason: format!("签名图片无效: {e}"),
                })?;
            signatures.push((signer, img));
        }
    }
    let signature_px = |signer: Signer| {
        signatures
            .iter()
            .find(|(s, _)| *s == signer)
            .map(|(_, i)| i.size())
    };

    let geometry = Geometry::for_paper(opts.paper);
    let mut layout = Layouter::new(&geometry, &metrics);
    let mut qr_drawn = false;
    let texts: Vec<String> = sections
        .iter()
        .map(|(_, t)| normalize(t, &metrics))
        .collect();
    let mut i = 0;
    while let Some(((section, _), text)) = sections.get(i).zip(texts.get(i)) {
        let pairable = |j: usize| {
            sections
                .get(j)
                .zip(texts.get(j))
                .is_some_and(|((s, _), t)| layout.pairable(t, s.style, s.align, s.block))
        };
        if pairable(i) && pairable(i + 1) {
            if let Some(right) = texts.get(i + 1) {
                layout.pair(text, right);
            }
            i += 2;
            continue;
        }
        match section.block {
            Block::Text => layout.paragraph(text, section.style, section.align),
            Block::Signature => layout.signature(
                text,
                section.style,
                section.signer,
                signature_px(section.signer),
            ),
            Block::Qr => {
                layout.qr_block(text, section.style, section.align, &qrs);
                qr_drawn = true;
            }
        }
        if section.style == Style::Title {
            layout.space(geometry.body * 0.6);
        }
        i += 1;
    }
    if !qr_drawn {
        layout.qr_block("", Style::Small, Align::Left, &qrs);
    }
    let pages = layout.finish();

    let title = match data.number() {
        Some(n) => format!("{} {n}", template.title),
        None => template.title.clone(),
    };
    // The per-page signature line of a 笔录 (A4 only: a receipt is one page).
    let footer = match opts.paper {
        Paper::A4 => template.fill_footer(&fields),
        Paper::Thermal80mm => None,
    };
    if let Some(text) = &footer {
        check_glyphs(fonts, "template:page_footer", text)?;
    }
    let pdf = draw(
        &pages,
        &geometry,
        fonts,
        &metrics,
        &qrs,
        &signatures,
        &title,
        footer.as_deref(),
    )?;
    Ok(RenderedDocument {
        pdf,
        document_hash: hash,
        verification_payload: payload,
        page_count: pages.len(),
    })
}

fn check_glyphs(fonts: &FontSet, field: &str, text: &str) -> Result<(), DocumentError> {
    match fonts.first_missing(text) {
        Some(ch) => Err(DocumentError::MissingGlyph {
            field: field.to_owned(),
            ch,
            code: u32::from(ch),
        }),
        None => Ok(()),
    }
}

/// Replaces what must not reach the PDF as a glyph: `\r\n` and `\r` become
/// `\n`, other control characters and white space the font lacks become a
/// plain space (the font check skips white space and controls, so they are
/// the only characters without a glyph that can get here).
fn normalize(text: &str, metrics: &Metrics<'_>) -> String {
    text.replace("\r\n", "\n")
        .chars()
        .map(|c| match c {
            '\n' => '\n',
            '\r' => '\n',
            c if c.is_control() => ' ',
            c if c.is_whitespace() && metrics.face_for(c).is_none() => ' ',
            c => c,
        })
        .collect()
}

/// Sizes and margins of one paper, in points.
#[derive(Debug, Clone)]
struct Geometry {
    page_width: f32,
    /// `None`: the page grows with the content (a receipt).
    page_height: Option<f32>,
    margin_x: f32,
    margin_top: f32,
    margin_bottom: f32,
    /// Baseline of “第 N 页 共 M 页”, from the page bottom; `None`: no footer.
    footer_from_bottom: Option<f32>,
    title: f32,
    heading: f32,
    body: f32,
    small: f32,
    /// The box the signature image is fitted into (width, height).
    signature_box: (f32, f32),
    /// The side of a QR code including its 4-module quiet zone.
    qr_side: f32,
}

impl Geometry {
    fn for_paper(paper: Paper) -> Self {
        match paper {
            Paper::A4 => Self {
                page_width: 210.0 * MM,
                page_height: Some(297.0 * MM),
                margin_x: 18.0 * MM,
                margin_top: 15.0 * MM,
                margin_bottom: 18.0 * MM,
                footer_from_bottom: Some(10.0 * MM),
                title: 18.0,
                heading: 14.0,
                body: 10.5,
                small: 7.5,
                signature_box: (36.0 * MM, 13.0 * MM),
                qr_side: 32.0 * MM,
            },
            Paper::Thermal80mm => Self {
                page_width: 80.0 * MM,
                page_height: None,
                margin_x: 4.0 * MM,
                margin_top: 4.0 * MM,
                margin_bottom: 8.0 * MM,
                footer_from_bottom: None,
                title: 13.0,
                heading: 10.0,
                body: 8.5,
                small: 6.5,
                signature_box: (24.0 * MM, 12.0 * MM),
                qr_side: 32.0 * MM,
            },
        }
    }

    fn content_width(&self) -> f32 {
        self.page_width - 2.0 * self.margin_x
    }

    fn size(&self, style: Style) -> f32 {
        match style {
            Style::Title => self.title,
            Style::Heading => self.heading,
            Style::Body => self.body,
            Style::Small => self.small,
        }
    }

    /// The lowest y content may reach on a page.
    fn content_bottom(&self) -> f32 {
        self.page_height.unwrap_or(MAX_PAGE_SIDE) - self.margin_bottom
    }
}

/// Line height for a font size.
fn line_height(size: f32) -> f32 {
    size * 1.45
}

/// Space after a section, for its font size.
fn section_gap(size: f32) -> f32 {
    size * 0.2
}

/// One thing drawn on a page; y grows downwards from the page top.
#[derive(Debug, Clone, PartialEq)]
enum Item {
    Text {
        x: f32,
        baseline: f32,
        size: f32,
        text: String,
    },
    Signature {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        signer: Signer,
    },
    Qr {
        x: f32,
        y: f32,
        side: f32,
        index: usize,
    },
}

#[derive(Debug, Clone, Default)]
struct PageLayout {
    items: Vec<Item>,
    /// The page height (for a growing page, the used height).
    height: f32,
}

struct Layouter<'a, 'f> {
    g: &'a Geometry,
    metrics: &'a Metrics<'f>,
    done: Vec<PageLayout>,
    items: Vec<Item>,
    y: f32,
}

impl<'a, 'f> Layouter<'a, 'f> {
    fn new(g: &'a Geometry, metrics: &'a Metrics<'f>) -> Self {
        Self {
            g,
            metrics,
            done: Vec::new(),
            items: Vec::new(),
            y: g.margin_top,
        }
    }

    fn width_of(&self, text: &str, size: f32) -> f32 {
        text.chars()
            .fold(0.0, |w, c| w + self.metrics.advance_em(c) * size)
    }

    fn lines(&self, text: &str, size: f32, width: f32) -> Vec<String> {
        wrap(text, width, &|c| self.metrics.advance_em(c) * size)
    }

    fn new_page(&mut self) {
        let height = self.g.page_height.unwrap_or(self.y + self.g.margin_bottom);
        self.done.push(PageLayout {
            items: std::mem::take(&mut self.items),
            height,
        });
        self.y = self.g.margin_top;
    }

    /// Starts a new page unless `h` fits below the current position (a block
    /// taller than a whole page starts at the top of one and overflows).
    fn ensure(&mut self, h: f32) {
        if self.y + h > self.g.content_bottom() && !self.items.is_empty() {
            self.new_page();
        }
    }

    fn space(&mut self, h: f32) {
        self.y += h;
    }

    fn text_line(&mut self, line: String, x: f32, size: f32) {
        let lh = line_height(size);
        self.ensure(lh);
        let baseline = self.y + lh * 0.5 + size * 0.36;
        if !line.is_empty() {
            self.items.push(Item::Text {
                x,
                baseline,
                size,
                text: line,
            });
        }
        self.y += lh;
    }

    fn aligned_x(&self, line: &str, size: f32, align: Align, left: f32, width: f32) -> f32 {
        let w = self.width_of(line, size);
        match align {
            Align::Left => left,
            Align::Center => left + ((width - w) / 2.0).max(0.0),
            Align::Right => left + (width - w).max(0.0),
        }
    }

    fn paragraph(&mut self, text: &str, style: Style, align: Align) {
        let size = self.g.size(style);
        let (left, width) = (self.g.margin_x, self.g.content_width());
        for line in self.lines(text, size, width) {
            let x = self.aligned_x(&line, size, align, left, width);
            self.text_line(line, x, size);
        }
        self.space(section_gap(size));
    }

    /// The left column's width when two short sections share a line.
    fn column_width(&self) -> f32 {
        (self.g.content_width() - 2.0 * self.g.body) / 2.0
    }

    /// Whether a section may share a line with its neighbour: a one-line
    /// left-aligned body text no wider than a column.
    fn pairable(&self, text: &str, style: Style, align: Align, block: Block) -> bool {
        style == Style::Body
            && align == Align::Left
            && block == Block::Text
            && !text.contains('\n')
            && self.width_of(text, self.g.body) <= self.column_width()
    }

    /// Two short sections on one line, in two columns.
    fn pair(&mut self, left: &str, right: &str) {
        let size = self.g.body;
        let lh = line_height(size);
        self.ensure(lh);
        let baseline = self.y + lh * 0.5 + size * 0.36;
        let right_x = self.g.margin_x + self.g.content_width() - self.column_width();
        self.items.push(Item::Text {
            x: self.g.margin_x,
            baseline,
            size,
            text: left.to_owned(),
        });
        self.items.push(Item::Text {
            x: right_x,
            baseline,
            size,
            text: right.to_owned(),
        });
        self.y += lh;
        self.space(section_gap(size));
    }

    /// The signature text on the left and, when signed, the image fitted
    /// into the signature box on the right, top-aligned.
    fn signature(
        &mut self,
        text: &str,
        style: Style,
        signer: Signer,
        image_px: Option<(u32, u32)>,
    ) {
        let size = self.g.size(style);
        let (box_w, box_h) = self.g.signature_box;
        let Some((px_w, px_h)) = image_px.filter(|(w, h)| *w > 0 && *h > 0) else {
            self.paragraph(text, style, Align::Left);
            return;
        };
        let gap = 3.0 * MM;
        let text_w = self.g.content_width() - box_w - gap;
        let lines = self.lines(text, size, text_w);
        let text_h = lines.len() as f32 * line_height(size);
        self.ensure(text_h.max(box_h));
        let top = self.y;
        for line in lines {
            self.text_line(line, self.g.margin_x, size);
        }
        let scale = (box_w / px_w as f32).min(box_h / px_h as f32);
        let (w, h) = (px_w as f32 * scale, px_h as f32 * scale);
        let x = self.g.margin_x + self.g.content_width() - w;
        self.items.push(Item::Signature {
            x,
            y: top,
            w,
            h,
            signer,
        });
        self.y = self.y.max(top + box_h);
        self.space(section_gap(size));
    }

    /// The verification text and the QR codes side by side (each with its
    /// caption centred below), kept together on one page. Where the paper
    /// is too narrow for text beside the codes (a receipt), the codes go
    /// in a row under the text.
    fn qr_block(&mut self, text: &str, style: Style, align: Align, qrs: &[(QrMatrix, &str)]) {
        let size = self.g.size(style);
        let (side, caption) = (self.g.qr_side, self.g.small);
        let n = qrs.len() as f32;
        let qr_gap = 6.0 * MM;
        let row_w = n * side + (n - 1.0).max(0.0) * qr_gap;
        let qr_h = side + line_height(caption);
        let beside_w = self.g.content_width() - row_w - 2.0 * self.g.body;
        let beside = beside_w >= 0.4 * self.g.content_width();
        let text_w = if beside {
            beside_w
        } else {
            self.g.content_width()
        };
        let lines = if text.is_empty() {
            Vec::new()
        } else {
            self.lines(text, size, text_w)
        };
        let text_h = lines.len() as f32 * line_height(size);
        self.ensure(if beside {
            text_h.max(qr_h)
        } else {
            text_h + qr_h
        });
        let top = self.y;
        for line in lines {
            let x = self.aligned_x(&line, size, align, self.g.margin_x, text_w);
            self.text_line(line, x, size);
        }
        let (qr_top, mut x) = if beside {
            (top, self.g.margin_x + self.g.content_width() - row_w)
        } else {
            (
                self.y,
                self.g.margin_x + (self.g.content_width() - row_w).max(0.0) / 2.0,
            )
        };
        for (index, (_, label)) in qrs.iter().enumerate() {
            self.items.push(Item::Qr {
                x,
                y: qr_top,
                side,
                index,
            });
            let w = self.width_of(label, caption);
            let baseline = qr_top + side + caption * 0.8;
            self.items.push(Item::Text {
                x: x + (side - w).max(0.0) / 2.0,
                baseline,
                size: caption,
                text: (*label).to_owned(),
            });
            x += side + qr_gap;
        }
        self.y = self.y.max(qr_top + qr_h);
        self.space(section_gap(self.g.body));
    }

    fn finish(mut self) -> Vec<PageLayout> {
        if !self.items.is_empty() || self.done.is_empty() {
            self.new_page();
        }
        self.done
    }
}

/// Characters that must not start a line (closing punctuation).
const NO_LINE_START: &str =
    "，。、；：？！）］｝〕〉》」』】〗〙〛”’…‥·・々〆ゝゞヽヾ％‰℃．,.;:!?)]}%";
/// Characters that must not end a line (opening punctuation, currency signs).
const NO_LINE_END: &str = "（［｛〔〈《「『【〖〘〚“‘([{¥￥$＄";

fn no_line_start(c: char) -> bool {
    NO_LINE_START.contains(c)
}

fn no_line_end(c: char) -> bool {
    NO_LINE_END.contains(c)
}

/// Part of a word that must not be split: Latin letters, digits and the
/// ASCII signs that occur inside numbers, codes and URLs.
fn is_word_char(c: char) -> bool {
    if no_line_start(c) && !matches!(c, '.' | ',' | ':' | '%') || no_line_end(c) {
        return false;
    }
    c.is_ascii_graphic() || (c.is_alphanumeric() && u32::from(c) < 0x2E80)
}

/// A run of text a line may not break inside.
#[derive(Debug, Clone, Copy)]
struct Cluster {
    start: usize,
    end: usize,
    space: bool,
}

/// Splits one paragraph into clusters: white-space runs, Latin words (with
/// any `.`, `,`, `:` inside them, as in `150.00` or a URL), single other
/// characters; closing punctuation is glued to what precedes it and
/// opening punctuation to what follows.
fn clusters(p: &str) -> Vec<Cluster> {
    let mut out: Vec<Cluster> = Vec::new();
    let mut iter = p.char_indices().peekable();
    while let Some((start, c)) = iter.next() {
        let mut end = start + c.len_utf8();
        let space = c.is_whitespace();
        if space {
            while let Some(&(i, d)) = iter.peek() {
                if !d.is_whitespace() {
                    break;
                }
                end = i + d.len_utf8();
                iter.next();
            }
        } else if is_word_char(c) {
            while let Some(&(i, d)) = iter.peek() {
                if !is_word_char(d) {
                    break;
                }
                end = i + d.len_utf8();
                iter.next();
            }
        }
        let glue = !space
            && out.last().is_some_and(|prev| {
                !prev.space
                    && (no_line_start(c)
                        || p[prev.start..prev.end]
                            .chars()
                            .next_back()
                            .is_some_and(no_line_end))
            });
        match out.last_mut() {
            Some(prev) if glue => prev.end = end,
            _ => out.push(Cluster { start, end, space }),
        }
    }
    out
}

/// Wraps `text` into lines no wider than `max_width`, measuring each
/// character with `advance` (in the unit of `max_width`).
///
/// `\n` ends a line. A line breaks between CJK characters, at spaces and
/// between a CJK character and a Latin word, but not inside a Latin word or
/// a number unless it alone is wider than a line; closing punctuation
/// (`，。、）…`) stays with the character before it and opening punctuation
/// (`（“《…`) with the one after, so neither starts respectively ends a line
/// unless a run of them is wider than a line. Spaces at a break are
/// dropped. A line is never wider than `max_width` unless a single
/// character is.
pub(crate) fn wrap(text: &str, max_width: f32, advance: &dyn Fn(char) -> f32) -> Vec<String> {
    let mut lines = Vec::new();
    for p in text.split('\n') {
        wrap_paragraph(p, max_width, advance, &mut lines);
    }
    lines
}

fn wrap_paragraph(p: &str, max_width: f32, advance: &dyn Fn(char) -> f32, lines: &mut Vec<String>) {
    let first_line = lines.len();
    let mut cur = String::new();
    let mut cur_w = 0.0f32;
    let mut pending: &str = "";
    for cl in clusters(p) {
        let s = &p[cl.start..cl.end];
        if cl.space {
            if cur.is_empty() {
                if lines.len() == first_line {
                    // Indentation at the start of the paragraph, as far as it fits.
                    for c in s.chars() {
                        let w = cur_w + advance(c);
                        if w > max_width {
                            break;
                        }
                        cur.push(c);
                        cur_w = w;
                    }
                }
            } else {
                pending = s;
            }
            continue;
        }
        let candidate = pending
            .chars()
            .chain(s.chars())
            .fold(cur_w, |w, c| w + advance(c));
        if candidate <= max_width {
            cur.push_str(pending);
            cur.push_str(s);
            cur_w = candidate;
            pending = "";
            continue;
        }
        pending = "";
        if !cur.trim().is_empty() {
            lines.push(std::mem::take(&mut cur));
            cur_w = 0.0;
        }
        let alone = s.chars().fold(cur_w, |w, c| w + advance(c));
        if alone <= max_width {
            cur.push_str(s);
            cur_w = alone;
            continue;
        }
        // Wider than a line on its own: break it between characters.
        for c in s.chars() {
            let w = cur_w + advance(c);
            if w > max_width && !cur.is_empty() {
                lines.push(std::mem::take(&mut cur));
                cur_w = advance(c);
            } else {
                cur_w = w;
            }
            cur.push(c);
        }
    }
    lines.push(cur);
}

/// Draws the laid-out pages.
#[allow(clippy::too_many_arguments)] // one call site; the pieces are unrelated
fn draw(
    pages: &[PageLayout],
    g: &Geometry,
    fonts: &FontSet,
    metrics: &Metrics<'_>,
    qrs: &[(QrMatrix, &str)],
    signatures: &[(Signer, Image)],
    title: &str,
    page_footer: Option<&str>,
) -> Result<Vec<u8>, DocumentError> {
    let render_err = |reason: String| DocumentError::Render { reason };
    let mut doc = Document::new();
    doc.set_metadata(
        Metadata::new()
            .title(title.to_owned())
            .creator("Zhifa 掌上执法".to_owned())
            .language("zh-CN".to_owned()),
    );
    let total = pages.len();
    for (n, page) in pages.iter().enumerate() {
        let height = page.height.min(MAX_PAGE_SIDE);
        let settings = PageSettings::from_wh(g.page_width, height)
            .ok_or_else(|| render_err(format!("invalid page size {} × {height}", g.page_width)))?;
        let mut p = doc.start_page_with(settings);
        let mut s = p.surface();
        for item in &page.items {
            match item {
                Item::Text {
                    x,
                    baseline,
                    size,
                    text,
                } => draw_text(&mut s, fonts, metrics, *x, *baseline, *size, text)?,
                Item::Signature { x, y, w, h, signer } => {
                    let img = signatures.iter().find(|(s, _)| s == signer).map(|(_, i)| i);
                    if let (Some(img), Some(size)) = (img, Size::from_wh(*w, *h)) {
                        s.push_transform(&Transform::from_translate(*x, *y));
                        s.draw_image(img.clone(), size);
                        s.pop();
                    }
                }
                Item::Qr { x, y, side, index } => {
                    if let Some((m, _)) = qrs.get(*index) {
                        draw_qr(&mut s, m, *x, *y, *side);
                    }
                }
            }
        }
        if let (Some(from_bottom), Some(line)) = (g.footer_from_bottom, page_footer) {
            // Between the content's bottom margin and the page number.
            draw_text(
                &mut s,
                fonts,
                metrics,
                g.margin_x,
                height - from_bottom - g.small * 1.6,
                g.small,
                line,
            )?;
        }
        if let Some(from_bottom) = g.footer_from_bottom {
            let text = format!("第 {} 页 共 {total} 页", n + 1);
            let w = text
                .chars()
                .fold(0.0, |w, c| w + metrics.advance_em(c) * g.small);
            let x = (g.page_width - w) / 2.0;
            draw_text(
                &mut s,
                fonts,
                metrics,
                x,
                height - from_bottom,
                g.small,
                &text,
            )?;
        }
        s.finish();
        p.finish();
    }
    doc.finish().map_err(|e| render_err(e.to_string()))
}

/// Draws one line, in runs of the face that has each character.
pub(crate) fn draw_text(
    s: &mut krilla::surface::Surface<'_>,
    fonts: &FontSet,
    metrics: &Metrics<'_>,
    x: f32,
    baseline: f32,
    size: f32,
    text: &str,
) -> Result<(), DocumentError> {
    // (face, text, width) per run; white space takes the face of its run.
    let mut runs: Vec<(usize, String, f32)> = Vec::new();
    for c in text.chars() {
        let w = metrics.advance_em(c) * size;
        let face = match (c.is_whitespace(), runs.last()) {
            (true, Some((f, _, _))) => *f,
            _ => metrics.face_for(c).unwrap_or(0),
        };
        match runs.last_mut() {
            Some((f, t, rw)) if *f == face => {
                t.push(c);
                *rw += w;
            }
            _ => runs.push((face, c.to_string(), w)),
        }
    }
    let mut x = x;
    for (face, run, w) in runs {
        let font = fonts
            .krilla_font(face)
            .ok_or_else(|| DocumentError::Render {
                reason: format!("no font face {face}"),
            })?;
        s.draw_text(
            Point::from_xy(x, baseline),
            font,
            size,
            &run,
            false,
            TextDirection::Auto,
        );
        x += w;
    }
    Ok(())
}

/// Draws a QR code as filled squares (one rectangle per horizontal run of
/// dark modules), leaving a 4-module quiet zone inside `side`.
fn draw_qr(s: &mut krilla::surface::Surface<'_>, m: &QrMatrix, x: f32, y: f32, side: f32) {
    let module = side / (m.width() + 8) as f32;
    let (x0, y0) = (x + 4.0 * module, y + 4.0 * module);
    let mut pb = PathBuilder::new();
    // Rows overlap by a hair so that no light seam shows between them.
    let bleed = module * 0.02;
    for (row, col, len) in m.dark_runs() {
        let r = Rect::from_xywh(
            x0 + col as f32 * module,
            y0 + row as f32 * module,
            len as f32 * module,
            module + bleed,
        );
        if let Some(r) = r {
            pb.push_rect(r);
        }
    }
    if let Some(path) = pb.finish() {
        s.set_fill(Some(Fill::default()));
        s.draw_path(&path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::sync::OnceLock;

    fn fonts() -> &'static FontSet {
        static F: OnceLock<FontSet> = OnceLock::new();
        F.get_or_init(|| FontSet::bundled().unwrap())
    }

    fn width(line: &str, size: f32) -> f32 {
        let m = fonts().metrics();
        line.chars().fold(0.0, |w, c| w + m.advance_em(c) * size)
    }

    fn wrap_real(text: &str, max: f32, size: f32) -> Vec<String> {
        let m = fonts().metrics();
        wrap(text, max, &|c| m.advance_em(c) * size)
    }

    /// A fixed-advance measure: CJK 1 em, everything else 0.5 em.
    fn mono(c: char) -> f32 {
        if u32::from(c) >= 0x2E80 { 1.0 } else { 0.5 }
    }

    #[test]
    fn breaks_between_cjk_characters() {
        assert_eq!(wrap("甲乙丙丁戊己", 4.0, &mono), vec!["甲乙丙丁", "戊己"]);
    }

    #[test]
    fn keeps_closing_punctuation_off_the_line_start() {
        // “丁，” would start the second line with “，”; 丁 moves down with it.
        assert_eq!(
            wrap("甲乙丙丁，戊己", 4.0, &mono),
            vec!["甲乙丙", "丁，戊己"]
        );
        assert_eq!(
            wrap("甲乙丙丁）。戊", 4.0, &mono),
            vec!["甲乙丙", "丁）。戊"]
        );
        assert_eq!(wrap("甲乙丙丁、戊", 4.0, &mono), vec!["甲乙丙", "丁、戊"]);
    }

    #[test]
    fn keeps_opening_punctuation_off_the_line_end() {
        assert_eq!(wrap("甲乙丙（丁）", 4.0, &mono), vec!["甲乙丙", "（丁）"]);
    }

    #[test]
    fn does_not_split_latin_words_or_numbers() {
        // 8.5 em wide: “罚款人民币” (5) + “150.00” (3) fits; “元整” follows.
        assert_eq!(
            wrap("罚款人民币150.00元整", 8.5, &mono),
            vec!["罚款人民币150.00", "元整"]
        );
        assert_eq!(
            wrap("甲乙丙丁戊 abcdef", 6.0, &mono),
            vec!["甲乙丙丁戊", "abcdef"]
        );
        assert_eq!(wrap("甲乙丙丁12345", 5.0, &mono), vec!["甲乙丙丁", "12345"]);
    }

    #[test]
    fn splits_a_word_wider_than_the_line() {
        let lines = wrap("0123456789abcdef", 3.0, &mono);
        assert_eq!(lines, vec!["012345", "6789ab", "cdef"]);
    }

    #[test]
    fn hard_breaks_and_spaces() {
        assert_eq!(wrap("甲\n\n乙", 4.0, &mono), vec!["甲", "", "乙"]);
        assert_eq!(wrap("ab cd ef", 2.0, &mono), vec!["ab", "cd", "ef"]);
        assert_eq!(wrap("ab cd ef", 2.5, &mono), vec!["ab cd", "ef"]);
        assert_eq!(wrap("", 4.0, &mono), vec![""]);
    }

    #[test]
    fn real_font_cjk_is_one_em_and_lines_fit() {
        let m = fonts().metrics();
        assert!((m.advance_em('罚') - 1.0).abs() < 0.01);
        assert!(m.advance_em('i') < m.advance_em('W'));
        let text = "当事人于2026年11月25日10时05分在渝北区龙兴镇迎龙大道128号门前，未经批准擅自占用城市道路摆摊设点经营水果，占道面积约3.5平方米。";
        for line in wrap_real(text, 100.0, 11.0) {
            assert!(width(&line, 11.0) <= 100.0, "{line}");
            assert!(!line.starts_with(['，', '。']), "{line}");
        }
    }

    #[test]
    fn the_receipt_prints_72_mm_wide() {
        let g = Geometry::for_paper(Paper::Thermal80mm);
        assert!((g.content_width() - 72.0 * MM).abs() < 0.01);
        assert!((g.page_width - 80.0 * MM).abs() < 0.01);
        assert_eq!(g.page_height, None);
    }

    #[test]
    fn normalize_replaces_controls() {
        let m = fonts().metrics();
        assert_eq!(normalize("甲\t乙\r\n丙\r丁\u{7}", &m), "甲 乙\n丙\n丁 ");
    }

    #[test]
    fn captions_and_footer_are_covered_by_the_font() {
        for t in [
            PAYMENT_QR_CAPTION,
            VERIFICATION_QR_CAPTION,
            "第 12 页 共 34 页",
        ] {
            assert_eq!(fonts().first_missing(t), None);
        }
    }

    fn text_strategy() -> impl Strategy<Value = String> {
        let ch = prop_oneof![
            4 => (0x4E00u32..0x9FA5).prop_map(|c| char::from_u32(c).unwrap_or('中')),
            3 => (0x20u32..0x7F).prop_map(|c| char::from_u32(c).unwrap_or('a')),
            1 => prop::sample::select("，。、；：？！（）《》“”〔〕\n ".chars().collect::<Vec<_>>()),
        ];
        prop::collection::vec(ch, 0..300).prop_map(|v| v.into_iter().collect())
    }

    proptest! {
        #[test]
        fn wrapped_lines_fit_the_printable_width(
            text in text_strategy(),
            a4 in any::<bool>(),
            size in 6.0f32..16.0,
        ) {
            let paper = if a4 { Paper::A4 } else { Paper::Thermal80mm };
            let max = Geometry::for_paper(paper).content_width();
            let lines = wrap_real(&text, max, size);
            for line in &lines {
                let w = width(line, size);
                prop_assert!(w <= max, "line {line:?} is {w} wide, max {max}");
            }
            // Nothing but white space at the breaks is lost.
            let strip = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
            prop_assert_eq!(strip(&lines.concat()), strip(&text));
            // Hard breaks are kept.
            prop_assert!(lines.len() > text.matches('\n').count());
        }
    }
}
