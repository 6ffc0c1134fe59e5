//! 案卷评查 by random sample and blind cross-review (issue 18 item 2;
//! migration 0020; 重庆市行政执法监督条例 Art. 5(五), 14: the supervision
//! body 调阅案卷): the supervisor draws a random sample of a township's
//! closed normal-procedure files (结案 in a period; [`draw`], the draw in
//! [`super::sampling`], reproducible from the seed recorded with it and
//! who drew it), assigns each drawn file to a scorer from **another**
//! township or district ([`assign`]: a 法制审核 or 司法局 supervision
//! account whose scope neither contains the file's township nor lies
//! inside it — never the file's own unit, nor the district that
//! supervises it), who scores it blind ([`super::blind`]); the results
//! roll up per township into the 通报 ([`bulletin`]).
//!
//! Nothing personal is stored or shown here: a sample is its blind number,
//! the case id and township (shown to the drawing supervisor only), the
//! scorer's account and the scores.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::SuperviseError;
use super::review::ReviewError;
use super::sampling::{self, SampleSize, SamplingConfig};
use crate::console::StaffRole;
use crate::record::ts;
use crate::store::sql::{Conn, Row, Val, p};

/// A draw asked for.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct DrawRequest {
    /// The township (nine digits) inside the supervisor's scope.
    pub township: String,
    /// Files closed (结案) from this day…
    #[schema(value_type = String, format = Date)]
    pub from: NaiveDate,
    /// …to this day.
    #[schema(value_type = String, format = Date)]
    pub to: NaiveDate,
    /// How many; the setting's default when absent.
    #[serde(default)]
    pub size: Option<SampleSize>,
    /// The seed; a random one when absent. Recorded either way.
    #[serde(default)]
    pub seed: Option<String>,
}

/// One drawn file.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SampleRow {
    /// The blind number the scorer sees.
    pub sample_id: String,
    /// 1, 2, … in draw order.
    pub seq: i64,
    /// The case (the drawing supervisor's view only).
    pub case_id: String,
    /// Its township.
    pub township: String,
    /// The scorer's account, once assigned.
    pub scorer: Option<String>,
    /// When assigned (RFC 3339).
    pub assigned_at: Option<String>,
    /// The machine's score when the scorer scored.
    pub auto_score: Option<i64>,
    /// The final score.
    pub score: Option<i64>,
    /// Whether every veto item held.
    pub veto_passed: Option<bool>,
    /// 优秀 / 良好 / 合格 / 不合格.
    pub grade: Option<String>,
    /// When scored (RFC 3339).
    pub scored_at: Option<String>,
}

/// A draw with its files.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Draw {
    /// Its id.
    pub draw_id: String,
    /// The township.
    pub township: String,
    /// The period's first day.
    #[schema(value_type = String, format = Date)]
    pub from: NaiveDate,
    /// Its last day.
    #[schema(value_type = String, format = Date)]
    pub to: NaiveDate,
    /// The seed (re-run the draw with it: [`super::sampling::draw`]).
    pub seed: String,
    /// The size asked.
    pub size: SampleSize,
    /// Closed files in the period.
    pub population: i64,
    /// Who drew.
    pub drawn_by: String,
    /// When (RFC 3339).
    pub drawn_at: String,
    /// The files drawn, in draw order.
    pub samples: Vec<SampleRow>,
}

