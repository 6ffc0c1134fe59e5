//! The server as the system of record (issue 15): a device that synced a
//! case and is then wiped loses nothing — the server's `case show` matches
//! the device's `zhifa case show --json` field for field, the decision PDF
//! is held by hash and `evidence verify` passes; a decision the server's
//! rules refuse is kept and flagged; a device that synced before the
//! server kept content sends it once (backfill). Each on SQLite and
//! PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should abort loudly

use chrono::NaiveDate;
use sha2::{Digest, Sha256};
use uuid::Uuid;
use zhifa_core::case::{self, CaseDoc};
use zhifa_server::record::show;
use zhifa_tests::{Backend, NowUtc, OFFICERS, TestDevice, TestServer, party};

zhifa_tests::on_both_backends!(
    a_wiped_device_loses_nothing,
    a_refused_decision_is_kept_and_flagged,
    an_old_device_sends_its_content_once,
    personal_data_is_sealed_and_its_keys_rotate
);

/// The day both sides compute the payment standing for.
fn on() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 20).unwrap()
}

/// What `zhifa case show ID --json` prints on the device (the CLI prints
/// exactly this value, `cli/src/case.rs`).
fn device_doc(dev: &TestDevice, id: Uuid) -> serde_json::Value {
    let c = case::get(&dev.store, id).unwrap().unwrap();
    let timeline = case::timeline(&dev.store, id).unwrap();
    let provisional = case::provisional_of_case(&dev.store, id).unwrap();
    serde_json::to_value(CaseDoc::of(c, timeline, provisional, on())).unwrap()
}

/// `zhifa-server case show ID --json`.
fn server_doc(server: &TestServer, id: Uuid) -> serde_json::Value {
    let now = server.clock.now_utc();
    server.store(|st| {
        show::show(st, &id.to_string(), on(), "test", now)
            .unwrap()
            .expect("the server holds the full case")
    })
}

/// The server's document minus what only the server has (its documents
/// list, its replay of the rules, the flag), which the device never shows.
fn device_part(mut v: serde_json::Value) -> serde_json::Value {
    let m = v.as_object_mut().unwrap();
    for k in ["documents", "evidence_files", "replay", "flagged"] {
        assert!(
            m.remove(k).is_some() || k == "replay",
            "server field {k} missing"
        );
    }
    v
}

async fn a_wiped_device_loses_nothing(b: Backend) {
    let server = TestServer::on(&b);
    let t = server.transport();
    let mut dev = TestDevice::new();
    dev.enrol(&t, &server.code(OFFICERS[0])).await.unwrap();
    dev.sync(&t).await.unwrap();
    let (id, number, photo_sha) = dev.full_case();
    let r = dev.sync(&t).await.unwrap();
    assert_eq!(r.rejected, 0, "{r:?}");
    assert_eq!(dev.pending(), 0);
    let before = device_doc(&dev, id);
    assert_eq!(before["status"], "served");
    assert!(before["party"]["name"].is_string());
    // The decision PDF the device archived and announced.
    let announced = zhifa_core::case::archive::announced_documents(&dev.store).unwrap();
    assert_eq!(
        announced.len(),
        1,
        "one printable document: the served decision"
    );
    let (pdf_sha, pdf_size) = announced[0].clone();

    // The tablet is lost: its data folder is gone.
    let dir = dev.dir.path().to_owned();
    drop(dev);
    assert!(!dir.exists());

    let doc = server_doc(&server, id);
    let docs = doc["documents"].as_array().unwrap().clone();
    assert_eq!(
        device_part(doc.clone()),
        before,
        "the server's case show must equal the device's field for field"
    );
    assert_eq!(doc["issue"]["number"], number.as_str());
    assert_eq!(doc["evidence"].as_array().unwrap().len(), 1);
    // The replay of the rules accepted the decision.
    assert_eq!(doc["replay"]["ok"], true, "{}", doc["replay"]);
    assert_eq!(doc["flagged"], false);
    // The decision PDF, held by hash and verified.
    assert_eq!(docs.len(), 1);
    assert_eq!(docs[0]["kind"], "decision_on_the_spot");
    assert_eq!(docs[0]["title"], "当场行政处罚决定书");
    assert_eq!(docs[0]["sha256"], pdf_sha.as_str());
    assert_eq!(docs[0]["size"], pdf_size);
    assert_eq!(docs[0]["verified"], true);
    let pdf = server.stored(&pdf_sha).await.expect("PDF stored");
    assert_eq!(hex::encode(Sha256::digest(&pdf)), pdf_sha);
    assert!(pdf.starts_with(b"%PDF"));
    // At rest the PDF is sealed: none of its bytes show.
    let raw = server.blobs().read_raw(&pdf_sha).await.unwrap().unwrap();
    assert!(!raw.starts_with(b"%PDF"));
    assert!(!raw.windows(64).any(|w| w == &pdf[..64]));
    assert!(server.stored(&photo_sha).await.is_some());
    // `zhifa-server evidence verify`.
    let report = server.service.verify_evidence().await.unwrap();
    assert!(report.broken.is_empty(), "{:?}", report.broken);
    assert!(report.checked >= 2);
    // The party's personal data is nowhere in plaintext in the database.
    if matches!(b, Backend::Sqlite) {
        let p = party();
        for f in ["server.db", "server.db-wal"] {
            let Ok(bytes) = std::fs::read(server.dir.path().join(f)) else {
                continue;
            };
            for needle in [&p.name, &p.id_number, p.phone.as_ref().unwrap(), &p.address] {
                assert!(
                    !bytes.windows(needle.len()).any(|w| w == needle.as_bytes()),
                    "{f} holds personal data in plaintext"
                );
            }
        }
    }
    // The timeline rows keep the pushing batch's signature.
    let db = server.db();
    let signed = db.int(
        "SELECT count(*) FROM record_case_event WHERE case_id = ?1 AND signature <> '' AND batch_id <> ''",
        &[&id.to_string()],
    );
    assert_eq!(signed, before["timeline"].as_array().unwrap().len() as i64);
}

