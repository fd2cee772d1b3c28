//! Exchanges and their routing rules: which bindings a message matches, and why.
//!
//! Every exchange owns one [`RoutingTable`]: the bindings whose *source* it is, indexed for its
//! kind. The four kinds live in one small module each, with the same shape as RabbitMQ's
//! `rabbit_exchange_type_*` modules — validate a binding, match a message, explain a match:
//!
//! * [`direct`] — exact byte equality of binding key and routing key (semantics §4.3);
//! * [`fanout`] — every binding, keys and arguments ignored (§4.4);
//! * [`topic`] — `*` one word, `#` zero or more, routed through a trie (§4.5);
//! * [`headers`] — `x-match` over binding arguments and message headers (§4.6).
//!
//! A table only answers "which destinations"; the broker walks exchange-to-exchange bindings,
//! alternate exchanges and de-duplicates queues (§4.2). [`RoutingTable::route`] may therefore
//! report one destination several times (two bindings that differ only in arguments, §3.1).
//! [`RoutingTable::explain`] gives the reasoning behind each verdict, binding by binding, for
//! the UI's "why did it go there — and why not there?".
//!
//! # Differences from RabbitMQ
//!
//! * Headers: binding arguments that repeat a name are each compared on their own; RabbitMQ's
//!   merge walk pairs them with successive message headers of that name.
//! * Headers, 4.x: message timestamps count in milliseconds (§4.6.6) at the top level of the
//!   headers only, not inside arrays or tables.
//! * `x-match` type errors print float values with Rust's shortest round-trip digits
//!   (`1.0e20`), which may differ from Erlang's `~tp` for some values.
//!
//! ```
//! use amqp_playground_core::exchange::{ExchangeKind, RoutingTable};
//! use amqp_playground_core::{Compat, Destination, FieldTable, QueueName};
//!
//! let mut logs = RoutingTable::new(ExchangeKind::Topic);
//! let q = Destination::Queue(QueueName::from("kern-critical"));
//! logs.add(q.clone(), "kern.*.critical", &FieldTable::new());
//! let mut out = Vec::new();
//! logs.route(&["kern.disk.critical"], None, Compat::RabbitMq4, &mut out);
//! assert_eq!(out, [q]);
//! ```

pub mod direct;
pub mod fanout;
pub mod headers;
pub mod topic;

use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};

use crate::compat::Compat;
use crate::field::FieldTable;
use crate::names::Destination;
use crate::sorted_map::SortedMap;

pub use direct::DirectExplanation;
pub use headers::{HeaderCheck, HeaderOutcome, HeadersExplanation, XMatch};
pub use topic::{TopicAttempt, TopicExplanation, TopicFailure, TopicStep, WildcardUse};

/// The four exchange types of AMQP 0-9-1 as RabbitMQ ships them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum ExchangeKind {
    /// Routes to bindings whose key equals a routing key.
    Direct,
    /// Routes to every binding.
    Fanout,
    /// Routes to bindings whose pattern (`*`, `#`) matches a routing key.
    Topic,
    /// Routes on message headers against binding arguments (`x-match`).
    Headers,
}

impl ExchangeKind {
    /// Every kind, in the order RabbitMQ lists them.
    pub const ALL: [ExchangeKind; 4] = [
        ExchangeKind::Direct,
        ExchangeKind::Fanout,
        ExchangeKind::Topic,
        ExchangeKind::Headers,
    ];

    /// The type name of `exchange.declare` (`"topic"`); `None` for a type RabbitMQ does not
    /// know, which the broker answers with §2.2's error.
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "direct" => Some(ExchangeKind::Direct),
            "fanout" => Some(ExchangeKind::Fanout),
            "topic" => Some(ExchangeKind::Topic),
            "headers" => Some(ExchangeKind::Headers),
            _ => None,
        }
    }

    /// The type name as `exchange.declare` spells it.
    pub fn name(self) -> &'static str {
        match self {
            ExchangeKind::Direct => "direct",
            ExchangeKind::Fanout => "fanout",
            ExchangeKind::Topic => "topic",
            ExchangeKind::Headers => "headers",
        }
    }
}

