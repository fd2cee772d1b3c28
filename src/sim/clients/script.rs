//! The script's own client: a scenario's steps (`Scenario::steps`) run in order on the
//! engine's clock. It publishes as producer `P` on P's channel (`main`), and its other named
//! channels are further channels of P's connection. Deliveries it gets with `hold` stay
//! unacked on their channel (the queue's unacked count) until a `settle`, `recover` or
//! `close_channel` step, with the headless runner's meaning (`crates/script`).
//!
//! It has no connection of its own, so no broker event is addressed to it: it acts only when
//! a step is due, and reads each command's reply as it goes.

use amqp_playground_core::SortedMap;

use amqp_playground_core::{
    BasicGet, BasicRecover, ChannelClose, ChannelId, ChannelOpen, ChannelRef, Command,
    ConfirmSelect, ConnectionId, DeliveryTag, Reply, TxCommit, TxRollback, TxSelect,
};

use super::{settle_command, Wake};
use crate::sim::playground::{Playground, PlaygroundError, PublishRequest, BURST_GAP_MS, HOP_MS};
use crate::sim::scenario::{ProducerSpec, Settle, Step, TxOp};

/// The script client's channels.
#[derive(Clone)]
pub(in crate::sim) struct Script {
    /// By name, with the deliveries each holds.
    pub(in crate::sim) channels: SortedMap<String, ScriptChannel>,
    /// The channel number the next named channel gets (1 is P's first `main`).
    next_channel: u16,
}

impl Default for Script {
    fn default() -> Self {
        Script {
            channels: SortedMap::new(),
            next_channel: 2,
        }
    }
}

/// A channel of the script's client: `main` is producer P's own channel, others are opened
/// on P's connection on first use.
#[derive(Clone)]
pub(in crate::sim) struct ScriptChannel {
    channel: ChannelRef,
    /// Deliveries got with `hold`, not yet settled, in the order they came.
    held: Vec<DeliveryTag>,
}

impl Playground {
    /// Puts a script's steps on the virtual clock: each publish a burst gap after the last
    /// thing, each sleep as long as it says. They stay in the scenario, so a rebuild (undo,
    /// replay) runs them again from the start.
    pub(in crate::sim) fn schedule(&mut self, steps: Vec<Step>) {
        self.scenario.steps = steps.clone();
        let mut at = 0;
        // When the last publish reaches the broker: a `tx` step waits for it, so a commit or
        // rollback covers the publishes before it, as on one AMQP channel.
        let mut published_by = 0;
        for step in steps {
            match step {
                Step::Sleep(ms) => at += ms,
                tx @ Step::Tx { .. } => {
                    at = at.max(published_by);
                    self.wake(at, Wake::Script(Box::new(tx)));
                }
                Step::Publish {
                    exchange,
                    routing_key,
                    body,
                    properties,
                    mandatory,
                    repeat,
                } => {
                    for i in 1..=repeat.max(1) {
                        let one = Step::Publish {
                            exchange: exchange.clone(),
                            routing_key: routing_key.clone(),
                            body: body.replace("{i}", &i.to_string()),
                            properties: properties.clone(),
                            mandatory,
                            repeat: 1,
                        };
                        self.wake(at, Wake::Script(Box::new(one)));
                        published_by = at + HOP_MS + 1;
                        at += BURST_GAP_MS;
                    }
                }
                other => self.wake(at, Wake::Script(Box::new(other))),
            }
        }
    }

