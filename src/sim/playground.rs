//! The playground engine: the real broker core plus the simulated clients around it, on one
//! virtual clock.
//!
//! Every client (each producer, each consumer) has its own connection and channel, like the
//! tutorials' `send.py` and `receive.py`. What travels between a client and the broker takes
//! virtual time, so the broker *handles* a publish when its token reaches the first node, and a
//! consumer *receives* a delivery when its token reaches the consumer:
//!
//! ```text
//!   publish()            broker.handle(Publish)          consumer.received += 1
//!   t ───── HOP_MS ─────▶ t+HOP ── THROUGH_MS + HOP_MS ──▶ t+2·HOP+THROUGH
//!   P ─────────────────▶ queue ─────────────────────────▶ C
//! ```
//!
//! Nothing on screen is invented: tokens start from broker events (`Delivered`, `Routed`) or
//! from commands on their way to the broker, and the queue counts are the broker's own
//! (`Broker::queue`).
//!
//! The simulated clients behave like the tutorials' programs, deterministically:
//! - a producer sends its properties and headers, optionally `mandatory`, and in confirm mode
//!   counts the broker's publisher acks and nacks;
//! - a manual-ack consumer works `processing_ms` on each delivery, then acks, nacks or rejects
//!   it (every `fail_every`-th one with `fail_with`);
//! - an RPC server answers each request on the default exchange to its `reply_to` with its
//!   `correlation_id`; an RPC client consumes its callback queue (or direct reply-to) and
//!   counts the replies that match its own requests;
//! - after [`Playground::restart`] every client reconnects and declares what it uses, as the
//!   tutorial programs do when started again;
//! - a scripted scenario's steps (`Scenario::steps`) run in order on the same clock, as the
//!   script's own client: it publishes as producer `P` on P's channel (`main`), and its other
//!   named channels are further channels of P's connection. Deliveries it gets with `hold`
//!   stay unacked on their channel (the queue's unacked count) until a `settle`, `recover` or
//!   `close_channel` step, with the headless runner's meaning (`crates/script`).

use std::collections::{BTreeMap, VecDeque};
use std::rc::Rc;

use amqp_playground_core::{
    BasicAck, BasicCancel, BasicConsume, BasicNack, BasicPublish, BasicRecover, BasicReject,
    Broker, BrokerError, ChannelClose, ChannelId, ChannelOpen, ChannelRef, Command, Config,
    ConfirmSelect, Connect, ConsumerTag, DeliveryTag, Destination, DropReason, Event, ExchangeName,
    FieldTable, MessageId, Millis, Properties, QueueName, Reply, RouteEdge, TxCommit, TxRollback,
    TxSelect, UserName, VhostName,
};

use super::scenario::{field_table, ArgValue, MessageProps, Scenario, Settle, Step, TxOp};
use crate::anim::{Leg, Sample, Timeline, Tween};
use crate::scene::{layout, Graph, Layout, NodeId, NodeKind, Style};

/// Virtual time for a message to travel one edge.
pub const HOP_MS: u64 = 800;
/// Virtual time for a delivered message to pass through its queue's cells.
pub const THROUGH_MS: u64 = 400;
/// Virtual time between the messages of a burst, so their tokens do not overlap.
pub const BURST_GAP_MS: u64 = 150;
/// How long a message's fate (unroutable, dropped) stays on screen.
pub const FATE_MS: u64 = 1_200;
/// The pseudo-queue of direct reply-to (RPC replies without a callback queue).
pub const DIRECT_REPLY_TO: &str = "amq.rabbitmq.reply-to";
/// How many lines the event log keeps.
const LOG_LINES: usize = 200;

/// Something the playground refused, with the reason in words.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PlaygroundError {
    /// The broker refused a command (RabbitMQ's reply code and text).
    #[error("{what}: {error}")]
    Broker {
        /// What the playground was doing.
        what: String,
        /// The broker's error.
        error: BrokerError,
    },
    /// An edit that would leave the scenario inconsistent.
    #[error("{0}")]
    InUse(String),
    /// A preset id that does not exist.
    #[error("no preset named `{0}`; the presets are: {list}", list = super::presets::NAMES.join(", "))]
    UnknownPreset(String),
    /// A name the scenario does not know.
    #[error("no {kind} named `{name}` in this scenario")]
    Unknown {
        /// `producer`, `consumer`, `queue`.
        kind: &'static str,
        /// The name asked for.
        name: String,
    },
}

/// A publish asked for by the UI or the scripting API; `None` fields use the producer's own.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PublishRequest {
    /// Producer name (default: the first producer).
    pub producer: Option<String>,
    /// Exchange (`""` = default exchange).
    pub exchange: Option<String>,
    /// Routing key.
    pub routing_key: Option<String>,
    /// Body text.
    pub body: Option<String>,
    /// Ask for the message back (basic.return) when no queue takes it (or the producer's own
    /// `mandatory` is set).
    pub mandatory: bool,
    /// Properties instead of the producer's own.
    pub properties: Option<MessageProps>,
}

/// Ready and unacknowledged copies in one queue.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct QueueCounts {
    /// Waiting to be delivered.
    pub ready: u64,
    /// Delivered, not yet acknowledged.
    pub unacked: u64,
}

/// A consumer as the page shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsumerView {
    /// Name (`C`).
    pub name: String,
    /// Deliveries that reached it.
    pub received: u64,
    /// Deliveries it acknowledged (manual-ack consumers; auto-ack ones never ack).
    pub acked: u64,
    /// Whether its `basic.consume` is active.
    pub consuming: bool,
    /// Deliveries it nacked or rejected.
    pub refused: u64,
    /// RPC replies it published (RPC servers).
    pub replied: u64,
    /// The body of the last message it received.
    pub last_body: Option<String>,
}

/// A producer as the tests and the scripting API read it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProducerView {
    /// Name (`P`).
    pub name: String,
    /// Messages sent.
    pub published: u64,
    /// Publisher confirms: messages the broker acknowledged (confirm mode only).
    pub confirmed: u64,
    /// Publisher confirms: messages the broker nacked.
    pub nacked: u64,
    /// RPC client: replies received whose `correlation_id` matched a request of its own.
    pub replies: u64,
    /// RPC client: requests still waiting for their reply.
    pub waiting: u64,
}

