//! The conformance harness: cases, preludes, the recording client, and the comparison.

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use amqp_playground_core::Compat;
use amqp_playground_server::{spawn, ServerConfig};

use super::KNOWN_DIFFERENCES;

/// How long to wait for a frame before deciding nothing more comes (RabbitMQ answers in
/// milliseconds).
pub(crate) const QUIET: Duration = Duration::from_millis(1500);
/// For cases where RabbitMQ closes silently after `?SILENT_CLOSE_DELAY` (3 s).
pub(crate) const SILENT_CLOSE_WAIT: Duration = Duration::from_secs(5);
/// After our close-ok, how long the server may take to close the socket (RabbitMQ: 3 s after
/// a fatal frame error, at once otherwise).
pub(crate) const CLOSE_WAIT: Duration = Duration::from_secs(5);
/// Waiting for one frame during the prelude or an [`Step::Await`].
pub(crate) const STEP_WAIT: Duration = Duration::from_secs(4);

/// One scenario, run on both servers.
pub(crate) struct Case {
    pub(crate) name: &'static str,
    pub(crate) prelude: Prelude,
    pub(crate) steps: Vec<Step>,
    /// How long silence lasts before the observation ends with the socket still open.
    pub(crate) quiet: Duration,
    /// RabbitMQ 3.10.8's answer, as measured.
    pub(crate) expected: Observation,
}

/// Where the connection is before the case's own bytes.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Prelude {
    /// A fresh TCP connection.
    Raw,
    /// Protocol header sent, `connection.start` read.
    Started,
    /// Good start-ok sent, `connection.tune` read, `tune-ok` sent (frame_max 131072,
    /// heartbeat 0, this channel_max); no `connection.open` yet.
    Tuned { channel_max: u16 },
    /// Open on vhost `/`, with these channels opened (their open-ok read).
    Open {
        channel_max: u16,
        channels: &'static [u16],
    },
}

impl Prelude {
    pub(crate) fn open(channels: &'static [u16]) -> Prelude {
        Prelude::Open {
            channel_max: 2047,
            channels,
        }
    }
}

pub(crate) enum Step {
    /// Write these bytes.
    Send(Vec<u8>),
    /// Read this many frames (recorded) before going on.
    Await(usize),
}

/// What came back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Event {
    /// 8 bytes starting `AMQP` (a refused protocol header's answer).
    ProtocolHeader([u8; 8]),
    /// A method frame other than a close.
    Method {
        channel: u16,
        class_id: u16,
        method_id: u16,
    },
    /// `connection.close` (10/50) or `channel.close` (20/40).
    Close {
        channel: u16,
        method: (u16, u16),
        reply_code: u16,
        reply_text: String,
        class_id: u16,
        method_id: u16,
    },
    /// A content header frame.
    Header { channel: u16 },
    /// A content body frame.
    Body { channel: u16 },
    /// Bytes that are no well-formed frame.
    Garbage(Vec<u8>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Observation {
    pub(crate) events: Vec<Event>,
    /// The server closed the socket (FIN or RST) before the observation ended.
    pub(crate) closed: bool,
}

pub(crate) fn conn_close(
    reply_code: u16,
    reply_text: &str,
    class_id: u16,
    method_id: u16,
) -> Event {
    Event::Close {
        channel: 0,
        method: (10, 50),
        reply_code,
        reply_text: reply_text.into(),
        class_id,
        method_id,
    }
}

/// One connection.close, then (after our close-ok) the socket closes.
pub(crate) fn closed_with(event: Event) -> Observation {
    Observation {
        events: vec![event],
        closed: true,
    }
}

/// Runs a case on our server and, if reachable, on RabbitMQ (concurrently), and compares.
pub(crate) fn run(case: Case) {
    let server = spawn(ServerConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        compat: Compat::RabbitMq310,
        log: false,
        ..ServerConfig::default()
    })
    .expect("our server starts");
    let ours_addr = server.addr();
    let rabbit_addr = rabbitmq();
    let case_ref = &case;
    let (ours, rabbit) = std::thread::scope(|s| {
        let case = case_ref;
        let rabbit = rabbit_addr.map(|addr| s.spawn(move || observe(addr, case)));
        let ours = observe(ours_addr, case);
        (
            ours,
            rabbit.map(|h| h.join().expect("RabbitMQ side panicked")),
        )
    });
    server.stop();
    let ours = ours.unwrap_or_else(|e| panic!("{}: our server: {e}", case.name));
    let rabbit = rabbit.map(|r| r.unwrap_or_else(|e| panic!("{}: RabbitMQ: {e}", case.name)));
    let sent = sent_hex(&case);
    let known = KNOWN_DIFFERENCES.iter().find(|kd| kd.case == case.name);
    match known {
        Some(kd) => {
            if let Some(rabbit) = &rabbit {
                assert_eq!(
                    rabbit, &case.expected,
                    "{}: RabbitMQ no longer behaves as recorded in KNOWN_DIFFERENCES \
                     (sent {sent})",
                    case.name
                );
            }
            assert_eq!(
                ours,
                (kd.ours)(),
                "{}: our server differs from its documented behaviour ({}) (sent {sent})",
                case.name,
                kd.reason
            );
        }
        None => {
            if let Some(rabbit) = &rabbit {
                assert_eq!(
                    &ours, rabbit,
                    "{}: our server (left) differs from RabbitMQ (right) (sent {sent})",
                    case.name
                );
            }
            assert_eq!(
                ours, case.expected,
                "{}: the reply (left) differs from RabbitMQ 3.10.8's recorded reply (right) \
                 (sent {sent})",
                case.name
            );
        }
    }
}

