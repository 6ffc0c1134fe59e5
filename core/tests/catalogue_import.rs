//! Importing catalogue packages: every kind of broken package is refused
//! with its JSON path and leaves the store exactly as it was; a good package
//! imports once; the store never holds catalogue text in plaintext.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test and benchmark code: a failure should abort loudly

use chrono::{TimeZone, Utc};
use proptest::prelude::*;
use serde_json::{Value, json};
use zhifa_core::ErrorCode;
use zhifa_core::catalogue::synth::{SynthOptions, synth};
use zhifa_core::catalogue::{CatalogueError, import};
use zhifa_core::store::{DbKey, Store};

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 7, 2, 1, 0, 0).unwrap()
}

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(&dir.path().join("d.db"), &DbKey::Raw([3; 32])).unwrap();
    (dir, s)
}

/// A small valid package as JSON: matter 0 is statutory, 6 optional, 9 entrusted.
fn good() -> Value {
    serde_json::to_value(synth(&SynthOptions {
        matters: 12,
        townships: 3,
        seed: 4,
    }))
    .unwrap()
}

fn bytes(v: &Value) -> Vec<u8> {
    serde_json::to_vec(v).unwrap()
}

/// Imports `bad` into a store that already holds another release, and
/// checks it is refused with `code`, an issue at `path` with `issue`, and no change.
fn refused(bad: &[u8], code: &str, expect: Option<(&str, &str)>) {
    let (_d, mut s) = store();
    let mut base = good();
    base["release"]["id"] = json!("BASE");
    import(&mut s, &bytes(&base), now()).unwrap();
    let before = s.content_digest().unwrap();
    let err = import(&mut s, bad, now()).unwrap_err();
    assert_eq!(err.code(), code, "{err}");
    if let Some((path, issue)) = expect {
        let CatalogueError::Invalid { issues } = &err else {
            panic!("expected issues, got {err}")
        };
        assert!(
            issues.iter().any(|i| i.path == path && i.code == issue),
            "no {issue} at {path} in {issues:#?}"
        );
        assert!(
            issues
                .iter()
                .all(|i| i.path.starts_with('$') && !i.message.is_empty())
        );
    }
    assert_eq!(
        s.content_digest().unwrap(),
        before,
        "the store changed after a refused import"
    );
    assert_eq!(s.catalogue().releases().unwrap().len(), 1);
}

fn refused_json(bad: Value, path: &str, issue: &str) {
    refused(&bytes(&bad), "CATALOGUE_INVALID", Some((path, issue)));
}

#[test]
fn truncated_json() {
    let b = bytes(&good());
    refused(&b[..b.len() / 2], "CATALOGUE_JSON_SYNTAX", None);
}

#[test]
fn empty_file() {
    refused(b"", "CATALOGUE_EMPTY", None);
}

#[test]
fn corrupt_gzip() {
    refused(
        &[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xde, 0xad, 0xbe, 0xef],
        "CATALOGUE_GZIP",
        None,
    );
}

#[test]
fn schema_missing_field() {
    let mut v = good();
    v["matters"][1].as_object_mut().unwrap().remove("name");
    refused_json(v, "$.matters[1]", "schema_violation");
}

#[test]
fn schema_wrong_type() {
    let mut v = good();
    v["matters"][2]["levels"][0]["individual"]["fine"]["min_fen"] = json!("50");
    refused_json(
        v,
        "$.matters[2].levels[0].individual.fine.min_fen",
        "schema_violation",
    );
}

#[test]
fn schema_unknown_field() {
    let mut v = good();
    v["provisions"][0]["note"] = json!("x");
    refused_json(v, "$.provisions[0]", "schema_violation");
}

#[test]
fn schema_unknown_kind() {
    let mut v = good();
    v["matters"][3]["kind"] = json!("delegated");
    refused_json(v, "$.matters[3].kind", "schema_violation");
}

#[test]
fn schema_impossible_date() {
    let mut v = good();
    v["release"]["issued_on"] = json!("2025-02-30");
    refused_json(v, "$.release.issued_on", "schema_violation");
}

#[test]
fn schema_negative_amount() {
    let mut v = good();
    v["matters"][0]["clause"]["bands"][0]["fine"]["range"]["min_fen"] = json!(-1);
    refused_json(
        v,
        "$.matters[0].clause.bands[0].fine.range.min_fen",
        "schema_violation",
    );
}

#[test]
fn unknown_provision() {
    let mut v = good();
    v["matters"][4]["penalty"][0] = json!("NO-SUCH");
    refused_json(v, "$.matters[4].penalty[0]", "unknown_provision");
}

