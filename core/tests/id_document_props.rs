//! Property tests for the per-document number check
//! (`zhifa_core::rules::id_document`): the cited formats are accepted
//! without a note whatever their digits, a miss is a note when lenient and
//! an error when strict, the check never panics on any input, and a
//! citizen-type number is accepted for exactly one of 居民身份证 and
//! 港澳台居民居住证.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;
use zhifa_core::ErrorCode;
use zhifa_core::rules::id_document::{DocOptions, IdDocKind, check_document};
use zhifa_core::rules::identity::citizen_check_character;

fn strict() -> DocOptions {
    DocOptions {
        strict_formats: true,
        ..DocOptions::default()
    }
}

proptest! {
    #[test]
    fn any_input_is_answered_without_panicking(kind in 0usize..8, s in "\\PC{0,30}") {
        let _ = check_document(IdDocKind::ALL[kind], &s, &DocOptions::default());
        let _ = check_document(IdDocKind::ALL[kind], &s, &strict());
    }

    #[test]
    fn hk_macao_numbers_of_the_2010_rule_pass_strictly(
        letter in prop::sample::select(vec!['H', 'M', 'h', 'm']),
        digits in "[0-9]{10}",
    ) {
        let n = format!("{letter}{digits}");
        let ok = check_document(IdDocKind::HkMacaoPermit, &n, &strict()).unwrap();
        prop_assert_eq!(ok.number, n.to_uppercase());
        prop_assert_eq!(ok.note, None);
    }

    #[test]
    fn hk_macao_misses_are_noted_or_refused(n in "[A-Z0-9]{5,20}") {
        let b = n.as_bytes();
        let fits = b.len() == 11
            && (b[0] == b'H' || b[0] == b'M')
            && b[1..].iter().all(u8::is_ascii_digit);
        let lenient = check_document(IdDocKind::HkMacaoPermit, &n, &DocOptions::default()).unwrap();
        prop_assert_eq!(lenient.note.is_none(), fits);
        let s = check_document(IdDocKind::HkMacaoPermit, &n, &strict());
        prop_assert_eq!(s.is_ok(), fits);
        if let Err(e) = s {
            prop_assert_eq!(e.code(), "ID_DOC_FORMAT");
        }
    }

    #[test]
    fn taiwan_permits_are_eight_digits(n in "[0-9]{8}") {
        prop_assert_eq!(check_document(IdDocKind::TaiwanPermit, &n, &strict()).unwrap().note, None);
    }

    #[test]
    fn foreign_passports_within_bounds_pass(n in "[A-Z0-9]{5,20}") {
        let ok = check_document(IdDocKind::ForeignPassport, &n, &strict()).unwrap();
        prop_assert_eq!(ok.birth_date(), None);
        prop_assert_eq!(ok.number, n);
    }

    #[test]
    fn passport_lengths_out_of_bounds_are_refused(n in "[A-Z0-9]{0,4}|[A-Z0-9]{21,30}") {
        let e = check_document(IdDocKind::ForeignPassport, &n, &DocOptions::default()).unwrap_err();
        prop_assert!(e.code() == "ID_DOC_LENGTH" || e.code() == "ID_DOC_EMPTY");
    }

    #[test]
    fn a_citizen_number_fits_exactly_one_of_resident_id_and_residence_permit(
        region in prop::sample::select(vec!["500103", "110101", "810000", "820000", "830000"]),
        y in 1950i32..2010, m in 1u32..=12, d in 1u32..=28, seq in "[0-9]{3}",
    ) {
        let body = format!("{region}{y:04}{m:02}{d:02}{seq}");
        let n = format!("{body}{}", citizen_check_character(&body).unwrap());
        let opts = DocOptions::default();
        let as_id = check_document(IdDocKind::ResidentId, &n, &opts);
        let as_permit = check_document(IdDocKind::ResidencePermit, &n, &opts);
        prop_assert!(as_id.is_ok() != as_permit.is_ok());
        prop_assert_eq!(as_permit.is_ok(), region.starts_with('8'));
        let ok = as_id.or(as_permit).unwrap();
        prop_assert_eq!(ok.birth_date(), chrono::NaiveDate::from_ymd_opt(y, m, d));
    }
}
