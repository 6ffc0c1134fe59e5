//! A township's adoption of the optional matters (赋权自选) from the
//! console (issue 17): an administrator whose scope covers the township
//! ticks a draft, sees its difference from the published adoption and
//! publishes it as a new catalogue release; a device of the township pulls
//! it on its next sync, and its search then lists the dropped matter apart
//! with the reason and finds the added one. Refusals: a matter that is not
//! optional, a township outside the scope, a stale base, a past day, no
//! change. Every publication audited with what it changed. On SQLite and
//! PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should abort loudly

use chrono::NaiveDate;
use serde_json::{Value, json};
use zhifa_core::catalogue::model::Package;
use zhifa_core::catalogue::search::{OutsideReason, SearchQuery, SearchScope};
use zhifa_server::console::StaffRole;
use zhifa_sync::transport::Method;
use zhifa_tests::{Backend, OFFICERS, TOWNSHIP, TestDevice, TestServer};

zhifa_tests::on_both_backends!(an_administrator_publishes_a_townships_adoption_to_its_devices);

const PATH: &str = "/v1/console/admin/adoption";

fn codes(view: &Value, pred: impl Fn(&Value) -> bool) -> Vec<String> {
    view["matters"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| pred(m))
        .map(|m| m["code"].as_str().unwrap().to_owned())
        .collect()
}

/// Where `code` lands in the device's township search for its own name on
/// `on`: in the results (`Some(None)`), apart with a reason
/// (`Some(Some(reason))`), or nowhere (`None`).
fn found(dev: &TestDevice, name: &str, code: &str, on: NaiveDate) -> Option<Option<OutsideReason>> {
    let r = dev
        .store
        .catalogue()
        .search(&SearchQuery {
            text: name.to_owned(),
            on,
            scope: SearchScope::Township(TOWNSHIP.to_owned()),
            limit: 20,
        })
        .unwrap();
    if r.results.iter().any(|h| h.code == code) {
        return Some(None);
    }
    r.outside
        .iter()
        .find(|o| o.hit.code == code)
        .map(|o| Some(o.reason.clone()))
}

