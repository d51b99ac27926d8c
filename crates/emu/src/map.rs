//! Maps, in the reference's two representations:
//!
//! * up to [`SMALL_MAP_LIMIT`] keys, a **flatmap**: a keys tuple sorted in map key order
//!   ([`key_cmp`]) and the values beside it (see `object.rs`);
//! * above it, a **hash trie** (`map/hamt.rs`, keyed by the reference's internal hash in
//!   `map/hash.rs`), whose depth-first order is the iteration order programs observe, so
//!   it reproduces the reference's shape exactly.
//!
//! Every function here accepts both. A map is a flatmap exactly when it has at most 32
//! keys: operations that cross the limit convert, in both directions, as the reference
//! does (it turns a trie back into a flatmap when a removal leaves 32 keys or fewer).
//!
//! Orders: [`to_pairs`], [`keys`] and [`values`] give the order of `maps:to_list/1`,
//! `maps:keys/1`, `maps:values/1` and `term_to_binary/1`; [`iter_pairs`] and
//! [`for_each`] give the order of `maps:iterator/1`+`maps:next/1`, `maps:fold/3` and
//! `io_lib` printing. For flatmaps both are key order; for tries they are reverses of
//! each other. [`sorted_pairs`] is key order for any map.

mod hamt;
pub mod hash;

pub use hamt::{is_hashmap, Node};
pub use hash::{internal_hash, map_hash};

use crate::compare::compare;
use crate::object::*;
use oxbeam_term::Term;
use std::cmp::Ordering;

/// Maps with more keys than this are hash tries (the reference's `MAP_SMALL_MAP_LIMIT`).
pub const SMALL_MAP_LIMIT: usize = 32;

/// The order of map keys (the reference's exact term order): term order, except that
/// every integer sorts before every float, at any depth (`2 < 1.5`, `{2,x} < {1.5,x}`).
/// It orders flatmap keys and decides comparisons between maps.
pub fn key_cmp(a: Term, b: Term) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    if a.is_small() && b.is_small() {
        return a.small_value().cmp(&b.small_value());
    }
    if a.is_atom() && b.is_atom() {
        return a.atom_value().cmp_names(b.atom_value());
    }
    key_cmp_nested(a, b)
}

fn key_cmp_nested(a: Term, b: Term) -> Ordering {
    if let Some(o) = crate::compare::shallow_tuple_cmp(a, b) {
        return o;
    }
    let mut work = crate::compare::WorkStack::new();
    work.push((a, b));
    while let Some((x, y)) = work.pop() {
        if x == y {
            continue;
        }
        let o = if is_number(x) && is_number(y) && is_float(x) != is_float(y) {
            if is_float(x) {
                Ordering::Greater
            } else {
                Ordering::Less
            }
        } else if is_tuple(x) && is_tuple(y) {
            let (ex, ey) = (tuple_elements(x), tuple_elements(y));
            if ex.len() != ey.len() {
                return ex.len().cmp(&ey.len());
            }
            for pair in ex.iter().copied().zip(ey.iter().copied()).rev() {
                work.push(pair);
            }
            continue;
        } else if x.is_list() && y.is_list() {
            work.push((tail(x), tail(y)));
            work.push((head(x), head(y)));
            continue;
        } else if is_map(x) && is_map(y) {
            match map_key_order(x, y, &mut work) {
                Ordering::Equal => continue,
                o => o,
            }
        } else {
            // Different kinds, or kinds without numbers inside: plain exact order.
            compare(x, y, true)
        };
        if o != Ordering::Equal {
            return o;
        }
    }
    Ordering::Equal
}

/// Orders two maps by size, then keys; leaves the value pairs (first key's on top) on
/// `work` when the keys are equal.
fn map_key_order(a: Term, b: Term, work: &mut crate::compare::WorkStack) -> Ordering {
    let (sa, sb) = (size(a), size(b));
    if sa != sb {
        return sa.cmp(&sb);
    }
    let (pa, pb) = (sorted_pairs(a), sorted_pairs(b));
    for (x, y) in pa.iter().zip(&pb) {
        let o = key_cmp(x.0, y.0);
        if o != Ordering::Equal {
            return o;
        }
    }
    for (x, y) in pa.iter().zip(&pb).rev() {
        work.push((x.1, y.1));
    }
    Ordering::Equal
}

