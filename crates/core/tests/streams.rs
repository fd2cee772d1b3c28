//! Streams on the core's own API: what the fidelity scripts (`tests/scripts/stream-*.json`)
//! cannot check against RabbitMQ 3.10.8 — timestamps (the core's clock is virtual), retention
//! by segments (RabbitMQ sizes on-disk chunks), restarts and the 4.x profile. Sources:
//! rabbitmq.com/docs/streams ("Data Retention": whole segments, evaluated when a segment is
//! created; "Consuming": x-stream-offset), rabbitmq.com/docs/consumer-prefetch (4.3: global
//! QoS means per consumer).

mod harness;

use amqp_playground_core::*;
use harness::{args, s, World};

fn declare_stream(w: &mut World, name: &str, extra: &[(&str, FieldValue)]) {
    let mut pairs = vec![("x-queue-type", s("stream"))];
    pairs.extend(extra.iter().cloned());
    w.ok(QueueDeclare {
        channel: w.ch,
        queue: name.into(),
        durable: true,
        arguments: args(&pairs),
        ..Default::default()
    });
}

fn consume_from(w: &mut World, ch: ChannelRef, queue: &str, offset: Option<FieldValue>) {
    w.ok(BasicQos {
        channel: ch,
        prefetch_size: 0,
        prefetch_count: 100,
        global: false,
    });
    let mut arguments = FieldTable::new();
    if let Some(o) = offset {
        arguments.insert("x-stream-offset", o);
    }
    w.ok(BasicConsume {
        channel: ch,
        queue: queue.into(),
        consumer_tag: "".into(),
        no_ack: false,
        exclusive: false,
        arguments,
    });
}

/// (body, x-stream-offset) of every delivery on channel `ch`.
fn delivered(w: &mut World, ch: ChannelRef) -> Vec<(String, i64)> {
    w.events()
        .into_iter()
        .filter_map(|e| match e {
            Event::Delivered {
                channel,
                body,
                properties,
                ..
            } if channel == ch => Some((
                String::from_utf8_lossy(&body).into_owned(),
                properties.header("x-stream-offset")?.as_integer()?,
            )),
            _ => None,
        })
        .collect()
}

#[test]
fn a_timestamp_offset_starts_at_the_first_message_written_at_or_after_it() {
    let mut w = World::new();
    declare_stream(&mut w, "s", &[]);
    for i in 0..4 {
        w.publish("", "s", &format!("m{i}"));
        w.advance(1_000);
    }
    let ch = w.open(2);
    w.events();
    // Written at 0, 1, 2 and 3 s; AMQP timestamps are seconds.
    consume_from(&mut w, ch, "s", Some(FieldValue::Timestamp(2)));
    assert_eq!(delivered(&mut w, ch), [("m2".into(), 2), ("m3".into(), 3)]);
}

#[test]
fn retention_drops_old_segments_and_a_lagging_consumer_resumes_at_the_oldest_kept() {
    let mut w = World::new();
    declare_stream(
        &mut w,
        "s",
        &[
            ("x-max-length-bytes", FieldValue::I64(20)),
            ("x-stream-max-segment-size-bytes", FieldValue::I64(10)),
        ],
    );
    for i in 0..10 {
        w.publish("", "s", &format!("msg{i:02}")); // 5 bytes: two per segment
    }
    let info = w.broker.queue(&"/".into(), &"s".into()).unwrap();
    let stream = info.stream.expect("a stream has a log");
    assert_eq!(stream.next, 10);
    assert_eq!(
        stream.segments.iter().map(|s| s.count).collect::<Vec<_>>(),
        [2, 2, 2]
    );
    assert_eq!(
        stream.first, 4,
        "segments are dropped whole while over 20 bytes"
    );
    let dropped = w
        .events()
        .into_iter()
        .filter(|e| {
            matches!(
                e,
                Event::Dropped {
                    reason: DropReason::Retention,
                    ..
                }
            )
        })
        .count();
    assert_eq!(dropped, 4);
    let ch = w.open(2);
    consume_from(&mut w, ch, "s", Some(FieldValue::I64(0)));
    let got = delivered(&mut w, ch);
    assert_eq!(got.first(), Some(&("msg04".to_string(), 4)));
    assert_eq!(got.len(), 6);
}

