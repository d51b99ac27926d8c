//! The `ets` BIFs driven by match specifications: `match`, `match_object`, `select`
//! (with limits and continuations), `select_reverse`, `select_count`, `select_delete`
//! and `select_replace`.
//!
//! A specification is compiled once per call. When every clause binds the whole key,
//! the table is not scanned: the keys are looked up.
//!
//! Continuations are `{Tab, Position, Limit, MatchSpec, Reverse}` tuples; `Position` is
//! where the next chunk starts: `{Part, Slot}` in a hash table, `{Key}` (the last key
//! returned) in an ordered set.

use super::reg;
use crate::bif::{BifResult, Fault, BADARG};
use crate::ets::hash_store::{key_hash, Delta};
use crate::ets::stored::StoredObject;
use crate::ets::table::{Kind, Storage, Table};
use crate::ets::{resolve, Access};
use crate::match_spec::{MatchSpec, Outcome, Scratch};
use crate::object::*;
use crate::process::Process;
use oxbeam_term::{Atom, Term};

fn atom(s: &str) -> Term {
    Term::atom(Atom::from_str(s))
}

fn end_of_table() -> Term {
    atom("$end_of_table")
}

fn compile(ms: Term) -> Result<MatchSpec, Fault> {
    if ms.is_nil() {
        // No clauses: nothing matches (the reference accepts `[]` here, though
        // match_spec_compile does not).
        return Ok(never_matching());
    }
    MatchSpec::compile_for_select(ms).map_err(|e| e.fault())
}

/// `[{'_', [false], [true]}]`.
fn never_matching() -> MatchSpec {
    let mut tmp = crate::match_spec::Arena::default();
    let guards = list_from_iter(&mut tmp, &[Term::FALSE], Term::NIL);
    let body = list_from_iter(&mut tmp, &[Term::TRUE], Term::NIL);
    let clause = make_tuple(&mut tmp, &[atom("_"), guards, body]);
    let ms = list_from_iter(&mut tmp, &[clause], Term::NIL);
    MatchSpec::compile_for_select(ms).expect("a valid specification")
}

/// `[{Pattern, [], [Body]}]` on the caller's heap.
fn pattern_spec(p: &mut Process, pattern: Term, body: &str) -> Term {
    let b = list_from_iter(&mut p.heap, &[atom(body)], Term::NIL);
    let clause = make_tuple(&mut p.heap, &[pattern, Term::NIL, b]);
    list_from_iter(&mut p.heap, &[clause], Term::NIL)
}

/// Where a chunked traversal stands.
#[derive(Clone, Copy)]
enum Position {
    Start,
    /// Hash table: part and slot to continue at.
    Hash(usize, usize),
    /// Ordered set: continue after (or, reversed, before) this key.
    After(Term),
}

/// Runs `ms` over `t` from `pos`, collecting at most `limit` results (None: all).
/// Returns the results in table order and where to continue, if anywhere.
fn collect(
    p: &mut Process,
    t: &Table,
    ms: &MatchSpec,
    limit: Option<usize>,
    pos: Position,
    reverse: bool,
) -> (Vec<Term>, Option<Position>) {
    let mut scratch = Scratch::default();
    let mut out = Vec::new();
    let pid = p.pid;
    let full = |out: &Vec<Term>| limit.is_some_and(|l| out.len() >= l);
    // Whole-key clauses: look the keys up instead of scanning (not for chunked runs,
    // which the reference also treats as traversals).
    if limit.is_none() {
        if let Some(keys) = ms.bound_keys(t.keypos) {
            match &t.storage {
                Storage::Hash(shards) => {
                    for k in keys {
                        let h = key_hash(k);
                        let s = Table::shard(shards, h).read();
                        for o in s.lookup(k, h) {
                            if let Outcome::Matched(r) =
                                ms.run(o.term(), pid, &mut scratch, &mut p.heap)
                            {
                                out.push(r);
                            }
                        }
                    }
                }
                Storage::Ordered(tree) => {
                    let s = tree.read();
                    let mut keys = keys;
                    keys.sort_by(|a, b| crate::compare::compare(*a, *b, false));
                    keys.dedup_by(|a, b| crate::compare::compare(*a, *b, false).is_eq());
                    if reverse {
                        keys.reverse();
                    }
                    for k in keys {
                        if let Some(o) = s.lookup(k) {
                            if let Outcome::Matched(r) =
                                ms.run(o.term(), pid, &mut scratch, &mut p.heap)
                            {
                                out.push(r);
                            }
                        }
                    }
                }
            }
            return (out, None);
        }
    }
    match &t.storage {
        Storage::Hash(shards) => {
            let (mut part, mut from) = match pos {
                Position::Hash(part, slot) => (part, slot),
                _ => (0, 0),
            };
            while part < shards.len() {
                let s = shards[part].read();
                let mut i = from;
                while let Some(at) = s.live_from(i) {
                    for o in s.objects_at(at) {
                        if let Outcome::Matched(r) =
                            ms.run(o.term(), pid, &mut scratch, &mut p.heap)
                        {
                            out.push(r);
                        }
                    }
                    i = at + 1;
                    if full(&out) {
                        return (out, Some(Position::Hash(part, i)));
                    }
                }
                part += 1;
                from = 0;
            }
            (out, None)
        }
        Storage::Ordered(tree) => {
            let s = tree.read();
            let start = match pos {
                Position::After(k) => Some(k),
                _ => None,
            };
            let iter: Box<dyn Iterator<Item = &StoredObject>> = if reverse {
                Box::new(s.iter_rev_from(start))
            } else {
                Box::new(s.iter_from(start))
            };
            for o in iter {
                if let Outcome::Matched(r) = ms.run(o.term(), pid, &mut scratch, &mut p.heap) {
                    out.push(r);
                }
                if full(&out) {
                    let k = copy_term(&mut p.heap, o.key(t.keypos));
                    return (out, Some(Position::After(k)));
                }
            }
            (out, None)
        }
    }
}

