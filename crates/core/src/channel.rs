//! Connections and channels: who the client is, and per-channel state (delivery tags, unacked
//! deliveries, prefetch, confirm/tx mode, the most recently declared queue).

use std::collections::VecDeque;

use crate::message::Entry;
use crate::{ChannelId, ConsumerTag, QueueName, SortedMap, UserName, VhostName};

/// An open connection.
#[derive(Clone, Debug)]
pub(crate) struct Connection {
    pub user: UserName,
    pub vhost: VhostName,
    pub channels: SortedMap<ChannelId, Channel>,
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

/// A channel's unacknowledged deliveries by delivery tag, in tag order.
///
/// Tags only grow, so a delivery is appended at the back, and acknowledgements usually come
/// oldest first (one by one or `multiple`): both ends of a `VecDeque` cost O(1). A settlement
/// out of order costs O(min(i, n - i)); a rollback or a refused nack puts deliveries back in
/// tag order. (It was a `BTreeMap`: O(log n) everywhere, and 6 KB more of the page's wasm.)
#[derive(Clone, Debug, Default)]
pub(crate) struct Unsettled {
    entries: VecDeque<(u64, Unacked)>,
}

impl Unsettled {
    fn find(&self, tag: u64) -> Result<usize, usize> {
        self.entries.binary_search_by(|(t, _)| t.cmp(&tag))
    }

    /// Adds (or replaces) the delivery with this tag.
    pub fn insert(&mut self, tag: u64, unacked: Unacked) {
        match self.entries.back() {
            Some((last, _)) if *last >= tag => match self.find(tag) {
                Ok(i) => self.entries[i].1 = unacked,
                Err(i) => self.entries.insert(i, (tag, unacked)),
            },
            _ => self.entries.push_back((tag, unacked)),
        }
    }

    pub fn contains_key(&self, tag: &u64) -> bool {
        self.find(*tag).is_ok()
    }

    pub fn remove(&mut self, tag: &u64) -> Option<Unacked> {
        let i = self.find(*tag).ok()?;
        self.entries.remove(i).map(|(_, u)| u)
    }

    /// Every tag, oldest first.
    pub fn keys(&self) -> impl Iterator<Item = &u64> {
        self.entries.iter().map(|(t, _)| t)
    }

    /// The tags up to and including `tag` (`multiple`).
    pub fn keys_up_to(&self, tag: u64) -> impl Iterator<Item = &u64> {
        self.keys().take_while(move |t| **t <= tag)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&u64, &Unacked)> {
        self.entries.iter().map(|(t, u)| (t, u))
    }
}

impl Extend<(u64, Unacked)> for Unsettled {
    fn extend<I: IntoIterator<Item = (u64, Unacked)>>(&mut self, items: I) {
        for (tag, unacked) in items {
            self.insert(tag, unacked);
        }
    }
}

impl IntoIterator for Unsettled {
    type Item = (u64, Unacked);
    type IntoIter = std::collections::vec_deque::IntoIter<(u64, Unacked)>;
    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}

/// An open channel.
#[derive(Clone, Debug, Default)]
pub(crate) struct Channel {
    /// Consumers started on this channel, with their queues.
    pub consumers: SortedMap<ConsumerTag, QueueName>,
    pub unacked: Unsettled,
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
