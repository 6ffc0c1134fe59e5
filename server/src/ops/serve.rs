//! `zhifa-server serve`: the sync API over HTTPS (rustls), or plain HTTP on
//! a loopback address only; the hourly evidence housekeeping; the limits
//! of docs/PROTOCOL.md ("Limits"). The first stdout line is
//! `{"listening": URL}` for scripts and tests.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{Context, bail};
use zhifa_server::{Service, api};

use super::runtime;

/// The flags of `serve`.
#[derive(Debug, clap::Args)]
pub(crate) struct ServeArgs {
    /// Address to listen on, e.g. 127.0.0.1:8443 or 0.0.0.0:443.
    #[arg(long, value_name = "ADDR")]
    listen: SocketAddr,
    /// Publish the sample catalogue and write demo enrolment codes.
    #[arg(long)]
    demo: bool,
    /// TLS certificate chain (PEM). Required unless ADDR is loopback.
    #[arg(long, value_name = "PEM", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// TLS private key (PEM).
    #[arg(long, value_name = "PEM", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// The centre's public base URL as citizens' phones reach it (e.g.
    /// https://zhifa.example.cn): the 核验 QR of every document the server
    /// renders links to URL/d/{hash}. Default: http://ADDR when ADDR is
    /// loopback (the demo, whose devices enrol with that URL); otherwise
    /// none, and the QR carries the text payload ZHIFA-DOC:1:….
    #[arg(long, value_name = "URL")]
    public_url: Option<String>,
    #[command(flatten)]
    oidc: OidcArgs,
    #[command(flatten)]
    limits: LimitArgs,
}

/// The government SSO (OpenID Connect); off unless --oidc-issuer is given.
#[derive(Debug, clap::Args)]
struct OidcArgs {
    /// The provider's issuer URL (discovery at
    /// ISSUER/.well-known/openid-configuration); https, or http on a
    /// loopback address only.
    #[arg(long, value_name = "URL", requires_all = ["oidc_client_id", "oidc_client_secret_file", "oidc_redirect_url"])]
    oidc_issuer: Option<String>,
    /// This centre's client id at the provider.
    #[arg(long, value_name = "ID")]
    oidc_client_id: Option<String>,
    /// A file whose first line is the client secret (never a flag).
    #[arg(long, value_name = "FILE")]
    oidc_client_secret_file: Option<PathBuf>,
    /// The redirect URI registered at the provider:
    /// https://CENTRE/v1/console/sso/callback.
    #[arg(long, value_name = "URL")]
    oidc_redirect_url: Option<String>,
}

impl OidcArgs {
    fn config(self) -> anyhow::Result<Option<zhifa_server::session::sso::SsoConfig>> {
        let (Some(issuer), Some(client_id), Some(secret_file), Some(redirect_url)) = (
            self.oidc_issuer,
            self.oidc_client_id,
            self.oidc_client_secret_file,
            self.oidc_redirect_url,
        ) else {
            return Ok(None);
        };
        let loopback_http = issuer.starts_with("http://127.0.0.1")
            || issuer.starts_with("http://localhost")
            || issuer.starts_with("http://[::1]");
        if !issuer.starts_with("https://") && !loopback_http {
            bail!("--oidc-issuer {issuer}: expected an https:// URL");
        }
        let secret = std::fs::read_to_string(&secret_file)
            .with_context(|| format!("reading {}", secret_file.display()))?;
        let client_secret = secret.lines().next().unwrap_or_default().trim().to_owned();
        if client_secret.is_empty() {
            bail!("{}: the client secret is empty", secret_file.display());
        }
        Ok(Some(zhifa_server::session::sso::SsoConfig {
            issuer,
            client_id,
            client_secret,
            redirect_url,
        }))
    }
}

