//! Wizard drafts and voiding: what the officer typed on the case wizard is
//! saved on every change into the encrypted device store (a `setting` row
//! keyed by the case id, so it survives a reload or the OS killing the
//! page) and restored at the exact screen; a case given up before its
//! decision is voided with a reason — kept, closed, audited in the timeline
//! and the outbox, never deleted.

use chrono::SecondsFormat;
use serde::{Deserialize, Serialize};
use zhifa_core::case::{self, CaseEvent, CaseStatus};

use crate::dto::{CaseReq, CaseView, DraftSaveReq, DraftView, Empty, VoidReq};
use crate::{ApiError, App};

/// The wizard's screens a draft may be saved on (ui/src/stores/wizard.ts `STEPS`).
pub(crate) const STEPS: [&str; 8] = [
    "new",
    "party",
    "facts",
    "discretion",
    "rights",
    "preview",
    "sign",
    "done",
];

/// The largest draft kept (what an officer types on a few screens is a few KiB).
pub(crate) const MAX_DRAFT_BYTES: usize = 64 * 1024;

fn key(case_id: &str) -> String {
    format!("draft/{case_id}")
}

#[derive(Serialize, Deserialize)]
struct Stored {
    step: String,
    data: String,
    saved_at: String,
}

impl App {
    /// The draft step kept for a case, if any (for the home screen's rows).
    pub(crate) fn draft_step_of(&self, case_id: &str) -> Option<String> {
        let raw = self.store.setting(&key(case_id)).ok().flatten()?;
        serde_json::from_str::<Stored>(&raw).ok().map(|s| s.step)
    }

    pub(crate) fn draft_save(&mut self, req: DraftSaveReq) -> Result<Empty, ApiError> {
        self.officer_id()?;
        if !STEPS.contains(&req.step.as_str()) {
            return Err(ApiError::Invalid("草稿所在步骤无效".into()));
        }
        if req.data.len() > MAX_DRAFT_BYTES {
            return Err(ApiError::Invalid("草稿内容过长，未能保存".into()));
        }
        if serde_json::from_str::<serde_json::Value>(&req.data).is_err() {
            return Err(ApiError::Invalid("草稿内容格式无效，未能保存".into()));
        }
        let c = self.case(&req.case_id)?;
        let stored = Stored {
            step: req.step,
            data: req.data,
            saved_at: self.now().to_rfc3339_opts(SecondsFormat::Secs, true),
        };
        let json = serde_json::to_string(&stored).map_err(|e| ApiError::Internal(e.to_string()))?;
        self.store.set_setting(&key(&c.id.to_string()), &json)?;
        Ok(Empty {})
    }

    pub(crate) fn draft_get(&mut self, req: CaseReq) -> Result<Option<DraftView>, ApiError> {
        self.officer_id()?;
        let c = self.case(&req.case_id)?;
        let Some(raw) = self.store.setting(&key(&c.id.to_string()))? else {
            return Ok(None);
        };
        // A row this build cannot read is treated as no draft (the case's
        // recorded steps are untouched), never as an error on the screen.
        Ok(serde_json::from_str::<Stored>(&raw)
            .ok()
            .map(|s| DraftView {
                case_id: c.id.to_string(),
                step: s.step,
                data: s.data,
                saved_at: s.saved_at,
            }))
    }

    pub(crate) fn case_void(&mut self, req: VoidReq) -> Result<CaseView, ApiError> {
        self.officer_id()?;
        if req.reason.trim().is_empty() {
            return Err(ApiError::Invalid("请写明作废原因".into()));
        }
        let c = self.case(&req.case_id)?;
        if !matches!(
            c.status,
            CaseStatus::Draft
                | CaseStatus::PartyAndFacts
                | CaseStatus::Evidence
                | CaseStatus::RightsTold
        ) {
            return Err(ApiError::Invalid(format!(
                "案件已{}，不能作废（已作出的处罚决定只能依法撤销或变更）",
                c.status.label_zh().trim_start_matches('已')
            )));
        }
        let now = self.now();
        let done = case::advance(
            &mut self.store,
            c.id,
            &CaseEvent::Void {
                reason: req.reason.trim().to_owned(),
            },
            now,
        )?;
        // The draft is no longer needed; what was recorded stays in the case.
        self.store.delete_setting(&key(&c.id.to_string()))?;
        Ok(self.view(&done))
    }
}
