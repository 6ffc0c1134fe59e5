//! 复查 of a 监督处理决定 on a real server (《重庆市行政执法监督条例》
//! Art. 21; issue 18 item 5): the township's 负责人 applies within ten
//! working days of receiving the 监督意见书 — on the last day it is
//! accepted, the day after it is refused with `recheck_late` citing the
//! article; the supervisor's fifteen-working-day decision clock shows in
//! the deadline monitor, yellow then red; 撤销 dismisses the clue, 变更
//! issues the changed opinion; every step is audited, reasons sealed at
//! rest; wrong roles and scopes are refused. On SQLite and PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should abort loudly

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde_json::{Value, json};
use zhifa_core::procedure::beijing_date;
use zhifa_core::procedure::deadline::add_working_days;
use zhifa_server::console::StaffRole;
use zhifa_sync::transport::Method;
use zhifa_tests::{Backend, TOWNSHIP, TestServer};

zhifa_tests::on_both_backends!(
    a_recheck_is_applied_for_in_time_and_decided_on_its_clock,
    a_changed_opinion_replaces_the_decision_and_late_or_absent_decisions_are_refused
);

/// A clue of the sample township, as a report leaves it; its id.
fn plant_clue(server: &TestServer, case: &str) -> String {
    let id = uuid::Uuid::now_v7().to_string();
    let cases = serde_json::to_string(&[case]).unwrap();
    server.db().rows(
        "INSERT INTO supervise_clue (clue_id, model, township, cases, reason, status, found_at, last_seen_at, updated_at)
         VALUES (?1, 'single_officer', ?2, ?3, '执法人员少于两人', 'open',
             '2026-03-10T00:00:00.000Z', '2026-03-10T00:00:00.000Z', '2026-03-10T00:00:00.000Z')",
        &[&id, TOWNSHIP, &cases],
    );
    id
}

/// Noon in Beijing on `d`.
fn noon(d: NaiveDate) -> DateTime<Utc> {
    d.and_hms_opt(4, 0, 0).unwrap().and_utc()
}

fn move_to(server: &TestServer, to: DateTime<Utc>) {
    let cur = zhifa_server::clock::Clock::now(&*server.clock);
    server.clock.advance(to - cur);
}

/// `n` working days after `from` on the township's calendar.
fn working_days(server: &TestServer, from: NaiveDate, n: u32) -> NaiveDate {
    server.store(|db| {
        db.read_as(|c| {
            let pkg = zhifa_server::procedure::release_of(c, db.keeper(), TOWNSHIP, from)?;
            Ok::<_, zhifa_server::procedure::CaseError>(
                add_working_days(&pkg.calendar, from, n).unwrap(),
            )
        })
        .unwrap()
    })
}

struct Accounts {
    sv: String,
    sv_out: String,
    ap: String,
    ap_out: String,
    cc: String,
}

fn accounts(server: &TestServer) -> Accounts {
    let district = &TOWNSHIP[..6];
    Accounts {
        sv: server.staff("SV-R", StaffRole::Supervisor, district, None),
        sv_out: server.staff("SV-RO", StaffRole::Supervisor, "500110", None),
        ap: server.staff("AP-R", StaffRole::Approver, TOWNSHIP, None),
        ap_out: server.staff("AP-RO", StaffRole::Approver, "500110106", None),
        cc: server.staff("CC-R", StaffRole::CommandCentre, TOWNSHIP, None),
    }
}

/// The supervisor issues a 监督意见书 on `id` now.
async fn issue_opinion(server: &TestServer, sv: &str, id: &str) {
    let (s, c) = server
        .console(
            Method::Post,
            &format!("/v1/console/supervise/clues/{id}"),
            sv,
            Some(json!({"action": "general", "text": "请限期纠正单人执法问题"})),
        )
        .await;
    assert_eq!((s, c["status"].as_str()), (200, Some("general")), "{c}");
}

async fn apply(server: &TestServer, token: &str, id: &str, reason: &str) -> (u16, Value) {
    server
        .console(
            Method::Post,
            &format!("/v1/console/supervise/clues/{id}/recheck"),
            token,
            Some(json!({ "reason": reason })),
        )
        .await
}

