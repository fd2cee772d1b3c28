//! The AMQP Playground broker core (being written: see issue 3).
#![forbid(unsafe_code)]

pub mod compat;
pub mod exchange;
pub mod field;
pub mod names;

pub use compat::Compat;
pub use field::{FieldTable, FieldValue};
pub use names::*;
