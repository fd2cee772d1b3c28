//! The topic exchange: binding keys are patterns over dot-separated words (semantics §4.5).
//!
//! ```text
//! "kern.*.critical"   *  = exactly one word (possibly the empty word)
//! "#.critical"        #  = zero or more words, anywhere in the key
//! "a..b" = a, "", b   ""  = zero words; "." = two empty words
//! ```
//!
//! `*` and `#` are wildcards only as whole words of a *binding* key: in a routing key they are
//! ordinary words, and `a#b` or `##` are literal words everywhere. Words compare as bytes.
//!
//! Routing walks a trie of binding words, as RabbitMQ does (`rabbit_db_topic_exchange`), so its
//! cost grows with the words of the routing key, not with the number of bindings. A `#` node
//! may resume at any later word, which makes naive backtracking exponential on keys such as
//! `#.a.#.a.#`; we visit each (`#` node, word index) pair once, which bounds a lookup by
//! trie nodes reached × words.

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::BuildHasherDefault;

use super::{BindingId, Interner, WordHasher};
use crate::compat::Compat;
use crate::field::FieldTable;

/// The words of a key: `""` has none, anything else splits on every `.` (§4.5.1).
pub(crate) fn words(key: &str) -> impl Iterator<Item = &str> + Clone {
    let mut it = key.split('.');
    if key.is_empty() {
        it.next();
    }
    it
}

/// 4.3.5+ refuses binding keys with more than two `#` words (§3.4); older brokers took any.
pub(crate) fn validate(
    routing_key: &str,
    _arguments: &FieldTable,
    compat: Compat,
) -> Result<(), String> {
    if compat.limits_topic_hashes() {
        let hashes = words(routing_key).filter(|w| *w == "#").count();
        if hashes > 2 {
            return Err(format!(
                "Topic binding key '{routing_key}' uses {hashes} '#' wildcards, at most 2 are allowed"
            ));
        }
    }
    Ok(())
}

type NodeId = u32;
type WordId = u32;
const ROOT: NodeId = 0;

/// How a node hangs off its parent, so that emptied branches can be pruned on unbind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Edge {
    Word(WordId),
    Star,
    Hash,
}

/// Literal edges of the whole trie, (parent, word) → child, in one table as RabbitMQ keeps
/// them: nodes stay small, and a step costs one integer hash instead of a per-node map.
type Edges = HashMap<u64, NodeId, BuildHasherDefault<WordHasher>>;

fn edge_key(parent: NodeId, word: WordId) -> u64 {
    (u64::from(parent) << 32) | u64::from(word)
}

#[derive(Clone, Debug, Default)]
struct Node {
    /// How many literal edges leave this node (they live in [`Trie::edges`]).
    literal_children: u32,
    /// `*` and `#` have their own slots: they are looked up on every step.
    star: Option<NodeId>,
    hash: Option<NodeId>,
    /// Bindings whose key ends here.
    bindings: Vec<BindingId>,
    parent: Option<(NodeId, Edge)>,
}

impl Node {
    fn is_unused(&self) -> bool {
        self.literal_children == 0
            && self.star.is_none()
            && self.hash.is_none()
            && self.bindings.is_empty()
    }
}

/// The trie of one topic exchange's binding keys. Node 0 is the root; bindings with key `""`
/// live there (§4.5.8).
///
/// Literal words are interned: a routing key's words are looked up once in `dictionary`, then
/// the walk compares integers. A routing word that no binding spells cannot match any literal
/// edge, so it only follows `*` and `#`.
#[derive(Clone, Debug)]
pub(crate) struct Trie {
    nodes: Vec<Node>,
    free: Vec<NodeId>,
    edges: Edges,
    /// Literal words, one user per edge spelled with the word.
    dictionary: Interner,
}

impl Default for Trie {
    fn default() -> Self {
        Trie {
            nodes: vec![Node::default()],
            free: Vec::new(),
            edges: Edges::default(),
            dictionary: Interner::default(),
        }
    }
}

/// Reusable buffers of one lookup, kept per thread so that routing allocates nothing in the
/// steady state (a fresh set of vectors per message cost more than the trie walk itself).
#[derive(Default)]
struct Scratch {
    /// The routing key's words as interned ids (`None`: no binding spells that word).
    words: Vec<Option<WordId>>,
    stack: Vec<(NodeId, u32)>,
    /// `#` nodes entered so far and the smallest word index they were entered at: entering
    /// again at a later index adds nothing, because `#` already resumed at every index after it.
    hashes: Vec<(NodeId, u32)>,
    /// Node → position in `hashes`, built only once `hashes` is long.
    hash_index: HashMap<NodeId, usize, BuildHasherDefault<WordHasher>>,
    ids: Vec<BindingId>,
}

impl Scratch {
    /// Records that `#` node `h` is entered at word `i`; returns the word from which it had
    /// already been entered (`never` if it had not). A short list scanned linearly serves the
    /// usual handful of `#` nodes; past that an index keeps pathological tables linear.
    fn enter_hash(&mut self, h: NodeId, i: u32, never: u32) -> u32 {
        const SCAN: usize = 16;
        let slot = if self.hashes.len() <= SCAN {
            self.hashes.iter().position(|(node, _)| *node == h)
        } else {
            if self.hash_index.is_empty() {
                self.hash_index.extend(
                    self.hashes
                        .iter()
                        .enumerate()
                        .map(|(slot, (node, _))| (*node, slot)),
                );
            }
            self.hash_index.get(&h).copied()
        };
        match slot {
            Some(slot) => {
                let from = &mut self.hashes[slot].1;
                let old = *from;
                *from = old.min(i);
                old
            }
            None => {
                if self.hashes.len() > SCAN {
                    self.hash_index.insert(h, self.hashes.len());
                }
                self.hashes.push((h, i));
                never
            }
        }
    }
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::default();
}

