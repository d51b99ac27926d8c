//! Storage of `set`, `bag` and `duplicate_bag` tables: objects grouped by key in a
//! vector of slots (which is the traversal order of `first`/`next` and `select`), with a
//! hash index from key to slot.
//!
//! While the table is fixed (`safe_fixtable`, or a traversal in progress), deleted keys
//! keep their slot, marked deleted, so that `next` from a deleted key still knows where
//! to continue and no slot is reused under a traversal; `sweep` frees them when the last
//! fixation goes.

use super::stored::StoredObject;
use crate::compare::eq_exact;
use crate::map::hash::exact_key_hash;
use hashbrown::HashTable;
use oxbeam_term::Term;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum BagKind {
    /// One object per key.
    Set,
    /// Several objects per key, no two `=:=`-equal.
    Bag,
    /// Several objects per key, duplicates allowed.
    DuplicateBag,
}

struct Slot {
    hash: u64,
    /// The key (pointing into `first` when not an immediate): compared without reading
    /// the object.
    key: Term,
    /// Marked deleted while the table is fixed (see the module comment).
    deleted: bool,
    /// `None`: a free slot.
    first: Option<StoredObject>,
    /// Further objects of the key (bags only), in insertion order. Boxed so that slots
    /// of sets (nearly always without) are 16 bytes smaller.
    #[allow(clippy::box_collection)]
    rest: Option<Box<Vec<StoredObject>>>,
}

impl Slot {
    fn objects(&self) -> impl Iterator<Item = &StoredObject> {
        self.first
            .iter()
            .chain(self.rest.iter().flat_map(|v| v.iter()))
    }
    fn count(&self) -> usize {
        self.first.is_some() as usize + self.rest.as_ref().map_or(0, |v| v.len())
    }
    fn is_live(&self) -> bool {
        self.first.is_some() && !self.deleted
    }
    fn words(&self) -> usize {
        self.objects().map(StoredObject::words).sum()
    }
    /// Takes every object out, in order (the slot is left empty until `regroup`).
    fn take_all(&mut self) -> Vec<StoredObject> {
        let mut all: Vec<StoredObject> = self.first.take().into_iter().collect();
        all.extend(self.rest.take().map(|b| *b).unwrap_or_default());
        all
    }

    /// Holds `objs` (non-empty, same key) from now on.
    fn regroup(&mut self, objs: Vec<StoredObject>, keypos: usize) {
        let mut it = objs.into_iter();
        self.first = it.next();
        let rest: Vec<StoredObject> = it.collect();
        self.rest = (!rest.is_empty()).then(|| Box::new(rest));
        if let Some(f) = &self.first {
            self.key = f.key(keypos);
        }
    }

    /// Drops the objects; the slot becomes free.
    fn clear(&mut self) {
        self.first = None;
        self.rest = None;
        self.deleted = false;
    }
}

/// What a change did to the table's counts.
#[derive(Default, Clone, Copy, Debug)]
pub struct Delta {
    pub objects: isize,
    pub words: isize,
}

impl std::ops::AddAssign for Delta {
    fn add_assign(&mut self, o: Delta) {
        self.objects += o.objects;
        self.words += o.words;
    }
}

pub struct HashStore {
    kind: BagKind,
    keypos: usize,
    slots: Vec<Slot>,
    index: HashTable<u32>,
    free: Vec<u32>,
    /// Slots marked deleted (waiting for the table to be unfixed).
    marked: usize,
}

pub fn key_hash(key: Term) -> u64 {
    exact_key_hash(key)
}

impl HashStore {
    pub fn new(kind: BagKind, keypos: usize) -> HashStore {
        HashStore {
            kind,
            keypos,
            slots: Vec::new(),
            index: HashTable::new(),
            free: Vec::new(),
            marked: 0,
        }
    }

    /// The slot holding `key` (live or marked deleted).
    fn position(&self, key: Term, hash: u64) -> Option<usize> {
        let slots = &self.slots;
        self.index
            .find(hash, |&i| {
                let s = &slots[i as usize];
                s.hash == hash && (s.key == key || (!key.is_immed() && eq_exact(s.key, key)))
            })
            .map(|&i| i as usize)
    }

    fn live_position(&self, key: Term, hash: u64) -> Option<usize> {
        self.position(key, hash).filter(|&i| !self.slots[i].deleted)
    }

    /// The objects with `key`, in insertion order.
    pub fn lookup(&self, key: Term, hash: u64) -> impl Iterator<Item = &StoredObject> {
        self.live_position(key, hash)
            .into_iter()
            .flat_map(move |i| self.slots[i].objects())
    }

    pub fn member(&self, key: Term, hash: u64) -> bool {
        self.live_position(key, hash).is_some()
    }

