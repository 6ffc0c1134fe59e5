//! The server's files at rest: the data folder and everything in it are
//! its own user's alone — folders 0700, files 0600 (database, its WAL and
//! shared memory, evidence blobs, staged uploads, keys, catalogue
//! snapshots and deltas). Opening a data folder sets the process umask to
//! 077, so every file and folder the server (and SQLite) creates from then
//! on is private, and tightens the modes of a folder made by an older
//! version. Encryption is a separate matter: personal data in the record
//! is sealed by the vault (`pii`), evidence objects by the store
//! (`blobs::seal`).

use std::fs;
use std::io;
use std::path::Path;

/// Sets the process umask to 077: group and others get no bit of any file
/// or folder created afterwards. Process-wide and idempotent.
pub fn restrict_umask() {
    #[cfg(unix)]
    {
        let _previous = rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
    }
}

/// Makes `data` (created 0700 when missing) and everything under it
/// private: folders 0700, files 0600. Symbolic links are not followed.
/// Returns how many modes were tightened.
pub fn secure_folder(data: &Path) -> io::Result<usize> {
    restrict_umask();
    fs::create_dir_all(data)?;
    tighten_tree(data)
}

/// Tightens one file (e.g. a database named outside the data folder, and
/// its `-wal`/`-shm` companions) to 0600 when it exists.
pub fn secure_file(path: &Path) -> io::Result<bool> {
    match fs::symlink_metadata(path) {
        Ok(m) if m.is_file() => tighten(path, &m, 0o600),
        Ok(_) => Ok(false),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

fn tighten_tree(dir: &Path) -> io::Result<usize> {
    let mut changed = 0;
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        let meta = fs::symlink_metadata(&d)?;
        changed += usize::from(tighten(&d, &meta, 0o700)?);
        for entry in fs::read_dir(&d)? {
            let entry = entry?;
            let path = entry.path();
            let meta = fs::symlink_metadata(&path)?;
            if meta.is_dir() {
                stack.push(path);
            } else if meta.is_file() {
                changed += usize::from(tighten(&path, &meta, 0o600)?);
            }
        }
    }
    Ok(changed)
}

#[cfg(unix)]
fn tighten(path: &Path, meta: &fs::Metadata, mode: u32) -> io::Result<bool> {
    use std::os::unix::fs::PermissionsExt;
    let current = meta.permissions().mode() & 0o777;
    if current & 0o077 == 0 {
        return Ok(false);
    }
    // Keep the owner's bits (a folder needs x); drop group and others.
    fs::set_permissions(
        path,
        fs::Permissions::from_mode((current & 0o700) | (mode & 0o700)),
    )?;
    Ok(true)
}

#[cfg(not(unix))]
fn tighten(_path: &Path, _meta: &fs::Metadata, _mode: u32) -> io::Result<bool> {
    Ok(false)
}

#[cfg(all(test, unix))]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn an_open_folder_is_tightened_and_new_files_are_private() {
        let tmp = tempfile::tempdir().unwrap();
        let data = tmp.path().join("data");
        fs::create_dir_all(data.join("evidence/blobs")).unwrap();
        fs::write(data.join("server.db"), b"x").unwrap();
        fs::set_permissions(&data, fs::Permissions::from_mode(0o755)).unwrap();
        fs::set_permissions(data.join("server.db"), fs::Permissions::from_mode(0o644)).unwrap();
        fs::set_permissions(
            data.join("evidence/blobs"),
            fs::Permissions::from_mode(0o775),
        )
        .unwrap();
        assert!(secure_folder(&data).unwrap() >= 3);
        fs::write(data.join("evidence/blobs/new"), b"y").unwrap();
        fs::create_dir(data.join("later")).unwrap();
        for p in [
            data.clone(),
            data.join("server.db"),
            data.join("evidence/blobs"),
            data.join("evidence/blobs/new"),
            data.join("later"),
        ] {
            let mode = fs::metadata(&p).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0, "{} is {:o}", p.display(), mode);
        }
        assert_eq!(secure_folder(&data).unwrap(), 0);
    }
}
