//! The supervision cockpit's stored answer (issue 18 done-when 2;
//! `supervise::cockpit`): over a generated year of facts and inspections,
//! the full recomputation stores the indicators per township and day, and
//! a cockpit query for any scope and period inside it answers from them —
//! with exactly the indicators `report::report` recomputes, and the same
//! clues of every model that judges a township alone (the whole clue list
//! for the city). Still so after a real device pushes a case, after a
//! case's facts change (paid, decided on another day), and after a
//! normal-procedure case is opened: the changed townships are marked and
//! refreshed by the next query. A query the stored answer does not cover
//! (another day, a period outside it, other settings) is recomputed. On
//! SQLite and PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should abort loudly

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use zhifa_server::store::sql::Val;
use zhifa_server::supervise::cockpit::{GROUP_MODELS, Served, answer, answer_with, recompute};
use zhifa_server::supervise::report::{Report, report};
use zhifa_server::supervise::{CaseFacts, Config, Outcome, facts};
use zhifa_tests::{Backend, OFFICERS, TOWNSHIP, TestDevice, TestServer, t0};

zhifa_tests::on_both_backends!(the_stored_answer_is_the_recomputed_report);

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

const TOWNSHIPS: [&str; 6] = [
    TOWNSHIP,
    "500112109",
    "500112110",
    "500113101",
    "500113102",
    "500113103",
];

/// A cheap repeatable hash of `i` in 0..1000.
fn h(i: u64) -> u64 {
    (i.wrapping_mul(7919).wrapping_add(i / 7 * 104_729)) % 1000
}

/// The facts of generated case `i`: penalties (some unpaid past due, some
/// far from their peers, some refused by the replay, some without
/// credentials or evidence, some collected above 100 元, some not served),
/// no-penalty outcomes (some on the first-violation ground by parties seen
/// before), open and voided cases, one in ten in the year before.
fn generated(i: u64) -> CaseFacts {
    let h = h(i);
    let township = TOWNSHIPS[(i % 6) as usize].to_owned();
    let year = if i.is_multiple_of(10) { 2025 } else { 2026 };
    let on = day(year, 1, 1) + Duration::days(((i * 37) % 340) as i64);
    let created_at: DateTime<Utc> = Utc
        .from_local_datetime(&on.and_hms_opt(1, (i % 60) as u32, 0).unwrap())
        .unwrap();
    let outcome = match h {
        0..700 => Outcome::Penalty,
        700..850 => Outcome::NoPenalty,
        850..950 => Outcome::Open,
        _ => Outcome::Void,
    };
    let decided_at = outcome.decided().then(|| {
        (on + Duration::days((h % 3) as i64))
            .and_hms_opt(9, (h % 50) as u32, 0)
            .unwrap()
    });
    let penalty = outcome == Outcome::Penalty;
    let band = 1 + (i / 7) % 4;
    let amount = ((i % 10) + 1) * 5000 * band * if h % 97 == 3 { 5 } else { 1 };
    let paid = penalty && !h.is_multiple_of(11);
    let officer_a = OFFICERS[(i % OFFICERS.len() as u64) as usize].to_owned();
    let officer_b = if h % 89 == 1 {
        officer_a.clone()
    } else {
        format!("OFF-{}", i % 23)
    };
    CaseFacts {
        case_id: format!("gen-{i:06}"),
        version: 1,
        district: township[..6].to_owned(),
        township,
        matter_code: format!("M-{:02}", i % 7),
        procedure: "simple".into(),
        status: match outcome {
            Outcome::Penalty if paid => "paid".into(),
            Outcome::Penalty => "served".into(),
            Outcome::NoPenalty => "no_penalty".into(),
            Outcome::Open => "party_and_facts".into(),
            Outcome::Void => "draft".into(),
        },
        officers: [officer_a, officer_b],
        party_kind: Some(
            if h.is_multiple_of(5) {
                "organization"
            } else {
                "individual"
            }
            .into(),
        ),
        party_index: Some(format!("p{}", i % 300)),
        violation_date: on,
        created_at,
        decided_at,
        outcome,
        exemption: (outcome == Outcome::NoPenalty).then(|| "minor".into()),
        first_violation: outcome == Outcome::NoPenalty && h.is_multiple_of(3),
        penalty_kind: penalty.then(|| "fine".into()),
        amount_fen: penalty.then_some(amount as i64),
        band: penalty.then(|| format!("L{band}")),
        suggested_level: penalty.then(|| format!("L{}", band + u64::from(h % 53 == 5))),
        deviation_reason: false,
        collected_on_spot: penalty && h % 61 == 7,
        evidence_count: if h % 71 == 9 { 0 } else { 1 + (h % 4) as i64 },
        no_evidence_reason: false,
        served_on: (penalty && h % 43 != 2).then_some(on),
        payment_due: penalty.then(|| on + Duration::days(15)),
        paid_on: paid.then(|| on + Duration::days(3)),
        credentials_shown: h % 67 != 11,
        replay_ok: outcome.decided().then_some(h % 59 != 13),
        replay_codes: if h % 59 == 13 {
            vec!["CASE_AMOUNT_OUTSIDE_BAND".into()]
        } else {
            Vec::new()
        },
    }
}

