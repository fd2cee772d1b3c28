//! Hostile input, bounded: property tests with a fixed seed and a fixed number of cases, so
//! a CI run always tries the same inputs and takes the same time. Every input also runs the
//! session to the end of its life (timers far in the future, then the socket dropped), and
//! the core must have forgotten the connection afterwards.
//!
//! Each property prints how many inputs it ran (`fuzz: N inputs, no panic`); run with
//! `--nocapture` to see the counts.

mod harness;

use std::sync::atomic::{AtomicUsize, Ordering};

use amq_protocol::frame::AMQPFrame;
use amq_protocol::protocol::basic::AMQPProperties;
use amq_protocol::protocol::exchange;
use amq_protocol::types::{AMQPValue, FieldTable, ShortString};
use amqp_playground_core::QueueInfo;
use amqp_playground_wire::codec::{self, PROTOCOL_HEADER};
use amqp_playground_wire::SessionConfig;
use harness::*;
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

/// A runner that tries the same `cases` inputs on every run.
fn runner(cases: u32) -> TestRunner {
    TestRunner::new_with_rng(
        Config {
            cases,
            failure_persistence: None,
            max_shrink_iters: 2_000,
            ..Config::default()
        },
        TestRng::deterministic_rng(RngAlgorithm::XorShift),
    )
}

/// Runs `test` on `cases` inputs from `strategy`, counting them; panics with the (shrunk)
/// failing input.
fn check<S: Strategy>(name: &str, cases: u32, strategy: S, test: impl Fn(S::Value))
where
    S::Value: std::fmt::Debug,
{
    let count = AtomicUsize::new(0);
    let result = runner(cases).run(&strategy, |input| {
        count.fetch_add(1, Ordering::Relaxed);
        test(input);
        Ok(())
    });
    if let Err(e) = result {
        panic!("{name}: {e}");
    }
    eprintln!(
        "fuzz {name}: {} inputs, no panic",
        count.load(Ordering::Relaxed)
    );
}

/// What a session did with a byte stream: every byte it wrote, in order, and the broker's
/// queues afterwards.
#[derive(Debug, PartialEq)]
struct Outcome {
    output: Vec<u8>,
    closed: bool,
    queues: Vec<QueueInfo>,
}

/// Feeds `pieces` to a fresh session one `receive` at a time, then lets a long time pass
/// and drops the socket.
fn drive<'a>(pieces: impl IntoIterator<Item = &'a [u8]>) -> Outcome {
    drive_with(SessionConfig::default(), pieces)
}

fn drive_with<'a>(config: SessionConfig, pieces: impl IntoIterator<Item = &'a [u8]>) -> Outcome {
    let mut net = Net::new();
    let id = net.accept(config);
    for piece in pieces {
        net.send_bytes(id, piece);
        // Back-pressure holds: what is buffered is at most one frame plus one read.
        assert!(net.session(id).buffered() <= 131_072 + 8 + piece.len());
    }
    let mut output = net.bytes(id);
    let closed = net.session(id).is_closed();
    let queues = net.broker.queues();
    finish(&mut net, id, &mut output);
    Outcome {
        output,
        closed,
        queues,
    }
}

/// The rest of a session's life: timers (heartbeats, handshake and closing timeouts), then
/// the socket goes away. The core must not keep the connection.
fn finish(net: &mut Net, id: Id, output: &mut Vec<u8>) {
    net.advance(120_000);
    net.drop_socket(id);
    output.extend(net.bytes(id));
    // What the session wrote must be frames (or the 8-byte header answer).
    decode_all(output);
    assert!(
        net.broker.connections().is_empty(),
        "the core still has {:?}",
        net.broker.connections()
    );
}

/// Pieces of `bytes` cut at `cuts` (indices into it, any order).
fn split<'a>(bytes: &'a [u8], cuts: &[Index]) -> Vec<&'a [u8]> {
    let mut at: Vec<usize> = cuts.iter().map(|i| i.index(bytes.len() + 1)).collect();
    at.push(0);
    at.push(bytes.len());
    at.sort_unstable();
    at.windows(2).map(|w| &bytes[w[0]..w[1]]).collect()
}

