//! The sync commands against a real central service over HTTP on
//! loopback (`zhifa-server`'s router, its SQLite store and `--demo`
//! defaults): enrolment with the one-time code, the background worker
//! syncing at sign-in and after a case is issued until every outbox
//! record is applied, the per-stream progress, rejected mutations as
//! conflicts with the officer's resolutions, a revoked device's error,
//! and the enrolment errors.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should abort loudly

use std::io::Cursor;
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use serde_json::{Value, json};
use zhifa_api::{App, sample};
use zhifa_core::rules::identity::citizen_check_character;
use zhifa_core::store::{DbKey, Store};
use zhifa_server::Service;
use zhifa_server::clock::SystemClock;

/// A running server: its data folder, the service, the URL and the demo codes.
struct Server {
    _dir: tempfile::TempDir,
    service: Service,
    url: String,
    codes: Vec<(String, String)>,
    _rt: tokio::runtime::Runtime,
}

impl Server {
    fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let service = Service::open(dir.path(), None, Arc::new(SystemClock)).unwrap();
        let codes = service
            .demo()
            .unwrap()
            .into_iter()
            .map(|o| (o.id, o.code))
            .collect();
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let listener = rt
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let router = zhifa_server::api::router(service.state.clone());
        rt.spawn(async move { axum::serve(listener, router).await });
        Self {
            _dir: dir,
            service,
            url,
            codes,
            _rt: rt,
        }
    }

    fn code(&self, officer: &str) -> String {
        self.codes
            .iter()
            .find(|(o, _)| o == officer)
            .unwrap()
            .1
            .clone()
    }
}

fn device() -> (tempfile::TempDir, App) {
    let dir = tempfile::tempdir().unwrap();
    let key = DbKey::Raw([3; 32]);
    let store = Store::open(&dir.path().join("device.db"), &key).unwrap();
    let app = App::open(store, &key, dir.path(), "test").unwrap();
    (dir, app)
}

fn call(app: &mut App, cmd: &str, req: Value) -> Value {
    app.dispatch(cmd, req)
        .unwrap_or_else(|e| panic!("{cmd}: {} {}", zhifa_core::ErrorCode::code(&e), e))
}

fn err_code(app: &mut App, cmd: &str, req: Value) -> String {
    app.dispatch(cmd, req).expect_err(cmd).body().code
}

fn sign_in(app: &mut App) {
    call(
        app,
        "sign_in",
        json!({"officer_id": sample::SAMPLE_OFFICER, "pin": sample::SAMPLE_PIN}),
    );
}

fn enrol(app: &mut App, server: &Server) -> Value {
    call(
        app,
        "sync_enrol",
        json!({"server_url": server.url, "code": server.code(sample::SAMPLE_OFFICER)}),
    )
}

/// Waits until a run that started after `after` has finished.
fn wait_run(app: &mut App, after: Option<&str>) -> Value {
    let t0 = Instant::now();
    loop {
        let s = call(app, "sync_status", json!({}));
        let live = &s["live"];
        let started = live["started_at"].as_str();
        if started.is_some()
            && started != after
            && live["state"] != "running"
            && live["state"] != "idle"
        {
            return s;
        }
        assert!(
            t0.elapsed() < Duration::from_secs(60),
            "no sync finished: {s}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn started_at(app: &mut App) -> Option<String> {
    call(app, "sync_status", json!({}))["live"]["started_at"]
        .as_str()
        .map(str::to_owned)
}

fn run_now(app: &App) {
    let _ = zhifa_api::sync::run_once(&app.sync_context(), &app.sync_hub(), "test");
}

fn id_number() -> String {
    let body = "50011219850612003";
    format!("{body}{}", citizen_check_character(body).unwrap())
}

fn jpeg() -> String {
    let img = image::RgbImage::from_fn(320, 240, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 40])
    });
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
    B64.encode(out.into_inner())
}

