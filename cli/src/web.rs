//! `zhifa web --listen 127.0.0.1:PORT`: the app in any browser. It serves
//! the officer's screens and the command layer (`zhifa-api`) over HTTP on
//! the device's own store — for the end-to-end tests, and for officers on a
//! laptop without the desktop shell.
//!
//! The screens are embedded in the binary at build time (`ui/dist`, see
//! `cli/build.rs`), so one file is the whole app; `--ui DIR` serves a
//! folder instead (a UI developer's fresh build). A binary built before the
//! UI was built has no screens and then refuses to start without `--ui`,
//! saying so in Chinese (`WEB_NO_UI`).
//!
//! Only a loopback address is accepted. A random token is made per run and
//! required on every request: as the `X-Zhifa-Token` header, as the
//! `zhifa_token` cookie, or once as `?token=` on the first page load (which
//! sets the cookie, HttpOnly and SameSite=Strict). The `Host` header must
//! name the loopback address too, so a page on another site cannot reach
//! the server through DNS rebinding. The first line printed is the URL to
//! open, token included.
//!
//! The command layer's background sync worker runs here too (it syncs
//! whenever the store is enrolled with a server); the screens poll the
//! `sync_status` command for its progress.
//!
//! Commands: `POST /api/<command>` with the request as JSON; the response
//! is the command's JSON, or `{code, message}` with status 400 (the
//! caller's fault), 401 (no or wrong token), 404 (unknown command) or 500.

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, Path as UrlPath, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use clap::Args;
use include_dir::{Dir, include_dir};
use zhifa_api::App;
use zhifa_api::dto::ApiErrorBody;

use crate::Ctx;
use crate::output::Failure;

#[derive(Debug, Args)]
pub(crate) struct WebArgs {
    /// The loopback address to listen on (port 0: any free port).
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: SocketAddr,
    /// Serve the screens from this built UI folder (holding index.html)
    /// instead of the ones embedded in the binary.
    #[arg(long, env = "ZHIFA_UI_DIR")]
    ui: Option<PathBuf>,
    /// Load the embedded sample defaults first (sample catalogue, officers,
    /// number leases, the sample officer enrolled) where they are missing.
    #[arg(long)]
    sample: bool,
}

/// The screens embedded at build time (empty when the UI was not built).
static EMBEDDED: Dir<'static> = include_dir!("$ZHIFA_UI_DIST");

/// Where the screens come from.
#[derive(Debug, Clone)]
enum Screens {
    /// Embedded in the binary.
    Embedded,
    /// A built UI folder named with `--ui`.
    Folder(PathBuf),
}

struct Shared {
    app: Mutex<App>,
    token: String,
    screens: Screens,
    port: u16,
}

/// The biggest request: a 12 MP photo as base64 with room to spare.
const BODY_LIMIT: usize = 64 * 1024 * 1024;

fn random_token() -> Result<String, Failure> {
    let mut b = [0u8; 24];
    getrandom::fill(&mut b).map_err(|e| Failure::internal("WEB_RANDOM", e.to_string()))?;
    Ok(b.iter().map(|x| format!("{x:02x}")).collect())
}

