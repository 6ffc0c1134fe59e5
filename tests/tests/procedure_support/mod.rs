//! Shared by the normal-procedure tests (`procedure_*.rs`): a case's
//! details, the officer's and the centre's steps, the walk from
//! 案源登记 to 送达, reading a held document or the 公示, and the officer's
//! steps through the device's own path (`open_case`, `step`).

#![allow(dead_code, unreachable_pub, clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde_json::{Value, json};
use zhifa_core::case::archive::ArchiveError;
use zhifa_core::case::normal::{self, NewCaseInput};
use zhifa_core::case::normal_docs::{self, FieldRecord};
use zhifa_core::procedure::{
    Actor, CaseFlags, EventKind, Origin, Outcome, PartyKind, Penalty, ProcedureEvent, Role,
    beijing_date,
};
use zhifa_protocol::mutation::{AuthorityDetails, NormalCaseDetails, ProcedureStep};
use zhifa_protocol::record::{OfficerRecord, PartyRecord};
use zhifa_sync::transport::Method;
use zhifa_tests::{DeviceNow, OFFICERS, TestDevice, TestServer};

pub fn details(township: &str) -> NormalCaseDetails {
    NormalCaseDetails {
        township: township.into(),
        party: PartyRecord {
            kind: "individual".into(),
            name: "李四光".into(),
            id_number: "500112198001011234".into(),
            phone: Some("13800000001".into()),
            address: "重庆市渝北区龙兴镇和平街2号".into(),
            representative: None,
            id_kind: None,
            nationality: None,
            birth_date: None,
            no_document_reason: None,
            photo_evidence: None,
        },
        matter_code: "CG-001".into(),
        matter_name: "占道经营".into(),
        place: "龙兴镇和平街".into(),
        violation_time: NaiveDate::from_ymd_opt(2026, 3, 10)
            .unwrap()
            .and_hms_opt(9, 30, 0)
            .unwrap(),
        facts: "当事人在和平街占道堆放建筑材料约30平方米".into(),
        officers: OFFICERS
            .iter()
            .map(|o| OfficerRecord {
                id: (*o).into(),
                name: format!("{o} 姓名"),
                credential_no: format!("渝执{o}"),
            })
            .collect(),
        converted_from: None,
        authority: AuthorityDetails {
            name: "重庆市渝北区龙兴镇人民政府".into(),
            short_name: "渝北龙兴".into(),
            reconsideration_body: "重庆市渝北区人民政府".into(),
            court: "重庆市渝北区人民法院".into(),
            payment_channel: "重庆市非税收入电子缴款平台".into(),
        },
    }
}

pub fn set_time(server: &TestServer, dev: &TestDevice, at: DateTime<Utc>) {
    let now = zhifa_server::clock::Clock::now(&*server.clock);
    server.clock.advance(at - now);
    dev.clock.advance(at - dev.clock.now_utc());
}

/// The officer's step, a second after the last one (an officer's act
/// follows what the device holds, as `zhifa_core::case::normal::check`
/// stamps it), queued and synced; the centre accepts it.
pub async fn officer_step(
    server: &TestServer,
    dev: &mut TestDevice,
    case: &str,
    kind: EventKind,
    with_details: Option<NormalCaseDetails>,
) {
    dev.clock.advance(chrono::Duration::seconds(1));
    let r = push_officer_step(server, dev, case, kind, with_details).await;
    assert_eq!(r.rejected, 0, "{r:?}");
}

/// The officer records `kind` on the device at the device's time and
/// syncs; the sync report, whatever the centre said.
pub async fn push_officer_step(
    server: &TestServer,
    dev: &mut TestDevice,
    case: &str,
    kind: EventKind,
    with_details: Option<NormalCaseDetails>,
) -> zhifa_sync::engine::SyncReport {
    let event = ProcedureEvent::new(
        kind,
        Actor {
            id: OFFICERS[0].into(),
            role: Role::Officer,
        },
        dev.clock.now_utc(),
        Origin::Device(dev.id()),
    );
    let step = ProcedureStep {
        schema: 2,
        event,
        details: with_details.map(Box::new),
    };
    zhifa_core::case::normal::queue_step(&dev.store, case, &step, dev.clock.now_utc()).unwrap();
    dev.sync(&server.transport()).await.unwrap()
}

