//! Party identity numbers: the citizen ID number (公民身份号码, GB 11643)
//! and the unified social credit code (统一社会信用代码, GB 32100), checked
//! offline.
//!
//! Input is normalised first ([`normalize`]): full-width characters become
//! half-width, letters upper-case (so a typed `x` is the check character
//! `X`), and spaces and hyphens are dropped. Every rejection is an
//! [`IdentityError`] with a stable code that says why — length, character,
//! region, birth date, or check character with the expected and the given
//! value.
//!
//! **Citizen IDs** ([`parse_citizen_id`]) cover four forms that share the
//! ISO 7064 MOD 11-2 check character: the 18-character 居民身份证号码, the
//! legacy 15-digit number (upgraded to 18 by inserting the century `19` and
//! computing the check character), the residence permits of Hong Kong, Macao
//! and Taiwan residents (address codes 810000, 820000 and 830000), and the
//! 2023 foreigners' permanent-residence ID (first digit 9). Birth date, sex
//! and the address code are derived. The address code is lifelong (居民身份证法
//! Art. 3) and old codes stay valid, so it is not checked against the
//! current GB/T 2260 list; only its first two digits must be a province-level
//! code, and that check can be switched off ([`IdOptions`]).
//!
//! **Region names**: the table here holds the province-level names of
//! GB/T 2260 and the current district and county codes of 重庆市 (500101 …
//! 500243) only. Any other code is named by its province; a code of a
//! district since renamed or merged is named by its province too. This is
//! enough for the Chongqing field client and is deliberately not the full
//! national table.
//!
//! **USCCs** ([`parse_uscc`]) are 18 characters over the 31 characters
//! `0-9 A-Z` without I, O, Z, S and V, with a weighted MOD 31 check
//! character, checked in full (GB 32100-2015 §4): position 1 is the
//! registration authority (登记管理部门代码) and position 2 the institution
//! category (机构类别代码), and only the pairs of the standard's code table
//! are accepted ([`uscc_category`]); positions 3–8 are the registering
//! authority's administrative-division code (GB/T 2260), six digits whose
//! first two are a province-level code (or `100000`, used nationally);
//! position 18 is the check character. So a citizen ID with a wrong check
//! digit is not taken for a USCC merely because the MOD 31 sum happens to
//! fit: a 重庆 citizen ID starts `50`, which is no authority/category pair.
//! The table is the one reproduced alike by several independent sources
//! (🟡: the standard's text itself was not read; docs/law/README.md).
//! Positions 9–17 are the organisation code of GB 11714, whose own MOD 11
//! check character is reported separately ([`OrgCodeCheck`]) and never
//! rejects the code: docs/law/README.md (identity) advises a warning only,
//! as real codes are known to fail it.
//!
//! The checks allocate nothing on success; a million checks take well under
//! a second (see `core/benches/rules.rs`).

use chrono::NaiveDate;
use thiserror::Error;

use crate::ErrorCode;
use crate::text::fold_width;

use super::RulesConfig;

/// Which kind of identity number a value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IdKind {
    /// A natural person's number (citizen ID and the forms sharing its algorithm).
    Citizen,
    /// A unified social credit code of an organisation.
    Organization,
}

impl IdKind {
    /// The stable name used in JSON: `citizen` or `organization`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Citizen => "citizen",
            Self::Organization => "organization",
        }
    }
}

/// Sex as encoded in the sequence code: odd is male, even is female.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Sex {
    /// 男.
    Male,
    /// 女.
    Female,
}

impl Sex {
    /// The stable name used in JSON: `male` or `female`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Male => "male",
            Self::Female => "female",
        }
    }

    /// The Chinese label: 男 or 女.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Male => "男",
            Self::Female => "女",
        }
    }
}

/// Where a Hong Kong, Macao or Taiwan resident's residence permit was issued for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PermitRegion {
    /// 香港居民 (address code 810000).
    HongKong,
    /// 澳门居民 (address code 820000).
    Macao,
    /// 台湾居民 (address code 830000).
    Taiwan,
}

/// The document form of a valid citizen-type number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CitizenIdForm {
    /// The 18-character 居民身份证号码 (GB 11643-1999).
    Resident,
    /// A legacy 15-digit 居民身份证号码, upgraded to 18 characters.
    Legacy15,
    /// A 港澳台居民居住证 number (same algorithm, address code 81/82/830000; 🟡).
    ResidencePermit(PermitRegion),
    /// A 2023 外国人永久居留身份证 number (first digit 9, same check
    /// character; 🟡). Its first six digits are not a GB/T 2260 address
    /// code, so no region is derived.
    ForeignPermanentResident,
}

impl CitizenIdForm {
    /// The Chinese name of the document.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Resident => "居民身份证",
            Self::Legacy15 => "居民身份证（15位旧号码，已升位）",
            Self::ResidencePermit(PermitRegion::HongKong) => "港澳居民居住证（香港）",
            Self::ResidencePermit(PermitRegion::Macao) => "港澳居民居住证（澳门）",
            Self::ResidencePermit(PermitRegion::Taiwan) => "台湾居民居住证",
            Self::ForeignPermanentResident => "外国人永久居留身份证",
        }
    }
}

/// A valid citizen-type identity number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CitizenId {
    /// The normalised 18-character number (ASCII digits and `X`).
    number: [u8; 18],
    /// The document form.
    pub form: CitizenIdForm,
    /// The birth date encoded in the number.
    pub birth_date: NaiveDate,
    /// The sex encoded in the sequence code.
    pub sex: Sex,
}

impl CitizenId {
    /// The normalised 18-character number (15-digit input is upgraded).
    pub fn number(&self) -> &str {
        ascii_str(&self.number)
    }

    /// The 6-digit address code (GB/T 2260), or `None` for a foreigner's
    /// permanent-residence ID, whose first digits are not an address code.
    pub fn region_code(&self) -> Option<&str> {
        match self.form {
            CitizenIdForm::ForeignPermanentResident => None,
            _ => Some(ascii_str(&self.number[..6])),
        }
    }

    /// The region's name where the small table has it (see the module docs).
    pub fn region_name(&self) -> Option<&'static str> {
        self.region_code().and_then(region_name)
    }
}

/// The result of the embedded organisation code's own check (GB 11714).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OrgCodeCheck {
    /// The 9th character of the organisation code matches.
    Valid,
    /// It does not; a warning, not a rejection (docs/law/README.md).
    Mismatch {
        /// The check character GB 11714 computes.
        expected: char,
        /// The character the code carries at position 17.
        given: char,
    },
}

/// A valid unified social credit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Uscc {
    /// The normalised 18-character code.
    number: [u8; 18],
    /// The embedded organisation code's own check, reported separately.
    pub organization_code_check: OrgCodeCheck,
}