/// The case's own bytes, in hex, for failure messages.
pub(crate) fn sent_hex(case: &Case) -> String {
    let parts: Vec<String> = case
        .steps
        .iter()
        .map(|s| match s {
            Step::Send(b) => b.iter().map(|x| format!("{x:02x}")).collect(),
            Step::Await(n) => format!("(await {n})"),
        })
        .collect();
    format!("{:?} after {:?}", parts, case.prelude)
}

/// RabbitMQ's address if it accepts connections; `None` (after a notice) if not and not in CI.
pub(crate) fn rabbitmq() -> Option<SocketAddr> {
    static ADDR: OnceLock<Option<SocketAddr>> = OnceLock::new();
    *ADDR.get_or_init(|| {
        let url = std::env::var("AMQP_URL").unwrap_or_else(|_| "amqp://127.0.0.1:5672/".into());
        // amqp://user:pass@host:port/vhost → host:port (the user is guest/guest regardless).
        let rest = url.split_once("://").map_or(url.as_str(), |(_, r)| r);
        let rest = rest.rsplit_once('@').map_or(rest, |(_, r)| r);
        let host_port = rest.split('/').next().unwrap_or_default();
        let host_port = if host_port.contains(':') {
            host_port.to_string()
        } else {
            format!("{host_port}:5672")
        };
        let reachable = host_port
            .to_socket_addrs()
            .map_err(|e| e.to_string())
            .and_then(|mut addrs| addrs.next().ok_or_else(|| "no address".to_string()))
            .and_then(|addr| {
                TcpStream::connect_timeout(&addr, Duration::from_secs(2))
                    .map(|_| addr)
                    .map_err(|e| format!("{addr}: {e}"))
            });
        match reachable {
            Ok(addr) => Some(addr),
            Err(why) => {
                if std::env::var("CI").as_deref() == Ok("true") {
                    panic!("CI=true but RabbitMQ is unreachable at {host_port} ({why}): the conformance test needs it");
                }
                // Not the print macros: libtest captures those.
                let _ = writeln!(
                    std::io::stderr(),
                    "\n!!! CONFORMANCE: RabbitMQ unreachable at {host_port} ({why}).\n\
                     !!! Only our server runs, against RabbitMQ 3.10.8's recorded replies.\n"
                );
                None
            }
        }
    })
}

