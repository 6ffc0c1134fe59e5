//! The sealed object format of the evidence store: every object written
//! is encrypted under a vault data key of purpose [`PURPOSE`]
//! (`evidence/{generation}`, wrapped by the master key like the others).
//!
//! ```text
//! header   magic "\x89ZHIFAEV" (8) ‖ version 1 (1) ‖ segment size (u32 BE)
//!          ‖ key id length (1) ‖ key id (UTF-8) ‖ nonce prefix (19)
//!          ‖ plaintext size (u64 BE)
//! body     segment 0 ‖ segment 1 ‖ … ‖ segment n−1
//! segment  XChaCha20-Poly1305(plaintext of SEGMENT bytes, the last one
//!          0..=SEGMENT bytes) ‖ tag (16)
//! ```
//!
//! The segments are the STREAM construction (`aead::stream`, big-endian
//! 32-bit counter): segment *i*'s nonce is prefix ‖ *i* ‖ last-flag, so a
//! reordered, dropped or appended segment and a stream cut at a segment
//! boundary all fail to open. A 0-byte original is one empty last segment.
//! Every segment's associated data is the purpose, the content address
//! (the SHA-256 of the plaintext) and the whole header, so an object
//! copied to another address, or a header whose size or key id was
//! changed, does not open. Sealing and opening are incremental
//! ([`Encoder`], [`Decoder`]): memory stays at one segment whatever the
//! object's size, and a multipart put is fed segment by segment.
//!
//! **Legacy objects.** Objects written before sealing are plaintext. An
//! object is taken as sealed only when its header parses, its size is the
//! one the header implies and every segment's tag verifies under the data
//! key it names; otherwise it is read as plaintext and must hash to its
//! address. A plaintext original that happens to begin with the magic
//! therefore stays readable (it fails the tags and passes the hash), and
//! no one without the data key can make bytes pass as sealed.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::sync::RwLock;

use chacha20poly1305::XChaCha20Poly1305;
use chacha20poly1305::aead::KeyInit;
use chacha20poly1305::aead::generic_array::GenericArray;
use chacha20poly1305::aead::stream::{DecryptorBE32, EncryptorBE32};

/// The vault purpose of the evidence store's data keys.
pub const PURPOSE: &str = "evidence";
/// The magic at the start of every sealed object.
pub const MAGIC: &[u8; 8] = b"\x89ZHIFAEV";
/// The format version this code writes.
pub const VERSION: u8 = 1;
/// Plaintext bytes per segment (64 KiB).
pub const SEGMENT: usize = 64 << 10;
/// Bytes of a segment's tag.
pub const TAG: usize = 16;
/// Bytes of the STREAM nonce prefix (XChaCha20's 24 − 5).
pub const NONCE_PREFIX: usize = 19;
/// The longest header (a 255-byte key id): read this much to parse one.
pub const MAX_HEADER: usize = 8 + 1 + 4 + 1 + 255 + NONCE_PREFIX + 8;

/// Why a sealed object could not be made or opened. Never a panic.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    /// Not a sealed object (no magic, or a header that does not parse).
    #[error("not a sealed evidence object")]
    NotSealed,
    /// A format version this build does not read.
    #[error("sealed evidence format version {0} unknown")]
    Version(u8),
    /// The header names a data key the vault does not hold.
    #[error("evidence data key {0} unknown")]
    UnknownKey(String),
    /// A segment's tag does not verify: changed, reordered, or under
    /// another key or address.
    #[error("sealed evidence segment {0} does not open")]
    Tag(u64),
    /// Fewer bytes than the header promises.
    #[error("sealed evidence object truncated")]
    Truncated,
    /// More bytes than the header promises.
    #[error("sealed evidence object has trailing bytes")]
    Trailing,
    /// No key ring installed: the store cannot write.
    #[error("evidence store has no data key (vault not prepared)")]
    NoKeys,
    /// No randomness for a nonce.
    #[error("no randomness: {0}")]
    Random(String),
}

impl SealError {
    /// A stable code (logs, CLI).
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotSealed => "evidence_not_sealed",
            Self::Version(_) => "evidence_seal_version",
            Self::UnknownKey(_) => "evidence_key_unknown",
            Self::Tag(_) => "evidence_seal_tag",
            Self::Truncated => "evidence_seal_truncated",
            Self::Trailing => "evidence_seal_trailing",
            Self::NoKeys => "evidence_no_keys",
            Self::Random(_) => "random",
        }
    }
}