impl Trie {
    fn word_id(&self, word: &str) -> Option<WordId> {
        self.dictionary.get(word)
    }

    fn child(&self, at: NodeId, word: &str) -> Option<NodeId> {
        let node = &self.nodes[at as usize];
        match word {
            "*" => node.star,
            "#" => node.hash,
            w => self
                .word_id(w)
                .and_then(|id| self.edges.get(&edge_key(at, id)).copied()),
        }
    }

    pub(crate) fn insert(&mut self, id: BindingId, key: &str) {
        let mut at = ROOT;
        for word in words(key) {
            at = match self.child(at, word) {
                Some(next) => next,
                None => {
                    let edge = match word {
                        "*" => Edge::Star,
                        "#" => Edge::Hash,
                        w => Edge::Word(self.dictionary.acquire(w)),
                    };
                    let next = self.alloc(Node {
                        parent: Some((at, edge)),
                        ..Node::default()
                    });
                    let parent = &mut self.nodes[at as usize];
                    match edge {
                        Edge::Star => parent.star = Some(next),
                        Edge::Hash => parent.hash = Some(next),
                        Edge::Word(w) => {
                            parent.literal_children += 1;
                            self.edges.insert(edge_key(at, w), next);
                        }
                    }
                    next
                }
            };
        }
        self.nodes[at as usize].bindings.push(id);
    }

    pub(crate) fn remove(&mut self, id: BindingId, key: &str) {
        let mut at = ROOT;
        for word in words(key) {
            match self.child(at, word) {
                Some(next) => at = next,
                None => return,
            }
        }
        self.nodes[at as usize].bindings.retain(|&b| b != id);
        // Prune the branch that no binding needs any more, leaf upwards.
        while at != ROOT && self.nodes[at as usize].is_unused() {
            let Some((parent, edge)) = self.nodes[at as usize].parent.take() else {
                break;
            };
            let p = &mut self.nodes[parent as usize];
            match edge {
                Edge::Star => p.star = None,
                Edge::Hash => p.hash = None,
                Edge::Word(w) => {
                    p.literal_children -= 1;
                    self.edges.remove(&edge_key(parent, w));
                    self.dictionary.release(w);
                }
            }
            self.nodes[at as usize] = Node::default();
            self.free.push(at);
            at = parent;
        }
    }

    fn alloc(&mut self, node: Node) -> NodeId {
        match self.free.pop() {
            Some(id) => {
                self.nodes[id as usize] = node;
                id
            }
            None => {
                self.nodes.push(node);
                NodeId::try_from(self.nodes.len() - 1).expect("fewer than 2^32 trie nodes")
            }
        }
    }

    /// Calls `found` with the id of every binding that matches one of `keys`, each once, in
    /// declaration order.
    pub(crate) fn route(&self, keys: &[&str], mut found: impl FnMut(BindingId)) {
        SCRATCH.with(|scratch| {
            // A `try_borrow` failure could only mean re-entrance, which routing never does;
            // fall back to fresh buffers rather than panic.
            let mut fresh = Scratch::default();
            let mut guard = scratch.try_borrow_mut();
            let scratch = guard.as_deref_mut().unwrap_or(&mut fresh);
            scratch.ids.clear();
            for key in keys {
                self.matches(key, scratch);
            }
            // Exploration order is no order a user would recognise; declaration order is. And
            // one binding matched by two keys (routing key + CC) counts once.
            scratch.ids.sort_unstable();
            scratch.ids.dedup();
            scratch.ids.iter().for_each(|&id| found(id));
        });
    }

    /// Appends to `scratch.ids` the bindings matching `key` (in exploration order).
    fn matches(&self, key: &str, scratch: &mut Scratch) {
        scratch.words.clear();
        scratch.words.extend(words(key).map(|w| self.word_id(w)));
        scratch.stack.clear();
        scratch.hashes.clear();
        scratch.hash_index.clear();
        let n = scratch.words.len() as u32;
        scratch.stack.push((ROOT, 0));
        while let Some((at, i)) = scratch.stack.pop() {
            let node = &self.nodes[at as usize];
            if i == n {
                scratch.ids.extend_from_slice(&node.bindings);
            } else {
                // Most nodes off the main path have no literal child: skip the probe.
                if let (true, Some(word)) = (node.literal_children > 0, scratch.words[i as usize]) {
                    if let Some(&next) = self.edges.get(&edge_key(at, word)) {
                        scratch.stack.push((next, i + 1));
                    }
                }
                if let Some(next) = node.star {
                    scratch.stack.push((next, i + 1));
                }
            }
            if let Some(h) = node.hash {
                // `#` swallows words i..j for every j ≥ i; resume at each j not yet covered.
                let covered_from = scratch.enter_hash(h, i, n + 1);
                for j in i..covered_from {
                    scratch.stack.push((h, j));
                }
            }
        }
    }
}

