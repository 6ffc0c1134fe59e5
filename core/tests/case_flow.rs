//! The simple-procedure case as a state machine: the whole path from draft
//! to closed, the legal gates (行政处罚法 Art. 42, 45 ¶2, 51, 61 ¶2, 62,
//! 68), the no-penalty and order-to-correct branches, illegal steps that
//! change nothing, and the one-transaction rule (case + timeline + outbox).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod case_support;

use case_support::*;
use chrono::NaiveDate;
use zhifa_core::ErrorCode;
use zhifa_core::case::payment::mod97_10_verify;
use zhifa_core::case::{self, CaseEvent, CaseStatus, PaymentRecord, Service};
use zhifa_core::document::model::{DocumentData, DocumentKind, Payment};

fn codes(e: &case::CaseError) -> Vec<String> {
    match e {
        case::CaseError::AssessmentRefused { problems } => {
            problems.iter().map(|p| p.code.clone()).collect()
        }
        _ => vec![],
    }
}

#[test]
fn the_whole_happy_path_from_draft_to_closed() {
    let mut env = Env::new(50);
    let outbox0 = env.outbox_len();
    let c = env.create(LONGXING, STALLS, officers(LONGXING)).unwrap();
    assert_eq!(c.status, CaseStatus::Draft);
    assert_eq!(c.release_id, "CQ-SAMPLE-2025-07-R4");
    let id = c.id;
    let steps = vec![
        (party_and_facts(individual()), CaseStatus::PartyAndFacts),
        (evidence(), CaseStatus::Evidence),
        (CaseEvent::ShowCredentials, CaseStatus::Evidence),
        (inform(fine(15_000)), CaseStatus::RightsTold),
        (
            CaseEvent::HearStatement {
                text: "当事人称不知道此处不能摆摊".into(),
                review: "经复核，不影响违法事实认定".into(),
            },
            CaseStatus::RightsTold,
        ),
        (
            decide(fine(15_000), &["area_5_to_10sqm"], None),
            CaseStatus::Decided,
        ),
        (CaseEvent::Issue, CaseStatus::Issued),
        (signed(), CaseStatus::Served),
        (
            CaseEvent::RecordPayment {
                paid_on: NaiveDate::from_ymd_opt(2026, 3, 5).unwrap(),
                reference: Some("PLATFORM-REF-1".into()),
            },
            CaseStatus::Paid,
        ),
        (
            CaseEvent::File {
                note: "已报所属行政机关备案".into(),
            },
            CaseStatus::Filed,
        ),
        (
            CaseEvent::Close {
                note: "结案".into(),
            },
            CaseStatus::Closed,
        ),
    ];
    // Each step, and the two officers' signatures after the issue.
    let n = steps.len() + 2;
    let mut version = 1;
    for (step, status) in steps {
        let name = step.name();
        let c = env
            .advance(id, step)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(c.status, status, "{name}");
        // The issue is followed by both officers' signatures (Art. 52 ¶2),
        // two steps of their own.
        version += if name == "issue" { 3 } else { 1 };
        assert_eq!(c.version, version, "{name}");
    }
    let c = case::get(&env.store, id).unwrap().unwrap();
    assert_eq!(c.status, CaseStatus::Closed);

    // The decision: numbered from the lease, formatted per the township's template.
    let issue = c.issue.as_ref().unwrap();
    assert_eq!(issue.number, "龙兴综执当罚〔2026〕1号");
    let code = issue.payment_code.as_deref().unwrap();
    assert!(mod97_10_verify(code), "{code}");
    assert!(code.starts_with("50500112108"), "{code}");
    let url = issue.payment_url.as_deref().unwrap();
    assert!(url.starts_with("https://pay.example.invalid/"), "{url}");
    assert!(
        url.contains(&format!("code={code}")) && url.contains("amount_fen=15000"),
        "{url}"
    );
    // 行政处罚法 Art. 67: 15 days from service (2026-03-02 → 03-17).
    assert_eq!(issue.payment_due, NaiveDate::from_ymd_opt(2026, 3, 17));
    assert!(matches!(
        c.payment,
        Some(PaymentRecord::Paid {
            late_fee_fen: 0,
            ..
        })
    ));

    // The stored document: canonical JSON with its SHA-256, and the served
    // copy with the signature is a whole typed DecisionOnTheSpot.
    let (json, sha) = case::document(&env.store, id, DocumentKind::DecisionOnTheSpot, "issued")
        .unwrap()
        .unwrap();
    assert_eq!(sha, issue.document_sha256);
    assert_eq!(
        sha,
        hex::encode(<sha2::Sha256 as sha2::Digest>::digest(json.as_bytes()))
    );
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        v.to_string(),
        json,
        "canonical: re-serialising gives the same bytes"
    );
    assert!(v.get("party_signature").is_none());
    let Some(DocumentData::DecisionOnTheSpot(d)) = case::served_decision(&env.store, id).unwrap()
    else {
        panic!("served decision");
    };
    assert_eq!(d.number, issue.number);
    assert_eq!(d.authority.entrusted_by, None);
    assert!(matches!(&d.payment, Some(Payment::Electronic { code: Some(c2), .. }) if c2 == code));
    assert!(
        d.remedy_clause.contains("渝北区人民政府"),
        "{}",
        d.remedy_clause
    );
    assert_eq!(d.officers[0].credential_number, "渝执500112108001");

    // Timeline: creation + each step, in order; one outbox record each.
    let tl = case::timeline(&env.store, id).unwrap();
    assert_eq!(tl.len(), n + 1);
    assert_eq!(tl[0].kind, "create");
    assert_eq!(tl.last().unwrap().to, CaseStatus::Closed);
    assert!(
        tl.windows(2)
            .all(|w| w[0].seq + 1 == w[1].seq && w[0].to == w[1].from.unwrap())
    );
    // Since device schema v6 every consumed number has its own outbox
    // record too (migration 0006's trigger, for the server's lease
    // reconciliation); the case's own records are one per step.
    let outbox: Vec<_> = case::outbox_pending(&env.store)
        .unwrap()
        .into_iter()
        .skip(outbox0)
        .filter(|o| o.entity == "case")
        .collect();
    assert_eq!(outbox.len(), n + 1);
    for (e, o) in tl.iter().zip(&outbox) {
        assert_eq!(e.mutation_id, o.mutation_id);
        assert_eq!(o.entity, "case");
    }
}

