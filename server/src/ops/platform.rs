//! `zhifa-server platform …`: the city's platforms (一体化治理智治平台,
//! 12345) that post events to `/v1/platform/events`: register one with
//! its shared secret (read from standard input, never from the command
//! line, sealed at rest, never printed back), list, revoke.

use anyhow::bail;
use clap::Subcommand;
use zhifa_server::Service;
use zhifa_server::clock::Clock;
use zhifa_server::platform::NewPlatform;
use zhifa_server::platform::store::parse_reply_days;

use super::print;

/// `platform` subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum PlatformCmd {
    /// Register a platform, or replace its settings and secret. The
    /// shared secret (at least 32 bytes) is the first line of standard
    /// input; with --generate the server makes one and prints it once.
    Add {
        /// Its id, as it sends it in x-zhifa-platform (e.g. cq12345).
        #[arg(long)]
        id: String,
        /// Display name (e.g. 重庆12345热线).
        #[arg(long)]
        name: String,
        /// Township-code prefix it may send events for: omitted = the
        /// whole city, 6 digits = a district, 9 digits = a township.
        #[arg(long, default_value = "")]
        scope: String,
        /// The reply period of an event kind other than complaint, in
        /// working days (report, assignment, camera, other), e.g.
        /// --reply-days assignment=5; repeatable. Chongqing's rule for
        /// these was not found: it is this setting. A complaint's 15
        /// working days come from 重庆市行政执法责任制条例 Art. 13.
        #[arg(long = "reply-days", value_name = "KIND=N")]
        reply_days: Vec<String>,
        /// Generate the secret instead of reading it.
        #[arg(long)]
        generate: bool,
    },
    /// Revoke a platform: its requests are refused from now.
    Revoke {
        /// Its id.
        id: String,
    },
    /// Every platform (no secrets).
    List,
}

/// Runs `cmd`.
pub(crate) fn run(
    service: &Service,
    clock: &dyn Clock,
    cmd: PlatformCmd,
    json: bool,
) -> anyhow::Result<()> {
    match cmd {
        PlatformCmd::Add {
            id,
            name,
            scope,
            reply_days,
            generate,
        } => {
            let reply_days = parse_reply_days(&reply_days).map_err(anyhow::Error::msg)?;
            let (secret, shown) = if generate {
                let s = zhifa_server::store::random_token()?;
                (s.clone().into_bytes(), Some(s))
            } else {
                let mut line = String::new();
                std::io::stdin().read_line(&mut line)?;
                (
                    line.trim_end_matches(['\r', '\n']).as_bytes().to_vec(),
                    None,
                )
            };
            if secret.len() < 32 {
                bail!("the shared secret must be at least 32 bytes");
            }
            service.store().add_platform(
                &NewPlatform {
                    id: id.clone(),
                    name,
                    scope,
                    reply_days,
                    secret,
                },
                clock.now(),
            )?;
            print(
                json,
                serde_json::json!({ "id": id, "secret": shown }),
                match shown {
                    Some(s) => format!("platform {id} registered; its secret (shown once): {s}"),
                    None => format!("platform {id} registered"),
                },
            );
            Ok(())
        }
        PlatformCmd::Revoke { id } => {
            let revoked = service.store().revoke_platform(&id, clock.now())?;
            print(
                json,
                serde_json::json!({ "id": id, "revoked": revoked }),
                if revoked {
                    format!("platform {id} revoked")
                } else {
                    format!("platform {id} was not active")
                },
            );
            Ok(())
        }
        PlatformCmd::List => {
            let all = service.store().platforms()?;
            let text = all
                .iter()
                .map(|p| {
                    format!(
                        "{}\t{}\tscope={}\t{}",
                        p.id,
                        p.name,
                        if p.scope.is_empty() { "city" } else { &p.scope },
                        if p.revoked_at.is_some() {
                            "revoked"
                        } else {
                            "active"
                        }
                    )
                })
                .collect::<Vec<_>>()
                .join("\n");
            print(json, serde_json::to_value(&all)?, text);
            Ok(())
        }
    }
}
