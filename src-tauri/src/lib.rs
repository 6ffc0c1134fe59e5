//! The Zhifa app shell (Tauri 2): one window showing the `ui/` screens,
//! whose every action is a thin `#[tauri::command]` over the shared command
//! layer (`zhifa-api`), so the app and `zhifa web` run exactly the same code.
//!
//! [`app`] is generic over the Tauri runtime: production runs it on the
//! real webview ([`run`]), tests on `tauri::test`'s mock runtime, through
//! the real IPC, ACL and serde path. The device store key comes from the OS
//! keystore ([`keystore`]). Desktop gets the single-instance plugin (a
//! second launch focuses the first window: two processes must never write
//! one store); phones and tablets get geolocation and the barcode scanner.
//!
//! Background sync: [`run`] starts the command layer's sync worker
//! (`zhifa_api::sync`) once the store is open. It syncs at start, on its
//! period (backed off after failures), when the webview reports `online`,
//! after a case is issued and at sign-in — one run at a time — and every
//! change of its live state is emitted to the screens as the
//! [`SYNC_EVENT`] event. On phones the worker simply pauses while the OS
//! suspends the app and resumes with it (the screens ask for a sync on
//! `online` and when the page becomes visible again); no OS background
//! task is registered, so nothing syncs behind a force-stopped app.

pub mod keystore;

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use tauri::{Emitter, Manager, Runtime};
use zhifa_api::dto::ApiErrorBody;
use zhifa_api::{ApiError, App};
use zhifa_core::store::Store;

/// The app's state: the open command layer, or why it could not open.
pub struct Shared {
    app: Mutex<Result<App, ApiErrorBody>>,
}

impl Shared {
    /// Wraps an open app.
    pub fn new(app: App) -> Self {
        Self {
            app: Mutex::new(Ok(app)),
        }
    }

    /// A state whose every command fails with `error` (the store could not open).
    pub fn failed(error: ApiErrorBody) -> Self {
        Self {
            app: Mutex::new(Err(error)),
        }
    }

    fn call(&self, name: &str, req: serde_json::Value) -> Result<serde_json::Value, ApiErrorBody> {
        if name == "app_state" {
            trace_first_screen();
        }
        // Every step is one store transaction, so a panic in another command
        // cannot leave data half written: take over a poisoned lock.
        let mut guard = self
            .app
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match guard.as_mut() {
            Ok(app) => app.dispatch(name, req).map_err(|e| e.body()),
            Err(e) => Err(e.clone()),
        }
    }
}

fn typed<Q: serde::Serialize, S: serde::de::DeserializeOwned>(
    shared: &Shared,
    name: &str,
    req: Q,
) -> Result<S, ApiErrorBody> {
    let bad = |e: serde_json::Error| ApiError::Internal(format!("{name}: {e}")).body();
    let v = serde_json::to_value(req).map_err(bad)?;
    let out = shared.call(name, v)?;
    serde_json::from_value(out).map_err(bad)
}

macro_rules! tauri_commands {
    ($(($name:ident, $req:ty, $resp:ty)),* $(,)?) => {
        /// The `#[tauri::command]`s, one per command of the layer.
        pub mod commands {
            use super::*;
            $(
                #[doc = concat!("`", stringify!($name), "`: see `zhifa_api::dto`.")]
                #[tauri::command(async)]
                pub fn $name(state: tauri::State<'_, Shared>, req: $req) -> Result<$resp, ApiErrorBody> {
                    typed(&state, stringify!($name), req)
                }
            )*
        }

        /// Registers the commands and the state on a builder of any runtime.
        pub fn app<R: Runtime>(builder: tauri::Builder<R>, shared: Shared) -> tauri::Builder<R> {
            builder
                .manage(shared)
                .invoke_handler(tauri::generate_handler![$(commands::$name),*])
        }
    };
}

zhifa_api::for_each_command!(tauri_commands);

/// The event carrying the background sync's live state (`SyncLive`).
pub const SYNC_EVENT: &str = "zhifa://sync";

/// With `ZHIFA_SERVER_URL` and `ZHIFA_ENROL_CODE` set, enrols a device not
/// yet enrolled with that server (scripts/run.sh: the app comes up enrolled
/// against the local demo server). `ZHIFA_CA_CERT` trusts a private CA.
fn enrol_from_env(app: &mut App) -> Result<(), ApiErrorBody> {
    if let Some(pem) = std::env::var_os("ZHIFA_CA_CERT") {
        let pem = std::fs::read(&pem)
            .map_err(|e| ApiError::Invalid(format!("无法读取 ZHIFA_CA_CERT：{e}")).body())?;
        app.set_sync_ca(pem);
    }
    let (Some(url), Some(code)) = (
        std::env::var("ZHIFA_SERVER_URL").ok(),
        std::env::var("ZHIFA_ENROL_CODE").ok(),
    ) else {
        return Ok(());
    };
    let status = app
        .dispatch("sync_status", serde_json::json!({}))
        .map_err(|e| e.body())?;
    if !status["enrolment"].is_null() {
        return Ok(());
    }
    app.dispatch(
        "sync_enrol",
        serde_json::json!({ "server_url": url, "code": code }),
    )
    .map_err(|e| e.body())?;
    eprintln!("zhifa-app: 本设备已在同步服务器 {url} 激活");
    Ok(())
}

