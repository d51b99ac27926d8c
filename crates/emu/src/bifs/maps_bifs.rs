//! Map BIFs: the natively implemented functions of the `maps` module, the `erlang`
//! map guards, and `erts_internal:map_next/3` behind `maps:iterator/1` and `maps:next/1`.
//!
//! All map structure (flatmaps and hash tries, and their orders) is handled by
//! [`crate::map`]; these functions check arguments and build results. Errors follow the
//! reference: a non-map argument raises `{badmap, Term}`, a missing key for
//! `get`/`update` raises `{badkey, Key}`, and a malformed list raises `badarg`.

use super::reg;
use crate::bif::{BifResult, Fault, BADARG};
use crate::map;
use crate::object::*;
use crate::process::Process;
use num_bigint::BigInt;
use num_traits::ToPrimitive;
use oxbeam_term::atom::am;
use oxbeam_term::{Atom, Term};

fn tagged_error(p: &mut Process, tag: Atom, t: Term) -> Fault {
    Fault::Error(make_tuple(&mut p.heap, &[Term::atom(tag), t]))
}

/// `m` itself if it is a map, else the `{badmap, M}` error.
fn map_arg(p: &mut Process, m: Term) -> Result<Term, Fault> {
    if is_map(m) {
        Ok(m)
    } else {
        Err(tagged_error(p, am::BADMAP, m))
    }
}

fn badkey(p: &mut Process, k: Term) -> Fault {
    tagged_error(p, am::BADKEY, k)
}

// ---------------------------------------------------------------- lookups

/// `maps:get/2` and `erlang:map_get/2` (both take the key first).
fn get2(p: &mut Process, a: &[Term]) -> BifResult {
    let m = map_arg(p, a[1])?;
    match map::get(m, a[0]) {
        Some(v) => Ok(v),
        None => Err(badkey(p, a[0])),
    }
}

fn find2(p: &mut Process, a: &[Term]) -> BifResult {
    let m = map_arg(p, a[1])?;
    match map::get(m, a[0]) {
        Some(v) => Ok(make_tuple(&mut p.heap, &[Term::atom(am::OK), v])),
        None => Ok(Term::atom(am::ERROR)),
    }
}

/// `maps:is_key/2` and `erlang:is_map_key/2`.
fn is_key2(p: &mut Process, a: &[Term]) -> BifResult {
    let m = map_arg(p, a[1])?;
    Ok(Term::boolean(map::get(m, a[0]).is_some()))
}

fn map_size1(p: &mut Process, a: &[Term]) -> BifResult {
    let m = map_arg(p, a[0])?;
    Ok(Term::small(map::size(m) as i64))
}

fn keys1(p: &mut Process, a: &[Term]) -> BifResult {
    let m = map_arg(p, a[0])?;
    let keys = map::keys(m);
    Ok(list_from_iter(&mut p.heap, &keys, Term::NIL))
}

fn values1(p: &mut Process, a: &[Term]) -> BifResult {
    let m = map_arg(p, a[0])?;
    let vals = map::values(m);
    Ok(list_from_iter(&mut p.heap, &vals, Term::NIL))
}

// ---------------------------------------------------------------- construction

fn from_list1(p: &mut Process, a: &[Term]) -> BifResult {
    let items = list_to_vec(a[0]).ok_or(BADARG)?;
    let mut pairs = Vec::with_capacity(items.len());
    for it in items {
        if !is_tuple(it) || tuple_arity(it) != 2 {
            return Err(BADARG);
        }
        pairs.push((tuple_get(it, 0), tuple_get(it, 1)));
    }
    Ok(map::from_pairs(&mut p.heap, &pairs))
}

fn from_keys2(p: &mut Process, a: &[Term]) -> BifResult {
    let keys = list_to_vec(a[0]).ok_or(BADARG)?;
    let pairs: Vec<(Term, Term)> = keys.into_iter().map(|k| (k, a[1])).collect();
    Ok(map::from_pairs(&mut p.heap, &pairs))
}

fn put3(p: &mut Process, a: &[Term]) -> BifResult {
    let m = map_arg(p, a[2])?;
    Ok(map::put_many(&mut p.heap, m, &[(a[0], a[1])]))
}

fn update3(p: &mut Process, a: &[Term]) -> BifResult {
    let m = map_arg(p, a[2])?;
    map::update_many(&mut p.heap, m, &[(a[0], a[1])]).map_err(|k| badkey(p, k))
}

