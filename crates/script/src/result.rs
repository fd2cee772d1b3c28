//! The canonical result of running a client script, and its JSON printing.
//!
//! Both runners (the broker core here, a real RabbitMQ in `amqp-playground-fidelity`) build the
//! same [`RunResult`], so fidelity is a string comparison of [`RunResult::to_canonical_json`].
//! The printed form has sorted keys at every level (built explicitly, so it does not depend on
//! serde_json's `preserve_order` feature being on or off in the build), two-space indentation
//! and a final newline.

use std::collections::BTreeMap;

use amqp_playground_core::FieldTable;
use serde_json::{Map, Value};

use crate::script::Properties;
use crate::value::{bytes_to_json, field_table_to_json};

/// Which step something happened in: an index into `steps`, or the top-level declarations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepRef {
    /// The top-level `exchanges` / `queues` / `bindings`.
    Setup,
    /// A 0-based index into `steps`.
    Index(usize),
}

impl StepRef {
    fn to_json(self) -> Value {
        match self {
            StepRef::Setup => Value::String("setup".into()),
            StepRef::Index(i) => Value::from(i),
        }
    }
}

/// A message as a client received it.
#[derive(Clone, Debug, PartialEq)]
pub struct Message {
    /// Body bytes.
    pub body: Vec<u8>,
    /// The redelivered flag.
    pub redelivered: bool,
    /// Exchange it was published to (or dead-lettered through).
    pub exchange: String,
    /// Routing key it was published (or dead-lettered) with.
    pub routing_key: String,
    /// Headers; `None` and an empty table print the same (no `headers` key).
    pub headers: Option<FieldTable>,
    /// Properties.
    pub properties: Properties,
}

impl Message {
    /// Canonical JSON.
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("body".into(), bytes_to_json(&self.body));
        m.insert("redelivered".into(), Value::Bool(self.redelivered));
        m.insert("exchange".into(), Value::String(self.exchange.clone()));
        m.insert(
            "routing_key".into(),
            Value::String(self.routing_key.clone()),
        );
        if let Some(h) = self.headers.as_ref().filter(|h| !h.is_empty()) {
            m.insert("headers".into(), field_table_to_json(h));
        }
        if !self.properties.is_empty() {
            m.insert("properties".into(), properties_to_json(&self.properties));
        }
        Value::Object(m)
    }
}

/// Properties as a JSON object with only the set ones.
pub fn properties_to_json(p: &Properties) -> Value {
    let mut m = Map::new();
    let mut s = |k: &str, v: &Option<String>| {
        if let Some(v) = v {
            m.insert(k.into(), Value::String(v.clone()));
        }
    };
    s("content_type", &p.content_type);
    s("content_encoding", &p.content_encoding);
    s("correlation_id", &p.correlation_id);
    s("reply_to", &p.reply_to);
    s("expiration", &p.expiration);
    s("message_id", &p.message_id);
    s("type", &p.kind);
    s("user_id", &p.user_id);
    s("app_id", &p.app_id);
    if let Some(v) = p.delivery_mode {
        m.insert("delivery_mode".into(), Value::from(v));
    }
    if let Some(v) = p.priority {
        m.insert("priority".into(), Value::from(v));
    }
    if let Some(v) = p.timestamp {
        m.insert("timestamp".into(), Value::from(v));
    }
    Value::Object(m)
}

/// One entry of the `log` section.
#[allow(clippy::large_enum_variant)] // a handful per run; boxing would only add noise
#[derive(Clone, Debug, PartialEq)]
pub enum LogEntry {
    /// basic.get.
    Get {
        /// Step.
        step: usize,
        /// Queue (script name).
        queue: String,
        /// The step's ack mode.
        ack: &'static str,
        /// The message, or `None` for get-empty.
        message: Option<Message>,
        /// Messages left (get-ok's count; 0 for get-empty).
        message_count: u32,
    },
    /// Get and ack until empty.
    Drain {
        /// Step.
        step: usize,
        /// Queue (script name).
        queue: String,
        /// Messages in order.
        messages: Vec<Message>,
    },
    /// Passive declare counts.
    Count {
        /// Step.
        step: usize,
        /// Queue (script name).
        queue: String,
        /// Ready messages.
        message_count: u32,
        /// Consumers.
        consumer_count: u32,
    },
    /// A `declare_queue` step's declare-ok.
    DeclareQueue {
        /// Step.
        step: usize,
        /// Queue (script name).
        queue: String,
        /// Ready messages.
        message_count: u32,
        /// Consumers.
        consumer_count: u32,
        /// For a server-named queue: `amq.gen-<22>` when the generated name has RabbitMQ's
        /// shape (`amq.gen-` + 22 base64url characters), else the name itself.
        server_named: Option<String>,
    },
    /// purge-ok.
    Purge {
        /// Step.
        step: usize,
        /// Queue (script name).
        queue: String,
        /// Messages purged.
        message_count: u32,
    },
    /// delete-ok.
    DeleteQueue {
        /// Step.
        step: usize,
        /// Queue (script name).
        queue: String,
        /// Messages deleted.
        message_count: u32,
    },
}