/// How a binding word was used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum WildcardUse {
    /// A literal word, equal to the routing-key word.
    Literal,
    /// `*`: took exactly one word.
    Star,
    /// `#`: took zero or more words.
    Hash,
}

/// One binding word and the routing-key words it took.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct TopicStep {
    /// Position of the word in the binding key (from 0).
    pub binding_index: usize,
    /// The binding word (`*`, `#` or a literal).
    pub binding_word: String,
    /// What kind of word it is.
    pub kind: WildcardUse,
    /// Position in the routing key of the first word taken.
    pub first_key_index: usize,
    /// The routing-key words taken (exactly one for literals and `*`; any number for `#`).
    pub taken: Vec<String>,
}

/// Why a binding key failed to match a routing key, at the furthest point the match reached.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum TopicFailure {
    /// A literal binding word differs from the routing-key word in its place.
    WordDiffers {
        /// Position in the binding key.
        binding_index: usize,
        /// The binding word.
        binding_word: String,
        /// Position in the routing key.
        key_index: usize,
        /// The routing-key word.
        key_word: String,
    },
    /// The binding still needs a word (a literal or `*`) but the routing key has run out.
    KeyTooShort {
        /// Position in the binding key.
        binding_index: usize,
        /// The binding word left without a routing-key word.
        binding_word: String,
    },
    /// The binding key has ended but the routing key has words left over.
    KeyTooLong {
        /// Position in the routing key of the first word left over.
        key_index: usize,
        /// The words left over.
        extra: Vec<String>,
    },
}

/// A binding key against one routing key.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct TopicAttempt {
    /// The routing key.
    pub routing_key: String,
    /// Whether the binding key matches it.
    pub matched: bool,
    /// On a match, which binding word took which routing-key words (`#` taking as few as it
    /// can); on a failure, the steps that led to the furthest failure.
    pub steps: Vec<TopicStep>,
    /// Where it failed (`None` on a match).
    pub failure: Option<TopicFailure>,
}

/// A topic binding against every routing key of a message.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct TopicExplanation {
    /// One attempt per routing key (routing key, then CC, then BCC).
    pub attempts: Vec<TopicAttempt>,
}

impl TopicExplanation {
    /// True when some routing key matched.
    pub fn matched(&self) -> bool {
        self.attempts.iter().any(|a| a.matched)
    }

    pub(crate) fn sentence(&self, binding_key: &str) -> String {
        if let Some(hit) = self.attempts.iter().find(|a| a.matched) {
            return hit.sentence(binding_key);
        }
        match self.attempts.as_slice() {
            [] => "The message has no routing key to compare.".to_string(),
            attempts => attempts
                .iter()
                .map(|a| a.sentence(binding_key))
                .collect::<Vec<_>>()
                .join(" "),
        }
    }
}

fn quote_words(words: &[String]) -> String {
    format!("'{}'", words.join("."))
}

impl TopicAttempt {
    fn sentence(&self, binding_key: &str) -> String {
        let key = if self.routing_key.is_empty() {
            "'' (no words)".to_string()
        } else {
            format!("'{}'", self.routing_key)
        };
        let steps: Vec<String> = self.steps.iter().map(TopicStep::phrase).collect();
        let verb = if self.matched {
            "matches"
        } else {
            "does not match"
        };
        let mut s = format!("Binding key '{binding_key}' {verb} routing key {key}");
        let failure = self.failure.as_ref().map(TopicFailure::phrase);
        match (steps.is_empty(), failure) {
            (true, None) => s.push_str(": both have no words."),
            (false, None) => s.push_str(&format!(": {}.", steps.join(", "))),
            (true, Some(f)) => s.push_str(&format!(": {f}.")),
            (false, Some(f)) => s.push_str(&format!(": {}, then {f}.", steps.join(", "))),
        }
        s
    }
}

impl TopicStep {
    fn phrase(&self) -> String {
        match self.kind {
            WildcardUse::Literal => {
                format!("'{}' is '{}'", self.binding_word, self.taken.join("."))
            }
            WildcardUse::Star => format!("'*' took {}", describe_taken(&self.taken)),
            WildcardUse::Hash if self.taken.is_empty() => "'#' took no words".to_string(),
            WildcardUse::Hash => format!("'#' took {}", describe_taken(&self.taken)),
        }
    }
}

fn describe_taken(taken: &[String]) -> String {
    match taken {
        [w] if w.is_empty() => "the empty word ''".to_string(),
        [w] => format!("'{w}'"),
        ws => format!("{} ({} words)", quote_words(ws), ws.len()),
    }
}

impl TopicFailure {
    fn phrase(&self) -> String {
        match self {
            TopicFailure::WordDiffers {
                binding_word,
                key_index,
                key_word,
                ..
            } => format!(
                "binding word '{binding_word}' differs from routing-key word {} '{key_word}'",
                key_index + 1
            ),
            TopicFailure::KeyTooShort { binding_word, .. } if binding_word == "*" => {
                "the routing key has no word left for '*' ('*' needs exactly one word)".to_string()
            }
            TopicFailure::KeyTooShort { binding_word, .. } => {
                format!("the routing key has no word left for '{binding_word}'")
            }
            TopicFailure::KeyTooLong { extra, .. } => format!(
                "the binding key ends while the routing key still has {} (only '#' can take extra words)",
                quote_words(extra)
            ),
        }
    }
}

