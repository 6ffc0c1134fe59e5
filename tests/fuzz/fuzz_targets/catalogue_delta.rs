//! Catalogue release deltas (sync/src/delta.rs): `apply` on arbitrary
//! delta bytes against an arbitrary base never panics and returns only
//! bytes with the expected SHA-256 and size; `encode` then `apply`
//! round-trips any (base, target).
//!
//! Input: two bytes give the base length; the base follows, then the rest.
//! An even first byte treats the rest as a delta (expected: the rest's own
//! hash and size, so a frame of any content is checked); an odd one as
//! the target of an encode/apply round trip.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sha2::{Digest, Sha256};
use zhifa_sync::delta;

fuzz_target!(|data: &[u8]| {
    if data.len() < 2 {
        return;
    }
    let n = usize::from(u16::from_le_bytes([data[0], data[1]]));
    let body = &data[2..];
    let split = n.min(body.len());
    let (base, rest) = body.split_at(split);
    if data[0] & 1 == 0 {
        let sha = hex::encode(Sha256::digest(rest));
        match delta::apply(base, rest, &sha, rest.len() as u64 * 2) {
            Ok(out) => {
                assert_eq!(out.len() as u64, rest.len() as u64 * 2);
                assert_eq!(hex::encode(Sha256::digest(&out)), sha);
            }
            Err(e) => assert!(!e.code().is_empty()),
        }
        // And with a limit the frame may be larger than.
        let _ = delta::apply(base, rest, &sha, 16);
    } else {
        let d = delta::encode(base, rest).expect("encode");
        let sha = hex::encode(Sha256::digest(rest));
        let out = delta::apply(base, &d, &sha, rest.len() as u64).expect("round trip");
        assert_eq!(out, rest);
    }
});
