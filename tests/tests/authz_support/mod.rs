//! Shared by the authorization tests (`authz_matrix.rs`,
//! `authz_findings.rs`): raw devices that enrol and sign their own pushes
//! (so a test can make any mutation, including a hostile one), and plain
//! HTTP calls into the in-process router.

#![allow(dead_code, unreachable_pub, clippy::unwrap_used, clippy::expect_used)]

use ed25519_dalek::{Signer, SigningKey};
use zhifa_server::store::OfficerRow;
use zhifa_sync::sign::{enrol_bytes, payload_sha256, push_bytes};
use zhifa_sync::transport::{HttpRequest, HttpResponse, Method, Transport};
use zhifa_sync::wire::{MutationResult, PushRequest, PushResponse, TokenResponse, WireMutation};
use zhifa_tests::{NowUtc, TestServer};

/// A township of the sample district 500112 with no sample officer: the
/// "other township, same district" actor is enrolled there.
pub const OTHER_TOWNSHIP: &str = "500112999";
/// Its officer.
pub const OTHER_TOWNSHIP_OFFICER: &str = "OFF-AUTHZ-01";
/// An officer of another district (500110106, sample).
pub const OTHER_DISTRICT_OFFICER: &str = "OFF-DX-01";
/// Sample officers of township 500112108.
pub const A_OFFICER: &str = "OFF-LX-01";
/// A colleague of the same township.
pub const COLLEAGUE_OFFICER: &str = "OFF-LX-02";

/// An HTTP request with the protocol header and, when given, a bearer token.
pub fn req(method: Method, path: &str, token: Option<&str>, body: Vec<u8>) -> HttpRequest {
    let mut headers = vec![
        ("content-type".into(), "application/json".into()),
        ("sync-protocol".into(), "1".into()),
    ];
    if let Some(t) = token {
        headers.push(("authorization".into(), format!("Bearer {t}")));
    }
    HttpRequest {
        method,
        path: path.into(),
        headers,
        body,
    }
}

/// Sends a request to the server's router.
pub async fn call(server: &TestServer, r: HttpRequest) -> HttpResponse {
    server.transport().send(r).await.unwrap()
}

/// A JSON request body.
pub fn json(v: serde_json::Value) -> Vec<u8> {
    v.to_string().into_bytes()
}

/// Adds an officer (the operator's `officer add`).
pub fn add_officer(server: &TestServer, id: &str, township: &str) {
    let row = OfficerRow {
        id: id.into(),
        name: format!("{id} 测试"),
        township: township.into(),
        role: "officer".into(),
    };
    server.store(|s| s.upsert_officer(&row).unwrap());
}

/// A device that signs its own pushes.
pub struct Dev {
    /// Device id.
    pub id: String,
    /// Its key.
    pub key: SigningKey,
    /// Access token.
    pub token: String,
    /// Last seq the server acknowledged.
    pub seq: i64,
}

impl Dev {
    /// A new device identity, not enrolled.
    pub fn new() -> Self {
        Self {
            id: uuid::Uuid::now_v7().to_string(),
            key: SigningKey::from_bytes(&rand::random()),
            token: String::new(),
            seq: 0,
        }
    }

    /// Enrols a new device for `officer` with a fresh code.
    pub async fn enrolled(server: &TestServer, officer: &str) -> Self {
        let mut d = Self::new();
        let status = d.enrol(server, officer).await;
        assert_eq!(status, 200, "enrolment of {officer}");
        d
    }

    /// (Re-)enrols this device identity for `officer` with a fresh code;
    /// the status.
    pub async fn enrol(&mut self, server: &TestServer, officer: &str) -> u16 {
        let code = server.new_code(officer);
        let pk = hex::encode(self.key.verifying_key().as_bytes());
        let sig = hex::encode(self.key.sign(&enrol_bytes(&code, &self.id, &pk)).to_bytes());
        let body = serde_json::json!({"code": code, "device_id": self.id, "public_key": pk, "signature": sig});
        let r = call(server, req(Method::Post, "/v1/enrol", None, json(body))).await;
        if r.status == 200 {
            let tok: TokenResponse = serde_json::from_slice(&r.body).unwrap();
            self.token = tok.access_token;
        }
        r.status
    }

    /// The next mutation of this device (not yet pushed).
    pub fn mutation(
        &self,
        seq: i64,
        entity: &str,
        entity_id: &str,
        op: &str,
        payload: serde_json::Value,
    ) -> WireMutation {
        WireMutation {
            seq,
            mutation_id: uuid::Uuid::now_v7().to_string(),
            entity: entity.into(),
            entity_id: entity_id.into(),
            op: op.into(),
            payload_sha256: payload_sha256(&payload),
            payload,
            device_time: "2026-03-10T02:00:00.000Z".into(),
        }
    }

