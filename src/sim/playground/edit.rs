//! Changing the topology while it runs: every edit is the AMQP command a client would send,
//! so the broker validates it and a refusal carries RabbitMQ's own reply text. The scenario
//! (and so the drawing) changes only when the broker said yes.
//!
//! AMQP cannot change a declared queue or exchange, so changing one's options (or renaming
//! it) declares the whole topology again on a fresh broker, the way one would delete and
//! redeclare; messages waiting in queues are lost and the log says so. Client settings that a
//! live channel allows (properties, keys, settle behaviour) change in place. Also here: the
//! broker restart and how the clients come back after it, and the layout of the drawing.

use std::rc::Rc;

use amqp_playground_core::{
    ChannelRef, CloseConnection, Command, ExchangeBind, ExchangeDeclare, ExchangeDelete,
    ExchangeName, ExchangeUnbind, FieldTable, QueueBind, QueueDeclare, QueueDelete, QueueName,
    QueuePurge, QueueUnbind, Reply, Restart,
};

use super::{Consumer, Playground, PlaygroundError, DIRECT_REPLY_TO};
use crate::scene::layout::{text_width, MARGIN};
use crate::scene::{layout_styled, with_moves, NodeKind, Point};
use crate::sim::limits;
use crate::sim::scenario::{
    field_table, ArgValue, BindingSpec, ConsumerSpec, ExchangeSpec, ProducerSpec, QueueSpec,
    Scenario,
};

/// One change the editor (or the scripting API) asks for.
#[derive(Clone, Debug, PartialEq)]
pub enum Edit {
    /// Declare an exchange of a type (`direct`, `fanout`, `topic`, `headers`).
    AddExchange {
        /// Name.
        name: String,
        /// Type.
        kind: String,
    },
    /// Declare a queue, optionally bind it and give it a consumer, all or nothing.
    AddQueue {
        /// Name.
        name: String,
        /// Exchange and key to bind it with (`None`: only the default exchange reaches it).
        bind: Option<(String, String)>,
        /// Also connect a consumer to it.
        with_consumer: bool,
        /// Declare arguments (TTL, max length, dead-letter exchange, …).
        arguments: Vec<(String, ArgValue)>,
    },
    /// Bind a queue to an exchange.
    Bind {
        /// Exchange.
        exchange: String,
        /// Queue.
        queue: String,
        /// Binding key.
        key: String,
    },
    /// Connect a consumer to a queue.
    AddConsumer {
        /// Queue.
        queue: String,
    },
    /// Connect a producer publishing to an exchange (`""` = default) with a key.
    AddProducer {
        /// Exchange.
        exchange: String,
        /// Routing key.
        routing_key: String,
    },
    /// Delete a node.
    Remove {
        /// What it is.
        kind: NodeKind,
        /// Its name.
        name: String,
    },
    /// Delete the `n`th binding.
    Unbind(usize),
    /// Declare an exchange with every option (durable, auto-delete, internal, arguments).
    DeclareExchange(ExchangeSpec),
    /// Declare a queue with every option and argument.
    DeclareQueue(QueueSpec),
    /// Add a binding to a queue or an exchange, with a key and arguments.
    AddBinding(BindingSpec),
    /// Remove the binding equal to this one (source, destination, key, arguments).
    RemoveBinding(BindingSpec),
    /// Remove a queue's ready messages (`queue.purge`).
    Purge(String),
    /// Change the `index`th binding (its key, arguments or other end): unbind, then bind the
    /// new one; if the broker refuses it, the old one is bound again.
    ReplaceBinding {
        /// Which binding.
        index: usize,
        /// What it becomes.
        spec: BindingSpec,
    },
    /// Connect a producer with its properties, confirm mode and RPC role.
    DeclareProducer(ProducerSpec),
    /// Connect a consumer with its behaviour and RPC role.
    DeclareConsumer(ConsumerSpec),
    /// Change an exchange's options: the topology is declared again on a fresh broker (AMQP
    /// cannot change a declared exchange), so messages waiting in queues are lost.
    UpdateExchange(ExchangeSpec),
    /// Change a queue's options and arguments, likewise on a fresh broker.
    UpdateQueue(QueueSpec),
    /// Change a producer (same name). Properties, key and body change in place.
    UpdateProducer(ProducerSpec),
    /// Change a consumer (same name). Behaviour and processing time change in place.
    UpdateConsumer(ConsumerSpec),
    /// Give a node a new name; every reference follows. Queues and exchanges are declared
    /// again on a fresh broker.
    Rename {
        /// What it is.
        kind: NodeKind,
        /// Its name.
        name: String,
        /// The new name.
        to: String,
    },
}

