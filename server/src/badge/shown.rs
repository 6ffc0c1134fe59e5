//! What a verified 亮码 shows, from either form of token.
//!
//! - The long token ([`b::verify`]) carries the certificate and the item
//!   names; the server adds the one check only it can make: the device is
//!   still enrolled with the certified key and not revoked.
//! - The short token ([`short`], what the app's QR carries) carries the
//!   device id, the inspection, the times, the scenario codes and the
//!   place. The server looks the device up (its registered public key,
//!   officer, 执法证号 and township, revocation), verifies the device's
//!   signature with that key, and lists the scenarios' items from the
//!   latest published catalogue.
//!
//! Either way the page gets one [`Shown`].

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use ed25519_dalek::VerifyingKey;
use serde::Deserialize;
use zhifa_protocol::badge::{self as b, BadgeError, short};

use super::RATING_GRACE_DAYS;
use crate::api::state::AppState;
use crate::error::ApiError;

/// A verification that failed on the token or on storage.
#[derive(Debug)]
pub enum ApiOrBadge {
    /// The token.
    Badge(BadgeError),
    /// The storage (the page says "try again").
    Api(ApiError),
}

/// What the verification page shows and a rating records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shown {
    /// The officer's id (never shown; a rating records it).
    pub officer_id: String,
    /// The officer's name.
    pub officer_name: String,
    /// 执法证号.
    pub credential_no: String,
    /// Township code.
    pub township: String,
    /// Township name (may be empty).
    pub township_name: String,
    /// The device.
    pub device_id: String,
    /// The inspection.
    pub inspection_id: String,
    /// The task, when the token names one.
    pub task_id: Option<String>,
    /// The place.
    pub place: String,
    /// Names of the checklist's scenarios (short token; codes when the
    /// catalogue has none of that code).
    pub scenarios: Vec<String>,
    /// Item names, in checklist order.
    pub items: Vec<String>,
    /// How many items the checklist has in all.
    pub items_total: u32,
    /// Issued at (UTC, RFC 3339).
    pub issued_at: String,
    /// Expires at (UTC, RFC 3339).
    pub expires_at: String,
    /// The certificate's end (long token only).
    pub certificate_valid_until: Option<String>,
}

fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Verifies a token of either form at `now`. With `grace`, a token that
/// expired at most [`RATING_GRACE_DAYS`] ago still passes (a visit may be
/// rated for a week after its code expired).
pub fn check(
    state: &AppState,
    token: &str,
    now: DateTime<Utc>,
    grace: bool,
) -> Result<Shown, ApiOrBadge> {
    if short::is_short(token) {
        check_short(state, token, now, grace)
    } else {
        check_long(state, token, now, grace)
    }
}

fn within_grace(at: &str, now: DateTime<Utc>) -> bool {
    DateTime::parse_from_rfc3339(at)
        .is_ok_and(|t| now - t.with_timezone(&Utc) <= Duration::days(RATING_GRACE_DAYS))
}

fn check_long(
    state: &AppState,
    token: &str,
    now: DateTime<Utc>,
    grace: bool,
) -> Result<Shown, ApiOrBadge> {
    let claims = match b::verify(token, &state.badge.public(), now) {
        Ok(c) => c,
        Err(BadgeError::Expired(at)) if grace && within_grace(&at, now) => {
            b::decode(token).map_err(ApiOrBadge::Badge)?.0
        }
        Err(e) => return Err(ApiOrBadge::Badge(e)),
    };
    let c = &claims.cert.body;
    let dev = state
        .store
        .badge_subject(&c.device_id)
        .map_err(ApiOrBadge::Api)?;
    match dev {
        Some(d) if !d.revoked && d.device_key == c.device_key => {}
        _ => return Err(ApiOrBadge::Badge(BadgeError::Revoked)),
    }
    Ok(Shown {
        officer_id: c.officer_id.clone(),
        officer_name: c.officer_name.clone(),
        credential_no: c.credential_no.clone(),
        township: c.township.clone(),
        township_name: c.township_name.clone(),
        device_id: c.device_id.clone(),
        inspection_id: claims.inspection_id.clone(),
        task_id: claims.task_id.clone(),
        place: claims.place.clone(),
        scenarios: Vec::new(),
        items: claims.items.iter().map(|i| i.name.clone()).collect(),
        items_total: claims.items_total,
        issued_at: claims.issued_at.clone(),
        expires_at: claims.expires_at.clone(),
        certificate_valid_until: Some(c.valid_until.clone()),
    })
}

