//! The broker: state, the `handle` entry point, timers, and error handling.
//!
//! Command handlers live beside it, one file per AMQP class: `broker/connection.rs`
//! (connection, channel), `broker/queue.rs`, `broker/exchange.rs`, `broker/basic.rs`
//! (consume, get, ack, qos, confirm, tx). Delivery to consumers is in `delivery.rs`, publishing
//! and the routing work-list in `routing.rs`, dead-lettering in `dead_letter.rs`.

mod basic;
mod connection;
mod exchange;
mod queue;

use std::collections::VecDeque;
use std::sync::Arc;

use crate::channel::{Channel, Connection};
use crate::command::{Command, Reply};
use crate::config::Config;
use crate::dead_letter::PendingDeath;
use crate::error::{BrokerError, ErrorScope};
use crate::event::Event;
use crate::message::{Origin, Properties};
use crate::naming::NameGenerator;
use crate::vhost::Vhost;
use crate::{ChannelRef, Compat, ConnectionId, Millis, QueueName, SortedMap, VhostName};

/// The broker: RabbitMQ's AMQP 0-9-1 model, sans-IO and deterministic.
///
/// # Call order
///
/// ```text
/// loop {
///     broker.handle(now, command)        // 0..n commands, each answered at once
///     while let Some(e) = broker.poll_event() { .. }   // what happened, in order
///     sleep until broker.poll_timeout()  // next message expiry / queue lease
///     broker.handle_timeout(now)         // let virtual time pass
/// }
/// ```
///
/// Time only moves when the caller says so: `handle(now, ..)` and `handle_timeout(now)` first
/// run every timer due at `now` (message TTLs, `x-expires` leases), so a `basic.get` at `now`
/// never sees a message that expired before it. `now` must not go backwards (an earlier value
/// is treated as the latest one seen).
///
/// # Errors
///
/// A command that fails returns the [`BrokerError`] RabbitMQ would send and closes what
/// RabbitMQ closes: the channel for soft errors (403–406), the connection for hard ones (503,
/// 504, 530, 540, 541). Closing requeues that channel's (or connection's) unacked deliveries,
/// cancels its consumers and, for a connection, deletes its exclusive queues, exactly as a
/// normal close does; a [`Event::ChannelClosed`] / [`Event::ConnectionClosed`] event carries
/// the code and text. Nothing else changes: every command is validated before it changes any
/// state.
///
/// A command naming a connection that is not open fails with 504 CHANNEL_ERROR and closes
/// nothing; a command on a channel that is not open fails with 504 `expected 'channel.open'`,
/// a connection error, as in RabbitMQ.
///
/// A `Broker` is `Clone`: message bodies and properties are shared, so a snapshot (for undo or
/// "what if") costs the queue entries and the topology, not the payloads.
#[derive(Clone, Debug)]
pub struct Broker {
    pub(crate) compat: Compat,
    pub(crate) config: Config,
    pub(crate) vhosts: SortedMap<VhostName, Vhost>,
    pub(crate) connections: SortedMap<ConnectionId, Connection>,
    pub(crate) next_connection: u64,
    pub(crate) next_message: u64,
    pub(crate) names: NameGenerator,
    pub(crate) events: VecDeque<Event>,
    pub(crate) now: Millis,
    /// Dead-lettered copies waiting to be routed to their dead-letter exchange.
    pub(crate) pending_deaths: VecDeque<PendingDeath>,
    /// Shared by every publish with default properties (the common case costs no allocation).
    pub(crate) default_properties: Arc<Properties>,
    /// The previous publish's origin, reused when the next one has the same exchange and keys.
    pub(crate) last_origin: Option<Arc<Origin>>,
    /// Whether message events (published … acked) are recorded (benchmarks turn them off).
    pub(crate) record_message_events: bool,
    /// Whether `Delivered` is recorded: with every message event, or alone for a wire server
    /// ([`MessageEvents::Deliveries`]).
    pub(crate) record_deliveries: bool,
}

/// Which per-message events [`Broker::poll_event`] reports.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum MessageEvents {
    /// Every one (`Published`, `Routed`, `Enqueued`, `Delivered`, `Acked`, …): what the page
    /// animates.
    #[default]
    All,
    /// Only what a client sees: `Delivered` (returns and publisher confirms are always
    /// reported). What a wire server needs; the rest would be built only to be dropped.
    Deliveries,
    /// None (benchmarks and bulk loads).
    Off,
}

impl Broker {
    /// A broker with `config`'s vhosts (each with its predeclared `amq.*` exchanges) and users.
    pub fn new(config: Config) -> Self {
        let mut broker = Broker {
            compat: config.compat,
            names: NameGenerator::new(config.seed),
            config,
            vhosts: SortedMap::new(),
            connections: SortedMap::new(),
            next_connection: 1,
            next_message: 1,
            events: VecDeque::new(),
            now: Millis(0),
            pending_deaths: VecDeque::new(),
            default_properties: Arc::new(Properties::default()),
            last_origin: None,
            record_message_events: true,
            record_deliveries: true,
        };
        for vhost in broker.config.vhosts.clone() {
            broker.add_vhost(vhost);
        }
        broker
    }