impl Playground {
    /// Applies an edit; on refusal nothing changes.
    pub fn apply(&mut self, edit: Edit) -> Result<(), PlaygroundError> {
        let result = self.apply_edit(edit);
        // Removing a consumer can take an auto-delete queue with it, and so on.
        self.forget_vanished();
        result
    }

    fn apply_edit(&mut self, edit: Edit) -> Result<(), PlaygroundError> {
        match edit {
            Edit::AddExchange { name, kind } => {
                self.add_exchange(ExchangeSpec::typed(&name, &kind))
            }
            Edit::AddQueue {
                name,
                bind,
                with_consumer,
                arguments,
            } => {
                self.add_queue(QueueSpec {
                    arguments,
                    ..QueueSpec::named(&name)
                })?;
                let rest = || -> Result<(), PlaygroundError> {
                    if let Some((exchange, key)) = bind {
                        self.add_binding(BindingSpec::queue(&exchange, &name, &key))?;
                    }
                    if with_consumer {
                        self.apply(Edit::AddConsumer {
                            queue: name.clone(),
                        })?;
                    }
                    Ok(())
                };
                let result = rest();
                if result.is_err() {
                    // All or nothing: take the new queue away again.
                    let _ = self.remove(NodeKind::Queue, &name);
                }
                result
            }
            Edit::Bind {
                exchange,
                queue,
                key,
            } => {
                // A name that is no queue but an exchange makes an exchange-to-exchange binding.
                let to_exchange = self.index_of(NodeKind::Queue, &queue).is_err()
                    && self.index_of(NodeKind::Exchange, &queue).is_ok();
                self.add_binding(BindingSpec {
                    to_exchange,
                    ..BindingSpec::queue(&exchange, &queue, &key)
                })
            }
            Edit::AddConsumer { queue } => {
                let (name, subscript) = self.next_name(NodeKind::Consumer);
                self.add_consumer(ConsumerSpec::on(&name, Some(&subscript), &queue))
            }
            Edit::AddProducer {
                exchange,
                routing_key,
            } => {
                let (name, _) = self.next_name(NodeKind::Producer);
                self.add_producer(ProducerSpec {
                    name,
                    exchange,
                    routing_key,
                    body: "Hello World!".into(),
                    ..ProducerSpec::default()
                })
            }
            Edit::Remove { kind, name } => self.remove(kind, &name),
            Edit::Unbind(index) => self.remove_binding(index),
            Edit::DeclareExchange(spec) => self.add_exchange(spec),
            Edit::DeclareQueue(spec) => self.add_queue(spec),
            Edit::AddBinding(spec) => self.add_binding(spec),
            Edit::ReplaceBinding { index, spec } => {
                let old = self.scenario.bindings.get(index).cloned().ok_or_else(|| {
                    PlaygroundError::Unknown {
                        kind: "binding",
                        name: format!("#{index}"),
                    }
                })?;
                self.bind(&old, true)?;
                if let Err(e) = self.bind(&spec, false) {
                    let _ = self.bind(&old, false);
                    return Err(e);
                }
                self.scenario.bindings[index] = spec;
                self.relayout();
                Ok(())
            }
            Edit::Purge(queue) => {
                let name = self.queue_name(&queue)?;
                self.admin_command(&format!("purge `{queue}`"), |channel| {
                    QueuePurge {
                        channel,
                        queue: name,
                    }
                    .into()
                })
                .map(|_| ())
            }
            Edit::RemoveBinding(spec) => {
                let found = self.scenario.bindings.iter().position(|b| {
                    b.exchange == spec.exchange
                        && b.destination == spec.destination
                        && b.to_exchange == spec.to_exchange
                        && b.key == spec.key
                        && b.arguments == spec.arguments
                });
                match found {
                    Some(i) => self.remove_binding(i),
                    None => Err(PlaygroundError::Unknown {
                        kind: "binding",
                        name: format!(
                            "{} → {} with key `{}`",
                            spec.exchange, spec.destination, spec.key
                        ),
                    }),
                }
            }
            Edit::DeclareProducer(spec) => self.add_producer(spec),
            Edit::DeclareConsumer(spec) => self.add_consumer(spec),
            Edit::UpdateExchange(spec) => {
                let i = self.index_of(NodeKind::Exchange, &spec.name)?;
                let mut scenario = self.scenario.clone();
                scenario.exchanges[i] = spec;
                self.rebuild(scenario, None)
            }
            Edit::UpdateQueue(spec) => {
                let i = self.index_of(NodeKind::Queue, &spec.name)?;
                let mut scenario = self.scenario.clone();
                scenario.queues[i] = spec;
                self.rebuild(scenario, None)
            }
            Edit::UpdateProducer(spec) => self.update_producer(spec),
            Edit::UpdateConsumer(spec) => self.update_consumer(spec),
            Edit::Rename { kind, name, to } => self.rename(kind, &name, &to),
        }
    }