/// A step while searching: binding word `pi` took key words `from..to`. Plain indices, so
/// that trying a `#` over a long key costs no copying; words are filled in at the end.
#[derive(Clone, Copy)]
struct Step {
    pi: usize,
    kind: WildcardUse,
    from: usize,
    to: usize,
}

/// A failure while searching, as indices (see [`Step`]).
#[derive(Clone, Copy)]
enum Miss {
    TooLong { ki: usize },
    TooShort { pi: usize },
    Differs { pi: usize, ki: usize },
}

/// The furthest failure so far: its rank (binding word, kind, key word), the steps to it, and
/// what failed.
type BestFailure = ((usize, u8, usize), Vec<Step>, Miss);

/// Finds an alignment of `pattern` against `key`, or the furthest failure. Depth-first with `#`
/// taking as few words as possible first; failed (pattern, key) positions are remembered so the
/// search stays polynomial.
struct Explainer<'a> {
    pattern: Vec<&'a str>,
    key: Vec<&'a str>,
    /// Indexed by `cell(pi, ki)`: (binding word, key word) positions known to fail.
    failed: Vec<bool>,
    /// Per binding word that is `#`: the smallest key position where it failed. It fails at
    /// every later position too (its choices there are a subset), which keeps `#.#` over a long
    /// key linear instead of quadratic.
    hash_failed_from: Vec<usize>,
    steps: Vec<Step>,
    best: Option<BestFailure>,
}

impl Explainer<'_> {
    /// The `failed` index of binding word `pi` against key word `ki` (either may be one past
    /// the end).
    fn cell(&self, pi: usize, ki: usize) -> usize {
        pi * (self.key.len() + 1) + ki
    }

    fn fail(&mut self, pi: usize, ki: usize, miss: Miss) {
        let rank = match miss {
            Miss::TooShort { .. } => 0,
            Miss::Differs { .. } => 1,
            Miss::TooLong { .. } => 2,
        };
        let score = (pi, rank, ki);
        if self.best.as_ref().is_none_or(|(s, _, _)| score > *s) {
            self.best = Some((score, self.steps.clone(), miss));
        }
    }

    fn words(&self, from: usize, to: usize) -> Vec<String> {
        self.key[from..to].iter().map(|w| w.to_string()).collect()
    }

    fn topic_step(&self, step: Step) -> TopicStep {
        TopicStep {
            binding_index: step.pi,
            binding_word: self.pattern[step.pi].to_string(),
            kind: step.kind,
            first_key_index: step.from,
            taken: self.words(step.from, step.to),
        }
    }

    fn failure(&self, miss: Miss) -> TopicFailure {
        match miss {
            Miss::TooLong { ki } => TopicFailure::KeyTooLong {
                key_index: ki,
                extra: self.words(ki, self.key.len()),
            },
            Miss::TooShort { pi } => TopicFailure::KeyTooShort {
                binding_index: pi,
                binding_word: self.pattern[pi].to_string(),
            },
            Miss::Differs { pi, ki } => TopicFailure::WordDiffers {
                binding_index: pi,
                binding_word: self.pattern[pi].to_string(),
                key_index: ki,
                key_word: self.key[ki].to_string(),
            },
        }
    }

    /// Depth-first search for an alignment, with an explicit stack rather than recursion so
    /// that a key of thousands of words cannot overflow the (small, on wasm32) call stack.
    fn search(&mut self) -> bool {
        // A frame is one binding word being tried at one key position; its alternatives are the
        // positions where the word may end (`*` and literals: one; `#`: any later one).
        struct Frame {
            pi: usize,
            ki: usize,
            kind: WildcardUse,
            next: usize,
            last: usize,
        }
        let mut frames: Vec<Frame> = Vec::new();
        let mut state = (0, 0);
        loop {
            match self.enter(state.0, state.1) {
                Entered::Matched => return true,
                Entered::Word(kind) => {
                    let (pi, ki) = state;
                    let (next, last) = match kind {
                        WildcardUse::Hash => (ki, self.key.len()),
                        _ => (ki + 1, ki + 1),
                    };
                    frames.push(Frame {
                        pi,
                        ki,
                        kind,
                        next,
                        last,
                    });
                }
                Entered::Failed if frames.is_empty() => return false,
                // Undo the step of the alternative that led here.
                Entered::Failed => {
                    self.steps.pop();
                }
            }
            // Take the top frame's next alternative, dropping exhausted frames.
            loop {
                let Some(top) = frames.last_mut() else {
                    return false;
                };
                if top.next <= top.last {
                    let (pi, ki, kind, to) = (top.pi, top.ki, top.kind, top.next);
                    top.next += 1;
                    self.steps.push(Step {
                        pi,
                        kind,
                        from: ki,
                        to,
                    });
                    state = (pi + 1, to);
                    break;
                }
                let cell = self.cell(top.pi, top.ki);
                self.failed[cell] = true;
                if top.kind == WildcardUse::Hash {
                    let from = &mut self.hash_failed_from[top.pi];
                    *from = (*from).min(top.ki);
                }
                frames.pop();
                if frames.is_empty() {
                    return false;
                }
                self.steps.pop();
            }
        }
    }

    /// What binding word `pi` can do at key position `ki`: end the match, fail (recording why),
    /// or take words.
    fn enter(&mut self, pi: usize, ki: usize) -> Entered {
        if self.failed[self.cell(pi, ki)]
            || self
                .hash_failed_from
                .get(pi)
                .is_some_and(|&from| ki >= from)
        {
            return Entered::Failed;
        }
        let miss = if pi == self.pattern.len() {
            if ki == self.key.len() {
                return Entered::Matched;
            }
            Miss::TooLong { ki }
        } else if self.pattern[pi] == "#" {
            return Entered::Word(WildcardUse::Hash);
        } else if ki == self.key.len() {
            Miss::TooShort { pi }
        } else if self.pattern[pi] == "*" {
            return Entered::Word(WildcardUse::Star);
        } else if self.pattern[pi] == self.key[ki] {
            return Entered::Word(WildcardUse::Literal);
        } else {
            Miss::Differs { pi, ki }
        };
        self.fail(pi, ki, miss);
        let cell = self.cell(pi, ki);
        self.failed[cell] = true;
        Entered::Failed
    }
}