fn select_all(p: &mut Process, tab: Term, ms_term: Term, reverse: bool) -> BifResult {
    let t = resolve(p, tab, Access::Read)?;
    let ms = compile(ms_term)?;
    let (out, _) = collect(p, &t, &ms, None, Position::Start, reverse);
    Ok(list_from_iter(&mut p.heap, &out, Term::NIL))
}

fn limit_of(t: Term) -> Result<usize, Fault> {
    match t.as_small() {
        Some(n) if n >= 1 => Ok(n as usize),
        _ => Err(BADARG),
    }
}

/// One chunk: `{Results, Continuation}` or `'$end_of_table'`.
fn chunk(
    p: &mut Process,
    tab: Term,
    ms_term: Term,
    limit: usize,
    pos: Position,
    reverse: bool,
) -> BifResult {
    let t = resolve(p, tab, Access::Read)?;
    let ms = compile(ms_term)?;
    let (mut out, next) = collect(p, &t, &ms, Some(limit), pos, reverse);
    if out.is_empty() && next.is_none() {
        return Ok(end_of_table());
    }
    // Ordered sets are returned in order; the reference gives hash-table chunks
    // in reverse traversal order.
    if !matches!(t.kind, Kind::OrderedSet) {
        out.reverse();
    }
    let list = list_from_iter(&mut p.heap, &out, Term::NIL);
    let cont = match next {
        None => end_of_table(),
        Some(pos) => {
            let pos_term = match pos {
                Position::Hash(part, slot) => make_tuple(
                    &mut p.heap,
                    &[Term::small(part as i64), Term::small(slot as i64)],
                ),
                Position::After(k) => make_tuple(&mut p.heap, &[k]),
                Position::Start => Term::NIL,
            };
            make_tuple(
                &mut p.heap,
                &[
                    tab,
                    pos_term,
                    Term::small(limit as i64),
                    ms_term,
                    Term::boolean(reverse),
                ],
            )
        }
    };
    Ok(make_tuple(&mut p.heap, &[list, cont]))
}

fn continue_chunk(p: &mut Process, cont: Term) -> BifResult {
    if cont == end_of_table() {
        return Ok(end_of_table());
    }
    if !is_tuple(cont) || tuple_arity(cont) != 5 {
        return Err(BADARG);
    }
    let e = tuple_elements(cont);
    let limit = limit_of(e[2])?;
    let reverse = e[4] == Term::TRUE;
    let pos = if is_tuple(e[1]) && tuple_arity(e[1]) == 2 {
        let (a, b) = (tuple_get(e[1], 0).as_small(), tuple_get(e[1], 1).as_small());
        match (a, b) {
            (Some(a), Some(b)) if a >= 0 && b >= 0 => Position::Hash(a as usize, b as usize),
            _ => return Err(BADARG),
        }
    } else if is_tuple(e[1]) && tuple_arity(e[1]) == 1 {
        Position::After(tuple_get(e[1], 0))
    } else {
        return Err(BADARG);
    };
    chunk(p, e[0], e[3], limit, pos, reverse)
}

fn select2(p: &mut Process, a: &[Term]) -> BifResult {
    select_all(p, a[0], a[1], false)
}

fn select3(p: &mut Process, a: &[Term]) -> BifResult {
    let limit = limit_of(a[2])?;
    chunk(p, a[0], a[1], limit, Position::Start, false)
}

fn select1(p: &mut Process, a: &[Term]) -> BifResult {
    continue_chunk(p, a[0])
}

fn select_reverse2(p: &mut Process, a: &[Term]) -> BifResult {
    select_all(p, a[0], a[1], true)
}

