//! The 亮码 tests' one way to ask the server's public pages: the router
//! in-process, the answer's status, its `x-badge-result` and its HTML.

#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)] // test code: a failure should abort loudly

use axum::body::Body;
use axum::http::{Request, StatusCode};
use tower::ServiceExt;
use zhifa_tests::TestServer;

/// What a page answered.
pub(crate) struct Answer {
    pub(crate) status: StatusCode,
    pub(crate) result: String,
    pub(crate) body: String,
}

/// `method uri` with `body` (a form when POST), with a bearer token when
/// `auth` is given.
pub(crate) async fn call(
    server: &TestServer,
    method: &str,
    uri: &str,
    body: Vec<u8>,
    auth: Option<&str>,
) -> Answer {
    let mut req = Request::builder().method(method).uri(uri);
    if method == "POST" {
        req = req.header("content-type", "application/x-www-form-urlencoded");
    }
    if let Some(a) = auth {
        req = req
            .header("authorization", format!("Bearer {a}"))
            .header("sync-protocol", "1");
    }
    let router = server.router();
    let req = req.body(Body::from(body)).unwrap();
    // Storage calls block; the router runs them on the blocking pool.
    let resp = router.oneshot(req).await.unwrap();
    let status = resp.status();
    let result = resp
        .headers()
        .get("x-badge-result")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let bytes = axum::body::to_bytes(resp.into_body(), 1 << 20)
        .await
        .unwrap();
    Answer {
        status,
        result,
        body: String::from_utf8(bytes.to_vec()).unwrap(),
    }
}
