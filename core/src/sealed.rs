//! Files sealed at rest: evidence and issued documents encrypted on the
//! device with a streaming AEAD, one data key per file.
//!
//! # Format (`ZHFSEAL1`)
//!
//! ```text
//! magic "ZHFSEAL1" (8) | salt (32) | nonce prefix (7) | chunk 0 | chunk 1 | … | last chunk
//! ```
//!
//! - The file-encryption key ([`FileKey`], 32 random bytes) lives in the
//!   SQLCipher store (setting `file_key_v1`), so the store key protects it.
//! - Each file has a fresh random salt; its data key is
//!   HKDF-SHA256(salt, file key, info `"zhifa/sealed-file/v1"`).
//! - The plaintext is cut into [`CHUNK`] (64 KiB) pieces, each encrypted
//!   with ChaCha20-Poly1305 under the STREAM construction of the `aead`
//!   crate ([`StreamBE32`]: the nonce is the 7-byte random prefix, a 32-bit
//!   big-endian chunk counter and a last-chunk flag), with the 47-byte
//!   header as associated data. Every chunk is `CHUNK + 16` bytes except
//!   the last, which is 16–`CHUNK + 16` bytes (it is never empty unless the
//!   whole file is).
//! - Reordered, dropped, truncated, appended or altered chunks, or a
//!   changed header, fail authentication: [`SealError::Tampered`]
//!   (`FILE_TAMPERED`). Opening checks the last chunk at once, so a
//!   truncated file is refused before any byte is read.
//!
//! Readers are seekable (a chunk is decrypted independently of the others:
//! resumable uploads read from any offset). A file without the magic is a
//! plain file written by an older version and is read as is ([`Opened`]);
//! [`seal_in_place`] migrates one crash-safely.

use std::fs::{self, File};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::Path;

use chacha20poly1305::ChaCha20Poly1305;
use chacha20poly1305::aead::KeyInit;
use chacha20poly1305::aead::stream::{NewStream, StreamBE32, StreamPrimitive};
use zeroize::Zeroizing;

use crate::ErrorCode;
use crate::store::{Store, StoreError};

/// The first bytes of every sealed file.
pub const MAGIC: [u8; 8] = *b"ZHFSEAL1";
/// Plaintext bytes per chunk.
pub const CHUNK: usize = 64 * 1024;
const TAG: usize = 16;
const SALT: usize = 32;
const PREFIX: usize = 7;
/// Magic, salt and nonce prefix.
pub const HEADER_LEN: usize = MAGIC.len() + SALT + PREFIX;
const SEALED_CHUNK: u64 = (CHUNK + TAG) as u64;
const SETTING: &str = "file_key_v1";
const INFO: &[u8] = b"zhifa/sealed-file/v1";

/// Why a sealed file could not be written or read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SealError {
    /// The file does not authenticate: altered, truncated, extended,
    /// or sealed under another key.
    #[error("加密文件校验失败 (文件被改动、截断或密钥不符)")]
    Tampered,
    /// Reading or writing failed.
    #[error("文件读写失败: {0}")]
    Io(io::Error),
    /// The OS random source failed.
    #[error("无法获取随机数: {0}")]
    Random(String),
    /// The stored file key is damaged.
    #[error("文件加密密钥损坏")]
    KeyCorrupt,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<io::Error> for SealError {
    fn from(e: io::Error) -> Self {
        if is_tampered(&e) {
            Self::Tampered
        } else {
            Self::Io(e)
        }
    }
}

impl From<rusqlite::Error> for SealError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Store(StoreError::Sqlite(e))
    }
}

impl ErrorCode for SealError {
    fn code(&self) -> &'static str {
        match self {
            Self::Tampered => "FILE_TAMPERED",
            Self::Io(_) => "FILE_IO",
            Self::Random(_) => "FILE_RANDOM",
            Self::KeyCorrupt => "FILE_KEY_CORRUPT",
            Self::Store(e) => e.code(),
        }
    }
}

/// The marker inside an `io::Error` that means "does not authenticate".
#[derive(Debug)]
struct TamperedMarker;

impl std::fmt::Display for TamperedMarker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("sealed file does not authenticate")
    }
}

impl std::error::Error for TamperedMarker {}

fn tampered() -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, TamperedMarker)
}

