//! End-to-end tests of the PDF renderer: realistic documents of the four
//! kinds are rendered on A4 and on an 80 mm receipt, then read back with
//! poppler (`pdftotext -layout`, `pdftoppm`, `pdfimages`, `pdfinfo`) and
//! rqrr, and checked for every mandatory field of docs/law/documents.md, both QR
//! codes, the document hash, page numbering, the signature image or the
//! refusal note, glyph coverage and size.
//!
//! poppler-utils must be installed: a missing tool fails the test with a
//! message saying so, it never skips.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;

use sha2::{Digest, Sha256};
use zhifa_core::ErrorCode;
use zhifa_core::document::model::{
    DocumentData, DocumentKind, EvidenceItem, InspectionRecord, OrderToCorrect, PartyDetails,
    PartySignature, Penalty, ServiceMethod, ServiceReceipt,
};
use zhifa_core::document::qr::QrMatrix;
use zhifa_core::document::template::Template;
use zhifa_core::document::{
    DocumentError, Paper, RenderOptions, RenderedDocument, canonical_field_json, document_hash,
    render_pdf, verification_url,
};

mod document_support;
use document_support::*;

fn fonts() -> &'static zhifa_core::document::fonts::FontSet {
    static F: OnceLock<zhifa_core::document::fonts::FontSet> = OnceLock::new();
    F.get_or_init(|| zhifa_core::document::fonts::FontSet::bundled().unwrap())
}

fn render(
    data: &DocumentData,
    paper: Paper,
    mask: Option<bool>,
) -> Result<RenderedDocument, DocumentError> {
    let template = Template::builtin(data.kind()).unwrap();
    let doc = render_pdf(
        data,
        &template,
        fonts(),
        &RenderOptions {
            paper,
            mask_id: mask,
            verification_base: None,
        },
    )?;
    // For looking at the output: ZHIFA_RENDER_DUMP=/tmp/dir cargo test …
    if let Ok(dir) = std::env::var("ZHIFA_RENDER_DUMP") {
        let name = format!(
            "{}-{paper:?}-{}.pdf",
            data.kind().file_stem(),
            &doc.document_hash[..8]
        );
        std::fs::write(Path::new(&dir).join(name), &doc.pdf).unwrap();
    }
    Ok(doc)
}

// ---------- poppler and rqrr helpers ----------

fn tool(name: &str) -> Command {
    let probe = Command::new(name).arg("-v").output();
    if probe.is_err() {
        panic!(
            "`{name}` is not installed: these tests need poppler-utils (apt-get install poppler-utils)"
        );
    }
    Command::new(name)
}

fn write_pdf(dir: &Path, pdf: &[u8]) -> std::path::PathBuf {
    let path = dir.join("doc.pdf");
    std::fs::write(&path, pdf).unwrap();
    path
}