impl LogEntry {
    /// Canonical JSON.
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        let mut put = |k: &str, v: Value| {
            m.insert(k.into(), v);
        };
        match self {
            LogEntry::Get {
                step,
                queue,
                ack,
                message,
                message_count,
            } => {
                put("step", Value::from(*step));
                put("op", "get".into());
                put("queue", queue.as_str().into());
                put("ack", (*ack).into());
                put(
                    "message",
                    message.as_ref().map_or(Value::Null, Message::to_json),
                );
                put("message_count", Value::from(*message_count));
            }
            LogEntry::Drain {
                step,
                queue,
                messages,
            } => {
                put("step", Value::from(*step));
                put("op", "drain".into());
                put("queue", queue.as_str().into());
                put(
                    "messages",
                    Value::Array(messages.iter().map(Message::to_json).collect()),
                );
            }
            LogEntry::Count {
                step,
                queue,
                message_count,
                consumer_count,
            } => {
                put("step", Value::from(*step));
                put("op", "count".into());
                put("queue", queue.as_str().into());
                put("message_count", Value::from(*message_count));
                put("consumer_count", Value::from(*consumer_count));
            }
            LogEntry::DeclareQueue {
                step,
                queue,
                message_count,
                consumer_count,
                server_named,
            } => {
                put("step", Value::from(*step));
                put("op", "declare_queue".into());
                put("queue", queue.as_str().into());
                put("message_count", Value::from(*message_count));
                put("consumer_count", Value::from(*consumer_count));
                if let Some(s) = server_named {
                    put("server_named", s.as_str().into());
                }
            }
            LogEntry::Purge {
                step,
                queue,
                message_count,
            } => {
                put("step", Value::from(*step));
                put("op", "purge".into());
                put("queue", queue.as_str().into());
                put("message_count", Value::from(*message_count));
            }
            LogEntry::DeleteQueue {
                step,
                queue,
                message_count,
            } => {
                put("step", Value::from(*step));
                put("op", "delete_queue".into());
                put("queue", queue.as_str().into());
                put("message_count", Value::from(*message_count));
            }
        }
        Value::Object(m)
    }
}

/// A basic.return.
#[derive(Clone, Debug, PartialEq)]
pub struct Returned {
    /// The publish step.
    pub step: usize,
    /// 312 (NO_ROUTE).
    pub reply_code: u16,
    /// `NO_ROUTE`.
    pub reply_text: String,
    /// The returned message (its exchange and routing key as returned).
    pub message: Message,
}

/// Whether an error closed a channel or the whole connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// channel.close.
    Channel,
    /// connection.close.
    Connection,
}

impl Scope {
    /// `channel` / `connection`.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Channel => "channel",
            Scope::Connection => "connection",
        }
    }
}

/// An error the broker answered with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ErrorEntry {
    /// Step (or setup).
    pub step: StepRef,
    /// The step kind, or the declaration kind for setup (`declare_queue`, ...).
    pub op: String,
    /// Channel or connection.
    pub scope: Scope,
    /// AMQP reply code.
    pub reply_code: u16,
    /// RabbitMQ's reply text.
    pub reply_text: String,
}

/// The canonical result of a run.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RunResult {
    /// Final drain per declared queue; `None` when the queue no longer exists.
    pub queues: BTreeMap<String, Option<Vec<Message>>>,
    /// get / drain / count / declare / purge / delete records.
    pub log: Vec<LogEntry>,
    /// Deliveries per consumer tag, in arrival order.
    pub consumers: BTreeMap<String, Vec<Message>>,
    /// basic.return messages.
    pub returns: Vec<Returned>,
    /// Publisher nacks: (step, body).
    pub nacks: Vec<(usize, Vec<u8>)>,
    /// Broker errors.
    pub errors: Vec<ErrorEntry>,
    /// Text replacements applied to every string and key when printing, longest first: the
    /// runner maps generated queue names to their aliases, the fidelity harness strips its
    /// per-run name prefix.
    pub renames: Vec<(String, String)>,
}

