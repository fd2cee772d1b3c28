//! Changing the topology while it runs: every edit is the AMQP command a client would send,
//! so the broker validates it and a refusal carries RabbitMQ's own reply text. The scenario
//! (and so the drawing) changes only when the broker said yes.

use std::rc::Rc;

use amqp_playground_core::{
    BasicQos, ChannelRef, CloseConnection, Command, ExchangeDeclare, ExchangeDelete, ExchangeName,
    FieldTable, FieldValue, QueueBind, QueueDeclare, QueueDelete, QueueName, QueueUnbind, Reply,
};

use super::{shorten, ConsumerClient, Playground, PlaygroundError, ProducerClient};
use crate::scene::{layout_styled, with_moves, NodeKind, Point};
use crate::sim::scenario::{
    ArgValue, BindingSpec, ConsumerSpec, ExchangeSpec, ProducerSpec, QueueSpec,
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
}

impl Playground {
    /// Applies an edit; on refusal nothing changes.
    pub fn apply(&mut self, edit: Edit) -> Result<(), PlaygroundError> {
        match edit {
            Edit::AddExchange { name, kind } => {
                let caption = (kind != "fanout").then(|| format!("type={kind}"));
                self.add_exchange(ExchangeSpec {
                    name,
                    kind,
                    caption,
                })
            }
            Edit::AddQueue {
                name,
                bind,
                with_consumer,
                arguments,
            } => {
                self.add_queue(QueueSpec {
                    caption: Some(name.clone()),
                    name: name.clone(),
                    server_named: false,
                    arguments,
                })?;
                let rest = || -> Result<(), PlaygroundError> {
                    if let Some((exchange, key)) = bind {
                        self.add_binding(BindingSpec {
                            exchange,
                            queue: name.clone(),
                            key,
                            show_key: true,
                        })?;
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
            } => self.add_binding(BindingSpec {
                exchange,
                queue,
                key,
                show_key: true,
            }),
            Edit::AddConsumer { queue } => {
                let (name, subscript) = self.next_name(NodeKind::Consumer);
                self.add_consumer(ConsumerSpec {
                    name,
                    subscript: Some(subscript),
                    queue,
                    auto_ack: true,
                    prefetch: 0,
                    processing_ms: 0,
                })
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
                })
            }
            Edit::Remove { kind, name } => self.remove(kind, &name),
            Edit::Unbind(index) => self.remove_binding(index),
        }
    }

    /// Declares an exchange.
    pub fn add_exchange(&mut self, spec: ExchangeSpec) -> Result<(), PlaygroundError> {
        self.refuse_duplicate(NodeKind::Exchange, &spec.name)?;
        self.admin_command(&format!("declare exchange `{}`", spec.name), |channel| {
            ExchangeDeclare {
                channel,
                exchange: ExchangeName::from(spec.name.as_str()),
                kind: spec.kind.clone(),
                passive: false,
                durable: false,
                auto_delete: false,
                internal: false,
                arguments: FieldTable::default(),
            }
            .into()
        })?;
        self.scenario.exchanges.push(spec);
        self.relayout();
        Ok(())
    }

    /// Declares a queue (server-named when `spec.server_named`).
    pub fn add_queue(&mut self, spec: QueueSpec) -> Result<(), PlaygroundError> {
        self.refuse_duplicate(NodeKind::Queue, &spec.name)?;
        let asked = if spec.server_named {
            ""
        } else {
            spec.name.as_str()
        };
        let arguments = FieldTable(
            spec.arguments
                .iter()
                .map(|(k, v)| {
                    let v = match v {
                        ArgValue::Int(n) => FieldValue::I64(*n),
                        ArgValue::Str(s) => FieldValue::LongString(s.as_bytes().to_vec()),
                    };
                    (k.clone(), v)
                })
                .collect(),
        );
        let reply = self.admin_command(&format!("declare queue `{}`", spec.name), |channel| {
            QueueDeclare {
                channel,
                queue: QueueName::from(asked),
                arguments,
                ..QueueDeclare::default()
            }
            .into()
        })?;
        let name = match reply {
            Reply::QueueDeclareOk { queue, .. } => queue,
            _ => QueueName::from(spec.name.as_str()),
        };
        self.queue_names.push(name);
        self.scenario.queues.push(spec);
        self.relayout();
        Ok(())
    }

