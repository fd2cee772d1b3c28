//! The client-script model: typed steps parsed and validated from JSON.
//!
//! Parsing is hand-written over `serde_json::Value` rather than derived, because the error is
//! the user interface: it must name the step index, the step kind and the field
//! (`step 3 (publish): field "routing_key": expected a string, got 42`), and unknown kinds and
//! unknown fields are errors, not silently ignored typos.
//!
//! Extensions beyond scenario-script.md (all optional, so every script in that format still
//! parses): `passive` on declarations, `immediate` on publish, `prefetch_size` on qos, `tag` on
//! settle (settle one explicit delivery tag), `channel` on count/cancel, the
//! `close_connection` and `tx` steps, and channel names `"conn:chan"` that put a channel on a second
//! connection (a plain name is a channel of connection `main`). Quorum queues and streams need
//! nothing new: `x-queue-type` is a queue argument, a stream's `x-stream-offset` (and 4.x's
//! `x-stream-filter`) are consume `arguments`, and `{"$timestamp": N}` (see `value`) gives an
//! offset in time; a stream queue needs `"drain": false` (basic.get on a stream is 540).

use std::fmt;

use amqp_playground_core::FieldTable;
use serde_json::{Map, Value};

use crate::value::{describe, field_table_from_json};

/// A parsed client script.
#[derive(Clone, Debug, PartialEq)]
pub struct Script {
    /// Free text saying what the script shows.
    pub description: Option<String>,
    /// Publisher confirms on every channel (default true).
    pub confirm: bool,
    /// Top-level exchanges, declared before the steps.
    pub exchanges: Vec<ExchangeDecl>,
    /// Top-level queues, declared after the exchanges.
    pub queues: Vec<QueueDecl>,
    /// Top-level bindings, made after the queues.
    pub bindings: Vec<BindingDecl>,
    /// The steps, run in order.
    pub steps: Vec<Step>,
}

/// `exchange.declare`.
#[derive(Clone, Debug, PartialEq)]
pub struct ExchangeDecl {
    /// Exchange name.
    pub name: String,
    /// Exchange type (`direct`, `fanout`, `topic`, `headers`, or anything else to test errors).
    pub kind: String,
    /// Survives a broker restart.
    pub durable: bool,
    /// Deleted when its last source binding goes.
    pub auto_delete: bool,
    /// Cannot be published to directly.
    pub internal: bool,
    /// Only check that it exists.
    pub passive: bool,
    /// Arguments (`alternate-exchange`).
    pub arguments: FieldTable,
    /// Channel to declare on.
    pub channel: ChannelName,
}

/// `queue.declare`.
#[derive(Clone, Debug, PartialEq)]
pub struct QueueDecl {
    /// Queue name; `""` asks the server for one.
    pub name: String,
    /// The name later steps and the output use for a server-named queue.
    pub alias: Option<String>,
    /// Survives a broker restart.
    pub durable: bool,
    /// Owned by the declaring connection.
    pub exclusive: bool,
    /// Deleted after its last consumer goes.
    pub auto_delete: bool,
    /// Only check that it exists.
    pub passive: bool,
    /// Arguments (`x-message-ttl`, `x-dead-letter-exchange`, ...).
    pub arguments: FieldTable,
    /// Include the queue in the final drain (default true).
    pub drain: bool,
    /// Channel to declare on.
    pub channel: ChannelName,
}

impl QueueDecl {
    /// The name a script refers to this queue by: its alias, else its name.
    pub fn script_name(&self) -> &str {
        self.alias.as_deref().unwrap_or(&self.name)
    }
}

/// What a binding leads to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DestinationType {
    /// `queue.bind`.
    Queue,
    /// `exchange.bind`.
    Exchange,
}

/// `queue.bind` / `exchange.bind` (and their unbinds).
#[derive(Clone, Debug, PartialEq)]
pub struct BindingDecl {
    /// Source exchange.
    pub source: String,
    /// Destination queue or exchange.
    pub destination: String,
    /// Queue or exchange.
    pub destination_type: DestinationType,
    /// Binding key.
    pub routing_key: String,
    /// Binding arguments (headers exchange `x-match` etc).
    pub arguments: FieldTable,
    /// Channel to bind on.
    pub channel: ChannelName,
}

/// A channel of a connection, as a script names it: `"main"` or `"other:main"`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ChannelName {
    /// Connection name (`main` unless the channel name has a `conn:` prefix).
    pub connection: String,
    /// Channel name within the connection.
    pub channel: String,
}