fn png() -> String {
    let img = image::GrayImage::from_fn(200, 80, |x, y| {
        image::Luma([if (x + y) % 13 == 0 { 0 } else { 255 }])
    });
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    B64.encode(out.into_inner())
}

/// A whole simple-procedure case up to issue; returns its id.
fn case_to_issue(app: &mut App) -> String {
    let c = call(
        app,
        "case_new",
        json!({"matter_code": "CG-001", "partner_officer_id": "OFF-LX-02", "minutes_ago": 5}),
    );
    let id = c["id"].as_str().unwrap().to_owned();
    call(app, "case_show_credentials", json!({"case_id": id}));
    call(
        app,
        "case_party_facts",
        json!({"case_id": id,
            "party": {"kind": "individual", "name": "周小川", "id_number": id_number(), "phone": "13800001234",
                      "address": "重庆市渝北区龙兴镇示例路1号", "representative": null},
            "facts": "在人行道上摆摊经营水果，占道面积约6平方米", "place": "龙兴镇示例路12号门前"}),
    );
    call(
        app,
        "evidence_add",
        json!({"case_id": id, "file_name": "stall.jpg", "data_base64": jpeg(),
               "lat": 29.71, "lon": 106.82, "accuracy_m": 5.0}),
    );
    call(
        app,
        "case_attach_evidence",
        json!({"case_id": id, "summary": null}),
    );
    let fine = json!({"kind": "fine", "amount_fen": 15000});
    call(
        app,
        "case_inform",
        json!({"case_id": id, "penalty": fine, "content": null}),
    );
    call(
        app,
        "case_statement",
        json!({"case_id": id, "statement": "愿意立即收摊", "review": "在阶次内从轻", "waiver_words": null}),
    );
    call(
        app,
        "case_decide",
        json!({"case_id": id, "penalty": fine, "circumstances": ["area_5_to_10sqm"], "deviation_reason": null}),
    );
    call(app, "case_issue", json!({"case_id": id}));
    id
}