#[test]
fn fines_up_to_100_yuan_may_be_collected_on_the_spot_and_others_not() {
    // 行政处罚法 Art. 68(一): ≤ 100 元.
    let mut env = Env::new(10);
    let id = env.up_to_rights_told(10_000, false);
    env.advance(id, decide(fine(10_000), &["area_5_to_10sqm"], None))
        .unwrap();
    env.advance(id, CaseEvent::Issue).unwrap();
    env.advance(id, signed()).unwrap();
    let c = env
        .advance(
            id,
            CaseEvent::CollectOnTheSpot {
                receipt_number: "渝财票0001234".into(),
            },
        )
        .unwrap();
    assert_eq!(c.status, CaseStatus::CollectedOnTheSpot);

    let id = env.up_to_rights_told(15_000, false);
    env.advance(id, decide(fine(15_000), &["area_5_to_10sqm"], None))
        .unwrap();
    env.advance(id, CaseEvent::Issue).unwrap();
    env.advance(id, signed()).unwrap();
    let before = env.digest();
    let e = env
        .advance(
            id,
            CaseEvent::CollectOnTheSpot {
                receipt_number: "渝财票0001235".into(),
            },
        )
        .unwrap_err();
    assert_eq!(e.code(), "CASE_ON_THE_SPOT_NOT_ALLOWED", "{e}");
    assert_eq!(env.digest(), before);
}

#[test]
fn two_distinct_active_officers_of_the_township_are_required() {
    // 行政处罚法 Art. 42.
    let mut env = Env::new(0);
    let before = env.digest();
    for (officers, code) in [
        (["OFF-LX-01", "OFF-LX-01"], "CASE_OFFICERS_NOT_TWO"),
        (["OFF-LX-01", ""], "CASE_OFFICERS_NOT_TWO"),
        (["OFF-LX-01", "OFF-NOBODY"], "CASE_OFFICER_NOT_QUALIFIED"),
        (["OFF-LX-01", "OFF-DX-01"], "CASE_OFFICER_NOT_QUALIFIED"),
    ] {
        let e = env.create(LONGXING, STALLS, officers).unwrap_err();
        assert_eq!(e.code(), code, "{officers:?}: {e}");
        assert!(e.to_string().contains("第四十二条"), "{e}");
    }
    assert_eq!(env.digest(), before, "refused creations change nothing");
}

