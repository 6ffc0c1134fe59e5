//! The short 亮码: the token the QR carries, small enough for a code of at
//! most [`MAX_MODULES`]×[`MAX_MODULES`] modules (QR version 10) that a
//! phone still reads when the screen shows it at a third of its size.
//!
//! The long token ([`super::encode`]) carries the whole certificate and
//! every item's name, and verifies against the published authority key
//! alone; as a QR it needs 141–145 modules a side. The short token keeps
//! only what the verification page cannot look up, and lets the server
//! supply the rest from its own records:
//!
//! | bytes | field |
//! |---|---|
//! | 1 | version, [`VERSION`] |
//! | 16 | device id (UUID): the server looks up the device's registered public key, its officer, 执法证号 and township, and whether it was revoked |
//! | 16 | inspection id (UUID): the visit a rating belongs to |
//! | 4 | issue time, whole minutes since 1970-01-01 UTC (big-endian) |
//! | 1 | lifetime in hours, 1 ..= [`super::MAX_TOKEN_HOURS`] |
//! | 2 | how many checklist items in all (big-endian, saturating) |
//! | 1 + n × (1 + len) | the checklist's scenario codes (catalogue codes, ASCII); the page lists their items from the published catalogue |
//! | 1 + len | the place, UTF-8, cut at a character boundary to fit |
//! | 64 | Ed25519 signature by the device key over [`TAG`] ‖ all the bytes above |
//!
//! The text is RFC 4648 base32 without padding (`A`–`Z`, `2`–`7`): every
//! character is in the QR alphanumeric set, so a URL whose scheme, host and
//! path are upper case (`HTTPS://HOST/V/<token>`) is one alphanumeric
//! segment at 5.5 bits a character. Decoding is strict (no padding, no
//! stray trailing bits, no trailing bytes): any changed character changes a
//! signed byte or fails to decode.

use chrono::{DateTime, Duration, TimeZone, Utc};
use data_encoding::BASE32_NOPAD;
use ed25519_dalek::{Signature, VerifyingKey};
use uuid::Uuid;

use super::{BadgeError, CLOCK_SKEW_MINUTES, MAX_TOKEN_HOURS};

/// Domain tag of the bytes a device signs for a short 亮码.
pub const TAG: &[u8] = b"zhifa-badge-v2\n";
/// The format's version byte.
pub const VERSION: u8 = 2;
/// Most modules a side of the QR the app shows (QR version 10).
pub const MAX_MODULES: usize = 57;
/// Longest token text accepted before decoding.
pub const MAX_CHARS: usize = 512;
/// Most characters of the place the token carries.
pub const MAX_PLACE_CHARS: usize = 24;
/// Most scenario codes the token carries.
pub const MAX_SCENARIOS: usize = 8;
/// Longest scenario code, in bytes.
pub const MAX_CODE_BYTES: usize = 32;
const SIG: usize = 64;

/// What a short 亮码 says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShortClaims {
    /// The device that signed it.
    pub device_id: Uuid,
    /// The inspection.
    pub inspection_id: Uuid,
    /// Issued at (whole minutes).
    pub issued_at: DateTime<Utc>,
    /// Lifetime in hours.
    pub hours: u8,
    /// How many checklist items in all.
    pub items_total: u16,
    /// The checklist's scenario codes.
    pub scenarios: Vec<String>,
    /// The place (possibly cut).
    pub place: String,
}

impl ShortClaims {
    /// When it expires.
    pub fn expires_at(&self) -> DateTime<Utc> {
        self.issued_at + Duration::hours(i64::from(self.hours))
    }

