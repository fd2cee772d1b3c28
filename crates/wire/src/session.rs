//! One AMQP connection, sans-IO: bytes in → core commands; replies and events → bytes out.
//!
//! # Contract (call order)
//!
//! ```text
//! session.receive(bytes)                           // what the socket read
//! while let Some(cmd) = session.poll_command(now, &broker) {
//!     let result = broker.handle(now, cmd);        // the session never touches the broker
//!     session.handle_result(result);               // exactly once per command, before the next poll
//!     for event in broker events {                 // route each to the session it concerns
//!         sessions[recipient(&event)].handle_event(&event);
//!     }
//! }
//! write(session.take_output());                    // then close the socket if is_closed()
//! at session.poll_timeout(): session.handle_timeout(now), then poll_command again
//! ```
//!
//! The session decides everything about the protocol — the handshake, channel states, content
//! assembly, which frame answers which reply, where an error closes the channel and where the
//! connection — and the pumps (tokio natively, a WebSocket in the page) only move bytes. It
//! reads the broker only to check a login ([`Broker::check_login`]) and its message-size limit.
//!
//! Errors the session finds itself (frame errors, unexpected frames, a message over the size
//! limit) are answered on the wire first; the session then hands the core the command that
//! makes the core forget what the client lost (`CloseConnection` / `ChannelClose`), and
//! swallows that command's reply and the close event it causes.

mod inbound;
pub mod outbound;

use std::collections::BTreeMap;
use std::ops::Range;

use amq_protocol::protocol::{channel, connection, AMQPClass};
use amqp_playground_core::{
    Body, Broker, BrokerError, ChannelRef, Command, Compat, ConnectionId, ErrorScope, Millis,
    Properties, Reply,
};

use crate::codec::{self, Frame, PROTOCOL_HEADER};
use crate::handshake::{self, ClientCapabilities, ClientInfo, Credentials, Tune, FRAME_MIN_SIZE};

/// How a session behaves; the defaults are RabbitMQ's.
#[derive(Clone, Debug, PartialEq)]
pub struct SessionConfig {
    /// Which RabbitMQ to look like (server properties, limits).
    pub compat: Compat,
    /// What the server proposes in `connection.tune`.
    pub tune: Tune,
    /// The peer connected over loopback (users in `loopback_users` may only log in so).
    pub peer_is_loopback: bool,
    /// Users allowed from loopback only (RabbitMQ's `loopback_users`: `guest`).
    pub loopback_users: Vec<String>,
    /// Milliseconds from the protocol header to `connection.open` before the socket is
    /// dropped (RabbitMQ's `handshake_timeout`, 10 s).
    pub handshake_timeout: u64,
    /// Milliseconds to wait for `close-ok` after the server sent `connection.close` when the
    /// heartbeat is not 1–29 s (RabbitMQ's `?CLOSING_TIMEOUT`, 30 s).
    pub close_timeout: u64,
    /// Largest message body accepted (RabbitMQ's `max_message_size`).
    pub max_message_size: u64,
}

impl SessionConfig {
    /// RabbitMQ's defaults for `compat`: 128 MiB messages on 3.10, 16 MiB on 4.x.
    pub fn for_compat(compat: Compat) -> Self {
        SessionConfig {
            compat,
            tune: Tune::default(),
            peer_is_loopback: true,
            loopback_users: vec!["guest".into()],
            handshake_timeout: 10_000,
            close_timeout: 30_000,
            max_message_size: match compat {
                Compat::RabbitMq310 => 128 * 1024 * 1024,
                _ => 16 * 1024 * 1024,
            },
        }
    }
}

impl Default for SessionConfig {
    fn default() -> Self {
        SessionConfig::for_compat(Compat::default())
    }
}

/// Where the connection is in its life.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Phase {
    /// Waiting for the 8-byte protocol header.
    Header,
    /// `connection.start` sent.
    StartOk,
    /// `connection.tune` sent.
    TuneOk(Box<Credentials>),
    /// Tuned; waiting for `connection.open`.
    Open(Box<Credentials>),
    /// `connection.open` handed to the core; waiting for its reply.
    Opening,
    /// Channels may be used.
    Running,
    /// The server sent `connection.close`; everything but `close-ok` is discarded.
    Closing { since: Millis },
    /// Done: flush the output, then close the socket.
    Closed,
}

