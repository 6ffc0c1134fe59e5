//! The archived case file (卷宗) as one PDF: a cover (卷宗封面), a table
//! of contents (卷内目录), every document of the case in the order of the
//! case-file review standard, the evidence list with thumbnails and
//! SHA-256 hashes, and the timeline of the procedure.
//!
//! The documents arrive already rendered (their own PDFs, sealed and
//! hashed when they were issued) and are embedded page by page, unchanged,
//! through krilla's PDF embedding (`krilla` feature `pdf`, built on
//! `hayro-write`): the archived page is the page that was served. Each
//! embedded page gets the file's running page number (卷内页号) stamped at
//! the bottom right; the cover and the 目录 are not numbered, as the
//! review standards score it (shared/domain/normal-procedure-and-supervision.md
//! §2.3: “page numbering bottom-right, cover/目录/备考表 not numbered”).
//! The 目录 prints each entry's first 卷内页号; in the PDF that page is
//! [`RenderedDossier::front_pages`] + 页号.
//!
//! The order is data ([`DOSSIER_ORDER`], [`dossier_order`]): the stages of
//! 《重庆市行政处罚案卷评查标准（试行）》(2010, still applied in 2023; §2.3),
//! whose 基础标准 fails a file whose steps 立(受)案 → 调查(检查)取证 →
//! 审查决定(含事先告知) → 送达执行 are reversed or skipped, then 结案; inside
//! a stage the order of the model 案卷 (§1.5). Entries of one rank keep
//! their date order.
//!
//! Like [`super::render`], the output is deterministic: no clock is read.

use chrono::{NaiveDate, NaiveDateTime};
use krilla::Document;
use krilla::geom::{Size, Transform};
use krilla::image::Image;
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::pdf::{Pdf, PdfDocument};
use serde::{Deserialize, Serialize};

use super::DocumentError;
use super::fonts::{FontSet, Metrics};
use super::model::{DocumentKind, date_zh, datetime_zh};
use super::render::{draw_text, wrap};

/// Points per millimetre.
const MM: f32 = 72.0 / 25.4;
const PAGE_W: f32 = 210.0 * MM;
const PAGE_H: f32 = 297.0 * MM;
const MARGIN_X: f32 = 20.0 * MM;
const MARGIN_TOP: f32 = 20.0 * MM;
const MARGIN_BOTTOM: f32 = 22.0 * MM;
const TITLE: f32 = 20.0;
const HEADING: f32 = 14.0;
const BODY: f32 = 10.5;
const SMALL: f32 = 7.5;
/// The thumbnail box of an evidence item (width, height).
const THUMB: (f32, f32) = (40.0 * MM, 30.0 * MM);

/// What an entry of the file is, for its place in the order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "document", rename_all = "snake_case")]
pub enum EntryKind {
    /// A document this crate renders.
    Document(DocumentKind),
    /// 听证通知书、听证笔录、听证报告 (行政处罚法 Art. 64).
    Hearing,
    /// 缴款凭证、罚没款票据 (Art. 67–70).
    Payment,
    /// Anything else (scans, letters): after the 结案 documents.
    Other,
}

