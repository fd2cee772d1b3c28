//! The interpreter: runs a [`Script`] on any [`Backend`] and builds the [`RunResult`].
//!
//! Order of a run: top-level exchanges, queues, bindings (errors logged with step `"setup"`),
//! then the steps in order, then the final drain: close every channel (held deliveries go back
//! to their queues), then for each declared queue a passive declare (`null` when it is gone)
//! and no-ack gets until empty. Before every step and before the final drain the interpreter
//! lets in-flight consumer deliveries arrive ([`Backend::settle_down`]) and files them, so a
//! `settle` sees what a consumer holds no matter how fast the broker pushed it.

use std::collections::BTreeMap;

use crate::backend::{Backend, BackendError, Confirm, OutgoingMessage};
use crate::result::{
    ErrorEntry, LogEntry, Message, Returned, RunResult, Scope, StepRef, REPLY_TO_PLACEHOLDER,
    REPLY_TO_PREFIX,
};
use crate::script::{
    BindingDecl, ChannelName, ConsumeAck, DestinationType, GetAck, QueueDecl, Script, SettleMode,
    Step,
};

/// Why a run stopped before the end.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{location}: {message}")]
pub struct RunError {
    /// `step 3 (publish)`, `setup` or `final drain`.
    pub location: String,
    /// What failed.
    pub message: String,
}

struct ConsumerState {
    channel: ChannelName,
    ack: ConsumeAck,
}

/// Interpreter state for one run.
struct Runner<'b, B: Backend + ?Sized> {
    backend: &'b mut B,
    result: RunResult,
    /// Script alias → generated queue name.
    aliases: BTreeMap<String, String>,
    /// Which connection declared each exclusive queue (script name → connection), so the final
    /// drain asks from the owner.
    owners: BTreeMap<String, String>,
    consumers: BTreeMap<String, ConsumerState>,
    /// Unacked deliveries the script holds, per channel.
    held: BTreeMap<ChannelName, Vec<u64>>,
    /// The last direct reply-to name seen in a received message's `reply_to`: a publish to
    /// [`REPLY_TO_PLACEHOLDER`] goes there (the name is random on a real broker).
    last_reply_to: Option<String>,
}

/// Runs `script` on `backend`.
pub fn run<B: Backend + ?Sized>(script: &Script, backend: &mut B) -> Result<RunResult, RunError> {
    let mut r = Runner {
        backend,
        result: RunResult::default(),
        aliases: BTreeMap::new(),
        owners: BTreeMap::new(),
        consumers: BTreeMap::new(),
        held: BTreeMap::new(),
        last_reply_to: None,
    };
    r.backend.set_confirm(script.confirm);
    let setup = |e: BackendError| RunError {
        location: "setup".into(),
        message: e.to_string(),
    };
    for x in &script.exchanges {
        let out = r.backend.declare_exchange(&x.channel, x);
        r.outcome(StepRef::Setup, "declare_exchange", &x.channel, out)
            .map_err(setup)?;
    }
    for q in &script.queues {
        r.declare_queue(StepRef::Setup, q).map_err(setup)?;
    }
    for b in &script.bindings {
        let b = r.resolve_binding(b);
        let out = r.backend.bind(&b.channel, &b);
        r.outcome(StepRef::Setup, "bind", &b.channel, out)
            .map_err(setup)?;
    }
    for (i, step) in script.steps.iter().enumerate() {
        let fail = |e: BackendError| RunError {
            location: format!("step {i} ({})", step.kind()),
            message: e.to_string(),
        };
        r.sync().map_err(fail)?;
        r.step(i, step).map_err(fail)?;
    }
    let fail = |e: BackendError| RunError {
        location: "final drain".into(),
        message: e.to_string(),
    };
    r.sync().map_err(fail)?;
    r.final_drain(script).map_err(fail)?;
    let mut result = r.result;
    // Generated names are random on a real broker: print the script's alias instead.
    result.renames = r
        .aliases
        .into_iter()
        .filter(|(alias, real)| alias != real)
        .map(|(alias, real)| (real, alias))
        .collect();
    Ok(result)
}

