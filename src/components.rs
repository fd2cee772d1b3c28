//! Thin components: they read the shared state and dispatch actions.
//!
//! # Layout
//! - [`code`]: the Code panel: the scenario as pika or amqplib programs.
//! - [`diagram`]: the SVG diagram and its tokens; click or Enter selects a node or an edge,
//!   drag moves a node, the link handle (or `B`) draws a binding.
//! - [`editor`]: the palette that adds nodes, the inspector of the selected node, and the
//!   history of a clicked message.
//! - [`link`]: the bar under the diagram: drawing a binding (target, key), and the selected
//!   node's or edge's actions (bind, delete).
//! - [`picture`]: the diagram as SVG or PNG, exactly as drawn.
//! - [`share`]: Copy link, Download JSON, Open file (or drop one on the diagram).
//! - [`timeline`]: the scrubber over virtual time and the broker restart.
//! - [`toolbar`]: publish, consumer switches, playback, presets.
//! - [`status`]: the tutorial's guided steps; clock, counts, errors, narration, event log.
//! - [`ui`]: markup and callback helpers the components share (one copy each in the wasm).
//! - [`verify`]: "Verify on RabbitMQ" and the two outcomes side by side (with a bridge).
//! - [`why`]: "Why not?": why the picked message did or did not reach the selected queue.

pub mod code;
pub mod diagram;
pub mod editor;
pub mod link;
pub mod picture;
pub mod share;
pub mod status;
pub mod timeline;
pub mod toolbar;
pub mod ui;
pub mod verify;
pub mod why;

pub use diagram::Diagram;
pub use editor::{Inspector, MessageHistory, Palette};
pub use link::LinkBar;
pub use share::ShareBar;
pub use status::{Guide, Status};
pub use timeline::Timeline;
pub use toolbar::Toolbar;
pub use verify::VerifyPanel;
pub use why::WhyNot;