    /// Runs one scripted step; a refusal is logged (as a real client would see it) and the
    /// script goes on.
    pub(in crate::sim) fn run_step(&mut self, step: Step) {
        let channel = match &step {
            Step::Get { channel, .. }
            | Step::Settle { channel, .. }
            | Step::Recover { channel, .. }
            | Step::CloseChannel(channel)
            | Step::Tx { channel, .. } => Some(channel.clone()),
            _ => None,
        };
        let result = match step {
            Step::Publish {
                exchange,
                routing_key,
                body,
                properties,
                mandatory,
                ..
            } => {
                // The script's own client: connected on its first publish if need be.
                if self.scenario.producers.is_empty() {
                    let p = ProducerSpec {
                        name: "P".into(),
                        exchange: exchange.clone(),
                        routing_key: routing_key.clone(),
                        ..Default::default()
                    };
                    if let Err(e) = self.add_producer(p) {
                        self.note(format!("script step refused: {e}"));
                        return;
                    }
                }
                self.publish(PublishRequest {
                    producer: None,
                    exchange: Some(exchange),
                    routing_key: Some(routing_key),
                    body: Some(body),
                    mandatory,
                    properties: Some(properties),
                })
            }
            Step::Sleep(_) => Ok(()),
            Step::Consume(spec) => {
                if self.client_index(&spec.name).is_some() {
                    self.set_consuming(&spec.name, true)
                } else {
                    self.add_consumer(spec)
                }
            }
            Step::Cancel(tag) => self.set_consuming(&tag, false),
            Step::Get {
                queue,
                settle,
                drain,
                hold,
                channel,
            } => self.fetch(&queue, settle, drain, hold, &channel),
            Step::Settle {
                channel,
                settle,
                multiple,
                tag,
            } => self.settle_held(&channel, settle, multiple, tag),
            Step::Recover { channel, requeue } => self.script_channel(&channel).and_then(|ch| {
                self.command(
                    &format!("recover on channel `{channel}`"),
                    BasicRecover {
                        channel: ch,
                        requeue,
                    },
                )?;
                if let Some(c) = self.script.channels.get_mut(&channel) {
                    c.held.clear();
                }
                Ok(())
            }),
            Step::CloseChannel(channel) => self.close_script_channel(&channel),
            Step::Tx { channel, op } => self.script_channel(&channel).and_then(|ch| {
                let command: Command = match op {
                    TxOp::Select => TxSelect { channel: ch }.into(),
                    TxOp::Commit => TxCommit { channel: ch }.into(),
                    TxOp::Rollback => TxRollback { channel: ch }.into(),
                    TxOp::ConfirmSelect => ConfirmSelect { channel: ch }.into(),
                };
                self.command(
                    &format!("tx {} on channel `{channel}`", op.as_str()),
                    command,
                )
                .map(drop)
            }),
            Step::Count(queue) => self.queue_name(&queue).map(|name| {
                let c = self.counts(&name);
                self.note(format!(
                    "count: `{queue}` has {} ready, {} unacked",
                    c.ready, c.unacked
                ));
            }),
            Step::Edit(edit) => self.apply(edit),
        };
        if let Err(e) = result {
            self.note(format!("script step refused: {e}"));
            // A broker error closed the channel (or its connection), and with it what it held
            // (the broker requeued that): the next step on it opens a fresh one.
            if let (Some(name), PlaygroundError::Broker { .. }) = (channel, &e) {
                self.script.channels.remove(&name);
                if name == "main" && !self.producers.is_empty() {
                    let _ = self.reopen_main();
                }
            }
        }
    }

    /// The script client's channel of this name: `main` is producer P's channel (P connects
    /// first if the script has not published yet); another name is opened on P's connection
    /// on first use, in confirm mode when P is.
    fn script_channel(&mut self, name: &str) -> Result<ChannelRef, PlaygroundError> {
        if self.producers.is_empty() {
            let spec = ProducerSpec {
                name: "P".into(),
                ..Default::default()
            };
            self.add_producer(spec)?;
        }
        let main = self.producers[0].channel;
        if name == "main" {
            let c = self
                .script
                .channels
                .get_or_insert_with(name.to_string(), || ScriptChannel {
                    channel: main,
                    held: Vec::new(),
                });
            if c.channel != main {
                // P reconnected (after an error): what the old channel held is back in its
                // queues.
                *c = ScriptChannel {
                    channel: main,
                    held: Vec::new(),
                };
            }
            return Ok(main);
        }
        if let Some(c) = self.script.channels.get(name) {
            return Ok(c.channel);
        }
        let channel = self.open_on_p(main.connection, &format!("open channel `{name}`"))?;
        self.script.channels.insert(
            name.to_string(),
            ScriptChannel {
                channel,
                held: Vec::new(),
            },
        );
        Ok(channel)
    }