/// A channel as the wire sees it.
#[derive(Debug)]
struct WireChannel {
    /// The server sent `channel.close` and waits for `close-ok`; frames are discarded.
    closing: bool,
    content: Content,
}

/// Content assembly of a `basic.publish` (method, header, body frames).
#[derive(Debug)]
enum Content {
    Idle,
    /// Publish seen; the header comes next.
    Header(Box<inbound::PendingPublish>),
    /// Header seen; `size` body bytes come next.
    Body {
        publish: Box<inbound::PendingPublish>,
        properties: Box<Properties>,
        size: u64,
        bytes: Vec<u8>,
    },
}

/// What to do with the result of the command the session handed out.
#[derive(Debug)]
enum Expect {
    /// A channel method: answer with its `-ok` (unless `nowait`), or close on error.
    Method {
        channel: u16,
        class_id: u16,
        method_id: u16,
        nowait: bool,
    },
    /// `connection.open`.
    Open,
    /// The client's `connection.close`.
    ClientClose,
    /// A command the session issued for its own bookkeeping: its result is not the client's.
    Internal,
}

/// One AMQP 0-9-1 connection (see the module docs for the call order).
#[derive(Debug)]
pub struct Session {
    config: SessionConfig,
    phase: Phase,
    input: Vec<u8>,
    /// Bytes of `input` already decoded.
    consumed: usize,
    out: Vec<u8>,
    tune: Tune,
    capabilities: ClientCapabilities,
    client: ClientInfo,
    connection: Option<ConnectionId>,
    user: String,
    channels: BTreeMap<u16, WireChannel>,
    expect: Option<Expect>,
    /// `prefetch_size` of the `basic.qos` being handled (`amq-protocol` drops the field; we
    /// read it from the frame so that a non-zero size gets RabbitMQ's 540).
    qos_prefetch_size: u32,
    /// Where the payload of the frame being handled sits in `input` (quoted by some errors).
    payload: Range<usize>,
    /// Why the connection ended, for the server's log (RabbitMQ logs what it does not send).
    close_reason: Option<String>,
    /// A fatal frame error put the stream out of step: further bytes are discarded.
    input_dead: bool,
    /// Commands the session issues on its own, before reading more input.
    queued: Vec<(Command, Expect)>,
    started: Millis,
    now: Millis,
    last_received: Millis,
    last_sent: Millis,
}

impl Session {
    /// A session for a socket that has just been accepted at `now`.
    pub fn new(now: Millis, config: SessionConfig) -> Self {
        Session {
            phase: Phase::Header,
            input: Vec::new(),
            consumed: 0,
            out: Vec::new(),
            tune: Tune {
                channel_max: config.tune.channel_max,
                frame_max: FRAME_MIN_SIZE,
                heartbeat: 0,
            },
            capabilities: ClientCapabilities::default(),
            client: ClientInfo::default(),
            connection: None,
            user: String::new(),
            channels: BTreeMap::new(),
            expect: None,
            qos_prefetch_size: 0,
            payload: 0..0,
            close_reason: None,
            input_dead: false,
            queued: Vec::new(),
            started: now,
            now,
            last_received: now,
            last_sent: now,
            config,
        }
    }

    /// The core's id of this connection, once `connection.open` succeeded.
    pub fn connection(&self) -> Option<ConnectionId> {
        self.connection
    }

    /// Who the client says it is (empty before `connection.start-ok`).
    pub fn client(&self) -> &ClientInfo {
        &self.client
    }

    /// Channels open now.
    pub fn open_channels(&self) -> usize {
        self.channels.len()
    }

    /// The user that logged in (empty before `connection.start-ok`).
    pub fn user(&self) -> &str {
        &self.user
    }

    /// Nothing more will be read or written: flush [`Session::take_output`], then close the
    /// socket.
    pub fn is_closed(&self) -> bool {
        self.phase == Phase::Closed && self.queued.is_empty()
    }

    /// Bytes read from the socket. The pump bounds how much it reads before the session has
    /// consumed it (see `poll_command`), so the buffer stays within one read plus one frame.
    pub fn receive(&mut self, bytes: &[u8]) {
        if self.input_dead || self.phase == Phase::Closed {
            return;
        }
        if self.consumed > 0 && self.consumed == self.input.len() {
            self.input.clear();
            self.consumed = 0;
        } else if self.consumed > 64 * 1024 {
            self.input.drain(..self.consumed);
            self.consumed = 0;
        }
        self.input.extend_from_slice(bytes);
    }

