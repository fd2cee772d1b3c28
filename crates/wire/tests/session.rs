//! The session's behaviour, one story per test, told in frames: a client (amq-protocol's
//! generators) talks to sessions pumped against one broker. Codes and texts are RabbitMQ
//! 3.10.8's as measured on the wire.

mod harness;

use amq_protocol::frame::AMQPFrame;
use amq_protocol::protocol::basic::AMQPProperties;
use amq_protocol::types::{AMQPValue, FieldTable};
use amqp_playground_core::{Command, Compat, Millis};
use amqp_playground_wire::codec::PROTOCOL_HEADER;
use amqp_playground_wire::SessionConfig;
use harness::*;

fn queue_method(m: queue::AMQPMethod) -> AMQPClass {
    AMQPClass::Queue(m)
}

fn passive_declare(name: &str) -> AMQPClass {
    queue_method(queue::AMQPMethod::Declare(queue::Declare {
        queue: name.into(),
        passive: true,
        durable: false,
        exclusive: false,
        auto_delete: false,
        nowait: false,
        arguments: FieldTable::default(),
    }))
}

fn channel_open() -> AMQPClass {
    AMQPClass::Channel(channel::AMQPMethod::Open(channel::Open {}))
}

/// Logs in up to (and including) start-ok with `login`, returning what came back after it.
fn start_ok_with(net: &mut Net, config: SessionConfig, login: &Login) -> (Id, Vec<Out>) {
    let id = net.accept(config);
    net.send_bytes(id, &PROTOCOL_HEADER);
    net.frames(id); // connection.start
    net.send_method(id, 0, start_ok(login));
    let frames = net.frames(id);
    (id, frames)
}

// ---- handshake ------------------------------------------------------------------------

#[test]
fn handshake_announces_rabbitmq_3_10_8_tunes_2047_131072_60_and_opens() {
    let mut net = Net::new();
    let id = net.accept(SessionConfig::for_compat(Compat::RabbitMq310));
    net.send_bytes(id, &PROTOCOL_HEADER);

    let frames = net.frames(id);
    let [Out::Method(0, AMQPClass::Connection(connection::AMQPMethod::Start(start)))] =
        frames.as_slice()
    else {
        panic!("expected connection.start: {frames:?}");
    };
    assert_eq!((start.version_major, start.version_minor), (0, 9));
    let props = start.server_properties.inner();
    let text = |k: &str| match props.get(k) {
        Some(AMQPValue::LongString(s)) => String::from_utf8_lossy(s.as_bytes()).into_owned(),
        other => panic!("{k}: {other:?}"),
    };
    assert_eq!(text("product"), "RabbitMQ");
    assert_eq!(text("version"), "3.10.8");
    let Some(AMQPValue::FieldTable(caps)) = props.get("capabilities") else {
        panic!("no capabilities table");
    };
    for cap in [
        "publisher_confirms",
        "exchange_exchange_bindings",
        "basic.nack",
        "consumer_cancel_notify",
        "connection.blocked",
        "consumer_priorities",
        "authentication_failure_close",
        "per_consumer_qos",
        "direct_reply_to",
    ] {
        assert_eq!(
            caps.inner().get(cap),
            Some(&AMQPValue::Boolean(true)),
            "{cap}"
        );
    }
    assert_eq!(start.locales.as_bytes(), b"en_US");
    let mechanisms = String::from_utf8_lossy(start.mechanisms.as_bytes()).into_owned();
    assert!(mechanisms.split(' ').any(|m| m == "PLAIN"), "{mechanisms}");

    let login = Login::default();
    net.send_method(id, 0, start_ok(&login));
    // RabbitMQ 3.10.8's tune, byte for byte: channel_max 2047, frame_max 131072, heartbeat 60.
    assert_eq!(
        net.bytes(id),
        hex("0100000000000c000a001e07ff00020000003cce")
    );

    net.send_method(id, 0, tune_ok(&login));
    assert_eq!(net.frames(id), []);
    assert!(net.session(id).connection().is_none());

    net.send_method(id, 0, open("/"));
    assert_eq!(net.bytes(id), hex("01000000000005000a002900ce")); // open-ok
    assert!(net.session(id).connection().is_some());
    assert_eq!(net.session(id).user(), "guest");
}