/// The limits of `serve` (docs/PROTOCOL.md, "Limits").
#[derive(Debug, clap::Args)]
struct LimitArgs {
    /// The largest evidence original an upload may declare, in bytes
    /// (default 4 GiB, the device's own limit: ~30 minutes of 1080p video).
    #[arg(long, value_name = "BYTES", default_value_t = zhifa_server::edges::Limits::DEFAULT_MAX_UPLOAD_BYTES)]
    max_upload_bytes: u64,
    /// Leased numbers one device may hold unused, per series and year.
    #[arg(long, value_name = "N", default_value_t = 2_000)]
    lease_max_outstanding: i64,
    /// Numbers one device may be granted in 24 hours, per series and year.
    #[arg(long, value_name = "N", default_value_t = 5_000)]
    lease_max_per_day: i64,
    /// Requests a minute one client IP may send to the public endpoints
    /// (`/v/*`, the 亮码 rating, `/v1/enrol`); 0 turns the limit off.
    #[arg(long, value_name = "N", default_value_t = 60)]
    public_rate_per_minute: u32,
    /// The burst allowed on top of that rate.
    #[arg(long, value_name = "N", default_value_t = 20)]
    public_burst: u32,
    /// Seconds a client has to send a request's whole header; also the
    /// idle time after which a keep-alive connection is closed.
    #[arg(long, value_name = "SECS", default_value_t = 10)]
    header_timeout_secs: u64,
    /// Connections one client IP may hold open at once.
    #[arg(long, value_name = "N", default_value_t = 64)]
    max_connections_per_ip: usize,
    /// Minutes without a request after which a console session ends.
    #[arg(long, value_name = "MIN", default_value_t = 30)]
    console_idle_minutes: i64,
    /// Hours after sign-in at which a console session ends regardless.
    #[arg(long, value_name = "H", default_value_t = 12)]
    console_session_hours: i64,
    /// Failed console sign-ins in a row that lock the account.
    #[arg(long, value_name = "N", default_value_t = 5)]
    console_max_failures: i64,
    /// Minutes a locked console account stays locked.
    #[arg(long, value_name = "MIN", default_value_t = 15)]
    console_lockout_minutes: i64,
}

impl LimitArgs {
    fn limits(&self) -> anyhow::Result<zhifa_server::edges::Limits> {
        if self.lease_max_outstanding < 1 || self.lease_max_per_day < 1 {
            bail!("--lease-max-outstanding and --lease-max-per-day must be at least 1");
        }
        if self.header_timeout_secs < 1 || self.max_connections_per_ip < 1 {
            bail!("--header-timeout-secs and --max-connections-per-ip must be at least 1");
        }
        if !(1..=24 * 60).contains(&self.console_idle_minutes)
            || !(1..=72).contains(&self.console_session_hours)
            || !(1..=100).contains(&self.console_max_failures)
            || !(1..=24 * 60).contains(&self.console_lockout_minutes)
        {
            bail!(
                "--console-idle-minutes and --console-lockout-minutes must be 1–1440, \
                 --console-session-hours 1–72, --console-max-failures 1–100"
            );
        }
        Ok(zhifa_server::edges::Limits {
            max_upload_bytes: self.max_upload_bytes,
            lease: zhifa_server::edges::LeaseQuota {
                max_outstanding: self.lease_max_outstanding,
                max_per_day: self.lease_max_per_day,
            },
            public_per_minute: self.public_rate_per_minute,
            public_burst: self.public_burst,
            header_timeout: std::time::Duration::from_secs(self.header_timeout_secs),
            max_connections_per_ip: self.max_connections_per_ip,
            console: zhifa_server::session::Policy {
                idle: chrono::Duration::minutes(self.console_idle_minutes),
                lifetime: chrono::Duration::hours(self.console_session_hours),
                max_failures: self.console_max_failures,
                lockout: chrono::Duration::minutes(self.console_lockout_minutes),
            },
        })
    }
}

/// Runs `serve` until Ctrl-C (then a graceful shutdown of up to 10 s).
pub(crate) fn run(service: Service, args: ServeArgs) -> anyhow::Result<()> {
    let ServeArgs {
        listen,
        demo,
        tls_cert,
        tls_key,
        public_url,
        oidc,
        limits,
    } = args;
    let sso = oidc.config()?;
    let limits = limits.limits()?;
    let public_url = match public_url {
        Some(u) if u.starts_with("https://") || u.starts_with("http://") => Some(u),
        Some(u) => bail!("--public-url {u}: expected an http:// or https:// URL"),
        None if listen.ip().is_loopback() && tls_cert.is_none() => Some(format!("http://{listen}")),
        None if listen.ip().is_loopback() => Some(format!("https://{listen}")),
        None => {
            tracing::warn!(
                "no --public-url: documents rendered here carry the text 核验 payload, not a link"
            );
            None
        }
    };
    let service = service
        .with_limits(limits.clone())
        .with_public_url(public_url);
    if let Some(cfg) = sso {
        tracing::info!(issuer = %cfg.issuer, "government SSO (OpenID Connect) on");
        let sso = zhifa_server::session::sso::Sso::new(cfg)
            .map_err(|e| anyhow::anyhow!("the SSO client: {e}"))?;
        service.state.set_sso(Some(sso));
    }
    if demo {
        let officers = service.demo()?;
        eprintln!(
            "demo: {} enrolment codes written to {}",
            officers.len(),
            service.data.join("demo-enrolment.json").display()
        );
        let staff = service.demo_staff()?;
        eprintln!(
            "demo: {} console accounts (password + TOTP) written under \"staff\" in the same file",
            staff.len()
        );
    }
    serve(service, listen, tls_cert.zip(tls_key), &limits)
}