#[test]
fn max_age_retention_drops_segments_older_than_the_age_at_a_roll_over() {
    let mut w = World::new();
    declare_stream(
        &mut w,
        "s",
        &[
            ("x-max-age", s("10s")),
            ("x-stream-max-segment-size-bytes", FieldValue::I64(1)),
        ],
    );
    w.publish("", "s", "a");
    w.advance(5_000);
    w.publish("", "s", "b");
    w.advance(30_000);
    let info = w.broker.queue(&"/".into(), &"s".into()).unwrap();
    assert_eq!(
        info.stream.unwrap().first,
        0,
        "nothing is dropped until a segment rolls over"
    );
    w.publish("", "s", "c");
    let info = w.broker.queue(&"/".into(), &"s".into()).unwrap();
    assert_eq!(info.stream.unwrap().first, 2);
}

#[test]
fn every_consumer_reads_the_whole_log_and_a_restart_keeps_it() {
    let mut w = World::new();
    declare_stream(&mut w, "s", &[]);
    w.publish("", "s", "one");
    w.publish("", "s", "two");
    w.ok(Restart {});
    let (a, b) = (w.connect(), w.connect());
    w.events();
    consume_from(&mut w, a, "s", Some(s("first")));
    consume_from(&mut w, b, "s", Some(s("first")));
    let all = w.events();
    for ch in [a, b] {
        let got = all
            .iter()
            .filter(|e| matches!(e, Event::Delivered { channel, .. } if *channel == ch))
            .count();
        assert_eq!(got, 2, "{ch:?} reads both");
    }
    let info = w.broker.queue(&"/".into(), &"s".into()).unwrap();
    assert_eq!(info.ready, 2, "consuming removed nothing");
}

#[test]
fn four_x_takes_a_global_prefetch_as_the_consumer_prefetch_a_stream_needs() {
    for (compat, ok) in [(Compat::RabbitMq4, true), (Compat::RabbitMq310, false)] {
        let mut w = World::with_compat(compat);
        declare_stream(&mut w, "s", &[]);
        let result = w.consume_under_global_qos("s");
        assert_eq!(result.is_ok(), ok, "{compat:?}: {result:?}");
    }
}

#[test]
fn a_bad_offset_is_refused_with_what_was_wrong() {
    // RabbitMQ 3.10 crashes the connection (541 INTERNAL_ERROR); the core says why.
    let mut w = World::new();
    declare_stream(&mut w, "s", &[]);
    w.ok(BasicQos {
        channel: w.ch,
        prefetch_size: 0,
        prefetch_count: 5,
        global: false,
    });
    let text = w.err(BasicConsume {
        channel: w.ch,
        queue: "s".into(),
        consumer_tag: "c".into(),
        no_ack: false,
        exclusive: false,
        arguments: args(&[("x-stream-offset", s("yesterday"))]),
    });
    assert!(
        text.starts_with("PRECONDITION_FAILED - invalid x-stream-offset for queue 's'"),
        "{text}"
    );
}

#[test]
fn four_x_filters_a_stream_by_x_stream_filter_value() {
    // rabbitmq.com/docs/stream-filtering (3.13+): publish with the `x-stream-filter-value`
    // header, consume with `x-stream-filter` (and `x-stream-match-unfiltered`). 3.10 has no
    // filtering: the consumer gets everything.
    for (compat, want) in [
        (Compat::RabbitMq4, vec!["cal-1", "plain", "cal-2"]),
        (
            Compat::RabbitMq310,
            vec!["cal-1", "ny-1", "plain", "cal-2", "ny-2"],
        ),
    ] {
        let mut w = World::with_compat(compat);
        declare_stream(&mut w, "s", &[]);
        for (body, region) in [
            ("cal-1", Some("california")),
            ("ny-1", Some("new-york")),
            ("plain", None),
            ("cal-2", Some("california")),
            ("ny-2", Some("new-york")),
        ] {
            let properties = Properties {
                headers: region.map(|r| args(&[("x-stream-filter-value", s(r))])),
                ..Properties::default()
            };
            w.publish_with("", "s", body, properties);
        }
        let ch = w.open(2);
        w.events();
        w.ok(BasicQos {
            channel: ch,
            prefetch_size: 0,
            prefetch_count: 10,
            global: false,
        });
        w.ok(BasicConsume {
            channel: ch,
            queue: "s".into(),
            consumer_tag: "".into(),
            no_ack: false,
            exclusive: false,
            arguments: args(&[
                ("x-stream-offset", s("first")),
                ("x-stream-filter", FieldValue::Array(vec![s("california")])),
                ("x-stream-match-unfiltered", FieldValue::Bool(true)),
            ]),
        });
        let got: Vec<String> = delivered(&mut w, ch).into_iter().map(|(b, _)| b).collect();
        assert_eq!(got, want, "{compat:?}");
    }
}
