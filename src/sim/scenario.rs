//! A scenario: the topology and the clients of one playground, and how it is drawn.
//!
//! Every declare option and argument is kept as the user gave it and sent to the broker as
//! is: the core validates it and a refusal carries RabbitMQ's own text.

pub mod read;

use amqp_playground_core::{FieldTable, FieldValue, Properties};

use crate::scene::{Graph, Node, NodeKind, Point, Theme};

/// An exchange to declare (never the default exchange, which always exists).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ExchangeSpec {
    /// Name.
    pub name: String,
    /// `direct`, `fanout`, `topic` or `headers`.
    pub kind: String,
    /// Text above the node (`type=direct`); the tutorials show none for fanout.
    pub caption: Option<String>,
    /// Survives a broker restart.
    pub durable: bool,
    /// Deleted when its last binding as source goes.
    pub auto_delete: bool,
    /// Only other exchanges may route into it (a publish to it is refused).
    pub internal: bool,
    /// Declare arguments (`alternate-exchange`).
    pub arguments: Vec<(String, ArgValue)>,
}

/// A queue to declare.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct QueueSpec {
    /// Name.
    pub name: String,
    /// Text above the queue: usually its name; `None` for the tutorials' anonymous queues.
    pub caption: Option<String>,
    /// Declared with an empty name so the broker picks one (`amq.gen-…`); `name` is then only
    /// the scenario's handle for it and the caption shows the broker's name, shortened.
    pub server_named: bool,
    /// Survives a broker restart (with its persistent messages).
    pub durable: bool,
    /// Owned by the set-up connection (deleted when it closes, e.g. at a restart).
    pub exclusive: bool,
    /// Deleted when its last consumer goes.
    pub auto_delete: bool,
    /// Declare arguments (`x-message-ttl`, `x-max-length`, `x-dead-letter-exchange`, …), sent
    /// as given: the broker checks them and refuses bad ones with RabbitMQ's text.
    pub arguments: Vec<(String, ArgValue)>,
}

/// An argument or header value, typed as the editor offers them.
#[derive(Clone, Debug, PartialEq)]
pub enum ArgValue {
    /// A signed 64-bit integer (`l`).
    Int(i64),
    /// A string (`S`).
    Str(String),
    /// A boolean (`t`).
    Bool(bool),
    /// Void (`V`): the field is present with no value.
    Void,
}

impl ArgValue {
    /// The AMQP field value sent to the broker.
    pub fn to_field(&self) -> FieldValue {
        match self {
            ArgValue::Int(n) => FieldValue::I64(*n),
            ArgValue::Str(s) => FieldValue::string(s.as_str()),
            ArgValue::Bool(b) => FieldValue::Bool(*b),
            ArgValue::Void => FieldValue::Void,
        }
    }

    /// The value as the inspector writes it (`3000`, `dlx`, `true`, `void`).
    pub fn text(&self) -> String {
        match self {
            ArgValue::Int(n) => n.to_string(),
            ArgValue::Str(s) => s.clone(),
            ArgValue::Bool(b) => b.to_string(),
            ArgValue::Void => "void".into(),
        }
    }
}

/// Arguments as the field table the broker reads, in the given order.
pub fn field_table(args: &[(String, ArgValue)]) -> FieldTable {
    let mut table = FieldTable::default();
    for (k, v) in args {
        table.insert(k.clone(), v.to_field());
    }
    table
}

/// Arguments as a JSON object (`{"x-message-ttl": 3000, "x-match": "all", "v": null}`), as
/// client scripts and RabbitMQ definitions write them.
pub fn json_table(args: &[(String, ArgValue)]) -> serde_json::Value {
    let mut map = serde_json::Map::new();
    for (k, v) in args {
        let value = match v {
            ArgValue::Int(n) => serde_json::json!(n),
            ArgValue::Str(s) => serde_json::json!(s),
            ArgValue::Bool(b) => serde_json::json!(b),
            ArgValue::Void => serde_json::Value::Null,
        };
        map.insert(k.clone(), value);
    }
    serde_json::Value::Object(map)
}

fn string_argument<'a>(args: &'a [(String, ArgValue)], name: &str) -> Option<&'a str> {
    args.iter().find_map(|(k, v)| match v {
        ArgValue::Str(s) if k == name => Some(s.as_str()),
        _ => None,
    })
}

