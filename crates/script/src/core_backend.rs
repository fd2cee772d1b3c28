//! [`CoreBackend`]: the broker core as a [`Backend`], in virtual time.
//!
//! Every command runs at the backend's current virtual time; only `sleep_ms` moves it, firing
//! the core's timers (message TTLs, queue leases) in order on the way. After each command the
//! backend drains the core's events: consumer deliveries are recorded (and acked at once for
//! `ack` consumers, as a client that acks on receipt would), publisher confirms and returns are
//! matched to the publish that caused them, and channels or connections the broker closed are
//! forgotten so the next use reopens them.

use std::collections::BTreeMap;

use amqp_playground_core::{
    BasicAck, BasicCancel, BasicConsume, BasicGet, BasicNack, BasicPublish, BasicQos, BasicRecover,
    BasicReject, Broker, BrokerError, ChannelClose, ChannelId, ChannelOpen, ChannelRef,
    CloseConnection, Command, Compat, Config, ConfirmSelect, Connect, ConnectionId, ConsumerTag,
    DeliveryTag, ErrorScope, Event, ExchangeBind, ExchangeDeclare, ExchangeDelete, ExchangeName,
    ExchangeUnbind, FieldTable, Millis, QueueBind, QueueDeclare, QueueDelete, QueueName,
    QueuePurge, QueueUnbind, Reply, UserName, VhostName,
};

use amqp_playground_core::{TxCommit, TxRollback, TxSelect};

use crate::backend::{
    AmqpError, Backend, BackendError, BackendResult, Confirm, ConsumerDelivery, DeclareOk, GetOk,
    OutgoingMessage, PublishOutcome,
};
use crate::result::{Message, Scope};
use crate::script::{
    BindingDecl, ChannelName, ConsumeAck, DestinationType, ExchangeDecl, Properties, QueueDecl,
    TxOp,
};

/// Timers handled by one `sleep_ms` before the run is declared stuck (a core that keeps
/// asking for a timeout at the same instant).
const MAX_TIMERS_PER_SLEEP: usize = 1_000_000;

struct OpenChannel {
    id: ChannelRef,
    /// Publishes made in confirm mode (the next publish gets `published + 1`).
    published: u64,
}

#[derive(Default)]
struct ConfirmState {
    /// Highest sequence number acked (individually or by `multiple`).
    acked: Vec<(u64, bool)>,
    nacked: Vec<(u64, bool)>,
}

impl ConfirmState {
    fn covers(list: &[(u64, bool)], seq: u64) -> bool {
        list.iter()
            .any(|&(s, multiple)| s == seq || (multiple && s >= seq))
    }
}

/// The broker core driven by the script interpreter.
pub struct CoreBackend {
    broker: Broker,
    now: Millis,
    confirm: bool,
    connections: BTreeMap<String, ConnectionId>,
    channels: BTreeMap<ChannelName, OpenChannel>,
    next_channel: BTreeMap<String, u16>,
    consumers: BTreeMap<(ChannelRef, String), (ChannelName, ConsumeAck)>,
    deliveries: Vec<ConsumerDelivery>,
    confirms: BTreeMap<ChannelRef, ConfirmState>,
    returned: BTreeMap<ChannelRef, Vec<(u16, String, Message)>>,
}

impl CoreBackend {
    /// A fresh broker (default configuration: vhost `/`, user guest/guest) behaving like
    /// `compat`.
    pub fn new(compat: Compat) -> Self {
        CoreBackend::with_broker(Broker::new(Config {
            compat,
            ..Config::default()
        }))
    }

    /// Runs on an existing broker (the web page passes its own).
    pub fn with_broker(broker: Broker) -> Self {
        CoreBackend {
            now: broker.now(),
            broker,
            confirm: true,
            connections: BTreeMap::new(),
            channels: BTreeMap::new(),
            next_channel: BTreeMap::new(),
            consumers: BTreeMap::new(),
            deliveries: Vec::new(),
            confirms: BTreeMap::new(),
            returned: BTreeMap::new(),
        }
    }

    /// The broker (for inspection after a run).
    pub fn broker(&self) -> &Broker {
        &self.broker
    }

