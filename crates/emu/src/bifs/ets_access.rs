//! The `ets` BIFs that read and write objects by key, and traverse tables.

use super::reg;
use crate::bif::{BifResult, Fault, BADARG};
use crate::ets::hash_store::{key_hash, Delta, HashStore};
use crate::ets::stored::StoredObject;
use crate::ets::table::{Kind, Storage, Table};
use crate::ets::{resolve, Access};
use crate::object::*;
use crate::process::Process;
use oxbeam_term::{Atom, Term};
use parking_lot::RwLock;

fn end_of_table() -> Term {
    Term::atom(Atom::from_str("$end_of_table"))
}

/// Whether `obj` can be stored in `t`: a tuple with an element at the key position.
fn storable(t: &Table, obj: Term) -> bool {
    is_tuple(obj) && tuple_arity(obj) >= t.keypos
}

/// The objects of `arg`: one tuple or a proper list of them, all storable.
fn objects_of(t: &Table, arg: Term) -> Result<Vec<Term>, Fault> {
    let objs = if is_tuple(arg) {
        vec![arg]
    } else {
        list_to_vec(arg).ok_or(BADARG)?
    };
    if objs.iter().all(|&o| storable(t, o)) {
        Ok(objs)
    } else {
        Err(BADARG)
    }
}

fn shard_of(shards: &[RwLock<HashStore>], key: Term) -> (&RwLock<HashStore>, u64) {
    let h = key_hash(key);
    (Table::shard(shards, h), h)
}

fn key_of(t: &Table, obj: Term) -> Term {
    tuple_get(obj, t.keypos - 1)
}

/// Copies objects out to the caller's heap as a list.
fn copy_out<'a>(p: &mut Process, mut objs: impl Iterator<Item = &'a StoredObject>) -> Term {
    let Some(first) = objs.next() else {
        return Term::NIL;
    };
    let first = copy_term(&mut p.heap, first.term());
    // A set's lookup (one object) needs no vector.
    let Some(second) = objs.next() else {
        return cons(&mut p.heap, first, Term::NIL);
    };
    let second = copy_term(&mut p.heap, second.term());
    let mut items = vec![first, second];
    items.extend(objs.map(|o| copy_term(&mut p.heap, o.term())));
    list_from_iter(&mut p.heap, &items, Term::NIL)
}

fn insert_all(t: &Table, objs: &[Term]) {
    let mut d = Delta::default();
    match &t.storage {
        Storage::Hash(shards) if shards.len() == 1 || objs.len() == 1 => {
            let (shard, _) = shard_of(shards, key_of(t, objs[0]));
            let mut s = shard.write();
            for &o in objs {
                d += s.insert(StoredObject::new(o), key_hash(key_of(t, o)));
            }
        }
        Storage::Hash(shards) => {
            // A list goes in as one change: every part is locked, in order.
            let mut guards: Vec<_> = shards.iter().map(|s| s.write()).collect();
            for &o in objs {
                let h = key_hash(key_of(t, o));
                let i = ((h >> 32) as usize) & (shards.len() - 1);
                d += guards[i].insert(StoredObject::new(o), h);
            }
        }
        Storage::Ordered(tree) => {
            let mut s = tree.write();
            for &o in objs {
                d += s.insert(StoredObject::new(o));
            }
        }
    }
    t.account(d);
}

fn insert(p: &mut Process, a: &[Term]) -> BifResult {
    let t = resolve(p, a[0], Access::Write)?;
    let objs = objects_of(&t, a[1])?;
    if !objs.is_empty() {
        insert_all(&t, &objs);
    }
    Ok(Term::TRUE)
}

fn insert_new(p: &mut Process, a: &[Term]) -> BifResult {
    let t = resolve(p, a[0], Access::Write)?;
    let objs = objects_of(&t, a[1])?;
    let mut d = Delta::default();
    match &t.storage {
        Storage::Hash(shards) => {
            let mut guards: Vec<_> = shards.iter().map(|s| s.write()).collect();
            let n = shards.len();
            let part = |h: u64| ((h >> 32) as usize) & (n - 1);
            for &o in &objs {
                let k = key_of(&t, o);
                let h = key_hash(k);
                if guards[part(h)].member(k, h) {
                    return Ok(Term::FALSE);
                }
            }
            for &o in &objs {
                let h = key_hash(key_of(&t, o));
                d += guards[part(h)].insert(StoredObject::new(o), h);
            }
        }
        Storage::Ordered(tree) => {
            let mut s = tree.write();
            if objs.iter().any(|&o| s.lookup(key_of(&t, o)).is_some()) {
                return Ok(Term::FALSE);
            }
            for &o in &objs {
                d += s.insert(StoredObject::new(o));
            }
        }
    }
    t.account(d);
    Ok(Term::TRUE)
}