impl QueueSpec {
    /// A queue named and captioned `name`, with no options.
    pub fn named(name: &str) -> QueueSpec {
        QueueSpec {
            name: name.into(),
            caption: Some(name.into()),
            ..QueueSpec::default()
        }
    }

    /// A string argument's value.
    pub fn string_argument(&self, name: &str) -> Option<&str> {
        string_argument(&self.arguments, name)
    }

    /// `x-queue-type` as declared (`classic` when absent).
    pub fn queue_type(&self) -> &str {
        self.string_argument("x-queue-type").unwrap_or("classic")
    }

    /// A quorum queue (drawn with a badge, its messages with their delivery counts).
    pub fn is_quorum(&self) -> bool {
        self.queue_type() == "quorum"
    }

    /// A stream (drawn as a log).
    pub fn is_stream(&self) -> bool {
        self.queue_type() == "stream"
    }

    /// Makes the queue `classic`, `quorum` or `stream`. Quorum queues and streams must be
    /// durable and can be neither exclusive nor auto-delete, so choosing one sets those
    /// options as RabbitMQ requires (a learner can still untick them and read the refusal).
    pub fn set_queue_type(&mut self, kind: &str) {
        self.arguments.retain(|(k, _)| k != "x-queue-type");
        if kind == "classic" {
            return;
        }
        self.arguments
            .insert(0, ("x-queue-type".into(), ArgValue::Str(kind.into())));
        if kind == "quorum" || kind == "stream" {
            self.durable = true;
            self.exclusive = false;
            self.auto_delete = false;
        }
    }
}

impl ExchangeSpec {
    /// An exchange of a type, captioned `type=…` as the tutorials do (fanout shows none).
    pub fn typed(name: &str, kind: &str) -> ExchangeSpec {
        ExchangeSpec {
            name: name.into(),
            kind: kind.into(),
            caption: (kind != "fanout").then(|| format!("type={kind}")),
            ..ExchangeSpec::default()
        }
    }

    /// A string argument's value.
    pub fn string_argument(&self, name: &str) -> Option<&str> {
        string_argument(&self.arguments, name)
    }
}

/// A binding from an exchange to a queue or to another exchange.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BindingSpec {
    /// Source exchange.
    pub exchange: String,
    /// Destination: a queue of the scenario (its handle) or, with `to_exchange`, an exchange.
    pub destination: String,
    /// The destination is an exchange (`exchange.bind`).
    pub to_exchange: bool,
    /// Binding key.
    pub key: String,
    /// Whether the key is drawn on the edge (fanout diagrams draw none).
    pub show_key: bool,
    /// Binding arguments (headers exchanges: `x-match` and the header values to match).
    pub arguments: Vec<(String, ArgValue)>,
}

impl BindingSpec {
    /// A queue binding with a key, drawn.
    pub fn queue(exchange: &str, queue: &str, key: &str) -> BindingSpec {
        BindingSpec {
            exchange: exchange.into(),
            destination: queue.into(),
            key: key.into(),
            show_key: true,
            ..BindingSpec::default()
        }
    }

    /// What the edge says: the key, or for a headers binding its `x-match` rule and the
    /// values it compares (`all: format=pdf type=report`).
    pub fn label(&self) -> Option<String> {
        if !self.show_key {
            return None;
        }
        if self.arguments.is_empty() {
            return Some(self.key.clone());
        }
        // Short enough to sit on an edge: `all: format=pdf type=report`.
        let args: Vec<String> = self
            .arguments
            .iter()
            .filter(|(k, _)| k != "x-match")
            .map(|(k, v)| format!("{k}={}", v.text()))
            .collect();
        let mode = self
            .arguments
            .iter()
            .find(|(k, _)| k == "x-match")
            .map_or_else(|| "all".to_string(), |(_, v)| v.text());
        Some(format!("{mode}: {}", args.join(" ")))
    }
}