/// The rank of each document kind in a 卷宗 (lower first), with its stage
/// of 《重庆市行政处罚案卷评查标准（试行）》 (§2.3: 立(受)案 → 调查(检查)取证
/// → 审查决定(含事先告知) → 送达执行, not reversed or skipped), then 结案;
/// inside a stage, the model 案卷 of §1.5 (🟡 360docs 3f3899907: 立案审批表,
/// 笔录, evidence, 审核, 集体讨论, 决定书, 送达回证, 缴款).
pub const DOSSIER_ORDER: [(DocumentKind, u32, &str); 21] = [
    (DocumentKind::FilingApproval, 100, "立(受)案"),
    (DocumentKind::InspectionRecord, 200, "调查(检查)取证"),
    (DocumentKind::InterviewRecord, 210, "调查(检查)取证"),
    (DocumentKind::PreservationNotice, 220, "调查(检查)取证"),
    (DocumentKind::OrderToCorrect, 230, "调查(检查)取证"),
    (
        DocumentKind::InvestigationReport,
        300,
        "审查决定(含事先告知)",
    ),
    (DocumentKind::PriorNotice, 310, "审查决定(含事先告知)"),
    (DocumentKind::StatementRecord, 320, "审查决定(含事先告知)"),
    // 行政处罚法 Art. 64: the hearing follows the 告知 and the party's
    // request and precedes the 法制审核 it makes necessary (Art. 58
    // ¶1(二)); other hearing papers (EntryKind::Hearing) rank 330.
    (DocumentKind::HearingNotice, 330, "审查决定(含事先告知)"),
    (DocumentKind::HearingRecord, 332, "审查决定(含事先告知)"),
    (DocumentKind::HearingReport, 334, "审查决定(含事先告知)"),
    (DocumentKind::LegalReview, 340, "审查决定(含事先告知)"),
    (
        DocumentKind::CollectiveDiscussion,
        350,
        "审查决定(含事先告知)",
    ),
    (DocumentKind::PenaltyDecision, 360, "审查决定(含事先告知)"),
    (DocumentKind::DecisionOnTheSpot, 360, "审查决定(含事先告知)"),
    (DocumentKind::NoPenaltyDecision, 360, "审查决定(含事先告知)"),
    (DocumentKind::ElectronicServiceConsent, 400, "送达执行"),
    (DocumentKind::ServiceReceipt, 410, "送达执行"),
    // 缴款凭证 (EntryKind::Payment) ranks 420.
    (DocumentKind::Reminder, 430, "送达执行"),
    // 行政强制法 Art. 53–55: the court application follows the 催告.
    (DocumentKind::CourtApplication, 440, "送达执行"),
    (DocumentKind::ClosingApproval, 500, "结案"),
];

/// The rank of an entry in the 卷宗 (see [`DOSSIER_ORDER`]).
pub fn dossier_order(kind: EntryKind) -> u32 {
    match kind {
        EntryKind::Document(k) => DOSSIER_ORDER
            .iter()
            .find(|(d, _, _)| *d == k)
            .map_or(900, |(_, rank, _)| *rank),
        EntryKind::Hearing => 330,
        EntryKind::Payment => 420,
        EntryKind::Other => 900,
    }
}

/// How long the file is kept (机关文书档案保管期限规定: 行政处罚 files
/// “重要的永久保管，一般的为30年”, 🟡 §1.2 S18; Chongqing ❓).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "years", rename_all = "snake_case")]
pub enum Retention {
    /// 永久.
    Permanent,
    /// A number of years.
    Years(u32),
}

impl Retention {
    fn label(self) -> String {
        match self {
            Self::Permanent => "永久".to_owned(),
            Self::Years(y) => format!("{y}年"),
        }
    }
}

/// The cover (卷宗封面).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DossierCover {
    /// 立卷单位 (the authority).
    pub authority: String,
    /// 案件名称 (the 案由).
    pub case_title: String,
    /// 案号.
    pub case_number: String,
    /// 当事人.
    pub party: String,
    /// 处罚决定书文号, if a decision was made.
    #[serde(default)]
    pub decision_number: Option<String>,
    /// 处理结果.
    pub result: String,
    /// 立案日期.
    pub filed_on: NaiveDate,
    /// 结案日期.
    pub closed_on: NaiveDate,
    /// 保管期限.
    pub retention: Retention,
    /// 立卷人.
    pub archivist: String,
}

/// One document of the file, already rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DossierEntry {
    /// What it is, for the order.
    pub kind: EntryKind,
    /// The title printed in the 目录, e.g. `行政处罚决定书`.
    pub title: String,
    /// Its date.
    pub date: NaiveDate,
    /// The PDF.
    pub pdf: Vec<u8>,
}

/// One evidence item of the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DossierEvidence {
    /// What it shows.
    pub description: String,
    /// When it was taken.
    pub captured_at: NaiveDateTime,
    /// Where.
    pub place: String,
    /// Who took it (name and 执法证号).
    pub officer: String,
    /// SHA-256 of the original, lower-case hex.
    pub sha256: String,
    /// A JPEG or PNG thumbnail, if any.
    pub thumbnail: Option<Vec<u8>>,
}

