//! The AMQP Playground broker core: RabbitMQ's AMQP 0-9-1 model (exchanges, queues, bindings,
//! consumers, acknowledgements, TTL, dead-lettering, confirms), sans-IO and deterministic.
//!
//! # Contract
//!
//! - **No I/O, no clocks, no randomness.** Commands go in through [`Broker::handle`], facts come
//!   out as [`Event`]s through [`Broker::poll_event`], and virtual time ([`Millis`]) is an
//!   argument: `handle(now, ..)`, [`Broker::poll_timeout`], [`Broker::handle_timeout`].
//!   Server-chosen names (`amq.gen-…`, `amq.ctag-…`) come from a generator seeded by
//!   [`Config::seed`].
//! - **Deterministic.** The same configuration and the same commands at the same times give the
//!   same replies and the same event list, on every platform (native and wasm32). No hash-map
//!   iteration reaches the output.
//! - **RabbitMQ's behaviour, codes and texts.** A failing command returns the
//!   [`BrokerError`] RabbitMQ would send (`NOT_FOUND - no queue 'q' in vhost '/'`), closes
//!   the channel or connection exactly where RabbitMQ does, and changes nothing else. Which
//!   RabbitMQ is chosen by [`Compat`] (4.x by default, 3.10 for the fidelity suite). Known
//!   differences are listed below.
//! - **Call order:** see [`Broker`].
//!
//! # Layout
//!
//! - [`broker`]: the [`Broker`], `handle`, timers, error handling; its command handlers are in
//!   `broker/{connection,queue,exchange,basic}.rs`.
//! - [`command`]: [`Command`] (one struct per AMQP method) and [`Reply`].
//! - [`event`]: [`Event`], the past-tense facts the UI animates.
//! - [`error`]: [`BrokerError`], AMQP reply codes with RabbitMQ's texts.
//! - [`config`]: [`Config`], users, permissions.
//! - [`exchange`]: exchange types and their routing tables (direct, fanout, topic trie, headers).
//! - `routing`: publishing, the exchange work-list, CC/BCC, alternate exchanges, returns.
//! - `queue`, `consumer`, `delivery`: queues, consumers, enqueue/dispatch/expiry/overflow.
//! - `dead_letter`: dead-lettering with `x-death`.
//! - `reply_to`: direct reply-to. `permissions`: configure/write/read patterns.
//! - `channel`, `vhost`, `naming`: per-channel state, vhosts, the name generator.
//! - [`message`]: [`Properties`], [`Body`] and compact queued copies.
//! - [`inspect`]: read-only views for the UI.
//! - [`field`], [`names`], [`compat`]: AMQP field tables, name newtypes, version profiles.
//!
//! # Example: "Hello World!" (RabbitMQ tutorial one)
//!
//! ```
//! use amqp_playground_core::*;
//!
//! let mut broker = Broker::new(Config::default());
//! let t = Millis(0);
//! let Ok(Reply::Connected(conn)) = broker.handle(t, Command::Connect(Connect {
//!     user: "guest".into(), password: "guest".into(), vhost: "/".into(),
//! })) else { panic!() };
//! let ch = ChannelRef::new(conn, 1);
//! broker.handle(t, ChannelOpen { channel: ch }.into()).unwrap();
//! broker.handle(t, QueueDeclare { channel: ch, queue: "hello".into(), ..Default::default() }.into())
//!     .unwrap();
//! broker.handle(t, BasicPublish {
//!     channel: ch, routing_key: "hello".into(), body: "Hello World!".into(), ..Default::default()
//! }.into()).unwrap();
//! let reply = broker.handle(t, BasicConsume {
//!     channel: ch, queue: "hello".into(), consumer_tag: "".into(), no_ack: true,
//!     exclusive: false, arguments: FieldTable::new(),
//! }.into()).unwrap();
//! assert!(matches!(reply, Reply::ConsumeOk { .. }));
//!
//! let delivered: Vec<Event> = broker.drain_events().into_iter()
//!     .filter(|e| matches!(e, Event::Delivered { .. })).collect();
//! let [Event::Delivered { body, queue, .. }] = &delivered[..] else { panic!("{delivered:?}") };
//! assert_eq!((queue.as_str(), body.as_bytes()), ("hello", &b"Hello World!"[..]));
//! ```
//!
//! # Differences from RabbitMQ
//!
//! - Only classic queues; `x-queue-type` other than `classic` is refused with 406 (RabbitMQ
//!   would create a quorum queue or stream). No policies, no operator policies, no
//!   `x-queue-mode`/`x-queue-version` effects (accepted and compared, nothing more).
//! - `Compat::RabbitMq4` permits transient non-exclusive queues (RabbitMQ 4.3 refuses them with
//!   541 unless the `transient_nonexcl_queues` deprecation is permitted), because the
//!   tutorials declare them.
//! - Everything happens at once: a published message is routed, enqueued, delivered and
//!   confirmed within the `handle` call, where RabbitMQ does these steps concurrently. Event
//!   order is therefore one valid RabbitMQ interleaving, not the only one.
//! - Publisher confirms are sent one per message (`multiple = false`); RabbitMQ may coalesce
//!   them with `multiple = true`.
//! - Server-named queues and consumer tags come from a seeded generator, not from random
//!   GUIDs; the direct reply-to name `amq.rabbitmq.reply-to.<opaque>` is such a name too.
//! - `x-death` `time` is virtual time in seconds (from 0), not wall-clock time.
//! - Message events (`Enqueued`, `Delivered`, …) name the queue but not its vhost.
//! - No `channel.flow`, no frame-level limits (`frame_max`, `channel_max`), no heartbeats, no
//!   `basic.cancel` notification capability negotiation (server cancels are always reported
//!   as [`Event::ConsumerCancelled`] with `by_server`), no `nowait` (every command replies).
//! - A command on a connection that is not open fails with 504 CHANNEL_ERROR and closes
//!   nothing (on the wire there would be no such connection to send it on).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod broker;
mod channel;
pub mod command;
pub mod compat;
pub mod config;
mod consumer;
mod dead_letter;
mod delivery;
pub mod error;
pub mod event;
pub mod exchange;
pub mod field;
pub mod inspect;
pub mod message;
pub mod names;
mod naming;
mod permissions;
mod queue;
mod reply_to;
mod routing;
mod vhost;

pub use broker::Broker;
pub use command::*;
pub use compat::Compat;
pub use config::{Config, Permission, User};
pub use error::{BrokerError, ErrorScope};
pub use event::{DropReason, EdgeKind, Event, RouteEdge};
pub use field::{FieldTable, FieldValue};
pub use inspect::*;
pub use message::{Body, DeathReason, Properties};
pub use names::*;
pub use queue::Overflow;
