//! `zhifa-server task …`: assign tasks to officers (they reach the device
//! through its inbox) and list them with their closed-loop times.

use clap::Subcommand;
use zhifa_server::Service;
use zhifa_server::clock::Clock;

use super::print;

/// `task` subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum TaskCmd {
    /// Every task with its assigned, accepted and done times.
    List,
    /// Assign a task (complaint, random inspection, follow-up) to an officer;
    /// it reaches the officer's device through the inbox.
    Assign {
        /// The officer id.
        #[arg(long)]
        officer: String,
        /// complaint | random_inspection | follow_up.
        #[arg(long)]
        kind: String,
        /// The place.
        #[arg(long)]
        place: String,
        /// What to do.
        #[arg(long)]
        detail: String,
        /// The party, if known.
        #[arg(long)]
        party: Option<String>,
        /// Due date, YYYY-MM-DD.
        #[arg(long)]
        due: Option<String>,
        /// Scenario code to inspect under; repeat for several.
        #[arg(long = "scenario")]
        scenarios: Vec<String>,
    },
}

/// Runs `cmd`.
pub(crate) fn run(
    service: &Service,
    clock: &dyn Clock,
    cmd: TaskCmd,
    json: bool,
) -> anyhow::Result<()> {
    match cmd {
        TaskCmd::Assign {
            officer,
            kind,
            place,
            detail,
            party,
            due,
            scenarios,
        } => {
            let id = service.store().assign_task(
                &zhifa_server::inspection::NewTask {
                    officer_id: officer,
                    kind,
                    place,
                    party_name: party,
                    detail,
                    due_on: due,
                    scenarios,
                },
                clock.now(),
                "",
                "operator:cli",
            )?;
            print(json, serde_json::json!({ "task_id": id }), id.clone());
            Ok(())
        }
        TaskCmd::List => {
            let rows = service.store().tasks("")?;
            let text = rows
                .iter()
                .map(|t| {
                    format!(
                        "{}  {}  {}  {}  派发 {}  接收 {}  完成 {}",
                        t.task_id,
                        t.kind,
                        t.status,
                        t.detail,
                        t.assigned_at,
                        t.accepted_at.as_deref().unwrap_or("-"),
                        t.done_at.as_deref().unwrap_or("-")
                    )
                })
                .collect::<Vec<_>>()
                .join("\n");
            print(json, serde_json::to_value(&rows)?, text);
            Ok(())
        }
    }
}