fn run(mut cmd: Command) -> String {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// `pdftotext -layout` output.
fn pdf_text(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = write_pdf(dir.path(), pdf);
    let mut cmd = tool("pdftotext");
    cmd.arg("-layout").arg(&path).arg("-");
    run(cmd)
}

/// The text with all white space removed, so that wrapped lines join up.
fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

fn assert_contains_all(text: &str, expected: &[&str]) {
    let squashed = squash(text);
    for e in expected {
        assert!(squashed.contains(&squash(e)), "missing {e:?} in:\n{text}");
    }
}

/// `pdfinfo` as (page count, first page width, first page height) in points.
fn pdf_info(pdf: &[u8]) -> (usize, f32, f32) {
    let dir = tempfile::tempdir().unwrap();
    let path = write_pdf(dir.path(), pdf);
    let mut cmd = tool("pdfinfo");
    cmd.arg(&path);
    let out = run(cmd);
    let pages = out
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let size = out
        .lines()
        .find_map(|l| l.strip_prefix("Page size:"))
        .unwrap();
    let mut nums = size
        .split_whitespace()
        .filter_map(|w| w.parse::<f32>().ok());
    (pages, nums.next().unwrap(), nums.next().unwrap())
}

/// The number of raster images (`pdfimages -list` rows).
fn image_count(pdf: &[u8]) -> usize {
    let dir = tempfile::tempdir().unwrap();
    let path = write_pdf(dir.path(), pdf);
    let mut cmd = tool("pdfimages");
    cmd.arg("-list").arg(&path);
    run(cmd)
        .lines()
        .skip(2)
        .filter(|l| !l.trim().is_empty())
        .count()
}

/// Every QR code on every page, rasterised at 150 dpi.
fn qr_contents(pdf: &[u8]) -> Vec<String> {
    qr_contents_at(pdf, 150)
}

/// Every QR code on every page, rasterised at `dpi`.
fn qr_contents_at(pdf: &[u8], dpi: u32) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let path = write_pdf(dir.path(), pdf);
    let mut cmd = tool("pdftoppm");
    cmd.args(["-r", &dpi.to_string(), "-gray", "-png"])
        .arg(&path)
        .arg(dir.path().join("page"));
    run(cmd);
    let mut found = Vec::new();
    let mut pngs: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "png"))
        .collect();
    pngs.sort();
    assert!(!pngs.is_empty(), "pdftoppm wrote no page image");
    for png in pngs {
        let img = image::open(&png).unwrap().to_luma8();
        let (w, h) = img.dimensions();
        let mut prepared =
            rqrr::PreparedImage::prepare_from_greyscale(w as usize, h as usize, |x, y| {
                img.get_pixel(x as u32, y as u32).0[0]
            });
        for grid in prepared.detect_grids() {
            // An undecodable grid stays in the list, so that the equality
            // assertions of the callers show it.
            match grid.decode() {
                Ok((_, content)) => found.push(content),
                Err(e) => found.push(format!("<undecodable QR in {}: {e:?}>", png.display())),
            }
        }
    }
    found
}