    /// The signed bytes (without the tag and the signature).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut b = Vec::with_capacity(64);
        b.push(VERSION);
        b.extend_from_slice(self.device_id.as_bytes());
        b.extend_from_slice(self.inspection_id.as_bytes());
        let minutes = u32::try_from(self.issued_at.timestamp().div_euclid(60)).unwrap_or(0);
        b.extend_from_slice(&minutes.to_be_bytes());
        b.push(self.hours);
        b.extend_from_slice(&self.items_total.to_be_bytes());
        // Counts and lengths are bounded by `valid_code`, MAX_SCENARIOS and
        // MAX_PLACE_CHARS (≤ 96 bytes), so each fits a byte.
        b.push(u8::try_from(self.scenarios.len()).unwrap_or(u8::MAX));
        for s in &self.scenarios {
            b.push(u8::try_from(s.len()).unwrap_or(u8::MAX));
            b.extend_from_slice(s.as_bytes());
        }
        b.push(u8::try_from(self.place.len()).unwrap_or(u8::MAX));
        b.extend_from_slice(self.place.as_bytes());
        b
    }

    /// Parses the signed bytes, strictly.
    pub fn from_bytes(b: &[u8]) -> Result<Self, BadgeError> {
        let mut r = Reader { b, at: 0 };
        if r.u8()? != VERSION {
            return Err(bad("不支持的亮码版本"));
        }
        let device_id = Uuid::from_bytes(r.array::<16>()?);
        let inspection_id = Uuid::from_bytes(r.array::<16>()?);
        let minutes = u32::from_be_bytes(r.array::<4>()?);
        let issued_at = Utc
            .timestamp_opt(i64::from(minutes) * 60, 0)
            .single()
            .ok_or_else(|| bad("签发时间无效"))?;
        let hours = r.u8()?;
        if hours == 0 || i64::from(hours) > MAX_TOKEN_HOURS {
            return Err(bad("有效期不合理"));
        }
        let items_total = u16::from_be_bytes(r.array::<2>()?);
        let n = usize::from(r.u8()?);
        if n > MAX_SCENARIOS {
            return Err(bad("检查场景过多"));
        }
        let mut scenarios = Vec::with_capacity(n);
        for _ in 0..n {
            let len = usize::from(r.u8()?);
            let code = std::str::from_utf8(r.take(len)?).map_err(|_| bad("场景代码无效"))?;
            if !valid_code(code) {
                return Err(bad("场景代码无效"));
            }
            scenarios.push(code.to_owned());
        }
        let len = usize::from(r.u8()?);
        let place = std::str::from_utf8(r.take(len)?).map_err(|_| bad("检查地点不是 UTF-8"))?;
        if place.chars().count() > MAX_PLACE_CHARS {
            return Err(bad("检查地点过长"));
        }
        if r.at != b.len() {
            return Err(bad("亮码末尾有多余内容"));
        }
        Ok(Self {
            device_id,
            inspection_id,
            issued_at,
            hours,
            items_total,
            scenarios,
            place: place.to_owned(),
        })
    }
}

struct Reader<'a> {
    b: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], BadgeError> {
        let b: &'a [u8] = self.b;
        let end = self.at.checked_add(n).filter(|e| *e <= b.len());
        let end = end.ok_or_else(|| bad("亮码内容不完整"))?;
        let s = &b[self.at..end];
        self.at = end;
        Ok(s)
    }

    fn u8(&mut self) -> Result<u8, BadgeError> {
        Ok(self.take(1)?[0])
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], BadgeError> {
        let s = self.take(N)?;
        let mut a = [0u8; N];
        a.copy_from_slice(s);
        Ok(a)
    }
}

fn bad(m: &str) -> BadgeError {
    BadgeError::Malformed(m.to_owned())
}

/// A scenario code the token can carry: 1 ..= [`MAX_CODE_BYTES`] ASCII
/// letters, digits, `-` or `_`.
pub fn valid_code(code: &str) -> bool {
    (1..=MAX_CODE_BYTES).contains(&code.len())
        && code
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
}

fn signed_bytes(body: &[u8]) -> Vec<u8> {
    let mut b = TAG.to_vec();
    b.extend_from_slice(body);
    b
}

fn text(body: &[u8], sig: &[u8; SIG]) -> String {
    let mut all = body.to_vec();
    all.extend_from_slice(sig);
    BASE32_NOPAD.encode(&all)
}

