//! `zhifa catalogue …`: import, search, show and synthesise catalogue packages.

use std::fs;
use std::io::Write;
use std::path::PathBuf;

use chrono::{NaiveDate, Utc};
use clap::Subcommand;
use serde::Serialize;
use zhifa_core::catalogue::model::{Band, ClauseParty, FineAmount, LevelPenalty, Package};
use zhifa_core::catalogue::synth::{SynthOptions, synth};
use zhifa_core::catalogue::{self, ProvisionRole, SearchQuery, SearchScope};
use zhifa_core::money::format_yuan;

use crate::Ctx;
use crate::output::{Failure, print_json};
use crate::settings::TOWNSHIP;

#[derive(Debug, Subcommand)]
pub(crate) enum CatalogueCmd {
    /// Import a catalogue package (JSON, optionally gzip).
    Import {
        /// The package file.
        file: PathBuf,
    },
    /// Search matters by name, code, pinyin, initials, domain or provision text.
    Search {
        /// What to look for, e.g. `zdjy`, `占道`, `CG-001`.
        query: String,
        /// Search every matter, not only those the township may enforce.
        #[arg(long)]
        all: bool,
        /// The most results to print.
        #[arg(long, default_value_t = 20)]
        limit: usize,
        /// The township to filter by (default: the `township` setting).
        #[arg(long)]
        township: Option<String>,
        /// The date whose release is searched (default: today, Beijing time).
        #[arg(long)]
        date: Option<NaiveDate>,
    },
    /// Show a matter: provisions, discretion table, exemption lists.
    Show {
        /// The matter code.
        code: String,
        /// The date whose release is read (default: today, Beijing time).
        #[arg(long)]
        date: Option<NaiveDate>,
    },
    /// List the imported releases.
    Releases,
    /// Write a synthetic package of any size (for benchmarks).
    Synth {
        /// Number of matters.
        #[arg(long)]
        matters: usize,
        /// Number of townships.
        #[arg(long, default_value_t = 20)]
        townships: usize,
        /// RNG seed; the same seed gives the same package.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Output file (default: stdout).
        #[arg(long, short)]
        out: Option<PathBuf>,
        /// Compress the output with gzip.
        #[arg(long)]
        gzip: bool,
    },
}

/// Today in Beijing time (UTC+8, no daylight saving): the CLI is the
/// clock's only reader; the core is handed the date.
pub(crate) fn today() -> NaiveDate {
    (Utc::now() + chrono::Duration::hours(8)).date_naive()
}

pub(crate) fn run(ctx: &Ctx, cmd: CatalogueCmd) -> Result<(), Failure> {
    match cmd {
        CatalogueCmd::Import { file } => import(ctx, file),
        CatalogueCmd::Search {
            query,
            all,
            limit,
            township,
            date,
        } => search(ctx, query, all, limit, township, date),
        CatalogueCmd::Show { code, date } => show(ctx, &code, date.unwrap_or_else(today)),
        CatalogueCmd::Releases => releases(ctx),
        CatalogueCmd::Synth {
            matters,
            townships,
            seed,
            out,
            gzip,
        } => synthesise(
            SynthOptions {
                matters,
                townships,
                seed,
            },
            out,
            gzip,
        ),
    }
}

fn import(ctx: &Ctx, file: PathBuf) -> Result<(), Failure> {
    let bytes = fs::read(&file).map_err(|e| {
        Failure::bad_input(
            "FILE_UNREADABLE",
            format!("无法读取 {}: {e}", file.display()),
        )
    })?;
    let mut store = crate::store::open(ctx)?;
    let outcome = catalogue::import(&mut store, &bytes, Utc::now())?;
    if ctx.json {
        return print_json(&outcome);
    }
    if outcome.already_present {
        println!("版本 {} 已导入，无变化", outcome.release_id);
    } else {
        println!(
            "已导入版本 {}：事项 {} 项，裁量阶次 {} 个，法条 {} 条，镇街 {} 个{}",
            outcome.release_id,
            outcome.matters,
            outcome.levels,
            outcome.provisions,
            outcome.townships,
            if outcome.sample {
                "（示例数据，非官方清单）"
            } else {
                ""
            }
        );
    }
    Ok(())
}

