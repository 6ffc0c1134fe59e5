//! The centre's case list at scale (issue 15 item 8, docs/BENCHMARKS.md
//! "The centre's case list"): fills a fresh PostgreSQL schema with
//! `--cases` record rows spread over 1,031 townships in 40 districts and a
//! year of updates, then times the console's first page and the page after
//! it for a random township, through the same query and audit write the
//! endpoint runs (`record::read::cases` in one write transaction).
//!
//! ```sh
//! eval "$(bash scripts/pg.sh start /tmp/pg)"
//! cargo run --release -p zhifa-server --example record_list_bench -- \
//!     --database "$ZHIFA_TEST_PG_URL" --cases 1000000 --queries 2000
//! ```

#![allow(clippy::unwrap_used, clippy::expect_used)] // benchmark: a failure should abort loudly

use std::time::Instant;

use chrono::Utc;
use rand::Rng;
use zhifa_server::record::read::{self, CaseQuery};
use zhifa_server::store::Db;
use zhifa_server::store::pg::Scratch;
use zhifa_server::store::sql::Conn;

const TOWNSHIPS: i64 = 1031;
const DISTRICTS: i64 = 40;

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

/// The township code of number `n` (0-based): district `n % 40`.
fn township(n: i64) -> String {
    format!("5001{:02}{:03}", n % DISTRICTS, n / DISTRICTS + 100)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn main() {
    let base = arg("--database").expect("--database postgres://…");
    let cases: i64 = arg("--cases").map_or(1_000_000, |v| v.parse().unwrap());
    let queries: usize = arg("--queries").map_or(2000, |v| v.parse().unwrap());
    let scratch = Scratch::create(&base).unwrap();
    let store = Db::connect_pg(scratch.url()).unwrap();
    let mut raw = zhifa_server::store::pg::connect_one(scratch.url()).unwrap();
    let t = Instant::now();
    // One statement: rows i = 1..cases, township i % 1031, updated over a
    // year, one in 50 flagged; the sealed column holds a stand-in (lists
    // never open it).
    raw.batch(&format!(
        "INSERT INTO record_case (case_id, device_id, version, township, district, matter_code, release_id,
             status, procedure, officer_a, officer_b, violation_date, decided_on, amount_fen, party_kind,
             party_masked, party_index, flagged, sealed, updated_at, received_at)
         SELECT 'case-' || lpad(i::text, 8, '0'), 'dev-' || (i % 9000), 6,
             '5001' || lpad(((i % {TOWNSHIPS}) % {DISTRICTS})::text, 2, '0')
                 || lpad(((i % {TOWNSHIPS}) / {DISTRICTS} + 100)::text, 3, '0'),
             '5001' || lpad(((i % {TOWNSHIPS}) % {DISTRICTS})::text, 2, '0'),
             'CG-' || lpad((i % 110)::text, 3, '0'), 'CQ-2026-R1', 'served', 'simple',
             'OFF-' || (i % 8885), 'OFF-' || ((i + 1) % 8885),
             to_char(DATE '2026-01-01' + (i % 365), 'YYYY-MM-DD'),
             to_char(DATE '2026-01-01' + (i % 365), 'YYYY-MM-DD'), 5000, 'individual', '周*',
             md5(i::text), CASE WHEN i % 50 = 0 THEN 1 ELSE 0 END, 'zv1:record.case/1:stand-in',
             to_char(TIMESTAMP '2026-01-01' + (i * INTERVAL '31 seconds'), 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'),
             '2026-01-01T00:00:00.000Z'
         FROM generate_series(1, {cases}) AS i;
         ANALYZE record_case;"
    ))
    .unwrap();
    eprintln!(
        "inserted {cases} cases in {:.1} s",
        t.elapsed().as_secs_f64()
    );

    let mut rng = rand::rng();
    let mut first = Vec::with_capacity(queries);
    let mut second = Vec::with_capacity(queries);
    let mut rows_seen = 0usize;
    for _ in 0..queries {
        let q = CaseQuery {
            township: Some(township(rng.random_range(0..TOWNSHIPS))),
            ..CaseQuery::default()
        };
        let run = |q: &CaseQuery| {
            let t = Instant::now();
            let v = store
                .record_write(|tx: &mut dyn Conn, _| {
                    let page = read::cases(tx, "", q, "staff:bench", Utc::now())
                        .map_err(zhifa_server::store::sql::Fail::from)?;
                    Ok(serde_json::to_value(page).unwrap())
                })
                .unwrap();
            (t.elapsed().as_secs_f64() * 1000.0, v)
        };
        let (ms, page) = run(&q);
        first.push(ms);
        rows_seen += page["rows"].as_array().unwrap().len();
        let next = page["next"]
            .as_str()
            .expect("a township holds more than a page")
            .to_owned();
        let (ms, _) = run(&CaseQuery {
            after: Some(next),
            ..q
        });
        second.push(ms);
    }
    for (name, v) in [("first page", &mut first), ("next page", &mut second)] {
        v.sort_by(f64::total_cmp);
        println!(
            "{name}: {queries} queries, p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
            percentile(v, 0.50),
            percentile(v, 0.95),
            percentile(v, 0.99),
            v[v.len() - 1]
        );
    }
    assert_eq!(rows_seen, queries * 50, "every first page is full");
}
