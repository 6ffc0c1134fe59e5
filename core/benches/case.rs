//! Case-store benchmark: one case transition with every table it touches.
//!
//! ```sh
//! cargo bench -p zhifa-core --bench case
//! ```
//!
//! The measured step is `issue` (行政处罚法 Art. 52): one IMMEDIATE
//! transaction that re-reads the case, consumes a decision number and a
//! payment-code number from their leases, builds the DecisionOnTheSpot
//! document and stores its canonical JSON with its SHA-256, writes the new
//! case state, one timeline row and one outbox record, and commits with
//! `synchronous=FULL` on the SQLCipher store. Each measured case is first
//! taken to `decided` outside the timing. Criterion reports means; a
//! percentile pass then times 300 issues one by one and prints p50/p99/max
//! (goal: p99 ≤ 10 ms).

#![allow(clippy::unwrap_used, clippy::expect_used)] // benchmark code: a failure should abort loudly

use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use criterion::Criterion;
use uuid::Uuid;
use zhifa_core::case::config::{SAMPLE_TOWNSHIP_CONFIGS, SERIES_DECISION, parse_configs};
use zhifa_core::case::numbers::PAYMENT_CODE_SERIES;
use zhifa_core::case::{self, CaseEvent, CaseParty, NewCase};
use zhifa_core::catalogue::import;
use zhifa_core::device::{Device, SAMPLE_OFFICERS, StoreKeyWrap, load_officers};
use zhifa_core::rules::assess::{PartyKind, PenaltyKind, ProposedPenalty};
use zhifa_core::store::{DbKey, Store};

const KEY: DbKey = DbKey::Raw([9; 32]);
const TOWNSHIP: &str = "500112108";
const SAMPLE: &str = include_str!("../../schema/catalogue/sample/chongqing-sample.json");

struct Bench {
    store: Store,
    clock: DateTime<Utc>,
}

impl Bench {
    fn now(&mut self) -> DateTime<Utc> {
        self.clock += chrono::Duration::milliseconds(1500);
        self.clock
    }

    /// A case taken to `decided` (not timed).
    fn decided_case(&mut self) -> Uuid {
        let now = self.now();
        let c = case::create(
            &mut self.store,
            &NewCase {
                id: case::uuid_v7(now),
                township: TOWNSHIP.into(),
                matter_code: "CG-001".into(),
                violation_time: NaiveDate::from_ymd_opt(2026, 3, 2)
                    .unwrap()
                    .and_hms_opt(10, 0, 0)
                    .unwrap(),
                officers: ["OFF-LX-01".into(), "OFF-LX-02".into()],
            },
            now,
        )
        .unwrap();
        let fine = ProposedPenalty {
            kind: PenaltyKind::Fine,
            amount_fen: Some(15_000),
            also: Vec::new(),
            band: None,
        };
        for step in [
            CaseEvent::RecordPartyAndFacts {
                party: CaseParty {
                    kind: PartyKind::Individual,
                    name: "周小川".into(),
                    id_number: "110101199003074514".into(),
                    phone: Some("13800001234".into()),
                    address: "重庆市渝北区龙兴镇示例路1号".into(),
                    representative: None,
                    id_kind: None,
                    nationality: None,
                    birth_date: None,
                    no_document_reason: None,
                    photo_evidence: None,
                },
                facts: "在人行道上摆摊经营水果，占道面积约6平方米".into(),
                place: "龙兴镇示例路12号门前".into(),
                act_end: None,
                violation_time: None,
            },
            CaseEvent::AttachEvidence {
                evidence_ids: vec![],
                summary: "现场照片2张".into(),
                // The bench measures the steps, not evidence capture
                // (行政处罚法 Art. 40, 47: the reason is recorded instead).
                no_evidence_reason: Some("基准测试：证据由执法记录仪另行存档".into()),
            },
            CaseEvent::ShowCredentials,
            CaseEvent::InformRights {
                proposed: fine.clone(),
                content: "拟罚款150元，告知陈述申辩权".into(),
            },
            CaseEvent::WaiveStatement { words: None },
            CaseEvent::Decide {
                penalty: fine.clone(),
                circumstances: vec!["area_5_to_10sqm".into()],
                deviation_reason: None,
                place: "龙兴镇示例路12号".into(),
            },
        ] {
            let now = self.now();
            case::advance(&mut self.store, c.id, &step, now).unwrap();
        }
        c.id
    }

    fn issue(&mut self, id: Uuid) {
        let now = self.now();
        case::advance(&mut self.store, id, &CaseEvent::Issue, now).unwrap();
    }
}

fn setup(dir: &std::path::Path) -> Bench {
    let mut store = Store::open(&dir.join("bench.db"), &KEY).unwrap();
    let clock = Utc.with_ymd_and_hms(2026, 3, 2, 2, 30, 0).single().unwrap();
    import(&mut store, SAMPLE.as_bytes(), clock).unwrap();
    load_officers(&mut store, SAMPLE_OFFICERS.as_bytes()).unwrap();
    Device::load_or_create(&store, &StoreKeyWrap::new(&KEY), clock).unwrap();
    for c in parse_configs(SAMPLE_TOWNSHIP_CONFIGS).unwrap() {
        case::set_township_config(&store, &c, clock).unwrap();
    }
    for s in [SERIES_DECISION, PAYMENT_CODE_SERIES] {
        case::grant_lease(
            &mut store,
            TOWNSHIP,
            s,
            2026,
            1,
            999_999,
            "local_admin",
            clock,
        )
        .unwrap();
    }
    Bench { store, clock }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let mut b = setup(dir.path());

    let mut c = Criterion::default().configure_from_args();
    {
        let mut g = c.benchmark_group("case");
        g.sample_size(10)
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(3));
        g.bench_function("issue_transition", |bench| {
            // Each iteration: a case taken to `decided` untimed, then the
            // timed `issue` step.
            bench.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let id = b.decided_case();
                    let t = Instant::now();
                    b.issue(id);
                    total += t.elapsed();
                }
                total
            })
        });
        g.finish();
    }
    c.final_summary();

    // Percentile pass: 300 issues, each timed alone, on the same store.
    let ids: Vec<Uuid> = (0..300).map(|_| b.decided_case()).collect();
    let mut times = Vec::with_capacity(ids.len());
    for id in ids {
        let t = Instant::now();
        b.issue(id);
        times.push(t.elapsed());
    }
    times.sort();
    let cases = case::list(&b.store, None).unwrap().len();
    println!(
        "\ncase save (issue transition: case + timeline + numbers + document + outbox), {} runs, store with {cases} cases:",
        times.len()
    );
    println!("{:>10} {:>10} {:>10}", "p50", "p99", "max");
    println!(
        "{:>10.3?} {:>10.3?} {:>10.3?}",
        percentile(&times, 0.5),
        percentile(&times, 0.99),
        times[times.len() - 1]
    );
}