fn lookup(p: &mut Process, a: &[Term]) -> BifResult {
    let t = resolve(p, a[0], Access::Read)?;
    let key = a[1];
    Ok(match &t.storage {
        Storage::Hash(shards) => {
            let (shard, h) = shard_of(shards, key);
            let s = shard.read();
            copy_out(p, s.lookup(key, h))
        }
        Storage::Ordered(tree) => {
            let s = tree.read();
            copy_out(p, s.lookup(key).into_iter())
        }
    })
}

fn member(p: &mut Process, a: &[Term]) -> BifResult {
    let t = resolve(p, a[0], Access::Read)?;
    let key = a[1];
    Ok(Term::boolean(match &t.storage {
        Storage::Hash(shards) => {
            let (shard, h) = shard_of(shards, key);
            shard.read().member(key, h)
        }
        Storage::Ordered(tree) => tree.read().lookup(key).is_some(),
    }))
}

fn lookup_element(p: &mut Process, a: &[Term]) -> BifResult {
    let t = resolve(p, a[0], Access::Read)?;
    let key = a[1];
    let pos = match a[2].as_small() {
        Some(n) if n >= 1 => n as usize,
        _ => return Err(BADARG),
    };
    let pick = |p: &mut Process, objs: &[&StoredObject]| -> BifResult {
        if objs.is_empty() {
            // No object with the key: the reference's error_info says `badkey`.
            return Err(Fault::badarg_cause(Term::atom(Atom::from_str("badkey"))));
        }
        if objs.iter().any(|o| tuple_arity(o.term()) < pos) {
            return Err(BADARG);
        }
        let elems: Vec<Term> = objs
            .iter()
            .map(|o| copy_term(&mut p.heap, tuple_get(o.term(), pos - 1)))
            .collect();
        Ok(if matches!(t.kind, Kind::Set | Kind::OrderedSet) {
            elems[0]
        } else {
            list_from_iter(&mut p.heap, &elems, Term::NIL)
        })
    };
    match &t.storage {
        Storage::Hash(shards) => {
            let (shard, h) = shard_of(shards, key);
            let s = shard.read();
            let objs: Vec<&StoredObject> = s.lookup(key, h).collect();
            pick(p, &objs)
        }
        Storage::Ordered(tree) => {
            let s = tree.read();
            let objs: Vec<&StoredObject> = s.lookup(key).into_iter().collect();
            pick(p, &objs)
        }
    }
}

fn delete2(p: &mut Process, a: &[Term]) -> BifResult {
    let t = resolve(p, a[0], Access::Write)?;
    let key = a[1];
    let d = match &t.storage {
        Storage::Hash(shards) => {
            let (shard, h) = shard_of(shards, key);
            let mut s = shard.write();
            s.delete_key(key, h, t.is_fixed())
        }
        Storage::Ordered(tree) => tree.write().delete_key(key),
    };
    t.account(d);
    Ok(Term::TRUE)
}

fn delete_object(p: &mut Process, a: &[Term]) -> BifResult {
    let t = resolve(p, a[0], Access::Write)?;
    let obj = a[1];
    if !storable(&t, obj) {
        return Err(BADARG);
    }
    let key = key_of(&t, obj);
    let d = match &t.storage {
        Storage::Hash(shards) => {
            let (shard, h) = shard_of(shards, key);
            let mut s = shard.write();
            s.delete_object(obj, key, h, t.is_fixed())
        }
        Storage::Ordered(tree) => {
            let mut s = tree.write();
            let same = s
                .lookup(key)
                .is_some_and(|o| crate::compare::eq_exact(o.term(), obj));
            if same {
                s.delete_key(key)
            } else {
                Delta::default()
            }
        }
    };
    t.account(d);
    Ok(Term::TRUE)
}

fn take(p: &mut Process, a: &[Term]) -> BifResult {
    let t = resolve(p, a[0], Access::Write)?;
    let key = a[1];
    let (list, d) = match &t.storage {
        Storage::Hash(shards) => {
            let (shard, h) = shard_of(shards, key);
            let mut s = shard.write();
            let list = copy_out(p, s.lookup(key, h));
            (list, s.delete_key(key, h, t.is_fixed()))
        }
        Storage::Ordered(tree) => {
            let mut s = tree.write();
            let list = copy_out(p, s.lookup(key).into_iter());
            (list, s.delete_key(key))
        }
    };
    t.account(d);
    Ok(list)
}

