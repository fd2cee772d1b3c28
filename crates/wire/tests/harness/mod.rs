//! A tiny in-memory network for session tests: clients that write frames with
//! `amq-protocol`'s generators, sessions pumped against one broker exactly as the server's hub
//! pumps them, and the sessions' output decoded back into frames.
//!
//! ```text
//! client bytes ──receive──▶ Session ──poll_command──▶ Broker::handle ──▶ handle_result
//!                              ▲                          │ poll_event
//!                              └──handle_event◀── recipient(&event) == session.connection()
//! frames(id) ◀── codec::decode ◀── take_output
//! ```
//!
//! Time is virtual: [`Net::advance_to`] wakes every session (and the broker) at each deadline
//! it reports, in order, as a pump that sleeps until `poll_timeout` would.
#![allow(dead_code)] // each test file uses a different part of the harness

use amq_protocol::frame::{gen_frame, AMQPContentHeader, AMQPFrame, WriteContext};
use amq_protocol::protocol::basic::AMQPProperties;
pub use amq_protocol::protocol::{basic, channel, confirm, connection, queue, AMQPClass};
use amq_protocol::types::{AMQPValue, FieldTable, LongString, ShortString};
use amqp_playground_core::{Broker, Config, Event, Millis, QueueInfo, QueueName, VhostName};
use amqp_playground_wire::codec::{self, Frame, PROTOCOL_HEADER};
use amqp_playground_wire::{recipient, Session, SessionConfig};

/// Index of a client in the [`Net`].
pub type Id = usize;

/// A frame the server wrote, owned.
#[derive(Clone, Debug, PartialEq)]
pub enum Out {
    /// The 8 bytes of a protocol header (the answer to a header we do not speak).
    ProtocolHeader([u8; 8]),
    /// A method on a channel.
    Method(u16, AMQPClass),
    /// A content header.
    Header(u16, AMQPContentHeader),
    /// A content body frame.
    Body(u16, Vec<u8>),
    /// A heartbeat.
    Heartbeat(u16),
}

/// One client socket: the server's session, and the bytes it wrote that the client has not
/// read yet.
pub struct Client {
    pub session: Session,
    unread: Vec<u8>,
}

/// How a client logs in.
#[derive(Clone, Debug)]
pub struct Login {
    pub user: String,
    pub password: String,
    pub vhost: String,
    /// `client_properties.capabilities` set to true.
    pub capabilities: Vec<&'static str>,
    pub channel_max: u16,
    pub frame_max: u32,
    pub heartbeat: u16,
}

impl Default for Login {
    fn default() -> Self {
        Login {
            user: "guest".into(),
            password: "guest".into(),
            vhost: "/".into(),
            capabilities: vec![
                "authentication_failure_close",
                "consumer_cancel_notify",
                "publisher_confirms",
                "basic.nack",
            ],
            channel_max: 2047,
            frame_max: 131_072,
            heartbeat: 0,
        }
    }
}

/// One broker and the sessions connected to it.
pub struct Net {
    pub broker: Broker,
    pub now: Millis,
    clients: Vec<Client>,
    events: Vec<Event>,
}

impl Default for Net {
    fn default() -> Self {
        Net::new()
    }
}

impl Net {
    /// RabbitMQ's out-of-the-box broker (`Config::default()`).
    pub fn new() -> Self {
        Net::with_broker(Config::default())
    }

    pub fn with_broker(config: Config) -> Self {
        Net {
            broker: Broker::new(config),
            now: Millis(0),
            clients: Vec::new(),
            events: Vec::new(),
        }
    }

    /// A socket was accepted: a fresh session, no bytes yet.
    pub fn accept(&mut self, config: SessionConfig) -> Id {
        self.clients.push(Client {
            session: Session::new(self.now, config),
            unread: Vec::new(),
        });
        self.clients.len() - 1
    }

    /// A logged-in client with the default session config (handshake frames consumed).
    pub fn connect(&mut self) -> Id {
        self.connect_with(SessionConfig::default(), &Login::default())
    }

    /// A logged-in client; panics unless the handshake ends in `open-ok`.
    pub fn connect_with(&mut self, config: SessionConfig, login: &Login) -> Id {
        let id = self.accept(config);
        self.send_bytes(id, &PROTOCOL_HEADER);
        self.send_method(id, 0, start_ok(login));
        self.send_method(id, 0, tune_ok(login));
        self.send_method(id, 0, open(&login.vhost));
        let frames = self.frames(id);
        assert!(
            matches!(
                frames.last(),
                Some(Out::Method(
                    0,
                    AMQPClass::Connection(connection::AMQPMethod::OpenOk(_))
                ))
            ),
            "handshake did not end in open-ok: {frames:?}"
        );
        id
    }