    /// Renames a node. Clients keep their connection; a queue or an exchange is a broker name,
    /// so the topology is declared again on a fresh broker under the new name.
    fn rename(&mut self, kind: NodeKind, from: &str, to: &str) -> Result<(), PlaygroundError> {
        self.index_of(kind, from)?;
        if from == to {
            return Ok(());
        }
        if to.trim().is_empty() {
            return Err(PlaygroundError::InUse("a name cannot be empty".into()));
        }
        self.refuse_duplicate(kind, to)?;
        let mut scenario = self.scenario.clone();
        scenario.rename(kind, from, to);
        match kind {
            NodeKind::Producer | NodeKind::Consumer => {
                // Only the drawing and the scenario know client names.
                self.scenario = scenario;
                if let Some(p) = self.moved.remove(&(kind, from.to_string())) {
                    self.moved.insert((kind, to.to_string()), p);
                }
                if kind == NodeKind::Producer {
                    for m in self.messages.values_mut() {
                        if m.publisher.as_deref() == Some(from) {
                            m.publisher = Some(Rc::from(to));
                        }
                    }
                }
                self.relayout();
                Ok(())
            }
            _ => self.rebuild(scenario, Some((kind, from, to))),
        }
    }

    /// Replaces the playground with `scenario` set up on a fresh broker, keeping the clock,
    /// the counts, the drawing style and hand-moved nodes (a script's steps do not run again);
    /// on refusal nothing changes.
    fn rebuild(
        &mut self,
        scenario: Scenario,
        renamed: Option<(NodeKind, &str, &str)>,
    ) -> Result<(), PlaygroundError> {
        // The script (if any) has run already: the fresh broker gets the topology only.
        let steps = scenario.steps.clone();
        let mut fresh = Playground::new(Scenario {
            steps: Vec::new(),
            ..scenario
        })?;
        fresh.scenario.steps = steps;
        // The clock and the counts go on: only what waited in queues is gone.
        fresh.now = self.now;
        for (spec, old) in self.scenario.producers.iter().zip(&self.producers) {
            if let Some(i) = fresh
                .scenario
                .producers
                .iter()
                .position(|p| p.name == spec.name)
            {
                let p = &mut fresh.producers[i];
                p.published = old.published;
                p.confirmed = old.confirmed;
                p.nacked = old.nacked;
                p.replies = old.replies;
            }
        }
        for (spec, old) in self.scenario.consumers.iter().zip(&self.consumers) {
            if let Some(i) = fresh
                .scenario
                .consumers
                .iter()
                .position(|c| c.name == spec.name)
            {
                let c = &mut fresh.consumers[i];
                c.received = old.received;
                c.acked = old.acked;
                c.refused = old.refused;
                c.replied = old.replied;
                c.last_body = old.last_body.clone();
            }
        }
        fresh.unroutable = self.unroutable;
        fresh.returned = self.returned;
        fresh.dropped = self.dropped;
        fresh.restarts = self.restarts;
        fresh.lost_in_restart = self.lost_in_restart;
        fresh.style = self.style;
        fresh.moved = std::mem::take(&mut self.moved);
        if let Some((kind, from, to)) = renamed {
            if let Some(p) = fresh.moved.remove(&(kind, from.to_string())) {
                fresh.moved.insert((kind, to.to_string()), p);
            }
        }
        fresh.log = std::mem::take(&mut self.log);
        fresh.relayout();
        fresh
            .note("topology declared again on a fresh broker (messages in queues are gone)".into());
        *self = fresh;
        Ok(())
    }