impl Uscc {
    /// The normalised 18-character code.
    pub fn number(&self) -> &str {
        ascii_str(&self.number)
    }

    /// Positions 3–8: the registering authority's region code, if all digits.
    pub fn region_code(&self) -> Option<&str> {
        let code = &self.number[2..8];
        code.iter().all(u8::is_ascii_digit).then(|| ascii_str(code))
    }

    /// The region's name where the small table has it (see the module docs).
    pub fn region_name(&self) -> Option<&'static str> {
        self.region_code().and_then(region_name)
    }

    /// Positions 9–17: the organisation code (组织机构代码, GB 11714).
    pub fn organization_code(&self) -> &str {
        ascii_str(&self.number[8..17])
    }

    /// Whether positions 1–2 are `92`, the code GB 32100 gives 个体工商户
    /// (an individual business, whose operator should also be recorded).
    /// The category table is from consistent secondary sources (🟡, see
    /// [`uscc_category`]): use this as a hint, never as a rule.
    pub fn is_individual_business(&self) -> bool {
        self.number.starts_with(b"92")
    }

    /// The registration authority and institution category in Chinese
    /// (positions 1–2), e.g. `("工商", "个体工商户")`.
    pub fn category(&self) -> (&'static str, &'static str) {
        // A parsed code always has a pair of the table.
        uscc_category(self.number[0], self.number[1]).unwrap_or(("", ""))
    }
}

/// A valid identity number of either kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Identity {
    /// A citizen-type number.
    Citizen(CitizenId),
    /// A unified social credit code.
    Organization(Uscc),
}

impl Identity {
    /// The kind of number.
    pub fn kind(&self) -> IdKind {
        match self {
            Self::Citizen(_) => IdKind::Citizen,
            Self::Organization(_) => IdKind::Organization,
        }
    }

    /// The normalised number.
    pub fn number(&self) -> &str {
        match self {
            Self::Citizen(c) => c.number(),
            Self::Organization(o) => o.number(),
        }
    }

    /// The region code, if the number carries one.
    pub fn region_code(&self) -> Option<&str> {
        match self {
            Self::Citizen(c) => c.region_code(),
            Self::Organization(o) => o.region_code(),
        }
    }

    /// The region's name, where the small table has it.
    pub fn region_name(&self) -> Option<&'static str> {
        match self {
            Self::Citizen(c) => c.region_name(),
            Self::Organization(o) => o.region_name(),
        }
    }
}

/// Why an identity number was rejected. Positions are 1-based and count
/// characters of the normalised input.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum IdentityError {
    /// Nothing left after normalisation.
    #[error("证件号码为空")]
    Empty,
    /// A character that is neither a digit nor a Latin letter.
    #[error("第{position}位字符“{found}”不是数字或字母")]
    Character {
        /// Position in the normalised input.
        position: usize,
        /// The offending character.
        found: char,
    },
    /// A length that fits neither kind (kind unknown).
    #[error("长度为{len}位：居民身份证号码应为18位（旧号码15位），统一社会信用代码应为18位")]
    Length {
        /// Characters after normalisation.
        len: usize,
    },
    /// A citizen ID of the wrong length.
    #[error("居民身份证号码长度为{len}位，应为18位（旧号码15位）")]
    CitizenLength {
        /// Characters after normalisation.
        len: usize,
    },
    /// A citizen ID with a character not allowed at its position.
    #[error("居民身份证号码第{position}位“{found}”无效：{allowed}")]
    CitizenCharacter {
        /// Position in the normalised input.
        position: usize,
        /// The offending character.
        found: char,
        /// What the position allows, in words.
        allowed: &'static str,
    },
    /// The first two digits are not a province-level code.
    #[error("地址码{code}的前两位不是省级行政区划代码（GB/T 2260）")]
    CitizenRegion {
        /// The 6-digit address code as given.
        code: String,
    },
    /// The birth-date digits are not a real calendar date in 1800–2099.
    #[error("出生日期“{digits}”不是1800至2099年间的有效日期")]
    CitizenBirthDate {
        /// The 8 digits as given (6 for a 15-digit number).
        digits: String,
    },
    /// The birth date lies after the reference date.
    #[error("出生日期{birth}晚于{as_of}")]
    CitizenBirthDateFuture {
        /// The encoded birth date.
        birth: NaiveDate,
        /// The reference date (today, or the violation date).
        as_of: NaiveDate,
    },
    /// The check character does not match (ISO 7064 MOD 11-2).
    #[error("居民身份证号码校验码应为“{expected}”，实为“{given}”")]
    CitizenCheckCharacter {
        /// The computed check character.
        expected: char,
        /// The character given.
        given: char,
    },
    /// A USCC of the wrong length.
    #[error("统一社会信用代码长度为{len}位，应为18位")]
    UsccLength {
        /// Characters after normalisation.
        len: usize,
    },
    /// A USCC character outside the 31-character set.
    #[error(
        "统一社会信用代码第{position}位“{found}”无效：只可使用数字和除I、O、Z、S、V以外的大写字母"
    )]
    UsccCharacter {
        /// Position in the normalised input.
        position: usize,
        /// The offending character.
        found: char,
    },
    /// The USCC check character does not match (GB 32100).
    #[error("统一社会信用代码校验码应为“{expected}”，实为“{given}”")]
    UsccCheckCharacter {
        /// The computed check character.
        expected: char,
        /// The character given.
        given: char,
    },
    /// Positions 1–2 are not a registration-authority / institution-category
    /// pair of GB 32100's code table.
    #[error("统一社会信用代码第1、2位“{code}”不是GB 32100规定的登记管理部门代码与机构类别代码组合")]
    UsccCategory {
        /// The two characters as given.
        code: String,
    },
    /// Positions 3–8 are not an administrative-division code (GB/T 2260).
    #[error("统一社会信用代码第3至8位“{code}”不是有效的登记管理机关行政区划码（GB/T 2260）")]
    UsccRegion {
        /// The six characters as given.
        code: String,
    },
}

