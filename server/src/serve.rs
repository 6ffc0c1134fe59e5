//! Serving the router over TCP: plain HTTP (loopback) or rustls, both
//! through `axum-server`, with the connection edges of [`Limits`]:
//!
//! - **header-read timeout**: hyper closes a connection whose request
//!   header is not complete within [`Limits::header_timeout`] — a
//!   half-sent request (slowloris) or an idle keep-alive connection (hyper
//!   starts the same timer while it waits for the next request's head);
//! - **first byte**: a connection that sends nothing at all (where hyper's
//!   protocol sniffing would wait) is closed after the same time; a TLS
//!   handshake has that time too;
//! - **connections per client**: at most [`Limits::max_connections_per_ip`]
//!   open connections per peer IP address; more are closed at once;
//! - the peer address reaches the handlers as `ConnectInfo<SocketAddr>`
//!   (the public endpoints' rate limit, `edges::rate_limit`).

use std::collections::HashMap;
use std::future::Future;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum_server::Handle;
use axum_server::accept::{Accept, DefaultAcceptor};
use axum_server::tls_rustls::{RustlsAcceptor, RustlsConfig};
use hyper_util::rt::{TokioExecutor, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::time::Sleep;

use crate::edges::Limits;

/// Serves `app` on `listener` (already bound) until `handle` shuts it
/// down: rustls when `tls` is given, plain HTTP otherwise (the caller
/// refuses plain HTTP off loopback). The limits are the connection ones of
/// `limits`; the request ones are in the router's state.
pub async fn serve(
    app: Router,
    listener: std::net::TcpListener,
    tls: Option<RustlsConfig>,
    limits: &Limits,
    handle: Handle,
) -> io::Result<()> {
    listener.set_nonblocking(true)?;
    let conns = Connections::new(limits.max_connections_per_ip);
    let timeout = limits.header_timeout;
    let make = app.into_make_service_with_connect_info::<SocketAddr>();
    match tls {
        Some(config) => {
            let inner = RustlsAcceptor::new(config).handshake_timeout(timeout);
            let mut server = axum_server::from_tcp(listener)
                .acceptor(EdgeAcceptor {
                    inner,
                    conns,
                    timeout,
                })
                .handle(handle);
            configure(server.http_builder(), timeout);
            server.serve(make).await
        }
        None => {
            let mut server = axum_server::from_tcp(listener)
                .acceptor(EdgeAcceptor {
                    inner: DefaultAcceptor::new(),
                    conns,
                    timeout,
                })
                .handle(handle);
            configure(server.http_builder(), timeout);
            server.serve(make).await
        }
    }
}

/// HTTP/1 with hyper's header-read timeout (it needs a timer to run).
fn configure(builder: &mut Builder<TokioExecutor>, timeout: Duration) {
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(timeout)
        .keep_alive(true);
}

/// Open connections per peer IP address.
#[derive(Clone)]
struct Connections {
    max: usize,
    open: Arc<Mutex<HashMap<IpAddr, usize>>>,
}

impl Connections {
    fn new(max: usize) -> Self {
        Self {
            max,
            open: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    /// A slot for one more connection of `ip`, or `None` when it holds
    /// the maximum already.
    fn acquire(&self, ip: IpAddr) -> Option<Slot> {
        // A poisoned lock only means another connection's task panicked
        // while counting; the counts themselves stay usable.
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        let n = open.entry(ip).or_insert(0);
        if *n >= self.max {
            return None;
        }
        *n += 1;
        Some(Slot {
            ip,
            open: self.open.clone(),
        })
    }
}

/// One counted connection; released when the connection's stream drops.
struct Slot {
    ip: IpAddr,
    open: Arc<Mutex<HashMap<IpAddr, usize>>>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(n) = open.get_mut(&self.ip) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                open.remove(&self.ip);
            }
        }
    }
}

/// Counts the connection against its client's maximum, then runs the
/// inner acceptor (TLS or none) and wraps its stream with the first-byte
/// deadline.
#[derive(Clone)]
struct EdgeAcceptor<A> {
    inner: A,
    conns: Connections,
    timeout: Duration,
}

type AcceptFuture<St, Sv> = Pin<Box<dyn Future<Output = io::Result<(St, Sv)>> + Send>>;

impl<A, S> Accept<TcpStream, S> for EdgeAcceptor<A>
where
    A: Accept<TcpStream, S> + Clone + Send + Sync + 'static,
    A::Future: Send,
    A::Stream: Send + 'static,
    A::Service: Send + 'static,
    S: Send + 'static,
{
    type Stream = Guarded<A::Stream>;
    type Service = A::Service;
    type Future = AcceptFuture<Self::Stream, Self::Service>;

    fn accept(&self, stream: TcpStream, service: S) -> Self::Future {
        // No peer address (the socket already closed) counts as refused.
        let slot = stream
            .peer_addr()
            .ok()
            .and_then(|peer| self.conns.acquire(peer.ip()));
        let inner = self.inner.clone();
        let timeout = self.timeout;
        Box::pin(async move {
            let Some(slot) = slot else {
                tracing::warn!("connection refused: too many open connections from one client");
                return Err(io::Error::other("too many connections from this client"));
            };
            let (stream, service) = inner.accept(stream, service).await?;
            Ok((
                Guarded {
                    inner: stream,
                    _slot: slot,
                    first_byte: Some(Box::pin(tokio::time::sleep(timeout))),
                },
                service,
            ))
        })
    }
}

/// A connection's stream: holds its [`Slot`], and fails reads with
/// `TimedOut` when no byte at all arrived within the deadline (after the
/// first byte, hyper's header-read timeout takes over).
struct Guarded<S> {
    inner: S,
    _slot: Slot,
    first_byte: Option<Pin<Box<Sleep>>>,
}

impl<S: AsyncRead + Unpin> AsyncRead for Guarded<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        match Pin::new(&mut this.inner).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                if buf.filled().len() > before {
                    this.first_byte = None;
                }
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => {
                if let Some(deadline) = this.first_byte.as_mut()
                    && deadline.as_mut().poll(cx).is_ready()
                {
                    return Poll::Ready(Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        "no request within the header timeout",
                    )));
                }
                Poll::Pending
            }
        }
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Guarded<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}
