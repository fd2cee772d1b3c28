//! Length limits: drop-head, reject-publish, reject-publish-dlx (checklist 24).

mod harness;

use amqp_playground_core::*;
use harness::{args, confirms, s, World};

fn limited(max: i32, overflow: &str) -> FieldTable {
    args(&[
        ("x-max-length", FieldValue::I32(max)),
        ("x-overflow", s(overflow)),
    ])
}

fn confirm(w: &mut World) {
    w.ok(ConfirmSelect { channel: w.ch });
}

#[test]
fn drop_head_keeps_the_newest() {
    let mut w = World::new();
    w.declare_with("q", args(&[("x-max-length", FieldValue::I32(1))]));
    for b in ["1", "2", "3"] {
        w.publish("", "q", b);
    }
    let dropped: Vec<u64> = w
        .events()
        .iter()
        .filter_map(|e| match e {
            Event::Dropped {
                message,
                reason: DropReason::Overflow,
                ..
            } => Some(message.0),
            _ => None,
        })
        .collect();
    assert_eq!(dropped, vec![1, 2]);
    assert_eq!(w.drain("q"), vec!["3"]);
}

#[test]
fn drop_head_dead_letters_in_order() {
    let mut w = World::new();
    w.declare("dlq");
    w.declare_with(
        "q",
        args(&[
            ("x-max-length", FieldValue::I32(1)),
            ("x-dead-letter-exchange", s("")),
            ("x-dead-letter-routing-key", s("dlq")),
        ]),
    );
    for b in ["1", "2", "3"] {
        w.publish("", "q", b);
    }
    assert_eq!(w.drain("dlq"), vec!["1", "2"]);
    assert_eq!(w.drain("q"), vec!["3"]);
}

#[test]
fn max_length_bytes_counts_bodies() {
    let mut w = World::new();
    w.declare_with("q", args(&[("x-max-length-bytes", FieldValue::I32(5))]));
    for b in ["abc", "de", "f"] {
        w.publish("", "q", b);
    }
    assert_eq!(w.drain("q"), vec!["de", "f"]);
}

#[test]
fn reject_publish_nacks_the_refused_message() {
    let mut w = World::new();
    confirm(&mut w);
    w.declare_with("q", limited(1, "reject-publish"));
    w.publish("", "q", "1");
    w.publish("", "q", "2");
    assert_eq!(confirms(&w.events()), vec![(true, 1), (false, 2)]);
    assert_eq!(w.drain("q"), vec!["1"]);
}

#[test]
fn reject_publish_is_checked_before_a_waiting_consumer() {
    let mut w = World::new();
    confirm(&mut w);
    w.declare_with("q", limited(0, "reject-publish"));
    w.consume("q", true);
    w.publish("", "q", "1");
    let events = w.events();
    assert_eq!(confirms(&events), vec![(false, 1)]);
    assert!(!events.iter().any(|e| matches!(e, Event::Delivered { .. })));
}

#[test]
fn drop_head_with_a_waiting_consumer_delivers() {
    let mut w = World::new();
    w.declare_with("q", limited(0, "drop-head"));
    w.consume("q", true);
    w.publish("", "q", "1");
    assert_eq!(w.deliveries(), vec![("q".into(), "1".into(), 1, false)]);
}

#[test]
fn requeue_may_exceed_a_reject_publish_limit() {
    let mut w = World::new();
    w.declare_with("q", limited(1, "reject-publish"));
    w.publish("", "q", "P1");
    let (tag, _) = w.get("q").unwrap();
    w.publish("", "q", "P2");
    w.nack(tag, false, true);
    assert_eq!(w.drain("q"), vec!["P1", "P2"]);
}

#[test]
fn unacked_messages_do_not_count() {
    let mut w = World::new();
    w.declare_with("q", limited(1, "reject-publish"));
    w.publish("", "q", "a");
    w.get("q").unwrap();
    w.publish("", "q", "b");
    assert_eq!(w.ready("q"), 1);
}

#[test]
fn reject_publish_dlx_dead_letters_the_refused_one() {
    let mut w = World::new();
    confirm(&mut w);
    w.declare("dlq");
    w.declare_with(
        "q",
        args(&[
            ("x-max-length", FieldValue::I32(1)),
            ("x-overflow", s("reject-publish-dlx")),
            ("x-dead-letter-exchange", s("")),
            ("x-dead-letter-routing-key", s("dlq")),
        ]),
    );
    w.publish("", "q", "kept");
    w.publish("", "q", "refused");
    assert_eq!(confirms(&w.events()), vec![(true, 1), (false, 2)]);
    assert_eq!(w.drain("dlq"), vec!["refused"]);
    assert_eq!(w.drain("q"), vec!["kept"]);
}

#[test]
fn one_refusing_queue_nacks_but_others_keep_their_copy() {
    let mut w = World::new();
    confirm(&mut w);
    w.declare_with("full", limited(0, "reject-publish"));
    w.declare("open");
    w.bind("full", "amq.fanout", "");
    w.bind("open", "amq.fanout", "");
    w.publish("amq.fanout", "", "m");
    assert_eq!(confirms(&w.events()), vec![(false, 1)]);
    assert_eq!(w.drain("open"), vec!["m"]);
}
