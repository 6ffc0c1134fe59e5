//! The replay (issue 15 item 3): every decision a device pushes is judged
//! again on the server by the same rules (`zhifa_core::rules::assess`,
//! pure), with the catalogue release the server published that is in force
//! on the violation date (行政处罚法 Art. 37), loaded from its stored
//! package into the in-memory model the rules need.
//!
//! The result is stored beside the case (`replay: {ok, codes, messages,
//! release_id, at}`). A decision the rules refuse — an assessment problem,
//! the simple procedure not allowed (Art. 51), or a decision made under
//! another release than the one in force — is **kept** (the legal act
//! happened) and **flagged** for the legal-review body with the codes;
//! a flag is never cleared by a later push (only a review may, later).
//!
//! The replay runs once per decision content (its SHA-256 is kept), in the
//! push transaction, so a stored decision always has its replay.
//!
//! What the server does not know: the township's device-side rules
//! configuration (hearing thresholds, the period roll-over; kept on each
//! device), so the replay uses the documented defaults of
//! `zhifa_core::rules::RulesConfig` with the case's district — a township
//! that configured other values may see a difference flagged, which is
//! what a reviewer should look at.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use zhifa_core::case::Case;
use zhifa_core::catalogue::model::Package;
use zhifa_core::rules::{Assessment, RulesConfig};

use super::{Keeper, RecordError, district_of, sha_of, ts};
use crate::store::sql::{Conn, p};

/// The code of a decision made under a release other than the one the
/// server finds in force on the violation date.
pub const RELEASE_DIFFERS: &str = "REPLAY_RELEASE_DIFFERS";
/// The code when the server has no published release in force on the
/// violation date (nothing to judge by).
pub const NO_RELEASE: &str = "REPLAY_NO_RELEASE";
/// The code when the release in force has no such matter.
pub const UNKNOWN_MATTER: &str = "REPLAY_MATTER_UNKNOWN";
/// The simple procedure was not allowed (行政处罚法 Art. 51); the device's
/// own code for it.
pub const SIMPLE_NOT_ALLOWED: &str = "CASE_SIMPLE_PROCEDURE_NOT_ALLOWED";

/// One replay's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Replay {
    /// Whether the server's rules accept the decision.
    pub ok: bool,
    /// The refusal codes (empty when ok).
    pub codes: Vec<String>,
    /// Their messages, in Chinese.
    pub messages: Vec<String>,
    /// The release the server judged by.
    pub release_id: Option<String>,
    /// When (server time, RFC 3339).
    pub at: String,
}

/// The published releases, read from their stored packages and kept
/// decoded (releases are immutable: a release id is never republished
/// with other content).
pub struct Releases {
    dir: Option<PathBuf>,
    cache: Mutex<HashMap<String, Arc<Package>>>,
}

impl Releases {
    /// Packages under `dir` (`catalogue/<sha256>.json`).
    pub fn new(dir: Option<PathBuf>) -> Self {
        Self {
            dir,
            cache: Mutex::new(HashMap::new()),
        }
    }

    fn package(&self, sha: &str) -> Option<Arc<Package>> {
        if let Ok(cache) = self.cache.lock()
            && let Some(p) = cache.get(sha)
        {
            return Some(p.clone());
        }
        let path = self.dir.as_ref()?.join(format!("{sha}.json"));
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) => {
                tracing::error!(error = %e, release = %sha, "published package unreadable");
                return None;
            }
        };
        let checked = match zhifa_core::catalogue::check_package(&bytes) {
            Ok(c) => c,
            Err(e) => {
                tracing::error!(error = %e, release = %sha, "published package no longer checks");
                return None;
            }
        };
        let pkg = Arc::new(checked.package);
        if let Ok(mut cache) = self.cache.lock() {
            cache.insert(sha.to_owned(), pkg.clone());
        }
        Some(pkg)
    }

    /// The release in force on `on` for `township`: of the published
    /// releases whose region covers the township, the one with the latest
    /// `effective_from` on or before `on` (the latest publication on a tie).
    pub fn in_force(
        &self,
        c: &mut dyn Conn,
        township: &str,
        on: NaiveDate,
    ) -> Result<Option<Arc<Package>>, RecordError> {
        let rows = c.query(
            "SELECT sha256 FROM catalogue_release ORDER BY publication",
            p![],
        )?;
        let mut best: Option<Arc<Package>> = None;
        for r in rows {
            let sha: String = r.get(0)?;
            let Some(pkg) = self.package(&sha) else {
                continue;
            };
            let region = pkg.release.region.trim_end_matches("00");
            if !township.starts_with(region.trim_end_matches("00"))
                || pkg.release.effective_from > on
            {
                continue;
            }
            if best
                .as_ref()
                .is_none_or(|b| b.release.effective_from <= pkg.release.effective_from)
            {
                best = Some(pkg);
            }
        }
        Ok(best)
    }
}

/// The rules' assessment of `case` under `pkg` (its decision decided on
/// `decided`): what the replay judges by.
fn judge(pkg: &Package, case: &Case, decided: NaiveDate) -> Result<Assessment, RecordError> {
    let violation = case.violation_time.date();
    let matter = pkg.matters.iter().find(|m| m.code == case.matter_code);
    let district = district_of(&case.township);
    let input = zhifa_core::case::replay_input(case, &district)
        .map_err(|e| RecordError::Corrupt(e.to_string()))?;
    let calendar = [decided, violation]
        .into_iter()
        .any(|d| pkg.calendar.from <= d && d <= pkg.calendar.to)
        .then_some(&pkg.calendar);
    let config = RulesConfig {
        district: Some(district),
        ..RulesConfig::default()
    };
    Ok(zhifa_core::rules::assess(&input, matter, calendar, &config))
}

