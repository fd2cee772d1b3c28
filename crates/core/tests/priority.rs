//! Priority queues (checklist 25), transcribed from `priority_queue_SUITE`.

mod harness;

use amqp_playground_core::*;
use harness::{args, s, World};

fn publish_priorities(w: &mut World, queue: &str, priorities: &[Option<u8>]) {
    for p in priorities {
        let body = p.map(|p| p.to_string()).unwrap_or_else(|| "undef".into());
        w.publish_with(
            "",
            queue,
            &body,
            Properties {
                priority: *p,
                ..Properties::default()
            },
        );
    }
}

#[test]
fn missing_is_zero_and_above_max_is_max_fifo_within_a_level() {
    let mut w = World::new();
    w.declare_with("q", args(&[("x-max-priority", FieldValue::I32(5))]));
    publish_priorities(&mut w, "q", &[None, Some(0), Some(5), Some(10), None]);
    assert_eq!(w.drain("q"), vec!["5", "10", "undef", "0", "undef"]);
}

#[test]
fn highest_priority_first() {
    let mut w = World::new();
    w.declare_with("q", args(&[("x-max-priority", FieldValue::I32(3))]));
    let ps: Vec<Option<u8>> = [1, 2, 3, 1, 2, 3, 1, 2, 3]
        .iter()
        .map(|p| Some(*p))
        .collect();
    publish_priorities(&mut w, "q", &ps);
    assert_eq!(
        w.drain("q"),
        vec!["3", "3", "3", "2", "2", "2", "1", "1", "1"]
    );
}

#[test]
fn requeue_restores_priority_order() {
    let mut w = World::new();
    w.declare_with("q", args(&[("x-max-priority", FieldValue::I32(3))]));
    publish_priorities(&mut w, "q", &[Some(3), Some(2), Some(1)]);
    for _ in 0..3 {
        w.get("q").unwrap();
    }
    w.nack(DeliveryTag(3), true, true);
    assert_eq!(w.drain("q"), vec!["3", "2", "1"]);
}

#[test]
fn length_limits_on_priority_queues() {
    let nine: Vec<Option<u8>> = [1, 2, 3, 1, 2, 3, 1, 2, 3]
        .iter()
        .map(|p| Some(*p))
        .collect();
    let mut w = World::new();
    w.declare_with(
        "drop",
        args(&[
            ("x-max-priority", FieldValue::I32(3)),
            ("x-max-length", FieldValue::I32(4)),
        ]),
    );
    publish_priorities(&mut w, "drop", &nine);
    assert_eq!(w.drain("drop"), vec!["2", "1", "1", "1"]);
    w.declare_with(
        "reject",
        args(&[
            ("x-max-priority", FieldValue::I32(3)),
            ("x-max-length", FieldValue::I32(4)),
            ("x-overflow", s("reject-publish")),
        ]),
    );
    publish_priorities(&mut w, "reject", &nine);
    assert_eq!(w.drain("reject"), vec!["3", "2", "1", "1"]);
}

#[test]
fn a_high_priority_message_waits_while_prefetch_is_used_up() {
    let mut w = World::new();
    w.declare_with("q", args(&[("x-max-priority", FieldValue::I32(9))]));
    w.qos(w.ch, 1);
    w.consume("q", false);
    publish_priorities(&mut w, "q", &[Some(1), Some(1), Some(9)]);
    assert_eq!(w.deliveries(), vec![("q".into(), "1".into(), 1, false)]);
    w.ack(DeliveryTag(1), false);
    assert_eq!(w.deliveries(), vec![("q".into(), "9".into(), 2, false)]);
}

#[test]
fn an_expired_copy_behind_a_higher_priority_one_waits_for_the_head() {
    // Observed on RabbitMQ 3.10.8: the count stays 3 until "high" is fetched.
    let mut w = World::new();
    w.declare_with("q", args(&[("x-max-priority", FieldValue::I32(5))]));
    publish_priorities(&mut w, "q", &[Some(3)]);
    w.publish_with(
        "",
        "q",
        "low-ttl",
        Properties {
            priority: Some(1),
            expiration: Some("50".into()),
            ..Properties::default()
        },
    );
    publish_priorities(&mut w, "q", &[Some(1)]);
    w.advance(300);
    assert_eq!(w.ready("q"), 3);
    assert_eq!(
        w.broker.poll_timeout(),
        None,
        "only the head's expiry is a timer"
    );
    assert_eq!(w.drain("q"), vec!["3", "1"]);
}
