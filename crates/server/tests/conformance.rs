//! Wire conformance: the same raw bytes are sent to our server and to a real RabbitMQ 3.10.8,
//! and what comes back is compared.
//!
//! Each case opens a plain `TcpStream`, brings the connection to a starting point (the
//! [`Prelude`]: nothing, just the protocol header, tuned, or open with some channels), sends
//! hand-built frames, and records an [`Observation`]: the frames that came back (class and
//! method ids; for `connection.close` / `channel.close` also reply code, reply text, class id
//! and method id) and whether the socket closed. The recording client behaves like a polite
//! client: it answers a server `connection.close` with `close-ok` and then waits for the
//! socket to close.
//!
//! Only frames and closed-or-not are compared, never timing: RabbitMQ waits 3 s before a
//! silent close (and before closing after a fatal frame error); we close at once.
//!
//! The broker is RabbitMQ at `AMQP_URL`'s host and port (default `127.0.0.1:5672`, user
//! guest/guest). If it is unreachable, `CI=true` fails; otherwise only our side runs, against
//! the replies recorded on RabbitMQ 3.10.8 (`expected` of each case), and a notice is printed.
//!
//! Where we knowingly differ from RabbitMQ, the case is listed in [`KNOWN_DIFFERENCES`] with
//! the reason: RabbitMQ is checked against its recorded behaviour and we against ours.
//!
//! Names are prefixed with a per-run random id; nothing here creates a queue or exchange
//! that outlives its connection.

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use amqp_playground_core::Compat;
use amqp_playground_server::{spawn, ServerConfig};

// ---------------------------------------------------------------------------------------------
// Known differences
// ---------------------------------------------------------------------------------------------

/// A case where our server deliberately answers differently from RabbitMQ.
struct KnownDifference {
    /// The case's name.
    case: &'static str,
    /// Why we differ.
    reason: &'static str,
    /// What we do instead (RabbitMQ's behaviour stays in the case's `expected`).
    ours: fn() -> Observation,
}

/// Cases where RabbitMQ and we knowingly differ. RabbitMQ is still checked against what it
/// was measured to do; we are checked against our documented behaviour.
const KNOWN_DIFFERENCES: &[KnownDifference] = &[KnownDifference {
    case: "unknown_class_method",
    reason: "RabbitMQ's reader crashes on an unknown class/method id \
             ({unknown_method_id,{999,10}} in rabbit_framing_amqp_0_9_1:lookup_method_name/1) \
             and resets the socket without a frame; our codec reports it as \
             FrameError::UnknownMethod (crates/wire/src/codec.rs; listed in the wire crate docs' differences), a connection.close \
             540 NOT_IMPLEMENTED naming the ids, so the client learns why",
    ours: || Observation {
        events: vec![conn_close(
            540,
            "NOT_IMPLEMENTED - unknown method {999,10}",
            0,
            0,
        )],
        closed: true,
    },
}];

// ---------------------------------------------------------------------------------------------
// Cases (one #[test] each). Expected replies: RabbitMQ 3.10.8 as measured (/tmp/wire-facts.md).
// ---------------------------------------------------------------------------------------------

#[test]
fn bad_protocol_header() {
    run(Case {
        name: "bad_protocol_header",
        prelude: Prelude::Raw,
        steps: vec![Step::Send(b"AMQP\x00\x00\x09\x00".to_vec())],
        quiet: QUIET,
        expected: Observation {
            events: vec![Event::ProtocolHeader(*b"AMQP\x00\x00\x09\x01")],
            closed: true,
        },
    });
}

#[test]
fn frame_over_frame_max() {
    // A method frame header on channel 0 announcing 131074 bytes (frame_max 131072): refused
    // from the 7 header bytes alone.
    let mut bytes = vec![1, 0, 0];
    bytes.extend_from_slice(&131_074u32.to_be_bytes());
    run(Case {
        name: "frame_over_frame_max",
        prelude: Prelude::open(&[1]),
        steps: vec![Step::Send(bytes)],
        quiet: QUIET,
        expected: closed_with(conn_close(
            501,
            "FRAME_ERROR - type 1, all octets = <<>>: {frame_too_large,131074,131064}",
            0,
            0,
        )),
    });
}