#[test]
fn duplicate_matter_code() {
    let mut v = good();
    v["matters"][5]["code"] = v["matters"][1]["code"].clone();
    refused_json(v, "$.matters[5].code", "duplicate_matter_code");
}

#[test]
fn duplicate_provision_id() {
    let mut v = good();
    v["provisions"][1]["id"] = v["provisions"][0]["id"].clone();
    refused_json(v, "$.provisions[1].id", "duplicate_provision_id");
}

#[test]
fn min_greater_than_max() {
    let mut v = good();
    // Band B1 for organisations (format 2).
    v["matters"][0]["clause"]["bands"][1]["fine"]["range"]["min_fen"] = json!(999_999_999);
    refused_json(
        v,
        "$.matters[0].clause.bands[1].fine.range",
        "fine_min_gt_max",
    );
}

#[test]
fn overlapping_levels() {
    let mut v = good();
    let prev_max = v["matters"][1]["levels"][0]["individual"]["fine"]["max_fen"]
        .as_i64()
        .unwrap();
    v["matters"][1]["levels"][1]["individual"]["fine"]["min_fen"] = json!(prev_max - 100);
    refused_json(
        v,
        "$.matters[1].levels[1].individual.fine.min_fen",
        "level_overlap",
    );
}

#[test]
fn gapped_levels() {
    let mut v = good();
    let prev_max = v["matters"][1]["levels"][1]["organization"]["fine"]["max_fen"]
        .as_i64()
        .unwrap();
    v["matters"][1]["levels"][2]["organization"]["fine"]["min_fen"] = json!(prev_max + 500);
    refused_json(
        v,
        "$.matters[1].levels[2].organization.fine.min_fen",
        "level_gap",
    );
}

#[test]
fn level_outside_its_band() {
    let mut v = good();
    // Matter 2 has two bands; its last level lies in B2, whose individual
    // band is the third.
    let smax = v["matters"][2]["clause"]["bands"][2]["fine"]["range"]["max_fen"]
        .as_i64()
        .unwrap();
    let last = v["matters"][2]["levels"].as_array().unwrap().len() - 1;
    v["matters"][2]["levels"][last]["individual"]["fine"]["max_fen"] = json!(smax + 1);
    refused_json(
        v,
        &format!("$.matters[2].levels[{last}].individual.fine"),
        "level_outside_band",
    );
}

#[test]
fn township_adopts_unknown_matter() {
    let mut v = good();
    v["townships"][1]["adopted"] = json!([{"matter": "NOPE-1", "from": "2025-07-01"}]);
    refused_json(
        v,
        "$.townships[1].adopted[0].matter",
        "adopt_unknown_matter",
    );
}

#[test]
fn township_adopts_statutory_matter() {
    let mut v = good();
    let statutory = v["matters"][0]["code"].clone();
    v["townships"][0]["adopted"] = json!([{"matter": statutory, "from": "2025-07-01"}]);
    refused_json(v, "$.townships[0].adopted[0].matter", "adopt_not_adoptable");
}

#[test]
fn dates_out_of_order() {
    let mut v = good();
    v["provisions"][2]["effective_to"] = json!("2001-01-01");
    refused_json(v, "$.provisions[2].effective_to", "dates_out_of_order");
}

#[test]
fn entrusted_matter_without_authority() {
    let mut v = good();
    assert_eq!(v["matters"][9]["kind"], "entrusted");
    v["matters"][9]
        .as_object_mut()
        .unwrap()
        .remove("entrusting_authority");
    refused_json(
        v,
        "$.matters[9].entrusting_authority",
        "entrusting_authority_missing",
    );
}

#[test]
fn calendar_day_both_holiday_and_workday() {
    let mut v = good();
    v["calendar"]["holidays"] = json!(["2025-10-08"]);
    v["calendar"]["workdays"] = json!(["2025-10-08"]);
    refused_json(v, "$.calendar.workdays[0]", "calendar_date_conflict");
}

#[test]
fn calendar_day_outside_its_range() {
    let mut v = good();
    v["calendar"]["holidays"] = json!(["2030-01-01"]);
    refused_json(v, "$.calendar.holidays[0]", "calendar_date_outside_range");
}