    /// Current virtual time.
    pub fn now(&self) -> Millis {
        self.now
    }

    fn connection(&mut self, name: &str) -> BackendResult<ConnectionId> {
        if let Some(&id) = self.connections.get(name) {
            return Ok(id);
        }
        let reply = self.raw(Command::Connect(Connect {
            user: UserName::from("guest"),
            password: "guest".into(),
            vhost: VhostName::from("/"),
        }));
        match reply {
            Ok(Reply::Connected(id)) => {
                self.connections.insert(name.to_string(), id);
                Ok(id)
            }
            Ok(other) => Err(unexpected("connect", &other)),
            Err(e) => Err(BackendError::Harness(format!(
                "the core refused to connect: {e}"
            ))),
        }
    }

    fn channel(&mut self, name: &ChannelName) -> BackendResult<ChannelRef> {
        if let Some(c) = self.channels.get(name) {
            return Ok(c.id);
        }
        let connection = self.connection(&name.connection)?;
        let number = self
            .next_channel
            .entry(name.connection.clone())
            .or_insert(0);
        *number = number.wrapping_add(1).max(1);
        let id = ChannelRef {
            connection,
            channel: ChannelId(*number),
        };
        self.expect_ok(name, Command::ChannelOpen(ChannelOpen { channel: id }))?;
        self.channels
            .insert(name.clone(), OpenChannel { id, published: 0 });
        if self.confirm {
            self.expect_ok(name, Command::ConfirmSelect(ConfirmSelect { channel: id }))?;
        }
        Ok(id)
    }

    /// Runs a command, then processes its events.
    fn raw(&mut self, command: Command) -> Result<Reply, BrokerError> {
        let out = self.broker.handle(self.now, command);
        self.pump();
        out
    }

    /// Runs a command on behalf of a script channel, turning a broker error into an
    /// [`AmqpError`] and forgetting what it closed.
    fn exec(&mut self, ch: &ChannelName, command: Command) -> BackendResult<Reply> {
        match self.raw(command) {
            Ok(reply) => Ok(reply),
            Err(e) => {
                let scope = match e.scope() {
                    ErrorScope::Channel => Scope::Channel,
                    ErrorScope::Connection => Scope::Connection,
                };
                // The close events already told `pump`; this covers a close without events.
                match scope {
                    Scope::Channel => {
                        self.channels.remove(ch);
                    }
                    Scope::Connection => self.forget_connection(&ch.connection),
                }
                Err(BackendError::Amqp(AmqpError {
                    scope,
                    reply_code: e.reply_code(),
                    reply_text: e.reply_text(),
                }))
            }
        }
    }

    fn expect_ok(&mut self, ch: &ChannelName, command: Command) -> BackendResult<Reply> {
        self.exec(ch, command)
    }

    fn forget_connection(&mut self, name: &str) {
        self.connections.remove(name);
        self.channels.retain(|c, _| c.connection != name);
    }

    fn channel_name(&self, id: ChannelRef) -> Option<ChannelName> {
        self.channels
            .iter()
            .find(|(_, c)| c.id == id)
            .map(|(n, _)| n.clone())
    }