#[test]
fn wrong_password_with_authentication_failure_close_is_403() {
    let mut net = Net::new();
    let login = Login {
        password: "wrong".into(),
        ..Login::default()
    };
    let (id, frames) = start_ok_with(&mut net, SessionConfig::default(), &login);
    assert_eq!(
        connection_close(&frames),
        Some((
            403,
            "ACCESS_REFUSED - Login was refused using authentication mechanism PLAIN. For details see the broker logfile.".into(),
            0,
            0
        ))
    );
    // Byte for byte what RabbitMQ 3.10.8 sends.
    assert_eq!(
        frames,
        decode_all(&hex("01000000000077000a003201936c4143434553535f52454655534544202d204c6f67696e207761732072656675736564207573696e672061757468656e7469636174696f6e206d656368616e69736d20504c41494e2e20466f722064657461696c7320736565207468652062726f6b6572206c6f6766696c652e00000000ce"))
    );
    // It waits for close-ok, then is done.
    assert!(!net.session(id).is_closed());
    net.send_method(id, 0, close_ok());
    assert!(net.session(id).is_closed());
}

#[test]
fn wrong_password_without_the_capability_closes_without_a_frame() {
    let mut net = Net::new();
    let login = Login {
        password: "wrong".into(),
        capabilities: vec![],
        ..Login::default()
    };
    let (id, frames) = start_ok_with(&mut net, SessionConfig::default(), &login);
    assert_eq!(frames, []);
    assert!(net.session(id).is_closed());
    assert!(net
        .session(id)
        .close_reason()
        .is_some_and(|r| r.contains("Login was refused")));
}

#[test]
fn opening_a_missing_vhost_is_530() {
    let mut net = Net::new();
    let login = Login::default();
    let (id, _) = start_ok_with(&mut net, SessionConfig::default(), &login);
    net.send_method(id, 0, tune_ok(&login));
    net.send_method(id, 0, open("nope"));
    assert_eq!(
        connection_close(&net.frames(id)),
        Some((530, "NOT_ALLOWED - vhost nope not found".into(), 10, 40))
    );
    assert!(net.session(id).connection().is_none());
}

#[test]
fn a_tune_ok_below_the_minimum_frame_size_closes_without_a_frame() {
    let mut net = Net::new();
    let login = Login {
        frame_max: 4095,
        ..Login::default()
    };
    let (id, _) = start_ok_with(&mut net, SessionConfig::default(), &login);
    net.send_method(id, 0, tune_ok(&login));
    assert_eq!(net.frames(id), []);
    assert!(net.session(id).is_closed());
    assert!(net
        .session(id)
        .close_reason()
        .is_some_and(|r| r.contains("failed to negotiate")));
}

#[test]
fn the_handshake_times_out_after_10_s() {
    let mut net = Net::new();
    let id = net.accept(SessionConfig::default());
    net.send_bytes(id, &PROTOCOL_HEADER);
    net.frames(id);
    net.advance_to(9_999);
    assert!(!net.session(id).is_closed());
    net.advance_to(10_000);
    assert!(net.session(id).is_closed());
    assert_eq!(
        net.frames(id),
        [],
        "RabbitMQ sends nothing, it drops the socket"
    );
    assert_eq!(net.session(id).close_reason(), Some("handshake_timeout"));
}

// ---- messages -------------------------------------------------------------------------

#[test]
fn a_body_split_over_frames_arrives_intact_at_a_consumer_on_another_session() {
    let mut net = Net::new();
    let publisher = net.connect();
    let consumer = net.connect();
    net.open_channel(consumer, 1);
    net.declare(consumer, 1, "q");
    assert_eq!(net.consume(consumer, 1, "q", "c", true), []);
    net.open_channel(publisher, 1);

    // Three body frames and an empty one in the middle (RabbitMQ accepts it).
    net.publish(publisher, 1, "", "q", &[b"hello ", b"", b"wor", b"ld"]);
    // A zero-size body: the header alone completes the message.
    net.publish(publisher, 1, "", "q", &[]);
    assert_eq!(net.frames(publisher), [], "the publisher hears nothing");

    let got = contents(&net.frames(consumer));
    assert_eq!(got.len(), 2, "{got:?}");
    assert!(matches!(
        &got[0].method,
        AMQPClass::Basic(basic::AMQPMethod::Deliver(d))
            if d.consumer_tag.as_str() == "c" && d.delivery_tag == 1 && d.routing_key.as_str() == "q"
    ));
    assert_eq!(got[0].body, b"hello world");
    assert_eq!(got[0].header.body_size, 11);
    assert_eq!(got[1].header.body_size, 0);
    assert_eq!(
        got[1].body_frames, 0,
        "an empty body is sent as a header alone"
    );
}