#[test]
fn the_worker_syncs_at_sign_in_and_after_issue_until_every_record_is_applied() {
    let server = Server::start();
    let (_d, mut app) = device();
    let before = call(&mut app, "sync_status", json!({}));
    assert_eq!(before["live"]["state"], "not_enrolled");
    assert!(before["enrolment"].is_null());
    assert_eq!(
        err_code(&mut app, "sync_now", json!({"reason": null})),
        "SYNC_NOT_ENROLLED"
    );
    // Enrolled first: the sample defaults then take no local number
    // leases, the server grants them.
    let s = enrol(&mut app, &server);
    assert_eq!(s["enrolment"]["officer_id"], sample::SAMPLE_OFFICER);
    assert_eq!(s["enrolment"]["server_url"], server.url.as_str());
    app.load_sample_defaults().unwrap();
    let settings = call(&mut app, "settings_get", json!({}));
    assert_eq!(settings["enrolment"]["server_url"], server.url.as_str());

    let _worker = app.start_sync_worker().unwrap();
    let s = wait_run(&mut app, None);
    assert_eq!(s["live"]["state"], "ok", "{s}");
    sign_in(&mut app);
    let s = wait_run(&mut app, s["live"]["started_at"].as_str());
    assert_eq!(s["live"]["state"], "ok", "{s}");
    let leases = s["live"]["streams"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["stream"] == "leases")
        .unwrap()
        .clone();
    assert_eq!(leases["state"], "done");

    let before_issue = started_at(&mut app);
    let id = case_to_issue(&mut app);
    // Issuing triggered a sync.
    let s = wait_run(&mut app, before_issue.as_deref());
    assert_eq!(s["live"]["reason"], "case_issued");
    assert_eq!(s["live"]["state"], "ok", "{s}");
    // 行政处罚法 Art. 52 ¶2: both officers sign with their PINs first.
    for (officer, pin, again) in [
        ("OFF-LX-01", zhifa_api::sample::SAMPLE_PIN, None),
        ("OFF-LX-02", "135792", Some("135792")),
    ] {
        call(
            &mut app,
            "case_officer_sign",
            json!({"case_id": id, "officer_id": officer, "pin": pin, "pin_again": again,
                   "signature_png_base64": png()}),
        );
    }
    call(
        &mut app,
        "case_serve",
        json!({"case_id": id, "kind": "signed", "signer_name": "周小川",
               "signature_png_base64": png(), "refusal_reason": null, "witness": null}),
    );
    let before_now = started_at(&mut app);
    call(&mut app, "sync_now", json!({"reason": "manual"}));
    let s = wait_run(&mut app, before_now.as_deref());
    assert_eq!(s["live"]["state"], "ok", "{s}");
    assert_eq!(s["live"]["reason"], "manual");
    assert!(s["live"]["last_error"].is_null());
    assert_eq!(s["counts"]["pending"], 0, "{s}");
    assert_eq!(s["counts"]["rejected"], 0, "{s}");
    assert!(s["counts"]["applied"].as_u64().unwrap() >= 8, "{s}");
    assert_eq!(s["open_conflicts"], 0);
    let streams = s["live"]["streams"].as_array().unwrap();
    assert_eq!(streams.len(), 5);
    for st in streams {
        assert_eq!(st["state"], "done", "{st}");
        assert_eq!(st["records_done"], st["records_total"], "{st}");
    }
    let blobs = streams.iter().find(|x| x["stream"] == "blobs").unwrap();
    assert_eq!(blobs["bytes_done"], blobs["bytes_total"]);

    let records = call(
        &mut app,
        "sync_records",
        json!({"status": null, "limit": 500}),
    );
    let records = records.as_array().unwrap();
    assert!(!records.is_empty());
    for r in records {
        assert_eq!(r["status"], "applied", "{r}");
        assert!(r["pushed_at"].is_string());
        assert!(r["label"].as_str().unwrap().contains(" · "));
    }
    assert!(
        records
            .iter()
            .any(|r| r["entity"] == "case" && r["entity_id"] == id.as_str())
    );
    let home = call(&mut app, "home", json!({}));
    assert_eq!(home["sync"]["state"], "ok");
    assert_eq!(home["sync"]["pending"], 0);

    let cases = server
        .service
        .store()
        .cases(&zhifa_server::store::Scope::All, "test", chrono::Utc::now())
        .unwrap();
    let on_server = cases
        .iter()
        .find(|c| c.case_id == id)
        .expect("case on the server");
    assert_eq!(on_server.status, "served");
    assert!(on_server.evidence_complete);
    app.sync_hub().stop();
}