    /// Bytes not yet decoded (the pump stops reading while this is large).
    pub fn buffered(&self) -> usize {
        self.input.len() - self.consumed
    }

    /// Everything to write to the socket, in order.
    pub fn take_output(&mut self) -> Vec<u8> {
        if !self.out.is_empty() {
            self.last_sent = self.now;
        }
        std::mem::take(&mut self.out)
    }

    /// Bytes waiting to be written.
    pub fn output_len(&self) -> usize {
        self.out.len()
    }

    /// The server closes the connection (`code`, `text`: e.g. 320 CONNECTION_FORCED at
    /// shutdown): `connection.close` is written, and the command that cleans up the core's
    /// side is returned (hand it to the broker, then call [`Session::handle_result`]).
    pub fn close(&mut self, code: u16, text: String) -> Option<Command> {
        if self.phase != Phase::Running {
            self.phase = Phase::Closed;
            return self.connection_lost();
        }
        self.close_connection(code, text, 0, 0)
    }

    /// The socket closed (or broke) without a close handshake: the command that makes the
    /// core clean up (requeue unacked deliveries, delete exclusive queues), if any.
    pub fn connection_lost(&mut self) -> Option<Command> {
        self.phase = Phase::Closed;
        self.channels.clear();
        self.queued.clear();
        let connection = self.connection.take()?;
        self.expect = Some(Expect::Internal);
        Some(amqp_playground_core::CloseConnection { connection }.into())
    }

