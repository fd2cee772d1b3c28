//! Fidelity harness: runs client scripts against a real RabbitMQ through lapin, producing the
//! same canonical result the broker core produces, so the two can be compared as text.
//!
//! [`RabbitBackend`] implements the script crate's [`Backend`] trait; the interpreter
//! (`amqp_playground_script::run`) is shared with the core runner, so a difference between the
//! two results is a difference in broker behaviour.
//!
//! # Unique names and cleanup
//! Every queue and exchange name of a script is prefixed with a per-run id (`fid<hex>-`) on
//! the wire, and the prefix is removed from every string of the result, so both sides print the
//! script's own names. Left alone: `""`, names starting with `amq.` (predeclared exchanges, the
//! reserved-prefix errors, server-named queues, direct reply-to). Routing keys are prefixed only
//! where they name a queue: publishes to the default exchange (with their `CC`/`BCC` entries)
//! and `x-dead-letter-routing-key` when the dead-letter exchange is the default one. Everything
//! declared is deleted afterwards from a fresh connection ([`RabbitBackend::cleanup`]).
//!
//! # Timing
//! A real broker pushes deliveries asynchronously and expires messages on its own clock. The
//! harness makes results independent of timing as follows:
//! - publishes wait for their confirm (scripts default to `confirm: true`); with confirms off
//!   each publish is followed by a round trip on the same channel (a passive declare of
//!   `amq.direct`), which also surfaces a publish error at its own step;
//! - `ack` / `nack` / `reject` have no reply in AMQP, so each is followed by the same round
//!   trip: an unknown-tag 406 is reported at the settle that caused it;
//! - before every step, while consumers exist, the harness makes a round trip on every consumer
//!   channel and then waits until no delivery has arrived for two 25 ms windows
//!   (`settle_down`);
//! - `sleep_ms` really sleeps: scripts about TTL and `x-expires` sleep well past the deadline
//!   (RabbitMQ expires the head message on a timer, so after the deadline the count is exact).
//!
//! # Layout
//! - [`RabbitBackend`]: the lapin-backed [`Backend`].
//! - [`convert`]: core field values ↔ lapin's `AMQPValue`.
//! - [`run_on_rabbitmq`]: one script on RabbitMQ, one canonical JSON string (the core side is
//!   [`amqp_playground_script::run_on_core`]).
//!
//! # Example
//! ```no_run
//! use amqp_playground_fidelity::run_on_rabbitmq;
//! use amqp_playground_script::Script;
//!
//! let script = Script::parse(r#"{"queues": [{"name": "hello"}],
//!   "steps": [{"publish": {"exchange": "", "routing_key": "hello", "body": "Hello World!"}}]}"#)?;
//! let json = run_on_rabbitmq(&script, "amqp://guest:guest@127.0.0.1:5672/%2f")?;
//! assert!(json.contains("Hello World!"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]

pub mod convert;

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use amqp_playground_core::{FieldTable, FieldValue};
use amqp_playground_script::backend::{
    BackendResult, Confirm, ConsumerDelivery, DeclareOk, GetOk, OutgoingMessage, PublishOutcome,
};
use amqp_playground_script::result::Message;
use amqp_playground_script::script::{
    BindingDecl, ChannelName, ConsumeAck, DestinationType, ExchangeDecl, Properties, QueueDecl,
    TxOp,
};
use amqp_playground_script::{AmqpError, Backend, BackendError, RunError, Scope, Script};
use lapin::options::*;
use lapin::protocol::AMQPErrorKind;
use lapin::{
    BasicProperties, Channel, Confirmation, Connection, ConnectionProperties, Consumer, ErrorKind,
    ExchangeKind,
};

use crate::convert::{from_amqp_table, to_amqp_table};

/// The broker the fidelity suite uses unless `AMQP_URL` says otherwise.
pub const DEFAULT_URL: &str = "amqp://guest:guest@127.0.0.1:5672/%2f";

/// The URL to test against: `AMQP_URL` or [`DEFAULT_URL`].
pub fn broker_url() -> String {
    std::env::var("AMQP_URL").unwrap_or_else(|_| DEFAULT_URL.to_string())
}

/// Longest wait for any single broker operation before the run is declared broken.
const OP_TIMEOUT: Duration = Duration::from_secs(10);
/// Quiet period that counts as "no more deliveries on the way".
const QUIET_WINDOW: Duration = Duration::from_millis(25);