/// One step of the procedure's timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineStep {
    /// When.
    pub at: NaiveDateTime,
    /// The step, e.g. `立案`.
    pub step: String,
    /// The actor's role, e.g. `负责人`.
    pub actor_role: String,
    /// The article it rests on, e.g. `行政处罚法第五十四条`.
    pub article: String,
}

/// The whole file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dossier {
    /// The cover.
    pub cover: DossierCover,
    /// The documents, in any order: they are sorted by [`dossier_order`]
    /// and then by date.
    pub entries: Vec<DossierEntry>,
    /// The evidence list.
    pub evidence: Vec<DossierEvidence>,
    /// The timeline, in order.
    pub timeline: Vec<TimelineStep>,
}

/// The 目录 title of the evidence list.
pub const EVIDENCE_TITLE: &str = "证据清单";
/// The 目录 title of the timeline.
pub const TIMELINE_TITLE: &str = "办案过程记录";

/// A rendered 卷宗.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedDossier {
    /// The PDF.
    pub pdf: Vec<u8>,
    /// The number of pages, cover and 目录 included.
    pub page_count: usize,
    /// The 目录: each entry's title (in file order, then the evidence list
    /// and the timeline) and its first 卷内页号 as printed.
    pub toc: Vec<(String, usize)>,
    /// The unnumbered pages before 卷内页 1 (the cover and the 目录): the
    /// page `n` of the 目录 is the PDF's page `front_pages + n`.
    pub front_pages: usize,
}

/// One thing drawn on a page of our own; y grows downwards.
#[derive(Debug, Clone)]
enum Op {
    Text {
        x: f32,
        baseline: f32,
        size: f32,
        text: String,
    },
    Image {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        index: usize,
    },
}

/// A page of the file.
#[derive(Debug, Clone)]
enum Sheet {
    /// Drawn here.
    Drawn(Vec<Op>),
    /// Page `page` of entry `entry`, embedded.
    Embedded { entry: usize, page: usize },
}

/// A top-to-bottom layout of our own pages.
struct Flow<'m, 'f> {
    metrics: &'m Metrics<'f>,
    pages: Vec<Vec<Op>>,
    ops: Vec<Op>,
    y: f32,
}

impl<'m, 'f> Flow<'m, 'f> {
    fn new(metrics: &'m Metrics<'f>) -> Self {
        Self {
            metrics,
            pages: Vec::new(),
            ops: Vec::new(),
            y: MARGIN_TOP,
        }
    }

    fn width(&self, text: &str, size: f32) -> f32 {
        text.chars()
            .fold(0.0, |w, c| w + self.metrics.advance_em(c) * size)
    }

    fn lines(&self, text: &str, size: f32, width: f32) -> Vec<String> {
        wrap(text, width, &|c| self.metrics.advance_em(c) * size)
    }

    fn break_page(&mut self) {
        self.pages.push(std::mem::take(&mut self.ops));
        self.y = MARGIN_TOP;
    }

    fn ensure(&mut self, h: f32) {
        if self.y + h > PAGE_H - MARGIN_BOTTOM && !self.ops.is_empty() {
            self.break_page();
        }
    }

    fn text_at(&mut self, x: f32, baseline: f32, size: f32, text: &str) {
        self.ops.push(Op::Text {
            x,
            baseline,
            size,
            text: text.to_owned(),
        });
    }

    /// A wrapped paragraph at `x` within `width`; returns nothing, moves y.
    fn paragraph(&mut self, text: &str, size: f32, x: f32, width: f32) {
        for line in self.lines(text, size, width) {
            let lh = size * 1.5;
            self.ensure(lh);
            self.y += lh;
            self.text_at(x, self.y - size * 0.35, size, &line);
        }
    }

