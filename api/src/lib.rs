//! The app's command layer: one typed request and response per screen
//! action, shared by both shells — the Tauri app (`src-tauri`, over IPC)
//! and `zhifa web` (the CLI's HTTP adapter). It knows neither: an [`App`]
//! owns the open device store, the device identity and the signed-in
//! session, and [`App::dispatch`] runs a command by name on JSON, so both
//! adapters stay one-liners and a test drives exactly what the screens do.
//!
//! Like the core it reads no hidden clock: the clock is a field (the real
//! one by default), so tests run the screens' flow on a fixed day. Errors
//! are [`ApiError`] with stable codes; they cross to the UI as
//! `{code, message}` with the message in Chinese.

pub mod bindings;
mod drafts;
pub mod dto;
pub mod dto_no_penalty;
pub mod dto_normal;
mod error;
pub mod identity;
mod inspection;
mod no_penalty;
pub use no_penalty::NoPenaltyError;
mod normal;
mod ops;
mod print;
pub mod sample;
mod signatures;
pub mod sync;
pub use print::{CaptureTransport, PrinterTransport};
mod sync_cmd;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use zhifa_core::device::{self, Device, StoreKeyWrap};
use zhifa_core::evidence::WatermarkFont;
use zhifa_core::store::{DbKey, Store};

pub use error::ApiError;

/// The device store setting that holds the officer's township.
pub const TOWNSHIP_SETTING: &str = "township";

/// The clock the commands read.
pub type Clock = fn() -> DateTime<Utc>;

/// The open app: store, device, session.
pub struct App {
    store: Store,
    data_dir: PathBuf,
    export_dir: Option<PathBuf>,
    device: Device,
    font: WatermarkFont,
    session: Option<String>,
    clock: Clock,
    shell: &'static str,
    sync_ctx: sync::SyncContext,
    sync_hub: Arc<sync::SyncHub>,
    /// The shell's thermal printer connection; `None` until the shell sets
    /// one or the first ticket is captured to the export folder.
    printer: Option<Box<dyn print::PrinterTransport>>,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App")
            .field("data_dir", &self.data_dir)
            .field("shell", &self.shell)
            .field("signed_in", &self.session.is_some())
            .finish_non_exhaustive()
    }
}

impl App {
    /// Opens the app on an open store: `data_dir` holds the evidence
    /// folder, `key` is the store's key (it also wraps the device's signing
    /// key). `shell` names the adapter (`tauri` or `web`) for the screens.
    pub fn open(
        store: Store,
        key: &DbKey,
        data_dir: &Path,
        shell: &'static str,
    ) -> Result<Self, ApiError> {
        let now = Utc::now();
        let device = Device::load_or_create(&store, &StoreKeyWrap::new(key), now)?;
        let font = WatermarkFont::bundled()?;
        let sync_ctx = sync::SyncContext::new(store.path(), key, data_dir);
        Ok(Self {
            store,
            data_dir: data_dir.to_owned(),
            export_dir: None,
            device,
            font,
            session: None,
            clock: Utc::now,
            shell,
            sync_ctx,
            sync_hub: sync::SyncHub::new(),
            printer: None,
        })
    }

    /// Replaces the clock (tests).
    pub fn set_clock(&mut self, clock: Clock) {
        self.clock = clock;
    }

    /// The store (for adapters' own checks and tests).
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The data folder.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Where `case_save_document` writes the readable copies the officer
    /// asks for: a folder OUTSIDE the data folder (whose files are sealed).
    /// The shell sets the OS's documents or downloads folder; the default
    /// is the sibling folder `<data folder>-exports`.
    pub fn set_export_dir(&mut self, dir: PathBuf) {
        self.export_dir = Some(dir);
    }

    /// The folder of [`Self::set_export_dir`].
    pub fn export_dir(&self) -> PathBuf {
        self.export_dir.clone().unwrap_or_else(|| {
            let mut name = self
                .data_dir
                .file_name()
                .map(std::ffi::OsStr::to_os_string)
                .unwrap_or_else(|| "zhifa".into());
            name.push("-exports");
            self.data_dir.with_file_name(name)
        })
    }

    /// What the background sync worker needs (its own store connection).
    pub fn sync_context(&self) -> sync::SyncContext {
        self.sync_ctx.clone()
    }

    /// Trusts an extra CA certificate (PEM) for a private sync server.
    pub fn set_sync_ca(&mut self, pem: Vec<u8>) {
        self.sync_ctx = self.sync_ctx.clone().with_ca(pem);
    }