/// A [`Backend`] that speaks AMQP to a real RabbitMQ.
pub struct RabbitBackend {
    rt: tokio::runtime::Runtime,
    url: String,
    prefix: String,
    confirm: bool,
    connections: BTreeMap<String, Arc<Connection>>,
    channels: BTreeMap<ChannelName, Channel>,
    /// Dropping a lapin `Consumer` cancels it, so they live here until their channel goes.
    consumers: BTreeMap<(ChannelName, String), Consumer>,
    deliveries: Arc<Mutex<Vec<ConsumerDelivery>>>,
    arrived: Arc<AtomicU64>,
    created_queues: BTreeSet<String>,
    created_exchanges: BTreeSet<String>,
    /// Channel and connection errors as lapin's event stream reports them (every one, also
    /// those an operation already returned).
    error_events: Arc<Mutex<Vec<AmqpError>>>,
    /// Errors an operation returned whose event echo has not been seen yet.
    echoes: Vec<AmqpError>,
}

/// How long to wait for the event of an error that closed a channel between two operations.
const ERROR_EVENT_WAIT: Duration = Duration::from_secs(2);

impl RabbitBackend {
    /// A backend for `url` with a fresh unique name prefix. Connects lazily.
    pub fn new(url: &str) -> Result<Self, String> {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start the tokio runtime: {e}"))?;
        Ok(RabbitBackend {
            rt,
            url: url.to_string(),
            prefix: unique_prefix(),
            confirm: true,
            connections: BTreeMap::new(),
            channels: BTreeMap::new(),
            consumers: BTreeMap::new(),
            deliveries: Arc::new(Mutex::new(Vec::new())),
            arrived: Arc::new(AtomicU64::new(0)),
            created_queues: BTreeSet::new(),
            created_exchanges: BTreeSet::new(),
            error_events: Arc::new(Mutex::new(Vec::new())),
            echoes: Vec::new(),
        })
    }

    /// The per-run prefix put on every script name (strip it from the result).
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// Checks that the broker answers: connects and closes.
    pub fn ping(url: &str) -> Result<(), String> {
        let backend = RabbitBackend::new(url)?;
        backend
            .rt
            .block_on(async {
                tokio::time::timeout(
                    Duration::from_secs(5),
                    Connection::connect(url, ConnectionProperties::default()),
                )
                .await
            })
            .map_err(|_| format!("timed out connecting to {url}"))?
            .map_err(|e| format!("cannot connect to {url}: {e}"))?;
        Ok(())
    }

    fn name(&self, name: &str) -> String {
        if name.is_empty() || name.starts_with("amq.") {
            name.to_string()
        } else {
            format!("{}{name}", self.prefix)
        }
    }

    /// Prefixes the names inside arguments that refer to exchanges or (via the default
    /// exchange) queues.
    fn arguments(&self, args: &FieldTable) -> FieldTable {
        let mut out = args.clone();
        let dlx = args
            .get("x-dead-letter-exchange")
            .and_then(FieldValue::as_str);
        for (key, value) in out.0.iter_mut() {
            let refers_to_name = match key.as_str() {
                "x-dead-letter-exchange" | "alternate-exchange" => true,
                "x-dead-letter-routing-key" => dlx == Some(""),
                _ => false,
            };
            if let (true, Some(s)) = (refers_to_name, value.as_str()) {
                *value = FieldValue::string(self.name(s));
            }
        }
        out
    }

    fn block<T, F>(&self, fut: F) -> BackendResult<T>
    where
        F: Future<Output = lapin::Result<T>>,
    {
        self.rt
            .block_on(async { tokio::time::timeout(OP_TIMEOUT, fut).await })
            .map_err(|_| BackendError::Harness("RabbitMQ did not answer within 10 s".into()))?
            .map_err(map_error)
    }

    fn connection(&mut self, name: &str) -> BackendResult<Arc<Connection>> {
        if let Some(c) = self.connections.get(name) {
            if c.status().connected() {
                return Ok(c.clone());
            }
            self.drop_connection(name);
        }
        let props = ConnectionProperties::default()
            .with_connection_name(format!("{}{name}", self.prefix).into());
        let url = self.url.clone();
        let conn = self
            .block(async move { Connection::connect(&url, props).await })
            .map_err(|e| BackendError::Harness(format!("cannot connect to {}: {e}", self.url)))?;
        let conn = Arc::new(conn);
        let events = conn.events_listener();
        let sink = Arc::clone(&self.error_events);
        self.rt.spawn(async move {
            use futures_lite::StreamExt;
            let mut events = std::pin::pin!(events);
            while let Some(event) = events.next().await {
                if let lapin::Event::Error(e) = event {
                    if let BackendError::Amqp(e) = map_error(e) {
                        if let Ok(mut v) = sink.lock() {
                            v.push(e);
                        }
                    }
                }
            }
        });
        self.connections.insert(name.to_string(), Arc::clone(&conn));
        Ok(conn)
    }