/// The value under `key`, if present.
pub fn get(map: Term, key: Term) -> Option<Term> {
    if is_hashmap(map) {
        return hamt::get(map, key);
    }
    flatmap_index(flatmap_keys(map), key).map(|i| flatmap_values(map)[i])
}

/// Where `key` is in a flatmap's keys: a scan of at most 32 words for the same word
/// (all an immediate key can equal), then, for a boxed key, a scan with `=:=`, which
/// rejects most keys by their first word or header (a linear scan, as the reference
/// does, measured no slower than a binary search in key order).
#[inline]
fn flatmap_index(keys: &[Term], key: Term) -> Option<usize> {
    // The same word first: it is the whole search for an immediate key, and a boxed
    // key is often the very term the map was built with (a compiler's `#b_var{}`
    // taken from the instruction that defined it). Only words are read, no key is
    // dereferenced.
    if let Some(i) = keys.iter().position(|&k| k == key) {
        return Some(i);
    }
    if key.is_immed() {
        return None;
    }
    keys.iter().position(|&k| crate::compare::eq_exact(k, key))
}

pub fn size(map: Term) -> usize {
    if is_hashmap(map) {
        hamt::size(map)
    } else {
        flatmap_size(map)
    }
}

/// Builds a map from key/value pairs; later pairs win for duplicate keys.
pub fn from_pairs<A: Alloc + ?Sized>(a: &mut A, pairs: &[(Term, Term)]) -> Term {
    if pairs.len() > SMALL_MAP_LIMIT {
        // Deduplicate by hash rather than by sorting in term order: cheaper for big maps.
        let uniq = dedup_last_wins(pairs);
        if uniq.len() > SMALL_MAP_LIMIT {
            return hamt::build(a, &uniq);
        }
        return from_pairs(a, &uniq);
    }
    let mut v: Vec<(Term, Term)> = pairs.to_vec();
    // Stable sort keeps insertion order among equal keys; keep the last of each run
    // (its key too, as the reference does: `0.0` and `-0.0` are the same key).
    v.sort_by(|x, y| key_cmp(x.0, y.0));
    let mut out: Vec<(Term, Term)> = Vec::with_capacity(v.len());
    for (k, val) in v {
        match out.last_mut() {
            Some(last) if key_cmp(last.0, k) == Ordering::Equal => *last = (k, val),
            _ => out.push((k, val)),
        }
    }
    build_sorted(a, &out)
}

/// `pairs` with only the last pair of each key, in no particular order.
fn dedup_last_wins(pairs: &[(Term, Term)]) -> Vec<(Term, Term)> {
    let mut idx: Vec<(u32, usize)> = pairs
        .iter()
        .enumerate()
        .map(|(i, p)| (map_hash(p.0, 0), i))
        .collect();
    idx.sort_unstable();
    let mut out = Vec::with_capacity(pairs.len());
    let mut i = 0;
    while i < idx.len() {
        let mut j = i + 1;
        while j < idx.len() && idx[j].0 == idx[i].0 {
            j += 1;
        }
        // Within a run of equal hashes (almost always one pair), keep a pair unless a
        // later one has the same key.
        for x in i..j {
            let k = pairs[idx[x].1].0;
            if !(x + 1..j).any(|y| crate::compare::eq_exact(pairs[idx[y].1].0, k)) {
                out.push(pairs[idx[x].1]);
            }
        }
        i = j;
    }
    out
}

/// Builds a map from pairs already sorted with unique keys.
pub fn build_sorted<A: Alloc + ?Sized>(a: &mut A, pairs: &[(Term, Term)]) -> Term {
    if pairs.len() > SMALL_MAP_LIMIT {
        return hamt::build(a, pairs);
    }
    let keys: Vec<Term> = pairs.iter().map(|p| p.0).collect();
    let vals: Vec<Term> = pairs.iter().map(|p| p.1).collect();
    let kt = make_tuple(a, &keys);
    make_flatmap(a, kt, &vals)
}

/// Calls `f(key, value)` in iteration order (`maps:next/1`, `maps:fold/3`).
pub fn for_each(map: Term, mut f: impl FnMut(Term, Term)) {
    if is_hashmap(map) {
        hamt::for_each_leaf(map, |leaf| f(head(leaf), tail(leaf)));
    } else {
        for (&k, &v) in flatmap_keys(map).iter().zip(flatmap_values(map)) {
            f(k, v);
        }
    }
}

