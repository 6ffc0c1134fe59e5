//! The adoption screens' endpoints, for `administrator` accounts whose
//! scope (city, district or township prefix) covers the township:
//!
//! - `GET /v1/console/admin/adoption`: the townships of the scope in the
//!   latest release, with how many optional matters each adopted;
//! - `GET /v1/console/admin/adoption/{township}`: every matter with its
//!   kind, basis and whether it is fixed, published or ticked in the draft,
//!   the draft's difference from the published adoption and the past
//!   publications;
//! - `POST …/{township}/draft`: saves the ticked optional matters (audited
//!   `adoption.draft`);
//! - `POST …/{township}/publish`: publishes the draft as a new catalogue
//!   release (audited `adoption.publish` with what changed).

use std::collections::BTreeSet;

use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use zhifa_core::catalogue::model::{MatterKind, Package, Provision, Township};
use zhifa_protocol::ErrorKind;
use zhifa_protocol::wire::{CatalogueRelease, ErrorBody};

use super::{AdoptionError, Changes, apply, check_optional, published, release_id};
use crate::api::state::{St, StaffAuth, blocking};
use crate::console::{Staff, StaffRole};
use crate::error::ApiError;
use crate::store::sql::{Conn, Fail, p};

/// The routes of this module.
pub fn routes() -> Router<St> {
    Router::new()
        .route("/v1/console/admin/adoption", get(townships_http))
        .route("/v1/console/admin/adoption/{township}", get(show_http))
        .route(
            "/v1/console/admin/adoption/{township}/draft",
            post(draft_http),
        )
        .route(
            "/v1/console/admin/adoption/{township}/publish",
            post(publish_http),
        )
}

/// A township of the scope with its adoption counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TownshipAdoption {
    /// Township code.
    pub code: String,
    /// Name.
    pub name: String,
    /// District or county.
    pub district: String,
    /// Optional matters adopted (published, as of today).
    pub adopted: usize,
    /// Optional matters in the catalogue.
    pub optional: usize,
    /// Whether an unpublished draft exists.
    pub draft: bool,
}

/// One matter as the adoption screen shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MatterChoice {
    /// Matter code.
    pub code: String,
    /// Name.
    pub name: String,
    /// `statutory`, `empowered_common`, `empowered_optional` or `entrusted`.
    pub kind: String,
    /// The kind in Chinese (法定, 赋权通用, 赋权自选, 委托).
    pub kind_label: String,
    /// Domain (城市管理 …).
    pub domain: String,
    /// 违则 then 罚则, as citations.
    pub basis: Vec<String>,
    /// Not the township's choice (all but optional matters).
    pub fixed: bool,
    /// In force for the township as published (as of today).
    pub published: bool,
    /// Ticked in the draft (the published state when there is no draft).
    pub ticked: bool,
    /// The published adoption periods, in words (optional and entrusted).
    pub periods: Option<String>,
}

/// The draft, if one is saved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DraftInfo {
    /// Who saved it last.
    pub updated_by: String,
    /// When (RFC 3339).
    pub updated_at: String,
    /// The release it was made against.
    pub base_release: String,
}

/// One past publication.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PublicationRow {
    /// The release it made.
    pub release_id: String,
    /// The first day of the new adoption.
    pub effective_from: String,
    /// Who published.
    pub published_by: String,
    /// When (RFC 3339).
    pub published_at: String,
    /// What changed.
    pub changes: Changes,
}

/// A township's adoption: the screen's whole state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AdoptionView {
    /// Township code.
    pub code: String,
    /// Name.
    pub name: String,
    /// District.
    pub district: String,
    /// The latest release (what is published; a draft is made against it).
    pub release_id: String,
    /// Its publication number.
    pub publication: i64,
    /// Today (Beijing), the day the published state is read on.
    pub today: NaiveDate,
    /// Every matter, statutory first, then common, optional, entrusted.
    pub matters: Vec<MatterChoice>,
    /// The saved draft.
    pub draft: Option<DraftInfo>,
    /// The draft against the published adoption (empty without a draft).
    pub changes: Changes,
    /// Past publications, newest first (at most 20).
    pub history: Vec<PublicationRow>,
}

