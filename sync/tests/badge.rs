//! The 亮码 chain: a fresh token verifies from the published key alone,
//! and any one changed byte of the token, of the certificate inside it or
//! of either signature makes it fail; times, other keys, garbage.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, Duration, TimeZone, Utc};
use ed25519_dalek::{Signer, SigningKey};
use proptest::prelude::*;
use zhifa_sync::badge::{self, BadgeError, BadgeKey, Claims, Item, Request, Subject};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 5, 6, 2, 30, 0).unwrap()
}

fn authority() -> SigningKey {
    SigningKey::from_bytes(&[7u8; 32])
}

fn device() -> SigningKey {
    SigningKey::from_bytes(&[9u8; 32])
}

fn subject() -> Subject {
    Subject {
        officer_id: "OFF-LX-01".into(),
        officer_name: "张建国".into(),
        credential_no: "渝执500112108001".into(),
        township: "500112108".into(),
        township_name: "重庆市渝北区龙兴镇人民政府".into(),
        device_id: "0190a8b2-0000-7000-8000-000000000001".into(),
        device_key: hex::encode(device().verifying_key().as_bytes()),
    }
}

fn request(n: usize) -> Request {
    Request {
        inspection_id: "0190a8b2-1111-7000-8000-000000000002".into(),
        task_id: Some("0190a8b2-2222-7000-8000-000000000003".into()),
        place: "龙兴镇迎龙大道 8 号 龙兴小吃店".into(),
        items: (0..n)
            .map(|i| Item {
                code: format!("CQ-ITEM-{i:03}"),
                name: format!("是否公示食品经营许可证第{i}项"),
            })
            .collect(),
    }
}

fn token_at(t: DateTime<Utc>, hours: i64) -> (String, Claims) {
    let cert = badge::certify(&authority(), &subject(), t);
    let dev = device();
    badge::issue(&cert, &request(8), t, hours, |m| dev.sign(m).to_bytes()).unwrap()
}

fn key() -> ed25519_dalek::VerifyingKey {
    // As an independent verifier would: from the published JSON only.
    let published = serde_json::to_string(&BadgeKey::of(&authority().verifying_key())).unwrap();
    serde_json::from_str::<BadgeKey>(&published)
        .unwrap()
        .verifying_key()
        .unwrap()
}

