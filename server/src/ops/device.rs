//! `zhifa-server device …`: enrolled devices; revoking one stops its
//! tokens at once.

use clap::Subcommand;
use zhifa_server::Service;
use zhifa_server::clock::Clock;

use super::print;

/// `device` subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum DeviceCmd {
    /// Revoke a device: its tokens stop working at once.
    Revoke {
        /// Device id.
        id: String,
    },
}

/// Runs `cmd`.
pub(crate) fn run(
    service: &Service,
    clock: &dyn Clock,
    cmd: DeviceCmd,
    json: bool,
) -> anyhow::Result<()> {
    let DeviceCmd::Revoke { id } = cmd;
    let revoked = service.store().revoke_device(&id, clock.now())?;
    print(
        json,
        serde_json::json!({ "device_id": id, "revoked": revoked }),
        if revoked {
            format!("device {id} revoked")
        } else {
            format!("device {id} was not active")
        },
    );
    Ok(())
}
