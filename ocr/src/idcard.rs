//! The fields of a 居民身份证's front from the lines of text read off it:
//! 姓名, 性别, 民族, 出生, 住址 (over as many lines as it takes) and
//! 公民身份号码. The number is checked (GB 11643, `zhifa_core`'s
//! [`parse_citizen_id`]) and the birth date and sex read from the card are
//! cross-checked against the ones the number encodes. Nothing here is
//! accepted automatically: every disagreement or gap is a [`ReadIssue`] for
//! the officer, who confirms or corrects each field on screen.

use chrono::NaiveDate;
use serde::Serialize;
use zhifa_core::ErrorCode;
use zhifa_core::rules::identity::{IdOptions, parse_citizen_id};

use crate::engine::TextLine;

/// Where a field's value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldSource {
    /// Read off the card.
    Read,
    /// Not legible on the card; derived from a valid number.
    FromNumber,
}

/// One field as read.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Field {
    /// The value (a birth date as `YYYY-MM-DD`).
    pub value: String,
    /// The mean character probability of the line(s) it came from (0–1).
    pub confidence: f32,
    /// Where it came from.
    pub source: FieldSource,
}

/// Something the officer must look at before accepting the reading.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "code", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ReadIssue {
    /// No 18-character number was found on the card.
    OcrNumberNotFound,
    /// A number was read but fails the GB 11643 check.
    OcrNumberCheckFailed {
        /// The number as read.
        read: String,
        /// The check's stable code (e.g. `ID_CITIZEN_CHECK_CHARACTER`).
        reason_code: String,
        /// The check's message.
        reason: String,
    },
    /// The birth date read differs from the one in the number.
    OcrBirthDateMismatch {
        /// As read off the card.
        read: String,
        /// As encoded in the number.
        from_number: String,
    },
    /// The sex read differs from the one in the number.
    OcrSexMismatch {
        /// As read off the card.
        read: String,
        /// As encoded in the number.
        from_number: String,
    },
    /// A field could not be read.
    OcrFieldMissing {
        /// `name`, `sex`, `ethnicity`, `birth_date` or `address`.
        field: &'static str,
    },
}

impl ReadIssue {
    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::OcrNumberNotFound => "OCR_NUMBER_NOT_FOUND",
            Self::OcrNumberCheckFailed { .. } => "OCR_NUMBER_CHECK_FAILED",
            Self::OcrBirthDateMismatch { .. } => "OCR_BIRTH_DATE_MISMATCH",
            Self::OcrSexMismatch { .. } => "OCR_SEX_MISMATCH",
            Self::OcrFieldMissing { .. } => "OCR_FIELD_MISSING",
        }
    }

    /// What to tell the officer, in Chinese.
    pub fn message_zh(&self) -> String {
        match self {
            Self::OcrNumberNotFound => "未识别到公民身份号码，请核对或手工输入".into(),
            Self::OcrNumberCheckFailed { reason, .. } => {
                format!("识别出的号码未通过校验（{reason}），请核对")
            }
            Self::OcrBirthDateMismatch { read, from_number } => {
                format!("证件上的出生日期 {read} 与号码中的 {from_number} 不一致，请核对")
            }
            Self::OcrSexMismatch { read, from_number } => {
                format!("证件上的性别“{read}”与号码中的“{from_number}”不一致，请核对")
            }
            Self::OcrFieldMissing { field } => {
                format!("未识别到{}，请手工填写", field_label_zh(field))
            }
        }
    }
}

/// The Chinese label of a field name.
pub fn field_label_zh(field: &str) -> &'static str {
    match field {
        "name" => "姓名",
        "sex" => "性别",
        "ethnicity" => "民族",
        "birth_date" => "出生日期",
        "address" => "住址",
        _ => "公民身份号码",
    }
}