fn internal_delete_all(p: &mut Process, a: &[Term]) -> BifResult {
    let t = resolve(p, a[0], Access::Write)?;
    let fixed = t.is_fixed();
    let d = match &t.storage {
        Storage::Hash(shards) => {
            let mut d = Delta::default();
            for s in shards.iter() {
                d += s.write().clear(fixed);
            }
            d
        }
        Storage::Ordered(tree) => tree.write().clear(),
    };
    t.account(d);
    make_i64_ok(p, -d.objects as i64)
}

fn make_i64_ok(p: &mut Process, n: i64) -> BifResult {
    Ok(make_i64(&mut p.heap, n))
}

/// The first live key of a hash table at or after part `part`, position `from`.
fn hash_first_from(
    p: &mut Process,
    shards: &[RwLock<HashStore>],
    part: usize,
    from: usize,
) -> Term {
    let mut from = from;
    for s in &shards[part..] {
        let s = s.read();
        if let Some(i) = s.live_from(from) {
            return copy_term(&mut p.heap, s.key_at(i));
        }
        from = 0;
    }
    end_of_table()
}

fn first(p: &mut Process, a: &[Term]) -> BifResult {
    let t = resolve(p, a[0], Access::Read)?;
    Ok(match &t.storage {
        Storage::Hash(shards) => hash_first_from(p, shards, 0, 0),
        Storage::Ordered(tree) => {
            let s = tree.read();
            match s.first() {
                Some(o) => copy_term(&mut p.heap, o.key(t.keypos)),
                None => end_of_table(),
            }
        }
    })
}

fn last(p: &mut Process, a: &[Term]) -> BifResult {
    let t = resolve(p, a[0], Access::Read)?;
    Ok(match &t.storage {
        // Hash tables have no order: last/1 is first/1, as in the reference.
        Storage::Hash(shards) => hash_first_from(p, shards, 0, 0),
        Storage::Ordered(tree) => {
            let s = tree.read();
            match s.last() {
                Some(o) => copy_term(&mut p.heap, o.key(t.keypos)),
                None => end_of_table(),
            }
        }
    })
}

fn hash_next(p: &mut Process, shards: &[RwLock<HashStore>], key: Term) -> BifResult {
    let h = key_hash(key);
    let part = ((h >> 32) as usize) & (shards.len() - 1);
    let after = shards[part].read().after(key, h).ok_or(BADARG)?;
    Ok(hash_first_from(p, shards, part, after))
}

fn next(p: &mut Process, a: &[Term]) -> BifResult {
    let t = resolve(p, a[0], Access::Read)?;
    match &t.storage {
        Storage::Hash(shards) => hash_next(p, shards, a[1]),
        Storage::Ordered(tree) => {
            let s = tree.read();
            Ok(match s.next(a[1]) {
                Some(o) => copy_term(&mut p.heap, o.key(t.keypos)),
                None => end_of_table(),
            })
        }
    }
}

fn prev(p: &mut Process, a: &[Term]) -> BifResult {
    let t = resolve(p, a[0], Access::Read)?;
    match &t.storage {
        Storage::Hash(shards) => hash_next(p, shards, a[1]),
        Storage::Ordered(tree) => {
            let s = tree.read();
            Ok(match s.prev(a[1]) {
                Some(o) => copy_term(&mut p.heap, o.key(t.keypos)),
                None => end_of_table(),
            })
        }
    }
}

fn slot(p: &mut Process, a: &[Term]) -> BifResult {
    let t = resolve(p, a[0], Access::Read)?;
    let i = match a[1].as_small() {
        Some(i) if i >= 0 => i as usize,
        _ => return Err(BADARG),
    };
    match &t.storage {
        Storage::Hash(shards) => {
            let mut i = i;
            for s in shards.iter() {
                let s = s.read();
                if i < s.slot_count() {
                    return Ok(if s.is_live(i) {
                        copy_out(p, s.objects_at(i))
                    } else {
                        Term::NIL
                    });
                }
                i -= s.slot_count();
            }
            if i == 0 {
                Ok(end_of_table())
            } else {
                Err(BADARG)
            }
        }
        Storage::Ordered(tree) => {
            let s = tree.read();
            let r = match s.iter().nth(i) {
                Some(o) => Ok(copy_out(p, std::iter::once(o))),
                None if i == s.len() => Ok(end_of_table()),
                None => Err(BADARG),
            };
            r
        }
    }
}

