//! Sync scenarios of sync.md §7.3, deterministic: the in-process server
//! (axum router called directly), a fault-injecting transport and manual
//! clocks on both sides. Each test is named after its scenario.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should abort loudly

use zhifa_tests::{Fault, Faulty, TestDevice, TestServer, OFFICERS};

#[tokio::test]
async fn enrolled_device_syncs_a_full_case_end_to_end() {
    let server = TestServer::new();
    let t = server.transport();
    let mut dev = TestDevice::new();
    dev.enrol(&t, &server.code(OFFICERS[0])).await.unwrap();
    let first = dev.sync(&t).await.unwrap();
    assert_eq!(first.catalogue_release.as_deref(), Some("CQ-SAMPLE-2025-07"));
    assert_eq!(first.leases_granted, 3);
    let (id, number, sha) = dev.full_case();
    let r = dev.sync(&t).await.unwrap();
    assert_eq!(r.rejected, 0, "{:?}", zhifa_sync::engine::conflicts(&dev.store).unwrap());
    assert!(r.pushed >= 9, "{r:?}");
    assert_eq!(r.blobs_uploaded, 1);
    assert_eq!(dev.pending(), 0);
    let cases = server.cases();
    assert_eq!(cases.len(), 1);
    assert_eq!(cases[0].case_id, id.to_string());
    assert_eq!(cases[0].document_number.as_deref(), Some(number.as_str()));
    assert_eq!(cases[0].status, "served");
    assert!(cases[0].evidence_complete, "{:?}", cases[0]);
    assert!(server.dir.path().join("evidence/blobs").join(&sha[..2]).join(&sha).exists());
}
