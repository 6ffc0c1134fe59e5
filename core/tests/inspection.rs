//! Joint inspections (综合查一次) on a device store with the sample
//! catalogue: merged checklists, results, the three outcomes of a failure
//! (order to correct, simple case, referral), the record PDF, follow-up
//! tasks, and the catalogue checks of the inspection part.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should abort loudly

mod case_support;

use std::collections::HashSet;

use case_support::{Env, LONGXING, SAMPLE, individual, officers, png};
use chrono::NaiveDate;
use uuid::Uuid;
use zhifa_core::ErrorCode;
use zhifa_core::case::{self, CaseStatus};
use zhifa_core::catalogue::check_package;
use zhifa_core::catalogue::model::Package;
use zhifa_core::document::fonts::FontSet;
use zhifa_core::document::model::PartySignature;
use zhifa_core::document::template::Template;
use zhifa_core::document::{RenderOptions, render_pdf};
use zhifa_core::inspection::{
    self, FinishInput, InspectionStatus, NewInspection, Outcome, OutcomeChoice, Verdict, task,
};

const SHOP: &str = "CJ-XXSC";
const RESTAURANT: &str = "CJ-CYMD";

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn start(env: &mut Env, scenarios: &[&str]) -> inspection::Inspection {
    let now = env.tick();
    inspection::start(
        &mut env.store,
        &NewInspection {
            id: case::uuid_v7(now),
            township: LONGXING.into(),
            officers: officers(LONGXING).map(String::from),
            place: "龙兴镇示例路18号“川味小馆”".into(),
            party: individual(),
            scenarios: scenarios.iter().map(|s| (*s).to_owned()).collect(),
            task_id: None,
        },
        now,
    )
    .unwrap()
}

fn result(env: &mut Env, id: Uuid, item: &str, v: Verdict, note: &str) -> inspection::Inspection {
    let now = env.tick();
    inspection::record_result(&mut env.store, id, item, v, note, &[], now).unwrap()
}

fn signature() -> PartySignature {
    PartySignature::Signed {
        name: "周小川".into(),
        png: png(),
        signed_at: case_support::violation_time(),
    }
}

#[test]
fn the_sample_has_five_scenarios_over_eight_departments() {
    let env = Env::new(0);
    let list = inspection::scenarios(&env.store, d("2026-03-02")).unwrap();
    assert!(list.len() >= 5, "{} scenarios", list.len());
    let departments: HashSet<&String> = list.iter().flat_map(|s| &s.departments).collect();
    assert!(departments.len() >= 8, "{departments:?}");
    assert!(list.iter().any(|s| s.name == "建筑工地"));
}

#[test]
fn merging_two_scenarios_lists_each_shared_item_once() {
    let env = Env::new(0);
    let on = d("2026-03-02");
    let (_, shop) = inspection::checklist(&env.store, on, &[SHOP.into()]).unwrap();
    let (_, food) = inspection::checklist(&env.store, on, &[RESTAURANT.into()]).unwrap();
    let (_, both) =
        inspection::checklist(&env.store, on, &[SHOP.into(), RESTAURANT.into()]).unwrap();
    let codes: Vec<&str> = both.iter().map(|i| i.code.as_str()).collect();
    let unique: HashSet<&str> = codes.iter().copied().collect();
    assert_eq!(unique.len(), codes.len(), "no duplicates: {codes:?}");
    let expected: HashSet<&str> = shop.iter().chain(&food).map(|i| i.code.as_str()).collect();
    assert_eq!(unique, expected);
    assert!(both.len() < shop.len() + food.len(), "shared items merged");
    // 疏散通道 is in both scenarios and carries both codes.
    let exit = both.iter().find(|i| i.code == "JC-XF-01").unwrap();
    assert_eq!(exit.scenarios, [SHOP, RESTAURANT]);
    assert_eq!(exit.basis, ["《中华人民共和国消防法》第28条"]);
    // The shop's items come first, in its order.
    assert_eq!(
        codes[..shop.len()],
        shop.iter().map(|i| i.code.as_str()).collect::<Vec<_>>()[..]
    );
}