    /// Drains the core's events (acking deliveries of `ack` consumers as they come, which can
    /// produce more events).
    fn pump(&mut self) {
        while let Some(event) = self.broker.poll_event() {
            match event {
                Event::Delivered {
                    channel,
                    consumer_tag: Some(tag),
                    delivery_tag,
                    redelivered,
                    exchange,
                    routing_key,
                    properties,
                    body,
                    ..
                } => {
                    let Some((name, ack)) = self.consumers.get(&(channel, tag.0.clone())).cloned()
                    else {
                        continue;
                    };
                    self.deliveries.push(ConsumerDelivery {
                        channel: name,
                        consumer_tag: tag.0.clone(),
                        delivery_tag: delivery_tag.0,
                        message: message_from_core(
                            body.as_bytes(),
                            redelivered,
                            &exchange,
                            &routing_key,
                            &properties,
                        ),
                    });
                    if ack == ConsumeAck::Ack {
                        // An error here (channel gone meanwhile) is the broker's business; the
                        // delivery is recorded either way, as a real client would have seen it.
                        let _ = self.broker.handle(
                            self.now,
                            Command::BasicAck(BasicAck {
                                channel,
                                delivery_tag,
                                multiple: false,
                            }),
                        );
                    }
                }
                Event::Returned {
                    channel,
                    reply_code,
                    reply_text,
                    exchange,
                    routing_key,
                    properties,
                    body,
                    ..
                } => {
                    let m = message_from_core(
                        body.as_bytes(),
                        false,
                        &exchange,
                        &routing_key,
                        &properties,
                    );
                    self.returned
                        .entry(channel)
                        .or_default()
                        .push((reply_code, reply_text, m));
                }
                Event::PublisherAck {
                    channel,
                    seq,
                    multiple,
                } => self
                    .confirms
                    .entry(channel)
                    .or_default()
                    .acked
                    .push((seq, multiple)),
                Event::PublisherNack {
                    channel,
                    seq,
                    multiple,
                } => self
                    .confirms
                    .entry(channel)
                    .or_default()
                    .nacked
                    .push((seq, multiple)),
                Event::ConsumerCancelled {
                    channel,
                    consumer_tag,
                    ..
                } => {
                    self.consumers.remove(&(channel, consumer_tag.0));
                }
                Event::ChannelClosed { channel, .. } => {
                    if let Some(name) = self.channel_name(channel) {
                        self.channels.remove(&name);
                    }
                    self.consumers.retain(|(c, _), _| *c != channel);
                    self.confirms.remove(&channel);
                }
                Event::ConnectionClosed { connection, .. } => {
                    if let Some(name) = self
                        .connections
                        .iter()
                        .find(|(_, id)| **id == connection)
                        .map(|(n, _)| n.clone())
                    {
                        self.forget_connection(&name);
                    }
                    self.consumers
                        .retain(|(c, _), _| c.connection != connection);
                    self.confirms.retain(|c, _| c.connection != connection);
                }
                _ => {}
            }
        }
    }
}

fn unexpected(what: &str, reply: &Reply) -> BackendError {
    BackendError::Harness(format!("the core answered {what} with {reply:?}"))
}

fn message_from_core(
    body: &[u8],
    redelivered: bool,
    exchange: &ExchangeName,
    routing_key: &str,
    p: &amqp_playground_core::Properties,
) -> Message {
    Message {
        body: body.to_vec(),
        redelivered,
        exchange: exchange.0.clone(),
        routing_key: routing_key.to_string(),
        headers: p.headers.clone(),
        properties: Properties::from(p),
    }
}

fn core_properties(
    p: &Properties,
    headers: Option<FieldTable>,
) -> amqp_playground_core::Properties {
    amqp_playground_core::Properties {
        content_type: p.content_type.clone(),
        content_encoding: p.content_encoding.clone(),
        headers,
        delivery_mode: p.delivery_mode,
        priority: p.priority,
        correlation_id: p.correlation_id.clone(),
        reply_to: p.reply_to.clone(),
        expiration: p.expiration.clone(),
        message_id: p.message_id.clone(),
        timestamp: p.timestamp,
        kind: p.kind.clone(),
        user_id: p.user_id.clone(),
        app_id: p.app_id.clone(),
        cluster_id: None,
    }
}

impl Backend for CoreBackend {
    fn set_confirm(&mut self, confirm: bool) {
        self.confirm = confirm;
    }

    fn declare_exchange(&mut self, ch: &ChannelName, decl: &ExchangeDecl) -> BackendResult<()> {
        let channel = self.channel(ch)?;
        self.exec(
            ch,
            Command::ExchangeDeclare(ExchangeDeclare {
                channel,
                exchange: ExchangeName::from(decl.name.as_str()),
                kind: decl.kind.clone(),
                passive: decl.passive,
                durable: decl.durable,
                auto_delete: decl.auto_delete,
                internal: decl.internal,
                arguments: decl.arguments.clone(),
            }),
        )
        .map(drop)
    }

