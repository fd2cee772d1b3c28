//! Pure animation: broker facts become tweens on the virtual clock, sampled with `at(t)`.
//! No yew, no web-sys, so it is unit-tested natively.
//!
//! # Layout
//! - [`tween`]: one token's trip along edges and through queues, eased.
//! - [`timeline`]: the trips in flight, sampled at a virtual time.

pub mod timeline;
pub mod tween;

pub use timeline::{Sample, Timeline};
pub use tween::{Leg, TokenId, Tween};