impl ChannelName {
    /// Channel `main` of connection `main`.
    pub fn main() -> Self {
        ChannelName {
            connection: "main".into(),
            channel: "main".into(),
        }
    }

    /// Parses `"chan"` or `"conn:chan"`.
    pub fn parse(text: &str) -> Option<Self> {
        let (connection, channel) = match text.split_once(':') {
            Some((c, ch)) => (c, ch),
            None => ("main", text),
        };
        if connection.is_empty() || channel.is_empty() || channel.contains(':') {
            return None;
        }
        Some(ChannelName {
            connection: connection.into(),
            channel: channel.into(),
        })
    }
}

impl fmt::Display for ChannelName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.connection == "main" {
            f.write_str(&self.channel)
        } else {
            write!(f, "{}:{}", self.connection, self.channel)
        }
    }
}

/// Message properties a publish may set (all optional).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Properties {
    /// MIME type.
    pub content_type: Option<String>,
    /// MIME encoding.
    pub content_encoding: Option<String>,
    /// 1 transient, 2 persistent.
    pub delivery_mode: Option<u8>,
    /// Priority 0..=255.
    pub priority: Option<u8>,
    /// RPC correlation id.
    pub correlation_id: Option<String>,
    /// RPC reply queue.
    pub reply_to: Option<String>,
    /// Per-message TTL in ms, as a string (validated by the broker).
    pub expiration: Option<String>,
    /// Application message id.
    pub message_id: Option<String>,
    /// Seconds since the epoch.
    pub timestamp: Option<u64>,
    /// Message type.
    pub kind: Option<String>,
    /// Must equal the connection's user (checked by the broker).
    pub user_id: Option<String>,
    /// Application id.
    pub app_id: Option<String>,
}

/// The basic properties of a core message (its headers are kept apart, as scripts write them).
impl From<&amqp_playground_core::Properties> for Properties {
    fn from(p: &amqp_playground_core::Properties) -> Self {
        Properties {
            content_type: p.content_type.clone(),
            content_encoding: p.content_encoding.clone(),
            delivery_mode: p.delivery_mode,
            priority: p.priority,
            correlation_id: p.correlation_id.clone(),
            reply_to: p.reply_to.clone(),
            expiration: p.expiration.clone(),
            message_id: p.message_id.clone(),
            timestamp: p.timestamp,
            kind: p.kind.clone(),
            user_id: p.user_id.clone(),
            app_id: p.app_id.clone(),
        }
    }
}

impl Properties {
    /// True when no property is set.
    pub fn is_empty(&self) -> bool {
        *self == Properties::default()
    }
}

/// `basic.publish`.
#[derive(Clone, Debug, PartialEq)]
pub struct Publish {
    /// Exchange name (`""` is the default exchange).
    pub exchange: String,
    /// Routing key.
    pub routing_key: String,
    /// Body text; `{i}` becomes the repeat index.
    pub body: String,
    /// Message headers.
    pub headers: Option<FieldTable>,
    /// Message properties.
    pub properties: Properties,
    /// Return the message when it routes nowhere.
    pub mandatory: bool,
    /// The unsupported `immediate` flag (RabbitMQ answers 540).
    pub immediate: bool,
    /// Publish this many times (at least 1).
    pub repeat: u32,
    /// Channel to publish on.
    pub channel: ChannelName,
}

impl Publish {
    /// The body of the `i`-th copy (1-based), with `{i}` replaced.
    pub fn body_for(&self, i: u32) -> String {
        self.body.replace("{i}", &i.to_string())
    }
}

/// How a `get` settles what it got.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GetAck {
    /// basic.ack at once.
    Ack,
    /// basic.nack at once.
    Nack,
    /// basic.reject at once.
    Reject,
    /// No-ack mode (the broker forgets the message on delivery).
    None,
    /// Keep it unacked for a later `settle` or `close_channel`.
    Hold,
}

impl GetAck {
    /// The script spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            GetAck::Ack => "ack",
            GetAck::Nack => "nack",
            GetAck::Reject => "reject",
            GetAck::None => "none",
            GetAck::Hold => "hold",
        }
    }
}

/// How a consumer acknowledges.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConsumeAck {
    /// Manual acks, sent as soon as each delivery arrives.
    Ack,
    /// No-ack (auto-ack) mode.
    None,
    /// Manual acks, held for a later `settle` or `close_channel`.
    Hold,
}

/// How `settle` settles.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SettleMode {
    /// basic.ack
    Ack,
    /// basic.nack
    Nack,
    /// basic.reject
    Reject,
}

