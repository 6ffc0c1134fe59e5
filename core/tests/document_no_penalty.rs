//! The 不予行政处罚决定书 (issue 19): its fields and the article per ground
//! (行政处罚法 Art. 30, 31, 33 ¶1, 33 ¶2, 36 ¶1), the remedies (行政复议法
//! Art. 20 sixty days, 行政诉讼法 Art. 46 six months), the guardian order of
//! Art. 30/31 as recorded; rendered on A4 (text extracted with poppler) and
//! on both thermal rolls (compared with golden files).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should abort loudly

use zhifa_core::document::fonts::FontSet;
use zhifa_core::document::model::{DocumentData, NoPenaltyGround, PartySignature};
use zhifa_core::document::template::Template;
use zhifa_core::document::{
    Paper, RenderOptions, Roll, TicketOptions, document_hash, render_escpos, render_pdf,
    verification_payload,
};

mod document_support;
use document_support::poppler::pdf_text;
use document_support::*;

fn data(d: zhifa_core::document::model::NoPenaltyDecision) -> DocumentData {
    DocumentData::NoPenaltyDecision(d)
}

#[test]
fn each_ground_names_its_article_and_the_decision_sentence_quotes_it() {
    let cases = [
        (NoPenaltyGround::Under14, "第三十条", "不满十四周岁", true),
        (NoPenaltyGround::Incapacity, "第三十一条", "不能辨认", true),
        (
            NoPenaltyGround::Minor,
            "第三十三条第一款",
            "没有造成危害后果",
            false,
        ),
        (
            NoPenaltyGround::FirstViolation,
            "第三十三条第一款",
            "初次违法",
            false,
        ),
        (
            NoPenaltyGround::NoFault,
            "第三十三条第二款",
            "没有主观过错",
            false,
        ),
        (
            NoPenaltyGround::LimitationExpired,
            "第三十六条第一款",
            "二年内未被发现",
            false,
        ),
    ];
    for (ground, article, words, guardian) in cases {
        let mut d = no_penalty_decision();
        d.ground = ground;
        d.guardian_order = Some("已通知其父亲到场领回".into());
        let f = data(d).fields(true);
        assert_eq!(
            f["ground_article"],
            format!("《中华人民共和国行政处罚法》{article}"),
            "{ground:?}"
        );
        assert!(
            f["decision"].contains(article) && f["decision"].contains(words),
            "{f:?}"
        );
        assert!(f["decision"].ends_with("本机关决定对当事人不予行政处罚。"));
        // The guardian order is printed only where the article orders one,
        // in the article's words followed by what was recorded.
        match f.get("guardian_order") {
            Some(g) if guardian => assert!(
                g.starts_with("责令") && g.ends_with("已通知其父亲到场领回"),
                "{g}"
            ),
            None if !guardian => {}
            other => panic!("{ground:?}: guardian order {other:?}"),
        }
    }
}

#[test]
fn the_fields_state_the_party_facts_ground_education_remedies_and_reference() {
    let d = no_penalty_decision();
    let f = data(d.clone()).fields(true);
    assert_eq!(f["party_name"], "张三");
    assert_eq!(f["party_id_number"], ID_MASKED);
    assert!(f["facts"].contains("占用人行道"));
    assert_eq!(f["ground"], d.ground_recorded);
    assert_eq!(f["education"], d.education);
    assert!(f["remedy_clause"].contains("六十日内向重庆市渝北区人民政府申请行政复议"));
    assert!(f["remedy_clause"].contains("行政复议法》第二十条"));
    assert!(f["remedy_clause"].contains("六个月内依法向人民法院提起行政诉讼"));
    assert!(f["remedy_clause"].contains("行政诉讼法》第四十六条"));
    assert_eq!(f["date"], "2026年11月25日");
    // Unnumbered: identified by its case; numbered: by its number.
    assert!(!f.contains_key("number"));
    assert_eq!(f["document_ref"], format!("案件编号{NO_PENALTY_CASE}"));
    let mut numbered = d;
    numbered.number = Some("渝北龙兴综执不罚〔2026〕3号".into());
    let f = data(numbered).fields(true);
    assert_eq!(f["number"], "渝北龙兴综执不罚〔2026〕3号");
    assert_eq!(f["document_ref"], "文书编号渝北龙兴综执不罚〔2026〕3号");
}