    fn channel(&mut self, name: &ChannelName) -> BackendResult<Channel> {
        if let Some(c) = self.channels.get(name) {
            if c.status().connected() {
                return Ok(c.clone());
            }
            // The broker closed it since the last operation (an ack, nack or reject has no
            // reply, so its error arrives on its own): report that error now, at the step that
            // caused it, rather than silently reopening.
            let unreported = self.unreported_error();
            self.drop_channel(name);
            if let Some(e) = unreported {
                if e.scope == Scope::Connection {
                    self.drop_connection(&name.connection);
                }
                return Err(BackendError::Amqp(e));
            }
        }
        let conn = self.connection(&name.connection)?;
        let ch = self.block(async move { conn.create_channel().await })?;
        if self.confirm {
            let c = ch.clone();
            self.block(async move { c.confirm_select(ConfirmSelectOptions::default()).await })?;
        }
        self.channels.insert(name.clone(), ch.clone());
        Ok(ch)
    }

    fn drop_channel(&mut self, name: &ChannelName) {
        self.channels.remove(name);
        self.consumers.retain(|(c, _), _| c != name);
    }

    fn drop_connection(&mut self, name: &str) {
        self.connections.remove(name);
        self.channels.retain(|c, _| c.connection != name);
        self.consumers.retain(|(c, _), _| c.connection != name);
    }

    /// Runs one operation on a channel and forgets the channel (or connection) if the broker
    /// closed it.
    fn on<T, F, Fut>(&mut self, name: &ChannelName, op: F) -> BackendResult<T>
    where
        F: FnOnce(Channel) -> Fut,
        Fut: Future<Output = lapin::Result<T>>,
    {
        let ch = self.channel(name)?;
        let out = self.block(op(ch));
        self.after(name, out)
    }

    /// The first error event that is not the echo of an error an operation already returned,
    /// waiting a little for it to arrive.
    fn unreported_error(&mut self) -> Option<AmqpError> {
        let deadline = std::time::Instant::now() + ERROR_EVENT_WAIT;
        loop {
            let events: Vec<AmqpError> = self
                .error_events
                .lock()
                .map(|mut v| std::mem::take(&mut *v))
                .unwrap_or_default();
            let mut found = None;
            let mut rest = Vec::new();
            for e in events {
                if let Some(i) = self.echoes.iter().position(|x| *x == e) {
                    self.echoes.remove(i);
                } else if found.is_none() {
                    found = Some(e);
                } else {
                    rest.push(e);
                }
            }
            if !rest.is_empty() {
                if let Ok(mut v) = self.error_events.lock() {
                    rest.append(&mut v);
                    *v = rest;
                }
            }
            if found.is_some() || std::time::Instant::now() >= deadline {
                return found;
            }
            self.rt
                .block_on(async { tokio::time::sleep(Duration::from_millis(10)).await });
        }
    }

    fn after<T>(&mut self, name: &ChannelName, out: BackendResult<T>) -> BackendResult<T> {
        if let Err(BackendError::Amqp(e)) = &out {
            self.echoes.push(e.clone());
            match e.scope {
                Scope::Channel => self.drop_channel(name),
                Scope::Connection => self.drop_connection(&name.connection),
            }
        }
        out
    }

    /// A synchronous round trip on the channel, so that an error caused by a method without a
    /// reply (publish without confirms, ack, nack, reject) is reported now.
    fn round_trip(&mut self, name: &ChannelName) -> BackendResult<()> {
        self.on(name, |ch| async move {
            ch.exchange_declare(
                "amq.direct".into(),
                ExchangeKind::Direct,
                ExchangeDeclareOptions {
                    passive: true,
                    ..Default::default()
                },
                Default::default(),
            )
            .await
        })
    }