/// Message properties a producer sets on every publish (all optional).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MessageProps {
    /// 1 = transient, 2 = persistent.
    pub delivery_mode: Option<u8>,
    /// 0..=255, used by queues with `x-max-priority`.
    pub priority: Option<u8>,
    /// Per-message TTL in ms, as decimal text (the broker refuses anything else).
    pub expiration: Option<String>,
    /// Where replies go (set by an RPC client from its callback queue when empty).
    pub reply_to: Option<String>,
    /// RPC correlation id (an RPC client numbers its requests when empty).
    pub correlation_id: Option<String>,
    /// Application message id.
    pub message_id: Option<String>,
    /// Application headers (a headers exchange routes on them).
    pub headers: Vec<(String, ArgValue)>,
}

impl MessageProps {
    /// The AMQP basic properties.
    pub fn to_properties(&self) -> Properties {
        Properties {
            delivery_mode: self.delivery_mode,
            priority: self.priority,
            expiration: self.expiration.clone(),
            reply_to: self.reply_to.clone(),
            correlation_id: self.correlation_id.clone(),
            message_id: self.message_id.clone(),
            headers: (!self.headers.is_empty()).then(|| field_table(&self.headers)),
            ..Properties::default()
        }
    }
}

/// A publishing client with its own connection and channel.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ProducerSpec {
    /// Name (`P`).
    pub name: String,
    /// Exchange it publishes to (`""` = default).
    pub exchange: String,
    /// Routing key it publishes with.
    pub routing_key: String,
    /// Body it sends.
    pub body: String,
    /// Properties of every message.
    pub properties: MessageProps,
    /// Ask for unroutable messages back (`basic.return`).
    pub mandatory: bool,
    /// Publisher confirms (`confirm.select`): the broker acks or nacks every publish.
    pub confirm: bool,
    /// RPC client: the queue (scenario handle, or `amq.rabbitmq.reply-to`) it consumes replies
    /// from; every request carries it as `reply_to` with a fresh `correlation_id`.
    pub callback: Option<String>,
    /// Glyph drawn instead of `P` (the RPC client is drawn `C`).
    pub glyph: Option<String>,
    /// Text above the node (`Client`).
    pub caption: Option<String>,
}

/// What a manual-ack consumer does with a delivery once it has worked on it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Settle {
    /// `basic.ack`.
    #[default]
    Ack,
    /// `basic.nack` with requeue: the message goes back to its queue.
    NackRequeue,
    /// `basic.nack` without requeue: dead-lettered, or dropped without a dead-letter exchange.
    Nack,
    /// `basic.reject` without requeue.
    Reject,
    /// `basic.reject` with requeue.
    RejectRequeue,
}

impl Settle {
    /// Every choice, in menu order.
    pub const ALL: [Settle; 5] = [
        Settle::Ack,
        Settle::NackRequeue,
        Settle::Nack,
        Settle::Reject,
        Settle::RejectRequeue,
    ];

    /// The name used in scenario files and menus.
    pub fn as_str(self) -> &'static str {
        match self {
            Settle::Ack => "ack",
            Settle::NackRequeue => "nack-requeue",
            Settle::Nack => "nack",
            Settle::Reject => "reject",
            Settle::RejectRequeue => "reject-requeue",
        }
    }

    /// The choice with this name.
    pub fn parse(s: &str) -> Option<Settle> {
        Settle::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// A consuming client with its own connection and channel.
#[derive(Clone, Debug, Default, PartialEq)]
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
    /// Virtual ms it works on a message before settling it (manual ack only).
    pub processing_ms: u64,
    /// How it settles a message (manual ack only).
    pub settle: Settle,
    /// Every `fail_every`-th message it receives fails and is settled with `fail_with`
    /// instead (0 = none fail). Deterministic: the 2nd, 4th, … for 2.
    pub fail_every: u32,
    /// How a failed message is settled.
    pub fail_with: Settle,
    /// RPC server: answers each request on the default exchange, to its `reply_to`, with its
    /// `correlation_id` (the body `n` gets `fib(n)` back, as in tutorial 6).
    pub rpc_server: bool,
    /// Glyph drawn instead of `C` (the RPC server is drawn `S`).
    pub glyph: Option<String>,
    /// Text above the node (`Server`).
    pub caption: Option<String>,
    /// basic.consume arguments, sent as given (`x-stream-offset` for a stream, `x-priority`).
    pub arguments: Vec<(String, ArgValue)>,
}

