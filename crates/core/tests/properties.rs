//! Property tests over random operation sequences: conservation of message copies, per-queue
//! order, prefetch limits, and determinism.
//!
//! The topology mixes what can lose, duplicate or reorder copies: a fanout to three queues, a
//! TTL queue dead-lettering into a length-limited queue, a reject-publish queue, and a topic
//! exchange with CC keys, a durable priority queue and a durable single-active-consumer queue.
//! Random publishes (some persistent, some prioritised), gets, consumers, acks/nacks/rejects
//! (single and multiple), recovers, purges, channel and connection closes, broker restarts and
//! time steps run against it. A quorum queue with a delivery limit dead-letters into `dlq`,
//! and two streams hang off the fanout: `log` (kept whole: each consumer's offsets must run
//! on without a gap or a repeat) and `capped` (tiny segments and a byte limit: retention).
//! Conservation counts a stream's retained messages as ready; reading a stream removes
//! nothing, so its acks end no copy.

mod harness;

use std::collections::BTreeMap;

use amqp_playground_core::*;
use harness::{args, s};
use proptest::prelude::*;

const QUEUES: [&str; 10] = [
    "plain", "ttl", "limited", "refusing", "dlq", "prio", "sac", "qq", "log", "capped",
];
const STREAMS: [&str; 2] = ["log", "capped"];

fn is_stream(queue: &str) -> bool {
    STREAMS.contains(&queue)
}

#[derive(Clone, Debug)]
enum Op {
    Publish {
        target: u8,
        expiration: Option<u8>,
        cc: bool,
    },
    Get {
        queue: u8,
        no_ack: bool,
    },
    Consume {
        channel: u8,
        queue: u8,
        no_ack: bool,
        prefetch: u8,
    },
    Cancel {
        channel: u8,
        pick: u8,
    },
    Settle {
        channel: u8,
        pick: u8,
        how: u8,
        multiple: bool,
    },
    Recover {
        channel: u8,
    },
    Purge {
        queue: u8,
    },
    Close {
        channel: u8,
    },
    Advance {
        ms: u8,
    },
    Reconnect,
    Restart,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        12 => (0..7u8, proptest::option::of(0..30u8), any::<bool>())
            .prop_map(|(target, expiration, cc)| Op::Publish { target, expiration, cc }),
        8 => (0..10u8, any::<bool>()).prop_map(|(queue, no_ack)| Op::Get { queue, no_ack }),
        4 => (0..2u8, 0..10u8, any::<bool>(), 0..3u8)
            .prop_map(|(channel, queue, no_ack, prefetch)| Op::Consume { channel, queue, no_ack, prefetch }),
        2 => (0..2u8, any::<u8>()).prop_map(|(channel, pick)| Op::Cancel { channel, pick }),
        12 => (0..2u8, any::<u8>(), 0..5u8, any::<bool>())
            .prop_map(|(channel, pick, how, multiple)| Op::Settle { channel, pick, how, multiple }),
        2 => (0..2u8).prop_map(|channel| Op::Recover { channel }),
        2 => (0..10u8).prop_map(|queue| Op::Purge { queue }),
        2 => (0..2u8).prop_map(|channel| Op::Close { channel }),
        6 => (0..40u8).prop_map(|ms| Op::Advance { ms }),
        1 => Just(Op::Reconnect),
        1 => Just(Op::Restart),
    ]
}

struct Run {
    broker: Broker,
    now: u64,
    channels: [ChannelRef; 2],
    events: Vec<Event>,
    replies: Vec<Result<Reply, BrokerError>>,
}

impl Run {
    fn new(compat: Compat) -> Run {
        let mut broker = Broker::new(Config::with_compat(compat));
        let Ok(Reply::Connected(conn)) = broker.handle(
            Millis(0),
            Connect {
                user: "guest".into(),
                password: "guest".into(),
                vhost: "/".into(),
            }
            .into(),
        ) else {
            panic!()
        };
        let channels = [ChannelRef::new(conn, 1), ChannelRef::new(conn, 2)];
        let mut run = Run {
            broker,
            now: 0,
            channels,
            events: Vec::new(),
            replies: Vec::new(),
        };
        for ch in channels {
            run.broker
                .handle(Millis(0), ChannelOpen { channel: ch }.into())
                .unwrap();
        }
        run.declare_topology();
        run
    }

