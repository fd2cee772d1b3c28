//! Broker restart: the durability lesson of tutorial two.

mod harness;

use amqp_playground_core::*;
use harness::World;

fn persistent() -> Properties {
    Properties {
        delivery_mode: Some(2),
        ..Properties::default()
    }
}

#[test]
fn only_persistent_messages_in_durable_queues_survive() {
    let mut w = World::new();
    w.ok(QueueDeclare {
        channel: w.ch,
        queue: "durable".into(),
        durable: true,
        ..Default::default()
    });
    w.declare("transient");
    w.ok(ExchangeDeclare {
        channel: w.ch,
        exchange: "dx".into(),
        kind: "fanout".into(),
        passive: false,
        durable: true,
        auto_delete: false,
        internal: false,
        arguments: FieldTable::new(),
    });
    w.exchange("tx", "fanout");
    w.bind("durable", "dx", "");
    w.bind("transient", "dx", "");
    w.publish_with("dx", "", "kept", persistent());
    w.publish("dx", "", "lost");
    w.publish_with("", "durable", "ready", persistent());
    // "kept" is delivered and unacked when the broker goes down: it comes back redelivered.
    assert_eq!(w.get("durable").unwrap().1, "kept");
    w.ok(Restart {});
    let events = w.events();
    assert!(
        matches!(
            events.first(),
            Some(Event::ConnectionClosed { code: 320, .. })
        ) || events
            .iter()
            .any(|e| matches!(e, Event::ConnectionClosed { code: 320, .. }))
    );
    assert!(w.broker.connections().is_empty());
    let queues: Vec<String> = w.broker.queues().into_iter().map(|q| q.name.0).collect();
    assert_eq!(queues, vec!["durable"]);
    let bindings = w.broker.bindings();
    assert_eq!(bindings.len(), 1);
    assert!(!w.broker.exchanges().iter().any(|x| x.name.as_str() == "tx"));
    let messages: Vec<(String, bool)> = w
        .broker
        .ready_messages(&"/".into(), &"durable".into())
        .into_iter()
        .map(|m| (String::from_utf8_lossy(&m.body).into_owned(), m.redelivered))
        .collect();
    assert_eq!(
        messages,
        vec![("kept".into(), true), ("ready".into(), false)]
    );
}
