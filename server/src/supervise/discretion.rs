//! The reviewer's discretion panel (裁量; issue 17, research §3.2 B.4 and
//! §2.5): for one case, the level (阶次) the decision names — the level its
//! 决定书 prints, `decision.suggested_level` as the device assessed it — and
//! its amount, against the level the server's replay suggests (`record::replay::assessment`: the rules
//! re-run under the release in force on the violation date) and against
//! the same matter's other decisions in the account's scope — per level,
//! the count and the five numbers of their fines ([`Spread`], the same
//! robust statistics the 同案不同罚 model uses), where this case falls, and
//! marks when its fine is outside its level's published range or outside
//! median ± k·IQR of its peers (k and the minimum group size are the
//! models' [`Config`]); beside them the server's stored replay result
//! (accepted, or the codes and messages of why it differs).
//!
//! Only decided cases count (a penalty or a decision not to punish), of the
//! same party kind (a level's fines differ between persons and
//! organisations), the case itself excluded. Nothing personal leaves:
//! no party, no officer, no case id of a peer.
//!
//! `GET /v1/console/records/cases/{case_id}/discretion` for the
//! 法制审核 reviewer, the 负责人 and the 司法局 supervisor whose scope covers
//! the case; audited `case.discretion`.

use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::routing::get;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use zhifa_core::case::Case;
use zhifa_core::catalogue::model::{FineRange, Package};
use zhifa_core::rules::Assessment;
use zhifa_protocol::ErrorKind;
use zhifa_protocol::wire::ErrorBody;

use super::models::Spread;
use super::{CaseFacts, Config, Outcome, SuperviseError, facts};
use crate::api::state::{St, StaffAuth, blocking};
use crate::console::StaffRole;
use crate::error::ApiError;
use crate::record::cases;
use crate::record::replay::{self, Replay};
use crate::store::sql::{Conn, Fail, p};

/// The routes of this module.
pub fn routes() -> Router<St> {
    Router::new().route(
        "/v1/console/records/cases/{case_id}/discretion",
        get(discretion_http),
    )
}

/// A fine range, fen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Range {
    /// Lowest, fen.
    pub min_fen: i64,
    /// Highest, fen.
    pub max_fen: i64,
}

impl From<FineRange> for Range {
    fn from(r: FineRange) -> Self {
        Self {
            min_fen: r.min_fen,
            max_fen: r.max_fen,
        }
    }
}

/// One level of the matter with its peers' fines.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LevelPeers {
    /// Level code (`L1` …); `—` for decisions that named none.
    pub level: String,
    /// Its name (轻微, 一般 …), from the release in force.
    pub name: Option<String>,
    /// Its published fine for the party's kind.
    pub fine: Option<Range>,
    /// Peer decisions with a fine at this level.
    pub count: usize,
    /// Lowest fine, fen.
    pub min_fen: Option<i64>,
    /// First quartile, fen (rounded).
    pub q1_fen: Option<i64>,
    /// Median, fen (rounded).
    pub median_fen: Option<i64>,
    /// Third quartile, fen (rounded).
    pub q3_fen: Option<i64>,
    /// Highest fine, fen.
    pub max_fen: Option<i64>,
    /// Whether this is the level the case's decision names.
    pub chosen: bool,
    /// Whether this is the level the server suggests.
    pub suggested: bool,
}

/// Where the case falls among its level's peers.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Position {
    /// Peers with a lower fine.
    pub below: usize,
    /// Peers with the same fine.
    pub equal: usize,
    /// Peers with a higher fine.
    pub above: usize,
    /// Percentile rank (0–100): below plus half the equal, of all.
    pub percentile: f64,
}

/// The discretion panel of one case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Discretion {
    /// The case.
    pub case_id: String,
    /// Its matter.
    pub matter_code: String,
    /// The matter's name, from the release in force.
    pub matter_name: Option<String>,
    /// `individual` or `organization`: the peers are of the same kind.
    pub party_kind: Option<String>,
    /// How the case ended: `penalty`, `no_penalty`, `open`, `void`.
    pub outcome: String,
    /// The level the decision names (printed on its 决定书 as 裁量阶次).
    pub chosen_level: Option<String>,
    /// The levels whose published fine holds the amount.
    pub amount_levels: Vec<String>,
    /// The clause band (罚则档次) the penalty used, if named.
    pub clause_band: Option<String>,
    /// The fine, fen.
    pub amount_fen: Option<i64>,
    /// The level the server's replay suggests.
    pub suggested_level: Option<String>,
    /// Whether a reason for leaving the suggested level was written.
    pub deviation_reason: bool,
    /// The release the server judged by.
    pub release_id: Option<String>,
    /// The server's replay of the decision as stored when it was pushed
    /// (`record::replay`): whether its rules accept it, and if not, the
    /// codes and their messages (the reason it differs); none before a
    /// decision reached the server.
    pub replay: Option<Replay>,
    /// The chosen level's published fine for the party.
    pub level_fine: Option<Range>,
    /// The fine lies outside its level's published range.
    pub outside_level: bool,
    /// The fine lies outside median ± k·IQR of its level's peers (judged
    /// only with at least `min_group` peers).
    pub far_from_peers: bool,
    /// Where it falls among its level's peers (none without a fine or peers).
    pub position: Option<Position>,
    /// Decided peers counted (the case excluded).
    pub peer_count: usize,
    /// Of them, decisions not to punish.
    pub no_penalty_count: usize,
    /// Per level, lightest first, then levels only peers used.
    pub levels: Vec<LevelPeers>,
    /// The k of median ± k·IQR.
    pub k: f64,
    /// The fewest peers before the spread is judged.
    pub min_group: usize,
}

