//! `zhifa demo`: one whole simple-procedure case on the device's own store,
//! as an officer would run it on patrol — sample catalogue, sample officers
//! and party, a generated photo as evidence — ending with the served
//! decision as PDF and the payment QR as PNG.
//!
//! It sets up what is missing first (catalogue import, officers, township
//! configurations, the device identity, number leases when none is open)
//! and never overwrites anything. With `--repeat N` it runs N cases and
//! prints one JSON line per case as soon as that case is stored (the crash
//! harness reads these lines: a printed case has been committed).

use std::collections::BTreeMap;
use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::{DateTime, Datelike, Duration, Utc};
use clap::Args;
use serde::Serialize;
use uuid::Uuid;
use zhifa_core::case::config::{SERIES_DECISION, SERIES_ORDER};
use zhifa_core::case::numbers::PAYMENT_CODE_SERIES;
use zhifa_core::case::officer_sign::{self, OfficerSignError};
use zhifa_core::case::{self, CaseEvent, CaseParty, NewCase, Service};
use zhifa_core::catalogue;
use zhifa_core::device::{self, Device};
use zhifa_core::document::qr::qr_png;
use zhifa_core::evidence::{self, Capture, EvidenceDir, Fix, IngestOptions, Source, WatermarkFont};
use zhifa_core::rules::assess::{PartyKind, PenaltyKind, ProposedPenalty};
use zhifa_core::rules::identity::citizen_check_character;
use zhifa_core::signin;
use zhifa_core::store::Store;

use crate::Ctx;
use crate::case::{
    DocKindArg, PaperArg, case_document, load_townships, render, write_sealed_durably,
};
use crate::output::{Failure, print_json};

/// The sample catalogue, compiled in so the demo runs from any folder.
const SAMPLE_CATALOGUE: &str = include_str!("../../schema/catalogue/sample/chongqing-sample.json");
/// 龙兴镇 (渝北区) of the sample catalogue.
pub(crate) const TOWNSHIP: &str = "500112108";
/// Its two sample officers.
pub(crate) const OFFICERS: [&str; 2] = ["OFF-LX-01", "OFF-LX-02"];
/// The sample officers' PIN in the demo (sample data only; the app's
/// published sample PIN).
pub(crate) const DEMO_PIN: &str = "246813";
/// 占道经营 (重庆市市容环境卫生管理条例 Art. 18): individual 50–500 元.
const MATTER: &str = "CG-001";
/// The circumstance of its level L2 (5–10 ㎡): 100–250 元.
const CIRCUMSTANCE: &str = "area_5_to_10sqm";
/// The fine proposed and decided: 150 元, within L2 and the Art. 51 limit.
const FINE_FEN: i64 = 15_000;
/// Numbers granted per series when no lease is open (local admin lease).
const LEASE_SIZE: i64 = 100_000;

#[derive(Debug, Args)]
pub(crate) struct DemoArgs {
    /// Run this many cases, printing one JSON line per stored case.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    repeat: u32,
    /// The moment the case happens (RFC 3339), instead of now — for
    /// reproducible runs (the sample calendar covers 2025–2026).
    #[arg(long, value_name = "TIME")]
    at: Option<DateTime<Utc>>,
}

#[derive(Serialize)]
struct EvidenceDoc {
    id: String,
    path: PathBuf,
    sha256: String,
}

#[derive(Serialize)]
struct DemoDoc {
    case_id: Uuid,
    document_number: String,
    pdf: PathBuf,
    payment_qr_png: Option<PathBuf>,
    payment_url: Option<String>,
    evidence: Vec<EvidenceDoc>,
    timings_ms: BTreeMap<&'static str, f64>,
}

/// A photo-like JPEG of a street stall (a gradient with stripes), unique per case.
pub(crate) fn sample_photo(salt: u32) -> Result<Vec<u8>, Failure> {
    let img = image::RgbImage::from_fn(1600, 1200, |x, y| {
        let stripe = ((x / 40 + salt) % 2) as u8 * 40;
        image::Rgb([
            (x * 180 / 1600) as u8 + stripe,
            (y * 160 / 1200) as u8 + 40,
            ((x + y + salt) % 256) as u8 / 2,
        ])
    });
    encode(&img, image::ImageFormat::Jpeg)
}

