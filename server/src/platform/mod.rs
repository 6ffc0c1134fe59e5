//! The city's platforms (issue 17 item 4): the 一体化治理智治平台 and the
//! 12345 hotline hand events to the township's dispatcher through a signed
//! webhook, `POST /v1/platform/events` ([`http`]).
//!
//! - **Who may send**: each platform is registered by the administrator
//!   (`zhifa-server platform add`) with its own shared secret, read from
//!   standard input, sealed at rest by the vault (purpose
//!   [`crate::pii::PLATFORM_SECRET`]) and never logged or shown again, and
//!   the township-code prefix it may send events for.
//! - **The signature** ([`verify_signature`]): the request carries
//!   `x-zhifa-platform` (the platform id), `x-zhifa-timestamp` (Unix
//!   seconds) and `x-zhifa-signature` (`sha256=` + hex HMAC-SHA256 under the
//!   platform's secret over `TIMESTAMP.BODY`), compared in constant time.
//!   A timestamp more than [`WINDOW_SECS`] from the server's clock, or a
//!   `delivery_id` already seen from that platform, is refused: a captured
//!   request cannot be played again.
//! - **The event** lands once per (platform, `external_id`): a platform
//!   re-sending its event (a new delivery) finds the same event
//!   ([`store`]). The reporter's contact is personal data: sealed at rest
//!   (purpose [`crate::pii::PLATFORM_EVENT`]), masked in lists, opened only
//!   in the event's own read, which is audited (`platform_event.read`).
//! - **The reply clock** ([`reply_rule`]): a complaint (举报、控告, the
//!   12345 hotline's 投诉) is answered within the statutory period, and
//!   where no law sets one within 15 working days (重庆市行政执法责任制条例
//!   Art. 13, docs/law/chongqing.md), counted on the township's working-day
//!   calendar of the catalogue release in force. A statutory period of a
//!   particular matter is not known when the event arrives, so the 15 days
//!   are the clock shown. For the other kinds no Chongqing rule was found:
//!   their period is configuration per platform (`--reply-days KIND=N`),
//!   and none configured means no clock.
//! - **The dispatcher** (`command_centre` account of the township's scope)
//!   lists the events, reads one, and turns it into a task for an officer
//!   (the same assignment as `POST /v1/console/tasks`) or records it as a
//!   case source (案源) with a note; the link is kept so supervision can
//!   trace a complaint to its outcome.

pub mod http;
pub mod store;

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset, NaiveDate, Offset, Utc};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

/// Seconds a request's timestamp may differ from the server's clock.
pub const WINDOW_SECS: i64 = 300;
/// The working days a complaint is answered within when no law sets
/// another period (重庆市行政执法责任制条例 Art. 13 ¶2).
pub const COMPLAINT_REPLY_WORKING_DAYS: u32 = 15;
/// The legal basis of [`COMPLAINT_REPLY_WORKING_DAYS`].
pub const COMPLAINT_REPLY_BASIS: &str = "重庆市行政执法责任制条例第十三条";
/// The basis recorded for a period taken from the platform's settings.
pub const CONFIGURED_BASIS: &str = "configuration";

/// The header naming the sending platform.
pub const PLATFORM_HEADER: &str = "x-zhifa-platform";
/// The header carrying the request's Unix time in seconds.
pub const TIMESTAMP_HEADER: &str = "x-zhifa-timestamp";
/// The header carrying `sha256=` + hex HMAC-SHA256 of `TIMESTAMP.BODY`.
pub const SIGNATURE_HEADER: &str = "x-zhifa-signature";

/// What an event is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = PlatformEventKind)]
pub enum EventKind {
    /// A complaint or report against an offence (12345 投诉、举报).
    Complaint,
    /// A grid worker's report (网格上报).
    Report,
    /// A task handed down by the district centre (交办).
    Assignment,
    /// A camera or sensor clue (视频发现).
    Camera,
    /// Anything else.
    Other,
}

