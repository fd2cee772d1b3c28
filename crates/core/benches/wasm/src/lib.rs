//! The workloads of `benches/routing` behind a wasm-bindgen API, so that Node can time the
//! very same routing calls compiled to wasm32 (`run.mjs` owns the clock: the core has none).

#[path = "../../routing/scenarios.rs"]
#[allow(dead_code)]
mod scenarios;

use amqp_playground_core::exchange::RoutingTable;
use amqp_playground_core::{Destination, FieldTable};
use wasm_bindgen::prelude::*;

/// Keys or messages per timed chunk, as in the native table.
const KEYS_PER_TIMING: usize = 64;
const MESSAGES_PER_TIMING: usize = 4;

/// One prepared workload: a table and the keys or messages routed through it, in chunks.
#[wasm_bindgen]
pub struct Workload {
    table: RoutingTable,
    keys: Vec<String>,
    messages: Vec<FieldTable>,
    out: Vec<Destination>,
}

#[wasm_bindgen]
impl Workload {
    /// `kind` is `topic`, `literal-topic`, `fanout` or `headers`; `bindings` the table size.
    #[wasm_bindgen(constructor)]
    pub fn new(kind: &str, bindings: usize) -> Result<Workload, JsError> {
        let keys = || scenarios::topic_keys(1024);
        let messages = || scenarios::header_messages(64);
        let (table, keys, messages) = match kind {
            "topic" => (scenarios::topic_table(bindings), keys(), Vec::new()),
            "literal-topic" => (scenarios::literal_topic_table(bindings), keys(), Vec::new()),
            "fanout" => (scenarios::fanout_table(bindings), Vec::new(), messages()),
            "headers" => (scenarios::headers_table(bindings), Vec::new(), messages()),
            other => return Err(JsError::new(&format!("unknown workload {other:?}"))),
        };
        Ok(Workload {
            table,
            keys,
            messages,
            out: Vec::new(),
        })
    }

    /// Routing decisions over all chunks.
    pub fn decisions(&self) -> usize {
        self.keys.len() + self.messages.len()
    }

    /// Number of chunks.
    pub fn chunks(&self) -> usize {
        self.keys.len().div_ceil(KEYS_PER_TIMING)
            + self.messages.len().div_ceil(MESSAGES_PER_TIMING)
    }

    /// Routes chunk `i`; returns the destinations found.
    pub fn run_chunk(&mut self, i: usize) -> usize {
        let key_chunks = self.keys.len().div_ceil(KEYS_PER_TIMING);
        if i < key_chunks {
            let keys = &self.keys[i * KEYS_PER_TIMING..];
            let keys = &keys[..keys.len().min(KEYS_PER_TIMING)];
            return scenarios::route_keys(&self.table, keys, &mut self.out);
        }
        let messages = &self.messages[(i - key_chunks) * MESSAGES_PER_TIMING..];
        let messages = &messages[..messages.len().min(MESSAGES_PER_TIMING)];
        scenarios::route_messages(&self.table, messages, &mut self.out)
    }
}