fn search(
    ctx: &Ctx,
    query: String,
    all: bool,
    limit: usize,
    township: Option<String>,
    date: Option<NaiveDate>,
) -> Result<(), Failure> {
    let store = crate::store::open(ctx)?;
    let township = match township {
        Some(t) => Some(t),
        None => store.setting(TOWNSHIP)?,
    };
    let scope = match (all, township) {
        (false, Some(t)) => SearchScope::Township(t),
        _ => SearchScope::All,
    };
    let q = SearchQuery {
        text: query,
        on: date.unwrap_or_else(today),
        scope,
        limit,
    };
    let res = store.catalogue().search(&q)?;
    if ctx.json {
        return print_json(&res);
    }
    if res.results.is_empty() {
        println!("未找到匹配的事项");
    }
    for h in &res.results {
        println!(
            "{:<12} {}  [{}·{}]",
            h.code,
            h.name,
            h.kind.label_zh(),
            h.domain
        );
    }
    Ok(())
}

fn show(ctx: &Ctx, code: &str, on: NaiveDate) -> Result<(), Failure> {
    let store = crate::store::open(ctx)?;
    let Some(rec) = store.catalogue().matter_in_force(code, on)? else {
        return Err(Failure::bad_input(
            "MATTER_NOT_FOUND",
            format!("{on} 生效的目录中没有事项 {code}"),
        ));
    };
    if ctx.json {
        return print_json(&rec);
    }
    let m = &rec.matter;
    println!("{}  {}", m.code, m.name);
    println!(
        "类别: {}    领域: {}    主管部门: {}",
        m.kind.label_zh(),
        m.domain,
        m.department
    );
    if let Some(a) = &m.entrusting_authority {
        println!("委托机关: {a}（文书以委托机关名义作出）");
    }
    println!(
        "目录版本: {}{}",
        rec.release.id,
        if rec.release.sample {
            "（示例数据）"
        } else {
            ""
        }
    );
    for p in &rec.provisions {
        let role = match p.role {
            ProvisionRole::Violated => "违则",
            ProvisionRole::Penalty => "罚则",
        };
        let stale = if p.in_force {
            ""
        } else {
            "（该日期不在施行期内）"
        };
        let unverified = if p.provision.verified {
            ""
        } else {
            "【未核对】"
        };
        println!(
            "{role}: {}{stale}{unverified}\n    {}",
            p.citation, p.provision.text
        );
        if let Some(s) = &p.provision.source {
            println!("    来源: {s}");
        }
    }
    if let Some(note) = &m.scope_note {
        println!("适用范围: {note}");
    }
    match zhifa_core::catalogue::clause::Clause::of(m) {
        Ok(Some(c)) => {
            println!("罚则档次:");
            for b in &c.bands {
                println!("  {}", band_text(b));
            }
        }
        Ok(None) => {}
        Err(e) => println!("罚则: {e}"),
    }
    if let Some(e) = &m.first_violation {
        println!("首违不罚: {}", e.conditions);
    }
    if let Some(e) = &m.minor_violation {
        println!("轻微免罚: {}", e.conditions);
    }
    println!("裁量阶次:");
    for l in &m.levels {
        let band = l
            .band
            .as_deref()
            .map(|b| format!("［档次{b}］"))
            .unwrap_or_default();
        println!("  {} {}{band}: {}", l.code, l.name, l.conditions);
        for (who, p) in [("个人", &l.individual), ("单位", &l.organization)] {
            if let Some(p) = p {
                println!("      {who}: {}", penalty_text(p));
            }
        }
    }
    Ok(())
}

