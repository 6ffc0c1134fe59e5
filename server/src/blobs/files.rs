//! The filesystem store (`ROOT/blobs/<aa>/<sha256>`): paths and the
//! blocking steps the async [`Blobs`](super::Blobs) methods run on the
//! blocking pool — a stat with the sealed header, one read pass, and the
//! sealed write (a sealed copy fsynced beside its destination, then a
//! rename and a folder fsync, so a crash leaves the old object or the new
//! one, never half of either).

use std::fs::{self, File};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use super::reader::{Opened, Reader};
use super::seal::{self, KeyRing, SealError};
use super::{BlobError, Loc, Stat, sync_dir};

/// The path of `sha256`'s object.
pub(super) fn fs_blob(root: &Path, sha256: &str) -> PathBuf {
    let prefix: String = sha256.chars().take(2).collect();
    root.join("blobs").join(prefix).join(sha256)
}

/// The path of a location: the object, or the sealed copy `evidence seal`
/// writes beside it (`.<sha256>.sealing`, never listed as a blob).
pub(super) fn path(root: &Path, loc: Loc<'_>) -> PathBuf {
    match loc {
        Loc::Blob(sha) => fs_blob(root, sha),
        Loc::Side(sha) => side(&fs_blob(root, sha), sha),
    }
}

fn side(blob: &Path, sha256: &str) -> PathBuf {
    blob.with_file_name(format!(".{sha256}.sealing"))
}

/// Size and sealed header of the file at `p` (`None`: no such file).
pub(super) fn stat(p: &Path) -> std::io::Result<Option<Stat>> {
    let mut f = match File::open(p) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let stored = f.metadata()?.len();
    let mut first = Vec::with_capacity(seal::MAX_HEADER);
    (&mut f)
        .take(seal::MAX_HEADER as u64)
        .read_to_end(&mut first)?;
    Ok(Some(Stat {
        stored,
        header: Reader::header_of(&first, stored),
    }))
}

/// One read pass over the file at `p`, the object at address `sha256`
/// (keys must be cached: see `Blobs::warm`).
pub(super) fn pass(
    p: &Path,
    sha256: &str,
    ring: Option<&KeyRing>,
    sink: &mut dyn FnMut(&[u8]) -> std::io::Result<()>,
) -> std::io::Result<Option<Opened>> {
    let mut f = match File::open(p) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let stored = f.metadata()?.len();
    let mut rd = Reader::new(sha256, stored, ring);
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        rd.update(&buf[..n], sink)?;
    }
    Ok(Some(rd.finish()))
}

/// Seals the `size` bytes of plaintext read from `plain` (a staged part,
/// opened; the original at `sha256`) into `side`, fsyncs it, and renames
/// it over `dest`.
pub(super) fn seal_into(
    ring: &KeyRing,
    sha256: &str,
    size: u64,
    plain: &mut dyn std::io::Read,
    side: &Path,
    dest: &Path,
) -> Result<(), BlobError> {
    let mut out = std::io::BufWriter::with_capacity(1 << 20, File::create(side)?);
    let (hash, len) = seal::seal_stream(ring, sha256, size, plain, &mut out)?;
    let f = out.into_inner().map_err(|e| e.into_error())?;
    f.sync_all()?;
    if hash != sha256 || len != size {
        super::staging::remove_if_present(side)?;
        return Err(std::io::Error::other("evidence changed while being sealed").into());
    }
    replace(side, dest)
}

/// Renames `side` over `dest` and fsyncs the folder.
fn replace(side: &Path, dest: &Path) -> Result<(), BlobError> {
    let dir = dest.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir)?;
    fs::rename(side, dest)?;
    sync_dir(dir)?;
    Ok(())
}

/// `evidence seal` on the filesystem: reads the object at `sha256` (a
/// legacy plaintext one, or — `reseal` — one sealed under an older key)
/// and writes it sealed under the active key beside it; reads that copy
/// back (every tag, the plaintext's hash); only then replaces the object.
pub(super) fn seal_in_place(
    root: &Path,
    ring: &KeyRing,
    sha256: &str,
    plain_size: u64,
    reseal: bool,
) -> Result<(), BlobError> {
    let blob = fs_blob(root, sha256);
    let tmp = side(&blob, sha256);
    let mut src = File::open(&blob)?;
    let stored = src.metadata()?.len();
    let mut enc = seal::Encoder::new(ring, sha256, plain_size)?;
    let mut out = std::io::BufWriter::with_capacity(1 << 20, File::create(&tmp)?);
    out.write_all(enc.header())?;
    let mut rd = Reader::new(sha256, stored, Some(ring));
    let mut sealed = Vec::new();
    let mut failed: Option<SealError> = None;
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = src.read(&mut buf)?;
        if n == 0 {
            break;
        }
        let chunk = &buf[..n];
        if reseal {
            rd.update(chunk, &mut |p| {
                if let Err(e) = enc.update(p, &mut sealed) {
                    failed.get_or_insert(e);
                }
                out.write_all(&sealed)?;
                sealed.clear();
                Ok(())
            })?;
        } else {
            rd.update(chunk, &mut |_| Ok(()))?;
            enc.update(chunk, &mut sealed)?;
            out.write_all(&sealed)?;
            sealed.clear();
        }
    }
    let read = rd.finish();
    let ok = match (&read, reseal) {
        (Opened::Sealed { sha256: s, .. }, true) | (Opened::Plain { sha256: s, .. }, false) => {
            s == sha256
        }
        _ => false,
    };
    if let (Some(e), true) = (failed, ok) {
        return Err(e.into());
    }
    let finished = if ok { enc.finish(&mut sealed) } else { Ok(()) };
    out.write_all(&sealed)?;
    let f = out.into_inner().map_err(|e| e.into_error())?;
    f.sync_all()?;
    drop(f);
    if !ok {
        super::staging::remove_if_present(&tmp)?;
        return Err(std::io::Error::other("evidence changed while being sealed").into());
    }
    finished?;
    // The sealed copy must open and hash to the address before it
    // replaces anything.
    match pass(&tmp, sha256, Some(ring), &mut |_| Ok(()))? {
        Some(Opened::Sealed {
            sha256: s, key_id, ..
        }) if s == sha256 && key_id == ring.active_id() => {}
        other => {
            super::staging::remove_if_present(&tmp)?;
            return Err(std::io::Error::other(format!(
                "sealed copy of {sha256} does not verify: {other:?}"
            ))
            .into());
        }
    }
    replace(&tmp, &blob)
}

/// Every object name under `ROOT/blobs/<aa>/` that is a SHA-256.
pub(super) fn list(root: &Path) -> std::io::Result<Vec<String>> {
    let mut out = Vec::new();
    for dir in super::staging::names(&root.join("blobs"), "")? {
        for name in super::staging::names(&root.join("blobs").join(dir), "")? {
            if is_sha256(&name) {
                out.push(name);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// 64 lowercase hex digits.
pub(super) fn is_sha256(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}