/// One `update_counter` operation: element position, increment, optional
/// (threshold, set value).
struct CounterOp {
    pos: usize,
    incr: Term,
    limit: Option<(Term, Term)>,
}

fn parse_counter_op(t: &Table, op: Term) -> Result<CounterOp, Fault> {
    if is_integer(op) {
        return Ok(CounterOp {
            pos: t.keypos + 1,
            incr: op,
            limit: None,
        });
    }
    if !is_tuple(op) {
        return Err(BADARG);
    }
    let e = tuple_elements(op);
    let pos = match e.first().and_then(|p| p.as_small()) {
        Some(n) if n >= 1 => n as usize,
        _ => return Err(BADARG),
    };
    match e.len() {
        2 if is_integer(e[1]) => Ok(CounterOp {
            pos,
            incr: e[1],
            limit: None,
        }),
        4 if is_integer(e[1]) && is_integer(e[2]) && is_integer(e[3]) => Ok(CounterOp {
            pos,
            incr: e[1],
            limit: Some((e[2], e[3])),
        }),
        _ => Err(BADARG),
    }
}

/// Applies counter operations to `obj`'s elements; returns the new elements and the
/// results in order.
fn apply_counters(
    p: &mut Process,
    keypos: usize,
    obj: Term,
    ops: &[CounterOp],
) -> Result<(Vec<Term>, Vec<Term>), Fault> {
    let mut elems: Vec<Term> = tuple_elements(obj).to_vec();
    let mut results = Vec::with_capacity(ops.len());
    for op in ops {
        if op.pos == keypos || op.pos > elems.len() || !is_integer(elems[op.pos - 1]) {
            return Err(BADARG);
        }
        let old = elems[op.pos - 1];
        let mut v = match (old.small_add(op.incr), old.is_small() && op.incr.is_small()) {
            (Some(v), true) => v,
            _ => super::arith::plus(p, &[old, op.incr])?,
        };
        if let Some((threshold, set)) = op.limit {
            use crate::compare::compare;
            use std::cmp::Ordering::*;
            let up = compare(op.incr, Term::small(0), false) != Less;
            let over = compare(v, threshold, false);
            if (up && over == Greater) || (!up && over == Less) {
                v = set;
            }
        }
        elems[op.pos - 1] = v;
        results.push(v);
    }
    Ok((elems, results))
}

/// Computes an object's new elements from the stored object.
type NewElements<'a> = dyn FnMut(&mut Process, Term) -> Result<Vec<Term>, Fault> + 'a;

/// Reads the object with `key` from a set or ordered set, lets `f` compute new
/// elements, and stores them: in place when only immediates changed, else as a new copy.
fn modify_object(
    p: &mut Process,
    t: &Table,
    key: Term,
    default: Option<Term>,
    f: &mut NewElements,
) -> Result<bool, Fault> {
    if !matches!(t.kind, Kind::Set | Kind::OrderedSet) {
        return Err(BADARG);
    }
    let mut update =
        |p: &mut Process, slot: Option<&mut StoredObject>| -> Result<Option<Delta>, Fault> {
            let Some(stored) = slot else {
                return Ok(None);
            };
            let old = stored.term();
            let new = f(p, old)?;
            let old_elems = tuple_elements(old);
            let in_place = new
                .iter()
                .zip(old_elems)
                .all(|(n, o)| n == o || (n.is_immed() && o.is_immed()));
            if in_place {
                for (i, &v) in new.iter().enumerate() {
                    // The table's write lock is held: nobody reads the object now.
                    set_word(old, i + 1, v);
                }
                return Ok(Some(Delta::default()));
            }
            let tuple = make_tuple(&mut p.heap, &new);
            let fresh = StoredObject::new(tuple);
            let d = Delta {
                objects: 0,
                words: fresh.words() as isize - stored.words() as isize,
            };
            *stored = fresh;
            Ok(Some(d))
        };
    let done = match &t.storage {
        Storage::Hash(shards) => {
            let (shard, h) = shard_of(shards, key);
            let mut s = shard.write();
            match update(p, s.lookup_mut(key, h))? {
                Some(d) => Some(d),
                None => match default {
                    Some(def) => {
                        let obj = with_key(p, t, def, key);
                        let mut d = s.insert(StoredObject::new(obj), h);
                        d += update(p, s.lookup_mut(key, h))?.unwrap_or_default();
                        Some(d)
                    }
                    None => None,
                },
            }
        }
        Storage::Ordered(tree) => {
            let mut s = tree.write();
            match update(p, s.lookup_mut(key))? {
                Some(d) => Some(d),
                None => match default {
                    Some(def) => {
                        let obj = with_key(p, t, def, key);
                        let mut d = s.insert(StoredObject::new(obj));
                        d += update(p, s.lookup_mut(key))?.unwrap_or_default();
                        Some(d)
                    }
                    None => None,
                },
            }
        }
    };
    match done {
        Some(d) => {
            t.account(d);
            Ok(true)
        }
        None => Ok(false),
    }
}

