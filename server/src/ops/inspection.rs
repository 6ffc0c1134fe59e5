//! `zhifa-server inspection …`: the findings of joint inspections (综合查一次)
//! each department must see.

use clap::Subcommand;
use zhifa_server::Service;
use zhifa_server::clock::Clock;

use super::print;

/// `inspection` subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum InspectionCmd {
    /// The findings a department must see: its own items of every joint inspection.
    List {
        /// Department code of the catalogue (e.g. CQ-SCJG); all when omitted.
        #[arg(long, value_name = "CODE")]
        department: Option<String>,
        /// Only failed items (what the department must act on).
        #[arg(long)]
        failed: bool,
    },
}

/// Runs `cmd`.
pub(crate) fn run(
    service: &Service,
    clock: &dyn Clock,
    cmd: InspectionCmd,
    json: bool,
) -> anyhow::Result<()> {
    let InspectionCmd::List { department, failed } = cmd;
    let rows = service.store().inspection_findings(
        department.as_deref(),
        failed,
        "",
        "operator:cli",
        clock.now(),
    )?;
    let text = rows
        .iter()
        .map(|f| {
            format!(
                "{}  {}  {}  {}  {}",
                f.inspection_id,
                f.department_name,
                f.subject,
                f.verdict.as_deref().unwrap_or("-"),
                f.outcome_kind.as_deref().unwrap_or("-")
            )
        })
        .collect::<Vec<_>>()
        .join("\n");
    print(json, serde_json::to_value(&rows)?, text);
    Ok(())
}
