//! The identity document a natural person shows (证件类型), and the check of
//! its number per document.
//!
//! The officer chooses the document on the party screen; the choice goes
//! into the case record and the documents print its name. Numbers are
//! normalised as in [`identity`](super::identity) (full width, case,
//! spaces and hyphens). Each rejection is an [`IdDocError`] with a stable
//! code and a Chinese message.
//!
//! | Document | Check | Source |
//! |---|---|---|
//! | 居民身份证 | GB 11643 in full, 18 characters or the legacy 15 digits ([`parse_citizen_id`]) | 🟢 GB 11643 (see `identity`) |
//! | 港澳台居民居住证 | the same algorithm, address code 810000/820000/830000 | 🟡 as in `identity` |
//! | 外国人永久居留身份证 | the 2023 form (18 characters, first digit 9, same check character) in full; any other form is accepted with a note (`ID_DOC_FORMAT_UNVERIFIED`) | 🟡 as in `identity`; the older card's format has no source here |
//! | 港澳居民来往内地通行证 | `H` (Hong Kong) or `M` (Macao) and 10 digits: an 8-digit lifelong number and a 2-digit issue count | 🟡 公安部出入境管理局《港澳居民来往内地通行证号码规则》, 2010-03-10, as reported by 中国新闻网 (docs/law/README.md, identity documents) |
//! | 台湾居民来往大陆通行证 | 8 digits (the holder's lifelong number, "一人一号、终身不变" since 2008-09-25) | 🟡 中国新闻网 2008-09-12 (docs/law/README.md) |
//! | 护照 (中国) | no rule from an authoritative source: only letters and digits, 5 to 20 characters; a number that is not a capital letter then 8 characters is accepted with a note | ❓ third-party pages only |
//! | 护照 (外国) | letters and digits, 5 to 20 characters, and the nationality | ❓ no format: each state sets its own |
//! | 无证件 | no number; the party's statement, a photo of the party and the reason there is no document | — |
//!
//! The 🟡/❓ formats are **lenient by default**: a number that does not fit
//! the cited format is accepted with a note the officer sees
//! ([`DocCheck::note`]), unless [`DocOptions::strict_formats`] is set, when
//! it is rejected. The 5–20 character bound of passports is this module's
//! sanity bound against a stray keystroke, not a rule of any document, and
//! is configurable ([`DocOptions::min_len`], [`DocOptions::max_len`]).
//!
//! The birth date: a citizen-type number carries it; the other documents'
//! numbers do not, so it must be entered ([`IdDocKind::number_has_birth_date`]),
//! and the age rules (不予处罚 of a minor, 行政处罚法 Art. 30) use it.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::ErrorCode;

use super::identity::{
    CitizenId, CitizenIdForm, IdOptions, IdentityError, normalize, parse_citizen_id,
};

/// The identity document of a natural person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdDocKind {
    /// 居民身份证 (the default).
    #[default]
    ResidentId,
    /// 港澳台居民居住证.
    ResidencePermit,
    /// 港澳居民来往内地通行证 (回乡证).
    HkMacaoPermit,
    /// 台湾居民来往大陆通行证 (台胞证).
    TaiwanPermit,
    /// 中华人民共和国护照.
    ChinesePassport,
    /// A foreign passport (the nationality is recorded with it).
    ForeignPassport,
    /// 外国人永久居留身份证.
    ForeignPermanentResident,
    /// No document: identity by the party's statement and a photo.
    NoDocument,
}

impl IdDocKind {
    /// Every kind, in the order the party screen offers them.
    pub const ALL: [Self; 8] = [
        Self::ResidentId,
        Self::ResidencePermit,
        Self::HkMacaoPermit,
        Self::TaiwanPermit,
        Self::ChinesePassport,
        Self::ForeignPassport,
        Self::ForeignPermanentResident,
        Self::NoDocument,
    ];