    /// Pushes one mutation with `token`; its result when the batch was
    /// taken (the seq then advances), else the HTTP status.
    pub async fn push_with(
        &mut self,
        server: &TestServer,
        token: &str,
        entity: &str,
        entity_id: &str,
        op: &str,
        payload: serde_json::Value,
    ) -> Result<MutationResult, u16> {
        let m = self.mutation(self.seq + 1, entity, entity_id, op, payload);
        let mut r = PushRequest {
            device_id: self.id.clone(),
            batch_id: uuid::Uuid::now_v7().to_string(),
            known_server_epoch: None,
            mutations: vec![m],
            signature: String::new(),
        };
        r.signature = hex::encode(self.key.sign(&push_bytes(&r)).to_bytes());
        let body = serde_json::to_vec(&r).unwrap();
        let resp = call(
            server,
            req(Method::Post, "/v1/sync/push", Some(token), body),
        )
        .await;
        if resp.status != 200 {
            return Err(resp.status);
        }
        let out: PushResponse = serde_json::from_slice(&resp.body).unwrap();
        self.seq = out.acked_through;
        Ok(out.results.into_iter().next().unwrap())
    }

    /// [`Dev::push_with`] with the device's own token.
    pub async fn push(
        &mut self,
        server: &TestServer,
        entity: &str,
        entity_id: &str,
        op: &str,
        payload: serde_json::Value,
    ) -> Result<MutationResult, u16> {
        let token = self.token.clone();
        self.push_with(server, &token, entity, entity_id, op, payload)
            .await
    }

    /// Pushes and expects `applied`.
    pub async fn applied(
        &mut self,
        server: &TestServer,
        entity: &str,
        entity_id: &str,
        op: &str,
        payload: serde_json::Value,
    ) {
        let r = self.push(server, entity, entity_id, op, payload).await;
        assert!(
            matches!(&r, Ok(m) if m.status == zhifa_sync::wire::MutationStatus::Applied),
            "{entity}/{op} {entity_id}: {r:?}"
        );
    }
}

/// The rejection code of a push result (`None` when applied).
pub fn rejected(r: &Result<MutationResult, u16>) -> Option<String> {
    match r {
        Ok(m) if m.status == zhifa_sync::wire::MutationStatus::Applied => None,
        Ok(m) => Some(m.code.clone().unwrap_or_default()),
        Err(s) => Some(format!("http {s}")),
    }
}

/// Whether a push result is `applied`.
pub fn is_applied(r: &Result<MutationResult, u16>) -> bool {
    rejected(r).is_none()
}

/// `case/create` in `township`.
pub fn case_create(township: &str) -> serde_json::Value {
    serde_json::json!({"event": {"township": township, "matter_code": "CG-001", "release_id": "CQ-SAMPLE-2025-07-R2",
        "violation_time": "2026-03-10T09:50:00", "officers": ["OFF-LX-01", "OFF-LX-02"]},
        "kind": "create", "from": null, "to": "draft", "version": 1})
}

/// A plain `case/advance` to `version`.
pub fn case_advance(version: i64) -> serde_json::Value {
    serde_json::json!({"event": {"event": "record_party_and_facts"}, "kind": "record_party_and_facts",
        "from": "draft", "to": "party_and_facts", "version": version})
}

/// `evidence/record` of `sha256` (`size` bytes) for `case_id`.
pub fn evidence_record(case_id: &str, sha256: &str, size: usize) -> serde_json::Value {
    serde_json::json!({"case_id": case_id, "sha256": sha256, "size": size, "media_type": "image/jpeg",
        "record_hash": "00", "signature": "00"})
}

/// The department of the inspection items these tests make.
pub const DEPARTMENT: &str = "CQ-SCJG";

/// `inspection/start` in `township` with one item of [`DEPARTMENT`].
pub fn inspection_start(township: &str) -> serde_json::Value {
    serde_json::json!({"township": township, "place": "示例路18号", "party_name": "示例商户",
        "started_at": "2026-03-10T10:00:00+08:00", "version": 1, "scenarios": ["CJ-XXSC"],
        "items": [{"item": "ITEM-1", "department": DEPARTMENT, "department_name": "市场监管", "subject": "证照公示"}]})
}

/// `inspection/result` of the item of [`inspection_start`].
pub fn inspection_result(version: i64) -> serde_json::Value {
    serde_json::json!({"item": "ITEM-1", "verdict": "pass", "version": version})
}

/// `task/create` in `township`.
pub fn task_create(township: &str) -> serde_json::Value {
    serde_json::json!({"kind": "follow_up", "township": township, "place": "示例路18号", "detail": "复查"})
}

/// `task/accept`.
pub fn task_accept() -> serde_json::Value {
    serde_json::json!({"accepted_at": "2026-03-10T10:00:00+08:00"})
}

/// `task/report`.
pub fn task_report() -> serde_json::Value {
    serde_json::json!({"done_at": "2026-03-10T11:00:00+08:00", "report": {"note": "已整改"}})
}

/// A console account's token.
pub fn staff(
    server: &TestServer,
    id: &str,
    role: zhifa_server::console::StaffRole,
    scope: &str,
    department: Option<&str>,
) -> String {
    server.staff(id, role, scope, department)
}

