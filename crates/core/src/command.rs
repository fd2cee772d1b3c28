//! Commands (what a client asks) and replies (the synchronous `*-ok` answer).
//!
//! One command per AMQP 0-9-1 method the model needs, each a small struct, named like the method
//! (`basic.publish` → [`BasicPublish`]). Every command that acts on a channel carries a
//! [`ChannelRef`]; `Connect` is the whole handshake (`connection.start` … `connection.open`).

use crate::message::{Body, Properties};
use crate::{
    ChannelRef, ConnectionId, ConsumerTag, DeliveryTag, ExchangeName, FieldTable, QueueName,
    UserName, VhostName,
};

macro_rules! commands {
    ($($(#[$doc:meta])* $variant:ident),* $(,)?) => {
        /// A client command: one AMQP method (see each struct).
        // `BasicPublish` carries the 14 properties inline; commands are built, moved once and
        // consumed, so boxing it would only make every caller write `Box::new`.
        #[allow(clippy::large_enum_variant)]
        #[derive(Clone, Debug, PartialEq)]
        #[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
        pub enum Command {
            $($(#[$doc])* $variant($variant),)*
        }

        $(impl From<$variant> for Command {
            fn from(c: $variant) -> Self {
                Command::$variant(c)
            }
        })*
    };
}

commands! {
    /// Open a connection (the handshake up to `connection.open-ok`).
    Connect,
    /// `connection.close` from the client.
    CloseConnection,
    /// `channel.open`.
    ChannelOpen,
    /// `channel.close` from the client.
    ChannelClose,
    /// `exchange.declare`.
    ExchangeDeclare,
    /// `exchange.delete`.
    ExchangeDelete,
    /// `exchange.bind` (exchange-to-exchange).
    ExchangeBind,
    /// `exchange.unbind`.
    ExchangeUnbind,
    /// `queue.declare`.
    QueueDeclare,
    /// `queue.bind`.
    QueueBind,
    /// `queue.unbind`.
    QueueUnbind,
    /// `queue.purge`.
    QueuePurge,
    /// `queue.delete`.
    QueueDelete,
    /// `basic.qos`.
    BasicQos,
    /// `basic.consume`.
    BasicConsume,
    /// `basic.cancel`.
    BasicCancel,
    /// `basic.publish` (with its content).
    BasicPublish,
    /// `basic.get`.
    BasicGet,
    /// `basic.ack`.
    BasicAck,
    /// `basic.nack`.
    BasicNack,
    /// `basic.reject`.
    BasicReject,
    /// `basic.recover`.
    BasicRecover,
    /// `confirm.select`.
    ConfirmSelect,
    /// `tx.select`.
    TxSelect,
    /// `tx.commit`.
    TxCommit,
    /// `tx.rollback`.
    TxRollback,
    /// Restart the broker (durability lesson): see [`Restart`].
    Restart,
}

/// Open a connection as `user` to `vhost`.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Connect {
    /// User name.
    pub user: UserName,
    /// Password (PLAIN).
    pub password: String,
    /// Virtual host.
    pub vhost: VhostName,
}

/// Close a connection normally (deletes its exclusive queues, requeues its unacked messages).
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CloseConnection {
    /// The connection.
    pub connection: ConnectionId,
}

/// Open channel `channel.channel` on `channel.connection` (the client picks the number).
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ChannelOpen {
    /// The channel to open.
    pub channel: ChannelRef,
}

/// Close a channel normally (requeues its unacked messages).
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ChannelClose {
    /// The channel.
    pub channel: ChannelRef,
}

/// Declare (or check) an exchange.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ExchangeDeclare {
    /// The channel.
    pub channel: ChannelRef,
    /// Exchange name.
    pub exchange: ExchangeName,
    /// `direct`, `fanout`, `topic` or `headers`.
    pub kind: String,
    /// Only check that it exists.
    pub passive: bool,
    /// Survives a broker restart.
    pub durable: bool,
    /// Deleted when its last binding as source goes.
    pub auto_delete: bool,
    /// Cannot be published to directly.
    pub internal: bool,
    /// Arguments (`alternate-exchange`).
    pub arguments: FieldTable,
}

/// Delete an exchange.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ExchangeDelete {
    /// The channel.
    pub channel: ChannelRef,
    /// Exchange name.
    pub exchange: ExchangeName,
    /// Refuse (406) when it is the source of any binding.
    pub if_unused: bool,
}

/// Bind exchange `destination` to exchange `source`.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ExchangeBind {
    /// The channel.
    pub channel: ChannelRef,
    /// Where messages go.
    pub destination: ExchangeName,
    /// Where messages come from.
    pub source: ExchangeName,
    /// Binding key.
    pub routing_key: String,
    /// Binding arguments (headers exchanges match on them).
    pub arguments: FieldTable,
}