/// One band of the clause in a line: who, precondition, kinds, amount.
fn band_text(b: &Band) -> String {
    let who: Vec<&str> = b
        .parties
        .iter()
        .map(|p| match p {
            ClauseParty::Individual => "个人",
            ClauseParty::Organization => "单位",
        })
        .collect();
    let pre = if b.preconditions.is_empty() {
        String::new()
    } else {
        let p: Vec<&str> = b.preconditions.iter().map(|p| p.label_zh()).collect();
        format!("【前提：{}】", p.join("、"))
    };
    let kinds: Vec<String> = b
        .kinds
        .iter()
        .map(|k| {
            let how = if k.mandatory { "应当" } else { "可以" };
            let what = k.detail.as_deref().unwrap_or(k.kind.label_zh());
            format!("{how}{what}")
        })
        .collect();
    let amount = match &b.fine {
        Some(FineAmount::Range(r)) => format!(
            "，罚款{}–{}",
            format_yuan(r.min_fen),
            format_yuan(r.max_fen)
        ),
        Some(FineAmount::Fixed(v)) => {
            let a: Vec<String> = v.iter().map(|f| format_yuan(*f)).collect();
            format!("，罚款{}", a.join("或"))
        }
        Some(FineAmount::Multiple(m)) => format!(
            "，罚款为{}的{}%–{}%",
            m.base.label_zh(),
            m.min_percent,
            m.max_percent
        ),
        None => String::new(),
    };
    let article = b.article.as_deref().unwrap_or(&b.provision);
    format!(
        "{} {}（{}）{pre}: {}{amount}  [{article}]",
        b.id,
        b.name,
        who.join("、"),
        kinds.join("，")
    )
}

fn penalty_text(p: &LevelPenalty) -> String {
    let mut parts = Vec::new();
    if p.warning {
        parts.push("警告".to_owned());
    }
    if let Some(f) = &p.fine {
        parts.push(if f.min_fen == f.max_fen {
            format!("罚款 {}", format_yuan(f.min_fen))
        } else {
            format!("罚款 {}–{}", format_yuan(f.min_fen), format_yuan(f.max_fen))
        });
    }
    parts.extend(p.other.iter().cloned());
    parts.join("，")
}

#[derive(Serialize)]
struct ReleasesDoc {
    releases: Vec<catalogue::ReleaseInfo>,
}

fn releases(ctx: &Ctx) -> Result<(), Failure> {
    let store = crate::store::open(ctx)?;
    let releases = store.catalogue().releases()?;
    if ctx.json {
        return print_json(&ReleasesDoc { releases });
    }
    for r in &releases {
        println!(
            "{}  {}  自 {} 起施行{}",
            r.id,
            r.title,
            r.effective_from,
            if r.sample { "（示例数据）" } else { "" }
        );
    }
    Ok(())
}

fn synthesise(opts: SynthOptions, out: Option<PathBuf>, gzip: bool) -> Result<(), Failure> {
    if opts.matters == 0 {
        return Err(Failure::bad_input(
            "SYNTH_NO_MATTERS",
            "--matters 必须大于 0",
        ));
    }
    if opts.townships > 999 {
        return Err(Failure::bad_input(
            "SYNTH_TOO_MANY_TOWNSHIPS",
            "--townships 最多 999",
        ));
    }
    let package: Package = synth(&opts);
    let json =
        serde_json::to_vec(&package).map_err(|e| Failure::internal("OUTPUT", e.to_string()))?;
    let bytes = if gzip {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(&json)
            .and_then(|_| enc.finish())
            .map_err(|e| Failure::internal("OUTPUT", e.to_string()))?
    } else {
        json
    };
    let io = |e: std::io::Error| Failure::stdout(&e);
    match out {
        Some(path) => fs::write(&path, &bytes).map_err(|e| {
            Failure::bad_input("OUTPUT", format!("无法写入 {}: {e}", path.display()))
        })?,
        None => std::io::stdout().write_all(&bytes).map_err(io)?,
    }
    Ok(())
}