/// Whether an I/O error from a sealed reader means the file does not
/// authenticate (as opposed to an ordinary read failure).
pub fn is_tampered(e: &io::Error) -> bool {
    e.get_ref().is_some_and(|i| i.is::<TamperedMarker>())
}

/// The device's file-encryption key (kept in the encrypted store).
#[derive(Clone)]
pub struct FileKey(Zeroizing<[u8; 32]>);

impl std::fmt::Debug for FileKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FileKey(<redacted>)")
    }
}

fn random<const N: usize>() -> Result<[u8; N], SealError> {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).map_err(|e| SealError::Random(e.to_string()))?;
    Ok(b)
}

impl FileKey {
    /// A key from its bytes (tests, and keys kept elsewhere).
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(Zeroizing::new(bytes))
    }

    fn load(store: &Store) -> Result<Option<Self>, SealError> {
        let Some(text) = store.setting(SETTING)? else {
            return Ok(None);
        };
        let mut raw = Zeroizing::new([0u8; 32]);
        hex::decode_to_slice(text.trim(), raw.as_mut()).map_err(|_| SealError::KeyCorrupt)?;
        Ok(Some(Self(raw)))
    }

    /// The store's file key, created (random) on first use. Two writers
    /// racing to create it agree: the first insert wins, both read it back.
    pub fn load_or_create(store: &Store) -> Result<Self, SealError> {
        if let Some(k) = Self::load(store)? {
            return Ok(k);
        }
        let fresh = Zeroizing::new(hex::encode(random::<32>()?));
        store.conn().execute(
            "INSERT INTO setting (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO NOTHING",
            [SETTING, fresh.as_str()],
        )?;
        Self::load(store)?.ok_or(SealError::KeyCorrupt)
    }

    /// The store's file key for reading only: without one no file was ever
    /// sealed in this store, so a random key (under which any sealed file
    /// fails as [`SealError::Tampered`]) is answered and nothing is written.
    pub fn for_reading(store: &Store) -> Result<Self, SealError> {
        match Self::load(store)? {
            Some(k) => Ok(k),
            None => Ok(Self(Zeroizing::new(random::<32>()?))),
        }
    }

    fn stream(&self, header: &[u8; HEADER_LEN]) -> Result<StreamBE32<ChaCha20Poly1305>, SealError> {
        let salt = &header[MAGIC.len()..MAGIC.len() + SALT];
        let prefix = &header[MAGIC.len() + SALT..];
        let hk = hkdf::Hkdf::<sha2::Sha256>::new(Some(salt), self.0.as_ref());
        let mut dk = Zeroizing::new([0u8; 32]);
        hk.expand(INFO, dk.as_mut())
            .map_err(|_| SealError::KeyCorrupt)?;
        let aead = ChaCha20Poly1305::new(dk.as_ref().into());
        Ok(StreamBE32::from_aead(aead, prefix.into()))
    }
}

/// Encrypts everything written to it into `inner`; [`SealWriter::finish`]
/// writes the last chunk (a writer dropped without it leaves a file that
/// does not authenticate).
pub struct SealWriter<W: Write> {
    inner: W,
    stream: StreamBE32<ChaCha20Poly1305>,
    header: [u8; HEADER_LEN],
    buf: Vec<u8>,
    next: u32,
}

impl<W: Write> std::fmt::Debug for SealWriter<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SealWriter")
            .field("next", &self.next)
            .finish_non_exhaustive()
    }
}

impl<W: Write> SealWriter<W> {
    /// Starts a sealed file in `inner` (writes the header).
    pub fn new(mut inner: W, key: &FileKey) -> Result<Self, SealError> {
        let mut header = [0u8; HEADER_LEN];
        header[..MAGIC.len()].copy_from_slice(&MAGIC);
        header[MAGIC.len()..].copy_from_slice(&random::<{ SALT + PREFIX }>()?);
        let stream = key.stream(&header)?;
        inner.write_all(&header)?;
        Ok(Self {
            inner,
            stream,
            header,
            buf: Vec::with_capacity(CHUNK * 2),
            next: 0,
        })
    }

    fn emit(&mut self, mut block: Vec<u8>, last: bool) -> io::Result<()> {
        self.stream
            .encrypt_in_place(self.next, last, &self.header, &mut block)
            .map_err(|_| io::Error::other("encryption failed"))?;
        self.next = self
            .next
            .checked_add(1)
            .ok_or_else(|| io::Error::other("file too large to seal"))?;
        self.inner.write_all(&block)
    }

