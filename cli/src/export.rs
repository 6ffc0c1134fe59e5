//! `zhifa export`: a readable copy of a sealed file, on purpose.
//!
//! Evidence originals and derived copies, decision and inspection PDFs and
//! payment QR codes are sealed in the data folder (zhifa_core::sealed).
//! Handing one to a court or to the party is an explicit act: this command
//! decrypts it (authenticating every chunk; a tampered file is refused with
//! `FILE_TAMPERED`) into a NEW file that must lie outside the data folder.
//! A file of an older version that was never sealed is copied as is.

use std::path::{Path, PathBuf};

use clap::Args;
use serde::Serialize;
use zhifa_core::sealed::{self, FileKey};

use crate::Ctx;
use crate::output::{Failure, print_json};

/// `zhifa export FILE --out DEST`.
#[derive(Debug, Args)]
pub(crate) struct ExportArgs {
    /// A sealed file of the data folder (e.g. `demo/<case>.pdf`, an evidence original).
    file: PathBuf,
    /// Where the readable copy goes (a new file outside the data folder).
    #[arg(long, value_name = "DEST")]
    out: PathBuf,
}

#[derive(Serialize)]
struct ExportDoc {
    out: PathBuf,
    bytes: u64,
}

fn absolute(p: &Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_owned())
}

/// Whether `path` (which may not exist yet) lies inside `dir`.
fn inside(path: &Path, dir: &Path) -> bool {
    let dir = std::fs::canonicalize(dir).unwrap_or_else(|_| absolute(dir));
    let abs = absolute(path);
    let parent = abs
        .parent()
        .and_then(|p| std::fs::canonicalize(p).ok())
        .unwrap_or_else(|| abs.clone());
    parent.starts_with(&dir)
}

pub(crate) fn run(ctx: &Ctx, args: ExportArgs) -> Result<(), Failure> {
    let (store, _key, data) = crate::store::open_keyed(ctx)?;
    if inside(&args.out, &data) {
        return Err(Failure::bad_input(
            "EXPORT_INSIDE_DATA",
            format!(
                "导出文件必须在数据目录 {} 之外：{}",
                data.display(),
                args.out.display()
            ),
        ));
    }
    let key = FileKey::for_reading(&store)?;
    let bytes = sealed::export(&args.file, &args.out, &key)?;
    let out = absolute(&args.out);
    if ctx.json {
        print_json(&ExportDoc { out, bytes })
    } else {
        println!("已导出解密副本 {}（{} 字节）", out.display(), bytes);
        Ok(())
    }
}