impl ConsumerSpec {
    /// An auto-ack consumer of `queue`.
    pub fn on(name: &str, subscript: Option<&str>, queue: &str) -> ConsumerSpec {
        ConsumerSpec {
            name: name.into(),
            subscript: subscript.map(Into::into),
            queue: queue.into(),
            auto_ack: true,
            ..ConsumerSpec::default()
        }
    }

    /// How it settles its `n`th delivery (1-based).
    pub fn settle_for(&self, n: u64) -> Settle {
        if self.fail_every > 0 && n.is_multiple_of(u64::from(self.fail_every)) {
            self.fail_with
        } else {
            self.settle
        }
    }
}

/// How a scenario is shown, beside what it is: what a share link and a downloaded file carry
/// as `view` (presets and client scripts have none). Only what the learner changed: a look or
/// speed other than the page's defaults, and the nodes they moved by hand.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct View {
    /// The look.
    pub theme: Option<Theme>,
    /// The clock speed (0.25–8).
    pub speed: Option<f64>,
    /// Nodes moved by hand, with their centres (nodes the scenario lacks are ignored).
    pub positions: Vec<(NodeKind, String, Point)>,
}

impl View {
    /// Whether there is nothing to carry.
    pub fn is_empty(&self) -> bool {
        self.theme.is_none() && self.speed.is_none() && self.positions.is_empty()
    }
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
    /// What happens after set-up, in order, on the virtual clock (a client script's steps).
    pub steps: Vec<Step>,
    /// The walkthrough: captions, each with what it does and what should hold after.
    pub tour: Vec<super::tour::TourStep>,
    /// How it is shown (a share link's or a file's; the engine keeps none).
    pub view: View,
}

impl Scenario {
    /// The same scenario with every name the broker sees given `prefix` (exchanges, named
    /// queues, and what refers to them: bindings, producers' targets and default-exchange
    /// keys, consumers' queues, dead-letter and alternate exchanges). For running it on a
    /// broker others share: the tests against RabbitMQ use one prefix per run.
    pub fn prefixed(mut self, prefix: &str) -> Scenario {
        let named: Vec<String> = self
            .queues
            .iter()
            .filter(|q| !q.server_named)
            .map(|q| q.name.clone())
            .chain(self.exchanges.iter().map(|x| x.name.clone()))
            .collect();
        let rename = |name: &mut String| {
            if named.contains(name) {
                *name = format!("{prefix}{name}");
            }
        };
        let rename_args = |args: &mut Vec<(String, ArgValue)>| {
            for (k, v) in args.iter_mut() {
                if let ("x-dead-letter-exchange" | "alternate-exchange", ArgValue::Str(x)) =
                    (k.as_str(), v)
                {
                    rename(x);
                }
            }
        };
        for x in &mut self.exchanges {
            rename(&mut x.name);
            rename_args(&mut x.arguments);
        }
        for q in &mut self.queues {
            rename(&mut q.name);
            rename_args(&mut q.arguments);
        }
        for b in &mut self.bindings {
            rename(&mut b.exchange);
            rename(&mut b.destination);
        }
        for p in &mut self.producers {
            if p.exchange.is_empty() {
                rename(&mut p.routing_key);
            }
            rename(&mut p.exchange);
        }
        for c in &mut self.consumers {
            rename(&mut c.queue);
        }
        self
    }
}

