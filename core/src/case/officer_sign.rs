//! The officers sign (行政处罚法 Art. 52 ¶2: the on-the-spot decision
//! “由执法人员签名或者盖章”; Art. 55 and the 笔录 practice for the
//! inspection record and the order to correct).
//!
//! Each officer's handwritten signature is captured once on the pad and
//! kept in the device store (SQLCipher, encrypted at rest like every
//! personal datum of the device) under the officer's id, replaced only
//! after that officer's PIN. It is applied to one document at a time, and
//! only after the officer enters the PIN again, checked exactly as at
//! sign-in ([`signin::verify_pin`]: a wrong PIN counts toward the lock-out).
//! The application is recorded — which officer, which document (its hash),
//! which signature image (its hash), when — as the case step
//! `sign_as_officer` (timeline and outbox); [`super::advance`] refuses that
//! step, so no signature is applied without the PIN. A decision is handed
//! over only when both officers signed the issued decision
//! ([`CaseError::OfficerSignatureMissing`], `CASE_OFFICER_SIGNATURE_MISSING`),
//! and the served decision carries both images beside the officers' lines.

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::{Case, CaseError, CaseEvent, CaseStatus, advance_step, beijing, get};
use crate::ErrorCode;
use crate::document::model::OfficerSignature;
use crate::signin::{self, SignInError};
use crate::store::Store;
pub use zhifa_protocol::record::OfficerSignatureRecord;

/// The setting under which an officer's signature is kept (`…{officer id}`).
pub const SETTING_PREFIX: &str = "officer_signature:";

const PNG_MAGIC: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];

/// The largest signature image kept (a pad's PNG is a few tens of KiB).
pub const MAX_PNG_BYTES: usize = 512 * 1024;

/// What can go wrong capturing or applying an officer's signature.
#[derive(Debug, thiserror::Error)]
pub enum OfficerSignError {
    /// The PIN check (wrong PIN, locked, not enrolled …), as at sign-in.
    #[error(transparent)]
    SignIn(#[from] SignInError),
    /// The case refuses the step.
    #[error(transparent)]
    Case(#[from] CaseError),
    /// The officer has no signature on this device yet.
    #[error("执法人员{0}尚未在本机留存签名，请先在签名板上签名")]
    NotCaptured(String),
    /// The image is not a PNG, or too large.
    #[error("签名图像无效：{0}")]
    InvalidImage(&'static str),
}

impl ErrorCode for OfficerSignError {
    fn code(&self) -> &'static str {
        match self {
            Self::SignIn(e) => e.code(),
            Self::Case(e) => e.code(),
            Self::NotCaptured(_) => "OFFICER_SIGNATURE_NOT_CAPTURED",
            Self::InvalidImage(_) => "OFFICER_SIGNATURE_INVALID_IMAGE",
        }
    }
}

impl From<rusqlite::Error> for OfficerSignError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Case(CaseError::from(e))
    }
}

/// An officer's stored signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredSignature {
    /// The PNG image, hex.
    pub png_hex: String,
    /// SHA-256 (hex) of the PNG bytes.
    pub sha256: String,
    /// When captured (RFC 3339).
    pub captured_at: String,
}

