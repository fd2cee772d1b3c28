//! The AMQP Playground page (being written).