/// One step of a scripted scenario (what `loadScenario` makes of a client script's steps).
#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    /// The script's client publishes (`repeat` times, `{i}` in the body counting 1..).
    Publish {
        /// Exchange (`""` = default).
        exchange: String,
        /// Routing key.
        routing_key: String,
        /// Body.
        body: String,
        /// Properties and headers.
        properties: MessageProps,
        /// Mandatory.
        mandatory: bool,
        /// How many copies.
        repeat: u32,
    },
    /// Let virtual time pass.
    Sleep(u64),
    /// Start a consumer (named by its tag).
    Consume(ConsumerSpec),
    /// Cancel the consumer with this tag.
    Cancel(String),
    /// Write a queue's counts to the log (a script's `count`).
    Count(String),
    /// The script's client fetches one message (`basic.get`) on one of its channels and
    /// settles it at once with `settle` (`None`: no-ack mode), or holds it unacked; `drain`
    /// repeats until the queue is empty.
    Get {
        /// Queue (scenario handle).
        queue: String,
        /// How it settles what it got.
        settle: Option<Settle>,
        /// Fetch until empty, acking each.
        drain: bool,
        /// Keep the delivery unacked on the channel, for a later `Settle`, `Recover` or
        /// `CloseChannel` (`settle` is then ignored).
        hold: bool,
        /// The script client's channel (`main` unless named).
        channel: String,
    },
    /// Settle every delivery held on a script channel, one call per delivery in tag order,
    /// or one call on the last tag with `multiple` (reject has no `multiple`: it settles the
    /// last one only, as the headless runner does); `tag` settles exactly that delivery.
    Settle {
        /// Channel name.
        channel: String,
        /// Ack, nack or reject, with or without requeue.
        settle: Settle,
        /// One call covering every held delivery up to the last.
        multiple: bool,
        /// One explicit delivery tag instead of the held ones.
        tag: Option<u64>,
    },
    /// `basic.recover` on a script channel: its unacked deliveries go back to their queues.
    Recover {
        /// Channel name.
        channel: String,
        /// Must be true (the broker refuses `false` with 540, as RabbitMQ does).
        requeue: bool,
    },
    /// Close a script channel: its unacked deliveries go back to their queues.
    CloseChannel(String),
    /// `tx.select`, `tx.commit`, `tx.rollback` or `confirm.select` on a script channel.
    Tx {
        /// Channel name.
        channel: String,
        /// Which method.
        op: TxOp,
    },
    /// A topology change (declare, bind, unbind, delete).
    Edit(super::playground::Edit),
}

/// The channel-mode methods of a script's `tx` step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TxOp {
    /// `tx.select`: publishes and acks wait for the commit.
    Select,
    /// `tx.commit`.
    Commit,
    /// `tx.rollback`: pending publishes and acks are discarded.
    Rollback,
    /// `confirm.select`: publisher confirms.
    ConfirmSelect,
}

impl TxOp {
    /// The script's name for it (`select`, `commit`, `rollback`, `confirm_select`).
    pub fn as_str(self) -> &'static str {
        match self {
            TxOp::Select => "select",
            TxOp::Commit => "commit",
            TxOp::Rollback => "rollback",
            TxOp::ConfirmSelect => "confirm_select",
        }
    }
}

impl Scenario {
    /// How many nodes it draws: exchanges, queues, producers and consumers.
    pub fn nodes(&self) -> usize {
        self.exchanges.len() + self.queues.len() + self.producers.len() + self.consumers.len()
    }

