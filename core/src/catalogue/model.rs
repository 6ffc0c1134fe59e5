//! The catalogue package model: one release of the matter catalogue as the
//! centre publishes it.
//!
//! These types are the single source of truth for the package format. The
//! JSON Schema at `schema/catalogue/package.schema.json` is generated from
//! them (see [`package_schema`]) and a test fails when the checked-in copy is
//! stale. Money is always integer fen (分); dates are calendar dates in
//! Beijing time (`YYYY-MM-DD`), never timestamps.

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use super::clause::{
    Band, Clause, ClauseParty, FineAmount, ImposedKind, Multiple, MultipleBase, Precondition,
    SanctionKind,
};

/// The format tag of the current version, carried in the `format` field:
/// version 2 models each matter's penalty clause as bands ([`Clause`]).
pub const PACKAGE_FORMAT: &str = "zhifa-catalogue/2";

/// The format tag of version 1 (one `statutory` range and a
/// `correction_first` flag per matter); still imported, converted by
/// [`Clause::from_legacy`].
pub const PACKAGE_FORMAT_V1: &str = "zhifa-catalogue/1";

/// One release of the catalogue: provisions, matters with their discretion
/// tables, township adoptions and the working-day calendar.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "Zhifa catalogue package")]
pub struct Package {
    /// `zhifa-catalogue/2` for this version of the format (`zhifa-catalogue/1`
    /// is still read and converted).
    #[schemars(regex(pattern = r"^zhifa-catalogue/[12]$"))]
    pub format: String,
    /// Identity and validity of the release.
    pub release: Release,
    /// Legal provisions referenced by the matters (违则 and 罚则).
    pub provisions: Vec<Provision>,
    /// The enforcement matters (执法事项).
    pub matters: Vec<Matter>,
    /// Townships and streets with the optional and entrusted matters each adopted.
    #[serde(default)]
    pub townships: Vec<Township>,
    /// The workday/holiday calendar for 行政处罚法 Art. 85 working-day arithmetic.
    pub calendar: Calendar,
    /// Departments whose inspection items the release carries (综合查一次).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub departments: Vec<Department>,
    /// Inspection items (行政检查事项), each owned by one department.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inspection_items: Vec<InspectionItem>,
    /// Joint-inspection scenarios (“综合查一次”应用场景) grouping items of
    /// several departments, so that a business is visited once for many checks.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scenarios: Vec<Scenario>,
}

/// Identity and validity of a release.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Release {
    /// Release identifier, unique across all releases, e.g. `CQ-2025-07`.
    #[schemars(regex(pattern = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"))]
    pub id: String,
    /// Administrative region code (GB/T 2260) the release applies to, e.g. `500000`.
    #[schemars(regex(pattern = r"^[0-9]{6}$"))]
    pub region: String,
    /// Human name of the region, e.g. `重庆市`.
    #[schemars(length(min = 1))]
    pub region_name: String,
    /// Title of the release.
    #[schemars(length(min = 1))]
    pub title: String,
    /// Date the centre issued the release.
    pub issued_on: NaiveDate,
    /// First violation date the release governs; it stays in force until a
    /// later release for the same region takes effect.
    pub effective_from: NaiveDate,
    /// True for sample or synthetic data that is not an official list.
    #[serde(default)]
    pub sample: bool,
    /// Free-text notice shown with the release (source documents, caveats).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice: Option<String>,
}

/// A legal provision: one article, clause or item of a law or regulation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Provision {
    /// Identifier matters use to reference this provision, unique in the release.
    #[schemars(regex(pattern = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"))]
    pub id: String,
    /// Full name of the law or regulation, e.g. `重庆市市容环境卫生管理条例`.
    #[schemars(length(min = 1))]
    pub law: String,
    /// Article number (条).
    #[schemars(range(min = 1))]
    pub article: u32,
    /// Clause number (款), if the provision is narrower than the article.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub clause: Option<u32>,
    /// Item number (项), if the provision is narrower than the clause.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub item: Option<u32>,
    /// The provision's text.
    #[schemars(length(min = 1))]
    pub text: String,
    /// The date this version of the provision took effect.
    pub effective_from: NaiveDate,
    /// The last date this version was in force, if it has been replaced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective_to: Option<NaiveDate>,
    /// Where the text comes from: the official text's URL or the gazette
    /// (公报) issue. Required in format 2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// True once the text was checked against the official source; an
    /// unverified provision is shown as 未核对.
    #[serde(default)]
    pub verified: bool,
}

