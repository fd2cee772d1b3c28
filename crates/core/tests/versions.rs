//! The version table (semantics §16), row by row: the 4.x answer the playground gives by
//! default, beside the 3.10 answer the fidelity suite checks against the real broker.

mod harness;

use amqp_playground_core::*;
use harness::{args, s, World};

fn both(mut check: impl FnMut(Compat, &mut World)) {
    for compat in [Compat::RabbitMq4, Compat::RabbitMq310] {
        let mut w = World::with_compat(compat);
        check(compat, &mut w);
    }
}

/// Publishes `m` to `q`, gets it and nacks it into `dlq` through the default exchange.
fn dead_letter_once(w: &mut World, properties: Properties) -> Box<GetOk> {
    w.publish_with("", "q", "m", properties);
    let (tag, _) = w.get("q").unwrap();
    w.nack(tag, false, false);
    match w.ok(BasicGet {
        channel: w.ch,
        queue: "dlq".into(),
        no_ack: true,
    }) {
        Reply::GetOk(ok) => ok,
        other => panic!("{other:?}"),
    }
}

fn dlq_world(w: &mut World) {
    w.declare("dlq");
    w.declare_with(
        "q",
        args(&[
            ("x-dead-letter-exchange", s("")),
            ("x-dead-letter-routing-key", s("dlq")),
        ]),
    );
}

#[test]
fn topic_keys_with_three_hashes() {
    // 4.3.5: rabbit_exchange_type_topic.erl:27-67; 3.x accepted them.
    both(|compat, w| {
        w.declare("q");
        let result = w.run(QueueBind {
            channel: w.ch,
            queue: "q".into(),
            exchange: "amq.topic".into(),
            routing_key: "#.#.#".into(),
            arguments: FieldTable::new(),
        });
        assert_eq!(result.is_err(), compat == Compat::RabbitMq4);
    });
}

#[test]
fn headers_integer_versus_float() {
    // 3.13+: =:= (rabbit_exchange_type_headers.erl:36-87); ≤3.12: == (1 == 1.0).
    both(|compat, w| {
        w.declare("q");
        w.bind_with("q", "amq.headers", "", args(&[("n", FieldValue::I32(1))]));
        w.publish_with(
            "amq.headers",
            "",
            "m",
            Properties {
                headers: Some(args(&[("n", FieldValue::F64(1.0))])),
                ..Properties::default()
            },
        );
        assert_eq!(
            w.ready("q") == 1,
            compat == Compat::RabbitMq310,
            "{compat:?}"
        );
    });
}

#[test]
fn a_republished_x_death_is_replaced_in_4x_and_continued_in_3_10() {
    // T dead_lettering_SUITE.erl:1312-1369 (3.13+ starts afresh).
    both(|compat, w| {
        dlq_world(w);
        let first = dead_letter_once(w, Properties::default());
        let again = dead_letter_once(w, (*first.properties).clone());
        let Some(FieldValue::Array(deaths)) = again
            .properties
            .headers
            .as_ref()
            .unwrap()
            .get("x-death")
            .cloned()
        else {
            panic!()
        };
        let FieldValue::Table(entry) = &deaths[0] else {
            panic!()
        };
        let count = entry.get("count").and_then(|c| c.as_integer());
        let want = if compat == Compat::RabbitMq4 { 1 } else { 2 };
        assert_eq!((deaths.len(), count), (1, Some(want)), "{compat:?}");
    });
}

#[test]
fn cc_after_dead_lettering_with_a_key() {
    // T dead_lettering_SUITE.erl:1419-1466: kept since 3.13, removed before.
    both(|compat, w| {
        dlq_world(w);
        let ok = dead_letter_once(
            w,
            Properties {
                headers: Some(args(&[("CC", FieldValue::Array(vec![s("elsewhere")]))])),
                ..Properties::default()
            },
        );
        let has_cc = ok.properties.headers.as_ref().unwrap().get("CC").is_some();
        assert_eq!(has_cc, compat == Compat::RabbitMq4);
    });
}

#[test]
fn global_qos() {
    // 4.3 denies the global_qos deprecated feature: rabbit_channel.erl:236-240, 1431-1470.
    both(|compat, w| {
        w.declare("q");
        w.ok(BasicQos {
            channel: w.ch,
            prefetch_size: 0,
            prefetch_count: 1,
            global: true,
        });
        w.consume("q", false);
        w.consume("q", false);
        for b in ["1", "2", "3"] {
            w.publish("", "q", b);
        }
        let want = if compat == Compat::RabbitMq4 { 2 } else { 1 };
        assert_eq!(w.deliveries().len(), want, "{compat:?}");
    });
}

#[test]
fn transient_non_exclusive_queues_are_permitted_in_both_profiles() {
    // 4.3 refuses them (541) unless the deprecation is permitted, which the playground does
    // because the tutorials declare them (see the crate's differences list).
    both(|_, w| {
        let reply = w.ok(QueueDeclare {
            channel: w.ch,
            queue: "hello".into(),
            ..Default::default()
        });
        assert!(matches!(reply, Reply::QueueDeclareOk { .. }));
    });
}

#[test]
fn unknown_exchange_type() {
    // 3.x: 503 COMMAND_INVALID (connection); 3.13+: 406 (rabbit_exchange.erl:189-201).
    both(|compat, w| {
        let e = w
            .run(ExchangeDeclare {
                channel: w.ch,
                exchange: "x".into(),
                kind: "nope".into(),
                passive: false,
                durable: false,
                auto_delete: false,
                internal: false,
                arguments: FieldTable::new(),
            })
            .unwrap_err();
        let want = if compat == Compat::RabbitMq4 {
            406
        } else {
            503
        };
        assert_eq!(e.reply_code(), want);
    });
}

#[test]
fn binding_the_direct_reply_to_pseudo_queue() {
    // 4.2+ volatile queues: 403 (rabbit_channel.erl:1041-1049); 3.10: 404 like any missing queue.
    both(|compat, w| {
        let e = w
            .run(QueueBind {
                channel: w.ch,
                queue: "amq.rabbitmq.reply-to".into(),
                exchange: "amq.direct".into(),
                routing_key: "k".into(),
                arguments: FieldTable::new(),
            })
            .unwrap_err();
        let want = if compat == Compat::RabbitMq4 {
            403
        } else {
            404
        };
        assert_eq!(e.reply_code(), want);
    });
}