fn round(x: f64) -> i64 {
    x.round() as i64
}

/// A level: its code, name and published fine for the party.
type Level = (String, Option<String>, Option<Range>);

/// The sorted fines of the penalty decisions among `peers` that name `level`.
fn fines_at(peers: &[&CaseFacts], level: &str) -> Vec<i64> {
    let mut xs: Vec<i64> = peers
        .iter()
        .filter(|f| f.outcome == Outcome::Penalty)
        .filter(|f| f.suggested_level.as_deref().unwrap_or("—") == level)
        .filter_map(|f| f.amount_fen)
        .collect();
    xs.sort_unstable();
    xs
}

/// Every level with its peers' five numbers: the published levels first,
/// then any other a peer named.
fn levels_of(
    published: Vec<Level>,
    peers: &[&CaseFacts],
    chosen: Option<&str>,
    suggested: Option<&str>,
) -> (Vec<Level>, Vec<LevelPeers>) {
    let mut codes = published;
    for f in peers {
        let l = f.suggested_level.clone().unwrap_or_else(|| "—".to_owned());
        if f.amount_fen.is_some() && !codes.iter().any(|(c, _, _)| *c == l) {
            codes.push((l, None, None));
        }
    }
    let levels = codes
        .iter()
        .map(|(code, name, fine)| {
            let s = Spread::of(&fines_at(peers, code));
            LevelPeers {
                level: code.clone(),
                name: name.clone(),
                fine: *fine,
                count: s.map_or(0, |s| s.n),
                min_fen: s.map(|s| s.min),
                q1_fen: s.map(|s| round(s.q1)),
                median_fen: s.map(|s| round(s.median)),
                q3_fen: s.map(|s| round(s.q3)),
                max_fen: s.map(|s| s.max),
                chosen: chosen == Some(code.as_str()),
                suggested: suggested == Some(code.as_str()),
            }
        })
        .collect();
    (codes, levels)
}

/// Where `amount` falls among the sorted fines `same`.
fn position_of(amount: Option<i64>, same: &[i64]) -> Option<Position> {
    amount.filter(|_| !same.is_empty()).map(|a| {
        let below = same.iter().filter(|x| **x < a).count();
        let equal = same.iter().filter(|x| **x == a).count();
        Position {
            below,
            equal,
            above: same.len() - below - equal,
            percentile: (below as f64 + equal as f64 / 2.0) * 100.0 / same.len() as f64,
        }
    })
}

/// How the case ended, as the facts say (or the record, before them).
fn outcome_of(case: &Case, own: Option<&CaseFacts>) -> Outcome {
    match own {
        Some(f) => f.outcome,
        None if case.voided.is_some() => Outcome::Void,
        None if case.decision.is_some() => Outcome::Penalty,
        None if case.no_penalty.is_some() => Outcome::NoPenalty,
        None => Outcome::Open,
    }
}

/// The release, the matter's name, the suggested level and the levels of
/// the server's assessment.
fn assessed_levels(
    assessed: Option<&(Arc<Package>, Assessment)>,
    matter: &str,
) -> (Option<String>, Option<String>, Option<String>, Vec<Level>) {
    let Some((pkg, a)) = assessed else {
        return (None, None, None, Vec::new());
    };
    (
        Some(pkg.release.id.clone()),
        pkg.matters
            .iter()
            .find(|m| m.code == matter)
            .map(|m| m.name.clone()),
        a.suggested_level.clone(),
        a.levels
            .iter()
            .map(|l| {
                (
                    l.code.clone(),
                    Some(l.name.clone()),
                    l.fine.map(Range::from),
                )
            })
            .collect(),
    )
}