    /// The stable name used in JSON, e.g. `foreign_passport`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ResidentId => "resident_id",
            Self::ResidencePermit => "residence_permit",
            Self::HkMacaoPermit => "hk_macao_permit",
            Self::TaiwanPermit => "taiwan_permit",
            Self::ChinesePassport => "chinese_passport",
            Self::ForeignPassport => "foreign_passport",
            Self::ForeignPermanentResident => "foreign_permanent_resident",
            Self::NoDocument => "no_document",
        }
    }

    /// The kind of a stable name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The document's name as printed (证件类型). Both passports print
    /// `护照`; the nationality of a foreign one is printed with it.
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::ResidentId => "居民身份证",
            Self::ResidencePermit => "港澳台居民居住证",
            Self::HkMacaoPermit => "港澳居民来往内地通行证",
            Self::TaiwanPermit => "台湾居民来往大陆通行证",
            Self::ChinesePassport | Self::ForeignPassport => "护照",
            Self::ForeignPermanentResident => "外国人永久居留身份证",
            Self::NoDocument => "无证件",
        }
    }

    /// Whether the number may encode the birth date (the GB 11643 forms;
    /// for a 外国人永久居留身份证 only its 2023 form, [`DocCheck::birth_date`]);
    /// for the other kinds it must be entered.
    pub fn number_has_birth_date(self) -> bool {
        matches!(
            self,
            Self::ResidentId | Self::ResidencePermit | Self::ForeignPermanentResident
        )
    }

    /// Whether the document has a number at all.
    pub fn has_number(self) -> bool {
        self != Self::NoDocument
    }
}

/// Options of the per-document check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DocOptions {
    /// The citizen-number options (reference date, province check).
    pub citizen: IdOptions,
    /// Reject a number that does not fit a 🟡/❓ format instead of noting it.
    pub strict_formats: bool,
    /// The shortest number accepted where no format is known.
    pub min_len: usize,
    /// The longest number accepted where no format is known.
    pub max_len: usize,
}

impl Default for DocOptions {
    fn default() -> Self {
        Self {
            citizen: IdOptions::default(),
            strict_formats: false,
            min_len: 5,
            max_len: 20,
        }
    }
}

/// A number accepted for its document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocCheck {
    /// The normalised number (empty for [`IdDocKind::NoDocument`]).
    pub number: String,
    /// The citizen-type number parsed, for the GB 11643 forms.
    pub citizen: Option<CitizenId>,
    /// Accepted, but not against a cited format: the officer should look
    /// at the document again.
    pub note: Option<IdDocNote>,
}

impl DocCheck {
    /// The birth date the number encodes, if any.
    pub fn birth_date(&self) -> Option<NaiveDate> {
        self.citizen.map(|c| c.birth_date)
    }
}

/// Why a number was accepted without a cited format to check it against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum IdDocNote {
    /// The number does not fit the format this module knows for the document.
    #[error("号码不符合已知的{doc}号码格式，已按填写记录，请再次核对证件")]
    FormatUnverified {
        /// The document's name.
        doc: &'static str,
    },
}

impl ErrorCode for IdDocNote {
    fn code(&self) -> &'static str {
        match self {
            Self::FormatUnverified { .. } => "ID_DOC_FORMAT_UNVERIFIED",
        }
    }
}

/// Why a number was rejected for its document.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum IdDocError {
    /// The citizen-type number failed GB 11643.
    #[error(transparent)]
    Citizen(#[from] IdentityError),
    /// A valid citizen-type number of another document, e.g. a resident ID
    /// number given as a residence permit.
    #[error("号码是{found}号码，不是{chosen}号码，请核对证件类型")]
    WrongDocument {
        /// The document chosen.
        chosen: &'static str,
        /// The document the number belongs to.
        found: &'static str,
    },
    /// No number where the document has one.
    #[error("请填写{doc}号码")]
    Empty {
        /// The document's name.
        doc: &'static str,
    },
    /// A character other than a Latin letter or a digit.
    #[error("第{position}位字符“{found}”不是数字或字母")]
    Character {
        /// 1-based position in the normalised number.
        position: usize,
        /// The character.
        found: char,
    },
    /// A length outside the bounds.
    #[error("{doc}号码为{len}位，应为{expected}")]
    Length {
        /// The document's name.
        doc: &'static str,
        /// The length given.
        len: usize,
        /// What is expected, in words.
        expected: String,
    },
    /// Not the document's format (strict mode, or a cited format's fixed part).
    #[error("{doc}号码格式不符：{expected}")]
    Format {
        /// The document's name.
        doc: &'static str,
        /// The format, in words.
        expected: &'static str,
    },
}

