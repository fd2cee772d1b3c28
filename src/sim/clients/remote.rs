//! A real AMQP program (pika's `send.py`, amqplib, lapin) relayed into the page by
//! `amqp-playground bridge`: the third kind of client.
//!
//! Its protocol is run by the same sans-IO [`Session`] as `amqp-playground serve`: bytes in,
//! core commands out, replies and events back to bytes. The engine only pumps it:
//! - bytes arrive ([`Playground::remote_receive`]) → `poll_command` → the broker at the current
//!   virtual time → `handle_result`; the events those commands caused are narrated and
//!   animated like every client's, and the ones addressed to this connection are held until
//!   its own result is in (the session wants the reply first, as the server's pump does);
//! - events for it that other clients caused (a delivery of a simulated producer's message)
//!   go straight to `handle_event`;
//! - its heartbeats and handshake deadline are timers on the virtual clock, which runs at real
//!   time while a real client is connected (the page sees to that).
//!
//! What it declares appears in the drawing as it declares it: queues, exchanges and bindings
//! join the scenario (the broker already has them, so nothing is declared again), and the
//! program itself is drawn as a producer when it publishes and a consumer when it consumes,
//! named by its `connection_name` (else by its client library and port) and marked as real.
//! Its publishes reach the broker at once (the program already paid the network); on screen
//! the token still makes the hop from its node to the exchange first, so routing is drawn one
//! hop late.

use amqp_playground_core::{SortedMap, SortedSet};

#[cfg(not(feature = "bridge"))]
use self::no_wire::{Session, SessionConfig};
use amqp_playground_core::{ConnectionId, Event, Millis};
#[cfg(feature = "bridge")]
use amqp_playground_wire::{Session, SessionConfig};

#[cfg(not(feature = "bridge"))]
mod no_wire;

use super::ClientId;
use crate::scene::{NodeId, NodeKind};
use crate::sim::playground::Playground;
use crate::sim::scenario::{ArgValue, BindingSpec, ExchangeSpec, QueueSpec};

/// One relayed connection.
#[derive(Debug)]
pub(in crate::sim) struct Remote {
    /// The bridge's number for it.
    pub(in crate::sim) conn: u64,
    /// The program's address.
    pub(in crate::sim) peer: String,
    session: Session,
    /// Events addressed to it that came while one of its own commands was with the broker.
    held: Vec<Event>,
    busy: bool,
    /// Where it publishes, as drawn: an exchange, or the queue a default-exchange key names.
    pub(in crate::sim) targets: SortedSet<(NodeKind, String)>,
    /// The queues it consumes from (broker names).
    pub(in crate::sim) sources: SortedSet<String>,
    /// Messages it published, and deliveries it got.
    pub(in crate::sim) published: u64,
    pub(in crate::sim) received: u64,
    /// basic.qos prefetch per channel, for the consumes Verify replays.
    #[cfg_attr(not(feature = "bridge"), allow(dead_code))]
    prefetch: SortedMap<u16, u16>,
    /// Consumers it started (their Verify tags are numbered after the first).
    #[cfg_attr(not(feature = "bridge"), allow(dead_code))]
    consumes: u32,
}

/// What the page shows of a relayed client.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RemoteView {
    /// The bridge's number for it.
    pub conn: u64,
    /// The name its nodes are drawn with.
    pub name: String,
    /// The program's address.
    pub peer: String,
    /// Client library and version (`Pika Python Client Library 1.3.2`), once it said.
    pub client: Option<String>,
    /// Channels open now.
    pub channels: usize,
    /// Messages it published.
    pub published: u64,
    /// Deliveries it got.
    pub received: u64,
}

/// Bytes a relayed client is to be sent, and whether its session is over.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RemoteOutput {
    /// The bridge's number for it.
    pub conn: u64,
    /// What to send (whole frames).
    pub bytes: Vec<u8>,
    /// The session closed: after these bytes, close the socket.
    pub closed: bool,
}

impl Remote {
    /// What Verify replays of a command it ran: its consumes and publishes as client-script
    /// steps, each real client on a connection of its own (named after it). Declarations
    /// need none (the scenario adopted them); acks need none (a script consumer acks each
    /// delivery, as the tutorials' consumers do). A page without the bridge feature has no
    /// real clients, so records nothing.
    #[cfg(not(feature = "bridge"))]
    fn script_step(&mut self, _: &amqp_playground_core::Command) -> Option<serde_json::Value> {
        None
    }

