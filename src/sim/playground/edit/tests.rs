//! Edits on a running playground: what the broker accepts, refuses, and what follows.

use super::*;
use crate::sim::playground::{HOP_MS, THROUGH_MS};
use crate::sim::{presets, PublishRequest};

fn received(pg: &Playground, name: &str) -> u64 {
    pg.snapshot()
        .consumers
        .iter()
        .find(|c| c.name == name)
        .map_or(0, |c| c.received)
}

#[test]
fn a_new_queue_bound_with_a_new_key_gets_its_messages() {
    let mut pg = Playground::new(presets::routing()).unwrap();
    let (q, _) = pg.next_name(NodeKind::Queue);
    assert_eq!(q, "Q3");
    pg.add_queue(QueueSpec {
        name: q.clone(),
        caption: Some(q.clone()),
        server_named: false,
        arguments: Vec::new(),
        ..QueueSpec::default()
    })
    .unwrap();
    pg.add_binding(BindingSpec {
        exchange: "direct_logs".into(),
        destination: q.clone(),
        key: "purple".into(),
        show_key: true,
        ..BindingSpec::default()
    })
    .unwrap();
    let (c, sub) = pg.next_name(NodeKind::Consumer);
    assert_eq!((c.as_str(), sub.as_str()), ("C3", "3"));
    pg.add_consumer(ConsumerSpec {
        name: c.clone(),
        subscript: Some(sub),
        queue: q.clone(),
        auto_ack: true,
        prefetch: 0,
        processing_ms: 0,
        ..ConsumerSpec::default()
    })
    .unwrap();
    assert_eq!(pg.graph().nodes.len(), 8);
    assert!(pg
        .graph()
        .edges
        .iter()
        .any(|e| e.label.as_deref() == Some("purple")));
    pg.publish(PublishRequest {
        routing_key: Some("purple".into()),
        ..PublishRequest::default()
    })
    .unwrap();
    pg.advance(3 * HOP_MS + THROUGH_MS);
    assert_eq!(received(&pg, "C3"), 1);
    assert_eq!(pg.snapshot().unroutable, 0);
}

#[test]
fn refused_edits_carry_the_brokers_text_and_change_nothing() {
    let mut pg = Playground::new(presets::hello_world()).unwrap();
    let before = pg.scenario().clone();
    let err = pg
        .add_queue(QueueSpec {
            name: "amq.mine".into(),
            caption: None,
            server_named: false,
            arguments: Vec::new(),
            ..QueueSpec::default()
        })
        .unwrap_err();
    assert!(err.to_string().contains("ACCESS_REFUSED"), "{err}");
    let err = pg
        .add_exchange(ExchangeSpec {
            name: "x".into(),
            kind: "sideways".into(),
            caption: None,
            ..ExchangeSpec::default()
        })
        .unwrap_err();
    assert!(
        err.to_string().contains("unknown exchange type 'sideways'"),
        "{err}"
    );
    let err = pg
        .add_binding(BindingSpec {
            exchange: "missing".into(),
            destination: "hello".into(),
            key: "k".into(),
            show_key: true,
            ..BindingSpec::default()
        })
        .unwrap_err();
    assert!(err.to_string().contains("NOT_FOUND"), "{err}");
    assert_eq!(pg.scenario(), &before);
    // The set-up connection recovers after the refusals.
    pg.add_exchange(ExchangeSpec {
        name: "x".into(),
        kind: "fanout".into(),
        caption: None,
        ..ExchangeSpec::default()
    })
    .unwrap();
    let err = pg
        .add_queue(QueueSpec {
            name: "hello".into(),
            caption: None,
            server_named: false,
            arguments: Vec::new(),
            ..QueueSpec::default()
        })
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "a queue named `hello` is already in this scenario"
    );
}

#[test]
fn deleting_a_queue_takes_its_consumers_and_bindings() {
    let mut pg = Playground::new(presets::routing()).unwrap();
    pg.remove(NodeKind::Queue, "Q2").unwrap();
    let s = pg.scenario();
    assert_eq!(s.queues.len(), 1);
    assert!(s.bindings.iter().all(|b| b.destination == "Q1"));
    assert_eq!(s.consumers.len(), 1);
    assert_eq!(pg.graph().nodes.len(), 4);
    let err = pg.remove(NodeKind::Exchange, "direct_logs").unwrap_err();
    assert!(err.to_string().contains("producer `P` publishes"), "{err}");
    pg.remove(NodeKind::Producer, "P").unwrap();
    pg.remove(NodeKind::Exchange, "direct_logs").unwrap();
    pg.remove(NodeKind::Consumer, "C1").unwrap();
    assert_eq!(pg.graph().nodes.len(), 1);
    assert!(pg.remove(NodeKind::Consumer, "C1").is_err());
}

