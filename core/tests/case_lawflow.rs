//! The case flow's legal gaps of issue 14 (legal review F2, F9, F10, F11,
//! F14): never decided heavier than told (行政处罚法 Art. 9, 44, 45 ¶2,
//! 62), no fine on no captured evidence without a recorded reason (Art. 40,
//! 47), the end of a continuing act in the limitation period (Art. 36 ¶2),
//! the 备案 of the decision itself (Art. 52 ¶3), the Art. 30/31 ground and
//! guardian order on the no-penalty record, and the signed 确认书 for
//! electronic service (Art. 61 ¶2). Each test fails on the code before
//! these rules (see the comment naming what it reproduces).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod case_support;

use case_support::*;
use chrono::{NaiveDate, TimeZone, Utc};
use zhifa_core::ErrorCode;
use zhifa_core::case::{self, ActEnd, CaseEvent, CaseStatus, Service};
use zhifa_core::rules::assess::{PenaltyKind, ProposedPenalty};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn notice() -> ProposedPenalty {
    ProposedPenalty {
        kind: PenaltyKind::NoticeOfCriticism,
        amount_fen: None,
        also: Vec::new(),
        band: None,
    }
}

fn heard() -> CaseEvent {
    CaseEvent::HearStatement {
        text: "当事人有异议".into(),
        review: "经复核，不予采纳".into(),
    }
}

/// A 龙兴镇 占道经营 case at `evidence` with `party`.
fn at_evidence(env: &mut Env, party: case::CaseParty) -> uuid::Uuid {
    let c = env.create(LONGXING, STALLS, officers(LONGXING)).unwrap();
    env.advance(c.id, party_and_facts(party)).unwrap();
    env.advance(c.id, evidence()).unwrap();
    env.advance(c.id, CaseEvent::ShowCredentials).unwrap();
    c.id
}

#[test]
fn no_decision_on_the_spot_before_the_credentials_are_shown() {
    // 行政处罚法 Art. 52: the officers show their 执法证件 before deciding
    // on the spot; the case must record it, with its time.
    let mut env = Env::new(10);
    let c = env.create(LONGXING, STALLS, officers(LONGXING)).unwrap();
    let id = c.id;
    env.advance(id, party_and_facts(individual())).unwrap();
    env.advance(id, evidence()).unwrap();
    env.advance(id, inform(fine(15_000))).unwrap();
    env.advance(
        id,
        CaseEvent::WaiveStatement {
            words: Some("不用说了".into()),
        },
    )
    .unwrap();
    let before = env.digest();
    let e = env
        .advance(id, decide(fine(15_000), &["area_5_to_10sqm"], None))
        .unwrap_err();
    assert_eq!(e.code(), "CASE_CREDENTIALS_NOT_SHOWN", "{e}");
    assert!(e.to_string().contains("第五十二条"), "{e}");
    assert_eq!(env.digest(), before, "a refused step changes nothing");
    // Shown (the status stays), then decided.
    let c = env.advance(id, CaseEvent::ShowCredentials).unwrap();
    assert_eq!(c.status, CaseStatus::RightsTold);
    assert!(c.credentials_shown_at.is_some());
    assert!(matches!(
        &c.statement,
        Some(case::StatementRecord::Waived { words: Some(w), .. }) if w == "不用说了"
    ));
    let c = env
        .advance(id, decide(fine(15_000), &["area_5_to_10sqm"], None))
        .unwrap();
    assert_eq!(c.status, CaseStatus::Decided);
    // A record of the steps before the decision, not after it.
    let e = env.advance(id, CaseEvent::ShowCredentials).unwrap_err();
    assert_eq!(e.code(), "CASE_ILLEGAL_TRANSITION", "{e}");
    let timeline = case::timeline(&env.store, id).unwrap();
    assert_eq!(
        timeline
            .iter()
            .filter(|t| t.kind == "show_credentials")
            .count(),
        1
    );
}

