//! [`SortedMap`]: an ordered map kept as one sorted `Vec` of pairs.
//!
//! Why not `BTreeMap` everywhere: in the page's wasm every distinct `BTreeMap<K, V>` brings its
//! own copy of the B-tree code (node splits, merges, steals, three iterators), 3–6 KB each, and
//! the broker and the page had more than twenty of them. A sorted `Vec` needs a binary search
//! and a `Vec::insert`/`remove`: a fraction of that code, the same iteration order (by key, so
//! determinism is unchanged), and faster lookups for the small maps it is used for.
//!
//! Use it for maps of at most a few thousand entries that change far less often than they are
//! read: vhosts, connections, channels, consumers, exchanges, queues, the page's node positions.
//! Inserting or removing is O(n), so per-message maps (unacked deliveries, message ids) and
//! the binding indexes stay `BTreeMap`s.

use std::borrow::Borrow;
use std::fmt;

/// An ordered map on a sorted `Vec<(K, V)>`; the subset of `BTreeMap`'s API the crates use,
/// with the same meaning (a later `insert` of an equal key replaces the value).
#[derive(Clone, PartialEq, Eq)]
pub struct SortedMap<K, V> {
    entries: Vec<(K, V)>,
}

impl<K, V> Default for SortedMap<K, V> {
    fn default() -> Self {
        SortedMap {
            entries: Vec::new(),
        }
    }
}

impl<K: Ord, V> SortedMap<K, V> {
    /// As `BTreeMap::new`.
    pub const fn new() -> Self {
        SortedMap {
            entries: Vec::new(),
        }
    }

    /// `Ok(index)` of the key, or `Err(index)` where it would go.
    fn find<Q: ?Sized + Ord>(&self, key: &Q) -> Result<usize, usize>
    where
        K: Borrow<Q>,
    {
        self.entries.binary_search_by(|(k, _)| k.borrow().cmp(key))
    }

    /// As `BTreeMap::len`.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// As `BTreeMap::is_empty`.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// As `BTreeMap::clear`.
    pub fn clear(&mut self) {
        self.entries.clear();
    }

    /// As `BTreeMap::get`.
    pub fn get<Q: ?Sized + Ord>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
    {
        self.find(key).ok().map(|i| &self.entries[i].1)
    }

    /// As `BTreeMap::get_mut`.
    pub fn get_mut<Q: ?Sized + Ord>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
    {
        self.find(key).ok().map(|i| &mut self.entries[i].1)
    }

    /// As `BTreeMap::get_key_value`.
    pub fn get_key_value<Q: ?Sized + Ord>(&self, key: &Q) -> Option<(&K, &V)>
    where
        K: Borrow<Q>,
    {
        self.find(key).ok().map(|i| {
            let (k, v) = &self.entries[i];
            (k, v)
        })
    }

    /// As `BTreeMap::contains_key`.
    pub fn contains_key<Q: ?Sized + Ord>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
    {
        self.find(key).is_ok()
    }

    /// Inserts or replaces; returns the value it replaced.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        match self.find(&key) {
            Ok(i) => Some(std::mem::replace(&mut self.entries[i].1, value)),
            Err(i) => {
                self.entries.insert(i, (key, value));
                None
            }
        }
    }

    /// As `BTreeMap::remove`.
    pub fn remove<Q: ?Sized + Ord>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
    {
        self.find(key).ok().map(|i| self.entries.remove(i).1)
    }

    /// The value for `key`, inserted as `V::default()` when missing (`entry(k).or_default()`).
    pub fn get_or_default(&mut self, key: K) -> &mut V
    where
        V: Default,
    {
        self.get_or_insert_with(key, V::default)
    }

    /// The value for `key`, inserted as `make()` when missing (`entry(k).or_insert_with(make)`).
    pub fn get_or_insert_with(&mut self, key: K, make: impl FnOnce() -> V) -> &mut V {
        let i = match self.find(&key) {
            Ok(i) => i,
            Err(i) => {
                self.entries.insert(i, (key, make()));
                i
            }
        };
        &mut self.entries[i].1
    }

    /// Keeps the entries `keep` says yes to, in order.
    pub fn retain(&mut self, mut keep: impl FnMut(&K, &mut V) -> bool) {
        self.entries.retain_mut(|(k, v)| keep(k, v));
    }

    /// As `BTreeMap::first_key_value`.
    pub fn first_key_value(&self) -> Option<(&K, &V)> {
        self.entries.first().map(|(k, v)| (k, v))
    }

    /// As `BTreeMap::last_key_value`.
    pub fn last_key_value(&self) -> Option<(&K, &V)> {
        self.entries.last().map(|(k, v)| (k, v))
    }
}