impl EventKind {
    /// The stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Complaint => "complaint",
            Self::Report => "report",
            Self::Assignment => "assignment",
            Self::Camera => "camera",
            Self::Other => "other",
        }
    }

    /// The stored form read back.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "complaint" => Self::Complaint,
            "report" => Self::Report,
            "assignment" => Self::Assignment,
            "camera" => Self::Camera,
            "other" => Self::Other,
            _ => return None,
        })
    }

    /// In Chinese.
    pub fn label(self) -> &'static str {
        match self {
            Self::Complaint => "投诉举报",
            Self::Report => "网格上报",
            Self::Assignment => "上级交办",
            Self::Camera => "视频发现",
            Self::Other => "其他",
        }
    }
}

/// The reporter of an event (personal data: sealed, masked in lists).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = PlatformReporter)]
pub struct Reporter {
    /// Name, if given.
    #[serde(default)]
    pub name: Option<String>,
    /// Telephone, if given.
    #[serde(default)]
    pub phone: Option<String>,
}

/// The body a platform posts to `/v1/platform/events`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct InboundEvent {
    /// Unique per request the platform sends (a retry of the same event
    /// carries a new one); a delivery id seen before is refused as a replay.
    pub delivery_id: String,
    /// The platform's own number of the event (工单号): the same number is
    /// the same event.
    pub external_id: String,
    /// What it is.
    pub kind: EventKind,
    /// Where (address or description of the place).
    pub place: String,
    /// The 9-digit township code it belongs to.
    pub township: String,
    /// What was reported.
    pub description: String,
    /// Who reported it, if the platform passes it on.
    #[serde(default)]
    pub reporter: Option<Reporter>,
    /// When the platform received it (RFC 3339); the reply clock starts
    /// on that day. Omitted: when it reaches this server.
    #[serde(default)]
    pub received_at: Option<String>,
}

/// The longest texts, in characters.
const LIMITS: [(&str, usize); 6] = [
    ("delivery_id", 128),
    ("external_id", 128),
    ("place", 200),
    ("description", 4_000),
    ("name", 64),
    ("phone", 32),
];

fn limit(field: &str) -> usize {
    LIMITS
        .iter()
        .find(|(f, _)| *f == field)
        .map_or(0, |(_, n)| *n)
}

impl InboundEvent {
    /// Checks the fields; the message says what is wrong.
    pub fn check(&self) -> Result<(), String> {
        for (field, v) in [
            ("delivery_id", &self.delivery_id),
            ("external_id", &self.external_id),
            ("place", &self.place),
            ("description", &self.description),
        ] {
            if v.trim().is_empty() || v.chars().count() > limit(field) {
                return Err(format!("{field} 不能为空，最长 {} 个字符", limit(field)));
            }
        }
        if self.township.len() != 9 || !self.township.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!(
                "township {:?} 应为 9 位乡镇街道代码",
                self.township
            ));
        }
        if let Some(r) = &self.reporter {
            for (field, v) in [("name", &r.name), ("phone", &r.phone)] {
                if v.as_ref().is_some_and(|v| v.chars().count() > limit(field)) {
                    return Err(format!("reporter.{field} 最长 {} 个字符", limit(field)));
                }
            }
        }
        if let Some(t) = &self.received_at {
            DateTime::parse_from_rfc3339(t)
                .map_err(|_| format!("received_at {t:?} 不是 RFC 3339 时间"))?;
        }
        Ok(())
    }

    /// When the platform received it (or `now`).
    pub fn received(&self, now: DateTime<Utc>) -> DateTime<FixedOffset> {
        self.received_at
            .as_deref()
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            .unwrap_or_else(|| now.with_timezone(&beijing()))
    }
}

/// UTC+8.
pub fn beijing() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| Utc.fix())
}

/// A registered platform (no secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Platform {
    /// Its id, as it names itself in `x-zhifa-platform` (e.g. `cq12345`).
    pub id: String,
    /// Display name (e.g. 重庆12345热线).
    pub name: String,
    /// The township-code prefix it may send events for ('' the city).
    pub scope: String,
    /// Reply periods in working days per event kind (configuration; a
    /// complaint's comes from the law and is not configured).
    pub reply_days: BTreeMap<String, u32>,
    /// When registered (RFC 3339).
    pub created_at: String,
    /// When revoked, if it was.
    pub revoked_at: Option<String>,
}