    /// Deletes everything the run declared, from a fresh connection, and closes the run's
    /// connections.
    pub fn cleanup(&mut self) -> Result<(), String> {
        self.consumers.clear();
        self.channels.clear();
        let conns: Vec<Arc<Connection>> = std::mem::take(&mut self.connections)
            .into_values()
            .collect();
        for c in conns {
            let _ = self.block(async move { c.close(200, "bye".into()).await });
        }
        if self.created_queues.is_empty() && self.created_exchanges.is_empty() {
            return Ok(());
        }
        let url = self.url.clone();
        let conn = self
            .block(async move { Connection::connect(&url, ConnectionProperties::default()).await })
            .map_err(|e| format!("cleanup: cannot connect: {e}"))?;
        let queues = std::mem::take(&mut self.created_queues);
        let exchanges = std::mem::take(&mut self.created_exchanges);
        let c = conn;
        let outcome = self.block(async move {
            let mut ch = c.create_channel().await?;
            for q in queues {
                if ch
                    .queue_delete(q.as_str().into(), Default::default())
                    .await
                    .is_err()
                {
                    // Someone else's exclusive queue cannot be; it goes with its connection.
                    ch = c.create_channel().await?;
                }
            }
            for x in exchanges {
                if ch
                    .exchange_delete(x.as_str().into(), Default::default())
                    .await
                    .is_err()
                {
                    ch = c.create_channel().await?;
                }
            }
            c.close(200, "bye".into()).await
        });
        outcome.map_err(|e| format!("cleanup failed: {e}"))
    }

    fn properties(&self, p: &Properties, headers: Option<FieldTable>) -> BasicProperties {
        let mut b = BasicProperties::default();
        if let Some(h) = headers {
            b = b.with_headers(to_amqp_table(&h));
        }
        macro_rules! short {
            ($field:ident, $with:ident) => {
                if let Some(v) = &p.$field {
                    b = b.$with(v.as_str().into());
                }
            };
        }
        short!(content_type, with_content_type);
        short!(content_encoding, with_content_encoding);
        short!(correlation_id, with_correlation_id);
        short!(reply_to, with_reply_to);
        short!(expiration, with_expiration);
        short!(message_id, with_message_id);
        short!(kind, with_type);
        short!(user_id, with_user_id);
        short!(app_id, with_app_id);
        if let Some(v) = p.delivery_mode {
            b = b.with_delivery_mode(v);
        }
        if let Some(v) = p.priority {
            b = b.with_priority(v);
        }
        if let Some(v) = p.timestamp {
            b = b.with_timestamp(v);
        }
        b
    }
}

impl Drop for RabbitBackend {
    fn drop(&mut self) {
        // Best effort: a failed cleanup leaves uniquely named leftovers, never wrong results.
        let _ = self.cleanup();
    }
}

fn unique_prefix() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let mixed =
        (nanos as u64) ^ (u64::from(std::process::id()) << 40) ^ n.wrapping_mul(0x9e37_79b9);
    format!("fid{:010x}-", mixed & 0xff_ffff_ffff)
}

/// A close that fails on the client side (the channel was already closing) is not a broker
/// answer; only a broker error is reported.
fn quiet_close(out: BackendResult<()>) -> BackendResult<()> {
    match out {
        Err(BackendError::Harness(_)) => Ok(()),
        other => other,
    }
}

fn map_error(e: lapin::Error) -> BackendError {
    match e.kind() {
        ErrorKind::ProtocolError(amqp) => BackendError::Amqp(AmqpError {
            scope: match amqp.kind() {
                AMQPErrorKind::Soft(_) => Scope::Channel,
                AMQPErrorKind::Hard(_) => Scope::Connection,
            },
            reply_code: amqp.get_id(),
            reply_text: amqp.get_message().to_string(),
        }),
        _ => BackendError::Harness(format!("lapin: {e}")),
    }
}

fn message_from_delivery(d: &lapin::message::Delivery) -> Message {
    let p = &d.properties;
    let s = |v: &Option<lapin::types::ShortString>| v.as_ref().map(|s| s.to_string());
    Message {
        body: d.data.clone(),
        redelivered: d.redelivered,
        exchange: d.exchange.to_string(),
        routing_key: d.routing_key.to_string(),
        headers: p.headers().as_ref().map(from_amqp_table),
        properties: Properties {
            content_type: s(p.content_type()),
            content_encoding: s(p.content_encoding()),
            delivery_mode: *p.delivery_mode(),
            priority: *p.priority(),
            correlation_id: s(p.correlation_id()),
            reply_to: s(p.reply_to()),
            expiration: s(p.expiration()),
            message_id: s(p.message_id()),
            timestamp: *p.timestamp(),
            kind: s(p.kind()),
            user_id: s(p.user_id()),
            app_id: s(p.app_id()),
        },
    }
}

impl Backend for RabbitBackend {
    fn set_confirm(&mut self, confirm: bool) {
        self.confirm = confirm;
    }