pub(crate) fn run(ctx: &Ctx, args: WebArgs) -> Result<(), Failure> {
    if !args.listen.ip().is_loopback() {
        return Err(Failure::bad_input(
            "WEB_NOT_LOOPBACK",
            format!(
                "只能监听本机回环地址（如 127.0.0.1），不能监听 {}",
                args.listen.ip()
            ),
        ));
    }
    match &args.ui {
        Some(dir) if !dir.join("index.html").is_file() => {
            return Err(Failure::bad_input(
                "WEB_NO_UI",
                format!(
                    "界面目录 {} 中没有 index.html；请先在 ui/ 下运行 npm ci && npm run build",
                    dir.display()
                ),
            ));
        }
        None if EMBEDDED.get_file("index.html").is_none() => {
            return Err(Failure::bad_input(
                "WEB_NO_UI",
                "这个 zhifa 构建时界面尚未构建，程序内没有界面；请在 ui/ 下运行 npm ci && npm run build 后重新 cargo build，或用 --ui 指定已构建的界面目录".to_owned(),
            ));
        }
        _ => {}
    }
    let (store, key, dir) = crate::store::open_keyed(ctx)?;
    let mut app = App::open(store, &key, &dir, "web").map_err(api_failure)?;
    if args.sample {
        app.load_sample_defaults().map_err(api_failure)?;
    }
    // Background sync whenever enrolled: the screens poll `sync_status`.
    let _worker = app
        .start_sync_worker()
        .map_err(|e| Failure::internal("WEB_SYNC_WORKER", e.to_string()))?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Failure::internal("WEB_RUNTIME", e.to_string()))?;
    rt.block_on(serve(app, args))
}

fn api_failure(e: zhifa_api::ApiError) -> Failure {
    let code = zhifa_core::ErrorCode::code(&e);
    if e.is_client_error() {
        Failure::bad_input(code, e.to_string())
    } else {
        Failure::internal(code, e.to_string())
    }
}

async fn serve(app: App, args: WebArgs) -> Result<(), Failure> {
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .map_err(|e| Failure::bad_input("WEB_LISTEN", format!("无法监听 {}: {e}", args.listen)))?;
    let addr = listener
        .local_addr()
        .map_err(|e| Failure::internal("WEB_LISTEN", e.to_string()))?;
    let shared = Arc::new(Shared {
        app: Mutex::new(app),
        token: random_token()?,
        screens: args.ui.clone().map_or(Screens::Embedded, Screens::Folder),
        port: addr.port(),
    });
    let router = Router::new()
        .route("/api/{command}", post(command))
        .fallback(static_file)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(middleware::from_fn_with_state(shared.clone(), guard))
        .with_state(shared.clone());
    {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "http://{addr}/?token={}", shared.token);
        let _ = writeln!(
            out,
            "掌上执法 web：在浏览器中打开上面的地址（仅本机可访问）；按 Ctrl+C 停止"
        );
        let _ = out.flush();
    }
    axum::serve(listener, router)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|e| Failure::internal("WEB_SERVE", e.to_string()))
}

/// Constant-time comparison, so the token cannot be guessed byte by byte.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

fn cookie_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|kv| kv.trim().strip_prefix("zhifa_token=").map(str::to_owned))
}

fn query_token(req: &Request) -> Option<String> {
    req.uri().query().and_then(|q| {
        q.split('&')
            .find_map(|kv| kv.strip_prefix("token=").map(str::to_owned))
    })
}

fn error(status: StatusCode, code: &str, message: &str) -> Response {
    let body = ApiErrorBody {
        code: code.into(),
        message: message.into(),
    };
    (status, axum::Json(body)).into_response()
}