#[test]
fn every_error_is_reported_at_once() {
    let mut v = good();
    v["matters"][4]["penalty"][0] = json!("NO-SUCH");
    v["matters"][5]["code"] = v["matters"][1]["code"].clone();
    v["townships"][1]["adopted"] = json!([{"matter": "NOPE-1", "from": "2025-07-01"}]);
    let (_d, mut s) = store();
    let CatalogueError::Invalid { issues } = import(&mut s, &bytes(&v), now()).unwrap_err() else {
        panic!("expected issues")
    };
    // The unknown provision is also no longer the one its band cites.
    assert!(
        issues
            .iter()
            .any(|i| i.code == "band_provision_not_penalty" && i.path.starts_with("$.matters[4]"))
    );
    let codes: Vec<&str> = issues
        .iter()
        .map(|i| i.code)
        .filter(|c| *c != "band_provision_not_penalty")
        .collect();
    assert_eq!(
        codes,
        [
            "unknown_provision",
            "duplicate_matter_code",
            "adopt_unknown_matter"
        ],
        "{issues:#?}"
    );
}

#[test]
fn same_release_twice_is_a_no_op_and_a_changed_one_is_refused() {
    let (_d, mut s) = store();
    let v = good();
    let first = import(&mut s, &bytes(&v), now()).unwrap();
    assert!(!first.already_present);
    let digest = s.content_digest().unwrap();
    let second = import(&mut s, &bytes(&v), now()).unwrap();
    assert!(second.already_present);
    assert_eq!(s.content_digest().unwrap(), digest);

    let mut changed = v.clone();
    changed["matters"][0]["name"] = json!("改过的名称");
    let err = import(&mut s, &bytes(&changed), now()).unwrap_err();
    assert_eq!(err.code(), "CATALOGUE_RELEASE_CONFLICT");
    assert_eq!(s.content_digest().unwrap(), digest);
}

#[test]
fn gzip_packages_import_like_plain_ones() {
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(&bytes(&good())).unwrap();
    let gz = enc.finish().unwrap();
    let (_d, mut s) = store();
    let out = import(&mut s, &gz, now()).unwrap();
    assert_eq!(out.matters, 12);
    // The digest is of the JSON, so the plain file is the same release.
    assert!(
        import(&mut s, &bytes(&good()), now())
            .unwrap()
            .already_present
    );
}

#[test]
fn the_store_file_holds_no_plaintext_and_a_wrong_key_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("d.db");
    let mut v = good();
    v["matters"][0]["name"] = json!("占道经营明文探针");
    {
        let mut s = Store::open(&path, &DbKey::Raw([3; 32])).unwrap();
        import(&mut s, &bytes(&v), now()).unwrap();
    }
    let needle = "占道经营明文探针".as_bytes();
    let mut found_files = 0;
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let raw = std::fs::read(entry.unwrap().path()).unwrap();
        found_files += 1;
        assert!(
            !raw.windows(needle.len()).any(|w| w == needle),
            "plaintext in the store"
        );
        assert!(!raw.starts_with(b"SQLite format 3"), "unencrypted header");
    }
    assert!(found_files >= 1);
    let err = Store::open(&path, &DbKey::Raw([4; 32])).unwrap_err();
    assert_eq!(err.code(), "STORE_WRONG_KEY");
    let s = Store::open(&path, &DbKey::Raw([3; 32])).unwrap();
    assert_eq!(s.catalogue().releases().unwrap().len(), 1);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, .. ProptestConfig::default() })]

    /// Any corruption of a package — a cut at any byte, or any byte
    /// replaced — either imports a valid package or is refused with a typed
    /// error; it never panics and a refusal never changes the store.
    #[test]
    fn corrupted_packages_never_panic_or_half_import(cut in 0usize..4000, pos in 0usize..4000, byte in any::<u8>()) {
        let good = bytes(&good());
        let (_d, mut s) = store();
        let before = s.content_digest().unwrap();
        let mut variants = vec![good[..cut.min(good.len())].to_vec()];
        let mut flipped = good.clone();
        let p = pos % flipped.len();
        flipped[p] = byte;
        variants.push(flipped);
        for bad in variants {
            match import(&mut s, &bad, now()) {
                Ok(_) => {
                    // A harmless change (e.g. inside a text) is a valid package.
                    prop_assert_eq!(s.catalogue().releases().unwrap().len(), 1);
                    return Ok(());
                }
                Err(e) => {
                    prop_assert!(e.is_bad_input(), "{}", e);
                    prop_assert_eq!(s.content_digest().unwrap(), before.clone());
                }
            }
        }
    }
}

/// A change to a good package that breaks one constraint.
type Mutation = Box<dyn Fn(&mut Value)>;

