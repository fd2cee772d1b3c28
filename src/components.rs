//! Thin components: they read the shared state and dispatch actions.
//!
//! # Layout
//! - [`diagram`]: the SVG diagram and its tokens; click or Enter selects a node.
//! - [`editor`]: the palette that adds nodes and the inspector of the selected node.
//! - [`toolbar`]: publish, consumer switches, playback, presets.
//! - [`status`]: the tutorial's guided steps; clock, counts, errors, narration, event log.

pub mod diagram;
pub mod editor;
pub mod status;
pub mod toolbar;

pub use diagram::Diagram;
pub use editor::{Inspector, Palette};
pub use status::{Guide, Status};
pub use toolbar::Toolbar;