#[test]
fn told_a_warning_waived_then_a_fine_of_200_yuan_is_refused_until_told_again() {
    // Issue 14's reproduction (F2): told 警告, statement waived, decided
    // 罚款 200 元 → was `decided`. Art. 44/62: never heavier than told.
    let mut env = Env::new(10);
    let id = at_evidence(&mut env, individual());
    env.advance(id, inform(warning())).unwrap();
    env.advance(id, CaseEvent::WaiveStatement { words: None })
        .unwrap();
    let before = env.digest();
    let e = env
        .advance(id, decide(fine(20_000), &["area_5_to_10sqm"], None))
        .unwrap_err();
    assert_eq!(e.code(), "CASE_HEAVIER_THAN_TOLD", "{e}");
    assert!(e.to_string().contains("第四十四条"), "{e}");
    assert!(e.to_string().contains("罚款") && e.to_string().contains("警告"));
    assert_eq!(env.digest(), before, "a refused step changes nothing");
    // A new 告知 of the fine, a new waiver, and the fine may be decided.
    env.advance(id, inform(fine(20_000))).unwrap();
    let c = case::get(&env.store, id).unwrap().unwrap();
    assert!(c.statement.is_none(), "a new 告知 needs a new statement");
    env.advance(id, CaseEvent::WaiveStatement { words: None })
        .unwrap();
    let c = env
        .advance(id, decide(fine(20_000), &["area_5_to_10sqm"], None))
        .unwrap();
    assert_eq!(c.status, CaseStatus::Decided);
}

#[test]
fn a_notice_of_criticism_is_lighter_than_any_fine() {
    // 行政处罚法 Art. 9: 警告、通报批评 (一) before 罚款 (二). Before: the
    // rank put 通报批评 above 罚款, so told 通报批评 → a fine of any amount
    // passed even after a heard statement.
    let mut env = Env::new(10);
    let id = at_evidence(&mut env, individual());
    env.advance(id, inform(notice())).unwrap();
    env.advance(id, heard()).unwrap();
    let e = env
        .advance(id, decide(fine(10_000), &["area_5_to_10sqm"], None))
        .unwrap_err();
    assert_eq!(e.code(), "CASE_HEAVIER_AFTER_STATEMENT", "{e}");
    // And ordering: warning < notice < fine of 1 fen < fine of 2 fen.
    let w = case::weight(&warning());
    assert!(w < case::weight(&notice()));
    assert!(case::weight(&notice()) < case::weight(&fine(1)));
    assert!(case::heavier_than(&fine(2), &fine(1)));
    assert!(!case::heavier_than(&warning(), &fine(1)));
}

#[test]
fn a_fine_on_no_captured_evidence_needs_a_recorded_reason() {
    // F14: `attach_evidence` with an empty list let a fine rest on a typed
    // summary only (Art. 40, 47).
    let mut env = Env::new(10);
    let c = env.create(LONGXING, STALLS, officers(LONGXING)).unwrap();
    env.advance(c.id, party_and_facts(individual())).unwrap();
    env.advance(
        c.id,
        CaseEvent::AttachEvidence {
            evidence_ids: vec![],
            summary: "现场照片2张".into(),
            no_evidence_reason: Some("  ".into()),
        },
    )
    .unwrap();
    env.advance(c.id, CaseEvent::ShowCredentials).unwrap();
    env.advance(c.id, inform(fine(15_000))).unwrap();
    env.advance(c.id, CaseEvent::WaiveStatement { words: None })
        .unwrap();
    let before = env.digest();
    let e = env
        .advance(c.id, decide(fine(15_000), &["area_5_to_10sqm"], None))
        .unwrap_err();
    assert_eq!(e.code(), "CASE_NO_EVIDENCE", "{e}");
    assert!(e.to_string().contains("第四十条"), "{e}");
    assert_eq!(env.digest(), before);
    // A warning is not a fine: the gate is the fine's.
    let c2 = env
        .advance(
            c.id,
            decide(warning(), &["area_5_to_10sqm"], Some("情节轻微")),
        )
        .map(|c| c.status);
    assert_ne!(
        c2.as_ref().err().map(ErrorCode::code),
        Some("CASE_NO_EVIDENCE")
    );

    // With the reason recorded, the fine is decided and the reason kept.
    let id = env.up_to_rights_told(15_000, false);
    let c = env
        .advance(id, decide(fine(15_000), &["area_5_to_10sqm"], None))
        .unwrap();
    assert!(c.evidence.is_empty());
    assert!(
        c.no_evidence_reason
            .as_deref()
            .unwrap()
            .contains("执法记录仪")
    );
}

