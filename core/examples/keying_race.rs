//! Reproduction for SQLCipher's intermittent "An error occurred with PRAGMA
//! key" (docs/ARCHITECTURE.md, "Encryption at rest"): N threads open, key,
//! read and close connections to their own fresh stores WITHOUT the
//! store's keying mutex, with SQLCipher's own log on stderr at ERROR level,
//! so the failing step inside `sqlcipherCodecAttach` is named.
//!
//! `cargo run -p zhifa-core --example keying_race -- THREADS ROUNDS DIR`

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)] // a diagnostic tool

use std::sync::atomic::{AtomicU32, Ordering};

use rusqlite::Connection;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let threads: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(8);
    let rounds: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(200);
    let dir = std::path::PathBuf::from(
        args.get(3)
            .cloned()
            .unwrap_or_else(|| "/tmp/keying-race".into()),
    );
    std::fs::create_dir_all(&dir).unwrap();
    {
        let c = Connection::open_in_memory().unwrap();
        let _ = c.pragma_update(None, "cipher_log", "stderr");
        let _ = c.pragma_update(None, "cipher_log_level", "ERROR");
    }
    let failures = AtomicU32::new(0);
    let opens = AtomicU32::new(0);
    std::thread::scope(|s| {
        for t in 0..threads {
            let dir = dir.clone();
            let failures = &failures;
            let opens = &opens;
            s.spawn(move || {
                for r in 0..rounds {
                    let path = dir.join(format!("t{t}-r{r}.db"));
                    let _ = std::fs::remove_file(&path);
                    let c = Connection::open(&path).unwrap();
                    opens.fetch_add(1, Ordering::Relaxed);
                    let keyed = c
                        .pragma_update(None, "key", format!("x'{}'", "ab".repeat(32)))
                        .and_then(|()| {
                            c.execute_batch(
                                "CREATE TABLE IF NOT EXISTS t(x); INSERT INTO t VALUES (1);",
                            )
                        });
                    if let Err(e) = keyed {
                        failures.fetch_add(1, Ordering::Relaxed);
                        eprintln!("thread {t} round {r}: {e}");
                    }
                    drop(c);
                    let _ = std::fs::remove_file(&path);
                }
            });
        }
    });
    println!(
        "{} opens, {} keying failures",
        opens.load(Ordering::Relaxed),
        failures.load(Ordering::Relaxed)
    );
}