#[test]
fn basic_get_returns_the_message_with_get_ok() {
    let mut net = Net::new();
    let id = net.connect();
    net.open_channel(id, 1);
    net.declare(id, 1, "q");
    net.publish(id, 1, "", "q", &[b"one"]);
    net.send_method(
        id,
        1,
        AMQPClass::Basic(basic::AMQPMethod::Get(basic::Get {
            queue: "q".into(),
            no_ack: true,
        })),
    );
    let got = contents(&net.frames(id));
    assert_eq!(got.len(), 1);
    assert!(matches!(
        &got[0].method,
        AMQPClass::Basic(basic::AMQPMethod::GetOk(g)) if g.delivery_tag == 1 && g.message_count == 0
    ));
    assert_eq!(got[0].body, b"one");

    net.send_method(
        id,
        1,
        AMQPClass::Basic(basic::AMQPMethod::Get(basic::Get {
            queue: "q".into(),
            no_ack: true,
        })),
    );
    assert!(matches!(
        net.frames(id).as_slice(),
        [Out::Method(
            1,
            AMQPClass::Basic(basic::AMQPMethod::GetEmpty(_))
        )]
    ));
}

#[test]
fn a_mandatory_unroutable_publish_is_returned_312_no_route() {
    let mut net = Net::new();
    let id = net.connect();
    net.open_channel(id, 1);
    net.send_method(id, 1, publish("amq.direct", "nowhere", true));
    net.send(id, header(1, 3, AMQPProperties::default()));
    net.send(id, AMQPFrame::Body(1, b"abc".to_vec()));
    let got = contents(&net.frames(id));
    assert_eq!(got.len(), 1);
    let AMQPClass::Basic(basic::AMQPMethod::Return(r)) = &got[0].method else {
        panic!("{got:?}");
    };
    assert_eq!((r.reply_code, r.reply_text.as_str()), (312, "NO_ROUTE"));
    assert_eq!(
        (r.exchange.as_str(), r.routing_key.as_str()),
        ("amq.direct", "nowhere")
    );
    assert_eq!(got[0].body, b"abc");
}

#[test]
fn publisher_confirms_ack_delivery_tags_1_2_3() {
    let mut net = Net::new();
    let id = net.connect();
    net.open_channel(id, 1);
    net.declare(id, 1, "q");
    net.send_method(
        id,
        1,
        AMQPClass::Confirm(confirm::AMQPMethod::Select(confirm::Select {
            nowait: false,
        })),
    );
    assert!(matches!(
        net.frames(id).as_slice(),
        [Out::Method(
            1,
            AMQPClass::Confirm(confirm::AMQPMethod::SelectOk(_))
        )]
    ));
    for body in [&b"a"[..], b"b", b"c"] {
        net.publish(id, 1, "", "q", &[body]);
    }
    let acks: Vec<(u64, bool)> = net
        .frames(id)
        .into_iter()
        .map(|f| match f {
            Out::Method(1, AMQPClass::Basic(basic::AMQPMethod::Ack(a))) => {
                (a.delivery_tag, a.multiple)
            }
            other => panic!("expected basic.ack, got {other:?}"),
        })
        .collect();
    assert_eq!(acks, [(1, false), (2, false), (3, false)]);
}

// ---- channels -------------------------------------------------------------------------

