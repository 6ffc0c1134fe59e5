//! Writes a device-store fixture at the current schema version.
//!
//! Run once per released schema version and commit the result, so that
//! `tests/fixtures_migrate.rs` proves every older store still opens:
//!
//! ```sh
//! cargo run -p zhifa-core --example make_device_fixture -- core/tests/fixtures/device-v1.db
//! ```
//!
//! The fixture is keyed with [`FIXTURE_KEY`] (not a secret: test data only)
//! and holds a small synthetic catalogue plus a `township` setting; from
//! schema v2 on also the sample officers and the device identity; from v3
//! on two officers of the synthetic township, a township configuration, a
//! number lease and one case taken to `party_and_facts` (so its timeline
//! and outbox rows exist); from v7 on officer FIX-01 enrolled with the
//! PIN 380514.

use chrono::{TimeZone, Utc};
use zhifa_core::case::{self, CaseEvent, CaseParty, NewCase};
use zhifa_core::catalogue::import;
use zhifa_core::catalogue::model::MatterKind;
use zhifa_core::catalogue::synth::{SynthOptions, synth};
use zhifa_core::device::{self, Device, StoreKeyWrap, load_officers};
use zhifa_core::rules::assess::PartyKind;
use zhifa_core::store::{DbKey, Store, migrate};

/// The key every fixture is encrypted with.
const FIXTURE_KEY: [u8; 32] = [0x11; 32];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::args()
        .nth(1)
        .ok_or("usage: make_device_fixture OUT.db")?;
    let path = std::path::Path::new(&out);
    if path.exists() {
        return Err(format!("{out} exists; fixtures are never overwritten").into());
    }
    let mut store = Store::open(path, &DbKey::Raw(FIXTURE_KEY))?;
    let package = synth(&SynthOptions {
        matters: 40,
        townships: 3,
        seed: 2025,
    });
    let township = package.townships[0].code.clone();
    let when = Utc
        .with_ymd_and_hms(2025, 7, 1, 0, 0, 0)
        .single()
        .ok_or("bad date")?;
    import(&mut store, &serde_json::to_vec(&package)?, when)?;
    store.set_setting("township", &township)?;
    device::load_officers(&mut store, device::SAMPLE_OFFICERS.as_bytes())?;
    Device::load_or_create(&store, &StoreKeyWrap::new(&DbKey::Raw(FIXTURE_KEY)), when)?;
    let matter = package
        .matters
        .iter()
        .find(|m| !m.kind.needs_adoption() && m.kind != MatterKind::Entrusted)
        .ok_or("no common matter")?
        .code
        .clone();
    add_case(&mut store, &township, &matter, when)?;
    // Schema v7: officer FIX-01 enrolled with PIN 380514.
    zhifa_core::signin::enrol(&store, "FIX-01", "380514", when)?;
    // Fold the WAL into the main file so the fixture is one self-contained file.
    drop(store);
    println!("wrote {out} at schema v{}", migrate::latest_version());
    Ok(())
}

/// Schema v3: officers, device, township configuration, a lease and a case.
fn add_case(
    store: &mut Store,
    township: &str,
    matter: &str,
    when: chrono::DateTime<Utc>,
) -> Result<(), Box<dyn std::error::Error>> {
    let officers = serde_json::json!({"officers": [
        {"id": "FIX-01", "name": "测试甲", "credential_no": "渝执FIX001", "township_code": township},
        {"id": "FIX-02", "name": "测试乙", "credential_no": "渝执FIX002", "township_code": township}
    ]});
    load_officers(store, officers.to_string().as_bytes())?;
    Device::load_or_create(store, &StoreKeyWrap::new(&DbKey::Raw(FIXTURE_KEY)), when)?;
    let mut config = case::config::parse_configs(case::config::SAMPLE_TOWNSHIP_CONFIGS)?.remove(0);
    config.township_code = township.to_owned();
    case::set_township_config(store, &config, when)?;
    case::grant_lease(
        store,
        township,
        case::config::SERIES_DECISION,
        2025,
        1,
        100,
        "local_admin",
        when,
    )?;
    let violation = chrono::NaiveDate::from_ymd_opt(2025, 7, 2)
        .and_then(|d| d.and_hms_opt(9, 0, 0))
        .ok_or("bad date")?;
    let c = case::create(
        store,
        &NewCase {
            id: case::uuid_v7(when),
            township: township.to_owned(),
            matter_code: matter.to_owned(),
            violation_time: violation,
            officers: ["FIX-01".to_owned(), "FIX-02".to_owned()],
        },
        when,
    )?;
    case::advance(
        store,
        c.id,
        &CaseEvent::RecordPartyAndFacts {
            party: CaseParty {
                kind: PartyKind::Individual,
                name: "测试当事人".into(),
                id_number: "110101199003074514".into(),
                phone: None,
                address: "测试地址".into(),
                representative: None,
                id_kind: None,
                nationality: None,
                birth_date: None,
                no_document_reason: None,
                photo_evidence: None,
            },
            facts: "测试事实".into(),
            place: "测试地点".into(),
            act_end: None,
            violation_time: None,
        },
        when,
    )?;
    Ok(())
}