/// One step of a script.
#[allow(clippy::large_enum_variant)] // parsed once; boxing would only add noise
#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    /// basic.publish (possibly repeated).
    Publish(Publish),
    /// Let time pass.
    SleepMs(u64),
    /// basic.get.
    Get {
        /// Queue (or alias).
        queue: String,
        /// How to settle.
        ack: GetAck,
        /// Requeue when nacking/rejecting.
        requeue: bool,
        /// Channel.
        channel: ChannelName,
    },
    /// Get and ack until empty.
    Drain {
        /// Queue (or alias).
        queue: String,
        /// Channel.
        channel: ChannelName,
    },
    /// Passive queue.declare, logging the counts.
    Count {
        /// Queue (or alias).
        queue: String,
        /// Channel.
        channel: ChannelName,
    },
    /// Settle held deliveries of a channel.
    Settle {
        /// ack / nack / reject.
        mode: SettleMode,
        /// Requeue (nack/reject).
        requeue: bool,
        /// One call on the last tag with `multiple`.
        multiple: bool,
        /// Settle exactly this delivery tag instead of the held ones.
        tag: Option<u64>,
        /// Channel.
        channel: ChannelName,
    },
    /// basic.consume.
    Consume {
        /// Queue (or alias).
        queue: String,
        /// Consumer tag; results are recorded under it.
        tag: String,
        /// Acknowledgement mode.
        ack: ConsumeAck,
        /// basic.qos(prefetch) on the channel first.
        prefetch: Option<u16>,
        /// Exclusive consumer.
        exclusive: bool,
        /// Consumer arguments (`x-priority`).
        arguments: FieldTable,
        /// Channel.
        channel: ChannelName,
    },
    /// basic.cancel.
    Cancel {
        /// Consumer tag.
        tag: String,
        /// Channel (default: the channel the consumer was started on).
        channel: Option<ChannelName>,
    },
    /// basic.qos.
    Qos {
        /// prefetch_count.
        prefetch: u16,
        /// prefetch_size (RabbitMQ refuses anything but 0).
        prefetch_size: u32,
        /// global flag.
        global: bool,
        /// Channel.
        channel: ChannelName,
    },
    /// basic.recover.
    Recover {
        /// requeue flag (default true).
        requeue: bool,
        /// Channel.
        channel: ChannelName,
    },
    /// channel.close.
    CloseChannel {
        /// Channel.
        channel: ChannelName,
    },
    /// connection.close.
    CloseConnection {
        /// Connection name.
        connection: String,
    },
    /// queue.declare.
    DeclareQueue(QueueDecl),
    /// exchange.declare.
    DeclareExchange(ExchangeDecl),
    /// queue.bind / exchange.bind.
    Bind(BindingDecl),
    /// queue.unbind / exchange.unbind.
    Unbind(BindingDecl),
    /// queue.delete.
    DeleteQueue {
        /// Queue (or alias).
        queue: String,
        /// Only if it has no consumers.
        if_unused: bool,
        /// Only if it has no ready messages.
        if_empty: bool,
        /// Channel.
        channel: ChannelName,
    },
    /// exchange.delete.
    DeleteExchange {
        /// Exchange.
        exchange: String,
        /// Only if it is the source of no binding.
        if_unused: bool,
        /// Channel.
        channel: ChannelName,
    },
    /// queue.purge.
    Purge {
        /// Queue (or alias).
        queue: String,
        /// Channel.
        channel: ChannelName,
    },
    /// tx.select / tx.commit / tx.rollback, or confirm.select.
    Tx {
        /// Which method.
        op: TxOp,
        /// Channel.
        channel: ChannelName,
    },
}

/// The channel-mode methods of the `tx` step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TxOp {
    /// tx.select.
    Select,
    /// tx.commit.
    Commit,
    /// tx.rollback.
    Rollback,
    /// confirm.select (only to show the mode switch rules: with `confirm: false` the runner
    /// does not wait for the confirms this turns on).
    ConfirmSelect,
}

/// Every step kind, in the order the error message lists them.
pub const STEP_KINDS: &[&str] = &[
    "publish",
    "sleep_ms",
    "get",
    "drain",
    "count",
    "settle",
    "consume",
    "cancel",
    "qos",
    "recover",
    "close_channel",
    "close_connection",
    "declare_queue",
    "declare_exchange",
    "bind",
    "unbind",
    "delete_queue",
    "delete_exchange",
    "purge",
    "tx",
];