#[test]
fn unknown_or_missing_scenarios_are_refused_with_codes() {
    let env = Env::new(0);
    let on = d("2026-03-02");
    let e = inspection::checklist(&env.store, on, &[]).unwrap_err();
    assert_eq!(e.code(), "INSPECTION_NO_SCENARIO");
    let e = inspection::checklist(&env.store, on, &["NOPE".into()]).unwrap_err();
    assert_eq!(e.code(), "INSPECTION_UNKNOWN_SCENARIO");
}

#[test]
fn a_joint_inspection_ends_in_a_record_orders_a_case_and_a_referral() {
    let mut env = Env::new(100);
    let insp = start(&mut env, &[SHOP, RESTAURANT]);
    let id = insp.id;
    assert!(insp.departments().len() >= 3, "{:?}", insp.departments());
    assert_eq!(insp.version, 1);

    // Fail three items, pass or n/a the rest.
    let failed = [
        ("JC-XF-01", "后门安全出口被纸箱堆放堵塞"),
        ("JC-SC-03", "未能出示食品经营许可证"),
        ("JC-CG-01", "在门店外人行道摆放餐桌4张经营"),
    ];
    for f in &insp.findings {
        let code = f.item.code.as_str();
        match failed.iter().find(|(c, _)| *c == code) {
            Some((_, note)) => {
                result(&mut env, id, code, Verdict::Fail, note);
            }
            None if code == "JC-SC-07" => {
                result(&mut env, id, code, Verdict::NotApplicable, "不经营烟酒");
            }
            None => {
                result(&mut env, id, code, Verdict::Pass, "");
            }
        }
    }
    // A failure needs a note; an unknown item is refused.
    let now = env.tick();
    let e = inspection::record_result(&mut env.store, id, "JC-XF-01", Verdict::Fail, " ", &[], now)
        .unwrap_err();
    assert_eq!(e.code(), "INSPECTION_FIELD_REQUIRED");
    let e = inspection::record_result(&mut env.store, id, "JC-XX", Verdict::Pass, "", &[], now)
        .unwrap_err();
    assert_eq!(e.code(), "INSPECTION_UNKNOWN_ITEM");

    // Undecided failures block the record.
    let input = FinishInput {
        recorder: "李四".into(),
        present_person: None,
        witness: None,
        party_signature: signature(),
    };
    let now = env.tick();
    let e = inspection::finish(&mut env.store, id, &input, now).unwrap_err();
    assert_eq!(e.code(), "INSPECTION_INCOMPLETE");
    assert!(e.to_string().contains("3 项不符合事项未处理"), "{e}");

    // 1. Order to correct: 消防 exit, 1 day from Mon 2026-03-02.
    let now = env.tick();
    let choice = OutcomeChoice::OrderToCorrect {
        requirement: "立即清除堆放物，保持安全出口畅通".into(),
    };
    let after = inspection::decide(&mut env.store, id, "JC-XF-01", &choice, now).unwrap();
    let f = after
        .findings
        .iter()
        .find(|f| f.item.code == "JC-XF-01")
        .unwrap();
    let Some(Outcome::OrderToCorrect {
        number,
        deadline,
        follow_up_due,
        follow_up_task,
        ..
    }) = &f.outcome
    else {
        panic!("{:?}", f.outcome)
    };
    assert_eq!(number, "龙兴综执责改〔2026〕1号");
    assert_eq!(*deadline, d("2026-03-03"));
    assert_eq!(*follow_up_due, d("2026-03-04"));
    let e = inspection::decide(&mut env.store, id, "JC-XF-01", &choice, env.clock).unwrap_err();
    assert_eq!(e.code(), "INSPECTION_OUTCOME_EXISTS");
    let e = inspection::record_result(&mut env.store, id, "JC-XF-01", Verdict::Pass, "", &[], now)
        .unwrap_err();
    assert_eq!(e.code(), "INSPECTION_RESULT_LOCKED");

    // 2. 食品经营许可 has no township matter: an order is refused, a referral taken.
    let now = env.tick();
    let e = inspection::decide(
        &mut env.store,
        id,
        "JC-SC-03",
        &OutcomeChoice::OrderToCorrect {
            requirement: "办理许可".into(),
        },
        now,
    )
    .unwrap_err();
    assert_eq!(e.code(), "INSPECTION_MUST_REFER");
    assert!(e.to_string().contains("区市场监督管理局"), "{e}");
    let referral = OutcomeChoice::Referral {
        reason: "涉嫌未取得食品经营许可从事餐饮服务，属市场监管部门职权".into(),
    };
    let now = env.tick();
    let after = inspection::decide(&mut env.store, id, "JC-SC-03", &referral, now).unwrap();
    let f = after
        .findings
        .iter()
        .find(|f| f.item.code == "JC-SC-03")
        .unwrap();
    assert!(
        matches!(&f.outcome, Some(Outcome::Referral { department, .. }) if department == "CQ-SCJG")
    );

    // 3. 店外经营 (CG-002) becomes a simple-procedure case with party and facts.
    let now = env.tick();
    let after = inspection::decide(
        &mut env.store,
        id,
        "JC-CG-01",
        &OutcomeChoice::SimpleCase,
        now,
    )
    .unwrap();
    let f = after
        .findings
        .iter()
        .find(|f| f.item.code == "JC-CG-01")
        .unwrap();
    let Some(Outcome::SimpleCase { case_id }) = &f.outcome else {
        panic!()
    };
    let c = case::get(&env.store, *case_id).unwrap().unwrap();
    assert_eq!(c.status, CaseStatus::PartyAndFacts);
    assert_eq!(c.matter_code, "CG-002");
    assert!(c.facts.unwrap().contains("门店外人行道"));

    // A passed item cannot get an outcome.
    let now = env.tick();
    let e = inspection::decide(&mut env.store, id, "JC-SC-01", &referral, now).unwrap_err();
    assert_eq!(e.code(), "INSPECTION_NOT_FAILED");

    // Finish: the record and the order.
    let now = env.tick();
    let done = inspection::finish(&mut env.store, id, &input, now).unwrap();
    assert_eq!(done.status, InspectionStatus::Finished);
    let record = inspection::record_document(&done).unwrap();
    let fields = record.fields(false);
    let findings = &fields["findings"];
    assert!(findings.contains("【区消防救援支队】"), "{findings}");
    assert!(
        findings.contains("已移送区市场监督管理局处理"),
        "{findings}"
    );
    assert!(findings.contains("龙兴综执责改〔2026〕1号"), "{findings}");
    assert!(fields["cause"].contains("小型商超、餐饮门店"));
    let orders = inspection::order_documents(&done);
    assert_eq!(orders.len(), 1);
    assert_eq!(orders[0].fields(false)["deadline"], "2026年3月3日");
    // The order cites the matter's own clause (XF-001's 罚则, 消防法 Art.
    // 60), not the general duty of 行政处罚法 Art. 28 (issue 19).
    let basis = &orders[0].fields(false)["order_basis"];
    assert!(basis.contains("《中华人民共和国消防法》第60条"), "{basis}");
    assert!(!basis.contains("行政处罚法"), "{basis}");

    let fonts = FontSet::bundled().unwrap();
    for doc in std::iter::once(&record).chain(&orders) {
        let t = Template::builtin(doc.kind()).unwrap();
        let pdf = render_pdf(doc, &t, &fonts, &RenderOptions::default()).unwrap();
        assert!(pdf.pdf.starts_with(b"%PDF"));
    }
    assert_eq!(
        done.finish.as_ref().unwrap().record_sha256,
        zhifa_core::document::document_hash(&record)
    );

    // Finished: nothing more.
    let e = inspection::record_result(
        &mut env.store,
        id,
        "JC-SC-01",
        Verdict::Fail,
        "x",
        &[],
        env.clock,
    )
    .unwrap_err();
    assert_eq!(e.code(), "INSPECTION_FINISHED");

    // The outbox: start, one result per item, three outcomes, finish; one task.
    let out = case::outbox_pending(&env.store).unwrap();
    let ops: Vec<&str> = out
        .iter()
        .filter(|o| o.entity == "inspection")
        .map(|o| o.op.as_str())
        .collect();
    assert_eq!(ops.first(), Some(&"start"));
    assert_eq!(ops.last(), Some(&"finish"));
    assert_eq!(
        ops.iter().filter(|o| **o == "result").count(),
        done.findings.len()
    );
    for op in ["order", "referral", "case"] {
        assert_eq!(ops.iter().filter(|o| **o == op).count(), 1, "{op}");
    }
    let referral_rec = out.iter().find(|o| o.op == "referral").unwrap();
    assert_eq!(referral_rec.payload["department"], "CQ-SCJG");
    assert!(out.iter().any(|o| o.entity == "task" && o.op == "create"));

    // The follow-up check: accepted and reported with its times.
    let tasks = task::tasks(&env.store).unwrap();
    assert_eq!(tasks.len(), 1);
    let t = &tasks[0];
    assert_eq!(t.id, *follow_up_task);
    assert_eq!(t.due_on, Some(d("2026-03-04")));
    assert_eq!(t.department.as_deref(), Some("CQ-XFJY"));
    let now = env.tick();
    let e = task::report(
        &mut env.store,
        t.id,
        &task::TaskReport {
            note: "已复查".into(),
            corrected: None,
            inspection_id: None,
            case_id: None,
        },
        now,
    )
    .unwrap_err();
    assert_eq!(e.code(), "INSPECTION_FIELD_REQUIRED");
    let now = env.tick();
    let done_task = task::report(
        &mut env.store,
        t.id,
        &task::TaskReport {
            note: "安全出口已清理畅通".into(),
            corrected: Some(true),
            inspection_id: None,
            case_id: None,
        },
        now,
    )
    .unwrap();
    assert_eq!(done_task.status, task::TaskStatus::Done);
    assert!(done_task.accepted_at.is_some() && done_task.done_at.is_some());
    let now = env.tick();
    let e = task::accept(&mut env.store, t.id, now).unwrap_err();
    assert_eq!(e.code(), "TASK_ILLEGAL_STEP");

    // The protocol's records are the device's JSON, field for field, and
    // parse back from it (what the server keeps is what the device holds).
    let insp_json = serde_json::to_value(&done).unwrap();
    let insp_rec = zhifa_protocol::record::InspectionRecord::from(&done);
    assert_eq!(serde_json::to_value(&insp_rec).unwrap(), insp_json);
    assert_eq!(
        serde_json::from_value::<zhifa_protocol::record::InspectionRecord>(insp_json).unwrap(),
        insp_rec
    );
    for t in [t, &done_task] {
        let task_json = serde_json::to_value(t).unwrap();
        let task_rec = zhifa_protocol::record::TaskRecord::from(t);
        assert_eq!(serde_json::to_value(&task_rec).unwrap(), task_json);
        assert_eq!(
            serde_json::from_value::<zhifa_protocol::record::TaskRecord>(task_json).unwrap(),
            task_rec
        );
    }
}