    fn update_producer(&mut self, spec: ProducerSpec) -> Result<(), PlaygroundError> {
        let i = self.index_of(NodeKind::Producer, &spec.name)?;
        let old = &self.scenario.producers[i];
        if old.confirm == spec.confirm && old.callback == spec.callback {
            self.scenario.producers[i] = spec;
            self.relayout();
            return Ok(());
        }
        // Confirm mode cannot be turned off, nor a reply consumer moved, on a live channel:
        // the client connects again.
        let mut scenario = self.scenario.clone();
        scenario.producers[i] = spec;
        self.rebuild(scenario, None)
    }

    fn update_consumer(&mut self, spec: ConsumerSpec) -> Result<(), PlaygroundError> {
        let i = self.index_of(NodeKind::Consumer, &spec.name)?;
        let old = &self.scenario.consumers[i];
        if old.queue == spec.queue && old.auto_ack == spec.auto_ack && old.prefetch == spec.prefetch
        {
            self.scenario.consumers[i] = spec;
            self.relayout();
            return Ok(());
        }
        let mut scenario = self.scenario.clone();
        scenario.consumers[i] = spec;
        self.rebuild(scenario, None)
    }

    /// Restarts the broker (the durability lesson). The core closes every connection and
    /// keeps only durable exchanges and queues, the bindings between them, and persistent
    /// messages in durable queues. Then every client starts again the way the tutorial
    /// programs do: it reconnects and declares what it uses (exchanges, queues, bindings),
    /// so transient things come back empty and durable ones come back with what they kept.
    /// Messages on their way when the connections closed are lost with them.
    pub fn restart(&mut self) -> Result<(), PlaygroundError> {
        self.restarting = true;
        let restarted = self.command("restart the broker", Restart {});
        self.restarting = false;
        restarted?;
        self.restarts += 1;
        self.admin = None;
        // The script client's channels died with its connection (what they held is back in
        // the queues, or lost with them).
        self.script.channels.clear();
        self.transit
            .retain(|t| matches!(&t.arrival, super::Arrival::Wake(w) if w.survives_restart()));
        self.timeline.clear();
        let scenario = self.scenario.clone();
        for x in &scenario.exchanges {
            self.declare_exchange(x)?;
        }
        for (i, q) in scenario.queues.iter().enumerate() {
            self.queue_names[i] = self.declare_queue(q)?;
        }
        for b in &scenario.bindings {
            self.bind(b, false)?;
        }
        for i in 0..scenario.producers.len() {
            self.reconnect_producer(i, false)?;
        }
        for (i, c) in scenario.consumers.iter().enumerate() {
            // A consumer the user had stopped stays stopped, so the queue shows what survived.
            let was_consuming = self.consumers[i].tag.is_some();
            let channel = self.connect_consumer(c)?;
            self.consumers[i].channel = channel;
            self.consumers[i].tag = None;
            if was_consuming {
                self.set_consuming(&c.name, true)?;
            }
        }
        self.relayout();
        Ok(())
    }

    /// Declares an exchange.
    pub fn add_exchange(&mut self, spec: ExchangeSpec) -> Result<(), PlaygroundError> {
        self.refuse_new_node(NodeKind::Exchange, &spec.name)?;
        self.declare_exchange(&spec)?;
        self.scenario.exchanges.push(spec);
        self.relayout();
        Ok(())
    }

    fn declare_exchange(&mut self, spec: &ExchangeSpec) -> Result<(), PlaygroundError> {
        self.admin_command(&format!("declare exchange `{}`", spec.name), |channel| {
            ExchangeDeclare {
                channel,
                exchange: ExchangeName::from(spec.name.as_str()),
                kind: spec.kind.clone(),
                passive: false,
                durable: spec.durable,
                auto_delete: spec.auto_delete,
                internal: spec.internal,
                arguments: field_table(&spec.arguments),
            }
            .into()
        })
        .map(|_| ())
    }

    /// Declares a queue (server-named when `spec.server_named`).
    pub fn add_queue(&mut self, spec: QueueSpec) -> Result<(), PlaygroundError> {
        self.refuse_new_node(NodeKind::Queue, &spec.name)?;
        let name = self.declare_queue(&spec)?;
        self.queue_names.push(name);
        self.scenario.queues.push(spec);
        self.relayout();
        Ok(())
    }

