//! The city's platforms' events (issue 17 item 4) against a local
//! stand-in that signs its requests as the 12345 platform would: a good
//! signature lands the event once (the same external id again is the same
//! event), with the complaint's 15-working-day reply clock counted on the
//! township's calendar (重庆市行政执法责任制条例 Art. 13) and a configured
//! period for another kind; a bad or missing signature, a stale
//! timestamp, a replayed delivery, an unknown or revoked platform and a
//! township outside the platform's scope are refused with their stable
//! codes; the reporter is sealed at rest, masked in the list and opened
//! only by the audited read; the dispatcher turns the event into a task
//! that reaches the officer's device, or into a case source. On SQLite and
//! PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should abort loudly

use serde_json::{Value, json};
use zhifa_server::console::StaffRole;
use zhifa_server::platform::{NewPlatform, sign};
use zhifa_sync::transport::{HttpRequest, Method, Transport};
use zhifa_tests::{Backend, NowUtc, OFFICERS, TOWNSHIP, TestDevice, TestServer, on_both_backends};

on_both_backends!(
    signed_events_land_once_with_their_reply_clock,
    forged_stale_replayed_and_foreign_requests_are_refused,
    the_dispatcher_reads_and_converts_events_of_its_scope
);

const SECRET: &[u8] = b"the-12345-platform-shared-secret-0001";

/// The stand-in platform: signs `body` at `ts` with `secret` and posts it.
async fn post_signed(
    server: &TestServer,
    platform: &str,
    secret: &[u8],
    ts: i64,
    body: &Value,
) -> (u16, Value) {
    let bytes = body.to_string().into_bytes();
    let ts = ts.to_string();
    let sig = sign(secret, &ts, &bytes);
    post_raw(
        server,
        vec![
            ("x-zhifa-platform".into(), platform.into()),
            ("x-zhifa-timestamp".into(), ts),
            ("x-zhifa-signature".into(), sig),
        ],
        bytes,
    )
    .await
}

async fn post_raw(
    server: &TestServer,
    mut headers: Vec<(String, String)>,
    body: Vec<u8>,
) -> (u16, Value) {
    headers.push(("content-type".into(), "application/json".into()));
    let r = server
        .transport()
        .send(HttpRequest {
            method: Method::Post,
            path: "/v1/platform/events".into(),
            headers,
            body,
        })
        .await
        .unwrap();
    (
        r.status,
        serde_json::from_slice(&r.body).unwrap_or(Value::Null),
    )
}

fn register(server: &TestServer, id: &str, scope: &str, secret: &[u8]) {
    let now = server.clock.now_utc();
    server.store(|s| {
        s.add_platform(
            &NewPlatform {
                id: id.into(),
                name: "重庆12345热线（测试）".into(),
                scope: scope.into(),
                reply_days: [("assignment".to_owned(), 5)].into(),
                secret: secret.to_vec(),
            },
            now,
        )
        .unwrap()
    });
}

fn event(delivery: &str, external: &str, kind: &str, township: &str) -> Value {
    json!({
        "delivery_id": delivery,
        "external_id": external,
        "kind": kind,
        "place": "龙兴镇两江大道 88 号门前",
        "township": township,
        "description": "夜间施工噪音扰民，持续到凌晨。",
        "reporter": { "name": "王小明", "phone": "13812345678" },
    })
}

fn now_secs(server: &TestServer) -> i64 {
    server.clock.now_utc().timestamp()
}