impl ErrorCode for IdDocError {
    fn code(&self) -> &'static str {
        match self {
            Self::Citizen(e) => e.code(),
            Self::WrongDocument { .. } => "ID_DOC_WRONG_DOCUMENT",
            Self::Empty { .. } => "ID_DOC_EMPTY",
            Self::Character { .. } => "ID_DOC_CHARACTER",
            Self::Length { .. } => "ID_DOC_LENGTH",
            Self::Format { .. } => "ID_DOC_FORMAT",
        }
    }
}

const HK_MACAO_FORMAT: &str = "首位H（香港）或M（澳门），后接10位数字";
const TAIWAN_FORMAT: &str = "8位数字";
const PASSPORT_CN_FORMAT: &str = "首位为字母，共9位";
const FPR_FORMAT: &str = "18位，首位为9";

/// Checks `input` as the number of a `kind` document. A
/// [`IdDocKind::NoDocument`] party has no number: anything given is refused.
pub fn check_document(
    kind: IdDocKind,
    input: &str,
    opts: &DocOptions,
) -> Result<DocCheck, IdDocError> {
    let number = normalize(input);
    let doc = kind.name_zh();
    if kind == IdDocKind::NoDocument {
        return if number.is_empty() {
            Ok(DocCheck {
                number,
                citizen: None,
                note: None,
            })
        } else {
            Err(IdDocError::Format {
                doc,
                expected: "无证件时不填写号码",
            })
        };
    }
    if number.is_empty() {
        return Err(IdDocError::Empty { doc });
    }
    match kind {
        IdDocKind::ResidentId => citizen_form(kind, &number, opts, |f| {
            matches!(f, CitizenIdForm::Resident | CitizenIdForm::Legacy15)
        }),
        IdDocKind::ResidencePermit => citizen_form(kind, &number, opts, |f| {
            matches!(f, CitizenIdForm::ResidencePermit(_))
        }),
        IdDocKind::ForeignPermanentResident => {
            // The 2023 form is checked in full; another form (the older
            // card) has no cited format and is noted, never guessed at.
            if number.len() == 18 && number.starts_with('9') {
                citizen_form(kind, &number, opts, |f| {
                    f == CitizenIdForm::ForeignPermanentResident
                })
            } else {
                free_form(kind, number, opts, |_| false, FPR_FORMAT)
            }
        }
        IdDocKind::HkMacaoPermit => {
            alnum(&number)?;
            let fits = fits_hk_macao(&number);
            cited(kind, number, opts, fits, HK_MACAO_FORMAT)
        }
        IdDocKind::TaiwanPermit => {
            alnum(&number)?;
            let fits = number.len() == 8 && number.bytes().all(|b| b.is_ascii_digit());
            cited(kind, number, opts, fits, TAIWAN_FORMAT)
        }
        IdDocKind::ChinesePassport => free_form(
            kind,
            number,
            opts,
            |n| n.len() == 9 && n.as_bytes()[0].is_ascii_uppercase(),
            PASSPORT_CN_FORMAT,
        ),
        IdDocKind::ForeignPassport => free_form(kind, number, opts, |_| true, ""),
        IdDocKind::NoDocument => unreachable!("handled above"),
    }
}

/// `H` or `M`, then 10 digits (公安部, 2010).
fn fits_hk_macao(n: &str) -> bool {
    let b = n.as_bytes();
    b.len() == 11 && matches!(b[0], b'H' | b'M') && b[1..].iter().all(u8::is_ascii_digit)
}

fn alnum(n: &str) -> Result<(), IdDocError> {
    match n
        .chars()
        .enumerate()
        .find(|(_, c)| !c.is_ascii_alphanumeric())
    {
        Some((i, c)) => Err(IdDocError::Character {
            position: i + 1,
            found: c,
        }),
        None => Ok(()),
    }
}