// ---- a valid conversation --------------------------------------------------------------

/// A client's whole conversation, pipelined: handshake, declare, bind, confirms, publishes
/// with content (split over body frames, and empty), qos, consume, acks, get, closes.
fn conversation() -> Vec<u8> {
    let login = Login::default();
    let mut b = PROTOCOL_HEADER.to_vec();
    let mut method = |ch, m| b.extend(method_bytes(ch, m));
    method(0, start_ok(&login));
    method(0, tune_ok(&login));
    method(0, open("/"));
    method(
        1,
        AMQPClass::Channel(channel::AMQPMethod::Open(channel::Open {})),
    );
    let mut args = FieldTable::default();
    args.insert("x-max-length".into(), AMQPValue::LongInt(100));
    method(
        1,
        AMQPClass::Queue(queue::AMQPMethod::Declare(queue::Declare {
            queue: "q".into(),
            passive: false,
            durable: false,
            exclusive: false,
            auto_delete: false,
            nowait: false,
            arguments: args,
        })),
    );
    method(
        1,
        AMQPClass::Exchange(exchange::AMQPMethod::Declare(exchange::Declare {
            exchange: "x".into(),
            kind: "direct".into(),
            passive: false,
            durable: false,
            auto_delete: false,
            internal: false,
            nowait: false,
            arguments: FieldTable::default(),
        })),
    );
    method(
        1,
        AMQPClass::Queue(queue::AMQPMethod::Bind(queue::Bind {
            queue: "q".into(),
            exchange: "x".into(),
            routing_key: "k".into(),
            nowait: false,
            arguments: FieldTable::default(),
        })),
    );
    method(
        1,
        AMQPClass::Confirm(confirm::AMQPMethod::Select(confirm::Select {
            nowait: false,
        })),
    );
    method(1, publish("x", "k", true));
    let mut headers = FieldTable::default();
    headers.insert(ShortString::from("h"), AMQPValue::LongString("v".into()));
    let properties = AMQPProperties::default()
        .with_content_type("text/plain".into())
        .with_headers(headers)
        .with_delivery_mode(2);
    b.extend(encode(&header(1, 11, properties)));
    b.extend(encode(&AMQPFrame::Body(1, b"hello ".to_vec())));
    b.extend(encode(&AMQPFrame::Body(1, b"world".to_vec())));
    let mut method = |ch, m| b.extend(method_bytes(ch, m));
    method(1, publish("", "q", false));
    b.extend(encode(&header(1, 0, AMQPProperties::default())));
    b.extend(encode(&AMQPFrame::Heartbeat));
    let mut method = |ch, m| b.extend(method_bytes(ch, m));
    method(
        1,
        AMQPClass::Basic(basic::AMQPMethod::Qos(basic::Qos {
            prefetch_count: 10,
            global: false,
        })),
    );
    method(1, consume("q", "c", false));
    method(1, ack(1));
    method(1, ack(2));
    method(
        1,
        AMQPClass::Basic(basic::AMQPMethod::Get(basic::Get {
            queue: "q".into(),
            no_ack: true,
        })),
    );
    method(
        1,
        AMQPClass::Channel(channel::AMQPMethod::Close(channel::Close {
            reply_code: 200,
            reply_text: "bye".into(),
            class_id: 0,
            method_id: 0,
        })),
    );
    method(
        0,
        AMQPClass::Connection(connection::AMQPMethod::Close(connection::Close {
            reply_code: 200,
            reply_text: "bye".into(),
            class_id: 0,
            method_id: 0,
        })),
    );
    b
}

