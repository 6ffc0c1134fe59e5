//! The public verification of a document by its 核验 QR (issue 19): a
//! decision a device issued, archived and uploaded is found at
//! `/d/{document_hash}` (the link the QR carries once the device is
//! enrolled) and at `/v1/public/documents/{document_hash}`, with its title
//! and number and whether the centre holds the intact file, and never the
//! party's name, ID number, address or phone; an unknown hash answers 404
//! with a page in Chinese. On SQLite and PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should abort loudly

use zhifa_sync::transport::Method;
use zhifa_tests::{Backend, OFFICERS, TestDevice, TestServer, party};

zhifa_tests::on_both_backends!(a_device_document_is_verified_by_its_hash);

/// The document hash the device announced for its decision.
fn announced_hash(dev: &TestDevice) -> String {
    dev.store
        .conn()
        .query_row(
            "SELECT json_extract(payload, '$.document_sha256') FROM outbox
             WHERE entity = 'document' AND op = 'record'",
            [],
            |r| r.get(0),
        )
        .unwrap()
}

async fn a_device_document_is_verified_by_its_hash(b: Backend) {
    let server = TestServer::on(&b);
    let t = server.transport();
    let mut dev = TestDevice::new();
    dev.enrol(&t, &server.code(OFFICERS[0])).await.unwrap();
    dev.sync(&t).await.unwrap();
    // Enrolled: the device's documents link to its centre.
    assert!(
        zhifa_core::case::archive::centre_url(&dev.store)
            .unwrap()
            .is_some()
    );
    let (_, number, _) = dev.full_case();
    let r = dev.sync(&t).await.unwrap();
    assert_eq!(r.rejected, 0, "{r:?}");
    let hash = announced_hash(&dev);
    assert_eq!(hash.len(), 64);
    // The decision the device archived carries the link to its centre's
    // page in its 核验 QR.
    let centre = zhifa_core::case::archive::centre_url(&dev.store)
        .unwrap()
        .unwrap();
    let (pdf_sha, _) =
        zhifa_core::case::archive::announced_documents(&dev.store).unwrap()[0].clone();
    let pdf = server
        .stored(&pdf_sha)
        .await
        .expect("the decision PDF is held");
    let qrs = zhifa_tests::qr_contents(&pdf);
    assert!(
        qrs.contains(&zhifa_core::document::verification_url(&centre, &hash)),
        "{qrs:?} {centre} {hash}"
    );

    // The page, by the link's upper-case hash and by the lower-case one.
    let p = party();
    let private = [
        p.name.as_str(),
        p.id_number.as_str(),
        p.phone.as_deref().unwrap(),
        p.address.as_str(),
        "周",
    ];
    for h in [hash.to_uppercase(), hash.clone()] {
        let (s, page) = server.console_bytes(&format!("/d/{h}"), "").await;
        assert_eq!(s, 200);
        let page = String::from_utf8(page).unwrap();
        for shown in [
            "文书核验",
            "当场行政处罚决定书",
            number.as_str(),
            "中心已存有完整的文书原件",
            hash.as_str(),
        ] {
            assert!(page.contains(shown), "the page shows {shown}: {page}");
        }
        for hidden in private {
            assert!(!page.contains(hidden), "the page shows {hidden}: {page}");
        }
        assert!(!page.contains("<script"), "no script: {page}");
    }

    // The same as JSON.
    let (s, v) = server
        .console(
            Method::Get,
            &format!("/v1/public/documents/{hash}"),
            "",
            None,
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["title"], "当场行政处罚决定书");
    assert_eq!(v["number"], number.as_str());
    assert_eq!(v["document_hash"], hash.as_str());
    assert_eq!(v["held"], true);
    assert_eq!(v["revoked"], false);
    assert!(v["seal_verified"].is_null(), "a device's document: {v}");
    let text = v.to_string();
    for hidden in private {
        assert!(!text.contains(hidden), "the answer shows {hidden}: {v}");
    }

    // An unknown hash, and what is not a hash: not on record, in Chinese.
    let unknown = "0".repeat(64);
    for h in [unknown.as_str(), "not-a-hash"] {
        let (s, page) = server.console_bytes(&format!("/d/{h}"), "").await;
        assert_eq!(s, 404);
        let page = String::from_utf8(page).unwrap();
        assert!(page.contains("中心没有此文书的记录"), "{page}");
        let (s, v) = server
            .console(Method::Get, &format!("/v1/public/documents/{h}"), "", None)
            .await;
        assert_eq!((s, v["code"].as_str()), (404, Some("not_found")), "{v}");
    }
}