/// `POST …/draft`'s body.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct DraftRequest {
    /// The release the administrator looked at.
    pub base_release: String,
    /// The optional matters ticked (the whole set).
    pub matters: Vec<String>,
}

/// `POST …/publish`'s body.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct PublishRequest {
    /// The release the administrator looked at (refused when a newer one
    /// was published meanwhile: `adoption_stale`).
    pub base_release: String,
    /// The first day of the new adoption (default today; never earlier).
    #[serde(default)]
    pub effective_from: Option<NaiveDate>,
}

/// `POST …/publish`'s answer.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Published {
    /// The new release, as devices see it at `/v1/catalogue/latest`.
    pub release: CatalogueRelease,
    /// Its first day.
    pub effective_from: NaiveDate,
    /// What changed.
    pub changes: Changes,
}

fn admin_only(who: &Staff) -> Result<(), ApiError> {
    if who.role != StaffRole::Administrator {
        return Err(ApiError::new(
            ErrorKind::Forbidden,
            "只有系统管理员账号可以调整镇街承接事项",
        ));
    }
    Ok(())
}

/// The latest release and its package.
fn latest(s: &St) -> Result<(CatalogueRelease, Package), ApiError> {
    let rel = s.store.latest_release()?.ok_or(AdoptionError::NoRelease)?;
    let path = s.catalogue_dir.join(format!("{}.json", rel.sha256));
    let bytes = std::fs::read(&path)?;
    let pkg = zhifa_core::catalogue::check_package(&bytes)
        .map_err(|e| AdoptionError::Invalid(e.to_string()))?
        .package;
    Ok((rel, pkg))
}

/// The township `code` of `pkg`, if the account's scope covers it.
fn township<'a>(pkg: &'a Package, who: &Staff, code: &str) -> Result<&'a Township, AdoptionError> {
    let t = pkg
        .townships
        .iter()
        .find(|t| t.code == code)
        .ok_or_else(|| AdoptionError::UnknownTownship(code.to_owned()))?;
    if !t.code.starts_with(&who.scope) {
        return Err(AdoptionError::OutOfScope(code.to_owned()));
    }
    Ok(t)
}

fn today(s: &St) -> (DateTime<Utc>, NaiveDate) {
    let now = s.clock.now();
    (now, crate::record::show::beijing_today(now))
}

fn draft_of(
    c: &mut dyn Conn,
    township: &str,
) -> Result<Option<(BTreeSet<String>, DraftInfo)>, Fail> {
    let Some(r) = c.query_opt(
        "SELECT matters, updated_by, updated_at, base_release FROM adoption_draft WHERE township = ?1",
        p![township],
    )?
    else {
        return Ok(None);
    };
    let matters: BTreeSet<String> = serde_json::from_str(&r.get::<String>(0)?)
        .map_err(|e| Fail::Api(ApiError::new(ErrorKind::Internal, format!("草稿损坏：{e}"))))?;
    Ok(Some((
        matters,
        DraftInfo {
            updated_by: r.get(1)?,
            updated_at: r.get(2)?,
            base_release: r.get(3)?,
        },
    )))
}

fn history(c: &mut dyn Conn, township: &str) -> Result<Vec<PublicationRow>, Fail> {
    let rows = c.query(
        "SELECT release_id, effective_from, published_by, published_at, added, removed
         FROM adoption_publication WHERE township = ?1 ORDER BY published_at DESC, release_id DESC LIMIT 20",
        p![township],
    )?;
    let list = |s: String| serde_json::from_str::<Vec<String>>(&s).unwrap_or_default();
    rows.iter()
        .map(|r| {
            Ok(PublicationRow {
                release_id: r.get(0)?,
                effective_from: r.get(1)?,
                published_by: r.get(2)?,
                published_at: r.get(3)?,
                changes: Changes {
                    added: list(r.get(4)?),
                    removed: list(r.get(5)?),
                },
            })
        })
        .collect::<Result<_, crate::store::sql::DbError>>()
        .map_err(Fail::from)
}