    fn declare_queue(&mut self, spec: &QueueSpec) -> Result<QueueName, PlaygroundError> {
        let asked = if spec.server_named {
            ""
        } else {
            spec.name.as_str()
        };
        let reply = self.admin_command(&format!("declare queue `{}`", spec.name), |channel| {
            QueueDeclare {
                channel,
                queue: QueueName::from(asked),
                passive: false,
                durable: spec.durable,
                exclusive: spec.exclusive,
                auto_delete: spec.auto_delete,
                arguments: field_table(&spec.arguments),
            }
            .into()
        })?;
        Ok(match reply {
            Reply::QueueDeclareOk { queue, .. } => queue,
            _ => QueueName::from(spec.name.as_str()),
        })
    }

    /// Binds a queue of the scenario, or an exchange, to an exchange with a key and arguments.
    pub fn add_binding(&mut self, spec: BindingSpec) -> Result<(), PlaygroundError> {
        limits::room_for_binding(self.scenario.bindings.len())?;
        self.bind(&spec, false)?;
        self.scenario.bindings.push(spec);
        self.relayout();
        Ok(())
    }

    /// `queue.bind` / `exchange.bind`, or their unbind.
    fn bind(&mut self, spec: &BindingSpec, unbind: bool) -> Result<(), PlaygroundError> {
        let source = ExchangeName::from(spec.exchange.as_str());
        let arguments: FieldTable = field_table(&spec.arguments);
        let key = spec.key.clone();
        let what = format!(
            "{} `{}` {} `{}` with key `{}`",
            if unbind { "unbind" } else { "bind" },
            spec.destination,
            if unbind { "from" } else { "to" },
            spec.exchange,
            spec.key
        );
        if spec.to_exchange {
            let destination = ExchangeName::from(spec.destination.as_str());
            self.admin_command(&what, |channel| {
                if unbind {
                    ExchangeUnbind {
                        channel,
                        destination,
                        source,
                        routing_key: key,
                        arguments,
                    }
                    .into()
                } else {
                    ExchangeBind {
                        channel,
                        destination,
                        source,
                        routing_key: key,
                        arguments,
                    }
                    .into()
                }
            })?;
        } else {
            let queue = self.queue_name(&spec.destination)?;
            self.admin_command(&what, |channel| {
                if unbind {
                    QueueUnbind {
                        channel,
                        queue,
                        exchange: source,
                        routing_key: key,
                        arguments,
                    }
                    .into()
                } else {
                    QueueBind {
                        channel,
                        queue,
                        exchange: source,
                        routing_key: key,
                        arguments,
                    }
                    .into()
                }
            })?;
        }
        Ok(())
    }

    /// Removes the `index`th binding of the scenario.
    pub fn remove_binding(&mut self, index: usize) -> Result<(), PlaygroundError> {
        let spec =
            self.scenario
                .bindings
                .get(index)
                .cloned()
                .ok_or_else(|| PlaygroundError::Unknown {
                    kind: "binding",
                    name: format!("#{index}"),
                })?;
        self.bind(&spec, true)?;
        self.scenario.bindings.remove(index);
        self.relayout();
        Ok(())
    }

    /// Connects a producer (its own connection and channel).
    pub fn add_producer(&mut self, spec: ProducerSpec) -> Result<(), PlaygroundError> {
        self.refuse_new_node(NodeKind::Producer, &spec.name)?;
        if let Some(cb) = &spec.callback {
            if !cb.starts_with(DIRECT_REPLY_TO) {
                self.queue_name(cb)?;
            }
        }
        let client = self.connect_producer(&spec)?;
        self.producers.push(client);
        self.scenario.producers.push(spec);
        self.relayout();
        Ok(())
    }

    /// Connects a consumer and starts consuming.
    pub fn add_consumer(&mut self, spec: ConsumerSpec) -> Result<(), PlaygroundError> {
        self.refuse_new_node(NodeKind::Consumer, &spec.name)?;
        self.queue_name(&spec.queue)?;
        let channel = self.connect_consumer(&spec)?;
        let name = spec.name.clone();
        self.consumers.push(Consumer {
            channel,
            ..Consumer::default()
        });
        self.scenario.consumers.push(spec);
        if let Err(e) = self.set_consuming(&name, true) {
            // All or nothing: the refused consumer goes away again.
            self.consumers.pop();
            self.scenario.consumers.pop();
            let _ = self.close_client(channel, &name);
            return Err(e);
        }
        self.relayout();
        Ok(())
    }

