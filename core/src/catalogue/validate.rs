//! Reading and checking a catalogue package before anything is stored.
//!
//! A package passes four gates, and each gate reports *every* problem it
//! finds with its JSON path (`$.matters[3].levels[1].individual.fine`), so
//! the centre can fix a release in one round:
//!
//! 1. bytes: optional gzip, then UTF-8 JSON syntax (line and column);
//! 2. the JSON Schema generated from [`super::model`] (types, required
//!    fields, patterns, formats, unknown fields);
//! 3. typed decoding (e.g. `2025-02-30` is well-formed but not a date);
//! 4. the referential rules of [`check_rules`]: unknown provisions,
//!    duplicate codes, inverted ranges, overlapping or gapped levels,
//!    adoptions of unknown or non-adoptable matters, dates out of order.

use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::sync::OnceLock;

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::CatalogueError;
use super::model::{
    FineRange, LevelPenalty, MAX_ALIAS_CHARS, MAX_ALIASES, Matter, MatterKind, PACKAGE_FORMAT,
    PACKAGE_FORMAT_V1, Package,
};

mod clause_rules;

/// The checked-in JSON Schema, embedded at build time.
pub const PACKAGE_SCHEMA_JSON: &str = include_str!("../../../schema/catalogue/package.schema.json");

/// The largest package accepted after decompression (a 50,000-matter
/// synthetic package is about 60 MiB); guards against gzip bombs.
pub const MAX_PACKAGE_BYTES: u64 = 512 * 1024 * 1024;

/// One problem found in a package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Issue {
    /// JSON path of the offending value, e.g. `$.matters[3].penalty[0]`.
    pub path: String,
    /// Stable code of the rule, e.g. `unknown_provision`.
    pub code: &'static str,
    /// What is wrong, in words.
    pub message: String,
}

/// A package that passed every gate, with the digest of its JSON bytes.
#[derive(Debug, Clone)]
pub struct CheckedPackage {
    /// The decoded package.
    pub package: Package,
    /// SHA-256 (hex) of the decompressed JSON bytes.
    pub digest: String,
}

/// Reads, decompresses and checks a package. Nothing is stored.
///
/// The fast path decodes the typed model straight from the bytes and then
/// runs [`check_rules`], which also re-checks every constraint the schema
/// states beyond the types (identifier patterns, non-empty text, positive
/// article numbers, non-negative amounts); a test keeps the two in step.
/// Only when typed decoding fails is the package parsed as a generic JSON
/// value and run through the JSON Schema, which lists *every* structural
/// problem instead of serde's first one. (Building the generic value and
/// validating it costs about 4 s and 1.3 GB for a 50,000-matter package;
/// the typed path about 0.5 s — see docs/BENCHMARKS.md.)
pub fn check_package(bytes: &[u8]) -> Result<CheckedPackage, CatalogueError> {
    let json = decompress(bytes)?;
    // Hashing and decoding are independent passes over the same bytes.
    let (digest, decoded) = crate::par::join(
        || hex::encode(Sha256::digest(&json)),
        || serde_json::from_slice::<Package>(&json),
    );
    let mut package = match decoded {
        Ok(p) => p,
        Err(_) => return Err(structural_errors(&json)),
    };
    let issues = check_rules(&package);
    if !issues.is_empty() {
        return Err(CatalogueError::Invalid { issues });
    }
    // Format 1: each matter's range and correction_first become a clause.
    let issues = clause_rules::upgrade(&mut package);
    if !issues.is_empty() {
        return Err(CatalogueError::Invalid { issues });
    }
    Ok(CheckedPackage { package, digest })
}