fn decision_fields(id_shown: &str) -> Vec<String> {
    [
        "重庆市渝北区龙兴镇人民政府",
        "当场行政处罚决定书",
        NUMBER,
        "当事人：张三",
        id_shown,
        "2026年11月25日10时05分",
        "渝北区龙兴镇迎龙大道128号门前人行道",
        "未经批准擅自占用人行道摆摊设点经营水果，占道面积约3.5平方米，影响行人通行。",
        VIOLATED,
        PENALTY_BASIS,
        "当事人明确表示放弃陈述、申辩",
        "给予以下行政处罚：罚款",
        "人民币150元（¥150.00）",
        "壹佰伍拾元整",
        "重庆市非税收入电子缴款平台（扫码缴纳）",
        "5001122611250012",
        "最迟于2026年12月10日缴纳",
        "到期不缴纳罚款的，每日按罚款数额的3%加处罚款",
        REMEDY,
        "王建国（执法证号：渝执500112001234）",
        "刘晓燕（执法证号：渝执500112005678）",
        "张三（签名见右）2026年11月25日10时35分",
        "2026年11月25日10时30分",
        "2026年11月25日",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect()
}

fn check_decision(doc: &RenderedDocument, id_shown: &str, id_hidden: &str) -> String {
    let text = pdf_text(&doc.pdf);
    let expected = decision_fields(id_shown);
    assert_contains_all(
        &text,
        &expected.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    assert!(
        !squash(&text).contains(id_hidden),
        "the ID must not appear as {id_hidden}"
    );
    assert!(
        squash(&text).contains(&doc.document_hash),
        "the hash is printed"
    );
    text
}

fn expected_payload(data: &DocumentData) -> String {
    let hash = hex::encode(Sha256::digest(
        canonical_field_json(&data.fields(false)).as_bytes(),
    ));
    format!("ZHIFA-DOC:1:{}:{hash}", data.number().unwrap_or(""))
}

// ---------- the decision ----------

#[test]
fn a4_decision_has_every_mandatory_field_and_both_qr_codes() {
    let data = DocumentData::DecisionOnTheSpot(decision());
    let doc = render(&data, Paper::A4, None).unwrap();
    // The template masks by default.
    check_decision(&doc, ID_MASKED, ID);
    assert_eq!(doc.page_count, 1);
    let (pages, w, h) = pdf_info(&doc.pdf);
    assert_eq!(pages, 1);
    assert!(
        (w - 595.28).abs() < 0.5 && (h - 841.89).abs() < 0.5,
        "A4 is {w} × {h}"
    );
    assert!(
        doc.pdf.len() <= 200 * 1024,
        "one page is {} bytes",
        doc.pdf.len()
    );
    assert_eq!(image_count(&doc.pdf), 1, "the signature image is embedded");

    let payload = expected_payload(&data);
    assert_eq!(doc.verification_payload, payload);
    assert_eq!(doc.document_hash, document_hash(&data));
    let mut qrs = qr_contents(&doc.pdf);
    qrs.sort();
    let mut want = vec![PAY_URL.to_owned(), payload];
    want.sort();
    assert_eq!(qrs, want);
}

#[test]
fn with_a_centre_url_the_verification_qr_is_a_link_to_its_page() {
    let data = DocumentData::DecisionOnTheSpot(decision());
    let template = Template::builtin(data.kind()).unwrap();
    let hash = document_hash(&data);
    for (paper, base) in [
        (Paper::A4, "https://zhifa.example.cn/"),
        (Paper::Thermal80mm, "http://127.0.0.1:8080"),
    ] {
        let opts = RenderOptions {
            paper,
            mask_id: None,
            verification_base: Some(base.to_owned()),
        };
        let doc = render_pdf(&data, &template, fonts(), &opts).unwrap();
        let url = format!("{}/d/{}", base.trim_end_matches('/'), hash.to_uppercase());
        assert_eq!(doc.verification_payload, url);
        assert_eq!(verification_url(base, &hash), url);
        assert_eq!(doc.document_hash, hash, "the hash does not follow the URL");
        assert!(
            QrMatrix::encode(&url).unwrap().width() <= 37,
            "the link stays as small as the text payload"
        );
        // Read at 200 dpi: at 150 dpi rqrr misreads the A4 pair (one grid,
        // `DataEcc`), while the receipt's codes read at 150 dpi too.
        let mut qrs = qr_contents_at(&doc.pdf, 200);
        qrs.sort();
        let mut want = vec![PAY_URL.to_owned(), url];
        want.sort();
        assert_eq!(qrs, want, "{paper:?}");
        // The printed hash stays readable under the link.
        assert!(squash(&pdf_text(&doc.pdf)).contains(&hash), "{paper:?}");
        // Deterministic given the options.
        assert_eq!(
            render_pdf(&data, &template, fonts(), &opts).unwrap().pdf,
            doc.pdf
        );
    }
    // No base (not enrolled), or an empty one: the text payload as before.
    for base in [None, Some("  ".to_owned())] {
        let opts = RenderOptions {
            verification_base: base,
            ..RenderOptions::default()
        };
        let doc = render_pdf(&data, &template, fonts(), &opts).unwrap();
        assert_eq!(doc.verification_payload, expected_payload(&data));
        assert!(qr_contents(&doc.pdf).contains(&expected_payload(&data)));
    }
}

#[test]
fn thermal_decision_unmasked_has_every_field_and_both_qr_codes() {
    let data = DocumentData::DecisionOnTheSpot(decision());
    let doc = render(&data, Paper::Thermal80mm, Some(false)).unwrap();
    check_decision(&doc, ID, ID_MASKED);
    let (pages, w, h) = pdf_info(&doc.pdf);
    assert_eq!(pages, 1, "a receipt is one page");
    assert!((w - 226.77).abs() < 0.5, "80 mm wide, got {w}");
    assert!(h > 841.89, "the receipt grows with the content, got {h}");
    assert!(doc.pdf.len() <= 200 * 1024, "{} bytes", doc.pdf.len());
    let mut qrs = qr_contents(&doc.pdf);
    qrs.sort();
    let mut want = vec![PAY_URL.to_owned(), expected_payload(&data)];
    want.sort();
    assert_eq!(qrs, want);
}

#[test]
fn the_hash_follows_the_content_not_the_print_options() {
    let data = DocumentData::DecisionOnTheSpot(decision());
    let a4 = render(&data, Paper::A4, Some(true)).unwrap();
    let thermal = render(&data, Paper::Thermal80mm, Some(false)).unwrap();
    assert_eq!(
        a4.document_hash, thermal.document_hash,
        "masking and paper do not change the hash"
    );
    assert_eq!(a4.document_hash.len(), 64);

    let mut changed = decision();
    changed.violation_place = "渝北区龙兴镇迎龙大道129号门前人行道".into();
    let other = render(&DocumentData::DecisionOnTheSpot(changed), Paper::A4, None).unwrap();
    assert_ne!(other.document_hash, a4.document_hash);
    assert!(other.verification_payload.ends_with(&other.document_hash));

    let mut fine = decision();
    fine.penalty = Penalty::Fine { amount_fen: 15_001 };
    assert_ne!(
        document_hash(&DocumentData::DecisionOnTheSpot(fine)),
        a4.document_hash
    );

    // Same data, same bytes.
    assert_eq!(render(&data, Paper::A4, Some(true)).unwrap().pdf, a4.pdf);
}

#[test]
fn a_character_outside_the_font_fails_naming_the_field() {
    let mut d = decision();
    d.party = PartyDetails::Individual {
        name: "张\u{20000}".into(),
        sex: None,
        birth_date: None,
        id_kind: "居民身份证".into(),
        id_number: ID.into(),
        address: "重庆市渝北区龙兴镇".into(),
        phone: None,
    };
    let err = render(&DocumentData::DecisionOnTheSpot(d), Paper::A4, None).unwrap_err();
    assert_eq!(err.code(), "DOC_MISSING_GLYPH");
    match err {
        DocumentError::MissingGlyph { field, ch, code } => {
            assert_eq!(field, "party_name");
            assert_eq!(ch, '\u{20000}');
            assert_eq!(code, 0x20000);
        }
        other => panic!("expected MissingGlyph, got {other:?}"),
    }

    let mut d = decision();
    d.facts.push('\u{E000}');
    let err = render(
        &DocumentData::DecisionOnTheSpot(d),
        Paper::Thermal80mm,
        None,
    )
    .unwrap_err();
    assert!(
        matches!(err, DocumentError::MissingGlyph { ref field, code: 0xE000, .. } if field == "facts"),
        "{err:?}"
    );
}

#[test]
fn a_missing_mandatory_field_is_refused() {
    let mut d = decision();
    d.remedy_clause = "  ".into();
    let err = render(&DocumentData::DecisionOnTheSpot(d), Paper::A4, None).unwrap_err();
    assert!(
        matches!(err, DocumentError::MissingField { ref field } if field == "remedy_clause"),
        "{err:?}"
    );
}

#[test]
fn a_refusal_to_sign_prints_the_note_and_no_image() {
    let mut d = decision();
    d.party_signature = PartySignature::Refused {
        reason: "当事人称不认可处罚".into(),
        witness: Some("李四（迎龙村村委会工作人员）".into()),
    };
    let doc = render(&DocumentData::DecisionOnTheSpot(d), Paper::A4, None).unwrap();
    let text = pdf_text(&doc.pdf);
    assert_contains_all(
        &text,
        &[
            "当事人签名：当事人拒绝签名，理由：当事人称不认可处罚；见证人：李四（迎龙村村委会工作人员）",
        ],
    );
    assert!(!squash(&text).contains("签名见右"));
    assert_eq!(image_count(&doc.pdf), 0);
}

#[test]
fn a_long_facts_text_wraps_and_paginates() {
    let mut d = decision();
    let sentence = "经现场检查，当事人在人行道上放置水果摊架2个、遮阳伞1把，并堆放纸箱等杂物（见照片IMG_0001至IMG_0003），";
    d.facts = sentence.repeat(60) + "影响行人通行。";
    let data = DocumentData::DecisionOnTheSpot(d.clone());
    let doc = render(&data, Paper::A4, None).unwrap();
    assert!(doc.page_count > 1, "{} pages", doc.page_count);
    let (pages, _, _) = pdf_info(&doc.pdf);
    assert_eq!(pages, doc.page_count);
    let text = pdf_text(&doc.pdf);
    for n in 1..=doc.page_count {
        assert_contains_all(&text, &[&format!("第 {n} 页 共 {} 页", doc.page_count)]);
    }
    // With the page footers taken out, the facts read through the breaks.
    let body: String = text
        .lines()
        .filter(|l| {
            let l = squash(l);
            !(l.starts_with('第') && l.contains("页共") && l.ends_with('页'))
        })
        .collect::<Vec<_>>()
        .join("\n");
    assert_contains_all(&body, &[&d.facts, REMEDY]);
    // Every line of the body stays inside the page: pdftotext -layout keeps
    // no line much longer than the widest wrapped line.
    let widest = text
        .lines()
        .map(|l| l.trim_end().chars().count())
        .max()
        .unwrap();
    assert!(widest < 120, "a line of {widest} characters did not wrap");
    // The QR codes still decode on whatever page they landed.
    assert!(qr_contents(&doc.pdf).contains(&doc.verification_payload));

    // On a receipt the page grows instead.
    let receipt = render(&data, Paper::Thermal80mm, None).unwrap();
    assert_eq!(receipt.page_count, 1);
    let (_, w, h) = pdf_info(&receipt.pdf);
    assert!((w - 226.77).abs() < 0.5);
    assert!(h > 3.0 * 841.89, "height {h}");
}

// ---------- the other kinds ----------

fn evidence() -> Vec<EvidenceItem> {
    (1..=3)
        .map(|i| EvidenceItem {
            file_name: format!("IMG_000{i}.jpg"),
            captured_at: t(2026, 11, 25, 10, i),
            sha256: hex::encode(Sha256::digest(format!("photo {i}").as_bytes())),
        })
        .collect()
}

#[test]
fn an_inspection_record_lists_the_evidence_hashes() {
    let record = InspectionRecord {
        number: Some("渝北龙兴综执检〔2026〕7号".into()),
        authority: authority(),
        cause: "涉嫌擅自占道经营".into(),
        start: t(2026, 11, 25, 10, 0),
        end: t(2026, 11, 25, 10, 20),
        place: "渝北区龙兴镇迎龙大道128号门前".into(),
        inspectors: officers(),
        recorder: "刘晓燕".into(),
        party: Some(individual()),
        present_person: None,
        witness: Some("李四（迎龙村村委会工作人员）".into()),
        findings: "现场发现当事人在人行道上摆放水果摊架2个，占道面积约3.5平方米。".into(),
        evidence: evidence(),
        party_signature: PartySignature::Signed {
            name: "张三".into(),
            png: signature_png(),
            signed_at: t(2026, 11, 25, 10, 21),
        },
        date: day(2026, 11, 25),
    };
    let data = DocumentData::InspectionRecord(record);
    for paper in [Paper::A4, Paper::Thermal80mm] {
        let doc = render(&data, paper, None).unwrap();
        let text = pdf_text(&doc.pdf);
        let hashes: Vec<String> = evidence().iter().map(|e| e.sha256.clone()).collect();
        let mut expected = vec![
            "重庆市渝北区龙兴镇人民政府",
            "现场检查（勘验）笔录",
            "渝北龙兴综执检〔2026〕7号",
            "案由：涉嫌擅自占道经营",
            "2026年11月25日10时00分至2026年11月25日10时20分",
            "检查地点：渝北区龙兴镇迎龙大道128号门前",
            "王建国（执法证号：渝执500112001234）",
            "刘晓燕（执法证号：渝执500112005678）",
            "记录人：刘晓燕",
            "张三",
            ID_MASKED,
            "见证人：李四（迎龙村村委会工作人员）",
            "执法人员已出示执法证件，并告知当事人有申请回避的权利",
            "现场发现当事人在人行道上摆放水果摊架2个，占道面积约3.5平方米。",
            "IMG_0002.jpg采集时间：2026-11-2510:02:00",
            "以上记录属实。张三（签名见右）",
        ];
        expected.extend(hashes.iter().map(String::as_str));
        assert_contains_all(&text, &expected);
        assert!(
            qr_contents(&doc.pdf).contains(&expected_payload(&data)),
            "{paper:?}"
        );
    }
}

#[test]
fn an_order_to_correct_has_its_mandatory_fields() {
    let order = OrderToCorrect {
        number: "渝北龙兴综执责改〔2026〕3号".into(),
        authority: authority(),
        party: PartyDetails::Organization {
            name: "重庆市渝北区迎龙果蔬经营部".into(),
            uscc: "91500112MA5U1234XK".into(),
            legal_representative: "赵六".into(),
            representative_title: Some("经营者".into()),
            address: "重庆市渝北区龙兴镇迎龙大道130号".into(),
            phone: None,
        },
        facts: "你单位在店铺门前人行道上堆放货物，占道面积约6平方米。".into(),
        violated_provisions: vec![VIOLATED.into()],
        order_basis: vec!["《中华人民共和国行政处罚法》第二十八条第一款".into()],
        requirement: "立即清除占道堆放的货物，恢复人行道通行。".into(),
        deadline: day(2026, 11, 28),
        consequence: "逾期未改正的，本机关将依法予以行政处罚。".into(),
        follow_up: Some("执法人员将于2026年11月29日复查".into()),
        officers: officers(),
        party_signature: PartySignature::Signed {
            name: "赵六".into(),
            png: signature_png(),
            signed_at: t(2026, 11, 25, 11, 0),
        },
        date: day(2026, 11, 25),
    };
    let data = DocumentData::OrderToCorrect(order);
    let doc = render(&data, Paper::A4, None).unwrap();
    let text = pdf_text(&doc.pdf);
    assert_contains_all(
        &text,
        &[
            "重庆市渝北区龙兴镇人民政府",
            "责令（限期）改正通知书",
            "渝北龙兴综执责改〔2026〕3号",
            "重庆市渝北区迎龙果蔬经营部（统一社会信用代码：91500112MA5U1234XK）",
            "经查，你单位在店铺门前人行道上堆放货物，占道面积约6平方米。",
            VIOLATED,
            "《中华人民共和国行政处罚法》第二十八条第一款",
            "立即清除占道堆放的货物，恢复人行道通行。",
            "于2026年11月28日前改正完毕",
            "逾期未改正的，本机关将依法予以行政处罚。",
            "执法人员将于2026年11月29日复查",
            "王建国（执法证号：渝执500112001234）",
            "刘晓燕（执法证号：渝执500112005678）",
            "赵六（签名见右）",
            "2026年11月25日",
        ],
    );
    assert_eq!(image_count(&doc.pdf), 1);
    assert_eq!(
        qr_contents(&doc.pdf),
        vec![expected_payload(&data)],
        "no payment QR on an order"
    );
}

#[test]
fn a_service_receipt_has_its_mandatory_fields() {
    let receipt = ServiceReceipt {
        authority: authority(),
        document_name: "当场行政处罚决定书".into(),
        document_number: NUMBER.into(),
        recipient: "张三".into(),
        place: "渝北区龙兴镇迎龙大道128号".into(),
        method: ServiceMethod::LeftAtPremises,
        received_at: t(2026, 11, 25, 10, 40),
        proxy: None,
        recipient_signature: PartySignature::Refused {
            reason: "拒绝签收".into(),
            witness: Some("李四（迎龙村村委会工作人员）".into()),
        },
        servers: officers(),
        remarks: Some("已将文书留置于当事人经营场所，并全程录像".into()),
        date: day(2026, 11, 25),
    };
    let data = DocumentData::ServiceReceipt(receipt);
    assert_eq!(data.kind(), DocumentKind::ServiceReceipt);
    for paper in [Paper::A4, Paper::Thermal80mm] {
        let doc = render(&data, paper, None).unwrap();
        let text = pdf_text(&doc.pdf);
        assert_contains_all(
            &text,
            &[
                "送达回证",
                "送达文书名称：当场行政处罚决定书",
                NUMBER,
                "受送达人：张三",
                "送达地点：渝北区龙兴镇迎龙大道128号",
                "送达方式：留置送达",
                "收到时间：2026年11月25日10时40分",
                "当事人拒绝签名，理由：拒绝签收；见证人：李四（迎龙村村委会工作人员）",
                "王建国（执法证号：渝执500112001234）",
                "刘晓燕（执法证号：渝执500112005678）",
                "已将文书留置于当事人经营场所，并全程录像",
                "2026年11月25日",
            ],
        );
        assert_eq!(image_count(&doc.pdf), 0);
        assert_eq!(qr_contents(&doc.pdf), vec![expected_payload(&data)]);
    }
}

#[test]
fn a_template_of_another_kind_is_refused() {
    let data = DocumentData::DecisionOnTheSpot(decision());
    let template = Template::builtin(DocumentKind::ServiceReceipt).unwrap();
    let err = render_pdf(&data, &template, fonts(), &RenderOptions::default()).unwrap_err();
    assert_eq!(err.code(), "DOC_TEMPLATE_INVALID");
}

#[test]
fn a_broken_signature_image_is_a_render_error() {
    let mut d = decision();
    d.party_signature = PartySignature::Signed {
        name: "张三".into(),
        png: b"not a png".to_vec(),
        signed_at: t(2026, 11, 25, 10, 35),
    };
    let err = render(&DocumentData::DecisionOnTheSpot(d), Paper::A4, None).unwrap_err();
    assert_eq!(err.code(), "DOC_RENDER");
}

/// 行政处罚法 Art. 52 ¶2: the officers' applied signatures are drawn beside
/// their lines on the decision, the inspection record and the 送达回证 —
/// two images more than the party's — and the document hash (which covers
/// the text, not the images) is the same signed or not.
#[test]
fn the_officers_signatures_are_drawn_beside_their_lines() {
    let mut d = decision();
    let mut r = inspection_record();
    let mut s = service_receipt();
    let unsigned = [
        DocumentData::DecisionOnTheSpot(d.clone()),
        DocumentData::InspectionRecord(r.clone()),
        DocumentData::ServiceReceipt(s.clone()),
    ];
    d.officers = signed_officers();
    r.inspectors = signed_officers();
    s.servers = signed_officers();
    let signed = [
        DocumentData::DecisionOnTheSpot(d),
        DocumentData::InspectionRecord(r),
        DocumentData::ServiceReceipt(s),
    ];
    for (u, sg) in unsigned.iter().zip(&signed) {
        let before = render(u, Paper::A4, None).unwrap();
        let after = render(sg, Paper::A4, None).unwrap();
        assert_eq!(
            image_count(&before.pdf),
            1,
            "{:?}: the party's only",
            u.kind()
        );
        assert_eq!(
            image_count(&after.pdf),
            3,
            "{:?}: party + two officers",
            u.kind()
        );
        assert_eq!(before.document_hash, after.document_hash);
        let text = pdf_text(&after.pdf);
        assert_contains_all(
            &text,
            &[
                "王建国（执法证号：渝执500112001234）",
                "刘晓燕（执法证号：渝执500112005678）",
            ],
        );
        // The receipt carries them too.
        assert_eq!(
            image_count(&render(sg, Paper::Thermal80mm, None).unwrap().pdf),
            3
        );
    }
}

#[test]
fn the_decision_prints_the_document_the_party_showed() {
    // Issue 19: a foreign passport with its nationality and the entered
    // birth date, and a party with no document ("无" where the number
    // would be: the field stays mandatory).
    for (kind, number, birth, shown) in [
        (
            "护照（国籍：美国）",
            "X12345678",
            chrono::NaiveDate::from_ymd_opt(1990, 5, 1),
            vec!["护照（国籍：美国）", "X12345678", "1990年5月1日"],
        ),
        (
            "无证件（身份由当事人陈述，当事人照片存证）",
            "无",
            chrono::NaiveDate::from_ymd_opt(1982, 11, 20),
            vec![
                "无证件（身份由当事人陈述，当事人照片存证）",
                "1982年11月20日",
            ],
        ),
    ] {
        let mut d = decision();
        d.party = PartyDetails::Individual {
            name: "约翰·史密斯".into(),
            sex: None,
            birth_date: birth,
            id_kind: kind.into(),
            id_number: number.into(),
            address: "重庆市渝北区龙兴镇示例路3号".into(),
            phone: None,
        };
        let doc = render(&DocumentData::DecisionOnTheSpot(d), Paper::A4, Some(false)).unwrap();
        assert_contains_all(&pdf_text(&doc.pdf), &shown);
    }
}