impl StoredSignature {
    /// The PNG bytes.
    pub fn png(&self) -> Result<Vec<u8>, CaseError> {
        hex::decode(&self.png_hex).map_err(|e| CaseError::Corrupt(format!("签名图像: {e}")))
    }
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn check_png(png: &[u8]) -> Result<(), OfficerSignError> {
    if !png.starts_with(&PNG_MAGIC) {
        return Err(OfficerSignError::InvalidImage("须为 PNG 图像"));
    }
    if png.len() > MAX_PNG_BYTES {
        return Err(OfficerSignError::InvalidImage("图像过大"));
    }
    Ok(())
}

/// The officer's stored signature, if any.
pub fn stored_on(
    conn: &Connection,
    officer_id: &str,
) -> Result<Option<StoredSignature>, CaseError> {
    let json: Option<String> = conn
        .query_row(
            "SELECT value FROM setting WHERE key = ?1",
            [format!("{SETTING_PREFIX}{officer_id}")],
            |r| r.get(0),
        )
        .optional()?;
    json.map(|j| serde_json::from_str(&j).map_err(|e| CaseError::Corrupt(e.to_string())))
        .transpose()
}

/// The officer's stored signature, if any.
pub fn stored(store: &Store, officer_id: &str) -> Result<Option<StoredSignature>, CaseError> {
    stored_on(store.conn(), officer_id)
}

fn keep(
    store: &Store,
    officer_id: &str,
    png: &[u8],
    now: DateTime<Utc>,
) -> Result<StoredSignature, OfficerSignError> {
    check_png(png)?;
    let s = StoredSignature {
        png_hex: hex::encode(png),
        sha256: hex::encode(Sha256::digest(png)),
        captured_at: rfc3339(now),
    };
    let json = serde_json::to_string(&s).map_err(|e| CaseError::Corrupt(e.to_string()))?;
    store
        .set_setting(&format!("{SETTING_PREFIX}{officer_id}"), &json)
        .map_err(CaseError::from)?;
    Ok(s)
}

/// Checks the officer's PIN as at sign-in (a wrong one counts toward the
/// lock-out) and, when `new_png` is given, keeps it as the officer's
/// signature (captured once, replaced only this way). Returns the stored
/// signature, or [`OfficerSignError::NotCaptured`] when there is none.
pub fn authorize(
    store: &Store,
    officer_id: &str,
    pin: &str,
    new_png: Option<&[u8]>,
    now: DateTime<Utc>,
) -> Result<StoredSignature, OfficerSignError> {
    if let Some(png) = new_png {
        check_png(png)?;
    }
    let officer = signin::verify_pin(store, officer_id, pin, now)?;
    match new_png {
        Some(png) => keep(store, officer_id, png, now),
        None => stored(store, officer_id)?.ok_or(OfficerSignError::NotCaptured(officer.name)),
    }
}

/// Captures (or replaces) the officer's signature after the PIN, e.g. from
/// the settings screen.
pub fn capture(
    store: &Store,
    officer_id: &str,
    pin: &str,
    png: &[u8],
    now: DateTime<Utc>,
) -> Result<StoredSignature, OfficerSignError> {
    authorize(store, officer_id, pin, Some(png), now)
}

/// One officer signs the case's issued decision: the PIN (and, on first
/// need, the signature to keep), then the step `sign_as_officer`.
pub fn sign_decision(
    store: &mut Store,
    case_id: Uuid,
    officer_id: &str,
    pin: &str,
    new_png: Option<&[u8]>,
    now: DateTime<Utc>,
) -> Result<Case, OfficerSignError> {
    let case = get(store, case_id)?.ok_or(CaseError::NotFound(case_id))?;
    if !case.officers.iter().any(|o| o.id == officer_id) {
        return Err(CaseError::OfficerSignatureInvalid(format!(
            "执法人员{officer_id}不是本案的执法人员"
        ))
        .into());
    }
    // The issued on-the-spot decision, or the 不予行政处罚决定书, before service.
    let open =
        matches!(case.status, CaseStatus::Issued | CaseStatus::NoPenalty) && case.service.is_none();
    let Some(handed) = case.handed_decision().filter(|_| open) else {
        return Err(
            CaseError::OfficerSignatureInvalid("决定书出具后、交付前方可签名".into()).into(),
        );
    };
    let document_sha256 = handed.document_sha256.to_owned();
    let sig = authorize(store, officer_id, pin, new_png, now)?;
    let event = CaseEvent::SignAsOfficer {
        officer_id: officer_id.to_owned(),
        document_sha256,
        signature_sha256: sig.sha256,
    };
    Ok(advance_step(store, case_id, &event, now)?)
}

/// `document_sha256` is the case's issued decision.
pub(crate) fn check_issued(case: &Case, document_sha256: &str) -> Result<(), CaseError> {
    match case.handed_decision() {
        Some(d) if d.document_sha256 == document_sha256 => Ok(()),
        _ => Err(CaseError::OfficerSignatureInvalid(
            "不是本案出具的决定书".into(),
        )),
    }
}

/// Applies the `sign_as_officer` step to `case` (in the step's transaction).
pub(crate) fn apply_signature(
    tx: &Connection,
    case: &mut Case,
    officer_id: &str,
    document_sha256: &str,
    signature_sha256: &str,
    at: String,
) -> Result<(), CaseError> {
    if !case.officers.iter().any(|o| o.id == officer_id) {
        return Err(CaseError::OfficerSignatureInvalid(format!(
            "执法人员{officer_id}不是本案的执法人员"
        )));
    }
    check_issued(case, document_sha256)?;
    match stored_on(tx, officer_id)? {
        Some(s) if s.sha256 == signature_sha256 => {}
        _ => {
            return Err(CaseError::OfficerSignatureInvalid(
                "签名图像与本机留存的不一致".into(),
            ));
        }
    }
    // Signing again replaces the officer's earlier application.
    case.officer_signatures
        .retain(|s| !(s.officer_id == officer_id && s.document_sha256 == document_sha256));
    case.officer_signatures.push(OfficerSignatureRecord {
        officer_id: officer_id.to_owned(),
        document_sha256: document_sha256.to_owned(),
        signature_sha256: signature_sha256.to_owned(),
        signed_at: at,
    });
    Ok(())
}

/// Both officers' signatures on the document `document_sha256`, in the
/// case's officer order, as printed; [`CaseError::OfficerSignatureMissing`]
/// naming the first officer who has not signed (行政处罚法 Art. 52 ¶2).
pub(crate) fn both_signed(
    tx: &Connection,
    case: &Case,
    document_sha256: &str,
) -> Result<Vec<OfficerSignature>, CaseError> {
    let mut out = Vec::new();
    for o in &case.officers {
        let applied = case
            .officer_signatures
            .iter()
            .rev()
            .find(|s| s.officer_id == o.id && s.document_sha256 == document_sha256)
            .ok_or_else(|| CaseError::OfficerSignatureMissing(o.name.clone()))?;
        let stored = stored_on(tx, &o.id)?
            .filter(|s| s.sha256 == applied.signature_sha256)
            .ok_or_else(|| CaseError::OfficerSignatureMissing(o.name.clone()))?;
        let signed_at = DateTime::parse_from_rfc3339(&applied.signed_at)
            .map_err(|e| CaseError::Corrupt(format!("签名时间: {e}")))?
            .with_timezone(&Utc);
        out.push(OfficerSignature {
            png: stored.png()?,
            signed_at: beijing(signed_at)?,
        });
    }
    Ok(out)
}

/// Puts the signatures on the officers of a document's JSON (`field` is the
/// officers' array: `officers`, `inspectors`, `servers`), in order.
pub(crate) fn put_on_document(
    doc: &mut serde_json::Value,
    field: &str,
    signatures: &[OfficerSignature],
) -> Result<(), CaseError> {
    let Some(officers) = doc.get_mut(field).and_then(|v| v.as_array_mut()) else {
        return Err(CaseError::Corrupt(format!("文书缺少 {field}")));
    };
    for (o, s) in officers.iter_mut().zip(signatures) {
        let s = serde_json::to_value(s).map_err(|e| CaseError::Corrupt(e.to_string()))?;
        if let Some(map) = o.as_object_mut() {
            map.insert("signature".into(), s);
        }
    }
    Ok(())
}

/// The issued decision (the on-the-spot decision, or the 不予行政处罚决定书)
/// as the party reads it before signing: the numbered document, the party's line still open ([`PartySignature::Pending`]) and
/// the officers' signatures applied so far beside their lines; `None`
/// before the issue.
///
/// [`PartySignature::Pending`]: crate::document::model::PartySignature::Pending
pub fn issued_decision(
    store: &Store,
    id: Uuid,
) -> Result<Option<crate::document::model::DocumentData>, CaseError> {
    use crate::document::model::PartySignature;
    let case = get(store, id)?.ok_or(CaseError::NotFound(id))?;
    let Some(issue) = case.handed_decision() else {
        return Ok(None);
    };
    let Some((json, _)) = super::document(store, id, issue.kind, "issued")? else {
        return Ok(None);
    };
    let err = |e: serde_json::Error| CaseError::Corrupt(e.to_string());
    let mut v: serde_json::Value = serde_json::from_str(&json).map_err(err)?;
    if let Some(map) = v.as_object_mut() {
        map.insert(
            "party_signature".into(),
            serde_json::to_value(PartySignature::Pending).map_err(err)?,
        );
    }
    if let Some(officers) = v.get_mut("officers").and_then(|o| o.as_array_mut()) {
        for (slot, o) in officers.iter_mut().zip(&case.officers) {
            let applied = case
                .officer_signatures
                .iter()
                .rev()
                .find(|s| s.officer_id == o.id && s.document_sha256 == issue.document_sha256);
            let stored = stored(store, &o.id)?;
            if let (Some(a), Some(s)) = (
                applied,
                stored.filter(|s| applied.is_some_and(|a| a.signature_sha256 == s.sha256)),
            ) {
                let at = DateTime::parse_from_rfc3339(&a.signed_at)
                    .map_err(|e| CaseError::Corrupt(e.to_string()))?
                    .with_timezone(&Utc);
                let sig = OfficerSignature {
                    png: s.png()?,
                    signed_at: beijing(at)?,
                };
                if let Some(m) = slot.as_object_mut() {
                    m.insert("signature".into(), serde_json::to_value(sig).map_err(err)?);
                }
            }
        }
    }
    serde_json::from_value(v).map(Some).map_err(err)
}
