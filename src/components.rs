//! Thin components: they read the shared state and dispatch actions.
//!
//! # Layout
//! - [`diagram`]: the SVG diagram and its tokens; click or Enter selects a node.
//! - [`editor`]: the palette that adds nodes, the inspector of the selected node, and the
//!   history of a clicked message.
//! - [`toolbar`]: publish, consumer switches, playback, presets.
//! - [`status`]: the tutorial's guided steps; clock, counts, errors, narration, event log.

pub mod diagram;
pub mod editor;
pub mod status;
pub mod toolbar;

pub use diagram::Diagram;
pub use editor::{Inspector, MessageHistory, Palette};
pub use status::{Guide, Status};
pub use toolbar::Toolbar;
