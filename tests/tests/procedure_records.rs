//! The officer's documents of a normal-procedure case (issue 16 item 2)
//! between a real device and a real server: the 询问笔录 with its
//! questions and answers and the party's signature, the 事先告知书 with its
//! periods computed by the deadline engine, the 陈述申辩笔录 and the 送达回证
//! are rendered on the device at their step, announced with it, uploaded,
//! held by the centre by hash and bound into the 卷宗 in the order of the
//! 案卷评查 standard. A record that does not belong, or lacks what the law
//! asks, is refused on the device and queues nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should abort loudly

use std::io::Cursor;

use chrono::Duration;
use serde_json::{Value, json};
use uuid::Uuid;
use zhifa_core::case::normal;
use zhifa_core::case::normal_docs::FieldRecord;
use zhifa_core::document::model::{PartySignature, date_zh};
use zhifa_core::document::normal::QuestionAnswer;
use zhifa_core::procedure::{
    CaseFlags, ClockKind, EventKind, Outcome, Penalty, ServiceMethod, beijing_date, gates,
};
use zhifa_server::console::StaffRole;
use zhifa_sync::transport::Method;
use zhifa_tests::{Backend, DeviceNow, OFFICERS, TestDevice, TestServer};

mod procedure_support;

use procedure_support::{centre_step, officers, open_case, review_and_approve, set_time, step};

zhifa_tests::on_both_backends!(the_officers_records_reach_the_dossier);

