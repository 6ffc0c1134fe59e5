//! Scale-out on the existing engines (issue 15 item 7): two real
//! `zhifa-server serve` processes on one PostgreSQL schema, one S3 prefix,
//! one master key and one data folder (a shared volume in a deployment:
//! upload staging, catalogue snapshots, the badge and finance keys) serve
//! the same devices, which alternate between them request by request.
//!
//! Four devices (two townships, one officer each) sync concurrently, each
//! through a [`Route`] that sends its push batches alternately to A and B
//! and loses the answer of every third one after the server committed it
//! (so the retry of an answered batch goes to the other server), stages
//! evidence chunks on A and B in turn (losing one answer per upload), and
//! reads its inbox through either. Then: every mutation is in the ledger
//! exactly once and applied, case versions, timelines and document numbers
//! match the devices, each inbox is complete with a cursor that never went
//! back, every blob is intact in the store and acknowledged by both
//! servers, the console's case list reads the same through A and B, and
//! two collector runs started together elect exactly one collector (the
//! other reports `skipped`).
//!
//! Needs PostgreSQL and S3 (`ZHIFA_TEST_PG_URL`, `ZHIFA_TEST_S3_URL`):
//! skipped with a `skipped:` line when either is unset, a failure under
//! `ZHIFA_REQUIRE_PG=1` / `ZHIFA_REQUIRE_S3=1`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should abort loudly

mod two_servers_support;

use std::collections::{BTreeMap, BTreeSet};
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::Value;
use sha2::{Digest, Sha256};
use two_servers_support::{DEADLINE, Deployment, Hop, Route, Server, block_on, get, json_of};
use zhifa_server::store::sql::{Conn, Val};
use zhifa_sync::engine;
use zhifa_sync::transport::{HttpTransport, Method, Transport};
use zhifa_tests::{Backend, Evidence, TestDevice};

/// What a device did and holds, read on its own thread.
struct Seen {
    device_id: String,
    officer: String,
    token: String,
    outbox: i64,
    /// (case id, document number, version, timeline steps).
    cases: Vec<(String, String, i64, i64)>,
    /// The inbox events it holds: (cursor, event id), by cursor.
    inbox: Vec<(i64, String)>,
    /// Its inbox cursor after each sync.
    cursors: Vec<i64>,
    hops: Vec<Hop>,
}

/// One device: enrol through A or B, sync, two full cases each followed
/// by a sync, a task assigned between them; all through a [`Route`].
fn drive(d: &Deployment, urls: [&str; 2], township: &str, officers: [&str; 2]) -> Seen {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut dev = TestDevice::in_township(township, officers);
    dev.cfg.batch_size = 4;
    dev.cfg.max_attempts = 60;
    let route = Route::new(urls, dev.cfg.chunk_size);
    let code = d.cli(&["officer", "enrol-code", "--officer", officers[0]])["code"]
        .as_str()
        .unwrap()
        .to_owned();
    rt.block_on(dev.enrol(&route, &code)).unwrap();
    let mut cursors = Vec::new();
    let mut cases = Vec::new();
    let cursor = |dev: &TestDevice| -> i64 {
        dev.store
            .conn()
            .query_row(
                "SELECT cursor FROM sync_cursor WHERE stream = 'inbox'",
                [],
                |r| r.get::<_, String>(0),
            )
            .map_or(0, |c| c.parse().unwrap())
    };
    rt.block_on(dev.sync(&route)).unwrap();
    cursors.push(cursor(&dev));
    for round in 0..2 {
        assign_task(d, officers[0], round);
        let (id, number, _sha) = dev.full_case();
        let r = rt.block_on(dev.sync(&route)).unwrap();
        assert_eq!(
            r.rejected,
            0,
            "{:?}",
            engine::conflicts(&dev.store).unwrap()
        );
        cursors.push(cursor(&dev));
        let case = zhifa_core::case::get(&dev.store, id).unwrap().unwrap();
        let steps = zhifa_core::case::timeline(&dev.store, id).unwrap().len() as i64;
        cases.push((id.to_string(), number, case.version as i64, steps));
    }
    // A last sync: whatever the last one left (inbox events of the task
    // assigned while it ran) arrives now.
    rt.block_on(dev.sync(&route)).unwrap();
    cursors.push(cursor(&dev));
    assert_eq!(dev.pending(), 0);
    let mut stmt = dev
        .store
        .conn()
        .prepare("SELECT cursor, event_id FROM inbox_event ORDER BY cursor")
        .unwrap();
    let inbox = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    drop(stmt);
    Seen {
        device_id: dev.id(),
        officer: officers[0].to_owned(),
        token: engine::enrolment(&dev.store).unwrap().unwrap().access_token,
        outbox: dev.outbox_len(),
        cases,
        inbox,
        cursors,
        hops: route.hops(),
    }
}

