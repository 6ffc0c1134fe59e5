//! The random draw of case files for 案卷评查 (issue 18 item 2), as a pure
//! function: reproducible from a recorded seed. Each file of the
//! population is ranked by the SHA-256 of `seed:case_id` and the first
//! `n` are drawn, so the same seed over the same population draws the same
//! files in the same order, anyone can re-run it from the draw's record,
//! and no file's place depends on the order the store returns them in.
//!
//! How many files: a count or a share of the population. The research
//! found Chongqing's practice (武隆区 2023: 80 of 1,207 normal-procedure
//! files, research §2.3) but no rule for the sample size, so it is a
//! setting ([`SamplingConfig`]); a non-empty population always yields at
//! least one file.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// How many files to draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SampleSize {
    /// This many files (all of them if fewer).
    Count(u32),
    /// This share of the files, in percent, rounded up.
    Percent(u32),
}

/// The sampling settings (no Chongqing rule found: a design default).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SamplingConfig {
    /// The size when the supervisor gives none (default 10 %).
    pub default_size: SampleSize,
}

impl Default for SamplingConfig {
    fn default() -> Self {
        Self {
            default_size: SampleSize::Percent(10),
        }
    }
}

/// Why a size is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SizeError {
    /// Zero files, or a share outside 1–100 %.
    #[error("抽查数量须为正整数，抽查比例须在 1% 至 100% 之间")]
    OutOfRange,
}

/// The number of files `size` draws from `population` files.
pub fn sample_size(size: SampleSize, population: usize) -> Result<usize, SizeError> {
    let n = match size {
        SampleSize::Count(0) => return Err(SizeError::OutOfRange),
        SampleSize::Percent(p) if p == 0 || p > 100 => return Err(SizeError::OutOfRange),
        SampleSize::Count(n) => usize::try_from(n).unwrap_or(usize::MAX),
        SampleSize::Percent(p) => {
            let p = usize::try_from(p).unwrap_or(100);
            population.saturating_mul(p).div_ceil(100)
        }
    };
    Ok(n.min(population))
}

/// A file's rank under `seed`: the hex SHA-256 of `seed:case_id`.
pub fn rank(seed: &str, case_id: &str) -> String {
    let mut h = Sha256::new();
    h.update(seed.as_bytes());
    h.update(b":");
    h.update(case_id.as_bytes());
    hex::encode(h.finalize())
}

/// The files drawn from `population` with `seed`, in draw order.
pub fn draw(population: &[String], seed: &str, n: usize) -> Vec<String> {
    let mut ranked: Vec<(String, &String)> =
        population.iter().map(|c| (rank(seed, c), c)).collect();
    ranked.sort();
    ranked.dedup_by(|a, b| a.1 == b.1);
    ranked.into_iter().take(n).map(|(_, c)| c.clone()).collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should abort loudly

    use super::*;
    use proptest::prelude::*;

    fn pop(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("case-{i:04}")).collect()
    }

    #[test]
    fn sizes_round_up_and_never_exceed_the_population() {
        assert_eq!(sample_size(SampleSize::Percent(10), 1207).unwrap(), 121);
        assert_eq!(sample_size(SampleSize::Percent(10), 3).unwrap(), 1);
        assert_eq!(sample_size(SampleSize::Count(80), 1207).unwrap(), 80);
        assert_eq!(sample_size(SampleSize::Count(80), 5).unwrap(), 5);
        assert_eq!(sample_size(SampleSize::Percent(100), 0).unwrap(), 0);
        assert!(sample_size(SampleSize::Count(0), 5).is_err());
        assert!(sample_size(SampleSize::Percent(101), 5).is_err());
        assert!(sample_size(SampleSize::Percent(0), 5).is_err());
    }

    #[test]
    fn another_seed_draws_other_files() {
        let p = pop(200);
        assert_ne!(draw(&p, "seed-a", 10), draw(&p, "seed-b", 10));
    }

    proptest! {
        /// The same seed draws the same files whatever the population's
        /// order; the draw is a subset of the population without repeats,
        /// of the size asked.
        #[test]
        fn a_draw_is_reproducible_and_a_subset(n in 0usize..60, k in 0usize..70, seed in "[a-z0-9]{1,16}", rot in 0usize..60) {
            let p = pop(n);
            let mut shuffled = p.clone();
            if n > 0 { shuffled.rotate_left(rot % n); }
            let a = draw(&p, &seed, k);
            prop_assert_eq!(&a, &draw(&shuffled, &seed, k));
            prop_assert_eq!(a.len(), k.min(n));
            let mut u = a.clone();
            u.sort();
            u.dedup();
            prop_assert_eq!(u.len(), a.len());
            prop_assert!(a.iter().all(|c| p.contains(c)));
        }
    }
}
