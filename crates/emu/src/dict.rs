//! The process dictionary: key/value pairs in a vector (the collector's roots, and
//! `get/0`'s order), plus a hash index once there are more than a few, so that `get/1`
//! and `put/2` stay O(1) for the processes that keep thousands of keys.

use crate::compare::eq_exact;
use hashbrown::HashTable;
use oxbeam_term::Term;

/// Up to this many pairs a linear scan beats hashing the key.
const SCAN_MAX: usize = 8;

#[derive(Default)]
pub struct Dictionary {
    pairs: Vec<[Term; 2]>,
    /// Positions in `pairs`, hashed by key; present once `pairs` outgrew `SCAN_MAX`.
    /// Keys hash by content, so moving terms in a collection leaves it valid.
    index: Option<Box<HashTable<u32>>>,
}

use crate::map::hash::exact_key_hash as key_hash;

impl Dictionary {
    pub fn len(&self) -> usize {
        self.pairs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }

    pub fn pairs(&self) -> &[[Term; 2]] {
        &self.pairs
    }

    /// Every key and value, for the collector to update in place.
    pub fn roots_mut(&mut self) -> &mut [Term] {
        self.pairs.as_flattened_mut()
    }

    /// Bytes held outside the process heap.
    pub fn footprint(&self) -> usize {
        self.pairs.capacity() * 16 + self.index.as_ref().map_or(0, |t| t.capacity() * 5)
    }

    fn position(&self, key: Term) -> Option<usize> {
        match &self.index {
            None => self.pairs.iter().position(|kv| eq_exact(kv[0], key)),
            Some(t) => {
                let pairs = &self.pairs;
                t.find(key_hash(key), |&i| eq_exact(pairs[i as usize][0], key))
                    .map(|&i| i as usize)
            }
        }
    }

    pub fn get(&self, key: Term) -> Option<Term> {
        self.position(key).map(|i| self.pairs[i][1])
    }

    /// Sets `key` to `value`; the previous value if there was one.
    pub fn put(&mut self, key: Term, value: Term) -> Option<Term> {
        if let Some(i) = self.position(key) {
            return Some(std::mem::replace(&mut self.pairs[i][1], value));
        }
        let at = self.pairs.len();
        self.pairs.push([key, value]);
        match &mut self.index {
            Some(t) => {
                let pairs = &self.pairs;
                t.insert_unique(key_hash(key), at as u32, |&i| {
                    key_hash(pairs[i as usize][0])
                });
            }
            None if self.pairs.len() > SCAN_MAX => self.build_index(),
            None => {}
        }
        None
    }

    fn build_index(&mut self) {
        let mut t = HashTable::with_capacity(self.pairs.len() * 2);
        for (i, kv) in self.pairs.iter().enumerate() {
            let pairs = &self.pairs;
            t.insert_unique(key_hash(kv[0]), i as u32, |&j| {
                key_hash(pairs[j as usize][0])
            });
        }
        self.index = Some(Box::new(t));
    }

    /// Removes `key`; its value if it was there. The last pair takes the removed one's
    /// place (the reference's `get/0` order is its hash table's, not insertion order).
    pub fn erase(&mut self, key: Term) -> Option<Term> {
        let i = self.position(key)?;
        let last = self.pairs.len() - 1;
        if let Some(t) = &mut self.index {
            let pairs = &self.pairs;
            if let Ok(e) = t.find_entry(key_hash(key), |&j| j as usize == i) {
                e.remove();
            }
            if i != last {
                let moved = pairs[last][0];
                if let Some(slot) = t.find_mut(key_hash(moved), |&j| j as usize == last) {
                    *slot = i as u32;
                }
            }
        }
        let [_, value] = self.pairs.swap_remove(i);
        if self.pairs.is_empty() {
            self.index = None;
        }
        Some(value)
    }

    /// Empties the dictionary, returning its pairs.
    pub fn take_all(&mut self) -> Vec<[Term; 2]> {
        self.index = None;
        std::mem::take(&mut self.pairs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn put_get_erase_across_the_index_threshold() {
        let mut d = Dictionary::default();
        for k in 0..1000i64 {
            assert_eq!(d.put(Term::small(k), Term::small(k * 2)), None);
        }
        assert_eq!(d.len(), 1000);
        assert_eq!(d.put(Term::small(7), Term::small(0)), Some(Term::small(14)));
        for k in (0..1000i64).step_by(3) {
            assert!(d.erase(Term::small(k)).is_some());
        }
        assert_eq!(d.erase(Term::small(3)), None);
        for k in 0..1000i64 {
            let want = if k % 3 == 0 {
                None
            } else if k == 7 {
                Some(Term::small(0))
            } else {
                Some(Term::small(k * 2))
            };
            assert_eq!(d.get(Term::small(k)), want, "key {k}");
        }
        assert_eq!(d.take_all().len(), 666);
        assert!(d.is_empty() && d.get(Term::small(1)).is_none());
    }
}