    /// Binds a queue of the scenario to an exchange with a key.
    pub fn add_binding(&mut self, spec: BindingSpec) -> Result<(), PlaygroundError> {
        let queue = self.queue_name(&spec.queue)?;
        self.admin_command(
            &format!(
                "bind `{}` to `{}` with key `{}`",
                spec.queue, spec.exchange, spec.key
            ),
            |channel| {
                QueueBind {
                    channel,
                    queue,
                    exchange: ExchangeName::from(spec.exchange.as_str()),
                    routing_key: spec.key.clone(),
                    arguments: FieldTable::default(),
                }
                .into()
            },
        )?;
        self.scenario.bindings.push(spec);
        self.relayout();
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
        let queue = self.queue_name(&spec.queue)?;
        self.admin_command(
            &format!("unbind `{}` from `{}`", spec.queue, spec.exchange),
            |channel| {
                QueueUnbind {
                    channel,
                    queue,
                    exchange: ExchangeName::from(spec.exchange.as_str()),
                    routing_key: spec.key.clone(),
                    arguments: FieldTable::default(),
                }
                .into()
            },
        )?;
        self.scenario.bindings.remove(index);
        self.relayout();
        Ok(())
    }

    /// Connects a producer (its own connection and channel).
    pub fn add_producer(&mut self, spec: ProducerSpec) -> Result<(), PlaygroundError> {
        self.refuse_duplicate(NodeKind::Producer, &spec.name)?;
        let channel = self.connect(&format!("connect `{}`", spec.name))?;
        self.producers.push(ProducerClient {
            channel,
            published: 0,
        });
        self.scenario.producers.push(spec);
        self.relayout();
        Ok(())
    }

    /// Connects a consumer and starts consuming.
    pub fn add_consumer(&mut self, spec: ConsumerSpec) -> Result<(), PlaygroundError> {
        self.refuse_duplicate(NodeKind::Consumer, &spec.name)?;
        self.queue_name(&spec.queue)?;
        let channel = self.connect(&format!("connect `{}`", spec.name))?;
        if spec.prefetch > 0 {
            self.command(
                &format!("set prefetch of `{}`", spec.name),
                BasicQos {
                    channel,
                    prefetch_size: 0,
                    prefetch_count: spec.prefetch,
                    global: false,
                },
            )?;
        }
        let name = spec.name.clone();
        self.consumers.push(ConsumerClient {
            channel,
            tag: None,
            received: 0,
            acked: 0,
        });
        self.scenario.consumers.push(spec);
        self.relayout();
        self.set_consuming(&name, true)
    }