/// Assigns a task to `officer` through the console; the task id.
pub async fn assign_task(server: &TestServer, cc_token: &str, officer: &str) -> String {
    let (status, body) = server
        .console(
            Method::Post,
            "/v1/console/tasks",
            cc_token,
            Some(serde_json::json!({"officer_id": officer, "kind": "complaint", "place": "示例路18号",
                "detail": "群众投诉占道经营"})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    body["task_id"].as_str().unwrap().to_owned()
}

/// Hex SHA-256 of bytes.
pub fn sha(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// `POST /v1/uploads`; the status and the answer.
pub async fn upload_create(
    server: &TestServer,
    token: &str,
    sha256: &str,
    size: usize,
) -> (u16, serde_json::Value) {
    let body = serde_json::json!({"sha256": sha256, "size": size, "media_type": "image/jpeg"});
    let r = call(
        server,
        req(Method::Post, "/v1/uploads", Some(token), json(body)),
    )
    .await;
    (
        r.status,
        serde_json::from_slice(&r.body).unwrap_or(serde_json::Value::Null),
    )
}

/// `PATCH /v1/uploads/{id}` of `chunk` at `offset`; the status and answer.
pub async fn upload_patch(
    server: &TestServer,
    token: &str,
    id: &str,
    offset: usize,
    chunk: &[u8],
) -> (u16, serde_json::Value) {
    use base64::Engine as _;
    use sha2::Digest;
    let mut r = req(
        Method::Patch,
        &format!("/v1/uploads/{id}"),
        Some(token),
        chunk.to_vec(),
    );
    r.headers[0].1 = "application/offset+octet-stream".into();
    r.headers
        .push((zhifa_sync::wire::UPLOAD_OFFSET.into(), offset.to_string()));
    r.headers.push((
        zhifa_sync::wire::UPLOAD_CHECKSUM.into(),
        format!(
            "sha256 {}",
            base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(chunk))
        ),
    ));
    let resp = call(server, r).await;
    (
        resp.status,
        serde_json::from_slice(&resp.body).unwrap_or(serde_json::Value::Null),
    )
}

/// Uploads `bytes` whole (one chunk) as `token`'s device; the final status.
pub async fn upload_all(server: &TestServer, token: &str, bytes: &[u8]) -> u16 {
    let (s, st) = upload_create(server, token, &sha(bytes), bytes.len()).await;
    assert!(s == 200 || s == 201, "{s} {st}");
    if st["verified"] == true {
        return 200;
    }
    upload_patch(server, token, st["upload_id"].as_str().unwrap(), 0, bytes)
        .await
        .0
}

/// Moves every access token of a device into the past.
pub fn expire_tokens(server: &TestServer, device_id: &str) {
    let past = (server.clock.now_utc() - chrono::Duration::hours(2))
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    server.db().rows(
        "UPDATE token SET expires_at = ?1 WHERE device_id = ?2 RETURNING device_id",
        &[&past, device_id],
    );
}

/// A token with one character changed.
pub fn tampered(token: &str) -> String {
    let mut b = token.as_bytes().to_vec();
    let i = b.len() / 2;
    b[i] = if b[i] == b'A' { b'B' } else { b'A' };
    String::from_utf8(b).unwrap()
}

/// One parsed cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cell {
    Allow,
    Deny,
    NotApplicable,
}

/// The matrix as (actors, rows of (operation, cells)).
pub fn parse(table: &str) -> (Vec<String>, Vec<(String, Vec<Cell>)>) {
    let mut lines = table.lines().filter(|l| l.starts_with('|'));
    let split = |l: &str| -> Vec<String> {
        l.trim()
            .trim_matches('|')
            .split('|')
            .map(|c| c.trim().to_owned())
            .collect()
    };
    let head = split(lines.next().expect("header"));
    let actors = head[1..].to_vec();
    let _rule = lines.next();
    let rows = lines
        .map(|l| {
            let cells = split(l);
            assert_eq!(cells.len(), head.len(), "row {l}");
            let op = cells[0].trim_matches('`').to_owned();
            let cells = cells[1..]
                .iter()
                .map(|c| match c.as_str() {
                    "✔" => Cell::Allow,
                    "✘" => Cell::Deny,
                    "—" => Cell::NotApplicable,
                    other => panic!("cell {other:?} in {op}"),
                })
                .collect();
            (op, cells)
        })
        .collect();
    (actors, rows)
}

/// The latest release and township 500112108's published optional
/// matters with one more, read as the administrator `token`: a draft that
/// changes something (the adoption rows of the matrix).
pub async fn adoption_toggle(server: &TestServer, token: &str) -> (String, Vec<String>) {
    let (s, v) = server
        .console(
            Method::Get,
            &format!("/v1/console/admin/adoption/{}", zhifa_tests::TOWNSHIP),
            token,
            None,
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let optional = v["matters"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["kind"] == "empowered_optional");
    let mut ticked: Vec<String> = optional
        .clone()
        .filter(|m| m["published"] == true)
        .map(|m| m["code"].as_str().unwrap().to_owned())
        .collect();
    let more = optional
        .clone()
        .find(|m| m["published"] == false)
        .expect("an optional matter left to adopt");
    ticked.push(more["code"].as_str().unwrap().to_owned());
    (v["release_id"].as_str().unwrap().to_owned(), ticked)
}
