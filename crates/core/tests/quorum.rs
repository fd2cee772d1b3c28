//! Quorum queues: the rules the fidelity scripts (`tests/scripts/quorum-*.json`) cannot check
//! because RabbitMQ 3.10.8 behaves otherwise, pinned for the 4.x profile, plus the shared rules
//! on the core's own API. Sources: rabbitmq.com/docs/quorum-queues ("Poison Message
//! Handling": 4.0 sets a default delivery limit of 20 and counts only failed deliveries),
//! rabbitmq.com/docs/consumer-prefetch (4.3: global QoS is a denied deprecated feature,
//! `global=true` means per consumer), semantics §10.8.

mod harness;

use amqp_playground_core::*;
use harness::{args, s, World};

fn quorum(extra: &[(&str, FieldValue)]) -> FieldTable {
    let mut pairs = vec![("x-queue-type", s("quorum"))];
    pairs.extend(extra.iter().cloned());
    args(&pairs)
}

fn declare_quorum(w: &mut World, name: &str, extra: &[(&str, FieldValue)]) {
    w.ok(QueueDeclare {
        channel: w.ch,
        queue: name.into(),
        durable: true,
        arguments: quorum(extra),
        ..Default::default()
    });
}

fn get_ok(w: &mut World, queue: &str) -> Option<Box<GetOk>> {
    match w.ok(BasicGet {
        channel: w.ch,
        queue: queue.into(),
        no_ack: false,
    }) {
        Reply::GetOk(ok) => Some(ok),
        _ => None,
    }
}

fn delivery_count(ok: &GetOk) -> Option<i64> {
    ok.properties
        .header("x-delivery-count")
        .and_then(|v| v.as_integer())
}

fn reject(w: &mut World, tag: DeliveryTag) {
    w.ok(BasicReject {
        channel: w.ch,
        delivery_tag: tag,
        requeue: true,
    });
}

#[test]
fn four_x_dead_letters_after_the_default_limit_of_twenty() {
    // 4.0+: "a default delivery limit of 20"; 3.10 has no default (quorum-delivery-count.json).
    for (compat, limit) in [(Compat::RabbitMq4, Some(20)), (Compat::RabbitMq310, None)] {
        let mut w = World::with_compat(compat);
        w.declare("dlq");
        declare_quorum(
            &mut w,
            "work",
            &[
                ("x-dead-letter-exchange", s("")),
                ("x-dead-letter-routing-key", s("dlq")),
            ],
        );
        let info = w.broker.queue(&"/".into(), &"work".into()).unwrap();
        assert_eq!((info.kind, info.delivery_limit), (QueueType::Quorum, limit));
        w.publish("", "work", "poison");
        let mut deliveries = 0;
        while let Some(ok) = get_ok(&mut w, "work") {
            assert_eq!(delivery_count(&ok), Some(deliveries));
            deliveries += 1;
            reject(&mut w, ok.delivery_tag);
            if deliveries > 30 {
                break;
            }
        }
        match compat {
            Compat::RabbitMq4 => {
                // Delivered with counts 0..=20, the 21st reject exceeds the limit.
                assert_eq!(deliveries, 21);
                assert_eq!(w.drain("dlq"), ["poison"]);
            }
            Compat::RabbitMq310 => assert_eq!(deliveries, 31, "no limit: still going"),
        }
    }
}

#[test]
fn four_x_counts_rejects_but_not_nacks() {
    // 4.3: basic.nack(requeue) does not increment delivery-count, basic.reject and a lost
    // connection do; acquired-count counts them all (docs/quorum-queues, "When is delivery
    // count incremented?"). 3.10 counts both (observed, quorum-delivery-count.json).
    for (compat, after_nack) in [(Compat::RabbitMq4, 0), (Compat::RabbitMq310, 1)] {
        let mut w = World::with_compat(compat);
        declare_quorum(&mut w, "q", &[]);
        w.publish("", "q", "m");
        let ok = get_ok(&mut w, "q").unwrap();
        w.nack(ok.delivery_tag, false, true);
        let ok = get_ok(&mut w, "q").unwrap();
        assert_eq!(delivery_count(&ok), Some(after_nack), "{compat:?}");
        reject(&mut w, ok.delivery_tag);
        let ok = get_ok(&mut w, "q").unwrap();
        assert_eq!(delivery_count(&ok), Some(after_nack + 1), "{compat:?}");
        assert!(ok.redelivered);
        // 4.3's x-acquired-count counts every return, nacks too; 3.10 has no such header.
        let acquired = ok
            .properties
            .header("x-acquired-count")
            .and_then(|v| v.as_integer());
        let want = (compat == Compat::RabbitMq4).then_some(2);
        assert_eq!(acquired, want, "{compat:?}");
    }
}