/// Remove an exchange-to-exchange binding.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ExchangeUnbind {
    /// The channel.
    pub channel: ChannelRef,
    /// Where messages went.
    pub destination: ExchangeName,
    /// Where messages came from.
    pub source: ExchangeName,
    /// Binding key.
    pub routing_key: String,
    /// Binding arguments (must equal the bound ones).
    pub arguments: FieldTable,
}

/// Declare (or check) a queue. An empty name asks the broker to pick one (`amq.gen-…`).
#[derive(Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct QueueDeclare {
    /// The channel.
    pub channel: ChannelRef,
    /// Queue name, or empty for a server-named queue.
    pub queue: QueueName,
    /// Only check that it exists.
    pub passive: bool,
    /// Survives a broker restart.
    pub durable: bool,
    /// Owned by this connection, deleted with it.
    pub exclusive: bool,
    /// Deleted when its last consumer goes (if it ever had one).
    pub auto_delete: bool,
    /// `x-message-ttl`, `x-expires`, `x-max-length`, `x-dead-letter-exchange`, …
    pub arguments: FieldTable,
}

/// Bind a queue to an exchange.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct QueueBind {
    /// The channel.
    pub channel: ChannelRef,
    /// Queue (empty = the channel's most recently declared queue).
    pub queue: QueueName,
    /// Source exchange.
    pub exchange: ExchangeName,
    /// Binding key.
    pub routing_key: String,
    /// Binding arguments.
    pub arguments: FieldTable,
}

/// Remove a queue binding.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct QueueUnbind {
    /// The channel.
    pub channel: ChannelRef,
    /// Queue (empty = the channel's most recently declared queue).
    pub queue: QueueName,
    /// Source exchange.
    pub exchange: ExchangeName,
    /// Binding key.
    pub routing_key: String,
    /// Binding arguments (must equal the bound ones).
    pub arguments: FieldTable,
}

/// Remove a queue's ready messages.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct QueuePurge {
    /// The channel.
    pub channel: ChannelRef,
    /// Queue (empty = the channel's most recently declared queue).
    pub queue: QueueName,
}

/// Delete a queue.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct QueueDelete {
    /// The channel.
    pub channel: ChannelRef,
    /// Queue (empty = the channel's most recently declared queue).
    pub queue: QueueName,
    /// Refuse (406) while it has consumers.
    pub if_unused: bool,
    /// Refuse (406) while it has ready messages.
    pub if_empty: bool,
}

/// Set the prefetch limit.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct BasicQos {
    /// The channel.
    pub channel: ChannelRef,
    /// Must be 0 (540 otherwise, as in RabbitMQ).
    pub prefetch_size: u32,
    /// Unacked deliveries allowed per consumer (0 = unlimited).
    pub prefetch_count: u16,
    /// Per channel (RabbitMQ 3.x); treated as per consumer by 4.3.
    pub global: bool,
}

/// Start a consumer.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct BasicConsume {
    /// The channel.
    pub channel: ChannelRef,
    /// Queue (empty = the channel's most recently declared queue).
    pub queue: QueueName,
    /// Tag, or empty for a server-generated `amq.ctag-…`.
    pub consumer_tag: ConsumerTag,
    /// Auto-ack: deliveries count as acknowledged when sent.
    pub no_ack: bool,
    /// The only consumer of the queue.
    pub exclusive: bool,
    /// Consumer arguments (`x-priority`).
    pub arguments: FieldTable,
}

/// Stop a consumer (its unacked deliveries stay unacked).
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct BasicCancel {
    /// The channel.
    pub channel: ChannelRef,
    /// The consumer.
    pub consumer_tag: ConsumerTag,
}

/// Publish a message.
#[derive(Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct BasicPublish {
    /// The channel.
    pub channel: ChannelRef,
    /// Exchange (`""` = the default exchange).
    pub exchange: ExchangeName,
    /// Routing key.
    pub routing_key: String,
    /// Return the message (312 NO_ROUTE) when no queue takes it.
    pub mandatory: bool,
    /// Not supported by RabbitMQ (540).
    pub immediate: bool,
    /// Basic properties.
    pub properties: Properties,
    /// Body.
    pub body: Body,
}

/// Fetch one message synchronously.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct BasicGet {
    /// The channel.
    pub channel: ChannelRef,
    /// Queue (empty = the channel's most recently declared queue).
    pub queue: QueueName,
    /// Auto-ack.
    pub no_ack: bool,
}

/// Acknowledge deliveries.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct BasicAck {
    /// The channel the deliveries came on.
    pub channel: ChannelRef,
    /// Delivery tag (0 with `multiple` = all).
    pub delivery_tag: DeliveryTag,
    /// All outstanding tags up to this one.
    pub multiple: bool,
}

