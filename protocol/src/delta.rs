//! Catalogue release deltas: the bytes of release B's snapshot encoded
//! against release A's snapshot as a zstd frame with A as its reference
//! prefix (zstd's `--patch-from`). The server encodes ([`encode`]); the
//! device, which keeps the snapshot of the release it last applied, decodes
//! ([`apply`]) and checks the result against B's published SHA-256 before
//! anything reaches its store. A delta that does not reproduce B byte for
//! byte is refused, and the device falls back to B's snapshot.
//!
//! The window covers A and B whole (up to 2^[`MAX_WINDOW_LOG`] bytes), so
//! every unchanged run of A is a back-reference. Long-distance matching finds
//! the runs that moved.

use std::io::Read;

use sha2::{Digest, Sha256};

/// The largest window (1 GiB): a catalogue snapshot is tens of MB.
pub const MAX_WINDOW_LOG: u32 = 30;

/// The compression level the server encodes deltas with. Back-references
/// into the base carry a delta's size; a low level keeps encoding a 40 MB
/// release against another at tens of MB/s (docs/BENCHMARKS.md).
pub const LEVEL: i32 = 3;

/// Why a delta was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum DeltaError {
    /// The base and the target together exceed the window.
    #[error("目录增量过大（{0} 字节），请改用完整快照")]
    TooLarge(u64),
    /// The delta is not a zstd frame against this base.
    #[error("目录增量无法解码：{0}")]
    Corrupt(String),
    /// The delta decoded to other bytes than the release's snapshot.
    #[error("目录增量的结果与发布摘要不符")]
    DigestMismatch,
}

impl DeltaError {
    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::TooLarge(_) => "CATALOGUE_DELTA_TOO_LARGE",
            Self::Corrupt(_) => "CATALOGUE_DELTA_CORRUPT",
            Self::DigestMismatch => "CATALOGUE_DELTA_DIGEST_MISMATCH",
        }
    }
}

fn window_log(total: u64) -> Result<u32, DeltaError> {
    let log = (64 - total.max(1).leading_zeros()).max(10);
    if log > MAX_WINDOW_LOG {
        return Err(DeltaError::TooLarge(total));
    }
    Ok(log)
}

/// Encodes `target` against `base`.
pub fn encode(base: &[u8], target: &[u8]) -> Result<Vec<u8>, DeltaError> {
    let log = window_log((base.len() + target.len()) as u64)?;
    let corrupt = |e: std::io::Error| DeltaError::Corrupt(e.to_string());
    let mut out = Vec::new();
    let mut enc =
        zstd::stream::write::Encoder::with_ref_prefix(&mut out, LEVEL, base).map_err(corrupt)?;
    enc.window_log(log).map_err(corrupt)?;
    enc.long_distance_matching(true).map_err(corrupt)?;
    enc.include_checksum(true).map_err(corrupt)?;
    enc.set_pledged_src_size(Some(target.len() as u64))
        .map_err(corrupt)?;
    std::io::Write::write_all(&mut enc, target).map_err(corrupt)?;
    enc.finish().map_err(corrupt)?;
    Ok(out)
}

/// Decodes `delta` against `base` into the snapshot whose SHA-256 (hex) is
/// `expected_sha256` and size `expected_size`, or refuses it. Never reads
/// more than `expected_size + 1` bytes out of the frame, so a damaged
/// delta cannot exhaust memory.
pub fn apply(
    base: &[u8],
    delta: &[u8],
    expected_sha256: &str,
    expected_size: u64,
) -> Result<Vec<u8>, DeltaError> {
    window_log(base.len() as u64 + expected_size)?;
    let corrupt = |e: std::io::Error| DeltaError::Corrupt(e.to_string());
    let mut dec = zstd::stream::read::Decoder::with_ref_prefix(delta, base).map_err(corrupt)?;
    dec.window_log_max(MAX_WINDOW_LOG).map_err(corrupt)?;
    let mut out = Vec::with_capacity(usize::try_from(expected_size).unwrap_or(0));
    dec.take(expected_size + 1)
        .read_to_end(&mut out)
        .map_err(corrupt)?;
    if out.len() as u64 != expected_size || hex::encode(Sha256::digest(&out)) != expected_sha256 {
        return Err(DeltaError::DigestMismatch);
    }
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // test code
mod tests {
    use super::*;

    fn sample(n: usize, salt: u8) -> Vec<u8> {
        (0..n)
            .flat_map(|i| {
                format!(
                    "{{\"id\":{i},\"name\":\"事项{i}\",\"v\":{}}}\n",
                    (i as u8) ^ salt
                )
                .into_bytes()
            })
            .collect()
    }

    #[test]
    fn a_delta_reproduces_the_target_and_is_small() {
        let a = sample(20_000, 0);
        let mut b = a.clone();
        b.splice(1000..1010, b"CHANGED!!!".iter().copied());
        b.extend_from_slice(b"{\"id\":\"new\"}\n");
        let d = encode(&a, &b).unwrap();
        assert!(d.len() < 1000, "{} bytes", d.len());
        let sha = hex::encode(Sha256::digest(&b));
        assert_eq!(apply(&a, &d, &sha, b.len() as u64).unwrap(), b);
    }

    #[test]
    fn a_damaged_or_misapplied_delta_is_refused() {
        let a = sample(5_000, 0);
        let b = sample(5_000, 1);
        let sha = hex::encode(Sha256::digest(&b));
        let d = encode(&a, &b).unwrap();
        for i in [d.len() / 3, d.len() / 2, d.len() - 2] {
            let mut bad = d.clone();
            bad[i] ^= 0x10;
            assert!(
                apply(&a, &bad, &sha, b.len() as u64).is_err(),
                "flip at {i}"
            );
        }
        // Against another base the frame cannot reproduce the target.
        let other = sample(5_000, 2);
        assert!(apply(&other, &d, &sha, b.len() as u64).is_err());
        // A wrong size or digest is refused too.
        assert_eq!(
            apply(&a, &d, &sha, b.len() as u64 - 1).unwrap_err(),
            DeltaError::DigestMismatch
        );
        assert_eq!(
            apply(&a, &d, &"0".repeat(64), b.len() as u64).unwrap_err(),
            DeltaError::DigestMismatch
        );
    }
}
