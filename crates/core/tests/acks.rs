//! Acknowledgements, requeue to the original position, redelivery, recover, delivery tags
//! (checklist 27, 28).

mod harness;

use amqp_playground_core::*;
use harness::World;

fn hold_all(w: &mut World, queue: &str, n: usize) -> Vec<DeliveryTag> {
    (0..n).map(|_| w.get(queue).unwrap().0).collect()
}

fn drain_flags(w: &mut World, queue: &str) -> Vec<(String, bool)> {
    let mut got = Vec::new();
    while let Reply::GetOk(ok) = w.ok(BasicGet {
        channel: w.ch,
        queue: queue.into(),
        no_ack: true,
    }) {
        got.push((
            String::from_utf8_lossy(&ok.body).into_owned(),
            ok.redelivered,
        ));
    }
    got
}

fn publish(w: &mut World, queue: &str, bodies: &[&str]) {
    for b in bodies {
        w.publish("", queue, b);
    }
}

#[test]
fn tags_are_per_channel_and_shared_by_get_and_consume() {
    let mut w = World::new();
    w.declare("q");
    publish(&mut w, "q", &["a", "b", "c"]);
    assert_eq!(w.get("q").unwrap().0, DeliveryTag(1));
    w.events();
    w.consume("q", false);
    let tags: Vec<u64> = w.deliveries().iter().map(|d| d.2).collect();
    assert_eq!(tags, vec![2, 3]);
    let other = w.open(2);
    w.publish("", "q", "d");
    let _ = other;
    // A tag from this channel is unknown on another.
    assert_eq!(
        w.err(BasicAck {
            channel: other,
            delivery_tag: DeliveryTag(1),
            multiple: false
        }),
        "PRECONDITION_FAILED - unknown delivery tag 1"
    );
}

#[test]
fn multiple_and_tag_zero() {
    let mut w = World::new();
    w.declare("q");
    publish(&mut w, "q", &["a", "b", "c", "d"]);
    hold_all(&mut w, "q", 4);
    w.ack(DeliveryTag(2), true);
    let unacked: Vec<u64> = w.broker.connections()[0].channels[0]
        .unacked
        .iter()
        .map(|u| u.delivery_tag.0)
        .collect();
    assert_eq!(unacked, vec![3, 4]);
    w.ack(DeliveryTag(0), true);
    assert!(w.broker.connections()[0].channels[0].unacked.is_empty());
    assert_eq!(
        w.err(BasicAck {
            channel: w.ch,
            delivery_tag: DeliveryTag(0),
            multiple: false
        }),
        "PRECONDITION_FAILED - unknown delivery tag 0"
    );
}

#[test]
fn requeued_messages_return_to_their_original_position() {
    let mut w = World::new();
    w.declare("q");
    publish(&mut w, "q", &["m1", "m2", "m3", "m4", "m5"]);
    hold_all(&mut w, "q", 4);
    w.ack(DeliveryTag(2), false);
    w.nack(DeliveryTag(4), true, true);
    assert_eq!(
        drain_flags(&mut w, "q"),
        vec![
            ("m1".into(), true),
            ("m3".into(), true),
            ("m4".into(), true),
            ("m5".into(), false)
        ]
    );
}

#[test]
fn requeue_goes_before_newer_messages_even_with_others_unacked() {
    let mut w = World::new();
    w.declare("q");
    publish(&mut w, "q", &["m1", "m2", "m3"]);
    hold_all(&mut w, "q", 3);
    w.publish("", "q", "m4");
    w.nack(DeliveryTag(2), true, true);
    assert_eq!(
        drain_flags(&mut w, "q"),
        vec![
            ("m1".into(), true),
            ("m2".into(), true),
            ("m4".into(), false)
        ]
    );
}

#[test]
fn reject_without_requeue_drops_when_there_is_no_dead_letter_exchange() {
    let mut w = World::new();
    w.declare("q");
    publish(&mut w, "q", &["m"]);
    let (tag, _) = w.get("q").unwrap();
    w.events();
    w.ok(BasicReject {
        channel: w.ch,
        delivery_tag: tag,
        requeue: false,
    });
    assert_eq!(
        w.events(),
        vec![
            Event::Rejected {
                channel: w.ch,
                delivery_tag: tag,
                queue: "q".into(),
                message: MessageId(1),
                requeue: false
            },
            Event::Dropped {
                queue: "q".into(),
                message: MessageId(1),
                reason: DropReason::Rejected
            }
        ]
    );
}

#[test]
fn recover_requeues_everything_unacked() {
    let mut w = World::new();
    w.declare("q");
    publish(&mut w, "q", &["a", "b"]);
    hold_all(&mut w, "q", 2);
    w.ok(BasicRecover {
        channel: w.ch,
        requeue: true,
    });
    assert_eq!(
        drain_flags(&mut w, "q"),
        vec![("a".into(), true), ("b".into(), true)]
    );
    assert_eq!(
        w.err(BasicRecover {
            channel: w.ch,
            requeue: false
        }),
        "NOT_IMPLEMENTED - requeue=false"
    );
}

#[test]
fn closing_the_connection_requeues_and_redelivers_to_the_next_consumer() {
    let mut w = World::new();
    w.declare("q");
    let other = w.connect();
    w.consume_on(other, "q", false);
    publish(&mut w, "q", &["a"]);
    w.consume("q", false);
    w.events();
    w.ok(CloseConnection {
        connection: other.connection,
    });
    let d = w.deliveries();
    assert_eq!(d, vec![("q".into(), "a".into(), 1, true)]);
}

#[test]
fn an_error_on_a_channel_requeues_its_deliveries() {
    let mut w = World::new();
    w.declare("q");
    publish(&mut w, "q", &["a"]);
    w.get("q").unwrap();
    w.err(BasicAck {
        channel: w.ch,
        delivery_tag: DeliveryTag(99),
        multiple: false,
    });
    assert_eq!(w.ready("q"), 1);
}

#[test]
fn the_oldest_message_held_counts_ready_and_unacked_copies() {
    let mut w = World::new();
    w.declare("q");
    assert_eq!(w.broker.oldest_message_held(), None, "nothing held");
    w.events();
    publish(&mut w, "q", &["a", "b"]);
    let ids: Vec<MessageId> = w
        .events()
        .iter()
        .filter_map(|e| match e {
            Event::Published { message, .. } => Some(*message),
            _ => None,
        })
        .collect();
    assert_eq!(ids.len(), 2);
    assert_eq!(w.broker.oldest_message_held(), Some(ids[0]));
    // `a` delivered and not acked yet: still held.
    let (tag, body) = w.get("q").unwrap();
    assert_eq!(body, "a");
    assert_eq!(w.broker.oldest_message_held(), Some(ids[0]));
    w.ok(BasicAck {
        channel: w.ch,
        delivery_tag: tag,
        multiple: false,
    });
    assert_eq!(w.broker.oldest_message_held(), Some(ids[1]));
    assert_eq!(drain_flags(&mut w, "q").len(), 1);
    assert_eq!(w.broker.oldest_message_held(), None);
}