/// A per-run name: `conformance-<random>-<what>`.
pub(crate) fn name(what: &str) -> String {
    static RUN: OnceLock<String> = OnceLock::new();
    let run = RUN.get_or_init(|| {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let mixed = (nanos as u64) ^ (u64::from(std::process::id()) << 32);
        format!("{:08x}", mixed.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32)
    });
    format!("conformance-{run}-{what}")
}

/// Runs the case on one server.
pub(crate) fn observe(addr: SocketAddr, case: &Case) -> Result<Observation, String> {
    let mut conn = Conn::connect(addr)?;
    conn.prelude(case.prelude)?;
    let mut events = Vec::new();
    for step in &case.steps {
        match step {
            Step::Send(bytes) => conn.send(bytes),
            Step::Await(n) => {
                for _ in 0..*n {
                    match conn.next(STEP_WAIT) {
                        Next::Event(e) => events.push(e),
                        Next::Quiet | Next::Closed => break,
                    }
                }
            }
        }
    }
    let closed = loop {
        let wait = if conn.sent_close_ok {
            CLOSE_WAIT
        } else {
            case.quiet
        };
        match conn.next(wait) {
            Next::Event(e) => events.push(e),
            Next::Quiet => break false,
            Next::Closed => break true,
        }
    };
    Ok(Observation { events, closed })
}

pub(crate) enum Next {
    Event(Event),
    /// Nothing within the wait.
    Quiet,
    /// EOF or reset.
    Closed,
}

pub(crate) struct Conn {
    pub(crate) stream: TcpStream,
    pub(crate) buf: Vec<u8>,
    pub(crate) closed: bool,
    /// We answered a server `connection.close`.
    pub(crate) sent_close_ok: bool,
}

impl Conn {
    pub(crate) fn connect(addr: SocketAddr) -> Result<Conn, String> {
        let stream = TcpStream::connect_timeout(&addr, Duration::from_secs(3))
            .map_err(|e| format!("connect {addr}: {e}"))?;
        let _ = stream.set_nodelay(true);
        Ok(Conn {
            stream,
            buf: Vec::new(),
            closed: false,
            sent_close_ok: false,
        })
    }

    /// Writes, ignoring errors: the server may already have closed (that is observed on read).
    pub(crate) fn send(&mut self, bytes: &[u8]) {
        let _ = self.stream.write_all(bytes);
    }

    pub(crate) fn expect_method(
        &mut self,
        channel: u16,
        ids: (u16, u16),
        what: &str,
    ) -> Result<(), String> {
        match self.next(STEP_WAIT) {
            Next::Event(Event::Method {
                channel: c,
                class_id,
                method_id,
            }) if c == channel && (class_id, method_id) == ids => Ok(()),
            Next::Event(e) => Err(format!("prelude: wanted {what}, got {e:?}")),
            Next::Quiet => Err(format!("prelude: wanted {what}, got nothing")),
            Next::Closed => Err(format!("prelude: wanted {what}, the socket closed")),
        }
    }

    pub(crate) fn prelude(&mut self, prelude: Prelude) -> Result<(), String> {
        if let Prelude::Raw = prelude {
            return Ok(());
        }
        self.send(b"AMQP\x00\x00\x09\x01");
        self.expect_method(0, (10, 10), "connection.start")?;
        let (channel_max, channels): (u16, &[u16]) = match prelude {
            Prelude::Raw | Prelude::Started => return Ok(()),
            Prelude::Tuned { channel_max } => (channel_max, &[]),
            Prelude::Open {
                channel_max,
                channels,
            } => (channel_max, channels),
        };
        self.send(&start_ok("PLAIN", b"\x00guest\x00guest"));
        self.expect_method(0, (10, 30), "connection.tune")?;
        let mut tune_ok = Vec::new();
        tune_ok.extend_from_slice(&channel_max.to_be_bytes());
        tune_ok.extend_from_slice(&131_072u32.to_be_bytes());
        tune_ok.extend_from_slice(&0u16.to_be_bytes());
        self.send(&method(0, 10, 31, &tune_ok));
        if let Prelude::Tuned { .. } = prelude {
            return Ok(());
        }
        self.send(&connection_open("/"));
        self.expect_method(0, (10, 41), "connection.open-ok")?;
        for &ch in channels {
            self.send(&channel_open(ch));
            self.expect_method(ch, (20, 11), "channel.open-ok")?;
        }
        Ok(())
    }