#[test]
fn the_conversation_is_valid() {
    let bytes = conversation();
    let outcome = drive([&bytes[..]]);
    let frames = decode_all(&outcome.output);
    // No error anywhere: the connection ends with the client's close answered.
    assert_eq!(connection_close(&frames), None, "{frames:?}");
    assert_eq!(channel_close(&frames), None, "{frames:?}");
    assert_eq!(
        frames.last(),
        Some(&Out::Method(
            0,
            AMQPClass::Connection(connection::AMQPMethod::CloseOk(connection::CloseOk {}))
        ))
    );
    assert!(outcome.closed);
    let delivered = contents(&frames);
    assert_eq!(delivered.len(), 2, "{delivered:?}");
    assert_eq!(delivered[0].body, b"hello world");
    assert_eq!(outcome.queues[0].ready, 0);
}

// ---- (b) the same bytes, cut anywhere, do the same thing --------------------------------

#[test]
fn the_conversation_split_at_every_byte_boundary_gives_the_same_output() {
    let bytes = conversation();
    let whole = drive([&bytes[..]]);
    let mut inputs = 0;
    // One byte per receive: every boundary at once.
    assert_eq!(drive(bytes.chunks(1)), whole, "fed byte by byte");
    inputs += 1;
    // Two pieces, cut at each boundary in turn.
    for cut in 0..=bytes.len() {
        let (a, b) = bytes.split_at(cut);
        assert_eq!(drive([a, b]), whole, "cut at {cut}");
        inputs += 1;
    }
    eprintln!("fuzz every_split_point: {inputs} inputs, no panic");
}

#[test]
fn the_conversation_split_at_random_points_gives_the_same_output() {
    let bytes = conversation();
    let whole = drive([&bytes[..]]);
    check(
        "random_split_points",
        500,
        vec(any::<Index>(), 1..24),
        |cuts| {
            assert_eq!(drive(split(&bytes, &cuts)), whole);
        },
    );
}

// ---- (a) arbitrary bytes ----------------------------------------------------------------

#[test]
fn codec_decode_never_panics_on_arbitrary_bytes() {
    let frame_max = prop_oneof![Just(0u32), Just(4096), Just(131_072), any::<u32>()];
    check(
        "codec_decode",
        20_000,
        (vec(any::<u8>(), 0..300), frame_max),
        |(bytes, frame_max)| {
            // Decode frame after frame until an error or the need for more bytes.
            let mut at = 0;
            while let Ok(Some((_, n))) = codec::decode(&bytes[at..], frame_max) {
                assert!(n >= codec::FRAME_OVERHEAD && at + n <= bytes.len());
                at += n;
            }
        },
    );
}

#[test]
fn arbitrary_bytes_instead_of_the_protocol_header_never_panic() {
    check(
        "bytes_before_header",
        5_000,
        vec(any::<u8>(), 0..64),
        |bytes| {
            let outcome = drive([&bytes[..]]);
            if bytes.len() >= 8 && bytes[..8] != PROTOCOL_HEADER {
                assert!(outcome.closed);
            }
        },
    );
}

#[test]
fn arbitrary_bytes_after_the_protocol_header_never_panic() {
    check(
        "bytes_after_header",
        8_000,
        vec(any::<u8>(), 0..1_024),
        |bytes| {
            drive([&PROTOCOL_HEADER[..], &bytes[..]]);
        },
    );
}

