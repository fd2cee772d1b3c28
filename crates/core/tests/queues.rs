//! Queue lifecycle stories: naming, passive declares, equivalence, exclusivity, auto-delete,
//! deletion conditions, purge and argument validation (checklist 13-22).

mod harness;

use amqp_playground_core::*;
use harness::{args, s, World};

fn declare(ch: ChannelRef, queue: &str) -> QueueDeclare {
    QueueDeclare {
        channel: ch,
        queue: queue.into(),
        ..Default::default()
    }
}

#[test]
fn reserved_names_are_refused_for_non_passive_declares_only() {
    let mut w = World::new();
    assert_eq!(
        w.err(declare(w.ch, "amq.foo")),
        "ACCESS_REFUSED - queue name 'amq.foo' contains reserved prefix 'amq.*'"
    );
    let ch = w.open(2);
    assert_eq!(
        w.err(QueueDeclare {
            passive: true,
            ..declare(ch, "amq.foo")
        }),
        "NOT_FOUND - no queue 'amq.foo' in vhost '/'"
    );
}

#[test]
fn the_error_closes_the_channel_and_nothing_else() {
    let mut w = World::new();
    w.declare("q");
    w.events();
    w.err(declare(w.ch, "amq.x"));
    assert_eq!(
        w.events(),
        vec![Event::ChannelClosed {
            channel: w.ch,
            code: 403,
            text: "ACCESS_REFUSED - queue name 'amq.x' contains reserved prefix 'amq.*'".into()
        }]
    );
    assert!(w.has_queue("q"));
    // The channel is gone: using it again is a connection error (504).
    assert_eq!(
        w.err(declare(w.ch, "q")),
        "CHANNEL_ERROR - expected 'channel.open'"
    );
    assert!(matches!(
        w.events().last(),
        Some(Event::ConnectionClosed { code: 504, .. })
    ));
}

#[test]
fn passive_declare_reports_counts_without_equivalence_checks() {
    let mut w = World::new();
    w.declare_with("q", args(&[("x-message-ttl", FieldValue::I32(1000))]));
    w.publish("", "q", "a");
    let reply = w.ok(QueueDeclare {
        passive: true,
        durable: true,
        ..declare(w.ch, "q")
    });
    assert_eq!(
        reply,
        Reply::QueueDeclareOk {
            queue: "q".into(),
            message_count: 1,
            consumer_count: 0
        }
    );
}

#[test]
fn most_recently_declared_queue_shortcuts() {
    let mut w = World::new();
    assert_eq!(
        w.err(QueuePurge {
            channel: w.ch,
            queue: "".into()
        }),
        "NOT_FOUND - no previously declared queue"
    );
    let ch = w.open(2);
    let q = w.declare_on(ch, "", FieldTable::new());
    // queue "" and routing key "" bind the MRDQ with its own name as key.
    w.ok(QueueBind {
        channel: ch,
        queue: "".into(),
        exchange: "amq.direct".into(),
        routing_key: "".into(),
        arguments: FieldTable::new(),
    });
    let bindings = w.broker.bindings();
    assert_eq!(bindings.len(), 1);
    assert_eq!(bindings[0].routing_key, q.as_str());
    assert_eq!(bindings[0].destination, Destination::Queue(q));
}

