//! `zhifa inspection …`: joint inspections (综合查一次) on the device store —
//! the scenarios of the catalogue, a merged checklist, the inspections and
//! tasks on record, and `demo`, which runs one whole joint inspection on
//! the sample data: a merged checklist of several departments, a photo as
//! evidence, orders to correct, referrals, the 现场检查（勘验）笔录 and the
//! orders as PDF.

use std::io::Cursor;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use clap::{Args, Subcommand};
use serde::Serialize;
use uuid::Uuid;
use zhifa_core::ErrorCode;
use zhifa_core::case::{self, beijing, uuid_v7};
use zhifa_core::document::model::PartySignature;
use zhifa_core::evidence::{self, Capture, EvidenceDir, Fix, IngestOptions, Source, WatermarkFont};
use zhifa_core::inspection::{
    self, FinishInput, InspectionError, NewInspection, Outcome, OutcomeChoice, Verdict, task,
};
use zhifa_core::store::Store;

use crate::Ctx;
use crate::case::{PaperArg, render, write_sealed_durably};
use crate::demo::{OFFICERS, TOWNSHIP, party, prepare, sample_photo, sample_signature};
use crate::output::{Failure, print_json};

impl From<InspectionError> for Failure {
    fn from(e: InspectionError) -> Self {
        let device_failure = match &e {
            InspectionError::Store(_) | InspectionError::Corrupt(_) => true,
            InspectionError::Catalogue(c) => !c.is_bad_input(),
            InspectionError::Case(c) => {
                matches!(c, case::CaseError::Store(_) | case::CaseError::Corrupt(_))
            }
            _ => false,
        };
        if device_failure {
            Failure::internal(e.code(), e.to_string())
        } else {
            Failure::bad_input(e.code(), e.to_string())
        }
    }
}

#[derive(Debug, Subcommand)]
pub(crate) enum InspectionCmd {
    /// The joint-inspection scenarios of the catalogue in force.
    Scenarios(OnArgs),
    /// The merged checklist of one or more scenarios.
    Checklist(ChecklistArgs),
    /// The inspections on this device.
    List,
    /// One inspection with its findings.
    Show {
        /// The inspection id.
        id: Uuid,
    },
    /// Tasks on this device: follow-up checks and assigned tasks.
    Tasks,
    /// The 亮码 of an inspection, made offline from the certificate the
    /// server issued at enrolment: the verification URL and its token.
    Badge {
        /// The inspection id.
        id: Uuid,
        /// Lifetime in hours (1–12).
        #[arg(long, default_value_t = zhifa_sync::badge::DEFAULT_TOKEN_HOURS)]
        hours: i64,
    },
    /// Run one joint inspection over three or more departments on the sample data.
    Demo(DemoArgs),
}

#[derive(Debug, Args)]
pub(crate) struct OnArgs {
    /// The date (default: today, Beijing time).
    #[arg(long, value_name = "YYYY-MM-DD")]
    on: Option<NaiveDate>,
}

#[derive(Debug, Args)]
pub(crate) struct ChecklistArgs {
    /// Scenario code; repeat to merge several.
    #[arg(long = "scenario", required = true, value_name = "CODE")]
    scenarios: Vec<String>,
    /// The date (default: today, Beijing time).
    #[arg(long, value_name = "YYYY-MM-DD")]
    on: Option<NaiveDate>,
}

#[derive(Debug, Args)]
pub(crate) struct DemoArgs {
    /// The moment the inspection starts (RFC 3339), instead of now — for
    /// reproducible runs (the sample calendar covers 2025–2026).
    #[arg(long, value_name = "TIME")]
    at: Option<DateTime<Utc>>,
}