    /// The first object with `key`, mutable (for in-place updates of set objects).
    pub fn lookup_mut(&mut self, key: Term, hash: u64) -> Option<&mut StoredObject> {
        let i = self.live_position(key, hash)?;
        self.slots[i].first.as_mut()
    }

    /// Inserts a copied object.
    pub fn insert(&mut self, obj: StoredObject, hash: u64) -> Delta {
        let words = obj.words() as isize;
        let key = obj.key(self.keypos);
        // One probe finds the key or the place for it.
        let slots = &self.slots;
        let entry = self.index.entry(
            hash,
            |&i| {
                let s = &slots[i as usize];
                s.hash == hash && (s.key == key || (!key.is_immed() && eq_exact(s.key, key)))
            },
            |&i| slots[i as usize].hash,
        );
        let vacant = match entry {
            hashbrown::hash_table::Entry::Occupied(e) => Err(*e.get() as usize),
            hashbrown::hash_table::Entry::Vacant(v) => Ok(v),
        };
        if let Err(i) = vacant {
            let kind = self.kind;
            let s = &mut self.slots[i];
            if s.deleted {
                // A key deleted under fixation comes back: the old objects go now.
                let old = s.words() as isize;
                s.rest = None;
                s.key = key;
                s.first = Some(obj);
                s.deleted = false;
                self.marked -= 1;
                return Delta {
                    objects: 1,
                    words: words - old,
                };
            }
            return match kind {
                BagKind::Set => {
                    s.key = key;
                    let old = s.first.replace(obj).map_or(0, |o| o.words()) as isize;
                    Delta {
                        objects: 0,
                        words: words - old,
                    }
                }
                BagKind::Bag if s.objects().any(|o| eq_exact(o.term(), obj.term())) => {
                    Delta::default()
                }
                _ => {
                    s.rest.get_or_insert_with(Default::default).push(obj);
                    Delta { objects: 1, words }
                }
            };
        }
        let slot = Slot {
            hash,
            key,
            deleted: false,
            first: Some(obj),
            rest: None,
        };
        let at = match self.free.pop() {
            Some(i) => {
                self.slots[i as usize] = slot;
                i
            }
            None => {
                self.slots.push(slot);
                (self.slots.len() - 1) as u32
            }
        };
        if let Ok(v) = vacant {
            v.insert(at);
        }
        Delta { objects: 1, words }
    }

    /// Removes the slot at `i`, or marks it deleted when the table is fixed.
    fn remove_slot(&mut self, i: usize, fixed: bool) -> Delta {
        let d = self.remove_slot_no_compact(i, fixed);
        self.maybe_compact();
        d
    }

    fn unindex(&mut self, i: usize) {
        let hash = self.slots[i].hash;
        if let Ok(e) = self.index.find_entry(hash, |&j| j as usize == i) {
            e.remove();
        }
    }

    /// Deletes every object with `key`.
    pub fn delete_key(&mut self, key: Term, hash: u64, fixed: bool) -> Delta {
        match self.live_position(key, hash) {
            Some(i) => self.remove_slot(i, fixed),
            None => Delta::default(),
        }
    }

    /// Deletes the objects `=:=` to `obj` (one for a set or bag, all for a duplicate bag).
    pub fn delete_object(&mut self, obj: Term, key: Term, hash: u64, fixed: bool) -> Delta {
        let keypos = self.keypos;
        let Some(i) = self.live_position(key, hash) else {
            return Delta::default();
        };
        let matching = self.slots[i]
            .objects()
            .filter(|o| eq_exact(o.term(), obj))
            .count();
        if matching == 0 {
            return Delta::default();
        }
        if matching == self.slots[i].count() {
            return self.remove_slot(i, fixed);
        }
        // Some objects of the key stay: take the matching ones out of the group.
        let s = &mut self.slots[i];
        let all = s.take_all();
        let mut d = Delta::default();
        let mut kept = Vec::with_capacity(all.len());
        for o in all {
            if eq_exact(o.term(), obj) {
                d.objects -= 1;
                d.words -= o.words() as isize;
            } else {
                kept.push(o);
            }
        }
        s.regroup(kept, keypos);
        d
    }

    /// Deletes everything.
    pub fn clear(&mut self, fixed: bool) -> Delta {
        let mut d = Delta::default();
        if !fixed {
            for s in self.slots.iter().filter(|s| s.is_live()) {
                d.objects -= s.count() as isize;
                d.words -= s.words() as isize;
            }
            *self = HashStore::new(self.kind, self.keypos);
            return d;
        }
        for i in 0..self.slots.len() {
            if self.slots[i].is_live() {
                d += self.remove_slot_no_compact(i, fixed);
            }
        }
        d
    }