fn generate(server: &TestServer, cases: u64, inspections: u64) {
    server.store(|db| {
        db.write_as(|c| {
            for i in 0..cases {
                facts::save(c, &generated(i))?;
            }
            for i in 0..inspections {
                let township = TOWNSHIPS[(i % 6) as usize];
                let started = (day(2026, 1, 1) + Duration::days(((i * 13) % 360) as i64)).to_string();
                c.exec(
                    "INSERT INTO record_inspection (inspection_id, device_id, version, township, district,
                         release_id, status, officer_a, officer_b, started_on, items, failed, party_kind,
                         party_masked, party_index, sealed, updated_at, received_at)
                     VALUES (?1, 'dev-gen', 3, ?2, ?3, 'CQ-2026-R1', 'finished', 'OFF-1', 'OFF-2', ?4, ?5, 0,
                         'organization', '某*', ?6, 'zv1:record.inspection/1:stand-in',
                         '2026-06-01T00:00:00.000Z', '2026-06-01T00:00:00.000Z')",
                    &[
                        Val::Text(&format!("insp-{i:05}")),
                        Val::Text(township),
                        Val::Text(&township[..6]),
                        Val::Text(&started),
                        Val::Int(4 + (i % 5) as i64),
                        Val::Text(&format!("shop{}", i % 40)),
                    ],
                )?;
            }
            Ok::<_, zhifa_server::supervise::SuperviseError>(())
        })
        .unwrap()
    });
}

const SCOPES: [&str; 7] = ["", "5001", "500112", "500113", TOWNSHIP, "500113102", "99"];

fn periods() -> [(NaiveDate, NaiveDate); 4] {
    [
        (day(2026, 1, 1), day(2026, 12, 31)),
        (day(2026, 3, 1), day(2026, 3, 31)),
        (day(2026, 3, 10), day(2026, 3, 10)),
        (day(2026, 7, 1), day(2026, 11, 30)),
    ]
}

/// How many clues the capped answers below list: fewer than the generated
/// data's scopes hold, so the cap bites.
const CAP: usize = 7;

/// A capped answer lists the first [`CAP`] of the full answer's clues by
/// township, model and id, in the report's order, and counts them all:
/// per model and in total.
fn assert_capped(full: &Report, capped: &Report, what: &str) {
    let mut first: Vec<_> = full.clues.clone();
    first.sort_by(|a, b| (&a.township, &a.model, &a.id).cmp(&(&b.township, &b.model, &b.id)));
    first.truncate(CAP);
    first.sort_by(|a, b| (&a.township, &a.model, &a.cases).cmp(&(&b.township, &b.model, &b.cases)));
    // The same clues (a report of another period may have reworded a
    // group model's reason since: its peers are the period's).
    let key = |v: &[zhifa_server::supervise::Clue]| -> Vec<(String, String, String, Vec<String>)> {
        v.iter()
            .map(|c| {
                (
                    c.id.clone(),
                    c.township.clone(),
                    c.model.clone(),
                    c.cases.clone(),
                )
            })
            .collect()
    };
    assert_eq!(key(&capped.clues), key(&first), "{what}: the listed clues");
    assert_eq!(
        capped.clues_total,
        full.clues.len() as u64,
        "{what}: the total"
    );
    assert_eq!(
        full.clues_total,
        full.clues.len() as u64,
        "{what}: the full total"
    );
    assert_eq!(capped.models, full.models, "{what}: every model's count");
    assert_eq!(capped.indicators, full.indicators, "{what}: the indicators");
}