/// Words and keys are looked up, never iterated, so a hash map cannot leak its order into
/// output; a fixed hash keeps it deterministic (no random seed, which wasm32 lacks anyway).
pub(crate) type WordMap<V> = HashMap<Box<str>, V, BuildHasherDefault<WordHasher>>;

/// A multiply-rotate hash in the style of rustc's FxHash, eight bytes per round: routing keys
/// are short words, for which SipHash's setup or FNV's byte-by-byte loop cost more than the
/// lookup. Not DoS-resistant; the playground's tables are its users' own.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct WordHasher(u64);

impl WordHasher {
    fn add(&mut self, x: u64) {
        self.0 = (self.0.rotate_left(5) ^ x).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

impl Hasher for WordHasher {
    /// Folds the high half down: hashbrown picks buckets with the low bits, and a product's
    /// low bits only see the input's low bits.
    fn finish(&self) -> u64 {
        self.0 ^ (self.0 >> 32)
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_u8(&mut self, n: u8) {
        self.add(n.into());
    }

    fn write_u32(&mut self, n: u32) {
        self.add(n.into());
    }

    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }
}

/// Strings (topic words, header names) numbered so that hot loops compare integers, with a
/// count of users per string so that ids are recycled once nothing refers to them.
#[derive(Clone, Debug, Default)]
pub(crate) struct Interner {
    /// String → (id, users).
    ids: WordMap<(u32, u32)>,
    /// Id → string, `None` for a free id.
    spelling: Vec<Option<Box<str>>>,
    free: Vec<u32>,
}

impl Interner {
    /// The id of `s`, if anything uses it.
    pub(crate) fn get(&self, s: &str) -> Option<u32> {
        self.ids.get(s).map(|&(id, _)| id)
    }

    /// The id of `s` for one more user.
    pub(crate) fn acquire(&mut self, s: &str) -> u32 {
        if let Some((id, users)) = self.ids.get_mut(s) {
            *users += 1;
            return *id;
        }
        let id = self.free.pop().unwrap_or_else(|| {
            self.spelling.push(None);
            u32::try_from(self.spelling.len() - 1).expect("fewer than 2^32 strings")
        });
        self.spelling[id as usize] = Some(s.into());
        self.ids.insert(s.into(), (id, 1));
        id
    }

    /// One user fewer for `id`.
    pub(crate) fn release(&mut self, id: u32) {
        let Some(s) = self.spelling.get(id as usize).and_then(|s| s.as_deref()) else {
            return;
        };
        if let Some((_, users)) = self.ids.get_mut(s) {
            *users -= 1;
            if *users == 0 {
                self.ids.remove(s);
                self.spelling[id as usize] = None;
                self.free.push(id);
            }
        }
    }

    /// One more than the largest id handed out: the size of a table indexed by id.
    pub(crate) fn capacity(&self) -> usize {
        self.spelling.len()
    }

    /// True when no string is in use.
    #[cfg(test)]
    pub(crate) fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }
}

/// Index of a binding inside one table: its position in declaration order.
type BindingId = u32;

#[derive(Clone, Debug)]
struct Binding {
    destination: Destination,
    routing_key: String,
    /// Sorted by name (§3.1), so that identity ignores argument order.
    arguments: FieldTable,
}

/// The per-kind index over the bindings' ids.
#[derive(Clone, Debug)]
enum Index {
    Direct(direct::Index),
    Fanout,
    Topic(topic::Trie),
    Headers(headers::Index),
}

/// The bindings of one exchange (those whose source it is), indexed for its kind: a hash of
/// keys for direct, a trie for topic, pre-parsed `x-match` specs for headers.
///
/// Identity of a binding is (destination, routing key, arguments sorted by name), as in
/// RabbitMQ (semantics §3.1): re-adding it is a no-op, and bindings that differ only in
/// arguments are separate bindings. Bindings are reported in declaration order.
#[derive(Clone, Debug)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(into = "TableRepr", from = "TableRepr")
)]
pub struct RoutingTable {
    kind: ExchangeKind,
    /// Declaration order; `None` where a binding was removed (compacted once mostly holes).
    slots: Vec<Option<Binding>>,
    live: usize,
    /// Identity lookup: destination → routing key → ids (they differ in arguments). A
    /// destination has few keys, so the inner map is a `SortedMap`; destinations can be
    /// 100,000 (one queue each), so the outer one stays a `BTreeMap`.
    identity: BTreeMap<Destination, SortedMap<String, Vec<BindingId>>>,
    index: Index,
}

