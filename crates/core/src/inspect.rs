//! Read-only views of the broker for the UI and tests (what `rabbitmqctl list_*` shows).
//!
//! Every list is in a stable order: vhosts, queues and exchanges by name, bindings in
//! declaration order per source exchange, consumers in dispatch order.

use crate::broker::Broker;
use crate::channel::TxOp;
use crate::exchange::RoutingTable;
use crate::message::{Body, Properties};
use crate::{
    ChannelRef, ConnectionId, ConsumerTag, Destination, ExchangeName, FieldTable, MessageId,
    QueueName, UserName, VhostName,
};
use std::sync::Arc;

/// A queue and its counts.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct QueueInfo {
    /// Vhost.
    pub vhost: VhostName,
    /// Name.
    pub name: QueueName,
    /// Durable.
    pub durable: bool,
    /// Owning connection of an exclusive queue.
    pub exclusive: Option<ConnectionId>,
    /// Auto-delete.
    pub auto_delete: bool,
    /// Arguments as declared.
    pub arguments: FieldTable,
    /// Ready messages.
    pub ready: usize,
    /// Sum of ready bodies in bytes.
    pub ready_bytes: u64,
    /// Delivered, not yet acknowledged.
    pub unacked: usize,
    /// Consumers in dispatch order (next delivery goes to the first with credit).
    pub consumers: Vec<ConsumerInfo>,
    /// Classic or quorum.
    pub kind: crate::QueueType,
    /// A quorum queue's delivery limit in effect (declared, or 4.x's default of 20).
    pub delivery_limit: Option<u64>,
    /// A stream's log: what it retains and how it is cut into segments.
    pub stream: Option<StreamInfo>,
}

/// A stream's log as the UI draws it.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct StreamInfo {
    /// Offset of the oldest retained message.
    pub first: u64,
    /// Offset the next message gets.
    pub next: u64,
    /// Segments, oldest first (the last one is being written).
    pub segments: Vec<crate::Segment>,
}

/// A consumer.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ConsumerInfo {
    /// Channel.
    pub channel: ChannelRef,
    /// Tag.
    pub tag: ConsumerTag,
    /// Auto-ack.
    pub no_ack: bool,
    /// Exclusive.
    pub exclusive: bool,
    /// Prefetch captured at basic.consume (0 = unlimited).
    pub prefetch: u16,
    /// Unacked deliveries.
    pub unacked: u32,
    /// `x-priority`.
    pub priority: i64,
    /// Streams: the offset it reads next.
    pub offset: Option<u64>,
}

/// An exchange.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ExchangeInfo {
    /// Vhost.
    pub vhost: VhostName,
    /// Name.
    pub name: ExchangeName,
    /// Type name.
    pub kind: String,
    /// Durable.
    pub durable: bool,
    /// Auto-delete.
    pub auto_delete: bool,
    /// Internal.
    pub internal: bool,
    /// Arguments.
    pub arguments: FieldTable,
}

/// A binding (the default exchange's implicit bindings are not listed).
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct BindingInfo {
    /// Vhost.
    pub vhost: VhostName,
    /// Source exchange.
    pub source: ExchangeName,
    /// Destination.
    pub destination: Destination,
    /// Binding key.
    pub routing_key: String,
    /// Arguments (sorted by name).
    pub arguments: FieldTable,
}

/// A connection and its channels.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ConnectionInfo {
    /// Id.
    pub id: ConnectionId,
    /// User.
    pub user: UserName,
    /// Vhost.
    pub vhost: VhostName,
    /// Open channels.
    pub channels: Vec<ChannelInfo>,
}

/// A channel.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ChannelInfo {
    /// The channel.
    pub channel: ChannelRef,
    /// Unacked deliveries (tags ascending).
    pub unacked: Vec<UnackedInfo>,
    /// Prefetch new consumers get.
    pub prefetch: u16,
    /// Channel-wide prefetch (3.x profile).
    pub global_prefetch: u16,
    /// Confirm mode.
    pub confirm: bool,
    /// Transactional.
    pub transactional: bool,
    /// Consumers on this channel.
    pub consumers: Vec<(ConsumerTag, QueueName)>,
}

/// An unacked delivery.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct UnackedInfo {
    /// Delivery tag.
    pub delivery_tag: crate::DeliveryTag,
    /// Queue.
    pub queue: QueueName,
    /// Message.
    pub message: MessageId,
    /// Consumer (None for basic.get).
    pub consumer_tag: Option<ConsumerTag>,
}