#[test]
fn redeclare_must_be_equivalent() {
    let mut w = World::new();
    let ttl = |v: FieldValue| args(&[("x-message-ttl", v)]);
    w.ok(QueueDeclare {
        durable: true,
        arguments: ttl(FieldValue::I32(10)),
        ..declare(w.ch, "q")
    });
    let rows = [
        (
            QueueDeclare {
                durable: false,
                arguments: ttl(FieldValue::I32(10)),
                ..declare(w.ch, "q")
            },
            "PRECONDITION_FAILED - inequivalent arg 'durable' for queue 'q' in vhost '/': received 'false' but current is 'true'",
        ),
        (
            QueueDeclare {
                durable: true,
                arguments: ttl(FieldValue::I64(20)),
                ..declare(w.ch, "q")
            },
            "PRECONDITION_FAILED - inequivalent arg 'x-message-ttl' for queue 'q' in vhost '/': received '20' but current is '10'",
        ),
        (
            QueueDeclare {
                durable: true,
                arguments: ttl(FieldValue::F64(10.0)),
                ..declare(w.ch, "q")
            },
            "PRECONDITION_FAILED - inequivalent arg 'x-message-ttl' for queue 'q' in vhost '/': received '10.0' but current is '10'",
        ),
        (
            QueueDeclare {
                durable: true,
                ..declare(w.ch, "q")
            },
            "PRECONDITION_FAILED - inequivalent arg 'x-message-ttl' for queue 'q' in vhost '/': received none but current is the value '10' of type 'signedint'",
        ),
    ];
    for (command, text) in rows {
        let ch = w.open(10);
        assert_eq!(
            w.err(QueueDeclare {
                channel: ch,
                ..command
            }),
            text
        );
    }
    // Integer widths are equivalent and unknown arguments ignored.
    let reply = w.ok(QueueDeclare {
        durable: true,
        arguments: args(&[
            ("x-message-ttl", FieldValue::U8(10)),
            ("x-whatever", s("x")),
        ]),
        ..declare(w.ch, "q")
    });
    assert!(matches!(reply, Reply::QueueDeclareOk { .. }));
}

#[test]
fn exclusive_queues_belong_to_their_connection() {
    let mut w = World::new();
    w.ok(QueueDeclare {
        exclusive: true,
        durable: true,
        ..declare(w.ch, "mine")
    });
    // Exclusive queues are never durable.
    assert!(!w.broker.queue(&"/".into(), &"mine".into()).unwrap().durable);
    let other = w.connect();
    let locked = "RESOURCE_LOCKED - cannot obtain exclusive access to locked queue 'mine' in vhost '/'. It could be originally declared on another connection or the exclusive property value does not match that of the original declaration.";
    let attempts: Vec<Command> = vec![
        QueueDeclare {
            passive: true,
            ..declare(other, "mine")
        }
        .into(),
        BasicConsume {
            channel: other,
            queue: "mine".into(),
            consumer_tag: "".into(),
            no_ack: true,
            exclusive: false,
            arguments: FieldTable::new(),
        }
        .into(),
        BasicGet {
            channel: other,
            queue: "mine".into(),
            no_ack: true,
        }
        .into(),
        QueuePurge {
            channel: other,
            queue: "mine".into(),
        }
        .into(),
        QueueDelete {
            channel: other,
            queue: "mine".into(),
            if_unused: false,
            if_empty: false,
        }
        .into(),
        QueueBind {
            channel: other,
            queue: "mine".into(),
            exchange: "amq.fanout".into(),
            routing_key: "".into(),
            arguments: FieldTable::new(),
        }
        .into(),
    ];
    for command in attempts {
        let other = w.connect();
        let command = retarget(command, other);
        assert_eq!(w.err(command), locked);
    }
    // Publishing into it from elsewhere is fine.
    let other = w.connect();
    w.ok(BasicPublish {
        channel: other,
        routing_key: "mine".into(),
        body: "hi".into(),
        ..Default::default()
    });
    assert_eq!(w.ready("mine"), 1);
    // Closing the owner deletes it.
    w.ok(CloseConnection { connection: w.conn });
    assert!(!w.has_queue("mine"));
}

fn retarget(command: Command, ch: ChannelRef) -> Command {
    match command {
        Command::QueueDeclare(c) => QueueDeclare { channel: ch, ..c }.into(),
        Command::BasicConsume(c) => BasicConsume { channel: ch, ..c }.into(),
        Command::BasicGet(c) => BasicGet { channel: ch, ..c }.into(),
        Command::QueuePurge(c) => QueuePurge { channel: ch, ..c }.into(),
        Command::QueueDelete(c) => QueueDelete { channel: ch, ..c }.into(),
        Command::QueueBind(c) => QueueBind { channel: ch, ..c }.into(),
        other => other,
    }
}

#[test]
fn auto_delete_needs_a_consumer_first() {
    let mut w = World::new();
    w.ok(QueueDeclare {
        auto_delete: true,
        ..declare(w.ch, "ad")
    });
    w.ok(BasicGet {
        channel: w.ch,
        queue: "ad".into(),
        no_ack: true,
    });
    assert!(w.has_queue("ad"), "basic.get is not a consumer");
    let tag = w.consume("ad", true);
    assert!(w.has_queue("ad"));
    w.ok(BasicCancel {
        channel: w.ch,
        consumer_tag: tag,
    });
    assert!(!w.has_queue("ad"));
}

