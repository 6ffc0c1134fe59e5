//! Planting data straight through the server's modules, for tests and
//! benchmarks that need many cases without a device walking each one.

use chrono::{DateTime, Duration, Utc};
use zhifa_core::procedure::{
    Actor, EventKind, Origin, PartyKind, ProcedureEvent, Role, beijing_date,
};

use crate::{TOWNSHIP, TestServer};

/// What a planted normal-procedure case holds beyond 案源登记 and 立案.
#[derive(Debug, Clone, Copy)]
pub struct Normal<'a> {
    /// Its township.
    pub township: &'a str,
    /// Whether its details name the two sample officers (else none).
    pub officers: bool,
    /// Whether the 负责人 registered a 先行登记保存 an hour after 立案.
    pub save: bool,
}

/// A step of a planted case by the device `planted`.
pub fn event(kind: EventKind, id: &str, role: Role, at: DateTime<Utc>) -> ProcedureEvent {
    ProcedureEvent::new(
        kind,
        Actor {
            id: id.into(),
            role,
        },
        at,
        Origin::Device("planted".into()),
    )
}

/// A normal-procedure case opened at `at` (案源登记 by the first sample
/// officer, 立案 an hour later, and what `what` adds), through the
/// procedure module; its id.
pub fn normal(server: &TestServer, what: Normal<'_>, at: DateTime<Utc>) -> String {
    let id = uuid::Uuid::now_v7().to_string();
    let officers = if what.officers {
        serde_json::json!([{"id": "OFF-LX-01", "name": "王建国", "credential_no": "渝执01"},
                           {"id": "OFF-LX-02", "name": "刘晓燕", "credential_no": "渝执02"}])
    } else {
        serde_json::json!([])
    };
    let details: zhifa_protocol::mutation::NormalCaseDetails = serde_json::from_value(serde_json::json!({
        "township": what.township,
        "party": {"kind": "individual", "name": "李四", "id_number": "500112198001011234", "address": "龙兴镇"},
        "matter_code": "CG-001", "matter_name": "占道经营", "place": "龙兴镇", "facts": "占道经营",
        "violation_time": "2026-03-10T09:00:00",
        "officers": officers, "authority": {"name": "龙兴镇人民政府", "short_name": "渝北龙兴",
            "reconsideration_body": "渝北区人民政府", "court": "渝北区人民法院",
            "payment_channel": "重庆市非税收入电子缴款平台"}
    }))
    .unwrap();
    let mut steps = vec![
        event(
            EventKind::RegisterSource {
                discovered_on: beijing_date(at),
                source: "巡查".into(),
                party: PartyKind::Citizen,
            },
            "OFF-LX-01",
            Role::Officer,
            at,
        ),
        event(
            EventKind::File,
            "AP-1",
            Role::Leader,
            at + Duration::hours(1),
        ),
    ];
    if what.save {
        steps.push(event(
            EventKind::RegisterSave {
                items: "建筑材料一批".into(),
            },
            "AP-1",
            Role::Leader,
            at + Duration::hours(2),
        ));
    }
    server.store(|db| {
        db.write_as(|c| {
            for (k, e) in steps.iter().enumerate() {
                zhifa_server::procedure::append(
                    c,
                    db.keeper(),
                    &id,
                    e,
                    (k == 0).then_some(zhifa_server::procedure::NewCase {
                        officer_id: "OFF-LX-01",
                        device_id: "planted",
                    }),
                    (k == 0).then_some(&details),
                    at,
                )?;
            }
            Ok::<_, zhifa_server::procedure::CaseError>(())
        })
        .unwrap();
    });
    id
}

/// An open normal-procedure case of the sample township with one
/// 先行登记保存 (its clocks: the decision's and the 保存's); its id.
pub fn normal_case(server: &TestServer, at: DateTime<Utc>) -> String {
    normal(
        server,
        Normal {
            township: TOWNSHIP,
            officers: false,
            save: true,
        },
        at,
    )
}
