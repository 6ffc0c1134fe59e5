//! A normal-procedure case (普通程序, issue 16) between a real device and a
//! real server: the officer's steps go through the outbox and the push
//! (`procedure/event`), the centre's through the console API; the server
//! appends a step only if the procedure core accepts it against its log,
//! the centre's steps reach the device's inbox, an unlawful step changes
//! nothing and says which article stops it, each account acts only in its
//! own role and scope, and the whole log is sealed at rest. On SQLite and
//! PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should abort loudly

use chrono::Duration;
use serde_json::json;
use uuid::Uuid;
use zhifa_core::procedure::{CaseFlags, EventKind, Outcome, PartyKind, Penalty, beijing_date};
use zhifa_server::console::StaffRole;
use zhifa_sync::transport::Method;
use zhifa_tests::{Backend, OFFICERS, TestDevice, TestServer};

mod procedure_support;

use procedure_support::{
    details, officers, push_officer_step as officer_step, set_time, try_centre_step as centre_step,
};

zhifa_tests::on_both_backends!(a_normal_case_runs_between_device_and_centre);

fn stage(server: &TestServer, case: &str) -> (String, i64) {
    let db = server.db();
    (
        db.text(
            "SELECT stage FROM procedure_case WHERE case_id = ?1",
            &[case],
        ),
        db.int(
            "SELECT count(*) FROM procedure_event WHERE case_id = ?1",
            &[case],
        ),
    )
}

