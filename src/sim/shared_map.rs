//! [`SharedMap`]: a sorted map in shared chunks, for the per-message facts a long run keeps.
//!
//! The timeline's checkpoints (`sim::replay`) are copies of the playground; the facts it keeps
//! of each message (up to 200,000 entries, `sim::limits::TRACKED_MESSAGES` twice) would make
//! every copy megabytes. Here a copy shares every chunk, and a change copies only the chunk it
//! touches (`Rc::make_mut`): new messages land in the last chunk, so a checkpoint costs what
//! changed since the one before, not the whole map.

use std::rc::Rc;

use amqp_playground_core::SortedMap;

/// The per-message facts' map: shared chunks where the timeline's checkpoints copy it; a
/// plain [`SortedMap`] where there are none (the plain page, 0.7 KB less of its download).
#[cfg(feature = "checkpoints")]
pub type FactsMap<K, V> = SharedMap<K, V>;
/// The per-message facts' map (see the `checkpoints` feature).
#[cfg(not(feature = "checkpoints"))]
pub type FactsMap<K, V> = SortedMap<K, V>;

/// Forgetting the oldest entries, for either kind of [`FactsMap`].
pub trait ForgetWhile<K> {
    /// Drops the smallest keys while `old` holds (it must hold for a prefix of the keys).
    fn forget_while(&mut self, old: impl Fn(&K) -> bool);
}

impl<K: Ord, V> ForgetWhile<K> for SortedMap<K, V> {
    fn forget_while(&mut self, old: impl Fn(&K) -> bool) {
        self.retain(|k, _| !old(k));
    }
}

impl<K: Ord + Clone, V: Clone + Default> ForgetWhile<K> for SharedMap<K, V> {
    fn forget_while(&mut self, old: impl Fn(&K) -> bool) {
        SharedMap::forget_while(self, old);
    }
}

/// Entries per chunk: a chunk that grows to twice this splits.
const CHUNK: usize = 4_096;

/// An ordered map of chunks, each a [`SortedMap`] behind an `Rc`; all keys of a chunk are less
/// than the next chunk's. The subset of `BTreeMap`'s API the engine uses.
#[derive(Debug)]
pub struct SharedMap<K, V> {
    chunks: Vec<Rc<SortedMap<K, V>>>,
}

impl<K, V> Clone for SharedMap<K, V> {
    /// Shares every chunk.
    fn clone(&self) -> Self {
        SharedMap {
            chunks: self.chunks.clone(),
        }
    }
}

impl<K, V> Default for SharedMap<K, V> {
    fn default() -> Self {
        SharedMap { chunks: Vec::new() }
    }
}

impl<K: Ord + Clone, V: Clone + Default> SharedMap<K, V> {
    /// An empty map.
    pub fn new() -> Self {
        SharedMap::default()
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.chunks.iter().map(|c| c.len()).sum()
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.chunks.iter().all(|c| c.is_empty())
    }

    /// The index of the chunk `key` belongs in: the first whose last key is not less.
    fn chunk_of(&self, key: &K) -> usize {
        self.chunks
            .partition_point(|c| c.last_key_value().is_some_and(|(k, _)| k < key))
    }

    /// The value of `key`.
    pub fn get(&self, key: &K) -> Option<&V> {
        self.chunks.get(self.chunk_of(key))?.get(key)
    }

    /// The value of `key`, inserted as `V::default()` if missing.
    pub fn get_or_default(&mut self, key: K) -> &mut V {
        let mut i = self.chunk_of(&key);
        if i == self.chunks.len() {
            // Past every key: the last chunk, unless it is full.
            match self.chunks.last() {
                Some(last) if last.len() < CHUNK => i -= 1,
                _ => self.chunks.push(Rc::new(SortedMap::new())),
            }
        }
        if self.chunks[i].len() >= 2 * CHUNK {
            let upper: SortedMap<K, V> = Rc::make_mut(&mut self.chunks[i]).split_off_upper_half();
            self.chunks.insert(i + 1, Rc::new(upper));
            if self.chunks[i + 1]
                .first_key_value()
                .is_some_and(|(k, _)| *k <= key)
            {
                i += 1;
            }
        }
        Rc::make_mut(&mut self.chunks[i]).get_or_default(key)
    }

    /// Drops the smallest keys while `old` holds (it must hold for a prefix of the keys):
    /// whole chunks go without being copied.
    pub fn forget_while(&mut self, old: impl Fn(&K) -> bool) {
        let gone = self
            .chunks
            .partition_point(|c| c.last_key_value().is_some_and(|(k, _)| old(k)));
        self.chunks.drain(..gone);
        if let Some(first) = self.chunks.first_mut() {
            if first.first_key_value().is_some_and(|(k, _)| old(k)) {
                Rc::make_mut(first).retain(|k, _| !old(k));
            }
        }
    }

