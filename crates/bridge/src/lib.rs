//! `amqp-playground bridge`: real AMQP 0-9-1 clients, run by the broker in a browser page.
//!
//! # Contract
//!
//! - **One loopback process, three doors.** It serves the built page (`dist/`), a WebSocket
//!   endpoint for that page, and an AMQP port for clients (`send.py`, `worker.py`, …). Each
//!   client's bytes are relayed, one frame per WebSocket message, to the page, where the wire
//!   session (compiled to wasm) runs it against the page's broker core. The bridge decides
//!   nothing about AMQP (see `amqp-playground-relay` for the protocol between the two).
//! - **One page holds it.** The first page to open the control socket runs every client; a
//!   second page is told which one holds it. When the holding page closes or reloads, its
//!   clients get `320 CONNECTION_FORCED - page closed` and the next page can take over.
//!   Clients that connect while no page is open wait up to 30 s for one.
//! - **Safe by default.** Loopback addresses unless others are given; the per-run token on every
//!   socket; `Host` checked on every request and `Origin` on every socket; frames larger than
//!   131,072 octets are refused (by the page's session, as `serve` refuses them); credit-based
//!   flow so a flooding client is slowed by TCP, never buffered without bound. The page can
//!   make the bridge connect nowhere but the `--upstream` it was started with.
//! - **Verify.** With `--upstream amqp://…`, the page's scenario runs on that RabbitMQ (unique
//!   names, deleted afterwards) and the page shows both outcomes ([`verify`]).
//! - **Stopping** (Ctrl-C, [`BridgeHandle::stop`]) closes every client with
//!   `320 CONNECTION_FORCED` and tells the page, which keeps its scenario.
//!
//! # Layout
//! - [`guard`]: token, `Host` and `Origin` checks.
//! - [`hub`]: which page holds the bridge, and the clients waiting for it.
//! - [`relay`]: the pump between one client's TCP socket and its WebSocket.
//! - [`http`]: the router (page files, control socket, connection sockets).
//! - [`verify`]: scripts on the upstream RabbitMQ.
//!
//! # Example
//! ```no_run
//! # async fn run() -> std::io::Result<()> {
//! use amqp_playground_bridge::{Bridge, BridgeConfig};
//!
//! let bridge = Bridge::bind(BridgeConfig {
//!     amqp: "127.0.0.1:0".parse().unwrap(),
//!     http: "127.0.0.1:0".parse().unwrap(),
//!     ..BridgeConfig::default()
//! })
//! .await?;
//! println!("Open {}", bridge.page_url());
//! bridge.run(async { tokio::signal::ctrl_c().await.unwrap() }).await
//! # }
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod guard;
pub mod http;
pub mod hub;
pub mod relay;
pub mod verify;

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use amqp_playground_relay::control::TOKEN_PARAM;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::guard::Guard;
use crate::hub::{Hub, PENDING_TIMEOUT};

/// How long stopping waits for relays to close their clients.
const STOP_GRACE: Duration = Duration::from_millis(1500);

/// What a bridge listens on and where it finds things.
#[derive(Clone, Debug)]
pub struct BridgeConfig {
    /// The AMQP port for real clients.
    pub amqp: SocketAddr,
    /// The page and its sockets.
    pub http: SocketAddr,
    /// A real RabbitMQ for Verify (`amqp://user:pass@host:port/vhost`).
    pub upstream: Option<String>,
    /// The built page (trunk's `dist/`).
    pub dist: PathBuf,
    /// Origins besides the bridge's own that may open sockets (a docs site, say).
    pub allow_origins: Vec<String>,
    /// The token; a fresh random one when `None`.
    pub token: Option<String>,
    /// One line per page and connection on stderr.
    pub log: bool,
}

impl Default for BridgeConfig {
    fn default() -> Self {
        BridgeConfig {
            amqp: SocketAddr::from(([127, 0, 0, 1], 5673)),
            http: SocketAddr::from(([127, 0, 0, 1], 8080)),
            upstream: None,
            dist: PathBuf::from("dist"),
            allow_origins: Vec::new(),
            token: None,
            log: true,
        }
    }
}

/// A bound bridge, not yet serving.
pub struct Bridge {
    amqp: TcpListener,
    http: TcpListener,
    config: BridgeConfig,
    guard: Arc<Guard>,
    hub: Arc<Hub>,
    shutdown: CancellationToken,
    upstream_version: Option<String>,
}

