//! A hearing (行政处罚法 Art. 63–65) walked device ↔ centre: a citizen's
//! fine of 8,000 元 reaches the hearing threshold (Art. 63; Chongqing's
//! 5,000 元 as configuration), the 事先告知书 tells the right, the party asks
//! within five working days (Art. 64(一)), the presider (the 法制审核
//! account, not an investigator: Art. 64(四)) sends the 听证通知书 naming
//! the time, the place and the party's rights at least seven working days
//! ahead (Art. 64(二)), holds the hearing and records the 听证笔录 with the
//! party's refusal to sign noted (Art. 64(八)) and the 听证报告. No decision
//! before the 法制审核 a heard case needs (Art. 58 ¶1(二)); then the
//! decision, 送达, payment, 结案 and 归档: the hearing's documents are held
//! by hash, read with pdftotext, and sit in the 卷宗 between the 事先告知书
//! and the decision. On SQLite and PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should abort loudly

mod procedure_support;

use chrono::{Duration, NaiveDate};
use procedure_support::*;
use serde_json::json;
use uuid::Uuid;
use zhifa_core::case::normal_docs;
use zhifa_core::procedure::{
    CaseFlags, EventKind, PartyKind, Penalty, ServiceMethod, beijing_date,
};
use zhifa_server::console::StaffRole;
use zhifa_sync::transport::Method;
use zhifa_tests::{Backend, DeviceNow, OFFICERS, TestDevice, TestServer};

zhifa_tests::on_both_backends!(a_hearing_is_noticed_held_and_filed);

