//! Thin components: they read the shared state and dispatch actions.
//!
//! # Layout
//! - [`diagram`]: the SVG diagram and its tokens.
//! - [`toolbar`]: publish, consumer switches, playback, presets.
//! - [`status`]: clock, counts, errors, event log.

pub mod diagram;
pub mod status;
pub mod toolbar;

pub use diagram::Diagram;
pub use status::Status;
pub use toolbar::Toolbar;
