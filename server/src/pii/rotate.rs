//! Key rotation and status (`zhifa-server keys …`), each step one
//! transaction through the storage's `record_write`.
//!
//! - [`rewrap`]: every data key not wrapped by the current master key is
//!   unwrapped (by the old master key, which the provider must still
//!   hold) and wrapped by the current one. `keys rotate-master` adds a
//!   fresh key in front of the key file, rewraps, and only after that
//!   commit drops the old key from the file — a crash at any point leaves
//!   a file that opens every row. With `ZHIFA_MASTER_KEY` the operator
//!   sets the new key there and the old one in
//!   `ZHIFA_MASTER_KEY_PREVIOUS`, then runs `keys rewrap`.
//! - [`rotate_data`]: each purpose but the blind index gets its next data
//!   key generation; the previous one is retired (opens, never seals).
//! - [`reseal_page`]: re-encrypts up to `limit` stored values not sealed
//!   by their purpose's active key; run until it returns 0.

use chrono::Utc;
use serde::Serialize;

use super::{BLIND_INDEX, PURPOSES, Vault, wrap_aad};
use crate::record::cases::{event_aad, record_aad};
use crate::record::others::{inspection_aad, task_aad};
use crate::record::{RecordError, Seal, b64, from_json, purpose, to_json, ts, unb64};
use crate::store::sql::{Conn, p};

/// Rewraps every data key under the provider's current master key; how
/// many rows changed.
pub fn rewrap(tx: &mut dyn Conn, vault: &Vault) -> Result<usize, RecordError> {
    let current = vault.provider().current_id();
    let rows = tx.query(
        "SELECT id, master_id, wrapped FROM pii_key WHERE master_id <> ?1",
        p![current],
    )?;
    for r in &rows {
        let id: String = r.get(0)?;
        let key = vault
            .provider()
            .unwrap(
                &r.get::<String>(1)?,
                &unb64(&r.get::<String>(2)?)?,
                &wrap_aad(&id),
            )
            .map_err(super::seal_err)?;
        let (master, wrapped) = vault
            .provider()
            .wrap(&key, &wrap_aad(&id))
            .map_err(super::seal_err)?;
        tx.exec(
            "UPDATE pii_key SET master_id = ?1, wrapped = ?2 WHERE id = ?3",
            p![master, b64(&wrapped), id],
        )?;
    }
    Ok(rows.len())
}

/// Gives each purpose but the blind index a new data key and retires the
/// old; the new ids. Call [`Vault::prepare`] afterwards (same
/// transaction) so the vault seals with them.
pub fn rotate_data(tx: &mut dyn Conn, vault: &Vault) -> Result<Vec<String>, RecordError> {
    let now = ts(Utc::now());
    let mut made = Vec::new();
    for purpose in PURPOSES.iter().filter(|p| **p != BLIND_INDEX) {
        let ids = tx.query("SELECT id FROM pii_key WHERE purpose = ?1", p![*purpose])?;
        let mut generation = 0u32;
        for r in &ids {
            let id: String = r.get(0)?;
            if let Some(g) = id.rsplit_once('/').and_then(|(_, g)| g.parse::<u32>().ok()) {
                generation = generation.max(g);
            }
        }
        let id = format!("{purpose}/{}", generation + 1);
        vault.insert_key(
            tx,
            &id,
            purpose,
            &super::keys::random_key().map_err(super::seal_err)?,
        )?;
        tx.exec(
            "UPDATE pii_key SET retired_at = ?1 WHERE purpose = ?2 AND id <> ?3 AND retired_at IS NULL",
            p![now, *purpose, id],
        )?;
        made.push(id);
    }
    Ok(made)
}

/// One sealed column: its table, key columns (the rank an expression
/// where a table keeps one value per id), the column, purpose and AAD.
struct Column {
    table: &'static str,
    id: &'static str,
    rank: &'static str,
    sealed: &'static str,
    purpose: &'static str,
    aad: fn(&str, i64) -> Vec<u8>,
}

fn as_u64(v: i64) -> u64 {
    u64::try_from(v).unwrap_or_default()
}

