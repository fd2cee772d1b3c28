//! A real client's bytes, written with amq-protocol's generators as pika would write them,
//! driving the engine: the drawing grows with what it declares and does, and its messages
//! reach the simulated clients (and theirs reach it).

use amq_protocol::frame::{gen_frame, AMQPContentHeader, AMQPFrame, WriteContext};
use amq_protocol::protocol::basic::AMQPProperties;
use amq_protocol::protocol::{basic, channel, connection, exchange, queue, AMQPClass};
use amq_protocol::types::{AMQPValue, FieldTable, LongString};

use crate::scene::NodeKind;
use crate::sim::{presets, Playground, PublishRequest};

fn frame(f: AMQPFrame) -> Vec<u8> {
    gen_frame(&f)(WriteContext::from(Vec::new()))
        .expect("the client's frame encodes")
        .write
}

fn method(channel: u16, m: AMQPClass) -> Vec<u8> {
    frame(AMQPFrame::Method(channel, m))
}

/// A client's handshake up to channel 1 open, as one write (named `send.py` when `name`).
fn hello(name: Option<&str>) -> Vec<u8> {
    let mut props = FieldTable::default();
    props.insert(
        "product".into(),
        AMQPValue::LongString("Pika Python Client Library".into()),
    );
    props.insert("version".into(), AMQPValue::LongString("1.3.2".into()));
    if let Some(name) = name {
        props.insert("connection_name".into(), AMQPValue::LongString(name.into()));
    }
    let mut out = b"AMQP\x00\x00\x09\x01".to_vec();
    out.extend(method(
        0,
        AMQPClass::Connection(connection::AMQPMethod::StartOk(connection::StartOk {
            client_properties: props,
            mechanism: "PLAIN".into(),
            response: LongString::from(&b"\0guest\0guest"[..]),
            locale: "en_US".into(),
        })),
    ));
    out.extend(method(
        0,
        AMQPClass::Connection(connection::AMQPMethod::TuneOk(connection::TuneOk {
            channel_max: 2047,
            frame_max: 131_072,
            heartbeat: 0,
        })),
    ));
    out.extend(method(
        0,
        AMQPClass::Connection(connection::AMQPMethod::Open(connection::Open {
            virtual_host: "/".into(),
        })),
    ));
    out.extend(method(
        1,
        AMQPClass::Channel(channel::AMQPMethod::Open(channel::Open {})),
    ));
    out
}

fn declare(name: &str) -> Vec<u8> {
    declare_with(name, false, FieldTable::default())
}

/// As today's tutorials declare their queues: durable, `x-queue-type: quorum`.
fn declare_quorum(name: &str) -> Vec<u8> {
    let mut arguments = FieldTable::default();
    arguments.insert(
        "x-queue-type".into(),
        AMQPValue::LongString("quorum".into()),
    );
    declare_with(name, true, arguments)
}

fn declare_with(name: &str, durable: bool, arguments: FieldTable) -> Vec<u8> {
    method(
        1,
        AMQPClass::Queue(queue::AMQPMethod::Declare(queue::Declare {
            queue: name.into(),
            passive: false,
            durable,
            exclusive: false,
            auto_delete: false,
            nowait: false,
            arguments,
        })),
    )
}

fn publish(exchange: &str, key: &str, body: &str) -> Vec<u8> {
    publish_with(exchange, key, body, AMQPProperties::default())
}

fn publish_with(exchange: &str, key: &str, body: &str, properties: AMQPProperties) -> Vec<u8> {
    let mut out = method(
        1,
        AMQPClass::Basic(basic::AMQPMethod::Publish(basic::Publish {
            exchange: exchange.into(),
            routing_key: key.into(),
            mandatory: false,
            immediate: false,
        })),
    );
    out.extend(frame(AMQPFrame::Header(
        1,
        AMQPContentHeader {
            class_id: 60,
            body_size: body.len() as u64,
            properties,
        },
    )));
    out.extend(frame(AMQPFrame::Body(1, body.as_bytes().to_vec())));
    out
}

fn consume(queue: &str) -> Vec<u8> {
    method(
        1,
        AMQPClass::Basic(basic::AMQPMethod::Consume(basic::Consume {
            queue: queue.into(),
            consumer_tag: String::new().into(),
            no_local: false,
            no_ack: true,
            exclusive: false,
            nowait: false,
            arguments: FieldTable::default(),
        })),
    )
}

fn node(pg: &Playground, kind: NodeKind, name: &str) -> Option<crate::scene::Node> {
    let g = pg.graph();
    g.find(kind, name).map(|id| g.nodes[id.0].clone())
}

