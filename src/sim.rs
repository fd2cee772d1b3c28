//! The playground engine: scenarios, presets, and the broker core driven on a virtual clock.
//! No yew, no web-sys: unit-tested natively against the real core.
//!
//! # Layout
//! - [`scenario`]: a topology with its clients, and how it is drawn.
//! - [`presets`]: the tutorials as scenarios.
//! - [`playground`]: the broker plus simulated clients on one virtual clock.
//! - [`replay`]: the user's inputs on the virtual clock, to rebuild any earlier moment.

pub mod playground;
pub mod presets;
pub mod replay;
pub mod scenario;

pub use playground::{Edit, Playground, PlaygroundError, PublishRequest, QueueCounts, Snapshot};
pub use scenario::Scenario;
