//! Every released schema version has a fixture store under
//! `tests/fixtures/device-v<N>.db` (written by the `make_device_fixture`
//! example when version N was released). Each must open with the current
//! build, migrate to the latest version, keep its data, and — when it was
//! older — leave a backup of the original beside it.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test and benchmark code: a failure should abort loudly

use std::path::PathBuf;

use chrono::NaiveDate;
use zhifa_core::case;
use zhifa_core::catalogue::{SearchQuery, SearchScope};
use zhifa_core::device::{self, Device, StoreKeyWrap};
use zhifa_core::store::{DbKey, Store, migrate};

fn fixtures() -> Vec<(u32, PathBuf)> {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures"));
    let mut out: Vec<(u32, PathBuf)> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| {
            let p = e.unwrap().path();
            let name = p.file_name()?.to_str()?.to_owned();
            let v = name
                .strip_prefix("device-v")?
                .strip_suffix(".db")?
                .parse()
                .ok()?;
            Some((v, p))
        })
        .collect();
    out.sort();
    out
}

#[test]
fn there_is_a_fixture_for_every_released_schema_version() {
    let versions: Vec<u32> = fixtures().into_iter().map(|(v, _)| v).collect();
    let expected: Vec<u32> = (1..=migrate::latest_version()).collect();
    assert_eq!(
        versions, expected,
        "add core/tests/fixtures/device-v<N>.db for each released version"
    );
}

#[test]
fn every_fixture_migrates_and_keeps_its_data() {
    for (version, fixture) in fixtures() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("device.db");
        std::fs::copy(&fixture, &path).unwrap();
        let store = Store::open(&path, &DbKey::Raw([0x11; 32])).unwrap();
        assert_eq!(
            store.schema_version().unwrap(),
            migrate::latest_version(),
            "v{version}"
        );
        let township = store
            .setting("township")
            .unwrap()
            .expect("township setting kept");
        let on = NaiveDate::from_ymd_opt(2025, 8, 1).unwrap();
        let hits = store
            .catalogue()
            .search(&SearchQuery {
                text: "在".into(),
                on,
                scope: SearchScope::Township(township),
                limit: 5,
            })
            .unwrap();
        assert_eq!(
            hits.results.len(),
            5,
            "v{version}: catalogue still searchable"
        );
        // From v2 on the fixture holds the sample officers and the device
        // identity; both survive every later migration, and the wrapped
        // device key still opens under the same store key.
        if version >= 2 {
            assert_eq!(
                device::officers(&store).unwrap().len(),
                if version >= 3 { 8 } else { 6 },
                "v{version}: officers kept"
            );
            let wrap = StoreKeyWrap::new(&DbKey::Raw([0x11; 32]));
            assert!(
                Device::load(&store, &wrap).unwrap().is_some(),
                "v{version}: device kept"
            );
        }
        // Schema v3 (cases): readable on every migrated fixture; the v3+
        // fixtures hold a case whose timeline and outbox survived.
        let cases = case::list(&store, None).unwrap();
        if version >= 3 {
            assert_eq!(cases.len(), 1, "v{version}: case kept");
            let c = &cases[0];
            assert_eq!(c.status, case::CaseStatus::PartyAndFacts, "v{version}");
            assert_eq!(case::timeline(&store, c.id).unwrap().len(), 2, "v{version}");
            assert!(
                case::outbox_pending(&store).unwrap().len() >= 3,
                "v{version}: outbox kept"
            );
        } else {
            assert!(cases.is_empty(), "v{version}");
            assert!(
                case::outbox_pending(&store).unwrap().is_empty(),
                "v{version}"
            );
        }
        // Schema v7 (sign-in): the v7+ fixtures keep FIX-01's PIN verifier;
        // older stores migrate with nobody enrolled.
        let t = chrono::Utc::now();
        let enrolled = zhifa_core::signin::enrolments(&store, t).unwrap();
        if version >= 7 {
            assert_eq!(enrolled.len(), 1, "v{version}");
            zhifa_core::signin::sign_in(&store, "FIX-01", "380514", t).unwrap();
        } else {
            assert!(enrolled.is_empty(), "v{version}");
        }
        let backup = migrate::backup_path(&store, version);
        assert_eq!(
            backup.exists(),
            version < migrate::latest_version(),
            "v{version}: backup"
        );
    }
}

/// Migration 0004 builds the search index of releases stored before v4 from
/// their catalogue rows; a migrated store must rank exactly like a store
/// that imported the same package under v4.
#[test]
fn a_store_migrated_from_v3_searches_like_a_fresh_import() {
    use chrono::{TimeZone, Utc};
    use zhifa_core::catalogue::import;
    use zhifa_core::catalogue::synth::{SynthOptions, synth};

    let dir = tempfile::tempdir().unwrap();
    let migrated_path = dir.path().join("migrated.db");
    let fixture = fixtures()
        .into_iter()
        .find(|(v, _)| *v == 3)
        .expect("v3 fixture")
        .1;
    std::fs::copy(&fixture, &migrated_path).unwrap();
    let migrated = Store::open(&migrated_path, &DbKey::Raw([0x11; 32])).unwrap();

    // The package make_device_fixture imported into every fixture.
    let mut package = synth(&SynthOptions {
        matters: 40,
        townships: 3,
        seed: 2025,
    });
    // The v3 fixture's package predates everyday names (schema v13).
    for m in &mut package.matters {
        m.aliases.clear();
    }
    let mut fresh = Store::open(&dir.path().join("fresh.db"), &DbKey::Raw([0x11; 32])).unwrap();
    import(
        &mut fresh,
        &serde_json::to_vec(&package).unwrap(),
        Utc.with_ymd_and_hms(2025, 7, 1, 0, 0, 0).unwrap(),
    )
    .unwrap();

    let township = package.townships[0].code.clone();
    let first = &package.matters[7];
    let queries = [
        "在",
        "在城",
        "城市道路",
        first.name.as_str(),
        first.code.as_str(),
        "syn-0000",
        "zai",
        "z",
        "zaicheng",
        "垃圾",
        "水利",
        "理",
        "责令",
        "有关部门责令改正",
        "第1",
        "不存在的事项名称",
    ];
    let on = NaiveDate::from_ymd_opt(2025, 8, 1).unwrap();
    let mut nonempty = 0;
    for text in queries {
        for scope in [SearchScope::All, SearchScope::Township(township.clone())] {
            let q = SearchQuery {
                text: text.into(),
                on,
                scope: scope.clone(),
                limit: 15,
            };
            let a = migrated.catalogue().search(&q).unwrap();
            let b = fresh.catalogue().search(&q).unwrap();
            assert_eq!(a, b, "{text:?} {scope:?}");
            nonempty += usize::from(!a.results.is_empty());
        }
    }
    assert!(nonempty >= 20, "the queries exercise real hits: {nonempty}");
}