/// The reading of a card's front, for the officer to confirm.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct IdCardReading {
    /// 姓名.
    pub name: Option<Field>,
    /// 性别: 男 or 女.
    pub sex: Option<Field>,
    /// 民族 (without 族).
    pub ethnicity: Option<Field>,
    /// 出生, `YYYY-MM-DD`.
    pub birth_date: Option<Field>,
    /// 住址, the lines joined.
    pub address: Option<Field>,
    /// 公民身份号码, normalised (present even when it fails the check).
    pub number: Option<Field>,
    /// Whether the number passes GB 11643.
    pub number_valid: bool,
    /// What the officer must look at.
    pub issues: Vec<ReadIssue>,
}

/// A row of the card: boxes at the same height, left to right.
struct Row {
    text: String,
    confidence: f32,
}

/// The card's tilt: the median angle of the boxes' top edges (radians).
fn tilt(lines: &[TextLine]) -> f32 {
    let mut angles: Vec<f32> = lines
        .iter()
        .filter(|l| l.quad[1].0 - l.quad[0].0 > 20.0)
        .map(|l| (l.quad[1].1 - l.quad[0].1).atan2(l.quad[1].0 - l.quad[0].0))
        .collect();
    angles.sort_by(f32::total_cmp);
    angles.get(angles.len() / 2).copied().unwrap_or(0.0)
}

/// Groups lines whose vertical centres, with the card's tilt taken out,
/// are within half a line height.
fn rows(lines: &[TextLine]) -> Vec<Row> {
    let (sin, cos) = (-tilt(lines)).sin_cos();
    // Coordinates turned so the card's lines are horizontal.
    let turned = |p: (f32, f32)| (p.0 * cos - p.1 * sin, p.0 * sin + p.1 * cos);
    let centre = |l: &TextLine| l.quad.iter().map(|&p| turned(p).1).sum::<f32>() / 4.0;
    let height = |l: &TextLine| {
        let q = l.quad.map(turned);
        ((q[3].1 - q[0].1) + (q[2].1 - q[1].1)).abs() / 2.0
    };
    let left = |l: &TextLine| turned(l.quad[0]).0.min(turned(l.quad[3]).0);
    let mut sorted: Vec<&TextLine> = lines.iter().collect();
    sorted.sort_by(|a, b| centre(a).total_cmp(&centre(b)));
    let mut groups: Vec<(f32, f32, Vec<&TextLine>)> = Vec::new();
    for l in sorted {
        let (c, h) = (centre(l), height(l).max(1.0));
        match groups.last_mut() {
            Some((gc, gh, members)) if (c - *gc).abs() < 0.5 * h.min(*gh) => {
                members.push(l);
                *gc = (*gc + c) / 2.0;
            }
            _ => groups.push((c, h, vec![l])),
        }
    }
    groups
        .into_iter()
        .map(|(_, _, mut members)| {
            members.sort_by(|a, b| left(a).total_cmp(&left(b)));
            let text: String = members
                .iter()
                .flat_map(|l| l.text.chars())
                .filter(|c| !c.is_whitespace())
                .collect();
            let confidence =
                members.iter().map(|l| l.confidence).sum::<f32>() / members.len() as f32;
            Row { text, confidence }
        })
        .filter(|r| !r.text.is_empty())
        .collect()
}

/// If `text` starts with the two-character label (one of its two
/// characters may be misread), the rest after it.
fn after_label<'t>(text: &'t str, label: &str) -> Option<&'t str> {
    let mut l = label.chars();
    let (l0, l1) = (l.next()?, l.next()?);
    let mut it = text.char_indices();
    let (_, a) = it.next()?;
    let (_, b) = it.next()?;
    let rest = it.next().map_or(text.len(), |(i, _)| i);
    (a == l0 || b == l1).then(|| &text[rest..])
}

/// Digits confusable with letters in the number's font, mapped to digits.
fn number_char(c: char) -> Option<char> {
    match c {
        '0'..='9' => Some(c),
        'X' | 'x' | '×' | 'Ⅹ' => Some('X'),
        'O' | 'o' | 'D' | 'Q' => Some('0'),
        'I' | 'l' | '|' | 'i' => Some('1'),
        _ => c.to_digit(10).and_then(|d| char::from_digit(d, 10)),
    }
}