    /// The compatibility profile.
    pub fn compat(&self) -> Compat {
        self.compat
    }

    /// Whether `user` / `password` is a login this broker accepts (a PLAIN or AMQPLAIN check
    /// at `connection.start-ok`, before the vhost is known; [`Command::Connect`] checks it
    /// again with the vhost).
    pub fn check_login(&self, user: &str, password: &str) -> bool {
        self.config
            .users
            .iter()
            .any(|u| u.name.as_str() == user && u.password == password)
    }

    /// The configuration the broker was made with.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Current virtual time (the latest `now` passed in).
    pub fn now(&self) -> Millis {
        self.now
    }

    /// Turns recording of per-message events (`Published` … `Acked`) on or off. Topology and
    /// connection events are always recorded. Off is for benchmarks and bulk loads, where
    /// building a million events would measure the events, not the broker.
    pub fn set_message_events(&mut self, on: bool) {
        self.set_message_event_level(if on {
            MessageEvents::All
        } else {
            MessageEvents::Off
        });
    }

    /// Chooses which per-message events are recorded (see [`MessageEvents`]).
    pub fn set_message_event_level(&mut self, level: MessageEvents) {
        self.record_message_events = level == MessageEvents::All;
        self.record_deliveries = level != MessageEvents::Off;
    }

    /// Handles one client command at virtual time `now`; see the type's docs for the contract.
    pub fn handle(&mut self, now: Millis, command: Command) -> Result<Reply, BrokerError> {
        self.advance(now);
        let origin = command_origin(&command);
        let result = self.execute(command);
        if let Err(error) = &result {
            self.fail(origin, error);
        }
        self.settle();
        result
    }

    /// The next event, oldest first.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// Drains every pending event.
    pub fn drain_events(&mut self) -> Vec<Event> {
        self.events.drain(..).collect()
    }

