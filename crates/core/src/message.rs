//! Messages: the 14 basic properties, the body, and how a queued copy is stored.
//!
//! One published message may sit in many queues. Every copy shares one `Message` behind an
//! `Arc` (id, where it was published, properties and body); a queue holds only a small
//! `Entry` per copy (pointer, expiry, position). That keeps the per-message cost beyond the
//! body near 100 bytes:
//!
//! ```text
//! Entry  (in the queue's VecDeque)   24 B: Arc<Message> · expires_at · position|redelivered
//! Message (one Arc per publish)      56 B: id · Arc<Origin> · Arc<Properties> · Body
//! Body   (Arc<[u8]>, client's own)   16 B header + the bytes
//! ```
//!
//! `Origin` (exchange and routing keys) and `Properties` are shared further: a publish with
//! default properties uses one broker-wide `Arc`, and consecutive publishes with the same
//! exchange and keys reuse the previous `Origin`.

use std::ops::Deref;
use std::sync::Arc;

use crate::{ExchangeName, FieldTable, MessageId};

/// A message body: immutable bytes, cheap to clone (all queue copies and events share it).
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct Body(Arc<[u8]>);

impl Body {
    /// The bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl Deref for Body {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.0
    }
}

impl std::fmt::Debug for Body {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match std::str::from_utf8(&self.0) {
            Ok(text) => write!(f, "Body({text:?})"),
            Err(_) => write!(f, "Body({:?})", &self.0[..]),
        }
    }
}

impl From<&str> for Body {
    fn from(s: &str) -> Self {
        Body(Arc::from(s.as_bytes()))
    }
}

impl From<String> for Body {
    fn from(s: String) -> Self {
        Body(Arc::from(s.into_bytes()))
    }
}

impl From<&[u8]> for Body {
    fn from(b: &[u8]) -> Self {
        Body(Arc::from(b))
    }
}

impl From<Vec<u8>> for Body {
    fn from(b: Vec<u8>) -> Self {
        Body(Arc::from(b))
    }
}

impl From<Arc<[u8]>> for Body {
    fn from(b: Arc<[u8]>) -> Self {
        Body(b)
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Body {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(&self.0)
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for Body {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let bytes: Vec<u8> = serde::Deserialize::deserialize(d)?;
        Ok(Body::from(bytes))
    }
}

/// The 14 AMQP basic properties (`basic` content header), all optional.
#[derive(Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Properties {
    /// MIME content type.
    pub content_type: Option<String>,
    /// MIME content encoding.
    pub content_encoding: Option<String>,
    /// Application headers (also CC/BCC, `x-death`, headers-exchange matching).
    pub headers: Option<FieldTable>,
    /// 1 = transient, 2 = persistent (survives a broker restart in a durable queue).
    pub delivery_mode: Option<u8>,
    /// Priority 0..=255 (used by queues with `x-max-priority`).
    pub priority: Option<u8>,
    /// RPC correlation id.
    pub correlation_id: Option<String>,
    /// RPC reply queue (or `amq.rabbitmq.reply-to`).
    pub reply_to: Option<String>,
    /// Per-message TTL in milliseconds, as decimal text.
    pub expiration: Option<String>,
    /// Application message id.
    pub message_id: Option<String>,
    /// Seconds since the epoch.
    pub timestamp: Option<u64>,
    /// Message type name (`type` on the wire).
    #[cfg_attr(feature = "serde", serde(rename = "type"))]
    pub kind: Option<String>,
    /// Must equal the connection's user when set.
    pub user_id: Option<String>,
    /// Application id.
    pub app_id: Option<String>,
    /// Deprecated cluster id.
    pub cluster_id: Option<String>,
}

impl Properties {
    /// Persistent (`delivery_mode = 2`).
    pub fn persistent(&self) -> bool {
        self.delivery_mode == Some(2)
    }

    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&crate::FieldValue> {
        self.headers.as_ref().and_then(|h| h.get(name))
    }
}

/// Why a message died (the `reason` of an `x-death` entry).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum DeathReason {
    /// basic.reject / basic.nack with requeue=false.
    Rejected,
    /// Message TTL ran out.
    Expired,
    /// Dropped by `x-max-length(-bytes)` (drop-head or reject-publish-dlx).
    Maxlen,
    /// Returned more often than a quorum queue's `x-delivery-limit` allows.
    DeliveryLimit,
}

impl DeathReason {
    /// The reason as RabbitMQ writes it in `x-death`.
    pub fn as_str(self) -> &'static str {
        match self {
            DeathReason::Rejected => "rejected",
            DeathReason::Expired => "expired",
            DeathReason::Maxlen => "maxlen",
            DeathReason::DeliveryLimit => "delivery_limit",
        }
    }
}

/// One `x-death` entry as the broker keeps it (semantics §11.3).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Death {
    pub queue: String,
    pub reason: DeathReason,
    pub count: u64,
    /// Seconds, time of the first such death.
    pub time: u64,
    pub exchange: String,
    pub routing_keys: Vec<String>,
    pub original_expiration: Option<String>,
}

