//! Tutorial one and two, told as event lists: declare, publish, consume, ack.

mod harness;

use amqp_playground_core::*;
use harness::World;

#[test]
fn hello_world_is_published_enqueued_and_delivered() {
    let mut w = World::new();
    w.declare("hello");
    w.publish("", "hello", "Hello World!");
    let tag = w.consume("hello", true);
    let events = w.events();
    let ch = w.ch;
    let props = std::sync::Arc::new(Properties::default());
    assert_eq!(
        events,
        vec![
            Event::QueueDeclared {
                vhost: "/".into(),
                queue: "hello".into(),
                durable: false,
                exclusive: None,
                auto_delete: false,
                arguments: FieldTable::new(),
            },
            Event::Published {
                channel: ch,
                message: MessageId(1),
                exchange: "".into(),
                routing_key: "hello".into(),
                seq: None,
            },
            Event::Routed {
                message: MessageId(1),
                exchange: "".into(),
                queues: vec!["hello".into()],
                exchanges: vec!["".into()],
                edges: vec![RouteEdge {
                    source: "".into(),
                    destination: Destination::Queue("hello".into()),
                    via: EdgeKind::Default,
                }],
            },
            Event::Enqueued {
                queue: "hello".into(),
                message: MessageId(1),
            },
            Event::ConsumerStarted {
                channel: ch,
                consumer_tag: tag.clone(),
                queue: "hello".into(),
            },
            Event::Delivered {
                channel: ch,
                consumer_tag: Some(tag),
                delivery_tag: DeliveryTag(1),
                redelivered: false,
                queue: "hello".into(),
                exchange: "".into(),
                routing_key: "hello".into(),
                message: MessageId(1),
                properties: props,
                body: "Hello World!".into(),
                no_ack: true,
            },
        ]
    );
    assert_eq!(w.ready("hello"), 0);
    assert_eq!(
        w.broker
            .queue(&"/".into(), &"hello".into())
            .unwrap()
            .unacked,
        0
    );
}

#[test]
fn server_named_queues_and_tags_are_deterministic() {
    let names = || {
        let mut w = World::new();
        let q = w.declare("");
        let tag = w.consume(q.as_str(), false);
        (q, tag)
    };
    let (q, tag) = names();
    assert!(
        q.as_str().starts_with("amq.gen-") && q.as_str().len() == 8 + 22,
        "{q}"
    );
    assert!(
        tag.as_str().starts_with("amq.ctag-") && tag.as_str().len() == 9 + 22,
        "{tag}"
    );
    assert_eq!(names(), (q, tag));
}

#[test]
fn manual_ack_keeps_the_message_unacked_until_acked() {
    let mut w = World::new();
    w.declare("task_queue");
    w.publish("", "task_queue", "job");
    w.consume("task_queue", false);
    assert_eq!(
        w.deliveries(),
        vec![("task_queue".into(), "job".into(), 1, false)]
    );
    let q = w.broker.queue(&"/".into(), &"task_queue".into()).unwrap();
    assert_eq!((q.ready, q.unacked), (0, 1));
    w.ack(DeliveryTag(1), false);
    assert_eq!(
        w.events(),
        vec![Event::Acked {
            channel: w.ch,
            delivery_tag: DeliveryTag(1),
            queue: "task_queue".into(),
            message: MessageId(1),
        }]
    );
    let q = w.broker.queue(&"/".into(), &"task_queue".into()).unwrap();
    assert_eq!((q.ready, q.unacked), (0, 0));
    assert_eq!(
        w.err(BasicAck {
            channel: w.ch,
            delivery_tag: DeliveryTag(1),
            multiple: false
        }),
        "PRECONDITION_FAILED - unknown delivery tag 1"
    );
}

#[test]
fn basic_get_counts_the_messages_left() {
    let mut w = World::new();
    w.declare("q");
    for body in ["a", "b", "c"] {
        w.publish("", "q", body);
    }
    let Reply::GetOk(ok) = w.ok(BasicGet {
        channel: w.ch,
        queue: "q".into(),
        no_ack: false,
    }) else {
        panic!()
    };
    assert_eq!(
        (ok.delivery_tag, ok.message_count, &ok.body[..]),
        (DeliveryTag(1), 2, &b"a"[..])
    );
    assert_eq!(w.drain("q"), vec!["b", "c"]);
    assert_eq!(w.get("q"), None);
}

#[test]
fn work_queue_round_robin_between_two_consumers() {
    let mut w = World::new();
    w.declare("tasks");
    let c2 = w.open(2);
    w.consume("tasks", true);
    w.consume_on(c2, "tasks", true);
    w.events();
    for i in 1..=4 {
        w.publish("", "tasks", &format!("m{i}"));
    }
    let to: Vec<(ChannelRef, String)> = w
        .events()
        .into_iter()
        .filter_map(|e| match e {
            Event::Delivered { channel, body, .. } => {
                Some((channel, String::from_utf8_lossy(&body).into_owned()))
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        to,
        vec![
            (w.ch, "m1".into()),
            (c2, "m2".into()),
            (w.ch, "m3".into()),
            (c2, "m4".into())
        ]
    );
}
