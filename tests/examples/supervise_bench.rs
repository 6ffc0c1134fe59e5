//! 执法监督 at city scale (issue 18 done-when 2; docs/BENCHMARKS.md
//! "Supervision at city scale"): a generated year for the city on
//! PostgreSQL — `--cases` supervision facts over 1,031 townships in 40
//! districts (simple procedure: penalties, no-penalty outcomes, open and
//! voided cases, amounts by matter and band with noise and a few planted
//! outliers, repeat parties, late payers) and `--inspections` joint
//! inspections — then times:
//!
//! 1. the full recomputation: every model and every indicator over the
//!    whole city and year, the clues remembered and the indicators stored
//!    per township and day (`supervise::cockpit::recompute`), as the
//!    server's upkeep runs it;
//! 2. the cockpit's queries (`supervise::cockpit::answer_with`, from the
//!    stored running totals and clues, listing at most `COCKPIT_CLUES`
//!    clues as the console's route does): the report of a random township, of a random
//!    district and of the city, and the clue list of a district
//!    (`--queries` each); for comparison, a district's report recomputed
//!    (`supervise::report::report`, as before the stored days);
//! 3. a pushed case showing in the indicators: a real device pushes a full
//!    case into one township, then the township's cockpit report is asked
//!    for and must count it (push answered → indicators counted; the
//!    township's stored days are refreshed by that query);
//! 4. the deadline monitor (`supervise::deadlines::deadlines`) of a
//!    district holding `--normal` normal-procedure cases, planted before
//!    the cockpit's queries so that every report of the city and of that
//!    district carries their open clocks; and the phases of the city's
//!    report (indicators, clues, deadline monitor, facts refresh, JSON).
//!
//! The facts are generated straight into `supervise_case` (their refresh
//! from sealed records is the push-time cost measured in 3).
//!
//! ```sh
//! eval "$(bash scripts/pg.sh start /tmp/pg)"
//! cargo run --release -p zhifa-tests --example supervise_bench -- \
//!     --database "$ZHIFA_TEST_PG_URL" --cases 1000000 --inspections 200000 --queries 200 --normal 2000
//! ```

#![allow(clippy::unwrap_used, clippy::expect_used)] // benchmark: a failure should abort loudly

use std::time::Instant;

use chrono::NaiveDate;
use rand::Rng;
use zhifa_server::supervise::Config;
use zhifa_server::supervise::cockpit::{
    COCKPIT_CLUES, Served, answer_with, recompute, refresh_dirty, stored_clue_page, stored_clues,
    stored_indicators,
};
use zhifa_server::supervise::report::{Report, report};
use zhifa_tests::{Backend, OFFICERS, TestDevice, TestServer, t0};

