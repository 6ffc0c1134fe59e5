//! `zhifa web` as a browser meets it: the first line is the URL with the
//! token; without the token (header, cookie or the first page's query)
//! nothing is served; a foreign Host is refused; commands answer JSON.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should abort loudly

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};

struct Server {
    child: Child,
    port: u16,
    token: String,
    _dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(extra: &[&str]) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let ui = dir.path().join("ui");
    std::fs::create_dir_all(ui.join("assets")).unwrap();
    std::fs::write(
        ui.join("index.html"),
        "<!doctype html><title>掌上执法</title>",
    )
    .unwrap();
    std::fs::write(ui.join("assets/app.js"), "console.log(1)").unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_zhifa"))
        .arg("--data")
        .arg(dir.path().join("data"))
        .args(["web", "--listen", "127.0.0.1:0", "--sample", "--ui"])
        .arg(&ui)
        .args(extra)
        .env_remove("ZHIFA_DB_KEY")
        // The store key in a file beside (never inside) the data folder.
        .env("ZHIFA_KEYSTORE", "file")
        .env(
            "ZHIFA_KEY_DIR",
            Path::new(&dir.path().join("data")).with_extension("keys"),
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line.trim();
    let rest = url
        .strip_prefix("http://127.0.0.1:")
        .unwrap_or_else(|| panic!("{url}"));
    let (port, token) = rest.split_once("/?token=").unwrap();
    Server {
        child,
        port: port.parse().unwrap(),
        token: token.to_owned(),
        _dir: dir,
    }
}

/// One HTTP/1.1 request; (status, headers, body).
fn http(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, String, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host")) {
        req.push_str(&format!("Host: 127.0.0.1:{port}\r\n"));
    }
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    req.push_str(body);
    s.write_all(req.as_bytes()).unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    let (head, body) = out.split_once("\r\n\r\n").unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (status, head.to_owned(), body.to_owned())
}

