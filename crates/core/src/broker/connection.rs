//! Connection and channel commands, closing (with its cleanup), vhosts and restart.

use super::Broker;
use crate::channel::{Channel, Connection};
use crate::command::{ChannelClose, ChannelOpen, CloseConnection, Connect, Reply};
use crate::error::BrokerError;
use crate::event::{DropReason, Event};
use crate::exchange::{ExchangeKind, RoutingTable};
use crate::vhost::{Exchange, Vhost};
use crate::{ChannelRef, ConnectionId, ExchangeName, FieldTable, QueueName, SortedMap, VhostName};

/// Exchanges every vhost has (semantics §2.1); the default exchange `""` is not among them: it
/// is not a real exchange (it routes by queue name and has no bindings table).
pub(crate) const PREDECLARED: &[(&str, ExchangeKind)] = &[
    ("amq.direct", ExchangeKind::Direct),
    ("amq.fanout", ExchangeKind::Fanout),
    ("amq.headers", ExchangeKind::Headers),
    ("amq.match", ExchangeKind::Headers),
    ("amq.topic", ExchangeKind::Topic),
];

impl Broker {
    pub(crate) fn add_vhost(&mut self, name: VhostName) {
        let exchanges = PREDECLARED
            .iter()
            .map(|&(n, kind)| {
                (
                    ExchangeName::from(n),
                    Exchange {
                        kind,
                        durable: true,
                        auto_delete: false,
                        internal: false,
                        arguments: FieldTable::new(),
                        table: RoutingTable::new(kind),
                    },
                )
            })
            .collect();
        self.vhosts.insert(
            name.clone(),
            Vhost {
                name,
                exchanges,
                queues: SortedMap::new(),
            },
        );
    }

    pub(super) fn connect(&mut self, c: Connect) -> Result<Reply, BrokerError> {
        let Some(user) = self
            .config
            .users
            .iter()
            .find(|u| u.name == c.user && u.password == c.password)
        else {
            return Err(BrokerError::LoginRefused(
                "Login was refused using authentication mechanism PLAIN. For details see the broker logfile.".into(),
            ));
        };
        // rabbit_reader:is_over_vhost_connection_limit/2 catches a missing vhost first.
        if !self.vhosts.contains_key(&c.vhost) {
            return Err(BrokerError::NotAllowed(format!(
                "vhost {} not found",
                c.vhost
            )));
        }
        if !user.permissions.iter().any(|p| p.vhost == c.vhost) {
            return Err(BrokerError::NotAllowed(format!(
                "access to vhost '{}' refused for user '{}'",
                c.vhost, c.user
            )));
        }
        let id = ConnectionId(self.next_connection);
        self.next_connection += 1;
        self.connections.insert(
            id,
            Connection {
                user: c.user.clone(),
                vhost: c.vhost.clone(),
                channels: SortedMap::new(),
            },
        );
        self.emit(Event::ConnectionOpened {
            connection: id,
            user: c.user,
            vhost: c.vhost,
        });
        Ok(Reply::Connected(id))
    }

    pub(super) fn close_connection_cmd(
        &mut self,
        c: CloseConnection,
    ) -> Result<Reply, BrokerError> {
        self.connection(c.connection)?;
        self.close_connection(c.connection, 200, "Goodbye".into());
        Ok(Reply::ConnectionCloseOk)
    }

    pub(super) fn channel_open(&mut self, c: ChannelOpen) -> Result<Reply, BrokerError> {
        let conn = self.connection_mut(c.channel.connection)?;
        if c.channel.channel.0 == 0 {
            return Err(BrokerError::ChannelError(
                "channel 0 is the connection itself".into(),
            ));
        }
        if conn.channels.contains_key(&c.channel.channel) {
            return Err(BrokerError::ChannelError(
                "second 'channel.open' seen".into(),
            ));
        }
        conn.channels.insert(c.channel.channel, Channel::new());
        self.emit(Event::ChannelOpened { channel: c.channel });
        Ok(Reply::ChannelOpenOk)
    }

    pub(super) fn channel_close(&mut self, c: ChannelClose) -> Result<Reply, BrokerError> {
        self.channel(c.channel)?;
        self.close_channel(c.channel, 200, "Goodbye".into());
        Ok(Reply::ChannelCloseOk)
    }

