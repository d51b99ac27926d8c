//! One ETS table: its options, owner and heir, fixations, and its storage behind locks.
//!
//! Hash tables (`set`, `bag`, `duplicate_bag`) made with `write_concurrency` split their
//! storage into [`SHARDS`] parts by key hash, each with its own lock, so writers of
//! different keys do not wait for each other; without it there is one part. Readers take
//! read locks, so they run in parallel. `ordered_set` tables have one tree and one lock.

use super::hash_store::{BagKind, Delta, HashStore};
use super::ordered_store::OrderedStore;
use super::stored::StoredObject;
use oxbeam_term::{Atom, Term};
use parking_lot::{Mutex, RwLock};
use std::sync::atomic::{AtomicBool, AtomicIsize, AtomicU32, AtomicU64, AtomicUsize, Ordering};

/// Parts of a `write_concurrency` hash table (the reference also uses 64 locks).
pub const SHARDS: usize = 64;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Kind {
    Set,
    OrderedSet,
    Bag,
    DuplicateBag,
}

impl Kind {
    pub fn atom_name(self) -> &'static str {
        match self {
            Kind::Set => "set",
            Kind::OrderedSet => "ordered_set",
            Kind::Bag => "bag",
            Kind::DuplicateBag => "duplicate_bag",
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Protection {
    Public = 0,
    Protected = 1,
    Private = 2,
}

impl Protection {
    pub fn atom_name(self) -> &'static str {
        match self {
            Protection::Public => "public",
            Protection::Protected => "protected",
            Protection::Private => "private",
        }
    }
}

/// `write_concurrency` as given: a flag or `auto`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum WriteConcurrency {
    Off,
    On,
    Auto,
}

pub struct Options {
    pub kind: Kind,
    pub protection: Protection,
    pub keypos: usize,
    pub named: bool,
    pub read_concurrency: bool,
    pub write_concurrency: WriteConcurrency,
    pub decentralized_counters: bool,
    pub compressed: bool,
}

pub enum Storage {
    Hash(Box<[RwLock<HashStore>]>),
    Ordered(RwLock<OrderedStore>),
}

pub struct Heir {
    pub pid: Term,
    pub data: StoredObject,
}

#[derive(Default)]
pub struct Fixations {
    /// Processes fixing the table, with how many times.
    pub by: Vec<(Term, u32)>,
    /// When the table became fixed: (monotonic native time, erlang:timestamp()).
    pub since: Option<(i64, (i64, i64, i64))>,
}

pub struct Table {
    /// The number of the table's reference (its tid).
    pub id: u64,
    name: AtomicU32,
    pub kind: Kind,
    protection: std::sync::atomic::AtomicU8,
    pub keypos: usize,
    pub named: bool,
    pub read_concurrency: bool,
    pub write_concurrency: WriteConcurrency,
    pub decentralized_counters: bool,
    pub compressed: bool,
    /// Pid word of the owner.
    owner: AtomicU64,
    pub heir: Mutex<Option<Heir>>,
    pub storage: Storage,
    size: AtomicIsize,
    words: AtomicIsize,
    pub deleted: AtomicBool,
    /// Number of fixations (quick check under the storage locks).
    fix_count: AtomicUsize,
    pub fixations: Mutex<Fixations>,
}

impl Table {
    pub fn new(id: u64, name: Atom, owner: Term, o: &Options) -> Table {
        let storage = match o.kind {
            Kind::OrderedSet => Storage::Ordered(RwLock::new(OrderedStore::new(o.keypos))),
            k => {
                let bag = match k {
                    Kind::Set => BagKind::Set,
                    Kind::Bag => BagKind::Bag,
                    _ => BagKind::DuplicateBag,
                };
                let n = if o.write_concurrency == WriteConcurrency::Off {
                    1
                } else {
                    SHARDS
                };
                Storage::Hash(
                    (0..n)
                        .map(|_| RwLock::new(HashStore::new(bag, o.keypos)))
                        .collect(),
                )
            }
        };
        Table {
            id,
            name: AtomicU32::new(name.0),
            kind: o.kind,
            protection: std::sync::atomic::AtomicU8::new(o.protection as u8),
            keypos: o.keypos,
            named: o.named,
            read_concurrency: o.read_concurrency,
            write_concurrency: o.write_concurrency,
            decentralized_counters: o.decentralized_counters,
            compressed: o.compressed,
            owner: AtomicU64::new(owner.0),
            heir: Mutex::new(None),
            storage,
            size: AtomicIsize::new(0),
            words: AtomicIsize::new(0),
            deleted: AtomicBool::new(false),
            fix_count: AtomicUsize::new(0),
            fixations: Mutex::new(Fixations::default()),
        }
    }