    /// Declares the topology (again after a restart, as an application would).
    fn declare_topology(&mut self) {
        let ch = self.channels[0];
        let declare = |q: &str, a: FieldTable| QueueDeclare {
            channel: ch,
            queue: q.into(),
            arguments: a,
            ..Default::default()
        };
        self.cmd(declare("plain", FieldTable::new()));
        self.cmd(declare(
            "ttl",
            args(&[
                ("x-message-ttl", FieldValue::I32(25)),
                ("x-dead-letter-exchange", s("")),
                ("x-dead-letter-routing-key", s("dlq")),
            ]),
        ));
        self.cmd(declare(
            "limited",
            args(&[
                ("x-max-length", FieldValue::I32(2)),
                ("x-dead-letter-exchange", s("")),
                ("x-dead-letter-routing-key", s("dlq")),
            ]),
        ));
        self.cmd(declare(
            "refusing",
            args(&[
                ("x-max-length", FieldValue::I32(1)),
                ("x-overflow", s("reject-publish")),
            ]),
        ));
        self.cmd(declare(
            "dlq",
            args(&[("x-max-length", FieldValue::I32(3))]),
        ));
        self.cmd(QueueDeclare {
            durable: true,
            ..declare("plain-durable-unused", FieldTable::new())
        });
        self.cmd(QueueDeclare {
            durable: true,
            ..declare("prio", args(&[("x-max-priority", FieldValue::I32(3))]))
        });
        self.cmd(QueueDeclare {
            durable: true,
            ..declare(
                "sac",
                args(&[("x-single-active-consumer", FieldValue::Bool(true))]),
            )
        });
        self.cmd(QueueDeclare {
            durable: true,
            ..declare(
                "qq",
                args(&[
                    ("x-queue-type", s("quorum")),
                    ("x-delivery-limit", FieldValue::I32(2)),
                    ("x-dead-letter-exchange", s("")),
                    ("x-dead-letter-routing-key", s("dlq")),
                ]),
            )
        });
        self.cmd(QueueDeclare {
            durable: true,
            ..declare("log", args(&[("x-queue-type", s("stream"))]))
        });
        self.cmd(QueueDeclare {
            durable: true,
            ..declare(
                "capped",
                args(&[
                    ("x-queue-type", s("stream")),
                    ("x-stream-max-segment-size-bytes", FieldValue::I32(3)),
                    ("x-max-length-bytes", FieldValue::I32(4)),
                ]),
            )
        });
        for q in ["plain", "ttl", "limited", "log", "capped"] {
            self.cmd(QueueBind {
                channel: ch,
                queue: q.into(),
                exchange: "amq.fanout".into(),
                routing_key: "".into(),
                arguments: FieldTable::new(),
            });
        }
        self.cmd(QueueBind {
            channel: ch,
            queue: "refusing".into(),
            exchange: "amq.topic".into(),
            routing_key: "r.#".into(),
            arguments: FieldTable::new(),
        });
        self.cmd(ConfirmSelect { channel: ch });
    }

    /// A fresh connection with both channels open (after a restart or a connection close).
    fn reconnect(&mut self) {
        let Ok(Reply::Connected(conn)) = self.broker.handle(
            Millis(self.now),
            Connect {
                user: "guest".into(),
                password: "guest".into(),
                vhost: "/".into(),
            }
            .into(),
        ) else {
            panic!("reconnect")
        };
        self.channels = [ChannelRef::new(conn, 1), ChannelRef::new(conn, 2)];
        for ch in self.channels {
            let r = self
                .broker
                .handle(Millis(self.now), ChannelOpen { channel: ch }.into());
            assert!(r.is_ok(), "{r:?}");
        }
        self.events.extend(self.broker.drain_events());
    }

    fn cmd(&mut self, command: impl Into<Command>) {
        let reply = self.broker.handle(Millis(self.now), command.into());
        self.replies.push(reply);
        self.events.extend(self.broker.drain_events());
        // None of the operations can fail at connection level.
        assert_eq!(
            self.broker.connections().len(),
            1,
            "{:?}",
            self.replies.last()
        );
        // Reopen a channel an error closed, so every op has somewhere to go.
        for ch in self.channels {
            if self.broker.connections()[0]
                .channels
                .iter()
                .all(|info| info.channel != ch)
            {
                let r = self
                    .broker
                    .handle(Millis(self.now), ChannelOpen { channel: ch }.into());
                assert!(r.is_ok(), "{r:?}");
                self.events.extend(self.broker.drain_events());
            }
        }
    }

    /// Runs a command that closes the connection (no reopening).
    fn cmd_unchecked(&mut self, command: impl Into<Command>) {
        let reply = self.broker.handle(Millis(self.now), command.into());
        self.replies.push(reply);
        self.events.extend(self.broker.drain_events());
    }