    fn centered(&mut self, text: &str, size: f32) {
        let lh = size * 1.6;
        self.ensure(lh);
        self.y += lh;
        let x = (PAGE_W - self.width(text, size)) / 2.0;
        self.text_at(x.max(MARGIN_X), self.y - size * 0.35, size, text);
    }

    /// A row of cells, each wrapped in its column (x, width); the row is
    /// kept on one page.
    fn row(&mut self, cells: &[(&str, f32, f32)], size: f32) {
        let wrapped: Vec<Vec<String>> = cells
            .iter()
            .map(|(t, _, w)| self.lines(t, size, *w))
            .collect();
        let n = wrapped.iter().map(Vec::len).max().unwrap_or(1).max(1);
        let lh = size * 1.5;
        self.ensure(lh * n as f32);
        for (lines, (_, x, _)) in wrapped.iter().zip(cells) {
            for (i, line) in lines.iter().enumerate() {
                let baseline = self.y + lh * (i as f32 + 1.0) - size * 0.35;
                self.text_at(*x, baseline, size, line);
            }
        }
        self.y += lh * n as f32 + size * 0.3;
    }

    fn space(&mut self, h: f32) {
        self.y += h;
    }

    fn finish(mut self) -> Vec<Vec<Op>> {
        if !self.ops.is_empty() || self.pages.is_empty() {
            self.break_page();
        }
        self.pages
    }
}

fn content_width() -> f32 {
    PAGE_W - 2.0 * MARGIN_X
}

fn missing(field: &str) -> DocumentError {
    DocumentError::MissingField {
        field: field.to_owned(),
    }
}

