//! The evidence store behind the upload stream, on both stores (the
//! filesystem and S3 — moto's server from scripts/s3.sh), with faults: the
//! object store down when an upload completes (the device gets a retryable
//! `unavailable`, nothing is recorded, the retry completes it once), an
//! object already at its content address (counted as present, not resent),
//! corrupted objects (found by `verify_evidence`, replaced by an upload),
//! multipart puts of large blobs, and a completion repeated after its put
//! (a crash between put and record).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should abort loudly

use sha2::{Digest, Sha256};
use zhifa_server::blobs::seal::KeyRing;
use zhifa_server::blobs::{Blobs, Check, Finish, S3Builder, S3Target};
use zhifa_sync::engine::SyncError;
use zhifa_tests::{Backend, Evidence, OFFICERS, S3Proxy, TestDevice, TestServer};

async fn enrolled(server: &TestServer) -> TestDevice {
    let dev = TestDevice::new();
    dev.enrol(&server.transport(), &server.code(OFFICERS[0]))
        .await
        .unwrap();
    dev
}

fn noisy_jpeg(w: u32, h: u32, salt: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        let n =
            (x.wrapping_mul(2_654_435_761) ^ y.wrapping_mul(40_503) ^ salt.wrapping_mul(97)) % 251;
        image::Rgb([
            n as u8,
            ((x * 7 + y) % 256) as u8,
            ((y * 3 + salt) % 256) as u8,
        ])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
    out.into_inner()
}

