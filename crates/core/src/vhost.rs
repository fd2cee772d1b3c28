//! A virtual host: its exchanges and queues, each keyed by name in a `BTreeMap` so that every
//! walk over them (inspection, restart, connection cleanup) is in name order, never hash order.

use crate::queue::Queue;
use crate::{ExchangeName, FieldTable, QueueName, SortedMap, VhostName};

/// An exchange as the broker keeps it (its routing rule lives in [`crate::exchange`]).
#[derive(Clone, Debug)]
pub(crate) struct Exchange {
    pub kind: crate::exchange::ExchangeKind,
    pub durable: bool,
    pub auto_delete: bool,
    pub internal: bool,
    pub arguments: FieldTable,
    /// Its bindings as source, indexed for its kind.
    pub table: crate::exchange::RoutingTable,
}

impl Exchange {
    pub fn alternate(&self) -> Option<ExchangeName> {
        self.arguments
            .get("alternate-exchange")
            .and_then(|v| v.as_str())
            .map(ExchangeName::from)
    }
}

/// One virtual host.
#[derive(Clone, Debug)]
pub(crate) struct Vhost {
    pub name: VhostName,
    pub exchanges: SortedMap<ExchangeName, Exchange>,
    pub queues: SortedMap<QueueName, Queue>,
}
