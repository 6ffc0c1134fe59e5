//! Every command through Tauri's real IPC path (ACL, serde, the command
//! macro) on the mock runtime — no webview, no display: sign-in, the
//! catalogue, a whole simple-procedure case to the PDF and payment QR,
//! the evidence gallery, sync state and settings, and the errors.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should abort loudly

use std::io::Cursor;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use serde_json::{Value, json};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{INVOKE_KEY, get_ipc_response, mock_builder, mock_context, noop_assets};
use tauri::webview::InvokeRequest;
use tauri::{WebviewWindow, WebviewWindowBuilder};
use zhifa_api::{App, COMMANDS, sample};
use zhifa_app_lib::{Shared, app};
use zhifa_core::rules::identity::citizen_check_character;
use zhifa_core::store::{DbKey, Store};

struct Harness {
    _dir: tempfile::TempDir,
    _app: tauri::App<tauri::test::MockRuntime>,
    webview: WebviewWindow<tauri::test::MockRuntime>,
}

/// SQLCipher initialises its crypto provider lazily and was seen to fail
/// ("An error occurred with PRAGMA key") when another test thread set up
/// Tauri's mock app at the same moment: the tests here run one at a time.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn harness() -> Harness {
    harness_with(|api| api.load_sample_defaults().unwrap())
}

fn harness_with(prepare: impl FnOnce(&mut App)) -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let key = DbKey::Raw([5; 32]);
    let store = Store::open(&dir.path().join("device.db"), &key).unwrap();
    let mut api = App::open(store, &key, dir.path(), "tauri").unwrap();
    prepare(&mut api);
    let tauri_app = app(mock_builder(), Shared::new(api))
        .build(mock_context(noop_assets()))
        .unwrap();
    let webview = WebviewWindowBuilder::new(&tauri_app, "main", Default::default())
        .build()
        .unwrap();
    Harness {
        _dir: dir,
        _app: tauri_app,
        webview,
    }
}

fn invoke(h: &Harness, cmd: &str, req: Value) -> Result<Value, Value> {
    get_ipc_response(
        &h.webview,
        InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            // The local origin on Linux and macOS (http://tauri.localhost is
            // local only on Windows and Android).
            url: "tauri://localhost".parse().unwrap(),
            body: InvokeBody::Json(json!({ "req": req })),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        },
    )
    .map(|b| b.deserialize::<Value>().unwrap())
}

fn ok(h: &Harness, cmd: &str, req: Value) -> Value {
    invoke(h, cmd, req).unwrap_or_else(|e| panic!("{cmd}: {e}"))
}

fn err_code(h: &Harness, cmd: &str, req: Value) -> String {
    let e = invoke(h, cmd, req).expect_err(cmd);
    e["code"]
        .as_str()
        .unwrap_or_else(|| panic!("{cmd}: {e}"))
        .to_owned()
}

fn jpeg() -> String {
    let img = image::RgbImage::from_fn(320, 240, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 70])
    });
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
    B64.encode(out.into_inner())
}

fn png() -> String {
    let img = image::GrayImage::from_fn(120, 40, |x, y| {
        image::Luma([if (x * 3 + y) % 11 == 0 { 0 } else { 255 }])
    });
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    B64.encode(out.into_inner())
}

#[test]
fn errors_cross_ipc_as_code_and_chinese_message() {
    let _serial = SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let h = harness();
    let e = invoke(&h, "home", json!({})).unwrap_err();
    assert_eq!(e["code"], "API_NOT_SIGNED_IN");
    assert_eq!(e["message"], "请先登录");
    assert_eq!(
        err_code(
            &h,
            "sign_in",
            json!({"officer_id": sample::SAMPLE_OFFICER, "pin": "000001"})
        ),
        "SIGNIN_WRONG_PIN"
    );
    // A request of the wrong shape is refused by the command's own types.
    assert!(invoke(&h, "sign_in", json!({"officer": 1})).is_err());
    assert!(invoke(&h, "no_such_command", json!({})).is_err());
}