#[test]
fn a_missing_education_record_is_refused_as_a_missing_field() {
    let mut d = no_penalty_decision();
    d.education = "  ".into();
    let t =
        Template::builtin(zhifa_core::document::model::DocumentKind::NoPenaltyDecision).unwrap();
    let err = render_pdf(
        &data(d),
        &t,
        &FontSet::bundled().unwrap(),
        &RenderOptions::default(),
    )
    .unwrap_err();
    assert!(
        matches!(&err, zhifa_core::document::DocumentError::MissingField { field } if field == "education"),
        "{err:?}"
    );
}

#[test]
fn a4_shows_the_article_the_guardian_order_and_the_signatures() {
    let mut d = no_penalty_decision();
    d.ground = NoPenaltyGround::Under14;
    d.ground_recorded = "不满十四周岁（行政处罚法第三十条）".into();
    d.guardian_order = Some("已通知其父亲到场领回".into());
    let data = data(d);
    let t = Template::builtin(data.kind()).unwrap();
    let doc = render_pdf(
        &data,
        &t,
        &FontSet::bundled().unwrap(),
        &RenderOptions {
            paper: Paper::A4,
            mask_id: Some(false),
            verification_base: None,
        },
    )
    .unwrap();
    let text: String = pdf_text(&doc.pdf).split_whitespace().collect();
    for must in [
        "不予行政处罚决定书",
        "重庆市渝北区龙兴镇人民政府",
        "张三",
        ID,
        "《中华人民共和国行政处罚法》第三十条",
        "本机关决定对当事人不予行政处罚",
        "责令监护人加以管教：已通知其父亲到场领回",
        "第三十三条第三款",
        "六十日内",
        "六个月内",
        "王建国",
        "刘晓燕",
        "2026年11月25日",
        &format!("案件编号{NO_PENALTY_CASE}"),
    ] {
        assert!(text.contains(must), "{must} missing from\n{text}");
    }
    assert_eq!(doc.document_hash, document_hash(&data));
}

#[test]
fn the_pending_preview_asks_the_party_to_sign_after_reading() {
    let mut d = no_penalty_decision();
    d.party_signature = PartySignature::Pending;
    let f = data(d).fields(true);
    assert_eq!(f["party_signature"], "（当事人阅读后在此签名）");
}

#[test]
fn it_prints_whole_on_both_rolls_as_the_golden_bytes() {
    let data = data(no_penalty_decision());
    let t = Template::builtin(data.kind()).unwrap();
    for (roll, mm) in [(Roll::Mm58, "58mm"), (Roll::Mm80, "80mm")] {
        let ticket = render_escpos(
            &data,
            &t,
            &TicketOptions {
                roll,
                mask_id: None,
                verification_base: None,
            },
        )
        .unwrap();
        let hash = document_hash(&data);
        assert_eq!(ticket.document_hash, hash);
        assert_eq!(
            ticket.verification_payload,
            verification_payload(None, &hash)
        );
        let (text, _, bad) = encoding_rs::GB18030.decode(&ticket.bytes);
        assert!(!bad);
        let flat: String = text.split_whitespace().collect();
        for must in [
            "不予行政处罚决定书",
            "第三十三条第一款",
            "初次违法",
            "六十日内",
            "六个月内",
        ] {
            assert!(flat.contains(must), "{mm}: {must} missing");
        }
        // The stream ends with the cut (GS V).
        assert!(
            ticket.bytes.windows(2).any(|w| w == [0x1d, b'V']),
            "{mm}: no cut"
        );
        golden(&format!("no-penalty-decision-{mm}.escpos"), &ticket.bytes);
    }
}

/// Compares with the golden file; a missing or changed file is written
/// (outside CI) and the test fails once, so a change is always reviewed.
fn golden(name: &str, bytes: &[u8]) {
    let path = format!("{}/tests/golden/{name}", env!("CARGO_MANIFEST_DIR"));
    match std::fs::read(&path) {
        Ok(old) if old == bytes => {}
        other => {
            assert!(
                std::env::var_os("CI").is_none(),
                "{name} differs from the golden file"
            );
            std::fs::write(&path, bytes).unwrap();
            panic!(
                "{name}: golden file {} written, review and re-run",
                if other.is_ok() { "re" } else { "first" }
            );
        }
    }
}