/// Frames that are well framed but otherwise random: any type, channel 0–2 mostly, a known
/// class and method mostly, then random arguments; content headers with random flags.
fn random_frame() -> impl Strategy<Value = Vec<u8>> {
    let channel = prop_oneof![4 => 0u16..3, 1 => any::<u16>()];
    let ids = prop_oneof![
        Just((10u16, 50u16)),
        Just((10, 51)),
        Just((20, 10)),
        Just((20, 20)),
        Just((20, 40)),
        Just((20, 41)),
        Just((40, 10)),
        Just((40, 30)),
        Just((50, 10)),
        Just((50, 20)),
        Just((50, 40)),
        Just((60, 10)),
        Just((60, 20)),
        Just((60, 30)),
        Just((60, 40)),
        Just((60, 70)),
        Just((60, 80)),
        Just((60, 90)),
        Just((60, 110)),
        Just((60, 120)),
        Just((85, 10)),
        Just((90, 10)),
        Just((90, 20)),
        (any::<u16>(), any::<u16>()),
    ];
    let method = (channel.clone(), ids, vec(any::<u8>(), 0..48)).prop_map(|(ch, (c, m), args)| {
        let mut payload = c.to_be_bytes().to_vec();
        payload.extend_from_slice(&m.to_be_bytes());
        payload.extend(args);
        raw_frame(1, ch, &payload)
    });
    let header = (
        channel.clone(),
        0u64..40,
        any::<u16>(),
        vec(any::<u8>(), 0..32),
    )
        .prop_map(|(ch, size, flags, props)| {
            let mut payload = vec![0, 60, 0, 0];
            payload.extend_from_slice(&size.to_be_bytes());
            payload.extend_from_slice(&flags.to_be_bytes());
            payload.extend(props);
            raw_frame(2, ch, &payload)
        });
    let body = (channel.clone(), vec(any::<u8>(), 0..24)).prop_map(|(ch, b)| raw_frame(3, ch, &b));
    let other =
        (any::<u8>(), channel, vec(any::<u8>(), 0..8)).prop_map(|(t, ch, p)| raw_frame(t, ch, &p));
    prop_oneof![6 => method, 2 => header, 2 => body, 1 => Just(raw_frame(8, 0, &[])), 1 => other]
}

#[test]
fn random_frames_after_the_handshake_never_panic() {
    // The conversation up to the declares, then random frames.
    let mut prefix = PROTOCOL_HEADER.to_vec();
    let login = Login {
        heartbeat: 3,
        ..Login::default()
    };
    for m in [start_ok(&login), tune_ok(&login), open("/")] {
        prefix.extend(method_bytes(0, m));
    }
    prefix.extend(method_bytes(
        1,
        AMQPClass::Channel(channel::AMQPMethod::Open(channel::Open {})),
    ));
    prefix.extend(method_bytes(1, declare("q")));
    prefix.extend(method_bytes(1, consume("q", "c", false)));
    check(
        "random_frames",
        6_000,
        vec(random_frame(), 1..24),
        |frames| {
            let mut bytes = prefix.clone();
            bytes.extend(frames.concat());
            drive([&bytes[..]]);
        },
    );
}

// ---- (c) mutations of the valid conversation -------------------------------------------

#[derive(Clone, Debug)]
enum Mutation {
    Flip(Index, u8),
    Insert(Index, u8),
    Delete(Index),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<Index>(), 1u8..=255).prop_map(|(i, x)| Mutation::Flip(i, x)),
        (any::<Index>(), any::<u8>()).prop_map(|(i, b)| Mutation::Insert(i, b)),
        any::<Index>().prop_map(Mutation::Delete),
    ]
}

fn mutate(bytes: &mut Vec<u8>, mutations: &[Mutation]) {
    for m in mutations {
        match m {
            Mutation::Flip(i, x) if !bytes.is_empty() => {
                let at = i.index(bytes.len());
                bytes[at] ^= x;
            }
            Mutation::Insert(i, b) => bytes.insert(i.index(bytes.len() + 1), *b),
            Mutation::Delete(i) if !bytes.is_empty() => {
                bytes.remove(i.index(bytes.len()));
            }
            _ => {}
        }
    }
}

#[test]
fn mutated_conversations_never_panic() {
    let valid = conversation();
    check("mutations", 8_000, vec(mutation(), 1..6), |mutations| {
        let mut bytes = valid.clone();
        mutate(&mut bytes, &mutations);
        drive([&bytes[..]]);
    });
}

/// The frames a session wrote up to and including its first `connection.close`.
fn until_first_close(output: &[u8]) -> Vec<Out> {
    let frames = decode_all(output);
    let end = frames
        .iter()
        .position(|f| {
            matches!(
                f,
                Out::Method(0, AMQPClass::Connection(connection::AMQPMethod::Close(_)))
            )
        })
        .map_or(frames.len(), |i| i + 1);
    frames[..end].to_vec()
}