    /// The live sync state shared with the worker and the shell.
    pub fn sync_hub(&self) -> Arc<sync::SyncHub> {
        self.sync_hub.clone()
    }

    /// Starts the background sync worker on [`sync::PERIOD`].
    pub fn start_sync_worker(&self) -> std::io::Result<std::thread::JoinHandle<()>> {
        sync::spawn_worker(self.sync_context(), self.sync_hub(), sync::PERIOD)
    }

    /// Loads the embedded defaults where missing (never overwriting):
    /// the sample catalogue, the sample officers and township
    /// configurations, number leases, the first sample township, and the
    /// sample officer enrolled with [`sample::SAMPLE_PIN`].
    pub fn load_sample_defaults(&mut self) -> Result<(), ApiError> {
        sample::load(&mut self.store, (self.clock)())
    }

    fn now(&self) -> DateTime<Utc> {
        (self.clock)()
    }

    fn officer_id(&self) -> Result<&str, ApiError> {
        self.session.as_deref().ok_or(ApiError::NotSignedIn)
    }

    fn signed_in(&self) -> Result<device::Officer, ApiError> {
        let id = self.officer_id()?;
        device::officer(&self.store, id)?.ok_or(ApiError::NotSignedIn)
    }
}

/// Runs `$m!` with the list of every command: `(name, Request, Response, needs_session)`.
/// The adapters expand it into their routes (`zhifa web`) and `#[tauri::command]`s
/// (`src-tauri`), and the bindings test into the TypeScript command map.
#[macro_export]
macro_rules! for_each_command {
    ($m:ident) => {
        $m! {
            (app_state, $crate::dto::Empty, $crate::dto::AppState),
            (enrol, $crate::dto::SignInReq, $crate::dto::OfficerBrief),
            (sign_in, $crate::dto::SignInReq, $crate::dto::OfficerBrief),
            (sign_out, $crate::dto::Empty, $crate::dto::Empty),
            (change_pin, $crate::dto::ChangePinReq, $crate::dto::Empty),
            (home, $crate::dto::Empty, $crate::dto::Home),
            (catalogue_search, $crate::dto::SearchReq, $crate::dto::SearchResp),
            (matter_detail, $crate::dto::MatterReq, $crate::dto::MatterDetail),
            (check_id, $crate::dto::CheckIdReq, $crate::dto::IdCheck),
            (identity_read, $crate::identity::IdentityReadReq, $crate::identity::IdentityRead),
            (case_new, $crate::dto::NewCaseReq, $crate::dto::CaseView),
            (case_party_facts, $crate::dto::PartyFactsReq, $crate::dto::CaseView),
            (evidence_add, $crate::dto::EvidenceAddReq, $crate::dto::EvidenceView),
            (case_attach_evidence, $crate::dto::AttachReq, $crate::dto::CaseView),
            (case_suggest, $crate::dto::SuggestReq, $crate::dto::Suggestion),
            (case_show_credentials, $crate::dto::CaseReq, $crate::dto::CaseView),
            (case_inform, $crate::dto::InformReq, $crate::dto::CaseView),
            (case_statement, $crate::dto::StatementReq, $crate::dto::CaseView),
            (case_decide, $crate::dto::DecideReq, $crate::dto::CaseView),
            (case_no_penalty_options, $crate::dto_no_penalty::NoPenaltyOptionsReq, $crate::dto_no_penalty::NoPenaltyOptions),
            (case_no_penalty, $crate::dto_no_penalty::NoPenaltyReq, $crate::dto::CaseView),
            (case_issue, $crate::dto::CaseReq, $crate::dto::CaseView),
            (case_serve, $crate::dto::ServeReq, $crate::dto::CaseView),
            (case_document, $crate::dto::CaseReq, $crate::dto::DocumentFile),
            (case_save_document, $crate::dto::CaseReq, $crate::dto::SavedFile),
            (case_print, $crate::dto::TicketReq, $crate::dto::TicketView),
            (case_print_document, $crate::dto::CasePrintReq, $crate::dto::TicketView),
            (insp_print, $crate::dto::InspPrintReq, $crate::dto::TicketView),
            (case_officer_sign, $crate::dto::OfficerSignReq, $crate::dto::CaseView),
            (officer_signature_set, $crate::dto::OfficerSignReq, $crate::dto::OfficerSignView),
            (case_show_document, $crate::dto::CaseReq, $crate::dto::CaseView),
            (case_issued_document, $crate::dto::CaseReq, $crate::dto::DocumentFile),
            (case_receipt_document, $crate::dto::CaseReq, $crate::dto::DocumentFile),
            (case_payment_qr, $crate::dto::CaseReq, $crate::dto::PaymentQr),
            (case_list, $crate::dto::CaseListReq, ::std::vec::Vec<$crate::dto::CaseSummary>),
            (case_detail, $crate::dto::CaseReq, $crate::dto::CaseDetail),
            (case_void, $crate::dto::VoidReq, $crate::dto::CaseView),
            (draft_save, $crate::dto::DraftSaveReq, $crate::dto::Empty),
            (draft_get, $crate::dto::CaseReq, ::std::option::Option<$crate::dto::DraftView>),
            (evidence_list, $crate::dto::EvidenceListReq, $crate::dto::EvidenceList),
            (sync_state, $crate::dto::Empty, $crate::dto::SyncState),
            (sync_status, $crate::dto::Empty, $crate::dto::SyncStatus),
            (sync_enrol, $crate::dto::SyncEnrolReq, $crate::dto::SyncStatus),
            (sync_now, $crate::dto::SyncNowReq, $crate::dto::SyncStatus),
            (sync_network, $crate::dto::SyncNetworkReq, $crate::dto::SyncLive),
            (sync_records, $crate::dto::SyncRecordsReq, ::std::vec::Vec<$crate::dto::SyncRecordView>),
            (sync_conflicts, $crate::dto::Empty, ::std::vec::Vec<$crate::dto::ConflictView>),
            (sync_resolve, $crate::dto::ResolveConflictReq, $crate::dto::ConflictView),
            (settings_get, $crate::dto::Empty, $crate::dto::Settings),
            (settings_set_township, $crate::dto::SetTownshipReq, $crate::dto::Settings),
            (insp_scenarios, $crate::dto::Empty, ::std::vec::Vec<$crate::dto::ScenarioView>),
            (insp_start, $crate::dto::InspStartReq, $crate::dto::InspectionView),
            (insp_get, $crate::dto::InspReq, $crate::dto::InspectionView),
            (insp_list, $crate::dto::Empty, ::std::vec::Vec<$crate::dto::InspectionSummary>),
            (insp_result, $crate::dto::InspResultReq, $crate::dto::InspectionView),
            (insp_evidence_add, $crate::dto::InspEvidenceReq, $crate::dto::EvidenceView),
            (insp_decide, $crate::dto::InspDecideReq, $crate::dto::InspectionView),
            (insp_finish, $crate::dto::InspFinishReq, $crate::dto::InspectionView),
            (insp_document, $crate::dto::InspDocumentReq, $crate::dto::DocumentFile),
            (insp_badge, $crate::dto::InspReq, $crate::dto::BadgeView),
            (task_list, $crate::dto::Empty, ::std::vec::Vec<$crate::dto::TaskView>),
            (task_accept, $crate::dto::TaskReq, $crate::dto::TaskView),
            (task_report, $crate::dto::TaskReportReq, $crate::dto::TaskView),
            (normal_list, $crate::dto::Empty, ::std::vec::Vec<$crate::dto_normal::NormalSummary>),
            (normal_get, $crate::dto_normal::NormalReq, $crate::dto_normal::NormalView),
            (normal_new, $crate::dto_normal::NormalNewReq, $crate::dto_normal::NormalView),
            (normal_from_case, $crate::dto_normal::NormalFromCaseReq, $crate::dto_normal::NormalView),
            (normal_step, $crate::dto_normal::NormalStepReq, $crate::dto_normal::NormalView),
        }
    };
}

macro_rules! dispatch_impl {
    ($(($name:ident, $req:ty, $resp:ty)),* $(,)?) => {
        impl App {
            /// Runs the command `name` with its JSON request; the JSON response.
            pub fn dispatch(
                &mut self,
                name: &str,
                request: serde_json::Value,
            ) -> Result<serde_json::Value, ApiError> {
                match name {
                    $(stringify!($name) => {
                        let req: $req = serde_json::from_value(request)
                            .map_err(|e| ApiError::BadRequest(format!("{name}: {e}")))?;
                        let resp: $resp = self.$name(req)?;
                        serde_json::to_value(resp)
                            .map_err(|e| ApiError::Internal(format!("{name}: {e}")))
                    })*
                    _ => Err(ApiError::UnknownCommand(name.to_owned())),
                }
            }
        }

        /// Every command's name.
        pub const COMMANDS: &[&str] = &[$(stringify!($name)),*];
    };
}

for_each_command!(dispatch_impl);
