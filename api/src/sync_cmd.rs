//! The sync commands: enrolment with the server, "sync now", the live
//! status, the per-record status, the conflicts and their resolution, and
//! the webview's connectivity. The run itself happens on the background
//! worker ([`crate::sync`]); these commands only read the store and the hub,
//! so they answer at once while a sync is under way.

use zhifa_sync::engine;
use zhifa_sync::review::{self, Resolution};

use crate::dto::*;
use crate::{ApiError, App};

/// What an outbox record is, in Chinese.
pub(crate) fn record_label(entity: &str, op: &str) -> String {
    let e = match entity {
        "case" => "案件",
        "evidence" => "证据",
        "number_lease" => "文书编号段",
        "issued_number" => "文书编号",
        "provisional_number" => "临时文书编号",
        "township_config" => "镇街配置",
        _ => "其他记录",
    };
    let o = match (entity, op) {
        ("case", "create") => "立案",
        ("case", "advance") => "办理进展",
        ("evidence", _) => "登记",
        ("number_lease", "grant") => "领取",
        ("provisional_number", "issue") => "使用（待分配正式文号）",
        ("issued_number", "use" | "issue") => "使用",
        ("issued_number", "void") => "作废",
        (_, "create") => "新建",
        (_, "update" | "set") => "更新",
        _ => "变更",
    };
    format!("{e} · {o}")
}

fn enrolment_view(e: engine::Enrolment) -> EnrolmentView {
    EnrolmentView {
        server_url: e.server_url,
        officer_id: e.officer_id,
        township: e.township,
        role: e.role,
    }
}

fn conflict_view(c: review::ConflictRecord) -> ConflictView {
    let mut actions = Vec::new();
    if c.resolved_at.is_none() {
        actions.push("acknowledge".to_owned());
        if c.retryable {
            actions.push("retry".to_owned());
        }
    }
    ConflictView {
        label: record_label(&c.entity, &c.op),
        seq: c.seq,
        lease_id: c.lease_id,
        entity: c.entity,
        entity_id: c.entity_id,
        code: c.code,
        message: c.message,
        at: c.at,
        resolved_at: c.resolved_at,
        resolution: c.resolution,
        note: c.note,
        retry_seq: c.retry_seq,
        actions,
    }
}

impl App {
    /// The enrolment with the sync server, if any.
    pub(crate) fn enrolment_view(&self) -> Result<Option<EnrolmentView>, ApiError> {
        Ok(engine::enrolment(&self.store)?.map(enrolment_view))
    }

    /// Asks the worker for a sync (after a case is issued, at sign-in).
    pub(crate) fn nudge_sync(&self, reason: &str) {
        self.sync_hub.request(reason);
    }

    /// The live state, its `state` corrected by the store's enrolment.
    pub(crate) fn sync_live(&self) -> Result<SyncLive, ApiError> {
        let mut live = self.sync_hub.live();
        let enrolled = engine::enrolment(&self.store)?.is_some();
        // The store, not the last run, says whether the device is enrolled.
        if !enrolled && live.state != "running" {
            live.state = "not_enrolled".into();
        } else if enrolled && live.state == "not_enrolled" {
            live.state = "idle".into();
        }
        Ok(live)
    }

    pub(crate) fn sync_status(&mut self, _: Empty) -> Result<SyncStatus, ApiError> {
        let c = review::counts(&self.store)?;
        let open = review::conflicts(&self.store)?
            .iter()
            .filter(|c| c.resolved_at.is_none())
            .count();
        let live = self.sync_live()?;
        let enrolment = self.enrolment_view()?;
        Ok(SyncStatus {
            enrolment,
            live,
            counts: RecordCounts {
                pending: c.pending,
                applied: c.applied,
                duplicate: c.duplicate,
                rejected: c.rejected,
            },
            open_conflicts: u32::try_from(open).unwrap_or(u32::MAX),
        })
    }

    pub(crate) fn sync_enrol(&mut self, req: SyncEnrolReq) -> Result<SyncStatus, ApiError> {
        crate::sync::enrol(&self.sync_ctx, &req.server_url, &req.code)?;
        // From now on the server grants the document numbers.
        zhifa_core::case::numbers::close_local_leases(&mut self.store)?;
        self.nudge_sync("enrolled");
        self.sync_status(Empty {})
    }

    pub(crate) fn sync_now(&mut self, req: SyncNowReq) -> Result<SyncStatus, ApiError> {
        if engine::enrolment(&self.store)?.is_none() {
            return Err(ApiError::Sync(engine::SyncError::NotEnrolled));
        }
        let reason = req.reason.unwrap_or_else(|| "manual".into());
        let reason: String = reason
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
            .take(32)
            .collect();
        self.nudge_sync(if reason.is_empty() { "manual" } else { &reason });
        self.sync_status(Empty {})
    }

    pub(crate) fn sync_network(&mut self, req: SyncNetworkReq) -> Result<SyncLive, ApiError> {
        self.sync_hub.set_online(req.online);
        self.sync_live()
    }

    pub(crate) fn sync_records(
        &mut self,
        req: SyncRecordsReq,
    ) -> Result<Vec<SyncRecordView>, ApiError> {
        if let Some(s) = req.status.as_deref()
            && !matches!(s, "pending" | "applied" | "duplicate" | "rejected")
        {
            return Err(ApiError::Invalid(format!("未知的记录状态：{s}")));
        }
        Ok(
            review::records(&self.store, req.status.as_deref(), req.limit.unwrap_or(100))?
                .into_iter()
                .map(|r| SyncRecordView {
                    label: record_label(&r.entity, &r.op),
                    seq: r.seq,
                    entity: r.entity,
                    entity_id: r.entity_id,
                    op: r.op,
                    created_at: r.created_at,
                    pushed_at: r.pushed_at,
                    status: r.status,
                    code: r.code,
                    message: r.message,
                })
                .collect(),
        )
    }

    pub(crate) fn sync_conflicts(&mut self, _: Empty) -> Result<Vec<ConflictView>, ApiError> {
        Ok(review::conflicts(&self.store)?
            .into_iter()
            .map(conflict_view)
            .collect())
    }

    pub(crate) fn sync_resolve(
        &mut self,
        req: ResolveConflictReq,
    ) -> Result<ConflictView, ApiError> {
        self.signed_in()?;
        let resolution = match req.action.as_str() {
            "acknowledge" => Resolution::Acknowledge {
                note: req.note.unwrap_or_default(),
            },
            "retry" => Resolution::Retry { note: req.note },
            other => return Err(ApiError::Invalid(format!("未知的处理方式：{other}"))),
        };
        let now = self.now();
        if let Some(lease) = req.lease_id.as_deref() {
            review::resolve_lease(&mut self.store, lease, &resolution, now)?;
            return review::conflicts(&self.store)?
                .into_iter()
                .find(|c| c.lease_id.as_deref() == Some(lease))
                .map(conflict_view)
                .ok_or_else(|| ApiError::NotFound(format!("号段 {lease} 的冲突")));
        }
        let requeued = review::resolve(&mut self.store, req.seq, &resolution, now)?;
        if requeued.is_some() {
            self.nudge_sync("retry");
        }
        review::conflicts(&self.store)?
            .into_iter()
            .find(|c| c.seq == req.seq && c.lease_id.is_none())
            .map(conflict_view)
            .ok_or_else(|| ApiError::NotFound(format!("第 {} 号记录的冲突", req.seq)))
    }
}
