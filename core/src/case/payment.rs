//! Payment codes (缴款码) and the payment QR content.
//!
//! 罚缴分离 (行政处罚法 Art. 67; 国务院令第235号): the party pays the bank
//! or the electronic payment system, never the officer or the agency (the
//! exceptions of Art. 68–70 are recorded with a finance receipt number, see
//! [`super::CaseEvent::CollectOnTheSpot`]). Hence the QR printed on the
//! decision carries **only** the platform's payment URL filled with the
//! code, the amount and the due date; it never carries a bank account, and
//! a URL template with a long literal digit run (an account number, by its
//! look) is refused.
//!
//! Chongqing's 缴款码 format is unverified (docs/law/payment.md, ❓), so the scheme is
//! per-township configuration ([`PaymentScheme`]), not a hard-coded fact:
//!
//! - `issued_range`: the finance platform issued a range of codes (预赋码)
//!   to the 执收单位; the device consumes them like document numbers from the
//!   [`PAYMENT_CODE_SERIES`](super::numbers::PAYMENT_CODE_SERIES) series and
//!   prints `prefix` + the serial zero-padded to `width` digits.
//! - `local`: a locally generated reference, `prefix` + township code (9
//!   digits) + year (4) + serial (zero-padded to `seq_width`) + two check
//!   digits of **ISO 7064 MOD 97-10** (the IBAN check: the check digits
//!   `c = 98 − (body × 100 mod 97)` make the whole number ≡ 1 mod 97). It
//!   detects every single-digit substitution and every adjacent
//!   transposition. The serial still comes from a leased range, so two
//!   devices never generate the same code.
//! - `none`: no code offline; the decision names the channel only and the
//!   code is delivered after sync (docs/law/payment.md).

use chrono::NaiveDate;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::{Deserialize, Serialize};

use crate::ErrorCode;

/// Errors about payment codes and the payment URL.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PaymentError {
    /// The prefix of a code is not digits.
    #[error("缴款码前缀“{0}”只能由数字组成")]
    PrefixNotDigits(String),
    /// The serial does not fit the configured width.
    #[error("缴款码序号 {seq} 超过 {width} 位")]
    SerialTooWide {
        /// The serial.
        seq: i64,
        /// The width.
        width: usize,
    },
    /// The township code is not 9 digits.
    #[error("镇街代码“{0}”不是 9 位数字")]
    TownshipCode(String),
    /// The payment URL template is not acceptable.
    #[error("缴款链接模板无效：{0}")]
    UrlTemplate(String),
}

impl ErrorCode for PaymentError {
    fn code(&self) -> &'static str {
        match self {
            Self::PrefixNotDigits(_) => "PAYMENT_PREFIX_INVALID",
            Self::SerialTooWide { .. } => "PAYMENT_SERIAL_TOO_WIDE",
            Self::TownshipCode(_) => "PAYMENT_TOWNSHIP_CODE",
            Self::UrlTemplate(_) => "PAYMENT_URL_TEMPLATE",
        }
    }
}

/// How a township's payment codes are made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum PaymentScheme {
    /// Codes from a range the finance platform issued.
    IssuedRange {
        /// Digits printed before the serial.
        prefix: String,
        /// Digits of the zero-padded serial.
        width: usize,
    },
    /// Locally generated codes with ISO 7064 MOD 97-10 check digits.
    Local {
        /// Digits printed first.
        prefix: String,
        /// Digits of the zero-padded serial.
        seq_width: usize,
    },
    /// No code offline.
    None,
}

impl PaymentScheme {
    /// Checks the scheme's own fields.
    pub fn validate(&self) -> Result<(), PaymentError> {
        match self {
            Self::IssuedRange { prefix, width }
            | Self::Local {
                prefix,
                seq_width: width,
            } => {
                if !prefix.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(PaymentError::PrefixNotDigits(prefix.clone()));
                }
                if !(1..=18).contains(width) {
                    return Err(PaymentError::SerialTooWide {
                        seq: 0,
                        width: *width,
                    });
                }
                Ok(())
            }
            Self::None => Ok(()),
        }
    }

    /// Whether codes are consumed from the `payment_code` series.
    pub fn consumes_numbers(&self) -> bool {
        !matches!(self, Self::None)
    }

    /// The code for serial `seq` of `year` in `township`.
    pub fn code(
        &self,
        township: &str,
        year: i32,
        seq: i64,
    ) -> Result<Option<String>, PaymentError> {
        match self {
            Self::IssuedRange { prefix, width } => Ok(Some(issued_code(prefix, *width, seq)?)),
            Self::Local { prefix, seq_width } => {
                Ok(Some(local_code(prefix, township, year, seq, *seq_width)?))
            }
            Self::None => Ok(None),
        }
    }
}