    pub fn session(&self, id: Id) -> &Session {
        &self.clients[id].session
    }

    pub fn session_mut(&mut self, id: Id) -> &mut Session {
        &mut self.clients[id].session
    }

    /// Every broker event so far (routed or not), oldest first.
    pub fn events(&self) -> &[Event] {
        &self.events
    }

    /// The client writes raw bytes; the sessions run until they need more.
    pub fn send_bytes(&mut self, id: Id, bytes: &[u8]) {
        self.clients[id].session.receive(bytes);
        self.pump();
    }

    /// The client writes one frame.
    pub fn send(&mut self, id: Id, frame: AMQPFrame) {
        self.send_bytes(id, &encode(&frame));
    }

    pub fn send_method(&mut self, id: Id, channel: u16, method: AMQPClass) {
        self.send(id, AMQPFrame::Method(channel, method));
    }

    /// What the server wrote to client `id` since the last read, decoded.
    pub fn frames(&mut self, id: Id) -> Vec<Out> {
        decode_all(&std::mem::take(&mut self.clients[id].unread))
    }

    /// What the server wrote to client `id` since the last read, as bytes.
    pub fn bytes(&mut self, id: Id) -> Vec<u8> {
        std::mem::take(&mut self.clients[id].unread)
    }

    /// Virtual time passes to `t`; every deadline on the way fires in order.
    pub fn advance_to(&mut self, t: u64) {
        for _ in 0..100_000 {
            let next = self
                .clients
                .iter()
                .filter_map(|c| c.session.poll_timeout())
                .chain(self.broker.poll_timeout())
                .min();
            match next {
                Some(at) if at.0 <= t => {
                    self.now = self.now.max(at);
                    self.fire();
                }
                _ => {
                    self.now = Millis(t);
                    self.fire();
                    return;
                }
            }
        }
        panic!("timers did not settle before {t} ms");
    }

    /// Virtual time passes by `ms`.
    pub fn advance(&mut self, ms: u64) {
        self.advance_to(self.now.0 + ms);
    }

    fn fire(&mut self) {
        let now = self.now;
        self.broker.handle_timeout(now);
        self.route();
        for c in &mut self.clients {
            if c.session.poll_timeout().is_some_and(|t| t <= now) {
                c.session.handle_timeout(now);
            }
        }
        self.pump();
    }

    /// The socket of `id` broke: the session's cleanup runs on the broker.
    pub fn drop_socket(&mut self, id: Id) {
        if let Some(command) = self.clients[id].session.connection_lost() {
            let result = self.broker.handle(self.now, command);
            self.clients[id].session.handle_result(result);
            self.route();
        }
        self.pump();
    }

    /// Runs every session's commands until none has one (the hub's loop, for all sockets).
    fn pump(&mut self) {
        loop {
            let mut ran = false;
            for id in 0..self.clients.len() {
                while let Some(command) = self.clients[id]
                    .session
                    .poll_command(self.now, &self.broker)
                {
                    ran = true;
                    let result = self.broker.handle(self.now, command);
                    self.clients[id].session.handle_result(result);
                    self.route();
                }
            }
            if !ran {
                break;
            }
        }
        for c in &mut self.clients {
            let out = c.session.take_output();
            c.unread.extend_from_slice(&out);
        }
    }

    /// Each broker event goes to the session it concerns (`recipient`).
    fn route(&mut self) {
        while let Some(event) = self.broker.poll_event() {
            if let Some(to) = recipient(&event) {
                for c in &mut self.clients {
                    if c.session.connection() == Some(to) {
                        c.session.handle_event(&event);
                    }
                }
            }
            self.events.push(event);
        }
    }

    // ---- the story verbs -------------------------------------------------------------

    /// `channel.open`, expecting `open-ok`.
    pub fn open_channel(&mut self, id: Id, ch: u16) {
        self.send_method(
            id,
            ch,
            AMQPClass::Channel(channel::AMQPMethod::Open(channel::Open {})),
        );
        let frames = self.frames(id);
        assert!(
            matches!(
                frames.as_slice(),
                [Out::Method(c, AMQPClass::Channel(channel::AMQPMethod::OpenOk(_)))] if *c == ch
            ),
            "channel.open {ch}: {frames:?}"
        );
    }

    /// `queue.declare` (plain), expecting `declare-ok`.
    pub fn declare(&mut self, id: Id, ch: u16, queue: &str) {
        self.send_method(id, ch, declare(queue));
        let frames = self.frames(id);
        assert!(
            matches!(
                frames.as_slice(),
                [Out::Method(
                    _,
                    AMQPClass::Queue(queue::AMQPMethod::DeclareOk(_))
                )]
            ),
            "queue.declare {queue}: {frames:?}"
        );
    }