    /// When the next timer is due: the earliest expiry at the head of a queue, or the earliest
    /// `x-expires` lease of a queue without consumers.
    pub fn poll_timeout(&self) -> Option<Millis> {
        self.vhosts
            .values()
            .flat_map(|v| v.queues.values())
            .filter_map(|q| match (q.next_expiry(), q.lease_deadline()) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            })
            .min()
            .map(Millis)
    }

    /// Lets virtual time pass to `now`: expires messages at queue heads and deletes queues
    /// whose `x-expires` lease ran out.
    pub fn handle_timeout(&mut self, now: Millis) {
        self.advance(now);
    }

    fn advance(&mut self, now: Millis) {
        // Everything due at or before `self.now` ran when time got there; what was created
        // since is due later (a TTL-0 copy expires inline), so equal times have nothing to do.
        if now <= self.now {
            return;
        }
        self.now = now.max(self.now);
        let now = self.now;
        // Walk vhosts and queues by name: deterministic order for the events this emits.
        let vhosts: Vec<VhostName> = self.vhosts.keys().cloned().collect();
        for vhost in vhosts {
            let due: Vec<QueueName> = self.vhosts[&vhost]
                .queues
                .values()
                .filter(|q| q.next_expiry().is_some_and(|t| t <= now.0))
                .map(|q| q.name.clone())
                .collect();
            for queue in due {
                self.expire_heads(&vhost, &queue);
                self.dispatch(&vhost, &queue);
            }
            self.settle();
            let leased: Vec<QueueName> = self.vhosts[&vhost]
                .queues
                .values()
                .filter(|q| q.lease_deadline().is_some_and(|t| t <= now.0))
                .map(|q| q.name.clone())
                .collect();
            for queue in leased {
                // x-expires deletion does not dead-letter (semantics §11.1).
                self.delete_queue(&vhost, &queue);
            }
        }
    }

    fn execute(&mut self, command: Command) -> Result<Reply, BrokerError> {
        match command {
            Command::Connect(c) => self.connect(c),
            Command::CloseConnection(c) => self.close_connection_cmd(c),
            Command::ChannelOpen(c) => self.channel_open(c),
            Command::ChannelClose(c) => self.channel_close(c),
            Command::ExchangeDeclare(c) => self.exchange_declare(c),
            Command::ExchangeDelete(c) => self.exchange_delete(c),
            Command::ExchangeBind(c) => self.exchange_bind(c),
            Command::ExchangeUnbind(c) => self.exchange_unbind(c),
            Command::QueueDeclare(c) => self.queue_declare(c),
            Command::QueueBind(c) => self.queue_bind(c),
            Command::QueueUnbind(c) => self.queue_unbind(c),
            Command::QueuePurge(c) => self.queue_purge(c),
            Command::QueueDelete(c) => self.queue_delete(c),
            Command::BasicQos(c) => self.basic_qos(c),
            Command::BasicConsume(c) => self.basic_consume(c),
            Command::BasicCancel(c) => self.basic_cancel(c),
            Command::BasicPublish(c) => self.basic_publish(c),
            Command::BasicGet(c) => self.basic_get(c),
            Command::BasicAck(c) => self.basic_ack(c),
            Command::BasicNack(c) => self.basic_nack(c),
            Command::BasicReject(c) => self.basic_reject(c),
            Command::BasicRecover(c) => self.basic_recover(c),
            Command::ConfirmSelect(c) => self.confirm_select(c),
            Command::TxSelect(c) => self.tx_select(c),
            Command::TxCommit(c) => self.tx_commit(c),
            Command::TxRollback(c) => self.tx_rollback(c),
            Command::Restart(_) => self.restart(),
        }
    }

    /// Closes what `error` closes (semantics §1.3).
    fn fail(&mut self, origin: Origin2, error: &BrokerError) {
        let code = error.reply_code();
        let text = error.reply_text();
        match (error.scope(), origin) {
            (_, Origin2::None) => {}
            (ErrorScope::Channel, Origin2::Channel(ch)) => {
                if self.channel(ch).is_ok() {
                    self.close_channel(ch, code, text);
                } else if self.connections.contains_key(&ch.connection) {
                    self.close_connection(ch.connection, code, text);
                }
            }
            (_, Origin2::Channel(ch)) => {
                if self.connections.contains_key(&ch.connection) {
                    self.close_connection(ch.connection, code, text);
                }
            }
            (_, Origin2::Connection(c)) => {
                if self.connections.contains_key(&c) {
                    self.close_connection(c, code, text);
                }
            }
        }
    }

    pub(crate) fn emit(&mut self, event: Event) {
        self.events.push_back(event);
    }

    /// The open channel `ch`, or the error RabbitMQ gives for using one that is not open.
    pub(crate) fn channel(&self, ch: ChannelRef) -> Result<&Channel, BrokerError> {
        let conn = self.connection(ch.connection)?;
        conn.channels
            .get(&ch.channel)
            .ok_or_else(|| BrokerError::ChannelError("expected 'channel.open'".into()))
    }

    pub(crate) fn channel_mut(&mut self, ch: ChannelRef) -> Result<&mut Channel, BrokerError> {
        self.connection_mut(ch.connection)?
            .channels
            .get_mut(&ch.channel)
            .ok_or_else(|| BrokerError::ChannelError("expected 'channel.open'".into()))
    }

    pub(crate) fn connection(&self, id: ConnectionId) -> Result<&Connection, BrokerError> {
        self.connections
            .get(&id)
            .ok_or_else(|| BrokerError::ChannelError(format!("connection {} is not open", id.0)))
    }

    pub(crate) fn connection_mut(
        &mut self,
        id: ConnectionId,
    ) -> Result<&mut Connection, BrokerError> {
        self.connections
            .get_mut(&id)
            .ok_or_else(|| BrokerError::ChannelError(format!("connection {} is not open", id.0)))
    }

    /// The vhost of the channel's connection.
    pub(crate) fn vhost_of(&self, ch: ChannelRef) -> Result<VhostName, BrokerError> {
        self.channel(ch)?;
        Ok(self.connections[&ch.connection].vhost.clone())
    }
}

/// Where a command came from: what an error closes.
#[derive(Clone, Copy)]
enum Origin2 {
    None,
    Connection(ConnectionId),
    Channel(ChannelRef),
}

fn command_origin(command: &Command) -> Origin2 {
    use Command::*;
    let ch = match command {
        Connect(_) | Restart(_) => return Origin2::None,
        CloseConnection(c) => return Origin2::Connection(c.connection),
        // An error on channel.open (already open) is a connection error anyway.
        ChannelOpen(c) => return Origin2::Connection(c.channel.connection),
        ChannelClose(c) => c.channel,
        ExchangeDeclare(c) => c.channel,
        ExchangeDelete(c) => c.channel,
        ExchangeBind(c) => c.channel,
        ExchangeUnbind(c) => c.channel,
        QueueDeclare(c) => c.channel,
        QueueBind(c) => c.channel,
        QueueUnbind(c) => c.channel,
        QueuePurge(c) => c.channel,
        QueueDelete(c) => c.channel,
        BasicQos(c) => c.channel,
        BasicConsume(c) => c.channel,
        BasicCancel(c) => c.channel,
        BasicPublish(c) => c.channel,
        BasicGet(c) => c.channel,
        BasicAck(c) => c.channel,
        BasicNack(c) => c.channel,
        BasicReject(c) => c.channel,
        BasicRecover(c) => c.channel,
        ConfirmSelect(c) => c.channel,
        TxSelect(c) => c.channel,
        TxCommit(c) => c.channel,
        TxRollback(c) => c.channel,
    };
    Origin2::Channel(ch)
}
