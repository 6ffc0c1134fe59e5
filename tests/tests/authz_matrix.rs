//! The authorization matrix (issue 13; docs/AUTHZ.md): every device and
//! console endpoint × actor × operation, on SQLite and PostgreSQL.
//!
//! [`MATRIX`] is the one table of expected outcomes: a row per operation,
//! a column per actor, `✔` where the operation must take effect for that
//! actor, `✘` where it must not, `—` where it does not apply. Every cell
//! is run against a server where the owner ("own", a device of
//! OFF-LX-01 in 500112108) holds a case with a stored and a missing
//! original, an upload in flight, a joint inspection and a task the
//! command centre assigned to its officer; the test fails on any cell whose
//! outcome differs — above all on any allowed cell the matrix does not
//! allow. docs/AUTHZ.md carries the same table, checked byte for byte by
//! [`the_docs_table_is_the_tested_table`], so the two cannot drift.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should abort loudly

mod authz_support;

use authz_support::*;
use zhifa_server::console::StaffRole;
use zhifa_sync::transport::Method;
use zhifa_tests::{Backend, NowUtc, TOWNSHIP, TestServer, on_both_backends};

/// The stand-in platform of the `platform.*` and `console.event*` rows.
const PLATFORM: &str = "cq12345";
/// Its shared secret.
const PLATFORM_SECRET: &[u8] = b"authz-matrix-12345-platform-secret-01";

/// The expected outcome of every (operation, actor) cell.
const MATRIX: &str = "\
| operation | own | colleague | other_township | other_district | supervisor | revoked | expired | tampered | cc_in | cc_out | dept_in | dept_out | lr_in | lr_out | staff_revoked | staff_tampered | ap_in | ap_out | sv_in | sv_out | ad_in | ad_out |
|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|
| `cases.list` | ✔ | ✔ | ✘ | ✘ | ✔ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ |
| `cases.missing_hashes` | ✔ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ |
| `inbox.read` | ✔ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ |
| `catalogue.latest` | ✔ | ✔ | ✔ | ✔ | ✔ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ |
| `push.case_create` | ✔ | ✔ | ✘ | ✘ | ✔ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ |
| `push.case_advance` | ✔ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ |
| `push.block_case_by_advance` | — | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ |
| `push.block_case_by_evidence` | — | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ |
| `push.inspection_start` | ✔ | ✔ | ✘ | ✘ | ✔ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ |
| `push.inspection_result` | ✔ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ |
| `push.task_create` | ✔ | ✔ | ✘ | ✘ | ✔ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ |
| `push.task_accept` | ✔ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ |
| `push.task_report` | ✔ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ |
| `leases.grant` | ✔ | ✔ | ✘ | ✘ | ✔ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ |
| `blobs.head` | ✔ | ✔ | ✘ | ✘ | ✔ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ |
| `uploads.create_stored` | ✔ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ |
| `uploads.create_in_flight` | ✔ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ |
| `uploads.get` | ✔ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ |
| `uploads.patch` | ✔ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ |
| `badge.ratings` | ✘ | ✘ | ✘ | ✘ | ✔ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ |
| `console.cases` | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✔ | ✘ | ✘ | ✘ | ✔ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ |
| `console.tasks` | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✔ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ |
| `console.findings` | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✔ | ✘ | ✔ | ✘ | ✔ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ |
| `console.task_assign` | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✔ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ |
| `console.review` | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✔ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ |
| `console.reassign` | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✔ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ |
| `console.records_cases` | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✔ | ✘ | ✘ | ✘ | ✔ | ✘ | ✘ | ✘ | ✔ | ✘ | ✔ | ✘ | ✔ | ✘ |
| `console.records_case` | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✔ | ✘ | ✘ | ✘ | ✔ | ✘ | ✘ | ✘ | ✔ | ✘ | ✔ | ✘ | ✔ | ✘ |
| `console.records_discretion` | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✔ | ✘ | ✘ | ✘ | ✔ | ✘ | ✔ | ✘ | ✘ | ✘ |
| `console.records_inspections` | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✔ | ✘ | ✔ | ✘ | ✔ | ✘ | ✘ | ✘ | ✔ | ✘ | ✔ | ✘ | ✔ | ✘ |
| `console.supervise_report` | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✔ | ✘ | ✘ | ✘ |
| `console.supervise_clues` | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✔ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✔ | ✘ | ✔ | ✘ | ✘ | ✘ |
| `console.supervise_step` | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✔ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✔ | ✘ | ✔ | ✘ | ✘ | ✘ |
| `console.supervise_deadlines` | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✔ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✔ | ✘ | ✔ | ✘ | ✘ | ✘ |
| `console.supervise_review` | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✔ | ✘ | ✘ | ✘ |
| `console.supervise_recheck` | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✔ | ✘ | ✘ | ✘ | ✘ | ✘ |
| `console.supervise_recheck_decision` | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✔ | ✘ | ✘ | ✘ |
| `console.supervise_draw` | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✔ | ✘ | ✘ | ✘ |
| `console.supervise_draws` | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✔ | ✘ | ✘ | ✘ |
| `console.supervise_sample_assign` | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✔ | ✘ | ✘ | ✘ |
| `console.supervise_scoring` | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✔ | ✘ | ✘ |
| `console.supervise_scoring_file` | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✔ | ✘ | ✘ |
| `console.supervise_score` | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✔ | ✘ | ✘ |
| `console.supervise_bulletin` | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✔ | ✘ | ✘ | ✘ |
| `console.audit` | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ |
| `console.admin_staff` | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✔ | ✘ |
| `console.admin_staff_revoke` | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✔ | ✘ |
| `console.admin_staff_sso` | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✔ | ✘ |
| `console.admin_devices` | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✔ | ✘ |
| `console.admin_device_revoke` | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✔ | ✘ |
| `console.adoption_townships` | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✔ | ✘ |
| `console.adoption_show` | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✔ | ✘ |
| `console.adoption_draft` | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✔ | ✘ |
| `console.adoption_publish` | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✔ | ✘ |
| `console.officers` | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✔ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✔ | ✘ |
| `console.procedure_cases` | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✔ | ✘ | ✘ | ✘ | ✔ | ✘ | ✘ | ✘ | ✔ | ✘ | ✔ | ✘ | ✔ | ✘ |
| `console.procedure_step` | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✔ | ✘ | ✘ | ✘ | ✘ | ✘ |
| `platform.events_post` | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ |
| `console.events` | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✔ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ |
| `console.event_read` | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✔ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ |
| `console.event_task` | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✔ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ |
| `console.event_case_source` | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✔ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ | ✘ |
";