/// A platform to register.
#[derive(Clone, PartialEq, Eq)]
pub struct NewPlatform {
    /// Id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Township-code prefix.
    pub scope: String,
    /// Reply periods of the kinds other than complaints.
    pub reply_days: BTreeMap<String, u32>,
    /// The shared secret (at least 32 bytes).
    pub secret: Vec<u8>,
}

impl std::fmt::Debug for NewPlatform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewPlatform")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("scope", &self.scope)
            .field("reply_days", &self.reply_days)
            .field("secret", &"<redacted>")
            .finish()
    }
}

impl NewPlatform {
    /// Checks the fields; the message says what is wrong.
    pub fn check(&self) -> Result<(), String> {
        if self.id.is_empty()
            || self.id.len() > 64
            || !self
                .id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err("平台 id 应为 1–64 个字母、数字、- 或 _".into());
        }
        if self.name.trim().is_empty() || self.name.chars().count() > 64 {
            return Err("平台名称不能为空，最长 64 个字".into());
        }
        if !(self.scope.is_empty()
            || (matches!(self.scope.len(), 6 | 9)
                && self.scope.bytes().all(|b| b.is_ascii_digit())))
        {
            return Err("范围应为空（全市）、6 位区县代码或 9 位乡镇街道代码".into());
        }
        if self.secret.len() < 32 {
            return Err("共享密钥至少 32 个字节".into());
        }
        for (kind, days) in &self.reply_days {
            match EventKind::parse(kind) {
                None => return Err(format!("未知事件类型 {kind}")),
                Some(EventKind::Complaint) => {
                    return Err(format!(
                        "投诉举报的答复期限由{COMPLAINT_REPLY_BASIS}规定，不能配置"
                    ));
                }
                Some(_) if !(1..=365).contains(days) => {
                    return Err(format!("{kind} 的答复期限应为 1–365 个工作日"));
                }
                Some(_) => {}
            }
        }
        Ok(())
    }
}

/// The reply period of an event of `kind` from `platform`: (working days,
/// basis), or none when neither the law nor the settings give one.
pub fn reply_rule(kind: EventKind, platform: &Platform) -> Option<(u32, &'static str)> {
    match kind {
        // 重庆市行政执法责任制条例 Art. 13 ¶2: "没有法定期限的，应在十五个工作日内予以回复".
        EventKind::Complaint => Some((COMPLAINT_REPLY_WORKING_DAYS, COMPLAINT_REPLY_BASIS)),
        other => platform
            .reply_days
            .get(other.as_str())
            .map(|d| (*d, CONFIGURED_BASIS)),
    }
}

/// Whether `signature` (`sha256=` + hex, or bare hex) is the HMAC-SHA256
/// under `secret` of `timestamp` + `.` + `body`; the comparison is
/// constant-time (`Mac::verify_slice`).
pub fn verify_signature(secret: &[u8], timestamp: &str, body: &[u8], signature: &str) -> bool {
    let hex_part = signature.strip_prefix("sha256=").unwrap_or(signature);
    let Ok(sig) = hex::decode(hex_part.trim()) else {
        return false;
    };
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret) else {
        return false;
    };
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.verify_slice(&sig).is_ok()
}

/// The signature header value a platform sends (the stand-in's side of
/// [`verify_signature`]).
pub fn sign(secret: &[u8], timestamp: &str, body: &[u8]) -> String {
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret) {
        Ok(m) => m,
        Err(_) => return String::new(),
    };
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// Whether a request timestamp (Unix seconds) lies within the window.
pub fn fresh(timestamp: &str, now: DateTime<Utc>) -> bool {
    timestamp
        .trim()
        .parse::<i64>()
        .is_ok_and(|t| (now.timestamp() - t).abs() <= WINDOW_SECS)
}