/// The full error report for a package that does not decode: a syntax
/// error with line and column, or every schema violation, or (if the schema
/// passes but decoding still fails, e.g. `2025-02-30`) the decoder's error
/// with its path.
fn structural_errors(json: &[u8]) -> CatalogueError {
    let value: serde_json::Value = match serde_json::from_slice(json) {
        Ok(v) => v,
        Err(e) => {
            return CatalogueError::Syntax {
                line: e.line(),
                column: e.column(),
                message: e.to_string(),
            };
        }
    };
    let issues = schema_issues(&value);
    if !issues.is_empty() {
        return CatalogueError::Invalid { issues };
    }
    let issue = match serde_path_to_error::deserialize::<_, Package>(&value) {
        Err(e) => Issue {
            path: json_path_from_serde(&e.path().to_string()),
            code: "invalid_value",
            message: e.into_inner().to_string(),
        },
        // Decoding from bytes failed but from the value succeeded: only
        // reachable through a serde_json inconsistency; still report it.
        Ok(_) => Issue {
            path: "$".into(),
            code: "invalid_value",
            message: "无法解码目录包".into(),
        },
    };
    CatalogueError::Invalid {
        issues: vec![issue],
    }
}

/// Every JSON Schema violation of `json`, or a syntax error (for tests that
/// compare the schema with the typed checks).
pub fn schema_check(json: &[u8]) -> Result<Vec<Issue>, CatalogueError> {
    let value: serde_json::Value =
        serde_json::from_slice(json).map_err(|e| CatalogueError::Syntax {
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        })?;
    Ok(schema_issues(&value))
}

fn decompress(bytes: &[u8]) -> Result<Vec<u8>, CatalogueError> {
    if bytes.is_empty() {
        return Err(CatalogueError::Empty);
    }
    if !bytes.starts_with(&[0x1f, 0x8b]) {
        return Ok(bytes.to_vec());
    }
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .take(MAX_PACKAGE_BYTES + 1)
        .read_to_end(&mut out)
        .map_err(|e| CatalogueError::Gzip(e.to_string()))?;
    if out.len() as u64 > MAX_PACKAGE_BYTES {
        return Err(CatalogueError::TooLarge {
            limit: MAX_PACKAGE_BYTES,
        });
    }
    Ok(out)
}

fn validator() -> Result<&'static jsonschema::Validator, String> {
    static V: OnceLock<Result<jsonschema::Validator, String>> = OnceLock::new();
    V.get_or_init(|| {
        let schema: serde_json::Value =
            serde_json::from_str(PACKAGE_SCHEMA_JSON).map_err(|e| e.to_string())?;
        jsonschema::options()
            .should_validate_formats(true)
            .build(&schema)
            .map_err(|e| e.to_string())
    })
    .as_ref()
    .map_err(Clone::clone)
}

fn schema_issues(value: &serde_json::Value) -> Vec<Issue> {
    let v = match validator() {
        Ok(v) => v,
        Err(e) => {
            // Only reachable if the embedded schema is broken, which the
            // schema freshness test rules out; still, report, don't panic.
            return vec![Issue {
                path: "$".into(),
                code: "schema_unusable",
                message: e,
            }];
        }
    };
    let mut out = Vec::new();
    for e in v.iter_errors(value) {
        leaf_issues(&e, &mut out);
    }
    out
}

/// Turns a schema error into issues at the most precise path. Optional
/// fields are `anyOf: [T, null]` in the generated schema, so a bad value
/// inside an optional object first fails as "not valid under anyOf" at the
/// object; when every branch but one rejected the value's type outright,
/// the remaining branch's errors are the real ones and are reported instead.
fn leaf_issues(e: &jsonschema::ValidationError<'_>, out: &mut Vec<Issue>) {
    if let jsonschema::error::ValidationErrorKind::AnyOf { context } = e.kind() {
        let here = e.instance_path().as_str();
        let type_only = |branch: &Vec<jsonschema::ValidationError<'static>>| {
            branch.iter().all(|b| {
                matches!(
                    b.kind(),
                    jsonschema::error::ValidationErrorKind::Type { .. }
                ) && b.instance_path().as_str() == here
            })
        };
        let mut rest = context.iter().filter(|b| !type_only(b));
        if let (Some(branch), None) = (rest.next(), rest.next()) {
            for inner in branch {
                leaf_issues(inner, out);
            }
            return;
        }
    }
    out.push(Issue {
        path: json_path_from_pointer(e.instance_path().as_str()),
        code: "schema_violation",
        message: e.to_string(),
    });
}

