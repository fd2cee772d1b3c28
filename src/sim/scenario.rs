//! A scenario: the topology and the clients of one playground, and how it is drawn.

use crate::scene::{Graph, Node, NodeKind};

/// An exchange to declare (never the default exchange, which always exists).
#[derive(Clone, Debug, PartialEq)]
pub struct ExchangeSpec {
    /// Name.
    pub name: String,
    /// `direct`, `fanout`, `topic` or `headers`.
    pub kind: String,
    /// Text above the node (`type=direct`); the tutorials show none for fanout.
    pub caption: Option<String>,
}

/// A queue to declare.
#[derive(Clone, Debug, PartialEq)]
pub struct QueueSpec {
    /// Name.
    pub name: String,
    /// Text above the queue: usually its name; `None` for the tutorials' anonymous queues.
    pub caption: Option<String>,
    /// Declared with an empty name so the broker picks one (`amq.gen-…`); `name` is then only
    /// the scenario's handle for it and the caption shows the broker's name, shortened.
    pub server_named: bool,
    /// Declare arguments (`x-message-ttl`, `x-max-length`, `x-dead-letter-exchange`, …), sent
    /// as given: the broker checks them and refuses bad ones with RabbitMQ's text.
    pub arguments: Vec<(String, ArgValue)>,
}

/// A declare argument's value: AMQP long integers and strings cover RabbitMQ's queue arguments.
#[derive(Clone, Debug, PartialEq)]
pub enum ArgValue {
    /// A signed 64-bit integer (`l`).
    Int(i64),
    /// A string (`S`).
    Str(String),
}

impl QueueSpec {
    /// A string argument's value.
    pub fn string_argument(&self, name: &str) -> Option<&str> {
        self.arguments.iter().find_map(|(k, v)| match v {
            ArgValue::Str(s) if k == name => Some(s.as_str()),
            _ => None,
        })
    }
}

/// A queue binding.
#[derive(Clone, Debug, PartialEq)]
pub struct BindingSpec {
    /// Source exchange.
    pub exchange: String,
    /// Destination queue.
    pub queue: String,
    /// Binding key.
    pub key: String,
    /// Whether the key is drawn on the edge (fanout diagrams draw none).
    pub show_key: bool,
}

/// A publishing client with its own connection and channel.
#[derive(Clone, Debug, PartialEq)]
pub struct ProducerSpec {
    /// Name (`P`).
    pub name: String,
    /// Exchange it publishes to (`""` = default).
    pub exchange: String,
    /// Routing key it publishes with.
    pub routing_key: String,
    /// Body it sends.
    pub body: String,
}

/// A consuming client with its own connection and channel.
#[derive(Clone, Debug, PartialEq)]
pub struct ConsumerSpec {
    /// Name (`C`, `C1`).
    pub name: String,
    /// Subscript drawn after `C` (`1` for C₁).
    pub subscript: Option<String>,
    /// Queue it consumes from.
    pub queue: String,
    /// Auto-ack (`no_ack`).
    pub auto_ack: bool,
    /// Prefetch (`basic.qos`), 0 = unlimited; drawn as `prefetch=N` on its edge.
    pub prefetch: u16,
    /// Virtual ms it works on a message before acknowledging it (manual ack only).
    pub processing_ms: u64,
}

/// A whole playground setup.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Scenario {
    /// Preset id or user-given name.
    pub name: String,
    /// Exchanges, declared first.
    pub exchanges: Vec<ExchangeSpec>,
    /// Queues.
    pub queues: Vec<QueueSpec>,
    /// Bindings.
    pub bindings: Vec<BindingSpec>,
    /// Producers.
    pub producers: Vec<ProducerSpec>,
    /// Consumers.
    pub consumers: Vec<ConsumerSpec>,
}

impl Scenario {
    /// The diagram: producers, exchanges, queues, consumers, in that order, so the layout
    /// stacks siblings in declaration order like the tutorials.
    pub fn graph(&self) -> Graph {
        let mut g = Graph::default();
        for p in &self.producers {
            g.add(Node::producer(&p.name, None));
        }
        for x in &self.exchanges {
            g.add(Node::exchange(&x.name, x.caption.as_deref()));
        }
        for q in &self.queues {
            g.add(Node::queue(&q.name, q.caption.as_deref()));
        }
        for c in &self.consumers {
            g.add(Node::consumer(&c.name, c.subscript.as_deref()));
        }
        for p in &self.producers {
            let from = g.find(NodeKind::Producer, &p.name);
            // The default exchange is implicit in the tutorials: P points straight at the
            // queue its routing key names.
            let to = if p.exchange.is_empty() {
                g.find(NodeKind::Queue, &p.routing_key)
            } else {
                g.find(NodeKind::Exchange, &p.exchange)
            };
            if let (Some(from), Some(to)) = (from, to) {
                g.connect(from, to, None);
            }
        }
        // Dead letters flow from a queue to its dead-letter exchange.
        for q in &self.queues {
            if let Some(dlx) = q.string_argument("x-dead-letter-exchange") {
                let from = g.find(NodeKind::Queue, &q.name);
                let to = g.find(NodeKind::Exchange, dlx);
                if let (Some(from), Some(to)) = (from, to) {
                    g.connect(from, to, Some("dead letters"));
                }
            }
        }
        for b in &self.bindings {
            let from = g.find(NodeKind::Exchange, &b.exchange);
            let to = g.find(NodeKind::Queue, &b.queue);
            if let (Some(from), Some(to)) = (from, to) {
                g.connect(from, to, b.show_key.then_some(b.key.as_str()));
            }
        }
        for c in &self.consumers {
            let from = g.find(NodeKind::Queue, &c.queue);
            let to = g.find(NodeKind::Consumer, &c.name);
            if let (Some(from), Some(to)) = (from, to) {
                let label = (c.prefetch > 0).then(|| format!("prefetch={}", c.prefetch));
                g.connect(from, to, label.as_deref());
            }
        }
        g
    }
}

#[cfg(test)]
mod tests {
    use super::super::presets;

    #[test]
    fn hello_world_draws_p_queue_c() {
        let g = presets::hello_world().graph();
        let names: Vec<&str> = g.nodes.iter().map(|n| n.name.as_str()).collect();
        assert_eq!(names, ["P", "hello", "C"]);
        assert_eq!(g.nodes[1].caption.as_deref(), Some("hello"));
        let edges: Vec<(usize, usize)> = g.edges.iter().map(|e| (e.from.0, e.to.0)).collect();
        assert_eq!(edges, [(0, 1), (1, 2)]);
    }

    #[test]
    fn routing_draws_parallel_labelled_bindings() {
        let g = presets::routing().graph();
        let labels: Vec<Option<&str>> = g.edges.iter().map(|e| e.label.as_deref()).collect();
        assert_eq!(
            labels,
            [
                None,
                Some("orange"),
                Some("black"),
                Some("green"),
                None,
                None
            ]
        );
    }
}
