//! `exchange.*` commands and bindings (`queue.bind`/`unbind`, `exchange.bind`/`unbind`),
//! including auto-delete cascades (semantics §2, §3).

use super::queue::{check_args_equivalent, inequivalent, locked, strip_cr_lf};
use super::Broker;
use crate::command::{
    ExchangeBind, ExchangeDeclare, ExchangeDelete, ExchangeUnbind, QueueBind, QueueUnbind, Reply,
};
use crate::error::{BrokerError, Resource};
use crate::event::Event;
use crate::exchange::{ExchangeKind, RoutingTable};
use crate::permissions::Access;
use crate::reply_to::is_reply_to;
use crate::vhost::Exchange;
use crate::{ChannelRef, Destination, ExchangeName, FieldTable, FieldValue, QueueName, VhostName};

fn default_exchange_refused() -> BrokerError {
    BrokerError::AccessRefused("operation not permitted on the default exchange".into())
}

fn no_exchange(name: &ExchangeName, vhost: &VhostName) -> BrokerError {
    BrokerError::NotFound(format!(
        "no {}",
        Resource("exchange", name.as_str(), vhost.as_str())
    ))
}

/// One binding command, queue or exchange destination, bind or unbind.
struct BindingOp {
    channel: ChannelRef,
    source: ExchangeName,
    destination: Destination,
    routing_key: String,
    arguments: FieldTable,
}

impl Broker {
    pub(super) fn exchange_declare(&mut self, c: ExchangeDeclare) -> Result<Reply, BrokerError> {
        let vhost = self.vhost_of(c.channel)?;
        let name = ExchangeName(strip_cr_lf(c.exchange.as_str()));
        if c.passive {
            if name.as_str().is_empty() {
                return Err(default_exchange_refused());
            }
            if !self.vhosts[&vhost].exchanges.contains_key(&name) {
                return Err(no_exchange(&name, &vhost));
            }
            return Ok(Reply::ExchangeDeclareOk);
        }
        // The type is checked first, even before the default-exchange check.
        let Some(kind) = ExchangeKind::parse(&c.kind) else {
            // RabbitMQ says "invalid" when the name happens to be an existing Erlang atom
            // (`rabbit_registry:binary_to_type/1` uses `list_to_existing_atom`) and "unknown"
            // otherwise; a few names that are atoms in every RabbitMQ node stand in for that.
            const ATOMS: &[&str] = &[
                "foo",
                "bar",
                "baz",
                "queue",
                "exchange",
                "classic",
                "quorum",
                "stream",
                "true",
                "false",
                "undefined",
                "ok",
                "error",
                "all",
                "any",
                "none",
                "default",
                "local",
            ];
            let word = if ATOMS.contains(&c.kind.as_str()) {
                "invalid"
            } else {
                "unknown"
            };
            let text = format!("{word} exchange type '{}'", c.kind);
            return Err(if self.compat.unknown_exchange_type_is_connection_error() {
                BrokerError::CommandInvalid(text)
            } else {
                BrokerError::PreconditionFailed(text)
            });
        };
        if name.as_str().is_empty() {
            return Err(default_exchange_refused());
        }
        self.check_permission(c.channel, Access::Configure, "exchange", name.as_str())?;
        let resource = Resource("exchange", name.as_str(), vhost.as_str());
        if let Some(x) = self.vhosts[&vhost].exchanges.get(&name) {
            let field = |key: &str, new: &str, old: &str| {
                inequivalent(resource, key, &format!("'{new}'"), &format!("'{old}'"))
            };
            if x.kind != kind {
                return Err(field("type", kind.name(), x.kind.name()));
            }
            if x.durable != c.durable {
                return Err(field(
                    "durable",
                    &c.durable.to_string(),
                    &x.durable.to_string(),
                ));
            }
            if x.auto_delete != c.auto_delete {
                return Err(field(
                    "auto_delete",
                    &c.auto_delete.to_string(),
                    &x.auto_delete.to_string(),
                ));
            }
            if x.internal != c.internal {
                return Err(field(
                    "internal",
                    &c.internal.to_string(),
                    &x.internal.to_string(),
                ));
            }
            // Only `alternate-exchange` is compared among the arguments (semantics §2.2).
            check_args_equivalent(
                &x.arguments,
                &c.arguments,
                &["alternate-exchange"],
                resource,
            )?;
            return Ok(Reply::ExchangeDeclareOk);
        }
        if name.as_str().starts_with("amq.") {
            return Err(BrokerError::AccessRefused(format!(
                "exchange name '{name}' contains reserved prefix 'amq.*'"
            )));
        }
        if let Some(ae) = c.arguments.get("alternate-exchange") {
            let FieldValue::LongString(ae) = ae else {
                return Err(BrokerError::PreconditionFailed(format!(
                    "invalid type '{}' for arg 'alternate-exchange' in {resource}",
                    ae.type_name()
                )));
            };
            let ae = String::from_utf8_lossy(ae).into_owned();
            self.check_permission(c.channel, Access::Read, "exchange", name.as_str())?;
            self.check_permission(c.channel, Access::Write, "exchange", &ae)?;
        }
        self.vhosts
            .get_mut(&vhost)
            .expect("channel's vhost exists")
            .exchanges
            .insert(
                name.clone(),
                Exchange {
                    kind,
                    durable: c.durable,
                    auto_delete: c.auto_delete,
                    internal: c.internal,
                    arguments: c.arguments,
                    table: RoutingTable::new(kind),
                },
            );
        self.emit(Event::ExchangeDeclared {
            vhost,
            exchange: name,
            kind: kind.name().to_string(),
            durable: c.durable,
            auto_delete: c.auto_delete,
            internal: c.internal,
        });
        Ok(Reply::ExchangeDeclareOk)
    }

