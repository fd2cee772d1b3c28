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
//! - `queue`, `consumer`, `delivery`: queues (classic, quorum, stream), consumers,
//!   enqueue/dispatch/expiry/overflow, requeue and delivery counts.
//! - [`stream`]: a stream's log, segments, retention and `x-stream-offset`.
//! - `dead_letter`: dead-lettering with `x-death`.
//! - `reply_to`: direct reply-to. `permissions`: configure/write/read patterns, matched by
//!   `pattern` (a small PCRE-subset matcher: a Pike VM over bytes).
//! - `channel`, `vhost`, `naming`: per-channel state, vhosts, the name generator.
//! - [`sorted_map`]: [`SortedMap`] / [`SortedSet`], ordered maps on a sorted `Vec` (far less wasm
//!   than a `BTreeMap` per key/value type) for the small, rarely changed maps.
//! - [`message`]: [`Properties`], [`Body`] and compact queued copies.
//! - [`inspect`]: read-only views for the UI, and [`Broker::explain_route`] (why a message
//!   would go where it goes).
//! - [`field`], [`names`], [`compat`]: AMQP field tables, name newtypes, version profiles.
//! - `tests/`: one story file per feature on a tiny harness, property tests, version table;
//!   `examples/broker_throughput.rs`: throughput and memory report.
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
//! Behaviour is checked against RabbitMQ 3.10.8 by the fidelity scripts (`tests/scripts/`,
//! all matching under [`Compat::RabbitMq310`]); the 4.x rows of the version table are pinned
//! by this crate's tests. What the core knowingly does differently:
//!
//! - **Queue types and policies.** Classic queues, quorum queues and streams, each one replica
//!   with RabbitMQ's rules (no Raft, no osiris): a quorum queue has the declare rules, delivery
//!   counts, delivery limit, requeue order, soft reject-publish limit and 3.10 global-qos
//!   refusal of RabbitMQ's (`tests/scripts/quorum-*.json`); a stream is a log read from
//!   per-consumer offsets with segment retention (`tests/scripts/stream-*.json`, [`stream`]).
//!   A quorum queue's `consumer_count` does not count a channel holding unsettled basic.get
//!   deliveries (RabbitMQ 3.10 does, as a "dequeue" consumer); a stream's declare-ok counts
//!   its retained messages and its consumers (3.10 reports 0 consumers and a lagging count).
//!   A stream writes one chunk per message (RabbitMQ batches concurrent writes, and `last`
//!   starts at the last chunk); segment sizes count bodies, not the on-disk format; a bad
//!   `x-stream-offset` is a 406 with the reason (3.10 answers 541 INTERNAL_ERROR). 4.x quorum
//!   queues have 4.3's strict priorities 0-31 and `x-acquired-count`; the core does not model
//!   stream single active consumer (a stream-protocol feature) or delayed retry; stream filtering is exact (one message per chunk, see
//!   [`StreamFilter`]), where RabbitMQ's Bloom filter may let other values through; 4.x rules it cannot check against
//!   the suite's broker follow RabbitMQ's docs (`tests/quorum.rs`, `tests/streams.rs`).
//!   No policies or operator policies (so no policy-set TTL, DLX, length limit, delivery
//!   limit or alternate exchange). `x-queue-mode` / `x-queue-version` are accepted and
//!   compared on classic queues, with no effect.
//! - **Deprecated features.** [`Compat::RabbitMq4`] permits transient non-exclusive queues
//!   (RabbitMQ 4.3 refuses them with 541 unless the `transient_nonexcl_queues` deprecation is
//!   permitted), because the tutorials declare them.
//! - **Concurrency.** A publish is routed, enqueued, delivered and confirmed within one
//!   `handle` call; RabbitMQ runs these steps in separate processes. The event order is one
//!   valid RabbitMQ interleaving, not the only one. Publisher confirms are sent one per
//!   message (`multiple = false`); RabbitMQ may coalesce them.
//! - **Names and time.** Server-named queues, consumer tags and direct reply-to names come
//!   from a seeded generator instead of random GUIDs; `x-death` `time` is virtual time in
//!   seconds from 0, not wall-clock time.
//! - **Unknown exchange types.** RabbitMQ answers `invalid exchange type` when the requested
//!   name happens to be an existing Erlang atom and `unknown exchange type` otherwise; the core
//!   says `invalid` for a fixed list of common atoms (`foo`, `bar`, `queue`, …) only.
//! - **Authentication and permissions.** PLAIN only (user and password compared as given). No
//!   topic permissions, no tags, no `user_id` impersonation tag. Permission patterns are
//!   matched by the core's own small engine, on bytes as Erlang's `re:run` without `unicode`
//!   does, and it knows a subset of PCRE: literals and escaped punctuation, `.`, `\d \w \s
//!   \D \W \S`, `\n \t \r \f \a \e \xhh`, classes (`[a-z]`, `[^…]`, `[[:alpha:]]`),
//!   `^ $ \A \Z \z \b \B`, groups (`(…)`, `(?:…)`, `(?<name>…)`), `|`, and greedy or lazy
//!   `* + ? {n} {n,} {n,m}`. A pattern outside that subset (backreferences, lookaround,
//!   inline flags such as `(?i)`, possessive quantifiers, `\Q…\E`, `\p{…}`, `{,n}`) or
//!   compiling to more than 10 000 steps grants nothing, where RabbitMQ would accept it.
//! - **Protocol plumbing is the wire crate's.** `channel.flow`, heartbeats, frame and channel
//!   limits, `nowait`, `access.request` and consumer-cancel-notify negotiation are handled by
//!   the sans-IO session in `crates/wire`; the core's commands always reply, and server cancels
//!   are always reported as [`Event::ConsumerCancelled`] with `by_server`. No memory or disk
//!   alarms or flow control are modelled.
//! - **Transactions.** A publish in a transaction emits [`Event::Published`] at once and is
//!   routed at `tx.commit`; a rolled-back publish emits nothing further.
//! - **Inspection.** [`Broker::bindings`] does not list the default exchange's implicit
//!   binding to every queue (RabbitMQ's `list_bindings` does). Message events name the queue
//!   but not its vhost.
//! - **Errors outside AMQP.** A command naming a connection that is not open fails with 504
//!   CHANNEL_ERROR and closes nothing (on the wire there would be no connection to send it
//!   on).
//! - **Inequivalent-argument texts.** A table, array or byte-array argument's value is printed
//!   in Rust's `Debug` notation, not Erlang's term syntax (RabbitMQ prints e.g.
//!   `[{<<"a">>,longstr,<<"b">>}]`); the page's release build prints only the value's kind
//!   there (`Table`), because it keeps derived `Debug` impls shallow to save download size
//!   (`scripts/page-env.sh`). Strings, numbers and booleans are printed as RabbitMQ does.
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
mod pattern;
mod permissions;
mod queue;
mod reply_to;
mod routing;
pub mod sorted_map;
pub mod stream;
mod vhost;

pub use broker::{Broker, MessageEvents};
pub use command::*;
pub use compat::Compat;
pub use config::{Config, Permission, User};
pub use error::{BrokerError, ErrorScope};
pub use event::{DropReason, EdgeKind, Event, RouteEdge};
pub use field::{FieldTable, FieldValue};
pub use inspect::*;
pub use message::{Body, DeathReason, Properties};
pub use names::*;
pub use queue::{Overflow, QueueType, DEFAULT_DELIVERY_LIMIT_4X};
pub use sorted_map::{SortedMap, SortedSet};
pub use stream::{OffsetSpec, Segment, StreamFilter};