    fn declare_exchange(&mut self, ch: &ChannelName, decl: &ExchangeDecl) -> BackendResult<()> {
        let name = self.name(&decl.name);
        let kind = match decl.kind.as_str() {
            "direct" => ExchangeKind::Direct,
            "fanout" => ExchangeKind::Fanout,
            "topic" => ExchangeKind::Topic,
            "headers" => ExchangeKind::Headers,
            other => ExchangeKind::Custom(other.to_string()),
        };
        let options = ExchangeDeclareOptions {
            passive: decl.passive,
            durable: decl.durable,
            auto_delete: decl.auto_delete,
            internal: decl.internal,
            nowait: false,
        };
        let args = to_amqp_table(&self.arguments(&decl.arguments));
        let n = name.clone();
        self.on(ch, |c| async move {
            c.exchange_declare(n.as_str().into(), kind, options, args)
                .await
        })?;
        if !decl.passive && !name.starts_with("amq.") {
            self.created_exchanges.insert(name);
        }
        Ok(())
    }

    fn declare_queue(&mut self, ch: &ChannelName, decl: &QueueDecl) -> BackendResult<DeclareOk> {
        let name = self.name(&decl.name);
        let options = QueueDeclareOptions {
            passive: decl.passive,
            durable: decl.durable,
            exclusive: decl.exclusive,
            auto_delete: decl.auto_delete,
            nowait: false,
        };
        let args = to_amqp_table(&self.arguments(&decl.arguments));
        let q = self.on(ch, |c| async move {
            c.queue_declare(name.as_str().into(), options, args).await
        })?;
        let real = q.name().to_string();
        if !decl.passive {
            self.created_queues.insert(real.clone());
        }
        Ok(DeclareOk {
            name: real,
            message_count: q.message_count(),
            consumer_count: q.consumer_count(),
        })
    }

    fn bind(&mut self, ch: &ChannelName, b: &BindingDecl) -> BackendResult<()> {
        let (src, dst) = (self.name(&b.source), self.name(&b.destination));
        let (key, args) = (b.routing_key.clone(), to_amqp_table(&b.arguments));
        let kind = b.destination_type;
        self.on(ch, |c| async move {
            match kind {
                DestinationType::Queue => {
                    c.queue_bind(
                        dst.as_str().into(),
                        src.as_str().into(),
                        key.as_str().into(),
                        Default::default(),
                        args,
                    )
                    .await
                }
                DestinationType::Exchange => {
                    c.exchange_bind(
                        dst.as_str().into(),
                        src.as_str().into(),
                        key.as_str().into(),
                        Default::default(),
                        args,
                    )
                    .await
                }
            }
        })
    }

    fn unbind(&mut self, ch: &ChannelName, b: &BindingDecl) -> BackendResult<()> {
        let (src, dst) = (self.name(&b.source), self.name(&b.destination));
        let (key, args) = (b.routing_key.clone(), to_amqp_table(&b.arguments));
        let kind = b.destination_type;
        self.on(ch, |c| async move {
            match kind {
                DestinationType::Queue => {
                    c.queue_unbind(
                        dst.as_str().into(),
                        src.as_str().into(),
                        key.as_str().into(),
                        args,
                    )
                    .await
                }
                DestinationType::Exchange => {
                    c.exchange_unbind(
                        dst.as_str().into(),
                        src.as_str().into(),
                        key.as_str().into(),
                        Default::default(),
                        args,
                    )
                    .await
                }
            }
        })
    }

    fn delete_queue(
        &mut self,
        ch: &ChannelName,
        queue: &str,
        if_unused: bool,
        if_empty: bool,
    ) -> BackendResult<u32> {
        let q = self.name(queue);
        self.on(ch, |c| async move {
            c.queue_delete(
                q.as_str().into(),
                QueueDeleteOptions {
                    if_unused,
                    if_empty,
                    nowait: false,
                },
            )
            .await
        })
    }

    fn delete_exchange(
        &mut self,
        ch: &ChannelName,
        exchange: &str,
        if_unused: bool,
    ) -> BackendResult<()> {
        let x = self.name(exchange);
        self.on(ch, |c| async move {
            c.exchange_delete(
                x.as_str().into(),
                ExchangeDeleteOptions {
                    if_unused,
                    nowait: false,
                },
            )
            .await
        })
    }

    fn purge(&mut self, ch: &ChannelName, queue: &str) -> BackendResult<u32> {
        let q = self.name(queue);
        self.on(ch, |c| async move {
            c.queue_purge(q.as_str().into(), Default::default()).await
        })
    }