    /// The diagram: producers, exchanges, queues, consumers, in that order, so the layout
    /// stacks siblings in declaration order like the tutorials.
    pub fn graph(&self) -> Graph {
        let mut g = Graph::default();
        for p in &self.producers {
            // `P1` is drawn P₁, like the consumers' subscripts.
            let subscript = p
                .name
                .strip_prefix('P')
                .filter(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()));
            let mut node = Node::producer(&p.name, subscript);
            if let Some(glyph) = &p.glyph {
                node.glyph = glyph.clone();
            }
            node.caption = p.caption.clone();
            g.add(node);
        }
        for x in &self.exchanges {
            g.add(Node::exchange(&x.name, x.caption.as_deref()));
        }
        for q in &self.queues {
            let mut node = Node::queue(&q.name, q.caption.as_deref());
            if q.is_quorum() {
                let limit = q
                    .arguments
                    .iter()
                    .find(|(k, _)| k == "x-delivery-limit")
                    .map(|(_, v)| format!("x-delivery-limit {}", v.text()))
                    .unwrap_or_else(|| "no x-delivery-limit (RabbitMQ 4 applies 20)".into());
                node.badge = Some((
                    "quorum".into(),
                    format!("quorum queue: durable, replicated; each delivery carries x-delivery-count; {limit}"),
                ));
            } else if q.is_stream() {
                node.badge = Some((
                    "stream".into(),
                    "stream: an append-only log; consuming removes nothing, each consumer reads from its own offset (x-stream-offset)".into(),
                ));
            }
            g.add(node);
        }
        for c in &self.consumers {
            let mut node = Node::consumer(&c.name, c.subscript.as_deref());
            if let Some(glyph) = &c.glyph {
                node.glyph = glyph.clone();
            }
            node.caption = c.caption.clone();
            g.add(node);
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
            // Tutorial 6 notes what a request carries.
            let label = p.callback.as_ref().map(|_| "reply_to, correlation_id");
            if let (Some(from), Some(to)) = (from, to) {
                g.connect(from, to, label);
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
            let kind = if b.to_exchange {
                NodeKind::Exchange
            } else {
                NodeKind::Queue
            };
            let to = g.find(kind, &b.destination);
            if let (Some(from), Some(to)) = (from, to) {
                g.connect(from, to, b.label().as_deref());
            }
        }
        // What no binding takes goes to the alternate exchange.
        for x in &self.exchanges {
            if let Some(ae) = x.string_argument("alternate-exchange") {
                let from = g.find(NodeKind::Exchange, &x.name);
                let to = g.find(NodeKind::Exchange, ae);
                if let (Some(from), Some(to)) = (from, to) {
                    g.connect(from, to, Some("alternate"));
                }
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
        // RPC: the server answers into each client's callback queue, which the client reads.
        for c in self.consumers.iter().filter(|c| c.rpc_server) {
            let server = g.find(NodeKind::Consumer, &c.name);
            for p in &self.producers {
                let Some(cb) = &p.callback else { continue };
                let asks = p.exchange.is_empty() && p.routing_key == c.queue;
                let client = g.find(NodeKind::Producer, &p.name);
                let queue = g.find(NodeKind::Queue, cb);
                match (asks, server, queue, client) {
                    (true, Some(s), Some(q), Some(client)) => {
                        g.connect(s, q, None);
                        g.connect(q, client, Some("correlation_id"));
                    }
                    // Direct reply-to has no queue to draw.
                    (true, Some(s), None, Some(client)) => {
                        g.connect(s, client, Some("correlation_id"))
                    }
                    _ => {}
                }
            }
        }
        g
    }

    /// Renames a node and every reference to it (bindings, consumers, producers' targets,
    /// dead-letter and alternate exchange arguments). `false` when no such node exists.
    pub fn rename(&mut self, kind: NodeKind, from: &str, to: &str) -> bool {
        let rename_arg = |args: &mut Vec<(String, ArgValue)>, key: &str| {
            for (k, v) in args.iter_mut() {
                if k == key && *v == ArgValue::Str(from.into()) {
                    *v = ArgValue::Str(to.into());
                }
            }
        };
        match kind {
            NodeKind::Producer => match self.producers.iter_mut().find(|p| p.name == from) {
                Some(p) => p.name = to.into(),
                None => return false,
            },
            NodeKind::Consumer => match self.consumers.iter_mut().find(|c| c.name == from) {
                Some(c) => c.name = to.into(),
                None => return false,
            },
            NodeKind::Queue => {
                let Some(q) = self.queues.iter_mut().find(|q| q.name == from) else {
                    return false;
                };
                q.name = to.into();
                if q.caption.as_deref() == Some(from) {
                    q.caption = Some(to.into());
                }
                for b in self.bindings.iter_mut().filter(|b| !b.to_exchange) {
                    if b.destination == from {
                        b.destination = to.into();
                    }
                }
                for c in &mut self.consumers {
                    if c.queue == from {
                        c.queue = to.into();
                    }
                }
                for p in &mut self.producers {
                    if p.exchange.is_empty() && p.routing_key == from {
                        p.routing_key = to.into();
                    }
                    if p.callback.as_deref() == Some(from) {
                        p.callback = Some(to.into());
                    }
                }
                for q in &mut self.queues {
                    rename_arg(&mut q.arguments, "x-dead-letter-routing-key");
                }
            }
            NodeKind::Exchange => {
                let Some(x) = self.exchanges.iter_mut().find(|x| x.name == from) else {
                    return false;
                };
                x.name = to.into();
                for b in &mut self.bindings {
                    if b.exchange == from {
                        b.exchange = to.into();
                    }
                    if b.to_exchange && b.destination == from {
                        b.destination = to.into();
                    }
                }
                for p in &mut self.producers {
                    if p.exchange == from {
                        p.exchange = to.into();
                    }
                }
                for q in &mut self.queues {
                    rename_arg(&mut q.arguments, "x-dead-letter-exchange");
                }
                for x in &mut self.exchanges {
                    rename_arg(&mut x.arguments, "alternate-exchange");
                }
            }
        }
        true
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
