//! AMQP Playground's page (being written): the pure diagram and animation modules.
//!
//! # Layout
//! - [`scene`]: pure diagram model, automatic layout and geometry.
//! - [`anim`]: pure tweens and the timeline sampled with `at(t)`.

pub mod anim;
pub mod scene;
