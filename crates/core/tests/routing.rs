//! Publishing and routing at the broker level: one copy per queue, exchange-to-exchange
//! bindings, alternate exchanges, CC/BCC, mandatory returns (checklist 8-12).

mod harness;

use amqp_playground_core::*;
use harness::{s, World};

fn with_headers(pairs: &[(&str, FieldValue)]) -> Properties {
    Properties {
        headers: Some(harness::args(pairs)),
        ..Properties::default()
    }
}

fn routed_queues(events: &[Event]) -> Vec<Vec<String>> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Routed { queues, .. } => Some(queues.iter().map(|q| q.0.clone()).collect()),
            Event::Unroutable { .. } => Some(vec![]),
            _ => None,
        })
        .collect()
}

#[test]
fn direct_routes_to_every_queue_bound_with_the_key() {
    let mut w = World::new();
    for q in ["q1", "q2", "q3"] {
        w.declare(q);
    }
    w.bind("q1", "amq.direct", "black");
    w.bind("q2", "amq.direct", "black");
    w.bind("q3", "amq.direct", "green");
    w.events();
    w.publish("amq.direct", "black", "m");
    assert_eq!(routed_queues(&w.events()), vec![vec!["q1", "q2"]]);
}

#[test]
fn one_copy_per_queue_whatever_the_paths() {
    let mut w = World::new();
    w.declare("q");
    w.exchange("e0", "fanout");
    w.exchange("e1", "fanout");
    w.exchange("e2", "fanout");
    // A loop e0 -> e2 -> e1 -> e0 and two paths to q.
    w.bind_exchange("e2", "e0", "");
    w.bind_exchange("e1", "e2", "");
    w.bind_exchange("e0", "e1", "");
    w.bind("q", "e1", "");
    w.bind("q", "e2", "");
    w.bind("q", "amq.topic", "#");
    w.bind("q", "amq.topic", "a.*");
    w.events();
    w.publish("e0", "", "loop");
    w.publish("amq.topic", "a.b", "twice bound");
    let events = w.events();
    assert_eq!(routed_queues(&events), vec![vec!["q"], vec!["q"]]);
    let exchanges: Vec<Vec<String>> = events
        .iter()
        .filter_map(|e| match e {
            Event::Routed { exchanges, .. } => {
                Some(exchanges.iter().map(|x| x.0.clone()).collect())
            }
            _ => None,
        })
        .collect();
    assert_eq!(exchanges[0], vec!["e0", "e2", "e1"]);
    assert_eq!(w.drain("q"), vec!["loop", "twice bound"]);
}

#[test]
fn alternate_exchange_takes_what_the_bindings_do_not() {
    let mut w = World::new();
    w.exchange("ae", "fanout");
    w.declare("unrouted");
    w.bind("unrouted", "ae", "");
    w.exchange_with(
        "main",
        "direct",
        harness::args(&[("alternate-exchange", s("ae"))]),
    );
    w.declare("routed");
    w.bind("routed", "main", "known");
    w.publish("main", "known", "a");
    w.publish("main", "other", "b");
    assert_eq!(w.drain("routed"), vec!["a"]);
    assert_eq!(w.drain("unrouted"), vec!["b"]);
}

#[test]
fn alternate_exchanges_chain_and_cycles_drop() {
    let mut w = World::new();
    w.declare("end");
    w.exchange_with(
        "x",
        "direct",
        harness::args(&[("alternate-exchange", s("u"))]),
    );
    w.exchange_with(
        "u",
        "direct",
        harness::args(&[("alternate-exchange", s("v"))]),
    );
    w.exchange_with(
        "v",
        "direct",
        harness::args(&[("alternate-exchange", s("x"))]),
    );
    w.events();
    w.publish("x", "z", "lost");
    assert_eq!(routed_queues(&w.events()), vec![Vec::<String>::new()]);
    w.bind("end", "v", "z");
    w.publish("x", "z", "found");
    assert_eq!(w.drain("end"), vec!["found"]);
}

#[test]
fn missing_alternate_exchange_drops_and_exchange_destinations_do_not_trigger_it() {
    let mut w = World::new();
    w.exchange_with(
        "x",
        "fanout",
        harness::args(&[("alternate-exchange", s("nope"))]),
    );
    w.events();
    w.publish("x", "", "dropped");
    assert_eq!(routed_queues(&w.events()), vec![Vec::<String>::new()]);
    // x's bindings now yield only an exchange that routes nowhere: x's AE is not used.
    w.exchange("ae", "fanout");
    w.declare("aeq");
    w.bind("aeq", "ae", "");
    w.exchange_with(
        "y",
        "fanout",
        harness::args(&[("alternate-exchange", s("ae"))]),
    );
    w.exchange("sink", "direct");
    w.bind_exchange("sink", "y", "");
    w.publish("y", "", "m");
    assert_eq!(w.ready("aeq"), 0);
}