    /// `basic.consume`, expecting `consume-ok` first; returns the frames after it (deliveries
    /// of messages already in the queue).
    pub fn consume(&mut self, id: Id, ch: u16, queue: &str, tag: &str, no_ack: bool) -> Vec<Out> {
        self.send_method(id, ch, consume(queue, tag, no_ack));
        let mut frames = self.frames(id);
        assert!(
            matches!(
                frames.first(),
                Some(Out::Method(
                    _,
                    AMQPClass::Basic(basic::AMQPMethod::ConsumeOk(_))
                ))
            ),
            "basic.consume {queue}: {frames:?}"
        );
        frames.remove(0);
        frames
    }

    /// `basic.publish` with its content: a header and one body frame per piece.
    pub fn publish(&mut self, id: Id, ch: u16, exchange: &str, key: &str, pieces: &[&[u8]]) {
        let size = pieces.iter().map(|p| p.len() as u64).sum();
        self.send_method(id, ch, publish(exchange, key, false));
        self.send(id, header(ch, size, AMQPProperties::default()));
        for piece in pieces {
            self.send(id, AMQPFrame::Body(ch, piece.to_vec()));
        }
    }

    /// A queue of vhost `/`.
    pub fn queue(&self, name: &str) -> Option<QueueInfo> {
        self.broker
            .queue(&VhostName::from("/"), &QueueName::from(name))
    }
}

// ---- frames a client writes ----------------------------------------------------------

/// A frame as bytes (what a client writes).
pub fn encode(frame: &AMQPFrame) -> Vec<u8> {
    gen_frame(frame)(WriteContext::from(Vec::new()))
        .expect("the client's frame encodes")
        .write
}

/// A method frame as bytes.
pub fn method_bytes(channel: u16, method: AMQPClass) -> Vec<u8> {
    encode(&AMQPFrame::Method(channel, method))
}

/// A frame from its parts: type, channel, payload, end octet 0xCE.
pub fn raw_frame(frame_type: u8, channel: u16, payload: &[u8]) -> Vec<u8> {
    let mut f = vec![frame_type];
    f.extend_from_slice(&channel.to_be_bytes());
    f.extend_from_slice(&(payload.len() as u32).to_be_bytes());
    f.extend_from_slice(payload);
    f.push(0xCE);
    f
}

/// `client_properties` with `capabilities` set to true.
pub fn client_properties(capabilities: &[&str]) -> FieldTable {
    let mut caps = FieldTable::default();
    for c in capabilities {
        caps.insert(ShortString::from(*c), AMQPValue::Boolean(true));
    }
    let mut props = FieldTable::default();
    props.insert("product".into(), AMQPValue::LongString("harness".into()));
    props.insert("capabilities".into(), AMQPValue::FieldTable(caps));
    props
}

pub fn start_ok(login: &Login) -> AMQPClass {
    let response = format!("\0{}\0{}", login.user, login.password);
    AMQPClass::Connection(connection::AMQPMethod::StartOk(connection::StartOk {
        client_properties: client_properties(&login.capabilities),
        mechanism: "PLAIN".into(),
        response: LongString::from(response.as_bytes()),
        locale: "en_US".into(),
    }))
}

pub fn tune_ok(login: &Login) -> AMQPClass {
    AMQPClass::Connection(connection::AMQPMethod::TuneOk(connection::TuneOk {
        channel_max: login.channel_max,
        frame_max: login.frame_max,
        heartbeat: login.heartbeat,
    }))
}

pub fn open(vhost: &str) -> AMQPClass {
    AMQPClass::Connection(connection::AMQPMethod::Open(connection::Open {
        virtual_host: vhost.into(),
    }))
}

pub fn declare(queue: &str) -> AMQPClass {
    AMQPClass::Queue(queue::AMQPMethod::Declare(queue::Declare {
        queue: queue.into(),
        passive: false,
        durable: false,
        exclusive: false,
        auto_delete: false,
        nowait: false,
        arguments: FieldTable::default(),
    }))
}

pub fn publish(exchange: &str, key: &str, mandatory: bool) -> AMQPClass {
    AMQPClass::Basic(basic::AMQPMethod::Publish(basic::Publish {
        exchange: exchange.into(),
        routing_key: key.into(),
        mandatory,
        immediate: false,
    }))
}

pub fn header(channel: u16, body_size: u64, properties: AMQPProperties) -> AMQPFrame {
    AMQPFrame::Header(
        channel,
        AMQPContentHeader {
            class_id: 60,
            body_size,
            properties,
        },
    )
}

