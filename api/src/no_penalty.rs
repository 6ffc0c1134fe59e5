//! 不予处罚 on a simple-procedure case (issue 19 item 3): the grounds the
//! law gives — 行政处罚法 Art. 30 (under 14, the guardian ordered to
//! discipline the child), Art. 31 (mental incapacity, the guardian ordered
//! to watch and treat), Art. 33 ¶1 first sentence (轻微并及时改正，没有造成
//! 危害后果: 不予) and second sentence (首违不罚: 初次违法且危害后果轻微并
//! 及时改正: 可以不予) — each with its conditions attested by the officer,
//! and the 教育 record Art. 33 ¶3 requires. The core's `DecideNoPenalty`
//! records the outcome (its ground as the assessment finds it, the guardian
//! order it requires) and the outbox carries it to the centre.
//!
//! 首违 is checked against this device's own records of the party: an
//! earlier decided case of the same party (same ID number) on the same
//! matter within [`FIRST_VIOLATION_LOOKBACK_DAYS`] refuses the claim. The
//! device holds no blind index of parties; the centre re-checks every
//! device's cases after sync (supervision's `repeat_party_first_violation`,
//! research §2.5 rule 5) with the same look-back.

use chrono::Duration;
use zhifa_core::ErrorCode;
use zhifa_core::case::{self, Case, CaseEvent};
use zhifa_core::catalogue::model::Matter;
use zhifa_core::document::model::{DocumentKind, NoPenaltyGround as Basis};
use zhifa_core::rules::assess::{Exemption, LAW_CIRCUMSTANCES, Minor, PartyKind};

use crate::dto::CaseView;
use crate::dto_no_penalty::*;
use crate::{ApiError, App};

/// The look-back of the device's 首违 check, the centre's
/// `repeat_window_days` default (research §2.5 rule 5: 12 months). Which
/// period Chongqing counts 初次 over is not published (❓
/// /work/shared/domain/law.md §3.4), so the device and the centre use one
/// value.
pub(crate) const FIRST_VIOLATION_LOOKBACK_DAYS: i64 = 365;

/// Art. 30's order to the guardian, in its words.
pub(crate) const GUARDIAN_ORDER_ART30: &str = "责令监护人加以管教";
/// Art. 31's order to the guardian, in its words.
pub(crate) const GUARDIAN_ORDER_ART31: &str = "责令其监护人严加看管和治疗";

/// A refused no-penalty decision, each with its stable code.
#[derive(Debug, thiserror::Error)]
pub enum NoPenaltyError {
    /// No such ground.
    #[error("不予处罚的理由无效，请从列出的法定情形中选择")]
    UnknownGround,
    /// A condition of the ground is not attested.
    #[error("{title}须同时具备：{missing}（{article}）")]
    ConditionMissing {
        /// The ground.
        title: &'static str,
        /// Its article.
        article: &'static str,
        /// The conditions not attested, in Chinese.
        missing: String,
    },
    /// The ground does not hold for this case.
    #[error("不适用{title}：{reason}（{article}）")]
    GroundNotMet {
        /// The ground.
        title: &'static str,
        /// Its article.
        article: &'static str,
        /// Why, in Chinese.
        reason: String,
    },
    /// The device holds an earlier case of the party on the same matter.
    #[error(
        "本机记录显示当事人于{earlier}已因同一违法行为被处理，不属于初次违法，不适用首违不罚（行政处罚法第三十三条第一款）"
    )]
    NotFirstViolation {
        /// The earlier violation's date.
        earlier: chrono::NaiveDate,
    },
    /// No 教育 record.
    #[error("不予行政处罚的，应当对当事人进行教育，请记录教育内容（行政处罚法第三十三条第三款）")]
    EducationMissing,
}

impl ErrorCode for NoPenaltyError {
    fn code(&self) -> &'static str {
        match self {
            Self::UnknownGround => "NO_PENALTY_GROUND_UNKNOWN",
            Self::ConditionMissing { .. } => "NO_PENALTY_CONDITION_MISSING",
            Self::GroundNotMet { .. } => "NO_PENALTY_GROUND_NOT_MET",
            Self::NotFirstViolation { .. } => "NO_PENALTY_NOT_FIRST_VIOLATION",
            Self::EducationMissing => "NO_PENALTY_EDUCATION_MISSING",
        }
    }
}

/// One ground as the law words it.
struct Ground {
    code: &'static str,
    title: &'static str,
    article: &'static str,
    text: &'static str,
    guardian: Option<&'static str>,
    discretionary: bool,
}