/// The centre's step through the console API; it is accepted.
pub async fn centre_step(server: &TestServer, token: &str, case: &str, step: Value) -> Value {
    let (s, v) = try_centre_step(server, token, case, step.clone()).await;
    assert_eq!(s, 200, "{step}: {v}");
    v
}

/// The centre's step through the console API: status and answer.
pub async fn try_centre_step(
    server: &TestServer,
    token: &str,
    case: &str,
    step: Value,
) -> (u16, Value) {
    server
        .console(
            Method::Post,
            &format!("/v1/console/procedure/cases/{case}/steps"),
            token,
            Some(json!({ "step": step })),
        )
        .await
}

/// 调查取证 (a 询问笔录) and 调查终结 proposing a fine of `fine` fen with
/// `flags`, each an officer's step synced to the centre.
pub async fn investigate_and_propose(
    server: &TestServer,
    dev: &mut TestDevice,
    case: &str,
    fine: i64,
    flags: CaseFlags,
) {
    officer_step(
        server,
        dev,
        case,
        EventKind::Investigate {
            act: "询问笔录".into(),
            officers: officers(),
            document: None,
        },
        None,
    )
    .await;
    officer_step(
        server,
        dev,
        case,
        EventKind::EndInvestigation {
            proposal: Outcome::Penalty {
                penalty: Penalty::fine(fine),
            },
            flags,
        },
        None,
    )
    .await;
}

/// 法制审核 passed by `reviewer`, then the 负责人 `approver` approves the
/// proposal.
pub async fn review_and_approve(server: &TestServer, reviewer: &str, approver: &str, case: &str) {
    centre_step(
        server,
        reviewer,
        case,
        json!({"step": "review_case", "passed": true, "opinion": "事实清楚"}),
    )
    .await;
    centre_step(server, approver, case, json!({"step": "approve_proposal"})).await;
}