#[test]
fn an_inactive_officer_is_refused() {
    let mut env = Env::new(0);
    // Deactivation arrives with enrolment sync; a test stands in with SQL.
    let dir = env.dir.path().join("d.db");
    drop(env.store);
    {
        let conn = rusqlite::Connection::open(&dir).unwrap();
        conn.pragma_update(None, "key", format!("x'{}'", hex::encode([5u8; 32])))
            .unwrap();
        conn.execute("UPDATE officer SET active = 0 WHERE id = 'OFF-LX-02'", [])
            .unwrap();
    }
    env.store = zhifa_core::store::Store::open(&dir, &KEY).unwrap();
    let e = env
        .create(LONGXING, STALLS, officers(LONGXING))
        .unwrap_err();
    assert_eq!(e.code(), "CASE_OFFICER_NOT_QUALIFIED");
    assert!(e.to_string().contains("停用"), "{e}");
}

#[test]
fn art_45_no_heavier_penalty_after_a_statement() {
    let mut env = Env::new(10);
    // Told 100 元, statement heard: 150 元 refused, 100 元 and a warning fine.
    let id = env.up_to_rights_told(10_000, true);
    let before = env.digest();
    let e = env
        .advance(id, decide(fine(15_000), &["area_5_to_10sqm"], None))
        .unwrap_err();
    assert_eq!(e.code(), "CASE_HEAVIER_AFTER_STATEMENT", "{e}");
    assert!(e.to_string().contains("第四十五条第二款"), "{e}");
    assert_eq!(env.digest(), before);
    env.advance(id, decide(fine(10_000), &["area_5_to_10sqm"], None))
        .unwrap();

    // Told a warning, statement heard: any fine is heavier.
    let c = env.create(LONGXING, STALLS, officers(LONGXING)).unwrap();
    env.advance(c.id, party_and_facts(individual())).unwrap();
    env.advance(c.id, evidence()).unwrap();
    env.advance(c.id, CaseEvent::ShowCredentials).unwrap();
    env.advance(c.id, inform(warning())).unwrap();
    env.advance(
        c.id,
        CaseEvent::HearStatement {
            text: "有异议".into(),
            review: "不采纳".into(),
        },
    )
    .unwrap();
    let e = env
        .advance(c.id, decide(fine(10_000), &["area_5_to_10sqm"], None))
        .unwrap_err();
    assert_eq!(e.code(), "CASE_HEAVIER_AFTER_STATEMENT");

    // Waived: Art. 45 ¶2 is not engaged, but Art. 44/62 are: the party
    // waived its rights about the penalty told, so a heavier one is refused
    // (F2) and a lighter one is fine.
    let id = env.up_to_rights_told(10_000, false);
    let e = env
        .advance(id, decide(fine(15_000), &["area_5_to_10sqm"], None))
        .unwrap_err();
    assert_eq!(e.code(), "CASE_HEAVIER_THAN_TOLD", "{e}");
    env.advance(id, decide(fine(10_000), &["area_5_to_10sqm"], None))
        .unwrap();
}

#[test]
fn no_decision_before_the_statement_is_heard_or_waived() {
    // 行政处罚法 Art. 62.
    let mut env = Env::new(10);
    let c = env.create(LONGXING, STALLS, officers(LONGXING)).unwrap();
    env.advance(c.id, party_and_facts(individual())).unwrap();
    env.advance(c.id, evidence()).unwrap();
    env.advance(c.id, CaseEvent::ShowCredentials).unwrap();
    env.advance(c.id, inform(fine(15_000))).unwrap();
    let before = env.digest();
    let e = env
        .advance(c.id, decide(fine(15_000), &["area_5_to_10sqm"], None))
        .unwrap_err();
    assert_eq!(e.code(), "CASE_STATEMENT_MISSING");
    assert_eq!(env.digest(), before);
}

#[test]
fn a_fine_above_the_simple_procedure_limit_is_refused() {
    // 行政处罚法 Art. 51: 200 元 for a citizen. 300 元 is lawful (L3) but not simple.
    let mut env = Env::new(10);
    let id = env.up_to_rights_told(30_000, false);
    let before = env.digest();
    let e = env
        .advance(
            id,
            decide(
                fine(30_000),
                &["area_over_10sqm", "obstructs_traffic"],
                None,
            ),
        )
        .unwrap_err();
    assert_eq!(e.code(), "CASE_SIMPLE_PROCEDURE_NOT_ALLOWED", "{e}");
    assert_eq!(env.digest(), before);
    // 200 元 exactly is still simple ("以下" includes the amount).
    env.advance(id, decide(fine(20_000), &["area_5_to_10sqm"], None))
        .unwrap();
}

#[test]
fn amounts_outside_the_lawful_range_are_refused() {
    let mut env = Env::new(10);
    let id = env.up_to_rights_told(60_000, false);
    let e = env
        .advance(id, decide(fine(60_000), &["area_5_to_10sqm"], None))
        .unwrap_err();
    assert_eq!(e.code(), "CASE_ASSESSMENT_REFUSED");
    assert!(
        codes(&e).contains(&"PENALTY_OUT_OF_RANGE".to_owned()),
        "{e}"
    );
}