impl ErrorCode for IdentityError {
    fn code(&self) -> &'static str {
        match self {
            Self::Empty => "ID_EMPTY",
            Self::Character { .. } => "ID_CHARACTER",
            Self::Length { .. } => "ID_LENGTH",
            Self::CitizenLength { .. } => "CITIZEN_ID_LENGTH",
            Self::CitizenCharacter { .. } => "CITIZEN_ID_CHARACTER",
            Self::CitizenRegion { .. } => "CITIZEN_ID_REGION",
            Self::CitizenBirthDate { .. } => "CITIZEN_ID_BIRTH_DATE",
            Self::CitizenBirthDateFuture { .. } => "CITIZEN_ID_BIRTH_DATE_FUTURE",
            Self::CitizenCheckCharacter { .. } => "CITIZEN_ID_CHECK_CHARACTER",
            Self::UsccLength { .. } => "USCC_LENGTH",
            Self::UsccCharacter { .. } => "USCC_CHARACTER",
            Self::UsccCheckCharacter { .. } => "USCC_CHECK_CHARACTER",
            Self::UsccCategory { .. } => "USCC_CATEGORY",
            Self::UsccRegion { .. } => "USCC_REGION",
        }
    }
}

impl IdentityError {
    /// The kind of number the error is about, or `None` when the input fits
    /// neither kind (empty, stray character, unusable length).
    pub fn kind(&self) -> Option<IdKind> {
        match self {
            Self::Empty | Self::Character { .. } | Self::Length { .. } => None,
            Self::CitizenLength { .. }
            | Self::CitizenCharacter { .. }
            | Self::CitizenRegion { .. }
            | Self::CitizenBirthDate { .. }
            | Self::CitizenBirthDateFuture { .. }
            | Self::CitizenCheckCharacter { .. } => Some(IdKind::Citizen),
            Self::UsccLength { .. }
            | Self::UsccCharacter { .. }
            | Self::UsccCheckCharacter { .. }
            | Self::UsccCategory { .. }
            | Self::UsccRegion { .. } => Some(IdKind::Organization),
        }
    }
}

/// Options of the citizen-ID check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdOptions {
    /// A birth date after this date is rejected (the caller passes today or
    /// the violation date; the core never reads the clock).
    pub as_of: Option<NaiveDate>,
    /// Reject an unknown province-level prefix; see
    /// [`RulesConfig::reject_unknown_province`].
    pub reject_unknown_province: bool,
}

impl Default for IdOptions {
    fn default() -> Self {
        Self {
            as_of: None,
            reject_unknown_province: true,
        }
    }
}

impl IdOptions {
    /// Options taken from the rules configuration, with a reference date.
    pub fn from_config(config: &RulesConfig, as_of: Option<NaiveDate>) -> Self {
        Self {
            as_of,
            reject_unknown_province: config.reject_unknown_province,
        }
    }
}

/// Normalises an identity number as typed: full-width characters become
/// half-width, ASCII letters upper-case, and white space (including the
/// ideographic space) and hyphens or dashes are removed. Other characters
/// are kept, so the result shows what was rejected.
pub fn normalize(input: &str) -> String {
    input.chars().filter_map(normalize_char).collect()
}

/// One character of [`normalize`]: `None` drops it.
fn normalize_char(c: char) -> Option<char> {
    match fold_width(c) {
        '-' | '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE63}' => None,
        c if c.is_whitespace() => None,
        c => Some(c.to_ascii_uppercase()),
    }
}

/// Normalises into a fixed buffer: returns the normalised length (counting
/// past 18, storing only the first 18), or the first character that is not
/// an ASCII letter or digit.
fn normalize_into(input: &str, buf: &mut [u8; 18]) -> Result<usize, IdentityError> {
    let mut len = 0usize;
    for c in input.chars().filter_map(normalize_char) {
        if !c.is_ascii_alphanumeric() {
            return Err(IdentityError::Character {
                position: len + 1,
                found: c,
            });
        }
        if let Some(slot) = buf.get_mut(len) {
            // ASCII checked just above, so the cast keeps the character.
            *slot = c as u8;
        }
        len += 1;
    }
    if len == 0 {
        return Err(IdentityError::Empty);
    }
    Ok(len)
}

/// A slice known to hold only ASCII (every buffer here is filled from
/// ASCII-checked characters) as `&str`.
fn ascii_str(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).unwrap_or("")
}

// ---------------------------------------------------------------------------
// Check characters

/// GB 11643 weights `2^(18−i) mod 11` for positions 1–17 (ISO 7064 MOD 11-2).
const CITIZEN_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// GB 11643: the check character indexed by `S mod 11`.
const CITIZEN_CHECK: &[u8; 11] = b"10X98765432";

/// The GB 32100 character set, in value order (no I, O, Z, S, V).
const USCC_CHARSET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
/// GB 32100 weights `3^(i−1) mod 31` for positions 1–17.
const USCC_WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];
/// GB 11714 weights for the 8 body characters of an organisation code.
const ORG_WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];

/// The value of a USCC character (0–30), or `None` outside the set.
fn uscc_value(b: u8) -> Option<u32> {
    USCC_CHARSET.iter().position(|&c| c == b).map(|v| v as u32)
}

/// The check character for 17 ASCII digits (no validation of the digits).
fn citizen_check_of(body: &[u8]) -> u8 {
    let s: u32 = body
        .iter()
        .zip(CITIZEN_WEIGHTS)
        .map(|(&d, w)| u32::from(d.wrapping_sub(b'0')) * w)
        .sum();
    CITIZEN_CHECK[(s % 11) as usize]
}

/// The GB 11643 check character of a 17-digit body, or `None` if `body` is
/// not exactly 17 ASCII digits.
pub fn citizen_check_character(body: &str) -> Option<char> {
    let b = body.as_bytes();
    (b.len() == 17 && b.iter().all(u8::is_ascii_digit)).then(|| char::from(citizen_check_of(b)))
}

/// The GB 32100 check character of a 17-character body, or `None` if `body`
/// is not 17 characters of the USCC set.
pub fn uscc_check_character(body: &str) -> Option<char> {
    let b = body.as_bytes();
    if b.len() != 17 {
        return None;
    }
    let mut s = 0u32;
    for (&c, w) in b.iter().zip(USCC_WEIGHTS) {
        s += uscc_value(c)? * w;
    }
    Some(char::from(USCC_CHARSET[((31 - s % 31) % 31) as usize]))
}

/// The GB 11714 check character of an 8-character organisation-code body
/// (digits and upper-case letters, A = 10 … Z = 35), or `None` if `body` is
/// not 8 such characters.
pub fn organization_code_check_character(body: &str) -> Option<char> {
    let b = body.as_bytes();
    if b.len() != 8 {
        return None;
    }
    let mut s = 0u32;
    for (&c, w) in b.iter().zip(ORG_WEIGHTS) {
        let v = match c {
            b'0'..=b'9' => u32::from(c - b'0'),
            b'A'..=b'Z' => u32::from(c - b'A') + 10,
            _ => return None,
        };
        s += v * w;
    }
    // c9 = 11 − (S mod 11); 10 is written X and 11 is written 0.
    Some(match 11 - s % 11 {
        10 => 'X',
        11 => '0',
        d => char::from(b'0' + d as u8),
    })
}

