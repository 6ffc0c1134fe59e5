//! Rules-engine benchmarks: identity checks per second and `assess` per call
//! on the sample catalogue.
//!
//! ```sh
//! cargo bench -p zhifa-core --bench rules
//! cargo bench -p zhifa-core --bench rules -- --warm-up-time 1 --measurement-time 3   # quicker
//! ```
//!
//! Criterion measures a citizen ID, a legacy 15-digit ID, a USCC, an ID
//! with a wrong check character and the auto-detecting check, each as
//! throughput (checks per second on one thread), and `assess` for a typical
//! simple-procedure case. Criterion reports means, not tails, so a
//! percentile pass then runs `assess` over every matter of the sample
//! catalogue (`schema/catalogue/sample/chongqing-sample.json`) with three
//! cases each, 200 rounds, and prints p50/p99/max per call. Results go in
//! docs/BENCHMARKS.md.

#![allow(clippy::unwrap_used, clippy::expect_used)] // benchmark code: a failure should abort loudly

use std::hint::black_box;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use criterion::{Criterion, Throughput};
use zhifa_core::catalogue::model::Package;
use zhifa_core::rules::assess::{AssessInput, Party, PartyKind, PenaltyKind, ProposedPenalty};
use zhifa_core::rules::identity::{IdOptions, check_id, parse_citizen_id, parse_uscc};
use zhifa_core::rules::{RulesConfig, assess};

fn sample() -> Package {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../schema/catalogue/sample/chongqing-sample.json"
    );
    serde_json::from_slice(&std::fs::read(path).expect("read the sample catalogue"))
        .expect("parse it")
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

/// Three cases per matter: a citizen with a small fine and circumstances,
/// a minor with none, an organisation with a larger fine served and paid late.
fn cases(matter: &str) -> [AssessInput; 3] {
    let base = AssessInput {
        matter: Some(matter.to_owned()),
        party: Party {
            kind: PartyKind::Individual,
            id_number: Some("50011219800501001X".to_owned()),
            birth_date: None,
        },
        violation_date: date(2025, 9, 10),
        violation_end_date: None,
        discovered_date: None,
        decision_date: Some(date(2025, 9, 16)),
        circumstances: vec!["first_violation".to_owned(), "obstructs_traffic".to_owned()],
        penalty: Some(ProposedPenalty {
            kind: PenaltyKind::Fine,
            amount_fen: Some(10_000),
            also: Vec::new(),
            band: None,
        }),
        deviation_reason: Some("benchmark".to_owned()),
        served_date: Some(date(2025, 9, 16)),
        paid_date: Some(date(2025, 10, 20)),
        remedy_pending: false,
        district: Some("渝北区".to_owned()),
        attested: Vec::new(),
        serious_facts: None,
        correction_deadline: None,
        base_fen: None,
    };
    let minor = AssessInput {
        party: Party {
            kind: PartyKind::Individual,
            id_number: None,
            birth_date: Some(date(2009, 9, 10)),
        },
        circumstances: vec![],
        penalty: None,
        ..base.clone()
    };
    let org = AssessInput {
        party: Party {
            kind: PartyKind::Organization,
            id_number: Some("91350100M000100Y43".to_owned()),
            birth_date: None,
        },
        penalty: Some(ProposedPenalty {
            kind: PenaltyKind::Fine,
            amount_fen: Some(150_000),
            also: Vec::new(),
            band: None,
        }),
        circumstances: vec!["refused_to_correct".to_owned()],
        ..base.clone()
    };
    [base, minor, org]
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

fn main() {
    let package = sample();
    let config = RulesConfig::default();
    let opts = IdOptions::default();
    let mut c = Criterion::default().configure_from_args();

    let mut g = c.benchmark_group("identity");
    g.throughput(Throughput::Elements(1));
    g.bench_function("citizen 18", |b| {
        b.iter(|| parse_citizen_id(black_box("11010519491231002X"), &opts))
    });
    g.bench_function("citizen 15 upgraded", |b| {
        b.iter(|| parse_citizen_id(black_box("110105491231002"), &opts))
    });
    g.bench_function("citizen full-width", |b| {
        b.iter(|| parse_citizen_id(black_box("１１０１０５ １９４９１２３１ ００２ｘ"), &opts))
    });
    g.bench_function("citizen wrong check", |b| {
        b.iter(|| parse_citizen_id(black_box("110105194912310021"), &opts))
    });
    g.bench_function("uscc", |b| {
        b.iter(|| parse_uscc(black_box("91350100M000100Y43")))
    });
    g.bench_function("auto-detect uscc", |b| {
        b.iter(|| check_id(black_box("91512081MA62K0260E"), &opts))
    });
    g.finish();

    let matter = package
        .matters
        .iter()
        .find(|m| m.code == "CG-001")
        .unwrap_or(&package.matters[0]);
    let input = &cases(&matter.code)[0];
    c.bench_function("assess simple-procedure case", |b| {
        b.iter(|| {
            assess(
                black_box(input),
                Some(matter),
                Some(&package.calendar),
                &config,
            )
        })
    });
    c.final_summary();

    // Percentile pass over the whole sample catalogue.
    let all: Vec<_> = package
        .matters
        .iter()
        .flat_map(|m| cases(&m.code).map(|c| (m, c)))
        .collect();
    let mut times = Vec::with_capacity(all.len() * 200);
    for _ in 0..200 {
        for (m, input) in &all {
            let t = Instant::now();
            black_box(assess(
                black_box(input),
                Some(m),
                Some(&package.calendar),
                &config,
            ));
            times.push(t.elapsed());
        }
    }
    times.sort_unstable();
    println!(
        "\nassess over {} matters × 3 cases × 200 rounds ({} calls): p50 {:?}, p99 {:?}, max {:?}",
        package.matters.len(),
        times.len(),
        percentile(&times, 0.5),
        percentile(&times, 0.99),
        times[times.len() - 1]
    );

    // Identity checks per second on one thread, without criterion's overhead.
    let ids = [
        "11010519491231002X",
        "440524188001010014",
        "110105491231002",
        "91350100M000100Y43",
        "110105194912310021",
    ];
    let n = 2_000_000;
    let t = Instant::now();
    let mut ok = 0usize;
    for i in 0..n {
        ok += usize::from(check_id(black_box(ids[i % ids.len()]), &opts).is_ok());
    }
    let secs = t.elapsed().as_secs_f64();
    println!(
        "identity: {n} mixed checks ({ok} valid) in {secs:.3} s = {:.2} million per second",
        n as f64 / secs / 1e6
    );
}