fn sha(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn sha256(bytes: &[u8]) -> String {
    sha(bytes)
}

fn count(server: &TestServer, table: &str) -> i64 {
    server
        .db()
        .int(&format!("SELECT count(*) FROM {table}"), &[])
}

async fn the_object_store_down_at_completion_is_retryable_and_the_upload_completes_once(
    url: String,
) {
    let proxy = S3Proxy::start().await;
    let server = TestServer::with_endpoint(&Backend::Sqlite, &Evidence::S3(url), Some(&proxy.url));
    let t = server.transport();
    let mut dev = enrolled(&server).await;
    dev.sync(&t).await.unwrap();
    let id = dev.new_case();
    let bytes = noisy_jpeg(500, 400, 61);
    let (ev, sha) = dev.photo_bytes(id, &bytes);
    dev.attach(id, vec![ev]);
    proxy.set_down(true);
    let err = dev.session(&t).await.unwrap_err();
    match &err {
        SyncError::Server { status, code, .. } => {
            assert_eq!((*status, code.as_str()), (503, "unavailable"), "{err:?}")
        }
        other => panic!("expected 503 unavailable, got {other:?}"),
    }
    assert!(err.is_transient(), "the device retries it");
    // Nothing recorded, every byte kept on the server's disk.
    assert_eq!(count(&server, "blob"), 0);
    assert_eq!(server.staged(), 1);
    assert_eq!(
        server.db().int("SELECT \"offset\" FROM upload", &[]),
        bytes.len() as i64,
        "all chunks acknowledged"
    );
    assert!(!server.cases().iter().any(|c| c.evidence_complete));
    // The store comes back; the next sync completes the upload without
    // resending a byte.
    proxy.set_down(false);
    let r = dev.sync(&t).await.unwrap();
    assert_eq!((r.blobs_uploaded, r.bytes_uploaded), (1, 0), "{r:?}");
    assert_eq!(count(&server, "blob"), 1);
    assert_eq!(count(&server, "upload"), 0);
    assert_eq!(server.staged(), 0);
    assert_eq!(server.stored(&sha).await.unwrap(), bytes);
    assert!(server.cases().iter().all(|c| c.evidence_complete));
    let v = server.service.verify_evidence().await.unwrap();
    assert_eq!((v.checked, v.broken.len()), (1, 0), "{v:?}");
    // A second sync has nothing to do.
    let again = dev.sync(&t).await.unwrap();
    assert_eq!(again.bytes_uploaded, 0);
    assert_eq!(count(&server, "blob"), 1);
}

async fn an_intact_object_at_its_address_counts_as_present_and_is_not_resent(
    b: Backend,
    e: Evidence,
) {
    let server = TestServer::on_store(&b, &e);
    let t = server.transport();
    let mut dev = enrolled(&server).await;
    dev.sync(&t).await.unwrap();
    let bytes = noisy_jpeg(300, 200, 62);
    let sha = sha(&bytes);
    // A completion that put the object and crashed before recording it,
    // whose upload then expired: the bytes are there, no row.
    server
        .blobs()
        .put_unchecked(&sha, bytes.clone())
        .await
        .unwrap();
    let id = dev.new_case();
    let (ev, dev_sha) = dev.photo_bytes(id, &bytes);
    assert_eq!(dev_sha, sha);
    dev.attach(id, vec![ev]);
    let r = dev.sync(&t).await.unwrap();
    assert_eq!((r.blobs_uploaded, r.bytes_uploaded), (1, 0), "{r:?}");
    assert_eq!(count(&server, "blob"), 1);
    assert_eq!(count(&server, "upload"), 0);
    assert!(server.cases().iter().all(|c| c.evidence_complete));
}

async fn corrupted_objects_are_found_by_verify_and_replaced_by_an_upload(b: Backend, e: Evidence) {
    let server = TestServer::on_store(&b, &e);
    let t = server.transport();
    let mut dev = enrolled(&server).await;
    dev.sync(&t).await.unwrap();
    let (_, _, kept) = dev.full_case();
    dev.sync(&t).await.unwrap();
    // The server holds the photo and the decision PDF the device issued
    // (the record's documents travel as blobs too); verify checks each.
    let held = count(&server, "blob");
    assert_eq!(held, 2, "photo and decision PDF");
    let v = server.service.verify_evidence().await.unwrap();
    assert_eq!((v.checked as i64, v.broken.len()), (held, 0), "{v:?}");
    // Bit rot (or tampering) in the store: same size, other bytes.
    let mut rotten = server.stored(&kept).await.unwrap();
    rotten[100] ^= 0x01;
    server
        .blobs()
        .put_unchecked(&kept, rotten.clone())
        .await
        .unwrap();
    let v = server.service.verify_evidence().await.unwrap();
    assert_eq!(v.broken.len(), 1, "{v:?}");
    assert_eq!(v.broken[0].sha256, kept);
    assert_eq!(
        v.broken[0].check,
        Check::Corrupt {
            actual: sha(&rotten)
        }
    );
    // A truncated object is reported by its size.
    server
        .blobs()
        .put_unchecked(&kept, rotten[..50].to_vec())
        .await
        .unwrap();
    let v = server.service.verify_evidence().await.unwrap();
    assert_eq!(v.broken[0].check, Check::WrongSize { size: 50 });
    // A corrupt object with no row is not taken for the original: the
    // device uploads it and the upload replaces the bad bytes.
    let bytes = noisy_jpeg(320, 240, 63);
    let fresh = sha(&bytes);
    let mut bad = bytes.clone();
    bad[10] ^= 0x80;
    server.blobs().put_unchecked(&fresh, bad).await.unwrap();
    let id = dev.new_case();
    let (ev, _) = dev.photo_bytes(id, &bytes);
    dev.attach(id, vec![ev]);
    let r = dev.sync(&t).await.unwrap();
    assert_eq!(r.bytes_uploaded, bytes.len() as u64, "{r:?}");
    assert_eq!(server.stored(&fresh).await.unwrap(), bytes);
    assert_eq!(
        server
            .blobs()
            .verify(&fresh, bytes.len() as u64)
            .await
            .unwrap(),
        Check::Intact
    );
}

fn blobs_for(dir: &std::path::Path, e: &Evidence, endpoint: Option<&str>) -> Blobs {
    store_for(dir, e, endpoint).with_keys(KeyRing::single("evidence/1", [5; 32]))
}

fn store_for(dir: &std::path::Path, e: &Evidence, endpoint: Option<&str>) -> Blobs {
    match e {
        Evidence::Fs => Blobs::filesystem(dir.join("evidence")).unwrap(),
        Evidence::S3(url) => {
            let mut b = S3Builder::from_env();
            if let Some(ep) = endpoint {
                b = b.with_endpoint(ep);
            }
            let url = format!("{url}/{}", uuid::Uuid::now_v7());
            Blobs::s3(S3Target::parse(&url).unwrap(), b, dir.join("evidence")).unwrap()
        }
    }
}

/// 20 MiB in 1 MiB chunks: a multipart put on S3 (8 MiB parts).
async fn a_large_blob_goes_in_parts_and_a_repeated_completion_is_harmless(
    _b: Backend,
    e: Evidence,
) {
    let dir = tempfile::tempdir().unwrap();
    let blobs = blobs_for(dir.path(), &e, None);
    let mut bytes = vec![0u8; 20 << 20];
    rand::Rng::fill(&mut rand::rng(), &mut bytes[..]);
    let sha = sha(&bytes);
    let size = bytes.len() as u64;
    let mut offset = 0;
    for chunk in bytes.chunks(1 << 20) {
        offset = blobs.write_chunk("up-1", offset, chunk).unwrap();
    }
    // Staged, not yet complete: sealed on disk, chunk by chunk.
    let part = std::fs::read(dir.path().join("evidence/uploads/up-1.part")).unwrap();
    assert!(part.starts_with(zhifa_server::blobs::part::MAGIC));
    assert!(
        part.len() as u64 > size,
        "every record carries a nonce and tag"
    );
    for at in [0, 1000, 5 << 20, (20 << 20) - 64] {
        assert!(
            !part.windows(64).any(|w| w == &bytes[at..at + 64]),
            "staged plaintext at {at}"
        );
    }
    assert_eq!(
        blobs.finish("up-1", &sha, size).await.unwrap(),
        Finish::Stored
    );
    assert_eq!(blobs.head(&sha).await.unwrap(), Some(size));
    // Crash after the put, before the row: the retried completion finds
    // the staged copy (S3) or the renamed file (filesystem) and is Stored
    // again, with the same bytes.
    assert_eq!(
        blobs.finish("up-1", &sha, size).await.unwrap(),
        Finish::Stored
    );
    assert_eq!(blobs.verify(&sha, size).await.unwrap(), Check::Intact);
    assert_eq!(blobs.read_unchecked(&sha).await.unwrap().unwrap(), bytes);
    // Sealed at rest, segment by segment (64 KiB + a 16-byte tag each).
    let raw = blobs.read_raw(&sha).await.unwrap().unwrap();
    assert_eq!(
        raw.len() as u64,
        zhifa_server::blobs::seal::sealed_size("evidence/1", size)
    );
    assert!(!raw.windows(64).any(|w| w == &bytes[1000..1064]));
    blobs.drop_staging("up-1").await.unwrap();
    assert!(blobs.part_ids().unwrap().is_empty());
    // Bytes that do not match the declared hash are refused and dropped.
    let mut offset = 0;
    for chunk in bytes[..3 << 20].chunks(1 << 20) {
        offset = blobs.write_chunk("up-2", offset, chunk).unwrap();
    }
    let other = "ab".repeat(32);
    assert_eq!(
        blobs.finish("up-2", &other, offset).await.unwrap(),
        Finish::Mismatch
    );
    assert!(blobs.part_ids().unwrap().is_empty());
    assert_eq!(blobs.head(&other).await.unwrap(), None);
    // Nothing staged and nothing stored: the upload is lost, not faked.
    assert_eq!(
        blobs.finish("up-3", &other, 10).await.unwrap(),
        Finish::Lost
    );
}

async fn a_multipart_put_cut_by_an_outage_completes_on_retry(url: String) {
    let proxy = S3Proxy::start().await;
    let dir = tempfile::tempdir().unwrap();
    let blobs = blobs_for(dir.path(), &Evidence::S3(url), Some(&proxy.url));
    let mut bytes = vec![0u8; 17 << 20];
    rand::Rng::fill(&mut rand::rng(), &mut bytes[..]);
    let sha = sha(&bytes);
    let size = bytes.len() as u64;
    blobs.write_chunk("up", 0, &bytes).unwrap();
    // The store goes away 12 MiB into the put: the first 8 MiB part is
    // in, the second is cut mid-way.
    proxy.down_after(12 << 20);
    let err = blobs.finish("up", &sha, size).await.unwrap_err();
    assert!(proxy.is_down());
    assert_eq!(err.code(), "evidence_store_unavailable", "{err}");
    let api: zhifa_server::error::ApiError = err.into();
    assert_eq!(api.kind.status(), 503);
    assert_eq!(api.body().retry_after_ms, Some(1_000));
    assert_eq!(
        blobs.part_ids().unwrap(),
        vec!["up".to_owned()],
        "staging kept"
    );
    proxy.set_down(false);
    assert_eq!(blobs.head(&sha).await.unwrap(), None, "no partial object");
    assert_eq!(
        blobs.finish("up", &sha, size).await.unwrap(),
        Finish::Stored
    );
    assert_eq!(blobs.verify(&sha, size).await.unwrap(), Check::Intact);
}

/// Issue 15 item 4: evidence is sealed at rest. An upload through the
/// resumable path is stored sealed (not its plaintext), verified and read
/// back as the original; a legacy plaintext object stays readable and is
/// sealed in place by `evidence seal` (`seal_all`), and a second run
/// changes nothing; after a data-key rotation new objects use the new key,
/// old ones still open, and `--rekey` moves them.
async fn evidence_is_sealed_at_rest_and_legacy_objects_are_sealed_in_place(
    b: Backend,
    e: Evidence,
) {
    let server = TestServer::on_store(&b, &e);
    let t = server.transport();
    let mut dev = enrolled(&server).await;
    dev.sync(&t).await.unwrap();
    let id = dev.new_case();
    let bytes = noisy_jpeg(400, 300, 71);
    let (ev, sha) = dev.photo_bytes(id, &bytes);
    dev.attach(id, vec![ev]);
    let r = dev.sync(&t).await.unwrap();
    assert_eq!(r.blobs_uploaded, 1, "{r:?}");
    let raw = server.blobs().read_raw(&sha).await.unwrap().unwrap();
    assert_ne!(raw, bytes);
    assert!(raw.starts_with(zhifa_server::blobs::seal::MAGIC));
    assert!(
        !raw.windows(64).any(|w| w == &bytes[200..264]),
        "plaintext at rest"
    );
    assert_eq!(server.stored(&sha).await.unwrap(), bytes);
    assert_eq!(
        server.blobs().head(&sha).await.unwrap(),
        Some(bytes.len() as u64),
        "the original's size"
    );
    let v = server.service.verify_evidence().await.unwrap();
    assert_eq!((v.checked, v.broken.len()), (1, 0), "{v:?}");
    // A legacy object (written before sealing): plaintext, recorded.
    let legacy = noisy_jpeg(200, 100, 72);
    let legacy_sha = sha256(&legacy);
    server
        .blobs()
        .put_unchecked(&legacy_sha, legacy.clone())
        .await
        .unwrap();
    server.db().rows(
        &format!(
            "INSERT INTO blob (sha256, size, verified_at) VALUES (?1, {}, '2026-03-10T02:00:00.000Z')",
            legacy.len()
        ),
        &[&legacy_sha],
    );
    assert_eq!(server.stored(&legacy_sha).await.unwrap(), legacy);
    let v = server.service.verify_evidence().await.unwrap();
    assert_eq!((v.checked, v.broken.len()), (2, 0), "{v:?}");
    // A legacy original that happens to begin with the magic stays a
    // plaintext original (its tags cannot verify), not "corrupt".
    let mut forged = zhifa_server::blobs::seal::MAGIC.to_vec();
    forged.extend_from_slice(&legacy[..500]);
    let forged_sha = sha256(&forged);
    server
        .blobs()
        .put_unchecked(&forged_sha, forged.clone())
        .await
        .unwrap();
    assert_eq!(
        server
            .blobs()
            .verify(&forged_sha, forged.len() as u64)
            .await
            .unwrap(),
        Check::Intact
    );
    // `evidence seal`: both legacy objects sealed, the upload left alone.
    let r = server.blobs().seal_all(false).await.unwrap();
    assert_eq!(
        (r.checked, r.sealed, r.already_sealed, r.not_intact.len()),
        (3, 2, 1, 0),
        "{r:?}"
    );
    for (s, plain) in [(&legacy_sha, &legacy), (&forged_sha, &forged)] {
        let raw = server.blobs().read_raw(s).await.unwrap().unwrap();
        assert!(
            !raw.windows(64).any(|w| w == &plain[10..74]),
            "plaintext at rest"
        );
        assert_eq!(&server.stored(s).await.unwrap(), plain);
        assert_eq!(
            server.blobs().verify(s, plain.len() as u64).await.unwrap(),
            Check::Intact
        );
    }
    let v = server.service.verify_evidence().await.unwrap();
    assert_eq!((v.checked, v.broken.len()), (2, 0), "{v:?}");
    // A second run changes nothing.
    let before = server.blobs().read_raw(&legacy_sha).await.unwrap();
    let again = server.blobs().seal_all(false).await.unwrap();
    assert_eq!(
        (again.sealed, again.resealed, again.already_sealed),
        (0, 0, 3),
        "{again:?}"
    );
    assert_eq!(server.blobs().read_raw(&legacy_sha).await.unwrap(), before);
    // A new data key: new objects use it, old ones still open; --rekey
    // moves them, once.
    let rotated = zhifa_tests::off_runtime(|| server.service.keys_rotate_data(false).unwrap());
    assert!(
        rotated.new_data_keys.contains(&"evidence/2".to_owned()),
        "{rotated:?}"
    );
    let fresh = noisy_jpeg(240, 180, 73);
    let id = dev.new_case();
    let (ev, fresh_sha) = dev.photo_bytes(id, &fresh);
    dev.attach(id, vec![ev]);
    dev.sync(&t).await.unwrap();
    let raw = server.blobs().read_raw(&fresh_sha).await.unwrap().unwrap();
    let header = zhifa_server::blobs::seal::Header::parse(&raw).unwrap();
    assert_eq!(header.key_id, "evidence/2");
    assert_eq!(
        server.stored(&sha).await.unwrap(),
        bytes,
        "old key still opens"
    );
    let r = server.blobs().seal_all(true).await.unwrap();
    assert_eq!((r.resealed, r.already_sealed), (3, 1), "{r:?}");
    let r = server.blobs().seal_all(true).await.unwrap();
    assert_eq!((r.resealed, r.already_sealed), (0, 4), "{r:?}");
    assert_eq!(server.stored(&sha).await.unwrap(), bytes);
    // After a restart (keys read from the vault again) all still verify.
    let server = server.restart();
    let v = server.service.verify_evidence().await.unwrap();
    assert_eq!((v.checked, v.broken.len()), (3, 0), "{v:?}");
}

zhifa_tests::on_both_evidence_stores!(
    evidence_is_sealed_at_rest_and_legacy_objects_are_sealed_in_place,
    an_intact_object_at_its_address_counts_as_present_and_is_not_resent,
    corrupted_objects_are_found_by_verify_and_replaced_by_an_upload,
    a_large_blob_goes_in_parts_and_a_repeated_completion_is_harmless,
);

mod s3_only {
    #[tokio::test]
    async fn the_object_store_down_at_completion_is_retryable_and_the_upload_completes_once() {
        if let Some(zhifa_tests::Evidence::S3(url)) = zhifa_tests::Evidence::s3(
            "the_object_store_down_at_completion_is_retryable_and_the_upload_completes_once",
        ) {
            super::the_object_store_down_at_completion_is_retryable_and_the_upload_completes_once(
                url,
            )
            .await
        }
    }

    #[tokio::test]
    async fn a_multipart_put_cut_by_an_outage_completes_on_retry() {
        if let Some(zhifa_tests::Evidence::S3(url)) =
            zhifa_tests::Evidence::s3("a_multipart_put_cut_by_an_outage_completes_on_retry")
        {
            super::a_multipart_put_cut_by_an_outage_completes_on_retry(url).await
        }
    }
}