/// Everything the cells act on.
struct World {
    server: TestServer,
    /// Device actors by column name (expired: a device whose tokens expired).
    devs: Vec<(String, Dev)>,
    /// Bearer tokens by column name (devices and console accounts).
    tokens: Vec<(String, String)>,
    case_id: String,
    version: i64,
    stored: Vec<u8>,
    in_flight: Vec<u8>,
    upload_id: String,
    upload_offset: usize,
    inspection_id: String,
    inspection_version: i64,
    task_id: String,
    /// A case of OFF-LX-01 whose full record the centre holds.
    record_case_id: String,
    /// An inspection of OFF-LX-01 whose full record the centre holds.
    record_inspection_id: String,
}

const DEVICE_ACTORS: [&str; 8] = [
    "own",
    "colleague",
    "other_township",
    "other_district",
    "supervisor",
    "revoked",
    "expired",
    "tampered",
];

impl World {
    async fn new(b: &Backend) -> Self {
        let server = TestServer::on(b);
        add_officer(&server, OTHER_TOWNSHIP_OFFICER, OTHER_TOWNSHIP);
        // A case of the owner's officer with its full content (another
        // device of OFF-LX-01), for the centre's record reads.
        let (record_case_id, record_inspection_id) = {
            let t = server.transport();
            let mut full = zhifa_tests::TestDevice::new();
            full.enrol(&t, &server.new_code(A_OFFICER)).await.unwrap();
            full.sync(&t).await.unwrap();
            let id = full.full_case().0.to_string();
            let insp = full
                .start_inspection("龙兴镇示例路18号", &["CJ-XXSC"], None)
                .id
                .to_string();
            assert_eq!(full.sync(&t).await.unwrap().rejected, 0);
            (id, insp)
        };
        let mut a = Dev::enrolled(&server, A_OFFICER).await;
        // The owner's case: a stored original and one still uploading.
        let case_id = uuid::Uuid::now_v7().to_string();
        a.applied(&server, "case", &case_id, "create", case_create(TOWNSHIP))
            .await;
        a.applied(&server, "case", &case_id, "advance", case_advance(2))
            .await;
        let stored = b"authz matrix: a stored original".to_vec();
        let in_flight = b"authz matrix: an original whose upload is still running".to_vec();
        for bytes in [&stored, &in_flight] {
            let ev = uuid::Uuid::now_v7().to_string();
            a.applied(
                &server,
                "evidence",
                &ev,
                "record",
                evidence_record(&case_id, &sha(bytes), bytes.len()),
            )
            .await;
        }
        assert_eq!(upload_all(&server, &a.token, &stored).await, 200);
        let (s, st) = upload_create(&server, &a.token, &sha(&in_flight), in_flight.len()).await;
        assert_eq!(s, 201, "{st}");
        let upload_id = st["upload_id"].as_str().unwrap().to_owned();
        let half = in_flight.len() / 2;
        let (s, _) = upload_patch(&server, &a.token, &upload_id, 0, &in_flight[..half]).await;
        assert_eq!(s, 200);
        let inspection_id = uuid::Uuid::now_v7().to_string();
        a.applied(
            &server,
            "inspection",
            &inspection_id,
            "start",
            inspection_start(TOWNSHIP),
        )
        .await;

        let colleague = Dev::enrolled(&server, COLLEAGUE_OFFICER).await;
        let other_township = Dev::enrolled(&server, OTHER_TOWNSHIP_OFFICER).await;
        let other_district = Dev::enrolled(&server, OTHER_DISTRICT_OFFICER).await;
        let supervisor = Dev::enrolled(&server, zhifa_server::DEMO_SUPERVISOR.0).await;
        let revoked = Dev::enrolled(&server, A_OFFICER).await;
        let now = server.clock.now_utc();
        let rid = revoked.id.clone();
        assert!(server.store(|s| s.revoke_device(&rid, now).unwrap()));
        let expired = Dev::enrolled(&server, A_OFFICER).await;
        expire_tokens(&server, &expired.id);

        let now0 = server.clock.now_utc();
        server.store(|s| {
            s.add_platform(
                &zhifa_server::platform::NewPlatform {
                    id: PLATFORM.into(),
                    name: "12345 热线（替身）".into(),
                    scope: String::new(),
                    reply_days: Default::default(),
                    secret: PLATFORM_SECRET.to_vec(),
                },
                now0,
            )
            .unwrap()
        });
        let cc_in = staff(&server, "cc-in", StaffRole::CommandCentre, "500112", None);
        let task_id = assign_task(&server, &cc_in, A_OFFICER).await;
        let staff_revoked = staff(&server, "cc-rev", StaffRole::CommandCentre, "500112", None);
        assert!(server.store(|s| s.revoke_staff("cc-rev", now).unwrap()));
        let mut tokens = vec![
            ("own".to_owned(), a.token.clone()),
            ("colleague".into(), colleague.token.clone()),
            ("other_township".into(), other_township.token.clone()),
            ("other_district".into(), other_district.token.clone()),
            ("supervisor".into(), supervisor.token.clone()),
            ("revoked".into(), revoked.token.clone()),
            ("expired".into(), expired.token.clone()),
            ("tampered".into(), tampered(&a.token)),
        ];
        tokens.extend([
            ("cc_in".to_owned(), cc_in.clone()),
            (
                "cc_out".into(),
                staff(&server, "cc-out", StaffRole::CommandCentre, "500110", None),
            ),
            (
                "dept_in".into(),
                staff(
                    &server,
                    "dept-in",
                    StaffRole::Department,
                    "500112",
                    Some(DEPARTMENT),
                ),
            ),
            (
                "dept_out".into(),
                staff(
                    &server,
                    "dept-out",
                    StaffRole::Department,
                    "500110",
                    Some(DEPARTMENT),
                ),
            ),
            (
                "lr_in".into(),
                staff(&server, "lr-in", StaffRole::LegalReview, TOWNSHIP, None),
            ),
            (
                "lr_out".into(),
                staff(&server, "lr-out", StaffRole::LegalReview, "500110106", None),
            ),
            ("staff_revoked".into(), staff_revoked),
            // The roles issue 17 adds: the record read API in scope only.
            (
                "ap_in".into(),
                staff(&server, "ap-in", StaffRole::Approver, TOWNSHIP, None),
            ),
            (
                "ap_out".into(),
                staff(&server, "ap-out", StaffRole::Approver, "500110106", None),
            ),
            (
                "sv_in".into(),
                staff(&server, "sv-in", StaffRole::Supervisor, "500112", None),
            ),
            (
                "sv_out".into(),
                staff(&server, "sv-out", StaffRole::Supervisor, "500110", None),
            ),
            (
                "ad_in".into(),
                staff(&server, "ad-in", StaffRole::Administrator, "500112", None),
            ),
            (
                "ad_out".into(),
                staff(&server, "ad-out", StaffRole::Administrator, "500110", None),
            ),
            ("staff_tampered".into(), tampered(&cc_in)),
        ]);
        let devs = vec![
            ("own".to_owned(), a),
            ("colleague".into(), colleague),
            ("other_township".into(), other_township),
            ("other_district".into(), other_district),
            ("supervisor".into(), supervisor),
            ("revoked".into(), revoked),
            ("expired".into(), expired),
        ];
        Self {
            server,
            devs,
            tokens,
            case_id,
            version: 2,
            stored,
            in_flight,
            upload_id,
            upload_offset: half,
            inspection_id,
            inspection_version: 1,
            task_id,
            record_case_id,
            record_inspection_id,
        }
    }