/// A signature-like stroke on white, as the signature pad produces.
pub(crate) fn sample_signature() -> Result<Vec<u8>, Failure> {
    let mut img = image::GrayImage::from_pixel(360, 120, image::Luma([255]));
    for x in 20..340u32 {
        let t = f64::from(x) / 30.0;
        let y = (60.0 + 30.0 * t.sin() * (t / 3.0).cos()) as u32;
        for dy in 0..4 {
            img.put_pixel(x, (y + dy).min(119), image::Luma([20]));
        }
    }
    encode(&img, image::ImageFormat::Png)
}

fn encode<P: image::PixelWithColorType, C: std::ops::Deref<Target = [P::Subpixel]>>(
    img: &image::ImageBuffer<P, C>,
    format: image::ImageFormat,
) -> Result<Vec<u8>, Failure>
where
    [P::Subpixel]: image::EncodableLayout,
{
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, format)
        .map_err(|e| Failure::internal("DEMO_IMAGE", e.to_string()))?;
    Ok(out.into_inner())
}

/// Imports, loads and grants what the demo needs, leaving what is there.
pub(crate) fn prepare(
    store: &mut Store,
    key: &zhifa_core::store::DbKey,
    now: DateTime<Utc>,
) -> Result<Device, Failure> {
    catalogue::import(store, SAMPLE_CATALOGUE.as_bytes(), now)?;
    if device::officer(store, OFFICERS[0])?.is_none() {
        device::load_officers(store, device::SAMPLE_OFFICERS.as_bytes())?;
    }
    if case::township_config(store, TOWNSHIP)?.is_none() {
        load_townships(
            store,
            zhifa_core::case::config::SAMPLE_TOWNSHIP_CONFIGS,
            now,
        )?;
    }
    let device = Device::load_or_create(store, &device::StoreKeyWrap::new(key), now)?;
    let year = case::beijing(now)?.year();
    case::numbers::top_up_local_leases(
        store,
        TOWNSHIP,
        &[SERIES_DECISION, SERIES_ORDER, PAYMENT_CODE_SERIES],
        year,
        LEASE_SIZE,
        now,
    )?;
    Ok(device)
}

pub(crate) fn party() -> Result<CaseParty, Failure> {
    let body = "50011219850612003";
    let check = citizen_check_character(body)
        .ok_or_else(|| Failure::internal("DEMO_PARTY", "sample ID body is not 17 digits"))?;
    Ok(CaseParty {
        kind: PartyKind::Individual,
        name: "周小川".into(),
        id_number: format!("{body}{check}"),
        phone: Some("13800001234".into()),
        address: "重庆市渝北区龙兴镇示例路1号（样例当事人）".into(),
        representative: None,
        id_kind: None,
        nationality: None,
        birth_date: None,
        no_document_reason: None,
        photo_evidence: None,
    })
}

fn fine() -> ProposedPenalty {
    ProposedPenalty {
        kind: PenaltyKind::Fine,
        amount_fen: Some(FINE_FEN),
        also: Vec::new(),
        band: None,
    }
}

/// Times each step; every step's clock advances a few seconds past the last.
struct Steps {
    timings: BTreeMap<&'static str, f64>,
    clock: DateTime<Utc>,
    fixed: bool,
}

impl Steps {
    fn now(&mut self) -> DateTime<Utc> {
        if self.fixed {
            self.clock += Duration::seconds(20);
        } else {
            self.clock = Utc::now().max(self.clock + Duration::milliseconds(1));
        }
        self.clock
    }

    fn time<T>(
        &mut self,
        name: &'static str,
        f: impl FnOnce(DateTime<Utc>) -> Result<T, Failure>,
    ) -> Result<T, Failure> {
        let now = self.now();
        let t = Instant::now();
        let out = f(now)?;
        *self.timings.entry(name).or_default() += t.elapsed().as_secs_f64() * 1000.0;
        Ok(out)
    }
}