/// A case whose act began on 2026-03-02 and which is opened on 2028-04-01,
/// more than two years later, with `act_end` recorded on the facts step.
fn late_case(env: &mut Env, act_end: Option<ActEnd>) -> uuid::Uuid {
    env.clock = Utc.with_ymd_and_hms(2028, 4, 1, 2, 0, 0).single().unwrap();
    let c = env.create(LONGXING, STALLS, officers(LONGXING)).unwrap();
    let mut step = party_and_facts(individual());
    if let CaseEvent::RecordPartyAndFacts { act_end: a, .. } = &mut step {
        *a = act_end;
    }
    env.advance(c.id, step).unwrap();
    c.id
}

#[test]
fn a_continuing_act_runs_its_limitation_from_its_end() {
    // F10 / 行政处罚法 Art. 36 ¶2: the case passed no end date, so an
    // ongoing occupation begun over two years ago was barred.
    let mut env = Env::new(10);
    let expired = |env: &mut Env, id| {
        let now = env.tick();
        case::suggest(&env.store, id, None, vec![], now)
            .unwrap()
            .limitation_expired
    };
    let one_off = late_case(&mut env, None);
    assert!(expired(&mut env, one_off), "2 years after a one-off act");
    let ongoing = late_case(&mut env, Some(ActEnd::Ongoing));
    assert!(!expired(&mut env, ongoing), "an act still going on");
    let c = case::get(&env.store, ongoing).unwrap().unwrap();
    assert_eq!(c.act_end, Some(ActEnd::Ongoing));
    let ended_late = late_case(
        &mut env,
        Some(ActEnd::Ended {
            date: d(2026, 6, 1),
        }),
    );
    assert!(!expired(&mut env, ended_late), "ended < 2 years ago");
    let ended_early = late_case(
        &mut env,
        Some(ActEnd::Ended {
            date: d(2026, 3, 10),
        }),
    );
    assert!(expired(&mut env, ended_early), "ended > 2 years ago");

    // An end before the act began, or after today, is refused.
    let c = env.create(LONGXING, STALLS, officers(LONGXING)).unwrap();
    for bad in [d(2026, 3, 1), d(2029, 1, 1)] {
        let mut step = party_and_facts(individual());
        if let CaseEvent::RecordPartyAndFacts { act_end, .. } = &mut step {
            *act_end = Some(ActEnd::Ended { date: bad });
        }
        let e = env.advance(c.id, step).unwrap_err();
        assert_eq!(e.code(), "CASE_FIELD_INVALID", "{bad}: {e}");
    }
}