fn assign_task(d: &Deployment, officer: &str, round: usize) {
    let v = d.cli(&[
        "task",
        "assign",
        "--officer",
        officer,
        "--kind",
        "complaint",
        "--place",
        "示例路",
        "--detail",
        &format!("第{round}次投诉核查"),
    ]);
    assert!(v["task_id"].is_string(), "{v}");
}

fn text(row: &zhifa_server::store::sql::Row, i: usize) -> String {
    row.get::<String>(i).unwrap()
}

fn int(row: &zhifa_server::store::sql::Row, i: usize) -> i64 {
    row.get::<i64>(i).unwrap()
}

/// Every mutation of every device applied exactly once; case versions,
/// timelines and numbers as the devices hold them; inboxes complete.
fn check_exactly_once(d: &Deployment, seen: &[Seen]) {
    let mut db = d.db();
    for n in ["conflict", "clone_alarm"] {
        let rows = db.query(&format!("SELECT count(*) FROM {n}"), &[]).unwrap();
        assert_eq!(int(&rows[0], 0), 0, "{n}");
    }
    let mut numbers = BTreeSet::new();
    for s in seen {
        let r = &db
            .query(
                "SELECT count(*), min(seq), max(seq), count(*) FILTER (WHERE status = 'applied')
                 FROM ledger WHERE device_id = ?1",
                &[Val::Text(&s.device_id)],
            )
            .unwrap()[0];
        let got = (int(r, 0), int(r, 1), int(r, 2), int(r, 3));
        assert_eq!(got, (s.outbox, 1, s.outbox, s.outbox), "{}", s.device_id);
        for (id, number, version, steps) in &s.cases {
            let r = &db
                .query(
                    "SELECT version, document_number, status FROM cases WHERE case_id = ?1",
                    &[Val::Text(id)],
                )
                .unwrap()[0];
            assert_eq!(
                (int(r, 0), text(r, 1), text(r, 2)),
                (*version, number.clone(), "served".into())
            );
            let r = &db
                .query(
                    "SELECT count(*), min(seq), max(seq) FROM record_case_event WHERE case_id = ?1",
                    &[Val::Text(id)],
                )
                .unwrap()[0];
            assert_eq!(
                (int(r, 0), int(r, 1), int(r, 2)),
                (*steps, 1, *version),
                "timeline of {id}"
            );
            let r = &db
                .query(
                    "SELECT count(*) FROM number_use WHERE formatted = ?1 AND case_id = ?2 AND status = 'used'",
                    &[Val::Text(number), Val::Text(id)],
                )
                .unwrap()[0];
            assert_eq!(int(r, 0), 1, "number {number}");
            assert!(numbers.insert(number.clone()), "number {number} twice");
        }
        // The inbox: every event of the officer, once, cursors rising.
        let rows = db
            .query(
                "SELECT cursor, event_id FROM inbox WHERE officer_id = ?1 ORDER BY cursor",
                &[Val::Text(&s.officer)],
            )
            .unwrap();
        let server: Vec<(i64, String)> = rows.iter().map(|r| (int(r, 0), text(r, 1))).collect();
        assert!(server.len() >= 2, "{}: two tasks at least", s.officer);
        assert_eq!(s.inbox, server, "{}: inbox complete", s.officer);
        assert!(
            s.cursors.windows(2).all(|w| w[0] <= w[1]),
            "{:?}",
            s.cursors
        );
        assert_eq!(s.cursors.last(), server.last().map(|e| &e.0));
    }
    let r = &db.query("SELECT count(*) FROM cases", &[]).unwrap()[0];
    assert_eq!(int(r, 0), numbers.len() as i64, "no case lost, none extra");
}