impl PartialEq for RoutingTable {
    /// Two tables are equal when they hold the same bindings in the same order, however their
    /// indexes happen to be laid out.
    fn eq(&self, other: &Self) -> bool {
        self.kind == other.kind && self.bindings().eq(other.bindings())
    }
}

/// The serialised form of a table: its kind and its bindings; indexes are rebuilt on load.
#[cfg(feature = "serde")]
#[derive(serde::Serialize, serde::Deserialize)]
struct TableRepr {
    kind: ExchangeKind,
    bindings: Vec<(Destination, String, FieldTable)>,
}

#[cfg(feature = "serde")]
impl From<RoutingTable> for TableRepr {
    fn from(table: RoutingTable) -> Self {
        TableRepr {
            kind: table.kind,
            bindings: table
                .slots
                .into_iter()
                .flatten()
                .map(|b| (b.destination, b.routing_key, b.arguments))
                .collect(),
        }
    }
}

#[cfg(feature = "serde")]
impl From<TableRepr> for RoutingTable {
    fn from(repr: TableRepr) -> Self {
        let mut table = RoutingTable::new(repr.kind);
        for (destination, key, args) in repr.bindings {
            table.add(destination, &key, &args);
        }
        table
    }
}

impl RoutingTable {
    /// An empty table for an exchange of `kind`.
    pub fn new(kind: ExchangeKind) -> Self {
        let index = match kind {
            ExchangeKind::Direct => Index::Direct(direct::Index::default()),
            ExchangeKind::Fanout => Index::Fanout,
            ExchangeKind::Topic => Index::Topic(topic::Trie::default()),
            ExchangeKind::Headers => Index::Headers(headers::Index::default()),
        };
        RoutingTable {
            kind,
            slots: Vec::new(),
            live: 0,
            identity: BTreeMap::new(),
            index,
        }
    }

    /// The exchange kind the table routes for.
    pub fn kind(&self) -> ExchangeKind {
        self.kind
    }

    /// Checks a new binding the way the exchange type does before it is stored (topic: at most
    /// two `#` words in 4.x; headers: the `x-match` value and type). The error is RabbitMQ's
    /// explanation *without* the `PRECONDITION_FAILED - ` prefix, which the broker adds.
    pub fn validate(
        kind: ExchangeKind,
        routing_key: &str,
        arguments: &FieldTable,
        compat: Compat,
    ) -> Result<(), String> {
        match kind {
            ExchangeKind::Direct => direct::validate(routing_key, arguments, compat),
            ExchangeKind::Fanout => fanout::validate(routing_key, arguments, compat),
            ExchangeKind::Topic => topic::validate(routing_key, arguments, compat),
            ExchangeKind::Headers => headers::validate(routing_key, arguments, compat),
        }
    }

    /// Adds a binding (validate it first). Returns `false`, changing nothing, when an identical
    /// binding — same destination, key and arguments in any order — already exists (§3.2).
    pub fn add(
        &mut self,
        destination: Destination,
        routing_key: &str,
        arguments: &FieldTable,
    ) -> bool {
        let arguments = arguments.sorted();
        if self.find(&destination, routing_key, &arguments).is_some() {
            return false;
        }
        self.insert(Binding {
            destination,
            routing_key: routing_key.to_string(),
            arguments,
        });
        true
    }

    /// Removes the binding with exactly this identity. Returns `false` when there was none
    /// (unbinding a missing binding succeeds silently in RabbitMQ, §3.2).
    pub fn remove(
        &mut self,
        destination: &Destination,
        routing_key: &str,
        arguments: &FieldTable,
    ) -> bool {
        let arguments = arguments.sorted();
        match self.find(destination, routing_key, &arguments) {
            Some(id) => {
                self.remove_id(id);
                self.maybe_compact();
                true
            }
            None => false,
        }
    }