#[test]
fn the_decision_is_filed_before_payment_and_shows_when_filing_is_late() {
    // F11 / 行政处罚法 Art. 52 ¶3: 备案 of the decision itself; before,
    // `file` was allowed only after payment (or overdue, day 16+).
    let mut env = Env::new(10);
    let id = env.up_to_rights_told(10_000, false);
    let c = env
        .advance(id, decide(fine(10_000), &["area_5_to_10sqm"], None))
        .unwrap();
    // Decided on 2026-03-02 (a Monday); 3 working days (the sample
    // townships' configured default) → 2026-03-05.
    let s = case::filing_standing_of(&env.store, &c, d(2026, 3, 5))
        .unwrap()
        .unwrap();
    assert_eq!((s.due, s.overdue), (Some(d(2026, 3, 5)), false));
    let s = case::filing_standing_of(&env.store, &c, d(2026, 3, 6))
        .unwrap()
        .unwrap();
    assert!(s.overdue, "not filed by the due day");
    // Filed at once: the status stays, the payment path goes on.
    let c = env
        .advance(
            id,
            CaseEvent::File {
                note: "已报所属行政机关备案".into(),
            },
        )
        .unwrap();
    assert_eq!(c.status, CaseStatus::Decided);
    assert!(c.filed.is_some());
    let s = case::filing_standing_of(&env.store, &c, d(2026, 6, 1))
        .unwrap()
        .unwrap();
    assert!(!s.overdue, "filed on the decision day");
    env.advance(id, CaseEvent::Issue).unwrap();
    env.advance(id, signed()).unwrap();
    let e = env
        .advance(
            id,
            CaseEvent::File {
                note: "再次备案".into(),
            },
        )
        .unwrap_err();
    assert_eq!(e.code(), "CASE_ALREADY_FILED", "{e}");
    env.advance(
        id,
        CaseEvent::CollectOnTheSpot {
            receipt_number: "渝财票0009".into(),
        },
    )
    .unwrap();
    let c = env
        .advance(
            id,
            CaseEvent::Close {
                note: "结案".into(),
            },
        )
        .unwrap();
    assert_eq!(c.status, CaseStatus::Closed);

    // Closing an unfiled case is refused.
    let id = env.up_to_rights_told(10_000, false);
    env.advance(id, decide(fine(10_000), &["area_5_to_10sqm"], None))
        .unwrap();
    env.advance(id, CaseEvent::Issue).unwrap();
    env.advance(id, signed()).unwrap();
    env.advance(
        id,
        CaseEvent::CollectOnTheSpot {
            receipt_number: "渝财票0010".into(),
        },
    )
    .unwrap();
    let e = env
        .advance(
            id,
            CaseEvent::Close {
                note: "结案".into(),
            },
        )
        .unwrap_err();
    assert_eq!(e.code(), "CASE_NOT_FILED", "{e}");
}

#[test]
fn an_art_31_exemption_is_recorded_under_art_31_with_the_guardian_order() {
    // F9: every mandatory exemption was recorded with Art. 33's words, and
    // the Art. 30/31 orders to the guardian nowhere.
    let mut env = Env::new(10);
    let id = at_evidence(&mut env, individual());
    let step = |guardian_order: Option<&str>| CaseEvent::DecideNoPenalty {
        circumstances: vec!["mental_incapacity".into()],
        education: "向其监护人讲解相关规定".into(),
        guardian_order: guardian_order.map(String::from),
    };
    let e = env.advance(id, step(None)).unwrap_err();
    assert_eq!(e.code(), "CASE_GUARDIAN_ORDER_MISSING", "{e}");
    assert!(e.to_string().contains("第三十一条"), "{e}");
    let c = env
        .advance(id, step(Some("责令其监护人严加看管和治疗")))
        .unwrap();
    let np = c.no_penalty.unwrap();
    assert!(np.ground.contains("第三十一条"), "{}", np.ground);
    assert!(!np.ground.contains("第三十三条"), "{}", np.ground);
    assert_eq!(
        np.guardian_order.as_deref(),
        Some("责令其监护人严加看管和治疗")
    );
}

#[test]
fn an_under_14_party_needs_the_art_30_guardian_order() {
    let mut env = Env::new(10);
    let mut child = individual();
    // Born 2013-01-01: 13 on the violation date (2026-03-02).
    child.id_number = citizen_id("50011220130101123");
    let id = at_evidence(&mut env, child);
    let step = |guardian_order: Option<&str>| CaseEvent::DecideNoPenalty {
        circumstances: vec![],
        education: "已对其进行教育".into(),
        guardian_order: guardian_order.map(String::from),
    };
    let e = env.advance(id, step(Some(" "))).unwrap_err();
    assert_eq!(e.code(), "CASE_GUARDIAN_ORDER_MISSING", "{e}");
    assert!(e.to_string().contains("第三十条"), "{e}");
    let c = env
        .advance(id, step(Some("已责令其监护人加以管教")))
        .unwrap();
    let np = c.no_penalty.unwrap();
    assert!(np.ground.contains("第三十条"), "{}", np.ground);
    assert!(np.guardian_order.is_some());
}

