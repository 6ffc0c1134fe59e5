//! `zhifa case …`, `zhifa numbers …`, `zhifa townships …` and
//! `zhifa doc render`: simple-procedure cases on the device store, the
//! offline number leases they draw from, the township configuration they
//! follow, and their documents as PDF.
//!
//! Steps are given as the JSON of [`CaseEvent`] (`{"event": "…", …}`), so
//! a script, a test or the app's web adapter sends exactly what the core
//! checks; each accepted step is one transaction with its outbox record.

use std::io::Read;
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDateTime, Utc};
use clap::{Args, Subcommand, ValueEnum};
use serde::Serialize;
use uuid::Uuid;
use zhifa_core::ErrorCode;
use zhifa_core::case::config::{SAMPLE_TOWNSHIP_CONFIGS, parse_configs};
use zhifa_core::case::{self, Case, CaseError, CaseEvent, CaseStatus, NewCase};
use zhifa_core::document::model::{DocumentData, DocumentKind};
use zhifa_core::document::template::TemplateLibrary;
use zhifa_core::document::{
    DocumentError, Paper, RenderOptions, RenderedDocument, fonts::FontSet, render_pdf,
};
use zhifa_core::store::Store;

use crate::Ctx;
use crate::output::{Failure, print_json};
use crate::settings::TOWNSHIP;

impl From<zhifa_core::case::officer_sign::OfficerSignError> for Failure {
    fn from(e: zhifa_core::case::officer_sign::OfficerSignError) -> Self {
        use zhifa_core::case::officer_sign::OfficerSignError as E;
        match e {
            E::Case(c) => c.into(),
            e => Failure::bad_input(e.code(), e.to_string()),
        }
    }
}

impl From<CaseError> for Failure {
    fn from(e: CaseError) -> Self {
        let device_failure = match &e {
            CaseError::Store(_) | CaseError::Corrupt(_) => true,
            CaseError::Catalogue(c) => !c.is_bad_input(),
            _ => false,
        };
        if device_failure {
            Failure::internal(e.code(), e.to_string())
        } else {
            Failure::bad_input(e.code(), e.to_string())
        }
    }
}

impl From<zhifa_core::case::archive::ArchiveError> for Failure {
    fn from(e: zhifa_core::case::archive::ArchiveError) -> Self {
        use zhifa_core::case::archive::ArchiveError as A;
        match e {
            A::Case(e) => e.into(),
            A::Document(e) => e.into(),
            A::Seal(e) => e.into(),
            A::Inspection(e) => e.into(),
        }
    }
}

impl From<DocumentError> for Failure {
    fn from(e: DocumentError) -> Self {
        match e {
            DocumentError::Render { .. } | DocumentError::Font { .. } => {
                Failure::internal(e.code(), e.to_string())
            }
            _ => Failure::bad_input(e.code(), e.to_string()),
        }
    }
}

#[derive(Debug, Subcommand)]
pub(crate) enum CaseCmd {
    /// Open a new simple-procedure case (draft).
    New(NewArgs),
    /// Take one step: the step as JSON (`{"event": "…", …}`) from FILE or stdin.
    Advance {
        /// The case id.
        case: Uuid,
        /// The step's JSON, or `-` for stdin.
        #[arg(long, value_name = "FILE|-")]
        input: PathBuf,
    },
    /// Show a case with its timeline.
    Show {
        /// The case id.
        case: Uuid,
    },
    /// List cases, newest last.
    List {
        /// Only cases in this status (e.g. `served`).
        #[arg(long)]
        status: Option<String>,
    },
    /// The outbox records not yet pushed to the server.
    Outbox,
}