    /// Deletes a node: its broker object (or client connection) and what hangs off it. A
    /// queue takes its consumers and bindings with it; an exchange still published to by a
    /// producer is refused.
    pub fn remove(&mut self, kind: NodeKind, name: &str) -> Result<(), PlaygroundError> {
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
                self.scenario.bindings.retain(|b| b.queue != name);
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
                self.scenario.bindings.retain(|b| b.exchange != name);
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

    fn index_of(&self, kind: NodeKind, name: &str) -> Result<usize, PlaygroundError> {
        let s = &self.scenario;
        let found = match kind {
            NodeKind::Producer => s.producers.iter().position(|p| p.name == name),
            NodeKind::Exchange => s.exchanges.iter().position(|x| x.name == name),
            NodeKind::Queue => s.queues.iter().position(|q| q.name == name),
            NodeKind::Consumer => s.consumers.iter().position(|c| c.name == name),
        };
        found.ok_or_else(|| PlaygroundError::Unknown {
            kind: kind_name(kind),
            name: name.to_string(),
        })
    }

    fn refuse_duplicate(&self, kind: NodeKind, name: &str) -> Result<(), PlaygroundError> {
        match self.index_of(kind, name) {
            Ok(_) => Err(PlaygroundError::InUse(format!(
                "a {} named `{name}` is already in this scenario",
                kind_name(kind)
            ))),
            Err(_) => Ok(()),
        }
    }

    fn close_client(&mut self, channel: ChannelRef, name: &str) -> Result<(), PlaygroundError> {
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
        let tokens = std::mem::take(&mut self.timeline);
        self.relayout();
        self.timeline = tokens;
        Ok(())
    }

    /// Rebuilds the drawing from the scenario. Tokens in flight are dropped from the screen
    /// (their arrivals still happen): their paths belonged to the old drawing.
    pub(super) fn relayout(&mut self) {
        let mut graph = self.scenario.graph();
        for (spec, name) in self.scenario.queues.iter().zip(&self.queue_names) {
            if spec.server_named {
                if let Some(node) = graph.find(NodeKind::Queue, &spec.name) {
                    graph.nodes[node.0].caption = Some(shorten(name.as_str()));
                }
            }
        }
        let moves: Vec<(usize, Point)> = self
            .moved
            .iter()
            .filter_map(|((kind, name), p)| graph.find(*kind, name).map(|id| (id.0, *p)))
            .collect();
        self.layout = Rc::new(with_moves(
            &graph,
            layout_styled(&graph, self.style),
            &moves,
        ));
        self.graph = Rc::new(graph);
        self.timeline.clear();
    }
}

fn kind_name(kind: NodeKind) -> &'static str {
    match kind {
        NodeKind::Producer => "producer",
        NodeKind::Exchange => "exchange",
        NodeKind::Queue => "queue",
        NodeKind::Consumer => "consumer",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::playground::{HOP_MS, THROUGH_MS};
    use crate::sim::{presets, PublishRequest};

    fn received(pg: &Playground, name: &str) -> u64 {
        pg.snapshot()
            .consumers
            .iter()
            .find(|c| c.name == name)
            .map_or(0, |c| c.received)
    }

    #[test]
    fn a_new_queue_bound_with_a_new_key_gets_its_messages() {
        let mut pg = Playground::new(presets::routing()).unwrap();
        let (q, _) = pg.next_name(NodeKind::Queue);
        assert_eq!(q, "Q3");
        pg.add_queue(QueueSpec {
            name: q.clone(),
            caption: Some(q.clone()),
            server_named: false,
            arguments: Vec::new(),
        })
        .unwrap();
        pg.add_binding(BindingSpec {
            exchange: "direct_logs".into(),
            queue: q.clone(),
            key: "purple".into(),
            show_key: true,
        })
        .unwrap();
        let (c, sub) = pg.next_name(NodeKind::Consumer);
        assert_eq!((c.as_str(), sub.as_str()), ("C3", "3"));
        pg.add_consumer(ConsumerSpec {
            name: c.clone(),
            subscript: Some(sub),
            queue: q.clone(),
            auto_ack: true,
            prefetch: 0,
            processing_ms: 0,
        })
        .unwrap();
        assert_eq!(pg.graph().nodes.len(), 8);
        assert!(pg
            .graph()
            .edges
            .iter()
            .any(|e| e.label.as_deref() == Some("purple")));
        pg.publish(PublishRequest {
            routing_key: Some("purple".into()),
            ..PublishRequest::default()
        })
        .unwrap();
        pg.advance(3 * HOP_MS + THROUGH_MS);
        assert_eq!(received(&pg, "C3"), 1);
        assert_eq!(pg.snapshot().unroutable, 0);
    }

    #[test]
    fn refused_edits_carry_the_brokers_text_and_change_nothing() {
        let mut pg = Playground::new(presets::hello_world()).unwrap();
        let before = pg.scenario().clone();
        let err = pg
            .add_queue(QueueSpec {
                name: "amq.mine".into(),
                caption: None,
                server_named: false,
                arguments: Vec::new(),
            })
            .unwrap_err();
        assert!(err.to_string().contains("ACCESS_REFUSED"), "{err}");
        let err = pg
            .add_exchange(ExchangeSpec {
                name: "x".into(),
                kind: "sideways".into(),
                caption: None,
            })
            .unwrap_err();
        assert!(
            err.to_string().contains("unknown exchange type 'sideways'"),
            "{err}"
        );
        let err = pg
            .add_binding(BindingSpec {
                exchange: "missing".into(),
                queue: "hello".into(),
                key: "k".into(),
                show_key: true,
            })
            .unwrap_err();
        assert!(err.to_string().contains("NOT_FOUND"), "{err}");
        assert_eq!(pg.scenario(), &before);
        // The set-up connection recovers after the refusals.
        pg.add_exchange(ExchangeSpec {
            name: "x".into(),
            kind: "fanout".into(),
            caption: None,
        })
        .unwrap();
        let err = pg
            .add_queue(QueueSpec {
                name: "hello".into(),
                caption: None,
                server_named: false,
                arguments: Vec::new(),
            })
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "a queue named `hello` is already in this scenario"
        );
    }