#[test]
fn bad_frame_end() {
    run(Case {
        name: "bad_frame_end",
        prelude: Prelude::open(&[1]),
        steps: vec![Step::Send(frame_with_end(8, 0, b"", 0x00))],
        quiet: QUIET,
        expected: closed_with(conn_close(
            501,
            "FRAME_ERROR - type 8, all octets = <<>>: {invalid_frame_end_marker,0}",
            0,
            0,
        )),
    });
}

#[test]
fn unknown_frame_type() {
    run(Case {
        name: "unknown_frame_type",
        prelude: Prelude::open(&[1]),
        steps: vec![Step::Send(frame(5, 0, b"abc"))],
        quiet: QUIET,
        expected: closed_with(conn_close(
            501,
            "FRAME_ERROR - type 5, all octets = <<\"abc\">>: unknown_frame",
            0,
            0,
        )),
    });
}

#[test]
fn heartbeat_on_channel_1() {
    run(Case {
        name: "heartbeat_on_channel_1",
        prelude: Prelude::open(&[1]),
        steps: vec![Step::Send(frame(8, 1, b""))],
        quiet: QUIET,
        expected: closed_with(conn_close(
            505,
            "UNEXPECTED_FRAME - type 8, all octets = <<>>",
            0,
            0,
        )),
    });
}

#[test]
fn method_on_unopened_channel() {
    run(Case {
        name: "method_on_unopened_channel",
        prelude: Prelude::open(&[1]),
        steps: vec![Step::Send(queue_declare(5, "", false, false))],
        quiet: QUIET,
        expected: closed_with(conn_close(
            504,
            "CHANNEL_ERROR - expected 'channel.open'",
            50,
            10,
        )),
    });
}

#[test]
fn channel_open_twice() {
    run(Case {
        name: "channel_open_twice",
        prelude: Prelude::open(&[1]),
        steps: vec![Step::Send(channel_open(1))],
        quiet: QUIET,
        expected: closed_with(conn_close(
            504,
            "CHANNEL_ERROR - second 'channel.open' seen",
            20,
            10,
        )),
    });
}

#[test]
fn content_header_without_publish() {
    run(Case {
        name: "content_header_without_publish",
        prelude: Prelude::open(&[1]),
        steps: vec![Step::Send(content_header(1, 60, 3))],
        quiet: QUIET,
        expected: closed_with(conn_close(
            505,
            "UNEXPECTED_FRAME - expected method frame, got non method frame instead",
            0,
            0,
        )),
    });
}

#[test]
fn publish_then_method() {
    let mut bytes = basic_publish(1, "", &name("nowhere"));
    bytes.extend(basic_qos(1, 0, 10));
    run(Case {
        name: "publish_then_method",
        prelude: Prelude::open(&[1]),
        steps: vec![Step::Send(bytes)],
        quiet: QUIET,
        expected: closed_with(conn_close(
            505,
            "UNEXPECTED_FRAME - expected content header for class 60, got non content header frame instead",
            60,
            40,
        )),
    });
}

#[test]
fn content_header_class_10() {
    let mut bytes = basic_publish(1, "", &name("nowhere"));
    bytes.extend(content_header(1, 10, 3));
    run(Case {
        name: "content_header_class_10",
        prelude: Prelude::open(&[1]),
        steps: vec![Step::Send(bytes)],
        quiet: QUIET,
        expected: closed_with(conn_close(
            505,
            "UNEXPECTED_FRAME - expected content header for class 60, got one for class 10 instead",
            60,
            40,
        )),
    });
}

#[test]
fn truncated_queue_declare() {
    run(Case {
        name: "truncated_queue_declare",
        prelude: Prelude::open(&[1]),
        steps: vec![Step::Send(method(1, 50, 10, b"\x00\x00\x05ab"))],
        quiet: QUIET,
        expected: closed_with(conn_close(
            501,
            "FRAME_ERROR - cannot decode <<0,0,5,97,98>>",
            50,
            10,
        )),
    });
}