#[test]
fn adding_a_queue_is_all_or_nothing() {
    let mut pg = Playground::new(presets::hello_world()).unwrap();
    let err = pg
        .apply(Edit::AddQueue {
            name: "orphan".into(),
            bind: Some(("no_such_exchange".into(), "k".into())),
            with_consumer: true,
            arguments: Vec::new(),
        })
        .unwrap_err();
    assert!(err.to_string().contains("NOT_FOUND"), "{err}");
    assert_eq!(pg.scenario().queues.len(), 1);
    pg.apply(Edit::AddExchange {
        name: "logs".into(),
        kind: "fanout".into(),
    })
    .unwrap();
    pg.apply(Edit::AddQueue {
        name: "audit".into(),
        bind: Some(("logs".into(), String::new())),
        with_consumer: true,
        arguments: Vec::new(),
    })
    .unwrap();
    pg.apply(Edit::AddProducer {
        exchange: "logs".into(),
        routing_key: String::new(),
    })
    .unwrap();
    pg.publish(PublishRequest {
        producer: Some("P1".into()),
        ..PublishRequest::default()
    })
    .unwrap();
    pg.advance(10_000);
    assert_eq!(received(&pg, "C1"), 1);
    assert_eq!(
        pg.scenario().exchanges[0].caption,
        None,
        "fanout shows no type"
    );
}

#[test]
fn unbinding_stops_the_flow() {
    let mut pg = Playground::new(presets::routing()).unwrap();
    pg.remove_binding(0).unwrap();
    pg.publish(PublishRequest::default()).unwrap();
    pg.advance(10_000);
    assert_eq!(received(&pg, "C1"), 0);
    assert_eq!(pg.snapshot().unroutable, 1);
    assert!(pg.remove_binding(9).is_err());
}

#[test]
fn a_refused_update_keeps_the_scenario_and_shows_the_brokers_text() {
    let mut pg = Playground::new(presets::hello_world()).unwrap();
    let before = pg.scenario().clone();
    let bad = |k: &str, v: ArgValue| QueueSpec {
        arguments: vec![(k.into(), v)],
        ..QueueSpec::named("hello")
    };
    let err = pg
        .apply(Edit::UpdateQueue(bad("x-message-ttl", ArgValue::Int(-1))))
        .unwrap_err();
    assert!(err.to_string().contains("PRECONDITION_FAILED"), "{err}");
    let err = pg
        .apply(Edit::UpdateQueue(bad(
            "x-overflow",
            ArgValue::Str("sideways".into()),
        )))
        .unwrap_err();
    assert!(err.to_string().contains("x-overflow"), "{err}");
    assert_eq!(pg.scenario(), &before);
    // A good update takes effect: the queue now expires its messages. The clock and the
    // counts go on.
    pg.publish(PublishRequest::default()).unwrap();
    pg.advance(5_000);
    pg.apply(Edit::UpdateQueue(bad("x-message-ttl", ArgValue::Int(100))))
        .unwrap();
    assert_eq!(pg.now(), amqp_playground_core::Millis(5_000));
    assert_eq!(received(&pg, "C"), 1);
    pg.set_consuming("C", false).unwrap();
    pg.publish(PublishRequest::default()).unwrap();
    pg.advance(5_000);
    assert!(pg.log().any(|l| l.contains("expired in `hello`")));
}

#[test]
fn an_exchange_bound_to_an_exchange_passes_messages_on() {
    let mut pg = Playground::new(presets::routing()).unwrap();
    pg.apply(Edit::AddExchange {
        name: "audit".into(),
        kind: "fanout".into(),
    })
    .unwrap();
    pg.apply(Edit::AddQueue {
        name: "all".into(),
        bind: Some(("audit".into(), String::new())),
        with_consumer: true,
        arguments: Vec::new(),
    })
    .unwrap();
    // `audit` is no queue: the binding goes exchange to exchange.
    pg.apply(Edit::Bind {
        exchange: "direct_logs".into(),
        queue: "audit".into(),
        key: "orange".into(),
    })
    .unwrap();
    assert!(pg.scenario().bindings.last().unwrap().to_exchange);
    pg.publish(PublishRequest::default()).unwrap();
    pg.advance(10_000);
    assert_eq!(received(&pg, "C1"), 1);
    assert_eq!(received(&pg, "C3"), 1, "{:?}", pg.snapshot());
    pg.remove_binding(pg.scenario().bindings.len() - 1).unwrap();
    pg.publish(PublishRequest::default()).unwrap();
    pg.advance(10_000);
    assert_eq!(received(&pg, "C3"), 1);
}