const COLUMNS: [Column; 10] = [
    Column {
        table: "record_case",
        id: "case_id",
        rank: "version",
        sealed: "sealed",
        purpose: purpose::CASE,
        aad: |id, v| record_aad(id, as_u64(v)),
    },
    Column {
        table: "record_case_event",
        id: "case_id",
        rank: "seq",
        sealed: "sealed",
        purpose: purpose::CASE_EVENT,
        aad: |id, v| event_aad(id, as_u64(v)),
    },
    Column {
        table: "record_inspection",
        id: "inspection_id",
        rank: "version",
        sealed: "sealed",
        purpose: purpose::INSPECTION,
        aad: |id, v| inspection_aad(id, as_u64(v)),
    },
    Column {
        table: "record_task",
        id: "task_id",
        rank: "rank",
        sealed: "sealed",
        purpose: purpose::TASK,
        aad: task_aad,
    },
    Column {
        table: "staff",
        id: "id",
        rank: "CAST(0 AS BIGINT)",
        sealed: "totp_secret",
        purpose: super::STAFF_TOTP,
        aad: |id, _| crate::session::totp_aad(id),
    },
    Column {
        table: "supervise_clue_event",
        id: "clue_id",
        rank: "seq",
        sealed: "text",
        purpose: super::SUPERVISE_TEXT,
        aad: crate::supervise::clues::text_aad,
    },
    Column {
        table: "procedure_event",
        id: "case_id",
        rank: "seq",
        sealed: "event",
        purpose: super::PROCEDURE,
        aad: crate::procedure::event_aad,
    },
    Column {
        table: "procedure_case",
        id: "case_id",
        rank: "CAST(0 AS BIGINT)",
        sealed: "details",
        purpose: super::PROCEDURE,
        aad: |id, _| crate::procedure::details_aad(id),
    },
    Column {
        table: "platform",
        id: "id",
        rank: "CAST(0 AS BIGINT)",
        sealed: "secret",
        purpose: super::PLATFORM_SECRET,
        aad: |id, _| crate::platform::store::secret_aad(id),
    },
    Column {
        table: "platform_event",
        id: "event_id",
        rank: "CAST(0 AS BIGINT)",
        sealed: "reporter",
        purpose: super::PLATFORM_EVENT,
        aad: |id, _| crate::platform::store::reporter_aad(id),
    },
];

/// Re-encrypts up to `limit` values not sealed by their purpose's active
/// data key; how many it did (0: all done).
pub fn reseal_page(tx: &mut dyn Conn, vault: &Vault, limit: i64) -> Result<usize, RecordError> {
    let mut done = 0usize;
    for col in &COLUMNS {
        let Some(active) = Vault::active_id(tx, col.purpose)? else {
            continue;
        };
        let prefix = format!("{}{active}:", super::PREFIX);
        let len = i64::try_from(prefix.chars().count()).unwrap_or(i64::MAX);
        let room = limit - i64::try_from(done).unwrap_or(i64::MAX);
        if room <= 0 {
            break;
        }
        let rows = tx.query(
            &format!(
                "SELECT {id}, {rank}, {s} FROM {t} WHERE substr({s}, 1, ?1) <> ?2 LIMIT ?3",
                id = col.id,
                rank = col.rank,
                s = col.sealed,
                t = col.table
            ),
            p![len, prefix, room],
        )?;
        for r in &rows {
            let (id, rank, sealed) = (r.get::<String>(0)?, r.get::<i64>(1)?, r.get::<String>(2)?);
            let aad = (col.aad)(&id, rank);
            let plain = vault.open(tx, col.purpose, &aad, &sealed)?;
            let again = vault.seal_with(tx, &active, col.purpose, &aad, &plain)?;
            tx.exec(
                &format!(
                    "UPDATE {t} SET {s} = ?1 WHERE {id} = ?2 AND {rank} = ?3",
                    s = col.sealed,
                    t = col.table,
                    id = col.id,
                    rank = col.rank
                ),
                p![again, id, rank],
            )?;
        }
        done += rows.len();
    }
    Ok(done)
}

/// One data key as `keys status` lists it.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct KeyRow {
    /// Its id.
    pub id: String,
    /// What it seals.
    pub purpose: String,
    /// The master key that wraps it.
    pub master_id: String,
    /// When it was made.
    pub created_at: String,
    /// When it stopped sealing new values.
    pub retired_at: Option<String>,
    /// Stored values it seals now.
    pub values: i64,
}

/// Every data key, with how many stored values each seals.
pub fn status(c: &mut dyn Conn) -> Result<Vec<KeyRow>, RecordError> {
    let rows = c.query(
        "SELECT id, purpose, master_id, created_at, retired_at FROM pii_key ORDER BY purpose, created_at, id",
        &[],
    )?;
    let mut out = Vec::new();
    for r in rows {
        let id: String = r.get(0)?;
        let purpose: String = r.get(1)?;
        let mut values = 0;
        for col in COLUMNS
            .iter()
            .filter(|c| c.purpose == purpose || purpose == super::LEGACY)
        {
            let (sql, prefix) = if purpose == super::LEGACY {
                (
                    format!(
                        "SELECT COUNT(*) FROM {} WHERE substr({}, 1, 4) <> ?1",
                        col.table, col.sealed
                    ),
                    super::PREFIX.to_owned(),
                )
            } else {
                (
                    format!(
                        "SELECT COUNT(*) FROM {} WHERE substr({}, 1, ?2) = ?1",
                        col.table, col.sealed
                    ),
                    format!("{}{id}:", super::PREFIX),
                )
            };
            let n = i64::try_from(prefix.chars().count()).unwrap_or(i64::MAX);
            let row = if purpose == super::LEGACY {
                c.query_one(&sql, p![prefix])?
            } else {
                c.query_one(&sql, p![prefix, n])?
            };
            values += row.get::<i64>(0)?;
        }
        out.push(KeyRow {
            id,
            purpose,
            master_id: r.get(2)?,
            created_at: r.get(3)?,
            retired_at: r.get(4)?,
            values,
        });
    }
    Ok(out)
}