fn township_alone(r: &Report) -> Vec<(String, String, Vec<String>)> {
    r.clues
        .iter()
        .filter(|c| !GROUP_MODELS.contains(&c.model.as_str()))
        .map(|c| (c.township.clone(), c.model.clone(), c.cases.clone()))
        .collect()
}

/// Every scope and period: the stored answer's indicators and
/// township-alone clues are the recomputed report's.
fn compare_all(server: &TestServer, as_of: NaiveDate, what: &str) {
    let cfg = Config::default();
    for scope in SCOPES {
        for (from, to) in periods() {
            let (stored, served) =
                server.store(|db| answer(db, scope, from, to, as_of, t0(), &cfg).unwrap());
            assert_eq!(served, Served::Stored, "{what}: {scope} {from}..{to}");
            let again = server.store(|db| report(db, scope, from, to, as_of, t0(), &cfg).unwrap());
            assert_eq!(
                stored.indicators, again.indicators,
                "{what}: indicators of {scope:?} {from}..{to}"
            );
            assert_eq!(
                township_alone(&stored),
                township_alone(&again),
                "{what}: clues of {scope:?} {from}..{to}"
            );
            assert_eq!(stored.deadlines, again.deadlines);
            let capped = server.store(|db| {
                answer_with(db, scope, from, to, as_of, t0(), &cfg, Some(CAP)).unwrap()
            });
            assert_eq!(capped.1, Served::Stored);
            assert_capped(
                &stored,
                &capped.0,
                &format!("{what}: {scope:?} {from}..{to}"),
            );
        }
    }
}

fn city(server: &TestServer, as_of: NaiveDate) -> (Report, Served) {
    server.store(|db| {
        answer(
            db,
            "",
            day(2026, 1, 1),
            day(2026, 12, 31),
            as_of,
            t0(),
            &Config::default(),
        )
        .unwrap()
    })
}

fn total(r: &Report, f: impl Fn(&zhifa_server::supervise::report::Indicators) -> u64) -> u64 {
    r.indicators.iter().map(f).sum()
}