    fn token(&self, actor: &str) -> String {
        self.tokens
            .iter()
            .find(|(a, _)| a == actor)
            .unwrap_or_else(|| panic!("actor {actor}"))
            .1
            .clone()
    }

    /// Pushes one mutation as `actor` (with its bearer token).
    async fn push(
        &mut self,
        actor: &str,
        entity: &str,
        id: &str,
        op: &str,
        payload: serde_json::Value,
    ) -> bool {
        let token = self.token(actor);
        let r = signer(&mut self.devs, actor)
            .push_with(&self.server, &token, entity, id, op, payload)
            .await;
        is_applied(&r)
    }

    /// The owner's next step on its case; whether it was applied.
    async fn owner_steps(&mut self) -> bool {
        let (id, v) = (self.case_id.clone(), self.version + 1);
        let ok = self
            .push("own", "case", &id, "advance", case_advance(v))
            .await;
        if ok {
            self.version = v;
        }
        ok
    }

    async fn get(&self, actor: &str, path: &str) -> (u16, String) {
        let r = call(
            &self.server,
            req(Method::Get, path, Some(&self.token(actor)), vec![]),
        )
        .await;
        (r.status, String::from_utf8_lossy(&r.body).into_owned())
    }

    async fn post(&self, actor: &str, path: &str, body: serde_json::Value) -> (u16, String) {
        let r = call(
            &self.server,
            req(Method::Post, path, Some(&self.token(actor)), json(body)),
        )
        .await;
        (r.status, String::from_utf8_lossy(&r.body).into_owned())
    }