/// The 18-character candidates in a row: runs of number characters.
fn number_candidates(text: &str) -> Vec<String> {
    let mut runs = Vec::new();
    let mut cur = String::new();
    for c in text.chars().map(zhifa_core::text::fold_width) {
        match number_char(c) {
            Some(d) => cur.push(d),
            None => {
                if !cur.is_empty() {
                    runs.push(std::mem::take(&mut cur));
                }
            }
        }
    }
    if !cur.is_empty() {
        runs.push(cur);
    }
    runs.into_iter()
        .filter(|r| r.len() >= 15 && r.chars().filter(|c| c.is_ascii_digit()).count() >= 14)
        .collect()
}

/// Year, month, day from a 出生 row's value (`1990年1月5日`, `1990 1 5`…).
fn birth_date(value: &str) -> Option<NaiveDate> {
    let groups: Vec<u32> = value
        .split(|c: char| !c.is_ascii_digit())
        .filter(|g| !g.is_empty())
        .filter_map(|g| g.parse().ok())
        .collect();
    match groups.as_slice() {
        [y, m, d, ..] => NaiveDate::from_ymd_opt(i32::try_from(*y).ok()?, *m, *d),
        // One run of digits: yyyymmdd, at least 1000-01-01.
        [ymd] if *ymd >= 10_000_101 => NaiveDate::from_ymd_opt(
            i32::try_from(ymd / 10_000).ok()?,
            (ymd / 100) % 100,
            ymd % 100,
        ),
        _ => None,
    }
}

fn field(value: impl Into<String>, confidence: f32) -> Option<Field> {
    let value = value.into();
    (!value.is_empty()).then_some(Field {
        value,
        confidence,
        source: FieldSource::Read,
    })
}

/// The fields of a card's front from its lines of text; `as_of` is the day
/// a birth date may not be after (today, passed by the caller).
pub fn parse_front(lines: &[TextLine], as_of: Option<NaiveDate>) -> IdCardReading {
    let rows = rows(lines);
    let mut r = IdCardReading::default();
    let mut number_row = None;
    let mut address_row = None;
    for (i, row) in rows.iter().enumerate() {
        let t = row.text.as_str();
        if r.name.is_none()
            && let Some(v) = after_label(t, "姓名")
        {
            r.name = field(v, row.confidence);
        } else if let Some(pos) = t.find("性别").or_else(|| t.find("性")) {
            let rest = &t[pos..];
            if let Some(sx) = rest.chars().find(|c| *c == '男' || *c == '女') {
                r.sex = field(sx.to_string(), row.confidence);
            }
            if let Some(p) = rest.find("民族") {
                r.ethnicity = field(
                    rest[p + "民族".len()..].trim_end_matches('族'),
                    row.confidence,
                );
            } else if let Some(p) = rest.find('族') {
                r.ethnicity = field(
                    rest[p + '族'.len_utf8()..].trim_end_matches('族'),
                    row.confidence,
                );
            }
        } else if let Some(v) = after_label(t, "出生") {
            if let Some(d) = birth_date(v) {
                r.birth_date = field(d.format("%Y-%m-%d").to_string(), row.confidence);
            }
        } else if address_row.is_none()
            && let Some(v) = after_label(t, "住址")
        {
            r.address = field(v, row.confidence);
            address_row = Some(i);
        } else if t.contains("公民") || t.contains("号码") || !number_candidates(t).is_empty() {
            number_row.get_or_insert(i);
        }
    }
    // The address runs on until the number's row.
    if let (Some(a), Some(addr)) = (address_row, r.address.as_mut()) {
        let end = number_row.filter(|&n| n > a).unwrap_or(rows.len());
        let mut confs = vec![addr.confidence];
        for row in &rows[a + 1..end] {
            addr.value.push_str(&row.text);
            confs.push(row.confidence);
        }
        addr.confidence = confs.iter().sum::<f32>() / confs.len() as f32;
    }
    read_number(&rows, number_row, as_of, &mut r);
    for (name, missing) in [
        ("name", r.name.is_none()),
        ("sex", r.sex.is_none()),
        ("ethnicity", r.ethnicity.is_none()),
        ("birth_date", r.birth_date.is_none()),
        ("address", r.address.is_none()),
    ] {
        if missing {
            r.issues.push(ReadIssue::OcrFieldMissing { field: name });
        }
    }
    r
}

