//! The per-device evidence hash chain.
//!
//! Each record's hash is
//! `SHA-256("zhifa.evidence.v1\0" ‖ prev_hash ‖ seq (u64 BE) ‖ canonical JSON of the metadata)`,
//! where the metadata includes the original's SHA-256 and size, and
//! `prev_hash` is the previous record's hash (empty for `seq` 1). The device
//! key signs each record hash, and the chain head (`seq`, hash) after each
//! append, so that deleting the newest record is detected as well as a
//! deletion in the middle. The canonical JSON is `serde_json` of
//! [`EvidenceMeta`] (fields in declaration order, shortest round-trip
//! floats), recomputed at verification from the stored columns.

use sha2::{Digest, Sha256};

use super::EvidenceMeta;

const RECORD_DOMAIN: &[u8] = b"zhifa.evidence.v1\0";
const HEAD_DOMAIN: &[u8] = b"zhifa.evidence.head.v1\0";

/// The record hash (hex) of `meta` appended after `prev_hash` at `seq`.
pub fn record_hash(prev_hash: &str, seq: u64, meta: &EvidenceMeta) -> String {
    let mut h = Sha256::new();
    h.update(RECORD_DOMAIN);
    h.update(prev_hash.as_bytes());
    h.update(seq.to_be_bytes());
    // Serialising a struct of strings, numbers and options cannot fail;
    // should it ever, the empty body still yields a hash that verification
    // recomputes identically, so nothing is silently accepted.
    h.update(serde_json::to_vec(meta).unwrap_or_default());
    hex::encode(h.finalize())
}

/// The bytes the device signs for the chain head.
pub fn head_message(seq: u64, hash: &str) -> Vec<u8> {
    let mut m = HEAD_DOMAIN.to_vec();
    m.extend_from_slice(&seq.to_be_bytes());
    m.extend_from_slice(hash.as_bytes());
    m
}