fn one_case(
    store: &mut Store,
    device: &Device,
    data: &Path,
    font: &WatermarkFont,
    steps: &mut Steps,
    salt: u32,
) -> Result<DemoDoc, Failure> {
    let out_dir = data.join("demo");
    let step_start = steps.now();
    let violation_time = case::beijing(step_start - Duration::minutes(10))?;
    let c = steps.time("create", |now| {
        Ok(case::create(
            store,
            &NewCase {
                id: case::uuid_v7(now),
                township: TOWNSHIP.into(),
                matter_code: MATTER.into(),
                violation_time,
                officers: OFFICERS.map(String::from),
            },
            now,
        )?)
    })?;
    let id = c.id;
    let place = "龙兴镇示例路12号门前人行道";
    steps.time("party_and_facts", |now| {
        let event = CaseEvent::RecordPartyAndFacts {
            party: party()?,
            facts: "在示例路人行道上摆摊经营水果，占道面积约6平方米，影响行人通行".into(),
            place: place.into(),
            act_end: None,
            violation_time: None,
        };
        Ok(case::advance(store, id, &event, now)?)
    })?;
    let photo = sample_photo(salt)?;
    let record = steps.time("evidence_photo", |now| {
        let capture = Capture {
            case_id: Some(id),
            case_number: None,
            officer_ids: OFFICERS.map(String::from).to_vec(),
            device_time: now,
            server_offset_ms: None,
            fix: Some(Fix {
                lat: 29.712_3,
                lon: 106.823_4,
                accuracy_m: Some(6.0),
            }),
            place: Some(place.into()),
            original_name: Some(format!("demo-{salt}.jpg")),
        };
        let dir = EvidenceDir::new(data.join("evidence"));
        let mut reader = Cursor::new(&photo);
        let opts = IngestOptions {
            font: Some(font),
            after_files_durable: None,
        };
        Ok(evidence::ingest(
            store,
            device,
            &dir,
            Source::Reader(&mut reader),
            &capture,
            &opts,
        )?)
    })?;
    let evidence_path = std::path::absolute(
        EvidenceDir::new(data.join("evidence"))
            .original_path(&record.meta.sha256, &record.meta.ext),
    )
    .map_err(|e| Failure::internal("DEMO_PATH", e.to_string()))?;
    steps.time("attach_evidence", |now| {
        let event = CaseEvent::AttachEvidence {
            evidence_ids: vec![
                record
                    .meta
                    .id
                    .parse()
                    .map_err(|_| Failure::internal("DEMO_ID", "evidence id"))?,
            ],
            summary: format!("现场照片1张（SHA-256 {}…）", &record.meta.sha256[..16]),
            no_evidence_reason: None,
        };
        Ok(case::advance(store, id, &event, now)?)
    })?;
    steps.time("show_credentials", |now| {
        Ok(case::advance(store, id, &CaseEvent::ShowCredentials, now)?)
    })?;
    steps.time("inform_rights", |now| {
        let event = CaseEvent::InformRights {
            proposed: fine(),
            content: "拟对当事人占道经营的行为处以罚款人民币150元；事实、理由和依据已当场告知，并告知其享有陈述、申辩的权利".into(),
        };
        Ok(case::advance(store, id, &event, now)?)
    })?;
    steps.time("statement", |now| {
        let event = CaseEvent::HearStatement {
            text: "当事人称刚到此处摆摊，愿意立即收摊".into(),
            review:
                "经复核，当事人已占道经营，陈述不影响违法事实认定；已立即收摊，在裁量阶次内从轻"
                    .into(),
        };
        Ok(case::advance(store, id, &event, now)?)
    })?;
    steps.time("decide", |now| {
        let event = CaseEvent::Decide {
            penalty: fine(),
            circumstances: vec![CIRCUMSTANCE.into()],
            deviation_reason: None,
            place: place.into(),
        };
        Ok(case::advance(store, id, &event, now)?)
    })?;
    let issued = steps.time("issue", |now| {
        Ok(case::advance(store, id, &CaseEvent::Issue, now)?)
    })?;
    // 行政处罚法 Art. 52 ¶2: both officers sign the issued decision, each
    // with the PIN (sample officers enrolled with the sample PIN on first
    // need, their signature captured once).
    steps.time("officers_sign", |now| {
        let png = sample_signature()?;
        for o in OFFICERS {
            if signin::enrolment(store, o, now)
                .map_err(OfficerSignError::from)?
                .is_none()
            {
                signin::enrol(store, o, DEMO_PIN, now).map_err(OfficerSignError::from)?;
            }
            let first = officer_sign::stored(store, o)?.is_none();
            officer_sign::sign_decision(
                store,
                id,
                o,
                DEMO_PIN,
                first.then_some(png.as_slice()),
                now,
            )?;
        }
        Ok(())
    })?;
    let signature = sample_signature()?;
    steps.time("serve", |now| {
        let event = CaseEvent::Serve {
            service: Service::Signed {
                name: party()?.name,
                png: signature,
            },
        };
        Ok(case::advance(store, id, &event, now)?)
    })?;
    let issue = issued
        .issue
        .ok_or_else(|| Failure::internal("DEMO_ISSUE", "issued case without its issue record"))?;
    let pdf_path = out_dir.join(format!("{id}.pdf"));
    steps.time("render_pdf", |_| {
        let data = case_document(store, id, DocKindArg::Decision)?;
        let doc = render(store, TOWNSHIP, &data, PaperArg::A4, false)?;
        write_sealed_durably(store, &pdf_path, &doc.pdf)
    })?;
    let qr_path = match &issue.payment_url {
        Some(url) => {
            let path = out_dir.join(format!("{id}-payment-qr.png"));
            steps.time("payment_qr", |_| {
                write_sealed_durably(store, &path, &qr_png(url, 8)?)
            })?;
            Some(path)
        }
        None => None,
    };
    let abs = |p: PathBuf| std::path::absolute(&p).unwrap_or(p);
    Ok(DemoDoc {
        case_id: id,
        document_number: issue.number,
        pdf: abs(pdf_path),
        payment_qr_png: qr_path.map(abs),
        payment_url: issue.payment_url,
        evidence: vec![EvidenceDoc {
            id: record.meta.id,
            path: evidence_path,
            sha256: record.meta.sha256,
        }],
        timings_ms: std::mem::take(&mut steps.timings),
    })
}