fn padded(seq: i64, width: usize) -> Result<String, PaymentError> {
    let s = format!("{seq:0width$}");
    if seq < 0 || s.len() > width {
        return Err(PaymentError::SerialTooWide { seq, width });
    }
    Ok(s)
}

/// `prefix` + `seq` zero-padded to `width` digits (an issued-range code).
pub fn issued_code(prefix: &str, width: usize, seq: i64) -> Result<String, PaymentError> {
    if !prefix.bytes().all(|b| b.is_ascii_digit()) {
        return Err(PaymentError::PrefixNotDigits(prefix.to_owned()));
    }
    Ok(format!("{prefix}{}", padded(seq, width)?))
}

/// The remainder of a decimal digit string modulo 97 (`None` if not all digits).
fn mod97(digits: &str) -> Option<u32> {
    digits.bytes().try_fold(0u32, |acc, b| {
        b.is_ascii_digit()
            .then(|| (acc * 10 + u32::from(b - b'0')) % 97)
    })
}

/// ISO 7064 MOD 97-10 check digits for a decimal `body`: `98 − (body·100 mod 97)`,
/// two digits (`02`…`98`). `None` if `body` is empty or not all digits.
pub fn mod97_10_check_digits(body: &str) -> Option<String> {
    if body.is_empty() {
        return None;
    }
    let r = mod97(&format!("{body}00"))?;
    Some(format!("{:02}", 98 - r))
}

/// Whether a decimal string ends in valid ISO 7064 MOD 97-10 check digits
/// (the whole number ≡ 1 mod 97).
pub fn mod97_10_verify(code: &str) -> bool {
    code.len() >= 3 && mod97(code) == Some(1)
}

/// A local code: `prefix` + township (9 digits) + year (4) + serial
/// (zero-padded to `seq_width`) + MOD 97-10 check digits.
pub fn local_code(
    prefix: &str,
    township: &str,
    year: i32,
    seq: i64,
    seq_width: usize,
) -> Result<String, PaymentError> {
    if !prefix.bytes().all(|b| b.is_ascii_digit()) {
        return Err(PaymentError::PrefixNotDigits(prefix.to_owned()));
    }
    if township.len() != 9 || !township.bytes().all(|b| b.is_ascii_digit()) {
        return Err(PaymentError::TownshipCode(township.to_owned()));
    }
    let body = format!("{prefix}{township}{year:04}{}", padded(seq, seq_width)?);
    let check =
        mod97_10_check_digits(&body).ok_or(PaymentError::PrefixNotDigits(prefix.to_owned()))?;
    Ok(format!("{body}{check}"))
}

/// Characters left unescaped in a filled value: RFC 3986 unreserved.
const VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Longest literal digit run a URL template may contain: anything longer
/// looks like a bank account number, which must never be in the QR
/// (罚缴分离, 行政处罚法 Art. 67).
const MAX_LITERAL_DIGITS: usize = 11;

/// A checked payment URL template, e.g.
/// `https://pay.example.invalid/fine?code={code}&amount={amount_fen}&due={due}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentUrlTemplate(String);

impl PaymentUrlTemplate {
    /// Checks a template: `https://`, only the placeholders `{code}`
    /// (required), `{amount_fen}` and `{due}`, no long literal digit runs.
    pub fn parse(template: &str) -> Result<Self, PaymentError> {
        let err = |m: &str| PaymentError::UrlTemplate(m.to_owned());
        if !template.starts_with("https://") {
            return Err(err("必须是 https:// 开头的缴款平台地址"));
        }
        let mut rest = template;
        let mut literal = String::new();
        let mut has_code = false;
        while let Some(open) = rest.find('{') {
            literal.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            let close = after.find('}').ok_or_else(|| err("“{”未闭合"))?;
            match &after[..close] {
                "code" => has_code = true,
                "amount_fen" | "due" => {}
                other => return Err(err(&format!("未知占位符“{{{other}}}”"))),
            }
            literal.push(' ');
            rest = &after[close + 1..];
        }
        literal.push_str(rest);
        if literal.contains('}') {
            return Err(err("多余的“}”"));
        }
        if !has_code {
            return Err(err("必须包含 {code}"));
        }
        let longest = literal
            .split(|c: char| !c.is_ascii_digit())
            .map(str::len)
            .max()
            .unwrap_or(0);
        if longest > MAX_LITERAL_DIGITS {
            return Err(err(
                "含有疑似银行账号的长数字串；二维码不得包含收款账号（罚缴分离，行政处罚法第六十七条）",
            ));
        }
        Ok(Self(template.to_owned()))
    }

