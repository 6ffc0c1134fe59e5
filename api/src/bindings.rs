//! The TypeScript declarations of every request and response type and the
//! command map, written to `ui/src/bindings/api.ts`. The file is checked in;
//! the `bindings_are_fresh` test fails when it differs from what these
//! types generate (run it with `UPDATE_BINDINGS=1` to rewrite it).

use ts_rs::{Config, TS};

use crate::dto::*;

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
        CaseSummary, Deadline, Home, SearchReq, SearchHit, SearchResp, MatterReq, Range,
        ProvisionView, PenaltyView, LevelView, ExemptionView, MatterDetail, CheckIdReq, IdCheck,
        PartyInput, NewCaseReq, CaseReq, PartyFactsReq, EvidenceAddReq, AttachReq, PenaltyInput,
        SuggestReq, LevelOption, Suggestion, RightsReq, DecideReq, ServeReq, DocumentFile, SavedFile,
        PaymentQr, CaseView, TimelineView, EvidenceView, EvidenceListReq, EvidenceList,
        CaseListReq, CaseDetail, StreamState, SyncState, Settings, TownshipOption, SetTownshipReq,
        ScenarioView, InspStartReq, InspReq, InspResultReq, InspEvidenceReq, InspDecideReq, InspFinishReq,
        InspDocumentReq, InspectionSummary, OutcomeView, FindingView, InspectionView, TaskReq,
        TaskReportReq, TaskView,
    );
    out.push_str(&command_map(cfg));
    out
}