impl<K, V> SortedMap<K, V> {
    /// As `BTreeMap::iter`.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&K, &V)> + ExactSizeIterator + Clone {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    /// As `BTreeMap::iter_mut`.
    pub fn iter_mut(
        &mut self,
    ) -> impl DoubleEndedIterator<Item = (&K, &mut V)> + ExactSizeIterator {
        self.entries.iter_mut().map(|(k, v)| (&*k, v))
    }

    /// As `BTreeMap::keys`.
    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &K> + ExactSizeIterator + Clone {
        self.entries.iter().map(|(k, _)| k)
    }

    /// As `BTreeMap::values`.
    pub fn values(&self) -> impl DoubleEndedIterator<Item = &V> + ExactSizeIterator + Clone {
        self.entries.iter().map(|(_, v)| v)
    }

    /// As `BTreeMap::values_mut`.
    pub fn values_mut(&mut self) -> impl DoubleEndedIterator<Item = &mut V> + ExactSizeIterator {
        self.entries.iter_mut().map(|(_, v)| v)
    }

    /// As `BTreeMap::into_values`.
    pub fn into_values(self) -> impl DoubleEndedIterator<Item = V> + ExactSizeIterator {
        self.entries.into_iter().map(|(_, v)| v)
    }

    /// As `BTreeMap::into_keys`.
    pub fn into_keys(self) -> impl DoubleEndedIterator<Item = K> + ExactSizeIterator {
        self.entries.into_iter().map(|(k, _)| k)
    }
}

impl<K: Ord, V> FromIterator<(K, V)> for SortedMap<K, V> {
    /// As `BTreeMap`: for equal keys the last pair wins.
    fn from_iter<I: IntoIterator<Item = (K, V)>>(pairs: I) -> Self {
        let mut map = SortedMap::new();
        map.extend(pairs);
        map
    }
}

impl<K: Ord, V> Extend<(K, V)> for SortedMap<K, V> {
    fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, pairs: I) {
        for (k, v) in pairs {
            self.insert(k, v);
        }
    }
}

impl<K, V> IntoIterator for SortedMap<K, V> {
    type Item = (K, V);
    type IntoIter = std::vec::IntoIter<(K, V)>;
    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}

impl<'a, K, V> IntoIterator for &'a SortedMap<K, V> {
    type Item = (&'a K, &'a V);
    type IntoIter = std::iter::Map<std::slice::Iter<'a, (K, V)>, fn(&'a (K, V)) -> (&'a K, &'a V)>;
    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter().map(|(k, v)| (k, v))
    }
}

impl<K: Ord + Borrow<Q>, Q: ?Sized + Ord, V> std::ops::Index<&Q> for SortedMap<K, V> {
    type Output = V;
    /// As `BTreeMap`'s: panics when the key is missing.
    fn index(&self, key: &Q) -> &V {
        self.get(key).expect("no entry found for key")
    }
}

impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for SortedMap<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

/// An ordered set on a sorted `Vec`, for the same reason and the same kind of use as
/// [`SortedMap`].
#[derive(Clone, PartialEq, Eq)]
pub struct SortedSet<T> {
    items: Vec<T>,
}

impl<T> Default for SortedSet<T> {
    fn default() -> Self {
        SortedSet { items: Vec::new() }
    }
}

impl<T: Ord> SortedSet<T> {
    /// As `BTreeSet::new`.
    pub const fn new() -> Self {
        SortedSet { items: Vec::new() }
    }

    fn find<Q: ?Sized + Ord>(&self, item: &Q) -> Result<usize, usize>
    where
        T: Borrow<Q>,
    {
        self.items.binary_search_by(|t| t.borrow().cmp(item))
    }

    /// As `BTreeSet::len`.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// As `BTreeSet::is_empty`.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// As `BTreeSet::clear`.
    pub fn clear(&mut self) {
        self.items.clear();
    }

    /// As `BTreeSet::contains`.
    pub fn contains<Q: ?Sized + Ord>(&self, item: &Q) -> bool
    where
        T: Borrow<Q>,
    {
        self.find(item).is_ok()
    }