#[test]
fn a_non_loopback_address_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_zhifa"))
        .arg("--data")
        .arg(dir.path())
        .args(["web", "--listen", "0.0.0.0:0", "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stdout).contains("WEB_NOT_LOOPBACK"));
}

#[test]
fn every_request_needs_the_token() {
    let s = start(&[]);
    let (st, _, body) = http(s.port, "GET", "/", &[], "");
    assert_eq!(st, 401);
    assert!(body.contains("WEB_TOKEN"));
    let (st, _, _) = http(
        s.port,
        "POST",
        "/api/app_state",
        &[("X-Zhifa-Token", "wrong")],
        "{}",
    );
    assert_eq!(st, 401);
    // The first page load with ?token= sets the cookie; the cookie then suffices.
    let (st, head, body) = http(s.port, "GET", &format!("/?token={}", s.token), &[], "");
    assert_eq!(st, 200);
    assert!(body.contains("掌上执法"));
    assert!(
        head.to_ascii_lowercase()
            .contains("set-cookie: zhifa_token=")
    );
    assert!(head.contains("HttpOnly") && head.contains("SameSite=Strict"));
    let cookie = format!("zhifa_token={}", s.token);
    let (st, head, _) = http(s.port, "GET", "/assets/app.js", &[("Cookie", &cookie)], "");
    assert_eq!(st, 200);
    assert!(head.contains("text/javascript"));
    // History-mode routes fall back to the app; traversal is refused.
    let (st, _, body) = http(s.port, "GET", "/case/new", &[("Cookie", &cookie)], "");
    assert_eq!(st, 200);
    assert!(body.contains("<title>"));
    let (st, _, _) = http(s.port, "GET", "/../Cargo.toml", &[("Cookie", &cookie)], "");
    assert_ne!(st, 200);
}

#[test]
fn a_foreign_host_is_refused_even_with_the_token() {
    let s = start(&[]);
    let (st, _, body) = http(
        s.port,
        "POST",
        "/api/app_state",
        &[("Host", "evil.example:80"), ("X-Zhifa-Token", &s.token)],
        "{}",
    );
    assert_eq!(st, 403);
    assert!(body.contains("WEB_HOST"));
}

#[test]
fn commands_answer_json_with_stable_error_codes() {
    let s = start(&[]);
    let t = [
        ("X-Zhifa-Token", s.token.as_str()),
        ("Content-Type", "application/json"),
    ];
    let (st, _, body) = http(s.port, "POST", "/api/app_state", &t, "{}");
    assert_eq!(st, 200, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["shell"], "web");
    assert!(v["catalogue"]["sample"].as_bool().unwrap());
    let (st, _, body) = http(s.port, "POST", "/api/home", &t, "{}");
    assert_eq!(st, 400);
    assert!(body.contains("API_NOT_SIGNED_IN"));
    let (st, _, body) = http(s.port, "POST", "/api/nope", &t, "{}");
    assert_eq!(st, 404);
    assert!(body.contains("API_UNKNOWN_COMMAND"));
    let (st, _, body) = http(s.port, "POST", "/api/sign_in", &t, "{not json");
    assert_eq!(st, 400);
    assert!(body.contains("API_BAD_REQUEST"));
    let pin = format!(
        r#"{{"officer_id":"{}","pin":"{}"}}"#,
        zhifa_api::sample::SAMPLE_OFFICER,
        zhifa_api::sample::SAMPLE_PIN
    );
    let (st, _, body) = http(s.port, "POST", "/api/sign_in", &t, &pin);
    assert_eq!(st, 200, "{body}");
    let (st, _, body) = http(
        s.port,
        "POST",
        "/api/catalogue_search",
        &t,
        r#"{"text":"占道","limit":3}"#,
    );
    assert_eq!(st, 200);
    assert!(body.contains("占道经营"));
}

#[test]
fn a_ui_folder_without_index_is_refused_in_chinese() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_zhifa"))
        .arg("--data")
        .arg(dir.path().join("data"))
        .args(["--json", "web", "--listen", "127.0.0.1:0", "--ui"])
        .arg(dir.path())
        .env("ZHIFA_KEYSTORE", "file")
        .env("ZHIFA_KEY_DIR", dir.path().join("keys"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("WEB_NO_UI") && text.contains("index.html"),
        "{text}"
    );
}

/// Without `--ui` the screens come from the binary (cli/build.rs embeds
/// ui/dist when it was built): the page served is ui/dist's own
/// index.html and a route of the app answers it too. A binary built before
/// the UI refuses with `WEB_NO_UI` instead of serving nothing.
#[test]
fn without_ui_the_embedded_screens_are_served() {
    let dist = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/dist/index.html");
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_zhifa"))
        .arg("--data")
        .arg(dir.path().join("data"))
        .args(["--json", "web", "--listen", "127.0.0.1:0", "--sample"])
        .env_remove("ZHIFA_UI_DIR")
        .env("ZHIFA_KEYSTORE", "file")
        .env("ZHIFA_KEY_DIR", dir.path().join("keys"))
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let Some(rest) = line.trim().strip_prefix("http://127.0.0.1:") else {
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(2), "{line}");
        assert!(line.contains("WEB_NO_UI"), "{line}");
        assert!(
            !dist.is_file(),
            "ui/dist is built but the binary embeds no screens: {line}"
        );
        return;
    };
    let (port, token) = rest.split_once("/?token=").unwrap();
    let port: u16 = port.parse().unwrap();
    let t = [("X-Zhifa-Token", token)];
    let (st, head, body) = http(port, "GET", "/", &t, "");
    let (st2, _, route) = http(port, "GET", "/case/new", &t, "");
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!((st, st2), (200, 200), "{head}");
    assert!(head.to_ascii_lowercase().contains("text/html"), "{head}");
    assert_eq!(body, route, "an app route answers the app");
    assert_eq!(body, std::fs::read_to_string(&dist).unwrap());
}