fn check_short(
    state: &AppState,
    token: &str,
    now: DateTime<Utc>,
    grace: bool,
) -> Result<Shown, ApiOrBadge> {
    let (claims, _, _) = short::decode(token).map_err(ApiOrBadge::Badge)?;
    let device_id = claims.device_id.to_string();
    // An unknown device, or one whose key does not parse, signed nothing
    // this server stands behind.
    let dev = state
        .store
        .badge_subject(&device_id)
        .map_err(ApiOrBadge::Api)?
        .ok_or(ApiOrBadge::Badge(BadgeError::CertificateInvalid))?;
    let key = hex::decode(&dev.device_key)
        .ok()
        .and_then(|k| <[u8; 32]>::try_from(k).ok())
        .and_then(|k| VerifyingKey::from_bytes(&k).ok())
        .ok_or(ApiOrBadge::Badge(BadgeError::CertificateInvalid))?;
    let claims = match short::verify(token, &key, now) {
        Ok(c) => c,
        Err(BadgeError::Expired(at)) if grace && within_grace(&at, now) => {
            short::verify_signature(token, &key).map_err(ApiOrBadge::Badge)?
        }
        Err(e) => return Err(ApiOrBadge::Badge(e)),
    };
    if dev.revoked {
        return Err(ApiOrBadge::Badge(BadgeError::Revoked));
    }
    // An officer without a 执法证号 on record is never certified.
    let subject = dev
        .subject
        .ok_or(ApiOrBadge::Badge(BadgeError::CertificateInvalid))?;
    let (scenarios, items) = scenario_items(state, &claims.scenarios);
    Ok(Shown {
        officer_id: subject.officer_id,
        officer_name: subject.officer_name,
        credential_no: subject.credential_no,
        township: subject.township,
        township_name: subject.township_name,
        device_id,
        inspection_id: claims.inspection_id.to_string(),
        task_id: None,
        place: claims.place.clone(),
        scenarios,
        items,
        items_total: u32::from(claims.items_total),
        issued_at: ts(claims.issued_at),
        expires_at: ts(claims.expires_at()),
        certificate_valid_until: None,
    })
}

// ---- the catalogue's scenarios ---------------------------------------------

#[derive(Deserialize)]
struct Package {
    #[serde(default)]
    inspection_items: Vec<PackageItem>,
    #[serde(default)]
    scenarios: Vec<PackageScenario>,
}

#[derive(Deserialize)]
struct PackageItem {
    code: String,
    subject: String,
}

#[derive(Deserialize)]
struct PackageScenario {
    code: String,
    name: String,
    items: Vec<String>,
}

/// Scenario code → (name, items as (code, name) in order), of one snapshot.
type Index = HashMap<String, (String, Vec<(String, String)>)>;

/// The index of the snapshot last read (snapshots are content-addressed:
/// a path names one content for good).
static INDEX: Mutex<Option<(PathBuf, Arc<Index>)>> = Mutex::new(None);

fn index_of(path: &Path) -> Option<Arc<Index>> {
    if let Ok(guard) = INDEX.lock()
        && let Some((p, ix)) = guard.as_ref()
        && p == path
    {
        return Some(ix.clone());
    }
    let bytes = std::fs::read(path).ok()?;
    let pkg: Package = serde_json::from_slice(&bytes).ok()?;
    let names: HashMap<&str, &str> = pkg
        .inspection_items
        .iter()
        .map(|i| (i.code.as_str(), i.subject.as_str()))
        .collect();
    let ix: Index = pkg
        .scenarios
        .iter()
        .map(|s| {
            let items = s
                .items
                .iter()
                .map(|c| {
                    let name = names.get(c.as_str()).map_or(c.as_str(), |n| n);
                    (c.clone(), name.to_owned())
                })
                .collect();
            (s.code.clone(), (s.name.clone(), items))
        })
        .collect();
    let ix = Arc::new(ix);
    if let Ok(mut guard) = INDEX.lock() {
        *guard = Some((path.to_owned(), ix.clone()));
    }
    Some(ix)
}

/// The scenarios' names and their merged items (each once, at its first
/// place, as the device merges them), from the latest published catalogue.
/// A code the catalogue does not hold is shown as the code; no catalogue
/// (or an unreadable one) shows the codes and no items.
fn scenario_items(state: &AppState, codes: &[String]) -> (Vec<String>, Vec<String>) {
    let ix = state
        .store
        .latest_release()
        .ok()
        .flatten()
        .and_then(|r| index_of(&state.catalogue_dir.join(format!("{}.json", r.sha256))));
    let mut names = Vec::with_capacity(codes.len());
    let mut items: Vec<&(String, String)> = Vec::new();
    for code in codes {
        match ix.as_ref().and_then(|ix| ix.get(code)) {
            Some((name, its)) => {
                names.push(name.clone());
                for i in its {
                    if !items.iter().any(|seen| seen.0 == i.0) {
                        items.push(i);
                    }
                }
            }
            None => names.push(code.clone()),
        }
    }
    let items = items.into_iter().map(|i| i.1.clone()).collect();
    (names, items)
}