/// `/matters/3/code` → `$.matters[3].code`.
fn json_path_from_pointer(ptr: &str) -> String {
    let mut out = String::from("$");
    for seg in ptr.split('/').skip(1) {
        let seg = seg.replace("~1", "/").replace("~0", "~");
        if !seg.is_empty() && seg.bytes().all(|b| b.is_ascii_digit()) {
            out.push_str(&format!("[{seg}]"));
        } else {
            out.push('.');
            out.push_str(&seg);
        }
    }
    out
}

/// serde_path_to_error's `matters[3].code` (or `.` for the root) → `$.matters[3].code`.
fn json_path_from_serde(p: &str) -> String {
    if p == "." || p.is_empty() {
        "$".into()
    } else {
        format!("$.{p}")
    }
}

struct Issues(Vec<Issue>);

impl Issues {
    /// Records an issue; the path is built only when there is one, so a
    /// clean 50,000-matter package allocates no path strings.
    fn push(&mut self, path: impl FnOnce() -> String, code: &'static str, message: String) {
        self.0.push(Issue {
            path: path(),
            code,
            message,
        });
    }

    /// `^[A-Za-z0-9][A-Za-z0-9._-]{0,max-1}$`, as the schema's patterns say.
    fn ident(&mut self, value: &str, max: usize, path: impl FnOnce() -> String) {
        let mut bytes = value.bytes();
        let ok = value.len() <= max
            && bytes.next().is_some_and(|b| b.is_ascii_alphanumeric())
            && bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
        if !ok {
            self.push(
                path,
                "schema_violation",
                format!("{value:?} 不是合法编码（字母数字开头，仅含字母数字 . _ -，最长 {max}）"),
            );
        }
    }

    fn digits(&mut self, value: &str, n: usize, path: impl FnOnce() -> String) {
        if value.len() != n || !value.bytes().all(|b| b.is_ascii_digit()) {
            self.push(
                path,
                "schema_violation",
                format!("{value:?} 应为 {n} 位数字"),
            );
        }
    }

    fn text(&mut self, value: &str, path: impl FnOnce() -> String) {
        if value.is_empty() {
            self.push(path, "schema_violation", "不能为空".into());
        }
    }

    fn positive(&mut self, value: Option<u32>, path: impl FnOnce() -> String) {
        if value == Some(0) {
            self.push(path, "schema_violation", "序号必须从 1 开始".into());
        }
    }
}