pub(crate) fn run(ctx: &Ctx, args: DemoArgs) -> Result<(), Failure> {
    let (mut store, key, data) = crate::store::open_keyed(ctx)?;
    let start = args.at.unwrap_or_else(Utc::now);
    let device = prepare(&mut store, &key, start)?;
    let font = WatermarkFont::bundled()?;
    let mut steps = Steps {
        timings: BTreeMap::new(),
        clock: start,
        fixed: args.at.is_some(),
    };
    // Each case gets its own photo: the salt continues from the cases
    // already stored, so repeated runs never capture identical bytes.
    let base = u32::try_from(case::list(&store, None)?.len()).unwrap_or(u32::MAX);
    for i in 0..args.repeat {
        let salt = base.wrapping_add(i);
        let doc = one_case(&mut store, &device, &data, &font, &mut steps, salt)?;
        if args.repeat == 1 {
            if ctx.json {
                print_json(&doc)?;
            } else {
                println!("案件 {} 已送达：{}", doc.case_id, doc.document_number);
                println!("决定书: {}", doc.pdf.display());
                if let Some(q) = &doc.payment_qr_png {
                    println!("缴款二维码: {}", q.display());
                }
                println!("证据原件: {}", doc.evidence[0].path.display());
            }
        } else {
            // One line per stored case, flushed, so a reader killed with us
            // still knows exactly which cases were committed.
            let line = serde_json::to_string(&doc)
                .map_err(|e| Failure::internal("OUTPUT", e.to_string()))?;
            let mut out = std::io::stdout().lock();
            writeln!(out, "{line}")
                .and_then(|()| out.flush())
                .map_err(|e| Failure::stdout(&e))?;
        }
    }
    Ok(())
}
