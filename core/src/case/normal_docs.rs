//! The officer's documents of a normal-procedure case (issue 16 item 2),
//! made on the device at the step they belong to:
//!
//! | step | document | basis |
//! |---|---|---|
//! | 调查取证 with a [`FieldRecord::Inspection`] | 现场检查（勘验）笔录 (the inspection record's model and template) | Art. 55 |
//! | 调查取证 with a [`FieldRecord::Interview`] | 询问笔录, every page with the interviewee's and both officers' signatures or the refusal | 行政处罚法 Art. 42, 55 |
//! | 调查取证 with a [`FieldRecord::Preservation`], once the 负责人 approved the 先行登记保存 the officer asked for (`request_save`) | 先行登记保存证据通知书及清单, its disposal date computed | Art. 56, 85 |
//! | 事先告知 | 行政处罚事先告知书, its periods computed by the deadline engine | Art. 44, 45, 63, 64 |
//! | 陈述申辩及复核 with a [`FieldRecord::Statement`] | 陈述申辩笔录 | Art. 45 |
//! | 送达 in person, on the spot or left at the address | 送达回证 with the signature or the refusal and witness | Art. 61; 民事诉讼法 Art. 87, 89 |
//! | 电子送达 | 电子送达确认书 signed by the party; the step's `consent` is its SHA-256 | Art. 61 ¶2 |
//!
//! Nothing is typed twice: the party, the matter, the officers and the
//! authority come from the case's details, the provisions from the
//! catalogue in force, the periods from the township's calendar.
//!
//! **Order of writes.** The step is first checked by the procedure core
//! (a refused step renders nothing); each document is then rendered on A4
//! with the township's templates and sealed durably into `DATA/documents`
//! under its SHA-256; then one transaction queues the step — which names
//! the record's hash where the step has a place for it — and announces each
//! document (`document/record`), so the sync engine uploads it and the
//! centre holds it by hash in the 卷宗. A crash before the transaction
//! leaves at most a sealed file nobody announced.
//!
//! **Numbers.** The law requires no series for these documents; each is
//! numbered by the case's reference (the first eight characters of its id)
//! and its order in the case, e.g. `0193A2B4-告1`, so that a copy names
//! its case. A township that numbers them from a series of its own is a
//! configuration still to be added (docs/law/documents.md).

use std::path::Path;

use chrono::{DateTime, NaiveDateTime, Utc};
use rusqlite::TransactionBehavior;
use serde::{Deserialize, Serialize};
use zhifa_protocol::mutation::{DocumentRecord, NormalCaseDetails, ProcedureStep, SCHEMA};

use super::CaseError;
use super::archive::{ArchiveError, ArchivedDocument, PDF, announce, render_sealed};
use super::normal::{self, NormalCase};
use crate::document::model::{
    Authority, DocumentData, InspectionRecord, Officer, PartySignature,
    ServiceMethod as PrintedMethod, ServiceReceipt,
};
use crate::document::normal::{
    ElectronicServiceConsent, InterviewRecord, Opinion, PreservationNotice, PreservedItem,
    PriorNotice, QuestionAnswer, StatementRecord, party_details,
};
use crate::procedure::{CaseState, ClockKind, EventKind, ProcedureEvent, ServiceMethod, gates};
use crate::store::Store;

