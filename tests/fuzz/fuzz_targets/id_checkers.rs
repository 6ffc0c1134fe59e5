//! The identity checkers (core/src/rules/identity.rs) and the detection the
//! CLI's `check-id` runs: no panic on any text, and the invariants:
//! an accepted citizen ID is 18 characters with a valid GB 11643 check
//! character, an accepted USCC has a valid GB 32100 check character,
//! `check_id` answers exactly the kind its documented rule picks, and a
//! number's normal form checks the same as the typed text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use zhifa_core::ErrorCode;
use zhifa_core::rules::identity::{
    IdOptions, Identity, check_id, citizen_check_character, normalize, parse_citizen_id,
    parse_uscc, uscc_check_character,
};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let as_of = chrono::NaiveDate::from_ymd_opt(2026, 3, 10);
    for opts in [
        IdOptions::default(),
        IdOptions {
            as_of,
            reject_unknown_province: false,
        },
    ] {
        let norm = normalize(text);
        let citizen = parse_citizen_id(text, &opts);
        let uscc = parse_uscc(text);
        let either = check_id(text, &opts);

        if let Ok(c) = &citizen {
            let n = c.number();
            assert_eq!(n.len(), 18, "{text:?} → {n}");
            assert_eq!(citizen_check_character(&n[..17]), n[17..].chars().next());
            if let Some(d) = opts.as_of {
                assert!(c.birth_date <= d, "{text:?}: born after as_of");
            }
            // The normal form is accepted as the same number.
            let again = parse_citizen_id(&norm, &opts).expect("normal form of an accepted ID");
            assert_eq!(again.number(), n);
        }
        if let Ok(u) = &uscc {
            let n = u.number();
            assert_eq!(n.len(), 18, "{text:?} → {n}");
            assert_eq!(uscc_check_character(&n[..17]), n[17..].chars().next());
            let again = parse_uscc(&norm).expect("normal form of an accepted USCC");
            assert_eq!(again.number(), n);
        }
        match &either {
            Ok(Identity::Citizen(c)) => {
                let direct = citizen
                    .as_ref()
                    .expect("check_id's citizen ID passes parse_citizen_id");
                assert_eq!(direct.number(), c.number());
                // An all-digit value valid as both with a leading 9 is a USCC.
                if uscc.is_ok() {
                    assert_ne!(c.number().as_bytes()[0], b'9', "{text:?}");
                }
            }
            Ok(Identity::Organization(o)) => {
                let direct = uscc.as_ref().expect("check_id's USCC passes parse_uscc");
                assert_eq!(direct.number(), o.number());
                if citizen.is_ok() {
                    assert_eq!(o.number().as_bytes()[0], b'9', "{text:?}");
                }
            }
            Err(e) => {
                assert!(
                    citizen.is_err() && uscc.is_err(),
                    "{text:?}: check_id {e:?}"
                );
                // A stable UPPER_SNAKE code and a message for every refusal.
                let code = e.code();
                assert!(
                    !code.is_empty() && code.bytes().all(|b| b.is_ascii_uppercase() || b == b'_')
                );
                assert!(!e.to_string().is_empty());
            }
        }
        if citizen.is_ok() || uscc.is_ok() {
            assert!(either.is_ok(), "{text:?}");
        }
    }
});
