//! `basic.*`, `confirm.*` and `tx.*` commands: consumers, publishing, get, acknowledgements,
//! publisher confirms and transactions.

use super::Broker;
use crate::channel::{Settle, Tx, TxOp, Unacked};
use crate::command::{
    BasicAck, BasicCancel, BasicConsume, BasicGet, BasicNack, BasicPublish, BasicQos, BasicRecover,
    BasicReject, ConfirmSelect, GetOk, Reply, TxCommit, TxRollback, TxSelect,
};
use crate::consumer::Consumer;
use crate::delivery::{delivered_properties, Delivery, Return};
use crate::error::{BrokerError, Resource};
use crate::event::{DropReason, Event};
use crate::message::DeathReason;
use crate::permissions::Access;
use crate::queue::QueueType;
use crate::reply_to::REPLY_TO;
use crate::{ChannelRef, ConsumerTag, DeliveryTag, MessageId, QueueName, VhostName};

impl Broker {
    pub(super) fn basic_qos(&mut self, c: BasicQos) -> Result<Reply, BrokerError> {
        let vhost = self.vhost_of(c.channel)?;
        if c.prefetch_size != 0 {
            return Err(BrokerError::NotImplemented(format!(
                "prefetch_size!=0 ({})",
                c.prefetch_size
            )));
        }
        let honour_global = self.compat.honours_global_qos();
        let ch = self.channel_mut(c.channel)?;
        if c.global && honour_global {
            ch.global_prefetch = c.prefetch_count;
        } else {
            // 4.3 treats global=true as per-consumer (semantics §9.3).
            ch.prefetch = c.prefetch_count;
        }
        let queues: Vec<QueueName> = ch.consumers.values().cloned().collect();
        for q in queues {
            self.dispatch(&vhost, &q);
        }
        Ok(Reply::QosOk)
    }