#[derive(Debug, Args)]
pub(crate) struct NewArgs {
    /// The matter code (e.g. CG-001).
    #[arg(long)]
    matter: String,
    /// The township (default: the `township` setting).
    #[arg(long)]
    township: Option<String>,
    /// 违法时间, Beijing time, `YYYY-MM-DDTHH:MM:SS` (default: now).
    #[arg(long, value_name = "TIME")]
    violation_time: Option<NaiveDateTime>,
    /// The two officers (ids), given twice (行政处罚法 Art. 42).
    #[arg(long = "officer", value_name = "ID", num_args = 1)]
    officers: Vec<String>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum NumbersCmd {
    /// Grant a lease of numbers (local admin until the server grants them).
    Grant(GrantArgs),
    /// Void a number with a reason (it is never reissued).
    Void(VoidArgs),
    /// List the leases.
    Leases,
    /// List the numbers used or voided in a series.
    List {
        /// The series (`decision_on_the_spot`, `order_to_correct`, `payment_code`).
        #[arg(long)]
        series: String,
        /// The township (default: the `township` setting).
        #[arg(long)]
        township: Option<String>,
    },
    /// List the provisional numbers this device printed with the final
    /// number the server assigned to each (the mapping, for audit).
    Provisional,
}

#[derive(Debug, Args)]
pub(crate) struct GrantArgs {
    /// The series (`decision_on_the_spot`, `order_to_correct`, `payment_code`).
    #[arg(long)]
    series: String,
    /// The year the numbers belong to.
    #[arg(long)]
    year: i32,
    /// First number, inclusive.
    #[arg(long)]
    start: i64,
    /// Last number, inclusive.
    #[arg(long)]
    end: i64,
    /// The township (default: the `township` setting).
    #[arg(long)]
    township: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct VoidArgs {
    /// The series.
    #[arg(long)]
    series: String,
    /// The year.
    #[arg(long)]
    year: i32,
    /// The serial.
    #[arg(long)]
    seq: i64,
    /// Why it is voided.
    #[arg(long)]
    reason: String,
    /// The township (default: the `township` setting).
    #[arg(long)]
    township: Option<String>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum TownshipsCmd {
    /// Load township configurations (number formats, payment scheme, …);
    /// without FILE the bundled sample configurations.
    Load {
        /// The configurations file.
        file: Option<PathBuf>,
    },
    /// Show a township's configuration.
    Show {
        /// The township (default: the `township` setting).
        township: Option<String>,
    },
}

/// Which document of a case.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum DocKindArg {
    /// 当场行政处罚决定书 (as served: with the signature or refusal note).
    Decision,
    /// 责令（限期）改正通知书.
    Order,
}

/// The paper.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum PaperArg {
    /// A4.
    A4,
    /// An 80 mm thermal receipt.
    Thermal,
}

#[derive(Debug, Subcommand)]
pub(crate) enum DocCmd {
    /// Render a case's document to PDF.
    Render {
        /// The case id.
        case: Uuid,
        /// Which document.
        #[arg(long, value_enum, default_value = "decision")]
        kind: DocKindArg,
        /// The PDF to write.
        #[arg(long)]
        out: PathBuf,
        /// The paper.
        #[arg(long, value_enum, default_value = "a4")]
        paper: PaperArg,
        /// Mask the party's ID number (copies for display, not the party's copy).
        #[arg(long)]
        mask_id: bool,
    },
}

pub(crate) fn township_or_setting(store: &Store, given: Option<String>) -> Result<String, Failure> {
    match given {
        Some(t) => Ok(t),
        None => store.setting(TOWNSHIP)?.ok_or_else(|| {
            Failure::bad_input(
                "TOWNSHIP_NOT_SET",
                "未设置镇街：用 --township 指定，或 zhifa settings set township CODE",
            )
        }),
    }
}

/// Beijing time now (UTC+8, no daylight saving).
pub(crate) fn beijing_now(now: DateTime<Utc>) -> Result<NaiveDateTime, Failure> {
    case::beijing(now).map_err(Failure::from)
}

fn read_input(path: &Path) -> Result<Vec<u8>, Failure> {
    let mut buf = Vec::new();
    if path == Path::new("-") {
        std::io::stdin()
            .read_to_end(&mut buf)
            .map_err(|e| Failure::bad_input("INPUT_READ", format!("无法读取标准输入: {e}")))?;
    } else {
        buf = std::fs::read(path).map_err(|e| {
            Failure::bad_input("INPUT_READ", format!("无法读取 {}: {e}", path.display()))
        })?;
    }
    Ok(buf)
}

/// Parses a step's JSON with the path of the first problem.
pub(crate) fn parse_event(bytes: &[u8]) -> Result<CaseEvent, Failure> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        Failure::bad_input(
            "CASE_EVENT_INVALID",
            format!("步骤 JSON 无效 ({}): {}", e.path(), e.inner()),
        )
    })
}

