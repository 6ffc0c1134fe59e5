//! `zhifa-server case …`: the cases the server holds — the operator's list
//! and one case's full record in the device's `zhifa case show --json`
//! shape (issue 15 item 2).

use clap::Subcommand;
use zhifa_server::Service;
use zhifa_server::clock::Clock;
use zhifa_server::store::Scope;

use super::print;

/// `case` subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum CaseCmd {
    /// List every case: id, document number, status, evidence completeness.
    List,
    /// One case from the centre's record, in the shape of the device's
    /// `zhifa case show ID --json`, plus its documents and the replay.
    Show {
        /// The case id.
        id: String,
    },
}

/// Runs `cmd`.
pub(crate) fn run(
    service: &Service,
    clock: &dyn Clock,
    cmd: CaseCmd,
    json: bool,
) -> anyhow::Result<()> {
    match cmd {
        CaseCmd::List => list(service, clock, json),
        CaseCmd::Show { id } => show(service, clock, &id, json),
    }
}

fn list(service: &Service, clock: &dyn Clock, json: bool) -> anyhow::Result<()> {
    let cases = service
        .store()
        .cases(&Scope::All, "operator:cli", clock.now())?;
    let rows: Vec<serde_json::Value> = cases
        .iter()
        .map(|c| {
            serde_json::json!({
                "case_id": c.case_id, "document_number": c.document_number,
                "provisional_number": c.provisional_number,
                "status": c.status, "evidence_complete": c.evidence_complete,
            })
        })
        .collect();
    let text = cases
        .iter()
        .map(|c| {
            format!(
                "{}  {}  {}  {}",
                c.case_id,
                c.document_number.as_deref().unwrap_or("-"),
                c.status,
                if c.evidence_complete {
                    "证据齐全"
                } else {
                    "证据未齐"
                }
            )
        })
        .collect::<Vec<_>>()
        .join("\n");
    print(json, serde_json::Value::Array(rows), text);
    Ok(())
}

fn show(service: &Service, clock: &dyn Clock, id: &str, json: bool) -> anyhow::Result<()> {
    let now = clock.now();
    let doc = zhifa_server::record::show::show(
        service.store(),
        id,
        zhifa_server::record::show::beijing_today(now),
        "operator:cli",
        now,
    )?
    .ok_or_else(|| anyhow::anyhow!("服务器没有案件 {id} 的完整记录"))?;
    let text = format!(
        "案件 {id}（{}）\n事项: {}  镇街: {}  版本: {}  文书: {} 份{}",
        doc["status_zh"].as_str().unwrap_or(""),
        doc["matter_code"].as_str().unwrap_or(""),
        doc["township"].as_str().unwrap_or(""),
        doc["version"],
        doc["documents"].as_array().map_or(0, Vec::len),
        if doc["flagged"] == serde_json::Value::Bool(true) {
            "  已标记待法制审核"
        } else {
            ""
        }
    );
    print(json, doc, text);
    Ok(())
}
