//! `queue.*` commands and queue lifecycle (creation, equivalence, deletion and what it takes
//! with it).

use super::Broker;
use crate::command::{QueueDeclare, QueueDelete, QueuePurge, Reply};
use crate::error::{BrokerError, Resource};
use crate::event::Event;
use crate::permissions::Access;
use crate::queue::{Queue, QueueArgs, QueueType};
use crate::reply_to::is_reply_to;
use crate::{ChannelRef, ConnectionId, Destination, FieldTable, FieldValue, QueueName, VhostName};

/// CR and LF are stripped from queue and exchange names (`rabbit_channel.erl:1069-1070`).
pub(crate) fn strip_cr_lf(name: &str) -> String {
    name.chars().filter(|c| *c != '\r' && *c != '\n').collect()
}

/// How RabbitMQ prints a value in an inequivalence text (`rabbit_misc:val/1`).
fn value_text(value: &FieldValue) -> String {
    match value {
        FieldValue::LongString(b) => String::from_utf8_lossy(b).into_owned(),
        FieldValue::Bool(b) => b.to_string(),
        FieldValue::F32(f) => format!("{:?}", f64::from(*f)),
        FieldValue::F64(f) => format!("{f:?}"),
        FieldValue::Timestamp(t) => t.to_string(),
        FieldValue::Void => "undefined".into(),
        other => match other.as_integer() {
            Some(n) => n.to_string(),
            None => format!("{other:?}"),
        },
    }
}

/// Integer widths are one class, floats another, everything else its own (`type_class/1`).
fn type_class(value: &FieldValue) -> &'static str {
    match value {
        FieldValue::F32(_) | FieldValue::F64(_) => "float",
        v if v.as_integer().is_some() => "int",
        v => v.type_name(),
    }
}

/// `inequivalent arg '<key>' for <rs>: received <new> but current is <old>` (semantics §1.5).
pub(crate) fn inequivalent(resource: Resource<'_>, key: &str, new: &str, old: &str) -> BrokerError {
    BrokerError::PreconditionFailed(format!(
        "inequivalent arg '{key}' for {resource}: received {new} but current is {old}"
    ))
}

/// Compares declared arguments the way `rabbit_misc:assert_args_equivalence/4` does.
pub(crate) fn check_args_equivalent(
    old: &FieldTable,
    new: &FieldTable,
    keys: &[&str],
    resource: Resource<'_>,
) -> Result<(), BrokerError> {
    let typed = |v: Option<&FieldValue>| match v {
        None => "none".to_string(),
        Some(v) => format!("the value '{}' of type '{}'", value_text(v), v.type_name()),
    };
    for key in keys {
        let (o, n) = (old.get(key), new.get(key));
        // An absent x-queue-type equals `classic` (`rabbit_misc.erl:333-336`); any other pair
        // is compared (and printed) as it is.
        if *key == "x-queue-type" {
            let classic = Some(FieldValue::string("classic"));
            if (o.is_none() && n == classic.as_ref()) || (n.is_none() && o == classic.as_ref()) {
                continue;
            }
        }
        match (o, n) {
            (None, None) => {}
            (Some(o), Some(n)) => {
                let same = type_class(o) == type_class(n)
                    && match (o.as_integer(), n.as_integer()) {
                        (Some(a), Some(b)) => a == b,
                        _ => o == n,
                    };
                // Both present: RabbitMQ prints the bare values, even when the types differ.
                if !same {
                    return Err(inequivalent(
                        resource,
                        key,
                        &format!("'{}'", value_text(n)),
                        &format!("'{}'", value_text(o)),
                    ));
                }
            }
            (o, n) => return Err(inequivalent(resource, key, &typed(n), &typed(o))),
        }
    }
    Ok(())
}