impl Step {
    /// The step's kind as scripts spell it (`publish`, `sleep_ms`, ...).
    pub fn kind(&self) -> &'static str {
        match self {
            Step::Publish(_) => "publish",
            Step::SleepMs(_) => "sleep_ms",
            Step::Get { .. } => "get",
            Step::Drain { .. } => "drain",
            Step::Count { .. } => "count",
            Step::Settle { .. } => "settle",
            Step::Consume { .. } => "consume",
            Step::Cancel { .. } => "cancel",
            Step::Qos { .. } => "qos",
            Step::Recover { .. } => "recover",
            Step::CloseChannel { .. } => "close_channel",
            Step::CloseConnection { .. } => "close_connection",
            Step::DeclareQueue(_) => "declare_queue",
            Step::DeclareExchange(_) => "declare_exchange",
            Step::Bind(_) => "bind",
            Step::Unbind(_) => "unbind",
            Step::DeleteQueue { .. } => "delete_queue",
            Step::DeleteExchange { .. } => "delete_exchange",
            Step::Purge { .. } => "purge",
            Step::Tx { .. } => "tx",
        }
    }
}

/// Where in a script a parse error is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Location {
    /// The JSON text itself (syntax), or the top-level object.
    Top,
    /// An entry of a top-level list: `queues[1]`.
    Entry(&'static str, usize),
    /// A step whose kind is not known yet.
    Step(usize),
    /// A step of a known kind.
    StepKind(usize, String),
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Top => f.write_str("script"),
            Location::Entry(list, i) => write!(f, "{list}[{i}]"),
            Location::Step(i) => write!(f, "step {i}"),
            Location::StepKind(i, kind) => write!(f, "step {i} ({kind})"),
        }
    }
}

/// Why a script could not be parsed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ScriptError {
    /// Not JSON at all.
    #[error("invalid JSON at line {line} column {column}: {message}")]
    Json {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// serde_json's description.
        message: String,
    },
    /// A field has the wrong type or value.
    #[error("{location}: field \"{field}\": {message}")]
    Field {
        /// Where.
        location: Location,
        /// The field's name (a dotted path for nested values).
        field: String,
        /// What was wrong.
        message: String,
    },
    /// A required field is missing.
    #[error("{location}: missing field \"{field}\"")]
    Missing {
        /// Where.
        location: Location,
        /// The field's name.
        field: String,
    },
    /// A field the format does not have (usually a typo).
    #[error("{location}: unknown field \"{field}\" (expected one of: {expected})")]
    UnknownField {
        /// Where.
        location: Location,
        /// The unexpected name.
        field: String,
        /// The allowed names.
        expected: String,
    },
    /// A step kind the format does not have.
    #[error("{location}: unknown step kind \"{kind}\" (expected one of: {expected})")]
    UnknownStep {
        /// Where.
        location: Location,
        /// The unexpected kind.
        kind: String,
        /// The allowed kinds.
        expected: String,
    },
    /// Something about a whole object or step is wrong.
    #[error("{location}: {message}")]
    Shape {
        /// Where.
        location: Location,
        /// What was wrong.
        message: String,
    },
}

/// Reads one JSON object's fields, tracking where it is for error messages.
struct Fields<'a> {
    map: &'a Map<String, Value>,
    location: Location,
}

impl<'a> Fields<'a> {
    fn new(value: &'a Value, location: Location, allowed: &[&str]) -> Result<Self, ScriptError> {
        let map = value.as_object().ok_or_else(|| ScriptError::Shape {
            location: location.clone(),
            message: format!("expected an object, got {}", describe(value)),
        })?;
        for key in map.keys() {
            if !allowed.contains(&key.as_str()) {
                return Err(ScriptError::UnknownField {
                    location,
                    field: key.clone(),
                    expected: allowed.join(", "),
                });
            }
        }
        Ok(Fields { map, location })
    }

    fn wrong(&self, field: &str, expected: &str, got: &Value) -> ScriptError {
        ScriptError::Field {
            location: self.location.clone(),
            field: field.to_string(),
            message: format!("expected {expected}, got {}", describe(got)),
        }
    }

    fn invalid(&self, field: &str, message: String) -> ScriptError {
        ScriptError::Field {
            location: self.location.clone(),
            field: field.to_string(),
            message,
        }
    }