#[test]
fn mutated_conversations_split_anywhere_agree_up_to_the_first_error() {
    // After a frame error the rest of the buffer is dropped, so what follows depends on the
    // split (see `a_frame_error_is_answered_the_same_however_the_bytes_are_split`); up to the
    // error the output must not.
    let valid = conversation();
    check(
        "mutations_split",
        2_000,
        (vec(mutation(), 1..6), vec(any::<Index>(), 1..12)),
        |(mutations, cuts)| {
            let mut bytes = valid.clone();
            mutate(&mut bytes, &mutations);
            let whole = drive([&bytes[..]]);
            let pieces = drive(split(&bytes, &cuts));
            assert_eq!(
                until_first_close(&pieces.output),
                until_first_close(&whole.output)
            );
        },
    );
}

#[test]
fn a_frame_error_is_answered_the_same_however_the_bytes_are_split() {
    let close = method_bytes(
        0,
        AMQPClass::Connection(connection::AMQPMethod::Close(connection::Close {
            reply_code: 200,
            reply_text: "".into(),
            class_id: 0,
            method_id: 0,
        })),
    );
    for bad in [
        raw_frame(5, 0, b"abc"), // unknown_frame (not fatal)
        raw_frame(1, 1, &[0, 50, 0, 10, 0, 0, 5, 97, 98]), // cannot decode (not fatal)
        vec![3, 0, 1, 0, 2, 0, 2], // frame_too_large (fatal)
    ] {
        let mut net = Net::new();
        let id = net.connect();
        net.open_channel(id, 1);
        net.send_bytes(id, &[&bad[..], &close[..]].concat());
        let one_read = net.frames(id);

        let mut net = Net::new();
        let id = net.connect();
        net.open_channel(id, 1);
        net.send_bytes(id, &bad);
        net.send_bytes(id, &close);
        let two_reads = net.frames(id);
        assert_eq!(one_read, two_reads, "{bad:?} then connection.close");
    }
}

// ---- (d) deeply nested field tables ----------------------------------------------------

/// A field table nesting `depth` tables (`F`) or arrays (`A`): `{k: {k: … {}}}`.
fn nested_table(depth: usize, array: bool) -> Vec<u8> {
    let mut inner: Vec<u8> = Vec::new(); // the innermost table's entries: none
    for _ in 1..depth {
        let mut entry = if array {
            vec![b'A']
        } else {
            vec![1, b'k', b'F']
        };
        entry.extend_from_slice(&(inner.len() as u32).to_be_bytes());
        entry.extend_from_slice(&inner);
        inner = entry;
    }
    if array && depth > 1 {
        // The outermost level is a table holding the array.
        inner.splice(0..0, [1, b'k']);
    }
    let mut table = (inner.len() as u32).to_be_bytes().to_vec();
    table.extend_from_slice(&inner);
    table
}

fn declare_with_table(table: &[u8]) -> Vec<u8> {
    // class 50, method 10, reserved short, shortstr "q", bits, arguments.
    let mut payload = vec![0, 50, 0, 10, 0, 0, 1, b'q', 0];
    payload.extend_from_slice(table);
    raw_frame(1, 1, &payload)
}

fn header_with_headers(table: &[u8]) -> Vec<u8> {
    // class 60, weight 0, body size 0, flags: headers (bit 13), then the table.
    let mut payload = vec![0, 60, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x20, 0];
    payload.extend_from_slice(table);
    raw_frame(2, 1, &payload)
}

const TOO_DEEP: &str = "SYNTAX_ERROR - field table nested deeper than 64 levels";

/// A logged-in client with channel 1 open; `bytes` sent; what came back.
fn after_open(bytes: &[u8]) -> (Net, Id, Vec<Out>) {
    let mut net = Net::new();
    let id = net.connect();
    net.open_channel(id, 1);
    net.send_bytes(id, bytes);
    let frames = net.frames(id);
    (net, id, frames)
}

