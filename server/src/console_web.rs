//! The centre's web console (console/, Vue 3 + Element Plus) served at
//! `/console/` from files embedded in the binary at build time
//! (`server/build.rs`), so one `zhifa-server` process is the whole centre.
//! Any path under `/console/` that names no file gets `index.html` (the
//! console routes in the browser, history mode). A binary built before
//! the console was built answers a Chinese page saying so (503).
//!
//! Pages carry a strict Content-Security-Policy (own origin only; inline
//! styles allowed, as Element Plus sets them), no framing, no sniffing and
//! no referrer; hashed assets are cached for a year, `index.html` never.

use axum::Router;
use axum::body::Body;
use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use include_dir::{Dir, include_dir};

use crate::api::state::St;

/// The console embedded at build time (empty when it was not built).
static EMBEDDED: Dir<'static> = include_dir!("$ZHIFA_CONSOLE_DIST");

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
                   img-src 'self' data:; font-src 'self' data:; connect-src 'self'; \
                   frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

/// The page served when the binary holds no console.
const NOT_BUILT: &str = "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
<title>控制台未构建</title></head><body><main><h1>控制台尚未构建</h1>\
<p>这个 zhifa-server 构建时，控制台界面（console/）还没有构建，程序内没有控制台页面。</p>\
<p>请在 console/ 下运行 <code>npm ci &amp;&amp; npm run build</code>，然后重新 <code>cargo build -p zhifa-server</code>。</p>\
</main></body></html>";

/// The routes of this module.
pub fn routes() -> Router<St> {
    Router::new()
        .route(
            "/console",
            get(|| async { Redirect::permanent("/console/") }),
        )
        .route("/console/", get(|| async { page("") }))
        .route(
            "/console/{*path}",
            get(|Path(p): Path<String>| async move { page(&p) }),
        )
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit_once('.').map_or("", |(_, e)| e) {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "ttf" => "font/ttf",
        _ => "application/octet-stream",
    }
}

fn page(rel: &str) -> Response {
    serve_from(&EMBEDDED, rel)
}

/// `rel` from `dir`: the file, `index.html` for any other path, or the
/// not-built page when `dir` has no `index.html`.
fn serve_from(dir: &Dir<'static>, rel: &str) -> Response {
    let Some(index) = dir.get_file("index.html") else {
        let mut r = (StatusCode::SERVICE_UNAVAILABLE, NOT_BUILT).into_response();
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        return secure(r);
    };
    let file = dir.get_file(rel).unwrap_or(index);
    let path = file.path().to_string_lossy();
    let mut r = Response::new(Body::from(file.contents()));
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type(&path)),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(if path.starts_with("assets/") {
            "public, max-age=31536000, immutable"
        } else {
            "no-cache"
        }),
    );
    secure(r)
}

fn secure(mut r: Response) -> Response {
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    r
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use include_dir::{DirEntry, File};

    use super::*;

    async fn body(r: Response) -> String {
        let b = axum::body::to_bytes(r.into_body(), usize::MAX)
            .await
            .unwrap();
        String::from_utf8(b.to_vec()).unwrap()
    }

    fn header(r: &Response, h: header::HeaderName) -> &str {
        r.headers()[h].to_str().unwrap()
    }

    #[tokio::test]
    async fn a_binary_without_the_console_says_so_in_chinese() {
        static EMPTY: Dir<'static> = Dir::new("", &[]);
        let r = serve_from(&EMPTY, "cases");
        assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(header(&r, header::CONTENT_TYPE).starts_with("text/html"));
        assert!(header(&r, header::CONTENT_SECURITY_POLICY).contains("frame-ancestors 'none'"));
        assert!(body(r).await.contains("控制台尚未构建"));
    }

    #[tokio::test]
    async fn files_are_served_and_routes_get_the_index() {
        const ENTRIES: &[DirEntry<'static>] = &[
            DirEntry::File(File::new("index.html", b"<!doctype html>index")),
            DirEntry::Dir(Dir::new(
                "assets",
                &[DirEntry::File(File::new("assets/app-1.js", b"js"))],
            )),
        ];
        static DIR: Dir<'static> = Dir::new("", ENTRIES);
        let dir = &DIR;
        let asset = serve_from(dir, "assets/app-1.js");
        assert_eq!(asset.status(), StatusCode::OK);
        assert_eq!(
            header(&asset, header::CONTENT_TYPE),
            "text/javascript; charset=utf-8"
        );
        assert!(header(&asset, header::CACHE_CONTROL).contains("immutable"));
        assert_eq!(body(asset).await, "js");
        // A console route (history mode) is the index, never cached.
        let route = serve_from(dir, "cases/0195a000");
        assert_eq!(header(&route, header::CACHE_CONTROL), "no-cache");
        assert_eq!(header(&route, header::X_FRAME_OPTIONS), "DENY");
        assert_eq!(body(route).await, "<!doctype html>index");
        assert_eq!(content_type("x.woff2"), "font/woff2");
    }
}