/// Why a sampling step was not taken.
#[derive(Debug, thiserror::Error)]
pub enum SampleError {
    /// The database.
    #[error(transparent)]
    Db(#[from] crate::store::sql::DbError),
    /// Supervision storage.
    #[error(transparent)]
    Supervise(SuperviseError),
    /// The file could not be scored.
    #[error(transparent)]
    Review(ReviewError),
    /// A bad request.
    #[error("{0}")]
    Invalid(String),
    /// The township is not in the account's scope.
    #[error("镇街 {0} 不在本账号的辖区内")]
    TownshipOutOfScope(String),
    /// No such sample for this account.
    #[error("没有找到该抽查案卷，或未分配给本账号")]
    NotFound,
    /// The scorer account does not exist or is revoked.
    #[error("评查人员账号 {0} 不存在或已停用")]
    ScorerUnknown(String),
    /// The scorer's role does not score files.
    #[error("评查人员须为法制审核或执法监督账号")]
    ScorerRole,
    /// The scorer belongs to the file's own unit or its district.
    #[error(
        "交叉评查不得由案卷所属镇街或其所在区县的人员评查（评查人员辖区 {scorer_scope}，案卷所属 {township}）"
    )]
    ScorerOwnUnit {
        /// The scorer's scope.
        scorer_scope: String,
        /// The file's township.
        township: String,
    },
    /// The file was already scored.
    #[error("该案卷已评查完毕，评分不再变更")]
    Scored,
    /// A judgement item is missing.
    #[error("请对评查项目“{0}”作出判断")]
    Incomplete(String),
    /// A judgement names an item the file does not have.
    #[error("评查项目 {0} 不属于该案卷的人工评查项目")]
    UnknownItem(String),
}

impl SampleError {
    /// A stable snake_case code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Db(_) => "storage",
            Self::Supervise(e) => e.code(),
            Self::Review(e) => e.code(),
            Self::Invalid(_) => "sample_invalid",
            Self::TownshipOutOfScope(_) => "sample_township_out_of_scope",
            Self::NotFound => "sample_not_found",
            Self::ScorerUnknown(_) => "sample_scorer_unknown",
            Self::ScorerRole => "sample_scorer_role",
            Self::ScorerOwnUnit { .. } => "sample_scorer_own_unit",
            Self::Scored => "sample_scored",
            Self::Incomplete(_) => "sample_scoring_incomplete",
            Self::UnknownItem(_) => "sample_scoring_unknown_item",
        }
    }
}

impl From<SuperviseError> for SampleError {
    fn from(e: SuperviseError) -> Self {
        match e {
            SuperviseError::Db(e) => Self::Db(e),
            other => Self::Supervise(other),
        }
    }
}

impl From<ReviewError> for SampleError {
    fn from(e: ReviewError) -> Self {
        match e {
            ReviewError::Db(e) => Self::Db(e),
            other => Self::Review(other),
        }
    }
}

impl From<crate::record::RecordError> for SampleError {
    fn from(e: crate::record::RecordError) -> Self {
        SuperviseError::from(e).into()
    }
}

crate::store::area_error!(SampleError);

/// Whether an account of `scope` belongs to `township`'s own unit or the
/// district over it (or is city-wide): its scope contains the township,
/// or lies inside it.
pub fn own_unit(scope: &str, township: &str) -> bool {
    township.starts_with(scope) || scope.starts_with(township)
}

const SAMPLE_COLS: &str =
    "sample_id, seq, case_id, township, scorer, assigned_at, auto_score, score,
    veto_passed, grade, scored_at";

pub(crate) fn sample_row(r: &Row) -> Result<SampleRow, SuperviseError> {
    Ok(SampleRow {
        sample_id: r.get(0)?,
        seq: r.get(1)?,
        case_id: r.get(2)?,
        township: r.get(3)?,
        scorer: r.get(4)?,
        assigned_at: r.get(5)?,
        auto_score: r.get(6)?,
        score: r.get(7)?,
        veto_passed: r.get::<Option<i64>>(8)?.map(|v| v != 0),
        grade: r.get(9)?,
        scored_at: r.get(10)?,
    })
}