    fn unacked_tags(&self, ch: ChannelRef) -> Vec<DeliveryTag> {
        self.broker
            .connections()
            .iter()
            .flat_map(|c| c.channels.iter())
            .filter(|info| info.channel == ch)
            .flat_map(|info| info.unacked.iter().map(|u| u.delivery_tag))
            .collect()
    }

    fn apply(&mut self, op: &Op) {
        match *op {
            Op::Publish {
                target,
                expiration,
                cc,
            } => {
                let (exchange, key) = match target {
                    0 => ("", "plain"),
                    1 => ("amq.fanout", ""),
                    2 => ("amq.topic", "r.x"),
                    3 => ("", "prio"),
                    4 => ("", "sac"),
                    5 => ("", "qq"),
                    _ => ("", "ttl"),
                };
                let mut properties = Properties {
                    expiration: expiration.map(|e| e.to_string()),
                    // Derived from the other inputs so the op list stays small.
                    priority: expiration.map(|e| e % 5),
                    delivery_mode: Some(if cc { 2 } else { 1 }),
                    ..Properties::default()
                };
                if cc {
                    properties.headers = Some(args(&[(
                        "CC",
                        FieldValue::Array(vec![s("dlq"), s("r.cc")]),
                    )]));
                }
                let ch = self.channels[0];
                self.cmd(BasicPublish {
                    channel: ch,
                    exchange: exchange.into(),
                    routing_key: key.into(),
                    properties,
                    body: "m".into(),
                    ..Default::default()
                });
            }
            Op::Get { queue, no_ack } => {
                if is_stream(QUEUES[queue as usize]) {
                    return; // 540, a connection error (stream-declare.json)
                }
                let ch = self.channels[0];
                self.cmd(BasicGet {
                    channel: ch,
                    queue: QUEUES[queue as usize].into(),
                    no_ack,
                });
            }
            Op::Consume {
                channel,
                queue,
                no_ack,
                prefetch,
            } => {
                let ch = self.channels[channel as usize];
                let name = QUEUES[queue as usize];
                // A stream needs manual acks and a prefetch (else 540 / 406), and reads from
                // an offset.
                let stream = is_stream(name);
                let (no_ack, prefetch) = if stream {
                    (false, prefetch.max(1))
                } else {
                    (no_ack, prefetch)
                };
                let mut arguments = FieldTable::new();
                if stream {
                    let offset = match (prefetch + queue) % 3 {
                        0 => s("first"),
                        1 => s("next"),
                        _ => s("last"),
                    };
                    arguments.insert("x-stream-offset", offset);
                }
                self.cmd(BasicQos {
                    channel: ch,
                    prefetch_size: 0,
                    prefetch_count: u16::from(prefetch),
                    global: false,
                });
                self.cmd(BasicConsume {
                    channel: ch,
                    queue: name.into(),
                    consumer_tag: "".into(),
                    no_ack,
                    exclusive: false,
                    arguments,
                });
            }
            Op::Cancel { channel, pick } => {
                let ch = self.channels[channel as usize];
                let tags: Vec<ConsumerTag> = self
                    .broker
                    .connections()
                    .iter()
                    .flat_map(|c| c.channels.iter())
                    .filter(|i| i.channel == ch)
                    .flat_map(|i| i.consumers.iter().map(|(t, _)| t.clone()))
                    .collect();
                if !tags.is_empty() {
                    let tag = tags[pick as usize % tags.len()].clone();
                    self.cmd(BasicCancel {
                        channel: ch,
                        consumer_tag: tag,
                    });
                }
            }
            Op::Settle {
                channel,
                pick,
                how,
                multiple,
            } => {
                let ch = self.channels[channel as usize];
                let tags = self.unacked_tags(ch);
                // Rarely an unknown tag, to exercise the 406 path and its requeue.
                let tag = if pick == 255 {
                    DeliveryTag(1000)
                } else if tags.is_empty() {
                    return;
                } else {
                    tags[pick as usize % tags.len()]
                };
                // nack/reject of a stream delivery is 540 (a connection error): ack those.
                let touches_stream = self
                    .broker
                    .connections()
                    .iter()
                    .flat_map(|c| c.channels.iter())
                    .filter(|info| info.channel == ch)
                    .flat_map(|info| info.unacked.iter())
                    .any(|u| {
                        is_stream(u.queue.as_str())
                            && (u.delivery_tag == tag || (multiple && u.delivery_tag <= tag))
                    });
                let how = if touches_stream { 0 } else { how };
                match how {
                    0 => self.cmd(BasicAck {
                        channel: ch,
                        delivery_tag: tag,
                        multiple,
                    }),
                    1 | 2 => self.cmd(BasicNack {
                        channel: ch,
                        delivery_tag: tag,
                        multiple,
                        requeue: how == 1,
                    }),
                    _ => self.cmd(BasicReject {
                        channel: ch,
                        delivery_tag: tag,
                        requeue: how == 3,
                    }),
                }
            }
            Op::Recover { channel } => {
                let ch = self.channels[channel as usize];
                self.cmd(BasicRecover {
                    channel: ch,
                    requeue: true,
                });
            }
            Op::Purge { queue } => {
                if is_stream(QUEUES[queue as usize]) {
                    return; // 540, a connection error
                }
                let ch = self.channels[1];
                self.cmd(QueuePurge {
                    channel: ch,
                    queue: QUEUES[queue as usize].into(),
                });
            }
            Op::Close { channel } => {
                let ch = self.channels[channel as usize];
                self.cmd(ChannelClose { channel: ch });
            }
            Op::Reconnect => {
                let conn = self.channels[0].connection;
                self.cmd_unchecked(CloseConnection { connection: conn });
                self.reconnect();
            }
            Op::Restart => {
                self.cmd_unchecked(Restart {});
                self.reconnect();
                self.declare_topology();
            }
            Op::Advance { ms } => {
                self.now += u64::from(ms);
                self.broker.handle_timeout(Millis(self.now));
                self.events.extend(self.broker.drain_events());
            }
        }
    }
}