fn print_case(ctx: &Ctx, store: &Store, c: &Case) -> Result<(), Failure> {
    let timeline = case::timeline(store, c.id)?;
    let standing = case::payment_standing(c, crate::catalogue::today());
    // The provisional → final mapping (sync.md §5): the final number
    // arrives from the server through the inbox.
    let provisional = case::provisional_of_case(store, c.id)?;
    if ctx.json {
        // The shape `zhifa-server case show --json` prints too (CaseDoc).
        return print_json(&case::CaseDoc::of(
            c.clone(),
            timeline,
            provisional,
            crate::catalogue::today(),
        ));
    }
    println!("案件 {}（{}）", c.id, c.status.label_zh());
    println!(
        "事项: {}  镇街: {}  目录版本: {}",
        c.matter_code, c.township, c.release_id
    );
    println!("违法时间: {}", c.violation_time);
    if let Some(p) = &c.party {
        println!("当事人: {}", case::mask_text(&p.name));
    }
    if let Some(i) = &c.issue {
        match &provisional {
            Some(p) => {
                println!(
                    "决定书编号: 临时编号 {}（正式文号以系统分配为准）",
                    i.number
                );
                println!(
                    "正式文号: {}",
                    p.final_number.as_deref().unwrap_or("待同步后由系统分配")
                );
            }
            None => println!("决定书编号: {}", i.number),
        }
        if let Some(code) = &i.payment_code {
            println!("缴款码: {code}");
        }
    }
    if let Some(p) = &standing {
        println!(
            "罚款 {}，缴款期限 {}{}",
            zhifa_core::money::format_yuan(p.amount_fen),
            p.due,
            if p.settled {
                "（已缴纳）".to_owned()
            } else {
                format!(
                    "，截至 {} 加处罚款 {}",
                    p.on,
                    zhifa_core::money::format_yuan(p.late_fee_fen)
                )
            }
        );
    }
    for t in &timeline {
        println!("  #{} {} {}", t.seq, t.at, t.kind);
    }
    Ok(())
}

pub(crate) fn run_case(ctx: &Ctx, cmd: CaseCmd) -> Result<(), Failure> {
    let mut store = crate::store::open(ctx)?;
    let now = Utc::now();
    match cmd {
        CaseCmd::New(a) => {
            let township = township_or_setting(&store, a.township)?;
            let officers: [String; 2] = a.officers.try_into().map_err(|_| {
                Failure::bad_input(
                    "CASE_OFFICERS_NOT_TWO",
                    "须指定两名执法人员 (--officer 两次；行政处罚法第四十二条)",
                )
            })?;
            let violation_time = match a.violation_time {
                Some(t) => t,
                None => beijing_now(now)?,
            };
            let c = case::create(
                &mut store,
                &NewCase {
                    id: case::uuid_v7(now),
                    township,
                    matter_code: a.matter,
                    violation_time,
                    officers,
                },
                now,
            )?;
            print_case(ctx, &store, &c)
        }
        CaseCmd::Advance { case: id, input } => {
            let event = parse_event(&read_input(&input)?)?;
            let c = case::advance(&mut store, id, &event, now)?;
            print_case(ctx, &store, &c)
        }
        CaseCmd::Show { case: id } => {
            let c = case::get(&store, id)?.ok_or(CaseError::NotFound(id))?;
            print_case(ctx, &store, &c)
        }
        CaseCmd::List { status } => {
            let status = status
                .map(|s| {
                    CaseStatus::parse(&s).ok_or_else(|| {
                        Failure::bad_input("CASE_STATUS_UNKNOWN", format!("未知案件状态: {s}"))
                    })
                })
                .transpose()?;
            let cases = case::list(&store, status)?;
            if ctx.json {
                print_json(&cases)
            } else {
                for c in &cases {
                    let number = c.issue.as_ref().map_or("—", |i| i.number.as_str());
                    println!(
                        "{} {} {} {}",
                        c.id,
                        c.status.label_zh(),
                        c.matter_code,
                        number
                    );
                }
                Ok(())
            }
        }
        CaseCmd::Outbox => {
            let pending = case::outbox_pending(&store)?;
            if ctx.json {
                print_json(&pending)
            } else {
                for r in &pending {
                    println!("#{} {} {} {}", r.seq, r.entity, r.op, r.mutation_id);
                }
                Ok(())
            }
        }
    }
}