    pub(super) fn basic_consume(&mut self, c: BasicConsume) -> Result<Reply, BrokerError> {
        let vhost = self.vhost_of(c.channel)?;
        if self
            .channel(c.channel)?
            .consumers
            .contains_key(&c.consumer_tag)
        {
            return Err(BrokerError::NotAllowed(format!(
                "attempt to reuse consumer tag '{}'",
                c.consumer_tag
            )));
        }
        if c.queue.as_str() == REPLY_TO {
            let tag = self.consume_reply_to(c.channel, c.consumer_tag, c.no_ack)?;
            return Ok(Reply::ConsumeOk { consumer_tag: tag });
        }
        let name = self.resolve_queue(c.channel, &c.queue)?;
        self.check_permission(c.channel, Access::Read, "queue", name.as_str())?;
        let q = self.find_queue(&vhost, &name, c.channel.connection)?;
        if let Some(v) = c.arguments.get("x-priority") {
            if v.as_integer().is_none() {
                return Err(BrokerError::PreconditionFailed(format!(
                    "invalid arg 'x-priority' for {}: \"expected integer, got {}\"",
                    Resource("queue", name.as_str(), vhost.as_str()),
                    v.type_name()
                )));
            }
        }
        if q.kind() == QueueType::Quorum
            && self.compat.honours_global_qos()
            && self.channel(c.channel)?.global_prefetch != 0
        {
            // `rabbit_quorum_queue:consume/3`: global_qos_not_supported_for_queue_type.
            return Err(BrokerError::NotImplemented(format!(
                "{} does not support global qos",
                Resource("queue", name.as_str(), vhost.as_str())
            )));
        }
        let (mut offset, mut filter) = (None, None);
        if q.kind() == QueueType::Stream {
            // Observed on RabbitMQ 3.10.8, in this order.
            if c.no_ack {
                return Err(super::queue::not_for_streams(
                    "automatic acknowledgement",
                    &name,
                    &vhost,
                ));
            }
            if self.channel(c.channel)?.prefetch == 0 {
                return Err(BrokerError::PreconditionFailed(format!(
                    "consumer prefetch count is not set for '{}'",
                    Resource("queue", name.as_str(), vhost.as_str())
                )));
            }
            let spec = crate::stream::offset_spec(
                c.arguments.get("x-stream-offset"),
                name.as_str(),
                vhost.as_str(),
            )?;
            let log = q.stream.as_ref().expect("a stream has a log");
            offset = Some(log.start(&spec, self.now));
            if self.compat == crate::Compat::RabbitMq4 {
                // Stream filtering came with 3.13; 3.10 ignores the argument.
                filter = crate::stream::StreamFilter::from_arguments(&c.arguments).map(Box::new);
            }
        }
        if (c.exclusive && !q.consumers.is_empty()) || q.consumers.iter().any(|c| c.exclusive) {
            return Err(BrokerError::AccessRefused(format!(
                "{} in exclusive use",
                Resource("queue", name.as_str(), vhost.as_str())
            )));
        }
        let tag = if c.consumer_tag.as_str().is_empty() {
            ConsumerTag(self.names.name("amq.ctag-"))
        } else {
            c.consumer_tag
        };
        let priority = c
            .arguments
            .get("x-priority")
            .and_then(|v| v.as_integer())
            .unwrap_or(0);
        let ch = self.channel_mut(c.channel)?;
        ch.consumers.insert(tag.clone(), name.clone());
        let prefetch = ch.prefetch;
        let now = self.now;
        let q = self
            .vhosts
            .get_mut(&vhost)
            .and_then(|v| v.queues.get_mut(&name))
            .expect("found above");
        q.consumers.push(Consumer {
            channel: c.channel,
            tag: tag.clone(),
            no_ack: c.no_ack,
            exclusive: c.exclusive,
            prefetch,
            priority,
            unacked: 0,
            offset,
            filter,
        });
        q.had_consumer = true;
        q.last_used = now;
        let active = q.args.single_active_consumer && q.consumers.len() == 1;
        self.emit(Event::ConsumerStarted {
            channel: c.channel,
            consumer_tag: tag.clone(),
            queue: name.clone(),
        });
        if active {
            self.emit(Event::ConsumerActivated {
                channel: c.channel,
                consumer_tag: tag.clone(),
                queue: name.clone(),
            });
        }
        self.dispatch(&vhost, &name);
        Ok(Reply::ConsumeOk { consumer_tag: tag })
    }

    pub(super) fn basic_cancel(&mut self, c: BasicCancel) -> Result<Reply, BrokerError> {
        let vhost = self.vhost_of(c.channel)?;
        let ch = self.channel_mut(c.channel)?;
        // Cancelling an unknown tag is ignored, as the spec requires.
        let Some(queue) = ch.consumers.remove(&c.consumer_tag) else {
            return Ok(Reply::CancelOk {
                consumer_tag: c.consumer_tag,
            });
        };
        if queue.as_str() == REPLY_TO {
            ch.reply_to = None;
            self.emit(Event::ConsumerCancelled {
                channel: c.channel,
                consumer_tag: c.consumer_tag.clone(),
                queue,
                by_server: false,
            });
        } else {
            // Its unacked deliveries stay unacked until the channel closes (semantics §9.5).
            self.remove_consumer(&vhost, &queue, c.channel, &c.consumer_tag, false);
            self.maybe_auto_delete(&vhost, &queue);
            self.dispatch(&vhost, &queue);
        }
        Ok(Reply::CancelOk {
            consumer_tag: c.consumer_tag,
        })
    }

    pub(super) fn basic_publish(&mut self, mut c: BasicPublish) -> Result<Reply, BrokerError> {
        let vhost = self.check_publish(&c)?;
        self.rewrite_reply_to(&mut c);
        let ch = self.channel_mut(c.channel)?;
        let seq = ch.confirm.then(|| {
            let seq = ch.next_publish_seq;
            ch.next_publish_seq += 1;
            seq
        });
        let in_tx = ch.tx.is_some();
        let id = MessageId(self.next_message);
        self.next_message += 1;
        if self.record_message_events {
            self.emit(Event::Published {
                channel: c.channel,
                message: id,
                exchange: c.exchange.clone(),
                routing_key: c.routing_key.clone(),
                seq,
            });
        }
        if in_tx {
            // Routed at commit (semantics §14).
            let ch = self.channel_mut(c.channel)?;
            if let Some(tx) = &mut ch.tx {
                tx.ops.push(TxOp::Publish(Box::new(c), id));
            }
            return Ok(Reply::NoReply);
        }
        self.publish_now(&vhost, c, id, seq);
        Ok(Reply::NoReply)
    }

