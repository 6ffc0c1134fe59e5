//! 执法监督 over a real server's records (issue 18): devices sync cases,
//! the supervision facts are read from the sealed records, and the report
//! finds the planted patterns — a decision the replay refused that is also
//! far from its peers' fines, fines unpaid past their due date — and
//! nothing in the clean cases; the indicators count what happened; the
//! facts hold no personal data and are refreshed only when a record
//! changes. On SQLite and PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should abort loudly

use chrono::NaiveDate;
use serde_json::json;
use uuid::Uuid;
use zhifa_server::console::StaffRole;
use zhifa_server::supervise::models::MODELS;
use zhifa_server::supervise::report::{Report, report};
use zhifa_server::supervise::{Config, facts};
use zhifa_sync::transport::Method;
use zhifa_tests::{Backend, OFFICERS, TestDevice, TestServer, party};

zhifa_tests::on_both_backends!(
    the_report_finds_planted_patterns_and_counts_what_happened,
    clues_are_disposed_of_through_the_console
);

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn run(server: &TestServer, scope: &str, as_of: NaiveDate) -> Report {
    server.store(|db| {
        report(
            db,
            scope,
            day(2026, 1, 1),
            day(2026, 12, 31),
            as_of,
            zhifa_tests::t0(),
            &Config::default(),
        )
        .unwrap()
    })
}

fn clue_cases<'a>(r: &'a Report, model: &str) -> Vec<&'a str> {
    r.clues
        .iter()
        .filter(|c| c.model == model)
        .flat_map(|c| c.cases.iter().map(String::as_str))
        .collect()
}

async fn the_report_finds_planted_patterns_and_counts_what_happened(b: Backend) {
    // Six decided, served, unpaid fines of one matter; one left open.
    let (server, mut dev, served) = six_fines(&b).await;
    let tampered = served[5];
    let open = dev.new_case();
    let r = dev.sync(&server.transport()).await.unwrap();
    assert_eq!(r.rejected, 0, "{r:?}");
    let ids = |v: &[Uuid]| v.iter().map(Uuid::to_string).collect::<Vec<_>>();

    // The day after the payment period (served + 15 days, Art. 67).
    assert_eq!(
        server.db().int("SELECT count(*) FROM supervise_case", &[]),
        0,
        "no facts before the first report"
    );
    let early = run(&server, "", day(2026, 3, 10));
    let due: NaiveDate = server
        .db()
        .text(
            "SELECT payment_due FROM supervise_case WHERE case_id = ?1",
            &[&served[0].to_string()],
        )
        .parse()
        .unwrap();
    assert!(
        clue_cases(&early, "unpaid_not_pursued").is_empty(),
        "not due yet"
    );

    let late = run(&server, "", due + chrono::Duration::days(1));
    assert_eq!(late.models.len(), MODELS.len());
    assert!(late.models.len() >= 10);
    // The refused decision: flagged by the replay, and far from its peers.
    assert_eq!(
        clue_cases(&late, "replay_refused"),
        vec![tampered.to_string()]
    );
    assert_eq!(
        clue_cases(&late, "peer_dispersion"),
        vec![tampered.to_string()]
    );
    // Every served fine unpaid after its last day.
    let mut unpaid = clue_cases(&late, "unpaid_not_pursued");
    unpaid.sort_unstable();
    let mut want = ids(&served);
    want.sort();
    assert_eq!(unpaid, want);
    // The clean cases raise nothing else.
    let others: Vec<_> = late
        .clues
        .iter()
        .filter(|c| {
            !["replay_refused", "peer_dispersion", "unpaid_not_pursued"].contains(&c.model.as_str())
        })
        .collect();
    assert!(others.is_empty(), "{others:?}");

    // The indicators count what happened, in the device's township.
    assert_eq!(late.indicators.len(), 1);
    let ind = &late.indicators[0];
    assert_eq!(ind.township, dev.township);
    assert_eq!(
        (ind.cases, ind.decided, ind.penalties, ind.open),
        (7, 6, 6, 1)
    );
    assert_eq!((ind.flagged, ind.overdue, ind.closed), (1, 6, 0));
    assert_eq!(ind.fines_fen_information_only, 5 * 15_000 + 50_000);
    assert!(ind.avg_minutes_to_decision.is_some());

    // Outside the scope: nothing.
    let none = run(&server, "99", due + chrono::Duration::days(1));
    assert!(none.indicators.is_empty() && none.clues.is_empty());

    // No personal data in the facts; the party only by its blind index.
    let p = party();
    let rows = server.db().rows("SELECT * FROM supervise_case", &[]);
    assert_eq!(rows.len(), 7);
    let dump = format!("{rows:?}");
    for secret in [&p.name, &p.id_number, p.phone.as_ref().unwrap(), &p.address] {
        assert!(
            !dump.contains(secret.as_str()),
            "personal data in supervise_case"
        );
    }
    assert_eq!(
        server.db().int(
            "SELECT count(DISTINCT party_index) FROM supervise_case WHERE party_index IS NOT NULL",
            &[]
        ),
        1,
        "one party, one blind index"
    );
    assert_eq!(
        server.db().text(
            "SELECT outcome FROM supervise_case WHERE case_id = ?1",
            &[&open.to_string()]
        ),
        "open"
    );

    // Refreshed only when a record changes; lost facts are rebuilt.
    let again = server.store(|db| facts::refresh(db).unwrap());
    assert_eq!(again, 0, "nothing changed since the report");
    server.db().rows("DELETE FROM supervise_case", &[]);
    let rebuilt = server.store(|db| facts::refresh(db).unwrap());
    assert_eq!(rebuilt, 7);
    // A record that no longer opens is skipped (and logged), never fatal:
    // its last good facts stay, the report still runs.
    server.db().rows(
        "UPDATE record_case SET sealed = 'zv1:record.case/1:AAAA', version = version + 1 WHERE case_id = ?1",
        &[&open.to_string()],
    );
    assert_eq!(server.store(|db| facts::refresh(db).unwrap()), 0);
    assert_eq!(
        server.db().text(
            "SELECT outcome FROM supervise_case WHERE case_id = ?1",
            &[&open.to_string()]
        ),
        "open"
    );
    assert_eq!(run(&server, "", due + chrono::Duration::days(1)), late);
}