/// The panel for `case_id` inside `scope`. Reads the record (to run the
/// rules again) and the supervision facts (refreshed before by the caller).
pub fn discretion(
    c: &mut dyn Conn,
    k: &crate::record::Keeper,
    scope: &str,
    case_id: &str,
    cfg: &Config,
) -> Result<Discretion, Fail> {
    let missing = || {
        Fail::Api(ApiError::new(
            ErrorKind::NotFound,
            format!("服务器上没有案件 {case_id} 的完整记录，或不在本账号辖区"),
        ))
    };
    let township: String = c
        .query_opt(
            "SELECT township FROM record_case WHERE case_id = ?1",
            p![case_id],
        )?
        .ok_or_else(missing)?
        .get(0)?;
    if !township.starts_with(scope) {
        return Err(missing());
    }
    let record = |e| Fail::Api(SuperviseError::from(e).into());
    let stored = cases::load(c, k, case_id)
        .map_err(record)?
        .ok_or_else(missing)?;
    let case = &stored.case;
    let assessed = replay::assessment(c, k, case).map_err(record)?;
    let stored_replay = replay::stored(c, case_id).map_err(record)?;
    let decided =
        facts::load_decided(c, scope, &case.matter_code).map_err(|e| Fail::Api(e.into()))?;
    let decision = case.decision.as_ref();
    let party_kind = case.party.as_ref().and_then(|p| facts::text_of(&p.kind));
    let peers: Vec<&CaseFacts> = decided
        .iter()
        .filter(|f| f.case_id != case_id && f.party_kind == party_kind)
        .collect();
    let chosen = decision.and_then(|d| d.suggested_level.clone());
    let amount = decision.and_then(|d| d.penalty.amount_fen);
    let (release_id, matter_name, suggested, published) =
        assessed_levels(assessed.as_ref(), &case.matter_code);
    let (codes, levels) = levels_of(published, &peers, chosen.as_deref(), suggested.as_deref());
    let level_fine = chosen
        .as_deref()
        .and_then(|l| codes.iter().find(|(c, _, _)| c == l))
        .and_then(|(_, _, f)| *f);
    let same = chosen
        .as_deref()
        .map(|l| fines_at(&peers, l))
        .unwrap_or_default();
    let far_from_peers = match (amount, Spread::of(&same)) {
        (Some(a), Some(s)) => s.n >= cfg.min_group && s.outlier(a, cfg.dispersion_k),
        _ => false,
    };
    Ok(Discretion {
        case_id: case_id.to_owned(),
        matter_code: case.matter_code.clone(),
        matter_name,
        party_kind,
        outcome: outcome_of(case, decided.iter().find(|f| f.case_id == case_id))
            .as_str()
            .to_owned(),
        amount_levels: amount.map_or_else(Vec::new, |a| {
            codes
                .iter()
                .filter(|(_, _, f)| f.is_some_and(|r| r.min_fen <= a && a <= r.max_fen))
                .map(|(c, _, _)| c.clone())
                .collect()
        }),
        chosen_level: chosen,
        amount_fen: amount,
        suggested_level: suggested,
        clause_band: decision.and_then(|d| d.penalty.band.clone()),
        deviation_reason: decision
            .and_then(|d| d.deviation_reason.as_deref())
            .is_some_and(|r| !r.trim().is_empty()),
        release_id,
        replay: stored_replay,
        level_fine,
        outside_level: matches!((amount, level_fine), (Some(a), Some(r)) if a < r.min_fen || a > r.max_fen),
        far_from_peers,
        position: position_of(amount, &same),
        peer_count: peers.len(),
        no_penalty_count: peers
            .iter()
            .filter(|f| f.outcome == Outcome::NoPenalty)
            .count(),
        levels,
        k: cfg.dispersion_k,
        min_group: cfg.min_group,
    })
}

/// `GET /v1/console/records/cases/{case_id}/discretion`: the case's
/// level and fine against the suggested level and its peers in the
/// account's scope; audited `case.discretion`.
#[utoipa::path(get, tag = "records", path = "/v1/console/records/cases/{case_id}/discretion",
    params(("case_id" = String, Path, description = "the case")),
    responses((status = 200, body = Discretion), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub(crate) async fn discretion_http(
    State(s): State<St>,
    StaffAuth(who): StaffAuth,
    Path(case_id): Path<String>,
) -> Result<Json<Discretion>, ApiError> {
    if !matches!(
        who.role,
        StaffRole::LegalReview | StaffRole::Approver | StaffRole::Supervisor
    ) {
        return Err(ApiError::new(
            ErrorKind::Forbidden,
            "只有法制审核、负责人和执法监督账号可以查看裁量对比",
        ));
    }
    let (store, now) = (s.store.clone(), s.clock.now());
    let d = blocking(move || {
        facts::refresh(&store)?;
        let k = store.keeper();
        store.write(|c| {
            let d = discretion(c, k, &who.scope, &case_id, &Config::default())?;
            crate::store::audit(c, now, &who.actor(), "case.discretion", &case_id)?;
            Ok(d)
        })
    })
    .await?;
    Ok(Json(d))
}
