//! 执法监督 over normal-procedure cases (issue 18 item 1) on a real server:
//! the deadline monitor lists every open clock of every open case of the
//! account's scope with its level — normal, yellow before the due day, red
//! after it — and who it escalates to; the report carries the same list
//! and the normal-procedure problem models find the decision not made
//! within 立案 + 90 days and the 先行登记保存 not disposed of within 7
//! working days. On SQLite and PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should abort loudly

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde_json::Value;
use zhifa_core::procedure::{ClockKind, beijing_date, gates};
use zhifa_server::console::StaffRole;
use zhifa_server::supervise::Config;
use zhifa_server::supervise::report::report;
use zhifa_sync::transport::Method;
use zhifa_tests::{Backend, TOWNSHIP, TestServer};

zhifa_tests::on_both_backends!(the_monitor_colours_and_escalates_the_normal_cases_clocks);

fn item<'a>(list: &'a Value, case: &str, clock: &str) -> &'a Value {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["case_id"] == case && i["clock"] == clock)
        .unwrap_or_else(|| panic!("{case} {clock} in {list}"))
}

async fn the_monitor_colours_and_escalates_the_normal_cases_clocks(b: Backend) {
    let server = TestServer::on(&b);
    let start = zhifa_tests::t0();
    let case = zhifa_tests::plant::normal_case(&server, start);
    let filed = beijing_date(start);
    let district = &TOWNSHIP[..6];
    let sv = server.staff("SV-N", StaffRole::Supervisor, district, None);
    let sv_out = server.staff("SV-X", StaffRole::Supervisor, "500110", None);
    let ap = server.staff("AP-N", StaffRole::Approver, TOWNSHIP, None);
    let cc = server.staff("CC-N", StaffRole::CommandCentre, TOWNSHIP, None);
    let lr = server.staff("LR-N", StaffRole::LegalReview, TOWNSHIP, None);
    let path = "/v1/console/supervise/deadlines";

    // The due days are the core's, on the township's calendar.
    let (config, calendar) = server.store(|db| {
        db.read_as(|c| {
            let pkg = zhifa_server::procedure::release_of(c, db.keeper(), TOWNSHIP, filed)?;
            Ok::<_, zhifa_server::procedure::CaseError>((
                zhifa_server::procedure::config_of(TOWNSHIP),
                pkg.calendar.clone(),
            ))
        })
        .unwrap()
    });
    let save_due = gates::due_of(ClockKind::RegistrationSave, filed, &config, &calendar).unwrap();
    let decision_due = gates::due_of(ClockKind::Decision, filed, &config, &calendar).unwrap();

    // Day one: both clocks normal, escalated to nobody.
    let (s, v) = server.console(Method::Get, path, &ap, None).await;
    assert_eq!(s, 200, "{v}");
    let save = item(&v, &case, "registration_save");
    assert_eq!(save["due"], save_due.to_string());
    assert_eq!(save["level"], "normal");
    assert_eq!(save["escalate_to"], serde_json::json!([]));
    assert!(save["basis"].as_str().unwrap().contains("第五十六条"));
    let decision = item(&v, &case, "decision");
    assert_eq!(decision["due"], decision_due.to_string());
    assert_eq!(decision["township"], TOWNSHIP);
    // No personal data in the list.
    assert!(!v.to_string().contains("李四") && !v.to_string().contains("500112198001011234"));

    // On the 登记保存's due day: yellow, to the 负责人.
    let now = |d: NaiveDate| d.and_hms_opt(4, 0, 0).unwrap().and_utc();
    let advance = |to: DateTime<Utc>| {
        let cur = zhifa_server::clock::Clock::now(&*server.clock);
        server.clock.advance(to - cur);
    };
    advance(now(save_due));
    let (_, v) = server.console(Method::Get, path, &cc, None).await;
    let save = item(&v, &case, "registration_save");
    assert_eq!(
        (save["level"].as_str(), save["days_left"].as_i64()),
        (Some("yellow"), Some(0))
    );
    assert_eq!(save["escalate_to"], serde_json::json!(["approver"]));
    assert_eq!(item(&v, &case, "decision")["level"], "normal");

    // The day after: red, to the supervisor too, listed first.
    advance(now(save_due + Duration::days(1)));
    let (s, v) = server.console(Method::Get, path, &sv, None).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["items"][0]["clock"], "registration_save");
    assert_eq!(v["items"][0]["level"], "red");
    assert_eq!(
        v["items"][0]["escalate_to"],
        serde_json::json!(["approver", "supervisor"])
    );

    // Roles and scope: the 法制审核 body is refused; another district's
    // supervisor sees nothing of it; every read is audited.
    let (s, _) = server.console(Method::Get, path, &lr, None).await;
    assert_eq!(s, 403);
    let (s, v) = server.console(Method::Get, path, &sv_out, None).await;
    assert_eq!(s, 200);
    assert!(!v.to_string().contains(&case), "{v}");
    assert_eq!(
        server.db().int(
            "SELECT count(*) FROM audit WHERE action = 'supervise.deadlines'",
            &[]
        ),
        4
    );

    // The report: its deadlines, and the models over the normal case —
    // the 登记保存 past its 7 working days now, the decision once past
    // 立案 + 90 days (and not before).
    let run = |as_of: NaiveDate| {
        server.store(|db| {
            report(
                db,
                district,
                NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
                NaiveDate::from_ymd_opt(2026, 12, 31).unwrap(),
                as_of,
                start,
                &Config::default(),
            )
            .unwrap()
        })
    };
    let models = |r: &zhifa_server::supervise::report::Report| {
        let mut m: Vec<String> = r
            .clues
            .iter()
            .filter(|c| c.cases == [case.clone()])
            .map(|c| c.model.clone())
            .collect();
        m.sort();
        m
    };
    let r = run(save_due + Duration::days(1));
    assert!(
        r.deadlines
            .items
            .iter()
            .any(|i| i.case_id == case && i.level == "red")
    );
    assert_eq!(models(&r), ["registration_save_overdue"]);
    // The indicators count it: a normal-procedure case, open, overdue.
    let ind = r
        .indicators
        .iter()
        .find(|i| i.township == TOWNSHIP)
        .unwrap();
    assert_eq!(
        (
            ind.cases,
            ind.normal,
            ind.simple,
            ind.open,
            ind.decided,
            ind.overdue
        ),
        (1, 1, 0, 1, 0, 1)
    );
    let r = run(decision_due);
    assert_eq!(models(&r), ["registration_save_overdue"]);
    let r = run(decision_due + Duration::days(1));
    assert_eq!(
        models(&r),
        ["decision_overdue", "registration_save_overdue"]
    );
    let json = serde_json::to_value(&r).unwrap();
    assert!(json["deadlines"]["items"].is_array());
    assert!(!json.to_string().contains("李四"));
}