    fn get(&self, field: &str) -> Option<&'a Value> {
        self.map.get(field)
    }

    fn require(&self, field: &str) -> Result<&'a Value, ScriptError> {
        self.get(field).ok_or_else(|| ScriptError::Missing {
            location: self.location.clone(),
            field: field.to_string(),
        })
    }

    fn opt_string(&self, field: &str) -> Result<Option<String>, ScriptError> {
        match self.get(field) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(self.wrong(field, "a string", other)),
        }
    }

    fn string(&self, field: &str) -> Result<String, ScriptError> {
        match self.require(field)? {
            Value::String(s) => Ok(s.clone()),
            other => Err(self.wrong(field, "a string", other)),
        }
    }

    fn string_or(&self, field: &str, default: &str) -> Result<String, ScriptError> {
        Ok(self
            .opt_string(field)?
            .unwrap_or_else(|| default.to_string()))
    }

    fn bool_or(&self, field: &str, default: bool) -> Result<bool, ScriptError> {
        match self.get(field) {
            None => Ok(default),
            Some(Value::Bool(b)) => Ok(*b),
            Some(other) => Err(self.wrong(field, "a boolean", other)),
        }
    }

    fn opt_uint(&self, field: &str, max: u64) -> Result<Option<u64>, ScriptError> {
        match self.get(field) {
            None => Ok(None),
            Some(v) => match v.as_u64() {
                Some(n) if n <= max => Ok(Some(n)),
                Some(n) => Err(self.invalid(field, format!("{n} is larger than {max}"))),
                None => Err(self.wrong(field, "a non-negative integer", v)),
            },
        }
    }

    fn table(&self, field: &str) -> Result<FieldTable, ScriptError> {
        match self.get(field) {
            None => Ok(FieldTable::new()),
            Some(v) => field_table_from_json(v).map_err(|e| {
                if e.path.is_empty() {
                    self.invalid(field, e.message)
                } else {
                    self.invalid(&format!("{field}{}", e.path), e.message)
                }
            }),
        }
    }

    fn channel(&self) -> Result<ChannelName, ScriptError> {
        Ok(self
            .opt_channel("channel")?
            .unwrap_or_else(ChannelName::main))
    }

    fn opt_channel(&self, field: &str) -> Result<Option<ChannelName>, ScriptError> {
        match self.opt_string(field)? {
            None => Ok(None),
            Some(text) => ChannelName::parse(&text).map(Some).ok_or_else(|| {
                self.invalid(
                    field,
                    format!("{text:?} is not a channel name (\"chan\" or \"connection:chan\")"),
                )
            }),
        }
    }

    fn choice<T: Copy>(&self, field: &str, options: &[(&str, T)]) -> Result<T, ScriptError> {
        let text = self.string(field)?;
        self.pick(field, &text, options)
    }

    fn choice_or<T: Copy>(
        &self,
        field: &str,
        default: T,
        options: &[(&str, T)],
    ) -> Result<T, ScriptError> {
        match self.opt_string(field)? {
            None => Ok(default),
            Some(text) => self.pick(field, &text, options),
        }
    }

    fn pick<T: Copy>(
        &self,
        field: &str,
        text: &str,
        options: &[(&str, T)],
    ) -> Result<T, ScriptError> {
        options
            .iter()
            .find(|(name, _)| *name == text)
            .map(|(_, v)| *v)
            .ok_or_else(|| {
                let names: Vec<String> = options.iter().map(|(n, _)| format!("\"{n}\"")).collect();
                self.invalid(
                    field,
                    format!("expected one of {}, got \"{text}\"", names.join(", ")),
                )
            })
    }
}

impl Script {
    /// Parses a script from JSON text.
    pub fn parse(text: &str) -> Result<Script, ScriptError> {
        let value: Value = serde_json::from_str(text).map_err(|e| ScriptError::Json {
            line: e.line(),
            column: e.column(),
            message: strip_position(&e.to_string()),
        })?;
        Script::from_value(&value)
    }

