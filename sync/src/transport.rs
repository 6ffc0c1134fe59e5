//! How the engine reaches the server: a minimal HTTP exchange behind the
//! [`Transport`] trait, so the engine runs over reqwest (rustls) in the
//! field and over an in-process router with fault injection in tests.

use std::future::Future;
use std::time::Duration;

/// An HTTP method the protocol uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// GET.
    Get,
    /// HEAD.
    Head,
    /// POST.
    Post,
    /// PATCH.
    Patch,
}

impl Method {
    /// The method name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Head => "HEAD",
            Self::Post => "POST",
            Self::Patch => "PATCH",
        }
    }
}

/// One request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpRequest {
    /// Method.
    pub method: Method,
    /// Path and query, e.g. `/v1/sync/inbox?cursor=3`.
    pub path: String,
    /// Headers (lower-case names).
    pub headers: Vec<(String, String)>,
    /// Body.
    pub body: Vec<u8>,
}

/// One response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    /// Status code.
    pub status: u16,
    /// Headers (lower-case names).
    pub headers: Vec<(String, String)>,
    /// Body.
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A failure below HTTP: no answer was received. The request may or may
/// not have reached the server (the engine's retries are idempotent).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransportError {
    /// Connection refused, reset, DNS, TLS…
    #[error("网络错误：{0}")]
    Network(String),
    /// No answer in time.
    #[error("网络超时")]
    Timeout,
    /// An answer whose body does not match its digest
    /// ([`crate::wire::BODY_SHA256_HEADER`]), or a 2xx without one: damaged
    /// on the way, or not from the sync server. Never parsed; retried.
    #[error("应答在传输中损坏：{0}")]
    Damaged(String),
}

/// Sends requests to the server.
pub trait Transport {
    /// Sends one request and waits for its response.
    fn send(&self, req: HttpRequest) -> impl Future<Output = Result<HttpResponse, TransportError>>;
}

impl<T: Transport> Transport for &T {
    fn send(&self, req: HttpRequest) -> impl Future<Output = Result<HttpResponse, TransportError>> {
        (**self).send(req)
    }
}

/// The field transport: reqwest over rustls (webpki roots, plus an
/// optional extra root certificate for a private CA).
#[derive(Debug, Clone)]
pub struct HttpTransport {
    base: String,
    client: reqwest::Client,
}

impl HttpTransport {
    /// A transport to `base` (e.g. `https://sync.example:8443`).
    /// `extra_root_pem` adds a trusted CA certificate.
    pub fn new(base: &str, extra_root_pem: Option<&[u8]>) -> Result<Self, TransportError> {
        let mut b = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(15))
            .timeout(Duration::from_secs(120))
            .use_rustls_tls();
        if let Some(pem) = extra_root_pem {
            let cert = reqwest::Certificate::from_pem(pem)
                .map_err(|e| TransportError::Network(format!("CA 证书无效：{e}")))?;
            b = b.add_root_certificate(cert);
        }
        let client = b
            .build()
            .map_err(|e| TransportError::Network(e.to_string()))?;
        Ok(Self {
            base: base.trim_end_matches('/').to_owned(),
            client,
        })
    }
}

impl Transport for HttpTransport {
    async fn send(&self, req: HttpRequest) -> Result<HttpResponse, TransportError> {
        let method = match req.method {
            Method::Get => reqwest::Method::GET,
            Method::Head => reqwest::Method::HEAD,
            Method::Post => reqwest::Method::POST,
            Method::Patch => reqwest::Method::PATCH,
        };
        let mut rb = self
            .client
            .request(method, format!("{}{}", self.base, req.path));
        for (k, v) in &req.headers {
            rb = rb.header(k, v);
        }
        let resp = rb.body(req.body).send().await.map_err(|e| {
            if e.is_timeout() {
                TransportError::Timeout
            } else {
                TransportError::Network(e.to_string())
            }
        })?;
        let status = resp.status().as_u16();
        let headers = resp
            .headers()
            .iter()
            .filter_map(|(k, v)| Some((k.as_str().to_owned(), v.to_str().ok()?.to_owned())))
            .collect();
        let body = resp
            .bytes()
            .await
            .map_err(|e| TransportError::Network(e.to_string()))?
            .to_vec();
        Ok(HttpResponse {
            status,
            headers,
            body,
        })
    }
}
