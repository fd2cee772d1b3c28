//! Getting copies into queues and out to consumers: enqueue (with TTL and overflow), requeue,
//! head expiry, and dispatch (round-robin, prefetch, consumer priority, single active consumer).

use std::collections::VecDeque;
use std::sync::Arc;

use crate::broker::Broker;
use crate::channel::{Connection, Unacked};
use crate::dead_letter::PendingDeath;
use crate::event::{DropReason, Event};
use crate::message::{DeathReason, Entry, Message, Properties};
use crate::queue::{Overflow, Queue, QueueType};
use crate::{ConnectionId, ConsumerTag, DeliveryTag, Millis, QueueName, SortedMap, VhostName};

/// What a queue did with a published copy (publisher confirms nack a refusal, semantics §12.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Accepted {
    Yes,
    Refused,
}

/// How an unacked copy comes back to its queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Return {
    /// basic.nack(requeue) or basic.recover.
    Nack,
    /// basic.reject(requeue).
    Reject,
    /// Its channel (or consumer's channel) closed.
    Closed,
}

/// The properties a delivery from `queue` carries: a quorum queue adds `x-delivery-count`,
/// to every basic.get and to a consumer's redeliveries (observed on RabbitMQ 3.10.8: a
/// consumer's first delivery has no header, a basic.get's says 0), and in 4.3
/// `x-acquired-count` once a copy came back (`acquired`: the profile has it). A stream adds
/// `x-stream-offset` to every delivery.
pub(crate) fn delivered_properties(
    queue: &Queue,
    entry: &Entry,
    get: bool,
    acquired: bool,
) -> Arc<Properties> {
    let props = &entry.message.properties;
    let mut added: Vec<(&str, u64)> = Vec::new();
    match queue.kind() {
        QueueType::Classic => {}
        QueueType::Quorum => {
            if acquired && entry.acquired_count() > 0 {
                added.push(("x-acquired-count", entry.acquired_count()));
            }
            if get || entry.delivery_count() > 0 {
                added.push(("x-delivery-count", entry.delivery_count()));
            }
        }
        QueueType::Stream => added.push(("x-stream-offset", entry.position())),
    }
    if added.is_empty() {
        return props.clone();
    }
    let mut p = Properties::clone(props);
    let mut headers = p.headers.take().unwrap_or_default();
    for (name, value) in added {
        headers.insert(name, crate::FieldValue::I64(value as i64));
    }
    p.headers = Some(headers);
    Arc::new(p)
}

/// Borrowed pieces of the broker that delivery needs besides the queue itself.
pub(crate) struct Sinks<'a> {
    pub connections: &'a mut SortedMap<ConnectionId, Connection>,
    pub events: &'a mut VecDeque<Event>,
    pub deaths: &'a mut VecDeque<PendingDeath>,
    pub vhost: &'a VhostName,
    pub now: Millis,
    pub record: bool,
    /// Record `Delivered` (also when the other message events are off for a wire server).
    pub record_deliveries: bool,
    pub honour_global_qos: bool,
    /// Quorum deliveries carry 4.3's `x-acquired-count`.
    pub acquired_count: bool,
}