    pub(super) fn exchange_delete(&mut self, c: ExchangeDelete) -> Result<Reply, BrokerError> {
        let vhost = self.vhost_of(c.channel)?;
        let name = ExchangeName(strip_cr_lf(c.exchange.as_str()));
        if name.as_str().is_empty() {
            return Err(default_exchange_refused());
        }
        if name.as_str().starts_with("amq.") {
            return Err(BrokerError::AccessRefused(format!(
                "deletion of system {} not allowed",
                Resource("exchange", name.as_str(), vhost.as_str())
            )));
        }
        self.check_permission(c.channel, Access::Configure, "exchange", name.as_str())?;
        let Some(x) = self.vhosts[&vhost].exchanges.get(&name) else {
            return Ok(Reply::ExchangeDeleteOk);
        };
        // In use = source of a binding; being a destination does not count (semantics §2.4).
        if c.if_unused && !x.table.is_empty() {
            return Err(BrokerError::PreconditionFailed(format!(
                "{} in use",
                Resource("exchange", name.as_str(), vhost.as_str())
            )));
        }
        self.remove_exchange(&vhost, &name);
        Ok(Reply::ExchangeDeleteOk)
    }

    /// Deletes an exchange and every binding it is source or destination of (the latter may
    /// auto-delete their sources in turn).
    pub(crate) fn remove_exchange(&mut self, vhost: &VhostName, name: &ExchangeName) {
        let Some(x) = self
            .vhosts
            .get_mut(vhost)
            .and_then(|v| v.exchanges.remove(name))
        else {
            return;
        };
        for (destination, key, args) in x.table.bindings() {
            self.emit(Event::Unbound {
                vhost: vhost.clone(),
                source: name.clone(),
                destination: destination.clone(),
                routing_key: key.to_string(),
                arguments: args.clone(),
            });
        }
        self.emit(Event::ExchangeDeleted {
            vhost: vhost.clone(),
            exchange: name.clone(),
        });
        self.remove_bindings_to(vhost, &Destination::Exchange(name.clone()));
    }