    /// Writes the last chunk and answers the inner writer (flushed).
    pub fn finish(mut self) -> io::Result<W> {
        let rest = std::mem::take(&mut self.buf);
        self.emit(rest, true)?;
        self.inner.flush()?;
        Ok(self.inner)
    }
}

impl<W: Write> Write for SealWriter<W> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(data);
        // Keep at least one byte back: only `finish` knows the last chunk.
        while self.buf.len() > CHUNK {
            let mut block = Vec::with_capacity(CHUNK + TAG);
            block.extend_from_slice(&self.buf[..CHUNK]);
            self.buf.drain(..CHUNK);
            self.emit(block, false)?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// A reader of a sealed file: seekable, decrypting chunk by chunk.
pub struct SealedReader<R> {
    inner: R,
    stream: StreamBE32<ChaCha20Poly1305>,
    header: [u8; HEADER_LEN],
    chunks: u64,
    last_len: u64,
    plain_len: u64,
    pos: u64,
    cur: Option<(u64, Vec<u8>)>,
}

impl<R> std::fmt::Debug for SealedReader<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SealedReader")
            .field("plain_len", &self.plain_len)
            .field("pos", &self.pos)
            .finish_non_exhaustive()
    }
}

impl<R: Read + Seek> SealedReader<R> {
    fn new(mut inner: R, header: [u8; HEADER_LEN], key: &FileKey) -> Result<Self, SealError> {
        let len = inner.seek(SeekFrom::End(0))?;
        let body = len
            .checked_sub(HEADER_LEN as u64)
            .ok_or(SealError::Tampered)?;
        let chunks = body.div_ceil(SEALED_CHUNK).max(1);
        let last_len = body
            .checked_sub((chunks - 1) * SEALED_CHUNK)
            .filter(|l| *l >= TAG as u64)
            .ok_or(SealError::Tampered)?;
        if chunks > u64::from(u32::MAX) {
            return Err(SealError::Tampered);
        }
        let mut r = Self {
            stream: key.stream(&header)?,
            inner,
            header,
            chunks,
            last_len,
            plain_len: body - chunks * TAG as u64,
            pos: 0,
            cur: None,
        };
        // Authenticate the last chunk now: truncation shows at open.
        r.load(chunks - 1)?;
        Ok(r)
    }

    /// The plaintext length.
    pub fn len(&self) -> u64 {
        self.plain_len
    }

    /// Whether the plaintext is empty.
    pub fn is_empty(&self) -> bool {
        self.plain_len == 0
    }

    fn load(&mut self, idx: u64) -> io::Result<()> {
        if self.cur.as_ref().is_some_and(|(i, _)| *i == idx) {
            return Ok(());
        }
        let last = idx + 1 == self.chunks;
        let n = if last { self.last_len } else { SEALED_CHUNK };
        self.inner
            .seek(SeekFrom::Start(HEADER_LEN as u64 + idx * SEALED_CHUNK))?;
        let mut block = vec![0u8; usize::try_from(n).map_err(|_| tampered())?];
        self.inner.read_exact(&mut block).map_err(|e| {
            if e.kind() == io::ErrorKind::UnexpectedEof {
                tampered()
            } else {
                e
            }
        })?;
        let position = u32::try_from(idx).map_err(|_| tampered())?;
        self.stream
            .decrypt_in_place(position, last, &self.header, &mut block)
            .map_err(|_| tampered())?;
        self.cur = Some((idx, block));
        Ok(())
    }
}

impl<R: Read + Seek> Read for SealedReader<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.pos >= self.plain_len || out.is_empty() {
            return Ok(0);
        }
        let idx = self.pos / CHUNK as u64;
        self.load(idx)?;
        let Some((_, block)) = &self.cur else {
            return Err(tampered());
        };
        let off = usize::try_from(self.pos % CHUNK as u64).map_err(|_| tampered())?;
        let n = (block.len().saturating_sub(off)).min(out.len());
        out[..n].copy_from_slice(&block[off..off + n]);
        self.pos += n as u64;
        Ok(n)
    }
}