    /// A fresh 12345 complaint of 500112108's event body.
    fn platform_event_body(&self) -> serde_json::Value {
        serde_json::json!({
            "delivery_id": uuid::Uuid::now_v7().to_string(), "external_id": uuid::Uuid::now_v7().to_string(), "kind": "complaint",
            "place": "示例路18号", "township": TOWNSHIP, "description": "占道经营",
            "reporter": {"name": "王小明", "phone": "13812345678"}
        })
    }

    /// A fresh event of 500112108 posted by the stand-in 12345 platform;
    /// its id.
    async fn plant_event(&self) -> String {
        let body = json(self.platform_event_body());
        let ts = self.server.clock.now_utc().timestamp().to_string();
        let mut r = req(Method::Post, "/v1/platform/events", None, body.clone());
        r.headers.extend([
            ("x-zhifa-platform".to_owned(), PLATFORM.to_owned()),
            ("x-zhifa-timestamp".to_owned(), ts.clone()),
            (
                "x-zhifa-signature".to_owned(),
                zhifa_server::platform::sign(PLATFORM_SECRET, &ts, &body),
            ),
        ]);
        let r = call(&self.server, r).await;
        assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
        let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
        v["event_id"].as_str().unwrap().to_owned()
    }

    /// A fresh clue of 500112108 in `status` (a row as a report leaves it);
    /// its id.
    fn plant_clue(&self, status: &str) -> String {
        let id = uuid::Uuid::now_v7().to_string();
        self.server.db().rows(
            "INSERT INTO supervise_clue (clue_id, model, township, cases, reason, status, track, due_on,
                 found_at, last_seen_at, updated_at)
             VALUES (?1, 'single_officer', '500112108', '[]', '执法人员少于两人', ?2, ?2, '2026-12-31',
                 '2026-03-10T00:00:00.000Z', '2026-03-10T00:00:00.000Z', '2026-03-10T00:00:00.000Z')",
            &[&id, status],
        );
        id
    }

    /// A closed normal-procedure case of the sample township; its id.
    fn plant_closed_case(&self) -> String {
        let id = self.plant_procedure_case();
        let today = zhifa_core::procedure::beijing_date(self.server.clock.now_utc()).to_string();
        self.server.db().rows(
            "UPDATE procedure_case SET stage = 'closed', closed_on = ?2 WHERE case_id = ?1",
            &[&id, &today],
        );
        id
    }

    /// sv_in's draw of one fresh closed file of 500112108: the draw's id
    /// and the file's blind number.
    async fn plant_draw(&self) -> (String, String) {
        let id = self.plant_closed_case();
        let (s, body) = self
            .post(
                "sv_in",
                "/v1/console/supervise/draws",
                serde_json::json!({"township": TOWNSHIP, "from": "2020-01-01", "to": "2030-12-31",
                    "size": {"percent": 100}, "seed": "matrix"}),
            )
            .await;
        assert_eq!(s, 200, "the draw for the cell: {body}");
        let d: serde_json::Value = serde_json::from_str(&body).unwrap();
        let sample = d["samples"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["case_id"] == id.as_str())
            .unwrap()["sample_id"]
            .as_str()
            .unwrap()
            .to_owned();
        (d["draw_id"].as_str().unwrap().to_owned(), sample)
    }

    /// A drawn file of 500112108 assigned to sv-out; its blind number.
    async fn plant_assigned(&self) -> String {
        let (_, sample) = self.plant_draw().await;
        let path = format!("/v1/console/supervise/samples/{sample}/assign");
        let (s, _) = self
            .post("sv_in", &path, serde_json::json!({"scorer": "sv-out"}))
            .await;
        assert_eq!(s, 200, "the assignment for the cell");
        sample
    }

    /// A clue of 500112108 with a 监督意见书 issued now (open to 复查); its id.
    fn plant_opinion(&self) -> String {
        let id = self.plant_clue("general");
        let at = self
            .server
            .clock
            .now_utc()
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        self.server.db().rows(
            "INSERT INTO supervise_clue_event (clue_id, seq, at, actor, action, status, text)
             VALUES (?1, 1, ?2, 'staff:sv-in', 'general', 'general', NULL)",
            &[&id, &at],
        );
        id
    }

    /// A normal-procedure case of OFF-LX-01 in the sample township, as its
    /// 案源登记 leaves it (waiting for 立案).
    fn plant_procedure_case(&self) -> String {
        use zhifa_core::procedure::{Actor, EventKind, Origin, PartyKind, ProcedureEvent, Role};
        let id = uuid::Uuid::now_v7().to_string();
        let now = self.server.clock.now_utc();
        let event = ProcedureEvent::new(
            EventKind::RegisterSource {
                discovered_on: zhifa_core::procedure::beijing_date(now),
                source: "巡查".into(),
                party: PartyKind::Citizen,
            },
            Actor {
                id: "OFF-LX-01".into(),
                role: Role::Officer,
            },
            now,
            Origin::Device("planted".into()),
        );
        let details: zhifa_protocol::mutation::NormalCaseDetails = serde_json::from_value(serde_json::json!({
            "township": TOWNSHIP,
            "party": {"kind": "individual", "name": "李四", "id_number": "500112198001011234", "address": "龙兴镇"},
            "matter_code": "CG-001", "matter_name": "占道经营", "place": "龙兴镇", "facts": "占道经营",
            "violation_time": "2026-03-10T09:00:00",
            // Two 承办人 (Art. 42): the 立案审批表 names both.
            "officers": [{"id": "OFF-LX-01", "name": "王建国", "credential_no": "渝执01"},
                         {"id": "OFF-LX-02", "name": "刘晓燕", "credential_no": "渝执02"}],
            "authority": {"name": "龙兴镇人民政府", "short_name": "渝北龙兴",
                "reconsideration_body": "渝北区人民政府", "court": "渝北区人民法院",
                "payment_channel": "重庆市非税收入电子缴款平台"}
        }))
        .unwrap();
        self.server.store(|db| {
            db.write_as(|c| {
                zhifa_server::procedure::append(
                    c,
                    db.keeper(),
                    &id,
                    &event,
                    Some(zhifa_server::procedure::NewCase {
                        officer_id: "OFF-LX-01",
                        device_id: "planted",
                    }),
                    Some(&details),
                    now,
                )
            })
            .unwrap()
        });
        id
    }

    /// Runs one cell: whether the operation took effect for `actor`.
    async fn run(&mut self, op: &str, actor: &str) -> bool {
        let new_id = || uuid::Uuid::now_v7().to_string();
        match op {
            "cases.list" => {
                let (s, body) = self.get(actor, "/v1/cases").await;
                s == 200 && body.contains(&self.case_id)
            }
            "cases.missing_hashes" => {
                let (s, body) = self.get(actor, "/v1/cases").await;
                s == 200 && body.contains(&sha(&self.in_flight))
            }
            "inbox.read" => {
                let (s, body) = self.get(actor, "/v1/sync/inbox?cursor=0").await;
                s == 200 && body.contains(&self.task_id)
            }
            "catalogue.latest" => self.get(actor, "/v1/catalogue/latest").await.0 == 200,
            "push.case_create" => {
                self.push(actor, "case", &new_id(), "create", case_create(TOWNSHIP))
                    .await
            }
            "push.case_advance" => {
                let (id, v) = (self.case_id.clone(), self.version + 1);
                let ok = self
                    .push(actor, "case", &id, "advance", case_advance(v))
                    .await;
                if ok {
                    self.version = v;
                }
                ok
            }
            "push.block_case_by_advance" => {
                let id = self.case_id.clone();
                self.push(actor, "case", &id, "advance", case_advance(99))
                    .await;
                !self.owner_steps().await
            }
            "push.block_case_by_evidence" => {
                let id = self.case_id.clone();
                self.push(
                    actor,
                    "evidence",
                    &new_id(),
                    "record",
                    evidence_record(&id, "not-a-hash", 10),
                )
                .await;
                !self.owner_steps().await
            }
            "push.inspection_start" => {
                self.push(
                    actor,
                    "inspection",
                    &new_id(),
                    "start",
                    inspection_start(TOWNSHIP),
                )
                .await
            }
            "push.inspection_result" => {
                let (id, v) = (self.inspection_id.clone(), self.inspection_version + 1);
                let ok = self
                    .push(actor, "inspection", &id, "result", inspection_result(v))
                    .await;
                if ok {
                    self.inspection_version = v;
                }
                ok
            }
            "push.task_create" => {
                self.push(actor, "task", &new_id(), "create", task_create(TOWNSHIP))
                    .await
            }
            "push.task_accept" => {
                let id = self.task_id.clone();
                self.push(actor, "task", &id, "accept", task_accept()).await
            }
            "push.task_report" => {
                let id = self.task_id.clone();
                self.push(actor, "task", &id, "report", task_report()).await
            }
            "leases.grant" => {
                let body = serde_json::json!({"request_id": new_id(), "township": TOWNSHIP,
                    "series": "payment_code", "year": 2026, "count": 5});
                self.post(actor, "/v1/leases", body).await.0 == 200
            }
            "blobs.head" => {
                let path = format!("/v1/blobs/{}", sha(&self.stored));
                let r = call(
                    &self.server,
                    req(Method::Head, &path, Some(&self.token(actor)), vec![]),
                )
                .await;
                r.status == 200
            }
            "uploads.create_stored" => {
                let (s, st) = upload_create(
                    &self.server,
                    &self.token(actor),
                    &sha(&self.stored),
                    self.stored.len(),
                )
                .await;
                s == 200 && st["verified"] == true
            }
            "uploads.create_in_flight" => {
                let (_, st) = upload_create(
                    &self.server,
                    &self.token(actor),
                    &sha(&self.in_flight),
                    self.in_flight.len(),
                )
                .await;
                st["upload_id"] == self.upload_id.as_str()
            }
            "uploads.get" => {
                let path = format!("/v1/uploads/{}", self.upload_id);
                self.get(actor, &path).await.0 == 200
            }
            "uploads.patch" => {
                // An empty chunk at the current offset: no change, but
                // answered only to the upload's device.
                let (s, _) = upload_patch(
                    &self.server,
                    &self.token(actor),
                    &self.upload_id,
                    self.upload_offset,
                    &[],
                )
                .await;
                s == 200
            }
            "badge.ratings" => self.get(actor, "/v1/badge/ratings").await.0 == 200,
            "console.cases" => {
                let (s, body) = self.get(actor, "/v1/console/cases").await;
                s == 200 && body.contains(&self.case_id)
            }
            "console.tasks" => {
                let (s, body) = self.get(actor, "/v1/console/tasks").await;
                s == 200 && body.contains(&self.task_id)
            }
            "console.findings" => {
                let (s, body) = self.get(actor, "/v1/console/findings").await;
                s == 200 && body.contains(&self.inspection_id)
            }
            "console.task_assign" => {
                let body = serde_json::json!({"officer_id": A_OFFICER, "kind": "complaint",
                    "place": "示例路18号", "detail": "矩阵测试"});
                self.post(actor, "/v1/console/tasks", body).await.0 == 200
            }
            "console.review" => {
                let path = format!("/v1/console/cases/{}/review", self.case_id);
                let body = serde_json::json!({"result": "approved", "opinion": "同意"});
                self.post(actor, &path, body).await.0 == 200
            }
            "console.reassign" => {
                let path = format!("/v1/console/cases/{}/reassign", self.case_id);
                let body =
                    serde_json::json!({"officer_id": COLLEAGUE_OFFICER, "reason": "矩阵测试"});
                self.post(actor, &path, body).await.0 == 200
            }
            "console.records_cases" => {
                let (s, body) = self.get(actor, "/v1/console/records/cases").await;
                s == 200 && body.contains(&self.record_case_id)
            }
            "console.records_case" => {
                let path = format!("/v1/console/records/cases/{}", self.record_case_id);
                let (s, body) = self.get(actor, &path).await;
                s == 200 && body.contains(&self.record_case_id)
            }
            "console.records_discretion" => {
                let path = format!(
                    "/v1/console/records/cases/{}/discretion",
                    self.record_case_id
                );
                let (s, body) = self.get(actor, &path).await;
                s == 200 && body.contains(&self.record_case_id)
            }
            "console.records_inspections" => {
                let (s, body) = self.get(actor, "/v1/console/records/inspections").await;
                s == 200 && body.contains(&self.record_inspection_id)
            }
            "console.supervise_clues" => {
                let id = self.plant_clue("simple");
                let (s, body) = self.get(actor, "/v1/console/supervise/clues").await;
                s == 200 && body.contains(&id)
            }
            "console.supervise_step" => {
                let id = self.plant_clue("simple");
                let (action, text) = if actor.starts_with("sv_") {
                    ("general", "请限期整改")
                } else {
                    ("reply", "已整改")
                };
                let (s, _) = self
                    .post(
                        actor,
                        &format!("/v1/console/supervise/clues/{id}"),
                        serde_json::json!({"action": action, "text": text}),
                    )
                    .await;
                s == 200
            }
            "console.supervise_review" => {
                let id = self.plant_procedure_case();
                let path = format!("/v1/console/supervise/review/{id}");
                let (s, body) = self.get(actor, &path).await;
                s == 200 && body.contains(&id)
            }
            "console.supervise_recheck" => {
                let id = self.plant_opinion();
                let path = format!("/v1/console/supervise/clues/{id}/recheck");
                let (s, body) = self
                    .post(actor, &path, serde_json::json!({"reason": "不服监督意见"}))
                    .await;
                s == 200 && body.contains("\"recheck\":{")
            }
            "console.supervise_recheck_decision" => {
                let id = self.plant_opinion();
                let path = format!("/v1/console/supervise/clues/{id}/recheck");
                let (s, _) = self
                    .post(
                        "ap_in",
                        &path,
                        serde_json::json!({"reason": "不服监督意见"}),
                    )
                    .await;
                assert_eq!(s, 200, "the 复查 application for the cell");
                let (s, body) = self
                    .post(
                        actor,
                        &format!("{path}/decision"),
                        serde_json::json!({"outcome": "upheld", "reason": "监督意见并无不当"}),
                    )
                    .await;
                s == 200 && body.contains("\"outcome\":\"upheld\"")
            }
            "console.supervise_draw" => {
                let id = self.plant_closed_case();
                let (s, body) = self
                    .post(
                        actor,
                        "/v1/console/supervise/draws",
                        serde_json::json!({"township": TOWNSHIP, "from": "2020-01-01", "to": "2030-12-31",
                            "size": {"percent": 100}, "seed": "matrix"}),
                    )
                    .await;
                s == 200 && body.contains(&id)
            }
            "console.supervise_draws" => {
                let (draw, _) = self.plant_draw().await;
                let (s, body) = self.get(actor, "/v1/console/supervise/draws").await;
                s == 200 && body.contains(&draw)
            }
            "console.supervise_sample_assign" => {
                let (_, sample) = self.plant_draw().await;
                let path = format!("/v1/console/supervise/samples/{sample}/assign");
                let (s, _) = self
                    .post(actor, &path, serde_json::json!({"scorer": "sv-out"}))
                    .await;
                s == 200
            }
            "console.supervise_scoring" => {
                let sample = self.plant_assigned().await;
                let (s, body) = self.get(actor, "/v1/console/supervise/scoring").await;
                s == 200 && body.contains(&sample)
            }
            "console.supervise_scoring_file" => {
                let sample = self.plant_assigned().await;
                let path = format!("/v1/console/supervise/scoring/{sample}");
                let (s, body) = self.get(actor, &path).await;
                s == 200 && body.contains("\"human_items\"")
            }
            "console.supervise_score" => {
                let sample = self.plant_assigned().await;
                let path = format!("/v1/console/supervise/scoring/{sample}");
                let (s, file) = self.get("sv_out", &path).await;
                assert_eq!(s, 200, "the blind file for the cell");
                let file: serde_json::Value = serde_json::from_str(&file).unwrap();
                let vetoes: Vec<serde_json::Value> = file["human_items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|i| i["kind"] == "veto")
                    .map(|i| serde_json::json!({"id": i["id"], "passed": true}))
                    .collect();
                let (s, body) = self
                    .post(actor, &path, serde_json::json!({ "vetoes": vetoes }))
                    .await;
                s == 200 && body.contains("\"result\":{")
            }
            "console.supervise_bulletin" => {
                self.plant_draw().await;
                let (s, body) = self
                    .get(
                        actor,
                        "/v1/console/supervise/bulletin?from=2020-01-01&to=2030-12-31",
                    )
                    .await;
                s == 200 && body.contains("\"township\":\"500112108\"")
            }
            "console.supervise_deadlines" => {
                let id = self.plant_procedure_case();
                let (s, body) = self.get(actor, "/v1/console/supervise/deadlines").await;
                s == 200 && body.contains(&id)
            }
            "console.procedure_cases" => {
                let id = self.plant_procedure_case();
                let (s, body) = self.get(actor, "/v1/console/procedure/cases").await;
                s == 200 && body.contains(&id)
            }
            "console.procedure_step" => {
                let id = self.plant_procedure_case();
                let path = format!("/v1/console/procedure/cases/{id}/steps");
                let (s, _) = self
                    .post(actor, &path, serde_json::json!({"step": {"step": "file"}}))
                    .await;
                s == 200
            }
            "platform.events_post" => {
                // A console or device bearer token is no platform
                // signature: the webhook answers to its HMAC only.
                let body = self.platform_event_body();
                let mut r = req(
                    Method::Post,
                    "/v1/platform/events",
                    Some(&self.token(actor)),
                    json(body),
                );
                r.headers.push(("x-zhifa-platform".into(), PLATFORM.into()));
                call(&self.server, r).await.status == 200
            }
            "console.events" => {
                let id = self.plant_event().await;
                let (s, body) = self.get(actor, "/v1/console/events?limit=200").await;
                s == 200 && body.contains(&id)
            }
            "console.event_read" => {
                let id = self.plant_event().await;
                let (s, body) = self.get(actor, &format!("/v1/console/events/{id}")).await;
                s == 200 && body.contains("13812345678")
            }
            "console.event_task" => {
                let id = self.plant_event().await;
                let (s, _) = self
                    .post(
                        actor,
                        &format!("/v1/console/events/{id}/task"),
                        serde_json::json!({"officer_id": A_OFFICER, "kind": "complaint",
                            "place": "示例路18号", "detail": "12345 工单核查", "scenarios": []}),
                    )
                    .await;
                s == 200
            }
            "console.event_case_source" => {
                let id = self.plant_event().await;
                let (s, _) = self
                    .post(
                        actor,
                        &format!("/v1/console/events/{id}/case-source"),
                        serde_json::json!({"note": "转立案调查"}),
                    )
                    .await;
                s == 200
            }
            "console.adoption_townships" => {
                let (s, body) = self.get(actor, "/v1/console/admin/adoption").await;
                s == 200 && body.contains(&format!("\"{TOWNSHIP}\""))
            }
            "console.adoption_show" => {
                let (s, body) = self
                    .get(actor, &format!("/v1/console/admin/adoption/{TOWNSHIP}"))
                    .await;
                s == 200 && body.contains("\"matters\"")
            }
            "console.adoption_draft" => {
                let (release, matters) = adoption_toggle(&self.server, &self.token("ad_in")).await;
                let (s, body) = self
                    .post(
                        actor,
                        &format!("/v1/console/admin/adoption/{TOWNSHIP}/draft"),
                        serde_json::json!({"base_release": release, "matters": matters}),
                    )
                    .await;
                s == 200 && body.contains("\"changes\"")
            }
            "console.adoption_publish" => {
                // A draft with a change, saved by the administrator in scope.
                let (release, matters) = adoption_toggle(&self.server, &self.token("ad_in")).await;
                let (s, _) = self
                    .post(
                        "ad_in",
                        &format!("/v1/console/admin/adoption/{TOWNSHIP}/draft"),
                        serde_json::json!({"base_release": release, "matters": matters}),
                    )
                    .await;
                assert_eq!(s, 200);
                let (s, body) = self
                    .post(
                        actor,
                        &format!("/v1/console/admin/adoption/{TOWNSHIP}/publish"),
                        serde_json::json!({"base_release": release}),
                    )
                    .await;
                s == 200 && body.contains("\"release\"")
            }
            "console.officers" => {
                let (s, body) = self.get(actor, "/v1/console/officers").await;
                s == 200 && body.contains("\"OFF-LX-01\"")
            }
            "console.admin_staff" => {
                let (s, body) = self.get(actor, "/v1/console/admin/staff").await;
                s == 200 && body.contains("\"lr-in\"")
            }
            "console.admin_devices" => {
                let (s, body) = self.get(actor, "/v1/console/admin/devices").await;
                s == 200 && body.contains(&self.devs.iter().find(|(a, _)| a == "own").unwrap().1.id)
            }
            "console.admin_staff_revoke" => {
                let id = format!("tmp-{}", new_id());
                staff(&self.server, &id, StaffRole::CommandCentre, TOWNSHIP, None);
                let (s, body) = self
                    .post(
                        actor,
                        &format!("/v1/console/admin/staff/{id}/revoke"),
                        serde_json::json!({}),
                    )
                    .await;
                s == 200 && body.contains("true")
            }
            "console.admin_staff_sso" => {
                let id = format!("tmp-{}", new_id());
                staff(&self.server, &id, StaffRole::CommandCentre, TOWNSHIP, None);
                let (s, body) = self
                    .post(
                        actor,
                        &format!("/v1/console/admin/staff/{id}/sso"),
                        serde_json::json!({"issuer": "https://sso.example.gov.cn", "subject": format!("sub-{id}")}),
                    )
                    .await;
                s == 200 && body.contains(&format!("\"sub-{id}\""))
            }
            "console.admin_device_revoke" => {
                let d = Dev::enrolled(&self.server, "OFF-LX-01").await;
                let (s, body) = self
                    .post(
                        actor,
                        &format!("/v1/console/admin/devices/{}/revoke", d.id),
                        serde_json::json!({}),
                    )
                    .await;
                s == 200 && body.contains("true")
            }
            "console.audit" => {
                let (s, body) = self.get(actor, "/v1/console/audit?limit=200").await;
                s == 200 && body.contains("\"rows\"")
            }
            "console.supervise_report" => {
                let (s, body) = self
                    .get(
                        actor,
                        "/v1/console/supervise/report?from=2020-01-01&to=2030-12-31",
                    )
                    .await;
                s == 200 && body.contains("\"township\":\"500112108\"")
            }
            other => panic!("operation {other} has no runner"),
        }
    }
}

