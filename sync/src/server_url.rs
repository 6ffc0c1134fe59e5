//! The device's transport guard: which server addresses it may talk to.
//!
//! Every enrolment and sync request carries a secret (the enrolment code,
//! then bearer tokens), so the server URL is checked before any connection
//! (security review 2026-12, finding 7 / issue 13 item 5):
//!
//! - it is parsed by a real URL parser (the WHATWG parser of the `url`
//!   crate, the same one reqwest connects with), never by string prefixes,
//!   so the host judged here is the host the client dials;
//! - a URL with userinfo (`user@`, `user:password@`) is refused outright:
//!   credentials do not belong in a server address, and a userinfo part is
//!   how `http://localhost:1@remote-host` passed the old prefix check;
//! - `https` may name any host; plain `http` only a loopback host — an IP
//!   literal in 127.0.0.0/8, `::1`, or exactly `localhost` (after the
//!   parser's normalisation: lower case, IDNA, percent-decoding; a trailing
//!   dot `localhost.` is a different name and is refused).
//!
//! The normalised URL ([`check`]'s answer) is what the transport uses.

use std::net::IpAddr;

use url::{Host, Url};

use zhifa_core::ErrorCode;

/// Why a server URL is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UrlError {
    /// Not a URL, not `http`/`https`, or without a host.
    #[error("服务器地址无效：{0}（应为 https://主机[:端口]）")]
    Invalid(String),
    /// The URL carries a user name or password.
    #[error("服务器地址不得包含用户名或密码（@ 之前的部分）")]
    Credentials,
    /// Plain HTTP to a host that is not this machine.
    #[error("只允许通过 HTTPS 连接服务器（本机回环地址除外）")]
    PlainHttp,
}

impl ErrorCode for UrlError {
    fn code(&self) -> &'static str {
        match self {
            Self::Invalid(_) => "SYNC_URL",
            Self::Credentials => "SYNC_URL_CREDENTIALS",
            Self::PlainHttp => "SYNC_PLAIN_HTTP",
        }
    }
}

/// Whether a parsed host is this machine: 127.0.0.0/8, `::1` (also as an
/// IPv4-mapped 127.x address) or exactly `localhost`.
fn is_loopback(host: &Host<&str>) -> bool {
    match host {
        Host::Domain(d) => *d == "localhost",
        Host::Ipv4(a) => a.is_loopback(),
        Host::Ipv6(a) => match a.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4).is_loopback(),
            None => a.is_loopback(),
        },
    }
}