/// Everything the tests and the scripting API read, at one virtual time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snapshot {
    /// Virtual time, ms.
    pub now: u64,
    /// Per queue (by scenario name): counts.
    pub queues: Vec<(String, QueueCounts)>,
    /// Per consumer.
    pub consumers: Vec<ConsumerView>,
    /// Per producer: messages sent.
    pub producers: Vec<(String, u64)>,
    /// Messages on their way (to the broker or to a consumer).
    pub in_flight: usize,
    /// Messages no queue took.
    pub unroutable: u64,
    /// Mandatory messages returned to their publisher.
    pub returned: u64,
    /// Copies dropped from a queue (overflow, rejected without a dead-letter exchange, …).
    pub dropped: u64,
    /// Per producer: confirms and RPC replies as well as messages sent.
    pub publishers: Vec<ProducerView>,
    /// How many times the broker was restarted.
    pub restarts: u64,
    /// Copies a restart threw away (transient messages, or any message in a transient queue).
    pub lost_in_restart: u64,
}

#[derive(Default)]
struct ProducerClient {
    channel: ChannelRef,
    published: u64,
    /// Confirm sequence numbers not yet acked or nacked.
    unconfirmed: std::collections::BTreeSet<u64>,
    confirmed: u64,
    nacked: u64,
    /// RPC client: correlation ids still waiting for a reply.
    waiting: std::collections::BTreeSet<String>,
    replies: u64,
    /// RPC client: its reply consumer.
    reply_tag: Option<ConsumerTag>,
}

#[derive(Default)]
struct ConsumerClient {
    channel: ChannelRef,
    tag: Option<ConsumerTag>,
    received: u64,
    acked: u64,
    refused: u64,
    replied: u64,
    last_body: Option<String>,
}

/// A channel of the script's client: `main` is producer P's own channel, others are opened
/// on P's connection on first use.
struct ScriptChannel {
    channel: ChannelRef,
    /// Deliveries got with `hold`, not yet settled, in the order they came.
    held: Vec<DeliveryTag>,
}

/// An RPC request a server works on: where to answer, with which id, and the question.
#[derive(Clone, Debug)]
struct Request {
    reply_to: String,
    correlation_id: Option<String>,
    body: String,
}

enum Arrival {
    /// A publish reaches the broker.
    Publish(Box<BasicPublish>),
    /// A delivery reaches the consumer of this name (if it still exists).
    Deliver {
        /// Consumer name.
        consumer: String,
        /// Its delivery tag on the consumer's channel.
        tag: DeliveryTag,
        /// Whether the consumer must acknowledge it.
        ack: bool,
        /// An RPC request to answer (servers only).
        request: Option<Request>,
        /// The body.
        body: String,
    },
    /// An RPC reply reaches its client.
    Reply {
        /// Producer name.
        producer: String,
        /// Its correlation id.
        correlation_id: Option<String>,
    },
    /// A producer's timer: publish once, then again `every` ms later (`remaining` more times,
    /// or for ever while its rate is set).
    Tick {
        /// What to publish (its producer is always named).
        request: PublishRequest,
        /// Interval, virtual ms.
        every: u64,
        /// Publishes left in a burst; `None` for a steady rate.
        remaining: Option<u32>,
    },
    /// A scripted step is due.
    Step(Box<Step>),
    /// A consumer is done with a delivery, after its processing time: it answers an RPC
    /// request, then settles the delivery (manual ack only).
    Done {
        /// Consumer name.
        consumer: String,
        /// The delivery to settle, `None` when auto-acked.
        tag: Option<DeliveryTag>,
        /// How.
        settle: Settle,
        /// The request to answer.
        request: Option<Request>,
    },
}

struct Transit {
    at: Millis,
    seq: u64,
    arrival: Arrival,
}

mod edit;
mod narrate;

pub use edit::Edit;

/// The broker, the clients, the clock and what is moving.
pub struct Playground {
    broker: Broker,
    now: Millis,
    scenario: Scenario,
    graph: Rc<Graph>,
    layout: Rc<Layout>,
    timeline: Timeline,
    transit: Vec<Transit>,
    seq: u64,
    /// Broker name of each scenario queue, in scenario order.
    queue_names: Vec<QueueName>,
    producers: Vec<ProducerClient>,
    consumers: Vec<ConsumerClient>,
    unroutable: u64,
    returned: u64,
    dropped: u64,
    restarts: u64,
    lost_in_restart: u64,
    /// A restart is being handled: messages of deleted queues count as lost in it.
    restarting: bool,
    /// The editor is deleting a node itself (its own bookkeeping follows).
    deleting: bool,
    /// Queues and exchanges the broker deleted on its own (auto-delete, `x-expires`,
    /// exclusive owner gone), by broker name, to take off the drawing.
    vanished: Vec<(NodeKind, String)>,
    log: VecDeque<String>,
    next_connection_channel: u16,
    /// The routing key each message was last routed with (for explaining bindings).
    routing_keys: BTreeMap<MessageId, String>,
    /// The headers of each message that had some (for explaining headers bindings).
    message_headers: BTreeMap<MessageId, FieldTable>,
    /// The headers of the publish being handled.
    publishing_headers: Option<FieldTable>,
    /// When a routed copy reaches its queue on screen, relative to the routing instant.
    arrives_in_queue: BTreeMap<(MessageId, QueueName), u64>,
    /// The producer that published each message, by the channel it came on.
    publishers: BTreeMap<MessageId, String>,
    /// The set-up connection's channel, reopened after a refused edit closed it.
    admin: Option<ChannelRef>,
    /// The drawing style the layout is made for.
    style: Style,
    /// Nodes moved by hand: their centres, kept across edits.
    moved: BTreeMap<(NodeKind, String), crate::scene::Point>,
    /// The message of the event being turned into tokens (tokens remember it for history).
    current_message: Option<MessageId>,
    /// A dead-lettered message whose next routing starts one hop late (after its trip from
    /// the queue to the dead-letter exchange).
    dead_letter_hop: Option<MessageId>,
    /// The script client's channels by name, with the deliveries each holds.
    script_channels: BTreeMap<String, ScriptChannel>,
    /// The channel number the script client's next named channel gets.
    next_script_channel: u16,
}