fn select_reverse3(p: &mut Process, a: &[Term]) -> BifResult {
    let limit = limit_of(a[2])?;
    chunk(p, a[0], a[1], limit, Position::Start, true)
}

fn match2(p: &mut Process, a: &[Term]) -> BifResult {
    let ms = pattern_spec(p, a[1], "$$");
    select_all(p, a[0], ms, false)
}

fn match3(p: &mut Process, a: &[Term]) -> BifResult {
    let limit = limit_of(a[2])?;
    let ms = pattern_spec(p, a[1], "$$");
    chunk(p, a[0], ms, limit, Position::Start, false)
}

fn match_object2(p: &mut Process, a: &[Term]) -> BifResult {
    let ms = pattern_spec(p, a[1], "$_");
    select_all(p, a[0], ms, false)
}

fn match_object3(p: &mut Process, a: &[Term]) -> BifResult {
    let limit = limit_of(a[2])?;
    let ms = pattern_spec(p, a[1], "$_");
    chunk(p, a[0], ms, limit, Position::Start, false)
}

fn select_count(p: &mut Process, a: &[Term]) -> BifResult {
    let t = resolve(p, a[0], Access::Read)?;
    let ms = compile(a[1])?;
    let mut scratch = Scratch::default();
    let pid = p.pid;
    let n = match &t.storage {
        Storage::Hash(shards) => shards
            .iter()
            .map(|s| {
                s.read()
                    .iter()
                    .filter(|o| ms.run_is_true(o.term(), pid, &mut scratch))
                    .count()
            })
            .sum::<usize>(),
        Storage::Ordered(tree) => tree
            .read()
            .iter()
            .filter(|o| ms.run_is_true(o.term(), pid, &mut scratch))
            .count(),
    };
    Ok(make_i64(&mut p.heap, n as i64))
}

fn select_delete(p: &mut Process, a: &[Term]) -> BifResult {
    let t = resolve(p, a[0], Access::Write)?;
    let ms = compile(a[1])?;
    let mut scratch = Scratch::default();
    let pid = p.pid;
    let fixed = t.is_fixed();
    let d = match &t.storage {
        Storage::Hash(shards) => {
            let mut d = Delta::default();
            for s in shards.iter() {
                d += s
                    .write()
                    .retain(fixed, |o| ms.run_is_true(o.term(), pid, &mut scratch));
            }
            d
        }
        Storage::Ordered(tree) => tree
            .write()
            .retain(|o| ms.run_is_true(o.term(), pid, &mut scratch)),
    };
    t.account(d);
    Ok(make_i64(&mut p.heap, -d.objects as i64))
}

/// The replacement `r` for `old` if it is a valid object with the same key.
fn replacement(t: &Table, old: &StoredObject, r: Term) -> Option<StoredObject> {
    if !is_tuple(r) || tuple_arity(r) < t.keypos {
        return None;
    }
    let same_key = crate::compare::eq_exact(tuple_get(r, t.keypos - 1), old.key(t.keypos));
    same_key.then(|| StoredObject::new(r))
}

fn select_replace(p: &mut Process, a: &[Term]) -> BifResult {
    let t = resolve(p, a[0], Access::Write)?;
    let ms = compile(a[1])?;
    if matches!(t.kind, Kind::Bag) || !ms.keeps_key(t.keypos) {
        return Err(BADARG);
    }
    let mut scratch = Scratch::default();
    let pid = p.pid;
    let heap = &mut p.heap;
    let mut replace = |o: &StoredObject| match ms.run(o.term(), pid, &mut scratch, heap) {
        Outcome::Matched(r) => replacement(&t, o, r),
        Outcome::NoMatch => None,
    };
    let (n, d) = match &t.storage {
        Storage::Hash(shards) => {
            let mut n = 0;
            let mut d = Delta::default();
            for s in shards.iter() {
                let (k, dk) = s.write().replace_each(&mut replace);
                n += k;
                d += dk;
            }
            (n, d)
        }
        Storage::Ordered(tree) => tree.write().replace_each(&mut replace),
    };
    t.account(d);
    Ok(make_i64(&mut p.heap, n as i64))
}

pub fn register() {
    reg("ets", "select", 1, select1);
    reg("ets", "select", 2, select2);
    reg("ets", "select", 3, select3);
    reg("ets", "select_reverse", 1, select1);
    reg("ets", "select_reverse", 2, select_reverse2);
    reg("ets", "select_reverse", 3, select_reverse3);
    reg("ets", "match", 1, select1);
    reg("ets", "match", 2, match2);
    reg("ets", "match", 3, match3);
    reg("ets", "match_object", 1, select1);
    reg("ets", "match_object", 2, match_object2);
    reg("ets", "match_object", 3, match_object3);
    reg("ets", "select_count", 2, select_count);
    reg("ets", "internal_select_delete", 2, select_delete);
    reg("ets", "select_replace", 2, select_replace);
}