#[test]
fn renaming_a_queue_carries_its_bindings_and_consumers() {
    let mut pg = Playground::new(presets::routing()).unwrap();
    pg.apply(Edit::Rename {
        kind: NodeKind::Queue,
        name: "Q1".into(),
        to: "oranges".into(),
    })
    .unwrap();
    let s = pg.scenario();
    assert_eq!(s.queues[0].name, "oranges");
    assert_eq!(s.bindings[0].destination, "oranges");
    assert_eq!(s.consumers[0].queue, "oranges");
    pg.publish(PublishRequest::default()).unwrap();
    pg.advance(10_000);
    assert_eq!(received(&pg, "C1"), 1);
    let err = pg
        .apply(Edit::Rename {
            kind: NodeKind::Queue,
            name: "oranges".into(),
            to: "Q2".into(),
        })
        .unwrap_err();
    assert!(err.to_string().contains("already"), "{err}");
    pg.apply(Edit::Rename {
        kind: NodeKind::Consumer,
        name: "C1".into(),
        to: "worker".into(),
    })
    .unwrap();
    assert!(pg.graph().find(NodeKind::Consumer, "worker").is_some());
}

#[test]
fn an_internal_exchange_refuses_publishes_with_the_brokers_text() {
    let mut pg = Playground::new(presets::hello_world()).unwrap();
    pg.apply(Edit::DeclareExchange(ExchangeSpec {
        internal: true,
        ..ExchangeSpec::typed("inside", "fanout")
    }))
    .unwrap();
    pg.publish(PublishRequest {
        exchange: Some("inside".into()),
        ..PublishRequest::default()
    })
    .unwrap();
    pg.advance(HOP_MS);
    assert!(
        pg.log().any(|l| l.contains("ACCESS_REFUSED")),
        "{:?}",
        pg.log().collect::<Vec<_>>()
    );
    // The producer's channel was closed by the error; the next publish still works.
    pg.publish(PublishRequest::default()).unwrap();
    pg.advance(10_000);
    assert!(received(&pg, "C") >= 1);
}

#[test]
fn queues_the_broker_deletes_on_its_own_leave_the_drawing() {
    let mut pg = Playground::new(presets::hello_world()).unwrap();
    pg.apply(Edit::DeclareQueue(QueueSpec {
        auto_delete: true,
        ..QueueSpec::named("temp")
    }))
    .unwrap();
    pg.apply(Edit::AddConsumer {
        queue: "temp".into(),
    })
    .unwrap();
    pg.set_consuming("C1", false).unwrap();
    assert!(pg.graph().find(NodeKind::Queue, "temp").is_none());
    assert!(pg.scenario().consumers.iter().all(|c| c.queue != "temp"));
    assert!(pg.log().any(|l| l.contains("queue `temp` is gone")));
    // x-expires: an unused queue expires on the virtual clock.
    pg.apply(Edit::DeclareQueue(QueueSpec {
        arguments: vec![("x-expires".into(), ArgValue::Int(1_000))],
        ..QueueSpec::named("brief")
    }))
    .unwrap();
    pg.advance(999);
    assert!(pg.graph().find(NodeKind::Queue, "brief").is_some());
    pg.advance(2);
    assert!(pg.graph().find(NodeKind::Queue, "brief").is_none());
    // Deleting by hand still works as before.
    pg.remove(NodeKind::Queue, "hello").unwrap();
    assert!(pg.scenario().queues.is_empty());
}

#[test]
fn a_headers_binding_is_edited_in_place_or_left_as_it_was() {
    let mut pg = Playground::new(presets::headers()).unwrap();
    let mut spec = pg.scenario().bindings[0].clone();
    spec.arguments[1].1 = ArgValue::Str("zip".into());
    pg.apply(Edit::ReplaceBinding { index: 0, spec }).unwrap();
    assert_eq!(
        pg.scenario().bindings[0].label().as_deref(),
        Some("all: format=zip type=report")
    );
    let mut bad = pg.scenario().bindings[0].clone();
    bad.arguments[0].1 = ArgValue::Str("most".into());
    let before = pg.scenario().clone();
    let err = pg
        .apply(Edit::ReplaceBinding {
            index: 0,
            spec: bad,
        })
        .unwrap_err();
    assert!(err.to_string().contains("x-match"), "{err}");
    assert_eq!(pg.scenario(), &before);
    // The old binding is still in the broker: a zip report reaches Q1.
    pg.publish(PublishRequest {
        properties: Some(crate::sim::scenario::MessageProps {
            headers: vec![
                ("format".into(), ArgValue::Str("zip".into())),
                ("type".into(), ArgValue::Str("report".into())),
            ],
            ..Default::default()
        }),
        ..PublishRequest::default()
    })
    .unwrap();
    pg.advance(10_000);
    assert_eq!(received(&pg, "C1"), 1);
}

#[test]
fn a_headers_message_history_explains_key_by_key() {
    let mut pg = Playground::new(presets::headers()).unwrap();
    pg.publish(PublishRequest::default()).unwrap();
    pg.advance(10_000);
    let text = pg.history(1).join("\n");
    assert!(text.contains("why (message #1 at `documents`)"), "{text}");
    assert!(text.contains("format"), "{text}");
    let verdicts = pg.explain_message(
        "documents",
        "",
        &[("format".into(), ArgValue::Str("zip".into()))],
    );
    let matched: Vec<bool> = verdicts.iter().map(|(m, _)| *m).collect();
    assert_eq!(matched, [false, false]);
}