/// The device that signs an actor's pushes: its own; the owner's for the
/// tampered token; a fresh unenrolled identity for console accounts (their
/// token is refused before any signature matters).
fn signer<'a>(devs: &'a mut Vec<(String, Dev)>, actor: &str) -> &'a mut Dev {
    let name = if actor == "tampered" { "own" } else { actor };
    if !devs.iter().any(|(a, _)| a == name) {
        devs.push((name.to_owned(), Dev::new()));
    }
    &mut devs.iter_mut().find(|(a, _)| a == name).unwrap().1
}

async fn every_cell_of_the_matrix_holds(b: Backend) {
    let (actors, rows) = parse(MATRIX);
    assert_eq!(actors.len(), 22);
    assert!(actors.iter().take(8).eq(DEVICE_ACTORS.iter()));
    let mut w = World::new(&b).await;
    let mut wrong = Vec::new();
    for (op, cells) in &rows {
        for (actor, want) in actors.iter().zip(cells) {
            if *want == Cell::NotApplicable {
                continue;
            }
            let got = w.run(op, actor).await;
            let expected = *want == Cell::Allow;
            if got != expected {
                wrong.push(format!(
                    "{op} × {actor}: {} (matrix: {})",
                    if got { "ALLOWED" } else { "denied" },
                    if expected { "allow" } else { "deny" }
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} cell(s) differ from the matrix:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

on_both_backends!(every_cell_of_the_matrix_holds);

/// docs/AUTHZ.md shows the same table as [`MATRIX`], between its markers.
#[test]
fn the_docs_table_is_the_tested_table() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/AUTHZ.md"))
        .expect("docs/AUTHZ.md");
    let begin = "<!-- authz-matrix:begin (tests/tests/authz_matrix.rs) -->";
    let end = "<!-- authz-matrix:end -->";
    let from = doc.find(begin).expect("begin marker") + begin.len();
    let to = doc.find(end).expect("end marker");
    assert_eq!(
        doc[from..to].trim(),
        MATRIX.trim(),
        "docs/AUTHZ.md and tests/tests/authz_matrix.rs MATRIX differ: copy the test's table into the doc"
    );
    // And every operation has a runner and every row its 16 cells.
    let (actors, rows) = parse(MATRIX);
    assert_eq!(actors.len(), 22);
    assert_eq!(rows.len(), 62);
}