/// The pairs in iteration order (`maps:next/1`, `maps:fold/3`, `io_lib` printing).
pub fn iter_pairs(map: Term) -> Vec<(Term, Term)> {
    let mut v = Vec::with_capacity(size(map));
    for_each(map, |k, val| v.push((k, val)));
    v
}

/// The pairs in `maps:to_list/1` order (also `maps:keys/1`, `maps:values/1` and
/// `term_to_binary/1`).
pub fn to_pairs(map: Term) -> Vec<(Term, Term)> {
    let mut v = iter_pairs(map);
    if is_hashmap(map) {
        // The reference conses these lists up while walking the trie.
        v.reverse();
    }
    v
}

/// The keys in `maps:keys/1` order.
pub fn keys(map: Term) -> Vec<Term> {
    to_pairs(map).into_iter().map(|p| p.0).collect()
}

/// The values in `maps:values/1` order.
pub fn values(map: Term) -> Vec<Term> {
    to_pairs(map).into_iter().map(|p| p.1).collect()
}

/// The pairs in key order, for any map.
pub fn sorted_pairs(map: Term) -> Vec<(Term, Term)> {
    let mut v = iter_pairs(map);
    if is_hashmap(map) {
        v.sort_by(|x, y| key_cmp(x.0, y.0));
    }
    v
}

/// An iteration path that does not name a leaf of the map (`badarg` in the reference).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BadPath;

/// One step of `erts_internal:map_next/3` for a trie: up to `max` (at least 1) pairs in
/// iteration order from the leaf `path` names, and the path of the following leaf
/// (`None` when done); `Err` if the path does not fit the map. A path packs 4 bits
/// per trie level, root lowest: the reference's encoding, 0 being the first leaf.
///
/// For a flatmap the reference ignores the path (beyond `path <= size`) and always
/// returns every pair; this does the same.
#[allow(clippy::type_complexity)]
pub fn iter_chunk(
    map: Term,
    path: u128,
    max: usize,
) -> Result<(Vec<(Term, Term)>, Option<u128>), BadPath> {
    if is_hashmap(map) {
        hamt::iter_chunk(map, path, max)
    } else if path <= flatmap_size(map) as u128 {
        Ok((iter_pairs(map), None))
    } else {
        Err(BadPath)
    }
}

/// `erlang:display/1` of a trie prints its raw structure (`#<bitmap>{...}` with nested
/// `<bitmap>{...}` nodes and `[K|V]` leaves, written by `write_term`). Returns false,
/// writing nothing, for a flatmap, which prints as `#{K=>V,...}`.
pub fn write_structure(
    out: &mut String,
    map: Term,
    write_term: &mut dyn FnMut(&mut String, Term),
) -> bool {
    if !is_hashmap(map) {
        return false;
    }
    hamt::write_structure(out, map, write_term);
    true
}

/// `maps:merge(M1, M2)`: the pairs of both, `m2`'s value where both have a key.
pub fn merge<A: Alloc + ?Sized>(a: &mut A, m1: Term, m2: Term) -> Term {
    if size(m1) == 0 {
        return m2;
    }
    if size(m2) == 0 {
        return m1;
    }
    if !is_hashmap(m1) && !is_hashmap(m2) {
        if let Some(m) = merge_flatmaps(a, m1, m2) {
            return m;
        }
    }
    if is_hashmap(m2) && size(m1) < size(m2) {
        // Into the bigger trie, the smaller map's keys that it lacks (its own values
        // win): a path copy per key, rather than a rebuild of the whole union.
        return to_pairs(m1).into_iter().fold(m2, |m, (k, v)| {
            if hamt::get(m, k).is_some() {
                m
            } else {
                hamt::put(a, m, k, v)
            }
        });
    }
    put_many(a, m1, &to_pairs(m2))
}