impl Provision {
    /// The citation in the customary form, e.g. `《重庆市市容环境卫生管理条例》第十八条第一款第（一）项`
    /// rendered with Arabic numerals: `《…》第18条第1款第1项`.
    pub fn citation(&self) -> String {
        Self::cite(&self.law, self.article, self.clause, self.item)
    }

    /// The citation of a provision given by its parts (see [`Self::citation`]).
    pub fn cite(law: &str, article: u32, clause: Option<u32>, item: Option<u32>) -> String {
        let mut s = format!("《{law}》第{article}条");
        if let Some(c) = clause {
            s.push_str(&format!("第{c}款"));
        }
        if let Some(i) = item {
            s.push_str(&format!("第{i}项"));
        }
        s
    }
}

/// The legal basis of a matter's power (事项类别).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum MatterKind {
    /// 法定: the township holds the power by statute.
    Statutory,
    /// 赋权通用: empowered to every township by the city's list.
    EmpoweredCommon,
    /// 赋权自选: empowered only where the township adopted it.
    EmpoweredOptional,
    /// 委托: entrusted by another authority (e.g. traffic police), exercised
    /// in that authority's name.
    Entrusted,
}

impl MatterKind {
    /// The stable snake_case name used in JSON and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Statutory => "statutory",
            Self::EmpoweredCommon => "empowered_common",
            Self::EmpoweredOptional => "empowered_optional",
            Self::Entrusted => "entrusted",
        }
    }

    /// Parses the stable name back.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "statutory" => Self::Statutory,
            "empowered_common" => Self::EmpoweredCommon,
            "empowered_optional" => Self::EmpoweredOptional,
            "entrusted" => Self::Entrusted,
            _ => return None,
        })
    }

    /// The Chinese label shown to officers.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Statutory => "法定",
            Self::EmpoweredCommon => "赋权通用",
            Self::EmpoweredOptional => "赋权自选",
            Self::Entrusted => "委托",
        }
    }

    /// Whether a township must adopt the matter before it may enforce it.
    pub fn needs_adoption(self) -> bool {
        matches!(self, Self::EmpoweredOptional | Self::Entrusted)
    }
}

/// The most everyday names (aliases) one matter may carry.
pub const MAX_ALIASES: usize = 32;
/// The longest everyday name, in characters.
pub const MAX_ALIAS_CHARS: usize = 16;

