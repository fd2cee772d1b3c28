//! The broker core's field values ↔ lapin's `AMQPValue`: lapin re-exports `amq-protocol`'s
//! types, so this is the wire crate's conversion (one copy, tested there).

pub use amqp_playground_wire::convert::{from_amqp, from_amqp_table, to_amqp, to_amqp_table};