#[test]
fn rejected_mutations_are_conflicts_the_officer_resolves_and_none_is_dropped() {
    let server = Server::start();
    let (_d, mut app) = device();
    enrol(&mut app, &server);
    app.load_sample_defaults().unwrap();
    sign_in(&mut app);
    run_now(&app);
    // The operator moves the officer to another township on the server
    // (a transfer the device has not heard of): the server rejects the
    // device's new case as outside their jurisdiction, and every later
    // change of it.
    server
        .service
        .store()
        .upsert_officer(&zhifa_server::store::OfficerRow {
            id: sample::SAMPLE_OFFICER.into(),
            name: "张建国".into(),
            township: "500112001".into(),
            role: "officer".into(),
        })
        .unwrap();
    let c = call(
        &mut app,
        "case_new",
        json!({"matter_code": "CG-001", "partner_officer_id": "OFF-LX-02", "minutes_ago": 5}),
    );
    let id = c["id"].as_str().unwrap().to_owned();
    call(
        &mut app,
        "case_party_facts",
        json!({"case_id": id,
            "party": {"kind": "individual", "name": "周小川", "id_number": id_number(), "phone": "13800001234",
                      "address": "重庆市示例路1号", "representative": null},
            "facts": "在人行道上摆摊经营水果", "place": "示例路12号门前"}),
    );
    run_now(&app);
    let s = call(&mut app, "sync_status", json!({}));
    assert_eq!(s["live"]["state"], "ok", "{s}");
    assert!(s["live"]["last_report"]["rejected"].as_u64().unwrap() >= 2);
    let conflicts = call(&mut app, "sync_conflicts", json!({}));
    let conflicts = conflicts.as_array().unwrap().clone();
    assert!(conflicts.len() >= 2, "{conflicts:?}");
    assert_eq!(s["open_conflicts"], conflicts.len());
    let create = conflicts
        .iter()
        .find(|c| c["code"] == "jurisdiction")
        .expect("the case create rejected")
        .clone();
    assert_eq!(create["entity_id"], id.as_str());
    assert_eq!(create["actions"], json!(["acknowledge", "retry"]));
    let dependent = conflicts
        .iter()
        .find(|c| c["code"] == "dependency_rejected")
        .expect("a later change of the same case")
        .clone();
    assert_eq!(dependent["actions"], json!(["acknowledge"]));
    assert_eq!(
        call(&mut app, "home", json!({}))["sync"]["conflicts"],
        conflicts.len()
    );

    // Acknowledge: a note is required, then the record stays rejected.
    let dep = dependent["seq"].as_i64().unwrap();
    assert_eq!(
        err_code(
            &mut app,
            "sync_resolve",
            json!({"seq": dep, "action": "acknowledge", "note": "  "})
        ),
        "SYNC_CONFLICT_NOTE_REQUIRED"
    );
    assert_eq!(
        err_code(
            &mut app,
            "sync_resolve",
            json!({"seq": dep, "action": "retry", "note": null})
        ),
        "SYNC_CONFLICT_NOT_RETRYABLE"
    );
    assert_eq!(
        err_code(
            &mut app,
            "sync_resolve",
            json!({"seq": dep, "action": "delete", "note": null})
        ),
        "API_INVALID"
    );
    let done = call(
        &mut app,
        "sync_resolve",
        json!({"seq": dep, "action": "acknowledge", "note": "辖区设置错误，已报告中队"}),
    );
    assert_eq!(done["resolution"], "acknowledged");
    assert_eq!(done["note"], "辖区设置错误，已报告中队");
    assert_eq!(done["actions"], json!([]));
    assert_eq!(
        err_code(
            &mut app,
            "sync_resolve",
            json!({"seq": dep, "action": "acknowledge", "note": "again"})
        ),
        "SYNC_CONFLICT_RESOLVED"
    );
    assert_eq!(
        err_code(
            &mut app,
            "sync_resolve",
            json!({"seq": 99_999, "action": "acknowledge", "note": "x"})
        ),
        "SYNC_CONFLICT_NOT_FOUND"
    );

    // Retry: queued again as a new record, which the server judges anew.
    let first = create["seq"].as_i64().unwrap();
    let retried = call(
        &mut app,
        "sync_resolve",
        json!({"seq": first, "action": "retry", "note": "已核对属地"}),
    );
    assert_eq!(retried["resolution"], "retried");
    let new_seq = retried["retry_seq"].as_i64().unwrap();
    assert!(new_seq > first);
    let pending = call(
        &mut app,
        "sync_records",
        json!({"status": "pending", "limit": 10}),
    );
    assert_eq!(pending[0]["seq"], new_seq);
    assert_eq!(pending[0]["entity_id"], id.as_str());
    run_now(&app);
    let after = call(&mut app, "sync_conflicts", json!({}));
    let again = after
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["seq"] == new_seq)
        .expect("the retry's own result")
        .clone();
    assert!(again["resolved_at"].is_null());

    // Nothing was dropped: every rejected record is still listed.
    let rejected = call(
        &mut app,
        "sync_records",
        json!({"status": "rejected", "limit": 100}),
    );
    let rejected = rejected.as_array().unwrap();
    assert_eq!(rejected.len(), conflicts.len() + 1);
    assert!(rejected.iter().any(|r| r["seq"] == first));
    assert!(rejected.iter().any(|r| r["seq"] == dep));
    assert_eq!(
        err_code(
            &mut app,
            "sync_records",
            json!({"status": "lost", "limit": 1})
        ),
        "API_INVALID"
    );
}

