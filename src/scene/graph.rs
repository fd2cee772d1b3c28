//! The diagram's model: nodes (producers, exchanges, queues, consumers) and the edges between
//! them, in declaration order. Any topology fits; presets and the editor both build one.

/// A node's index in [`Graph::nodes`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeId(pub usize);

/// What a node stands for; decides its shape and colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NodeKind {
    /// A publishing client (`P`).
    Producer,
    /// An exchange (`X`).
    Exchange,
    /// A queue: the five-cell record with its name above.
    Queue,
    /// A consuming client (`C`, `C₁`).
    Consumer,
}

impl NodeKind {
    /// Every kind, in drawing order.
    pub const ALL: [NodeKind; 4] = [
        NodeKind::Producer,
        NodeKind::Exchange,
        NodeKind::Queue,
        NodeKind::Consumer,
    ];

    /// The kind in words (`data-kind`, the scenario format's `view.positions[].kind`, what
    /// the inspector and screen readers say).
    pub fn id(self) -> &'static str {
        match self {
            NodeKind::Producer => "producer",
            NodeKind::Exchange => "exchange",
            NodeKind::Queue => "queue",
            NodeKind::Consumer => "consumer",
        }
    }

    /// The kind [`Self::id`] names.
    pub fn by_id(id: &str) -> Option<NodeKind> {
        NodeKind::ALL.into_iter().find(|k| k.id() == id)
    }
}

/// One node of the diagram.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// What it is.
    pub kind: NodeKind,
    /// The broker-side name (queue or exchange name) or the client's name (`P`, `C1`); unique
    /// per kind, used by the scripting API and the tests.
    pub name: String,
    /// The glyph drawn inside an ellipse (`P`, `X`, `C`); empty for queues.
    pub glyph: String,
    /// A small subscript after the glyph (`1` in C₁), drawn at half size like the tutorials.
    pub subscript: Option<String>,
    /// Text above the node (`hello`, `type=direct`); never inside the shape.
    pub caption: Option<String>,
    /// A real AMQP program relayed into the page (not simulated): what its badge's tooltip
    /// says (peer address, client product and version, channels).
    pub real: Option<String>,
    /// A queue of another type than classic: the badge's word (`quorum`) and its tooltip.
    pub badge: Option<(String, String)>,
}

/// A directed edge: a producer's publishing route, a binding, or a consumer subscription.
#[derive(Clone, Debug, PartialEq)]
pub struct Edge {
    /// Where messages come from.
    pub from: NodeId,
    /// Where they go.
    pub to: NodeId,
    /// A binding key or note drawn above the middle of the edge.
    pub label: Option<String>,
}

/// Nodes and edges in declaration order (which is also drawing and layout order).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Graph {
    /// The nodes.
    pub nodes: Vec<Node>,
    /// The edges.
    pub edges: Vec<Edge>,
}

impl Graph {
    /// Adds a node and returns its id.
    pub fn add(&mut self, node: Node) -> NodeId {
        self.nodes.push(node);
        NodeId(self.nodes.len() - 1)
    }

    /// Adds an edge.
    pub fn connect(&mut self, from: NodeId, to: NodeId, label: Option<&str>) {
        self.edges.push(Edge {
            from,
            to,
            label: label.map(str::to_string),
        });
    }

    /// The node with this kind and name.
    pub fn find(&self, kind: NodeKind, name: &str) -> Option<NodeId> {
        self.nodes
            .iter()
            .position(|n| n.kind == kind && n.name == name)
            .map(NodeId)
    }

    /// The node behind an id.
    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id.0]
    }

    /// The first edge from `from` to `to`.
    pub fn edge_between(&self, from: NodeId, to: NodeId) -> Option<usize> {
        self.edges.iter().position(|e| e.from == from && e.to == to)
    }
}

impl Node {
    /// A producer drawn as `P` (or `P₁` when `subscript` is given).
    pub fn producer(name: &str, subscript: Option<&str>) -> Node {
        Node::ellipse(NodeKind::Producer, name, "P", subscript, None)
    }

    /// An exchange drawn as `X`, with an optional caption such as `type=direct`.
    pub fn exchange(name: &str, caption: Option<&str>) -> Node {
        Node::ellipse(NodeKind::Exchange, name, "X", None, caption)
    }

    /// A queue; `caption` is usually its name, `None` for the tutorials' anonymous queues.
    pub fn queue(name: &str, caption: Option<&str>) -> Node {
        Node {
            kind: NodeKind::Queue,
            name: name.to_string(),
            glyph: String::new(),
            subscript: None,
            caption: caption.map(str::to_string),
            real: None,
            badge: None,
        }
    }

    /// A consumer drawn as `C` (or `C₁`).
    pub fn consumer(name: &str, subscript: Option<&str>) -> Node {
        Node::ellipse(NodeKind::Consumer, name, "C", subscript, None)
    }

    fn ellipse(
        kind: NodeKind,
        name: &str,
        glyph: &str,
        subscript: Option<&str>,
        caption: Option<&str>,
    ) -> Node {
        Node {
            kind,
            name: name.to_string(),
            glyph: glyph.to_string(),
            subscript: subscript.map(str::to_string),
            caption: caption.map(str::to_string),
            real: None,
            badge: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nodes_are_found_by_kind_and_name() {
        let mut g = Graph::default();
        let p = g.add(Node::producer("P", None));
        let q = g.add(Node::queue("hello", Some("hello")));
        let c = g.add(Node::consumer("C", None));
        g.connect(p, q, None);
        g.connect(q, c, None);
        assert_eq!(g.find(NodeKind::Queue, "hello"), Some(q));
        assert_eq!(g.find(NodeKind::Consumer, "hello"), None);
        assert_eq!(g.edge_between(q, c), Some(1));
        assert_eq!(g.edge_between(c, q), None);
        assert_eq!(g.node(p).glyph, "P");
    }
}