/// Every copy routed to a queue is, at the end, in exactly one of: ready, unacked, acked,
/// expired, dead-lettered, dropped, purged, deleted.
fn check_conservation(run: &Run) -> Result<(), TestCaseError> {
    let mut born = 0usize;
    let mut ended = 0isize;
    for e in &run.events {
        match e {
            Event::Routed { queues, .. } => born += queues.len(),
            // Reading a stream ends no copy: its log keeps them (counted as ready).
            Event::Acked { queue, .. } if is_stream(queue.as_str()) => {}
            Event::Delivered { no_ack: true, .. } | Event::Acked { .. } => ended += 1,
            Event::Expired { .. } => ended += 1,
            // An expired copy that is dead-lettered was counted once, as expired.
            Event::DeadLettered { reason, .. } if *reason != DeathReason::Expired => ended += 1,
            Event::Dropped { .. } => ended += 1,
            Event::QueuePurged { messages, .. } | Event::QueueDeleted { messages, .. } => {
                ended += messages.len() as isize
            }
            _ => {}
        }
    }
    let ready: usize = run.broker.queues().iter().map(|q| q.ready).sum();
    let unacked: usize = run
        .broker
        .connections()
        .iter()
        .flat_map(|c| c.channels.iter())
        .flat_map(|ch| ch.unacked.iter())
        .filter(|u| !is_stream(u.queue.as_str()))
        .count();
    prop_assert_eq!(
        born as isize,
        ended + (ready + unacked) as isize,
        "born {} ended {} ready {} unacked {}",
        born,
        ended,
        ready,
        unacked
    );
    Ok(())
}

/// First deliveries from a queue come in the order copies entered it.
fn check_order(run: &Run) -> Result<(), TestCaseError> {
    let mut entered: BTreeMap<String, Vec<MessageId>> = BTreeMap::new();
    let mut first: BTreeMap<String, Vec<MessageId>> = BTreeMap::new();
    for e in &run.events {
        match e {
            Event::Enqueued { queue, message } => {
                entered.entry(queue.0.clone()).or_default().push(*message)
            }
            Event::Delivered {
                queue,
                message,
                redelivered: false,
                ..
            } => first.entry(queue.0.clone()).or_default().push(*message),
            _ => {}
        }
    }
    for (queue, delivered) in first {
        if queue == "prio" || queue == "qq" || is_stream(&queue) {
            // Priority queues (and 4.3 quorum queues, which always have priorities) deliver by
            // priority, not arrival; a stream delivers every message to every consumer
            // (`check_offsets`).
            continue;
        }
        let order = &entered[&queue];
        let mut it = order.iter();
        for m in &delivered {
            prop_assert!(
                it.any(|x| x == m),
                "queue {} delivered {:?} out of enqueue order {:?}",
                queue,
                delivered,
                order
            );
        }
    }
    Ok(())
}