    fn publish(
        &mut self,
        ch: &ChannelName,
        msg: &OutgoingMessage,
    ) -> BackendResult<PublishOutcome> {
        let exchange = self.name(&msg.exchange);
        let to_default = msg.exchange.is_empty();
        let routing_key = if to_default {
            self.name(&msg.routing_key)
        } else {
            msg.routing_key.clone()
        };
        let mut headers = msg.headers.clone();
        if to_default {
            // CC / BCC entries name queues too when they go through the default exchange.
            if let Some(h) = headers.as_mut() {
                for (k, v) in h.0.iter_mut() {
                    if k == "CC" || k == "BCC" {
                        if let FieldValue::Array(items) = v {
                            for item in items.iter_mut() {
                                if let Some(s) = item.as_str() {
                                    *item = FieldValue::string(self.name(s));
                                }
                            }
                        }
                    }
                }
            }
        }
        let props = self.properties(&msg.properties, headers);
        let options = BasicPublishOptions {
            mandatory: msg.mandatory,
            immediate: msg.immediate,
        };
        let body = msg.body.clone();
        let confirm_on = self.confirm;
        let outcome = self.on(ch, |c| async move {
            let pending = c
                .basic_publish(
                    exchange.as_str().into(),
                    routing_key.as_str().into(),
                    options,
                    &body,
                    props,
                )
                .await?;
            if confirm_on {
                Ok(Some(pending.await?))
            } else {
                Ok(None)
            }
        })?;
        let (confirm, returned) = match outcome {
            Some(Confirmation::Ack(r)) => (Confirm::Ack, r),
            Some(Confirmation::Nack(r)) => (Confirm::Nack, r),
            Some(Confirmation::NotRequested) | None => {
                self.round_trip(ch)?;
                let c = self.channel(ch)?;
                let mut returned = self.block(async move { c.wait_for_confirms().await })?;
                (Confirm::NotRequested, returned.pop())
            }
        };
        Ok(PublishOutcome {
            confirm,
            returned: returned.map(|r| {
                (
                    r.reply_code,
                    r.reply_text.to_string(),
                    message_from_delivery(&r.delivery),
                )
            }),
        })
    }

    fn get(&mut self, ch: &ChannelName, queue: &str, no_ack: bool) -> BackendResult<Option<GetOk>> {
        let q = self.name(queue);
        let got = self.on(ch, |c| async move {
            c.basic_get(q.as_str().into(), BasicGetOptions { no_ack })
                .await
        })?;
        Ok(got.map(|g| GetOk {
            delivery_tag: g.delivery.delivery_tag,
            message: message_from_delivery(&g.delivery),
            message_count: g.message_count,
        }))
    }

    fn ack(&mut self, ch: &ChannelName, tag: u64, multiple: bool) -> BackendResult<()> {
        self.on(ch, |c| async move {
            c.basic_ack(tag, BasicAckOptions { multiple }).await
        })?;
        self.round_trip(ch)
    }

    fn nack(
        &mut self,
        ch: &ChannelName,
        tag: u64,
        multiple: bool,
        requeue: bool,
    ) -> BackendResult<()> {
        self.on(ch, |c| async move {
            c.basic_nack(tag, BasicNackOptions { multiple, requeue })
                .await
        })?;
        self.round_trip(ch)
    }

    fn reject(&mut self, ch: &ChannelName, tag: u64, requeue: bool) -> BackendResult<()> {
        self.on(ch, |c| async move {
            c.basic_reject(tag, BasicRejectOptions { requeue }).await
        })?;
        self.round_trip(ch)
    }

    fn qos(
        &mut self,
        ch: &ChannelName,
        prefetch_size: u32,
        prefetch: u16,
        global: bool,
    ) -> BackendResult<()> {
        if prefetch_size != 0 {
            // lapin's basic_qos has no prefetch_size parameter; RabbitMQ's answer to any
            // non-zero size is fixed (semantics §9.3), so this is the one reply we state
            // rather than observe.
            return Err(BackendError::Harness(format!(
                "prefetch_size {prefetch_size} cannot be sent with lapin"
            )));
        }
        self.on(ch, |c| async move {
            c.basic_qos(prefetch, BasicQosOptions { global }).await
        })
    }

