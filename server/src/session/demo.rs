//! `zhifa-server serve --demo`'s console accounts: one per role for the
//! demo townships, each with a random password and TOTP secret, written
//! under `staff` in the data folder's `demo-enrolment.json` beside the
//! officers' enrolment codes, so a new user can sign in at once; and a
//! 法制审核 account of another district (綦江) to score the 渝北 files a
//! supervisor draws (交叉评查).

use serde::Serialize;

use crate::console::{NewStaff, StaffRole};
use crate::{Service, ServiceError, write_durably};

/// The sample township the demo officers OFF-LX-01/02 work in (龙兴镇).
const DEMO_TOWNSHIP: &str = "500112108";
/// Its district (渝北区).
const DEMO_DISTRICT: &str = "500112";

/// A demo console account's sign-in details.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DemoStaff {
    /// Login id.
    pub username: String,
    /// Its random password.
    pub password: String,
    /// Role (stored form).
    pub role: String,
    /// Township-code prefix it covers ('' the whole city).
    pub scope: String,
    /// The TOTP secret (base32) an authenticator app is given.
    pub totp_secret: String,
    /// The same as an otpauth:// URL (for a QR code).
    pub otpauth_url: String,
}

/// (login, display name, role, scope, department) of each demo account.
fn accounts() -> [(
    &'static str,
    &'static str,
    StaffRole,
    &'static str,
    Option<&'static str>,
); 7] {
    [
        (
            "demo-dispatcher",
            "龙兴镇综合行政执法指挥中心（样例）",
            StaffRole::CommandCentre,
            DEMO_TOWNSHIP,
            None,
        ),
        (
            "demo-department",
            "渝北区市场监管部门（样例）",
            StaffRole::Department,
            DEMO_DISTRICT,
            Some("CQ-SCJG"),
        ),
        (
            "demo-reviewer",
            "龙兴镇法制审核（样例）",
            StaffRole::LegalReview,
            DEMO_TOWNSHIP,
            None,
        ),
        (
            "demo-approver",
            "龙兴镇负责人（样例）",
            StaffRole::Approver,
            DEMO_TOWNSHIP,
            None,
        ),
        (
            "demo-supervisor",
            "渝北区司法局执法监督（样例）",
            StaffRole::Supervisor,
            DEMO_DISTRICT,
            None,
        ),
        (
            "demo-admin",
            "全市执法平台系统管理员（样例）",
            StaffRole::Administrator,
            // City-wide: the audit log names no township, so only a
            // city-wide administrator reads it.
            "",
            None,
        ),
        (
            // 交叉评查 (issue 18 item 2): a scorer from another district,
            // to whom the 渝北 supervisor may assign a drawn file.
            "demo-cross-reviewer",
            "綦江区法制审核（样例，交叉评查）",
            StaffRole::LegalReview,
            "500110",
            None,
        ),
    ]
}

impl Service {
    /// Creates (or resets) the demo console accounts and adds their
    /// sign-in details to `demo-enrolment.json` (after [`Service::demo`]).
    pub fn demo_staff(&self) -> Result<Vec<DemoStaff>, ServiceError> {
        let now = self.state.clock.now();
        let store = &self.state.store;
        let mut out = Vec::new();
        for (id, name, role, scope, department) in accounts() {
            let password = super::random_password()?;
            let secret = store.create_staff_account(
                &NewStaff {
                    id: id.into(),
                    name: name.into(),
                    role,
                    scope: scope.into(),
                    department: department.map(str::to_owned),
                },
                &password,
                now,
            )?;
            if role == StaffRole::LegalReview {
                // A demo 法律职业资格 number (Art. 58 ¶2), marked as one:
                // a real reviewer's is entered by the administrator.
                store.set_qualification(id, "演示-A0000000000000")?;
            }
            out.push(DemoStaff {
                username: id.into(),
                password,
                role: role.as_str().into(),
                scope: scope.into(),
                otpauth_url: super::totp::otpauth_url(&secret, id)?,
                totp_secret: secret,
            });
        }
        let path = self.data.join("demo-enrolment.json");
        let mut file: serde_json::Value = std::fs::read(&path)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .filter(serde_json::Value::is_object)
            .unwrap_or_else(|| serde_json::json!({}));
        file["staff"] =
            serde_json::to_value(&out).map_err(|e| ServiceError::Catalogue(e.to_string()))?;
        let json =
            serde_json::to_vec_pretty(&file).map_err(|e| ServiceError::Catalogue(e.to_string()))?;
        write_durably(&path, &json)?;
        Ok(out)
    }
}