/// Checks the rules a schema cannot express, plus the schema's own
/// constraints beyond the types (so that a package decoded on the fast path
/// meets the whole schema). Returns every violation found.
pub fn check_rules(p: &Package) -> Vec<Issue> {
    let mut out = Issues(Vec::new());
    if p.format != PACKAGE_FORMAT && p.format != PACKAGE_FORMAT_V1 {
        out.push(
            || "$.format".into(),
            "unsupported_format",
            format!("不支持的格式 {}", p.format),
        );
    }
    let r = &p.release;
    out.ident(&r.id, 64, || "$.release.id".into());
    out.digits(&r.region, 6, || "$.release.region".into());
    out.text(&r.region_name, || "$.release.region_name".into());
    out.text(&r.title, || "$.release.title".into());

    let mut provisions = HashSet::with_capacity(p.provisions.len());
    for (i, pr) in p.provisions.iter().enumerate() {
        out.ident(&pr.id, 64, || format!("$.provisions[{i}].id"));
        out.text(&pr.law, || format!("$.provisions[{i}].law"));
        out.text(&pr.text, || format!("$.provisions[{i}].text"));
        out.positive(Some(pr.article), || format!("$.provisions[{i}].article"));
        out.positive(pr.clause, || format!("$.provisions[{i}].clause"));
        out.positive(pr.item, || format!("$.provisions[{i}].item"));
        if !provisions.insert(pr.id.as_str()) {
            out.push(
                || format!("$.provisions[{i}].id"),
                "duplicate_provision_id",
                format!("法条编号重复: {}", pr.id),
            );
        }
        if let Some(to) = pr.effective_to
            && to < pr.effective_from
        {
            out.push(
                || format!("$.provisions[{i}].effective_to"),
                "dates_out_of_order",
                format!("失效日期 {to} 早于生效日期 {}", pr.effective_from),
            );
        }
    }

    let mut matters: HashMap<&str, MatterKind> = HashMap::with_capacity(p.matters.len());
    for (i, m) in p.matters.iter().enumerate() {
        if matters.insert(m.code.as_str(), m.kind).is_some() {
            out.push(
                || format!("$.matters[{i}].code"),
                "duplicate_matter_code",
                format!("事项编码重复: {}", m.code),
            );
        }
        check_matter(m, i, &provisions, &mut out);
        clause_rules::check_clause(m, i, p.format == PACKAGE_FORMAT, &mut out);
    }

    let mut townships = HashSet::new();
    for (i, t) in p.townships.iter().enumerate() {
        out.digits(&t.code, 9, || format!("$.townships[{i}].code"));
        out.text(&t.name, || format!("$.townships[{i}].name"));
        out.text(&t.district, || format!("$.townships[{i}].district"));
        out.text(&t.short_name, || format!("$.townships[{i}].short_name"));
        if !townships.insert(t.code.as_str()) {
            out.push(
                || format!("$.townships[{i}].code"),
                "duplicate_township_code",
                format!("镇街编码重复: {}", t.code),
            );
        }
        let mut adopted = HashSet::new();
        for (j, a) in t.adopted.iter().enumerate() {
            let apath = || format!("$.townships[{i}].adopted[{j}].matter");
            match matters.get(a.matter.as_str()) {
                None => out.push(
                    apath,
                    "adopt_unknown_matter",
                    format!("{} 承接了不存在的事项 {}", t.name, a.matter),
                ),
                Some(kind) if !kind.needs_adoption() => out.push(
                    apath,
                    "adopt_not_adoptable",
                    format!(
                        "事项 {} 为{}事项，所有镇街均适用，不能单独承接",
                        a.matter,
                        kind.label_zh()
                    ),
                ),
                Some(_) => {}
            }
            if !adopted.insert(a.matter.as_str()) {
                out.push(
                    apath,
                    "duplicate_adoption",
                    format!("{} 重复承接事项 {}", t.name, a.matter),
                );
            }
            if let Some(to) = a.to
                && to < a.from
            {
                out.push(
                    || format!("$.townships[{i}].adopted[{j}].to"),
                    "dates_out_of_order",
                    format!("承接结束日期 {to} 早于开始日期 {}", a.from),
                );
            }
        }
    }

    check_inspection(p, &provisions, &matters, &mut out);
    clause_rules::check_sources(p, &mut out);

    let c = &p.calendar;
    if c.to < c.from {
        out.push(
            || "$.calendar.to".into(),
            "dates_out_of_order",
            format!("日历结束日期 {} 早于开始日期 {}", c.to, c.from),
        );
    }
    let holidays: HashSet<_> = c.holidays.iter().collect();
    for (name, list) in [("holidays", &c.holidays), ("workdays", &c.workdays)] {
        for (i, d) in list.iter().enumerate() {
            let path = || format!("$.calendar.{name}[{i}]");
            if *d < c.from || *d > c.to {
                out.push(
                    path,
                    "calendar_date_outside_range",
                    format!("日期 {d} 不在日历范围 {}..{} 内", c.from, c.to),
                );
            }
            if name == "workdays" && holidays.contains(d) {
                out.push(
                    path,
                    "calendar_date_conflict",
                    format!("日期 {d} 同时列为节假日和调休工作日"),
                );
            }
        }
    }
    let mut years = HashSet::new();
    for (i, y) in c.years.iter().enumerate() {
        let path = || format!("$.calendar.years[{i}].year");
        let span = chrono::Datelike::year(&c.from)..=chrono::Datelike::year(&c.to);
        if !span.contains(&y.year) {
            out.push(
                path,
                "calendar_date_outside_range",
                format!("年份 {} 不在日历范围 {}..{} 内", y.year, c.from, c.to),
            );
        }
        if !years.insert(y.year) {
            out.push(
                path,
                "calendar_date_conflict",
                format!("年份 {} 重复标注", y.year),
            );
        }
    }
    out.0
}

