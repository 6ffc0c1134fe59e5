//! The identity-capture accuracy benchmark: renders synthetic 居民身份证
//! fronts (made-up people, `zhifa_ocr::synth`), photographs each in every
//! variant, reads them and prints per-field exact-match accuracy and time
//! per image. Results go to docs/BENCHMARKS.md.
//!
//! ```sh
//! bash scripts/ocr-models.sh
//! cargo run --release -p zhifa-ocr --example idcard_bench -- [CARDS] [--save DIR]
//! ```

use std::time::Instant;

use ab_glyph::FontRef;
use zhifa_ocr::synth::{self, Variant};

/// The process's CPU time in seconds (all threads; /proc/self/stat, Linux),
/// which machine load does not inflate as it does wall time.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let f: Vec<f64> = after
        .split_whitespace()
        .filter_map(|x| x.parse().ok())
        .collect();
    // Fields 14 and 15 (utime, stime) in clock ticks of 1/100 s; after the
    // command name the state is field 3, so they are at 11 and 12 here
    // (the state itself does not parse as a number).
    (f.get(10).copied().unwrap_or(0.0) + f.get(11).copied().unwrap_or(0.0)) / 100.0
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let cards: u64 = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(20);
    let save = args
        .iter()
        .position(|a| a == "--save")
        .and_then(|i| args.get(i + 1))
        .cloned();
    let font_path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../assets/fonts/ZhifaNotoSansSC-Regular.otf"
    );
    let font_bytes = std::fs::read(font_path)?;
    let font = FontRef::try_from_slice(&font_bytes)?;
    let t0 = Instant::now();
    let engine = zhifa_ocr::open_default(None)?;
    println!(
        "engine opened in {:.0} ms",
        t0.elapsed().as_secs_f64() * 1000.0
    );
    let fields = [
        "name",
        "sex",
        "ethnicity",
        "birth_date",
        "address",
        "number",
        "all",
    ];
    for variant in Variant::ALL {
        let mut ok = [0u32; 7];
        let mut times = Vec::new();
        let mut cpu = 0.0;
        for seed in 0..cards {
            let card = synth::card(seed);
            let photo = synth::photograph(&synth::render(&card, &font), variant, seed);
            if let Some(dir) = &save {
                photo.save(format!("{dir}/{}-{seed}.png", variant.as_str()))?;
            }
            let (t, c) = (Instant::now(), cpu_seconds());
            let reading = engine.read_id_card_image(&photo, None);
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            cpu += cpu_seconds() - c;
            let Ok(r) = reading else {
                eprintln!("{} {seed}: {:?}", variant.as_str(), reading.err());
                continue;
            };
            let got = |f: &Option<zhifa_ocr::Field>| {
                f.as_ref().map(|f| f.value.clone()).unwrap_or_default()
            };
            let want = [
                card.name.clone(),
                card.sex.to_owned(),
                card.ethnicity.to_owned(),
                card.birth_date.format("%Y-%m-%d").to_string(),
                card.address.clone(),
                card.number.clone(),
            ];
            let have = [
                got(&r.name),
                got(&r.sex),
                got(&r.ethnicity),
                got(&r.birth_date),
                got(&r.address),
                got(&r.number),
            ];
            let mut all = true;
            for i in 0..6 {
                if want[i] == have[i] {
                    ok[i] += 1;
                } else {
                    all = false;
                    if std::env::var_os("BENCH_VERBOSE").is_some() {
                        eprintln!(
                            "{} {seed} {}: want {:?} got {:?}",
                            variant.as_str(),
                            fields[i],
                            want[i],
                            have[i]
                        );
                    }
                }
            }
            ok[6] += u32::from(all);
        }
        times.sort_by(f64::total_cmp);
        let pct = |n: u32| 100.0 * f64::from(n) / cards as f64;
        let line: Vec<String> = fields
            .iter()
            .zip(ok)
            .map(|(f, n)| format!("{f} {:.0}%", pct(n)))
            .collect();
        println!(
            "{:<12} n={cards} {} | wall median {:.0} ms, max {:.0} ms | CPU {:.0} ms per image",
            variant.as_str(),
            line.join(", "),
            times[times.len() / 2],
            times[times.len() - 1],
            cpu * 1000.0 / cards as f64
        );
    }
    Ok(())
}