/// `default` with its key element replaced by `key`.
fn with_key(p: &mut Process, t: &Table, default: Term, key: Term) -> Term {
    let mut e = tuple_elements(default).to_vec();
    e[t.keypos - 1] = key;
    make_tuple(&mut p.heap, &e)
}

fn update_counter(p: &mut Process, a: &[Term], default: Option<Term>) -> BifResult {
    let t = resolve(p, a[0], Access::Write)?;
    let (ops, single) = if a[2].is_list() || a[2].is_nil() {
        let items = list_to_vec(a[2]).ok_or(BADARG)?;
        let ops = items
            .iter()
            .map(|&o| parse_counter_op(&t, o))
            .collect::<Result<Vec<_>, _>>()?;
        (ops, false)
    } else {
        (vec![parse_counter_op(&t, a[2])?], true)
    };
    if let Some(d) = default {
        if !storable(&t, d) {
            return Err(BADARG);
        }
    }
    let mut results = Vec::new();
    let keypos = t.keypos;
    let found = modify_object(p, &t, a[1], default, &mut |p, obj| {
        let (elems, r) = apply_counters(p, keypos, obj, &ops)?;
        results = r;
        Ok(elems)
    })?;
    if !found {
        return Err(BADARG);
    }
    Ok(if single {
        results[0]
    } else {
        list_from_iter(&mut p.heap, &results, Term::NIL)
    })
}

fn update_counter3(p: &mut Process, a: &[Term]) -> BifResult {
    update_counter(p, a, None)
}

fn update_counter4(p: &mut Process, a: &[Term]) -> BifResult {
    update_counter(p, a, Some(a[3]))
}

fn update_element(p: &mut Process, a: &[Term]) -> BifResult {
    let t = resolve(p, a[0], Access::Write)?;
    let specs = if is_tuple(a[2]) {
        vec![a[2]]
    } else {
        list_to_vec(a[2]).ok_or(BADARG)?
    };
    let mut changes = Vec::with_capacity(specs.len());
    for s in specs {
        if !is_tuple(s) || tuple_arity(s) != 2 {
            return Err(BADARG);
        }
        match tuple_get(s, 0).as_small() {
            Some(n) if n >= 1 && n as usize != t.keypos => {
                changes.push((n as usize, tuple_get(s, 1)))
            }
            _ => return Err(BADARG),
        }
    }
    let found = modify_object(p, &t, a[1], None, &mut |_p, obj| {
        let mut e = tuple_elements(obj).to_vec();
        for &(pos, v) in &changes {
            if pos > e.len() {
                return Err(BADARG);
            }
            e[pos - 1] = v;
        }
        Ok(e)
    })?;
    Ok(Term::boolean(found))
}

pub fn register() {
    reg("ets", "insert", 2, insert);
    reg("ets", "insert_new", 2, insert_new);
    reg("ets", "lookup", 2, lookup);
    reg("ets", "member", 2, member);
    reg("ets", "lookup_element", 3, lookup_element);
    reg("ets", "delete", 2, delete2);
    reg("ets", "delete_object", 2, delete_object);
    reg("ets", "take", 2, take);
    reg("ets", "internal_delete_all", 2, internal_delete_all);
    reg("ets", "first", 1, first);
    reg("ets", "last", 1, last);
    reg("ets", "next", 2, next);
    reg("ets", "prev", 2, prev);
    reg("ets", "slot", 2, slot);
    reg("ets", "update_counter", 3, update_counter3);
    reg("ets", "update_counter", 4, update_counter4);
    reg("ets", "update_element", 3, update_element);
}