impl<R: Read + Seek> Seek for SealedReader<R> {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let base = match to {
            SeekFrom::Start(n) => Some(n),
            SeekFrom::End(d) => self.plain_len.checked_add_signed(d),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
        };
        self.pos = base.ok_or_else(|| io::Error::from(io::ErrorKind::InvalidInput))?;
        Ok(self.pos)
    }
}

/// A file opened for reading: sealed (decrypted on the fly) or a plain
/// file written by an older version (read as is).
#[derive(Debug)]
pub enum Opened<R> {
    /// A file without the magic.
    Plain(R),
    /// A sealed file.
    Sealed(Box<SealedReader<R>>),
}

impl<R: Read + Seek> Opened<R> {
    /// Whether the file is sealed.
    pub fn is_sealed(&self) -> bool {
        matches!(self, Self::Sealed(_))
    }
}

impl<R: Read + Seek> Read for Opened<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        match self {
            Self::Plain(r) => r.read(out),
            Self::Sealed(r) => r.read(out),
        }
    }
}

impl<R: Read + Seek> Seek for Opened<R> {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        match self {
            Self::Plain(r) => r.seek(to),
            Self::Sealed(r) => r.seek(to),
        }
    }
}

/// Opens `inner` for reading: sealed if it starts with [`MAGIC`], plain
/// otherwise.
pub fn open_reader<R: Read + Seek>(mut inner: R, key: &FileKey) -> Result<Opened<R>, SealError> {
    let mut header = [0u8; HEADER_LEN];
    let mut filled = 0;
    while filled < HEADER_LEN {
        match inner.read(&mut header[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e.into()),
        }
    }
    if filled >= MAGIC.len() && header[..MAGIC.len()] == MAGIC {
        if filled < HEADER_LEN {
            return Err(SealError::Tampered);
        }
        return Ok(Opened::Sealed(Box::new(SealedReader::new(
            inner, header, key,
        )?)));
    }
    inner.seek(SeekFrom::Start(0))?;
    Ok(Opened::Plain(inner))
}

/// Opens the file at `path` (see [`open_reader`]).
pub fn open(path: &Path, key: &FileKey) -> Result<Opened<File>, SealError> {
    open_reader(File::open(path)?, key)
}

/// The whole plaintext of the file at `path` (sealed or plain).
pub fn read_all(path: &Path, key: &FileKey) -> Result<Vec<u8>, SealError> {
    let mut out = Vec::new();
    open(path, key)?.read_to_end(&mut out)?;
    Ok(out)
}

/// `bytes` sealed under `key`, in memory.
pub fn seal_bytes(bytes: &[u8], key: &FileKey) -> Result<Vec<u8>, SealError> {
    let mut w = SealWriter::new(Vec::with_capacity(bytes.len() + HEADER_LEN + TAG), key)?;
    w.write_all(bytes)?;
    Ok(w.finish()?)
}

fn private_file(path: &Path) -> io::Result<File> {
    let mut o = fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
    o.open(path)
}

fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

fn temp_beside(dir: &Path) -> Result<std::path::PathBuf, SealError> {
    Ok(dir.join(format!(".{}.sealing", hex::encode(random::<12>()?))))
}