fn badge(ctx: &Ctx, id: Uuid, hours: i64) -> Result<(), Failure> {
    use zhifa_core::device::{Device, StoreKeyWrap};
    use zhifa_sync::badge;
    use zhifa_sync::engine;
    let (store, key, _) = crate::store::open_keyed(ctx)?;
    let not_enrolled = || {
        Failure::bad_input(
            "API_BADGE_NOT_ENROLLED",
            "未登记到服务器，无法生成亮码（先运行 zhifa enrol 并同步一次）",
        )
    };
    let enrolment = engine::enrolment(&store)?.ok_or_else(not_enrolled)?;
    let cert = engine::badge_certificate(&store)?.ok_or_else(not_enrolled)?;
    let device = Device::load(&store, &StoreKeyWrap::new(&key))?
        .ok_or_else(|| Failure::internal("SYNC_NO_DEVICE", "设备身份缺失"))?;
    let insp = inspection::get(&store, id)?
        .ok_or_else(|| Failure::bad_input("API_NOT_FOUND", format!("未找到检查记录 {id}")))?;
    let req = badge::Request::from(&insp);
    let (token, claims) = badge::issue(&cert, &req, Utc::now(), hours, |m| device.sign(m))
        .map_err(|e| Failure::bad_input(e.code(), e.to_string()))?;
    let url = format!("{}/v/{token}", enrolment.server_url.trim_end_matches('/'));
    if ctx.json {
        return print_json(&serde_json::json!({ "url": url, "token": token, "claims": claims }));
    }
    println!("{url}");
    println!(
        "{} {} · 有效至 {}",
        claims.cert.body.officer_name, claims.cert.body.credential_no, claims.expires_at
    );
    Ok(())
}

fn today() -> Result<NaiveDate, Failure> {
    Ok(beijing(Utc::now())?.date())
}

pub(crate) fn run(ctx: &Ctx, cmd: InspectionCmd) -> Result<(), Failure> {
    match cmd {
        InspectionCmd::Demo(args) => demo(ctx, args),
        InspectionCmd::Badge { id, hours } => badge(ctx, id, hours),
        InspectionCmd::Scenarios(a) => {
            let store = crate::store::open(ctx)?;
            let on = a.on.map_or_else(today, Ok)?;
            let list = inspection::scenarios(&store, on)?;
            if ctx.json {
                return print_json(&list);
            }
            for s in list {
                println!(
                    "{}  {}  {} 项 · {} 个部门",
                    s.code,
                    s.name,
                    s.items.len(),
                    s.departments.len()
                );
            }
            Ok(())
        }
        InspectionCmd::Checklist(a) => {
            let store = crate::store::open(ctx)?;
            let on = a.on.map_or_else(today, Ok)?;
            let (release, items) = inspection::checklist(&store, on, &a.scenarios)?;
            if ctx.json {
                return print_json(&serde_json::json!({ "release_id": release, "items": items }));
            }
            for (i, it) in items.iter().enumerate() {
                println!(
                    "{:>2}. [{}] {}（{}）",
                    i + 1,
                    it.department_name,
                    it.subject,
                    it.basis.join("、")
                );
            }
            Ok(())
        }
        InspectionCmd::List => {
            let store = crate::store::open(ctx)?;
            let list = inspection::list(&store)?;
            if ctx.json {
                return print_json(&list);
            }
            for i in list {
                println!(
                    "{}  {:?}  {}  {} 项",
                    i.id,
                    i.status,
                    i.place,
                    i.findings.len()
                );
            }
            Ok(())
        }
        InspectionCmd::Show { id } => {
            let store = crate::store::open(ctx)?;
            let insp = inspection::get(&store, id)?.ok_or_else(|| {
                Failure::bad_input("INSPECTION_NOT_FOUND", format!("检查记录不存在: {id}"))
            })?;
            print_json(&insp)
        }
        InspectionCmd::Tasks => {
            let store = crate::store::open(ctx)?;
            let list = task::tasks(&store)?;
            if ctx.json {
                return print_json(&list);
            }
            for t in list {
                println!(
                    "{}  {}  {}  到期 {}  {}",
                    t.id,
                    t.kind.as_str(),
                    t.status.as_str(),
                    t.due_on.map(|d| d.to_string()).unwrap_or_default(),
                    t.detail
                );
            }
            Ok(())
        }
    }
}

#[derive(Serialize)]
struct OrderOut {
    item: String,
    department: String,
    number: String,
    deadline: NaiveDate,
    follow_up_task: Uuid,
    follow_up_due: NaiveDate,
    pdf: PathBuf,
}

#[derive(Serialize)]
struct ReferralOut {
    item: String,
    department: String,
    department_name: String,
    reason: String,
}