/// The server's own assessment of a decided case, as its replay makes it
/// (the release in force on the violation date): the suggested level and
/// every level's fine for this party; `None` without a decision or a
/// release in force. The reviewer's discretion panel reads it.
pub fn assessment(
    c: &mut dyn Conn,
    k: &Keeper,
    case: &Case,
) -> Result<Option<(Arc<Package>, Assessment)>, RecordError> {
    let Some(decision) = &case.decision else {
        return Ok(None);
    };
    let Some(pkg) = k
        .releases
        .in_force(c, &case.township, case.violation_time.date())?
    else {
        return Ok(None);
    };
    let a = judge(&pkg, case, decision.decided_at.date())?;
    Ok(Some((pkg, a)))
}

/// Judges `case`'s decision again; `None` when it has no decision.
pub fn replay(
    c: &mut dyn Conn,
    k: &Keeper,
    case: &Case,
    now: DateTime<Utc>,
) -> Result<Option<Replay>, RecordError> {
    let Some(decision) = &case.decision else {
        return Ok(None);
    };
    let violation = case.violation_time.date();
    let mut codes = Vec::new();
    let mut messages = Vec::new();
    let pkg = k.releases.in_force(c, &case.township, violation)?;
    let release_id = pkg.as_ref().map(|p| p.release.id.clone());
    match &pkg {
        None => {
            codes.push(NO_RELEASE.to_owned());
            messages.push(format!(
                "服务器没有违法行为发生日（{violation}）有效的事项目录版本，无法复核"
            ));
        }
        Some(p) if p.release.id != case.release_id => {
            codes.push(RELEASE_DIFFERS.to_owned());
            messages.push(format!(
                "案件适用的目录版本 {} 不是违法行为发生日有效的版本 {}（行政处罚法第三十七条）",
                case.release_id, p.release.id
            ));
        }
        Some(_) => {}
    }
    if let Some(pkg) = &pkg {
        if !pkg.matters.iter().any(|m| m.code == case.matter_code) {
            codes.push(UNKNOWN_MATTER.to_owned());
            messages.push(format!(
                "目录版本 {} 没有事项 {}",
                pkg.release.id, case.matter_code
            ));
        }
        let a = judge(pkg, case, decision.decided_at.date())?;
        for p in &a.errors {
            codes.push(p.code.clone());
            messages.push(p.message.clone());
        }
        if !a.simple_procedure.allowed {
            codes.push(SIMPLE_NOT_ALLOWED.to_owned());
            messages.push(format!("不适用简易程序：{}", a.simple_procedure.reason));
        }
    }
    Ok(Some(Replay {
        ok: codes.is_empty(),
        codes,
        messages,
        release_id,
        at: ts(now),
    }))
}

/// After a record is stored: replays its decision when the server has not
/// judged this decision content yet (`done`: the digest of the decision
/// last replayed, as the store read it), stores the result and flags a
/// refusal (sticky).
pub fn after_store(
    tx: &mut dyn Conn,
    k: &Keeper,
    case: &Case,
    done: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), RecordError> {
    let Some(decision) = &case.decision else {
        return Ok(());
    };
    let id = case.id.to_string();
    let digest = sha_of(decision);
    if done == Some(digest.as_str()) {
        return Ok(());
    }
    let Some(r) = replay(tx, k, case, now)? else {
        return Ok(());
    };
    let codes = serde_json::to_string(&r.codes).unwrap_or_else(|_| "[]".into());
    let messages = serde_json::to_string(&r.messages).unwrap_or_else(|_| "[]".into());
    let ok = i64::from(r.ok);
    let reason = r.codes.join(",");
    tx.exec(
        "UPDATE record_case SET replay_ok = ?2, replay_codes = ?3, replay_messages = ?4, replay_release = ?5,
             replay_at = ?6, replay_decision = ?7,
             flagged = CASE WHEN CAST(?2 AS BIGINT) = 0 THEN 1 ELSE flagged END,
             flag_reason = CASE WHEN CAST(?2 AS BIGINT) = 0 THEN ?8 ELSE flag_reason END
         WHERE case_id = ?1",
        p![id, ok, codes, messages, r.release_id, r.at, digest, reason],
    )?;
    if !r.ok {
        tracing::warn!(case = %id, codes = %reason, "decision refused by the server's replay: flagged for legal review");
    }
    Ok(())
}

/// The stored replay of a case, if any.
pub fn stored(c: &mut dyn Conn, case_id: &str) -> Result<Option<Replay>, RecordError> {
    let Some(r) = c.query_opt(
        "SELECT replay_ok, replay_codes, replay_messages, replay_release, replay_at FROM record_case
         WHERE case_id = ?1 AND replay_at IS NOT NULL",
        p![case_id],
    )?
    else {
        return Ok(None);
    };
    let list = |s: Option<String>| -> Vec<String> {
        s.and_then(|s| serde_json::from_str(&s).ok())
            .unwrap_or_default()
    };
    Ok(Some(Replay {
        ok: r.get::<Option<i64>>(0)?.unwrap_or(0) == 1,
        codes: list(r.get(1)?),
        messages: list(r.get(2)?),
        release_id: r.get(3)?,
        at: r.get::<Option<String>>(4)?.unwrap_or_default(),
    }))
}
