//! Storage of `ordered_set` tables: objects in a B-tree ordered by key in Erlang term
//! order, where keys that compare equal (`1` and `1.0`) are the same key.

use super::hash_store::Delta;
use super::stored::StoredObject;
use crate::compare::compare;
use oxbeam_term::Term;
use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::ops::Bound;

/// A key in term order. In the map it points into its own stored object; in queries, at
/// the caller's term.
#[derive(Clone, Copy)]
pub struct OrdKey(pub Term);

impl PartialEq for OrdKey {
    fn eq(&self, o: &Self) -> bool {
        self.cmp(o) == Ordering::Equal
    }
}
impl Eq for OrdKey {}
impl PartialOrd for OrdKey {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for OrdKey {
    fn cmp(&self, o: &Self) -> Ordering {
        compare(self.0, o.0, false)
    }
}

pub struct OrderedStore {
    keypos: usize,
    map: BTreeMap<OrdKey, StoredObject>,
}

impl OrderedStore {
    pub fn new(keypos: usize) -> OrderedStore {
        OrderedStore {
            keypos,
            map: BTreeMap::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    pub fn lookup(&self, key: Term) -> Option<&StoredObject> {
        self.map.get(&OrdKey(key))
    }

    pub fn lookup_mut(&mut self, key: Term) -> Option<&mut StoredObject> {
        self.map.get_mut(&OrdKey(key))
    }

    pub fn insert(&mut self, obj: StoredObject) -> Delta {
        let words = obj.words() as isize;
        let key = OrdKey(obj.key(self.keypos));
        // The old entry goes entirely (its key points into the old object).
        match self.map.remove(&key) {
            Some(old) => {
                let old_words = old.words() as isize;
                let key = OrdKey(obj.key(self.keypos));
                self.map.insert(key, obj);
                Delta {
                    objects: 0,
                    words: words - old_words,
                }
            }
            None => {
                self.map.insert(key, obj);
                Delta { objects: 1, words }
            }
        }
    }

    pub fn delete_key(&mut self, key: Term) -> Delta {
        match self.map.remove(&OrdKey(key)) {
            Some(o) => Delta {
                objects: -1,
                words: -(o.words() as isize),
            },
            None => Delta::default(),
        }
    }

    pub fn clear(&mut self) -> Delta {
        let d = Delta {
            objects: -(self.map.len() as isize),
            words: -(self.map.values().map(|o| o.words()).sum::<usize>() as isize),
        };
        self.map.clear();
        d
    }

    pub fn first(&self) -> Option<&StoredObject> {
        self.map.values().next()
    }

    pub fn last(&self) -> Option<&StoredObject> {
        self.map.values().next_back()
    }

    /// The first object whose key is greater than `key` (which need not be in the table).
    pub fn next(&self, key: Term) -> Option<&StoredObject> {
        self.map
            .range((Bound::Excluded(OrdKey(key)), Bound::Unbounded))
            .next()
            .map(|(_, o)| o)
    }

    /// The last object whose key is smaller than `key`.
    pub fn prev(&self, key: Term) -> Option<&StoredObject> {
        self.map
            .range((Bound::Unbounded, Bound::Excluded(OrdKey(key))))
            .next_back()
            .map(|(_, o)| o)
    }

    /// Objects in key order, starting after `after` if given.
    pub fn iter_from(&self, after: Option<Term>) -> impl DoubleEndedIterator<Item = &StoredObject> {
        let lower = match after {
            Some(k) => Bound::Excluded(OrdKey(k)),
            None => Bound::Unbounded,
        };
        self.map.range((lower, Bound::Unbounded)).map(|(_, o)| o)
    }

    /// Objects in reverse key order, starting before `before` if given.
    pub fn iter_rev_from(&self, before: Option<Term>) -> impl Iterator<Item = &StoredObject> {
        let upper = match before {
            Some(k) => Bound::Excluded(OrdKey(k)),
            None => Bound::Unbounded,
        };
        self.map
            .range((Bound::Unbounded, upper))
            .rev()
            .map(|(_, o)| o)
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &StoredObject> {
        self.map.values()
    }

    /// Removes the objects `remove` picks.
    pub fn retain(&mut self, mut remove: impl FnMut(&StoredObject) -> bool) -> Delta {
        let mut d = Delta::default();
        self.map.retain(|_, o| {
            let gone = remove(o);
            if gone {
                d.objects -= 1;
                d.words -= o.words() as isize;
            }
            !gone
        });
        d
    }

    /// Replaces objects in place (the replacement has an equal key).
    pub fn replace_each(
        &mut self,
        mut f: impl FnMut(&StoredObject) -> Option<StoredObject>,
    ) -> (usize, Delta) {
        let mut n = 0;
        let mut d = Delta::default();
        let keys: Vec<(OrdKey, StoredObject)> = {
            let mut repl = Vec::new();
            for o in self.map.values() {
                if let Some(new) = f(o) {
                    repl.push((OrdKey(new.key(self.keypos)), new));
                }
            }
            repl
        };
        for (k, new) in keys {
            d.words += new.words() as isize;
            if let Some(old) = self.map.remove(&k) {
                d.words -= old.words() as isize;
            }
            let k = OrdKey(new.key(self.keypos));
            self.map.insert(k, new);
            n += 1;
        }
        (n, d)
    }

    pub fn overhead_words(&self) -> usize {
        self.map.len() * 3
    }
}