impl Broker {
    /// A queue name from a command: CR/LF stripped, `""` = the channel's most recently declared
    /// queue (semantics §3.7).
    pub(crate) fn resolve_queue(
        &self,
        ch: ChannelRef,
        name: &QueueName,
    ) -> Result<QueueName, BrokerError> {
        let name = strip_cr_lf(name.as_str());
        if !name.is_empty() {
            return Ok(QueueName(name));
        }
        self.channel(ch)?
            .last_queue
            .clone()
            .ok_or_else(|| BrokerError::NotFound("no previously declared queue".into()))
    }

    /// The queue, or 404; 405 when another connection holds it exclusively.
    pub(crate) fn find_queue(
        &self,
        vhost: &VhostName,
        name: &QueueName,
        connection: ConnectionId,
    ) -> Result<&Queue, BrokerError> {
        let queue = self.vhosts[vhost].queues.get(name).ok_or_else(|| {
            BrokerError::NotFound(format!(
                "no {}",
                Resource("queue", name.as_str(), vhost.as_str())
            ))
        })?;
        if queue.is_exclusive_to_other(connection) {
            return Err(locked(name, vhost));
        }
        Ok(queue)
    }

    pub(super) fn queue_declare(&mut self, c: QueueDeclare) -> Result<Reply, BrokerError> {
        let vhost = self.vhost_of(c.channel)?;
        let raw = strip_cr_lf(c.queue.as_str());
        if is_reply_to(&raw) {
            // Always passive-like (semantics §13.4).
            if self.reply_to_exists(&raw) {
                return Ok(Reply::QueueDeclareOk {
                    queue: QueueName(raw),
                    message_count: 0,
                    consumer_count: 1,
                });
            }
            return Err(BrokerError::NotFound(format!(
                "no {}",
                Resource("queue", &raw, vhost.as_str())
            )));
        }
        if c.passive {
            let name = self.resolve_queue(c.channel, &QueueName(raw))?;
            let (r, w, cf) = (
                self.check_permission(c.channel, Access::Read, "queue", name.as_str()),
                self.check_permission(c.channel, Access::Write, "queue", name.as_str()),
                self.check_permission(c.channel, Access::Configure, "queue", name.as_str()),
            );
            if r.is_err() && w.is_err() {
                cf?;
            }
            self.find_queue(&vhost, &name, c.channel.connection)?;
            return self.declare_ok(c.channel, &vhost, name);
        }
        let raw_was_empty = raw.is_empty();
        let name = if raw_was_empty {
            QueueName(self.names.name("amq.gen-"))
        } else {
            if raw.starts_with("amq.") {
                return Err(BrokerError::AccessRefused(format!(
                    "queue name '{raw}' contains reserved prefix 'amq.*'"
                )));
            }
            QueueName(raw)
        };
        self.check_permission(c.channel, Access::Configure, "queue", name.as_str())?;
        let owner = c.exclusive.then_some(c.channel.connection);
        // Exclusive queues are never durable (`rabbit_channel.erl:2477`).
        let durable = c.durable && !c.exclusive;
        let resource = Resource("queue", name.as_str(), vhost.as_str());
        if let Some(q) = self.vhosts[&vhost].queues.get(&name) {
            if q.exclusive_owner != owner {
                return Err(locked(&name, &vhost));
            }
            if q.durable != durable {
                return Err(inequivalent(
                    resource,
                    "durable",
                    &format!("'{durable}'"),
                    &format!("'{}'", q.durable),
                ));
            }
            if q.auto_delete != c.auto_delete {
                return Err(inequivalent(
                    resource,
                    "auto_delete",
                    &format!("'{}'", c.auto_delete),
                    &format!("'{}'", q.auto_delete),
                ));
            }
            check_args_equivalent(&q.arguments, &c.arguments, q.kind().arguments(), resource)?;
            return self.declare_ok(c.channel, &vhost, name);
        }
        if let Some(v) = c.arguments.get("x-dead-letter-exchange") {
            if !matches!(v, FieldValue::LongString(_)) {
                return Err(BrokerError::PreconditionFailed(format!(
                    "invalid type '{}' for arg 'x-dead-letter-exchange' in {resource}",
                    v.type_name()
                )));
            }
        }
        let args = QueueArgs::parse(&c.arguments, name.as_str(), vhost.as_str(), self.compat)?;
        if args.kind != QueueType::Classic {
            // Checked in this order by `rabbit_quorum_queue:declare/2` and
            // `rabbit_stream_queue:declare/2` (observed on 3.10.8).
            let property = if raw_was_empty {
                return Err(BrokerError::PreconditionFailed(format!(
                    "Cannot declare a server-named queue for type {}",
                    args.kind.module()
                )));
            } else if c.auto_delete {
                Some("auto-delete")
            } else if c.exclusive {
                Some("exclusive-owner")
            } else if !durable {
                Some("non-durable")
            } else {
                None
            };
            if let Some(property) = property {
                return Err(BrokerError::PreconditionFailed(format!(
                    "invalid property '{property}' for {resource}"
                )));
            }
        }
        if let Some(dlx) = &args.dead_letter_exchange {
            self.check_permission(c.channel, Access::Read, "queue", name.as_str())?;
            self.check_permission(c.channel, Access::Write, "exchange", dlx.as_str())?;
        }
        let queue = Queue::new(
            name.clone(),
            durable,
            c.auto_delete,
            owner,
            c.arguments.clone(),
            args,
            self.now,
        );
        self.vhosts
            .get_mut(&vhost)
            .expect("channel's vhost exists")
            .queues
            .insert(name.clone(), queue);
        self.emit(Event::QueueDeclared {
            vhost: vhost.clone(),
            queue: name.clone(),
            durable,
            exclusive: owner,
            auto_delete: c.auto_delete,
            arguments: c.arguments,
        });
        self.channel_mut(c.channel)?.last_queue = Some(name.clone());
        Ok(Reply::QueueDeclareOk {
            queue: name,
            message_count: 0,
            consumer_count: 0,
        })
    }

