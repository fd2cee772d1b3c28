//! The playground engine: scenarios, presets, and the broker core driven on a virtual clock.
//! No yew, no web-sys: unit-tested natively against the real core.
//!
//! # Layout
//! - [`scenario`]: a topology (every declare option and argument) with its clients (message
//!   properties, confirms, settle behaviour, RPC roles) and scripted steps, and how it is drawn.
//! - [`presets`]: the seven tutorials and the features beyond them (headers, dead-letter retry
//!   loop, alternate exchange, priority, durability) as scenarios with guided steps.
//! - [`playground`]: the engine: the broker on one virtual clock, the transit of messages and
//!   timers, and the fan-out of each broker event to the counts, the log
//!   (`playground/narrate.rs`), the tokens (`playground/animate.rs`) and the clients; edits,
//!   broker restart and layout (`playground/edit.rs`).
//! - `clients`: every kind of client behind one interface (connection, event, timer):
//!   producers, consumers, both RPC roles, the script's own client, and real programs relayed
//!   by the bridge (`clients/remote.rs`: [`RemoteView`], [`RemoteOutput`]) (`clients/*.rs`).
//! - [`tour`]: walkthroughs: captions with what each step does and expects (embeds' `step`,
//!   `amqp-playground check`).
//! - [`replay`]: the user's inputs on the virtual clock, to rebuild any earlier moment.
//! - [`limits`]: how much one tab takes (burst, rate, nodes, bindings, messages held), in
//!   one place.
//! - [`verify`]: the playground as a client script for Verify on RabbitMQ, and the two
//!   results compared.

mod clients;
pub mod limits;
pub mod playground;
pub mod presets;
pub mod replay;
pub mod scenario;
pub mod shared_map;
pub mod tour;
pub mod verify;

pub use clients::{RemoteOutput, RemoteView};
pub use playground::{
    ConsumerView, Edit, Playground, PlaygroundError, ProducerView, PublishRequest, QueueCounts,
    Snapshot, StreamView,
};
pub use scenario::Scenario;