#[derive(Serialize)]
struct DemoOut {
    inspection_id: Uuid,
    scenarios: Vec<String>,
    departments: Vec<String>,
    items: usize,
    failed: usize,
    record_pdf: PathBuf,
    record_sha256: String,
    orders: Vec<OrderOut>,
    referrals: Vec<ReferralOut>,
}

/// The failures the demo finds: (item, note, outcome).
fn failures() -> Vec<(&'static str, &'static str, OutcomeChoice)> {
    vec![
        (
            "JC-XF-01",
            "后厨通往后门的安全出口被纸箱和煤气罐堵塞",
            OutcomeChoice::OrderToCorrect {
                requirement: "立即清除安全出口处堆放物，保持疏散通道畅通".into(),
            },
        ),
        (
            "JC-CG-03",
            "店招“川味小馆”灯箱破损，字体缺失两字",
            OutcomeChoice::OrderToCorrect {
                requirement: "修复或更换破损的门店牌匾，保持完好整洁".into(),
            },
        ),
        (
            "JC-SC-03",
            "未能出示食品经营许可证，当事人称正在办理",
            OutcomeChoice::Referral {
                reason: "涉嫌未取得食品经营许可从事餐饮服务（食品安全法第三十五条），属市场监督管理部门职权，依法移送".into(),
            },
        ),
        (
            "JC-SC-04",
            "两名后厨人员未能出示有效健康证明",
            OutcomeChoice::Referral {
                reason: "涉嫌安排未取得健康证明的人员从事接触直接入口食品的工作，属市场监督管理部门职权，依法移送".into(),
            },
        ),
    ]
}

fn capture_photo(
    store: &mut Store,
    device: &zhifa_core::device::Device,
    data: &Path,
    now: DateTime<Utc>,
    salt: u32,
) -> Result<Uuid, Failure> {
    let font = WatermarkFont::bundled()?;
    let photo = sample_photo(salt)?;
    let capture = Capture {
        case_id: None,
        case_number: None,
        officer_ids: OFFICERS.map(String::from).to_vec(),
        device_time: now,
        server_offset_ms: None,
        fix: Some(Fix {
            lat: 29.712_8,
            lon: 106.824_1,
            accuracy_m: Some(5.0),
        }),
        place: Some("龙兴镇示例路18号".into()),
        original_name: Some(format!("inspection-exit-{salt}.jpg")),
    };
    let dir = EvidenceDir::new(data.join("evidence"));
    let mut reader = Cursor::new(&photo);
    let record = evidence::ingest(
        store,
        device,
        &dir,
        Source::Reader(&mut reader),
        &capture,
        &IngestOptions {
            font: Some(&font),
            after_files_durable: None,
        },
    )?;
    record
        .meta
        .id
        .parse()
        .map_err(|_| Failure::internal("DEMO_ID", "evidence id"))
}

