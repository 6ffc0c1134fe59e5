//! The 卷宗 as one PDF: rendered documents of a normal-procedure case are
//! handed over out of order, merged in the order of the case-file review
//! standard, and read back with poppler: the 目录's page numbers are the
//! pages where each document's title appears (and where the page stamp
//! says so), the evidence hashes and the timeline are printed, and the
//! cover and 目录 carry no page number.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Cursor;
use std::sync::OnceLock;

use zhifa_core::document::dossier::{
    Dossier, DossierCover, DossierEntry, DossierEvidence, EVIDENCE_TITLE, EntryKind, Retention,
    TIMELINE_TITLE, TimelineStep, dossier_order, render_dossier,
};
use zhifa_core::document::fonts::FontSet;
use zhifa_core::document::model::{DocumentData, DocumentKind};
use zhifa_core::document::template::Template;
use zhifa_core::document::{DocumentError, RenderOptions, render_pdf};

mod document_support;
use document_support::normal as normal_fixtures;
use document_support::poppler::*;
use document_support::*;

fn fonts() -> &'static FontSet {
    static F: OnceLock<FontSet> = OnceLock::new();
    F.get_or_init(|| FontSet::bundled().unwrap())
}

fn pdf_of(data: DocumentData) -> Vec<u8> {
    let t = Template::builtin(data.kind()).unwrap();
    render_pdf(&data, &t, fonts(), &RenderOptions::default())
        .unwrap()
        .pdf
}

fn entry(data: DocumentData, date: chrono::NaiveDate) -> DossierEntry {
    DossierEntry {
        kind: EntryKind::Document(data.kind()),
        title: data.kind().title_zh().to_owned(),
        date,
        pdf: pdf_of(data),
    }
}

fn jpeg() -> Vec<u8> {
    let img = image::RgbImage::from_fn(160, 120, |x, y| {
        image::Rgb([(x % 256) as u8, (y * 2 % 256) as u8, 90])
    });
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
    out.into_inner()
}

const HASH_1: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
const HASH_2: &str = "60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752";

fn dossier() -> Dossier {
    // Handed over out of order: decision, interview (2 pages), filing, receipt.
    let mut receipt = receipt_fixture();
    receipt.document_name = "行政处罚决定书".into();
    Dossier {
        cover: DossierCover {
            authority: "重庆市渝北区龙兴镇人民政府".into(),
            case_title: "重庆市渝北区龙兴镇鑫旺建材经营部未按规定处置建筑垃圾案".into(),
            case_number: "渝北龙兴立字〔2026〕第31号".into(),
            party: "重庆市渝北区龙兴镇鑫旺建材经营部".into(),
            decision_number: Some(normal_fixtures::DECISION_NUMBER.into()),
            result: "警告，并处罚款人民币12000元，已缴纳".into(),
            filed_on: day(2026, 11, 5),
            closed_on: day(2026, 12, 28),
            retention: Retention::Years(30),
            archivist: "刘晓燕".into(),
        },
        entries: vec![
            entry(
                DocumentData::PenaltyDecision(normal_fixtures::penalty_decision()),
                day(2026, 12, 18),
            ),
            entry(
                DocumentData::InterviewRecord(normal_fixtures::interview_record(30)),
                day(2026, 11, 6),
            ),
            entry(DocumentData::ServiceReceipt(receipt), day(2026, 12, 19)),
            entry(
                DocumentData::FilingApproval(normal_fixtures::filing_approval()),
                day(2026, 11, 5),
            ),
        ],
        evidence: vec![
            DossierEvidence {
                description: "两江大道旁空地倾倒的建筑垃圾全景".into(),
                captured_at: t(2026, 11, 3, 9, 35),
                place: "渝北区龙兴镇两江大道旁空地".into(),
                officer: "王建国（渝执500112001234）".into(),
                sha256: HASH_1.into(),
                thumbnail: Some(jpeg()),
            },
            DossierEvidence {
                description: "执法记录仪视频".into(),
                captured_at: t(2026, 11, 3, 9, 40),
                place: "渝北区龙兴镇两江大道旁空地".into(),
                officer: "刘晓燕（渝执500112005678）".into(),
                sha256: HASH_2.into(),
                thumbnail: Some(signature_png()),
            },
        ],
        timeline: vec![
            TimelineStep {
                at: t(2026, 11, 5, 9, 0),
                step: "立案".into(),
                actor_role: "负责人".into(),
                article: "行政处罚法第五十四条第二款".into(),
            },
            TimelineStep {
                at: t(2026, 12, 18, 10, 0),
                step: "作出行政处罚决定".into(),
                actor_role: "负责人".into(),
                article: "行政处罚法第五十七条、第五十九条".into(),
            },
        ],
    }
}

fn receipt_fixture() -> zhifa_core::document::model::ServiceReceipt {
    use zhifa_core::document::model::{PartySignature, ServiceMethod, ServiceReceipt};
    ServiceReceipt {
        authority: authority(),
        document_name: String::new(),
        document_number: normal_fixtures::DECISION_NUMBER.into(),
        recipient: "重庆市渝北区龙兴镇鑫旺建材经营部".into(),
        place: "重庆市渝北区龙兴镇工业园区8号".into(),
        method: ServiceMethod::Direct,
        received_at: t(2026, 12, 19, 10, 0),
        proxy: None,
        recipient_signature: PartySignature::Signed {
            name: "李四".into(),
            png: signature_png(),
            signed_at: t(2026, 12, 19, 10, 1),
        },
        servers: officers(),
        remarks: None,
        date: day(2026, 12, 19),
    }
}