#[test]
fn off_the_suggested_level_needs_a_written_reason_kept_with_the_case() {
    let mut env = Env::new(10);
    let id = env.up_to_rights_told(8_000, false);
    // L2 (100–250 元) is suggested; 80 元 lies in L1.
    let before = env.digest();
    for reason in [None, Some("  ")] {
        let e = env
            .advance(id, decide(fine(8_000), &["area_5_to_10sqm"], reason))
            .unwrap_err();
        assert!(
            codes(&e).contains(&"DEVIATION_REASON_REQUIRED".to_owned()),
            "{e}"
        );
    }
    assert_eq!(env.digest(), before);
    let why = "当事人系残疾人，经济困难，主动配合整改";
    let c = env
        .advance(id, decide(fine(8_000), &["area_5_to_10sqm"], Some(why)))
        .unwrap();
    let d = c.decision.unwrap();
    assert_eq!(d.deviation_reason.as_deref(), Some(why));
    assert_eq!(d.suggested_level.as_deref(), Some("L2"));
    // And it is in the stored state, not only the returned value.
    let stored = case::get(&env.store, id).unwrap().unwrap();
    assert_eq!(
        stored.decision.unwrap().deviation_reason.as_deref(),
        Some(why)
    );
}

#[test]
fn entrusted_matters_issue_in_the_entrusting_authoritys_name() {
    // 行政处罚法 Art. 20 ¶3.
    let mut env = Env::new(10);
    let c = env.create(LONGXING, TRAFFIC, officers(LONGXING)).unwrap();
    env.advance(c.id, party_and_facts(individual())).unwrap();
    env.advance(c.id, evidence()).unwrap();
    env.advance(c.id, CaseEvent::ShowCredentials).unwrap();
    env.advance(c.id, inform(fine(1_000))).unwrap();
    env.advance(c.id, CaseEvent::WaiveStatement { words: None })
        .unwrap();
    env.advance(c.id, decide(fine(1_000), &["obstructs_traffic"], None))
        .unwrap();
    env.advance(c.id, CaseEvent::Issue).unwrap();
    let (json, _) = case::document(&env.store, c.id, DocumentKind::DecisionOnTheSpot, "issued")
        .unwrap()
        .unwrap();
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        v["authority"]["entrusted_by"],
        "重庆市公安局交通巡逻警察总队渝北区支队"
    );
}

#[test]
fn other_townships_use_their_own_payment_schemes() {
    let mut env = Env::new(10);
    let mut issued = Vec::new();
    for township in [DONGXI, JINGGUAN] {
        // CG-014 (both adopted it): L2 (ordinary_circumstances) 95–155 元.
        let c = env.create(township, "CG-014", officers(township)).unwrap();
        env.advance(c.id, party_and_facts(individual())).unwrap();
        env.advance(c.id, evidence()).unwrap();
        env.advance(c.id, CaseEvent::ShowCredentials).unwrap();
        env.advance(c.id, inform(fine(12_000))).unwrap();
        env.advance(c.id, CaseEvent::WaiveStatement { words: None })
            .unwrap();
        env.advance(
            c.id,
            decide(fine(12_000), &["ordinary_circumstances"], None),
        )
        .unwrap();
        issued.push(env.advance(c.id, CaseEvent::Issue).unwrap().issue.unwrap());
    }
    // 东溪镇: issued-range codes, prefix 5001 + 16 digits, no check digits.
    assert_eq!(issued[0].number, "东溪综执当罚〔2026〕1号");
    assert_eq!(
        issued[0].payment_code.as_deref(),
        Some("50010000000000000001")
    );
    assert_eq!(
        issued[0].payment_url.as_deref(),
        Some("https://pay.example.invalid/cq/fine?code=50010000000000000001&amount_fen=12000")
    );
    // 静观镇: no code offline, no QR; the number pads as its template says.
    assert_eq!(issued[1].number, "静观综执当罚〔2026〕第0001号");
    assert_eq!(issued[1].payment_code, None);
    assert_eq!(issued[1].payment_url, None);
    assert!(
        issued[1].payment_due.is_some(),
        "the decision still states the period"
    );
    // A warning carries no payment at all.
    let c = env.create(DONGXI, "CG-014", officers(DONGXI)).unwrap();
    env.advance(c.id, party_and_facts(individual())).unwrap();
    env.advance(c.id, evidence()).unwrap();
    env.advance(c.id, CaseEvent::ShowCredentials).unwrap();
    env.advance(c.id, inform(fine(12_000))).unwrap();
    env.advance(c.id, CaseEvent::WaiveStatement { words: None })
        .unwrap();
    let e = env
        .advance(c.id, decide(warning(), &["ordinary_circumstances"], None))
        .unwrap_err();
    assert_eq!(
        e.code(),
        "CASE_ASSESSMENT_REFUSED",
        "CG-014 provides no warning: {e}"
    );
}

