//! The sealed format of a staged (partial) upload: each chunk a device
//! sends is encrypted before it reaches the disk, so an original — a photo
//! of an ID card, a decision PDF naming the party — is never plaintext in
//! the data folder, not even half uploaded (issue 15 item 4).
//!
//! ```text
//! header  magic "\x89ZHIFAUP" (8) ‖ version 1 (1) ‖ key id length (1) ‖ key id
//! record  plaintext length n (u32 BE, 1 ..= RECORD) ‖ nonce (24, random)
//!         ‖ XChaCha20-Poly1305(n plaintext bytes) ‖ tag (16)
//! ```
//!
//! The key is the evidence data key the header names (the one active when
//! the upload's first chunk was staged; `blobs/seal.rs` holds the rest of
//! that key's story). Every record's associated data is the purpose, the
//! upload id, the record's **plaintext offset** and the header, so a
//! record moved inside the file, copied into another upload, or read under
//! a changed header does not open.
//!
//! Offsets stay plaintext offsets, as the upload protocol speaks them: a
//! chunk written at offset *o* cuts the file at the record boundary of *o*
//! (a record that straddles *o* is opened and its prefix sealed again) and
//! appends its own records; bytes a crash left past the last whole record
//! were never acknowledged and are cut the same way. A gap — *o* beyond
//! what is staged, which happens only when another process staged the
//! earlier chunks on a disk this one cannot see — is filled with zero
//! records, so the completion's re-hash fails and the upload starts over
//! (as plaintext staging did).
//!
//! **Parts from before sealing.** A part without the magic is a plaintext
//! part staged by an older server: it is read as it is, and the next chunk
//! written to it first converts its acknowledged prefix into a sealed
//! part (a temporary file, fsync, rename).

use std::fs::{self, File, OpenOptions};
use std::io::{BufReader, Read, Seek, SeekFrom, Write};
use std::path::Path;

use chacha20poly1305::XChaCha20Poly1305;
use chacha20poly1305::aead::generic_array::GenericArray;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};

use super::BlobError;
use super::seal::{KeyRing, SealError};

/// The magic at the start of a sealed part.
pub const MAGIC: &[u8; 8] = b"\x89ZHIFAUP";
/// The format version this code writes.
pub const VERSION: u8 = 1;
/// The most plaintext bytes in one record (longer chunks are split).
pub const RECORD: usize = 1 << 20;
/// Bytes of a record's nonce.
const NONCE: usize = 24;
/// Bytes of a record's tag.
const TAG: usize = 16;
/// Bytes of a record's length prefix.
const LEN: usize = 4;

/// The header of a sealed part.
#[derive(Debug, Clone)]
struct Header {
    key_id: String,
    bytes: Vec<u8>,
}

impl Header {
    fn new(key_id: &str) -> Self {
        let id = &key_id.as_bytes()[..key_id.len().min(255)];
        let mut bytes = Vec::with_capacity(MAGIC.len() + 2 + id.len());
        bytes.extend_from_slice(MAGIC);
        bytes.push(VERSION);
        // At most 255 by the slice above.
        bytes.push(u8::try_from(id.len()).unwrap_or(u8::MAX));
        bytes.extend_from_slice(id);
        Self {
            key_id: String::from_utf8_lossy(id).into_owned(),
            bytes,
        }
    }

    /// The header at the start of `f`, or `None` for a part without the
    /// magic (a plaintext part from before sealing). Leaves `f` just past it.
    fn read(f: &mut File) -> Result<Option<Self>, BlobError> {
        f.seek(SeekFrom::Start(0))?;
        let mut head = [0u8; 10];
        if !read_full(f, &mut head)? || &head[..8] != MAGIC {
            return Ok(None);
        }
        if head[8] != VERSION {
            return Err(SealError::Version(head[8]).into());
        }
        let mut id = vec![0u8; usize::from(head[9])];
        if !read_full(f, &mut id)? {
            return Err(invalid("staged upload: header cut short").into());
        }
        let key_id =
            String::from_utf8(id).map_err(|_| invalid("staged upload: key id is not UTF-8"))?;
        Ok(Some(Self::new(&key_id)))
    }
}

fn invalid(msg: &'static str) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, msg)
}