    /// `true` when the item was not there yet.
    pub fn insert(&mut self, item: T) -> bool {
        match self.find(&item) {
            Ok(_) => false,
            Err(i) => {
                self.items.insert(i, item);
                true
            }
        }
    }

    /// `true` when the item was there.
    pub fn remove<Q: ?Sized + Ord>(&mut self, item: &Q) -> bool
    where
        T: Borrow<Q>,
    {
        match self.find(item) {
            Ok(i) => {
                self.items.remove(i);
                true
            }
            Err(_) => false,
        }
    }

    /// As `BTreeSet::retain`.
    pub fn retain(&mut self, keep: impl FnMut(&T) -> bool) {
        self.items.retain(keep);
    }

    /// As `BTreeSet::first`.
    pub fn first(&self) -> Option<&T> {
        self.items.first()
    }

    /// As `BTreeSet::iter`.
    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.items.iter()
    }
}

impl<T: Ord> FromIterator<T> for SortedSet<T> {
    fn from_iter<I: IntoIterator<Item = T>>(items: I) -> Self {
        let mut set = SortedSet::new();
        set.extend(items);
        set
    }
}

impl<T: Ord> Extend<T> for SortedSet<T> {
    fn extend<I: IntoIterator<Item = T>>(&mut self, items: I) {
        for item in items {
            self.insert(item);
        }
    }
}

impl<T> IntoIterator for SortedSet<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

impl<'a, T> IntoIterator for &'a SortedSet<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

impl<T: fmt::Debug> fmt::Debug for SortedSet<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.items.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeMap, BTreeSet};

    /// The same operations on a `BTreeMap` and a `SortedMap` leave the same contents, in the
    /// same order, and return the same answers.
    #[test]
    fn behaves_like_a_btree_map() {
        let mut ours = SortedMap::new();
        let mut theirs = BTreeMap::new();
        // A fixed pseudo-random walk of inserts, replacements and removals over 40 keys.
        let mut x: u32 = 7;
        for step in 0..2_000u32 {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            let key = (x >> 16) % 40;
            match (x >> 8) % 3 {
                0 | 1 => assert_eq!(ours.insert(key, step), theirs.insert(key, step)),
                _ => assert_eq!(ours.remove(&key), theirs.remove(&key)),
            }
            assert_eq!(ours.get(&key), theirs.get(&key));
            assert_eq!(ours.len(), theirs.len());
        }
        assert!(ours.iter().eq(theirs.iter()));
        assert_eq!(ours.first_key_value(), theirs.first_key_value());
        assert_eq!(ours.last_key_value(), theirs.last_key_value());
        ours.retain(|k, _| k % 2 == 0);
        theirs.retain(|k, _| k % 2 == 0);
        assert!(ours.iter().eq(theirs.iter()));
    }

    #[test]
    fn collecting_keeps_the_last_value_of_equal_keys_and_sorts() {
        let map: SortedMap<&str, u8> = [("b", 1), ("a", 2), ("b", 3)].into_iter().collect();
        assert_eq!(map.iter().collect::<Vec<_>>(), [(&"a", &2), (&"b", &3)]);
        assert_eq!(format!("{map:?}"), r#"{"a": 2, "b": 3}"#);
        let mut map = map;
        *map.get_or_default("c") += 5;
        *map.get_or_default("a") += 5;
        assert_eq!(map.values().copied().collect::<Vec<_>>(), [7, 3, 5]);
        let borrowed: SortedMap<String, u8> = [("x".to_string(), 1)].into_iter().collect();
        assert_eq!(borrowed.get("x"), Some(&1));
    }

    #[test]
    fn the_set_behaves_like_a_btree_set() {
        let mut ours = SortedSet::new();
        let mut theirs = BTreeSet::new();
        for (i, v) in [5, 3, 5, 9, 1, 3, 7].into_iter().enumerate() {
            if i % 3 == 2 {
                assert_eq!(ours.remove(&v), theirs.remove(&v));
            } else {
                assert_eq!(ours.insert(v), theirs.insert(v));
            }
        }
        assert!(ours.iter().eq(theirs.iter()));
        assert_eq!(ours.first(), theirs.first());
        assert_eq!(format!("{ours:?}"), format!("{theirs:?}"));
    }
}