pub(crate) fn run_numbers(ctx: &Ctx, cmd: NumbersCmd) -> Result<(), Failure> {
    let mut store = crate::store::open(ctx)?;
    let now = Utc::now();
    match cmd {
        NumbersCmd::Grant(a) => {
            let township = township_or_setting(&store, a.township)?;
            let lease = case::grant_lease(
                &mut store,
                &township,
                &a.series,
                a.year,
                a.start,
                a.end,
                "local_admin",
                now,
            )?;
            if ctx.json {
                print_json(&lease)
            } else {
                println!(
                    "已授予号段 {} {} {}年 {}–{}",
                    lease.township, lease.series, lease.year, lease.start, lease.end
                );
                Ok(())
            }
        }
        NumbersCmd::Void(a) => {
            let township = township_or_setting(&store, a.township)?;
            let r = case::void_number(
                &mut store, &township, &a.series, a.year, a.seq, &a.reason, now,
            )?;
            if ctx.json {
                print_json(&r)
            } else {
                println!(
                    "已作废 {} {}年 第{}号：{}",
                    r.series, r.year, r.seq, a.reason
                );
                Ok(())
            }
        }
        NumbersCmd::Leases => {
            let leases = case::numbers::leases(&store)?;
            if ctx.json {
                print_json(&leases)
            } else {
                for l in &leases {
                    println!(
                        "{} {} {}年 {}–{} 下一个 {} ({})",
                        l.township, l.series, l.year, l.start, l.end, l.next, l.source
                    );
                }
                Ok(())
            }
        }
        NumbersCmd::List { series, township } => {
            let township = township_or_setting(&store, township)?;
            let all = case::numbers::numbers(&store, &township, &series)?;
            if ctx.json {
                print_json(&all)
            } else {
                for n in &all {
                    println!("{}年 第{}号 {} {}", n.year, n.seq, n.status, n.formatted);
                }
                Ok(())
            }
        }
        NumbersCmd::Provisional => {
            let all = case::provisional_numbers(&store)?;
            if ctx.json {
                print_json(&all)
            } else {
                for p in &all {
                    println!(
                        "临时编号 {} → {}（案件 {}）",
                        p.provisional,
                        p.final_number.as_deref().unwrap_or("待同步后由系统分配"),
                        p.case_id.as_deref().unwrap_or("—")
                    );
                }
                Ok(())
            }
        }
    }
}

/// Loads the township configurations of `json` into the store.
pub(crate) fn load_townships(
    store: &Store,
    json: &str,
    now: DateTime<Utc>,
) -> Result<usize, Failure> {
    let configs = parse_configs(json)?;
    for c in &configs {
        case::set_township_config(store, c, now)?;
    }
    Ok(configs.len())
}

pub(crate) fn run_townships(ctx: &Ctx, cmd: TownshipsCmd) -> Result<(), Failure> {
    let store = crate::store::open(ctx)?;
    match cmd {
        TownshipsCmd::Load { file } => {
            let json = match &file {
                Some(f) => std::fs::read_to_string(f).map_err(|e| {
                    Failure::bad_input("TOWNSHIPS_READ", format!("无法读取 {}: {e}", f.display()))
                })?,
                None => SAMPLE_TOWNSHIP_CONFIGS.to_owned(),
            };
            let n = load_townships(&store, &json, Utc::now())?;
            if ctx.json {
                print_json(&serde_json::json!({ "loaded": n }))
            } else {
                println!("已载入 {n} 个镇街配置");
                Ok(())
            }
        }
        TownshipsCmd::Show { township } => {
            let township = township_or_setting(&store, township)?;
            let c = case::township_config(&store, &township)?.ok_or_else(|| {
                Failure::bad_input("TOWNSHIP_CONFIG_MISSING", format!("镇街 {township} 无配置"))
            })?;
            print_json(&c)
        }
    }
}

