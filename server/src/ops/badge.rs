//! `zhifa-server badge …`: the 亮码 badge authority's public key and the
//! parties' ratings (执法社会评议).

use clap::Subcommand;
use zhifa_server::Service;

use super::print;

/// `badge` subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum BadgeCmd {
    /// The badge authority's public key (as `GET /v1/badge/key`).
    Key,
    /// Every rating, newest first.
    Ratings {
        /// Only this district (6-digit code).
        #[arg(long)]
        district: Option<String>,
    },
}

/// Runs `cmd`.
pub(crate) fn run(service: &Service, cmd: BadgeCmd, json: bool) -> anyhow::Result<()> {
    match cmd {
        BadgeCmd::Key => {
            let key = zhifa_protocol::badge::BadgeKey::of(&service.state.badge.public());
            let text = format!("{} {}", key.key_id, key.public_key);
            print(json, serde_json::to_value(&key)?, text);
            Ok(())
        }
        BadgeCmd::Ratings { district } => {
            let rows = service.store().badge_ratings(district.as_deref())?;
            let text = rows
                .iter()
                .map(|r| {
                    format!(
                        "{}\t{}\t{}\t{}\t{}\t{}",
                        r.rated_at,
                        r.officer_id,
                        r.township,
                        r.inspection_id,
                        r.rating.code(),
                        r.comment.replace(['\n', '\t'], " ")
                    )
                })
                .collect::<Vec<_>>()
                .join("\n");
            print(json, serde_json::to_value(&rows)?, text);
            Ok(())
        }
    }
}