    fn publish_now(&mut self, vhost: &VhostName, c: BasicPublish, id: MessageId, seq: Option<u64>) {
        let channel = c.channel;
        let mandatory = c.mandatory.then_some(channel);
        let message = self.make_message(c, id);
        let outcome = self.route_and_enqueue(vhost, &message, mandatory);
        if let Some(seq) = seq {
            // basic.return (above) comes before the confirm; unroutable messages are acked.
            self.emit(if outcome.refused {
                Event::PublisherNack {
                    channel,
                    seq,
                    multiple: false,
                }
            } else {
                Event::PublisherAck {
                    channel,
                    seq,
                    multiple: false,
                }
            });
        }
    }

    pub(super) fn basic_get(&mut self, c: BasicGet) -> Result<Reply, BrokerError> {
        let vhost = self.vhost_of(c.channel)?;
        let name = self.resolve_queue(c.channel, &c.queue)?;
        self.check_permission(c.channel, Access::Read, "queue", name.as_str())?;
        let q = self.find_queue(&vhost, &name, c.channel.connection)?;
        if q.kind() == QueueType::Stream {
            return Err(super::queue::not_for_streams("basic.get", &name, &vhost));
        }
        if q.kind() == QueueType::Quorum && q.args.single_active_consumer {
            return Err(BrokerError::ResourceLocked(format!(
                "cannot obtain access to locked {}. basic.get operations are not supported by quorum queues with single active consumer",
                Resource("queue", name.as_str(), vhost.as_str())
            )));
        }
        self.touch_queue(&vhost, &name);
        let ch_ref = c.channel;
        let no_ack = c.no_ack;
        let reply = self.with_queue(&vhost, &name, |q, s| {
            s.expire_heads(q);
            let entry = q.pop()?;
            let channel = s
                .connections
                .get_mut(&ch_ref.connection)
                .and_then(|c| c.channels.get_mut(&ch_ref.channel))?;
            let tag = channel.next_delivery_tag;
            channel.next_delivery_tag += 1;
            let m = entry.message.clone();
            let redelivered = entry.redelivered();
            let properties = delivered_properties(q, &entry, true, s.acquired_count);
            if !no_ack {
                q.unacked += 1;
                channel.unacked.insert(
                    tag,
                    Unacked {
                        queue: q.name.clone(),
                        entry,
                        consumer: None,
                        global: false,
                    },
                );
            }
            if s.record {
                let event = Delivery {
                    channel: ch_ref,
                    consumer_tag: None,
                    delivery_tag: tag,
                    redelivered,
                    queue: q.name.clone(),
                    message: &m,
                    properties: properties.clone(),
                    no_ack,
                }
                .event();
                s.events.push_back(event);
            }
            // RabbitMQ drops newly exposed expired heads before counting what is left.
            s.expire_heads(q);
            q.evaluate_limit();
            Some(GetOk {
                delivery_tag: DeliveryTag(tag),
                redelivered,
                exchange: m.origin.exchange.clone(),
                routing_key: m.origin.routing_key().to_string(),
                message_count: q.ready_count as u32,
                message: m.id,
                properties,
                body: m.body.clone(),
            })
        });
        Ok(match reply.flatten() {
            Some(ok) => Reply::GetOk(Box::new(ok)),
            None => Reply::GetEmpty,
        })
    }

