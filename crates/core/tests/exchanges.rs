//! Exchanges and bindings at the broker level: predeclared and reserved names, the default
//! exchange, equivalence, deletion, auto-delete cascades, internal exchanges, binding errors
//! (checklist 3, 11, 13, 18, 20, 21).

mod harness;

use amqp_playground_core::*;
use harness::World;

fn declare_x(ch: ChannelRef, name: &str, kind: &str) -> ExchangeDeclare {
    ExchangeDeclare {
        channel: ch,
        exchange: name.into(),
        kind: kind.into(),
        passive: false,
        durable: false,
        auto_delete: false,
        internal: false,
        arguments: FieldTable::new(),
    }
}

fn delete_x(ch: ChannelRef, name: &str, if_unused: bool) -> ExchangeDelete {
    ExchangeDelete {
        channel: ch,
        exchange: name.into(),
        if_unused,
    }
}

fn exchange_names(w: &World) -> Vec<String> {
    w.broker.exchanges().into_iter().map(|x| x.name.0).collect()
}

#[test]
fn every_vhost_has_the_amq_exchanges() {
    let w = World::new();
    assert_eq!(
        exchange_names(&w),
        vec![
            "amq.direct",
            "amq.fanout",
            "amq.headers",
            "amq.match",
            "amq.topic"
        ]
    );
}

#[test]
fn reserved_and_default_exchange_rules() {
    let mut w = World::new();
    let rows: Vec<(Command, &str)> = vec![
        (
            declare_x(w.ch, "amq.foo", "direct").into(),
            "ACCESS_REFUSED - exchange name 'amq.foo' contains reserved prefix 'amq.*'",
        ),
        (
            delete_x(w.ch, "amq.direct", false).into(),
            "ACCESS_REFUSED - deletion of system exchange 'amq.direct' in vhost '/' not allowed",
        ),
        (
            declare_x(w.ch, "", "direct").into(),
            "ACCESS_REFUSED - operation not permitted on the default exchange",
        ),
        (
            delete_x(w.ch, "", false).into(),
            "ACCESS_REFUSED - operation not permitted on the default exchange",
        ),
        (
            QueueBind {
                channel: w.ch,
                queue: "q".into(),
                exchange: "".into(),
                routing_key: "q".into(),
                arguments: FieldTable::new(),
            }
            .into(),
            "ACCESS_REFUSED - operation not permitted on the default exchange",
        ),
        (
            ExchangeBind {
                channel: w.ch,
                destination: "".into(),
                source: "amq.direct".into(),
                routing_key: "".into(),
                arguments: FieldTable::new(),
            }
            .into(),
            "ACCESS_REFUSED - operation not permitted on the default exchange",
        ),
    ];
    for (command, text) in rows {
        w.declare("q");
        let ch = w.open(5);
        let command = match command {
            Command::ExchangeDeclare(c) => ExchangeDeclare { channel: ch, ..c }.into(),
            Command::ExchangeDelete(c) => ExchangeDelete { channel: ch, ..c }.into(),
            Command::QueueBind(c) => QueueBind { channel: ch, ..c }.into(),
            Command::ExchangeBind(c) => ExchangeBind { channel: ch, ..c }.into(),
            other => other,
        };
        assert_eq!(w.err(command), text);
    }
    // Re-declaring a predeclared exchange with its own properties is fine.
    w.ok(ExchangeDeclare {
        durable: true,
        ..declare_x(w.ch, "amq.direct", "direct")
    });
}

#[test]
fn unknown_exchange_types_by_version() {
    let mut w = World::new();
    let e = w.run(declare_x(w.ch, "x", "x-no-such-type")).unwrap_err();
    assert_eq!(
        (e.reply_text().as_str(), e.scope()),
        (
            "PRECONDITION_FAILED - unknown exchange type 'x-no-such-type'",
            ErrorScope::Channel
        )
    );
    let mut w = World::with_compat(Compat::RabbitMq310);
    let e = w.run(declare_x(w.ch, "x", "foo")).unwrap_err();
    assert_eq!(
        (e.reply_text().as_str(), e.scope()),
        (
            "COMMAND_INVALID - invalid exchange type 'foo'",
            ErrorScope::Connection
        )
    );
}

#[test]
fn redeclare_checks_type_flags_and_alternate_exchange_only() {
    let mut w = World::new();
    w.exchange("x", "direct");
    assert_eq!(
        w.err(declare_x(w.ch, "x", "topic")),
        "PRECONDITION_FAILED - inequivalent arg 'type' for exchange 'x' in vhost '/': received 'topic' but current is 'direct'"
    );
    let ch = w.open(2);
    let mut with_ae = declare_x(ch, "x", "direct");
    with_ae
        .arguments
        .insert("alternate-exchange", FieldValue::string("ae"));
    assert_eq!(
        w.err(with_ae),
        "PRECONDITION_FAILED - inequivalent arg 'alternate-exchange' for exchange 'x' in vhost '/': received the value 'ae' of type 'longstr' but current is none"
    );
    let ch = w.open(3);
    let mut nonsense = declare_x(ch, "x", "direct");
    nonsense.arguments.insert("nonsense", FieldValue::I32(1));
    w.ok(nonsense);
}

