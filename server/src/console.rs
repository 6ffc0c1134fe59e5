//! The accounts of the console API (`/v1/console/*`): the grid command
//! centre (网格化指挥中心) that assigns tasks and watches their closed loop
//! ("发现问题 → 派发任务 → 联合执法 → 反馈", field-apps.md §5 item 9), and
//! the departments that read the findings of their own inspection items
//! from joint inspections (综合查一次), and the legal-review body
//! (法制审核) whose results reach the officer's device — as do the command
//! centre's reassignments of a case (sync stream C, server-owned fields).
//!
//! A staff account is not a device: it has no key and no outbox, only a
//! bearer token (random, stored as its SHA-256, shown once at creation,
//! valid until it expires or is revoked) and a scope — a township-code
//! prefix: '' the whole city, 6 digits a district, 9 digits a township.
//! Everything it reads or writes stays inside that scope, and a
//! department account reads its own department's findings only.
//!
//! Storage is the `staff` table of migration `0002_inspection.sql`, written through the
//! storage layer's [`Conn`] (SQLite and PostgreSQL alike).

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

use crate::store::sql::{Conn, DbError, p};

/// How long a staff token lives unless the operator says otherwise.
pub const DEFAULT_TTL: Duration = Duration::days(90);

/// What a staff account may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StaffRole {
    /// Assigns tasks and reads every task and finding in its scope.
    CommandCentre,
    /// Reads the findings of its own department in its scope.
    Department,
    /// The legal-review body (法制审核机构): reviews cases in its scope.
    LegalReview,
    /// The township's 负责人 (approver): reads the record in its scope
    /// (its approval inbox comes with the normal procedure).
    Approver,
    /// The district 司法局's supervision body (执法监督): reads the record
    /// in its scope (the supervision screens come with their issue).
    Supervisor,
    /// The centre's administrator: reads the record in its scope (account
    /// and device administration comes later).
    Administrator,
}

impl StaffRole {
    /// The stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::CommandCentre => "command_centre",
            Self::Department => "department",
            Self::LegalReview => "legal_review",
            Self::Approver => "approver",
            Self::Supervisor => "supervisor",
            Self::Administrator => "administrator",
        }
    }

    /// Every role, in the order the console lists them.
    pub const ALL: [Self; 6] = [
        Self::CommandCentre,
        Self::Department,
        Self::LegalReview,
        Self::Approver,
        Self::Supervisor,
        Self::Administrator,
    ];

    /// The role's Chinese name, as the console shows it.
    pub fn label(self) -> &'static str {
        match self {
            Self::CommandCentre => "指挥中心",
            Self::Department => "业务部门",
            Self::LegalReview => "法制审核",
            Self::Approver => "负责人",
            Self::Supervisor => "司法局监督",
            Self::Administrator => "系统管理员",
        }
    }

    /// Parses the stored form.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "command_centre" => Some(Self::CommandCentre),
            "department" => Some(Self::Department),
            "legal_review" => Some(Self::LegalReview),
            "approver" => Some(Self::Approver),
            "supervisor" => Some(Self::Supervisor),
            "administrator" => Some(Self::Administrator),
            _ => None,
        }
    }
}

/// A staff account to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewStaff {
    /// Id (an operator-chosen login, e.g. `zhzx-500112`).
    pub id: String,
    /// Display name (a unit, not a person's ID).
    pub name: String,
    /// Role.
    pub role: StaffRole,
    /// Township-code prefix ('' city, 6 digits district, 9 township).
    pub scope: String,
    /// The department code (catalogue `departments[].code`) of a
    /// department account; none for the command centre.
    pub department: Option<String>,
}

impl NewStaff {
    /// Checks the account's fields; the message says what is wrong.
    pub fn check(&self) -> Result<(), String> {
        if self.id.trim().is_empty()
            || self.id.len() > 64
            || self.id.chars().any(char::is_whitespace)
        {
            return Err("账号 id 不能为空、不能含空白、最长 64 个字符".into());
        }
        if self.name.trim().is_empty() || self.name.chars().count() > 64 {
            return Err("名称不能为空，最长 64 个字".into());
        }
        if !(self.scope.is_empty()
            || (matches!(self.scope.len(), 6 | 9)
                && self.scope.bytes().all(|b| b.is_ascii_digit())))
        {
            return Err(format!(
                "辖区 {:?} 应为空（全市）、6 位区县代码或 9 位乡镇街道代码",
                self.scope
            ));
        }
        match (self.role, &self.department) {
            (StaffRole::Department, None) => Err("部门账号必须指定部门代码".into()),
            (StaffRole::Department, Some(d)) if d.trim().is_empty() => {
                Err("部门账号必须指定部门代码".into())
            }
            (_, Some(_)) if self.role != StaffRole::Department => {
                Err("只有部门账号才指定部门代码".into())
            }
            _ => Ok(()),
        }
    }
}

