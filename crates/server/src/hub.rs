//! The hub: the one task that owns the broker and every connection's session.
//!
//! Connection tasks only move bytes: a reader sends what it read as [`Input::Data`], a writer
//! writes what the hub sends it. The hub feeds bytes to the connection's [`Session`], hands
//! the session's commands to the broker, routes the broker's events to the sessions they
//! concern ([`recipient`]), and flushes every session that has output — once per batch of
//! inputs, so many small frames leave in one write.
//!
//! One writer of broker state means no locks and the core's determinism per arrival order.
//! Back-pressure: a writer's channel is bounded; when it is full the hub waits (so every
//! reader's bounded input channel fills and TCP pushes back on publishers). A client that
//! stops reading for [`WRITE_STALL`] is disconnected instead of pausing everyone forever.

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use amqp_playground_core::{Broker, Command, ConnectionId, Millis};
use amqp_playground_wire::{recipient, Session, SessionConfig};
use tokio::sync::mpsc;

/// How long the hub waits for a client that does not read its socket.
pub const WRITE_STALL: Duration = Duration::from_secs(30);

/// Our id of an accepted socket (the core's [`ConnectionId`] exists only after
/// `connection.open`).
pub type SocketId = u64;

/// What connection tasks tell the hub.
#[derive(Debug)]
pub enum Input {
    /// A socket was accepted; `writer` takes its output.
    Accepted {
        /// Its id.
        id: SocketId,
        /// The peer.
        peer: SocketAddr,
        /// Where its output goes (`None` closes the socket after the writes before it).
        writer: mpsc::Sender<Option<Vec<u8>>>,
    },
    /// Bytes a socket read.
    Data(SocketId, Vec<u8>),
    /// The socket reached EOF or failed.
    Closed(SocketId, String),
}

struct Conn {
    session: Session,
    peer: SocketAddr,
    writer: mpsc::Sender<Option<Vec<u8>>>,
    /// The open/close log lines were printed.
    logged_open: bool,
    dirty: bool,
}

/// The broker and its sessions.
pub struct Hub {
    broker: Broker,
    session_config: SessionConfig,
    conns: BTreeMap<SocketId, Conn>,
    by_connection: HashMap<ConnectionId, SocketId>,
    started: Instant,
    log: bool,
}

impl Hub {
    /// A hub around `broker`; sessions get `session_config` (the peer's loopback flag is set
    /// per socket).
    pub fn new(mut broker: Broker, session_config: SessionConfig, log: bool) -> Self {
        // Only deliveries (plus returns and confirms) reach a client; the page's other
        // per-message events would be built only to be dropped.
        broker.set_message_event_level(amqp_playground_core::MessageEvents::Deliveries);
        Hub {
            broker,
            session_config,
            conns: BTreeMap::new(),
            by_connection: HashMap::new(),
            started: Instant::now(),
            log,
        }
    }

    /// Virtual time: milliseconds of real time since the server started.
    fn now(&self) -> Millis {
        Millis(self.started.elapsed().as_millis() as u64)
    }

    /// Runs until `inputs` closes or `shutdown` fires; then closes every connection with 320
    /// CONNECTION_FORCED and waits (briefly) for their close-ok.
    pub async fn run(
        mut self,
        mut inputs: mpsc::Receiver<Input>,
        shutdown: tokio_util::sync::CancellationToken,
    ) {
        loop {
            let deadline = self.next_deadline();
            tokio::select! {
                input = inputs.recv() => {
                    let Some(input) = input else { break };
                    self.apply(input);
                    // Take whatever else is already waiting, then flush once.
                    for _ in 0..256 {
                        match inputs.try_recv() {
                            Ok(input) => self.apply(input),
                            Err(_) => break,
                        }
                    }
                }
                _ = sleep_until(self.started, deadline) => self.timers(),
                _ = shutdown.cancelled() => break,
            }
            self.flush().await;
        }
        self.shut_down(inputs).await;
    }

    fn apply(&mut self, input: Input) {
        let now = self.now();
        match input {
            Input::Accepted { id, peer, writer } => {
                let mut config = self.session_config.clone();
                config.peer_is_loopback = peer.ip().is_loopback();
                self.conns.insert(
                    id,
                    Conn {
                        session: Session::new(now, config),
                        peer,
                        writer,
                        logged_open: false,
                        dirty: false,
                    },
                );
            }
            Input::Data(id, bytes) => {
                if let Some(conn) = self.conns.get_mut(&id) {
                    conn.session.receive(&bytes);
                    self.pump(id);
                }
            }
            Input::Closed(id, why) => {
                if let Some(mut conn) = self.conns.remove(&id) {
                    if let Some(core_id) = conn.session.connection() {
                        self.by_connection.remove(&core_id);
                    }
                    if let Some(command) = conn.session.connection_lost() {
                        self.execute(&mut conn.session, command);
                    }
                    if self.log {
                        let why = conn.session.close_reason().unwrap_or(&why).to_string();
                        eprintln!("connection {} closed: {why}", conn.peer);
                    }
                }
            }
        }
    }