#[test]
fn a_revoked_device_shows_the_servers_reason() {
    let server = Server::start();
    let (_d, mut app) = device();
    let s = enrol(&mut app, &server);
    assert_eq!(s["counts"]["rejected"], 0);
    run_now(&app);
    assert_eq!(
        call(&mut app, "sync_status", json!({}))["live"]["state"],
        "ok"
    );
    let device_id = call(&mut app, "app_state", json!({}))["device_id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        server
            .service
            .store()
            .revoke_device(&device_id, chrono::Utc::now())
            .unwrap()
    );
    run_now(&app);
    let s = call(&mut app, "sync_status", json!({}));
    assert_eq!(s["live"]["state"], "failed");
    assert_eq!(s["live"]["last_error"]["code"], "device_revoked", "{s}");
    assert_eq!(s["live"]["failures"], 1);
    let home_sync = call(&mut app, "sync_state", json!({}));
    assert_eq!(home_sync["last_error"]["code"], "device_revoked");
}

#[test]
fn enrolment_errors_are_specific() {
    let server = Server::start();
    let (_d, mut app) = device();
    assert_eq!(
        err_code(
            &mut app,
            "sync_enrol",
            json!({"server_url": server.url, "code": "WRONG-CODE-0000"})
        ),
        "enrol_code_invalid"
    );
    assert_eq!(
        err_code(
            &mut app,
            "sync_enrol",
            json!({"server_url": "http://sync.example.cn", "code": "X"})
        ),
        "API_INVALID",
        "plain HTTP only to this machine"
    );
    assert_eq!(
        err_code(
            &mut app,
            "sync_enrol",
            json!({"server_url": "ftp://x", "code": "X"})
        ),
        "API_INVALID"
    );
    assert_eq!(
        err_code(
            &mut app,
            "sync_enrol",
            json!({"server_url": server.url, "code": " "})
        ),
        "API_INVALID"
    );
    // Nothing listens on port 9 of this machine.
    assert_eq!(
        err_code(
            &mut app,
            "sync_enrol",
            json!({"server_url": "http://127.0.0.1:9", "code": "X"})
        ),
        "SYNC_NETWORK"
    );
    // The webview's connectivity is recorded; offline with no run under way.
    let live = call(&mut app, "sync_network", json!({"online": false}));
    assert_eq!(live["online"], false);
    let live = call(&mut app, "sync_network", json!({"online": true}));
    assert_eq!(live["online"], true);
    assert!(call(&mut app, "sync_status", json!({}))["enrolment"].is_null());
}