async fn decide(server: &TestServer, token: &str, id: &str, body: Value) -> (u16, Value) {
    server
        .console(
            Method::Post,
            &format!("/v1/console/supervise/clues/{id}/recheck/decision"),
            token,
            Some(body),
        )
        .await
}

/// The 复查 clock of `clue` in the monitor `token` sees, if listed.
async fn recheck_clock(server: &TestServer, token: &str, clue: &str) -> Option<Value> {
    let (s, v) = server
        .console(Method::Get, "/v1/console/supervise/deadlines", token, None)
        .await;
    assert_eq!(s, 200, "{v}");
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["clue_id"] == clue)
        .cloned()
}

async fn a_recheck_is_applied_for_in_time_and_decided_on_its_clock(b: Backend) {
    let server = TestServer::on(&b);
    let a = accounts(&server);
    let id = plant_clue(&server, "case-recheck-1");
    issue_opinion(&server, &a.sv, &id).await;
    let received = beijing_date(zhifa_server::clock::Clock::now(&*server.clock));
    let last_day = working_days(&server, received, 10);

    // Only the township's 负责人 in scope applies.
    for token in [&a.cc, &a.sv] {
        let (s, e) = apply(&server, token, &id, "x").await;
        assert_eq!((s, e["code"].as_str()), (403, Some("recheck_not_yours")));
    }
    let (s, _) = apply(&server, &a.ap_out, &id, "不服").await;
    assert_eq!(s, 404);
    let (s, e) = apply(&server, &a.ap, &id, "  ").await;
    assert_eq!((s, e["code"].as_str()), (400, Some("recheck_text_missing")));

    // On the tenth working day: accepted, the decision due fifteen
    // working days on.
    move_to(&server, noon(last_day));
    let reason = "该案已由两名执法人员共同办理，现场笔录可证";
    let (s, c) = apply(&server, &a.ap, &id, reason).await;
    assert_eq!(s, 200, "{c}");
    let r = &c["recheck"];
    assert_eq!(r["received_on"], received.to_string());
    assert_eq!(r["request_due"], last_day.to_string());
    assert_eq!(r["requested_on"], last_day.to_string());
    let decision_due = working_days(&server, last_day, 15);
    assert_eq!(r["decision_due"], decision_due.to_string());
    assert_eq!(r["reason"], reason);
    assert!(r["outcome"].is_null());
    // Art. 21 ¶3: the decision is carried out meanwhile.
    assert_eq!(c["status"], "general");
    let (s, e) = apply(&server, &a.ap, &id, "再次申请").await;
    assert_eq!((s, e["code"].as_str()), (400, Some("recheck_exists")));

    // The decision clock: normal now, yellow on its last day, red after;
    // escalated to the supervisor; the township sees it too.
    let clock = recheck_clock(&server, &a.sv, &id).await.expect("listed");
    assert_eq!(clock["clock"], "recheck_decision");
    assert_eq!(clock["due"], decision_due.to_string());
    assert_eq!(clock["level"], "normal");
    assert_eq!(clock["case_id"], "case-recheck-1");
    assert!(clock["basis"].as_str().unwrap().contains("第二十一条"));
    assert!(recheck_clock(&server, &a.ap, &id).await.is_some());
    assert!(recheck_clock(&server, &a.sv_out, &id).await.is_none());
    move_to(&server, noon(decision_due));
    let clock = recheck_clock(&server, &a.sv, &id).await.unwrap();
    assert_eq!(
        (clock["level"].as_str(), clock["days_left"].as_i64()),
        (Some("yellow"), Some(0))
    );
    assert_eq!(clock["escalate_to"], json!(["supervisor"]));
    move_to(&server, noon(decision_due + Duration::days(1)));
    let clock = recheck_clock(&server, &a.sv, &id).await.unwrap();
    assert_eq!(clock["level"], "red");

    // Only the supervisor in scope decides, with reasons.
    let revoke = json!({"outcome": "revoked", "reason": "经复查，现场笔录载明两名执法人员"});
    let (s, e) = decide(&server, &a.ap, &id, revoke.clone()).await;
    assert_eq!((s, e["code"].as_str()), (403, Some("recheck_not_yours")));
    let (s, _) = decide(&server, &a.sv_out, &id, revoke.clone()).await;
    assert_eq!(s, 404);
    let (s, e) = decide(
        &server,
        &a.sv,
        &id,
        json!({"outcome": "revoked", "reason": ""}),
    )
    .await;
    assert_eq!((s, e["code"].as_str()), (400, Some("recheck_text_missing")));
    let (s, c) = decide(&server, &a.sv, &id, revoke).await;
    assert_eq!(s, 200, "{c}");
    assert_eq!(c["status"], "dismissed");
    assert_eq!(c["recheck"]["outcome"], "revoked");
    assert_eq!(c["recheck"]["outcome_zh"], "撤销");
    let last = c["events"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["action"], "dismiss");
    assert!(last["text"].as_str().unwrap().contains("复查"));
    let (s, e) = decide(
        &server,
        &a.sv,
        &id,
        json!({"outcome": "upheld", "reason": "x"}),
    )
    .await;
    assert_eq!((s, e["code"].as_str()), (400, Some("recheck_not_pending")));
    assert!(
        recheck_clock(&server, &a.sv, &id).await.is_none(),
        "decided: no clock"
    );

    // Audited; the reasons sealed at rest.
    for action in ["supervise.recheck", "supervise.recheck_decision"] {
        assert_eq!(
            server.db().int(
                "SELECT count(*) FROM audit WHERE action = ?1 AND object LIKE ?2",
                &[action, &format!("{id}%")]
            ),
            1,
            "{action}"
        );
    }
    let raw = server.db().text(
        "SELECT reason || decision_reason FROM supervise_recheck WHERE clue_id = ?1",
        &[&id],
    );
    assert!(raw.starts_with("zv1:supervise.text/"), "{raw}");
    assert!(!raw.contains("笔录"));
}