#[test]
fn electronic_service_needs_a_signed_confirmation_not_a_consent_string() {
    // F14 last bullet / 行政处罚法 Art. 61 ¶2: "当事人同意并签订确认书".
    let mut env = Env::new(10);
    let id = env.up_to_rights_told(15_000, false);
    env.advance(id, decide(fine(15_000), &["area_5_to_10sqm"], None))
        .unwrap();
    env.advance(id, CaseEvent::Issue).unwrap();
    let electronic = |confirmation| CaseEvent::Serve {
        service: Service::Electronic {
            channel: "短信".into(),
            address: "13800001234".into(),
            consent: "本人同意以短信方式接收行政处罚决定书（确认书已签）".into(),
            confirmation,
        },
    };
    let before = env.digest();
    for (what, c) in [
        ("a consent string only", None),
        (
            "no signature image",
            Some(case::ServiceConfirmation {
                signature_png: b"GIF89a".to_vec(),
                ..confirmation("短信 13800001234")
            }),
        ),
        (
            "no signer",
            Some(case::ServiceConfirmation {
                signer_name: " ".into(),
                ..confirmation("短信 13800001234")
            }),
        ),
        ("another address", Some(confirmation("短信 13900009999"))),
    ] {
        let e = env.advance(id, electronic(c)).unwrap_err();
        assert_eq!(e.code(), "CASE_ELECTRONIC_SERVICE_NO_CONSENT", "{what}");
        assert!(e.to_string().contains("确认书") || e.to_string().contains("地址"));
    }
    assert_eq!(env.digest(), before);
    let c = env
        .advance(id, electronic(Some(confirmation("短信 138 0000 1234"))))
        .unwrap();
    assert_eq!(c.status, CaseStatus::Served);
    // Debug masks the signer.
    let dbg = format!("{:?}", c.service.unwrap());
    assert!(!dbg.contains("周小川"), "{dbg}");
}

#[test]
fn a_fine_that_needs_an_expired_order_to_correct_waits_for_it() {
    // F1 (case-flow part), issue 14's first reproduction: CG-016 (市容条例
    // Art. 37 ¶2 "责令限期改正，逾期未改正的，处一百元以上五百元以下罚款")
    // fined 200 元 on the first visit with the circumstance merely typed.
    const SIGNBOARD: &str = "CG-016";
    let circ = &["not_corrected_by_deadline", "minor_harm"];
    let mut env = Env::new(10);
    let c = env.create(LONGXING, SIGNBOARD, officers(LONGXING)).unwrap();
    env.advance(c.id, party_and_facts(individual())).unwrap();
    env.advance(c.id, evidence()).unwrap();
    env.advance(c.id, CaseEvent::ShowCredentials).unwrap();
    env.advance(c.id, inform(fine(20_000))).unwrap();
    env.advance(c.id, CaseEvent::WaiveStatement { words: None })
        .unwrap();
    let before = env.digest();
    let e = env
        .advance(c.id, decide(fine(20_000), circ, None))
        .unwrap_err();
    assert_eq!(e.code(), "CASE_CORRECTION_PRECONDITION", "{e}");
    assert!(e.to_string().contains("责令改正通知书"), "{e}");
    assert_eq!(env.digest(), before);

    // The lawful path: order (deadline today, 2026-03-02), follow-up the
    // next day finds it not corrected, back to the penalty path.
    let c = env.create(LONGXING, SIGNBOARD, officers(LONGXING)).unwrap();
    env.advance(c.id, party_and_facts(individual())).unwrap();
    env.advance(c.id, evidence()).unwrap();
    env.advance(
        c.id,
        CaseEvent::OrderCorrection {
            requirement: "清洗、修复污损的牌匾标识".into(),
            deadline: d(2026, 3, 2),
            follow_up_due: d(2026, 3, 3),
        },
    )
    .unwrap();
    let case0 = case::get(&env.store, c.id).unwrap().unwrap();
    let a = case::correction_attestation(&case0, d(2026, 3, 2));
    assert!(a.ordered && !a.deadline_passed && !a.not_corrected_by_deadline);
    assert_eq!(a.missing_zh(), "改正期限尚未届满");
    env.clock = Utc.with_ymd_and_hms(2026, 3, 3, 2, 0, 0).single().unwrap();
    env.advance(
        c.id,
        CaseEvent::RecordFollowUp {
            corrected: false,
            note: "复查时牌匾仍污损".into(),
        },
    )
    .unwrap();
    env.advance(c.id, CaseEvent::ShowCredentials).unwrap();
    env.advance(c.id, inform(fine(20_000))).unwrap();
    env.advance(c.id, CaseEvent::WaiveStatement { words: None })
        .unwrap();
    let case1 = case::get(&env.store, c.id).unwrap().unwrap();
    let a = case::correction_attestation(&case1, d(2026, 3, 3));
    assert!(a.not_corrected_by_deadline, "{a:?}");
    assert_eq!(a.deadline, Some(d(2026, 3, 2)));
    let decided = env.advance(c.id, decide(fine(20_000), circ, None)).unwrap();
    assert_eq!(decided.status, CaseStatus::Decided);
}