// ---------------------------------------------------------------------------
// Parsing

/// Checks a citizen-type number (18 characters, or the legacy 15 digits).
pub fn parse_citizen_id(input: &str, opts: &IdOptions) -> Result<CitizenId, IdentityError> {
    let mut buf = [0u8; 18];
    let len = normalize_into(input, &mut buf)?;
    citizen_from(&buf, len, opts)
}

/// Checks a unified social credit code.
pub fn parse_uscc(input: &str) -> Result<Uscc, IdentityError> {
    let mut buf = [0u8; 18];
    let len = normalize_into(input, &mut buf)?;
    uscc_from(&buf, len)
}

/// Checks a number of either kind, telling the kind from its shape: 15
/// characters is a legacy citizen ID; 18 characters of which the first 17
/// are digits and the last a digit or `X` is tried as a citizen ID first and
/// then as a USCC (an all-digit USCC exists); any other 18 characters is a
/// USCC. When an all-digit value is valid as both, it is taken as a citizen
/// ID, except that a leading `9` — a foreigner's card, but far more often an
/// enterprise's code — is taken as a USCC. When it is valid as neither, the
/// citizen-ID error is reported. Use [`parse_citizen_id`] or
/// [`parse_uscc`] when the kind is known.
pub fn check_id(input: &str, opts: &IdOptions) -> Result<Identity, IdentityError> {
    detect_id(input, opts).map(|d| d.identity)
}

/// Why [`detect_id`] took a number for the kind it chose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DetectionReason {
    /// 15 characters: only the legacy citizen ID has that length.
    LegacyLength,
    /// A letter other than a final `X`: only a USCC can carry it.
    LettersOnlyUscc,
    /// All-digit, valid as a citizen ID and not as a USCC.
    CitizenOnly,
    /// All-digit, valid as both; taken as a citizen ID (leading digit not 9).
    BothValidCitizen,
    /// All-digit, valid as both; a leading `9` (工商 registration) is far
    /// more often an enterprise than a foreigner's card: taken as a USCC.
    BothValidLeadingNine,
    /// All-digit, not a valid citizen ID but valid as a USCC in full.
    UsccOnly,
}

impl DetectionReason {
    /// The stable snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::LegacyLength => "legacy_length",
            Self::LettersOnlyUscc => "letters_only_uscc",
            Self::CitizenOnly => "citizen_only",
            Self::BothValidCitizen => "both_valid_citizen",
            Self::BothValidLeadingNine => "both_valid_leading_nine",
            Self::UsccOnly => "uscc_only",
        }
    }

    /// The explanation in Chinese, for the officer.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::LegacyLength => "15位：只有旧居民身份证号码为15位，按居民身份证号码校验",
            Self::LettersOnlyUscc => {
                "含字母（末位X除外）：只有统一社会信用代码可含字母，按统一社会信用代码校验"
            }
            Self::CitizenOnly => {
                "符合居民身份证号码的地址码、出生日期和校验码，不符合统一社会信用代码规则：按居民身份证号码处理"
            }
            Self::BothValidCitizen => {
                "同时符合居民身份证号码和统一社会信用代码规则，首位不是9：按居民身份证号码处理，请核对证件"
            }
            Self::BothValidLeadingNine => {
                "同时符合两种规则，首位为9（工商登记）：按统一社会信用代码处理，请核对证件"
            }
            Self::UsccOnly => {
                "不符合居民身份证号码规则，符合统一社会信用代码的登记管理部门、机构类别、行政区划码和校验码：按统一社会信用代码处理"
            }
        }
    }
}

/// A number of either kind with the reason its kind was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Detection {
    /// The valid number.
    pub identity: Identity,
    /// Why this kind.
    pub reason: DetectionReason,
}

/// [`check_id`] with the reason for the kind chosen (see there for the rule).
pub fn detect_id(input: &str, opts: &IdOptions) -> Result<Detection, IdentityError> {
    let mut buf = [0u8; 18];
    let len = normalize_into(input, &mut buf)?;
    let found = |identity, reason| Detection { identity, reason };
    match len {
        15 => citizen_from(&buf, len, opts)
            .map(|c| found(Identity::Citizen(c), DetectionReason::LegacyLength)),
        18 => {
            let citizen_shaped = buf[..17].iter().all(u8::is_ascii_digit)
                && (buf[17].is_ascii_digit() || buf[17] == b'X');
            if !citizen_shaped {
                return uscc_from(&buf, len)
                    .map(|o| found(Identity::Organization(o), DetectionReason::LettersOnlyUscc));
            }
            use DetectionReason as R;
            match (citizen_from(&buf, len, opts), uscc_from(&buf, len)) {
                (Ok(_), Ok(o)) if buf[0] == b'9' => {
                    Ok(found(Identity::Organization(o), R::BothValidLeadingNine))
                }
                (Ok(c), Ok(_)) => Ok(found(Identity::Citizen(c), R::BothValidCitizen)),
                (Ok(c), Err(_)) => Ok(found(Identity::Citizen(c), R::CitizenOnly)),
                (Err(_), Ok(o)) => Ok(found(Identity::Organization(o), R::UsccOnly)),
                (Err(e), Err(_)) => Err(e),
            }
        }
        len => Err(IdentityError::Length { len }),
    }
}

fn citizen_from(buf: &[u8; 18], len: usize, opts: &IdOptions) -> Result<CitizenId, IdentityError> {
    match len {
        18 => {
            if let Some(i) = buf[..17].iter().position(|b| !b.is_ascii_digit()) {
                return Err(IdentityError::CitizenCharacter {
                    position: i + 1,
                    found: char::from(buf[i]),
                    allowed: "前17位只能是数字",
                });
            }
            if !(buf[17].is_ascii_digit() || buf[17] == b'X') {
                return Err(IdentityError::CitizenCharacter {
                    position: 18,
                    found: char::from(buf[17]),
                    allowed: "第18位只能是数字或X",
                });
            }
            let form = citizen_form(&buf[..6], opts)?;
            let birth = birth_date(&buf[6..14], None, opts)?;
            let expected = citizen_check_of(&buf[..17]);
            if expected != buf[17] {
                return Err(IdentityError::CitizenCheckCharacter {
                    expected: char::from(expected),
                    given: char::from(buf[17]),
                });
            }
            Ok(CitizenId {
                number: *buf,
                form,
                birth_date: birth,
                sex: sex_of(&buf[14..17]),
            })
        }
        15 => {
            if let Some(i) = buf[..15].iter().position(|b| !b.is_ascii_digit()) {
                return Err(IdentityError::CitizenCharacter {
                    position: i + 1,
                    found: char::from(buf[i]),
                    allowed: "15位旧号码只能是数字",
                });
            }
            if citizen_form(&buf[..6], opts)? != CitizenIdForm::Resident {
                // Permits and foreigners' cards never had a 15-digit form.
                return Err(IdentityError::CitizenLength { len: 15 });
            }
            // GB 11643-1999 upgrade: insert the century "19" after the
            // address code (15-digit numbers were issued 1984–1999, to
            // people born in the 1900s) and append the check character.
            let mut n = [0u8; 18];
            n[..6].copy_from_slice(&buf[..6]);
            n[6..8].copy_from_slice(b"19");
            n[8..17].copy_from_slice(&buf[6..15]);
            let birth = birth_date(&n[6..14], Some(&buf[6..12]), opts)?;
            n[17] = citizen_check_of(&n[..17]);
            Ok(CitizenId {
                number: n,
                form: CitizenIdForm::Legacy15,
                birth_date: birth,
                sex: sex_of(&n[14..17]),
            })
        }
        len => Err(IdentityError::CitizenLength { len }),
    }
}

