//! The centre's read API over the record (issue 15 item 8), through the
//! server's router on both backends: case lists filter and page by a
//! keyset cursor without showing personal data, each inside the console
//! account's scope; the full case (personal data opened) only for an
//! account whose scope covers it; department accounts read no case;
//! every list and detail is audited; bad filters have their codes.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should abort loudly

use std::collections::BTreeSet;

use zhifa_server::console::StaffRole;
use zhifa_sync::transport::Method;
use zhifa_tests::{Backend, OFFICERS, TOWNSHIP, TestDevice, TestServer, party};

zhifa_tests::on_both_backends!(the_centre_reads_its_scope_of_the_record);

async fn the_centre_reads_its_scope_of_the_record(b: Backend) {
    let server = TestServer::on(&b);
    let t = server.transport();
    let mut dev = TestDevice::new();
    dev.enrol(&t, &server.code(OFFICERS[0])).await.unwrap();
    dev.sync(&t).await.unwrap();
    let ids: BTreeSet<String> = (0..3).map(|_| dev.full_case().0.to_string()).collect();
    let r = dev.sync(&t).await.unwrap();
    assert_eq!(r.rejected, 0, "{r:?}");

    let district = &TOWNSHIP[..6];
    let reviewer = server.staff("fzsh", StaffRole::LegalReview, district, None);
    let centre = server.staff("zhzx", StaffRole::CommandCentre, TOWNSHIP, None);
    let far = server.staff("fzsh-far", StaffRole::LegalReview, "500101", None);
    let dept = server.staff("sc", StaffRole::Department, district, Some("CQ-SCJG"));
    let get = |token: &String, path: String| {
        let (server, token) = (&server, token.clone());
        async move { server.console(Method::Get, &path, &token, None).await }
    };

    // Pages of two: every case once, the last page without a cursor.
    let mut seen = BTreeSet::new();
    let mut path = "/v1/console/records/cases?limit=2".to_owned();
    let mut pages = 0;
    loop {
        let (s, page) = get(&reviewer, path.clone()).await;
        assert_eq!(s, 200, "{page}");
        pages += 1;
        for row in page["rows"].as_array().unwrap() {
            assert!(
                seen.insert(row["case_id"].as_str().unwrap().to_owned()),
                "twice: {row}"
            );
            assert_eq!(row["township"], TOWNSHIP);
            assert_eq!(row["status"], "served");
            let masked = row["party_masked"].as_str().unwrap();
            assert_ne!(masked, party().name, "lists show the masked name only");
        }
        match page["next"].as_str() {
            Some(next) => path = format!("/v1/console/records/cases?limit=2&after={next}"),
            None => break,
        }
    }
    assert_eq!(seen, ids);
    assert_eq!(pages, 2);
    // No list carries the party's name, ID number, phone or address.
    let (_, all) = get(&reviewer, "/v1/console/records/cases".into()).await;
    let text = all.to_string();
    let p = party();
    for needle in [&p.name, &p.id_number, p.phone.as_ref().unwrap(), &p.address] {
        assert!(!text.contains(needle.as_str()), "list shows {needle}");
    }

    // Filters.
    let count = |page: &serde_json::Value| page["rows"].as_array().unwrap().len();
    for (query, expected) in [
        (format!("township={TOWNSHIP}"), 3),
        ("status=served".to_owned(), 3),
        ("status=draft".to_owned(), 0),
        ("matter=NO-SUCH".to_owned(), 0),
        (format!("officer={}", OFFICERS[0]), 3),
        ("officer=OFF-NOBODY".to_owned(), 0),
        ("flagged=true".to_owned(), 0),
        ("flagged=false".to_owned(), 3),
        ("from=2099-01-01".to_owned(), 0),
        ("to=2000-01-01".to_owned(), 0),
        ("from=2000-01-01&to=2099-12-31".to_owned(), 3),
    ] {
        let (s, page) = get(&reviewer, format!("/v1/console/records/cases?{query}")).await;
        assert_eq!((s, count(&page)), (200, expected), "{query}: {page}");
    }
    // The township account sees its township; another district's sees none.
    let (s, page) = get(&centre, "/v1/console/records/cases".into()).await;
    assert_eq!((s, count(&page)), (200, 3));
    let (s, page) = get(&far, "/v1/console/records/cases".into()).await;
    assert_eq!((s, count(&page)), (200, 0));

    // Refusals, each with its code.
    for (token, query, status, code) in [
        (&far, format!("township={TOWNSHIP}"), 403, "forbidden"),
        (&centre, "township=500112999".to_owned(), 403, "forbidden"),
        (&dept, String::new(), 403, "forbidden"),
        (&reviewer, "limit=0".to_owned(), 400, "bad_request"),
        (&reviewer, "limit=201".to_owned(), 400, "bad_request"),
        (
            &reviewer,
            "after=not-a-cursor!".to_owned(),
            400,
            "bad_request",
        ),
        (&reviewer, "from=yesterday".to_owned(), 400, "bad_request"),
        (
            &"not-a-token".to_owned(),
            String::new(),
            401,
            "unauthorized",
        ),
    ] {
        let (s, body) = get(token, format!("/v1/console/records/cases?{query}")).await;
        assert_eq!(
            (s, body["code"].as_str()),
            (status, Some(code)),
            "{query}: {body}"
        );
    }

    // The full case: personal data opened, for the scope that covers it.
    let case = ids.iter().next().unwrap();
    let detail = format!("/v1/console/records/cases/{case}");
    let reads_before = server.store(|st| st.audit_count("case.read").unwrap());
    let (s, doc) = get(&reviewer, detail.clone()).await;
    assert_eq!(s, 200, "{doc}");
    assert_eq!(doc["id"], case.as_str());
    assert_eq!(doc["party"]["name"], p.name.as_str());
    assert_eq!(doc["documents"].as_array().unwrap().len(), 1);
    assert_eq!(
        server.store(|st| st.audit_count("case.read").unwrap()),
        reads_before + 1
    );
    for (token, status, code) in [(&far, 403, "forbidden"), (&dept, 403, "forbidden")] {
        let (s, body) = get(token, detail.clone()).await;
        assert_eq!((s, body["code"].as_str()), (status, Some(code)), "{body}");
        assert!(!body.to_string().contains(&p.name));
    }
    assert_eq!(
        server.store(|st| st.audit_count("case.read").unwrap()),
        reads_before + 1,
        "a refused read opens and audits nothing"
    );
    let (s, body) = get(
        &reviewer,
        "/v1/console/records/cases/0195a000-0000-7000-8000-00000000dead".into(),
    )
    .await;
    assert_eq!((s, body["code"].as_str()), (404, Some("not_found")));

    // Inspections and tasks: lists in scope (none recorded here), refusals.
    for what in ["inspections", "tasks"] {
        let (s, page) = get(&dept, format!("/v1/console/records/{what}")).await;
        assert_eq!((s, count(&page)), (200, 0), "{what}: {page}");
        let (s, body) = get(
            &far,
            format!("/v1/console/records/{what}?township={TOWNSHIP}"),
        )
        .await;
        assert_eq!(
            (s, body["code"].as_str()),
            (403, Some("forbidden")),
            "{what}"
        );
    }
    // Every list call was audited under its account.
    assert!(server.store(|st| st.audit_count("record.list").unwrap()) >= 17);
}