/// An enforcement matter (执法事项) with its provisions and discretion table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Matter {
    /// Matter code, unique in the release.
    #[schemars(regex(pattern = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"))]
    pub code: String,
    /// Name of the violation, e.g. `占道经营`.
    #[schemars(length(min = 1))]
    pub name: String,
    /// Legal basis of the power.
    pub kind: MatterKind,
    /// For entrusted matters: the entrusting authority, in whose name
    /// documents are issued (道路交通安全法实施条例 and the 委托书).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entrusting_authority: Option<String>,
    /// Everyday names of the violation (俗称): the officers' and the
    /// public's words for it (`牛皮癣`, `小广告` for 乱张贴), found by the
    /// search as the name is. Maintained by the city beside the matter and
    /// shipped in releases; optional, at most [`MAX_ALIASES`] of up to
    /// [`MAX_ALIAS_CHARS`] characters each.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = 32))]
    pub aliases: Vec<String>,
    /// Quick phrases for the 违法事实 (事实常用语): the sentences officers
    /// write for this violation, offered as one-tap inserts beside the
    /// keyboard's dictation. Maintained with the catalogue; a blank
    /// (`__`) marks what the officer fills in (an area, a count).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = 16))]
    pub fact_phrases: Vec<String>,
    /// Enforcement domain, e.g. `城市管理`, `应急消防`, `水利`, `生态环境`.
    #[schemars(length(min = 1))]
    pub domain: String,
    /// The department that owns the matter (业务主管部门).
    #[schemars(length(min = 1))]
    pub department: String,
    /// Provisions violated (违则), by provision id.
    #[schemars(length(min = 1))]
    pub violated: Vec<String>,
    /// Provisions that set the penalty (罚则), by provision id.
    #[schemars(length(min = 1))]
    pub penalty: Vec<String>,
    /// Format 1 only: the statutory range of the 罚则 per party kind.
    /// Format 2 states it in `clause`; see [`Clause::from_legacy`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statutory: Option<StatutoryRange>,
    /// Format 1 only: an order to correct (责令改正) must precede a fine.
    /// Format 2 states it as a `not_corrected_by_deadline` precondition.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub correction_first: bool,
    /// The penalty clause (罚则) as bands; required in format 2 for a
    /// matter that imposes a penalty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clause: Option<Clause>,
    /// Where the cited regulation limits its territorial or subject scope
    /// (e.g. 市容条例 Art. 2/82: built-up areas), in words shown to the officer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope_note: Option<String>,
    /// On the first-violation no-penalty list (首违不罚), with its conditions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_violation: Option<ExemptionRule>,
    /// On the minor-violation no-penalty list (轻微免罚), with its conditions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minor_violation: Option<ExemptionRule>,
    /// True when the levels' fine ranges are meant to tile the statutory
    /// range without gaps or overlaps; the importer then checks that they do.
    #[serde(default)]
    pub levels_contiguous: bool,
    /// The discretion levels (裁量阶次), lightest first.
    pub levels: Vec<DiscretionLevel>,
}

/// The statutory fine range of a matter per party kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StatutoryRange {
    /// Range for natural persons, if the 罚则 sets one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub individual: Option<FineRange>,
    /// Range for legal persons and other organisations, if the 罚则 sets one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization: Option<FineRange>,
}

/// A closed range of fines in fen: `min_fen ≤ amount ≤ max_fen`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FineRange {
    /// Lowest fine in fen (分), inclusive.
    #[schemars(range(min = 0))]
    pub min_fen: i64,
    /// Highest fine in fen (分), inclusive.
    #[schemars(range(min = 0))]
    pub max_fen: i64,
}

impl FineRange {
    /// Whether `fen` lies in the range, both ends included (法律 "以上/以下" include the amount).
    pub fn contains(&self, fen: i64) -> bool {
        self.min_fen <= fen && fen <= self.max_fen
    }
}

/// A no-penalty list entry (首违不罚 or 轻微免罚) and its conditions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExemptionRule {
    /// The conditions in words, as published.
    #[schemars(length(min = 1))]
    pub conditions: String,
    /// The same conditions as circumstance codes the rules engine checks; all must hold.
    pub circumstances: Vec<String>,
}

/// One discretion level (裁量阶次) of a matter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DiscretionLevel {
    /// Level code, unique within the matter, e.g. `L1`.
    #[schemars(regex(pattern = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$"))]
    pub code: String,
    /// Level name, e.g. `轻微`, `一般`, `严重`.
    #[schemars(length(min = 1))]
    pub name: String,
    /// The conditions (适用情形) in words, as published.
    #[schemars(length(min = 1))]
    pub conditions: String,
    /// The conditions as circumstance codes; the level applies when all hold.
    #[serde(default)]
    pub circumstances: Vec<String>,
    /// The clause band (by id) this level lies in; the level applies only
    /// when the band's preconditions are attested.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub band: Option<String>,
    /// The penalty for a natural person.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub individual: Option<LevelPenalty>,
    /// The penalty for a legal person or other organisation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization: Option<LevelPenalty>,
}