    /// Closes a channel: its consumers are cancelled, its unacked deliveries requeued
    /// (semantics §9.6), auto-delete queues that lost their last consumer deleted.
    pub(crate) fn close_channel(&mut self, ch: ChannelRef, code: u16, text: String) {
        let Some(conn) = self.connections.get_mut(&ch.connection) else {
            return;
        };
        let Some(channel) = conn.channels.remove(&ch.channel) else {
            return;
        };
        let vhost = conn.vhost.clone();
        // Requeue first (ascending tags), then drop consumers: a queue auto-deleted by losing
        // its last consumer takes the requeued messages with it, as in RabbitMQ.
        let mut touched: Vec<QueueName> = Vec::new();
        for (_, unacked) in channel.unacked {
            if !touched.contains(&unacked.queue) {
                touched.push(unacked.queue.clone());
            }
            self.release_credit(&vhost, ch, &unacked);
            self.requeue(
                &vhost,
                unacked.queue,
                unacked.entry,
                crate::delivery::Return::Closed,
            );
        }
        for (tag, queue) in channel.consumers {
            self.remove_consumer(&vhost, &queue, ch, &tag, false);
            if !touched.contains(&queue) {
                touched.push(queue);
            }
        }
        self.emit(Event::ChannelClosed {
            channel: ch,
            code,
            text,
        });
        for queue in touched {
            self.maybe_auto_delete(&vhost, &queue);
            self.dispatch(&vhost, &queue);
        }
    }

    /// Closes a connection: every channel, then its exclusive queues.
    pub(crate) fn close_connection(&mut self, id: ConnectionId, code: u16, text: String) {
        let Some(conn) = self.connections.get(&id) else {
            return;
        };
        let vhost = conn.vhost.clone();
        let channels: Vec<_> = conn.channels.keys().copied().collect();
        for channel in channels {
            // Channels of a closing connection go quietly: the connection event says why.
            self.close_channel(
                ChannelRef {
                    connection: id,
                    channel,
                },
                code,
                text.clone(),
            );
        }
        self.connections.remove(&id);
        let exclusive: Vec<QueueName> = self.vhosts[&vhost]
            .queues
            .values()
            .filter(|q| q.exclusive_owner == Some(id))
            .map(|q| q.name.clone())
            .collect();
        for queue in exclusive {
            self.delete_queue(&vhost, &queue);
        }
        self.emit(Event::ConnectionClosed {
            connection: id,
            code,
            text,
        });
    }

    /// Broker restart (see [`crate::command::Restart`]).
    pub(super) fn restart(&mut self) -> Result<Reply, BrokerError> {
        let ids: Vec<ConnectionId> = self.connections.keys().copied().collect();
        for id in ids {
            self.close_connection(
                id,
                320,
                "CONNECTION_FORCED - broker forced connection closure with reason 'shutdown'"
                    .into(),
            );
        }
        self.settle();
        let vhost_names: Vec<VhostName> = self.vhosts.keys().cloned().collect();
        for vhost_name in vhost_names {
            let vhost = self.vhosts.get_mut(&vhost_name).expect("listed above");
            let mut dropped = Vec::new();
            let mut deleted_queues = Vec::new();
            for queue in vhost.queues.values_mut() {
                if !queue.durable {
                    deleted_queues.push(queue.name.clone());
                    continue;
                }
                if queue.stream.is_some() {
                    // A stream's log is on disk: all of it stays.
                    queue.consumers.clear();
                    queue.unacked = 0;
                    continue;
                }
                let entries = queue.drain();
                for entry in entries {
                    // Unacked copies were requeued (and marked redelivered) when the
                    // connections closed above, as a recovering classic queue marks them.
                    // A quorum queue keeps every message (its Raft log is on disk).
                    if entry.message.properties.persistent()
                        || queue.kind() == crate::QueueType::Quorum
                    {
                        queue.push(entry);
                    } else {
                        dropped.push((queue.name.clone(), entry.message.id));
                    }
                }
                queue.consumers.clear();
                queue.unacked = 0;
            }
            for (queue, message) in dropped {
                self.emit(Event::Dropped {
                    queue,
                    message,
                    reason: DropReason::Restart,
                });
            }
            for queue in deleted_queues {
                self.delete_queue(&vhost_name, &queue);
            }
            let transient: Vec<ExchangeName> = self.vhosts[&vhost_name]
                .exchanges
                .iter()
                .filter(|(_, x)| !x.durable)
                .map(|(n, _)| n.clone())
                .collect();
            for exchange in transient {
                self.remove_exchange(&vhost_name, &exchange);
            }
            // Bindings survive only between durable things; deleting the transient ends above
            // removed the others.
        }
        self.emit(Event::Restarted);
        Ok(Reply::Restarted)
    }
}