/// True when `name` has RabbitMQ's server-named shape: `amq.gen-` + 22 base64url characters.
pub fn is_server_generated_name(name: &str) -> bool {
    name.strip_prefix("amq.gen-").is_some_and(|rest| {
        rest.len() == 22
            && rest
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    })
}

impl<B: Backend + ?Sized> Runner<'_, B> {
    fn note_reply_to(&mut self, m: &Message) {
        if let Some(r) = &m.properties.reply_to {
            if r.starts_with(REPLY_TO_PREFIX) {
                self.last_reply_to = Some(r.clone());
            }
        }
    }

    fn resolve(&self, name: &str) -> String {
        if name == REPLY_TO_PLACEHOLDER {
            if let Some(real) = &self.last_reply_to {
                return real.clone();
            }
        }
        self.aliases
            .get(name)
            .cloned()
            .unwrap_or_else(|| name.to_string())
    }

    fn resolve_binding(&self, b: &BindingDecl) -> BindingDecl {
        let mut b = b.clone();
        if b.destination_type == DestinationType::Queue {
            b.destination = self.resolve(&b.destination);
        }
        b
    }

    /// Files consumer deliveries that have arrived.
    fn sync(&mut self) -> Result<(), BackendError> {
        self.backend.settle_down()?;
        for d in self.backend.take_deliveries() {
            self.note_reply_to(&d.message);
            if let Some(c) = self.consumers.get(&d.consumer_tag) {
                if c.ack == ConsumeAck::Hold && c.channel == d.channel {
                    self.held
                        .entry(d.channel.clone())
                        .or_default()
                        .push(d.delivery_tag);
                }
            }
            self.result
                .consumers
                .entry(d.consumer_tag)
                .or_default()
                .push(d.message);
        }
        Ok(())
    }

    /// Records a broker error (forgetting what died with the channel or connection); passes
    /// harness failures on.
    fn outcome<T>(
        &mut self,
        step: StepRef,
        op: &str,
        ch: &ChannelName,
        out: Result<T, BackendError>,
    ) -> Result<Option<T>, BackendError> {
        match out {
            Ok(v) => Ok(Some(v)),
            Err(BackendError::Amqp(e)) => {
                self.forget(ch, e.scope);
                self.result.errors.push(ErrorEntry {
                    step,
                    op: op.to_string(),
                    scope: e.scope,
                    reply_code: e.reply_code,
                    reply_text: e.reply_text,
                });
                Ok(None)
            }
            Err(other) => Err(other),
        }
    }

    fn forget(&mut self, ch: &ChannelName, scope: Scope) {
        let dead = |c: &ChannelName| match scope {
            Scope::Channel => c == ch,
            Scope::Connection => c.connection == ch.connection,
        };
        self.held.retain(|c, _| !dead(c));
        self.consumers.retain(|_, c| !dead(&c.channel));
    }

    fn declare_queue(&mut self, step: StepRef, q: &QueueDecl) -> Result<(), BackendError> {
        let mut decl = q.clone();
        // A declare that names an alias (without a name) re-declares that queue.
        decl.name = if q.name.is_empty() {
            String::new()
        } else {
            self.resolve(&q.name)
        };
        let out = self.backend.declare_queue(&q.channel, &decl);
        let Some(ok) = self.outcome(step, "declare_queue", &q.channel, out)? else {
            return Ok(());
        };
        let script_name = q.script_name().to_string();
        if q.alias.is_some() {
            self.aliases.insert(script_name.clone(), ok.name.clone());
        }
        if q.exclusive {
            self.owners
                .insert(script_name.clone(), q.channel.connection.clone());
        }
        if let StepRef::Index(i) = step {
            let server_named = q.name.is_empty().then(|| {
                if is_server_generated_name(&ok.name) {
                    "amq.gen-<22>".to_string()
                } else {
                    ok.name.clone()
                }
            });
            self.result.log.push(LogEntry::DeclareQueue {
                step: i,
                queue: script_name,
                message_count: ok.message_count,
                consumer_count: ok.consumer_count,
                server_named,
            });
        }
        Ok(())
    }

    fn step(&mut self, i: usize, step: &Step) -> Result<(), BackendError> {
        let at = StepRef::Index(i);
        let op = step.kind();
        match step {
            Step::Publish(p) => {
                let mut props = p.properties.clone();
                if let Some(r) = &props.reply_to {
                    props.reply_to = Some(self.resolve(r));
                }
                for n in 1..=p.repeat {
                    let msg = OutgoingMessage {
                        exchange: p.exchange.clone(),
                        routing_key: self.resolve(&p.routing_key),
                        body: p.body_for(n).into_bytes(),
                        headers: p.headers.clone(),
                        properties: props.clone(),
                        mandatory: p.mandatory,
                        immediate: p.immediate,
                    };
                    let out = self.backend.publish(&p.channel, &msg);
                    let Some(outcome) = self.outcome(at, op, &p.channel, out)? else {
                        break;
                    };
                    if let Some((reply_code, reply_text, message)) = outcome.returned {
                        self.result.returns.push(Returned {
                            step: i,
                            reply_code,
                            reply_text,
                            message,
                        });
                    }
                    if outcome.confirm == Confirm::Nack {
                        self.result.nacks.push((i, msg.body));
                    }
                }
            }
            Step::SleepMs(ms) => self.backend.sleep(*ms)?,
            Step::Get {
                queue,
                ack,
                requeue,
                channel,
            } => {
                let q = self.resolve(queue);
                let out = self.backend.get(channel, &q, *ack == GetAck::None);
                let Some(got) = self.outcome(at, op, channel, out)? else {
                    return Ok(());
                };
                let (message, message_count) = match got {
                    Some(g) => {
                        self.note_reply_to(&g.message);
                        let tag = g.delivery_tag;
                        let settled = match ack {
                            GetAck::Ack => Some(self.backend.ack(channel, tag, false)),
                            GetAck::Nack => Some(self.backend.nack(channel, tag, false, *requeue)),
                            GetAck::Reject => Some(self.backend.reject(channel, tag, *requeue)),
                            GetAck::None => None,
                            GetAck::Hold => {
                                self.held.entry(channel.clone()).or_default().push(tag);
                                None
                            }
                        };
                        // Logged before a settle error so the log shows what the get returned.
                        self.result.log.push(LogEntry::Get {
                            step: i,
                            queue: queue.clone(),
                            ack: ack.as_str(),
                            message: Some(g.message),
                            message_count: g.message_count,
                        });
                        if let Some(out) = settled {
                            self.outcome(at, op, channel, out)?;
                        }
                        return Ok(());
                    }
                    None => (None, 0),
                };
                self.result.log.push(LogEntry::Get {
                    step: i,
                    queue: queue.clone(),
                    ack: ack.as_str(),
                    message,
                    message_count,
                });
            }
            Step::Drain { queue, channel } => {
                let q = self.resolve(queue);
                let mut messages = Vec::new();
                loop {
                    let out = self.backend.get(channel, &q, false);
                    let Some(got) = self.outcome(at, op, channel, out)? else {
                        break;
                    };
                    let Some(g) = got else { break };
                    messages.push(g.message);
                    let out = self.backend.ack(channel, g.delivery_tag, false);
                    if self.outcome(at, op, channel, out)?.is_none() {
                        break;
                    }
                }
                self.result.log.push(LogEntry::Drain {
                    step: i,
                    queue: queue.clone(),
                    messages,
                });
            }
            Step::Count { queue, channel } => {
                let decl = passive_queue(&self.resolve(queue), channel);
                let out = self.backend.declare_queue(channel, &decl);
                if let Some(ok) = self.outcome(at, op, channel, out)? {
                    self.result.log.push(LogEntry::Count {
                        step: i,
                        queue: queue.clone(),
                        message_count: ok.message_count,
                        consumer_count: ok.consumer_count,
                    });
                }
            }
            Step::Settle {
                mode,
                requeue,
                multiple,
                tag,
                channel,
            } => self.settle(at, op, *mode, *requeue, *multiple, *tag, channel)?,
            Step::Consume {
                queue,
                tag,
                ack,
                prefetch,
                exclusive,
                arguments,
                channel,
            } => {
                if let Some(prefetch) = prefetch {
                    let out = self.backend.qos(channel, 0, *prefetch, false);
                    if self.outcome(at, op, channel, out)?.is_none() {
                        return Ok(());
                    }
                }
                let q = self.resolve(queue);
                let out = self
                    .backend
                    .consume(channel, &q, tag, *ack, *exclusive, arguments);
                if self.outcome(at, op, channel, out)?.is_some() {
                    self.consumers.insert(
                        tag.clone(),
                        ConsumerState {
                            channel: channel.clone(),
                            ack: *ack,
                        },
                    );
                    self.result.consumers.entry(tag.clone()).or_default();
                }
            }
            Step::Cancel { tag, channel } => {
                let ch = channel
                    .clone()
                    .or_else(|| self.consumers.get(tag).map(|c| c.channel.clone()))
                    .unwrap_or_else(ChannelName::main);
                let out = self.backend.cancel(&ch, tag);
                if self.outcome(at, op, &ch, out)?.is_some() {
                    // Its unacked deliveries stay held: cancel does not requeue them.
                    self.consumers.remove(tag);
                }
            }
            Step::Qos {
                prefetch,
                prefetch_size,
                global,
                channel,
            } => {
                let out = self
                    .backend
                    .qos(channel, *prefetch_size, *prefetch, *global);
                self.outcome(at, op, channel, out)?;
            }
            Step::Recover { requeue, channel } => {
                let out = self.backend.recover(channel, *requeue);
                if self.outcome(at, op, channel, out)?.is_some() && *requeue {
                    self.held.remove(channel);
                }
            }
            Step::CloseChannel { channel } => {
                let out = self.backend.close_channel(channel);
                self.forget(channel, Scope::Channel);
                self.outcome(at, op, channel, out)?;
            }
            Step::CloseConnection { connection } => {
                let ch = ChannelName {
                    connection: connection.clone(),
                    channel: "main".into(),
                };
                let out = self.backend.close_connection(connection);
                self.forget(&ch, Scope::Connection);
                self.outcome(at, op, &ch, out)?;
            }
            Step::DeclareQueue(q) => self.declare_queue(at, q)?,
            Step::DeclareExchange(x) => {
                let out = self.backend.declare_exchange(&x.channel, x);
                self.outcome(at, op, &x.channel, out)?;
            }
            Step::Bind(b) => {
                let b = self.resolve_binding(b);
                let out = self.backend.bind(&b.channel, &b);
                self.outcome(at, op, &b.channel, out)?;
            }
            Step::Unbind(b) => {
                let b = self.resolve_binding(b);
                let out = self.backend.unbind(&b.channel, &b);
                self.outcome(at, op, &b.channel, out)?;
            }
            Step::DeleteQueue {
                queue,
                if_unused,
                if_empty,
                channel,
            } => {
                let q = self.resolve(queue);
                let out = self
                    .backend
                    .delete_queue(channel, &q, *if_unused, *if_empty);
                if let Some(n) = self.outcome(at, op, channel, out)? {
                    self.result.log.push(LogEntry::DeleteQueue {
                        step: i,
                        queue: queue.clone(),
                        message_count: n,
                    });
                }
            }
            Step::DeleteExchange {
                exchange,
                if_unused,
                channel,
            } => {
                let out = self.backend.delete_exchange(channel, exchange, *if_unused);
                self.outcome(at, op, channel, out)?;
            }
            Step::Tx { op: tx, channel } => {
                let out = self.backend.tx(channel, *tx);
                self.outcome(at, op, channel, out)?;
            }
            Step::Purge { queue, channel } => {
                let q = self.resolve(queue);
                let out = self.backend.purge(channel, &q);
                if let Some(n) = self.outcome(at, op, channel, out)? {
                    self.result.log.push(LogEntry::Purge {
                        step: i,
                        queue: queue.clone(),
                        message_count: n,
                    });
                }
            }
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn settle(
        &mut self,
        at: StepRef,
        op: &str,
        mode: SettleMode,
        requeue: bool,
        multiple: bool,
        tag: Option<u64>,
        channel: &ChannelName,
    ) -> Result<(), BackendError> {
        let call = |b: &mut B, tag: u64, multiple: bool| match mode {
            SettleMode::Ack => b.ack(channel, tag, multiple),
            SettleMode::Nack => b.nack(channel, tag, multiple, requeue),
            SettleMode::Reject => b.reject(channel, tag, requeue),
        };
        if let Some(tag) = tag {
            let out = call(self.backend, tag, multiple);
            if self.outcome(at, op, channel, out)?.is_some() {
                if let Some(held) = self.held.get_mut(channel) {
                    held.retain(|&t| {
                        if multiple {
                            tag != 0 && t > tag
                        } else {
                            t != tag
                        }
                    });
                }
            }
            return Ok(());
        }
        let mut tags = self.held.remove(channel).unwrap_or_default();
        tags.sort_unstable();
        if multiple {
            if let Some(&last) = tags.last() {
                let out = call(self.backend, last, true);
                self.outcome(at, op, channel, out)?;
            }
        } else {
            for t in tags {
                let out = call(self.backend, t, false);
                if self.outcome(at, op, channel, out)?.is_none() {
                    break;
                }
            }
        }
        Ok(())
    }

    fn final_drain(&mut self, script: &Script) -> Result<(), BackendError> {
        // Cancel every consumer before closing any channel: otherwise messages requeued by the
        // first close would be delivered to consumers on channels not yet closed, a race on a
        // real broker.
        let consumers: Vec<(String, ChannelName)> = self
            .consumers
            .iter()
            .map(|(tag, c)| (tag.clone(), c.channel.clone()))
            .collect();
        for (tag, ch) in consumers {
            // A failed cancel means the channel is already gone, which is what we want.
            let _ = self.backend.cancel(&ch, &tag);
        }
        self.sync()?;
        for ch in self.backend.open_channels() {
            // A close that fails just means the channel was already gone.
            let _ = self.backend.close_channel(&ch);
        }
        self.held.clear();
        self.consumers.clear();
        self.sync()?;
        for (name, drain) in script.declared_queues() {
            if !drain {
                continue;
            }
            let connection = self
                .owners
                .get(&name)
                .cloned()
                .unwrap_or_else(|| "main".to_string());
            let ch = ChannelName {
                connection,
                channel: "final-drain".into(),
            };
            let real = self.resolve(&name);
            let decl = passive_queue(&real, &ch);
            let messages = match self.backend.declare_queue(&ch, &decl) {
                Ok(_) => {
                    let mut messages = Vec::new();
                    while let Some(g) = self.backend.get(&ch, &real, true).map_err(drain_error)? {
                        messages.push(g.message);
                    }
                    Some(messages)
                }
                Err(BackendError::Amqp(e)) if e.reply_code == 404 => None,
                Err(e) => return Err(drain_error(e)),
            };
            self.result.queues.insert(name, messages);
        }
        Ok(())
    }
}

fn drain_error(e: BackendError) -> BackendError {
    match e {
        BackendError::Amqp(e) => BackendError::Harness(format!(
            "final drain failed: {} {}",
            e.reply_code, e.reply_text
        )),
        other => other,
    }
}

fn passive_queue(name: &str, ch: &ChannelName) -> QueueDecl {
    QueueDecl {
        name: name.to_string(),
        alias: None,
        durable: false,
        exclusive: false,
        auto_delete: false,
        passive: true,
        arguments: Default::default(),
        drain: false,
        channel: ch.clone(),
    }
}