pub fn consume(queue: &str, tag: &str, no_ack: bool) -> AMQPClass {
    AMQPClass::Basic(basic::AMQPMethod::Consume(basic::Consume {
        queue: queue.into(),
        consumer_tag: tag.into(),
        no_local: false,
        no_ack,
        exclusive: false,
        nowait: false,
        arguments: FieldTable::default(),
    }))
}

pub fn ack(delivery_tag: u64) -> AMQPClass {
    AMQPClass::Basic(basic::AMQPMethod::Ack(basic::Ack {
        delivery_tag,
        multiple: false,
    }))
}

pub fn close_ok() -> AMQPClass {
    AMQPClass::Connection(connection::AMQPMethod::CloseOk(connection::CloseOk {}))
}

pub fn channel_close_ok() -> AMQPClass {
    AMQPClass::Channel(channel::AMQPMethod::CloseOk(channel::CloseOk {}))
}

// ---- reading what the server wrote ---------------------------------------------------

/// Decodes a server's output; panics on bytes that are not frames (the server's bug).
pub fn decode_all(bytes: &[u8]) -> Vec<Out> {
    let mut frames = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at..].starts_with(b"AMQP") && bytes.len() - at >= 8 {
            frames.push(Out::ProtocolHeader(bytes[at..at + 8].try_into().unwrap()));
            at += 8;
            continue;
        }
        match codec::decode(&bytes[at..], 0) {
            Ok(Some((frame, n))) => {
                frames.push(match frame {
                    Frame::Method(c, m) => Out::Method(c, *m),
                    Frame::Header(c, h) => Out::Header(c, *h),
                    Frame::Body(c, b) => Out::Body(c, b.to_vec()),
                    Frame::Heartbeat(c) => Out::Heartbeat(c),
                });
                at += n;
            }
            other => panic!("server wrote an undecodable frame at {at}: {other:?}"),
        }
    }
    frames
}

/// The `connection.close` among `frames`: (code, text, class, method).
pub fn connection_close(frames: &[Out]) -> Option<(u16, String, u16, u16)> {
    frames.iter().find_map(|f| match f {
        Out::Method(0, AMQPClass::Connection(connection::AMQPMethod::Close(c))) => Some((
            c.reply_code,
            c.reply_text.as_str().to_owned(),
            c.class_id,
            c.method_id,
        )),
        _ => None,
    })
}

/// The `channel.close` among `frames`: (channel, code, text, class, method).
pub fn channel_close(frames: &[Out]) -> Option<(u16, u16, String, u16, u16)> {
    frames.iter().find_map(|f| match f {
        Out::Method(ch, AMQPClass::Channel(channel::AMQPMethod::Close(c))) => Some((
            *ch,
            c.reply_code,
            c.reply_text.as_str().to_owned(),
            c.class_id,
            c.method_id,
        )),
        _ => None,
    })
}

/// A message the server sent with content (deliver, get-ok, return), body reassembled.
#[derive(Clone, Debug, PartialEq)]
pub struct Content {
    pub channel: u16,
    pub method: AMQPClass,
    pub header: AMQPContentHeader,
    pub body: Vec<u8>,
    /// How many body frames carried it.
    pub body_frames: usize,
}

/// Groups a content-carrying method with its header and body frames; other frames are
/// skipped. Panics on content that does not add up.
pub fn contents(frames: &[Out]) -> Vec<Content> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < frames.len() {
        let Out::Method(ch, m) = &frames[i] else {
            i += 1;
            continue;
        };
        let carries = matches!(
            m,
            AMQPClass::Basic(
                basic::AMQPMethod::Deliver(_)
                    | basic::AMQPMethod::GetOk(_)
                    | basic::AMQPMethod::Return(_)
            )
        );
        i += 1;
        if !carries {
            continue;
        }
        let Some(Out::Header(hc, header)) = frames.get(i) else {
            panic!("no content header after {m:?}: {frames:?}");
        };
        assert_eq!(hc, ch);
        i += 1;
        let mut body = Vec::new();
        let mut body_frames = 0;
        while (body.len() as u64) < header.body_size {
            let Some(Out::Body(bc, piece)) = frames.get(i) else {
                panic!("body short of {} bytes: {frames:?}", header.body_size);
            };
            assert_eq!(bc, ch);
            body.extend_from_slice(piece);
            body_frames += 1;
            i += 1;
        }
        assert_eq!(
            body.len() as u64,
            header.body_size,
            "body overshoots its header"
        );
        out.push(Content {
            channel: *ch,
            method: m.clone(),
            header: header.clone(),
            body,
            body_frames,
        });
    }
    out
}

/// Bytes from hex (for golden frames).
pub fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}