#[test]
fn passive_declare_of_a_missing_queue_closes_the_channel_404_until_close_ok() {
    let mut net = Net::new();
    let id = net.connect();
    net.open_channel(id, 1);
    net.send_method(id, 1, passive_declare("missing"));
    assert_eq!(
        channel_close(&net.frames(id)),
        Some((
            1,
            404,
            "NOT_FOUND - no queue 'missing' in vhost '/'".into(),
            50,
            10
        ))
    );

    // Closing: methods and content on the channel are discarded.
    net.send_method(id, 1, declare("q"));
    net.publish(id, 1, "", "q", &[b"lost"]);
    assert_eq!(net.frames(id), []);
    assert_eq!(net.queue("q"), None);

    // close-ok ends it; the channel number can be opened again and works.
    net.send_method(id, 1, channel_close_ok());
    assert_eq!(net.frames(id), []);
    net.open_channel(id, 1);
    net.declare(id, 1, "q");
    assert!(net.queue("q").is_some());
}

#[test]
fn a_second_channel_open_is_504() {
    let mut net = Net::new();
    let id = net.connect();
    net.open_channel(id, 1);
    net.send_method(id, 1, channel_open());
    assert_eq!(
        connection_close(&net.frames(id)),
        Some((
            504,
            "CHANNEL_ERROR - second 'channel.open' seen".into(),
            20,
            10
        ))
    );
}

#[test]
fn channel_max_limits_the_number_of_open_channels_530() {
    let mut net = Net::new();
    let login = Login {
        channel_max: 2,
        ..Login::default()
    };
    let id = net.connect_with(SessionConfig::default(), &login);
    // The limit is on the count of open channels, not on their numbers.
    net.open_channel(id, 7);
    net.open_channel(id, 2047);
    net.send_method(id, 3, channel_open());
    assert_eq!(
        connection_close(&net.frames(id)),
        Some((
            530,
            "NOT_ALLOWED - number of channels opened (2) has reached the negotiated channel_max (2)"
                .into(),
            0,
            0
        ))
    );
}

// ---- content and frame errors ----------------------------------------------------------

#[test]
fn a_content_header_without_a_publish_is_505() {
    let mut net = Net::new();
    let id = net.connect();
    net.open_channel(id, 1);
    net.send(id, header(1, 3, AMQPProperties::default()));
    assert_eq!(
        connection_close(&net.frames(id)),
        Some((
            505,
            "UNEXPECTED_FRAME - expected method frame, got non method frame instead".into(),
            0,
            0
        ))
    );
}

#[test]
fn a_method_in_the_middle_of_content_is_505() {
    let mut net = Net::new();
    let id = net.connect();
    net.open_channel(id, 1);
    net.send_method(id, 1, publish("", "q", false));
    net.send_method(id, 1, declare("q"));
    assert_eq!(
        connection_close(&net.frames(id)),
        Some((
            505,
            "UNEXPECTED_FRAME - expected content header for class 60, got non content header frame instead".into(),
            60,
            40
        ))
    );
    assert_eq!(net.queue("q"), None);
}

#[test]
fn a_frame_larger_than_frame_max_is_501() {
    let mut net = Net::new();
    let id = net.connect();
    net.open_channel(id, 1);
    // Only the 7-byte frame header: it announces 131074 bytes, over frame_max 131072.
    net.send_bytes(id, &[1, 0, 1, 0, 2, 0, 2]);
    assert_eq!(
        connection_close(&net.frames(id)),
        Some((
            501,
            "FRAME_ERROR - type 1, all octets = <<>>: {frame_too_large,131074,131064}".into(),
            0,
            0
        ))
    );
}

#[test]
fn a_heartbeat_on_channel_1_is_505() {
    let mut net = Net::new();
    let id = net.connect();
    net.open_channel(id, 1);
    net.send(id, AMQPFrame::InvalidHeartbeat(1));
    assert_eq!(
        connection_close(&net.frames(id)),
        Some((
            505,
            "UNEXPECTED_FRAME - type 8, all octets = <<>>".into(),
            0,
            0
        ))
    );
}