    #[cfg(feature = "bridge")]
    fn script_step(
        &mut self,
        command: &amqp_playground_core::Command,
    ) -> Option<serde_json::Value> {
        use amqp_playground_core::Command;
        use amqp_playground_script::value::{bytes_to_json, field_table_to_json};
        use serde_json::json;
        let connection = self.name().replace(':', "-");
        let channel = |ch: u16| format!("{connection}:{ch}");
        match command {
            Command::BasicQos(q) => {
                self.prefetch.insert(q.channel.channel.0, q.prefetch_count);
                None
            }
            Command::BasicConsume(c) => {
                self.consumes += 1;
                let tag = match self.consumes {
                    1 => self.name(),
                    n => format!("{} ({n})", self.name()),
                };
                let mut v = json!({"queue": c.queue.as_str(), "tag": tag,
                                   "ack": if c.no_ack { "none" } else { "ack" },
                                   "channel": channel(c.channel.channel.0)});
                if let Some(&p) = self.prefetch.get(&c.channel.channel.0).filter(|p| **p > 0) {
                    v["prefetch"] = json!(p);
                }
                if !c.arguments.is_empty() {
                    v["arguments"] = field_table_to_json(&c.arguments);
                }
                Some(json!({ "consume": v }))
            }
            Command::BasicPublish(p) => {
                let mut v = json!({"exchange": p.exchange.as_str(), "routing_key": p.routing_key,
                                   "body": bytes_to_json(p.body.as_bytes()),
                                   "channel": channel(p.channel.channel.0)});
                if p.mandatory {
                    v["mandatory"] = json!(true);
                }
                if let Some(headers) = &p.properties.headers {
                    v["headers"] = field_table_to_json(headers);
                }
                let props = amqp_playground_script::script::Properties::from(&p.properties);
                if !props.is_empty() {
                    v["properties"] = amqp_playground_script::result::properties_to_json(&props);
                }
                Some(json!({ "publish": v }))
            }
            _ => None,
        }
    }

    /// The name it is drawn with: its `connection_name`, else its library's first word and
    /// its port (`pika:50412`).
    pub(in crate::sim) fn name(&self) -> String {
        let info = self.session.client();
        if let Some(name) = info.connection_name.as_deref().filter(|n| !n.is_empty()) {
            return name.to_string();
        }
        let library = info
            .product
            .as_deref()
            .and_then(|p| p.split_whitespace().next())
            .map_or("client".to_string(), str::to_lowercase);
        let port = self.peer.rsplit(':').next().unwrap_or("?");
        format!("{library}:{port}")
    }

    /// The tooltip of its badge.
    pub(in crate::sim) fn tooltip(&self) -> String {
        let view = self.view();
        format!(
            "real client from {}{}, {} channel{}",
            view.peer,
            view.client.map(|c| format!(", {c}")).unwrap_or_default(),
            view.channels,
            if view.channels == 1 { "" } else { "s" }
        )
    }

    pub(in crate::sim) fn view(&self) -> RemoteView {
        let info = self.session.client();
        let client = info.product.as_ref().map(|p| match &info.version {
            Some(v) => format!("{p} {v}"),
            None => p.clone(),
        });
        RemoteView {
            conn: self.conn,
            name: self.name(),
            peer: self.peer.clone(),
            client,
            channels: self.session.open_channels(),
            published: self.published,
            received: self.received,
        }
    }

    pub(in crate::sim) fn connection(&self) -> Option<ConnectionId> {
        self.session.connection()
    }

    pub(in crate::sim) fn timeout(&self) -> Option<Millis> {
        self.session.poll_timeout()
    }
}

/// The connection a broker event is for, as the wire sees it, plus `Published` (which the
/// wire does not send, but the drawing needs).
pub(in crate::sim) fn recipient_of(event: &Event) -> Option<ConnectionId> {
    match event {
        Event::Published { channel, .. } => Some(channel.connection),
        _ => event.recipient(),
    }
}

impl Playground {
    /// A real client connected through the bridge (`peer` is its address; `guest` may log in
    /// only when it is a loopback one, as on RabbitMQ).
    pub fn remote_connect(&mut self, conn: u64, peer: &str) {
        let loopback = peer
            .rsplit_once(':')
            .and_then(|(ip, _)| ip.trim_matches(['[', ']']).parse::<std::net::IpAddr>().ok())
            .is_some_and(|ip| ip.is_loopback());
        let config = SessionConfig {
            peer_is_loopback: loopback,
            ..SessionConfig::for_compat(self.broker.config().compat)
        };
        self.remotes.push(Remote {
            conn,
            peer: peer.to_string(),
            session: Session::new(self.now, config),
            held: Vec::new(),
            busy: false,
            targets: SortedSet::new(),
            sources: SortedSet::new(),
            published: 0,
            received: 0,
            prefetch: SortedMap::new(),
            consumes: 0,
        });
        #[cfg(feature = "bridge")]
        self.note(format!("real client {peer} connected through the bridge"));
        #[cfg(not(feature = "bridge"))]
        self.note(format!("real client {peer} refused: {}", no_wire::NO_WIRE));
        self.relayout_keeping_tokens();
    }