#[test]
fn electronic_service_needs_recorded_consent() {
    // 行政处罚法 Art. 61 ¶2.
    let mut env = Env::new(10);
    let id = env.up_to_rights_told(15_000, false);
    env.advance(id, decide(fine(15_000), &["area_5_to_10sqm"], None))
        .unwrap();
    env.advance(id, CaseEvent::Issue).unwrap();
    let before = env.digest();
    let e = env
        .advance(
            id,
            CaseEvent::Serve {
                service: Service::Electronic {
                    channel: "短信".into(),
                    address: "13800001234".into(),
                    consent: " ".into(),
                    confirmation: Some(confirmation("短信 13800001234")),
                },
            },
        )
        .unwrap_err();
    assert_eq!(e.code(), "CASE_ELECTRONIC_SERVICE_NO_CONSENT");
    assert_eq!(env.digest(), before);
    let bad_png = env
        .advance(
            id,
            CaseEvent::Serve {
                service: Service::Signed {
                    name: "周小川".into(),
                    png: b"GIF89a".to_vec(),
                },
            },
        )
        .unwrap_err();
    assert_eq!(bad_png.code(), "CASE_FIELD_INVALID");
    let c = env
        .advance(
            id,
            CaseEvent::Serve {
                service: Service::Electronic {
                    channel: "短信".into(),
                    address: "13800001234".into(),
                    consent: "本人同意以短信方式接收行政处罚决定书".into(),
                    confirmation: Some(confirmation("短信 13800001234")),
                },
            },
        )
        .unwrap();
    assert_eq!(c.status, CaseStatus::Served);
}

#[test]
fn a_refusal_to_sign_is_noted_and_overdue_only_after_the_due_date() {
    let mut env = Env::new(10);
    let id = env.up_to_rights_told(15_000, false);
    env.advance(id, decide(fine(15_000), &["area_5_to_10sqm"], None))
        .unwrap();
    env.advance(id, CaseEvent::Issue).unwrap();
    env.advance(
        id,
        CaseEvent::Serve {
            service: Service::Refused {
                reason: "拒绝签字".into(),
                witness: None,
            },
        },
    )
    .unwrap();
    let Some(DocumentData::DecisionOnTheSpot(d)) = case::served_decision(&env.store, id).unwrap()
    else {
        panic!()
    };
    assert!(d.party_signature.text().contains("拒绝签名"));
    let due = case::get(&env.store, id)
        .unwrap()
        .unwrap()
        .service
        .unwrap()
        .payment_due
        .unwrap();
    let e = env
        .advance(id, CaseEvent::MarkOverdue { on: due })
        .unwrap_err();
    assert_eq!(e.code(), "CASE_TOO_EARLY");
    env.advance(
        id,
        CaseEvent::MarkOverdue {
            on: due.succ_opt().unwrap(),
        },
    )
    .unwrap();
    // While unpaid the case shows the surcharge accrued so far (Art. 72(一)):
    // none on the due date, 4.50 元 a day after it, never more than the fine.
    let c = case::get(&env.store, id).unwrap().unwrap();
    let on = |days: u64| case::payment_standing(&c, due + chrono::Days::new(days)).unwrap();
    assert_eq!(
        (on(0).late_fee_fen, on(0).settled, on(0).amount_fen),
        (0, false, 15_000)
    );
    assert_eq!(on(1).late_fee_fen, 450);
    assert_eq!(on(33).late_fee_fen, 14_850);
    assert_eq!(on(34).late_fee_fen, 15_000, "capped at the fine");
    assert_eq!(on(400).late_fee_fen, 15_000);
    // Paid late: the Art. 72 surcharge (3 %/day of 150 元 = 4.50 元/day), 2 days.
    let c = env
        .advance(
            id,
            CaseEvent::RecordPayment {
                paid_on: due + chrono::Days::new(2),
                reference: None,
            },
        )
        .unwrap();
    assert!(
        matches!(
            c.payment,
            Some(PaymentRecord::Paid {
                late_fee_fen: 900,
                ..
            })
        ),
        "{:?}",
        c.payment
    );
    let settled = case::payment_standing(&c, due + chrono::Days::new(90)).unwrap();
    assert!(settled.settled);
    assert_eq!(
        settled.late_fee_fen, 900,
        "counted to the day paid, not to today"
    );
}