#[test]
fn a_message_over_max_message_size_is_406() {
    let mut net = Net::new();
    let config = SessionConfig {
        max_message_size: 10,
        ..SessionConfig::default()
    };
    let id = net.connect_with(config, &Login::default());
    net.open_channel(id, 1);
    net.declare(id, 1, "q");
    net.publish(id, 1, "", "q", &[b"0123456789"]); // exactly the limit: accepted
    net.publish(id, 1, "", "q", &[b"01234", b"567890"]);
    assert_eq!(
        channel_close(&net.frames(id)),
        Some((
            1,
            406,
            "PRECONDITION_FAILED - message size 11 is larger than configured max size 10".into(),
            60,
            40
        ))
    );
    assert_eq!(net.queue("q").map(|q| q.ready), Some(1));
}

#[test]
fn an_unknown_method_is_540_not_implemented() {
    // A documented difference: RabbitMQ's reader crashes and resets the socket.
    let mut net = Net::new();
    let id = net.connect();
    net.open_channel(id, 1);
    net.send_bytes(id, &raw_frame(1, 1, &[3, 231, 0, 10])); // class 999, method 10
    assert_eq!(
        connection_close(&net.frames(id)),
        Some((
            540,
            "NOT_IMPLEMENTED - unknown method {999,10}".into(),
            0,
            0
        ))
    );
}

// ---- time -------------------------------------------------------------------------------

#[test]
fn heartbeats_go_out_every_half_interval_and_silence_closes_after_two() {
    let mut net = Net::new();
    let login = Login {
        heartbeat: 2,
        ..Login::default()
    };
    let id = net.connect_with(SessionConfig::default(), &login);

    // Driven by hand first: at 1000 ms (heartbeat / 2) the session writes a heartbeat frame.
    assert_eq!(net.session(id).poll_timeout(), Some(Millis(1_000)));
    net.session_mut(id).handle_timeout(Millis(1_000));
    assert_eq!(net.session_mut(id).take_output(), hex("08000000000000ce"));

    net.now = Millis(1_000);
    net.advance_to(3_999);
    assert_eq!(net.frames(id), [Out::Heartbeat(0), Out::Heartbeat(0)]); // 2000, 3000
    assert!(!net.session(id).is_closed());
    // Nothing from the client for 2 × heartbeat: the socket is dropped without a frame.
    net.advance_to(4_000);
    assert!(net.session(id).is_closed());
    assert_eq!(net.frames(id), []);
    assert!(net
        .session(id)
        .close_reason()
        .is_some_and(|r| r.contains("missed heartbeats")));
    assert!(
        net.broker.connections().is_empty(),
        "the core forgot the connection"
    );
}

#[test]
fn client_heartbeats_keep_the_connection_alive() {
    let mut net = Net::new();
    let login = Login {
        heartbeat: 2,
        ..Login::default()
    };
    let id = net.connect_with(SessionConfig::default(), &login);
    for second in 1..=12 {
        net.advance_to(second * 1_000);
        net.send(id, AMQPFrame::Heartbeat);
    }
    assert!(!net.session(id).is_closed());
}

// ---- the broker's side -----------------------------------------------------------------

fn consumer_of_deleted_queue(capabilities: Vec<&'static str>) -> Vec<Out> {
    let mut net = Net::new();
    let login = Login {
        capabilities,
        ..Login::default()
    };
    let consumer = net.connect_with(SessionConfig::default(), &login);
    let admin = net.connect();
    net.open_channel(consumer, 1);
    net.declare(consumer, 1, "q");
    net.consume(consumer, 1, "q", "c", false);
    net.open_channel(admin, 1);
    net.send_method(
        admin,
        1,
        queue_method(queue::AMQPMethod::Delete(queue::Delete {
            queue: "q".into(),
            if_unused: false,
            if_empty: false,
            nowait: false,
        })),
    );
    assert!(matches!(
        net.frames(admin).as_slice(),
        [Out::Method(
            1,
            AMQPClass::Queue(queue::AMQPMethod::DeleteOk(_))
        )]
    ));
    net.frames(consumer)
}

#[test]
fn a_deleted_queue_cancels_its_consumer_with_consumer_cancel_notify() {
    let frames = consumer_of_deleted_queue(vec!["consumer_cancel_notify"]);
    assert!(
        matches!(
            frames.as_slice(),
            [Out::Method(1, AMQPClass::Basic(basic::AMQPMethod::Cancel(c)))]
                if c.consumer_tag.as_str() == "c" && c.nowait
        ),
        "{frames:?}"
    );
}