    /// Bytes from a real client: its session runs every command they make.
    pub fn remote_receive(&mut self, conn: u64, bytes: &[u8]) {
        let Some(i) = self.remote_index(conn) else {
            return;
        };
        self.remotes[i].session.receive(bytes);
        self.pump_remote(i);
        self.forget_vanished();
    }

    /// A real client's socket closed (it left, or the bridge dropped it): the broker cleans
    /// up after it (unacked deliveries back to their queues, exclusive queues deleted).
    pub fn remote_lost(&mut self, conn: u64) {
        let Some(i) = self.remote_index(conn) else {
            return;
        };
        if let Some(command) = self.remotes[i].session.connection_lost() {
            let result = self.broker.handle(self.now, command);
            self.process_events();
            self.remotes[i].session.handle_result(result);
        }
        let r = self.remotes.remove(i);
        self.note(format!("real client {} ({}) left", r.name(), r.peer));
        self.forget_vanished();
        self.relayout_keeping_tokens();
    }

    /// What each real client is to be sent now; closed sessions are dropped after this.
    pub fn take_remote_output(&mut self) -> Vec<RemoteOutput> {
        let mut out = Vec::new();
        for r in &mut self.remotes {
            let bytes = r.session.take_output();
            let closed = r.session.is_closed();
            if !bytes.is_empty() || closed {
                out.push(RemoteOutput {
                    conn: r.conn,
                    bytes,
                    closed,
                });
            }
        }
        if self.remotes.iter().any(|r| r.session.is_closed()) {
            self.remotes.retain(|r| !r.session.is_closed());
            self.relayout_keeping_tokens();
        }
        out
    }

    /// The real clients connected now.
    pub fn remotes(&self) -> Vec<RemoteView> {
        self.remotes.iter().map(Remote::view).collect()
    }

    /// Whether a real client is connected (the clock must then run at real time).
    pub fn has_remotes(&self) -> bool {
        !self.remotes.is_empty()
    }

    /// Runs the real clients' timers due at `at` (heartbeats, the handshake deadline).
    pub(in crate::sim) fn remote_timers(&mut self, at: Millis) {
        for i in 0..self.remotes.len() {
            if self.remotes[i].timeout().is_some_and(|t| t <= at) {
                self.remotes[i].session.handle_timeout(at);
                self.pump_remote(i);
            }
        }
    }

    /// Adds the real clients' nodes and edges to a graph drawn from the scenario: a producer
    /// node for a program that publishes (or has done nothing yet), a consumer node for one
    /// that consumes, each marked as real.
    pub(in crate::sim) fn draw_remotes(&self, graph: &mut crate::scene::Graph) {
        for r in &self.remotes {
            let name = r.name();
            let tooltip = r.tooltip();
            if !r.targets.is_empty() || r.sources.is_empty() {
                let mut node = crate::scene::Node::producer(&name, None);
                node.caption = Some(name.clone());
                node.real = Some(tooltip.clone());
                let p = graph.add(node);
                for (kind, target) in &r.targets {
                    if let Some(to) = graph.find(*kind, target) {
                        graph.connect(p, to, None);
                    }
                }
            }
            if !r.sources.is_empty() {
                let mut node = crate::scene::Node::consumer(&name, None);
                node.caption = Some(name.clone());
                node.real = Some(tooltip);
                let c = graph.add(node);
                for q in &r.sources {
                    if let Some(from) = graph.find(NodeKind::Queue, q) {
                        graph.connect(from, c, None);
                    }
                }
            }
        }
    }

    fn remote_index(&self, conn: u64) -> Option<usize> {
        self.remotes.iter().position(|r| r.conn == conn)
    }

    /// Runs every command the client's buffered bytes make, each at the current virtual time.
    fn pump_remote(&mut self, i: usize) {
        loop {
            let now = self.now;
            let Some(command) = self.remotes[i].session.poll_command(now, &self.broker) else {
                break;
            };
            let publish = match &command {
                amqp_playground_core::Command::BasicPublish(p) => {
                    Some(p.properties.headers.clone())
                }
                _ => None,
            };
            if let Some(headers) = publish {
                self.publishing_headers = headers;
            }
            self.remotes[i].busy = true;
            self.adopting = true;
            let step = self.remotes[i].script_step(&command);
            let result = self.broker.handle(now, command);
            if let (Some(step), Ok(_)) = (step, &result) {
                self.remote_steps.push((now.0, step));
            }
            if let Err(e) = &result {
                let name = self.remotes[i].name();
                self.note(format!("error: {name}: {e}"));
            }
            self.process_events();
            self.adopting = false;
            self.publishing_headers = None;
            let r = &mut self.remotes[i];
            r.busy = false;
            r.session.handle_result(result);
            for event in std::mem::take(&mut r.held) {
                r.session.handle_event(&event);
            }
        }
    }