/// Checks a server URL and answers its normalised form (what the transport
/// must use), or why it is refused.
pub fn check(text: &str) -> Result<String, UrlError> {
    let shown: String = text.chars().take(200).collect();
    let url = Url::parse(text.trim()).map_err(|_| UrlError::Invalid(shown.clone()))?;
    // An empty userinfo (`http://@host`, `http://:@host`) is dropped by
    // the parser; the raw authority is checked too, so any `@` is refused.
    let raw_authority = text.trim().split_once("://").map_or("", |(_, rest)| {
        rest.split(['/', '\\', '?', '#']).next().unwrap_or("")
    });
    if !url.username().is_empty() || url.password().is_some() || raw_authority.contains('@') {
        return Err(UrlError::Credentials);
    }
    let host = url.host().ok_or_else(|| UrlError::Invalid(shown.clone()))?;
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&host) => {}
        "http" => return Err(UrlError::PlainHttp),
        _ => return Err(UrlError::Invalid(shown)),
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(UrlError::Invalid(shown));
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn code(u: &str) -> &'static str {
        match check(u) {
            Ok(_) => "OK",
            Err(e) => e.code(),
        }
    }

    #[test]
    fn the_review_bypass_and_its_relatives_are_refused() {
        for u in [
            "http://localhost:1@remote-host",
            "http://localhost:1@127.0.0.1:18860",
            "http://localhost@remote-host/",
            "https://user:pw@example.org",
            "http://:pw@localhost",
            "http://user@localhost:8080",
            "http://127.0.0.1%40evil.com@127.0.0.1",
        ] {
            assert_eq!(code(u), "SYNC_URL_CREDENTIALS", "{u}");
        }
        for u in [
            "http://127.0.0.1.evil.com",
            "http://localhost.",
            "http://localhost.evil.com",
            "http://evil.com/127.0.0.1",
            "http://evil.com#@localhost",
            "http://example.invalid",
            "http://[::2]:8080",
            "http://10.0.0.1",
            "http://0.0.0.0",
            "http://[::]",
            "http://localhost%2eevil.com",
        ] {
            assert_eq!(code(u), "SYNC_PLAIN_HTTP", "{u}");
        }
        for u in [
            "",
            "localhost:8080",
            "ftp://localhost",
            "file:///etc/passwd",
            "https://",
            "http://",
            "https://example.org/?x=1",
            "javascript:alert(1)",
        ] {
            assert_eq!(code(u), "SYNC_URL", "{u:?}");
        }
    }

    #[test]
    fn loopback_and_https_are_allowed_in_normalised_form() {
        let ok = [
            ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
            ("http://127.8.9.10", "http://127.8.9.10"),
            ("http://[::1]:8080", "http://[::1]:8080"),
            ("http://[::ffff:127.0.0.1]:9", "http://[::ffff:7f00:1]:9"),
            ("http://localhost:18860/", "http://localhost:18860"),
            ("HTTP://LOCALHOST:1", "http://localhost:1"),
            ("http://%6cocalhost:1", "http://localhost:1"),
            // Full-width letters: IDNA maps them to plain `localhost`, which
            // is exactly what the client then dials.
            ("http://ｌｏｃａｌｈｏｓｔ:1", "http://localhost:1"),
            // Numeric IPv4 forms are parsed as the address they denote.
            ("http://0x7f.1:2", "http://127.0.0.1:2"),
            ("https://zhifa.example.org", "https://zhifa.example.org"),
            (
                "https://执法.example.org/api/",
                "https://xn--dqu15u.example.org/api",
            ),
            (" https://example.org ", "https://example.org"),
        ];
        for (u, want) in ok {
            assert_eq!(check(u).as_deref(), Ok(want), "{u}");
        }
    }

    proptest! {
        /// Whatever precedes an `@`, the URL carries userinfo and is refused,
        /// whatever the host after it.
        #[test]
        fn any_userinfo_is_refused(user in "[a-z0-9.:]{1,20}", host in "[a-z]{1,10}\\.[a-z]{2,5}|127\\.0\\.0\\.1|localhost", https in any::<bool>()) {
            let scheme = if https { "https" } else { "http" };
            let u = format!("{scheme}://{user}@{host}");
            prop_assert_eq!(code(&u), "SYNC_URL_CREDENTIALS");
        }

        /// Plain HTTP to a name is allowed only when the parsed host is
        /// exactly `localhost`; HTTPS to any valid name is allowed.
        #[test]
        fn plain_http_only_to_localhost(name in "[a-zA-Z0-9.-]{1,30}", port in 1u16..) {
            let u = format!("http://{name}:{port}");
            if let Ok(url) = Url::parse(&u) {
                let loop_host = url.host().is_some_and(|h| is_loopback(&h));
                let got = check(&u);
                prop_assert_eq!(got.is_ok(), loop_host, "{}", u);
                if let Some(Host::Domain(d)) = url.host() {
                    prop_assert_eq!(got.is_ok(), d == "localhost");
                }
            }
        }

        /// Every IPv4 literal: allowed over plain HTTP exactly when in 127/8.
        #[test]
        fn ipv4_literals(a in any::<[u8; 4]>()) {
            let u = format!("http://{}.{}.{}.{}/", a[0], a[1], a[2], a[3]);
            prop_assert_eq!(check(&u).is_ok(), a[0] == 127);
            let s = format!("https://{}.{}.{}.{}/", a[0], a[1], a[2], a[3]);
            prop_assert!(check(&s).is_ok());
        }
    }
}