/// A name masked for lists: the first character kept.
pub fn mask_name(name: &str) -> String {
    let mut chars = name.trim().chars();
    match chars.next() {
        Some(first) => format!("{first}{}", "*".repeat(chars.count().clamp(1, 3))),
        None => String::new(),
    }
}

/// A telephone number masked for lists: the first three and last four
/// digits kept when it has eleven or more, the last two otherwise.
pub fn mask_phone(phone: &str) -> String {
    let digits: Vec<char> = phone.chars().filter(char::is_ascii_digit).collect();
    let n = digits.len();
    if n >= 11 {
        let head: String = digits[..3].iter().collect();
        let tail: String = digits[n - 4..].iter().collect();
        format!("{head}****{tail}")
    } else if n > 2 {
        let tail: String = digits[n - 2..].iter().collect();
        format!("{}{tail}", "*".repeat(n - 2))
    } else {
        "*".repeat(n)
    }
}

/// The reporter as a list shows it.
pub fn mask_reporter(r: &Reporter) -> Option<String> {
    let parts: Vec<String> = [
        r.name.as_deref().map(mask_name),
        r.phone.as_deref().map(mask_phone),
    ]
    .into_iter()
    .flatten()
    .filter(|s| !s.is_empty())
    .collect();
    (!parts.is_empty()).then(|| parts.join(" "))
}

/// Why an inbound event or a dispatcher's action was refused. Each has a
/// stable code.
#[derive(Debug, thiserror::Error)]
pub enum PlatformError {
    /// The database.
    #[error(transparent)]
    Db(#[from] crate::store::sql::DbError),
    /// Sealing or opening failed, or a stored row does not decode.
    #[error("平台事件数据损坏：{0}")]
    Corrupt(String),
    /// No `x-zhifa-platform`, or a platform not registered or revoked.
    #[error("未登记或已停用的平台")]
    UnknownPlatform,
    /// No signature or timestamp header.
    #[error("缺少签名或时间戳")]
    SignatureMissing,
    /// The signature does not verify.
    #[error("签名无效")]
    SignatureInvalid,
    /// The timestamp is outside the ±5 minute window.
    #[error("请求时间戳超出允许范围（±5 分钟），请校准时钟后重发")]
    Stale,
    /// The delivery id was seen before.
    #[error("重复投递：此 delivery_id 已收到过")]
    Replay,
    /// The event's township lies outside the platform's scope.
    #[error("事件所属镇街 {0} 不在本平台的范围内")]
    OutOfScope(String),
    /// The body or a field is malformed.
    #[error("{0}")]
    Invalid(String),
    /// No event of that id in the caller's scope.
    #[error("没有此事件")]
    NotFound,
    /// The event was already turned into a task or a case source.
    #[error("此事件已转为任务或案源")]
    AlreadyConverted,
    /// A task the assignment refused (its message).
    #[error("{0}")]
    TaskRefused(String),
    /// The caller's role may not do this.
    #[error("只有指挥中心账号可以处理平台事件")]
    Forbidden,
}

impl PlatformError {
    /// A stable snake_case code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Db(_) => "storage",
            Self::Corrupt(_) => "platform_corrupt",
            Self::UnknownPlatform => "platform_unknown",
            Self::SignatureMissing => "platform_signature_missing",
            Self::SignatureInvalid => "platform_signature_invalid",
            Self::Stale => "platform_timestamp_stale",
            Self::Replay => "platform_replay",
            Self::OutOfScope(_) => "platform_scope",
            Self::Invalid(_) => "bad_request",
            Self::NotFound => "not_found",
            Self::AlreadyConverted => "event_converted",
            Self::TaskRefused(_) => "task_refused",
            Self::Forbidden => "forbidden",
        }
    }
}

impl From<crate::record::RecordError> for PlatformError {
    fn from(e: crate::record::RecordError) -> Self {
        match e {
            crate::record::RecordError::Db(e) => Self::Db(e),
            other => Self::Corrupt(other.to_string()),
        }
    }
}

crate::store::area_error!(PlatformError);