    /// Parses a script from a JSON value.
    pub fn from_value(value: &Value) -> Result<Script, ScriptError> {
        let top = Fields::new(
            value,
            Location::Top,
            &[
                "description",
                "confirm",
                "exchanges",
                "queues",
                "bindings",
                "steps",
            ],
        )?;
        let description = top.opt_string("description")?;
        let confirm = top.bool_or("confirm", true)?;
        let list = |field: &'static str| -> Result<&Vec<Value>, ScriptError> {
            static EMPTY: Vec<Value> = Vec::new();
            match top.get(field) {
                None => Ok(&EMPTY),
                Some(Value::Array(items)) => Ok(items),
                Some(other) => Err(top.wrong(field, "an array", other)),
            }
        };
        let exchanges = list("exchanges")?
            .iter()
            .enumerate()
            .map(|(i, v)| parse_exchange(v, Location::Entry("exchanges", i), false))
            .collect::<Result<_, _>>()?;
        let queues = list("queues")?
            .iter()
            .enumerate()
            .map(|(i, v)| parse_queue(v, Location::Entry("queues", i), false))
            .collect::<Result<_, _>>()?;
        let bindings = list("bindings")?
            .iter()
            .enumerate()
            .map(|(i, v)| parse_binding(v, Location::Entry("bindings", i), false))
            .collect::<Result<_, _>>()?;
        let steps = match top.require("steps")? {
            Value::Array(items) => items
                .iter()
                .enumerate()
                .map(|(i, v)| parse_step(i, v))
                .collect::<Result<_, _>>()?,
            other => return Err(top.wrong("steps", "an array", other)),
        };
        Ok(Script {
            description,
            confirm,
            exchanges,
            queues,
            bindings,
            steps,
        })
    }

    /// Every queue the script declares (top level, then `declare_queue` steps), by the name the
    /// script uses for it, with whether the final drain includes it. First declaration wins.
    pub fn declared_queues(&self) -> Vec<(String, bool)> {
        let mut out: Vec<(String, bool)> = Vec::new();
        let steps = self.steps.iter().filter_map(|s| match s {
            Step::DeclareQueue(q) => Some(q),
            _ => None,
        });
        for q in self.queues.iter().chain(steps) {
            let name = q.script_name().to_string();
            if name.is_empty() || out.iter().any(|(n, _)| *n == name) {
                continue;
            }
            out.push((name, q.drain));
        }
        out
    }
}

/// serde_json appends " at line L column C"; the error prints the position itself.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

fn parse_exchange(v: &Value, location: Location, step: bool) -> Result<ExchangeDecl, ScriptError> {
    let mut allowed = vec![
        "name",
        "type",
        "durable",
        "auto_delete",
        "internal",
        "passive",
        "arguments",
    ];
    if step {
        allowed.push("channel");
    }
    let f = Fields::new(v, location, &allowed)?;
    let passive = f.bool_or("passive", false)?;
    Ok(ExchangeDecl {
        name: f.string("name")?,
        // A passive declare only needs the name; RabbitMQ ignores the type then.
        kind: if passive {
            f.string_or("type", "direct")?
        } else {
            f.string("type")?
        },
        durable: f.bool_or("durable", false)?,
        auto_delete: f.bool_or("auto_delete", false)?,
        internal: f.bool_or("internal", false)?,
        passive,
        arguments: f.table("arguments")?,
        channel: f.channel()?,
    })
}

fn parse_queue(v: &Value, location: Location, step: bool) -> Result<QueueDecl, ScriptError> {
    let mut allowed = vec![
        "name",
        "alias",
        "durable",
        "exclusive",
        "auto_delete",
        "passive",
        "arguments",
        "drain",
    ];
    if step {
        allowed.push("channel");
    }
    let f = Fields::new(v, location, &allowed)?;
    let name = f.string("name")?;
    let alias = f.opt_string("alias")?;
    if name.is_empty() && alias.is_none() {
        return Err(f.invalid(
            "alias",
            "a server-named queue (\"name\": \"\") needs an alias for later steps".into(),
        ));
    }
    if alias.as_deref() == Some("") {
        return Err(f.invalid("alias", "must not be empty".into()));
    }
    Ok(QueueDecl {
        name,
        alias,
        durable: f.bool_or("durable", false)?,
        exclusive: f.bool_or("exclusive", false)?,
        auto_delete: f.bool_or("auto_delete", false)?,
        passive: f.bool_or("passive", false)?,
        arguments: f.table("arguments")?,
        drain: f.bool_or("drain", true)?,
        channel: f.channel()?,
    })
}

fn parse_binding(v: &Value, location: Location, step: bool) -> Result<BindingDecl, ScriptError> {
    let mut allowed = vec![
        "source",
        "destination",
        "destination_type",
        "routing_key",
        "arguments",
    ];
    if step {
        allowed.push("channel");
    }
    let f = Fields::new(v, location, &allowed)?;
    Ok(BindingDecl {
        source: f.string("source")?,
        destination: f.string("destination")?,
        destination_type: f.choice_or(
            "destination_type",
            DestinationType::Queue,
            &[
                ("queue", DestinationType::Queue),
                ("exchange", DestinationType::Exchange),
            ],
        )?,
        routing_key: f.string_or("routing_key", "")?,
        arguments: f.table("arguments")?,
        channel: f.channel()?,
    })
}