impl Bridge {
    /// Binds both ports and checks the page is built.
    pub async fn bind(config: BridgeConfig) -> io::Result<Bridge> {
        if !config.dist.join("index.html").is_file() {
            return Err(io::Error::new(
                io::ErrorKind::NotFound,
                format!(
                    "no built page at {}: build it with `trunk build --release` \
                     (or start the bridge with `bash scripts/serve.sh --bridge`)",
                    config.dist.join("index.html").display()
                ),
            ));
        }
        let amqp = TcpListener::bind(config.amqp).await?;
        let http = TcpListener::bind(config.http).await?;
        let token = match &config.token {
            Some(t) => t.clone(),
            None => guard::new_token()?,
        };
        let guard = Arc::new(Guard::new(http.local_addr()?, token, &config.allow_origins));
        let shutdown = CancellationToken::new();
        let upstream_version = match &config.upstream {
            Some(url) => verify::upstream_version(url).await,
            None => None,
        };
        let page_url = page_url(guard.http(), guard.token());
        Ok(Bridge {
            upstream_version,
            amqp,
            http,
            hub: Arc::new(Hub::new(config.log, page_url)),
            config,
            guard,
            shutdown,
        })
    }

    /// The page address to open, with the token.
    pub fn page_url(&self) -> String {
        self.hub.page_url.clone()
    }

    /// Where the page is served.
    pub fn http_addr(&self) -> SocketAddr {
        self.http
            .local_addr()
            .expect("a bound listener has an address")
    }

    /// The upstream's version (`None` without `--upstream`, or when it could not be reached).
    pub fn upstream_version(&self) -> Option<&str> {
        self.upstream_version.as_deref()
    }

    /// Where real clients connect.
    pub fn amqp_addr(&self) -> SocketAddr {
        self.amqp
            .local_addr()
            .expect("a bound listener has an address")
    }

    /// Serves until `stop` completes, then closes every client with 320 and returns.
    pub async fn run(self, stop: impl Future<Output = ()>) -> io::Result<()> {
        let app = http::App {
            hub: self.hub.clone(),
            guard: self.guard.clone(),
            upstream: self.config.upstream.clone(),
            amqp: self.amqp_addr().to_string(),
            upstream_version: self.upstream_version.clone(),
            shutdown: self.shutdown.clone(),
        };
        let router = http::router(app, self.config.dist.clone());
        let quit = self.shutdown.clone();
        // Frames are small and latency is what the learner watches: no Nagle delay.
        let listener = axum::serve::ListenerExt::tap_io(self.http, |tcp| {
            let _ = tcp.set_nodelay(true);
        });
        let http = axum::serve(listener, router).with_graceful_shutdown(async move {
            quit.cancelled().await;
        });
        let http = tokio::spawn(async move { http.await });
        let accept = tokio::spawn(accept(self.amqp, self.hub.clone(), self.shutdown.clone()));
        stop.await;
        self.shutdown.cancel();
        accept.abort();
        // Relays close their clients (320, a short wait for close-ok) before the server returns.
        match tokio::time::timeout(STOP_GRACE, http).await {
            Ok(Ok(result)) => result,
            _ => Ok(()),
        }
    }
}

/// `http://ADDR/?bridge=TOKEN`.
fn page_url(http: SocketAddr, token: &str) -> String {
    format!("http://{http}/?{TOKEN_PARAM}={token}")
}

/// Accepts AMQP clients: each waits in the hub for the page to open its socket.
async fn accept(listener: TcpListener, hub: Arc<Hub>, shutdown: CancellationToken) {
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    hub.log(&format!("accept failed: {e}"));
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            _ = shutdown.cancelled() => return,
        };
        let _ = stream.set_nodelay(true);
        match hub.arrive(stream, peer) {
            Ok(conn) => {
                if !hub.held() {
                    hub.log(&format!(
                        "connection {conn} from {peer} waits for a page: open {}",
                        hub.page_url
                    ));
                }
                let hub = hub.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(PENDING_TIMEOUT).await;
                    if let Some(peer) = hub.expire(conn) {
                        hub.log(&format!(
                            "connection {conn} from {peer} dropped: no page took it in {} s (open {})",
                            PENDING_TIMEOUT.as_secs(),
                            hub.page_url
                        ));
                    }
                });
            }
            Err(_) => hub.log(&format!(
                "connection from {peer} refused: too many clients waiting for a page"
            )),
        }
    }
}

/// A bridge running on its own task, for tests and embedding.
pub struct BridgeHandle {
    /// The page address with the token.
    pub page_url: String,
    /// The page's address.
    pub http: SocketAddr,
    /// The AMQP address.
    pub amqp: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<io::Result<()>>,
}

impl BridgeHandle {
    /// Stops the bridge and waits until it has closed its clients.
    pub async fn stop(mut self) -> io::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        (&mut self.task).await.map_err(io::Error::other)?
    }
}

/// Binds and runs a bridge on the current runtime.
pub async fn spawn(config: BridgeConfig) -> io::Result<BridgeHandle> {
    let bridge = Bridge::bind(config).await?;
    let (stop, stopped) = tokio::sync::oneshot::channel();
    let handle = BridgeHandle {
        page_url: bridge.page_url(),
        http: bridge.http_addr(),
        amqp: bridge.amqp_addr(),
        stop: Some(stop),
        task: tokio::spawn(bridge.run(async {
            let _ = stopped.await;
        })),
    };
    Ok(handle)
}