/// Opens the command layer on the store in `data_dir`, enrolling it with
/// the server named in the environment if asked to, then loading the
/// embedded sample defaults on a device that has no officers yet.
pub fn open_app(data_dir: &Path) -> Result<App, ApiErrorBody> {
    let internal = |m: String| ApiError::Internal(m).body();
    std::fs::create_dir_all(data_dir).map_err(|e| internal(format!("无法创建数据目录：{e}")))?;
    let (key, source) = keystore::load_or_create(data_dir).map_err(|e| internal(e.to_string()))?;
    if let keystore::KeySource::File(why) = &source {
        eprintln!("zhifa-app: 系统密钥库不可用（{why}），数据库密钥保存在数据目录的私有文件中");
    }
    let store =
        Store::open(&data_dir.join("device.db"), &key).map_err(|e| ApiError::from(e).body())?;
    let mut app = App::open(store, &key, data_dir, "tauri").map_err(|e| e.body())?;
    // An enrolment refused (a used code, the server down) is reported and
    // the app still starts: the officer can enrol from the sync screen.
    if let Err(e) = enrol_from_env(&mut app) {
        eprintln!("zhifa-app: 未能激活同步：[{}] {}", e.code, e.message);
    }
    let empty = app
        .dispatch("app_state", serde_json::json!({}))
        .map(|v| v["officers"].as_array().is_none_or(|a| a.is_empty()))
        .unwrap_or(true);
    if empty || std::env::var_os("ZHIFA_SAMPLE").is_some() {
        app.load_sample_defaults().map_err(|e| e.body())?;
    }
    Ok(app)
}

fn data_dir<R: Runtime>(handle: &tauri::AppHandle<R>) -> Result<PathBuf, ApiErrorBody> {
    if let Some(d) = std::env::var_os("ZHIFA_DATA") {
        return Ok(PathBuf::from(d));
    }
    handle
        .path()
        .app_data_dir()
        .map_err(|e| ApiError::Internal(format!("无法确定数据目录：{e}")).body())
}

/// Starts the background sync worker, emitting its live state to the webview.
pub fn start_background_sync<R: Runtime>(handle: &tauri::AppHandle<R>, app: &App) {
    let hub = app.sync_hub();
    let emitter = handle.clone();
    hub.set_listener(Box::new(move |live| {
        // No window yet or closing: the screens ask for the state anyway.
        let _ = emitter.emit(SYNC_EVENT, live);
    }));
    if let Err(e) = app.start_sync_worker() {
        eprintln!("zhifa-app: 无法启动后台同步：{e}");
    }
}

/// When the process started (for the start-up trace).
static STARTED: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();

/// With `ZHIFA_STARTUP_TRACE` set, prints once how long after start the
/// first screen asked for the app state: the webview has loaded, the
/// screens' code runs and the sign-in screen is about to render
/// (docs/BENCHMARKS.md, cold start).
fn trace_first_screen() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    if let Some(t0) = STARTED.get()
        && std::env::var_os("ZHIFA_STARTUP_TRACE").is_some()
    {
        ONCE.call_once(|| {
            eprintln!(
                "zhifa-app: first screen after {} ms",
                t0.elapsed().as_millis()
            );
        });
    }
}

/// Runs the app.
#[cfg_attr(mobile, tauri::mobile_entry_point)]
pub fn run() {
    STARTED.get_or_init(std::time::Instant::now);
    #[allow(unused_mut)] // plugins are added per platform below
    let mut builder = tauri::Builder::default();
    #[cfg(desktop)]
    {
        builder = builder.plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            if let Some(w) = app.get_webview_window("main") {
                let _ = w.unminimize();
                let _ = w.set_focus();
            }
        }));
    }
    #[cfg(mobile)]
    {
        builder = builder
            .plugin(tauri_plugin_geolocation::init())
            .plugin(tauri_plugin_barcode_scanner::init());
    }
    let result = builder
        .setup(|tauri_app| {
            let shared = match data_dir(tauri_app.handle()).and_then(|d| open_app(&d)) {
                Ok(app) => {
                    start_background_sync(tauri_app.handle(), &app);
                    Shared::new(app)
                }
                Err(e) => {
                    eprintln!("zhifa-app: [{}] {}", e.code, e.message);
                    Shared::failed(e)
                }
            };
            tauri_app.manage(shared);
            Ok(())
        })
        .invoke_handler(handler())
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("zhifa-app: 无法启动：{e}");
        std::process::exit(1);
    }
}

macro_rules! handler_fn {
    ($(($name:ident, $req:ty, $resp:ty)),* $(,)?) => {
        fn handler<R: Runtime>() -> impl Fn(tauri::ipc::Invoke<R>) -> bool + Send + Sync + 'static {
            tauri::generate_handler![$(commands::$name),*]
        }
    };
}

zhifa_api::for_each_command!(handler_fn);