/// The number: the candidate passing the check if any (the number's row
/// first), else the first 18-character one; then the cross-checks.
fn read_number(
    rows: &[Row],
    number_row: Option<usize>,
    as_of: Option<NaiveDate>,
    r: &mut IdCardReading,
) {
    let opts = IdOptions {
        as_of,
        ..IdOptions::default()
    };
    let order = number_row
        .into_iter()
        .chain((0..rows.len()).rev().filter(|i| Some(*i) != number_row));
    let mut first_failure = None;
    for i in order {
        let row = &rows[i];
        for cand in number_candidates(&row.text) {
            let windows: Vec<&str> = if cand.len() > 18 {
                (0..=cand.len() - 18).map(|s| &cand[s..s + 18]).collect()
            } else {
                vec![cand.as_str()]
            };
            for w in windows {
                match parse_citizen_id(w, &opts) {
                    Ok(id) if w.len() == 18 => {
                        r.number = field(id.number(), row.confidence);
                        r.number_valid = true;
                        cross_check(r, id.birth_date, id.sex.label_zh(), row.confidence);
                        return;
                    }
                    Ok(_) => {}
                    Err(e) => {
                        if first_failure.is_none() && w.len() == 18 {
                            first_failure = Some((w.to_owned(), row.confidence, e));
                        }
                    }
                }
            }
        }
    }
    match first_failure {
        Some((read, conf, e)) => {
            r.number = field(read.clone(), conf);
            r.issues.push(ReadIssue::OcrNumberCheckFailed {
                read,
                reason_code: e.code().to_owned(),
                reason: e.to_string(),
            });
        }
        None => r.issues.push(ReadIssue::OcrNumberNotFound),
    }
}

/// Fills birth date and sex from a valid number where the card gave none,
/// and flags any disagreement.
fn cross_check(r: &mut IdCardReading, birth: NaiveDate, sex: &str, conf: f32) {
    let from_number = birth.format("%Y-%m-%d").to_string();
    match &r.birth_date {
        Some(f) if f.value != from_number => r.issues.push(ReadIssue::OcrBirthDateMismatch {
            read: f.value.clone(),
            from_number,
        }),
        Some(_) => {}
        None => {
            r.birth_date = Some(Field {
                value: from_number,
                confidence: conf,
                source: FieldSource::FromNumber,
            })
        }
    }
    match &r.sex {
        Some(f) if f.value != sex => r.issues.push(ReadIssue::OcrSexMismatch {
            read: f.value.clone(),
            from_number: sex.to_owned(),
        }),
        Some(_) => {}
        None => {
            r.sex = Some(Field {
                value: sex.to_owned(),
                confidence: conf,
                source: FieldSource::FromNumber,
            })
        }
    }
}