#[test]
fn delete_checks_if_empty_before_if_unused() {
    let mut w = World::new();
    w.declare("q");
    w.publish("", "q", "m");
    w.qos(w.ch, 1);
    w.consume("q", false);
    w.publish("", "q", "n");
    let ch = w.open(2);
    assert_eq!(w.ready("q"), 1);
    assert_eq!(
        w.err(QueueDelete {
            channel: ch,
            queue: "q".into(),
            if_unused: true,
            if_empty: true
        }),
        "PRECONDITION_FAILED - queue 'q' in vhost '/' not empty"
    );
    let ch = w.open(3);
    assert_eq!(
        w.err(QueueDelete {
            channel: ch,
            queue: "q".into(),
            if_unused: true,
            if_empty: false
        }),
        "PRECONDITION_FAILED - queue 'q' in vhost '/' in use"
    );
    let ch = w.open(4);
    assert_eq!(
        w.ok(QueueDelete {
            channel: ch,
            queue: "q".into(),
            if_unused: false,
            if_empty: false
        }),
        Reply::QueueDeleteOk { message_count: 1 }
    );
    assert_eq!(
        w.ok(QueueDelete {
            channel: ch,
            queue: "q".into(),
            if_unused: false,
            if_empty: false
        }),
        Reply::QueueDeleteOk { message_count: 0 },
        "deleting a missing queue succeeds"
    );
}

#[test]
fn deleting_a_queue_cancels_its_consumers_and_removes_bindings() {
    let mut w = World::new();
    w.declare("q");
    w.bind("q", "amq.topic", "a.#");
    let tag = w.consume("q", true);
    w.events();
    w.ok(QueueDelete {
        channel: w.ch,
        queue: "q".into(),
        if_unused: false,
        if_empty: false,
    });
    assert_eq!(
        w.events(),
        vec![
            Event::ConsumerCancelled {
                channel: w.ch,
                consumer_tag: tag,
                queue: "q".into(),
                by_server: true
            },
            Event::Unbound {
                vhost: "/".into(),
                source: "amq.topic".into(),
                destination: Destination::Queue("q".into()),
                routing_key: "a.#".into(),
                arguments: FieldTable::new()
            },
            Event::QueueDeleted {
                vhost: "/".into(),
                queue: "q".into(),
                messages: vec![]
            }
        ]
    );
    assert!(w.broker.bindings().is_empty());
}

#[test]
fn purge_removes_ready_messages_only() {
    let mut w = World::new();
    w.declare("q");
    for b in ["1", "2", "3"] {
        w.publish("", "q", b);
    }
    let (tag, _) = w.get("q").unwrap();
    assert_eq!(
        w.ok(QueuePurge {
            channel: w.ch,
            queue: "q".into()
        }),
        Reply::QueuePurgeOk { message_count: 2 }
    );
    w.nack(tag, false, true);
    assert_eq!(w.drain("q"), vec!["1"]);
}

#[test]
fn argument_validation_errors() {
    let mut w = World::new();
    let rows = [
        (
            args(&[("x-expires", FieldValue::I32(0))]),
            "PRECONDITION_FAILED - invalid arg 'x-expires' for queue 'q' in vhost '/': {value_zero,0}",
        ),
        (
            args(&[("x-max-priority", FieldValue::I32(256))]),
            "PRECONDITION_FAILED - invalid arg 'x-max-priority' for queue 'q' in vhost '/': {max_value_exceeded,256}",
        ),
        (
            args(&[("x-dead-letter-routing-key", s("k"))]),
            "PRECONDITION_FAILED - invalid arg 'x-dead-letter-routing-key' for queue 'q' in vhost '/': routing_key_but_no_dlx_defined",
        ),
        (
            args(&[("x-overflow", s("drop-tail"))]),
            "PRECONDITION_FAILED - invalid arg 'x-overflow' for queue 'q' in vhost '/': invalid_overflow",
        ),
    ];
    for (arguments, text) in rows {
        let ch = w.open(7);
        assert_eq!(
            w.err(QueueDeclare {
                arguments,
                ..declare(ch, "q")
            }),
            text
        );
        assert!(!w.has_queue("q"));
    }
}
