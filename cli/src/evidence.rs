//! `zhifa evidence …` and `zhifa device …`: capture and verify on-site
//! evidence; show the device identity; load officer profiles.
//!
//! Evidence files live in `DATA/evidence/` (see `zhifa_core::evidence`).
//! Every evidence command first runs the start-up reconciliation and
//! reports rows without files and files without rows (it never deletes).
//! `verify` exits 0 when every file, link and signature checks out and 3
//! when anything is broken, naming each broken item.

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::Utc;
use clap::{Args, Subcommand};
use serde::Serialize;
use uuid::Uuid;
use zhifa_core::ErrorCode;
use zhifa_core::device::{self, Device, DeviceError, StoreKeyWrap};
use zhifa_core::evidence::{
    self, Capture, EvidenceDir, EvidenceError, EvidenceRecord, Fix, IngestOptions, Problem,
    Reconciliation, Source, WatermarkFont,
};
use zhifa_core::store::Store;

use crate::Ctx;
use crate::output::{Failure, print_json};

/// Exit status of `verify` when it finds broken items.
pub(crate) const EXIT_BROKEN: u8 = 3;
/// The setting holding the last known server − device clock offset (ms).
pub(crate) const SERVER_OFFSET: &str = "server_time_offset_ms";

#[derive(Debug, Subcommand)]
pub(crate) enum EvidenceCmd {
    /// Ingest a photo, video or audio file as evidence.
    Add(AddArgs),
    /// Check every stored file, chain link and signature.
    Verify,
    /// Report rows without files and files without rows (never deletes).
    Reconcile,
    /// Seal (encrypt in place, crash-safely) the plain evidence files an
    /// older version wrote.
    Seal,
    /// List evidence records.
    List {
        /// Only the evidence of this case.
        #[arg(long = "case", value_name = "ID")]
        case_id: Option<Uuid>,
    },
}

#[derive(Debug, Args)]
pub(crate) struct AddArgs {
    /// The file (JPEG/PNG/HEIC, MP4/MOV, M4A/MP3/AAC/WAV/AMR).
    file: PathBuf,
    /// The case (UUID) it belongs to; omit to capture before a case exists.
    #[arg(long = "case", value_name = "ID")]
    case_id: Option<Uuid>,
    /// The case/document number to burn into the watermark.
    #[arg(long, value_name = "NUMBER")]
    case_number: Option<String>,
    /// An officer present (id; repeat for each).
    #[arg(long = "officer", value_name = "ID")]
    officers: Vec<String>,
    /// The device's own fix: latitude (WGS-84).
    #[arg(long, requires = "lon", allow_hyphen_values = true)]
    lat: Option<f64>,
    /// The device's own fix: longitude (WGS-84).
    #[arg(long, requires = "lat", allow_hyphen_values = true)]
    lon: Option<f64>,
    /// The fix's horizontal accuracy, metres.
    #[arg(long, requires = "lat")]
    accuracy: Option<f64>,
    /// The place in words (address), for the watermark.
    #[arg(long)]
    place: Option<String>,
    /// A CJK font (file or folder) for the watermark (default: the font
    /// bundled in the app).
    #[arg(long, env = "ZHIFA_FONT", value_name = "PATH")]
    font: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum DeviceCmd {
    /// Show (creating once) the device id and public key.
    Show,
    /// Load officer profiles from a JSON file (default: the sample officers).
    LoadOfficers {
        /// The officers file; omit for the bundled sample officers.
        file: Option<PathBuf>,
    },
    /// List officer profiles.
    Officers,
}

impl From<EvidenceError> for Failure {
    fn from(e: EvidenceError) -> Self {
        let code = e.code();
        let msg = e.to_string();
        if e.is_bad_input() {
            Failure::bad_input(code, msg)
        } else {
            Failure::internal(code, msg)
        }
    }
}

impl From<DeviceError> for Failure {
    fn from(e: DeviceError) -> Self {
        let code = e.code();
        let msg = e.to_string();
        match e {
            DeviceError::InvalidOfficers(_) | DeviceError::UnknownOfficer(_) => {
                Failure::bad_input(code, msg)
            }
            _ => Failure::internal(code, msg),
        }
    }
}

fn evidence_dir(data: &std::path::Path) -> EvidenceDir {
    EvidenceDir::new(data.join("evidence"))
}

fn font(path: Option<PathBuf>) -> Result<Option<WatermarkFont>, Failure> {
    if let Some(p) = path {
        return Ok(Some(WatermarkFont::from_path(&p).or_else(|e| {
            WatermarkFont::find(std::slice::from_ref(&p)).ok_or(e)
        })?));
    }
    Ok(Some(WatermarkFont::bundled()?))
}

/// Prints the start-up reconciliation's findings to stderr (text mode).
fn warn_reconciliation(rec: &Reconciliation) {
    for r in &rec.rows_without_files {
        eprintln!(
            "警告: 记录缺少原件 #{} {} {}",
            r.seq,
            r.id,
            r.path.display()
        );
    }
    for f in &rec.files_without_rows {
        eprintln!("警告: 原件没有对应记录 {}", f.display());
    }
    for f in &rec.temp_files {
        eprintln!("警告: 中断写入留下的临时文件 {}", f.display());
    }
}

#[derive(Serialize)]
struct AddDoc<'a> {
    #[serde(flatten)]
    record: &'a EvidenceRecord,
    path: PathBuf,
    thumbnail: Option<PathBuf>,
    watermarked: Option<PathBuf>,
    reconciliation: &'a Reconciliation,
}