#[allow(clippy::too_many_lines)] // one case from 案源 to 归档, read top to bottom
async fn a_hearing_is_noticed_held_and_filed(b: Backend) {
    let server = TestServer::on(&b);
    let t = server.transport();
    let mut dev = TestDevice::new();
    dev.enrol(&t, &server.code(OFFICERS[0])).await.unwrap();
    dev.sync(&t).await.unwrap();
    let township = dev.township.clone();
    let approver = server.staff("AP-H", StaffRole::Approver, &township, None);
    let presider = server.staff("LR-H", StaffRole::LegalReview, &township, None);
    assert!(server.store(|st| st.set_qualification("LR-H", "A20230000001").unwrap()));
    let case = Uuid::now_v7().to_string();
    let start = zhifa_tests::t0();
    // 8,000 元: at or above the citizen threshold (Art. 63).
    let fine = 800_000;

    officer_step(
        &server,
        &mut dev,
        &case,
        EventKind::RegisterSource {
            discovered_on: beijing_date(start),
            source: "巡查".into(),
            party: PartyKind::Citizen,
        },
        Some(details(&township)),
    )
    .await;
    set_time(&server, &dev, start + Duration::hours(1));
    centre_step(&server, &approver, &case, json!({"step": "file"})).await;
    investigate_and_propose(&server, &mut dev, &case, fine, CaseFlags::default()).await;
    set_time(&server, &dev, start + Duration::hours(2));
    review_and_approve(&server, &presider, &approver, &case).await;
    dev.sync(&t).await.unwrap();

    // 事先告知 with the hearing right, its 事先告知书 rendered on the device.
    set_time(&server, &dev, start + Duration::hours(3));
    let dir = dev.dir.path().join("documents");
    let now = dev.clock.now_utc();
    let rec = normal_docs::record_with_documents(
        &mut dev.store,
        &dir,
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
        None,
        now,
    )
    .unwrap();
    assert_eq!(rec.documents[0].kind, "prior_notice");
    let r = dev.sync(&t).await.unwrap();
    assert_eq!(r.rejected, 0, "{r:?}");

    // Art. 64(一): the party asks the next day.
    set_time(&server, &dev, start + Duration::days(1));
    officer_step(&server, &mut dev, &case, EventKind::RequestHearing, None).await;

    // Art. 64(二): the notice names the place; without it nothing is sent.
    let hearing_on = NaiveDate::from_ymd_opt(2026, 3, 25).unwrap();
    let (s, v) = server
        .console(
            Method::Post,
            &format!("/v1/console/procedure/cases/{case}/steps"),
            &presider,
            Some(json!({"step": {"step": "notice_hearing", "hearing_on": hearing_on, "presider": "LR-H"}})),
        )
        .await;
    assert_eq!(s, 400, "no place, no notice: {v}");
    let v = centre_step(
        &server,
        &presider,
        &case,
        json!({"step": "notice_hearing", "hearing_on": hearing_on, "time": "09:30:00",
               "presider": "LR-H", "place": "龙兴镇人民政府三楼听证室"}),
    )
    .await;
    let text = held(&server, &presider, &case, &v, "hearing_notice").await;
    for element in [
        "李四光",
        "2026年3月25日09时30分",
        "龙兴镇人民政府三楼听证室",
        "听证主持人：LR-H测试账号",
        "申请回避",
        "委托一至二人代理",
        "申辩和质证",
        "七日前",
        "第六十四条",
    ] {
        assert!(
            text.contains(element),
            "the 听证通知书 prints {element}: {text}"
        );
    }

    // The hearing day (Art. 64(七)(八)): a hearing the party attended is
    // not recorded without its 笔录.
    set_time(&server, &dev, start + Duration::days(15));
    let (s, v) = server
        .console(
            Method::Post,
            &format!("/v1/console/procedure/cases/{case}/steps"),
            &presider,
            Some(json!({"step": {"step": "hold_hearing", "party_attended": true}})),
        )
        .await;
    assert_eq!(s, 400, "no 笔录, no hearing: {v}");
    let v = centre_step(
        &server,
        &presider,
        &case,
        json!({"step": "hold_hearing", "party_attended": true, "minutes": {
            "attendees": ["LR-H 测试账号（主持人）", "OFF-1（调查人员）", "李四光（当事人）", "王律师（委托代理人）"],
            "recorder": "吴记录",
            "agent": "王律师",
            "investigators_case": "调查人员出示现场照片三张及询问笔录，建议罚款8000元",
            "party_statement": "当事人称材料系临时堆放，已于次日清理",
            "cross_examination": "当事人对照片真实性无异议，对堆放面积有异议",
            "signature": {"kind": "refused", "note": "当事人阅后以面积记录有误为由拒绝签字"},
            "opinion": "违法事实清楚，当事人已及时清理，建议维持拟处罚意见"
        }}),
    )
    .await;
    let text = held(&server, &presider, &case, &v, "hearing_record").await;
    for element in [
        "吴记录",
        "王律师",
        "调查人员出示现场照片三张及询问笔录",
        "当事人称材料系临时堆放",
        "对堆放面积有异议",
        "拒绝签字或者盖章",
        "当事人阅后以面积记录有误为由拒绝签字",
        "龙兴镇人民政府三楼听证室",
    ] {
        assert!(
            text.contains(element),
            "the 听证笔录 prints {element}: {text}"
        );
    }
    let text = held(&server, &presider, &case, &v, "hearing_report").await;
    assert!(text.contains("建议维持拟处罚意见"), "{text}");

    // Art. 58 ¶1(二): a heard case is not decided without 法制审核.
    let (s, v) = try_centre_step(
        &server,
        &approver,
        &case,
        json!({"step": "decide", "outcome": {"outcome": "penalty", "penalty": {"kinds": ["fine"], "fine_fen": fine}}, "number": ""}),
    )
    .await;
    assert_eq!(s, 400, "{v}");
    assert!(
        v.to_string().contains("PROCEDURE_LEGAL_REVIEW_REQUIRED"),
        "{v}"
    );
    set_time(
        &server,
        &dev,
        start + Duration::days(15) + Duration::hours(2),
    );
    centre_step(
        &server,
        &presider,
        &case,
        json!({"step": "submit_legal_review"}),
    )
    .await;
    centre_step(
        &server,
        &presider,
        &case,
        json!({"step": "legal_review", "qualification": "", "passed": true,
               "opinion": "事实清楚，程序合法", "checklist": [{"point": "程序合法", "finding": "已依法举行听证"}]}),
    )
    .await;
    set_time(
        &server,
        &dev,
        start + Duration::days(15) + Duration::hours(3),
    );
    let v = centre_step(
        &server,
        &approver,
        &case,
        json!({"step": "decide", "outcome": {"outcome": "penalty", "penalty": {"kinds": ["fine"], "fine_fen": fine}}, "number": ""}),
    )
    .await;
    // Art. 65: decided on the 听证笔录, which the decision sums up.
    let text = held(&server, &approver, &case, &v, "penalty_decision").await;
    for element in [
        "2026年3月25日",
        "当事人申辩：当事人称材料系临时堆放",
        "建议维持拟处罚意见",
    ] {
        assert!(
            text.contains(element),
            "the 行政处罚决定书 prints {element}: {text}"
        );
    }
    dev.sync(&t).await.unwrap();
    officer_step(
        &server,
        &mut dev,
        &case,
        EventKind::Serve {
            method: ServiceMethod::Direct,
            officers: officers(),
        },
        None,
    )
    .await;
    officer_step(
        &server,
        &mut dev,
        &case,
        EventKind::ConfirmPayment { amount_fen: fine },
        None,
    )
    .await;
    set_time(&server, &dev, start + Duration::days(16));
    centre_step(
        &server,
        &approver,
        &case,
        json!({"step": "close", "reason": "罚款已缴纳"}),
    )
    .await;
    set_time(
        &server,
        &dev,
        start + Duration::days(16) + Duration::hours(1),
    );
    let admin = server.staff("AD-H", StaffRole::Administrator, &township, None);
    let v = centre_step(&server, &admin, &case, json!({"step": "archive"})).await;
    let text = held(&server, &approver, &case, &v, "dossier").await;
    let contents = &text[text.find("卷内目录").expect("the 卷宗 has its 目录")..];
    let mut last = 0;
    for title in [
        "立案审批表",
        "行政处罚事先告知书",
        "听证通知书",
        "听证笔录",
        "听证报告",
        "法制审核意见书",
        "行政处罚决定书",
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