    /// Removes the live slot `i`, or marks it deleted when the table is fixed: marked
    /// slots keep their objects (for the key) until the sweep; their memory counts as
    /// gone already, as they are invisible.
    fn remove_slot_no_compact(&mut self, i: usize, fixed: bool) -> Delta {
        let s = &mut self.slots[i];
        let d = Delta {
            objects: -(s.count() as isize),
            words: -(s.words() as isize),
        };
        if fixed {
            if !s.deleted {
                s.deleted = true;
                self.marked += 1;
            }
        } else {
            self.unindex(i);
            self.slots[i].clear();
            self.free.push(i as u32);
        }
        d
    }

    /// Frees the slots marked deleted (the table is no longer fixed).
    pub fn sweep(&mut self) {
        if self.marked == 0 {
            return;
        }
        for i in 0..self.slots.len() {
            if self.slots[i].deleted {
                self.unindex(i);
                self.slots[i].clear();
                self.free.push(i as u32);
            }
        }
        self.marked = 0;
        self.maybe_compact();
    }

    /// Renumbers the slots when most are free, so traversals do not walk a sparse vector.
    fn maybe_compact(&mut self) {
        if self.marked != 0 || self.free.len() < 64 || self.free.len() * 4 < self.slots.len() * 3 {
            return;
        }
        let old = std::mem::take(&mut self.slots);
        self.free.clear();
        self.index.clear();
        for s in old.into_iter().filter(|s| s.first.is_some()) {
            let at = self.slots.len() as u32;
            let hash = s.hash;
            self.slots.push(s);
            let slots = &self.slots;
            self.index
                .insert_unique(hash, at, |&i| slots[i as usize].hash);
        }
    }

    /// The first live slot at or after `from`.
    pub fn live_from(&self, from: usize) -> Option<usize> {
        (from..self.slots.len()).find(|&i| self.slots[i].is_live())
    }

    /// The position after `key`'s slot (which may be marked deleted), or None if `key`
    /// has no slot.
    pub fn after(&self, key: Term, hash: u64) -> Option<usize> {
        self.position(key, hash).map(|i| i + 1)
    }

    pub fn key_at(&self, i: usize) -> Term {
        self.slots[i].key
    }

    /// The objects of the live slot `i`.
    pub fn objects_at(&self, i: usize) -> impl Iterator<Item = &StoredObject> {
        self.slots[i].objects()
    }

    pub fn slot_count(&self) -> usize {
        self.slots.len()
    }

    pub fn is_live(&self, i: usize) -> bool {
        self.slots[i].is_live()
    }

    /// Every live object, in traversal order.
    pub fn iter(&self) -> impl Iterator<Item = &StoredObject> {
        self.slots
            .iter()
            .filter(|s| s.is_live())
            .flat_map(|s| s.objects())
    }

    /// Removes the live objects for which `f` says so (a set's or bag's whole group
    /// is visited object by object). Returns the change.
    pub fn retain(&mut self, fixed: bool, mut remove: impl FnMut(&StoredObject) -> bool) -> Delta {
        let keypos = self.keypos;
        let mut d = Delta::default();
        for i in 0..self.slots.len() {
            if !self.slots[i].is_live() {
                continue;
            }
            if self.slots[i].rest.is_none() {
                if remove(self.slots[i].first.as_ref().unwrap()) {
                    d += self.remove_slot_no_compact(i, fixed);
                }
                continue;
            }
            let doomed: Vec<bool> = self.slots[i].objects().map(&mut remove).collect();
            let n = doomed.iter().filter(|&&x| x).count();
            if n == 0 {
                continue;
            }
            if n == doomed.len() {
                d += self.remove_slot_no_compact(i, fixed);
                continue;
            }
            let s = &mut self.slots[i];
            let all = s.take_all();
            let mut kept = Vec::new();
            for (o, gone) in all.into_iter().zip(doomed) {
                if gone {
                    d.objects -= 1;
                    d.words -= o.words() as isize;
                } else {
                    kept.push(o);
                }
            }
            s.regroup(kept, keypos);
        }
        self.maybe_compact();
        d
    }

    /// Replaces live objects in place: `f` returns a new object (same key) for those to
    /// replace. Returns how many were replaced.
    pub fn replace_each(
        &mut self,
        mut f: impl FnMut(&StoredObject) -> Option<StoredObject>,
    ) -> (usize, Delta) {
        let keypos = self.keypos;
        let mut n = 0;
        let mut d = Delta::default();
        for s in self.slots.iter_mut().filter(|s| s.is_live()) {
            let mut all = s.take_all();
            for o in all.iter_mut() {
                if let Some(new) = f(o) {
                    d.words += new.words() as isize - o.words() as isize;
                    *o = new;
                    n += 1;
                }
            }
            s.regroup(all, keypos);
        }
        (n, d)
    }

    /// Words the slots and index take (without the objects).
    pub fn overhead_words(&self) -> usize {
        (self.slots.capacity() * std::mem::size_of::<Slot>() + self.index.capacity() * 5) / 8
    }
}