/// An authenticated staff caller.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Staff {
    /// Id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Role.
    pub role: StaffRole,
    /// Township-code prefix of everything it may see.
    pub scope: String,
    /// Its department (department accounts).
    pub department: Option<String>,
    /// Bearer-token expiry (RFC 3339); empty when the account has no
    /// token (people sign in with password and TOTP instead).
    pub expires_at: String,
    /// Revocation time, if revoked.
    pub revoked_at: Option<String>,
}

impl Staff {
    /// The audit actor of this account.
    pub fn actor(&self) -> String {
        format!("staff:{}", self.id)
    }
}

fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

const COLUMNS: &str = "id, name, role, scope, department, expires_at, revoked_at";

fn staff_row(r: &crate::store::sql::Row) -> Result<Staff, DbError> {
    let role: String = r.get(2)?;
    Ok(Staff {
        id: r.get(0)?,
        name: r.get(1)?,
        // The CHECK constraint of the table admits only the known roles;
        // an unknown one falls to the narrowest (department).
        role: StaffRole::parse(&role).unwrap_or(StaffRole::Department),
        scope: r.get(3)?,
        department: r.get(4)?,
        expires_at: r.get::<Option<String>>(5)?.unwrap_or_default(),
        revoked_at: r.get(6)?,
    })
}

/// Creates (or re-issues the token of) a staff account on the caller's
/// write transaction. `token_sha256` is the hex SHA-256 of the token.
pub fn upsert(
    tx: &mut dyn Conn,
    s: &NewStaff,
    token_sha256: &str,
    now: DateTime<Utc>,
    ttl: Duration,
) -> Result<(), DbError> {
    tx.exec(
        "INSERT INTO staff (id, name, role, scope, department, token_sha256, created_at, expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, role = excluded.role,
             scope = excluded.scope, department = excluded.department,
             token_sha256 = excluded.token_sha256, expires_at = excluded.expires_at,
             revoked_at = NULL",
        p![
            s.id,
            s.name,
            s.role.as_str(),
            s.scope,
            s.department,
            token_sha256,
            ts(now),
            ts(now + ttl)
        ],
    )?;
    crate::store::audit(tx, now, "operator", "staff.issue", &s.id)?;
    Ok(())
}

/// The account a token belongs to, whatever its state (the caller checks
/// expiry and revocation, so it can say which).
pub fn by_token(conn: &mut dyn Conn, token_sha256: &str) -> Result<Option<Staff>, DbError> {
    conn.query_opt(
        &format!("SELECT {COLUMNS} FROM staff WHERE token_sha256 = ?1"),
        p![token_sha256],
    )?
    .map(|r| staff_row(&r))
    .transpose()
}

/// The account of an id, whatever its state.
pub fn by_id(conn: &mut dyn Conn, id: &str) -> Result<Option<Staff>, DbError> {
    conn.query_opt(
        &format!("SELECT {COLUMNS} FROM staff WHERE id = ?1"),
        p![id],
    )?
    .map(|r| staff_row(&r))
    .transpose()
}

/// Every account, by id.
pub fn list(conn: &mut dyn Conn) -> Result<Vec<Staff>, DbError> {
    conn.query(&format!("SELECT {COLUMNS} FROM staff ORDER BY id"), p![])?
        .iter()
        .map(staff_row)
        .collect()
}

/// Revokes an account; true when it was active.
pub fn revoke(tx: &mut dyn Conn, id: &str, now: DateTime<Utc>) -> Result<bool, DbError> {
    let n = tx.exec(
        "UPDATE staff SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
        p![id, ts(now)],
    )?;
    end_sessions(tx, id, now)?;
    crate::store::audit(tx, now, "operator", "staff.revoke", id)?;
    Ok(n == 1)
}

/// Ends every open console session of an account (its credentials
/// changed, or it was revoked; `staff_session`, migration 0012).
pub(crate) fn end_sessions(tx: &mut dyn Conn, id: &str, now: DateTime<Utc>) -> Result<(), DbError> {
    tx.exec(
        "UPDATE staff_session SET ended_at = ?2 WHERE staff_id = ?1 AND ended_at IS NULL",
        p![id, ts(now)],
    )?;
    Ok(())
}