/// What a rotation did.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Rotated {
    /// The master key the data keys are wrapped by now.
    pub master_id: String,
    /// Master keys dropped from the key file.
    pub dropped_masters: Vec<String>,
    /// Data keys rewrapped.
    pub rewrapped: usize,
    /// Data keys made.
    pub new_data_keys: Vec<String>,
    /// Stored values re-encrypted.
    pub resealed: usize,
}

/// Stored values re-encrypted per transaction by `--reseal`.
pub const RESEAL_PAGE: i64 = 500;

impl crate::Service {
    /// Every data key with the values it seals (`keys status`).
    pub fn keys_status(&self) -> Result<Vec<KeyRow>, crate::ServiceError> {
        let v = self.store().record_read(|c, _| to_json(&status(c)?))?;
        Ok(from_json(v)?)
    }

    /// Rewraps every data key under the provider's current master key
    /// (`keys rewrap`: after setting a new `ZHIFA_MASTER_KEY` with the old
    /// one in `ZHIFA_MASTER_KEY_PREVIOUS`).
    pub fn keys_rewrap(&self) -> Result<Rotated, crate::ServiceError> {
        let vault = self.vault.clone();
        let v = self
            .store()
            .record_write(|tx, _| to_json(&rewrap(tx, &vault)?))?;
        Ok(Rotated {
            master_id: self.vault.provider().current_id(),
            rewrapped: from_json(v)?,
            ..Rotated::default()
        })
    }

    /// A fresh master key in the key file, every data key rewrapped under
    /// it, then the old key dropped from the file (`keys rotate-master`).
    /// Refused when the keys come from `ZHIFA_MASTER_KEY`.
    pub fn keys_rotate_master(&self) -> Result<Rotated, crate::ServiceError> {
        use super::keys::{KeyError, LocalKeys};
        if LocalKeys::from_env()?.is_some() {
            return Err(KeyError::Invalid(format!(
                "主密钥来自环境变量 {}：请把新密钥设为它、旧密钥设为 {} 后运行 keys rewrap",
                super::keys::ENV_KEY,
                super::keys::ENV_PREVIOUS
            ))
            .into());
        }
        let mut keys = LocalKeys::load_or_create(&super::keys::key_file(&self.data))?;
        let master_id = keys.push_new()?;
        // The file now holds the new key first and the old after it: a
        // crash from here on leaves a file that opens every row.
        let both = LocalKeys::load_or_create(&super::keys::key_file(&self.data))?;
        let vault = Vault::new(std::sync::Arc::new(both));
        let v = self
            .store()
            .record_write(|tx, _| to_json(&rewrap(tx, &vault)?))?;
        let dropped_masters = keys.drop_old()?;
        Ok(Rotated {
            master_id,
            dropped_masters,
            rewrapped: from_json(v)?,
            ..Rotated::default()
        })
    }

    /// A new data key per purpose (the blind index's excepted), the old
    /// ones retired; with `reseal`, every stored value re-encrypted under
    /// the new keys, [`RESEAL_PAGE`] per transaction (`keys rotate-data`).
    pub fn keys_rotate_data(&self, reseal: bool) -> Result<Rotated, crate::ServiceError> {
        let vault = self.vault.clone();
        let v = self.store().record_write(|tx, _| {
            let made = rotate_data(tx, &vault)?;
            vault.prepare(tx, None)?;
            to_json(&made)
        })?;
        // This process seals new evidence under the new key at once.
        crate::install_evidence_keys(self.store(), &self.vault, &self.state.blobs)?;
        let mut out = Rotated {
            master_id: self.vault.provider().current_id(),
            new_data_keys: from_json(v)?,
            ..Rotated::default()
        };
        if !reseal {
            return Ok(out);
        }
        loop {
            let v = self
                .store()
                .record_write(|tx, _| to_json(&reseal_page(tx, &vault, RESEAL_PAGE)?))?;
            let n: usize = from_json(v)?;
            if n == 0 {
                break;
            }
            out.resealed += n;
        }
        Ok(out)
    }
}
