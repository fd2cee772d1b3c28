//! Connections and channels: who the client is, and per-channel state (delivery tags, unacked
//! deliveries, prefetch, confirm/tx mode, the most recently declared queue).

use std::collections::BTreeMap;

use crate::message::Entry;
use crate::{ChannelId, ConsumerTag, QueueName, UserName, VhostName};

/// An open connection.
#[derive(Clone, Debug)]
pub(crate) struct Connection {
    pub user: UserName,
    pub vhost: VhostName,
    pub channels: BTreeMap<ChannelId, Channel>,
}

/// A delivery waiting for ack/nack/reject.
#[derive(Clone, Debug)]
pub(crate) struct Unacked {
    pub queue: QueueName,
    pub entry: Entry,
    /// The consumer it went to, or `None` for basic.get (get is never prefetch-limited).
    pub consumer: Option<ConsumerTag>,
    /// Counted against the channel-wide (global) prefetch: a consumer delivery to a consumer
    /// without its own prefetch.
    pub global: bool,
}

/// A buffered transaction (semantics §14).
#[derive(Clone, Debug, Default)]
pub(crate) struct Tx {
    pub ops: Vec<TxOp>,
}

/// One buffered operation of a transaction.
#[derive(Clone, Debug)]
pub(crate) enum TxOp {
    Publish(Box<crate::command::BasicPublish>, crate::MessageId),
    /// Deliveries taken off the unacked map at ack time (unknown tags fail then, not at
    /// commit); a rollback puts them back.
    Settle(Vec<(u64, Unacked)>, Settle),
}

/// How deliveries are settled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Settle {
    Ack,
    Nack { requeue: bool },
    Reject { requeue: bool },
}

/// An open channel.
#[derive(Clone, Debug, Default)]
pub(crate) struct Channel {
    /// Consumers started on this channel, with their queues.
    pub consumers: BTreeMap<ConsumerTag, QueueName>,
    pub unacked: BTreeMap<u64, Unacked>,
    pub next_delivery_tag: u64,
    /// `basic.qos(global=false)` value new consumers capture.
    pub prefetch: u16,
    /// `basic.qos(global=true)` channel limit (honoured by the 3.x profile only).
    pub global_prefetch: u16,
    /// Unacked deliveries counted against the channel limit (see `Unacked::global`).
    pub consumer_unacked: u32,
    pub confirm: bool,
    pub tx: Option<Tx>,
    /// Next publisher sequence number (confirm or tx mode), from 1.
    pub next_publish_seq: u64,
    /// Most recently declared queue (semantics §3.7).
    pub last_queue: Option<QueueName>,
    /// Direct reply-to consumer (`amq.rabbitmq.reply-to`) and its generated queue name.
    pub reply_to: Option<(ConsumerTag, String)>,
}

impl Channel {
    pub fn new() -> Self {
        Channel {
            next_delivery_tag: 1,
            next_publish_seq: 1,
            ..Channel::default()
        }
    }

    /// Global (channel-wide) prefetch allows one more consumer delivery.
    pub fn has_credit(&self, honour_global: bool) -> bool {
        !honour_global
            || self.global_prefetch == 0
            || self.consumer_unacked < u32::from(self.global_prefetch)
    }
}