#[test]
fn no_penalty_needs_a_ground_and_an_education_record() {
    // 行政处罚法 Art. 33 ¶1 (first violation, discretionary) and ¶3 (教育).
    let mut env = Env::new(10);
    let c = env.create(LONGXING, STALLS, officers(LONGXING)).unwrap();
    env.advance(c.id, party_and_facts(individual())).unwrap();
    env.advance(c.id, evidence()).unwrap();
    let e = env
        .advance(
            c.id,
            CaseEvent::DecideNoPenalty {
                circumstances: vec![],
                education: "已当场教育".into(),
                guardian_order: None,
            },
        )
        .unwrap_err();
    assert_eq!(e.code(), "CASE_NO_PENALTY_NOT_GROUNDED");
    let e = env
        .advance(
            c.id,
            CaseEvent::DecideNoPenalty {
                circumstances: vec![
                    "first_violation".into(),
                    "minor_harm".into(),
                    "corrected_promptly".into(),
                ],
                education: " ".into(),
                guardian_order: None,
            },
        )
        .unwrap_err();
    assert_eq!(e.code(), "CASE_FIELD_REQUIRED");
    let c2 = env
        .advance(
            c.id,
            CaseEvent::DecideNoPenalty {
                circumstances: vec![
                    "first_violation".into(),
                    "minor_harm".into(),
                    "corrected_promptly".into(),
                ],
                education: "向当事人讲解市容环境卫生管理规定，当事人已自行撤摊".into(),
                guardian_order: None,
            },
        )
        .unwrap();
    assert_eq!(c2.status, CaseStatus::NoPenalty);
    assert!(c2.no_penalty.unwrap().ground.contains("第三十三条"));
    env.advance(
        c.id,
        CaseEvent::File {
            note: "备案".into(),
        },
    )
    .unwrap();
    assert_eq!(
        env.advance(
            c.id,
            CaseEvent::Close {
                note: "结案".into()
            }
        )
        .unwrap()
        .status,
        CaseStatus::Closed
    );
}

#[test]
fn order_to_correct_with_deadline_and_follow_up() {
    // 行政处罚法 Art. 28.
    let mut env = Env::new(10);
    let c = env.create(LONGXING, STALLS, officers(LONGXING)).unwrap();
    env.advance(c.id, party_and_facts(individual())).unwrap();
    env.advance(c.id, evidence()).unwrap();
    let deadline = NaiveDate::from_ymd_opt(2026, 3, 5).unwrap();
    let e = env
        .advance(
            c.id,
            CaseEvent::OrderCorrection {
                requirement: "撤除占道摊位".into(),
                deadline,
                follow_up_due: deadline.pred_opt().unwrap(),
            },
        )
        .unwrap_err();
    assert_eq!(e.code(), "CASE_FIELD_INVALID");
    let c2 = env
        .advance(
            c.id,
            CaseEvent::OrderCorrection {
                requirement: "撤除占道摊位".into(),
                deadline,
                follow_up_due: NaiveDate::from_ymd_opt(2026, 3, 6).unwrap(),
            },
        )
        .unwrap();
    assert_eq!(c2.status, CaseStatus::CorrectionOrdered);
    let order = c2.correction.unwrap();
    assert_eq!(order.number, "龙兴综执责改〔2026〕1号");
    let (json, sha) = case::document(&env.store, c.id, DocumentKind::OrderToCorrect, "issued")
        .unwrap()
        .unwrap();
    assert_eq!(sha, order.document_sha256);
    assert!(json.contains("撤除占道摊位"));
    // "Not corrected" cannot be found before the deadline has passed.
    let e = env
        .advance(
            c.id,
            CaseEvent::RecordFollowUp {
                corrected: false,
                note: "仍在摆摊".into(),
            },
        )
        .unwrap_err();
    assert_eq!(e.code(), "CASE_TOO_EARLY");
    let c3 = env
        .advance(
            c.id,
            CaseEvent::RecordFollowUp {
                corrected: true,
                note: "复查时摊位已撤除".into(),
            },
        )
        .unwrap();
    assert_eq!(c3.status, CaseStatus::Corrected);
    assert_eq!(
        case::list(&env.store, Some(CaseStatus::Corrected))
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        case::list(&env.store, Some(CaseStatus::Draft))
            .unwrap()
            .len(),
        0
    );
    assert_eq!(case::list(&env.store, None).unwrap().len(), 1);
}