/// A parsed header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// The data key's id (`evidence/1` …).
    pub key_id: String,
    /// The STREAM nonce prefix.
    pub nonce: [u8; NONCE_PREFIX],
    /// The original's size.
    pub plain_size: u64,
    /// The header's own bytes (associated data).
    pub bytes: Vec<u8>,
}

impl Header {
    fn new(key_id: &str, nonce: [u8; NONCE_PREFIX], plain_size: u64) -> Self {
        let mut bytes = Vec::with_capacity(64);
        bytes.extend_from_slice(MAGIC);
        bytes.push(VERSION);
        bytes.extend_from_slice(&u32::try_from(SEGMENT).unwrap_or(u32::MAX).to_be_bytes());
        let id = &key_id.as_bytes()[..key_id.len().min(255)];
        bytes.push(u8::try_from(id.len()).unwrap_or(u8::MAX));
        bytes.extend_from_slice(id);
        bytes.extend_from_slice(&nonce);
        bytes.extend_from_slice(&plain_size.to_be_bytes());
        Self {
            key_id: String::from_utf8_lossy(id).into_owned(),
            nonce,
            plain_size,
            bytes,
        }
    }

    /// Parses the header at the start of `bytes` (which may hold more).
    pub fn parse(bytes: &[u8]) -> Result<Self, SealError> {
        let rest = bytes.strip_prefix(MAGIC).ok_or(SealError::NotSealed)?;
        let (&version, rest) = rest.split_first().ok_or(SealError::NotSealed)?;
        if version != VERSION {
            return Err(SealError::Version(version));
        }
        let (segment, rest) = rest.split_at_checked(4).ok_or(SealError::NotSealed)?;
        if segment != u32::try_from(SEGMENT).unwrap_or(u32::MAX).to_be_bytes() {
            return Err(SealError::NotSealed);
        }
        let (&n, rest) = rest.split_first().ok_or(SealError::NotSealed)?;
        let (id, rest) = rest
            .split_at_checked(usize::from(n))
            .ok_or(SealError::NotSealed)?;
        let key_id = std::str::from_utf8(id).map_err(|_| SealError::NotSealed)?;
        let (nonce, rest) = rest
            .split_at_checked(NONCE_PREFIX)
            .ok_or(SealError::NotSealed)?;
        let (size, _) = rest.split_at_checked(8).ok_or(SealError::NotSealed)?;
        let mut s = [0u8; 8];
        s.copy_from_slice(size);
        let mut nonce_arr = [0u8; NONCE_PREFIX];
        nonce_arr.copy_from_slice(nonce);
        let header = Self::new(key_id, nonce_arr, u64::from_be_bytes(s));
        Ok(header)
    }

    /// The whole object's size this header implies.
    pub fn sealed_size(&self) -> u64 {
        self.bytes.len() as u64 + body_size(self.plain_size)
    }
}

/// Segments of an original of `plain` bytes (at least one).
fn segments(plain: u64) -> u64 {
    plain.div_ceil(SEGMENT as u64).max(1)
}

/// The body's size for an original of `plain` bytes.
pub fn body_size(plain: u64) -> u64 {
    plain + segments(plain) * TAG as u64
}

/// The size of a sealed object of an original of `plain` bytes under key
/// `key_id`.
pub fn sealed_size(key_id: &str, plain: u64) -> u64 {
    Header::new(key_id, [0; NONCE_PREFIX], plain).sealed_size()
}

/// The associated data of every segment of the object at `sha256`.
fn aad(sha256: &str, header: &[u8]) -> Vec<u8> {
    crate::record::purpose_aad(
        PURPOSE,
        &[b"sha256:", sha256.as_bytes(), b"\n", header].concat(),
    )
}

/// The evidence data keys: the active one (new objects) and every one
/// known (reading); a key sealed by another process after this one read
/// its keys is fetched through `fetch` (a vault read; blocking).
pub struct KeyRing {
    active: String,
    known: RwLock<HashMap<String, [u8; 32]>>,
    fetch: Option<Fetch>,
}

impl std::fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyRing")
            .field("active", &self.active)
            .finish_non_exhaustive()
    }
}

/// A fetcher of data keys by id (a vault read).
pub type Fetch = Box<dyn Fn(&str) -> Result<Option<[u8; 32]>, String> + Send + Sync>;