/// A GB 11643 number that must be of the forms `ok`.
fn citizen_form(
    kind: IdDocKind,
    number: &str,
    opts: &DocOptions,
    ok: impl Fn(CitizenIdForm) -> bool,
) -> Result<DocCheck, IdDocError> {
    let id = parse_citizen_id(number, &opts.citizen)?;
    if !ok(id.form) {
        return Err(IdDocError::WrongDocument {
            chosen: kind.name_zh(),
            found: match id.form {
                CitizenIdForm::Resident | CitizenIdForm::Legacy15 => "居民身份证",
                CitizenIdForm::ResidencePermit(_) => "港澳台居民居住证",
                CitizenIdForm::ForeignPermanentResident => "外国人永久居留身份证",
            },
        });
    }
    Ok(DocCheck {
        number: id.number().to_owned(),
        citizen: Some(id),
        note: None,
    })
}

/// A cited (🟡) format: a miss is a note, or an error when strict.
fn cited(
    kind: IdDocKind,
    number: String,
    opts: &DocOptions,
    fits: bool,
    expected: &'static str,
) -> Result<DocCheck, IdDocError> {
    let doc = kind.name_zh();
    if fits {
        return Ok(DocCheck {
            number,
            citizen: None,
            note: None,
        });
    }
    if opts.strict_formats {
        return Err(IdDocError::Format { doc, expected });
    }
    bounded(doc, &number, opts)?;
    Ok(DocCheck {
        number,
        citizen: None,
        note: Some(IdDocNote::FormatUnverified { doc }),
    })
}

/// No cited format: letters and digits within the bounds; `fits` says
/// whether it looks like the usual form (else a note, or an error when
/// strict and a form is given).
fn free_form(
    kind: IdDocKind,
    number: String,
    opts: &DocOptions,
    fits: impl Fn(&str) -> bool,
    expected: &'static str,
) -> Result<DocCheck, IdDocError> {
    alnum(&number)?;
    let doc = kind.name_zh();
    bounded(doc, &number, opts)?;
    if fits(&number) {
        return Ok(DocCheck {
            number,
            citizen: None,
            note: None,
        });
    }
    if opts.strict_formats && !expected.is_empty() {
        return Err(IdDocError::Format { doc, expected });
    }
    Ok(DocCheck {
        number,
        citizen: None,
        note: Some(IdDocNote::FormatUnverified { doc }),
    })
}