#[derive(Serialize)]
struct ProblemDoc<'a> {
    code: &'static str,
    message: String,
    #[serde(flatten)]
    problem: &'a Problem,
}

#[derive(Serialize)]
struct VerifyDoc<'a> {
    ok: bool,
    records: u64,
    files: u64,
    bytes: u64,
    problems: Vec<ProblemDoc<'a>>,
    reconciliation: &'a Reconciliation,
}

fn absolute(p: PathBuf) -> PathBuf {
    std::path::absolute(&p).unwrap_or(p)
}

fn load_device(store: &Store, key: &zhifa_core::store::DbKey) -> Result<Device, Failure> {
    Ok(Device::load_or_create(
        store,
        &StoreKeyWrap::new(key),
        Utc::now(),
    )?)
}

/// Runs an evidence command; `verify` returns [`EXIT_BROKEN`] when broken.
pub(crate) fn run(ctx: &Ctx, cmd: EvidenceCmd) -> Result<ExitCode, Failure> {
    let (mut store, key, data) = crate::store::open_keyed(ctx)?;
    let dir = evidence_dir(&data);
    let rec = evidence::reconcile(&store, &dir)?;
    if !ctx.json {
        warn_reconciliation(&rec);
    }
    match cmd {
        EvidenceCmd::Add(a) => {
            let device = load_device(&store, &key)?;
            let font = font(a.font)?;
            if font.is_none() && !ctx.json {
                eprintln!("警告: 未找到中文字体，未生成水印副本 (用 --font 指定)");
            }
            let server_offset_ms = store
                .setting(SERVER_OFFSET)?
                .and_then(|s| s.trim().parse().ok());
            let capture = Capture {
                case_id: a.case_id,
                case_number: a.case_number,
                officer_ids: a.officers,
                device_time: Utc::now(),
                server_offset_ms,
                fix: a.lat.zip(a.lon).map(|(lat, lon)| Fix {
                    lat,
                    lon,
                    accuracy_m: a.accuracy,
                }),
                place: a.place,
                original_name: a.file.file_name().map(|n| n.to_string_lossy().into_owned()),
            };
            let options = IngestOptions {
                font: font.as_ref(),
                after_files_durable: None,
            };
            let record = evidence::ingest(
                &mut store,
                &device,
                &dir,
                Source::Path(&a.file),
                &capture,
                &options,
            )?;
            let path = absolute(dir.original_path(&record.meta.sha256, &record.meta.ext));
            let thumbnail = record
                .meta
                .thumb_sha256
                .as_ref()
                .map(|s| absolute(dir.derived_path(s)));
            let watermarked = record
                .meta
                .watermark_sha256
                .as_ref()
                .map(|s| absolute(dir.derived_path(s)));
            if ctx.json {
                print_json(&AddDoc {
                    record: &record,
                    path,
                    thumbnail,
                    watermarked,
                    reconciliation: &rec,
                })?;
            } else {
                println!(
                    "已保存证据 #{} {} ({}，{} 字节)",
                    record.seq, record.meta.id, record.meta.media_type, record.meta.size
                );
                println!("SHA-256: {}", record.meta.sha256);
                println!("原件: {}", path.display());
                if let Some(w) = watermarked {
                    println!("水印副本: {}", w.display());
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        EvidenceCmd::Verify => {
            let report = evidence::verify(&store, &dir)?;
            let ok = report.ok();
            if ctx.json {
                print_json(&VerifyDoc {
                    ok,
                    records: report.records,
                    files: report.files,
                    bytes: report.bytes,
                    problems: report
                        .problems
                        .iter()
                        .map(|p| ProblemDoc {
                            code: p.code(),
                            message: p.to_string(),
                            problem: p,
                        })
                        .collect(),
                    reconciliation: &rec,
                })?;
            } else {
                for p in &report.problems {
                    println!("损坏 [{}]: {p}", p.code());
                }
                println!(
                    "{}: {} 条记录，{} 个原件，{} 字节，{} 处问题",
                    if ok { "校验通过" } else { "校验失败" },
                    report.records,
                    report.files,
                    report.bytes,
                    report.problems.len()
                );
            }
            Ok(if ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(EXIT_BROKEN)
            })
        }
        EvidenceCmd::Reconcile => {
            if ctx.json {
                print_json(&rec)?;
            } else if rec.clean() {
                println!("记录与文件一致");
            }
            Ok(ExitCode::SUCCESS)
        }
        EvidenceCmd::Seal => {
            let sealed = evidence::seal_plain_files(&store, &dir)?;
            if ctx.json {
                print_json(&serde_json::json!({ "sealed": sealed }))?;
            } else {
                println!("已加密 {sealed} 个旧版明文证据文件");
            }
            Ok(ExitCode::SUCCESS)
        }
        EvidenceCmd::List { case_id } => {
            let records = match case_id {
                Some(c) => evidence::for_case(&store, c)?,
                None => evidence::list(&store)?,
            };
            if ctx.json {
                print_json(&records)?;
            } else {
                for r in &records {
                    println!(
                        "#{} {} {} {} {}",
                        r.seq, r.meta.id, r.meta.kind, r.meta.device_time, r.meta.sha256
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

#[derive(Serialize)]
struct DeviceDoc {
    id: String,
    created_at: String,
    public_key: String,
}

/// Runs a device command.
pub(crate) fn run_device(ctx: &Ctx, cmd: DeviceCmd) -> Result<(), Failure> {
    let (mut store, key, _) = crate::store::open_keyed(ctx)?;
    match cmd {
        DeviceCmd::Show => {
            let d = load_device(&store, &key)?;
            let doc = DeviceDoc {
                id: d.id().to_string(),
                created_at: d.identity().created_at.clone(),
                public_key: d.identity().public_key_hex(),
            };
            if ctx.json {
                print_json(&doc)?;
            } else {
                println!(
                    "设备: {}\n创建: {}\n公钥: {}",
                    doc.id, doc.created_at, doc.public_key
                );
            }
        }
        DeviceCmd::LoadOfficers { file } => {
            let bytes = match &file {
                Some(f) => std::fs::read(f).map_err(|e| {
                    Failure::bad_input("OFFICERS_READ", format!("无法读取 {}: {e}", f.display()))
                })?,
                None => device::SAMPLE_OFFICERS.as_bytes().to_vec(),
            };
            let n = device::load_officers(&mut store, &bytes)?;
            if ctx.json {
                print_json(&serde_json::json!({ "loaded": n }))?;
            } else {
                println!("已载入 {n} 名执法人员");
            }
        }
        DeviceCmd::Officers => {
            let all = device::officers(&store)?;
            if ctx.json {
                print_json(&all)?;
            } else {
                for o in &all {
                    println!(
                        "{} {} {} {}",
                        o.id, o.name, o.credential_no, o.township_code
                    );
                }
            }
        }
    }
    Ok(())
}