fn parse_properties(f: &Fields<'_>) -> Result<Properties, ScriptError> {
    let Some(v) = f.get("properties") else {
        return Ok(Properties::default());
    };
    let p = Fields::new(
        v,
        f.location.clone(),
        &[
            "content_type",
            "content_encoding",
            "delivery_mode",
            "priority",
            "correlation_id",
            "reply_to",
            "expiration",
            "message_id",
            "timestamp",
            "type",
            "user_id",
            "app_id",
        ],
    )
    .map_err(|e| match e {
        ScriptError::UnknownField {
            location,
            field,
            expected,
        } => ScriptError::UnknownField {
            location,
            field: format!("properties.{field}"),
            expected,
        },
        ScriptError::Shape { location, message } => ScriptError::Field {
            location,
            field: "properties".into(),
            message,
        },
        other => other,
    })?;
    let prefixed = |e: ScriptError| match e {
        ScriptError::Field {
            location,
            field,
            message,
        } => ScriptError::Field {
            location,
            field: format!("properties.{field}"),
            message,
        },
        other => other,
    };
    let s = |name: &str| p.opt_string(name).map_err(prefixed);
    let n = |name: &str, max: u64| p.opt_uint(name, max).map_err(prefixed);
    Ok(Properties {
        content_type: s("content_type")?,
        content_encoding: s("content_encoding")?,
        delivery_mode: n("delivery_mode", 255)?.map(|v| v as u8),
        priority: n("priority", 255)?.map(|v| v as u8),
        correlation_id: s("correlation_id")?,
        reply_to: s("reply_to")?,
        expiration: s("expiration")?,
        message_id: s("message_id")?,
        timestamp: n("timestamp", u64::MAX)?,
        kind: s("type")?,
        user_id: s("user_id")?,
        app_id: s("app_id")?,
    })
}