    /// Removes every binding to `destination` (its queue or exchange was deleted) and returns
    /// how many there were.
    pub fn remove_destination(&mut self, destination: &Destination) -> usize {
        let Some(by_key) = self.identity.get(destination) else {
            return 0;
        };
        let ids: Vec<BindingId> = by_key.values().flatten().copied().collect();
        for &id in &ids {
            self.remove_id(id);
        }
        self.maybe_compact();
        ids.len()
    }

    /// Whether a binding with exactly this identity exists (arguments in any order), without
    /// scanning the table.
    pub fn contains(
        &self,
        destination: &Destination,
        routing_key: &str,
        arguments: &FieldTable,
    ) -> bool {
        self.find(destination, routing_key, &arguments.sorted())
            .is_some()
    }

    /// The bindings to `destination` as (routing key, arguments sorted by name), in declaration
    /// order, without scanning the table (what deleting a queue or exchange reports).
    pub fn bindings_to(
        &self,
        destination: &Destination,
    ) -> impl Iterator<Item = (&str, &FieldTable)> {
        let mut ids: Vec<BindingId> = self
            .identity
            .get(destination)
            .map(|by_key| by_key.values().flatten().copied().collect())
            .unwrap_or_default();
        ids.sort_unstable();
        ids.into_iter().filter_map(|id| {
            self.slots[id as usize]
                .as_ref()
                .map(|b| (b.routing_key.as_str(), &b.arguments))
        })
    }

    /// True when the exchange is the source of no binding (what auto-delete and
    /// `if-unused` look at).
    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// Number of bindings.
    pub fn len(&self) -> usize {
        self.live
    }

    /// Every binding as (destination, routing key, arguments sorted by name), in declaration
    /// order.
    pub fn bindings(&self) -> impl Iterator<Item = (&Destination, &str, &FieldTable)> {
        self.slots
            .iter()
            .flatten()
            .map(|b| (&b.destination, b.routing_key.as_str(), &b.arguments))
    }

    /// Appends the destination of every binding that matches any of `routing_keys` (the
    /// message's routing key plus its CC and BCC keys, §4.1), in declaration order, one entry per
    /// matching binding. Headers exchanges look at `headers` instead of the keys; fanout
    /// exchanges take every binding.
    ///
    /// A destination bound twice appears twice: the broker de-duplicates the whole route
    /// (all hops, §4.2) in one place rather than each exchange half-doing it.
    pub fn route(
        &self,
        routing_keys: &[&str],
        headers: Option<&FieldTable>,
        compat: Compat,
        out: &mut Vec<Destination>,
    ) {
        let push = |out: &mut Vec<Destination>, id: BindingId| {
            if let Some(b) = &self.slots[id as usize] {
                out.push(b.destination.clone());
            }
        };
        match &self.index {
            Index::Fanout => out.extend(self.slots.iter().flatten().map(|b| b.destination.clone())),
            Index::Direct(index) => {
                if let [key] = routing_keys {
                    // One key: its ids are already in declaration order and distinct.
                    for &id in index.lookup(key) {
                        push(out, id);
                    }
                } else {
                    let mut ids = Vec::new();
                    for key in routing_keys {
                        ids.extend_from_slice(index.lookup(key));
                    }
                    ids.sort_unstable();
                    ids.dedup();
                    ids.into_iter().for_each(|id| push(out, id));
                }
            }
            Index::Topic(trie) => trie.route(routing_keys, |id| push(out, id)),
            Index::Headers(index) => index.route(headers, compat, |id| push(out, id)),
        }
    }