/// Every (status, event) pair the transition table refuses is refused by
/// `advance` with both statuses named, and changes nothing.
#[test]
fn every_illegal_transition_is_refused_and_changes_nothing() {
    let mut env = Env::new(20);
    // One case parked in each reachable status.
    let mut parked = Vec::new();
    let draft = env.create(LONGXING, STALLS, officers(LONGXING)).unwrap().id;
    parked.push(draft);
    let paf = env.create(LONGXING, STALLS, officers(LONGXING)).unwrap().id;
    env.advance(paf, party_and_facts(individual())).unwrap();
    parked.push(paf);
    let ev = env.create(LONGXING, STALLS, officers(LONGXING)).unwrap().id;
    env.advance(ev, party_and_facts(individual())).unwrap();
    env.advance(ev, evidence()).unwrap();
    parked.push(ev);
    let rt = env.up_to_rights_told(10_000, false);
    parked.push(rt);
    let dec = env.up_to_rights_told(10_000, false);
    env.advance(dec, decide(fine(10_000), &["area_5_to_10sqm"], None))
        .unwrap();
    parked.push(dec);
    let iss = env.up_to_rights_told(10_000, false);
    env.advance(iss, decide(fine(10_000), &["area_5_to_10sqm"], None))
        .unwrap();
    env.advance(iss, CaseEvent::Issue).unwrap();
    parked.push(iss);
    let srv = env.up_to_rights_told(10_000, false);
    env.advance(srv, decide(fine(10_000), &["area_5_to_10sqm"], None))
        .unwrap();
    env.advance(srv, CaseEvent::Issue).unwrap();
    env.advance(srv, signed()).unwrap();
    parked.push(srv);
    let closed = env.up_to_rights_told(10_000, false);
    env.advance(closed, decide(fine(10_000), &["area_5_to_10sqm"], None))
        .unwrap();
    env.advance(closed, CaseEvent::Issue).unwrap();
    env.advance(closed, signed()).unwrap();
    env.advance(
        closed,
        CaseEvent::CollectOnTheSpot {
            receipt_number: "R1".into(),
        },
    )
    .unwrap();
    let filed = closed;
    env.advance(
        filed,
        CaseEvent::File {
            note: "备案".into(),
        },
    )
    .unwrap();
    parked.push(filed);
    let cl = env.up_to_rights_told(10_000, false);
    env.advance(cl, decide(fine(10_000), &["area_5_to_10sqm"], None))
        .unwrap();
    env.advance(cl, CaseEvent::Issue).unwrap();
    env.advance(cl, signed()).unwrap();
    env.advance(
        cl,
        CaseEvent::CollectOnTheSpot {
            receipt_number: "R2".into(),
        },
    )
    .unwrap();
    env.advance(
        cl,
        CaseEvent::File {
            note: "备案".into(),
        },
    )
    .unwrap();
    env.advance(
        cl,
        CaseEvent::Close {
            note: "结案".into(),
        },
    )
    .unwrap();
    parked.push(cl);

    let all_events = vec![
        party_and_facts(individual()),
        evidence(),
        CaseEvent::ShowCredentials,
        inform(fine(10_000)),
        CaseEvent::HearStatement {
            text: "t".into(),
            review: "r".into(),
        },
        CaseEvent::WaiveStatement { words: None },
        decide(fine(10_000), &["area_5_to_10sqm"], None),
        CaseEvent::Issue,
        signed(),
        CaseEvent::RecordPayment {
            paid_on: NaiveDate::from_ymd_opt(2026, 3, 3).unwrap(),
            reference: None,
        },
        CaseEvent::CollectOnTheSpot {
            receipt_number: "R9".into(),
        },
        CaseEvent::MarkOverdue {
            on: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
        },
        CaseEvent::DecideNoPenalty {
            circumstances: vec![],
            education: "e".into(),
            guardian_order: None,
        },
        CaseEvent::OrderCorrection {
            requirement: "r".into(),
            deadline: NaiveDate::from_ymd_opt(2026, 4, 1).unwrap(),
            follow_up_due: NaiveDate::from_ymd_opt(2026, 4, 2).unwrap(),
        },
        CaseEvent::RecordFollowUp {
            corrected: true,
            note: "n".into(),
        },
        CaseEvent::File { note: "f".into() },
        CaseEvent::Close { note: "c".into() },
        CaseEvent::Void { reason: "v".into() },
    ];
    let mut refused = 0;
    for id in parked {
        let status = case::get(&env.store, id).unwrap().unwrap().status;
        for ev in &all_events {
            if ev.target(status).is_some() {
                continue;
            }
            let before = env.digest();
            let e = env.advance(id, ev.clone()).unwrap_err();
            assert_eq!(
                e.code(),
                "CASE_ILLEGAL_TRANSITION",
                "{status} / {}: {e}",
                ev.name()
            );
            let msg = e.to_string();
            // In the officer's words: the status and the step in Chinese,
            // no technical names (issue 19: no technical text on screens).
            assert!(
                msg.contains(status.label_zh()) && msg.contains(case::step_label_zh(ev.name())),
                "{msg}"
            );
            assert!(
                !msg.contains(status.as_str()) && !msg.contains(ev.name()),
                "{msg}"
            );
            assert_eq!(env.digest(), before, "{status} / {}", ev.name());
            refused += 1;
        }
    }
    assert!(refused > 100, "{refused}");
}