fn output(pg: &mut Playground) -> Vec<u8> {
    pg.take_remote_output()
        .into_iter()
        .flat_map(|o| o.bytes)
        .collect()
}

#[test]
fn send_py_is_drawn_as_a_real_producer_and_its_message_reaches_the_simulated_consumer() {
    let mut pg = Playground::new(presets::hello_world()).unwrap();
    pg.remote_connect(1, "127.0.0.1:50412");
    pg.remote_receive(1, &hello(Some("send.py")));
    let greeting = output(&mut pg);
    // connection.start, tune, open-ok, channel.open-ok: the handshake went through.
    assert_eq!(&greeting[..3], &[1, 0, 0]);
    assert!(
        greeting.windows(4).any(|w| w == [0, 20, 0, 11]),
        "channel.open-ok"
    );

    pg.remote_receive(1, &declare_quorum("hello"));
    pg.remote_receive(1, &publish("", "hello", "Hello World!"));
    let p = node(&pg, NodeKind::Producer, "send.py").expect("send.py is drawn");
    let tooltip = p.real.expect("marked as real");
    assert!(tooltip.contains("127.0.0.1:50412"), "{tooltip}");
    assert!(
        tooltip.contains("Pika Python Client Library 1.3.2"),
        "{tooltip}"
    );
    let g = pg.graph();
    let (from, to) = (
        g.find(NodeKind::Producer, "send.py").unwrap(),
        g.find(NodeKind::Queue, "hello").unwrap(),
    );
    assert!(g.edge_between(from, to).is_some(), "send.py → hello");

    pg.advance(5_000);
    let snap = pg.snapshot();
    assert_eq!(
        snap.consumers[0].received, 1,
        "C got the real client's message"
    );
    assert_eq!(pg.remotes()[0].published, 1);
    assert!(pg.has_remotes());

    pg.remote_lost(1);
    assert!(!pg.has_remotes());
    assert!(
        node(&pg, NodeKind::Producer, "send.py").is_none(),
        "gone with its program"
    );
}

#[test]
fn a_real_consumer_gets_what_a_simulated_producer_publishes_and_its_queue_joins_the_drawing() {
    let mut pg = Playground::new(presets::hello_world()).unwrap();
    pg.remote_connect(7, "127.0.0.1:40000");
    pg.remote_receive(7, &hello(None));
    pg.remote_receive(7, &declare("tasks"));
    assert!(
        node(&pg, NodeKind::Queue, "tasks").is_some(),
        "declared, so drawn"
    );
    // P of the preset publishes to "tasks" by the default exchange; the real client consumes.
    pg.remote_receive(7, &consume("tasks"));
    output(&mut pg);
    pg.publish(PublishRequest {
        routing_key: Some("tasks".into()),
        body: Some("from P".into()),
        ..PublishRequest::default()
    })
    .unwrap();
    pg.advance(5_000);
    let view = &pg.remotes()[0];
    assert_eq!(
        view.name, "pika:40000",
        "no connection_name: library and port"
    );
    assert_eq!(view.received, 1);
    assert!(node(&pg, NodeKind::Consumer, "pika:40000").is_some());
    let bytes = output(&mut pg);
    assert!(
        bytes.windows(6).any(|w| w == b"from P"),
        "the delivery went out on the wire"
    );
}

#[test]
fn guest_from_another_machine_is_refused_as_rabbitmq_refuses_it() {
    let mut pg = Playground::new(presets::hello_world()).unwrap();
    pg.remote_connect(2, "192.168.1.20:50000");
    pg.remote_receive(2, &hello(None));
    let out = pg.take_remote_output();
    assert!(out.iter().any(|o| o.closed), "the session closed");
    assert!(!pg.has_remotes());
}

#[test]
fn a_real_clients_unroutable_message_gives_up_after_its_hop_and_the_next_one_is_on_time() {
    let mut pg = Playground::new(presets::hello_world()).unwrap();
    pg.remote_connect(3, "127.0.0.1:40001");
    pg.remote_receive(3, &hello(None));
    pg.remote_receive(3, &publish("", "nowhere", "lost"));
    let fate = pg
        .tokens_at(0.0)
        .into_iter()
        .chain(pg.tokens_at(900.0))
        .find(|s| s.tween.fate == Some("unroutable"))
        .map(|s| s.tween.start)
        .expect("an unroutable fate is drawn");
    assert_eq!(
        fate,
        crate::sim::playground::HOP_MS as f64,
        "after the hop from the program"
    );
    // The preset's own P publishes next: routed at once on arrival, not one hop late.
    pg.publish(PublishRequest::default()).unwrap();
    pg.advance(800);
    let delivered_now = pg
        .tokens_at(800.0)
        .into_iter()
        .any(|s| s.tween.start == 800.0 && s.tween.fate.is_none());
    assert!(
        delivered_now,
        "the delivery to C leaves at once: the late hop was used up by the unroutable message"
    );
}

