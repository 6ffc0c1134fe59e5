//! The reviewer's discretion panel (issue 17): a case's level and fine
//! against the level the server's replay suggests and against the same
//! matter's other decided cases in the account's scope — per level the
//! count, min, quartiles, median and max, where the case falls, and the
//! marks for a fine outside its level's range or far from its peers.
//! The figures are checked against the fines the test generated; open
//! cases and cases outside the scope do not count; no personal data
//! leaves; roles and scope are enforced. On SQLite and PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should abort loudly

use serde_json::Value;
use zhifa_server::console::StaffRole;
use zhifa_sync::transport::Method;
use zhifa_tests::{Backend, OFFICERS, TOWNSHIP, TestDevice, TestServer, party};

zhifa_tests::on_both_backends!(the_panel_compares_a_fine_with_its_level_and_its_peers);

/// The `q` quantile of sorted `xs` by linear interpolation (written here
/// again on purpose: the test checks the server's figures independently).
fn q(xs: &[i64], q: f64) -> i64 {
    let pos = q * (xs.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    (xs[lo] as f64 + (xs[hi] - xs[lo]) as f64 * (pos - lo as f64)).round() as i64
}

async fn the_panel_compares_a_fine_with_its_level_and_its_peers(b: Backend) {
    let server = TestServer::on(&b);
    let t = server.transport();
    let mut dev = TestDevice::new();
    dev.enrol(&t, &server.code(OFFICERS[0])).await.unwrap();
    dev.sync(&t).await.unwrap();
    // Peers: fines inside level L2 (100–250 元) of 占道经营 (CG-001); the
    // case under review: 500 元, outside its level and far from them.
    let peer_fines = [12_000, 20_000, 14_000, 15_000, 16_000, 13_500];
    let mut peers = Vec::new();
    for fine in peer_fines {
        let id = dev.full_case().0;
        dev.tamper_decision(id, fine);
        peers.push(id);
    }
    let reviewed = dev.full_case().0;
    dev.tamper_decision(reviewed, 50_000);
    let open = dev.new_case();
    assert_eq!(dev.sync(&t).await.unwrap().rejected, 0);
    // Another township's decisions are outside a township reviewer's scope.
    let mut other = TestDevice::in_township("500110106", ["OFF-DX-01", "OFF-DX-02"]);
    other.enrol(&t, &server.code("OFF-DX-01")).await.unwrap();
    other.sync(&t).await.unwrap();
    let far = other.full_case().0;
    other.tamper_decision(far, 90_000);
    assert_eq!(other.sync(&t).await.unwrap().rejected, 0);

    let reviewer = server.staff("LR-IN", StaffRole::LegalReview, TOWNSHIP, None);
    let path = format!("/v1/console/records/cases/{reviewed}/discretion");
    let (s, d) = server.console(Method::Get, &path, &reviewer, None).await;
    assert_eq!(s, 200, "{d}");

    // The case: its level, the server's suggestion, the published range.
    assert_eq!(d["matter_code"], "CG-001");
    assert_eq!(d["outcome"], "penalty");
    assert_eq!(d["amount_fen"], 50_000);
    assert_eq!(d["chosen_level"], "L2");
    assert_eq!(d["suggested_level"], "L2", "area 5–10 ㎡ suggests L2");
    assert_eq!(d["level_fine"]["min_fen"], 10_000);
    assert_eq!(d["level_fine"]["max_fen"], 25_000);
    assert_eq!(d["outside_level"], true);
    assert_eq!(d["amount_levels"], serde_json::json!(["L4"]));
    assert_eq!(d["party_kind"], "individual");
    // The server's replay: 500 元 is beyond the simple procedure (行政处罚法
    // Art. 51), so it differs and says why.
    assert_eq!(d["replay"]["ok"], false, "{}", d["replay"]);
    assert!(
        d["replay"]["codes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c == "CASE_SIMPLE_PROCEDURE_NOT_ALLOWED"),
        "{}",
        d["replay"]
    );
    assert_eq!(
        d["replay"]["codes"].as_array().unwrap().len(),
        d["replay"]["messages"].as_array().unwrap().len()
    );
    assert_eq!(d["replay"]["release_id"], d["release_id"]);

    // Its peers: only the decided cases of the scope, the case excluded.
    assert_eq!(d["peer_count"], peer_fines.len());
    let l2 = d["levels"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["level"] == "L2")
        .unwrap();
    let mut xs = peer_fines.to_vec();
    xs.sort_unstable();
    assert_eq!(l2["count"], xs.len());
    assert_eq!(l2["min_fen"], xs[0]);
    assert_eq!(l2["max_fen"], *xs.last().unwrap());
    assert_eq!(l2["q1_fen"], q(&xs, 0.25));
    assert_eq!(l2["median_fen"], q(&xs, 0.5));
    assert_eq!(l2["q3_fen"], q(&xs, 0.75));
    assert_eq!(
        (l2["chosen"].as_bool(), l2["suggested"].as_bool()),
        (Some(true), Some(true))
    );
    let others: Vec<&Value> = d["levels"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["level"] != "L2")
        .collect();
    assert!(others.iter().all(|l| l["count"] == 0), "{others:?}");
    assert_eq!(d["position"]["above"], 0);
    assert_eq!(d["position"]["below"], xs.len());
    assert_eq!(d["position"]["percentile"], 100.0);
    let median = q(&xs, 0.5) as f64;
    let iqr = (q(&xs, 0.75) - q(&xs, 0.25)) as f64;
    let k = d["k"].as_f64().unwrap();
    assert!(xs.len() >= d["min_group"].as_u64().unwrap() as usize);
    assert_eq!(d["far_from_peers"], 50_000.0 > median + k * iqr);
    assert_eq!(d["far_from_peers"], true);

    // A peer inside its level and its peers' band is not marked.
    let inside = format!("/v1/console/records/cases/{}/discretion", peers[3]);
    let (s, p) = server.console(Method::Get, &inside, &reviewer, None).await;
    assert_eq!(s, 200, "{p}");
    assert_eq!(
        (p["outside_level"].as_bool(), p["far_from_peers"].as_bool()),
        (Some(false), Some(false))
    );
    assert_eq!(
        p["peer_count"],
        peer_fines.len(),
        "the reviewed case counts as a peer of the others"
    );
    assert_eq!(p["position"]["equal"], 0);
    assert_eq!(p["replay"]["ok"], true, "{}", p["replay"]);
    assert_eq!(p["replay"]["codes"], serde_json::json!([]));

    // The district's supervisor sees the other township's 900 元 too.
    let supervisor = server.staff("SV-D", StaffRole::Supervisor, "500112", None);
    let city = server.staff("SV-C", StaffRole::Supervisor, "", None);
    let (_, ds) = server.console(Method::Get, &path, &supervisor, None).await;
    assert_eq!(ds["peer_count"], peer_fines.len());
    let (_, dc) = server.console(Method::Get, &path, &city, None).await;
    assert_eq!(dc["peer_count"], peer_fines.len() + 1, "{dc}");

    // No personal data; other roles and scopes refused; the read audited.
    let text = d.to_string();
    let p = party();
    for secret in [&p.name, &p.id_number, &p.address] {
        assert!(
            !text.contains(secret.as_str()),
            "personal data in the panel"
        );
    }
    for id in peers.iter().chain([&open]) {
        assert!(!text.contains(&id.to_string()), "a peer's case id leaks");
    }
    let out = server.staff("LR-OUT", StaffRole::LegalReview, "500110106", None);
    let (s, _) = server.console(Method::Get, &path, &out, None).await;
    assert_eq!(s, 404);
    for role in [
        StaffRole::Department,
        StaffRole::CommandCentre,
        StaffRole::Administrator,
    ] {
        let dept = (role == StaffRole::Department).then_some("CGJ");
        let token = server.staff(&format!("X-{}", role.as_str()), role, TOWNSHIP, dept);
        let (s, _) = server.console(Method::Get, &path, &token, None).await;
        assert_eq!(s, 403, "{role:?}");
    }
    assert!(
        server.db().int(
            "SELECT count(*) FROM audit WHERE action = 'case.discretion' AND actor = 'staff:LR-IN' AND object = ?1",
            &[&reviewed.to_string()]
        ) >= 1
    );
}
