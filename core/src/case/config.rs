//! Per-township configuration of cases: the enforcement body's name, the
//! reconsideration body, the document-number formats and the payment scheme.
//!
//! None of this is settled law that the core may hard-code: the number
//! format follows the local 文书示范文本 (not found, docs/law/documents.md ❓), the
//! 缴款码 format and platform are unverified (docs/law/payment.md ❓), the 备案
//! deadline is a departmental rule (住建部令第55号 Art. 14 “三日内”, 🟡,
//! docs/law/xingzheng-chufa-fa.md, Art. 52). A configuration is JSON, checked by
//! [`TownshipConfig::validate`] and kept in the `township_config` table.
//! [`SAMPLE_TOWNSHIP_CONFIGS`] holds sample defaults for the three sample
//! townships (`schema/sample/townships.json`).

use std::collections::BTreeMap;

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};

use super::CaseError;
use super::numbers::NumberTemplate;
use super::payment::{PaymentScheme, PaymentUrlTemplate};
use crate::rules::RulesConfig;
use crate::store::Store;

/// Sample configurations for the sample townships (not official data).
pub const SAMPLE_TOWNSHIP_CONFIGS: &str = include_str!("../../../schema/sample/townships.json");

/// The series name of the on-the-spot decision's numbers.
pub const SERIES_DECISION: &str = "decision_on_the_spot";
/// The series name of the order to correct's numbers.
pub const SERIES_ORDER: &str = "order_to_correct";
/// The series name of the 不予行政处罚决定书's numbers. Optional: no
/// separate series for 不予处罚 is known from Chongqing's rules, so a
/// township that numbers them configures it; without it the decision is
/// identified by its case (`crate::case::no_penalty_doc`).
pub const SERIES_NO_PENALTY: &str = "no_penalty_decision";

/// How fines are paid in a township.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaymentConfig {
    /// How the 缴款码 is made.
    pub scheme: PaymentScheme,
    /// The channel as printed on the decision, e.g.
    /// `重庆市非税收入电子缴款平台（扫码缴纳）`.
    pub channel: String,
    /// The platform's payment URL template for the QR code; `None` prints
    /// no QR.
    #[serde(default)]
    pub url_template: Option<String>,
}

/// One township's case configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TownshipConfig {
    /// The township code (9 digits, as in the catalogue).
    pub township_code: String,
    /// The enforcement body whose name heads the documents, e.g.
    /// `重庆市渝北区龙兴镇人民政府`.
    pub authority_name: String,
    /// The district or county (区县) whose government reconsiders the
    /// township's decisions (行政复议法 2023 Art. 24), e.g. `渝北区`.
    pub district: String,
    /// The reconsideration body's full name, e.g. `重庆市渝北区人民政府`.
    pub reconsideration_body: String,
    /// Number template per series (document kind), e.g.
    /// `decision_on_the_spot` → `{镇街代字}综执当罚〔{year}〕{seq}号`.
    pub number_formats: BTreeMap<String, String>,
    /// The payment scheme and channel.
    pub payment: PaymentConfig,
    /// Working days within which an on-the-spot decision is filed (备案,
    /// 行政处罚法 Art. 52 ¶3 sets none; 住建部令第55号 Art. 14 says 3, 🟡).
    #[serde(default = "default_filing_days")]
    pub filing_deadline_working_days: u32,
    /// The consequence printed on an order to correct.
    #[serde(default = "default_consequence")]
    pub correction_consequence: String,
    /// Rules overrides for this township (the district is taken from
    /// `district` above).
    #[serde(default)]
    pub rules: RulesConfig,
    /// The document template set and version the township prints with
    /// (`schema/templates/<set>/<kind>.v<version>.json`; default: the
    /// built-in `default` set, version 1).
    #[serde(default)]
    pub templates: crate::document::template::TemplateRef,
    /// The normal-procedure rules Chongqing law leaves open (立案 deadline,
    /// 陈述申辩 period, 法制审核 turnaround, extensions, hearing thresholds),
    /// with the research's defaults marked unverified
    /// ([`crate::procedure::ProcedureConfig`]). Optional: a configuration
    /// without it loads with the defaults.
    #[serde(default)]
    pub procedure: crate::procedure::ProcedureConfig,
}

fn default_filing_days() -> u32 {
    3
}

fn default_consequence() -> String {
    "逾期不改正的，依法予以行政处罚".to_owned()
}

