//! Events: past-tense facts, in the order they happened, drained with `Broker::poll_event`.
//!
//! The UI animates them and tests assert them as whole lists, so their order is part of the
//! contract. Every message event carries the broker's [`MessageId`], shared by all copies of one
//! publish (and kept through dead-lettering), so a message can be followed end to end.

use std::sync::Arc;

use crate::message::{Body, DeathReason, Properties};
use crate::{
    ChannelRef, ConnectionId, ConsumerTag, DeliveryTag, Destination, ExchangeName, FieldTable,
    MessageId, QueueName, UserName, VhostName,
};

/// Why a queued copy was dropped without being delivered or dead-lettered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum DropReason {
    /// `x-max-length(-bytes)` overflow (drop-head drops the head; reject-publish refuses the
    /// new copy), with no dead-letter exchange taking it.
    Overflow,
    /// Rejected / nacked without requeue and the queue has no dead-letter exchange.
    Rejected,
    /// Dead-lettering found a cycle for this target queue (semantics §11.4).
    DeadLetterCycle,
    /// The dead-letter exchange does not exist or routed the copy nowhere.
    DeadLetterUnroutable,
    /// The copy was to be requeued into a queue that no longer exists.
    QueueGone,
    /// The broker restarted and the copy was not persistent in a durable queue.
    Restart,
    /// Returned more often than the quorum queue's `x-delivery-limit`, with no dead-letter
    /// exchange taking it.
    DeliveryLimit,
    /// A stream's retention (`x-max-length-bytes`, `x-max-age`) dropped its segment.
    Retention,
}

/// One edge a message travelled along while being routed (for the UI to light it up).
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct RouteEdge {
    /// The exchange the message was at.
    pub source: ExchangeName,
    /// Where it went.
    pub destination: Destination,
    /// How.
    pub via: EdgeKind,
}

/// How a message got from an exchange to a destination.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum EdgeKind {
    /// One or more matching bindings.
    Binding,
    /// The default exchange's implicit binding (routing key = queue name).
    Default,
    /// The source's alternate exchange (its bindings matched nothing).
    AlternateExchange,
}