/// Leases 2027 numbers for 龙兴镇 (the fixture leases 2026 only).
fn lease_2027(env: &mut Env) {
    use zhifa_core::case::config::{SERIES_DECISION, SERIES_ORDER};
    use zhifa_core::case::numbers::PAYMENT_CODE_SERIES;
    for s in [SERIES_DECISION, SERIES_ORDER, PAYMENT_CODE_SERIES] {
        let now = env.tick();
        case::grant_lease(&mut env.store, LONGXING, s, 2027, 1, 20, "local_admin", now).unwrap();
    }
}

#[test]
fn deadlines_on_an_estimated_year_are_marked_and_a_newer_release_replaces_it() {
    // Issue 14 item 6: the sample's 2027 holidays are estimated.
    let mut env = Env::new(10);
    env.clock = Utc
        .with_ymd_and_hms(2026, 12, 28, 2, 0, 0)
        .single()
        .unwrap();
    let id = env.up_to_rights_told(10_000, false);
    env.advance(id, decide(fine(10_000), &["area_5_to_10sqm"], None))
        .unwrap();
    let c = env.advance(id, CaseEvent::Issue).unwrap();
    let issue = c.issue.as_ref().unwrap();
    // 15 days from 2026-12-28 → 2027-01-12: counted on the estimated 2027.
    assert_eq!(issue.payment_due, Some(d(2027, 1, 12)));
    assert!(issue.payment_due_estimated);
    // The 备案 due day (3 working days → 2026-12-31) lies in official 2026.
    let s = case::filing_standing_of(&env.store, &c, d(2026, 12, 28))
        .unwrap()
        .unwrap();
    assert_eq!((s.due, s.estimated), (Some(d(2026, 12, 31)), false));

    // A newer release with the official 2027 schedule replaces the estimate.
    let mut pkg: serde_json::Value = serde_json::from_str(SAMPLE).unwrap();
    pkg["release"]["id"] = "CQ-SAMPLE-2025-07-R4-NEWER".into();
    pkg["release"]["issued_on"] = "2026-12-20".into();
    pkg["release"]["effective_from"] = "2026-12-25".into();
    pkg["calendar"]["years"][2]["status"] = "official".into();
    let now = env.tick();
    zhifa_core::catalogue::import(&mut env.store, pkg.to_string().as_bytes(), now).unwrap();
    let c = env.advance(id, signed()).unwrap();
    let served = c.service.as_ref().unwrap();
    assert!(served.payment_due.is_some());
    assert!(
        !served.payment_due_estimated,
        "the official 2027 now applies"
    );
}