impl Sinks<'_> {
    fn emit(&mut self, event: impl FnOnce() -> Event) {
        if self.record {
            self.events.push_back(event());
        }
    }

    /// A copy leaves `queue` without being delivered: dead-lettered if the queue has a
    /// dead-letter exchange, otherwise dropped (`reason` for the drop).
    pub fn kill(
        &mut self,
        queue: &Queue,
        entry: Entry,
        reason: DeathReason,
        drop: Option<DropReason>,
    ) {
        match &queue.args.dead_letter_exchange {
            Some(dlx) => {
                let keys = crate::dead_letter::dead_letter_keys(&queue.args, &entry.message);
                let (message, dlx_name) = (entry.message.id, dlx.clone());
                let routing_keys = keys.clone();
                self.emit(|| Event::DeadLettered {
                    queue: queue.name.clone(),
                    message,
                    reason,
                    dead_letter_exchange: dlx_name,
                    routing_keys,
                });
                self.deaths.push_back(PendingDeath {
                    vhost: self.vhost.clone(),
                    queue: queue.name.clone(),
                    message: entry.message,
                    reason,
                    exchange: dlx.clone(),
                    keys,
                    keyed: queue.args.dead_letter_routing_key.is_some(),
                    time: self.now,
                });
            }
            None => {
                // An expired copy without a dead-letter exchange needs no second event.
                if let Some(drop) = drop {
                    let message = entry.message.id;
                    self.emit(|| Event::Dropped {
                        queue: queue.name.clone(),
                        message,
                        reason: drop,
                    });
                }
            }
        }
    }

    /// Drops or dead-letters expired copies at the heads of `queue` (semantics §6.5).
    pub fn expire_heads(&mut self, queue: &mut Queue) {
        while let Some(entry) = queue.pop_expired(self.now) {
            let message = entry.message.id;
            self.emit(|| Event::Expired {
                queue: queue.name.clone(),
                message,
            });
            self.kill(queue, entry, DeathReason::Expired, None);
        }
    }

    /// Drop-head overflow: while over a limit, the head goes (semantics §7.2).
    pub fn drop_head_while_over(&mut self, queue: &mut Queue) {
        if queue.args.overflow != Overflow::DropHead {
            return;
        }
        while queue.over_limit() {
            let Some(entry) = queue.pop() else { break };
            self.kill(
                queue,
                entry,
                DeathReason::Maxlen,
                Some(DropReason::Overflow),
            );
        }
    }

    /// The consumer that gets the next copy: the highest priority consumer with credit, first
    /// in dispatch order; with single active consumer only the first consumer ever gets any.
    fn pick(&self, queue: &Queue) -> Option<usize> {
        let candidates = if queue.args.single_active_consumer {
            &queue.consumers[..queue.consumers.len().min(1)]
        } else {
            &queue.consumers[..]
        };
        let mut best: Option<usize> = None;
        for (i, c) in candidates.iter().enumerate() {
            if !c.has_credit() {
                continue;
            }
            let Some(channel) = self
                .connections
                .get(&c.channel.connection)
                .and_then(|conn| conn.channels.get(&c.channel.channel))
            else {
                continue;
            };
            // Observed on RabbitMQ 3.10: the channel-wide (global) limit holds back only
            // consumers without a prefetch of their own; one with a per-consumer limit is
            // bounded by that limit alone.
            let channel_ok =
                c.no_ack || c.prefetch != 0 || channel.has_credit(self.honour_global_qos);
            if channel_ok && best.is_none_or(|b| c.priority > candidates[b].priority) {
                best = Some(i);
            }
        }
        best
    }

    /// Hands `entry` to consumer `index` and moves that consumer to the back of the order
    /// (RabbitMQ's round-robin).
    fn deliver(&mut self, queue: &mut Queue, index: usize, entry: Entry) {
        let rotate = !queue.args.single_active_consumer && queue.kind() != QueueType::Stream;
        let consumer = &mut queue.consumers[index];
        let Some(channel) = self
            .connections
            .get_mut(&consumer.channel.connection)
            .and_then(|c| c.channels.get_mut(&consumer.channel.channel))
        else {
            // `pick` (and `dispatch_stream`) only choose consumers whose channel is open.
            if queue.stream.is_none() {
                queue.requeue(entry, true);
            }
            return;
        };
        let tag = channel.next_delivery_tag;
        channel.next_delivery_tag += 1;
        let (ch, ctag, no_ack) = (consumer.channel, consumer.tag.clone(), consumer.no_ack);
        let global = !no_ack && consumer.prefetch == 0;
        if global {
            channel.consumer_unacked += 1;
        }
        if !no_ack {
            consumer.unacked += 1;
            queue.unacked += 1;
        }
        if self.record_deliveries {
            let event = Delivery {
                channel: ch,
                consumer_tag: Some(ctag.clone()),
                delivery_tag: tag,
                redelivered: entry.redelivered(),
                queue: queue.name.clone(),
                message: &entry.message,
                properties: delivered_properties(queue, &entry, false, self.acquired_count),
                no_ack,
            }
            .event();
            self.events.push_back(event);
        }
        if !no_ack {
            channel.unacked.insert(
                tag,
                Unacked {
                    queue: queue.name.clone(),
                    entry,
                    consumer: Some(ctag),
                    global,
                },
            );
        }
        if rotate {
            let c = queue.consumers.remove(index);
            queue.consumers.push(c);
        }
    }

    /// A stream delivers to every consumer with credit, each from its own offset (none is
    /// taken away from the others, so nobody rotates).
    fn dispatch_stream(&mut self, queue: &mut Queue) {
        for i in 0..queue.consumers.len() {
            loop {
                let c = &queue.consumers[i];
                let open = self
                    .connections
                    .get(&c.channel.connection)
                    .is_some_and(|conn| conn.channels.contains_key(&c.channel.channel));
                if !open || !c.has_credit() {
                    break;
                }
                let Some(log) = queue.stream.as_deref() else {
                    return;
                };
                let offset = c.offset.unwrap_or(log.next()).max(log.first);
                let Some(record) = log.get(offset) else {
                    queue.consumers[i].offset = Some(offset);
                    break;
                };
                if c.filter
                    .as_ref()
                    .is_some_and(|f| !f.passes(&record.message))
                {
                    queue.consumers[i].offset = Some(offset + 1);
                    continue;
                }
                let mut entry = Entry {
                    message: record.message.clone(),
                    expires_at: u64::MAX,
                    slot: 0,
                };
                entry.set_position(offset);
                queue.consumers[i].offset = Some(offset + 1);
                self.deliver(queue, i, entry);
            }
        }
    }

    /// A message appended to a stream's log (publishes and dead letters alike); what
    /// retention dropped to make room leaves with an event.
    fn append(&mut self, queue: &mut Queue, message: &Arc<Message>) -> Accepted {
        let Some(log) = queue.stream.as_deref_mut() else {
            return Accepted::Refused;
        };
        let dropped = log.append(message.clone(), self.now);
        queue.ready_count = log.records.len();
        queue.ready_bytes = log.bytes();
        let id = message.id;
        self.emit(|| Event::Enqueued {
            queue: queue.name.clone(),
            message: id,
        });
        for m in dropped {
            self.emit(|| Event::Dropped {
                queue: queue.name.clone(),
                message: m.id,
                reason: DropReason::Retention,
            });
        }
        self.dispatch_stream(queue);
        Accepted::Yes
    }

    /// Delivers ready copies while some consumer has credit.
    pub fn dispatch(&mut self, queue: &mut Queue) {
        if queue.stream.is_some() {
            return self.dispatch_stream(queue);
        }
        loop {
            self.expire_heads(queue);
            if queue.ready_count == 0 {
                return;
            }
            let Some(index) = self.pick(queue) else {
                return;
            };
            let entry = queue.pop().expect("ready_count > 0");
            self.deliver(queue, index, entry);
        }
    }

    /// A published (or dead-lettered) copy arrives at `queue`.
    pub fn enqueue(&mut self, queue: &mut Queue, message: &Arc<Message>) -> Accepted {
        let accepted = self.enqueue_copy(queue, message);
        queue.evaluate_limit();
        accepted
    }

    fn enqueue_copy(&mut self, queue: &mut Queue, message: &Arc<Message>) -> Accepted {
        if queue.stream.is_some() {
            return self.append(queue, message);
        }
        let size = message.body.len() as u64;
        if queue.refuses(size) {
            // Checked before direct delivery to a waiting consumer (semantics §7.3).
            let entry = Entry {
                message: message.clone(),
                expires_at: u64::MAX,
                slot: 0,
            };
            if queue.args.overflow == Overflow::RejectPublishDlx {
                self.kill(
                    queue,
                    entry,
                    DeathReason::Maxlen,
                    Some(DropReason::Overflow),
                );
            } else {
                let id = message.id;
                self.emit(|| Event::Dropped {
                    queue: queue.name.clone(),
                    message: id,
                    reason: DropReason::Overflow,
                });
            }
            return Accepted::Refused;
        }
        let mut entry = Entry {
            message: message.clone(),
            expires_at: expiry(queue, message, self.now),
            slot: 0,
        };
        queue.assign_position(&mut entry);
        let id = message.id;
        self.emit(|| Event::Enqueued {
            queue: queue.name.clone(),
            message: id,
        });
        if queue.ready_count == 0 {
            // An idle consumer takes the copy at once, even one with TTL 0 (semantics §6.4).
            if let Some(index) = self.pick(queue) {
                self.deliver(queue, index, entry);
                return Accepted::Yes;
            }
        }
        queue.push(entry);
        self.drop_head_while_over(queue);
        self.dispatch(queue);
        Accepted::Yes
    }
}