impl RunResult {
    /// The result as a JSON value (keys in any order; see [`canonical_json`]).
    pub fn to_json(&self) -> Value {
        let mut top = Map::new();
        let queues = self
            .queues
            .iter()
            .map(|(k, v)| {
                let v = match v {
                    Some(msgs) => Value::Array(msgs.iter().map(Message::to_json).collect()),
                    None => Value::Null,
                };
                (k.clone(), v)
            })
            .collect();
        top.insert("queues".into(), Value::Object(queues));
        top.insert(
            "log".into(),
            Value::Array(self.log.iter().map(LogEntry::to_json).collect()),
        );
        top.insert(
            "consumers".into(),
            Value::Object(
                self.consumers
                    .iter()
                    .map(|(k, v)| {
                        (
                            k.clone(),
                            Value::Array(v.iter().map(Message::to_json).collect()),
                        )
                    })
                    .collect(),
            ),
        );
        top.insert(
            "returns".into(),
            Value::Array(
                self.returns
                    .iter()
                    .map(|r| {
                        let mut m = match r.message.to_json() {
                            Value::Object(m) => m,
                            _ => Map::new(),
                        };
                        m.insert("step".into(), Value::from(r.step));
                        m.insert("reply_code".into(), Value::from(r.reply_code));
                        m.insert("reply_text".into(), r.reply_text.as_str().into());
                        Value::Object(m)
                    })
                    .collect(),
            ),
        );
        top.insert(
            "nacks".into(),
            Value::Array(
                self.nacks
                    .iter()
                    .map(|(step, body)| {
                        let mut m = Map::new();
                        m.insert("step".into(), Value::from(*step));
                        m.insert("body".into(), bytes_to_json(body));
                        Value::Object(m)
                    })
                    .collect(),
            ),
        );
        top.insert(
            "errors".into(),
            Value::Array(
                self.errors
                    .iter()
                    .map(|e| {
                        let mut m = Map::new();
                        m.insert("step".into(), e.step.to_json());
                        m.insert("op".into(), e.op.as_str().into());
                        m.insert("scope".into(), e.scope.as_str().into());
                        m.insert("reply_code".into(), Value::from(e.reply_code));
                        m.insert("reply_text".into(), e.reply_text.as_str().into());
                        Value::Object(m)
                    })
                    .collect(),
            ),
        );
        let mut value = Value::Object(top);
        let mut renames: Vec<&(String, String)> = self
            .renames
            .iter()
            .filter(|(from, _)| !from.is_empty())
            .collect();
        renames.sort_by_key(|(from, _)| std::cmp::Reverse(from.len()));
        // Always walked: direct reply-to names are masked even with no renames.
        rename_all(&mut value, &renames);
        value
    }

    /// The printed canonical result: sorted keys, two-space indentation, final newline.
    pub fn to_canonical_json(&self) -> String {
        canonical_json(&self.to_json())
    }
}

fn rename_str(s: &str, renames: &[&(String, String)]) -> String {
    let mut out = s.to_string();
    for (from, to) in renames {
        if out.contains(from.as_str()) {
            out = out.replace(from.as_str(), to);
        }
    }
    out
}

/// The prefix of the names RabbitMQ generates for direct reply-to.
pub const REPLY_TO_PREFIX: &str = "amq.rabbitmq.reply-to.";
/// How a generated direct reply-to name prints (and how a script publishes a reply to it).
pub const REPLY_TO_PLACEHOLDER: &str = "amq.rabbitmq.reply-to.<opaque>";

/// Replaces the opaque part of every direct reply-to name (random on a real broker) with
/// `<opaque>`.
pub fn mask_reply_to(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find(REPLY_TO_PREFIX) {
        let after = &rest[i + REPLY_TO_PREFIX.len()..];
        let opaque = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || "+/=._-".contains(c)))
            .unwrap_or(after.len());
        out.push_str(&rest[..i]);
        if opaque == 0 {
            out.push_str(REPLY_TO_PREFIX);
        } else {
            out.push_str(REPLY_TO_PLACEHOLDER);
        }
        rest = &after[opaque..];
    }
    out.push_str(rest);
    out
}

fn rename_all(value: &mut Value, renames: &[&(String, String)]) {
    match value {
        Value::String(s) => *s = mask_reply_to(&rename_str(s, renames)),
        Value::Array(items) => items.iter_mut().for_each(|v| rename_all(v, renames)),
        Value::Object(map) => {
            let entries: Vec<(String, Value)> = std::mem::take(map).into_iter().collect();
            for (k, mut v) in entries {
                rename_all(&mut v, renames);
                map.insert(rename_str(&k, renames), v);
            }
        }
        _ => {}
    }
}

/// Prints any JSON value with every object's keys sorted, two-space indentation and a final
/// newline.
pub fn canonical_json(value: &Value) -> String {
    let mut out = String::new();
    write_value(value, 0, &mut out);
    out.push('\n');
    out
}

fn write_value(value: &Value, indent: usize, out: &mut String) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push_str("{\n");
            for (i, k) in keys.iter().enumerate() {
                push_indent(indent + 1, out);
                out.push_str(&Value::String((*k).clone()).to_string());
                out.push_str(": ");
                write_value(&map[k.as_str()], indent + 1, out);
                if i + 1 < keys.len() {
                    out.push(',');
                }
                out.push('\n');
            }
            push_indent(indent, out);
            out.push('}');
        }
        Value::Array(items) if !items.is_empty() => {
            out.push_str("[\n");
            for (i, item) in items.iter().enumerate() {
                push_indent(indent + 1, out);
                write_value(item, indent + 1, out);
                if i + 1 < items.len() {
                    out.push(',');
                }
                out.push('\n');
            }
            push_indent(indent, out);
            out.push(']');
        }
        Value::Object(_) => out.push_str("{}"),
        Value::Array(_) => out.push_str("[]"),
        scalar => out.push_str(&scalar.to_string()),
    }
}

fn push_indent(level: usize, out: &mut String) {
    for _ in 0..level {
        out.push_str("  ");
    }
}
