//! Message TTL and queue leases in virtual time (checklist 19, 23).

mod harness;

use amqp_playground_core::*;
use harness::{args, World};

fn expiring(ms: &str) -> Properties {
    Properties {
        expiration: Some(ms.into()),
        ..Properties::default()
    }
}

fn expired(events: &[Event]) -> Vec<u64> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Expired { message, .. } => Some(message.0),
            _ => None,
        })
        .collect()
}

#[test]
fn queue_ttl_expires_messages_on_time() {
    let mut w = World::new();
    w.declare_with("q", args(&[("x-message-ttl", FieldValue::I32(1000))]));
    w.publish("", "q", "a");
    assert_eq!(w.broker.poll_timeout(), Some(Millis(1000)));
    w.advance(999);
    assert_eq!(w.ready("q"), 1);
    w.events();
    w.advance(1);
    assert_eq!(
        w.events(),
        vec![Event::Expired {
            queue: "q".into(),
            message: MessageId(1)
        }]
    );
    assert_eq!(w.ready("q"), 0);
    assert_eq!(w.broker.poll_timeout(), None);
}

#[test]
fn the_shorter_of_queue_and_message_ttl_wins() {
    let mut w = World::new();
    w.declare_with("q", args(&[("x-message-ttl", FieldValue::I32(1000))]));
    w.publish_with("", "q", "short", expiring("100"));
    w.publish_with("", "q", "long", expiring("5000"));
    w.advance(100);
    assert_eq!(expired(&w.events()), vec![1]);
    w.advance(899);
    assert_eq!(w.ready("q"), 1);
    w.advance(1);
    assert_eq!(expired(&w.events()), vec![2]);
}

#[test]
fn expiry_happens_only_at_the_head() {
    let mut w = World::new();
    w.declare("q");
    w.publish("", "q", "forever");
    w.publish_with("", "q", "brief", expiring("10"));
    w.advance(50);
    // Still counted: classic queues only look at the head.
    assert_eq!(w.ready("q"), 2);
    assert_eq!(w.drain("q"), vec!["forever"]);
    assert_eq!(expired(&w.events()), vec![2]);
}

#[test]
fn expiry_is_fixed_at_enqueue_and_kept_across_requeue() {
    let mut w = World::new();
    w.declare_with("q", args(&[("x-message-ttl", FieldValue::I32(100))]));
    w.publish("", "q", "m");
    w.advance(50);
    let (tag, _) = w.get("q").unwrap();
    w.advance(30);
    w.nack(tag, false, true);
    w.events();
    w.advance(19);
    assert_eq!(w.ready("q"), 1);
    w.advance(1);
    assert_eq!(expired(&w.events()), vec![1]);
}

#[test]
fn ttl_zero_reaches_a_waiting_consumer_or_expires() {
    let mut w = World::new();
    w.declare_with("q", args(&[("x-message-ttl", FieldValue::I32(0))]));
    w.publish("", "q", "nobody listens");
    assert_eq!(expired(&w.events()), vec![1]);
    assert_eq!(w.ready("q"), 0);
    w.consume("q", false);
    w.publish("", "q", "taken at once");
    assert_eq!(
        w.deliveries(),
        vec![("q".into(), "taken at once".into(), 1, false)]
    );
    // A requeued TTL-0 message has expired by then.
    w.ok(BasicCancel {
        channel: w.ch,
        consumer_tag: w.broker.queue(&"/".into(), &"q".into()).unwrap().consumers[0]
            .tag
            .clone(),
    });
    w.nack(DeliveryTag(1), false, true);
    assert_eq!(expired(&w.events()), vec![2]);
}

#[test]
fn x_expires_lease_is_renewed_by_use_but_not_by_publish() {
    let mut w = World::new();
    w.declare_with("lease", args(&[("x-expires", FieldValue::I32(1000))]));
    w.advance(500);
    w.publish("", "lease", "doesn't count");
    w.advance(400);
    w.get("lease");
    w.advance(999);
    assert!(w.has_queue("lease"));
    w.advance(1);
    assert!(!w.has_queue("lease"));
}

#[test]
fn consumers_hold_the_lease_and_it_restarts_when_they_leave() {
    let mut w = World::new();
    w.declare_with("lease", args(&[("x-expires", FieldValue::I32(100))]));
    let tag = w.consume("lease", true);
    w.advance(1000);
    assert!(w.has_queue("lease"));
    w.ok(BasicCancel {
        channel: w.ch,
        consumer_tag: tag,
    });
    assert_eq!(w.broker.poll_timeout(), Some(Millis(1100)));
    w.advance(100);
    assert!(!w.has_queue("lease"));
}

#[test]
fn a_get_sees_no_message_that_expired_before_it() {
    let mut w = World::new();
    w.declare_with("q", args(&[("x-message-ttl", FieldValue::I32(10))]));
    w.publish("", "q", "old");
    // No handle_timeout call: the command's own `now` is enough.
    w.now = 10;
    assert_eq!(w.get("q"), None);
}
