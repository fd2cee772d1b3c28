//! Consumers: round-robin, prefetch, global qos per version, fair dispatch, exclusive and
//! single active consumers, priorities, cancel (checklist 26, 28).

mod harness;

use amqp_playground_core::*;
use harness::{args, World};

/// Stand-in for the world's own channel 1 (resolved inside `consume`).
const MAIN: Option<ChannelRef> = None;

fn consume(
    w: &mut World,
    ch: impl Into<Option<ChannelRef>>,
    queue: &str,
    tag: &str,
    exclusive: bool,
) -> Result<Reply, BrokerError> {
    let ch = ch.into().unwrap_or(w.ch);
    w.run(BasicConsume {
        channel: ch,
        queue: queue.into(),
        consumer_tag: tag.into(),
        no_ack: false,
        exclusive,
        arguments: FieldTable::new(),
    })
}

/// (consumer tag, body) of each delivery, in order.
fn to_consumers(w: &mut World) -> Vec<(String, String)> {
    w.events()
        .into_iter()
        .filter_map(|e| match e {
            Event::Delivered {
                consumer_tag: Some(tag),
                body,
                ..
            } => Some((tag.0, String::from_utf8_lossy(&body).into_owned())),
            _ => None,
        })
        .collect()
}

fn publish_n(w: &mut World, queue: &str, n: usize) {
    for i in 1..=n {
        w.publish("", queue, &format!("m{i}"));
    }
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[test]
fn prefetch_is_captured_per_consumer_at_consume_time() {
    let mut w = World::new();
    w.declare("q");
    w.qos(w.ch, 1);
    consume(&mut w, MAIN, "q", "a", false).unwrap();
    w.qos(w.ch, 2);
    consume(&mut w, MAIN, "q", "b", false).unwrap();
    publish_n(&mut w, "q", 6);
    assert_eq!(
        to_consumers(&mut w),
        pairs(&[("a", "m1"), ("b", "m2"), ("b", "m3")])
    );
    assert_eq!(w.ready("q"), 3);
}

#[test]
fn global_qos_is_per_consumer_in_4x_and_per_channel_in_3_10() {
    for (compat, delivered) in [(Compat::RabbitMq4, 2), (Compat::RabbitMq310, 1)] {
        let mut w = World::with_compat(compat);
        w.declare("q");
        w.ok(BasicQos {
            channel: w.ch,
            prefetch_size: 0,
            prefetch_count: 1,
            global: true,
        });
        consume(&mut w, MAIN, "q", "a", false).unwrap();
        consume(&mut w, MAIN, "q", "b", false).unwrap();
        publish_n(&mut w, "q", 4);
        assert_eq!(to_consumers(&mut w).len(), delivered, "{compat:?}");
    }
}

#[test]
fn no_ack_consumers_and_basic_get_ignore_prefetch() {
    let mut w = World::new();
    w.declare("q");
    w.qos(w.ch, 1);
    w.consume("q", true);
    publish_n(&mut w, "q", 3);
    assert_eq!(w.deliveries().len(), 3);
    w.declare("r");
    publish_n(&mut w, "r", 2);
    assert!(w.get("r").is_some() && w.get("r").is_some());
}

#[test]
fn fair_dispatch_sends_work_to_whoever_acks() {
    let mut w = World::new();
    w.declare("tasks");
    let slow = w.open(2);
    w.qos(w.ch, 1);
    w.qos(slow, 1);
    consume(&mut w, MAIN, "tasks", "fast", false).unwrap();
    consume(&mut w, slow, "tasks", "slow", false).unwrap();
    publish_n(&mut w, "tasks", 4);
    assert_eq!(
        to_consumers(&mut w),
        pairs(&[("fast", "m1"), ("slow", "m2")])
    );
    w.ack(DeliveryTag(1), false);
    w.ack(DeliveryTag(2), false);
    assert_eq!(
        to_consumers(&mut w),
        pairs(&[("fast", "m3"), ("fast", "m4")])
    );
}

#[test]
fn exclusive_consumers_are_alone() {
    let mut w = World::new();
    w.declare("q");
    consume(&mut w, MAIN, "q", "first", false).unwrap();
    let ch = w.open(2);
    assert_eq!(
        consume(&mut w, ch, "q", "excl", true)
            .unwrap_err()
            .reply_text(),
        "ACCESS_REFUSED - queue 'q' in vhost '/' in exclusive use"
    );
    w.declare("r");
    consume(&mut w, MAIN, "r", "excl", true).unwrap();
    let ch = w.open(3);
    assert_eq!(
        consume(&mut w, ch, "r", "other", false)
            .unwrap_err()
            .reply_text(),
        "ACCESS_REFUSED - queue 'r' in vhost '/' in exclusive use"
    );
}

#[test]
fn reusing_a_consumer_tag_closes_the_connection() {
    let mut w = World::new();
    w.declare("q");
    consume(&mut w, MAIN, "q", "t", false).unwrap();
    let e = consume(&mut w, MAIN, "q", "t", false).unwrap_err();
    assert_eq!(
        (e.reply_code(), e.scope(), e.reply_text().as_str()),
        (
            530,
            ErrorScope::Connection,
            "NOT_ALLOWED - attempt to reuse consumer tag 't'"
        )
    );
    assert!(w.broker.connections().is_empty());
}

#[test]
fn prefetch_size_is_not_implemented() {
    let mut w = World::new();
    assert_eq!(
        w.err(BasicQos {
            channel: w.ch,
            prefetch_size: 10,
            prefetch_count: 0,
            global: false
        }),
        "NOT_IMPLEMENTED - prefetch_size!=0 (10)"
    );
    assert!(w.broker.connections().is_empty());
}

#[test]
fn cancel_keeps_unacked_deliveries_and_close_requeues_them() {
    let mut w = World::new();
    w.declare("q");
    let ch = w.open(2);
    consume(&mut w, ch, "q", "c", false).unwrap();
    publish_n(&mut w, "q", 2);
    w.ok(BasicCancel {
        channel: ch,
        consumer_tag: "c".into(),
    });
    let q = w.broker.queue(&"/".into(), &"q".into()).unwrap();
    assert_eq!((q.ready, q.unacked), (0, 2));
    w.ok(ChannelClose { channel: ch });
    w.events();
    let mut got = Vec::new();
    while let Reply::GetOk(ok) = w.ok(BasicGet {
        channel: w.ch,
        queue: "q".into(),
        no_ack: true,
    }) {
        got.push((
            String::from_utf8_lossy(&ok.body).into_owned(),
            ok.redelivered,
        ));
    }
    assert_eq!(got, vec![("m1".into(), true), ("m2".into(), true)]);
}

#[test]
fn consumer_priority_goes_first_while_it_has_credit() {
    let mut w = World::new();
    w.declare("q");
    w.qos(w.ch, 1);
    consume(&mut w, MAIN, "q", "low", false).unwrap();
    w.ok(BasicConsume {
        channel: w.ch,
        queue: "q".into(),
        consumer_tag: "high".into(),
        no_ack: false,
        exclusive: false,
        arguments: args(&[("x-priority", FieldValue::I32(10))]),
    });
    publish_n(&mut w, "q", 3);
    assert_eq!(
        to_consumers(&mut w),
        pairs(&[("high", "m1"), ("low", "m2")])
    );
}

#[test]
fn single_active_consumer_takes_everything_until_it_leaves() {
    let mut w = World::new();
    w.declare_with(
        "q",
        args(&[("x-single-active-consumer", FieldValue::Bool(true))]),
    );
    consume(&mut w, MAIN, "q", "one", false).unwrap();
    consume(&mut w, MAIN, "q", "two", false).unwrap();
    publish_n(&mut w, "q", 2);
    assert_eq!(to_consumers(&mut w), pairs(&[("one", "m1"), ("one", "m2")]));
    w.ok(BasicCancel {
        channel: w.ch,
        consumer_tag: "one".into(),
    });
    let events = w.events();
    assert!(events.contains(&Event::ConsumerActivated {
        channel: w.ch,
        consumer_tag: "two".into(),
        queue: "q".into()
    }));
    publish_n(&mut w, "q", 1);
    assert_eq!(to_consumers(&mut w), pairs(&[("two", "m1")]));
}

#[test]
fn cancelling_an_unknown_tag_is_fine() {
    let mut w = World::new();
    assert_eq!(
        w.ok(BasicCancel {
            channel: w.ch,
            consumer_tag: "nobody".into()
        }),
        Reply::CancelOk {
            consumer_tag: "nobody".into()
        }
    );
}

#[test]
fn in_3_10_the_global_limit_skips_consumers_with_their_own_prefetch() {
    // Observed on RabbitMQ 3.10.8: global 3 with four per-consumer-1 consumers delivers 4.
    let mut w = World::with_compat(Compat::RabbitMq310);
    w.declare("q");
    w.ok(BasicQos {
        channel: w.ch,
        prefetch_size: 0,
        prefetch_count: 3,
        global: true,
    });
    w.qos(w.ch, 1);
    for tag in ["a", "b", "c", "d"] {
        consume(&mut w, MAIN, "q", tag, false).unwrap();
    }
    publish_n(&mut w, "q", 5);
    assert_eq!(to_consumers(&mut w).len(), 4);
}

#[test]
fn consumer_priority_must_be_an_integer() {
    let mut w = World::new();
    w.declare("q");
    assert_eq!(
        w.err(BasicConsume {
            channel: w.ch,
            queue: "q".into(),
            consumer_tag: "".into(),
            no_ack: false,
            exclusive: false,
            arguments: args(&[("x-priority", FieldValue::string("high"))]),
        }),
        "PRECONDITION_FAILED - invalid arg 'x-priority' for queue 'q' in vhost '/': \"expected integer, got longstr\""
    );
}