#[test]
fn exhausted_numbers_at_issue_leave_no_partial_state() {
    // One decision number only: the second issue fails midway (after the
    // assessment, inside the transaction) and must leave nothing behind.
    let mut env = Env::new(0);
    env.lease(LONGXING, "decision_on_the_spot", 1, 1);
    env.lease(LONGXING, "payment_code", 1, 10);
    let a = env.up_to_rights_told(10_000, false);
    env.advance(a, decide(fine(10_000), &["area_5_to_10sqm"], None))
        .unwrap();
    env.advance(a, CaseEvent::Issue).unwrap();
    let b = env.up_to_rights_told(10_000, false);
    env.advance(b, decide(fine(10_000), &["area_5_to_10sqm"], None))
        .unwrap();
    let before = env.digest();
    let outbox = env.outbox_len();
    let e = env.advance(b, CaseEvent::Issue).unwrap_err();
    assert_eq!(e.code(), "NUMBERS_EXHAUSTED", "{e}");
    assert_eq!(env.digest(), before);
    assert_eq!(env.outbox_len(), outbox);
    assert_eq!(
        case::get(&env.store, b).unwrap().unwrap().status,
        CaseStatus::Decided
    );

    // The payment-code series exhausted *after* the decision number was
    // taken in the same transaction: that number is not consumed either.
    let mut env = Env::new(0);
    env.lease(LONGXING, "decision_on_the_spot", 1, 5);
    let c = env.up_to_rights_told(10_000, false);
    env.advance(c, decide(fine(10_000), &["area_5_to_10sqm"], None))
        .unwrap();
    let before = env.digest();
    let e = env.advance(c, CaseEvent::Issue).unwrap_err();
    assert_eq!(e.code(), "NUMBERS_EXHAUSTED");
    assert!(e.to_string().contains("payment_code"), "{e}");
    assert_eq!(env.digest(), before);
    env.lease(LONGXING, "payment_code", 1, 5);
    let c2 = env.advance(c, CaseEvent::Issue).unwrap();
    assert_eq!(
        c2.issue.unwrap().number,
        "龙兴综执当罚〔2026〕1号",
        "number 1 was never consumed"
    );
}

#[test]
fn debug_output_masks_personal_data() {
    let mut env = Env::new(10);
    let id = env.up_to_rights_told(10_000, false);
    let c = case::get(&env.store, id).unwrap().unwrap();
    let dbg = format!("{c:?}");
    let p = individual();
    for secret in [
        p.name.as_str(),
        p.id_number.as_str(),
        "13800001234",
        p.address.as_str(),
        "张建国",
        "李晓燕",
    ] {
        assert!(!dbg.contains(secret), "{secret} in {dbg}");
    }
    let s = Service::Signed {
        name: "周小川".into(),
        png: png(),
    };
    assert!(!format!("{s:?}").contains("周小川"));
}

#[test]
fn a_case_needs_a_matter_in_force_and_adopted() {
    let mut env = Env::new(0);
    // CG-014 is an optional matter 龙兴镇 did not adopt.
    let e = env
        .create(LONGXING, "CG-014", officers(LONGXING))
        .unwrap_err();
    assert_eq!(e.code(), "CASE_MATTER_NOT_ADOPTED");
    let e = env
        .create(LONGXING, "NO-SUCH", officers(LONGXING))
        .unwrap_err();
    assert_eq!(e.code(), "CASE_MATTER_NOT_IN_FORCE");
    let now = env.tick();
    let e = case::create(
        &mut env.store,
        &case::NewCase {
            id: uuid::Uuid::from_u128(0x1234_5678_9abc_4def_8123_4567_89ab_cdef),
            township: LONGXING.into(),
            matter_code: STALLS.into(),
            violation_time: violation_time(),
            officers: officers(LONGXING).map(String::from),
        },
        now,
    )
    .unwrap_err();
    assert_eq!(e.code(), "CASE_INVALID_ID");
}