    fn declare_queue(&mut self, ch: &ChannelName, decl: &QueueDecl) -> BackendResult<DeclareOk> {
        let channel = self.channel(ch)?;
        match self.exec(
            ch,
            Command::QueueDeclare(QueueDeclare {
                channel,
                queue: QueueName::from(decl.name.as_str()),
                passive: decl.passive,
                durable: decl.durable,
                exclusive: decl.exclusive,
                auto_delete: decl.auto_delete,
                arguments: decl.arguments.clone(),
            }),
        )? {
            Reply::QueueDeclareOk {
                queue,
                message_count,
                consumer_count,
            } => Ok(DeclareOk {
                name: queue.0,
                message_count,
                consumer_count,
            }),
            other => Err(unexpected("queue.declare", &other)),
        }
    }

    fn bind(&mut self, ch: &ChannelName, b: &BindingDecl) -> BackendResult<()> {
        let channel = self.channel(ch)?;
        let command = match b.destination_type {
            DestinationType::Queue => Command::QueueBind(QueueBind {
                channel,
                queue: QueueName::from(b.destination.as_str()),
                exchange: ExchangeName::from(b.source.as_str()),
                routing_key: b.routing_key.clone(),
                arguments: b.arguments.clone(),
            }),
            DestinationType::Exchange => Command::ExchangeBind(ExchangeBind {
                channel,
                destination: ExchangeName::from(b.destination.as_str()),
                source: ExchangeName::from(b.source.as_str()),
                routing_key: b.routing_key.clone(),
                arguments: b.arguments.clone(),
            }),
        };
        self.exec(ch, command).map(drop)
    }

    fn unbind(&mut self, ch: &ChannelName, b: &BindingDecl) -> BackendResult<()> {
        let channel = self.channel(ch)?;
        let command = match b.destination_type {
            DestinationType::Queue => Command::QueueUnbind(QueueUnbind {
                channel,
                queue: QueueName::from(b.destination.as_str()),
                exchange: ExchangeName::from(b.source.as_str()),
                routing_key: b.routing_key.clone(),
                arguments: b.arguments.clone(),
            }),
            DestinationType::Exchange => Command::ExchangeUnbind(ExchangeUnbind {
                channel,
                destination: ExchangeName::from(b.destination.as_str()),
                source: ExchangeName::from(b.source.as_str()),
                routing_key: b.routing_key.clone(),
                arguments: b.arguments.clone(),
            }),
        };
        self.exec(ch, command).map(drop)
    }

    fn delete_queue(
        &mut self,
        ch: &ChannelName,
        queue: &str,
        if_unused: bool,
        if_empty: bool,
    ) -> BackendResult<u32> {
        let channel = self.channel(ch)?;
        match self.exec(
            ch,
            Command::QueueDelete(QueueDelete {
                channel,
                queue: QueueName::from(queue),
                if_unused,
                if_empty,
            }),
        )? {
            Reply::QueueDeleteOk { message_count } => Ok(message_count),
            other => Err(unexpected("queue.delete", &other)),
        }
    }

    fn delete_exchange(
        &mut self,
        ch: &ChannelName,
        exchange: &str,
        if_unused: bool,
    ) -> BackendResult<()> {
        let channel = self.channel(ch)?;
        self.exec(
            ch,
            Command::ExchangeDelete(ExchangeDelete {
                channel,
                exchange: ExchangeName::from(exchange),
                if_unused,
            }),
        )
        .map(drop)
    }

    fn purge(&mut self, ch: &ChannelName, queue: &str) -> BackendResult<u32> {
        let channel = self.channel(ch)?;
        match self.exec(
            ch,
            Command::QueuePurge(QueuePurge {
                channel,
                queue: QueueName::from(queue),
            }),
        )? {
            Reply::QueuePurgeOk { message_count } => Ok(message_count),
            other => Err(unexpected("queue.purge", &other)),
        }
    }