#[test]
fn a_deadline_on_a_rest_day_moves_to_the_next_working_day() {
    let pkg: Package = serde_json::from_str(SAMPLE).unwrap();
    // Fri 2026-03-06 + 1 day = Sat → Mon 03-09; the 复查 is Tue 03-10.
    let (deadline, follow) =
        inspection::correction_dates(&pkg.calendar, d("2026-03-06"), 1).unwrap();
    assert_eq!((deadline, follow), (d("2026-03-09"), d("2026-03-10")));
    // 2026-09-30 + 1 = 10-01 (National Day holidays to 10-07) → 10-08.
    let (deadline, _) = inspection::correction_dates(&pkg.calendar, d("2026-09-30"), 1).unwrap();
    assert_eq!(deadline, d("2026-10-08"));
}

#[test]
fn officers_of_another_township_cannot_inspect() {
    let mut env = Env::new(0);
    let now = env.tick();
    let e = inspection::start(
        &mut env.store,
        &NewInspection {
            id: case::uuid_v7(now),
            township: LONGXING.into(),
            officers: officers(case_support::DONGXI).map(String::from),
            place: "示例路1号".into(),
            party: individual(),
            scenarios: vec![SHOP.into()],
            task_id: None,
        },
        now,
    )
    .unwrap_err();
    assert_eq!(e.code(), "CASE_OFFICER_NOT_QUALIFIED");
    assert!(inspection::list(&env.store).unwrap().is_empty());
}