#[test]
fn tables_nested_10_000_deep_are_refused_with_502_not_a_stack_overflow() {
    let mut inputs = 0;
    for array in [false, true] {
        let table = nested_table(10_000, array);

        let (mut net, id, frames) = after_open(&declare_with_table(&table));
        assert_eq!(
            connection_close(&frames),
            Some((502, TOO_DEEP.into(), 50, 10)),
            "queue.declare arguments (array: {array})"
        );
        assert_eq!(net.queue("q"), None);
        finish(&mut net, id, &mut Vec::new());
        inputs += 1;

        let mut bytes = method_bytes(1, publish("", "q", false));
        bytes.extend(header_with_headers(&table));
        let (mut net, id, frames) = after_open(&bytes);
        assert_eq!(
            connection_close(&frames),
            Some((502, TOO_DEEP.into(), 0, 0)),
            "content header headers (array: {array})"
        );
        finish(&mut net, id, &mut Vec::new());
        inputs += 1;
    }

    // Before tune-ok the frame limit is 4096 bytes: 500 levels of client properties. Errors
    // before tune-ok close without a frame.
    let mut payload = vec![0, 10, 0, 11];
    payload.extend(nested_table(500, false));
    let mut net = Net::new();
    let id = net.accept(SessionConfig::default());
    net.send_bytes(id, &PROTOCOL_HEADER);
    net.frames(id);
    net.send_bytes(id, &raw_frame(1, 0, &payload));
    assert_eq!(net.frames(id), []);
    assert!(net.session(id).is_closed());
    inputs += 1;
    eprintln!("fuzz nested_tables: {inputs} inputs, no panic");
}

#[test]
fn tables_nested_64_deep_are_accepted_and_65_refused() {
    let (net, _, frames) = after_open(&declare_with_table(&nested_table(64, false)));
    assert!(
        matches!(
            frames.as_slice(),
            [Out::Method(
                1,
                AMQPClass::Queue(queue::AMQPMethod::DeclareOk(_))
            )]
        ),
        "{frames:?}"
    );
    assert!(net.queue("q").is_some());
    let (_, _, frames) = after_open(&declare_with_table(&nested_table(65, false)));
    assert_eq!(
        connection_close(&frames),
        Some((502, TOO_DEEP.into(), 50, 10))
    );
}

// ---- (e) oversized frame headers --------------------------------------------------------

#[test]
fn a_frame_header_announcing_4_gib_is_501_and_nothing_is_buffered() {
    let mut inputs = 0;
    for frame_type in [1u8, 2, 3, 8, 5] {
        let (mut net, id, frames) = after_open(&[frame_type, 0, 1, 0xFF, 0xFF, 0xFF, 0xFF]);
        assert_eq!(
            connection_close(&frames),
            Some((
                501,
                format!(
                    "FRAME_ERROR - type {frame_type}, all octets = <<>>: {{frame_too_large,4294967295,131064}}"
                ),
                0,
                0
            ))
        );
        assert_eq!(net.session(id).buffered(), 0);
        // What follows (the 4 GiB the header announced, say) is not kept either, for as long
        // as the session reads (a pump stops reading once it is closed).
        for _ in 0..16 {
            if net.session(id).is_closed() {
                break;
            }
            net.send_bytes(id, &[8, 0, 0, 0, 0, 0, 0, 0xCE].repeat(8 * 1024)); // 64 KiB of heartbeats
            assert!(net.session(id).buffered() <= 131_072 + 8);
        }
        finish(&mut net, id, &mut Vec::new());
        inputs += 1;
    }
    // Before tune-ok (limit 4096): a silent close, nothing buffered.
    let mut net = Net::new();
    let id = net.accept(SessionConfig::default());
    net.send_bytes(id, &PROTOCOL_HEADER);
    net.frames(id);
    net.send_bytes(id, &[1, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF]);
    assert_eq!(net.frames(id), []);
    assert!(net.session(id).is_closed());
    assert_eq!(net.session(id).buffered(), 0);
    inputs += 1;
    eprintln!("fuzz oversized_frames: {inputs} inputs, no panic");
}