async fn guard(State(s): State<Arc<Shared>>, req: Request, next: Next) -> Response {
    let host_ok = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .is_some_and(|h| {
            [
                format!("127.0.0.1:{}", s.port),
                format!("localhost:{}", s.port),
                format!("[::1]:{}", s.port),
            ]
            .iter()
            .any(|ok| ok == h)
        });
    if !host_ok {
        return error(StatusCode::FORBIDDEN, "WEB_HOST", "仅接受本机地址的请求");
    }
    let header_token = req
        .headers()
        .get("x-zhifa-token")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let from_query = query_token(&req);
    let presented = header_token
        .or_else(|| cookie_token(req.headers()))
        .or(from_query.clone());
    if !presented.is_some_and(|t| same(&t, &s.token)) {
        return error(
            StatusCode::UNAUTHORIZED,
            "WEB_TOKEN",
            "访问令牌缺失或错误：请使用 zhifa web 启动时打印的地址",
        );
    }
    let mut resp = next.run(req).await;
    if from_query.is_some() {
        let cookie = format!("zhifa_token={}; Path=/; HttpOnly; SameSite=Strict", s.token);
        if let Ok(v) = HeaderValue::from_str(&cookie) {
            resp.headers_mut().insert(header::SET_COOKIE, v);
        }
    }
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

async fn command(
    State(s): State<Arc<Shared>>,
    UrlPath(name): UrlPath<String>,
    body: Bytes,
) -> Response {
    let request: serde_json::Value = if body.is_empty() {
        serde_json::json!({})
    } else {
        match serde_json::from_slice(&body) {
            Ok(v) => v,
            Err(e) => {
                return error(
                    StatusCode::BAD_REQUEST,
                    "API_BAD_REQUEST",
                    &format!("请求不是有效的 JSON：{e}"),
                );
            }
        }
    };
    let shared = s.clone();
    let result = tokio::task::spawn_blocking(move || {
        // A panic while holding the lock cannot leave the store half
        // written (every step is one transaction), so a poisoned lock is
        // taken over rather than failing every later request.
        let mut app = shared
            .app
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        app.dispatch(&name, request)
    })
    .await;
    match result {
        Ok(Ok(v)) => (StatusCode::OK, axum::Json(v)).into_response(),
        Ok(Err(e)) => {
            let status = match &e {
                zhifa_api::ApiError::UnknownCommand(_) => StatusCode::NOT_FOUND,
                e if e.is_client_error() => StatusCode::BAD_REQUEST,
                _ => StatusCode::INTERNAL_SERVER_ERROR,
            };
            (status, axum::Json(e.body())).into_response()
        }
        Err(e) => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "API_INTERNAL",
            &format!("内部错误：{e}"),
        ),
    }
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" | "webmanifest" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "ttf" => "font/ttf",
        _ => "application/octet-stream",
    }
}

/// The bytes of a screen file, `index.html` for any path that names no
/// file (the UI routes in the browser, history mode), with the path that was
/// read (for its content type).
async fn screen_file(screens: &Screens, rel: &Path) -> std::io::Result<(PathBuf, Bytes)> {
    match screens {
        Screens::Embedded => {
            let file = EMBEDDED
                .get_file(rel)
                .or_else(|| EMBEDDED.get_file("index.html"))
                .ok_or_else(|| std::io::Error::from(std::io::ErrorKind::NotFound))?;
            Ok((
                file.path().to_path_buf(),
                Bytes::from_static(file.contents()),
            ))
        }
        Screens::Folder(dir) => {
            let mut path = dir.join(rel);
            if !path.is_file() {
                path = dir.join("index.html");
            }
            let bytes = tokio::fs::read(&path).await?;
            Ok((path, Bytes::from(bytes)))
        }
    }
}

async fn static_file(State(s): State<Arc<Shared>>, req: Request) -> Response {
    let rel = req.uri().path().trim_start_matches('/');
    let rel = Path::new(rel);
    // Only plain components: no `..`, no absolute paths.
    if rel.components().any(|c| !matches!(c, Component::Normal(_))) {
        return error(StatusCode::BAD_REQUEST, "WEB_PATH", "路径无效");
    }
    match screen_file(&s.screens, rel).await {
        Ok((path, bytes)) => Response::builder()
            .header(header::CONTENT_TYPE, content_type(&path))
            .header("x-content-type-options", "nosniff")
            .header(
                "content-security-policy",
                "default-src 'self'; img-src 'self' data: blob:; connect-src 'self' blob:; font-src 'self' data:; style-src 'self' 'unsafe-inline'; object-src 'none'; frame-ancestors 'none'",
            )
            .body(Body::from(bytes))
            .unwrap_or_else(|_| error(StatusCode::INTERNAL_SERVER_ERROR, "WEB_FILE", "无法读取界面文件")),
        Err(e) => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "WEB_FILE",
            &format!("无法读取界面文件：{e}"),
        ),
    }
}