fn issue_codes(pkg: &Package) -> Vec<(String, &'static str)> {
    match check_package(&serde_json::to_vec(pkg).unwrap()) {
        Ok(_) => vec![],
        Err(zhifa_core::catalogue::CatalogueError::Invalid { issues }) => {
            issues.into_iter().map(|i| (i.path, i.code)).collect()
        }
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn the_inspection_part_of_a_package_is_checked_with_stable_codes() {
    let mut pkg: Package = serde_json::from_str(SAMPLE).unwrap();
    assert!(issue_codes(&pkg).is_empty());
    pkg.inspection_items[0].department = "NOPE".into();
    pkg.inspection_items[1].basis = vec!["NO-SUCH".into()];
    pkg.inspection_items[2].matter = Some("NO-MATTER".into());
    pkg.inspection_items[3].correction_days = 0;
    let dup = pkg.inspection_items[4].clone();
    pkg.inspection_items.push(dup);
    pkg.scenarios[0].items.push("JC-NOPE".into());
    let first = pkg.scenarios[1].items[0].clone();
    pkg.scenarios[1].items.push(first);
    let dep = pkg.departments[0].clone();
    pkg.departments.push(dep);
    let codes = issue_codes(&pkg);
    let has = |path: &str, code: &str| codes.iter().any(|(p, c)| p == path && *c == code);
    assert!(
        has(
            "$.inspection_items[0].department",
            "item_unknown_department"
        ),
        "{codes:?}"
    );
    assert!(
        has("$.inspection_items[1].basis[0]", "unknown_provision"),
        "{codes:?}"
    );
    assert!(
        has("$.inspection_items[2].matter", "item_unknown_matter"),
        "{codes:?}"
    );
    assert!(
        has("$.inspection_items[3].correction_days", "schema_violation"),
        "{codes:?}"
    );
    let n = pkg.inspection_items.len() - 1;
    assert!(
        has(
            &format!("$.inspection_items[{n}].code"),
            "duplicate_item_code"
        ),
        "{codes:?}"
    );
    let j = pkg.scenarios[0].items.len() - 1;
    assert!(
        has(
            &format!("$.scenarios[0].items[{j}]"),
            "scenario_unknown_item"
        ),
        "{codes:?}"
    );
    let j = pkg.scenarios[1].items.len() - 1;
    assert!(
        has(
            &format!("$.scenarios[1].items[{j}]"),
            "scenario_duplicate_item"
        ),
        "{codes:?}"
    );
    let k = pkg.departments.len() - 1;
    assert!(
        has(
            &format!("$.departments[{k}].code"),
            "duplicate_department_code"
        ),
        "{codes:?}"
    );
}

#[test]
fn the_json_schema_refuses_an_empty_scenario() {
    let mut v: serde_json::Value = serde_json::from_str(SAMPLE).unwrap();
    v["scenarios"][0]["items"] = serde_json::json!([]);
    let issues = zhifa_core::catalogue::validate::schema_check(v.to_string().as_bytes()).unwrap();
    assert!(
        issues
            .iter()
            .any(|i| i.path.starts_with("$.scenarios[0].items") && i.code == "schema_violation"),
        "{issues:?}"
    );
}
