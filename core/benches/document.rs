//! Document rendering benchmarks: a realistic 当场行政处罚决定书 (individual
//! party, 150 元 fine with electronic payment and its QR code, signature
//! image, verification QR) rendered to PDF on A4 and on an 80 mm receipt.
//!
//! ```sh
//! cargo bench -p zhifa-core --bench document
//! cargo bench -p zhifa-core --bench document -- --warm-up-time 1 --measurement-time 3   # quicker
//! ```
//!
//! The goal is ≤ 150 ms per document on the target device class. The font
//! set is built once outside the timed loop, as the app does (one per
//! process). After criterion, a percentile pass renders each paper 50
//! times and prints p50/max and the PDF size.

#![allow(clippy::unwrap_used, clippy::expect_used)] // benchmark code: a failure should abort loudly

use std::hint::black_box;
use std::io::Cursor;
use std::time::{Duration, Instant};

use chrono::{NaiveDate, NaiveDateTime};
use criterion::Criterion;
use zhifa_core::document::fonts::FontSet;
use zhifa_core::document::model::{
    Authority, DecisionOnTheSpot, DocumentData, DocumentKind, Officer, PartyDetails,
    PartySignature, Payment, Penalty, Statement,
};
use zhifa_core::document::template::Template;
use zhifa_core::document::{Paper, RenderOptions, render_pdf};

fn t(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(y, mo, d)
        .unwrap()
        .and_hms_opt(h, mi, 0)
        .unwrap()
}

fn signature_png() -> Vec<u8> {
    let mut img = image::GrayImage::from_pixel(300, 100, image::Luma([255]));
    for x in 10..290u32 {
        let y = (50.0 + 30.0 * ((x as f32) / 25.0).sin()) as u32;
        for yy in y.saturating_sub(2)..(y + 3).min(100) {
            img.put_pixel(x, yy, image::Luma([20]));
        }
    }
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

fn decision() -> DocumentData {
    let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
    DocumentData::DecisionOnTheSpot(DecisionOnTheSpot {
        number: "渝北龙兴综执当罚〔2026〕12号".into(),
        number_provisional: false,
        authority: Authority { name: "重庆市渝北区龙兴镇人民政府".into(), entrusted_by: None },
        party: PartyDetails::Individual {
            name: "张三".into(),
            sex: Some("男".into()),
            birth_date: Some(day(1949, 12, 31)),
            id_kind: "居民身份证".into(),
            id_number: "11010519491231002X".into(),
            address: "重庆市渝北区龙兴镇迎龙大道128号".into(),
            phone: Some("13800138000".into()),
        },
        violation_time: t(2026, 11, 25, 10, 5),
        violation_place: "渝北区龙兴镇迎龙大道128号门前人行道".into(),
        facts: "未经批准擅自占用人行道摆摊设点经营水果，占道面积约3.5平方米，影响行人通行。".into(),
        evidence_summary: "现场照片3张（IMG_0001至IMG_0003），执法记录仪视频1段".into(),
        violated_provisions: vec!["《重庆市市容环境卫生管理条例》第二十五条第一款".into()],
        penalty_provisions: vec!["《重庆市市容环境卫生管理条例》第六十三条第（五）项".into()],
        discretion: Some("重庆市城市管理行政处罚裁量基准CG-001第一阶次".into()),
        statement: Statement::Waived,
        penalty: Penalty::Fine { amount_fen: 15_000 },
        payment: Some(Payment::Electronic {
            channel: "重庆市非税收入电子缴款平台（扫码缴纳）".into(),
            code: Some("5001122611250012".into()),
            qr_content: Some("https://fs.cqczj.gov.cn/pay?code=5001122611250012&amt=15000".into()),
            due: day(2026, 12, 10),
        }),
        remedy_clause: "如不服本决定，可以自收到本决定书之日起六十日内向重庆市渝北区人民政府申请行政复议；\
            对行政复议决定不服的，可以自收到行政复议决定书之日起十五日内依法向人民法院提起行政诉讼。\
            行政复议期间本决定不停止执行。"
            .into(),
        place: "渝北区龙兴镇迎龙大道128号".into(),
        decided_at: t(2026, 11, 25, 10, 30),
        officers: [
            Officer { name: "王建国".into(), credential_number: "渝执500112001234".into(), signature: None },
            Officer { name: "刘晓燕".into(), credential_number: "渝执500112005678".into(), signature: None },
        ],
        party_signature: PartySignature::Signed {
            name: "张三".into(),
            png: signature_png(),
            signed_at: t(2026, 11, 25, 10, 35),
        },
        date: day(2026, 11, 25),
    })
}

fn main() {
    let started = Instant::now();
    let fonts = FontSet::bundled().unwrap();
    println!(
        "FontSet::bundled (once per process): {:?}",
        started.elapsed()
    );
    let template = Template::builtin(DocumentKind::DecisionOnTheSpot).unwrap();
    let data = decision();
    let papers = [("A4", Paper::A4), ("thermal 80 mm", Paper::Thermal80mm)];
    let mut c = Criterion::default().configure_from_args();

    let mut g = c.benchmark_group("render decision");
    for (name, paper) in papers {
        let opts = RenderOptions {
            paper,
            mask_id: None,
            verification_base: None,
        };
        g.bench_function(name, |b| {
            b.iter(|| render_pdf(black_box(&data), &template, &fonts, &opts).unwrap())
        });
    }
    g.finish();
    c.final_summary();

    for (name, paper) in papers {
        let opts = RenderOptions {
            paper,
            mask_id: None,
            verification_base: None,
        };
        let mut times: Vec<Duration> = Vec::with_capacity(50);
        let mut last = None;
        for _ in 0..50 {
            let t = Instant::now();
            let doc = render_pdf(black_box(&data), &template, &fonts, &opts).unwrap();
            times.push(t.elapsed());
            last = Some(doc);
        }
        times.sort_unstable();
        let doc = last.unwrap();
        println!(
            "{name}: 50 renders p50 {:?}, max {:?}; {} page(s), PDF {} bytes ({:.1} KB)",
            times[times.len() / 2],
            times[times.len() - 1],
            doc.page_count,
            doc.pdf.len(),
            doc.pdf.len() as f64 / 1024.0
        );
    }
}