#[test]
fn a_device_that_worked_alone_enrols_and_its_sample_leases_are_no_conflicts() {
    let server = Server::start();
    let (_d, mut app) = device();
    // Sample defaults first: the device numbered its documents itself.
    app.load_sample_defaults().unwrap();
    let grants = call(
        &mut app,
        "sync_records",
        json!({"status": "pending", "limit": 50}),
    );
    let grants: Vec<i64> = grants
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["entity"] == "number_lease")
        .map(|r| r["seq"].as_i64().unwrap())
        .rev() // newest first in the list
        .collect();
    assert_eq!(grants.len(), 3);
    enrol(&mut app, &server);
    sign_in(&mut app);
    run_now(&app);
    let s = call(&mut app, "sync_status", json!({}));
    // Its unused local leases were closed at enrolment, so the server's
    // grants apply and the run completes.
    assert_eq!(s["live"]["state"], "ok", "{s}");
    assert!(s["live"]["last_report"]["leases_granted"].as_u64().unwrap() >= 3);
    // The server refuses the sample-era grants, as it must; they are kept
    // (listed, rejected) but never open conflicts for the officer.
    assert_eq!(s["open_conflicts"], 0, "{s}");
    let conflicts = call(&mut app, "sync_conflicts", json!({}));
    let seqs: Vec<i64> = conflicts
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            assert_eq!(c["code"], "lease_not_granted");
            assert!(c["resolved_at"].is_string(), "{c}");
            assert_eq!(c["note"], zhifa_sync::engine::SAMPLE_LEASE_NOTE);
            c["seq"].as_i64().unwrap()
        })
        .collect();
    assert_eq!(seqs, grants);
    let home = call(&mut app, "home", json!({}));
    assert_eq!(home["sync"]["conflicts"], 0, "{home}");
    // And it can issue a case numbered from the server's lease.
    let id = case_to_issue(&mut app);
    let detail = call(&mut app, "case_detail", json!({"case_id": id}));
    assert!(detail["case"]["document_number"].is_string(), "{detail}");
    run_now(&app);
    let s = call(&mut app, "sync_status", json!({}));
    assert_eq!(s["counts"]["pending"], 0, "{s}");
    assert_eq!(s["counts"]["rejected"], 3, "only the local grants: {s}");
}

