//! `zhifa settings …`: device settings kept in the store.
//!
//! Known keys only: `township`, the officer's township code, which scopes
//! catalogue searches to the matters it may enforce. It is checked against
//! the catalogue in force when set.

use clap::Subcommand;
use serde::Serialize;

use crate::Ctx;
use crate::catalogue::today;
use crate::output::{Failure, print_json};

/// The officer's township code.
pub(crate) const TOWNSHIP: &str = "township";

#[derive(Debug, Subcommand)]
pub(crate) enum SettingsCmd {
    /// Print a setting.
    Get {
        /// The setting: `township`.
        key: String,
    },
    /// Change a setting.
    Set {
        /// The setting: `township`.
        key: String,
        /// The new value.
        value: String,
    },
}

#[derive(Serialize)]
struct SettingDoc<'a> {
    key: &'a str,
    value: Option<String>,
}

fn check_key(key: &str) -> Result<(), Failure> {
    if key == TOWNSHIP {
        Ok(())
    } else {
        Err(Failure::bad_input(
            "UNKNOWN_SETTING",
            format!("未知的设置项 {key}（可用: {TOWNSHIP}）"),
        ))
    }
}

pub(crate) fn run(ctx: &Ctx, cmd: SettingsCmd) -> Result<(), Failure> {
    let store = crate::store::open(ctx)?;
    match cmd {
        SettingsCmd::Get { key } => {
            check_key(&key)?;
            let value = store.setting(&key)?;
            if ctx.json {
                return print_json(&SettingDoc { key: &key, value });
            }
            println!("{}", value.unwrap_or_else(|| "（未设置）".into()));
        }
        SettingsCmd::Set { key, value } => {
            check_key(&key)?;
            let cat = store.catalogue();
            let release = cat.release_in_force(today())?;
            let Some(t) = cat.township(&release.id, &value)? else {
                return Err(Failure::bad_input(
                    "CATALOGUE_UNKNOWN_TOWNSHIP",
                    format!("目录版本 {} 中没有镇街 {value}", release.id),
                ));
            };
            store.set_setting(&key, &value)?;
            if ctx.json {
                return print_json(&SettingDoc {
                    key: &key,
                    value: Some(value),
                });
            }
            println!("已设置镇街: {} {}（{}）", t.code, t.name, t.district);
        }
    }
    Ok(())
}