    /// Removes every binding leading to `destination`; sources left without bindings that are
    /// auto-delete go too (semantics §2.5).
    pub(crate) fn remove_bindings_to(&mut self, vhost: &VhostName, destination: &Destination) {
        let Some(v) = self.vhosts.get_mut(vhost) else {
            return;
        };
        let mut removed = Vec::new();
        let mut emptied = Vec::new();
        for (source, x) in v.exchanges.iter_mut() {
            let bindings: Vec<(String, FieldTable)> = x
                .table
                .bindings()
                .filter(|(d, _, _)| *d == destination)
                .map(|(_, k, a)| (k.to_string(), a.clone()))
                .collect();
            if bindings.is_empty() {
                continue;
            }
            x.table.remove_destination(destination);
            for (key, args) in bindings {
                removed.push((source.clone(), key, args));
            }
            if x.auto_delete && x.table.is_empty() {
                emptied.push(source.clone());
            }
        }
        for (source, routing_key, arguments) in removed {
            self.emit(Event::Unbound {
                vhost: vhost.clone(),
                source,
                destination: destination.clone(),
                routing_key,
                arguments,
            });
        }
        for source in emptied {
            self.remove_exchange(vhost, &source);
        }
    }

    pub(super) fn queue_bind(&mut self, c: QueueBind) -> Result<Reply, BrokerError> {
        let op =
            self.queue_binding_op(c.channel, c.queue, c.exchange, c.routing_key, c.arguments)?;
        self.bind(op)?;
        Ok(Reply::QueueBindOk)
    }

    pub(super) fn queue_unbind(&mut self, c: QueueUnbind) -> Result<Reply, BrokerError> {
        let op =
            self.queue_binding_op(c.channel, c.queue, c.exchange, c.routing_key, c.arguments)?;
        self.unbind(op)?;
        Ok(Reply::QueueUnbindOk)
    }

    pub(super) fn exchange_bind(&mut self, c: ExchangeBind) -> Result<Reply, BrokerError> {
        self.vhost_of(c.channel)?;
        self.bind(BindingOp {
            channel: c.channel,
            source: ExchangeName(strip_cr_lf(c.source.as_str())),
            destination: Destination::Exchange(ExchangeName(strip_cr_lf(c.destination.as_str()))),
            routing_key: c.routing_key,
            arguments: c.arguments,
        })?;
        Ok(Reply::ExchangeBindOk)
    }

    pub(super) fn exchange_unbind(&mut self, c: ExchangeUnbind) -> Result<Reply, BrokerError> {
        self.vhost_of(c.channel)?;
        self.unbind(BindingOp {
            channel: c.channel,
            source: ExchangeName(strip_cr_lf(c.source.as_str())),
            destination: Destination::Exchange(ExchangeName(strip_cr_lf(c.destination.as_str()))),
            routing_key: c.routing_key,
            arguments: c.arguments,
        })?;
        Ok(Reply::ExchangeUnbindOk)
    }

    /// `queue=""` means the most recently declared queue and then `routing_key=""` means its
    /// name (semantics §3.7).
    fn queue_binding_op(
        &self,
        channel: ChannelRef,
        queue: QueueName,
        exchange: ExchangeName,
        routing_key: String,
        arguments: FieldTable,
    ) -> Result<BindingOp, BrokerError> {
        self.vhost_of(channel)?;
        let shortcut = strip_cr_lf(queue.as_str()).is_empty();
        let queue = self.resolve_queue(channel, &queue)?;
        let routing_key = if shortcut && routing_key.is_empty() {
            queue.as_str().to_string()
        } else {
            routing_key
        };
        Ok(BindingOp {
            channel,
            source: ExchangeName(strip_cr_lf(exchange.as_str())),
            destination: Destination::Queue(queue),
            routing_key,
            arguments,
        })
    }