fn bounded(doc: &'static str, number: &str, opts: &DocOptions) -> Result<(), IdDocError> {
    let len = number.chars().count();
    if len < opts.min_len || len > opts.max_len {
        return Err(IdDocError::Length {
            doc,
            len,
            expected: format!("{}至{}位", opts.min_len, opts.max_len),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::identity::citizen_check_character;

    fn with_check(body: &str) -> String {
        let c = citizen_check_character(body).expect("17 digits");
        format!("{body}{c}")
    }

    #[test]
    fn kinds_round_trip_their_names() {
        for k in IdDocKind::ALL {
            assert_eq!(IdDocKind::parse(k.as_str()), Some(k));
            let json = serde_json::to_string(&k).expect("serialises");
            assert_eq!(json, format!("\"{}\"", k.as_str()));
        }
        assert_eq!(IdDocKind::parse("passport"), None);
        assert_eq!(IdDocKind::default(), IdDocKind::ResidentId);
    }

    #[test]
    fn resident_id_refuses_a_residence_permit_number_and_back() {
        let opts = DocOptions::default();
        let resident = with_check("50010319900307001");
        let permit = with_check("81000019900307001");
        let ok = check_document(IdDocKind::ResidentId, &resident, &opts).expect("resident");
        assert_eq!(ok.birth_date(), NaiveDate::from_ymd_opt(1990, 3, 7));
        let e = check_document(IdDocKind::ResidentId, &permit, &opts).unwrap_err();
        assert_eq!(e.code(), "ID_DOC_WRONG_DOCUMENT");
        assert_eq!(
            e.to_string(),
            "号码是港澳台居民居住证号码，不是居民身份证号码，请核对证件类型"
        );
        let ok = check_document(IdDocKind::ResidencePermit, &permit, &opts).expect("permit");
        assert!(ok.citizen.is_some());
        let e = check_document(IdDocKind::ResidencePermit, &resident, &opts).unwrap_err();
        assert_eq!(e.code(), "ID_DOC_WRONG_DOCUMENT");
    }

    #[test]
    fn a_bad_check_character_keeps_its_gb11643_code() {
        let mut n = with_check("81000019900307001");
        let last = if n.ends_with('0') { '1' } else { '0' };
        n.pop();
        n.push(last);
        let e = check_document(IdDocKind::ResidencePermit, &n, &DocOptions::default()).unwrap_err();
        assert_eq!(e.code(), "CITIZEN_ID_CHECK_CHARACTER");
    }

    #[test]
    fn hk_macao_permit_fits_the_2010_rule_or_is_noted() {
        let opts = DocOptions::default();
        let ok = check_document(IdDocKind::HkMacaoPermit, "h1234567800", &opts).expect("fits");
        assert_eq!(ok.number, "H1234567800");
        assert_eq!(ok.note, None);
        let noted = check_document(IdDocKind::HkMacaoPermit, "H12345678", &opts).expect("lenient");
        assert_eq!(
            noted.note.map(|n| n.code()),
            Some("ID_DOC_FORMAT_UNVERIFIED")
        );
        let strict = DocOptions {
            strict_formats: true,
            ..opts
        };
        let e = check_document(IdDocKind::HkMacaoPermit, "H12345678", &strict).unwrap_err();
        assert_eq!(e.code(), "ID_DOC_FORMAT");
        let e = check_document(IdDocKind::HkMacaoPermit, "H1234/67800", &opts).unwrap_err();
        assert_eq!(
            e,
            IdDocError::Character {
                position: 6,
                found: '/'
            }
        );
    }

    #[test]
    fn taiwan_permit_is_eight_digits() {
        let opts = DocOptions::default();
        assert_eq!(
            check_document(IdDocKind::TaiwanPermit, "0123 4567", &opts)
                .expect("ok")
                .note,
            None
        );
        let strict = DocOptions {
            strict_formats: true,
            ..opts
        };
        assert_eq!(
            check_document(IdDocKind::TaiwanPermit, "1234567", &strict)
                .unwrap_err()
                .code(),
            "ID_DOC_FORMAT"
        );
    }

    #[test]
    fn passports_are_bounded_and_foreign_ones_free() {
        let opts = DocOptions::default();
        assert_eq!(
            check_document(IdDocKind::ChinesePassport, "EA1234567", &opts)
                .expect("ok")
                .note,
            None
        );
        assert!(
            check_document(IdDocKind::ChinesePassport, "123456789", &opts)
                .expect("noted")
                .note
                .is_some()
        );
        assert_eq!(
            check_document(IdDocKind::ForeignPassport, "X1234", &opts)
                .expect("ok")
                .note,
            None
        );
        let e = check_document(IdDocKind::ForeignPassport, "X12", &opts).unwrap_err();
        assert_eq!(e.code(), "ID_DOC_LENGTH");
        assert_eq!(e.to_string(), "护照号码为3位，应为5至20位");
        assert_eq!(
            check_document(IdDocKind::ForeignPassport, "", &opts)
                .unwrap_err()
                .to_string(),
            "请填写护照号码"
        );
    }

    #[test]
    fn permanent_residence_2023_form_is_checked_in_full() {
        let opts = DocOptions::default();
        let n = with_check("93361019900307001");
        let ok = check_document(IdDocKind::ForeignPermanentResident, &n, &opts).expect("2023 form");
        assert_eq!(ok.note, None);
        assert!(ok.birth_date().is_some());
        let older = check_document(IdDocKind::ForeignPermanentResident, "USA110090101", &opts)
            .expect("lenient");
        assert!(older.note.is_some());
    }

    #[test]
    fn no_document_has_no_number() {
        let opts = DocOptions::default();
        assert_eq!(
            check_document(IdDocKind::NoDocument, " ", &opts)
                .expect("ok")
                .number,
            ""
        );
        assert_eq!(
            check_document(IdDocKind::NoDocument, "123", &opts)
                .unwrap_err()
                .code(),
            "ID_DOC_FORMAT"
        );
        assert!(!IdDocKind::NoDocument.has_number());
        assert!(!IdDocKind::ForeignPassport.number_has_birth_date());
    }
}