impl KeyRing {
    /// A ring of `keys` with `active` for new objects, and `fetch` for
    /// ids not among them.
    pub fn new(active: &str, keys: HashMap<String, [u8; 32]>, fetch: Option<Fetch>) -> Self {
        Self {
            active: active.to_owned(),
            known: RwLock::new(keys),
            fetch,
        }
    }

    /// One key (tests, benchmarks).
    pub fn single(id: &str, key: [u8; 32]) -> Self {
        Self::new(id, HashMap::from([(id.to_owned(), key)]), None)
    }

    /// The active key's id.
    pub fn active_id(&self) -> &str {
        &self.active
    }

    /// The key cached under `id`, without fetching.
    pub fn cached(&self, id: &str) -> Option<[u8; 32]> {
        self.known
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(id)
            .copied()
    }

    /// Key `id`: cached, or fetched (blocking: call off the async runtime).
    pub fn key(&self, id: &str) -> Result<[u8; 32], SealError> {
        if let Some(k) = self.cached(id) {
            return Ok(k);
        }
        let fetched = match (
            &self.fetch,
            id.strip_prefix(PURPOSE).and_then(|r| r.strip_prefix('/')),
        ) {
            (Some(f), Some(_)) => f(id).map_err(|e| {
                tracing::warn!(key = id, error = %e, "evidence data key not fetched");
                SealError::UnknownKey(id.to_owned())
            })?,
            _ => None,
        };
        let k = fetched.ok_or_else(|| SealError::UnknownKey(id.to_owned()))?;
        self.known
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id.to_owned(), k);
        Ok(k)
    }

    fn active_key(&self) -> Result<[u8; 32], SealError> {
        self.cached(&self.active).ok_or(SealError::NoKeys)
    }
}

/// Seals one object incrementally: [`Encoder::header`] first, then what
/// [`Encoder::update`] and [`Encoder::finish`] append.
pub struct Encoder {
    stream: EncryptorBE32<XChaCha20Poly1305>,
    aad: Vec<u8>,
    header: Vec<u8>,
    pending: Vec<u8>,
    expected: u64,
    seen: u64,
}

impl Encoder {
    /// An encoder for the `plain_size`-byte original at `sha256` under the
    /// ring's active key.
    pub fn new(ring: &KeyRing, sha256: &str, plain_size: u64) -> Result<Self, SealError> {
        let key = ring.active_key()?;
        let mut nonce = [0u8; NONCE_PREFIX];
        getrandom::fill(&mut nonce).map_err(|e| SealError::Random(e.to_string()))?;
        Ok(Self::with_nonce(
            ring.active_id(),
            &key,
            nonce,
            sha256,
            plain_size,
        ))
    }

    fn with_nonce(
        key_id: &str,
        key: &[u8; 32],
        nonce: [u8; NONCE_PREFIX],
        sha256: &str,
        plain_size: u64,
    ) -> Self {
        let header = Header::new(key_id, nonce, plain_size);
        let aead = XChaCha20Poly1305::new(key.into());
        Self {
            stream: EncryptorBE32::from_aead(aead, GenericArray::from_slice(&nonce)),
            aad: aad(sha256, &header.bytes),
            header: header.bytes,
            pending: Vec::with_capacity(SEGMENT + TAG),
            expected: plain_size,
            seen: 0,
        }
    }

    /// The header bytes (write them first).
    pub fn header(&self) -> &[u8] {
        &self.header
    }

    /// Appends to `out` the segments `plain` completes (a segment is
    /// written once it is known not to be the last).
    pub fn update(&mut self, mut plain: &[u8], out: &mut Vec<u8>) -> Result<(), SealError> {
        self.seen += plain.len() as u64;
        while !plain.is_empty() {
            if self.pending.len() == SEGMENT {
                self.flush(out)?;
            }
            let take = (SEGMENT - self.pending.len()).min(plain.len());
            self.pending.extend_from_slice(&plain[..take]);
            plain = &plain[take..];
        }
        Ok(())
    }

    fn flush(&mut self, out: &mut Vec<u8>) -> Result<(), SealError> {
        self.stream
            .encrypt_next_in_place(&self.aad, &mut self.pending)
            .map_err(|_| SealError::Tag(0))?;
        out.extend_from_slice(&self.pending);
        self.pending.clear();
        Ok(())
    }