/// Why a console write was refused: (error kind, message).
pub type Refusal = (zhifa_protocol::ErrorKind, String);

/// A legal review's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CaseReview {
    /// `approved` (通过) or `returned` (退回补正).
    pub result: String,
    /// The reviewer's opinion (审核意见), 1–2,000 characters.
    pub opinion: String,
}

/// A reassignment of a case to another officer of its township.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CaseReassign {
    /// The officer now responsible.
    pub officer_id: String,
    /// Why (改派理由), 1–500 characters.
    pub reason: String,
}

fn text_ok(v: &str, max: usize) -> bool {
    !v.trim().is_empty() && v.chars().count() <= max
}

/// The case row a console write works on, checked against the caller's
/// scope: (township, officer of the device, server version).
fn case_in_scope(
    tx: &mut dyn Conn,
    case_id: &str,
    staff: &Staff,
) -> Result<Result<(String, String, i64), Refusal>, DbError> {
    use zhifa_protocol::ErrorKind;
    let row = tx.query_opt(
        "SELECT township, officer_id, server_version FROM cases WHERE case_id = ?1",
        p![case_id],
    )?;
    let Some(r) = row else {
        return Ok(Err((
            ErrorKind::NotFound,
            format!("服务器上没有案件 {case_id}"),
        )));
    };
    let (township, officer, version): (String, String, i64) = (r.get(0)?, r.get(1)?, r.get(2)?);
    if !township.starts_with(&staff.scope) {
        return Ok(Err((ErrorKind::Forbidden, "案件不在本账号的辖区内".into())));
    }
    Ok(Ok((township, officer, version)))
}

/// An inbox event for the officer whose device holds a case.
struct CaseEvent<'a> {
    event_id: &'a str,
    officer: &'a str,
    case_id: &'a str,
    kind: &'a str,
    payload: serde_json::Value,
    /// The case's new server version.
    version: i64,
}

fn inbox_event(tx: &mut dyn Conn, e: &CaseEvent<'_>, now: DateTime<Utc>) -> Result<(), DbError> {
    let CaseEvent {
        event_id,
        officer,
        case_id,
        kind,
        payload,
        version,
    } = e;
    tx.exec(
        "UPDATE cases SET server_version = ?2 WHERE case_id = ?1",
        p![case_id, version],
    )?;
    // Inbox cursors follow commit order (PostgreSQL takes its lock here).
    tx.commit_ordered("inbox")?;
    tx.exec(
        "INSERT INTO inbox (event_id, officer_id, case_id, kind, payload, server_version, at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        p![
            event_id,
            officer,
            case_id,
            kind,
            payload.to_string(),
            version,
            ts(now)
        ],
    )?;
    Ok(())
}

/// Records a legal review (法制审核) of a case and queues its
/// `review.completed` event for the officer whose device holds the case.
/// The review is the reviewing body's act on a server-owned field; it
/// never changes the device's own case record (sync.md §5: field
/// ownership). 行政处罚法 Art. 58 makes review mandatory before
/// certain decisions; which cases go to review is the township's process,
/// not decided here.
pub fn review(
    tx: &mut dyn Conn,
    case_id: &str,
    r: &CaseReview,
    staff: &Staff,
    review_id: &str,
    now: DateTime<Utc>,
) -> Result<Result<(), Refusal>, DbError> {
    use zhifa_protocol::ErrorKind;
    if staff.role != StaffRole::LegalReview {
        return Ok(Err((
            ErrorKind::Forbidden,
            "只有法制审核账号可以提交审核结果".into(),
        )));
    }
    if !matches!(r.result.as_str(), "approved" | "returned") {
        return Ok(Err((
            ErrorKind::BadRequest,
            format!("审核结果应为 approved 或 returned，而不是 {:?}", r.result),
        )));
    }
    if !text_ok(&r.opinion, 2_000) {
        return Ok(Err((
            ErrorKind::BadRequest,
            "审核意见不能为空，最长 2000 字".into(),
        )));
    }
    let (_, officer, version) = match case_in_scope(tx, case_id, staff)? {
        Ok(c) => c,
        Err(e) => return Ok(Err(e)),
    };
    tx.exec(
        "INSERT INTO case_review (review_id, case_id, result, opinion, reviewer, at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        p![review_id, case_id, r.result, r.opinion, staff.id, ts(now)],
    )?;
    let payload = serde_json::json!({
        "result": r.result, "opinion": r.opinion, "reviewer": staff.name, "reviewed_at": ts(now),
    });
    inbox_event(
        tx,
        &CaseEvent {
            event_id: &format!("review:{review_id}"),
            officer: &officer,
            case_id,
            kind: "review.completed",
            payload,
            version: version + 1,
        },
        now,
    )?;
    crate::store::audit(tx, now, &staff.actor(), "case.review", case_id)?;
    Ok(Ok(()))
}