    /// The next frame (heartbeats skipped), answering a server `connection.close` with
    /// `close-ok` as a client would.
    pub(crate) fn next(&mut self, wait: Duration) -> Next {
        let deadline = Instant::now() + wait;
        loop {
            if let Some(event) = self.parse() {
                let Some(event) = event else { continue }; // a heartbeat
                if matches!(
                    event,
                    Event::Close {
                        method: (10, 50),
                        ..
                    }
                ) {
                    self.send(&method(0, 10, 51, b""));
                    self.sent_close_ok = true;
                }
                return Next::Event(event);
            }
            if self.closed {
                return if self.buf.is_empty() {
                    Next::Closed
                } else {
                    Next::Event(Event::Garbage(std::mem::take(&mut self.buf)))
                };
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Next::Quiet;
            }
            let _ = self.stream.set_read_timeout(Some(left));
            let mut chunk = [0u8; 65536];
            match self.stream.read(&mut chunk) {
                Ok(0) => self.closed = true,
                Ok(n) => self.buf.extend_from_slice(&chunk[..n]),
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                    return Next::Quiet
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(_) => self.closed = true,
            }
        }
    }

    /// A complete unit off the front of the buffer: `Some(Some(event))`, `Some(None)` for a
    /// heartbeat, `None` if more bytes are needed.
    pub(crate) fn parse(&mut self) -> Option<Option<Event>> {
        let buf = &self.buf;
        if buf.len() >= 4 && &buf[..4] == b"AMQP" {
            if buf.len() < 8 {
                return None;
            }
            let header: [u8; 8] = buf[..8].try_into().unwrap();
            self.buf.drain(..8);
            return Some(Some(Event::ProtocolHeader(header)));
        }
        if buf.len() < 7 {
            return None;
        }
        let frame_type = buf[0];
        let channel = u16::from_be_bytes([buf[1], buf[2]]);
        let size = u32::from_be_bytes([buf[3], buf[4], buf[5], buf[6]]) as usize;
        if buf.len() < 8 + size {
            return None;
        }
        let whole: Vec<u8> = self.buf.drain(..8 + size).collect();
        if whole[7 + size] != 0xCE {
            return Some(Some(Event::Garbage(whole)));
        }
        let payload = &whole[7..7 + size];
        let event = match frame_type {
            1 => decode_method(channel, payload).unwrap_or_else(|| Event::Garbage(whole.clone())),
            2 => Event::Header { channel },
            3 => Event::Body { channel },
            8 => return Some(None),
            _ => Event::Garbage(whole.clone()),
        };
        Some(Some(event))
    }
}

pub(crate) fn decode_method(channel: u16, p: &[u8]) -> Option<Event> {
    let u16_at = |i: usize| p.get(i..i + 2).map(|b| u16::from_be_bytes([b[0], b[1]]));
    let class_id = u16_at(0)?;
    let method_id = u16_at(2)?;
    if matches!((class_id, method_id), (10, 50) | (20, 40)) {
        let reply_code = u16_at(4)?;
        let len = usize::from(*p.get(6)?);
        let text = p.get(7..7 + len)?;
        return Some(Event::Close {
            channel,
            method: (class_id, method_id),
            reply_code,
            reply_text: String::from_utf8_lossy(text).into_owned(),
            class_id: u16_at(7 + len)?,
            method_id: u16_at(9 + len)?,
        });
    }
    Some(Event::Method {
        channel,
        class_id,
        method_id,
    })
}

// ---------------------------------------------------------------------------------------------
// Frame builders (AMQP 0-9-1 §4.2.3: type, channel, size, payload, 0xCE)
// ---------------------------------------------------------------------------------------------

