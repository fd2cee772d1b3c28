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
//! The clients themselves (producers, consumers, both RPC roles, the script's client) live
//! in `src/sim/clients.rs`, behind one interface: the engine hands each broker event to the
//! client it is addressed to, runs each client's timers when due, and otherwise knows no
//! kind of client. After [`Playground::restart`] every client reconnects and declares what it
//! uses, as the tutorial programs do when started again.
//!
//! # Layout
//! - this file: the clock, the transit of messages and timers, commands to the broker and
//!   the fan-out of its events (counts, narration, animation, clients); what the page reads.
//! - `narrate`: the event log in words, and a message's history.
//! - `animate`: the event→animation translation, and the tokens every client draws with.
//! - `edit`: editing the topology while it runs, the broker restart, the layout.

use std::collections::VecDeque;
use std::rc::Rc;

use amqp_playground_core::{
    BasicPublish, Broker, BrokerError, ChannelRef, Command, Config, DropReason, Event,
    ExchangeName, FieldTable, MessageId, Millis, QueueName, Reply, SortedMap, VhostName,
};

use super::clients::{self, Consumer, Producer, Remote, Script, Wake};
use super::scenario::{field_table, ArgValue, MessageProps, Scenario};
use super::shared_map::{FactsMap, ForgetWhile};
use crate::anim::{Sample, Timeline};
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
    /// Past one of the page's limits (`sim::limits`).
    #[error("{0}")]
    Limit(String),
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

/// A stream's log as the page draws it: the offsets it keeps, where segments start, and
/// where each consumer reads next.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StreamView {
    /// Oldest offset kept (retention dropped everything before it).
    pub first: u64,
    /// Offset the next message gets.
    pub next: u64,
    /// First offset of every segment, oldest first.
    pub segment_starts: Vec<u64>,
    /// (consumer name, next offset it reads) for the scenario's consumers on this stream.
    pub readers: Vec<(String, u64)>,
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

/// What the engine remembers of a message (see `Playground::messages`): 40 bytes (48 with its
/// id in the map), the strings shared with the message before when they are the same (a
/// steady producer's).
#[derive(Clone, Debug, Default)]
pub(in crate::sim) struct MessageFacts {
    /// The routing key it was last routed with (for explaining bindings).
    pub(in crate::sim) routing_key: Rc<str>,
    /// Its headers, if it had some (for explaining headers bindings).
    pub(in crate::sim) headers: Option<Box<FieldTable>>,
    /// The producer that published it, by the channel it came on.
    pub(in crate::sim) publisher: Option<Rc<str>>,
}

impl Playground {
    /// `text` as a shared string for `message`'s facts: the copy of the newest message
    /// before it when that is the same (its own entry may be there already, half filled).
    pub(in crate::sim) fn shared(
        &self,
        message: MessageId,
        text: &str,
        of: impl Fn(&MessageFacts) -> Option<&Rc<str>>,
    ) -> Rc<str> {
        let before = self.messages.iter().rev().find(|(id, _)| **id < message);
        match before.and_then(|(_, m)| of(m)) {
            Some(s) if &**s == text => s.clone(),
            _ => Rc::from(text),
        }
    }
}

/// Something on its way on the virtual clock.
#[derive(Clone)]
pub(in crate::sim) enum Arrival {
    /// A publish reaches the broker.
    Publish(Box<BasicPublish>),
    /// A client's timer is due (a delivery reaching it, its work done, its next publish).
    Wake(Box<Wake>),
}

#[derive(Clone)]
pub(in crate::sim) struct Transit {
    at: Millis,
    seq: u64,
    pub(in crate::sim) arrival: Arrival,
}

mod animate;
mod checkpoint;
mod edit;
mod narrate;
pub use narrate::NARRATION_LINES;

pub use edit::Edit;