fn render_err(reason: String) -> DocumentError {
    DocumentError::Render { reason }
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

/// Renders the 卷宗: cover, 目录, the documents in the order of
/// [`dossier_order`] (then date), the evidence list and the timeline.
///
/// Errors: [`DocumentError::MissingField`] for a blank cover field (named
/// `cover.<field>`), an entry without a title or pages, an evidence item
/// without its SHA-256; [`DocumentError::MissingGlyph`] for a character no
/// font can draw; [`DocumentError::Render`] for an entry that is not a
/// readable PDF, a thumbnail that is neither JPEG nor PNG, or a PDF writer
/// failure.
pub fn render_dossier(d: &Dossier, fonts: &FontSet) -> Result<RenderedDossier, DocumentError> {
    let c = &d.cover;
    for (name, value) in [
        ("cover.authority", c.authority.as_str()),
        ("cover.case_title", c.case_title.as_str()),
        ("cover.case_number", c.case_number.as_str()),
        ("cover.party", c.party.as_str()),
        ("cover.result", c.result.as_str()),
        ("cover.archivist", c.archivist.as_str()),
    ] {
        if value.trim().is_empty() {
            return Err(missing(name));
        }
        check_glyphs(fonts, name, value)?;
    }
    if let Some(n) = &c.decision_number {
        check_glyphs(fonts, "cover.decision_number", n)?;
    }

    // The documents in file order: rank, then date, then as given.
    let mut order: Vec<usize> = (0..d.entries.len()).collect();
    order.sort_by_key(|&i| {
        let e = &d.entries[i];
        (dossier_order(e.kind), e.date)
    });
    let mut embedded = Vec::with_capacity(order.len());
    for &i in &order {
        let e = &d.entries[i];
        let field = format!("entries[{i}]");
        if e.title.trim().is_empty() {
            return Err(missing(&format!("{field}.title")));
        }
        check_glyphs(fonts, &format!("{field}.title"), &e.title)?;
        let pdf = Pdf::new(e.pdf.clone())
            .map_err(|err| render_err(format!("卷宗文书“{}”不是可读的PDF: {err:?}", e.title)))?;
        let sizes: Vec<(f32, f32)> = pdf.pages().iter().map(|p| p.render_dimensions()).collect();
        if sizes.is_empty() {
            return Err(missing(&format!("{field}.pdf")));
        }
        embedded.push((PdfDocument::new(std::sync::Arc::new(pdf)), sizes));
    }
    for (i, ev) in d.evidence.iter().enumerate() {
        if ev.sha256.trim().is_empty() {
            return Err(missing(&format!("evidence[{i}].sha256")));
        }
        for (name, text) in [
            ("description", &ev.description),
            ("place", &ev.place),
            ("officer", &ev.officer),
            ("sha256", &ev.sha256),
        ] {
            check_glyphs(fonts, &format!("evidence[{i}].{name}"), text)?;
        }
    }
    for (i, s) in d.timeline.iter().enumerate() {
        for (name, text) in [
            ("step", &s.step),
            ("actor_role", &s.actor_role),
            ("article", &s.article),
        ] {
            check_glyphs(fonts, &format!("timeline[{i}].{name}"), text)?;
        }
    }
    let thumbnails = d
        .evidence
        .iter()
        .map(|ev| ev.thumbnail.as_deref().map(thumbnail).transpose())
        .collect::<Result<Vec<_>, _>>()?;

    let metrics = fonts.metrics();
    let evidence_pages = evidence_pages(&d.evidence, &thumbnails, &metrics);
    let timeline_pages = timeline_pages(&d.timeline, &metrics);

    // 卷内页号: the documents from 1, then the evidence list and the timeline.
    let mut toc = Vec::new();
    let mut next = 1usize;
    for (&i, (_, sizes)) in order.iter().zip(&embedded) {
        toc.push((d.entries[i].title.clone(), next));
        next += sizes.len();
    }
    toc.push((EVIDENCE_TITLE.to_owned(), next));
    next += evidence_pages.len();
    toc.push((TIMELINE_TITLE.to_owned(), next));
    let numbered = next - 1 + timeline_pages.len();

    let cover = cover_page(c, numbered, &metrics);
    let toc_pages = toc_pages(&toc, &order, d, &metrics);
    let front_pages = 1 + toc_pages.len();

    let mut sheets: Vec<Sheet> = vec![Sheet::Drawn(cover)];
    sheets.extend(toc_pages.into_iter().map(Sheet::Drawn));
    for (n, (_, sizes)) in embedded.iter().enumerate() {
        sheets.extend((0..sizes.len()).map(|page| Sheet::Embedded { entry: n, page }));
    }
    sheets.extend(evidence_pages.into_iter().map(Sheet::Drawn));
    sheets.extend(timeline_pages.into_iter().map(Sheet::Drawn));

    let title = format!("{} {}", c.case_number, c.case_title);
    let pdf = draw(
        &sheets,
        front_pages,
        &embedded,
        &thumbnails,
        fonts,
        &metrics,
        &title,
    )?;
    Ok(RenderedDossier {
        pdf,
        page_count: sheets.len(),
        toc,
        front_pages,
    })
}

/// Reads a JPEG or PNG thumbnail by its magic bytes.
fn thumbnail(bytes: &[u8]) -> Result<Image, DocumentError> {
    let data = bytes.to_vec().into();
    let img = if bytes.starts_with(b"\x89PNG") {
        Image::from_png(data, true)
    } else if bytes.starts_with(&[0xFF, 0xD8]) {
        Image::from_jpeg(data, true)
    } else {
        Err("不是JPEG或PNG".to_owned())
    };
    img.map_err(|e| render_err(format!("证据缩略图无效: {e}")))
}

fn cover_page(c: &DossierCover, numbered: usize, metrics: &Metrics<'_>) -> Vec<Op> {
    let mut f = Flow::new(metrics);
    f.space(20.0 * MM);
    f.centered(&c.authority, HEADING);
    f.space(10.0 * MM);
    f.centered("行政处罚案卷", TITLE + 6.0);
    f.space(20.0 * MM);
    let label_w = 32.0 * MM;
    let x = MARGIN_X + 10.0 * MM;
    let w = content_width() - 20.0 * MM - label_w;
    let rows = [
        ("案件名称", c.case_title.clone()),
        ("案号", c.case_number.clone()),
        ("当事人", c.party.clone()),
        (
            "处罚决定书文号",
            c.decision_number.clone().unwrap_or_else(|| "无".to_owned()),
        ),
        ("处理结果", c.result.clone()),
        ("立案日期", date_zh(c.filed_on)),
        ("结案日期", date_zh(c.closed_on)),
        ("保管期限", c.retention.label()),
        ("立卷人", c.archivist.clone()),
        ("本卷页数", format!("共{numbered}页")),
    ];
    for (label, value) in rows {
        f.row(&[(label, x, label_w), (&value, x + label_w, w)], BODY + 1.5);
        f.space(2.0 * MM);
    }
    f.finish().into_iter().next().unwrap_or_default()
}

fn toc_pages(
    toc: &[(String, usize)],
    order: &[usize],
    d: &Dossier,
    metrics: &Metrics<'_>,
) -> Vec<Vec<Op>> {
    let mut f = Flow::new(metrics);
    f.centered("卷内目录", TITLE);
    f.space(6.0 * MM);
    let cols = [
        (MARGIN_X, 12.0 * MM),
        (MARGIN_X + 14.0 * MM, 95.0 * MM),
        (MARGIN_X + 112.0 * MM, 35.0 * MM),
        (MARGIN_X + 150.0 * MM, 20.0 * MM),
    ];
    let head = ["序号", "文书名称", "日期", "页号"];
    let cells: Vec<(&str, f32, f32)> = head
        .iter()
        .zip(cols)
        .map(|(t, (x, w))| (*t, x, w))
        .collect();
    f.row(&cells, BODY);
    let dates: Vec<String> = order
        .iter()
        .map(|&i| date_zh(d.entries[i].date))
        .chain(["—".to_owned(), "—".to_owned()])
        .collect();
    for (n, ((title, page), date)) in toc.iter().zip(&dates).enumerate() {
        let seq = (n + 1).to_string();
        let page = page.to_string();
        let row = [seq.as_str(), title.as_str(), date.as_str(), page.as_str()];
        let cells: Vec<(&str, f32, f32)> =
            row.iter().zip(cols).map(|(t, (x, w))| (*t, x, w)).collect();
        f.row(&cells, BODY);
    }
    f.finish()
}

fn evidence_pages(
    items: &[DossierEvidence],
    thumbs: &[Option<Image>],
    metrics: &Metrics<'_>,
) -> Vec<Vec<Op>> {
    let mut f = Flow::new(metrics);
    f.centered(EVIDENCE_TITLE, TITLE);
    f.space(4.0 * MM);
    if items.is_empty() {
        f.paragraph("本案无电子证据。", BODY, MARGIN_X, content_width());
    }
    let text_w = content_width() - THUMB.0 - 4.0 * MM;
    for (i, (ev, thumb)) in items.iter().zip(thumbs).enumerate() {
        let lines: Vec<String> = [
            format!("{}. {}", i + 1, ev.description),
            format!("时间：{}", datetime_zh(ev.captured_at)),
            format!("地点：{}", ev.place),
            format!("取证人：{}", ev.officer),
        ]
        .iter()
        .flat_map(|t| f.lines(t, BODY, text_w))
        .collect();
        let hash = f.lines(&format!("SHA-256：{}", ev.sha256), SMALL, text_w);
        let text_h = lines.len() as f32 * BODY * 1.5 + hash.len() as f32 * SMALL * 1.5;
        let h = if thumb.is_some() {
            text_h.max(THUMB.1)
        } else {
            text_h
        };
        f.ensure(h + 4.0 * MM);
        let top = f.y;
        for line in &lines {
            f.y += BODY * 1.5;
            f.text_at(MARGIN_X, f.y - BODY * 0.35, BODY, line);
        }
        for line in &hash {
            f.y += SMALL * 1.5;
            f.text_at(MARGIN_X, f.y - SMALL * 0.35, SMALL, line);
        }
        if let Some(img) = thumb {
            let (pw, ph) = img.size();
            let (bw, bh) = THUMB;
            let scale = (bw / pw.max(1) as f32).min(bh / ph.max(1) as f32);
            let (w, h) = (pw as f32 * scale, ph as f32 * scale);
            f.ops.push(Op::Image {
                x: PAGE_W - MARGIN_X - bw + (bw - w) / 2.0,
                y: top + 1.0 * MM,
                w,
                h,
                index: i,
            });
        }
        f.y = top + h + 4.0 * MM;
    }
    f.finish()
}

fn timeline_pages(steps: &[TimelineStep], metrics: &Metrics<'_>) -> Vec<Vec<Op>> {
    let mut f = Flow::new(metrics);
    f.centered(TIMELINE_TITLE, TITLE);
    f.space(4.0 * MM);
    let cols = [
        (MARGIN_X, 40.0 * MM),
        (MARGIN_X + 42.0 * MM, 50.0 * MM),
        (MARGIN_X + 94.0 * MM, 24.0 * MM),
        (MARGIN_X + 120.0 * MM, 50.0 * MM),
    ];
    let mut rows = vec![[
        "时间".to_owned(),
        "步骤".to_owned(),
        "办理人".to_owned(),
        "依据".to_owned(),
    ]];
    rows.extend(steps.iter().map(|s| {
        [
            datetime_zh(s.at),
            s.step.clone(),
            s.actor_role.clone(),
            s.article.clone(),
        ]
    }));
    for row in &rows {
        let cells: Vec<(&str, f32, f32)> = row
            .iter()
            .zip(cols)
            .map(|(t, (x, w))| (t.as_str(), x, w))
            .collect();
        f.row(&cells, BODY);
    }
    f.finish()
}

fn draw(
    sheets: &[Sheet],
    front_pages: usize,
    embedded: &[(PdfDocument, Vec<(f32, f32)>)],
    thumbs: &[Option<Image>],
    fonts: &FontSet,
    metrics: &Metrics<'_>,
    title: &str,
) -> Result<Vec<u8>, DocumentError> {
    let mut doc = Document::new();
    doc.set_metadata(
        Metadata::new()
            .title(title.to_owned())
            .creator("Zhifa 掌上执法".to_owned())
            .language("zh-CN".to_owned()),
    );
    for (n, sheet) in sheets.iter().enumerate() {
        let (w, h) = match sheet {
            Sheet::Drawn(_) => (PAGE_W, PAGE_H),
            Sheet::Embedded { entry, page } => embedded
                .get(*entry)
                .and_then(|(_, sizes)| sizes.get(*page))
                .copied()
                .unwrap_or((PAGE_W, PAGE_H)),
        };
        let settings = PageSettings::from_wh(w, h)
            .ok_or_else(|| render_err(format!("invalid page size {w} × {h}")))?;
        let mut p = doc.start_page_with(settings);
        let mut s = p.surface();
        match sheet {
            Sheet::Drawn(ops) => {
                for op in ops {
                    match op {
                        Op::Text {
                            x,
                            baseline,
                            size,
                            text,
                        } => draw_text(&mut s, fonts, metrics, *x, *baseline, *size, text)?,
                        Op::Image { x, y, w, h, index } => {
                            if let (Some(Some(img)), Some(size)) =
                                (thumbs.get(*index), Size::from_wh(*w, *h))
                            {
                                s.push_transform(&Transform::from_translate(*x, *y));
                                s.draw_image(img.clone(), size);
                                s.pop();
                            }
                        }
                    }
                }
            }
            Sheet::Embedded { entry, page } => {
                if let (Some((pdf, _)), Some(size)) = (embedded.get(*entry), Size::from_wh(w, h)) {
                    s.draw_pdf_page(pdf, size, *page);
                }
            }
        }
        // 卷内页号, bottom right; the cover and the 目录 carry none.
        if n >= front_pages {
            let text = format!("卷内第{}页", n + 1 - front_pages);
            let tw = text
                .chars()
                .fold(0.0, |a, c| a + metrics.advance_em(c) * BODY);
            draw_text(
                &mut s,
                fonts,
                metrics,
                w - 12.0 * MM - tw,
                h - 8.0 * MM,
                BODY,
                &text,
            )?;
        }
        s.finish();
        p.finish();
    }
    doc.finish().map_err(|e| render_err(e.to_string()))
}
