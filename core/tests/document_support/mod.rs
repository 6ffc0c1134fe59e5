//! Realistic documents shared by the renderers' tests (PDF and ESC/POS):
//! a 当场处罚决定书 with its party, officers, payment and signature.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)] // test support: each test binary uses a part

pub(crate) mod normal;
pub(crate) mod poppler;

use std::io::Cursor;

use chrono::{NaiveDate, NaiveDateTime};
use zhifa_core::document::model::{
    Authority, DecisionOnTheSpot, EvidenceItem, InspectionRecord, NoPenaltyDecision,
    NoPenaltyGround, Officer, OfficerSignature, PartyDetails, PartySignature, Payment, Penalty,
    ServiceMethod, ServiceReceipt, Statement, no_penalty_remedy_clause,
};

pub(crate) const ID: &str = "11010519491231002X";
pub(crate) const ID_MASKED: &str = "110105********002X";
pub(crate) const NUMBER: &str = "渝北龙兴综执当罚〔2026〕12号";
pub(crate) const PAY_URL: &str = "https://fs.cqczj.gov.cn/pay?code=5001122611250012&amt=15000";
pub(crate) const REMEDY: &str = "如不服本决定，可以自收到本决定书之日起六十日内向重庆市渝北区人民政府申请行政复议；\
对行政复议决定不服的，可以自收到行政复议决定书之日起十五日内依法向人民法院提起行政诉讼。\
行政复议期间本决定不停止执行。";
pub(crate) const VIOLATED: &str = "《重庆市市容环境卫生管理条例》第二十五条第一款";
pub(crate) const PENALTY_BASIS: &str = "《重庆市市容环境卫生管理条例》第六十三条第（五）项";

pub(crate) fn t(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(y, mo, d)
        .unwrap()
        .and_hms_opt(h, mi, 0)
        .unwrap()
}

pub(crate) fn day(y: i32, mo: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, mo, d).unwrap()
}