    /// Appends the last segment. The plaintext fed must have been the
    /// size announced ([`SealError::Truncated`]/[`SealError::Trailing`]).
    pub fn finish(mut self, out: &mut Vec<u8>) -> Result<(), SealError> {
        if self.seen < self.expected {
            return Err(SealError::Truncated);
        }
        if self.seen > self.expected {
            return Err(SealError::Trailing);
        }
        self.stream
            .encrypt_last_in_place(&self.aad, &mut self.pending)
            .map_err(|_| SealError::Tag(0))?;
        out.extend_from_slice(&self.pending);
        Ok(())
    }
}

/// Opens one sealed object incrementally: feed the bytes after the
/// header to [`Decoder::update`], then [`Decoder::finish`]. Plaintext is
/// released only segment by segment after its tag verified; a failure is
/// final.
pub struct Decoder {
    stream: Option<DecryptorBE32<XChaCha20Poly1305>>,
    aad: Vec<u8>,
    pending: Vec<u8>,
    /// Segments opened so far.
    index: u64,
    total: u64,
    plain_size: u64,
}

impl Decoder {
    /// A decoder for the object at `sha256` with `header`, under `key`.
    pub fn new(header: &Header, key: &[u8; 32], sha256: &str) -> Self {
        let aead = XChaCha20Poly1305::new(key.into());
        Self {
            stream: Some(DecryptorBE32::from_aead(
                aead,
                GenericArray::from_slice(&header.nonce),
            )),
            aad: aad(sha256, &header.bytes),
            pending: Vec::with_capacity(SEGMENT + TAG),
            index: 0,
            total: segments(header.plain_size),
            plain_size: header.plain_size,
        }
    }

    fn last_len(&self) -> usize {
        let full = (self.total - 1) * SEGMENT as u64;
        usize::try_from(self.plain_size - full).unwrap_or(SEGMENT) + TAG
    }

    /// Appends to `out` the plaintext of every segment `sealed` completes.
    pub fn update(&mut self, mut sealed: &[u8], out: &mut Vec<u8>) -> Result<(), SealError> {
        while !sealed.is_empty() {
            if self.index >= self.total {
                return Err(SealError::Trailing);
            }
            let last = self.index + 1 == self.total;
            let want = if last { self.last_len() } else { SEGMENT + TAG };
            let take = (want - self.pending.len()).min(sealed.len());
            self.pending.extend_from_slice(&sealed[..take]);
            sealed = &sealed[take..];
            if self.pending.len() == want {
                let index = self.index;
                let tag = SealError::Tag(index);
                if last {
                    let stream = self.stream.take().ok_or(tag.clone())?;
                    stream
                        .decrypt_last_in_place(&self.aad, &mut self.pending)
                        .map_err(|_| tag)?;
                } else {
                    self.stream
                        .as_mut()
                        .ok_or(tag.clone())?
                        .decrypt_next_in_place(&self.aad, &mut self.pending)
                        .map_err(|_| tag)?;
                }
                out.extend_from_slice(&self.pending);
                self.pending.clear();
                self.index += 1;
            }
        }
        Ok(())
    }

    /// Checks that every segment arrived.
    pub fn finish(self) -> Result<(), SealError> {
        if self.index < self.total {
            return Err(SealError::Truncated);
        }
        Ok(())
    }
}

/// Seals `plain` (`size` bytes, the original at `sha256`) from a reader
/// into `out`; returns the SHA-256 (hex) and length of what was read.
pub fn seal_stream(
    ring: &KeyRing,
    sha256: &str,
    size: u64,
    plain: &mut dyn Read,
    out: &mut dyn Write,
) -> Result<(String, u64), SealStreamError> {
    use sha2::{Digest, Sha256};
    let mut enc = Encoder::new(ring, sha256, size)?;
    out.write_all(enc.header())?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; SEGMENT];
    let mut sealed = Vec::with_capacity(2 * (SEGMENT + TAG));
    let mut len = 0u64;
    loop {
        let n = plain.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
        len += n as u64;
        enc.update(&buf[..n], &mut sealed)?;
        out.write_all(&sealed)?;
        sealed.clear();
    }
    enc.finish(&mut sealed)?;
    out.write_all(&sealed)?;
    Ok((hex::encode(h.finalize()), len))
}