/// Both servers took part in everything, and the alternation did what
/// the test says: answered batches retried through the other server were
/// answered `duplicate`; uploads started on A were completed on B; inbox
/// pages came from both, their cursors never going back.
fn check_routes(seen: &[Seen]) {
    let mut completed_elsewhere = 0;
    for s in seen {
        let failed: Vec<&Hop> = s.hops.iter().filter(|h| h.status == Some(500)).collect();
        assert!(
            failed.is_empty(),
            "{}: internal errors {failed:?}",
            s.device_id
        );
        let pushes: Vec<&Hop> = s.hops.iter().filter(|h| !h.seqs.is_empty()).collect();
        assert!(pushes.iter().any(|h| h.server == 0) && pushes.iter().any(|h| h.server == 1));
        let mut retried = 0;
        for w in pushes.windows(2) {
            let (lost, next) = (w[0], w[1]);
            if !lost.lost {
                continue;
            }
            assert_ne!(lost.server, next.server);
            assert_eq!(lost.seqs.first(), next.seqs.first(), "the same batch again");
            for (seq, status) in next.seqs.iter().zip(&next.answer) {
                if lost.seqs.contains(seq) {
                    assert_eq!(status, "duplicate", "seq {seq} through the other server");
                    retried += 1;
                }
            }
        }
        assert!(retried > 0, "{}: a retried batch", s.device_id);
        let mut uploads: BTreeMap<&str, Vec<&Hop>> = BTreeMap::new();
        for h in s.hops.iter().filter(|h| h.offset.is_some()) {
            uploads.entry(h.path.as_str()).or_default().push(h);
        }
        for hops in uploads.values() {
            let done = hops.iter().find(|h| h.answer == ["true"]);
            if hops[0].server == 0 && done.is_some_and(|h| h.server == 1) {
                completed_elsewhere += 1;
            }
        }
        let mut last = -1;
        let mut servers = BTreeSet::new();
        for h in s
            .hops
            .iter()
            .filter(|h| h.path.starts_with("/v1/sync/inbox"))
        {
            servers.insert(h.server);
            for c in &h.answer {
                let c: i64 = c.parse().unwrap();
                assert!(c >= last, "{}: inbox cursor went back", s.device_id);
                last = c;
            }
        }
        assert_eq!(servers.len(), 2, "{}: inbox read through both", s.device_id);
    }
    assert!(
        completed_elsewhere > 0,
        "an upload staged on A completed on B"
    );
}