    /// Explains, binding by binding in declaration order, whether the message would match and
    /// why: the reasoning the UI shows for "why did it go there — and why not there?".
    pub fn explain(
        &self,
        routing_keys: &[&str],
        headers: Option<&FieldTable>,
        compat: Compat,
    ) -> Vec<BindingExplanation> {
        self.slots
            .iter()
            .flatten()
            .map(|b| {
                let detail = match self.kind {
                    ExchangeKind::Direct => {
                        MatchDetail::Direct(direct::explain(&b.routing_key, routing_keys))
                    }
                    ExchangeKind::Fanout => MatchDetail::Fanout,
                    ExchangeKind::Topic => {
                        MatchDetail::Topic(topic::explain(&b.routing_key, routing_keys))
                    }
                    ExchangeKind::Headers => {
                        MatchDetail::Headers(headers::explain(&b.arguments, headers, compat))
                    }
                };
                BindingExplanation {
                    destination: b.destination.clone(),
                    routing_key: b.routing_key.clone(),
                    arguments: b.arguments.clone(),
                    matched: detail.matched(),
                    detail,
                }
            })
            .collect()
    }

    fn find(
        &self,
        destination: &Destination,
        routing_key: &str,
        sorted_args: &FieldTable,
    ) -> Option<BindingId> {
        let ids = self.identity.get(destination)?.get(routing_key)?;
        ids.iter().copied().find(|&id| {
            self.slots[id as usize]
                .as_ref()
                .is_some_and(|b| b.arguments == *sorted_args)
        })
    }

    fn insert(&mut self, binding: Binding) {
        let id =
            BindingId::try_from(self.slots.len()).expect("fewer than 2^32 bindings per exchange");
        match &mut self.index {
            Index::Direct(index) => index.insert(id, &binding.routing_key),
            Index::Fanout => {}
            Index::Topic(trie) => trie.insert(id, &binding.routing_key),
            Index::Headers(index) => index.insert(id, &binding.arguments),
        }
        self.identity
            .entry(binding.destination.clone())
            .or_default()
            .get_or_default(binding.routing_key.clone())
            .push(id);
        self.slots.push(Some(binding));
        self.live += 1;
    }

    fn remove_id(&mut self, id: BindingId) {
        let Some(binding) = self.slots[id as usize].take() else {
            return;
        };
        self.live -= 1;
        match &mut self.index {
            Index::Direct(index) => index.remove(id, &binding.routing_key),
            Index::Fanout => {}
            Index::Topic(trie) => trie.remove(id, &binding.routing_key),
            Index::Headers(index) => index.remove(id),
        }
        if let Some(by_key) = self.identity.get_mut(&binding.destination) {
            if let Some(ids) = by_key.get_mut(&binding.routing_key) {
                ids.retain(|&x| x != id);
                if ids.is_empty() {
                    by_key.remove(&binding.routing_key);
                }
            }
            if by_key.is_empty() {
                self.identity.remove(&binding.destination);
            }
        }
    }

    /// Ids are positions in `slots`, so removed bindings leave holes; once holes dominate, the
    /// table is rebuilt (amortised O(1) per removal) instead of letting churn grow it forever.
    fn maybe_compact(&mut self) {
        if self.slots.len() >= 64 && self.live * 2 < self.slots.len() {
            let old = std::mem::replace(self, RoutingTable::new(self.kind));
            for binding in old.slots.into_iter().flatten() {
                self.insert(binding);
            }
        }
    }
}

/// Why one binding did or did not match a message.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct BindingExplanation {
    /// Where the binding leads.
    pub destination: Destination,
    /// The binding key.
    pub routing_key: String,
    /// The binding arguments, sorted by name.
    pub arguments: FieldTable,
    /// Whether the message goes down this binding.
    pub matched: bool,
    /// The exchange type's reasoning.
    pub detail: MatchDetail,
}

/// The reasoning of one exchange type about one binding.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum MatchDetail {
    /// Key equality per routing key.
    Direct(DirectExplanation),
    /// Fanout exchanges match every binding.
    Fanout,
    /// Word-by-word alignment per routing key.
    Topic(TopicExplanation),
    /// Argument-by-argument checks under the `x-match` rule.
    Headers(HeadersExplanation),
}

impl MatchDetail {
    /// Whether the reasoning concluded "match".
    pub fn matched(&self) -> bool {
        match self {
            MatchDetail::Direct(d) => d.matched(),
            MatchDetail::Fanout => true,
            MatchDetail::Topic(t) => t.matched(),
            MatchDetail::Headers(h) => h.matched,
        }
    }
}