/// A failure of [`seal_stream`].
#[derive(Debug, thiserror::Error)]
pub enum SealStreamError {
    /// Reading or writing.
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// The format.
    #[error(transparent)]
    Seal(#[from] SealError),
}

/// Seals a whole original in memory (tests, small objects).
pub fn seal_bytes(ring: &KeyRing, sha256: &str, plain: &[u8]) -> Result<Vec<u8>, SealError> {
    let mut enc = Encoder::new(ring, sha256, plain.len() as u64)?;
    let mut out = enc.header().to_vec();
    enc.update(plain, &mut out)?;
    enc.finish(&mut out)?;
    Ok(out)
}

/// Opens a whole sealed object in memory (tests, small objects).
pub fn open_bytes(ring: &KeyRing, sha256: &str, sealed: &[u8]) -> Result<Vec<u8>, SealError> {
    let header = Header::parse(sealed)?;
    if sealed.len() as u64 > header.sealed_size() {
        return Err(SealError::Trailing);
    }
    let key = ring.key(&header.key_id)?;
    let mut dec = Decoder::new(&header, &key, sha256);
    let mut out = Vec::with_capacity(usize::try_from(header.plain_size).unwrap_or(0));
    dec.update(&sealed[header.bytes.len()..], &mut out)?;
    dec.finish()?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::blobs::reader::{Opened, Reader};
    use rand::{Rng, RngCore};
    use sha2::{Digest, Sha256};

    fn ring() -> KeyRing {
        KeyRing::single("evidence/1", [7; 32])
    }

    fn sha(b: &[u8]) -> String {
        hex::encode(Sha256::digest(b))
    }

    fn random(n: usize) -> Vec<u8> {
        let mut v = vec![0u8; n];
        rand::rng().fill_bytes(&mut v);
        v
    }

    #[test]
    fn originals_round_trip_at_every_segment_boundary() {
        let r = ring();
        for n in [
            0,
            1,
            SEGMENT - 1,
            SEGMENT,
            SEGMENT + 1,
            2 * SEGMENT,
            3 * SEGMENT + 17,
            5 << 20,
        ] {
            let plain = random(n);
            let s = sha(&plain);
            let sealed = seal_bytes(&r, &s, &plain).unwrap();
            assert_eq!(
                sealed.len() as u64,
                sealed_size("evidence/1", n as u64),
                "{n}"
            );
            assert!(sealed.starts_with(MAGIC));
            if n >= 32 {
                assert!(
                    !sealed.windows(32).any(|w| w == &plain[..32]),
                    "{n}: plaintext visible"
                );
            }
            assert_eq!(open_bytes(&r, &s, &sealed).unwrap(), plain, "{n}");
            // The one-pass reader agrees, fed in odd pieces.
            let mut rd = Reader::new(&s, sealed.len() as u64, Some(&r));
            let mut out = Vec::new();
            for piece in sealed.chunks(4093) {
                rd.update(piece, &mut |b| {
                    out.extend_from_slice(b);
                    Ok(())
                })
                .unwrap();
            }
            assert_eq!(
                rd.finish(),
                Opened::Sealed {
                    sha256: s.clone(),
                    size: n as u64,
                    key_id: "evidence/1".into()
                }
            );
            assert_eq!(out, plain);
        }
    }

    #[test]
    fn random_sizes_and_feeds_round_trip() {
        // A property test by hand (the server crate has no proptest).
        let r = ring();
        let mut rng = rand::rng();
        for _ in 0..40 {
            let n = rng.random_range(0..4 * SEGMENT + 100);
            let plain = random(n);
            let s = sha(&plain);
            let mut enc = Encoder::new(&r, &s, n as u64).unwrap();
            let mut sealed = enc.header().to_vec();
            let mut at = 0;
            while at < n {
                let step = rng.random_range(1..=(SEGMENT + 7)).min(n - at);
                enc.update(&plain[at..at + step], &mut sealed).unwrap();
                at += step;
            }
            enc.finish(&mut sealed).unwrap();
            let h = Header::parse(&sealed).unwrap();
            let mut dec = Decoder::new(&h, &[7; 32], &s);
            let mut out = Vec::new();
            let mut at = h.bytes.len();
            while at < sealed.len() {
                let step = rng.random_range(1..=(2 * SEGMENT)).min(sealed.len() - at);
                dec.update(&sealed[at..at + step], &mut out).unwrap();
                at += step;
            }
            dec.finish().unwrap();
            assert_eq!(out, plain);
        }
    }

    #[test]
    fn tampering_truncation_reordering_and_wrong_keys_are_typed_errors() {
        let r = ring();
        let plain = random(3 * SEGMENT + 5);
        let s = sha(&plain);
        let sealed = seal_bytes(&r, &s, &plain).unwrap();
        let hl = Header::parse(&sealed).unwrap().bytes.len();
        // A flipped bit anywhere after the magic.
        for at in [9, hl - 3, hl + 5, hl + SEGMENT + TAG + 1, sealed.len() - 1] {
            let mut bad = sealed.clone();
            bad[at] ^= 1;
            assert!(open_bytes(&r, &s, &bad).is_err(), "flip at {at}");
        }
        // Another address (the object copied elsewhere).
        assert_eq!(open_bytes(&r, &sha(b"x"), &sealed), Err(SealError::Tag(0)));
        // Cut at a segment boundary, and mid-segment.
        let seg = SEGMENT + TAG;
        assert_eq!(
            open_bytes(&r, &s, &sealed[..hl + 2 * seg]),
            Err(SealError::Truncated)
        );
        assert_eq!(
            open_bytes(&r, &s, &sealed[..hl + seg + 10]),
            Err(SealError::Truncated)
        );
        // Trailing bytes.
        let mut long = sealed.clone();
        long.push(0);
        assert_eq!(open_bytes(&r, &s, &long), Err(SealError::Trailing));
        // Two segments swapped.
        let mut swapped = sealed[..hl].to_vec();
        swapped.extend_from_slice(&sealed[hl + seg..hl + 2 * seg]);
        swapped.extend_from_slice(&sealed[hl..hl + seg]);
        swapped.extend_from_slice(&sealed[hl + 2 * seg..]);
        assert_eq!(open_bytes(&r, &s, &swapped), Err(SealError::Tag(0)));
        // A stream cut at a boundary whose header is rewritten to the
        // shorter size: the last segment was not sealed as last.
        let cut = Header::new(
            "evidence/1",
            Header::parse(&sealed).unwrap().nonce,
            2 * SEGMENT as u64,
        );
        let mut forged = cut.bytes.clone();
        forged.extend_from_slice(&sealed[hl..hl + 2 * seg]);
        assert!(matches!(
            open_bytes(&r, &s, &forged),
            Err(SealError::Tag(_))
        ));
        // Unknown and wrong keys.
        let other = KeyRing::single("evidence/2", [8; 32]);
        assert_eq!(
            open_bytes(&other, &s, &sealed),
            Err(SealError::UnknownKey("evidence/1".into()))
        );
        let wrong = KeyRing::single("evidence/1", [8; 32]);
        assert_eq!(open_bytes(&wrong, &s, &sealed), Err(SealError::Tag(0)));
        // Not sealed at all, a future version, and garbage never panic.
        assert_eq!(
            open_bytes(&r, &s, b"plain bytes"),
            Err(SealError::NotSealed)
        );
        let mut v2 = sealed.clone();
        v2[8] = 2;
        assert_eq!(open_bytes(&r, &s, &v2), Err(SealError::Version(2)));
        for n in 0..hl + 3 {
            let _ = open_bytes(&r, &s, &sealed[..n]);
        }
        // No key ring: nothing is written in plaintext instead.
        let empty = KeyRing::new("evidence/1", HashMap::new(), None);
        assert!(matches!(
            seal_bytes(&empty, &s, b"x"),
            Err(SealError::NoKeys)
        ));
    }

    #[test]
    fn a_plaintext_original_that_begins_with_the_magic_reads_as_plaintext() {
        let r = ring();
        // Forged: a header for exactly this length, under the ring's key
        // id, followed by junk — without the key it cannot pass the tags.
        let h = Header::new("evidence/1", [1; NONCE_PREFIX], 100);
        let mut forged = h.bytes.clone();
        forged.resize(h.sealed_size() as usize, 0xAB);
        let s = sha(&forged);
        let mut rd = Reader::new(&s, forged.len() as u64, Some(&r));
        rd.update(&forged, &mut |_| Ok(())).unwrap();
        match rd.finish() {
            Opened::Plain {
                sha256,
                sealed_error: Some(SealError::Tag(0)),
                ..
            } => assert_eq!(sha256, s),
            other => panic!("{other:?}"),
        }
        // A short plaintext object.
        let mut rd = Reader::new(&sha(b"hi"), 2, Some(&r));
        rd.update(b"hi", &mut |_| Ok(())).unwrap();
        assert!(matches!(
            rd.finish(),
            Opened::Plain {
                size: 2,
                sealed_error: None,
                ..
            }
        ));
    }
}