/// What the officer writes down with a step, for its document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "record", rename_all = "snake_case")]
pub enum FieldRecord {
    /// 询问笔录 (Art. 55), with an 调查取证 step.
    Interview {
        /// 询问开始时间 (Beijing).
        start: NaiveDateTime,
        /// 询问结束时间 (Beijing).
        end: NaiveDateTime,
        /// 询问地点.
        place: String,
        /// The interviewee's relation to the case (`当事人本人`,
        /// `法定代表人`, `委托代理人` …); the interviewee is the party.
        relation: String,
        /// The questions and answers, in order.
        qa: Vec<QuestionAnswer>,
        /// The interviewee's signature on every page, or the refusal.
        signature: PartySignature,
    },
    /// 陈述申辩笔录 (Art. 45), with the 陈述申辩及复核 step.
    Statement {
        /// Start (Beijing).
        start: NaiveDateTime,
        /// End (Beijing).
        end: NaiveDateTime,
        /// Where.
        place: String,
        /// What the party said, in their words.
        statement: String,
        /// Evidence the party offered, if any.
        #[serde(default)]
        evidence_offered: Option<String>,
        /// The party's signature, or the refusal.
        signature: PartySignature,
    },
    /// 送达回证 of the decision, with a 送达 in person, on the spot or left
    /// at the address.
    ServiceReceipt {
        /// 送达地点.
        place: String,
        /// When the decision was received (Beijing).
        received_at: NaiveDateTime,
        /// 代收人 and relation, if not the party (民事诉讼法 Art. 88).
        #[serde(default)]
        proxy: Option<String>,
        /// The signature, or the refusal with reason and witness (Art. 89).
        signature: PartySignature,
    },
    /// 现场检查（勘验）笔录 (Art. 55; the inspection record's model and
    /// template, reused), with an 调查取证 step.
    Inspection {
        /// 检查开始时间 (Beijing).
        start: NaiveDateTime,
        /// 检查结束时间 (Beijing).
        end: NaiveDateTime,
        /// 检查地点/场所.
        place: String,
        /// 在场人 if not the party (name, ID, position).
        #[serde(default)]
        present_person: Option<String>,
        /// 被邀请人/见证人.
        #[serde(default)]
        witness: Option<String>,
        /// 检查情况及结果.
        findings: String,
        /// The party's signature (以上记录属实) or the refusal.
        signature: PartySignature,
    },
    /// 先行登记保存证据通知书及清单 (Art. 56), with an 调查取证 step once
    /// the 负责人 approved the registration.
    Preservation {
        /// The items (清单).
        items: Vec<PreservedItem>,
        /// 保存地点.
        storage_place: String,
        /// The party's signature, or the refusal.
        signature: PartySignature,
    },
    /// 电子送达确认书 (Art. 61 ¶2), with an electronic 送达.
    ServiceConsent {
        /// The channels the party agrees to (`短信 138…`, `电子邮箱 …`).
        channels: Vec<String>,
        /// The documents it covers.
        scope: String,
        /// The party's signature (a refusal is no consent).
        signature: PartySignature,
    },
}

impl FieldRecord {
    fn name_zh(&self) -> &'static str {
        match self {
            Self::Interview { .. } => "询问笔录",
            Self::Statement { .. } => "陈述申辩笔录",
            Self::ServiceReceipt { .. } => "送达回证",
            Self::Preservation { .. } => "先行登记保存证据通知书及清单",
            Self::Inspection { .. } => "现场检查（勘验）笔录",
            Self::ServiceConsent { .. } => "电子送达确认书",
        }
    }
}

/// A step recorded with its documents.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// The case's state after the step.
    pub state: CaseState,
    /// The documents made, rendered, sealed and announced.
    pub documents: Vec<ArchivedDocument>,
}

fn invalid(field: &'static str, reason: &str) -> ArchiveError {
    CaseError::InvalidField {
        field,
        reason: reason.to_owned(),
    }
    .into()
}