async fn a_changed_opinion_replaces_the_decision_and_late_or_absent_decisions_are_refused(
    b: Backend,
) {
    let server = TestServer::on(&b);
    let a = accounts(&server);
    let late = plant_clue(&server, "case-recheck-2");
    let changed = plant_clue(&server, "case-recheck-3");
    let never = plant_clue(&server, "case-recheck-4");
    issue_opinion(&server, &a.sv, &late).await;
    issue_opinion(&server, &a.sv, &changed).await;
    let received = beijing_date(zhifa_server::clock::Clock::now(&*server.clock));

    // No 监督意见书, nothing to recheck.
    let (s, e) = apply(&server, &a.ap, &never, "不服").await;
    assert_eq!((s, e["code"].as_str()), (400, Some("recheck_no_decision")));

    // 变更: the changed opinion is the clue's new 监督意见书, due again.
    let (s, _) = apply(&server, &a.ap, &changed, "整改期限过短").await;
    assert_eq!(s, 200);
    let (s, e) = decide(
        &server,
        &a.sv,
        &changed,
        json!({"outcome": "changed", "reason": "期限确实过短"}),
    )
    .await;
    assert_eq!((s, e["code"].as_str()), (400, Some("recheck_text_missing")));
    let opinion = "请于六十日内完成整改并书面报告";
    let (s, c) = decide(
        &server,
        &a.sv,
        &changed,
        json!({"outcome": "changed", "reason": "期限确实过短", "opinion": opinion}),
    )
    .await;
    assert_eq!(s, 200, "{c}");
    assert_eq!(
        (c["status"].as_str(), c["recheck"]["outcome"].as_str()),
        (Some("general"), Some("changed"))
    );
    assert_eq!(c["due_on"], (received + Duration::days(30)).to_string());
    let last = c["events"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (last["action"].as_str(), last["text"].as_str()),
        (Some("general"), Some(opinion))
    );

    // One day after the tenth working day: refused, citing Art. 21.
    let last_day = working_days(&server, received, 10);
    move_to(&server, noon(last_day + Duration::days(1)));
    let (s, e) = apply(&server, &a.ap, &late, "不服").await;
    assert_eq!((s, e["code"].as_str()), (400, Some("recheck_late")), "{e}");
    let msg = e["message"].as_str().unwrap_or_default();
    assert!(
        msg.contains("第二十一条") && msg.contains(&last_day.to_string()),
        "{e}"
    );
    assert_eq!(
        server.db().int(
            "SELECT count(*) FROM supervise_recheck WHERE clue_id = ?1",
            &[&late]
        ),
        0
    );
}