    /// Takes the deliveries `tag`/`multiple` name off the channel's unacked map, or fails with
    /// `unknown delivery tag N` changing nothing (semantics §10.2-3).
    fn take_unacked(
        &mut self,
        ch: ChannelRef,
        tag: DeliveryTag,
        multiple: bool,
    ) -> Result<Vec<(u64, Unacked)>, BrokerError> {
        let channel = self.channel_mut(ch)?;
        let tags: Vec<u64> = if multiple && tag.0 == 0 {
            channel.unacked.keys().copied().collect()
        } else if !channel.unacked.contains_key(&tag.0) {
            return Err(BrokerError::PreconditionFailed(format!(
                "unknown delivery tag {}",
                tag.0
            )));
        } else if multiple {
            channel.unacked.keys_up_to(tag.0).copied().collect()
        } else {
            vec![tag.0]
        };
        Ok(tags
            .into_iter()
            .filter_map(|t| channel.unacked.remove(&t).map(|u| (t, u)))
            .collect())
    }

    fn settle_command(
        &mut self,
        ch: ChannelRef,
        tag: DeliveryTag,
        multiple: bool,
        how: Settle,
    ) -> Result<Reply, BrokerError> {
        let vhost = self.vhost_of(ch)?;
        let taken = self.take_unacked(ch, tag, multiple)?;
        if !matches!(how, Settle::Ack) {
            let stream = taken.iter().find_map(|(_, u)| {
                let q = self.vhosts.get(&vhost)?.queues.get(&u.queue)?;
                (q.kind() == QueueType::Stream).then(|| q.name.clone())
            });
            if let Some(queue) = stream {
                // Observed on RabbitMQ 3.10.8 (a connection error); nothing is settled.
                self.channel_mut(ch)?.unacked.extend(taken);
                return Err(super::queue::not_for_streams(
                    "basic.nack and basic.reject",
                    &queue,
                    &vhost,
                ));
            }
        }
        let channel = self.channel_mut(ch)?;
        if let Some(tx) = &mut channel.tx {
            tx.ops.push(TxOp::Settle(taken, how));
            return Ok(Reply::NoReply);
        }
        self.settle_deliveries(&vhost, ch, taken, how);
        Ok(Reply::NoReply)
    }

    /// Acks, or nacks/rejects with or without requeue, deliveries already taken off the
    /// channel; then lets the touched queues deliver again.
    fn settle_deliveries(
        &mut self,
        vhost: &VhostName,
        ch: ChannelRef,
        taken: Vec<(u64, Unacked)>,
        how: Settle,
    ) {
        let mut touched: Vec<QueueName> = Vec::new();
        for (tag, unacked) in taken {
            self.release_credit(vhost, ch, &unacked);
            if !touched.contains(&unacked.queue) {
                touched.push(unacked.queue.clone());
            }
            let (queue, message) = (unacked.queue.clone(), unacked.entry.message.id);
            let delivery_tag = DeliveryTag(tag);
            let (requeue, back) = match how {
                Settle::Ack => {
                    if self.record_message_events {
                        self.emit(Event::Acked {
                            channel: ch,
                            delivery_tag,
                            queue,
                            message,
                        });
                    }
                    continue;
                }
                Settle::Nack { requeue } => {
                    if self.record_message_events {
                        self.emit(Event::Nacked {
                            channel: ch,
                            delivery_tag,
                            queue,
                            message,
                            requeue,
                        });
                    }
                    (requeue, Return::Nack)
                }
                Settle::Reject { requeue } => {
                    if self.record_message_events {
                        self.emit(Event::Rejected {
                            channel: ch,
                            delivery_tag,
                            queue,
                            message,
                            requeue,
                        });
                    }
                    (requeue, Return::Reject)
                }
            };
            if requeue {
                self.requeue(vhost, unacked.queue, unacked.entry, back);
            } else {
                let entry = unacked.entry;
                // (A stream's deliveries never get here: `settle_command` refuses their
                // nack/reject with 540.)
                let done = self.with_queue(vhost, &unacked.queue, |q, s| {
                    s.kill(q, entry, DeathReason::Rejected, Some(DropReason::Rejected));
                });
                if done.is_none() {
                    self.emit(Event::Dropped {
                        queue: unacked.queue,
                        message,
                        reason: DropReason::QueueGone,
                    });
                }
            }
        }
        for queue in touched {
            self.dispatch(vhost, &queue);
        }
    }