/// `merge` of two flatmaps whose union is a flatmap too: one pass over both sorted
/// key lists (updating key by key costs a search per key). Where `m2` adds no key,
/// `m1`'s keys tuple is shared. `None` when the union is too big.
fn merge_flatmaps<A: Alloc + ?Sized>(a: &mut A, m1: Term, m2: Term) -> Option<Term> {
    let (k1, v1) = (flatmap_keys(m1), flatmap_values(m1));
    let (k2, v2) = (flatmap_keys(m2), flatmap_values(m2));
    if word(m1, 1) == word(m2, 1) {
        return Some(m2);
    }
    let mut ks = [Term::NIL; SMALL_MAP_LIMIT];
    let mut vs = [Term::NIL; SMALL_MAP_LIMIT];
    let (mut i, mut j, mut n) = (0, 0, 0);
    // Whether every key of `m2` is the very word of its equal in `m1` (`m2`'s key is
    // the one kept: `0.0` and `-0.0` are one key).
    let mut same_words = true;
    while i < k1.len() || j < k2.len() {
        if n == SMALL_MAP_LIMIT {
            return None;
        }
        let order = match (k1.get(i), k2.get(j)) {
            (Some(&x), Some(&y)) if x == y => Ordering::Equal,
            (Some(&x), Some(&y)) => key_cmp(x, y),
            (Some(_), None) => Ordering::Less,
            _ => Ordering::Greater,
        };
        (ks[n], vs[n]) = match order {
            Ordering::Less => {
                i += 1;
                (k1[i - 1], v1[i - 1])
            }
            Ordering::Greater => {
                j += 1;
                (k2[j - 1], v2[j - 1])
            }
            Ordering::Equal => {
                i += 1;
                j += 1;
                same_words &= k1[i - 1] == k2[j - 1];
                (k2[j - 1], v2[j - 1])
            }
        };
        n += 1;
    }
    let kt = if n == k1.len() && same_words {
        word(m1, 1)
    } else {
        make_tuple(a, &ks[..n])
    };
    Some(make_flatmap(a, kt, &vs[..n]))
}

/// `Map#{K => V, ...}`: inserts or replaces.
pub fn put_many<A: Alloc + ?Sized>(a: &mut A, map: Term, updates: &[(Term, Term)]) -> Term {
    if is_hashmap(map) {
        let n = hamt::size(map);
        if updates.len() > 16 && updates.len() > n / 8 {
            // Many changes: one rebuild beats copying a path per key.
            let mut pairs = to_pairs(map);
            pairs.extend_from_slice(updates);
            return from_pairs(a, &pairs);
        }
        return updates.iter().fold(map, |m, &(k, v)| hamt::put(a, m, k, v));
    }
    let (keys, vals) = (flatmap_keys(map), flatmap_values(map));
    if keys.len() + updates.len() <= SMALL_MAP_LIMIT {
        return put_small(a, map, keys, vals, updates);
    }
    if let Ok(m) = update_many(a, map, updates) {
        return m;
    }
    let mut pairs = to_pairs(map);
    for &(k, v) in updates {
        match pairs.binary_search_by(|p| key_cmp(p.0, k)) {
            Ok(i) => pairs[i].1 = v,
            Err(i) => pairs.insert(i, (k, v)),
        }
    }
    build_sorted(a, &pairs)
}

/// `put_many` on a flatmap that stays one whatever the updates. As the reference
/// does, the map itself is the result when no key is new and every value is the same
/// word (`sets:add_element/2` of a present element allocates nothing), and with the
/// same keys the keys tuple is shared.
fn put_small<A: Alloc + ?Sized>(
    a: &mut A,
    map: Term,
    keys: &[Term],
    vals: &[Term],
    updates: &[(Term, Term)],
) -> Term {
    if let [(k, v)] = *updates {
        // The commonest update, `M#{K => V}`: straight from the old map to the new.
        return match flatmap_index(keys, k) {
            Some(i) if vals[i] == v => map,
            Some(i) => {
                let m = make_flatmap(a, word(map, 1), vals);
                set_word(m, 2 + i, v);
                m
            }
            None => {
                let at = keys.partition_point(|&x| key_cmp(x, k) == Ordering::Less);
                let kt = make_tuple_inserting(a, keys, at, k);
                make_flatmap_inserting(a, kt, vals, at, v)
            }
        };
    }
    let mut ks = [Term::NIL; SMALL_MAP_LIMIT];
    let mut vs = [Term::NIL; SMALL_MAP_LIMIT];
    let mut len = keys.len();
    ks[..len].copy_from_slice(keys);
    vs[..len].copy_from_slice(vals);
    let mut added = false;
    let mut changed = false;
    for &(k, v) in updates {
        if let Some(i) = flatmap_index(&ks[..len], k) {
            changed |= vs[i] != v;
            vs[i] = v;
            continue;
        }
        let at = ks[..len].partition_point(|&x| key_cmp(x, k) == Ordering::Less);
        ks.copy_within(at..len, at + 1);
        vs.copy_within(at..len, at + 1);
        ks[at] = k;
        vs[at] = v;
        len += 1;
        added = true;
    }
    if !added && !changed {
        return map;
    }
    let kt = if added {
        make_tuple(a, &ks[..len])
    } else {
        word(map, 1)
    };
    make_flatmap(a, kt, &vs[..len])
}