async fn an_administrator_publishes_a_townships_adoption_to_its_devices(b: Backend) {
    let server = TestServer::on(&b);
    let t = server.transport();
    let mut dev = TestDevice::new();
    dev.enrol(&t, &server.code(OFFICERS[0])).await.unwrap();
    let first = dev.sync(&t).await.unwrap();
    let base = first.catalogue_release.clone().expect("the sample release");
    let admin = server.staff("AD-D", StaffRole::Administrator, "500112", None);
    let admin_out = server.staff("AD-OUT", StaffRole::Administrator, "500110", None);
    let reviewer = server.staff("LR-IN", StaffRole::LegalReview, TOWNSHIP, None);

    // The townships of the scope only; other roles refused.
    let (s, list) = server.console(Method::Get, PATH, &admin, None).await;
    assert_eq!(s, 200, "{list}");
    let listed: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["code"].as_str().unwrap())
        .collect();
    assert!(
        listed.contains(&TOWNSHIP) && !listed.contains(&"500110106"),
        "{listed:?}"
    );
    let (_, out) = server.console(Method::Get, PATH, &admin_out, None).await;
    assert!(!out.to_string().contains(TOWNSHIP), "{out}");
    let (s, _) = server.console(Method::Get, PATH, &reviewer, None).await;
    assert_eq!(s, 403);

    // The township's matters: statutory and common fixed, optional ones to tick.
    let one = format!("{PATH}/{TOWNSHIP}");
    let (s, view) = server.console(Method::Get, &one, &admin, None).await;
    assert_eq!(s, 200, "{view}");
    assert_eq!(view["release_id"], base.as_str());
    let common = codes(&view, |m| m["kind"] == "empowered_common");
    assert_eq!(common.len(), 15, "the sample's 15 common matters");
    assert!(view["matters"].as_array().unwrap().iter().all(|m| {
        (m["kind"] == "empowered_optional") != (m["fixed"] == true)
            && !m["basis"].as_array().unwrap().is_empty()
    }));
    let adopted = codes(&view, |m| {
        m["kind"] == "empowered_optional" && m["published"] == true
    });
    let not_adopted = codes(&view, |m| {
        m["kind"] == "empowered_optional" && m["published"] == false
    });
    let (dropped, added) = (adopted[0].clone(), not_adopted[0].clone());
    let name_of = |code: &str| {
        view["matters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["code"] == code)
            .unwrap()["name"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let today: NaiveDate = view["today"].as_str().unwrap().parse().unwrap();
    assert_eq!(found(&dev, &name_of(&dropped), &dropped, today), Some(None));
    assert!(matches!(
        found(&dev, &name_of(&added), &added, today),
        Some(Some(OutsideReason::NotAdopted))
    ));

    // Refused: a common matter, a township outside the scope, another role.
    let mut draft: Vec<String> = adopted.iter().filter(|c| **c != dropped).cloned().collect();
    draft.push(added.clone());
    let body = |matters: &[String]| json!({"base_release": base, "matters": matters});
    let mut with_common = draft.clone();
    with_common.push(common[0].clone());
    let (s, e) = server
        .console(
            Method::Post,
            &format!("{one}/draft"),
            &admin,
            Some(body(&with_common)),
        )
        .await;
    assert_eq!(
        (s, e["code"].as_str()),
        (400, Some("adoption_not_optional")),
        "{e}"
    );
    assert!(e["message"].as_str().unwrap().contains("赋权通用"), "{e}");
    let (s, e) = server
        .console(
            Method::Post,
            &format!("{one}/draft"),
            &admin_out,
            Some(body(&draft)),
        )
        .await;
    assert_eq!(
        (s, e["code"].as_str()),
        (403, Some("adoption_out_of_scope")),
        "{e}"
    );
    let (s, _) = server
        .console(
            Method::Post,
            &format!("{one}/draft"),
            &reviewer,
            Some(body(&draft)),
        )
        .await;
    assert_eq!(s, 403);

    // The draft: its difference shown, nothing published yet.
    let (s, v) = server
        .console(
            Method::Post,
            &format!("{one}/draft"),
            &admin,
            Some(body(&draft)),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        v["changes"],
        json!({"added": [added], "removed": [dropped]})
    );
    assert_eq!(v["draft"]["updated_by"], "AD-D");
    let (_, v) = server.console(Method::Get, &one, &admin, None).await;
    assert_eq!(v["changes"]["added"], json!([added]), "the draft is kept");
    assert_eq!(
        dev.sync(&t).await.unwrap().catalogue_release.as_deref(),
        Some(base.as_str())
    );

    // Publishing: refused when stale, for a past day, outside the scope.
    let publish = format!("{one}/publish");
    let (s, e) = server
        .console(
            Method::Post,
            &publish,
            &admin,
            Some(json!({"base_release": "CQ-OLD"})),
        )
        .await;
    assert_eq!(
        (s, e["code"].as_str()),
        (400, Some("adoption_stale")),
        "{e}"
    );
    let yesterday = today.pred_opt().unwrap();
    let (s, e) = server
        .console(
            Method::Post,
            &publish,
            &admin,
            Some(json!({"base_release": base, "effective_from": yesterday})),
        )
        .await;
    assert_eq!(
        (s, e["code"].as_str()),
        (400, Some("adoption_date_past")),
        "{e}"
    );
    let (s, e) = server
        .console(
            Method::Post,
            &publish,
            &admin_out,
            Some(json!({"base_release": base})),
        )
        .await;
    assert_eq!(
        (s, e["code"].as_str()),
        (403, Some("adoption_out_of_scope")),
        "{e}"
    );

    let (s, p) = server
        .console(
            Method::Post,
            &publish,
            &admin,
            Some(json!({"base_release": base})),
        )
        .await;
    assert_eq!(s, 200, "{p}");
    let release = p["release"]["release_id"].as_str().unwrap().to_owned();
    assert_ne!(release, base);
    assert_eq!(
        p["changes"],
        json!({"added": [added], "removed": [dropped]})
    );

    // The release's content: the township's periods end and start today.
    let sha = p["release"]["sha256"].as_str().unwrap();
    let bytes = std::fs::read(server.dir.path().join(format!("catalogue/{sha}.json"))).unwrap();
    let pkg: Package = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(pkg.release.id, release);
    let tw = pkg.townships.iter().find(|t| t.code == TOWNSHIP).unwrap();
    let period = |code: &str| {
        tw.adopted
            .iter()
            .find(|a| a.matter == code)
            .map(|a| (a.from, a.to))
    };
    assert_eq!(period(&dropped).unwrap().1, Some(yesterday));
    assert_eq!(period(&added), Some((today, None)));

    // The device pulls it; its search changes.
    let report = dev.sync(&t).await.unwrap();
    assert_eq!(report.catalogue_release.as_deref(), Some(release.as_str()));
    assert_eq!(found(&dev, &name_of(&added), &added, today), Some(None));
    match found(&dev, &name_of(&dropped), &dropped, today) {
        Some(Some(OutsideReason::NotOnDate { periods })) => {
            assert!(
                periods.iter().all(|(_, to)| *to == Some(yesterday)),
                "{periods:?}"
            )
        }
        other => panic!("{dropped} should be apart, not on the date: {other:?}"),
    }
    // A case of yesterday still binds to the adoption in force then.
    assert_eq!(
        found(&dev, &name_of(&dropped), &dropped, yesterday),
        Some(None)
    );

    // Published: no draft left, the history and the audit say what changed.
    let (_, v) = server.console(Method::Get, &one, &admin, None).await;
    assert!(
        v["draft"].is_null() && v["changes"] == json!({"added": [], "removed": []}),
        "{v}"
    );
    assert_eq!(v["release_id"], release.as_str());
    assert_eq!(v["history"][0]["changes"]["added"], json!([added]));
    assert_eq!(v["history"][0]["published_by"], "AD-D");
    let (s, e) = server
        .console(
            Method::Post,
            &publish,
            &admin,
            Some(json!({"base_release": release})),
        )
        .await;
    assert_eq!(
        (s, e["code"].as_str()),
        (400, Some("adoption_no_change")),
        "{e}"
    );
    let object = server.db().text(
        "SELECT object FROM audit WHERE action = 'adoption.publish' AND actor = 'staff:AD-D'",
        &[],
    );
    assert_eq!(object, format!("{TOWNSHIP}:{release}:+{added};-{dropped}"));
    assert_eq!(
        server.db().int(
            "SELECT count(*) FROM audit WHERE action = 'adoption.draft'",
            &[]
        ),
        1
    );
}