/// Whether the lines look like a card's front at all: a number candidate or
/// two of its labels.
pub fn looks_like_front(lines: &[TextLine]) -> bool {
    let all: String = lines
        .iter()
        .flat_map(|l| l.text.chars())
        .filter(|c| !c.is_whitespace())
        .collect();
    let labels = ["姓名", "性别", "民族", "出生", "住址", "公民身份号码"]
        .iter()
        .filter(|l| all.contains(*l))
        .count();
    labels >= 2 || lines.iter().any(|l| !number_candidates(&l.text).is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(text: &str, x: f32, y: f32) -> TextLine {
        let w = 30.0 * text.chars().count() as f32;
        TextLine {
            text: text.into(),
            confidence: 0.95,
            quad: [(x, y), (x + w, y), (x + w, y + 30.0), (x, y + 30.0)],
        }
    }

    fn front(number: &str, birth: &str, sex: &str) -> Vec<TextLine> {
        vec![
            line("姓名", 60.0, 70.0),
            line("欧阳子涵", 165.0, 68.0),
            line(&format!("性别{sex}"), 60.0, 135.0),
            line("民族土家", 290.0, 136.0),
            line(&format!("出生{birth}"), 60.0, 200.0),
            line("住址重庆市渝中区解放碑街道", 60.0, 265.0),
            line("民族路12号3栋", 165.0, 307.0),
            line("公民身份号码", 60.0, 445.0),
            line(number, 300.0, 444.0),
        ]
    }

    #[test]
    fn reads_every_field_and_joins_the_address() {
        let r = parse_front(&front("500103199001050020", "1990年1月5日", "女"), None);
        assert_eq!(r.name.unwrap().value, "欧阳子涵");
        assert_eq!(r.sex.unwrap().value, "女");
        assert_eq!(r.ethnicity.unwrap().value, "土家");
        assert_eq!(r.birth_date.unwrap().value, "1990-01-05");
        assert_eq!(
            r.address.unwrap().value,
            "重庆市渝中区解放碑街道民族路12号3栋"
        );
        assert_eq!(r.number.unwrap().value, "500103199001050020");
        assert!(r.number_valid);
        assert!(r.issues.is_empty(), "{:?}", r.issues);
    }

    #[test]
    fn a_tilted_card_keeps_its_rows() {
        // The whole card turned by 6° about the origin.
        let (s, c) = 6f32.to_radians().sin_cos();
        let lines: Vec<_> = front("500103199001050020", "1990年1月5日", "女")
            .into_iter()
            .map(|mut l| {
                l.quad = l.quad.map(|(x, y)| (x * c - y * s, x * s + y * c));
                l
            })
            .collect();
        let r = parse_front(&lines, None);
        assert_eq!(r.ethnicity.unwrap().value, "土家");
        assert_eq!(
            r.address.unwrap().value,
            "重庆市渝中区解放碑街道民族路12号3栋"
        );
        assert!(r.issues.is_empty(), "{:?}", r.issues);
    }

    #[test]
    fn a_number_failing_the_check_is_kept_and_flagged() {
        let r = parse_front(&front("500103199001050021", "1990年1月5日", "女"), None);
        assert!(!r.number_valid);
        assert_eq!(r.number.unwrap().value, "500103199001050021");
        assert!(
            matches!(&r.issues[..], [ReadIssue::OcrNumberCheckFailed { reason_code, .. }] if reason_code == "CITIZEN_ID_CHECK_CHARACTER"),
            "{:?}",
            r.issues
        );
    }

    #[test]
    fn birth_date_and_sex_disagreeing_with_the_number_are_flagged() {
        let r = parse_front(&front("500103199001050020", "1990年1月6日", "男"), None);
        let codes: Vec<_> = r.issues.iter().map(ReadIssue::code).collect();
        assert_eq!(codes, ["OCR_BIRTH_DATE_MISMATCH", "OCR_SEX_MISMATCH"]);
    }

    #[test]
    fn confusable_letters_in_the_number_are_read_as_digits() {
        let r = parse_front(&front("5OO1O3199001O5OO2O", "1990年1月5日", "女"), None);
        assert!(r.number_valid, "{:?}", r.issues);
    }

    #[test]
    fn missing_lines_are_named_and_filled_from_the_number() {
        let lines: Vec<_> = front("500103199001050020", "", "")
            .into_iter()
            .filter(|l| !l.text.starts_with("出生"))
            .collect();
        let r = parse_front(&lines, None);
        let b = r.birth_date.unwrap();
        assert_eq!(
            (b.value.as_str(), b.source),
            ("1990-01-05", FieldSource::FromNumber)
        );
        assert_eq!(r.sex.unwrap().source, FieldSource::FromNumber);
        assert!(r.issues.is_empty(), "{:?}", r.issues);
    }
}
