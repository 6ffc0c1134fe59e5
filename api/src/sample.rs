//! The embedded defaults the app starts on when nothing else is set up:
//! the sample catalogue, the sample officers and township configurations,
//! offline number leases for the sample township (only while the device
//! is not enrolled with a sync server), and one sample officer
//! enrolled with a published PIN. Sample data only (the catalogue and
//! officer files say so); a production device is enrolled from the server.

use chrono::{DateTime, Datelike, Utc};
use zhifa_core::case::config::{
    SAMPLE_TOWNSHIP_CONFIGS, SERIES_DECISION, SERIES_ORDER, parse_configs,
};
use zhifa_core::case::numbers::PAYMENT_CODE_SERIES;
use zhifa_core::case::{self};
use zhifa_core::store::Store;
use zhifa_core::{catalogue, device, signin};

use crate::{ApiError, TOWNSHIP_SETTING};

/// The sample catalogue, compiled in.
pub const SAMPLE_CATALOGUE: &str =
    include_str!("../../schema/catalogue/sample/chongqing-sample.json");
/// 龙兴镇 (渝北区), the sample township.
pub const SAMPLE_TOWNSHIP: &str = "500112108";
/// The sample officer enrolled by default.
pub const SAMPLE_OFFICER: &str = "OFF-LX-01";
/// Their sample PIN (sample data only; printed by scripts/run.sh).
pub const SAMPLE_PIN: &str = "246813";
/// Numbers granted per series when no lease is open (local admin lease).
const LEASE_SIZE: i64 = 100_000;

/// Loads what is missing; see [`crate::App::load_sample_defaults`].
pub fn load(store: &mut Store, now: DateTime<Utc>) -> Result<(), ApiError> {
    catalogue::import(store, SAMPLE_CATALOGUE.as_bytes(), now)?;
    if device::officer(store, SAMPLE_OFFICER)?.is_none() {
        device::load_officers(store, device::SAMPLE_OFFICERS.as_bytes())?;
    }
    for c in parse_configs(SAMPLE_TOWNSHIP_CONFIGS)? {
        if case::township_config(store, &c.township_code)?.is_none() {
            case::set_township_config(store, &c, now)?;
        }
    }
    if store.setting(TOWNSHIP_SETTING)?.is_none() {
        store.set_setting(TOWNSHIP_SETTING, SAMPLE_TOWNSHIP)?;
    }
    // A device enrolled with a sync server numbers its documents only from
    // the leases the server grants (the server rejects any other number);
    // local leases are for a device that works alone.
    if zhifa_sync::engine::enrolment(store)?.is_none() {
        let year = case::beijing(now)?.year();
        case::numbers::top_up_local_leases(
            store,
            SAMPLE_TOWNSHIP,
            &[SERIES_DECISION, SERIES_ORDER, PAYMENT_CODE_SERIES],
            year,
            LEASE_SIZE,
            now,
        )?;
    }
    if signin::enrolment(store, SAMPLE_OFFICER, now)?.is_none() {
        signin::enrol(store, SAMPLE_OFFICER, SAMPLE_PIN, now)?;
    }
    Ok(())
}