/// Writes `bytes` sealed to `path` durably: a 0600 temp file in `tmp_dir`
/// (same file system), `fsync`, `rename`, `fsync` of the folder. A crash
/// leaves the old file or the new one, never half of one.
pub fn write_durable(
    path: &Path,
    tmp_dir: &Path,
    bytes: &[u8],
    key: &FileKey,
) -> Result<(), SealError> {
    let parent = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(parent)?;
    fs::create_dir_all(tmp_dir)?;
    let tmp = temp_beside(tmp_dir)?;
    let result = (|| {
        let mut w = SealWriter::new(private_file(&tmp)?, key)?;
        w.write_all(bytes)?;
        w.finish()?.sync_all()?;
        fs::rename(&tmp, path)?;
        sync_dir(parent)?;
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Migrates a plain file written by an older version: seals it to a temp
/// file in `tmp_dir`, checks the sealed copy reads back to the same bytes,
/// then renames it over the plain one (atomic; a crash leaves the plain
/// file, which still reads). Answers whether the file was migrated (false
/// if it was already sealed).
pub fn seal_in_place(path: &Path, tmp_dir: &Path, key: &FileKey) -> Result<bool, SealError> {
    let mut src = match open(path, key)? {
        Opened::Sealed(_) => return Ok(false),
        Opened::Plain(f) => f,
    };
    fs::create_dir_all(tmp_dir)?;
    let tmp = temp_beside(tmp_dir)?;
    let result = (|| {
        let mut w = SealWriter::new(private_file(&tmp)?, key)?;
        io::copy(&mut src, &mut w)?;
        w.finish()?.sync_all()?;
        let mut a = open(&tmp, key)?;
        src.seek(SeekFrom::Start(0))?;
        if !same_content(&mut a, &mut src)? {
            return Err(SealError::Io(io::Error::other(
                "sealed copy differs from the original",
            )));
        }
        fs::rename(&tmp, path)?;
        sync_dir(path.parent().unwrap_or(Path::new(".")))?;
        Ok(true)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

fn same_content(a: &mut dyn Read, b: &mut dyn Read) -> io::Result<bool> {
    let (mut x, mut y) = (vec![0u8; CHUNK], vec![0u8; CHUNK]);
    loop {
        let n = read_full(a, &mut x)?;
        let m = read_full(b, &mut y)?;
        if n != m || x[..n] != y[..m] {
            return Ok(false);
        }
        if n == 0 {
            return Ok(true);
        }
    }
}

fn read_full(r: &mut dyn Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match r.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// Writes a decrypted copy of the file at `src` to `dest` (the explicit
/// export: to a court, to the party). Refuses to overwrite `dest`.
/// Answers the number of bytes written.
pub fn export(src: &Path, dest: &Path, key: &FileKey) -> Result<u64, SealError> {
    let mut r = open(src, key)?;
    let mut out = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(dest)?;
    let result = io::copy(&mut r, &mut out).and_then(|n| out.sync_all().map(|()| n));
    if result.is_err() {
        let _ = fs::remove_file(dest);
    }
    Ok(result?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::io::Cursor;

    fn key(b: u8) -> FileKey {
        FileKey::from_bytes([b; 32])
    }

    fn read_back(sealed: &[u8], k: &FileKey) -> Result<Vec<u8>, SealError> {
        let mut out = Vec::new();
        open_reader(Cursor::new(sealed), k)?.read_to_end(&mut out)?;
        Ok(out)
    }

    #[test]
    fn round_trips_at_chunk_boundaries() {
        for len in [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK, 3 * CHUNK + 7] {
            let data: Vec<u8> = (0..len).map(|i| (i * 31 % 251) as u8).collect();
            let s = seal_bytes(&data, &key(1)).unwrap();
            assert_eq!(&s[..8], &MAGIC);
            assert_eq!(read_back(&s, &key(1)).unwrap(), data, "len {len}");
            let r = open_reader(Cursor::new(&s), &key(1)).unwrap();
            let Opened::Sealed(r) = r else {
                panic!("not sealed")
            };
            assert_eq!(r.len(), len as u64);
        }
    }

    #[test]
    fn the_plaintext_does_not_appear_and_salts_differ() {
        let data = "周小川 50011219850612003X".repeat(100).into_bytes();
        let a = seal_bytes(&data, &key(1)).unwrap();
        let b = seal_bytes(&data, &key(1)).unwrap();
        assert_ne!(a, b, "a fresh salt per file");
        assert!(!a.windows(9).any(|w| w == "周小川".as_bytes()));
    }

    #[test]
    fn tampering_is_detected_with_a_stable_code() {
        let data: Vec<u8> = (0..(2 * CHUNK + 100)).map(|i| i as u8).collect();
        let s = seal_bytes(&data, &key(1)).unwrap();
        let mut cases: Vec<(&str, Vec<u8>)> = vec![];
        for at in [
            0usize,
            8,
            20,
            HEADER_LEN,
            HEADER_LEN + CHUNK + 3,
            s.len() - 1,
        ] {
            let mut t = s.clone();
            t[at] ^= 1;
            if at == 0 {
                continue; // no magic: a plain file, see below
            }
            cases.push(("flip", t));
        }
        cases.push(("truncate mid", s[..s.len() - 5].to_vec()));
        let boundary = HEADER_LEN + 2 * (CHUNK + TAG);
        cases.push(("truncate at chunk boundary", s[..boundary].to_vec()));
        cases.push(("append", [s.clone(), vec![0u8; 20]].concat()));
        let mut swapped = s.clone();
        let c0 = HEADER_LEN..HEADER_LEN + CHUNK + TAG;
        let c1 = HEADER_LEN + CHUNK + TAG..HEADER_LEN + 2 * (CHUNK + TAG);
        let (x, y) = (s[c0.clone()].to_vec(), s[c1.clone()].to_vec());
        swapped[c0].copy_from_slice(&y);
        swapped[c1].copy_from_slice(&x);
        cases.push(("swap chunks", swapped));
        cases.push(("header only", s[..HEADER_LEN].to_vec()));
        cases.push(("magic only", MAGIC.to_vec()));
        for (what, t) in cases {
            let err = read_back(&t, &key(1)).unwrap_err();
            assert_eq!(err.code(), "FILE_TAMPERED", "{what}: {err}");
        }
        assert_eq!(
            read_back(&s, &key(2)).unwrap_err().code(),
            "FILE_TAMPERED",
            "another key"
        );
    }

    #[test]
    fn plain_files_read_as_is() {
        for data in [&b""[..], b"ZHF", b"\xff\xd8\xff\xe0 jpeg bytes"] {
            let r = open_reader(Cursor::new(data), &key(1)).unwrap();
            assert!(!r.is_sealed());
            assert_eq!(read_back(data, &key(1)).unwrap(), data);
        }
    }

    #[test]
    fn seal_in_place_migrates_once_and_keeps_the_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.jpg");
        let data = b"\xff\xd8\xff\xe0 old plain evidence".repeat(5000);
        fs::write(&p, &data).unwrap();
        let tmp = dir.path().join("tmp");
        assert!(seal_in_place(&p, &tmp, &key(3)).unwrap());
        assert!(!seal_in_place(&p, &tmp, &key(3)).unwrap());
        let raw = fs::read(&p).unwrap();
        assert_eq!(&raw[..8], &MAGIC);
        assert_eq!(read_all(&p, &key(3)).unwrap(), data);
        assert_eq!(fs::read_dir(&tmp).unwrap().count(), 0, "no temp left");
        let out = dir.path().join("export.jpg");
        assert_eq!(export(&p, &out, &key(3)).unwrap(), data.len() as u64);
        assert_eq!(fs::read(&out).unwrap(), data);
        assert!(export(&p, &out, &key(3)).is_err(), "never overwrites");
    }

    proptest! {
        // Each case seals and opens up to 200 KB (debug builds are slow).
        #![proptest_config(ProptestConfig::with_cases(48))]

        /// Any content, any split of writes: reads back equal, and every
        /// seek position reads the same bytes as the plaintext there.
        #[test]
        fn seekable_round_trip(data in proptest::collection::vec(any::<u8>(), 0..200_000), cut in 1usize..100_000, at in 0u64..210_000) {
            let mut w = SealWriter::new(Vec::new(), &key(7)).unwrap();
            for part in data.chunks(cut) {
                w.write_all(part).unwrap();
            }
            let s = w.finish().unwrap();
            prop_assert_eq!(s.len(), HEADER_LEN + data.len() + TAG * data.len().div_ceil(CHUNK).max(1));
            let mut r = open_reader(Cursor::new(&s), &key(7)).unwrap();
            let mut all = Vec::new();
            r.read_to_end(&mut all).unwrap();
            prop_assert_eq!(&all, &data);
            r.seek(SeekFrom::Start(at)).unwrap();
            let mut tail = Vec::new();
            r.read_to_end(&mut tail).unwrap();
            let from = usize::try_from(at).unwrap().min(data.len());
            prop_assert_eq!(&tail[..], &data[from..]);
        }

        /// Flipping any single bit of a sealed file is detected.
        #[test]
        fn any_bit_flip_is_detected(len in 0usize..(CHUNK * 2 + 50), pos in any::<prop::sample::Index>(), bit in 0u8..8) {
            let data = vec![0x5a; len];
            let mut s = seal_bytes(&data, &key(9)).unwrap();
            let i = pos.index(s.len());
            prop_assume!(i >= MAGIC.len());
            s[i] ^= 1 << bit;
            prop_assert_eq!(read_back(&s, &key(9)).unwrap_err().code(), "FILE_TAMPERED");
        }
    }
}