async fn signed_events_land_once_with_their_reply_clock(b: Backend) {
    let server = TestServer::on(&b);
    register(&server, "cq12345", "500112", SECRET);
    let ts = now_secs(&server);

    // A complaint received today (2026-03-10, a Tuesday): 15 working days
    // on the sample calendar (no holiday in March) end on 2026-03-31.
    let (s, got) = post_signed(
        &server,
        "cq12345",
        SECRET,
        ts,
        &event("d-1", "GD-001", "complaint", TOWNSHIP),
    )
    .await;
    assert_eq!(s, 200, "{got}");
    assert_eq!(got["created"], true);
    assert_eq!(got["reply_due"], "2026-03-31");
    let id = got["event_id"].as_str().unwrap().to_owned();

    // The platform re-sends the same work order (a new delivery): the same
    // event, not a second one.
    let (s, again) = post_signed(
        &server,
        "cq12345",
        SECRET,
        ts,
        &event("d-2", "GD-001", "complaint", TOWNSHIP),
    )
    .await;
    assert_eq!(s, 200, "{again}");
    assert_eq!(again["created"], false);
    assert_eq!(again["event_id"], id.as_str());

    // Received on Friday 2026-04-24: across the May Day holidays (1, 4, 5
    // May off; Saturday 9 May a working day) the 15th working day is
    // 2026-05-19.
    let mut may = event("d-3", "GD-002", "complaint", TOWNSHIP);
    may["received_at"] = json!("2026-04-24T16:30:00+08:00");
    let (s, got) = post_signed(&server, "cq12345", SECRET, ts, &may).await;
    assert_eq!(s, 200, "{got}");
    assert_eq!(got["reply_due"], "2026-05-19");

    // An assignment: the platform's configured 5 working days; a grid
    // report: no rule, no clock.
    let (_, got) = post_signed(
        &server,
        "cq12345",
        SECRET,
        ts,
        &event("d-4", "JB-1", "assignment", TOWNSHIP),
    )
    .await;
    assert_eq!(got["reply_due"], "2026-03-17", "{got}");
    let (_, got) = post_signed(
        &server,
        "cq12345",
        SECRET,
        ts,
        &event("d-5", "WG-1", "report", TOWNSHIP),
    )
    .await;
    assert_eq!(got["reply_due"], Value::Null, "{got}");

    // At rest: the secret and the reporter are sealed, never in clear.
    let db = server.db();
    let secret = db.text("SELECT secret FROM platform WHERE id = ?1", &["cq12345"]);
    assert!(secret.starts_with("zv1:"), "{secret}");
    assert!(!secret.contains("12345-platform"));
    let reporter = db.text(
        "SELECT reporter FROM platform_event WHERE event_id = ?1",
        &[&id],
    );
    assert!(reporter.starts_with("zv1:"));
    assert!(!reporter.contains("13812345678") && !reporter.contains("王小明"));
    assert_eq!(db.int("SELECT count(*) FROM platform_event", &[]), 4);
}