#[test]
fn four_x_puts_every_return_at_the_head_and_minus_one_lifts_the_limit() {
    // 4.x: "returned messages ... are added to the returns queue and are requeued in the exact
    // order they were returned" (rabbitmq.com/docs/priority), with or without a limit;
    // x-delivery-limit -1 restores the unlimited 3.13 behaviour (docs/quorum-queues). 3.10
    // puts a nack/reject without a limit at the back (quorum-delivery-count.json).
    let unlimited = [("x-delivery-limit", FieldValue::I32(-1))];
    for (compat, extra, order) in [
        (Compat::RabbitMq4, &unlimited[..], ["first", "second"]),
        (Compat::RabbitMq310, &[][..], ["second", "first"]),
    ] {
        let mut w = World::with_compat(compat);
        declare_quorum(&mut w, "unlimited", extra);
        w.publish("", "unlimited", "first");
        w.publish("", "unlimited", "second");
        let ok = get_ok(&mut w, "unlimited").unwrap();
        reject(&mut w, ok.delivery_tag);
        assert_eq!(w.drain("unlimited"), order, "{compat:?}");
    }
    let mut w = World::with_compat(Compat::RabbitMq4);
    declare_quorum(&mut w, "q", &[("x-delivery-limit", FieldValue::I32(-1))]);
    w.publish("", "q", "m");
    for _ in 0..30 {
        let ok = get_ok(&mut w, "q").expect("never dead-lettered");
        reject(&mut w, ok.delivery_tag);
    }
}

#[test]
fn four_x_quorum_queues_deliver_by_priority_with_4_as_the_default() {
    // 4.3: strict priorities 0-31, a message without one is priority 4, x-max-priority is
    // ignored (rabbitmq.com/docs/priority, "Quorum Queues"). 3.10 refuses x-max-priority
    // (quorum-declare.json) and delivers in order.
    let publish_all = |w: &mut World| {
        for (body, priority) in [
            ("low", Some(1)),
            ("plain", None),
            ("high", Some(9)),
            ("top", Some(200)),
        ] {
            let properties = Properties {
                priority,
                ..Properties::default()
            };
            w.publish_with("", "q", body, properties);
        }
    };
    let mut w = World::with_compat(Compat::RabbitMq4);
    declare_quorum(&mut w, "q", &[("x-max-priority", FieldValue::I32(2))]);
    publish_all(&mut w);
    assert_eq!(w.drain("q"), ["top", "high", "plain", "low"]);
    let mut w = World::with_compat(Compat::RabbitMq310);
    declare_quorum(&mut w, "q", &[]);
    publish_all(&mut w);
    assert_eq!(w.drain("q"), ["low", "plain", "high", "top"]);
}

#[test]
fn four_x_accepts_global_qos_on_quorum_queues() {
    // 4.3: global QoS is treated as per-consumer, so nothing refuses it; 3.10 closes the
    // connection with 540 (quorum-consumers.json).
    for compat in [Compat::RabbitMq4, Compat::RabbitMq310] {
        let mut w = World::with_compat(compat);
        declare_quorum(&mut w, "q", &[]);
        let result = w.consume_under_global_qos("q");
        match compat {
            Compat::RabbitMq4 => assert!(result.is_ok()),
            Compat::RabbitMq310 => assert_eq!(
                result.unwrap_err().reply_text(),
                "NOT_IMPLEMENTED - queue 'q' in vhost '/' does not support global qos"
            ),
        }
    }
}

#[test]
fn declare_rules_are_the_same_in_both_profiles() {
    for compat in [Compat::RabbitMq4, Compat::RabbitMq310] {
        let mut w = World::with_compat(compat);
        let text = w.err(QueueDeclare {
            channel: w.ch,
            queue: "hello".into(),
            arguments: quorum(&[]),
            ..Default::default()
        });
        assert_eq!(
            text,
            "PRECONDITION_FAILED - invalid property 'non-durable' for queue 'hello' in vhost '/'"
        );
        w.ok(ChannelOpen { channel: w.ch });
        // Today's tutorial declaration.
        declare_quorum(&mut w, "hello", &[]);
        w.publish("", "hello", "Hello World!");
        assert_eq!(w.drain("hello"), ["Hello World!"]);
    }
}

#[test]
fn messages_in_quorum_queues_survive_a_restart_whatever_their_delivery_mode() {
    // Quorum queues keep every message on disk (rabbitmq.com/docs/quorum-queues: "all
    // messages are persisted"); a classic durable queue keeps only persistent ones.
    let mut w = World::new();
    declare_quorum(&mut w, "q", &[]);
    w.ok(QueueDeclare {
        channel: w.ch,
        queue: "classic".into(),
        durable: true,
        ..Default::default()
    });
    w.publish("", "q", "transient");
    w.publish("", "classic", "transient");
    w.ok(Restart {});
    w.ch = w.connect();
    assert_eq!(w.drain("q"), ["transient"]);
    assert_eq!(w.drain("classic"), Vec::<String>::new());
}
