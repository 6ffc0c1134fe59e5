//! TLS through rustls: the server refuses plain HTTP on a non-loopback
//! address, serves HTTPS with a PEM certificate, and `zhifa enrol` / `zhifa
//! sync` reach it trusting a private CA (`--ca-cert`). Certificates are made
//! with the `openssl` command (Debian's openssl package).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should abort loudly

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn server_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_zhifa-server"))
}

fn client_bin() -> PathBuf {
    let p = server_bin().with_file_name("zhifa");
    if !p.exists() {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        assert!(
            Command::new(cargo)
                .args(["build", "-p", "zhifa-cli", "--bin", "zhifa"])
                .status()
                .unwrap()
                .success()
        );
    }
    p
}

fn openssl(dir: &Path, args: &[&str]) {
    let st = Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(st.success(), "openssl {args:?}");
}

#[test]
fn plain_http_is_refused_off_loopback_and_https_works_with_a_private_ca() {
    tls(None);
}

#[test]
fn https_works_with_a_private_ca_on_postgres() {
    let Some(base) =
        zhifa_server::store::pg::test_url("https_works_with_a_private_ca_on_postgres").unwrap()
    else {
        return;
    };
    let scratch = zhifa_server::store::pg::Scratch::create(&base).unwrap();
    tls(Some(scratch.url()));
}

fn tls(db: Option<&str>) {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = Command::new(server_bin())
        .arg("--data")
        .arg(d.join("s"))
        .args(["serve", "--listen", "0.0.0.0:0"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("refusing plain HTTP"));

    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    let mut ca = vec!["req", "-x509"];
    ca.extend(ec);
    ca.extend([
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=Zhifa Test CA",
    ]);
    openssl(d, &ca);
    let mut csr = vec!["req"];
    csr.extend(ec);
    csr.extend([
        "-keyout",
        "leaf.key",
        "-out",
        "leaf.csr",
        "-subj",
        "/CN=localhost",
    ]);
    openssl(d, &csr);
    std::fs::write(
        d.join("ext.cnf"),
        "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    openssl(
        d,
        &[
            "x509",
            "-req",
            "-in",
            "leaf.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "leaf.pem",
            "-days",
            "2",
            "-extfile",
            "ext.cnf",
        ],
    );

    let mut server = Command::new(server_bin());
    if let Some(url) = db {
        server.args(["--database", url]);
    }
    let mut server = server
        .arg("--data")
        .arg(d.join("s"))
        .args(["serve", "--listen", "0.0.0.0:0", "--demo", "--tls-cert"])
        .arg(d.join("leaf.pem"))
        .arg("--tls-key")
        .arg(d.join("leaf.key"))
        .env("ZHIFA_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(server.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let listening: serde_json::Value = serde_json::from_str(&line).unwrap();
    let port = listening["listening"]
        .as_str()
        .unwrap()
        .rsplit(':')
        .next()
        .unwrap()
        .to_owned();
    assert!(
        listening["listening"]
            .as_str()
            .unwrap()
            .starts_with("https://")
    );
    let codes: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("s/demo-enrolment.json")).unwrap()).unwrap();
    let code = codes["officers"][0]["code"].as_str().unwrap();
    let url = format!("https://127.0.0.1:{port}");
    let run = |args: &[&str]| {
        Command::new(client_bin())
            .arg("--data")
            .arg(d.join("dev"))
            .args(args)
            .arg("--ca-cert")
            .arg(d.join("ca.pem"))
            .env_remove("ZHIFA_DB_KEY")
            .output()
            .unwrap()
    };
    let enrol = run(&["--json", "enrol", "--server", &url, "--code", code]);
    let sync = run(&["--json", "sync"]);
    server.kill().unwrap();
    server.wait().unwrap();
    assert!(
        enrol.status.success(),
        "{}",
        String::from_utf8_lossy(&enrol.stdout)
    );
    assert!(
        sync.status.success(),
        "{}",
        String::from_utf8_lossy(&sync.stdout)
    );
    let r: serde_json::Value = serde_json::from_slice(&sync.stdout).unwrap();
    assert_eq!(r["catalogue_release"], "CQ-SAMPLE-2025-07-R4");
    // Plain HTTP to a non-loopback server is refused by the client too.
    let plain = run(&[
        "--json",
        "enrol",
        "--server",
        "http://192.0.2.1:80",
        "--code",
        "X",
    ]);
    assert_eq!(plain.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&plain.stdout).contains("SYNC_PLAIN_HTTP"));
}
