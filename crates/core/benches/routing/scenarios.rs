//! The routing workloads, shared by the native benchmark (`benches/routing/main.rs`) and the
//! wasm32 runner (`benches/wasm`), so that both measure exactly the same tables and messages.
//!
//! Everything is generated from a fixed seed: no `rand`, same tables on every run and target.

use amqp_playground_core::exchange::{ExchangeKind, RoutingTable};
use amqp_playground_core::{Compat, Destination, FieldTable, FieldValue, QueueName};

/// A tiny deterministic generator (64-bit LCG, high bits), enough to spread words around.
pub struct Lcg(u64);

impl Lcg {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        Lcg(seed)
    }

    /// A number below `n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

/// Words per position of a topic key; 4 positions → about a million distinct keys.
const VOCABULARY: usize = 32;
const KEY_WORDS: usize = 4;

fn word(position: usize, i: u64) -> String {
    format!("w{position}x{i}")
}

/// `n` topic bindings of four words, one word in twenty a `*` and one in fifty a `#` (so about
/// a quarter of the bindings use a wildcard), each to its own queue.
pub fn topic_table(n: usize) -> RoutingTable {
    topic_table_with(n, 5, 2)
}

/// `n` topic bindings of four literal words: the trie walk alone, one lookup per word.
pub fn literal_topic_table(n: usize) -> RoutingTable {
    topic_table_with(n, 0, 0)
}

/// `n` four-word topic bindings with `star` % of the words `*` and `hash` % of them `#`.
fn topic_table_with(n: usize, star: u64, hash: u64) -> RoutingTable {
    let mut rng = Lcg::new(0x5eed_0001);
    let mut table = RoutingTable::new(ExchangeKind::Topic);
    let mut i = 0;
    while table.len() < n {
        let key: Vec<String> = (0..KEY_WORDS)
            .map(|p| match rng.below(100) {
                r if r < star => "*".to_string(),
                r if r < star + hash => "#".to_string(),
                _ => word(p, rng.below(VOCABULARY as u64)),
            })
            .collect();
        let key = key.join(".");
        if RoutingTable::validate(
            ExchangeKind::Topic,
            &key,
            &FieldTable::new(),
            Compat::RabbitMq4,
        )
        .is_ok()
        {
            table.add(queue(i), &key, &FieldTable::new());
        }
        i += 1;
    }
    table
}

/// Routing keys drawn from the same vocabulary as [`topic_table`].
pub fn topic_keys(count: usize) -> Vec<String> {
    let mut rng = Lcg::new(0x5eed_0002);
    (0..count)
        .map(|_| {
            (0..KEY_WORDS)
                .map(|p| word(p, rng.below(VOCABULARY as u64)))
                .collect::<Vec<_>>()
                .join(".")
        })
        .collect()
}

/// A fanout exchange bound to `n` queues.
pub fn fanout_table(n: usize) -> RoutingTable {
    let mut table = RoutingTable::new(ExchangeKind::Fanout);
    for i in 0..n {
        table.add(queue(i), "", &FieldTable::new());
    }
    table
}

const HEADER_NAMES: [&str; 8] = [
    "format", "type", "region", "tier", "lang", "size", "x-tenant", "flag",
];

fn header_value(name_index: usize, v: u64) -> FieldValue {
    match name_index {
        5 => FieldValue::I32(v as i32),
        7 => FieldValue::Bool(v.is_multiple_of(2)),
        _ => FieldValue::string(format!("v{v}")),
    }
}

/// `n` headers bindings: a mix of all / any / all-with-x with one to three arguments, some void.
pub fn headers_table(n: usize) -> RoutingTable {
    let mut rng = Lcg::new(0x5eed_0003);
    let mut table = RoutingTable::new(ExchangeKind::Headers);
    let mut i = 0;
    while table.len() < n {
        let mut args = FieldTable::new();
        let mode = ["all", "any", "all-with-x"][rng.below(3) as usize];
        args.insert("x-match", FieldValue::string(mode));
        for _ in 0..=rng.below(3) {
            let h = rng.below(HEADER_NAMES.len() as u64) as usize;
            let value = if rng.below(8) == 0 {
                FieldValue::Void
            } else {
                header_value(h, rng.below(4))
            };
            args.insert(HEADER_NAMES[h], value);
        }
        table.add(queue(i), "", &args);
        i += 1;
    }
    table
}

/// Messages with five of the header names set.
pub fn header_messages(count: usize) -> Vec<FieldTable> {
    let mut rng = Lcg::new(0x5eed_0004);
    (0..count)
        .map(|_| {
            let mut headers = FieldTable::new();
            for _ in 0..5 {
                let h = rng.below(HEADER_NAMES.len() as u64) as usize;
                headers.insert(HEADER_NAMES[h], header_value(h, rng.below(4)));
            }
            headers
        })
        .collect()
}

fn queue(i: usize) -> Destination {
    Destination::Queue(QueueName::from(format!("q{i}")))
}

/// Routes every key once (a batch of routing decisions); returns how many destinations were
/// found so the work cannot be optimised away.
pub fn route_keys(table: &RoutingTable, keys: &[String], out: &mut Vec<Destination>) -> usize {
    let mut found = 0;
    for key in keys {
        out.clear();
        table.route(&[key.as_str()], None, Compat::RabbitMq4, out);
        found += out.len();
    }
    found
}

/// Routes every message once through a headers (or fanout) table.
pub fn route_messages(
    table: &RoutingTable,
    messages: &[FieldTable],
    out: &mut Vec<Destination>,
) -> usize {
    let mut found = 0;
    for headers in messages {
        out.clear();
        table.route(&[""], Some(headers), Compat::RabbitMq4, out);
        found += out.len();
    }
    found
}