pub(crate) fn frame_with_end(frame_type: u8, channel: u16, payload: &[u8], end: u8) -> Vec<u8> {
    let mut f = vec![frame_type];
    f.extend_from_slice(&channel.to_be_bytes());
    f.extend_from_slice(&(payload.len() as u32).to_be_bytes());
    f.extend_from_slice(payload);
    f.push(end);
    f
}

pub(crate) fn frame(frame_type: u8, channel: u16, payload: &[u8]) -> Vec<u8> {
    frame_with_end(frame_type, channel, payload, 0xCE)
}

pub(crate) fn method(channel: u16, class_id: u16, method_id: u16, args: &[u8]) -> Vec<u8> {
    let mut p = Vec::with_capacity(4 + args.len());
    p.extend_from_slice(&class_id.to_be_bytes());
    p.extend_from_slice(&method_id.to_be_bytes());
    p.extend_from_slice(args);
    frame(1, channel, &p)
}

/// A content header: class, weight 0, body size, no properties.
pub(crate) fn content_header(channel: u16, class_id: u16, body_size: u64) -> Vec<u8> {
    let mut p = Vec::new();
    p.extend_from_slice(&class_id.to_be_bytes());
    p.extend_from_slice(&0u16.to_be_bytes());
    p.extend_from_slice(&body_size.to_be_bytes());
    p.extend_from_slice(&0u16.to_be_bytes());
    frame(2, channel, &p)
}

pub(crate) fn shortstr(out: &mut Vec<u8>, s: &[u8]) {
    out.push(u8::try_from(s.len()).expect("short string"));
    out.extend_from_slice(s);
}

pub(crate) fn longstr(out: &mut Vec<u8>, s: &[u8]) {
    out.extend_from_slice(&(s.len() as u32).to_be_bytes());
    out.extend_from_slice(s);
}

/// start-ok with client properties `{product: "conformance", capabilities:
/// {authentication_failure_close: true}}`, locale en_US.
pub(crate) fn start_ok(mechanism: &str, response: &[u8]) -> Vec<u8> {
    let mut caps = Vec::new();
    shortstr(&mut caps, b"authentication_failure_close");
    caps.extend_from_slice(b"t\x01");
    let mut props = Vec::new();
    shortstr(&mut props, b"product");
    props.push(b'S');
    longstr(&mut props, b"conformance");
    shortstr(&mut props, b"capabilities");
    props.push(b'F');
    longstr(&mut props, &caps);
    let mut args = Vec::new();
    longstr(&mut args, &props);
    shortstr(&mut args, mechanism.as_bytes());
    longstr(&mut args, response);
    shortstr(&mut args, b"en_US");
    method(0, 10, 11, &args)
}

pub(crate) fn connection_open(vhost: &str) -> Vec<u8> {
    let mut args = Vec::new();
    shortstr(&mut args, vhost.as_bytes());
    shortstr(&mut args, b"");
    args.push(0);
    method(0, 10, 40, &args)
}

pub(crate) fn channel_open(channel: u16) -> Vec<u8> {
    method(channel, 20, 10, b"\x00")
}

pub(crate) fn queue_declare(channel: u16, queue: &str, passive: bool, exclusive: bool) -> Vec<u8> {
    let mut args = vec![0, 0];
    shortstr(&mut args, queue.as_bytes());
    args.push(u8::from(passive) | u8::from(exclusive) << 2);
    args.extend_from_slice(&0u32.to_be_bytes()); // empty arguments table
    method(channel, 50, 10, &args)
}

pub(crate) fn basic_publish(channel: u16, exchange: &str, routing_key: &str) -> Vec<u8> {
    let mut args = vec![0, 0];
    shortstr(&mut args, exchange.as_bytes());
    shortstr(&mut args, routing_key.as_bytes());
    args.push(0);
    method(channel, 60, 40, &args)
}

pub(crate) fn basic_qos(channel: u16, prefetch_size: u32, prefetch_count: u16) -> Vec<u8> {
    let mut args = Vec::new();
    args.extend_from_slice(&prefetch_size.to_be_bytes());
    args.extend_from_slice(&prefetch_count.to_be_bytes());
    args.push(0);
    method(channel, 60, 10, &args)
}