fn kind_rank(k: MatterKind) -> u8 {
    match k {
        MatterKind::Statutory => 0,
        MatterKind::EmpoweredCommon => 1,
        MatterKind::EmpoweredOptional => 2,
        MatterKind::Entrusted => 3,
    }
}

fn citations(pkg: &Package, ids: &[String]) -> Vec<String> {
    ids.iter()
        .filter_map(|id| pkg.provisions.iter().find(|p| &p.id == id))
        .map(Provision::citation)
        .collect()
}

/// The screen's matters for `t` on `on`, with `ticked` the draft's choice.
fn choices(
    pkg: &Package,
    t: &Township,
    on: NaiveDate,
    ticked: &BTreeSet<String>,
) -> Vec<MatterChoice> {
    let now = published(pkg, t, on);
    let mut list: Vec<MatterChoice> = pkg
        .matters
        .iter()
        .map(|m| {
            let periods: Vec<String> = t
                .adopted
                .iter()
                .filter(|a| a.matter == m.code)
                .map(|a| match a.to {
                    Some(to) => format!("{} 至 {to}", a.from),
                    None => format!("{} 起", a.from),
                })
                .collect();
            let (published, ticked) = match m.kind {
                MatterKind::EmpoweredOptional => (now.contains(&m.code), ticked.contains(&m.code)),
                MatterKind::Entrusted => {
                    let on = t
                        .adopted
                        .iter()
                        .any(|a| a.matter == m.code && a.to.is_none_or(|to| to >= on));
                    (on, on)
                }
                _ => (true, true),
            };
            let mut basis = citations(pkg, &m.violated);
            basis.extend(citations(pkg, &m.penalty));
            MatterChoice {
                code: m.code.clone(),
                name: m.name.clone(),
                kind: m.kind.as_str().to_owned(),
                kind_label: m.kind.label_zh().to_owned(),
                domain: m.domain.clone(),
                basis,
                fixed: m.kind != MatterKind::EmpoweredOptional,
                published,
                ticked,
                periods: m.kind.needs_adoption().then(|| periods.join("、")),
            }
        })
        .collect();
    list.sort_by_key(|m| {
        (
            MatterKind::parse(&m.kind).map_or(9, kind_rank),
            m.code.clone(),
        )
    });
    list
}

fn view(
    c: &mut dyn Conn,
    rel: &CatalogueRelease,
    pkg: &Package,
    t: &Township,
    on: NaiveDate,
) -> Result<AdoptionView, Fail> {
    let now = published(pkg, t, on);
    let draft = draft_of(c, &t.code)?;
    let ticked = draft
        .as_ref()
        .map_or_else(|| now.clone(), |(m, _)| m.clone());
    Ok(AdoptionView {
        code: t.code.clone(),
        name: t.name.clone(),
        district: t.district.clone(),
        release_id: rel.release_id.clone(),
        publication: rel.publication,
        today: on,
        matters: choices(pkg, t, on, &ticked),
        changes: Changes::between(&now, &ticked),
        draft: draft.map(|(_, d)| d),
        history: history(c, &t.code)?,
    })
}