    /// Deletes a node: its broker object (or client connection) and what hangs off it. A
    /// queue takes its consumers and bindings with it; an exchange still published to by a
    /// producer is refused.
    pub fn remove(&mut self, kind: NodeKind, name: &str) -> Result<(), PlaygroundError> {
        self.deleting = matches!(kind, NodeKind::Queue | NodeKind::Exchange);
        let result = self.remove_node(kind, name);
        self.deleting = false;
        result
    }

    fn remove_node(&mut self, kind: NodeKind, name: &str) -> Result<(), PlaygroundError> {
        match kind {
            NodeKind::Producer => {
                let i = self.index_of(kind, name)?;
                self.close_client(self.producers[i].channel, name)?;
                self.producers.remove(i);
                self.scenario.producers.remove(i);
            }
            NodeKind::Consumer => {
                let i = self.index_of(kind, name)?;
                self.close_client(self.consumers[i].channel, name)?;
                self.consumers.remove(i);
                self.scenario.consumers.remove(i);
            }
            NodeKind::Queue => {
                let i = self.index_of(kind, name)?;
                let queue = self.queue_names[i].clone();
                self.admin_command(&format!("delete queue `{name}`"), |channel| {
                    QueueDelete {
                        channel,
                        queue,
                        if_unused: false,
                        if_empty: false,
                    }
                    .into()
                })?;
                // The broker cancelled its consumers; their clients go too.
                while let Some(c) = self.scenario.consumers.iter().position(|c| c.queue == name) {
                    let consumer = self.scenario.consumers[c].name.clone();
                    self.close_client(self.consumers[c].channel, &consumer)?;
                    self.consumers.remove(c);
                    self.scenario.consumers.remove(c);
                }
                self.scenario
                    .bindings
                    .retain(|b| b.to_exchange || b.destination != name);
                self.queue_names.remove(i);
                self.scenario.queues.remove(i);
            }
            NodeKind::Exchange => {
                let i = self.index_of(kind, name)?;
                if let Some(p) = self.scenario.producers.iter().find(|p| p.exchange == name) {
                    return Err(PlaygroundError::InUse(format!(
                        "exchange `{name}` is where producer `{}` publishes: delete or repoint it first",
                        p.name
                    )));
                }
                self.admin_command(&format!("delete exchange `{name}`"), |channel| {
                    ExchangeDelete {
                        channel,
                        exchange: ExchangeName::from(name),
                        if_unused: false,
                    }
                    .into()
                })?;
                self.scenario
                    .bindings
                    .retain(|b| b.exchange != name && !(b.to_exchange && b.destination == name));
                self.scenario.exchanges.remove(i);
            }
        }
        self.relayout();
        Ok(())
    }

    /// A fresh name for a new node of `kind`: `C1`, `C2`, … (`Q1`, `X1`, `P1` likewise), and
    /// the subscript to draw.
    pub fn next_name(&self, kind: NodeKind) -> (String, String) {
        let letter = match kind {
            NodeKind::Producer => "P",
            NodeKind::Exchange => "X",
            NodeKind::Queue => "Q",
            NodeKind::Consumer => "C",
        };
        (1..)
            .map(|n| (format!("{letter}{n}"), n.to_string()))
            .find(|(name, _)| self.graph.find(kind, name).is_none())
            .unwrap_or_else(|| (letter.to_string(), String::new()))
    }

    pub(in crate::sim) fn index_of(
        &self,
        kind: NodeKind,
        name: &str,
    ) -> Result<usize, PlaygroundError> {
        let s = &self.scenario;
        let found = match kind {
            NodeKind::Producer => s.producers.iter().position(|p| p.name == name),
            NodeKind::Exchange => s.exchanges.iter().position(|x| x.name == name),
            NodeKind::Queue => s.queues.iter().position(|q| q.name == name),
            NodeKind::Consumer => s.consumers.iter().position(|c| c.name == name),
        };
        found.ok_or_else(|| PlaygroundError::Unknown {
            kind: kind.id(),
            name: name.to_string(),
        })
    }

    /// Refuses a new node whose name is taken, or one past the page's limit.
    fn refuse_new_node(&self, kind: NodeKind, name: &str) -> Result<(), PlaygroundError> {
        self.refuse_duplicate(kind, name)?;
        limits::room_for_node(kind, self.scenario.nodes())
    }

    fn refuse_duplicate(&self, kind: NodeKind, name: &str) -> Result<(), PlaygroundError> {
        match self.index_of(kind, name) {
            Ok(_) => Err(PlaygroundError::InUse(format!(
                "a {} named `{name}` is already in this scenario",
                kind.id()
            ))),
            Err(_) => Ok(()),
        }
    }

