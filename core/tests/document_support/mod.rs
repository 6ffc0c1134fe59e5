//! Realistic documents shared by the renderers' tests (PDF and ESC/POS):
//! a 当场处罚决定书 with its party, officers, payment and signature.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)] // test support: each test binary uses a part

pub(crate) mod normal;
pub(crate) mod poppler;

use std::io::Cursor;

use chrono::{NaiveDate, NaiveDateTime};
use zhifa_core::document::model::{
    Authority, DecisionOnTheSpot, Officer, PartyDetails, PartySignature, Payment, Penalty,
    Statement,
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
        },
        Officer {
            name: "刘晓燕".into(),
            credential_number: "渝执500112005678".into(),
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
