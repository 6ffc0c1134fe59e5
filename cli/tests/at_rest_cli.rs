//! Issue 13, finding 7 end to end, with the real `zhifa` binary: after
//! `zhifa demo` and `zhifa inspection demo`, no file of the device's data
//! folder except the SQLCipher store gives away the demo party — not
//! through `pdftotext`, not as raw UTF-8, UTF-16LE or GBK bytes — and no
//! file is a readable JPEG (`ff d8 ff`). The store key is not in the data
//! folder either (a 0600 file in a 0700 folder outside it). Reading a
//! document back is an explicit export outside the data folder; a tampered
//! file is refused with `FILE_TAMPERED`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should abort loudly

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn zhifa_env(data: &Path, keys: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_zhifa"))
        .arg("--data")
        .arg(data)
        .args(args)
        .env_remove("ZHIFA_DB_KEY")
        .env_remove("ZHIFA_DATA")
        .env("ZHIFA_KEYSTORE", "file")
        .env("ZHIFA_KEY_DIR", keys)
        .output()
        .unwrap()
}

fn ok_json(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            files(&p, out);
        } else {
            out.push(p);
        }
    }
}

fn pdftotext(path: &Path) -> String {
    let out = Command::new("pdftotext")
        .arg(path)
        .arg("-")
        .output()
        .expect("pdftotext (Debian poppler-utils, installed by scripts/setup.sh)");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn gbk(text: &str) -> Option<Vec<u8>> {
    use std::io::Write;
    let mut child = Command::new("iconv")
        .args(["-f", "UTF-8", "-t", "GBK"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .ok()?;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().ok()?;
    out.status.success().then_some(out.stdout)
}

/// A JPEG's start of image followed by its APP0/APP1 header (`JFIF`/`Exif`).
/// Three bytes alone (`FF D8 FF`) turn up by chance in about one sealed
/// photo in two hundred; this ten-byte shape does not.
fn looks_like_jpeg(raw: &[u8]) -> bool {
    raw.starts_with(&[0xff, 0xd8, 0xff])
        || raw.windows(10).any(|w| {
            w[..3] == [0xff, 0xd8, 0xff]
                && (w[3] == 0xe0 || w[3] == 0xe1)
                && (&w[6..] == b"JFIF" || &w[6..] == b"Exif")
        })
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && hay.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn nothing_of_the_party_is_readable_in_the_data_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let keys = tmp.path().join("keys");
    let demo = ok_json(&zhifa_env(
        &data,
        &keys,
        &["--json", "demo", "--at", "2026-05-12T02:30:00Z"],
    ));
    ok_json(&zhifa_env(
        &data,
        &keys,
        &[
            "--json",
            "inspection",
            "demo",
            "--at",
            "2026-03-02T02:30:00Z",
        ],
    ));

    // The canaries come from the demo case itself, read from the store.
    let case_id = demo["case_id"].as_str().unwrap();
    let case = ok_json(&zhifa_env(
        &data,
        &keys,
        &["--json", "case", "show", case_id],
    ));
    let party = if case["party"].is_object() {
        &case["party"]
    } else {
        &case["case"]["party"]
    };
    let address = party["address"].as_str().unwrap();
    // The street part: short enough that a PDF line break cannot split it.
    let street = address
        .split('镇')
        .nth(1)
        .and_then(|s| s.split('（').next())
        .unwrap_or(address);
    let canaries: Vec<String> = vec![
        party["name"].as_str().unwrap().to_owned(),
        party["id_number"].as_str().unwrap().to_owned(),
        party["phone"].as_str().unwrap().to_owned(),
        street.to_owned(),
    ];
    assert!(
        canaries.iter().all(|c| c.chars().count() >= 3),
        "{canaries:?}"
    );

    let mut all = Vec::new();
    files(&data, &mut all);
    let walked: Vec<&PathBuf> = all
        .iter()
        .filter(|p| {
            !p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("device.db")
        })
        .collect();
    // The demo wrote its documents and evidence here: the walk sees them.
    assert!(
        walked.len() >= 6,
        "{:?}",
        walked
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
    );
    let mut leaks = Vec::new();
    for p in &walked {
        let raw = std::fs::read(p).unwrap();
        let text = pdftotext(p);
        if looks_like_jpeg(&raw) {
            leaks.push(format!("{}: JPEG magic", p.display()));
        }
        if raw.starts_with(b"%PDF") || raw.starts_with(b"\x89PNG") {
            leaks.push(format!("{}: readable document", p.display()));
        }
        for c in &canaries {
            if text.contains(c.as_str()) {
                leaks.push(format!("{}: pdftotext finds {c}", p.display()));
            }
            let utf16: Vec<u8> = c.encode_utf16().flat_map(u16::to_le_bytes).collect();
            let mut encodings = vec![("UTF-8", c.as_bytes().to_vec()), ("UTF-16LE", utf16)];
            if let Some(g) = gbk(c) {
                encodings.push(("GBK", g));
            }
            for (enc, bytes) in encodings {
                if contains(&raw, &bytes) {
                    leaks.push(format!("{}: {enc} bytes of {c}", p.display()));
                }
            }
        }
    }
    assert!(leaks.is_empty(), "readable at rest:\n{}", leaks.join("\n"));

    // The detector is not blind: the photo exported from its sealed original is a JPEG it sees.
    let photo = walked
        .iter()
        .find(|p| p.components().any(|c| c.as_os_str() == "evidence"))
        .expect("the demo captured a photo");
    let exported = tmp.path().join("photo.jpg");
    ok_json(&zhifa_env(
        &data,
        &keys,
        &[
            "--json",
            "export",
            photo.to_str().unwrap(),
            "--out",
            exported.to_str().unwrap(),
        ],
    ));
    assert!(looks_like_jpeg(&std::fs::read(&exported).unwrap()));

    // The store key is not in the data folder: a 0600 file in a 0700 folder outside it.
    assert!(!data.join("device.key").exists());
    let key_files: Vec<_> = std::fs::read_dir(&keys).unwrap().collect();
    assert_eq!(key_files.len(), 1);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let kf = key_files[0].as_ref().unwrap().path();
        assert_eq!(
            std::fs::metadata(&kf).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert_eq!(
            std::fs::metadata(&keys).unwrap().permissions().mode() & 0o777,
            0o700
        );
    }

    // Reading a document back is an explicit export, outside the data folder.
    let sealed_pdf = demo["pdf"].as_str().unwrap();
    let inside = data.join("copy.pdf");
    let refused = zhifa_env(
        &data,
        &keys,
        &[
            "--json",
            "export",
            sealed_pdf,
            "--out",
            inside.to_str().unwrap(),
        ],
    );
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stdout).contains("EXPORT_INSIDE_DATA"));
    assert!(!inside.exists());
    let out = tmp.path().join("decision.pdf");
    ok_json(&zhifa_env(
        &data,
        &keys,
        &[
            "--json",
            "export",
            sealed_pdf,
            "--out",
            out.to_str().unwrap(),
        ],
    ));
    let text = pdftotext(&out);
    assert!(text.contains(canaries[0].as_str()), "{text}");
    assert!(text.contains(canaries[1].as_str()), "{text}");

    // One flipped byte of the sealed document: refused with a stable code.
    let mut bytes = std::fs::read(sealed_pdf).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x20;
    std::fs::write(sealed_pdf, bytes).unwrap();
    let again = tmp.path().join("again.pdf");
    let out = zhifa_env(
        &data,
        &keys,
        &[
            "--json",
            "export",
            sealed_pdf,
            "--out",
            again.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stdout).contains("FILE_TAMPERED"));
    assert!(!again.exists(), "nothing of a tampered file is written");
}

#[test]
fn an_old_key_file_in_the_data_folder_moves_out_and_still_opens_the_store() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let keys = tmp.path().join("keys");
    let hex = "3c".repeat(32);
    // An older version's layout: the store keyed with the hex in DATA/device.key.
    let made = Command::new(env!("CARGO_BIN_EXE_zhifa"))
        .arg("--data")
        .arg(&data)
        .args(["--json", "settings", "get", "township"])
        .env("ZHIFA_DB_KEY", &hex)
        .env_remove("ZHIFA_DATA")
        .output()
        .unwrap();
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    std::fs::write(data.join("device.key"), format!("{hex}\n")).unwrap();

    // Opens with the old key (a new key would be STORE_WRONG_KEY).
    let shown = ok_json(&zhifa_env(
        &data,
        &keys,
        &["--json", "settings", "get", "township"],
    ));
    assert_eq!(shown["key"], "township", "{shown}");
    assert!(
        !data.join("device.key").exists(),
        "moved out of the data folder"
    );
    let moved: Vec<_> = std::fs::read_dir(&keys).unwrap().collect();
    assert_eq!(moved.len(), 1);
    let kf = moved[0].as_ref().unwrap().path();
    assert_eq!(std::fs::read_to_string(&kf).unwrap().trim(), hex);
    // And it keeps opening from there.
    ok_json(&zhifa_env(
        &data,
        &keys,
        &["--json", "settings", "get", "township"],
    ));

    // A store whose key is nowhere is refused, never re-keyed.
    std::fs::remove_file(&kf).unwrap();
    let out = zhifa_env(&data, &keys, &["--json", "settings", "get", "township"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stdout).contains("KEY_MISSING"));
}