    pub fn name(&self) -> Atom {
        Atom(self.name.load(Ordering::Acquire))
    }

    pub fn set_name(&self, a: Atom) {
        self.name.store(a.0, Ordering::Release);
    }

    pub fn protection(&self) -> Protection {
        match self.protection.load(Ordering::Acquire) {
            0 => Protection::Public,
            1 => Protection::Protected,
            _ => Protection::Private,
        }
    }

    pub fn set_protection(&self, p: Protection) {
        self.protection.store(p as u8, Ordering::Release);
    }

    pub fn owner(&self) -> Term {
        Term(self.owner.load(Ordering::Acquire))
    }

    pub fn set_owner(&self, pid: Term) {
        self.owner.store(pid.0, Ordering::Release);
    }

    pub fn size(&self) -> usize {
        self.size.load(Ordering::Relaxed).max(0) as usize
    }

    /// Words the table takes, roughly as the reference counts (`ets:info(T, memory)`).
    pub fn memory_words(&self) -> usize {
        let overhead = match &self.storage {
            Storage::Hash(shards) => shards.iter().map(|s| s.read().overhead_words()).sum(),
            Storage::Ordered(t) => t.read().overhead_words(),
        };
        40 + overhead + self.words.load(Ordering::Relaxed).max(0) as usize
    }

    pub fn account(&self, d: Delta) {
        if d.objects != 0 {
            self.size.fetch_add(d.objects, Ordering::Relaxed);
        }
        if d.words != 0 {
            self.words.fetch_add(d.words, Ordering::Relaxed);
            super::registry::account_words(d.words);
        }
    }

    pub fn is_fixed(&self) -> bool {
        self.fix_count.load(Ordering::SeqCst) > 0
    }

    /// The shard holding keys with hash `h`.
    pub fn shard(shards: &[RwLock<HashStore>], h: u64) -> &RwLock<HashStore> {
        &shards[((h >> 32) as usize) & (shards.len() - 1)]
    }

    /// `safe_fixtable(T, true)` by `pid`.
    pub fn fix(&self, pid: Term, now: impl FnOnce() -> (i64, (i64, i64, i64))) {
        let mut f = self.fixations.lock();
        if f.by.is_empty() {
            f.since = Some(now());
        }
        match f.by.iter_mut().find(|(p, _)| *p == pid) {
            Some((_, n)) => *n += 1,
            None => f.by.push((pid, 1)),
        }
        if self.fix_count.fetch_add(1, Ordering::SeqCst) == 0 {
            super::registry::note_fixed(self.id, true);
        }
    }

    /// `safe_fixtable(T, false)` by `pid` (all of its fixations if `all`, as when it
    /// exits). Sweeps deleted objects when the last fixation goes.
    pub fn unfix(&self, pid: Term, all: bool) {
        let mut f = self.fixations.lock();
        let Some(i) = f.by.iter().position(|(p, _)| *p == pid) else {
            return;
        };
        let dropped = if all || f.by[i].1 == 1 {
            f.by.remove(i).1
        } else {
            f.by[i].1 -= 1;
            1
        };
        let left = self.fix_count.fetch_sub(dropped as usize, Ordering::SeqCst) - dropped as usize;
        if left == 0 {
            f.since = None;
            super::registry::note_fixed(self.id, false);
            drop(f);
            if let Storage::Hash(shards) = &self.storage {
                for s in shards.iter() {
                    s.write().sweep();
                }
            }
        }
    }

    /// Drops every object (the table is deleted).
    pub fn drop_contents(&self) {
        let d = match &self.storage {
            Storage::Hash(shards) => {
                let mut d = Delta::default();
                for s in shards.iter() {
                    d += s.write().clear(false);
                }
                d
            }
            Storage::Ordered(t) => t.write().clear(),
        };
        self.account(d);
    }
}