    /// Settles what a script channel holds (`Step::Settle`).
    fn settle_held(
        &mut self,
        name: &str,
        settle: Settle,
        multiple: bool,
        tag: Option<u64>,
    ) -> Result<(), PlaygroundError> {
        let channel = self.script_channel(name)?;
        let what = format!("settle ({}) on channel `{name}`", settle.as_str());
        if let Some(tag) = tag {
            let tag = DeliveryTag(tag);
            self.command(&what, settle_command(channel, tag, settle, multiple))?;
            if let Some(c) = self.script.channels.get_mut(name) {
                c.held.retain(|&t| {
                    if multiple {
                        tag.0 != 0 && t > tag
                    } else {
                        t != tag
                    }
                });
            }
            return Ok(());
        }
        let mut tags = self
            .script
            .channels
            .get_mut(name)
            .map(|c| std::mem::take(&mut c.held))
            .unwrap_or_default();
        tags.sort_unstable();
        if multiple {
            if let Some(&last) = tags.last() {
                self.command(&what, settle_command(channel, last, settle, true))?;
            }
        } else {
            for t in tags {
                self.command(&what, settle_command(channel, t, settle, false))?;
            }
        }
        Ok(())
    }

    /// Closes a script channel (`Step::CloseChannel`): the broker requeues what it held. P's
    /// own `main` channel is reopened at once on the same connection, so P can go on
    /// publishing; a channel never opened is left alone, as the headless runner does.
    fn close_script_channel(&mut self, name: &str) -> Result<(), PlaygroundError> {
        let channel = if name == "main" {
            if self.producers.is_empty() {
                return Ok(());
            }
            self.producers[0].channel
        } else {
            match self.script.channels.get(name) {
                Some(c) => c.channel,
                None => return Ok(()),
            }
        };
        self.script.channels.remove(name);
        let result = self.command(&format!("close channel `{name}`"), ChannelClose { channel });
        if name == "main" {
            self.reopen_main()?;
        }
        result.map(drop)
    }

    /// Gives P a fresh `main` channel after its old one closed: on the same connection if it
    /// is still open (a channel error), else on a new connection (a connection error).
    pub(super) fn reopen_main(&mut self) -> Result<(), PlaygroundError> {
        let connection = self.producers[0].channel.connection;
        if !self.broker.connections().iter().any(|c| c.id == connection) {
            return self.reconnect_producer(0, false);
        }
        let channel = self.open_on_p(connection, "reopen channel `main`")?;
        self.producers[0].channel = channel;
        self.producers[0].unconfirmed.clear();
        Ok(())
    }

    /// The script's client fetches from a queue with `basic.get` on one of its channels, and
    /// settles each message at once or holds it unacked on that channel; `drain` goes on
    /// until the queue is empty.
    fn fetch(
        &mut self,
        queue: &str,
        settle: Option<Settle>,
        drain: bool,
        hold: bool,
        channel_name: &str,
    ) -> Result<(), PlaygroundError> {
        let name = self.queue_name(queue)?;
        let channel = self.script_channel(channel_name)?;
        loop {
            let reply = self.command(
                &format!("get from `{queue}`"),
                BasicGet {
                    channel,
                    queue: name.clone(),
                    no_ack: settle.is_none() && !hold,
                },
            )?;
            let Reply::GetOk(got) = reply else {
                return Ok(());
            };
            let tag = got.delivery_tag;
            if hold {
                if let Some(c) = self.script.channels.get_mut(channel_name) {
                    c.held.push(tag);
                }
            } else if let Some(settle) = settle {
                self.command(
                    &format!("settle a message got from `{queue}`"),
                    settle_command(channel, tag, settle, false),
                )?;
            }
            if !drain || got.message_count == 0 {
                return Ok(());
            }
        }
    }

    /// Opens a further channel on P's connection, in confirm mode when P is.
    fn open_on_p(
        &mut self,
        connection: ConnectionId,
        what: &str,
    ) -> Result<ChannelRef, PlaygroundError> {
        let channel = ChannelRef {
            connection,
            channel: ChannelId(self.script.next_channel),
        };
        self.script.next_channel = self.script.next_channel.wrapping_add(1).max(2);
        self.command(what, ChannelOpen { channel })?;
        if self.scenario.producers[0].confirm {
            self.command(what, ConfirmSelect { channel })?;
        }
        Ok(channel)
    }
}