/// The byte forms a party's text could take in a file: UTF-8, UTF-16
/// (both orders).
fn forms(text: &str) -> Vec<Vec<u8>> {
    let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
    vec![text.as_bytes().to_vec(), le, be]
}

/// Where in `bytes` any of the party's name, ID number, phone or address
/// appears (by field name).
fn personal_in(bytes: &[u8]) -> Option<&'static str> {
    let p = party();
    let fields = [
        ("name", p.name.clone()),
        ("id_number", p.id_number.clone()),
        ("phone", p.phone.clone().unwrap()),
        ("address", p.address.clone()),
    ];
    for (field, text) in fields {
        for needle in forms(&text) {
            if bytes.windows(needle.len()).any(|w| w == needle.as_slice()) {
                return Some(field);
            }
        }
    }
    None
}

/// Every file under `dir`, the evidence store's objects (photos and
/// issued documents, sealed under the vault's `evidence` key) included.
fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let path = e.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out
}

/// `pg_dump` of the test's schema, as text.
fn pg_dump(base_url: &str, schema: &str) -> Vec<u8> {
    let bin = std::iter::once(std::path::PathBuf::from("pg_dump"))
        .chain(
            std::fs::read_dir("/usr/lib/postgresql")
                .into_iter()
                .flatten()
                .map(|e| e.unwrap().path().join("bin/pg_dump")),
        )
        .find(|b| {
            std::process::Command::new(b)
                .arg("--version")
                .output()
                .is_ok()
        })
        .expect("pg_dump (Debian package postgresql-client)");
    let out = std::process::Command::new(bin)
        .args(["--schema", schema, "--data-only", "--dbname", base_url])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!out.stdout.is_empty());
    out.stdout
}