    fn publish(
        &mut self,
        ch: &ChannelName,
        msg: &OutgoingMessage,
    ) -> BackendResult<PublishOutcome> {
        let channel = self.channel(ch)?;
        self.returned.remove(&channel);
        self.exec(
            ch,
            Command::BasicPublish(BasicPublish {
                channel,
                exchange: ExchangeName::from(msg.exchange.as_str()),
                routing_key: msg.routing_key.clone(),
                mandatory: msg.mandatory,
                immediate: msg.immediate,
                properties: core_properties(&msg.properties, msg.headers.clone()),
                body: msg.body.clone().into(),
            }),
        )?;
        let returned = self.returned.remove(&channel).and_then(|mut r| r.pop());
        if !self.confirm {
            return Ok(PublishOutcome {
                confirm: Confirm::NotRequested,
                returned,
            });
        }
        let seq = match self.channels.get_mut(ch) {
            Some(c) => {
                c.published += 1;
                c.published
            }
            None => {
                return Err(BackendError::Harness(
                    "the core closed the channel without an error".into(),
                ))
            }
        };
        let state = self.confirms.get(&channel);
        let confirm = match state {
            Some(s) if ConfirmState::covers(&s.nacked, seq) => Confirm::Nack,
            Some(s) if ConfirmState::covers(&s.acked, seq) => Confirm::Ack,
            _ => {
                return Err(BackendError::Harness(format!(
                    "the core sent no publisher confirm for publish {seq} on channel {ch}"
                )))
            }
        };
        Ok(PublishOutcome { confirm, returned })
    }

    fn get(&mut self, ch: &ChannelName, queue: &str, no_ack: bool) -> BackendResult<Option<GetOk>> {
        let channel = self.channel(ch)?;
        match self.exec(
            ch,
            Command::BasicGet(BasicGet {
                channel,
                queue: QueueName::from(queue),
                no_ack,
            }),
        )? {
            Reply::GetOk(g) => Ok(Some(GetOk {
                delivery_tag: g.delivery_tag.0,
                message: message_from_core(
                    g.body.as_bytes(),
                    g.redelivered,
                    &g.exchange,
                    &g.routing_key,
                    &g.properties,
                ),
                message_count: g.message_count,
            })),
            Reply::GetEmpty => Ok(None),
            other => Err(unexpected("basic.get", &other)),
        }
    }

    fn ack(&mut self, ch: &ChannelName, tag: u64, multiple: bool) -> BackendResult<()> {
        let channel = self.channel(ch)?;
        self.exec(
            ch,
            Command::BasicAck(BasicAck {
                channel,
                delivery_tag: DeliveryTag(tag),
                multiple,
            }),
        )
        .map(drop)
    }

    fn nack(
        &mut self,
        ch: &ChannelName,
        tag: u64,
        multiple: bool,
        requeue: bool,
    ) -> BackendResult<()> {
        let channel = self.channel(ch)?;
        self.exec(
            ch,
            Command::BasicNack(BasicNack {
                channel,
                delivery_tag: DeliveryTag(tag),
                multiple,
                requeue,
            }),
        )
        .map(drop)
    }

    fn reject(&mut self, ch: &ChannelName, tag: u64, requeue: bool) -> BackendResult<()> {
        let channel = self.channel(ch)?;
        self.exec(
            ch,
            Command::BasicReject(BasicReject {
                channel,
                delivery_tag: DeliveryTag(tag),
                requeue,
            }),
        )
        .map(drop)
    }

    fn qos(
        &mut self,
        ch: &ChannelName,
        prefetch_size: u32,
        prefetch: u16,
        global: bool,
    ) -> BackendResult<()> {
        let channel = self.channel(ch)?;
        self.exec(
            ch,
            Command::BasicQos(BasicQos {
                channel,
                prefetch_size,
                prefetch_count: prefetch,
                global,
            }),
        )
        .map(drop)
    }