    /// Runs a session's commands until it needs more bytes.
    fn pump(&mut self, id: SocketId) {
        let now = self.now();
        let Some(mut conn) = self.conns.remove(&id) else {
            return;
        };
        while let Some(command) = conn.session.poll_command(now, &self.broker) {
            self.execute(&mut conn.session, command);
        }
        if let Some(core_id) = conn.session.connection() {
            if !conn.logged_open {
                conn.logged_open = true;
                self.by_connection.insert(core_id, id);
                if self.log {
                    eprintln!(
                        "connection {} opened: user '{}'",
                        conn.peer,
                        conn.session.user()
                    );
                }
            }
        }
        conn.dirty = true;
        self.conns.insert(id, conn);
    }

    /// One command on the broker; its events go to the sessions they concern (the session
    /// that issued it is out of the map while it runs, so it is passed in).
    fn execute(&mut self, session: &mut Session, command: Command) {
        let result = self.broker.handle(self.now(), command);
        session.handle_result(result);
        self.route_events(Some(session));
    }

    fn route_events(&mut self, mut current: Option<&mut Session>) {
        while let Some(event) = self.broker.poll_event() {
            let Some(core_id) = recipient(&event) else {
                continue;
            };
            if let Some(session) = current.as_deref_mut() {
                if session.connection() == Some(core_id) {
                    session.handle_event(&event);
                    continue;
                }
            }
            let Some(sock) = self.by_connection.get(&core_id) else {
                continue;
            };
            if let Some(conn) = self.conns.get_mut(sock) {
                conn.session.handle_event(&event);
                conn.dirty = true;
            }
        }
    }

    fn next_deadline(&self) -> Option<Millis> {
        let sessions = self.conns.values().filter_map(|c| c.session.poll_timeout());
        self.broker.poll_timeout().into_iter().chain(sessions).min()
    }

    fn timers(&mut self) {
        let now = self.now();
        self.broker.handle_timeout(now);
        self.route_events(None);
        let due: Vec<SocketId> = self
            .conns
            .iter()
            .filter(|(_, c)| c.session.poll_timeout().is_some_and(|t| t <= now))
            .map(|(id, _)| *id)
            .collect();
        for id in due {
            if let Some(conn) = self.conns.get_mut(&id) {
                conn.session.handle_timeout(now);
            }
            self.pump(id);
        }
    }

    /// Sends every dirty session's output to its writer; closes finished sockets.
    async fn flush(&mut self) {
        let ids: Vec<SocketId> = self
            .conns
            .iter()
            .filter(|(_, c)| c.dirty || c.session.output_len() > 0 || c.session.is_closed())
            .map(|(id, _)| *id)
            .collect();
        for id in ids {
            let Some(conn) = self.conns.get_mut(&id) else {
                continue;
            };
            conn.dirty = false;
            let out = conn.session.take_output();
            let closed = conn.session.is_closed();
            let writer = conn.writer.clone();
            let mut ok = true;
            if !out.is_empty() {
                ok = send(&writer, Some(out)).await;
            }
            if closed || !ok {
                let _ = writer.try_send(None);
                if let Some(mut conn) = self.conns.remove(&id) {
                    self.by_connection.retain(|_, sock| *sock != id);
                    if let Some(command) = conn.session.connection_lost() {
                        self.execute(&mut conn.session, command);
                    }
                    if self.log && conn.logged_open {
                        let why = if ok {
                            "closed by the protocol"
                        } else {
                            "client stopped reading"
                        };
                        eprintln!("connection {} closed: {why}", conn.peer);
                    }
                }
            }
        }
    }

    /// Closes every connection with 320 and gives clients a moment to answer.
    async fn shut_down(mut self, mut inputs: mpsc::Receiver<Input>) {
        let ids: Vec<SocketId> = self.conns.keys().copied().collect();
        for id in ids {
            let Some(mut conn) = self.conns.remove(&id) else {
                continue;
            };
            let text =
                "CONNECTION_FORCED - broker forced connection closure with reason 'shutdown'";
            if let Some(command) = conn.session.close(320, text.into()) {
                self.execute(&mut conn.session, command);
            }
            conn.dirty = true;
            self.conns.insert(id, conn);
        }
        self.flush().await;
        let until = tokio::time::Instant::now() + Duration::from_millis(1000);
        while !self.conns.is_empty() {
            match tokio::time::timeout_at(until, inputs.recv()).await {
                Ok(Some(input)) => {
                    self.apply(input);
                    self.flush().await;
                }
                _ => break,
            }
        }
        for conn in self.conns.values() {
            let _ = conn.writer.try_send(None);
        }
    }
}

/// Sends to a writer, waiting at most [`WRITE_STALL`]; false when the client is gone or stuck.
async fn send(writer: &mpsc::Sender<Option<Vec<u8>>>, bytes: Option<Vec<u8>>) -> bool {
    match writer.try_send(bytes) {
        Ok(()) => true,
        Err(mpsc::error::TrySendError::Closed(_)) => false,
        Err(mpsc::error::TrySendError::Full(bytes)) => {
            matches!(
                tokio::time::timeout(WRITE_STALL, writer.send(bytes)).await,
                Ok(Ok(()))
            )
        }
    }
}

async fn sleep_until(started: Instant, deadline: Option<Millis>) {
    match deadline {
        Some(at) => {
            let at = started + Duration::from_millis(at.0);
            tokio::time::sleep_until(tokio::time::Instant::from_std(at)).await;
        }
        None => std::future::pending::<()>().await,
    }
}