/// The broker, the clients, the clock and what is moving.
pub struct Playground {
    pub(in crate::sim) broker: Broker,
    pub(in crate::sim) now: Millis,
    pub(in crate::sim) scenario: Scenario,
    pub(in crate::sim) graph: Rc<Graph>,
    pub(in crate::sim) layout: Rc<Layout>,
    pub(in crate::sim) timeline: Timeline,
    pub(in crate::sim) transit: Vec<Transit>,
    pub(in crate::sim) seq: u64,
    /// Broker name of each scenario queue, in scenario order.
    pub(in crate::sim) queue_names: Vec<QueueName>,
    pub(in crate::sim) producers: Vec<Producer>,
    pub(in crate::sim) consumers: Vec<Consumer>,
    pub(in crate::sim) unroutable: u64,
    pub(in crate::sim) returned: u64,
    pub(in crate::sim) dropped: u64,
    pub(in crate::sim) restarts: u64,
    pub(in crate::sim) lost_in_restart: u64,
    /// A restart is being handled: messages of deleted queues count as lost in it.
    pub(in crate::sim) restarting: bool,
    /// The editor is deleting a node itself (its own bookkeeping follows).
    pub(in crate::sim) deleting: bool,
    /// Queues and exchanges the broker deleted on its own (auto-delete, `x-expires`,
    /// exclusive owner gone), by broker name, to take off the drawing.
    pub(in crate::sim) vanished: Vec<(NodeKind, String)>,
    pub(in crate::sim) log: VecDeque<String>,
    pub(in crate::sim) next_connection_channel: u16,
    // The per-message maps below are `SortedMap`s keyed by the core's message ids, which only
    // grow: almost every insert lands at the end of the vector (a `Vec::push`); a dead-lettered
    // message's later hops insert in the middle, moving the small entries after it.
    /// What the engine remembers of each message: its routing key, headers and publisher.
    pub(in crate::sim) messages: FactsMap<MessageId, MessageFacts>,
    /// The headers of the publish being handled.
    pub(in crate::sim) publishing_headers: Option<FieldTable>,
    /// When a routed copy reaches its queue on screen, relative to the routing instant.
    pub(in crate::sim) arrives_in_queue: SortedMap<(MessageId, QueueName), u64>,
    /// The set-up connection's channel, reopened after a refused edit closed it.
    pub(in crate::sim) admin: Option<ChannelRef>,
    /// The drawing style the layout is made for.
    pub(in crate::sim) style: Style,
    /// Nodes moved by hand: their centres, kept across edits.
    pub(in crate::sim) moved: SortedMap<(NodeKind, String), crate::scene::Point>,
    /// The message of the event being turned into tokens (tokens remember it for history).
    pub(in crate::sim) current_message: Option<MessageId>,
    /// The `x-delivery-count` of the delivery being processed (quorum queues).
    pub(in crate::sim) current_delivery_count: Option<u32>,
    /// A dead-lettered message whose next routing starts one hop late (after its trip from
    /// the queue to the dead-letter exchange).
    pub(in crate::sim) dead_letter_hop: Option<MessageId>,
    /// The script client's channels.
    pub(in crate::sim) script: Script,
    /// Real programs relayed into the page by the bridge.
    pub(in crate::sim) remotes: Vec<Remote>,
    /// What real clients did that Verify replays (virtual ms, client-script step).
    pub(in crate::sim) remote_steps: Vec<(u64, serde_json::Value)>,
    /// A real client's command is with the broker: what it declares joins the drawing.
    pub(in crate::sim) adopting: bool,
    /// While a scenario is being set up, the diagram is laid out once at the end rather than
    /// after every exchange, queue, binding and client (which made loading quadratic: 150
    /// bindings took 10 s, BENCHMARKS.md).
    pub(in crate::sim) layout_deferred: bool,
    /// Something the engine decided on its own that the learner must hear of (producers
    /// paused at `limits::MAX_HELD`), until the page takes it.
    pub(in crate::sim) notice: Option<String>,
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
            messages: FactsMap::new(),
            publishing_headers: None,
            arrives_in_queue: SortedMap::new(),
            admin: None,
            style: Style::Classic,
            dead_letter_hop: None,
            current_message: None,
            current_delivery_count: None,
            moved: SortedMap::new(),
            script: Script::default(),
            scenario: Scenario {
                name: scenario.name.clone(),
                tour: scenario.tour.clone(),
                ..Scenario::default()
            },
            remotes: Vec::new(),
            remote_steps: Vec::new(),
            adopting: false,
            layout_deferred: true,
            notice: None,
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
        // Where the learner had moved nodes by hand (a share link's or a file's `view`).
        for (kind, name, at) in scenario.view.positions {
            if pg.index_of(kind, &name).is_ok() {
                pg.moved.insert((kind, name), at);
            }
        }
        pg.layout_deferred = false;
        pg.relayout();
        pg.schedule(scenario.steps);
        Ok(pg)
    }

    /// What the engine decided on its own since last asked (see `sim::limits`).
    pub fn take_notice(&mut self) -> Option<String> {
        self.notice.take()
    }

    /// How much the engine keeps besides the broker (the long-run bench watches it stay flat):
    /// log lines, things on their way, tokens on the timeline, messages remembered.
    pub fn footprint(&self) -> [(&'static str, usize); 4] {
        [
            ("log lines", self.log.len()),
            ("in transit", self.transit.len()),
            ("tokens", self.timeline.len()),
            ("messages remembered", self.messages.len()),
        ]
    }

    /// The nodes moved by hand, with their centres (what a share link's `view` carries).
    pub fn moved_nodes(&self) -> Vec<(NodeKind, String, crate::scene::Point)> {
        let moved = self.moved.iter();
        moved.map(|((k, n), p)| (*k, n.clone(), *p)).collect()
    }

    pub(in crate::sim) fn command(
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

    pub(in crate::sim) fn send(&mut self, after: u64, arrival: Arrival) {
        self.seq += 1;
        self.transit.push(Transit {
            at: self.now.plus(after),
            seq: self.seq,
            arrival,
        });
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
        let remote = self.remotes.iter().filter_map(|r| r.timeout()).min();
        [arrival, self.broker.poll_timeout(), remote]
            .into_iter()
            .flatten()
            .min()
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
        self.remote_timers(at);
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
                    // closed the publisher's channel, which is the client's to deal with.
                    let channel = publish.channel;
                    if self.command("publish", *publish).is_err() {
                        self.client_refused(channel);
                    }
                    self.publishing_headers = None;
                }
                Arrival::Wake(wake) => self.client_wake(*wake),
            }
        }
    }

    /// Takes queues and exchanges the broker deleted on its own off the scenario and the
    /// drawing, with the bindings and consumers that hung off them.
    pub(in crate::sim) fn forget_vanished(&mut self) {
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

    /// Folds the broker's events into counts, log lines and tokens, and hands each to the
    /// client it is addressed to, one event at a time: a client's reaction (a delivery on its
    /// way) comes right after the routing that led to it, in the broker's order.
    pub(in crate::sim) fn process_events(&mut self) {
        while let Some(event) = self.broker.poll_event() {
            self.current_message = narrate::message_of(&event);
            self.current_delivery_count = delivery_count(&event);
            self.note(narrate::describe(&event));
            self.count(&event);
            self.animate_event(&event);
            if self.adopting && self.adopt(&event) {
                self.relayout_keeping_tokens();
            }
            if let Some(id) = clients::addressee(&event).and_then(|c| self.client_of(c)) {
                self.client_event(id, &event);
            }
        }
        self.current_message = None;
        self.current_delivery_count = None;
    }

    /// Keeps the per-message maps to the newest [`limits::TRACKED_MESSAGES`] message ids
    /// (`newest` is the latest), so a long run's memory stays flat: twice that many at most,
    /// forgotten half at a time. An older message that is dead-lettered later is explained
    /// without its routing key. The moments are decided by the ids alone (the newest passing
    /// a multiple of that many), not by how many facts are held, so that a checkpoint holding
    /// fewer forgets at the same moments as the run it was copied from; an id a rolled-back
    /// transaction used (never published) makes it wait for the next multiple.
    fn forget_old_messages(&mut self, newest: MessageId) {
        let keep = crate::sim::limits::TRACKED_MESSAGES as u64;
        if newest.0 < 2 * keep || !newest.0.is_multiple_of(keep) {
            return;
        }
        let oldest_kept = MessageId(newest.0.saturating_sub(keep));
        ForgetWhile::forget_while(&mut self.messages, |m| *m < oldest_kept);
        self.arrives_in_queue.retain(|(m, _), _| *m >= oldest_kept);
    }

    /// The engine's own bookkeeping of an event: what the routing explanations need, the
    /// counts the status panel shows, and what the broker deleted on its own.
    fn count(&mut self, event: &Event) {
        match event {
            Event::Published {
                message,
                routing_key,
                ..
            } => {
                let routing_key = self.shared(*message, routing_key, |m| Some(&m.routing_key));
                let headers = self.publishing_headers.take().map(Box::new);
                let facts = self.messages.get_or_default(*message);
                facts.routing_key = routing_key;
                facts.headers = headers;
                self.forget_old_messages(*message);
            }
            Event::DeadLettered {
                message,
                routing_keys,
                ..
            } => {
                if let Some(key) = routing_keys.first() {
                    self.messages.get_or_default(*message).routing_key = Rc::from(key.as_str());
                }
            }
            Event::Unroutable { .. } => self.unroutable += 1,
            Event::Returned { .. } => self.returned += 1,
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
            Event::Dropped { .. } => self.dropped += 1,
            _ => {}
        }
    }

    pub(in crate::sim) fn queue_name(&self, handle: &str) -> Result<QueueName, PlaygroundError> {
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

    pub(in crate::sim) fn queue_node_by_broker_name(&self, name: &str) -> Option<NodeId> {
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
    pub(in crate::sim) fn counts(&self, queue: &QueueName) -> QueueCounts {
        self.broker
            .queue(&VhostName::from("/"), queue)
            .map(|q| QueueCounts {
                ready: q.ready as u64,
                unacked: q.unacked as u64,
            })
            .unwrap_or_default()
    }

    /// What the real clients did that Verify replays, with the virtual time of each.
    pub fn remote_steps(&self) -> &[(u64, serde_json::Value)] {
        &self.remote_steps
    }

    /// The log of the scenario's queue `name` when it is a stream.
    pub fn stream_view(&self, name: &str) -> Option<StreamView> {
        // The diagram asks for every queue on every render: only a stream costs a lookup.
        let i = self
            .scenario
            .queues
            .iter()
            .position(|q| q.name == name && q.is_stream())?;
        let info = self
            .broker
            .queue(&VhostName::from("/"), self.queue_names.get(i)?)?;
        let log = info.stream?;
        let readers = info
            .consumers
            .iter()
            .filter_map(|c| {
                let offset = c.offset?;
                let (spec, _) = self
                    .scenario
                    .consumers
                    .iter()
                    .zip(&self.consumers)
                    .find(|(_, k)| k.tag.as_ref() == Some(&c.tag))?;
                Some((spec.name.clone(), offset))
            })
            .collect();
        Some(StreamView {
            first: log.first,
            next: log.next,
            segment_starts: log.segments.iter().map(|s| s.first).collect(),
            readers,
        })
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

#[cfg(test)]
mod tests;

/// The `x-delivery-count` a quorum queue put on a delivery.
fn delivery_count(event: &Event) -> Option<u32> {
    let Event::Delivered { properties, .. } = event else {
        return None;
    };
    let n = properties.header("x-delivery-count")?.as_integer()?;
    u32::try_from(n).ok()
}