/// Why a message would go where it goes: the route a publish would take right now, with every
/// visited exchange's per-binding reasoning (see [`Broker::explain_route`]).
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct RouteExplanation {
    /// Queues that would get a copy, in routing order.
    pub queues: Vec<QueueName>,
    /// Edges the message would travel.
    pub edges: Vec<crate::RouteEdge>,
    /// Each visited exchange (work-list order) with its bindings' explanations; the default
    /// exchange has none (it routes by queue name).
    pub exchanges: Vec<(ExchangeName, Vec<crate::exchange::BindingExplanation>)>,
}

/// A ready message in a queue.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct MessageInfo {
    /// Id.
    pub message: MessageId,
    /// Exchange it was published (or dead-lettered) to.
    pub exchange: ExchangeName,
    /// Routing key.
    pub routing_key: String,
    /// Redelivered.
    pub redelivered: bool,
    /// Virtual ms at which it expires, if it does.
    pub expires_at: Option<u64>,
    /// Properties.
    pub properties: Arc<Properties>,
    /// Body.
    pub body: Body,
}

impl Broker {
    /// Every queue, by vhost then name.
    pub fn queues(&self) -> Vec<QueueInfo> {
        self.vhosts
            .values()
            .flat_map(|v| v.queues.values().map(move |q| queue_info(v, q)))
            .collect()
    }

    /// One queue (looked up by name, not by listing them all: the page asks for every queue's
    /// counts each frame).
    pub fn queue(&self, vhost: &VhostName, name: &QueueName) -> Option<QueueInfo> {
        let v = self.vhosts.get(vhost)?;
        v.queues.get(name).map(|q| queue_info(v, q))
    }

    /// Messages the broker holds: ready and unacknowledged, over every queue (a stream's log
    /// counts as ready).
    pub fn messages_held(&self) -> usize {
        let queues = self.vhosts.values().flat_map(|v| v.queues.values());
        queues.map(|q| q.ready_count + q.unacked).sum()
    }

    /// The oldest message the broker still holds where a later routing can read it from:
    /// ready or returned in a queue, unacknowledged (or being settled in a transaction) on a
    /// channel, published in an open transaction, or waiting to be dead-lettered. A stream's
    /// records are left out: they are read again, never routed again. `None` when nothing is
    /// held. (The page forgets what it knows of older messages in its timeline's copies.)
    pub fn oldest_message_held(&self) -> Option<MessageId> {
        let queued = self
            .vhosts
            .values()
            .flat_map(|v| v.queues.values())
            .flat_map(|q| q.levels.iter().flatten().chain(&q.returns))
            .map(|e| e.message.id);
        let channels = self.connections.values().flat_map(|c| c.channels.values());
        let unacked = channels
            .clone()
            .flat_map(|ch| ch.unacked.iter())
            .map(|(_, u)| u.entry.message.id);
        let mut in_tx = Vec::new();
        for op in channels.flat_map(|ch| ch.tx.iter().flat_map(|tx| &tx.ops)) {
            match op {
                TxOp::Publish(_, id) => in_tx.push(*id),
                TxOp::Settle(list, _) => in_tx.extend(list.iter().map(|(_, u)| u.entry.message.id)),
            }
        }
        let dying = self.pending_deaths.iter().map(|d| d.message.id);
        queued.chain(unacked).chain(in_tx).chain(dying).min()
    }

    /// Ready messages of a queue, in delivery order.
    pub fn ready_messages(&self, vhost: &VhostName, name: &QueueName) -> Vec<MessageInfo> {
        let Some(q) = self.vhosts.get(vhost).and_then(|v| v.queues.get(name)) else {
            return Vec::new();
        };
        q.levels
            .iter()
            .rev()
            .flatten()
            .map(|e| MessageInfo {
                message: e.message.id,
                exchange: e.message.origin.exchange.clone(),
                routing_key: e.message.origin.routing_key().to_string(),
                redelivered: e.redelivered(),
                expires_at: (e.expires_at != u64::MAX).then_some(e.expires_at),
                properties: e.message.properties.clone(),
                body: e.message.body.clone(),
            })
            .collect()
    }

    /// Every exchange (the predeclared `amq.*` ones included, the default exchange not).
    pub fn exchanges(&self) -> Vec<ExchangeInfo> {
        self.vhosts
            .values()
            .flat_map(|v| {
                v.exchanges.iter().map(move |(n, x)| ExchangeInfo {
                    vhost: v.name.clone(),
                    name: n.clone(),
                    kind: x.kind.name().to_string(),
                    durable: x.durable,
                    auto_delete: x.auto_delete,
                    internal: x.internal,
                    arguments: x.arguments.clone(),
                })
            })
            .collect()
    }