#[test]
fn publish_on_channel_0() {
    run(Case {
        name: "publish_on_channel_0",
        prelude: Prelude::open(&[1]),
        steps: vec![Step::Send(basic_publish(0, "", "x"))],
        quiet: QUIET,
        expected: closed_with(conn_close(
            504,
            "CHANNEL_ERROR - unexpected method in connection state running",
            60,
            40,
        )),
    });
}

#[test]
fn unsolicited_channel_close_ok() {
    run(Case {
        name: "unsolicited_channel_close_ok",
        prelude: Prelude::open(&[1]),
        steps: vec![Step::Send(method(1, 20, 41, b""))],
        quiet: QUIET,
        expected: closed_with(conn_close(
            503,
            "COMMAND_INVALID - unimplemented method",
            20,
            41,
        )),
    });
}

#[test]
fn channel_flow_inactive() {
    run(Case {
        name: "channel_flow_inactive",
        prelude: Prelude::open(&[1]),
        steps: vec![Step::Send(method(1, 20, 20, b"\x00"))],
        quiet: QUIET,
        expected: closed_with(conn_close(540, "NOT_IMPLEMENTED - active=false", 20, 20)),
    });
}

#[test]
fn basic_qos_prefetch_size() {
    run(Case {
        name: "basic_qos_prefetch_size",
        prelude: Prelude::open(&[1]),
        steps: vec![Step::Send(basic_qos(1, 1, 10))],
        quiet: QUIET,
        expected: closed_with(conn_close(
            540,
            "NOT_IMPLEMENTED - prefetch_size!=0 (1)",
            60,
            10,
        )),
    });
}

#[test]
fn closing_channel_ignores_methods() {
    // The server closes channel 1 (404); until the client's close-ok, a queue.declare on it is
    // discarded: the next frame back is the qos-ok for channel 2.
    let missing = name("missing");
    run(Case {
        name: "closing_channel_ignores_methods",
        prelude: Prelude::open(&[1, 2]),
        steps: vec![
            Step::Send(queue_declare(1, &missing, true, false)),
            Step::Await(1),
            Step::Send(queue_declare(1, &name("ignored"), false, true)),
            Step::Send(basic_qos(2, 0, 10)),
            Step::Await(1),
            Step::Send(method(1, 20, 41, b"")),
        ],
        quiet: QUIET,
        expected: Observation {
            events: vec![
                Event::Close {
                    channel: 1,
                    method: (20, 40),
                    reply_code: 404,
                    reply_text: format!("NOT_FOUND - no queue '{missing}' in vhost '/'"),
                    class_id: 50,
                    method_id: 10,
                },
                Event::Method {
                    channel: 2,
                    class_id: 60,
                    method_id: 11,
                },
            ],
            closed: false,
        },
    });
}

#[test]
fn missing_vhost() {
    let vhost = name("nope");
    run(Case {
        name: "missing_vhost",
        prelude: Prelude::Tuned { channel_max: 2047 },
        steps: vec![Step::Send(connection_open(&vhost))],
        quiet: QUIET,
        expected: closed_with(conn_close(
            530,
            &format!("NOT_ALLOWED - vhost {vhost} not found"),
            10,
            40,
        )),
    });
}

#[test]
fn wrong_password() {
    run(Case {
        name: "wrong_password",
        prelude: Prelude::Started,
        steps: vec![Step::Send(start_ok("PLAIN", b"\x00guest\x00wrong"))],
        quiet: QUIET,
        expected: closed_with(conn_close(
            403,
            "ACCESS_REFUSED - Login was refused using authentication mechanism PLAIN. For details see the broker logfile.",
            0,
            0,
        )),
    });
}

#[test]
fn unknown_mechanism() {
    // RabbitMQ sends nothing and closes after 3 s: wait longer than that.
    run(Case {
        name: "unknown_mechanism",
        prelude: Prelude::Started,
        steps: vec![Step::Send(start_ok("FOO", b"\x00guest\x00guest"))],
        quiet: SILENT_CLOSE_WAIT,
        expected: Observation {
            events: vec![],
            closed: true,
        },
    });
}