impl From<PlatformError> for crate::error::ApiError {
    fn from(e: PlatformError) -> Self {
        use zhifa_protocol::ErrorKind;
        let e = match e {
            PlatformError::Db(d) => return d.into(),
            other => other,
        };
        let kind = match &e {
            PlatformError::Db(_) => ErrorKind::Internal,
            PlatformError::Corrupt(m) => {
                tracing::error!(error = %m, "platform event data does not decode");
                return Self::new(ErrorKind::Internal, "平台事件数据损坏，请联系管理员");
            }
            PlatformError::UnknownPlatform
            | PlatformError::SignatureMissing
            | PlatformError::SignatureInvalid
            | PlatformError::Stale
            | PlatformError::Replay => ErrorKind::Unauthorized,
            PlatformError::OutOfScope(_) | PlatformError::Forbidden => ErrorKind::Forbidden,
            PlatformError::Invalid(_)
            | PlatformError::AlreadyConverted
            | PlatformError::TaskRefused(_) => ErrorKind::BadRequest,
            PlatformError::NotFound => ErrorKind::NotFound,
        };
        let mut a = Self::new(kind, e.to_string());
        a.code = Some(e.code());
        a
    }
}

/// The Beijing date of `t` (the day a reply clock starts).
pub fn beijing_date(t: DateTime<FixedOffset>) -> NaiveDate {
    t.with_timezone(&beijing()).date_naive()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn signatures_verify_only_with_the_secret_timestamp_and_body() {
        let secret = b"0123456789abcdef0123456789abcdef";
        let sig = sign(secret, "1700000000", b"{\"a\":1}");
        assert!(verify_signature(secret, "1700000000", b"{\"a\":1}", &sig));
        assert!(!verify_signature(secret, "1700000001", b"{\"a\":1}", &sig));
        assert!(!verify_signature(secret, "1700000000", b"{\"a\":2}", &sig));
        assert!(!verify_signature(
            b"another secret of 32 bytes.....",
            "1700000000",
            b"{\"a\":1}",
            &sig
        ));
        assert!(!verify_signature(
            secret,
            "1700000000",
            b"{\"a\":1}",
            "sha256=zz"
        ));
        assert!(!verify_signature(
            secret,
            "1700000000",
            b"{\"a\":1}",
            &sig[..sig.len() - 2]
        ));
    }

    #[test]
    fn the_window_is_five_minutes_either_way() {
        let now = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        assert!(fresh("1700000000", now));
        assert!(fresh("1699999700", now));
        assert!(fresh("1700000300", now));
        assert!(!fresh("1699999699", now));
        assert!(!fresh("1700000301", now));
        assert!(!fresh("soon", now));
    }

    #[test]
    fn reporters_are_masked() {
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask_phone("023-6788"), "*****88");
        assert_eq!(mask_name("张三丰"), "张**");
        let r = Reporter {
            name: Some("李四".into()),
            phone: Some("13900001111".into()),
        };
        assert_eq!(mask_reporter(&r).as_deref(), Some("李* 139****1111"));
        assert_eq!(mask_reporter(&Reporter::default()), None);
    }

    #[test]
    fn only_complaints_have_the_statutory_clock_the_rest_is_configuration() {
        let mut p = Platform {
            id: "cq12345".into(),
            name: "12345".into(),
            scope: String::new(),
            reply_days: BTreeMap::new(),
            created_at: String::new(),
            revoked_at: None,
        };
        assert_eq!(
            reply_rule(EventKind::Complaint, &p),
            Some((15, COMPLAINT_REPLY_BASIS))
        );
        assert_eq!(reply_rule(EventKind::Assignment, &p), None);
        p.reply_days.insert("assignment".into(), 5);
        assert_eq!(
            reply_rule(EventKind::Assignment, &p),
            Some((5, CONFIGURED_BASIS))
        );
        let bad = NewPlatform {
            id: "cq12345".into(),
            name: "12345".into(),
            scope: String::new(),
            reply_days: [("complaint".to_owned(), 10)].into(),
            secret: vec![7; 32],
        };
        assert!(bad.check().is_err());
        assert!(format!("{bad:?}").contains("redacted"));
        assert!(!format!("{bad:?}").contains("[7, 7"));
    }
}