/// The penalty a level sets for one party kind (处罚标准).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LevelPenalty {
    /// A warning (警告) is among the penalties.
    #[serde(default)]
    pub warning: bool,
    /// The fine range in fen, if a fine is among the penalties.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fine: Option<FineRange>,
    /// Other penalties in words (e.g. `没收违法所得`, `暂扣占道经营物品`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub other: Vec<String>,
}

/// A township or street (乡镇/街道) and the matters it adopted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Township {
    /// Township code (GB/T 2260 + 3 digits), unique in the release.
    #[schemars(regex(pattern = r"^[0-9]{9}$"))]
    pub code: String,
    /// Name, e.g. `龙兴镇`.
    #[schemars(length(min = 1))]
    pub name: String,
    /// The district or county (区县) it belongs to; its government is the
    /// reconsideration body for the township's decisions (行政复议法 2023 Art. 24).
    #[schemars(length(min = 1))]
    pub district: String,
    /// The short name used in document numbers (镇街代字), e.g. `龙兴`.
    #[schemars(length(min = 1))]
    pub short_name: String,
    /// Optional and entrusted matters the township adopted.
    #[serde(default)]
    pub adopted: Vec<Adoption>,
    /// What the device does when every leased number of the on-the-spot
    /// decision series is used up offline (default `lease_only`: refuse).
    #[serde(default, skip_serializing_if = "NumberPolicy::is_default")]
    pub number_policy: NumberPolicy,
}

/// A township's numbering policy for on-the-spot decisions (当场行政处罚决定书).
///
/// 行政处罚法 Art. 52 requires a pre-formatted, numbered decision handed
/// over on the spot (“预定格式、编有号码”). With leased ranges (号段) the
/// printed number is final. A *provisional* number (`T{township}-D{device}-{seq}`)
/// is still a unique number printed on the form, but the final number of
/// the township's series is assigned by the server at sync. Whether that
/// satisfies Art. 52 for a township is a legal decision not yet taken
/// (sync.md §9 open question 1), so it is published per township by the
/// centre in the catalogue, and the default refuses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum NumberPolicy {
    /// Only leased numbers; with none left the device refuses to issue
    /// (`NUMBERS_EXHAUSTED`) until the next sync.
    #[default]
    LeaseOnly,
    /// With no leased number left, print a provisional number; the server
    /// assigns the final one at sync.
    Provisional,
}

impl NumberPolicy {
    /// The stored and published name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::LeaseOnly => "lease_only",
            Self::Provisional => "provisional",
        }
    }

    /// Parses a stored name; anything unknown is the conservative default.
    pub fn parse(s: &str) -> Self {
        match s {
            "provisional" => Self::Provisional,
            _ => Self::LeaseOnly,
        }
    }

    fn is_default(&self) -> bool {
        *self == Self::LeaseOnly
    }
}

/// A township's adoption of an optional or entrusted matter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Adoption {
    /// The matter code.
    pub matter: String,
    /// First date the township exercises the matter.
    pub from: NaiveDate,
    /// Last date, if the adoption ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<NaiveDate>,
}

impl Adoption {
    /// Whether the adoption covers `date`.
    pub fn covers(&self, date: NaiveDate) -> bool {
        self.from <= date && self.to.is_none_or(|to| date <= to)
    }
}

/// The official workday/holiday calendar over a span of dates.
///
/// Outside the listed exceptions, Monday–Friday are working days and
/// Saturday–Sunday are rest days. `holidays` lists statutory holidays that
/// fall on weekdays; `workdays` lists weekend days made working days (调休).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Calendar {
    /// First date the calendar is authoritative for.
    pub from: NaiveDate,
    /// Last date the calendar is authoritative for.
    pub to: NaiveDate,
    /// Rest days that would otherwise be working days (法定节假日).
    #[serde(default)]
    pub holidays: Vec<NaiveDate>,
    /// Working days that would otherwise be rest days (调休上班).
    #[serde(default)]
    pub workdays: Vec<NaiveDate>,
    /// Whether each year's schedule is the State Council's published one
    /// (`official`) or derived before its publication (`estimated`, e.g.
    /// from 全国年节及纪念日放假办法 without the yearly 调休 notice). A year
    /// of the span not listed counts as official (packages before this
    /// field). Deadlines computed on an estimated year are shown as such; a
    /// newer release with the official schedule replaces it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub years: Vec<CalendarYear>,
}