/// A delivery, as the event the UI animates (one place builds it for consumers, basic.get and
/// direct reply-to).
pub(crate) struct Delivery<'a> {
    pub channel: crate::ChannelRef,
    pub consumer_tag: Option<ConsumerTag>,
    pub delivery_tag: u64,
    pub redelivered: bool,
    pub queue: QueueName,
    pub message: &'a Message,
    /// The message's properties as delivered (see [`delivered_properties`]).
    pub properties: Arc<Properties>,
    pub no_ack: bool,
}

impl Delivery<'_> {
    pub fn event(self) -> Event {
        let m = self.message;
        Event::Delivered {
            channel: self.channel,
            consumer_tag: self.consumer_tag,
            delivery_tag: DeliveryTag(self.delivery_tag),
            redelivered: self.redelivered,
            queue: self.queue,
            exchange: m.origin.exchange.clone(),
            routing_key: m.origin.routing_key().to_string(),
            message: m.id,
            properties: self.properties,
            body: m.body.clone(),
            no_ack: self.no_ack,
        }
    }
}

/// Expiry fixed at enqueue: now + min(queue TTL, message TTL) (semantics §6.1, §6.3).
fn expiry(queue: &Queue, message: &Message, now: Millis) -> u64 {
    let per_message = message
        .properties
        .expiration
        .as_deref()
        .and_then(|e| e.parse::<u64>().ok());
    match (queue.args.message_ttl, per_message) {
        (None, None) => u64::MAX,
        (Some(a), Some(b)) => now.0.saturating_add(a.min(b)),
        (Some(t), None) | (None, Some(t)) => now.0.saturating_add(t),
    }
}