    /// The next command for the broker, decoding as many frames as that takes; `None` when
    /// more bytes are needed (or the connection is closed). Frames that need no broker
    /// (heartbeats, the handshake up to `connection.open`, protocol errors) are answered
    /// here, into the output.
    pub fn poll_command(&mut self, now: Millis, broker: &Broker) -> Option<Command> {
        self.now = self.now.max(now);
        debug_assert!(self.expect.is_none(), "handle_result was not called");
        loop {
            // The session's own commands (core cleanup) go first, even once it is closed.
            if !self.queued.is_empty() {
                let (command, expect) = self.queued.remove(0);
                self.expect = Some(expect);
                return Some(command);
            }
            if matches!(self.phase, Phase::Closed) {
                return None;
            }
            if self.phase == Phase::Header {
                self.read_protocol_header()?;
                continue;
            }
            let available = &self.input[self.consumed..];
            let decoded = match codec::decode(available, self.tune.frame_max) {
                Ok(None) => return None,
                Ok(Some((frame, n))) => {
                    let start = self.consumed;
                    self.consumed += n;
                    self.payload = start + codec::FRAME_HEADER_SIZE..start + n - 1;
                    if let Frame::Method(_, m) = &frame {
                        if ids(m) == (60, 10) {
                            // type, channel, size (7), class, method (4), then prefetch_size.
                            let at = self.payload.start + 4;
                            self.qos_prefetch_size = self
                                .input
                                .get(at..at + 4)
                                .map_or(0, |b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]));
                        }
                    }
                    Decoded::from_frame(frame, start)
                }
                Err(e) => {
                    if e.is_fatal() {
                        // Out of step: nothing after this can be framed (RabbitMQ stops reading).
                        self.input_dead = true;
                        self.consumed = self.input.len();
                    } else {
                        // The whole bad frame is in: skip exactly it, so what follows (a
                        // close-ok) counts however the bytes were split.
                        let at = self.consumed;
                        let size = u32::from_be_bytes([
                            self.input[at + 3],
                            self.input[at + 4],
                            self.input[at + 5],
                            self.input[at + 6],
                        ]) as usize;
                        self.consumed = (at + codec::FRAME_OVERHEAD + size).min(self.input.len());
                    }
                    if !matches!(self.phase, Phase::Running | Phase::Open(_)) {
                        // Before tune-ok RabbitMQ sends nothing and closes (handle_exception).
                        self.silent_close(e.reply_text());
                        continue;
                    }
                    let (class_id, method_id) = e.method();
                    let command =
                        self.close_connection(e.reply_code(), e.reply_text(), class_id, method_id);
                    if e.is_fatal() {
                        // Nothing more can be read, close-ok included: RabbitMQ closes the
                        // socket after a fatal frame error whether or not close-ok came.
                        self.phase = Phase::Closed;
                    }
                    if let Some(command) = command {
                        return Some(command);
                    }
                    continue;
                }
            };
            self.last_received = self.now;
            if let Some(command) = self.handle_frame(decoded, broker) {
                return Some(command);
            }
        }
    }

    /// The broker's answer to the command `poll_command` returned last.
    pub fn handle_result(&mut self, result: Result<Reply, BrokerError>) {
        let Some(expect) = self.expect.take() else {
            debug_assert!(false, "a result without a command");
            return;
        };
        match (expect, result) {
            (Expect::Internal, _) => {}
            (Expect::Open, Ok(Reply::Connected(id))) => {
                self.connection = Some(id);
                self.phase = Phase::Running;
                codec::write_method(
                    &mut self.out,
                    0,
                    AMQPClass::Connection(connection::AMQPMethod::OpenOk(connection::OpenOk {})),
                );
            }
            (Expect::Open, Err(e)) => {
                self.close_connection(e.reply_code(), e.reply_text(), 10, 40);
            }
            (Expect::Open, Ok(other)) => {
                debug_assert!(false, "connection.open answered {other:?}");
            }
            (Expect::ClientClose, _) => {
                self.connection = None;
                codec::write_method(
                    &mut self.out,
                    0,
                    AMQPClass::Connection(connection::AMQPMethod::CloseOk(connection::CloseOk {})),
                );
                self.phase = Phase::Closed;
            }
            (
                Expect::Method {
                    channel,
                    class_id,
                    method_id,
                    nowait,
                },
                result,
            ) => match result {
                Ok(reply) => self.write_reply(channel, reply, nowait),
                Err(e) => self.fail(channel, class_id, method_id, &e),
            },
        }
    }

    /// Why the connection ended, when the session knows (protocol errors, timeouts, refused
    /// logins — including the ones RabbitMQ answers with a silent close).
    pub fn close_reason(&self) -> Option<&str> {
        self.close_reason.as_deref()
    }

    /// Closes the socket without a frame, as RabbitMQ does for errors before `tune-ok`; the
    /// reason goes to the log only.
    fn silent_close(&mut self, reason: String) {
        self.close_reason.get_or_insert(reason);
        self.drop_connection();
    }

    /// RabbitMQ's closing timeout: the heartbeat if it is 1–29 s, otherwise 30 s.
    fn closing_timeout(&self) -> u64 {
        match self.tune.heartbeat {
            hb @ 1..=29 => u64::from(hb) * 1000,
            _ => self.config.close_timeout,
        }
    }

    /// The next moment [`Session::handle_timeout`] has something to do.
    pub fn poll_timeout(&self) -> Option<Millis> {
        match self.phase {
            Phase::Closed => None,
            Phase::Closing { since } => Some(Millis(since.0 + self.closing_timeout())),
            Phase::Running => {
                let hb = u64::from(self.tune.heartbeat) * 1000;
                (hb > 0)
                    .then(|| Millis((self.last_sent.0 + hb / 2).min(self.last_received.0 + 2 * hb)))
            }
            _ => Some(Millis(self.started.0 + self.config.handshake_timeout)),
        }
    }

    /// Lets time pass: heartbeats are sent, a silent peer or a handshake that takes too long
    /// closes the connection (then `poll_command` hands the core its cleanup).
    pub fn handle_timeout(&mut self, now: Millis) {
        self.now = self.now.max(now);
        let now = self.now.0;
        match self.phase {
            Phase::Closed => {}
            Phase::Closing { since } => {
                if now >= since.0 + self.closing_timeout() {
                    self.close_reason
                        .get_or_insert("no close-ok from the client".into());
                    self.drop_connection();
                }
            }
            Phase::Running => {
                let hb = u64::from(self.tune.heartbeat) * 1000;
                if hb == 0 {
                    return;
                }
                // RabbitMQ closes the socket after two missed intervals, without a frame.
                if now >= self.last_received.0 + 2 * hb {
                    self.close_reason = Some(format!(
                        "missed heartbeats from client, timeout: {}s",
                        hb / 1000
                    ));
                    self.drop_connection();
                } else if now >= self.last_sent.0 + hb / 2 && self.out.is_empty() {
                    codec::write_heartbeat(&mut self.out);
                }
            }
            _ => {
                if now >= self.started.0 + self.config.handshake_timeout {
                    self.close_reason = Some("handshake_timeout".into());
                    self.drop_connection();
                }
            }
        }
    }

    /// Closes the socket with no frame, cleaning up the core's side.
    fn drop_connection(&mut self) {
        self.phase = Phase::Closed;
        self.channels.clear();
        if let Some(connection) = self.connection.take() {
            self.queued.push((
                amqp_playground_core::CloseConnection { connection }.into(),
                Expect::Internal,
            ));
        }
    }

    /// Reads the protocol header; `None` while fewer than 8 bytes are in.
    fn read_protocol_header(&mut self) -> Option<()> {
        let available = &self.input[self.consumed..];
        if available.len() < PROTOCOL_HEADER.len() {
            return None;
        }
        let header: [u8; 8] = available[..8].try_into().expect("8 bytes");
        self.consumed += 8;
        // 0-9-1, or the 0-9 header RabbitMQ treats as 0-9-1.
        if header == PROTOCOL_HEADER || header == *b"AMQP\x01\x01\x00\x09" {
            codec::write_method(
                &mut self.out,
                0,
                AMQPClass::Connection(connection::AMQPMethod::Start(handshake::start(
                    self.config.compat,
                ))),
            );
            self.phase = Phase::StartOk;
        } else {
            // AMQP 0-9-1 §4.2.2: answer with a protocol we speak and close the socket. RabbitMQ
            // 4.x answers AMQP 1.0's header unless the client asked for 0-9-x or later.
            let asks_091 = header.starts_with(b"AMQP\x00\x00") && header[6] >= 9;
            let reply: &[u8; 8] = match self.config.compat {
                Compat::RabbitMq310 => &PROTOCOL_HEADER,
                _ if asks_091 => &PROTOCOL_HEADER,
                _ => b"AMQP\x03\x01\x00\x00",
            };
            self.out.extend_from_slice(reply);
            self.close_reason = Some(format!(
                "bad protocol header {:?}",
                String::from_utf8_lossy(&header)
            ));
            self.phase = Phase::Closed;
        }
        Some(())
    }

    /// Sends `connection.close` and waits for `close-ok`; returns the core's cleanup command.
    fn close_connection(
        &mut self,
        code: u16,
        text: String,
        class_id: u16,
        method_id: u16,
    ) -> Option<Command> {
        if matches!(self.phase, Phase::Closing { .. } | Phase::Closed) {
            return None;
        }
        self.close_reason.get_or_insert_with(|| text.clone());
        codec::write_method(
            &mut self.out,
            0,
            AMQPClass::Connection(connection::AMQPMethod::Close(connection::Close {
                reply_code: code,
                reply_text: short(text),
                class_id,
                method_id,
            })),
        );
        self.phase = Phase::Closing { since: self.now };
        self.channels.clear();
        let connection = self.connection.take()?;
        self.expect = Some(Expect::Internal);
        Some(amqp_playground_core::CloseConnection { connection }.into())
    }

    /// A command failed: close the channel or the connection as its scope says. The core has
    /// closed its side already.
    fn fail(&mut self, channel: u16, class_id: u16, method_id: u16, e: &BrokerError) {
        match e.scope() {
            ErrorScope::Connection => {
                // The core closed the connection itself: no cleanup command needed.
                self.connection = None;
                self.close_connection(e.reply_code(), e.reply_text(), class_id, method_id);
            }
            ErrorScope::Channel => self.send_channel_close(
                channel,
                e.reply_code(),
                e.reply_text(),
                class_id,
                method_id,
            ),
        }
    }

    fn send_channel_close(
        &mut self,
        channel: u16,
        code: u16,
        text: String,
        class_id: u16,
        method_id: u16,
    ) {
        let Some(ch) = self.channels.get_mut(&channel) else {
            return;
        };
        if ch.closing {
            return;
        }
        ch.closing = true;
        ch.content = Content::Idle;
        codec::write_method(
            &mut self.out,
            channel,
            AMQPClass::Channel(channel::AMQPMethod::Close(channel::Close {
                reply_code: code,
                reply_text: short(text),
                class_id,
                method_id,
            })),
        );
    }

    /// A channel error the session found (the core's channel is still open): close it on the
    /// wire and in the core.
    fn channel_error(
        &mut self,
        channel: u16,
        code: u16,
        text: String,
        class_id: u16,
        method_id: u16,
    ) {
        self.send_channel_close(channel, code, text, class_id, method_id);
        if let Some(connection) = self.connection {
            self.queued.push((
                amqp_playground_core::ChannelClose {
                    channel: ChannelRef::new(connection, channel),
                }
                .into(),
                Expect::Internal,
            ));
        }
    }

    fn channel_ref(&self, channel: u16) -> ChannelRef {
        ChannelRef::new(self.connection.unwrap_or(ConnectionId(u64::MAX)), channel)
    }

    fn handle_frame(&mut self, frame: Decoded, broker: &Broker) -> Option<Command> {
        match std::mem::replace(&mut self.phase, Phase::Closed) {
            Phase::Closing { since } => {
                self.phase = Phase::Closing { since };
                // Everything but the client's close-ok (or its own close) is discarded.
                if let Decoded::Method(0, method) = frame {
                    match *method {
                        AMQPClass::Connection(connection::AMQPMethod::CloseOk(_)) => {
                            self.phase = Phase::Closed;
                        }
                        AMQPClass::Connection(connection::AMQPMethod::Close(_)) => {
                            codec::write_method(
                                &mut self.out,
                                0,
                                AMQPClass::Connection(connection::AMQPMethod::CloseOk(
                                    connection::CloseOk {},
                                )),
                            );
                        }
                        _ => {}
                    }
                }
                None
            }
            Phase::Running => {
                self.phase = Phase::Running;
                self.running_frame(frame)
            }
            handshake_phase => self.handshake_frame(handshake_phase, frame, broker),
        }
    }

    fn handshake_frame(
        &mut self,
        phase: Phase,
        frame: Decoded,
        broker: &Broker,
    ) -> Option<Command> {
        let method = match frame {
            Decoded::Method(0, method) => *method,
            Decoded::Heartbeat(0) => {
                self.phase = phase;
                return None;
            }
            _ => {
                // Before the connection is open only connection methods on channel 0 are
                // valid. Before tune-ok RabbitMQ closes without a frame; after it, 505.
                let tuned = matches!(phase, Phase::Open(_));
                self.phase = phase;
                let text = format!(
                    "UNEXPECTED_FRAME - type {}, {}",
                    frame.type_octet(),
                    codec::octets_snippet(&self.input[self.payload.clone()])
                );
                if tuned {
                    return self.close_connection(505, text, 0, 0);
                }
                self.silent_close(text);
                return None;
            }
        };
        use connection::AMQPMethod as M;
        match (phase, method) {
            (Phase::StartOk, AMQPClass::Connection(M::StartOk(ok))) => {
                self.capabilities =
                    ClientCapabilities::from_client_properties(&ok.client_properties);
                self.client = ClientInfo::from_client_properties(&ok.client_properties);
                let mechanism = ok.mechanism.as_str().to_owned();
                let login =
                    handshake::credentials(&mechanism, ok.response.as_bytes()).and_then(|c| {
                        let loopback_only = self.config.loopback_users.contains(&c.user);
                        if (loopback_only && !self.config.peer_is_loopback)
                            || !broker.check_login(&c.user, &c.password)
                        {
                            Err(handshake::LoginError {
                                why: handshake::login_refused(c.mechanism),
                                refused: true,
                            })
                        } else {
                            Ok(c)
                        }
                    });
                match login {
                    Ok(credentials) => {
                        self.user = credentials.user.clone();
                        let t = self.config.tune;
                        codec::write_method(
                            &mut self.out,
                            0,
                            AMQPClass::Connection(M::Tune(connection::Tune {
                                channel_max: t.channel_max,
                                frame_max: t.frame_max,
                                heartbeat: t.heartbeat,
                            })),
                        );
                        self.phase = Phase::TuneOk(Box::new(credentials));
                    }
                    Err(handshake::LoginError { why, refused }) => {
                        self.phase = Phase::StartOk;
                        // Only a refused login, and only for a client that asked for
                        // authentication_failure_close, gets a frame (rabbit_reader:auth_fail).
                        if refused && self.capabilities.authentication_failure_close {
                            self.close_connection(403, format!("ACCESS_REFUSED - {why}"), 0, 0);
                        } else {
                            self.silent_close(why);
                        }
                    }
                }
                None
            }
            (Phase::TuneOk(credentials), AMQPClass::Connection(M::TuneOk(ok))) => {
                match handshake::check_tune_ok(self.config.tune, &ok) {
                    Ok(tune) => {
                        self.tune = tune;
                        if self.tune.frame_max == 0 {
                            self.tune.frame_max = self.config.tune.frame_max;
                        }
                        self.phase = Phase::Open(credentials);
                    }
                    Err(why) => {
                        // RabbitMQ logs "failed to negotiate connection parameters" and closes
                        // without a frame (the error escapes handle_exception's tuning clause).
                        self.phase = Phase::TuneOk(credentials);
                        self.silent_close(format!(
                            "failed to negotiate connection parameters: {why}"
                        ));
                    }
                }
                None
            }
            (Phase::Open(credentials), AMQPClass::Connection(M::Open(open))) => {
                self.phase = Phase::Opening;
                self.expect = Some(Expect::Open);
                Some(
                    amqp_playground_core::Connect {
                        user: credentials.user.as_str().into(),
                        password: credentials.password.clone(),
                        vhost: open.virtual_host.as_str().into(),
                    }
                    .into(),
                )
            }
            (phase, other) => {
                let tuned = matches!(phase, Phase::Open(_));
                self.phase = phase;
                let (class_id, method_id) = ids(&other);
                let text = format!(
                    "CHANNEL_ERROR - unexpected method in connection state {}",
                    if tuned { "opening" } else { "starting" }
                );
                if tuned {
                    return self.close_connection(504, text, class_id, method_id);
                }
                self.silent_close(text);
                None
            }
        }
    }
}