fn serve(
    service: Service,
    listen: SocketAddr,
    tls: Option<(PathBuf, PathBuf)>,
    limits: &zhifa_server::edges::Limits,
) -> anyhow::Result<()> {
    if tls.is_none() && !listen.ip().is_loopback() {
        bail!(
            "refusing plain HTTP on non-loopback address {listen}: pass --tls-cert and --tls-key (rustls), \
             or listen on 127.0.0.1 / [::1]"
        );
    }
    runtime()?.block_on(async move {
        let app = api::router(service.state.clone());
        tokio::spawn(hourly_gc(service.state.clone()));
        tokio::spawn(cockpit_upkeep(service.state.clone()));
        // A misconfigured or unreachable store is reported at once; the
        // service still starts (pushes, leases and the inbox need no store;
        // uploads answer `unavailable` until it is back).
        match service.state.blobs.head(&"0".repeat(64)).await {
            Ok(_) => tracing::info!(evidence = %service.state.blobs.describe(), "evidence store reachable"),
            Err(e) => tracing::error!(code = e.code(), error = %e, evidence = %service.state.blobs.describe(), "evidence store not reachable"),
        }
        let std_listener =
            std::net::TcpListener::bind(listen).with_context(|| format!("binding {listen}"))?;
        std_listener.set_nonblocking(true)?;
        let local = std_listener.local_addr()?;
        let scheme = if tls.is_some() { "https" } else { "http" };
        // The first stdout line tells scripts and tests where we listen.
        println!(
            "{}",
            serde_json::json!({ "listening": format!("{scheme}://{local}") })
        );
        tracing::info!(%local, scheme, "serving");
        let config = match tls {
            Some((cert, key)) => {
                let _ = rustls::crypto::ring::default_provider().install_default();
                Some(
                    axum_server::tls_rustls::RustlsConfig::from_pem_file(&cert, &key)
                        .await
                        .with_context(|| {
                            format!("loading TLS {} / {}", cert.display(), key.display())
                        })?,
                )
            }
            None => None,
        };
        let handle = axum_server::Handle::new();
        let stop = handle.clone();
        tokio::spawn(async move {
            let _ = tokio::signal::ctrl_c().await;
            stop.graceful_shutdown(Some(std::time::Duration::from_secs(10)));
        });
        zhifa_server::serve::serve(app, std_listener, config, limits, handle).await?;
        Ok(())
    })
}

/// The supervision cockpit's stored answer kept up every minute
/// (`supervise::cockpit::upkeep`: the marked townships, and everything
/// again every quarter of an hour and when the day changes).
async fn cockpit_upkeep(state: std::sync::Arc<zhifa_server::api::AppState>) {
    let mut every = tokio::time::interval(std::time::Duration::from_secs(60));
    loop {
        every.tick().await;
        let st = state.clone();
        let run = tokio::task::spawn_blocking(move || {
            zhifa_server::supervise::cockpit::upkeep(&st.store, st.clock.now())
        })
        .await;
        match run {
            Ok(Ok(true)) => tracing::info!("supervision cockpit recomputed"),
            Ok(Ok(false)) => {}
            Ok(Err(e)) => {
                tracing::warn!(code = e.code(), error = %e, "supervision cockpit upkeep failed")
            }
            Err(e) => tracing::warn!(error = %e, "supervision cockpit upkeep panicked"),
        }
    }
}

/// Evidence housekeeping every hour with the default policy (one
/// collector among the servers of a deployment: the others skip).
async fn hourly_gc(state: std::sync::Arc<zhifa_server::api::AppState>) {
    let mut every = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        every.tick().await;
        let st = state.clone();
        let run = zhifa_server::gc::collect(
            &st.store,
            &st.blobs,
            zhifa_server::gc::GcPolicy::default(),
            st.clock.now(),
        )
        .await;
        match run {
            Ok(r) => tracing::info!(
                uploads_expired = r.uploads_expired,
                blobs_collected = r.blobs_collected,
                bytes_freed = r.bytes_freed,
                "evidence gc"
            ),
            Err(e) => tracing::warn!(code = e.kind.code(), "evidence gc failed"),
        }
    }
}