#[test]
fn channel_max_exceeded() {
    // channel_max 2 negotiated: the third open is refused (the count of open channels).
    run(Case {
        name: "channel_max_exceeded",
        prelude: Prelude::Open {
            channel_max: 2,
            channels: &[],
        },
        steps: vec![
            Step::Send(channel_open(1)),
            Step::Await(1),
            Step::Send(channel_open(2)),
            Step::Await(1),
            Step::Send(channel_open(3)),
        ],
        quiet: QUIET,
        expected: Observation {
            events: vec![
                Event::Method {
                    channel: 1,
                    class_id: 20,
                    method_id: 11,
                },
                Event::Method {
                    channel: 2,
                    class_id: 20,
                    method_id: 11,
                },
                conn_close(
                    530,
                    "NOT_ALLOWED - number of channels opened (2) has reached the negotiated channel_max (2)",
                    0,
                    0,
                ),
            ],
            closed: true,
        },
    });
}

#[test]
fn unknown_class_method() {
    // A KNOWN_DIFFERENCES case: RabbitMQ resets the socket with no frame.
    run(Case {
        name: "unknown_class_method",
        prelude: Prelude::open(&[1]),
        steps: vec![Step::Send(method(1, 999, 10, b""))],
        quiet: QUIET,
        expected: Observation {
            events: vec![],
            closed: true,
        },
    });
}

#[test]
fn known_differences_name_cases() {
    // Every KNOWN_DIFFERENCES entry names a case of this file and gives a reason.
    let source = include_str!("conformance.rs");
    for kd in KNOWN_DIFFERENCES {
        assert!(
            source.contains(&format!("name: \"{}\"", kd.case)),
            "KNOWN_DIFFERENCES names {}, which is not a case",
            kd.case
        );
        assert!(!kd.reason.is_empty());
    }
}

// ---------------------------------------------------------------------------------------------
// The harness
// ---------------------------------------------------------------------------------------------

/// How long to wait for a frame before deciding nothing more comes (RabbitMQ answers in
/// milliseconds).
const QUIET: Duration = Duration::from_millis(1500);
/// For cases where RabbitMQ closes silently after `?SILENT_CLOSE_DELAY` (3 s).
const SILENT_CLOSE_WAIT: Duration = Duration::from_secs(5);
/// After our close-ok, how long the server may take to close the socket (RabbitMQ: 3 s after
/// a fatal frame error, at once otherwise).
const CLOSE_WAIT: Duration = Duration::from_secs(5);
/// Waiting for one frame during the prelude or an [`Step::Await`].
const STEP_WAIT: Duration = Duration::from_secs(4);

/// One scenario, run on both servers.
struct Case {
    name: &'static str,
    prelude: Prelude,
    steps: Vec<Step>,
    /// How long silence lasts before the observation ends with the socket still open.
    quiet: Duration,
    /// RabbitMQ 3.10.8's answer, as measured.
    expected: Observation,
}

/// Where the connection is before the case's own bytes.
#[derive(Clone, Copy, Debug)]
enum Prelude {
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
    fn open(channels: &'static [u16]) -> Prelude {
        Prelude::Open {
            channel_max: 2047,
            channels,
        }
    }
}

enum Step {
    /// Write these bytes.
    Send(Vec<u8>),
    /// Read this many frames (recorded) before going on.
    Await(usize),
}

/// What came back.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Event {
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
struct Observation {
    events: Vec<Event>,
    /// The server closed the socket (FIN or RST) before the observation ended.
    closed: bool,
}

