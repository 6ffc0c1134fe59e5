//! The centre's documents of a normal-procedure case, issued at their
//! steps (server/src/procedure/issued.rs): a case the party never pays
//! runs from 立案 through 集体讨论, 决定, 送达, 催告 and 申请法院强制执行 to
//! 结案 and 归档. At each of 立案, 集体讨论, 催告, 申请强制执行 and 结案 the
//! server renders the township's document, holds it by hash as a file of
//! the case, and the file reads with pdftotext; the 催告书's surcharge is
//! the core's computation as of the 催告 day (行政处罚法 Art. 72(一)); the
//! 强制执行申请书 carries the 负责人's name and the server's seal
//! (行政强制法 Art. 55); the 卷宗 binds them in the 案卷评查 order. And a
//! published decision that is revoked leaves the 公示 — JSON and page — in
//! the step that records the revocation (行政处罚法 Art. 48 ¶2), after which
//! only 归档 is accepted. On SQLite and PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should abort loudly

mod procedure_support;

use chrono::{Duration, NaiveDate};
use procedure_support::*;
use serde_json::json;
use uuid::Uuid;
use zhifa_core::procedure::{
    Actor, CaseFlags, EventKind, Origin, PartyKind, Penalty, ProcedureEvent, Role, beijing_date,
};
use zhifa_protocol::mutation::ProcedureStep;
use zhifa_server::console::StaffRole;
use zhifa_sync::transport::Method;
use zhifa_tests::{Backend, DeviceNow, OFFICERS, TestDevice, TestServer};

zhifa_tests::on_both_backends!(
    the_centre_issues_its_documents_at_their_steps,
    a_revoked_decision_leaves_the_publication_at_once,
    a_reminder_recorded_on_the_device_has_its_letter_in_the_dossier
);