/// `GET /v1/console/admin/adoption`: the townships of the scope.
#[utoipa::path(get, tag = "admin", path = "/v1/console/admin/adoption",
    responses((status = 200, body = [TownshipAdoption]), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub(crate) async fn townships_http(
    State(s): State<St>,
    StaffAuth(who): StaffAuth,
) -> Result<Json<Vec<TownshipAdoption>>, ApiError> {
    admin_only(&who)?;
    let list = blocking(move || {
        let (_, on) = today(&s);
        let (_, pkg) = latest(&s)?;
        let optional = pkg
            .matters
            .iter()
            .filter(|m| m.kind == MatterKind::EmpoweredOptional)
            .count();
        let drafts: BTreeSet<String> = s.store.read(|c| {
            Ok(c.query("SELECT township FROM adoption_draft", p![])?
                .iter()
                .map(|r| r.get::<String>(0))
                .collect::<Result<_, _>>()?)
        })?;
        Ok::<_, ApiError>(
            pkg.townships
                .iter()
                .filter(|t| t.code.starts_with(&who.scope))
                .map(|t| TownshipAdoption {
                    code: t.code.clone(),
                    name: t.name.clone(),
                    district: t.district.clone(),
                    adopted: published(&pkg, t, on).len(),
                    optional,
                    draft: drafts.contains(&t.code),
                })
                .collect(),
        )
    })
    .await?;
    Ok(Json(list))
}

/// `GET /v1/console/admin/adoption/{township}`: the township's matters,
/// draft, difference and past publications.
#[utoipa::path(get, tag = "admin", path = "/v1/console/admin/adoption/{township}",
    params(("township" = String, Path, description = "The township code")),
    responses((status = 200, body = AdoptionView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub(crate) async fn show_http(
    State(s): State<St>,
    StaffAuth(who): StaffAuth,
    Path(code): Path<String>,
) -> Result<Json<AdoptionView>, ApiError> {
    admin_only(&who)?;
    let v = blocking(move || {
        let (_, on) = today(&s);
        let (rel, pkg) = latest(&s)?;
        let t = township(&pkg, &who, &code)?;
        s.store.read(|c| view(c, &rel, &pkg, t, on))
    })
    .await?;
    Ok(Json(v))
}

/// `POST /v1/console/admin/adoption/{township}/draft`: saves the ticked
/// optional matters as the township's draft; audited `adoption.draft`.
#[utoipa::path(post, tag = "admin", path = "/v1/console/admin/adoption/{township}/draft",
    params(("township" = String, Path, description = "The township code")), request_body = DraftRequest,
    responses((status = 200, body = AdoptionView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub(crate) async fn draft_http(
    State(s): State<St>,
    StaffAuth(who): StaffAuth,
    Path(code): Path<String>,
    Json(req): Json<DraftRequest>,
) -> Result<Json<AdoptionView>, ApiError> {
    admin_only(&who)?;
    let v = blocking(move || {
        let (now, on) = today(&s);
        let (rel, pkg) = latest(&s)?;
        let t = township(&pkg, &who, &code)?;
        if req.base_release != rel.release_id {
            return Err(AdoptionError::Stale {
                base: req.base_release.clone(),
                latest: rel.release_id.clone(),
            }
            .into());
        }
        let ticked: BTreeSet<String> = req.matters.iter().cloned().collect();
        check_optional(&pkg, &ticked)?;
        let json = serde_json::to_string(&ticked).unwrap_or_else(|_| "[]".into());
        s.store.write(|c| {
            c.exec(
                "INSERT INTO adoption_draft (township, matters, base_release, updated_by, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (township) DO UPDATE SET matters = ?2, base_release = ?3, updated_by = ?4, updated_at = ?5",
                p![t.code.as_str(), json.as_str(), rel.release_id.as_str(), who.id.as_str(), crate::store::ts(now)],
            )?;
            crate::store::audit(c, now, &who.actor(), "adoption.draft", &t.code)?;
            view(c, &rel, &pkg, t, on)
        })
    })
    .await?;
    Ok(Json(v))
}

/// `POST /v1/console/admin/adoption/{township}/publish`: publishes the
/// draft as a new catalogue release the township's devices pull; audited
/// `adoption.publish` (the township, the release and the matters added
/// and removed).
#[utoipa::path(post, tag = "admin", path = "/v1/console/admin/adoption/{township}/publish",
    params(("township" = String, Path, description = "The township code")), request_body = PublishRequest,
    responses((status = 200, body = Published), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub(crate) async fn publish_http(
    State(s): State<St>,
    StaffAuth(who): StaffAuth,
    Path(code): Path<String>,
    Json(req): Json<PublishRequest>,
) -> Result<Json<Published>, ApiError> {
    admin_only(&who)?;
    let r = blocking(move || publish(&s, &who, &code, &req)).await?;
    Ok(Json(r))
}

fn publish(s: &St, who: &Staff, code: &str, req: &PublishRequest) -> Result<Published, ApiError> {
    let (now, on) = today(s);
    let (rel, pkg) = latest(s)?;
    let t = township(&pkg, who, code)?;
    let stale = |latest: &str| AdoptionError::Stale {
        base: req.base_release.clone(),
        latest: latest.to_owned(),
    };
    if req.base_release != rel.release_id {
        return Err(stale(&rel.release_id).into());
    }
    let effective = req.effective_from.unwrap_or(on);
    if effective < on {
        return Err(AdoptionError::PastDate(effective).into());
    }
    let (ticked, draft) = s
        .store
        .read(|c| draft_of(c, &t.code))?
        .ok_or(AdoptionError::NoChange)?;
    if draft.base_release != rel.release_id {
        return Err(stale(&rel.release_id).into());
    }
    check_optional(&pkg, &ticked)?;
    let changes = Changes::between(&published(&pkg, t, on), &ticked);
    if changes.is_empty() {
        return Err(AdoptionError::NoChange.into());
    }
    let id = release_id(&rel.release_id, rel.publication + 1);
    let next = apply(&pkg, &t.code, &ticked, effective, id.clone(), on)?;
    let bytes =
        serde_json::to_vec_pretty(&next).map_err(|e| AdoptionError::Invalid(e.to_string()))?;
    zhifa_core::catalogue::check_package(&bytes)
        .map_err(|e| AdoptionError::Invalid(e.to_string()))?;
    let sha = hex::encode(Sha256::digest(&bytes));
    let path = s.catalogue_dir.join(format!("{sha}.json"));
    if !path.exists() {
        crate::write_durably(&path, &bytes).map_err(|e| {
            tracing::error!(error = %e, "adoption release not written");
            ApiError::new(ErrorKind::Unavailable, "服务器文件存储错误，请稍后重试")
        })?;
    }
    let list = |v: &[String]| serde_json::to_string(v).unwrap_or_else(|_| "[]".into());
    let (added, removed) = (list(&changes.added), list(&changes.removed));
    let object = format!(
        "{}:{id}:+{};-{}",
        t.code,
        changes.added.join(","),
        changes.removed.join(",")
    );
    let size = i64::try_from(bytes.len()).unwrap_or(i64::MAX);
    s.store.write(|c| {
        // Nothing published and the draft unchanged since it was read.
        let newest: Option<String> = c
            .query_opt(
                "SELECT release_id FROM catalogue_release ORDER BY publication DESC LIMIT 1",
                p![],
            )?
            .map(|r| r.get(0))
            .transpose()?;
        if newest.as_deref() != Some(rel.release_id.as_str()) {
            return Err(Fail::Api(stale(newest.as_deref().unwrap_or("")).into()));
        }
        let same = draft_of(c, &t.code)?.is_some_and(|(m, d)| m == ticked && d == draft);
        if !same {
            return Err(Fail::Api(stale(&rel.release_id).into()));
        }
        c.exec(
            "INSERT INTO catalogue_release (release_id, sha256, size, published_at) VALUES (?1, ?2, ?3, ?4)",
            p![id.as_str(), sha.as_str(), size, crate::store::ts(now)],
        )?;
        c.exec(
            "INSERT INTO adoption_publication
               (release_id, township, base_release, effective_from, added, removed, published_by, published_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            p![
                id.as_str(),
                t.code.as_str(),
                rel.release_id.as_str(),
                effective.to_string(),
                added.as_str(),
                removed.as_str(),
                who.id.as_str(),
                crate::store::ts(now)
            ],
        )?;
        c.exec("DELETE FROM adoption_draft WHERE township = ?1", p![t.code.as_str()])?;
        crate::store::audit(c, now, &who.actor(), "adoption.publish", &object)?;
        Ok(())
    })?;
    tracing::info!(release = %id, township = %t.code, "adoption published as a catalogue release");
    let release = s.store.latest_release()?.ok_or(AdoptionError::NoRelease)?;
    Ok(Published {
        release,
        effective_from: effective,
        changes,
    })
}