    /// A broker event addressed to real client `i`.
    pub(in crate::sim) fn remote_event(&mut self, i: usize, event: &Event) {
        match event {
            Event::Published {
                message,
                exchange,
                routing_key,
                ..
            } => {
                let target = if exchange.as_str().is_empty() {
                    (NodeKind::Queue, routing_key.clone())
                } else {
                    (NodeKind::Exchange, exchange.as_str().to_string())
                };
                let r = &mut self.remotes[i];
                r.published += 1;
                let name = r.name();
                if r.targets.insert(target.clone()) {
                    self.relayout_keeping_tokens();
                }
                let name = self.shared(*message, &name, |m| m.publisher.as_ref());
                self.messages.get_or_default(*message).publisher = Some(name);
                // The hop from the program to the exchange is drawn before the routing.
                let from = self.client_node(ClientId::Remote(i));
                let to = self.graph.find(target.0, &target.1);
                self.animate_hop(from, to);
                self.dead_letter_hop = Some(*message);
                return;
            }
            Event::Delivered { queue, message, .. } => {
                let r = &mut self.remotes[i];
                r.received += 1;
                if r.sources.insert(queue.as_str().to_string()) {
                    self.relayout_keeping_tokens();
                }
                let to = self.remote_node(i, NodeKind::Consumer);
                self.animate_delivery(queue, *message, to);
            }
            Event::Returned { exchange, .. } => {
                let to = self.remote_node(i, NodeKind::Producer);
                self.animate_return(to, exchange);
            }
            _ => {}
        }
        let r = &mut self.remotes[i];
        if r.busy {
            r.held.push(event.clone());
        } else {
            r.session.handle_event(event);
        }
    }

    /// The node real client `i` is drawn as, in the role given.
    pub(in crate::sim) fn remote_node(&self, i: usize, kind: NodeKind) -> Option<NodeId> {
        self.graph.find(kind, &self.remotes.get(i)?.name())
    }

    /// Adds a queue, exchange or binding the broker reports made by a real client to the
    /// scenario, so it is drawn (the broker has it already: nothing is declared again).
    /// Whether the drawing changed.
    pub(in crate::sim) fn adopt(&mut self, event: &Event) -> bool {
        match event {
            Event::QueueDeclared {
                queue,
                durable,
                exclusive,
                auto_delete,
                arguments,
                ..
            } if !self.queue_names.contains(queue) => {
                let server_named = queue.as_str().starts_with("amq.gen-");
                self.scenario.queues.push(QueueSpec {
                    name: queue.as_str().to_string(),
                    caption: (!server_named).then(|| queue.as_str().to_string()),
                    server_named,
                    durable: *durable,
                    exclusive: exclusive.is_some(),
                    auto_delete: *auto_delete,
                    arguments: arguments
                        .iter()
                        .filter_map(|(k, v)| Some((k.to_string(), arg_value(v)?)))
                        .collect(),
                });
                self.queue_names.push(queue.clone());
                true
            }
            Event::ExchangeDeclared {
                exchange,
                kind,
                durable,
                auto_delete,
                internal,
                ..
            } if !self
                .scenario
                .exchanges
                .iter()
                .any(|x| x.name == exchange.as_str()) =>
            {
                self.scenario.exchanges.push(ExchangeSpec {
                    name: exchange.as_str().to_string(),
                    kind: kind.clone(),
                    caption: Some(format!("type={kind}")),
                    durable: *durable,
                    auto_delete: *auto_delete,
                    internal: *internal,
                    arguments: Vec::new(),
                });
                true
            }
            Event::Bound {
                source: exchange,
                destination,
                routing_key,
                ..
            } => {
                let (to_exchange, name) = match destination {
                    amqp_playground_core::Destination::Queue(q) => (false, q.as_str()),
                    amqp_playground_core::Destination::Exchange(x) => (true, x.as_str()),
                };
                let spec = BindingSpec {
                    to_exchange,
                    ..BindingSpec::queue(exchange.as_str(), name, routing_key)
                };
                if self.scenario.bindings.contains(&spec) {
                    return false;
                }
                self.scenario.bindings.push(spec);
                true
            }
            _ => false,
        }
    }
}

fn arg_value(v: &amqp_playground_core::FieldValue) -> Option<ArgValue> {
    use amqp_playground_core::FieldValue as F;
    match v {
        F::Bool(b) => Some(ArgValue::Bool(*b)),
        F::LongString(s) => Some(ArgValue::Str(String::from_utf8_lossy(s).into_owned())),
        other => other.as_integer().map(ArgValue::Int),
    }
}

#[cfg(all(test, feature = "bridge"))]
mod tests;