/// Issue 15 item 4: no party name, ID number, phone or address in
/// plaintext anywhere in the data folder or a `pg_dump`; the master key
/// and the data keys rotate (`keys rotate-master`, `keys rotate-data
/// --reseal`) and the case reads the same after a restart; the ID
/// number's blind index survives; a wrong master key does not open it.
async fn personal_data_is_sealed_and_its_keys_rotate(b: Backend) {
    let server = TestServer::on(&b);
    let t = server.transport();
    let mut dev = TestDevice::new();
    dev.enrol(&t, &server.code(OFFICERS[0])).await.unwrap();
    dev.sync(&t).await.unwrap();
    let (id, _, _) = dev.full_case();
    let r = dev.sync(&t).await.unwrap();
    assert_eq!(r.rejected, 0, "{r:?}");
    let before = server_doc(&server, id);
    assert_eq!(before["party"]["name"], party().name.as_str());
    // The check below finds the party where it is in plaintext.
    assert_eq!(personal_in(before.to_string().as_bytes()), Some("name"));
    let index_of = |server: &TestServer| {
        server.db().text(
            "SELECT party_index FROM record_case WHERE case_id = ?1",
            &[&id.to_string()],
        )
    };
    let index = index_of(&server);
    assert_eq!(index.len(), 64);

    let check_at_rest = |server: &TestServer| {
        let files = files_under(server.dir.path());
        assert!(files.iter().any(|f| f.ends_with("master.key")));
        for f in &files {
            let bytes = std::fs::read(f).unwrap();
            assert_eq!(
                personal_in(&bytes),
                None,
                "{} holds personal data",
                f.display()
            );
        }
        if let (Backend::Postgres(url), Some(s)) = (&b, &server.scratch) {
            let dump = pg_dump(url, s.schema());
            assert!(
                String::from_utf8_lossy(&dump).contains("record_case"),
                "the dump holds the record tables"
            );
            assert_eq!(personal_in(&dump), None, "pg_dump holds personal data");
        }
    };
    check_at_rest(&server);

    // New data keys; every stored value re-encrypted under them.
    let keys_before = zhifa_tests::off_runtime(|| server.service.keys_status().unwrap());
    let rotated = zhifa_tests::off_runtime(|| server.service.keys_rotate_data(true).unwrap());
    // Every purpose but the blind index (record.case, record.case_event,
    // record.inspection, record.task, evidence, staff.totp).
    assert_eq!(
        rotated.new_data_keys.len(),
        zhifa_server::pii::PURPOSES.len() - 1,
        "{rotated:?}"
    );
    assert!(
        rotated
            .new_data_keys
            .iter()
            .any(|k| k.starts_with("staff.totp/")),
        "{rotated:?}"
    );
    assert!(rotated.resealed >= 2, "{rotated:?}");
    let status = zhifa_tests::off_runtime(|| server.service.keys_status().unwrap());
    for k in &keys_before {
        let now = status.iter().find(|s| s.id == k.id).unwrap();
        if k.purpose == "blind_index" {
            assert!(now.retired_at.is_none());
        } else if k.purpose == "evidence" {
            // Objects are not counted; they stay readable under the old
            // key (`evidence seal --rekey` moves them).
            assert!(now.retired_at.is_some(), "{now:?}");
        } else {
            assert!(now.retired_at.is_some(), "{now:?}");
            assert_eq!(now.values, 0, "nothing left under {}", k.id);
        }
    }
    // A new master key; the old one leaves the key file.
    let old_master = server.service.vault.provider().current_id();
    let m = zhifa_tests::off_runtime(|| server.service.keys_rotate_master().unwrap());
    assert_ne!(m.master_id, old_master);
    assert_eq!(m.dropped_masters, vec![old_master]);
    assert_eq!(m.rewrapped, status.len());
    let server = server.restart();
    assert_eq!(server.service.vault.provider().current_id(), m.master_id);
    assert_eq!(
        server_doc(&server, id),
        before,
        "the same case after both rotations"
    );
    assert_eq!(
        index_of(&server),
        index,
        "the blind index survives rotation"
    );
    check_at_rest(&server);

    // The data folder with another master key does not open.
    let key = server.dir.path().join("master.key");
    std::fs::write(&key, format!("{}\n", "ab".repeat(32))).unwrap();
    let dir = server.dir.path().to_owned();
    let url = server.scratch.as_ref().map(|s| s.url().to_owned());
    let e = zhifa_tests::off_runtime(move || {
        zhifa_server::Service::open(
            &dir,
            url.as_deref(),
            std::sync::Arc::new(zhifa_server::clock::SystemClock),
        )
        .err()
        .map(|e| e.to_string())
    });
    let e = e.expect("a wrong master key must not open the vault");
    assert!(e.contains("密钥"), "{e}");
}

