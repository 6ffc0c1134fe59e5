//! 案卷评查 by random sample and blind cross-review on a real server
//! (issue 18 item 2): the supervisor draws a township's closed
//! normal-procedure files, reproducibly from the recorded seed; a file is
//! assigned only to a scorer outside its own unit and district; the scorer
//! reads it blind — no officer, party, township or case id — and scores
//! the human items on top of the machine's score; the grades roll up per
//! township into the 通报; every step is audited; roles and scopes are
//! refused. On SQLite and PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should abort loudly

use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};
use zhifa_core::procedure::beijing_date;
use zhifa_server::console::StaffRole;
use zhifa_server::supervise::sampling;
use zhifa_sync::transport::Method;
use zhifa_tests::{Backend, TOWNSHIP, TestServer};

zhifa_tests::on_both_backends!(
    a_sample_is_drawn_reproducibly_and_scored_blind_by_another_unit,
    only_the_supervisor_draws_and_only_the_assigned_scorer_scores
);

/// A normal-procedure case of `township` filed at `at`, marked closed on
/// that day when `closed`; its id.
fn plant(server: &TestServer, township: &str, at: DateTime<Utc>, closed: bool) -> String {
    let what = zhifa_tests::plant::Normal {
        township,
        officers: true,
        save: false,
    };
    let id = zhifa_tests::plant::normal(server, what, at);
    if closed {
        server.db().rows(
            "UPDATE procedure_case SET stage = 'closed', closed_on = ?2 WHERE case_id = ?1",
            &[&id, &beijing_date(at).to_string()],
        );
    }
    id
}

fn draw_body(size: Value, seed: Option<&str>) -> Value {
    json!({"township": TOWNSHIP, "from": "2026-01-01", "to": "2026-12-31", "size": size, "seed": seed})
}

fn ids(v: &Value) -> Vec<String> {
    v["samples"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["case_id"].as_str().unwrap().to_owned())
        .collect()
}