/// The fast path re-checks in Rust what the schema states beyond the types.
/// For each such constraint, the schema and the Rust check must report the
/// same path, so the two cannot drift apart.
#[test]
fn typed_checks_agree_with_the_schema() {
    use zhifa_core::catalogue::validate::{check_rules, schema_check};
    let cases: Vec<(&str, Mutation)> = vec![
        (
            "$.release.id",
            Box::new(|v| v["release"]["id"] = json!("bad id!")),
        ),
        (
            "$.release.region",
            Box::new(|v| v["release"]["region"] = json!("50")),
        ),
        (
            "$.release.title",
            Box::new(|v| v["release"]["title"] = json!("")),
        ),
        (
            "$.provisions[0].article",
            Box::new(|v| v["provisions"][0]["article"] = json!(0)),
        ),
        (
            "$.provisions[1].text",
            Box::new(|v| v["provisions"][1]["text"] = json!("")),
        ),
        (
            "$.matters[2].code",
            Box::new(|v| v["matters"][2]["code"] = json!("-x")),
        ),
        (
            "$.matters[3].name",
            Box::new(|v| v["matters"][3]["name"] = json!("")),
        ),
        (
            "$.matters[4].penalty",
            Box::new(|v| v["matters"][4]["penalty"] = json!([])),
        ),
        (
            "$.matters[5].levels[0].code",
            Box::new(|v| v["matters"][5]["levels"][0]["code"] = json!("L 1")),
        ),
        (
            "$.matters[0].clause.bands[0].id",
            Box::new(|v| v["matters"][0]["clause"]["bands"][0]["id"] = json!("B 1")),
        ),
        (
            "$.townships[0].code",
            Box::new(|v| v["townships"][0]["code"] = json!("5001")),
        ),
        (
            "$.townships[1].short_name",
            Box::new(|v| v["townships"][1]["short_name"] = json!("")),
        ),
    ];
    for (path, mutate) in cases {
        let mut v = good();
        mutate(&mut v);
        let schema = schema_check(&bytes(&v)).unwrap();
        assert!(
            schema.iter().any(|i| i.path == path),
            "schema misses {path}: {schema:#?}"
        );
        let typed: zhifa_core::catalogue::model::Package = serde_json::from_value(v).unwrap();
        let rules = check_rules(&typed);
        assert!(
            rules
                .iter()
                .any(|i| i.path == path && i.code == "schema_violation"),
            "typed checks miss {path}: {rules:#?}"
        );
    }
}

/// A format 1 package: matter 0 carries the old `statutory` range and
/// `correction_first` flag instead of a clause.
fn format_1() -> Value {
    let mut v = good();
    v["format"] = json!("zhifa-catalogue/1");
    let m = &mut v["matters"][0];
    let bands = m["clause"]["bands"].clone();
    m.as_object_mut().unwrap().remove("clause");
    m["statutory"] = json!({
        "individual": bands[0]["fine"]["range"],
        "organization": bands[1]["fine"]["range"],
    });
    m["correction_first"] = json!(true);
    for l in m["levels"].as_array_mut().unwrap() {
        l.as_object_mut().unwrap().remove("band");
    }
    v
}

#[test]
fn format_1_is_converted_correction_first_becoming_a_precondition() {
    use zhifa_core::catalogue::model::{Precondition, SanctionKind};
    let (_d, mut s) = store();
    let v = format_1();
    import(&mut s, &bytes(&v), now()).unwrap();
    let code = v["matters"][0]["code"].as_str().unwrap();
    let rec = s
        .catalogue()
        .matter_in_force(code, chrono::NaiveDate::from_ymd_opt(2025, 8, 1).unwrap())
        .unwrap()
        .unwrap();
    let m = rec.matter;
    assert!(m.statutory.is_none() && !m.correction_first);
    let c = m.clause.expect("converted");
    let fine_bands: Vec<_> = c
        .bands
        .iter()
        .filter(|b| b.kind(SanctionKind::Fine).is_some())
        .collect();
    assert_eq!(fine_bands.len(), 2, "one per party: {c:?}");
    assert!(
        fine_bands
            .iter()
            .all(|b| b.preconditions == [Precondition::NotCorrectedByDeadline])
    );
    // The warning its first level lists needs no precondition.
    assert!(
        c.bands
            .iter()
            .any(|b| b.preconditions.is_empty() && b.kind(SanctionKind::Warning).is_some())
    );
}

#[test]
fn format_1_that_cannot_be_converted_is_refused() {
    let mut v = format_1();
    v["matters"][0]["statutory"] =
        json!({"organization": v["matters"][0]["statutory"]["organization"]});
    refused_json(v, "$.matters[0]", "legacy_unconvertible");
}

#[test]
fn format_2_refuses_the_format_1_fields() {
    let mut v = good();
    v["matters"][0]["correction_first"] = json!(true);
    refused_json(v, "$.matters[0]", "legacy_field");
}