fn conn_close(reply_code: u16, reply_text: &str, class_id: u16, method_id: u16) -> Event {
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
fn closed_with(event: Event) -> Observation {
    Observation {
        events: vec![event],
        closed: true,
    }
}

/// Runs a case on our server and, if reachable, on RabbitMQ (concurrently), and compares.
fn run(case: Case) {
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
fn sent_hex(case: &Case) -> String {
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
fn rabbitmq() -> Option<SocketAddr> {
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
fn name(what: &str) -> String {
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
fn observe(addr: SocketAddr, case: &Case) -> Result<Observation, String> {
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

enum Next {
    Event(Event),
    /// Nothing within the wait.
    Quiet,
    /// EOF or reset.
    Closed,
}

struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
    closed: bool,
    /// We answered a server `connection.close`.
    sent_close_ok: bool,
}

impl Conn {
    fn connect(addr: SocketAddr) -> Result<Conn, String> {
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
    fn send(&mut self, bytes: &[u8]) {
        let _ = self.stream.write_all(bytes);
    }

    fn expect_method(&mut self, channel: u16, ids: (u16, u16), what: &str) -> Result<(), String> {
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

    fn prelude(&mut self, prelude: Prelude) -> Result<(), String> {
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
    fn next(&mut self, wait: Duration) -> Next {
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
    fn parse(&mut self) -> Option<Option<Event>> {
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

fn decode_method(channel: u16, p: &[u8]) -> Option<Event> {
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

fn frame_with_end(frame_type: u8, channel: u16, payload: &[u8], end: u8) -> Vec<u8> {
    let mut f = vec![frame_type];
    f.extend_from_slice(&channel.to_be_bytes());
    f.extend_from_slice(&(payload.len() as u32).to_be_bytes());
    f.extend_from_slice(payload);
    f.push(end);
    f
}

fn frame(frame_type: u8, channel: u16, payload: &[u8]) -> Vec<u8> {
    frame_with_end(frame_type, channel, payload, 0xCE)
}

fn method(channel: u16, class_id: u16, method_id: u16, args: &[u8]) -> Vec<u8> {
    let mut p = Vec::with_capacity(4 + args.len());
    p.extend_from_slice(&class_id.to_be_bytes());
    p.extend_from_slice(&method_id.to_be_bytes());
    p.extend_from_slice(args);
    frame(1, channel, &p)
}

/// A content header: class, weight 0, body size, no properties.
fn content_header(channel: u16, class_id: u16, body_size: u64) -> Vec<u8> {
    let mut p = Vec::new();
    p.extend_from_slice(&class_id.to_be_bytes());
    p.extend_from_slice(&0u16.to_be_bytes());
    p.extend_from_slice(&body_size.to_be_bytes());
    p.extend_from_slice(&0u16.to_be_bytes());
    frame(2, channel, &p)
}

fn shortstr(out: &mut Vec<u8>, s: &[u8]) {
    out.push(u8::try_from(s.len()).expect("short string"));
    out.extend_from_slice(s);
}

fn longstr(out: &mut Vec<u8>, s: &[u8]) {
    out.extend_from_slice(&(s.len() as u32).to_be_bytes());
    out.extend_from_slice(s);
}

/// start-ok with client properties `{product: "conformance", capabilities:
/// {authentication_failure_close: true}}`, locale en_US.
fn start_ok(mechanism: &str, response: &[u8]) -> Vec<u8> {
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

fn connection_open(vhost: &str) -> Vec<u8> {
    let mut args = Vec::new();
    shortstr(&mut args, vhost.as_bytes());
    shortstr(&mut args, b"");
    args.push(0);
    method(0, 10, 40, &args)
}

fn channel_open(channel: u16) -> Vec<u8> {
    method(channel, 20, 10, b"\x00")
}

fn queue_declare(channel: u16, queue: &str, passive: bool, exclusive: bool) -> Vec<u8> {
    let mut args = vec![0, 0];
    shortstr(&mut args, queue.as_bytes());
    args.push(u8::from(passive) | u8::from(exclusive) << 2);
    args.extend_from_slice(&0u32.to_be_bytes()); // empty arguments table
    method(channel, 50, 10, &args)
}

fn basic_publish(channel: u16, exchange: &str, routing_key: &str) -> Vec<u8> {
    let mut args = vec![0, 0];
    shortstr(&mut args, exchange.as_bytes());
    shortstr(&mut args, routing_key.as_bytes());
    args.push(0);
    method(channel, 60, 40, &args)
}

fn basic_qos(channel: u16, prefetch_size: u32, prefetch_count: u16) -> Vec<u8> {
    let mut args = Vec::new();
    args.extend_from_slice(&prefetch_size.to_be_bytes());
    args.extend_from_slice(&prefetch_count.to_be_bytes());
    args.push(0);
    method(channel, 60, 10, &args)
}