    pub(super) fn basic_ack(&mut self, c: BasicAck) -> Result<Reply, BrokerError> {
        self.settle_command(c.channel, c.delivery_tag, c.multiple, Settle::Ack)
    }

    pub(super) fn basic_nack(&mut self, c: BasicNack) -> Result<Reply, BrokerError> {
        self.settle_command(
            c.channel,
            c.delivery_tag,
            c.multiple,
            Settle::Nack { requeue: c.requeue },
        )
    }

    pub(super) fn basic_reject(&mut self, c: BasicReject) -> Result<Reply, BrokerError> {
        self.settle_command(
            c.channel,
            c.delivery_tag,
            false,
            Settle::Reject { requeue: c.requeue },
        )
    }

    pub(super) fn basic_recover(&mut self, c: BasicRecover) -> Result<Reply, BrokerError> {
        let vhost = self.vhost_of(c.channel)?;
        if !c.requeue {
            return Err(BrokerError::NotImplemented("requeue=false".into()));
        }
        let channel = self.channel_mut(c.channel)?;
        let taken: Vec<(u64, Unacked)> = std::mem::take(&mut channel.unacked).into_iter().collect();
        let mut touched = Vec::new();
        for (_, unacked) in taken {
            self.release_credit(&vhost, c.channel, &unacked);
            if !touched.contains(&unacked.queue) {
                touched.push(unacked.queue.clone());
            }
            self.requeue(&vhost, unacked.queue, unacked.entry, Return::Nack);
        }
        for queue in touched {
            self.dispatch(&vhost, &queue);
        }
        Ok(Reply::RecoverOk)
    }

    pub(super) fn confirm_select(&mut self, c: ConfirmSelect) -> Result<Reply, BrokerError> {
        let ch = self.channel_mut(c.channel)?;
        if ch.tx.is_some() {
            return Err(BrokerError::PreconditionFailed(
                "cannot switch from tx to confirm mode".into(),
            ));
        }
        ch.confirm = true;
        Ok(Reply::ConfirmSelectOk)
    }

    pub(super) fn tx_select(&mut self, c: TxSelect) -> Result<Reply, BrokerError> {
        let ch = self.channel_mut(c.channel)?;
        if ch.confirm {
            return Err(BrokerError::PreconditionFailed(
                "cannot switch from confirm to tx mode".into(),
            ));
        }
        if ch.tx.is_none() {
            ch.tx = Some(Tx::default());
        }
        Ok(Reply::TxSelectOk)
    }

    pub(super) fn tx_commit(&mut self, c: TxCommit) -> Result<Reply, BrokerError> {
        let vhost = self.vhost_of(c.channel)?;
        let ch = self.channel_mut(c.channel)?;
        let Some(tx) = &mut ch.tx else {
            return Err(not_transactional());
        };
        let ops = std::mem::take(&mut tx.ops);
        for op in ops {
            match op {
                TxOp::Publish(publish, id) => self.publish_now(&vhost, *publish, id, None),
                TxOp::Settle(taken, how) => self.settle_deliveries(&vhost, c.channel, taken, how),
            }
        }
        Ok(Reply::TxCommitOk)
    }

    pub(super) fn tx_rollback(&mut self, c: TxRollback) -> Result<Reply, BrokerError> {
        let ch = self.channel_mut(c.channel)?;
        let Some(tx) = &mut ch.tx else {
            return Err(not_transactional());
        };
        let ops = std::mem::take(&mut tx.ops);
        // Publishes are forgotten; settled deliveries become unacked again (semantics §14).
        for op in ops {
            if let TxOp::Settle(taken, _) = op {
                ch.unacked.extend(taken);
            }
        }
        Ok(Reply::TxRollbackOk)
    }
}

fn not_transactional() -> BrokerError {
    BrokerError::PreconditionFailed("channel is not transactional".into())
}
