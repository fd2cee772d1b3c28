//! Pure diagram model and geometry: what to draw and where. No yew, no web-sys, so it is
//! unit-tested natively.
//!
//! # Layout
//! - [`graph`]: nodes and edges of any topology.
//! - [`layout`](mod@layout): automatic left-to-right placement in the tutorials' proportions.
//! - [`geometry`]: points, outlines, edge curves, arrowheads, walking a path.
//! - [`theme`]: classic and current looks, light and dark.

pub mod geometry;
pub mod graph;
pub mod layout;
pub mod theme;

pub use geometry::{Point, Shape};
pub use graph::{Graph, Node, NodeId, NodeKind};
pub use layout::{layout, layout_styled, with_moves, Layout};
pub use theme::{Style, Theme};
