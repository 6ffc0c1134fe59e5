//! The accounts of the console API (`/v1/console/*`): the grid command
//! centre (网格化指挥中心) that assigns tasks and watches their closed loop
//! ("发现问题 → 派发任务 → 联合执法 → 反馈", field-apps.md §5 item 9), and
//! the departments that read the findings of their own inspection items
//! from joint inspections (综合查一次).
//!
//! A staff account is not a device: it has no key and no outbox, only a
//! bearer token (random, stored as its SHA-256, shown once at creation,
//! valid until it expires or is revoked) and a scope — a township-code
//! prefix: '' the whole city, 6 digits a district, 9 digits a township.
//! Everything it reads or writes stays inside that scope, and a
//! department account reads its own department's findings only.
//!
//! Storage is the `staff` table of `inspection.sql`, written through the
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
}

impl StaffRole {
    /// The stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::CommandCentre => "command_centre",
            Self::Department => "department",
        }
    }

    /// Parses the stored form.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "command_centre" => Some(Self::CommandCentre),
            "department" => Some(Self::Department),
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
            (StaffRole::CommandCentre, Some(_)) => Err("指挥中心账号不属于某一部门".into()),
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
    /// Token expiry (RFC 3339).
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
        // The CHECK constraint of the table admits only the two roles.
        role: StaffRole::parse(&role).unwrap_or(StaffRole::Department),
        scope: r.get(3)?,
        department: r.get(4)?,
        expires_at: r.get(5)?,
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
    tx.exec(
        "INSERT INTO audit (at, actor, action, object) VALUES (?1, 'operator', 'staff.issue', ?2)",
        p![ts(now), s.id],
    )?;
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
    tx.exec(
        "INSERT INTO audit (at, actor, action, object) VALUES (?1, 'operator', 'staff.revoke', ?2)",
        p![ts(now), id],
    )?;
    Ok(n == 1)
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
        for r in [StaffRole::CommandCentre, StaffRole::Department] {
            assert_eq!(StaffRole::parse(r.as_str()), Some(r));
        }
        assert_eq!(StaffRole::parse("admin"), None);
    }
}
