//! The TypeScript declarations of every request and response type and the
//! command map, written to `ui/src/bindings/api.ts`. The file is checked in;
//! the `bindings_are_fresh` test fails when it differs from what these
//! types generate (run it with `UPDATE_BINDINGS=1` to rewrite it).

use ts_rs::{Config, TS};

use crate::dto::*;
use crate::dto_no_penalty::*;
use crate::dto_normal::*;
use crate::identity::*;

macro_rules! decls {
    ($cfg:ident, $out:ident; $($t:ty),* $(,)?) => {
        $(
            $out.push_str("export ");
            $out.push_str(&<$t as TS>::decl($cfg));
            $out.push_str("\n\n");
        )*
    };
}

macro_rules! command_map {
    ($(($name:ident, $req:ty, $resp:ty)),* $(,)?) => {
        fn command_map(cfg: &Config) -> String {
            let mut s = String::from(
                "/** Every command: its request and response types. */\nexport interface Commands {\n",
            );
            $(
                s.push_str(&format!(
                    "  {}: {{ req: {}; resp: {} }};\n",
                    stringify!($name),
                    <$req as TS>::name(cfg),
                    <$resp as TS>::name(cfg)
                ));
            )*
            s.push_str("}\n\n/** Every command's name. */\nexport const COMMANDS = [\n");
            $( s.push_str(&format!("  '{}',\n", stringify!($name))); )*
            s.push_str("] as const;\n");
            s
        }
    };
}

crate::for_each_command!(command_map);

/// The whole `ui/src/bindings/api.ts`.
pub fn typescript() -> String {
    let cfg = &Config::new().with_large_int("number");
    let mut out = String::from(
        "// Generated from the Rust types in api/src/dto.rs by ts-rs. Do not edit:\n\
         // run `UPDATE_BINDINGS=1 cargo test -p zhifa-api --test bindings`.\n\
         /* eslint-disable */\n\n",
    );
    decls!(cfg, out;
        Empty, ApiErrorBody, OfficerBrief, AppState, ReleaseBrief, SignInReq, ChangePinReq,
        CaseSummary, Deadline, Home, SearchReq, SearchHit, SearchResp, OutsideHit, MatterReq, Range,
        ProvisionView, PenaltyView, LevelView, ExemptionView, MatterDetail, CheckIdReq, IdCheck,
        IdentityReadReq, ReadField, ReadNote, IdentityRead,
        PartyInput, NewCaseReq, CaseReq, PartyFactsReq, EvidenceAddReq, AttachReq, PenaltyInput,
        SuggestReq, LevelOption, BandView, Suggestion, InformReq, StatementReq, DecideReq, ServeReq, DocumentFile, SavedFile,
        PaymentQr, TicketReq, TicketView, OfficerSignView, OfficerSignReq, CasePrintReq, InspPrintReq, CaseView, TimelineView, EvidenceView, EvidenceListReq, EvidenceList,
        CaseListReq, CaseDetail, ServerNote, StreamState, SyncState, Settings, TownshipOption, SetTownshipReq,
        SyncErrorView, EnrolmentView, SyncEnrolReq, SyncNowReq, SyncNetworkReq, StreamProgress,
        SyncReportView, SyncLive, RecordCounts, SyncStatus, SyncRecordsReq, SyncRecordView,
        ConflictView, ResolveConflictReq,
        ScenarioView, InspStartReq, InspReq, InspResultReq, InspEvidenceReq, InspDecideReq, InspFinishReq,
        InspDocumentReq, InspectionSummary, OutcomeView, FindingView, InspectionView, BadgeView, TaskReq,
        TaskReportReq, TaskView, VoidReq, DraftSaveReq, DraftView,
        NormalReq, NormalNewReq, NormalFromCaseReq, OfficerStep, NormalStepReq, NormalStepView,
        NormalClockView, NormalView, NormalSummary, SignatureInput, QaInput, OfficerRecordInput,
        NormalDocView, PreservedItemInput,
        NoPenaltyOptionsReq, NoPenaltyCondition, NoPenaltyGround, NoPenaltyOptions, NoPenaltyReq,
        NoPenaltyView,
    );
    out.push_str(&command_map(cfg));
    out.push_str(&sync_codes());
    out
}

/// The sync protocol's stable codes (`zhifa_protocol::error`), so the UI's
/// plain-words table is checked against them (ui/tests/sync.test.ts).
fn sync_codes() -> String {
    let list = |codes: &mut dyn Iterator<Item = &str>| {
        codes.map(|c| format!("  '{c}',\n")).collect::<String>()
    };
    format!(
        "\n/** Request-level error codes of the sync protocol (protocol/src/error.rs `ErrorKind`). */\n\
         export const SYNC_ERROR_KINDS = [\n{}] as const;\n\n\
         /** Codes of mutations the server rejected (protocol/src/error.rs `RejectCode`). */\n\
         export const SYNC_REJECT_CODES = [\n{}] as const;\n",
        list(&mut zhifa_sync::ErrorKind::ALL.iter().map(|k| k.code())),
        list(&mut zhifa_sync::error::RejectCode::ALL.iter().map(|c| c.code())),
    )
}