#[test]
fn the_toc_points_at_the_pages_where_each_document_begins() {
    let d = dossier();
    let r = render_dossier(&d, fonts()).unwrap();
    if let Ok(dir) = std::env::var("ZHIFA_RENDER_DUMP") {
        std::fs::write(std::path::Path::new(&dir).join("dossier.pdf"), &r.pdf).unwrap();
    }
    assert_eq!(page_count(&r.pdf), r.page_count);
    // The order of the standard: 立案 → 调查 → 决定 → 送达, then evidence, timeline.
    let titles: Vec<&str> = r.toc.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(
        titles,
        [
            "立案审批表",
            "询问笔录",
            "行政处罚决定书",
            "送达回证",
            EVIDENCE_TITLE,
            TIMELINE_TITLE
        ]
    );
    // The interview record has two pages or more, so the pages differ from the ranks.
    assert_eq!(r.toc[0].1, 1);
    assert!(r.toc[2].1 >= r.toc[1].1 + 2, "{:?}", r.toc);

    // The cover: every field, and no page number.
    let cover = page_text(&r.pdf, 1);
    assert_contains_all(
        &cover,
        &[
            "行政处罚案卷",
            "渝北龙兴立字〔2026〕第31号",
            "未按规定处置建筑垃圾案",
            normal_fixtures::DECISION_NUMBER,
            "警告，并处罚款人民币12000元，已缴纳",
            "2026年11月5日",
            "2026年12月28日",
            "30年",
            "刘晓燕",
        ],
    );
    assert!(!cover.contains("卷内第"));

    // The 目录 prints each title with its page number, and that page is it.
    let mut toc_text = String::new();
    for n in 2..=r.front_pages {
        let t = page_text(&r.pdf, n);
        assert!(!t.contains("卷内第"), "目录 page {n} is numbered");
        toc_text.push_str(&t);
    }
    assert!(toc_text.contains("卷内目录"));
    for (title, page) in &r.toc {
        let row = toc_text
            .lines()
            .find(|l| l.contains(title.as_str()))
            .unwrap_or_else(|| panic!("{title} not in the 目录:\n{toc_text}"));
        assert_eq!(
            row.split_whitespace().last(),
            Some(page.to_string().as_str()),
            "目录 row {row:?}"
        );
        let physical = r.front_pages + page;
        let text = page_text(&r.pdf, physical);
        let squashed = squash(&text);
        assert!(
            squashed.contains(&squash(title)),
            "{title} not on page {physical}:\n{text}"
        );
        assert!(squashed.contains(&format!("卷内第{page}页")), "{text}");
    }

    // Evidence: hashes, places, officers; the timeline with its articles.
    let all = pdf_text(&r.pdf);
    assert_contains_all(
        &all,
        &[
            HASH_1,
            HASH_2,
            "两江大道旁空地倾倒的建筑垃圾全景",
            "王建国（渝执500112001234）",
            "2026年11月3日09时35分",
            "行政处罚法第五十四条第二款",
            "作出行政处罚决定",
        ],
    );
    // The documents' own text came through unchanged (the decision's hash line).
    assert!(squash(&all).contains("渝北龙兴罚决字〔2026〕第7号"));
    // The 2 thumbnails plus the embedded signature images are images of the file.
    let last = page_text(&r.pdf, r.page_count);
    assert!(squash(&last).contains(&format!("卷内第{}页", r.page_count - r.front_pages)));
}

#[test]
fn the_order_is_the_standards_stages() {
    use DocumentKind as K;
    let stages = [
        K::FilingApproval,
        K::InspectionRecord,
        K::InterviewRecord,
        K::PreservationNotice,
        K::InvestigationReport,
        K::PriorNotice,
        K::StatementRecord,
        K::HearingNotice,
        K::HearingRecord,
        K::HearingReport,
        K::LegalReview,
        K::CollectiveDiscussion,
        K::PenaltyDecision,
        K::ElectronicServiceConsent,
        K::ServiceReceipt,
        K::Reminder,
        K::CourtApplication,
        K::ClosingApproval,
    ];
    for w in stages.windows(2) {
        assert!(
            dossier_order(EntryKind::Document(w[0])) < dossier_order(EntryKind::Document(w[1])),
            "{:?} before {:?}",
            w[0],
            w[1]
        );
    }
    assert!(
        dossier_order(EntryKind::Hearing) > dossier_order(EntryKind::Document(K::StatementRecord))
    );
    assert!(
        dossier_order(EntryKind::Hearing) < dossier_order(EntryKind::Document(K::PenaltyDecision))
    );
    assert!(
        dossier_order(EntryKind::Payment) > dossier_order(EntryKind::Document(K::ServiceReceipt))
    );
    assert!(
        dossier_order(EntryKind::Other) > dossier_order(EntryKind::Document(K::ClosingApproval))
    );
    for k in DocumentKind::ALL {
        assert!(
            dossier_order(EntryKind::Document(k)) < 900,
            "{k:?} has no rank"
        );
    }
}

#[test]
fn a_bad_entry_or_a_blank_cover_is_refused() {
    let mut d = dossier();
    d.cover.archivist = " ".into();
    assert!(matches!(
        render_dossier(&d, fonts()),
        Err(DocumentError::MissingField { field }) if field == "cover.archivist"
    ));
    let mut d = dossier();
    d.entries[0].pdf = b"not a pdf".to_vec();
    assert!(matches!(
        render_dossier(&d, fonts()),
        Err(DocumentError::Render { .. })
    ));
    let mut d = dossier();
    d.evidence[0].sha256.clear();
    assert!(matches!(
        render_dossier(&d, fonts()),
        Err(DocumentError::MissingField { field }) if field == "evidence[0].sha256"
    ));
    let mut d = dossier();
    d.evidence[0].thumbnail = Some(b"GIF89a".to_vec());
    assert!(matches!(
        render_dossier(&d, fonts()),
        Err(DocumentError::Render { .. })
    ));
}