fn png() -> Vec<u8> {
    let img = image::RgbImage::from_fn(60, 20, |x, y| {
        if (x + y) % 7 == 0 {
            image::Rgb([0, 0, 0])
        } else {
            image::Rgb([255, 255, 255])
        }
    });
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

fn signed(dev: &TestDevice) -> PartySignature {
    PartySignature::Signed {
        name: "张三丰".into(),
        png: png(),
        signed_at: normal::beijing_minute(dev.clock.now_utc()),
    }
}

fn outbox_len(dev: &TestDevice) -> i64 {
    dev.store
        .conn()
        .query_row("SELECT count(*) FROM outbox", [], |r| r.get(0))
        .unwrap()
}

async fn the_officers_records_reach_the_dossier(b: Backend) {
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

    // 案源登记 with the case's details from the catalogue and officer list.
    open_case(
        &dev,
        &case,
        "张三丰",
        "重庆市渝北区龙兴镇和平街1号",
        "当事人在和平街占道堆放建筑材料约30平方米",
        start,
    );
    dev.sync(&t).await.unwrap();
    set_time(&server, &dev, start + Duration::hours(1));
    centre_step(&server, &approver, &case, json!({"step": "file"})).await;
    dev.sync(&t).await.unwrap();

    // A record that does not lawfully stand is refused on the device and
    // queues nothing: an answer left blank, a record with a step it does
    // not belong to, a refusal without its circumstances.
    let interview = |qa: Vec<(&str, &str)>, signature: PartySignature| FieldRecord::Interview {
        start: normal::beijing_minute(start + Duration::minutes(70)),
        end: normal::beijing_minute(start + Duration::minutes(95)),
        place: "龙兴镇综合行政执法办公室".into(),
        relation: "当事人本人".into(),
        qa: qa
            .into_iter()
            .map(|(q, a)| QuestionAnswer {
                question: q.into(),
                answer: a.into(),
            })
            .collect(),
        signature,
    };
    let investigate = || EventKind::Investigate {
        act: "询问".into(),
        officers: officers(),
        document: None,
    };
    set_time(&server, &dev, start + Duration::hours(2));
    let before = outbox_len(&dev);
    let sig = signed(&dev);
    for (kind, record) in [
        (
            investigate(),
            interview(vec![("你是否在和平街堆放建筑材料？", "  ")], sig.clone()),
        ),
        (
            investigate(),
            interview(
                vec![("问", "答")],
                PartySignature::Refused {
                    reason: " ".into(),
                    witness: None,
                },
            ),
        ),
        (
            EventKind::EndInvestigation {
                proposal: Outcome::NoPenaltyMinor,
                flags: CaseFlags::default(),
            },
            interview(vec![("问", "答")], sig.clone()),
        ),
    ] {
        assert!(step(&mut dev, &case, kind, Some(record)).is_err());
    }
    assert_eq!(outbox_len(&dev), before, "a refused record queues nothing");

    // The 询问笔录: its hash is the step's record.
    let qa = vec![
        ("你是否在和平街堆放建筑材料？", "是的，堆了三天。"),
        ("堆放面积多大？", "大约三十平方米。"),
    ];
    let rec = step(&mut dev, &case, investigate(), Some(interview(qa, sig))).unwrap();
    assert_eq!(rec.documents.len(), 1);
    let interview_doc = rec.documents[0].clone();
    assert_eq!(interview_doc.kind, "interview_record");
    // 现场检查（勘验）笔录: the inspection record's model, for this case.
    let (sig, at) = (signed(&dev), normal::beijing_minute(dev.clock.now_utc()));
    let rec = step(
        &mut dev,
        &case,
        investigate(),
        Some(FieldRecord::Inspection {
            start: at - Duration::minutes(30),
            end: at,
            place: "龙兴镇和平街人行道".into(),
            present_person: None,
            witness: Some("社区网格员王五".into()),
            findings: "和平街人行道上堆放脚手架钢管及砂石，占地约30平方米".into(),
            signature: sig,
        }),
    )
    .unwrap();
    let inspection_doc = rec.documents[0].clone();
    assert_eq!(inspection_doc.kind, "inspection_record");
    let local = normal::case(&dev.store, &case).unwrap().unwrap();
    assert!(
        local.steps.iter().any(|s| matches!(
            &s.event.kind,
            EventKind::Investigate { act, document: Some(h), .. }
                if act == "询问笔录" && *h == interview_doc.sha256
        )),
        "the step names its record by hash"
    );

    // 先行登记保存 (Art. 56): the officer asks at once; the case waits for
    // the 负责人 in the approver's queue; once approved, the officer makes
    // the 通知书及清单 with the party, its disposal date computed.
    step(
        &mut dev,
        &case,
        EventKind::RequestSave {
            items: "建筑材料（钢管）".into(),
            reason: "当事人可能连夜转移材料".into(),
        },
        None,
    )
    .unwrap();
    let preservation = || FieldRecord::Preservation {
        items: vec![zhifa_core::document::normal::PreservedItem {
            name: "脚手架钢管".into(),
            spec: Some("6米".into()),
            quantity: "40根".into(),
            remark: None,
        }],
        storage_place: "龙兴镇综合行政执法办公室仓库".into(),
        signature: PartySignature::Refused {
            reason: "当事人拒绝签名".into(),
            witness: Some("社区网格员王五".into()),
        },
    };
    assert!(
        step(&mut dev, &case, investigate(), Some(preservation())).is_err(),
        "no 通知书 before the 负责人 approved"
    );
    dev.sync(&t).await.unwrap();
    let (s, queue) = server
        .console(
            Method::Get,
            "/v1/console/procedure/cases?waiting=true",
            &approver,
            None,
        )
        .await;
    assert_eq!(s, 200, "{queue}");
    let row = queue
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["case_id"] == case.as_str())
        .expect("the request is in the approver's queue");
    assert_eq!(row["waiting_for"][0], "先行登记保存审批", "{row}");
    set_time(&server, &dev, start + Duration::minutes(150));
    centre_step(
        &server,
        &approver,
        &case,
        json!({"step": "register_save", "items": "建筑材料（钢管）"}),
    )
    .await;
    dev.sync(&t).await.unwrap();
    let rec = step(&mut dev, &case, investigate(), Some(preservation())).unwrap();
    let notice_save = rec.documents[0].clone();
    assert_eq!(notice_save.kind, "preservation_notice");
    step(&mut dev, &case, EventKind::DisposeSave { index: 0 }, None).unwrap();
    let saved_on = beijing_date(start + Duration::minutes(150));
    let (config, calendar) = normal::rules_for(&dev.store, &township, saved_on).unwrap();
    let decide_by =
        gates::due_of(ClockKind::RegistrationSave, saved_on, &config, &calendar).unwrap();

    // 调查终结 and the centre's approvals; then the 事先告知 makes its
    // 告知书, its periods from the deadline engine.
    let fine = Penalty::fine(800_000);
    step(
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
    .unwrap();
    dev.sync(&t).await.unwrap();
    set_time(&server, &dev, start + Duration::hours(3));
    review_and_approve(&server, &reviewer, &approver, &case).await;
    dev.sync(&t).await.unwrap();
    set_time(&server, &dev, start + Duration::hours(4));
    let rec = step(
        &mut dev,
        &case,
        EventKind::Inform {
            penalty: fine.clone(),
            facts: "占道堆放建筑材料约30平方米".into(),
            reasons: "违反市容环境卫生管理规定".into(),
            basis: vec!["《重庆市市容环境卫生管理条例》".into()],
            hearing_offered: true,
            officers: officers(),
        },
        None,
    )
    .unwrap();
    assert_eq!(rec.documents.len(), 1);
    let notice = rec.documents[0].clone();
    assert_eq!(notice.kind, "prior_notice");

    // 陈述申辩笔录 with the 复核.
    let sig = signed(&dev);
    let rec = step(
        &mut dev,
        &case,
        EventKind::HearStatement {
            review: "当事人称系临时堆放，经复核不影响违法事实的认定".into(),
            adopted: false,
        },
        Some(FieldRecord::Statement {
            start: normal::beijing_minute(start + Duration::minutes(250)),
            end: normal::beijing_minute(start + Duration::minutes(265)),
            place: "龙兴镇综合行政执法办公室".into(),
            statement: "材料是临时堆放的，准备当天运走。".into(),
            evidence_offered: None,
            signature: sig,
        }),
    )
    .unwrap();
    let statement = rec.documents[0].clone();
    assert_eq!(statement.kind, "statement_record");
    step(
        &mut dev,
        &case,
        EventKind::Waive {
            statement: false,
            hearing: true,
        },
        None,
    )
    .unwrap();
    dev.sync(&t).await.unwrap();

    // The centre decides; the device serves. In person needs the 送达回证;
    // electronically needs the signed 确认书.
    set_time(&server, &dev, start + Duration::hours(5));
    let decide = json!({"step": "decide", "outcome": {"outcome": "penalty", "penalty": {"kinds": ["fine"], "fine_fen": 800000}}, "number": ""});
    centre_step(&server, &approver, &case, decide).await;
    dev.sync(&t).await.unwrap();
    set_time(&server, &dev, start + Duration::hours(6));
    let before = outbox_len(&dev);
    let err = step(
        &mut dev,
        &case,
        EventKind::Serve {
            method: ServiceMethod::Direct,
            officers: officers(),
        },
        None,
    )
    .unwrap_err();
    assert!(err.to_string().contains("送达回证"), "{err}");
    let err = step(
        &mut dev,
        &case,
        EventKind::Serve {
            method: ServiceMethod::Electronic { consent: None },
            officers: officers(),
        },
        None,
    )
    .unwrap_err();
    assert!(err.to_string().contains("第六十一条"), "{err}");
    assert_eq!(outbox_len(&dev), before);
    let (sig, received_at) = (signed(&dev), normal::beijing_minute(dev.clock.now_utc()));
    let rec = step(
        &mut dev,
        &case,
        EventKind::Serve {
            method: ServiceMethod::Direct,
            officers: officers(),
        },
        Some(FieldRecord::ServiceReceipt {
            place: "龙兴镇和平街1号".into(),
            received_at,
            proxy: None,
            signature: sig,
        }),
    )
    .unwrap();
    let receipt = rec.documents[0].clone();
    assert_eq!(receipt.kind, "service_receipt");
    let r = dev.sync(&t).await.unwrap();
    assert_eq!(r.rejected, 0, "{r:?}");

    // The device lists its documents as received by the centre; the
    // centre holds each file by hash.
    let listed = normal::documents(&dev.store, &case).unwrap();
    assert_eq!(
        listed
            .iter()
            .map(|d| d.record.kind.as_str())
            .collect::<Vec<_>>(),
        [
            "interview_record",
            "inspection_record",
            "preservation_notice",
            "prior_notice",
            "statement_record",
            "service_receipt"
        ]
    );
    assert!(
        listed.iter().all(|d| d.accepted == Some(true)),
        "{listed:?}"
    );
    let file = |sha: &str| {
        let server = &server;
        let approver = approver.clone();
        let case = case.clone();
        let sha = sha.to_owned();
        async move {
            let (s, pdf) = server
                .console_bytes(
                    &format!("/v1/console/records/cases/{case}/files/{sha}"),
                    &approver,
                )
                .await;
            assert_eq!(s, 200, "the centre holds {sha}");
            assert_eq!(zhifa_tests::sha256_hex(&pdf), sha);
            zhifa_tests::pdf_text(&pdf)
        }
    };
    let text = file(&interview_doc.sha256).await;
    for element in [
        "询问笔录",
        "堆放面积多大",
        "大约三十平方米",
        "张三丰",
        "当事人本人",
    ] {
        assert!(
            text.contains(element),
            "the 询问笔录 prints {element}: {text}"
        );
    }
    // The 事先告知书's periods are the deadline engine's, on the
    // township's calendar.
    let (config, calendar) = normal::rules_for(&dev.store, &township, beijing_date(start)).unwrap();
    let informed = beijing_date(start + Duration::hours(4));
    let statement_by = gates::due_of(ClockKind::Statement, informed, &config, &calendar).unwrap();
    let hearing_by =
        gates::due_of(ClockKind::HearingRequest, informed, &config, &calendar).unwrap();
    let text = file(&notice.sha256).await;
    let flat: String = text.split_whitespace().collect();
    for element in [
        "行政处罚事先告知书".to_owned(),
        "8000".to_owned(),
        "听证".to_owned(),
        date_zh(statement_by),
        date_zh(hearing_by),
    ] {
        assert!(
            flat.contains(&element),
            "the 告知书 prints {element}: {text}"
        );
    }
    let text = file(&inspection_doc.sha256).await;
    let flat: String = text.split_whitespace().collect();
    for element in [
        "现场检查",
        "堆放脚手架钢管及砂石",
        "社区网格员王五",
        "张三丰",
    ] {
        assert!(flat.contains(element), "the 笔录 prints {element}: {text}");
    }
    let text = file(&notice_save.sha256).await;
    let flat: String = text.split_whitespace().collect();
    for element in [
        "先行登记保存".to_owned(),
        "脚手架钢管".to_owned(),
        "40根".to_owned(),
        "第五十六条".to_owned(),
        "拒绝签名".to_owned(),
        date_zh(decide_by),
    ] {
        assert!(
            flat.contains(&element),
            "the 通知书 prints {element}: {text}"
        );
    }
    let text = file(&statement.sha256).await;
    assert!(text.contains("临时堆放"), "{text}");
    let text = file(&receipt.sha256).await;
    assert!(
        text.contains("送达回证") && text.contains("罚决字"),
        "{text}"
    );

    // 公示, the payment, 结案, 归档: the 卷宗 binds the officer's records
    // in the 案卷评查 order (调查取证 → 审查决定(含事先告知) → 送达执行).
    centre_step(&server, &reviewer, &case, json!({"step": "publish"})).await;
    step(
        &mut dev,
        &case,
        EventKind::ConfirmPayment {
            amount_fen: 800_000,
        },
        None,
    )
    .unwrap();
    let r = dev.sync(&t).await.unwrap();
    assert_eq!(r.rejected, 0, "{r:?}");
    centre_step(
        &server,
        &approver,
        &case,
        json!({"step": "close", "reason": "罚款已缴纳"}),
    )
    .await;
    set_time(&server, &dev, start + Duration::hours(7));
    let v = centre_step(&server, &admin, &case, json!({"step": "archive"})).await;
    let dossier = v["documents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["kind"] == "dossier")
        .expect("the 卷宗 is a file of the case")["sha256"]
        .as_str()
        .unwrap()
        .to_owned();
    let text = file(&dossier).await;
    let at = |what: &str| {
        text.find(what)
            .unwrap_or_else(|| panic!("the 卷宗 holds {what}: {text}"))
    };
    let order = [
        at("堆放脚手架钢管及砂石"),
        at("大约三十平方米"),
        at("40根"),
        at("违反市容环境卫生管理规定"),
        at("准备当天运走"),
        at("直接送达"),
    ];
    assert!(order.is_sorted(), "{order:?}: {text}");

    // 案卷评查 (issue 18 item 2): the complete file reaches 合格 or better
    // on 《重庆市行政处罚案卷评查标准（试行）》; removing one mandatory
    // document (its record_document row) costs the 5 points the standard
    // says (§2.3: 每缺一份必备文书扣5分). Supervisors only, in scope, audited.
    let sv = server.staff("SV-R", StaffRole::Supervisor, &township[..6], None);
    let sv_out = server.staff("SV-RO", StaffRole::Supervisor, "500110", None);
    let review_path = format!("/v1/console/supervise/review/{case}");
    let (s, r) = server.console(Method::Get, &review_path, &sv, None).await;
    assert_eq!(s, 200, "{r}");
    assert!(
        ["优秀", "良好", "合格"].contains(&r["grade"].as_str().unwrap()),
        "{r:#}"
    );
    assert_eq!(r["veto_passed"], true, "{r:#}");
    assert_eq!(r["total"], 100);
    assert_eq!(
        r["projected"], false,
        "closed and archived: not a projection"
    );
    let complete = r["score"].as_u64().unwrap();
    assert!(complete >= 60, "{r:#}");
    assert!(!r["needs_human"].as_array().unwrap().is_empty());
    assert!(!r.to_string().contains("张三丰"), "no personal data");
    let (s, _) = server
        .console(Method::Get, &review_path, &sv_out, None)
        .await;
    assert_eq!(s, 404, "another district's supervisor does not find it");
    let (s, _) = server
        .console(Method::Get, &review_path, &approver, None)
        .await;
    assert_eq!(s, 403, "the township does not score its own file");
    server.db().rows(
        // Both records of the investigation (询问笔录 and 现场检查笔录)
        // stand for the standard's one mandatory 调查笔录.
        "DELETE FROM record_document WHERE case_id = ?1
           AND kind IN ('interview_record', 'inspection_record')",
        &[&case],
    );
    let (s, r) = server.console(Method::Get, &review_path, &sv, None).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["score"].as_u64().unwrap(), complete - 5, "{r:#}");
    let lost: Vec<&Value> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["id"] == "investigation_record")
        .collect();
    assert_eq!(lost[0]["result"], "fail");
    assert_eq!(lost[0]["deducted"], 5);
    assert_eq!(
        server.db().int(
            "SELECT count(*) FROM audit WHERE action = 'supervise.review'",
            &[]
        ),
        2
    );
}
