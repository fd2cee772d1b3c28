//! The clients around the broker: every program that talks to it is a kind of one client.
//!
//! # Layout
//! - [`producer`]: publishes (by hand, in bursts, at a rate), counts publisher confirms, and
//!   reconnects when the broker refuses a publish.
//! - [`consumer`]: `basic.consume`, works `processing_ms` on each delivery, then settles it.
//! - [`rpc`]: both RPC roles: the server's answer and the client's matching of replies.
//! - [`remote`]: a real AMQP program relayed into the page by `amqp-playground bridge`, its
//!   protocol run by the wire crate's `Session`; drawn as a real producer / consumer, and what
//!   it declares joins the drawing.
//! - [`script`]: a scenario's steps, run as the script's own client on producer P's
//!   connection, with its named channels and the deliveries they hold.
//!
//! # The interface
//!
//! A client is these few things to the engine, whatever its kind:
//! - **its connection** ([`Playground::client_of`]): a broker event is handed to the client
//!   whose connection [`addressee`] names, the moment the engine drains it;
//! - **what it does with an event** ([`Playground::client_event`]): a delivery, a confirm, a
//!   return;
//! - **what it does when one of its timers is due** ([`Playground::client_wake`]): what it
//!   sends at `t`. It puts the timer on the clock itself ([`Playground::wake`]) with a
//!   [`Wake`] of its kind, naming itself (it may be gone by then);
//! - **what it does when a publish it sent on its way was refused on arrival**
//!   ([`Playground::client_refused`]), since the broker's answer comes `HOP_MS` later.
//!
//! A client issues commands with `Playground::command`, which hands them to the broker at
//! the current virtual time and returns the reply; the events they caused have by then been
//! narrated, animated and handed to their clients (the caller included), in the broker's
//! order. Everything a client draws goes through the shared animations
//! (`animate_hop`, `animate_delivery`, `animate_return` in `playground/animate.rs`) from the
//! node it is drawn as ([`Playground::client_node`]), so every kind looks the same on screen.
//!
//! Why an enum of kinds with one `match` per operation, not a `dyn Client` trait: a client's
//! reaction runs with the whole engine (`&mut Playground`), because the commands it issues
//! reach every client (itself too) before they return. A trait object kept inside the engine
//! cannot also be handed the engine, so a kind is its state (in its list on the engine) plus
//! functions over the engine, addressed by [`ClientId`]; the `match`es below are the only
//! places that know the kinds.
//!
//! # Adding a kind
//!
//! The remote client ([`remote`]) shows how a kind plugs in: one more file and one more arm in
//! each `match`. What it took:
//! 1. `ClientId::Remote(i)` and a `Vec<Remote>` on the engine; `client_of` finds it by
//!    `session.connection()`, and [`addressee`] widens to the wire's `outbound::recipient`
//!    (plus `Published`) so that closes and server-side cancels reach it too.
//! 2. `client_event`: `session.handle_event(event)`, buffered while a command of its own is
//!    outstanding (the session wants its result first); a `Delivered` is also animated with
//!    `animate_delivery` towards its node.
//! 3. `client_wake(Wake::Remote(name))`, scheduled at `session.poll_timeout()` and at once when
//!    bytes came in (`session.receive`): `handle_timeout(now)`, then
//!    `while let Some(c) = session.poll_command(now, &broker)`: `command(c)`,
//!    `session.handle_result(r)`, flush the buffered events; a publish among them is drawn
//!    with `animate_hop`. Its publishes reach the broker at once (the real program already
//!    paid the network), so `client_refused` never sees it. The page takes
//!    `session.take_output()` for the socket.
//! 4. `client_node`: the producer and/or consumer node the page drew for it.

mod consumer;
mod producer;
mod remote;
mod rpc;
mod script;

use amqp_playground_core::{
    BasicAck, BasicNack, BasicReject, ChannelId, ChannelOpen, ChannelRef, Command, Connect,
    ConnectionId, DeliveryTag, Event, Reply, UserName, VhostName,
};

pub(in crate::sim) use consumer::Consumer;
pub(in crate::sim) use producer::Producer;
pub(in crate::sim) use remote::Remote;
pub use remote::{RemoteOutput, RemoteView};
pub(in crate::sim) use script::Script;