#[test]
fn a_date_past_the_calendar_refuses_only_the_step_that_needs_it() {
    // Issue 14 item 6: the sample calendar ends 2027-12-31. On 2027-12-20
    // a fine's 15-day period ends in 2028: issuing it is refused with a
    // clear code; deciding and other cases go on.
    let mut env = Env::new(10);
    env.clock = Utc
        .with_ymd_and_hms(2027, 12, 20, 2, 0, 0)
        .single()
        .unwrap();
    lease_2027(&mut env);
    let id = env.up_to_rights_told(10_000, false);
    env.advance(id, decide(fine(10_000), &["area_5_to_10sqm"], None))
        .unwrap();
    let before = env.digest();
    let e = env.advance(id, CaseEvent::Issue).unwrap_err();
    assert_eq!(e.code(), "CASE_CALENDAR_YEAR_MISSING", "{e}");
    assert!(e.to_string().contains("2028年"), "{e}");
    assert!(e.to_string().contains("事项目录"), "{e}");
    assert_eq!(env.digest(), before, "nothing consumed");
    // The case view's 备案 standing still works (the due day is known).
    let c = case::get(&env.store, id).unwrap().unwrap();
    let s = case::filing_standing_of(&env.store, &c, d(2027, 12, 20))
        .unwrap()
        .unwrap();
    assert_eq!(s.due, Some(d(2027, 12, 23)));
    // Other work goes on: a new case is opened and taken to evidence.
    let other = at_evidence(&mut env, individual());
    assert_eq!(
        case::get(&env.store, other).unwrap().unwrap().status,
        CaseStatus::Evidence
    );
}

#[test]
fn the_violation_time_is_entered_never_in_the_future_nor_under_another_release() {
    // Issue 19: the violation time was the moment the case was opened and
    // could not be changed. It is entered with the facts; the case opened
    // at 10:00 on 2 March (t0 is 10:30).
    let mut env = Env::new(10);
    let c = env.create(LONGXING, STALLS, officers(LONGXING)).unwrap();
    let at = |s: &str| chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
    let with_time = |t: &str| {
        let mut e = party_and_facts(individual());
        if let CaseEvent::RecordPartyAndFacts { violation_time, .. } = &mut e {
            *violation_time = Some(at(t));
        }
        e
    };
    // In the future: refused, nothing changes.
    let before = env.digest();
    let e = env
        .advance(c.id, with_time("2026-03-02 11:45"))
        .unwrap_err();
    assert_eq!(e.code(), "CASE_FIELD_INVALID", "{e}");
    assert!(e.to_string().contains("违法时间"), "{e}");
    assert_eq!(env.digest(), before);
    // A day the case's catalogue release does not govern (R4 governs from
    // 2025-07-01): refused with the way forward.
    let e = env
        .advance(c.id, with_time("2025-06-30 18:00"))
        .unwrap_err();
    assert_eq!(e.code(), "CASE_FIELD_INVALID", "{e}");
    assert!(e.to_string().contains("重新立案"), "{e}");
    // Earlier that morning, and the day before: recorded.
    let c1 = env.advance(c.id, with_time("2026-03-02 08:15")).unwrap();
    assert_eq!(c1.violation_time, at("2026-03-02 08:15"));
    let c2 = env.advance(c.id, with_time("2026-03-01 21:40")).unwrap();
    assert_eq!(c2.violation_time, at("2026-03-01 21:40"));
    // Recording the facts again without a time keeps the one entered.
    let c3 = env.advance(c.id, party_and_facts(individual())).unwrap();
    assert_eq!(c3.violation_time, at("2026-03-01 21:40"));
    // And the decision prints it.
    env.advance(c.id, evidence()).unwrap();
    env.advance(c.id, CaseEvent::ShowCredentials).unwrap();
    env.advance(c.id, inform(fine(15_000))).unwrap();
    env.advance(c.id, CaseEvent::WaiveStatement { words: None })
        .unwrap();
    env.advance(c.id, decide(fine(15_000), &["area_5_to_10sqm"], None))
        .unwrap();
    let issued = env.advance(c.id, CaseEvent::Issue).unwrap();
    assert_eq!(issued.violation_time, at("2026-03-01 21:40"));
}
