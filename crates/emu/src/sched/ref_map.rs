//! A map from reference numbers to small records, for a process's monitors and aliases.
//!
//! Almost every process holds none or a handful (a `gen_server:call` makes one monitor
//! and drops it), so the map starts as a vector searched linearly: no hashing, and its
//! buffer is reused from call to call. A process that monitors many others at once
//! (a supervisor of thousands, a test spawning 100,000 monitored workers) would make each
//! `'DOWN'` cost a scan of all the others, so past `FEW_MAX` entries the map turns into
//! a hash table.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Entries kept in the vector form.
const FEW_MAX: usize = 16;

pub enum RefMap<V> {
    Few(Vec<(u64, V)>),
    Many(Box<HashMap<u64, V, BuildHasherDefault<RefHasher>>>),
}

impl<V> Default for RefMap<V> {
    fn default() -> Self {
        RefMap::Few(Vec::new())
    }
}

impl<V> RefMap<V> {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn len(&self) -> usize {
        match self {
            RefMap::Few(v) => v.len(),
            RefMap::Many(m) => m.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Adds `key` (references are unique: the caller never inserts one twice).
    pub fn insert(&mut self, key: u64, value: V) {
        match self {
            RefMap::Few(v) if v.len() < FEW_MAX => v.push((key, value)),
            RefMap::Few(v) => {
                let mut m: HashMap<u64, V, BuildHasherDefault<RefHasher>> =
                    HashMap::with_capacity_and_hasher(FEW_MAX * 2, Default::default());
                m.extend(v.drain(..));
                m.insert(key, value);
                *self = RefMap::Many(Box::new(m));
            }
            RefMap::Many(m) => {
                m.insert(key, value);
            }
        }
    }

    pub fn get(&self, key: u64) -> Option<&V> {
        match self {
            RefMap::Few(v) => v.iter().find(|e| e.0 == key).map(|e| &e.1),
            RefMap::Many(m) => m.get(&key),
        }
    }

    pub fn remove(&mut self, key: u64) -> Option<V> {
        match self {
            RefMap::Few(v) => {
                let i = v.iter().position(|e| e.0 == key)?;
                Some(v.swap_remove(i).1)
            }
            RefMap::Many(m) => {
                let r = m.remove(&key);
                if m.is_empty() {
                    *self = RefMap::default();
                }
                r
            }
        }
    }

    /// Every entry, in no particular order.
    pub fn iter(&self) -> Box<dyn Iterator<Item = (u64, &V)> + '_> {
        match self {
            RefMap::Few(v) => Box::new(v.iter().map(|e| (e.0, &e.1))),
            RefMap::Many(m) => Box::new(m.iter().map(|(k, v)| (*k, v))),
        }
    }

    /// Empties the map, returning what it held.
    pub fn take_all(&mut self) -> Vec<(u64, V)> {
        match std::mem::take(self) {
            RefMap::Few(v) => v,
            RefMap::Many(m) => m.into_iter().collect(),
        }
    }
}

/// Reference numbers come from a counter: spreading its bits with one multiplication is
/// enough for the table and much cheaper than SipHash.
#[derive(Default)]
pub struct RefHasher(u64);

impl Hasher for RefHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ b as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (n ^ (n >> 29)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_into_a_table_and_back() {
        let mut m = RefMap::new();
        for k in 0..1000u64 {
            m.insert(k * 7, k);
        }
        assert!(matches!(m, RefMap::Many(_)));
        assert_eq!(m.len(), 1000);
        assert_eq!(m.get(7 * 500), Some(&500));
        assert_eq!(m.get(3), None);
        for k in 0..1000u64 {
            assert_eq!(m.remove(k * 7), Some(k));
        }
        assert!(m.is_empty());
        assert!(matches!(m, RefMap::Few(_)));
        assert_eq!(m.remove(7), None);
    }

    #[test]
    fn few_keeps_insertion_order_until_a_removal() {
        let mut m = RefMap::new();
        for k in 1..=4u64 {
            m.insert(k, ());
        }
        let keys: Vec<u64> = m.iter().map(|e| e.0).collect();
        assert_eq!(keys, [1, 2, 3, 4]);
        m.remove(2);
        let keys: Vec<u64> = m.iter().map(|e| e.0).collect();
        assert_eq!(keys, [1, 4, 3]);
        assert_eq!(m.take_all().len(), 3);
        assert!(m.is_empty());
    }
}