async fn a_sample_is_drawn_reproducibly_and_scored_blind_by_another_unit(b: Backend) {
    let server = TestServer::on(&b);
    let t0 = zhifa_tests::t0();
    let mut closed: Vec<String> = (0..6)
        .map(|i| plant(&server, TOWNSHIP, t0 + Duration::days(i), true))
        .collect();
    closed.sort();
    let open = plant(&server, TOWNSHIP, t0, false);
    let elsewhere = plant(&server, "500112999", t0, true);
    let district = &TOWNSHIP[..6];
    let sv = server.staff("SV-S", StaffRole::Supervisor, district, None);
    let lr_out = server.staff("LR-X", StaffRole::LegalReview, "500110106", None);
    server.staff("LR-OWN", StaffRole::LegalReview, TOWNSHIP, None);
    server.staff("SV-CITY", StaffRole::Supervisor, "", None);
    server.staff("AP-X", StaffRole::Approver, "500110106", None);
    let draws = "/v1/console/supervise/draws";

    // Three of the six closed files, from the seed; the same seed draws
    // the same files; the pure draw over the population agrees.
    let (s, d) = server
        .console(
            Method::Post,
            draws,
            &sv,
            Some(draw_body(json!({"count": 3}), Some("2026-评查-1"))),
        )
        .await;
    assert_eq!(s, 200, "{d}");
    assert_eq!(
        (d["population"].as_i64(), d["seed"].as_str()),
        (Some(6), Some("2026-评查-1"))
    );
    assert_eq!(d["drawn_by"], "staff:SV-S");
    let first = ids(&d);
    assert_eq!(first, sampling::draw(&closed, "2026-评查-1", 3));
    assert!(first.iter().all(|c| closed.contains(c)));
    assert!(!first.contains(&open) && !first.contains(&elsewhere));
    let (_, again) = server
        .console(
            Method::Post,
            draws,
            &sv,
            Some(draw_body(json!({"count": 3}), Some("2026-评查-1"))),
        )
        .await;
    assert_eq!(ids(&again), first);
    // A share, and a seed made up and recorded when none is given.
    let (s, half) = server
        .console(
            Method::Post,
            draws,
            &sv,
            Some(draw_body(json!({"percent": 50}), None)),
        )
        .await;
    assert_eq!(s, 200, "{half}");
    let seed = half["seed"].as_str().unwrap();
    assert_eq!(seed.len(), 32);
    assert_eq!(ids(&half), sampling::draw(&closed, seed, 3));
    let (s, e) = server
        .console(
            Method::Post,
            draws,
            &sv,
            Some(draw_body(json!({"percent": 0}), None)),
        )
        .await;
    assert_eq!((s, e["code"].as_str()), (400, Some("sample_invalid")));

    // The scorer: never the file's own township, district or the city.
    let sample = d["samples"][0]["sample_id"].as_str().unwrap().to_owned();
    assert!(!sample.contains(TOWNSHIP) && !first.iter().any(|c| sample.contains(c.as_str())));
    let assign = format!("/v1/console/supervise/samples/{sample}/assign");
    for (scorer, code) in [
        ("LR-OWN", "sample_scorer_own_unit"),
        ("SV-S", "sample_scorer_own_unit"),
        ("SV-CITY", "sample_scorer_own_unit"),
        ("AP-X", "sample_scorer_role"),
        ("NOBODY", "sample_scorer_unknown"),
    ] {
        let (s, e) = server
            .console(
                Method::Post,
                &assign,
                &sv,
                Some(json!({ "scorer": scorer })),
            )
            .await;
        assert_eq!((s, e["code"].as_str()), (400, Some(code)), "{scorer}: {e}");
    }
    let (s, a) = server
        .console(Method::Post, &assign, &sv, Some(json!({"scorer": "LR-X"})))
        .await;
    assert_eq!((s, a["scorer"].as_str()), (200, Some("LR-X")), "{a}");

    // The scorer lists and reads the file blind.
    let (s, list) = server
        .console(Method::Get, "/v1/console/supervise/scoring", &lr_out, None)
        .await;
    assert_eq!(s, 200);
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["sample_id"], sample.as_str());
    let path = format!("/v1/console/supervise/scoring/{sample}");
    let (s, file) = server.console(Method::Get, &path, &lr_out, None).await;
    assert_eq!(s, 200, "{file}");
    let text = file.to_string();
    for hidden in [
        first[0].as_str(),
        TOWNSHIP,
        "OFF-LX-01",
        "AP-1",
        "李四",
        "500112198001011234",
        "王建国",
        "龙兴镇",
    ] {
        assert!(!text.contains(hidden), "{hidden} in the blind file: {text}");
    }
    assert_eq!(file["matter_code"], "CG-001");
    assert_eq!(file["steps"][1]["role"], "行政机关负责人");
    let vetoes: Vec<String> = file["human_items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["kind"] == "veto")
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect();
    assert!(vetoes.contains(&"facts_clear".to_owned()), "{file}");
    let auto = file["auto_score"].as_i64().unwrap();

    // Scored: every veto item judged, points off the machine's score.
    let judge = |passed: bool| -> Value {
        vetoes
            .iter()
            .map(|id| json!({"id": id, "passed": passed, "note": ""}))
            .collect()
    };
    let (s, e) = server
        .console(
            Method::Post,
            &path,
            &lr_out,
            Some(json!({"vetoes": [], "deductions": []})),
        )
        .await;
    assert_eq!(
        (s, e["code"].as_str()),
        (400, Some("sample_scoring_incomplete"))
    );
    let note = "告知书用语不规范，王某某签名处涂改";
    let (s, scored) = server
        .console(
            Method::Post,
            &path,
            &lr_out,
            Some(json!({"vetoes": judge(true), "deductions": [{"id": "wording", "points": 2, "note": note}]})),
        )
        .await;
    assert_eq!(s, 200, "{scored}");
    let r = &scored["result"];
    assert_eq!(r["auto_score"].as_i64(), Some(auto));
    assert_eq!(r["score"].as_i64(), Some(auto - 2));
    let g = zhifa_server::supervise::review::standard::Grading::default();
    let want = if scored["auto_veto_passed"].as_bool().unwrap() {
        g.grade(u32::try_from(auto - 2).unwrap())
    } else {
        "不合格"
    };
    assert_eq!(r["grade"], want);
    let (s, e) = server
        .console(
            Method::Post,
            &path,
            &lr_out,
            Some(json!({"vetoes": judge(true)})),
        )
        .await;
    assert_eq!((s, e["code"].as_str()), (400, Some("sample_scored")));
    let raw = server.db().text(
        "SELECT judgements FROM review_sample WHERE sample_id = ?1",
        &[&sample],
    );
    assert!(
        raw.starts_with("zv1:supervise.text/") && !raw.contains("涂改"),
        "{raw}"
    );

    // A second file, a veto item failed: 不合格.
    let second = d["samples"][1]["sample_id"].as_str().unwrap().to_owned();
    let (s, _) = server
        .console(
            Method::Post,
            &format!("/v1/console/supervise/samples/{second}/assign"),
            &sv,
            Some(json!({"scorer": "LR-X"})),
        )
        .await;
    assert_eq!(s, 200);
    let (s, failed) = server
        .console(
            Method::Post,
            &format!("/v1/console/supervise/scoring/{second}"),
            &lr_out,
            Some(json!({"vetoes": judge(false)})),
        )
        .await;
    assert_eq!(
        (s, failed["result"]["grade"].as_str()),
        (200, Some("不合格")),
        "{failed}"
    );

    // The 通报: per township, drawn, scored and the grades.
    let (s, bl) = server
        .console(
            Method::Get,
            "/v1/console/supervise/bulletin?from=2026-01-01&to=2026-12-31",
            &sv,
            None,
        )
        .await;
    assert_eq!(s, 200, "{bl}");
    let row = &bl["townships"][0];
    assert_eq!(row["township"], TOWNSHIP);
    assert_eq!(
        (
            row["draws"].as_i64(),
            row["sampled"].as_i64(),
            row["scored"].as_i64()
        ),
        (Some(3), Some(9), Some(2))
    );
    let graded: i64 = ["excellent", "good", "pass", "fail"]
        .iter()
        .map(|k| row[*k].as_i64().unwrap())
        .sum();
    assert_eq!(graded, 2);
    assert!(row["fail"].as_i64().unwrap() >= 1);
    let mean = row["mean_score_tenths"].as_i64().unwrap();
    let scores = r["score"].as_i64().unwrap() + failed["result"]["score"].as_i64().unwrap();
    assert_eq!(mean, (scores * 20 + 2) / 4);
    assert!(!bl.to_string().contains("李四"));

    for action in [
        "supervise.draw",
        "supervise.sample_assign",
        "supervise.scoring",
        "supervise.scoring_read",
        "supervise.sample_score",
        "supervise.bulletin",
    ] {
        assert!(
            server
                .db()
                .int("SELECT count(*) FROM audit WHERE action = ?1", &[action])
                >= 1,
            "{action} not audited"
        );
    }
}

