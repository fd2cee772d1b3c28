//! Publisher confirms and transactions (checklist 32, semantics §14).

mod harness;

use amqp_playground_core::*;
use harness::{confirms, World};

#[test]
fn sequence_numbers_start_at_one_in_confirm_mode() {
    let mut w = World::new();
    w.declare("q");
    w.publish("", "q", "before confirm mode");
    w.ok(ConfirmSelect { channel: w.ch });
    w.publish("", "q", "a");
    w.publish("", "nowhere", "unroutable is acked too");
    w.publish("", "q", "b");
    assert_eq!(confirms(&w.events()), vec![(true, 1), (true, 2), (true, 3)]);
}

#[test]
fn confirmed_then_expired_or_purged_is_still_just_acked() {
    let mut w = World::new();
    w.declare_with("q", harness::args(&[("x-message-ttl", FieldValue::I32(5))]));
    w.ok(ConfirmSelect { channel: w.ch });
    w.publish("", "q", "a");
    w.advance(10);
    assert_eq!(confirms(&w.events()), vec![(true, 1)]);
}

#[test]
fn tx_and_confirm_are_exclusive() {
    let mut w = World::new();
    w.ok(TxSelect { channel: w.ch });
    assert_eq!(
        w.err(ConfirmSelect { channel: w.ch }),
        "PRECONDITION_FAILED - cannot switch from tx to confirm mode"
    );
    let ch = w.open(2);
    w.ok(ConfirmSelect { channel: ch });
    assert_eq!(
        w.err(TxSelect { channel: ch }),
        "PRECONDITION_FAILED - cannot switch from confirm to tx mode"
    );
    let ch = w.open(3);
    assert_eq!(
        w.err(TxCommit { channel: ch }),
        "PRECONDITION_FAILED - channel is not transactional"
    );
}

#[test]
fn transactions_buffer_publishes_and_acks_until_commit() {
    let mut w = World::new();
    w.declare("q");
    w.publish("", "q", "old");
    w.ok(TxSelect { channel: w.ch });
    w.publish("", "q", "new");
    assert_eq!(w.ready("q"), 1);
    let (tag, _) = w.get("q").unwrap();
    w.ack(tag, false);
    assert_eq!(w.broker.queue(&"/".into(), &"q".into()).unwrap().unacked, 1);
    w.ok(TxCommit { channel: w.ch });
    let q = w.broker.queue(&"/".into(), &"q".into()).unwrap();
    assert_eq!((q.ready, q.unacked), (1, 0));
}

#[test]
fn rollback_forgets_publishes_and_restores_acked_deliveries_as_unacked() {
    let mut w = World::new();
    w.declare("q");
    w.publish("", "q", "m");
    w.ok(TxSelect { channel: w.ch });
    let (tag, _) = w.get("q").unwrap();
    w.ack(tag, false);
    w.publish("", "q", "discarded");
    w.ok(TxRollback { channel: w.ch });
    let q = w.broker.queue(&"/".into(), &"q".into()).unwrap();
    assert_eq!((q.ready, q.unacked), (0, 1));
    w.ok(TxCommit { channel: w.ch });
    // The delivery can still be acked after the rollback.
    w.ack(tag, false);
    w.ok(TxCommit { channel: w.ch });
    assert_eq!(w.broker.queue(&"/".into(), &"q".into()).unwrap().unacked, 0);
}

#[test]
fn mandatory_returns_in_a_transaction_come_at_commit() {
    let mut w = World::new();
    w.ok(TxSelect { channel: w.ch });
    w.ok(BasicPublish {
        channel: w.ch,
        routing_key: "nowhere".into(),
        mandatory: true,
        ..Default::default()
    });
    assert!(!w
        .events()
        .iter()
        .any(|e| matches!(e, Event::Returned { .. })));
    w.ok(TxCommit { channel: w.ch });
    assert!(w
        .events()
        .iter()
        .any(|e| matches!(e, Event::Returned { .. })));
}