/// Whether `record` belongs with `kind`, and whether `kind` needs one.
fn pair(kind: &EventKind, record: Option<&FieldRecord>) -> Result<(), ArchiveError> {
    use FieldRecord as R;
    let ok = match (kind, record) {
        (
            EventKind::Serve {
                method:
                    ServiceMethod::OnTheSpot | ServiceMethod::Direct | ServiceMethod::LeftAtAddress,
                ..
            },
            r,
        ) => {
            if !matches!(r, Some(R::ServiceReceipt { .. })) {
                // 民事诉讼法 Art. 87: service in person is proven by the
                // 送达回证; Art. 89: a refusal is noted on it.
                return Err(CaseError::Config(
                    "直接送达、当场送达或者留置送达须有送达回证（《民事诉讼法》第八十七条、第八十九条）".into(),
                )
                .into());
            }
            true
        }
        (
            EventKind::Serve {
                method: ServiceMethod::Electronic { .. },
                ..
            },
            r,
        ) => {
            if !matches!(r, Some(R::ServiceConsent { .. })) {
                return Err(CaseError::Config(
                    "电子送达须有当事人签名的电子送达确认书（《行政处罚法》第六十一条第二款）"
                        .into(),
                )
                .into());
            }
            true
        }
        (_, None) => true,
        (
            EventKind::Investigate { .. },
            Some(R::Interview { .. } | R::Preservation { .. } | R::Inspection { .. }),
        )
        | (EventKind::HearStatement { .. }, Some(R::Statement { .. })) => true,
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(CaseError::Config(format!(
            "“{}”不附{}",
            kind.label_zh(),
            record.map_or("笔录", FieldRecord::name_zh)
        ))
        .into())
    }
}

/// The case's reference printed in its documents' numbers.
pub fn case_reference(case_id: &str) -> String {
    case_id
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(8)
        .collect::<String>()
        .to_ascii_uppercase()
}

/// The officers of the case as printed (two, Art. 42).
fn two_officers(d: &NormalCaseDetails) -> Result<[Officer; 2], ArchiveError> {
    let o: Vec<Officer> = d
        .officers
        .iter()
        .map(|o| Officer {
            name: o.name.clone(),
            credential_number: o.credential_no.clone(),
            signature: None,
        })
        .collect();
    <[Officer; 2]>::try_from(o).map_err(|_| CaseError::OfficersNotTwo.into())
}

fn authority(d: &NormalCaseDetails) -> Authority {
    Authority {
        name: d.authority.name.clone(),
        entrusted_by: None,
    }
}

fn cause(d: &NormalCaseDetails) -> String {
    format!("{}{}案", d.party.name, d.matter_name)
}

fn check_signature(s: &PartySignature) -> Result<(), ArchiveError> {
    match s {
        PartySignature::Signed { name, png, .. } => {
            if name.trim().is_empty() || png.is_empty() {
                return Err(invalid("签名", "须有签名人姓名与签名"));
            }
        }
        PartySignature::Refused { reason, .. } => {
            if reason.trim().is_empty() {
                return Err(invalid("拒绝签名", "须注明拒绝的情况"));
            }
        }
        PartySignature::Pending => return Err(invalid("签名", "须有签名人姓名与签名")),
    }
    Ok(())
}

fn check_span(start: NaiveDateTime, end: NaiveDateTime, place: &str) -> Result<(), ArchiveError> {
    if end < start {
        return Err(invalid("结束时间", "不能早于开始时间"));
    }
    if place.trim().is_empty() {
        return Err(invalid("地点", "不能为空"));
    }
    Ok(())
}

/// How many documents of `kind` the case has announced; the next is one more.
fn next_stage(store: &Store, case_id: &str, kind: &str) -> Result<u32, ArchiveError> {
    let prefix = format!("{case_id}:{kind}:");
    let n: i64 = store
        .conn()
        .query_row(
            "SELECT count(*) FROM outbox WHERE entity = 'document'
             AND substr(entity_id, 1, length(?1)) = ?1",
            [&prefix],
            |r| r.get(0),
        )
        .map_err(CaseError::from)?;
    Ok(u32::try_from(n).unwrap_or(u32::MAX - 1) + 1)
}

/// The evidence gathered so far, one line each, as the notices list it.
fn evidence_lines(log: &[ProcedureEvent]) -> Vec<String> {
    log.iter()
        .filter_map(|e| match &e.kind {
            EventKind::Investigate { act, document, .. } => Some(match document {
                Some(h) => format!(
                    "{act}（{}，SHA-256 {h}）",
                    crate::document::model::date_zh(e.on())
                ),
                None => format!("{act}（{}）", crate::document::model::date_zh(e.on())),
            }),
            _ => None,
        })
        .collect()
}

/// Everything a document is made from.
struct Ctx<'a> {
    store: &'a Store,
    case: &'a NormalCase,
    details: &'a NormalCaseDetails,
    state: &'a CaseState,
    event: &'a ProcedureEvent,
}