impl BindingExplanation {
    /// The explanation in plain English, for learners ("Binding key 'kern.*' matches routing key
    /// 'kern.disk': 'kern' is 'kern', '*' took 'disk'. The message goes to queue 'q'.").
    pub fn sentence(&self) -> String {
        let to = describe_destination(&self.destination);
        let reason = match &self.detail {
            MatchDetail::Direct(d) => d.sentence(&self.routing_key),
            MatchDetail::Fanout => {
                "A fanout exchange copies every message to every binding; keys and arguments are ignored."
                    .to_string()
            }
            MatchDetail::Topic(t) => t.sentence(&self.routing_key),
            MatchDetail::Headers(h) => h.sentence(),
        };
        if self.matched {
            format!("{reason} The message goes to {to}.")
        } else {
            format!("{reason} So {to} gets nothing through this binding.")
        }
    }
}

fn describe_destination(destination: &Destination) -> String {
    match destination {
        Destination::Queue(q) => format!("queue '{q}'"),
        Destination::Exchange(x) => format!("exchange '{x}'"),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::field::FieldValue;
    use crate::names::{ExchangeName, QueueName};

    /// A queue destination, shared by the exchange types' tests.
    pub(crate) fn q(name: &str) -> Destination {
        Destination::Queue(QueueName::from(name))
    }

    fn args(entries: &[(&str, FieldValue)]) -> FieldTable {
        entries
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    fn route(table: &RoutingTable, keys: &[&str]) -> Vec<Destination> {
        let mut out = Vec::new();
        table.route(keys, None, Compat::RabbitMq4, &mut out);
        out
    }

    #[test]
    fn kinds_parse_and_print_their_names() {
        for kind in ExchangeKind::ALL {
            assert_eq!(ExchangeKind::parse(kind.name()), Some(kind));
        }
        assert_eq!(ExchangeKind::parse("x-consistent-hash"), None);
        assert_eq!(ExchangeKind::parse("Topic"), None);
    }

    #[test]
    fn identity_is_destination_key_and_sorted_arguments() {
        // §3.1: argument order is irrelevant, values are significant.
        let mut t = RoutingTable::new(ExchangeKind::Direct);
        let ab = args(&[("a", FieldValue::I32(1)), ("b", FieldValue::I32(2))]);
        let ba = args(&[("b", FieldValue::I32(2)), ("a", FieldValue::I32(1))]);
        let other = args(&[("a", FieldValue::I32(9))]);
        assert!(t.add(q("q"), "k", &ab));
        assert!(
            !t.add(q("q"), "k", &ba),
            "same args in another order: same binding"
        );
        assert!(
            t.add(q("q"), "k", &other),
            "different values: another binding"
        );
        assert!(t.add(q("q"), "k2", &ab));
        assert!(t.add(q("r"), "k", &ab));
        assert_eq!(t.len(), 4);
        // §3.1 "aliasing": the destination appears once per matching binding.
        assert_eq!(route(&t, &["k"]), [q("q"), q("q"), q("r")]);
        assert!(
            !t.remove(&q("q"), "k", &FieldTable::new()),
            "unbind must repeat the args"
        );
        assert!(t.contains(&q("q"), "k", &ba));
        assert!(!t.contains(&q("q"), "k", &FieldTable::new()));
        let to_q: Vec<(&str, &FieldTable)> = t.bindings_to(&q("q")).collect();
        assert_eq!(to_q, [("k", &ab), ("k", &other), ("k2", &ab)]);
        assert!(t.remove(&q("q"), "k", &ba));
        assert!(!t.contains(&q("q"), "k", &ab));
        assert!(!t.remove(&q("q"), "k", &ab), "already removed");
        assert_eq!(route(&t, &["k"]), [q("q"), q("r")]);
        assert_eq!(t.remove_destination(&q("q")), 2);
        assert_eq!(t.remove_destination(&q("q")), 0);
        assert_eq!(route(&t, &["k"]), [q("r")]);
        assert_eq!(t.len(), 1);
    }

    #[test]
    fn bindings_are_listed_in_declaration_order_with_sorted_args() {
        let mut t = RoutingTable::new(ExchangeKind::Topic);
        t.add(q("b"), "z.#", &FieldTable::new());
        t.add(
            q("a"),
            "a.*",
            &args(&[("y", FieldValue::Void), ("x", FieldValue::Void)]),
        );
        t.add(
            Destination::Exchange(ExchangeName::from("e")),
            "",
            &FieldTable::new(),
        );
        let listed: Vec<_> = t
            .bindings()
            .map(|(d, k, a)| (d.clone(), k.to_string(), a.clone()))
            .collect();
        assert_eq!(
            listed,
            [
                (q("b"), "z.#".to_string(), FieldTable::new()),
                (
                    q("a"),
                    "a.*".to_string(),
                    args(&[("x", FieldValue::Void), ("y", FieldValue::Void)])
                ),
                (
                    Destination::Exchange(ExchangeName::from("e")),
                    String::new(),
                    FieldTable::new()
                ),
            ]
        );
    }

    #[test]
    fn churn_compacts_without_losing_order_or_bindings() {
        for kind in ExchangeKind::ALL {
            let mut t = RoutingTable::new(kind);
            for i in 0..200 {
                t.add(q(&format!("q{i}")), "k", &FieldTable::new());
            }
            for i in (0..200).filter(|i| i % 10 != 3) {
                assert!(t.remove(&q(&format!("q{i}")), "k", &FieldTable::new()));
            }
            assert_eq!(t.len(), 20);
            assert!(t.slots.len() < 200, "{kind:?} compacted");
            let want: Vec<_> = (0..200)
                .filter(|i| i % 10 == 3)
                .map(|i| q(&format!("q{i}")))
                .collect();
            assert_eq!(route(&t, &["k"]), want, "{kind:?}");
            let listed: Vec<_> = t.bindings().map(|(d, _, _)| d.clone()).collect();
            assert_eq!(listed, want, "{kind:?}");
            assert!(
                !t.add(q("q3"), "k", &FieldTable::new()),
                "{kind:?} identity survives compaction"
            );
        }
    }

    #[test]
    fn tables_compare_by_their_bindings() {
        let mut a = RoutingTable::new(ExchangeKind::Topic);
        let mut b = RoutingTable::new(ExchangeKind::Topic);
        a.add(q("x"), "a.b", &FieldTable::new());
        a.add(q("y"), "a.#", &FieldTable::new());
        a.remove(&q("x"), "a.b", &FieldTable::new());
        b.add(q("y"), "a.#", &FieldTable::new());
        assert_eq!(a, b);
        b.add(q("z"), "a.#", &FieldTable::new());
        assert_ne!(a, b);
        assert_ne!(
            RoutingTable::new(ExchangeKind::Direct),
            RoutingTable::new(ExchangeKind::Fanout)
        );
    }

    /// Serialised tables carry their bindings only; loading rebuilds the index.
    #[cfg(feature = "serde")]
    #[test]
    fn serialised_form_round_trips_through_the_bindings() {
        let mut t = RoutingTable::new(ExchangeKind::Topic);
        t.add(q("b"), "a.#", &FieldTable::new());
        t.add(q("a"), "*.b", &args(&[("k", FieldValue::I32(1))]));
        t.add(q("c"), "x", &FieldTable::new());
        t.remove(&q("c"), "x", &FieldTable::new());
        let repr = TableRepr::from(t.clone());
        assert_eq!(repr.bindings.len(), 2);
        let back = RoutingTable::from(repr);
        assert_eq!(back, t);
        assert_eq!(route(&back, &["a.b"]), [q("b"), q("a")]);
    }

    #[test]
    fn several_routing_keys_match_a_binding_once() {
        // §4.1: rk + CC + BCC are all used; a binding matching two of them still counts once.
        for kind in [ExchangeKind::Direct, ExchangeKind::Topic] {
            let mut t = RoutingTable::new(kind);
            t.add(q("a"), "x", &FieldTable::new());
            t.add(q("b"), "y", &FieldTable::new());
            assert_eq!(route(&t, &["y", "x", "x"]), [q("a"), q("b")], "{kind:?}");
            assert_eq!(route(&t, &[]), [], "{kind:?}");
        }
    }
}