/// A past-tense fact.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Event {
    /// A connection opened.
    ConnectionOpened {
        /// The connection.
        connection: ConnectionId,
        /// Its user.
        user: UserName,
        /// Its vhost.
        vhost: VhostName,
    },
    /// A connection closed (by the client: code 200; by an error or restart: that code).
    ConnectionClosed {
        /// The connection.
        connection: ConnectionId,
        /// Reply code.
        code: u16,
        /// Reply text.
        text: String,
    },
    /// A channel opened.
    ChannelOpened {
        /// The channel.
        channel: ChannelRef,
    },
    /// A channel closed (by the client: 200; by an error: its code and text).
    ChannelClosed {
        /// The channel.
        channel: ChannelRef,
        /// Reply code.
        code: u16,
        /// Reply text.
        text: String,
    },
    /// An exchange was created.
    ExchangeDeclared {
        /// Vhost.
        vhost: VhostName,
        /// Name.
        exchange: ExchangeName,
        /// Type name.
        kind: String,
        /// Durable.
        durable: bool,
        /// Auto-delete.
        auto_delete: bool,
        /// Internal.
        internal: bool,
    },
    /// An exchange was deleted (explicitly or by auto-delete).
    ExchangeDeleted {
        /// Vhost.
        vhost: VhostName,
        /// Name.
        exchange: ExchangeName,
    },
    /// A queue was created.
    QueueDeclared {
        /// Vhost.
        vhost: VhostName,
        /// Name.
        queue: QueueName,
        /// Durable.
        durable: bool,
        /// Exclusive to this connection.
        exclusive: Option<ConnectionId>,
        /// Auto-delete.
        auto_delete: bool,
        /// Arguments as declared.
        arguments: FieldTable,
    },
    /// A queue was deleted; its ready messages went with it.
    QueueDeleted {
        /// Vhost.
        vhost: VhostName,
        /// Name.
        queue: QueueName,
        /// Ready messages removed.
        messages: Vec<MessageId>,
    },
    /// A queue's ready messages were removed by queue.purge.
    QueuePurged {
        /// Queue.
        queue: QueueName,
        /// Messages removed, head first.
        messages: Vec<MessageId>,
    },
    /// A binding was added.
    Bound {
        /// Vhost.
        vhost: VhostName,
        /// Source exchange.
        source: ExchangeName,
        /// Destination.
        destination: Destination,
        /// Binding key.
        routing_key: String,
        /// Binding arguments.
        arguments: FieldTable,
    },
    /// A binding was removed (unbind, or deletion of its source or destination).
    Unbound {
        /// Vhost.
        vhost: VhostName,
        /// Source exchange.
        source: ExchangeName,
        /// Destination.
        destination: Destination,
        /// Binding key.
        routing_key: String,
        /// Binding arguments.
        arguments: FieldTable,
    },
    /// A consumer started.
    ConsumerStarted {
        /// Its channel.
        channel: ChannelRef,
        /// Its tag.
        consumer_tag: ConsumerTag,
        /// Its queue.
        queue: QueueName,
    },
    /// A consumer stopped: by basic.cancel, its channel closing (`by_server = false`) or because
    /// its queue was deleted (`by_server = true`: RabbitMQ sends basic.cancel to the client).
    ConsumerCancelled {
        /// Its channel.
        channel: ChannelRef,
        /// Its tag.
        consumer_tag: ConsumerTag,
        /// Its queue.
        queue: QueueName,
        /// The broker cancelled it (queue deleted).
        by_server: bool,
    },
    /// With single active consumer: this consumer now receives the queue's messages.
    ConsumerActivated {
        /// Its channel.
        channel: ChannelRef,
        /// Its tag.
        consumer_tag: ConsumerTag,
        /// Its queue.
        queue: QueueName,
    },
    /// A client published a message.
    Published {
        /// Channel it came on.
        channel: ChannelRef,
        /// The broker's id for it.
        message: MessageId,
        /// Exchange.
        exchange: ExchangeName,
        /// Routing key.
        routing_key: String,
        /// Publisher-confirm sequence number (confirm or tx mode only).
        seq: Option<u64>,
    },
    /// Routing found at least one queue.
    Routed {
        /// The message.
        message: MessageId,
        /// The exchange it was published (or dead-lettered) to.
        exchange: ExchangeName,
        /// Queues that take a copy, one entry per queue, in routing order.
        queues: Vec<QueueName>,
        /// Exchanges visited, in work-list order (starting with `exchange`).
        exchanges: Vec<ExchangeName>,
        /// Edges the message travelled along.
        edges: Vec<RouteEdge>,
    },
    /// Routing found no queue (the message is returned when mandatory, else dropped).
    Unroutable {
        /// The message.
        message: MessageId,
        /// Exchange.
        exchange: ExchangeName,
        /// Routing key.
        routing_key: String,
        /// Exchanges visited.
        exchanges: Vec<ExchangeName>,
        /// Edges travelled (to exchanges that routed nowhere).
        edges: Vec<RouteEdge>,
    },
    /// basic.return of a mandatory message that reached no queue.
    Returned {
        /// The publisher's channel.
        channel: ChannelRef,
        /// 312.
        reply_code: u16,
        /// `NO_ROUTE`.
        reply_text: String,
        /// Exchange.
        exchange: ExchangeName,
        /// Routing key.
        routing_key: String,
        /// The message.
        message: MessageId,
        /// Properties (BCC removed).
        properties: Arc<Properties>,
        /// Body.
        body: Body,
    },
    /// A copy entered a queue.
    Enqueued {
        /// Queue.
        queue: QueueName,
        /// The message.
        message: MessageId,
    },
    /// A copy went to a consumer or to basic.get.
    Delivered {
        /// Channel it went to.
        channel: ChannelRef,
        /// Consumer, or `None` for basic.get.
        consumer_tag: Option<ConsumerTag>,
        /// Delivery tag on the channel.
        delivery_tag: DeliveryTag,
        /// Delivered before.
        redelivered: bool,
        /// Queue it came from.
        queue: QueueName,
        /// Exchange it was published (or dead-lettered) to.
        exchange: ExchangeName,
        /// Its routing key.
        routing_key: String,
        /// The message.
        message: MessageId,
        /// Properties.
        properties: Arc<Properties>,
        /// Body.
        body: Body,
        /// Auto-ack: the copy is gone from the broker already.
        no_ack: bool,
    },
    /// A client acknowledged a delivery (the copy is gone).
    Acked {
        /// Channel.
        channel: ChannelRef,
        /// Delivery tag.
        delivery_tag: DeliveryTag,
        /// Queue it came from.
        queue: QueueName,
        /// The message.
        message: MessageId,
    },
    /// A client nacked (basic.nack) a delivery.
    Nacked {
        /// Channel.
        channel: ChannelRef,
        /// Delivery tag.
        delivery_tag: DeliveryTag,
        /// Queue it came from.
        queue: QueueName,
        /// The message.
        message: MessageId,
        /// Requeued (else dead-lettered or dropped, see the following event).
        requeue: bool,
    },
    /// A client rejected (basic.reject) a delivery.
    Rejected {
        /// Channel.
        channel: ChannelRef,
        /// Delivery tag.
        delivery_tag: DeliveryTag,
        /// Queue it came from.
        queue: QueueName,
        /// The message.
        message: MessageId,
        /// Requeued (else dead-lettered or dropped, see the following event).
        requeue: bool,
    },
    /// An unacked copy went back to its original place in its queue.
    Requeued {
        /// Queue.
        queue: QueueName,
        /// The message.
        message: MessageId,
    },
    /// A copy's TTL ran out at the head of its queue (dead-lettered next if the queue has a
    /// dead-letter exchange, else gone).
    Expired {
        /// Queue.
        queue: QueueName,
        /// The message.
        message: MessageId,
    },
    /// A copy was dead-lettered: republished to the queue's dead-letter exchange (routing
    /// follows as `Routed`/`Enqueued` events with the same message id).
    DeadLettered {
        /// Queue it died in.
        queue: QueueName,
        /// The message.
        message: MessageId,
        /// Why.
        reason: DeathReason,
        /// Where it goes.
        dead_letter_exchange: ExchangeName,
        /// With which routing keys.
        routing_keys: Vec<String>,
    },
    /// A copy was dropped (not delivered, not dead-lettered).
    Dropped {
        /// Queue.
        queue: QueueName,
        /// The message.
        message: MessageId,
        /// Why.
        reason: DropReason,
    },
    /// Publisher confirm: basic.ack.
    PublisherAck {
        /// Publisher's channel.
        channel: ChannelRef,
        /// Sequence number.
        seq: u64,
        /// All unconfirmed up to `seq`.
        multiple: bool,
    },
    /// Publisher confirm: basic.nack (a queue refused the message).
    PublisherNack {
        /// Publisher's channel.
        channel: ChannelRef,
        /// Sequence number.
        seq: u64,
        /// All unconfirmed up to `seq`.
        multiple: bool,
    },
    /// The broker restarted (connections were closed before this event).
    Restarted,
}

impl Event {
    /// The connection a client sees this event on, if it is one a client sees: deliveries to
    /// consumers, returns, publisher confirms, channel and connection closes, server-side
    /// cancels. Everything else (routing, enqueueing, acks) is for the UI to animate. A wire
    /// session writes exactly these; the page hands them to the client they are for.
    pub fn recipient(&self) -> Option<ConnectionId> {
        match self {
            Event::Delivered {
                channel,
                consumer_tag: Some(_),
                ..
            }
            | Event::Returned { channel, .. }
            | Event::PublisherAck { channel, .. }
            | Event::PublisherNack { channel, .. }
            | Event::ChannelClosed { channel, .. }
            | Event::ConsumerCancelled {
                channel,
                by_server: true,
                ..
            } => Some(channel.connection),
            Event::ConnectionClosed { connection, .. } => Some(*connection),
            _ => None,
        }
    }
}