fn draw_of(c: &mut dyn Conn, r: &Row) -> Result<Draw, SuperviseError> {
    let draw_id: String = r.get(0)?;
    let size: String = r.get(5)?;
    let samples = c
        .query(
            &format!("SELECT {SAMPLE_COLS} FROM review_sample WHERE draw_id = ?1 ORDER BY seq"),
            p![draw_id],
        )?
        .iter()
        .map(sample_row)
        .collect::<Result<Vec<_>, _>>()?;
    let day = |s: String| {
        s.parse::<NaiveDate>()
            .map_err(|e| SuperviseError::Corrupt(format!("draw period {s:?}: {e}")))
    };
    Ok(Draw {
        township: r.get(1)?,
        from: day(r.get(2)?)?,
        to: day(r.get(3)?)?,
        seed: r.get(4)?,
        size: serde_json::from_str(&size).map_err(|e| SuperviseError::Corrupt(e.to_string()))?,
        population: r.get(6)?,
        drawn_by: r.get(7)?,
        drawn_at: r.get(8)?,
        draw_id,
        samples,
    })
}

const DRAW_COLS: &str =
    "draw_id, township, period_from, period_to, seed, size, population, drawn_by, drawn_at";

/// A fresh random seed (16 bytes, hex).
fn random_seed() -> Result<String, SampleError> {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).map_err(|e| SampleError::Invalid(format!("随机数不可用：{e}")))?;
    Ok(hex::encode(b))
}

/// Draws a sample of `req.township`'s files closed in the period, for an
/// account of `scope`; the draw as recorded. Audited `supervise.draw`.
pub fn draw(
    c: &mut dyn Conn,
    req: &DrawRequest,
    scope: &str,
    actor: &str,
    now: DateTime<Utc>,
    cfg: &SamplingConfig,
) -> Result<Draw, SampleError> {
    let t = req.township.trim();
    if t.len() != 9 || !t.bytes().all(|b| b.is_ascii_digit()) {
        return Err(SampleError::Invalid(
            "请选择一个镇街（九位区划代码）".to_owned(),
        ));
    }
    if !t.starts_with(scope) {
        return Err(SampleError::TownshipOutOfScope(t.to_owned()));
    }
    if req.from > req.to {
        return Err(SampleError::Invalid(
            "抽查期间的起始日晚于结束日".to_owned(),
        ));
    }
    let seed = match req.seed.as_deref().map(str::trim) {
        Some(s) if !s.is_empty() => {
            if s.chars().count() > 64 || s.chars().any(char::is_control) {
                return Err(SampleError::Invalid("随机种子不超过64个字符".to_owned()));
            }
            s.to_owned()
        }
        _ => random_seed()?,
    };
    let size = req.size.unwrap_or(cfg.default_size);
    let population: Vec<String> = c
        .query(
            "SELECT case_id FROM procedure_case WHERE township = ?1 AND closed_on IS NOT NULL
                 AND closed_on >= ?2 AND closed_on <= ?3 ORDER BY case_id",
            p![t, req.from.to_string(), req.to.to_string()],
        )?
        .iter()
        .map(|r| r.get(0))
        .collect::<Result<_, _>>()?;
    let n = sampling::sample_size(size, population.len())
        .map_err(|e| SampleError::Invalid(e.to_string()))?;
    let drawn = sampling::draw(&population, &seed, n);
    let draw_id = crate::store::new_id(now);
    let at = ts(now);
    let size_json =
        serde_json::to_string(&size).map_err(|e| SuperviseError::Corrupt(e.to_string()))?;
    let pop = i64::try_from(population.len()).unwrap_or(i64::MAX);
    c.exec(
        &format!(
            "INSERT INTO review_draw ({DRAW_COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
        ),
        p![
            draw_id,
            t,
            req.from.to_string(),
            req.to.to_string(),
            seed,
            size_json,
            pop,
            actor,
            at
        ],
    )?;
    // The blind number: the draw's short id and the place in it — nothing
    // of the case or the township.
    let short: String = draw_id.chars().rev().take(8).collect::<String>();
    for (i, case_id) in drawn.iter().enumerate() {
        let seq = i64::try_from(i + 1).unwrap_or(i64::MAX);
        c.exec(
            "INSERT INTO review_sample (sample_id, draw_id, seq, case_id, township) VALUES (?1, ?2, ?3, ?4, ?5)",
            p![format!("PC-{short}-{seq:03}"), draw_id, seq, case_id, t],
        )?;
    }
    crate::store::audit(c, now, actor, "supervise.draw", &draw_id)?;
    let r = c.query_one(
        &format!("SELECT {DRAW_COLS} FROM review_draw WHERE draw_id = ?1"),
        p![draw_id],
    )?;
    Ok(draw_of(c, &r)?)
}