/// The grounds, in the order of the law (texts in docs/law/xingzheng-chufa-fa.md).
const GROUNDS: &[Ground] = &[
    Ground {
        code: "under_14",
        title: "未满十四周岁",
        article: "行政处罚法第三十条",
        text: "不满十四周岁的未成年人有违法行为的，不予行政处罚，责令监护人加以管教。",
        guardian: Some(GUARDIAN_ORDER_ART30),
        discretionary: false,
    },
    Ground {
        code: "incapacity",
        title: "不能辨认或者控制自己行为",
        article: "行政处罚法第三十一条",
        text: "精神病人、智力残疾人在不能辨认或者不能控制自己行为时有违法行为的，不予行政处罚，但应当责令其监护人严加看管和治疗。",
        guardian: Some(GUARDIAN_ORDER_ART31),
        discretionary: false,
    },
    Ground {
        code: "minor",
        title: "轻微不罚",
        article: "行政处罚法第三十三条第一款",
        text: "违法行为轻微并及时改正，没有造成危害后果的，不予行政处罚。",
        guardian: None,
        discretionary: false,
    },
    Ground {
        code: "first_violation",
        title: "首违不罚",
        article: "行政处罚法第三十三条第一款",
        text: "初次违法且危害后果轻微并及时改正的，可以不予行政处罚。",
        guardian: None,
        discretionary: true,
    },
];

/// Quick texts for the 教育 record (Art. 33 ¶3).
const EDUCATION_PHRASES: &[&str] = &[
    "已当场向当事人宣讲相关法律法规，指出其行为违法，当事人表示今后遵守规定",
    "已对当事人进行批评教育，告知再次违法将依法予以处罚",
    "已向当事人的监护人说明情况，监护人表示加强管教",
];

/// The law's own conditions of a ground (circumstance codes of
/// `LAW_CIRCUMSTANCES`), before the matter's list adds its own.
fn law_conditions(code: &str) -> &'static [&'static str] {
    match code {
        "incapacity" => &["mental_incapacity"],
        "minor" => &["minor_violation", "corrected_promptly", "no_harm"],
        "first_violation" => &["first_violation", "minor_harm", "corrected_promptly"],
        _ => &[],
    }
}

/// The conditions of a ground: the law's, then any the matter's published
/// list (轻微免罚 / 首违不罚清单) adds — all must hold, so neither the law
/// nor the township's list is bypassed.
fn conditions(g: &Ground, matter: Option<&Matter>) -> Vec<NoPenaltyCondition> {
    let rule = matter.and_then(|m| match g.code {
        "minor" => m.minor_violation.as_ref(),
        "first_violation" => m.first_violation.as_ref(),
        _ => None,
    });
    let mut out: Vec<NoPenaltyCondition> = Vec::new();
    let codes = law_conditions(g.code)
        .iter()
        .map(|c| (*c).to_owned())
        .chain(rule.iter().flat_map(|r| r.circumstances.iter().cloned()));
    for code in codes {
        if out.iter().any(|c| c.code == code) {
            continue;
        }
        let label = LAW_CIRCUMSTANCES
            .iter()
            .find(|(c, _)| *c == code)
            .map(|(_, l)| (*l).to_owned())
            .or_else(|| rule.map(|r| format!("符合本事项清单条件：{}", r.conditions)))
            .unwrap_or_default();
        out.push(NoPenaltyCondition { code, label });
    }
    out
}

fn ground(code: &str) -> Result<&'static Ground, NoPenaltyError> {
    GROUNDS
        .iter()
        .find(|g| g.code == code)
        .ok_or(NoPenaltyError::UnknownGround)
}

/// Why a ground does not hold for the case, or `None` when it may be chosen
/// (the ground the core would record must be the one chosen).
fn unavailable(g: &Ground, c: &Case, minor: Minor) -> Option<String> {
    let individual = c
        .party
        .as_ref()
        .is_some_and(|p| p.kind == PartyKind::Individual);
    match g.code {
        "under_14" if minor != Minor::NoPenalty => {
            Some("当事人违法时已满十四周岁或年龄不明".into())
        }
        "incapacity" if !individual => Some("仅适用于自然人".into()),
        "under_14" => None,
        _ if minor == Minor::NoPenalty => {
            Some("当事人违法时未满十四周岁，应依行政处罚法第三十条不予处罚".into())
        }
        _ => None,
    }
}

impl App {
    fn no_penalty_matter(&self, c: &Case) -> Option<Matter> {
        self.matter_record(c).map(|r| r.matter)
    }

    /// The grounds the case offers, with their conditions and articles.
    pub(crate) fn case_no_penalty_options(
        &mut self,
        req: NoPenaltyOptionsReq,
    ) -> Result<NoPenaltyOptions, ApiError> {
        self.officer_id()?;
        let c = self.case(&req.case_id)?;
        let a = case::suggest(&self.store, c.id, None, req.circumstances, self.now())?;
        let matter = self.no_penalty_matter(&c);
        let grounds = GROUNDS
            .iter()
            .map(|g| {
                let reason = unavailable(g, &c, a.minor);
                NoPenaltyGround {
                    code: g.code.into(),
                    title: g.title.into(),
                    article: g.article.into(),
                    article_text: g.text.into(),
                    conditions: conditions(g, matter.as_ref()),
                    guardian_order: g.guardian.map(Into::into),
                    available: reason.is_none(),
                    reason,
                    discretionary: g.discretionary,
                }
            })
            .collect();
        let suggested = match a.exemption {
            _ if a.minor == Minor::NoPenalty => Some("under_14"),
            Exemption::Mandatory => Some("minor"),
            Exemption::Discretionary => Some("first_violation"),
            Exemption::None | Exemption::NoFault => None,
        };
        Ok(NoPenaltyOptions {
            grounds,
            suggested: suggested.map(Into::into),
            education_phrases: EDUCATION_PHRASES.iter().map(|s| (*s).to_owned()).collect(),
        })
    }

