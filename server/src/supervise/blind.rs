//! The blind cross-review of a drawn file (issue 18 item 2): the scorer a
//! file was assigned to ([`super::crossreview::assign`]) reads it without
//! the handling officers', the party's or the township's identity — the
//! blind number, the matter, the steps with their dates and the roles that
//! took them, and the automatic 案卷评查 ([`super::review`]) — and judges
//! the items the machine leaves to a person (`needs_human`): each human
//! veto item holds or not, and the points off for the human rows of the
//! 100-point sheet (用语, content the machine cannot read, late acts the
//! standard does not price). The final score is the machine's less those
//! points; the grade comes from the same [`Grading`] settings, 不合格
//! whenever a veto item fails. A score once given is final.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::SuperviseError;
use super::crossreview::{SampleError, SampleRow, sample_row};
use super::review::standard::Grading;
use super::review::{Finding, ItemResult, Review, VetoFinding, review_of};
use crate::pii::SUPERVISE_TEXT;
use crate::record::{Keeper, ts};
use crate::store::sql::{Conn, p};

/// One step of the file, without who took it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct BlindStep {
    /// The step, in Chinese.
    pub step: String,
    /// The day (Beijing).
    #[schema(value_type = String, format = Date)]
    pub on: NaiveDate,
    /// The role that took it (承办人, 行政机关负责人, …), never the person.
    pub role: String,
}

/// An item left to the scorer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct HumanItem {
    /// Its id (a veto item's or a sheet row's).
    pub id: String,
    /// `veto` (holds or not) or `deduction` (points off).
    pub kind: String,
    /// What to judge, in Chinese.
    pub text: String,
}

/// The scorer's judgement of a veto item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct VetoJudgement {
    /// The item.
    pub id: String,
    /// Whether it holds.
    pub passed: bool,
    /// Why, if it does not.
    #[serde(default)]
    pub note: String,
}

/// The scorer's points off on a sheet row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Deduction {
    /// The row.
    pub id: String,
    /// Points off.
    pub points: u32,
    /// What was found.
    #[serde(default)]
    pub note: String,
}

/// A scorer's judgements.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Scoring {
    /// Every human veto item, judged.
    pub vetoes: Vec<VetoJudgement>,
    /// Points off on human rows (none, one or several).
    #[serde(default)]
    pub deductions: Vec<Deduction>,
    /// A general remark.
    #[serde(default)]
    pub comment: String,
}

/// A file's final score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ScoreResult {
    /// The machine's score.
    pub auto_score: u32,
    /// Less the scorer's points.
    pub score: u32,
    /// Every veto item held (machine and scorer).
    pub veto_passed: bool,
    /// The grade.
    pub grade: String,
    /// When (RFC 3339).
    pub scored_at: String,
    /// The judgements.
    pub scoring: Scoring,
}

/// The file as the scorer sees it: blind.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct BlindFile {
    /// The blind number.
    pub sample_id: String,
    /// The matter's code.
    pub matter_code: String,
    /// Its name, from the catalogue release in force.
    pub matter_name: String,
    /// The steps, oldest first.
    pub steps: Vec<BlindStep>,
    /// The standard.
    pub standard: String,
    /// The machine's score.
    pub auto_score: u32,
    /// The full marks.
    pub total: u32,
    /// The machine's veto result.
    pub auto_veto_passed: bool,
    /// The machine's provisional grade.
    pub auto_grade: String,
    /// How grades are set.
    pub grade_basis: String,
    /// Part 1 as the machine judged it.
    pub vetoes: Vec<VetoFinding>,
    /// Part 2 as the machine judged it.
    pub findings: Vec<Finding>,
    /// What the scorer judges.
    pub human_items: Vec<HumanItem>,
    /// The final score, once given.
    pub result: Option<ScoreResult>,
}

/// The items of `r` left to a person.
pub fn human_items(r: &Review) -> Vec<HumanItem> {
    let mut out: Vec<HumanItem> = r
        .vetoes
        .iter()
        .filter(|v| v.result == ItemResult::NeedsHuman)
        .map(|v| HumanItem {
            id: v.id.clone(),
            kind: "veto".to_owned(),
            text: format!("基础标准·{}：{}", v.group, v.text),
        })
        .collect();
    out.extend(
        r.findings
            .iter()
            .filter(|f| f.result == ItemResult::NeedsHuman)
            .map(|f| HumanItem {
                id: f.id.clone(),
                kind: "deduction".to_owned(),
                text: format!("期限·{}：{}", f.title, f.finding),
            }),
    );
    out.push(HumanItem {
        id: "wording".to_owned(),
        kind: "deduction".to_owned(),
        text: format!(
            "文书规范·用语：用语不规范、错别字、前后不一、涂改，每处扣{}分",
            super::review::standard::WORDING_POINTS
        ),
    });
    out.push(HumanItem {
        id: "content".to_owned(),
        kind: "deduction".to_owned(),
        text: "文书规范·内容：机器未能核对的其他内容要素，每缺一项扣1分".to_owned(),
    });
    out
}