fn remove2(p: &mut Process, a: &[Term]) -> BifResult {
    let m = map_arg(p, a[1])?;
    Ok(map::remove(&mut p.heap, m, a[0]))
}

fn take2(p: &mut Process, a: &[Term]) -> BifResult {
    let m = map_arg(p, a[1])?;
    match map::get(m, a[0]) {
        Some(v) => {
            let rest = map::remove(&mut p.heap, m, a[0]);
            Ok(make_tuple(&mut p.heap, &[v, rest]))
        }
        None => Ok(Term::atom(am::ERROR)),
    }
}

/// `maps:merge/2`: the second map's values win. The first argument is checked first.
fn merge2(p: &mut Process, a: &[Term]) -> BifResult {
    let m1 = map_arg(p, a[0])?;
    let m2 = map_arg(p, a[1])?;
    Ok(map::merge(&mut p.heap, m1, m2))
}

// ---------------------------------------------------------------- iteration

/// Pairs handed out per `map_next` call for a hash-trie map (a flatmap always comes out
/// whole), as the reference does.
const ITER_CHUNK: usize = 32;

/// `erts_internal:map_next(Path, Map, Acc)`, the engine of `maps:next/1` and
/// `maps:to_list/1`. `Path` names the next pair (0 is the first; see `map::iter_chunk`).
///
/// With `Acc = iterator` it returns the next pairs as nested `{K, V, {K, V, ... Rest}}`,
/// where `Rest` is `none` at the end or the iterator `[NextPath | Map]`. With a list
/// `Acc` it puts the next pairs onto it as `{K, V}` tuples and returns the result, or,
/// when pairs remain, `[NextPath, Map | Result]` for the caller to continue.
fn map_next3(p: &mut Process, a: &[Term]) -> BifResult {
    let (path, m, acc) = (a[0], a[1], a[2]);
    if !is_map(m) {
        return Err(BADARG);
    }
    let path = integer_to_bigint(path)
        .and_then(|b| b.to_u128())
        .ok_or(BADARG)?;
    let iterator = acc == Term::atom(am::ITERATOR);
    if !(iterator || acc.is_list() || acc.is_nil()) {
        return Err(BADARG);
    }
    let (pairs, next) = map::iter_chunk(m, path, ITER_CHUNK).map_err(|_| BADARG)?;
    if iterator {
        let mut rest = match next {
            Some(n) => {
                let n = make_integer(&mut p.heap, &BigInt::from(n));
                cons(&mut p.heap, n, m)
            }
            None => Term::atom(am::NONE),
        };
        for &(k, v) in pairs.iter().rev() {
            rest = make_tuple(&mut p.heap, &[k, v, rest]);
        }
        return Ok(rest);
    }
    let tuples: Vec<Term> = pairs
        .iter()
        .map(|&(k, v)| make_tuple(&mut p.heap, &[k, v]))
        .collect();
    let mut out = if map::is_hashmap(m) {
        // A trie's pairs are consed on one by one while walking it, so they end up
        // reversed; a flatmap's are prepended in key order.
        tuples.iter().fold(acc, |l, &t| cons(&mut p.heap, t, l))
    } else {
        list_from_iter(&mut p.heap, &tuples, acc)
    };
    if let Some(n) = next {
        let n = make_integer(&mut p.heap, &BigInt::from(n));
        out = cons(&mut p.heap, m, out);
        out = cons(&mut p.heap, n, out);
    }
    Ok(out)
}

pub fn register() {
    reg("maps", "get", 2, get2);
    reg("maps", "find", 2, find2);
    reg("maps", "from_list", 1, from_list1);
    reg("maps", "from_keys", 2, from_keys2);
    reg("maps", "is_key", 2, is_key2);
    reg("maps", "keys", 1, keys1);
    reg("maps", "values", 1, values1);
    reg("maps", "merge", 2, merge2);
    reg("maps", "put", 3, put3);
    reg("maps", "update", 3, update3);
    reg("maps", "remove", 2, remove2);
    reg("maps", "take", 2, take2);
    reg("erlang", "map_size", 1, map_size1);
    reg("erlang", "map_get", 2, get2);
    reg("erlang", "is_map_key", 2, is_key2);
    reg("erts_internal", "map_next", 3, map_next3);
}