/// A consumer of `log` (which retention never cuts) reads consecutive offsets: never a gap,
/// never a repeat.
fn check_offsets(run: &Run) -> Result<(), TestCaseError> {
    let mut last: BTreeMap<(ChannelRef, ConsumerTag), i64> = BTreeMap::new();
    for e in &run.events {
        if let Event::Delivered {
            queue,
            channel,
            consumer_tag: Some(tag),
            properties,
            ..
        } = e
        {
            if queue.as_str() != "log" {
                continue;
            }
            let offset = properties
                .header("x-stream-offset")
                .and_then(|v| v.as_integer());
            prop_assert!(offset.is_some(), "a stream delivery carries its offset");
            let offset = offset.unwrap_or_default();
            if let Some(prev) = last.insert((*channel, tag.clone()), offset) {
                prop_assert_eq!(offset, prev + 1, "consumer {:?} on {:?}", tag, channel);
            }
        }
    }
    Ok(())
}

fn check_prefetch(run: &Run) -> Result<(), TestCaseError> {
    for q in run.broker.queues() {
        for c in q.consumers {
            if !c.no_ack && c.prefetch > 0 {
                prop_assert!(c.unacked <= u32::from(c.prefetch), "{:?}", c);
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn copies_are_conserved_ordered_and_within_prefetch(ops in proptest::collection::vec(op(), 1..80)) {
        let mut run = Run::new(Compat::RabbitMq4);
        for op in &ops {
            run.apply(op);
            check_prefetch(&run)?;
        }
        check_conservation(&run)?;
        check_order(&run)?;
        check_offsets(&run)?;
    }

    #[test]
    fn the_same_commands_give_the_same_events(ops in proptest::collection::vec(op(), 1..40)) {
        let mut a = Run::new(Compat::RabbitMq310);
        let mut b = Run::new(Compat::RabbitMq310);
        for op in &ops {
            a.apply(op);
            b.apply(op);
        }
        prop_assert_eq!(&a.events, &b.events);
        prop_assert_eq!(&a.replies, &b.replies);
        check_conservation(&a)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn a_cloned_broker_continues_exactly_like_the_original(
        head in proptest::collection::vec(op(), 0..30),
        tail in proptest::collection::vec(op(), 1..30),
    ) {
        let mut a = Run::new(Compat::RabbitMq4);
        for op in &head {
            a.apply(op);
        }
        let mut b = Run {
            broker: a.broker.clone(),
            now: a.now,
            channels: a.channels,
            events: Vec::new(),
            replies: Vec::new(),
        };
        a.events.clear();
        a.replies.clear();
        for op in &tail {
            a.apply(op);
            b.apply(op);
        }
        prop_assert_eq!(&a.events, &b.events);
        prop_assert_eq!(&a.replies, &b.replies);
    }
}

#[test]
fn the_harness_reaches_the_streams_and_the_quorum_queue() {
    // The properties above are only as good as the paths they reach: a fixed sequence shows
    // the streams deliver with offsets, retention drops, and the quorum queue dead-letters.
    let mut run = Run::new(Compat::RabbitMq4);
    let consume = |queue: u8, prefetch: u8| Op::Consume {
        channel: 1,
        queue,
        no_ack: false,
        prefetch,
    };
    run.apply(&consume(8, 2)); // log, from "first"
    for _ in 0..8 {
        run.apply(&Op::Publish {
            target: 1, // amq.fanout: plain, ttl, limited, log, capped
            expiration: None,
            cc: false,
        });
        run.apply(&Op::Settle {
            channel: 1,
            pick: 0,
            how: 1, // nack: turned into an ack for a stream delivery
            multiple: true,
        });
    }
    for _ in 0..4 {
        run.apply(&Op::Publish {
            target: 5,
            expiration: None,
            cc: false,
        });
    }
    for _ in 0..3 {
        run.apply(&Op::Get {
            queue: 7,
            no_ack: false,
        });
        run.apply(&Op::Settle {
            channel: 0,
            pick: 0,
            how: 3, // reject with requeue: counted against the delivery limit of 2
            multiple: false,
        });
    }
    let log_deliveries = run
        .events
        .iter()
        .filter(|e| matches!(e, Event::Delivered { queue, .. } if queue.as_str() == "log"))
        .count();
    assert_eq!(log_deliveries, 8);
    assert!(run.events.iter().any(|e| matches!(
        e,
        Event::Dropped {
            reason: DropReason::Retention,
            ..
        }
    )));
    assert!(run.events.iter().any(|e| matches!(
        e,
        Event::DeadLettered {
            reason: DeathReason::DeliveryLimit,
            ..
        }
    )));
    check_conservation(&run).unwrap();
    check_offsets(&run).unwrap();
}