impl Ctx<'_> {
    /// The 事先告知书 of an 事先告知 step.
    fn prior_notice(&self, n: u32) -> Result<Option<PriorNotice>, ArchiveError> {
        let EventKind::Inform {
            penalty,
            facts,
            reasons,
            basis,
            hearing_offered,
            ..
        } = &self.event.kind
        else {
            return Ok(None);
        };
        let on = self.event.on();
        let d = self.details;
        let (config, calendar) = normal::rules_for(self.store, &d.township, on)?;
        let due = |k| {
            gates::due_of(k, on, &config, &calendar)
                .map_err(|e| ArchiveError::from(CaseError::from(e)))
        };
        let matter = self
            .store
            .catalogue()
            .matter_in_force(&d.matter_code, on)
            .map_err(CaseError::from)?
            .ok_or_else(|| CaseError::MatterNotInForce {
                matter: d.matter_code.clone(),
                date: on,
            })?;
        let cite = |role| {
            matter
                .provisions
                .iter()
                .filter(|p| p.role == role && p.in_force)
                .map(|p| p.citation.clone())
                .collect::<Vec<_>>()
        };
        use crate::catalogue::read::ProvisionRole;
        let mut penalty_provisions = cite(ProvisionRole::Penalty);
        for b in basis {
            if !b.trim().is_empty() && !penalty_provisions.contains(b) {
                penalty_provisions.push(b.clone());
            }
        }
        let officers = two_officers(d)?;
        Ok(Some(PriorNotice {
            number: format!("{}-告{n}", case_reference(&self.case.case_id)),
            authority: authority(d),
            party: party_details(&d.party),
            facts: facts.clone(),
            evidence: evidence_lines(&self.case.log()),
            reasons: reasons.clone(),
            violated_provisions: cite(ProvisionRole::Violated),
            penalty_provisions,
            proposed: penalty.clone(),
            statement_by: due(ClockKind::Statement)?,
            hearing_request_by: if *hearing_offered {
                Some(due(ClockKind::HearingRequest)?)
            } else {
                None
            },
            contact: format!(
                "承办人：{}、{}（{}）",
                officers[0].name, officers[1].name, d.authority.name
            ),
            officers,
            date: on,
        }))
    }

    /// The 送达回证 of the decision (民事诉讼法 Art. 87–89).
    fn receipt(
        &self,
        place: &str,
        received_at: NaiveDateTime,
        proxy: Option<&str>,
        signature: &PartySignature,
    ) -> Result<DocumentData, ArchiveError> {
        let d = self.details;
        let officers = two_officers(d)?;
        let date = self.event.on();
        check_signature(signature)?;
        if place.trim().is_empty() {
            return Err(invalid("送达地点", "不能为空"));
        }
        let number = self
            .state
            .decision
            .as_ref()
            .map(|x| x.number.clone())
            .ok_or_else(|| CaseError::Config("案件尚未作出决定".into()))?;
        let method = match &self.event.kind {
            EventKind::Serve {
                method: ServiceMethod::LeftAtAddress,
                ..
            } => PrintedMethod::LeftAtPremises,
            _ => PrintedMethod::Direct,
        };
        if method == PrintedMethod::LeftAtPremises
            && !matches!(signature, PartySignature::Refused { .. })
        {
            return Err(invalid(
                "留置送达",
                "须为受送达人拒绝签收（《民事诉讼法》第八十九条）",
            ));
        }
        Ok(DocumentData::ServiceReceipt(ServiceReceipt {
            authority: authority(d),
            document_name: "行政处罚决定书".to_owned(),
            document_number: number,
            recipient: d.party.name.clone(),
            place: place.to_owned(),
            method,
            received_at,
            proxy: proxy.filter(|s| !s.trim().is_empty()).map(str::to_owned),
            recipient_signature: signature.clone(),
            servers: officers,
            remarks: None,
            date,
        }))
    }

    /// The 电子送达确认书 (Art. 61 ¶2): the party's signed consent.
    fn consent(
        &self,
        channels: &[String],
        scope: &str,
        signature: &PartySignature,
    ) -> Result<DocumentData, ArchiveError> {
        let d = self.details;
        let date = self.event.on();
        if !matches!(signature, PartySignature::Signed { .. }) {
            return Err(invalid(
                "电子送达确认书",
                "须经当事人签名同意（《行政处罚法》第六十一条第二款）",
            ));
        }
        check_signature(signature)?;
        if channels.iter().all(|c| c.trim().is_empty()) || scope.trim().is_empty() {
            return Err(invalid("电子送达确认书", "须写明送达方式与文书范围"));
        }
        Ok(DocumentData::ElectronicServiceConsent(
            ElectronicServiceConsent {
                authority: authority(d),
                cause: cause(d),
                party: party_details(&d.party),
                channels: channels.to_vec(),
                scope: scope.to_owned(),
                party_signature: signature.clone(),
                date,
            },
        ))
    }

    /// The 先行登记保存证据通知书及清单 of the registration the 负责人
    /// approved last (Art. 56: 经行政机关负责人批准; the disposal within
    /// seven working days, Art. 85).
    fn preservation(
        &self,
        items: &[PreservedItem],
        storage_place: &str,
        signature: &PartySignature,
    ) -> Result<DocumentData, ArchiveError> {
        check_signature(signature)?;
        if items.is_empty()
            || items
                .iter()
                .any(|i| i.name.trim().is_empty() || i.quantity.trim().is_empty())
        {
            return Err(invalid("清单", "每一项都须有名称和数量"));
        }
        if storage_place.trim().is_empty() {
            return Err(invalid("保存地点", "不能为空"));
        }
        let log = self.case.log();
        let approval = log
            .iter()
            .rev()
            .find(|e| matches!(e.kind, EventKind::RegisterSave { .. }))
            .ok_or_else(|| {
                CaseError::Config(
                    "先行登记保存须经行政机关负责人批准（《行政处罚法》第五十六条），批准尚未到达本机"
                        .into(),
                )
            })?;
        let index = self.state.saves.len().saturating_sub(1);
        if self
            .state
            .saves
            .get(index)
            .is_some_and(|m| m.disposed_on.is_some())
        {
            return Err(CaseError::Config("该先行登记保存已作出处理决定".into()).into());
        }
        let reason = log
            .iter()
            .rev()
            .find_map(|e| match &e.kind {
                EventKind::RequestSave { reason, .. } if e.at <= approval.at => {
                    Some(reason.clone())
                }
                _ => None,
            })
            .unwrap_or_else(|| "证据可能灭失或者以后难以取得".to_owned());
        let d = self.details;
        let approved_on = approval.on();
        let (config, calendar) = normal::rules_for(self.store, &d.township, approved_on)?;
        let decide_by = gates::due_of(ClockKind::RegistrationSave, approved_on, &config, &calendar)
            .map_err(CaseError::from)?;
        let n = next_stage(self.store, &self.case.case_id, "preservation_notice")?;
        Ok(DocumentData::PreservationNotice(PreservationNotice {
            number: format!("{}-保{n}", case_reference(&self.case.case_id)),
            authority: authority(d),
            party: party_details(&d.party),
            reason,
            approved: Opinion {
                text: "同意先行登记保存".to_owned(),
                signer: format!(
                    "{}（{}）",
                    approval.actor.role.label_zh(),
                    approval.actor.id
                ),
                date: approved_on,
            },
            items: items.to_vec(),
            storage_place: storage_place.to_owned(),
            decide_by,
            officers: two_officers(d)?,
            party_signature: signature.clone(),
            date: self.event.on(),
        }))
    }

    /// The number of the case's latest 事先告知书.
    fn notice_number(&self) -> Result<String, ArchiveError> {
        let told = next_stage(self.store, &self.case.case_id, "prior_notice")?;
        if told <= 1 {
            return Err(CaseError::Config("案件尚无事先告知书".into()).into());
        }
        Ok(format!(
            "{}-告{}",
            case_reference(&self.case.case_id),
            told - 1
        ))
    }

    /// The document of the officer's `record`.
    fn of_record(&self, record: &FieldRecord) -> Result<DocumentData, ArchiveError> {
        let d = self.details;
        let officers = two_officers(d)?;
        let date = self.event.on();
        Ok(match record {
            FieldRecord::Interview {
                start,
                end,
                place,
                relation,
                qa,
                signature,
            } => {
                check_span(*start, *end, place)?;
                check_signature(signature)?;
                if qa.is_empty()
                    || qa
                        .iter()
                        .any(|x| x.question.trim().is_empty() || x.answer.trim().is_empty())
                {
                    return Err(invalid("问答", "每一问都须有问有答"));
                }
                if relation.trim().is_empty() {
                    return Err(invalid("被询问人身份", "不能为空"));
                }
                DocumentData::InterviewRecord(InterviewRecord {
                    authority: authority(d),
                    cause: cause(d),
                    start: *start,
                    end: *end,
                    place: place.clone(),
                    recorder: officers[1].name.clone(),
                    interviewers: officers,
                    interviewee: party_details(&d.party),
                    relation: relation.clone(),
                    qa: qa.clone(),
                    interviewee_signature: signature.clone(),
                    date,
                })
            }
            FieldRecord::Statement {
                start,
                end,
                place,
                statement,
                evidence_offered,
                signature,
            } => {
                check_span(*start, *end, place)?;
                check_signature(signature)?;
                if statement.trim().is_empty() {
                    return Err(invalid("陈述申辩内容", "不能为空"));
                }
                DocumentData::StatementRecord(StatementRecord {
                    authority: authority(d),
                    cause: cause(d),
                    notice_number: self.notice_number()?,
                    start: *start,
                    end: *end,
                    place: place.clone(),
                    party: party_details(&d.party),
                    recorder: officers[1].name.clone(),
                    hearers: officers,
                    statement: statement.clone(),
                    evidence_offered: evidence_offered.clone().filter(|s| !s.trim().is_empty()),
                    party_signature: signature.clone(),
                    date,
                })
            }
            FieldRecord::ServiceReceipt {
                place,
                received_at,
                proxy,
                signature,
            } => self.receipt(place, *received_at, proxy.as_deref(), signature)?,
            FieldRecord::Preservation {
                items,
                storage_place,
                signature,
            } => self.preservation(items, storage_place, signature)?,
            FieldRecord::Inspection {
                start,
                end,
                place,
                present_person,
                witness,
                findings,
                signature,
            } => {
                check_span(*start, *end, place)?;
                check_signature(signature)?;
                if findings.trim().is_empty() {
                    return Err(invalid("检查情况及结果", "不能为空"));
                }
                let clean = |s: &Option<String>| s.clone().filter(|x| !x.trim().is_empty());
                DocumentData::InspectionRecord(InspectionRecord {
                    number: None,
                    authority: authority(d),
                    cause: cause(d),
                    start: *start,
                    end: *end,
                    place: place.clone(),
                    recorder: officers[1].name.clone(),
                    inspectors: officers,
                    party: Some(party_details(&d.party)),
                    present_person: clean(present_person),
                    witness: clean(witness),
                    findings: findings.clone(),
                    evidence: Vec::new(),
                    party_signature: signature.clone(),
                    date,
                })
            }
            FieldRecord::ServiceConsent {
                channels,
                scope,
                signature,
            } => self.consent(channels, scope, signature)?,
        })
    }
}