    /// Every binding, by vhost, source exchange, then declaration order.
    pub fn bindings(&self) -> Vec<BindingInfo> {
        self.vhosts
            .values()
            .flat_map(|v| {
                v.exchanges.iter().flat_map(move |(n, x)| {
                    x.table.bindings().map(move |(d, k, a)| BindingInfo {
                        vhost: v.name.clone(),
                        source: n.clone(),
                        destination: d.clone(),
                        routing_key: k.to_string(),
                        arguments: a.clone(),
                    })
                })
            })
            .collect()
    }

    /// An exchange's routing table (for explanations: [`RoutingTable::explain`]).
    pub fn routing_table(
        &self,
        vhost: &VhostName,
        exchange: &ExchangeName,
    ) -> Option<&RoutingTable> {
        self.vhosts
            .get(vhost)
            .and_then(|v| v.exchanges.get(exchange))
            .map(|x| &x.table)
    }

    /// Open connections and their channels.
    pub fn connections(&self) -> Vec<ConnectionInfo> {
        self.connections
            .iter()
            .map(|(id, c)| ConnectionInfo {
                id: *id,
                user: c.user.clone(),
                vhost: c.vhost.clone(),
                channels: c
                    .channels
                    .iter()
                    .map(|(n, ch)| ChannelInfo {
                        channel: ChannelRef {
                            connection: *id,
                            channel: *n,
                        },
                        unacked: ch
                            .unacked
                            .iter()
                            .map(|(t, u)| UnackedInfo {
                                delivery_tag: crate::DeliveryTag(*t),
                                queue: u.queue.clone(),
                                message: u.entry.message.id,
                                consumer_tag: u.consumer.clone(),
                            })
                            .collect(),
                        prefetch: ch.prefetch,
                        global_prefetch: ch.global_prefetch,
                        confirm: ch.confirm,
                        transactional: ch.tx.is_some(),
                        consumers: ch
                            .consumers
                            .iter()
                            .map(|(t, q)| (t.clone(), q.clone()))
                            .collect(),
                    })
                    .collect(),
            })
            .collect()
    }

    /// Explains where a message published now to `exchange` with `routing_key` and `headers`
    /// would go, without publishing it (no event, no state change). CC/BCC headers add keys as
    /// in a real publish; a malformed CC/BCC header is explained as its routing key alone.
    pub fn explain_route(
        &self,
        vhost: &VhostName,
        exchange: &ExchangeName,
        routing_key: &str,
        headers: Option<&FieldTable>,
    ) -> RouteExplanation {
        let Some(v) = self.vhosts.get(vhost) else {
            return RouteExplanation {
                queues: Vec::new(),
                edges: Vec::new(),
                exchanges: Vec::new(),
            };
        };
        let (keys, _) = crate::routing::routing_keys(routing_key, headers)
            .unwrap_or_else(|_| (vec![routing_key.to_string()], 1));
        let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
        let route = crate::routing::route(v, exchange, &keys, headers, self.compat, true);
        let exchanges = route
            .exchanges
            .iter()
            .map(|x| {
                let explained = v
                    .exchanges
                    .get(x)
                    .map(|e| e.table.explain(&keys, headers, self.compat))
                    .unwrap_or_default();
                (x.clone(), explained)
            })
            .collect();
        RouteExplanation {
            queues: route.queues,
            edges: route.edges,
            exchanges,
        }
    }

    /// Vhost names.
    pub fn vhosts(&self) -> Vec<VhostName> {
        self.vhosts.keys().cloned().collect()
    }
}

fn queue_info(v: &crate::vhost::Vhost, q: &crate::queue::Queue) -> QueueInfo {
    QueueInfo {
        vhost: v.name.clone(),
        name: q.name.clone(),
        durable: q.durable,
        exclusive: q.exclusive_owner,
        auto_delete: q.auto_delete,
        arguments: q.arguments.clone(),
        ready: q.ready_count,
        ready_bytes: q.ready_bytes,
        unacked: q.unacked,
        kind: q.kind(),
        delivery_limit: q.args.delivery_limit,
        stream: q.stream.as_deref().map(|log| StreamInfo {
            first: log.first,
            next: log.next(),
            segments: log.segments.iter().copied().collect(),
        }),
        consumers: q
            .consumers
            .iter()
            .map(|c| ConsumerInfo {
                channel: c.channel,
                tag: c.tag.clone(),
                no_ack: c.no_ack,
                exclusive: c.exclusive,
                prefetch: c.prefetch,
                unacked: c.unacked,
                priority: c.priority,
                offset: c.offset,
            })
            .collect(),
    }
}
