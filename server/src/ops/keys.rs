//! `zhifa-server keys …`: the personal-data vault's keys (issue 15 item
//! 4; `zhifa_server::pii`). Restart running servers after a rotation:
//! they keep the data keys they had unwrapped, and seal with the new data
//! keys only once they have read them.

use clap::Subcommand;
use zhifa_server::Service;
use zhifa_server::pii::rotate::Rotated;

/// `keys` subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum KeysCmd {
    /// Every data key: purpose, wrapping master key, retired or not, and
    /// how many stored values it seals.
    Status,
    /// A fresh master key in the key file; every data key rewrapped under
    /// it; then the old master key dropped from the file.
    RotateMaster,
    /// Every data key rewrapped under the current master key (after
    /// setting a new ZHIFA_MASTER_KEY with the old one in
    /// ZHIFA_MASTER_KEY_PREVIOUS).
    Rewrap,
    /// A new data key per purpose (the blind index's excepted); the old
    /// ones only open what they sealed.
    RotateData {
        /// Also re-encrypt every stored value under the new keys.
        #[arg(long)]
        reseal: bool,
    },
}

/// Runs `cmd`.
pub(crate) fn run(service: &Service, cmd: &KeysCmd, json: bool) -> anyhow::Result<()> {
    match cmd {
        KeysCmd::Status => {
            let rows = service.keys_status()?;
            let mut text = format!("主密钥 {}\n", service.vault.provider().current_id());
            for r in &rows {
                text.push_str(&format!(
                    "{:<24} 包裹于 {}  {} 条  {}\n",
                    r.id,
                    r.master_id,
                    r.values,
                    r.retired_at
                        .as_deref()
                        .map_or_else(|| "在用".to_owned(), |t| format!("已停用 {t}"))
                ));
            }
            super::print(
                json,
                serde_json::to_value(&rows)?,
                text.trim_end().to_owned(),
            );
        }
        KeysCmd::RotateMaster => report(json, &service.keys_rotate_master()?)?,
        KeysCmd::Rewrap => report(json, &service.keys_rewrap()?)?,
        KeysCmd::RotateData { reseal } => report(json, &service.keys_rotate_data(*reseal)?)?,
    }
    Ok(())
}

fn report(json: bool, r: &Rotated) -> anyhow::Result<()> {
    let text = format!(
        "主密钥 {}；重新包裹数据密钥 {} 把；新数据密钥 {}；重新加密 {} 条{}",
        r.master_id,
        r.rewrapped,
        if r.new_data_keys.is_empty() {
            "无".to_owned()
        } else {
            r.new_data_keys.join("、")
        },
        r.resealed,
        if r.dropped_masters.is_empty() {
            String::new()
        } else {
            format!(
                "；已从密钥文件删除旧主密钥 {}",
                r.dropped_masters.join("、")
            )
        }
    );
    super::print(json, serde_json::to_value(r)?, text);
    Ok(())
}