    /// `declare-ok` for an existing queue: its counts; the declare renews its lease and makes
    /// it the channel's most recently declared queue.
    fn declare_ok(
        &mut self,
        ch: ChannelRef,
        vhost: &VhostName,
        name: QueueName,
    ) -> Result<Reply, BrokerError> {
        let q = &self.vhosts[vhost].queues[&name];
        let (message_count, consumer_count) = (q.ready_count as u32, q.consumers.len() as u32);
        self.touch_queue(vhost, &name);
        self.channel_mut(ch)?.last_queue = Some(name.clone());
        Ok(Reply::QueueDeclareOk {
            queue: name,
            message_count,
            consumer_count,
        })
    }

    /// Renews the `x-expires` lease (consume, get, declare; semantics §5.6).
    pub(crate) fn touch_queue(&mut self, vhost: &VhostName, name: &QueueName) {
        let now = self.now;
        if let Some(q) = self
            .vhosts
            .get_mut(vhost)
            .and_then(|v| v.queues.get_mut(name))
        {
            q.last_used = now;
        }
    }

    pub(super) fn queue_purge(&mut self, c: QueuePurge) -> Result<Reply, BrokerError> {
        let vhost = self.vhost_of(c.channel)?;
        let name = self.resolve_queue(c.channel, &c.queue)?;
        let q = self.find_queue(&vhost, &name, c.channel.connection)?;
        if q.kind() == QueueType::Stream {
            return Err(not_for_streams("queue.purge", &name, &vhost));
        }
        self.check_permission(c.channel, Access::Read, "queue", name.as_str())?;
        let q = self
            .vhosts
            .get_mut(&vhost)
            .and_then(|v| v.queues.get_mut(&name))
            .expect("found above");
        let messages: Vec<_> = q.drain().into_iter().map(|e| e.message.id).collect();
        let count = messages.len() as u32;
        self.emit(Event::QueuePurged {
            queue: name,
            messages,
        });
        Ok(Reply::QueuePurgeOk {
            message_count: count,
        })
    }