/// The form from the first six digits, checking the province prefix.
fn citizen_form(code: &[u8], opts: &IdOptions) -> Result<CitizenIdForm, IdentityError> {
    Ok(match code {
        b"810000" => CitizenIdForm::ResidencePermit(PermitRegion::HongKong),
        b"820000" => CitizenIdForm::ResidencePermit(PermitRegion::Macao),
        b"830000" => CitizenIdForm::ResidencePermit(PermitRegion::Taiwan),
        [b'9', ..] => CitizenIdForm::ForeignPermanentResident,
        _ => {
            if opts.reject_unknown_province && province_name(&code[..2]).is_none() {
                return Err(IdentityError::CitizenRegion {
                    code: ascii_str(code).to_owned(),
                });
            }
            CitizenIdForm::Resident
        }
    })
}

/// Parses `YYYYMMDD` (1800–2099, a real date, not after `as_of`). `shown`
/// is what to quote in an error when the input had a 2-digit year.
fn birth_date(
    digits: &[u8],
    shown: Option<&[u8]>,
    opts: &IdOptions,
) -> Result<NaiveDate, IdentityError> {
    let num = |r: std::ops::Range<usize>| {
        digits[r]
            .iter()
            .fold(0u32, |a, &d| a * 10 + u32::from(d - b'0'))
    };
    let (y, m, d) = (num(0..4), num(4..6), num(6..8));
    let date = (1800..=2099)
        .contains(&y)
        .then(|| NaiveDate::from_ymd_opt(y as i32, m, d))
        .flatten()
        .ok_or_else(|| IdentityError::CitizenBirthDate {
            digits: ascii_str(shown.unwrap_or(digits)).to_owned(),
        })?;
    match opts.as_of {
        Some(as_of) if date > as_of => {
            Err(IdentityError::CitizenBirthDateFuture { birth: date, as_of })
        }
        _ => Ok(date),
    }
}

/// GB 11643: an odd sequence code is male, an even one female.
fn sex_of(seq: &[u8]) -> Sex {
    if (seq[2] - b'0') % 2 == 1 {
        Sex::Male
    } else {
        Sex::Female
    }
}

fn uscc_from(buf: &[u8; 18], len: usize) -> Result<Uscc, IdentityError> {
    if len != 18 {
        return Err(IdentityError::UsccLength { len });
    }
    let mut s = 0u32;
    for (i, (&c, w)) in buf[..17].iter().zip(USCC_WEIGHTS).enumerate() {
        let v = uscc_value(c).ok_or(IdentityError::UsccCharacter {
            position: i + 1,
            found: char::from(c),
        })?;
        s += v * w;
    }
    if uscc_value(buf[17]).is_none() {
        return Err(IdentityError::UsccCharacter {
            position: 18,
            found: char::from(buf[17]),
        });
    }
    // GB 32100: C18 = (31 − S mod 31) mod 31, mapped back to a character.
    let expected = USCC_CHARSET[((31 - s % 31) % 31) as usize];
    if expected != buf[17] {
        return Err(IdentityError::UsccCheckCharacter {
            expected: char::from(expected),
            given: char::from(buf[17]),
        });
    }
    // GB 32100 §4.1–4.2: the authority/category pair of the code table.
    if uscc_category(buf[0], buf[1]).is_none() {
        return Err(IdentityError::UsccCategory {
            code: ascii_str(&buf[..2]).to_owned(),
        });
    }
    // GB 32100 §4.3: the registering authority's division code (GB/T 2260).
    let region = &buf[2..8];
    let region_ok = region.iter().all(u8::is_ascii_digit)
        && (region == b"100000" || province_name(&region[..2]).is_some());
    if !region_ok {
        return Err(IdentityError::UsccRegion {
            code: ascii_str(region).to_owned(),
        });
    }
    // GB 11714: positions 9–16 are the organisation code's body, 17 its check.
    let organization_code_check = match organization_code_check_character(ascii_str(&buf[8..16])) {
        Some(e) if e == char::from(buf[16]) => OrgCodeCheck::Valid,
        Some(expected) => OrgCodeCheck::Mismatch {
            expected,
            given: char::from(buf[16]),
        },
        // Unreachable: positions 9–16 passed the USCC set, which is a subset
        // of GB 11714's; reported as a mismatch rather than trusted.
        None => OrgCodeCheck::Mismatch {
            expected: '?',
            given: char::from(buf[16]),
        },
    };
    Ok(Uscc {
        number: *buf,
        organization_code_check,
    })
}

