//! `zhifa evidence` as an officer's device runs it: add photos, verify the
//! chain, then break it — one changed byte of one original, or one deleted
//! row — and see `verify` fail (exit 3) naming the broken item.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should abort loudly

use std::io::Cursor;
use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

/// A fixed raw store key, so the test can open the store as an attacker would.
const KEY_HEX: &str = "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a";

fn zhifa(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_zhifa"))
        .arg("--data")
        .arg(data)
        .args(args)
        .env("ZHIFA_DB_KEY", KEY_HEX)
        .env_remove("ZHIFA_DATA")
        .output()
        .unwrap()
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

fn photo(path: &Path, shade: u8) {
    let img = image::RgbImage::from_fn(320, 240, |x, y| {
        image::Rgb([shade, (x % 256) as u8, (y % 256) as u8])
    });
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
    std::fs::write(path, out.into_inner()).unwrap();
}

/// A data folder with officers and three photos; returns the add results.
fn with_three_photos(dir: &Path) -> Vec<Value> {
    let data = dir.join("data");
    assert!(zhifa(&data, &["device", "load-officers"]).status.success());
    (0..3u8)
        .map(|i| {
            let file = dir.join(format!("p{i}.jpg"));
            photo(&file, i * 60);
            let out = zhifa(
                &data,
                &[
                    "evidence",
                    "add",
                    file.to_str().unwrap(),
                    "--officer",
                    "OFF-LX-01",
                    "--officer",
                    "OFF-LX-02",
                    "--lat",
                    "29.7",
                    "--lon",
                    "106.8",
                    "--place",
                    "龙兴镇",
                    "--json",
                ],
            );
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stdout)
            );
            let doc = json(&out);
            // Sealed at rest; the export gives back the original byte for byte.
            let stored = std::fs::read(doc["path"].as_str().unwrap()).unwrap();
            // (A 3-byte `FF D8 FF` search would fail by chance on random ciphertext;
            // the original's first 32 bytes never appear by chance.)
            let original = std::fs::read(&file).unwrap();
            assert!(original.starts_with(&[0xff, 0xd8, 0xff]));
            assert!(!stored.starts_with(&[0xff, 0xd8, 0xff]));
            assert!(!stored.windows(32).any(|w| w == &original[..32]));
            let copy = dir.join(format!("export-{i}.jpg"));
            let exp = zhifa(
                &data,
                &[
                    "export",
                    doc["path"].as_str().unwrap(),
                    "--out",
                    copy.to_str().unwrap(),
                ],
            );
            assert!(
                exp.status.success(),
                "{}",
                String::from_utf8_lossy(&exp.stderr)
            );
            assert_eq!(std::fs::read(&copy).unwrap(), std::fs::read(&file).unwrap());
            doc
        })
        .collect()
}

#[test]
fn verify_passes_then_names_a_changed_original() {
    let dir = tempfile::tempdir().unwrap();
    let added = with_three_photos(dir.path());
    let data = dir.path().join("data");
    let out = zhifa(&data, &["evidence", "verify", "--json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let doc = json(&out);
    assert_eq!(
        (doc["ok"].as_bool(), doc["records"].as_u64()),
        (Some(true), Some(3))
    );

    let victim = &added[1];
    let path = victim["path"].as_str().unwrap();
    let mut bytes = std::fs::read(path).unwrap();
    let third = bytes.len() / 3;
    bytes[third] ^= 0x80;
    std::fs::write(path, bytes).unwrap();

    let out = zhifa(&data, &["evidence", "verify", "--json"]);
    assert_eq!(out.status.code(), Some(3));
    let doc = json(&out);
    let problems = doc["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 1, "{doc:#}");
    assert_eq!(problems[0]["code"], "FILE_TAMPERED");
    assert_eq!(problems[0]["id"], victim["id"]);
    // The text form names the item too.
    let out = zhifa(&data, &["evidence", "verify"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stdout).contains(victim["id"].as_str().unwrap()));
}

#[test]
fn verify_names_a_deleted_row() {
    let dir = tempfile::tempdir().unwrap();
    let added = with_three_photos(dir.path());
    let data = dir.path().join("data");
    {
        let c = rusqlite::Connection::open(data.join("device.db")).unwrap();
        c.pragma_update(None, "key", format!("x'{KEY_HEX}'"))
            .unwrap();
        let n = c
            .execute(
                "DELETE FROM evidence WHERE id = ?1",
                [added[1]["id"].as_str().unwrap()],
            )
            .unwrap();
        assert_eq!(n, 1);
    }
    let out = zhifa(&data, &["evidence", "verify", "--json"]);
    assert_eq!(out.status.code(), Some(3));
    let doc = json(&out);
    let codes: Vec<&str> = doc["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"CHAIN_GAP"), "{doc:#}");
    // The deleted row's file is now a file without a row: reported, not deleted.
    let out = zhifa(&data, &["evidence", "reconcile", "--json"]);
    let doc = json(&out);
    let orphans = doc["files_without_rows"].as_array().unwrap();
    assert_eq!(orphans.len(), 1, "{doc:#}");
    assert_eq!(orphans[0], added[1]["path"]);
    assert!(Path::new(added[1]["path"].as_str().unwrap()).is_file());
}

#[test]
fn a_bad_file_is_refused_with_a_code_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let file = dir.path().join("notes.jpg");
    std::fs::write(&file, "这不是照片").unwrap();
    let out = zhifa(
        &data,
        &["evidence", "add", file.to_str().unwrap(), "--json"],
    );
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(json(&out)["error"]["code"], "EVIDENCE_WRONG_TYPE");
    let out = zhifa(&data, &["evidence", "list", "--json"]);
    assert!(out.status.success());
    assert_eq!(
        json(&out).as_array().map(Vec::len),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}