/// Reassigns a case to another active officer of the same township and
/// queues its `case.reassigned` event for the officer whose device holds
/// it; returns false (and queues nothing) when that officer is already
/// responsible.
pub fn reassign(
    tx: &mut dyn Conn,
    case_id: &str,
    r: &CaseReassign,
    staff: &Staff,
    now: DateTime<Utc>,
) -> Result<Result<bool, Refusal>, DbError> {
    use zhifa_protocol::ErrorKind;
    if staff.role != StaffRole::CommandCentre {
        return Ok(Err((
            ErrorKind::Forbidden,
            "只有指挥中心账号可以改派案件".into(),
        )));
    }
    if !text_ok(&r.reason, 500) {
        return Ok(Err((
            ErrorKind::BadRequest,
            "改派理由不能为空，最长 500 字".into(),
        )));
    }
    let (township, officer, version) = match case_in_scope(tx, case_id, staff)? {
        Ok(c) => c,
        Err(e) => return Ok(Err(e)),
    };
    let to: Option<String> = tx
        .query_opt(
            "SELECT township FROM officer WHERE id = ?1",
            p![r.officer_id],
        )?
        .map(|row| row.get(0))
        .transpose()?;
    match to {
        None => {
            return Ok(Err((
                ErrorKind::BadRequest,
                format!("执法人员 {} 不存在", r.officer_id),
            )));
        }
        // A township's case stays with the township's officers (its
        // enforcement body; 行政处罚法 Art. 42).
        Some(t) if t != township => {
            return Ok(Err((
                ErrorKind::BadRequest,
                format!("执法人员 {} 不属于案件所在镇街", r.officer_id),
            )));
        }
        Some(_) => {}
    }
    let current: String = tx
        .query_opt(
            "SELECT officer_id FROM case_assignment WHERE case_id = ?1",
            p![case_id],
        )?
        .map(|row| row.get(0))
        .transpose()?
        .unwrap_or_else(|| officer.clone());
    if current == r.officer_id {
        return Ok(Ok(false));
    }
    tx.exec(
        "INSERT INTO case_assignment (case_id, officer_id, reason, by_staff, at)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (case_id) DO UPDATE SET officer_id = excluded.officer_id,
             reason = excluded.reason, by_staff = excluded.by_staff, at = excluded.at",
        p![case_id, r.officer_id, r.reason, staff.id, ts(now)],
    )?;
    let version = version + 1;
    let payload = serde_json::json!({
        "officer_id": r.officer_id, "reason": r.reason, "reassigned_at": ts(now),
    });
    inbox_event(
        tx,
        &CaseEvent {
            event_id: &format!("reassign:{case_id}:{version}"),
            officer: &officer,
            case_id,
            kind: "case.reassigned",
            payload,
            version,
        },
        now,
    )?;
    crate::store::audit(tx, now, &staff.actor(), "case.reassign", case_id)?;
    Ok(Ok(true))
}

/// Staff accounts and the centre's case actions, on the server's database.
impl crate::store::Db {
    /// Creates a console account, or re-issues its token; returns the
    /// token (shown once: only its hash is stored).
    pub fn issue_staff(
        &self,
        staff: &crate::console::NewStaff,
        ttl: Duration,
        now: DateTime<Utc>,
    ) -> Result<String, crate::error::ApiError> {
        staff.check().map_err(crate::error::ApiError::bad)?;
        let token = format!("zs_{}", crate::store::random_token()?);
        let sha = crate::store::sha_hex(&token);
        self.write(|tx| {
            crate::console::upsert(tx, staff, &sha, now, ttl)?;
            Ok(())
        })?;
        Ok(token)
    }

    /// Records a 法制审核 account's 法律职业资格 certificate number (行政处罚法
    /// Art. 58 ¶2), copied onto every 法制审核 it makes; true when the
    /// account exists and is a legal-review account.
    pub fn set_qualification(
        &self,
        id: &str,
        number: &str,
    ) -> Result<bool, crate::error::ApiError> {
        let number = number.trim();
        if number.is_empty() || number.chars().count() > 40 {
            return Err(crate::error::ApiError::bad(
                "法律职业资格证书编号不能为空，最长 40 个字符",
            ));
        }
        self.write(|tx| {
            Ok(tx.exec(
                "UPDATE staff SET qualification = ?2 WHERE id = ?1 AND role = 'legal_review'",
                p![id, number],
            )? == 1)
        })
    }

