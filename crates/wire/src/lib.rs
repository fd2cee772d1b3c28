//! AMQP 0-9-1 on the wire for the AMQP Playground broker core: the frame codec and a sans-IO
//! connection session that turns a client's bytes into core commands, and the core's replies
//! and events into bytes.
//!
//! # Contract
//!
//! - **Sans-IO.** No sockets, no clocks, no threads: a [`Session`] takes bytes and virtual time
//!   ([`amqp_playground_core::Millis`]) and gives bytes and core commands. The same session is
//!   pumped by the native tokio server (`crates/server`) and, in the page, by the WebSocket
//!   bridge; neither pump makes a protocol decision. It builds for `wasm32-unknown-unknown`.
//! - **A faithful translation.** Each method becomes the core's command and each reply or
//!   client-visible event its frame; the core decides everything about messages. The session
//!   decides what is about the protocol: handshake, login, tuning, channel states, content
//!   assembly, heartbeats, and where a protocol error closes the channel or the connection,
//!   with RabbitMQ's reply codes and texts.
//! - **Hostile input costs nothing.** Frame sizes are checked from the 7-byte frame header
//!   before a payload is buffered (4096 bytes until `tune-ok`, then the negotiated
//!   `frame_max`), field tables are checked for nesting depth before they are parsed, the
//!   handshake has a deadline, channels are capped at `channel_max`, bodies at the profile's
//!   `max_message_size`. No byte sequence panics (a property test feeds it arbitrary bytes).
//! - **Call order:** see [`Session`].
//!
//! # Layout
//!
//! - [`codec`]: frame splitting, limits, decoding and encoding (`amq-protocol` for methods and
//!   content headers).
//! - [`limits`]: the field-table depth check.
//! - [`handshake`]: `connection.start` contents, PLAIN / AMQPLAIN, `tune-ok` checks.
//! - [`session`]: the connection state machine; `session/inbound.rs` (frames → commands),
//!   `session/outbound.rs` (replies and events → frames, and [`recipient`]).
//! - [`convert`]: core field tables and properties ↔ `amq-protocol`'s.
//!
//! # The codec and wasm32
//!
//! The codec is `amq-protocol` (what lapin uses: a parser and a generator for every method).
//! It depends unconditionally on `amq-protocol-tcp`, whose `async-rs` dependency does not
//! build for wasm32. The workspace patches `amq-protocol-tcp` with a stand-in
//! (`crates/amq-protocol-tcp-shim`): empty on wasm32, and natively the plain-TCP connect
//! lapin calls. We split frames ourselves and give `amq-protocol` only method and header
//! payloads, so limits are enforced before anything is parsed (see [`codec`]).
//!
//! # Example: a client's handshake, byte for byte
//!
//! ```
//! use amqp_playground_core::{Broker, Config, Millis};
//! use amqp_playground_wire::{Session, SessionConfig};
//!
//! let broker = Broker::new(Config::default());
//! let mut session = Session::new(Millis(0), SessionConfig::default());
//! session.receive(b"AMQP\x00\x00\x09\x01");
//! assert!(session.poll_command(Millis(0), &broker).is_none()); // no command for the core yet
//! let out = session.take_output();
//! // A method frame on channel 0: connection.start (class 10, method 10).
//! assert_eq!(&out[..3], &[1, 0, 0]);
//! assert_eq!(&out[7..11], &[0, 10, 0, 10]);
//! ```
//!
//! # Differences from RabbitMQ on the wire
//!
//! Checked against RabbitMQ 3.10.8 byte for byte (`crates/server/tests/conformance.rs`) and,
//! for 4.x, against RabbitMQ's source. What we knowingly do differently:
//!
//! - **Protocol headers.** `AMQP 0 0 9 1` and the 0-9 header are accepted; RabbitMQ 3.10 also
//!   speaks 0-8, which we refuse (with `AMQP 0 0 9 1`, as 3.10 refuses other headers; 4.x
//!   answers `AMQP 3 1 0 0` unless the client asked for 0-9-x, and so do we).
//! - **Silent closes are immediate.** Where RabbitMQ closes without a frame (errors before
//!   tune-ok, refused logins without `authentication_failure_close`, bad tune-ok values) it
//!   waits 3 s first; we close at once. After a fatal frame error (a frame too large, a bad
//!   end octet) RabbitMQ sends `connection.close` and drops the socket 3 s later whether or
//!   not close-ok came; we drop it right after the close. The reason goes to the server's
//!   log, as RabbitMQ logs it.
//! - **Unknown class or method ids** get `540 NOT_IMPLEMENTED - unknown method {C,M}`; RabbitMQ's
//!   reader crashes and resets the socket without a frame.
//! - **`basic.publish` on a channel that is not open** is refused at the method (504); RabbitMQ
//!   waits for the content, then sends the same 504.
//! - **Body overshoot** (more body bytes than the header announced) is refused at once with
//!   4.2.6+'s `501 FRAME_ERROR - content body frame exceeds remaining content size`; 3.10
//!   notices only at the next non-body frame.
//! - **Message size** is checked at the content header, so an oversized body is never
//!   buffered; RabbitMQ reads the whole content first. Code and text are RabbitMQ's.
//! - **Undecodable content-header properties** are refused at the header with `541
//!   INTERNAL_ERROR`; RabbitMQ's channel crashes on them once the body is in (same close).
//! - **Erlang term quoting** in frame-error texts: payloads are quoted as `~p` prints them for
//!   printable ASCII and as numbers otherwise; Erlang also treats Latin-1 letters as printable
//!   and wraps lines at 80 columns, which we do not.
//! - **Field tables** nested deeper than [`limits::MAX_TABLE_DEPTH`] levels are refused with
//!   502 SYNTAX_ERROR (RabbitMQ has no limit).
//! - **Loopback-only users** (`guest`) are checked against the peer's address, as 4.2.6+ and
//!   4.3 do; 3.10 checks the server side of the socket.
//! - **Publisher confirms** are sent one per message (`multiple = false`), as the core makes
//!   them; RabbitMQ may coalesce.
//! - **`channel.flow`**, **`connection.blocked`**: the server never pauses a client (no memory
//!   or disk alarms are modelled), so it never sends `channel.flow` or `connection.blocked`.
//! - **`connection.update-secret`** is accepted and changes nothing.
//! - **Server properties** say `product: RabbitMQ` and the profile's version (3.10.8, or 4.3.5
//!   with its copyright line) so clients take the paths they take against RabbitMQ; `platform`
//!   names AMQP Playground instead of Erlang/OTP, `cluster_name` is `rabbit@amqp-playground`,
//!   and the capabilities table comes sorted by key (RabbitMQ sends its own order). Mechanisms
//!   are `PLAIN AMQPLAIN`; 4.x also offers `ANONYMOUS`, which is not implemented.
//! - **After the client's `connection.close`** we answer close-ok and close the socket;
//!   RabbitMQ waits for the client to hang up (up to 30 s).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod codec;
pub mod convert;
pub mod handshake;
pub mod limits;
pub mod session;

pub use handshake::ClientInfo;
pub use session::outbound::recipient;
pub use session::{Session, SessionConfig};
