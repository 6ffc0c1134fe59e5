//! The ESC/POS tickets (issue 19: print on the spot to 58/80 mm Bluetooth
//! thermal printers). No printer is attached here, so the stream is
//! decoded command by command and checked — Chinese mode, GB 18030 text
//! within the roll's columns, both QR codes as printer commands carrying
//! the same payloads as the PDF, the cut — and compared byte for byte with
//! golden files (`core/tests/golden/*.escpos`; a changed stream rewrites
//! them outside CI and fails once, so a change is always reviewed).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should abort loudly

use zhifa_core::ErrorCode;
use zhifa_core::document::model::{DocumentData, PartyDetails};
use zhifa_core::document::template::Template;
use zhifa_core::document::{
    DocumentError, Roll, Ticket, TicketOptions, document_hash, render_escpos, verification_payload,
};

mod document_support;
use document_support::*;

/// What a printer would do with the stream.
#[derive(Debug, Default)]
struct Printed {
    /// Each printed line: (text, character width factor 1 or 2).
    lines: Vec<(String, u8)>,
    /// The contents of the QR codes stored (`GS ( k … 80 …`).
    qrs: Vec<String>,
    chinese_mode: bool,
    cut: bool,
}

fn decode(bytes: &[u8]) -> Printed {
    let mut out = Printed::default();
    let mut text: Vec<u8> = Vec::new();
    let mut size = 1u8;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i..] {
            [0x1b, 0x40, ..] => i += 2,
            [0x1c, 0x26, ..] => {
                out.chinese_mode = true;
                i += 2;
            }
            [0x1b, b'a' | b'E', _, ..] => i += 3,
            // ESC d n (print and feed n lines) and LF end a line.
            [0x1b, b'd', _, ..] | [0x0a, ..] => {
                let (s, _, bad) = encoding_rs::GB18030.decode(&text);
                assert!(!bad, "not GB 18030: {text:?}");
                if !text.is_empty() {
                    out.lines.push((s.into_owned(), size));
                }
                text.clear();
                i += if bytes[i] == 0x0a { 1 } else { 3 };
            }
            [0x1d, b'!', n, ..] => {
                size = (n >> 4) + 1;
                i += 3;
            }
            [0x1d, b'(', b'k', pl, ph, ..] => {
                let len = usize::from(pl) + 256 * usize::from(ph);
                let body = &bytes[i + 5..i + 5 + len];
                // cn = 49 (QR), fn = 80: store the data.
                if body[..2] == [49, 80] {
                    out.qrs.push(String::from_utf8(body[3..].to_vec()).unwrap());
                }
                i += 5 + len;
            }
            [0x1d, b'V', m, ..] => {
                out.cut = true;
                i += if m >= 65 { 4 } else { 3 };
            }
            [b, ..] => {
                assert!(
                    b >= 0x20 || b == 0x0d,
                    "unknown control byte {b:#04x} at {i}"
                );
                text.push(b);
                i += 1;
            }
            [] => unreachable!(),
        }
    }
    assert!(
        text.is_empty(),
        "text after the last line feed: {text:02x?}"
    );
    out
}

fn width(s: &str) -> usize {
    s.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum()
}

fn ticket(data: &DocumentData, roll: Roll) -> Result<Ticket, DocumentError> {
    let template = Template::builtin(data.kind()).unwrap();
    render_escpos(
        data,
        &template,
        &TicketOptions {
            roll,
            mask_id: None,
            verification_base: None,
        },
    )
}

fn golden(name: &str, bytes: &[u8]) {
    let path = format!("{}/tests/golden/{name}", env!("CARGO_MANIFEST_DIR"));
    let current = std::fs::read(&path).unwrap_or_default();
    if current != bytes {
        if std::env::var_os("CI").is_none() {
            std::fs::create_dir_all(format!("{}/tests/golden", env!("CARGO_MANIFEST_DIR")))
                .unwrap();
            std::fs::write(&path, bytes).unwrap();
        }
        panic!(
            "{path} differed from the stream; rewritten (outside CI): review the diff and rerun"
        );
    }
}

#[test]
fn the_decision_prints_whole_on_both_rolls() {
    let data = DocumentData::DecisionOnTheSpot(decision());
    for (roll, name) in [
        (Roll::Mm58, "decision-58mm.escpos"),
        (Roll::Mm80, "decision-80mm.escpos"),
    ] {
        let t = ticket(&data, roll).unwrap();
        assert!(
            t.bytes.starts_with(&[0x1b, 0x40, 0x1c, 0x26]),
            "init, then Chinese mode"
        );
        let p = decode(&t.bytes);
        assert!(p.chinese_mode && p.cut, "{roll:?}");
        for (line, size) in &p.lines {
            assert!(
                width(line) * usize::from(*size) <= roll.columns(),
                "{roll:?}: {line:?} is wider than the roll"
            );
        }
        let all: String = p.lines.iter().map(|(l, _)| l.as_str()).collect();
        assert!(
            !all.contains("当事人：当事人"),
            "a label printed twice: {all}"
        );
        for must in [
            "张三",
            NUMBER,
            "当场",
            "《重庆市市容环境卫生管理条例》",
            "六十日内",
            "王建国",
            "刘晓燕",
        ] {
            assert!(all.contains(must), "{roll:?}: {must} missing from\n{all}");
        }
        // The ID number follows the template's masking, as the PDF does.
        assert!(all.contains(ID_MASKED) && !all.contains(ID), "{all}");
        // Both QR codes as printer commands: the payment URL, then the
        // verification payload of the very hash the PDF carries.
        let hash = document_hash(&data);
        assert_eq!(t.document_hash, hash);
        assert_eq!(
            p.qrs,
            vec![
                PAY_URL.to_owned(),
                verification_payload(Some(NUMBER), &hash)
            ]
        );
        assert!(all.contains("扫码缴纳罚款") && all.contains("扫码核验文书"));
        // The captured signature is named, not promised "to the right".
        assert!(
            all.contains("签名图像随案存档") && !all.contains("签名见右"),
            "{all}"
        );
        // Same record, same bytes.
        assert_eq!(ticket(&data, roll).unwrap().bytes, t.bytes);
        golden(name, &t.bytes);
    }
}

