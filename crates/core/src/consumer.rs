//! Consumers as a queue sees them: where deliveries go and how many may be outstanding.

use crate::{ChannelRef, ConsumerTag};

/// One consumer on one queue.
#[derive(Clone, Debug)]
pub(crate) struct Consumer {
    pub channel: ChannelRef,
    pub tag: ConsumerTag,
    pub no_ack: bool,
    pub exclusive: bool,
    /// `basic.qos` prefetch captured at basic.consume (0 = unlimited), semantics §9.3.
    pub prefetch: u16,
    /// Consumer priority (`x-priority`), higher first.
    pub priority: i64,
    /// Unacked deliveries to this consumer.
    pub unacked: u32,
    /// Streams: the offset this consumer reads next.
    pub offset: Option<u64>,
    /// Streams (4.x): `x-stream-filter`, the filter values it wants.
    pub filter: Option<Box<crate::stream::StreamFilter>>,
}

impl Consumer {
    /// Whether the consumer's own prefetch allows one more delivery.
    pub fn has_credit(&self) -> bool {
        self.no_ack || self.prefetch == 0 || self.unacked < u32::from(self.prefetch)
    }
}