/// What a short 亮码 is about, from the device's inspection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShortRequest {
    /// The inspection id.
    pub inspection_id: Uuid,
    /// The place.
    pub place: String,
    /// The checklist's scenario codes, in order.
    pub scenarios: Vec<String>,
    /// How many items the merged checklist has.
    pub items_total: usize,
}

/// Makes a short 亮码 offline: issued `now` (to the minute) for `hours`
/// (1 ..= [`MAX_TOKEN_HOURS`]) by device `device_id`, signed by `sign`.
///
/// `fits` says whether a token text fits the QR the caller will draw (it
/// knows the URL around it). The place is cut, then scenarios are left out
/// from the end, until it fits; the page then names fewer scenarios but
/// still says how many items there are. When even the smallest does not
/// fit (a very long server URL), the smallest is returned.
pub fn issue(
    req: &ShortRequest,
    device_id: Uuid,
    now: DateTime<Utc>,
    hours: i64,
    sign: impl FnOnce(&[u8]) -> [u8; 64],
    fits: impl Fn(&str) -> bool,
) -> Result<(String, ShortClaims), BadgeError> {
    let hours = u8::try_from(hours)
        .ok()
        .filter(|h| *h >= 1 && i64::from(*h) <= MAX_TOKEN_HOURS)
        .ok_or_else(|| bad(&format!("有效期须为 1 至 {MAX_TOKEN_HOURS} 小时")))?;
    let issued_at = Utc
        .timestamp_opt(now.timestamp().div_euclid(60) * 60, 0)
        .single()
        .ok_or_else(|| bad("签发时间无效"))?;
    let place: Vec<char> = req.place.trim().chars().take(MAX_PLACE_CHARS).collect();
    let scenarios: Vec<String> = req
        .scenarios
        .iter()
        .filter(|c| valid_code(c))
        .take(MAX_SCENARIOS)
        .cloned()
        .collect();
    let mut claims = ShortClaims {
        device_id,
        inspection_id: req.inspection_id,
        issued_at,
        hours,
        items_total: u16::try_from(req.items_total).unwrap_or(u16::MAX),
        scenarios: scenarios.clone(),
        place: place.iter().collect(),
    };
    // Try with a placeholder signature of the right length: the length, not
    // the bytes, decides the QR's size.
    let probe = |c: &ShortClaims| fits(&text(&c.to_bytes(), &[0; SIG]));
    'fit: for keep in (0..=scenarios.len()).rev() {
        claims.scenarios = scenarios[..keep].to_vec();
        for cut in (0..=place.len()).rev() {
            claims.place = place[..cut].iter().collect();
            if probe(&claims) {
                break 'fit;
            }
        }
    }
    let body = claims.to_bytes();
    let sig = sign(&signed_bytes(&body));
    Ok((text(&body, &sig), claims))
}

/// Decodes token text without checking the signature or the times.
/// Returns the claims, the signed body and the signature.
pub fn decode(token: &str) -> Result<(ShortClaims, Vec<u8>, [u8; 64]), BadgeError> {
    if token.len() > MAX_CHARS {
        return Err(bad("亮码过长"));
    }
    let all = BASE32_NOPAD
        .decode(token.as_bytes())
        .map_err(|_| bad("内容不是 base32"))?;
    if all.len() <= SIG {
        return Err(bad("亮码内容不完整"));
    }
    let (body, sig) = all.split_at(all.len() - SIG);
    let mut s = [0u8; SIG];
    s.copy_from_slice(sig);
    Ok((ShortClaims::from_bytes(body)?, body.to_vec(), s))
}

/// Verifies token text signed by `device_key` at `now`: form, signature,
/// then times (issued no later than `now` plus the allowed drift, not
/// expired). The device's key, its officer and whether it was revoked are
/// the server's records: the caller looks the device up first (by
/// [`decode`]'s device id).
pub fn verify(
    token: &str,
    device_key: &VerifyingKey,
    now: DateTime<Utc>,
) -> Result<ShortClaims, BadgeError> {
    let claims = verify_signature(token, device_key)?;
    if claims.issued_at > now + Duration::minutes(CLOCK_SKEW_MINUTES) {
        return Err(BadgeError::NotYetValid);
    }
    if now >= claims.expires_at() {
        return Err(BadgeError::Expired(super::ts(claims.expires_at())));
    }
    Ok(claims)
}