use super::playground::{Arrival, Playground, PlaygroundError};
use super::scenario::{Settle, Step};
use crate::scene::{NodeId, NodeKind};

/// One client, for the length of one call: an index in its kind's list (indices shift when a
/// client is removed, so timers name their client instead).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(in crate::sim) enum ClientId {
    /// `Playground::producers[i]`.
    Producer(usize),
    /// `Playground::consumers[i]`.
    Consumer(usize),
    /// `Playground::remotes[i]`: a real program relayed by the bridge.
    Remote(usize),
}

/// A client's timer, due on the virtual clock.
#[derive(Clone)]
pub(in crate::sim) enum Wake {
    /// A producer's (or an RPC client's).
    Producer(producer::Wake),
    /// A consumer's (or an RPC server's).
    Consumer(consumer::Wake),
    /// The script's next step.
    Script(Box<Step>),
}

impl Wake {
    /// Whether it survives a broker restart: a producer's rate goes on (the program is still
    /// running); what was on its way died with the connections.
    pub(in crate::sim) fn survives_restart(&self) -> bool {
        matches!(self, Wake::Producer(producer::Wake::Tick { .. }))
    }
}

/// The connection a broker event is for: what a simulated client reacts to (its publishes,
/// numbering its confirms; their confirms and returns; deliveries), and for a real client
/// everything the wire sends it (closes, server-side cancels) too; see [`remote`].
pub(in crate::sim) fn addressee(event: &Event) -> Option<ConnectionId> {
    remote::recipient_of(event)
}

impl Playground {
    /// The client on `connection`.
    pub(in crate::sim) fn client_of(&self, connection: ConnectionId) -> Option<ClientId> {
        let on = |channel: &ChannelRef| channel.connection == connection;
        (self.producers.iter().position(|p| on(&p.channel)))
            .map(ClientId::Producer)
            .or_else(|| {
                (self.consumers.iter().position(|c| on(&c.channel))).map(ClientId::Consumer)
            })
            .or_else(|| {
                (self
                    .remotes
                    .iter()
                    .position(|r| r.connection() == Some(connection)))
                .map(ClientId::Remote)
            })
    }

    /// Hands a broker event to the client it is addressed to.
    pub(in crate::sim) fn client_event(&mut self, id: ClientId, event: &Event) {
        match id {
            ClientId::Producer(i) => self.producer_event(i, event),
            ClientId::Consumer(i) => self.consumer_event(i, event),
            ClientId::Remote(i) => self.remote_event(i, event),
        }
    }

    /// Runs a client's timer.
    pub(in crate::sim) fn client_wake(&mut self, wake: Wake) {
        match wake {
            Wake::Producer(wake) => self.producer_wake(wake),
            Wake::Consumer(wake) => self.consumer_wake(wake),
            Wake::Script(step) => self.run_step(*step),
        }
    }

    /// A publish the client sent on `channel` was refused when it reached the broker.
    pub(in crate::sim) fn client_refused(&mut self, channel: ChannelRef) {
        // By channel, not connection: a publish sent on a channel since closed and replaced
        // is nobody's any more.
        if let Some(i) = self.producers.iter().position(|p| p.channel == channel) {
            self.producer_refused(i);
        }
        // A consumer's refused RPC answer is only logged, as tutorial 6's server would.
    }

    /// The node a client is drawn as.
    pub(in crate::sim) fn client_node(&self, id: ClientId) -> Option<NodeId> {
        match id {
            ClientId::Producer(i) => self
                .graph
                .find(NodeKind::Producer, &self.scenario.producers[i].name),
            ClientId::Consumer(i) => self
                .graph
                .find(NodeKind::Consumer, &self.scenario.consumers[i].name),
            ClientId::Remote(i) => self.remote_node(i, NodeKind::Producer),
        }
    }

    /// Puts a client's timer on the clock, `after` virtual ms from now.
    pub(in crate::sim) fn wake(&mut self, after: u64, wake: impl Into<Wake>) {
        self.send(after, Arrival::Wake(Box::new(wake.into())));
    }

    /// Opens a connection and its channel 1 for one client.
    pub(in crate::sim) fn connect(&mut self, what: &str) -> Result<ChannelRef, PlaygroundError> {
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