/// The final score of `r` under `s`, or why the judgements do not fit it.
pub fn final_score(
    r: &Review,
    s: &Scoring,
    grading: &Grading,
) -> Result<(u32, bool, String), SampleError> {
    let items = human_items(r);
    let is = |id: &str, kind: &str| items.iter().any(|i| i.id == id && i.kind == kind);
    for v in &s.vetoes {
        if !is(&v.id, "veto") {
            return Err(SampleError::UnknownItem(v.id.clone()));
        }
    }
    for d in &s.deductions {
        if !is(&d.id, "deduction") {
            return Err(SampleError::UnknownItem(d.id.clone()));
        }
    }
    for i in items.iter().filter(|i| i.kind == "veto") {
        if s.vetoes.iter().filter(|v| v.id == i.id).count() != 1 {
            return Err(SampleError::Incomplete(i.text.clone()));
        }
    }
    let off = s
        .deductions
        .iter()
        .fold(0u32, |n, d| n.saturating_add(d.points));
    if off > r.score {
        return Err(SampleError::Invalid(format!(
            "扣分合计 {off} 分超过机器评分 {} 分",
            r.score
        )));
    }
    let score = r.score - off;
    let veto_passed = r.veto_passed && s.vetoes.iter().all(|v| v.passed);
    let grade = if veto_passed {
        grading.grade(score)
    } else {
        "不合格"
    };
    Ok((score, veto_passed, grade.to_owned()))
}

/// The AAD of a sample's sealed judgements.
fn aad(sample_id: &str) -> Vec<u8> {
    format!("sample:{sample_id}").into_bytes()
}

/// Sample `id` if assigned to `scorer`.
fn mine(c: &mut dyn Conn, id: &str, scorer: &str) -> Result<SampleRow, SampleError> {
    let r = c
        .query_opt(
            "SELECT sample_id, seq, case_id, township, scorer, assigned_at, auto_score, score,
                 veto_passed, grade, scored_at
             FROM review_sample WHERE sample_id = ?1 AND scorer = ?2",
            p![id, scorer],
        )?
        .ok_or(SampleError::NotFound)?;
    Ok(sample_row(&r)?)
}

/// An assignment, as its scorer lists it: nothing of the case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Assignment {
    /// The blind number.
    pub sample_id: String,
    /// When assigned (RFC 3339).
    pub assigned_at: Option<String>,
    /// The final score, once given.
    pub score: Option<i64>,
    /// The grade, once given.
    pub grade: Option<String>,
    /// When scored.
    pub scored_at: Option<String>,
}