    #[test]
    fn deleting_a_queue_takes_its_consumers_and_bindings() {
        let mut pg = Playground::new(presets::routing()).unwrap();
        pg.remove(NodeKind::Queue, "Q2").unwrap();
        let s = pg.scenario();
        assert_eq!(s.queues.len(), 1);
        assert!(s.bindings.iter().all(|b| b.queue == "Q1"));
        assert_eq!(s.consumers.len(), 1);
        assert_eq!(pg.graph().nodes.len(), 4);
        let err = pg.remove(NodeKind::Exchange, "direct_logs").unwrap_err();
        assert!(err.to_string().contains("producer `P` publishes"), "{err}");
        pg.remove(NodeKind::Producer, "P").unwrap();
        pg.remove(NodeKind::Exchange, "direct_logs").unwrap();
        pg.remove(NodeKind::Consumer, "C1").unwrap();
        assert_eq!(pg.graph().nodes.len(), 1);
        assert!(pg.remove(NodeKind::Consumer, "C1").is_err());
    }

    #[test]
    fn adding_a_queue_is_all_or_nothing() {
        let mut pg = Playground::new(presets::hello_world()).unwrap();
        let err = pg
            .apply(Edit::AddQueue {
                name: "orphan".into(),
                bind: Some(("no_such_exchange".into(), "k".into())),
                with_consumer: true,
                arguments: Vec::new(),
            })
            .unwrap_err();
        assert!(err.to_string().contains("NOT_FOUND"), "{err}");
        assert_eq!(pg.scenario().queues.len(), 1);
        pg.apply(Edit::AddExchange {
            name: "logs".into(),
            kind: "fanout".into(),
        })
        .unwrap();
        pg.apply(Edit::AddQueue {
            name: "audit".into(),
            bind: Some(("logs".into(), String::new())),
            with_consumer: true,
            arguments: Vec::new(),
        })
        .unwrap();
        pg.apply(Edit::AddProducer {
            exchange: "logs".into(),
            routing_key: String::new(),
        })
        .unwrap();
        pg.publish(PublishRequest {
            producer: Some("P1".into()),
            ..PublishRequest::default()
        })
        .unwrap();
        pg.advance(10_000);
        assert_eq!(received(&pg, "C1"), 1);
        assert_eq!(
            pg.scenario().exchanges[0].caption,
            None,
            "fanout shows no type"
        );
    }

    #[test]
    fn unbinding_stops_the_flow() {
        let mut pg = Playground::new(presets::routing()).unwrap();
        pg.remove_binding(0).unwrap();
        pg.publish(PublishRequest::default()).unwrap();
        pg.advance(10_000);
        assert_eq!(received(&pg, "C1"), 0);
        assert_eq!(pg.snapshot().unroutable, 1);
        assert!(pg.remove_binding(9).is_err());
    }
}
