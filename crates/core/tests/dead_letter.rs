//! Dead-lettering: reasons, routing keys, `x-death` as RabbitMQ writes it, cycles, order
//! (checklist 29-31).

mod harness;

use amqp_playground_core::*;
use harness::{args, s, World};

fn dlx_args(key: Option<&str>) -> FieldTable {
    let mut a = args(&[("x-dead-letter-exchange", s("dlx"))]);
    if let Some(k) = key {
        a.insert("x-dead-letter-routing-key", s(k));
    }
    a
}

fn get_ok(w: &mut World, queue: &str) -> Box<GetOk> {
    match w.ok(BasicGet {
        channel: w.ch,
        queue: queue.into(),
        no_ack: true,
    }) {
        Reply::GetOk(ok) => ok,
        other => panic!("{other:?}"),
    }
}

fn death(count: i64, queue: &str, reason: &str, exchange: &str, keys: &[&str]) -> FieldValue {
    FieldValue::Table(args(&[
        ("count", FieldValue::I64(count)),
        ("exchange", s(exchange)),
        ("queue", s(queue)),
        ("reason", s(reason)),
        (
            "routing-keys",
            FieldValue::Array(keys.iter().map(|k| s(k)).collect()),
        ),
        ("time", FieldValue::Timestamp(0)),
    ]))
}

/// A world with a fanout `dlx` feeding queue `dlq`.
fn world() -> World {
    let mut w = World::new();
    w.exchange("dlx", "topic");
    w.declare("dlq");
    w.bind("dlq", "dlx", "#");
    w
}

#[test]
fn rejected_message_gets_x_death_and_first_and_last_death_headers() {
    let mut w = world();
    w.declare_with("work", dlx_args(None));
    w.publish_with(
        "",
        "work",
        "job",
        Properties {
            headers: Some(args(&[("app", s("demo"))])),
            ..Properties::default()
        },
    );
    let (tag, _) = w.get("work").unwrap();
    w.events();
    w.ok(BasicReject {
        channel: w.ch,
        delivery_tag: tag,
        requeue: false,
    });
    let events = w.events();
    assert_eq!(
        events[1],
        Event::DeadLettered {
            queue: "work".into(),
            message: MessageId(1),
            reason: DeathReason::Rejected,
            dead_letter_exchange: "dlx".into(),
            routing_keys: vec!["work".into()]
        }
    );
    let ok = get_ok(&mut w, "dlq");
    assert_eq!(
        (ok.exchange.as_str(), ok.routing_key.as_str()),
        ("dlx", "work")
    );
    assert_eq!(
        ok.properties.headers.clone().unwrap(),
        args(&[
            ("app", s("demo")),
            (
                "x-death",
                FieldValue::Array(vec![death(1, "work", "rejected", "", &["work"])])
            ),
            ("x-first-death-exchange", s("")),
            ("x-first-death-queue", s("work")),
            ("x-first-death-reason", s("rejected")),
            ("x-last-death-exchange", s("")),
            ("x-last-death-queue", s("work")),
            ("x-last-death-reason", s("rejected")),
        ])
    );
}

#[test]
fn expiry_records_original_expiration_and_removes_it() {
    let mut w = world();
    w.declare_with("work", dlx_args(Some("expired.key")));
    w.publish_with(
        "",
        "work",
        "m",
        Properties {
            expiration: Some("5".into()),
            ..Properties::default()
        },
    );
    w.advance(5);
    let ok = get_ok(&mut w, "dlq");
    assert_eq!(ok.routing_key, "expired.key");
    assert_eq!(ok.properties.expiration, None);
    let headers = ok.properties.headers.clone().unwrap();
    let Some(FieldValue::Array(deaths)) = headers.get("x-death") else {
        panic!()
    };
    let FieldValue::Table(entry) = &deaths[0] else {
        panic!()
    };
    assert_eq!(entry.get("original-expiration"), Some(&s("5")));
    assert_eq!(entry.get("reason"), Some(&s("expired")));
}

#[test]
fn without_a_dead_letter_key_all_original_keys_route_including_bcc() {
    let mut w = World::new();
    w.exchange("dlx", "direct");
    w.declare("by-cc");
    w.declare("by-bcc");
    w.bind("by-cc", "dlx", "cc");
    w.bind("by-bcc", "dlx", "bcc");
    w.declare_with("work", dlx_args(None));
    w.publish_with(
        "",
        "work",
        "m",
        Properties {
            headers: Some(args(&[
                ("CC", FieldValue::Array(vec![s("cc")])),
                ("BCC", FieldValue::Array(vec![s("bcc")])),
            ])),
            ..Properties::default()
        },
    );
    let (tag, _) = w.get("work").unwrap();
    w.nack(tag, false, false);
    let ok = get_ok(&mut w, "by-bcc");
    let headers = ok.properties.headers.clone().unwrap();
    let Some(FieldValue::Array(deaths)) = headers.get("x-death") else {
        panic!()
    };
    let FieldValue::Table(entry) = &deaths[0] else {
        panic!()
    };
    // routing-keys lists the key and CC, never BCC.
    assert_eq!(
        entry.get("routing-keys"),
        Some(&FieldValue::Array(vec![s("work"), s("cc")]))
    );
    assert_eq!(w.ready("by-cc"), 1);
}