    pub(in crate::sim) fn close_client(
        &mut self,
        channel: ChannelRef,
        name: &str,
    ) -> Result<(), PlaygroundError> {
        self.command(
            &format!("disconnect `{name}`"),
            CloseConnection {
                connection: channel.connection,
            },
        )
        .map(|_| ())
    }

    /// Runs a topology command on the set-up connection. A refusal can close that channel
    /// (404, 406) or its whole connection (503, 530): the next edit then opens a fresh one.
    fn admin_command(
        &mut self,
        what: &str,
        command: impl FnOnce(ChannelRef) -> Command,
    ) -> Result<Reply, PlaygroundError> {
        let channel = match self.admin {
            Some(channel) => channel,
            None => {
                let channel = self.connect("open the set-up connection")?;
                self.admin = Some(channel);
                channel
            }
        };
        let result = self.command(what, command(channel));
        if result.is_err() {
            self.admin = None;
        }
        result
    }

    /// Moves a node by hand to a new centre; its edges follow. Tokens keep flying: the
    /// edges are the same, only redrawn.
    pub fn move_node(
        &mut self,
        kind: NodeKind,
        name: &str,
        to: Point,
    ) -> Result<(), PlaygroundError> {
        self.index_of(kind, name)?;
        self.moved.insert((kind, name.to_string()), to);
        self.relayout_keeping_tokens();
        Ok(())
    }

    /// Rebuilds the drawing and keeps the tokens in flight when their paths still mean the same:
    /// the old graph's nodes and edges are where they were (a node moved by hand; a real client
    /// drawn, or its new edge, added after everything else). Otherwise, as [`Self::relayout`].
    pub(in crate::sim) fn relayout_keeping_tokens(&mut self) {
        let before = self.graph.clone();
        let tokens = std::mem::take(&mut self.timeline);
        self.relayout();
        // Tokens name nodes and edges by index: they stay valid while the old ones keep theirs.
        let node = |n: &crate::scene::Node| (n.kind, n.name.clone());
        let kept = self.graph.nodes.len() >= before.nodes.len()
            && self.graph.edges.len() >= before.edges.len()
            && before
                .nodes
                .iter()
                .zip(&self.graph.nodes)
                .all(|(a, b)| node(a) == node(b))
            && before
                .edges
                .iter()
                .zip(&self.graph.edges)
                .all(|(a, b)| (a.from, a.to) == (b.from, b.to));
        if kept {
            self.timeline = tokens;
        }
    }