async fn forged_stale_replayed_and_foreign_requests_are_refused(b: Backend) {
    let server = TestServer::on(&b);
    register(&server, "cq12345", "500112", SECRET);
    register(
        &server,
        "zhizhi",
        "500112108",
        b"the-governance-platform-secret-000002",
    );
    let ts = now_secs(&server);
    let body = event("d-1", "GD-9", "complaint", TOWNSHIP);

    // Signed with another secret, or a body changed after signing.
    let (s, e) = post_signed(
        &server,
        "cq12345",
        b"not-the-platform-secret-at-all-00000",
        ts,
        &body,
    )
    .await;
    assert_eq!(
        (s, e["code"].as_str()),
        (401, Some("platform_signature_invalid"))
    );
    let bytes = body.to_string().into_bytes();
    let sig = sign(SECRET, &ts.to_string(), &bytes);
    let mut changed = body.clone();
    changed["place"] = json!("别处");
    let (s, e) = post_raw(
        &server,
        vec![
            ("x-zhifa-platform".into(), "cq12345".into()),
            ("x-zhifa-timestamp".into(), ts.to_string()),
            ("x-zhifa-signature".into(), sig.clone()),
        ],
        changed.to_string().into_bytes(),
    )
    .await;
    assert_eq!(
        (s, e["code"].as_str()),
        (401, Some("platform_signature_invalid"))
    );
    // The signature moved to another timestamp (the timestamp is signed).
    let (s, e) = post_raw(
        &server,
        vec![
            ("x-zhifa-platform".into(), "cq12345".into()),
            ("x-zhifa-timestamp".into(), (ts + 1).to_string()),
            ("x-zhifa-signature".into(), sig),
        ],
        bytes.clone(),
    )
    .await;
    assert_eq!(
        (s, e["code"].as_str()),
        (401, Some("platform_signature_invalid"))
    );
    // No signature at all.
    let (s, e) = post_raw(
        &server,
        vec![("x-zhifa-platform".into(), "cq12345".into())],
        bytes,
    )
    .await;
    assert_eq!(
        (s, e["code"].as_str()),
        (401, Some("platform_signature_missing"))
    );

    // Validly signed, but 6 minutes old or 6 minutes ahead.
    for off in [-360, 360] {
        let (s, e) = post_signed(&server, "cq12345", SECRET, ts + off, &body).await;
        assert_eq!(
            (s, e["code"].as_str()),
            (401, Some("platform_timestamp_stale")),
            "{off}"
        );
    }
    // 4 minutes off is inside the window.
    let (s, e) = post_signed(&server, "cq12345", SECRET, ts - 240, &body).await;
    assert_eq!(s, 200, "{e}");
    // The same delivery again — byte for byte the captured request.
    let (s, e) = post_signed(&server, "cq12345", SECRET, ts - 240, &body).await;
    assert_eq!((s, e["code"].as_str()), (401, Some("platform_replay")));

    // An unknown platform, and one whose secret is right but is revoked.
    let (s, e) = post_signed(
        &server,
        "nobody",
        SECRET,
        ts,
        &event("d-2", "X", "complaint", TOWNSHIP),
    )
    .await;
    assert_eq!((s, e["code"].as_str()), (401, Some("platform_unknown")));

    // A township outside the platform's scope: another district for the
    // city hotline of 500112, another township for the township platform.
    let (s, e) = post_signed(
        &server,
        "cq12345",
        SECRET,
        ts,
        &event("d-3", "GD-10", "complaint", "500110101"),
    )
    .await;
    assert_eq!((s, e["code"].as_str()), (403, Some("platform_scope")));
    let (s, e) = post_signed(
        &server,
        "zhizhi",
        b"the-governance-platform-secret-000002",
        ts,
        &event("d-4", "ZZ-1", "report", "500112109"),
    )
    .await;
    assert_eq!((s, e["code"].as_str()), (403, Some("platform_scope")));
    // A malformed event (no township code) is refused before it lands.
    let (s, e) = post_signed(
        &server,
        "cq12345",
        SECRET,
        ts,
        &event("d-5", "GD-11", "complaint", "龙兴镇"),
    )
    .await;
    assert_eq!((s, e["code"].as_str()), (400, Some("bad_request")));

    let now = server.clock.now_utc();
    assert!(server.store(|s| s.revoke_platform("cq12345", now).unwrap()));
    let (s, e) = post_signed(
        &server,
        "cq12345",
        SECRET,
        ts,
        &event("d-6", "GD-12", "complaint", TOWNSHIP),
    )
    .await;
    assert_eq!((s, e["code"].as_str()), (401, Some("platform_unknown")));

    // Only the one good delivery landed.
    let n = server.db().int("SELECT count(*) FROM platform_event", &[]);
    assert_eq!(n, 1);
}