/// GB 32100's code table of registration authorities (登记管理部门, the
/// first position) and their institution categories (机构类别, the second):
/// the pair's names in Chinese, or `None` when the pair is not in the table.
///
/// Source 🟡: the table as reproduced alike by several independent
/// implementations and notes (the standard's own text was not read; the
/// first edition listed 1, 5, 9 and Y, the others were added for the
/// authorities that joined the scheme later). docs/law/README.md lists it
/// as an open question to confirm against GB 32100 and its amendments.
pub fn uscc_category(authority: u8, category: u8) -> Option<(&'static str, &'static str)> {
    let (name, categories): (&str, &[(u8, &str)]) = match authority {
        b'1' => (
            "机构编制",
            &[
                (b'1', "机关"),
                (b'2', "事业单位"),
                (b'3', "中央编办直接管理机构编制的群众团体"),
                (b'9', "其他"),
            ],
        ),
        b'2' => ("外交", &[(b'1', "外国常驻新闻机构"), (b'9', "其他")]),
        b'3' => (
            "司法行政",
            &[
                (b'1', "律师执业机构"),
                (b'2', "公证处"),
                (b'3', "基层法律服务所"),
                (b'4', "司法鉴定机构"),
                (b'5', "仲裁委员会"),
                (b'9', "其他"),
            ],
        ),
        b'4' => ("文化", &[(b'1', "外国在华文化中心"), (b'9', "其他")]),
        b'5' => (
            "民政",
            &[
                (b'1', "社会团体"),
                (b'2', "民办非企业单位"),
                (b'3', "基金会"),
                (b'9', "其他"),
            ],
        ),
        b'6' => (
            "旅游",
            &[
                (b'1', "外国旅游部门常驻代表机构"),
                (b'2', "港澳台地区旅游部门常驻内地（大陆）代表机构"),
                (b'9', "其他"),
            ],
        ),
        b'7' => (
            "宗教",
            &[(b'1', "宗教活动场所"), (b'2', "宗教院校"), (b'9', "其他")],
        ),
        b'8' => ("工会", &[(b'1', "基层工会"), (b'9', "其他")]),
        b'9' => (
            "工商",
            &[
                (b'1', "企业"),
                (b'2', "个体工商户"),
                (b'3', "农民专业合作社"),
            ],
        ),
        b'A' => (
            "中央军委改革和编制办公室",
            &[(b'1', "军队事业单位"), (b'9', "其他")],
        ),
        b'N' => (
            "农业",
            &[
                (b'1', "组级集体经济组织"),
                (b'2', "村级集体经济组织"),
                (b'3', "乡镇级集体经济组织"),
                (b'9', "其他"),
            ],
        ),
        b'Y' => ("其他", &[(b'1', "其他")]),
        _ => return None,
    };
    categories
        .iter()
        .find(|(c, _)| *c == category)
        .map(|(_, c)| (name, *c))
}

// ---------------------------------------------------------------------------
// Region names

/// Province-level names of GB/T 2260 by the first two digits, plus 83 for
/// the Taiwan residents' residence permit (address code 830000).
fn province_name(prefix: &[u8]) -> Option<&'static str> {
    Some(match prefix {
        b"11" => "北京市",
        b"12" => "天津市",
        b"13" => "河北省",
        b"14" => "山西省",
        b"15" => "内蒙古自治区",
        b"21" => "辽宁省",
        b"22" => "吉林省",
        b"23" => "黑龙江省",
        b"31" => "上海市",
        b"32" => "江苏省",
        b"33" => "浙江省",
        b"34" => "安徽省",
        b"35" => "福建省",
        b"36" => "江西省",
        b"37" => "山东省",
        b"41" => "河南省",
        b"42" => "湖北省",
        b"43" => "湖南省",
        b"44" => "广东省",
        b"45" => "广西壮族自治区",
        b"46" => "海南省",
        b"50" => "重庆市",
        b"51" => "四川省",
        b"52" => "贵州省",
        b"53" => "云南省",
        b"54" => "西藏自治区",
        b"61" => "陕西省",
        b"62" => "甘肃省",
        b"63" => "青海省",
        b"64" => "宁夏回族自治区",
        b"65" => "新疆维吾尔自治区",
        b"71" | b"83" => "台湾省",
        b"81" => "香港特别行政区",
        b"82" => "澳门特别行政区",
        _ => return None,
    })
}

/// The current districts and counties of 重庆市 (GB/T 2260).
const CHONGQING: [(&str, &str); 38] = [
    ("500101", "重庆市万州区"),
    ("500102", "重庆市涪陵区"),
    ("500103", "重庆市渝中区"),
    ("500104", "重庆市大渡口区"),
    ("500105", "重庆市江北区"),
    ("500106", "重庆市沙坪坝区"),
    ("500107", "重庆市九龙坡区"),
    ("500108", "重庆市南岸区"),
    ("500109", "重庆市北碚区"),
    ("500110", "重庆市綦江区"),
    ("500111", "重庆市大足区"),
    ("500112", "重庆市渝北区"),
    ("500113", "重庆市巴南区"),
    ("500114", "重庆市黔江区"),
    ("500115", "重庆市长寿区"),
    ("500116", "重庆市江津区"),
    ("500117", "重庆市合川区"),
    ("500118", "重庆市永川区"),
    ("500119", "重庆市南川区"),
    ("500120", "重庆市璧山区"),
    ("500151", "重庆市铜梁区"),
    ("500152", "重庆市潼南区"),
    ("500153", "重庆市荣昌区"),
    ("500154", "重庆市开州区"),
    ("500155", "重庆市梁平区"),
    ("500156", "重庆市武隆区"),
    ("500229", "重庆市城口县"),
    ("500230", "重庆市丰都县"),
    ("500231", "重庆市垫江县"),
    ("500233", "重庆市忠县"),
    ("500235", "重庆市云阳县"),
    ("500236", "重庆市奉节县"),
    ("500237", "重庆市巫山县"),
    ("500238", "重庆市巫溪县"),
    ("500240", "重庆市石柱土家族自治县"),
    ("500241", "重庆市秀山土家族苗族自治县"),
    ("500242", "重庆市酉阳土家族苗族自治县"),
    ("500243", "重庆市彭水苗族土家族自治县"),
];