/// The draws of the townships under `scope`, newest first. Audited
/// `supervise.draws`.
pub fn draws(
    c: &mut dyn Conn,
    scope: &str,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<Vec<Draw>, SampleError> {
    let (cond, args) = super::scope_where(scope, None, 1);
    let vals: Vec<Val<'_>> = args.iter().map(|a| Val::Text(a)).collect();
    let rows = c.query(
        &format!(
            "SELECT {DRAW_COLS} FROM review_draw WHERE {cond} ORDER BY drawn_at DESC, draw_id"
        ),
        &vals,
    )?;
    let out = rows
        .iter()
        .map(|r| draw_of(c, r))
        .collect::<Result<Vec<_>, _>>()?;
    crate::store::audit(c, now, actor, "supervise.draws", scope)?;
    Ok(out)
}

/// Who is to score a file.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct AssignRequest {
    /// The scorer's console account id.
    pub scorer: String,
}

/// Assigns sample `id` (of a township under `scope`) to `req.scorer`, who
/// must be a 法制审核 or supervision account outside the file's own unit
/// and its district. Audited `supervise.sample_assign`.
pub fn assign(
    c: &mut dyn Conn,
    id: &str,
    req: &AssignRequest,
    scope: &str,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<SampleRow, SampleError> {
    let Some(r) = c.query_opt(
        &format!("SELECT {SAMPLE_COLS} FROM review_sample WHERE sample_id = ?1"),
        p![id],
    )?
    else {
        return Err(SampleError::NotFound);
    };
    let sample = sample_row(&r)?;
    if !sample.township.starts_with(scope) {
        return Err(SampleError::NotFound);
    }
    if sample.scored_at.is_some() {
        return Err(SampleError::Scored);
    }
    let scorer = req.scorer.trim();
    let Some(s) = c.query_opt(
        "SELECT role, scope FROM staff WHERE id = ?1 AND revoked_at IS NULL",
        p![scorer],
    )?
    else {
        return Err(SampleError::ScorerUnknown(scorer.to_owned()));
    };
    let (role, scorer_scope): (String, String) = (s.get(0)?, s.get(1)?);
    if !matches!(
        StaffRole::parse(&role),
        Some(StaffRole::LegalReview | StaffRole::Supervisor)
    ) {
        return Err(SampleError::ScorerRole);
    }
    if own_unit(&scorer_scope, &sample.township) {
        return Err(SampleError::ScorerOwnUnit {
            scorer_scope,
            township: sample.township,
        });
    }
    let at = ts(now);
    c.exec(
        "UPDATE review_sample SET scorer = ?2, assigned_by = ?3, assigned_at = ?4 WHERE sample_id = ?1",
        p![id, scorer, actor, at],
    )?;
    crate::store::audit(
        c,
        now,
        actor,
        "supervise.sample_assign",
        &format!("{id}:{scorer}"),
    )?;
    Ok(SampleRow {
        scorer: Some(scorer.to_owned()),
        assigned_at: Some(at),
        ..sample
    })
}

/// One township's results in the 通报.
#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct BulletinRow {
    /// The township.
    pub township: String,
    /// Draws in the period.
    pub draws: i64,
    /// Closed files the draws were made from.
    pub population: i64,
    /// Files drawn.
    pub sampled: i64,
    /// Files scored.
    pub scored: i64,
    /// 优秀.
    pub excellent: i64,
    /// 良好.
    pub good: i64,
    /// 合格.
    pub pass: i64,
    /// 不合格.
    pub fail: i64,
    /// The mean final score of the scored files, in tenths of a point.
    pub mean_score_tenths: Option<i64>,
}