#[test]
fn a_deleted_queue_tells_a_client_without_consumer_cancel_notify_nothing() {
    assert_eq!(consumer_of_deleted_queue(vec![]), []);
}

#[test]
fn a_lost_connection_returns_unacked_messages_to_the_queue() {
    let mut net = Net::new();
    let id = net.connect();
    net.open_channel(id, 1);
    net.declare(id, 1, "q");
    net.publish(id, 1, "", "q", &[b"job"]);
    let delivered = contents(&net.consume(id, 1, "q", "c", false));
    assert_eq!(delivered.len(), 1);
    let q = net.queue("q").unwrap();
    assert_eq!((q.ready, q.unacked), (0, 1));

    let command = net.session_mut(id).connection_lost();
    assert!(
        matches!(command, Some(Command::CloseConnection(_))),
        "{command:?}"
    );
    let result = net.broker.handle(net.now, command.unwrap());
    net.session_mut(id).handle_result(result);
    assert!(net.session(id).is_closed());

    let q = net.queue("q").unwrap();
    assert_eq!((q.ready, q.unacked), (1, 0));
    assert!(net.broker.connections().is_empty());
}

#[test]
fn a_server_close_320_writes_connection_close() {
    let mut net = Net::new();
    let id = net.connect();
    let command = net.session_mut(id).close(
        320,
        "CONNECTION_FORCED - broker forced connection closure with reason 'shutdown'".into(),
    );
    let command = command.expect("the core's cleanup");
    let result = net.broker.handle(net.now, command);
    net.session_mut(id).handle_result(result);
    let out = decode_all(&net.session_mut(id).take_output());
    assert_eq!(
        connection_close(&out),
        Some((
            320,
            "CONNECTION_FORCED - broker forced connection closure with reason 'shutdown'".into(),
            0,
            0
        ))
    );
    assert!(net.broker.connections().is_empty());
    net.send_method(id, 0, close_ok());
    assert!(net.session(id).is_closed());
}

// ---- where the session differs from RabbitMQ 3.10.8 (/tmp/wire-facts.md) ----------------
// Each is a bug report: ignored so that main stays green, run with `--ignored`.

#[test]
fn a_content_header_with_weight_7_is_505() {
    let mut net = Net::new();
    let id = net.connect();
    net.open_channel(id, 1);
    net.send_method(id, 1, publish("", "q", false));
    // class 60, weight 7, body size 0, flags 0.
    net.send_bytes(
        id,
        &raw_frame(2, 1, &[0, 60, 0, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
    );
    assert_eq!(
        connection_close(&net.frames(id)),
        Some((
            505,
            "UNEXPECTED_FRAME - expected content header for class 60, got non content header frame instead".into(),
            60,
            40
        ))
    );
}

#[test]
fn junk_after_the_content_properties_is_541() {
    let mut net = Net::new();
    let id = net.connect();
    net.open_channel(id, 1);
    net.declare(id, 1, "q");
    net.send_method(id, 1, publish("", "q", false));
    // class 60, weight 0, body size 1, flags 0, then three bytes no property accounts for.
    net.send_bytes(
        id,
        &raw_frame(2, 1, &[0, 60, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 1, 2, 3]),
    );
    net.send(id, AMQPFrame::Body(1, b"x".to_vec()));
    assert_eq!(
        connection_close(&net.frames(id)),
        Some((541, "INTERNAL_ERROR".into(), 0, 0))
    );
}

#[test]
fn a_reply_text_over_255_bytes_keeps_252_and_ends_in_dots() {
    let mut net = Net::new();
    let id = net.connect();
    // channel.open with 200 bytes after its argument: "cannot decode" quotes them all.
    let mut payload = vec![0, 20, 0, 10, 0];
    payload.extend([7u8; 200]);
    net.send_bytes(id, &raw_frame(1, 1, &payload));
    let quoted: Vec<String> = payload[4..].iter().map(u8::to_string).collect();
    let full = format!("FRAME_ERROR - cannot decode <<{}>>", quoted.join(","));
    let expected = format!("{}...", &full[..252]);
    let (code, text, ..) = connection_close(&net.frames(id)).expect("connection.close");
    assert_eq!((code, text), (501, expected));
}
