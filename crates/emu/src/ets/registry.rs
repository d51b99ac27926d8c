//! Every live table by tid and by name, and the tables each process owns (deleted or
//! handed to their heir when it exits).
//!
//! Resolving a table is on the path of every ETS call, so each scheduler thread keeps
//! the tables it used last in a small cache; an entry is good while its table is not
//! deleted (and, for a name, still has that name).

use super::table::Table;
use oxbeam_term::{Atom, Term};
use parking_lot::{Mutex, RwLock};
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::atomic::{AtomicIsize, Ordering};
use std::sync::{Arc, OnceLock};

#[derive(Default)]
struct Registry {
    by_id: RwLock<HashMap<u64, Arc<Table>>>,
    by_name: RwLock<HashMap<u32, Arc<Table>>>,
    /// Owner pid word -> table ids.
    by_owner: Mutex<HashMap<u64, Vec<u64>>>,
    /// Tables some process has fixed: the ones an exiting process may have to unfix,
    /// so that an exit does not walk every table.
    fixed: Mutex<std::collections::HashSet<u64>>,
}

fn registry() -> &'static Registry {
    static R: OnceLock<Registry> = OnceLock::new();
    R.get_or_init(Registry::default)
}

static WORDS: AtomicIsize = AtomicIsize::new(0);

/// Adds to the words all tables hold (for `erlang:memory(ets)`).
pub fn account_words(d: isize) {
    WORDS.fetch_add(d, Ordering::Relaxed);
}

/// Bytes the stored objects' blocks take (part of `words::held_bytes`).
pub fn object_bytes() -> usize {
    WORDS.load(Ordering::Relaxed).max(0) as usize * 8
}

/// Bytes all tables take (for `erlang:memory(ets)`).
pub fn total_bytes() -> usize {
    let objects = WORDS.load(Ordering::Relaxed).max(0) as usize * 8;
    let tables: usize = all().iter().map(|t| t.memory_words() * 8).sum::<usize>();
    tables.max(objects)
}

const CACHE: usize = 8;

thread_local! {
    /// (lookup key, table): the key is the atom's word for names, the id for tids.
    static RECENT: RefCell<Vec<(u64, Arc<Table>)>> = const { RefCell::new(Vec::new()) };
}

/// The live table a tid reference number or a name atom stands for.
pub fn find(by_name: bool, key: u64) -> Option<Arc<Table>> {
    let hit = RECENT.with(|r| {
        let r = r.borrow();
        r.iter()
            .find(|(k, t)| {
                *k == key
                    && !t.deleted.load(Ordering::Acquire)
                    && (!by_name || (t.named && t.name().0 as u64 == key_atom(key)))
            })
            .map(|(_, t)| t.clone())
    });
    if hit.is_some() {
        return hit;
    }
    let found = if by_name {
        registry()
            .by_name
            .read()
            .get(&(key_atom(key) as u32))
            .cloned()
    } else {
        registry().by_id.read().get(&key).cloned()
    }?;
    RECENT.with(|r| {
        let mut r = r.borrow_mut();
        if r.len() >= CACHE {
            r.remove(0);
        }
        r.push((key, found.clone()));
    });
    Some(found)
}

/// Cache keys of names have the top bit set so they never equal a tid number.
const NAME_BIT: u64 = 1 << 63;

pub fn name_key(a: Atom) -> u64 {
    NAME_BIT | a.0 as u64
}

fn key_atom(key: u64) -> u64 {
    key & !NAME_BIT
}

/// Registers a new table; false if it is named and the name is taken.
pub fn insert(t: Arc<Table>) -> bool {
    let r = registry();
    if t.named {
        let mut names = r.by_name.write();
        if names.contains_key(&t.name().0) {
            return false;
        }
        names.insert(t.name().0, t.clone());
    }
    r.by_owner.lock().entry(t.owner().0).or_default().push(t.id);
    r.by_id.write().insert(t.id, t);
    true
}

/// Removes a table (it is being deleted).
pub fn remove(t: &Table) {
    let r = registry();
    t.deleted.store(true, Ordering::Release);
    if t.named {
        let mut names = r.by_name.write();
        if names.get(&t.name().0).is_some_and(|x| x.id == t.id) {
            names.remove(&t.name().0);
        }
    }
    forget_owner(t.owner(), t.id);
    r.fixed.lock().remove(&t.id);
    r.by_id.write().remove(&t.id);
}

/// Table `id` became fixed (`true`) or no longer is.
pub fn note_fixed(id: u64, fixed: bool) {
    let mut f = registry().fixed.lock();
    if fixed {
        f.insert(id);
    } else {
        f.remove(&id);
    }
}

/// The live tables that are fixed.
pub fn fixed_tables() -> Vec<Arc<Table>> {
    let ids: Vec<u64> = registry().fixed.lock().iter().copied().collect();
    let by_id = registry().by_id.read();
    ids.iter().filter_map(|id| by_id.get(id).cloned()).collect()
}

fn forget_owner(owner: Term, id: u64) {
    let mut o = registry().by_owner.lock();
    if let Some(v) = o.get_mut(&owner.0) {
        v.retain(|&x| x != id);
        if v.is_empty() {
            o.remove(&owner.0);
        }
    }
}

/// Moves a table to a new owner.
pub fn change_owner(t: &Table, to: Term) {
    let mut o = registry().by_owner.lock();
    let from = t.owner();
    if let Some(v) = o.get_mut(&from.0) {
        v.retain(|&x| x != t.id);
        if v.is_empty() {
            o.remove(&from.0);
        }
    }
    o.entry(to.0).or_default().push(t.id);
    t.set_owner(to);
}

/// Renames a named table; false if the new name is taken.
pub fn rename(t: &Arc<Table>, to: Atom) -> bool {
    if !t.named {
        t.set_name(to);
        return true;
    }
    let mut names = registry().by_name.write();
    if t.name() == to {
        return true;
    }
    if names.contains_key(&to.0) {
        return false;
    }
    names.remove(&t.name().0);
    t.set_name(to);
    names.insert(to.0, t.clone());
    true
}

/// Tables owned by `pid`.
pub fn owned_by(pid: Term) -> Vec<Arc<Table>> {
    let ids = registry()
        .by_owner
        .lock()
        .get(&pid.0)
        .cloned()
        .unwrap_or_default();
    let by_id = registry().by_id.read();
    ids.iter().filter_map(|id| by_id.get(id).cloned()).collect()
}

/// Every live table.
pub fn all() -> Vec<Arc<Table>> {
    registry().by_id.read().values().cloned().collect()
}

pub fn count() -> usize {
    registry().by_id.read().len()
}
