//! The officer's normal-procedure (普通程序) commands over
//! `zhifa_core::case::normal`: a new case (案源登记), or one converted from
//! a simple-procedure case with its party, facts, place and officers —
//! never typed twice; the officer's steps (调查取证, 调查终结, 事先告知,
//! 陈述申辩, 放弃, 申请听证, 送达, 确认缴款, 催告) as typed requests; the
//! case with its steps (待同步 / 中心已接收 / 中心退回 with the reason / 中心作出),
//! its open clocks and what it waits for (待审批). Each step is checked by
//! the procedure core offline before it is queued; the error names the
//! article.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use uuid::Uuid;
use zhifa_core::case::normal::{self, NewCaseInput, NormalCase, StepStatus};
use zhifa_core::case::normal_docs::{self, FieldRecord};
use zhifa_core::document::model::PartySignature;
use zhifa_core::document::normal::{PreservedItem, QuestionAnswer};
use zhifa_core::procedure::{
    CaseFlags, EventKind, Outcome, PartyKind, Penalty, ServiceMethod, Stage, beijing_date, deadline,
};
use zhifa_sync::record::PartyRecord;

use crate::dto_normal::{
    NormalClockView, NormalDocView, NormalFromCaseReq, NormalNewReq, NormalReq, NormalStepReq,
    NormalStepView, NormalSummary, NormalView, OfficerRecordInput, OfficerStep, SignatureInput,
};
use crate::ops::{required_text, signature_png};
use crate::{ApiError, App};

/// The officer steps a case in `stage` may take next, by their request
/// names (the core decides; this only orders the buttons).
fn next_steps(stage: Stage) -> Vec<&'static str> {
    match stage {
        Stage::Filed | Stage::Investigating => {
            vec!["investigate", "request_save", "end_investigation"]
        }
        Stage::ProposalApproved => vec!["inform"],
        Stage::Informed => vec!["hear_statement", "waive", "request_hearing"],
        Stage::StatementHeard => vec!["request_hearing"],
        Stage::Decided | Stage::Published => vec!["serve", "confirm_payment"],
        Stage::Served | Stage::Executing => vec!["confirm_payment", "remind"],
        _ => Vec::new(),
    }
}