/// `Map#{K := V, ...}`: replaces existing keys only; `Err(key)` names a missing key.
pub fn update_many<A: Alloc + ?Sized>(
    a: &mut A,
    map: Term,
    updates: &[(Term, Term)],
) -> Result<Term, Term> {
    if is_hashmap(map) {
        let mut m = map;
        for &(k, v) in updates {
            m = hamt::update(a, m, k, v).ok_or(k)?;
        }
        return Ok(m);
    }
    let keys = flatmap_keys(map);
    let old = flatmap_values(map);
    if let [(k, v)] = *updates {
        return match flatmap_index(keys, k) {
            Some(i) if old[i] == v => Ok(map),
            Some(i) => {
                let m = make_flatmap(a, word(map, 1), old);
                set_word(m, 2 + i, v);
                Ok(m)
            }
            None => Err(k),
        };
    }
    let mut vals = [Term::NIL; SMALL_MAP_LIMIT];
    let n = keys.len();
    vals[..n].copy_from_slice(old);
    for &(k, v) in updates {
        match flatmap_index(keys, k) {
            Some(i) => vals[i] = v,
            None => return Err(k),
        }
    }
    // Every value the same word: the map itself, as the reference returns it.
    if vals[..n] == *old {
        return Ok(map);
    }
    Ok(make_flatmap(a, word(map, 1), &vals[..n]))
}

/// `map` without `key` (the same term if the key is absent).
pub fn remove<A: Alloc + ?Sized>(a: &mut A, map: Term, key: Term) -> Term {
    if is_hashmap(map) {
        if hamt::get(map, key).is_none() {
            return map;
        }
        if hamt::size(map) - 1 <= SMALL_MAP_LIMIT {
            let mut pairs = sorted_pairs(map);
            pairs.retain(|p| !crate::compare::eq_exact(p.0, key));
            return build_sorted(a, &pairs);
        }
        return hamt::remove(a, map, key).unwrap_or(map);
    }
    let (keys, vals) = (flatmap_keys(map), flatmap_values(map));
    let Some(i) = flatmap_index(keys, key) else {
        return map;
    };
    let mut ks = [Term::NIL; SMALL_MAP_LIMIT];
    let mut vs = [Term::NIL; SMALL_MAP_LIMIT];
    let n = keys.len() - 1;
    ks[..i].copy_from_slice(&keys[..i]);
    ks[i..n].copy_from_slice(&keys[i + 1..]);
    vs[..i].copy_from_slice(&vals[..i]);
    vs[i..n].copy_from_slice(&vals[i + 1..]);
    let kt = make_tuple(a, &ks[..n]);
    make_flatmap(a, kt, &vs[..n])
}

/// Map order: by size, then keys in key order, then values in key order. The values are
/// left on `work` (last key's pair deepest) for the caller's comparison loop.
pub fn compare_maps(
    a: Term,
    b: Term,
    exact: bool,
    work: &mut crate::compare::WorkStack,
) -> Ordering {
    let _ = exact; // keys always compare in key order; values use the caller's mode
    let (sa, sb) = (size(a), size(b));
    if sa != sb {
        return sa.cmp(&sb);
    }
    if !is_hashmap(a) && !is_hashmap(b) {
        let (ka, kb) = (flatmap_keys(a), flatmap_keys(b));
        for i in 0..sa {
            let o = key_cmp(ka[i], kb[i]);
            if o != Ordering::Equal {
                return o;
            }
        }
        let (va, vb) = (flatmap_values(a), flatmap_values(b));
        for i in (0..sa).rev() {
            work.push((va[i], vb[i]));
        }
        return Ordering::Equal;
    }
    map_key_order(a, b, work)
}

#[cfg(test)]
mod tests;