#[allow(clippy::too_many_lines)] // one case from 案源 to 归档, read top to bottom
async fn the_centre_issues_its_documents_at_their_steps(b: Backend) {
    let server = TestServer::on(&b);
    let t = server.transport();
    let mut dev = TestDevice::new();
    dev.enrol(&t, &server.code(OFFICERS[0])).await.unwrap();
    dev.sync(&t).await.unwrap();
    let township = dev.township.clone();
    let approver = server.staff("AP-D", StaffRole::Approver, &township, None);
    let reviewer = server.staff("LR-D", StaffRole::LegalReview, &township, None);
    let case = Uuid::now_v7().to_string();
    let start = zhifa_tests::t0();
    let fine = 800_000;

    officer_step(
        &server,
        &mut dev,
        &case,
        EventKind::RegisterSource {
            discovered_on: beijing_date(start),
            source: "群众举报".into(),
            party: PartyKind::Citizen,
        },
        Some(details(&township)),
    )
    .await;

    // 立案: the 立案审批表 with the 案源 and the 负责人's 审批意见.
    set_time(&server, &dev, start + Duration::hours(1));
    let v = centre_step(&server, &approver, &case, json!({"step": "file"})).await;
    let text = held(&server, &approver, &case, &v, "filing_approval").await;
    for element in [
        "案件来源：群众举报",
        "李四光占道经营案",
        "建议立案",
        "同意立案",
        "AP-D",
        "和平街占道堆放建筑材料",
        "重庆市市容环境卫生管理条例",
    ] {
        assert!(
            text.contains(element),
            "the 立案审批表 prints {element}: {text}"
        );
    }

    set_time(&server, &dev, start + Duration::hours(2));
    investigate_and_propose(
        &server,
        &mut dev,
        &case,
        fine,
        CaseFlags {
            review_grounds: Vec::new(),
            complex_or_major: true,
        },
    )
    .await;
    set_time(&server, &dev, start + Duration::hours(3));
    review_and_approve(&server, &reviewer, &approver, &case).await;
    set_time(&server, &dev, start + Duration::hours(4));
    officer_step(
        &server,
        &mut dev,
        &case,
        EventKind::Inform {
            penalty: Penalty::fine(fine),
            facts: "占道堆放建筑材料".into(),
            reasons: "违反城市道路管理条例".into(),
            basis: vec!["《城市道路管理条例》第二十七条".into()],
            hearing_offered: true,
            officers: officers(),
        },
        None,
    )
    .await;
    officer_step(
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

    // 集体讨论 (Art. 57 ¶2): its record.
    set_time(&server, &dev, start + Duration::hours(5));
    let v = centre_step(
        &server,
        &approver,
        &case,
        json!({"step": "discuss_collectively", "attendees": ["镇长甲", "副镇长乙", "司法所长丙"], "conclusion": "同意罚款8000元"}),
    )
    .await;
    let text = held(&server, &approver, &case, &v, "collective_discussion").await;
    for element in [
        "镇长甲",
        "副镇长乙",
        "司法所长丙",
        "同意罚款8000元",
        "占道堆放建筑材料",
    ] {
        assert!(
            text.contains(element),
            "the 集体讨论记录 prints {element}: {text}"
        );
    }
    let v = centre_step(
        &server,
        &approver,
        &case,
        json!({"step": "decide", "outcome": {"outcome": "penalty", "penalty": {"kinds": ["fine"], "fine_fen": fine}}, "number": ""}),
    )
    .await;
    let number = v["summary"]["decision_number"].as_str().unwrap().to_owned();
    set_time(&server, &dev, start + Duration::hours(6));
    officer_step(
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
    let (_, v) = server
        .console(
            Method::Get,
            &format!("/v1/console/procedure/cases/{case}"),
            &approver,
            None,
        )
        .await;
    let due: NaiveDate = v["clocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == "payment")
        .and_then(|c| c["due"].as_str())
        .expect("the payment clock runs after service")
        .parse()
        .unwrap();

    // Unpaid: the 负责人 issues the 催告书 (行政强制法 Art. 35, 54) past the
    // due day; the surcharge is the core's, as of the 催告 day.
    let remind_at = start + Duration::days(31);
    set_time(&server, &dev, remind_at);
    let v = centre_step(&server, &approver, &case, json!({"step": "remind"})).await;
    assert_eq!(v["summary"]["stage"], "reminded");
    let remind_on = beijing_date(remind_at);
    let surcharge = zhifa_core::rules::assess::late_fee(fine, due, remind_on, false);
    assert!(surcharge > 0 && surcharge < fine, "{surcharge}");
    // The case view shows the same amounts, computed for today.
    assert_eq!(v["owed"]["fine_fen"], fine, "{}", v["owed"]);
    assert_eq!(v["owed"]["surcharge_fen"], surcharge, "{}", v["owed"]);
    assert_eq!(v["owed"]["total_fen"], fine + surcharge);
    let text = held(&server, &approver, &case, &v, "reminder").await;
    for element in [
        number.clone(),
        format!("罚款人民币{}元（{}）", fine / 100, figures(fine)),
        format!(
            "加处罚款人民币{}（{}）",
            zhifa_core::money::format_yuan(surcharge),
            figures(surcharge)
        ),
        format!("（{}）", figures(fine + surcharge)),
        "第三十五条".to_owned(),
        "陈述和申辩".to_owned(),
    ] {
        assert!(
            text.contains(&element),
            "the 催告书 prints {element}: {text}"
        );
    }

    // 申请法院强制执行 after the remedy periods (行政强制法 Art. 53, 54):
    // signed by the 负责人, sealed by the server.
    set_time(&server, &dev, start + Duration::days(200));
    // Bearer tokens last 90 days: the 负责人 signs in afresh.
    let approver = server.staff("AP-D2", StaffRole::Approver, &township, None);
    let v = centre_step(&server, &approver, &case, json!({"step": "apply_to_court"})).await;
    assert_eq!(v["summary"]["stage"], "court_applied");
    let text = held(&server, &approver, &case, &v, "court_application").await;
    for element in [
        "重庆市渝北区人民法院：",
        number.as_str(),
        "明确放弃陈述、申辩权利",
        "催告书",
        "行政机关负责人（签名）：AP-D2",
        "（印章）",
        // 200 days on, the surcharge has reached its cap: the fine.
        &format!("（{}）", figures(fine * 2)),
    ] {
        assert!(
            text.contains(element),
            "the 强制执行申请书 prints {element}: {text}"
        );
    }
    let step = v["steps"].as_array().unwrap().last().unwrap();
    assert_eq!(step["event"]["step"], "apply_to_court");
    assert!(
        step["signature"].as_str().is_some_and(|s| s.len() == 128),
        "sealed: {step}"
    );

    // 结案 and 归档: the 卷宗 binds every document in the 案卷评查 order.
    set_time(
        &server,
        &dev,
        start + Duration::days(200) + Duration::hours(1),
    );
    let v = centre_step(
        &server,
        &approver,
        &case,
        json!({"step": "close", "reason": "已申请人民法院强制执行"}),
    )
    .await;
    let text = held(&server, &approver, &case, &v, "closing_approval").await;
    for element in [
        "已申请人民法院强制执行。同意结案",
        "重庆市渝北区人民法院强制执行",
        "物品处理情况：无",
    ] {
        assert!(
            text.contains(element),
            "the 结案审批表 prints {element}: {text}"
        );
    }
    set_time(
        &server,
        &dev,
        start + Duration::days(200) + Duration::hours(2),
    );
    let admin = server.staff("AD-D", StaffRole::Administrator, &township, None);
    let v = centre_step(&server, &admin, &case, json!({"step": "archive"})).await;
    let kinds: Vec<&str> = v["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["kind"].as_str().unwrap())
        .collect();
    for k in [
        "filing_approval",
        "collective_discussion",
        "penalty_decision",
        "reminder",
        "court_application",
        "closing_approval",
        "dossier",
    ] {
        assert_eq!(
            kinds.iter().filter(|x| **x == k).count(),
            1,
            "{k}: {kinds:?}"
        );
    }
    let text = held(&server, &approver, &case, &v, "dossier").await;
    let contents = &text[text.find("卷内目录").expect("the 卷宗 has its 目录")..];
    let mut last = 0;
    for title in [
        "立案审批表",
        "集体讨论记录",
        "行政处罚决定书",
        "催告书",
        "强制执行申请书",
        "结案审批表",
    ] {
        let at = contents[last..]
            .find(title)
            .map(|i| i + last)
            .unwrap_or_else(|| {
                panic!("the 卷内目录 lists {title} after the one before: {contents}")
            });
        last = at + title.len();
    }
}

async fn a_revoked_decision_leaves_the_publication_at_once(b: Backend) {
    let server = TestServer::on(&b);
    let t = server.transport();
    let mut dev = TestDevice::new();
    dev.enrol(&t, &server.code(OFFICERS[0])).await.unwrap();
    dev.sync(&t).await.unwrap();
    let township = dev.township.clone();
    let approver = server.staff("AP-R", StaffRole::Approver, &township, None);
    let reviewer = server.staff("LR-R", StaffRole::LegalReview, &township, None);
    let admin = server.staff("AD-R", StaffRole::Administrator, &township, None);
    let case = Uuid::now_v7().to_string();
    let start = zhifa_tests::t0();
    let fine = 300_000;

    let number = walk_to_served(&server, &mut dev, [&approver, &reviewer], &case, fine).await;
    // No 撤销 before there is a decision to revoke.
    let other = Uuid::now_v7().to_string();
    officer_step(
        &server,
        &mut dev,
        &other,
        EventKind::RegisterSource {
            discovered_on: beijing_date(start),
            source: "巡查".into(),
            party: PartyKind::Citizen,
        },
        Some(details(&township)),
    )
    .await;
    let (s, v) = server
        .console(
            Method::Post,
            &format!("/v1/console/procedure/cases/{other}/steps"),
            &approver,
            Some(
                json!({"step": {"step": "revoke", "reason": "认定事实不清", "source": "自行纠错"}}),
            ),
        )
        .await;
    assert_eq!(s, 400, "{v}");
    let v = centre_step(&server, &reviewer, &case, json!({"step": "publish"})).await;
    assert!(v["publication_withdrawn_on"].is_null(), "{v}");
    let (json, page) = listed(&server).await;
    assert!(
        json.contains(&number) && page.contains(&number),
        "published: {json}"
    );

    // 分期 (Art. 66 ¶2): the parts must add up to the fine, in fen.
    let plan = |second: i64| {
        json!({"step": "approve_deferral", "until": "2026-05-29", "instalments": [
            {"due": "2026-04-30", "amount_fen": 150_000},
            {"due": "2026-05-29", "amount_fen": second},
        ]})
    };
    let (s, v) = server
        .console(
            Method::Post,
            &format!("/v1/console/procedure/cases/{case}/steps"),
            &approver,
            Some(json!({ "step": plan(149_999) })),
        )
        .await;
    assert_eq!(
        (s, &v["code"]),
        (400, &json!("PROCEDURE_INSTALMENT_PLAN")),
        "{v}"
    );
    let v = centre_step(&server, &approver, &case, plan(150_000)).await;
    assert_eq!(
        v["state"]["instalments"].as_array().map(Vec::len),
        Some(2),
        "{v}"
    );
    assert_eq!(
        v["owed"],
        json!({"on": beijing_date(start + Duration::hours(3)).to_string(), "fine_fen": fine,
               "surcharge_fen": 0, "total_fen": fine, "due": "2026-05-29"}),
    );

    // The decision is revoked by a 复议决定 (Art. 48 ¶2): recorded by the
    // 负责人, it leaves the 公示 in the same step — JSON and page alike.
    set_time(&server, &dev, start + Duration::hours(5));
    let (s, v) = server
        .console(
            Method::Post,
            &format!("/v1/console/procedure/cases/{case}/steps"),
            &reviewer,
            Some(
                json!({"step": {"step": "revoke", "reason": "认定事实不清", "source": "复议决定"}}),
            ),
        )
        .await;
    assert_eq!(s, 403, "only the 负责人 records a revocation: {v}");
    let v = centre_step(
        &server,
        &approver,
        &case,
        json!({"step": "revoke", "reason": "认定事实不清、证据不足", "source": "重庆市渝北区人民政府行政复议决定书（渝北府复决〔2026〕1号）"}),
    )
    .await;
    assert_eq!(v["summary"]["stage"], "revoked");
    assert_eq!(v["summary"]["waiting_for"], json!(["归档"]));
    assert_eq!(
        v["publication_withdrawn_on"],
        beijing_date(start + Duration::hours(5)).to_string(),
        "the withdrawal is dated the revocation's day"
    );
    assert_eq!(v["clocks"], json!([]), "no payment or surcharge runs");
    let (json, page) = listed(&server).await;
    for text in [&json, &page] {
        assert!(!text.contains(&number), "withdrawn from the 公示: {text}");
        assert!(
            !text.contains("李*"),
            "nothing of the party is kept: {text}"
        );
    }
    assert_eq!(json, "[]");

    // Nothing but 归档 follows.
    let event = ProcedureEvent::new(
        EventKind::ConfirmPayment { amount_fen: fine },
        Actor {
            id: OFFICERS[0].into(),
            role: Role::Officer,
        },
        dev.clock.now_utc(),
        Origin::Device(dev.id()),
    );
    let step = ProcedureStep {
        schema: 2,
        event,
        details: None,
    };
    zhifa_core::case::normal::queue_step(&dev.store, &case, &step, dev.clock.now_utc()).unwrap();
    let r = dev.sync(&t).await.unwrap();
    assert_eq!(r.rejected, 1, "no payment after a revocation: {r:?}");
    let (s, v) = server
        .console(
            Method::Post,
            &format!("/v1/console/procedure/cases/{case}/steps"),
            &approver,
            Some(json!({"step": {"step": "close", "reason": "已撤销"}})),
        )
        .await;
    assert_eq!(s, 400, "{v}");
    set_time(&server, &dev, start + Duration::hours(6));
    let v = centre_step(&server, &admin, &case, json!({"step": "archive"})).await;
    assert_eq!(v["summary"]["stage"], "archived");
    let text = held(&server, &approver, &case, &v, "dossier").await;
    assert!(text.contains("已撤销"), "the 卷宗's cover says so: {text}");
    let (json, _) = listed(&server).await;
    assert_eq!(json, "[]", "an archived revoked case stays withdrawn");
}

/// The officer may record the 催告 on the device (the core allows the
/// 承办人 or the 负责人): its step carries no document, so 归档 renders
/// the 催告书 from the log as it stood that day and binds it.
async fn a_reminder_recorded_on_the_device_has_its_letter_in_the_dossier(b: Backend) {
    let server = TestServer::on(&b);
    let t = server.transport();
    let mut dev = TestDevice::new();
    dev.enrol(&t, &server.code(OFFICERS[0])).await.unwrap();
    dev.sync(&t).await.unwrap();
    let township = dev.township.clone();
    let approver = server.staff("AP-M", StaffRole::Approver, &township, None);
    let reviewer = server.staff("LR-M", StaffRole::LegalReview, &township, None);
    let admin = server.staff("AD-M", StaffRole::Administrator, &township, None);
    let case = Uuid::now_v7().to_string();
    let start = zhifa_tests::t0();
    let fine = 300_000;
    let number = walk_to_served(&server, &mut dev, [&approver, &reviewer], &case, fine).await;
    // A sync within the refresh token's 30 days keeps the device enrolled.
    set_time(&server, &dev, start + Duration::days(20));
    dev.sync(&t).await.unwrap();
    let remind_at = start + Duration::days(31);
    set_time(&server, &dev, remind_at);
    officer_step(&server, &mut dev, &case, EventKind::Remind, None).await;
    officer_step(
        &server,
        &mut dev,
        &case,
        EventKind::ConfirmPayment { amount_fen: fine },
        None,
    )
    .await;
    let (_, v) = server
        .console(
            Method::Get,
            &format!("/v1/console/procedure/cases/{case}"),
            &approver,
            None,
        )
        .await;
    assert!(
        !v["documents"].to_string().contains("reminder"),
        "a device's step issues nothing at the centre: {}",
        v["documents"]
    );
    set_time(&server, &dev, remind_at + Duration::hours(1));
    centre_step(
        &server,
        &approver,
        &case,
        json!({"step": "close", "reason": "催告后已缴纳罚款"}),
    )
    .await;
    let v = centre_step(&server, &admin, &case, json!({"step": "archive"})).await;
    let text = held(&server, &approver, &case, &v, "dossier").await;
    let contents = &text[text.find("卷内目录").unwrap()..];
    let decision = contents
        .find("行政处罚决定书")
        .expect("the decision is bound");
    let letter = contents.find("催告书").expect("the 催告书 is bound");
    let closing = contents
        .find("结案审批表")
        .expect("the 结案审批表 is bound");
    assert!(decision < letter && letter < closing, "{contents}");
    assert!(
        text.contains(&format!("{number}（催告第1号）")),
        "the letter is the one of its day: {text}"
    );
}
