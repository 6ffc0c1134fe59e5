//! Administration from the console (issue 17): an administrator lists the
//! accounts and devices inside its scope and revokes them — a revoked
//! device is refused at its next sync, a revoked account's token stops —
//! but never its own account and nothing outside its scope (404, as if
//! unknown); other roles are refused; each step is audited; officers'
//! names are masked. On SQLite and PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should abort loudly

use serde_json::Value;
use zhifa_server::console::StaffRole;
use zhifa_sync::transport::Method;
use zhifa_tests::{Backend, OFFICERS, TestDevice, TestServer};

zhifa_tests::on_both_backends!(an_administrator_revokes_accounts_and_devices_in_its_scope);

async fn call(server: &TestServer, method: Method, token: &str, path: &str) -> (u16, Value) {
    server.console(method, path, token, None).await
}

async fn an_administrator_revokes_accounts_and_devices_in_its_scope(b: Backend) {
    let server = TestServer::on(&b);
    let t = server.transport();
    let mut dev = TestDevice::new();
    dev.enrol(&t, &server.code(OFFICERS[0])).await.unwrap();
    dev.sync(&t).await.unwrap();
    let district = dev.township[..6].to_owned();
    let admin = server.staff("AD-IN", StaffRole::Administrator, &district, None);
    let admin_out = server.staff("AD-OUT", StaffRole::Administrator, "500110", None);
    let reviewer = server.staff("LR-IN", StaffRole::LegalReview, &dev.township, None);
    let other = server.staff("CC-OUT", StaffRole::CommandCentre, "500110", None);

    // Lists inside the scope only; other roles refused.
    let (s, staff) = call(&server, Method::Get, &admin, "/v1/console/admin/staff").await;
    assert_eq!(s, 200, "{staff}");
    let ids: Vec<&str> = staff
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"LR-IN") && ids.contains(&"AD-IN"), "{ids:?}");
    assert!(
        !ids.contains(&"CC-OUT") && !ids.contains(&"AD-OUT"),
        "{ids:?}"
    );
    assert!(
        staff.to_string().find("totp").is_none() && staff.to_string().find("password").is_none()
    );
    let (s, _) = call(&server, Method::Get, &reviewer, "/v1/console/admin/staff").await;
    assert_eq!(s, 403);
    let (s, devices) = call(&server, Method::Get, &admin, "/v1/console/admin/devices").await;
    assert_eq!(s, 200);
    let mine = devices
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["device_id"] == dev.id().as_str())
        .expect("the device is listed");
    assert!(
        mine["officer_masked"].as_str().unwrap().contains('*'),
        "{mine}"
    );
    let (_, out_devices) = call(
        &server,
        Method::Get,
        &admin_out,
        "/v1/console/admin/devices",
    )
    .await;
    assert!(!out_devices.to_string().contains(&dev.id()));

    // Outside the scope: as if unknown. Its own account: refused.
    let (s, _) = call(
        &server,
        Method::Post,
        &admin_out,
        &format!("/v1/console/admin/devices/{}/revoke", dev.id()),
    )
    .await;
    assert_eq!(s, 404);
    let (s, _) = call(
        &server,
        Method::Post,
        &admin,
        "/v1/console/admin/staff/CC-OUT/revoke",
    )
    .await;
    assert_eq!(s, 404);
    let (s, e) = call(
        &server,
        Method::Post,
        &admin,
        "/v1/console/admin/staff/AD-IN/revoke",
    )
    .await;
    assert_eq!((s, e["code"].as_str()), (400, Some("bad_request")));

    // Revoked: the device's next sync is refused; the account's token stops.
    let (s, r) = call(
        &server,
        Method::Post,
        &admin,
        &format!("/v1/console/admin/devices/{}/revoke", dev.id()),
    )
    .await;
    assert_eq!((s, r["revoked"].as_bool()), (200, Some(true)));
    let err = dev.sync(&t).await.unwrap_err();
    assert!(format!("{err:?}").contains("revoked"), "{err:?}");
    let (_, again) = call(
        &server,
        Method::Post,
        &admin,
        &format!("/v1/console/admin/devices/{}/revoke", dev.id()),
    )
    .await;
    assert_eq!(again["revoked"], false, "already revoked");
    let (s, _) = call(
        &server,
        Method::Post,
        &admin,
        "/v1/console/admin/staff/LR-IN/revoke",
    )
    .await;
    assert_eq!(s, 200);
    let (s, _) = call(&server, Method::Get, &reviewer, "/v1/console/records/cases").await;
    assert_eq!(s, 401, "a revoked account's token stops at once");
    let (s, _) = call(&server, Method::Get, &other, "/v1/console/admin/devices").await;
    assert_eq!(s, 403);

    // Audited.
    for action in [
        "admin.device_revoke",
        "admin.staff_revoke",
        "admin.devices",
        "admin.staff",
    ] {
        assert!(
            server.db().int(
                "SELECT count(*) FROM audit WHERE action = ?1 AND actor = 'staff:AD-IN'",
                &[action]
            ) >= 1,
            "{action} not audited"
        );
    }
}