async fn a_normal_case_runs_between_device_and_centre(b: Backend) {
    let server = TestServer::on(&b);
    let t = server.transport();
    let mut dev = TestDevice::new();
    dev.enrol(&t, &server.code(OFFICERS[0])).await.unwrap();
    dev.sync(&t).await.unwrap();
    let township = dev.township.clone();
    let approver = server.staff("AP-N", StaffRole::Approver, &township, None);
    let reviewer = server.staff("LR-N", StaffRole::LegalReview, &township, None);
    let far_approver = server.staff("AP-FAR", StaffRole::Approver, "500110", None);
    let dept = server.staff(
        "DP-N",
        StaffRole::Department,
        &township[..6],
        Some("CQ-SCJG"),
    );
    let case = Uuid::now_v7().to_string();
    let start = zhifa_tests::t0();
    let today = beijing_date(start);

    // S0 案源登记 on the device, with the party and facts.
    let r = officer_step(
        &server,
        &mut dev,
        &case,
        EventKind::RegisterSource {
            discovered_on: today,
            source: "巡查".into(),
            party: PartyKind::Citizen,
        },
        Some(details(&township)),
    )
    .await;
    assert_eq!(r.rejected, 0, "{r:?}");
    assert_eq!(stage(&server, &case), ("case_source".into(), 1));

    // The approver's queue shows it waiting for 立案审批, the party masked.
    let (s, list) = server
        .console(
            Method::Get,
            "/v1/console/procedure/cases?waiting=true",
            &approver,
            None,
        )
        .await;
    assert_eq!(s, 200, "{list}");
    let row = list
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["case_id"] == case.as_str())
        .expect("the case is in the approver's queue");
    assert_eq!(row["waiting_for"], json!(["立案审批"]));
    assert_eq!(row["party"], "李**", "a list masks the party");
    assert!(row["nearest"].is_object(), "the 立案 clock runs: {row}");

    // Outside its role or scope an account takes no step and reads nothing.
    let (s, _) = centre_step(&server, &reviewer, &case, json!({"step": "file"})).await;
    assert_eq!(s, 403, "a reviewer does not approve 立案");
    let (s, _) = centre_step(&server, &far_approver, &case, json!({"step": "file"})).await;
    assert_eq!(s, 404, "another district's approver does not see the case");
    let (s, _) = server
        .console(
            Method::Get,
            &format!("/v1/console/procedure/cases/{case}"),
            &dept,
            None,
        )
        .await;
    assert_eq!(s, 403, "a department has no part in the procedure");
    assert_eq!(stage(&server, &case), ("case_source".into(), 1));

    // S1 立案 by the 负责人; it reaches the device's inbox.
    set_time(&server, &dev, start + Duration::hours(1));
    let (s, v) = centre_step(&server, &approver, &case, json!({"step": "file"})).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["summary"]["stage"], "filed");
    assert_eq!(v["steps"][1]["role"], "行政机关负责人");
    assert!(
        v["clocks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["kind"] == "decision" && c["basis"].as_str().unwrap().contains("第六十条")),
        "the 90-day clock runs from 立案: {}",
        v["clocks"]
    );
    dev.sync(&t).await.unwrap();
    let got: i64 = dev
        .store
        .conn()
        .query_row(
            "SELECT count(*) FROM inbox_event WHERE case_id = ?1 AND kind = 'procedure.event'",
            [&case],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(got, 1, "the 立案 reached the officer's device");

    // S2 调查取证 and S3 调查终结 on the device: a fine that reaches the
    // hearing threshold (Art. 63; 5,000 元 for a citizen, configured).
    set_time(&server, &dev, start + Duration::hours(2));
    let r = officer_step(
        &server,
        &mut dev,
        &case,
        EventKind::Investigate {
            act: "询问笔录".into(),
            officers: officers(),
            document: None,
        },
        None,
    )
    .await;
    assert_eq!(r.rejected, 0, "{r:?}");
    let fine = Penalty::fine(800_000);
    let r = officer_step(
        &server,
        &mut dev,
        &case,
        EventKind::EndInvestigation {
            proposal: Outcome::Penalty {
                penalty: fine.clone(),
            },
            flags: CaseFlags::default(),
        },
        None,
    )
    .await;
    assert_eq!(r.rejected, 0, "{r:?}");

    // S4 案件审核 and S5 负责人审批.
    set_time(&server, &dev, start + Duration::hours(3));
    let (s, v) = centre_step(
        &server,
        &reviewer,
        &case,
        json!({"step": "review_case", "passed": true, "opinion": "事实清楚，证据确凿"}),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    let (s, v) = centre_step(
        &server,
        &approver,
        &case,
        json!({"step": "approve_proposal"}),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["summary"]["stage"], "proposal_approved");

    // An unlawful 告知 — the hearing right left out of a fine that reaches
    // Art. 63 — is refused at the centre, names the article, changes nothing.
    set_time(&server, &dev, start + Duration::hours(4));
    let before = stage(&server, &case);
    let inform = |hearing_offered: bool| EventKind::Inform {
        penalty: fine.clone(),
        facts: "占道堆放建筑材料".into(),
        reasons: "违反城市道路管理条例".into(),
        basis: vec!["《城市道路管理条例》第二十七条".into()],
        hearing_offered,
        officers: officers(),
    };
    let r = officer_step(&server, &mut dev, &case, inform(false), None).await;
    assert_eq!(r.rejected, 1, "{r:?}");
    let (code, msg): (String, String) = {
        let db = server.db();
        let rows = db.rows(
            "SELECT code, message FROM conflict WHERE entity_id = ?1 ORDER BY id DESC",
            &[&case],
        );
        (rows[0].get(0).unwrap(), rows[0].get(1).unwrap())
    };
    assert_eq!(code, "procedure_refused");
    assert!(
        msg.contains("第六十三条"),
        "the refusal names the article: {msg}"
    );
    assert_eq!(
        stage(&server, &case),
        before,
        "a refused step changes nothing"
    );

    // The corrected 告知 is accepted. No decision while the party may still
    // state a case or ask for a hearing (Art. 45, 62, 64); once the party
    // waives both, the 负责人 decides (no hearing held and no Art. 58
    // ground: no 法制审核 needed).
    let r = officer_step(&server, &mut dev, &case, inform(true), None).await;
    assert_eq!(r.rejected, 0, "{r:?}");
    let (s, v) = centre_step(
        &server,
        &approver,
        &case,
        json!({"step": "decide", "outcome": {"outcome": "penalty", "penalty": {"kinds": ["fine"], "fine_fen": 800000}}, "number": ""}),
    )
    .await;
    assert_eq!(
        s, 400,
        "no decision while the party may still be heard: {v}"
    );
    assert!(
        v["message"].as_str().unwrap().contains("第四十五条")
            || v["message"].as_str().unwrap().contains("第六十四条"),
        "{v}"
    );
    let r = officer_step(
        &server,
        &mut dev,
        &case,
        EventKind::Waive {
            statement: true,
            hearing: true,
        },
        None,
    )
    .await;
    assert_eq!(r.rejected, 0, "{r:?}");

    // A decision heavier than the one told is refused (Art. 62).
    set_time(&server, &dev, start + Duration::hours(5));
    let decide = |fen: i64| json!({"step": "decide", "outcome": {"outcome": "penalty", "penalty": {"kinds": ["fine"], "fine_fen": fen}}, "number": "任意"});
    let (s, v) = centre_step(&server, &approver, &case, decide(900_000)).await;
    assert_eq!(s, 400, "{v}");
    let (s, v) = centre_step(&server, &approver, &case, decide(800_000)).await;
    assert_eq!(s, 200, "{v}");
    let year = today.format("%Y").to_string();
    assert_eq!(
        v["summary"]["decision_number"],
        format!("渝北龙兴罚决字〔{year}〕第1号"),
        "the server numbers the decision, ignoring the one sent"
    );
    assert!(
        v["clocks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["kind"] == "service"),
        "the 7-working-day service clock runs (Art. 61): {}",
        v["clocks"]
    );

    // Decided but not yet published: not on the 公示 page.
    let (s, public) = server
        .console(Method::Get, "/v1/public/decisions", "", None)
        .await;
    assert_eq!(
        (s, public.as_array().map(Vec::len)),
        (200, Some(0)),
        "{public}"
    );
    // The 决定书 was rendered, sealed by the server and stored by hash; it
    // carries every element of Art. 59.
    let doc = v["documents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["kind"] == "penalty_decision")
        .expect("the decision is a file of the case")
        .clone();
    let decide_step = v["steps"].as_array().unwrap().last().unwrap().clone();
    // The 核验 QR's page shows the centre's seal verified and the
    // authority, never the party (issue 19).
    let hash = doc["document_hash"].as_str().unwrap();
    let (s, page) = server.console_bytes(&format!("/d/{hash}"), "").await;
    let page = String::from_utf8(page).unwrap();
    assert_eq!(s, 200, "{page}");
    for shown in ["行政处罚决定书", "签章有效", "重庆市渝北区龙兴镇人民政府"]
    {
        assert!(page.contains(shown), "the page shows {shown}: {page}");
    }
    assert!(!page.contains("李四光"), "{page}");
    let (s, public) = server
        .console(
            Method::Get,
            &format!("/v1/public/documents/{hash}"),
            "",
            None,
        )
        .await;
    assert_eq!(
        (s, &public["seal_verified"]),
        (200, &json!(true)),
        "{public}"
    );
    let (s, pdf) = server
        .console_bytes(
            &format!(
                "/v1/console/records/cases/{case}/files/{}",
                doc["sha256"].as_str().unwrap()
            ),
            &approver,
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(
        zhifa_tests::sha256_hex(&pdf),
        doc["sha256"].as_str().unwrap(),
        "the file is the one its hash names"
    );
    // Its 核验 QR links to the centre's own page for it (issue 19).
    assert!(
        zhifa_tests::qr_contents(&pdf).contains(&format!(
            "{}/d/{}",
            zhifa_tests::PUBLIC_URL,
            doc["document_hash"].as_str().unwrap().to_uppercase()
        )),
        "{:?}",
        zhifa_tests::qr_contents(&pdf)
    );
    let text = zhifa_tests::pdf_text(&pdf);
    for element in [
        "行政处罚决定书",
        &format!("渝北龙兴罚决字〔{year}〕第1号"),
        "李四光",
        "占道",
        "8000",
        "十五日内",
        "重庆市渝北区人民政府",
        "重庆市渝北区人民法院",
        "重庆市渝北区龙兴镇人民政府",
        "放弃陈述、申辩",
        "重庆市市容环境卫生管理条例",
        "询问笔录",
    ] {
        assert!(
            text.contains(element),
            "the decision prints {element}: {text}"
        );
    }
    // The seal: the server's Ed25519 signature over the document hash,
    // checked with the published key alone.
    let (s, key) = server
        .console(Method::Get, "/v1/badge/key", &approver, None)
        .await;
    assert_eq!(s, 200, "{key}");
    use ed25519_dalek::Verifier;
    let public: [u8; 32] = hex::decode(key["public_key"].as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap();
    let public = ed25519_dalek::VerifyingKey::from_bytes(&public).unwrap();
    let sig: [u8; 64] = hex::decode(
        decide_step["signature"]
            .as_str()
            .expect("the decision is sealed"),
    )
    .unwrap()
    .try_into()
    .unwrap();
    let hash = doc["document_hash"].as_str().unwrap();
    let sig = ed25519_dalek::Signature::from_bytes(&sig);
    assert!(
        public
            .verify(format!("ZHIFA-SEAL:1:{hash}").as_bytes(), &sig)
            .is_ok(),
        "the seal verifies with the published key"
    );
    assert!(
        public
            .verify(format!("ZHIFA-SEAL:1:{}", "0".repeat(64)).as_bytes(), &sig)
            .is_err(),
        "and only for its own document"
    );

    // S12 送达 on the device; S13 公示 by the reviewer; S14 the payment
    // confirmed on the device; S17 结案 by the 负责人; S18 归档 by the
    // archivist, which binds the 卷宗.
    set_time(&server, &dev, start + Duration::hours(6));
    let r = officer_step(
        &server,
        &mut dev,
        &case,
        EventKind::Serve {
            method: zhifa_core::procedure::ServiceMethod::Direct,
            officers: officers(),
        },
        None,
    )
    .await;
    assert_eq!(r.rejected, 0, "{r:?}");
    let (s, v) = centre_step(&server, &reviewer, &case, json!({"step": "publish"})).await;
    assert_eq!(s, 200, "{v}");
    // 公示 (Art. 48): anyone reads the published decision, the person's
    // name masked and nothing else of theirs shown.
    let (s, public) = server
        .console(Method::Get, "/v1/public/decisions", "", None)
        .await;
    assert_eq!(s, 200, "{public}");
    let listed = public.to_string();
    assert!(
        listed.contains(&format!("渝北龙兴罚决字〔{year}〕第1号")) && listed.contains("李**"),
        "{listed}"
    );
    for private in ["李四光", "500112198001011234", "13800000001", "和平街2号"] {
        assert!(
            !listed.contains(private),
            "the 公示 shows {private}: {listed}"
        );
    }
    let (s, page) = server.console_bytes("/public/decisions", "").await;
    assert_eq!(s, 200);
    let page = String::from_utf8(page).unwrap();
    assert!(
        page.contains("行政处罚决定公示")
            && page.contains("罚款8000元")
            && !page.contains("李四光"),
        "{page}"
    );
    let admin = server.staff("AD-N", StaffRole::Administrator, &township, None);
    let (s, v) = centre_step(&server, &admin, &case, json!({"step": "archive"})).await;
    assert_eq!(s, 400, "no 归档 before 结案: {v}");
    let r = officer_step(
        &server,
        &mut dev,
        &case,
        EventKind::ConfirmPayment {
            amount_fen: 800_000,
        },
        None,
    )
    .await;
    assert_eq!(r.rejected, 0, "{r:?}");
    let (s, v) = centre_step(
        &server,
        &approver,
        &case,
        json!({"step": "close", "reason": "罚款已缴纳，案件执行完毕"}),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    set_time(&server, &dev, start + Duration::hours(7));
    let (s, v) = centre_step(&server, &admin, &case, json!({"step": "archive"})).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["summary"]["stage"], "archived");
    let dossier = v["documents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["kind"] == "dossier")
        .expect("the 卷宗 is a file of the case")
        .clone();
    let (s, pdf) = server
        .console_bytes(
            &format!(
                "/v1/console/records/cases/{case}/files/{}",
                dossier["sha256"].as_str().unwrap()
            ),
            &approver,
        )
        .await;
    assert_eq!(s, 200);
    let text = zhifa_tests::pdf_text(&pdf);
    for element in [
        "卷内目录",
        "行政处罚决定书",
        "立案",
        "案件审核",
        "归档",
        "行政处罚法第四十八条",
        "李四光占道经营案",
    ] {
        assert!(text.contains(element), "the 卷宗 holds {element}: {text}");
    }
    // The device's copy of the log is the centre's: its own steps and the
    // centre's, in order, ending archived.
    dev.sync(&t).await.unwrap();
    let local = zhifa_core::case::normal::case(&dev.store, &case)
        .unwrap()
        .unwrap();
    let (state, _) = zhifa_core::case::normal::state(&dev.store, &local, today).unwrap();
    assert_eq!(state.stage, zhifa_core::procedure::Stage::Archived);
    assert!(
        local
            .steps
            .iter()
            .any(|s| matches!(&s.status, zhifa_core::case::normal::StepStatus::Refused { message } if message.contains("第六十三条"))),
        "the refused 告知 stays on the device, marked with its reason"
    );

    // The whole log, read back in order, with its actors and articles;
    // the steps and details are sealed at rest (no party data in clear).
    let (s, v) = server
        .console(
            Method::Get,
            &format!("/v1/console/procedure/cases/{case}"),
            &approver,
            None,
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let steps: Vec<&str> = v["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["event"]["step"].as_str().unwrap())
        .collect();
    assert_eq!(
        steps,
        [
            "register_source",
            "file",
            "investigate",
            "end_investigation",
            "review_case",
            "approve_proposal",
            "inform",
            "waive",
            "decide",
            "serve",
            "publish",
            "confirm_payment",
            "close",
            "archive"
        ]
    );
    assert_eq!(
        v["details"]["party"]["name"], "李四光",
        "the dossier shows the party"
    );
    let db = server.db();
    for (table, col) in [("procedure_event", "event"), ("procedure_case", "details")] {
        let rows = db.rows(
            &format!("SELECT {col} FROM {table} WHERE case_id = ?1"),
            &[&case],
        );
        for r in rows {
            let text: String = r.get(0).unwrap();
            assert!(
                !text.contains("李四光") && !text.contains("占道"),
                "{table}.{col} is sealed"
            );
        }
    }
    assert!(
        db.int(
            "SELECT count(*) FROM audit WHERE action = 'procedure.read' AND object = ?1",
            &[&case]
        ) >= 1,
        "reading the case is audited"
    );
}
