//! The workloads of `benches/routing` behind a wasm-bindgen API, so that Node can time the
//! very same routing calls compiled to wasm32 (`run.mjs` owns the clock: the core has none).

#[path = "../../routing/scenarios.rs"]
#[allow(dead_code)]
mod scenarios;

use amqp_playground_core::exchange::RoutingTable;
use amqp_playground_core::{Destination, FieldTable};
use wasm_bindgen::prelude::*;

/// One prepared workload: a table and the keys or messages routed through it.
#[wasm_bindgen]
pub struct Workload {
    table: RoutingTable,
    keys: Vec<String>,
    messages: Vec<FieldTable>,
    out: Vec<Destination>,
}

#[wasm_bindgen]
impl Workload {
    /// `kind` is `topic`, `fanout` or `headers`; `bindings` the table size.
    #[wasm_bindgen(constructor)]
    pub fn new(kind: &str, bindings: usize) -> Result<Workload, JsError> {
        let (table, keys, messages) = match kind {
            "topic" => (
                scenarios::topic_table(bindings),
                scenarios::topic_keys(1024),
                Vec::new(),
            ),
            "fanout" => (
                scenarios::fanout_table(bindings),
                Vec::new(),
                scenarios::header_messages(64),
            ),
            "headers" => (
                scenarios::headers_table(bindings),
                Vec::new(),
                scenarios::header_messages(64),
            ),
            other => return Err(JsError::new(&format!("unknown workload {other:?}"))),
        };
        Ok(Workload {
            table,
            keys,
            messages,
            out: Vec::new(),
        })
    }

    /// Routing decisions made by one call of [`Workload::run`].
    pub fn batch(&self) -> usize {
        self.keys.len() + self.messages.len()
    }

    /// Routes the batch `times` times; returns the destinations found in the last one.
    pub fn run(&mut self, times: u32) -> usize {
        let mut found = 0;
        for _ in 0..times {
            found = scenarios::route_keys(&self.table, &self.keys, &mut self.out)
                + scenarios::route_messages(&self.table, &self.messages, &mut self.out);
        }
        found
    }
}
