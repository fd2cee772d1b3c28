//! Direct reply-to (`amq.rabbitmq.reply-to`, semantics §13): RPC replies that skip queues.
//!
//! The requester consumes the pseudo-queue `amq.rabbitmq.reply-to` (no-ack only, one per
//! channel); its requests get `reply_to` rewritten to a generated
//! `amq.rabbitmq.reply-to.<opaque>` name; a reply published to the default exchange with that
//! name as routing key goes straight to the requester's channel, or nowhere if it is gone.

use std::sync::Arc;

use crate::broker::Broker;
use crate::command::BasicPublish;
use crate::delivery::Delivery;
use crate::error::BrokerError;
use crate::event::Event;
use crate::message::Message;
use crate::{ChannelRef, ConsumerTag, QueueName, VhostName};

/// The pseudo-queue a requester consumes.
pub(crate) const REPLY_TO: &str = "amq.rabbitmq.reply-to";

/// Whether `name` is the pseudo-queue or one of its generated names.
pub(crate) fn is_reply_to(name: &str) -> bool {
    name.starts_with(REPLY_TO)
}

impl Broker {
    /// `fast reply consumer does not exist` when a request asks for direct reply-to on a
    /// channel without the reply consumer.
    pub(crate) fn check_reply_to(&self, c: &BasicPublish) -> Result<(), BrokerError> {
        if c.properties.reply_to.as_deref() == Some(REPLY_TO)
            && self.channel(c.channel)?.reply_to.is_none()
        {
            return Err(BrokerError::PreconditionFailed(
                "fast reply consumer does not exist".into(),
            ));
        }
        Ok(())
    }

    /// Rewrites `reply_to = amq.rabbitmq.reply-to` to the channel's generated name.
    pub(crate) fn rewrite_reply_to(&self, c: &mut BasicPublish) {
        if c.properties.reply_to.as_deref() == Some(REPLY_TO) {
            if let Ok(Some((_, name))) = self.channel(c.channel).map(|ch| &ch.reply_to) {
                c.properties.reply_to = Some(name.clone());
            }
        }
    }

    /// Starts the reply consumer on `ch`.
    pub(crate) fn consume_reply_to(
        &mut self,
        ch: ChannelRef,
        tag: ConsumerTag,
        no_ack: bool,
    ) -> Result<ConsumerTag, BrokerError> {
        let channel = self.channel(ch)?;
        if !no_ack {
            return Err(BrokerError::PreconditionFailed(
                "reply consumer cannot acknowledge".into(),
            ));
        }
        if channel.reply_to.is_some() {
            return Err(BrokerError::PreconditionFailed(
                "reply consumer already set".into(),
            ));
        }
        let tag = if tag.as_str().is_empty() {
            ConsumerTag(self.names.name("amq.ctag-"))
        } else {
            tag
        };
        let name = self.names.name("amq.rabbitmq.reply-to.");
        let channel = self.channel_mut(ch)?;
        channel.reply_to = Some((tag.clone(), name));
        channel
            .consumers
            .insert(tag.clone(), QueueName::from(REPLY_TO));
        self.emit(Event::ConsumerStarted {
            channel: ch,
            consumer_tag: tag.clone(),
            queue: QueueName::from(REPLY_TO),
        });
        Ok(tag)
    }

    /// The channel whose reply consumer `message` (published to the default exchange) is for.
    pub(crate) fn reply_to_target(
        &self,
        vhost: &VhostName,
        message: &Message,
    ) -> Option<(ChannelRef, ConsumerTag)> {
        if !message.origin.exchange.as_str().is_empty() {
            return None;
        }
        message.origin.keys.iter().find_map(|key| {
            if !key.starts_with("amq.rabbitmq.reply-to.") {
                return None;
            }
            self.connections.iter().find_map(|(id, conn)| {
                if &conn.vhost != vhost {
                    return None;
                }
                conn.channels.iter().find_map(|(n, ch)| match &ch.reply_to {
                    Some((tag, name)) if name == key => Some((
                        ChannelRef {
                            connection: *id,
                            channel: *n,
                        },
                        tag.clone(),
                    )),
                    _ => None,
                })
            })
        })
    }

    /// Delivers a reply straight to the requester (no queue, no ack).
    pub(crate) fn deliver_reply(
        &mut self,
        target: (ChannelRef, ConsumerTag),
        message: &Arc<Message>,
    ) {
        let (ch, tag) = target;
        let Ok(channel) = self.channel_mut(ch) else {
            return;
        };
        let delivery_tag = channel.next_delivery_tag;
        channel.next_delivery_tag += 1;
        let queue = QueueName(
            channel
                .reply_to
                .as_ref()
                .map(|(_, n)| n.clone())
                .unwrap_or_default(),
        );
        if self.record_deliveries {
            let event = Delivery {
                channel: ch,
                consumer_tag: Some(tag),
                delivery_tag,
                redelivered: false,
                queue,
                message,
                properties: message.properties.clone(),
                no_ack: true,
            }
            .event();
            self.emit(event);
        }
    }

    /// `queue.declare` of a generated reply name: ok(name, 0, 1) while its requester consumes.
    pub(crate) fn reply_to_exists(&self, name: &str) -> bool {
        self.connections.values().any(|conn| {
            conn.channels
                .values()
                .any(|ch| ch.reply_to.as_ref().is_some_and(|(_, n)| n == name))
        })
    }
}