/// Where a message was published and with which routing keys.
#[derive(Debug, PartialEq)]
pub(crate) struct Origin {
    pub exchange: ExchangeName,
    /// Routing key first, then CC keys, then BCC keys: all of them route (semantics §4.1).
    pub keys: Vec<String>,
    /// How many of `keys` are visible (routing key + CC); the rest are BCC and only route.
    pub visible: usize,
    /// Death history written by this broker, most recent first (client `x-death` is not
    /// continued in 4.x, so it cannot live only in the headers).
    pub deaths: Vec<Death>,
}

impl Origin {
    pub fn routing_key(&self) -> &str {
        self.keys.first().map(String::as_str).unwrap_or("")
    }
}

/// One published message, shared by all its queued copies.
#[derive(Debug)]
pub(crate) struct Message {
    pub id: MessageId,
    pub origin: Arc<Origin>,
    pub properties: Arc<Properties>,
    pub body: Body,
}

/// One copy of a message in one queue (or unacked on a channel).
#[derive(Clone, Debug)]
pub(crate) struct Entry {
    pub message: Arc<Message>,
    /// Virtual ms after which the copy is dead; `u64::MAX` = never. Fixed at enqueue.
    pub expires_at: u64,
    /// Position in the queue (bits 0-47, for requeue to the original place), the quorum
    /// delivery count (bits 48-62, saturating) and bit 63 = redelivered.
    pub slot: u64,
}

const REDELIVERED: u64 = 1 << 63;
/// Bits 0-39: position; 40-51: delivery count; 52-62: acquired count; 63: redelivered.
const POSITION_BITS: u32 = 40;
const POSITION_MASK: u64 = (1 << POSITION_BITS) - 1;
const DELIVERY: Counter = Counter {
    shift: POSITION_BITS,
    bits: 12,
};
const ACQUIRED: Counter = Counter {
    shift: POSITION_BITS + 12,
    bits: 11,
};

/// A saturating counter in some bits of an entry's slot.
struct Counter {
    shift: u32,
    bits: u32,
}

impl Counter {
    fn max(&self) -> u64 {
        (1 << self.bits) - 1
    }

    fn get(&self, slot: u64) -> u64 {
        (slot >> self.shift) & self.max()
    }

    fn bump(&self, slot: u64) -> u64 {
        let next = (self.get(slot) + 1).min(self.max());
        (slot & !(self.max() << self.shift)) | (next << self.shift)
    }
}

impl Entry {
    pub fn position(&self) -> u64 {
        self.slot & POSITION_MASK
    }

    /// Sets the position, keeping the other bits.
    pub fn set_position(&mut self, position: u64) {
        self.slot = (self.slot & !POSITION_MASK) | (position & POSITION_MASK);
    }

    /// Failed deliveries a quorum queue counted (`x-delivery-count`, saturating at 4 095).
    pub fn delivery_count(&self) -> u64 {
        DELIVERY.get(self.slot)
    }

    /// Returns of any kind (4.3's `x-acquired-count`, saturating at 2 047).
    pub fn acquired_count(&self) -> u64 {
        ACQUIRED.get(self.slot)
    }

    /// Counts one return; `failed` ones (reject, a closed channel; in 3.10 every return) also
    /// count as failed deliveries.
    pub fn count_return(&mut self, failed: bool) {
        self.slot = ACQUIRED.bump(self.slot);
        if failed {
            self.slot = DELIVERY.bump(self.slot);
        }
    }

    pub fn redelivered(&self) -> bool {
        self.slot & REDELIVERED != 0
    }

    pub fn set_redelivered(&mut self) {
        self.slot |= REDELIVERED;
    }

    pub fn size(&self) -> u64 {
        self.message.body.len() as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_copy_state_stays_compact() {
        assert_eq!(std::mem::size_of::<Entry>(), 24);
        assert_eq!(std::mem::size_of::<Message>(), 40);
    }

    #[test]
    fn slot_bits_stay_apart() {
        let mut e = Entry {
            message: Arc::new(Message {
                id: crate::MessageId(1),
                origin: Arc::new(Origin {
                    exchange: crate::ExchangeName(String::new()),
                    keys: vec![],
                    visible: 0,
                    deaths: vec![],
                }),
                properties: Arc::default(),
                body: Body::from("x"),
            }),
            expires_at: u64::MAX,
            slot: 0,
        };
        e.set_position(POSITION_MASK);
        e.count_return(true);
        e.count_return(false);
        e.set_redelivered();
        let all = |e: &Entry| {
            (
                e.position(),
                e.delivery_count(),
                e.acquired_count(),
                e.redelivered(),
            )
        };
        assert_eq!(all(&e), (POSITION_MASK, 1, 2, true));
        e.set_position(7);
        assert_eq!(all(&e), (7, 1, 2, true));
        for _ in 0..40_000 {
            e.count_return(true);
        }
        assert_eq!(all(&e), (7, 4_095, 2_047, true));
    }
}