/// A signature-like stroke: a dark sine wave on white, as a PNG.
pub(crate) fn signature_png() -> Vec<u8> {
    let mut img = image::GrayImage::from_pixel(300, 100, image::Luma([255]));
    for x in 10..290u32 {
        let y = 50.0 + 30.0 * ((x as f32) / 25.0).sin();
        for dy in -2i32..=2 {
            let yy = (y as i32 + dy).clamp(0, 99) as u32;
            img.put_pixel(x, yy, image::Luma([20]));
        }
    }
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

pub(crate) fn authority() -> Authority {
    Authority {
        name: "重庆市渝北区龙兴镇人民政府".into(),
        entrusted_by: None,
    }
}

pub(crate) fn officers() -> [Officer; 2] {
    [
        Officer {
            name: "王建国".into(),
            credential_number: "渝执500112001234".into(),
            signature: None,
        },
        Officer {
            name: "刘晓燕".into(),
            credential_number: "渝执500112005678".into(),
            signature: None,
        },
    ]
}

pub(crate) fn individual() -> PartyDetails {
    PartyDetails::Individual {
        name: "张三".into(),
        sex: Some("男".into()),
        birth_date: Some(day(1949, 12, 31)),
        id_kind: "居民身份证".into(),
        id_number: ID.into(),
        address: "重庆市渝北区龙兴镇迎龙大道128号".into(),
        phone: Some("13800138000".into()),
    }
}

pub(crate) fn decision() -> DecisionOnTheSpot {
    DecisionOnTheSpot {
        number: NUMBER.into(),
        number_provisional: false,
        authority: authority(),
        party: individual(),
        violation_time: t(2026, 11, 25, 10, 5),
        violation_place: "渝北区龙兴镇迎龙大道128号门前人行道".into(),
        facts: "未经批准擅自占用人行道摆摊设点经营水果，占道面积约3.5平方米，影响行人通行。".into(),
        evidence_summary: "现场照片3张（IMG_0001至IMG_0003），执法记录仪视频1段".into(),
        violated_provisions: vec![VIOLATED.into()],
        penalty_provisions: vec![PENALTY_BASIS.into()],
        discretion: Some("重庆市城市管理行政处罚裁量基准CG-001第一阶次".into()),
        statement: Statement::Waived,
        penalty: Penalty::Fine { amount_fen: 15_000 },
        payment: Some(Payment::Electronic {
            channel: "重庆市非税收入电子缴款平台（扫码缴纳）".into(),
            code: Some("5001122611250012".into()),
            qr_content: Some(PAY_URL.into()),
            due: day(2026, 12, 10),
        }),
        remedy_clause: REMEDY.into(),
        place: "渝北区龙兴镇迎龙大道128号".into(),
        decided_at: t(2026, 11, 25, 10, 30),
        officers: officers(),
        party_signature: PartySignature::Signed {
            name: "张三".into(),
            png: signature_png(),
            signed_at: t(2026, 11, 25, 10, 35),
        },
        date: day(2026, 11, 25),
    }
}

/// A different stroke for each officer (行政处罚法 Art. 52 ¶2), so the
/// images are told apart from the party's.
pub(crate) fn officer_png(seed: u32) -> Vec<u8> {
    let mut img = image::GrayImage::from_pixel(240, 90, image::Luma([255]));
    for x in 8..232u32 {
        let y = 45 + ((x * (3 + seed)) % 30) as i32 - 15;
        for dy in -1i32..=1 {
            img.put_pixel(x, (y + dy).clamp(0, 89) as u32, image::Luma([10]));
        }
    }
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// The two officers, each with a signature applied.
pub(crate) fn signed_officers() -> [Officer; 2] {
    let [mut a, mut b] = officers();
    a.signature = Some(OfficerSignature {
        png: officer_png(1),
        signed_at: t(2026, 11, 25, 10, 31),
    });
    b.signature = Some(OfficerSignature {
        png: officer_png(2),
        signed_at: t(2026, 11, 25, 10, 32),
    });
    [a, b]
}

/// A 现场检查（勘验）笔录 signed by the party.
pub(crate) fn inspection_record() -> InspectionRecord {
    InspectionRecord {
        number: None,
        authority: authority(),
        cause: "“综合查一次”联合检查（沿街商铺）".into(),
        start: t(2026, 11, 25, 10, 0),
        end: t(2026, 11, 25, 10, 20),
        place: "渝北区龙兴镇迎龙大道128号".into(),
        inspectors: officers(),
        recorder: "刘晓燕".into(),
        party: Some(individual()),
        present_person: None,
        witness: None,
        findings: "1. 门前三包：不符合（门前堆放纸箱），责令改正。".into(),
        evidence: vec![EvidenceItem {
            file_name: "IMG_0001.jpg".into(),
            captured_at: t(2026, 11, 25, 10, 5),
            sha256: "ab".repeat(32),
        }],
        party_signature: PartySignature::Signed {
            name: "张三".into(),
            png: signature_png(),
            signed_at: t(2026, 11, 25, 10, 21),
        },
        date: day(2026, 11, 25),
    }
}

/// The 送达回证 of the decision, signed by the party.
pub(crate) fn service_receipt() -> ServiceReceipt {
    ServiceReceipt {
        authority: authority(),
        document_name: "当场行政处罚决定书".into(),
        document_number: NUMBER.into(),
        recipient: "张三".into(),
        place: "渝北区龙兴镇迎龙大道128号".into(),
        method: ServiceMethod::Direct,
        received_at: t(2026, 11, 25, 10, 40),
        proxy: None,
        recipient_signature: PartySignature::Signed {
            name: "张三".into(),
            png: signature_png(),
            signed_at: t(2026, 11, 25, 10, 40),
        },
        servers: officers(),
        remarks: None,
        date: day(2026, 11, 25),
    }
}

/// The case id an unnumbered 不予行政处罚决定书 is identified by.
pub(crate) const NO_PENALTY_CASE: &str = "019ab3c4-5d6e-7f80-9a1b-2c3d4e5f6a7b";

/// A 首违不罚 不予行政处罚决定书 (行政处罚法 Art. 33 ¶1), both officers
/// signed, the party signed.
pub(crate) fn no_penalty_decision() -> NoPenaltyDecision {
    NoPenaltyDecision {
        number: None,
        case_ref: NO_PENALTY_CASE.into(),
        authority: authority(),
        party: individual(),
        violation_time: t(2026, 11, 25, 10, 5),
        violation_place: "渝北区龙兴镇迎龙大道128号门前人行道".into(),
        facts: "未经批准擅自占用人行道摆摊设点经营水果，占道面积约1平方米，经劝阻当场收摊。".into(),
        evidence_summary: "现场照片2张（IMG_0001、IMG_0002）".into(),
        violated_provisions: vec![VIOLATED.into()],
        ground: NoPenaltyGround::FirstViolation,
        ground_recorded: "初次违法且危害后果轻微并及时改正（第三十三条第一款）".into(),
        education: "已当场宣讲《重庆市市容环境卫生管理条例》，当事人已收摊并表示不再占道".into(),
        guardian_order: None,
        remedy_clause: no_penalty_remedy_clause("重庆市渝北区人民政府", None),
        place: "渝北区龙兴镇迎龙大道128号".into(),
        decided_at: t(2026, 11, 25, 10, 30),
        officers: signed_officers(),
        party_signature: PartySignature::Signed {
            name: "张三".into(),
            png: signature_png(),
            signed_at: t(2026, 11, 25, 10, 35),
        },
        date: day(2026, 11, 25),
    }
}
