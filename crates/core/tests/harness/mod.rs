//! A tiny harness for story tests: one broker, one connection with channel 1 open, virtual
//! time that moves only when a test says `advance(ms)`, and short helpers for the commands a
//! story needs. Failing helpers panic with the broker's reply text.
#![allow(dead_code)]

use amqp_playground_core::*;

pub struct World {
    pub broker: Broker,
    pub now: u64,
    pub conn: ConnectionId,
    pub ch: ChannelRef,
}

pub fn args(pairs: &[(&str, FieldValue)]) -> FieldTable {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

pub fn s(text: &str) -> FieldValue {
    FieldValue::string(text)
}

/// Publisher confirms in order: (ack?, seq).
pub fn confirms(events: &[Event]) -> Vec<(bool, u64)> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::PublisherAck { seq, .. } => Some((true, *seq)),
            Event::PublisherNack { seq, .. } => Some((false, *seq)),
            _ => None,
        })
        .collect()
}

impl World {
    pub fn new() -> Self {
        World::with_config(Config::default())
    }

    pub fn with_compat(compat: Compat) -> Self {
        World::with_config(Config::with_compat(compat))
    }

    pub fn with_config(config: Config) -> Self {
        let mut broker = Broker::new(config);
        let Ok(Reply::Connected(conn)) = broker.handle(
            Millis(0),
            Connect {
                user: "guest".into(),
                password: "guest".into(),
                vhost: "/".into(),
            }
            .into(),
        ) else {
            panic!("guest cannot connect");
        };
        let ch = ChannelRef::new(conn, 1);
        broker
            .handle(Millis(0), ChannelOpen { channel: ch }.into())
            .unwrap();
        broker.drain_events();
        World {
            broker,
            now: 0,
            conn,
            ch,
        }
    }

    /// Opens another connection (as guest) with channel 1.
    pub fn connect(&mut self) -> ChannelRef {
        let Reply::Connected(conn) = self.ok(Connect {
            user: "guest".into(),
            password: "guest".into(),
            vhost: "/".into(),
        }) else {
            panic!("no connection");
        };
        let ch = ChannelRef::new(conn, 1);
        self.ok(ChannelOpen { channel: ch });
        ch
    }

    pub fn open(&mut self, n: u16) -> ChannelRef {
        let ch = ChannelRef::new(self.conn, n);
        self.ok(ChannelOpen { channel: ch });
        ch
    }

    pub fn run(&mut self, command: impl Into<Command>) -> Result<Reply, BrokerError> {
        self.broker.handle(Millis(self.now), command.into())
    }

    #[track_caller]
    pub fn ok(&mut self, command: impl Into<Command>) -> Reply {
        match self.run(command) {
            Ok(reply) => reply,
            Err(e) => panic!("unexpected error: {e}"),
        }
    }

    /// Runs a command that must fail; returns the full reply text.
    #[track_caller]
    pub fn err(&mut self, command: impl Into<Command>) -> String {
        match self.run(command) {
            Ok(reply) => panic!("expected an error, got {reply:?}"),
            Err(e) => e.reply_text(),
        }
    }

    pub fn advance(&mut self, ms: u64) {
        self.now += ms;
        self.broker.handle_timeout(Millis(self.now));
    }

    pub fn events(&mut self) -> Vec<Event> {
        self.broker.drain_events()
    }

    pub fn declare(&mut self, queue: &str) -> QueueName {
        self.declare_on(self.ch, queue, FieldTable::new())
    }

    pub fn declare_with(&mut self, queue: &str, arguments: FieldTable) -> QueueName {
        self.declare_on(self.ch, queue, arguments)
    }

    pub fn declare_on(&mut self, ch: ChannelRef, queue: &str, arguments: FieldTable) -> QueueName {
        match self.ok(QueueDeclare {
            channel: ch,
            queue: queue.into(),
            arguments,
            ..Default::default()
        }) {
            Reply::QueueDeclareOk { queue, .. } => queue,
            other => panic!("{other:?}"),
        }
    }

    pub fn exchange(&mut self, name: &str, kind: &str) {
        self.exchange_with(name, kind, FieldTable::new());
    }

    pub fn exchange_with(&mut self, name: &str, kind: &str, arguments: FieldTable) {
        self.ok(ExchangeDeclare {
            channel: self.ch,
            exchange: name.into(),
            kind: kind.into(),
            passive: false,
            durable: false,
            auto_delete: false,
            internal: false,
            arguments,
        });
    }

    pub fn bind(&mut self, queue: &str, exchange: &str, key: &str) {
        self.bind_with(queue, exchange, key, FieldTable::new());
    }

