//! poppler (`pdftotext`, `pdfinfo`, `pdftoppm`) and rqrr, for reading the
//! rendered PDFs back. A missing tool fails the test, it never skips.

use std::path::{Path, PathBuf};
use std::process::Command;

pub(crate) fn tool(name: &str) -> Command {
    if Command::new(name).arg("-v").output().is_err() {
        panic!(
            "`{name}` is not installed: these tests need poppler-utils (apt-get install poppler-utils)"
        );
    }
    Command::new(name)
}

fn write_pdf(dir: &Path, pdf: &[u8]) -> PathBuf {
    let path = dir.join("doc.pdf");
    std::fs::write(&path, pdf).unwrap();
    path
}

fn run(mut cmd: Command) -> String {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// `pdftotext -layout` of the whole file.
pub(crate) fn pdf_text(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = write_pdf(dir.path(), pdf);
    let mut cmd = tool("pdftotext");
    cmd.arg("-layout").arg(&path).arg("-");
    run(cmd)
}

/// `pdftotext -layout -f n -l n`: the text of page `n` (1-based).
pub(crate) fn page_text(pdf: &[u8], n: usize) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = write_pdf(dir.path(), pdf);
    let mut cmd = tool("pdftotext");
    cmd.arg("-layout")
        .args(["-f", &n.to_string(), "-l", &n.to_string()])
        .arg(&path)
        .arg("-");
    run(cmd)
}

/// The page count `pdfinfo` reports.
pub(crate) fn page_count(pdf: &[u8]) -> usize {
    let dir = tempfile::tempdir().unwrap();
    let path = write_pdf(dir.path(), pdf);
    let mut cmd = tool("pdfinfo");
    cmd.arg(&path);
    run(cmd)
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

/// The text with all white space removed, so that wrapped lines join up.
pub(crate) fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

pub(crate) fn assert_contains_all(text: &str, expected: &[&str]) {
    let squashed = squash(text);
    for e in expected {
        assert!(squashed.contains(&squash(e)), "missing {e:?} in:\n{text}");
    }
}

/// Every QR code on every page, rasterised at 150 dpi.
pub(crate) fn qr_contents(pdf: &[u8]) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let path = write_pdf(dir.path(), pdf);
    let mut cmd = tool("pdftoppm");
    cmd.args(["-r", "150", "-gray", "-png"])
        .arg(&path)
        .arg(dir.path().join("page"));
    run(cmd);
    let mut pngs: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "png"))
        .collect();
    pngs.sort();
    let mut found = Vec::new();
    for png in pngs {
        let img = image::open(&png).unwrap().to_luma8();
        let (w, h) = img.dimensions();
        let mut prepared =
            rqrr::PreparedImage::prepare_from_greyscale(w as usize, h as usize, |x, y| {
                img.get_pixel(x as u32, y as u32).0[0]
            });
        for grid in prepared.detect_grids() {
            if let Ok((_, content)) = grid.decode() {
                found.push(content);
            }
        }
    }
    found
}