/// Every blob the cases expect is intact in the store (`evidence verify`)
/// and acknowledged by both servers; the console reads the same case
/// list and case through A and B.
fn check_reads(d: &Deployment, seen: &[Seen], a: &Server, b: &Server) {
    let v = d.cli(&["evidence", "verify"]);
    assert_eq!(v["broken"], serde_json::json!([]), "{v}");
    let mut db = d.db();
    // Devices capture alike (the harness's photos repeat across devices),
    // so one blob may serve several cases.
    let mut blobs = BTreeSet::new();
    for s in seen {
        for (id, ..) in &s.cases {
            let rows = db
                .query(
                    "SELECT sha256 FROM case_evidence WHERE case_id = ?1",
                    &[Val::Text(id)],
                )
                .unwrap();
            assert!(rows.len() >= 2, "photo and decision PDF of {id}");
            for r in &rows {
                let sha = text(r, 0);
                for srv in [a, b] {
                    let t = HttpTransport::new(&srv.url, None).unwrap();
                    let mut req = get(&format!("/v1/blobs/{sha}"), Some(&s.token));
                    req.method = Method::Head;
                    let resp = block_on(t.send(req)).unwrap();
                    assert_eq!(resp.status, 200, "{sha} through {}", srv.url);
                }
                blobs.insert(sha);
            }
        }
    }
    assert_eq!(v["checked"].as_u64().unwrap(), blobs.len() as u64, "{v}");
    let token = d.cli(&[
        "staff",
        "add",
        "--id",
        "zhzx-500",
        "--name",
        "指挥中心",
        "--role",
        "command_centre",
    ])["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let read = |srv: &Server, path: &str| -> Value {
        let t = HttpTransport::new(&srv.url, None).unwrap();
        let resp = block_on(t.send(get(path, Some(&token)))).unwrap();
        assert_eq!(resp.status, 200, "{path}");
        serde_json::from_slice(&resp.body).unwrap()
    };
    let path = "/v1/console/records/cases?limit=200";
    let (via_a, via_b) = (read(a, path), read(b, path));
    assert_eq!(via_a, via_b);
    let listed: BTreeSet<&str> = via_a["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["case_id"].as_str().unwrap())
        .collect();
    let ours: BTreeSet<&str> = seen
        .iter()
        .flat_map(|s| s.cases.iter().map(|c| c.0.as_str()))
        .collect();
    assert_eq!(listed, ours);
    let one = format!("/v1/console/records/cases/{}", seen[0].cases[0].0);
    assert_eq!(read(a, &one), read(b, &one));
}

/// Two collector runs at once, one beside each server: exactly one is
/// elected and collects, the other reports `skipped`. The runs are made
/// to overlap, not hoped to: a transaction of the test holds the upload
/// table, so the elected run waits inside its collection until the other
/// has finished.
fn check_one_collector(d: &Deployment, seen: &[Seen], a: &Server) {
    // Three uploads left half-done (a chunk staged), then backdated past
    // the upload TTL.
    let t = HttpTransport::new(&a.url, None).unwrap();
    let mut ids = Vec::new();
    for _ in 0..3 {
        let bytes: Vec<u8> = (0..20_000).map(|_| rand::random::<u8>()).collect();
        let sha = hex::encode(Sha256::digest(&bytes));
        let mut req = get("/v1/uploads", Some(&seen[0].token));
        req.method = Method::Post;
        req.headers
            .push(("content-type".into(), "application/json".into()));
        req.body =
            serde_json::json!({"sha256": sha, "size": bytes.len(), "media_type": "image/jpeg"})
                .to_string()
                .into_bytes();
        let resp = block_on(t.send(req)).unwrap();
        assert_eq!(resp.status, 201, "{}", String::from_utf8_lossy(&resp.body));
        let id = serde_json::from_slice::<Value>(&resp.body).unwrap()["upload_id"]
            .as_str()
            .unwrap()
            .to_owned();
        let chunk = &bytes[..8192];
        let mut req = get(&format!("/v1/uploads/{id}"), Some(&seen[0].token));
        req.method = Method::Patch;
        req.headers.extend([
            (zhifa_sync::wire::UPLOAD_OFFSET.to_owned(), "0".to_owned()),
            (
                zhifa_sync::wire::UPLOAD_CHECKSUM.to_owned(),
                format!(
                    "sha256 {}",
                    base64::Engine::encode(
                        &base64::engine::general_purpose::STANDARD,
                        Sha256::digest(chunk)
                    )
                ),
            ),
            (
                "content-type".into(),
                "application/offset+octet-stream".into(),
            ),
        ]);
        req.body = chunk.to_vec();
        let resp = block_on(t.send(req)).unwrap();
        assert_eq!(resp.status, 200, "{}", String::from_utf8_lossy(&resp.body));
        ids.push(id);
    }
    let mut db = d.db();
    for id in &ids {
        db.exec(
            "UPDATE upload SET created_at = '2020-01-01T00:00:00.000Z' WHERE id = ?1",
            &[Val::Text(id)],
        )
        .unwrap();
    }
    let mut lock = d.db();
    lock.batch("BEGIN; LOCK TABLE upload IN ACCESS EXCLUSIVE MODE")
        .unwrap();
    let spawn = || {
        d.command()
            .args(["--json", "gc"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let mut runs = [spawn(), spawn()];
    // While the table is held, the elected run cannot finish: the one
    // that finishes is the one that lost the election.
    let deadline = Instant::now() + DEADLINE;
    let first = loop {
        if let Some(i) = (0..2).find(|&i| runs[i].try_wait().unwrap().is_some()) {
            break i;
        }
        assert!(Instant::now() < deadline, "neither collector run finished");
        std::thread::sleep(Duration::from_millis(50));
    };
    let other = 1 - first;
    assert!(
        runs[other].try_wait().unwrap().is_none(),
        "the elected run waits on the held table"
    );
    lock.batch("COMMIT").unwrap();
    let [r0, r1] = runs;
    let outs = [
        r0.wait_with_output().unwrap(),
        r1.wait_with_output().unwrap(),
    ];
    let (skipped, elected) = (json_of(&outs[first]), json_of(&outs[other]));
    assert_eq!(skipped["skipped"], true, "{skipped}");
    assert_eq!(skipped["uploads_expired"], 0, "{skipped}");
    assert_eq!(elected["skipped"], false, "{elected}");
    assert_eq!(elected["uploads_expired"], 3, "{elected}");
    let r = &db.query("SELECT count(*) FROM upload", &[]).unwrap()[0];
    assert_eq!(int(r, 0), 0, "the expired uploads are gone");
}

#[test]
fn two_servers_share_one_database_and_one_store() {
    let Some(Backend::Postgres(pg)) = Backend::postgres("two_servers") else {
        return;
    };
    let Some(Evidence::S3(s3)) = Evidence::s3("two_servers") else {
        return;
    };
    let d = Deployment::new(&pg, &s3);
    // A first (it publishes the sample catalogue and writes the demo
    // officers), then B on the same database, store, key and folder.
    let a = Server::start(&d, "a", true);
    let b = Server::start(&d, "b", false);
    assert!(
        !d.data.path().join("master.key").exists(),
        "the master key came from the environment"
    );
    let devices: [(&str, [&str; 2]); 4] = [
        ("500112108", ["OFF-LX-01", "OFF-LX-02"]),
        ("500112108", ["OFF-LX-02", "OFF-LX-01"]),
        ("500110106", ["OFF-DX-01", "OFF-DX-02"]),
        ("500110106", ["OFF-DX-02", "OFF-DX-01"]),
    ];
    let seen: Vec<Seen> = std::thread::scope(|s| {
        let runs: Vec<_> = devices
            .iter()
            .enumerate()
            .map(|(i, (town, officers))| {
                // Half the devices start on B.
                let urls = if i % 2 == 0 {
                    [a.url.as_str(), b.url.as_str()]
                } else {
                    [b.url.as_str(), a.url.as_str()]
                };
                let d = &d;
                s.spawn(move || drive(d, urls, town, *officers))
            })
            .collect();
        runs.into_iter().map(|h| h.join().unwrap()).collect()
    });
    // A device that started on B sees B as "server 0": normalise so the
    // route checks read A = 0.
    let seen: Vec<Seen> = seen
        .into_iter()
        .enumerate()
        .map(|(i, mut s)| {
            if i % 2 == 1 {
                for h in &mut s.hops {
                    h.server = 1 - h.server;
                }
            }
            s
        })
        .collect();
    check_exactly_once(&d, &seen);
    check_routes(&seen);
    check_reads(&d, &seen, &a, &b);
    check_one_collector(&d, &seen, &a);
}