async fn only_the_supervisor_draws_and_only_the_assigned_scorer_scores(b: Backend) {
    let server = TestServer::on(&b);
    plant(&server, TOWNSHIP, zhifa_tests::t0(), true);
    let sv = server.staff("SV-S", StaffRole::Supervisor, &TOWNSHIP[..6], None);
    let sv_out = server.staff("SV-O", StaffRole::Supervisor, "500110", None);
    let lr_other = server.staff("LR-Y", StaffRole::LegalReview, "500110107", None);
    let ap = server.staff("AP-S", StaffRole::Approver, TOWNSHIP, None);
    let draws = "/v1/console/supervise/draws";
    let body = draw_body(json!({"percent": 100}), Some("x"));
    let (s, _) = server
        .console(Method::Post, draws, &ap, Some(body.clone()))
        .await;
    assert_eq!(s, 403);
    let (s, e) = server
        .console(Method::Post, draws, &sv_out, Some(body.clone()))
        .await;
    assert_eq!(
        (s, e["code"].as_str()),
        (404, Some("sample_township_out_of_scope"))
    );
    let (s, d) = server.console(Method::Post, draws, &sv, Some(body)).await;
    assert_eq!(s, 200);
    let sample = d["samples"][0]["sample_id"].as_str().unwrap().to_owned();
    // Another district's supervisor neither sees the draw nor assigns it.
    let (_, list) = server.console(Method::Get, draws, &sv_out, None).await;
    assert_eq!(list, json!([]));
    let assign = format!("/v1/console/supervise/samples/{sample}/assign");
    let (s, _) = server
        .console(
            Method::Post,
            &assign,
            &sv_out,
            Some(json!({"scorer": "SV-O"})),
        )
        .await;
    assert_eq!(s, 404);
    let (s, _) = server
        .console(Method::Post, &assign, &sv, Some(json!({"scorer": "SV-O"})))
        .await;
    assert_eq!(s, 200);
    // Only SV-O reads and scores it; not another outside scorer, not the
    // drawing supervisor, not the township.
    let path = format!("/v1/console/supervise/scoring/{sample}");
    for token in [&lr_other, &sv] {
        let (s, _) = server.console(Method::Get, &path, token, None).await;
        assert_eq!(s, 404);
    }
    let (s, _) = server.console(Method::Get, &path, &ap, None).await;
    assert_eq!(s, 403);
    let (s, f) = server.console(Method::Get, &path, &sv_out, None).await;
    assert_eq!(s, 200, "{f}");
    let (s, _) = server
        .console(Method::Get, "/v1/console/supervise/bulletin", &sv_out, None)
        .await;
    assert_eq!(s, 200);
    let (s, _) = server
        .console(Method::Get, "/v1/console/supervise/bulletin", &ap, None)
        .await;
    assert_eq!(s, 403);
}