/// The name of a 6-digit region code: a 重庆市 district or county from the
/// table, otherwise the province-level name, otherwise `None`.
pub fn region_name(code: &str) -> Option<&'static str> {
    if code.len() != 6 {
        return None;
    }
    if code.starts_with("50")
        && let Some((_, name)) = CHONGQING.iter().find(|(c, _)| *c == code)
    {
        return Some(name);
    }
    province_name(&code.as_bytes()[..2])
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn opts() -> IdOptions {
        IdOptions::default()
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    // docs/law/README.md (identity) test vectors (GB 11643-1999, ISO 7064 MOD 11-2).
    #[test]
    fn law_md_citizen_vectors() {
        let c = parse_citizen_id("11010519491231002X", &opts()).unwrap();
        assert_eq!(c.birth_date, d(1949, 12, 31));
        assert_eq!(c.sex, Sex::Female); // sequence 002 is even
        assert_eq!(c.region_code(), Some("110105"));
        assert_eq!(c.region_name(), Some("北京市"));
        assert_eq!(c.form, CitizenIdForm::Resident);

        let c = parse_citizen_id("440524188001010014", &opts()).unwrap();
        assert_eq!(c.birth_date, d(1880, 1, 1));
        assert_eq!(c.sex, Sex::Male); // sequence 001 is odd

        assert!(parse_citizen_id("53010219200508011X", &opts()).is_ok());

        let e = parse_citizen_id("110105194912310021", &opts()).unwrap_err();
        assert_eq!(
            e,
            IdentityError::CitizenCheckCharacter {
                expected: 'X',
                given: '1'
            }
        );
        assert_eq!(e.code(), "CITIZEN_ID_CHECK_CHARACTER");
    }

    #[test]
    fn legacy_fifteen_digits_upgrade_to_eighteen() {
        let c = parse_citizen_id("110105491231002", &opts()).unwrap();
        assert_eq!(c.number(), "11010519491231002X");
        assert_eq!(c.form, CitizenIdForm::Legacy15);
        assert_eq!(c.birth_date, d(1949, 12, 31));
        let e = parse_citizen_id("110105491332002", &opts()).unwrap_err();
        assert_eq!(
            e,
            IdentityError::CitizenBirthDate {
                digits: "491332".into()
            }
        );
    }

    #[test]
    fn normalises_full_width_lower_case_spaces_and_hyphens() {
        assert_eq!(
            normalize(" １１０１０５-1949 1231　002ｘ "),
            "11010519491231002X"
        );
        let c = parse_citizen_id("１１０１０５－１９４９１２３１００２ｘ", &opts()).unwrap();
        assert_eq!(c.number(), "11010519491231002X");
        let o = parse_uscc("91350100-m000100y4 3").unwrap();
        assert_eq!(o.number(), "91350100M000100Y43");
    }

    #[test]
    fn every_rejection_says_why() {
        let e = parse_citizen_id("1101051949123100", &opts()).unwrap_err();
        assert_eq!(e, IdentityError::CitizenLength { len: 16 });
        let e = parse_citizen_id("11010519491231002A", &opts()).unwrap_err();
        assert_eq!(e.code(), "CITIZEN_ID_CHARACTER");
        assert!(e.to_string().contains("第18位"));
        let e = parse_citizen_id("1101051949123100X2", &opts()).unwrap_err();
        assert_eq!(
            e,
            IdentityError::CitizenCharacter {
                position: 17,
                found: 'X',
                allowed: "前17位只能是数字"
            }
        );
        let e = parse_citizen_id("110105194902300021", &opts()).unwrap_err();
        assert_eq!(
            e,
            IdentityError::CitizenBirthDate {
                digits: "19490230".into()
            }
        );
        let e = parse_citizen_id("110105170001010021", &opts()).unwrap_err();
        assert_eq!(e.code(), "CITIZEN_ID_BIRTH_DATE");
        let e = parse_citizen_id("1101051949123100/X", &opts()).unwrap_err();
        assert_eq!(
            e,
            IdentityError::Character {
                position: 17,
                found: '/'
            }
        );
        assert_eq!(
            parse_citizen_id(" - ", &opts()).unwrap_err(),
            IdentityError::Empty
        );
        let e = parse_uscc("91350100M000100Y4Z").unwrap_err();
        assert_eq!(
            e,
            IdentityError::UsccCharacter {
                position: 18,
                found: 'Z'
            }
        );
        let e = parse_uscc("91350100M000100Y44").unwrap_err();
        assert_eq!(
            e,
            IdentityError::UsccCheckCharacter {
                expected: '3',
                given: '4'
            }
        );
        assert_eq!(e.code(), "USCC_CHECK_CHARACTER");
        assert_eq!(
            check_id("1234567890", &opts()).unwrap_err(),
            IdentityError::Length { len: 10 }
        );
    }

    #[test]
    fn a_birth_date_after_the_reference_date_is_refused() {
        let o = IdOptions {
            as_of: Some(d(1949, 12, 30)),
            ..opts()
        };
        let e = parse_citizen_id("11010519491231002X", &o).unwrap_err();
        assert_eq!(
            e,
            IdentityError::CitizenBirthDateFuture {
                birth: d(1949, 12, 31),
                as_of: d(1949, 12, 30)
            }
        );
        let o = IdOptions {
            as_of: Some(d(1949, 12, 31)),
            ..opts()
        };
        assert!(parse_citizen_id("11010519491231002X", &o).is_ok());
    }

    #[test]
    fn unknown_province_is_refused_unless_configured() {
        // 19 is no province (and 9…, the foreigners' card, is not at issue).
        let n = with_check("19010519491231002");
        let e = parse_citizen_id(&n, &opts()).unwrap_err();
        assert_eq!(
            e,
            IdentityError::CitizenRegion {
                code: "190105".into()
            }
        );
        let lenient = IdOptions {
            reject_unknown_province: false,
            ..opts()
        };
        let c = parse_citizen_id(&n, &lenient).unwrap();
        assert_eq!(c.region_name(), None);
    }

    fn with_check(body: &str) -> String {
        format!("{body}{}", citizen_check_character(body).unwrap())
    }

    #[test]
    fn residence_permits_and_foreigners_cards_share_the_algorithm() {
        for (code, region) in [
            ("810000", PermitRegion::HongKong),
            ("820000", PermitRegion::Macao),
            ("830000", PermitRegion::Taiwan),
        ] {
            let n = with_check(&format!("{code}19900101003"));
            let c = parse_citizen_id(&n, &opts()).unwrap();
            assert_eq!(c.form, CitizenIdForm::ResidencePermit(region));
            assert_eq!(c.sex, Sex::Male);
            assert_eq!(c.region_code(), Some(code));
            assert!(c.region_name().is_some());
        }
        // 9, province of acceptance 35, nationality 840, birth date, sequence.
        let n = with_check("93584019850607002");
        let c = parse_citizen_id(&n, &opts()).unwrap();
        assert_eq!(c.form, CitizenIdForm::ForeignPermanentResident);
        assert_eq!(c.sex, Sex::Female);
        assert_eq!(c.birth_date, d(1985, 6, 7));
        assert_eq!(c.region_code(), None);
    }

    #[test]
    fn chongqing_districts_are_named() {
        let c = parse_citizen_id(&with_check("50011219900101002"), &opts()).unwrap();
        assert_eq!(c.region_name(), Some("重庆市渝北区"));
        // A code not in the small table falls back to the province.
        let c = parse_citizen_id(&with_check("50022219900101002"), &opts()).unwrap();
        assert_eq!(c.region_name(), Some("重庆市"));
        assert_eq!(region_name("510104"), Some("四川省"));
        assert_eq!(region_name("5001"), None);
    }

    // docs/law/README.md (identity) test vectors (GB 32100-2015, GB 11714-1997).
    #[test]
    fn law_md_uscc_vectors() {
        let o = parse_uscc("91350100M000100Y43").unwrap();
        assert_eq!(o.organization_code(), "M000100Y4");
        assert_eq!(o.organization_code_check, OrgCodeCheck::Valid);
        assert_eq!(o.region_code(), Some("350100"));
        assert_eq!(o.region_name(), Some("福建省"));
        let o = parse_uscc("91512081MA62K0260E").unwrap();
        assert_eq!(o.organization_code_check, OrgCodeCheck::Valid);
        assert_eq!(organization_code_check_character("M000100Y"), Some('4'));
        // The research notes these real-world codes fail the 18th-character check.
        assert!(parse_uscc("91350211M0000XUF46").is_err());
        assert!(parse_uscc("91350100M0001TGQXM").is_err());
        assert!(parse_uscc("9131000063159284XQ").is_ok());
    }

    #[test]
    fn the_organisation_code_check_is_reported_not_enforced() {
        // Change position 17 (the organisation code's check) and re-derive the
        // USCC check character: the USCC is valid, the inner check is not.
        let body = "91350100M000100Y5";
        let n = format!("{body}{}", uscc_check_character(body).unwrap());
        let o = parse_uscc(&n).unwrap();
        assert_eq!(
            o.organization_code_check,
            OrgCodeCheck::Mismatch {
                expected: '4',
                given: '5'
            }
        );
    }

    #[test]
    fn the_kind_is_told_from_the_shape() {
        assert_eq!(
            check_id("11010519491231002X", &opts()).unwrap().kind(),
            IdKind::Citizen
        );
        assert_eq!(
            check_id("110105491231002", &opts()).unwrap().kind(),
            IdKind::Citizen
        );
        assert_eq!(
            check_id("91350100M000100Y43", &opts()).unwrap().kind(),
            IdKind::Organization
        );
        // A USCC of a 机关 (registration authority 1) whose body is all digits.
        let body = "11500000000000000";
        let n = format!("{body}{}", uscc_check_character(body).unwrap());
        let id = check_id(&n, &opts()).unwrap();
        assert_eq!(id.kind(), IdKind::Organization);
        // Valid as neither: the citizen error is reported.
        let e = check_id("110105194912310021", &opts()).unwrap_err();
        assert_eq!(e.kind(), Some(IdKind::Citizen));
        let e = check_id("91350100M000100Y44", &opts()).unwrap_err();
        assert_eq!(e.kind(), Some(IdKind::Organization));
    }

    #[test]
    fn a_citizen_id_with_a_wrong_check_digit_is_not_taken_for_a_uscc() {
        // Issue 14's reproduction: a 重庆 citizen ID whose last digit is
        // mistyped into the one that happens to satisfy the USCC MOD 31 sum
        // was accepted as an organisation's code.
        let mut tried = 0;
        for seq in 0..1_000u32 {
            let body = format!("50011219800101{seq:03}");
            let u = uscc_check_character(&body).unwrap();
            if !u.is_ascii_digit() || Some(u) == citizen_check_character(&body) {
                continue;
            }
            tried += 1;
            let n = format!("{body}{u}");
            let e = check_id(&n, &opts()).unwrap_err();
            assert_eq!(e.code(), "CITIZEN_ID_CHECK_CHARACTER", "{n}");
            assert_eq!(e.kind(), Some(IdKind::Citizen));
            // As a USCC it fails on its structure: 5/0 is no pair of the table.
            assert_eq!(parse_uscc(&n).unwrap_err().code(), "USCC_CATEGORY", "{n}");
        }
        assert!(
            tried > 10,
            "some bodies have a digit as USCC check: {tried}"
        );
    }

    #[test]
    fn the_uscc_structure_is_checked_in_full() {
        let with_check = |body: &str| format!("{body}{}", uscc_check_character(body).unwrap());
        // A valid 个体工商户 in 渝北区, named by the table.
        let o = parse_uscc(&with_check("92500112MA5U0000X")).unwrap();
        assert_eq!(o.category(), ("工商", "个体工商户"));
        assert!(o.is_individual_business());
        assert_eq!(o.region_name(), Some("重庆市渝北区"));
        // Nationally registered (100000).
        assert!(parse_uscc(&with_check("12100000400000000")).is_ok());
        // Pairs outside the table: 工商 has no 9; no authority B; 民政 has no 4.
        for body in [
            "99500112MA5U0000X",
            "B1500112MA5U0000X",
            "54500112MA5U0000X",
        ] {
            let e = parse_uscc(&with_check(body)).unwrap_err();
            assert_eq!(e.code(), "USCC_CATEGORY", "{body}");
            assert!(e.to_string().contains("机构类别"), "{e}");
        }
        // Division codes: letters, an unknown province, 10 other than 100000.
        for body in [
            "9150A112MA5U0000X",
            "91990000MA5U0000X",
            "91101000MA5U0000X",
        ] {
            let e = parse_uscc(&with_check(body)).unwrap_err();
            assert_eq!(e.code(), "USCC_REGION", "{body}");
            assert_eq!(e.kind(), Some(IdKind::Organization));
        }
    }

    #[test]
    fn detection_explains_its_choice() {
        let d = detect_id("11010519491231002X", &opts()).unwrap();
        assert_eq!(d.reason, DetectionReason::CitizenOnly);
        assert!(d.reason.label_zh().contains("居民身份证"));
        let d = detect_id("110105491231002", &opts()).unwrap();
        assert_eq!(d.reason, DetectionReason::LegacyLength);
        let d = detect_id("91350100M000100Y43", &opts()).unwrap();
        assert_eq!(d.reason, DetectionReason::LettersOnlyUscc);
        // An all-digit USCC of a 机关 that is no valid citizen ID.
        let n = (0..100u32)
            .map(|k| format!("115000000000000{k:02}"))
            .find_map(|body| {
                let c = uscc_check_character(&body)?;
                c.is_ascii_digit().then(|| format!("{body}{c}"))
            })
            .unwrap();
        let d = detect_id(&n, &opts()).unwrap();
        assert_eq!(d.reason, DetectionReason::UsccOnly, "{n}");
        assert_eq!(d.reason.as_str(), "uscc_only");
    }

    #[test]
    fn an_all_digit_value_valid_as_both_kinds_follows_the_documented_rule() {
        // Find a 9-prefixed body valid as both a foreigner's card and a USCC.
        let mut found = None;
        for seq in 0..1_000u32 {
            let body = format!("93500019800115{seq:03}");
            let c = citizen_check_character(&body).unwrap();
            let u = uscc_check_character(&body).unwrap();
            if c == u && c.is_ascii_digit() {
                found = Some(format!("{body}{c}"));
                break;
            }
        }
        let n = found.expect("some body has equal check characters");
        assert!(parse_citizen_id(&n, &opts()).is_ok());
        assert!(parse_uscc(&n).is_ok());
        assert_eq!(check_id(&n, &opts()).unwrap().kind(), IdKind::Organization);
    }
}