async fn a_refused_decision_is_kept_and_flagged(b: Backend) {
    let server = TestServer::on(&b);
    let t = server.transport();
    let mut dev = TestDevice::new();
    dev.enrol(&t, &server.code(OFFICERS[0])).await.unwrap();
    dev.sync(&t).await.unwrap();
    let (id, _, _) = dev.full_case();
    dev.tamper_decision(id, 50_000);
    let r = dev.sync(&t).await.unwrap();
    // Kept: the legal act happened; nothing is rejected.
    assert_eq!(r.rejected, 0, "{r:?}");
    let doc = server_doc(&server, id);
    assert_eq!(doc["status"], "served");
    assert_eq!(doc["decision"]["penalty"]["amount_fen"], 50_000);
    assert_eq!(doc["flagged"], true);
    let replay = &doc["replay"];
    assert_eq!(replay["ok"], false);
    let codes: Vec<&str> = replay["codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert!(
        codes.contains(&zhifa_server::record::replay::SIMPLE_NOT_ALLOWED),
        "{codes:?}"
    );
    assert_eq!(
        replay["messages"].as_array().unwrap().len(),
        codes.len(),
        "a message per code"
    );
    let db = server.db();
    let reason = db.text(
        "SELECT flag_reason FROM record_case WHERE case_id = ?1 AND flagged = 1",
        &[&id.to_string()],
    );
    assert!(reason.contains(zhifa_server::record::replay::SIMPLE_NOT_ALLOWED));

    // An honest case of the same device is not flagged.
    let (ok_id, _, _) = dev.full_case();
    dev.sync(&t).await.unwrap();
    let ok = server_doc(&server, ok_id);
    assert_eq!(ok["flagged"], false);
    assert_eq!(ok["replay"]["ok"], true, "{}", ok["replay"]);
}

async fn an_old_device_sends_its_content_once(b: Backend) {
    let server = TestServer::on(&b);
    let t = server.transport();
    let mut dev = TestDevice::new();
    // The device as it synced under the old server: no snapshot, and step
    // records without the case (the payload of device schema 1).
    dev.cfg.backfill = false;
    dev.enrol(&t, &server.code(OFFICERS[0])).await.unwrap();
    dev.sync(&t).await.unwrap();
    let (id, _, _) = dev.full_case();
    let insp = dev.start_inspection("龙兴镇示例路8号", &["CJ-XXSC"], None);
    dev.store
        .conn()
        .execute(
            "UPDATE outbox SET payload = json_remove(payload, '$.case')",
            [],
        )
        .unwrap();
    let r = dev.sync(&t).await.unwrap();
    assert_eq!(r.rejected, 0, "{r:?}");
    let db = server.db();
    let held = |table: &str, col: &str, id: &str| {
        db.int(
            &format!("SELECT count(*) FROM {table} WHERE {col} = ?1"),
            &[id],
        )
    };
    assert_eq!(
        held("record_case", "case_id", &id.to_string()),
        0,
        "only status so far"
    );
    assert_eq!(held("cases", "case_id", &id.to_string()), 1);

    // The new engine: the one-time snapshot.
    dev.cfg.backfill = true;
    let r = dev.sync(&t).await.unwrap();
    assert_eq!(r.rejected, 0, "{r:?}");
    assert_eq!(device_part(server_doc(&server, id)), device_doc(&dev, id));
    assert_eq!(
        held("record_inspection", "inspection_id", &insp.id.to_string()),
        1
    );
    let stored = server.store(|st| {
        st.record_read(|c, k| {
            Ok(
                zhifa_server::record::others::load_inspection(c, k, &insp.id.to_string())?
                    .unwrap_or_default(),
            )
        })
        .unwrap()
    });
    let on_device = serde_json::to_value(
        zhifa_core::inspection::get(&dev.store, insp.id)
            .unwrap()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(stored, on_device);

    // Exactly once: a later sync queues nothing more.
    let snapshots = |dev: &TestDevice| -> i64 {
        dev.store
            .conn()
            .query_row(
                "SELECT count(*) FROM outbox WHERE op = 'snapshot'",
                [],
                |r| r.get(0),
            )
            .unwrap()
    };
    let n = snapshots(&dev);
    assert_eq!(n, 2, "one case and one inspection");
    dev.sync(&t).await.unwrap();
    assert_eq!(snapshots(&dev), n);
    // Idempotent on the server: the same snapshot again changes nothing.
    let before = server_doc(&server, id);
    dev.store
        .conn()
        .execute(
            "UPDATE outbox SET pushed_at = NULL WHERE op = 'snapshot'",
            [],
        )
        .unwrap();
    dev.sync(&t).await.unwrap();
    assert_eq!(server_doc(&server, id), before);
}