enum Entered {
    Matched,
    Failed,
    Word(WildcardUse),
}

/// Explains one routing key against one binding key.
pub(crate) fn explain_key(binding_key: &str, routing_key: &str) -> TopicAttempt {
    let pattern: Vec<&str> = words(binding_key).collect();
    let key: Vec<&str> = words(routing_key).collect();
    let mut e = Explainer {
        hash_failed_from: vec![usize::MAX; pattern.len()],
        failed: vec![false; (pattern.len() + 1) * (key.len() + 1)],
        pattern,
        key,
        steps: Vec::new(),
        best: None,
    };
    let matched = e.search();
    let (steps, failure) = if matched {
        (e.steps.clone(), None)
    } else {
        let (_, steps, miss) = e.best.take().expect("a failed search records a failure");
        (steps, Some(e.failure(miss)))
    };
    let steps = steps.into_iter().map(|s| e.topic_step(s)).collect();
    TopicAttempt {
        routing_key: routing_key.to_string(),
        matched,
        steps,
        failure,
    }
}

pub(crate) fn explain(binding_key: &str, routing_keys: &[&str]) -> TopicExplanation {
    TopicExplanation {
        attempts: routing_keys
            .iter()
            .map(|k| explain_key(binding_key, k))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exchange::tests::q;
    use crate::exchange::{ExchangeKind, Index, RoutingTable};
    use crate::Destination;
    use proptest::prelude::*;

    /// The recursive matcher of RabbitMQ's own test suite (`rabbit_db_topic_exchange_SUITE`,
    /// semantics §4.5.2), kept deliberately naive as the oracle for the trie.
    pub(crate) fn reference_match(pattern: &[&str], key: &[&str]) -> bool {
        match (pattern, key) {
            ([], []) => true,
            (["#"], _) => true,
            (["#", rest @ ..], _) => {
                (0..=key.len()).any(|skip| reference_match(rest, &key[skip..]))
            }
            (["*", prest @ ..], [_, krest @ ..]) => reference_match(prest, krest),
            ([p, prest @ ..], [k, krest @ ..]) => p == k && reference_match(prest, krest),
            _ => false,
        }
    }

    fn trie_match(binding: &str, key: &str) -> bool {
        let mut t = RoutingTable::new(ExchangeKind::Topic);
        t.add(q("q"), binding, &FieldTable::new());
        let mut out = Vec::new();
        t.route(&[key], None, Compat::RabbitMq4, &mut out);
        out.len() == 1
    }

    /// (binding key, routing key, matches) with the reference section each row pins. Every row
    /// was also published through a real RabbitMQ 3.10.8 topic exchange (mandatory, with
    /// confirms): it routed exactly where the table says.
    const TRUTH: &[(&str, &str, bool)] = &[
        // §4.5.1 splitting: "" has zero words; empty words are words.
        ("", "", true),
        ("", "a", false),
        ("a", "", false),
        ("a..b", "a..b", true),
        ("a..b", "a.b", false),
        ("a.*.b", "a..b", true),
        (".", ".", true),
        ("*.*", ".", true),
        ("*", ".", false),
        ("*", "", false),
        ("a.", "a.", true),
        ("a.", "a", false),
        ("a.*", "a.", true),
        (".a", ".a", true),
        ("#.", "a.b.", true),
        ("#.", "", false),
        ("#", ".", true),
        // §4.5.2: * exactly one word; # zero or more anywhere.
        ("*", "a", true),
        ("*", "a.b", false),
        ("a.*", "a.b", true),
        ("a.*", "a", false),
        ("a.*", "a.b.c", false),
        ("*.b", "a.b", true),
        ("*.*", "a.b", true),
        ("*.*.*", "a.b", false),
        ("#", "a", true),
        ("#", "a.b.c", true),
        ("a.#", "a", true),
        ("a.#", "a.b", true),
        ("a.#", "a.b.c", true),
        ("a.#", "b.a", false),
        ("#.a", "a", true),
        ("#.a", "x.y.a", true),
        ("#.a", "a.x", false),
        ("a.#.b", "a.b", true),
        ("a.#.b", "a.x.y.b", true),
        ("a.#.b", "a.x.y.c", false),
        ("#.b.#", "b", true),
        ("#.b.#", "a.b.c", true),
        ("#.b.#", "a.c", false),
        ("#.*", "a", true),
        ("#.*", "", false),
        ("*.#", "a.b.c", true),
        ("#.*.#", "a", true),
        ("a.#.#", "a", true),
        ("#.#", "a.b", true),
        ("*.#.*", "a", false),
        ("*.#.*", "a.b", true),
        ("*.#.*", "a.b.c.d", true),
        ("kern.*.critical", "kern.disk.critical", true),
        ("kern.*.critical", "kern.critical", false),
        ("*.orange.*", "quick.orange.rabbit", true),
        ("*.*.rabbit", "lazy.orange.elephant", false),
        ("lazy.#", "lazy.orange.male.rabbit", true),
        ("*.orange.*", "quick.orange.male.rabbit", false),
        // §4.5.3: bytes, case-sensitive, UTF-8 allowed.
        ("A", "a", false),
        ("café.*", "café.x", true),
        ("cafe\u{301}", "café", false),
        // §4.5.4: wildcards are whole binding words only; literal in routing keys.
        ("a#b", "a#b", true),
        ("a#b", "axb", false),
        ("a#b", "a.b", false),
        ("##", "##", true),
        ("##", "a", false),
        ("simply#carrots", "simply#carrots", true),
        ("*a", "xa", false),
        ("a*", "a*", true),
        ("#", "#", true),
        ("*", "*", true),
        ("a.b", "a.*", false),
        ("a.b", "a.#", false),
        ("a.*", "a.*", true),
        ("a.*", "a.#", true),
        // §4.5.5: the empty routing key.
        ("#", "", true),
        ("#.#", "", true),
        ("#.#.#", "", true),
        ("*.#", "", false),
        ("#.*.#", "", false),
    ];

    #[test]
    fn truth_table_topic_matching() {
        for &(binding, key, want) in TRUTH {
            let pattern: Vec<&str> = words(binding).collect();
            let k: Vec<&str> = words(key).collect();
            assert_eq!(
                reference_match(&pattern, &k),
                want,
                "oracle: {binding:?} vs {key:?}"
            );
            assert_eq!(
                trie_match(binding, key),
                want,
                "trie: {binding:?} vs {key:?}"
            );
            let attempt = explain_key(binding, key);
            assert_eq!(attempt.matched, want, "explain: {binding:?} vs {key:?}");
            assert_eq!(attempt.failure.is_none(), want);
        }
    }

    #[test]
    fn truth_table_all_rows_in_one_trie() {
        // The same rows routed through one shared trie: branches must not leak into each other.
        let mut t = RoutingTable::new(ExchangeKind::Topic);
        let bindings: Vec<&str> = TRUTH.iter().map(|r| r.0).collect();
        for (i, b) in bindings.iter().enumerate() {
            t.add(q(&i.to_string()), b, &FieldTable::new());
        }
        let mut keys: Vec<&str> = TRUTH.iter().map(|r| r.1).collect();
        keys.sort();
        keys.dedup();
        for key in keys {
            let mut out = Vec::new();
            t.route(&[key], None, Compat::RabbitMq4, &mut out);
            let k: Vec<&str> = words(key).collect();
            let want: Vec<Destination> = bindings
                .iter()
                .enumerate()
                .filter(|(_, b)| reference_match(&words(b).collect::<Vec<_>>(), &k))
                .map(|(i, _)| q(&i.to_string()))
                .collect();
            assert_eq!(out, want, "key {key:?}");
        }
    }

    /// §3.4: at most two `#` words in 4.3.5+, counted as whole words only; 3.x allows any.
    #[test]
    fn truth_table_hash_limit() {
        let rows: &[(&str, Compat, Option<&str>)] = &[
            ("#.#", Compat::RabbitMq4, None),
            ("#.a.#", Compat::RabbitMq4, None),
            ("a#b.##.#.#", Compat::RabbitMq4, None),
            (
                "#.#.#",
                Compat::RabbitMq4,
                Some("Topic binding key '#.#.#' uses 3 '#' wildcards, at most 2 are allowed"),
            ),
            (
                "#.a.#.b.#.c.#",
                Compat::RabbitMq4,
                Some(
                    "Topic binding key '#.a.#.b.#.c.#' uses 4 '#' wildcards, at most 2 are allowed",
                ),
            ),
            ("#.#.#", Compat::RabbitMq310, None),
            ("#.#.#.#.#", Compat::RabbitMq310, None),
        ];
        for &(key, compat, want) in rows {
            let got = RoutingTable::validate(ExchangeKind::Topic, key, &FieldTable::new(), compat);
            assert_eq!(
                got,
                want.map_or(Ok(()), |t| Err(t.to_string())),
                "{key:?} under {compat:?}"
            );
        }
    }

    /// §3.4: over-limit bindings that exist (3.x profile, or restored state) still route and
    /// unbind; §4.5.8: the empty key lives at the root and unbinds too.
    #[test]
    fn over_limit_and_empty_bindings_route_and_unbind() {
        let mut t = RoutingTable::new(ExchangeKind::Topic);
        t.add(q("many"), "#.#.#", &FieldTable::new());
        t.add(q("root"), "", &FieldTable::new());
        let mut out = Vec::new();
        t.route(&[""], None, Compat::RabbitMq4, &mut out);
        assert_eq!(out, [q("many"), q("root")]);
        assert!(t.remove(&q("many"), "#.#.#", &FieldTable::new()));
        assert!(t.remove(&q("root"), "", &FieldTable::new()));
        out.clear();
        t.route(&[""], None, Compat::RabbitMq4, &mut out);
        assert!(out.is_empty());
        let Index::Topic(trie) = &t.index else {
            unreachable!()
        };
        assert!(trie.nodes[0].is_unused(), "pruned back to a bare root");
        assert_eq!(trie.free.len(), trie.nodes.len() - 1);
    }

    #[test]
    fn unbinding_one_pattern_leaves_its_neighbours() {
        let mut t = RoutingTable::new(ExchangeKind::Topic);
        for (name, key) in [
            ("ab", "a.b"),
            ("abc", "a.b.c"),
            ("a*", "a.*"),
            ("a#", "a.#"),
        ] {
            t.add(q(name), key, &FieldTable::new());
        }
        t.remove(&q("ab"), "a.b", &FieldTable::new());
        t.remove(&q("a*"), "a.*", &FieldTable::new());
        let mut out = Vec::new();
        t.route(&["a.b.c"], None, Compat::RabbitMq4, &mut out);
        assert_eq!(out, [q("abc"), q("a#")]);
        out.clear();
        t.route(&["a.b"], None, Compat::RabbitMq4, &mut out);
        assert_eq!(out, [q("a#")]);
        // Re-adding reuses the freed nodes.
        t.add(q("ab"), "a.b", &FieldTable::new());
        out.clear();
        t.route(&["a.b"], None, Compat::RabbitMq4, &mut out);
        assert_eq!(out, [q("a#"), q("ab")]);
    }

    #[test]
    fn unbinding_everything_frees_every_node_and_word() {
        let mut t = RoutingTable::new(ExchangeKind::Topic);
        let keys = ["a.b", "a.c", "b.a", "a.*.b", "#.a", "a..b", "."];
        for k in keys {
            t.add(q(k), k, &FieldTable::new());
        }
        for k in keys {
            assert!(t.remove(&q(k), k, &FieldTable::new()));
            let mut out = Vec::new();
            t.route(&[k], None, Compat::RabbitMq4, &mut out);
            assert!(!out.contains(&q(k)), "{k} unbound");
        }
        let Index::Topic(trie) = &t.index else {
            unreachable!()
        };
        assert!(trie.dictionary.is_empty());
        assert_eq!(trie.free.len(), trie.nodes.len() - 1);
    }

    /// Backtracking over `#` must stay polynomial: with one visit per (`#` node, word), a key of
    /// 200 words against nested `#` patterns resolves instantly (naive recursion would not).
    #[test]
    fn nested_hashes_do_not_explode() {
        let mut t = RoutingTable::new(ExchangeKind::Topic);
        t.add(q("q"), "#.a.#.a.#.a.#.a.#.b", &FieldTable::new());
        t.add(q("r"), "#.#", &FieldTable::new());
        let key = vec!["a"; 200].join(".");
        let mut out = Vec::new();
        t.route(&[key.as_str()], None, Compat::RabbitMq4, &mut out);
        assert_eq!(out, [q("r")]);
        let attempt = explain_key("#.a.#.a.#.a.#.a.#.b", &key);
        assert!(!attempt.matched);
    }

    /// Words over a tiny alphabet so that collisions, empty words and wildcards are frequent;
    /// `*` and `#` appear in routing keys too, where they are literals.
    fn topic_key() -> impl Strategy<Value = String> {
        prop::collection::vec(
            prop::sample::select(vec!["a", "b", "", "*", "#", "a#"]),
            0..6,
        )
        .prop_map(|ws| ws.join("."))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// The trie (and explain) agree with the suite's recursive matcher, before and after
        /// some bindings are removed again.
        #[test]
        fn trie_agrees_with_the_reference_matcher(
            bindings in prop::collection::vec(topic_key(), 1..24),
            keys in prop::collection::vec(topic_key(), 1..6),
            removed in prop::collection::vec(any::<bool>(), 24),
        ) {
            let mut t = RoutingTable::new(ExchangeKind::Topic);
            for (i, b) in bindings.iter().enumerate() {
                t.add(q(&i.to_string()), b, &FieldTable::new());
            }
            let check = |t: &RoutingTable, live: &dyn Fn(usize) -> bool| -> Result<(), TestCaseError> {
                for key in &keys {
                    let k: Vec<&str> = words(key).collect();
                    let want: Vec<Destination> = bindings
                        .iter()
                        .enumerate()
                        .filter(|&(i, b)| live(i) && reference_match(&words(b).collect::<Vec<_>>(), &k))
                        .map(|(i, _)| q(&i.to_string()))
                        .collect();
                    let mut out = Vec::new();
                    t.route(&[key.as_str()], None, Compat::RabbitMq4, &mut out);
                    prop_assert_eq!(&out, &want, "key {:?}", key);
                    let explained: Vec<Destination> = t
                        .explain(&[key.as_str()], None, Compat::RabbitMq4)
                        .into_iter()
                        .filter(|e| e.matched)
                        .map(|e| e.destination)
                        .collect();
                    prop_assert_eq!(&explained, &want, "explain, key {:?}", key);
                }
                // All keys at once (routing key + CC + BCC): each binding matching any key, once.
                let all: Vec<&str> = keys.iter().map(String::as_str).collect();
                let want: Vec<Destination> = bindings
                    .iter()
                    .enumerate()
                    .filter(|&(i, b)| {
                        live(i)
                            && all.iter().any(|k| {
                                reference_match(&words(b).collect::<Vec<_>>(), &words(k).collect::<Vec<_>>())
                            })
                    })
                    .map(|(i, _)| q(&i.to_string()))
                    .collect();
                let mut out = Vec::new();
                t.route(&all, None, Compat::RabbitMq4, &mut out);
                prop_assert_eq!(&out, &want, "keys {:?}", all);
                Ok(())
            };
            check(&t, &|_| true)?;
            for (i, b) in bindings.iter().enumerate() {
                if removed[i] {
                    prop_assert!(t.remove(&q(&i.to_string()), b, &FieldTable::new()));
                }
            }
            check(&t, &|i| !removed[i])?;
        }
    }

    /// Explaining walks an explicit stack and records indices only, so a key of many thousand
    /// words (no AMQP client can send one, but a script can) neither overflows the stack nor
    /// copies words quadratically.
    #[test]
    fn explaining_a_huge_key_stays_cheap() {
        let key = vec!["a"; 20_000].join(".");
        let attempt = explain_key("#.b", &key);
        assert!(!attempt.matched);
        assert_eq!(attempt.steps.len(), 1);
        assert_eq!(attempt.steps[0].taken.len(), 19_999);
        let attempt = explain_key("#.#.b", &key);
        assert!(!attempt.matched);
        let attempt = explain_key("#.a.#.a.#.b", &key);
        assert!(!attempt.matched);
        let attempt = explain_key(&key, &key);
        assert!(attempt.matched);
        assert_eq!(attempt.steps.len(), 20_000);
    }

    /// Many `#` nodes on one key's path (more than the short list scanned linearly) still give
    /// the reference answer.
    #[test]
    fn many_hash_nodes_on_one_path() {
        let mut t = RoutingTable::new(ExchangeKind::Topic);
        let patterns: Vec<String> = (0..60).map(|i| format!("#.a{i}.#")).collect();
        for p in &patterns {
            t.add(q(p), p, &FieldTable::new());
        }
        t.add(q("end"), "#.a59.a60", &FieldTable::new());
        let key = (0..61)
            .map(|i| format!("a{i}"))
            .collect::<Vec<_>>()
            .join(".");
        let mut out = Vec::new();
        t.route(&[key.as_str()], None, Compat::RabbitMq4, &mut out);
        let mut want: Vec<Destination> = patterns.iter().map(|p| q(p)).collect();
        want.push(q("end"));
        assert_eq!(out, want);
        out.clear();
        t.route(&["a1.b"], None, Compat::RabbitMq4, &mut out);
        assert_eq!(out, [q("#.a1.#")]);
    }

    #[test]
    fn explain_aligns_words_and_finds_the_furthest_failure() {
        let a = explain_key("a.*.#.d", "a.b.c.x.d");
        assert!(a.matched);
        let taken: Vec<(WildcardUse, Vec<String>)> =
            a.steps.iter().map(|s| (s.kind, s.taken.clone())).collect();
        let w = |ws: &[&str]| ws.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            taken,
            [
                (WildcardUse::Literal, w(&["a"])),
                (WildcardUse::Star, w(&["b"])),
                (WildcardUse::Hash, w(&["c", "x"])),
                (WildcardUse::Literal, w(&["d"])),
            ]
        );
        assert_eq!(
            a.sentence("a.*.#.d"),
            "Binding key 'a.*.#.d' matches routing key 'a.b.c.x.d': 'a' is 'a', '*' took 'b', \
             '#' took 'c.x' (2 words), 'd' is 'd'."
        );

        let rows: &[(&str, &str, &str)] = &[
            ("a.#.c", "a.b.d", "Binding key 'a.#.c' does not match routing key 'a.b.d': 'a' is 'a', '#' took 'b', then binding word 'c' differs from routing-key word 3 'd'."),
            ("a.*", "a", "Binding key 'a.*' does not match routing key 'a': 'a' is 'a', then the routing key has no word left for '*' ('*' needs exactly one word)."),
            ("a.*", "a.b.c", "Binding key 'a.*' does not match routing key 'a.b.c': 'a' is 'a', '*' took 'b', then the binding key ends while the routing key still has 'c' (only '#' can take extra words)."),
            ("x", "y", "Binding key 'x' does not match routing key 'y': binding word 'x' differs from routing-key word 1 'y'."),
            ("*", "", "Binding key '*' does not match routing key '' (no words): the routing key has no word left for '*' ('*' needs exactly one word)."),
            ("#", "", "Binding key '#' matches routing key '' (no words): '#' took no words."),
            ("", "", "Binding key '' matches routing key '' (no words): both have no words."),
            ("a.*.c", "a..c", "Binding key 'a.*.c' matches routing key 'a..c': 'a' is 'a', '*' took the empty word '', 'c' is 'c'."),
        ];
        for &(binding, key, want) in rows {
            assert_eq!(explain_key(binding, key).sentence(binding), want);
        }
    }
}