    /// Decides no penalty on the ground chosen, its conditions attested,
    /// with the 教育 record and (Art. 30, 31) the order to the guardian.
    pub(crate) fn case_no_penalty(&mut self, req: NoPenaltyReq) -> Result<CaseView, ApiError> {
        self.officer_id()?;
        let g = ground(&req.ground)?;
        let c = self.case(&req.case_id)?;
        let education = req.education.trim().to_owned();
        if education.is_empty() {
            return Err(NoPenaltyError::EducationMissing.into());
        }
        let matter = self.no_penalty_matter(&c);
        let needed = conditions(g, matter.as_ref());
        let missing: Vec<&str> = needed
            .iter()
            .filter(|n| !req.attested.contains(&n.code))
            .map(|n| n.label.as_str())
            .collect();
        if !missing.is_empty() {
            return Err(NoPenaltyError::ConditionMissing {
                title: g.title,
                article: g.article,
                missing: missing.join("；"),
            }
            .into());
        }
        // Only the chosen ground's conditions go to the assessment, so the
        // ground the core records is the one the officer chose.
        let circumstances: Vec<String> = needed.into_iter().map(|n| n.code).collect();
        let a = case::suggest(&self.store, c.id, None, circumstances.clone(), self.now())?;
        if let Some(reason) = unavailable(g, &c, a.minor) {
            return Err(NoPenaltyError::GroundNotMet {
                title: g.title,
                article: g.article,
                reason,
            }
            .into());
        }
        if g.code != "under_14" && a.exemption == Exemption::None {
            return Err(NoPenaltyError::GroundNotMet {
                title: g.title,
                article: g.article,
                reason: "裁量审查未认定该情形".into(),
            }
            .into());
        }
        if g.code == "first_violation" {
            self.check_first_violation(&c)?;
        }
        let guardian_order = req
            .guardian_order
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty() && g.guardian.is_some());
        let c = self.step(
            &req.case_id,
            &CaseEvent::DecideNoPenalty {
                circumstances,
                education,
                guardian_order,
            },
        )?;
        self.nudge_sync("case_no_penalty");
        Ok(self.view(&c))
    }

    /// 首违: no earlier decided case of this party on this matter in this
    /// device's records within the look-back (Art. 33 ¶1 "初次违法").
    fn check_first_violation(&self, c: &Case) -> Result<(), ApiError> {
        let Some(party) = c.party.as_ref() else {
            return Ok(());
        };
        let id = party.id_number.trim().to_uppercase();
        let on = c.violation_time.date();
        let earliest = on - Duration::days(FIRST_VIOLATION_LOOKBACK_DAYS);
        let earlier = case::list(&self.store, None)?
            .into_iter()
            .filter(|e| e.id != c.id && e.voided.is_none() && e.matter_code == c.matter_code)
            .filter(|e| e.decision.is_some() || e.no_penalty.is_some())
            .filter(|e| {
                e.party
                    .as_ref()
                    .is_some_and(|p| p.id_number.trim().to_uppercase() == id)
            })
            .map(|e| e.violation_time.date())
            .filter(|d| *d <= on && *d >= earliest)
            .min();
        match earlier {
            Some(earlier) => Err(NoPenaltyError::NotFirstViolation { earlier }.into()),
            None => Ok(()),
        }
    }
}

impl App {
    /// The recorded outcome as the case screens show it, with its
    /// 不予行政处罚决定书 (the article it rests on, whether it was served).
    pub(crate) fn no_penalty_view(&self, c: &Case) -> Option<NoPenaltyView> {
        let n = c.no_penalty.as_ref()?;
        // A read failure shows as "no decision", never as a wrong article.
        let article = case::document(&self.store, c.id, DocumentKind::NoPenaltyDecision, "issued")
            .ok()
            .flatten()
            // The issued JSON has no party signature yet: only its ground is read.
            .and_then(|(json, _)| serde_json::from_str::<serde_json::Value>(&json).ok())
            .and_then(|v| serde_json::from_value::<Basis>(v["ground"].clone()).ok())
            .map(|g| g.article().to_owned());
        Some(NoPenaltyView {
            ground: n.ground.clone(),
            education: n.education.clone(),
            guardian_order: n.guardian_order.clone(),
            at: n.at.format("%Y-%m-%d %H:%M").to_string(),
            decision_article: article,
            decision_number: n.number.clone(),
            decision_served: c.service.is_some(),
        })
    }
}