/// The document of `kind` the case view lists, its bytes checked against
/// its hash, and its text (whitespace removed: a line may wrap).
pub async fn held(server: &TestServer, token: &str, case: &str, v: &Value, kind: &str) -> String {
    let doc = v["documents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["kind"] == kind)
        .unwrap_or_else(|| panic!("the case holds its {kind}: {}", v["documents"]))
        .clone();
    let sha = doc["sha256"].as_str().unwrap();
    let (s, pdf) = server
        .console_bytes(
            &format!("/v1/console/records/cases/{case}/files/{sha}"),
            token,
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(zhifa_tests::sha256_hex(&pdf), sha, "held by its hash");
    assert!(
        kind == "dossier" || doc["document_hash"].as_str().is_some_and(|h| h.len() == 64),
        "{doc}"
    );
    let text: String = zhifa_tests::pdf_text(&pdf).split_whitespace().collect();
    assert!(
        kind == "dossier" || text.contains(doc["title"].as_str().unwrap()),
        "{kind} reads with pdftotext: {text}"
    );
    text
}

/// From 案源登记 to 送达 for a fine of `fine_fen` (no Art. 57 ¶2 or 58
/// ground, the party waiving): the decision's number. The clocks start at
/// [`zhifa_tests::t0`] and end 3 hours on.
pub async fn walk_to_served(
    server: &TestServer,
    dev: &mut TestDevice,
    [approver, reviewer]: [&str; 2],
    case: &str,
    fine: i64,
) -> String {
    let start = zhifa_tests::t0();
    let township = dev.township.clone();
    officer_step(
        server,
        dev,
        case,
        EventKind::RegisterSource {
            discovered_on: beijing_date(start),
            source: "巡查".into(),
            party: PartyKind::Citizen,
        },
        Some(details(&township)),
    )
    .await;
    set_time(server, dev, start + Duration::hours(1));
    centre_step(server, approver, case, json!({"step": "file"})).await;
    investigate_and_propose(server, dev, case, fine, CaseFlags::default()).await;
    set_time(server, dev, start + Duration::hours(2));
    review_and_approve(server, reviewer, approver, case).await;
    officer_step(
        server,
        dev,
        case,
        EventKind::Inform {
            penalty: Penalty::fine(fine),
            facts: "占道堆放建筑材料".into(),
            reasons: "违反城市道路管理条例".into(),
            basis: vec!["《城市道路管理条例》第二十七条".into()],
            hearing_offered: false,
            officers: officers(),
        },
        None,
    )
    .await;
    officer_step(
        server,
        dev,
        case,
        EventKind::Waive {
            statement: true,
            hearing: true,
        },
        None,
    )
    .await;
    set_time(server, dev, start + Duration::hours(3));
    let v = centre_step(
        server,
        approver,
        case,
        json!({"step": "decide", "outcome": {"outcome": "penalty", "penalty": {"kinds": ["fine"], "fine_fen": fine}}, "number": ""}),
    )
    .await;
    let number = v["summary"]["decision_number"].as_str().unwrap().to_owned();
    officer_step(
        server,
        dev,
        case,
        EventKind::Serve {
            method: zhifa_core::procedure::ServiceMethod::Direct,
            officers: officers(),
        },
        None,
    )
    .await;
    number
}

/// The 公示 as JSON and as a page.
pub async fn listed(server: &TestServer) -> (String, String) {
    let (s, json) = server
        .console(Method::Get, "/v1/public/decisions", "", None)
        .await;
    assert_eq!(s, 200, "{json}");
    let (s, page) = server.console_bytes("/public/decisions", "").await;
    assert_eq!(s, 200);
    (json.to_string(), String::from_utf8(page).unwrap())
}

/// `¥1234.56`.
pub fn figures(fen: i64) -> String {
    format!("¥{}.{:02}", fen / 100, fen % 100)
}

pub fn officers() -> Vec<String> {
    OFFICERS.iter().map(|o| (*o).to_owned()).collect()
}

/// 案源登记 on `dev` of case `case` for the party `name` living at `address`,
/// with its details from the device's catalogue and officer list, at `at`;
/// returns the details.
pub fn open_case(
    dev: &TestDevice,
    case: &str,
    name: &str,
    address: &str,
    facts: &str,
    at: DateTime<Utc>,
) -> NormalCaseDetails {
    let today = beijing_date(at);
    let details = normal::details(
        &dev.store,
        NewCaseInput {
            township: dev.township.clone(),
            matter_code: "CG-001".into(),
            party: PartyRecord {
                kind: "individual".into(),
                name: name.into(),
                id_number: "500112198001011234".into(),
                phone: Some("13800000000".into()),
                address: address.into(),
                representative: None,
                id_kind: None,
                nationality: None,
                birth_date: None,
                no_document_reason: None,
                photo_evidence: None,
            },
            place: "龙兴镇和平街".into(),
            violation_time: normal::beijing_minute(at - Duration::hours(1)),
            facts: facts.into(),
            officers: [OFFICERS[0].into(), OFFICERS[1].into()],
            converted_from: None,
        },
        today,
    )
    .unwrap();
    normal::record(
        &dev.store,
        case,
        EventKind::RegisterSource {
            discovered_on: today,
            source: "巡查".into(),
            party: PartyKind::Citizen,
        },
        None,
        Some(details.clone()),
        at,
    )
    .unwrap();
    details
}

/// The officer records `kind` with `record` on the device.
pub fn step(
    dev: &mut TestDevice,
    case: &str,
    kind: EventKind,
    record: Option<FieldRecord>,
) -> Result<normal_docs::Recorded, ArchiveError> {
    let dir = dev.dir.path().join("documents");
    let now = dev.clock.now_utc();
    normal_docs::record_with_documents(&mut dev.store, &dir, case, kind, record, None, now)
}