async fn the_dispatcher_reads_and_converts_events_of_its_scope(b: Backend) {
    let server = TestServer::on(&b);
    register(&server, "cq12345", "", SECRET);
    let ts = now_secs(&server);
    let (_, a) = post_signed(
        &server,
        "cq12345",
        SECRET,
        ts,
        &event("d-1", "GD-1", "complaint", TOWNSHIP),
    )
    .await;
    let (_, other) = post_signed(
        &server,
        "cq12345",
        SECRET,
        ts,
        &event("d-2", "GD-2", "complaint", "500110101"),
    )
    .await;
    let (_, c) = post_signed(
        &server,
        "cq12345",
        SECRET,
        ts,
        &event("d-3", "GD-3", "report", TOWNSHIP),
    )
    .await;
    let (a, other, c) = (
        a["event_id"].as_str().unwrap().to_owned(),
        other["event_id"].as_str().unwrap().to_owned(),
        c["event_id"].as_str().unwrap().to_owned(),
    );
    let cc = server.staff("cc-yb", StaffRole::CommandCentre, "500112", None);
    let cc_out = server.staff("cc-bn", StaffRole::CommandCentre, "500110", None);
    let reviewer = server.staff("lr-yb", StaffRole::LegalReview, "500112", None);

    // The list: its scope only, the reporter masked, the reply's last day
    // first (the complaint before the report without a clock).
    let (s, page) = server
        .console(Method::Get, "/v1/console/events", &cc, None)
        .await;
    assert_eq!(s, 200, "{page}");
    assert_eq!(page["total"], 2);
    let rows = page["rows"].as_array().unwrap();
    assert_eq!(rows[0]["event_id"], a.as_str());
    assert_eq!(rows[1]["event_id"], c.as_str());
    assert_eq!(rows[0]["reporter_masked"], "王** 138****5678");
    assert!(!page.to_string().contains("13812345678"));
    assert!(!page.to_string().contains(&other));
    let (_, filtered) = server
        .console(Method::Get, "/v1/console/events?kind=report", &cc, None)
        .await;
    assert_eq!(filtered["total"], 1);
    // Another district's dispatcher, and another role, see none of it.
    let (s, page) = server
        .console(Method::Get, "/v1/console/events", &cc_out, None)
        .await;
    assert_eq!(s, 200);
    assert!(!page.to_string().contains(&a));
    let (s, _) = server
        .console(Method::Get, "/v1/console/events", &reviewer, None)
        .await;
    assert_eq!(s, 403);
    let (s, _) = server
        .console(
            Method::Get,
            &format!("/v1/console/events/{a}"),
            &cc_out,
            None,
        )
        .await;
    assert_eq!(s, 404);

    // The read opens the reporter and is audited.
    let (s, d) = server
        .console(Method::Get, &format!("/v1/console/events/{a}"), &cc, None)
        .await;
    assert_eq!(s, 200, "{d}");
    assert_eq!(d["reporter"]["phone"], "13812345678");
    let audited = server.db().text(
        "SELECT actor FROM audit WHERE action = 'platform_event.read' AND object = ?1",
        &[&a],
    );
    assert_eq!(audited, "staff:cc-yb");

    // Into a task for an officer: it reaches the officer's device.
    let mut dev = TestDevice::new();
    let t = server.transport();
    dev.enrol(&t, &server.code(OFFICERS[0])).await.unwrap();
    dev.sync(&t).await.unwrap();
    let task = json!({
        "officer_id": OFFICERS[0], "kind": "complaint", "place": "龙兴镇两江大道 88 号门前",
        "detail": "12345 工单 GD-1：夜间施工噪音扰民，请核查。", "due_on": "2026-03-31", "scenarios": []
    });
    let (s, got) = server
        .console(
            Method::Post,
            &format!("/v1/console/events/{a}/task"),
            &cc,
            Some(task.clone()),
        )
        .await;
    assert_eq!(s, 200, "{got}");
    let task_id = got["task_id"].as_str().unwrap().to_owned();
    dev.sync(&t).await.unwrap();
    let on_device = zhifa_core::inspection::task::tasks(&dev.store).unwrap();
    assert!(
        on_device.iter().any(|t| t.id.to_string() == task_id),
        "the task is on the officer's device"
    );
    // Once only; and the other district's dispatcher cannot convert ours.
    let (s, e) = server
        .console(
            Method::Post,
            &format!("/v1/console/events/{a}/task"),
            &cc,
            Some(task.clone()),
        )
        .await;
    assert_eq!((s, e["code"].as_str()), (400, Some("event_converted")));
    let (s, _) = server
        .console(
            Method::Post,
            &format!("/v1/console/events/{c}/task"),
            &cc_out,
            Some(task),
        )
        .await;
    assert_eq!(s, 404);

    // Into a case source with a note.
    let (s, e) = server
        .console(
            Method::Post,
            &format!("/v1/console/events/{c}/case-source"),
            &cc,
            Some(json!({ "note": " " })),
        )
        .await;
    assert_eq!((s, e["code"].as_str()), (400, Some("bad_request")));
    let (s, _) = server
        .console(
            Method::Post,
            &format!("/v1/console/events/{c}/case-source"),
            &cc,
            Some(json!({ "note": "转执法队立案调查（案源登记）" })),
        )
        .await;
    assert_eq!(s, 200);
    let (_, page) = server
        .console(Method::Get, "/v1/console/events?status=new", &cc, None)
        .await;
    assert_eq!(page["total"], 0, "{page}");
    let (_, page) = server
        .console(
            Method::Get,
            "/v1/console/events?status=case_source",
            &cc,
            None,
        )
        .await;
    assert_eq!(page["rows"][0]["note"], "转执法队立案调查（案源登记）");
    assert_eq!(page["rows"][0]["converted_by"], "staff:cc-yb");
}
