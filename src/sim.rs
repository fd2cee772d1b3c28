//! The playground engine: scenarios, presets, and the broker core driven on a virtual clock.
//! No yew, no web-sys: unit-tested natively against the real core.
//!
//! # Layout
//! - [`scenario`]: a topology (every declare option and argument) with its clients (message
//!   properties, confirms, settle behaviour, RPC roles) and scripted steps, and how it is drawn.
//! - [`presets`]: the seven tutorials and the features beyond them (headers, dead-letter retry
//!   loop, alternate exchange, priority, durability) as scenarios with guided steps.
//! - [`playground`]: the broker plus simulated clients on one virtual clock; edits, broker
//!   restart, layout.
//! - [`replay`]: the user's inputs on the virtual clock, to rebuild any earlier moment.

pub mod playground;
pub mod presets;
pub mod replay;
pub mod scenario;

pub use playground::{
    ConsumerView, Edit, Playground, PlaygroundError, ProducerView, PublishRequest, QueueCounts,
    Snapshot,
};
pub use scenario::Scenario;
