//! A native AMQP 0-9-1 server on the AMQP Playground broker core: tokio pumps around the
//! wire crate's sans-IO session. Real time drives the core's virtual clock, so TTLs, queue
//! leases and heartbeats fire on time.
//!
//! # Contract
//!
//! - Listens where [`ServerConfig::listen`] says (loopback unless told otherwise; tests bind
//!   `127.0.0.1:0` and read [`Server::local_addr`]).
//! - One hub task owns the broker and every session (`hub.rs`); connection tasks only move
//!   bytes (`server.rs`). Every buffer between tasks is bounded.
//! - Shutdown (the future given to [`Server::run`], or [`ServerHandle::stop`]) closes every
//!   connection with `320 CONNECTION_FORCED`, waits up to a second for close-ok, and returns.
//! - One log line per connection open and close on stderr (unless [`ServerConfig::log`] is off).
//!
//! # Layout
//!
//! - [`hub`]: the broker task (sessions, event routing, timers, flushing, back-pressure).
//! - `server.rs`: the accept loop and the per-socket reader and writer.
//! - `tests/`: `conformance.rs` (the same raw bytes to this server and to RabbitMQ 3.10.8,
//!   replies compared), `shutdown.rs`; `examples/latency_probe.rs`: a thin-client latency
//!   probe (BENCHMARKS.md).
//!
//! # Example
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use amqp_playground_server::{Server, ServerConfig};
//! let server = Server::bind(ServerConfig::default()).await?;
//! println!("AMQP listening on {}", server.local_addr());
//! server.run(async { tokio::signal::ctrl_c().await.ok(); }).await;
//! # Ok(()) }
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod hub;
mod server;

use std::future::Future;
use std::net::SocketAddr;

use amqp_playground_core::{Broker, Compat, Config, Permission, User, VhostName};
use amqp_playground_wire::SessionConfig;
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// How to run a server.
#[derive(Clone, Debug)]
pub struct ServerConfig {
    /// Where to listen (default `127.0.0.1:5673`: 5672 belongs to a real RabbitMQ).
    pub listen: SocketAddr,
    /// Which RabbitMQ to behave like.
    pub compat: Compat,
    /// Users besides `guest`/`guest` (each with full permissions on `/`).
    pub users: Vec<(String, String)>,
    /// Most connections at once; further clients wait in the accept queue.
    pub max_connections: usize,
    /// Print one line per connection open and close on stderr.
    pub log: bool,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 5673)),
            compat: Compat::default(),
            users: Vec::new(),
            max_connections: 1024,
            log: true,
        }
    }
}

impl ServerConfig {
    /// The broker configuration: RabbitMQ's defaults for the profile plus the extra users.
    pub fn broker_config(&self) -> Config {
        let mut config = Config::with_compat(self.compat);
        config.max_message_size = SessionConfig::for_compat(self.compat).max_message_size;
        for (name, password) in &self.users {
            config.users.retain(|u| u.name.as_str() != name);
            config.users.push(User {
                name: name.as_str().into(),
                password: password.clone(),
                permissions: vec![Permission::full(VhostName::from("/"))],
            });
        }
        config
    }
}

/// A bound, not yet running server.
pub struct Server {
    listener: TcpListener,
    config: ServerConfig,
}

impl Server {
    /// Binds the listening socket.
    pub async fn bind(config: ServerConfig) -> std::io::Result<Server> {
        let listener = TcpListener::bind(config.listen).await?;
        Ok(Server { listener, config })
    }

    /// The address it listens on (the real port when `listen` had port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    /// Serves until `shutdown` completes, then closes every connection (320) and returns.
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        let broker = Broker::new(self.config.broker_config());
        let session = SessionConfig::for_compat(self.config.compat);
        let stop = CancellationToken::new();
        let (inputs, inputs_rx) = mpsc::channel(1024);
        let hub = hub::Hub::new(broker, session, self.config.log);
        let hub = tokio::spawn(hub.run(inputs_rx, stop.clone()));
        let accept = tokio::spawn(server::accept_loop(
            self.listener,
            inputs,
            self.config.max_connections,
            stop.clone(),
        ));
        shutdown.await;
        stop.cancel();
        let _ = accept.await;
        let _ = hub.await;
    }
}

/// A server running on its own thread (for tests and embedding): [`ServerHandle::stop`] or
/// dropping the handle shuts it down.
pub struct ServerHandle {
    addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl ServerHandle {
    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `amqp://guest:guest@ADDR/%2f`.
    pub fn url(&self) -> String {
        format!("amqp://guest:guest@{}/%2f", self.addr)
    }

    /// Shuts the server down and waits for it.
    pub fn stop(mut self) {
        self.shut();
    }

    fn shut(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for ServerHandle {
    fn drop(&mut self) {
        self.shut();
    }
}

/// Starts a server on a thread of its own with a two-worker tokio runtime.
pub fn spawn(config: ServerConfig) -> std::io::Result<ServerHandle> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let server = runtime.block_on(Server::bind(config))?;
    let addr = server.local_addr();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let thread = std::thread::Builder::new()
        .name("amqp-playground-server".into())
        .spawn(move || {
            runtime.block_on(server.run(async {
                let _ = stopped.await;
            }));
        })?;
    Ok(ServerHandle {
        addr,
        stop: Some(stop),
        thread: Some(thread),
    })
}