#[test]
fn the_servers_payment_review_and_reassignment_show_on_the_case() {
    let server = Server::start();
    let (_d, mut app) = device();
    enrol(&mut app, &server);
    app.load_sample_defaults().unwrap();
    sign_in(&mut app);
    run_now(&app);
    let id = case_to_issue(&mut app);
    run_now(&app);
    let detail = call(&mut app, "case_detail", json!({"case_id": id}));
    assert_eq!(detail["server_notes"], json!([]), "nothing said yet");
    let status_before = detail["case"]["status"].clone();
    let number = detail["case"]["document_number"]
        .as_str()
        .unwrap()
        .to_owned();

    // The server side: the finance platform, a legal reviewer, the
    // command centre (each through its storage call).
    let store = server.service.store();
    let now = chrono::Utc::now();
    assert!(
        store
            .payment(
                &zhifa_sync::wire::PaymentCallback {
                    reference: "PAY-0001".into(),
                    document_number: number,
                    amount_fen: 15_000,
                    paid_at: "2026-03-11T09:00:00+08:00".into(),
                },
                now,
            )
            .unwrap()
    );
    let staff = |id: &str, role| {
        let token = store
            .issue_staff(
                &zhifa_server::console::NewStaff {
                    id: id.into(),
                    name: format!("{id} 单位"),
                    role,
                    scope: String::new(),
                    department: None,
                },
                chrono::Duration::days(1),
                now,
            )
            .unwrap();
        store.authenticate_staff(&token, now).unwrap()
    };
    let reviewer = staff("fzsh", zhifa_server::console::StaffRole::LegalReview);
    let centre = staff("zhzx", zhifa_server::console::StaffRole::CommandCentre);
    store
        .review_case(
            &id,
            &zhifa_server::console::CaseReview {
                result: "returned".into(),
                opinion: "证据照片未显示占道面积，请补充".into(),
            },
            &reviewer,
            now,
        )
        .unwrap();
    assert!(
        store
            .reassign_case(
                &id,
                &zhifa_server::console::CaseReassign {
                    officer_id: "OFF-LX-02".into(),
                    reason: "原承办人调岗".into(),
                },
                &centre,
                now,
            )
            .unwrap()
    );

    run_now(&app);
    let detail = call(&mut app, "case_detail", json!({"case_id": id}));
    let notes = detail["server_notes"].as_array().unwrap();
    let kinds: Vec<&str> = notes.iter().map(|n| n["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        ["payment", "review_returned", "reassigned"],
        "{notes:?}"
    );
    assert!(notes[0]["detail"].as_str().unwrap().contains("150元"));
    assert!(notes[0]["detail"].as_str().unwrap().contains("PAY-0001"));
    assert_eq!(notes[1]["title"], "法制审核：退回补正");
    assert!(notes[1]["detail"].as_str().unwrap().contains("请补充"));
    assert!(notes[1]["detail"].as_str().unwrap().contains("fzsh 单位"));
    assert_eq!(notes[2]["title"], "已改派给 李晓燕（渝执500112108002）");
    assert_eq!(notes[2]["detail"], "原承办人调岗");
    // Server-owned fields only: the device's own record is as it was.
    assert_eq!(detail["case"]["status"], status_before);
    // Applied once: another sync changes nothing.
    run_now(&app);
    let again = call(&mut app, "case_detail", json!({"case_id": id}));
    assert_eq!(again["server_notes"], detail["server_notes"]);
    app.sync_hub().stop();
}

#[test]
fn refused_lease_grants_are_on_the_conflicts_screen_and_acknowledged_by_lease_id() {
    let (_d, mut app) = device();
    app.load_sample_defaults().unwrap();
    sign_in(&mut app);
    // What the engine records when a server grant overlaps a range the
    // device holds (zhifa-sync engine, sync_lease_conflict).
    app.store()
        .conn()
        .execute(
            "INSERT INTO sync_lease_conflict (lease_id, township, series, year, start_no, end_no, code, message, at)
             VALUES ('L-1', '500112108', 'decision_on_the_spot', 2026, 1, 200, 'NUMBER_LEASE_OVERLAP',
                     '号段与已有号段重叠', '2026-03-02T02:00:00.000Z')",
            [],
        )
        .unwrap();
    let conflicts = call(&mut app, "sync_conflicts", json!({}));
    let lease = conflicts
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["lease_id"] == "L-1")
        .expect("the refused grant is listed")
        .clone();
    assert_eq!(lease["seq"], 0);
    assert_eq!(lease["entity"], "number_lease");
    assert_eq!(lease["code"], "NUMBER_LEASE_OVERLAP");
    assert_eq!(lease["actions"], json!(["acknowledge"]));
    assert!(
        lease["message"].as_str().unwrap().contains("1–200"),
        "{lease}"
    );
    assert_eq!(
        call(&mut app, "sync_status", json!({}))["open_conflicts"],
        1
    );
    assert_eq!(
        err_code(
            &mut app,
            "sync_resolve",
            json!({"seq": 0, "lease_id": "L-1", "action": "retry", "note": null})
        ),
        "SYNC_CONFLICT_NOT_RETRYABLE"
    );
    assert_eq!(
        err_code(
            &mut app,
            "sync_resolve",
            json!({"seq": 0, "lease_id": "L-1", "action": "acknowledge", "note": ""})
        ),
        "SYNC_CONFLICT_NOTE_REQUIRED"
    );
    assert_eq!(
        err_code(
            &mut app,
            "sync_resolve",
            json!({"seq": 0, "lease_id": "L-404", "action": "acknowledge", "note": "x"})
        ),
        "SYNC_CONFLICT_NOT_FOUND"
    );
    let done = call(
        &mut app,
        "sync_resolve",
        json!({"seq": 0, "lease_id": "L-1", "action": "acknowledge", "note": "本机旧号段，已报告中队"}),
    );
    assert_eq!(done["lease_id"], "L-1");
    assert_eq!(done["resolution"], "acknowledged");
    assert_eq!(done["note"], "本机旧号段，已报告中队");
    assert_eq!(done["actions"], json!([]));
    assert_eq!(
        call(&mut app, "sync_status", json!({}))["open_conflicts"],
        0
    );
    // The row stays on record, resolved.
    let kept: Option<String> = app
        .store()
        .conn()
        .query_row(
            "SELECT resolved_at FROM sync_lease_conflict WHERE lease_id = 'L-1'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(kept.is_some());
}
