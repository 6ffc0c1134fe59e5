//! `zhifa-server staff …`: the console accounts of `/v1/console/*`
//! (command centre, departments, legal review, approver, supervisor,
//! administrator): create or re-issue a bearer token, set the sign-in
//! password, enrol the TOTP second factor, revoke, list.

use anyhow::bail;
use clap::Subcommand;
use zhifa_server::Service;
use zhifa_server::clock::Clock;

use super::print;

/// `staff` subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum StaffCmd {
    /// Create a console account (or re-issue its token); prints the bearer
    /// token once — only its hash is stored.
    Add {
        /// Login id, e.g. zhzx-500112.
        #[arg(long)]
        id: String,
        /// Display name of the unit.
        #[arg(long)]
        name: String,
        /// command_centre | department | legal_review.
        #[arg(long)]
        role: String,
        /// Township-code prefix it covers: omitted = the whole city,
        /// 6 digits = a district, 9 digits = a township.
        #[arg(long, default_value = "")]
        scope: String,
        /// The department code of a department account (e.g. CQ-SCJG).
        #[arg(long)]
        department: Option<String>,
        /// Days the token stays valid.
        #[arg(long, default_value_t = 90)]
        days: i64,
    },
    /// Set the sign-in password of a console account, read from the first
    /// line of standard input (never from the command line); ends its
    /// sessions and clears a lock-out.
    Password {
        /// Login id.
        id: String,
    },
    /// Enrol a new TOTP second factor (RFC 6238, 30 s, 6 digits): prints
    /// the otpauth:// URL to show as a QR code in an authenticator app;
    /// the former secret stops working and the account's sessions end.
    Totp {
        /// Login id.
        id: String,
    },
    /// Link a subject of the government SSO (OpenID Connect) to this
    /// console account, so it may sign in through 政务统一身份认证; SSO
    /// never creates accounts.
    LinkSso {
        /// Login id.
        id: String,
        /// The provider's issuer URL (as in serve --oidc-issuer).
        #[arg(long)]
        issuer: String,
        /// The subject (`sub`) the provider gives this person.
        #[arg(long)]
        subject: String,
    },
    /// Revoke a console account: its token stops working at once.
    Revoke {
        /// Login id.
        id: String,
    },
    /// Every console account (no tokens).
    List,
}

/// Runs `cmd`.
pub(crate) fn run(
    service: &Service,
    clock: &dyn Clock,
    cmd: StaffCmd,
    json: bool,
) -> anyhow::Result<()> {
    match cmd {
        StaffCmd::Add {
            id,
            name,
            role,
            scope,
            department,
            days,
        } => {
            let Some(role) = zhifa_server::console::StaffRole::parse(&role) else {
                bail!(
                    "role must be command_centre, department, legal_review, approver, supervisor or administrator"
                );
            };
            if !(1..=366).contains(&days) {
                bail!("--days must be between 1 and 366");
            }
            let token = service.store().issue_staff(
                &zhifa_server::console::NewStaff {
                    id: id.clone(),
                    name,
                    role,
                    scope,
                    department,
                },
                chrono::Duration::days(days),
                clock.now(),
            )?;
            print(
                json,
                serde_json::json!({ "id": id, "token": token }),
                token.clone(),
            );
            Ok(())
        }
        StaffCmd::Revoke { id } => {
            let revoked = service.store().revoke_staff(&id, clock.now())?;
            print(
                json,
                serde_json::json!({ "id": id, "revoked": revoked }),
                if revoked {
                    format!("staff {id} revoked")
                } else {
                    format!("staff {id} was not active")
                },
            );
            Ok(())
        }
        StaffCmd::Password { id } => {
            let mut line = String::new();
            std::io::stdin().read_line(&mut line)?;
            let password = line.trim_end_matches(['\r', '\n']);
            service
                .store()
                .set_staff_password(&id, password, clock.now())?;
            print(
                json,
                serde_json::json!({ "id": id, "password_set": true }),
                format!("staff {id}: password set"),
            );
            Ok(())
        }
        StaffCmd::LinkSso {
            id,
            issuer,
            subject,
        } => {
            let linked = service
                .store()
                .link_staff_sso(&issuer, &subject, &id, clock.now())?;
            if !linked {
                bail!("no console account {id}");
            }
            print(
                json,
                serde_json::json!({ "id": id, "issuer": issuer, "subject": subject, "linked": true }),
                format!("staff {id}: linked to {subject} at {issuer}"),
            );
            Ok(())
        }
        StaffCmd::Totp { id } => {
            let secret = service.store().enrol_staff_totp(&id, clock.now())?;
            let url = zhifa_server::session::totp::otpauth_url(&secret, &id)?;
            print(
                json,
                serde_json::json!({ "id": id, "otpauth_url": url, "totp_secret": secret }),
                url,
            );
            Ok(())
        }
        StaffCmd::List => list(service, json),
    }
}

fn list(service: &Service, json: bool) -> anyhow::Result<()> {
    let rows = service.store().staff()?;
    let text = rows
        .iter()
        .map(|s| {
            format!(
                "{}  {}  {}  辖区 {}  {}  至 {}{}",
                s.id,
                s.name,
                s.role.as_str(),
                if s.scope.is_empty() {
                    "全市"
                } else {
                    &s.scope
                },
                s.department.as_deref().unwrap_or("-"),
                if s.expires_at.is_empty() {
                    "（无令牌）"
                } else {
                    &s.expires_at
                },
                if s.revoked_at.is_some() {
                    "（已停用）"
                } else {
                    ""
                }
            )
        })
        .collect::<Vec<_>>()
        .join("\n");
    print(json, serde_json::to_value(&rows)?, text);
    Ok(())
}