/// The typed document of a case, as it stands now.
pub(crate) fn case_document(
    store: &Store,
    id: Uuid,
    kind: DocKindArg,
) -> Result<DocumentData, Failure> {
    case::get(store, id)?.ok_or(CaseError::NotFound(id))?;
    match kind {
        DocKindArg::Decision => case::served_decision(store, id)?.ok_or_else(|| {
            Failure::bad_input(
                "DOC_NOT_SERVED",
                "决定书尚未送达（签收或注明拒签后方可打印正式文书）",
            )
        }),
        DocKindArg::Order => {
            let (json, _) = case::document(store, id, DocumentKind::OrderToCorrect, "issued")?
                .ok_or_else(|| {
                    Failure::bad_input("DOC_NOT_ISSUED", "本案尚未制作责令改正通知书")
                })?;
            serde_json::from_str(&json)
                .map_err(|e| Failure::internal("DOC_CORRUPT", format!("文书记录损坏: {e}")))
        }
    }
}

/// Renders `data` with the template set the case's township prints with
/// (its configuration; the built-in default set otherwise) and the bundled font.
pub(crate) fn render(
    store: &Store,
    township: &str,
    data: &DocumentData,
    paper: PaperArg,
    mask_id: bool,
) -> Result<RenderedDocument, Failure> {
    let fonts = FontSet::bundled()?;
    let library = TemplateLibrary::builtin()?;
    let templates = case::township_config(store, township)?
        .map(|c| c.templates)
        .unwrap_or_default();
    let template = library.get(&templates, data.kind())?;
    let paper = match paper {
        PaperArg::A4 => Paper::A4,
        PaperArg::Thermal => Paper::Thermal80mm,
    };
    Ok(render_pdf(
        data,
        template,
        &fonts,
        &RenderOptions {
            paper,
            mask_id: Some(mask_id),
            verification_base: case::archive::centre_url(store)?,
        },
    )?)
}

/// Writes `bytes` to `path` through a temp file, fsync and rename, so a
/// crash never leaves half a PDF under the final name.
pub(crate) fn write_file_durably(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    use std::io::Write;
    let fail = |e: std::io::Error| {
        Failure::internal("FILE_WRITE", format!("无法写入 {}: {e}", path.display()))
    };
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(fail)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(fail)?;
    tmp.write_all(bytes).map_err(fail)?;
    tmp.as_file().sync_all().map_err(fail)?;
    tmp.persist(path).map_err(|e| fail(e.error))?;
    #[cfg(unix)]
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(fail)?;
    Ok(())
}

/// Writes a document into the data folder SEALED (encrypted with the
/// store's file key, zhifa_core::sealed): temp file, fsync, rename, folder
/// fsync. `zhifa export` writes a readable copy elsewhere when asked.
pub(crate) fn write_sealed_durably(
    store: &Store,
    path: &Path,
    bytes: &[u8],
) -> Result<(), Failure> {
    let key = zhifa_core::sealed::FileKey::load_or_create(store)?;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    zhifa_core::sealed::write_durable(path, dir, bytes, &key).map_err(|e| {
        Failure::internal(
            "FILE_WRITE",
            format!("无法写入 {}: [{}] {e}", path.display(), e.code()),
        )
    })
}

#[derive(Serialize)]
struct RenderDoc {
    pdf: PathBuf,
    bytes: usize,
    pages: usize,
    document_hash: String,
    verification_payload: String,
}

pub(crate) fn run_doc(ctx: &Ctx, cmd: DocCmd) -> Result<(), Failure> {
    let store = crate::store::open(ctx)?;
    match cmd {
        DocCmd::Render {
            case: id,
            kind,
            out,
            paper,
            mask_id,
        } => {
            let data = case_document(&store, id, kind)?;
            let township = case::get(&store, id)?
                .ok_or(CaseError::NotFound(id))?
                .township;
            let doc = render(&store, &township, &data, paper, mask_id)?;
            write_file_durably(&out, &doc.pdf)?;
            let pdf = std::path::absolute(&out).unwrap_or(out);
            let report = RenderDoc {
                pdf,
                bytes: doc.pdf.len(),
                pages: doc.page_count,
                document_hash: doc.document_hash,
                verification_payload: doc.verification_payload,
            };
            if ctx.json {
                print_json(&report)
            } else {
                println!(
                    "已生成 {}（{} 页，{} 字节）\n文书哈希: {}",
                    report.pdf.display(),
                    report.pages,
                    report.bytes,
                    report.document_hash
                );
                Ok(())
            }
        }
    }
}