    /// Revokes a console account; true when it was active.
    pub fn revoke_staff(
        &self,
        id: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, crate::error::ApiError> {
        self.write(|tx| Ok(crate::console::revoke(tx, id, now)?))
    }

    /// Every console account.
    pub fn staff(&self) -> Result<Vec<crate::console::Staff>, crate::error::ApiError> {
        self.read(|c| Ok(crate::console::list(c)?))
    }

    /// A legal-review account's result on a case, queued to the officer's
    /// inbox as `review.completed`.
    pub fn review_case(
        &self,
        case_id: &str,
        review: &crate::console::CaseReview,
        staff: &crate::console::Staff,
        now: DateTime<Utc>,
    ) -> Result<(), crate::error::ApiError> {
        let id = crate::store::new_id(now);
        self.write(
            |tx| match crate::console::review(tx, case_id, review, staff, &id, now)? {
                Ok(()) => Ok(()),
                Err((kind, msg)) => Err(crate::store::sql::Fail::Api(crate::error::ApiError::new(
                    kind, msg,
                ))),
            },
        )
    }

    /// The command centre reassigns a case (`case.reassigned` to the
    /// officer's inbox); false when that officer already has it.
    pub fn reassign_case(
        &self,
        case_id: &str,
        to: &crate::console::CaseReassign,
        staff: &crate::console::Staff,
        now: DateTime<Utc>,
    ) -> Result<bool, crate::error::ApiError> {
        self.write(
            |tx| match crate::console::reassign(tx, case_id, to, staff, now)? {
                Ok(changed) => Ok(changed),
                Err((kind, msg)) => Err(crate::store::sql::Fail::Api(crate::error::ApiError::new(
                    kind, msg,
                ))),
            },
        )
    }

    /// The console account of a bearer token (`unauthorized` when unknown,
    /// expired or revoked).
    pub fn authenticate_staff(
        &self,
        token: &str,
        now: DateTime<Utc>,
    ) -> Result<crate::console::Staff, crate::error::ApiError> {
        let sha = crate::store::sha_hex(token);
        let found = self.read(|c| Ok(crate::console::by_token(c, &sha)?))?;
        let Some(staff) = found else {
            return Err(crate::error::ApiError::new(
                zhifa_protocol::ErrorKind::Unauthorized,
                "未登录或令牌无效",
            ));
        };
        if staff.revoked_at.is_some() {
            return Err(crate::error::ApiError::new(
                zhifa_protocol::ErrorKind::Unauthorized,
                "此账号已被停用",
            ));
        }
        if staff.expires_at < crate::store::ts(now) {
            return Err(crate::error::ApiError::new(
                zhifa_protocol::ErrorKind::Unauthorized,
                "账号令牌已过期，请重新签发",
            ));
        }
        Ok(staff)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account() -> NewStaff {
        NewStaff {
            id: "zhzx-500112".into(),
            name: "渝北区网格化指挥中心".into(),
            role: StaffRole::CommandCentre,
            scope: "500112".into(),
            department: None,
        }
    }

    #[test]
    fn accounts_are_checked_field_by_field() {
        assert_eq!(account().check(), Ok(()));
        let bad = [
            NewStaff {
                id: " ".into(),
                ..account()
            },
            NewStaff {
                id: "a b".into(),
                ..account()
            },
            NewStaff {
                name: String::new(),
                ..account()
            },
            NewStaff {
                scope: "5001".into(),
                ..account()
            },
            NewStaff {
                scope: "50011210x".into(),
                ..account()
            },
            NewStaff {
                department: Some("CQ-SCJG".into()),
                ..account()
            },
            NewStaff {
                role: StaffRole::Department,
                ..account()
            },
            NewStaff {
                role: StaffRole::Department,
                department: Some(" ".into()),
                ..account()
            },
        ];
        for b in bad {
            assert!(b.check().is_err(), "{b:?} should be refused");
        }
        let dept = NewStaff {
            role: StaffRole::Department,
            department: Some("CQ-SCJG".into()),
            scope: String::new(),
            ..account()
        };
        assert_eq!(dept.check(), Ok(()));
    }

    #[test]
    fn roles_round_trip_through_their_stored_form() {
        for r in StaffRole::ALL {
            assert_eq!(StaffRole::parse(r.as_str()), Some(r));
            assert!(!r.label().is_empty());
        }
        assert_eq!(StaffRole::parse("admin"), None);
    }
}