#[test]
fn with_a_centre_url_the_ticket_qr_is_the_link() {
    let data = DocumentData::DecisionOnTheSpot(decision());
    let template = Template::builtin(data.kind()).unwrap();
    let hash = document_hash(&data);
    let t = render_escpos(
        &data,
        &template,
        &TicketOptions {
            roll: Roll::Mm80,
            mask_id: None,
            verification_base: Some("https://zhifa.example.cn".into()),
        },
    )
    .unwrap();
    let url = format!("https://zhifa.example.cn/d/{}", hash.to_uppercase());
    assert_eq!(t.verification_payload, url);
    assert_eq!(decode(&t.bytes).qrs, vec![PAY_URL.to_owned(), url]);
    assert_eq!(t.document_hash, hash);
}

#[test]
fn a_character_no_thermal_font_has_is_refused_naming_the_field() {
    let mut d = decision();
    if let PartyDetails::Individual { name, .. } = &mut d.party {
        // U+20000, CJK Extension B: four bytes in GB 18030, no glyph in a
        // thermal printer's GBK font.
        *name = "张\u{20000}".into();
    }
    let err = ticket(&DocumentData::DecisionOnTheSpot(d), Roll::Mm80).unwrap_err();
    assert_eq!(err.code(), "DOC_MISSING_GLYPH");
    assert!(
        matches!(&err, DocumentError::MissingGlyph { field, ch, .. } if field == "party_name" && *ch == '\u{20000}'),
        "{err:?}"
    );
}

#[test]
fn a_long_line_wraps_and_closing_punctuation_never_starts_a_line() {
    let mut d = decision();
    d.facts = "当事人在人行道上摆摊设点经营水果，占道面积约三点五平方米，经劝阻后仍未撤离，影响行人通行，，，，".repeat(3);
    let short = decode(
        &ticket(&DocumentData::DecisionOnTheSpot(decision()), Roll::Mm58)
            .unwrap()
            .bytes,
    );
    let t = ticket(&DocumentData::DecisionOnTheSpot(d), Roll::Mm58).unwrap();
    let p = decode(&t.bytes);
    // About 270 columns more of facts: at least six more 32-column lines.
    assert!(
        p.lines.len() >= short.lines.len() + 6,
        "{} vs {}",
        p.lines.len(),
        short.lines.len()
    );
    assert!(
        p.lines
            .iter()
            .all(|(l, _)| !l.starts_with('，') && !l.starts_with('。')),
        "{:?}",
        p.lines
    );
}

/// The 送达回证 and the 现场检查（勘验）笔录 print on both rolls (issue 19):
/// whole, within the roll, with the verification QR of the PDF's hash; an
/// officer who signed on the terminal is named so (行政处罚法 Art. 52 ¶2)
/// and gets no hand-signing line, an unsigned one does.
#[test]
fn the_service_receipt_and_the_inspection_record_print_on_both_rolls() {
    let mut receipt = service_receipt();
    receipt.servers = signed_officers();
    let record = inspection_record();
    let cases = [
        (
            DocumentData::ServiceReceipt(receipt),
            "service-receipt",
            &["送达回证", NUMBER, "张三", "直接送达", "已在执法终端签名"][..],
        ),
        (
            DocumentData::InspectionRecord(record),
            "inspection-record",
            &[
                "现场检查（勘验）笔录",
                "门前三包",
                "张三",
                "王建国",
                "刘晓燕",
            ][..],
        ),
    ];
    for (data, stem, musts) in cases {
        for (roll, mm) in [(Roll::Mm58, "58mm"), (Roll::Mm80, "80mm")] {
            let t = ticket(&data, roll).unwrap();
            let p = decode(&t.bytes);
            assert!(p.chinese_mode && p.cut, "{stem} {roll:?}");
            for (line, size) in &p.lines {
                assert!(
                    width(line) * usize::from(*size) <= roll.columns(),
                    "{stem} {roll:?}: {line:?} is wider than the roll"
                );
            }
            let all: String = p.lines.iter().map(|(l, _)| l.as_str()).collect();
            for must in musts {
                assert!(
                    all.contains(must),
                    "{stem} {roll:?}: {must} missing from\n{all}"
                );
            }
            let hash = document_hash(&data);
            assert_eq!(t.document_hash, hash);
            assert_eq!(p.qrs, vec![verification_payload(data.number(), &hash)]);
            let hand_lines = p
                .lines
                .iter()
                .filter(|(l, _)| l.chars().all(|c| c == '_') && !l.is_empty())
                .count();
            // The receipt: the party's line only (both officers signed on
            // the terminal); the record: the party's and both unsigned
            // inspectors'.
            let expected = if stem == "service-receipt" { 1 } else { 3 };
            assert_eq!(hand_lines, expected, "{stem} {roll:?}\n{all}");
            assert_eq!(ticket(&data, roll).unwrap().bytes, t.bytes);
            golden(&format!("{stem}-{mm}.escpos"), &t.bytes);
        }
    }
}