#[test]
fn a_fresh_token_verifies_and_says_who_what_and_until_when() {
    let (token, made) = token_at(now(), 4);
    let got = badge::verify(&token, &key(), now() + Duration::minutes(5)).unwrap();
    assert_eq!(got, made);
    let s = subject();
    assert_eq!(got.cert.body.officer_name, s.officer_name);
    assert_eq!(got.cert.body.credential_no, s.credential_no);
    assert_eq!(got.inspection_id, request(8).inspection_id);
    assert_eq!(got.items, request(8).items);
    assert_eq!(
        got.expires_at,
        (now() + Duration::hours(4)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    );
    // URL-safe as it stands: it goes into a path segment.
    assert!(
        token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
    );
}

#[test]
fn long_checklists_are_cut_and_counted() {
    let cert = badge::certify(&authority(), &subject(), now());
    let dev = device();
    let (token, c) =
        badge::issue(&cert, &request(50), now(), 4, |m| dev.sign(m).to_bytes()).unwrap();
    assert_eq!(c.items.len(), badge::MAX_ITEMS);
    assert_eq!(c.items_total, 50);
    assert!(token.len() < badge::MAX_TOKEN_CHARS);
    badge::verify(&token, &key(), now()).unwrap();
}

#[test]
fn expiry_and_clock_skew() {
    let (token, _) = token_at(now(), 2);
    assert!(matches!(
        badge::verify(&token, &key(), now() + Duration::hours(2)),
        Err(BadgeError::Expired(_))
    ));
    // Issued by a device clock ahead of ours: tolerated up to the skew.
    badge::verify(
        &token,
        &key(),
        now() - Duration::minutes(badge::CLOCK_SKEW_MINUTES),
    )
    .unwrap();
    let e = badge::verify(
        &token,
        &key(),
        now() - Duration::minutes(badge::CLOCK_SKEW_MINUTES + 1),
    )
    .unwrap_err();
    assert_eq!(e.code(), "badge_not_yet_valid");
}

#[test]
fn an_expired_certificate_fails_and_cannot_issue() {
    let issued = now() - Duration::days(badge::CERT_VALIDITY_DAYS) - Duration::hours(1);
    let cert = badge::certify(&authority(), &subject(), issued);
    let dev = device();
    let e = badge::issue(&cert, &request(3), now(), 4, |m| dev.sign(m).to_bytes()).unwrap_err();
    assert_eq!(e.code(), "badge_certificate_expired");
    // A token made while the certificate held fails once it has lapsed.
    let late = issued + Duration::days(badge::CERT_VALIDITY_DAYS) - Duration::minutes(30);
    let (token, c) = badge::issue(&cert, &request(3), late, 4, |m| dev.sign(m).to_bytes()).unwrap();
    // Never outlives its certificate.
    assert_eq!(c.expires_at, cert.body.valid_until);
    badge::verify(&token, &key(), late).unwrap();
    let e = badge::verify(&token, &key(), late + Duration::minutes(31)).unwrap_err();
    assert!(matches!(
        e,
        BadgeError::CertificateExpired(..) | BadgeError::Expired(_)
    ));
}

#[test]
fn lifetimes_are_bounded() {
    let cert = badge::certify(&authority(), &subject(), now());
    let dev = device();
    for h in [0, -1, badge::MAX_TOKEN_HOURS + 1] {
        let e = badge::issue(&cert, &request(1), now(), h, |m| dev.sign(m).to_bytes()).unwrap_err();
        assert_eq!(e.code(), "badge_malformed");
    }
    // A hand-made token claiming a day's life is refused even if signed.
    let (_, mut c) = token_at(now(), 4);
    c.expires_at = (now() + Duration::hours(24)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let t = badge::encode(&c, |m| dev.sign(m).to_bytes()).unwrap();
    assert_eq!(
        badge::verify(&t, &key(), now()).unwrap_err().code(),
        "badge_malformed"
    );
}

#[test]
fn a_certificate_from_another_server_key_fails() {
    let other = SigningKey::from_bytes(&[8u8; 32]);
    let cert = badge::certify(&other, &subject(), now());
    let dev = device();
    let (token, _) =
        badge::issue(&cert, &request(3), now(), 4, |m| dev.sign(m).to_bytes()).unwrap();
    assert_eq!(
        badge::verify(&token, &key(), now()).unwrap_err(),
        BadgeError::CertificateInvalid
    );
    // Even when it names this server's key id.
    let mut body = cert.body.clone();
    body.key_id = badge::key_id(&authority().verifying_key());
    let forged = badge::sign_certificate(&other, body);
    let (token, _) =
        badge::issue(&forged, &request(3), now(), 4, |m| dev.sign(m).to_bytes()).unwrap();
    assert_eq!(
        badge::verify(&token, &key(), now()).unwrap_err(),
        BadgeError::CertificateInvalid
    );
}

#[test]
fn a_token_signed_by_another_device_key_fails() {
    let cert = badge::certify(&authority(), &subject(), now());
    let thief = SigningKey::from_bytes(&[3u8; 32]);
    let (token, _) =
        badge::issue(&cert, &request(3), now(), 4, |m| thief.sign(m).to_bytes()).unwrap();
    assert_eq!(
        badge::verify(&token, &key(), now()).unwrap_err(),
        BadgeError::SignatureInvalid
    );
}

#[test]
fn error_codes_are_stable_and_distinct() {
    let all = [
        BadgeError::Malformed(String::new()),
        BadgeError::CertificateInvalid,
        BadgeError::SignatureInvalid,
        BadgeError::Expired(String::new()),
        BadgeError::NotYetValid,
        BadgeError::CertificateExpired(String::new(), String::new()),
        BadgeError::Revoked,
    ];
    let mut codes: Vec<&str> = all.iter().map(|e| e.code()).collect();
    assert!(codes.iter().all(|c| c.starts_with("badge_")));
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(codes.len(), all.len());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Any one byte of the token text replaced by any other byte fails.
    #[test]
    fn any_changed_byte_of_the_token_fails(pos in any::<prop::sample::Index>(), with in any::<u8>()) {
        let (token, _) = token_at(now(), 4);
        let mut bytes = token.clone().into_bytes();
        let i = pos.index(bytes.len());
        prop_assume!(bytes[i] != with);
        bytes[i] = with;
        // Not UTF-8 any more cannot even reach the verifier as text.
        if let Ok(s) = String::from_utf8(bytes) {
            prop_assert!(badge::verify(&s, &key(), now()).is_err());
        }
    }

    /// Any one byte of the certificate changed, the token re-signed by the
    /// device (a device cannot mend its own certificate), fails.
    #[test]
    fn any_changed_byte_of_the_certificate_fails(pos in any::<prop::sample::Index>(), with in any::<u8>()) {
        let (_, claims) = token_at(now(), 4);
        let mut cert = serde_json::to_vec(&claims.cert).unwrap();
        let i = pos.index(cert.len());
        prop_assume!(cert[i] != with);
        cert[i] = with;
        let Ok(cert) = serde_json::from_slice::<badge::Certificate>(&cert) else {
            return Ok(()); // no longer a certificate: cannot be encoded at all
        };
        prop_assume!(cert != claims.cert);
        let mut c = claims.clone();
        c.cert = cert;
        let dev = device();
        let t = badge::encode(&c, |m| dev.sign(m).to_bytes()).unwrap();
        prop_assert!(badge::verify(&t, &key(), now()).is_err());
    }

    /// Any one bit of either signature flipped fails.
    #[test]
    fn any_flipped_bit_of_a_signature_fails(byte in 0usize..64, bit in 0u8..8, which in any::<bool>()) {
        let (token, claims) = token_at(now(), 4);
        let t = if which {
            let (p, s) = token.split_once('.').unwrap();
            use base64::Engine as _;
            let e = base64::engine::general_purpose::URL_SAFE_NO_PAD;
            let mut sig = e.decode(s).unwrap();
            sig[byte] ^= 1 << bit;
            format!("{p}.{}", e.encode(sig))
        } else {
            let mut c = claims.clone();
            let mut sig = hex::decode(&c.cert.signature).unwrap();
            sig[byte] ^= 1 << bit;
            c.cert.signature = hex::encode(sig);
            let dev = device();
            badge::encode(&c, |m| dev.sign(m).to_bytes()).unwrap()
        };
        prop_assert!(badge::verify(&t, &key(), now()).is_err());
    }

    /// Garbage of any length never panics and is refused as malformed.
    #[test]
    fn garbage_is_malformed(s in ".{0,300}", dotted in "[A-Za-z0-9_-]{0,200}\\.[A-Za-z0-9_-]{0,100}") {
        for t in [s, dotted] {
            let e = badge::verify(&t, &key(), now()).unwrap_err();
            prop_assert_eq!(e.code(), "badge_malformed");
        }
    }
}

#[test]
fn oversized_text_is_refused_before_decoding() {
    let t = "A".repeat(badge::MAX_TOKEN_CHARS + 1) + ".AA";
    assert_eq!(
        badge::verify(&t, &key(), now()).unwrap_err().code(),
        "badge_malformed"
    );
}