    fn consume(
        &mut self,
        ch: &ChannelName,
        queue: &str,
        tag: &str,
        ack: ConsumeAck,
        exclusive: bool,
        arguments: &FieldTable,
    ) -> BackendResult<()> {
        let q = self.name(queue);
        let t = tag.to_string();
        let args = to_amqp_table(arguments);
        let options = BasicConsumeOptions {
            no_local: false,
            no_ack: ack == ConsumeAck::None,
            exclusive,
            nowait: false,
        };
        let consumer = self.on(ch, |c| async move {
            c.basic_consume(q.as_str().into(), t.as_str().into(), options, args)
                .await
        })?;
        let sink = Arc::clone(&self.deliveries);
        let arrived = Arc::clone(&self.arrived);
        let channel = ch.clone();
        let consumer_tag = tag.to_string();
        consumer.set_delegate(move |delivery: lapin::message::DeliveryResult| {
            let sink = Arc::clone(&sink);
            let arrived = Arc::clone(&arrived);
            let channel = channel.clone();
            let consumer_tag = consumer_tag.clone();
            async move {
                let Ok(Some(d)) = delivery else { return };
                if let Ok(mut v) = sink.lock() {
                    v.push(ConsumerDelivery {
                        channel,
                        consumer_tag,
                        delivery_tag: d.delivery_tag,
                        message: message_from_delivery(&d),
                    });
                }
                if ack == ConsumeAck::Ack {
                    let _ = d.acker.ack(BasicAckOptions::default()).await;
                }
                arrived.fetch_add(1, Ordering::SeqCst);
            }
        });
        self.consumers
            .insert((ch.clone(), tag.to_string()), consumer);
        Ok(())
    }

    fn cancel(&mut self, ch: &ChannelName, tag: &str) -> BackendResult<()> {
        let t = tag.to_string();
        self.on(ch, |c| async move {
            c.basic_cancel(t.as_str().into(), Default::default()).await
        })?;
        self.consumers.remove(&(ch.clone(), tag.to_string()));
        Ok(())
    }

    fn recover(&mut self, ch: &ChannelName, requeue: bool) -> BackendResult<()> {
        self.on(ch, |c| async move {
            c.basic_recover(BasicRecoverOptions { requeue }).await
        })
    }

    fn tx(&mut self, ch: &ChannelName, op: TxOp) -> BackendResult<()> {
        self.on(ch, |c| async move {
            match op {
                TxOp::Select => c.tx_select().await,
                TxOp::Commit => c.tx_commit().await,
                TxOp::Rollback => c.tx_rollback().await,
                TxOp::ConfirmSelect => c.confirm_select(ConfirmSelectOptions::default()).await,
            }
        })
    }

    fn close_channel(&mut self, ch: &ChannelName) -> BackendResult<()> {
        let Some(c) = self.channels.get(ch).cloned() else {
            return Ok(());
        };
        // Close before dropping the lapin objects: dropping them starts a close of its own.
        let out = if c.status().connected() {
            self.block(async move { c.close(200, "OK".into()).await })
        } else {
            Ok(())
        };
        self.drop_channel(ch);
        quiet_close(out)
    }

    fn close_connection(&mut self, connection: &str) -> BackendResult<()> {
        let Some(c) = self.connections.get(connection).cloned() else {
            return Ok(());
        };
        let out = if c.status().connected() {
            self.block(async move { c.close(200, "OK".into()).await })
        } else {
            Ok(())
        };
        self.drop_connection(connection);
        quiet_close(out)
    }

    fn open_channels(&self) -> Vec<ChannelName> {
        self.channels
            .iter()
            .filter(|(_, c)| c.status().connected())
            .map(|(n, _)| n.clone())
            .collect()
    }

    fn sleep(&mut self, ms: u64) -> BackendResult<()> {
        self.rt
            .block_on(async { tokio::time::sleep(Duration::from_millis(ms)).await });
        Ok(())
    }

    fn settle_down(&mut self) -> BackendResult<()> {
        if self.consumers.is_empty() {
            return Ok(());
        }
        // First a round trip on every consumer channel: RabbitMQ sent each delivery that
        // precedes what the script already saw (a confirm, a get-ok) to the consumer's channel
        // process before that reply, so it reaches us before the round trip's answer. Results
        // are ignored: an error here belongs to the next step that uses the channel.
        let channels: BTreeSet<ChannelName> =
            self.consumers.keys().map(|(c, _)| c.clone()).collect();
        for name in channels {
            let Some(c) = self.channels.get(&name).cloned() else {
                continue;
            };
            if c.status().connected() {
                let _ = self.block(async move {
                    c.exchange_declare(
                        "amq.direct".into(),
                        ExchangeKind::Direct,
                        ExchangeDeclareOptions {
                            passive: true,
                            ..Default::default()
                        },
                        Default::default(),
                    )
                    .await
                });
            }
        }
        // Then quiet windows, for what those deliveries set off (acks that free credit).
        let mut quiet = 0;
        let mut last = self.arrived.load(Ordering::SeqCst);
        // Two quiet windows in a row; at most 2 s in all.
        for _ in 0..80 {
            self.rt
                .block_on(async { tokio::time::sleep(QUIET_WINDOW).await });
            let now = self.arrived.load(Ordering::SeqCst);
            if now == last {
                quiet += 1;
                if quiet == 2 {
                    break;
                }
            } else {
                quiet = 0;
                last = now;
            }
        }
        Ok(())
    }