    /// The QR content: the template with each value percent-encoded.
    /// `{due}` is `YYYYMMDD` (as the WeChat 非税 API's
    /// `payment_expire_date`, docs/law/payment.md), empty when unknown.
    pub fn fill(&self, code: &str, amount_fen: i64, due: Option<NaiveDate>) -> String {
        let due = due
            .map(|d| d.format("%Y%m%d").to_string())
            .unwrap_or_default();
        self.0
            .replace("{code}", &utf8_percent_encode(code, VALUE).to_string())
            .replace("{amount_fen}", &amount_fen.to_string())
            .replace("{due}", &utf8_percent_encode(&due, VALUE).to_string())
    }

    /// The template as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn mod97_matches_the_iban_example() {
        // ISO 13616 example GB82 WEST 1234 5698 7654 32: rearranged numeric
        // form 3214282912345698765432161182 ≡ 1 (mod 97).
        assert!(mod97_10_verify("3214282912345698765432161182"));
        assert_eq!(
            mod97_10_check_digits("32142829123456987654321611").as_deref(),
            Some("82")
        );
    }

    #[test]
    fn url_templates_are_checked_and_values_encoded() {
        let t = PaymentUrlTemplate::parse(
            "https://pay.example.invalid/f?c={code}&a={amount_fen}&d={due}",
        )
        .unwrap();
        let d = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
        assert_eq!(
            t.fill("AB 1/2&x", 5000, Some(d)),
            "https://pay.example.invalid/f?c=AB%201%2F2%26x&a=5000&d=20260302"
        );
        for bad in [
            "http://pay.example.invalid/{code}",
            "https://pay.example.invalid/x",
            "https://pay.example.invalid/{code}/{account}",
            "https://pay.example.invalid/{code}?acct=6222020200112233445",
            "https://pay.example.invalid/{code",
        ] {
            assert_eq!(
                PaymentUrlTemplate::parse(bad).unwrap_err().code(),
                "PAYMENT_URL_TEMPLATE",
                "{bad}"
            );
        }
    }

    #[test]
    fn issued_codes_are_fixed_width() {
        assert_eq!(issued_code("5001", 8, 42).unwrap(), "500100000042");
        assert_eq!(
            issued_code("5001", 2, 420).unwrap_err().code(),
            "PAYMENT_SERIAL_TOO_WIDE"
        );
        assert_eq!(
            issued_code("CQ", 2, 4).unwrap_err().code(),
            "PAYMENT_PREFIX_INVALID"
        );
    }

    proptest! {
        #[test]
        fn every_local_code_verifies(prefix in "[0-9]{0,4}", seq in 1i64..1_000_000, year in 2000i32..2100) {
            let code = local_code(&prefix, "500112108", year, seq, 6).unwrap();
            prop_assert!(mod97_10_verify(&code), "{}", code);
            prop_assert_eq!(code.len(), prefix.len() + 9 + 4 + 6 + 2);
        }

        #[test]
        fn every_single_digit_substitution_is_detected(
            seq in 1i64..1_000_000, pos in 0usize..23, delta in 1u8..10
        ) {
            let code = local_code("50", "500112108", 2026, seq, 6).unwrap();
            let mut bytes = code.clone().into_bytes();
            let i = pos % bytes.len();
            bytes[i] = b'0' + (bytes[i] - b'0' + delta) % 10;
            let altered = String::from_utf8(bytes).unwrap();
            prop_assert_ne!(&altered, &code);
            prop_assert!(!mod97_10_verify(&altered), "{} → {}", code, altered);
        }

        #[test]
        fn every_adjacent_transposition_is_detected(seq in 1i64..1_000_000, pos in 0usize..22) {
            let code = local_code("50", "500112108", 2026, seq, 6).unwrap();
            let mut bytes = code.clone().into_bytes();
            prop_assume!(bytes[pos] != bytes[pos + 1]);
            bytes.swap(pos, pos + 1);
            let altered = String::from_utf8(bytes).unwrap();
            prop_assert!(!mod97_10_verify(&altered), "{} → {}", code, altered);
        }
    }
}