    /// Checks shared by bind and unbind, in RabbitMQ's order: default exchange (403),
    /// direct reply-to (403), permissions (write on the destination, read on the source).
    fn check_binding(&self, op: &BindingOp) -> Result<(), BrokerError> {
        let dest_name = match &op.destination {
            Destination::Queue(q) => q.as_str(),
            Destination::Exchange(x) => x.as_str(),
        };
        if op.source.as_str().is_empty()
            || matches!(&op.destination, Destination::Exchange(x) if x.as_str().is_empty())
        {
            return Err(default_exchange_refused());
        }
        if self.compat.refuses_binding_reply_to()
            && matches!(&op.destination, Destination::Queue(q) if is_reply_to(q.as_str()))
        {
            return Err(BrokerError::AccessRefused(
                "cannot bind or unbind to a volatile (direct reply-to) queue".into(),
            ));
        }
        let kind = match op.destination {
            Destination::Queue(_) => "queue",
            Destination::Exchange(_) => "exchange",
        };
        self.check_permission(op.channel, Access::Write, kind, dest_name)?;
        self.check_permission(op.channel, Access::Read, "exchange", op.source.as_str())?;
        Ok(())
    }

    fn bind(&mut self, op: BindingOp) -> Result<(), BrokerError> {
        let vhost = self.vhost_of(op.channel)?;
        self.check_binding(&op)?;
        let v = &self.vhosts[&vhost];
        // The source is reported first when both ends are missing (semantics §3.3).
        let Some(source) = v.exchanges.get(&op.source) else {
            return Err(no_exchange(&op.source, &vhost));
        };
        match &op.destination {
            Destination::Queue(q) => {
                if !v.queues.contains_key(q) {
                    return Err(BrokerError::NotFound(format!(
                        "no {}",
                        Resource("queue", q.as_str(), vhost.as_str())
                    )));
                }
            }
            Destination::Exchange(x) => {
                if !v.exchanges.contains_key(x) {
                    return Err(no_exchange(x, &vhost));
                }
            }
        }
        RoutingTable::validate(source.kind, &op.routing_key, &op.arguments, self.compat)
            .map_err(BrokerError::PreconditionFailed)?;
        if let Destination::Queue(q) = &op.destination {
            if v.queues[q].is_exclusive_to_other(op.channel.connection) {
                return Err(locked(q, &vhost));
            }
        }
        let source = self
            .vhosts
            .get_mut(&vhost)
            .and_then(|v| v.exchanges.get_mut(&op.source))
            .expect("checked above");
        if source
            .table
            .add(op.destination.clone(), &op.routing_key, &op.arguments)
        {
            self.emit(Event::Bound {
                vhost,
                source: op.source,
                destination: op.destination,
                routing_key: op.routing_key,
                arguments: op.arguments.sorted(),
            });
        }
        Ok(())
    }

    fn unbind(&mut self, op: BindingOp) -> Result<(), BrokerError> {
        let vhost = self.vhost_of(op.channel)?;
        self.check_binding(&op)?;
        let v = &self.vhosts[&vhost];
        // Unbinding something missing succeeds silently (semantics §3.2).
        let Some(source) = v.exchanges.get(&op.source) else {
            return Ok(());
        };
        let exists = source.table.bindings().any(|(d, k, a)| {
            *d == op.destination && k == op.routing_key && *a == op.arguments.sorted()
        });
        if !exists {
            return Ok(());
        }
        if let Destination::Queue(q) = &op.destination {
            if v.queues
                .get(q)
                .is_some_and(|q| q.is_exclusive_to_other(op.channel.connection))
            {
                return Err(locked(q, &vhost));
            }
        }
        let source = self
            .vhosts
            .get_mut(&vhost)
            .and_then(|v| v.exchanges.get_mut(&op.source))
            .expect("checked above");
        source
            .table
            .remove(&op.destination, &op.routing_key, &op.arguments);
        let auto_delete = source.auto_delete && source.table.is_empty();
        self.emit(Event::Unbound {
            vhost: vhost.clone(),
            source: op.source.clone(),
            destination: op.destination,
            routing_key: op.routing_key,
            arguments: op.arguments.sorted(),
        });
        if auto_delete {
            self.remove_exchange(&vhost, &op.source);
        }
        Ok(())
    }
}