#[test]
fn repeated_deaths_count_up_and_move_to_the_front() {
    // q rejects into itself through the default exchange: rejections never form a cycle.
    let mut w = World::new();
    w.declare_with(
        "q",
        args(&[
            ("x-dead-letter-exchange", s("")),
            ("x-dead-letter-routing-key", s("q")),
        ]),
    );
    w.publish("", "q", "m");
    for _ in 0..3 {
        let (tag, _) = w.get("q").unwrap();
        w.nack(tag, false, false);
    }
    let ok = get_ok(&mut w, "q");
    let headers = ok.properties.headers.clone().unwrap();
    assert_eq!(
        headers.get("x-death"),
        Some(&FieldValue::Array(vec![death(
            3,
            "q",
            "rejected",
            "",
            &["q"]
        )]))
    );
}

#[test]
fn each_new_queue_and_reason_prepends_an_entry() {
    let mut w = World::new();
    w.declare_with(
        "second",
        args(&[
            ("x-message-ttl", FieldValue::I32(10)),
            ("x-dead-letter-exchange", s("")),
            ("x-dead-letter-routing-key", s("third")),
        ]),
    );
    w.declare("third");
    w.declare_with(
        "first",
        args(&[
            ("x-dead-letter-exchange", s("")),
            ("x-dead-letter-routing-key", s("second")),
        ]),
    );
    w.publish("", "first", "m");
    let (tag, _) = w.get("first").unwrap();
    w.nack(tag, false, false);
    w.advance(10);
    let ok = get_ok(&mut w, "third");
    let headers = ok.properties.headers.clone().unwrap();
    assert_eq!(
        headers.get("x-death"),
        Some(&FieldValue::Array(vec![
            death(1, "second", "expired", "", &["second"]),
            death(1, "first", "rejected", "", &["first"]),
        ]))
    );
    assert_eq!(headers.get("x-first-death-queue"), Some(&s("first")));
    assert_eq!(headers.get("x-last-death-queue"), Some(&s("second")));
}

#[test]
fn expiry_cycles_are_dropped_but_rejection_cycles_continue() {
    let mut w = World::new();
    w.declare_with(
        "self",
        args(&[
            ("x-message-ttl", FieldValue::I32(10)),
            ("x-dead-letter-exchange", s("")),
            ("x-dead-letter-routing-key", s("self")),
        ]),
    );
    w.publish("", "self", "m");
    w.advance(10);
    assert_eq!(w.ready("self"), 0);
    w.advance(100);
    assert_eq!(w.broker.poll_timeout(), None);
}

#[test]
fn missing_dead_letter_exchange_drops() {
    let mut w = World::new();
    w.declare_with("q", dlx_args(None));
    w.publish("", "q", "m");
    let (tag, _) = w.get("q").unwrap();
    w.nack(tag, false, false);
    assert!(w
        .events()
        .iter()
        .any(|e| matches!(e, Event::Unroutable { exchange, .. } if exchange.as_str() == "dlx")));
}

#[test]
fn a_multi_nack_keeps_its_order() {
    let mut w = world();
    w.declare_with("work", dlx_args(None));
    for b in ["m1", "m2", "m3", "m4", "m5"] {
        w.publish("", "work", b);
    }
    for _ in 0..5 {
        w.get("work").unwrap();
    }
    w.nack(DeliveryTag(5), true, false);
    assert_eq!(w.drain("dlq"), vec!["m1", "m2", "m3", "m4", "m5"]);
}

#[test]
fn version_3_10_drops_cc_with_a_dead_letter_key_and_writes_no_last_death() {
    let mut w = World::with_compat(Compat::RabbitMq310);
    w.declare("dlq");
    w.declare_with(
        "q",
        args(&[
            ("x-dead-letter-exchange", s("")),
            ("x-dead-letter-routing-key", s("dlq")),
        ]),
    );
    w.publish_with(
        "",
        "q",
        "m",
        Properties {
            headers: Some(args(&[("CC", FieldValue::Array(vec![s("zz")]))])),
            ..Properties::default()
        },
    );
    let (tag, _) = w.get("q").unwrap();
    w.nack(tag, false, false);
    let ok = get_ok(&mut w, "dlq");
    let headers = ok.properties.headers.clone().unwrap();
    assert!(headers.get("CC").is_none());
    assert!(headers.get("x-last-death-queue").is_none());
    assert_eq!(headers.get("x-first-death-queue"), Some(&s("q")));
}