    pub fn bind_with(&mut self, queue: &str, exchange: &str, key: &str, arguments: FieldTable) {
        self.ok(QueueBind {
            channel: self.ch,
            queue: queue.into(),
            exchange: exchange.into(),
            routing_key: key.into(),
            arguments,
        });
    }

    pub fn bind_exchange(&mut self, destination: &str, source: &str, key: &str) {
        self.ok(ExchangeBind {
            channel: self.ch,
            destination: destination.into(),
            source: source.into(),
            routing_key: key.into(),
            arguments: FieldTable::new(),
        });
    }

    pub fn publish(&mut self, exchange: &str, key: &str, body: &str) {
        self.publish_with(exchange, key, body, Properties::default());
    }

    pub fn publish_with(&mut self, exchange: &str, key: &str, body: &str, properties: Properties) {
        self.ok(BasicPublish {
            channel: self.ch,
            exchange: exchange.into(),
            routing_key: key.into(),
            properties,
            body: body.into(),
            ..Default::default()
        });
    }

    pub fn consume(&mut self, queue: &str, no_ack: bool) -> ConsumerTag {
        self.consume_on(self.ch, queue, no_ack)
    }

    pub fn consume_on(&mut self, ch: ChannelRef, queue: &str, no_ack: bool) -> ConsumerTag {
        match self.ok(BasicConsume {
            channel: ch,
            queue: queue.into(),
            consumer_tag: "".into(),
            no_ack,
            exclusive: false,
            arguments: FieldTable::new(),
        }) {
            Reply::ConsumeOk { consumer_tag } => consumer_tag,
            other => panic!("{other:?}"),
        }
    }

    pub fn qos(&mut self, ch: ChannelRef, prefetch: u16) {
        self.ok(BasicQos {
            channel: ch,
            prefetch_size: 0,
            prefetch_count: prefetch,
            global: false,
        });
    }

    /// basic.qos(prefetch 5, global) on the main channel, then a manual-ack basic.consume of
    /// `queue` tagged `c`: what the queue type makes of a channel-wide prefetch.
    pub fn consume_under_global_qos(&mut self, queue: &str) -> Result<Reply, BrokerError> {
        self.ok(BasicQos {
            channel: self.ch,
            prefetch_size: 0,
            prefetch_count: 5,
            global: true,
        });
        self.run(BasicConsume {
            channel: self.ch,
            queue: queue.into(),
            consumer_tag: "c".into(),
            no_ack: false,
            exclusive: false,
            arguments: FieldTable::new(),
        })
    }

    /// basic.get with manual ack: the body, or None when empty.
    pub fn get(&mut self, queue: &str) -> Option<(DeliveryTag, String)> {
        match self.ok(BasicGet {
            channel: self.ch,
            queue: queue.into(),
            no_ack: false,
        }) {
            Reply::GetOk(ok) => Some((
                ok.delivery_tag,
                String::from_utf8_lossy(&ok.body).into_owned(),
            )),
            Reply::GetEmpty => None,
            other => panic!("{other:?}"),
        }
    }

    /// Bodies of every ready message, auto-acked by basic.get, in delivery order.
    pub fn drain(&mut self, queue: &str) -> Vec<String> {
        let mut out = Vec::new();
        while let Reply::GetOk(ok) = self.ok(BasicGet {
            channel: self.ch,
            queue: queue.into(),
            no_ack: true,
        }) {
            out.push(String::from_utf8_lossy(&ok.body).into_owned());
        }
        out
    }

    pub fn ack(&mut self, tag: DeliveryTag, multiple: bool) {
        self.ok(BasicAck {
            channel: self.ch,
            delivery_tag: tag,
            multiple,
        });
    }

    pub fn nack(&mut self, tag: DeliveryTag, multiple: bool, requeue: bool) {
        self.ok(BasicNack {
            channel: self.ch,
            delivery_tag: tag,
            multiple,
            requeue,
        });
    }

    /// (queue, body, delivery tag, redelivered) of every Delivered event so far (drains).
    pub fn deliveries(&mut self) -> Vec<(String, String, u64, bool)> {
        self.events()
            .into_iter()
            .filter_map(|e| match e {
                Event::Delivered {
                    queue,
                    body,
                    delivery_tag,
                    redelivered,
                    ..
                } => Some((
                    queue.0,
                    String::from_utf8_lossy(&body).into_owned(),
                    delivery_tag.0,
                    redelivered,
                )),
                _ => None,
            })
            .collect()
    }

    pub fn ready(&self, queue: &str) -> usize {
        self.broker
            .queue(&"/".into(), &queue.into())
            .map(|q| q.ready)
            .unwrap_or_else(|| panic!("no queue {queue}"))
    }

    pub fn has_queue(&self, queue: &str) -> bool {
        self.broker.queue(&"/".into(), &queue.into()).is_some()
    }
}