/// The joint-inspection part (综合查一次): departments, items and scenarios.
fn check_inspection(
    p: &Package,
    provisions: &HashSet<&str>,
    matters: &HashMap<&str, MatterKind>,
    out: &mut Issues,
) {
    let mut departments = HashSet::with_capacity(p.departments.len());
    for (i, d) in p.departments.iter().enumerate() {
        out.ident(&d.code, 64, || format!("$.departments[{i}].code"));
        out.text(&d.name, || format!("$.departments[{i}].name"));
        if !departments.insert(d.code.as_str()) {
            out.push(
                || format!("$.departments[{i}].code"),
                "duplicate_department_code",
                format!("部门编码重复: {}", d.code),
            );
        }
    }
    let mut items = HashSet::with_capacity(p.inspection_items.len());
    for (i, it) in p.inspection_items.iter().enumerate() {
        out.ident(&it.code, 64, || format!("$.inspection_items[{i}].code"));
        out.text(&it.subject, || format!("$.inspection_items[{i}].subject"));
        out.text(&it.method, || format!("$.inspection_items[{i}].method"));
        out.text(&it.violation, || {
            format!("$.inspection_items[{i}].violation")
        });
        if !items.insert(it.code.as_str()) {
            out.push(
                || format!("$.inspection_items[{i}].code"),
                "duplicate_item_code",
                format!("检查事项编码重复: {}", it.code),
            );
        }
        if !departments.contains(it.department.as_str()) {
            out.push(
                || format!("$.inspection_items[{i}].department"),
                "item_unknown_department",
                format!("检查事项 {} 属于不存在的部门 {}", it.code, it.department),
            );
        }
        if it.basis.is_empty() {
            out.push(
                || format!("$.inspection_items[{i}].basis"),
                "schema_violation",
                "检查依据不能为空".into(),
            );
        }
        for (j, b) in it.basis.iter().enumerate() {
            if !provisions.contains(b.as_str()) {
                out.push(
                    || format!("$.inspection_items[{i}].basis[{j}]"),
                    "unknown_provision",
                    format!("检查事项 {} 引用了不存在的法条 {b}", it.code),
                );
            }
        }
        if let Some(m) = &it.matter
            && !matters.contains_key(m.as_str())
        {
            out.push(
                || format!("$.inspection_items[{i}].matter"),
                "item_unknown_matter",
                format!("检查事项 {} 对应不存在的执法事项 {m}", it.code),
            );
        }
        // 责令限期改正: a period of 1–90 days, as the schema states.
        if !(1..=90).contains(&it.correction_days) {
            out.push(
                || format!("$.inspection_items[{i}].correction_days"),
                "schema_violation",
                format!("改正期限 {} 日应在 1–90 日之间", it.correction_days),
            );
        }
    }
    let mut scenarios = HashSet::with_capacity(p.scenarios.len());
    for (i, sc) in p.scenarios.iter().enumerate() {
        out.ident(&sc.code, 64, || format!("$.scenarios[{i}].code"));
        out.text(&sc.name, || format!("$.scenarios[{i}].name"));
        if !scenarios.insert(sc.code.as_str()) {
            out.push(
                || format!("$.scenarios[{i}].code"),
                "duplicate_scenario_code",
                format!("场景编码重复: {}", sc.code),
            );
        }
        if sc.items.is_empty() {
            out.push(
                || format!("$.scenarios[{i}].items"),
                "schema_violation",
                "场景至少包含一个检查事项".into(),
            );
        }
        let mut seen = HashSet::with_capacity(sc.items.len());
        for (j, code) in sc.items.iter().enumerate() {
            if !items.contains(code.as_str()) {
                out.push(
                    || format!("$.scenarios[{i}].items[{j}]"),
                    "scenario_unknown_item",
                    format!("场景 {} 引用了不存在的检查事项 {code}", sc.name),
                );
            }
            if !seen.insert(code.as_str()) {
                out.push(
                    || format!("$.scenarios[{i}].items[{j}]"),
                    "scenario_duplicate_item",
                    format!("场景 {} 重复列出检查事项 {code}", sc.name),
                );
            }
        }
    }
}