/// The 通报 of the 案卷评查 under a scope over a period.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Bulletin {
    /// The scope.
    pub scope: String,
    /// Draws whose period overlaps from…
    #[schema(value_type = String, format = Date)]
    pub from: NaiveDate,
    /// …to.
    #[schema(value_type = String, format = Date)]
    pub to: NaiveDate,
    /// How the grades are set.
    pub grade_basis: String,
    /// Per township, in code order.
    pub townships: Vec<BulletinRow>,
    /// Every file drawn, township and draw order.
    pub samples: Vec<SampleRow>,
}

/// The 通报 of the draws under `scope` whose period overlaps
/// `from`–`to`. Audited `supervise.bulletin`.
pub fn bulletin(
    c: &mut dyn Conn,
    scope: &str,
    from: NaiveDate,
    to: NaiveDate,
    grade_basis: &str,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<Bulletin, SampleError> {
    let (cond, mut args) = super::scope_where(scope, None, 3);
    args.insert(0, to.to_string());
    args.insert(1, from.to_string());
    let vals: Vec<Val<'_>> = args.iter().map(|a| Val::Text(a)).collect();
    let draws = c.query(
        &format!(
            "SELECT draw_id, township, population FROM review_draw
             WHERE period_from <= ?1 AND period_to >= ?2 AND {cond} ORDER BY township, drawn_at"
        ),
        &vals,
    )?;
    let mut rows: Vec<BulletinRow> = Vec::new();
    let mut samples = Vec::new();
    for d in &draws {
        let (draw_id, township, population): (String, String, i64) =
            (d.get(0)?, d.get(1)?, d.get(2)?);
        if rows.last().is_none_or(|r| r.township != township) {
            rows.push(BulletinRow {
                township: township.clone(),
                ..BulletinRow::default()
            });
        }
        let drawn = c
            .query(
                &format!("SELECT {SAMPLE_COLS} FROM review_sample WHERE draw_id = ?1 ORDER BY seq"),
                p![draw_id],
            )?
            .iter()
            .map(sample_row)
            .collect::<Result<Vec<_>, _>>()?;
        if let Some(row) = rows.last_mut() {
            row.draws += 1;
            row.population += population;
            for s in &drawn {
                row.sampled += 1;
                if s.scored_at.is_none() {
                    continue;
                }
                row.scored += 1;
                match s.grade.as_deref() {
                    Some("优秀") => row.excellent += 1,
                    Some("良好") => row.good += 1,
                    Some("合格") => row.pass += 1,
                    _ => row.fail += 1,
                }
            }
        }
        samples.extend(drawn);
    }
    for row in &mut rows {
        let scores: Vec<i64> = samples
            .iter()
            .filter(|s| s.township == row.township && s.scored_at.is_some())
            .filter_map(|s| s.score)
            .collect();
        if !scores.is_empty() {
            let n = i64::try_from(scores.len()).unwrap_or(i64::MAX);
            let sum: i64 = scores.iter().sum();
            // Rounded half up to a tenth.
            row.mean_score_tenths = Some((sum * 20 + n) / (2 * n));
        }
    }
    crate::store::audit(
        c,
        now,
        actor,
        "supervise.bulletin",
        &format!("scope={scope}&from={from}&to={to}"),
    )?;
    Ok(Bulletin {
        scope: scope.to_owned(),
        from,
        to,
        grade_basis: grade_basis.to_owned(),
        townships: rows,
        samples,
    })
}

#[cfg(test)]
mod tests {
    use super::own_unit;

    #[test]
    fn the_own_unit_is_the_township_its_district_and_the_city() {
        assert!(own_unit("500112108", "500112108"));
        assert!(own_unit("500112", "500112108"));
        assert!(own_unit("", "500112108"));
        assert!(!own_unit("500112999", "500112108"));
        assert!(!own_unit("500110", "500112108"));
        assert!(!own_unit("500110106", "500112108"));
    }
}