#[test]
fn delete_if_unused_looks_at_source_bindings_only() {
    let mut w = World::new();
    w.exchange("src", "fanout");
    w.exchange("dst", "fanout");
    w.bind_exchange("dst", "src", "");
    w.ok(delete_x(w.ch, "missing", true));
    assert_eq!(
        w.err(delete_x(w.ch, "src", true)),
        "PRECONDITION_FAILED - exchange 'src' in vhost '/' in use"
    );
    let ch = w.open(2);
    w.ok(delete_x(ch, "dst", true));
    assert!(w.broker.bindings().is_empty());
}

#[test]
fn auto_delete_exchanges_go_with_their_last_source_binding_in_cascades() {
    let mut w = World::new();
    for name in ["a", "b", "c", "d"] {
        w.ok(ExchangeDeclare {
            auto_delete: true,
            ..declare_x(w.ch, name, "fanout")
        });
    }
    w.bind_exchange("b", "a", "");
    w.bind_exchange("c", "b", "");
    w.bind_exchange("d", "c", "");
    // `d` never had a binding as source: it stays until deleted.
    w.ok(delete_x(w.ch, "d", false));
    for gone in ["a", "b", "c", "d"] {
        assert!(!exchange_names(&w).contains(&gone.to_string()), "{gone}");
    }
}

#[test]
fn auto_delete_after_queue_deletion() {
    let mut w = World::new();
    w.ok(ExchangeDeclare {
        auto_delete: true,
        ..declare_x(w.ch, "logs", "fanout")
    });
    w.declare("q");
    w.bind("q", "logs", "");
    w.ok(QueueDelete {
        channel: w.ch,
        queue: "q".into(),
        if_unused: false,
        if_empty: false,
    });
    assert!(!exchange_names(&w).contains(&"logs".to_string()));
}

#[test]
fn internal_exchanges_are_reached_only_through_bindings() {
    let mut w = World::new();
    w.ok(ExchangeDeclare {
        internal: true,
        ..declare_x(w.ch, "inner", "fanout")
    });
    w.declare("q");
    w.bind("q", "inner", "");
    w.bind_exchange("inner", "amq.fanout", "");
    w.publish("amq.fanout", "", "via e2e");
    assert_eq!(w.drain("q"), vec!["via e2e"]);
    assert_eq!(
        w.err(BasicPublish {
            channel: w.ch,
            exchange: "inner".into(),
            ..Default::default()
        }),
        "ACCESS_REFUSED - cannot publish to internal exchange 'inner' in vhost '/'"
    );
}

#[test]
fn binding_errors_report_the_source_first() {
    let mut w = World::new();
    w.exchange("x", "direct");
    let bind = |ch: ChannelRef, q: &str, x: &str| QueueBind {
        channel: ch,
        queue: q.into(),
        exchange: x.into(),
        routing_key: "k".into(),
        arguments: FieldTable::new(),
    };
    assert_eq!(
        w.err(bind(w.ch, "nq", "nx")),
        "NOT_FOUND - no exchange 'nx' in vhost '/'"
    );
    let ch = w.open(2);
    assert_eq!(
        w.err(bind(ch, "nq", "x")),
        "NOT_FOUND - no queue 'nq' in vhost '/'"
    );
    let ch = w.open(3);
    assert_eq!(
        w.err(ExchangeBind {
            channel: ch,
            destination: "nd".into(),
            source: "x".into(),
            routing_key: "".into(),
            arguments: FieldTable::new()
        }),
        "NOT_FOUND - no exchange 'nd' in vhost '/'"
    );
    // Unbinding what does not exist succeeds.
    let ch = w.open(4);
    w.ok(QueueUnbind {
        channel: ch,
        queue: "nq".into(),
        exchange: "nx".into(),
        routing_key: "k".into(),
        arguments: FieldTable::new(),
    });
}

#[test]
fn identical_bindings_are_one_binding() {
    let mut w = World::new();
    w.declare("q");
    w.bind("q", "amq.direct", "k");
    w.events();
    w.bind("q", "amq.direct", "k");
    assert_eq!(w.events(), vec![]);
    assert_eq!(w.broker.bindings().len(), 1);
}

#[test]
fn topic_hash_limit_is_4x_only() {
    let mut w = World::new();
    w.declare("q");
    assert_eq!(
        w.err(QueueBind {
            channel: w.ch,
            queue: "q".into(),
            exchange: "amq.topic".into(),
            routing_key: "#.#.#".into(),
            arguments: FieldTable::new()
        }),
        "PRECONDITION_FAILED - Topic binding key '#.#.#' uses 3 '#' wildcards, at most 2 are allowed"
    );
    let mut w = World::with_compat(Compat::RabbitMq310);
    w.declare("q");
    w.bind("q", "amq.topic", "#.#.#");
    w.publish("amq.topic", "", "empty key");
    assert_eq!(w.drain("q"), vec!["empty key"]);
}