/// The files assigned to `scorer`, unscored first. Audited
/// `supervise.scoring`.
pub fn assigned(
    c: &mut dyn Conn,
    scorer: &str,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<Vec<Assignment>, SampleError> {
    let rows = c.query(
        "SELECT sample_id, assigned_at, score, grade, scored_at FROM review_sample
         WHERE scorer = ?1 ORDER BY scored_at IS NOT NULL, assigned_at, sample_id",
        p![scorer],
    )?;
    let out = rows
        .iter()
        .map(|r| {
            Ok(Assignment {
                sample_id: r.get(0)?,
                assigned_at: r.get(1)?,
                score: r.get(2)?,
                grade: r.get(3)?,
                scored_at: r.get(4)?,
            })
        })
        .collect::<Result<Vec<_>, crate::store::sql::DbError>>()?;
    crate::store::audit(c, now, actor, "supervise.scoring", scorer)?;
    Ok(out)
}

fn blind_of(
    c: &mut dyn Conn,
    k: &Keeper,
    s: &SampleRow,
    today: NaiveDate,
    grading: &Grading,
) -> Result<(BlindFile, Review), SampleError> {
    // Authorised by the assignment, not by scope: the scorer is outside it.
    let r = review_of(c, k, "", &s.case_id, today, grading)?;
    let events = crate::procedure::events_of(c, k, &s.case_id)
        .map_err(|e| SampleError::Supervise(SuperviseError::from(e)))?;
    let row = crate::procedure::case_of(c, &s.case_id)
        .map_err(|e| SampleError::Supervise(SuperviseError::from(e)))?;
    let matter_code = row.and_then(|r| r.matter_code).unwrap_or_default();
    let matter_name = crate::procedure::release_of(c, k, &s.township, today)
        .ok()
        .and_then(|pkg| {
            pkg.matters
                .iter()
                .find(|m| m.code == matter_code)
                .map(|m| m.name.clone())
        })
        .unwrap_or_default();
    let steps = events
        .iter()
        .map(|e| BlindStep {
            step: e.kind.label_zh().to_owned(),
            on: e.on(),
            role: e.actor.role.label_zh().to_owned(),
        })
        .collect();
    let result = match (s.scored_at.clone(), stored_scoring(c, k, &s.sample_id)?) {
        (Some(scored_at), Some(scoring)) => Some(ScoreResult {
            auto_score: u32::try_from(s.auto_score.unwrap_or(0)).unwrap_or(0),
            score: u32::try_from(s.score.unwrap_or(0)).unwrap_or(0),
            veto_passed: s.veto_passed.unwrap_or(false),
            grade: s.grade.clone().unwrap_or_default(),
            scored_at,
            scoring,
        }),
        _ => None,
    };
    let file = BlindFile {
        sample_id: s.sample_id.clone(),
        matter_code,
        matter_name,
        steps,
        standard: r.standard.clone(),
        auto_score: r.score,
        total: r.total,
        auto_veto_passed: r.veto_passed,
        auto_grade: r.grade.clone(),
        grade_basis: r.grade_basis.clone(),
        vetoes: r.vetoes.clone(),
        findings: r.findings.clone(),
        human_items: human_items(&r),
        result,
    };
    Ok((file, r))
}

fn stored_scoring(c: &mut dyn Conn, k: &Keeper, id: &str) -> Result<Option<Scoring>, SampleError> {
    let sealed: Option<String> = c
        .query_one(
            "SELECT judgements FROM review_sample WHERE sample_id = ?1",
            p![id],
        )?
        .get(0)?;
    let Some(sealed) = sealed else {
        return Ok(None);
    };
    let plain = k.seal.open(c, SUPERVISE_TEXT, &aad(id), &sealed)?;
    Ok(Some(serde_json::from_slice(&plain).map_err(|e| {
        SuperviseError::Corrupt(format!("sample judgements: {e}"))
    })?))
}

/// The blind file of sample `id` for its scorer. Audited
/// `supervise.scoring_read`.
pub fn blind_file(
    c: &mut dyn Conn,
    k: &Keeper,
    id: &str,
    scorer: &str,
    actor: &str,
    now: DateTime<Utc>,
    grading: &Grading,
) -> Result<BlindFile, SampleError> {
    let s = mine(c, id, scorer)?;
    let today = zhifa_core::procedure::beijing_date(now);
    let (file, _) = blind_of(c, k, &s, today, grading)?;
    crate::store::audit(c, now, actor, "supervise.scoring_read", id)?;
    Ok(file)
}

/// The scorer's judgements on sample `id`: the final score stored, the
/// judgements sealed. Audited `supervise.sample_score`.
#[allow(clippy::too_many_arguments)] // the sample, its scorer, the judgements and time
pub fn score(
    c: &mut dyn Conn,
    k: &Keeper,
    id: &str,
    scorer: &str,
    scoring: &Scoring,
    actor: &str,
    now: DateTime<Utc>,
    grading: &Grading,
) -> Result<BlindFile, SampleError> {
    let s = mine(c, id, scorer)?;
    if s.scored_at.is_some() {
        return Err(SampleError::Scored);
    }
    let today = zhifa_core::procedure::beijing_date(now);
    let (_, review) = blind_of(c, k, &s, today, grading)?;
    let (final_score, veto_passed, grade) = final_score(&review, scoring, grading)?;
    let plain = serde_json::to_vec(scoring).map_err(|e| SuperviseError::Corrupt(e.to_string()))?;
    let sealed = k.seal.seal(c, SUPERVISE_TEXT, &aad(id), &plain)?;
    c.exec(
        "UPDATE review_sample SET auto_score = ?2, score = ?3, veto_passed = ?4, grade = ?5,
             judgements = ?6, scored_at = ?7
         WHERE sample_id = ?1",
        p![
            id,
            i64::from(review.score),
            i64::from(final_score),
            i64::from(veto_passed),
            grade,
            sealed,
            ts(now)
        ],
    )?;
    crate::store::audit(c, now, actor, "supervise.sample_score", id)?;
    let s = mine(c, id, scorer)?;
    Ok(blind_of(c, k, &s, today, grading)?.0)
}

#[cfg(test)]
mod tests;