    /// Rebuilds the drawing from the scenario. Tokens in flight are dropped from the screen
    /// (their arrivals still happen): their paths belonged to the old drawing.
    pub(in crate::sim) fn relayout(&mut self) {
        if self.layout_deferred {
            return;
        }
        let mut graph = self.scenario.graph();
        self.draw_remotes(&mut graph);
        for (spec, name) in self.scenario.queues.iter().zip(&self.queue_names) {
            if spec.server_named {
                if let Some(node) = graph.find(NodeKind::Queue, &spec.name) {
                    // `reply_to=amq.gen-...` keeps its words around the broker's name.
                    let short = shorten(name.as_str());
                    graph.nodes[node.0].caption = Some(match spec.caption.as_deref() {
                        Some(c) if c.contains("amq.gen-...") => c.replace("amq.gen-...", &short),
                        _ => short,
                    });
                }
            }
        }
        let mut moves: Vec<(usize, Point)> = self
            .moved
            .iter()
            .filter_map(|((kind, name), p)| graph.find(*kind, name).map(|id| (id.0, *p)))
            .collect();
        let base = layout_styled(&graph, self.style);
        // Tutorial 6 draws the reply path as a second row, right to left: an RPC client's
        // callback queue goes below, between the client and its server (unless moved by hand).
        for p in &self.scenario.producers {
            let Some(cb) = &p.callback else { continue };
            let server = self
                .scenario
                .consumers
                .iter()
                .find(|c| c.rpc_server && p.exchange.is_empty() && c.queue == p.routing_key);
            let ids = (
                graph.find(NodeKind::Producer, &p.name),
                graph.find(NodeKind::Queue, cb),
                server.and_then(|c| graph.find(NodeKind::Consumer, &c.name)),
            );
            if let (Some(client), Some(queue), Some(server)) = ids {
                if moves.iter().all(|(i, _)| *i != queue.0) {
                    let (a, b) = (base.centers[client.0], base.centers[server.0]);
                    moves.push((queue.0, Point::new((a.x + b.x) / 2.0, a.y.max(b.y) + 100.0)));
                }
            }
        }
        // A retry loop (work queue → dead-letter exchange → waiting queue → dead-lettered back
        // to the exchange feeding the work queue) is drawn as a second row under the work
        // queue, flowing back right to left, so the loop reads as a loop.
        let s = &self.scenario;
        for q in &s.queues {
            let Some(dlx) = q.string_argument("x-dead-letter-exchange") else {
                continue;
            };
            let feeds_q = |x: &str| {
                s.bindings
                    .iter()
                    .any(|b| b.exchange == x && !b.to_exchange && b.destination == q.name)
            };
            let wait = s.bindings.iter().find_map(|b| {
                let w = s
                    .queues
                    .iter()
                    .find(|w| b.exchange == dlx && !b.to_exchange && w.name == b.destination)?;
                let back = w.string_argument("x-dead-letter-exchange")?;
                feeds_q(back).then_some((w, back))
            });
            let Some((w, back)) = wait else { continue };
            let ids = (
                graph.find(NodeKind::Queue, &q.name),
                graph.find(NodeKind::Exchange, dlx),
                graph.find(NodeKind::Queue, &w.name),
                graph.find(NodeKind::Exchange, back),
            );
            let level: Vec<usize> = s
                .consumers
                .iter()
                .filter(|c| c.queue == q.name)
                .filter_map(|c| graph.find(NodeKind::Consumer, &c.name))
                .map(|id| id.0)
                .collect();
            if let (Some(q), Some(x), Some(w), Some(back)) = ids {
                let taken: Vec<usize> = moves.iter().map(|(m, _)| *m).collect();
                let free = |i: usize| !taken.contains(&i);
                let (qc, bc) = (base.centers[q.0], base.centers[back.0]);
                let below = qc.y.max(bc.y) + 110.0;
                if free(q.0) && free(x.0) && free(w.0) {
                    moves.push((x.0, Point::new(qc.x + 160.0, below)));
                    moves.push((w.0, Point::new((qc.x + bc.x) / 2.0 - 20.0, below)));
                    // Its consumers stay level with it, as before the loop went below.
                    for c in level.into_iter().filter(|&c| free(c)) {
                        moves.push((c, Point::new(base.centers[c].x, qc.y)));
                    }
                }
            }
        }
        let auto_moved = moves.len() > self.moved.len();
        let mut layout = with_moves(&graph, base, &moves);
        if auto_moved {
            // What moved to a second row left the first one shorter: fit the canvas again.
            let right = layout
                .centers
                .iter()
                .zip(&layout.shapes)
                .zip(&graph.nodes)
                .map(|((c, shape), node)| {
                    let caption = node.caption.as_deref().map_or(0.0, text_width);
                    c.x + shape.width().max(caption) / 2.0 + MARGIN
                })
                .fold(0.0, f64::max);
            layout.width = layout.width.min(right.max(1.0));
            // And close the gap the moved nodes left at the top.
            let top = layout
                .centers
                .iter()
                .zip(&layout.shapes)
                .map(|(c, shape)| c.y - shape.height() / 2.0 - 20.0 - MARGIN)
                .fold(f64::MAX, f64::min);
            if top > 1.0 && top < f64::MAX {
                let up: Vec<(usize, Point)> = layout
                    .centers
                    .iter()
                    .enumerate()
                    .map(|(i, c)| (i, Point::new(c.x, c.y - top)))
                    .collect();
                let height = layout.height - top;
                layout = with_moves(&graph, layout, &up);
                layout.height = height;
            }
        }
        self.layout = Rc::new(layout);
        self.graph = Rc::new(graph);
        self.timeline.clear();
    }
}

/// `amq.gen-JzTY20BRgKO-HjmUJj0wLg` → `amq.gen-JzT...`, as the tutorial diagrams shorten it.
fn shorten(name: &str) -> String {
    match name.strip_prefix("amq.gen-") {
        Some(rest) if rest.chars().count() > 3 => {
            format!("amq.gen-{}...", rest.chars().take(3).collect::<String>())
        }
        _ => name.to_string(),
    }
}

#[cfg(test)]
mod tests;