/// One calendar year's status in a [`Calendar`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CalendarYear {
    /// The year, e.g. `2027`.
    pub year: i32,
    /// Official or estimated.
    pub status: CalendarYearStatus,
    /// Where the schedule comes from (the notice, or how it was derived).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// Whether a calendar year is the published schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CalendarYearStatus {
    /// The State Council's published 放假安排.
    Official,
    /// Derived before publication; to be replaced.
    Estimated,
}

impl Calendar {
    /// Whether `year` is marked estimated.
    pub fn year_estimated(&self, year: i32) -> bool {
        self.years
            .iter()
            .any(|y| y.year == year && y.status == CalendarYearStatus::Estimated)
    }

    /// Whether any day from `from` to `to` (inclusive) falls in an
    /// estimated year: a day count over that span rests on an estimate.
    pub fn estimated_between(&self, from: NaiveDate, to: NaiveDate) -> bool {
        let (a, b) = (from.min(to), from.max(to));
        (chrono::Datelike::year(&a)..=chrono::Datelike::year(&b)).any(|y| self.year_estimated(y))
    }
}

/// A department (执法部门) that owns inspection items and receives the
/// findings, orders and referrals (案件移送) of its items at sync.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Department {
    /// Department code, unique in the release, e.g. `CQ-SCJG`.
    #[schemars(regex(pattern = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"))]
    pub code: String,
    /// Name, e.g. `区市场监督管理局`.
    #[schemars(length(min = 1))]
    pub name: String,
}

/// One inspection item (行政检查事项): what an officer checks on site, why,
/// and what a failed check means.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InspectionItem {
    /// Item code, unique in the release, e.g. `JC-XF-01`.
    #[schemars(regex(pattern = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"))]
    pub code: String,
    /// The owning department's code (see `departments`).
    pub department: String,
    /// What to check (检查内容), as the officer reads it on the checklist.
    #[schemars(length(min = 1))]
    pub subject: String,
    /// How to check (检查方式), e.g. `现场查看`, `查验证照`.
    #[schemars(length(min = 1))]
    pub method: String,
    /// The legal basis of the duty checked (检查依据), by provision id.
    #[schemars(length(min = 1))]
    pub basis: Vec<String>,
    /// The violation a failed check means, in words (used in referrals).
    #[schemars(length(min = 1))]
    pub violation: String,
    /// The catalogue matter a failure maps to, when the release has it; a
    /// township that may enforce it can order correction or open a
    /// simple-procedure case, otherwise the finding is referred (案件移送).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matter: Option<String>,
    /// The period to correct, in calendar days after the inspection date
    /// (责令限期改正); the deadline is computed, never typed.
    #[schemars(range(min = 1, max = 90))]
    pub correction_days: u32,
}

/// A joint-inspection scenario (“综合查一次”应用场景), e.g. `小型商超`,
/// grouping inspection items of several departments in checklist order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Scenario code, unique in the release, e.g. `SC-SHOP`.
    #[schemars(regex(pattern = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"))]
    pub code: String,
    /// Name, e.g. `小型商超`.
    #[schemars(length(min = 1))]
    pub name: String,
    /// Which places it applies to, in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The item codes, in checklist order; each at most once.
    #[schemars(length(min = 1))]
    pub items: Vec<String>,
}

/// The JSON Schema of [`Package`], as checked in at `schema/catalogue/package.schema.json`.
pub fn package_schema() -> serde_json::Value {
    let schema = schemars::schema_for!(Package);
    serde_json::to_value(schema).unwrap_or(serde_json::Value::Null)
}