/// Each token's edges, by the names of the nodes they join.
fn token_edges(pg: &Playground, t: f64) -> Vec<Vec<(String, String)>> {
    let g = pg.graph();
    pg.tokens_at(t)
        .into_iter()
        .map(|s| {
            s.tween
                .legs
                .iter()
                .filter_map(|leg| match leg {
                    crate::anim::Leg::Edge(e) | crate::anim::Leg::Back(e) => g.edges.get(*e),
                    _ => None,
                })
                .map(|e| (g.nodes[e.from.0].name.clone(), g.nodes[e.to.0].name.clone()))
                .collect()
        })
        .collect()
}

#[test]
fn tokens_in_flight_stay_on_their_edges_when_a_real_client_changes_the_drawing() {
    let mut pg = Playground::new(presets::hello_world()).unwrap();
    pg.publish(PublishRequest::default()).unwrap();
    pg.advance(900); // the delivery hello → C is on its way
    let before = token_edges(&pg, 900.0);
    assert!(
        before
            .iter()
            .any(|e| e == &[("hello".to_string(), "C".to_string())]),
        "{before:?}"
    );

    // A real client drawn after everything else: the tokens keep their paths.
    pg.remote_connect(4, "127.0.0.1:40004");
    pg.remote_receive(4, &hello(None));
    assert_eq!(token_edges(&pg, 900.0), before);

    // What it declares is drawn among the scenario's nodes and edges: indices shift, and no
    // token may end up on another edge.
    pg.remote_receive(4, &declare("tasks"));
    let mut bind = method(
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
    bind.extend(method(
        1,
        AMQPClass::Queue(queue::AMQPMethod::Bind(queue::Bind {
            queue: "tasks".into(),
            exchange: "x".into(),
            routing_key: "k".into(),
            nowait: false,
            arguments: FieldTable::default(),
        })),
    ));
    pg.remote_receive(4, &bind);
    for edges in token_edges(&pg, 900.0) {
        assert!(
            before.contains(&edges),
            "a token moved to {edges:?}; before: {before:?}"
        );
    }
}

#[test]
fn verify_replays_what_the_real_clients_did() {
    // The bridge's first page: `hello` and no simulated clients; receive.py consumes, send.py
    // publishes; Verify's script does the same, so RabbitMQ shows the same delivery.
    let mut pg = Playground::new(presets::real_clients()).unwrap();
    pg.remote_connect(1, "127.0.0.1:50001");
    pg.remote_receive(1, &hello(Some("receive.py")));
    pg.remote_receive(1, &declare_quorum("hello"));
    pg.remote_receive(1, &consume("hello"));
    pg.remote_connect(2, "127.0.0.1:50002");
    pg.remote_receive(2, &hello(Some("send.py")));
    pg.remote_receive(2, &declare_quorum("hello"));
    let properties = AMQPProperties::default()
        .with_delivery_mode(2)
        .with_correlation_id("c-1".into());
    pg.remote_receive(2, &publish_with("", "hello", "Hello World!", properties));
    pg.advance(1_000);
    let steps: Vec<String> = pg
        .remote_steps()
        .iter()
        .map(|(_, s)| s.to_string())
        .collect();
    assert_eq!(steps.len(), 2, "a consume and a publish: {steps:?}");
    assert!(steps[0].contains("\"tag\":\"receive.py\"") && steps[0].contains("\"ack\":\"none\""));
    assert!(steps[1].contains("Hello World!") && steps[1].contains("send.py:1"));
    assert!(
        steps[1].contains(r#""properties":{"correlation_id":"c-1","delivery_mode":2}"#),
        "{}",
        steps[1]
    );
    let script = crate::sim::verify::script_for(pg.scenario(), &[], pg.remote_steps());
    let result =
        crate::sim::verify::run_on_core(&script.json, amqp_playground_core::Compat::RabbitMq310)
            .expect("the script runs");
    let result: serde_json::Value = serde_json::from_str(&result).unwrap();
    assert_eq!(
        result["consumers"]["receive.py"][0]["body"], "Hello World!",
        "{result}"
    );
    assert_eq!(result["errors"], serde_json::json!([]), "{result}");
}
