//! Catalogue benchmarks on a synthetic 50,000-matter package.
//!
//! ```sh
//! cargo bench -p zhifa-core --bench catalogue
//! ZHIFA_BENCH_MATTERS=5000 cargo bench -p zhifa-core --bench catalogue   # quicker
//! ZHIFA_BENCH_PERCENTILES_ONLY=1 cargo bench -p zhifa-core --bench catalogue  # search tails only
//! ```
//!
//! Criterion measures full import, open + migrate (existing and fresh
//! store) and one search per query class. Criterion reports means and
//! medians, not tails, so after it a percentile pass runs a fixed query mix
//! 200 times per query against the same store and prints p50/p99/max per
//! class and overall. Results and the machine go in docs/BENCHMARKS.md.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test and benchmark code: a failure should abort loudly

use std::hint::black_box;
use std::time::{Duration, Instant};

use chrono::{NaiveDate, TimeZone, Utc};
use criterion::{BatchSize, Criterion};
use zhifa_core::catalogue::synth::{SynthOptions, synth};
use zhifa_core::catalogue::{SearchQuery, SearchScope, import};
use zhifa_core::store::{DbKey, Store};

const KEY: DbKey = DbKey::Raw([9; 32]);

fn matters() -> usize {
    std::env::var("ZHIFA_BENCH_MATTERS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(50_000)
}

fn package_bytes() -> Vec<u8> {
    let p = synth(&SynthOptions {
        matters: matters(),
        townships: 20,
        seed: 1,
    });
    serde_json::to_vec(&p).expect("serialise synthetic package")
}

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 7, 1, 0, 0, 0)
        .single()
        .expect("valid date")
}

/// The query mix: (class, query). Township scope is the first synthetic township.
const QUERIES: &[(&str, &str)] = &[
    ("exact name", "在城市道路擅自占用建筑垃圾"),
    ("code", "SYN-012345"),
    ("initials", "zcsddzy"),
    ("pinyin prefix", "zaichengshi"),
    ("2-char substring", "井盖"),
    ("3+-char substring", "擅自占用建筑"),
    ("domain", "水利"),
    ("provision text", "第17条"),
    ("provision text, 3+ chars", "有关部门责令改正"),
    ("no match", "不存在的事项名称"),
    ("everyday name", "乱倒建筑垃圾"),
    ("everyday name in a phrase", "门口乱倒建筑垃圾"),
    ("one-character slip", "擅自占用建筑拉圾"),
    ("halves apart", "城市道路垃圾"),
    ("no match, every tier", "量子纠缠态"),
];

fn benches(c: &mut Criterion, bytes: &[u8], store: &Store, township: &str) {
    let mut g = c.benchmark_group("catalogue");
    g.sample_size(10).measurement_time(Duration::from_secs(30));
    g.bench_function(format!("import_{}", matters()), |b| {
        b.iter_batched(
            || {
                let dir = tempfile::tempdir().expect("tempdir");
                let s = Store::open(&dir.path().join("d.db"), &KEY).expect("open");
                (dir, s)
            },
            |(dir, mut s)| {
                import(&mut s, bytes, now()).expect("import");
                (dir, s)
            },
            BatchSize::PerIteration,
        )
    });
    g.finish();

    let mut g = c.benchmark_group("store");
    g.bench_function("open_existing", |b| {
        b.iter(|| Store::open(store.path(), &KEY).expect("open"))
    });
    g.bench_function("create_and_migrate", |b| {
        b.iter_batched(
            || tempfile::tempdir().expect("tempdir"),
            |dir| {
                let s = Store::open(&dir.path().join("d.db"), &KEY).expect("open");
                (dir, s)
            },
            BatchSize::PerIteration,
        )
    });
    g.finish();

    let on = NaiveDate::from_ymd_opt(2025, 8, 1).expect("valid date");
    let mut g = c.benchmark_group("search");
    for (class, text) in QUERIES {
        let q = SearchQuery {
            text: (*text).into(),
            on,
            scope: SearchScope::Township(township.into()),
            limit: 20,
        };
        g.bench_function(*class, |b| {
            b.iter(|| black_box(store.catalogue().search(&q).expect("search")))
        });
    }
    g.finish();
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

fn percentiles(store: &Store, township: &str) {
    let on = NaiveDate::from_ymd_opt(2025, 8, 1).expect("valid date");
    let mut all = Vec::new();
    println!(
        "\nsearch latency over {} matters, township scope, limit 20, 200 runs per query:",
        matters()
    );
    println!(
        "{:<26} {:>10} {:>10} {:>10} {:>6}",
        "class", "p50", "p99", "max", "hits"
    );
    for (class, text) in QUERIES {
        let q = SearchQuery {
            text: (*text).into(),
            on,
            scope: SearchScope::Township(township.into()),
            limit: 20,
        };
        let mut times = Vec::with_capacity(200);
        let mut hits = 0;
        for _ in 0..200 {
            let t = Instant::now();
            hits = black_box(store.catalogue().search(&q).expect("search"))
                .results
                .len();
            times.push(t.elapsed());
        }
        times.sort();
        println!(
            "{class:<26} {:>10.3?} {:>10.3?} {:>10.3?} {hits:>6}",
            percentile(&times, 0.5),
            percentile(&times, 0.99),
            times[times.len() - 1]
        );
        all.extend(times);
    }
    all.sort();
    println!(
        "{:<26} {:>10.3?} {:>10.3?} {:>10.3?}",
        "ALL",
        percentile(&all, 0.5),
        percentile(&all, 0.99),
        all[all.len() - 1]
    );
}

fn main() {
    let bytes = package_bytes();
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = Store::open(&dir.path().join("bench.db"), &KEY).expect("open");
    let t = Instant::now();
    import(&mut store, &bytes, now()).expect("import");
    println!(
        "one-shot import of {} matters ({} MiB JSON): {:?}",
        matters(),
        bytes.len() >> 20,
        t.elapsed()
    );
    let release = store.catalogue().releases().expect("releases").remove(0);
    let township = store
        .catalogue()
        .townships(&release.id)
        .expect("townships")
        .remove(0)
        .code;

    // ZHIFA_BENCH_PERCENTILES_ONLY=1: skip Criterion (many minutes) and
    // run only the percentile pass.
    if std::env::var_os("ZHIFA_BENCH_PERCENTILES_ONLY").is_none() {
        let mut c = Criterion::default().configure_from_args();
        benches(&mut c, &bytes, &store, &township);
        c.final_summary();
    }
    percentiles(&store, &township);
}