/// Verifies the form and the signature only (a rating may come after the
/// code expired).
pub fn verify_signature(token: &str, device_key: &VerifyingKey) -> Result<ShortClaims, BadgeError> {
    let (claims, body, sig) = decode(token)?;
    device_key
        .verify_strict(&signed_bytes(&body), &Signature::from_bytes(&sig))
        .map_err(|_| BadgeError::SignatureInvalid)?;
    Ok(claims)
}

/// Whether token text is a short 亮码 (the long one holds a `.`).
pub fn is_short(token: &str) -> bool {
    !token.contains('.')
}

/// The URL the QR encodes: `{server}/V/{token}`, with the scheme and the
/// host upper-cased (both are case-blind) so that the whole URL is in the
/// QR alphanumeric set when the server URL has no path of its own.
pub fn url(server_url: &str, token: &str) -> String {
    let base = server_url.trim_end_matches('/');
    let (scheme, rest) = base.split_once("://").unwrap_or(("", base));
    let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let head = if scheme.is_empty() {
        host.to_ascii_uppercase()
    } else {
        format!(
            "{}://{}",
            scheme.to_ascii_uppercase(),
            host.to_ascii_uppercase()
        )
    };
    format!("{head}{path}/V/{token}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::{Signer, SigningKey};
    use proptest::prelude::*;

    fn key() -> SigningKey {
        SigningKey::from_bytes(&[7; 32])
    }

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .map(|t| t.with_timezone(&Utc))
            .unwrap()
    }

    fn req(place: &str, scenarios: &[&str], total: usize) -> ShortRequest {
        ShortRequest {
            inspection_id: Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0001),
            place: place.into(),
            scenarios: scenarios.iter().map(|s| (*s).to_owned()).collect(),
            items_total: total,
        }
    }

    fn make(
        r: &ShortRequest,
        now: DateTime<Utc>,
        fits: impl Fn(&str) -> bool,
    ) -> (String, ShortClaims) {
        let k = key();
        issue(
            r,
            Uuid::from_u128(42),
            now,
            4,
            |m| k.sign(m).to_bytes(),
            fits,
        )
        .unwrap()
    }

    #[test]
    fn a_token_round_trips_and_verifies_until_it_expires() {
        let now = at("2026-12-06T09:30:45Z");
        let r = req("渝中区解放碑八一路 12 号", &["CJ-XXSC", "CJ-CYMD"], 17);
        let (t, c) = make(&r, now, |_| true);
        assert!(is_short(&t));
        assert!(
            t.bytes()
                .all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b))
        );
        let vk = key().verifying_key();
        let got = verify(&t, &vk, now).unwrap();
        assert_eq!(got, c);
        assert_eq!(got.issued_at, at("2026-12-06T09:30:00Z"));
        assert_eq!(got.scenarios, vec!["CJ-XXSC", "CJ-CYMD"]);
        assert_eq!(got.place, "渝中区解放碑八一路 12 号");
        assert_eq!(got.items_total, 17);
        assert_eq!(
            verify(&t, &vk, at("2026-12-06T13:30:00Z"))
                .unwrap_err()
                .code(),
            "badge_expired"
        );
        assert_eq!(
            verify(&t, &vk, at("2026-12-06T09:19:00Z"))
                .unwrap_err()
                .code(),
            "badge_not_yet_valid"
        );
        let other = SigningKey::from_bytes(&[8; 32]).verifying_key();
        assert_eq!(
            verify(&t, &other, now).unwrap_err().code(),
            "badge_signature_invalid"
        );
    }

    #[test]
    fn fitting_cuts_the_place_then_drops_scenarios() {
        let now = at("2026-12-06T09:30:00Z");
        let r = req("一二三四五六七八九十", &["CJ-XXSC", "CJ-CYMD"], 20);
        let (full, _) = make(&r, now, |_| true);
        // A budget a few characters under the full text: the place is cut
        // first, scenarios kept.
        let limit = full.len() - 8;
        let (t, c) = make(&r, now, |s| s.len() <= limit);
        assert!(t.len() <= limit);
        assert_eq!(c.scenarios.len(), 2);
        assert!(c.place.chars().count() < 10 && r.place.starts_with(&c.place));
        // A budget under the token without any place: a scenario goes (and
        // what room it leaves goes back to the place).
        let bare = make(&req("", &["CJ-XXSC", "CJ-CYMD"], 20), now, |_| true)
            .0
            .len();
        let (t, c) = make(&r, now, |s| s.len() < bare);
        assert!(t.len() < bare);
        assert_eq!(c.scenarios, vec!["CJ-XXSC"]);
        assert!(r.place.starts_with(&c.place));
        assert_eq!(c.items_total, 20);
        // Nothing fits: the smallest is returned.
        let (_, c) = make(&r, now, |_| false);
        assert!(c.scenarios.is_empty() && c.place.is_empty());
    }

    #[test]
    fn urls_are_upper_case_but_for_the_token() {
        assert_eq!(
            url("https://zhifa.cq.gov.cn/", "AB2"),
            "HTTPS://ZHIFA.CQ.GOV.CN/V/AB2"
        );
        assert_eq!(
            url("http://127.0.0.1:8080", "X"),
            "HTTP://127.0.0.1:8080/V/X"
        );
        assert_eq!(url("https://h.cn/zf", "X"), "HTTPS://H.CN/zf/V/X");
    }

    #[test]
    fn bad_forms_are_refused_with_a_code() {
        let now = at("2026-12-06T09:30:00Z");
        let (t, _) = make(&req("某店", &["CJ-WB"], 6), now, |_| true);
        for bad in [
            String::new(),
            format!("{t}A"),
            t[..t.len() - 1].to_owned(),
            t.to_ascii_lowercase(),
            format!("{t}="),
            "A".repeat(MAX_CHARS + 1),
        ] {
            assert_eq!(decode(&bad).unwrap_err().code(), "badge_malformed", "{bad}");
        }
        // A version byte other than 2.
        let mut all = BASE32_NOPAD.decode(t.as_bytes()).unwrap();
        all[0] = 1;
        assert_eq!(
            decode(&BASE32_NOPAD.encode(&all)).unwrap_err().code(),
            "badge_malformed"
        );
    }

    proptest! {
        /// Any changed character of a token is refused (never verified,
        /// never a panic).
        #[test]
        fn any_changed_character_is_refused(i in 0usize..400, c in 0u8..32) {
            let now = at("2026-12-06T09:30:00Z");
            let (t, _) = make(&req("解放碑", &["CJ-XXSC"], 8), now, |_| true);
            let i = i % t.len();
            let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
            let new = alphabet[usize::from(c)];
            prop_assume!(t.as_bytes()[i] != new);
            let mut b = t.clone().into_bytes();
            b[i] = new;
            let bad = String::from_utf8(b).unwrap();
            prop_assert!(verify(&bad, &key().verifying_key(), now).is_err());
        }

        /// Arbitrary text never panics the decoder.
        #[test]
        fn arbitrary_text_never_panics(s in "[A-Z2-7]{0,300}") {
            let _ = decode(&s);
        }

        /// Claims round-trip through their bytes.
        #[test]
        fn claims_round_trip(place in "\\PC{0,24}", n in 0usize..4, hours in 1u8..=12, total in 0u16..500, minutes in 0u32..40_000_000) {
            let c = ShortClaims {
                device_id: Uuid::from_u128(1),
                inspection_id: Uuid::from_u128(2),
                issued_at: Utc.timestamp_opt(i64::from(minutes) * 60, 0).single().unwrap(),
                hours,
                items_total: total,
                scenarios: (0..n).map(|i| format!("CJ-{i}")).collect(),
                place,
            };
            prop_assert_eq!(ShortClaims::from_bytes(&c.to_bytes()).unwrap(), c);
        }
    }
}