fn parse_step(index: usize, v: &Value) -> Result<Step, ScriptError> {
    let (kind, body) = match v.as_object() {
        Some(map) if map.len() == 1 => map.iter().next().expect("one entry"),
        _ => {
            return Err(ScriptError::Shape {
                location: Location::Step(index),
                message: format!(
                    "expected an object with exactly one key (the step kind), got {}",
                    describe(v)
                ),
            })
        }
    };
    let Some(kind) = STEP_KINDS.iter().find(|k| **k == kind.as_str()) else {
        return Err(ScriptError::UnknownStep {
            location: Location::Step(index),
            kind: kind.clone(),
            expected: STEP_KINDS.join(", "),
        });
    };
    let location = Location::StepKind(index, kind.to_string());
    let fields = |allowed: &[&str]| Fields::new(body, location.clone(), allowed);
    let step = match *kind {
        "publish" => {
            let f = fields(&[
                "exchange",
                "routing_key",
                "body",
                "headers",
                "properties",
                "mandatory",
                "immediate",
                "repeat",
                "channel",
            ])?;
            let repeat = f.opt_uint("repeat", 1_000_000)?.unwrap_or(1);
            if repeat == 0 {
                return Err(f.invalid("repeat", "must be at least 1".into()));
            }
            Step::Publish(Publish {
                exchange: f.string("exchange")?,
                routing_key: f.string("routing_key")?,
                body: f.string("body")?,
                headers: match f.get("headers") {
                    None => None,
                    Some(_) => Some(f.table("headers")?),
                },
                properties: parse_properties(&f)?,
                mandatory: f.bool_or("mandatory", false)?,
                immediate: f.bool_or("immediate", false)?,
                repeat: repeat as u32,
                channel: f.channel()?,
            })
        }
        "sleep_ms" => match body.as_u64() {
            Some(ms) => Step::SleepMs(ms),
            None => {
                return Err(ScriptError::Shape {
                    location,
                    message: format!(
                        "expected a non-negative integer (milliseconds), got {}",
                        describe(body)
                    ),
                })
            }
        },
        "get" => {
            let f = fields(&["queue", "ack", "requeue", "channel"])?;
            Step::Get {
                queue: f.string("queue")?,
                ack: f.choice(
                    "ack",
                    &[
                        ("ack", GetAck::Ack),
                        ("nack", GetAck::Nack),
                        ("reject", GetAck::Reject),
                        ("none", GetAck::None),
                        ("hold", GetAck::Hold),
                    ],
                )?,
                requeue: f.bool_or("requeue", false)?,
                channel: f.channel()?,
            }
        }
        "drain" => {
            let f = fields(&["queue", "channel"])?;
            Step::Drain {
                queue: f.string("queue")?,
                channel: f.channel()?,
            }
        }
        "count" => {
            let f = fields(&["queue", "channel"])?;
            Step::Count {
                queue: f.string("queue")?,
                channel: f.channel()?,
            }
        }
        "settle" => {
            let f = fields(&["mode", "requeue", "multiple", "tag", "channel"])?;
            Step::Settle {
                mode: f.choice(
                    "mode",
                    &[
                        ("ack", SettleMode::Ack),
                        ("nack", SettleMode::Nack),
                        ("reject", SettleMode::Reject),
                    ],
                )?,
                requeue: f.bool_or("requeue", false)?,
                multiple: f.bool_or("multiple", false)?,
                tag: f.opt_uint("tag", u64::MAX)?,
                channel: f.channel()?,
            }
        }
        "consume" => {
            let f = fields(&[
                "queue",
                "tag",
                "ack",
                "prefetch",
                "exclusive",
                "arguments",
                "channel",
            ])?;
            let tag = f.string("tag")?;
            if tag.is_empty() {
                return Err(f.invalid(
                    "tag",
                    "must not be empty (results are recorded under it)".into(),
                ));
            }
            Step::Consume {
                queue: f.string("queue")?,
                tag,
                ack: f.choice(
                    "ack",
                    &[
                        ("ack", ConsumeAck::Ack),
                        ("none", ConsumeAck::None),
                        ("hold", ConsumeAck::Hold),
                    ],
                )?,
                prefetch: f
                    .opt_uint("prefetch", u64::from(u16::MAX))?
                    .map(|v| v as u16),
                exclusive: f.bool_or("exclusive", false)?,
                arguments: f.table("arguments")?,
                channel: f.channel()?,
            }
        }
        "cancel" => {
            let f = fields(&["tag", "channel"])?;
            Step::Cancel {
                tag: f.string("tag")?,
                channel: f.opt_channel("channel")?,
            }
        }
        "qos" => {
            let f = fields(&["prefetch", "prefetch_size", "global", "channel"])?;
            Step::Qos {
                prefetch: f
                    .opt_uint("prefetch", u64::from(u16::MAX))?
                    .map(|v| v as u16)
                    .ok_or_else(|| ScriptError::Missing {
                        location: location.clone(),
                        field: "prefetch".into(),
                    })?,
                prefetch_size: f
                    .opt_uint("prefetch_size", u64::from(u32::MAX))?
                    .unwrap_or(0) as u32,
                global: f.bool_or("global", false)?,
                channel: f.channel()?,
            }
        }
        "recover" => {
            let f = fields(&["requeue", "channel"])?;
            Step::Recover {
                requeue: f.bool_or("requeue", true)?,
                channel: f.channel()?,
            }
        }
        "close_channel" => {
            let f = fields(&["channel"])?;
            Step::CloseChannel {
                channel: f.channel()?,
            }
        }
        "close_connection" => {
            let f = fields(&["connection"])?;
            Step::CloseConnection {
                connection: f.string_or("connection", "main")?,
            }
        }
        "declare_queue" => Step::DeclareQueue(parse_queue(body, location, true)?),
        "declare_exchange" => Step::DeclareExchange(parse_exchange(body, location, true)?),
        "bind" => Step::Bind(parse_binding(body, location, true)?),
        "unbind" => Step::Unbind(parse_binding(body, location, true)?),
        "delete_queue" => {
            let f = fields(&["queue", "if_unused", "if_empty", "channel"])?;
            Step::DeleteQueue {
                queue: f.string("queue")?,
                if_unused: f.bool_or("if_unused", false)?,
                if_empty: f.bool_or("if_empty", false)?,
                channel: f.channel()?,
            }
        }
        "delete_exchange" => {
            let f = fields(&["exchange", "if_unused", "channel"])?;
            Step::DeleteExchange {
                exchange: f.string("exchange")?,
                if_unused: f.bool_or("if_unused", false)?,
                channel: f.channel()?,
            }
        }
        "purge" => {
            let f = fields(&["queue", "channel"])?;
            Step::Purge {
                queue: f.string("queue")?,
                channel: f.channel()?,
            }
        }
        "tx" => {
            let f = fields(&["op", "channel"])?;
            Step::Tx {
                op: f.choice(
                    "op",
                    &[
                        ("select", TxOp::Select),
                        ("commit", TxOp::Commit),
                        ("rollback", TxOp::Rollback),
                        ("confirm_select", TxOp::ConfirmSelect),
                    ],
                )?,
                channel: f.channel()?,
            }
        }
        other => unreachable!("step kind {other} is listed in STEP_KINDS but not parsed"),
    };
    Ok(step)
}