impl Broker {
    /// Runs `f` on queue `name` of `vhost` with the delivery sinks; `None` if it is gone.
    pub(crate) fn with_queue<R>(
        &mut self,
        vhost: &VhostName,
        name: &QueueName,
        f: impl FnOnce(&mut Queue, &mut Sinks<'_>) -> R,
    ) -> Option<R> {
        let Broker {
            vhosts,
            connections,
            events,
            pending_deaths,
            now,
            record_message_events,
            record_deliveries,
            compat,
            ..
        } = self;
        let queue = vhosts.get_mut(vhost)?.queues.get_mut(name)?;
        let mut sinks = Sinks {
            connections,
            events,
            deaths: pending_deaths,
            vhost,
            now: *now,
            record: *record_message_events,
            record_deliveries: *record_deliveries,
            honour_global_qos: compat.honours_global_qos(),
            acquired_count: *compat == crate::Compat::RabbitMq4,
        };
        Some(f(queue, &mut sinks))
    }

    pub(crate) fn dispatch(&mut self, vhost: &VhostName, queue: &QueueName) {
        self.with_queue(vhost, queue, |q, s| {
            s.dispatch(q);
            q.evaluate_limit();
        });
    }

    pub(crate) fn expire_heads(&mut self, vhost: &VhostName, queue: &QueueName) {
        self.with_queue(vhost, queue, |q, s| s.expire_heads(q));
    }

    /// Puts an unacked copy back at its original position, marked redelivered; the queue
    /// re-applies drop-head limits (semantics §7.5). A quorum queue counts the return and
    /// dead-letters a copy past its delivery limit (semantics §10.8). Credit bookkeeping
    /// ([`Broker::release_credit`]) and dispatch are the caller's job.
    pub(crate) fn requeue(
        &mut self,
        vhost: &VhostName,
        queue: QueueName,
        mut entry: Entry,
        how: Return,
    ) {
        entry.set_redelivered();
        let message = entry.message.id;
        // 4.x counts failed deliveries only: a nack (a "modify" that did not fail) does not.
        let compat = self.compat;
        let counts = !(how == Return::Nack && compat == crate::Compat::RabbitMq4);
        let done = self.with_queue(vhost, &queue, |q, s| {
            if q.kind() == QueueType::Stream {
                // Nothing goes back into a log: the consumer's credit is all it returns.
                return;
            }
            if q.kind() == QueueType::Quorum {
                entry.count_return(counts);
                if q.args
                    .delivery_limit
                    .is_some_and(|limit| entry.delivery_count() > limit)
                {
                    s.kill(
                        q,
                        entry,
                        DeathReason::DeliveryLimit,
                        Some(DropReason::DeliveryLimit),
                    );
                    return;
                }
            }
            // 3.10 re-enqueues a nack/reject without a delivery limit at the back (observed);
            // 4.x puts every return in the returns queue (rabbitmq.com/docs/priority,
            // "Redelivery of Returned Messages").
            let to_returns = how == Return::Closed
                || q.args.delivery_limit.is_some()
                || compat == crate::Compat::RabbitMq4;
            q.requeue(entry, to_returns);
            s.emit(|| Event::Requeued {
                queue: q.name.clone(),
                message,
            });
            s.drop_head_while_over(q);
            q.evaluate_limit();
        });
        if done.is_none() {
            self.emit(Event::Dropped {
                queue,
                message,
                reason: DropReason::QueueGone,
            });
        }
    }

    /// Bookkeeping when a delivery is settled (acked, nacked, rejected): the consumer and the
    /// channel get their credit back. A consumer that was blocked moves to the back of the
    /// dispatch order, as RabbitMQ re-adds unblocked consumers at the tail.
    pub(crate) fn release_credit(
        &mut self,
        vhost: &VhostName,
        channel: crate::ChannelRef,
        unacked: &Unacked,
    ) {
        if let Some(ch) = self
            .connections
            .get_mut(&channel.connection)
            .and_then(|c| c.channels.get_mut(&channel.channel))
        {
            if unacked.global {
                ch.consumer_unacked = ch.consumer_unacked.saturating_sub(1);
            }
        }
        let Some(tag) = &unacked.consumer else {
            if let Some(q) = self
                .vhosts
                .get_mut(vhost)
                .and_then(|v| v.queues.get_mut(&unacked.queue))
            {
                q.unacked = q.unacked.saturating_sub(1);
            }
            return;
        };
        let Some(q) = self
            .vhosts
            .get_mut(vhost)
            .and_then(|v| v.queues.get_mut(&unacked.queue))
        else {
            return;
        };
        q.unacked = q.unacked.saturating_sub(1);
        if let Some(i) = q
            .consumers
            .iter()
            .position(|c| c.channel == channel && &c.tag == tag)
        {
            let was_blocked = !q.consumers[i].has_credit();
            q.consumers[i].unacked = q.consumers[i].unacked.saturating_sub(1);
            if was_blocked && !q.args.single_active_consumer {
                let c = q.consumers.remove(i);
                q.consumers.push(c);
            }
        }
    }

    /// Removes consumer `tag` of `channel` from `queue` (cancel, channel close, queue deletion).
    pub(crate) fn remove_consumer(
        &mut self,
        vhost: &VhostName,
        queue: &QueueName,
        channel: crate::ChannelRef,
        tag: &ConsumerTag,
        by_server: bool,
    ) {
        let mut activated = None;
        if let Some(q) = self
            .vhosts
            .get_mut(vhost)
            .and_then(|v| v.queues.get_mut(queue))
        {
            if let Some(i) = q
                .consumers
                .iter()
                .position(|c| c.channel == channel && &c.tag == tag)
            {
                q.consumers.remove(i);
                if q.consumers.is_empty() {
                    // The x-expires lease restarts when the last consumer leaves.
                    q.last_used = self.now;
                }
                if i == 0 && q.args.single_active_consumer {
                    activated = q.consumers.first().map(|c| (c.channel, c.tag.clone()));
                }
            }
        }
        self.emit(Event::ConsumerCancelled {
            channel,
            consumer_tag: tag.clone(),
            queue: queue.clone(),
            by_server,
        });
        if let Some((channel, consumer_tag)) = activated {
            self.emit(Event::ConsumerActivated {
                channel,
                consumer_tag,
                queue: queue.clone(),
            });
        }
    }
}
