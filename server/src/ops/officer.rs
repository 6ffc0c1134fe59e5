//! `zhifa-server officer …`: officers (with the 执法证号 their 亮码
//! certificate carries) and their one-time enrolment codes.

use anyhow::bail;
use clap::Subcommand;
use zhifa_server::clock::Clock;
use zhifa_server::store::OfficerRow;
use zhifa_server::{Service, enrol_code};

use super::print;

/// `officer` subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum OfficerCmd {
    /// Add or update an officer.
    Add {
        /// Officer id.
        #[arg(long)]
        id: String,
        /// Name.
        #[arg(long)]
        name: String,
        /// Township code (9 digits).
        #[arg(long)]
        township: String,
        /// `officer` or `district_supervisor`.
        #[arg(long, default_value = "officer")]
        role: String,
        /// 执法证号 (enforcement credential number): with it, the officer's
        /// devices get a 亮码 certificate at enrolment and refresh.
        #[arg(long, requires = "township_name")]
        credential_no: Option<String>,
        /// The township's (or its authority's) name shown on the 亮码 page.
        #[arg(long, requires = "credential_no")]
        township_name: Option<String>,
    },
    /// Create a one-time enrolment code for an officer.
    EnrolCode {
        /// Officer id.
        #[arg(long)]
        officer: String,
    },
}

/// Runs `cmd`.
pub(crate) fn run(
    service: &Service,
    clock: &dyn Clock,
    cmd: OfficerCmd,
    json: bool,
) -> anyhow::Result<()> {
    match cmd {
        OfficerCmd::Add {
            id,
            name,
            township,
            role,
            credential_no,
            township_name,
        } => {
            if role != "officer" && role != "district_supervisor" {
                bail!("role must be officer or district_supervisor");
            }
            service.store().upsert_officer(&OfficerRow {
                id: id.clone(),
                name,
                township,
                role,
            })?;
            if let (Some(c), Some(t)) = (credential_no, township_name) {
                if c.trim().is_empty() || c.chars().count() > 40 {
                    bail!("credential number must be 1..40 characters");
                }
                service
                    .store()
                    .badge_set_credential(&id, c.trim(), t.trim(), clock.now())?;
            }
            print(
                json,
                serde_json::json!({ "id": id }),
                format!("officer {id} saved"),
            );
            Ok(())
        }
        OfficerCmd::EnrolCode { officer } => {
            let code = enrol_code()?;
            service
                .store()
                .add_enrol_code(&officer, &code, clock.now())?;
            print(
                json,
                serde_json::json!({ "officer": officer, "code": code }),
                code.clone(),
            );
            Ok(())
        }
    }
}