impl Playground {
    /// Sets up `scenario` on a fresh broker at virtual time 0: declares its exchanges, queues
    /// and bindings, connects its clients and starts its consumers.
    pub fn new(scenario: Scenario) -> Result<Playground, PlaygroundError> {
        let graph = Graph::default();
        let layout = Rc::new(layout(&graph));
        let graph = Rc::new(graph);
        let mut pg = Playground {
            broker: Broker::new(Config::default()),
            now: Millis(0),
            graph,
            layout,
            timeline: Timeline::default(),
            transit: Vec::new(),
            seq: 0,
            queue_names: Vec::new(),
            producers: Vec::new(),
            consumers: Vec::new(),
            unroutable: 0,
            returned: 0,
            dropped: 0,
            restarts: 0,
            lost_in_restart: 0,
            restarting: false,
            deleting: false,
            vanished: Vec::new(),
            log: VecDeque::new(),
            next_connection_channel: 1,
            routing_keys: BTreeMap::new(),
            message_headers: BTreeMap::new(),
            publishing_headers: None,
            arrives_in_queue: BTreeMap::new(),
            publishers: BTreeMap::new(),
            admin: None,
            style: Style::Classic,
            dead_letter_hop: None,
            current_message: None,
            moved: BTreeMap::new(),
            script_channels: BTreeMap::new(),
            next_script_channel: 2,
            scenario: Scenario {
                name: scenario.name.clone(),
                ..Scenario::default()
            },
        };
        // The same steps the editor takes, in dependency order.
        for x in scenario.exchanges {
            pg.add_exchange(x)?;
        }
        for q in scenario.queues {
            pg.add_queue(q)?;
        }
        for b in scenario.bindings {
            pg.add_binding(b)?;
        }
        for p in scenario.producers {
            pg.add_producer(p)?;
        }
        for c in scenario.consumers {
            pg.add_consumer(c)?;
        }
        pg.schedule(scenario.steps);
        Ok(pg)
    }