    pub(super) fn queue_delete(&mut self, c: QueueDelete) -> Result<Reply, BrokerError> {
        let vhost = self.vhost_of(c.channel)?;
        let name = self.resolve_queue(c.channel, &c.queue)?;
        let Some(q) = self.vhosts[&vhost].queues.get(&name) else {
            // Deleting a missing queue succeeds (semantics §5.8).
            self.check_permission(c.channel, Access::Configure, "queue", name.as_str())?;
            return Ok(Reply::QueueDeleteOk { message_count: 0 });
        };
        if q.is_exclusive_to_other(c.channel.connection) {
            return Err(locked(&name, &vhost));
        }
        self.check_permission(c.channel, Access::Configure, "queue", name.as_str())?;
        let resource = Resource("queue", name.as_str(), vhost.as_str());
        if c.if_empty && q.ready_count > 0 {
            return Err(BrokerError::PreconditionFailed(format!(
                "{resource} not empty"
            )));
        }
        if c.if_unused && !q.consumers.is_empty() {
            return Err(BrokerError::PreconditionFailed(format!(
                "{resource} in use"
            )));
        }
        let count = q.ready_count as u32;
        self.delete_queue(&vhost, &name);
        Ok(Reply::QueueDeleteOk {
            message_count: count,
        })
    }

    /// Deletes a queue with its ready copies, its consumers (cancelled by the server) and its
    /// bindings (which may auto-delete exchanges).
    pub(crate) fn delete_queue(&mut self, vhost: &VhostName, name: &QueueName) {
        let Some(mut q) = self
            .vhosts
            .get_mut(vhost)
            .and_then(|v| v.queues.remove(name))
        else {
            return;
        };
        for consumer in std::mem::take(&mut q.consumers) {
            if let Some(ch) = self
                .connections
                .get_mut(&consumer.channel.connection)
                .and_then(|c| c.channels.get_mut(&consumer.channel.channel))
            {
                ch.consumers.remove(&consumer.tag);
            }
            self.emit(Event::ConsumerCancelled {
                channel: consumer.channel,
                consumer_tag: consumer.tag,
                queue: name.clone(),
                by_server: true,
            });
        }
        self.remove_bindings_to(vhost, &Destination::Queue(name.clone()));
        let messages = q.drain().into_iter().map(|e| e.message.id).collect();
        self.emit(Event::QueueDeleted {
            vhost: vhost.clone(),
            queue: name.clone(),
            messages,
        });
    }

    /// Auto-delete: a queue that has had a consumer goes when its last one does (§5.5).
    pub(crate) fn maybe_auto_delete(&mut self, vhost: &VhostName, name: &QueueName) {
        let gone = self.vhosts[vhost]
            .queues
            .get(name)
            .is_some_and(|q| q.auto_delete && q.had_consumer && q.consumers.is_empty());
        if gone {
            self.delete_queue(vhost, name);
        }
    }
}

/// 405 RESOURCE_LOCKED for a queue another connection holds exclusively (semantics §5.4).
pub(crate) fn locked(name: &QueueName, vhost: &VhostName) -> BrokerError {
    BrokerError::ResourceLocked(format!(
        "cannot obtain exclusive access to locked {}. It could be originally declared on another connection or the exclusive property value does not match that of the original declaration.",
        Resource("queue", name.as_str(), vhost.as_str())
    ))
}

/// `540 NOT_IMPLEMENTED - <what> not supported by stream queues queue 'q' in vhost '/'`
/// (a connection error, observed on RabbitMQ 3.10.8).
pub(crate) fn not_for_streams(what: &str, queue: &QueueName, vhost: &VhostName) -> BrokerError {
    BrokerError::NotImplemented(format!(
        "{what} not supported by stream queues {}",
        Resource("queue", queue.as_str(), vhost.as_str())
    ))
}