    /// Entries in key order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&K, &V)> {
        self.chunks.iter().flat_map(|c| c.iter())
    }

    /// Values in key order.
    pub fn values(&self) -> impl DoubleEndedIterator<Item = &V> {
        self.iter().map(|(_, v)| v)
    }

    /// Values in key order, to change (copies every shared chunk).
    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut V> {
        self.chunks
            .iter_mut()
            .flat_map(|c| Rc::make_mut(c).values_mut())
    }
}

trait SplitOff<K, V> {
    fn split_off_upper_half(&mut self) -> SortedMap<K, V>;
}

impl<K: Ord + Clone, V: Clone> SplitOff<K, V> for SortedMap<K, V> {
    /// Moves the upper half of the entries into a new map.
    fn split_off_upper_half(&mut self) -> SortedMap<K, V> {
        let keep = self.len() / 2;
        let mut upper = SortedMap::new();
        let mut i = 0;
        self.retain(|k, v| {
            i += 1;
            if i > keep {
                upper.insert(k.clone(), v.clone());
                false
            } else {
                true
            }
        });
        upper
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Property tests, natively (proptest is not built for wasm32).
    #[cfg(not(target_arch = "wasm32"))]
    mod property {
        use std::collections::BTreeMap;

        use proptest::prelude::*;

        use super::*;

        proptest! {
            /// The same answers as a `BTreeMap` under the engine's operations, and a copy taken
            /// along the way keeps what it had.
            #[test]
            fn behaves_as_a_btreemap(ops in proptest::collection::vec((0u8..4, 0u32..30_000, any::<u8>()), 1..400)) {
                let mut map: SharedMap<u32, u8> = SharedMap::new();
                let mut model: BTreeMap<u32, u8> = BTreeMap::new();
                let mut copy: Option<(SharedMap<u32, u8>, BTreeMap<u32, u8>)> = None;
                for (op, key, value) in ops {
                    match op {
                        0 | 1 => {
                            // Mostly at the end, as message ids are.
                            let key = if op == 0 { model.keys().next_back().map_or(key, |k| k + 1) } else { key };
                            *map.get_or_default(key) = value;
                            model.insert(key, value);
                        }
                        2 => {
                            map.forget_while(|k| *k < key / 4);
                            model.retain(|k, _| *k >= key / 4);
                        }
                        _ => copy = Some((map.clone(), model.clone())),
                    }
                    prop_assert_eq!(map.len(), model.len());
                    prop_assert_eq!(map.get(&key), model.get(&key));
                }
                let got: Vec<(u32, u8)> = map.iter().map(|(k, v)| (*k, *v)).collect();
                let want: Vec<(u32, u8)> = model.into_iter().collect();
                prop_assert_eq!(got, want);
                if let Some((copy, then)) = copy {
                    let got: Vec<(u32, u8)> = copy.iter().map(|(k, v)| (*k, *v)).collect();
                    prop_assert_eq!(got, then.into_iter().collect::<Vec<_>>());
                }
            }
        }
    }

    #[test]
    fn a_copy_shares_its_chunks_until_one_changes() {
        let mut map: SharedMap<u32, u32> = SharedMap::new();
        for k in 0..3 * CHUNK as u32 {
            *map.get_or_default(k) = k;
        }
        assert_eq!(map.chunks.len(), 3);
        let copy = map.clone();
        *map.get_or_default(3 * CHUNK as u32 - 1) = 0;
        let shared = map
            .chunks
            .iter()
            .zip(&copy.chunks)
            .filter(|(a, b)| Rc::ptr_eq(a, b))
            .count();
        assert_eq!(shared, 2, "only the chunk written to was copied");
        assert_eq!(copy.len(), 3 * CHUNK);
    }

    #[test]
    fn a_chunk_filled_in_the_middle_splits() {
        let mut map: SharedMap<u32, u32> = SharedMap::new();
        for k in 0..CHUNK as u32 {
            *map.get_or_default(3 * k) = k;
        }
        *map.get_or_default(3 * CHUNK as u32) = 0; // a second chunk
        for k in 0..CHUNK as u32 {
            *map.get_or_default(3 * k + 1) = k;
            *map.get_or_default(3 * k + 2) = k;
        }
        assert!(map.chunks.len() >= 3, "{}", map.chunks.len());
        assert!(map.chunks.iter().all(|c| c.len() <= 2 * CHUNK));
        let keys: Vec<u32> = map.iter().map(|(k, _)| *k).collect();
        assert_eq!(keys, (0..=3 * CHUNK as u32).collect::<Vec<_>>());
        assert_eq!(map.get(&(3 * 100 + 2)), Some(&100));
    }
}