    fn consume(
        &mut self,
        ch: &ChannelName,
        queue: &str,
        tag: &str,
        ack: ConsumeAck,
        exclusive: bool,
        arguments: &FieldTable,
    ) -> BackendResult<()> {
        let channel = self.channel(ch)?;
        // Registered before the command: the core delivers ready messages during basic.consume.
        let key = (channel, tag.to_string());
        let previous = self.consumers.insert(key.clone(), (ch.clone(), ack));
        let out = self.exec(
            ch,
            Command::BasicConsume(BasicConsume {
                channel,
                queue: QueueName::from(queue),
                consumer_tag: ConsumerTag::from(tag),
                no_ack: ack == ConsumeAck::None,
                exclusive,
                arguments: arguments.clone(),
            }),
        );
        if out.is_err() {
            match previous {
                Some(p) => {
                    self.consumers.insert(key, p);
                }
                None => {
                    self.consumers.remove(&key);
                }
            }
        }
        out.map(drop)
    }

    fn cancel(&mut self, ch: &ChannelName, tag: &str) -> BackendResult<()> {
        let channel = self.channel(ch)?;
        self.exec(
            ch,
            Command::BasicCancel(BasicCancel {
                channel,
                consumer_tag: ConsumerTag::from(tag),
            }),
        )?;
        self.consumers.remove(&(channel, tag.to_string()));
        Ok(())
    }

    fn recover(&mut self, ch: &ChannelName, requeue: bool) -> BackendResult<()> {
        let channel = self.channel(ch)?;
        self.exec(ch, Command::BasicRecover(BasicRecover { channel, requeue }))
            .map(drop)
    }

    fn tx(&mut self, ch: &ChannelName, op: TxOp) -> BackendResult<()> {
        let channel = self.channel(ch)?;
        let command = match op {
            TxOp::Select => Command::TxSelect(TxSelect { channel }),
            TxOp::Commit => Command::TxCommit(TxCommit { channel }),
            TxOp::Rollback => Command::TxRollback(TxRollback { channel }),
            TxOp::ConfirmSelect => Command::ConfirmSelect(ConfirmSelect { channel }),
        };
        self.exec(ch, command).map(drop)
    }

    fn close_channel(&mut self, ch: &ChannelName) -> BackendResult<()> {
        let Some(c) = self.channels.get(ch) else {
            return Ok(());
        };
        let channel = c.id;
        let out = self.exec(ch, Command::ChannelClose(ChannelClose { channel }));
        self.channels.remove(ch);
        out.map(drop)
    }

    fn close_connection(&mut self, connection: &str) -> BackendResult<()> {
        let Some(&id) = self.connections.get(connection) else {
            return Ok(());
        };
        let ch = ChannelName {
            connection: connection.to_string(),
            channel: "main".into(),
        };
        let out = self.exec(
            &ch,
            Command::CloseConnection(CloseConnection { connection: id }),
        );
        self.forget_connection(connection);
        out.map(drop)
    }

    fn open_channels(&self) -> Vec<ChannelName> {
        self.channels.keys().cloned().collect()
    }

    fn sleep(&mut self, ms: u64) -> BackendResult<()> {
        let target = self.now.plus(ms);
        for _ in 0..MAX_TIMERS_PER_SLEEP {
            match self.broker.poll_timeout() {
                Some(at) if at <= target => {
                    if at > self.now {
                        self.now = at;
                    }
                    self.broker.handle_timeout(self.now);
                    self.pump();
                    if self
                        .broker
                        .poll_timeout()
                        .is_some_and(|next| next <= self.now)
                    {
                        // Still due at the same instant after handling: a stuck timer.
                        return Err(BackendError::Harness(format!(
                            "the core keeps asking for a timeout at {} ms",
                            self.now.0
                        )));
                    }
                }
                _ => {
                    self.now = target;
                    self.broker.handle_timeout(self.now);
                    self.pump();
                    return Ok(());
                }
            }
        }
        Err(BackendError::Harness("too many timers in one sleep".into()))
    }

    fn settle_down(&mut self) -> BackendResult<()> {
        self.pump();
        Ok(())
    }

    fn take_deliveries(&mut self) -> Vec<ConsumerDelivery> {
        std::mem::take(&mut self.deliveries)
    }
}

/// Runs `script` on a fresh core with `compat` and returns the canonical JSON.
pub fn run_on_core(script: &crate::Script, compat: Compat) -> Result<String, crate::RunError> {
    let mut backend = CoreBackend::new(compat);
    crate::run(script, &mut backend).map(|r| r.to_canonical_json())
}