/// A Beijing time as the screen sends it (`YYYY-MM-DDTHH:MM`).
fn minute(s: &str, what: &str) -> Result<NaiveDateTime, ApiError> {
    NaiveDateTime::parse_from_str(s.trim(), "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(s.trim(), "%Y-%m-%dT%H:%M:%S"))
        .map_err(|_| ApiError::Invalid(format!("{what}须为“年-月-日T时:分”")))
}

/// The party's signature on a record, at `at`.
fn signature(s: SignatureInput, at: NaiveDateTime) -> Result<PartySignature, ApiError> {
    match s.kind.as_str() {
        "signed" => Ok(PartySignature::Signed {
            name: required_text(s.signer_name, "请填写签名人姓名")?,
            png: signature_png(s.signature_png_base64, "请当事人签名")?,
            signed_at: at,
        }),
        "refused" => Ok(PartySignature::Refused {
            reason: required_text(s.refusal_reason, "请注明拒绝签名的情况")?,
            witness: s.witness.filter(|w| !w.trim().is_empty()),
        }),
        other => Err(ApiError::Invalid(format!("签名方式无效：{other}"))),
    }
}

/// The record the screen sent, typed.
fn field_record(r: OfficerRecordInput, now: DateTime<Utc>) -> Result<FieldRecord, ApiError> {
    Ok(match r {
        OfficerRecordInput::Interview {
            start,
            end,
            place,
            relation,
            qa,
            signature: s,
        } => {
            let end = minute(&end, "询问结束时间")?;
            FieldRecord::Interview {
                start: minute(&start, "询问开始时间")?,
                end,
                place,
                relation,
                qa: qa
                    .into_iter()
                    .map(|x| QuestionAnswer {
                        question: x.question,
                        answer: x.answer,
                    })
                    .collect(),
                signature: signature(s, end)?,
            }
        }
        OfficerRecordInput::Statement {
            start,
            end,
            place,
            statement,
            evidence_offered,
            signature: s,
        } => {
            let end = minute(&end, "结束时间")?;
            FieldRecord::Statement {
                start: minute(&start, "开始时间")?,
                end,
                place,
                statement,
                evidence_offered,
                signature: signature(s, end)?,
            }
        }
        OfficerRecordInput::ServiceReceipt {
            place,
            received_at,
            proxy,
            signature: s,
        } => {
            let at = minute(&received_at, "收到时间")?;
            FieldRecord::ServiceReceipt {
                place,
                received_at: at,
                proxy,
                signature: signature(s, at)?,
            }
        }
        OfficerRecordInput::Inspection {
            start,
            end,
            place,
            present_person,
            witness,
            findings,
            signature: s,
        } => {
            let end = minute(&end, "检查结束时间")?;
            FieldRecord::Inspection {
                start: minute(&start, "检查开始时间")?,
                end,
                place,
                present_person,
                witness,
                findings,
                signature: signature(s, end)?,
            }
        }
        OfficerRecordInput::Preservation {
            items,
            storage_place,
            signature: s,
        } => FieldRecord::Preservation {
            items: items
                .into_iter()
                .map(|i| PreservedItem {
                    name: i.name,
                    spec: i.spec.filter(|x| !x.trim().is_empty()),
                    quantity: i.quantity,
                    remark: None,
                })
                .collect(),
            storage_place,
            signature: signature(s, normal::beijing_minute(now))?,
        },
        OfficerRecordInput::ServiceConsent {
            channels,
            scope,
            signature: s,
        } => FieldRecord::ServiceConsent {
            channels,
            scope,
            // The consent is signed when the step is recorded.
            signature: signature(s, normal::beijing_minute(now))?,
        },
    })
}

fn status_label(s: &StepStatus) -> (&'static str, Option<String>) {
    match s {
        StepStatus::Pending => ("待同步", None),
        StepStatus::Accepted => ("中心已接收", None),
        StepStatus::Refused { message } => ("中心退回", Some(message.clone())),
        StepStatus::Centre { .. } => ("中心作出", None),
    }
}

impl App {
    fn normal_view(&self, c: &NormalCase, today: NaiveDate) -> Result<NormalView, ApiError> {
        let (state, clocks) = normal::state(&self.store, c, today)?;
        let config = c
            .township()
            .and_then(|t| {
                zhifa_core::case::township_config(&self.store, t)
                    .ok()
                    .flatten()
            })
            .map(|t| t.procedure)
            .unwrap_or_default();
        let details = c.details.as_ref();
        Ok(NormalView {
            case_id: c.case_id.clone(),
            stage: state.stage.number().to_owned(),
            stage_label: state.stage.label_zh().to_owned(),
            waiting_for: normal::waiting_for(&state),
            party_name: details.map(|d| d.party.name.clone()).unwrap_or_default(),
            matter_name: details.map(|d| d.matter_name.clone()).unwrap_or_default(),
            place: details.map(|d| d.place.clone()).unwrap_or_default(),
            facts: details.map(|d| d.facts.clone()).unwrap_or_default(),
            decision_number: state.decision.as_ref().map(|d| d.number.clone()),
            told_fine_fen: state.told.as_ref().map(|t| t.penalty.fine_fen),
            proposed_fine_fen: state
                .approved
                .as_ref()
                .or(state.proposal.as_ref())
                .and_then(Outcome::penalty)
                .map(|p| p.fine_fen),
            hearing_offered: state.told.as_ref().is_some_and(|t| t.hearing_offered),
            steps: c
                .steps
                .iter()
                .map(|s| {
                    let (status, message) = status_label(&s.status);
                    NormalStepView {
                        label: s.event.kind.label_zh().to_owned(),
                        role: s.event.actor.role.label_zh().to_owned(),
                        actor: s.event.actor.id.clone(),
                        at: s.event.at.to_rfc3339(),
                        basis: s.event.basis.join("、"),
                        status: status.to_owned(),
                        message,
                    }
                })
                .collect(),
            clocks: clocks
                .into_iter()
                .map(|k| NormalClockView {
                    label: k.kind.label_zh().to_owned(),
                    due: k.due.to_string(),
                    basis: k.basis,
                    level: match deadline::level(k.due, today, &config) {
                        deadline::Level::Normal => "normal",
                        deadline::Level::Yellow => "yellow",
                        deadline::Level::Red => "red",
                    }
                    .to_owned(),
                    waiting: k.sense == deadline::ClockSense::Waiting,
                    unverified: deadline::period(k.kind, &config).configured_unverified,
                })
                .collect(),
            next: next_steps(state.stage)
                .into_iter()
                .map(str::to_owned)
                .collect(),
            documents: normal::documents(&self.store, &c.case_id)?
                .into_iter()
                .map(|d| NormalDocView {
                    title: d.record.title,
                    number: d.record.number,
                    sha256: d.record.sha256,
                    status: match d.accepted {
                        None => "待同步",
                        Some(true) => "中心已接收",
                        Some(false) => "中心退回",
                    }
                    .to_owned(),
                })
                .collect(),
        })
    }

    fn normal_case(&self, case_id: &str) -> Result<NormalCase, ApiError> {
        normal::case(&self.store, case_id)?
            .ok_or_else(|| ApiError::NotFound(format!("普通程序案件 {case_id} 不存在")))
    }

    pub(crate) fn normal_list(
        &mut self,
        _: crate::dto::Empty,
    ) -> Result<Vec<NormalSummary>, ApiError> {
        self.officer_id()?;
        let today = beijing_date(self.now());
        let mut out = Vec::new();
        for id in normal::case_ids(&self.store)? {
            let c = self.normal_case(&id)?;
            let v = self.normal_view(&c, today)?;
            out.push(NormalSummary {
                case_id: v.case_id,
                stage: v.stage,
                stage_label: v.stage_label,
                waiting_for: v.waiting_for,
                party_name: zhifa_core::case::mask_text(&v.party_name),
                matter_name: v.matter_name,
                nearest: v.clocks.into_iter().find(|c| !c.waiting),
            });
        }
        Ok(out)
    }

    pub(crate) fn normal_get(&mut self, req: NormalReq) -> Result<NormalView, ApiError> {
        self.officer_id()?;
        let c = self.normal_case(&req.case_id)?;
        self.normal_view(&c, beijing_date(self.now()))
    }

    fn normal_open(
        &mut self,
        input: NewCaseInput,
        source: String,
        now: DateTime<Utc>,
    ) -> Result<NormalView, ApiError> {
        let party = if input.party.kind == "organization" {
            PartyKind::Organisation
        } else {
            PartyKind::Citizen
        };
        let today = beijing_date(now);
        let details = normal::details(&self.store, input, today)?;
        let id = Uuid::now_v7().to_string();
        let place = details.place.clone();
        normal::record(
            &self.store,
            &id,
            EventKind::RegisterSource {
                discovered_on: today,
                source,
                party,
            },
            Some(place),
            Some(details),
            now,
        )?;
        let c = self.normal_case(&id)?;
        self.normal_view(&c, today)
    }

    pub(crate) fn normal_new(&mut self, req: NormalNewReq) -> Result<NormalView, ApiError> {
        let me = self.officer_id()?.to_owned();
        let now = self.now();
        let township = self
            .township()?
            .ok_or_else(|| ApiError::Invalid("请先在设置中选择所在镇街".into()))?;
        let violation_time = match req.violation_time.as_deref().filter(|s| !s.is_empty()) {
            Some(t) => chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M")
                .map_err(|_| ApiError::Invalid(format!("违法时间无效：{t}")))?,
            None => normal::beijing_minute(now),
        };
        let input = NewCaseInput {
            township,
            matter_code: req.matter_code,
            party: PartyRecord {
                kind: req.party.kind,
                name: req.party.name,
                id_number: req.party.id_number,
                phone: req.party.phone,
                address: req.party.address,
                representative: req.party.representative,
                id_kind: None,
                nationality: None,
                birth_date: None,
                no_document_reason: None,
                photo_evidence: None,
            },
            place: req.place,
            violation_time,
            facts: req.facts,
            officers: [me, req.partner],
            converted_from: None,
        };
        self.normal_open(input, req.source, now)
    }

    /// 转普通程序: a simple-procedure case that may not be decided on the
    /// spot opens a normal case with its party, facts, place, time and
    /// officers (never typed twice).
    pub(crate) fn normal_from_case(
        &mut self,
        req: NormalFromCaseReq,
    ) -> Result<NormalView, ApiError> {
        self.officer_id()?;
        let now = self.now();
        let c = self.case(&req.case_id)?;
        let party = c
            .party
            .as_ref()
            .ok_or_else(|| ApiError::Invalid("简易程序案件尚未登记当事人".into()))?;
        let input = NewCaseInput {
            township: c.township.clone(),
            matter_code: c.matter_code.clone(),
            party: PartyRecord::from(party),
            place: c.place.clone().unwrap_or_default(),
            violation_time: c.violation_time,
            facts: c.facts.clone().unwrap_or_default(),
            officers: [c.officers[0].id.clone(), c.officers[1].id.clone()],
            converted_from: Some(c.id.to_string()),
        };
        self.normal_open(input, "简易程序转普通程序".to_owned(), now)
    }

    /// A photo, video or recording taken for a normal-procedure case: the
    /// original is kept and hashed at capture like any evidence, and the
    /// officer's 调查取证 step names it by hash (Art. 55), so the 卷宗's
    /// evidence list holds it. The step is checked first: no evidence is
    /// gathered before 立案 or after 调查终结 (Art. 54, 55).
    pub(crate) fn normal_evidence(
        &mut self,
        c: NormalCase,
        req: crate::dto::EvidenceAddReq,
    ) -> Result<crate::dto::EvidenceView, ApiError> {
        let now = self.now();
        let details = c
            .details
            .clone()
            .ok_or_else(|| ApiError::Invalid("普通程序案件缺少案件信息".into()))?;
        let officers: Vec<String> = details.officers.iter().map(|o| o.id.clone()).collect();
        let act = |document| EventKind::Investigate {
            act: "现场取证（照片、录像或录音）".to_owned(),
            officers: officers.clone(),
            document,
        };
        normal::check(&self.store, &c, act(None), None, now)?;
        let id = Uuid::parse_str(&c.case_id)
            .map_err(|_| ApiError::Invalid(format!("案件编号无效：{}", c.case_id)))?;
        let photo = crate::ops::Photo {
            data_base64: &req.data_base64,
            file_name: req.file_name,
            lat: req.lat,
            lon: req.lon,
            accuracy_m: req.accuracy_m,
        };
        let view = self.ingest_photo(photo, Some(id), officers.clone(), Some(details.place))?;
        normal::record(
            &self.store,
            &c.case_id,
            act(Some(view.sha256.clone())),
            None,
            None,
            self.now(),
        )?;
        Ok(view)
    }

    pub(crate) fn normal_step(&mut self, req: NormalStepReq) -> Result<NormalView, ApiError> {
        self.officer_id()?;
        let now = self.now();
        let c = self.normal_case(&req.case_id)?;
        let officers: Vec<String> = c
            .details
            .as_ref()
            .map(|d| d.officers.iter().map(|o| o.id.clone()).collect())
            .unwrap_or_default();
        let fine = |fen: i64| Penalty::fine(fen);
        let kind = match req.step {
            OfficerStep::Investigate { act, document } => EventKind::Investigate {
                act,
                officers,
                document,
            },
            OfficerStep::RequestSave { items, reason } => EventKind::RequestSave { items, reason },
            OfficerStep::EndInvestigation {
                fine_fen,
                review_grounds,
                complex_or_major,
            } => EventKind::EndInvestigation {
                proposal: match fine_fen {
                    Some(f) => Outcome::Penalty { penalty: fine(f) },
                    None => Outcome::NoPenaltyMinor,
                },
                flags: CaseFlags {
                    review_grounds,
                    complex_or_major,
                },
            },
            OfficerStep::Inform {
                fine_fen,
                facts,
                reasons,
                basis,
                hearing_offered,
            } => EventKind::Inform {
                penalty: fine(fine_fen),
                facts,
                reasons,
                basis,
                hearing_offered,
                officers,
            },
            OfficerStep::HearStatement { review, adopted } => {
                EventKind::HearStatement { review, adopted }
            }
            OfficerStep::Waive { statement, hearing } => EventKind::Waive { statement, hearing },
            OfficerStep::RequestHearing => EventKind::RequestHearing,
            OfficerStep::Serve { method } => EventKind::Serve {
                method: match method.as_str() {
                    "on_the_spot" => ServiceMethod::OnTheSpot,
                    "left_at_address" => ServiceMethod::LeftAtAddress,
                    "post" => ServiceMethod::Post,
                    "electronic" => ServiceMethod::Electronic { consent: None },
                    _ => ServiceMethod::Direct,
                },
                officers,
            },
            OfficerStep::ConfirmPayment { amount_fen } => EventKind::ConfirmPayment { amount_fen },
            OfficerStep::Remind => EventKind::Remind,
        };
        let record = req.record.map(|r| field_record(r, now)).transpose()?;
        let dir = self.data_dir.join("documents");
        normal_docs::record_with_documents(
            &mut self.store,
            &dir,
            &req.case_id,
            kind,
            record,
            None,
            now,
        )?;
        let c = self.normal_case(&req.case_id)?;
        self.normal_view(&c, beijing_date(now))
    }
}