async fn the_stored_answer_is_the_recomputed_report(b: Backend) {
    let server = TestServer::on(&b);
    generate(&server, 1500, 300);
    let (from, to, as_of) = (day(2026, 1, 1), day(2026, 12, 31), day(2026, 12, 10));
    let cfg = Config::default();

    // Nothing stored yet: recomputed.
    assert_eq!(city(&server, as_of).1, Served::Recomputed);
    let full = server.store(|db| recompute(db, from, to, as_of, t0(), &cfg).unwrap());
    assert_eq!(
        server.db().int("SELECT count(*) FROM supervise_dirty", &[]),
        0,
        "the recomputation clears the marks it saw"
    );
    // The city for the stored period: the whole report is the same,
    // every clue included.
    let (stored, served) = city(&server, as_of);
    assert_eq!(served, Served::Stored);
    assert_eq!(stored, full);
    // The data is not trivial: every indicator has something to count.
    assert_eq!(stored.indicators.len(), TOWNSHIPS.len());
    assert!(total(&stored, |i| i.cases) > 1000);
    for (name, n) in [
        ("overdue", total(&stored, |i| i.overdue)),
        ("flagged", total(&stored, |i| i.flagged)),
        ("open", total(&stored, |i| i.open)),
        ("voided", total(&stored, |i| i.voided)),
        ("no_penalty", total(&stored, |i| i.no_penalty)),
        ("inspections", total(&stored, |i| i.inspections)),
    ] {
        assert!(n > 0, "{name} is counted");
    }
    assert!(stored.clues.len() > 20, "{}", stored.clues.len());
    compare_all(&server, as_of, "after the recomputation");

    // A real device pushes a full case into the first township.
    let t = server.transport();
    let mut dev = TestDevice::new();
    dev.enrol(&t, &server.code(OFFICERS[0])).await.unwrap();
    dev.sync(&t).await.unwrap();
    assert_eq!(dev.township, TOWNSHIP);
    let before = city(&server, as_of).0;
    dev.full_case();
    let r = dev.sync(&t).await.unwrap();
    assert_eq!(r.rejected, 0, "{r:?}");
    let (after, served) = city(&server, as_of);
    assert_eq!(served, Served::Stored);
    assert_eq!(
        total(&after, |i| i.cases),
        total(&before, |i| i.cases) + 1,
        "the pushed case is counted"
    );
    assert_eq!(
        server.db().int("SELECT count(*) FROM supervise_dirty", &[]),
        0,
        "the query refreshed the marked township"
    );
    compare_all(&server, as_of, "after a push");

    // Changes: an unpaid fine paid; a decision moved to another day (its
    // activity day with it); a normal-procedure case opened.
    let unpaid = (0..1500)
        .map(generated)
        .find(|f| {
            f.outcome == Outcome::Penalty
                && f.paid_on.is_none()
                && f.served_on.is_some()
                && f.violation_date.year() == 2026
                && f.payment_due.is_some_and(|d| d < as_of)
        })
        .unwrap();
    let paid = CaseFacts {
        version: 2,
        status: "paid".into(),
        paid_on: unpaid.payment_due,
        ..unpaid.clone()
    };
    let mut moved = generated(7);
    assert!(moved.decided_at.is_some());
    moved.version = 2;
    moved.decided_at = moved.decided_at.map(|d| d + Duration::days(40));
    let (before, cases_before) = (
        city(&server, as_of).0,
        server.db().int("SELECT count(*) FROM procedure_case", &[]),
    );
    server.store(|db| {
        db.write_as(|c| {
            facts::save(c, &paid)?;
            facts::save(c, &moved)?;
            Ok::<_, zhifa_server::supervise::SuperviseError>(())
        })
        .unwrap()
    });
    assert!(
        server.db().int("SELECT count(*) FROM supervise_dirty", &[]) > 0,
        "marked"
    );
    let (paid_now, served) = city(&server, as_of);
    assert_eq!(served, Served::Stored);
    assert_eq!(
        total(&paid_now, |i| i.overdue) + 1,
        total(&before, |i| i.overdue),
        "the paid fine is no longer overdue"
    );
    // The normal case's 先行登记保存 (7 working days, Art. 56) ran out.
    zhifa_tests::plant::normal_case(&server, t0());
    assert_eq!(
        server.db().int("SELECT count(*) FROM procedure_case", &[]),
        cases_before + 1
    );
    let (after, served) = city(&server, as_of);
    assert_eq!(served, Served::Stored);
    assert_eq!(
        total(&after, |i| i.normal),
        total(&paid_now, |i| i.normal) + 1
    );
    assert_eq!(
        total(&after, |i| i.overdue),
        total(&paid_now, |i| i.overdue) + 1
    );
    assert_eq!(
        server.db().int("SELECT count(*) FROM supervise_dirty", &[]),
        0,
        "the city query drained every mark"
    );
    assert!(
        after
            .deadlines
            .items
            .iter()
            .any(|i| i.clock == "registration_save"),
        "the planted case's clocks are stored and served: {:?}",
        after.deadlines
    );
    compare_all(&server, as_of, "after a change");

    // Another day, a period outside the stored one, other settings:
    // recomputed, never served stale.
    assert_eq!(
        city(&server, as_of + Duration::days(1)).1,
        Served::Recomputed
    );
    let outside = server
        .store(|db| answer(db, "", day(2025, 6, 1), day(2026, 6, 1), as_of, t0(), &cfg).unwrap());
    assert_eq!(outside.1, Served::Recomputed);
    let outside_capped = server.store(|db| {
        answer_with(
            db,
            "",
            day(2025, 6, 1),
            day(2026, 6, 1),
            as_of,
            t0(),
            &cfg,
            Some(CAP),
        )
        .unwrap()
    });
    assert_eq!(outside_capped.1, Served::Recomputed);
    assert!(outside.0.clues.len() > CAP, "the cap bites on the city");
    assert_capped(&outside.0, &outside_capped.0, "recomputed");
    let strict = Config {
        dispersion_k: 0.5,
        ..Config::default()
    };
    let other = server.store(|db| answer(db, "", from, to, as_of, t0(), &strict).unwrap());
    assert_eq!(other.1, Served::Recomputed);
}