fn check_matter(m: &Matter, i: usize, provisions: &HashSet<&str>, out: &mut Issues) {
    out.ident(&m.code, 64, || format!("$.matters[{i}].code"));
    out.text(&m.name, || format!("$.matters[{i}].name"));
    out.text(&m.domain, || format!("$.matters[{i}].domain"));
    out.text(&m.department, || format!("$.matters[{i}].department"));
    check_aliases(m, i, out);
    if m.fact_phrases.len() > 16 {
        out.push(
            || format!("$.matters[{i}].fact_phrases"),
            "schema_violation",
            format!("事实常用语最多 16 条，此处有 {} 条", m.fact_phrases.len()),
        );
    }
    for (j, f) in m.fact_phrases.iter().enumerate() {
        let n = f.chars().count();
        if f.trim().is_empty() || n > 200 {
            out.push(
                || format!("$.matters[{i}].fact_phrases[{j}]"),
                "schema_violation",
                format!("事实常用语应为 1 至 200 个字，此处 {n} 个"),
            );
        }
    }
    for (role, list) in [("violated", &m.violated), ("penalty", &m.penalty)] {
        if list.is_empty() {
            out.push(
                || format!("$.matters[{i}].{role}"),
                "schema_violation",
                "至少引用一条法条".into(),
            );
        }
        for (j, id) in list.iter().enumerate() {
            if !provisions.contains(id.as_str()) {
                out.push(
                    || format!("$.matters[{i}].{role}[{j}]"),
                    "unknown_provision",
                    format!("引用了不存在的法条 {id}"),
                );
            }
        }
    }
    match (m.kind, &m.entrusting_authority) {
        (MatterKind::Entrusted, None) => out.push(
            || format!("$.matters[{i}].entrusting_authority"),
            "entrusting_authority_missing",
            "委托事项必须写明委托机关（文书以其名义作出）".into(),
        ),
        (k, Some(_)) if k != MatterKind::Entrusted => out.push(
            || format!("$.matters[{i}].entrusting_authority"),
            "entrusting_authority_unexpected",
            format!("{}事项不应有委托机关", k.label_zh()),
        ),
        _ => {}
    }
    for (field, rule) in [
        ("first_violation", &m.first_violation),
        ("minor_violation", &m.minor_violation),
    ] {
        if let Some(rule) = rule {
            out.text(&rule.conditions, || {
                format!("$.matters[{i}].{field}.conditions")
            });
        }
    }
    if let Some(s) = &m.statutory {
        for (party, r) in [
            ("individual", &s.individual),
            ("organization", &s.organization),
        ] {
            if let Some(r) = r {
                check_range(r, out, || format!("$.matters[{i}].statutory.{party}"));
            }
        }
    }
    let mut codes = HashSet::with_capacity(m.levels.len());
    for (j, l) in m.levels.iter().enumerate() {
        out.ident(&l.code, 32, || format!("$.matters[{i}].levels[{j}].code"));
        out.text(&l.name, || format!("$.matters[{i}].levels[{j}].name"));
        out.text(&l.conditions, || {
            format!("$.matters[{i}].levels[{j}].conditions")
        });
        if !codes.insert(l.code.as_str()) {
            out.push(
                || format!("$.matters[{i}].levels[{j}].code"),
                "duplicate_level_code",
                format!("阶次编码重复: {}", l.code),
            );
        }
        for (party, pen) in [
            ("individual", &l.individual),
            ("organization", &l.organization),
        ] {
            let Some(fine) = pen.as_ref().and_then(|p| p.fine.as_ref()) else {
                continue;
            };
            let fpath = || format!("$.matters[{i}].levels[{j}].{party}.fine");
            check_range(fine, out, fpath);
            let statutory = m.statutory.as_ref().and_then(|s| match party {
                "individual" => s.individual.as_ref(),
                _ => s.organization.as_ref(),
            });
            if let Some(s) = statutory
                && (fine.min_fen < s.min_fen || fine.max_fen > s.max_fen)
            {
                out.push(
                    fpath,
                    "level_outside_statutory",
                    format!(
                        "阶次罚款 {}–{} 分超出法定幅度 {}–{} 分",
                        fine.min_fen, fine.max_fen, s.min_fen, s.max_fen
                    ),
                );
            }
        }
    }
    if m.levels_contiguous {
        check_contiguous(m, i, out, "individual", |l| l.individual.as_ref());
        check_contiguous(m, i, out, "organization", |l| l.organization.as_ref());
    }
}