    /// Puts a script's steps on the virtual clock: each publish a burst gap after the last
    /// thing, each sleep as long as it says. They stay in the scenario, so a rebuild (undo,
    /// replay) runs them again from the start.
    fn schedule(&mut self, steps: Vec<Step>) {
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
                    self.send(at, Arrival::Step(Box::new(tx)));
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
                        self.send(at, Arrival::Step(Box::new(one)));
                        published_by = at + HOP_MS + 1;
                        at += BURST_GAP_MS;
                    }
                }
                other => self.send(at, Arrival::Step(Box::new(other))),
            }
        }
    }

    /// Runs one scripted step; a refusal is logged (as a real client would see it) and the
    /// script goes on.
    fn run_step(&mut self, step: Step) {
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
                    let p = super::scenario::ProducerSpec {
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
                if let Some(c) = self.script_channels.get_mut(&channel) {
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
                self.script_channels.remove(&name);
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
            let spec = super::scenario::ProducerSpec {
                name: "P".into(),
                ..Default::default()
            };
            self.add_producer(spec)?;
        }
        let main = self.producers[0].channel;
        if name == "main" {
            let c = self
                .script_channels
                .entry(name.to_string())
                .or_insert(ScriptChannel {
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
        if let Some(c) = self.script_channels.get(name) {
            return Ok(c.channel);
        }
        let channel = ChannelRef {
            connection: main.connection,
            channel: ChannelId(self.next_script_channel),
        };
        self.next_script_channel = self.next_script_channel.wrapping_add(1).max(2);
        let what = format!("open channel `{name}`");
        self.command(&what, ChannelOpen { channel })?;
        if self.scenario.producers[0].confirm {
            self.command(&what, ConfirmSelect { channel })?;
        }
        self.script_channels.insert(
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
            if let Some(c) = self.script_channels.get_mut(name) {
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
            .script_channels
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
            match self.script_channels.get(name) {
                Some(c) => c.channel,
                None => return Ok(()),
            }
        };
        self.script_channels.remove(name);
        let result = self.command(&format!("close channel `{name}`"), ChannelClose { channel });
        if name == "main" {
            self.reopen_main()?;
        }
        result.map(drop)
    }

    /// Gives P a fresh `main` channel after its old one closed: on the same connection if it
    /// is still open (a channel error), else on a new connection (a connection error).
    fn reopen_main(&mut self) -> Result<(), PlaygroundError> {
        let connection = self.producers[0].channel.connection;
        if !self.broker.connections().iter().any(|c| c.id == connection) {
            return self.reconnect_producer(0, false);
        }
        let channel = ChannelRef {
            connection,
            channel: ChannelId(self.next_script_channel),
        };
        self.next_script_channel = self.next_script_channel.wrapping_add(1).max(2);
        let what = "reopen channel `main`";
        self.command(what, ChannelOpen { channel })?;
        if self.scenario.producers[0].confirm {
            self.command(what, ConfirmSelect { channel })?;
        }
        self.producers[0].channel = channel;
        self.producers[0].unconfirmed.clear();
        Ok(())
    }

    /// Opens a connection and its channel 1 for one client.
    fn connect(&mut self, what: &str) -> Result<ChannelRef, PlaygroundError> {
        let reply = self.command(
            what,
            Connect {
                user: UserName::from("guest"),
                password: "guest".into(),
                vhost: VhostName::from("/"),
            },
        )?;
        let Reply::Connected(connection) = reply else {
            unreachable!("connection.open answers with Connected");
        };
        let channel = ChannelRef {
            connection,
            channel: ChannelId(self.next_connection_channel),
        };
        self.command(what, ChannelOpen { channel })?;
        Ok(channel)
    }

    fn command(
        &mut self,
        what: &str,
        command: impl Into<Command>,
    ) -> Result<Reply, PlaygroundError> {
        let result = self.broker.handle(self.now, command.into());
        // Even a refused command can have effects (a closed channel): log them either way.
        self.process_events();
        result.map_err(|error| {
            let e = PlaygroundError::Broker {
                what: what.to_string(),
                error,
            };
            self.note(format!("error: {e}"));
            e
        })
    }

    /// Starts (`basic.consume`) or stops (`basic.cancel`) a consumer.
    pub fn set_consuming(&mut self, name: &str, on: bool) -> Result<(), PlaygroundError> {
        let i = self.consumer_index(name)?;
        let spec = self.scenario.consumers[i].clone();
        let channel = self.consumers[i].channel;
        match (on, self.consumers[i].tag.clone()) {
            (true, None) => {
                let queue = self.queue_name(&spec.queue)?;
                let reply = self.command(
                    &format!("start consumer `{name}`"),
                    BasicConsume {
                        channel,
                        queue,
                        consumer_tag: ConsumerTag::default(),
                        no_ack: spec.auto_ack,
                        exclusive: false,
                        arguments: FieldTable::default(),
                    },
                )?;
                if let Reply::ConsumeOk { consumer_tag } = reply {
                    self.consumers[i].tag = Some(consumer_tag);
                }
                // basic.consume can deliver the backlog at once.
                self.process_events();
            }
            (false, Some(consumer_tag)) => {
                self.command(
                    &format!("stop consumer `{name}`"),
                    BasicCancel {
                        channel,
                        consumer_tag,
                    },
                )?;
                self.consumers[i].tag = None;
            }
            _ => {}
        }
        // Its last consumer gone, an auto-delete queue goes too.
        self.forget_vanished();
        Ok(())
    }

    /// Sends a message from a producer: it reaches the broker `HOP_MS` later.
    pub fn publish(&mut self, request: PublishRequest) -> Result<(), PlaygroundError> {
        let index = match &request.producer {
            Some(name) => self
                .scenario
                .producers
                .iter()
                .position(|p| &p.name == name)
                .ok_or_else(|| PlaygroundError::Unknown {
                    kind: "producer",
                    name: name.clone(),
                })?,
            None => {
                if self.scenario.producers.is_empty() {
                    return Err(PlaygroundError::Unknown {
                        kind: "producer",
                        name: "(any)".into(),
                    });
                }
                0
            }
        };
        let spec = &self.scenario.producers[index];
        let exchange = request.exchange.unwrap_or_else(|| spec.exchange.clone());
        let routing_key = request
            .routing_key
            .unwrap_or_else(|| spec.routing_key.clone());
        let body = request.body.unwrap_or_else(|| spec.body.clone());
        let mut properties = request
            .properties
            .unwrap_or_else(|| spec.properties.clone())
            .to_properties();
        // An RPC client asks for the answer in its callback queue, with a fresh id, like
        // tutorial 6's `reply_to=callback_queue, correlation_id=uuid`.
        if let Some(callback) = spec.callback.clone() {
            if properties.reply_to.is_none() {
                properties.reply_to = Some(if callback.starts_with(DIRECT_REPLY_TO) {
                    DIRECT_REPLY_TO.to_string()
                } else {
                    self.queue_name(&callback)?.as_str().to_string()
                });
            }
            let id = properties.correlation_id.get_or_insert_with(|| {
                format!("{}-{}", spec.name, self.producers[index].published + 1)
            });
            self.producers[index].waiting.insert(id.clone());
        }
        let mandatory = request.mandatory || spec.mandatory;
        let from = self.graph.find(NodeKind::Producer, &spec.name);
        let to = if exchange.is_empty() {
            self.queue_node_by_broker_name(&routing_key)
        } else {
            self.graph.find(NodeKind::Exchange, &exchange)
        };
        let publish = BasicPublish {
            channel: self.producers[index].channel,
            exchange: ExchangeName::from(exchange.as_str()),
            routing_key,
            mandatory,
            immediate: false,
            properties,
            body: body.as_str().into(),
        };
        self.producers[index].published += 1;
        if let (Some(from), Some(to)) = (from, to) {
            if let Some(edge) = self.graph.edge_between(from, to) {
                self.animate(vec![Leg::Edge(edge)], 0, HOP_MS);
            }
        }
        self.send(HOP_MS, Arrival::Publish(Box::new(publish)));
        Ok(())
    }

    /// Publishes `count` copies of `request`, `BURST_GAP_MS` apart (the first now).
    pub fn publish_burst(
        &mut self,
        mut request: PublishRequest,
        count: u32,
    ) -> Result<(), PlaygroundError> {
        let index = match &request.producer {
            Some(name) => self.producer_index(name)?,
            None if !self.scenario.producers.is_empty() => 0,
            None => return self.publish(request),
        };
        request.producer = Some(self.scenario.producers[index].name.clone());
        if count > 0 {
            self.send(
                0,
                Arrival::Tick {
                    request,
                    every: BURST_GAP_MS,
                    remaining: Some(count),
                },
            );
            self.advance(0);
        }
        Ok(())
    }

    /// Makes a producer publish `per_second` messages a second on the virtual clock (0 stops).
    pub fn set_rate(&mut self, producer: &str, per_second: f64) -> Result<(), PlaygroundError> {
        self.producer_index(producer)?;
        self.transit.retain(|t| {
            !matches!(&t.arrival, Arrival::Tick { request, remaining: None, .. }
                if request.producer.as_deref() == Some(producer))
        });
        if per_second > 0.0 && per_second.is_finite() {
            let every = (1000.0 / per_second).round().max(1.0) as u64;
            self.send(
                0,
                Arrival::Tick {
                    request: PublishRequest {
                        producer: Some(producer.to_string()),
                        ..PublishRequest::default()
                    },
                    every,
                    remaining: None,
                },
            );
            self.advance(0);
        }
        Ok(())
    }

    /// The steady rate a producer publishes at (messages a second), 0 when none.
    pub fn rate(&self, producer: &str) -> f64 {
        self.transit
            .iter()
            .find_map(|t| match &t.arrival {
                Arrival::Tick {
                    request,
                    every,
                    remaining: None,
                } if request.producer.as_deref() == Some(producer) => Some(1000.0 / *every as f64),
                _ => None,
            })
            .unwrap_or(0.0)
    }

    fn producer_index(&self, name: &str) -> Result<usize, PlaygroundError> {
        self.scenario
            .producers
            .iter()
            .position(|p| p.name == name)
            .ok_or_else(|| PlaygroundError::Unknown {
                kind: "producer",
                name: name.to_string(),
            })
    }

    fn send(&mut self, after: u64, arrival: Arrival) {
        self.seq += 1;
        self.transit.push(Transit {
            at: self.now.plus(after),
            seq: self.seq,
            arrival,
        });
    }

    fn animate(&mut self, legs: Vec<Leg>, delay: u64, duration: u64) {
        self.animate_fate(legs, delay, duration, None);
    }

    fn animate_fate(
        &mut self,
        legs: Vec<Leg>,
        delay: u64,
        duration: u64,
        fate: Option<&'static str>,
    ) {
        let token = self.timeline.next_token();
        self.timeline.push(Tween {
            token,
            legs,
            start: (self.now.0 + delay) as f64,
            duration: duration as f64,
            fate,
            message: self.current_message.map(|m| m.0),
        });
    }

    /// Animates a routing decision the broker made at once as hops along the drawn edges,
    /// one `HOP_MS` per exchange passed, choosing among parallel bindings the one that matched
    /// (the core's own `explain`), and logs why each binding matched or not.
    fn animate_route(&mut self, message: MessageId, root: &ExchangeName, edges: &[RouteEdge]) {
        let vhost = VhostName::from("/");
        let key = self.routing_keys.get(&message).cloned().unwrap_or_default();
        // Drawn hops from the exchange the message was published to; the default exchange is
        // not drawn (P points straight at the queue), so its edges take no screen time.
        let mut hops: BTreeMap<ExchangeName, u64> = BTreeMap::new();
        // A dead-lettered copy first travels from its queue to the dead-letter exchange.
        hops.insert(
            root.clone(),
            u64::from(self.dead_letter_hop.take().is_some()),
        );
        let mut explained: Vec<ExchangeName> = Vec::new();
        for edge in edges {
            let at = hops.get(&edge.source).copied().unwrap_or(0);
            let drawn = !edge.source.as_str().is_empty();
            let after = at + u64::from(drawn);
            let to = match &edge.destination {
                Destination::Queue(q) => {
                    self.arrives_in_queue
                        .insert((message, q.clone()), after * HOP_MS);
                    self.queue_node_by_broker_name(q.as_str())
                }
                Destination::Exchange(x) => {
                    hops.insert(x.clone(), after);
                    self.graph.find(NodeKind::Exchange, x.as_str())
                }
            };
            if !drawn {
                continue;
            }
            let table = self.broker.routing_table(&vhost, &edge.source);
            let headers = self.message_headers.get(&message);
            let explanations = table
                .map(|t| t.explain(&[key.as_str()], headers, self.broker.compat()))
                .unwrap_or_default();
            if !explained.contains(&edge.source) {
                explained.push(edge.source.clone());
                for e in &explanations {
                    self.note(format!(
                        "  why (message #{} at `{}`): {}",
                        message.0,
                        edge.source,
                        e.sentence()
                    ));
                }
            }
            // The drawn label of the binding that matched (its key, or a headers binding's
            // arguments), to pick it among parallel edges.
            let matched_key = explanations
                .iter()
                .find(|e| e.matched && e.destination == edge.destination)
                .and_then(|e| {
                    self.scenario.bindings.iter().find_map(|b| {
                        (b.exchange == edge.source.as_str()
                            && b.key == e.routing_key
                            && field_table(&b.arguments) == e.arguments)
                            .then(|| b.label())
                            .flatten()
                    })
                });
            let from = self.graph.find(NodeKind::Exchange, edge.source.as_str());
            if let (Some(from), Some(to)) = (from, to) {
                let parallel = self
                    .graph
                    .edges
                    .iter()
                    .position(|e| {
                        e.from == from && e.to == to && e.label.is_some() && e.label == matched_key
                    })
                    .or_else(|| self.graph.edge_between(from, to));
                if let Some(e) = parallel {
                    self.animate(vec![Leg::Edge(e)], at * HOP_MS, HOP_MS);
                }
            }
        }
    }

    /// Lets `ms` of virtual time pass, handling every arrival and broker timer on the way in
    /// time order.
    pub fn advance(&mut self, ms: u64) {
        let target = self.now.plus(ms);
        while let Some(at) = self.next_due().filter(|&at| at <= target) {
            self.run_until(at);
        }
        self.now = target;
        self.timeline.prune(self.now.0 as f64);
    }

    /// Jumps to the next thing that happens (an arrival or a broker timer) and runs it;
    /// returns false when nothing is scheduled.
    pub fn step(&mut self) -> bool {
        match self.next_due() {
            Some(at) => {
                self.run_until(at);
                self.timeline.prune(self.now.0 as f64);
                true
            }
            None => false,
        }
    }

    fn next_due(&self) -> Option<Millis> {
        let arrival = self.transit.iter().map(|t| t.at).min();
        match (arrival, self.broker.poll_timeout()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    fn run_until(&mut self, at: Millis) {
        self.run_due(at);
        self.forget_vanished();
    }

    fn run_due(&mut self, at: Millis) {
        self.now = self.now.max(at);
        if self.broker.poll_timeout().is_some_and(|t| t <= at) {
            self.broker.handle_timeout(at);
            self.process_events();
        }
        // Arrivals due now, in the order they were sent.
        while let Some(i) = (0..self.transit.len())
            .filter(|&i| self.transit[i].at <= at)
            .min_by_key(|&i| (self.transit[i].at, self.transit[i].seq))
        {
            let t = self.transit.remove(i);
            match t.arrival {
                Arrival::Publish(publish) => {
                    // Kept for explaining headers bindings (`Published` carries no headers).
                    self.publishing_headers = publish.properties.headers.clone();
                    // A refusal is logged and shown by `command`; the clock goes on. It
                    // closed the publisher's channel: the client opens a fresh connection, as
                    // a real one restarted after the error would.
                    let channel = publish.channel;
                    if self.command("publish", *publish).is_err() {
                        if let Some(i) = self.producers.iter().position(|p| p.channel == channel) {
                            // The script's client keeps its connection (and the deliveries
                            // its other channels hold): only its `main` channel closed.
                            if i == 0 && !self.script_channels.is_empty() {
                                let _ = self.reopen_main();
                            } else {
                                let _ = self.reconnect_producer(i, true);
                            }
                        }
                    }
                    self.publishing_headers = None;
                }
                Arrival::Tick {
                    request,
                    every,
                    remaining,
                } => {
                    let sent = self.publish(request.clone());
                    let next = match remaining {
                        None => Some(None),
                        Some(n) if n > 1 => Some(Some(n - 1)),
                        Some(_) => None,
                    };
                    // A producer deleted meanwhile stops its timer.
                    if let (Ok(()), Some(remaining)) = (sent, next) {
                        self.send(
                            every,
                            Arrival::Tick {
                                request,
                                every,
                                remaining,
                            },
                        );
                    }
                }
                Arrival::Deliver {
                    consumer,
                    tag,
                    ack,
                    request,
                    body,
                } => {
                    let Some(i) = self.client_index(&consumer) else {
                        continue;
                    };
                    self.consumers[i].received += 1;
                    self.consumers[i].last_body = Some(body);
                    let spec = &self.scenario.consumers[i];
                    let settle = spec.settle_for(self.consumers[i].received);
                    let request = request.filter(|_| spec.rpc_server);
                    if ack || request.is_some() {
                        self.send(
                            spec.processing_ms,
                            Arrival::Done {
                                consumer,
                                tag: ack.then_some(tag),
                                settle,
                                request,
                            },
                        );
                    }
                }
                Arrival::Step(step) => self.run_step(*step),
                Arrival::Reply {
                    producer,
                    correlation_id,
                } => {
                    if let Ok(i) = self.producer_index(&producer) {
                        let p = &mut self.producers[i];
                        // Tutorial 6's client ignores replies whose id it does not know.
                        if correlation_id.is_some_and(|id| p.waiting.remove(&id)) {
                            p.replies += 1;
                        }
                    }
                }
                Arrival::Done {
                    consumer,
                    tag,
                    settle,
                    request,
                } => {
                    let Some(i) = self.client_index(&consumer) else {
                        continue;
                    };
                    if let Some(request) = request {
                        self.reply(i, request);
                    }
                    if let Some(tag) = tag {
                        self.settle(i, tag, settle);
                    }
                }
            }
        }
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
                amqp_playground_core::BasicGet {
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
                if let Some(c) = self.script_channels.get_mut(channel_name) {
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

    /// Takes queues and exchanges the broker deleted on its own off the scenario and the
    /// drawing, with the bindings and consumers that hung off them.
    pub(super) fn forget_vanished(&mut self) {
        let vanished = std::mem::take(&mut self.vanished);
        let mut changed = false;
        for (kind, name) in vanished {
            match kind {
                NodeKind::Queue => {
                    let Some(i) = self.queue_names.iter().position(|q| q.as_str() == name) else {
                        continue;
                    };
                    let handle = self.scenario.queues[i].name.clone();
                    self.note(format!("queue `{handle}` is gone: the broker deleted it"));
                    while let Some(c) = self
                        .scenario
                        .consumers
                        .iter()
                        .position(|c| c.queue == handle)
                    {
                        let client = self.consumers.remove(c);
                        let spec = self.scenario.consumers.remove(c);
                        let _ = self.close_client(client.channel, &spec.name);
                    }
                    self.scenario
                        .bindings
                        .retain(|b| b.to_exchange || b.destination != handle);
                    self.queue_names.remove(i);
                    self.scenario.queues.remove(i);
                }
                _ => {
                    let Some(i) = self.scenario.exchanges.iter().position(|x| x.name == name)
                    else {
                        continue;
                    };
                    self.note(format!("exchange `{name}` is gone: the broker deleted it"));
                    self.scenario.bindings.retain(|b| {
                        b.exchange != name && !(b.to_exchange && b.destination == name)
                    });
                    self.scenario.exchanges.remove(i);
                }
            }
            changed = true;
        }
        if changed {
            self.relayout();
        }
    }

    /// An RPC server answers: its reply goes to the default exchange with the request's
    /// `reply_to` as routing key and its `correlation_id`, and travels one hop to the broker.
    fn reply(&mut self, i: usize, request: Request) {
        let name = self.scenario.consumers[i].name.clone();
        let answer = match request.body.trim().parse::<u32>() {
            Ok(n) if n <= 90 => fib(n).to_string(),
            _ => format!("re: {}", request.body),
        };
        let publish = BasicPublish {
            channel: self.consumers[i].channel,
            exchange: ExchangeName::from(""),
            routing_key: request.reply_to.clone(),
            mandatory: false,
            immediate: false,
            properties: Properties {
                correlation_id: request.correlation_id,
                ..Properties::default()
            },
            body: answer.into(),
        };
        self.consumers[i].replied += 1;
        let from = self.graph.find(NodeKind::Consumer, &name);
        let to = self
            .queue_node_by_broker_name(&request.reply_to)
            .or_else(|| {
                // Direct reply-to: straight to the client that asked.
                let p = self.producers.iter().position(|p| {
                    p.reply_tag.is_some() && request.reply_to.starts_with(DIRECT_REPLY_TO)
                })?;
                self.graph
                    .find(NodeKind::Producer, &self.scenario.producers[p].name)
            });
        if let (Some(from), Some(to)) = (from, to) {
            if let Some(edge) = self.graph.edge_between(from, to) {
                self.animate(vec![Leg::Edge(edge)], 0, HOP_MS);
            }
        }
        self.send(HOP_MS, Arrival::Publish(Box::new(publish)));
    }

    /// A consumer settles a delivery: ack, nack or reject, with or without requeue.
    fn settle(&mut self, i: usize, tag: DeliveryTag, settle: Settle) {
        let channel = self.consumers[i].channel;
        let what = format!(
            "{} from `{}`",
            settle.as_str(),
            self.scenario.consumers[i].name
        );
        if self
            .command(&what, settle_command(channel, tag, settle, false))
            .is_ok()
        {
            if settle == Settle::Ack {
                self.consumers[i].acked += 1;
            } else {
                self.consumers[i].refused += 1;
            }
        }
    }

    /// Folds the broker's events into counts, tokens and log lines.
    fn process_events(&mut self) {
        while let Some(event) = self.broker.poll_event() {
            self.current_message = narrate::message_of(&event);
            self.note(narrate::describe(&event));
            match event {
                Event::Published {
                    message,
                    routing_key,
                    channel,
                    seq,
                    ..
                } => {
                    self.routing_keys.insert(message, routing_key);
                    if let Some(headers) = self.publishing_headers.take() {
                        self.message_headers.insert(message, headers);
                    }
                    if let Some(i) = self.producers.iter().position(|p| p.channel == channel) {
                        let name = self.scenario.producers[i].name.clone();
                        self.publishers.insert(message, name);
                        if let Some(seq) = seq {
                            self.producers[i].unconfirmed.insert(seq);
                        }
                    }
                }
                Event::PublisherAck {
                    channel,
                    seq,
                    multiple,
                }
                | Event::PublisherNack {
                    channel,
                    seq,
                    multiple,
                } => {
                    let ack = matches!(event, Event::PublisherAck { .. });
                    if let Some(p) = self.producers.iter_mut().find(|p| p.channel == channel) {
                        let done: Vec<u64> = if multiple {
                            p.unconfirmed.range(..=seq).copied().collect()
                        } else {
                            p.unconfirmed.get(&seq).copied().into_iter().collect()
                        };
                        for s in &done {
                            p.unconfirmed.remove(s);
                        }
                        let n = done.len() as u64;
                        if ack {
                            p.confirmed += n;
                        } else {
                            p.nacked += n;
                        }
                    }
                }
                Event::DeadLettered {
                    message,
                    routing_keys,
                    queue,
                    dead_letter_exchange,
                    ..
                } => {
                    if let Some(key) = routing_keys.into_iter().next() {
                        self.routing_keys.insert(message, key);
                    }
                    self.fate_at_queue(&queue, "dead-lettered");
                    let q = self.queue_node_by_broker_name(queue.as_str());
                    let x = self
                        .graph
                        .find(NodeKind::Exchange, dead_letter_exchange.as_str());
                    if let (Some(q), Some(x)) = (q, x) {
                        if let Some(e) = self.graph.edge_between(q, x) {
                            self.animate(vec![Leg::Edge(e)], 0, HOP_MS);
                            self.dead_letter_hop = Some(message);
                        }
                    }
                }
                Event::Routed {
                    message,
                    exchange,
                    edges,
                    ..
                } => self.animate_route(message, &exchange, &edges),
                Event::Delivered {
                    channel,
                    consumer_tag: Some(_),
                    queue,
                    message,
                    properties,
                    ..
                } if self.producers.iter().any(|p| p.channel == channel) => {
                    // An RPC reply on its way to the client.
                    let i = self
                        .producers
                        .iter()
                        .position(|p| p.channel == channel)
                        .expect("checked by the guard");
                    let producer = self.scenario.producers[i].name.clone();
                    let delay = self
                        .arrives_in_queue
                        .remove(&(message, queue.clone()))
                        .unwrap_or(0);
                    let q = self.queue_node_by_broker_name(queue.as_str());
                    let p = self.graph.find(NodeKind::Producer, &producer);
                    if let (Some(q), Some(p)) = (q, p) {
                        if let Some(edge) = self.graph.edge_between(q, p) {
                            self.animate(
                                vec![Leg::Across(q), Leg::Edge(edge)],
                                delay,
                                THROUGH_MS + HOP_MS,
                            );
                        }
                    }
                    self.send(
                        delay + THROUGH_MS + HOP_MS,
                        Arrival::Reply {
                            producer,
                            correlation_id: properties.correlation_id.clone(),
                        },
                    );
                }
                Event::Delivered {
                    channel,
                    consumer_tag: Some(tag),
                    queue,
                    message,
                    delivery_tag,
                    no_ack,
                    properties,
                    body,
                    ..
                } => {
                    let consumer = self
                        .consumers
                        .iter()
                        .position(|c| c.channel == channel && c.tag.as_ref() == Some(&tag))
                        // The consume-ok reply (and so the tag) comes after the backlog's
                        // deliveries: match the channel alone then.
                        .or_else(|| self.consumers.iter().position(|c| c.channel == channel));
                    if let Some(consumer) = consumer {
                        // A copy routed through exchanges is still travelling to its queue on
                        // screen: its delivery leaves the queue once it has arrived there.
                        let delay = self
                            .arrives_in_queue
                            .remove(&(message, queue.clone()))
                            .unwrap_or(0);
                        let q = self.queue_node_by_broker_name(queue.as_str());
                        let c = self
                            .graph
                            .find(NodeKind::Consumer, &self.scenario.consumers[consumer].name);
                        if let (Some(q), Some(c)) = (q, c) {
                            if let Some(edge) = self.graph.edge_between(q, c) {
                                self.animate(
                                    vec![Leg::Across(q), Leg::Edge(edge)],
                                    delay,
                                    THROUGH_MS + HOP_MS,
                                );
                            }
                        }
                        let name = self.scenario.consumers[consumer].name.clone();
                        let text = String::from_utf8_lossy(body.as_bytes()).into_owned();
                        let request = properties.reply_to.clone().map(|reply_to| Request {
                            reply_to,
                            correlation_id: properties.correlation_id.clone(),
                            body: text.clone(),
                        });
                        self.send(
                            delay + THROUGH_MS + HOP_MS,
                            Arrival::Deliver {
                                consumer: name,
                                tag: delivery_tag,
                                ack: !no_ack,
                                request,
                                body: text,
                            },
                        );
                    }
                }
                Event::Unroutable {
                    message, exchange, ..
                } => {
                    self.unroutable += 1;
                    // It ends where routing gave up: at the exchange, or at P when the default
                    // exchange (not drawn) found no queue of that name.
                    let at = self
                        .graph
                        .find(NodeKind::Exchange, exchange.as_str())
                        .or_else(|| {
                            let publisher = self.publishers.get(&message)?;
                            self.graph.find(NodeKind::Producer, publisher)
                        });
                    if let Some(node) = at {
                        self.animate_fate(vec![Leg::Stay(node)], 0, FATE_MS, Some("unroutable"));
                    }
                }
                Event::Returned {
                    channel, exchange, ..
                } => {
                    self.returned += 1;
                    // Back along the publisher's edge to the exchange; with the default
                    // exchange (not drawn) it shows at P.
                    let producer = self.producers.iter().position(|p| p.channel == channel);
                    let p = producer.and_then(|i| {
                        self.graph
                            .find(NodeKind::Producer, &self.scenario.producers[i].name)
                    });
                    let x = self.graph.find(NodeKind::Exchange, exchange.as_str());
                    let legs = match (p, x) {
                        (Some(p), Some(x)) => {
                            self.graph.edge_between(p, x).map(|e| vec![Leg::Back(e)])
                        }
                        (Some(p), None) => Some(vec![Leg::Stay(p)]),
                        _ => None,
                    };
                    if let Some(legs) = legs {
                        self.animate_fate(legs, 0, HOP_MS, Some("returned"));
                    }
                }
                Event::Dropped {
                    reason: DropReason::Restart,
                    ..
                } => self.lost_in_restart += 1,
                Event::QueueDeleted { messages, .. } if self.restarting => {
                    self.lost_in_restart += messages.len() as u64;
                }
                Event::QueueDeleted { queue, .. } if !self.deleting => {
                    self.vanished
                        .push((NodeKind::Queue, queue.as_str().to_string()));
                }
                Event::ExchangeDeleted { exchange, .. } if !self.deleting && !self.restarting => {
                    self.vanished
                        .push((NodeKind::Exchange, exchange.as_str().to_string()));
                }
                Event::Dropped { queue, .. } => {
                    self.dropped += 1;
                    self.fate_at_queue(&queue, "dropped");
                }
                Event::Expired { queue, .. } => self.fate_at_queue(&queue, "expired"),

                _ => {}
            }
        }
        self.current_message = None;
    }

    fn fate_at_queue(&mut self, queue: &QueueName, fate: &'static str) {
        if let Some(node) = self.queue_node_by_broker_name(queue.as_str()) {
            self.animate_fate(vec![Leg::Stay(node)], 0, FATE_MS, Some(fate));
        }
    }

    fn client_index(&self, consumer: &str) -> Option<usize> {
        self.scenario
            .consumers
            .iter()
            .position(|c| c.name == consumer)
    }

    fn consumer_index(&self, name: &str) -> Result<usize, PlaygroundError> {
        self.scenario
            .consumers
            .iter()
            .position(|c| c.name == name)
            .ok_or_else(|| PlaygroundError::Unknown {
                kind: "consumer",
                name: name.to_string(),
            })
    }

    fn queue_name(&self, handle: &str) -> Result<QueueName, PlaygroundError> {
        self.scenario
            .queues
            .iter()
            .position(|q| q.name == handle)
            .and_then(|i| self.queue_names.get(i).cloned())
            .ok_or_else(|| PlaygroundError::Unknown {
                kind: "queue",
                name: handle.to_string(),
            })
    }

    /// The broker's name of a scenario queue (`amq.gen-…` for a server-named one).
    pub fn broker_queue_name(&self, handle: &str) -> Option<String> {
        self.queue_name(handle).ok().map(|q| q.as_str().to_string())
    }

    fn queue_node_by_broker_name(&self, name: &str) -> Option<NodeId> {
        let i = self.queue_names.iter().position(|q| q.as_str() == name)?;
        self.graph
            .find(NodeKind::Queue, &self.scenario.queues[i].name)
    }

    /// Lays the diagram out for another drawing style.
    pub fn set_style(&mut self, style: Style) {
        if style != self.style {
            self.style = style;
            self.relayout();
        }
    }

    /// How `exchange` would route a message with `routing_key`, binding by binding: whether it
    /// matches, and why in words (the core's own reasoning, word by word for topics).
    pub fn explain(&self, exchange: &str, routing_key: &str) -> Vec<(bool, String)> {
        self.explain_message(exchange, routing_key, &[])
    }

    /// Like [`Playground::explain`], for a message with headers too (a headers exchange
    /// compares them key by key under its `x-match` rule).
    pub fn explain_message(
        &self,
        exchange: &str,
        routing_key: &str,
        headers: &[(String, ArgValue)],
    ) -> Vec<(bool, String)> {
        let headers = (!headers.is_empty()).then(|| field_table(headers));
        self.broker
            .routing_table(&VhostName::from("/"), &ExchangeName::from(exchange))
            .map(|table| {
                table
                    .explain(&[routing_key], headers.as_ref(), self.broker.compat())
                    .iter()
                    .map(|e| (e.matched, e.sentence()))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Virtual time.
    pub fn now(&self) -> Millis {
        self.now
    }

    /// The scenario being played.
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// The diagram.
    pub fn graph(&self) -> &Graph {
        &self.graph
    }

    /// The diagram, shared: components compare it cheaply to skip redrawing.
    pub fn graph_rc(&self) -> Rc<Graph> {
        self.graph.clone()
    }

    /// The layout, shared like [`Playground::graph_rc`].
    pub fn layout_rc(&self) -> Rc<Layout> {
        self.layout.clone()
    }

    /// Where the diagram's parts go.
    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// The tokens to draw at the current virtual time.
    pub fn tokens(&self) -> Vec<Sample<'_>> {
        self.timeline.at(self.now.0 as f64)
    }

    /// The tokens to draw at virtual time `t` (between frames of the clock).
    pub fn tokens_at(&self, t: f64) -> Vec<Sample<'_>> {
        self.timeline.at(t)
    }

    /// Whether anything is moving or scheduled, i.e. whether the clock needs to run.
    pub fn busy(&self) -> bool {
        !self.transit.is_empty()
            || self.timeline.busy(self.now.0 as f64)
            || self.broker.poll_timeout().is_some()
    }

    /// The broker's own counts for a queue (zero when it does not exist).
    fn counts(&self, queue: &QueueName) -> QueueCounts {
        self.broker
            .queue(&VhostName::from("/"), queue)
            .map(|q| QueueCounts {
                ready: q.ready as u64,
                unacked: q.unacked as u64,
            })
            .unwrap_or_default()
    }

    /// The consumers as the page shows them (cheaper than a whole snapshot).
    pub fn consumer_views(&self) -> Vec<ConsumerView> {
        self.scenario
            .consumers
            .iter()
            .zip(&self.consumers)
            .map(|(spec, c)| ConsumerView {
                name: spec.name.clone(),
                received: c.received,
                acked: c.acked,
                consuming: c.tag.is_some(),
                refused: c.refused,
                replied: c.replied,
                last_body: c.last_body.clone(),
            })
            .collect()
    }

    /// The state the tests and the scripting API read.
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            now: self.now.0,
            queues: self
                .scenario
                .queues
                .iter()
                .zip(&self.queue_names)
                .map(|(q, name)| (q.name.clone(), self.counts(name)))
                .collect(),
            consumers: self.consumer_views(),
            producers: self
                .scenario
                .producers
                .iter()
                .zip(&self.producers)
                .map(|(spec, p)| (spec.name.clone(), p.published))
                .collect(),
            in_flight: self.transit.len(),
            unroutable: self.unroutable,
            returned: self.returned,
            dropped: self.dropped,
            publishers: self
                .scenario
                .producers
                .iter()
                .zip(&self.producers)
                .map(|(spec, p)| ProducerView {
                    name: spec.name.clone(),
                    published: p.published,
                    confirmed: p.confirmed,
                    nacked: p.nacked,
                    replies: p.replies,
                    waiting: p.waiting.len() as u64,
                })
                .collect(),
            restarts: self.restarts,
            lost_in_restart: self.lost_in_restart,
        }
    }
}

/// The ack, nack or reject that settles `tag` (reject has no `multiple`).
fn settle_command(
    channel: ChannelRef,
    tag: DeliveryTag,
    settle: Settle,
    multiple: bool,
) -> Command {
    match settle {
        Settle::Ack => BasicAck {
            channel,
            delivery_tag: tag,
            multiple,
        }
        .into(),
        Settle::Nack | Settle::NackRequeue => BasicNack {
            channel,
            delivery_tag: tag,
            multiple,
            requeue: settle == Settle::NackRequeue,
        }
        .into(),
        Settle::Reject | Settle::RejectRequeue => BasicReject {
            channel,
            delivery_tag: tag,
            requeue: settle == Settle::RejectRequeue,
        }
        .into(),
    }
}

/// Fibonacci, as tutorial 6's server computes it (iteratively: n ≤ 90 fits a u64).
fn fib(n: u32) -> u64 {
    let (mut a, mut b) = (0u64, 1u64);
    for _ in 0..n {
        (a, b) = (b, a.saturating_add(b));
    }
    a
}

#[cfg(test)]
mod tests;