    fn take_deliveries(&mut self) -> Vec<ConsumerDelivery> {
        let mut batch = self
            .deliveries
            .lock()
            .map(|mut v| std::mem::take(&mut *v))
            .unwrap_or_default();
        // lapin runs delegate futures concurrently, so arrival order in the sink is not
        // delivery order; delivery tags are (per channel), so restore it from them.
        batch.sort_by(|a, b| (&a.channel, a.delivery_tag).cmp(&(&b.channel, b.delivery_tag)));
        batch
    }
}

/// Why a script could not be run against RabbitMQ.
#[derive(Debug, thiserror::Error)]
pub enum FidelityError {
    /// The harness could not start.
    #[error("{0}")]
    Setup(String),
    /// The run stopped.
    #[error(transparent)]
    Run(#[from] RunError),
}

/// Runs `script` on the RabbitMQ at `url` and returns the canonical JSON (with the per-run
/// prefix stripped). Everything declared is deleted afterwards.
pub fn run_on_rabbitmq(script: &Script, url: &str) -> Result<String, FidelityError> {
    let mut backend = RabbitBackend::new(url).map_err(FidelityError::Setup)?;
    let outcome = amqp_playground_script::run(script, &mut backend);
    let prefix = backend.prefix().to_string();
    let cleanup = backend.cleanup();
    let mut result = outcome?;
    result.renames.push((prefix, String::new()));
    cleanup.map_err(FidelityError::Setup)?;
    Ok(result.to_canonical_json())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn backend() -> RabbitBackend {
        RabbitBackend::new(DEFAULT_URL).expect("a runtime starts")
    }

    #[test]
    fn script_names_get_the_run_prefix_but_reserved_and_empty_names_do_not() {
        let b = backend();
        let p = b.prefix().to_string();
        assert!(p.starts_with("fid") && p.ends_with('-'), "{p}");
        assert_eq!(b.name("orders"), format!("{p}orders"));
        assert_eq!(b.name(""), "");
        assert_eq!(b.name("amq.direct"), "amq.direct");
        assert_eq!(
            b.name("amq.gen-AAAAAAAAAAAAAAAAAAAAAA"),
            "amq.gen-AAAAAAAAAAAAAAAAAAAAAA"
        );
        assert_ne!(backend().prefix(), p, "every backend gets its own prefix");
    }

    #[test]
    fn arguments_naming_exchanges_or_default_exchange_queues_are_prefixed() {
        let b = backend();
        let p = b.prefix().to_string();
        let args: FieldTable = [
            (
                "x-dead-letter-exchange".to_string(),
                FieldValue::string("dlx"),
            ),
            (
                "x-dead-letter-routing-key".to_string(),
                FieldValue::string("key"),
            ),
            ("alternate-exchange".to_string(), FieldValue::string("ae")),
            ("x-message-ttl".to_string(), FieldValue::I64(5)),
        ]
        .into_iter()
        .collect();
        let out = b.arguments(&args);
        assert_eq!(
            out.get("x-dead-letter-exchange"),
            Some(&FieldValue::string(format!("{p}dlx")))
        );
        // A routing key through a named exchange is not a queue name: left alone.
        assert_eq!(
            out.get("x-dead-letter-routing-key"),
            Some(&FieldValue::string("key"))
        );
        assert_eq!(
            out.get("alternate-exchange"),
            Some(&FieldValue::string(format!("{p}ae")))
        );
        assert_eq!(out.get("x-message-ttl"), Some(&FieldValue::I64(5)));

        let to_default: FieldTable = [
            ("x-dead-letter-exchange".to_string(), FieldValue::string("")),
            (
                "x-dead-letter-routing-key".to_string(),
                FieldValue::string("dlq"),
            ),
        ]
        .into_iter()
        .collect();
        let out = b.arguments(&to_default);
        assert_eq!(
            out.get("x-dead-letter-exchange"),
            Some(&FieldValue::string(""))
        );
        assert_eq!(
            out.get("x-dead-letter-routing-key"),
            Some(&FieldValue::string(format!("{p}dlq")))
        );
    }
}