/// Everyday names: each a searchable phrase (already in the form the
/// search normalises queries to, so it can match), at most
/// [`MAX_ALIASES`] of at most [`MAX_ALIAS_CHARS`] characters, none twice and
/// none the matter's own name.
fn check_aliases(m: &Matter, i: usize, out: &mut Issues) {
    if m.aliases.len() > MAX_ALIASES {
        out.push(
            || format!("$.matters[{i}].aliases"),
            "schema_violation",
            format!("俗称最多 {MAX_ALIASES} 个，此处有 {} 个", m.aliases.len()),
        );
    }
    let mut seen = HashSet::new();
    for (j, a) in m.aliases.iter().enumerate() {
        let path = || format!("$.matters[{i}].aliases[{j}]");
        let n = a.chars().count();
        if n == 0 || n > MAX_ALIAS_CHARS {
            out.push(
                path,
                "schema_violation",
                format!("俗称应为 1 至 {MAX_ALIAS_CHARS} 个字，“{a}”有 {n} 个"),
            );
        } else if crate::text::normalize_query(a) != *a {
            out.push(
                path,
                "alias_not_normalised",
                format!("俗称“{a}”含空格、全角字母数字或大写字母，检索时无法命中"),
            );
        } else if *a == m.name || !seen.insert(a.as_str()) {
            out.push(
                path,
                "alias_duplicate",
                format!("俗称“{a}”重复（或与事项名称相同）"),
            );
        }
    }
}

fn check_range(r: &FineRange, out: &mut Issues, path: impl Fn() -> String) {
    for (field, v) in [("min_fen", r.min_fen), ("max_fen", r.max_fen)] {
        if v < 0 {
            out.push(
                || format!("{}.{field}", path()),
                "schema_violation",
                format!("金额 {v} 分不能为负"),
            );
        }
    }
    if r.min_fen > r.max_fen {
        out.push(
            path,
            "fine_min_gt_max",
            format!("罚款下限 {} 分大于上限 {} 分", r.min_fen, r.max_fen),
        );
    }
}

/// Levels marked contiguous must tile their range in order: each level's
/// minimum equals the previous maximum (a shared boundary, as published
/// tables write "…元以上…元以下") or the next fen.
fn check_contiguous(
    m: &Matter,
    i: usize,
    out: &mut Issues,
    party: &str,
    pick: impl Fn(&super::model::DiscretionLevel) -> Option<&LevelPenalty>,
) {
    let mut prev: Option<(usize, FineRange)> = None;
    for (j, l) in m.levels.iter().enumerate() {
        let Some(fine) = pick(l).and_then(|p| p.fine) else {
            continue;
        };
        if let Some((pj, pr)) = prev {
            let fpath = || format!("$.matters[{i}].levels[{j}].{party}.fine.min_fen");
            if fine.min_fen < pr.max_fen {
                out.push(
                    fpath,
                    "level_overlap",
                    format!(
                        "阶次 {j} 的下限 {} 分与阶次 {pj} 的上限 {} 分重叠",
                        fine.min_fen, pr.max_fen
                    ),
                );
            } else if fine.min_fen > pr.max_fen.saturating_add(1) {
                out.push(
                    fpath,
                    "level_gap",
                    format!(
                        "阶次 {pj} 的上限 {} 分与阶次 {j} 的下限 {} 分之间有空档",
                        pr.max_fen, fine.min_fen
                    ),
                );
            }
        }
        prev = Some((j, fine));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointer_and_serde_paths_become_json_paths() {
        assert_eq!(json_path_from_pointer(""), "$");
        assert_eq!(
            json_path_from_pointer("/matters/3/levels/0/code"),
            "$.matters[3].levels[0].code"
        );
        assert_eq!(json_path_from_pointer("/a~1b"), "$.a/b");
        assert_eq!(json_path_from_serde("matters[2].code"), "$.matters[2].code");
        assert_eq!(json_path_from_serde("."), "$");
    }

    #[test]
    fn the_embedded_schema_compiles() {
        assert!(validator().is_ok());
    }
}