const TOWNSHIPS: i64 = 1031;
const DISTRICTS: i64 = 40;

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn township(n: i64) -> String {
    format!("5001{:02}{:03}", n % DISTRICTS, n / DISTRICTS + 100)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// The generated year: one statement per table. `h` is a cheap hash of
/// `i` in 0..1000 that drives every random choice, so a run is repeatable.
fn fill(server: &TestServer, cases: i64, inspections: i64) {
    let town = format!(
        "'5001' || lpad(((i % {TOWNSHIPS}) % {DISTRICTS})::text, 2, '0') || lpad(((i % {TOWNSHIPS}) / {DISTRICTS} + 100)::text, 3, '0')"
    );
    let district = format!("'5001' || lpad(((i % {TOWNSHIPS}) % {DISTRICTS})::text, 2, '0')");
    let sql = format!(
        "INSERT INTO supervise_case (case_id, version, township, district, matter_code, procedure, status,
             officer_a, officer_b, party_kind, party_index, violation_date, created_at, decided_at, activity_on,
             outcome, exemption, first_violation, penalty_kind, amount_fen, band, suggested_level,
             deviation_reason, collected_on_spot, evidence_count, no_evidence_reason, served_on, payment_due,
             paid_on, credentials_shown, replay_ok, replay_codes)
         SELECT 'case-' || lpad(i::text, 8, '0'), 10, {town}, {district},
             'M-' || lpad((i % 110)::text, 3, '0'), 'simple',
             CASE WHEN h < 700 THEN (CASE WHEN h < 670 THEN 'paid' ELSE 'served' END)
                  WHEN h < 850 THEN 'no_penalty' WHEN h < 950 THEN 'party_and_facts' ELSE 'draft' END,
             'OFF-' || (i % 8885), 'OFF-' || ((i + 1) % 8885),
             CASE WHEN h % 5 = 0 THEN 'organization' ELSE 'individual' END,
             md5((i % 700000)::text),
             to_char(d, 'YYYY-MM-DD'), to_char(d + INTERVAL '1 hour', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'),
             CASE WHEN h < 850 THEN to_char(d + INTERVAL '9 hours 20 minutes', 'YYYY-MM-DD\"T\"HH24:MI:SS') END,
             to_char(d, 'YYYY-MM-DD'),
             CASE WHEN h < 700 THEN 'penalty' WHEN h < 850 THEN 'no_penalty' WHEN h < 950 THEN 'open' ELSE 'void' END,
             CASE WHEN h BETWEEN 700 AND 849 THEN 'minor' END,
             CASE WHEN h BETWEEN 700 AND 709 THEN 1 ELSE 0 END,
             CASE WHEN h < 700 THEN 'fine' END,
             CASE WHEN h < 700 THEN
                 ((i % 10) + 1) * 5000 * (1 + (i / 7) % 4)
                 * (CASE WHEN h = 3 THEN 5 ELSE 1 END) + ((h * 37) % 11 - 5) * 100 END,
             CASE WHEN h < 700 THEN 'L' || (1 + (i / 7) % 4) END,
             CASE WHEN h < 700 THEN 'L' || (1 + (i / 7) % 4 + CASE WHEN h = 5 THEN 1 ELSE 0 END) END,
             0, 0, CASE WHEN h = 7 THEN 0 ELSE 1 + h % 4 END, 0,
             CASE WHEN h < 700 THEN to_char(d, 'YYYY-MM-DD') END,
             CASE WHEN h < 700 THEN to_char(d + 15, 'YYYY-MM-DD') END,
             CASE WHEN h < 670 THEN to_char(d + 3, 'YYYY-MM-DD') END,
             CASE WHEN h = 11 THEN 0 ELSE 1 END,
             CASE WHEN h < 850 THEN (CASE WHEN h = 13 THEN 0 ELSE 1 END) END,
             CASE WHEN h = 13 THEN '[\"CASE_AMOUNT_OUTSIDE_BAND\"]' ELSE '[]' END
         FROM (SELECT i, (i::bigint * 7919) % 1000 AS h, DATE '2026-01-01' + (i % 365) AS d
               FROM generate_series(1, {cases}) AS i) g;
         INSERT INTO record_inspection (inspection_id, device_id, version, township, district, release_id, status,
             officer_a, officer_b, started_on, items, failed, party_kind, party_masked, party_index, sealed,
             updated_at, received_at)
         SELECT 'insp-' || lpad(i::text, 8, '0'), 'dev-' || (i % 9000), 3, {town}, {district}, 'CQ-2026-R1',
             'finished', 'OFF-' || (i % 8885), 'OFF-' || ((i + 1) % 8885),
             to_char(DATE '2026-01-01' + ((i::bigint * 13) % 365)::int, 'YYYY-MM-DD'), 4 + i % 5, i % 3, 'organization', '某*',
             md5('shop' || (i % 60000)::text), 'zv1:record.inspection/1:stand-in',
             '2026-06-01T00:00:00.000Z', '2026-06-01T00:00:00.000Z'
         FROM generate_series(1, {inspections}) AS i;
         ANALYZE supervise_case; ANALYZE record_inspection;"
    );
    server.store(|db| {
        db.write(|c| {
            c.batch(&sql)?;
            Ok(())
        })
        .unwrap()
    });
}

fn timed<T>(f: impl FnOnce() -> T) -> (T, f64) {
    let t = Instant::now();
    let v = f();
    (v, t.elapsed().as_secs_f64())
}

#[tokio::main]
async fn main() {
    let url = arg("--database").expect("--database postgres://… (the benchmark is for PostgreSQL)");
    let cases: i64 = arg("--cases").map_or(1_000_000, |v| v.parse().unwrap());
    let inspections: i64 = arg("--inspections").map_or(200_000, |v| v.parse().unwrap());
    let queries: usize = arg("--queries").map_or(200, |v| v.parse().unwrap());
    let server = TestServer::on(&Backend::Postgres(url));
    let ((), secs) = timed(|| fill(&server, cases, inspections));
    eprintln!("generated {cases} cases and {inspections} inspections in {secs:.1} s");
    let (from, to, as_of) = (day(2026, 1, 1), day(2026, 12, 31), day(2026, 12, 31));
    let now = t0();
    let cfg = Config::default();

    // 1. The full recomputation, twice (the second finds its clues known).
    for run in 1..=2 {
        let (r, secs) =
            timed(|| server.store(|db| recompute(db, from, to, as_of, now, &cfg).unwrap()));
        let per_model: Vec<String> = r
            .models
            .iter()
            .filter(|m| m.clues > 0)
            .map(|m| format!("{} {}", m.name, m.clues))
            .collect();
        println!(
            "full recomputation #{run}: {secs:.1} s — {} townships, {} clues ({})",
            r.indicators.len(),
            r.clues.len(),
            per_model.join(", ")
        );
    }

    // Open normal-procedure cases in the sample district, planted before
    // the cockpit's queries: every report carries its scope's deadline
    // monitor. Their township's marks are then refreshed, as the server's
    // upkeep does every minute.
    let normal: usize = arg("--normal").map_or(0, |v| v.parse().unwrap());
    if normal > 0 {
        let ((), secs) = timed(|| plant_normal(&server, normal));
        eprintln!("planted {normal} normal-procedure cases in {secs:.1} s");
        server.store(|db| refresh_dirty(db, "", now).unwrap());
    }
    // 2. The cockpit's queries.
    let mut rng = rand::rng();
    let stored = |scope: &str| -> Report {
        server.store(|db| {
            // As the console's route asks: at most COCKPIT_CLUES clues listed.
            let (r, served) =
                answer_with(db, scope, from, to, as_of, now, &cfg, Some(COCKPIT_CLUES)).unwrap();
            assert_eq!(served, Served::Stored, "answered from the stored days");
            r
        })
    };
    for (what, digits, n) in [
        ("township", 9, queries),
        ("district", 6, queries / 4),
        ("city", 0, 10),
    ] {
        let mut ms = Vec::with_capacity(n);
        for _ in 0..n {
            let scope = township(rng.random_range(0..TOWNSHIPS))[..digits].to_owned();
            let (_, secs) = timed(|| stored(&scope));
            ms.push(secs * 1000.0);
        }
        ms.sort_by(f64::total_cmp);
        println!(
            "cockpit report of a {what}, stored ({n} queries): p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
            percentile(&ms, 0.5),
            percentile(&ms, 0.99),
            ms[ms.len() - 1]
        );
    }
    // Where the city's report spends its time (the phases of `answer`).
    {
        let (ind, t_ind) = timed(|| {
            server.store(|db| db.read_as(|c| stored_indicators(c, "", from, to)).unwrap())
        });
        let ((page, _), t_page) = timed(|| {
            server.store(|db| {
                db.read_as(|c| stored_clue_page(c, "", from, to, COCKPIT_CLUES))
                    .unwrap()
            })
        });
        let (clues, t_clues) =
            timed(|| server.store(|db| db.read_as(|c| stored_clues(c, "", from, to)).unwrap()));
        let (d, t_dl) = timed(|| {
            server.store(|db| {
                db.read_as(|c| {
                    zhifa_server::supervise::deadlines::deadlines(c, db.keeper(), "", as_of)
                })
                .unwrap()
            })
        });
        let (_, t_facts) =
            timed(|| server.store(|db| zhifa_server::supervise::facts::refresh(db).unwrap()));
        let r = stored("");
        let (json, t_json) = timed(|| serde_json::to_vec(&r).unwrap());
        println!(
            "the city's report's phases: indicators of {} townships {:.1} ms, {} clues listed and all counted {:.1} ms (reading all {} would take {:.1} ms), deadline monitor ({} clocks) {:.1} ms, facts refresh {:.1} ms; its JSON {} KB in {:.1} ms",
            ind.len(),
            t_ind * 1000.0,
            page.len(),
            t_page * 1000.0,
            clues.len(),
            t_clues * 1000.0,
            d.items.len(),
            t_dl * 1000.0,
            t_facts * 1000.0,
            json.len() / 1024,
            t_json * 1000.0
        );
    }
    {
        let mut ms = Vec::new();
        for _ in 0..10 {
            let scope = township(rng.random_range(0..TOWNSHIPS))[..6].to_owned();
            let (_, secs) = timed(|| {
                server.store(|db| report(db, &scope, from, to, as_of, now, &cfg).unwrap())
            });
            ms.push(secs * 1000.0);
        }
        ms.sort_by(f64::total_cmp);
        println!(
            "for comparison, a district's report recomputed (10 queries): p50 {:.1} ms, max {:.1} ms",
            percentile(&ms, 0.5),
            ms[ms.len() - 1]
        );
    }
    // Where a district's report spends its time.
    {
        let scope = township(rng.random_range(0..TOWNSHIPS))[..6].to_owned();
        let back = from - chrono::Duration::days(cfg.repeat_window_days);
        let (cases, load) = timed(|| {
            server.store(|db| {
                db.read_as(|c| zhifa_server::supervise::facts::load(c, &scope, back, to))
                    .unwrap()
            })
        });
        let data = zhifa_server::supervise::Data {
            cases,
            inspections: Vec::new(),
            normal: Vec::new(),
            as_of,
        };
        let (clues, models) = timed(|| zhifa_server::supervise::models::run_all(&data, &cfg));
        println!(
            "a district's phases: load {} facts {:.1} ms, models {:.1} ms ({} clues)",
            data.cases.len(),
            load * 1000.0,
            models * 1000.0,
            clues.len()
        );
    }
    let mut ms = Vec::new();
    for _ in 0..queries / 4 {
        let scope = township(rng.random_range(0..TOWNSHIPS))[..6].to_owned();
        let (_, secs) = timed(|| {
            server.store(|db| {
                db.write_as(|c| {
                    zhifa_server::supervise::clues::list(
                        c,
                        db.keeper(),
                        &scope,
                        zhifa_server::supervise::clues::Filter::default(),
                        "bench",
                        now,
                    )
                })
                .unwrap()
            })
        });
        ms.push(secs * 1000.0);
    }
    ms.sort_by(f64::total_cmp);
    println!(
        "clue list of a district ({} queries): p50 {:.1} ms, p99 {:.1} ms",
        ms.len(),
        percentile(&ms, 0.5),
        percentile(&ms, 0.99)
    );

    // 3. A pushed case shows in its township's indicators.
    let t = server.transport();
    let mut dev = TestDevice::new();
    dev.enrol(&t, &server.code(OFFICERS[0])).await.unwrap();
    dev.sync(&t).await.unwrap();
    let scope = dev.township.clone();
    let before = stored(&scope);
    let count = |r: &Report| r.indicators.iter().map(|i| i.cases).sum::<u64>();
    dev.full_case();
    let start = Instant::now();
    dev.sync(&t).await.unwrap();
    let pushed = start.elapsed().as_secs_f64();
    let after = stored(&scope);
    let shown = start.elapsed().as_secs_f64();
    assert_eq!(
        count(&after),
        count(&before) + 1,
        "the pushed case is counted"
    );
    println!(
        "pushed case in its township's indicators: push {:.0} ms, counted {:.0} ms after the push began",
        pushed * 1000.0,
        shown * 1000.0
    );

    // 4. The deadline monitor of the district holding the planted cases.
    if normal > 0 {
        let district = zhifa_tests::TOWNSHIP[..6].to_owned();
        let mut ms = Vec::new();
        let mut items = 0;
        for _ in 0..20 {
            let (d, secs) = timed(|| {
                server.store(|db| {
                    db.read_as(|c| {
                        zhifa_server::supervise::deadlines::deadlines(
                            c,
                            db.keeper(),
                            &district,
                            as_of,
                        )
                    })
                    .unwrap()
                })
            });
            items = d.items.len();
            ms.push(secs * 1000.0);
        }
        ms.sort_by(f64::total_cmp);
        println!(
            "deadline monitor of a district with {normal} open normal cases ({items} clocks, 20 queries): p50 {:.1} ms, p99 {:.1} ms",
            percentile(&ms, 0.5),
            percentile(&ms, 0.99)
        );
    }
}

/// `n` open normal-procedure cases in the sample township, an hour apart
/// over 8,000 hours from 2026-01-05.
fn plant_normal(server: &TestServer, n: usize) {
    use chrono::{Duration, TimeZone, Utc};
    let start = Utc.with_ymd_and_hms(2026, 1, 5, 1, 0, 0).unwrap();
    for i in 0..n {
        let at = start + Duration::hours(i64::try_from(i % 8000).unwrap());
        zhifa_tests::plant::normal_case(server, at);
    }
}