fn demo(ctx: &Ctx, args: DemoArgs) -> Result<(), Failure> {
    let (mut store, key, data) = crate::store::open_keyed(ctx)?;
    let fixed = args.at.is_some();
    let mut clock = args.at.unwrap_or_else(Utc::now);
    let device = prepare(&mut store, &key, clock)?;
    let mut tick = || {
        clock = if fixed {
            clock + Duration::seconds(30)
        } else {
            Utc::now().max(clock + Duration::milliseconds(1))
        };
        clock
    };
    let scenarios = vec!["CJ-XXSC".to_owned(), "CJ-CYMD".to_owned()];
    let now = tick();
    let insp = inspection::start(
        &mut store,
        &NewInspection {
            id: uuid_v7(now),
            township: TOWNSHIP.into(),
            officers: OFFICERS.map(String::from),
            place: "重庆市渝北区龙兴镇示例路18号“川味小馆”（样例）".into(),
            party: party()?,
            scenarios: scenarios.clone(),
            task_id: None,
        },
        now,
    )?;
    let id = insp.id;
    let salt = u32::try_from(inspection::list(&store)?.len()).unwrap_or(u32::MAX);
    let photo = capture_photo(&mut store, &device, &data, tick(), salt)?;
    let plan = failures();
    for f in &insp.findings {
        let code = f.item.code.as_str();
        let now = tick();
        match plan.iter().find(|(c, _, _)| *c == code) {
            Some((_, note, _)) => {
                let ev: &[Uuid] = if code == "JC-XF-01" { &[photo] } else { &[] };
                inspection::record_result(&mut store, id, code, Verdict::Fail, note, ev, now)?;
            }
            None if code == "JC-SC-07" => {
                inspection::record_result(
                    &mut store,
                    id,
                    code,
                    Verdict::NotApplicable,
                    "不经营烟酒",
                    &[],
                    now,
                )?;
            }
            None => {
                inspection::record_result(&mut store, id, code, Verdict::Pass, "", &[], now)?;
            }
        }
    }
    for (code, _, choice) in &plan {
        let now = tick();
        inspection::decide(&mut store, id, code, choice, now)?;
    }
    let now = tick();
    let done = inspection::finish(
        &mut store,
        id,
        &FinishInput {
            recorder: "王五（龙兴镇综合行政执法大队）".into(),
            present_person: None,
            witness: None,
            party_signature: PartySignature::Signed {
                name: party()?.name,
                png: sample_signature()?,
                signed_at: beijing(now)?,
            },
        },
        now,
    )?;

    let out_dir = data.join("inspection");
    std::fs::create_dir_all(&out_dir).map_err(|e| Failure::internal("DEMO_DIR", e.to_string()))?;
    let abs = |p: PathBuf| std::path::absolute(&p).unwrap_or(p);
    let record = inspection::record_document(&done)
        .ok_or_else(|| Failure::internal("DEMO_RECORD", "finished without its record"))?;
    let record_pdf = out_dir.join(format!("{id}-record.pdf"));
    write_sealed_durably(
        &store,
        &record_pdf,
        &render(&store, TOWNSHIP, &record, PaperArg::A4, true)?.pdf,
    )?;
    let order_docs = inspection::order_documents(&done);
    let mut orders = Vec::new();
    let mut referrals = Vec::new();
    let mut doc_i = 0;
    for f in &done.findings {
        match &f.outcome {
            Some(Outcome::OrderToCorrect {
                number,
                deadline,
                follow_up_task,
                follow_up_due,
                ..
            }) => {
                let doc = order_docs
                    .get(doc_i)
                    .ok_or_else(|| Failure::internal("DEMO_ORDER", "order without its document"))?;
                doc_i += 1;
                let pdf = out_dir.join(format!("{id}-order-{}.pdf", f.item.code));
                write_sealed_durably(
                    &store,
                    &pdf,
                    &render(&store, TOWNSHIP, doc, PaperArg::A4, true)?.pdf,
                )?;
                orders.push(OrderOut {
                    item: f.item.code.clone(),
                    department: f.item.department.clone(),
                    number: number.clone(),
                    deadline: *deadline,
                    follow_up_task: *follow_up_task,
                    follow_up_due: *follow_up_due,
                    pdf: abs(pdf),
                });
            }
            Some(Outcome::Referral {
                department,
                department_name,
                reason,
                ..
            }) => referrals.push(ReferralOut {
                item: f.item.code.clone(),
                department: department.clone(),
                department_name: department_name.clone(),
                reason: reason.clone(),
            }),
            _ => {}
        }
    }
    let failed = done
        .findings
        .iter()
        .filter(|f| {
            f.result
                .as_ref()
                .is_some_and(|r| r.verdict == Verdict::Fail)
        })
        .count();
    let out = DemoOut {
        inspection_id: id,
        scenarios,
        departments: done.departments(),
        items: done.findings.len(),
        failed,
        record_pdf: abs(record_pdf),
        record_sha256: done
            .finish
            .as_ref()
            .map(|f| f.record_sha256.clone())
            .unwrap_or_default(),
        orders,
        referrals,
    };
    if ctx.json {
        return print_json(&out);
    }
    println!(
        "综合查一次 {}：{} 个部门 {} 项，不符合 {} 项",
        out.inspection_id,
        out.departments.len(),
        out.items,
        out.failed
    );
    println!("现场检查笔录: {}", out.record_pdf.display());
    for o in &out.orders {
        println!(
            "责令改正 {}（限 {} 前）: {}",
            o.number,
            o.deadline,
            o.pdf.display()
        );
    }
    for r in &out.referrals {
        println!("移送 {}: {}", r.department_name, r.item);
    }
    Ok(())
}
