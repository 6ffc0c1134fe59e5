//! The 亮码 token decoder and verifier (sync/src/badge.rs) on arbitrary
//! text: no panic, stable `badge_*` codes, and nothing verifies but a
//! token the device key really signed — a valid token with any byte
//! changed never verifies.
//!
//! Input: first byte 0 → the rest is token text; 1 → edits `(position,
//! byte)` applied to a valid token the harness issued; otherwise the rest
//! is claims JSON, encoded and signed by the device key, then verified
//! (accepted claims must be the claims signed).
#![no_main]

use std::sync::LazyLock;

use chrono::{DateTime, Duration, TimeZone, Utc};
use ed25519_dalek::{Signer, SigningKey};
use libfuzzer_sys::fuzz_target;
use zhifa_sync::badge::{self, Claims, Item, Request, Subject};

struct Fixture {
    authority: SigningKey,
    device: SigningKey,
    token: String,
    now: DateTime<Utc>,
}

static F: LazyLock<Fixture> = LazyLock::new(|| {
    let authority = SigningKey::from_bytes(&[1; 32]);
    let device = SigningKey::from_bytes(&[2; 32]);
    let now = Utc.with_ymd_and_hms(2026, 3, 10, 2, 0, 0).single().unwrap();
    let subject = Subject {
        officer_id: "OFF-LX-01".into(),
        officer_name: "张三".into(),
        credential_no: "50011210800001".into(),
        township: "500112108".into(),
        township_name: "龙兴镇".into(),
        device_id: "0190f0a0-0000-7000-8000-000000000001".into(),
        device_key: hex::encode(device.verifying_key().as_bytes()),
    };
    let cert = badge::certify(&authority, &subject, now - Duration::days(1));
    let req = Request {
        inspection_id: "0190f0a0-0000-7000-8000-000000000002".into(),
        task_id: None,
        place: "龙兴镇示例路12号".into(),
        items: vec![Item {
            code: "SC-01".into(),
            name: "营业执照悬挂".into(),
        }],
    };
    let (token, _) = badge::issue(&cert, &req, now, 4, |b| device.sign(b).to_bytes()).unwrap();
    Fixture {
        authority,
        device,
        token,
        now,
    }
});

fn check(token: &str) -> Option<Claims> {
    let f = &*F;
    let decoded = badge::decode(token);
    match badge::verify(token, &f.authority.verifying_key(), f.now) {
        Ok(c) => {
            let (d, _, _) = decoded.expect("a verified token decodes");
            assert_eq!(d, c);
            Some(c)
        }
        Err(e) => {
            assert!(e.code().starts_with("badge_"), "{}", e.code());
            None
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let f = &*F;
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    match mode {
        0 => {
            if let Ok(t) = std::str::from_utf8(rest) {
                if check(t).is_some() {
                    assert_eq!(t, f.token, "a token nobody signed verified");
                }
            }
        }
        1 => {
            let mut bytes = f.token.clone().into_bytes();
            for e in rest.chunks_exact(3).take(8) {
                let pos = usize::from(u16::from_le_bytes([e[0], e[1]]));
                if bytes.is_empty() {
                    break;
                }
                let at = pos % bytes.len();
                bytes[at] = e[2];
            }
            if let Ok(t) = String::from_utf8(bytes) {
                if check(&t).is_some() {
                    assert_eq!(t, f.token, "a changed token verified: {t}");
                }
            }
        }
        _ => {
            let Ok(claims) = serde_json::from_slice::<Claims>(rest) else {
                return;
            };
            let Ok(token) = badge::encode(&claims, |b| f.device.sign(b).to_bytes()) else {
                return;
            };
            if let Some(c) = check(&token) {
                assert_eq!(c, claims);
            }
        }
    }
});