#[test]
fn every_command_through_ipc_in_one_case() {
    let _serial = SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let h = harness();
    let mut used = std::collections::BTreeSet::new();
    let mut refused = Vec::new();
    let mut call = |cmd: &str, req: Value| {
        used.insert(cmd.to_owned());
        ok(&h, cmd, req)
    };
    let state = call("app_state", json!({}));
    assert_eq!(state["shell"], "tauri");
    call("enrol", json!({"officer_id": "OFF-LX-02", "pin": "705318"}));
    call("sign_out", json!({}));
    call(
        "sign_in",
        json!({"officer_id": sample::SAMPLE_OFFICER, "pin": sample::SAMPLE_PIN}),
    );
    call(
        "change_pin",
        json!({"current": sample::SAMPLE_PIN, "new_pin": "246813"}),
    );
    assert_eq!(
        call("home", json!({}))["officer"]["id"],
        sample::SAMPLE_OFFICER
    );
    let hits = call(
        "catalogue_search",
        json!({"text": "zdjy", "limit": 3, "all": null}),
    );
    assert_eq!(hits["hits"][0]["code"], "CG-001");
    assert!(
        call("matter_detail", json!({"code": "CG-001"}))["levels"]
            .as_array()
            .unwrap()
            .len()
            >= 2
    );
    let body = "50011219850612003";
    let id_number = format!("{body}{}", citizen_check_character(body).unwrap());
    assert_eq!(
        call(
            "check_id",
            json!({"text": id_number, "party_kind": "individual"})
        )["ok"],
        true
    );

    let c = call(
        "case_new",
        json!({"matter_code": "CG-001", "partner_officer_id": "OFF-LX-02", "minutes_ago": 5}),
    );
    let id = c["id"].as_str().unwrap().to_owned();
    call("case_show_credentials", json!({"case_id": id}));
    call(
        "case_party_facts",
        json!({"case_id": id, "party": {"kind": "individual", "name": "周小川",
        "id_number": id_number, "phone": null, "address": "重庆市渝北区龙兴镇示例路1号", "representative": null},
        "facts": "人行道上摆摊占道约6平方米", "place": "龙兴镇示例路12号"}),
    );
    call(
        "evidence_add",
        json!({"case_id": id, "file_name": "a.jpg", "data_base64": jpeg(), "lat": null, "lon": null, "accuracy_m": null}),
    );
    call(
        "case_attach_evidence",
        json!({"case_id": id, "summary": null}),
    );
    let s = call(
        "case_suggest",
        json!({"case_id": id, "circumstances": ["area_5_to_10sqm"], "penalty": null}),
    );
    assert_eq!(s["suggested_level"], "L2");
    let fine = json!({"kind": "fine", "amount_fen": 15000});
    call(
        "case_inform",
        json!({"case_id": id, "penalty": fine, "content": null}),
    );
    let waived = call(
        "case_statement",
        json!({"case_id": id, "statement": null, "review": null, "waiver_words": "我不说了，认罚"}),
    );
    assert_eq!(waived["statement"], "当事人放弃陈述申辩：“我不说了，认罚”");
    call(
        "case_decide",
        json!({"case_id": id, "penalty": fine, "circumstances": ["area_5_to_10sqm"], "deviation_reason": null}),
    );
    call("case_issue", json!({"case_id": id}));
    // 行政处罚法 Art. 52 ¶2: both officers sign with their PINs first.
    for (officer, pin, again) in [
        ("OFF-LX-01", "246813", None::<&str>),
        // OFF-LX-02 was enrolled on this device above with its own PIN.
        ("OFF-LX-02", "705318", None),
    ] {
        call(
            "case_officer_sign",
            json!({"case_id": id, "officer_id": officer, "pin": pin, "pin_again": again,
                   "signature_png_base64": png()}),
        );
    }
    let served = call(
        "case_serve",
        json!({"case_id": id, "kind": "signed", "signer_name": "周小川",
        "signature_png_base64": png(), "refusal_reason": null, "witness": null}),
    );
    assert_eq!(served["status"], "served");
    let doc = call("case_document", json!({"case_id": id}));
    assert!(
        B64.decode(doc["pdf_base64"].as_str().unwrap())
            .unwrap()
            .starts_with(b"%PDF-")
    );
    assert!(
        call("case_save_document", json!({"case_id": id}))["bytes"]
            .as_u64()
            .unwrap()
            > 1000
    );
    // On the spot on a thermal printer (captured: no printer attached).
    let ticket = call("case_print", json!({"case_id": id, "roll": "58"}));
    assert!(ticket["bytes"].as_u64().unwrap() > 500, "{ticket}");
    assert_eq!(ticket["document_hash"], doc["document_hash"]);
    // The wizard's draft round-trips through the encrypted store.
    call(
        "draft_save",
        json!({"case_id": id, "step": "done", "data": "{\"facts\":\"x\"}"}),
    );
    let draft = call("draft_get", json!({"case_id": id}));
    assert_eq!(draft["step"], "done", "{draft}");
    // A decided case can no longer be voided.
    assert_eq!(
        err_code(&h, "case_void", json!({"case_id": id, "reason": "误开"})),
        "API_INVALID"
    );
    refused.push("case_void".to_owned());
    assert_eq!(
        call("case_payment_qr", json!({"case_id": id}))["amount_fen"],
        15000
    );
    assert_eq!(
        call("case_list", json!({"status": null}))
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        call("case_detail", json!({"case_id": id}))["timeline"]
            .as_array()
            .unwrap()
            .len(),
        // The nine acts of the case and the two officers' signatures
        // (行政处罚法 Art. 52 ¶2).
        11
    );
    assert_eq!(
        call("evidence_list", json!({"case_id": null, "verify": true}))["items"][0]["verification"],
        "verified"
    );
    assert!(call("sync_state", json!({}))["pending"].as_u64().unwrap() > 0);
    // Sync commands on a device not enrolled with a server (the run
    // against a real server is the next test).
    let status = call("sync_status", json!({}));
    assert_eq!(status["live"]["state"], "not_enrolled");
    assert!(status["counts"]["pending"].as_u64().unwrap() > 0);
    let records = call("sync_records", json!({"status": "pending", "limit": 5}));
    assert_eq!(records.as_array().unwrap().len(), 5);
    assert_eq!(records[0]["status"], "pending");
    assert_eq!(call("sync_conflicts", json!({})), json!([]));
    assert_eq!(
        call("sync_network", json!({"online": false}))["online"],
        false
    );
    for (cmd, req, code) in [
        ("sync_now", json!({"reason": "manual"}), "SYNC_NOT_ENROLLED"),
        (
            "sync_enrol",
            json!({"server_url": "http://sync.example.cn", "code": "X"}),
            "API_INVALID",
        ),
        (
            "sync_resolve",
            json!({"seq": 1, "action": "acknowledge", "note": "x"}),
            "SYNC_CONFLICT_NOT_FOUND",
        ),
    ] {
        assert_eq!(err_code(&h, cmd, req), code, "{cmd}");
        refused.push(cmd.to_owned());
    }
    let settings = call("settings_get", json!({}));
    let township = settings["township"].as_str().unwrap().to_owned();
    call("settings_set_township", json!({"township": township}));

    // A joint inspection (综合查一次) through IPC: one failed item ordered
    // to correct, its photo, the record and the order, the follow-up task.
    let scenarios = call("insp_scenarios", json!({}));
    assert!(scenarios.as_array().unwrap().len() >= 5);
    let insp = call(
        "insp_start",
        json!({
            "scenarios": ["CJ-XXSC"], "place": "龙兴镇龙华大道88号",
            "party": {"kind": "individual", "name": "周小川", "id_number": id_number,
                      "phone": null, "address": "龙兴镇龙华大道88号", "representative": null},
            "partner_officer_id": "OFF-LX-02", "task_id": null
        }),
    );
    let iid = insp["summary"]["id"].as_str().unwrap().to_owned();
    // Not enrolled with a server: no certificate, so no 亮码.
    assert_eq!(
        err_code(&h, "insp_badge", json!({"inspection_id": iid})),
        "API_BADGE_NOT_ENROLLED"
    );
    refused.push("insp_badge".to_owned());
    let photo = call(
        "insp_evidence_add",
        json!({"inspection_id": iid, "file_name": "sign.jpg", "data_base64": jpeg(),
               "lat": null, "lon": null, "accuracy_m": null}),
    );
    for f in insp["findings"].as_array().unwrap() {
        let code = f["code"].as_str().unwrap();
        let (verdict, note, ev) = if code == "JC-CG-03" {
            ("fail", "门店牌匾破损", json!([photo["id"]]))
        } else {
            ("pass", "", json!([]))
        };
        call(
            "insp_result",
            json!({"inspection_id": iid, "item": code, "verdict": verdict, "note": note, "evidence_ids": ev}),
        );
    }
    let decided = call(
        "insp_decide",
        json!({"inspection_id": iid, "item": "JC-CG-03", "kind": "order_to_correct", "text": "修复破损牌匾"}),
    );
    let order = decided["orders"][0].as_str().unwrap().to_owned();
    let done = call(
        "insp_finish",
        json!({"inspection_id": iid, "kind": "signed", "signer_name": "周小川",
               "signature_png_base64": png(), "refusal_reason": null, "witness": null}),
    );
    assert_eq!(done["summary"]["status"], "finished");
    for number in [Value::Null, json!(order)] {
        let doc = call(
            "insp_document",
            json!({"inspection_id": iid, "order_number": number}),
        );
        assert!(
            B64.decode(doc["pdf_base64"].as_str().unwrap())
                .unwrap()
                .starts_with(b"%PDF-")
        );
    }
    assert_eq!(
        call("insp_get", json!({"inspection_id": iid}))["orders"][0],
        json!(order)
    );
    assert_eq!(call("insp_list", json!({})).as_array().unwrap().len(), 1);
    let tasks = call("task_list", json!({}));
    let follow = tasks.as_array().unwrap()[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        call("task_accept", json!({"task_id": follow}))["status"],
        "accepted"
    );
    let reported = call(
        "task_report",
        json!({"task_id": follow, "note": "已改正", "corrected": true, "inspection_id": null, "case_id": null}),
    );
    assert_eq!(reported["status"], "done");

    // The normal procedure (普通程序): none yet; its 立案 is the centre's,
    // so a device not enrolled with a centre is told so, and an unknown
    // case is not found.
    assert_eq!(call("normal_list", json!({})), json!([]));
    let party = json!({"kind": "individual", "name": "周小川", "id_number": id_number,
                       "phone": null, "address": "重庆市渝北区龙兴镇", "representative": null});
    for (cmd, req) in [
        (
            "normal_new",
            json!({"matter_code": "CG-001", "party": party, "place": "龙兴镇", "facts": "占道经营",
                   "partner": "OFF-LX-02", "source": "巡查"}),
        ),
        ("normal_from_case", json!({"case_id": id})),
    ] {
        assert_eq!(err_code(&h, cmd, req), "CASE_CONFIG_INVALID", "{cmd}");
        refused.push(cmd.to_owned());
    }
    for (cmd, req) in [
        ("normal_get", json!({"case_id": "no-such-case"})),
        (
            "normal_step",
            json!({"case_id": "no-such-case", "step": {"step": "remind"}}),
        ),
    ] {
        assert_eq!(err_code(&h, cmd, req), "API_NOT_FOUND", "{cmd}");
        refused.push(cmd.to_owned());
    }

    // 不予处罚 (行政处罚法 Art. 30): a child of 11, the guardian ordered.
    let body = "50011220140612003";
    let child = format!("{body}{}", citizen_check_character(body).unwrap());
    let c = call(
        "case_new",
        json!({"matter_code": "CG-001", "partner_officer_id": "OFF-LX-02", "minutes_ago": 5}),
    );
    let kid = c["id"].as_str().unwrap().to_owned();
    call(
        "case_party_facts",
        json!({"case_id": kid, "party": {"kind": "individual", "name": "周小小",
        "id_number": child, "phone": null, "address": "重庆市渝北区龙兴镇示例路1号", "representative": null},
        "facts": "人行道上摆摊", "place": "龙兴镇示例路12号"}),
    );
    call(
        "evidence_add",
        json!({"case_id": kid, "file_name": "b.jpg", "data_base64": jpeg(), "lat": null, "lon": null, "accuracy_m": null}),
    );
    call(
        "case_attach_evidence",
        json!({"case_id": kid, "summary": null}),
    );
    let o = call(
        "case_no_penalty_options",
        json!({"case_id": kid, "circumstances": []}),
    );
    assert_eq!(o["suggested"], "under_14");
    let np = call(
        "case_no_penalty",
        json!({"case_id": kid, "ground": "under_14", "attested": [], "education": "已批评教育",
        "guardian_order": "责令监护人加以管教"}),
    );
    assert_eq!(np["status"], "no_penalty");
    assert_eq!(np["no_penalty"]["guardian_order"], "责令监护人加以管教");

    // The commands the officer's signatures, printing and the ID-card
    // reading added: each reaches its handler through IPC (an answer or a
    // refusal of its own, never the unknown command's). Their behaviour is
    // tested in zhifa-api's tests and the case e2e.
    let unknown = invoke(&h, "no_such_command", json!({})).unwrap_err();
    for (cmd, req) in [
        ("case_show_document", json!({"case_id": id})),
        ("case_issued_document", json!({"case_id": id})),
        ("case_receipt_document", json!({"case_id": id})),
        (
            "case_print_document",
            json!({"case_id": id, "document": "decision", "width_mm": 80}),
        ),
        ("identity_read", json!({"image_base64": png()})),
        (
            "insp_print",
            json!({"inspection_id": "none", "width_mm": 80}),
        ),
        (
            "officer_signature_set",
            json!({"officer_id": "OFF-LX-01", "pin": "246813", "signature_png_base64": png()}),
        ),
    ] {
        let answer = invoke(&h, cmd, req);
        if let Err(e) = &answer {
            assert_ne!(e, &unknown, "{cmd} is not reachable through IPC");
        }
        used.insert(cmd.to_owned());
    }

    let all: std::collections::BTreeSet<String> = COMMANDS.iter().map(|s| s.to_string()).collect();
    used.extend(refused);
    assert_eq!(used, all, "every command is exercised through IPC");
}