#[test]
fn cc_and_bcc_route_at_every_hop_and_bcc_is_hidden() {
    let mut w = World::new();
    w.declare("q1");
    w.declare("q2");
    w.exchange("t", "topic");
    w.bind_exchange("t", "amq.direct", "cc-key");
    w.bind("q1", "t", "cc-key");
    w.bind("q2", "t", "secret.#");
    w.publish_with(
        "amq.direct",
        "nothing",
        "m",
        with_headers(&[
            (
                "CC",
                FieldValue::Array(vec![s("cc-key"), FieldValue::I32(5)]),
            ),
            ("BCC", FieldValue::Array(vec![s("secret.x")])),
        ]),
    );
    let events = w.events();
    assert_eq!(routed_queues(&events), vec![vec!["q1", "q2"]]);
    let Reply::GetOk(ok) = w.ok(BasicGet {
        channel: w.ch,
        queue: "q2".into(),
        no_ack: true,
    }) else {
        panic!()
    };
    let headers = ok.properties.headers.clone().unwrap();
    assert!(headers.get("CC").is_some());
    assert!(headers.get("BCC").is_none());
    assert_eq!(ok.routing_key, "nothing");
}

#[test]
fn a_non_array_cc_is_refused() {
    let mut w = World::new();
    assert_eq!(
        w.err(BasicPublish {
            channel: w.ch,
            routing_key: "q".into(),
            properties: with_headers(&[("CC", FieldValue::I32(1))]),
            ..Default::default()
        }),
        "PRECONDITION_FAILED - invalid message: {unacceptable_type_in_header,\"CC\",signedint}"
    );
}

#[test]
fn default_exchange_routes_by_queue_name_with_cc_duplicates_collapsed() {
    let mut w = World::new();
    w.declare("a");
    w.declare("b");
    w.events();
    w.publish_with(
        "",
        "a",
        "m",
        with_headers(&[("CC", FieldValue::Array(vec![s("b"), s("a"), s("missing")]))]),
    );
    assert_eq!(routed_queues(&w.events()), vec![vec!["a", "b"]]);
}

#[test]
fn mandatory_unroutable_is_returned_before_the_confirm() {
    let mut w = World::new();
    w.ok(ConfirmSelect { channel: w.ch });
    w.ok(BasicPublish {
        channel: w.ch,
        exchange: "amq.direct".into(),
        routing_key: "nowhere".into(),
        mandatory: true,
        body: "m".into(),
        ..Default::default()
    });
    let tail: Vec<Event> = w.events().into_iter().skip(2).collect();
    assert_eq!(
        tail,
        vec![
            Event::Returned {
                channel: w.ch,
                reply_code: 312,
                reply_text: "NO_ROUTE".into(),
                exchange: "amq.direct".into(),
                routing_key: "nowhere".into(),
                message: MessageId(1),
                properties: std::sync::Arc::new(Properties::default()),
                body: "m".into()
            },
            Event::PublisherAck {
                channel: w.ch,
                seq: 1,
                multiple: false
            }
        ]
    );
}

#[test]
fn immediate_and_missing_exchanges() {
    let mut w = World::new();
    let e = w
        .run(BasicPublish {
            channel: w.ch,
            immediate: true,
            ..Default::default()
        })
        .unwrap_err();
    assert_eq!(
        (e.reply_text().as_str(), e.scope()),
        ("NOT_IMPLEMENTED - immediate=true", ErrorScope::Connection)
    );
    let mut w = World::new();
    assert_eq!(
        w.err(BasicPublish {
            channel: w.ch,
            exchange: "nope".into(),
            ..Default::default()
        }),
        "NOT_FOUND - no exchange 'nope' in vhost '/'"
    );
}

#[test]
fn routed_event_names_the_edges_taken() {
    let mut w = World::new();
    w.declare("q");
    w.exchange("x", "fanout");
    w.bind_exchange("x", "amq.direct", "k");
    w.bind("q", "x", "");
    w.events();
    w.publish("amq.direct", "k", "m");
    let edges = w
        .events()
        .into_iter()
        .find_map(|e| match e {
            Event::Routed { edges, .. } => Some(edges),
            _ => None,
        })
        .unwrap();
    assert_eq!(
        edges,
        vec![
            RouteEdge {
                source: "amq.direct".into(),
                destination: Destination::Exchange("x".into()),
                via: EdgeKind::Binding
            },
            RouteEdge {
                source: "x".into(),
                destination: Destination::Queue("q".into()),
                via: EdgeKind::Binding
            }
        ]
    );
}

#[test]
fn explain_route_shows_the_reasoning_without_publishing() {
    let mut w = World::new();
    w.declare("q");
    w.bind("q", "amq.topic", "a.*");
    w.bind("q", "amq.topic", "b.#");
    w.events();
    let explained = w
        .broker
        .explain_route(&"/".into(), &"amq.topic".into(), "a.x", None);
    assert_eq!(explained.queues, vec![QueueName::from("q")]);
    let (exchange, bindings) = &explained.exchanges[0];
    assert_eq!(exchange.as_str(), "amq.topic");
    let matched: Vec<(String, bool)> = bindings
        .iter()
        .map(|b| (b.routing_key.clone(), b.matched))
        .collect();
    assert_eq!(matched, vec![("a.*".into(), true), ("b.#".into(), false)]);
    assert_eq!(w.events(), vec![]);
}
