//! `zhifa-server supervise …`: 执法监督 from the command line — the
//! problem models' open clues and the efficiency indicators per township
//! over a scope and a period (issue 18 item 7).

use std::path::PathBuf;

use anyhow::Context;
use chrono::{Datelike, NaiveDate};
use clap::Subcommand;
use zhifa_server::Service;
use zhifa_server::clock::Clock;
use zhifa_server::supervise::{Config, report};

use super::print;

/// `supervise` subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum SuperviseCmd {
    /// The indicators per township, the models run and their open clues.
    Report {
        /// Township-code prefix (e.g. 500101 for one district); all when absent.
        #[arg(long, default_value = "")]
        scope: String,
        /// First day, YYYY-MM-DD (default: 1 January of this year, Beijing).
        #[arg(long)]
        from: Option<NaiveDate>,
        /// Last day, YYYY-MM-DD (default: today, Beijing).
        #[arg(long)]
        to: Option<NaiveDate>,
        /// The models' thresholds as JSON (every field optional; see
        /// `supervise::Config`); the research's defaults otherwise.
        #[arg(long)]
        config: Option<PathBuf>,
    },
}

/// Runs `cmd`.
pub(crate) fn run(
    service: &Service,
    clock: &dyn Clock,
    cmd: SuperviseCmd,
    json: bool,
) -> anyhow::Result<()> {
    let SuperviseCmd::Report {
        scope,
        from,
        to,
        config,
    } = cmd;
    let today = zhifa_core::procedure::beijing_date(clock.now());
    let cfg: Config = match config {
        Some(p) => {
            let text =
                std::fs::read_to_string(&p).with_context(|| format!("reading {}", p.display()))?;
            serde_json::from_str(&text)
                .with_context(|| format!("{}: 监督模型设置无效", p.display()))?
        }
        None => Config::default(),
    };
    let from = from.unwrap_or_else(|| NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today));
    let to = to.unwrap_or(today);
    let r = report::report(service.store(), &scope, from, to, today, clock.now(), &cfg)
        .map_err(|e| anyhow::anyhow!("{}: {e}", e.code()))?;
    let mut text = vec![format!(
        "执法监督报告 {} 至 {}（范围：{}）",
        r.from,
        r.to,
        if r.scope.is_empty() {
            "全部"
        } else {
            &r.scope
        }
    )];
    for i in &r.indicators {
        text.push(format!(
            "{}  案件 {}  已决定 {}（处罚 {}，不予处罚 {}）  办结 {}  超期 {}  复核未通过 {}  检查 {}",
            i.township, i.cases, i.decided, i.penalties, i.no_penalty, i.closed, i.overdue, i.flagged,
            i.inspections
        ));
    }
    text.push(format!(
        "模型 {} 个，线索 {} 条",
        r.models.len(),
        r.clues.len()
    ));
    for c in &r.clues {
        text.push(format!(
            "[{}] {} {}：{}",
            c.model,
            c.township,
            c.cases.join(","),
            c.reason
        ));
    }
    print(json, serde_json::to_value(&r)?, text.join("\n"));
    Ok(())
}