/// A real central service on loopback (`zhifa-server`'s router and store).
struct Server {
    _dir: tempfile::TempDir,
    url: String,
    code: String,
    _rt: tokio::runtime::Runtime,
}

fn server() -> Server {
    use std::sync::Arc;
    let dir = tempfile::tempdir().unwrap();
    let service =
        zhifa_server::Service::open(dir.path(), None, Arc::new(zhifa_server::clock::SystemClock))
            .unwrap();
    let code = service
        .demo()
        .unwrap()
        .into_iter()
        .find(|o| o.id == sample::SAMPLE_OFFICER)
        .unwrap()
        .code;
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
    Server {
        _dir: dir,
        url,
        code,
        _rt: rt,
    }
}

#[test]
fn enrolment_and_background_sync_through_ipc_against_a_real_server() {
    let _serial = SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let srv = server();
    let mut hub = None;
    let h = harness_with(|api| {
        // Enrolled before the sample defaults: the server grants the leases.
        api.dispatch(
            "sync_enrol",
            json!({"server_url": srv.url, "code": srv.code}),
        )
        .unwrap();
        api.load_sample_defaults().unwrap();
        api.start_sync_worker().unwrap();
        hub = Some(api.sync_hub());
    });
    let status = ok(&h, "sync_status", json!({}));
    assert_eq!(status["enrolment"]["server_url"], srv.url.as_str());
    assert_eq!(
        ok(&h, "settings_get", json!({}))["enrolment"]["officer_id"],
        sample::SAMPLE_OFFICER
    );
    ok(
        &h,
        "sign_in",
        json!({"officer_id": sample::SAMPLE_OFFICER, "pin": sample::SAMPLE_PIN}),
    );
    ok(&h, "sync_now", json!({"reason": "manual"}));
    let t0 = std::time::Instant::now();
    let done = loop {
        let s = ok(&h, "sync_status", json!({}));
        if s["live"]["state"] == "ok" && s["live"]["reason"] == "manual" {
            break s;
        }
        assert!(t0.elapsed().as_secs() < 60, "no sync: {s}");
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    assert_eq!(done["counts"]["pending"], 0, "{done}");
    assert_eq!(done["counts"]["rejected"], 0, "{done}");
    assert!(done["counts"]["applied"].as_u64().unwrap() > 0, "{done}");
    let records = ok(&h, "sync_records", json!({"status": null, "limit": 100}));
    assert!(
        records
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["status"] == "applied")
    );
    assert_eq!(ok(&h, "home", json!({}))["sync"]["state"], "ok");

    // Enrolled: the 亮码 is made offline and the server's public page
    // verifies it.
    let body = "11010519491231002";
    let id_number = format!(
        "{body}{}",
        zhifa_core::rules::identity::citizen_check_character(body).unwrap()
    );
    let insp = ok(
        &h,
        "insp_start",
        json!({
            "scenarios": ["CJ-XXSC"], "place": "龙兴镇龙华大道88号",
            "party": {"kind": "individual", "name": "周小川", "id_number": id_number,
                      "phone": null, "address": "龙兴镇龙华大道88号", "representative": null},
            "partner_officer_id": "OFF-LX-02", "task_id": null
        }),
    );
    let badge = ok(
        &h,
        "insp_badge",
        json!({"inspection_id": insp["summary"]["id"]}),
    );
    let token = badge["token"].as_str().unwrap();
    // The short token in an upper-case URL: a QR of at most 57 modules
    // (drawn at 4 units a module with a 4-module quiet zone each side).
    assert!(!token.contains('.'), "{token}");
    assert_eq!(
        badge["url"],
        format!("{}/V/{token}", srv.url.to_ascii_uppercase())
    );
    let svg = badge["svg"].as_str().unwrap();
    let side: usize = svg
        .split("width=\"")
        .nth(1)
        .and_then(|w| w.split('"').next())
        .and_then(|w| w.parse().ok())
        .unwrap();
    assert!(side / 4 - 8 <= 57, "{side}");
    assert!(badge["credential_no"].as_str().unwrap().starts_with("渝执"));
    assert_eq!(
        badge["items"].as_array().unwrap().len() as u64,
        badge["items_total"].as_u64().unwrap().min(30)
    );
    let get = |path: &str| {
        use std::io::{Read, Write};
        let addr = srv.url.trim_start_matches("http://");
        let mut s = std::net::TcpStream::connect(addr).unwrap();
        write!(
            s,
            "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        out
    };
    let page = get(&format!("/V/{token}"));
    assert!(page.starts_with("HTTP/1.1 200"), "{page}");
    assert!(page.contains("x-badge-result: verified"));
    assert!(page.contains(badge["officer_name"].as_str().unwrap()));
    let i = token.len() / 2;
    let flip = if &token[i..=i] == "A" { "B" } else { "A" };
    let bad = format!("{}{flip}{}", &token[..i], &token[i + 1..]);
    let page = get(&format!("/V/{bad}"));
    assert!(page.starts_with("HTTP/1.1 422"), "{page}");
    assert!(page.contains("x-badge-result: badge_"));
    hub.unwrap().stop();
}