/// Records the officer's step `kind` of `case_id` with its documents:
/// the record the officer wrote (`record`) and what the step issues (the
/// 事先告知书 of an 事先告知). See the module's order of writes.
pub fn record_with_documents(
    store: &mut Store,
    dir: &Path,
    case_id: &str,
    kind: EventKind,
    record: Option<FieldRecord>,
    place: Option<String>,
    now: DateTime<Utc>,
) -> Result<Recorded, ArchiveError> {
    pair(&kind, record.as_ref())?;
    let case = normal::case(store, case_id)?
        .ok_or_else(|| CaseError::Config(format!("设备上没有普通程序案件 {case_id}")))?;
    let details = case
        .details
        .clone()
        .ok_or_else(|| CaseError::Corrupt(format!("普通程序案件 {case_id} 缺少案件信息")))?;
    // The core's verdict first: a refused step renders nothing. An
    // electronic service is checked with its consent to come.
    let mut probe_kind = kind.clone();
    if let EventKind::Serve {
        method: ServiceMethod::Electronic { consent },
        ..
    } = &mut probe_kind
    {
        *consent = Some("电子送达确认书".to_owned());
    }
    let (probe, state) = normal::check(store, &case, probe_kind, place.clone(), now)?;
    let ctx = Ctx {
        store,
        case: &case,
        details: &details,
        state: &state,
        event: &probe,
    };
    let mut docs: Vec<(DocumentData, String)> = Vec::new();
    if let Some(r) = &record {
        let data = ctx.of_record(r)?;
        let stage = next_stage(store, case_id, data.kind().as_str())?;
        docs.push((data, stage.to_string()));
    }
    let told = next_stage(store, case_id, "prior_notice")?;
    if let Some(n) = ctx.prior_notice(told)? {
        docs.push((DocumentData::PriorNotice(n), told.to_string()));
    }
    let mut sealed = Vec::with_capacity(docs.len());
    for (data, _) in &docs {
        sealed.push(render_sealed(store, dir, &details.township, data)?);
    }
    // The step names its record's hash where it has a place for it.
    let mut kind = kind;
    let record_hash = record
        .as_ref()
        .and(sealed.first())
        .map(|s| s.sha256.clone());
    match &mut kind {
        EventKind::Investigate { act, document, .. } if record_hash.is_some() => {
            match &record {
                Some(FieldRecord::Preservation { .. }) => {
                    "先行登记保存证据通知书及清单".clone_into(act);
                }
                Some(FieldRecord::Inspection { .. }) => "现场检查（勘验）笔录".clone_into(act),
                _ => "询问笔录".clone_into(act),
            }
            *document = record_hash;
        }
        EventKind::Serve {
            method: ServiceMethod::Electronic { consent },
            ..
        } => *consent = record_hash,
        _ => {}
    }
    let (event, state) = normal::check(store, &case, kind, place, now)?;
    let tx = store
        .conn_mut()
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(CaseError::from)?;
    normal::queue_step_in(
        &tx,
        case_id,
        &ProcedureStep {
            schema: SCHEMA,
            event,
            details: None,
        },
        now,
    )?;
    let mut out = Vec::with_capacity(docs.len());
    for ((data, stage), s) in docs.iter().zip(sealed) {
        let kind = data.kind().as_str().to_owned();
        announce(
            &tx,
            &DocumentRecord {
                schema: SCHEMA,
                case_id: case_id.to_owned(),
                kind: kind.clone(),
                stage: stage.clone(),
                number: data_number(data),
                title: data.kind().title_zh().to_owned(),
                sha256: s.sha256.clone(),
                size: i64::try_from(s.size).map_err(|e| CaseError::Corrupt(e.to_string()))?,
                media_type: PDF.to_owned(),
                document_sha256: Some(s.document_hash.clone()),
            },
            now,
        )?;
        out.push(ArchivedDocument {
            case_id: case_id.to_owned(),
            kind,
            stage: stage.clone(),
            sha256: s.sha256,
            size: s.size,
            path: s.path,
        });
    }
    tx.commit().map_err(CaseError::from)?;
    Ok(Recorded {
        state,
        documents: out,
    })
}

/// The number a document prints, if it has one.
fn data_number(data: &DocumentData) -> Option<String> {
    match data {
        DocumentData::PriorNotice(n) => Some(n.number.clone()),
        DocumentData::ServiceReceipt(r) => Some(r.document_number.clone()),
        DocumentData::PreservationNotice(n) => Some(n.number.clone()),
        _ => None,
    }
}