/// Negatively acknowledge deliveries (RabbitMQ extension).
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct BasicNack {
    /// The channel.
    pub channel: ChannelRef,
    /// Delivery tag (0 with `multiple` = all).
    pub delivery_tag: DeliveryTag,
    /// All outstanding tags up to this one.
    pub multiple: bool,
    /// Requeue (true) or dead-letter/drop (false).
    pub requeue: bool,
}

/// Reject one delivery.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct BasicReject {
    /// The channel.
    pub channel: ChannelRef,
    /// Delivery tag.
    pub delivery_tag: DeliveryTag,
    /// Requeue (true) or dead-letter/drop (false).
    pub requeue: bool,
}

/// Redeliver every unacked delivery of the channel.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct BasicRecover {
    /// The channel.
    pub channel: ChannelRef,
    /// Must be true (540 otherwise, as in RabbitMQ).
    pub requeue: bool,
}

/// Turn on publisher confirms.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ConfirmSelect {
    /// The channel.
    pub channel: ChannelRef,
}

/// Make the channel transactional.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct TxSelect {
    /// The channel.
    pub channel: ChannelRef,
}

/// Commit the channel's transaction.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct TxCommit {
    /// The channel.
    pub channel: ChannelRef,
}

/// Roll back the channel's transaction.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct TxRollback {
    /// The channel.
    pub channel: ChannelRef,
}

/// Restart the broker: every connection is closed (320 CONNECTION_FORCED), then only durable
/// exchanges, durable queues, bindings between durable things, and persistent messages
/// (`delivery_mode = 2`) in durable queues survive. Unacked persistent messages in durable
/// queues come back as ready and redelivered.
#[derive(Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Restart {}

/// The synchronous answer to a command (the AMQP `*-ok` method, or `NoReply` for methods
/// that have none, like `basic.publish` and `basic.ack`).
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Reply {
    /// The command has no reply method (publish, ack, nack, reject).
    NoReply,
    /// `connection.open-ok`: the broker's id for the new connection.
    Connected(ConnectionId),
    /// `connection.close-ok`.
    ConnectionCloseOk,
    /// `channel.open-ok`.
    ChannelOpenOk,
    /// `channel.close-ok`.
    ChannelCloseOk,
    /// `exchange.declare-ok`.
    ExchangeDeclareOk,
    /// `exchange.delete-ok`.
    ExchangeDeleteOk,
    /// `exchange.bind-ok`.
    ExchangeBindOk,
    /// `exchange.unbind-ok`.
    ExchangeUnbindOk,
    /// `queue.declare-ok`.
    QueueDeclareOk {
        /// The queue's name (the generated one for server-named queues).
        queue: QueueName,
        /// Ready messages.
        message_count: u32,
        /// Consumers.
        consumer_count: u32,
    },
    /// `queue.bind-ok`.
    QueueBindOk,
    /// `queue.unbind-ok`.
    QueueUnbindOk,
    /// `queue.purge-ok`.
    QueuePurgeOk {
        /// Ready messages removed.
        message_count: u32,
    },
    /// `queue.delete-ok`.
    QueueDeleteOk {
        /// Ready messages removed.
        message_count: u32,
    },
    /// `basic.qos-ok`.
    QosOk,
    /// `basic.consume-ok`.
    ConsumeOk {
        /// The consumer's tag (generated when the command's was empty).
        consumer_tag: ConsumerTag,
    },
    /// `basic.cancel-ok`.
    CancelOk {
        /// The consumer's tag.
        consumer_tag: ConsumerTag,
    },
    /// `basic.get-ok` with the message.
    GetOk(Box<GetOk>),
    /// `basic.get-empty`.
    GetEmpty,
    /// `basic.recover-ok`.
    RecoverOk,
    /// `confirm.select-ok`.
    ConfirmSelectOk,
    /// `tx.select-ok`.
    TxSelectOk,
    /// `tx.commit-ok`.
    TxCommitOk,
    /// `tx.rollback-ok`.
    TxRollbackOk,
    /// The broker restarted.
    Restarted,
}

/// `basic.get-ok` and its content.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct GetOk {
    /// Delivery tag on the channel (0 never; shared sequence with consumer deliveries).
    pub delivery_tag: DeliveryTag,
    /// Delivered before and requeued.
    pub redelivered: bool,
    /// Exchange it was published (or dead-lettered) to.
    pub exchange: ExchangeName,
    /// Its routing key.
    pub routing_key: String,
    /// Ready messages left in the queue after this one.
    pub message_count: u32,
    /// The broker's id of the message (same as in events).
    pub message: crate::MessageId,
    /// Properties.
    pub properties: std::sync::Arc<Properties>,
    /// Body.
    pub body: Body,
}