/// A server holding six decided, served fines of one device, the last
/// one tampered to 500 元 (refused by the replay, far from its peers).
async fn six_fines(b: &Backend) -> (TestServer, TestDevice, Vec<Uuid>) {
    let server = TestServer::on(b);
    let t = server.transport();
    let mut dev = TestDevice::new();
    dev.enrol(&t, &server.code(OFFICERS[0])).await.unwrap();
    dev.sync(&t).await.unwrap();
    let served: Vec<Uuid> = (0..6).map(|_| dev.full_case().0).collect();
    dev.tamper_decision(served[5], 50_000);
    let r = dev.sync(&t).await.unwrap();
    assert_eq!(r.rejected, 0, "{r:?}");
    (server, dev, served)
}

async fn clues_are_disposed_of_through_the_console(b: Backend) {
    let (server, dev, served) = six_fines(&b).await;
    let district = &dev.township[..6];
    let sv = server.staff("SV-T", StaffRole::Supervisor, district, None);
    let sv_out = server.staff("SV-O", StaffRole::Supervisor, "500110", None);
    let unit = server.staff("AP-T", StaffRole::Approver, &dev.township, None);
    let dept = server.staff("DP-T", StaffRole::Department, district, Some("CQ-SCJG"));
    let report = "/v1/console/supervise/report?from=2026-01-01&to=2026-12-31";
    let (s, r) = server.console(Method::Get, report, &unit, None).await;
    assert_eq!(s, 403, "only a supervisor runs the report: {r}");
    let (s, r) = server.console(Method::Get, report, &sv, None).await;
    assert_eq!(s, 200, "{r}");
    let refused = r["clues"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["model"] == "replay_refused")
        .expect("the refused decision's clue");
    assert_eq!(refused["cases"], json!([served[5].to_string()]));
    let id = refused["id"].as_str().unwrap().to_owned();
    let path = format!("/v1/console/supervise/clues/{id}");
    let listed = r["clues"].as_array().unwrap().len() as u64;
    assert_eq!(
        r["clues_total"],
        json!(listed),
        "every clue listed and counted"
    );
    let by_model: u64 = r["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["clues"].as_u64().unwrap())
        .sum();
    assert_eq!(by_model, listed, "the models count the same clues");

    // Drilling down: the device's township inside the district answers
    // its part; a code outside the account's scope, or not a code, does not.
    let (s, t) = server
        .console(
            Method::Get,
            &format!("{report}&scope={}", dev.township),
            &sv,
            None,
        )
        .await;
    assert_eq!(s, 200, "{t}");
    assert_eq!(t["scope"], json!(dev.township));
    assert!(
        t["indicators"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["township"] == json!(dev.township))
    );
    assert!(
        t["clues"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"] == id.as_str())
    );
    let (s, e) = server
        .console(Method::Get, &format!("{report}&scope=500110"), &sv, None)
        .await;
    assert_eq!((s, e["code"].as_str()), (403, Some("scope_outside")), "{e}");
    let (s, _) = server
        .console(Method::Get, &format!("{report}&scope=50x"), &sv, None)
        .await;
    assert_eq!(s, 400);

    // The clue list of chosen ids: just those, in scope.
    let (s, some) = server
        .console(
            Method::Get,
            &format!("/v1/console/supervise/clues?ids={id},no-such-clue"),
            &sv,
            None,
        )
        .await;
    assert_eq!(s, 200, "{some}");
    let ids: Vec<&str> = some
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["clue_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec![id.as_str()]);
    let (s, none) = server
        .console(
            Method::Get,
            &format!("/v1/console/supervise/clues?ids={id}"),
            &sv_out,
            None,
        )
        .await;
    assert_eq!(
        (s, none.as_array().map(Vec::len)),
        (200, Some(0)),
        "out of scope"
    );
    let many: Vec<String> = (0..=200).map(|i| format!("c{i}")).collect();
    let (s, _) = server
        .console(
            Method::Get,
            &format!("/v1/console/supervise/clues?ids={}", many.join(",")),
            &sv,
            None,
        )
        .await;
    assert_eq!(s, 400, "at most 200 ids");

    // Listed, open, for the supervisor and the unit; not for a department.
    let (s, list) = server
        .console(Method::Get, "/v1/console/supervise/clues", &unit, None)
        .await;
    assert_eq!(s, 200, "{list}");
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .any(|c| c["clue_id"] == id.as_str() && c["status"] == "open")
    );
    let (s, _) = server
        .console(Method::Get, "/v1/console/supervise/clues", &dept, None)
        .await;
    assert_eq!(s, 403);

    let step = |action: &str, text: &str| Some(json!({"action": action, "text": text}));
    // Each side takes only its own steps; another district's supervisor
    // does not even find the clue.
    let (s, e) = server
        .console(Method::Post, &path, &unit, step("warn", ""))
        .await;
    assert_eq!((s, e["code"].as_str()), (403, Some("clue_not_yours")));
    let (s, _) = server
        .console(Method::Post, &path, &sv_out, step("warn", ""))
        .await;
    assert_eq!(s, 404);
    let (s, e) = server
        .console(Method::Post, &path, &sv, step("general", " "))
        .await;
    assert_eq!((s, e["code"].as_str()), (400, Some("clue_text_missing")));

    // 监督意见书 → 整改 report → returned → reported again → accepted.
    let opinion = "请于期限内复核该案罚款金额并书面报告整改情况";
    let (s, c) = server
        .console(Method::Post, &path, &sv, step("general", opinion))
        .await;
    assert_eq!((s, c["status"].as_str()), (200, Some("general")), "{c}");
    let today = zhifa_server::supervise::report::beijing_today(zhifa_tests::t0());
    assert_eq!(
        c["due_on"],
        json!((today + chrono::Duration::days(30)).to_string())
    );
    let (s, e) = server
        .console(Method::Post, &path, &sv, step("reply", "x"))
        .await;
    assert_eq!((s, e["code"].as_str()), (403, Some("clue_not_yours")));
    for (token, action, text, status) in [
        (&unit, "reply", "已撤销原决定，依法重新作出", "replied"),
        (&sv, "return", "未附重新作出的决定书", "general"),
        (&unit, "reply", "已补充决定书及送达回证", "replied"),
        (&sv, "accept", "", "closed"),
    ] {
        let (s, c) = server
            .console(Method::Post, &path, token, step(action, text))
            .await;
        assert_eq!(
            (s, c["status"].as_str()),
            (200, Some(status)),
            "{action}: {c}"
        );
    }
    let (s, e) = server
        .console(Method::Post, &path, &sv, step("accept", ""))
        .await;
    assert_eq!(
        (s, e["code"].as_str()),
        (400, Some("clue_step_not_allowed"))
    );

    // The history, words opened for the accounts in scope; sealed at rest.
    let clue = closed_clue(&server, &sv, &id)
        .await
        .expect("listed as closed");
    let events = clue["events"].as_array().unwrap();
    assert_eq!(events.len(), 5);
    assert_eq!(events[0]["text"], opinion);
    assert_eq!(events[4]["action"], "accept");
    assert!(events[4]["text"].is_null());
    let raw = server.db().text(
        "SELECT text FROM supervise_clue_event WHERE clue_id = ?1 AND seq = 1",
        &[&id],
    );
    assert!(raw.starts_with("zv1:supervise.text/"), "{raw}");
    assert!(!raw.contains("复核"));

    // A later report finds the same pattern: the same clue, still closed.
    let (s, r) = server.console(Method::Get, report, &sv, None).await;
    assert_eq!(s, 200);
    assert!(
        r["clues"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"] == id.as_str())
    );
    assert!(closed_clue(&server, &sv, &id).await.is_some());
}

/// The clue `id` among the closed clues `token` lists.
async fn closed_clue(server: &TestServer, token: &str, id: &str) -> Option<serde_json::Value> {
    let (s, list) = server
        .console(
            Method::Get,
            "/v1/console/supervise/clues?status=closed",
            token,
            None,
        )
        .await;
    assert_eq!(s, 200, "{list}");
    list.as_array()?
        .iter()
        .find(|c| c["clue_id"] == id)
        .cloned()
}