impl TownshipConfig {
    /// Checks every template and the payment scheme.
    pub fn validate(&self) -> Result<(), CaseError> {
        if self.township_code.len() != 9 || !self.township_code.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(CaseError::Config(format!(
                "镇街代码“{}”不是 9 位数字",
                self.township_code
            )));
        }
        for (field, v) in [
            ("authority_name", &self.authority_name),
            ("district", &self.district),
            ("reconsideration_body", &self.reconsideration_body),
            ("payment.channel", &self.payment.channel),
        ] {
            if v.trim().is_empty() {
                return Err(CaseError::Config(format!("{field} 不能为空")));
            }
        }
        for series in [SERIES_DECISION, SERIES_ORDER] {
            if !self.number_formats.contains_key(series) {
                return Err(CaseError::Config(format!("缺少 {series} 的文书编号格式")));
            }
        }
        for t in self.number_formats.values() {
            NumberTemplate::parse(t)?;
        }
        self.payment.scheme.validate()?;
        if let Some(u) = &self.payment.url_template {
            PaymentUrlTemplate::parse(u)?;
        }
        Ok(())
    }

    /// The number template of a series.
    pub fn template(&self, series: &str) -> Result<NumberTemplate, CaseError> {
        let t = self
            .number_formats
            .get(series)
            .ok_or_else(|| CaseError::Config(format!("缺少 {series} 的文书编号格式")))?;
        Ok(NumberTemplate::parse(t)?)
    }

    /// The rules configuration with this township's district.
    pub fn rules_config(&self) -> RulesConfig {
        RulesConfig {
            district: Some(self.district.clone()),
            ..self.rules.clone()
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    #[serde(default)]
    #[allow(dead_code)] // read for validation only: the notice is for people
    notice: Option<String>,
    townships: Vec<TownshipConfig>,
}

/// Parses a file `{"notice"?, "townships": [TownshipConfig…]}` and checks each.
pub fn parse_configs(json: &str) -> Result<Vec<TownshipConfig>, CaseError> {
    let f: ConfigFile = serde_json::from_str(json).map_err(|e| CaseError::Config(e.to_string()))?;
    for c in &f.townships {
        c.validate()?;
    }
    Ok(f.townships)
}

/// Stores (inserts or replaces) a township's configuration after checking it.
pub fn set_township_config(
    store: &Store,
    config: &TownshipConfig,
    now: DateTime<Utc>,
) -> Result<(), CaseError> {
    config.validate()?;
    let json = serde_json::to_string(config).map_err(|e| CaseError::Config(e.to_string()))?;
    store.conn().execute(
        "INSERT INTO township_config (township_code, config, updated_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (township_code) DO UPDATE SET config = excluded.config, updated_at = excluded.updated_at",
        (
            &config.township_code,
            json,
            now.to_rfc3339_opts(SecondsFormat::Millis, true),
        ),
    )?;
    Ok(())
}

/// A township's configuration, if stored.
pub fn township_config(store: &Store, township: &str) -> Result<Option<TownshipConfig>, CaseError> {
    read_config(store.conn(), township)
}

pub(crate) fn read_config(
    conn: &rusqlite::Connection,
    township: &str,
) -> Result<Option<TownshipConfig>, CaseError> {
    let json: Option<String> = conn
        .query_row(
            "SELECT config FROM township_config WHERE township_code = ?1",
            [township],
            |r| r.get(0),
        )
        .optional()?;
    json.map(|j| {
        serde_json::from_str(&j).map_err(|e| CaseError::Corrupt(format!("township_config: {e}")))
    })
    .transpose()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::ErrorCode;

    #[test]
    fn the_sample_configs_are_valid_and_cover_the_sample_townships() {
        let c = parse_configs(SAMPLE_TOWNSHIP_CONFIGS).unwrap();
        let codes: Vec<&str> = c.iter().map(|c| c.township_code.as_str()).collect();
        assert_eq!(codes, ["500112108", "500110106", "500109111"]);
    }

    #[test]
    fn a_bad_template_is_refused_with_its_code() {
        let mut c = parse_configs(SAMPLE_TOWNSHIP_CONFIGS).unwrap().remove(0);
        c.number_formats.insert(
            SERIES_DECISION.into(),
            "{镇街代字}综执当罚〔{year}〕号".into(),
        );
        assert_eq!(c.validate().unwrap_err().code(), "NUMBER_FORMAT_INVALID");
    }
}