/// A decoded frame whose body is named by its place in the input buffer (so the session can
/// borrow the buffer and its channels at once).
enum Decoded {
    Method(u16, Box<AMQPClass>),
    Header(u16, Box<amq_protocol::frame::AMQPContentHeader>),
    Body(u16, Range<usize>),
    Heartbeat(u16),
}

impl Decoded {
    /// The frame type octet.
    fn type_octet(&self) -> u8 {
        match self {
            Decoded::Method(..) => codec::FRAME_METHOD,
            Decoded::Header(..) => codec::FRAME_HEADER,
            Decoded::Body(..) => codec::FRAME_BODY,
            Decoded::Heartbeat(..) => codec::FRAME_HEARTBEAT,
        }
    }

    fn from_frame(frame: Frame<'_>, start: usize) -> Self {
        match frame {
            Frame::Method(c, m) => Decoded::Method(c, m),
            Frame::Header(c, h) => Decoded::Header(c, h),
            Frame::Body(c, bytes) => {
                let at = start + codec::FRAME_HEADER_SIZE;
                Decoded::Body(c, at..at + bytes.len())
            }
            Frame::Heartbeat(c) => Decoded::Heartbeat(c),
        }
    }
}

/// Class and method ids of a method.
pub(crate) fn ids(method: &AMQPClass) -> (u16, u16) {
    (method.get_amqp_class_id(), method.get_amqp_method_id())
}

/// A reply text as a short string: over 255 bytes it keeps 252 and gets `...`, as RabbitMQ's
/// `rabbit_binary_generator` cuts it (the core's texts are cut the same way already).
pub(crate) fn short(text: String) -> amq_protocol::types::ShortString {
    let mut text = text;
    if text.len() > 255 {
        let mut cut = 252;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
        text.push_str("...");
    }
    text.into()
}

/// Turns a completed publish into the core's command.
fn publish_command(
    channel: ChannelRef,
    publish: inbound::PendingPublish,
    properties: Properties,
    body: Body,
) -> Command {
    amqp_playground_core::BasicPublish {
        channel,
        exchange: publish.exchange.into(),
        routing_key: publish.routing_key,
        mandatory: publish.mandatory,
        immediate: publish.immediate,
        properties,
        body,
    }
    .into()
}