/// Fills `buf` from `r`; `false` when the stream ends first (a partial
/// read is then discarded by the caller).
fn read_full(r: &mut impl Read, buf: &mut [u8]) -> std::io::Result<bool> {
    let mut got = 0;
    while got < buf.len() {
        match r.read(&mut buf[got..]) {
            Ok(0) => return Ok(false),
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(true)
}

/// The associated data of the record at plaintext `offset` of upload `id`.
fn aad(id: &str, offset: u64, header: &[u8]) -> Vec<u8> {
    crate::record::purpose_aad(
        super::seal::PURPOSE,
        &[
            b"staged:",
            id.as_bytes(),
            b"\n",
            &offset.to_be_bytes(),
            header,
        ]
        .concat(),
    )
}

/// One sealed part being read or written: its header and key.
struct Sealer {
    id: String,
    header: Header,
    cipher: XChaCha20Poly1305,
}

impl Sealer {
    fn new(ring: &KeyRing, id: &str, header: Header) -> Result<Self, BlobError> {
        let key = ring.key(&header.key_id)?;
        Ok(Self {
            id: id.to_owned(),
            cipher: XChaCha20Poly1305::new(GenericArray::from_slice(&key)),
            header,
        })
    }

    /// Appends the records of `plain` (staged at plaintext `offset`) to `out`.
    fn seal(&self, mut offset: u64, plain: &[u8], out: &mut Vec<u8>) -> Result<(), BlobError> {
        for piece in plain.chunks(RECORD) {
            let mut nonce = [0u8; NONCE];
            getrandom::fill(&mut nonce).map_err(|e| SealError::Random(e.to_string()))?;
            let aad = aad(&self.id, offset, &self.header.bytes);
            let sealed = self
                .cipher
                .encrypt(
                    GenericArray::from_slice(&nonce),
                    Payload {
                        msg: piece,
                        aad: &aad,
                    },
                )
                .map_err(|_| invalid("staged upload: a record could not be sealed"))?;
            // A piece is at most RECORD (1 MiB) bytes, well inside u32.
            let n = u32::try_from(piece.len()).map_err(|_| invalid("record too long"))?;
            out.extend_from_slice(&n.to_be_bytes());
            out.extend_from_slice(&nonce);
            out.extend_from_slice(&sealed);
            offset += piece.len() as u64;
        }
        Ok(())
    }

    /// Opens the record at plaintext `offset` whose nonce and sealed bytes
    /// (`n` plaintext bytes plus the tag) are in `body`.
    fn open(&self, offset: u64, body: &[u8]) -> std::io::Result<Vec<u8>> {
        let (nonce, sealed) = body.split_at(NONCE);
        let aad = aad(&self.id, offset, &self.header.bytes);
        self.cipher
            .decrypt(
                GenericArray::from_slice(nonce),
                Payload {
                    msg: sealed,
                    aad: &aad,
                },
            )
            .map_err(|_| invalid("staged upload: a record does not open"))
    }
}

/// Reads one record's length prefix and body from `r`: `None` at a clean
/// end (or a record cut short by a crash), else `(n, nonce ‖ sealed)`.
fn next_record(r: &mut impl Read) -> std::io::Result<Option<(usize, Vec<u8>)>> {
    let mut len = [0u8; LEN];
    if !read_full(r, &mut len)? {
        return Ok(None);
    }
    let n = u32::from_be_bytes(len) as usize;
    if n == 0 || n > RECORD {
        return Err(invalid("staged upload: a record's length is out of range"));
    }
    let mut body = vec![0u8; NONCE + n + TAG];
    if !read_full(r, &mut body)? {
        return Ok(None);
    }
    Ok(Some((n, body)))
}

/// Writes `chunk` at plaintext `offset` of the part at `path` (upload
/// `id`) and fsyncs it; returns the new plaintext length. Blocking.
pub(super) fn write_at(
    ring: &KeyRing,
    id: &str,
    path: &Path,
    offset: u64,
    chunk: &[u8],
) -> Result<u64, BlobError> {
    let mut f = OpenOptions::new()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        .open(path)?;
    let header = if f.metadata()?.len() == 0 {
        let h = Header::new(ring.active_id());
        f.write_all(&h.bytes)?;
        h
    } else {
        match Header::read(&mut f)? {
            Some(h) => h,
            None => {
                drop(f);
                seal_legacy(ring, id, path, offset)?;
                f = OpenOptions::new().read(true).write(true).open(path)?;
                Header::read(&mut f)?.ok_or_else(|| invalid("staged upload: not converted"))?
            }
        }
    };
    let sealer = Sealer::new(ring, id, header)?;
    // Walk the whole records up to `offset`.
    let mut pos = sealer.header.bytes.len() as u64;
    let mut staged = 0u64;
    let mut carry = Vec::new();
    {
        let mut r = BufReader::new(&mut f);
        r.seek(SeekFrom::Start(pos))?;
        while staged < offset {
            let Some((n, body)) = next_record(&mut r)? else {
                break;
            };
            if staged + n as u64 > offset {
                // `offset` falls inside this record: keep its prefix.
                let plain = sealer.open(staged, &body)?;
                let keep = usize::try_from(offset - staged).unwrap_or(plain.len());
                carry.extend_from_slice(&plain[..keep.min(plain.len())]);
                break;
            }
            pos += (LEN + body.len()) as u64;
            staged += n as u64;
        }
    }
    f.set_len(pos)?;
    f.seek(SeekFrom::Start(pos))?;
    let mut out = Vec::with_capacity(chunk.len() + 64);
    if carry.is_empty() && staged < offset {
        // A gap: earlier chunks staged where this process cannot see them.
        let zeros = vec![0u8; RECORD];
        while staged < offset {
            let n = usize::try_from(offset - staged).map_or(RECORD, |n| n.min(RECORD));
            sealer.seal(staged, &zeros[..n], &mut out)?;
            f.write_all(&out)?;
            out.clear();
            staged += n as u64;
        }
    } else if !carry.is_empty() {
        sealer.seal(staged, &carry, &mut out)?;
        staged += carry.len() as u64;
    }
    sealer.seal(staged, chunk, &mut out)?;
    f.write_all(&out)?;
    f.sync_all()?;
    Ok(staged + chunk.len() as u64)
}

/// Converts a plaintext part from before sealing into a sealed one holding
/// its first `offset` bytes (what the upload row acknowledged). Blocking.
fn seal_legacy(ring: &KeyRing, id: &str, path: &Path, offset: u64) -> Result<(), BlobError> {
    let sealer = Sealer::new(ring, id, Header::new(ring.active_id()))?;
    let tmp = path.with_extension("part-sealing");
    let mut src = File::open(path)?.take(offset);
    let mut dst = File::create(&tmp)?;
    dst.write_all(&sealer.header.bytes)?;
    let mut buf = vec![0u8; RECORD];
    let (mut at, mut out) = (0u64, Vec::with_capacity(RECORD + 64));
    loop {
        let n = src.read(&mut buf)?;
        if n == 0 {
            break;
        }
        sealer.seal(at, &buf[..n], &mut out)?;
        dst.write_all(&out)?;
        out.clear();
        at += n as u64;
    }
    dst.sync_all()?;
    fs::rename(&tmp, path)?;
    if let Some(dir) = path.parent() {
        File::open(dir)?.sync_all()?;
    }
    Ok(())
}

/// The plaintext of a staged part, record by record (a plaintext part from
/// before sealing is read as it is). A record that does not open, or one
/// out of range, is an `InvalidData` error: the staged bytes are not what
/// the device sent, so the upload must start over.
pub struct PartReader {
    src: Source,
}

enum Source {
    Sealed {
        file: BufReader<File>,
        sealer: Sealer,
        offset: u64,
        plain: Vec<u8>,
        at: usize,
    },
    Plain(File),
}

impl PartReader {
    /// Opens the part at `path` (upload `id`). Blocking.
    pub(super) fn open(ring: &KeyRing, id: &str, path: &Path) -> Result<Self, BlobError> {
        let mut f = File::open(path)?;
        let src = match Header::read(&mut f)? {
            Some(header) => Source::Sealed {
                file: BufReader::with_capacity(RECORD + NONCE + TAG + LEN, f),
                sealer: Sealer::new(ring, id, header)?,
                offset: 0,
                plain: Vec::new(),
                at: 0,
            },
            None => {
                f.seek(SeekFrom::Start(0))?;
                Source::Plain(f)
            }
        };
        Ok(Self { src })
    }

    /// Whether the part is sealed (not a plaintext part from before sealing).
    pub fn is_sealed(&self) -> bool {
        matches!(self.src, Source::Sealed { .. })
    }
}

impl Read for PartReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match &mut self.src {
            Source::Plain(f) => f.read(buf),
            Source::Sealed {
                file,
                sealer,
                offset,
                plain,
                at,
            } => {
                if *at == plain.len() {
                    let Some((n, body)) = next_record(file)? else {
                        return Ok(0);
                    };
                    *plain = sealer.open(*offset, &body)?;
                    *offset += n as u64;
                    *at = 0;
                }
                let n = buf.len().min(plain.len() - *at);
                buf[..n].copy_from_slice(&plain[*at..*at + n]);
                *at += n;
                Ok(n)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should abort loudly

    use super::*;
    use proptest::prelude::*;

    fn ring() -> KeyRing {
        KeyRing::single("evidence/1", [7u8; 32])
    }

    fn read_all(ring: &KeyRing, id: &str, path: &Path) -> std::io::Result<Vec<u8>> {
        let mut out = Vec::new();
        PartReader::open(ring, id, path)
            .map_err(std::io::Error::other)?
            .read_to_end(&mut out)?;
        Ok(out)
    }

    #[test]
    fn chunks_read_back_and_are_not_plaintext_on_disk() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("u.part");
        let text = "当事人 张三 身份证号 110101199003070011 电话 13800000000".repeat(40);
        let bytes = text.as_bytes();
        let mut at = 0;
        for c in bytes.chunks(300) {
            at = write_at(&ring(), "u", &p, at, c).unwrap();
        }
        assert_eq!(at, bytes.len() as u64);
        assert_eq!(read_all(&ring(), "u", &p).unwrap(), bytes);
        let raw = fs::read(&p).unwrap();
        assert!(raw.starts_with(MAGIC));
        assert!(!raw.windows(6).any(|w| w == "张三".as_bytes()));
        assert!(!raw.windows(18).any(|w| w == b"110101199003070011"));
    }

    #[test]
    fn another_upload_id_or_key_does_not_open_it() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("u.part");
        write_at(&ring(), "u", &p, 0, b"evidence bytes").unwrap();
        let err = read_all(&ring(), "v", &p).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidData);
        let other = KeyRing::single("evidence/1", [8u8; 32]);
        assert_eq!(
            read_all(&other, "u", &p).unwrap_err().kind(),
            std::io::ErrorKind::InvalidData
        );
    }

    #[test]
    fn swapped_records_do_not_open() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("u.part");
        write_at(&ring(), "u", &p, 0, b"aaaa").unwrap();
        write_at(&ring(), "u", &p, 4, b"bbbb").unwrap();
        let raw = fs::read(&p).unwrap();
        let h = Header::new("evidence/1").bytes.len();
        let rec = LEN + NONCE + 4 + TAG;
        let mut swapped = raw[..h].to_vec();
        swapped.extend_from_slice(&raw[h + rec..]);
        swapped.extend_from_slice(&raw[h..h + rec]);
        fs::write(&p, swapped).unwrap();
        assert_eq!(
            read_all(&ring(), "u", &p).unwrap_err().kind(),
            std::io::ErrorKind::InvalidData
        );
    }

    #[test]
    fn a_torn_tail_is_cut_by_the_next_write() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("u.part");
        write_at(&ring(), "u", &p, 0, b"first").unwrap();
        // A crash while the next chunk was written: half a record on disk.
        let mut f = OpenOptions::new().append(true).open(&p).unwrap();
        f.write_all(&[0, 0, 0, 9, 1, 2, 3]).unwrap();
        drop(f);
        assert_eq!(write_at(&ring(), "u", &p, 5, b"second").unwrap(), 11);
        assert_eq!(read_all(&ring(), "u", &p).unwrap(), b"firstsecond");
    }

    #[test]
    fn a_plaintext_part_from_before_sealing_is_read_and_then_sealed() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("u.part");
        // Staged by an older server: 6 bytes acknowledged, 3 more unacknowledged.
        fs::write(&p, b"legacyXYZ").unwrap();
        assert_eq!(read_all(&ring(), "u", &p).unwrap(), b"legacyXYZ");
        assert_eq!(write_at(&ring(), "u", &p, 6, b" bytes").unwrap(), 12);
        assert!(fs::read(&p).unwrap().starts_with(MAGIC));
        assert_eq!(read_all(&ring(), "u", &p).unwrap(), b"legacy bytes");
    }

    #[test]
    fn a_gap_is_zero_filled_so_the_rehash_fails() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("u.part");
        assert_eq!(write_at(&ring(), "u", &p, 4, b"tail").unwrap(), 8);
        assert_eq!(read_all(&ring(), "u", &p).unwrap(), b"\0\0\0\0tail");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        /// Any sequence of writes, each at an offset at or below what is
        /// staged (a resumed or repeated chunk), reads back as the same
        /// writes applied to a plain buffer.
        #[test]
        fn writes_at_any_acknowledged_offset_match_a_plain_file(
            ops in proptest::collection::vec((0usize..=100, proptest::collection::vec(any::<u8>(), 1..300)), 1..12)
        ) {
            let dir = tempfile::tempdir().unwrap();
            let p = dir.path().join("u.part");
            let mut model: Vec<u8> = Vec::new();
            for (pct, chunk) in ops {
                let offset = model.len() * pct / 100;
                model.truncate(offset);
                model.extend_from_slice(&chunk);
                let at = write_at(&ring(), "u", &p, offset as u64, &chunk).unwrap();
                prop_assert_eq!(at, model.len() as u64);
            }
            prop_assert_eq!(read_all(&ring(), "u", &p).unwrap(), model);
        }
    }
}
